//! Checkpoints written outside the database.
//!
//! Whoever can rewrite the database can delete the newest events together with the checkpoints
//! that covered them; the chain that is left is consistent. So every checkpoint is also
//! appended, as one signed line, to `<data-dir>/audit/checkpoints.log` and, where configured, to
//! a mirror on another disk or host. `kiban audit verify` reads both back and holds the database
//! to them (see docs/audit-log.md).
//!
//! A line: `v1 <seq> <head hash, hex> <at_ms> <public key, hex> <signature, hex>`, the signature
//! being the same one the database row carries ([`Checkpoint::signed_bytes`]).
//!
//! Write order, so that no crash makes a false alarm: the database row is committed first, then
//! the line is appended to the primary log and fsync'd, then to the mirror. A crash in between
//! leaves the external logs one checkpoint behind the database, which verify accepts; the
//! reverse (a line the database lacks, a mirror line the primary lacks) only tampering makes.

use kiban_domain::audit::{hex, Checkpoint};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::audit::SignatureCheck;

/// The directory under the data directory that holds the primary log. Its presence says the
/// data directory has had a log, so a missing file then is a deletion, not a fresh install.
pub fn audit_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("audit")
}

/// `<data-dir>/audit/checkpoints.log`.
pub fn primary_log_path(data_dir: &Path) -> PathBuf {
    audit_dir(data_dir).join("checkpoints.log")
}

/// Where checkpoints go besides the database.
#[derive(Debug, Clone, Default)]
pub struct CheckpointLogs {
    /// `<data-dir>/audit/checkpoints.log`; `None` only in tests of the database alone.
    pub primary: Option<PathBuf>,
    /// A second append-only file, e.g. on another disk (`--checkpoint-mirror`).
    pub mirror: Option<PathBuf>,
}

impl CheckpointLogs {
    /// The database only: no external protection of the tail.
    pub fn none() -> Self {
        Self::default()
    }

    /// The data directory's log, and the mirror if one is configured.
    pub fn in_data_dir(data_dir: &Path, mirror: Option<PathBuf>) -> Self {
        Self {
            primary: Some(primary_log_path(data_dir)),
            mirror,
        }
    }

    /// Creates the files that do not exist yet (empty), so that from now on a missing file
    /// means a deleted one. `kiban serve` calls this at start.
    pub fn create(&self) -> std::io::Result<()> {
        for path in self.primary.iter().chain(&self.mirror) {
            open_append(path)?;
        }
        Ok(())
    }
}

/// Opens for appending (O_APPEND: every write lands at the end, whatever else has the file
/// open), creating the file and its directory, and syncing the directory when the file is new
/// so that its existence survives a power loss too.
pub(crate) fn open_append(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
        if !path.exists() {
            let file = OpenOptions::new().append(true).create(true).open(path)?;
            File::open(dir)?.sync_all()?;
            return Ok(file);
        }
    }
    OpenOptions::new().append(true).create(true).open(path)
}

/// The line of a checkpoint, newline included.
pub fn line(cp: &Checkpoint) -> String {
    format!(
        "v1 {} {} {} {} {}\n",
        cp.seq,
        hex(&cp.hash),
        cp.at_ms,
        hex(&cp.public_key),
        hex(&cp.signature)
    )
}

/// Appends one line with a single write and waits for it to reach the disk.
pub(crate) fn append(file: &mut File, cp: &Checkpoint) -> std::io::Result<()> {
    file.write_all(line(cp).as_bytes())?;
    file.sync_data()
}

