//! `kiban careplan check | convert`: the ケアプランデータ連携 file formats for care software
//! vendors and for offices before they upload. Both work on files only and touch no database:
//! registering a plan is an office's act through the API or the pages, decided by the access
//! policy. `check` reads V4/4.1 files as the platform will (strict CP932, every column) and
//! prints every problem with file, line and column; `convert` turns one send unit of V4 files
//! into V5 JSON documents (one per line) or V5 JSON back into V4 files, byte-identical to the
//! files the V5 came from.

use anyhow::{bail, Context};
use kiban_interchange::careplan::{read_unit, to_v5, v5_values_to_unit, write_unit};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Read V4/4.1 files of one send unit and report every problem (exit 1 if any error).
    Check {
        /// The unit's files (UP1KYO_…, UP2KYO_…, UPHOSOKU_…, UPPLAN_…, UPJSK_…, …DEL_…).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Convert one send unit between V4/4.1 CSV and V5 JSON.
    Convert {
        /// v5: the V4 files given become JSON Lines on stdout; v4: the JSON Lines file given
        /// becomes V4 files in --out.
        #[arg(long, value_parser = ["v4", "v5"])]
        to: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Directory for the V4 files (with --to v4).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check { files } => check(&files),
        Command::Convert { to, files, .. } if to == "v5" => {
            let unit = read_unit(&load(&files)?).map_err(anyhow::Error::msg)?;
            if let Some(e) = unit.all_issues().find(|i| i.is_error()) {
                bail!(
                    "{}: {}行 {}列 {}: {}",
                    e.file,
                    e.line,
                    e.column_no,
                    e.column,
                    e.message_ja
                );
            }
            for document in to_v5(&unit) {
                println!("{document}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Convert { files, out, .. } => {
            let [file] = files.as_slice() else {
                bail!("--to v4 takes one JSON Lines file / --to v4 takes one JSON Lines file");
            };
            let out = out.context("--to v4 needs --out <directory>")?;
            let text = std::fs::read_to_string(file).with_context(|| {
                format!(
                    "{} を読めません / cannot read {}",
                    file.display(),
                    file.display()
                )
            })?;
            let mut values = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                values.push(serde_json::from_str(line).with_context(|| {
                    format!(
                        "{}行目: JSON ではありません / line {}: not JSON",
                        i + 1,
                        i + 1
                    )
                })?);
            }
            let unit = v5_values_to_unit(&values)
                .map_err(|e| anyhow::anyhow!("{}: {} / {}", e.path, e.ja, e.en))?;
            let written = write_unit(&unit).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::create_dir_all(&out)?;
            for (name, bytes) in written {
                std::fs::write(out.join(&name), bytes)?;
                println!("{}", out.join(name).display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load(files: &[PathBuf]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    files
        .iter()
        .map(|path| {
            let name = file_name(path)?;
            let bytes = std::fs::read(path).with_context(|| {
                format!(
                    "{} を読めません / cannot read {}",
                    path.display(),
                    path.display()
                )
            })?;
            Ok((name, bytes))
        })
        .collect()
}

fn file_name(path: &Path) -> anyhow::Result<String> {
    Ok(path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("ファイル名がありません / no file name: {}", path.display()))?
        .to_string())
}

fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let unit = match read_unit(&load(files)?) {
        Ok(unit) => unit,
        Err(message) => {
            eprintln!("{message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut errors = 0;
    for issue in unit.all_issues() {
        errors += usize::from(issue.is_error());
        println!(
            "{}\t{}行\t{}列\t{}\t{}\t{}",
            issue.file, issue.line, issue.column_no, issue.column, issue.code, issue.message_ja
        );
    }
    let accepted = unit.persons.iter().filter(|p| !p.is_rejected()).count();
    println!(
        "{}: 利用者 {} 人（受付可 {} 人・エラー {} 件）/ {} persons, {accepted} acceptable, {errors} errors",
        unit.header.unit.label(),
        unit.persons.len(),
        accepted,
        errors,
        unit.persons.len()
    );
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
