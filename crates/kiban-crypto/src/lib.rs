//! kiban's cryptography: everything that proves who is calling, and nothing that decides what
//! they may see (that is the access policy's job).
//!
//! - [`ca`]: kiban's own certificate authority for the client certificates that offices,
//!   medical institutions and municipal/operator staff devices present over mutual TLS, with an X.509 revocation list ([`crl`]).
//! - [`card`] and [`challenge`]: the My Number card stand-in. A card file holds a P-256 key
//!   (sealed under its PIN) and a certificate chained to a configurable trust root; login is a
//!   signature over a one-time server challenge.
//! - [`physician`]: physician certificates (HPKI stand-in) for the signed 主治医意見書: the
//!   card's cryptography under a separate root, with the institution and physician in the subject.
//! - [`totp`]: RFC 6238 one-time codes, the staff second factor.
//! - [`password`]: argon2id password hashes as PHC strings.
//! - [`platform_key`]: the Ed25519 key that signs audit checkpoints.
//! - [`token`]: opaque bearer tokens, kept server-side only as SHA-256 hashes.
//! - [`form_key`]: the HMAC key that binds HTML form tokens (CSRF) to a browser session.
//!
//! Times are [`time::OffsetDateTime`] (re-exported as [`time`]) and always passed in by the
//! caller, so every expiry rule is testable without waiting. Secret-bearing types print as
//! redacted in `Debug` and are wiped from memory on drop where the type owns the bytes.

pub mod ca;
pub mod card;
pub mod challenge;
pub mod crl;
pub mod form_key;
pub mod password;
pub mod physician;
pub mod pki;
pub mod platform_key;
pub mod storage;
pub mod token;
pub mod totp;

mod encoding;

pub use time;

pub use ca::{
    verify_client, CertificateAuthority, ClientIdentity, ClientSubject, IssuedCert, StaffId,
};
pub use card::{
    card_fingerprint, verify_card_login, CardAuthority, CardError, CardFile, CardIdentity, CardKdf,
    CardLink, CardSignature, IssuedCard, Pin, PIN_RETRY_LIMIT,
};
pub use challenge::{Challenge, ChallengeError, Challenges};
pub use crl::{Revocation, RevocationList, RevocationReason, SignedCrl};
/// Unpadded base64url, the encoding of every byte string kiban sends (card.js reads it too).
pub use encoding::b64 as base64url;
pub use form_key::FormKey;
pub use password::{hash_password, verify_password, Argon2Params, PasswordError};
pub use physician::{
    verify_physician_signature, IssuedPhysician, PhysicianAuthority, PhysicianError, PhysicianFile,
    PhysicianId, PhysicianIdentity, PhysicianSignature,
};
pub use pki::{CertError, Fingerprint, Serial, TrustAnchor, Validity};
pub use platform_key::{KeyError, PlatformKey, PlatformPublicKey, PlatformSignature};
pub use storage::StorageError;
pub use token::{hash_token, BearerToken, TokenHash, TokenPair};
pub use totp::{TotpError, TotpSecret};
