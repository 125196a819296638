//! ケアプランデータ連携 end to end on both engines: a generated month registered from its V4
//! files through the policy, each office seeing only what reached it, the send rule, bad input
//! with line and column, drafts answered by the person, V5 registering the same content, and the
//! municipal aggregates.

use kiban_app::access::{Caller, Outcome};
use kiban_app::careplan::reads::AnswerKind;
use kiban_app::careplan::{
    self as plans, v4, CarePlanFolder, DocKind, RegisterReport, Registration,
};
use kiban_domain::access::{Actor, Job, OfficeKind, PersonRef, Purpose, Timestamp};
use kiban_domain::careplan::YearMonth;
use kiban_domain::ids::{InsurerNumber, OfficeNumber};
use kiban_interchange::careplan::{parse_file_name, read_unit, to_v5, UnitKind};
use kiban_interchange::generate::careplan::{month, CarePlanSpec, GeneratedMonth, GeneratedUnit};
use kiban_testkit::careplan::relate_pairs;
use kiban_testkit::{on_both_engines, TestDb};

/// 2026-10-05 10:00 JST.
pub(crate) const NOW: i64 = 1_791_162_000_000;

pub(crate) fn at() -> Timestamp {
    Timestamp::from_millis(NOW)
}

fn insurer() -> InsurerNumber {
    InsurerNumber::parse("131011").unwrap()
}

pub(crate) fn generated(
    persons: u64,
    care_offices: usize,
    service_offices: usize,
) -> GeneratedMonth {
    month(&CarePlanSpec {
        insurer: insurer(),
        persons,
        insured: Vec::new(),
        month: YearMonth::parse("202609").unwrap(),
        care_offices,
        service_offices,
        seed: 7,
        created: "20260901090000".into(),
        deletions: false,
    })
}

/// Every person served by its care office and its service offices, with ケアプラン consent.
pub(crate) fn relate_all(
    db: &mut TestDb,
    g: &GeneratedMonth,
    except: Option<(usize, OfficeNumber)>,
) {
    let skipped = except.map(|(i, office)| (g.persons[i].person, office));
    let pairs: Vec<_> = g
        .relations()
        .into_iter()
        .filter(|r| Some(*r) != skipped)
        .collect();
    relate_pairs(
        db.store(),
        &pairs,
        &["care_plan", "life"],
        "20260401",
        NOW - 86_400_000,
    )
    .unwrap();
}

pub(crate) fn office_caller(office: OfficeNumber, g: &GeneratedMonth) -> Caller {
    let care = g.persons.iter().any(|p| p.care_office == office);
    let (kind, job) = if care {
        (OfficeKind::HomeCareSupport, Job::CareManager)
    } else {
        (OfficeKind::HomeService, Job::CareWorker)
    };
    Caller {
        actor: Actor::OfficeStaff { office, kind, job },
        account: format!("staff-{office}"),
    }
}

fn sender(unit: &GeneratedUnit) -> OfficeNumber {
    parse_file_name(&unit.files[0].0).unwrap().sender
}

fn send(
    db: &mut TestDb,
    g: &GeneratedMonth,
    unit: &GeneratedUnit,
    mode: Registration,
) -> RegisterReport {
    let caller = office_caller(sender(unit), g);
    v4::register_files(db.conn(), &caller, unit.files.clone(), mode, at()).unwrap()
}

pub(crate) fn send_all(db: &mut TestDb, g: &GeneratedMonth) {
    for unit in &g.units {
        let report = send(db, g, unit, Registration::Issue);
        assert_eq!(
            (report.persons_refused, report.issues.len()),
            (0, 0),
            "{:?}",
            report.issues
        );
    }
}

pub(crate) fn person(g: &GeneratedMonth, i: usize) -> PersonRef {
    let p = g.persons[i].person;
    PersonRef {
        insurer: p.insurer,
        insured: p.insured,
    }
}

fn citizen(p: PersonRef) -> Caller {
    Caller {
        actor: Actor::Citizen { person: p },
        account: "citizen".into(),
    }
}

fn folder(db: &mut TestDb, caller: &Caller, p: PersonRef) -> Result<CarePlanFolder, &'static str> {
    match plans::folder(db.conn(), caller, p, at()).unwrap() {
        Outcome::Allowed(f) => Ok(f),
        Outcome::Denied(d) => Err(d.reason),
    }
}

pub(crate) fn municipal(purpose: Purpose) -> Caller {
    Caller {
        actor: Actor::MunicipalStaff {
            insurer: insurer(),
            purpose,
        },
        account: "city01".into(),
    }
}

