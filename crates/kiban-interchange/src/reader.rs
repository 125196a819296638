//! Streaming reader of one interchange file: file-level checks first (name, existence, size,
//! encoding, header), then rows one at a time so memory stays flat whatever the file size.

use crate::encoding::{self, Encoding};
use crate::file_name::{FileName, Format};
use crate::issue::Issue;
use crate::layout::{self, Row, RowContext};
use kiban_domain::ids::CheckDigitPolicy;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

mod header;
mod json;

use header::open_csv;
use json::json_values;

/// A problem that stops the whole file before any row is read. Nothing is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRejected(pub Issue);

fn reject(line: u64, code: &'static str, ja: String, en: String) -> FileRejected {
    FileRejected(Issue::error(line, "", code, ja, en))
}

/// The outcome of one data row.
#[derive(Debug)]
pub struct RowOutcome {
    pub line: u64,
    pub result: Result<(Row, Vec<Issue>), Vec<Issue>>,
}

enum Source {
    Csv(CsvReader),
    Lines(BufReader<File>),
}

/// An open file, positioned after its header.
pub struct FileReader {
    pub name: FileName,
    pub encoding: Encoding,
    /// Warnings about the file as a whole (BOM removed, …).
    pub file_warnings: Vec<Issue>,
    pub size_bytes: u64,
    ctx: RowContext,
    source: Source,
    /// For each canonical column, its position in the file (CSV only).
    positions: Vec<usize>,
    ends_with_newline: bool,
    line: u64,
    /// The line the next CSV record starts on.
    next_line: u64,
    record: csv::ByteRecord,
    /// A used record kept for reuse, so reading does not allocate per row.
    spare: Option<csv::ByteRecord>,
    /// The decoded fields of the current row, back to back (reused across rows).
    text: String,
    lookahead: Option<(u64, csv::ByteRecord)>,
    pending_error: Option<Issue>,
    done: bool,
}

