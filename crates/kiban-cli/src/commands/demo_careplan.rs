//! The demo's ケアプラン: a second demo person (0000100002, with a card of their own) under
//! contract with the demo care-plan office and the demo 訪問介護 office (paper consent at the
//! contract, witnessed by the care manager), an issued plan naming the 訪問介護 office, this
//! month's 利用票 sent to it, a draft of the next plan waiting for the person's 同意・確認, and
//! one LIFE sheet. Person 0000100001 is left without a contract so that the office's 資格確認
//! and consent screens start from the beginning. Everything goes through the same use cases as
//! the API, so it is decided and audited.

use kiban_app::access::{Caller, Outcome};
use kiban_app::careplan::{register, Document, Incoming, Registration};
use kiban_app::Connection;
use kiban_domain::access::{
    Actor, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::careplan::*;
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};

pub const PERSON: &str = "0000100002";
const CARE_OFFICE: &str = "1370000001";
const HOME_VISIT: &str = "1371000002";
/// The demo care office's latest drafts looked at to tell whether the demo ran before.
const DRAFTS_READ: i64 = 100;

fn parse<T>(r: Result<T, kiban_domain::ids::IdError>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e}"))
}

fn staff(office: OfficeNumber, kind: OfficeKind, job: Job, account: &str) -> Caller {
    Caller {
        actor: Actor::OfficeStaff { office, kind, job },
        account: account.into(),
    }
}

/// Seeds the demo care plans unless the demo care office has already sent the person's draft
/// (its list of drafts: a read decided and audited per listed person, and no one listed on the
/// first run).
pub fn seed(conn: &mut Connection, now_ms: i64) -> anyhow::Result<()> {
    let person = PersonRef {
        insurer: parse(InsurerNumber::parse("131011"))?,
        insured: parse(InsuredNumber::parse(PERSON))?,
    };
    let at = Timestamp::from_millis(now_ms);
    let care_office = parse(OfficeNumber::parse(CARE_OFFICE))?;
    let home_visit = parse(OfficeNumber::parse(HOME_VISIT))?;
    let cm = staff(
        care_office,
        OfficeKind::HomeCareSupport,
        Job::CareManager,
        "cm01",
    );
    let sent = kiban_app::careplan::drafts(conn, &cm, DRAFTS_READ, at)?;
    if sent.iter().any(|d| d.insured == person.insured) {
        return Ok(());
    }
    let hv = staff(home_visit, OfficeKind::HomeService, Job::CareWorker, "hv01");
    for (caller, witness) in [(&cm, "cm01"), (&hv, "hv01")] {
        let paper = ConsentMethod::Paper {
            reason: PaperReason::NoCard,
            witness: witness.into(),
        };
        allowed(kiban_app::qualification::enrol(
            conn,
            caller,
            person,
            &paper,
            &[],
            None,
            at,
        )?)?;
    }
    let today = at.jst_date();
    let this_month = YearMonth::of(today);
    let plan_person = PlanPerson {
        insurer: person.insurer,
        insured: person.insured,
    };
    let issued = plan(
        plan_person,
        this_month.first_day(),
        care_office,
        home_visit,
        "週2回の訪問で入浴を手伝ってほしい",
    );
    let usage = service_use(plan_person, this_month, today, care_office, home_visit);
    let incoming = Incoming {
        person,
        documents: vec![
            Document::Plan {
                plan: issued,
                supplement: None,
            },
            Document::ServiceUse {
                usage,
                to: home_visit,
                supplement: None,
            },
        ],
        source: "kiban demo".into(),
    };
    let report = register(conn, &cm, vec![incoming], Registration::Issue, at)?;
    anyhow::ensure!(
        report.persons_refused == 0,
        "the demo plan was refused: {:?}",
        report.issues
    );
    let next = plan(
        plan_person,
        this_month.plus(1).first_day(),
        care_office,
        home_visit,
        "通所も週1回試してみたい",
    );
    let draft = Incoming {
        person,
        documents: vec![Document::Plan {
            plan: next,
            supplement: None,
        }],
        source: "kiban demo".into(),
    };
    let report = register(conn, &cm, vec![draft], Registration::ForConfirmation, at)?;
    anyhow::ensure!(
        report.persons_refused == 0,
        "the demo draft was refused: {:?}",
        report.issues
    );
    let sheet = format!(
        r#"{{"period":"{}","office":"{HOME_VISIT}","service_kind":"11","measures":[{{"domain":"adl","item":"barthel_total","label":"Barthel Index 合計","value":"65","previous":"60","national_reference":"55","unit":"点"}},{{"domain":"nutrition","item":"bmi","label":"BMI","value":"20.4","unit":"kg/m²"}}]}}"#,
        this_month.plus(-1).yyyymm()
    );
    allowed(kiban_app::life::submit(conn, &hv, person, &sheet, at)?)?;
    Ok(())
}