/// The indices (in `g.persons`) of the persons a unit holds, in unit order.
fn persons_of(g: &GeneratedMonth, unit: &GeneratedUnit) -> Vec<usize> {
    read_unit(&unit.files)
        .unwrap()
        .persons
        .iter()
        .map(|e| g.persons.iter().position(|p| p.person == e.person).unwrap())
        .collect()
}

/// The plan unit with the most persons.
fn biggest_plan_unit(g: &GeneratedMonth) -> &GeneratedUnit {
    g.units
        .iter()
        .filter(|u| u.kind == UnitKind::Plan)
        .max_by_key(|u| persons_of(g, u).len())
        .unwrap()
}

/// The first person whose plan names two service offices or more.
fn busy_person(g: &GeneratedMonth) -> usize {
    g.persons
        .iter()
        .position(|p| p.service_offices.len() >= 2)
        .expect("a person with two offices")
}

fn each_office_sees_only_what_reached_it(db: &mut TestDb) {
    let g = generated(24, 2, 10);
    relate_all(db, &g, None);
    send_all(db, &g);
    let i = busy_person(&g);
    let p = person(&g, i);
    let mine = &g.persons[i];
    let s1 = mine.service_offices[0];
    let seen = folder(db, &office_caller(s1, &g), p).unwrap();
    assert_eq!(seen.plans.len(), 1, "the issued plan names the office");
    assert!(!seen.service_uses.is_empty());
    assert!(seen.service_uses.iter().all(|u| u.to_office == Some(s1)));
    assert!(seen.results.iter().all(|r| r.from_office == s1));
    let all = folder(db, &citizen(p), p).unwrap();
    assert!(
        all.service_uses.len() > seen.service_uses.len(),
        "the person sees every office's sheet"
    );
    assert_eq!(
        folder(db, &office_caller(mine.care_office, &g), p)
            .unwrap()
            .service_uses
            .len(),
        all.service_uses.len()
    );
    // An office that does not serve the person is refused before any document is chosen.
    let stranger = g
        .offices
        .iter()
        .map(|o| o.number)
        .find(|o| *o != mine.care_office && !mine.service_offices.contains(o))
        .unwrap();
    assert_eq!(
        folder(db, &office_caller(stranger, &g), p),
        Err("NOT_SERVING")
    );
    // Purpose-bound municipal reads: 審査 may, 認定事務 may not.
    assert!(folder(db, &municipal(Purpose::Review), p).is_ok());
    assert_eq!(
        folder(db, &municipal(Purpose::CertificationAffairs), p),
        Err("CATEGORY_NOT_PERMITTED_FOR_PURPOSE")
    );
    // Every read and write is in the person's own history.
    let events = db
        .store()
        .audit_for_person(&p.insurer.to_string(), &p.insured.to_string(), None, 1_000)
        .unwrap();
    let writes = events
        .iter()
        .filter(|e| e.entry.category == "care_plan" && e.entry.action == "write")
        .count();
    assert!(writes >= 3, "plan, 利用票 and 実績 writes: {writes}");
    assert!(events
        .iter()
        .any(|e| e.entry.purpose == "review" && e.entry.action == "read"));
}

/// A service office's inbox lists the 利用票 of every person sent to it: documents of different
/// persons never supersede each other, even of one month from one care office.
fn the_inbox_lists_every_person_sheet(db: &mut TestDb) {
    let g = generated(24, 2, 10);
    relate_all(db, &g, None);
    send_all(db, &g);
    let users = |office: OfficeNumber| {
        let mut insured: Vec<_> = g
            .persons
            .iter()
            .filter(|p| p.service_offices.contains(&office))
            .map(|p| p.person.insured)
            .collect();
        insured.sort();
        insured
    };
    let office = g
        .offices
        .iter()
        .map(|o| o.number)
        .max_by_key(|o| users(*o).len())
        .unwrap();
    let served = users(office);
    assert!(
        served.len() >= 2,
        "the busiest office serves several persons"
    );
    let inbox = plans::inbox(db.conn(), &office_caller(office, &g), 1_000, at()).unwrap();
    let mut listed: Vec<_> = inbox
        .iter()
        .filter(|e| e.kind == DocKind::ServiceUse)
        .map(|e| e.insured)
        .collect();
    listed.sort();
    assert_eq!(listed, served);
}

