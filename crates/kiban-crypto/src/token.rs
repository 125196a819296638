//! Opaque bearer tokens for staff sessions, with the national API's lifetimes: access 60 min,
//! refresh 8 h. A token is 32 random bytes in base64url (43 characters). The server keeps only
//! its SHA-256 ([`TokenHash`]): a leaked session table grants nothing, and because the token
//! has 256 bits of entropy a plain hash (no salt, no slow KDF) is enough to make it irreversible
//! while keeping lookups a single indexed equality match.

use std::fmt;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::encoding::b64;

pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(60);
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::hours(8);

/// A token as handed to the client. Redacted in `Debug`; shown only by [`BearerToken::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(Zeroizing<String>);

impl BearerToken {
    pub fn random() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(Zeroizing::new(b64(bytes.as_ref())))
    }

    /// Wraps a token received from a client (e.g. an `Authorization: Bearer` header).
    pub fn from_client(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }

    /// The token text, to put in the response body once. Named so that every use stands out.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        hash_token(&self.0)
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

/// What the server stores and looks tokens up by.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix is enough to correlate log lines; the full hash adds nothing.
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

pub fn hash_token(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

/// A fresh access and refresh token with their expiry times.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access: BearerToken,
    pub access_expires_at: OffsetDateTime,
    pub refresh: BearerToken,
    pub refresh_expires_at: OffsetDateTime,
}

impl TokenPair {
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            access: BearerToken::random(),
            access_expires_at: now + ACCESS_TOKEN_LIFETIME,
            refresh: BearerToken::random(),
            refresh_expires_at: now + REFRESH_TOKEN_LIFETIME,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_has_national_lifetimes_and_distinct_tokens() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let pair = TokenPair::new(now);
        assert_eq!(pair.access_expires_at - now, Duration::minutes(60));
        assert_eq!(pair.refresh_expires_at - now, Duration::hours(8));
        assert_ne!(pair.access, pair.refresh);
        assert_eq!(pair.access.expose().len(), 43);
        assert!(pair
            .access
            .expose()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn hash_is_sha256_of_the_text_and_matches_a_received_token() {
        let token = BearerToken::random();
        let received = BearerToken::from_client(token.expose());
        assert_eq!(received.hash(), token.hash());
        assert_ne!(BearerToken::random().hash(), token.hash());
        assert_eq!(
            hash_token("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_output_hides_tokens() {
        let pair = TokenPair::new(OffsetDateTime::UNIX_EPOCH);
        let shown = format!("{pair:?}");
        assert!(!shown.contains(pair.access.expose()));
        assert!(!shown.contains(pair.refresh.expose()));
        assert!(!shown.contains(&pair.access.hash().to_hex()));
    }
}
