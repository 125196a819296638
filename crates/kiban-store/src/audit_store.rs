//! Storage of the audit log, a supertrait of [`crate::Store`]. Appends go through
//! [`AuditStore::append_audit`], which seals entries onto the stored chain head inside the
//! caller's transaction, so the chain is extended by exactly one writer at a time.

use crate::Result;
use kiban_domain::audit::{AuditEntry, AuditEvent, Checkpoint};

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

    fn insert_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()>;

    /// Every checkpoint, by sequence number.
    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>>;

    /// The newest checkpoint. `kiban serve` asks every two seconds whether the head moved, so
    /// this reads one row rather than the whole table.
    fn last_checkpoint(&mut self) -> Result<Option<Checkpoint>>;
}

/// Column list shared by both engines' queries.
pub(crate) const AUDIT_COLUMNS: &str = "seq, at_ms, actor_kind, actor_id, office, job, insurer, insured, category, action, purpose, decision, reason, prev_hash, hash";

pub(crate) fn hash32(bytes: Vec<u8>) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| crate::StoreError::Corrupt("audit hash length".into()))
}

pub(crate) fn decision(code: &str) -> Result<kiban_domain::audit::Decision> {
    kiban_domain::audit::Decision::from_code(code)
        .ok_or_else(|| crate::StoreError::Corrupt("audit decision".into()))
}
