//! 国民の祝日 and 行政機関の休日, for deadlines that move to "the previous working day" when they
//! fall on a holiday (届出期限 of 特定事業所集中減算, facts.md §5).
//!
//! The rules are those of the 国民の祝日に関する法律 as amended up to 2018 (天皇誕生日 moved to
//! Feb 23 from 2020), applied to the years 2000–2099. Outside that range the answers are not
//! guaranteed (the 春分/秋分 formula itself is only valid 1980–2099, and older Happy-Monday-less
//! rules are not modelled). 春分の日 and 秋分の日 are fixed each February by the 官報 from the
//! National Astronomical Observatory's calculation; the approximation formula used here agrees
//! with it for 1980–2099 as far as published tables go, but a future 官報 remains authoritative.
//!
//! One-off days are included: 2019 (即位の日 May 1, 即位礼正殿の儀 Oct 22, no 天皇誕生日) and the
//! Olympic moves of 2020 and 2021 (海の日, スポーツの日, 山の日). Since 2007 the 振替休日 is the
//! next day that is not itself a 祝日 (not just Monday), and a 国民の休日 may fall on a Sunday;
//! both are applied to 2000–2006 too. In those years this only makes Sunday 2003-05-04 a 休日,
//! which no working-day answer depends on.

use crate::date::Date;

/// Day of the week, 0 = Monday … 6 = Sunday.
///
/// [`Date::to_days`] counts from 1970-01-01, which was a Thursday (3).
pub fn weekday(d: Date) -> u32 {
    (d.to_days() + 3).rem_euclid(7) as u32
}

const SUNDAY: u32 = 6;
const SATURDAY: u32 = 5;

/// Whether `d` is a 休日 under the 祝日法: a 国民の祝日, a 振替休日 or a 国民の休日.
pub fn is_national_holiday(d: Date) -> bool {
    is_named_holiday(d) || is_substitute_holiday(d) || is_citizens_holiday(d)
}

/// Whether public offices are open: not Saturday or Sunday, not a 休日 under the 祝日法, and not
/// Dec 29 – Jan 3 (行政機関の休日に関する法律 第1条).
pub fn is_working_day(d: Date) -> bool {
    let year_end = matches!((d.month(), d.day()), (12, 29..=31) | (1, 1..=3));
    weekday(d) < SATURDAY && !year_end && !is_national_holiday(d)
}

/// `d` itself if it is a working day, otherwise the closest working day before it (the rule for
/// a 届出期限 that falls on a 休日).
pub fn working_day_on_or_before(d: Date) -> Date {
    let mut day = d;
    while !is_working_day(day) {
        day = day.add_days(-1);
    }
    day
}

/// 振替休日 (第3条第2項): a day that is not itself a 祝日, reached from a Sunday 祝日 through an
/// unbroken run of 祝日.
fn is_substitute_holiday(d: Date) -> bool {
    if is_named_holiday(d) {
        return false;
    }
    let mut prev = d.add_days(-1);
    while is_named_holiday(prev) {
        if weekday(prev) == SUNDAY {
            return true;
        }
        prev = prev.add_days(-1);
    }
    false
}

/// 国民の休日 (第3条第3項): a day that is not a 祝日 but whose previous and next days both are.
fn is_citizens_holiday(d: Date) -> bool {
    !is_named_holiday(d) && is_named_holiday(d.add_days(-1)) && is_named_holiday(d.add_days(1))
}

/// The `n`-th Monday (1-based) of a month: the Happy Monday rule.
fn nth_monday(year: i32, month: u32, n: u32) -> u32 {
    let first = Date::new(year, month, 1).expect("valid month");
    let first_monday = 1 + (7 - weekday(first)) % 7;
    first_monday + 7 * (n - 1)
}

/// 春分日 by the standard approximation, valid 1980–2099.
fn vernal_equinox_day(year: i32) -> u32 {
    equinox(year, 20_843_100)
}

/// 秋分日 by the standard approximation, valid 1980–2099.
fn autumnal_equinox_day(year: i32) -> u32 {
    equinox(year, 23_248_800)
}

/// floor(base + 0.242194 × (Y − 1980) − floor((Y − 1980) / 4)), with `base` in millionths so the
/// arithmetic is exact.
fn equinox(year: i32, base_micro: i64) -> u32 {
    let n = i64::from(year - 1980);
    let day = (base_micro + 242_194 * n).div_euclid(1_000_000) - n.div_euclid(4);
    day as u32
}

