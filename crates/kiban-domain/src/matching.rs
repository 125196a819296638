//! 資格確認 without a card: finding the one 被保険者 a staff member means from the 基本4情報
//! (氏名, 生年月日, 性別, 住所) or from the 被保険者番号 and 生年月日, when the person cannot
//! present a My Number card. Pure: the caller loads the candidates (the current 被保険者証 of
//! everyone born on the day asked) and audits the outcome.
//!
//! The rule is "never a guess": a person is returned only when exactly one matches every item.
//! Text is compared after folding ([`fold_name`], [`fold_address`]: full-width forms, half-width
//! kana, whitespace, [`VARIANTS`] 異体字, 丁目・番地・号 notation); dates, 性別 and numbers are
//! compared as values. The folding is for comparison only and never reaches storage.
//!
//! Outcomes of [`match_person`]:
//! - [`MatchOutcome::Unique`]: exactly one person matches every item of the query. Two entries
//!   with the same 被保険者番号 are one person.
//! - [`MatchOutcome::Ambiguous`]: two or more persons match every item; none is returned, and
//!   the staff member is told to use the 被保険者番号 and 生年月日 instead.
//! - [`MatchOutcome::Partial`] (基本4情報 only): nobody matches every item, but someone has the
//!   生年月日 and 性別 and one of 氏名 and 住所. `fields_matched` names the items that matched,
//!   so the staff member knows which one to re-check with the person; no data is returned.
//!   When one such person matches only the name and another only the address, naming either
//!   would point at a different person, so only 生年月日 and 性別 are named (re-check both).
//!   When nobody has the 生年月日, the 性別 and at least one of the two texts, the outcome is
//!   [`NotFound`]: a match on 生年月日 and 性別 alone is no clue.
//! - [`MatchOutcome::NotFound`]: nothing close. For 被保険者番号 + 生年月日 there is no partial
//!   answer: saying which of the two is wrong would confirm that a number exists (or, with a
//!   known number, let someone search for the birth date), so both are simply "not found".
//!
//! A query text that folds to nothing (blank 氏名 or 住所) matches nothing: a blank must never
//! select a person.
//!
//! [`NotFound`]: MatchOutcome::NotFound

mod fold;
#[cfg(test)]
mod tests;

pub use fold::{fold_address, fold_name, VARIANTS};

use crate::codes::Sex;
use crate::date::Date;
use crate::ids::InsuredNumber;
use crate::records::InsuredCard;

/// Item codes of [`MatchOutcome::Partial`], in 基本4情報 order.
pub const FIELD_NAME: &str = "name";
pub const FIELD_BIRTH_DATE: &str = "birth_date";
pub const FIELD_SEX: &str = "sex";
pub const FIELD_ADDRESS: &str = "address";
const FIELDS: [(&str, &str, &str); 4] = [
    (FIELD_NAME, "氏名", "name"),
    (FIELD_BIRTH_DATE, "生年月日", "birth date"),
    (FIELD_SEX, "性別", "sex"),
    (FIELD_ADDRESS, "住所", "address"),
];

/// 基本4情報 as the staff member enters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicFour {
    pub name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
}

/// What identifies the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchQuery {
    BasicFour(BasicFour),
    NumberAndBirth {
        insured: InsuredNumber,
        birth_date: Date,
    },
}

impl MatchQuery {
    /// Both kinds of query carry the birth date, which is how candidates are fetched.
    pub fn birth_date(&self) -> Date {
        match self {
            Self::BasicFour(q) => q.birth_date,
            Self::NumberAndBirth { birth_date, .. } => *birth_date,
        }
    }
}

/// One person's current 被保険者証, as far as matching needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub insured: InsuredNumber,
    pub name: &'a str,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: &'a str,
}

impl<'a> Candidate<'a> {
    pub fn from_card(insured: InsuredNumber, card: &'a InsuredCard) -> Self {
        Self {
            insured,
            name: &card.name,
            birth_date: card.birth_date,
            sex: card.sex,
            address: &card.address,
        }
    }
}

/// Which query found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFoundReason {
    BasicFour,
    NumberAndBirth,
}

/// The answer of [`match_person`]; see the module documentation for the exact rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchOutcome {
    /// The index of the matching candidate.
    Unique(usize),
    NotFound {
        reason: NotFoundReason,
    },
    /// How many distinct persons matched every item.
    Ambiguous {
        count: usize,
    },
    /// Item codes ([`FIELD_NAME`] …) that matched, in 基本4情報 order.
    Partial {
        fields_matched: Vec<&'static str>,
    },
}

