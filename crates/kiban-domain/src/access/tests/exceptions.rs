//! The national design's two exceptions: medical institutions under a 主治医意見書作成依頼,
//! and 要介護認定情報 on the application-time consent.

use super::super::*;
use super::*;
use crate::records::CarePlanAuthor;

#[test]
fn a_medical_institution_needs_an_open_opinion_request() {
    let holder = Party::Medical(hospital());
    let consents = all_consents(holder);
    let open = [open_request(holder)];
    let not_open = [
        vec![],
        vec![OpinionRequest {
            closed_at: Some(now().plus_millis(-HOUR)),
            ..open_request(holder)
        }],
        vec![OpinionRequest {
            sent_at: now().plus_millis(HOUR),
            ..open_request(holder)
        }],
        vec![open_request(Party::Medical(other_hospital()))],
        vec![open_request(Party::Office(office()))],
    ];
    let clinical = [
        Category::Qualification,
        Category::CertificationSurvey,
        Category::PhysicianOpinion,
        Category::CarePlan,
        Category::Life,
    ];
    for c in clinical {
        for requests in &not_open {
            let r = ask(
                doctor(Job::Physician),
                Action::Read,
                c,
                ev(&consents, &[], requests),
            );
            assert_eq!(r.reason(), Reason::NoOpinionRequest, "{c:?} {requests:?}");
        }
        for job in [Job::Physician, Job::Nurse] {
            for action in [Action::Read, Action::Export] {
                let r = ask(doctor(job), action, c, ev(&consents, &[], &open));
                assert_eq!(r.reason(), Reason::Consented, "{c:?} {job:?}");
            }
        }
    }
    let he = ask(
        doctor(Job::Physician),
        Action::Read,
        Category::HousingEquipment,
        ev(&consents, &[], &open),
    );
    assert_eq!(he.reason(), Reason::CategoryNotPermittedForOfficeKind);
    let clerk = ask(
        doctor(Job::Clerk),
        Action::Read,
        Category::CarePlan,
        ev(&consents, &[], &open),
    );
    assert_eq!(clerk.reason(), Reason::JobNotPermitted);

    // The request alone (no consent) lets the physician submit the 意見書, nothing more.
    let only_request = ev(&[], &[], &open);
    let physician = doctor(Job::Physician);
    let write = ask(
        physician,
        Action::Write,
        Category::PhysicianOpinion,
        only_request,
    );
    assert_eq!(write.reason(), Reason::OpinionRequest);
    let read = ask(
        physician,
        Action::Read,
        Category::PhysicianOpinion,
        only_request,
    );
    assert_eq!(read.reason(), Reason::ConsentMissing);
    let none = ask(
        physician,
        Action::Write,
        Category::PhysicianOpinion,
        Evidence::default(),
    );
    assert_eq!(none.reason(), Reason::NoOpinionRequest);
    let nurse = ask(
        doctor(Job::Nurse),
        Action::Write,
        Category::PhysicianOpinion,
        only_request,
    );
    assert_eq!(nurse.reason(), Reason::JobNotPermitted);
    // A serving relationship does not stand in for the request.
    let servings = [serving(office())];
    let as_office = staff(OfficeKind::MedicalInstitution, Job::Physician);
    let office_consents = all_consents(Party::Office(office()));
    let r = ask(
        as_office,
        Action::Read,
        Category::Life,
        ev(&office_consents, &servings, &[]),
    );
    assert_eq!(r.reason(), Reason::NoOpinionRequest);
}

fn app_ev<'a>(
    servings: &'a [Serving],
    author: Option<&'a CarePlanAuthor>,
    application_consent: bool,
) -> Evidence<'a> {
    Evidence {
        servings,
        care_plan_author: author,
        application_consent,
        ..Evidence::default()
    }
}

#[test]
fn application_consent_reaches_only_care_managers_of_the_care_plan_office() {
    let servings = [serving(office())];
    let (mine, theirs) = (author(office()), author(other_office()));
    let yes = app_ev(&servings, Some(&mine), true);
    let cm = care_manager();
    for c in [Category::CertificationSurvey, Category::PhysicianOpinion] {
        for action in [Action::Read, Action::Export] {
            assert_eq!(
                ask(cm, action, c, yes).reason(),
                Reason::ApplicationConsent,
                "{c:?}"
            );
        }
        let preventive = staff(OfficeKind::PreventiveCareSupport, Job::CareManager);
        let small_multi = staff(OfficeKind::CommunityBased, Job::CareManager);
        let cases = [
            (preventive, yes, Reason::ApplicationConsent),
            (small_multi, yes, Reason::ApplicationConsent),
            (
                cm,
                app_ev(&servings, Some(&mine), false),
                Reason::ConsentMissing,
            ),
            (
                cm,
                app_ev(&servings, Some(&theirs), true),
                Reason::ConsentMissing,
            ),
            (cm, app_ev(&servings, None, true), Reason::ConsentMissing),
            (cm, app_ev(&[], Some(&mine), true), Reason::NotServing),
            (
                staff(OfficeKind::HomeCareSupport, Job::Clerk),
                yes,
                Reason::JobNotPermitted,
            ),
            (
                staff(OfficeKind::HomeCareSupport, Job::Nurse),
                yes,
                Reason::JobNotPermitted,
            ),
            (
                staff(OfficeKind::HomeService, Job::CareManager),
                yes,
                Reason::CategoryNotPermittedForOfficeKind,
            ),
            // A facility care manager sees 認定情報 on the office consent only.
            (
                staff(OfficeKind::FacilityWelfare, Job::CareManager),
                yes,
                Reason::ConsentMissing,
            ),
        ];
        for (actor, e, want) in cases {
            assert_eq!(
                ask(actor, Action::Read, c, e).reason(),
                want,
                "{c:?} {actor:?}"
            );
        }
        assert_eq!(
            ask(cm, Action::Write, c, yes).reason(),
            Reason::WriteNotPermitted
        );
    }
    // Other categories never rest on the application consent.
    assert_eq!(
        ask(cm, Action::Read, Category::CarePlan, yes).reason(),
        Reason::ConsentMissing
    );
    // An explicit revocation (or end date) to this office outranks the application consent.
    let mut revoked = consent(Party::Office(office()), ConsentCategory::Certification);
    revoked.revoked_at = Some(now().plus_millis(-HOUR));
    let mut ended = consent(Party::Office(office()), ConsentCategory::Certification);
    ended.valid_until = Some(d("20261014"));
    for (record, want) in [
        (revoked, Reason::ConsentRevoked),
        (ended, Reason::ConsentExpired),
    ] {
        let consents = [record];
        let e = Evidence {
            consents: &consents,
            ..yes
        };
        assert_eq!(
            ask(cm, Action::Read, Category::CertificationSurvey, e).reason(),
            want
        );
    }
    // A notification dated after today does not count yet.
    let future = CarePlanAuthor::Office {
        office: office(),
        name: "未来".into(),
        notified_on: d("20261016"),
    };
    let r = ask(
        cm,
        Action::Read,
        Category::CertificationSurvey,
        app_ev(&servings, Some(&future), true),
    );
    assert_eq!(r.reason(), Reason::ConsentMissing);
}
