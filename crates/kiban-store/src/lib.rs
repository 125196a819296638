//! Storage: one [`Store`] API, two engines. SQLite (embedded default, WAL) and PostgreSQL
//! (production) implement the same trait and pass the same conformance suite
//! (`tests/it/conformance.rs`).
//!
//! The SQL is written once: the store traits are implemented once for any engine (`registry.rs`,
//! `access_store.rs`, `audit_store.rs`, `certification_store.rs`, `careplan_store.rs`) over the
//! engine-neutral layer of `db.rs`, with statements and migrations rendered per engine by
//! `dialect.rs`. `sqlite_store.rs` and `postgres_store.rs` hold only what differs: connections,
//! transactions, bulk paths, planner hints and the write-ahead log.
//!
//! The store is deliberately dumb: it keeps append-only certificate versions, withdrawals and
//! the import log, and answers simple keyed queries. Every rule lives in `kiban-domain`; the
//! import decisions live in `kiban-app`.

mod access_store;
mod audit_store;
mod careplan_store;
mod certification_store;
mod db;
mod dialect;
mod migrations;
pub use migrations::{Migration, MIGRATIONS};
mod postgres_store;
pub mod postgres_tls;
mod registry;
mod rows;
mod sqlite_store;

pub use access_store::*;
pub use audit_store::AuditStore;
pub use careplan_store::*;
pub use certification_store::*;
pub use postgres_store::{copy_field, PostgresStore};
pub use rows::*;
pub use sqlite_store::{SqliteStore, WAL_TRUNCATE_AT};

use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{RecordKind, Version};

/// Storage failures. Backend messages never contain personal data values: statements are
/// parameterised and errors carry only the backend's own text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("データベースURLが不正です: {0} / invalid database URL: {0}")]
    Url(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("保存データが壊れています: {0} / stored data is corrupt: {0}")]
    Corrupt(String),
    /// A stored value that does not parse as its column's type: the row and column are named,
    /// the value is not repeated (it may be personal data).
    #[error("保存データが壊れています: {table} の {key} の {column} {reason} / stored data is corrupt: {table} {key} column {column} {reason}")]
    CorruptValue {
        table: &'static str,
        /// The row's key, as `column=value` of its primary key.
        key: String,
        column: &'static str,
        /// What the value should have been ("is not a 被保険者番号 (insured number)").
        reason: String,
    },
    #[error("既存のデータと競合します: {0} / conflicts with existing data: {0}")]
    Conflict(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The server closed this connection (found while waiting on it, where the driver has no
    /// error of its own to give).
    #[error("データベースとの接続が切れました / the database connection is closed")]
    ConnectionClosed,
    /// The database was migrated by a newer kiban: this one does not know its schema and must
    /// not write to it.
    #[error("データベースのスキーマ（マイグレーション {database}）がこの kiban の知るもの（{known}）より新しいため起動しません。kiban を更新してください / the database schema (migration {database}) is newer than this kiban knows ({known}); upgrade kiban before starting it")]
    SchemaNewer { database: i64, known: i64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// One notification received by a listening connection ([`Store::listen`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel: String,
    pub payload: String,
}

/// The server's own message and SQLSTATE: `postgres::Error` alone displays only "db error".
fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl StoreError {
    /// The disk (or the PostgreSQL tablespace) has no room left. The failed transaction was
    /// rolled back whole, so the same work can be retried once space returns.
    pub fn is_disk_full(&self) -> bool {
        const ENOSPC: i32 = 28;
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::DiskFull
            }
            Self::Postgres(e) => e.code() == Some(&postgres::error::SqlState::DISK_FULL),
            Self::Io(e) => e.raw_os_error() == Some(ENOSPC),
            _ => false,
        }
    }

    /// A statement ran past the connection's statement timeout or waited past its lock timeout
    /// ([`Store::set_limits`]): rolled back, and may succeed later.
    pub fn is_timed_out(&self) -> bool {
        match self {
            Self::Postgres(e) => e
                .code()
                .is_some_and(|c| matches!(c.code(), "57014" | "55P03")),
            _ => false,
        }
    }

    /// Lost, unreachable or timed out: nothing was committed, and a retry may succeed.
    pub fn is_temporary(&self) -> bool {
        self.is_connection_lost() || self.is_timed_out()
    }

    /// The database could not be reached or the connection was lost: the server is down or
    /// restarting, the network failed, or after a failover this node is no longer the primary
    /// (a write refused as read-only). Nothing of the failed work was committed by this
    /// connection, and the work may succeed on a new one.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            Self::ConnectionClosed => true,
            Self::Postgres(e) => {
                if e.is_closed() {
                    return true;
                }
                match e.code() {
                    Some(code) => {
                        let code = code.code();
                        code.starts_with("08") // connection exception
                            || matches!(code, "57P01" | "57P02" | "57P03" | "25006")
                    }
                    // No SQLSTATE: the client's own failure; lost only when the socket failed.
                    None => std::error::Error::source(e)
                        .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some()),
                }
            }
            _ => false,
        }
    }
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The storage API. Writes happen inside an explicit transaction (`begin` … `commit`), so an
/// import commits its valid rows and its log entry together, or nothing.
pub trait Store: AuditStore + AccessStore + CertificationStore + CarePlanStore + Send {
    fn engine(&self) -> Engine;

    /// Names the database this store is connected to (path, or URL and schema), so that
    /// connections to the same database can be told apart from others in one process. Holds
    /// the URL as given, password included: compare it, never log it.
    fn database_identity(&self) -> &str;

    /// Applies pending migrations; returns the names applied now.
    fn migrate(&mut self) -> Result<Vec<String>>;

