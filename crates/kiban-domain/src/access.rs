//! アクセス方針: the one pure function that decides every access to a person's data, and the
//! one table it reads.
//!
//! [`decide`] takes who asks ([`Actor`]), what for ([`Action`] on a [`Category`]), whose data
//! ([`PersonRef`]), when ([`Timestamp`]) and the [`Evidence`] about that person (consents,
//! serving relationships, 主治医意見書作成依頼, the 計画作成依頼届出 and the consent given on the
//! certification application). It returns a [`Decision`] carrying a stable [`Reason`] code. It
//! does no IO: the caller loads the evidence, calls `decide`, audits the decision, and only then
//! touches the data.
//!
//! Checks run from the static to the personal, so that a denial for a static reason (operator,
//! other insurer, matrix) reveals nothing about the person's consents or relationships:
//! 1. the actor kind (operator, citizen = self, municipal staff = own 保険者);
//! 2. the cell of [`matrix::MATRIX`] for (row, category, action);
//! 3. the link: a serving relationship (担当関係), or an open 意見書依頼 for a medical institution;
//! 4. the office's consent (同意), or the application-time consent (申請時同意).
//!
//! [`decide_aggregate`] is its form for counts over a whole 保険者 (no person named): the same
//! actor checks and the same municipal rows of the matrix.
//!
//! `docs/access-policy.md` documents the matrix and every design decision; a unit test keeps its
//! tables identical to [`matrix::render_markdown`] and [`render_reasons_markdown`].

mod consent;
mod decide;
pub mod matrix;
mod reason;

pub use consent::{
    consent_state, serving_state, Consent, ConsentMethod, ConsentMethodKind, ConsentState, EndedBy,
    OpinionRequest, PaperReason, Serving, ServingState,
};
pub use decide::{decide, decide_aggregate, AccessRequest, AggregateRequest, Evidence};
pub use reason::{
    render_card_login_reasons_markdown, render_reasons_markdown, CardLoginReason, Decision, Reason,
};

use crate::codes::ServiceKind;
use crate::date::Date;
use crate::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use serde::{Deserialize, Serialize};

use crate::code_enum::code_enum;

code_enum! {
    /// 情報区分: what is being accessed. 要介護認定情報 is split in two because the national
    /// sharing table treats the 主治医意見書 differently (老健・介護医療院 see it, and physicians
    /// write it); consent is still given per [`ConsentCategory`].
    Category ("情報区分", "information category") {
        /// 資格情報 (証情報): 被保険者証, 負担割合証, 負担限度額認定証, and the progress and result
        /// of a pending certification application (they end up on the 被保険者証).
        Qualification = "qualification", "資格情報";
        /// 要介護認定情報のうち認定調査票 (概況調査・基本調査・特記事項) and the 一次判定.
        CertificationSurvey = "certification_survey", "認定調査票";
        /// 要介護認定情報のうち主治医意見書.
        PhysicianOpinion = "physician_opinion", "主治医意見書";
        /// ケアプラン: 居宅・施設サービス計画書 (第1〜3表), サービス利用票・別表 (第6・7表).
        CarePlan = "care_plan", "ケアプラン";
        /// LIFE 情報 (利用者フィードバック票).
        Life = "life", "LIFE";
        /// 介護保険住宅改修費利用情報 and 福祉用具購入費利用情報.
        HousingEquipment = "housing_equipment", "住宅改修・福祉用具";
    }
}

code_enum! {
    /// 同意区分: the unit in which a person consents or opts out (issue 3, seed 本人同意の取得).
    ConsentCategory ("同意区分", "consent category") {
        Qualification = "qualification", "資格情報";
        /// 要介護認定情報 (認定調査票・主治医意見書).
        Certification = "certification", "要介護認定情報";
        CarePlan = "care_plan", "ケアプラン";
        Life = "life", "LIFE";
        HousingEquipment = "housing_equipment", "住宅改修・福祉用具";
    }
}

impl Category {
    /// The consent that covers this category.
    pub fn consent_category(self) -> ConsentCategory {
        match self {
            Self::Qualification => ConsentCategory::Qualification,
            Self::CertificationSurvey | Self::PhysicianOpinion => ConsentCategory::Certification,
            Self::CarePlan => ConsentCategory::CarePlan,
            Self::Life => ConsentCategory::Life,
            Self::HousingEquipment => ConsentCategory::HousingEquipment,
        }
    }
}

