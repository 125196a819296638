//! The audit log on both engines: appends extend one chain, history pages newest first.

use kiban_domain::audit::{AuditEntry, ChainVerifier, Checkpoint, Decision, GENESIS};
use kiban_testkit::{on_both_engines, TestDb};

fn entry(insured: &str, reason: &str) -> AuditEntry {
    AuditEntry {
        at_ms: 1_780_000_000_000,
        actor_kind: "office_staff".into(),
        actor_id: "staff-1".into(),
        office: "1370000001".into(),
        job: "care_manager".into(),
        insurer: "131011".into(),
        insured: insured.into(),
        category: "qualification".into(),
        action: "read".into(),
        purpose: "care".into(),
        decision: if reason == "CONSENTED" {
            Decision::Allow
        } else {
            Decision::Deny
        },
        reason: reason.into(),
    }
}

fn append(db: &mut TestDb, entries: Vec<AuditEntry>) -> Vec<kiban_domain::audit::AuditEvent> {
    db.store().begin().unwrap();
    let events = db.store().append_audit(entries).unwrap();
    db.store().commit().unwrap();
    events
}

fn appends_extend_one_chain(db: &mut TestDb) {
    assert_eq!(db.store().audit_head().unwrap(), (0, GENESIS));
    let first = append(
        db,
        vec![
            entry("0000100001", "CONSENTED"),
            entry("0000100002", "NOT_SERVING"),
        ],
    );
    let second = append(db, vec![entry("0000100001", "CONSENT_REVOKED")]);
    assert_eq!((first[0].seq, first[1].seq, second[0].seq), (1, 2, 3));
    assert_eq!(second[0].prev_hash, first[1].hash);
    assert_eq!(db.store().audit_head().unwrap(), (3, second[0].hash));
    let mut verifier = ChainVerifier::new(&[]);
    let mut read = Vec::new();
    db.store()
        .for_each_audit(1, &mut |e| {
            verifier.push(&e).unwrap();
            read.push(e);
            Ok(())
        })
        .unwrap();
    assert_eq!(verifier.finish(), Ok(3));
    assert_eq!(
        read,
        [first, second].concat(),
        "events read back exactly as sealed"
    );
}

fn a_rolled_back_append_leaves_no_trace(db: &mut TestDb) {
    append(db, vec![entry("0000100001", "CONSENTED")]);
    db.store().begin().unwrap();
    db.store()
        .append_audit(vec![entry("0000100001", "CONSENTED")])
        .unwrap();
    db.store().rollback().unwrap();
    assert_eq!(db.store().audit_head().unwrap().0, 1);
}

fn person_history_pages_newest_first(db: &mut TestDb) {
    let entries = (0..7)
        .map(|i| {
            entry(
                if i % 2 == 0 {
                    "0000100001"
                } else {
                    "0000100002"
                },
                "CONSENTED",
            )
        })
        .collect();
    append(db, entries);
    let page = db
        .store()
        .audit_for_person("131011", "0000100001", None, 2)
        .unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![7, 5]);
    let next = db
        .store()
        .audit_for_person("131011", "0000100001", Some(5), 10)
        .unwrap();
    assert_eq!(next.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 1]);
    assert!(db
        .store()
        .audit_for_person("131011", "0000100003", None, 10)
        .unwrap()
        .is_empty());
}

fn checkpoints_are_kept_in_order(db: &mut TestDb) {
    let events = append(
        db,
        vec![
            entry("0000100001", "CONSENTED"),
            entry("0000100001", "CONSENTED"),
        ],
    );
    for e in events.iter().rev() {
        let cp = Checkpoint {
            seq: e.seq,
            hash: e.hash,
            at_ms: 5,
            public_key: vec![1; 32],
            signature: vec![2; 64],
        };
        db.store().insert_checkpoint(&cp).unwrap();
    }
    let cps = db.store().checkpoints().unwrap();
    assert_eq!(cps.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(cps[1].hash, events[1].hash);
    assert_eq!(cps[0].signature, vec![2; 64]);
}

on_both_engines!(
    appends_extend_one_chain,
    a_rolled_back_append_leaves_no_trace,
    person_history_pages_newest_first,
    checkpoints_are_kept_in_order,
);
