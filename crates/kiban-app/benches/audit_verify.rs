//! `kiban audit verify` speed: fills a fresh SQLite database with `KIBAN_BENCH_EVENTS` audit
//! events (default 10,000,000, a checkpoint every million) and times the full verification.
//! Run with `cargo bench -p kiban-app --bench audit_verify` (part of `scripts/bench`).

use kiban_app::audit::{checkpoint, verify, CheckpointLogs, SignatureCheck, Signer};
use kiban_domain::audit::{AuditEntry, Decision};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Checkpoint signatures are a handful per run, so their algorithm does not move the figure;
/// a keyed hash keeps this bench free of the crypto crate.
struct BenchKey;

impl Signer for BenchKey {
    fn public_key(&self) -> Vec<u8> {
        b"bench".to_vec()
    }
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        Sha256::new()
            .chain_update(b"bench")
            .chain_update(message)
            .finalize()
            .to_vec()
    }
}

impl SignatureCheck for BenchKey {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        Sha256::new()
            .chain_update(public_key)
            .chain_update(message)
            .finalize()
            .as_slice()
            == signature
    }
}

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        at_ms: 1_780_000_000_000 + i as i64 * 7,
        actor_kind: if i.is_multiple_of(10) {
            "citizen"
        } else {
            "office_staff"
        }
        .into(),
        actor_id: format!("staff-{}", i % 5_000),
        office: format!("13700{:05}", i % 3_000),
        job: ["care_manager", "nurse", "care_worker", "clerk"][(i % 4) as usize].into(),
        insurer: "131011".into(),
        insured: format!("{:010}", 100_001 + i % 1_000_000),
        category: [
            "qualification",
            "certification",
            "care_plan",
            "life",
            "housing_equipment",
        ][(i % 5) as usize]
            .into(),
        action: "read".into(),
        purpose: "care".into(),
        decision: if i.is_multiple_of(17) {
            Decision::Deny
        } else {
            Decision::Allow
        },
        reason: if i.is_multiple_of(17) {
            "CONSENT_MISSING"
        } else {
            "CONSENTED"
        }
        .into(),
    }
}

fn main() {
    let events: u64 = std::env::var("KIBAN_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-audit");
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}", dir.join("audit.db").display());
    let mut store = kiban_store::open(&url).unwrap();
    store.migrate().unwrap();
    // The raw store fills the log fast; the use cases sign and verify on their own connection.
    let mut conn = kiban_app::Connection::open(&url).unwrap();
    let fill = Instant::now();
    let batch = 100_000;
    let mut next = 1;
    while next <= events {
        let end = (next + batch - 1).min(events);
        store.begin().unwrap();
        store
            .append_audit((next..=end).map(entry).collect())
            .unwrap();
        store.commit().unwrap();
        if end.is_multiple_of(1_000_000) || end == events {
            checkpoint(&mut conn, &BenchKey, end as i64, &CheckpointLogs::none()).unwrap();
        }
        next = end + 1;
    }
    let size = std::fs::metadata(dir.join("audit.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "fill: {events} events appended in {:.1} s ({:.0} events/s), database {:.0} MB",
        fill.elapsed().as_secs_f64(),
        events as f64 / fill.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    let t = Instant::now();
    let report = verify(&mut conn, &BenchKey, b"bench", &CheckpointLogs::none()).unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.events_verified, events);
    println!(
        "verify: {} events and {} checkpoints in {:.1} s ({:.0} events/s)",
        report.events_verified,
        report.checkpoints,
        t.elapsed().as_secs_f64(),
        events as f64 / t.elapsed().as_secs_f64()
    );
}
