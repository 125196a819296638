//! The one way a code table becomes a type.

/// Declares a fieldless enum whose variants travel as stable lowercase codes (the audit log
/// stores them) and print as Japanese labels, keeping variant, code and label on one line.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($table:literal, $english:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in declaration order (the order of the matrix and of the docs).
            pub const ALL: &'static [$name] = &[$(Self::$variant),*];

            /// The stable code stored in audit events and sent over the API.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The Japanese name.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            pub fn from_code(code: &str) -> Result<Self, $crate::codes::CodeError> {
                match code {
                    $($code => Ok(Self::$variant),)*
                    _ => Err($crate::codes::CodeError { table: $table, english: $english, got: code.to_string() }),
                }
            }

            /// Position in [`Self::ALL`]; the matrix is indexed by it.
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::from_code(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use code_enum;
