//! 資格確認 without a card end to end on both engines: a person is found by the 基本4情報 typed
//! differently from the card, or by 被保険者番号 + 生年月日; identical people, a wrong address and
//! unauthorised actors get nothing but a reason; every attempt is in the audit log.

use kiban_app::access::{Caller, Outcome};
use kiban_app::confirm::confirm_without_card;
use kiban_app::import::{import_file, ImportOptions};
use kiban_app::qualification::read_summary;
use kiban_domain::access::{Actor, Job, OfficeKind, PersonRef, Purpose, Timestamp};
use kiban_domain::audit::{AuditEntry, Decision};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_domain::matching::{BasicFour, MatchQuery};
use kiban_domain::records::{
    current_as_of, InsuredCard, Operation, RecordBody, Version, VersionKey,
};
use kiban_domain::Date;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};
use kiban_store::NewVersion;
use kiban_testkit::{on_both_engines, TestDb};

/// 2026-11-02 10:00 JST.
const NOW: i64 = 1_793_581_200_000;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(NOW + minutes * 60_000)
}

fn chiyoda() -> InsurerNumber {
    InsurerNumber::parse("131011").unwrap()
}

fn insured(n: u64) -> InsuredNumber {
    InsuredNumber::from_u64(100_000 + n).unwrap()
}

fn staff() -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse("1370000001").unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "1370000001-care_manager".into(),
    }
}

fn registry(db: &mut TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        insurer: chiyoda(),
        persons: 30,
        seed: 3,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090000".into(),
        as_of: Date::parse_yyyymmdd("20261101").unwrap(),
    };
    for (file, _) in generate(dir.path(), &options, &mut |_| {}).unwrap().files {
        import_file(db.conn(), &file, &ImportOptions::default(), &mut |_| {}).unwrap();
    }
}

/// Person n's card in force now, with its version.
fn card(db: &mut TestDb, n: u64) -> Option<(Version, InsuredCard)> {
    let h = db
        .store()
        .person_history(
            kiban_domain::records::RecordKind::InsuredCard,
            chiyoda(),
            insured(n),
        )
        .unwrap();
    let v = current_as_of(&h.versions, &h.withdrawn, at(0).jst_date())?.clone();
    match &v.body {
        RecordBody::InsuredCard(c) => Some((v.clone(), c.clone())),
        _ => None,
    }
}

/// The first person with a current card whose address has a 丁目 (the notation to vary).
fn person_with_chome(db: &mut TestDb) -> (u64, InsuredCard) {
    (1..=30)
        .filter_map(|n| card(db, n).map(|(_, c)| (n, c)))
        .find(|(_, c)| c.address.contains("丁目"))
        .expect("the synthetic registry has addresses with 丁目")
}

/// The address as a staff member might type it: no prefecture, ASCII digits, "1－2ー3" instead of
/// 一丁目２番３号, a half-width space before the building.
fn typed_differently(address: &str) -> String {
    let mut s: String = address
        .strip_prefix("東京都")
        .unwrap()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFEE0).unwrap(),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    for (kanji, digit) in ["一", "二", "三", "四", "五", "六"].iter().zip(1..) {
        s = s.replace(&format!("{kanji}丁目"), &format!("{digit}－"));
    }
    s.replace("号室", "\0")
        .replace('番', "ー")
        .replace('号', "")
        .replace('\0', "号室")
}

fn basic_four(card: &InsuredCard, name: &str, address: &str) -> MatchQuery {
    MatchQuery::BasicFour(BasicFour {
        name: name.into(),
        birth_date: card.birth_date,
        sex: card.sex,
        address: address.into(),
    })
}

fn reason<T>(o: &Outcome<T>) -> &str {
    match o {
        Outcome::Allowed(_) => "ALLOWED",
        Outcome::Denied(d) => d.reason,
    }
}

fn audit_log(db: &mut TestDb) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    db.store()
        .for_each_audit(1, &mut |e| {
            entries.push(e.entry);
            Ok(())
        })
        .unwrap();
    entries
}

