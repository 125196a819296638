//! Per-source throttling of staff logins, in memory (docs/staff-login.md).
//!
//! A *source* is the client's IP address together with the client certificate it presents
//! (none, or a verified kiban certificate by serial). Every failed login of a source counts
//! against it; after [`FREE_FAILURES`] within [`FORGET_AFTER_MS`] each further attempt must wait
//! [`FIRST_DELAY_MS`], doubling per failure up to [`MAX_DELAY_MS`], and is refused before any
//! credential is looked at (`LOGIN_THROTTLED` with `Retry-After`). Throttling never locks an
//! account and never ends its tokens: that is the stored per-account counter's job, which only
//! counts failures presenting the account's device certificate (`kiban_app::auth`).
//!
//! The certificate is part of the key so that anonymous guessing from an office's shared
//! address (one NAT for the whole building) cannot slow down the office's certified terminals.
//! Kept in memory: a restart forgets it, as it forgets nothing an attacker could not also get
//! by switching address. Bounded to [`CAPACITY`] sources.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use kiban_crypto::Serial;

/// Failures a source may make before it has to wait.
pub const FREE_FAILURES: u32 = 10;
/// The first wait; doubles with each further failure.
pub const FIRST_DELAY_MS: i64 = 1_000;
/// The longest wait.
pub const MAX_DELAY_MS: i64 = 5 * 60 * 1000;
/// A source with no failure for this long starts afresh.
pub const FORGET_AFTER_MS: i64 = 15 * 60 * 1000;
/// Bound on remembered sources; beyond it the forgotten ones go, then the oldest half.
const CAPACITY: usize = 100_000;

/// Who is trying: address and presented certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub ip: Option<IpAddr>,
    pub certificate: Option<Serial>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure_ms: i64,
}

impl Entry {
    fn retry_at_ms(&self) -> Option<i64> {
        let beyond = self.failures.checked_sub(FREE_FAILURES)?;
        let delay = FIRST_DELAY_MS
            .saturating_mul(1_i64 << beyond.min(30))
            .min(MAX_DELAY_MS);
        Some(self.last_failure_ms + delay)
    }
}

impl Source {
    /// The source of a request: the connection's address and verified certificate.
    pub fn of(parts: &axum::http::request::Parts) -> Self {
        Self {
            ip: parts
                .extensions
                .get::<crate::tls::Peer>()
                .map(|peer| peer.0.ip()),
            certificate: crate::extract::client_cert(parts)
                .identity()
                .map(|id| id.serial.clone()),
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

#[derive(Default)]
pub(crate) struct LoginThrottle {
    sources: Mutex<HashMap<Source, Entry>>,
}

impl LoginThrottle {
    /// `Err(retry_at_ms)` when `source` must wait before its next attempt.
    pub fn check(&self, source: &Source, now_ms: i64) -> Result<(), i64> {
        let sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        match sources.get(source) {
            Some(entry) if now_ms - entry.last_failure_ms < FORGET_AFTER_MS => {
                match entry.retry_at_ms() {
                    Some(at) if now_ms < at => Err(at),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt of `source`.
    pub fn failed(&self, source: &Source, now_ms: i64) {
        let mut sources = self.sources.lock().unwrap_or_else(PoisonError::into_inner);
        if sources.len() >= CAPACITY && !sources.contains_key(source) {
            sources.retain(|_, e| now_ms - e.last_failure_ms < FORGET_AFTER_MS);
            if sources.len() >= CAPACITY {
                let mut times: Vec<i64> = sources.values().map(|e| e.last_failure_ms).collect();
                times.sort_unstable();
                let median = times[times.len() / 2];
                sources.retain(|_, e| e.last_failure_ms > median);
            }
        }
        let entry = sources.entry(source.clone()).or_insert(Entry {
            failures: 0,
            last_failure_ms: now_ms,
        });
        if now_ms - entry.last_failure_ms >= FORGET_AFTER_MS {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure_ms = now_ms;
    }

    /// A login succeeded. A certified source starts afresh (its terminal proved itself); an
    /// anonymous one does not, or one account of its own would let it reset its count with each
    /// new TOTP code.
    pub fn succeeded(&self, source: &Source) {
        if source.certificate.is_some() {
            self.sources
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(certificate: Option<&str>) -> Source {
        Source {
            ip: Some("192.0.2.7".parse().unwrap()),
            certificate: certificate.map(|s| Serial::from_hex(s).unwrap()),
        }
    }

    #[test]
    fn a_source_waits_after_its_free_failures_and_the_wait_doubles_up_to_the_cap() {
        let throttle = LoginThrottle::default();
        let anonymous = source(None);
        let t0 = 1_000_000;
        for i in 0..i64::from(FREE_FAILURES) {
            assert_eq!(throttle.check(&anonymous, t0 + i), Ok(()));
            throttle.failed(&anonymous, t0 + i);
        }
        let last = t0 + i64::from(FREE_FAILURES) - 1;
        assert_eq!(
            throttle.check(&anonymous, last + 1),
            Err(last + FIRST_DELAY_MS)
        );
        let t1 = last + FIRST_DELAY_MS;
        assert_eq!(throttle.check(&anonymous, t1), Ok(()));
        throttle.failed(&anonymous, t1);
        assert_eq!(
            throttle.check(&anonymous, t1 + 1),
            Err(t1 + 2 * FIRST_DELAY_MS)
        );
        let mut t = t1;
        for _ in 0..20 {
            t += MAX_DELAY_MS;
            throttle.failed(&anonymous, t);
        }
        assert_eq!(
            throttle.check(&anonymous, t + 1),
            Err(t + MAX_DELAY_MS),
            "capped"
        );
        assert_eq!(
            throttle.check(&anonymous, t + FORGET_AFTER_MS),
            Ok(()),
            "forgotten after a quiet period"
        );
        throttle.failed(&anonymous, t + FORGET_AFTER_MS);
        assert_eq!(throttle.check(&anonymous, t + FORGET_AFTER_MS + 1), Ok(()));
    }

    #[test]
    fn the_certificate_is_part_of_the_source_and_only_certified_successes_reset() {
        let throttle = LoginThrottle::default();
        let (anonymous, certified) = (source(None), source(Some("0a")));
        for i in 0..=i64::from(FREE_FAILURES) {
            throttle.failed(&anonymous, i);
            throttle.failed(&certified, i);
        }
        let now = i64::from(FREE_FAILURES) + 1;
        assert!(throttle.check(&anonymous, now).is_err());
        assert!(throttle.check(&certified, now).is_err());
        assert_eq!(
            throttle.check(&source(Some("0b")), now),
            Ok(()),
            "another terminal at the same address is not slowed down"
        );
        throttle.succeeded(&anonymous);
        throttle.succeeded(&certified);
        assert!(throttle.check(&anonymous, now).is_err());
        assert_eq!(throttle.check(&certified, now), Ok(()));
    }
}
