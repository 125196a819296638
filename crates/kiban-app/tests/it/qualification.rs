//! 資格確認 at an office end to end on both engines: nothing without serving and consent,
//! enrolment with the card, the person's revocation effective on the very next request, and an
//! audit event for every attempt, allowed or denied.

use kiban_app::access::{Caller, Outcome};
use kiban_app::import::{import_file, ImportOptions};
use kiban_app::qualification::{enrol, read_summary, revoke_consent};
use kiban_domain::access::{
    Actor, ConsentCategory, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};
use kiban_testkit::{on_both_engines, TestDb};

/// 2026-11-02 10:00 JST.
const NOW: i64 = 1_793_581_200_000;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(NOW + minutes * 60_000)
}

fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::from_u64(100_000 + n).unwrap(),
    }
}

fn staff(office: &str, job: Job) -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse(office).unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job,
        },
        account: format!("{office}-{}", job.code()),
    }
}

fn citizen(n: u64) -> Caller {
    Caller {
        actor: Actor::Citizen { person: person(n) },
        account: "citizen".into(),
    }
}

/// 30 synthetic persons of 131011, as of 2026-11-01.
pub(crate) fn registry(db: &mut TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        insurer: InsurerNumber::parse("131011").unwrap(),
        persons: 30,
        seed: 3,
        format: Format::Csv,
        encoding: Encoding::Utf8,
        created: "20261101090000".into(),
        as_of: kiban_domain::Date::parse_yyyymmdd("20261101").unwrap(),
    };
    for (file, _) in generate(dir.path(), &options, &mut |_| {}).unwrap().files {
        import_file(db.conn(), &file, &ImportOptions::default(), &mut |_| {}).unwrap();
    }
}

fn reason<T>(o: &Outcome<T>) -> &str {
    match o {
        Outcome::Allowed(_) => "ALLOWED",
        Outcome::Denied(d) => d.reason,
    }
}

fn events(db: &mut TestDb) -> u64 {
    db.store().audit_head().unwrap().0
}

fn nothing_without_serving_and_consent(db: &mut TestDb) {
    registry(db);
    let cm = staff("1370000001", Job::CareManager);
    let read = read_summary(db.conn(), &cm, person(1), at(0)).unwrap();
    assert_eq!(reason(&read), "NOT_SERVING");
    let unwitnessed = ConsentMethod::Paper {
        reason: PaperReason::NoCard,
        witness: " ".into(),
    };
    let enrolled = enrol(db.conn(), &cm, person(1), &unwitnessed, &[], None, at(1)).unwrap();
    assert_eq!(reason(&enrolled), "IDENTITY_NOT_VERIFIED");
    assert_eq!(events(db), 2, "both refusals are in the audit log");
    let history = db
        .store()
        .audit_for_person("131011", "0000100001", None, 10)
        .unwrap();
    assert!(history
        .iter()
        .all(|e| e.entry.decision == kiban_domain::audit::Decision::Deny));
}

fn card_enrolment_opens_the_summary_and_revocation_closes_it_at_once(db: &mut TestDb) {
    registry(db);
    let cm = staff("1370000001", Job::CareManager);
    let ids = enrol(
        db.conn(),
        &cm,
        person(1),
        &ConsentMethod::Card,
        &[ConsentCategory::CarePlan],
        None,
        at(0),
    )
    .unwrap();
    let ids = ids.allowed().expect("card enrolment is allowed");
    assert_eq!(ids.len(), 4, "every category but the opted-out care plan");
    let summary = read_summary(db.conn(), &cm, person(1), at(1))
        .unwrap()
        .allowed()
        .expect("consented and serving");
    assert!(summary.insured_card.is_some(), "the current card is shown");
    assert!(summary.equipment_allowance_left <= 100_000);
    let consents = db.store().consents("131011", "0000100001", None).unwrap();
    let qualification = consents
        .iter()
        .find(|c| c.category.code() == "qualification")
        .unwrap()
        .id;
    let revoked = revoke_consent(db.conn(), &citizen(1), person(1), qualification, at(2)).unwrap();
    assert_eq!(reason(&revoked), "ALLOWED");
    let next = read_summary(db.conn(), &cm, person(1), at(2)).unwrap();
    assert_eq!(
        reason(&next),
        "CONSENT_REVOKED",
        "effective on the very next request"
    );
    let history = db
        .store()
        .audit_for_person("131011", "0000100001", None, 10)
        .unwrap();
    let reasons: Vec<&str> = history.iter().map(|e| e.entry.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec!["CONSENT_REVOKED", "SELF", "CONSENTED", "IDENTITY_VERIFIED"],
        "newest first"
    );
}

fn other_offices_strangers_and_the_operator_see_nothing(db: &mut TestDb) {
    registry(db);
    let cm = staff("1370000001", Job::CareManager);
    enrol(
        db.conn(),
        &cm,
        person(1),
        &ConsentMethod::Card,
        &[],
        None,
        at(0),
    )
    .unwrap();
    let other = staff("1370000002", Job::CareManager);
    assert_eq!(
        reason(&read_summary(db.conn(), &other, person(1), at(1)).unwrap()),
        "NOT_SERVING"
    );
    let operator = Caller {
        actor: Actor::PlatformOperator,
        account: "ops".into(),
    };
    assert_eq!(
        reason(&read_summary(db.conn(), &operator, person(1), at(1)).unwrap()),
        "OPERATOR_NO_PERSONAL_DATA"
    );
    let stranger = citizen(2);
    let id = db.store().consents("131011", "0000100001", None).unwrap()[0].id;
    assert_eq!(
        reason(&revoke_consent(db.conn(), &stranger, person(1), id, at(1)).unwrap()),
        "NOT_SELF"
    );
    assert!(
        db.store().consents("131011", "0000100001", None).unwrap()[0]
            .revoked_at_ms
            .is_none(),
        "a stranger cannot revoke"
    );
    assert_eq!(
        reason(&read_summary(db.conn(), &citizen(1), person(1), at(1)).unwrap()),
        "ALLOWED"
    );
    assert_eq!(events(db), 5, "every attempt is audited");
}

on_both_engines!(
    nothing_without_serving_and_consent,
    card_enrolment_opens_the_summary_and_revocation_closes_it_at_once,
    other_offices_strangers_and_the_operator_see_nothing,
);
