//! Typed access to the decoded fields of one V4 line, collecting every problem with its line,
//! column number and column name, and the canonical formatting of values.

use super::layout::Layout;
use super::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::{PlanPerson, ServiceCode, YearMonth};
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber, OfficeNumber};

/// The fields of one line. `None` marks a field that could not be decoded (already reported).
pub(crate) struct LineFields<'a> {
    pub file: &'a str,
    pub line: u64,
    pub layout: &'static Layout,
    pub values: Vec<Option<String>>,
    pub issues: Vec<LineIssue>,
}

impl<'a> LineFields<'a> {
    pub fn issue(
        &mut self,
        i: usize,
        code: &'static str,
        severity: Severity,
        ja: String,
        en: String,
    ) {
        self.issues.push(LineIssue {
            file: self.file.to_string(),
            line: self.line,
            column_no: i + 1,
            column: self.layout.name(i),
            code,
            severity,
            message_ja: ja,
            message_en: en,
        });
    }

    pub fn fail(&mut self, i: usize, code: &'static str, ja: String, en: String) {
        self.issue(i, code, Severity::Error, ja, en);
    }

    fn fail_bilingual(&mut self, i: usize, code: &'static str, message: &str) {
        let (ja, en) = crate::issue::split_bilingual(message);
        self.fail(i, code, ja, en);
    }

    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    /// The raw text; "" for an undecodable field.
    pub fn raw(&self, i: usize) -> &str {
        self.values[i].as_deref().unwrap_or("")
    }

    fn decoded(&self, i: usize) -> bool {
        self.values[i].is_some()
    }

    /// Free text, possibly empty.
    pub fn text(&mut self, i: usize) -> Option<String> {
        self.values[i].clone()
    }

    /// Text that must not be empty.
    pub fn required_text(&mut self, i: usize) -> Option<String> {
        let v = self.values[i].clone()?;
        if v.is_empty() {
            self.missing(i);
            return None;
        }
        Some(v)
    }

    fn missing(&mut self, i: usize) {
        let name = self.layout.name(i);
        self.fail(
            i,
            "REQUIRED",
            format!("{name}は必須です"),
            format!("{name} is required"),
        );
    }

    /// Runs `parse` on a required field, reporting its error under `code`.
    fn parse<T>(
        &mut self,
        i: usize,
        code: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if !self.decoded(i) {
            return None;
        }
        if self.raw(i).is_empty() {
            self.missing(i);
            return None;
        }
        match parse(self.raw(i)) {
            Ok(v) => Some(v),
            Err(message) => {
                self.fail_bilingual(i, code, &message);
                None
            }
        }
    }

    /// An optional field: `Some(None)` when empty, `None` when invalid.
    fn optional<T>(
        &mut self,
        i: usize,
        code: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        if !self.decoded(i) {
            return None;
        }
        if self.raw(i).is_empty() {
            return Some(None);
        }
        self.parse(i, code, parse).map(Some)
    }

    pub fn date(&mut self, i: usize) -> Option<Date> {
        self.parse(i, "DATE_INVALID", parse_date)
    }

    pub fn opt_date(&mut self, i: usize) -> Option<Option<Date>> {
        self.optional(i, "DATE_INVALID", parse_date)
    }

    pub fn month(&mut self, i: usize) -> Option<YearMonth> {
        self.parse(i, "MONTH_INVALID", |s| {
            YearMonth::parse(s).map_err(|e| e.to_string())
        })
    }

    pub fn office(&mut self, i: usize) -> Option<OfficeNumber> {
        self.parse(i, "OFFICE_INVALID", |s| {
            OfficeNumber::parse(s).map_err(|e| e.to_string())
        })
    }

    pub fn opt_office(&mut self, i: usize) -> Option<Option<OfficeNumber>> {
        self.optional(i, "OFFICE_INVALID", |s| {
            OfficeNumber::parse(s).map_err(|e| e.to_string())
        })
    }

    pub fn u32(&mut self, i: usize) -> Option<u32> {
        self.parse(i, "NUMBER_INVALID", |s| parse_uint(s).and_then(to_u32))
    }

    pub fn opt_u32(&mut self, i: usize) -> Option<Option<u32>> {
        self.optional(i, "NUMBER_INVALID", |s| parse_uint(s).and_then(to_u32))
    }

    pub fn u64(&mut self, i: usize) -> Option<u64> {
        self.parse(i, "NUMBER_INVALID", parse_uint)
    }

    pub fn service_code(&mut self, i: usize) -> Option<ServiceCode> {
        self.parse(i, "SERVICE_CODE_INVALID", ServiceCode::parse)
    }

    /// A required code from a closed list.
    pub fn code<T>(
        &mut self,
        i: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        self.parse(i, "CODE_INVALID", parse)
    }

