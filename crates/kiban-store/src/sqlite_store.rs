//! The SQLite engine: the embedded default, in WAL mode.

use crate::migrations::{SCHEMA_TABLE, SQLITE};
use crate::sqlite_records::parse_version;
use crate::*;
use kiban_domain::ids::CheckDigitPolicy;
use rusqlite::{params, Connection, OptionalExtension};
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
        // The request path uses a few dozen distinct statements; rusqlite's default cache of 16
        // would evict and re-prepare them on every request.
        conn.set_prepared_statement_cache_capacity(128);
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

fn to_import(row: &rusqlite::Row) -> rusqlite::Result<ImportRecord> {
    Ok(ImportRecord {
        id: row.get(0)?,
        file_name: row.get(1)?,
        sha256: row.get(2)?,
        status: ImportStatus::from_code(&row.get::<_, String>(3)?),
        kind: row.get(4)?,
        insurer: row.get(5)?,
        mode: row.get(6)?,
        encoding: row.get(7)?,
        started_at: row.get(8)?,
        finished_at: row.get(9)?,
        rows_total: row.get(10)?,
        rows_inserted: row.get(11)?,
        rows_unchanged: row.get(12)?,
        rows_withdrawn: row.get(13)?,
        rows_rejected: row.get(14)?,
        report: row.get(15)?,
    })
}

const IMPORT_COLUMNS: &str = "id, file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report";

impl Store for SqliteStore {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn database_identity(&self) -> &str {
        &self.identity
    }

    fn migrate(&mut self) -> Result<Vec<String>> {
        self.conn.execute_batch(SCHEMA_TABLE)?;
        let mut applied = Vec::new();
        for m in SQLITE {
            let done: Option<i64> = self
                .conn
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [m.version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_none() {
                let tx = self.conn.transaction()?;
                tx.execute_batch(m.sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                    params![m.version, m.name],
                )?;
                tx.commit()?;
                applied.push(m.name.to_string());
            }
        }
        Ok(applied)
    }

    // Cached statements: every audit append is a transaction of its own.
    fn begin(&mut self) -> Result<()> {
        self.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(())
    }
    fn commit(&mut self) -> Result<()> {
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        Ok(())
    }
    fn rollback(&mut self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    fn defer_wal_checkpoints(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }
    fn checkpoint_wal(&mut self) -> Result<()> {
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

    fn begin_read(&mut self) -> Result<()> {
        if self.conn.is_autocommit() {
            self.conn.prepare_cached("BEGIN")?.execute([])?;
            self.reading = true;
        }
        Ok(())
    }
    fn end_read(&mut self) -> Result<()> {
        if std::mem::take(&mut self.reading) && !self.conn.is_autocommit() {
            self.conn.prepare_cached("COMMIT")?.execute([])?;
        }
        Ok(())
    }

    fn find_committed_import(&mut self, sha256: &str) -> Result<Option<ImportRecord>> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE sha256 = ?1 AND status = 'committed'"
        );
        Ok(self.conn.query_row(&sql, [sha256], to_import).optional()?)
    }

    fn insert_import(&mut self, r: &ImportRecord) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO imports (file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![r.file_name, r.sha256, r.status.code(), r.kind, r.insurer, r.mode, r.encoding, r.started_at, r.finished_at, r.rows_total, r.rows_inserted, r.rows_unchanged, r.rows_withdrawn, r.rows_rejected, r.report],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn finish_import(&mut self, r: &ImportRecord) -> Result<()> {
        self.conn.execute(
            "UPDATE imports SET status = ?2, finished_at = ?3, rows_total = ?4, rows_inserted = ?5, rows_unchanged = ?6, rows_withdrawn = ?7, rows_rejected = ?8, report = ?9 WHERE id = ?1",
            params![r.id, r.status.code(), r.finished_at, r.rows_total, r.rows_inserted, r.rows_unchanged, r.rows_withdrawn, r.rows_rejected, r.report],
        )?;
        Ok(())
    }

    fn list_imports(&mut self, limit: u32) -> Result<Vec<ImportRecord>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([limit], to_import)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn has_versions(&mut self, kind: RecordKind, insurer: InsurerNumber) -> Result<bool> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM record_versions WHERE kind = ?1 AND insurer = ?2 LIMIT 1",
                params![kind.code(), insurer.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    fn version_meta(
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

    fn append(
        &mut self,
        import_id: i64,
        versions: &[NewVersion],
        withdrawals: &[WithdrawalKey],
    ) -> Result<()> {
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
        let mut withdraw = self.conn.prepare_cached(
            "INSERT INTO withdrawals (kind, insurer, insured, history, import_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for w in withdrawals {
            withdraw.execute(params![
                w.kind.code(),
                w.key.insurer.to_string(),
                w.key.insured.to_string(),
                w.key.history,
                import_id
            ])?;
        }
        Ok(())
    }

    fn person_history(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonHistory> {
        self.read_person_history(kind, insurer, insured)
    }

    fn person_records(
        &mut self,
        insurer: InsurerNumber,
        insured: InsuredNumber,
    ) -> Result<PersonRecords> {
        self.read_person_records(insurer, insured)
    }

    fn for_each_version(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        include_withdrawn: bool,
        visit: &mut dyn FnMut(Version) -> Result<()>,
    ) -> Result<()> {
        let filter = if include_withdrawn {
            ""
        } else {
            " AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history)"
        };
        let sql = format!(
            "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v WHERE v.kind = ?1 AND v.insurer = ?2{filter} ORDER BY v.insured, v.history"
        );
        let i = insurer.to_string();
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params![kind.code(), i])?;
        while let Some(r) = rows.next()? {
            let p: String = r.get(0)?;
            let version = parse_version(
                kind,
                &i,
                &p,
                r.get(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
                &r.get::<_, String>(4)?,
            )?;
            visit(version)?;
        }
        Ok(())
    }

    fn cards_born_on(
        &mut self,
        insurer: InsurerNumber,
        birth_date: kiban_domain::Date,
    ) -> Result<Vec<Version>> {
        crate::card_search::sqlite(&self.conn, insurer, birth_date)
    }

    fn insurers(&mut self) -> Result<Vec<InsurerNumber>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT insurer FROM record_versions ORDER BY insurer")?;
        let raw: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        raw.iter()
            .map(|s| {
                InsurerNumber::parse_with(s, CheckDigitPolicy::Warn)
                    .map(|p| p.number)
                    .map_err(|_| StoreError::Corrupt("insurer".into()))
            })
            .collect()
    }

    fn counts(&mut self, insurer: InsurerNumber) -> Result<Counts> {
        let i = insurer.to_string();
        let mut versions_by_kind = Vec::new();
        for kind in RecordKind::ALL {
            let n: i64 = self.conn.query_row(
                "SELECT count(*) FROM record_versions WHERE kind = ?1 AND insurer = ?2",
                params![kind.code(), i],
                |r| r.get(0),
            )?;
            versions_by_kind.push((kind.code().to_string(), n));
        }
        let withdrawals = self.conn.query_row(
            "SELECT count(*) FROM withdrawals WHERE insurer = ?1",
            [&i],
            |r| r.get(0),
        )?;
        let imports = self.conn.query_row(
            "SELECT count(*) FROM imports WHERE insurer = ?1 AND status = 'committed'",
            [&i],
            |r| r.get(0),
        )?;
        Ok(Counts {
            versions_by_kind,
            withdrawals,
            imports,
        })
    }
}
