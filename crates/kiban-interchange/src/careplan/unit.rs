//! A transmission unit of the official layout (本文 2.4/3.4: the files that share one `T` in
//! their names, the ファイル連番): its header, and per person the documents, the lines they came
//! from and the problems. A person with any error in any line is refused as a whole.

use super::name::{FileKind, FileName};
use crate::careplan::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::{
    BasicInfo, CarePlan, Deletion, PreventionPlan, ServiceResults, ServiceUse, Supplement,
};
use kiban_domain::careplan::{PlanPerson, YearMonth};
use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::OfficeNumber;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The transmission units of 本文 2.4 and 3.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// ① 第1表 + 第2表 + 第3表 + 利用者補足情報 (UP1KYO, UP2KYO, UP3KYO, UPHOSOKU 000000).
    Plan,
    /// ② 第6表 + 第7表 + 利用者補足情報 (UPPLAN, UPSIKYU, UPHOSOKU 提供年月).
    ServiceUse,
    /// ③ 第1表_削除 (DLT1KYO).
    PlanDeletion,
    /// ④ 第6表_削除 (DLTPLAN).
    ServiceUseDeletion,
    /// 実績 (UPJSK), from a service office.
    Results,
    /// 実績_削除 (DLTJSK).
    ResultsDeletion,
    /// 介護予防 ① 利用者基本情報 with 別表1, 別表2 (UPKIHON, UPKIHON_SUB1, UPKIHON_SUB2).
    BasicInfo,
    /// 介護予防 ②③ 介護予防サービス・支援計画書 with its 別表, and optionally 利用者基本情報.
    PreventionPlan,
    /// 利用者基本情報_削除 (DLTKIHON).
    BasicInfoDeletion,
    /// 介護予防サービス・支援計画書_削除 (DLTYOBO).
    PreventionPlanDeletion,
}

impl UnitKind {
    /// The files a unit may hold, in writing order.
    pub fn files(self) -> &'static [FileKind] {
        use FileKind as F;
        match self {
            Self::Plan => &[F::Plan1, F::Plan2, F::Plan3, F::Supplement],
            Self::ServiceUse => &[F::UsePlan, F::Limit, F::Supplement],
            Self::PlanDeletion => &[F::Plan1Deletion],
            Self::ServiceUseDeletion => &[F::UsePlanDeletion],
            Self::Results => &[F::UseResults],
            Self::ResultsDeletion => &[F::UseResultsDeletion],
            Self::BasicInfo => &[F::BasicInfo, F::DailySchedule, F::MedicalHistory],
            Self::PreventionPlan => &[
                F::PreventionPlan,
                F::SupportPlan,
                F::BasicInfo,
                F::DailySchedule,
                F::MedicalHistory,
            ],
            Self::BasicInfoDeletion => &[F::BasicInfoDeletion],
            Self::PreventionPlanDeletion => &[F::PreventionPlanDeletion],
        }
    }

    /// The files a unit must hold (本文 2.2: without the ○ files an exchange is not
    /// ケアプランデータ連携).
    pub fn required(self) -> &'static [FileKind] {
        use FileKind as F;
        match self {
            Self::Plan => &[F::Plan1, F::Plan2, F::Plan3, F::Supplement],
            Self::ServiceUse => &[F::UsePlan, F::Limit, F::Supplement],
            Self::PreventionPlan => &[F::PreventionPlan],
            other => &other.files()[..1],
        }
    }

    /// The unit a set of file kinds makes, when there is exactly one.
    pub fn of(kinds: &[FileKind]) -> Option<Self> {
        const ALL: [UnitKind; 10] = [
            UnitKind::Plan,
            UnitKind::ServiceUse,
            UnitKind::PlanDeletion,
            UnitKind::ServiceUseDeletion,
            UnitKind::Results,
            UnitKind::ResultsDeletion,
            UnitKind::BasicInfo,
            UnitKind::PreventionPlan,
            UnitKind::BasicInfoDeletion,
            UnitKind::PreventionPlanDeletion,
        ];
        // The narrowest unit that holds every kind: 利用者基本情報 alone is its own unit, with a
        // 介護予防計画書 it joins that one.
        ALL.into_iter()
            .filter(|u| kinds.iter().all(|k| u.files().contains(k)))
            .min_by_key(|u| u.files().len())
    }

    /// Whether the files carry a 対象年月 (the month-bound units).
    pub fn is_monthly(self) -> bool {
        matches!(
            self,
            Self::ServiceUse | Self::ServiceUseDeletion | Self::Results | Self::ResultsDeletion
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Plan => "居宅サービス計画書（第1表・第2表・第3表）",
            Self::ServiceUse => "サービス利用票（第6表・第7表）",
            Self::PlanDeletion => "第1表_削除",
            Self::ServiceUseDeletion => "第6表_削除",
            Self::Results => "実績",
            Self::ResultsDeletion => "実績_削除",
            Self::BasicInfo => "利用者基本情報",
            Self::PreventionPlan => "介護予防サービス・支援計画書",
            Self::BasicInfoDeletion => "利用者基本情報_削除",
            Self::PreventionPlanDeletion => "介護予防サービス・支援計画書_削除",
        }
    }
}