fn the_send_rule_refuses_a_person_the_receiver_does_not_serve(db: &mut TestDb) {
    let g = generated(24, 2, 10);
    let i = busy_person(&g);
    let receiver = g.persons[i].service_offices[0];
    relate_all(db, &g, Some((i, receiver)));
    let unit = g
        .units
        .iter()
        .find(|u| {
            u.kind == UnitKind::ServiceUse
                && parse_file_name(&u.files[0].0).unwrap().receiver == receiver
                && sender(u) == g.persons[i].care_office
        })
        .unwrap();
    let report = send(db, &g, unit, Registration::Issue);
    assert_eq!(report.persons_refused, 1);
    let issue = &report.issues[0];
    assert_eq!(
        (issue.code, issue.insured.as_str()),
        (
            "RECEIVER_NOT_SERVING",
            g.persons[i].person.insured.to_string().as_str()
        )
    );
    assert!(
        issue.source.contains("UPPLAN_") && issue.source.contains("行目"),
        "{}",
        issue.source
    );
    let unit_persons = read_unit(&unit.files).unwrap().persons.len() as u64;
    assert_eq!(
        report.persons_registered,
        unit_persons - 1,
        "the others are registered"
    );
    // Nothing of the refused person was written.
    let p = person(&g, i);
    assert!(folder(db, &citizen(p), p).unwrap().service_uses.is_empty());
}

fn bad_files_are_reported_with_line_and_column(db: &mut TestDb) {
    let g = generated(6, 1, 5);
    relate_all(db, &g, None);
    let plan = biggest_plan_unit(&g);
    let in_unit = persons_of(&g, plan);
    let mut files = plan.files.clone();
    let up2 = files
        .iter_mut()
        .find(|(n, _)| n.starts_with("UP2KYO_"))
        .unwrap();
    // A 外字 in the first line's 課題 column (7).
    kiban_testkit::careplan::insert_gaiji(&mut up2.1, 7);
    files.push((
        "UP1KYO_000012345_1370000001_20260901090000.CSV".into(),
        b"4.1\r\n".to_vec(),
    ));
    // The same upload carries the office's 利用票 units: the refused person keeps none of them.
    for unit in g.units.iter().filter(|u| u.kind == UnitKind::ServiceUse) {
        files.extend(unit.files.iter().cloned());
    }
    let report = v4::register_files(
        db.conn(),
        &office_caller(sender(plan), &g),
        files,
        Registration::Issue,
        at(),
    )
    .unwrap();
    let name_issue = report
        .issues
        .iter()
        .find(|i| i.code == "FILE_REFUSED")
        .expect("the bad name");
    assert!(
        name_issue.message_en.contains("serial"),
        "{}",
        name_issue.message_en
    );
    let char_issue = report
        .issues
        .iter()
        .find(|i| i.line == 1 && i.column_no == 7 && i.column == "課題")
        .unwrap_or_else(|| panic!("line 1 column 7: {:#?}", report.issues));
    assert!(!char_issue.insured.is_empty(), "the person is named");
    assert_eq!(report.persons_refused, 1);
    // Every person of the upload (the plan unit and the office's 利用票 units) but the refused one.
    let mut uploaded: Vec<usize> = g
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::ServiceUse)
        .flat_map(|u| persons_of(&g, u))
        .chain(in_unit.iter().copied())
        .collect();
    uploaded.sort_unstable();
    uploaded.dedup();
    assert_eq!(report.persons_registered, uploaded.len() as u64 - 1);
    let refused = g
        .persons
        .iter()
        .position(|p| p.person.insured.to_string() == char_issue.insured)
        .unwrap();
    let p = person(&g, refused);
    let nothing = folder(db, &citizen(p), p).unwrap();
    assert!(
        nothing.is_empty(),
        "neither the plan nor the 利用票 of the refused person"
    );
    let other = person(&g, *in_unit.iter().find(|&&i| i != refused).unwrap());
    let kept = folder(db, &citizen(other), other).unwrap();
    assert_eq!((kept.plans.len(), kept.service_uses.is_empty()), (1, false));
}

