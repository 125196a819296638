use super::*;

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        at_ms: 1_780_000_000_000 + i as i64,
        actor_kind: "office_staff".into(),
        actor_id: format!("staff-{}", i % 3),
        office: "1370000001".into(),
        job: "care_manager".into(),
        insurer: "131011".into(),
        insured: format!("{:010}", 100_001 + i % 5),
        category: "qualification".into(),
        action: "read".into(),
        purpose: "care".into(),
        decision: if i.is_multiple_of(4) {
            Decision::Deny
        } else {
            Decision::Allow
        },
        reason: "CONSENTED".into(),
    }
}

fn chain(n: u64) -> Vec<AuditEvent> {
    let mut prev = GENESIS;
    (1..=n)
        .map(|seq| {
            let e = entry(seq).seal(seq, prev);
            prev = e.hash;
            e
        })
        .collect()
}

fn checkpoint(events: &[AuditEvent], seq: u64) -> Checkpoint {
    let e = &events[seq as usize - 1];
    Checkpoint {
        seq,
        hash: e.hash,
        at_ms: 0,
        public_key: vec![],
        signature: vec![],
    }
}

fn verify(events: &[AuditEvent], checkpoints: &[Checkpoint]) -> Result<u64, ChainFault> {
    let mut v = ChainVerifier::new(checkpoints);
    for e in events {
        v.push(e)?;
    }
    v.finish()
}

#[test]
fn an_intact_chain_verifies() {
    let events = chain(50);
    assert_eq!(
        verify(&events, &[checkpoint(&events, 20), checkpoint(&events, 50)]),
        Ok(50)
    );
}

#[test]
fn an_edited_event_is_named() {
    let mut events = chain(30);
    events[11].entry.decision = Decision::Allow;
    events[11].entry.reason = "SELF".into();
    assert_eq!(verify(&events, &[]), Err(ChainFault::Edited { seq: 12 }));
}

#[test]
fn a_deleted_event_is_a_gap() {
    let mut events = chain(30);
    events.remove(7);
    assert_eq!(
        verify(&events, &[]),
        Err(ChainFault::Gap {
            expected: 8,
            found: 9
        })
    );
}

#[test]
fn an_inserted_event_is_caught() {
    let mut events = chain(30);
    let forged = entry(99).seal(10, events[8].hash);
    events.insert(9, forged);
    assert_eq!(
        verify(&events, &[]),
        Err(ChainFault::Gap {
            expected: 11,
            found: 10
        })
    );
}

#[test]
fn reordered_events_are_caught() {
    let mut events = chain(30);
    events.swap(4, 5);
    assert_eq!(verify(&events, &[]).unwrap_err().seq(), 5);
}

#[test]
fn renumbering_after_a_deletion_breaks_the_link() {
    let mut events = chain(30);
    events.remove(7);
    for (i, e) in events.iter_mut().enumerate().skip(7) {
        e.seq = i as u64 + 1;
        e.hash = e.entry.chain_hash(e.seq, &e.prev_hash);
    }
    assert_eq!(verify(&events, &[]), Err(ChainFault::BrokenLink { seq: 8 }));
}

#[test]
fn a_rewritten_chain_is_caught_by_a_checkpoint() {
    let original = chain(30);
    let cp = checkpoint(&original, 25);
    let mut events = original.clone();
    events[9].entry.reason = "FORGED".into();
    let mut prev = events[8].hash;
    for e in events.iter_mut().skip(9) {
        *e = e.entry.clone().seal(e.seq, prev);
        prev = e.hash;
    }
    assert_eq!(
        verify(&events, &[]),
        Ok(30),
        "without checkpoints a full rewrite is consistent"
    );
    assert_eq!(
        verify(&events, &[cp]),
        Err(ChainFault::CheckpointMismatch { seq: 25 })
    );
}

#[test]
fn deleting_the_tail_before_a_checkpoint_is_caught() {
    let events = chain(30);
    let cp = checkpoint(&events, 30);
    assert_eq!(
        verify(&events[..28], &[cp]),
        Err(ChainFault::Truncated { seq: 30 })
    );
}

#[test]
fn canonical_encoding_separates_fields() {
    let mut a = entry(1);
    let mut b = entry(1);
    a.actor_id = "ab".into();
    a.office = "c".into();
    b.actor_id = "a".into();
    b.office = "bc".into();
    assert_ne!(a.canonical(1), b.canonical(1));
}
