//! Every combination of row, category, action, consent state, serving state, 意見書依頼 state,
//! 計画作成依頼届出 and identity proof, checked against an oracle written independently of the
//! table: the permissions are restated as rules from the sharing table (not read from
//! `MATRIX`), and the evidence states as the cases that built them (not re-evaluated).

use super::super::*;
use super::oracle::*;
use super::*;
use crate::records::CarePlanAuthor;
use std::collections::HashSet;

/// The evidence for a case, for the acting `party`, with distractors for other parties that
/// must never count: another office's consents and serving, another party's open request.
struct World {
    consents: Vec<Consent>,
    servings: Vec<Serving>,
    requests: Vec<OpinionRequest>,
    author: CarePlanAuthor,
    identity: Option<ConsentMethod>,
}

fn world(party: Party, case: Case) -> World {
    let other = Party::Office(other_office());
    let mut consents = all_consents(other);
    if case.consent != ConsentCase::Never {
        for mut c in all_consents(party) {
            match case.consent {
                ConsentCase::EndDatePassed => c.valid_until = Some(d("20261014")),
                ConsentCase::RevokedBefore => c.revoked_at = Some(now().plus_millis(-DAY)),
                ConsentCase::RevokedAfterNow => c.revoked_at = Some(now().plus_millis(1)),
                ConsentCase::Granted | ConsentCase::Never => {}
            }
            consents.push(c);
        }
    }
    let mut servings = vec![serving(other_office())];
    match case.serving {
        ServingCase::None => {}
        ServingCase::Active => servings.push(serving(office())),
        ServingCase::Ended => servings.push(Serving {
            office: office(),
            from: d("20260101"),
            until: Some(d("20261014")),
        }),
    }
    let mut requests = vec![open_request(Party::Medical(other_hospital()))];
    match case.request {
        RequestCase::None => {}
        RequestCase::Open => requests.push(open_request(party)),
        RequestCase::Closed => requests.push(OpinionRequest {
            closed_at: Some(now().plus_millis(-HOUR)),
            ..open_request(party)
        }),
    }
    let author = match case.author {
        AuthorCase::ThisOfficeWithApplicationConsent | AuthorCase::ThisOfficeWithout => {
            author(office())
        }
        AuthorCase::OtherOffice => author(other_office()),
        AuthorCase::SelfMade => CarePlanAuthor::SelfMade {
            notified_on: d("20260901"),
        },
    };
    let identity = match case.identity {
        IdentityCase::None => None,
        IdentityCase::Card => Some(ConsentMethod::Card),
        IdentityCase::Paper => Some(ConsentMethod::Paper {
            reason: PaperReason::UnableToOperate,
            witness: "staff-7".into(),
        }),
        IdentityCase::PaperWithoutWitness => Some(ConsentMethod::Paper {
            reason: PaperReason::Other,
            witness: String::new(),
        }),
    };
    World {
        consents,
        servings,
        requests,
        author,
        identity,
    }
}

impl World {
    fn evidence(&self, case: Case) -> Evidence<'_> {
        Evidence {
            consents: &self.consents,
            servings: &self.servings,
            opinion_requests: &self.requests,
            care_plan_author: Some(&self.author),
            application_consent: case.author != AuthorCase::ThisOfficeWithout,
            identity: self.identity.as_ref(),
        }
    }
}

