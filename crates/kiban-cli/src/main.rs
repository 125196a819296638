//! `kiban`: the one binary. Each subcommand parses its arguments and calls a library function;
//! no business logic lives here.

mod commands;
mod progress;

use clap::{Parser, Subcommand};

/// The default embedded database, relative to the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://./kiban-data/kiban.db";

#[derive(Parser)]
#[command(
    name = "kiban",
    version,
    about = "介護情報基盤 — self-hostable long-term-care information platform"
)]
struct Cli {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "KIBAN_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
    /// Directory for keys, certificates, cards and reports.
    #[arg(
        long,
        global = true,
        env = "KIBAN_DATA_DIR",
        default_value = "kiban-data"
    )]
    data_dir: std::path::PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create or upgrade the database schema.
    Migrate,
    /// Import municipal interface files (被保険者証, 負担割合証, …).
    Import(commands::import::Args),
    /// Export the registry of one insurer as interface files.
    Export(commands::export::Args),
    /// Show registry statistics as of a date.
    Stats(commands::stats::Args),
    /// Write a synthetic municipality in the interface format.
    Generate(commands::generate::Args),
    /// Generate, import and report a synthetic municipality in the embedded database.
    Demo(commands::demo::Args),
    /// Serve the API (介護保険資格確認等WEBサービス) over TLS on 127.0.0.1.
    Serve(commands::serve::Args),
    /// The audit log: verify the hash chain, sign a checkpoint.
    #[command(subcommand)]
    Audit(commands::audit::Command),
    /// The client-certificate authority for offices, medical institutions and staff devices (mutual TLS).
    #[command(subcommand)]
    Ca(commands::ca::Command),
    /// The My Number card stand-in: issue a card for a 被保険者, sign as the card reader.
    #[command(subcommand)]
    Card(commands::card::Command),
    /// Physician certificates (HPKI stand-in): issue, revoke, sign a 主治医意見書.
    #[command(subcommand)]
    Physician(commands::physician::Command),
    /// ケアプランデータ連携 files: check V4/4.1 CSV, convert between V4 and V5 JSON.
    #[command(subcommand)]
    Careplan(commands::careplan::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Migrate => commands::migrate(&cli.database),
        Command::Import(args) => commands::import::run(&cli.database, args),
        Command::Export(args) => commands::export::run(&cli.database, args),
        Command::Stats(args) => commands::stats::run(&cli.database, args),
        Command::Generate(args) => commands::generate::run(args),
        Command::Demo(args) => commands::demo::run(&cli.database, &cli.data_dir, args),
        Command::Serve(args) => commands::serve::run(&cli.database, &cli.data_dir, args),
        Command::Audit(command) => commands::audit::run(&cli.database, &cli.data_dir, command),
        Command::Ca(command) => commands::ca::run(&cli.database, &cli.data_dir, command),
        Command::Card(command) => commands::card::run(&cli.database, &cli.data_dir, command),
        Command::Physician(command) => commands::physician::run(&cli.data_dir, command),
        Command::Careplan(command) => commands::careplan::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("エラー / error: {e:#}");
            if disk_full(&e) {
                eprintln!(
                    "ディスクの空き容量が足りません。失敗した処理は何も記録されていません（それまでに完了したファイルは記録済み）。空きを作ってから同じコマンドをもう一度実行してください。\n\
                     / the disk is full: nothing of the failed work was committed (files completed before it were). Free some space and run the same command again."
                );
            }
            std::process::ExitCode::from(1)
        }
    }
}

/// Whether any cause of `e` is storage running out of space.
fn disk_full(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<kiban_app::AppError>()
            .is_some_and(kiban_app::AppError::is_disk_full)
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.raw_os_error() == Some(28))
    })
}
