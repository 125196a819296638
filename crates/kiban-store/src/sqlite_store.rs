//! The SQLite engine: the embedded default, in WAL mode. What is here is what only SQLite has:
//! opening and configuring the file, `BEGIN IMMEDIATE` and read snapshots, the write-ahead
//! log's checkpoints, and the bulk paths, which on an embedded engine are one cached statement
//! per row (there are no round trips to save). Every other statement is shared
//! ([`crate::db`]).

use crate::access_store::{to_consent, to_serving, CONSENT_COLUMNS, SERVING_COLUMNS};
use crate::careplan_store::{doc_key_value, to_office_value};
use crate::db::{self, Db, SqlRow, Value};
use crate::dialect::Dialect;
use crate::*;
use kiban_domain::audit::AuditEvent;
use rusqlite::{params, params_from_iter, Connection};
use std::path::Path;

/// How long a statement waits for another connection's lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A write-ahead log holding more than this is checkpointed with TRUNCATE, not PASSIVE.
///
/// A PASSIVE checkpoint copies frames back but the log only starts over when a writer finds
/// no reader using it, which under steady reads never happens: ten minutes of 資格確認 reads
/// left a 550 MB log beside an 86 MB database (issue 13). TRUNCATE holds writers back, waits
/// for the readers of older snapshots to finish (new readers read the database file, since
/// everything has been copied) and empties the file.
pub const WAL_TRUNCATE_AT: u64 = 16 * 1024 * 1024;

/// How long a TRUNCATE checkpoint waits for readers and the writer; requests are a few
/// milliseconds, and a writer waits at most this long for it. When it gives up, the next
/// checkpoint tries again.
const WAL_TRUNCATE_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