fn allowed<T>(outcome: Outcome<T>) -> anyhow::Result<T> {
    match outcome {
        Outcome::Allowed(t) => Ok(t),
        Outcome::Denied(d) => anyhow::bail!("the demo care plan was refused: {}", d.reason),
    }
}

fn plan(
    person: PlanPerson,
    date: Date,
    office: OfficeNumber,
    home_visit: OfficeNumber,
    intentions: &str,
) -> CarePlan {
    let need = |no: u32, need: &str, goal: &str, content: &str, frequency: &str| NeedRow {
        written_on: date,
        need_no: no,
        need: need.into(),
        goal_no: 1,
        long_term_goal: goal.into(),
        short_term_goal: goal.into(),
        long_term_period: "6か月".into(),
        short_term_period: "3か月".into(),
        service_no: 1,
        service_content: content.into(),
        insured_service: true,
        service_kind: Some(ServiceKind::HomeVisitCare),
        provider: Some(home_visit),
        provider_name: "ひまわり訪問介護ステーション".into(),
        frequency: frequency.into(),
        period: "3か月".into(),
        vendor_code: "KIBAN".into(),
        line_id: format!("demo-{no}"),
    };
    CarePlan {
        person,
        plan_date: date,
        overview: PlanOverview {
            created_on: date,
            origin: PlanOrigin::Continued,
            certified: true,
            user_postal_code: "1000001".into(),
            user_address1: "東京都千代田区千代田1-1".into(),
            user_address2: String::new(),
            planner_name: "介護支援専門員 佐藤".into(),
            office,
            office_name: "さくら居宅介護支援事業所".into(),
            office_postal_code: "1000002".into(),
            office_address1: "東京都千代田区皇居外苑2-2".into(),
            office_address2: String::new(),
            first_plan_date: Some(date),
            certified_on: Some(date),
            valid_from: Some(date),
            valid_to: Some(date.add_months(12).add_days(-1)),
            care_level: Some(CareLevel::Care2),
            intentions: intentions.into(),
            committee_opinion: "特になし".into(),
            policy: "自宅での入浴と食事の準備を支え、転倒を防ぐ".into(),
            living_support_reason: Some(LivingSupportReason::LivesAlone),
            living_support_note: String::new(),
        },
        needs: vec![
            need(
                1,
                "一人で入浴するのが不安",
                "安心して入浴できる",
                "入浴介助",
                "週2回",
            ),
            need(
                2,
                "買い物と調理がむずかしい",
                "栄養のある食事をとれる",
                "生活援助（買い物・調理）",
                "週1回",
            ),
        ],
    }
}

fn service_use(
    person: PlanPerson,
    month: YearMonth,
    today: Date,
    care_office: OfficeNumber,
    home_visit: OfficeNumber,
) -> ServiceUse {
    let mut days = vec![0u8; 31];
    for d in (1..=month.days()).filter(|d| d % 7 == 2 || d % 7 == 5) {
        days[d as usize - 1] = 1;
    }
    let count: u32 = days.iter().map(|&d| u32::from(d)).sum();
    let code = ServiceCode::parse("111211").expect("a 訪問介護 service code");
    ServiceUse {
        person,
        month,
        header: ServiceUseHeader {
            created_on: today,
            care_office,
            care_level: CareLevel::Care2,
            changed_level: None,
            changed_on: None,
            limit_units: 19_705,
            limit_from: month.first_day(),
            limit_to: month.last_day(),
            short_stay_days_before: 0,
        },
        plan_rows: vec![ServiceUseRow {
            start: "1000".into(),
            end: "1100".into(),
            service_name: "身体介護2".into(),
            service_code: code.clone(),
            provider: home_visit,
            provider_name: "ひまわり訪問介護ステーション".into(),
            days,
        }],
        limit_rows: vec![LimitRow {
            provider: home_visit,
            provider_name: "ひまわり訪問介護ステーション".into(),
            service_name: "身体介護2".into(),
            service_code: code,
            units: 395,
            discount_rate: None,
            discounted_units: None,
            count,
            service_units: 395 * count,
            over_kind_limit: 0,
            within_kind_limit: 395 * count,
            over_level_limit: 0,
            within_level_limit: 395 * count,
            unit_price_centi_yen: 1_140,
            total_cost: u64::from(395 * count) * 1_140 / 100,
            benefit_rate: 90,
            insurance_paid: u64::from(395 * count) * 1_140 / 100 * 9 / 10,
            copay_insured: u64::from(395 * count) * 1_140 / 100
                - u64::from(395 * count) * 1_140 / 100 * 9 / 10,
            copay_full: 0,
        }],
    }
}
