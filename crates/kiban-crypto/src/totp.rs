//! RFC 6238 TOTP with the parameters every authenticator app supports: HMAC-SHA-1, 6 digits,
//! 30-second steps. [`verify`] returns the matched time step; the caller stores the last
//! accepted step per account and passes it to [`verify_after`] so a code cannot be used twice
//! (RFC 6238 §5.2).

use std::fmt;

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::encoding::constant_time_eq;

pub const DIGITS: u32 = 6;
pub const PERIOD_SECONDS: u64 = 30;
/// 160 bits, the HMAC-SHA-1 block output size recommended by RFC 4226 §4.
pub const SECRET_BYTES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("TOTP シークレットが Base32 ではありません / TOTP secret is not valid base32")]
    InvalidBase32,
    #[error("TOTP シークレットが短すぎます（16 バイト以上） / TOTP secret is too short (at least 16 bytes)")]
    TooShort,
}

/// A shared TOTP secret. Redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    pub fn random() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_BYTES]);
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unpadded upper-case base32, as authenticator apps show it.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.0))
    }

    /// Accepts what a person might type: lower case, spaces, hyphens, trailing `=` padding.
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '='))
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let bytes = BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| TotpError::InvalidBase32)?;
        if bytes.len() < 16 {
            return Err(TotpError::TooShort);
        }
        Ok(Self(Zeroizing::new(bytes)))
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// A fresh random secret (brief alias of [`TotpSecret::random`]).
pub fn random_secret() -> TotpSecret {
    TotpSecret::random()
}

/// The time step containing `unix_time`.
pub fn time_step(unix_time: u64) -> u64 {
    unix_time / PERIOD_SECONDS
}

/// The code for `unix_time`.
pub fn generate(secret: &TotpSecret, unix_time: u64) -> String {
    code_at_step(secret, time_step(unix_time))
}

fn code_at_step(secret: &TotpSecret, step: u64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation, RFC 4226 §5.3.
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// Checks `code` against the steps from `window` before to `window` after the current one
/// (1 tolerates 30 s of clock drift either way). Returns the matched step, which the caller
/// records to refuse the same code again.
pub fn verify(secret: &TotpSecret, code: &str, unix_time: u64, window: u64) -> Option<u64> {
    verify_after(secret, code, unix_time, window, None)
}

/// Like [`verify`], but only accepts steps later than `last_used_step`: a code that has been
/// accepted once (or an older one) is refused.
pub fn verify_after(
    secret: &TotpSecret,
    code: &str,
    unix_time: u64,
    window: u64,
    last_used_step: Option<u64>,
) -> Option<u64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = time_step(unix_time);
    let mut matched = None;
    // Every candidate is computed and compared, so the time taken does not reveal which
    // step (if any) matched.
    for step in now.saturating_sub(window)..=now.saturating_add(window) {
        let fresh = last_used_step.is_none_or(|last| step > last);
        if constant_time_eq(code_at_step(secret, step).as_bytes(), code.as_bytes()) && fresh {
            matched = Some(step);
        }
    }
    matched
}

/// The `otpauth://` URI that authenticator apps read from a QR code.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> Zeroizing<String> {
    let issuer = percent_encode(issuer);
    Zeroizing::new(format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECONDS}",
        account = percent_encode(account),
        secret = secret.to_base32().as_str(),
    ))
}

/// RFC 3986 percent-encoding of everything but unreserved characters (names may be Japanese).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890")
    }

    /// RFC 6238 Appendix B, SHA-1 column; the 8-digit codes reduced to their last 6 digits
    /// (the same truncated value modulo 10^6).
    const VECTORS: [(u64, &str); 6] = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];

    #[test]
    fn rfc_6238_sha1_vectors() {
        for (time, code) in VECTORS {
            assert_eq!(generate(&rfc_secret(), time), code, "T = {time}");
            assert_eq!(verify(&rfc_secret(), code, time, 0), Some(time_step(time)));
        }
    }

    #[test]
    fn window_tolerates_one_step_of_drift_and_no_more() {
        let s = rfc_secret();
        let t = 1_111_111_111;
        let previous = generate(&s, t - 30);
        let next = generate(&s, t + 30);
        let too_old = generate(&s, t - 60);
        assert_eq!(verify(&s, &previous, t, 1), Some(time_step(t) - 1));
        assert_eq!(verify(&s, &next, t, 1), Some(time_step(t) + 1));
        assert_eq!(verify(&s, &previous, t, 0), None);
        assert_eq!(verify(&s, &too_old, t, 1), None);
    }

    #[test]
    fn a_used_step_is_refused_again() {
        let s = rfc_secret();
        let t = 1_234_567_890;
        let code = generate(&s, t);
        let step = verify(&s, &code, t, 1).unwrap();
        assert_eq!(verify_after(&s, &code, t + 10, 1, Some(step)), None);
        let later = generate(&s, t + 30);
        assert_eq!(
            verify_after(&s, &later, t + 30, 1, Some(step)),
            Some(step + 1)
        );
    }

    #[test]
    fn malformed_codes_never_verify() {
        let s = rfc_secret();
        for code in ["", "28708", "2870822", "28708a", "２８７０８２", " 287082"] {
            assert_eq!(verify(&s, code, 59, 1), None, "{code:?}");
        }
    }

    #[test]
    fn base32_round_trip_and_lenient_input() {
        let s = TotpSecret::random();
        assert_eq!(s.as_bytes().len(), SECRET_BYTES);
        let text = s.to_base32();
        assert_eq!(TotpSecret::from_base32(&text).unwrap(), s);
        let typed = text
            .to_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(TotpSecret::from_base32(&typed).unwrap(), s);
        assert_eq!(
            rfc_secret().to_base32().as_str(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(
            TotpSecret::from_base32("!!!!"),
            Err(TotpError::InvalidBase32)
        );
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBV"),
            Err(TotpError::TooShort)
        );
        assert_eq!(format!("{s:?}"), "TotpSecret([redacted])");
    }

    #[test]
    fn otpauth_uri_encodes_names() {
        let uri = otpauth_uri(&rfc_secret(), "kiban", "山田 花子@1370000001");
        assert_eq!(
            uri.as_str(),
            "otpauth://totp/kiban:%E5%B1%B1%E7%94%B0%20%E8%8A%B1%E5%AD%90%401370000001\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=kiban&algorithm=SHA1&digits=6&period=30"
        );
    }
}
