//! Embedded migrations: one source per migration (`migrations/NNNN_name.sql`), rendered for the
//! engine by [`crate::dialect`] (`{BIGINT}`, `{SERIAL_KEY}`, `{BYTES}`, `{SQLITE:…}`,
//! `{POSTGRES:…}`, `{JSON_TEXT:…}`), and the runner both engines share.
//!
//! A migration is recorded by version and name in `schema_migrations`; both are what the
//! per-engine files of earlier releases recorded, so an existing database is recognised as
//! migrated up to where it is.

use crate::db::{params, Db};
use crate::{Result, StoreError};

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
    9 "0009_shared_sessions",
];

/// The bookkeeping table, identical in both engines.
pub const SCHEMA_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";

/// Applies the migrations not recorded yet, each in a transaction of its own with its record;
/// returns the names applied now.
///
/// Several servers may start at once on one database: the migration lock
/// ([`Db::lock_migrations`]) lets one migrate while the others wait, and each migration is
/// checked again inside its transaction, so none is applied twice. A database migrated by a
/// newer kiban (a version this one does not know) is refused before anything is written.
pub(crate) fn migrate(db: &mut impl Db) -> Result<Vec<String>> {
    db.lock_migrations()?;
    let result = migrate_locked(db);
    let unlocked = db.unlock_migrations();
    let applied = result?;
    unlocked?;
    Ok(applied)
}

fn migrate_locked(db: &mut impl Db) -> Result<Vec<String>> {
    db.execute_batch(SCHEMA_TABLE)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let newest: Option<i64> = db
        .query_opt(
            "SELECT MAX(version) FROM schema_migrations",
            params![],
            |r| r.get::<Option<i64>>(0),
        )?
        .flatten();
    if let Some(database) = newest.filter(|&v| v > known) {
        return Err(StoreError::SchemaNewer { database, known });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        db.tx_begin()?;
        let step = db
            .query_opt(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                params![m.version],
                |r| r.get::<i64>(0),
            )
            .and_then(|done| {
                if done.is_some() {
                    return Ok(false);
                }
                db.execute_batch(m.sql)?;
                db.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                    params![m.version, m.name],
                )?;
                Ok(true)
            });
        match step {
            Ok(now) => {
                db.tx_commit()?;
                if now {
                    applied.push(m.name.to_string());
                }
            }
            Err(e) => {
                let _ = db.tx_rollback();
                return Err(e);
            }
        }
    }
    Ok(applied)
}
