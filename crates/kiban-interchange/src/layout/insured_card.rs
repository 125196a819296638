//! 被保険者証 layout: every item printed on the card, panels (一)–(三).

use super::{
    check_order, col, date_or_empty, Column, Fields, ADDRESS, COMMON, LIST, NAME, OPINION, SHORT,
};
use kiban_domain::codes::{CareLevel, ServiceKind, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use kiban_domain::records::{
    BenefitRestriction, CarePlanAuthor, CertificationOnCard, FacilityStay, InsuredCard, KindLimit,
    RestrictionKind,
};
use kiban_domain::{rules, text};

pub const COLUMNS: [Column; 34] = [
    COMMON[0],
    COMMON[1],
    COMMON[2],
    COMMON[3],
    COMMON[4],
    col("氏名", "name", NAME),
    col("フリガナ", "kana", NAME),
    col("生年月日", "birth_date", SHORT),
    col("性別", "sex", SHORT),
    col("郵便番号", "postal_code", SHORT),
    col("住所", "address", ADDRESS),
    col("交付年月日", "issued_on", SHORT),
    col("資格取得年月日", "qualified_on", SHORT),
    col("資格喪失年月日", "disqualified_on", SHORT),
    col("保険者名称", "insurer_name", NAME),
    col("要介護状態区分", "care_level", SHORT),
    col("認定年月日", "certified_on", SHORT),
    col("認定有効期間開始年月日", "certification_valid_from", SHORT),
    col("認定有効期間終了年月日", "certification_valid_to", SHORT),
    col("区分支給限度基準額", "monthly_limit_units", SHORT),
    col("種類支給限度基準額", "kind_limits", LIST),
    col("認定審査会意見", "committee_opinion", OPINION),
    col("指定サービス種類", "designated_services", LIST),
    col("給付制限区分", "restriction_kind", SHORT),
    col("給付制限開始年月日", "restriction_from", SHORT),
    col("給付制限終了年月日", "restriction_to", SHORT),
    col("居宅サービス計画作成区分", "care_plan_type", SHORT),
    col("居宅介護支援事業所番号", "care_plan_office_number", SHORT),
    col("居宅介護支援事業所名称", "care_plan_office_name", NAME),
    col("届出年月日", "care_plan_notified_on", SHORT),
    col("施設種類", "facility_kind", SHORT),
    col("施設名称", "facility_name", NAME),
    col("入所年月日", "admitted_on", SHORT),
    col("退所年月日", "discharged_on", SHORT),
];

/// Lists inside one field are separated by `;`; a kind limit is `code:units`.
const LIST_SEPARATOR: char = ';';

pub fn parse(f: &mut Fields, applies_from: Option<Date>) -> Option<InsuredCard> {
    let name = f.text(5, true);
    let kana = f.required(6, "KANA_INVALID", text::normalize_kana);
    let birth_date = f.date(7);
    let sex = f.required(8, "CODE_UNKNOWN", Sex::from_code);
    let postal_code = f.required(9, "POSTAL_CODE_INVALID", |s| {
        let s = text::normalize_digits(s).replace('-', "");
        if s.len() == 7 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s)
        } else {
            Err(format!(
                "郵便番号は7桁の数字です: {s:?} / postal code must be 7 digits: {s:?}"
            ))
        }
    });
    let address = f.text(10, true);
    let issued_on = f.date(11);
    let qualified_on = f.date(12);
    let disqualified_on = f.opt_date(13);
    let insurer_name = f.text(14, true);
    check_order(f, 12, birth_date, qualified_on);
    if let (Some(birth), Some(qualified)) = (birth_date, qualified_on) {
        // 第2号被保険者 (40–64) receive a card only once certified; nobody under 40 is insured.
        // Under the 年齢計算ニ関スル法律 a person reaches an age on the day before the birthday,
        // which is the legal 資格取得日, so the age is taken on the following day.
        let age = qualified.add_days(1).age_of(birth);
        if age < 40 {
            f.fail(
                12,
                "AGE_OUT_OF_RANGE",
                format!("資格取得時の年齢が40歳未満です（{age}歳）"),
                format!("age at qualification is under 40 ({age})"),
            );
        }
    }
    if let (Some(from), Some(Some(lost))) = (applies_from, disqualified_on) {
        check_order(f, 13, qualified_on.or(Some(from)), Some(lost));
    }
    let certification = parse_certification(f);
    let restriction = parse_restriction(f);
    let care_plan = parse_care_plan(f);
    let facility = parse_facility(f);
    Some(InsuredCard {
        name: name?,
        kana: kana?,
        birth_date: birth_date?,
        sex: sex?,
        postal_code: postal_code?,
        address: address?,
        issued_on: issued_on?,
        qualified_on: qualified_on?,
        disqualified_on: disqualified_on?,
        insurer_name: insurer_name?,
        certification: certification?,
        restriction: restriction?,
        care_plan: care_plan?,
        facility: facility?,
    })
}

