//! 要介護認定 end to end on both engines: filing with the application-time consent and a
//! 計画作成依頼届出, every step guarded, the survey and the physician's signed opinion checked,
//! the decision writing exactly one new 被保険者証 version, and the progress visible to the
//! person and the registered care manager but not to another office.

use kiban_app::access::{Caller, Outcome};
use kiban_app::certification::{
    self as cert, ApplicationView, NewApplication, PhysicianTrust, SignedOpinion, Step,
};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    PhysicianAuthority, PhysicianId, Pin, RevocationList, RevocationReason, Validity,
};
use kiban_domain::access::{Actor, Job, OfficeKind, PersonRef, Purpose, Timestamp};
use kiban_domain::certification::{Applicant, ApplicationKind};
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_domain::records::{RecordBody, RecordKind};
use kiban_testkit::certification as samples;
use kiban_testkit::{on_both_engines, TestDb};

const INSURER: &str = "131011";
const HOSPITAL: &str = "1310000001";
const CARE_OFFICE: &str = "1370000001";
const OTHER_OFFICE: &str = "1370000002";

fn now() -> (Timestamp, OffsetDateTime) {
    let t = OffsetDateTime::now_utc();
    let ms = (t.unix_timestamp_nanos() / 1_000_000) as i64;
    (Timestamp::from_millis(ms), t)
}

fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        insured: InsuredNumber::from_u64(100_000 + n).unwrap(),
    }
}

fn municipal() -> Caller {
    Caller {
        actor: Actor::MunicipalStaff {
            insurer: InsurerNumber::parse(INSURER).unwrap(),
            purpose: Purpose::CertificationAffairs,
        },
        account: "city01".into(),
    }
}

fn office(number: &str) -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse(number).unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: format!("cm-{number}"),
    }
}

fn doctor() -> Caller {
    Caller {
        actor: Actor::MedicalStaff {
            institution: MedicalInstitutionCode::parse(HOSPITAL).unwrap(),
            job: Job::Physician,
        },
        account: "dr01".into(),
    }
}

fn citizen(n: u64) -> Caller {
    Caller {
        actor: Actor::Citizen { person: person(n) },
        account: "citizen".into(),
    }
}

fn allowed<T: std::fmt::Debug>(outcome: Outcome<T>) -> T {
    match outcome {
        Outcome::Allowed(t) => t,
        Outcome::Denied(d) => panic!("refused: {d:?}"),
    }
}

fn refusal<T: std::fmt::Debug>(outcome: Outcome<T>) -> &'static str {
    match outcome {
        Outcome::Allowed(t) => panic!("allowed: {t:?}"),
        Outcome::Denied(d) => d.reason,
    }
}

fn file(db: &mut TestDb, n: u64) -> ApplicationView {
    let (at, _) = now();
    let new = NewApplication {
        person: person(n),
        kind: ApplicationKind::New,
        applicant: Applicant::Office,
        proxy_office: Some(OfficeNumber::parse(CARE_OFFICE).unwrap()),
        applied_on: at.jst_date(),
        share_with_care_manager: true,
        care_plan_office: Some((
            OfficeNumber::parse(CARE_OFFICE).unwrap(),
            "さくら居宅介護支援事業所".into(),
        )),
    };
    allowed(cert::file(db.conn(), &municipal(), new, at).unwrap())
}

/// The physician root and a physician of the hospital.
struct Physicians {
    authority: PhysicianAuthority,
    issued: kiban_crypto::IssuedPhysician,
}

fn physicians() -> Physicians {
    let (_, t) = now();
    let authority = PhysicianAuthority::init_development(t)
        .unwrap()
        .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS);
    let issued = authority
        .issue(
            MedicalInstitutionCode::parse(HOSPITAL).unwrap(),
            &PhysicianId::parse("123456").unwrap(),
            &Pin::parse("1234").unwrap(),
            Validity::days_from(t, 30),
        )
        .unwrap();
    Physicians { authority, issued }
}

fn signed(p: &Physicians, body: &str) -> SignedOpinion {
    SignedOpinion {
        body: body.to_string(),
        signature: p
            .issued
            .file
            .sign(&Pin::parse("1234").unwrap(), body.as_bytes())
            .unwrap(),
    }
}

