//! Byte encodings shared by the modules: unpadded base64url for everything that travels in JSON,
//! URLs or headers, so one alphabet works everywhere without escaping.

use data_encoding::BASE64URL_NOPAD;

pub fn b64(bytes: &[u8]) -> String {
    BASE64URL_NOPAD.encode(bytes)
}

pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    BASE64URL_NOPAD.decode(text.as_bytes()).ok()
}

/// `#[serde(with = "crate::encoding::b64_serde")]` for byte vectors.
pub(crate) mod b64_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::b64_decode(&text).ok_or_else(|| serde::de::Error::custom("invalid base64url"))
    }
}

/// Compares two byte strings in time independent of where they differ, for secrets such as
/// one-time codes (a timing side channel would let an attacker guess digit by digit).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
