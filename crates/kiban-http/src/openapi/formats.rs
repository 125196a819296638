//! The shapes of the values the server parses, as JSON Schema patterns, so that the document
//! says exactly what the server takes: a value that matches is never refused for its form, one
//! that does not is never taken (scripts/schemathesis checks both directions). Each pattern
//! mirrors one parser of kiban-domain; a test compares them over every value of the range.

use serde_json::{json, Value};

/// 保険者番号: six digits. The check digit is only warned about at the API
/// (`CheckDigitPolicy::Warn`, as the import accepts), so any six digits are taken.
pub const INSURER: &str = "^[0-9]{6}$";
/// 被保険者番号: ten digits (no national check digit, facts.md §2).
pub const INSURED: &str = "^[0-9]{10}$";
/// 事業所番号: ten digits (structure only, `OfficeNumber::parse`).
pub const OFFICE: &str = "^[0-9]{10}$";
/// 医療機関コード: ten digits, the third (点数表番号) 1 医科 or 3 歯科.
pub const INSTITUTION: &str = "^[0-9]{2}[13][0-9]{7}$";
/// `YYYYMM`, years 1900–9999 (`YearMonth::parse`).
pub const MONTH: &str = "^(19[0-9]{2}|[2-9][0-9]{3})(0[1-9]|1[0-2])$";
/// 判定期間 `YYYY-1` (前期) / `YYYY-2` (後期), years 1900–9998 (`JudgmentPeriod::parse`).
pub const PERIOD: &str = "^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[12]$";
/// Unpadded base64url in its canonical form (the unused low bits of the last character zero),
/// as `data_encoding::BASE64URL_NOPAD` decodes it.
pub const BASE64URL: &str =
    "^([A-Za-z0-9_-]{4})*([A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$";
/// Standard base64, canonical and padded (`base64::engine::general_purpose::STANDARD`).
pub const BASE64: &str =
    "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

/// A calendar date of the proleptic Gregorian calendar, years 1868–9999 (`Date::new`), its
/// parts separated by `sep` (empty for `YYYYMMDD`). Leap days only in leap years: the schema
/// admits no 20260231 for the server to refuse.
fn calendar(sep: &str) -> String {
    let year = "(18(6[89]|[7-9][0-9])|(19|[2-9][0-9])[0-9]{2})";
    let leap_year = "(18(68|7[26]|8[048]|9[26])|(19|[2-9][0-9])(0[48]|[2468][048]|[13579][26])|([2468][048]|[3579][26])00)";
    let month_day = format!(
        "((0[1-9]|1[0-2]){sep}(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2]){sep}(29|30)|(0[13578]|1[02]){sep}31)"
    );
    format!("{year}{sep}{month_day}|{leap_year}{sep}02{sep}29")
}

/// A stored date: `YYYYMMDD` only (the domain's serde form).
pub fn date_compact() -> String {
    format!("^({})$", calendar(""))
}

/// A date as `Date::parse_any` reads it from a form field: `YYYYMMDD`, `YYYY-MM-DD` or
/// `YYYY/MM/DD`. (It also reads 和暦 and full-width digits, for people typing at a counter;
/// the API documents the Western forms.)
pub fn date_any() -> String {
    format!(
        "^(({})|({})|({}))$",
        calendar(""),
        calendar("-"),
        calendar("/")
    )
}

pub fn pattern(pattern: &str, description: &str) -> Value {
    json!({ "type": "string", "pattern": pattern, "description": description })
}

/// A field the server reads as `Option<…>`: absent, `null` or the value.
pub fn nullable(mut schema: Value) -> Value {
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        schema["type"] = json!([kind, "null"]);
    } else if schema.get("enum").is_some() {
        schema["enum"]
            .as_array_mut()
            .expect("an enum")
            .push(Value::Null);
    }
    schema
}

/// The stable codes of a code table, as an enum.
pub fn codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Value {
    json!({ "type": "string", "enum": codes.into_iter().collect::<Vec<_>>() })
}

/// An unsigned 32-bit integer (`u32`).
pub fn uint32() -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX })
}

#[cfg(test)]
mod tests {
    //! Each pattern against the parser it describes, over every value of the range (dates: all
    //! days 00–32 of months 00–13 of the years around each bound), both ways.