/// `None` = an error was reported; `Some(None)` = the panel is legitimately empty.
fn parse_certification(f: &mut Fields) -> Option<Option<CertificationOnCard>> {
    let level = f.optional(15, "CODE_UNKNOWN", CareLevel::from_code)?;
    let Some(level) = level else {
        for i in 16..=22 {
            if !f.is_empty(i) {
                let c = f.columns[i];
                f.fail(
                    i,
                    "DEPENDS_ON_CARE_LEVEL",
                    format!("要介護状態区分がないのに{}があります", c.ja),
                    format!("{} is set without a care level", c.en),
                );
            }
        }
        return Some(None);
    };
    let certified_on = f.date(16);
    let valid_from = f.date(17);
    let valid_to = f.date(18);
    check_order(f, 18, valid_from, valid_to);
    let units = f.opt_amount(19);
    if let (Some(Some(units)), Some(statutory)) = (units, rules::monthly_limit_units(level)) {
        if units < statutory {
            f.fail(
                19,
                "LIMIT_BELOW_STATUTORY",
                format!(
                    "{}の区分支給限度基準額は{statutory}単位以上です: {units}",
                    level.label()
                ),
                format!(
                    "monthly limit for {} must be at least {statutory} units: {units}",
                    level.code()
                ),
            );
        }
    }
    let kind_limits = f.optional(20, "KIND_LIMITS_INVALID", parse_kind_limits)?;
    let opinion = f.text(21, false);
    let designated = f.optional(22, "CODE_UNKNOWN", parse_service_list)?;
    Some(Some(CertificationOnCard {
        level,
        certified_on: certified_on?,
        valid_from: valid_from?,
        valid_to: valid_to?,
        monthly_limit_units: units?,
        kind_limits: kind_limits.unwrap_or_default(),
        committee_opinion: opinion?,
        designated_services: designated.unwrap_or_default(),
    }))
}

fn parse_kind_limits(raw: &str) -> Result<Vec<KindLimit>, String> {
    raw.split(LIST_SEPARATOR)
        .map(|item| {
            let (code, units) = item.split_once(':').ok_or_else(|| {
                format!("「サービス種類:単位数」の形式ではありません: {item:?} / expected code:units: {item:?}")
            })?;
            let service = ServiceKind::from_code(code).map_err(|e| e.to_string())?;
            let units = units
                .parse::<u32>()
                .map_err(|_| format!("単位数が不正です: {units:?} / units must be a whole number: {units:?}"))?;
            Ok(KindLimit { service, units })
        })
        .collect()
}

fn parse_service_list(raw: &str) -> Result<Vec<ServiceKind>, String> {
    raw.split(LIST_SEPARATOR)
        .map(|c| ServiceKind::from_code(c).map_err(|e| e.to_string()))
        .collect()
}

fn parse_restriction(f: &mut Fields) -> Option<Option<BenefitRestriction>> {
    let kind = f.optional(23, "CODE_UNKNOWN", |s| {
        RestrictionKind::from_code(s).ok_or_else(|| {
            format!("給付制限区分は1/2/3です: {s:?} / restriction kind must be 1, 2 or 3: {s:?}")
        })
    })?;
    let Some(kind) = kind else { return Some(None) };
    let from = f.date(24);
    let to = f.opt_date(25);
    check_order(f, 25, from, to.flatten());
    Some(Some(BenefitRestriction {
        kind,
        from: from?,
        to: to?,
    }))
}

