//! One file of the official layout, read and written: the name, then every record, each problem
//! with its line, field No. and Japanese field name. Only a failure of the file as a whole (its
//! name, no records, CSVバージョン mixed within it) is an `Err`; every line problem is a
//! [`LineIssue`] and the other lines still read.
//!
//! Writing is canonical: CRLF after every record, フリーテキスト in `"…"` when not empty (the
//! layout's footnote), other fields bare (quoted only if they would otherwise break the CSV),
//! MS932 without 外字. A file kiban wrote, read and written again, is the same bytes.

use super::name::{parse_file_name, FileKind, FileName, FileNameError};
use crate::careplan::csv::{decode_field, encode_strict, split, write_field};
use crate::careplan::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::documents::*;
use kiban_domain::careplan::official::*;

/// The record of one line, by file kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "fields", rename_all = "snake_case")]
pub enum OfficialRecord {
    Supplement(Box<SupplementRecord>),
    Plan1(Box<Plan1Record>),
    Plan1Deletion(Plan1DeletionRecord),
    Plan2(Box<Plan2Record>),
    Plan3(Box<Plan3Record>),
    /// UPPLAN and UPJSK share the layout.
    Use(Box<UseRecord>),
    UsePlanDeletion(UseDeletionRecord),
    UseResultsDeletion(ResultsDeletionRecord),
    Limit(Box<LimitRecord>),
    BasicInfo(Box<BasicInfoRecord>),
    BasicInfoDeletion(BasicInfoDeletionRecord),
    DailySchedule(Box<DailyScheduleRecord>),
    MedicalHistory(Box<MedicalHistoryRecord>),
    PreventionPlan(Box<PreventionPlanRecord>),
    PreventionPlanDeletion(PreventionPlanDeletionRecord),
    SupportPlan(Box<SupportPlanRecord>),
}

/// Calls `$body` with the record type of a CSV file kind (`$t`) and the variant that holds it.
macro_rules! by_kind {
    ($kind:expr, |$t:ident, $variant:ident| $body:expr) => {
        match $kind {
            FileKind::Supplement => {
                type $t = SupplementRecord;
                let $variant = |r: $t| OfficialRecord::Supplement(Box::new(r));
                $body
            }
            FileKind::Plan1 => {
                type $t = Plan1Record;
                let $variant = |r: $t| OfficialRecord::Plan1(Box::new(r));
                $body
            }
            FileKind::Plan1Deletion => {
                type $t = Plan1DeletionRecord;
                let $variant = OfficialRecord::Plan1Deletion;
                $body
            }
            FileKind::Plan2 => {
                type $t = Plan2Record;
                let $variant = |r: $t| OfficialRecord::Plan2(Box::new(r));
                $body
            }
            FileKind::Plan3 => {
                type $t = Plan3Record;
                let $variant = |r: $t| OfficialRecord::Plan3(Box::new(r));
                $body
            }
            FileKind::UsePlan | FileKind::UseResults => {
                type $t = UseRecord;
                let $variant = |r: $t| OfficialRecord::Use(Box::new(r));
                $body
            }
            FileKind::UsePlanDeletion => {
                type $t = UseDeletionRecord;
                let $variant = OfficialRecord::UsePlanDeletion;
                $body
            }
            FileKind::UseResultsDeletion => {
                type $t = ResultsDeletionRecord;
                let $variant = OfficialRecord::UseResultsDeletion;
                $body
            }
            FileKind::Limit => {
                type $t = LimitRecord;
                let $variant = |r: $t| OfficialRecord::Limit(Box::new(r));
                $body
            }
            FileKind::BasicInfo => {
                type $t = BasicInfoRecord;
                let $variant = |r: $t| OfficialRecord::BasicInfo(Box::new(r));
                $body
            }
            FileKind::BasicInfoDeletion => {
                type $t = BasicInfoDeletionRecord;
                let $variant = OfficialRecord::BasicInfoDeletion;
                $body
            }
            FileKind::DailySchedule => {
                type $t = DailyScheduleRecord;
                let $variant = |r: $t| OfficialRecord::DailySchedule(Box::new(r));
                $body
            }
            FileKind::MedicalHistory => {
                type $t = MedicalHistoryRecord;
                let $variant = |r: $t| OfficialRecord::MedicalHistory(Box::new(r));
                $body
            }
            FileKind::PreventionPlan => {
                type $t = PreventionPlanRecord;
                let $variant = |r: $t| OfficialRecord::PreventionPlan(Box::new(r));
                $body
            }
            FileKind::PreventionPlanDeletion => {
                type $t = PreventionPlanDeletionRecord;
                let $variant = OfficialRecord::PreventionPlanDeletion;
                $body
            }
            FileKind::SupportPlan => {
                type $t = SupportPlanRecord;
                let $variant = |r: $t| OfficialRecord::SupportPlan(Box::new(r));
                $body
            }
            FileKind::BasicInfoImage => unreachable!("an image has no records"),
        }
    };
}

