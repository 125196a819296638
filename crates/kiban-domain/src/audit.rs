//! The audit log's tamper evidence: a hash chain over every access event.
//!
//! Each event's hash is SHA-256 over the previous event's hash and the event's canonical
//! encoding (every field length-prefixed, in a fixed order, so no two different events encode
//! alike). Editing an event changes its hash; deleting, inserting or reordering breaks the
//! sequence numbers or the links. Recomputing the whole chain after an edit is caught by the
//! checkpoints: the chain head at a sequence number, signed with the platform key (the
//! signature itself is made and checked outside this pure crate, over
//! [`Checkpoint::signed_bytes`]).

mod verify;

pub use verify::{ChainFault, ChainVerifier};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// Allowed or denied, as decided by the access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "allow" => Some(Self::Allow),
            "deny" => Some(Self::Deny),
            _ => None,
        }
    }
}

/// What happened, without its place in the chain. Codes are the access policy's stable codes;
/// no field ever holds a My Number, a certificate, a password or a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    /// Actor kind code: office_staff, medical_staff, municipal_staff, citizen, operator, system.
    pub actor_kind: String,
    /// The acting account (staff id, `citizen`, …).
    pub actor_id: String,
    /// 事業所番号 or 医療機関コード of the acting office; 保険者番号 for municipal staff.
    pub office: String,
    /// 職種 code of the acting staff member, empty otherwise.
    pub job: String,
    /// 保険者番号 of the person whose data was touched, empty when none.
    pub insurer: String,
    /// 被保険者番号 of that person, empty when none.
    pub insured: String,
    /// 情報区分 code.
    pub category: String,
    /// read, write, export …
    pub action: String,
    /// 利用目的 code.
    pub purpose: String,
    pub decision: Decision,
    /// The policy's reason code for the decision.
    pub reason: String,
}

impl AuditEntry {
    /// The canonical encoding: each field as `<byte length>:<bytes>;` in declaration order.
    pub fn canonical(&self, seq: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        let seq = seq.to_string();
        let at = self.at_ms.to_string();
        for field in [
            seq.as_str(),
            at.as_str(),
            &self.actor_kind,
            &self.actor_id,
            &self.office,
            &self.job,
            &self.insurer,
            &self.insured,
            &self.category,
            &self.action,
            &self.purpose,
            self.decision.code(),
            &self.reason,
        ] {
            out.extend_from_slice(field.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(field.as_bytes());
            out.push(b';');
        }
        out
    }

    /// This entry's hash at position `seq` after `prev`.
    pub fn chain_hash(&self, seq: u64, prev: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(prev);
        h.update(self.canonical(seq));
        h.finalize().into()
    }

    /// Seals the entry as event `seq` after `prev`.
    pub fn seal(self, seq: u64, prev: [u8; 32]) -> AuditEvent {
        let hash = self.chain_hash(seq, &prev);
        AuditEvent {
            seq,
            entry: self,
            prev_hash: prev,
            hash,
        }
    }
}

/// An event in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// 1-based position in the chain.
    pub seq: u64,
    pub entry: AuditEntry,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// A signed statement that the chain had `hash` at `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: [u8; 32],
    pub at_ms: i64,
    /// The platform public key that signed it (32 bytes, Ed25519).
    pub public_key: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Checkpoint {
    /// The exact bytes the platform key signs.
    pub fn signed_bytes(seq: u64, hash: &[u8; 32], at_ms: i64) -> Vec<u8> {
        format!("kiban-audit-checkpoint/v1|{seq}|{}|{at_ms}", hex(hash)).into_bytes()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
