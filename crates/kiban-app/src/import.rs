//! Importing one municipal interface file.
//!
//! Commit policy (docs/interface/municipal.md §Commit policy): by default a file commits every
//! valid row and reports the others ("valid rows"); with `strict` it commits nothing if any row
//! is rejected ("whole file"). A row is one whole record version, so no policy ever stores half
//! a record. File-level problems (name, missing file, encoding of the header, header columns)
//! reject the whole file. Everything a file commits, and its log entry, go in one transaction.

use crate::resolve::{self, Prepared, Tally};
use crate::Connection;
use crate::{now_iso, Result};
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber};
use kiban_interchange::check::WithinFile;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::LoadMode;
use kiban_interchange::issue::Issue;
use kiban_interchange::layout::Row;
use kiban_interchange::reader::FileReader;
use kiban_store::Store;
/// An entry of the import log, and how its import ended.
pub use kiban_store::{ImportRecord, ImportStatus};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub policy: CheckDigitPolicy,
    /// Declared encoding; `None` detects it.
    pub encoding: Option<Encoding>,
    /// Whole-file commit policy instead of valid rows.
    pub strict: bool,
    /// Rows resolved against storage per round trip.
    pub batch_rows: usize,
    /// At most this many issues are kept in the report; the counts stay exact.
    pub max_reported_issues: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            policy: CheckDigitPolicy::Enforce,
            encoding: None,
            strict: false,
            batch_rows: 5_000,
            max_reported_issues: 100_000,
        }
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Valid rows are committed (possibly all of them).
    Committed,
    /// The same file (by SHA-256) was committed before; nothing changed.
    AlreadyImported,
    /// Nothing committed: a file-level error, or a rejected row under the strict policy.
    Rejected,
}

/// The machine-readable import report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub file: String,
    pub sha256: String,
    pub outcome: Outcome,
    pub policy: &'static str,
    pub kind: Option<String>,
    pub insurer: Option<String>,
    pub mode: Option<String>,
    pub encoding: Option<String>,
    pub rows_total: u64,
    /// Rows that passed every check, committed or not: under the strict policy with a rejected
    /// row, what would have been stored. `rows_total = rows_valid + rows_rejected`.
    pub rows_valid: u64,
    /// What was committed: all three are 0 when the outcome is `Rejected`.
    pub rows_inserted: u64,
    pub rows_unchanged: u64,
    pub rows_withdrawn: u64,
    pub rows_rejected: u64,
    /// Issues beyond `max_reported_issues` are counted here but not listed.
    pub issues_omitted: u64,
    pub elapsed_ms: u64,
    /// For `AlreadyImported`: the earlier import.
    pub previous_import: Option<i64>,
    pub summary_ja: String,
    pub summary_en: String,
    pub issues: Vec<Issue>,
}

impl Report {
    fn new(path: &Path, strict: bool) -> Self {
        Self {
            file: path.display().to_string(),
            sha256: String::new(),
            outcome: Outcome::Rejected,
            policy: if strict { "whole_file" } else { "valid_rows" },
            kind: None,
            insurer: None,
            mode: None,
            encoding: None,
            rows_total: 0,
            rows_valid: 0,
            rows_inserted: 0,
            rows_unchanged: 0,
            rows_withdrawn: 0,
            rows_rejected: 0,
            issues_omitted: 0,
            elapsed_ms: 0,
            previous_import: None,
            summary_ja: String::new(),
            summary_en: String::new(),
            issues: Vec::new(),
        }
    }

    fn push_issue(&mut self, issue: Issue, max: usize) {
        if self.issues.len() < max {
            self.issues.push(issue);
        } else {
            self.issues_omitted += 1;
        }
    }

