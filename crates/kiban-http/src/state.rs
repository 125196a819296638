//! What the server shares between requests: a small pool of connections, the trust roots and
//! revocation lists (the client CA's kept current by [`crate::revocation`]) and the
//! per-source login throttle.
//!
//! Storage is synchronous (rusqlite, the `postgres` client), so every use case runs on a
//! blocking thread ([`AppState::conn`]) with one of `connections` [`Connection`]s opened from
//! the same source, each behind its own mutex. The server holds connections, never a store:
//! everything it does with the data is a `kiban_app` use case.
//!
//! **Several servers, one service.** Whatever a request may need from an earlier request made
//! at another server of the same database lives in the database: staff and citizen sessions
//! (token hashes only), the card challenges (each usable once, at any server) and the key of
//! the pages' form tokens (`kiban_app::keys::form_key`). Notices to offices travel between
//! servers over PostgreSQL (`kiban_app::cluster`). The login throttle stays per server: each
//! server bounds the guesses that reach it, which a load balancer multiplies by the number of
//! servers, a factor the lockout of the account (in the database) does not have.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};
use std::time::Duration;

use kiban_app::auth::LoginPolicy;
use kiban_app::{AppError, Connection};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{RevocationList, TrustAnchor};

use crate::error::{ApiError, ErrorCode};
use crate::ServeError;

/// Opens one connection; called `connections` times at start.
pub type ConnectionFactory = Arc<dyn Fn() -> Result<Connection, AppError> + Send + Sync>;

/// Where the connections come from.
#[derive(Clone)]
pub enum StoreSource {
    /// `sqlite://PATH` or `postgres://…`, as `kiban --database`.
    Url(String),
    Factory(ConnectionFactory),
}

impl std::fmt::Debug for StoreSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A URL may hold a password: never print it.
        match self {
            Self::Url(_) => f.write_str("StoreSource::Url([redacted])"),
            Self::Factory(_) => f.write_str("StoreSource::Factory"),
        }
    }
}

impl StoreSource {
    pub(crate) fn open(&self) -> Result<Connection, AppError> {
        match self {
            Self::Url(url) => Connection::open(url),
            Self::Factory(factory) => factory(),
        }
    }
}

/// Citizen access tokens last as long as the staff access token.
pub const CITIZEN_SESSION_MS: i64 = kiban_app::citizen::SESSION_MS;

/// Shared server state. Build it with [`AppState::open`]; hand it to [`crate::router`].
pub struct AppState {
    connections: Vec<Mutex<Connection>>,
    /// Where a lost connection's replacement comes from.
    source: StoreSource,
    limits: DatabaseLimits,
    /// Dropped (and joined) with the state.
    _wal: Option<crate::wal::WalCheckpointer>,
    /// Keeps `client_revocations` current from the CRL file and the database; dropped (and
    /// joined) with the state.
    _revocations: crate::revocation::RevocationWatcher,
    next: AtomicUsize,
    /// One permit per connection: requests wait for a connection here, asynchronously, instead
    /// of parking a blocking thread each on a connection's mutex.
    free_connections: tokio::sync::Semaphore,
    pub(crate) client_ca: TrustAnchor,
    client_revocations: crate::revocation::SharedList,
    pub(crate) card_root: TrustAnchor,
    card_revocations: RwLock<RevocationList>,
    pub(crate) physician_root: Option<TrustAnchor>,
    physician_revocations: RwLock<RevocationList>,
    pub(crate) login_policy: LoginPolicy,
    /// Failed logins per source (address and certificate), in memory.
    pub(crate) login_throttle: crate::login_throttle::LoginThrottle,
    pub(crate) staff_sessions: crate::staff_sessions::StaffSessions,
    /// Binds the web pages' form tokens to their session (CSRF, see `pages::session`).
    pub(crate) form_key: kiban_crypto::FormKey,
    /// Notices to offices about the applications they are registered for (SSE).
    pub(crate) notices: Arc<crate::notices::Notices>,
    /// Hears what other servers of the same PostgreSQL database change (none on SQLite);
    /// dropped (and joined) with the state.
    _listener: Option<kiban_app::cluster::Listener>,
}

pub type Shared = Arc<AppState>;

