//! `kiban ca init | issue | revoke`: kiban's client-certificate authority for offices, medical
//! institutions and the devices of municipal and operator staff (mutual TLS). The CA lives in
//! `<data-dir>/keys/ca/` (`ca.pem`, `ca-key.pem`, and the signed revocation list `crl.pem`).
//! A revocation rewrites `crl.pem` and is recorded in the database, so that every server sees
//! it within seconds (docs/office-certificate.md).

use anyhow::{bail, Context};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    CertificateAuthority, ClientSubject, RevocationReason, Serial, StaffId, Validity,
};
use kiban_domain::ids::{MedicalInstitutionCode, OfficeNumber};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The revocation list file inside the CA directory.
pub const CRL_FILE: &str = "crl.pem";

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create the CA under <data-dir>/keys/ca/.
    Init {
        /// Replace an existing CA (every certificate it issued stops verifying).
        #[arg(long)]
        force: bool,
        /// Common name of the root certificate.
        #[arg(long, default_value = "kiban client CA")]
        name: String,
    },
    /// Issue a client certificate for an office, a medical institution or a staff device.
    #[command(subcommand)]
    Issue(Issue),
    /// Revoke a certificate by serial: re-sign <data-dir>/keys/ca/crl.pem and record the
    /// revocation in the database (--database), ending the sessions issued over it.
    Revoke {
        /// Serial number in hex, as printed by `kiban ca issue`.
        serial: String,
        /// RFC 5280 reason code, kept in the CRL.
        #[arg(long, value_enum, default_value = "unspecified")]
        reason: Reason,
        /// Only re-sign the CRL file (e.g. on an offline CA machine); servers that do not read
        /// this file learn of the revocation only once it is recorded in their database.
        #[arg(long)]
        crl_only: bool,
    },
}

#[derive(clap::Subcommand)]
pub enum Issue {
    /// 介護サービス事業所, by 事業所番号.
    Office {
        /// 事業所番号 (10 digits).
        number: String,
        #[command(flatten)]
        opts: IssueOpts,
    },
    /// 医療機関, by 医療機関コード.
    Hospital {
        /// 医療機関コード (10 digits).
        code: String,
        #[command(flatten)]
        opts: IssueOpts,
    },
    /// The device of one municipal or operator staff account, by 職員ID: its second factor,
    /// required at login (docs/staff-login.md). Written as staff-<id>.pem / staff-<id>-key.pem.
    Staff {
        /// 職員ID of the account (1-64 ASCII letters, digits, '.', '_' or '-').
        staff_id: String,
        #[command(flatten)]
        opts: IssueOpts,
    },
}

#[derive(clap::Args)]
pub struct IssueOpts {
    /// Validity in days.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Directory for the certificate and key files (default <data-dir>/certs).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite existing certificate and key files.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Reason {
    Unspecified,
    KeyCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    PrivilegeWithdrawn,
}

impl From<Reason> for RevocationReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::Unspecified => Self::Unspecified,
            Reason::KeyCompromise => Self::KeyCompromise,
            Reason::AffiliationChanged => Self::AffiliationChanged,
            Reason::Superseded => Self::Superseded,
            Reason::CessationOfOperation => Self::CessationOfOperation,
            Reason::PrivilegeWithdrawn => Self::PrivilegeWithdrawn,
        }
    }
}

/// `<data-dir>/keys/ca`.
pub fn ca_dir(data_dir: &Path) -> PathBuf {
    kiban_app::keys::ca_dir(data_dir)
}

/// The file stem of a subject's certificate: `1370000001`, or `staff-city01`.
pub fn file_stem(subject: &ClientSubject) -> String {
    match subject {
        ClientSubject::Office { office_number } => office_number.to_string(),
        ClientSubject::Hospital { institution_code } => institution_code.to_string(),
        ClientSubject::Staff { staff_id } => format!("staff-{staff_id}"),
    }
}

pub fn run(database: &str, data_dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init { force, name } => init(data_dir, &name, force),
        Command::Issue(Issue::Office { number, opts }) => {
            let office_number = OfficeNumber::parse(&number).map_err(|e| anyhow::anyhow!("{e}"))?;
            issue(data_dir, &ClientSubject::Office { office_number }, opts)
        }
        Command::Issue(Issue::Hospital { code, opts }) => {
            let institution_code =
                MedicalInstitutionCode::parse(&code).map_err(|e| anyhow::anyhow!("{e}"))?;
            issue(
                data_dir,
                &ClientSubject::Hospital { institution_code },
                opts,
            )
        }
        Command::Issue(Issue::Staff { staff_id, opts }) => {
            let staff_id = StaffId::parse(&staff_id).map_err(|e| anyhow::anyhow!("{e}"))?;
            issue(data_dir, &ClientSubject::Staff { staff_id }, opts)
        }
        Command::Revoke {
            serial,
            reason,
            crl_only,
        } => revoke(
            (!crl_only).then_some(database),
            data_dir,
            &serial,
            reason.into(),
        ),
    }
}

