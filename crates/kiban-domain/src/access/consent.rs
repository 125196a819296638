//! The evidence about a person that a decision rests on: consents (同意), serving relationships
//! (担当関係) and 主治医意見書作成依頼, and how each is read at one instant.
//!
//! Every record names its holder, and the evaluators only look at records of the acting office:
//! the caller may pass all of a person's records without widening anyone's access.

use super::{code_enum, ConsentCategory, Party, Timestamp};

use crate::date::Date;
use crate::ids::OfficeNumber;

code_enum! {
    /// Why a consent was taken on paper instead of with the card (recorded with the witness).
    PaperReason ("紙同意の理由", "paper consent reason") {
        /// マイナンバーカード未取得
        NoCard = "no_card", "マイナンバーカード未取得";
        /// カードを持参していない
        CardNotAtHand = "card_not_at_hand", "カード不携帯";
        /// 暗証番号を入力できない
        PinUnavailable = "pin_unavailable", "暗証番号の入力不可";
        /// 本人による操作が困難 (心身の状況)
        UnableToOperate = "unable_to_operate", "本人による操作が困難";
        /// その他
        Other = "other", "その他";
    }
}

code_enum! {
    /// How a consent was given, as stored: the kind of a [`ConsentMethod`] without its details.
    ConsentMethodKind ("同意の方法", "consent method") {
        /// マイナンバーカード
        Card = "card", "マイナンバーカード";
        /// 書面 (立会い)
        Paper = "paper", "書面";
    }
}

/// How the person proved identity when consenting (or when enrolling): the card's 利用者証明用
/// 電子証明書 signature (verified by the caller), or a paper form witnessed by a staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentMethod {
    Card,
    Paper {
        reason: PaperReason,
        /// The witnessing staff account id.
        witness: String,
    },
}

impl ConsentMethod {
    pub fn kind(&self) -> ConsentMethodKind {
        match self {
            Self::Card => ConsentMethodKind::Card,
            Self::Paper { .. } => ConsentMethodKind::Paper,
        }
    }

    /// A paper consent without a named witness proves nothing about who consented.
    pub fn proves_identity(&self) -> bool {
        match self {
            Self::Card => true,
            Self::Paper { witness, .. } => !witness.trim().is_empty(),
        }
    }
}

/// One consent given by the person to one office (or medical institution) for one category.
/// Consents are never edited in place: a new grant is a new record, a revocation stamps
/// `revoked_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub holder: Party,
    pub category: ConsentCategory,
    pub method: ConsentMethod,
    pub granted_at: Timestamp,
    /// 閲覧期限: the last day (JST, inclusive) the consent holds; `None` = while serving.
    pub valid_until: Option<Date>,
    /// When the person revoked it; every decision at or after this instant is denied.
    pub revoked_at: Option<Timestamp>,
}

code_enum! {
    /// The state of one office's consent for one category at one instant.
    ConsentState ("同意状態", "consent state") {
        /// 未同意: no consent record (or only grants dated after the instant)
        Missing = "missing", "未同意";
        Granted = "granted", "同意あり";
        Revoked = "revoked", "撤回済み";
        /// 閲覧期限切れ
        Expired = "expired", "期限切れ";
    }
}

impl ConsentState {
    /// On a tie (two records granted at the same instant) the more restrictive one wins.
    fn restrictiveness(self) -> u8 {
        match self {
            Self::Granted => 0,
            Self::Missing => 1,
            Self::Expired => 2,
            Self::Revoked => 3,
        }
    }
}

impl Consent {
    fn state_at(&self, at: Timestamp, today: Date) -> ConsentState {
        if self.revoked_at.is_some_and(|t| t <= at) {
            ConsentState::Revoked
        } else if self.valid_until.is_some_and(|d| d < today) {
            ConsentState::Expired
        } else {
            ConsentState::Granted
        }
    }
}

/// The holder's consent for `category` at `at`: the latest record granted at or before `at`
/// governs, so re-consenting after a revocation works and a revocation overrides older grants.
pub fn consent_state(
    consents: &[Consent],
    holder: Party,
    category: ConsentCategory,
    at: Timestamp,
) -> ConsentState {
    let today = at.jst_date();
    consents
        .iter()
        .filter(|c| c.holder == holder && c.category == category && c.granted_at <= at)
        .map(|c| (c.granted_at, c.state_at(at, today)))
        .max_by_key(|(granted, state)| (*granted, state.restrictiveness()))
        .map_or(ConsentState::Missing, |(_, state)| state)
}

/// 担当関係: an office serves the person from `from` until `until` (both JST days, inclusive).
/// Registered at 資格確認 with the card; ended by the office, the person, or a period without
/// recorded service (that rule lives in the application, which then sets `until`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serving {
    pub office: OfficeNumber,
    pub from: Date,
    pub until: Option<Date>,
}

code_enum! {
    /// Who ended a 担当関係 (stored with the day it ended).
    EndedBy ("担当終了の事由", "serving end") {
        /// The office ended it.
        Office = "office", "事業所による終了";
        /// The person ended it.
        Person = "person", "本人による終了";
        /// No service was recorded for the set period.
        Inactivity = "inactivity", "サービス実績なし";
    }
}

code_enum! {
    /// Whether an office serves the person on a day.
    ServingState ("担当状態", "serving state") {
        /// No relationship (or one that starts later)
        None = "none", "担当なし";
        Active = "active", "担当中";
        /// Every relationship ended before the day
        Ended = "ended", "担当終了";
    }
}

pub fn serving_state(servings: &[Serving], office: OfficeNumber, today: Date) -> ServingState {
    let mut state = ServingState::None;
    for s in servings.iter().filter(|s| s.office == office) {
        match s.until {
            Some(until) if until < today => state = ServingState::Ended,
            _ if s.from <= today => return ServingState::Active,
            _ => {}
        }
    }
    state
}

/// 主治医意見書作成依頼 from the 保険者 to a medical institution (or to a 老健・介護医療院
/// whose physician is the 主治医). Open from `sent_at` until `closed_at` (意見書 received or
/// request withdrawn), exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionRequest {
    pub addressee: Party,
    pub sent_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

impl OpinionRequest {
    pub fn is_open_for(&self, party: Party, at: Timestamp) -> bool {
        self.addressee == party
            && self.sent_at <= at
            && !matches!(self.closed_at, Some(t) if t <= at)
    }
}
