//! What the care-plan tests share: the numbers of one insurer's offices, providers and
//! corporations, and builders of a document, a service-month fact and its set, and the
//! registry of two corporations.

use crate::access::{insured, insurer, office_number};
use kiban_domain::careplan::{CorporationKey, DocKey, DocKind, DocStatus, YearMonth};
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::date::Date;
use kiban_domain::ids::{CorporationNumber, OfficeNumber};
use kiban_store::*;

pub(crate) const INSURER: &str = "131011";
pub(crate) const OTHER_INSURER: &str = "131029";
pub(crate) const PERSON: &str = "0000100001";
pub(crate) const CARE_OFFICE: &str = "1370000001";
pub(crate) const CARE_OFFICE_2: &str = "1370000002";
pub(crate) const PROVIDER_1: &str = "1370100001";
pub(crate) const PROVIDER_2: &str = "1370100002";
pub(crate) const UNREGISTERED: &str = "1370100003";
pub(crate) const PROVIDER_4: &str = "1370100004";
/// Two 法人番号 with valid check digits, the first before the second.
pub(crate) const CORPORATION_1: &str = "6100000000001";
pub(crate) const CORPORATION_2: &str = "9234567890123";

/// The typed values the rows hold, from the texts the tests write.
pub(crate) fn month(s: &str) -> YearMonth {
    YearMonth::parse(s).unwrap()
}
pub(crate) fn service_kind(s: &str) -> ServiceKind {
    ServiceKind::from_code(s).unwrap()
}
pub(crate) fn care_level(s: &str) -> CareLevel {
    CareLevel::from_code(s).unwrap()
}
pub(crate) fn corporation(s: &str) -> CorporationNumber {
    CorporationNumber::parse(s).unwrap()
}
pub(crate) fn corporation_key(s: &str) -> CorporationKey {
    CorporationKey::parse(s).unwrap()
}
/// A receiving office, the empty text for none.
pub(crate) fn receiver(s: &str) -> Option<OfficeNumber> {
    (!s.is_empty()).then(|| office_number(s))
}

/// A document of `kind` (its code), keyed by `doc_key` (YYYYMMDD for a plan, YYYYMM otherwise),
/// sent to `to_office` (empty for none).
pub(crate) fn document(
    kind: &str,
    insured_number: &str,
    doc_key: &str,
    to_office: &str,
) -> CarePlanDocRow {
    let kind = DocKind::from_code(kind).unwrap();
    CarePlanDocRow {
        id: 0,
        kind,
        insurer: insurer(INSURER),
        insured: insured(insured_number),
        doc_key: match kind {
            DocKind::Plan => DocKey::PlanDate(Date::parse_yyyymmdd(doc_key).unwrap()),
            _ => DocKey::Month(month(doc_key)),
        },
        from_office: office_number(CARE_OFFICE),
        to_office: receiver(to_office),
        status: DocStatus::Issued,
        body_json: format!(
            r#"{{"kind":"{}","key":"{doc_key}","長期目標":"自宅で暮らす"}}"#,
            kind.code()
        ),
        supplement_json: None,
        registered_at_ms: 1_780_000_000_000,
        registered_by: "office:1370000001".into(),
    }
}

/// One service-month fact sent to its provider.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fact(
    insurer_number: &str,
    insured_number: &str,
    yyyymm: &str,
    care_office: &str,
    kind: &str,
    provider: &str,
    level: &str,
) -> ServiceMonthRow {
    ServiceMonthRow {
        insurer: insurer(insurer_number),
        insured: insured(insured_number),
        month: month(yyyymm),
        care_office: office_number(care_office),
        to_office: office_number(provider),
        service_kind: service_kind(kind),
        provider_office: office_number(provider),
        care_level: care_level(level),
    }
}

pub(crate) fn set_of(rows: Vec<ServiceMonthRow>) -> ServiceMonthSet {
    let first = &rows[0];
    ServiceMonthSet {
        insurer: first.insurer,
        insured: first.insured,
        month: first.month,
        care_office: first.care_office,
        to_office: Some(first.to_office),
        rows,
    }
}

pub(crate) fn register_corporations(s: &mut dyn Store) {
    for (number, name) in [
        (CORPORATION_1, "社会福祉法人いろは会"),
        (CORPORATION_2, "株式会社ケア"),
    ] {
        s.put_corporation(&CorporationRow {
            corporation_number: corporation(number),
            name: name.into(),
            registered_at_ms: 1,
        })
        .unwrap();
    }
    for (office, corporation_number) in [
        (PROVIDER_1, CORPORATION_1),
        (PROVIDER_2, CORPORATION_1),
        (PROVIDER_4, CORPORATION_2),
    ] {
        s.put_corporation_office(&CorporationOfficeRow {
            office_number: office_number(office),
            corporation_number: corporation(corporation_number),
            office_name: format!("事業所{office}"),
        })
        .unwrap();
    }
}
