//! The per-person reads of the SQLite engine ([`Store::person_history`] and
//! [`Store::person_records`]) and the row decoding both engines share, apart from
//! `sqlite_store.rs` to keep that file within the project's size guideline.

use crate::*;
use kiban_domain::ids::CheckDigitPolicy;
use rusqlite::params;

/// Every kind's code, quoted for an `IN (…)` list: the primary key starts with the kind, so
/// naming them all lets both engines probe the key instead of scanning.
pub(crate) const KINDS: &str = "'HIHO', 'FUTAN', 'GENMEN', 'JUTAKU', 'FUKUSHI'";

pub(crate) fn stored_kind(code: &str) -> Result<RecordKind> {
    RecordKind::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("record kind {code}")))
}

pub(crate) fn parse_version(
    kind: RecordKind,
    insurer: &str,
    insured: &str,
    history: i64,
    operation: &str,
    applies_from: &str,
    body: &str,
) -> Result<Version> {
    use kiban_domain::records::{Operation, VersionKey};
    let corrupt = |what: &str| StoreError::Corrupt(format!("{} {what}", kind.code()));
    let key = VersionKey {
        insurer: InsurerNumber::parse_with(insurer, CheckDigitPolicy::Warn)
            .map_err(|_| corrupt("insurer"))?
            .number,
        insured: InsuredNumber::parse(insured).map_err(|_| corrupt("insured"))?,
        history: u16::try_from(history).map_err(|_| corrupt("history"))?,
    };
    Ok(Version {
        key,
        operation: Operation::from_code(operation).ok_or_else(|| corrupt("operation"))?,
        applies_from: kiban_domain::Date::parse_yyyymmdd(applies_from)
            .map_err(|_| corrupt("applies_from"))?,
        body: decode_body(kind, body)
            .map_err(|e| StoreError::Corrupt(format!("{} body: {e}", kind.code())))?,
    })
}

impl SqliteStore {
    /// [`Store::person_history`] on SQLite.
    pub(crate) fn read_person_history(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonHistory> {
        let (k, i, p) = (kind.code(), insurer.to_string(), insured.to_string());
        let conn = self.connection();
        let mut stmt = conn.prepare_cached(
            "SELECT history, operation, applies_from, body FROM record_versions WHERE kind = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY history",
        )?;
        let mut versions = Vec::new();
        let mut rows = stmt.query(params![k, i, p])?;
        while let Some(r) = rows.next()? {
            let (h, op, from, body): (i64, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            versions.push(parse_version(kind, &i, &p, h, &op, &from, &body)?);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT history FROM withdrawals WHERE kind = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY history",
        )?;
        let withdrawn = stmt
            .query_map(params![k, i, p], |r| r.get::<_, i64>(0).map(|h| h as u16))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(PersonHistory {
            versions,
            withdrawn,
        })
    }

    /// [`Store::person_records`] on SQLite.
    pub(crate) fn read_person_records(
        &mut self,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonRecords> {
        let (i, p) = (insurer.to_string(), insured.to_string());
        let mut records = PersonRecords::default();
        let conn = self.connection();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT kind, history, operation, applies_from, body FROM record_versions WHERE kind IN ({KINDS}) AND insurer = ?1 AND insured = ?2 ORDER BY kind, history"
        ))?;
        let mut rows = stmt.query(params![i, p])?;
        while let Some(r) = rows.next()? {
            let kind = stored_kind(&r.get::<_, String>(0)?)?;
            let (h, op, from, body): (i64, String, String, String) =
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            let version = parse_version(kind, &i, &p, h, &op, &from, &body)?;
            records.of_mut(kind).versions.push(version);
        }
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT kind, history FROM withdrawals WHERE kind IN ({KINDS}) AND insurer = ?1 AND insured = ?2 ORDER BY kind, history"
        ))?;
        let mut rows = stmt.query(params![i, p])?;
        while let Some(r) = rows.next()? {
            let kind = stored_kind(&r.get::<_, String>(0)?)?;
            records
                .of_mut(kind)
                .withdrawn
                .push(r.get::<_, i64>(1)? as u16);
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kinds_list_names_every_kind_once() {
        let listed: Vec<&str> = super::KINDS
            .split(", ")
            .map(|k| k.trim_matches('\''))
            .collect();
        let all: Vec<&str> = super::RecordKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(listed, all);
    }
}
