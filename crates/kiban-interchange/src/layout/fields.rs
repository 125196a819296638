//! Typed access to the raw fields of one row, collecting every problem instead of stopping at
//! the first, so a municipality can fix a row in one pass.

use super::Column;
use crate::issue::Issue;
use kiban_domain::date::Date;
use kiban_domain::text;

/// The fields of one row in canonical column order, with the issues found so far.
pub struct Fields<'a> {
    pub line: u64,
    pub columns: &'static [Column],
    pub values: &'a [&'a str],
    pub issues: Vec<Issue>,
}

impl<'a> Fields<'a> {
    pub fn new(line: u64, columns: &'static [Column], values: &'a [&'a str]) -> Self {
        Self {
            line,
            columns,
            values,
            issues: Vec::new(),
        }
    }

    pub fn raw(&self, i: usize) -> &str {
        self.values[i]
    }

    pub fn is_empty(&self, i: usize) -> bool {
        self.values[i].is_empty()
    }

    pub fn fail(&mut self, i: usize, code: &'static str, ja: String, en: String) {
        let column = self.columns[i].ja;
        self.issues
            .push(Issue::error(self.line, column, code, ja, en));
    }

    pub fn warn(&mut self, i: usize, code: &'static str, ja: String, en: String) {
        let column = self.columns[i].ja;
        self.issues
            .push(Issue::warning(self.line, column, code, ja, en));
    }

    fn fail_bilingual(&mut self, i: usize, code: &'static str, message: &str) {
        let column = self.columns[i].ja;
        self.issues
            .push(Issue::from_bilingual(self.line, column, code, message));
    }

    fn missing(&mut self, i: usize) {
        let c = self.columns[i];
        self.fail(
            i,
            "REQUIRED",
            format!("{}は必須です", c.ja),
            format!("{} is required", c.en),
        );
    }

    /// A required value parsed by `parse`; a parse error is reported with `code`.
    pub fn required<T, E: std::fmt::Display>(
        &mut self,
        i: usize,
        code: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        if self.is_empty(i) {
            self.missing(i);
            return None;
        }
        match parse(self.values[i]) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail_bilingual(i, code, &e.to_string());
                None
            }
        }
    }

    /// An optional value: empty means `Some(None)`; `None` means the value was bad.
    pub fn optional<T, E: std::fmt::Display>(
        &mut self,
        i: usize,
        code: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        if self.is_empty(i) {
            return Some(None);
        }
        self.required(i, code, parse).map(Some)
    }

    pub fn date(&mut self, i: usize) -> Option<Date> {
        self.required(i, "DATE_INVALID", Date::parse_any)
    }

    pub fn opt_date(&mut self, i: usize) -> Option<Option<Date>> {
        self.optional(i, "DATE_INVALID", Date::parse_any)
    }

    /// A non-negative whole amount (yen or units). A minus sign gets its own code because a
    /// negative amount is a different mistake from a typo.
    pub fn amount(&mut self, i: usize) -> Option<u32> {
        let c = self.columns[i];
        let raw = self.values[i].to_string();
        if raw.starts_with('-') {
            self.fail(
                i,
                "AMOUNT_NEGATIVE",
                format!("{}に負の値は指定できません: {raw}", c.ja),
                format!("{} must not be negative: {raw}", c.en),
            );
            return None;
        }
        self.required(i, "NUMBER_INVALID", |s| {
            s.parse::<u32>().map_err(|_| {
                format!(
                    "{}は整数で指定してください: {s} / {} must be a whole number: {s}",
                    c.ja, c.en
                )
            })
        })
    }

    pub fn opt_amount(&mut self, i: usize) -> Option<Option<u32>> {
        if self.is_empty(i) {
            return Some(None);
        }
        self.amount(i).map(Some)
    }

    /// Free text printed on a card: must stay inside JIS X 0213 (the platform's character set).
    pub fn text(&mut self, i: usize, required: bool) -> Option<String> {
        if self.is_empty(i) {
            if required {
                self.missing(i);
                return None;
            }
            return Some(String::new());
        }
        match text::check_jis_x0213(self.values[i]) {
            Ok(()) => Some(self.values[i].to_string()),
            Err(e) => {
                self.fail_bilingual(i, "CHAR_OUTSIDE_JISX0213", &e.to_string());
                None
            }
        }
    }

    /// The result, if no error was found. Warnings do not block a record.
    pub fn finish<T>(self, value: Option<T>) -> Result<(T, Vec<Issue>), Vec<Issue>> {
        match value {
            Some(v) if !self.issues.iter().any(Issue::is_error) => Ok((v, self.issues)),
            _ => Err(self.issues),
        }
    }
}