fn a_draft_is_answered_by_the_person_only(db: &mut TestDb) {
    let g = generated(6, 1, 5);
    relate_all(db, &g, None);
    let plan = biggest_plan_unit(&g);
    let in_unit = persons_of(&g, plan);
    let report = send(db, &g, plan, Registration::ForConfirmation);
    assert_eq!(report.persons_refused, 0);
    let p = person(&g, in_unit[0]);
    // The office the unit was sent to, which the plan names.
    let s1 = parse_file_name(&plan.files[0].0).unwrap().receiver;
    assert!(
        folder(db, &office_caller(s1, &g), p)
            .unwrap()
            .plans
            .is_empty(),
        "a draft reaches no service office"
    );
    let draft = folder(db, &citizen(p), p).unwrap().plans.remove(0);
    assert_eq!(draft.status.code(), "draft");
    let staff = office_caller(g.persons[0].care_office, &g);
    let waiting = plans::drafts(db.conn(), &staff, 100, at()).unwrap();
    assert_eq!(
        waiting.len(),
        in_unit.len(),
        "every person's draft is listed"
    );
    assert!(waiting
        .iter()
        .all(|d| d.status.code() == "draft" && d.answered_at_ms.is_none()));
    let by_staff =
        plans::answer_draft(db.conn(), &staff, draft.id, AnswerKind::Confirm, at()).unwrap();
    assert!(matches!(by_staff, Outcome::Denied(d) if d.reason == "ONLY_THE_PERSON_ANSWERS"));
    // Someone else's plan answers exactly as a plan that does not exist (ids cannot be probed),
    // and the refusal is audited with the policy's reason.
    let other_person = person(&g, (in_unit[0] + 1) % g.persons.len());
    let other = citizen(other_person);
    let by_other =
        plans::answer_draft(db.conn(), &other, draft.id, AnswerKind::Confirm, at()).unwrap();
    let missing =
        plans::answer_draft(db.conn(), &other, i64::MAX, AnswerKind::Confirm, at()).unwrap();
    let (Outcome::Denied(by_other), Outcome::Denied(missing)) = (by_other, missing) else {
        panic!("both refused")
    };
    assert_eq!(by_other, missing);
    assert_eq!(by_other.reason, "PLAN_NOT_FOUND");
    let audited = db
        .store()
        .audit_for_person(&p.insurer.to_string(), &p.insured.to_string(), None, 1)
        .unwrap();
    assert_eq!(
        (audited[0].entry.decision, audited[0].entry.reason.as_str()),
        (kiban_domain::audit::Decision::Deny, "NOT_SELF"),
        "the attempt on the plan is audited under its person"
    );
    let empty = plans::answer_draft(
        db.conn(),
        &citizen(p),
        draft.id,
        AnswerKind::Comment("  ".into()),
        at(),
    )
    .unwrap();
    assert!(matches!(empty, Outcome::Denied(d) if d.reason == "COMMENT_LENGTH"));
    let answered = plans::answer_draft(
        db.conn(),
        &citizen(p),
        draft.id,
        AnswerKind::Comment("通所は週1回にしたいです".into()),
        at(),
    )
    .unwrap();
    let Outcome::Allowed(view) = answered else {
        panic!("answered")
    };
    assert_eq!((view.status.code(), view.answers.len()), ("commented", 1));
    assert_eq!(view.answers[0].at_ms, NOW);
    let again =
        plans::answer_draft(db.conn(), &citizen(p), draft.id, AnswerKind::Confirm, at()).unwrap();
    assert!(matches!(again, Outcome::Denied(d) if d.reason == "NOT_AWAITING_ANSWER"));
    // The care manager sees the answer without opening the person.
    let listed = plans::drafts(db.conn(), &staff, 100, at()).unwrap();
    let mine = listed.iter().find(|d| d.id == draft.id).unwrap();
    assert_eq!(
        (mine.status.code(), mine.answered_at_ms),
        ("commented", Some(NOW))
    );
    assert_eq!(mine.comment, "通所は週1回にしたいです");
    // Another office lists none of them.
    assert!(plans::drafts(db.conn(), &office_caller(s1, &g), 100, at())
        .unwrap()
        .is_empty());
    // The finalised plan, registered for 交付, replaces the draft and reaches the office.
    send(db, &g, plan, Registration::Issue);
    assert_eq!(
        folder(db, &office_caller(s1, &g), p).unwrap().plans.len(),
        1
    );
    assert!(
        plans::drafts(db.conn(), &staff, 100, at())
            .unwrap()
            .is_empty(),
        "replaced drafts leave the list"
    );
}

fn v5_registers_what_v4_registers(db: &mut TestDb) {
    let g = generated(6, 1, 5);
    relate_all(db, &g, None);
    let plan = biggest_plan_unit(&g);
    let first = persons_of(&g, plan)[0];
    let values = to_v5(&read_unit(&plan.files).unwrap());
    let caller = office_caller(sender(plan), &g);
    let report = v4::register_v5(db.conn(), &caller, &values, Registration::Issue, at()).unwrap();
    assert_eq!(
        (report.persons_refused, report.persons_registered),
        (0, read_unit(&plan.files).unwrap().persons.len() as u64)
    );
    let p = person(&g, first);
    let via_v5 = folder(db, &citizen(p), p).unwrap().plans.remove(0).document;
    let expected = read_unit(&plan.files)
        .unwrap()
        .persons
        .into_iter()
        .find(|e| e.person.insured == p.insured)
        .unwrap();
    assert!(expected
        .documents
        .iter()
        .any(|d| matches!(d, kiban_interchange::careplan::Document::Plan(x) if **x == via_v5)));
    let mut broken = values.clone();
    broken[0]["document"]["needs"][0]["written_on"] = "2026-13-01".into();
    let report = v4::register_v5(db.conn(), &caller, &broken, Registration::Issue, at()).unwrap();
    assert!(
        report.issues[0].message_en.contains("needs[0].written_on"),
        "{:?}",
        report.issues[0]
    );
}

