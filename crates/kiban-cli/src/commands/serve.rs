//! `kiban serve`: the API over TLS 1.3. Key material comes from `<data-dir>/keys/`; what is
//! missing on a fresh machine (the CA, the development card root, the server certificate, the
//! platform key) is created on first start and said so. While serving, the audit chain's head
//! is signed periodically with the platform key ([`super::checkpoints`]), and the client CA's
//! CRL file and the database's revocations are watched (`kiban_http::revocation`).

use anyhow::Context;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{CardAuthority, CertificateAuthority, Validity};
use kiban_http::{ServerConfig, StoreSource};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::checkpoints::Checkpointer;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: String,
    /// Database connections used by request handlers.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    checkpoints: CheckpointArgs,
}

/// What a request may wait for from the database before it is answered 503 (PostgreSQL
/// statement and lock timeouts; the pool on both engines).
#[derive(clap::Args, Clone)]
pub struct LimitArgs {
    /// Longest run of one statement, in seconds.
    #[arg(long, default_value_t = 30)]
    statement_timeout_seconds: u64,
    /// Longest wait for one lock, in seconds.
    #[arg(long, default_value_t = 5)]
    lock_timeout_seconds: u64,
    /// Longest wait for a free database connection, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pool_wait_ms: u64,
}

impl LimitArgs {
    fn limits(&self) -> kiban_http::DatabaseLimits {
        kiban_http::DatabaseLimits {
            statement: Duration::from_secs(self.statement_timeout_seconds.max(1)),
            lock: Duration::from_secs(self.lock_timeout_seconds.max(1)),
            pool_wait: Duration::from_millis(self.pool_wait_ms.max(1)),
        }
    }
}

/// Shared by `kiban serve` and `kiban demo`.
#[derive(clap::Args, Clone)]
pub struct CheckpointArgs {
    /// Sign a checkpoint of the audit chain head with the platform key every N seconds when
    /// the head has moved, and once more at shutdown, into the database and
    /// `<data-dir>/audit/checkpoints.log` (0: never; then run `kiban audit checkpoint`
    /// yourself). N bounds the newest events a crash leaves unprotected (docs/audit-log.md).
    #[arg(long, default_value_t = 2)]
    pub checkpoint_every_seconds: u64,
    #[command(flatten)]
    pub mirror: super::checkpoints::MirrorArg,
}

pub fn run(database: &str, data_dir: &Path, args: Args) -> anyhow::Result<ExitCode> {
    serve(
        database,
        data_dir,
        &args.listen,
        args.connections,
        args.limits.limits(),
        args.checkpoints,
    )
}