fn parse_care_plan(f: &mut Fields) -> Option<Option<CarePlanAuthor>> {
    match f.raw(26) {
        "" => Some(None),
        "1" => {
            let office = f.required(27, "OFFICE_INVALID", OfficeNumber::parse);
            let name = f.text(28, true);
            let notified_on = f.date(29);
            Some(Some(CarePlanAuthor::Office {
                office: office?,
                name: name?,
                notified_on: notified_on?,
            }))
        }
        "2" => {
            let notified_on = f.date(29);
            Some(Some(CarePlanAuthor::SelfMade {
                notified_on: notified_on?,
            }))
        }
        other => {
            let other = other.to_string();
            f.fail(
                26,
                "CODE_UNKNOWN",
                format!("居宅サービス計画作成区分は1/2です: {other:?}"),
                format!("care plan type must be 1 or 2: {other:?}"),
            );
            None
        }
    }
}

fn parse_facility(f: &mut Fields) -> Option<Option<FacilityStay>> {
    let kind = f.optional(30, "CODE_UNKNOWN", ServiceKind::from_code)?;
    let Some(kind) = kind else { return Some(None) };
    let name = f.text(31, true);
    let admitted_on = f.date(32);
    let discharged_on = f.opt_date(33);
    check_order(f, 33, admitted_on, discharged_on.flatten());
    Some(Some(FacilityStay {
        kind,
        name: name?,
        admitted_on: admitted_on?,
        discharged_on: discharged_on?,
    }))
}

pub fn format(c: &InsuredCard, out: &mut Vec<String>) {
    out.extend([
        c.name.clone(),
        c.kana.clone(),
        c.birth_date.yyyymmdd(),
        c.sex.code().to_string(),
        c.postal_code.clone(),
        c.address.clone(),
        c.issued_on.yyyymmdd(),
        c.qualified_on.yyyymmdd(),
        date_or_empty(c.disqualified_on),
        c.insurer_name.clone(),
    ]);
    match &c.certification {
        Some(cert) => out.extend([
            cert.level.code().to_string(),
            cert.certified_on.yyyymmdd(),
            cert.valid_from.yyyymmdd(),
            cert.valid_to.yyyymmdd(),
            cert.monthly_limit_units
                .map(|u| u.to_string())
                .unwrap_or_default(),
            join(
                cert.kind_limits
                    .iter()
                    .map(|k| format!("{}:{}", k.service.code(), k.units)),
            ),
            cert.committee_opinion.clone(),
            join(
                cert.designated_services
                    .iter()
                    .map(|s| s.code().to_string()),
            ),
        ]),
        None => out.extend(std::iter::repeat_with(String::new).take(8)),
    }
    match &c.restriction {
        Some(r) => out.extend([
            r.kind.code().to_string(),
            r.from.yyyymmdd(),
            date_or_empty(r.to),
        ]),
        None => out.extend(std::iter::repeat_with(String::new).take(3)),
    }
    match &c.care_plan {
        Some(CarePlanAuthor::Office {
            office,
            name,
            notified_on,
        }) => out.extend([
            "1".to_string(),
            office.to_string(),
            name.clone(),
            notified_on.yyyymmdd(),
        ]),
        Some(CarePlanAuthor::SelfMade { notified_on }) => out.extend([
            "2".to_string(),
            String::new(),
            String::new(),
            notified_on.yyyymmdd(),
        ]),
        None => out.extend(std::iter::repeat_with(String::new).take(4)),
    }
    match &c.facility {
        Some(s) => out.extend([
            s.kind.code().to_string(),
            s.name.clone(),
            s.admitted_on.yyyymmdd(),
            date_or_empty(s.discharged_on),
        ]),
        None => out.extend(std::iter::repeat_with(String::new).take(4)),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(&LIST_SEPARATOR.to_string())
}