impl OfficialRecord {
    /// The texts of No.4 onwards.
    pub fn format_fields(&self) -> Vec<String> {
        match self {
            Self::Supplement(r) => r.format_fields(),
            Self::Plan1(r) => r.format_fields(),
            Self::Plan1Deletion(r) => r.format_fields(),
            Self::Plan2(r) => r.format_fields(),
            Self::Plan3(r) => r.format_fields(),
            Self::Use(r) => r.format_fields(),
            Self::UsePlanDeletion(r) => r.format_fields(),
            Self::UseResultsDeletion(r) => r.format_fields(),
            Self::Limit(r) => r.format_fields(),
            Self::BasicInfo(r) => r.format_fields(),
            Self::BasicInfoDeletion(r) => r.format_fields(),
            Self::DailySchedule(r) => r.format_fields(),
            Self::MedicalHistory(r) => r.format_fields(),
            Self::PreventionPlan(r) => r.format_fields(),
            Self::PreventionPlanDeletion(r) => r.format_fields(),
            Self::SupportPlan(r) => r.format_fields(),
        }
    }

    /// Whether the record belongs in a file of `kind`.
    pub fn fits(&self, kind: FileKind) -> bool {
        matches!(
            (self, kind),
            (Self::Supplement(_), FileKind::Supplement)
                | (Self::Plan1(_), FileKind::Plan1)
                | (Self::Plan1Deletion(_), FileKind::Plan1Deletion)
                | (Self::Plan2(_), FileKind::Plan2)
                | (Self::Plan3(_), FileKind::Plan3)
                | (Self::Use(_), FileKind::UsePlan | FileKind::UseResults)
                | (Self::UsePlanDeletion(_), FileKind::UsePlanDeletion)
                | (Self::UseResultsDeletion(_), FileKind::UseResultsDeletion)
                | (Self::Limit(_), FileKind::Limit)
                | (Self::BasicInfo(_), FileKind::BasicInfo)
                | (Self::BasicInfoDeletion(_), FileKind::BasicInfoDeletion)
                | (Self::DailySchedule(_), FileKind::DailySchedule)
                | (Self::MedicalHistory(_), FileKind::MedicalHistory)
                | (Self::PreventionPlan(_), FileKind::PreventionPlan)
                | (
                    Self::PreventionPlanDeletion(_),
                    FileKind::PreventionPlanDeletion
                )
                | (Self::SupportPlan(_), FileKind::SupportPlan)
        )
    }

    /// The month a month-bound record names (対象年月, 削除対象年月, 補足's 対象年月).
    fn month(&self) -> Option<kiban_domain::careplan::YearMonth> {
        match self {
            Self::Use(r) => Some(r.month),
            Self::Limit(r) => Some(r.month),
            Self::UsePlanDeletion(r) => Some(r.month),
            Self::UseResultsDeletion(r) => Some(r.month),
            Self::Supplement(r) => r.month.0,
            _ => None,
        }
    }
}

/// The layout of a CSV file kind, No.1 first.
pub fn layout(kind: FileKind) -> &'static [FieldSpec] {
    by_kind!(kind, |T, _variant| T::LAYOUT)
}

/// One read line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialLine {
    /// The physical line the record starts on (1-based).
    pub line: u64,
    /// No.1–3, when they read (even if other fields do not).
    pub common: Option<Common>,
    /// The record, when the line has no error.
    pub record: Option<OfficialRecord>,
    /// Every problem of the line (errors and warnings).
    pub issues: Vec<LineIssue>,
}

impl OfficialLine {
    pub fn person(&self) -> Option<PlanPerson> {
        self.common.map(|c| PlanPerson {
            insurer: c.insurer,
            insured: c.insured,
        })
    }
}

/// One read file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialFile {
    /// The name as given.
    pub file_name: String,
    pub name: FileName,
    /// The file's CSVバージョン (one per file), when a line's version read.
    pub version: Option<CsvVersion>,
    pub lines: Vec<OfficialLine>,
}