/// What a request may wait for from the database before it is answered 503 with `Retry-After`
/// instead of hanging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseLimits {
    /// One statement's run (PostgreSQL `statement_timeout`).
    pub statement: Duration,
    /// One wait for a lock (PostgreSQL `lock_timeout`; SQLite keeps its busy timeout).
    pub lock: Duration,
    /// The wait for a free connection of the pool.
    pub pool_wait: Duration,
}

impl Default for DatabaseLimits {
    /// A month's care-plan upload runs statements of a few seconds (docs/benchmarks.md); 30 s
    /// leaves room for that, and nothing a person waits for takes as long.
    fn default() -> Self {
        Self {
            statement: Duration::from_secs(30),
            lock: Duration::from_secs(5),
            pool_wait: Duration::from_secs(5),
        }
    }
}

/// Everything [`AppState::open`] needs besides TLS.
#[derive(Debug, Clone)]
pub struct StateConfig {
    pub database: StoreSource,
    /// Database connections (at least 1).
    pub connections: usize,
    pub client_ca: TrustAnchor,
    /// The revocation list in force at start (the CRL file as read at start).
    pub client_revocations: RevocationList,
    /// The CA's CRL file, watched for new revocations (`None`: only the database is watched).
    pub client_crl_path: Option<PathBuf>,
    /// How often the CRL file and the database's revocations are read.
    pub revocation_poll: Duration,
    pub card_root: TrustAnchor,
    pub card_revocations: RevocationList,
    pub physician_root: Option<TrustAnchor>,
    pub physician_revocations: RevocationList,
    pub login_policy: LoginPolicy,
    pub limits: DatabaseLimits,
}

