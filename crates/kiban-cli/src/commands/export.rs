//! `kiban export`

use anyhow::Context;
use kiban_app::export::{export_insurer, ExportOptions};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 保険者番号 to export; every insurer in the database when omitted (each one acting for
    /// that insurer).
    #[arg(long)]
    insurer: Option<String>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// csv or jsonl.
    #[arg(long, default_value = "csv")]
    format: String,
    /// utf8 or sjis (CSV only).
    #[arg(long, default_value = "utf8")]
    encoding: String,
    /// 作成日時 in file names (YYYYMMDDHHMMSS); now when omitted.
    #[arg(long)]
    created: Option<String>,
    #[command(flatten)]
    acting: super::Acting,
}

/// Every exported person's access is decided and audited (action `export`) before the files
/// are written; persons the policy refuses are left out, and then the run exits with status 3
/// because the 全件 files are not complete.
pub fn run(database: &str, args: Args) -> anyhow::Result<ExitCode> {
    let format = match args.format.as_str() {
        "csv" => Format::Csv,
        "jsonl" => Format::JsonLines,
        other => anyhow::bail!("unknown format {other:?} (csv or jsonl)"),
    };
    let encoding = Encoding::parse(&args.encoding)
        .with_context(|| format!("unknown encoding {:?}", args.encoding))?;
    let options = ExportOptions {
        format,
        encoding,
        created: args.created.unwrap_or_else(super::timestamp),
    };
    let mut conn = super::open_conn(database)?;
    let insurers = match &args.insurer {
        Some(raw) => vec![super::parse_insurer(raw)?],
        None => kiban_app::stats::insurers(&mut conn)?,
    };
    let mut refused = 0;
    for insurer in insurers {
        let caller = args.acting.caller(insurer);
        let report = export_insurer(
            &mut conn,
            &caller,
            insurer,
            &args.out,
            &options,
            super::now(),
        )?;
        for file in &report.files {
            println!("{}: {} 行 rows", file.path.display(), file.rows);
        }
        for d in &report.decisions {
            println!(
                "  {insurer} {}: {} 人を出力 / persons exported (利用目的 purpose {}, 監査ログに記録 / audited)",
                d.category.label(),
                d.allowed,
                args.acting.purpose.code()
            );
            for (reason, n) in &d.refused {
                eprintln!(
                    "  {insurer} {}: {n} 人は方針により出力しません / persons refused by the policy: {reason}",
                    d.category.label()
                );
            }
        }
        refused += report.refused();
    }
    if refused > 0 {
        eprintln!("出力は完全ではありません / the export is incomplete: {refused} refused");
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use kiban_domain::access::Purpose;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: super::Args,
    }

    fn parse(extra: &[&str]) -> Result<super::Args, clap::Error> {
        let mut argv = vec!["kiban", "--out", "dir"];
        argv.extend(extra);
        Cli::try_parse_from(argv).map(|c| c.args)
    }

    #[test]
    fn purpose_and_operator_parse_with_defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.acting.purpose, Purpose::QualificationAdmin);
        // The env default only applies when the variable is set; tests do not set it.
        if std::env::var_os("KIBAN_OPERATOR").is_none() {
            assert_eq!(args.acting.operator, "cli");
        }
        let args = parse(&["--purpose", "guidance", "--operator", "yamada"]).unwrap();
        assert_eq!(args.acting.purpose, Purpose::Guidance);
        assert_eq!(args.acting.operator, "yamada");
    }

    #[test]
    fn unknown_purposes_and_empty_operators_are_refused() {
        let e = parse(&["--purpose", "marketing"]).unwrap_err().to_string();
        assert!(e.contains("marketing"), "{e}");
        assert!(parse(&["--operator", ""]).is_err());
        assert!(parse(&["--operator", "a\nb"]).is_err());
    }
}