/// The client CA and the card root, created on first use.
pub fn authorities(data_dir: &Path) -> anyhow::Result<(CertificateAuthority, CardAuthority)> {
    let keys = kiban_app::keys::keys_dir(data_dir);
    let now = OffsetDateTime::now_utc();
    let ca_dir = keys.join("ca");
    let card_dir = keys.join("card-root");
    for dir in [&ca_dir, &card_dir] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let ca = if ca_dir.join("ca.pem").exists() {
        CertificateAuthority::load(&ca_dir).context("loading the client CA")?
    } else {
        let ca =
            CertificateAuthority::init("kiban client CA", now).context("creating the client CA")?;
        ca.save(&ca_dir).context("saving the client CA")?;
        println!(
            "クライアント証明書CAを作成しました / created the client CA in {}",
            ca_dir.display()
        );
        ca
    };
    let card_root = if card_dir.join("card-root.pem").exists() {
        CardAuthority::load(&card_dir).context("loading the card root")?
    } else {
        let root = CardAuthority::init_development("kiban development card root", now)
            .context("creating the card root")?;
        root.save(&card_dir).context("saving the card root")?;
        root
    };
    Ok((ca, card_root))
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (how service managers stop a server). The handlers
/// are installed when this returns, before "listening" is printed: a signal in between would
/// otherwise end the process at once, without draining or the final checkpoint.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Serves until Ctrl-C (or SIGTERM).
pub fn serve(
    database: &str,
    data_dir: &Path,
    listen: &str,
    connections: usize,
    limits: kiban_http::DatabaseLimits,
    checkpoints: CheckpointArgs,
) -> anyhow::Result<ExitCode> {
    let (ca, card_root) = authorities(data_dir)?;
    let keys = kiban_app::keys::keys_dir(data_dir);
    let ca_dir = keys.join("ca");
    let now = OffsetDateTime::now_utc();
    let crl_path = kiban_app::keys::crl_path(data_dir);
    let revocations = kiban_app::keys::read_crl(&ca, &crl_path).with_context(|| {
        format!(
            "失効リスト {} を読み込めません / cannot load the CRL {}",
            crl_path.display(),
            crl_path.display()
        )
    })?;
    let (cert_path, key_path) = (keys.join("server.pem"), keys.join("server-key.pem"));
    if !cert_path.exists() {
        let issued = ca
            .issue_server(&["localhost", "127.0.0.1"], Validity::days_from(now, 365))
            .context("issuing the server certificate")?;
        kiban_crypto::storage::write_public(&cert_path, issued.cert_pem.as_bytes())
            .context("writing the server certificate")?;
        kiban_crypto::storage::write_secret(&key_path, issued.key_pem.as_bytes())
            .context("writing the server key")?;
    }
    let cert_pem = std::fs::read_to_string(&cert_path).context("reading the server certificate")?;
    let key_pem = std::fs::read_to_string(&key_path).context("reading the server key")?;
    let mut config = ServerConfig::new(
        StoreSource::Url(database.to_string()),
        cert_pem,
        key_pem,
        ca.anchor().clone(),
        card_root.trust_root().clone(),
    );
    config.client_revocations = revocations;
    // Watched while serving, with the database's record of revocations: a `kiban ca revoke`
    // reaches this server within seconds.
    config.client_crl_path = Some(crl_path);
    config.connections = connections.max(1);
    config.limits = limits;
    // The physician root is created on first start, like the card root: a development
    // stand-in for HPKI, so the demo's hospital can sign 主治医意見書.
    let physician_dir = super::physician::physician_root_dir(data_dir);
    let (physicians, _) =
        kiban_crypto::physician::PhysicianAuthority::load_or_init(&physician_dir, now)
            .context("loading the physician root")?;
    let physician_revocations =
        kiban_crypto::physician::load_revocations(&physician_dir, physicians.trust_root())
            .context("the physician CRL is not signed by the physician root")?;
    let config = config.with_physician_root(physicians.trust_root().clone(), physician_revocations);
    let signer = match checkpoints.checkpoint_every_seconds {
        0 => None,
        every => {
            let key = kiban_app::keys::load_or_create_platform_key(data_dir)
                .context("loading the platform key")?;
            let logs = checkpoints.mirror.logs(data_dir);
            let log = logs.primary.clone().unwrap_or_default();
            let signer = Checkpointer::start(database, key, Duration::from_secs(every), logs)
                .context("starting the checkpoint thread")?;
            println!(
                "監査ログのチェックポイントを {every} 秒ごとに署名し {} にも記録します / signing audit checkpoints every {every} s, also into {}",
                log.display(),
                log.display()
            );
            Some(signer)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        let shutdown = shutdown_signal().context("installing the signal handlers")?;
        println!("https://{addr}/api/v1 で待ち受けています / listening on https://{addr}/api/v1");
        println!(
            "サーバー証明書の発行元 / server certificate issued by: {}",
            ca_dir.join("ca.pem").display()
        );
        kiban_http::serve(listener, config, shutdown)
            .await
            .context("serving")?;
        anyhow::Ok(())
    });
    // After the drain, so the last checkpoint covers every request that was answered.
    if let Some(seq) = signer.and_then(Checkpointer::finish) {
        println!("最終チェックポイントを記録しました / final checkpoint signed at event {seq}");
    }
    served?;
    Ok(ExitCode::SUCCESS)
}
