//! Reason codes: every decision, allow or deny, names why. The codes are stable (audit events
//! and API responses carry them), so never rename one; add a new code instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One line per code keeps code, verdict and both messages from drifting apart.
macro_rules! reasons {
    ($($(#[$vmeta:meta])* $variant:ident = $code:literal, $allow:literal, $ja:literal, $en:literal;)*) => {
        /// Why a decision was made. Allow reasons name the legal basis, deny reasons the
        /// first check that failed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Reason {
            $($(#[$vmeta])* $variant,)*
        }

        impl Reason {
            /// Every code, allows first, in the order of the checks.
            pub const ALL: &'static [Reason] = &[$(Self::$variant),*];

            /// The stable SCREAMING_SNAKE_CASE code.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            pub fn is_allow(self) -> bool {
                match self { $(Self::$variant => $allow,)* }
            }

            pub fn message_ja(self) -> &'static str {
                match self { $(Self::$variant => $ja,)* }
            }

            pub fn message_en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

reasons! {
    /// The office (or medical institution) holds the person's consent and is linked to them.
    Consented = "CONSENTED", true,
        "本人の同意があり、担当関係（医療機関は意見書依頼）があります",
        "the person has consented and the office serves them (a medical institution: has an open opinion request)";
    /// 要介護認定情報 to the 計画作成依頼届出 office, on the consent given on the application.
    ApplicationConsent = "APPLICATION_CONSENT", true,
        "要介護認定申請時の同意に基づき、計画作成依頼届出の事業所に共有します",
        "shared with the care-plan office named in the notification, on the consent given on the certification application";
    /// Writing the 主治医意見書 under the 保険者's request.
    OpinionRequest = "OPINION_REQUEST", true,
        "保険者からの主治医意見書作成依頼に基づきます",
        "the insurer has sent this institution an open request for the physician's opinion";
    MunicipalDuty = "MUNICIPAL_DUTY", true,
        "保険者の所掌事務として、記録された利用目的の範囲内で許可します",
        "the insurer's own duty, within the recorded purpose";
    /// The person's own data.
    SelfAccess = "SELF", true,
        "本人による本人の情報へのアクセスです",
        "the person's own data";
    /// Enrolment with the person's identity proven (card, or witnessed paper).
    IdentityVerified = "IDENTITY_VERIFIED", true,
        "本人確認のうえ、同意・担当関係を登録します",
        "enrolment with the person's identity verified";
    OperatorNoPersonalData = "OPERATOR_NO_PERSONAL_DATA", false,
        "運用者は個人の情報にアクセスできません",
        "the platform operator never accesses personal data";
    NotSelf = "NOT_SELF", false,
        "本人以外の情報にはアクセスできません",
        "a citizen may access only their own data";
    OtherInsurer = "OTHER_INSURER", false,
        "他の保険者の被保険者の情報にはアクセスできません",
        "the person belongs to another insurer";
    CategoryNotPermittedForCitizen = "CATEGORY_NOT_PERMITTED_FOR_CITIZEN", false,
        "この情報区分は本人閲覧の対象外です（保険者への開示請求によります）",
        "this category is not shown to the person on the platform (ask the insurer for disclosure)";
    CategoryNotPermittedForPurpose = "CATEGORY_NOT_PERMITTED_FOR_PURPOSE", false,
        "この情報区分は記録された利用目的の範囲外です",
        "this category is outside the recorded purpose";
    /// Consent is obtained by each viewing office, not by the municipality.
    ConsentObtainedByOffice = "CONSENT_OBTAINED_BY_OFFICE", false,
        "同意は閲覧する事業所等が本人から取得します",
        "consent is obtained by the viewing office from the person";
    CategoryNotPermittedForOfficeKind = "CATEGORY_NOT_PERMITTED_FOR_OFFICE_KIND", false,
        "この事業所種別には許可されていない情報区分・操作です",
        "this category and action are not permitted for this kind of office";
    JobNotPermitted = "JOB_NOT_PERMITTED", false,
        "この職種には許可されていない情報区分・操作です",
        "this category and action are not permitted for this job";
    WriteNotPermitted = "WRITE_NOT_PERMITTED", false,
        "この情報区分への登録は許可されていません（閲覧のみ）",
        "this category is read-only for this actor";
    IdentityNotVerified = "IDENTITY_NOT_VERIFIED", false,
        "本人確認（マイナンバーカードまたは立会いのある書面）がありません",
        "the person's identity is not verified (card, or paper with a witness)";
    NoOpinionRequest = "NO_OPINION_REQUEST", false,
        "保険者からの主治医意見書作成依頼がありません",
        "no open request for the physician's opinion from the insurer";
    NotServing = "NOT_SERVING", false,
        "この利用者の担当事業所として登録されていません",
        "the office does not serve this person";
    ServingEnded = "SERVING_ENDED", false,
        "この利用者の担当関係は終了しています",
        "the office's serving relationship with this person has ended";
    ConsentMissing = "CONSENT_MISSING", false,
        "この情報区分について本人の同意がありません",
        "the person has not consented to this category";
    ConsentRevoked = "CONSENT_REVOKED", false,
        "本人が同意を撤回しています",
        "the person has revoked the consent";
    ConsentExpired = "CONSENT_EXPIRED", false,
        "同意の閲覧期限を過ぎています",
        "the consent's end date has passed";
}

impl Reason {
    /// "日本語 / English", the crate's message form.
    pub fn message(self) -> String {
        format!("{} / {}", self.message_ja(), self.message_en())
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} / {}",
            self.code(),
            self.message_ja(),
            self.message_en()
        )
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
        Self::from_code(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown reason code {raw:?}")))
    }
}

/// Allow or deny, with the reason. Built only from a reason, so `allowed` always agrees with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision {
    allowed: bool,
    reason: Reason,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self.allowed
    }

    pub fn reason(self) -> Reason {
        self.reason
    }
}

impl From<Reason> for Decision {
    fn from(reason: Reason) -> Self {
        Self {
            allowed: reason.is_allow(),
            reason,
        }
    }
}

/// The reason-code table of `docs/access-policy.md`.
pub fn render_reasons_markdown() -> String {
    let mut out = String::from("| Code | Decision | 日本語 | English |\n|---|---|---|---|\n");
    for r in Reason::ALL {
        let verdict = if r.is_allow() { "allow" } else { "deny" };
        out.push_str(&format!(
            "| `{}` | {verdict} | {} | {} |\n",
            r.code(),
            r.message_ja(),
            r.message_en()
        ));
    }
    out
}
