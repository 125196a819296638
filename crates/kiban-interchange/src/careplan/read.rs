//! Reading one V4 file: the name, then every line, collecting every problem with its line and
//! column. Only a failure of the file as a whole is an `Err`.

use super::csv::{decode_field, split};
use super::fields::LineFields;
use super::layout::CSV_VERSION;
use super::name::{parse_file_name, FileNameError, V4FileName};
use super::records::{layout_for, parse, person_column, Record};
use super::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::PlanPerson;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Line {
    /// The physical line the record starts on (1-based).
    pub line: u64,
    /// The person, when its columns are readable (even if other columns are not).
    pub person: Option<PlanPerson>,
    /// The content, when the line has no error.
    pub record: Option<Record>,
    /// Every problem of the line (errors and warnings).
    pub issues: Vec<LineIssue>,
}

/// One read file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4File {
    /// The name as given.
    pub file_name: String,
    pub name: V4FileName,
    pub lines: Vec<V4Line>,
}

/// A problem that refuses the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Name(#[from] FileNameError),
    #[error("ファイルにデータ行がありません: {file} / the file has no lines: {file}")]
    Empty { file: String },
    #[error("どの行もCSVバージョンが {CSV_VERSION} ではありません（1行目: {found:?}）: {file} / no line has CSV version {CSV_VERSION} (line 1: {found:?}): {file}")]
    Version { file: String, found: String },
}

/// Reads a V4 file from its name and bytes.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<V4File, FileError> {
    let parsed = parse_file_name(name)?;
    let records = split(bytes);
    if records.is_empty()
        || records
            .iter()
            .all(|r| r.fields.iter().all(|f| f.is_empty()))
    {
        return Err(FileError::Empty {
            file: name.to_string(),
        });
    }
    if records
        .iter()
        .all(|r| r.fields[0] != CSV_VERSION.as_bytes())
    {
        let found = String::from_utf8_lossy(&records[0].fields[0]).into_owned();
        return Err(FileError::Version {
            file: name.to_string(),
            found,
        });
    }
    let mut lines = Vec::with_capacity(records.len());
    for raw in records {
        let layout = layout_for(parsed.kind, raw.fields.get(1).map_or(&[][..], |f| &f[..]));
        let mut f = LineFields {
            file: name,
            line: raw.line,
            layout,
            values: Vec::with_capacity(raw.fields.len()),
            issues: Vec::new(),
        };
        for p in &raw.problems {
            let severity = if p.warning {
                Severity::Warning
            } else {
                Severity::Error
            };
            push(
                &mut f,
                p.column,
                p.code,
                severity,
                p.ja.clone(),
                p.en.clone(),
            );
        }
        for (i, bytes) in raw.fields.iter().enumerate() {
            match decode_field(bytes) {
                Ok((text, non_canonical)) => {
                    if non_canonical {
                        push(
                            &mut f,
                            i + 1,
                            "CP932_NON_CANONICAL",
                            Severity::Warning,
                            "同じ文字の別の符号（NEC選定IBM拡張文字など）です。再出力では標準の符号になります".into(),
                            "a duplicate code of a character (e.g. NEC-selected IBM extension); it is written back in its standard code".into(),
                        );
                    }
                    f.values.push(Some(text));
                }
                Err((ja, en)) => {
                    push(&mut f, i + 1, "CHARACTER_INVALID", Severity::Error, ja, en);
                    f.values.push(None);
                }
            }
        }
        let (person, record) = if f.values.len() == layout.len() {
            parse(&parsed, &mut f)
        } else {
            let (got, want) = (f.values.len(), layout.len());
            push(
                &mut f,
                0,
                "COLUMN_COUNT",
                Severity::Error,
                format!("列数が違います（{want}列のところ{got}列）"),
                format!("wrong number of columns ({got}, expected {want})"),
            );
            (person_of(&f, person_column(parsed.kind)), None)
        };
        lines.push(V4Line {
            line: raw.line,
            person,
            record,
            issues: f.issues,
        });
    }
    Ok(V4File {
        file_name: name.to_string(),
        name: parsed,
        lines,
    })
}

fn push(
    f: &mut LineFields,
    column: usize,
    code: &'static str,
    severity: Severity,
    ja: String,
    en: String,
) {
    let column_name = if column == 0 {
        String::new()
    } else {
        f.layout.name(column - 1)
    };
    f.issues.push(LineIssue {
        file: f.file.to_string(),
        line: f.line,
        column_no: column,
        column: column_name,
        code,
        severity,
        message_ja: ja,
        message_en: en,
    });
}

/// The person of a line whose shape is wrong, if its person columns are still readable.
fn person_of(f: &LineFields, at: usize) -> Option<PlanPerson> {
    let insurer = f.values.get(at)?.as_deref()?;
    let insured = f.values.get(at + 1)?.as_deref()?;
    Some(PlanPerson {
        insurer: InsurerNumber::parse_with(insurer, kiban_domain::ids::CheckDigitPolicy::Warn)
            .ok()?
            .number,
        insured: InsuredNumber::parse(insured).ok()?,
    })
}
