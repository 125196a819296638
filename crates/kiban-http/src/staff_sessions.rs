//! Staff access tokens checked against the store, remembered for a few seconds.
//!
//! Every staff request presents its bearer token. Checking it means three lookups (session,
//! account, office) and a hop to a blocking thread: more than the policy decision and the
//! audit append of a 資格確認 read together. So the answer is remembered for [`FRESH_MS`],
//! keyed by the token's SHA-256 (the token itself is never kept).
//!
//! What this server does itself takes effect at once: logout forgets the token; a refresh and
//! a login failure that locks the account forget the account's tokens. A revoked client
//! certificate ends the tokens issued over it at once too: the caller compares the remembered
//! [`StaffIdentity::client_serial`] with the revocation list on every request. The token's own
//! expiry is always checked exactly, and only successes are remembered, so an unknown token
//! always reaches the store.
//!
//! What another process does to the store (an account deactivated or an office closed from
//! the command line) takes effect within [`FRESH_MS`] on SQLite, where a database file has one
//! server. On PostgreSQL, where several servers share the database, nothing is remembered: a
//! logout through one server must be refused at the next request to any other, and no
//! announcement between servers can overtake that request (`kiban_app::cluster`).
//!
//! Consents, serving relationships and every other input of the access policy are never
//! cached: a revoked consent is refused on the very next request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use kiban_app::auth::StaffIdentity;
use kiban_app::Connection;
use kiban_crypto::TokenHash;

use crate::error::ApiError;

/// How long a checked token is trusted without asking the store again.
pub const FRESH_MS: i64 = 5_000;

/// Bound on remembered tokens; beyond it stale entries go, then all of them.
const CAPACITY: usize = 100_000;

struct Entry {
    identity: StaffIdentity,
    checked_ms: i64,
}

pub(crate) struct StaffSessions {
    entries: Mutex<HashMap<TokenHash, Entry>>,
    /// Off when other processes serve the same database (PostgreSQL).
    remembering: bool,
    /// Counts what was forgotten: a check that a forget may have overtaken is not remembered
    /// ([`StaffSessions::remember`]).
    generation: AtomicU64,
}

impl StaffSessions {
    /// `remembering`: whether checked tokens are kept for [`FRESH_MS`] (one server per
    /// database: SQLite).
    pub fn new(remembering: bool) -> Self {
        Self {
            entries: Mutex::default(),
            remembering,
            generation: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<TokenHash, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, token: &TokenHash, now_ms: i64) -> Option<StaffIdentity> {
        if !self.remembering {
            return None;
        }
        let entries = self.lock();
        let entry = entries.get(token)?;
        let fresh = now_ms < entry.checked_ms + FRESH_MS && now_ms >= entry.checked_ms;
        (fresh && now_ms < entry.identity.access_expires_ms()).then(|| entry.identity.clone())
    }

    /// The count of forgets so far; [`StaffSessions::remember`] takes the count from before
    /// the store was asked.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers a check made when [`StaffSessions::generation`] was `generation`; a check
    /// that a logout or lockout since may have overtaken is not remembered.
    pub fn remember(
        &self,
        token: TokenHash,
        identity: StaffIdentity,
        now_ms: i64,
        generation: u64,
    ) {
        let mut entries = self.lock();
        if !self.remembering || self.generation() != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| now_ms < e.checked_ms + FRESH_MS);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            token,
            Entry {
                identity,
                checked_ms: now_ms,
            },
        );
    }

    pub fn forget(&self, token: &TokenHash) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.remove(token);
    }

    /// Logs the token's session out in the store and forgets the remembered check, so the
    /// token stops working on this server at once.
    pub fn log_out(&self, conn: &mut Connection, token: &str) -> Result<(), ApiError> {
        kiban_app::auth::logout(conn, token)?;
        self.forget(&kiban_crypto::hash_token(token));
        Ok(())
    }

    pub fn forget_account(&self, staff_id: &str) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, e| e.identity.staff_id() != staff_id);
    }
}

/// Checks a token against the store: the session, its account, and the account's office
/// (`kiban_app::auth::staff_identity`).
pub(crate) fn load(
    conn: &mut Connection,
    token: &str,
    now_ms: i64,
) -> Result<Option<StaffIdentity>, ApiError> {
    Ok(kiban_app::auth::staff_identity(conn, token, now_ms)?)
}
