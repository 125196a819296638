//! Ending a serving relationship closes the office's view at once: by the office, by the
//! person, or after a period without recorded service.

use kiban_app::access::{Caller, Outcome};
use kiban_app::qualification::{enrol, read_summary};
use kiban_app::serving::{end_inactive, end_serving};
use kiban_domain::access::{Actor, ConsentMethod, EndedBy, Job, OfficeKind, PersonRef, Timestamp};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_testkit::{on_both_engines, TestDb};

const NOW: i64 = 1_793_581_200_000;
const DAY: i64 = 86_400_000;

fn person() -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::parse("0000100001").unwrap(),
    }
}

fn cm() -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse("1370000001").unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "cm01".into(),
    }
}

fn reason<T>(o: Outcome<T>) -> &'static str {
    match o {
        Outcome::Allowed(_) => "ALLOWED",
        Outcome::Denied(d) => d.reason,
    }
}

fn ended_by_the_person_closes_the_view(db: &mut TestDb) {
    enrol(
        db.conn(),
        &cm(),
        person(),
        &ConsentMethod::Card,
        &[],
        None,
        Timestamp::from_millis(NOW),
    )
    .unwrap();
    assert_eq!(
        reason(read_summary(db.conn(), &cm(), person(), Timestamp::from_millis(NOW + 1)).unwrap()),
        "ALLOWED"
    );
    let me = Caller {
        actor: Actor::Citizen { person: person() },
        account: "citizen".into(),
    };
    assert_eq!(
        end_serving(
            db.conn(),
            &me,
            person(),
            "1370000001",
            Timestamp::from_millis(NOW + DAY)
        )
        .unwrap()
        .allowed(),
        Some(1)
    );
    let after = read_summary(
        db.conn(),
        &cm(),
        person(),
        Timestamp::from_millis(NOW + 2 * DAY),
    )
    .unwrap();
    assert_eq!(reason(after), "SERVING_ENDED");
    let rows = db
        .store()
        .serving("1370000001", "131011", "0000100001")
        .unwrap();
    assert_eq!(rows[0].ended_by.map(EndedBy::code), Some("person"));
}

fn another_office_cannot_end_it(db: &mut TestDb) {
    enrol(
        db.conn(),
        &cm(),
        person(),
        &ConsentMethod::Card,
        &[],
        None,
        Timestamp::from_millis(NOW),
    )
    .unwrap();
    let other = Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse("1370000002").unwrap(),
            kind: OfficeKind::HomeService,
            job: Job::CareWorker,
        },
        account: "x".into(),
    };
    assert_eq!(
        reason(
            end_serving(
                db.conn(),
                &other,
                person(),
                "1370000001",
                Timestamp::from_millis(NOW + 1)
            )
            .unwrap()
        ),
        "NOT_SELF"
    );
    assert!(db
        .store()
        .serving("1370000001", "131011", "0000100001")
        .unwrap()[0]
        .ended_on
        .is_none());
}

fn inactivity_ends_it_after_the_period(db: &mut TestDb) {
    enrol(
        db.conn(),
        &cm(),
        person(),
        &ConsentMethod::Card,
        &[],
        None,
        Timestamp::from_millis(NOW),
    )
    .unwrap();
    let today = Timestamp::from_millis(NOW).jst_date();
    assert_eq!(
        end_inactive(db.conn(), "1370000001", 90, today.add_days(90)).unwrap(),
        0,
        "not yet"
    );
    let id = db
        .store()
        .serving("1370000001", "131011", "0000100001")
        .unwrap()[0]
        .id;
    db.store().record_service(id, today.add_days(60)).unwrap();
    assert_eq!(
        end_inactive(db.conn(), "1370000001", 90, today.add_days(150)).unwrap(),
        0,
        "service on day 60 keeps it"
    );
    assert_eq!(
        end_inactive(db.conn(), "1370000001", 90, today.add_days(151)).unwrap(),
        1
    );
    let later = Timestamp::from_millis(NOW + 152 * DAY);
    assert_eq!(
        reason(read_summary(db.conn(), &cm(), person(), later).unwrap()),
        "SERVING_ENDED"
    );
}

on_both_engines!(
    ended_by_the_person_closes_the_view,
    another_office_cannot_end_it,
    inactivity_ends_it_after_the_period
);
