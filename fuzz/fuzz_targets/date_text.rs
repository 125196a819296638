//! 和暦/dates and the text checks on any string. A date that parses prints back, in every form
//! kiban writes (YYYYMMDD, 令和7年4月1日, and up to era year 99 R070401, 5070401), to the same date. フリガナ
//! normalisation is idempotent and yields only full-width katakana, ー and single inner U+3000;
//! digit folding is idempotent; the JIS X 0213 check agrees with the list of characters outside.
#![no_main]
use kiban_domain::date::{wareki, Date};
use kiban_domain::text::{
    chars_outside_jis_x0213, check_jis_x0213, is_jis_x0213, normalize_digits, normalize_kana,
};
use libfuzzer_sys::fuzz_target;

fn dates(raw: &str) {
    for parsed in [Date::parse_any(raw), wareki::parse(raw)] {
        let Ok(d) = parsed else { continue };
        assert_eq!(Date::parse_yyyymmdd(&d.yyyymmdd()), Ok(d));
        assert_eq!(Date::parse_any(&d.yyyymmdd()), Ok(d));
        let (era, year) = wareki::era_year(d);
        let mut printed = vec![wareki::format_kanji(d)];
        // The codes have a two-digit year: they are defined up to era year 99.
        if year <= 99 {
            printed.extend([wareki::format_code(d), wareki::format_digit_code(d)]);
        }
        for printed in printed {
            assert_eq!(wareki::parse(&printed), Ok(d), "{printed}");
            assert_eq!(Date::parse_any(&printed), Ok(d), "{printed}");
        }
        assert_eq!(Date::from_days(d.to_days()), d);
        assert!(year >= 1 && d >= era.start() && era.end().is_none_or(|end| d <= end));
    }
    if let Ok(d) = Date::parse_yyyymmdd(raw) {
        assert_eq!(d.yyyymmdd(), raw);
    }
}

fn kana(raw: &str) {
    let Ok(out) = normalize_kana(raw) else { return };
    assert_eq!(normalize_kana(&out).as_ref(), Ok(&out), "idempotent");
    assert!(!out.starts_with('\u{3000}') && !out.ends_with('\u{3000}'));
    assert!(!out.contains("\u{3000}\u{3000}"));
    assert!(out
        .chars()
        .all(|c| matches!(c, 'ァ'..='ヶ' | 'ー' | '\u{3000}')));
    assert!(
        check_jis_x0213(&out).is_ok(),
        "furigana stays inside JIS X 0213"
    );
}

fn digits_and_repertoire(raw: &str) {
    let folded = normalize_digits(raw);
    assert_eq!(normalize_digits(&folded), folded, "idempotent");
    let outside = chars_outside_jis_x0213(raw);
    assert_eq!(check_jis_x0213(raw).is_ok(), outside.is_empty());
    for (_, ch) in &outside {
        assert!(!is_jis_x0213(*ch));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    dates(raw);
    kana(raw);
    digits_and_repertoire(raw);
});
