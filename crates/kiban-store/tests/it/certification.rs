//! The 要介護認定 workflow storage on both engines: every row reads back exactly as written,
//! updates touch only the progress fields, the overdue and care-manager lists filter and order
//! as documented, 意見書 versions are appended once each, the one-per-application rows are
//! replaced, and a rolled-back transaction leaves nothing.

use crate::access::{day, office_number};
use kiban_domain::certification::{Applicant, ApplicationKind, Status, StepKind};
use kiban_domain::ids::MedicalInstitutionCode;
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

const INSURER: &str = "131011";
const PERSON: &str = "0000100001";
const CARE_MANAGER: &str = "1370000001";
const TERMINAL: &[&str] = &["certified", "withdrawn", "rejected"];

pub(crate) fn application(
    insured: &str,
    applied_on: &str,
    status: &str,
    due_on: &str,
) -> ApplicationRow {
    ApplicationRow {
        id: 0,
        insurer: crate::access::insurer(INSURER),
        insured: crate::access::insured(insured),
        kind: ApplicationKind::New,
        applicant: Applicant::Person,
        proxy_office: None,
        applied_on: crate::access::day(applied_on),
        share_with_care_manager: false,
        care_manager_office: None,
        progress_json: r#"{"step":"received"}"#.into(),
        status: Status::from_code(status).unwrap(),
        due_on: day(due_on),
        extension_json: None,
        created_at_ms: 1_780_000_000_000,
        updated_at_ms: 1_780_000_000_000,
    }
}

/// An application with every optional field set.
fn full_application() -> ApplicationRow {
    ApplicationRow {
        kind: ApplicationKind::Renewal,
        applicant: Applicant::Office,
        proxy_office: Some(office_number("1370000002")),
        share_with_care_manager: true,
        care_manager_office: Some(office_number(CARE_MANAGER)),
        progress_json: r#"{"step":"surveyed","survey":{"on":"20260410"}}"#.into(),
        extension_json: Some(
            r#"{"reason":"入院中","noticed_on":"20260420","due_on":"20260520"}"#.into(),
        ),
        updated_at_ms: 1_780_000_500_000,
        ..application(PERSON, "20260401", "requested", "20260501")
    }
}