impl MatchOutcome {
    /// The stable code audit events and API responses carry.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unique(_) => "MATCH_UNIQUE",
            Self::NotFound { .. } => "MATCH_NOT_FOUND",
            Self::Ambiguous { .. } => "MATCH_AMBIGUOUS",
            Self::Partial { .. } => "MATCH_PARTIAL",
        }
    }

    /// The items to re-check: those of the 基本4情報 not in `fields_matched`.
    pub fn fields_to_check(&self) -> Vec<&'static str> {
        match self {
            Self::Partial { fields_matched } => FIELDS
                .iter()
                .map(|f| f.0)
                .filter(|f| !fields_matched.contains(f))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            Self::Unique(_) => "一致する被保険者を1名特定しました".into(),
            Self::NotFound {
                reason: NotFoundReason::BasicFour,
            } => "基本4情報（氏名・生年月日・性別・住所）に一致する被保険者はいません".into(),
            Self::NotFound {
                reason: NotFoundReason::NumberAndBirth,
            } => "被保険者番号と生年月日の両方に一致する被保険者はいません".into(),
            Self::Ambiguous { count } => format!(
                "{count}名が一致するため特定できません。被保険者番号と生年月日で確認してください"
            ),
            Self::Partial { fields_matched } => format!(
                "{}が一致しません。本人に確認してください（一致した項目: {}）",
                labels(&self.fields_to_check(), true, "・"),
                labels(fields_matched, true, "・")
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::Unique(_) => "exactly one insured person matches".into(),
            Self::NotFound { reason: NotFoundReason::BasicFour } => {
                "no insured person matches the four basic items (name, birth date, sex, address)"
                    .into()
            }
            Self::NotFound { reason: NotFoundReason::NumberAndBirth } => {
                "no insured person has both this insured number and this birth date".into()
            }
            Self::Ambiguous { count } => format!(
                "{count} insured persons match, so none is identified; confirm with the insured number and birth date"
            ),
            Self::Partial { fields_matched } => format!(
                "the {} does not match; check it with the person (matched: {})",
                labels(&self.fields_to_check(), false, " and "),
                labels(fields_matched, false, ", ")
            ),
        }
    }

    /// "日本語 / English".
    pub fn message(&self) -> String {
        format!("{} / {}", self.message_ja(), self.message_en())
    }
}

/// The Japanese or English labels of item codes.
fn labels(fields: &[&str], japanese: bool, separator: &str) -> String {
    let label = |code: &str| -> String {
        FIELDS
            .iter()
            .find(|f| f.0 == code)
            .map_or(code, |f| if japanese { f.1 } else { f.2 })
            .to_string()
    };
    fields
        .iter()
        .map(|code| label(code))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Matches `query` against every candidate; see the module documentation.
pub fn match_person(query: &MatchQuery, candidates: &[Candidate]) -> MatchOutcome {
    match query {
        MatchQuery::NumberAndBirth {
            insured,
            birth_date,
        } => {
            let hits: Vec<usize> = (0..candidates.len())
                .filter(|&i| {
                    candidates[i].insured == *insured && candidates[i].birth_date == *birth_date
                })
                .collect();
            settle(candidates, &hits).unwrap_or(MatchOutcome::NotFound {
                reason: NotFoundReason::NumberAndBirth,
            })
        }
        MatchQuery::BasicFour(q) => basic_four(q, candidates),
    }
}

fn basic_four(q: &BasicFour, candidates: &[Candidate]) -> MatchOutcome {
    let (name, address) = (fold_name(&q.name), fold_address(&q.address));
    let mut full = Vec::new();
    let (mut name_only, mut address_only) = (false, false);
    for (i, c) in candidates.iter().enumerate() {
        if c.birth_date != q.birth_date || c.sex != q.sex {
            continue;
        }
        let name_ok = !name.is_empty() && fold_name(c.name) == name;
        let address_ok = !address.is_empty() && fold_address(c.address) == address;
        match (name_ok, address_ok) {
            (true, true) => full.push(i),
            (true, false) => name_only = true,
            (false, true) => address_only = true,
            (false, false) => {}
        }
    }
    if let Some(outcome) = settle(candidates, &full) {
        return outcome;
    }
    if !name_only && !address_only {
        return MatchOutcome::NotFound {
            reason: NotFoundReason::BasicFour,
        };
    }
    let mut fields_matched = Vec::with_capacity(3);
    if name_only && !address_only {
        fields_matched.push(FIELD_NAME);
    }
    fields_matched.extend([FIELD_BIRTH_DATE, FIELD_SEX]);
    if address_only && !name_only {
        fields_matched.push(FIELD_ADDRESS);
    }
    MatchOutcome::Partial { fields_matched }
}

/// Unique or ambiguous among the full matches, counting persons (被保険者番号), not entries.
fn settle(candidates: &[Candidate], hits: &[usize]) -> Option<MatchOutcome> {
    let first = *hits.first()?;
    let mut persons: Vec<InsuredNumber> = hits.iter().map(|&i| candidates[i].insured).collect();
    persons.sort_unstable();
    persons.dedup();
    Some(match persons.len() {
        1 => MatchOutcome::Unique(first),
        count => MatchOutcome::Ambiguous { count },
    })
}
