//! The audit log service: appending events, signing checkpoints of the chain head, and
//! verifying the whole chain (`kiban audit verify`).
//!
//! Signing is behind two small traits so this crate does not pick the cryptography; the
//! platform's Ed25519 key (kiban-crypto) implements them.

pub mod external;

pub use external::{CheckpointLogs, LogFault};

use crate::Connection;
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
pub fn record(conn: &mut Connection, entries: Vec<AuditEntry>) -> Result<Vec<AuditEvent>> {
    let store = conn.store();
    crate::group_commit::append(store, entries)
}

/// Signs the current chain head, unless the last checkpoint already covers it, and appends it
/// to the external logs (see [`external`]). Returns the new checkpoint. `kiban serve` calls this
/// every `--checkpoint-every-seconds` (default 2) on its own thread and connection, and once
/// more at shutdown; `kiban audit checkpoint` does it by hand.
///
/// Cheap when nothing happened: two one-row reads, no transaction, no file touched. When the
/// head moved, the primary log is locked first (one writer of the files at a time, so their
/// lines stay in order even with `kiban audit checkpoint` run beside a server), then the row is
/// committed, then the line is appended to the primary log and to the mirror, each fsync'd.
pub fn checkpoint(
    conn: &mut Connection,
    signer: &dyn Signer,
    at_ms: i64,
    logs: &CheckpointLogs,
) -> Result<Option<Checkpoint>> {
    let store = conn.store();
    if head_is_covered(store)? {
        return Ok(None);
    }
    let mut primary = logs
        .primary
        .as_deref()
        .map(external::open_append)
        .transpose()?;
    if let Some(file) = &primary {
        file.lock()?;
    }
    let signed = crate::in_transaction(store, |s| {
        // Another server may be signing this very head: the second waits, then finds it covered.
        s.claim_checkpoint_signing()?;
        if head_is_covered(s)? {
            return Ok(None);
        }
        let (seq, hash) = s.audit_head()?;
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
    })?;
    if let Some(cp) = &signed {
        if let Some(file) = &mut primary {
            external::append(file, cp)?;
        }
        // Only after the primary: a mirror line the primary lacks is then always tampering.
        if let Some(mirror) = &logs.mirror {
            external::append(&mut external::open_append(mirror)?, cp)?;
        }
    }
    Ok(signed)
}

fn head_is_covered(store: &mut dyn Store) -> Result<bool> {
    let (seq, _) = store.audit_head()?;
    let covered = store.last_checkpoint()?.map_or(0, |c| c.seq);
    Ok(seq == 0 || seq <= covered)
}

/// The outcome of `kiban audit verify`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Events that verified before the first fault (all of them when there is none).
    pub events_verified: u64,
    /// Checkpoints in the database.
    pub checkpoints: u64,
    /// Checkpoints in the external log of the data directory (and its mirror, which must be a
    /// part of it).
    pub external_checkpoints: u64,
    /// The newest event an external log vouches for.
    pub external_newest_seq: Option<u64>,
    /// No external log exists: the newest events are protected by the database's checkpoints
    /// alone, which whoever rewrites the database can remove with them.
    pub external_log_absent: bool,
    pub fault: Option<String>,
    /// The sequence number of the first bad event, when the fault is about one.
    pub first_bad_seq: Option<u64>,
    /// Things that are not tampering but weaken the check (a missing log or mirror).
    pub warnings: Vec<String>,
    pub elapsed_ms: u64,
}

/// A fault, with the event it is about.
struct Fault {
    message: String,
    seq: Option<u64>,
}

impl From<ChainFault> for Fault {
    fn from(f: ChainFault) -> Self {
        Self {
            seq: Some(f.seq()),
            message: f.to_string(),
        }
    }
}

impl From<LogFault> for Fault {
    fn from(f: LogFault) -> Self {
        Self {
            seq: f.seq(),
            message: f.to_string(),
        }
    }
}

