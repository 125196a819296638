//! What the care-plan tests share: the numbers of one insurer's offices, providers and
//! corporations, and builders of a document, a service-month fact and its set, and the
//! registry of two corporations.

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
pub(crate) const CORPORATION_1: &str = "1234567890123";
pub(crate) const CORPORATION_2: &str = "2234567890123";

pub(crate) fn document(
    kind: &str,
    insured: &str,
    doc_key: &str,
    to_office: &str,
) -> CarePlanDocRow {
    CarePlanDocRow {
        id: 0,
        kind: kind.into(),
        insurer: INSURER.into(),
        insured: insured.into(),
        doc_key: doc_key.into(),
        from_office: CARE_OFFICE.into(),
        to_office: to_office.into(),
        status: "issued".into(),
        body_json: format!(r#"{{"kind":"{kind}","key":"{doc_key}","長期目標":"自宅で暮らす"}}"#),
        supplement_json: None,
        registered_at_ms: 1_780_000_000_000,
        registered_by: "office:1370000001".into(),
    }
}

/// One service-month fact sent to its provider.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fact(
    insurer: &str,
    insured: &str,
    month: &str,
    care_office: &str,
    kind: &str,
    provider: &str,
    level: &str,
) -> ServiceMonthRow {
    ServiceMonthRow {
        insurer: insurer.into(),
        insured: insured.into(),
        month: month.into(),
        care_office: care_office.into(),
        to_office: provider.into(),
        service_kind: kind.into(),
        provider_office: provider.into(),
        care_level: level.into(),
    }
}

pub(crate) fn set_of(rows: Vec<ServiceMonthRow>) -> ServiceMonthSet {
    let first = &rows[0];
    ServiceMonthSet {
        insurer: first.insurer.clone(),
        insured: first.insured.clone(),
        month: first.month.clone(),
        care_office: first.care_office.clone(),
        to_office: first.to_office.clone(),
        rows,
    }
}

pub(crate) fn register_corporations(s: &mut dyn Store) {
    for (number, name) in [
        (CORPORATION_1, "社会福祉法人いろは会"),
        (CORPORATION_2, "株式会社ケア"),
    ] {
        s.put_corporation(&CorporationRow {
            corporation_number: number.into(),
            name: name.into(),
            registered_at_ms: 1,
        })
        .unwrap();
    }
    for (office, corporation) in [
        (PROVIDER_1, CORPORATION_1),
        (PROVIDER_2, CORPORATION_1),
        (PROVIDER_4, CORPORATION_2),
    ] {
        s.put_corporation_office(&CorporationOfficeRow {
            office_number: office.into(),
            corporation_number: corporation.into(),
            office_name: format!("事業所{office}"),
        })
        .unwrap();
    }
}