/// A problem that refuses the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Name(#[from] FileNameError),
    #[error("ファイルにデータ行がありません: {file} / the file has no records: {file}")]
    Empty { file: String },
    #[error("1ファイルに複数のCSVバージョンがあります（{first_line}行目 {first}、{line}行目 {other}）: {file} / the file mixes CSV versions ({first} on line {first_line}, {other} on line {line}): {file}")]
    MixedVersions {
        file: String,
        first: &'static str,
        first_line: u64,
        other: &'static str,
        line: u64,
    },
    #[error("家族構成の画像は CSV として読めません: {file} / a 家族構成 image is not a CSV file: {file}")]
    NotCsv { file: String },
}

/// Where a line's problems are: its file, physical line and layout (for the field names).
struct Place<'a> {
    file: &'a str,
    line: u64,
    layout: &'static [FieldSpec],
}

impl Place<'_> {
    fn issue(
        &self,
        column_no: usize,
        code: &'static str,
        severity: Severity,
        ja: String,
        en: String,
    ) -> LineIssue {
        let column = match column_no {
            0 => String::new(),
            n => self
                .layout
                .get(n - 1)
                .map_or_else(|| format!("{n}項目目"), |s| s.name.to_string()),
        };
        LineIssue {
            file: self.file.to_string(),
            line: self.line,
            column_no,
            column,
            code,
            severity,
            message_ja: ja,
            message_en: en,
        }
    }
}

