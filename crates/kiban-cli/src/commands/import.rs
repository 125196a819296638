//! `kiban import FILES…`

use crate::progress;
use anyhow::Context;
use kiban_app::import::{import_file, ImportOptions, Outcome, Report};
use kiban_domain::ids::CheckDigitPolicy;
use kiban_interchange::encoding::Encoding;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Interface files, named KIND_INSURER_MODE_CREATED.csv|jsonl.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Declared encoding (utf8 or sjis); detected when omitted.
    #[arg(long)]
    encoding: Option<String>,
    /// Whole-file policy: commit nothing if any row is rejected.
    #[arg(long)]
    strict: bool,
    /// Accept a wrong 保険者番号 check digit with a warning instead of an error.
    #[arg(long)]
    check_digit_warn_only: bool,
    /// Where the JSON reports are written.
    #[arg(long, default_value = "kiban-data/reports")]
    report_dir: PathBuf,
}

/// Exit codes: 0 every file committed without rejected rows (or already imported);
/// 3 some rows or files were rejected (details in the reports).
pub fn run(database: &str, args: Args) -> anyhow::Result<ExitCode> {
    let encoding = match &args.encoding {
        Some(name) => Some(
            Encoding::parse(name)
                .with_context(|| format!("unknown encoding {name:?} (utf8 or sjis)"))?,
        ),
        None => None,
    };
    let options = ImportOptions {
        policy: if args.check_digit_warn_only {
            CheckDigitPolicy::Warn
        } else {
            CheckDigitPolicy::Enforce
        },
        encoding,
        strict: args.strict,
        ..ImportOptions::default()
    };
    let mut conn = super::open_conn(database)?;
    let reports = import_all(&mut conn, &args.files, &options, &args.report_dir)?;
    let clean = reports
        .iter()
        .all(|r| r.outcome != Outcome::Rejected && r.rows_rejected == 0);
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// Imports files in order, printing a line per file and writing each report as JSON.
pub fn import_all(
    conn: &mut kiban_app::Connection,
    files: &[PathBuf],
    options: &ImportOptions,
    report_dir: &Path,
) -> anyhow::Result<Vec<Report>> {
    std::fs::create_dir_all(report_dir)
        .with_context(|| format!("creating {}", report_dir.display()))?;
    let mut reports = Vec::new();
    for file in files {
        let label = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let bar = progress::rows(&label);
        let report = import_file(conn, file, options, &mut |p| bar.set_position(p.rows))
            .with_context(|| format!("importing {}", file.display()))?;
        bar.finish_and_clear();
        let report_path = report_dir.join(format!("{label}.report.json"));
        std::fs::write(&report_path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", report_path.display()))?;
        let rate = (report.rows_total * 1000)
            .checked_div(report.elapsed_ms)
            .unwrap_or(report.rows_total);
        println!(
            "{label}: {} / {} ({} 行/秒 rows/s)",
            report.summary_ja, report.summary_en, rate
        );
        for issue in report.issues.iter().filter(|i| i.is_error()).take(5) {
            println!(
                "  {}行 {} [{}] {} / {}",
                issue.line, issue.column, issue.code, issue.message_ja, issue.message_en
            );
        }
        let errors = report.issues.iter().filter(|i| i.is_error()).count();
        if errors > 5 {
            println!(
                "  … 他 {} 件は {} を参照 / {} more in the report",
                errors - 5,
                report_path.display(),
                errors - 5
            );
        }
        reports.push(report);
    }
    Ok(reports)
}
