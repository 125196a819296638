//! The prepared-statement helpers every PostgreSQL table module uses: each statement is
//! prepared once per connection ([`PostgresStore::prepared`]), so a query costs one round trip.

use crate::{PostgresStore, Result};
use postgres::types::ToSql;
use postgres::Row;

/// A statement parameter.
pub(crate) type Param<'a> = &'a (dyn ToSql + Sync);

impl PostgresStore {
    /// The one row `sql` selects, if any.
    pub(crate) fn query_one<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: fn(&Row) -> T,
    ) -> Result<Option<T>> {
        let statement = self.prepared(sql)?;
        Ok(self
            .client()
            .query_opt(&statement, params)?
            .as_ref()
            .map(map))
    }

    /// Every row `sql` selects, in its order.
    pub(crate) fn query_all<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: fn(&Row) -> T,
    ) -> Result<Vec<T>> {
        let statement = self.prepared(sql)?;
        Ok(self
            .client()
            .query(&statement, params)?
            .iter()
            .map(map)
            .collect())
    }

    /// Executes a prepared statement; returns the number of rows changed.
    pub(crate) fn exec_prepared(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        let statement = self.prepared(sql)?;
        Ok(self.client().execute(&statement, params)?)
    }

    /// An `INSERT … RETURNING id`: the new id.
    pub(crate) fn insert_returning_id(&mut self, sql: &str, params: &[Param]) -> Result<i64> {
        let statement = self.prepared(sql)?;
        Ok(self.client().query_one(&statement, params)?.get(0))
    }
}
