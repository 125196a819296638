//! Embedded migrations: one source per migration (`migrations/NNNN_name.sql`), rendered for the
//! engine by [`crate::dialect`] (`{BIGINT}`, `{SERIAL_KEY}`, `{BYTES}`, `{SQLITE:…}`,
//! `{POSTGRES:…}`, `{JSON_TEXT:…}`), and the runner both engines share.
//!
//! A migration is recorded by version and name in `schema_migrations`; both are what the
//! per-engine files of earlier releases recorded, so an existing database is recognised as
//! migrated up to where it is.

use crate::db::{params, Db};
use crate::Result;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($($version:literal $name:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/", $name, ".sql")),
        }),*]
    };
}

pub const MIGRATIONS: &[Migration] = migrations![
    1 "0001_registry",
    2 "0002_audit",
    3 "0003_access",
    4 "0004_card_search",
    5 "0005_opinion_open",
    6 "0006_certification",
    7 "0007_careplan",
    8 "0008_client_revocation",
];

/// The bookkeeping table, identical in both engines.
pub const SCHEMA_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

/// Applies the migrations not recorded yet, each in a transaction of its own with its record;
/// returns the names applied now.
pub(crate) fn migrate(db: &mut impl Db) -> Result<Vec<String>> {
    db.execute_batch(SCHEMA_TABLE)?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let done: Option<i64> = db.query_opt(
            "SELECT version FROM schema_migrations WHERE version = ?1",
            params![m.version],
            |r| r.get(0),
        )?;
        if done.is_some() {
            continue;
        }
        db.tx_begin()?;
        let step = db.execute_batch(m.sql).and_then(|()| {
            db.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                params![m.version, m.name],
            )
        });
        match step {
            Ok(_) => db.tx_commit()?,
            Err(e) => {
                let _ = db.tx_rollback();
                return Err(e);
            }
        }
        applied.push(m.name.to_string());
    }
    Ok(applied)
}