/// 国民の祝日 proper (第2条 and the one-off laws), without 振替休日 and 国民の休日.
fn is_named_holiday(d: Date) -> bool {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match m {
        1 => day == 1 || day == if y >= 2000 { nth_monday(y, 1, 2) } else { 15 },
        2 => day == 11 || (y >= 2020 && day == 23),
        3 => day == vernal_equinox_day(y),
        4 => day == 29,
        5 => day == 3 || day == 5 || (y >= 2007 && day == 4) || (y == 2019 && day == 1),
        7 => match y {
            2020 => day == 23 || day == 24,
            2021 => day == 22 || day == 23,
            2003.. => day == nth_monday(y, 7, 3),
            1996.. => day == 20,
            _ => false,
        },
        8 => match y {
            2020 => day == 10,
            2021 => day == 8,
            2016.. => day == 11,
            _ => false,
        },
        9 => {
            let respect_for_aged = if y >= 2003 { nth_monday(y, 9, 3) } else { 15 };
            day == respect_for_aged || day == autumnal_equinox_day(y)
        }
        10 => {
            let sports_day = match y {
                // スポーツの日 moved to July in the Olympic years.
                2020 | 2021 => false,
                2000.. => day == nth_monday(y, 10, 2),
                _ => day == 10,
            };
            sports_day || (y == 2019 && day == 22)
        }
        11 => day == 3 || day == 23,
        12 => (1989..=2018).contains(&y) && day == 23,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn weekday_follows_the_unix_epoch() {
        assert_eq!(weekday(d("19700101")), 3); // Thursday
        assert_eq!(weekday(d("20250915")), 0); // Monday
        assert_eq!(weekday(d("20260315")), 6); // Sunday
        assert_eq!(weekday(d("18680125")), 5); // Saturday, before the epoch
    }

    #[test]
    fn known_holidays_2025_to_2027() {
        for s in [
            "20250101", // 元日
            "20250113", // 成人の日
            "20250224", // 振替休日 (天皇誕生日 on Sunday)
            "20250320", // 春分の日
            "20250506", // 振替休日 (みどりの日 on Sunday)
            "20250721", // 海の日
            "20250915", // 敬老の日
            "20250923", // 秋分の日
            "20251124", // 振替休日 (勤労感謝の日 on Sunday)
            "20260112", // 成人の日
            "20260223", // 天皇誕生日
            "20260320", // 春分の日
            "20260506", // 振替休日 (憲法記念日 on Sunday, after 4 and 5)
            "20260720", // 海の日
            "20260811", // 山の日
            "20260921", // 敬老の日
            "20260922", // 国民の休日
            "20260923", // 秋分の日
            "20261012", // スポーツの日
            "20270321", // 春分の日 (Sunday)
            "20270322", // 振替休日
            "20270920", // 敬老の日
            "20270923", // 秋分の日
        ] {
            assert!(is_national_holiday(d(s)), "{s} should be a holiday");
        }
    }

    #[test]
    fn ordinary_days_are_not_holidays() {
        for s in [
            "20250102", "20250114", "20250225", "20250507", "20250916", "20250922", "20260224",
            "20260507", "20260924", "20261013", "20270323", "20271224", "20181225",
        ] {
            assert!(!is_national_holiday(d(s)), "{s} should not be a holiday");
        }
    }

    #[test]
    fn reign_changes_and_olympic_years() {
        assert!(is_national_holiday(d("20181223")));
        assert!(is_national_holiday(d("20181224"))); // 振替休日 for the last Dec 23
        assert!(!is_national_holiday(d("20191223")));
        assert!(!is_national_holiday(d("20190223")));
        assert!(is_national_holiday(d("20200224"))); // 振替休日 for Feb 23 (Sunday)
        assert!(is_national_holiday(d("20190430"))); // 国民の休日
        assert!(is_national_holiday(d("20190501"))); // 即位の日
        assert!(is_national_holiday(d("20190502"))); // 国民の休日
        assert!(is_national_holiday(d("20191022"))); // 即位礼正殿の儀
        assert!(is_national_holiday(d("20200724"))); // スポーツの日 (moved)
        assert!(!is_national_holiday(d("20201012")));
        assert!(is_national_holiday(d("20210809"))); // 振替休日 for 山の日 Aug 8 (Sunday)
        assert!(!is_national_holiday(d("20210811")));
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_year_end() {
        assert!(is_working_day(d("20250912")));
        assert!(!is_working_day(d("20250913")));
        assert!(!is_working_day(d("20251229"))); // Monday, 行政機関の休日
        assert!(is_working_day(d("20270104")));
        assert_eq!(working_day_on_or_before(d("20250915")), d("20250912"));
        assert_eq!(working_day_on_or_before(d("20260315")), d("20260313"));
        assert_eq!(working_day_on_or_before(d("20260103")), d("20251226"));
        assert_eq!(working_day_on_or_before(d("20260105")), d("20260105"));
    }
}