    pub fn opt_code<T>(
        &mut self,
        i: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        self.optional(i, "CODE_INVALID", parse)
    }

    /// `HHMM` or empty.
    pub fn time(&mut self, i: usize) -> Option<String> {
        let v = self.values[i].clone()?;
        if !is_time(&v) {
            self.fail(
                i,
                "TIME_INVALID",
                format!("時刻は HHMM の4桁か空欄です: {v:?}"),
                format!("a time is HHMM or empty: {v:?}"),
            );
            return None;
        }
        Some(v)
    }

    /// 単位数単価 `10.90` → 1090.
    pub fn centi(&mut self, i: usize) -> Option<u32> {
        self.parse(i, "NUMBER_INVALID", |s| {
            let bad =
                || format!("単価は 10.90 の形です: {s:?} / a unit price looks like 10.90: {s:?}");
            let (int, frac) = s.split_once('.').ok_or_else(bad)?;
            if frac.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let int = parse_uint(int).and_then(to_u32)?;
            int.checked_mul(100)
                .and_then(|v| v.checked_add(frac.parse::<u32>().expect("two digits")))
                .ok_or_else(bad)
        })
    }

    /// 31 day counts starting at column `first`; days after the month's end must be 0.
    pub fn days(&mut self, first: usize, month: Option<YearMonth>) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(31);
        let mut ok = true;
        for d in 0..31 {
            let i = first + d;
            match self.parse(i, "DAY_COUNT_INVALID", |s| {
                parse_uint(s).and_then(|v| {
                    u8::try_from(v)
                        .ok()
                        .filter(|v| *v <= 99)
                        .ok_or_else(|| format!("回数は0〜99です: {s} / a count is 0–99: {s}"))
                })
            }) {
                Some(v) => {
                    if v > 0 && month.is_some_and(|m| d as u32 >= m.days()) {
                        self.fail(
                            i,
                            "DAY_OUTSIDE_MONTH",
                            format!("{}日はこの月にありません", d + 1),
                            format!("day {} is not in this month", d + 1),
                        );
                        ok = false;
                    }
                    out.push(v);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// 保険者番号 and 被保険者番号 at `insurer` and `insurer + 1`.
    pub fn person(&mut self, insurer: usize) -> Option<PlanPerson> {
        let ins = self.parse(insurer, "INSURER_INVALID", |s| {
            InsurerNumber::parse_with(s, CheckDigitPolicy::Warn).map_err(|e| e.to_string())
        });
        if let Some(Some(w)) = ins.as_ref().map(|p| p.warning.clone()) {
            let (ja, en) = crate::issue::split_bilingual(&w.to_string());
            self.issue(insurer, "INSURER_CHECK_DIGIT", Severity::Warning, ja, en);
        }
        let insured = self.parse(insurer + 1, "INSURED_INVALID", |s| {
            InsuredNumber::parse(s).map_err(|e| e.to_string())
        });
        Some(PlanPerson {
            insurer: ins?.number,
            insured: insured?,
        })
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    if s.len() != 8 {
        return Err(format!(
            "日付は YYYYMMDD の8桁です: {s:?} / a date is YYYYMMDD: {s:?}"
        ));
    }
    Date::parse_yyyymmdd(s).map_err(|e| e.to_string())
}

/// A canonical unsigned integer: digits, no sign, no leading zero.
fn parse_uint(s: &str) -> Result<u64, String> {
    let ok = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'))
        && s.len() <= 18;
    if !ok {
        return Err(format!(
            "数値は先頭0なしの半角数字です: {s:?} / a number is ASCII digits without leading zeros: {s:?}"
        ));
    }
    Ok(s.parse().expect("checked digits"))
}

fn to_u32(v: u64) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("数値が大きすぎます: {v} / number too large: {v}"))
}

/// Canonical formatting.
pub(crate) fn fmt_date(d: Date) -> String {
    d.yyyymmdd()
}

pub(crate) fn fmt_opt_date(d: Option<Date>) -> String {
    d.map(fmt_date).unwrap_or_default()
}

pub(crate) fn fmt_opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub(crate) fn fmt_centi(v: u32) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

pub(crate) fn fmt_days(days: &[u8], out: &mut Vec<String>) {
    for d in 0..31 {
        out.push(days.get(d).copied().unwrap_or(0).to_string());
    }
}

/// A time field of V4 (and of V5, which must accept exactly what V4 does): `HHMM` or empty.
pub(crate) fn is_time(v: &str) -> bool {
    v.is_empty()
        || (v.len() == 4
            && v.bytes().all(|b| b.is_ascii_digit())
            && v[..2] <= *"24"
            && v[2..] < *"60")
}