    fn summarise(&mut self) {
        let (ja, en) = match self.outcome {
            Outcome::AlreadyImported => (
                format!(
                    "このファイルは取込済みです（取込番号 {}）。変更はありません",
                    self.previous_import.unwrap_or(0)
                ),
                format!(
                    "this file was already imported (import #{}); nothing changed",
                    self.previous_import.unwrap_or(0)
                ),
            ),
            Outcome::Rejected if self.rows_total > 0 => (
                format!(
                    "取込を中止しました。何も登録していません（{}行中 エラー {}・正常 {} も登録していません）",
                    self.rows_total, self.rows_rejected, self.rows_valid
                ),
                format!(
                    "import rejected; nothing was committed ({} rows: {} rejected, {} valid but not stored)",
                    self.rows_total, self.rows_rejected, self.rows_valid
                ),
            ),
            Outcome::Rejected => (
                format!(
                    "取込を中止しました。何も登録していません（エラー {} 件）",
                    self.issues.iter().filter(|i| i.is_error()).count() as u64
                        + self.issues_omitted
                ),
                format!(
                    "import rejected; nothing was committed ({} errors)",
                    self.issues.iter().filter(|i| i.is_error()).count() as u64
                        + self.issues_omitted
                ),
            ),
            Outcome::Committed => (
                format!(
                    "{}行中 登録 {}・変更なし {}・削除 {}・エラー {}",
                    self.rows_total,
                    self.rows_inserted,
                    self.rows_unchanged,
                    self.rows_withdrawn,
                    self.rows_rejected
                ),
                format!(
                    "{} rows: {} inserted, {} unchanged, {} withdrawn, {} rejected",
                    self.rows_total,
                    self.rows_inserted,
                    self.rows_unchanged,
                    self.rows_withdrawn,
                    self.rows_rejected
                ),
            ),
        };
        self.summary_ja = ja;
        self.summary_en = en;
    }
}

/// Progress of a running import, for the CLI's progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub rows: u64,
}