code_enum! {
    /// サービス種別 as the matrix groups it: only the distinctions the sharing table makes.
    OfficeKind ("事業所種別", "office kind") {
        /// 居宅介護支援事業所
        HomeCareSupport = "home_care_support", "居宅介護支援事業所";
        /// 介護予防支援事業所 (地域包括支援センター)
        PreventiveCareSupport = "preventive_care_support", "介護予防支援事業所・地域包括支援センター";
        /// 訪問・通所・短期入所・福祉用具等の居宅サービス事業所 (介護予防・総合事業を含む)
        HomeService = "home_service", "居宅サービス事業所";
        /// 介護老人福祉施設 (特別養護老人ホーム)
        FacilityWelfare = "facility_welfare", "介護老人福祉施設";
        /// 介護老人保健施設
        FacilityHealth = "facility_health", "介護老人保健施設";
        /// 介護医療院 (and the closed 介護療養型医療施設, for historic accounts)
        FacilityMedical = "facility_medical", "介護医療院";
        /// 地域密着型サービス事業所 (小規模多機能, 看護小規模多機能, GH, 地域密着型特養 …)
        CommunityBased = "community_based", "地域密着型サービス事業所";
        /// 医療機関 (みなし介護事業所として WEB サービスに接続)
        MedicalInstitution = "medical_institution", "医療機関";
    }
}

impl OfficeKind {
    /// The matrix row group of a designated サービス種類. `None` for kinds that are not an
    /// office that could log in: 住宅改修 (no designation) and 特定入所者介護サービス費 (a benefit).
    /// Hospital-run みなし指定 services (訪問看護 …) are ordinary 居宅サービス here: the
    /// 意見書依頼 gate is for the medical institution as such.
    pub fn from_service_kind(kind: ServiceKind) -> Option<Self> {
        use ServiceKind::*;
        // No wildcard: a new サービス種類 must be placed here on purpose.
        Some(match kind {
            CareManagement => Self::HomeCareSupport,
            PreventiveCareManagement | ProgramCareManagement => Self::PreventiveCareSupport,
            WelfareFacility => Self::FacilityWelfare,
            HealthFacility => Self::FacilityHealth,
            MedicalCenter | SanatoriumFacility => Self::FacilityMedical,
            CommunitySpecifiedFacilityShortTerm
            | DementiaGroupHome
            | CommunitySpecifiedFacility
            | PreventiveDementiaGroupHome
            | DementiaGroupHomeShortTerm
            | PreventiveDementiaGroupHomeShortTerm
            | CommunityWelfareFacility
            | SmallMultifunctionShortTerm
            | PreventiveSmallMultifunctionShortTerm
            | NightVisitCare
            | DementiaDayCare
            | SmallMultifunction
            | PreventiveDementiaDayCare
            | PreventiveSmallMultifunction
            | RegularRoundVisitCare
            | NursingSmallMultifunction
            | CommunityDayCare
            | NursingSmallMultifunctionShortTerm => Self::CommunityBased,
            HomeVisitCare
            | HomeVisitBathing
            | HomeVisitNursing
            | HomeVisitRehabilitation
            | DayCare
            | DayRehabilitation
            | EquipmentRental
            | ShortStayLiving
            | ShortStayHealthFacility
            | ShortStayHospital
            | PreventiveShortStayLiving
            | PreventiveShortStayHealthFacility
            | PreventiveShortStayHospital
            | SpecifiedFacilityShortTerm
            | ShortStayMedicalCenter
            | PreventiveShortStayMedicalCenter
            | HomeMedicalManagement
            | SpecifiedFacility
            | PreventiveHomeMedicalManagement
            | PreventiveSpecifiedFacility
            | EquipmentPurchase
            | PreventiveEquipmentPurchase
            | PreventiveHomeVisitCare
            | PreventiveHomeVisitBathing
            | PreventiveHomeVisitNursing
            | PreventiveHomeVisitRehabilitation
            | PreventiveDayCare
            | PreventiveDayRehabilitation
            | PreventiveEquipmentRental
            | ProgramVisitDeemed
            | ProgramVisitOwn
            | ProgramVisitOwnRate
            | ProgramVisitOwnAmount
            | ProgramDayDeemed
            | ProgramDayOwn
            | ProgramDayOwnRate
            | ProgramDayOwnAmount
            | ProgramMealsRate
            | ProgramMealsAmount
            | ProgramWatchRate
            | ProgramWatchAmount
            | ProgramOtherRate
            | ProgramOtherAmount => Self::HomeService,
            HomeModification | PreventiveHomeModification | SpecifiedResidentCare => return None,
        })
    }
}

