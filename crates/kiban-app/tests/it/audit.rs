//! `kiban audit verify` finds every kind of tampering, on both engines, and names the first
//! bad event. The attacker edits the database directly; the external checkpoint logs
//! (`<data-dir>/audit/checkpoints.log` and a mirror) are out of their reach unless a test says
//! otherwise.

use kiban_app::audit::{checkpoint, record, verify, CheckpointLogs, SignatureCheck, Signer};
use kiban_domain::audit::{AuditEntry, Decision};
use kiban_testkit::{on_both_engines, TestDb};
use sha2::{Digest, Sha256};

/// A keyed-hash stand-in for the platform key: this suite tests the chain, not Ed25519.
struct TestKey(&'static [u8]);

impl Signer for TestKey {
    fn public_key(&self) -> Vec<u8> {
        self.0.to_vec()
    }
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        Sha256::new()
            .chain_update(self.0)
            .chain_update(message)
            .finalize()
            .to_vec()
    }
}

impl SignatureCheck for TestKey {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        Sha256::new()
            .chain_update(public_key)
            .chain_update(message)
            .finalize()
            .as_slice()
            == signature
    }
}

const KEY: TestKey = TestKey(b"platform");

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        at_ms: 1_780_000_000_000 + i as i64,
        actor_kind: "office_staff".into(),
        actor_id: format!("staff-{i}"),
        office: "1370000001".into(),
        job: "care_manager".into(),
        insurer: "131011".into(),
        insured: "0000100001".into(),
        category: "qualification".into(),
        action: "read".into(),
        purpose: "care".into(),
        decision: Decision::Allow,
        reason: "CONSENTED".into(),
    }
}

/// A data directory with its external checkpoint log, and a mirror beside it.
struct Outside {
    dir: tempfile::TempDir,
    logs: CheckpointLogs,
}

impl Outside {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let logs = CheckpointLogs::in_data_dir(
            &dir.path().join("data"),
            Some(dir.path().join("mirror.log")),
        );
        Self { dir, logs }
    }
    fn primary(&self) -> std::path::PathBuf {
        self.logs.primary.clone().unwrap()
    }
    fn mirror(&self) -> std::path::PathBuf {
        self.dir.path().join("mirror.log")
    }
}

thread_local! {
    /// Each test runs on its own thread, so each gets its own data directory.
    static OUTSIDE: Outside = Outside::new();
}

fn logs() -> CheckpointLogs {
    OUTSIDE.with(|o| o.logs.clone())
}

/// 20 events with checkpoints after 10 and 20, in the database and the external logs.
fn logged(db: &mut TestDb) {
    record(db.conn(), (1..=10).map(entry).collect()).unwrap();
    checkpoint(db.conn(), &KEY, 1, &logs())
        .unwrap()
        .expect("new checkpoint");
    record(db.conn(), (11..=20).map(entry).collect()).unwrap();
    checkpoint(db.conn(), &KEY, 2, &logs())
        .unwrap()
        .expect("new checkpoint");
    assert!(
        checkpoint(db.conn(), &KEY, 3, &logs()).unwrap().is_none(),
        "head already covered"
    );
}

fn report(db: &mut TestDb) -> kiban_app::audit::VerifyReport {
    verify(db.conn(), &KEY, KEY.0, &logs()).unwrap()
}

fn first_bad(db: &mut TestDb) -> Option<u64> {
    report(db).first_bad_seq
}

/// The fault, which must exist.
fn fault(db: &mut TestDb) -> String {
    report(db).fault.expect("tampering detected")
}

fn an_untouched_log_verifies(db: &mut TestDb) {
    logged(db);
    let report = report(db);
    assert_eq!(
        (report.events_verified, report.checkpoints, &report.fault),
        (20, 2, &None)
    );
    assert_eq!(
        (report.external_checkpoints, report.external_newest_seq),
        (2, Some(20))
    );
    assert!(
        !report.external_log_absent && report.warnings.is_empty(),
        "{report:?}"
    );
    let lines = std::fs::read_to_string(OUTSIDE.with(Outside::primary)).unwrap();
    assert_eq!(
        lines,
        std::fs::read_to_string(OUTSIDE.with(Outside::mirror)).unwrap()
    );
    assert_eq!(lines.lines().count(), 2);
    assert!(lines.starts_with("v1 10 "), "{lines}");
}

fn an_edited_event_is_named(db: &mut TestDb) {
    logged(db);
    db.sql("UPDATE audit_events SET decision = 'deny', reason = 'NOT_SERVING' WHERE seq = 7");
    assert_eq!(first_bad(db), Some(7));
}

fn a_deleted_event_is_named(db: &mut TestDb) {
    logged(db);
    db.sql("DELETE FROM audit_events WHERE seq = 13");
    assert_eq!(first_bad(db), Some(13));
}