fn event(application_id: i64, at_ms: i64, event: &str, status_after: &str) -> ApplicationEventRow {
    ApplicationEventRow {
        id: 0,
        application_id,
        at_ms,
        actor: "clerk-1".into(),
        event: StepKind::from_code(event).unwrap(),
        status_after: Status::from_code(status_after).unwrap(),
        detail_json: format!(r#"{{"event":"{event}"}}"#),
    }
}

fn opinion(application_id: i64, version: i64) -> OpinionRow {
    OpinionRow {
        id: 0,
        application_id,
        institution_code: MedicalInstitutionCode::parse("1310000001").unwrap(),
        physician: "主治医　太郎".into(),
        version,
        body_json: format!(r#"{{"version":{version},"diagnosis":"脳梗塞"}}"#),
        signature: format!("c2lnbmF0dXJl{version}"),
        cert_fingerprint: "ab".repeat(32),
        submitted_at_ms: 1_780_000_100_000 + version,
    }
}

fn ids(rows: &[ApplicationRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

fn every_row_kind_reads_back_as_written(db: &mut TestDb) {
    let s = db.store();
    assert_eq!(s.application(1).unwrap(), None);

    let mut full = full_application();
    full.id = s.insert_application(&full).unwrap();
    assert_eq!(s.application(full.id).unwrap(), Some(full.clone()));
    let mut bare = application(PERSON, "20260301", "received", "20260331");
    bare.id = s.insert_application(&bare).unwrap();
    assert_ne!(bare.id, full.id);
    assert_eq!(s.application(bare.id).unwrap(), Some(bare.clone()));

    let mut e = event(full.id, 10, "file", "received");
    e.id = s.append_application_event(&e).unwrap();
    assert_eq!(s.application_events(full.id).unwrap(), vec![e]);

    let survey = SurveyRow {
        application_id: full.id,
        surveyed_on: day("20260410"),
        surveyor: "surveyor-1".into(),
        body_json: r#"{"items":{"1-1":"1"},"特記事項":"なし"}"#.into(),
        submitted_at_ms: 20,
    };
    s.put_survey(&survey).unwrap();
    assert_eq!(s.survey(full.id).unwrap(), Some(survey));

    let mut o = opinion(full.id, 1);
    o.id = s.insert_opinion(&o).unwrap();
    assert_eq!(s.opinions(full.id).unwrap(), vec![o]);

    let primary = PrimaryJudgmentRow {
        application_id: full.id,
        body_json: r#"{"level":"care_2","minutes":61.5}"#.into(),
        recorded_at_ms: 30,
        recorded_by: "clerk-2".into(),
    };
    s.put_primary_judgment(&primary).unwrap();
    assert_eq!(s.primary_judgment(full.id).unwrap(), Some(primary));

    let decided = CommitteeRow {
        application_id: full.id,
        committee_on: day("20260515"),
        result_json: Some(r#"{"level":"care_3","valid_months":12}"#.into()),
        decided_at_ms: Some(40),
    };
    s.put_committee(&decided).unwrap();
    assert_eq!(s.committee(full.id).unwrap(), Some(decided));
    let scheduled = CommitteeRow {
        application_id: bare.id,
        committee_on: day("20260330"),
        result_json: None,
        decided_at_ms: None,
    };
    s.put_committee(&scheduled).unwrap();
    assert_eq!(s.committee(bare.id).unwrap(), Some(scheduled));

    // Nothing leaks to the other application.
    assert!(s.application_events(bare.id).unwrap().is_empty());
    assert_eq!(s.survey(bare.id).unwrap(), None);
    assert!(s.opinions(bare.id).unwrap().is_empty());
    assert_eq!(s.primary_judgment(bare.id).unwrap(), None);
}

fn applications_of_one_person_newest_first(db: &mut TestDb) {
    let s = db.store();
    let april = s
        .insert_application(&application(PERSON, "20260401", "received", "20260501"))
        .unwrap();
    // Entered later, applied earlier (a paper application keyed in late).
    let march = s
        .insert_application(&application(PERSON, "20260301", "certified", "20260331"))
        .unwrap();
    let april_again = s
        .insert_application(&application(PERSON, "20260401", "received", "20260501"))
        .unwrap();
    s.insert_application(&application(
        "0000100002",
        "20260501",
        "received",
        "20260531",
    ))
    .unwrap();
    let mut other_insurer = application(PERSON, "20260501", "received", "20260531");
    other_insurer.insurer = crate::access::insurer("131029");
    s.insert_application(&other_insurer).unwrap();

    let listed = s.applications_of(INSURER, PERSON).unwrap();
    assert_eq!(ids(&listed), vec![april_again, april, march]);
    assert!(s.applications_of(INSURER, "0000100009").unwrap().is_empty());
}

fn update_application_changes_progress_only_and_refuses_unknown_ids(db: &mut TestDb) {
    let s = db.store();
    let mut row = application(PERSON, "20260401", "received", "20260501");
    row.id = s.insert_application(&row).unwrap();
    let original = row.clone();

    let mut next = row.clone();
    next.progress_json = r#"{"step":"extended"}"#.into();
    next.status = Status::Requested;
    next.due_on = day("20260601");
    next.extension_json = Some(r#"{"reason":"調査日程","due_on":"20260601"}"#.into());
    next.care_manager_office = Some(office_number(CARE_MANAGER));
    next.updated_at_ms = original.updated_at_ms + 1_000;
    // Fields that are fixed at insert: an update must not move them.
    next.insured = crate::access::insured("0000100099");
    next.kind = ApplicationKind::LevelChange;
    next.applicant = Applicant::Family;
    next.proxy_office = Some(office_number("1370000003"));
    next.applied_on = crate::access::day("20260102");
    next.share_with_care_manager = true;
    next.created_at_ms = 1;
    s.update_application(&next).unwrap();

    let expected = ApplicationRow {
        progress_json: next.progress_json.clone(),
        status: next.status,
        due_on: next.due_on,
        extension_json: next.extension_json.clone(),
        care_manager_office: next.care_manager_office,
        updated_at_ms: next.updated_at_ms,
        ..original.clone()
    };
    assert_eq!(s.application(row.id).unwrap(), Some(expected.clone()));

    // Optional fields can be cleared again.
    let mut cleared = expected.clone();
    cleared.extension_json = None;
    cleared.care_manager_office = None;
    s.update_application(&cleared).unwrap();
    assert_eq!(s.application(row.id).unwrap(), Some(cleared.clone()));

    // An unknown id is a conflict, and inside a transaction the transaction stays usable.
    s.begin().unwrap();
    let mut unknown = cleared.clone();
    unknown.id = row.id + 1_000;
    let err = s.update_application(&unknown).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(
        s.application(unknown.id).unwrap(),
        None,
        "nothing was created"
    );
    s.update_application(&expected).unwrap();
    s.commit().unwrap();
    assert_eq!(s.application(row.id).unwrap(), Some(expected));
}

fn events_come_back_oldest_first(db: &mut TestDb) {
    let s = db.store();
    let a = s
        .insert_application(&application(PERSON, "20260401", "received", "20260501"))
        .unwrap();
    let b = s
        .insert_application(&application(
            "0000100002",
            "20260401",
            "received",
            "20260501",
        ))
        .unwrap();
    let steps = [
        ("file", "received"),
        ("request_survey", "requested"),
        ("request_opinion", "requested"),
        ("complete_survey", "survey_done"),
        ("receive_opinion", "materials_complete"),
        ("record_primary_judgment", "primary_judged"),
        ("certify", "certified"),
    ];
    let mut written = Vec::new();
    for (n, (name, after)) in steps.iter().enumerate() {
        // Interleaved with another application's events.
        s.append_application_event(&event(b, n as i64, "extend_deadline", "received"))
            .unwrap();
        // Equal times are kept in the order appended.
        let mut e = event(a, 100 + (n as i64 / 2), name, after);
        e.id = s.append_application_event(&e).unwrap();
        written.push(e);
    }
    assert_eq!(s.application_events(a).unwrap(), written);
    assert_eq!(s.application_events(b).unwrap().len(), steps.len());
    assert!(s.application_events(b + 1_000).unwrap().is_empty());
}

fn overdue_lists_open_applications_past_due_oldest_due_first(db: &mut TestDb) {
    let s = db.store();
    let today = "20260515";
    let late = s
        .insert_application(&application(PERSON, "20260410", "requested", "20260510"))
        .unwrap();
    let later_applied_earlier_due = s
        .insert_application(&application(
            "0000100002",
            "20260401",
            "survey_done",
            "20260501",
        ))
        .unwrap();
    let just_late = s
        .insert_application(&application(
            "0000100003",
            "20260414",
            "received",
            "20260514",
        ))
        .unwrap();
    // Due today: not overdue yet.
    s.insert_application(&application("0000100004", "20260415", "received", today))
        .unwrap();
    // Not yet due.
    s.insert_application(&application(
        "0000100005",
        "20260420",
        "received",
        "20260520",
    ))
    .unwrap();
    // Past due but finished.
    s.insert_application(&application(
        "0000100006",
        "20260301",
        "certified",
        "20260331",
    ))
    .unwrap();
    s.insert_application(&application(
        "0000100007",
        "20260301",
        "withdrawn",
        "20260331",
    ))
    .unwrap();
    // Past due, another insurer.
    let mut elsewhere = application("0000100008", "20260301", "received", "20260331");
    elsewhere.insurer = crate::access::insurer("131029");
    s.insert_application(&elsewhere).unwrap();
    // Same due day as `late`: the older id first.
    let same_day = s
        .insert_application(&application(
            "0000100009",
            "20260411",
            "requested",
            "20260510",
        ))
        .unwrap();

    let overdue = s.overdue_applications(INSURER, today, TERMINAL).unwrap();
    assert_eq!(
        ids(&overdue),
        vec![later_applied_earlier_due, late, same_day, just_late]
    );
    assert_eq!(overdue[0], {
        let mut a = application("0000100002", "20260401", "survey_done", "20260501");
        a.id = later_applied_earlier_due;
        a
    });

    // The boundary moves with the day.
    assert_eq!(
        ids(&s
            .overdue_applications(INSURER, "20260514", TERMINAL)
            .unwrap()),
        vec![later_applied_earlier_due, late, same_day]
    );
    assert_eq!(
        s.overdue_applications(INSURER, "20260516", TERMINAL)
            .unwrap()
            .len(),
        5,
        "due on the 15th is overdue on the 16th"
    );
    // Without terminal statuses the finished ones count too.
    assert_eq!(
        s.overdue_applications(INSURER, today, &[]).unwrap().len(),
        6
    );
    assert!(s
        .overdue_applications("131037", today, TERMINAL)
        .unwrap()
        .is_empty());
}

fn care_manager_list_shows_open_applications_of_the_office_newest_first(db: &mut TestDb) {
    let s = db.store();
    let with_office = |insured: &str, applied_on: &str, status: &str, office: Option<&str>| {
        let mut a = application(insured, applied_on, status, "20260601");
        a.care_manager_office = office.map(office_number);
        a.share_with_care_manager = true;
        a
    };
    let older = s
        .insert_application(&with_office(
            PERSON,
            "20260401",
            "requested",
            Some(CARE_MANAGER),
        ))
        .unwrap();
    let newer = s
        .insert_application(&with_office(
            "0000100002",
            "20260420",
            "received",
            Some(CARE_MANAGER),
        ))
        .unwrap();
    s.insert_application(&with_office(
        "0000100003",
        "20260425",
        "certified",
        Some(CARE_MANAGER),
    ))
    .unwrap();
    s.insert_application(&with_office(
        "0000100004",
        "20260425",
        "received",
        Some("1370000002"),
    ))
    .unwrap();
    let unassigned = s
        .insert_application(&with_office("0000100005", "20260425", "received", None))
        .unwrap();

    let listed = s
        .applications_for_care_manager(CARE_MANAGER, TERMINAL)
        .unwrap();
    assert_eq!(ids(&listed), vec![newer, older]);
    assert_eq!(
        listed[1]
            .care_manager_office
            .map(|o| o.to_string())
            .as_deref(),
        Some(CARE_MANAGER)
    );
    assert_eq!(
        s.applications_for_care_manager(CARE_MANAGER, &[])
            .unwrap()
            .len(),
        3
    );
    assert!(s
        .applications_for_care_manager("1370000099", TERMINAL)
        .unwrap()
        .is_empty());

    // A 計画作成依頼届出 recorded later puts the application on the list.
    let mut assigned = s.application(unassigned).unwrap().unwrap();
    assigned.care_manager_office = Some(office_number(CARE_MANAGER));
    s.update_application(&assigned).unwrap();
    assert_eq!(
        ids(&s
            .applications_for_care_manager(CARE_MANAGER, TERMINAL)
            .unwrap()),
        vec![unassigned, newer, older]
    );
    // Reaching a terminal status takes it off.
    assigned.status = Status::Certified;
    s.update_application(&assigned).unwrap();
    assert_eq!(
        ids(&s
            .applications_for_care_manager(CARE_MANAGER, TERMINAL)
            .unwrap()),
        vec![newer, older]
    );
}

fn opinion_versions_are_appended_once_each(db: &mut TestDb) {
    let s = db.store();
    let a = s
        .insert_application(&application(PERSON, "20260401", "survey_done", "20260501"))
        .unwrap();
    let b = s
        .insert_application(&application(
            "0000100002",
            "20260401",
            "survey_done",
            "20260501",
        ))
        .unwrap();
    let mut first = opinion(a, 1);
    first.id = s.insert_opinion(&first).unwrap();
    // The same version number on another application is no duplicate.
    let mut other = opinion(b, 1);
    other.id = s.insert_opinion(&other).unwrap();

    // A duplicate inside a transaction is refused, and the transaction stays usable.
    s.begin().unwrap();
    let mut again = opinion(a, 1);
    again.body_json = r#"{"rewritten":true}"#.into();
    let err = s.insert_opinion(&again).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let mut second = opinion(a, 2);
    second.id = s.insert_opinion(&second).unwrap();
    s.commit().unwrap();

    let mut third = opinion(a, 3);
    third.physician = "主治医　次郎".into();
    third.id = s.insert_opinion(&third).unwrap();
    assert_eq!(
        s.opinions(a).unwrap(),
        vec![first.clone(), second, third],
        "every version, oldest first, the first one untouched"
    );
    assert_eq!(s.opinions(b).unwrap(), vec![other]);
    assert!(matches!(
        s.insert_opinion(&opinion(a, 1)),
        Err(StoreError::Conflict(_))
    ));
}

fn survey_primary_and_committee_are_replaced(db: &mut TestDb) {
    let s = db.store();
    let a = s
        .insert_application(&application(PERSON, "20260401", "requested", "20260501"))
        .unwrap();

    let mut survey = SurveyRow {
        application_id: a,
        surveyed_on: day("20260410"),
        surveyor: "surveyor-1".into(),
        body_json: r#"{"v":1}"#.into(),
        submitted_at_ms: 1,
    };
    s.put_survey(&survey).unwrap();
    survey.surveyed_on = day("20260412");
    survey.surveyor = "surveyor-2".into();
    survey.body_json = r#"{"v":2}"#.into();
    survey.submitted_at_ms = 2;
    s.put_survey(&survey).unwrap();
    assert_eq!(s.survey(a).unwrap(), Some(survey));

    let mut primary = PrimaryJudgmentRow {
        application_id: a,
        body_json: r#"{"level":"support_2"}"#.into(),
        recorded_at_ms: 3,
        recorded_by: "clerk-1".into(),
    };
    s.put_primary_judgment(&primary).unwrap();
    primary.body_json = r#"{"level":"care_1"}"#.into();
    primary.recorded_at_ms = 4;
    primary.recorded_by = "clerk-2".into();
    s.put_primary_judgment(&primary).unwrap();
    assert_eq!(s.primary_judgment(a).unwrap(), Some(primary));

    let scheduled = CommitteeRow {
        application_id: a,
        committee_on: day("20260515"),
        result_json: None,
        decided_at_ms: None,
    };
    s.put_committee(&scheduled).unwrap();
    let rescheduled = CommitteeRow {
        committee_on: day("20260522"),
        ..scheduled.clone()
    };
    s.put_committee(&rescheduled).unwrap();
    assert_eq!(s.committee(a).unwrap(), Some(rescheduled.clone()));
    let decided = CommitteeRow {
        result_json: Some(r#"{"level":"care_1"}"#.into()),
        decided_at_ms: Some(5),
        ..rescheduled
    };
    s.put_committee(&decided).unwrap();
    assert_eq!(s.committee(a).unwrap(), Some(decided.clone()));
    // Back to undecided (a 審査会 sent back): the result can be cleared.
    s.put_committee(&scheduled).unwrap();
    assert_eq!(s.committee(a).unwrap(), Some(scheduled));
}

fn child_rows_need_an_existing_application(db: &mut TestDb) {
    let s = db.store();
    let missing = 4_242;
    assert!(s
        .append_application_event(&event(missing, 1, "file", "received"))
        .is_err());
    assert!(s.insert_opinion(&opinion(missing, 1)).is_err());
    assert!(s
        .put_survey(&SurveyRow {
            application_id: missing,
            surveyed_on: day("20260410"),
            surveyor: "surveyor-1".into(),
            body_json: "{}".into(),
            submitted_at_ms: 1,
        })
        .is_err());
    assert!(s
        .put_primary_judgment(&PrimaryJudgmentRow {
            application_id: missing,
            body_json: "{}".into(),
            recorded_at_ms: 1,
            recorded_by: "clerk-1".into(),
        })
        .is_err());
    assert!(s
        .put_committee(&CommitteeRow {
            application_id: missing,
            committee_on: day("20260515"),
            result_json: None,
            decided_at_ms: None,
        })
        .is_err());
    assert!(s.application_events(missing).unwrap().is_empty());
}

fn a_rolled_back_transaction_leaves_nothing(db: &mut TestDb) {
    let s = db.store();
    let kept = s
        .insert_application(&application(PERSON, "20260301", "received", "20260331"))
        .unwrap();

    s.begin().unwrap();
    let mut row = full_application();
    row.id = s.insert_application(&row).unwrap();
    s.append_application_event(&event(row.id, 1, "file", "received"))
        .unwrap();
    s.append_application_event(&event(kept, 2, "request_survey", "requested"))
        .unwrap();
    s.insert_opinion(&opinion(row.id, 1)).unwrap();
    s.put_survey(&SurveyRow {
        application_id: kept,
        surveyed_on: day("20260310"),
        surveyor: "surveyor-1".into(),
        body_json: "{}".into(),
        submitted_at_ms: 1,
    })
    .unwrap();
    let mut moved = s.application(kept).unwrap().unwrap();
    moved.status = Status::Requested;
    s.update_application(&moved).unwrap();
    assert!(s.application(row.id).unwrap().is_some(), "visible inside");
    s.rollback().unwrap();

    assert_eq!(s.application(row.id).unwrap(), None);
    assert!(s.application_events(row.id).unwrap().is_empty());
    assert!(s.application_events(kept).unwrap().is_empty());
    assert!(s.opinions(row.id).unwrap().is_empty());
    assert_eq!(s.survey(kept).unwrap(), None);
    assert_eq!(
        s.application(kept).unwrap().unwrap().status.code(),
        "received",
        "the update was rolled back too"
    );
    assert_eq!(
        ids(&s.applications_of(INSURER, PERSON).unwrap()),
        vec![kept]
    );
    assert!(s
        .applications_for_care_manager(CARE_MANAGER, TERMINAL)
        .unwrap()
        .is_empty());
}

/// A decision creates the next 被保険者証 version outside any file import: it goes through the
/// existing import log and `append` as they are, in the transaction that closes the
/// application. The log entry names its source instead of a file; its `sha256` is a token that
/// is no file hash, so a file can never be taken for it, and the committed-token index makes a
/// second decision of the same application findable (`find_committed_import`) before writing.
fn a_decision_appends_a_card_version_through_the_import_log(db: &mut TestDb) {
    use kiban_domain::codes::Sex;
    use kiban_domain::date::Date;
    use kiban_domain::ids::{InsuredNumber, InsurerNumber};
    use kiban_domain::records::*;

    let d = |s: &str| Date::parse_yyyymmdd(s).unwrap();
    let card = |history: u16, applies_from: &str| {
        NewVersion::new(Version {
            key: VersionKey {
                insurer: InsurerNumber::parse(INSURER).unwrap(),
                insured: InsuredNumber::parse(PERSON).unwrap(),
                history,
            },
            operation: if history == 1 {
                Operation::Add
            } else {
                Operation::Change
            },
            applies_from: d(applies_from),
            body: RecordBody::InsuredCard(InsuredCard {
                name: "試験　花子".into(),
                kana: "シケン　ハナコ".into(),
                birth_date: d("19450401"),
                sex: Sex::Female,
                postal_code: "1000001".into(),
                address: "東京都千代田区千代田1-1".into(),
                issued_on: d("20150331"),
                qualified_on: d("20150331"),
                disqualified_on: None,
                insurer_name: "千代田区".into(),
                certification: None,
                restriction: None,
                care_plan: None,
                facility: None,
            }),
        })
    };
    let log = |file_name: String, sha256: String| ImportRecord {
        id: 0,
        file_name,
        sha256,
        status: ImportStatus::Committed,
        kind: RecordKind::InsuredCard,
        insurer: crate::access::insurer(INSURER),
        mode: LoadMode::Differential,
        encoding: String::new(),
        started_at: "2026-05-15T10:00:00+09:00".into(),
        finished_at: "2026-05-15T10:00:00+09:00".into(),
        rows_total: 1,
        rows_inserted: 1,
        rows_unchanged: 0,
        rows_withdrawn: 0,
        rows_rejected: 0,
        report: "{}".into(),
    };

    let s = db.store();
    s.begin().unwrap();
    let first = s
        .insert_import(&log(
            "HIHO_131011_ZENKEN_20260401090000.csv".into(),
            "a".repeat(64),
        ))
        .unwrap();
    s.append(first, &[card(1, "20150331")], &[]).unwrap();
    s.commit().unwrap();

    let mut app = application(PERSON, "20260401", "primary_judged", "20260501");
    app.id = s.insert_application(&app).unwrap();

    let token = format!("certification:{}", app.id);
    assert!(s.find_committed_import(&token).unwrap().is_none());
    s.begin().unwrap();
    let mut entry = log(format!("認定結果 (application {})", app.id), token.clone());
    entry.id = s.insert_import(&entry).unwrap();
    s.append(entry.id, &[card(2, "20260401")], &[]).unwrap();
    app.status = Status::Certified;
    s.update_application(&app).unwrap();
    s.append_application_event(&event(app.id, 50, "certify", "certified"))
        .unwrap();
    s.commit().unwrap();

    let history = s
        .person_history(
            RecordKind::InsuredCard,
            InsurerNumber::parse(INSURER).unwrap(),
            InsuredNumber::parse(PERSON).unwrap(),
        )
        .unwrap();
    assert_eq!(
        history
            .versions
            .iter()
            .map(|v| v.key.history)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(s.find_committed_import(&token).unwrap(), Some(entry));
    assert_eq!(
        s.list_imports(10).unwrap()[0].file_name,
        format!("認定結果 (application {})", app.id)
    );
}

on_both_engines!(
    every_row_kind_reads_back_as_written,
    applications_of_one_person_newest_first,
    update_application_changes_progress_only_and_refuses_unknown_ids,
    events_come_back_oldest_first,
    overdue_lists_open_applications_past_due_oldest_due_first,
    care_manager_list_shows_open_applications_of_the_office_newest_first,
    opinion_versions_are_appended_once_each,
    survey_primary_and_committee_are_replaced,
    child_rows_need_an_existing_application,
    a_rolled_back_transaction_leaves_nothing,
    a_decision_appends_a_card_version_through_the_import_log,
);
