//! Who the actor is: operator, citizen, municipal staff, clerks; enrolment; no leaks.

use super::super::*;
use super::*;

#[test]
fn the_operator_is_denied_everything_whatever_the_evidence() {
    let full = Full::new();
    for &category in Category::ALL {
        for &action in Action::ALL {
            for ev in [Evidence::default(), full.evidence()] {
                let r = ask(Actor::PlatformOperator, action, category, ev);
                assert_eq!(
                    r.reason(),
                    Reason::OperatorNoPersonalData,
                    "{category:?} {action:?}"
                );
                assert!(!r.allowed());
            }
        }
    }
}

#[test]
fn a_citizen_sees_only_their_own_data() {
    let me = Actor::Citizen { person: person() };
    let neighbour = Actor::Citizen {
        person: PersonRef {
            insured: InsuredNumber::parse("0000000002").unwrap(),
            ..person()
        },
    };
    for &category in Category::ALL {
        for &action in Action::ALL {
            let r = ask(neighbour, action, category, Evidence::default());
            assert_eq!(r.reason(), Reason::NotSelf);
        }
    }
    let ev = Evidence::default();
    assert_eq!(
        ask(me, Action::Read, Category::CarePlan, ev).reason(),
        Reason::SelfAccess
    );
    assert_eq!(
        ask(me, Action::Export, Category::HousingEquipment, ev).reason(),
        Reason::SelfAccess
    );
    assert_eq!(
        ask(me, Action::Enrol, Category::Life, ev).reason(),
        Reason::SelfAccess
    );
    let opinion = ask(me, Action::Read, Category::PhysicianOpinion, ev).reason();
    assert_eq!(opinion, Reason::CategoryNotPermittedForCitizen);
    // The person's own write is the answer to a plan sent for 同意・確認.
    assert_eq!(
        ask(me, Action::Write, Category::CarePlan, ev).reason(),
        Reason::SelfAccess
    );
    assert_eq!(
        ask(me, Action::Write, Category::Life, ev).reason(),
        Reason::WriteNotPermitted
    );
}

#[test]
fn municipal_staff_of_another_insurer_are_denied() {
    let full = Full::new();
    for &purpose in Purpose::ALL {
        let other = Actor::MunicipalStaff {
            insurer: other_insurer(),
            purpose,
        };
        let own = Actor::MunicipalStaff {
            insurer: person().insurer,
            purpose,
        };
        for &category in Category::ALL {
            for &action in Action::ALL {
                let r = ask(other, action, category, full.evidence());
                assert_eq!(r.reason(), Reason::OtherInsurer);
            }
        }
        assert_eq!(
            ask(
                own,
                Action::Read,
                Category::Qualification,
                Evidence::default()
            )
            .reason(),
            Reason::MunicipalDuty
        );
    }
}

#[test]
fn clerks_see_only_qualification() {
    let full = Full::new();
    for &kind in OfficeKind::ALL {
        let clerk = staff(kind, Job::Clerk);
        for &category in Category::ALL {
            for action in [Action::Read, Action::Export, Action::Write] {
                let r = ask(clerk, action, category, full.evidence());
                let allowed = category == Category::Qualification && action != Action::Write;
                assert_eq!(
                    r.allowed(),
                    allowed,
                    "{kind:?} {category:?} {action:?} {r:?}"
                );
            }
        }
    }
}

#[test]
fn consent_does_not_leak_across_categories_or_offices() {
    let servings = [serving(office())];
    let life_only = [consent(Party::Office(office()), ConsentCategory::Life)];
    let others = all_consents(Party::Office(other_office()));
    let cm = care_manager();
    let r = ask(
        cm,
        Action::Read,
        Category::CarePlan,
        ev(&life_only, &servings, &[]),
    );
    assert_eq!(r.reason(), Reason::ConsentMissing);
    let r = ask(
        cm,
        Action::Read,
        Category::Life,
        ev(&life_only, &servings, &[]),
    );
    assert_eq!(r.reason(), Reason::Consented);
    let r = ask(
        cm,
        Action::Read,
        Category::Life,
        ev(&others, &servings, &[]),
    );
    assert_eq!(r.reason(), Reason::ConsentMissing);
    let other_serving = [serving(other_office())];
    let mine = all_consents(Party::Office(office()));
    let r = ask(
        cm,
        Action::Read,
        Category::Life,
        ev(&mine, &other_serving, &[]),
    );
    assert_eq!(r.reason(), Reason::NotServing);
}

