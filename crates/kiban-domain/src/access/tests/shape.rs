//! The table's layout, the codes, and the documentation kept in step with the code.

use super::super::matrix::{self, Grant, Row, MATRIX};
use super::super::*;
use super::d;

const DOC: &str = include_str!("../../../../../docs/access-policy.md");

fn doc_section(name: &str) -> &'static str {
    let begin = format!("<!-- BEGIN {name} -->");
    let end = format!("<!-- END {name} -->");
    let start = DOC
        .find(&begin)
        .unwrap_or_else(|| panic!("{begin} missing"))
        + begin.len();
    let stop = DOC.find(&end).unwrap_or_else(|| panic!("{end} missing"));
    DOC[start..stop].trim()
}

#[test]
fn the_documented_matrix_is_the_code_matrix() {
    let code = matrix::render_markdown();
    assert!(
        doc_section("access-matrix") == code.trim(),
        "docs/access-policy.md matrix differs from access::matrix::MATRIX; replace the section with:\n{code}"
    );
}

#[test]
fn the_documented_card_login_codes_are_the_code_codes() {
    let code = render_card_login_reasons_markdown();
    assert!(
        doc_section("card-login-reasons") == code.trim(),
        "docs/access-policy.md card-login table differs from access::CardLoginReason; replace the section with:\n{code}"
    );
}

/// Card-login codes sit in the same audit `reason` field as the decision reasons, so a reader
/// of the log must be able to tell them apart: no code is both.
#[test]
fn card_login_codes_are_denials_distinct_from_decision_reasons() {
    for r in CardLoginReason::ALL {
        assert!(!r.is_allow(), "{r:?}");
        assert_eq!(Reason::from_code(r.code()), None, "{r:?}");
        assert_eq!(CardLoginReason::from_code(r.code()), Some(*r));
        assert!(
            !r.message_ja().is_empty() && r.message_en().is_ascii(),
            "{r:?}"
        );
    }
    let mut codes: Vec<_> = CardLoginReason::ALL.iter().map(|r| r.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CardLoginReason::ALL.len());
}

#[test]
fn the_documented_reason_codes_are_the_code_reasons() {
    let code = render_reasons_markdown();
    assert!(
        doc_section("access-reasons") == code.trim(),
        "docs/access-policy.md reason table differs from access::Reason; replace the section with:\n{code}"
    );
}

/// The code tables of the docs, built from the enums so the docs cannot drift.
fn render_codes_markdown() -> String {
    let mut out = String::from("| Table | Code | 名称 |\n|---|---|---|\n");
    let mut table = |name: &str, rows: Vec<(&'static str, &'static str)>| {
        for (code, label) in rows {
            out.push_str(&format!("| {name} | `{code}` | {label} |\n"));
        }
    };
    table(
        "Category (情報区分)",
        Category::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect(),
    );
    table(
        "ConsentCategory (同意区分)",
        ConsentCategory::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect(),
    );
    table(
        "OfficeKind (事業所種別)",
        OfficeKind::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect(),
    );
    table(
        "Job (職種)",
        Job::ALL.iter().map(|v| (v.code(), v.label())).collect(),
    );
    table(
        "Purpose (利用目的)",
        Purpose::ALL.iter().map(|v| (v.code(), v.label())).collect(),
    );
    table(
        "Action (操作)",
        Action::ALL.iter().map(|v| (v.code(), v.label())).collect(),
    );
    table(
        "PaperReason (紙同意の理由)",
        PaperReason::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect(),
    );
    out
}

#[test]
fn the_documented_codes_are_the_code_tables() {
    let code = render_codes_markdown();
    assert!(
        doc_section("access-codes") == code.trim(),
        "docs/access-policy.md code table differs from the access enums; replace the section with:\n{code}"
    );
}

#[test]
fn matrix_rows_are_laid_out_in_index_order() {
    let mut rows = Vec::new();
    for &kind in OfficeKind::ALL {
        for &job in Job::ALL {
            rows.push(Row::Staff(kind, job));
        }
    }
    rows.extend(Purpose::ALL.iter().map(|&p| Row::Municipal(p)));
    rows.extend([Row::Citizen, Row::Operator]);
    assert_eq!(rows.len(), MATRIX.len());
    for (i, want) in rows.iter().enumerate() {
        assert_eq!(MATRIX[i].0, *want, "row {i}");
        assert_eq!(want.index(), i);
    }
}

