use super::*;

fn ymd(year: i32, month: u32, day: u32) -> Date {
    Date::new(year, month, day).unwrap()
}

/// Every boundary: the last day of an era and the first day of the next, both ways.
#[test]
fn era_boundaries_round_trip() {
    let cases = [
        (
            (1868, 1, 1),
            Era::Meiji,
            "明治元年1月1日",
            "M010101",
            "1010101",
        ),
        (
            (1912, 7, 29),
            Era::Meiji,
            "明治45年7月29日",
            "M450729",
            "1450729",
        ),
        (
            (1912, 7, 30),
            Era::Taisho,
            "大正元年7月30日",
            "T010730",
            "2010730",
        ),
        (
            (1926, 12, 24),
            Era::Taisho,
            "大正15年12月24日",
            "T151224",
            "2151224",
        ),
        (
            (1926, 12, 25),
            Era::Showa,
            "昭和元年12月25日",
            "S011225",
            "3011225",
        ),
        (
            (1989, 1, 7),
            Era::Showa,
            "昭和64年1月7日",
            "S640107",
            "3640107",
        ),
        (
            (1989, 1, 8),
            Era::Heisei,
            "平成元年1月8日",
            "H010108",
            "4010108",
        ),
        (
            (2019, 4, 30),
            Era::Heisei,
            "平成31年4月30日",
            "H310430",
            "4310430",
        ),
        (
            (2019, 5, 1),
            Era::Reiwa,
            "令和元年5月1日",
            "R010501",
            "5010501",
        ),
        (
            (2025, 4, 1),
            Era::Reiwa,
            "令和7年4月1日",
            "R070401",
            "5070401",
        ),
    ];
    for ((y, m, d), era, kanji, code, digits) in cases {
        let date = ymd(y, m, d);
        assert_eq!(era_of(date), era, "{date}");
        assert_eq!(format_kanji(date), kanji);
        assert_eq!(format_code(date), code);
        assert_eq!(format_digit_code(date), digits);
        for raw in [kanji, code, digits] {
            assert_eq!(parse(raw), Ok(date), "{raw}");
            assert_eq!(Date::parse_any(raw), Ok(date), "parse_any {raw}");
        }
    }
}

#[test]
fn era_table() {
    let labels: Vec<_> = Era::ALL
        .iter()
        .map(|e| (e.label(), e.letter(), e.digit()))
        .collect();
    assert_eq!(
        labels,
        [
            ("明治", 'M', 1),
            ("大正", 'T', 2),
            ("昭和", 'S', 3),
            ("平成", 'H', 4),
            ("令和", 'R', 5)
        ]
    );
    assert_eq!(Era::Heisei.end(), Some(ymd(2019, 4, 30)));
    assert_eq!(Era::Reiwa.end(), None);
    assert_eq!(Era::Showa.last_year(), 64);
    assert_eq!(Era::Reiwa.gregorian_year(7), 2025);
    assert_eq!(era_year(ymd(1989, 1, 7)), (Era::Showa, 64));
}

#[test]
fn accepted_spellings() {
    let r070401 = ymd(2025, 4, 1);
    for raw in [
        "R070401",
        "r070401",
        "5070401",
        "令和7年4月1日",
        "令和07年04月01日",
        "R7.4.1",
        "R07.04.01",
        "r7/4/1",
        "R7-4-1",
        "令和7.4.1",
        "令7年4月1日",
        "R7年4月1日",
        "令和７年４月１日",
        "Ｒ０７０４０１",
        "５０７０４０１",
        "Ｒ７．４．１",
        " 令和 7年 4月 1日 ",
        "令和　７年　４月　１日",
    ] {
        assert_eq!(parse(raw), Ok(r070401), "{raw:?}");
    }
    assert_eq!(parse("令和元年5月1日"), Ok(ymd(2019, 5, 1)));
    assert_eq!(parse("令和元.5.1"), Ok(ymd(2019, 5, 1)));
    assert_eq!(parse("平成元年1月8日"), Ok(ymd(1989, 1, 8)));
    assert_eq!(parse("昭35.4.1"), Ok(ymd(1960, 4, 1)));
    assert_eq!(parse("H12.2.29"), Ok(ymd(2000, 2, 29)));
}