fn cases() -> Vec<Case> {
    use AuthorCase as A;
    use ConsentCase as C;
    use IdentityCase as I;
    use RequestCase as R;
    use ServingCase as S;
    let mut out = Vec::new();
    for consent in [
        C::Never,
        C::Granted,
        C::EndDatePassed,
        C::RevokedBefore,
        C::RevokedAfterNow,
    ] {
        for serving in [S::None, S::Active, S::Ended] {
            for request in [R::None, R::Open, R::Closed] {
                for author in [
                    A::ThisOfficeWithApplicationConsent,
                    A::ThisOfficeWithout,
                    A::OtherOffice,
                    A::SelfMade,
                ] {
                    for identity in [I::None, I::Card, I::Paper, I::PaperWithoutWitness] {
                        out.push(Case {
                            consent,
                            serving,
                            request,
                            author,
                            identity,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Sweeps every staff combination; returns the reasons seen and the number of decisions.
fn sweep_staff() -> (HashSet<Reason>, usize) {
    let mut seen = HashSet::new();
    let mut n = 0;
    // The medical row is reached both as MedicalStaff and as an office-numbered みなし account.
    let parties = [Party::Office(office()), Party::Medical(hospital())];
    for case in cases() {
        for party in parties {
            let w = world(party, case);
            let ev = w.evidence(case);
            for &kind in OfficeKind::ALL {
                let actor_for = |job| match party {
                    Party::Office(office) => Some(Actor::OfficeStaff { office, kind, job }),
                    Party::Medical(institution) if kind == OfficeKind::MedicalInstitution => {
                        Some(Actor::MedicalStaff { institution, job })
                    }
                    Party::Medical(_) => None,
                };
                for &job in Job::ALL {
                    let Some(actor) = actor_for(job) else {
                        continue;
                    };
                    for &category in Category::ALL {
                        for &action in Action::ALL {
                            let req = AccessRequest {
                                actor,
                                action,
                                category,
                                person: person(),
                                at: now(),
                                evidence: ev,
                            };
                            let got = decide(&req);
                            let want = expected(kind, job, category, action, case);
                            assert_eq!(
                                got.reason(),
                                want,
                                "{kind:?} {job:?} {category:?} {action:?} {case:?} {party:?}"
                            );
                            assert_eq!(got.allowed(), want.is_allow());
                            seen.insert(want);
                            n += 1;
                        }
                    }
                }
            }
        }
    }
    (seen, n)
}

/// Citizens, municipal staff and the operator, with no evidence and with everything granted:
/// consents and relationships of offices never change their decisions.
fn sweep_others() -> (HashSet<Reason>, usize) {
    let mut seen = HashSet::new();
    let mut n = 0;
    let full = Case {
        consent: ConsentCase::Granted,
        serving: ServingCase::Active,
        request: RequestCase::Open,
        author: AuthorCase::ThisOfficeWithApplicationConsent,
        identity: IdentityCase::Card,
    };
    let w = world(Party::Office(office()), full);
    let someone_else = PersonRef {
        insured: InsuredNumber::parse("0000000009").unwrap(),
        ..person()
    };
    let mut actors = vec![
        Actor::PlatformOperator,
        Actor::Citizen { person: person() },
        Actor::Citizen {
            person: someone_else,
        },
    ];
    for &purpose in Purpose::ALL {
        actors.push(Actor::MunicipalStaff {
            insurer: person().insurer,
            purpose,
        });
        actors.push(Actor::MunicipalStaff {
            insurer: other_insurer(),
            purpose,
        });
    }
    for ev in [Evidence::default(), w.evidence(full)] {
        for &actor in &actors {
            for &category in Category::ALL {
                for &action in Action::ALL {
                    let want = match actor {
                        Actor::PlatformOperator => Reason::OperatorNoPersonalData,
                        Actor::Citizen { person: p } if p != person() => Reason::NotSelf,
                        Actor::Citizen { .. } => match action {
                            Action::Enrol => Reason::SelfAccess,
                            // The person answers a plan sent for 同意・確認.
                            Action::Write if category == Category::CarePlan => Reason::SelfAccess,
                            Action::Write if citizen_sees(category) => Reason::WriteNotPermitted,
                            Action::Read | Action::Export if citizen_sees(category) => {
                                Reason::SelfAccess
                            }
                            _ => Reason::CategoryNotPermittedForCitizen,
                        },
                        Actor::MunicipalStaff { insurer, .. } if insurer != person().insurer => {
                            Reason::OtherInsurer
                        }
                        Actor::MunicipalStaff { purpose, .. } => match action {
                            Action::Enrol => Reason::ConsentObtainedByOffice,
                            Action::Write if municipal_writes(purpose, category) => {
                                Reason::MunicipalDuty
                            }
                            Action::Write if municipal_reads(purpose, category) => {
                                Reason::WriteNotPermitted
                            }
                            Action::Read | Action::Export if municipal_reads(purpose, category) => {
                                Reason::MunicipalDuty
                            }
                            _ => Reason::CategoryNotPermittedForPurpose,
                        },
                        _ => unreachable!(),
                    };
                    let req = AccessRequest {
                        actor,
                        action,
                        category,
                        person: person(),
                        at: now(),
                        evidence: ev,
                    };
                    assert_eq!(
                        decide(&req).reason(),
                        want,
                        "{actor:?} {category:?} {action:?}"
                    );
                    seen.insert(want);
                    n += 1;
                }
            }
        }
    }
    (seen, n)
}

#[test]
fn every_staff_combination_matches_the_oracle() {
    let (_, n) = sweep_staff();
    // 8 kinds × 8 jobs (+ 8 medical jobs) × 6 categories × 4 actions × 720 cases.
    assert_eq!(n, (8 * 8 + 8) * 6 * 4 * 720);
}

#[test]
fn every_other_actor_combination_matches_the_oracle() {
    let (_, n) = sweep_others();
    assert_eq!(n, 2 * (3 + 2 * 5) * 6 * 4);
}

#[test]
fn the_sweeps_reach_every_reason_code() {
    let (mut seen, _) = sweep_staff();
    seen.extend(sweep_others().0);
    seen.extend(super::aggregate::sweep().0);
    let missing: Vec<_> = Reason::ALL.iter().filter(|r| !seen.contains(r)).collect();
    assert!(missing.is_empty(), "never produced: {missing:?}");
}
