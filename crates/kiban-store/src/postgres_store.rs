//! The PostgreSQL engine: production. Bulk appends use `COPY … FROM STDIN`, the server's own
//! bulk path, so an import runs at close to the speed of a raw load.

use crate::migrations::{POSTGRES, SCHEMA_TABLE};
use crate::sqlite_records::parse_version;
use crate::*;
use kiban_domain::ids::CheckDigitPolicy;
use postgres::{Client, NoTls};
use std::io::Write;

pub struct PostgresStore {
    client: Client,
    identity: String,
    /// Statements prepared once per connection: a query by text is a parse round trip and an
    /// execute round trip, and the request path runs a handful of them per request.
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PostgresStore {
    pub fn connect(url: &str) -> Result<Self> {
        Ok(Self {
            client: Client::connect(url, NoTls)?,
            identity: format!("postgres:{url}"),
            statements: Default::default(),
        })
    }

    /// Uses `schema` for every statement of this connection (tests isolate themselves this way).
    pub fn set_search_path(&mut self, schema: &str) -> Result<()> {
        self.client
            .batch_execute(&format!("SET search_path TO \"{schema}\""))?;
        // Prepared statements name the tables of the old search path.
        self.statements.clear();
        if let Some(base) = self.identity.split('#').next() {
            self.identity = format!("{base}#{schema}");
        }
        Ok(())
    }

    /// `sql` prepared on this connection, once.
    pub(crate) fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// The raw client, for benchmarks that compare against a bare `COPY`.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

const IMPORT_COLUMNS: &str = "id, file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report";

fn to_import(r: &postgres::Row) -> ImportRecord {
    ImportRecord {
        id: r.get(0),
        file_name: r.get(1),
        sha256: r.get(2),
        status: ImportStatus::from_code(r.get(3)),
        kind: r.get(4),
        insurer: r.get(5),
        mode: r.get(6),
        encoding: r.get(7),
        started_at: r.get(8),
        finished_at: r.get(9),
        rows_total: r.get(10),
        rows_inserted: r.get(11),
        rows_unchanged: r.get(12),
        rows_withdrawn: r.get(13),
        rows_rejected: r.get(14),
        report: r.get(15),
    }
}

/// Appends one field in COPY text format.
pub fn copy_field(buf: &mut Vec<u8>, value: Option<&str>) {
    let Some(v) = value else {
        buf.extend_from_slice(b"\\N");
        return;
    };
    // Almost no stored value contains a byte that needs escaping; copy those in one go.
    if !v
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        buf.extend_from_slice(v.as_bytes());
        return;
    }
    for &b in v.as_bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

/// One `record_versions` row in COPY text format, written without intermediate strings (this
/// runs two million times in a large import).
fn copy_row(buf: &mut Vec<u8>, import_id: i64, v: &NewVersion) {
    use std::io::Write as _;
    let k = v.version.key;
    let _ = write!(
        buf,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
        v.version.body.kind().code(),
        k.insurer,
        k.insured,
        k.history,
        v.version.operation.code(),
        v.version.applies_from.yyyymmdd(),
        v.content_hash
    );
    copy_field(buf, Some(&v.body_json));
    let _ = writeln!(buf, "\t{import_id}");
}

/// Rows inserted by one import from which the import analyses the tables it loaded.
const ANALYZE_AFTER_ROWS: i64 = 1_000;

impl Store for PostgresStore {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn database_identity(&self) -> &str {
        &self.identity
    }

    fn migrate(&mut self) -> Result<Vec<String>> {
        self.client.batch_execute(SCHEMA_TABLE)?;
        let mut applied = Vec::new();
        for m in POSTGRES {
            let done = self.client.query_opt(
                "SELECT version FROM schema_migrations WHERE version = $1",
                &[&m.version],
            )?;
            if done.is_none() {
                let mut tx = self.client.transaction()?;
                tx.batch_execute(m.sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    &[&m.version, &m.name],
                )?;
                tx.commit()?;
                applied.push(m.name.to_string());
            }
        }
        Ok(applied)
    }

    fn begin(&mut self) -> Result<()> {
        self.client.batch_execute("BEGIN")?;
        Ok(())
    }
    fn commit(&mut self) -> Result<()> {
        self.client.batch_execute("COMMIT")?;
        Ok(())
    }
    fn rollback(&mut self) -> Result<()> {
        self.client.batch_execute("ROLLBACK")?;
        Ok(())
    }

    fn find_committed_import(&mut self, sha256: &str) -> Result<Option<ImportRecord>> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE sha256 = $1 AND status = 'committed'"
        );
        Ok(self
            .client
            .query_opt(&sql, &[&sha256])?
            .as_ref()
            .map(to_import))
    }

    fn insert_import(&mut self, r: &ImportRecord) -> Result<i64> {
        let row = self.client.query_one(
            "INSERT INTO imports (file_name, sha256, status, kind, insurer, mode, encoding, started_at, finished_at, rows_total, rows_inserted, rows_unchanged, rows_withdrawn, rows_rejected, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            &[&r.file_name, &r.sha256, &r.status.code(), &r.kind, &r.insurer, &r.mode, &r.encoding, &r.started_at, &r.finished_at, &r.rows_total, &r.rows_inserted, &r.rows_unchanged, &r.rows_withdrawn, &r.rows_rejected, &r.report],
        )?;
        Ok(row.get(0))
    }

