//! `kiban generate`

use crate::progress;
use anyhow::Context;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions, GenerateSummary};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 保険者番号 of the synthetic municipality.
    #[arg(long, default_value = "131011")]
    insurer: String,
    /// Number of insured persons.
    #[arg(long, default_value_t = 10_000)]
    persons: u64,
    #[arg(long)]
    out: PathBuf,
    /// Random seed; the same seed gives byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// utf8 or sjis.
    #[arg(long, default_value = "utf8")]
    encoding: String,
    /// csv or jsonl.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Reference date the population is built around (YYYYMMDD); fixed so output is stable.
    #[arg(long, default_value = "20261101")]
    as_of: String,
    /// 作成日時 in file names (YYYYMMDDHHMMSS).
    #[arg(long, default_value = "20261101090000")]
    created: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let summary = write(&args.out, &options(&args)?)?;
    println!(
        "{} 人（認定 {} 人, {:.1}%）を {} に出力しました / wrote {} persons",
        summary.persons,
        summary.certified,
        summary.certified as f64 * 100.0 / summary.persons.max(1) as f64,
        args.out.display(),
        summary.persons
    );
    for (path, rows) in &summary.files {
        println!("  {}: {} 行 rows", path.display(), rows);
    }
    Ok(ExitCode::SUCCESS)
}

fn options(args: &Args) -> anyhow::Result<GenerateOptions> {
    Ok(GenerateOptions {
        insurer: super::parse_insurer(&args.insurer)?,
        persons: args.persons,
        seed: args.seed,
        format: match args.format.as_str() {
            "csv" => Format::Csv,
            "jsonl" => Format::JsonLines,
            other => anyhow::bail!("unknown format {other:?} (csv or jsonl)"),
        },
        encoding: Encoding::parse(&args.encoding)
            .with_context(|| format!("unknown encoding {:?}", args.encoding))?,
        created: args.created.clone(),
        as_of: super::parse_date(&args.as_of)?,
    })
}

pub fn write(dir: &Path, options: &GenerateOptions) -> anyhow::Result<GenerateSummary> {
    let bar = progress::rows("generate");
    let summary = generate(dir, options, &mut |n| bar.set_position(n))
        .with_context(|| format!("writing to {}", dir.display()))?;
    bar.finish_and_clear();
    Ok(summary)
}
