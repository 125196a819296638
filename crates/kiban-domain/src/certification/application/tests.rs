use super::*;
use std::collections::{BTreeSet, HashSet, VecDeque};

const SURVEYS: [SurveyState; 3] = [
    SurveyState::NotRequested,
    SurveyState::Requested,
    SurveyState::Done,
];
const OPINIONS: [OpinionState; 3] = [
    OpinionState::NotRequested,
    OpinionState::Requested,
    OpinionState::Received,
];

fn gathering(survey: SurveyState, opinion: OpinionState) -> Progress {
    Progress::Gathering { survey, opinion }
}

fn closed(outcome: Outcome) -> Progress {
    Progress::Closed { outcome }
}

/// The specification written out as an explicit list of allowed transitions, independently of
/// the `match` in `apply`.
fn allowed() -> Vec<(Progress, Event, Progress)> {
    use OpinionState as O;
    use SurveyState as S;
    let mut rules = Vec::new();
    for s in SURVEYS {
        for o in OPINIONS {
            let from = gathering(s, o);
            if s == S::NotRequested {
                rules.push((from, Event::RequestSurvey, gathering(S::Requested, o)));
            }
            if s == S::Requested {
                rules.push((from, Event::CompleteSurvey, gathering(S::Done, o)));
            }
            if o == O::NotRequested {
                rules.push((from, Event::RequestOpinion, gathering(s, O::Requested)));
            }
            if o != O::NotRequested {
                rules.push((from, Event::ReceiveOpinion, gathering(s, O::Received)));
            }
            if (s, o) == (S::Done, O::Received) {
                rules.push((from, Event::RecordPrimaryJudgment, Progress::PrimaryJudged));
            }
            rules.push((from, Event::Withdraw, closed(Outcome::Withdrawn)));
        }
    }
    let later = [
        (
            Progress::PrimaryJudged,
            Event::AssignCommittee,
            Progress::CommitteeAssigned,
        ),
        (
            Progress::PrimaryJudged,
            Event::ReceiveOpinion,
            Progress::PrimaryJudged,
        ),
        (
            Progress::PrimaryJudged,
            Event::Withdraw,
            closed(Outcome::Withdrawn),
        ),
        (
            Progress::CommitteeAssigned,
            Event::RecordSecondaryJudgment,
            Progress::SecondaryJudged,
        ),
        (
            Progress::CommitteeAssigned,
            Event::ReceiveOpinion,
            Progress::CommitteeAssigned,
        ),
        (
            Progress::CommitteeAssigned,
            Event::Withdraw,
            closed(Outcome::Withdrawn),
        ),
        (
            Progress::SecondaryJudged,
            Event::Certify,
            closed(Outcome::Certified),
        ),
        (
            Progress::SecondaryJudged,
            Event::Reject,
            closed(Outcome::Rejected),
        ),
        (
            Progress::SecondaryJudged,
            Event::Withdraw,
            closed(Outcome::Withdrawn),
        ),
    ];
    rules.extend(later);
    rules
}

fn reachable() -> Vec<Progress> {
    let mut seen = HashSet::from([Progress::INITIAL]);
    let mut order = vec![Progress::INITIAL];
    let mut queue = VecDeque::from([Progress::INITIAL]);
    while let Some(state) = queue.pop_front() {
        for &event in Event::ALL {
            if let Ok(next) = state.apply(event) {
                if seen.insert(next) {
                    order.push(next);
                    queue.push_back(next);
                }
            }
        }
    }
    order
}

#[test]
fn every_reachable_state_and_event_is_the_allowed_transition_or_refused() {
    let rules = allowed();
    let states = reachable();
    // 9 gathering combinations + 3 judged stages + 3 outcomes.
    assert_eq!(states.len(), 15);
    for &state in &states {
        for &event in Event::ALL {
            let expected: Vec<_> = rules
                .iter()
                .filter(|(from, e, _)| *from == state && *e == event)
                .map(|r| r.2)
                .collect();
            assert!(expected.len() <= 1, "spec lists {state:?} {event:?} twice");
            match (state.apply(event), expected.first()) {
                (Ok(next), Some(&want)) => assert_eq!(next, want, "{state:?} + {event:?}"),
                (Err(err), None) => {
                    assert_eq!(err.status(), state.status(), "{state:?} + {event:?}");
                    assert_eq!(err.event(), event);
                    let msg = err.to_string();
                    assert!(msg.contains(state.status().label()), "{msg}");
                    assert!(msg.contains(event.label()), "{msg}");
                    assert!(msg.contains(state.status().code()), "{msg}");
                    assert!(msg.contains(event.code()), "{msg}");
                }
                (got, want) => panic!("{state:?} + {event:?}: got {got:?}, spec {want:?}"),
            }
        }
    }
}

#[test]
fn every_status_is_reachable_and_terminal_ones_are_closed() {
    let statuses: BTreeSet<Status> = reachable().into_iter().map(Progress::status).collect();
    assert_eq!(statuses.len(), Status::ALL.len());
    for state in reachable() {
        assert_eq!(state.is_terminal(), state.status().is_terminal());
    }
}

