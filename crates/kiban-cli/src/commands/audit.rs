//! `kiban audit verify` and `kiban audit checkpoint`.

use anyhow::Context;
use kiban_app::audit::Signer;
use kiban_app::audit::{checkpoint, verify};
use kiban_app::keys::{load_or_create_platform_key, platform_key_path, Ed25519};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Re-hash the whole chain and check every signed checkpoint; names the first bad event.
    /// Exit status 4 when the log has been tampered with.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign the current chain head with the platform key (created on first use).
    Checkpoint,
}

pub fn run(database: &str, data_dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    let mut store = super::open_store(database)?;
    match command {
        Command::Checkpoint => {
            let key = load_or_create_platform_key(data_dir).context("loading the platform key")?;
            match checkpoint(store.as_mut(), &key, now_ms())? {
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
        Command::Verify { json } => {
            let path = platform_key_path(data_dir);
            let trusted = if path.exists() {
                kiban_crypto::PlatformKey::load(&path)
                    .context("loading the platform key")?
                    .public_key()
            } else {
                Vec::new()
            };
            let report = verify(store.as_mut(), &Ed25519, &trusted)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if let Some(fault) = &report.fault {
                println!("改ざんを検出しました / tampering detected: {fault}");
                println!(
                    "最初の不正なイベント / first bad event: {}",
                    report.first_bad_seq.unwrap_or(0)
                );
            } else {
                println!(
                    "監査ログは正常です: {} 件, チェックポイント {} 件 ({} ms) / audit log intact: {} events, {} checkpoints",
                    report.events_verified, report.checkpoints, report.elapsed_ms, report.events_verified, report.checkpoints
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
