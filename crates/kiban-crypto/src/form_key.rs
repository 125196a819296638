//! The key that binds HTML form tokens (CSRF protection) to a browser session: a form token is
//! HMAC-SHA256(key, binding) in base64url, where the binding is the session cookie's value (or,
//! before login, a random pre-session cookie). A cross-site page can neither read the cookie
//! nor compute the tag, so it cannot forge a form post ("signed double-submit cookie").
//!
//! The key is random per server process and never stored: a restart only asks a person to
//! reload the form they were filling in.

use std::fmt;

use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::encoding::b64;

/// A secret HMAC key for form tokens. Redacted in `Debug`.
pub struct FormKey(Zeroizing<[u8; 32]>);

impl FormKey {
    /// 32 random bytes, for a secret to store and share ([`FormKey::from_secret`]).
    pub fn random_secret() -> [u8; 32] {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        key
    }

    /// A key from a stored secret (several servers share one, so a form rendered by one is
    /// accepted by another).
    pub fn from_secret(secret: &[u8; 32]) -> Self {
        Self(Zeroizing::new(*secret))
    }

    pub fn random() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    fn mac(&self, binding: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"kiban form token\0");
        mac.update(binding.as_bytes());
        mac
    }

    /// The form token for `binding`.
    pub fn tag(&self, binding: &str) -> String {
        b64(&self.mac(binding).finalize().into_bytes())
    }

    /// Whether `token` is the form token for `binding` (compared in constant time).
    pub fn verify(&self, binding: &str, token: &str) -> bool {
        let expected = self.tag(binding);
        expected.len() == token.len()
            && expected
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl fmt::Debug for FormKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FormKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_only_for_its_binding_and_key() {
        let key = FormKey::random();
        let tag = key.tag("session-a");
        assert!(key.verify("session-a", &tag));
        assert!(!key.verify("session-b", &tag));
        assert!(!key.verify("session-a", ""));
        assert!(!FormKey::random().verify("session-a", &tag));
        assert_eq!(format!("{key:?}"), "FormKey([redacted])");
    }
}
