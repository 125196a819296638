//! The keyed-statement helpers every SQLite table module uses: statements go through
//! rusqlite's per-connection cache, so a request's handful of queries are parsed once per
//! connection, not once per call.

use crate::{Result, SqliteStore};
use rusqlite::{OptionalExtension, Row};

impl SqliteStore {
    /// The one row `sql` selects, if any.
    pub(crate) fn query_one<T>(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        Ok(stmt.query_row(params, map).optional()?)
    }

    /// Every row `sql` selects, in its order.
    pub(crate) fn query_all<T>(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        let rows = stmt.query_map(params, map)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Executes `sql`; returns the number of rows changed.
    pub(crate) fn exec_cached(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<usize> {
        Ok(self.connection().prepare_cached(sql)?.execute(params)?)
    }

    /// Executes an INSERT; returns the new rowid.
    pub(crate) fn insert_cached(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<i64> {
        Ok(self.connection().prepare_cached(sql)?.insert(params)?)
    }
}
