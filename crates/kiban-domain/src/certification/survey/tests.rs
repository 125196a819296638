use super::*;

/// A complete, valid survey: every item answered "1" (ない / できる / 介助されていない …).
pub(crate) fn sample() -> Survey {
    Survey {
        surveyed_on: Date::parse_yyyymmdd("20260410").unwrap(),
        surveyor: Surveyor {
            name: "調査 花子".into(),
            affiliation: "○○市介護保険課".into(),
        },
        place: SurveyPlace {
            kind: PlaceKind::AtHome,
            detail: String::new(),
        },
        current_services: vec![ServiceUse {
            kind: ServiceKind::from_code("11").unwrap(),
            times_per_month: 8,
        }],
        environment: "長女と同居。日中独居。".into(),
        answers: ITEMS
            .iter()
            .map(|i| (i.code.to_string(), "1".to_string()))
            .collect(),
        physical_independence: PhysicalIndependence::J2,
        dementia_independence: DementiaIndependence::I,
        special_notes: BTreeMap::from([("2-3".to_string(), "むせ込みあり".to_string())]),
    }
}

#[test]
fn a_complete_survey_passes() {
    assert_eq!(validate(&sample()), Ok(()));
}

#[test]
fn a_missing_answer_is_reported_with_its_item_code() {
    let mut s = sample();
    s.answers.remove("1-1-3");
    let errors = validate(&s).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        errors[0],
        SurveyError::Missing { item: "1-1-3", .. }
    ));
    let msg = errors[0].to_string();
    assert!(
        msg.contains("1-1-3") && msg.contains("1 ない, 2 ある"),
        "{msg}"
    );
}

#[test]
fn an_out_of_range_answer_is_reported_with_the_allowed_answers() {
    let mut s = sample();
    s.answers.insert("2-3".into(), "4".into());
    let errors = validate(&s).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item(), "2-3");
    let msg = errors[0].to_string();
    assert!(msg.contains("えん下") && msg.contains("\"4\""), "{msg}");
    assert!(msg.contains("1 できる, 2 見守り等, 3 できない"), "{msg}");
}

#[test]
fn an_unknown_item_is_reported() {
    let mut s = sample();
    s.answers.insert("1-1".into(), "1".into());
    let errors = validate(&s).unwrap_err();
    assert_eq!(
        errors,
        vec![SurveyError::UnknownItem { item: "1-1".into() }]
    );
    assert!(errors[0].to_string().contains("1-1"));
}

#[test]
fn a_note_on_an_unknown_item_is_reported() {
    let mut s = sample();
    s.special_notes.insert("7-1".into(), "メモ".into());
    let errors = validate(&s).unwrap_err();
    assert_eq!(
        errors,
        vec![SurveyError::UnknownNoteItem { item: "7-1".into() }]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = sample();
    s.answers.remove("1-1-1");
    s.answers.remove("6-12");
    s.answers.insert("2-3".into(), "4".into());
    s.answers.insert("3-10".into(), "1".into());
    s.special_notes.insert("x".into(), String::new());
    let items: Vec<String> = validate(&s)
        .unwrap_err()
        .iter()
        .map(|e| e.item().to_string())
        .collect();
    assert_eq!(items, ["1-1-1", "6-12", "2-3", "3-10", "x"]);
}

#[test]
fn special_medical_present_lists_items_answered_aru() {
    let mut s = sample();
    s.answers.insert("6-1".into(), "2".into());
    s.answers.insert("6-12".into(), "2".into());
    s.answers.insert("1-1-1".into(), "2".into());
    assert_eq!(
        s.special_medical_present().collect::<Vec<_>>(),
        ["6-1", "6-12"]
    );
}
