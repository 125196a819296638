//! The audit log on PostgreSQL. A transaction-scoped advisory lock makes appenders on any number
//! of connections (or servers) extend the chain one at a time.

use crate::audit_store::{decision, hash32, AuditStore, AUDIT_COLUMNS};
use crate::{PostgresStore, Result};
use kiban_domain::audit::{AuditEntry, AuditEvent, Checkpoint, GENESIS};

/// The advisory lock key of the audit chain ("kibanaud" in ASCII).
const AUDIT_LOCK: i64 = 0x6b69_6261_6e61_7564;

fn to_event(r: &postgres::Row) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.get::<_, i64>(0) as u64,
        entry: AuditEntry {
            at_ms: r.get(1),
            actor_kind: r.get(2),
            actor_id: r.get(3),
            office: r.get(4),
            job: r.get(5),
            insurer: r.get(6),
            insured: r.get(7),
            category: r.get(8),
            action: r.get(9),
            purpose: r.get(10),
            decision: decision(r.get(11))?,
            reason: r.get(12),
        },
        prev_hash: hash32(r.get(13))?,
        hash: hash32(r.get(14))?,
    })
}

impl AuditStore for PostgresStore {
    fn append_audit(&mut self, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
        let lock = self.prepared("SELECT pg_advisory_xact_lock($1)")?;
        self.client().execute(&lock, &[&AUDIT_LOCK])?;
        let (mut seq, mut prev) = self.audit_head()?;
        let sealed: Vec<AuditEvent> = entries
            .into_iter()
            .map(|entry| {
                seq += 1;
                let event = entry.seal(seq, prev);
                prev = event.hash;
                event
            })
            .collect();
        // One statement for the whole group: a round trip per event made the append the
        // slowest part of a request.
        let insert = self.prepared(
            "INSERT INTO audit_events (seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::bytea[])",
        )?;
        let column = |f: fn(&AuditEvent) -> &str| -> Vec<&str> { sealed.iter().map(f).collect() };
        let seqs: Vec<i64> = sealed.iter().map(|e| e.seq as i64).collect();
        let ats: Vec<i64> = sealed.iter().map(|e| e.entry.at_ms).collect();
        let prevs: Vec<&[u8]> = sealed.iter().map(|e| &e.prev_hash[..]).collect();
        let hashes: Vec<&[u8]> = sealed.iter().map(|e| &e.hash[..]).collect();
        let texts: Vec<Vec<&str>> = [
            column(|e| &e.entry.actor_kind),
            column(|e| &e.entry.actor_id),
            column(|e| &e.entry.office),
            column(|e| &e.entry.job),
            column(|e| &e.entry.insurer),
            column(|e| &e.entry.insured),
            column(|e| &e.entry.category),
            column(|e| &e.entry.action),
            column(|e| &e.entry.purpose),
            column(|e| e.entry.decision.code()),
            column(|e| &e.entry.reason),
        ]
        .into();
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&seqs, &ats];
        params.extend(
            texts
                .iter()
                .map(|t| t as &(dyn postgres::types::ToSql + Sync)),
        );
        params.push(&prevs);
        params.push(&hashes);
        self.client().execute(&insert, &params)?;
        Ok(sealed)
    }

    fn audit_head(&mut self) -> Result<(u64, [u8; 32])> {
        let head = self.prepared("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?;
        match self.client().query_opt(&head, &[])? {
            None => Ok((0, GENESIS)),
            Some(r) => Ok((r.get::<_, i64>(0) as u64, hash32(r.get(1))?)),
        }
    }

    fn for_each_audit(
        &mut self,
        from: u64,
        visit: &mut dyn FnMut(AuditEvent) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq");
        let from = from as i64;
        let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&from];
        let mut rows = self.client().query_raw(&sql, params)?;
        while let Some(r) = rows.next()? {
            visit(to_event(&r)?)?;
        }
        Ok(())
    }

    fn audit_for_person(
        &mut self,
        insurer: &str,
        insured: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE insurer = $1 AND insured = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4"
        );
        let before = before.map_or(i64::MAX, |b| b as i64);
        self.client()
            .query(&sql, &[&insurer, &insured, &before, &i64::from(limit)])?
            .iter()
            .map(to_event)
            .collect()
    }

    fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        self.client().execute(
            "INSERT INTO audit_checkpoints (seq, hash, at_ms, public_key, signature) VALUES ($1, $2, $3, $4, $5)",
            &[&(c.seq as i64), &&c.hash[..], &c.at_ms, &c.public_key, &c.signature],
        )?;
        Ok(())
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        self.client()
            .query("SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq", &[])?
            .iter()
            .map(to_checkpoint)
            .collect()
    }

    fn last_checkpoint(&mut self) -> Result<Option<Checkpoint>> {
        self.client()
            .query_opt("SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", &[])?
            .as_ref()
            .map(to_checkpoint)
            .transpose()
    }
}

fn to_checkpoint(r: &postgres::Row) -> Result<Checkpoint> {
    Ok(Checkpoint {
        seq: r.get::<_, i64>(0) as u64,
        hash: hash32(r.get(1))?,
        at_ms: r.get(2),
        public_key: r.get(3),
        signature: r.get(4),
    })
}