fn an_inserted_event_is_named(db: &mut TestDb) {
    logged(db);
    // Make room at 8 and put a forged copy of event 7 there.
    for seq in (8..=20).rev() {
        db.sql(&format!(
            "UPDATE audit_events SET seq = {} WHERE seq = {seq}",
            seq + 1
        ));
    }
    db.sql(
        "INSERT INTO audit_events (seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash) \
         SELECT 8, at_ms, actor_kind, 'intruder', office, job, insurer, insured, category, action, purpose, decision, reason, hash, hash FROM audit_events WHERE seq = 7",
    );
    assert_eq!(first_bad(db), Some(8));
}

fn reordered_events_are_named(db: &mut TestDb) {
    logged(db);
    db.sql("UPDATE audit_events SET seq = 1000 WHERE seq = 4; UPDATE audit_events SET seq = 4 WHERE seq = 5; UPDATE audit_events SET seq = 5 WHERE seq = 1000;");
    assert_eq!(first_bad(db), Some(4));
}

fn a_truncated_tail_is_caught_by_the_last_checkpoint(db: &mut TestDb) {
    logged(db);
    db.sql("DELETE FROM audit_events WHERE seq > 17");
    assert_eq!(first_bad(db), Some(20));
}

fn a_forged_checkpoint_is_refused(db: &mut TestDb) {
    logged(db);
    let forged = TestKey(b"someone else");
    record(db.conn(), vec![entry(21)]).unwrap();
    checkpoint(db.conn(), &forged, 4, &CheckpointLogs::none()).unwrap();
    let report = report(db);
    assert_eq!(report.first_bad_seq, Some(21));
    assert!(report.fault.unwrap().contains("signature"));
}

/// Eight threads with their own connections append at once (group commit): every call gets
/// back exactly its own entries, in one contiguous run, and the chain verifies. A second
/// database appended to at the same time keeps only its own events.
fn concurrent_appends_each_get_their_own_run(db: &mut TestDb) {
    let mut other = TestDb::sqlite();
    let (threads, calls, per_call) = (8u64, 40u64, 3u64);
    std::thread::scope(|scope| {
        let url = db.url.clone();
        let mut handles = Vec::new();
        for t in 0..threads {
            let url = url.clone();
            handles.push(scope.spawn(move || {
                let mut conn = kiban_app::Connection::open(&url).unwrap();
                for c in 0..calls {
                    let first = (t * calls + c) * per_call;
                    let entries: Vec<_> = (first..first + per_call).map(entry).collect();
                    let events = record(&mut conn, entries.clone()).unwrap();
                    assert_eq!(events.len(), entries.len());
                    for (i, (event, entry)) in events.iter().zip(&entries).enumerate() {
                        assert_eq!(&event.entry, entry, "a caller got someone else's event");
                        assert_eq!(event.seq, events[0].seq + i as u64, "run not contiguous");
                    }
                }
            }));
        }
        for i in 0..50 {
            record(other.conn(), vec![entry(1_000_000 + i)]).unwrap();
        }
        for h in handles {
            h.join().unwrap();
        }
    });
    let report = report(db);
    assert_eq!(report.fault, None);
    assert_eq!(report.events_verified, threads * calls * per_call);
    let other_report = verify(other.conn(), &KEY, KEY.0, &CheckpointLogs::none()).unwrap();
    assert_eq!(
        (other_report.events_verified, other_report.fault),
        (50, None)
    );
}

// What the database alone cannot show (issue 13, finding 2): whoever rewrites the database
// deletes the covering checkpoints with the events. The external log still has them.

fn deleting_the_last_event_with_its_checkpoint_is_caught(db: &mut TestDb) {
    logged(db);
    db.sql("DELETE FROM audit_events WHERE seq = 20; DELETE FROM audit_checkpoints WHERE seq = 20");
    let unprotected = verify(db.conn(), &KEY, KEY.0, &CheckpointLogs::none()).unwrap();
    assert_eq!(
        unprotected.fault, None,
        "the database alone is blind to this"
    );
    let report = report(db);
    assert_eq!(report.first_bad_seq, Some(20));
    let fault = report.fault.unwrap();
    assert!(
        fault.contains("ends at event 19") && fault.contains("up to 20"),
        "{fault}"
    );
}

fn deleting_the_newest_checkpoint_and_the_events_after_the_one_before_is_caught(db: &mut TestDb) {
    logged(db);
    // Everything after the last checkpoint left in the database (10) is gone.
    db.sql("DELETE FROM audit_events WHERE seq > 10; DELETE FROM audit_checkpoints WHERE seq = 20");
    let report = report(db);
    assert_eq!(
        (report.first_bad_seq, report.events_verified),
        (Some(11), 10)
    );
    assert!(report.fault.unwrap().contains("were deleted"));
}

fn a_checkpoint_deleted_from_the_database_alone_is_caught(db: &mut TestDb) {
    logged(db);
    db.sql("DELETE FROM audit_checkpoints WHERE seq = 20");
    assert_eq!(first_bad(db), Some(20));
    assert!(fault(db).contains("the database lacks the checkpoint at event 20"));
}

