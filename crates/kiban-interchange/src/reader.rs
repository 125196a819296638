//! Streaming reader of one interchange file: file-level checks first (name, existence, size,
//! encoding, header), then rows one at a time so memory stays flat whatever the file size.

use crate::encoding::{self, Encoding};
use crate::file_name::{FileName, Format};
use crate::issue::Issue;
use crate::layout::{self, Column, Row, RowContext};
use kiban_domain::ids::CheckDigitPolicy;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

mod header;
mod json;
pub mod line;

use header::read_header;
use json::json_values;
use line::{read_line, split_fields, LineEnd, QuoteProblem, MAX_LINE_BYTES};

/// A problem that stops the whole file before any row is read. Nothing is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRejected(pub Issue);

fn reject(line: u64, code: &'static str, ja: String, en: String) -> FileRejected {
    FileRejected(Issue::error(line, "", code, ja, en))
}

/// A row with its warnings, or every error found in it.
pub type RowResult = Result<(Row, Vec<Issue>), Vec<Issue>>;

/// The outcome of one data row.
#[derive(Debug)]
pub struct RowOutcome {
    pub line: u64,
    pub result: RowResult,
}

impl RowOutcome {
    fn rejected(issue: Issue) -> Self {
        Self {
            line: issue.line,
            result: Err(vec![issue]),
        }
    }
}

/// An open file, positioned after its header.
pub struct FileReader {
    pub name: FileName,
    pub encoding: Encoding,
    /// Warnings about the file as a whole (BOM removed, …).
    pub file_warnings: Vec<Issue>,
    pub size_bytes: u64,
    ctx: RowContext,
    reader: BufReader<File>,
    /// For each canonical column, its position in the file (CSV only).
    positions: Vec<usize>,
    /// For each position in the file, its canonical column (CSV only).
    file_columns: Vec<usize>,
    line: u64,
    /// The current line's bytes (at most [`MAX_LINE_BYTES`] of them), reused across lines.
    buf: Vec<u8>,
    /// The current CSV line's fields, as ranges of `buf`.
    fields: Vec<Range<usize>>,
    /// The decoded fields of the current row, back to back (reused across rows).
    text: String,
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
        let ctx = RowContext {
            kind: name.kind,
            insurer: name.insurer,
            policy,
        };
        if size_bytes == 0 && name.format == Format::JsonLines {
            // JSON Lines has no header, so zero lines is a complete file with no records (an
            // export of a kind without data); it is reported, not refused.
            let mut opened = Self::new(name, ctx, size_bytes, file);
            opened.file_warnings.push(Issue::warning(
                0,
                "",
                "FILE_NO_ROWS",
                "ファイルにデータ行がありません".into(),
                "the file has no rows".into(),
            ));
            opened.done = true;
            return Ok(opened);
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
        let complete = n < sample.len();
        sample.truncate(n);
        let detected = encoding::detect(&sample);
        let mut opened = Self::new(name, ctx, size_bytes, file);
        opened.encoding = declared.unwrap_or(detected.encoding);
        if detected.bom {
            opened.file_warnings.push(Issue::warning(
                1,
                "",
                "BOM_REMOVED",
                "先頭のBOMを除去しました".into(),
                "a leading UTF-8 byte order mark was removed".into(),
            ));
        }
        let body = if detected.bom {
            &sample[3..]
        } else {
            &sample[..]
        };
        if line::first_line_ends_in_cr(body, complete) {
            // With CR-only line ends the whole file is one line; refusing it up front is the
            // only answer that is the same for every row.
            return Err(reject(
                0,
                "LINE_ENDING_UNSUPPORTED",
                "改行コードが CR のみです（1行目に LF を伴わない CR があります）。改行は CRLF か LF にしてください".into(),
                "the file uses CR-only line ends (line 1 has a CR without LF); line ends must be CRLF or LF".into(),
            ));
        }
        opened
            .reader
            .seek(SeekFrom::Start(if detected.bom { 3 } else { 0 }))
            .map_err(|e| io_reject(&display, e))?;
        match opened.name.format {
            Format::Csv => {
                let positions = read_header(
                    &mut opened.reader,
                    &mut opened.buf,
                    opened.encoding,
                    ctx.kind,
                )?;
                let mut file_columns = vec![0; positions.len()];
                for (column, &position) in positions.iter().enumerate() {
                    file_columns[position] = column;
                }
                opened.positions = positions;
                opened.file_columns = file_columns;
                opened.line = 1;
            }
            Format::JsonLines if opened.encoding != Encoding::Utf8 => {
                return Err(reject(
                    0,
                    "ENCODING_INVALID",
                    "JSON Lines は UTF-8 でなければなりません".into(),
                    "JSON Lines files must be UTF-8".into(),
                ));
            }
            Format::JsonLines => {}
        }
        Ok(opened)
    }

