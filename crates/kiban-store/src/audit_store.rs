//! Storage of the audit log, a supertrait of [`crate::Store`]. Appends go through
//! [`AuditStore::append_audit`], which seals entries onto the stored chain head inside the
//! caller's transaction, so the chain is extended by exactly one writer at a time: the engine
//! locks the chain ([`Db::lock_audit_chain`]) before the head is read, and inserts the sealed
//! events its fastest way ([`Db::bulk_audit_events`]).

use crate::db::{params, Db, SqlRow};
use crate::Result;
use kiban_domain::audit::{AuditEntry, AuditEvent, Checkpoint, GENESIS};

pub trait AuditStore {
    /// Seals `entries` after the current head and appends them. Must run inside a
    /// transaction (`Store::begin`); the engine serialises concurrent appenders.
    fn append_audit(&mut self, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>>;

    /// The last event's sequence number and hash, `(0, GENESIS)` for an empty log.
    fn audit_head(&mut self) -> Result<(u64, [u8; 32])>;

    /// Streams events with `seq >= from` in sequence order.
    fn for_each_audit(
        &mut self,
        from: u64,
        visit: &mut dyn FnMut(AuditEvent) -> Result<()>,
    ) -> Result<()>;

    /// A person's events, newest first: up to `limit` events with `seq < before` (all when
    /// `before` is `None`). The citizen's access history pages with this.
    fn audit_for_person(
        &mut self,
        insurer: &str,
        insured: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>>;

    /// Makes this transaction the only signer of checkpoints until it ends (an advisory lock
    /// on PostgreSQL; SQLite's one writer already is): several servers on one database never
    /// sign the same position twice.
    fn claim_checkpoint_signing(&mut self) -> Result<()>;

    fn insert_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()>;

    /// Every checkpoint, by sequence number.
    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>>;

    /// The newest checkpoint. `kiban serve` asks every two seconds whether the head moved, so
    /// this reads one row rather than the whole table.
    fn last_checkpoint(&mut self) -> Result<Option<Checkpoint>>;
}

const AUDIT_COLUMNS: &str = "seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash";

fn hash32(bytes: Vec<u8>) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| crate::StoreError::Corrupt("audit hash length".into()))
}

fn decision(code: &str) -> Result<kiban_domain::audit::Decision> {
    kiban_domain::audit::Decision::from_code(code)
        .ok_or_else(|| crate::StoreError::Corrupt("audit decision".into()))
}

fn to_event(r: &dyn SqlRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.get::<i64>(0)? as u64,
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
            decision: decision(r.str(11)?)?,
            reason: r.get(12)?,
        },
        prev_hash: hash32(r.get(13)?)?,
        hash: hash32(r.get(14)?)?,
    })
}

fn to_checkpoint(r: &dyn SqlRow) -> Result<Checkpoint> {
    Ok(Checkpoint {
        seq: r.get::<i64>(0)? as u64,
        hash: hash32(r.get(1)?)?,
        at_ms: r.get(2)?,
        public_key: r.get(3)?,
        signature: r.get(4)?,
    })
}

impl<D: Db> AuditStore for D {
    fn append_audit(&mut self, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
        self.lock_audit_chain()?;
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
        self.bulk_audit_events(&sealed)?;
        Ok(sealed)
    }

    fn audit_head(&mut self) -> Result<(u64, [u8; 32])> {
        let head = self.query_opt(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            &[],
            |r| Ok((r.get::<i64>(0)?, r.get::<Vec<u8>>(1)?)),
        )?;
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
        // Streamed: verifying ten million events keeps one in memory at a time.
        self.query(&sql, params![from as i64], &mut |r| visit(to_event(r)?))
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
        self.query_all(&sql, params![insurer, insured, before, limit], to_event)
    }

    fn claim_checkpoint_signing(&mut self) -> Result<()> {
        self.lock_checkpoints()
    }

    fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        self.execute(
            "INSERT INTO audit_checkpoints (seq, hash, at_ms, public_key, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.seq as i64, c.hash, c.at_ms, c.public_key, c.signature],
        )?;
        Ok(())
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        self.query_all(
            "SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq",
            &[],
            to_checkpoint,
        )
    }

    fn last_checkpoint(&mut self) -> Result<Option<Checkpoint>> {
        self.query_opt(
            "SELECT seq, hash, at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
            &[],
            to_checkpoint,
        )
    }
}
