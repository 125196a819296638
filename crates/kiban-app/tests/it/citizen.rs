//! The person's side: card login (replay and foreign cards refused), the access history with
//! office names, and the data download — each audited.

use kiban_app::access::{Caller, Outcome};
use kiban_app::citizen::{access_history, card_login, my_data};
use kiban_app::qualification::{enrol, read_summary};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{CardAuthority, RevocationList, Validity};
use kiban_domain::access::{Actor, ConsentMethod, Job, OfficeKind, PersonRef, Timestamp};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_store::{CardLinkRow, OfficeRow};
use kiban_testkit::{on_both_engines, TestDb};

const NOW: i64 = 1_793_581_200_000;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW / 1000).unwrap()
}

fn person() -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::parse("0000100001").unwrap(),
    }
}

fn authority() -> CardAuthority {
    CardAuthority::init_development("test card root", now())
        .unwrap()
        .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS)
}

fn pin() -> kiban_crypto::Pin {
    kiban_crypto::Pin::parse("1234").unwrap()
}

fn card_login_finds_the_linked_person_once(db: &mut TestDb) {
    let root = authority();
    let issued = root
        .issue_card(person().insured, &pin(), Validity::days_from(now(), 3650))
        .unwrap();
    let link = CardLinkRow {
        fingerprint: issued.link.fingerprint.to_string(),
        insurer: person().insurer,
        insured: person().insured,
        linked_at_ms: NOW,
        linked_by: "test".into(),
        unlinked_at_ms: None,
    };
    db.store().link_card(&link).unwrap();
    let crl = RevocationList::new();
    let challenge = kiban_app::citizen::issue_challenge(db.conn(), now())
        .unwrap()
        .unwrap();
    let signature = issued
        .card
        .sign_challenge(&pin(), &challenge.message())
        .unwrap();
    let who = card_login(
        db.conn(),
        root.trust_root(),
        &crl,
        &challenge.id,
        &signature,
        now(),
    )
    .unwrap();
    assert_eq!(who, Ok(person()));
    let replay = card_login(
        db.conn(),
        root.trust_root(),
        &crl,
        &challenge.id,
        &signature,
        now(),
    )
    .unwrap();
    assert_eq!(replay.unwrap_err().code, "CHALLENGE_REJECTED");

    let foreign = authority()
        .issue_card(person().insured, &pin(), Validity::days_from(now(), 3650))
        .unwrap();
    let challenge = kiban_app::citizen::issue_challenge(db.conn(), now())
        .unwrap()
        .unwrap();
    let signature = foreign
        .card
        .sign_challenge(&pin(), &challenge.message())
        .unwrap();
    let r = card_login(
        db.conn(),
        root.trust_root(),
        &crl,
        &challenge.id,
        &signature,
        now(),
    )
    .unwrap();
    assert_eq!(
        r.unwrap_err().code,
        "CARD_REJECTED",
        "a card from another root"
    );

    let unlinked = root
        .issue_card(person().insured, &pin(), Validity::days_from(now(), 3650))
        .unwrap();
    let challenge = kiban_app::citizen::issue_challenge(db.conn(), now())
        .unwrap()
        .unwrap();
    let signature = unlinked
        .card
        .sign_challenge(&pin(), &challenge.message())
        .unwrap();
    let r = card_login(
        db.conn(),
        root.trust_root(),
        &crl,
        &challenge.id,
        &signature,
        now(),
    )
    .unwrap();
    assert_eq!(r.unwrap_err().code, "CARD_NOT_LINKED");
}

fn the_person_reads_who_looked_and_downloads_everything(db: &mut TestDb) {
    db.store()
        .put_office(&OfficeRow {
            office_number: kiban_domain::access::Party::Office(
                OfficeNumber::parse("1370000001").unwrap(),
            ),
            name: "さくら居宅介護支援事業所".into(),
            office_kind: kiban_domain::access::OfficeKind::from_code("home_care_support").unwrap(),
            service_kinds: vec![kiban_domain::codes::ServiceKind::from_code("43").unwrap()],
            active: true,
            created_at_ms: NOW,
        })
        .unwrap();
    let cm = Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse("1370000001").unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "cm01".into(),
    };
    enrol(
        db.conn(),
        &cm,
        person(),
        &ConsentMethod::Card,
        &[],
        None,
        Timestamp::from_millis(NOW),
    )
    .unwrap();
    read_summary(db.conn(), &cm, person(), Timestamp::from_millis(NOW + 1)).unwrap();
    let me = Caller {
        actor: Actor::Citizen { person: person() },
        account: "citizen".into(),
    };
    let Outcome::Allowed(lines) = access_history(
        db.conn(),
        &me,
        person(),
        None,
        10,
        Timestamp::from_millis(NOW + 2),
    )
    .unwrap() else {
        panic!("the person may read their own history")
    };
    assert_eq!(
        lines.len(),
        3,
        "enrolment, the office's read, and this very view"
    );
    assert_eq!(lines[1].who, "さくら居宅介護支援事業所");
    assert_eq!(lines[1].job, "介護支援専門員");
    assert!(lines[1].allowed);
    let Outcome::Allowed(data) =
        my_data(db.conn(), &me, person(), Timestamp::from_millis(NOW + 3)).unwrap()
    else {
        panic!("the person may download their data")
    };
    assert_eq!(data.consents.len(), 5);
    assert_eq!(data.records.len(), 5);
    let stranger = Caller {
        actor: Actor::Citizen {
            person: PersonRef {
                insured: InsuredNumber::parse("0000100002").unwrap(),
                ..person()
            },
        },
        account: "x".into(),
    };
    assert!(matches!(
        access_history(
            db.conn(),
            &stranger,
            person(),
            None,
            10,
            Timestamp::from_millis(NOW + 4)
        )
        .unwrap(),
        Outcome::Denied(_)
    ));
    let office = access_history(
        db.conn(),
        &cm,
        person(),
        None,
        10,
        Timestamp::from_millis(NOW + 5),
    )
    .unwrap();
    assert!(
        matches!(office, Outcome::Denied(ref d) if d.reason == "NOT_SELF"),
        "offices do not read the log"
    );
    assert_eq!(
        db.store().audit_head().unwrap().0,
        6,
        "every attempt audited, the refusals too"
    );
    let last = db
        .store()
        .audit_for_person("131011", "0000100001", None, 1)
        .unwrap();
    assert_eq!(
        (last[0].entry.decision, last[0].entry.reason.as_str()),
        (kiban_domain::audit::Decision::Deny, "NOT_SELF")
    );
}

on_both_engines!(
    card_login_finds_the_linked_person_once,
    the_person_reads_who_looked_and_downloads_everything
);
