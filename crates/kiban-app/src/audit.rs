//! The audit log service: appending events, signing checkpoints of the chain head, and
//! verifying the whole chain (`kiban audit verify`).
//!
//! Signing is behind two small traits so this crate does not pick the cryptography; the
//! platform's Ed25519 key (kiban-crypto) implements them.

use crate::Result;
use kiban_domain::audit::{AuditEntry, AuditEvent, ChainFault, ChainVerifier, Checkpoint};
use kiban_store::Store;

/// Signs checkpoints: the platform key.
pub trait Signer {
    fn public_key(&self) -> Vec<u8>;
    fn sign(&self, message: &[u8]) -> Vec<u8>;
}

/// Checks a checkpoint signature against a public key.
pub trait SignatureCheck {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool;
}

/// Appends entries as one contiguous run of the chain, committed before this returns.
///
/// Concurrent appends to the same database from this process are group-committed (see
/// `group_commit`): one transaction carries the events of every request waiting at that moment.
/// The engine-level serialisation (`BEGIN IMMEDIATE`, the PostgreSQL advisory lock) still
/// guards against other processes.
pub fn record(store: &mut dyn Store, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
    crate::group_commit::append(store, entries)
}

/// Signs the current chain head, unless the last checkpoint already covers it. Returns the new
/// checkpoint. `kiban serve` calls this periodically on its own thread and connection
/// (`--checkpoint-every-seconds`, default 60) and once more at shutdown; `kiban audit
/// checkpoint` does it by hand, e.g. for a server started with signing disabled.
pub fn checkpoint(
    store: &mut dyn Store,
    signer: &dyn Signer,
    at_ms: i64,
) -> Result<Option<Checkpoint>> {
    crate::in_transaction(store, |s| {
        let (seq, hash) = s.audit_head()?;
        let covered = s.checkpoints()?.last().map_or(0, |c| c.seq);
        if seq == 0 || seq <= covered {
            return Ok(None);
        }
        let signature = signer.sign(&Checkpoint::signed_bytes(seq, &hash, at_ms));
        let cp = Checkpoint {
            seq,
            hash,
            at_ms,
            public_key: signer.public_key(),
            signature,
        };
        s.insert_checkpoint(&cp)?;
        Ok(Some(cp))
    })
}

/// The outcome of `kiban audit verify`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Events that verified before the first fault (all of them when there is none).
    pub events_verified: u64,
    pub checkpoints: u64,
    pub fault: Option<String>,
    /// The sequence number of the first bad event.
    pub first_bad_seq: Option<u64>,
    pub elapsed_ms: u64,
}

/// Verifies every event and checkpoint. `trusted_key` is the platform public key: a checkpoint
/// signed by any other key, or with a bad signature, is a fault.
pub fn verify(
    store: &mut dyn Store,
    check: &dyn SignatureCheck,
    trusted_key: &[u8],
) -> Result<VerifyReport> {
    let started = std::time::Instant::now();
    let checkpoints = store.checkpoints()?;
    let mut fault = checkpoints
        .iter()
        .find(|c| {
            c.public_key != trusted_key
                || !check.verify(
                    &c.public_key,
                    &Checkpoint::signed_bytes(c.seq, &c.hash, c.at_ms),
                    &c.signature,
                )
        })
        .map(|c| ChainFault::CheckpointSignature { seq: c.seq });
    let mut verified = 0;
    if fault.is_none() {
        let mut verifier = ChainVerifier::new(&checkpoints);
        let mut first: Option<ChainFault> = None;
        store.for_each_audit(1, &mut |event| {
            if first.is_none() {
                match verifier.push(&event) {
                    Ok(()) => verified += 1,
                    Err(f) => first = Some(f),
                }
            }
            Ok(())
        })?;
        fault = match first {
            Some(f) => Some(f),
            None => verifier.finish().err(),
        };
    }
    Ok(VerifyReport {
        events_verified: verified,
        checkpoints: checkpoints.len() as u64,
        first_bad_seq: fault.as_ref().map(ChainFault::seq),
        fault: fault.map(|f| f.to_string()),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