fn found_by_basic_four_typed_differently_and_by_number(db: &mut TestDb) {
    registry(db);
    let (n, card) = person_with_chome(db);
    let me = PersonRef {
        insurer: chiyoda(),
        insured: insured(n),
    };
    let name = card.name.replace('\u{3000}', " ");
    let address = typed_differently(&card.address);
    assert_ne!(address, card.address);
    let by_four = basic_four(&card, &name, &address);
    let found = confirm_without_card(db.conn(), &staff(), chiyoda(), by_four, at(0)).unwrap();
    assert_eq!(
        found,
        Outcome::Allowed(me),
        "{name} / {address} vs {}",
        card.address
    );
    let by_number = MatchQuery::NumberAndBirth {
        insured: insured(n),
        birth_date: card.birth_date,
    };
    let found = confirm_without_card(db.conn(), &staff(), chiyoda(), by_number, at(1)).unwrap();
    assert_eq!(found, Outcome::Allowed(me));
    let wrong_birth = MatchQuery::NumberAndBirth {
        insured: insured(n),
        birth_date: card.birth_date.add_days(1),
    };
    let missed = confirm_without_card(db.conn(), &staff(), chiyoda(), wrong_birth, at(2)).unwrap();
    assert_eq!(reason(&missed), "MATCH_NOT_FOUND");
    // Identifying the person opens nothing: the summary still needs serving and consent.
    let read = read_summary(db.conn(), &staff(), me, at(3)).unwrap();
    assert_eq!(reason(&read), "NOT_SERVING");
    let log = audit_log(db);
    assert_eq!(log.len(), 4, "three searches and the read");
    let searches: Vec<(&str, Decision, &str, &str)> = log[..3]
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.decision,
                e.reason.as_str(),
                e.insured.as_str(),
            )
        })
        .collect();
    let number = insured(n).to_string();
    assert_eq!(
        searches,
        vec![
            ("match", Decision::Allow, "MATCH_UNIQUE", number.as_str()),
            ("match", Decision::Allow, "MATCH_UNIQUE", number.as_str()),
            ("match", Decision::Deny, "MATCH_NOT_FOUND", ""),
        ]
    );
    assert!(log[..3].iter().all(|e| e.category == "qualification"
        && e.office == "1370000001"
        && e.job == "care_manager"));
    assert_eq!(log[2].insurer, "", "no person is named on a miss");
}

fn two_identical_people_are_ambiguous_and_nothing_is_returned(db: &mut TestDb) {
    registry(db);
    let (n, card) = person_with_chome(db);
    // Another person's card is corrected to carry the same 基本4情報, written differently.
    let other = (1..=30)
        .find(|&o| o != n && self::card(db, o).is_some())
        .unwrap();
    let (version, _) = self::card(db, other).unwrap();
    let mut twin = card.clone();
    twin.name = card.name.replace('\u{3000}', "");
    twin.address = typed_differently(&card.address);
    let copy = NewVersion::new(Version {
        key: VersionKey {
            history: version.key.history + 1,
            ..version.key
        },
        operation: Operation::Change,
        applies_from: at(0).jst_date(),
        body: RecordBody::InsuredCard(twin),
    });
    let s = db.store();
    s.begin().unwrap();
    s.append(0, &[copy], &[]).unwrap();
    s.commit().unwrap();
    let query = basic_four(&card, &card.name, &card.address);
    let outcome = confirm_without_card(db.conn(), &staff(), chiyoda(), query, at(1)).unwrap();
    let Outcome::Denied(denied) = &outcome else {
        panic!("two people match: {outcome:?}");
    };
    assert_eq!(denied.reason, "MATCH_AMBIGUOUS");
    assert!(denied.message_ja.contains("2名"), "{}", denied.message_ja);
    assert!(
        denied.message_en.contains("insured number"),
        "{}",
        denied.message_en
    );
    // The number still tells them apart.
    let by_number = MatchQuery::NumberAndBirth {
        insured: insured(n),
        birth_date: card.birth_date,
    };
    let found = confirm_without_card(db.conn(), &staff(), chiyoda(), by_number, at(2)).unwrap();
    assert_eq!(reason(&found), "ALLOWED");
    let log = audit_log(db);
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].decision,
            log[0].reason.as_str(),
            log[0].insured.as_str()
        ),
        (Decision::Deny, "MATCH_AMBIGUOUS", "")
    );
}