code_enum! {
    /// 職種 of a staff account.
    Job ("職種", "job") {
        /// 介護支援専門員 (主任を含む)
        CareManager = "care_manager", "介護支援専門員";
        /// 看護職員 (保健師・看護師・准看護師)
        Nurse = "nurse", "看護職員";
        /// 介護職員
        CareWorker = "care_worker", "介護職員";
        /// 生活相談員・支援相談員・社会福祉士
        Counselor = "counselor", "相談員";
        /// 事務職員
        Clerk = "clerk", "事務職員";
        /// 医師
        Physician = "physician", "医師";
        /// 理学療法士・作業療法士・言語聴覚士・機能訓練指導員
        Therapist = "therapist", "療法士";
        /// その他 (no specific permission beyond 資格情報)
        Other = "other", "その他";
    }
}

code_enum! {
    /// The kind of a staff login (the `actor_kind` stored with the account): what its
    /// `office_number` names and which [`Actor`] it acts as.
    StaffKind ("アカウント種別", "staff account kind") {
        /// 事業所の職員: `office_number` is a 事業所番号.
        OfficeStaff = "office_staff", "事業所職員";
        /// 医療機関の職員: `office_number` is a 医療機関コード.
        MedicalStaff = "medical_staff", "医療機関職員";
        /// 保険者 (市町村) の職員: `office_number` is a 保険者番号.
        MunicipalStaff = "municipal_staff", "保険者職員";
        /// 運用者: `office_number` is empty.
        Operator = "operator", "運用者";
    }
}

/// Where a staff account belongs: the number stored with it (`office_number`), read as what its
/// [`StaffKind`] says it is. The kind and the number are one value, so an office account
/// cannot hold a 保険者番号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Workplace {
    /// A 介護事業所 (office staff), by 事業所番号.
    Office(OfficeNumber),
    /// A 医療機関 (medical staff), by 医療機関コード.
    Institution(MedicalInstitutionCode),
    /// A 保険者 (municipal staff), by 保険者番号.
    Insurer(InsurerNumber),
    /// The platform (operators): no number, stored as the empty text.
    Platform,
}

impl Workplace {
    /// The account kind this workplace belongs to.
    pub fn kind(self) -> StaffKind {
        match self {
            Self::Office(_) => StaffKind::OfficeStaff,
            Self::Institution(_) => StaffKind::MedicalStaff,
            Self::Insurer(_) => StaffKind::MunicipalStaff,
            Self::Platform => StaffKind::Operator,
        }
    }

    /// The workplace of an account of `kind` whose stored number is `number`; `None` when the
    /// number is not one of that kind's (an operator's is the empty text). A stored 保険者番号
    /// was checked when the account was made, so its check digit is not enforced again.
    pub fn parse(kind: StaffKind, number: &str) -> Option<Self> {
        match kind {
            StaffKind::OfficeStaff => OfficeNumber::parse(number).ok().map(Self::Office),
            StaffKind::MedicalStaff => MedicalInstitutionCode::parse(number)
                .ok()
                .map(Self::Institution),
            StaffKind::MunicipalStaff => {
                InsurerNumber::parse_with(number, crate::ids::CheckDigitPolicy::Warn)
                    .ok()
                    .map(|p| Self::Insurer(p.number))
            }
            StaffKind::Operator => number.is_empty().then_some(Self::Platform),
        }
    }
}

/// The stored number (empty for the platform).
impl std::fmt::Display for Workplace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Office(o) => o.fmt(f),
            Self::Institution(m) => m.fmt(f),
            Self::Insurer(i) => i.fmt(f),
            Self::Platform => Ok(()),
        }
    }
}

