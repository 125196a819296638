//! Accepting connections: TCP → TLS handshake (bounded in time) → the connection's client
//! certificate checked once → HTTP/1.1 or HTTP/2 (hyper-util's auto builder) serving the axum
//! router, with the [`ClientCert`] attached to every request. Shutdown stops accepting and
//! lets open connections finish their requests (10 s at most).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{RevocationList, TrustAnchor};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use crate::state::{AppState, Shared, StateConfig, StoreSource};
use crate::tls::ClientCert;
use crate::ServeError;

/// A TLS handshake that takes longer than this is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for open connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A PEM private key: redacted in `Debug`.
#[derive(Clone, Default)]
pub struct SecretKeyPem(pub String);

impl std::fmt::Debug for SecretKeyPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything `kiban serve` configures.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub database: StoreSource,
    /// Database connections, each used by one blocking request at a time (default 8: the group commit of audit appends gathers at most one event per connection waiting, see docs/benchmarks.md).
    pub connections: usize,
    /// The server certificate chain (PEM, leaf first).
    pub server_cert_pem: String,
    /// The server's private key (PEM, PKCS#8 / SEC1 / PKCS#1).
    pub server_key_pem: SecretKeyPem,
    /// kiban's client-certificate CA (`CertificateAuthority::anchor`).
    pub client_ca: TrustAnchor,
    /// Its revocation list (`RevocationList::from_crl_pem` of `keys/ca/crl.pem`).
    pub client_revocations: RevocationList,
    /// `keys/ca/crl.pem`, watched while serving (see [`crate::revocation`]); the database's
    /// `client_revocations` are watched in any case.
    pub client_crl_path: Option<std::path::PathBuf>,
    pub revocation_poll: Duration,
    /// The card trust root (development root or JPKI's).
    pub card_root: TrustAnchor,
    pub card_revocations: RevocationList,
    /// The physician trust root (HPKI stand-in) that signs 主治医意見書; without one, opinions
    /// are refused.
    pub physician_root: Option<TrustAnchor>,
    pub physician_revocations: RevocationList,
    pub login_policy: kiban_app::auth::LoginPolicy,
    /// Statement, lock and pool waits before a request is answered 503.
    pub limits: crate::state::DatabaseLimits,
}

impl ServerConfig {
    /// A configuration with empty revocation lists, 8 database connections and the default
    /// lockout policy.
    pub fn new(
        database: StoreSource,
        server_cert_pem: String,
        server_key_pem: String,
        client_ca: TrustAnchor,
        card_root: TrustAnchor,
    ) -> Self {
        Self {
            database,
            connections: 8,
            server_cert_pem,
            server_key_pem: SecretKeyPem(server_key_pem),
            client_ca,
            client_revocations: RevocationList::new(),
            client_crl_path: None,
            revocation_poll: crate::revocation::POLL,
            card_root,
            card_revocations: RevocationList::new(),
            physician_root: None,
            physician_revocations: RevocationList::new(),
            login_policy: Default::default(),
            limits: Default::default(),
        }
    }

    /// Trusts `root` (with `revocations`) for physicians' signatures on 主治医意見書.
    pub fn with_physician_root(mut self, root: TrustAnchor, revocations: RevocationList) -> Self {
        self.physician_root = Some(root);
        self.physician_revocations = revocations;
        self
    }
}

/// A configured server: its state (connections open, migrated) and its TLS configuration.
pub struct Server {
    state: Shared,
    tls: Arc<rustls::ServerConfig>,
}

impl Server {
    /// Opens the connections (on a blocking thread) and builds the TLS configuration.
    pub async fn new(config: ServerConfig) -> Result<Self, ServeError> {
        let tls = crate::tls::server_config(
            &config.server_cert_pem,
            &config.server_key_pem.0,
            &config.client_ca,
        )?;
        let state_config = StateConfig {
            database: config.database,
            connections: config.connections,
            client_ca: config.client_ca,
            client_revocations: config.client_revocations,
            client_crl_path: config.client_crl_path,
            revocation_poll: config.revocation_poll,
            card_root: config.card_root,
            card_revocations: config.card_revocations,
            physician_root: config.physician_root,
            physician_revocations: config.physician_revocations,
            login_policy: config.login_policy,
            limits: config.limits,
        };
        let state = tokio::task::spawn_blocking(move || AppState::open(state_config))
            .await
            .map_err(|e| ServeError::Io(std::io::Error::other(e)))??;
        Ok(Self { state, tls })
    }

    /// The shared state, e.g. to replace a revocation list while serving.
    pub fn state(&self) -> Shared {
        Arc::clone(&self.state)
    }

    /// Serves until `shutdown` completes, then drains open connections.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let acceptor = TlsAcceptor::from(Arc::clone(&self.tls));
        let router = crate::router(Arc::clone(&self.state));
        let graceful = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of descriptors and the like: back off instead of spinning.
                        eprintln!("kiban-http: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let state = Arc::clone(&self.state);
            let router = router.clone();
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let Ok(Ok(tls)) =
                    tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                else {
                    return;
                };
                let cert = ClientCert::of_connection(&state, tls.get_ref().1.peer_certificates());
                let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                    let checked = cert.recheck(&state, OffsetDateTime::now_utc());
                    request.extensions_mut().insert(cert.clone());
                    request.extensions_mut().insert(crate::tls::Peer(peer));
                    let mut router = router.clone();
                    async move {
                        match checked {
                            Ok(()) => router.call(request).await,
                            Err(e) => Ok::<_, Infallible>(e.into_response()),
                        }
                    }
                });
                let mut builder = auto::Builder::new(TokioExecutor::new());
                builder.http1().timer(TokioTimer::new());
                let connection = builder.serve_connection(TokioIo::new(tls), service);
                let _ = watcher.watch(connection).await;
            });
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(DRAIN_TIMEOUT) => {}
        }
        Ok(())
    }
}

/// Serves the API on `listener` (TLS 1.3) until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    Server::new(config).await?.run(listener, shutdown).await
}