/// Reads a CSV file of the official layout from its name and bytes.
pub fn read_file(file_name: &str, bytes: &[u8]) -> Result<OfficialFile, FileError> {
    let name = parse_file_name(file_name)?;
    if !name.kind.is_csv() {
        return Err(FileError::NotCsv {
            file: file_name.to_string(),
        });
    }
    let layout = layout(name.kind);
    let records = split(bytes);
    if records
        .iter()
        .all(|r| r.fields.iter().all(|f| f.is_empty()))
    {
        return Err(FileError::Empty {
            file: file_name.to_string(),
        });
    }
    let mut lines = Vec::with_capacity(records.len());
    let mut version: Option<(CsvVersion, u64)> = None;
    for raw in records {
        let place = Place {
            file: file_name,
            line: raw.line,
            layout,
        };
        let at = |column_no, code, severity, ja, en| place.issue(column_no, code, severity, ja, en);
        let mut issues: Vec<LineIssue> = raw
            .problems
            .iter()
            .map(|p| {
                let severity = if p.warning {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                at(p.column, p.code, severity, p.ja.clone(), p.en.clone())
            })
            .collect();
        let mut texts = Vec::with_capacity(raw.fields.len());
        let mut undecodable = false;
        for (i, bytes) in raw.fields.iter().enumerate() {
            match decode_field(bytes) {
                Ok((text, non_canonical)) => {
                    if non_canonical {
                        issues.push(at(
                            i + 1,
                            "CP932_NON_CANONICAL",
                            Severity::Warning,
                            "同じ文字の別の符号（NEC選定IBM拡張文字など）です。再出力では標準の符号になります".into(),
                            "a duplicate code of a character (e.g. NEC-selected IBM extension); it is written back in its standard code".into(),
                        ));
                    }
                    texts.push(text);
                }
                Err((ja, en)) => {
                    issues.push(at(i + 1, "CHARACTER_INVALID", Severity::Error, ja, en));
                    undecodable = true;
                    texts.push(std::borrow::Cow::Borrowed(""));
                }
            }
        }
        let refs: Vec<&str> = texts.iter().map(|t| &**t).collect();
        let mut problems = Vec::new();
        let common = Common::parse_fields(&refs, &mut problems);
        let record = if refs.len() != layout.len() {
            issues.push(at(
                0,
                "COLUMN_COUNT",
                Severity::Error,
                format!(
                    "項目数が違います（{}項目のところ{}項目）",
                    layout.len(),
                    refs.len()
                ),
                format!(
                    "wrong number of fields ({}, expected {})",
                    refs.len(),
                    layout.len()
                ),
            ));
            None
        } else {
            by_kind!(name.kind, |T, variant| T::parse_fields(
                &refs,
                &mut problems
            )
            .map(variant))
        };
        for p in problems {
            issues.push(at(
                p.index + 1,
                p.error.code,
                Severity::Error,
                p.error.ja,
                p.error.en,
            ));
        }
        if let Some(c) = common {
            match version {
                None => version = Some((c.version, raw.line)),
                Some((first, first_line)) if first != c.version => {
                    return Err(FileError::MixedVersions {
                        file: file_name.to_string(),
                        first: first.code(),
                        first_line,
                        other: c.version.code(),
                        line: raw.line,
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(r) = &record {
            issues.extend(month_issues(&name, r, &place));
        }
        let failed = undecodable || issues.iter().any(LineIssue::is_error);
        lines.push(OfficialLine {
            line: raw.line,
            common,
            record: if failed { None } else { record },
            issues,
        });
    }
    Ok(OfficialFile {
        file_name: file_name.to_string(),
        name,
        version: version.map(|(v, _)| v),
        lines,
    })
}

/// One file holds one month (本文 5.1.1.3): a month-bound record must name the file name's
/// month; a 補足 with `000000` in its name goes with 第1表 (作成（変更）日 set, 対象年月 zeros),
/// with a month, with 第6表 (the reverse).
fn month_issues(name: &FileName, record: &OfficialRecord, place: &Place) -> Vec<LineIssue> {
    let at = |column_no: usize, ja: String, en: String| {
        place.issue(column_no, "V4_MONTH_MISMATCH", Severity::Error, ja, en)
    };
    let mut out = Vec::new();
    if let OfficialRecord::Supplement(s) = record {
        match (name.month, s.plan_date.0, s.month.0) {
            (None, Some(_), None) => {}
            (Some(m), None, Some(r)) if m == r => {}
            (None, _, _) => out.push(at(
                63,
                "ファイル名の提供年月が 000000（第1表と送る補足）なので、居宅サービス計画作成（変更）日を入れ、対象年月は 000000 にします".into(),
                "the name's month is 000000 (a 補足 sent with 第1表): set the plan date and 000000 as 対象年月".into(),
            )),
            (Some(m), _, _) => out.push(at(
                63,
                format!("ファイル名の提供年月 {} と同じ対象年月を入れ、居宅サービス計画作成（変更）日は 00000000 にします", m.yyyymm()),
                format!("set 対象年月 to the name's month {} and the plan date to 00000000", m.yyyymm()),
            )),
        }
        return out;
    }
    if let (Some(named), Some(own)) = (name.month, record.month()) {
        if named != own {
            let column = match record {
                OfficialRecord::Use(_) | OfficialRecord::Limit(_) => 5,
                _ => 4,
            };
            out.push(at(
                column,
                format!(
                    "ファイル名の対象年月 {} と違う月 {} です（1ファイルに1か月分）",
                    named.yyyymm(),
                    own.yyyymm()
                ),
                format!(
                    "month {} differs from the file name's {} (one month per file)",
                    own.yyyymm(),
                    named.yyyymm()
                ),
            ));
        }
    }
    out
}

/// Why a file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("{file} に入らない記録です（{index}件目） / record {index} does not belong in {file}")]
    WrongKind { file: String, index: usize },
    #[error("MS932で書けない文字 {ch:?} があります（{file} {index}件目 {person} 「{field}」） / {ch:?} cannot be written in MS932 ({file}, record {index}, person {person}, {field})")]
    Character {
        file: String,
        index: usize,
        /// 保険者番号-被保険者番号 of the record.
        person: String,
        field: &'static str,
        ch: char,
    },
    #[error(
        "画像ファイルは CSV として書けません: {file} / an image is not written as CSV: {file}"
    )]
    NotCsv { file: String },
}

/// Writes one file: its name and bytes.
pub fn write_file(
    name: &FileName,
    records: &[(Common, OfficialRecord)],
) -> Result<(String, Vec<u8>), WriteError> {
    let file = name.to_string();
    if !name.kind.is_csv() {
        return Err(WriteError::NotCsv { file });
    }
    let layout = layout(name.kind);
    let mut out = Vec::new();
    for (i, (common, record)) in records.iter().enumerate() {
        if !record.fits(name.kind) {
            return Err(WriteError::WrongKind { file, index: i + 1 });
        }
        let mut texts: Vec<String> = common.format_fields().to_vec();
        texts.extend(record.format_fields());
        for (j, (text, spec)) in texts.iter().zip(layout).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            let bytes = encode_strict(text).map_err(|ch| WriteError::Character {
                file: file.clone(),
                index: i + 1,
                person: format!("{}-{}", common.insurer, common.insured),
                field: spec.name,
                ch,
            })?;
            let quote =
                (spec.free_text && !text.is_empty()) || text.contains([',', '"', '\r', '\n']);
            write_field(&mut out, &bytes, quote);
        }
        out.extend_from_slice(b"\r\n");
    }
    Ok((file, out))
}
