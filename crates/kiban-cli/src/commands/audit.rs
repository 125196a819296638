//! `kiban audit verify` and `kiban audit checkpoint`.

use anyhow::Context;
use kiban_app::audit::external::primary_log_path;
use kiban_app::audit::Signer;
use kiban_app::audit::{checkpoint, verify};
use kiban_app::keys::{load_or_create_platform_key, platform_key_path, Ed25519};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Re-hash the whole chain and check every signed checkpoint, in the database and in the
    /// external checkpoint logs (`<data-dir>/audit/checkpoints.log` and the mirror); names the
    /// first bad event. Exit status 4 when the log has been tampered with.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Fail (exit status 4) when there is no external checkpoint log, instead of warning
        /// that the newest events are unprotected.
        #[arg(long)]
        require_external: bool,
        #[command(flatten)]
        mirror: super::checkpoints::MirrorArg,
    },
    /// Sign the current chain head with the platform key (created on first use), in the
    /// database and in the external checkpoint logs.
    Checkpoint {
        #[command(flatten)]
        mirror: super::checkpoints::MirrorArg,
    },
}

pub fn run(database: &str, data_dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    let mut conn = super::open_conn(database)?;
    match command {
        Command::Checkpoint { mirror } => {
            let key = load_or_create_platform_key(data_dir).context("loading the platform key")?;
            match checkpoint(&mut conn, &key, now_ms(), &mirror.logs(data_dir))? {
                Some(cp) => println!(
                    "チェックポイントを記録しました / checkpoint signed at event {}",
                    cp.seq
                ),
                None => println!(
                    "新しい監査イベントはありません / no new events since the last checkpoint"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            json,
            require_external,
            mirror,
        } => {
            let path = platform_key_path(data_dir);
            let trusted = if path.exists() {
                kiban_crypto::PlatformKey::load(&path)
                    .context("loading the platform key")?
                    .public_key()
            } else {
                Vec::new()
            };
            let logs = mirror.logs(data_dir);
            let mut report = verify(&mut conn, &Ed25519, &trusted, &logs)?;
            if require_external && report.external_log_absent && report.fault.is_none() {
                report.fault = Some(format!(
                    "外部チェックポイントログ {} がありません（--require-external）/ no external checkpoint log at {} (--require-external)",
                    primary_log_path(data_dir).display(),
                    primary_log_path(data_dir).display()
                ));
            }
            for warning in &report.warnings {
                eprintln!("警告 / warning: {warning}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if let Some(fault) = &report.fault {
                println!("改ざんを検出しました / tampering detected: {fault}");
                if let Some(seq) = report.first_bad_seq {
                    println!("最初の不正なイベント / first bad event: {seq}");
                }
            } else {
                println!(
                    "監査ログは正常です: {} 件, チェックポイント {} 件（外部ログ {} 件）({} ms) / audit log intact: {} events, {} checkpoints ({} in the external log)",
                    report.events_verified, report.checkpoints, report.external_checkpoints, report.elapsed_ms,
                    report.events_verified, report.checkpoints, report.external_checkpoints
                );
            }
            Ok(if report.fault.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(4)
            })
        }
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
