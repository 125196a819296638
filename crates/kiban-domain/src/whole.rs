//! Whole numbers however JSON spells them. JSON has one number type: `3` and `3.0` are the same
//! number, JSON Schema's `integer` admits both, and a JavaScript client cannot tell them apart.
//! serde refuses `3.0` for a `u32`; the API's documents take it, `3.5` or `-1` still not.
//!
//! `#[serde(deserialize_with = "kiban_domain::whole::number")]`.

use serde::de::{Deserializer, Error, Unexpected, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A whole number of the field's type, from `3` or `3.0`.
pub fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    d.deserialize_any(Whole(PhantomData))
}

struct Whole<T>(PhantomData<T>);

impl<T: TryFrom<u64>> Whole<T> {
    fn fit<E: Error>(value: u64) -> Result<T, E> {
        T::try_from(value).map_err(|_| {
            E::invalid_value(
                Unexpected::Unsigned(value),
                &"a whole number in the field's range",
            )
        })
    }
}

impl<T: TryFrom<u64>> Visitor<'_> for Whole<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        Self::fit(v)
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        let v = u64::try_from(v).map_err(|_| {
            E::invalid_value(Unexpected::Signed(v), &"a whole number, not negative")
        })?;
        Self::fit(v)
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        // 2^64 is the first float past u64::MAX; every float below it with no fraction is exact.
        if v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v) {
            Self::fit(v as u64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &"a whole number"))
        }
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug)]
    struct Field {
        #[serde(deserialize_with = "super::number")]
        n: u8,
    }

    fn parse(text: &str) -> Result<u8, String> {
        serde_json::from_str::<Field>(&format!("{{\"n\":{text}}}"))
            .map(|f| f.n)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn takes_whole_numbers_in_either_spelling_and_nothing_else() {
        assert_eq!(parse("7"), Ok(7));
        assert_eq!(parse("7.0"), Ok(7));
        assert_eq!(parse("255.0"), Ok(255));
        assert_eq!(parse("0e0"), Ok(0));
        for bad in [
            "7.5", "-1", "-1.0", "256", "256.0", "1e300", "\"7\"", "null", "true",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