/// What is wrong with an external log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogFault {
    #[error("外部チェックポイントログ {path} の {line} 行目を読めません（{reason}）: 改ざんまたは破損 / external checkpoint log {path}, line {line}: unreadable ({reason}): tampered with or damaged")]
    Malformed {
        path: String,
        line: usize,
        reason: String,
    },
    #[error("外部チェックポイントログ {path} の {line} 行目（イベント {seq}）の署名が不正です / external checkpoint log {path}, line {line}: the checkpoint at event {seq} has an invalid signature")]
    Signature { path: String, line: usize, seq: u64 },
    #[error("外部チェックポイントログ {path} の {line} 行目（イベント {seq}）が前の行（イベント {previous}）より前です: 並べ替えまたは挿入 / external checkpoint log {path}, line {line}: event {seq} comes after event {previous}: lines reordered or inserted")]
    OutOfOrder {
        path: String,
        line: usize,
        seq: u64,
        previous: u64,
    },
    #[error("外部チェックポイントログ {path} にあるイベント {seq} のチェックポイントがデータベースにありません（または異なります）: 削除または書き換え / the database lacks the checkpoint at event {seq} that the external checkpoint log {path} holds (or has another one): deleted or rewritten")]
    DatabaseLacks { path: String, seq: u64 },
    #[error("外部チェックポイントログ {path} がありません（{dir} はあります）: 削除されています / the external checkpoint log {path} is missing although {dir} exists: it was deleted")]
    Deleted { path: String, dir: String },
    #[error("外部チェックポイントログ {primary} にイベント {seq} のチェックポイントがありません（ミラー {mirror} にはあります）: 切り詰めまたは書き換え / the external checkpoint log {primary} lacks the checkpoint at event {seq} that its mirror {mirror} holds: truncated or rewritten")]
    BehindMirror {
        primary: String,
        mirror: String,
        seq: u64,
    },
}

impl LogFault {
    /// The event the fault is about, when there is one.
    pub fn seq(&self) -> Option<u64> {
        match *self {
            Self::Signature { seq, .. }
            | Self::OutOfOrder { seq, .. }
            | Self::BehindMirror { seq, .. }
            | Self::DatabaseLacks { seq, .. } => Some(seq),
            Self::Malformed { .. } | Self::Deleted { .. } => None,
        }
    }
}

/// Reads a log and checks every line: format, signature by `trusted_key`, strictly increasing
/// sequence numbers. `Ok(None)` when the file does not exist.
pub fn read_log(
    path: &Path,
    check: &dyn SignatureCheck,
    trusted_key: &[u8],
) -> Result<Option<Vec<Checkpoint>>, ReadError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Io(e)),
    };
    let name = path.display().to_string();
    let malformed = |line: usize, reason: &str| {
        ReadError::Fault(LogFault::Malformed {
            path: name.clone(),
            line,
            reason: reason.to_string(),
        })
    };
    let text = String::from_utf8(text).map_err(|_| malformed(0, "not UTF-8"))?;
    let mut out: Vec<Checkpoint> = Vec::new();
    let mut rest = text.as_str();
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let Some((content, after)) = rest.split_once('\n') else {
            return Err(malformed(number, "no line end: cut short"));
        };
        rest = after;
        let cp = parse_line(content).map_err(|reason| malformed(number, reason))?;
        if cp.public_key != trusted_key
            || !check.verify(
                &cp.public_key,
                &Checkpoint::signed_bytes(cp.seq, &cp.hash, cp.at_ms),
                &cp.signature,
            )
        {
            return Err(ReadError::Fault(LogFault::Signature {
                path: name,
                line: number,
                seq: cp.seq,
            }));
        }
        if let Some(previous) = out.last().map(|p| p.seq).filter(|&p| p >= cp.seq) {
            return Err(ReadError::Fault(LogFault::OutOfOrder {
                path: name,
                line: number,
                seq: cp.seq,
                previous,
            }));
        }
        out.push(cp);
    }
    Ok(Some(out))
}

/// Reading a log failed: the file could not be read, or what it holds is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Fault(LogFault),
}

fn parse_line(line: &str) -> Result<Checkpoint, &'static str> {
    let fields: Vec<&str> = line.split(' ').collect();
    let [version, seq, hash, at_ms, public_key, signature] = fields[..] else {
        return Err("expected 6 fields");
    };
    if version != "v1" {
        return Err("unknown version");
    }
    let seq: u64 = seq.parse().map_err(|_| "sequence number")?;
    if seq == 0 || seq.to_string() != fields[1] {
        return Err("sequence number");
    }
    let hash = from_hex(hash)
        .and_then(|h| <[u8; 32]>::try_from(h).ok())
        .ok_or("head hash")?;
    let at_ms: i64 = at_ms.parse().map_err(|_| "time")?;
    Ok(Checkpoint {
        seq,
        hash,
        at_ms,
        public_key: from_hex(public_key).ok_or("public key")?,
        signature: from_hex(signature).ok_or("signature")?,
    })
}

/// Lower-case hex only, as written: another spelling of the same bytes is not this log's line.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(text).ok()
}
