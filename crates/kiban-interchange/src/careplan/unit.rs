//! A send unit (facts.md §4 "Send units"): its header, and per person the documents, the lines
//! they came from and the problems. A person with any error in any line is rejected as a whole.

use super::name::V4Kind;
use super::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::{
    CarePlan, Deletion, PlanPerson, ServiceResults, ServiceUse, Supplement, YearMonth,
};
use kiban_domain::ids::OfficeNumber;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The six send units of facts.md §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 第1表 + 第2表 + 補足 (UP1KYO, UP2KYO, UPHOSOKU).
    Plan,
    /// 第6表 + 第7表 + 補足 (UPPLAN, UPHOSOKU).
    ServiceUse,
    /// 第1表_削除 (UP1KYODEL).
    PlanDeletion,
    /// 第6表_削除 (UPPLANDEL).
    ServiceUseDeletion,
    /// 実績 (UPJSK).
    Results,
    /// 実績_削除 (UPJSKDEL).
    ResultsDeletion,
}

impl UnitKind {
    /// The unit a file of `kind` belongs to; `None` for UPHOSOKU, which joins a plan or 利用票 unit.
    pub fn of(kind: V4Kind) -> Option<Self> {
        match kind {
            V4Kind::Plan1 | V4Kind::Plan2 => Some(Self::Plan),
            V4Kind::Supplement => None,
            V4Kind::ServiceUse => Some(Self::ServiceUse),
            V4Kind::Results => Some(Self::Results),
            V4Kind::PlanDeletion => Some(Self::PlanDeletion),
            V4Kind::ServiceUseDeletion => Some(Self::ServiceUseDeletion),
            V4Kind::ResultsDeletion => Some(Self::ResultsDeletion),
        }
    }

    /// The files of the unit, in writing order.
    pub fn files(self) -> &'static [V4Kind] {
        match self {
            Self::Plan => &[V4Kind::Plan1, V4Kind::Plan2, V4Kind::Supplement],
            Self::ServiceUse => &[V4Kind::ServiceUse, V4Kind::Supplement],
            Self::PlanDeletion => &[V4Kind::PlanDeletion],
            Self::ServiceUseDeletion => &[V4Kind::ServiceUseDeletion],
            Self::Results => &[V4Kind::Results],
            Self::ResultsDeletion => &[V4Kind::ResultsDeletion],
        }
    }

    /// Whether the unit is keyed by a 連番 (else by a 対象年月 and has a 送信先).
    pub fn has_serial(self) -> bool {
        matches!(self, Self::Plan | Self::PlanDeletion)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Plan => "居宅サービス計画書(第1表・第2表)",
            Self::ServiceUse => "サービス利用票(第6表・第7表)",
            Self::PlanDeletion => "第1表_削除",
            Self::ServiceUseDeletion => "第6表_削除",
            Self::Results => "実績",
            Self::ResultsDeletion => "実績_削除",
        }
    }
}

/// What identifies a unit: the same for all its files (V5: the `transmission` object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitHeader {
    pub unit: UnitKind,
    /// 連番 (Plan, PlanDeletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<u32>,
    /// 対象年月 (the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<YearMonth>,
    /// 送信元事業所番号: the 居宅介護支援事業所, or the service office for 実績.
    pub sender: OfficeNumber,
    /// 送信先事業所番号 (not for Plan, PlanDeletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<OfficeNumber>,
    /// 作成日時 `YYYYMMDDHHMMSS` of the files.
    pub created: String,
}

/// One document of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "document", rename_all = "snake_case")]
pub enum Document {
    Plan(CarePlan),
    ServiceUse(ServiceUse),
    Results(ServiceResults),
    Supplement(Supplement),
    Deletion(Deletion),
}

impl Document {
    pub fn person(&self) -> PlanPerson {
        match self {
            Self::Plan(d) => d.person,
            Self::ServiceUse(d) => d.person,
            Self::Results(d) => d.person,
            Self::Supplement(d) => d.person,
            Self::Deletion(
                Deletion::Plan { person, .. }
                | Deletion::ServiceUse { person, .. }
                | Deletion::Results { person, .. },
            ) => *person,
        }
    }

    /// Whether the document may travel in a unit of `unit`.
    pub fn fits(&self, unit: UnitKind) -> bool {
        matches!(
            (self, unit),
            (Self::Plan(_), UnitKind::Plan)
                | (Self::Supplement(_), UnitKind::Plan | UnitKind::ServiceUse)
                | (Self::ServiceUse(_), UnitKind::ServiceUse)
                | (Self::Results(_), UnitKind::Results)
                | (
                    Self::Deletion(Deletion::Plan { .. }),
                    UnitKind::PlanDeletion
                )
                | (
                    Self::Deletion(Deletion::ServiceUse { .. }),
                    UnitKind::ServiceUseDeletion
                )
                | (
                    Self::Deletion(Deletion::Results { .. }),
                    UnitKind::ResultsDeletion
                )
        )
    }
}

/// A line a person's documents came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourceLine {
    pub file: String,
    pub line: u64,
}

/// Everything a unit holds for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEntry {
    pub person: PlanPerson,
    /// The documents, in file order; empty when the person is rejected.
    pub documents: Vec<Document>,
    /// Every line of the person, in file order.
    pub sources: Vec<SourceLine>,
    /// Every problem of the person's lines and of the unit's rules about the person.
    pub issues: Vec<LineIssue>,
}

impl PersonEntry {
    /// Rejected as a whole: some line of the person has an error.
    pub fn is_rejected(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// A send unit: read from V4 files ([`super::assemble`]), from V5 documents
/// ([`super::v5_to_unit`]) or built by the application ([`SendUnit::from_documents`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendUnit {
    pub header: UnitHeader,
    /// Ordered by (保険者番号, 被保険者番号).
    pub persons: Vec<PersonEntry>,
    /// Problems of lines that name no readable person, and unit-level warnings.
    pub issues: Vec<LineIssue>,
}

impl SendUnit {
    /// Groups documents by person (ordered by person, documents in the given order).
    pub fn from_documents(header: UnitHeader, documents: Vec<Document>) -> Self {
        let mut by: BTreeMap<PlanPerson, Vec<Document>> = BTreeMap::new();
        for d in documents {
            by.entry(d.person()).or_default().push(d);
        }
        Self {
            header,
            persons: by
                .into_iter()
                .map(|(person, documents)| PersonEntry {
                    person,
                    documents,
                    sources: Vec::new(),
                    issues: Vec::new(),
                })
                .collect(),
            issues: Vec::new(),
        }
    }

    /// The persons kept (no error in any of their lines).
    pub fn accepted(&self) -> impl Iterator<Item = &PersonEntry> {
        self.persons.iter().filter(|p| !p.is_rejected())
    }

    /// The persons refused as a whole.
    pub fn rejected(&self) -> impl Iterator<Item = &PersonEntry> {
        self.persons.iter().filter(|p| p.is_rejected())
    }

    /// Every document of the accepted persons, person by person.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.accepted().flat_map(|p| p.documents.iter())
    }

    /// Every problem: unit-level first, then per person.
    pub fn all_issues(&self) -> impl Iterator<Item = &LineIssue> {
        self.issues
            .iter()
            .chain(self.persons.iter().flat_map(|p| p.issues.iter()))
    }
}
