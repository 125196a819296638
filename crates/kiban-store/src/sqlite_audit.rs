//! The audit log on SQLite. `BEGIN IMMEDIATE` (see `Store::begin`) already makes the appender
//! the only writer, so reading the head and appending cannot interleave.

use crate::audit_store::{decision, hash32, AuditStore, AUDIT_COLUMNS};
use crate::{Result, SqliteStore};
use kiban_domain::audit::{AuditEntry, AuditEvent, Checkpoint, GENESIS};
use rusqlite::{params, OptionalExtension};

fn to_event(r: &rusqlite::Row) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.get::<_, i64>(0)? as u64,
        entry: AuditEntry {
            at_ms: r.get(1)?,
            actor_kind: r.get(2)?,
            actor_id: r.get(3)?,
            office: r.get(4)?,
            job: r.get(5)?,
            insurer: r.get(6)?,
            insured: r.get(7)?,
            category: r.get(8)?,
            action: r.get(9)?,
            purpose: r.get(10)?,
            decision: decision(&r.get::<_, String>(11)?)?,
            reason: r.get(12)?,
        },
        prev_hash: hash32(r.get(13)?)?,
        hash: hash32(r.get(14)?)?,
    })
}

impl AuditStore for SqliteStore {
    fn append_audit(&mut self, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
        let (mut seq, mut prev) = self.audit_head()?;
        let conn = self.connection();
        let mut insert = conn.prepare_cached(
            "INSERT INTO audit_events (seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut sealed = Vec::with_capacity(entries.len());
        for entry in entries {
            seq += 1;
            let event = entry.seal(seq, prev);
            let e = &event.entry;
            insert.execute(params![
                seq as i64,
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
            prev = event.hash;
            sealed.push(event);
        }
        Ok(sealed)
    }

    fn audit_head(&mut self) -> Result<(u64, [u8; 32])> {
        let head: Option<(i64, Vec<u8>)> = self
            .connection()
            .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match head {
            None => Ok((0, GENESIS)),
            Some((seq, hash)) => Ok((seq as u64, hash32(hash)?)),
        }
    }

    fn for_each_audit(
        &mut self,
        from: u64,
        visit: &mut dyn FnMut(AuditEvent) -> Result<()>,
    ) -> Result<()> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq >= ?1 ORDER BY seq");
        let mut stmt = self.connection().prepare(&sql)?;
        let mut rows = stmt.query([from as i64])?;
        while let Some(r) = rows.next()? {
            visit(to_event(r)?)?;
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
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE insurer = ?1 AND insured = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4"
        );
        let before = before.map_or(i64::MAX, |b| b as i64);
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let mut rows = stmt.query(params![insurer, insured, before, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(to_event(r)?);
        }
        Ok(out)
    }

    fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        self.connection().execute(
            "INSERT INTO audit_checkpoints (seq, hash, at_ms, public_key, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.seq as i64, &c.hash[..], c.at_ms, c.public_key, c.signature],
        )?;
        Ok(())
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        let mut stmt = self.connection().prepare(
            "SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(to_checkpoint(r)?);
        }
        Ok(out)
    }

    fn last_checkpoint(&mut self) -> Result<Option<Checkpoint>> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
        )?;
        let mut rows = stmt.query([])?;
        rows.next()?.map(to_checkpoint).transpose()
    }
}

fn to_checkpoint(r: &rusqlite::Row) -> Result<Checkpoint> {
    Ok(Checkpoint {
        seq: r.get::<_, i64>(0)? as u64,
        hash: hash32(r.get(1)?)?,
        at_ms: r.get(2)?,
        public_key: r.get(3)?,
        signature: r.get(4)?,
    })
}