fn life_sheets_are_checked_stored_and_read(db: &mut TestDb) {
    let g = generated(6, 1, 5);
    relate_all(db, &g, None);
    let p = person(&g, 0);
    let office = g.persons[0].service_offices[0];
    let staff = office_caller(office, &g);
    let sheet = format!(
        r#"{{"period":"202609","office":"{office}","service_kind":"15","measures":[{{"domain":"adl","item":"barthel_total","label":"Barthel Index 合計","value":"65","unit":"点"}}]}}"#
    );
    let stored = kiban_app::life::submit(db.conn(), &staff, p, &sheet, at()).unwrap();
    assert!(matches!(
        stored,
        Outcome::Allowed(kiban_app::life::Submitted::Stored { .. })
    ));
    let bad = sheet.replace("\"65\"", "\"sixty\"");
    let Outcome::Allowed(kiban_app::life::Submitted::Invalid { problems }) =
        kiban_app::life::submit(db.conn(), &staff, p, &bad, at()).unwrap()
    else {
        panic!("invalid")
    };
    assert_eq!(problems[0].path, "measures[0].value");
    let mine = kiban_app::life::feedback(db.conn(), &citizen(p), p, at())
        .unwrap()
        .allowed()
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].sheet.measures[0].value, "65");
    let stranger = office_caller(
        g.offices
            .iter()
            .map(|o| o.number)
            .find(|o| {
                *o != office
                    && !g.persons[0].service_offices.contains(o)
                    && *o != g.persons[0].care_office
            })
            .unwrap(),
        &g,
    );
    assert!(
        matches!(kiban_app::life::feedback(db.conn(), &stranger, p, at()).unwrap(), Outcome::Denied(d) if d.reason == "NOT_SERVING")
    );
}

/// A document stored before kiban followed the official layout (kiban's earlier body shape)
/// is not shown and not fatal: the folder counts it for the person and the sending office, and
/// the readable documents beside it are shown as usual.
fn a_document_in_the_earlier_layout_is_counted_not_shown(db: &mut TestDb) {
    let g = generated(6, 1, 5);
    relate_all(db, &g, None);
    let plan = biggest_plan_unit(&g);
    let first = persons_of(&g, plan)[0];
    send(db, &g, plan, Registration::Issue);
    let p = person(&g, first);
    let care = g.persons[first].care_office;
    let earlier = kiban_store::CarePlanDocRow {
        id: 0,
        kind: DocKind::Plan,
        insurer: p.insurer,
        insured: p.insured,
        doc_key: kiban_domain::careplan::DocKey::PlanDate(
            kiban_domain::date::Date::parse_yyyymmdd("20250401").unwrap(),
        ),
        from_office: care,
        to_office: None,
        status: kiban_domain::careplan::DocStatus::Issued,
        body_json: r#"{"person":{"insurer":"131011","insured":"0000000001"},"plan_date":"20250401","overview":{"origin":"first"},"needs":[]}"#.into(),
        supplement_json: None,
        registered_at_ms: NOW - 1,
        registered_by: "earlier".into(),
    };
    db.store().insert_careplan_documents(&[earlier]).unwrap();
    let mine = folder(db, &citizen(p), p).unwrap();
    assert_eq!((mine.earlier_layout, mine.plans.len()), (1, 1));
    let sender = folder(db, &office_caller(care, &g), p).unwrap();
    assert_eq!(sender.earlier_layout, 1);
    let receiver = parse_file_name(&plan.files[0].0).unwrap().receiver;
    let named = folder(db, &office_caller(receiver, &g), p).unwrap();
    assert_eq!(
        (named.earlier_layout, named.plans.len()),
        (0, 1),
        "an office that did not send it is not told of it"
    );
}

on_both_engines!(
    a_document_in_the_earlier_layout_is_counted_not_shown,
    each_office_sees_only_what_reached_it,
    the_inbox_lists_every_person_sheet,
    the_send_rule_refuses_a_person_the_receiver_does_not_serve,
    bad_files_are_reported_with_line_and_column,
    a_draft_is_answered_by_the_person_only,
    v5_registers_what_v4_registers,
    life_sheets_are_checked_stored_and_read,
);
