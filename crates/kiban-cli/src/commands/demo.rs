//! `kiban demo`: the first command a newcomer runs. It builds a synthetic municipality in the
//! embedded database and shows what was loaded.

use kiban_app::import::ImportOptions;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::GenerateOptions;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Number of synthetic insured persons.
    #[arg(long, default_value_t = 20_000)]
    persons: u64,
    /// Working directory for generated files and reports.
    #[arg(long, default_value = "kiban-data/demo")]
    dir: PathBuf,
    /// Address to serve the API on once the data is loaded.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: String,
    /// Load and report only; do not start the server.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    checkpoints: super::serve::CheckpointArgs,
}

pub fn run(database: &str, data_dir: &std::path::Path, args: Args) -> anyhow::Result<ExitCode> {
    let as_of = super::parse_date("20261101")?;
    let options = GenerateOptions {
        insurer: super::parse_insurer("131011")?,
        persons: args.persons,
        seed: 2026,
        format: Format::Csv,
        encoding: Encoding::ShiftJis,
        created: "20261101090000".into(),
        as_of,
    };
    println!("1/3 合成データを生成しています（千代田区 131011, {} 人, Shift_JIS）/ generating synthetic data", args.persons);
    let summary = super::generate::write(&args.dir.join("files"), &options)?;
    println!(
        "2/3 データベース {} に取り込んでいます / importing",
        super::redact(database)
    );
    let mut conn = super::open_conn(database)?;
    let files: Vec<PathBuf> = summary.files.iter().map(|(p, _)| p.clone()).collect();
    let reports = super::import::import_all(
        &mut conn,
        &files,
        &ImportOptions::default(),
        &args.dir.join("reports"),
    )?;
    println!("3/3 集計 / statistics");
    // The demo counts as the municipality would: an audited aggregate read.
    let caller = kiban_app::access::Caller {
        actor: kiban_domain::access::Actor::MunicipalStaff {
            insurer: options.insurer,
            purpose: kiban_domain::access::Purpose::QualificationAdmin,
        },
        account: "demo".into(),
    };
    let outcome =
        kiban_app::stats::stats(&mut conn, &caller, options.insurer, as_of, super::now())?;
    match outcome {
        kiban_app::access::Outcome::Allowed(stats) => super::stats::print_table(&stats),
        kiban_app::access::Outcome::Denied(d) => anyhow::bail!("{}: {}", d.reason, d.message_en),
    }
    let rejected: u64 = reports.iter().map(|r| r.rows_rejected).sum();
    println!();
    println!("次の操作 / next: `kiban stats --as-of 20261101`, `kiban export --insurer 131011 --out /tmp/export`");
    let (ca, cards) = super::serve::authorities(data_dir)?;
    let logins = super::demo_seed::seed(&mut conn, data_dir, &ca, &cards)?;
    println!();
    println!(
        "ログイン情報（合成データ）/ demo logins (synthetic), also in {}:",
        data_dir.join("demo/logins.txt").display()
    );
    print!("{logins}");
    if rejected > 0 {
        return Ok(ExitCode::from(3));
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    drop(conn);
    println!();
    println!(
        "ブラウザで開く / open in a browser: https://{}/",
        args.listen
    );
    println!("  本人 / citizen: /me（カードのファイルと暗証番号 / card file + PIN）");
    println!(
        "  保険者 / municipality: /municipal（職員ID・パスワード・TOTP と職員のクライアント証明書 {} / ID, password, TOTP and the staff's client certificate: docs/staff-login.md）",
        data_dir.join("certs/staff-city01.pem").display()
    );
    println!("  事業所・医療機関 / offices: /office（事業所のクライアント証明書が必要 / needs the office's client certificate: docs/office-certificate.md）");
    println!("  証明書はブラウザに取り込んで使います（上の logins.txt に各アカウントの証明書）/ import the certificates into the browser (each account's certificate is listed in logins.txt above)");
    super::serve::serve(
        database,
        data_dir,
        &args.listen,
        8,
        kiban_http::DatabaseLimits::default(),
        args.checkpoints,
    )
}
