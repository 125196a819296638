//! 申請 and its progress: the state machine of one 要介護認定 application.
//!
//! The 認定調査 and the 主治医意見書 are requested and come back independently (facts.md §3: "run
//! in parallel"), so [`Progress::Gathering`] holds two sub-states instead of one linear status;
//! a linear status would force an order that municipalities do not follow. From the 一次判定 on,
//! the steps are a sequence, and each is its own variant, so a state such as "一次判定済 without
//! a survey" cannot be represented, not even by a hand-edited JSON row.

use crate::code_enum::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// 申請区分: decides the legal range of the 有効期間 and where it starts.
    ApplicationKind ("申請区分", "application kind") {
        New = "new", "新規";
        Renewal = "renewal", "更新";
        /// 区分変更: the person's state changed during a valid certification.
        LevelChange = "level_change", "区分変更";
    }
}

code_enum! {
    /// 申請者: who filed. For 代行 (居宅介護支援事業所, 地域包括支援センター, 介護保険施設 …) the
    /// caller keeps the 事業所番号 next to this value, so that this enum stays a plain code.
    Applicant ("申請者区分", "applicant") {
        Person = "person", "本人";
        Family = "family", "家族";
        Office = "office", "代行";
    }
}

code_enum! {
    /// The one display status. Codes are stable (stored and sent over the API); the labels follow
    /// the [proposed] enum of facts.md §3, with 調査・意見書完了 added for the moment both are in
    /// but the 一次判定 is not yet recorded.
    Status ("認定進捗", "certification status") {
        Received = "received", "申請受付";
        /// At least one of 認定調査 / 主治医意見書 requested, neither back yet.
        Requested = "requested", "調査・意見書依頼済";
        /// 認定調査 done, 主治医意見書 not yet received.
        SurveyDone = "survey_done", "調査完了";
        /// 主治医意見書 received, 認定調査 not yet done.
        OpinionReceived = "opinion_received", "意見書受領";
        /// Both in: waiting for the 一次判定.
        MaterialsComplete = "materials_complete", "調査・意見書完了";
        PrimaryJudged = "primary_judged", "一次判定済";
        CommitteeAssigned = "committee_assigned", "審査会割当済";
        SecondaryJudged = "secondary_judged", "二次判定済";
        /// 認定 (結果通知済).
        Certified = "certified", "認定";
        Rejected = "rejected", "却下";
        Withdrawn = "withdrawn", "取下げ";
    }
}

impl Status {
    /// Whether nothing can happen any more (the 30-day deadline no longer runs).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Certified | Self::Rejected | Self::Withdrawn)
    }
}

code_enum! {
    /// What the municipality (or the applicant, for 取下げ) records against an application.
    Event ("認定事象", "certification event") {
        RequestSurvey = "request_survey", "認定調査依頼";
        RequestOpinion = "request_opinion", "主治医意見書依頼";
        CompleteSurvey = "complete_survey", "認定調査完了";
        /// Repeated while already received = a new version of the 意見書 (a correction by the
        /// 主治医); the version itself is kept with the document, not in [`Progress`].
        ReceiveOpinion = "receive_opinion", "主治医意見書受領";
        RecordPrimaryJudgment = "record_primary_judgment", "一次判定記録";
        AssignCommittee = "assign_committee", "審査会割当";
        RecordSecondaryJudgment = "record_secondary_judgment", "二次判定記録";
        Certify = "certify", "認定";
        Reject = "reject", "却下";
        Withdraw = "withdraw", "取下げ";
    }
}

/// One entry of an application's step log, as stored: the filing (申請受付), one [`Event`], or
/// the 処理延期 (which moves the due day and leaves the [`Progress`] as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    Filed,
    Event(Event),
    DeadlineExtended,
}

impl StepKind {
    /// The stored code: `file`, the event's own code, or `extend_deadline`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Filed => "file",
            Self::Event(e) => e.code(),
            Self::DeadlineExtended => "extend_deadline",
        }
    }

    /// The Japanese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "申請受付",
            Self::Event(e) => e.label(),
            Self::DeadlineExtended => "処理延期",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, crate::codes::CodeError> {
        match code {
            "file" => Ok(Self::Filed),
            "extend_deadline" => Ok(Self::DeadlineExtended),
            _ => Event::from_code(code)
                .map(Self::Event)
                .map_err(|_| crate::codes::CodeError {
                    table: "認定記録事象",
                    english: "certification step",
                    got: code.to_string(),
                }),
        }
    }
}

