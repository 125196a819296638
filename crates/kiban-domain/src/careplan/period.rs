//! 判定期間 of 特定事業所集中減算 (facts.md §5): 前期 March–August and 後期 September–February,
//! with the 届出期限 and the 減算適用期間 that follow from each.
//!
//! A period is named by the calendar year in which it starts, so January and February belong to
//! the 後期 of the previous year. The code form `YYYY-1` / `YYYY-2` is what the API and stored
//! judgments use.

use super::holiday::working_day_on_or_before;
use super::month::YearMonth;
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which half-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// 前期: March to August.
    First,
    /// 後期: September to February of the next year.
    Second,
}

/// One 判定期間. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JudgmentPeriod {
    /// The calendar year in which the period starts (後期 2026 runs Sep 2026 – Feb 2027).
    pub year: i32,
    pub half: Half,
}

/// A period code that does not read as `YYYY-1` or `YYYY-2`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "判定期間は「年-1」(前期) または「年-2」(後期) で指定してください: {0:?} / a judgment period \
     is YYYY-1 (March–August) or YYYY-2 (September–February)"
)]
pub struct PeriodError(pub String);

/// Years for which every month and date of the period (and of its reduction period, which ends
/// in the next year) is representable.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=9998;

impl JudgmentPeriod {
    /// The period a date falls in.
    pub fn containing(date: Date) -> Self {
        Self::of_month(YearMonth::of(date))
    }

    /// The period a month falls in; January and February belong to the previous year's 後期.
    pub fn of_month(m: YearMonth) -> Self {
        match m.month() {
            3..=8 => Self {
                year: m.year(),
                half: Half::First,
            },
            9..=12 => Self {
                year: m.year(),
                half: Half::Second,
            },
            _ => Self {
                year: m.year() - 1,
                half: Half::Second,
            },
        }
    }

    /// Parses `YYYY-1` (前期) or `YYYY-2` (後期).
    pub fn parse(code: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError(code.to_string());
        let (year, half) = code.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !YEARS.contains(&year) {
            return Err(bad());
        }
        let half = match half {
            "1" => Half::First,
            "2" => Half::Second,
            _ => return Err(bad()),
        };
        Ok(Self { year, half })
    }

    /// `YYYY-1` or `YYYY-2`.
    pub fn code(&self) -> String {
        let n = match self.half {
            Half::First => 1,
            Half::Second => 2,
        };
        format!("{:04}-{n}", self.year)
    }

    /// The label printed on screens and sheets, e.g. `2026年度前期（3月〜8月）`.
    pub fn label(&self) -> String {
        match self.half {
            Half::First => format!("{}年度前期（3月〜8月）", self.year),
            Half::Second => format!("{}年度後期（9月〜翌2月）", self.year),
        }
    }

    /// The six months of the period, in order.
    pub fn months(&self) -> [YearMonth; 6] {
        let first = self.first_month();
        std::array::from_fn(|i| first.plus(i as i32))
    }

    pub fn first_month(&self) -> YearMonth {
        let month = match self.half {
            Half::First => 3,
            Half::Second => 9,
        };
        YearMonth::new(self.year, month).expect("period years are in range")
    }

    pub fn last_month(&self) -> YearMonth {
        self.first_month().plus(5)
    }

    /// March 1 or September 1.
    pub fn start(&self) -> Date {
        self.first_month().first_day()
    }

    /// August 31, or the last day of February of the next year (28th or 29th).
    pub fn end(&self) -> Date {
        self.last_month().last_day()
    }

    /// 届出期限: September 15 (前期) or March 15 of the next year (後期); when that day is not a
    /// working day, the previous working day.
    pub fn filing_deadline(&self) -> Date {
        let nominal = match self.half {
            Half::First => date(self.year, 9, 15),
            Half::Second => date(self.year + 1, 3, 15),
        };
        working_day_on_or_before(nominal)
    }

    /// 減算適用期間, both ends inclusive: October 1 – March 31 after a 前期, April 1 – September 30
    /// of the next year after a 後期.
    pub fn reduction_period(&self) -> (Date, Date) {
        match self.half {
            Half::First => (date(self.year, 10, 1), date(self.year + 1, 3, 31)),
            Half::Second => (date(self.year + 1, 4, 1), date(self.year + 1, 9, 30)),
        }
    }

    pub fn previous(&self) -> Self {
        match self.half {
            Half::First => Self {
                year: self.year - 1,
                half: Half::Second,
            },
            Half::Second => Self {
                year: self.year,
                half: Half::First,
            },
        }
    }

