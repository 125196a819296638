//! ケアプランデータ連携 inside the platform (issue 6): care managers register plans (交付用登録)
//! or send drafts to the person (同意・確認用登録), send each service office its サービス利用票
//! (第6・7表), service offices send back 実績; the person answers drafts in the portal; the
//! municipality computes 特定事業所集中減算, caseloads and regional statistics as aggregates.
//!
//! Restraint is built in, because care plans are where the seed's critics see the most risk:
//! - every document is written under one policy decision per person (Write on ケアプラン) and
//!   read under one per person (Read), each an audit event the person sees in the history;
//! - a service office sees only what reached it: plans that name it (once issued, never
//!   drafts) and the 利用票 and 実績 addressed to or sent by it ([`reads`]);
//! - a file sent to a service office may hold only persons that office serves (facts.md §4
//!   send rule): a person it does not serve is refused with the file line ([`register`]);
//! - the municipal console sees aggregates ([`municipal`]): one aggregate decision and event,
//!   cells under 10 persons suppressed; opening one person's plans is a person read under a
//!   stated 利用目的, in that person's history.
//!
//! Modules: [`register`] (the one write path, from V4 files ([`v4`]) or V5 JSON), [`reads`]
//! (the folder of a person, filtered per caller, and the person's answer to a draft),
//! [`drafts`] (the care manager's list of drafts and answers), [`municipal`].

mod body;
pub mod corporations;
pub mod drafts;
pub mod municipal;
pub mod reads;
pub mod register;
pub mod v4;

pub use drafts::{drafts, DraftEntry};
pub use reads::{answer_draft, folder, inbox, Answer, CarePlanFolder, DocumentView, InboxEntry};
pub use register::{register, Document, Incoming, PersonIssue, RegisterReport, Registration};

/// What is recorded of each stored document (`careplan_documents.kind`, `.status`) and the
/// person's answer to a draft: domain types, re-exported where the application always had them.
pub use kiban_domain::careplan::{DocKey, DocKind, DocStatus, PlanDecision};