#[test]
fn refusals_name_the_wrong_part() {
    let era_year = |era, year| DateError::EraYear { era, year };
    let outside = |era, year, month, day| DateError::OutsideEra {
        era,
        year,
        month,
        day,
    };
    let impossible = |year, month, day| DateError::Impossible { year, month, day };
    let cases = [
        ("令和0年4月1日", era_year("令和", 0)),
        ("R000401", era_year("令和", 0)),
        ("平成32年4月1日", era_year("平成", 32)),
        ("昭和65年1月1日", era_year("昭和", 65)),
        ("大正16.1.1", era_year("大正", 16)),
        ("1460101", era_year("明治", 46)),
        ("2160101", era_year("大正", 16)),
        ("平成32年2月30日", era_year("平成", 32)),
        ("平成31年5月1日", outside("平成", 31, 5, 1)),
        ("令和1年4月30日", outside("令和", 1, 4, 30)),
        ("R010430", outside("令和", 1, 4, 30)),
        ("昭和64年1月8日", outside("昭和", 64, 1, 8)),
        ("平成元年1月7日", outside("平成", 1, 1, 7)),
        ("大正元年7月29日", outside("大正", 1, 7, 29)),
        ("明治45年7月30日", outside("明治", 45, 7, 30)),
        ("大正15年12月25日", outside("大正", 15, 12, 25)),
        ("令和7年2月30日", impossible(2025, 2, 30)),
        ("H110229", impossible(1999, 2, 29)),
        ("R071301", impossible(2025, 13, 1)),
        ("R070400", impossible(2025, 4, 0)),
    ];
    for (raw, want) in cases {
        assert_eq!(parse(raw), Err(want), "{raw}");
    }
}

#[test]
fn unrecognised_forms_are_format_errors() {
    for raw in [
        "",
        "X070401",
        "6070401",
        "0070401",
        "天保3年1月1日",
        "令和7年4月1",
        "令和7年4月1日です",
        "令和7.4/1",
        "令和7年4.1",
        "R7.4",
        "R0704011",
        "R07041",
        "R123.4.1",
        "令和七年四月一日",
        "元年5月1日",
        "R元0501",
    ] {
        assert_eq!(
            parse(raw),
            Err(DateError::Format(raw.to_string())),
            "{raw:?}"
        );
    }
}

#[test]
fn errors_are_bilingual() {
    let e = parse("平成31年5月1日").unwrap_err().to_string();
    assert!(
        e.contains("平成31年5月1日は平成の期間外です") && e.contains("outside"),
        "{e}"
    );
}

/// Found by the `date_text` fuzz target: 2118-01-01 printed as 令和100年1月1日 did not read back
/// (era years had at most two digits), nor did 9999-12-31, a common "no end" date.
#[test]
fn three_and_four_digit_era_years_read_back_in_the_kanji_form() {
    for (date, text) in [
        (ymd(2118, 1, 1), "令和100年1月1日"),
        (ymd(9999, 12, 31), "令和7981年12月31日"),
    ] {
        assert_eq!(format_kanji(date), text);
        assert_eq!(parse(text), Ok(date));
        assert_eq!(Date::parse_any(text), Ok(date));
    }
    // Only with 年: in the punctuated and code forms a third digit stays a typo.
    for raw in ["R100.1.1", "令和100/1/1", "R1000101"] {
        assert_eq!(parse(raw), Err(DateError::Format(raw.to_string())), "{raw}");
    }
    assert!(matches!(
        parse("平成100年1月1日"),
        Err(DateError::EraYear { year: 100, .. })
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn days(from: Date, to: Date) -> std::ops::RangeInclusive<i64> {
        from.to_days()..=to.to_days()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// 西暦 → 和暦 → 西暦 for every date kiban can hold, in the kanji form pages print.
        #[test]
        fn every_date_reads_back_from_its_kanji_form(
            n in days(ymd(1868, 1, 1), ymd(9999, 12, 31))
        ) {
            let d = Date::from_days(n);
            prop_assert_eq!(parse(&format_kanji(d)), Ok(d));
            prop_assert_eq!(Date::parse_any(&format_kanji(d)), Ok(d));
            prop_assert_eq!(Date::parse_any(&d.yyyymmdd()), Ok(d));
        }

        /// The code forms, over the era years they are defined for (up to 99).
        #[test]
        fn dates_read_back_from_their_codes(n in days(ymd(1868, 1, 1), ymd(2117, 12, 31))) {
            let d = Date::from_days(n);
            prop_assert_eq!(parse(&format_code(d)), Ok(d));
            prop_assert_eq!(parse(&format_digit_code(d)), Ok(d));
            prop_assert_eq!(Date::parse_any(&format_digit_code(d)), Ok(d));
        }

        /// 和暦 → 西暦 → 和暦: any era, year, month and day that name a real day of that era
        /// give the date whose era and era year they are.
        #[test]
        fn era_parts_read_as_the_date_they_name(
            era in 0usize..5, year in 1u32..100, month in 1u32..13, day in 1u32..32
        ) {
            let era = Era::ALL[era];
            let text = format!("{}{}年{}月{}日", era.label(), year, month, day);
            match parse(&text) {
                Ok(d) => {
                    prop_assert_eq!(era_year(d), (era, year));
                    prop_assert_eq!((d.month(), d.day()), (month, day));
                }
                Err(DateError::EraYear { .. }) => prop_assert!(year > era.last_year()),
                Err(DateError::Impossible { .. }) => {
                    prop_assert!(day > crate::date::days_in_month(era.gregorian_year(year), month));
                }
                Err(DateError::OutsideEra { .. }) => {
                    let d = Date::new(era.gregorian_year(year), month, day).unwrap();
                    prop_assert!(d < era.start() || era.end().is_some_and(|end| d > end));
                }
                Err(e) => prop_assert!(false, "{text}: {e}"),
            }
        }
    }
}
