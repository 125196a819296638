//! What the ケアプラン page tests seed through `kiban_app` rather than through pages: the
//! 訪問介護 office the plans name, the person's consent to both offices, plans and 利用票 of a
//! synthetic person, and their registration by the care manager.

use kiban_app::access::Caller;
use kiban_app::careplan::{self as plans, Document, Incoming, Registration};
use kiban_domain::access::{
    Actor, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::careplan::{CarePlan, PlanPerson, ServiceUse, Supplement, YearMonth};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_testkit::careplan::documents;

use crate::support::{add_office, insured, now_ms, Fixture, INSURER, OFFICE};

/// The 訪問介護 office the plans name.
pub const HELPER: &str = "1370000101";
pub const HELPER_NAME: &str = "ひまわり訪問介護";

pub fn at() -> Timestamp {
    Timestamp::from_millis(now_ms())
}

pub fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

pub fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        insured: InsuredNumber::parse(&insured(n)).unwrap(),
    }
}

fn plan_person(n: u64) -> PlanPerson {
    let p = person(n);
    PlanPerson {
        insurer: p.insurer,
        insured: p.insured,
    }
}

fn office_caller(office: &str, kind: OfficeKind, account: &str) -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse(office).unwrap(),
            kind,
            job: Job::CareManager,
        },
        account: account.into(),
    }
}

pub fn care_manager() -> Caller {
    office_caller(OFFICE, OfficeKind::HomeCareSupport, "cm1")
}

/// Person `n` served by the care manager's office and the 訪問介護 office, consenting to every
/// category with both (a witnessed paper form).
pub fn seed(fx: &mut Fixture, n: u64) {
    add_office(fx, HELPER, HELPER_NAME, "home_service", &["11"]);
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("hv1", "office_staff", HELPER);
    for caller in [
        care_manager(),
        office_caller(HELPER, OfficeKind::HomeService, "hv1"),
    ] {
        let paper = ConsentMethod::Paper {
            reason: PaperReason::NoCard,
            witness: caller.account.clone(),
        };
        let done = fx.conn(|s| {
            kiban_app::qualification::enrol(s, &caller, person(n), &paper, &[], None, at()).unwrap()
        });
        assert!(matches!(done, kiban_app::access::Outcome::Allowed(_)));
    }
}

/// A plan of person `n` dated `date`, whose 第2表 names the 訪問介護 office.
pub fn plan(n: u64, date: &str, intentions: &str) -> CarePlan {
    documents::plan(
        plan_person(n),
        d(date),
        OfficeNumber::parse(OFFICE).unwrap(),
        (OfficeNumber::parse(HELPER).unwrap(), HELPER_NAME),
        intentions,
    )
}

/// The 補足 that goes with the plan of person `n` dated `date`.
pub fn plan_supplement(n: u64, date: &str) -> Supplement {
    documents::supplement(plan_person(n), Some(d(date)), None)
}

/// The 利用票 of April 2026 for the 訪問介護 office: 身体介護 on the 1st and 8th.
fn service_use(n: u64) -> ServiceUse {
    documents::service_use(
        plan_person(n),
        april(),
        OfficeNumber::parse(OFFICE).unwrap(),
        (OfficeNumber::parse(HELPER).unwrap(), HELPER_NAME),
        &[1, 8],
    )
}

fn april() -> YearMonth {
    YearMonth::parse("202604").unwrap()
}

/// Registers `documents` of person `n` as the care manager, through `kiban_app`.
pub fn register(fx: &mut Fixture, n: u64, documents: Vec<Document>, mode: Registration) {
    let who = Incoming {
        person: person(n),
        documents,
        source: "test".into(),
    };
    let report = fx.conn(|s| plans::register(s, &care_manager(), vec![who], mode, at()).unwrap());
    assert_eq!(report.persons_registered, 1, "{report:?}");
}

pub fn plan_doc(plan: CarePlan) -> Document {
    Document::Plan {
        plan,
        supplement: None,
        to: None,
    }
}

/// Registers (交付) the 利用票 of person `n` ([`service_use`]) for the 訪問介護 office.
pub fn register_service_use(fx: &mut Fixture, n: u64) {
    let usage = Document::ServiceUse {
        usage: service_use(n),
        to: OfficeNumber::parse(HELPER).unwrap(),
        supplement: Some(documents::supplement(plan_person(n), None, Some(april()))),
    };
    register(fx, n, vec![usage], Registration::Issue);
}