pub struct SqliteStore {
    conn: Connection,
    identity: String,
    /// Whether `begin_read` opened the transaction in progress.
    reading: bool,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Self::configure(conn, format!("sqlite:{}", canonical.display()))
    }

    pub fn open_in_memory() -> Result<Self> {
        // Every in-memory connection is a database of its own.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self::configure(Connection::open_in_memory()?, format!("sqlite-memory:{n}"))
    }

    fn configure(conn: Connection, identity: String) -> Result<Self> {
        // WAL lets readers (the web server) run while an import writes; NORMAL sync is durable
        // at each checkpoint, which is the usual trade-off for WAL.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -16_384)?;
        // Sorts and DISTINCT of the municipal aggregates (a 判定期間 is hundreds of thousands of
        // service months) in memory rather than in temporary files.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Reads through a memory map instead of a read() per page: a month of care plans is a
        // database of a gigabyte or more whose index pages outgrow the 16 MiB page cache.
        conn.pragma_update(None, "mmap_size", 1_073_741_824_i64)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Whoever resets the write-ahead log leaves the file at most this long (without it the
        // file keeps its largest size forever).
        conn.pragma_update(None, "journal_size_limit", WAL_TRUNCATE_AT as i64)?;
        // Every statement goes through this cache, so a request's handful of queries are parsed
        // once per connection. The request path uses a few dozen distinct statements and the
        // store about a hundred and fifty; rusqlite's default of 16 would evict and re-prepare
        // them on every request.
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self {
            conn,
            identity,
            reading: false,
        })
    }

    /// The raw connection, for benchmarks that compare against a bare insert.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Db for SqliteStore {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn identity(&self) -> &str {
        &self.identity
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let sql = Dialect::Sqlite.render(sql);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.execute(params_from_iter(params))? as u64)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<()>,
    ) -> Result<()> {
        let sql = Dialect::Sqlite.render(sql);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(&Dialect::Sqlite.render(sql))?)
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    // Outside a transaction every statement takes and drops the file locks and revalidates
    // the page cache; one read snapshot (a deferred BEGIN, which takes no write lock) pays that
    // once (see `Store::begin_read`).
    fn read_begin(&mut self) -> Result<()> {
        if self.conn.is_autocommit() {
            self.conn.prepare_cached("BEGIN")?.execute([])?;
            self.reading = true;
        }
        Ok(())
    }
    fn read_end(&mut self) -> Result<()> {
        if std::mem::take(&mut self.reading) && !self.conn.is_autocommit() {
            self.tx_commit()?;
        }
        Ok(())
    }

    fn wal_defer_checkpoints(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }
    fn wal_checkpoint(&mut self) -> Result<()> {
        let log_frames: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
        let page_size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        if (log_frames.max(0) * page_size) as u64 <= WAL_TRUNCATE_AT {
            return Ok(());
        }
        self.conn.busy_timeout(WAL_TRUNCATE_WAIT)?;
        // Busy (readers of old snapshots still there) is answered as a row, not an error.
        let truncated = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        truncated?;
        Ok(())
    }

    fn bulk_append_versions(&mut self, import_id: i64, versions: &[NewVersion]) -> Result<()> {
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO record_versions (kind, insurer, insured, history, operation, applies_from, content_hash, body, import_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for v in versions {
            let k = v.version.key;
            insert.execute(params![
                v.version.body.kind().code(),
                k.insurer.to_string(),
                k.insured.to_string(),
                k.history,
                v.version.operation.code(),
                v.version.applies_from.yyyymmdd(),
                v.content_hash,
                v.body_json,
                import_id
            ])?;
        }
        Ok(())
    }

    fn after_import(&mut self, _rows_inserted: i64) -> Result<()> {
        Ok(())
    }

    fn bulk_version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>> {
        // A point query per person through a cached statement is faster in SQLite than a long
        // IN list, and has no parameter-count limit.
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.history, v.content_hash, EXISTS (SELECT 1 FROM withdrawals w WHERE w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history) \
             FROM record_versions v WHERE v.kind = ?1 AND v.insurer = ?2 AND v.insured = ?3",
        )?;
        let (kind, insurer) = (kind.code(), insurer.to_string());
        let mut out = Vec::new();
        for &insured in persons {
            let mut rows = stmt.query(params![kind, insurer, insured.to_string()])?;
            while let Some(row) = rows.next()? {
                out.push(VersionMeta {
                    insured,
                    history: row.get::<_, i64>(0)? as u16,
                    content_hash: row.get(1)?,
                    withdrawn: row.get(2)?,
                });
            }
        }
        Ok(out)
    }

    // `BEGIN IMMEDIATE` (`tx_begin`) already makes the appender the only writer, so reading
    // the head and appending cannot interleave.
    fn lock_audit_chain(&mut self) -> Result<()> {
        Ok(())
    }

    // The same: one writer at a time.
    fn lock_checkpoints(&mut self) -> Result<()> {
        Ok(())
    }

    fn bulk_audit_events(&mut self, events: &[AuditEvent]) -> Result<()> {
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO audit_events (seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for event in events {
            let e = &event.entry;
            insert.execute(params![
                event.seq as i64,
                e.at_ms,
                e.actor_kind,
                e.actor_id,
                e.office,
                e.job,
                e.insurer,
                e.insured,
                e.category,
                e.action,
                e.purpose,
                e.decision.code(),
                e.reason,
                &event.prev_hash[..],
                &event.hash[..]
            ])?;
        }
        Ok(())
    }

    // One statement for the batch: the numbers travel as a JSON array (`{IN:?2}` reads it
    // with json_each), which spares a statement lookup and a step loop per person.
    fn bulk_servers_of(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE insurer = ?1 AND insured {{IN:?2}} ORDER BY insured, id"
        );
        self.query_all(&sql, db::params![insurer, insureds], to_serving)
    }

    fn bulk_consents_of(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE insurer = ?1 AND insured {{IN:?2}} AND office_number = ?3 ORDER BY insured, id"
        );
        self.query_all(
            &sql,
            db::params![insurer, insureds, office_number],
            to_consent,
        )
    }

    fn bulk_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO careplan_documents (kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut ids = Vec::with_capacity(rows.len());
        for d in rows {
            ids.push(stmt.insert(params_from_iter(db::params![
                d.kind,
                d.insurer,
                d.insured,
                doc_key_value(&d.doc_key),
                d.from_office,
                to_office_value(&d.to_office),
                d.status,
                d.body_json,
                d.supplement_json,
                d.registered_at_ms,
                d.registered_by
            ]))?);
        }
        Ok(ids)
    }

    fn bulk_replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()> {
        let mut delete = self.conn.prepare_cached(
            "DELETE FROM service_months WHERE insurer = ?1 AND insured = ?2 AND month = ?3 AND care_office = ?4 AND to_office = ?5",
        )?;
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO service_months (insurer, insured, month, care_office, to_office, service_kind, provider_office, care_level) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for set in sets {
            delete.execute(params_from_iter(db::params![
                set.insurer,
                set.insured,
                set.month,
                set.care_office,
                to_office_value(&set.to_office),
            ]))?;
            for r in &set.rows {
                insert.execute(params_from_iter(db::params![
                    r.insurer,
                    r.insured,
                    r.month,
                    r.care_office,
                    r.to_office,
                    r.service_kind,
                    r.provider_office,
                    r.care_level,
                ]))?;
            }
        }
        Ok(())
    }

    // The settings PostgreSQL changes for the aggregates are SQLite's connection defaults
    // (sorts in memory: `temp_store`).
    fn aggregate_begin(&mut self) -> Result<()> {
        Ok(())
    }
    fn aggregate_end(&mut self) -> Result<()> {
        Ok(())
    }
}
