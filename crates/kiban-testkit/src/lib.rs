//! Test support (dev-dependency only): isolated databases on both engines.
//!
//! SQLite tests get a fresh file in a temporary directory. PostgreSQL tests get their own
//! schema on the real server named by `KIBAN_TEST_POSTGRES_URL` (default: the local server,
//! user postgres), dropped when the test ends. An unreachable server fails the test: the
//! PostgreSQL engine is never skipped or mocked.

use kiban_app::Connection;
use kiban_store::{PostgresStore, SqliteStore, Store};

/// The store's types, for tests of the crates that do not depend on kiban-store (kiban-http,
/// kiban-cli): only kiban-app does, so that personal data is reached through its use cases.
/// Tests seed and inspect through [`TestDb::store`] and these types.
pub use kiban_store as store;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn postgres_url() -> String {
    std::env::var("KIBAN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// A migrated store that cleans up after itself.
pub struct TestDb {
    pub store: Box<dyn Store>,
    /// The URL another connection can use to reach the same data (PostgreSQL: with the
    /// schema in `options`).
    pub url: String,
    /// The use cases' connection to the same data, opened on first use ([`TestDb::conn`]).
    conn: Option<Connection>,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kiban.db");
        let mut store = SqliteStore::open(&path).expect("open sqlite");
        store.migrate().expect("migrate sqlite");
        Self {
            store: Box::new(store),
            url: format!("sqlite://{}", path.display()),
            conn: None,
            _dir: Some(dir),
            schema: None,
        }
    }

    pub fn postgres() -> Self {
        let base = postgres_url();
        let schema = format!("kiban_test_{:016x}", rand::random::<u64>());
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| {
            panic!("PostgreSQL is required for this test and is unreachable at {base}: {e}")
        });
        admin
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .expect("create schema");
        let mut store = PostgresStore::connect(&base).expect("connect");
        store.set_search_path(&schema).expect("search_path");
        store.migrate().expect("migrate postgres");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        Self {
            store: Box::new(store),
            url,
            conn: None,
            _dir: None,
            schema: Some(schema),
        }
    }

    /// The raw store: how tests seed and inspect, beside the use cases.
    pub fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    /// A [`Connection`] to the same database for the use cases, a second connection beside
    /// [`TestDb::store`] (each commits on its own; neither holds a transaction between calls).
    pub fn conn(&mut self) -> &mut Connection {
        let url = &self.url;
        self.conn
            .get_or_insert_with(|| Connection::open(url).expect("open a connection"))
    }

    /// Runs SQL on a separate raw connection, bypassing kiban entirely: how tests play an
    /// attacker with database access.
    pub fn sql(&self, sql: &str) {
        raw_sql(&self.url, sql);
    }
}

/// Runs `sql` in a transaction on a raw PostgreSQL connection and keeps the transaction open for
/// `hold` (an operator's long transaction holding locks), then rolls it back. Returns once `sql`
/// has run; join the handle to wait for the end.
pub fn hold_in_transaction(
    url: &str,
    sql: &str,
    hold: std::time::Duration,
) -> std::thread::JoinHandle<()> {
    let (url, sql) = (url.to_string(), sql.to_string());
    let (ran, ran_rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("raw connection");
        let mut tx = client.transaction().expect("a transaction");
        tx.batch_execute(&sql).expect("raw SQL");
        ran.send(()).expect("the caller waits");
        std::thread::sleep(hold);
        tx.rollback().expect("rollback");
    });
    ran_rx.recv().expect("the statement ran");
    handle
}

/// [`TestDb::sql`] by the database's URL (`sqlite://PATH` or `postgres://…`), for a thread
/// that cannot hold the [`TestDb`].
pub fn raw_sql(url: &str, sql: &str) {
    match url.strip_prefix("sqlite://") {
        Some(path) => rusqlite::Connection::open(path)
            .expect("raw connection")
            .execute_batch(sql)
            .expect("raw SQL"),
        None => postgres::Client::connect(url, postgres::NoTls)
            .expect("raw connection")
            .batch_execute(sql)
            .expect("raw SQL"),
    }
}

impl TestDb {
    /// One integer from a raw query on a separate connection (e.g. `SELECT count(*) …`): how
    /// tests look at what was committed without going through kiban.
    pub fn scalar(&self, sql: &str) -> i64 {
        match &self.schema {
            Some(_) => {
                let mut client =
                    postgres::Client::connect(&self.url, postgres::NoTls).expect("raw connection");
                client
                    .query_one(sql, &[])
                    .expect("raw query")
                    .get::<_, i64>(0)
            }
            None => {
                let path = self.url.strip_prefix("sqlite://").expect("sqlite url");
                rusqlite::Connection::open(path)
                    .expect("raw connection")
                    .query_row(sql, [], |row| row.get(0))
                    .expect("raw query")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.conn.take();
        if let Some(schema) = &self.schema {
            if let Ok(mut admin) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
                let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
            }
        }
    }
}

/// Defines one `#[test]` per engine for each listed function `fn(&mut TestDb)`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&mut $crate::TestDb::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(&mut $crate::TestDb::postgres()); })*
        }
    };
}
pub mod careplan;
pub mod certification;