impl FileReader {
    pub fn open(
        path: &Path,
        policy: CheckDigitPolicy,
        declared: Option<Encoding>,
    ) -> Result<Self, FileRejected> {
        let display = path.display().to_string();
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = FileName::parse(file_name, policy).map_err(|e| {
            reject(
                0,
                "FILE_NAME_INVALID",
                format!("ファイル名が不正です（{}）: {}", e.reason_ja, e.name),
                format!("invalid file name ({}): {}", e.reason_en, e.name),
            )
        })?;
        let mut file = File::open(path).map_err(|e| {
            reject(
                0,
                "FILE_NOT_FOUND",
                format!("ファイルを開けません: {display}（{e}）"),
                format!("cannot open file: {display} ({e})"),
            )
        })?;
        let size_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size_bytes == 0 && name.format == Format::JsonLines {
            // JSON Lines has no header, so zero lines is a complete file with no records (an
            // export of a kind without data); it is reported, not refused.
            let warning = Issue::warning(
                0,
                "",
                "FILE_NO_ROWS",
                "ファイルにデータ行がありません".into(),
                "the file has no rows".into(),
            );
            let ctx = RowContext {
                kind: name.kind,
                insurer: name.insurer,
                policy,
            };
            return Ok(Self {
                encoding: Encoding::Utf8,
                file_warnings: vec![warning],
                size_bytes,
                ctx,
                source: Source::Lines(BufReader::new(file)),
                positions: Vec::new(),
                ends_with_newline: true,
                line: 0,
                next_line: 1,
                record: csv::ByteRecord::new(),
                spare: None,
                text: String::new(),
                lookahead: None,
                pending_error: None,
                done: true,
                name,
            });
        }
        if size_bytes == 0 {
            return Err(reject(
                0,
                "FILE_EMPTY",
                "ファイルが空です（見出し行もありません）".into(),
                "the file is empty (not even a header row)".into(),
            ));
        }
        let mut sample = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut file, &mut sample).map_err(|e| io_reject(&display, e))?;
        sample.truncate(n);
        let detected = encoding::detect(&sample);
        let encoding = declared.unwrap_or(detected.encoding);
        let mut file_warnings = Vec::new();
        if detected.bom {
            file_warnings.push(Issue::warning(
                1,
                "",
                "BOM_REMOVED",
                "先頭のBOMを除去しました".into(),
                "a leading UTF-8 byte order mark was removed".into(),
            ));
        }
        let mut last = [0u8; 1];
        file.seek(SeekFrom::End(-1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(|e| io_reject(&display, e))?;
        file.seek(SeekFrom::Start(if detected.bom { 3 } else { 0 }))
            .map_err(|e| io_reject(&display, e))?;
        let ctx = RowContext {
            kind: name.kind,
            insurer: name.insurer,
            policy,
        };
        let reader = BufReader::with_capacity(256 * 1024, file);
        let (source, positions, line) = match name.format {
            Format::Csv => {
                let (csv, positions) = open_csv(reader, encoding, ctx.kind)?;
                (Source::Csv(csv), positions, 1)
            }
            Format::JsonLines if encoding != Encoding::Utf8 => {
                return Err(reject(
                    0,
                    "ENCODING_INVALID",
                    "JSON Lines は UTF-8 でなければなりません".into(),
                    "JSON Lines files must be UTF-8".into(),
                ));
            }
            Format::JsonLines => (Source::Lines(reader), Vec::new(), 0),
        };
        Ok(Self {
            encoding,
            file_warnings,
            size_bytes,
            ctx,
            source,
            positions,
            ends_with_newline: last[0] == b'\n',
            line,
            next_line: 2,
            record: csv::ByteRecord::new(),
            spare: None,
            text: String::new(),
            lookahead: None,
            pending_error: None,
            done: false,
            name,
        })
    }

    /// The next data row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<RowOutcome> {
        if self.done {
            return None;
        }
        match &mut self.source {
            Source::Csv(_) => self.next_csv(),
            Source::Lines(_) => self.next_json(),
        }
    }

    fn read_csv_record(&mut self) -> Option<Result<(u64, csv::ByteRecord), Issue>> {
        let Source::Csv(csv) = &mut self.source else {
            unreachable!()
        };
        match csv.read_byte_record(&mut self.record) {
            Ok(true) => {
                // Counted here rather than taken from the csv crate, whose record positions
                // lag by one line after a CRLF terminator.
                let line = self.next_line;
                let embedded = self
                    .record
                    .iter()
                    .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
                    .sum::<u64>();
                self.next_line += 1 + embedded;
                let fresh = self.spare.take().unwrap_or_default();
                Some(Ok((line, std::mem::replace(&mut self.record, fresh))))
            }
            Ok(false) => None,
            Err(e) => Some(Err(Issue::error(
                self.next_line,
                "",
                "ROW_UNREADABLE",
                format!("行を読めません: {e}"),
                format!("cannot read the row: {e}"),
            ))),
        }
    }

