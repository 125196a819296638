use kiban_domain::codes::{CopayRate, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::*;
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn insurer() -> InsurerNumber {
    InsurerNumber::parse("131011").unwrap()
}

fn person(n: u64) -> InsuredNumber {
    InsuredNumber::from_u64(n).unwrap()
}

fn copay(n: u64, history: u16, rate: CopayRate) -> NewVersion {
    let version = Version {
        key: VersionKey {
            insurer: insurer(),
            insured: person(n),
            history,
        },
        operation: if history == 1 {
            Operation::Add
        } else {
            Operation::Change
        },
        applies_from: d("20250801"),
        body: RecordBody::CopayCertificate(CopayCertificate {
            rate,
            valid_from: d("20250801"),
            valid_to: d("20260731"),
            issued_on: d("20250715"),
        }),
    };
    NewVersion::new(version)
}

fn card(n: u64, history: u16) -> NewVersion {
    let version = Version {
        key: VersionKey {
            insurer: insurer(),
            insured: person(n),
            history,
        },
        operation: if history == 1 {
            Operation::Add
        } else {
            Operation::Change
        },
        applies_from: d("20250401"),
        body: RecordBody::InsuredCard(InsuredCard {
            name: "試験　鷗子".into(),
            kana: "シケン　タカコ".into(),
            birth_date: d("19500401"),
            sex: Sex::Female,
            postal_code: "1000001".into(),
            address: "東京都千代田区千代田1-1".into(),
            issued_on: d("20150331"),
            qualified_on: d("20150331"),
            disqualified_on: None,
            insurer_name: "千代田区".into(),
            certification: None,
            restriction: None,
            care_plan: None,
            facility: None,
        }),
    };
    NewVersion::new(version)
}

pub(crate) fn log_entry(sha: &str) -> ImportRecord {
    ImportRecord {
        id: 0,
        file_name: "FUTAN_131011_ZENKEN_20261101090000.csv".into(),
        sha256: sha.into(),
        status: ImportStatus::Committed,
        kind: RecordKind::CopayCertificate,
        insurer: insurer(),
        mode: LoadMode::Full,
        encoding: "UTF-8".into(),
        started_at: "2026-11-01T09:00:00Z".into(),
        finished_at: "2026-11-01T09:00:00Z".into(),
        rows_total: 0,
        rows_inserted: 0,
        rows_unchanged: 0,
        rows_withdrawn: 0,
        rows_rejected: 0,
        report: "{}".into(),
    }
}

/// Appends in a committed transaction under a fresh import id.
fn append(
    db: &mut TestDb,
    sha: &str,
    versions: &[NewVersion],
    withdrawals: &[WithdrawalKey],
) -> i64 {
    let s = db.store();
    s.begin().unwrap();
    let id = s.insert_import(&log_entry(sha)).unwrap();
    s.append(id, versions, withdrawals).unwrap();
    s.commit().unwrap();
    id
}

fn migrations_are_idempotent(db: &mut TestDb) {
    assert!(
        db.store().migrate().unwrap().is_empty(),
        "second migrate applies nothing"
    );
}

fn versions_round_trip_with_their_bodies(db: &mut TestDb) {
    let rows = vec![card(1, 1), card(1, 2), copay(1, 1, CopayRate::Two)];
    append(db, "a", &rows, &[]);
    let h = db
        .store()
        .person_history(RecordKind::InsuredCard, insurer(), person(1))
        .unwrap();
    assert_eq!(
        h.versions,
        vec![rows[0].version.clone(), rows[1].version.clone()]
    );
    assert!(h.withdrawn.is_empty());
    let h = db
        .store()
        .person_history(RecordKind::CopayCertificate, insurer(), person(1))
        .unwrap();
    assert_eq!(h.versions, vec![rows[2].version.clone()]);
}

fn withdrawals_are_reported_and_filtered(db: &mut TestDb) {
    append(
        db,
        "a",
        &[
            copay(1, 1, CopayRate::One),
            copay(1, 2, CopayRate::Three),
            copay(2, 1, CopayRate::One),
        ],
        &[],
    );
    let w = WithdrawalKey {
        kind: RecordKind::CopayCertificate,
        key: VersionKey {
            insurer: insurer(),
            insured: person(1),
            history: 2,
        },
    };
    append(db, "b", &[], &[w]);
    let meta = db
        .store()
        .version_meta(
            RecordKind::CopayCertificate,
            insurer(),
            &[person(1), person(2), person(3)],
        )
        .unwrap();
    let mut summary: Vec<(u64, u16, bool)> = meta
        .iter()
        .map(|m| (m.insured.as_u64(), m.history, m.withdrawn))
        .collect();
    summary.sort();
    assert_eq!(summary, vec![(1, 1, false), (1, 2, true), (2, 1, false)]);
    let expected = copay(1, 2, CopayRate::Three).content_hash;
    assert_eq!(
        meta.iter().find(|m| m.history == 2).unwrap().content_hash,
        expected
    );
    assert_ne!(
        expected,
        copay(1, 2, CopayRate::One).content_hash,
        "the hash covers the body"
    );
    let h = db
        .store()
        .person_history(RecordKind::CopayCertificate, insurer(), person(1))
        .unwrap();
    assert_eq!(h.withdrawn, vec![2]);
    let mut seen = Vec::new();
    db.store()
        .for_each_version(RecordKind::CopayCertificate, insurer(), false, &mut |v| {
            seen.push((v.key.insured.as_u64(), v.key.history));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![(1, 1), (2, 1)]);
}

fn streaming_is_ordered_by_person_then_history(db: &mut TestDb) {
    append(
        db,
        "a",
        &[
            copay(20, 1, CopayRate::One),
            copay(3, 2, CopayRate::One),
            copay(3, 1, CopayRate::One),
            copay(100, 1, CopayRate::Two),
        ],
        &[],
    );
    let mut seen = Vec::new();
    db.store()
        .for_each_version(RecordKind::CopayCertificate, insurer(), true, &mut |v| {
            seen.push((v.key.insured.as_u64(), v.key.history));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![(3, 1), (3, 2), (20, 1), (100, 1)]);
}

fn rollback_discards_everything(db: &mut TestDb) {
    let s = db.store();
    s.begin().unwrap();
    let id = s.insert_import(&log_entry("x")).unwrap();
    s.append(id, &[copay(1, 1, CopayRate::One)], &[]).unwrap();
    s.rollback().unwrap();
    assert!(s
        .version_meta(RecordKind::CopayCertificate, insurer(), &[person(1)])
        .unwrap()
        .is_empty());
    assert!(s.find_committed_import("x").unwrap().is_none());
    assert!(s.list_imports(10).unwrap().is_empty());
}

fn a_stored_key_cannot_be_written_twice(db: &mut TestDb) {
    append(db, "a", &[copay(1, 1, CopayRate::One)], &[]);
    let s = db.store();
    s.begin().unwrap();
    let id = s.insert_import(&log_entry("b")).unwrap();
    let second = s.append(id, &[copay(1, 1, CopayRate::Two)], &[]);
    assert!(
        second.is_err(),
        "primary key must refuse an in-place update"
    );
    s.rollback().unwrap();
    let h = s
        .person_history(RecordKind::CopayCertificate, insurer(), person(1))
        .unwrap();
    assert!(
        matches!(&h.versions[0].body, RecordBody::CopayCertificate(c) if c.rate == CopayRate::One)
    );
}

fn import_log_tracks_committed_and_rejected_files(db: &mut TestDb) {
    let s = db.store();
    s.begin().unwrap();
    let mut entry = log_entry("same");
    entry.status = ImportStatus::Rejected;
    s.insert_import(&entry).unwrap();
    s.commit().unwrap();
    assert!(
        s.find_committed_import("same").unwrap().is_none(),
        "a rejected attempt does not block a retry"
    );
    s.begin().unwrap();
    let mut entry = log_entry("same");
    entry.id = s.insert_import(&entry).unwrap();
    entry.rows_total = 7;
    entry.rows_inserted = 6;
    entry.rows_rejected = 1;
    entry.report = "{\"ok\":true}".into();
    s.finish_import(&entry).unwrap();
    s.commit().unwrap();
    let found = s
        .find_committed_import("same")
        .unwrap()
        .expect("committed import is found");
    assert_eq!(found, entry);
    let listed = s.list_imports(10).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].status, ImportStatus::Committed, "newest first");
}

fn counts_and_insurers(db: &mut TestDb) {
    append(
        db,
        "a",
        &[card(1, 1), card(2, 1), copay(1, 1, CopayRate::One)],
        &[],
    );
    let counts = db.store().counts(insurer()).unwrap();
    assert_eq!(counts.versions_by_kind[0], (RecordKind::InsuredCard, 2));
    assert_eq!(
        counts.versions_by_kind[1],
        (RecordKind::CopayCertificate, 1)
    );
    assert_eq!(counts.imports, 1);
    assert_eq!(db.store().insurers().unwrap(), vec![insurer()]);
}

fn bodies_are_stored_compactly_and_read_back_whole(db: &mut TestDb) {
    let v = card(5, 1);
    assert!(
        !v.body_json.contains("certification"),
        "absent panels are left out: {}",
        v.body_json
    );
    assert!(
        !v.body_json.contains("InsuredCard"),
        "the kind is a column, not part of the body"
    );
    append(db, "a", std::slice::from_ref(&v), &[]);
    let h = db
        .store()
        .person_history(RecordKind::InsuredCard, insurer(), person(5))
        .unwrap();
    assert_eq!(h.versions, vec![v.version]);
}

/// One person's records of every kind in one call equal the per-kind histories, withdrawals
/// included, and nobody else's rows leak in.
fn person_records_equal_the_per_kind_histories(db: &mut TestDb) {
    append(
        db,
        "a",
        &[
            card(1, 1),
            card(1, 2),
            copay(1, 1, CopayRate::One),
            copay(1, 2, CopayRate::Two),
            card(2, 1),
            copay(2, 1, CopayRate::Three),
        ],
        &[],
    );
    let w = WithdrawalKey {
        kind: RecordKind::CopayCertificate,
        key: VersionKey {
            insurer: insurer(),
            insured: person(1),
            history: 1,
        },
    };
    append(db, "b", &[], &[w]);
    for n in [1, 2, 3] {
        let all = db.store().person_records(insurer(), person(n)).unwrap();
        for kind in RecordKind::ALL {
            let one = db
                .store()
                .person_history(kind, insurer(), person(n))
                .unwrap();
            assert_eq!(all.of(kind), &one, "person {n}, {kind:?}");
        }
    }
    let all = db.store().person_records(insurer(), person(1)).unwrap();
    assert_eq!(all.of(RecordKind::InsuredCard).versions.len(), 2);
    assert_eq!(all.of(RecordKind::CopayCertificate).withdrawn, vec![1]);
}

on_both_engines!(
    person_records_equal_the_per_kind_histories,
    migrations_are_idempotent,
    versions_round_trip_with_their_bodies,
    withdrawals_are_reported_and_filtered,
    streaming_is_ordered_by_person_then_history,
    rollback_discards_everything,
    a_stored_key_cannot_be_written_twice,
    import_log_tracks_committed_and_rejected_files,
    counts_and_insurers,
    bodies_are_stored_compactly_and_read_back_whole,
);
