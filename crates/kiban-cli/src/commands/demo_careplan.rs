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
use kiban_domain::careplan::official::*;
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
                to: None,
            },
            Document::ServiceUse {
                usage,
                to: home_visit,
                supplement: Some(month_supplement(plan_person, this_month)),
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
            to: None,
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
    let vendor = Some(Plain::new(&office.to_string()));
    let need = |no: i64, need: &str, goal: &str, content: &str, frequency: &str| Plan2Record {
        written_on: date,
        plan_date: date,
        need_no: Some(Number::new(no)),
        need: need.into(),
        goal_no: Some(Number::new(1)),
        long_term_goal: goal.into(),
        short_term_goal: goal.into(),
        long_term_period: "6か月".into(),
        short_term_period: "3か月".into(),
        service_no: Some(Number::new(1)),
        service_content: content.into(),
        coverage: Some(InsuranceCoverage::Covered),
        service_type: ServiceKind::HomeVisitCare.label().into(),
        provider: Some(home_visit),
        provider_name: "ひまわり訪問介護ステーション".into(),
        frequency: frequency.into(),
        period: "3か月".into(),
        vendor_code: vendor.clone(),
        identifier: None,
    };
    let week = |weekday: Weekday| Plan3Record {
        written_on: date,
        plan_date: date,
        service_content: "訪問介護（入浴介助）".into(),
        weekday: Some(weekday),
        start: Hhmm::parse_text("1000"),
        end: Hhmm::parse_text("1100"),
        daily_activity: String::new(),
        activity_start: None,
        activity_end: None,
        non_weekly_service: String::new(),
    };
    let postal = |text: &str| <PostalCode as Field>::parse(text, Some(8)).ok();
    CarePlan {
        version: CsvVersion::CURRENT,
        person,
        overview: Plan1Record {
            created_on: date,
            user_postal_code: postal("100-0001"),
            user_address1: "東京都千代田区千代田1-1".into(),
            user_address2: String::new(),
            planner_name: "介護支援専門員 佐藤".into(),
            office_name: "さくら居宅介護支援事業所".into(),
            office_postal_code: postal("100-0002"),
            office_address1: "東京都千代田区皇居外苑2-2".into(),
            office_address2: String::new(),
            office,
            plan_date: date,
            first_plan_date: date,
            category: Some(PlanCategory::Continued),
            certification_state: Some(CertificationState::Certified),
            certified_on: Some(date),
            valid_from: Some(date),
            valid_to: Some(date.add_months(12).add_days(-1)),
            care_level: Some(CareLevel::Care2),
            intentions: intentions.into(),
            committee_opinion: "特になし".into(),
            policy: "自宅での入浴と食事の準備を支え、転倒を防ぐ".into(),
            living_aid_reason: Some(LivingAidReason::LivesAlone),
            living_aid_note: String::new(),
            vendor_code: vendor.clone(),
            identifier: None,
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
        week: vec![week(Weekday::Tuesday), week(Weekday::Friday)],
    }
}

fn service_use(
    person: PlanPerson,
    month: YearMonth,
    today: Date,
    care_office: OfficeNumber,
    home_visit: OfficeNumber,
) -> ServiceUse {
    let code = ServiceCode::parse("111211").expect("a 訪問介護 service code");
    let head = SheetHead {
        created_on: today,
        month,
        plan_office: Some(care_office),
        planner_name: "介護支援専門員 佐藤",
        vendor: Some(Plain::new(&care_office.to_string())),
    };
    let at = |t: &str| Hhmm::parse_text(t).map_or(ServiceTime::Untimed, ServiceTime::At);
    let name = "ひまわり訪問介護ステーション";
    let days: Vec<Date> = (1..=month.days())
        .filter(|d| d % 7 == 2 || d % 7 == 5)
        .map(|d| month.first_day().add_days(i64::from(d) - 1))
        .collect();
    ServiceUse::one_service(
        person,
        &head,
        (code, 395),
        &days,
        (at("1000"), at("1100")),
        (home_visit, name),
        1_140,
    )
}

/// The 利用者補足情報 of the month: the person and the 区分支給限度基準額.
fn month_supplement(person: PlanPerson, month: YearMonth) -> Supplement {
    let mut record = SupplementRecord::new(
        None,
        Some(month),
        "デモ　ハナコ",
        "デモ　花子",
        kiban_domain::codes::Sex::Female,
        Date::new(1940, 1, 5).expect("a date"),
    );
    record.care_level = Some(CareLevel::Care2);
    record.limit_units = Some(Number::new(19_705));
    record.limit_from = Some(month.first_day());
    record.limit_to = Some(month.last_day());
    Supplement {
        version: CsvVersion::CURRENT,
        person,
        record,
    }
}