fn init(data_dir: &Path, name: &str, force: bool) -> anyhow::Result<ExitCode> {
    let dir = ca_dir(data_dir);
    let cert = dir.join(kiban_crypto::ca::CA_CERT_FILE);
    let key = dir.join(kiban_crypto::ca::CA_KEY_FILE);
    if (cert.exists() || key.exists()) && !force {
        bail!(
            "認証局は既に {} にあります（置き換えるには --force） / a CA already exists in {} (use --force to replace it)",
            dir.display(),
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let ca = CertificateAuthority::init(name, OffsetDateTime::now_utc())
        .context("認証局を作成できません / cannot create the CA")?;
    ca.save(&dir)
        .with_context(|| format!("writing the CA to {}", dir.display()))?;
    // A revocation list of the old CA would not verify against the new one.
    let crl = dir.join(CRL_FILE);
    if crl.exists() {
        std::fs::remove_file(&crl).with_context(|| format!("removing {}", crl.display()))?;
    }
    println!("認証局を作成しました / CA created: {}", cert.display());
    println!(
        "フィンガープリント / fingerprint: {}",
        ca.anchor().fingerprint()
    );
    Ok(ExitCode::SUCCESS)
}

fn load_ca(data_dir: &Path) -> anyhow::Result<CertificateAuthority> {
    let dir = ca_dir(data_dir);
    if !dir.join(kiban_crypto::ca::CA_CERT_FILE).exists() {
        bail!(
            "認証局がありません。先に kiban ca init を実行してください / no CA in {}: run `kiban ca init` first",
            dir.display()
        );
    }
    CertificateAuthority::load(&dir).with_context(|| {
        format!(
            "認証局を読み込めません / cannot load the CA from {}",
            dir.display()
        )
    })
}

fn issue(data_dir: &Path, subject: &ClientSubject, opts: IssueOpts) -> anyhow::Result<ExitCode> {
    if opts.days == 0 {
        bail!("有効日数は1日以上です / --days must be at least 1");
    }
    let ca = load_ca(data_dir)?;
    let out = opts.out.unwrap_or_else(|| data_dir.join("certs"));
    let id = file_stem(subject);
    let cert_path = out.join(format!("{id}.pem"));
    let key_path = out.join(format!("{id}-key.pem"));
    for path in [&cert_path, &key_path] {
        if path.exists() && !opts.force {
            bail!(
                "{} は既にあります（上書きするには --force） / {} already exists (use --force to overwrite)",
                path.display(),
                path.display()
            );
        }
    }
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let issued = ca
        .issue_client(
            subject,
            Validity::days_from(OffsetDateTime::now_utc(), opts.days),
        )
        .context("証明書を発行できません / cannot issue the certificate")?;
    kiban_crypto::storage::write_secret(&key_path, issued.key_pem.as_bytes())?;
    kiban_crypto::storage::write_public(&cert_path, issued.cert_pem.as_bytes())?;
    println!(
        "証明書を発行しました / certificate issued: {subject} (有効期限 / valid until {})",
        issued.not_after.date()
    );
    println!("証明書 / certificate: {}", cert_path.display());
    println!("秘密鍵 / private key: {} (0600)", key_path.display());
    println!("シリアル / serial: {}", issued.serial);
    println!("フィンガープリント / fingerprint: {}", issued.fingerprint);
    Ok(ExitCode::SUCCESS)
}

fn revoke(
    database: Option<&str>,
    data_dir: &Path,
    serial: &str,
    reason: RevocationReason,
) -> anyhow::Result<ExitCode> {
    let serial = Serial::from_hex(serial).with_context(|| {
        format!("シリアル番号は16進数です: {serial:?} / the serial must be hex: {serial:?}")
    })?;
    let ca = load_ca(data_dir)?;
    let path = ca_dir(data_dir).join(CRL_FILE);
    let now = OffsetDateTime::now_utc();
    let (list, added) = kiban_app::keys::revoke_in_crl(&ca, &path, &serial, reason, now)
        .with_context(|| {
            format!(
                "失効リストを更新できません / cannot update the revocation list {}",
                path.display()
            )
        })?;
    if added {
        println!("失効させました / revoked: {serial} ({reason})");
    } else {
        let first = list.get(&serial).map(|r| r.reason).unwrap_or(reason);
        println!("既に失効しています / already revoked: {serial} ({first})");
    }
    println!(
        "失効リスト / revocation list: {} ({} 件 / entries)",
        path.display(),
        list.len()
    );
    let Some(database) = database else {
        println!("データベースには記録していません（--crl-only）/ not recorded in a database (--crl-only)");
        return Ok(ExitCode::SUCCESS);
    };
    let shown = super::redact(database);
    let recorded = super::open_conn(database).and_then(|mut conn| {
        let at_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        Ok(kiban_app::auth::record_client_revocation(
            &mut conn, &serial, reason, at_ms,
        )?)
    });
    let (_, ended) = recorded.with_context(|| {
        format!(
            "失効リストは更新しましたが、データベース {shown} に記録できません。このデータディレクトリのサーバーは失効を反映しますが、同じデータベースを使う他のサーバーは反映しません。再実行してください / the CRL was re-signed, but the database {shown} could not record the revocation: servers reading this data directory apply it, other servers sharing the database do not; run the command again"
        )
    })?;
    println!(
        "データベース {shown} に記録し、この証明書で発行されたセッション {ended} 件を終了しました / recorded in the database {shown}; ended {ended} sessions issued over this certificate"
    );
    Ok(ExitCode::SUCCESS)
}
