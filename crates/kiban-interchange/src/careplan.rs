//! ケアプランデータ連携 files (facts: `../shared/domain/careplan-v4-official.md`): the official
//! CSV layout (第4.1版) between 居宅介護支援事業所, 地域包括支援センター and service offices, and
//! kiban's V5.0 JSON equivalent. Formats: `docs/interface/careplan-v4.md`,
//! `docs/interface/careplan-v5.md`.
//!
//! ```ignore
//! use kiban_interchange::careplan::{self, SendUnit};
//!
//! // Reading: each file on its own (a bad name, no records or mixed CSVバージョン refuse the
//! // file), then the unit; every line problem is a LineIssue.
//! let files = uploads
//!     .iter()
//!     .map(|(name, bytes)| careplan::read_file(name, bytes))
//!     .collect::<Result<Vec<_>, _>>()?;
//! let unit: SendUnit = careplan::assemble(files)?;
//! for entry in unit.accepted() {
//!     for doc in &entry.documents { /* careplan::Document::Plan(CarePlan) … store it */ }
//! }
//! for entry in unit.rejected() { /* entry.issues: file, line, column_no, column, ja/en */ }
//!
//! // Writing: a unit's documents as its files, named from the header's `T`.
//! let files: Vec<(String, Vec<u8>)> = careplan::write_unit(&unit)?;
//!
//! // V5 JSON, both ways (a V5 unit is accepted exactly when the V4 unit would be).
//! let json: Vec<serde_json::Value> = careplan::to_v5(&unit);
//! let back: SendUnit = careplan::v5_values_to_unit(&json)?;
//! ```

mod assemble;
mod csv;
pub mod file;
pub mod name;
mod unit;
mod v5;
mod write;

pub use assemble::{assemble, UnitError};
pub use file::{
    layout, read_file, write_file, FileError, OfficialFile, OfficialLine, OfficialRecord,
    WriteError,
};
pub use name::{parse_file_name, FileKind, FileName, FileNameError};
pub use unit::{Document, PersonEntry, SendUnit, SourceLine, UnitHeader, UnitKind};
pub use v5::{
    from_v5, to_v5, to_v5_documents, v5_to_unit, v5_to_value, v5_values_to_unit, V5Document,
    V5Error, V5_VERSION,
};
pub use write::write_unit;

use crate::issue::{Issue, Severity};
use serde::Serialize;

/// One problem of a file: where (file, physical line, 1-based column number and its
/// Japanese name; column 0 = the whole line) and why, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineIssue {
    pub file: String,
    pub line: u64,
    pub column_no: usize,
    pub column: String,
    /// A stable code (docs/interface/careplan-v4.md §Issue codes).
    pub code: &'static str,
    pub severity: Severity,
    pub message_ja: String,
    pub message_en: String,
}

impl LineIssue {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// As a municipal-report [`Issue`] (the file and column number are dropped).
    pub fn to_issue(&self) -> Issue {
        Issue {
            line: self.line,
            column: self.column.clone(),
            code: self.code,
            severity: self.severity,
            message_ja: self.message_ja.clone(),
            message_en: self.message_en.clone(),
        }
    }
}

/// Reads every file and assembles them as one unit: the usual entry point for an upload.
/// A refused file or a set of files that is not one unit is an `Err` (ja / en).
pub fn read_unit(files: &[(String, Vec<u8>)]) -> Result<SendUnit, String> {
    let read = files
        .iter()
        .map(|(name, bytes)| read_file(name, bytes).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    assemble(read).map_err(|e| e.to_string())
}