impl From<Event> for StepKind {
    fn from(event: Event) -> Self {
        Self::Event(event)
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Serialised as its code, as the event log stores it.
impl Serialize for StepKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// 認定調査 sub-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    NotRequested,
    Requested,
    Done,
}

/// 主治医意見書 sub-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpinionState {
    NotRequested,
    Requested,
    Received,
}

/// How an application ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 認定 (要支援・要介護) and 結果通知済.
    Certified,
    /// 却下. A 非該当 二次判定 also ends here: it grants no 有効期間 and no benefits, so for the
    /// workflow it is a refusal [decision; the legal form of the 非該当 notice is unverified].
    Rejected,
    Withdrawn,
}

/// The state of one application. Stored as JSON, tagged by `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Progress {
    /// From 申請受付 until both the survey and the opinion are in.
    Gathering {
        survey: SurveyState,
        opinion: OpinionState,
    },
    /// 一次判定済: survey done and opinion received by construction.
    PrimaryJudged,
    CommitteeAssigned,
    SecondaryJudged,
    Closed {
        outcome: Outcome,
    },
}

impl Default for Progress {
    fn default() -> Self {
        Self::INITIAL
    }
}

/// Why an event was refused. Every variant names the status it was refused in and the event,
/// so the message shown to staff says both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("「{status}」の申請は終結しているため「{event}」はできません / application is closed ({}); {} refused", .status.code(), .event.code())]
    Closed { status: Status, event: Event },
    #[error("「{status}」の状態で「{event}」は既に済んでいます / in status {} the request {} was already made", .status.code(), .event.code())]
    AlreadyRequested { status: Status, event: Event },
    #[error("「{status}」の状態では依頼前のため「{event}」はできません / in status {} nothing was requested yet, {} refused", .status.code(), .event.code())]
    NotRequested { status: Status, event: Event },
    #[error("「{status}」の状態で認定調査は既に完了しています（「{event}」不可） / in status {} the survey is already complete, {} refused", .status.code(), .event.code())]
    AlreadyCompleted { status: Status, event: Event },
    #[error("「{status}」の状態では認定調査の完了と主治医意見書の受領が揃っていないため「{event}」はできません / in status {} survey and opinion are not both in, {} refused", .status.code(), .event.code())]
    MaterialsIncomplete { status: Status, event: Event },
    #[error("「{status}」の状態では二次判定後のため「{event}」はできません / in status {} the committee has judged, {} refused", .status.code(), .event.code())]
    AfterSecondaryJudgment { status: Status, event: Event },
    #[error("「{status}」の状態では「{event}」は手順が違います / in status {} the event {} is out of order", .status.code(), .event.code())]
    OutOfOrder { status: Status, event: Event },
}

impl TransitionError {
    pub fn status(self) -> Status {
        match self {
            Self::Closed { status, .. }
            | Self::AlreadyRequested { status, .. }
            | Self::NotRequested { status, .. }
            | Self::AlreadyCompleted { status, .. }
            | Self::MaterialsIncomplete { status, .. }
            | Self::AfterSecondaryJudgment { status, .. }
            | Self::OutOfOrder { status, .. } => status,
        }
    }

    pub fn event(self) -> Event {
        match self {
            Self::Closed { event, .. }
            | Self::AlreadyRequested { event, .. }
            | Self::NotRequested { event, .. }
            | Self::AlreadyCompleted { event, .. }
            | Self::MaterialsIncomplete { event, .. }
            | Self::AfterSecondaryJudgment { event, .. }
            | Self::OutOfOrder { event, .. } => event,
        }
    }
}

impl Progress {
    /// 申請受付: nothing requested yet.
    pub const INITIAL: Progress = Progress::Gathering {
        survey: SurveyState::NotRequested,
        opinion: OpinionState::NotRequested,
    };