    fn new(name: FileName, ctx: RowContext, size_bytes: u64, file: File) -> Self {
        Self {
            name,
            encoding: Encoding::Utf8,
            file_warnings: Vec::new(),
            size_bytes,
            ctx,
            reader: BufReader::with_capacity(256 * 1024, file),
            positions: Vec::new(),
            file_columns: Vec::new(),
            line: 0,
            buf: Vec::new(),
            fields: Vec::new(),
            text: String::new(),
            done: false,
        }
    }

    /// The next data row, or `None` at the end of the file. Every line after the header is
    /// either a row or skipped as blank, so no line goes unreported.
    pub fn next_row(&mut self) -> Option<RowOutcome> {
        loop {
            if self.done {
                return None;
            }
            let end = match read_line(&mut self.reader, &mut self.buf, MAX_LINE_BYTES) {
                Ok(end) => end,
                Err(e) => {
                    self.done = true;
                    return Some(RowOutcome::rejected(Issue::error(
                        self.line + 1,
                        "",
                        "ROW_UNREADABLE",
                        format!("行を読めません: {e}"),
                        format!("cannot read the row: {e}"),
                    )));
                }
            };
            if end == LineEnd::Eof {
                self.done = true;
                return None;
            }
            self.line += 1;
            let line = self.line;
            match end {
                LineEnd::TooLong { bytes } => {
                    let column = self.column_at_cap();
                    return Some(RowOutcome::rejected(too_long(line, column, bytes)));
                }
                LineEnd::Unterminated => {
                    self.done = true;
                    return Some(RowOutcome::rejected(truncated(line)));
                }
                LineEnd::Complete | LineEnd::Eof => {}
            }
            if let Some(at) = line::bare_cr(&self.buf) {
                return Some(RowOutcome::rejected(Issue::error(
                    line,
                    "",
                    "LINE_ENDING_UNSUPPORTED",
                    format!(
                        "{}バイト目に LF を伴わない CR があります（改行は CRLF か LF です）",
                        at + 1
                    ),
                    format!(
                        "a CR without LF at byte {} (line ends are CRLF or LF)",
                        at + 1
                    ),
                )));
            }
            let result = match self.name.format {
                Format::Csv if self.buf.is_empty() => continue,
                Format::Csv => self.csv_row(line),
                Format::JsonLines => match self.json_row(line) {
                    Some(result) => result,
                    None => continue,
                },
            };
            return Some(RowOutcome { line, result });
        }
    }

    /// The column of a CSV line cut at the cap: the field the cap fell in.
    fn column_at_cap(&mut self) -> Option<Column> {
        if self.name.format != Format::Csv {
            return None;
        }
        self.buf.truncate(MAX_LINE_BYTES);
        let field = match split_fields(&mut self.buf, &mut self.fields) {
            Ok(()) => self.fields.len().saturating_sub(1),
            Err(QuoteProblem::Unclosed { field }) => field,
            Err(QuoteProblem::AfterClosing { .. }) => return None,
        };
        self.column_at(field)
    }

    /// The column at a 0-based position of the CSV line; `None` beyond the header.
    fn column_at(&self, field: usize) -> Option<Column> {
        self.file_columns
            .get(field)
            .map(|&c| layout::columns(self.ctx.kind)[c])
    }

