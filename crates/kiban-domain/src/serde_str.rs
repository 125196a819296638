//! Serde support for value types that travel as their printed code, so stored JSON reads like
//! the interchange files ("131011", "20250401", "21").

/// Implements `Serialize`/`Deserialize` for `$t` through a to-string and a fallible parse.
macro_rules! serde_via_str {
    ($t:ty, $to:expr, $from:expr) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let to: fn(&$t) -> String = $to;
                s.serialize_str(&to(self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                let from: fn(&str) -> Result<$t, String> = $from;
                from(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_via_str!(crate::ids::InsuredNumber, |v| v.to_string(), |s| {
    crate::ids::InsuredNumber::parse(s).map_err(|e| e.to_string())
});
// Stored numbers were validated on the way in, so reading them back must not depend on the
// check-digit policy in force today.
serde_via_str!(crate::ids::InsurerNumber, |v| v.to_string(), |s| {
    crate::ids::InsurerNumber::parse_with(s, crate::ids::CheckDigitPolicy::Warn)
        .map(|p| p.number)
        .map_err(|e| e.to_string())
});
serde_via_str!(crate::ids::OfficeNumber, |v| v.to_string(), |s| {
    crate::ids::OfficeNumber::parse(s).map_err(|e| e.to_string())
});
serde_via_str!(crate::date::Date, |v| v.yyyymmdd(), |s| {
    crate::date::Date::parse_yyyymmdd(s).map_err(|e| e.to_string())
});
serde_via_str!(crate::codes::CareLevel, |v| v.code().to_string(), |s| {
    crate::codes::CareLevel::from_code(s).map_err(|e| e.to_string())
});
serde_via_str!(crate::codes::Sex, |v| v.code().to_string(), |s| {
    crate::codes::Sex::from_code(s).map_err(|e| e.to_string())
});
serde_via_str!(crate::codes::CopayRate, |v| v.code().to_string(), |s| {
    crate::codes::CopayRate::from_code(s).map_err(|e| e.to_string())
});
serde_via_str!(
    crate::codes::CostLimitStage,
    |v| v.code().to_string(),
    |s| { crate::codes::CostLimitStage::from_code(s).map_err(|e| e.to_string()) }
);
serde_via_str!(crate::codes::ServiceKind, |v| v.code().to_string(), |s| {
    crate::codes::ServiceKind::from_code(s).map_err(|e| e.to_string())
});
pub(crate) use serde_via_str;