code_enum! {
    /// 利用目的 of municipal staff: recorded with every access and limiting the categories.
    Purpose ("利用目的", "purpose") {
        /// 審査: 給付・報酬の審査, 特定事業所集中減算の確認
        Review = "review", "審査";
        /// 指導: 運営指導・監査
        Guidance = "guidance", "指導";
        /// 認定事務: 要介護認定の調査・審査会・決定
        CertificationAffairs = "certification_affairs", "認定事務";
        /// 資格管理: 資格・証の交付, 住宅改修費・福祉用具購入費の支給
        QualificationAdmin = "qualification_admin", "資格管理";
        /// 本人対応: 本人・家族からの相談, 開示請求への対応
        PersonRequest = "person_request", "本人対応";
    }
}

code_enum! {
    /// What the actor does with the category.
    Action ("操作", "action") {
        /// 閲覧 (screen or API read)
        Read = "read", "閲覧";
        /// ダウンロード・介護ソフトへの取込; follows the read permission, audited apart
        Export = "export", "ダウンロード";
        /// 登録 of category data: ケアプラン交付用登録, 主治医意見書の提出, 保険者の記録
        Write = "write", "登録";
        /// 契約時登録: 担当関係の登録と区分ごとの同意の記録・撤回 (needs the person's identity)
        Enrol = "enrol", "同意・担当登録";
    }
}

/// Whose data: a 被保険者 of one 保険者.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonRef {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
}

/// An office or a medical institution: who holds a consent or receives an 意見書依頼.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    Office(OfficeNumber),
    Medical(MedicalInstitutionCode),
}

impl Party {
    /// The registered office of `kind` whose number is `number`: a 医療機関コード for a
    /// [`OfficeKind::MedicalInstitution`], a 事業所番号 for every other kind.
    pub fn of_office(kind: OfficeKind, number: &str) -> Option<Self> {
        match kind {
            OfficeKind::MedicalInstitution => MedicalInstitutionCode::parse(number)
                .ok()
                .map(Self::Medical),
            _ => OfficeNumber::parse(number).ok().map(Self::Office),
        }
    }
}

/// The number (事業所番号 or 医療機関コード).
impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Office(o) => o.fmt(f),
            Self::Medical(m) => m.fmt(f),
        }
    }
}

/// Who asks. Authentication happened before; this is what the policy needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Staff of a 介護事業所 acting under one designated service (its 事業所番号).
    OfficeStaff {
        office: OfficeNumber,
        kind: OfficeKind,
        job: Job,
    },
    /// Staff of a 医療機関 (みなし介護事業所); always the [`OfficeKind::MedicalInstitution`] row.
    MedicalStaff {
        institution: MedicalInstitutionCode,
        job: Job,
    },
    /// 保険者職員 of one 保険者, stating the purpose of this access.
    MunicipalStaff {
        insurer: InsurerNumber,
        purpose: Purpose,
    },
    /// The person, logged in with the My Number card.
    Citizen { person: PersonRef },
    /// 運用者: runs the platform, never reads personal data.
    PlatformOperator,
}

impl Actor {
    /// The actor-kind code of the audit log.
    pub fn kind_code(&self) -> &'static str {
        match self {
            Self::OfficeStaff { .. } => "office_staff",
            Self::MedicalStaff { .. } => "medical_staff",
            Self::MunicipalStaff { .. } => "municipal_staff",
            Self::Citizen { .. } => "citizen",
            Self::PlatformOperator => "operator",
        }
    }

    /// The 職種 of staff, `None` for the other actors.
    pub fn job(&self) -> Option<Job> {
        match self {
            Self::OfficeStaff { job, .. } | Self::MedicalStaff { job, .. } => Some(*job),
            _ => None,
        }
    }
}

/// An instant in milliseconds since the Unix epoch (UTC), the unit of the audit log's `at_ms`.
/// Revocation needs instants, not days: "effective on the next request".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

const MS_PER_DAY: i64 = 86_400_000;
/// Japan has no daylight saving time: JST is always UTC+9.
const JST_OFFSET_MS: i64 = 9 * 3_600_000;

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The calendar date in Japan; 閲覧期限, serving periods and 届出日 are JST dates.
    pub fn jst_date(self) -> Date {
        Date::from_days((self.0 + JST_OFFSET_MS).div_euclid(MS_PER_DAY))
    }

    /// 00:00 JST of `date`.
    pub fn jst_start_of(date: Date) -> Self {
        Self(date.to_days() * MS_PER_DAY - JST_OFFSET_MS)
    }

    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0 + ms)
    }
}

#[cfg(test)]
mod tests;
