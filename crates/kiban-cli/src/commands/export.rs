//! `kiban export`

use anyhow::Context;
use kiban_app::export::{export_insurer, ExportOptions};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 保険者番号 to export; every insurer in the database when omitted.
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
}

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
    let mut store = super::open_store(database)?;
    let insurers = match &args.insurer {
        Some(raw) => vec![super::parse_insurer(raw)?],
        None => store.insurers()?,
    };
    for insurer in insurers {
        for file in export_insurer(store.as_mut(), insurer, &args.out, &options)? {
            println!("{}: {} 行 rows", file.path.display(), file.rows);
        }
    }
    Ok(ExitCode::SUCCESS)
}