/// Imports one file. Data problems end up in the report; only storage or IO failures are `Err`.
pub fn import_file(
    conn: &mut Connection,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report> {
    let store = conn.store();
    let started = std::time::Instant::now();
    let started_at = now_iso();
    let mut report = Report::new(path, options.strict);
    let mut reader = match FileReader::open(path, options.policy, options.encoding) {
        Ok(r) => r,
        Err(rejected) => {
            report.issues.push(rejected.0);
            report.summarise();
            return Ok(report);
        }
    };
    let name = reader.name.clone();
    report.kind = Some(name.kind.code().to_string());
    report.insurer = Some(name.insurer.to_string());
    report.mode = Some(name.mode.code().to_string());
    report.encoding = Some(reader.encoding.name().to_string());
    report.sha256 = sha256_file(path)?;
    if let Some(previous) = store.find_committed_import(&report.sha256)? {
        report.outcome = Outcome::AlreadyImported;
        report.previous_import = Some(previous.id);
        report.summarise();
        return Ok(report);
    }
    for w in std::mem::take(&mut reader.file_warnings) {
        report.push_issue(w, options.max_reported_issues);
    }
    let mut log = ImportRecord {
        id: 0,
        file_name: name.to_string(),
        sha256: report.sha256.clone(),
        status: ImportStatus::Committed,
        kind: name.kind,
        insurer: name.insurer,
        mode: name.mode,
        encoding: reader.encoding.name().to_string(),
        started_at: started_at.clone(),
        finished_at: started_at,
        rows_total: 0,
        rows_inserted: 0,
        rows_unchanged: 0,
        rows_withdrawn: 0,
        rows_rejected: 0,
        report: String::new(),
    };
    store.begin()?;
    let result = load_rows(store, &mut reader, &mut log, &mut report, options, progress);
    let tally = match result {
        Ok(t) => t,
        Err(e) => {
            store.rollback()?;
            return Err(e);
        }
    };
    report.rows_valid = tally.inserted + tally.unchanged + tally.withdrawn;
    report.rows_rejected = tally.rejected;
    report.outcome = if options.strict && tally.rejected > 0 {
        Outcome::Rejected
    } else {
        Outcome::Committed
    };
    if report.outcome == Outcome::Committed {
        // A rejected file's counts stay 0: they say what was committed, and nothing was.
        report.rows_inserted = tally.inserted;
        report.rows_unchanged = tally.unchanged;
        report.rows_withdrawn = tally.withdrawn;
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report.summarise();
    log.finished_at = now_iso();
    log.rows_total = report.rows_total as i64;
    log.rows_rejected = tally.rejected as i64;
    if report.outcome == Outcome::Committed {
        log.rows_inserted = report.rows_inserted as i64;
        log.rows_unchanged = report.rows_unchanged as i64;
        log.rows_withdrawn = report.rows_withdrawn as i64;
        log.report = serde_json::to_string(&report).expect("reports serialise");
        store.finish_import(&log)?;
        store.commit()?;
    } else {
        // Nothing of the file stays; the attempt itself is logged so the console can show it.
        store.rollback()?;
        log.status = ImportStatus::Rejected;
        log.report = serde_json::to_string(&report).expect("reports serialise");
        store.begin()?;
        store.insert_import(&log)?;
        store.commit()?;
    }
    Ok(report)
}

/// What the parsing thread hands to the storage thread: prepared rows (with whether each is
/// its person's first row in the file) and the issues and counts of the lines they came from.
struct Parsed {
    rows: Vec<(u64, Prepared, bool)>,
    issues: Vec<Issue>,
    rows_total: u64,
    rejected: u64,
}

/// Reads, parses and checks rows on a second thread while this thread resolves and writes the
/// previous batch: on two cores that overlaps parsing with database work. The channel is
/// bounded, so memory stays at a few batches whatever the file size.
fn load_rows(
    store: &mut dyn Store,
    reader: &mut FileReader,
    log: &mut ImportRecord,
    report: &mut Report,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Tally> {
    let (kind, insurer) = (reader.name.kind, reader.name.insurer);
    log.id = store.insert_import(log)?;
    let mut tally = Tally::default();
    // With nothing stored for this kind and insurer, a person's stored versions can only come
    // from earlier rows of this file; persons first seen in a batch need no lookup.
    let stored_before = store.has_versions(kind, insurer)?;
    std::thread::scope(|scope| -> Result<()> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Parsed>(2);
        let batch_rows = options.batch_rows;
        let parser = scope.spawn(move || parse_rows(reader, batch_rows, sender));
        for parsed in receiver {
            report.rows_total += parsed.rows_total;
            tally.rejected += parsed.rejected;
            for issue in parsed.issues {
                report.push_issue(issue, options.max_reported_issues);
            }
            if !parsed.rows.is_empty() {
                for issue in resolve::apply_batch(
                    store,
                    log.id,
                    kind,
                    insurer,
                    stored_before,
                    parsed.rows,
                    &mut tally,
                )? {
                    report.push_issue(issue, options.max_reported_issues);
                }
            }
            progress(Progress {
                rows: report.rows_total,
            });
        }
        // A parser that died must not look like the end of the file: the caller rolls back.
        parser
            .join()
            .map_err(|_| std::io::Error::other("the parsing thread panicked"))?;
        Ok(())
    })?;
    report.issues.sort_by_key(|i| i.line);
    Ok(tally)
}

/// The parsing thread: stops early only if the receiver has gone (an error on the other side).
fn parse_rows(
    reader: &mut FileReader,
    batch_rows: usize,
    sender: std::sync::mpsc::SyncSender<Parsed>,
) {
    let mode = reader.name.mode;
    let mut within = WithinFile::default();
    let new_batch = || Parsed {
        rows: Vec::with_capacity(batch_rows),
        issues: Vec::new(),
        rows_total: 0,
        rejected: 0,
    };
    let mut batch = new_batch();
    while let Some(outcome) = reader.next_row() {
        batch.rows_total += 1;
        let checked = outcome.result.and_then(|(row, warnings)| {
            if mode == LoadMode::Full && matches!(row, Row::Withdrawal { .. }) {
                return Err(vec![Issue::error(
                    outcome.line,
                    "操作区分",
                    "OPERATION_NOT_ALLOWED",
                    "全件ファイルに削除（D）は使えません".into(),
                    "a full (ZENKEN) file cannot contain withdrawals (D)".into(),
                )]);
            }
            let first = within.check(outcome.line, &row).map_err(|i| vec![i])?;
            Ok((row, warnings, first))
        });
        match checked {
            Ok((row, warnings, first)) => {
                batch.issues.extend(warnings);
                batch.rows.push((outcome.line, Prepared::from(row), first));
            }
            Err(issues) => {
                batch.rejected += 1;
                batch.issues.extend(issues);
            }
        }
        if batch.rows.len() >= batch_rows
            && sender
                .send(std::mem::replace(&mut batch, new_batch()))
                .is_err()
        {
            return;
        }
    }
    let _ = sender.send(batch);
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf)? {
            0 => break,
            n => hasher.update(&buf[..n]),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The latest `read` entries of the import log, newest first, of which only `insurer`'s are
/// kept: what the municipal console shows (counts and file names, no person's data).
pub fn recent_imports(
    conn: &mut Connection,
    insurer: InsurerNumber,
    read: u32,
) -> Result<Vec<ImportRecord>> {
    let all = conn.store().list_imports(read)?;
    Ok(all.into_iter().filter(|r| r.insurer == insurer).collect())
}
