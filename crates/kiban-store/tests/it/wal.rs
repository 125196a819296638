//! SQLite's write-ahead log stays bounded while reads go on (issue 13, finding 12). The
//! connections are configured as `kiban serve` configures them: request connections defer
//! checkpoints, one connection of its own calls `checkpoint_wal` (kiban-http's wal.rs every
//! 250 ms; here directly, so nothing depends on timing). PostgreSQL has no such log.

use kiban_domain::audit::{AuditEntry, Decision};
use kiban_store::{AuditStore, SqliteStore, Store, WAL_TRUNCATE_AT};
use std::path::Path;

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        at_ms: 1_780_000_000_000 + i as i64,
        actor_kind: "office_staff".into(),
        actor_id: "cm01".into(),
        office: "1370000001".into(),
        job: "care_manager".into(),
        insurer: "131011".into(),
        insured: format!("{:010}", 100_000 + i % 5_000),
        category: "qualification".into(),
        action: "read".into(),
        purpose: "care".into(),
        decision: Decision::Allow,
        reason: "CONSENTED".into(),
    }
}

fn wal_size(db: &Path) -> u64 {
    let wal = db.with_file_name("kiban.db-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

fn open(path: &Path) -> SqliteStore {
    let mut store = SqliteStore::open(path).unwrap();
    store.defer_wal_checkpoints().unwrap();
    store
}

#[test]
fn the_log_is_emptied_once_the_readers_of_old_snapshots_are_gone() {
    let db = kiban_testkit::TestDb::sqlite();
    let path = std::path::PathBuf::from(db.url.strip_prefix("sqlite://").unwrap());
    let mut writer = open(&path);
    let mut reader = open(&path);
    let mut checkpointer = SqliteStore::open(&path).unwrap();

    // A request's read snapshot, held while others append audit events (as under steady
    // reads, where some reader always holds one).
    reader.begin_read().unwrap();
    reader.audit_head().unwrap();
    let mut n = 0;
    let mut calls_while_pinned = 0;
    while wal_size(&path) <= 2 * WAL_TRUNCATE_AT {
        writer.begin().unwrap();
        writer
            .append_audit((n..n + 500).map(entry).collect())
            .unwrap();
        writer.commit().unwrap();
        n += 500;
        // The checkpointer keeps running meanwhile; it must neither fail nor hang.
        if n % 20_000 == 0 {
            checkpointer.checkpoint_wal().unwrap();
            calls_while_pinned += 1;
        }
        assert!(
            n < 2_000_000,
            "the log never grew: {} bytes",
            wal_size(&path)
        );
    }
    assert!(calls_while_pinned > 0);
    let grown = wal_size(&path);
    assert!(grown > 2 * WAL_TRUNCATE_AT, "{grown}");
    reader.end_read().unwrap();

    // Bounded: within three checkpoint calls the file is back under the bound.
    let mut calls = 0;
    while wal_size(&path) > WAL_TRUNCATE_AT {
        assert!(
            calls < 3,
            "the log is still {} bytes after {calls} checkpoints (it had grown to {grown})",
            wal_size(&path)
        );
        checkpointer.checkpoint_wal().unwrap();
        calls += 1;
    }
    // Nothing was lost on the way.
    assert_eq!(reader.audit_head().unwrap().0, n);
}