    use super::*;
    use base64::Engine as _;
    use kiban_domain::careplan::period::JudgmentPeriod;
    use kiban_domain::careplan::YearMonth;
    use kiban_domain::date::Date;
    use kiban_domain::ids::MedicalInstitutionCode;
    use regex::Regex;

    fn re(pattern: &str) -> Regex {
        Regex::new(pattern).unwrap()
    }

    fn years() -> impl Iterator<Item = i32> {
        (1800..=2110).chain(2390..=2410).chain(9990..=9999)
    }

    #[test]
    fn the_date_patterns_admit_exactly_the_calendar_dates() {
        let compact = re(&date_compact());
        let any = re(&date_any());
        let mut dates = 0;
        for y in years() {
            for m in 0..=13 {
                for d in 0..=32 {
                    let text = format!("{y:04}{m:02}{d:02}");
                    let valid = Date::parse_yyyymmdd(&text).is_ok();
                    dates += usize::from(valid);
                    assert_eq!(compact.is_match(&text), valid, "{text}");
                    assert_eq!(any.is_match(&text), valid, "{text}");
                    for sep in ["-", "/"] {
                        let text = format!("{y:04}{sep}{m:02}{sep}{d:02}");
                        assert_eq!(Date::parse_any(&text).is_ok(), valid, "{text}");
                        assert_eq!(any.is_match(&text), valid, "{text}");
                        assert!(!compact.is_match(&text), "{text}");
                    }
                }
            }
        }
        assert!(dates > 100_000, "{dates}");
        for mixed in ["2026-04/01", "2026/04-01", "20260401 ", "202604010"] {
            assert!(!any.is_match(mixed), "{mixed}");
        }
    }

    #[test]
    fn month_and_period_patterns_match_their_parsers() {
        let month = re(MONTH);
        let period = re(PERIOD);
        for y in 0..=9999 {
            for m in 0..=13 {
                let text = format!("{y:04}{m:02}");
                assert_eq!(
                    month.is_match(&text),
                    YearMonth::parse(&text).is_ok(),
                    "{text}"
                );
            }
            for half in 0..=3 {
                let text = format!("{y:04}-{half}");
                let parsed = JudgmentPeriod::parse(&text).is_ok();
                assert_eq!(period.is_match(&text), parsed, "{text}");
            }
        }
    }

    #[test]
    fn the_institution_pattern_matches_the_code_parser() {
        let institution = re(INSTITUTION);
        for table in 0..=9 {
            for text in [format!("13{table}1234567"), format!("99{table}0000000")] {
                let parsed = MedicalInstitutionCode::parse(&text).is_ok();
                assert_eq!(institution.is_match(&text), parsed, "{text}");
            }
        }
        assert!(!institution.is_match("131123456"));
    }

    /// Every string of up to three characters over the alphabet and some strangers, and the
    /// encodings of many lengths: the pattern admits exactly what the decoders take.
    #[test]
    fn the_base64_patterns_match_their_decoders() {
        let url = re(BASE64URL);
        let standard = re(BASE64);
        let card = |s: &str| {
            serde_json::from_value::<kiban_crypto::CardSignature>(
                json!({ "cert_pem": "", "signature": s }),
            )
            .is_ok()
        };
        let std_decodes = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).is_ok();
        let alphabet: Vec<char> = "ABCDEQgw0489+/_-=| ".chars().chain('a'..='f').collect();
        let mut strings = vec![String::new()];
        for len in 1..=3 {
            let shorter: Vec<String> = strings
                .iter()
                .filter(|s| s.chars().count() == len - 1)
                .cloned()
                .collect();
            for s in shorter {
                for c in &alphabet {
                    strings.push(format!("{s}{c}"));
                }
            }
        }
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            strings.push(kiban_crypto::base64url(&bytes));
            strings.push(base64::engine::general_purpose::STANDARD.encode(&bytes));
            strings.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes));
        }
        for s in &strings {
            assert_eq!(url.is_match(s), card(s), "base64url {s:?}");
            assert_eq!(standard.is_match(s), std_decodes(s), "base64 {s:?}");
        }
    }
}