/// Verifies every event and checkpoint, in the database and in the external logs.
/// `trusted_key` is the platform public key: a checkpoint signed by any other key, or with a
/// bad signature, is a fault. The external logs hold the database to what it had: the chain
/// must reach and match every checkpoint they hold, and the database must still have each of
/// those checkpoints.
pub fn verify(
    conn: &mut Connection,
    check: &dyn SignatureCheck,
    trusted_key: &[u8],
    logs: &CheckpointLogs,
) -> Result<VerifyReport> {
    let store = conn.store();
    let started = std::time::Instant::now();
    let in_database = store.checkpoints()?;
    let mut warnings = Vec::new();
    let mut fault: Option<Fault> = in_database
        .iter()
        .find(|c| {
            c.public_key != trusted_key
                || !check.verify(
                    &c.public_key,
                    &Checkpoint::signed_bytes(c.seq, &c.hash, c.at_ms),
                    &c.signature,
                )
        })
        .map(|c| ChainFault::CheckpointSignature { seq: c.seq }.into());
    let mut outside = External::default();
    if fault.is_none() {
        match read_external(logs, check, trusted_key, &mut warnings)? {
            Ok(read) => outside = read,
            Err(f) => fault = Some(f.into()),
        }
    }
    let mut verified = 0;
    if fault.is_none() {
        let all = merged(&in_database, &outside.checkpoints);
        let mut verifier = ChainVerifier::new(&all);
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
        let chain = match first {
            Some(f) => Err(f),
            None => verifier.finish().map(|_| ()),
        };
        fault = match chain {
            // The chain ends before a checkpoint only the external log still has: say so, and
            // name the first event that is gone.
            Err(ChainFault::Truncated { seq })
                if !in_database.iter().any(|c| c.seq == seq) && verified < seq =>
            {
                Some(Fault {
                    message: format!(
                        "データベースの監査ログはイベント {verified} で終わっていますが、外部チェックポイントログ {} はイベント {seq} までを記録しています: 末尾のイベント（{} 以降）が削除されています / the database's audit log ends at event {verified} but the external checkpoint log {} vouches for events up to {seq}: the newest events (from {} on) were deleted",
                        outside.source, verified + 1, outside.source, verified + 1
                    ),
                    seq: Some(verified + 1),
                })
            }
            Err(f) => Some(f.into()),
            Ok(()) => database_lacks(&in_database, &outside).map(Fault::from),
        };
    }
    if outside.absent {
        warnings.push(
            "外部チェックポイントログがありません: 最新のイベントの削除は、データベースのチェックポイントごと消されると検出できません / no external checkpoint log: deleting the newest events together with the database checkpoints that cover them cannot be detected"
                .to_string(),
        );
    }
    let (message, seq) = fault.map_or((None, None), |f| (Some(f.message), f.seq));
    Ok(VerifyReport {
        events_verified: verified,
        checkpoints: in_database.len() as u64,
        external_checkpoints: outside.checkpoints.len() as u64,
        external_newest_seq: outside.checkpoints.last().map(|c| c.seq),
        external_log_absent: outside.absent,
        fault: message,
        first_bad_seq: seq,
        warnings,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// What the external logs hold.
#[derive(Default)]
struct External {
    checkpoints: Vec<Checkpoint>,
    /// The file named in messages.
    source: String,
    absent: bool,
}

/// Reads the primary log and the mirror; the mirror must be part of the primary.
fn read_external(
    logs: &CheckpointLogs,
    check: &dyn SignatureCheck,
    trusted_key: &[u8],
    warnings: &mut Vec<String>,
) -> Result<std::result::Result<External, LogFault>> {
    let read = |path: &std::path::Path| match external::read_log(path, check, trusted_key) {
        Ok(lines) => Ok(Ok(lines)),
        Err(external::ReadError::Fault(f)) => Ok(Err(f)),
        Err(external::ReadError::Io(e)) => Err(crate::AppError::Io(e)),
    };
    let Some(primary) = &logs.primary else {
        return Ok(Ok(External {
            absent: true,
            ..External::default()
        }));
    };
    let mut out = External {
        source: primary.display().to_string(),
        ..External::default()
    };
    match read(primary)? {
        Err(f) => return Ok(Err(f)),
        Ok(Some(lines)) => out.checkpoints = lines,
        Ok(None) => {
            let dir = primary.parent().filter(|d| d.is_dir());
            if let Some(dir) = dir {
                return Ok(Err(LogFault::Deleted {
                    path: primary.display().to_string(),
                    dir: dir.display().to_string(),
                }));
            }
            out.absent = true;
        }
    }
    if let Some(mirror) = &logs.mirror {
        match read(mirror)? {
            Err(f) => return Ok(Err(f)),
            Ok(None) => warnings.push(format!(
                "チェックポイントのミラー {} がありません / the checkpoint mirror {} does not exist",
                mirror.display(),
                mirror.display()
            )),
            Ok(Some(lines)) => {
                if let Some(missing) = lines.iter().find(|m| !out.checkpoints.contains(m)) {
                    return Ok(Err(LogFault::BehindMirror {
                        primary: primary.display().to_string(),
                        mirror: mirror.display().to_string(),
                        seq: missing.seq,
                    }));
                }
            }
        }
    }
    Ok(Ok(out))
}

/// The database's and the external logs' checkpoints by sequence number. Where both hold one
/// at the same event with different hashes, both go in: the chain can match only one.
fn merged(in_database: &[Checkpoint], outside: &[Checkpoint]) -> Vec<Checkpoint> {
    let mut all: Vec<Checkpoint> = in_database.iter().chain(outside).cloned().collect();
    all.sort_by_key(|c| c.seq);
    all.dedup_by(|a, b| a.seq == b.seq && a.hash == b.hash);
    all
}

/// The first checkpoint of the external logs that the database no longer has.
fn database_lacks(in_database: &[Checkpoint], outside: &External) -> Option<LogFault> {
    outside
        .checkpoints
        .iter()
        .find(|c| {
            in_database
                .binary_search_by_key(&c.seq, |d| d.seq)
                .map_or(true, |i| in_database[i].hash != c.hash)
        })
        .map(|c| LogFault::DatabaseLacks {
            path: outside.source.clone(),
            seq: c.seq,
        })
}
