//! Calendar dates. Gregorian `YYYYMMDD` is the canonical interchange form; 和暦 forms are parsed
//! and formatted by [`crate::date::wareki`].

pub mod wareki;

use std::fmt;

/// Why a date was refused. The message says exactly which part is impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("日付の形式が不正です: {0:?} / unrecognised date format: {0:?}")]
    Format(String),
    #[error(
        "{year}年{month}月{day}日は存在しない日付です / {year}-{month:02}-{day:02} does not exist"
    )]
    Impossible { year: i32, month: u32, day: u32 },
    #[error("{era}{year}年は存在しません / {era} year {year} does not exist")]
    EraYear { era: &'static str, year: u32 },
    #[error("{era}{year}年{month}月{day}日は{era}の期間外です / {era} {year}-{month}-{day} is outside that era")]
    OutsideEra {
        era: &'static str,
        year: u32,
        month: u32,
        day: u32,
    },
}

/// A proleptic Gregorian calendar date between years 1868 and 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(1868..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Impossible { year, month, day });
        }
        Ok(Self {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Parses the canonical `YYYYMMDD` form only.
    pub fn parse_yyyymmdd(raw: &str) -> Result<Self, DateError> {
        let b = raw.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return Err(DateError::Format(raw.to_string()));
        }
        let n = |r: std::ops::Range<usize>| raw[r].parse::<u32>().expect("ascii digits");
        Self::new(n(0..4) as i32, n(4..6), n(6..8))
    }

    /// Parses any accepted form: `YYYYMMDD`, `YYYY-MM-DD`, `YYYY/MM/DD`, and the 和暦 forms of
    /// [`wareki::parse`] (`R070401`, `令和7年4月1日`, `5070401` as era digit + YYMMDD).
    pub fn parse_any(raw: &str) -> Result<Self, DateError> {
        let folded = crate::text::normalize_digits(raw);
        let s = folded.trim();
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Self::parse_yyyymmdd(s);
        }
        if s.len() == 10 {
            let b = s.as_bytes();
            if (b[4] == b'-' && b[7] == b'-') || (b[4] == b'/' && b[7] == b'/') {
                let compact = format!("{}{}{}", &s[0..4], &s[5..7], &s[8..10]);
                return Self::parse_yyyymmdd(&compact);
            }
        }
        wareki::parse(s)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// `YYYYMMDD`, the canonical interchange form.
    pub fn yyyymmdd(self) -> String {
        let mut out = String::with_capacity(8);
        self.write_yyyymmdd(&mut out);
        out
    }

    /// [`Date::yyyymmdd`], appended to `out`.
    pub fn write_yyyymmdd(self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{:04}{:02}{:02}", self.year, self.month, self.day);
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's civil-from-days algorithm.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.to_days() + n)
    }

    /// Adds calendar months, clamping the day to the month's end (Jan 31 + 1 month = Feb 28/29).
    pub fn add_months(self, n: i32) -> Self {
        let idx = self.year * 12 + i32::from(self.month) - 1 + n;
        let (year, month) = (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32);
        let day = self.day().min(days_in_month(year, month));
        Self {
            year,
            month: month as u8,
            day: day as u8,
        }
    }

    /// The first day of this date's month.
    pub fn first_of_month(self) -> Self {
        Self { day: 1, ..self }
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Self {
        Self {
            day: days_in_month(self.year, self.month()) as u8,
            ..self
        }
    }

    /// The 年度 (April–March fiscal year) containing this date, named by its starting year.
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }

    /// Whole years of age on this date for someone born on `birth`; a person born on Feb 29 turns
    /// a year older on Mar 1 in common years, as under the 年齢計算ニ関スル法律 practice.
    pub fn age_of(self, birth: Date) -> i32 {
        let had_birthday = (self.month, self.day) >= (birth.month, birth.day);
        self.year - birth.year - i32::from(!had_birthday)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn impossible_dates_are_refused_with_the_parts() {
        assert_eq!(
            Date::parse_yyyymmdd("20250230"),
            Err(DateError::Impossible {
                year: 2025,
                month: 2,
                day: 30
            })
        );
        assert!(Date::parse_yyyymmdd("20230229").is_err());
        assert!(Date::parse_yyyymmdd("20240229").is_ok());
        assert!(Date::parse_yyyymmdd("19000229").is_err());
        assert!(Date::parse_yyyymmdd("20001301").is_err());
        assert!(Date::parse_yyyymmdd("2025041").is_err());
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for s in ["19700101", "20000229", "20250401", "18680125", "99991231"] {
            assert_eq!(Date::from_days(d(s).to_days()), d(s));
        }
        assert_eq!(d("19700101").to_days(), 0);
        assert_eq!(d("20250228").add_days(1), d("20250301"));
        assert_eq!(d("20240131").add_months(1), d("20240229"));
        assert_eq!(d("20251231").add_months(2), d("20260228"));
    }

    #[test]
    fn fiscal_year_and_age() {
        assert_eq!(d("20250331").fiscal_year(), 2024);
        assert_eq!(d("20250401").fiscal_year(), 2025);
        assert_eq!(d("20250401").age_of(d("19600401")), 65);
        assert_eq!(d("20250331").age_of(d("19600401")), 64);
    }

    #[test]
    fn separated_forms_parse() {
        assert_eq!(Date::parse_any("2025-04-01").unwrap(), d("20250401"));
        assert_eq!(Date::parse_any("2025/04/01").unwrap(), d("20250401"));
    }
}