fn relock<T>(r: Result<T, PoisonError<T>>) -> T {
    r.unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// Opens the connections (the first one applies pending migrations). Blocking: call it from
    /// `spawn_blocking` or before the runtime serves.
    pub fn open(config: StateConfig) -> Result<Shared, ServeError> {
        let mut first = config.database.open()?;
        first.migrate()?;
        first.defer_wal_checkpoints()?;
        first.set_limits(config.limits.statement, config.limits.lock)?;
        let form_key = kiban_app::keys::form_key(&mut first)?;
        // One server per SQLite file; a PostgreSQL database is shared by several.
        let shared = !first.is_sqlite();
        let staff_sessions = crate::staff_sessions::StaffSessions::new(!shared);
        let mut connections = vec![Mutex::new(first)];
        for _ in 1..config.connections.max(1) {
            connections.push(Mutex::new(open_connection(
                &config.database,
                &config.limits,
            )?));
        }
        let wal = crate::wal::WalCheckpointer::start(&config.database)?;
        let client_revocations: crate::revocation::SharedList =
            Arc::new(RwLock::new(config.client_revocations.clone()));
        let mut sources = crate::revocation::Sources::new(
            config.client_crl_path.clone(),
            config.client_ca.clone(),
            config.client_revocations,
            config.database.clone(),
        );
        // Once before serving, so a certificate revoked in the database while this server was
        // down is refused from the first request.
        sources.poll(&client_revocations);
        let watcher = crate::revocation::RevocationWatcher::start(
            sources,
            Arc::clone(&client_revocations),
            config.revocation_poll,
        )?;
        let notices = Arc::new(crate::notices::Notices::new(shared));
        let listener = if shared {
            let (notices, source) = (Arc::clone(&notices), config.database.clone());
            kiban_app::cluster::Listener::start(
                move || source.open(),
                move |payload| notices.received(&payload),
            )?
        } else {
            None
        };
        Ok(Arc::new(Self {
            source: config.database.clone(),
            limits: config.limits,
            _wal: wal,
            _revocations: watcher,
            free_connections: tokio::sync::Semaphore::new(connections.len()),
            connections,
            next: AtomicUsize::new(0),
            client_ca: config.client_ca,
            client_revocations,
            card_root: config.card_root,
            card_revocations: RwLock::new(config.card_revocations),
            physician_root: config.physician_root,
            physician_revocations: RwLock::new(config.physician_revocations),
            login_policy: config.login_policy,
            login_throttle: Default::default(),
            staff_sessions,
            form_key,
            notices,
            _listener: listener,
        }))
    }

    /// Replaces the client-certificate revocation list in force; open connections are
    /// re-checked on their next request, and staff tokens issued over a listed certificate
    /// stop working. `kiban serve` never calls this: its watcher ([`crate::revocation`]) reads
    /// the CRL file and the database. The next change there replaces this list again.
    pub fn set_client_revocations(&self, list: RevocationList) {
        *relock(self.client_revocations.write()) = list;
    }

    pub fn set_card_revocations(&self, list: RevocationList) {
        *relock(self.card_revocations.write()) = list;
    }

    pub(crate) fn client_revocations(&self) -> std::sync::RwLockReadGuard<'_, RevocationList> {
        relock(self.client_revocations.read())
    }

    pub(crate) fn physician_revocations(&self) -> std::sync::RwLockReadGuard<'_, RevocationList> {
        relock(self.physician_revocations.read())
    }

    pub(crate) fn card_revocations(&self) -> std::sync::RwLockReadGuard<'_, RevocationList> {
        relock(self.card_revocations.read())
    }

    /// The citizen session of `token`, from the database (any server may have opened it).
    pub(crate) async fn citizen_session(
        self: &Arc<Self>,
        token: String,
    ) -> Result<Option<kiban_app::citizen::CitizenSession>, ApiError> {
        let now_ms = now().0;
        self.conn(move |_, conn| Ok(kiban_app::citizen::session(conn, &token, now_ms)?))
            .await
    }

    /// Ends the citizen session of `token` at every server.
    pub(crate) async fn end_citizen_session(
        self: &Arc<Self>,
        token: String,
    ) -> Result<(), ApiError> {
        self.conn(move |_, conn| Ok(kiban_app::citizen::end_session(conn, &token)?))
            .await
    }

    /// A one-time card challenge, answerable at any server; `None` when too many are
    /// outstanding.
    pub(crate) async fn issue_challenge(
        self: &Arc<Self>,
    ) -> Result<Option<kiban_crypto::Challenge>, ApiError> {
        self.conn(|_, conn| Ok(kiban_app::citizen::issue_challenge(conn, now().1)?))
            .await
    }

    /// A free connection if there is one, else waits for the next in turn.
    fn checkout(&self) -> MutexGuard<'_, Connection> {
        let n = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            match self.connections[(start + i) % n].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        relock(self.connections[start].lock())
    }

    /// Runs `work` with a connection on a blocking thread.
    pub(crate) async fn conn<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, &mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        // Bounded: a request that cannot get a connection in time is answered 503.
        let _permit = tokio::time::timeout(self.limits.pool_wait, self.free_connections.acquire())
            .await
            .map_err(|_| ApiError::new(ErrorCode::Unavailable))?
            .map_err(|_| ApiError::new(ErrorCode::Internal))?;
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut conn = state.checkout();
            // A connection the database closed (a restart, a failover) is replaced, never
            // kept: before the work, and after a failure for the next request.
            if conn.is_broken() {
                *conn = open_connection(&state.source, &state.limits).map_err(ApiError::from)?;
            }
            let done = work(&state, &mut conn);
            if conn.is_broken() {
                if let Ok(fresh) = open_connection(&state.source, &state.limits) {
                    *conn = fresh;
                }
            }
            done
        })
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal))?
    }
}

impl Drop for AppState {
    /// The synchronous PostgreSQL client runs its own small runtime and cannot be closed from
    /// inside another one, which is where the last reference usually goes: close the
    /// connections on a plain thread.
    fn drop(&mut self) {
        let connections = std::mem::take(&mut self.connections);
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::spawn(move || drop(connections)).join();
        }
    }
}

/// A request connection: WAL checkpoints left to their thread (SQLite), statements and lock
/// waits bounded.
fn open_connection(source: &StoreSource, limits: &DatabaseLimits) -> Result<Connection, AppError> {
    let mut conn = source.open()?;
    conn.defer_wal_checkpoints()?;
    conn.set_limits(limits.statement, limits.lock)?;
    Ok(conn)
}

/// The clock of every request: milliseconds for the use cases, the same instant for the crypto.
pub(crate) fn now() -> (i64, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    ((now.unix_timestamp_nanos() / 1_000_000) as i64, now)
}