    /// The column name (日本語) at a 0-based position of the CSV line; empty beyond the header.
    fn column_of(&self, field: usize) -> &'static str {
        self.column_at(field).map(|c| c.ja).unwrap_or("")
    }

    fn csv_row(&mut self, line: u64) -> RowResult {
        if let Err(problem) = split_fields(&mut self.buf, &mut self.fields) {
            return Err(vec![self.quote_issue(line, problem)]);
        }
        if self.fields.len() != self.positions.len() {
            let (expected, found) = (self.positions.len(), self.fields.len());
            return Err(vec![Issue::error(
                line,
                "",
                "COLUMN_COUNT",
                format!("項目数が{expected}ではなく{found}です"),
                format!("expected {expected} fields, found {found}"),
            )]);
        }
        let columns = layout::columns(self.ctx.kind);
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        let mut ranges = Vec::with_capacity(columns.len());
        let mut issues = Vec::new();
        for (i, &pos) in self.positions.iter().enumerate() {
            let start = text.len();
            if !self
                .encoding
                .decode_into(&self.buf[self.fields[pos].clone()], &mut text)
            {
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
        result
    }

    fn quote_issue(&self, line: u64, problem: QuoteProblem) -> Issue {
        match problem {
            QuoteProblem::Unclosed { field } => Issue::error(
                line,
                self.column_of(field),
                "QUOTE_UNCLOSED",
                format!("{}項目目で開いた引用符(\")がこの行の中で閉じられていません（改行を含む項目は使えません）", field + 1),
                format!("the quote (\") opened in field {} is not closed on this line (a field cannot span lines)", field + 1),
            ),
            QuoteProblem::AfterClosing { field } => Issue::error(
                line,
                self.column_of(field),
                "QUOTE_INVALID",
                format!("{}項目目の閉じ引用符(\")の後に区切り(,)以外の文字があります", field + 1),
                format!("characters other than a separator (,) follow the closing quote of field {}", field + 1),
            ),
        }
    }

    /// One JSON Lines row; `None` for a blank line.
    fn json_row(&mut self, line: u64) -> Option<RowResult> {
        let text = match std::str::from_utf8(&self.buf) {
            Ok(t) => t.trim(),
            Err(_) => {
                return Some(Err(vec![Issue::error(
                    line,
                    "",
                    "ENCODING_INVALID",
                    "UTF-8として不正なバイト列です".into(),
                    "invalid UTF-8 byte sequence".into(),
                )]))
            }
        };
        if text.is_empty() {
            return None;
        }
        Some(
            json_values(layout::columns(self.ctx.kind), line, text).and_then(|values| {
                let borrowed: Vec<&str> = values.iter().map(String::as_str).collect();
                layout::parse_row(&self.ctx, line, &borrowed)
            }),
        )
    }

    /// The 1-based number of the last line read.
    pub fn line(&self) -> u64 {
        self.line
    }
}

fn too_long(line: u64, column: Option<Column>, bytes: u64) -> Issue {
    let (ja_at, en_at) = match column {
        None => (String::new(), String::new()),
        Some(c) => (
            format!("（「{}」で上限を超えました）", c.ja),
            format!(" (the limit was crossed in {})", c.en),
        ),
    };
    Issue::error(
        line,
        column.map(|c| c.ja).unwrap_or(""),
        "LINE_TOO_LONG",
        format!("行が長すぎます: {bytes}バイト（上限 {MAX_LINE_BYTES} バイト）{ja_at}。この行は読み飛ばしました"),
        format!("the line is {bytes} bytes long, over the limit of {MAX_LINE_BYTES} bytes{en_at}; it was skipped"),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const HEADER: &[u8] = "操作区分,保険者番号,被保険者番号,履歴番号,適用開始年月日,負担割合,適用期間開始年月日,適用期間終了年月日,交付年月日\n".as_bytes();

    /// Random lines over the bytes that matter to the reader (separators, quotes, CR, broken
    /// multi-byte sequences), now and then one over the cap.
    fn random_body(rng: &mut ChaCha8Rng, json: bool) -> Vec<u8> {
        let alphabet: &[u8] = if json {
            b"{}\":,a1 \r\xE3\x82"
        } else {
            b",\"\r A1\t\x82\xE3"
        };
        let mut body = Vec::new();
        for _ in 0..rng.gen_range(0..40) {
            let len = if rng.gen_ratio(1, 30) {
                MAX_LINE_BYTES + rng.gen_range(0..3)
            } else {
                rng.gen_range(0..30)
            };
            body.extend((0..len).map(|_| alphabet[rng.gen_range(0..alphabet.len())]));
            body.push(b'\n');
        }
        if rng.gen_bool(0.3) {
            body.truncate(rng.gen_range(0..=body.len()));
        }
        body
    }

    /// The lines that must each give exactly one outcome: every line but the blank ones.
    fn expected_lines(body: &[u8], first_line: u64, json: bool) -> Vec<u64> {
        let pieces: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let last = pieces.len() - 1;
        let mut out = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            let stripped = piece.strip_suffix(b"\r").unwrap_or(piece);
            let blank = stripped.len() <= MAX_LINE_BYTES
                && !stripped.contains(&b'\r')
                && if json {
                    std::str::from_utf8(stripped).is_ok_and(|s| s.trim().is_empty())
                } else {
                    stripped.is_empty()
                };
            let reported = if i == last { !piece.is_empty() } else { !blank };
            if reported {
                out.push(first_line + i as u64);
            }
        }
        out
    }

    /// What the fuzzing step will do at scale: whatever the bytes, no panic, a bounded line
    /// buffer, and every line after the header read as a row or reported, at its own number.
    #[test]
    fn random_damage_never_hides_a_line() {
        let dir = std::env::temp_dir().join(format!("kiban-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let (mut checked, mut too_long) = (0, 0);
        for round in 0..300 {
            let json = round % 3 == 0;
            let body = random_body(&mut rng, json);
            // Declared, since damaged bytes would make detection pick an encoding the header
            // is not in.
            let encoding = if round % 2 == 0 {
                Encoding::Utf8
            } else {
                Encoding::ShiftJis
            };
            let (path, bytes, first_line) = if json {
                (
                    dir.join("FUTAN_131011_SABUN_20261101090000.jsonl"),
                    body.clone(),
                    1,
                )
            } else {
                let header = std::str::from_utf8(HEADER).unwrap();
                let mut bytes = encoding.encode(header).unwrap().into_owned();
                bytes.extend_from_slice(&body);
                (dir.join("FUTAN_131011_SABUN_20261101090000.csv"), bytes, 2)
            };
            std::fs::write(&path, &bytes).unwrap();
            let declared = if json { Encoding::Utf8 } else { encoding };
            let mut reader =
                match FileReader::open(&path, CheckDigitPolicy::Enforce, Some(declared)) {
                    Ok(r) => r,
                    Err(FileRejected(issue)) => {
                        let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
                        assert!(
                            json && issue.code == "LINE_ENDING_UNSUPPORTED",
                            "round {round}: {issue:?}"
                        );
                        assert!(first.contains(&b'\r'), "round {round}");
                        continue;
                    }
                };
            let mut lines = Vec::new();
            while let Some(outcome) = reader.next_row() {
                if let Err(issues) = &outcome.result {
                    assert!(!issues.is_empty());
                    assert!(
                        issues.iter().all(|i| i.line == outcome.line),
                        "round {round}"
                    );
                }
                lines.push(outcome.line);
                too_long +=
                    usize::from(matches!(&outcome.result, Err(i) if i[0].code == "LINE_TOO_LONG"));
                assert!(reader.buf.capacity() <= 2 * (MAX_LINE_BYTES + 1));
            }
            assert_eq!(
                lines,
                expected_lines(&body, first_line, json),
                "round {round}: {:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            );
            checked += lines.len();
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            checked > 2_000 && too_long > 50,
            "{checked} lines, {too_long} too long"
        );
    }
}