#[test]
fn survey_and_opinion_run_in_either_order() {
    use Event::*;
    let run = |events: &[Event]| {
        events
            .iter()
            .try_fold(Progress::INITIAL, |p, &e| p.apply(e))
            .unwrap()
    };
    let a = run(&[
        RequestSurvey,
        RequestOpinion,
        CompleteSurvey,
        ReceiveOpinion,
    ]);
    let b = run(&[
        RequestOpinion,
        ReceiveOpinion,
        RequestSurvey,
        CompleteSurvey,
    ]);
    assert_eq!(a, b);
    assert_eq!(a.status(), Status::MaterialsComplete);
    assert_eq!(
        run(&[RequestSurvey, CompleteSurvey]).status(),
        Status::SurveyDone
    );
    assert_eq!(
        run(&[RequestOpinion, ReceiveOpinion]).status(),
        Status::OpinionReceived
    );
    assert_eq!(run(&[RequestOpinion]).status(), Status::Requested);
}

#[test]
fn a_new_opinion_version_is_accepted_until_the_committee_judged() {
    use Event::*;
    let mut p = Progress::INITIAL;
    for e in [
        RequestSurvey,
        RequestOpinion,
        CompleteSurvey,
        ReceiveOpinion,
        ReceiveOpinion,
    ] {
        p = p.apply(e).unwrap();
    }
    p = p.apply(RecordPrimaryJudgment).unwrap();
    assert_eq!(p.apply(ReceiveOpinion), Ok(Progress::PrimaryJudged));
    p = p.apply(AssignCommittee).unwrap();
    assert_eq!(p.apply(ReceiveOpinion), Ok(Progress::CommitteeAssigned));
    p = p.apply(RecordSecondaryJudgment).unwrap();
    assert_eq!(
        p.apply(ReceiveOpinion),
        Err(TransitionError::AfterSecondaryJudgment {
            status: Status::SecondaryJudged,
            event: ReceiveOpinion
        })
    );
}

#[test]
fn primary_judgment_needs_both_materials() {
    let p = gathering(SurveyState::Done, OpinionState::Requested);
    assert_eq!(
        p.apply(Event::RecordPrimaryJudgment),
        Err(TransitionError::MaterialsIncomplete {
            status: Status::SurveyDone,
            event: Event::RecordPrimaryJudgment
        })
    );
}

#[test]
fn codes_round_trip_and_are_unique() {
    for &s in Status::ALL {
        assert_eq!(Status::from_code(s.code()), Ok(s));
    }
    for &e in Event::ALL {
        assert_eq!(Event::from_code(e.code()), Ok(e));
    }
    assert_eq!(
        ApplicationKind::from_code("level_change"),
        Ok(ApplicationKind::LevelChange)
    );
    assert_eq!(Applicant::Office.label(), "代行");
    assert!(Status::from_code("done").is_err());
}

/// Deserialises from string pairs, standing in for the store's JSON object (kiban-domain has no
/// JSON dependency).
fn from_pairs<'a, T: serde::Deserialize<'a>>(pairs: &[(&'a str, &'a str)]) -> Result<T, String> {
    use serde::de::value::{Error, MapDeserializer};
    T::deserialize(MapDeserializer::<_, Error>::new(pairs.iter().copied()))
        .map_err(|e| e.to_string())
}

#[test]
fn progress_deserialises_from_its_stored_form() {
    let p: Progress = from_pairs(&[
        ("stage", "gathering"),
        ("survey", "done"),
        ("opinion", "requested"),
    ])
    .unwrap();
    assert_eq!(p.status(), Status::SurveyDone);
    let p: Progress = from_pairs(&[("stage", "closed"), ("outcome", "withdrawn")]).unwrap();
    assert_eq!(p.status(), Status::Withdrawn);
    let p: Progress = from_pairs(&[("stage", "primary_judged")]).unwrap();
    assert_eq!(p, Progress::PrimaryJudged);
    assert!(from_pairs::<Progress>(&[("stage", "judged")]).is_err());
}

#[test]
fn every_logged_step_reads_back_from_its_code_and_no_code_is_shared() {
    let mut steps = vec![StepKind::Filed, StepKind::DeadlineExtended];
    steps.extend(Event::ALL.iter().map(|e| StepKind::from(*e)));
    let codes: HashSet<&str> = steps.iter().map(|s| s.code()).collect();
    assert_eq!(codes.len(), steps.len(), "codes are distinct");
    for step in steps {
        assert_eq!(StepKind::from_code(step.code()), Ok(step));
    }
    assert_eq!(StepKind::from_code("file"), Ok(StepKind::Filed));
    assert_eq!(
        StepKind::from_code("request_survey"),
        Ok(StepKind::Event(Event::RequestSurvey))
    );
    let unknown = StepKind::from_code("surveying").unwrap_err();
    assert_eq!(unknown.got, "surveying");
}
