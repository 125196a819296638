//! `kiban physician init | issue | revoke | sign`: physician certificates, the HPKI stand-in
//! that signs the 主治医意見書. `issue` plays the certificate authority (a physician file, sealed
//! under a PIN like a card); `sign` plays the physician's card reader. The development
//! physician root and its revocation list live in `<data-dir>/keys/physician-root/`.

use anyhow::{bail, Context};
use kiban_crypto::physician::{self, PhysicianAuthority};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{PhysicianFile, PhysicianId, Pin, Serial, Validity};
use kiban_domain::ids::MedicalInstitutionCode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::ca::Reason;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create the physician root under <data-dir>/keys/physician-root/ unless it exists.
    Init,
    /// Issue a physician file (certificate naming the institution and physician, key sealed
    /// under a PIN).
    Issue {
        /// 医療機関コード (10 digits).
        #[arg(long)]
        institution: String,
        /// Physician identifier (医籍登録番号 stand-in, 1 to 10 digits).
        #[arg(long)]
        physician: String,
        /// The physician file's 4-digit PIN.
        #[arg(long, env = "KIBAN_PHYSICIAN_PIN", hide_env_values = true)]
        pin: String,
        /// Validity of the certificate in days.
        #[arg(long, default_value_t = 730)]
        days: u32,
        /// Physician file (default <data-dir>/physicians/<医療機関コード>-<id>.physician.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite an existing physician file.
        #[arg(long)]
        force: bool,
    },
    /// Revoke a physician certificate and re-sign <data-dir>/keys/physician-root/crl.pem.
    Revoke {
        /// Serial number in hex, as printed by `kiban physician issue`.
        #[arg(long, required_unless_present = "file", conflicts_with = "file")]
        serial: Option<String>,
        /// The physician file whose certificate to revoke.
        #[arg(long)]
        file: Option<PathBuf>,
        /// RFC 5280 reason code, kept in the CRL.
        #[arg(long, value_enum, default_value = "unspecified")]
        reason: Reason,
    },
    /// Sign a document (the opinion's canonical JSON) with a physician file; prints the detached
    /// signature as JSON.
    Sign {
        /// Physician file.
        #[arg(long)]
        file: PathBuf,
        /// The physician file's 4-digit PIN.
        #[arg(long, env = "KIBAN_PHYSICIAN_PIN", hide_env_values = true)]
        pin: String,
        /// The document to sign, signed byte for byte.
        #[arg(long)]
        message_file: PathBuf,
    },
}

/// `<data-dir>/keys/physician-root`.
pub fn physician_root_dir(data_dir: &Path) -> PathBuf {
    kiban_app::keys::keys_dir(data_dir).join("physician-root")
}

