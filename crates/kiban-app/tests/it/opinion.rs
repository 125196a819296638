//! 主治医意見書作成依頼 end to end on both engines: only the 保険者's 認定事務 sends one, every
//! attempt is audited, and an institution lists only its own open requests.

use kiban_app::access::{Caller, Outcome};
use kiban_app::opinion::{open_requests_for, request_opinion};
use kiban_app::qualification::{enrol, read_summary};
use kiban_domain::access::{Actor, ConsentMethod, Job, OfficeKind, PersonRef, Purpose, Timestamp};
use kiban_domain::audit::Decision;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_testkit::{on_both_engines, TestDb};

/// 2026-11-02 10:00 JST.
const NOW: i64 = 1_793_581_200_000;
const HOSPITAL: &str = "1310000001";
const CLINIC: &str = "1310000002";

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(NOW + minutes * 60_000)
}

fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse("131011").unwrap(),
        insured: InsuredNumber::from_u64(100_000 + n).unwrap(),
    }
}

fn institution(code: &str) -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse(code).unwrap()
}

fn municipal(purpose: Purpose) -> Caller {
    Caller {
        actor: Actor::MunicipalStaff {
            insurer: InsurerNumber::parse("131011").unwrap(),
            purpose,
        },
        account: "city01".into(),
    }
}

fn doctor(code: &str) -> Caller {
    Caller {
        actor: Actor::MedicalStaff {
            institution: institution(code),
            job: Job::Physician,
        },
        account: format!("dr-{code}"),
    }
}

fn care_manager() -> Caller {
    Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse("1370000001").unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "cm01".into(),
    }
}

fn reason<T>(o: &Outcome<T>) -> &str {
    match o {
        Outcome::Allowed(_) => "ALLOWED",
        Outcome::Denied(d) => d.reason,
    }
}

fn listed(db: &mut TestDb, caller: &Caller) -> Vec<String> {
    open_requests_for(db.conn(), caller)
        .unwrap()
        .into_iter()
        .map(|r| format!("{}/{}", r.insurer, r.insured))
        .collect()
}

fn certification_affairs_sends_a_request_and_it_is_audited(db: &mut TestDb) {
    let clerk = municipal(Purpose::CertificationAffairs);
    let sent = request_opinion(db.conn(), &clerk, person(1), institution(HOSPITAL), at(0)).unwrap();
    let Outcome::Allowed(id) = sent else {
        panic!("refused: {sent:?}");
    };
    let rows = db
        .store()
        .opinion_requests("131011", "0000100001", HOSPITAL)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].requested_at_ms), (id, NOW));
    let again =
        request_opinion(db.conn(), &clerk, person(1), institution(HOSPITAL), at(1)).unwrap();
    assert_eq!(
        again,
        Outcome::Allowed(id),
        "an open request is not sent twice"
    );

    let history = db
        .store()
        .audit_for_person("131011", "0000100001", None, 10)
        .unwrap();
    assert_eq!(history.len(), 2, "each send is one event");
    let e = &history[0].entry;
    assert_eq!(
        (
            e.action.as_str(),
            e.category.as_str(),
            e.decision,
            e.reason.as_str()
        ),
        (
            "write",
            "physician_opinion",
            Decision::Allow,
            "MUNICIPAL_DUTY"
        )
    );
    assert_eq!(
        (e.purpose.as_str(), e.actor_id.as_str()),
        ("certification_affairs", "city01")
    );
}

fn other_purposes_offices_and_physicians_are_refused_and_audited(db: &mut TestDb) {
    let refused = [
        (
            municipal(Purpose::QualificationAdmin),
            "CATEGORY_NOT_PERMITTED_FOR_PURPOSE",
        ),
        (care_manager(), "CATEGORY_NOT_PERMITTED_FOR_OFFICE_KIND"),
        (doctor(HOSPITAL), "CATEGORY_NOT_PERMITTED_FOR_OFFICE_KIND"),
    ];
    for (i, (caller, want)) in refused.iter().enumerate() {
        let got = request_opinion(
            db.conn(),
            caller,
            person(1),
            institution(HOSPITAL),
            at(i as i64),
        )
        .unwrap();
        assert_eq!(reason(&got), *want, "{:?}", caller.actor);
    }
    assert!(db
        .store()
        .opinion_requests("131011", "0000100001", HOSPITAL)
        .unwrap()
        .is_empty());
    let history = db
        .store()
        .audit_for_person("131011", "0000100001", None, 10)
        .unwrap();
    assert_eq!(
        history.len(),
        refused.len(),
        "every refusal is in the audit log"
    );
    assert!(history
        .iter()
        .all(|e| e.entry.decision == Decision::Deny && e.entry.category == "physician_opinion"));
}

fn an_institution_lists_only_its_own_open_requests(db: &mut TestDb) {
    let clerk = municipal(Purpose::CertificationAffairs);
    for (n, code, minute) in [(2, HOSPITAL, 5), (1, HOSPITAL, 3), (3, CLINIC, 1)] {
        let sent =
            request_opinion(db.conn(), &clerk, person(n), institution(code), at(minute)).unwrap();
        assert_eq!(reason(&sent), "ALLOWED");
    }
    assert_eq!(
        listed(db, &doctor(HOSPITAL)),
        vec!["131011/0000100001", "131011/0000100002"],
        "oldest first, the clinic's request left out"
    );
    assert_eq!(listed(db, &doctor(CLINIC)), vec!["131011/0000100003"]);
    assert!(
        listed(db, &care_manager()).is_empty(),
        "offices have no requests"
    );
    assert!(listed(db, &clerk).is_empty());
    let first = open_requests_for(db.conn(), &doctor(HOSPITAL)).unwrap()[0].clone();
    assert_eq!(first.requested_at, at(3));
}

fn a_closed_request_disappears_and_closes_the_view(db: &mut TestDb) {
    let clerk = municipal(Purpose::CertificationAffairs);
    let dr = doctor(HOSPITAL);
    let id = request_opinion(db.conn(), &clerk, person(1), institution(HOSPITAL), at(0))
        .unwrap()
        .allowed()
        .unwrap();
    let enrolled = enrol(
        db.conn(),
        &dr,
        person(1),
        &ConsentMethod::Card,
        &[],
        None,
        at(1),
    )
    .unwrap();
    assert_eq!(reason(&enrolled), "ALLOWED");
    assert_eq!(
        reason(&read_summary(db.conn(), &dr, person(1), at(2)).unwrap()),
        "ALLOWED",
        "the request and consent open the person's data"
    );
    assert_eq!(listed(db, &dr), vec!["131011/0000100001"]);

    db.store()
        .close_opinion_request(id, NOW + 3 * 60_000)
        .unwrap();
    assert!(listed(db, &dr).is_empty());
    assert_eq!(
        reason(&read_summary(db.conn(), &dr, person(1), at(4)).unwrap()),
        "NO_OPINION_REQUEST"
    );
}

on_both_engines!(
    certification_affairs_sends_a_request_and_it_is_audited,
    other_purposes_offices_and_physicians_are_refused_and_audited,
    an_institution_lists_only_its_own_open_requests,
    a_closed_request_disappears_and_closes_the_view,
);