fn submit(
    db: &mut TestDb,
    p: &Physicians,
    id: i64,
    revocations: &RevocationList,
    opinion: SignedOpinion,
) -> Outcome<ApplicationView> {
    let (at, t) = now();
    let trust = PhysicianTrust {
        root: p.authority.trust_root(),
        revocations,
        now: t,
    };
    cert::submit_opinion(db.conn(), &doctor(), id, opinion, &trust, at).unwrap()
}

fn step(db: &mut TestDb, id: i64, step: Step) -> Outcome<ApplicationView> {
    cert::record_step(db.conn(), &municipal(), id, step, now().0).unwrap()
}

fn card_versions(db: &mut TestDb, n: u64) -> Vec<kiban_domain::records::Version> {
    let p = person(n);
    db.store()
        .person_history(RecordKind::InsuredCard, p.insurer, p.insured)
        .unwrap()
        .versions
}

fn the_full_path_writes_one_new_card_and_the_care_manager_sees_it(db: &mut TestDb) {
    crate::qualification::registry(db);
    let p = physicians();
    let none = RevocationList::new();
    contract_without_certification_consent(db, 1);
    let (at, _) = now();
    // Before any application the office's contract does not reach 要介護認定情報.
    let _ = at;
    let before = card_versions(db, 1).len();
    let app = file(db, 1);
    assert_eq!(app.status, "received");
    assert_eq!(
        card_versions(db, 1).len(),
        before + 1,
        "the 計画作成依頼届出 is on the card"
    );

    // The registered care manager sees the progress (application consent); another office not.
    let (at, _) = now();
    let seen = allowed(cert::progress(db.conn(), &office(CARE_OFFICE), app.id, at).unwrap());
    assert_eq!(seen.status, "received");
    // Another office learns nothing, not even that the id exists: the answer is that of an id
    // nobody uses, and the refusal is audited with the policy's reason.
    assert_eq!(
        refusal(cert::progress(db.conn(), &office(OTHER_OFFICE), app.id, at).unwrap()),
        refusal(cert::progress(db.conn(), &office(OTHER_OFFICE), i64::MAX, at).unwrap()),
    );
    assert_eq!(
        refusal(cert::progress(db.conn(), &office(OTHER_OFFICE), app.id, at).unwrap()),
        "APPLICATION_NOT_FOUND"
    );
    let audited = db
        .store()
        .audit_for_person(INSURER, &person(1).insured.to_string(), None, 1)
        .unwrap();
    assert_eq!(
        (audited[0].entry.decision, audited[0].entry.reason.as_str()),
        (
            kiban_domain::audit::Decision::Deny,
            refusal_of_other_office()
        )
    );
    assert_eq!(
        allowed(cert::applications_of(db.conn(), &citizen(1), person(1), at).unwrap()).len(),
        1
    );

    allowed(step(db, app.id, Step::RequestSurvey));
    allowed(step(
        db,
        app.id,
        Step::RequestOpinion(MedicalInstitutionCode::parse(HOSPITAL).unwrap()),
    ));
    allowed(
        cert::submit_survey(
            db.conn(),
            &municipal(),
            app.id,
            samples::survey(now().0.jst_date()),
            now().0,
        )
        .unwrap(),
    );
    let got = allowed(submit(db, &p, app.id, &none, signed(&p, samples::OPINION)));
    assert_eq!(got.status, "materials_complete");
    allowed(
        cert::record_primary_judgment(
            db.conn(),
            &municipal(),
            app.id,
            samples::primary_judgment(),
            now().0,
        )
        .unwrap(),
    );
    allowed(step(db, app.id, Step::AssignCommittee(now().0.jst_date())));
    let decided = allowed(
        cert::decide(
            db.conn(),
            &municipal(),
            app.id,
            samples::committee_result(now().0.jst_date(), CareLevel::Care2),
            now().0,
        )
        .unwrap(),
    );
    assert_eq!(decided.application.status, "certified");
    let versions = card_versions(db, 1);
    assert_eq!(
        versions.len(),
        before + 2,
        "exactly one more card version for the decision"
    );
    let last = versions.iter().max_by_key(|v| v.key.history).unwrap();
    assert_eq!(Some(last.key.history), decided.card_history);
    match &last.body {
        RecordBody::InsuredCard(card) => {
            assert_eq!(card.certification.as_ref().unwrap().level, CareLevel::Care2);
            assert!(card.care_plan.is_some(), "the 届出 stays on the card");
        }
        other => panic!("{other:?}"),
    }
    // Closed: nothing more can happen, and the steps are all on record.
    assert_eq!(
        refusal(step(db, app.id, Step::Withdraw)),
        "ILLEGAL_TRANSITION"
    );
    let view = allowed(cert::progress(db.conn(), &office(CARE_OFFICE), app.id, now().0).unwrap());
    let events: Vec<&str> = view.steps.iter().map(|s| s.event.code()).collect();
    assert_eq!(
        events,
        [
            "file",
            "request_survey",
            "request_opinion",
            "complete_survey",
            "receive_opinion",
            "record_primary_judgment",
            "assign_committee",
            "record_secondary_judgment",
            "certify"
        ]
    );
    // The institution's view closed with the decision.
    let open = db.store().open_opinion_requests(HOSPITAL).unwrap();
    assert!(open.is_empty(), "{open:?}");
}