fn a_rewritten_tail_without_its_checkpoint_is_caught(db: &mut TestDb) {
    logged(db);
    // The attacker rewrites event 15 and rechains 15..=20 (they have no key, so they drop
    // the database checkpoint at 20 instead of re-signing it).
    let mut events = Vec::new();
    db.store()
        .for_each_audit(15, &mut |e| {
            events.push(e.entry);
            Ok(())
        })
        .unwrap();
    db.sql(
        "DELETE FROM audit_checkpoints WHERE seq = 20; DELETE FROM audit_events WHERE seq >= 15",
    );
    events[0].reason = "FORGED".into();
    record(db.conn(), events).unwrap();
    let unprotected = verify(db.conn(), &KEY, KEY.0, &CheckpointLogs::none()).unwrap();
    assert_eq!(
        unprotected.fault, None,
        "a consistent rewrite, as far as the database shows"
    );
    assert_eq!(first_bad(db), Some(20));
    assert!(fault(db).contains("checkpoint at 20 does not match"));
}

/// What a crash can leave unprotected: only events after the last checkpoint signed.
fn events_after_the_last_checkpoint_are_the_only_unprotected_tail(db: &mut TestDb) {
    logged(db);
    record(db.conn(), (21..=23).map(entry).collect()).unwrap();
    db.sql("DELETE FROM audit_events WHERE seq > 20");
    assert_eq!(report(db).fault, None);
    db.sql("DELETE FROM audit_events WHERE seq = 20");
    assert_eq!(first_bad(db), Some(20));
}

fn rewrite(path: &std::path::Path, edit: impl FnOnce(Vec<String>) -> Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines = edit(text.lines().map(str::to_string).collect());
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

fn a_tampered_external_line_is_caught(db: &mut TestDb) {
    logged(db);
    let primary = OUTSIDE.with(Outside::primary);
    let original = std::fs::read_to_string(&primary).unwrap();
    // Another head hash on the second line: its signature no longer holds.
    rewrite(&primary, |mut lines| {
        let mut fields: Vec<String> = lines[1].split(' ').map(str::to_string).collect();
        fields[2] = "0".repeat(64);
        lines[1] = fields.join(" ");
        lines
    });
    let signature = fault(db);
    assert!(
        signature.contains("line 2") && signature.contains("invalid signature"),
        "{signature}"
    );
    // Lines swapped.
    std::fs::write(&primary, &original).unwrap();
    rewrite(&primary, |lines| lines.into_iter().rev().collect());
    assert!(fault(db).contains("reordered"), "{}", fault(db));
    // Cut in the middle of the last line.
    std::fs::write(&primary, &original[..original.len() - 10]).unwrap();
    let cut = fault(db);
    assert!(cut.contains("line 2") && cut.contains("cut short"), "{cut}");
    // A line that is not a checkpoint.
    std::fs::write(&primary, format!("{original}v1 21 zz\n")).unwrap();
    assert!(fault(db).contains("line 3"), "{}", fault(db));
}

fn an_external_log_truncated_behind_its_mirror_is_caught(db: &mut TestDb) {
    logged(db);
    let primary = OUTSIDE.with(Outside::primary);
    // Truncated to its first line, and the database made to agree.
    rewrite(&primary, |lines| lines[..1].to_vec());
    db.sql("DELETE FROM audit_events WHERE seq > 10; DELETE FROM audit_checkpoints WHERE seq = 20");
    let report = report(db);
    assert_eq!(report.first_bad_seq, Some(20));
    assert!(report
        .fault
        .unwrap()
        .contains("lacks the checkpoint at event 20 that its mirror"));
}

fn a_deleted_or_missing_external_log(db: &mut TestDb) {
    logged(db);
    let (primary, mirror) = OUTSIDE.with(|o| (o.primary(), o.mirror()));
    std::fs::remove_file(&mirror).unwrap();
    let without_mirror = report(db);
    assert_eq!(without_mirror.fault, None);
    assert!(
        without_mirror.warnings[0].contains("mirror"),
        "{:?}",
        without_mirror.warnings
    );
    std::fs::remove_file(&primary).unwrap();
    assert!(
        fault(db).contains("it was deleted"),
        "the audit directory says there was one"
    );
    // A data directory that never had one (an older install): a warning, not a fault.
    std::fs::remove_dir(primary.parent().unwrap()).unwrap();
    let never = report(db);
    assert_eq!(never.fault, None);
    assert!(never.external_log_absent);
    assert!(never
        .warnings
        .iter()
        .any(|w| w.contains("no external checkpoint log")));
}

on_both_engines!(
    deleting_the_last_event_with_its_checkpoint_is_caught,
    deleting_the_newest_checkpoint_and_the_events_after_the_one_before_is_caught,
    a_checkpoint_deleted_from_the_database_alone_is_caught,
    a_rewritten_tail_without_its_checkpoint_is_caught,
    events_after_the_last_checkpoint_are_the_only_unprotected_tail,
    a_tampered_external_line_is_caught,
    an_external_log_truncated_behind_its_mirror_is_caught,
    a_deleted_or_missing_external_log,
    concurrent_appends_each_get_their_own_run,
    an_untouched_log_verifies,
    an_edited_event_is_named,
    a_deleted_event_is_named,
    an_inserted_event_is_named,
    reordered_events_are_named,
    a_truncated_tail_is_caught_by_the_last_checkpoint,
    a_forged_checkpoint_is_refused,
);