    pub fn status(self) -> Status {
        use OpinionState as O;
        use SurveyState as S;
        match self {
            Self::Gathering { survey, opinion } => match (survey, opinion) {
                (S::NotRequested, O::NotRequested) => Status::Received,
                (S::Done, O::Received) => Status::MaterialsComplete,
                (S::Done, _) => Status::SurveyDone,
                (_, O::Received) => Status::OpinionReceived,
                _ => Status::Requested,
            },
            Self::PrimaryJudged => Status::PrimaryJudged,
            Self::CommitteeAssigned => Status::CommitteeAssigned,
            Self::SecondaryJudged => Status::SecondaryJudged,
            Self::Closed { outcome } => match outcome {
                Outcome::Certified => Status::Certified,
                Outcome::Rejected => Status::Rejected,
                Outcome::Withdrawn => Status::Withdrawn,
            },
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed { .. })
    }

    /// The state after `event`, or why it is refused. A new 主治医意見書 version after the
    /// 一次判定 keeps the stage: whether the 一次判定 must be re-run is the municipality's call,
    /// and the 審査会 sees the latest version anyway.
    pub fn apply(self, event: Event) -> Result<Progress, TransitionError> {
        use Event as E;
        use OpinionState as O;
        use SurveyState as S;
        let status = self.status();
        let refuse = |make: fn(Status, Event) -> TransitionError| Err(make(status, event));
        let closed = |status, event| TransitionError::Closed { status, event };
        let out_of_order = |status, event| TransitionError::OutOfOrder { status, event };
        match (self, event) {
            (Self::Closed { .. }, _) => refuse(closed),
            (_, E::Withdraw) => Ok(Self::Closed {
                outcome: Outcome::Withdrawn,
            }),
            (Self::Gathering { survey, opinion }, event) => match (event, survey, opinion) {
                (E::RequestSurvey, S::NotRequested, _) => Ok(Self::Gathering {
                    survey: S::Requested,
                    opinion,
                }),
                (E::RequestSurvey, _, _) | (E::RequestOpinion, _, O::Requested | O::Received) => {
                    refuse(|status, event| TransitionError::AlreadyRequested { status, event })
                }
                (E::RequestOpinion, _, O::NotRequested) => Ok(Self::Gathering {
                    survey,
                    opinion: O::Requested,
                }),
                (E::CompleteSurvey, S::Requested, _) => Ok(Self::Gathering {
                    survey: S::Done,
                    opinion,
                }),
                (E::CompleteSurvey, S::Done, _) => {
                    refuse(|status, event| TransitionError::AlreadyCompleted { status, event })
                }
                (E::CompleteSurvey, S::NotRequested, _)
                | (E::ReceiveOpinion, _, O::NotRequested) => {
                    refuse(|status, event| TransitionError::NotRequested { status, event })
                }
                (E::ReceiveOpinion, _, O::Requested | O::Received) => Ok(Self::Gathering {
                    survey,
                    opinion: O::Received,
                }),
                (E::RecordPrimaryJudgment, S::Done, O::Received) => Ok(Self::PrimaryJudged),
                (E::RecordPrimaryJudgment, _, _) => {
                    refuse(|status, event| TransitionError::MaterialsIncomplete { status, event })
                }
                _ => refuse(out_of_order),
            },
            (Self::PrimaryJudged, E::AssignCommittee) => Ok(Self::CommitteeAssigned),
            (Self::CommitteeAssigned, E::RecordSecondaryJudgment) => Ok(Self::SecondaryJudged),
            (Self::PrimaryJudged | Self::CommitteeAssigned, E::ReceiveOpinion) => Ok(self),
            (Self::SecondaryJudged, E::ReceiveOpinion) => {
                refuse(|status, event| TransitionError::AfterSecondaryJudgment { status, event })
            }
            (Self::SecondaryJudged, E::Certify) => Ok(Self::Closed {
                outcome: Outcome::Certified,
            }),
            (Self::SecondaryJudged, E::Reject) => Ok(Self::Closed {
                outcome: Outcome::Rejected,
            }),
            _ => refuse(out_of_order),
        }
    }
}

#[cfg(test)]
mod tests;
