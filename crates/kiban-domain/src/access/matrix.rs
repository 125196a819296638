//! The access matrix (別紙4 pattern): one static table, one row per (事業所種別 × 職種), per
//! 利用目的 of municipal staff, for the person and for the operator; one cell per 情報区分
//! saying on what basis the row may read (and export) and write.
//!
//! The national 別紙4 is not public. This table is kiban's documented equivalent, derived from
//! the MHLW sharing table (介護情報基盤による介護情報の共有範囲) and facts.md §6; the reasoning for
//! each choice is in `docs/access-policy.md`.

use super::{Action, Category, Job, OfficeKind, Purpose};
use crate::records::RecordKind;

/// The basis on which a cell permits an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grant {
    /// Not permitted.
    No,
    /// The office's consent for the category, plus the link (serving, or 意見書依頼 for a
    /// medical institution).
    Consent,
    /// As [`Grant::Consent`]; without any consent record, the application-time consent also
    /// serves when this office is named in the 計画作成依頼届出.
    ConsentOrApplication,
    /// An open 主治医意見書作成依頼 addressed to this office or institution.
    OpinionRequest,
    /// Municipal staff of the person's 保険者, for the row's purpose.
    Duty,
    /// The person themself.
    Own,
}

impl Grant {
    /// The symbol in the documented table.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::No => "—",
            Self::Consent => "C",
            Self::ConsentOrApplication => "CA",
            Self::OpinionRequest => "O",
            Self::Duty => "D",
            Self::Own => "S",
        }
    }
}

/// What one row may do with one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Read and export (export follows read; it is a separate action for the audit log).
    pub read: Grant,
    pub write: Grant,
}

impl Cell {
    pub const fn new(read: Grant, write: Grant) -> Self {
        Self { read, write }
    }

    /// The grant for an action; enrolment is not a category access and has no cell.
    pub fn grant(self, action: Action) -> Grant {
        match action {
            Action::Read | Action::Export => self.read,
            Action::Write => self.write,
            Action::Enrol => Grant::No,
        }
    }

    /// "C", "CA", "C / W:O" …
    pub fn symbol(self) -> String {
        match self.write {
            Grant::No => self.read.symbol().to_string(),
            w => format!("{} / W:{}", self.read.symbol(), w.symbol()),
        }
    }
}

/// A row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    Staff(OfficeKind, Job),
    Municipal(Purpose),
    Citizen,
    Operator,
}

impl Row {
    /// Index into [`MATRIX`]: staff rows in `OfficeKind::ALL × Job::ALL` order, then purposes,
    /// then the person, then the operator (a test checks the table is laid out so).
    pub fn index(self) -> usize {
        let staff = OfficeKind::ALL.len() * Job::ALL.len();
        match self {
            Self::Staff(kind, job) => kind.index() * Job::ALL.len() + job.index(),
            Self::Municipal(p) => staff + p.index(),
            Self::Citizen => staff + Purpose::ALL.len(),
            Self::Operator => staff + Purpose::ALL.len() + 1,
        }
    }

    /// The two label columns of the documented table.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Self::Staff(kind, job) => (kind.label(), job.label()),
            Self::Municipal(p) => ("市町村職員（自保険者）", p.label()),
            Self::Citizen => ("本人（マイナポータル）", "—"),
            Self::Operator => ("運用者", "—"),
        }
    }
}

impl Category {
    /// The column a stored record kind falls in (an export of a kind is decided on it): the
    /// three 証 are 資格情報, the two usage records 住宅改修・福祉用具.
    pub fn of_record(kind: RecordKind) -> Self {
        match kind {
            RecordKind::InsuredCard
            | RecordKind::CopayCertificate
            | RecordKind::ReductionCertificate => Self::Qualification,
            RecordKind::HomeModificationUsage | RecordKind::EquipmentPurchaseUsage => {
                Self::HousingEquipment
            }
        }
    }
}

/// The cell of `row` for `category`.
pub fn cell(row: Row, category: Category) -> Cell {
    let (stored, cells) = &MATRIX[row.index()];
    debug_assert_eq!(*stored, row, "MATRIX rows out of order");
    cells[category.index()]
}

