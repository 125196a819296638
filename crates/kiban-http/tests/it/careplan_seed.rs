//! What the ケアプラン page tests seed through `kiban_app` rather than through pages: the
//! 訪問介護 office the plans name, the person's consent to both offices, plans and 利用票 of a
//! synthetic person, and their registration by the care manager.

use kiban_app::access::Caller;
use kiban_app::careplan::{self as plans, Document, Incoming, Registration};
use kiban_domain::access::{
    Actor, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::careplan::{
    CarePlan, NeedRow, PlanOrigin, PlanOverview, PlanPerson, ServiceCode, ServiceUse,
    ServiceUseHeader, ServiceUseRow, YearMonth,
};
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};

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
    let date = d(date);
    CarePlan {
        person: plan_person(n),
        plan_date: date,
        overview: PlanOverview {
            created_on: date,
            origin: PlanOrigin::First,
            certified: true,
            user_postal_code: "1000001".into(),
            user_address1: "東京都千代田区千代田1-1".into(),
            user_address2: String::new(),
            planner_name: "介護 花子".into(),
            office: OfficeNumber::parse(OFFICE).unwrap(),
            office_name: "さくら居宅介護支援事業所".into(),
            office_postal_code: "1000001".into(),
            office_address1: "東京都千代田区千代田2-2".into(),
            office_address2: String::new(),
            first_plan_date: Some(date),
            certified_on: Some(d("20260320")),
            valid_from: Some(d("20260401")),
            valid_to: Some(d("20270331")),
            care_level: Some(CareLevel::Care2),
            intentions: intentions.into(),
            committee_opinion: "特になし".into(),
            policy: "自宅での生活を続けられるよう支援します".into(),
            living_support_reason: None,
            living_support_note: String::new(),
        },
        needs: vec![NeedRow {
            written_on: date,
            need_no: 1,
            need: "ひとりで調理ができない".into(),
            goal_no: 1,
            long_term_goal: "栄養のある食事をとれる".into(),
            short_term_goal: "週2回温かい食事をとれる".into(),
            long_term_period: "R8.4.1～R9.3.31".into(),
            short_term_period: "R8.4.1～R8.9.30".into(),
            service_no: 1,
            service_content: "調理の援助".into(),
            insured_service: true,
            service_kind: Some(ServiceKind::HomeVisitCare),
            provider: Some(OfficeNumber::parse(HELPER).unwrap()),
            provider_name: HELPER_NAME.into(),
            frequency: "週2回".into(),
            period: "R8.4.1～R8.9.30".into(),
            vendor_code: String::new(),
            line_id: String::new(),
        }],
    }
}

/// The 利用票 of April 2026 for the 訪問介護 office: 身体介護 on the 1st and 8th.
fn service_use(n: u64) -> ServiceUse {
    let mut days = vec![0u8; 31];
    days[0] = 1;
    days[7] = 1;
    ServiceUse {
        person: plan_person(n),
        month: YearMonth::parse("202604").unwrap(),
        header: ServiceUseHeader {
            created_on: d("20260325"),
            care_office: OfficeNumber::parse(OFFICE).unwrap(),
            care_level: CareLevel::Care2,
            changed_level: None,
            changed_on: None,
            limit_units: 19_705,
            limit_from: d("20260401"),
            limit_to: d("20270331"),
            short_stay_days_before: 0,
        },
        plan_rows: vec![ServiceUseRow {
            start: "0900".into(),
            end: "1000".into(),
            service_name: "身体介護2".into(),
            service_code: ServiceCode::parse("111211").unwrap(),
            provider: OfficeNumber::parse(HELPER).unwrap(),
            provider_name: HELPER_NAME.into(),
            days,
        }],
        limit_rows: Vec::new(),
    }
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
    }
}

/// Registers (交付) the 利用票 of person `n` ([`service_use`]) for the 訪問介護 office.
pub fn register_service_use(fx: &mut Fixture, n: u64) {
    let usage = Document::ServiceUse {
        usage: service_use(n),
        to: OfficeNumber::parse(HELPER).unwrap(),
        supplement: None,
    };
    register(fx, n, vec![usage], Registration::Issue);
}
