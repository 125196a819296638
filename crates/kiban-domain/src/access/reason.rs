//! Reason codes: every decision, allow or deny, names why, and so does every failed card login
//! ([`CardLoginReason`]). The codes are stable (audit events and API responses carry them), so
//! never rename one; add a new code instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One line per code keeps code, verdict and both messages from drifting apart.
macro_rules! reasons {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal, $allow:literal, $ja:literal, $en:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every code, in the order of the checks.
            pub const ALL: &'static [$name] = &[$(Self::$variant),*];

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

            /// "日本語 / English", the crate's message form.
            pub fn message(self) -> String {
                format!("{} / {}", self.message_ja(), self.message_en())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}: {} / {}", self.code(), self.message_ja(), self.message_en())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
                Self::from_code(&raw)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown reason code {raw:?}")))
            }
        }
    };
}

reasons! {
    /// Why a decision was made. Allow reasons name the legal basis, deny reasons the first check
    /// that failed; allows come first.
    Reason {
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
        /// Counts over every insured person of the staff member's own 保険者 (`kiban stats`), under
        /// a purpose that may read the category; no single person's values leave.
        MunicipalAggregate = "MUNICIPAL_AGGREGATE", true,
            "保険者の所掌事務として、自保険者の集計値（個人の値を含まない）を作成します",
            "the insurer's own duty: figures aggregated over its insured persons, no person's values";
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
}

reasons! {
    /// Why a card login failed, in the order of the checks: the challenge, the certificate
    /// (chain, validity, revocation, purpose), the signature, the municipality's link. When the
    /// presented certificate chains to the card root and is linked to a person, the failure is
    /// audited for that person with this code (actor citizen, deny), so they see in their
    /// access history that someone tried their card. Every code is a deny.
    CardLoginReason {
        ChallengeUnknown = "CHALLENGE_UNKNOWN", false,
            "チャレンジが見つかりません（発行されていないか、期限切れで破棄済み、またはサーバー再起動前のもの）",
            "the challenge is unknown (never issued, forgotten after expiry, or issued before a restart)";
        ChallengeExpired = "CHALLENGE_EXPIRED", false,
            "チャレンジの有効期限が切れています",
            "the challenge expired before the card's answer arrived";
        ChallengeReplayed = "CHALLENGE_REPLAYED", false,
            "使用済みのチャレンジです（署名の再送）",
            "the challenge was already used (a replayed signature)";
        CardMalformed = "CARD_MALFORMED", false,
            "カードの証明書を解析できません",
            "the card certificate cannot be parsed";
        CardForeign = "CARD_FOREIGN", false,
            "信頼する認証局が発行したカードではありません",
            "the card was not issued under the trusted card root";
        CardNotYetValid = "CARD_NOT_YET_VALID", false,
            "カードの証明書はまだ有効期間前です",
            "the card certificate is not yet valid";
        CardExpired = "CARD_EXPIRED", false,
            "カードの証明書の有効期限が切れています",
            "the card certificate has expired";
        CardRevoked = "CARD_REVOKED", false,
            "カードの証明書は失効しています（紛失・廃止等）",
            "the card certificate has been revoked (lost or cancelled card)";
        CardUnsupported = "CARD_UNSUPPORTED", false,
            "この証明書・鍵ではログインできません",
            "this certificate or key cannot be used to log in";
        BadSignature = "BAD_SIGNATURE", false,
            "カードの署名が検証できません",
            "the card's signature over the challenge does not verify";
        CardNotLinked = "CARD_NOT_LINKED", false,
            "このカードは被保険者と紐付けられていません",
            "the card is not linked to an insured person";
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

/// The card-login code table of `docs/access-policy.md`.
pub fn render_card_login_reasons_markdown() -> String {
    let mut out = String::from("| Code | 日本語 | English |\n|---|---|---|\n");
    for r in CardLoginReason::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.code(),
            r.message_ja(),
            r.message_en()
        ));
    }
    out
}
