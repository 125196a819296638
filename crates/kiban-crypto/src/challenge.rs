//! One-time login challenges for the card. The server issues a random nonce with an id and a
//! short expiry; the card signs [`Challenge::message`]; the server takes the challenge out of
//! the store with [`Challenges::consume`] before verifying, so each one can be used once.
//!
//! [`Challenges`] is an in-memory store of the one-use rule for one process (the tests and
//! tools of this crate). kiban's servers keep challenges in the database instead
//! (`kiban_app::citizen::issue_challenge` / `take_challenge`), so that an answer may reach any
//! server of one database and still be taken once.

use std::collections::HashMap;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::encoding::b64;

/// Prefix of every signed message, so a card signature over a challenge can never be taken for
/// a signature over anything else kiban (or anyone) asks a card to sign.
const CONTEXT: &[u8] = b"kiban card login v1\0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("チャレンジが見つかりません / unknown challenge")]
    Unknown,
    #[error("チャレンジの有効期限が切れています / the challenge has expired")]
    Expired,
    #[error("チャレンジは使用済みです（再送攻撃） / the challenge was already used (replay)")]
    Replayed,
    #[error("未使用のチャレンジが多すぎます / too many outstanding challenges")]
    Capacity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// 16 random bytes, base64url: what the client sends back to name the challenge.
    pub id: String,
    #[serde(with = "crate::encoding::b64_serde")]
    pub nonce: Vec<u8>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl Challenge {
    /// A new challenge: 16 random bytes of id, 32 of nonce.
    pub fn random(expires_at: OffsetDateTime) -> Self {
        let mut id = [0u8; 16];
        OsRng.fill_bytes(&mut id);
        let mut nonce = vec![0u8; 32];
        OsRng.fill_bytes(&mut nonce);
        Self {
            id: b64(&id),
            nonce,
            expires_at,
        }
    }

    /// The exact bytes the card signs: context, id, NUL, nonce.
    pub fn message(&self) -> Vec<u8> {
        let mut message = Vec::with_capacity(CONTEXT.len() + self.id.len() + 1 + self.nonce.len());
        message.extend_from_slice(CONTEXT);
        message.extend_from_slice(self.id.as_bytes());
        message.push(0);
        message.extend_from_slice(&self.nonce);
        message
    }
}

/// Outstanding and recently used challenges.
#[derive(Debug)]
pub struct Challenges {
    ttl: Duration,
    capacity: usize,
    pending: HashMap<String, Challenge>,
    /// Used ids until their expiry, so a replay is reported as such rather than as unknown.
    used: HashMap<String, OffsetDateTime>,
}

impl Challenges {
    /// Two minutes: enough to read a card and type a PIN.
    pub const DEFAULT_TTL: Duration = Duration::minutes(2);
    /// Bounds memory when someone requests challenges in a loop without answering them.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    pub fn new(ttl: Duration) -> Self {
        Self::with_capacity(ttl, Self::DEFAULT_CAPACITY)
    }

    pub fn with_capacity(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            pending: HashMap::new(),
            used: HashMap::new(),
        }
    }

    pub fn issue(&mut self, now: OffsetDateTime) -> Result<Challenge, ChallengeError> {
        self.purge(now);
        if self.pending.len() >= self.capacity {
            return Err(ChallengeError::Capacity);
        }
        let challenge = Challenge::random(now + self.ttl);
        self.pending.insert(challenge.id.clone(), challenge.clone());
        Ok(challenge)
    }

    /// Takes the challenge out of the store. Fails if it is unknown, expired or already used;
    /// after this call the same id always fails, whatever the outcome.
    pub fn consume(&mut self, id: &str, now: OffsetDateTime) -> Result<Challenge, ChallengeError> {
        if self.used.contains_key(id) {
            return Err(ChallengeError::Replayed);
        }
        let challenge = self.pending.remove(id).ok_or(ChallengeError::Unknown)?;
        self.used.insert(challenge.id.clone(), challenge.expires_at);
        if now > challenge.expires_at {
            return Err(ChallengeError::Expired);
        }
        Ok(challenge)
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Forgets expired challenges and used ids past their expiry (an id that old is refused
    /// as unknown instead, which is just as final).
    pub fn purge(&mut self, now: OffsetDateTime) {
        self.pending.retain(|_, c| c.expires_at >= now);
        self.used.retain(|_, expires_at| *expires_at >= now);
    }
}

impl Default for Challenges {
    fn default() -> Self {
        Self::new(Self::DEFAULT_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn a_challenge_is_consumed_once() {
        let mut store = Challenges::default();
        let c = store.issue(t0()).unwrap();
        assert_eq!(c.nonce.len(), 32);
        assert_eq!(store.consume(&c.id, t0()).unwrap(), c);
        assert_eq!(store.consume(&c.id, t0()), Err(ChallengeError::Replayed));
        assert_eq!(store.pending(), 0);
    }

    #[test]
    fn unknown_and_expired_challenges_fail() {
        let mut store = Challenges::new(Duration::seconds(60));
        assert_eq!(store.consume("nope", t0()), Err(ChallengeError::Unknown));
        let c = store.issue(t0()).unwrap();
        let late = t0() + Duration::seconds(61);
        assert_eq!(store.consume(&c.id, late), Err(ChallengeError::Expired));
        // Failing once still burns it.
        assert_eq!(store.consume(&c.id, t0()), Err(ChallengeError::Replayed));
    }

    #[test]
    fn challenges_are_distinct_and_capacity_is_bounded() {
        let mut store = Challenges::with_capacity(Duration::seconds(60), 2);
        let a = store.issue(t0()).unwrap();
        let b = store.issue(t0()).unwrap();
        assert_ne!(a.id, b.id);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.message(), b.message());
        assert_eq!(store.issue(t0()), Err(ChallengeError::Capacity));
        // Expired ones are purged on the next issue, freeing room.
        assert!(store.issue(t0() + Duration::seconds(61)).is_ok());
        assert_eq!(store.pending(), 1);
    }
}
