//! 対象年月 / サービス提供年月: a calendar month, written YYYYMM in files and storage.

use crate::date::{days_in_month, Date};
use std::fmt;

/// A calendar month (サービス提供年月). Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("年月は YYYYMM の6桁で指定してください: {0:?} / a month is six digits YYYYMM")]
pub struct MonthError(pub String);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Result<Self, MonthError> {
        if (1..=12).contains(&month) && (1900..=9999).contains(&year) {
            Ok(Self { year, month })
        } else {
            Err(MonthError(format!("{year:04}{month:02}")))
        }
    }

    /// Parses `YYYYMM`.
    pub fn parse(raw: &str) -> Result<Self, MonthError> {
        let bad = || MonthError(raw.to_string());
        if raw.len() != 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year = raw[..4].parse().map_err(|_| bad())?;
        let month = raw[4..].parse().map_err(|_| bad())?;
        Self::new(year, month).map_err(|_| bad())
    }

    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn yyyymm(self) -> String {
        let mut out = String::with_capacity(6);
        self.write_yyyymm(&mut out);
        out
    }

    /// [`YearMonth::yyyymm`], appended to `out`.
    pub fn write_yyyymm(self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{:04}{:02}", self.year, self.month);
    }

    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).expect("a valid month has a first day")
    }

    pub fn last_day(self) -> Date {
        let last = days_in_month(self.year, self.month);
        Date::new(self.year, self.month, last).expect("a valid month has a last day")
    }

    pub fn days(self) -> u32 {
        days_in_month(self.year, self.month)
    }

    /// The month `n` months later (earlier for negative `n`).
    pub fn plus(self, n: i32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}年{:02}月", self.year, self.month)
    }
}

crate::serde_str::serde_via_str!(YearMonth, |v| v.yyyymm(), |s| {
    YearMonth::parse(s).map_err(|e| e.to_string())
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_steps_across_years() {
        let m = YearMonth::parse("202612").unwrap();
        assert_eq!(m.plus(1).yyyymm(), "202701");
        assert_eq!(m.plus(-12).yyyymm(), "202512");
        assert_eq!(YearMonth::parse("202802").unwrap().days(), 29);
        assert_eq!(YearMonth::parse("202702").unwrap().last_day().day(), 28);
        assert!(YearMonth::parse("202613").is_err());
        assert!(YearMonth::parse("20261").is_err());
    }
}
