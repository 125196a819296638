//! 和暦 (Japanese era) parsing and formatting.
//!
//! 明治 is taken to start on 1868-01-01, the first day kiban can hold, so every [`Date`] has an
//! era and the formatting functions never fail. Any start date inside 1868 is a convention: the
//! era was proclaimed on 1868-10-23 and applied back to 慶応4年1月1日 (1868-01-25), and until
//! 明治5年 Japan kept the lunisolar calendar, so no 明治1–5年 month/day matches the Gregorian
//! one anyway. Like `java.time`'s `JapaneseEra.MEIJI` we use the proleptic reading
//! 明治N年M月D日 = (1867+N)-M-D. No insured person was born before 1873, so it never matters.

use super::{Date, DateError};
use crate::text::normalize_digits;

/// A Japanese era from 明治 on, in order. The digit is the one administrative systems put in
/// front of YYMMDD (1 = 明治 ... 5 = 令和).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// "令和".
    pub fn label(self) -> &'static str {
        ["明治", "大正", "昭和", "平成", "令和"][self as usize]
    }

    /// 'R'.
    pub fn letter(self) -> char {
        ['M', 'T', 'S', 'H', 'R'][self as usize]
    }

    /// 5 for 令和.
    pub fn digit(self) -> u8 {
        self as u8 + 1
    }

    /// The first day of the era (明治: 1868-01-01 by convention, see the module docs).
    pub fn start(self) -> Date {
        let (year, month, day) = [
            (1868, 1, 1),
            (1912, 7, 30),
            (1926, 12, 25),
            (1989, 1, 8),
            (2019, 5, 1),
        ][self as usize];
        Date { year, month, day }
    }

    /// The last day of the era; `None` for the current one.
    pub fn end(self) -> Option<Date> {
        self.next().map(|next| next.start().add_days(-1))
    }

    /// The Gregorian year of this era's year `n` (元年 = 1).
    pub fn gregorian_year(self, n: u32) -> i32 {
        self.start().year() + n as i32 - 1
    }

    fn next(self) -> Option<Era> {
        Self::ALL.get(self as usize + 1).copied()
    }

    fn from_letter(ch: char) -> Option<Era> {
        Self::ALL
            .into_iter()
            .find(|era| era.letter() == ch.to_ascii_uppercase())
    }

    fn from_digit(ch: char) -> Option<Era> {
        Self::ALL
            .into_iter()
            .find(|era| char::from(b'0' + era.digit()) == ch)
    }

    /// The last era year that has any day, e.g. 31 for 平成 and 64 for 昭和.
    fn last_year(self) -> u32 {
        self.end().map_or(u32::MAX, |end| {
            (end.year() - self.start().year() + 1) as u32
        })
    }
}

/// The era `d` falls in.
pub fn era_of(d: Date) -> Era {
    // 明治 starts on the minimum Date, so the fallback is never taken.
    Era::ALL
        .into_iter()
        .rev()
        .find(|era| era.start() <= d)
        .unwrap_or(Era::Meiji)
}

/// The era and the era year of `d` (1 for 元年).
pub fn era_year(d: Date) -> (Era, u32) {
    let era = era_of(d);
    (era, (d.year() - era.start().year() + 1) as u32)
}

/// "令和7年4月1日", with 元年 for year 1 ("令和元年5月1日") as official documents write it.
pub fn format_kanji(d: Date) -> String {
    let (era, n) = era_year(d);
    let year = if n == 1 {
        "元".to_string()
    } else {
        n.to_string()
    };
    format!("{}{}年{}月{}日", era.label(), year, d.month(), d.day())
}

/// "R070401": era letter + YYMMDD. Defined for era years up to 99 (until 令和99年, 2117): a
/// later year prints with more digits, which [`parse`] refuses as a code.
pub fn format_code(d: Date) -> String {
    let (era, n) = era_year(d);
    format!("{}{:02}{:02}{:02}", era.letter(), n, d.month(), d.day())
}

/// "5070401": era digit + YYMMDD, the all-numeric form of administrative files. Defined for
/// era years up to 99, like [`format_code`].
pub fn format_digit_code(d: Date) -> String {
    let (era, n) = era_year(d);
    format!("{}{:02}{:02}{:02}", era.digit(), n, d.month(), d.day())
}