const N: Cell = Cell::new(Grant::No, Grant::No);
/// Read with consent.
const C: Cell = Cell::new(Grant::Consent, Grant::No);
/// Read with consent, or the application-time consent for the 計画作成依頼 office.
const CA: Cell = Cell::new(Grant::ConsentOrApplication, Grant::No);
/// Read and write with consent: the care-plan author; a service office's 実績 and LIFE
/// feedback (the application layer limits what each kind of office may send).
const CW: Cell = Cell::new(Grant::Consent, Grant::Consent);
/// Read with consent, write under an open 意見書依頼 (the physician as 主治医).
const CO: Cell = Cell::new(Grant::Consent, Grant::OpinionRequest);
const D: Cell = Cell::new(Grant::Duty, Grant::No);
const DW: Cell = Cell::new(Grant::Duty, Grant::Duty);
const S: Cell = Cell::new(Grant::Own, Grant::No);
/// The person reads, and answers a plan sent for 同意・確認 (confirm or comment).
const SW: Cell = Cell::new(Grant::Own, Grant::Own);

use Job::{CareManager, CareWorker, Clerk, Counselor, Nurse, Other, Physician, Therapist};
use OfficeKind::{
    CommunityBased, FacilityHealth, FacilityMedical, FacilityWelfare, HomeCareSupport, HomeService,
    MedicalInstitution, PreventiveCareSupport,
};

const fn s(kind: OfficeKind, job: Job) -> Row {
    Row::Staff(kind, job)
}