/// What identifies a unit: the `T` of its file names and its month (V5: `transmission`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitHeader {
    pub unit: UnitKind,
    /// 対象年月 (the month-bound units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<YearMonth>,
    /// 送信元: the 居宅介護支援事業所 or 地域包括支援センター, or the service office for 実績.
    pub sender: OfficeNumber,
    pub sender_kind: ServiceKind,
    /// 送信先.
    pub receiver: OfficeNumber,
    pub receiver_kind: ServiceKind,
    /// 作成日時 `YYYYMMDDHHMMSS`: the ファイル連番 of the unit.
    pub created: String,
}

impl UnitHeader {
    /// The name of the unit's file of `kind`.
    pub fn file_name(&self, kind: FileKind) -> FileName {
        let month = match kind {
            // A 補足 sent with 第1表 carries 000000.
            FileKind::Supplement if self.unit == UnitKind::Plan => None,
            _ => self.month,
        };
        FileName {
            kind,
            month,
            sender: self.sender,
            sender_kind: self.sender_kind,
            receiver: self.receiver,
            receiver_kind: self.receiver_kind,
            created: self.created.clone(),
            branch: None,
        }
    }
}

/// One document of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "document", rename_all = "snake_case")]
pub enum Document {
    Plan(Box<CarePlan>),
    ServiceUse(Box<ServiceUse>),
    Results(Box<ServiceResults>),
    Supplement(Box<Supplement>),
    BasicInfo(Box<BasicInfo>),
    PreventionPlan(Box<PreventionPlan>),
    Deletion(Deletion),
}

impl Document {
    pub fn person(&self) -> PlanPerson {
        match self {
            Self::Plan(d) => d.person,
            Self::ServiceUse(d) => d.person,
            Self::Results(d) => d.person,
            Self::Supplement(d) => d.person,
            Self::BasicInfo(d) => d.person,
            Self::PreventionPlan(d) => d.person,
            Self::Deletion(d) => d.person(),
        }
    }

    /// The kind name of V5 JSON.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Plan(_) => "plan",
            Self::ServiceUse(_) => "service_use",
            Self::Results(_) => "results",
            Self::Supplement(_) => "supplement",
            Self::BasicInfo(_) => "basic_info",
            Self::PreventionPlan(_) => "prevention_plan",
            Self::Deletion(_) => "deletion",
        }
    }

    /// Whether the document may travel in a unit of `unit`.
    pub fn fits(&self, unit: UnitKind) -> bool {
        use UnitKind as U;
        matches!(
            (self, unit),
            (Self::Plan(_), U::Plan)
                | (Self::Supplement(_), U::Plan | U::ServiceUse)
                | (Self::ServiceUse(_), U::ServiceUse)
                | (Self::Results(_), U::Results)
                | (Self::BasicInfo(_), U::BasicInfo | U::PreventionPlan)
                | (Self::PreventionPlan(_), U::PreventionPlan)
                | (Self::Deletion(Deletion::Plan { .. }), U::PlanDeletion)
                | (
                    Self::Deletion(Deletion::ServiceUse { .. }),
                    U::ServiceUseDeletion
                )
                | (Self::Deletion(Deletion::Results { .. }), U::ResultsDeletion)
                | (
                    Self::Deletion(Deletion::BasicInfo { .. }),
                    U::BasicInfoDeletion
                )
                | (
                    Self::Deletion(Deletion::PreventionPlan { .. }),
                    U::PreventionPlanDeletion
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
    /// The documents; empty when the person is refused.
    pub documents: Vec<Document>,
    /// Every line of the person, in file order.
    pub sources: Vec<SourceLine>,
    /// Every problem of the person's lines and of the unit's rules about the person.
    pub issues: Vec<LineIssue>,
}

impl PersonEntry {
    /// Refused as a whole: some line of the person has an error.
    pub fn is_rejected(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// A transmission unit: read from files ([`super::assemble`]), from V5 documents or built by
/// the application ([`SendUnit::from_documents`]).
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
