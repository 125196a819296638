//! The one door to the data: a [`Connection`] is a store connection that only this crate can
//! look into. The server and the CLI hold Connections and hand them to use cases; every use
//! case decides through the access policy and audits before it reads or writes a person's
//! data. What a caller may do with a Connection by itself is what is not personal data: open
//! it, apply migrations, and the write-ahead-log housekeeping of SQLite.
//!
//! Only kiban-app (and kiban-store's own tests and kiban-testkit) depend on kiban-store, so
//! the compiler keeps it so: kiban-http and kiban-cli cannot name the store, and no function
//! here hands it out.

use crate::Result;
use kiban_store::{Engine, Store};

/// Past this size SQLite's write-ahead log is emptied by [`Connection::checkpoint_wal`].
pub use kiban_store::WAL_TRUNCATE_AT;

/// A connection to the database, for use cases.
pub struct Connection {
    store: Box<dyn Store>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity may hold a URL with a password: never print it.
        f.debug_struct("Connection")
            .field("engine", &self.store.engine())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Opens a connection from a URL: `sqlite://PATH` (or a bare path, or `sqlite::memory:`)
    /// or `postgres://…`. Applies no migration: see [`Connection::migrate`].
    pub fn open(url: &str) -> Result<Self> {
        Ok(Self::from_store(kiban_store::open(url)?))
    }

    /// A connection over a store opened elsewhere (kiban-testkit, tests, benchmarks).
    pub fn from_store(store: Box<dyn Store>) -> Self {
        Self { store }
    }

    /// Whether the database is SQLite (whose write-ahead log needs checkpoints).
    pub fn is_sqlite(&self) -> bool {
        self.store.engine() == Engine::Sqlite
    }

    /// Bounds each statement and each lock wait (PostgreSQL): a server's connections never
    /// hang a request on the database.
    pub fn set_limits(
        &mut self,
        statement: std::time::Duration,
        lock: std::time::Duration,
    ) -> Result<()> {
        Ok(self.store.set_limits(statement, lock)?)
    }

    /// Whether the connection is lost for good and must be replaced (PostgreSQL).
    pub fn is_broken(&self) -> bool {
        self.store.is_broken()
    }

    /// Applies pending migrations; returns the names applied now.
    pub fn migrate(&mut self) -> Result<Vec<String>> {
        Ok(self.store.migrate()?)
    }

    /// Leaves write-ahead-log checkpoints to [`Connection::checkpoint_wal`] on another
    /// connection (SQLite; a no-op on PostgreSQL).
    pub fn defer_wal_checkpoints(&mut self) -> Result<()> {
        Ok(self.store.defer_wal_checkpoints()?)
    }

    /// Folds committed write-ahead-log frames back into the database; past
    /// [`WAL_TRUNCATE_AT`] also empties the log (SQLite; a no-op on PostgreSQL).
    pub fn checkpoint_wal(&mut self) -> Result<()> {
        Ok(self.store.checkpoint_wal()?)
    }

    /// The store, for the use cases of this crate only.
    pub(crate) fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }
}
