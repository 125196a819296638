//! Plain data passed across the [`crate::Store`] API.

use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{LoadMode, RecordBody, RecordKind, Version, VersionKey};
use sha2::{Digest, Sha256};

/// A version ready to append, with its stored JSON and content hash computed once.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub version: Version,
    /// Hex of the first 16 bytes of SHA-256 over 操作区分, 適用開始年月日 and the body JSON;
    /// equal hashes mean the same version was sent again.
    pub content_hash: String,
    pub body_json: String,
}

impl NewVersion {
    pub fn new(version: Version) -> Self {
        let body_json = encode_body(&version.body);
        let mut h = Sha256::new();
        h.update(version.operation.code().as_bytes());
        h.update(version.applies_from.yyyymmdd().as_bytes());
        h.update(body_json.as_bytes());
        let content_hash = hex::encode(&h.finalize()[..16]);
        Self {
            version,
            content_hash,
            body_json,
        }
    }
}

/// The withdrawal of one stored version (操作区分 D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithdrawalKey {
    pub kind: RecordKind,
    pub key: VersionKey,
}

/// What the store knows about one stored version, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionMeta {
    pub insured: InsuredNumber,
    pub history: u16,
    pub content_hash: String,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonHistory {
    pub versions: Vec<Version>,
    pub withdrawn: Vec<u16>,
}

/// One person's histories of every record kind, indexed like `RecordKind::ALL`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonRecords {
    pub histories: [PersonHistory; 5],
}

impl PersonRecords {
    pub fn of(&self, kind: RecordKind) -> &PersonHistory {
        &self.histories[kind_index(kind)]
    }

    pub fn of_mut(&mut self, kind: RecordKind) -> &mut PersonHistory {
        &mut self.histories[kind_index(kind)]
    }
}

fn kind_index(kind: RecordKind) -> usize {
    RecordKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL")
}

/// Whether an import's rows are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ImportStatus {
    Committed,
    Rejected,
}

impl ImportStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Committed => "committed",
            Self::Rejected => "rejected",
        }
    }
    /// The status of a stored code; an unknown code is an error (read as a corrupt value),
    /// never a default.
    pub fn from_code(s: &str) -> Result<Self, kiban_domain::codes::CodeError> {
        match s {
            "committed" => Ok(Self::Committed),
            "rejected" => Ok(Self::Rejected),
            _ => Err(kiban_domain::codes::CodeError {
                table: "取込状態",
                english: "import status",
                got: s.to_string(),
            }),
        }
    }
}

/// One entry of the import log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    pub status: ImportStatus,
    pub kind: RecordKind,
    pub insurer: InsurerNumber,
    pub mode: LoadMode,
    /// The file's encoding as the interchange layer names it ("UTF-8", "Shift_JIS (CP932)";
    /// empty for a version the platform wrote itself).
    pub encoding: String,
    /// RFC 3339 times.
    pub started_at: String,
    pub finished_at: String,
    pub rows_total: i64,
    pub rows_inserted: i64,
    pub rows_unchanged: i64,
    pub rows_withdrawn: i64,
    pub rows_rejected: i64,
    /// The machine-readable report (JSON).
    pub report: String,
}

/// Stored counts for one insurer.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    /// Stored versions per kind, in [`RecordKind::ALL`] order.
    pub versions_by_kind: Vec<(RecordKind, i64)>,
    pub withdrawals: i64,
    pub imports: i64,
}

/// The stored JSON of a body: the kind's own fields only (the kind is a column), with absent
/// optional items left out, so a million cards take the least space.
pub fn encode_body(body: &RecordBody) -> String {
    let json = match body {
        RecordBody::InsuredCard(b) => serde_json::to_string(b),
        RecordBody::CopayCertificate(b) => serde_json::to_string(b),
        RecordBody::ReductionCertificate(b) => serde_json::to_string(b),
        RecordBody::HomeModificationUsage(b) => serde_json::to_string(b),
        RecordBody::EquipmentPurchaseUsage(b) => serde_json::to_string(b),
    };
    json.expect("record bodies serialise")
}

/// Reads a body written by [`encode_body`].
pub fn decode_body(kind: RecordKind, json: &str) -> serde_json::Result<RecordBody> {
    Ok(match kind {
        RecordKind::InsuredCard => RecordBody::InsuredCard(serde_json::from_str(json)?),
        RecordKind::CopayCertificate => RecordBody::CopayCertificate(serde_json::from_str(json)?),
        RecordKind::ReductionCertificate => {
            RecordBody::ReductionCertificate(serde_json::from_str(json)?)
        }
        RecordKind::HomeModificationUsage => {
            RecordBody::HomeModificationUsage(serde_json::from_str(json)?)
        }
        RecordKind::EquipmentPurchaseUsage => {
            RecordBody::EquipmentPurchaseUsage(serde_json::from_str(json)?)
        }
    })
}