fn refusal_of_other_office() -> &'static str {
    "NOT_SERVING"
}

/// The care manager's contract (担当登録) with consent to everything but 要介護認定情報: that
/// category reaches the office only through the application-time consent.
fn contract_without_certification_consent(db: &mut TestDb, n: u64) {
    let method = kiban_domain::access::ConsentMethod::Paper {
        reason: kiban_domain::access::PaperReason::NoCard,
        witness: "cm".into(),
    };
    let opted_out = [kiban_domain::access::ConsentCategory::Certification];
    let (at, _) = now();
    allowed(
        kiban_app::qualification::enrol(
            db.conn(),
            &office(CARE_OFFICE),
            person(n),
            &method,
            &opted_out,
            None,
            at,
        )
        .unwrap(),
    );
}

fn illegal_transitions_and_bad_documents_are_refused(db: &mut TestDb) {
    crate::qualification::registry(db);
    let p = physicians();
    let none = RevocationList::new();
    let app = file(db, 2);
    // Out of order: a survey before it was requested, a judgment before the materials.
    assert_eq!(
        refusal(
            cert::submit_survey(
                db.conn(),
                &municipal(),
                app.id,
                samples::survey(now().0.jst_date()),
                now().0
            )
            .unwrap()
        ),
        "ILLEGAL_TRANSITION"
    );
    assert_eq!(
        refusal(step(db, app.id, Step::AssignCommittee(now().0.jst_date()))),
        "ILLEGAL_TRANSITION"
    );
    // An opinion without a 作成依頼: the policy refuses the institution, which is answered as an
    // unknown application (the audit log keeps the reason).
    assert_eq!(
        refusal(submit(db, &p, app.id, &none, signed(&p, samples::OPINION))),
        "APPLICATION_NOT_FOUND"
    );
    let audited = db
        .store()
        .audit_for_person(INSURER, &person(2).insured.to_string(), None, 1)
        .unwrap();
    assert_eq!(audited[0].entry.reason, "NO_OPINION_REQUEST");
    allowed(step(db, app.id, Step::RequestSurvey));
    allowed(step(
        db,
        app.id,
        Step::RequestOpinion(MedicalInstitutionCode::parse(HOSPITAL).unwrap()),
    ));
    // A survey with a missing and an out-of-range answer: both named, nothing stored.
    let mut bad = samples::survey(now().0.jst_date());
    bad.answers.remove("1-3");
    bad.answers.insert("2-3".into(), "4".into());
    let Outcome::Denied(denied) =
        cert::submit_survey(db.conn(), &municipal(), app.id, bad, now().0).unwrap()
    else {
        panic!("a bad survey was accepted");
    };
    assert_eq!(denied.reason, "INVALID_SURVEY");
    assert!(
        denied.message_en.contains("1-3") && denied.message_en.contains("2-3"),
        "{}",
        denied.message_en
    );
    assert!(db.store().survey(app.id).unwrap().is_none());
    // A tampered opinion, a foreign root, a revoked certificate.
    let mut tampered = signed(&p, samples::OPINION);
    tampered.body = tampered.body.replace("脳梗塞", "骨折");
    assert_eq!(
        refusal(submit(db, &p, app.id, &none, tampered)),
        "OPINION_SIGNATURE_REJECTED"
    );
    let foreign = physicians();
    assert_eq!(
        refusal(submit(
            db,
            &p,
            app.id,
            &none,
            signed(&foreign, samples::OPINION)
        )),
        "OPINION_SIGNATURE_REJECTED"
    );
    let mut revoked = RevocationList::new();
    revoked.revoke(
        p.issued.serial.clone(),
        RevocationReason::KeyCompromise,
        now().1,
    );
    assert_eq!(
        refusal(submit(
            db,
            &p,
            app.id,
            &revoked,
            signed(&p, samples::OPINION)
        )),
        "OPINION_SIGNATURE_REJECTED"
    );
    assert!(db.store().opinions(app.id).unwrap().is_empty());
    // A valid opinion twice: two versions.
    allowed(submit(db, &p, app.id, &none, signed(&p, samples::OPINION)));
    allowed(submit(db, &p, app.id, &none, signed(&p, samples::OPINION)));
    let versions: Vec<i64> = db
        .store()
        .opinions(app.id)
        .unwrap()
        .iter()
        .map(|o| o.version)
        .collect();
    assert_eq!(versions, [1, 2]);
    // A 一次判定 whose level does not fit its total.
    allowed(
        cert::submit_survey(
            db.conn(),
            &municipal(),
            app.id,
            samples::survey(now().0.jst_date()),
            now().0,
        )
        .unwrap(),
    );
    let mut wrong = samples::primary_judgment();
    wrong.level = CareLevel::Care5;
    assert_eq!(
        refusal(
            cert::record_primary_judgment(db.conn(), &municipal(), app.id, wrong, now().0).unwrap()
        ),
        "INVALID_PRIMARY_JUDGMENT"
    );
    // Office staff may not record steps at all; as to any refusal on an application named by
    // id, the answer is that of an unknown id, the audit log keeps the reason.
    assert_eq!(
        refusal(
            cert::record_step(
                db.conn(),
                &office(CARE_OFFICE),
                app.id,
                Step::Withdraw,
                now().0
            )
            .unwrap()
        ),
        "APPLICATION_NOT_FOUND"
    );
    let audited = db
        .store()
        .audit_for_person(INSURER, &person(2).insured.to_string(), None, 1)
        .unwrap();
    assert_eq!(
        audited[0].entry.reason,
        "CATEGORY_NOT_PERMITTED_FOR_OFFICE_KIND"
    );
    // Nobody is filed for a number without an insured card.
    let mut nobody = NewApplication {
        person: person(1),
        kind: ApplicationKind::New,
        applicant: Applicant::Person,
        proxy_office: None,
        applied_on: now().0.jst_date(),
        share_with_care_manager: false,
        care_plan_office: None,
    };
    nobody.person.insured = InsuredNumber::from_u64(999_999).unwrap();
    assert_eq!(
        refusal(cert::file(db.conn(), &municipal(), nobody, now().0).unwrap()),
        "PERSON_NOT_INSURED"
    );
    // Withdrawn: the deadline no longer runs, the overdue list leaves it out.
    allowed(step(db, app.id, Step::Withdraw));
    let today = now().0.jst_date().add_days(60);
    let overdue = cert::overdue(
        db.conn(),
        &municipal(),
        InsurerNumber::parse(INSURER).unwrap(),
        today,
        now().0,
    )
    .unwrap();
    assert!(overdue.iter().all(|v| v.id != app.id));
}

fn an_open_application_past_its_due_day_is_listed_as_overdue(db: &mut TestDb) {
    crate::qualification::registry(db);
    let app = file(db, 3);
    let insurer = InsurerNumber::parse(INSURER).unwrap();
    let due = app.due_on;
    let list = |db: &mut TestDb, today: Date| {
        cert::overdue(db.conn(), &municipal(), insurer, today, now().0)
            .unwrap()
            .iter()
            .map(|v| v.id)
            .collect::<Vec<_>>()
    };
    assert!(list(db, due).is_empty(), "due today is not overdue");
    assert_eq!(list(db, due.add_days(1)), [app.id]);
}

on_both_engines!(
    the_full_path_writes_one_new_card_and_the_care_manager_sees_it,
    illegal_transitions_and_bad_documents_are_refused,
    an_open_application_past_its_due_day_is_listed_as_overdue,
);