    pub fn next(&self) -> Self {
        match self.half {
            Half::First => Self {
                year: self.year,
                half: Half::Second,
            },
            Half::Second => Self {
                year: self.year + 1,
                half: Half::First,
            },
        }
    }
}

fn date(year: i32, month: u32, day: u32) -> Date {
    Date::new(year, month, day).expect("fixed calendar days exist")
}

impl fmt::Display for JudgmentPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

crate::serde_str::serde_via_str!(JudgmentPeriod, |p| p.code(), |s| {
    JudgmentPeriod::parse(s).map_err(|e| e.to_string())
});

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_yyyymmdd(s).unwrap()
    }

    fn p(code: &str) -> JudgmentPeriod {
        JudgmentPeriod::parse(code).unwrap()
    }

    #[test]
    fn end_of_february_belongs_to_the_previous_years_second_half() {
        let late_2026 = JudgmentPeriod::containing(d("20270228"));
        assert_eq!(late_2026, p("2026-2"));
        assert_eq!(late_2026.end(), d("20270228"));
        let late_2027 = JudgmentPeriod::containing(d("20280229"));
        assert_eq!(late_2027, p("2027-2"));
        assert_eq!(late_2027.end(), d("20280229"));
        assert_eq!(JudgmentPeriod::containing(d("20270101")), p("2026-2"));
    }

    #[test]
    fn boundaries_between_halves() {
        assert_eq!(JudgmentPeriod::containing(d("20260831")), p("2026-1"));
        assert_eq!(JudgmentPeriod::containing(d("20260901")), p("2026-2"));
        assert_eq!(JudgmentPeriod::containing(d("20270301")), p("2027-1"));
        assert_eq!(p("2026-1").start(), d("20260301"));
        assert_eq!(p("2026-1").end(), d("20260831"));
        assert_eq!(p("2026-2").start(), d("20260901"));
    }

    #[test]
    fn months_codes_labels_and_stepping() {
        let first = p("2026-1");
        let months: Vec<String> = first.months().iter().map(|m| m.yyyymm()).collect();
        assert_eq!(
            months,
            ["202603", "202604", "202605", "202606", "202607", "202608"]
        );
        assert_eq!(p("2026-2").last_month().yyyymm(), "202702");
        assert_eq!(first.code(), "2026-1");
        assert_eq!(first.label(), "2026年度前期（3月〜8月）");
        assert_eq!(p("2026-2").label(), "2026年度後期（9月〜翌2月）");
        assert_eq!(first.previous(), p("2025-2"));
        assert_eq!(first.next(), p("2026-2"));
        assert_eq!(p("2026-2").next(), p("2027-1"));
        assert_eq!(p("2026-2").previous(), first);
        for m in first.next().months() {
            assert_eq!(JudgmentPeriod::of_month(m), p("2026-2"));
        }
    }

    #[test]
    fn bad_codes_are_refused() {
        for bad in [
            "2026",
            "2026-3",
            "2026-0",
            "26-1",
            "2026-1 ",
            "２０２６-1",
            "1899-1",
            "",
        ] {
            assert!(JudgmentPeriod::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn filing_deadline_moves_to_the_previous_working_day() {
        // 2025-09-15 is 敬老の日 (Monday); 13–14 are a weekend.
        assert_eq!(p("2025-1").filing_deadline(), d("20250912"));
        // 2026-03-15 is a Sunday.
        assert_eq!(p("2025-2").filing_deadline(), d("20260313"));
        // 2026-09-15 is a Tuesday, an ordinary day.
        assert_eq!(p("2026-1").filing_deadline(), d("20260915"));
        // 2029-09-15 is a Saturday.
        assert_eq!(p("2029-1").filing_deadline(), d("20290914"));
    }

    #[test]
    fn reduction_periods() {
        assert_eq!(
            p("2026-1").reduction_period(),
            (d("20261001"), d("20270331"))
        );
        assert_eq!(
            p("2026-2").reduction_period(),
            (d("20270401"), d("20270930"))
        );
    }

    #[test]
    fn deserializes_from_its_code() {
        use serde::de::value::{Error, StrDeserializer};
        let read = |s: &str| JudgmentPeriod::deserialize(StrDeserializer::<Error>::new(s));
        assert_eq!(read("2026-2").unwrap(), p("2026-2"));
        assert!(read("2026-3").is_err());
    }
}