#[test]
fn enrolment_needs_the_person_present_and_proven() {
    let paper = |witness: &str| ConsentMethod::Paper {
        reason: PaperReason::NoCard,
        witness: witness.into(),
    };
    let (witnessed, blank) = (paper("staff-042"), paper("  "));
    let cases = [
        (Some(&ConsentMethod::Card), Reason::IdentityVerified),
        (Some(&witnessed), Reason::IdentityVerified),
        (Some(&blank), Reason::IdentityNotVerified),
        (None, Reason::IdentityNotVerified),
    ];
    for (identity, want) in cases {
        let e = Evidence {
            identity,
            ..Evidence::default()
        };
        for actor in [
            staff(OfficeKind::HomeService, Job::Other),
            doctor(Job::Clerk),
        ] {
            assert_eq!(ask(actor, Action::Enrol, Category::Life, e).reason(), want);
        }
    }
    let municipal = Actor::MunicipalStaff {
        insurer: person().insurer,
        purpose: Purpose::PersonRequest,
    };
    let e = Evidence {
        identity: Some(&ConsentMethod::Card),
        ..Evidence::default()
    };
    assert_eq!(
        ask(municipal, Action::Enrol, Category::Life, e).reason(),
        Reason::ConsentObtainedByOffice
    );
}

#[test]
fn only_certification_affairs_may_send_an_opinion_request() {
    // Sending a 主治医意見書作成依頼 is decided as a write of 主治医意見書: it opens a medical
    // institution's view of the person, so it must stay with the purpose that runs 要介護認定.
    for &purpose in Purpose::ALL {
        let own = Actor::MunicipalStaff {
            insurer: person().insurer,
            purpose,
        };
        let r = ask(
            own,
            Action::Write,
            Category::PhysicianOpinion,
            Evidence::default(),
        );
        assert_eq!(
            r.allowed(),
            purpose == Purpose::CertificationAffairs,
            "{purpose:?} {:?}",
            r.reason()
        );
    }
    let other = Actor::MunicipalStaff {
        insurer: other_insurer(),
        purpose: Purpose::CertificationAffairs,
    };
    let r = ask(
        other,
        Action::Write,
        Category::PhysicianOpinion,
        Evidence::default(),
    );
    assert_eq!(r.reason(), Reason::OtherInsurer);
}

#[test]
fn a_staff_workplace_reads_back_from_its_kind_and_stored_number() {
    let cases = [
        (StaffKind::OfficeStaff, "1370000001"),
        (StaffKind::MedicalStaff, "1310000009"),
        (StaffKind::MunicipalStaff, "131011"),
        (StaffKind::Operator, ""),
    ];
    for (kind, number) in cases {
        let place = Workplace::parse(kind, number).expect(number);
        assert_eq!(place.kind(), kind);
        assert_eq!(place.to_string(), number);
    }
    // The number must be the kind's own: an office account never holds a 保険者番号, an
    // institution's code has 1 or 3 as its third digit, an operator holds none.
    assert_eq!(Workplace::parse(StaffKind::OfficeStaff, "131011"), None);
    assert_eq!(
        Workplace::parse(StaffKind::MedicalStaff, "1370000001"),
        None
    );
    assert_eq!(
        Workplace::parse(StaffKind::MunicipalStaff, "1370000001"),
        None
    );
    assert_eq!(Workplace::parse(StaffKind::Operator, "131011"), None);
}
