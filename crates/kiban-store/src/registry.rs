//! The insured-person registry ([`Store`]'s own methods) on both engines: the import log,
//! append-only versions and withdrawals, the per-person reads, streaming and counts. The versions
//! of an import go through the engine's bulk path ([`Db::bulk_append_versions`]).

use crate::db::{params, stored_code, Db, Fields, SqlRow, Value};
use crate::*;
use kiban_domain::ids::CheckDigitPolicy;

const IMPORT_COLUMNS: &str = "id, file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report";

stored_code! {
    ImportStatus, "an import status code (committed, rejected)";
}

fn to_import(r: &dyn SqlRow) -> Result<ImportRecord> {
    let f = Fields::new(r, "imports", IMPORT_COLUMNS, 0)?;
    Ok(ImportRecord {
        id: r.get(0)?,
        file_name: r.get(1)?,
        sha256: r.get(2)?,
        status: f.parse(3)?,
        kind: f.parse(4)?,
        insurer: f.parse(5)?,
        mode: f.parse(6)?,
        encoding: r.get(7)?,
        started_at: r.get(8)?,
        finished_at: r.get(9)?,
        rows_total: r.get(10)?,
        rows_inserted: r.get(11)?,
        rows_unchanged: r.get(12)?,
        rows_withdrawn: r.get(13)?,
        rows_rejected: r.get(14)?,
        report: r.get(15)?,
    })
}

/// Every kind's code, quoted for an `IN (…)` list: the primary key starts with the kind, so
/// naming them all lets both engines probe the key instead of scanning.
const KINDS: &str = "'HIHO', 'FUTAN', 'GENMEN', 'JUTAKU', 'FUKUSHI'";

/// The version `v` is not withdrawn.
const NOT_WITHDRAWN: &str = "NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history)";

fn stored_kind(code: &str) -> Result<RecordKind> {
    RecordKind::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("record kind {code}")))
}

/// A version from its stored columns.
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

/// A version from the columns `insured, history, operation, applies_from, body`.
fn read_version(r: &dyn SqlRow, kind: RecordKind, insurer: &str) -> Result<Version> {
    let (insured, history) = (r.str(0)?, r.get(1)?);
    parse_version(
        kind,
        insurer,
        insured,
        history,
        r.str(2)?,
        r.str(3)?,
        r.str(4)?,
    )
}

impl<D: Db> Store for D {
    fn engine(&self) -> Engine {
        self.dialect().engine()
    }

    fn database_identity(&self) -> &str {
        self.identity()
    }

    fn migrate(&mut self) -> Result<Vec<String>> {
        crate::migrations::migrate(self)
    }

    fn begin(&mut self) -> Result<()> {
        self.tx_begin()
    }
    fn commit(&mut self) -> Result<()> {
        self.tx_commit()
    }
    fn rollback(&mut self) -> Result<()> {
        self.tx_rollback()
    }
    fn begin_read(&mut self) -> Result<()> {
        self.read_begin()
    }
    fn end_read(&mut self) -> Result<()> {
        self.read_end()
    }
    fn defer_wal_checkpoints(&mut self) -> Result<()> {
        self.wal_defer_checkpoints()
    }
    fn checkpoint_wal(&mut self) -> Result<()> {
        self.wal_checkpoint()
    }
    fn set_limits(
        &mut self,
        statement: std::time::Duration,
        lock: std::time::Duration,
    ) -> Result<()> {
        self.session_limits(statement, lock)
    }
    fn is_broken(&self) -> bool {
        self.connection_closed()
    }
    fn notify(&mut self, channel: &str, payload: &str) -> Result<()> {
        self.send_notification(channel, payload)
    }
    fn listen(&mut self, channels: &[&str]) -> Result<bool> {
        self.start_listening(channels)
    }
    fn wait_notifications(&mut self, timeout: std::time::Duration) -> Result<Vec<Notification>> {
        self.next_notifications(timeout)
    }

