//! The per-person reads of the PostgreSQL engine ([`Store::person_history`] and
//! [`Store::person_records`]), apart from `postgres_store.rs` to keep that file within the
//! project's size guideline. Rows decode through the helpers in `sqlite_records.rs`.

use crate::sqlite_records::{parse_version, stored_kind, KINDS};
use crate::*;

impl PostgresStore {
    /// [`Store::person_history`] on PostgreSQL.
    pub(crate) fn read_person_history(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonHistory> {
        let (k, i, p) = (kind.code(), insurer.to_string(), insured.to_string());
        let rows = self.client().query(
            "SELECT history, operation, applies_from, body FROM record_versions WHERE kind = $1 AND insurer = $2 AND insured = $3 ORDER BY history",
            &[&k, &i, &p],
        )?;
        let versions = rows
            .iter()
            .map(|r| {
                parse_version(
                    kind,
                    &i,
                    &p,
                    i64::from(r.get::<_, i32>(0)),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                )
            })
            .collect::<Result<_>>()?;
        let withdrawn = self
            .client()
            .query("SELECT history FROM withdrawals WHERE kind = $1 AND insurer = $2 AND insured = $3 ORDER BY history", &[&k, &i, &p])?
            .iter()
            .map(|r| r.get::<_, i32>(0) as u16)
            .collect();
        Ok(PersonHistory {
            versions,
            withdrawn,
        })
    }

    /// [`Store::person_records`] on PostgreSQL.
    pub(crate) fn read_person_records(
        &mut self,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonRecords> {
        let (i, p) = (insurer.to_string(), insured.to_string());
        let mut records = PersonRecords::default();
        let versions = self.prepared(&format!("SELECT kind, history, operation, applies_from, body FROM record_versions WHERE kind IN ({KINDS}) AND insurer = $1 AND insured = $2 ORDER BY kind, history"))?;
        let rows = self.client().query(&versions, &[&i, &p])?;
        for r in &rows {
            let kind = stored_kind(r.get(0))?;
            let version = parse_version(
                kind,
                &i,
                &p,
                i64::from(r.get::<_, i32>(1)),
                r.get(2),
                r.get(3),
                r.get(4),
            )?;
            records.of_mut(kind).versions.push(version);
        }
        let withdrawals = self.prepared(&format!("SELECT kind, history FROM withdrawals WHERE kind IN ({KINDS}) AND insurer = $1 AND insured = $2 ORDER BY kind, history"))?;
        let rows = self.client().query(&withdrawals, &[&i, &p])?;
        for r in &rows {
            let kind = stored_kind(r.get(0))?;
            records
                .of_mut(kind)
                .withdrawn
                .push(r.get::<_, i32>(1) as u16);
        }
        Ok(records)
    }
}
