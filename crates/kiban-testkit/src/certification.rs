//! Valid 要介護認定 documents for tests and benchmarks: a complete 認定調査票 and the 一次判定 and
//! 審査会 results that fit it, so each test changes only what it is about.

use kiban_domain::certification::{
    ActMinutes, CommitteeResult, DementiaIndependence, Minutes, PhysicalIndependence, PlaceKind,
    PrimaryJudgment, Survey, SurveyPlace, Surveyor, ITEMS,
};
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;

/// A complete survey taken on `on`: every item answered "1" (ない / できる / 介助されていない),
/// so no 特別な医療.
pub fn survey(on: Date) -> Survey {
    Survey {
        surveyed_on: on,
        surveyor: Surveyor {
            name: "調査 一郎".into(),
            affiliation: "千代田区".into(),
        },
        place: SurveyPlace {
            kind: PlaceKind::AtHome,
            detail: String::new(),
        },
        current_services: Vec::new(),
        environment: "独居（合成データ）".into(),
        answers: ITEMS
            .iter()
            .map(|i| (i.code.to_string(), "1".to_string()))
            .collect(),
        physical_independence: PhysicalIndependence::A1,
        dementia_independence: DementiaIndependence::I,
        special_notes: Default::default(),
    }
}

/// A 一次判定 of 55.0 minutes (要介護2) without 特別な医療: fits [`survey`].
pub fn primary_judgment() -> PrimaryJudgment {
    let tenths = Minutes::from_tenths;
    PrimaryJudgment {
        acts: ActMinutes {
            meal: tenths(100),
            excretion: tenths(150),
            movement: tenths(100),
            hygiene: tenths(100),
            indirect: tenths(50),
            bpsd: tenths(0),
            functional_training: tenths(50),
            medical: tenths(0),
        },
        special_medical: tenths(0),
        total: tenths(550),
        level: CareLevel::Care2,
        dementia_addition: false,
    }
}

/// A 新規 certification at `level` decided on `applied_on`, valid from that day to the end of
/// the sixth full month after it.
pub fn committee_result(applied_on: Date, level: CareLevel) -> CommitteeResult {
    let (y, m) = (applied_on.year(), applied_on.month());
    let (ey, em) = if m + 7 > 12 {
        (y + 1, m + 7 - 12)
    } else {
        (y, m + 7)
    };
    let end = Date::new(ey, em, 1)
        .expect("the first of a month exists")
        .add_days(-1);
    CommitteeResult {
        committee_on: applied_on,
        level,
        valid_from: Some(applied_on),
        valid_to: Some(end),
        opinion: Some("特になし".into()),
        designated_services: Vec::new(),
    }
}

/// A 主治医意見書 body (docs/interface/certification.md), synthetic.
pub const OPINION: &str = r#"{"diagnoses":[{"name":"脳梗塞","onset":"20260901"}],"stability":"stable","special_medical":[],"independence":{"physical":"A1","dementia":"I"},"remarks":"合成データ"}"#;
