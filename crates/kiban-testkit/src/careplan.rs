//! Relationships for care-plan tests and benchmarks: who serves whom with which consents,
//! written straight into the store (the enrolment use case is tested on its own; here the
//! relationships are the fixture, not the subject).

use kiban_domain::access::{ConsentCategory, ConsentMethod};
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_store::{ConsentRow, ServingRow, Store, StoreError};

/// One person served by one office, holding consents for `categories` (codes such as
/// "care_plan", "life").
pub struct Relation<'a> {
    pub insurer: &'a str,
    pub insured: &'a str,
    pub office: &'a str,
    pub categories: &'a [&'a str],
}

/// Writes the 担当関係 and the card consents of every relation in one transaction: serving
/// from `started_on` (YYYYMMDD), consents granted at `granted_at_ms`.
pub fn relate(
    store: &mut dyn Store,
    relations: &[Relation<'_>],
    started_on: &str,
    granted_at_ms: i64,
) -> Result<(), StoreError> {
    let started_on = Date::parse_yyyymmdd(started_on).expect("a YYYYMMDD day");
    store.begin()?;
    for r in relations {
        let insurer = InsurerNumber::parse_with(r.insurer, CheckDigitPolicy::Warn)
            .expect("a 保険者番号")
            .number;
        let insured = InsuredNumber::parse(r.insured).expect("a 被保険者番号");
        let office = OfficeNumber::parse(r.office).expect("a 事業所番号");
        store.start_serving(&ServingRow {
            id: 0,
            office_number: office,
            insurer,
            insured,
            started_on,
            ended_on: None,
            ended_by: None,
            last_service_on: None,
        })?;
        for category in r.categories {
            store.insert_consent(&ConsentRow {
                id: 0,
                office_number: office,
                insurer,
                insured,
                category: ConsentCategory::from_code(category).expect("a consent category"),
                granted_at_ms,
                method: ConsentMethod::Card,
                valid_until: None,
                revoked_at_ms: None,
            })?;
        }
    }
    store.commit()
}

/// Puts a 外字 (CP932 user-defined area, 0xF040) at the start of `column` (1-based) of the first
/// line of a CSV file: the character the exchange must refuse with its line and column.
pub fn insert_gaiji(bytes: &mut Vec<u8>, column: usize) {
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let start = if column <= 1 {
        0
    } else {
        bytes[..line_end]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b',')
            .nth(column - 2)
            .expect("the first line has that many columns")
            .0
            + 1
    };
    bytes.splice(start..start, [0xF0, 0x40]);
}

/// [`relate`] for (person, office) pairs, each with the same consents.
pub fn relate_pairs(
    store: &mut dyn Store,
    pairs: &[(
        kiban_domain::careplan::PlanPerson,
        kiban_domain::ids::OfficeNumber,
    )],
    categories: &[&str],
    started_on: &str,
    granted_at_ms: i64,
) -> Result<(), StoreError> {
    let owned: Vec<(String, String, String)> = pairs
        .iter()
        .map(|(p, o)| (p.insurer.to_string(), p.insured.to_string(), o.to_string()))
        .collect();
    let relations: Vec<Relation> = owned
        .iter()
        .map(|(insurer, insured, office)| Relation {
            insurer,
            insured,
            office,
            categories,
        })
        .collect();
    relate(store, &relations, started_on, granted_at_ms)
}

/// Synthetic documents of the official layout for tests: a plan (第1表–第3表) whose 第2表 names
/// one service office, its 補足, and a 利用票 with that office's visits.
pub mod documents {
    use kiban_domain::careplan::official::*;
    use kiban_domain::careplan::{
        CarePlan, PlanPerson, ServiceCode, ServiceUse, SheetHead, Supplement, YearMonth,
    };
    use kiban_domain::codes::{CareLevel, ServiceKind, Sex};
    use kiban_domain::date::Date;
    use kiban_domain::ids::OfficeNumber;

    fn plain(text: &str) -> Option<Plain> {
        Some(Plain::new(text))
    }

    fn postal(text: &str) -> Option<PostalCode> {
        <PostalCode as Field>::parse(text, Some(8)).ok()
    }