/// Parses a 和暦 date in any of these forms, with full-width digits and letters and any spaces
/// tolerated: `R070401` (letter M/T/S/H/R, either case, + YYMMDD), `5070401` (era digit +
/// YYMMDD), `令和7年4月1日`, `令和元年5月1日`, `令和07年04月01日`, `R7.4.1`, `R07/04/01`,
/// `R7-4-1`. The era may be the full label, its first character (令, 平, 昭, 大, 明) or the letter.
///
/// Checks run year, then calendar, then era bounds, so the error names the first wrong part:
/// 令和0年 and 平成32年 are [`DateError::EraYear`], 2月30日 is [`DateError::Impossible`] with
/// the Gregorian parts, 平成31年5月1日 and 令和元年4月30日 are [`DateError::OutsideEra`].
pub fn parse(raw: &str) -> Result<Date, DateError> {
    let compact: String = normalize_digits(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (era, year, month, day) =
        split(&compact).ok_or_else(|| DateError::Format(raw.to_string()))?;
    resolve(era, year, month, day)
}

/// Builds the date from parts already known to be well-formed.
fn resolve(era: Era, year: u32, month: u32, day: u32) -> Result<Date, DateError> {
    let label = era.label();
    if year == 0 || year > era.last_year() {
        return Err(DateError::EraYear { era: label, year });
    }
    let date = Date::new(era.gregorian_year(year), month, day)?;
    if date < era.start() || era.end().is_some_and(|end| date > end) {
        return Err(DateError::OutsideEra {
            era: label,
            year,
            month,
            day,
        });
    }
    Ok(date)
}

/// Splits a whitespace-free, ASCII-folded string into era, year, month and day.
fn split(s: &str) -> Option<(Era, u32, u32, u32)> {
    if s.len() == 7 && s.bytes().all(|b| b.is_ascii_digit()) {
        let era = Era::from_digit(s.chars().next()?)?;
        let (y, m, d) = six_digits(&s[1..])?;
        return Some((era, y, m, d));
    }
    let (era, rest) = split_era(s)?;
    let (y, m, d) = six_digits(rest).or_else(|| separated(rest))?;
    Some((era, y, m, d))
}

fn split_era(s: &str) -> Option<(Era, &str)> {
    let first = s.chars().next()?;
    if first.is_ascii_alphabetic() {
        return Some((Era::from_letter(first)?, &s[1..]));
    }
    Era::ALL.into_iter().find_map(|era| {
        let rest = s
            .strip_prefix(era.label())
            .or_else(|| s.strip_prefix(first_char(era.label())));
        rest.map(|rest| (era, rest))
    })
}

fn first_char(label: &str) -> char {
    label.chars().next().unwrap_or_default()
}

fn six_digits(s: &str) -> Option<(u32, u32, u32)> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| s[i..i + 2].parse().ok();
    Some((n(0)?, n(2)?, n(4)?))
}

/// `7年4月1日` / `元年5月1日`, or `7.4.1` with one of `.`, `/`, `-` used for both separators.
///
/// With 年 the year may have up to four digits, because [`format_kanji`] writes every [`Date`]
/// up to 9999 that way (9999-12-31, a common "no end" date, is 令和7981年12月31日) and what kiban
/// prints must read back. The punctuated and code forms keep two digits: a third is a typo there.
fn separated(s: &str) -> Option<(u32, u32, u32)> {
    let (year, year_len, rest) = match s.strip_prefix('元') {
        Some(rest) => (1, 0, rest),
        None => {
            let (year, rest) = digits(s, 4)?;
            (year, s.len() - rest.len(), rest)
        }
    };
    let sep = rest.chars().next()?;
    let (first, second, last) = match sep {
        '年' => ('年', '月', Some('日')),
        '.' | '/' | '-' if year_len <= 2 => (sep, sep, None),
        _ => return None,
    };
    let (month, rest) = number(rest.strip_prefix(first)?)?;
    let (day, rest) = number(rest.strip_prefix(second)?)?;
    let rest = match last {
        Some(end) => rest.strip_prefix(end)?,
        None => rest,
    };
    rest.is_empty().then_some((year, month, day))
}

/// One or two leading ASCII digits and the rest of the string.
fn number(s: &str) -> Option<(u32, &str)> {
    digits(s, 2)
}

/// One to `max` leading ASCII digits and the rest of the string.
fn digits(s: &str, max: usize) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=max).contains(&len) {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

#[cfg(test)]
mod tests;
