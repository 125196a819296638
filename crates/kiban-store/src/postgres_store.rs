//! The PostgreSQL engine: production. What is here is what only PostgreSQL has: the
//! connection and its prepared statements, the bulk paths that cost a fixed number of round
//! trips whatever the row count (`COPY … FROM STDIN` for versions, `unnest` arrays for the
//! audit chain and care plans), the advisory lock of the audit chain, and the planner hints
//! that keep plans right while a bulk load outruns the table statistics. Every other statement
//! is shared ([`crate::db`]).

use crate::access_store::{to_consent, to_serving, CONSENT_COLUMNS, SERVING_COLUMNS};
use crate::careplan_store::{doc_key_value, plan_replacement, to_office_value};
use crate::db::{params, Db, SqlRow, ToValue, Value};
use crate::dialect::Dialect;
use crate::*;
use kiban_domain::audit::AuditEvent;
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use std::io::Write;

/// A statement parameter of the PostgreSQL-only statements below.
type Param<'a> = &'a (dyn ToSql + Sync);

pub struct PostgresStore {
    client: Client,
    identity: String,
    /// Statements prepared once per connection, by their source text: a query by text is a
    /// parse round trip and an execute round trip, and the request path runs a handful of
    /// them per request.
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PostgresStore {
    /// Connects with the URL's settings: several hosts (`host=a,b` or `postgres://a,b/…`) are
    /// tried in turn, and `target_session_attrs=read-write` skips a standby, which is how a
    /// server finds the new primary after a failover. Without a `connect_timeout` in the URL,
    /// an unreachable host is given up after [`CONNECT_TIMEOUT`] rather than the operating
    /// system's minutes.
    ///
    /// `sslmode=require|verify-ca|verify-full` (with `sslrootcert`) encrypts the connection
    /// ([`crate::postgres_tls`]).
    pub fn connect(url: &str) -> Result<Self> {
        let tls = crate::postgres_tls::split(url)?;
        let mut config: postgres::Config = tls.url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let client = match crate::postgres_tls::connector(&tls)? {
            Some(connector) => {
                config.ssl_mode(postgres::config::SslMode::Require);
                config.connect(connector)?
            }
            None => config.connect(NoTls)?,
        };
        Ok(Self {
            client,
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

    /// `sql` rendered and prepared on this connection, once.
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&Dialect::Postgres.render(sql))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Runs a PostgreSQL-only statement (prepared once); returns the number of rows changed.
    fn execute_native(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        let statement = self.prepared(sql)?;
        Ok(self.client.execute(&statement, params)?)
    }

    /// The raw client, for benchmarks that compare against a bare `COPY`.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Analyses `service_months` (and the corporation registry it joins) when a fifth of it, and
    /// at least 10,000 rows, changed since its last analysis. A month of uploads adds hundreds of
    /// thousands of rows faster than autovacuum analyses them; with the old estimates (one row)
    /// the planner read 600,000 rows through the index with a heap fetch each and probed the
    /// registry once per row: 5.9 s for the 判定期間 of 50,000 persons. One ANALYZE samples
    /// 30,000 rows, so it stays cheap at any size.
    fn fresh_statistics(&mut self) -> Result<()> {
        let row = self.client.query_one(
            "SELECT COALESCE(s.n_mod_since_analyze, 0)::FLOAT8, GREATEST(c.reltuples, 0)::FLOAT8 \
             FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.oid = 'service_months'::regclass",
            &[],
        )?;
        let (changed, rows): (f64, f64) = (row.get(0), row.get(1));
        if changed >= 10_000.0 && changed >= rows / 5.0 {
            self.client
                .batch_execute("ANALYZE service_months; ANALYZE corporation_offices")?;
        }
        Ok(())
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

/// How long a connection attempt may take when the URL does not say.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The advisory lock key of the audit chain ("kibanaud" in ASCII).
const AUDIT_LOCK: i64 = 0x6b69_6261_6e61_7564;
/// The advisory lock key of checkpoint signing ("kibanckp").
const CHECKPOINT_LOCK: i64 = 0x6b69_6261_6e63_6b70;
/// The class of the migration lock ("kimi"); its object is the schema's hash, so tests that
/// migrate schemas of their own on one database do not queue behind each other.
const MIGRATION_LOCK_CLASS: i32 = 0x6b69_6d69;

/// One column of `rows` as an array parameter.
fn column<'a, T>(rows: &'a [T], field: impl Fn(&'a T) -> &'a str) -> Vec<&'a str> {
    rows.iter().map(field).collect()
}

/// One column of `rows` as an array parameter of stored values (each domain value's stored
/// text, [`crate::db::ToValue`]).
fn values<'a, T>(rows: &'a [T], field: impl Fn(&'a T) -> Value<'a>) -> Vec<Value<'a>> {
    rows.iter().map(field).collect()
}

impl Db for PostgresStore {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn identity(&self) -> &str {
        &self.identity
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let statement = self.prepared(sql)?;
        let params: Vec<Param> = params.iter().map(|p| p as Param).collect();
        Ok(self.client.execute(&statement, &params)?)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let statement = self.prepared(sql)?;
        // Rows are handed on as they arrive, so a stream of a million stays flat in memory.
        let mut rows = self.client.query_raw(&statement, params)?;
        while let Some(row) = rows.next()? {
            each(&row)?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(&Dialect::Postgres.render(sql))?)
    }

    /// Not tracked by the client; a `ROLLBACK` outside a transaction is only a warning here.
    fn in_transaction(&self) -> bool {
        true
    }

    // Read snapshots would only add round trips, and the server checkpoints its own log.
    fn read_begin(&mut self) -> Result<()> {
        Ok(())
    }
    fn read_end(&mut self) -> Result<()> {
        Ok(())
    }
    fn wal_defer_checkpoints(&mut self) -> Result<()> {
        Ok(())
    }
    fn wal_checkpoint(&mut self) -> Result<()> {
        Ok(())
    }

    /// `COPY … FROM STDIN`, the server's own bulk path: an import runs at close to the speed
    /// of a raw load.
    fn bulk_append_versions(&mut self, import_id: i64, versions: &[NewVersion]) -> Result<()> {
        if versions.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(versions.len() * 512);
        for v in versions {
            copy_row(&mut buf, import_id, v);
        }
        let mut writer = self.client.copy_in(
            "COPY record_versions (kind, insurer, insured, history, operation, applies_from, content_hash, body, import_id) FROM STDIN",
        )?;
        writer.write_all(&buf)?;
        writer.finish()?;
        Ok(())
    }

    /// A bulk load leaves the planner's statistics of a fresh or fast-growing table stale
    /// until autovacuum gets to it: measured, the 被保険者証 lookup by person then took the
    /// partial birth-date index of 基本4情報 matching and filtered a whole 保険者 (55 ms
    /// instead of 0.1 ms). Analysing with the load fixes the estimates at once.
    fn after_import(&mut self, rows_inserted: i64) -> Result<()> {
        if rows_inserted >= ANALYZE_AFTER_ROWS {
            self.client
                .batch_execute("ANALYZE record_versions; ANALYZE withdrawals")?;
        }
        Ok(())
    }

    /// One round trip per batch: per-person queries would pay the network latency each time.
    fn bulk_version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>> {
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

    /// A transaction-scoped advisory lock makes appenders on any number of connections (or
    /// servers) extend the chain one at a time.
    fn lock_audit_chain(&mut self) -> Result<()> {
        self.execute_native("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])?;
        Ok(())
    }

    fn lock_checkpoints(&mut self) -> Result<()> {
        self.execute_native("SELECT pg_advisory_xact_lock($1)", &[&CHECKPOINT_LOCK])?;
        Ok(())
    }

    fn session_limits(
        &mut self,
        statement: std::time::Duration,
        lock: std::time::Duration,
    ) -> Result<()> {
        self.client.batch_execute(&format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            statement.as_millis(),
            lock.as_millis()
        ))?;
        Ok(())
    }

    fn connection_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn send_notification(&mut self, channel: &str, payload: &str) -> Result<()> {
        self.execute_native("SELECT pg_notify($1, $2)", &[&channel, &payload])?;
        Ok(())
    }

    fn start_listening(&mut self, channels: &[&str]) -> Result<bool> {
        for channel in channels {
            // LISTEN takes an identifier, not a parameter: only plain names reach it.
            if channel.is_empty()
                || !channel
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
            {
                return Err(StoreError::Conflict(format!(
                    "not a channel name: {channel:?}"
                )));
            }
            self.client.batch_execute(&format!("LISTEN {channel}"))?;
        }
        Ok(true)
    }

    fn next_notifications(&mut self, timeout: std::time::Duration) -> Result<Vec<Notification>> {
        use postgres::fallible_iterator::FallibleIterator;
        let received = |n: postgres::Notification| Notification {
            channel: n.channel().to_string(),
            payload: n.payload().to_string(),
        };
        let mut out = Vec::new();
        {
            let mut notifications = self.client.notifications();
            let first = notifications.timeout_iter(timeout).next()?;
            if let Some(first) = first {
                out.push(received(first));
                let mut rest = notifications.iter();
                while let Some(n) = rest.next()? {
                    out.push(received(n));
                }
            }
        }
        // A closed connection waits out the timeout quietly; say so, so the listener reconnects.
        if self.client.is_closed() {
            return Err(StoreError::ConnectionClosed);
        }
        Ok(out)
    }

    /// A session lock, not a transaction's: it spans every migration's own transaction.
    fn lock_migrations(&mut self) -> Result<()> {
        self.client.execute(
            "SELECT pg_advisory_lock($1, hashtext(current_schema()))",
            &[&MIGRATION_LOCK_CLASS],
        )?;
        Ok(())
    }

    fn unlock_migrations(&mut self) -> Result<()> {
        self.client.execute(
            "SELECT pg_advisory_unlock($1, hashtext(current_schema()))",
            &[&MIGRATION_LOCK_CLASS],
        )?;
        Ok(())
    }

    /// One statement for the whole group: a round trip per event made the append the slowest
    /// part of a request.
    fn bulk_audit_events(&mut self, events: &[AuditEvent]) -> Result<()> {
        let seqs: Vec<i64> = events.iter().map(|e| e.seq as i64).collect();
        let ats: Vec<i64> = events.iter().map(|e| e.entry.at_ms).collect();
        let prevs: Vec<&[u8]> = events.iter().map(|e| &e.prev_hash[..]).collect();
        let hashes: Vec<&[u8]> = events.iter().map(|e| &e.hash[..]).collect();
        let texts = [
            column(events, |e| &e.entry.actor_kind),
            column(events, |e| &e.entry.actor_id),
            column(events, |e| &e.entry.office),
            column(events, |e| &e.entry.job),
            column(events, |e| &e.entry.insurer),
            column(events, |e| &e.entry.insured),
            column(events, |e| &e.entry.category),
            column(events, |e| &e.entry.action),
            column(events, |e| &e.entry.purpose),
            column(events, |e| e.entry.decision.code()),
            column(events, |e| &e.entry.reason),
        ];
        let mut params: Vec<Param> = vec![&seqs, &ats];
        params.extend(texts.iter().map(|t| t as Param));
        params.extend([&prevs as Param, &hashes]);
        self.execute_native(
            "INSERT INTO audit_events (seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::bytea[])",
            &params,
        )?;
        Ok(())
    }

    /// Each person looked up on its own through the index (LATERAL, OFFSET 0 against
    /// flattening): with stale statistics `insured = ANY($2)` was planned as a scan of the
    /// whole table per batch, which grows with every person enrolled.
    fn bulk_servers_of(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT x.* FROM unnest($2::TEXT[]) AS k (key) CROSS JOIN LATERAL \
             (SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE insurer = $1 AND insured = k.key OFFSET 0) x \
             ORDER BY x.insured, x.id"
        );
        self.query_all(&sql, params![insurer, insureds], to_serving)
    }

    /// Per person through the index, as in `bulk_servers_of`.
    fn bulk_consents_of(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>> {
        let sql = format!(
            "SELECT x.* FROM unnest($2::TEXT[]) AS k (key) CROSS JOIN LATERAL \
             (SELECT {CONSENT_COLUMNS} FROM consents WHERE insurer = $1 AND insured = k.key AND office_number = $3 OFFSET 0) x \
             ORDER BY x.insured, x.id"
        );
        self.query_all(&sql, params![insurer, insureds, office_number], to_consent)
    }

    /// Two round trips whatever the row count: the ids first, sorted, so the n-th row gets the
    /// n-th smallest (ids follow input order by construction, not by trusting the order in
    /// which an INSERT … SELECT consumes its rows); then one `INSERT … SELECT FROM unnest(…)`.
    fn bulk_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let count = rows.len() as i64;
        let ids = self.prepared(
            "SELECT nextval('careplan_documents_id_seq') FROM generate_series(1, $1::BIGINT)",
        )?;
        let mut ids: Vec<i64> = self
            .client
            .query(&ids, &[&count])?
            .iter()
            .map(|r| r.get(0))
            .collect();
        ids.sort_unstable();
        let supplements: Vec<Option<&str>> =
            rows.iter().map(|d| d.supplement_json.as_deref()).collect();
        let registered_at: Vec<i64> = rows.iter().map(|d| d.registered_at_ms).collect();
        let texts = [
            values(rows, |d| d.kind.to_value()),
            values(rows, |d| d.insurer.to_value()),
            values(rows, |d| d.insured.to_value()),
            values(rows, |d| doc_key_value(&d.doc_key)),
            values(rows, |d| d.from_office.to_value()),
            values(rows, |d| to_office_value(&d.to_office)),
            values(rows, |d| d.status.to_value()),
            values(rows, |d| d.body_json.to_value()),
        ];
        let registered_by = column(rows, |d| &d.registered_by);
        let mut params: Vec<Param> = vec![&ids];
        params.extend(texts.iter().map(|t| t as Param));
        params.extend([&supplements as Param, &registered_at, &registered_by]);
        self.execute_native(
            "INSERT INTO careplan_documents (id, kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by) \
             SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], $12::TEXT[])",
            &params,
        )?;
        Ok(ids)
    }

    /// Two statements whatever the row count: one `DELETE` of every key replaced, one insert
    /// of every surviving row ([`plan_replacement`]).
    fn bulk_replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()> {
        let (keys, rows) = plan_replacement(sets);
        if !keys.is_empty() {
            let key_columns = [
                values(&keys, |k| k.0.to_value()),
                values(&keys, |k| k.1.to_value()),
                values(&keys, |k| k.2.to_value()),
                values(&keys, |k| k.3.to_value()),
                values(&keys, |k| to_office_value(&k.4)),
            ];
            let params: Vec<Param> = key_columns.iter().map(|c| c as Param).collect();
            // Each key is looked up on its own (LATERAL, kept from being flattened by OFFSET 0)
            // and the found rows deleted by their ctid. A plain join let the planner pick a
            // sequential scan and a sort of the whole table whenever its statistics were stale
            // (a table filling during a month's upload is never analysed in time): every call
            // then cost a scan of everything loaded so far, quadratic over the upload. Per-key
            // index lookups are right at every table size, so the plan can also be cached.
            self.execute_native(
                "DELETE FROM service_months WHERE ctid = ANY (ARRAY( \
                 SELECT x.ctid FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[]) AS k (insurer, insured, month, care_office, to_office) \
                 CROSS JOIN LATERAL (SELECT s.ctid FROM service_months s WHERE s.insurer = k.insurer AND s.insured = k.insured \
                 AND s.month = k.month AND s.care_office = k.care_office AND s.to_office = k.to_office OFFSET 0) x))",
                &params,
            )?;
        }
        if !rows.is_empty() {
            let row_columns = [
                values(&rows, |r| r.insurer.to_value()),
                values(&rows, |r| r.insured.to_value()),
                values(&rows, |r| r.month.to_value()),
                values(&rows, |r| r.care_office.to_value()),
                values(&rows, |r| r.to_office.to_value()),
                values(&rows, |r| r.service_kind.to_value()),
                values(&rows, |r| r.provider_office.to_value()),
                values(&rows, |r| r.care_level.to_value()),
            ];
            let params: Vec<Param> = row_columns.iter().map(|c| c as Param).collect();
            self.execute_native(
                "INSERT INTO service_months (insurer, insured, month, care_office, to_office, service_kind, provider_office, care_level) \
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])",
                &params,
            )?;
        }
        Ok(())
    }

    /// The aggregates over a whole 判定期間 (hundreds of thousands of service months): their
    /// DISTINCT and GROUP BY spill to disk under the default 4 MB of work_mem, which made them
    /// three times slower, and their cost estimate set off JIT compilation, which cost more
    /// than it saved (1.44 → 0.96 s at 10,000 persons). Both settings are changed for these
    /// queries only, on fresh statistics.
    fn aggregate_begin(&mut self) -> Result<()> {
        self.fresh_statistics()?;
        self.client
            .batch_execute("SET work_mem = '64MB'; SET jit = off")?;
        Ok(())
    }
    fn aggregate_end(&mut self) -> Result<()> {
        self.client.batch_execute("RESET work_mem; RESET jit")?;
        Ok(())
    }
}