    /// A plan of `person` dated `date` by `care_office`, whose 第2表 names `helper` (訪問介護)
    /// and whose 第3表 has its two visits a week and the person's morning.
    pub fn plan(
        person: PlanPerson,
        date: Date,
        care_office: OfficeNumber,
        helper: (OfficeNumber, &str),
        intentions: &str,
    ) -> CarePlan {
        let vendor = plain(&care_office.to_string());
        let visit = |weekday| Plan3Record {
            written_on: date,
            plan_date: date,
            service_content: "訪問介護（調理の援助）".into(),
            weekday: Some(weekday),
            start: Hhmm::parse_text("0900"),
            end: Hhmm::parse_text("1000"),
            daily_activity: String::new(),
            activity_start: None,
            activity_end: None,
            non_weekly_service: String::new(),
        };
        CarePlan {
            version: CsvVersion::CURRENT,
            person,
            overview: Plan1Record {
                created_on: date,
                user_postal_code: postal("100-0001"),
                user_address1: "東京都千代田区千代田1-1".into(),
                user_address2: String::new(),
                planner_name: "介護 花子".into(),
                office_name: "さくら居宅介護支援事業所".into(),
                office_postal_code: postal("100-0001"),
                office_address1: "東京都千代田区千代田2-2".into(),
                office_address2: String::new(),
                office: care_office,
                plan_date: date,
                first_plan_date: date,
                category: Some(PlanCategory::First),
                certification_state: Some(CertificationState::Certified),
                certified_on: Date::parse_yyyymmdd("20260320").ok(),
                valid_from: Date::parse_yyyymmdd("20260401").ok(),
                valid_to: Date::parse_yyyymmdd("20270331").ok(),
                care_level: Some(CareLevel::Care2),
                intentions: intentions.into(),
                committee_opinion: "特になし".into(),
                policy: "自宅での生活を続けられるよう支援します".into(),
                living_aid_reason: None,
                living_aid_note: String::new(),
                vendor_code: vendor.clone(),
                identifier: None,
            },
            needs: vec![Plan2Record {
                written_on: date,
                plan_date: date,
                need_no: Some(Number::new(1)),
                need: "ひとりで調理ができない".into(),
                goal_no: Some(Number::new(1)),
                long_term_goal: "栄養のある食事をとれる".into(),
                short_term_goal: "週2回温かい食事をとれる".into(),
                long_term_period: "R8.4.1～R9.3.31".into(),
                short_term_period: "R8.4.1～R8.9.30".into(),
                service_no: Some(Number::new(1)),
                service_content: "調理の援助".into(),
                coverage: Some(InsuranceCoverage::Covered),
                service_type: ServiceKind::HomeVisitCare.label().into(),
                provider: Some(helper.0),
                provider_name: helper.1.into(),
                frequency: "週2回".into(),
                period: "R8.4.1～R8.9.30".into(),
                vendor_code: vendor,
                identifier: None,
            }],
            week: vec![
                visit(Weekday::Monday),
                visit(Weekday::Thursday),
                Plan3Record {
                    written_on: date,
                    plan_date: date,
                    service_content: String::new(),
                    weekday: None,
                    start: None,
                    end: None,
                    daily_activity: "起床・朝食".into(),
                    activity_start: Hhmm::parse_text("0700"),
                    activity_end: Hhmm::parse_text("0800"),
                    non_weekly_service: String::new(),
                },
            ],
        }
    }

    /// The 補足 sent with a plan (`plan_date`) or with a 利用票 (`month`), with the 要介護2 limit.
    pub fn supplement(
        person: PlanPerson,
        plan_date: Option<Date>,
        month: Option<YearMonth>,
    ) -> Supplement {
        let birth = Date::parse_yyyymmdd("19400105").expect("a date");
        let mut record = SupplementRecord::new(
            plan_date,
            month,
            "テスト　ハナコ",
            "テスト　花子",
            Sex::Female,
            birth,
        );
        record.care_level = Some(CareLevel::Care2);
        record.limit_units = Some(Number::new(19_705));
        record.limit_from = Date::parse_yyyymmdd("20260401").ok();
        record.limit_to = Date::parse_yyyymmdd("20270331").ok();
        record.kind1_service_kind = Some(ServiceKind::HomeVisitCare);
        record.kind1_limit_units = Some(Number::new(10_000));
        record.kind1_total_units = Some(Number::new(790));
        record.kind1_over_units = Some(Number::new(0));
        Supplement {
            version: CsvVersion::CURRENT,
            person,
            record,
        }
    }

    /// The 利用票 of `month` by `care_office`: 身体介護2 (111211, 395 units) from `helper` on the
    /// given days, with its 第7表 line, 種類別小計 and 全合計.
    pub fn service_use(
        person: PlanPerson,
        month: YearMonth,
        care_office: OfficeNumber,
        helper: (OfficeNumber, &str),
        days: &[u32],
    ) -> ServiceUse {
        let code = ServiceCode::parse("111211").expect("a service code");
        let head = SheetHead {
            created_on: month.first_day().add_days(-7),
            month,
            plan_office: Some(care_office),
            planner_name: "介護 花子",
            vendor: plain(&care_office.to_string()),
        };
        let at = |t| ServiceTime::At(Hhmm::parse_text(t).expect("a time"));
        let dates: Vec<Date> = days
            .iter()
            .map(|&d| month.first_day().add_days(i64::from(d) - 1))
            .collect();
        ServiceUse::one_service(
            person,
            &head,
            (code, 395),
            &dates,
            (at("0900"), at("1000")),
            helper,
            1_140,
        )
    }
}