pub fn run(data_dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init => {
            let root = load_or_create_root(data_dir)?;
            println!(
                "フィンガープリント / fingerprint: {}",
                root.trust_root().fingerprint()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Issue {
            institution,
            physician,
            pin,
            days,
            out,
            force,
        } => issue(data_dir, &institution, &physician, &pin, days, out, force),
        Command::Revoke {
            serial,
            file,
            reason,
        } => revoke(data_dir, serial.as_deref(), file.as_deref(), reason),
        Command::Sign {
            file,
            pin,
            message_file,
        } => sign(&file, &pin, &message_file),
    }
}

/// Loads the development physician root, creating it on first use.
fn load_or_create_root(data_dir: &Path) -> anyhow::Result<PhysicianAuthority> {
    let dir = physician_root_dir(data_dir);
    let (root, created) = PhysicianAuthority::load_or_init(&dir, OffsetDateTime::now_utc())
        .with_context(|| {
            format!(
                "医師用ルートを読み込めません / cannot load or create the physician root in {}",
                dir.display()
            )
        })?;
    if created {
        println!(
            "医師用ルート（HPKI 代替）を作成しました / created the physician root (HPKI stand-in): {}",
            dir.display()
        );
    } else {
        println!(
            "医師用ルートは既にあります / the physician root exists: {}",
            dir.display()
        );
    }
    Ok(root)
}

fn issue(
    data_dir: &Path,
    institution: &str,
    physician: &str,
    pin: &str,
    days: u32,
    out: Option<PathBuf>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let institution =
        MedicalInstitutionCode::parse(institution).map_err(|e| anyhow::anyhow!("{e}"))?;
    let physician = PhysicianId::parse(physician)?;
    let pin = Pin::parse(pin)?;
    if days == 0 {
        bail!("有効日数は1日以上です / --days must be at least 1");
    }
    let path = out.unwrap_or_else(|| {
        data_dir
            .join("physicians")
            .join(format!("{institution}-{physician}.physician.json"))
    });
    if path.exists() && !force {
        bail!(
            "医師ファイル {} は既にあります（上書きするには --force） / physician file {} already exists (use --force to overwrite)",
            path.display(),
            path.display()
        );
    }
    let root = load_or_create_root(data_dir)?;
    let issued = root
        .issue(
            institution,
            &physician,
            &pin,
            Validity::days_from(OffsetDateTime::now_utc(), days),
        )
        .context("医師の証明書を発行できません / cannot issue the physician certificate")?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    issued.file.save(&path).with_context(|| {
        format!(
            "医師ファイルを書き込めません / cannot write {}",
            path.display()
        )
    })?;
    println!(
        "医師の証明書を発行しました / physician certificate issued: 医療機関コード {institution}, 医籍登録番号 {physician}"
    );
    println!("医師ファイル / physician file: {} (0600)", path.display());
    println!("シリアル / serial: {}", issued.serial);
    println!("フィンガープリント / fingerprint: {}", issued.fingerprint);
    Ok(ExitCode::SUCCESS)
}

fn revoke(
    data_dir: &Path,
    serial: Option<&str>,
    file: Option<&Path>,
    reason: Reason,
) -> anyhow::Result<ExitCode> {
    let serial = match (serial, file) {
        (Some(text), _) => Serial::from_hex(text).with_context(|| {
            format!("シリアル番号は16進数です: {text:?} / the serial must be hex: {text:?}")
        })?,
        (None, Some(path)) => load_file(path)?.serial()?,
        (None, None) => bail!("--serial か --file を指定してください / give --serial or --file"),
    };
    let dir = physician_root_dir(data_dir);
    if !dir.join(physician::ROOT_CERT_FILE).exists() {
        bail!(
            "医師用ルートがありません。先に kiban physician init を実行してください / no physician root in {}: run `kiban physician init` first",
            dir.display()
        );
    }
    let root = PhysicianAuthority::load(&dir)?;
    let reason = reason.into();
    let (added, list) = root
        .revoke(&dir, serial.clone(), reason, OffsetDateTime::now_utc())
        .context("失効リストを更新できません / cannot update the revocation list")?;
    if added {
        println!("失効させました / revoked: {serial} ({reason})");
    } else {
        let first = list.get(&serial).map_or(reason, |r| r.reason);
        println!("既に失効しています / already revoked: {serial} ({first})");
    }
    println!(
        "失効リスト / revocation list: {} ({} 件 / entries)",
        dir.join(physician::CRL_FILE).display(),
        list.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn sign(file: &Path, pin: &str, message_file: &Path) -> anyhow::Result<ExitCode> {
    let pin = Pin::parse(pin)?;
    let message = std::fs::read(message_file).with_context(|| {
        format!(
            "文書を読み込めません / cannot read {}",
            message_file.display()
        )
    })?;
    let signature = load_file(file)?.sign(&pin, &message)?;
    println!("{}", serde_json::to_string_pretty(&signature)?);
    Ok(ExitCode::SUCCESS)
}

fn load_file(path: &Path) -> anyhow::Result<PhysicianFile> {
    PhysicianFile::load(path).with_context(|| {
        format!(
            "医師ファイルを読み込めません / cannot load the physician file {}",
            path.display()
        )
    })
}