/// Columns: 資格情報, 認定調査票, 主治医意見書, ケアプラン, LIFE, 住宅改修・福祉用具.
#[rustfmt::skip]
pub static MATRIX: [(Row, [Cell; 6]); 71] = [
    // 居宅介護支援: the care manager is the plan author and sees all the seed's ケアマネ list.
    (s(HomeCareSupport, CareManager),       [C, CA, CA, CW, C, C]),
    (s(HomeCareSupport, Nurse),             [C, N, N, N, N, N]),
    (s(HomeCareSupport, CareWorker),        [C, N, N, N, N, N]),
    (s(HomeCareSupport, Counselor),         [C, N, N, N, N, N]),
    (s(HomeCareSupport, Clerk),             [C, N, N, N, N, N]),
    (s(HomeCareSupport, Physician),         [C, N, N, N, N, N]),
    (s(HomeCareSupport, Therapist),         [C, N, N, N, N, N]),
    (s(HomeCareSupport, Other),             [C, N, N, N, N, N]),
    // 介護予防支援: 担当職員 may be 保健師 (Nurse) or 社会福祉士 (Counselor) as well.
    (s(PreventiveCareSupport, CareManager), [C, CA, CA, CW, C, C]),
    (s(PreventiveCareSupport, Nurse),       [C, CA, CA, CW, C, C]),
    (s(PreventiveCareSupport, CareWorker),  [C, N, N, N, N, N]),
    (s(PreventiveCareSupport, Counselor),   [C, CA, CA, CW, C, C]),
    (s(PreventiveCareSupport, Clerk),       [C, N, N, N, N, N]),
    (s(PreventiveCareSupport, Physician),   [C, N, N, N, N, N]),
    (s(PreventiveCareSupport, Therapist),   [C, N, N, N, N, N]),
    (s(PreventiveCareSupport, Other),       [C, N, N, N, N, N]),
    // 居宅サービス: the seed's 介護事業者 list (被保険者証, LIFE, ケアプラン); clinical staff send
    // 実績 (a ケアプラン write) and LIFE feedback for the persons they serve.
    (s(HomeService, CareManager),           [C, N, N, CW, CW, N]),
    (s(HomeService, Nurse),                 [C, N, N, CW, CW, N]),
    (s(HomeService, CareWorker),            [C, N, N, CW, CW, N]),
    (s(HomeService, Counselor),             [C, N, N, CW, CW, N]),
    (s(HomeService, Clerk),                 [C, N, N, N, N, N]),
    (s(HomeService, Physician),             [C, N, N, CW, CW, N]),
    (s(HomeService, Therapist),             [C, N, N, CW, CW, N]),
    (s(HomeService, Other),                 [C, N, N, N, N, N]),
    // 介護老人福祉施設: the 施設ケアマネ writes the 施設サービス計画 (seed ※1).
    (s(FacilityWelfare, CareManager),       [C, C, C, CW, CW, N]),
    (s(FacilityWelfare, Nurse),             [C, N, N, C, CW, N]),
    (s(FacilityWelfare, CareWorker),        [C, N, N, C, CW, N]),
    (s(FacilityWelfare, Counselor),         [C, N, N, C, CW, N]),
    (s(FacilityWelfare, Clerk),             [C, N, N, N, N, N]),
    (s(FacilityWelfare, Physician),         [C, N, N, C, CW, N]),
    (s(FacilityWelfare, Therapist),         [C, N, N, C, CW, N]),
    (s(FacilityWelfare, Other),             [C, N, N, N, N, N]),
    // 介護老人保健施設: 主治医意見書 shared with and written by the facility (seed ※2).
    (s(FacilityHealth, CareManager),        [C, C, C, CW, CW, N]),
    (s(FacilityHealth, Nurse),              [C, N, C, C, CW, N]),
    (s(FacilityHealth, CareWorker),         [C, N, N, C, CW, N]),
    (s(FacilityHealth, Counselor),          [C, N, N, C, CW, N]),
    (s(FacilityHealth, Clerk),              [C, N, N, N, N, N]),
    (s(FacilityHealth, Physician),          [C, N, CO, C, CW, N]),
    (s(FacilityHealth, Therapist),          [C, N, N, C, CW, N]),
    (s(FacilityHealth, Other),              [C, N, N, N, N, N]),
    // 介護医療院: as 老健 (seed ※2).
    (s(FacilityMedical, CareManager),       [C, C, C, CW, CW, N]),
    (s(FacilityMedical, Nurse),             [C, N, C, C, CW, N]),
    (s(FacilityMedical, CareWorker),        [C, N, N, C, CW, N]),
    (s(FacilityMedical, Counselor),         [C, N, N, C, CW, N]),
    (s(FacilityMedical, Clerk),             [C, N, N, N, N, N]),
    (s(FacilityMedical, Physician),         [C, N, CO, C, CW, N]),
    (s(FacilityMedical, Therapist),         [C, N, N, C, CW, N]),
    (s(FacilityMedical, Other),             [C, N, N, N, N, N]),
    // 地域密着型: the 小規模多機能 care manager plans in place of 居宅介護支援 (seed ※1).
    (s(CommunityBased, CareManager),        [C, CA, CA, CW, CW, C]),
    (s(CommunityBased, Nurse),              [C, N, N, CW, CW, N]),
    (s(CommunityBased, CareWorker),         [C, N, N, CW, CW, N]),
    (s(CommunityBased, Counselor),          [C, N, N, CW, CW, N]),
    (s(CommunityBased, Clerk),              [C, N, N, N, N, N]),
    (s(CommunityBased, Physician),          [C, N, N, CW, CW, N]),
    (s(CommunityBased, Therapist),          [C, N, N, CW, CW, N]),
    (s(CommunityBased, Other),              [C, N, N, N, N, N]),
    // 医療機関: only under an open 意見書依頼; clinical staff see the seed's four kinds.
    (s(MedicalInstitution, CareManager),    [C, N, N, N, N, N]),
    (s(MedicalInstitution, Nurse),          [C, C, C, C, C, N]),
    (s(MedicalInstitution, CareWorker),     [C, N, N, N, N, N]),
    (s(MedicalInstitution, Counselor),      [C, N, N, N, N, N]),
    (s(MedicalInstitution, Clerk),          [C, N, N, N, N, N]),
    (s(MedicalInstitution, Physician),      [C, C, CO, C, C, N]),
    (s(MedicalInstitution, Therapist),      [C, N, N, N, N, N]),
    (s(MedicalInstitution, Other),          [C, N, N, N, N, N]),
    // 市町村職員: own 保険者 only; the purpose narrows the categories (need to know). 認定事務
    // writes 主治医意見書 in the sense of sending the 意見書依頼 that opens an institution's view.
    (Row::Municipal(Purpose::Review),               [D, N, N, D, N, D]),
    (Row::Municipal(Purpose::Guidance),             [D, N, N, D, D, N]),
    (Row::Municipal(Purpose::CertificationAffairs), [D, DW, DW, N, N, N]),
    (Row::Municipal(Purpose::QualificationAdmin),   [DW, N, N, N, N, DW]),
    (Row::Municipal(Purpose::PersonRequest),        [D, D, D, D, D, D]),
    // 本人: the seed's マイナポータル list; 認定調査票・主治医意見書 go through 開示請求.
    (Row::Citizen,                                  [S, N, N, SW, S, S]),
    (Row::Operator,                                 [N, N, N, N, N, N]),
];

/// The matrix section of `docs/access-policy.md`.
pub fn render_markdown() -> String {
    let mut out = String::from("| 区分 | 職種・目的 |");
    for c in Category::ALL {
        out.push_str(&format!(" {} |", c.label()));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(Category::ALL.len()));
    out.push('\n');
    for (row, cells) in &MATRIX {
        let (group, who) = row.labels();
        out.push_str(&format!("| {group} | {who} |"));
        for c in cells {
            out.push_str(&format!(" {} |", c.symbol()));
        }
        out.push('\n');
    }
    out
}