    fn find_committed_import(&mut self, sha256: &str) -> Result<Option<ImportRecord>> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE sha256 = ?1 AND status = 'committed'"
        );
        self.query_opt(&sql, params![sha256], to_import)
    }

    fn insert_import(&mut self, r: &ImportRecord) -> Result<i64> {
        self.insert_id(
            "INSERT INTO imports (file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id",
            params![r.file_name, r.sha256, r.status.code(), r.kind, r.insurer, r.mode, r.encoding, r.started_at, r.finished_at, r.rows_total, r.rows_inserted, r.rows_unchanged, r.rows_withdrawn, r.rows_rejected, r.report],
        )
    }

    fn finish_import(&mut self, r: &ImportRecord) -> Result<()> {
        self.execute(
            "UPDATE imports SET status = ?2, finished_at = ?3, rows_total = ?4, rows_inserted = ?5, rows_unchanged = ?6, rows_withdrawn = ?7, rows_rejected = ?8, report = ?9 WHERE id = ?1",
            params![r.id, r.status.code(), r.finished_at, r.rows_total, r.rows_inserted, r.rows_unchanged, r.rows_withdrawn, r.rows_rejected, r.report],
        )?;
        self.after_import(r.rows_inserted)
    }

    fn list_imports(&mut self, limit: u32) -> Result<Vec<ImportRecord>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC LIMIT ?1");
        self.query_all(&sql, params![limit], to_import)
    }

    fn has_versions(&mut self, kind: RecordKind, insurer: InsurerNumber) -> Result<bool> {
        let found = self.query_opt(
            "SELECT 1 FROM record_versions WHERE kind = ?1 AND insurer = ?2 LIMIT 1",
            params![kind.code(), insurer.to_string()],
            |_| Ok(()),
        )?;
        Ok(found.is_some())
    }

    fn version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>> {
        self.bulk_version_meta(kind, insurer, persons)
    }

    fn append(
        &mut self,
        import_id: i64,
        versions: &[NewVersion],
        withdrawals: &[WithdrawalKey],
    ) -> Result<()> {
        self.bulk_append_versions(import_id, versions)?;
        for w in withdrawals {
            self.execute(
                "INSERT INTO withdrawals (kind, insurer, insured, history, import_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![w.kind.code(), w.key.insurer.to_string(), w.key.insured.to_string(), w.key.history, import_id],
            )?;
        }
        Ok(())
    }

    fn person_history(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonHistory> {
        let (k, i, p) = (kind.code(), insurer.to_string(), insured.to_string());
        let mut versions = Vec::new();
        self.query(
            "SELECT history, operation, applies_from, body FROM record_versions WHERE kind = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY history",
            params![k, i, p],
            &mut |r| {
                let (h, op, from, body) = (r.get(0)?, r.str(1)?, r.str(2)?, r.str(3)?);
                versions.push(parse_version(kind, &i, &p, h, op, from, body)?);
                Ok(())
            },
        )?;
        let withdrawn = self.query_all(
            "SELECT history FROM withdrawals WHERE kind = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY history",
            params![k, i, p],
            |r| Ok(r.get::<i64>(0)? as u16),
        )?;
        Ok(PersonHistory {
            versions,
            withdrawn,
        })
    }

    fn person_records(
        &mut self,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonRecords> {
        let (i, p) = (insurer.to_string(), insured.to_string());
        let mut records = PersonRecords::default();
        let sql = format!(
            "SELECT kind, history, operation, applies_from, body FROM record_versions WHERE kind IN ({KINDS}) AND insurer = ?1 AND insured = ?2 ORDER BY kind, history"
        );
        self.query(&sql, params![i, p], &mut |r| {
            let kind = stored_kind(r.str(0)?)?;
            let (h, op, from, body) = (r.get(1)?, r.str(2)?, r.str(3)?, r.str(4)?);
            let version = parse_version(kind, &i, &p, h, op, from, body)?;
            records.of_mut(kind).versions.push(version);
            Ok(())
        })?;
        let sql = format!(
            "SELECT kind, history FROM withdrawals WHERE kind IN ({KINDS}) AND insurer = ?1 AND insured = ?2 ORDER BY kind, history"
        );
        self.query(&sql, params![i, p], &mut |r| {
            let kind = stored_kind(r.str(0)?)?;
            records.of_mut(kind).withdrawn.push(r.get::<i64>(1)? as u16);
            Ok(())
        })?;
        Ok(records)
    }

    fn for_each_version(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        include_withdrawn: bool,
        visit: &mut dyn FnMut(Version) -> Result<()>,
    ) -> Result<()> {
        let filter = if include_withdrawn {
            String::new()
        } else {
            format!(" AND {NOT_WITHDRAWN}")
        };
        let sql = format!(
            "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v WHERE v.kind = ?1 AND v.insurer = ?2{filter} ORDER BY v.insured, v.history"
        );
        let i = insurer.to_string();
        // Streamed: memory stays flat for a million persons.
        self.query(&sql, params![kind.code(), i], &mut |r| {
            visit(read_version(r, kind, &i)?)
        })
    }

    /// The result is every non-withdrawn 被保険者証 version of each person who has *some* version
    /// giving that birth date, not only the versions that give it: a later version may correct
    /// the birth date, and `records::current_as_of` can only pick the right current card when it
    /// sees the person's whole (non-withdrawn) history. The matcher then checks the current
    /// card's birth date. The inner lookup uses the expression of migration 0004's partial index
    /// (the same `{JSON_TEXT}` token) with the kind as a literal, so the planner can use the index
    /// (EXPLAIN: SQLite `USING INDEX record_versions_card_birth_date`, PostgreSQL `Index Scan` /
    /// `Bitmap Index Scan` on it).
    fn cards_born_on(&mut self, insurer: InsurerNumber, birth_date: Date) -> Result<Vec<Version>> {
        let sql = format!(
            "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v \
             WHERE v.kind = 'HIHO' AND v.insurer = ?1 AND v.insured IN (\
               SELECT b.insured FROM record_versions b \
               WHERE b.kind = 'HIHO' AND b.insurer = ?1 AND {{JSON_TEXT:b.body:birth_date}} = ?2) \
             AND {NOT_WITHDRAWN} ORDER BY v.insured, v.history"
        );
        let i = insurer.to_string();
        let mut out = Vec::new();
        self.query(&sql, params![i, birth_date.yyyymmdd()], &mut |r| {
            out.push(read_version(r, RecordKind::InsuredCard, &i)?);
            Ok(())
        })?;
        Ok(out)
    }

    fn insurers(&mut self) -> Result<Vec<InsurerNumber>> {
        self.query_all(
            "SELECT DISTINCT insurer FROM record_versions ORDER BY insurer",
            &[],
            |r| {
                InsurerNumber::parse_with(r.str(0)?, CheckDigitPolicy::Warn)
                    .map(|p| p.number)
                    .map_err(|_| StoreError::Corrupt("insurer".into()))
            },
        )
    }

    fn counts(&mut self, insurer: InsurerNumber) -> Result<Counts> {
        let i = insurer.to_string();
        let count = |db: &mut Self, sql: &str, params: &[Value]| -> Result<i64> {
            Ok(db.query_opt(sql, params, |r| r.get(0))?.unwrap_or(0))
        };
        let mut versions_by_kind = Vec::new();
        for kind in RecordKind::ALL {
            let n = count(
                self,
                "SELECT count(*) FROM record_versions WHERE kind = ?1 AND insurer = ?2",
                params![kind.code(), i],
            )?;
            versions_by_kind.push((kind, n));
        }
        let withdrawals = count(
            self,
            "SELECT count(*) FROM withdrawals WHERE insurer = ?1",
            params![i],
        )?;
        let imports = count(
            self,
            "SELECT count(*) FROM imports WHERE insurer = ?1 AND status = 'committed'",
            params![i],
        )?;
        Ok(Counts {
            versions_by_kind,
            withdrawals,
            imports,
        })
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
