//! `kiban audit verify` finds every kind of tampering, on both engines, and names the first
//! bad event. The attacker edits the database directly.

use kiban_app::audit::{checkpoint, record, verify, SignatureCheck, Signer};
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

/// 20 events with checkpoints after 10 and 20.
fn logged(db: &mut TestDb) {
    record(db.store(), (1..=10).map(entry).collect()).unwrap();
    checkpoint(db.store(), &KEY, 1)
        .unwrap()
        .expect("new checkpoint");
    record(db.store(), (11..=20).map(entry).collect()).unwrap();
    checkpoint(db.store(), &KEY, 2)
        .unwrap()
        .expect("new checkpoint");
    assert!(
        checkpoint(db.store(), &KEY, 3).unwrap().is_none(),
        "head already covered"
    );
}

fn first_bad(db: &mut TestDb) -> Option<u64> {
    verify(db.store(), &KEY, KEY.0).unwrap().first_bad_seq
}

fn an_untouched_log_verifies(db: &mut TestDb) {
    logged(db);
    let report = verify(db.store(), &KEY, KEY.0).unwrap();
    assert_eq!(
        (report.events_verified, report.checkpoints, report.fault),
        (20, 2, None)
    );
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
    record(db.store(), vec![entry(21)]).unwrap();
    checkpoint(db.store(), &forged, 4).unwrap();
    let report = verify(db.store(), &KEY, KEY.0).unwrap();
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
                let mut store = kiban_store::open(&url).unwrap();
                for c in 0..calls {
                    let first = (t * calls + c) * per_call;
                    let entries: Vec<_> = (first..first + per_call).map(entry).collect();
                    let events = record(store.as_mut(), entries.clone()).unwrap();
                    assert_eq!(events.len(), entries.len());
                    for (i, (event, entry)) in events.iter().zip(&entries).enumerate() {
                        assert_eq!(&event.entry, entry, "a caller got someone else's event");
                        assert_eq!(event.seq, events[0].seq + i as u64, "run not contiguous");
                    }
                }
            }));
        }
        for i in 0..50 {
            record(other.store(), vec![entry(1_000_000 + i)]).unwrap();
        }
        for h in handles {
            h.join().unwrap();
        }
    });
    let report = verify(db.store(), &KEY, KEY.0).unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.events_verified, threads * calls * per_call);
    let other_report = verify(other.store(), &KEY, KEY.0).unwrap();
    assert_eq!(
        (other_report.events_verified, other_report.fault),
        (50, None)
    );
}

on_both_engines!(
    concurrent_appends_each_get_their_own_run,
    an_untouched_log_verifies,
    an_edited_event_is_named,
    a_deleted_event_is_named,
    an_inserted_event_is_named,
    reordered_events_are_named,
    a_truncated_tail_is_caught_by_the_last_checkpoint,
    a_forged_checkpoint_is_refused,
);