    fn finish_import(&mut self, r: &ImportRecord) -> Result<()> {
        self.client.execute(
            "UPDATE imports SET status = $2, finished_at = $3, rows_total = $4, rows_inserted = $5, rows_unchanged = $6, rows_withdrawn = $7, rows_rejected = $8, report = $9 WHERE id = $1",
            &[&r.id, &r.status.code(), &r.finished_at, &r.rows_total, &r.rows_inserted, &r.rows_unchanged, &r.rows_withdrawn, &r.rows_rejected, &r.report],
        )?;
        // A bulk load leaves the planner's statistics of a fresh or fast-growing table stale
        // until autovacuum gets to it: measured, the 被保険者証 lookup by person then took the
        // partial birth-date index of 基本4情報 matching and filtered a whole 保険者 (55 ms
        // instead of 0.1 ms). Analysing with the load fixes the estimates at once.
        if r.rows_inserted >= ANALYZE_AFTER_ROWS {
            self.client
                .batch_execute("ANALYZE record_versions; ANALYZE withdrawals")?;
        }
        Ok(())
    }

    fn list_imports(&mut self, limit: u32) -> Result<Vec<ImportRecord>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id DESC LIMIT $1");
        Ok(self
            .client
            .query(&sql, &[&i64::from(limit)])?
            .iter()
            .map(to_import)
            .collect())
    }

    fn has_versions(&mut self, kind: RecordKind, insurer: InsurerNumber) -> Result<bool> {
        let row = self.client.query_opt(
            "SELECT 1 FROM record_versions WHERE kind = $1 AND insurer = $2 LIMIT 1",
            &[&kind.code(), &insurer.to_string()],
        )?;
        Ok(row.is_some())
    }

    fn version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>> {
        // One round trip per batch: per-person queries would pay the network latency each time.
        let keys: Vec<String> = persons.iter().map(|p| p.to_string()).collect();
        // Rows appended earlier in the same transaction are invisible to the planner's
        // statistics, so during a first load it believes the table is empty and scans it for
        // every batch (quadratic). The lookup is always by primary key; say so.
        self.client
            .batch_execute("SET LOCAL enable_seqscan = off")?;
        let rows = self.client.query(
            "SELECT v.insured, v.history, v.content_hash, (w.history IS NOT NULL) FROM record_versions v \
             LEFT JOIN withdrawals w ON w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history \
             WHERE v.kind = $1 AND v.insurer = $2 AND v.insured = ANY($3)",
            &[&kind.code(), &insurer.to_string(), &keys],
        )?;
        rows.iter()
            .map(|r| {
                Ok(VersionMeta {
                    insured: InsuredNumber::parse(r.get(0))
                        .map_err(|_| StoreError::Corrupt("insured".into()))?,
                    history: r.get::<_, i32>(1) as u16,
                    content_hash: r.get(2),
                    withdrawn: r.get(3),
                })
            })
            .collect()
    }

    fn append(
        &mut self,
        import_id: i64,
        versions: &[NewVersion],
        withdrawals: &[WithdrawalKey],
    ) -> Result<()> {
        if !versions.is_empty() {
            let mut buf = Vec::with_capacity(versions.len() * 512);
            for v in versions {
                copy_row(&mut buf, import_id, v);
            }
            let mut writer = self.client.copy_in(
                "COPY record_versions (kind, insurer, insured, history, operation, applies_from, content_hash, body, import_id) FROM STDIN",
            )?;
            writer.write_all(&buf)?;
            writer.finish()?;
        }
        for w in withdrawals {
            self.client.execute(
                "INSERT INTO withdrawals (kind, insurer, insured, history, import_id) VALUES ($1, $2, $3, $4, $5)",
                &[&w.kind.code(), &w.key.insurer.to_string(), &w.key.insured.to_string(), &i32::from(w.key.history), &import_id],
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
        use postgres::fallible_iterator::FallibleIterator;
        let filter = if include_withdrawn {
            ""
        } else {
            " AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history)"
        };
        let sql = format!(
            "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v WHERE v.kind = $1 AND v.insurer = $2{filter} ORDER BY v.insured, v.history"
        );
        let i = insurer.to_string();
        let k = kind.code();
        let params: [&(dyn postgres::types::ToSql + Sync); 2] = [&k, &i];
        // A portal-backed row stream keeps memory flat for a million persons.
        let mut rows = self.client.query_raw(&sql, params)?;
        while let Some(r) = rows.next()? {
            let version = parse_version(
                kind,
                &i,
                r.get(0),
                i64::from(r.get::<_, i32>(1)),
                r.get(2),
                r.get(3),
                r.get(4),
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
        crate::card_search::postgres(&mut self.client, insurer, birth_date)
    }

    fn insurers(&mut self) -> Result<Vec<InsurerNumber>> {
        self.client
            .query(
                "SELECT DISTINCT insurer FROM record_versions ORDER BY insurer",
                &[],
            )?
            .iter()
            .map(|r| {
                InsurerNumber::parse_with(r.get(0), CheckDigitPolicy::Warn)
                    .map(|p| p.number)
                    .map_err(|_| StoreError::Corrupt("insurer".into()))
            })
            .collect()
    }

    fn counts(&mut self, insurer: InsurerNumber) -> Result<Counts> {
        let i = insurer.to_string();
        let mut versions_by_kind = Vec::new();
        for kind in RecordKind::ALL {
            let n: i64 = self
                .client
                .query_one(
                    "SELECT count(*) FROM record_versions WHERE kind = $1 AND insurer = $2",
                    &[&kind.code(), &i],
                )?
                .get(0);
            versions_by_kind.push((kind.code().to_string(), n));
        }
        let withdrawals = self
            .client
            .query_one("SELECT count(*) FROM withdrawals WHERE insurer = $1", &[&i])?
            .get(0);
        let imports = self
            .client
            .query_one(
                "SELECT count(*) FROM imports WHERE insurer = $1 AND status = 'committed'",
                &[&i],
            )?
            .get(0);
        Ok(Counts {
            versions_by_kind,
            withdrawals,
            imports,
        })
    }
}