#[test]
fn each_row_uses_only_the_grants_its_actor_can_hold() {
    for (row, cells) in &MATRIX {
        for (c, cell) in Category::ALL.iter().zip(cells) {
            let ok = |g: Grant| match row {
                Row::Staff(..) => matches!(
                    g,
                    Grant::No
                        | Grant::Consent
                        | Grant::ConsentOrApplication
                        | Grant::OpinionRequest
                ),
                Row::Municipal(_) => matches!(g, Grant::No | Grant::Duty),
                Row::Citizen => matches!(g, Grant::No | Grant::Own),
                Row::Operator => g == Grant::No,
            };
            assert!(ok(cell.read) && ok(cell.write), "{row:?} {c:?} {cell:?}");
            // The 意見書依頼 grant is for writing the 意見書 only; the application consent for
            // reading 要介護認定情報 only.
            assert_ne!(cell.read, Grant::OpinionRequest, "{row:?} {c:?}");
            if cell.read == Grant::ConsentOrApplication {
                assert_eq!(c.consent_category(), ConsentCategory::Certification);
            }
            assert_ne!(cell.write, Grant::ConsentOrApplication, "{row:?} {c:?}");
            if cell.write == Grant::OpinionRequest {
                assert_eq!(*c, Category::PhysicianOpinion);
            }
            // Nobody writes what they may not read.
            if cell.write != Grant::No {
                assert_ne!(cell.read, Grant::No, "{row:?} {c:?}");
            }
        }
        if let Row::Staff(..) = row {
            assert_eq!(
                cells[Category::Qualification.index()].read,
                Grant::Consent,
                "{row:?}"
            );
        }
    }
}

#[test]
fn codes_are_unique_stable_and_round_trip() {
    fn check<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        code: fn(T) -> &'static str,
        from: fn(&str) -> Option<T>,
        upper: bool,
    ) {
        let mut seen = std::collections::HashSet::new();
        for &v in all {
            let c = code(v);
            assert!(seen.insert(c), "duplicate code {c}");
            let shape_ok = c.chars().all(|ch| {
                ch == '_'
                    || (if upper {
                        ch.is_ascii_uppercase()
                    } else {
                        ch.is_ascii_lowercase()
                    })
            });
            assert!(
                shape_ok && !c.starts_with('_') && !c.ends_with('_'),
                "bad code {c}"
            );
            assert_eq!(from(c), Some(v));
        }
    }
    check(
        Category::ALL,
        Category::code,
        |s| Category::from_code(s).ok(),
        false,
    );
    check(
        ConsentCategory::ALL,
        ConsentCategory::code,
        |s| ConsentCategory::from_code(s).ok(),
        false,
    );
    check(
        OfficeKind::ALL,
        OfficeKind::code,
        |s| OfficeKind::from_code(s).ok(),
        false,
    );
    check(Job::ALL, Job::code, |s| Job::from_code(s).ok(), false);
    check(
        Purpose::ALL,
        Purpose::code,
        |s| Purpose::from_code(s).ok(),
        false,
    );
    check(
        Action::ALL,
        Action::code,
        |s| Action::from_code(s).ok(),
        false,
    );
    check(
        PaperReason::ALL,
        PaperReason::code,
        |s| PaperReason::from_code(s).ok(),
        false,
    );
    check(Reason::ALL, Reason::code, Reason::from_code, true);
    assert!(Job::from_code("doctor").is_err());
    for r in Reason::ALL {
        assert!(
            !r.message_ja().is_empty() && r.message_en().is_ascii(),
            "{r:?}"
        );
        assert_eq!(
            r.message(),
            format!("{} / {}", r.message_ja(), r.message_en())
        );
    }
}

#[test]
fn every_service_kind_has_a_row_group_consistent_with_its_category() {
    use crate::codes::ServiceKind;
    for &k in ServiceKind::ALL {
        match OfficeKind::from_service_kind(k) {
            Some(kind) => assert_eq!(
                kind == OfficeKind::CommunityBased,
                k.is_community_based(),
                "{k}"
            ),
            None => assert!(matches!(
                k,
                ServiceKind::HomeModification
                    | ServiceKind::PreventiveHomeModification
                    | ServiceKind::SpecifiedResidentCare
            )),
        }
        assert_ne!(
            OfficeKind::from_service_kind(k),
            Some(OfficeKind::MedicalInstitution)
        );
    }
    let of = |code| OfficeKind::from_service_kind(ServiceKind::from_code(code).unwrap());
    assert_eq!(of("43"), Some(OfficeKind::HomeCareSupport));
    assert_eq!(of("46"), Some(OfficeKind::PreventiveCareSupport));
    assert_eq!(of("AF"), Some(OfficeKind::PreventiveCareSupport));
    assert_eq!(of("51"), Some(OfficeKind::FacilityWelfare));
    assert_eq!(of("52"), Some(OfficeKind::FacilityHealth));
    assert_eq!(of("55"), Some(OfficeKind::FacilityMedical));
    assert_eq!(of("73"), Some(OfficeKind::CommunityBased));
    assert_eq!(of("13"), Some(OfficeKind::HomeService));
}

#[test]
fn timestamps_map_to_japanese_calendar_days() {
    let start = Timestamp::jst_start_of(d("20261016"));
    // 2026-10-16 00:00 JST is 2026-10-15 15:00 UTC.
    assert_eq!(
        start.as_millis(),
        (d("20261015").to_days() * 24 + 15) * 3_600_000
    );
    assert_eq!(start.jst_date(), d("20261016"));
    assert_eq!(start.plus_millis(-1).jst_date(), d("20261015"));
    let early = Timestamp::jst_start_of(d("19690101"));
    assert_eq!(early.jst_date(), d("19690101"));
}