    fn next_csv(&mut self) -> Option<RowOutcome> {
        if let Some(issue) = self.pending_error.take() {
            self.done = true;
            return Some(RowOutcome {
                line: issue.line,
                result: Err(vec![issue]),
            });
        }
        // One record of lookahead tells whether this record is the last, which matters for the
        // truncated-last-line rule.
        let (line, record) = match self.lookahead.take() {
            Some(r) => r,
            None => match self.read_csv_record()? {
                Ok(r) => r,
                Err(issue) => {
                    self.done = true;
                    return Some(RowOutcome {
                        line: issue.line,
                        result: Err(vec![issue]),
                    });
                }
            },
        };
        self.line = line;
        match self.read_csv_record() {
            Some(Ok(next)) => self.lookahead = Some(next),
            Some(Err(issue)) => self.pending_error = Some(issue),
            None => self.done = true,
        }
        if self.done && !self.ends_with_newline {
            return Some(RowOutcome {
                line,
                result: Err(vec![truncated(line)]),
            });
        }
        let columns = layout::columns(self.ctx.kind);
        if record.len() != self.positions.len() {
            let issue = Issue::error(
                line,
                "",
                "COLUMN_COUNT",
                format!(
                    "項目数が{}ではなく{}です",
                    self.positions.len(),
                    record.len()
                ),
                format!(
                    "expected {} fields, found {}",
                    self.positions.len(),
                    record.len()
                ),
            );
            return Some(RowOutcome {
                line,
                result: Err(vec![issue]),
            });
        }
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        let mut ranges = Vec::with_capacity(columns.len());
        let mut issues = Vec::new();
        for (i, &pos) in self.positions.iter().enumerate() {
            let start = text.len();
            if !self.encoding.decode_into(&record[pos], &mut text) {
                issues.push(Issue::error(
                    line,
                    columns[i].ja,
                    "ENCODING_INVALID",
                    format!("{}として不正なバイト列です", self.encoding.name()),
                    format!("invalid {} byte sequence", self.encoding.name()),
                ));
            }
            ranges.push(start..text.len());
        }
        self.spare = Some(record);
        let result = if issues.is_empty() {
            let values: Vec<&str> = ranges
                .into_iter()
                .map(|r| text[r].trim_matches([' ', '\t']))
                .collect();
            layout::parse_row(&self.ctx, line, &values)
        } else {
            Err(issues)
        };
        self.text = text;
        Some(RowOutcome { line, result })
    }

    fn next_json(&mut self) -> Option<RowOutcome> {
        let Source::Lines(reader) = &mut self.source else {
            unreachable!()
        };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = match reader.read_until(b'\n', &mut buf) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    let issue = Issue::error(
                        self.line + 1,
                        "",
                        "ROW_UNREADABLE",
                        format!("行を読めません: {e}"),
                        format!("cannot read the row: {e}"),
                    );
                    return Some(RowOutcome {
                        line: self.line + 1,
                        result: Err(vec![issue]),
                    });
                }
            };
            if n == 0 {
                self.done = true;
                return None;
            }
            self.line += 1;
            let line = self.line;
            if buf.last() != Some(&b'\n') {
                self.done = true;
                return Some(RowOutcome {
                    line,
                    result: Err(vec![truncated(line)]),
                });
            }
            let text = match std::str::from_utf8(&buf) {
                Ok(t) => t.trim(),
                Err(_) => {
                    let issue = Issue::error(
                        line,
                        "",
                        "ENCODING_INVALID",
                        "UTF-8として不正なバイト列です".into(),
                        "invalid UTF-8 byte sequence".into(),
                    );
                    return Some(RowOutcome {
                        line,
                        result: Err(vec![issue]),
                    });
                }
            };
            if text.is_empty() {
                continue;
            }
            let result =
                json_values(layout::columns(self.ctx.kind), line, text).and_then(|values| {
                    let borrowed: Vec<&str> = values.iter().map(String::as_str).collect();
                    layout::parse_row(&self.ctx, line, &borrowed)
                });
            return Some(RowOutcome { line, result });
        }
    }

    /// The 1-based number of the last line read.
    pub fn line(&self) -> u64 {
        self.line
    }
}

fn truncated(line: u64) -> Issue {
    Issue::error(
        line,
        "",
        "LINE_TRUNCATED",
        "最終行が改行で終わっていません（途中で切れている可能性があります）".into(),
        "the last line has no line break (the file may be truncated)".into(),
    )
}

fn io_reject(path: &str, e: std::io::Error) -> FileRejected {
    reject(
        0,
        "FILE_UNREADABLE",
        format!("ファイルを読めません: {path}（{e}）"),
        format!("cannot read file: {path} ({e})"),
    )
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        match file.read(&mut buf[total..])? {
            0 => break,
            n => total += n,
        }
    }
    Ok(total)
}

type CsvReader = csv::Reader<BufReader<File>>;