    fn begin(&mut self) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
    fn rollback(&mut self) -> Result<()>;

    /// Starts a read-only snapshot for the reads up to [`Store::end_read`]. On SQLite every
    /// statement outside a transaction takes and drops the file locks and revalidates the page
    /// cache, which costs more than the small keyed reads of a request; one snapshot for them
    /// pays that once. A no-op inside a write transaction and on PostgreSQL, where it would only
    /// add round trips.
    fn begin_read(&mut self) -> Result<()> {
        Ok(())
    }
    fn end_read(&mut self) -> Result<()> {
        Ok(())
    }

    /// Leaves write-ahead-log checkpoints to [`Store::checkpoint_wal`] on another connection.
    /// On SQLite the connection whose commit crosses the WAL threshold otherwise checkpoints
    /// inside that commit, fsync included, and every request waiting on that commit (a group
    /// of audit appends) waits with it. A no-op on PostgreSQL, whose server checkpoints itself.
    fn defer_wal_checkpoints(&mut self) -> Result<()> {
        Ok(())
    }
    /// Copies committed WAL frames into the database without waiting for readers (SQLite's
    /// PASSIVE checkpoint); when the log has grown past [`WAL_TRUNCATE_AT`], also
    /// waits briefly for readers of older snapshots and empties it (TRUNCATE), so that steady
    /// reads cannot make it grow without bound. A no-op on PostgreSQL.
    fn checkpoint_wal(&mut self) -> Result<()> {
        Ok(())
    }

    /// Sends `payload` on `channel` to every connection of this database listening on it
    /// (PostgreSQL `NOTIFY`: delivered when the current transaction commits, at once outside
    /// one). Several servers share one PostgreSQL database; a SQLite file has one server, so
    /// there this is a no-op.
    fn notify(&mut self, channel: &str, payload: &str) -> Result<()>;
    /// Listens on `channels` from now on; `false` when the engine has no notifications
    /// (SQLite). A channel is a lower-case identifier.
    fn listen(&mut self, channels: &[&str]) -> Result<bool>;
    /// The notifications received, waiting up to `timeout` for the first. An `Err` means the
    /// connection is lost: open another and listen again (what was sent meanwhile is gone).
    fn wait_notifications(&mut self, timeout: std::time::Duration) -> Result<Vec<Notification>>;

    /// Bounds each statement's run and each lock wait of this connection (PostgreSQL; SQLite
    /// keeps its busy timeout). A server sets them so that no request hangs on the database.
    fn set_limits(
        &mut self,
        statement: std::time::Duration,
        lock: std::time::Duration,
    ) -> Result<()>;

    /// Whether this connection is lost for good (PostgreSQL: the server closed it, or it
    /// failed): a pool replaces it rather than keep it.
    fn is_broken(&self) -> bool;

    /// The committed import of a file with this SHA-256, if any.
    fn find_committed_import(&mut self, sha256: &str) -> Result<Option<ImportRecord>>;
    /// Creates the log entry of an import in progress and returns its id.
    fn insert_import(&mut self, record: &ImportRecord) -> Result<i64>;
    /// Sets the final counts, status and report of an import.
    fn finish_import(&mut self, record: &ImportRecord) -> Result<()>;
    /// The latest imports, newest first.
    fn list_imports(&mut self, limit: u32) -> Result<Vec<ImportRecord>>;

    /// Whether any version of this kind is stored for the insurer.
    fn has_versions(&mut self, kind: RecordKind, insurer: InsurerNumber) -> Result<bool>;

    /// What is stored for these persons: every version's key, hash and withdrawal state.
    fn version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>>;
    /// Appends versions and withdrawals. Keys must be new (the caller checked).
    fn append(
        &mut self,
        import_id: i64,
        versions: &[NewVersion],
        withdrawals: &[WithdrawalKey],
    ) -> Result<()>;

    /// Every version of one person and kind, with the withdrawn 履歴番号s.
    fn person_history(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonHistory>;

    /// Every kind's history of one person: what a 資格確認 summary needs, in two queries
    /// instead of two per kind.
    fn person_records(
        &mut self,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonRecords>;

    /// Streams the versions of a kind in (被保険者番号, 履歴番号) order; withdrawn versions are
    /// skipped when `include_withdrawn` is false.
    fn for_each_version(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        include_withdrawn: bool,
        visit: &mut dyn FnMut(Version) -> Result<()>,
    ) -> Result<()>;

    /// The candidates of 資格確認 without a card: every non-withdrawn 被保険者証 version of each
    /// person of `insurer` who has a version giving `birth_date`, in (被保険者番号, 履歴番号)
    /// order. Whole histories, because a later version may correct the birth date: the caller
    /// takes each person's current card with `records::current_as_of` and checks it again.
    /// Served by migration 0004's index, never by scanning every card.
    fn cards_born_on(&mut self, insurer: InsurerNumber, birth_date: Date) -> Result<Vec<Version>>;

    /// The insurers that have data.
    fn insurers(&mut self) -> Result<Vec<InsurerNumber>>;

    /// Stored counts for one insurer: versions per kind, withdrawals, committed imports.
    fn counts(&mut self, insurer: InsurerNumber) -> Result<Counts>;
}

/// Opens a store from a URL: `sqlite://PATH` (or a bare path, or `sqlite::memory:`) or
/// `postgres://…`. The SQLite file's directory is created when missing.
pub fn open(url: &str) -> Result<Box<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(PostgresStore::connect(url)?))
    } else if url == "sqlite::memory:" {
        Ok(Box::new(SqliteStore::open_in_memory()?))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() {
            return Err(StoreError::Url(url.to_string()));
        }
        Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?))
    }
}