fn a_wrong_address_is_partial_and_names_the_address(db: &mut TestDb) {
    registry(db);
    let (_, card) = person_with_chome(db);
    let query = basic_four(&card, &card.name, "東京都千代田区千代田９９９番地");
    let outcome = confirm_without_card(db.conn(), &staff(), chiyoda(), query, at(0)).unwrap();
    let Outcome::Denied(denied) = &outcome else {
        panic!("the address is wrong: {outcome:?}");
    };
    assert_eq!(denied.reason, "MATCH_PARTIAL");
    assert!(
        denied.message_ja.starts_with("住所が一致しません"),
        "{}",
        denied.message_ja
    );
    assert!(
        denied.message_en.starts_with("the address does not match"),
        "{}",
        denied.message_en
    );
    let log = audit_log(db);
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].decision,
            log[0].reason.as_str(),
            log[0].insured.as_str()
        ),
        (Decision::Deny, "MATCH_PARTIAL", "")
    );
}

fn only_staff_and_the_own_municipality_may_search(db: &mut TestDb) {
    registry(db);
    let (n, card) = person_with_chome(db);
    let query = || MatchQuery::NumberAndBirth {
        insured: insured(n),
        birth_date: card.birth_date,
    };
    let municipal = |insurer: &str| Caller {
        actor: Actor::MunicipalStaff {
            insurer: InsurerNumber::parse(insurer).unwrap(),
            purpose: Purpose::QualificationAdmin,
        },
        account: format!("{insurer}-clerk"),
    };
    let callers = [
        (
            Caller {
                actor: Actor::PlatformOperator,
                account: "ops".into(),
            },
            "OPERATOR_NO_PERSONAL_DATA",
        ),
        (
            Caller {
                actor: Actor::Citizen {
                    person: PersonRef {
                        insurer: chiyoda(),
                        insured: insured(n % 30 + 1),
                    },
                },
                account: "citizen".into(),
            },
            "NOT_SELF",
        ),
        (municipal("131029"), "OTHER_INSURER"),
        (municipal("131011"), "ALLOWED"),
    ];
    for (minute, (caller, want)) in (0..).zip(&callers) {
        let outcome =
            confirm_without_card(db.conn(), caller, chiyoda(), query(), at(minute)).unwrap();
        assert_eq!(reason(&outcome), *want, "{}", caller.account);
    }
    let log = audit_log(db);
    let seen: Vec<(&str, Decision, &str)> = log
        .iter()
        .map(|e| (e.actor_kind.as_str(), e.decision, e.reason.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("operator", Decision::Deny, "OPERATOR_NO_PERSONAL_DATA"),
            ("citizen", Decision::Deny, "NOT_SELF"),
            ("municipal_staff", Decision::Deny, "OTHER_INSURER"),
            ("municipal_staff", Decision::Allow, "MATCH_UNIQUE"),
        ],
        "every attempt is audited, refusals too"
    );
    assert!(log[..3]
        .iter()
        .all(|e| e.insurer.is_empty() && e.insured.is_empty()));
    assert_eq!(db.store().audit_head().unwrap().0, 4);
}

on_both_engines!(
    found_by_basic_four_typed_differently_and_by_number,
    two_identical_people_are_ambiguous_and_nothing_is_returned,
    a_wrong_address_is_partial_and_names_the_address,
    only_staff_and_the_own_municipality_may_search,
);
