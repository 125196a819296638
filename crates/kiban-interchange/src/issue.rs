//! Problems found in an interchange file, in the shape of the machine-readable import report.

use serde::Serialize;

/// How bad a problem is. An `Error` rejects its row (or the whole file for file-level codes);
/// a `Warning` is reported and the row is still loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One reported problem. `line` is 1-based and counts the header; 0 means the file as a whole.
/// `column` is the header name of the field (日本語), empty for row- or file-level problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub line: u64,
    pub column: String,
    /// A stable code from `docs/interface/municipal.md` §Error codes, e.g. `DATE_INVALID`.
    pub code: &'static str,
    pub severity: Severity,
    pub message_ja: String,
    pub message_en: String,
}

impl Issue {
    pub fn error(line: u64, column: &str, code: &'static str, ja: String, en: String) -> Self {
        Self {
            line,
            column: column.to_string(),
            code,
            severity: Severity::Error,
            message_ja: ja,
            message_en: en,
        }
    }

    pub fn warning(line: u64, column: &str, code: &'static str, ja: String, en: String) -> Self {
        Self {
            line,
            column: column.to_string(),
            code,
            severity: Severity::Warning,
            message_ja: ja,
            message_en: en,
        }
    }

    /// Builds an issue from a domain error whose Display is "日本語 / English".
    pub fn from_bilingual(line: u64, column: &str, code: &'static str, message: &str) -> Self {
        let (ja, en) = split_bilingual(message);
        Self::error(line, column, code, ja, en)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Splits a "日本語 / English" message; a message without the separator is used for both.
pub fn split_bilingual(message: &str) -> (String, String) {
    match message.split_once(" / ") {
        Some((ja, en)) => (ja.to_string(), en.to_string()),
        None => (message.to_string(), message.to_string()),
    }
}
