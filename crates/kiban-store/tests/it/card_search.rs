//! `cards_born_on`: the candidates of 資格確認 without a card, on both engines. Persons are found
//! by any version's birth date and come back with their whole non-withdrawn history, so a
//! corrected birth date is judged on the current card; other kinds, insurers and dates are not
//! returned.

use kiban_domain::codes::{CopayRate, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::*;
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn chiyoda() -> InsurerNumber {
    InsurerNumber::parse("131011").unwrap()
}

fn minato() -> InsurerNumber {
    InsurerNumber::parse("131029").unwrap()
}

fn key(insurer: InsurerNumber, n: u64, history: u16) -> VersionKey {
    VersionKey {
        insurer,
        insured: InsuredNumber::from_u64(n).unwrap(),
        history,
    }
}

fn card(insurer: InsurerNumber, n: u64, history: u16, birth: &str) -> NewVersion {
    NewVersion::new(Version {
        key: key(insurer, n, history),
        operation: if history == 1 {
            Operation::Add
        } else {
            Operation::Change
        },
        applies_from: d("20250401"),
        body: RecordBody::InsuredCard(InsuredCard {
            name: "試験　太郎".into(),
            kana: "シケン　タロウ".into(),
            birth_date: d(birth),
            sex: Sex::Male,
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
    })
}

/// A 負担割合証 whose JSON has no birth date at all: must never be returned.
fn copay(n: u64) -> NewVersion {
    NewVersion::new(Version {
        key: key(chiyoda(), n, 1),
        operation: Operation::Add,
        applies_from: d("20250801"),
        body: RecordBody::CopayCertificate(CopayCertificate {
            rate: CopayRate::One,
            valid_from: d("20250801"),
            valid_to: d("20260731"),
            issued_on: d("20250715"),
        }),
    })
}

fn append(db: &mut TestDb, versions: &[NewVersion], withdrawals: &[WithdrawalKey]) {
    let s = db.store();
    s.begin().unwrap();
    s.append(1, versions, withdrawals).unwrap();
    s.commit().unwrap();
}

fn found(db: &mut TestDb, insurer: InsurerNumber, birth: &str) -> Vec<(u64, u16)> {
    db.store()
        .cards_born_on(insurer, d(birth))
        .unwrap()
        .iter()
        .map(|v| (v.key.insured.as_u64(), v.key.history))
        .collect()
}

fn persons_born_on_the_day_come_back_with_their_history(db: &mut TestDb) {
    append(
        db,
        &[
            card(chiyoda(), 1, 1, "19450310"),
            card(chiyoda(), 2, 1, "19450311"),
            card(chiyoda(), 3, 1, "19450310"),
            card(chiyoda(), 3, 2, "19450310"),
            // Person 4's birth date was corrected from the 10th to the 12th.
            card(chiyoda(), 4, 1, "19450310"),
            card(chiyoda(), 4, 2, "19450312"),
            card(minato(), 5, 1, "19450310"),
            copay(1),
        ],
        &[],
    );
    assert_eq!(
        found(db, chiyoda(), "19450310"),
        vec![(1, 1), (3, 1), (3, 2), (4, 1), (4, 2)],
        "whole histories, so current_as_of sees person 4's correction"
    );
    assert_eq!(found(db, chiyoda(), "19450312"), vec![(4, 1), (4, 2)]);
    assert_eq!(found(db, minato(), "19450310"), vec![(5, 1)]);
    assert!(found(db, chiyoda(), "19450313").is_empty());
    let versions = db.store().cards_born_on(chiyoda(), d("19450311")).unwrap();
    assert_eq!(versions, vec![card(chiyoda(), 2, 1, "19450311").version]);
}

fn withdrawn_versions_are_left_out(db: &mut TestDb) {
    append(
        db,
        &[
            card(chiyoda(), 1, 1, "19450310"),
            card(chiyoda(), 1, 2, "19450310"),
            card(chiyoda(), 2, 1, "19450310"),
        ],
        &[],
    );
    let withdraw = |n, history| WithdrawalKey {
        kind: RecordKind::InsuredCard,
        key: key(chiyoda(), n, history),
    };
    append(db, &[], &[withdraw(1, 2), withdraw(2, 1)]);
    assert_eq!(found(db, chiyoda(), "19450310"), vec![(1, 1)]);
}

on_both_engines!(
    persons_born_on_the_day_come_back_with_their_history,
    withdrawn_versions_are_left_out,
);
