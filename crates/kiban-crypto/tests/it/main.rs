//! Integration tests: whole flows through the public API, one binary for the crate.

mod ca;
mod card;
mod card_browser;
mod physician;
mod rustls_compat;

use kiban_crypto::time::OffsetDateTime;

/// A fixed "now" inside the validity of authorities created with the real clock in tests, so
/// expiry arithmetic never depends on when the test runs.
pub fn now() -> OffsetDateTime {
    // Truncated to whole seconds: certificates carry second precision.
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}
