//! The records of the official ケアプランデータ連携標準仕様 CSV layout (別紙 CSVファイルレイアウト定義書,
//! 第4.1版; facts: `../shared/domain/careplan-v4-official.md`), one Rust type per file kind,
//! field by field in the layout's order.
//!
//! Each record type is declared once with [`record!`]: the struct, the layout (No., 日本語名称,
//! 項目長, 必須) and the field-by-field reading and writing come from the same lines, so they
//! cannot drift apart. Fields No.1–3 (CSVバージョン, 保険者番号, 被保険者番号) are common to every
//! kind and read by the caller ([`Common`]); a record holds No.4 onwards.
//!
//! Reading is exact: every value is checked against its 項目長 and 書式 and the written text
//! comes back byte for byte (numbers keep their digits, codes are matched exactly), so a file
//! read and written again is the same file. Free text (フリーテキスト, "F") is any MS932 text,
//! quoted by the writer; the CSV layer is the interchange crate's.

mod codes;
mod records;
mod values;

pub use codes::*;
pub use records::*;
pub use values::*;

use crate::ids::{InsuredNumber, InsurerNumber};

/// One field of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The layout's No. (1-based, as printed).
    pub no: usize,
    /// 日本語名称.
    pub name: &'static str,
    /// 項目長: the maximum length in characters; `None` where the layout prints "―".
    pub len: Option<usize>,
    /// 必須 (○).
    pub required: bool,
    /// フリーテキスト: written in quotes.
    pub free_text: bool,
}

/// Why one field's text was refused, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: &'static str,
    pub ja: String,
    pub en: String,
}

impl FieldError {
    pub fn new(code: &'static str, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            ja: ja.into(),
            en: en.into(),
        }
    }
}

/// A field's problem with its place in the record (0-based index into the record's fields,
/// i.e. No. − 1 of the whole line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub index: usize,
    pub error: FieldError,
}

/// A value type that a field of the layout holds: parsed from the field's text and written
/// back as the same text.
pub trait Field: Sized {
    /// Written in quotes (フリーテキスト).
    const FREE_TEXT: bool = false;
    /// `len` is the field's 項目長 (`None` for "―").
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError>;
    fn write(&self, out: &mut String);
    /// The field's text.
    fn format(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
    /// Whether an empty text means "no value" for this type (only `Option` says yes).
    fn is_absent(&self) -> bool {
        false
    }
}

impl<T: Field> Field for Option<T> {
    const FREE_TEXT: bool = T::FREE_TEXT;
    fn parse(text: &str, len: Option<usize>) -> Result<Self, FieldError> {
        if text.is_empty() {
            Ok(None)
        } else {
            T::parse(text, len).map(Some)
        }
    }
    fn write(&self, out: &mut String) {
        if let Some(v) = self {
            v.write(out);
        }
    }
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

/// フリーテキスト: any text (its characters are the CSV layer's to check).
impl Field for String {
    const FREE_TEXT: bool = true;
    fn parse(text: &str, _len: Option<usize>) -> Result<Self, FieldError> {
        Ok(text.to_string())
    }
    fn write(&self, out: &mut String) {
        out.push_str(self);
    }
}

/// A record of one file kind: the fields from No.4 on.
pub trait Record: Sized {
    /// The whole layout, No.1–3 included.
    const LAYOUT: &'static [FieldSpec];
    /// Parses a whole line's fields (`fields[0]` is No.1; No.1–3 are skipped, see [`Common`]);
    /// every problem is pushed with its index in the line. A missing field reads as empty.
    /// `None` when any field failed.
    fn parse_fields(fields: &[&str], problems: &mut Vec<FieldProblem>) -> Option<Self>;
    /// The texts of No.4 onwards.
    fn format_fields(&self) -> Vec<String>;
    /// The texts of No.4 onwards, each written into `buf` (cleared first) and passed to `each`:
    /// no allocation per field, for the writers of a month.
    fn each_field(&self, buf: &mut String, each: &mut dyn FnMut(&str));
}

/// The fields every kind begins with (No.1–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Common {
    pub version: CsvVersion,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
}

/// The specs of No.1–3, shared by every layout.
pub const COMMON_LAYOUT: [FieldSpec; 3] = [
    FieldSpec {
        no: 1,
        name: "CSVバージョン",
        len: Some(6),
        required: true,
        free_text: false,
    },
    FieldSpec {
        no: 2,
        name: "保険者番号",
        len: Some(6),
        required: true,
        free_text: false,
    },
    FieldSpec {
        no: 3,
        name: "被保険者番号",
        len: Some(10),
        required: true,
        free_text: false,
    },
];

impl Common {
    /// Parses No.1–3; problems carry indices 0–2.
    pub fn parse_fields(fields: &[&str], problems: &mut Vec<FieldProblem>) -> Option<Self> {
        let text = |i: usize| fields.get(i).copied().unwrap_or("");
        let version = parse_one::<CsvVersion>(text(0), 0, &COMMON_LAYOUT[0], problems);
        let insurer = parse_one::<V4Insurer>(text(1), 1, &COMMON_LAYOUT[1], problems);
        let insured = parse_one::<V4Insured>(text(2), 2, &COMMON_LAYOUT[2], problems);
        Some(Self {
            version: version?,
            insurer: insurer?.0,
            insured: insured?.0,
        })
    }

    pub fn format_fields(&self) -> [String; 3] {
        [
            self.version.format(),
            V4Insurer(self.insurer).format(),
            V4Insured(self.insured).format(),
        ]
    }
}

/// Parses `text`, the field at `index` of its line, against `spec`, pushing a problem on
/// failure. A required field that is empty is refused before its type is asked.
pub fn parse_one<T: Field>(
    text: &str,
    index: usize,
    spec: &FieldSpec,
    problems: &mut Vec<FieldProblem>,
) -> Option<T> {
    let result = if text.is_empty() && spec.required {
        Err(FieldError::new(
            "V4_REQUIRED",
            format!("必須項目「{}」が空です", spec.name),
            format!("required field No.{} is empty", spec.no),
        ))
    } else {
        T::parse(text, spec.len)
    };
    match result {
        Ok(v) => Some(v),
        Err(error) => {
            problems.push(FieldProblem { index, error });
            None
        }
    }
}

/// Declares one record type of the layout: its struct (fields No.4 on, in order) and its
/// [`Record`] implementation. Each line: `No. field: Type = "日本語名称", 項目長, 必須;` with
/// 項目長 `None` for "―" and 必須 `true`/`false`.
macro_rules! record {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$fmeta:meta])* $no:literal $field:ident : $ty:ty = $ja:literal, $len:expr, $req:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $($(#[$fmeta])* #[doc = concat!("No.", $no, " ", $ja)] pub $field: $ty,)*
        }

        impl $crate::careplan::official::Record for $name {
            const LAYOUT: &'static [$crate::careplan::official::FieldSpec] = &[
                $crate::careplan::official::COMMON_LAYOUT[0],
                $crate::careplan::official::COMMON_LAYOUT[1],
                $crate::careplan::official::COMMON_LAYOUT[2],
                $($crate::careplan::official::FieldSpec {
                    no: $no,
                    name: $ja,
                    len: $len,
                    required: $req,
                    free_text: <$ty as $crate::careplan::official::Field>::FREE_TEXT,
                },)*
            ];

            fn parse_fields(
                fields: &[&str],
                problems: &mut Vec<$crate::careplan::official::FieldProblem>,
            ) -> Option<Self> {
                let mut at = 3usize;
                $(
                    let $field = {
                        let spec = &Self::LAYOUT[at];
                        debug_assert_eq!(spec.no, $no, "layout numbering");
                        let text = fields.get(at).copied().unwrap_or("");
                        let value = $crate::careplan::official::parse_one::<$ty>(
                            text, at, spec, problems,
                        );
                        at += 1;
                        value
                    };
                )*
                let _ = at;
                Some(Self { $($field: $field?,)* })
            }

            fn format_fields(&self) -> Vec<String> {
                vec![$($crate::careplan::official::Field::format(&self.$field),)*]
            }

            fn each_field(&self, buf: &mut String, each: &mut dyn FnMut(&str)) {
                $(
                    buf.clear();
                    $crate::careplan::official::Field::write(&self.$field, buf);
                    each(buf);
                )*
            }
        }
    };
}
pub(crate) use record;

/// Serde for a record as the texts of its fields No.4 onwards (a JSON array of strings), for
/// `#[serde(with = "as_fields")]`: the compact form kiban stores documents in. A 第6表 row named
/// field by field is three times its CSV line; as its texts it is about the line. Reading parses
/// every text again through the layout, so a stored body is as checked as a file.
pub mod as_fields {
    use super::{FieldProblem, Record};
    use serde::de::Error as _;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<R: Record, S: Serializer>(record: &R, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Texts(record), s)
    }

    /// A record as the sequence of its texts, written without a string per field.
    pub(super) struct Texts<'a, R>(pub &'a R);

    impl<R: Record> serde::Serialize for Texts<'_, R> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(R::LAYOUT.len() - 3))?;
            let mut failed = None;
            let mut buf = String::new();
            self.0.each_field(&mut buf, &mut |text| {
                if failed.is_none() {
                    failed = seq.serialize_element(text).err();
                }
            });
            match failed {
                Some(e) => Err(e),
                None => seq.end(),
            }
        }
    }

    pub fn deserialize<'de, R: Record, D: Deserializer<'de>>(d: D) -> Result<R, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        parse(&texts).map_err(D::Error::custom)
    }

    fn parse<R: Record>(texts: &[String]) -> Result<R, String> {
        let expected = R::LAYOUT.len() - 3;
        if texts.len() != expected {
            return Err(format!(
                "a stored record has {} fields, its layout {expected}",
                texts.len()
            ));
        }
        // No.1–3 are the file's and the person's, held once by the document.
        let fields: Vec<&str> = ["", "", ""]
            .into_iter()
            .chain(texts.iter().map(String::as_str))
            .collect();
        let mut problems: Vec<FieldProblem> = Vec::new();
        R::parse_fields(&fields, &mut problems).ok_or_else(|| match problems.first() {
            Some(p) => format!("stored field No.{}: {}", p.index + 1, p.error.en),
            None => "a stored record does not parse".to_string(),
        })
    }

    /// The same for a list of records.
    pub mod vec {
        use super::super::Record;
        use serde::de::Error as _;
        use serde::ser::SerializeSeq;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<R: Record, S: Serializer>(records: &[R], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(records.len()))?;
            for r in records {
                seq.serialize_element(&super::Texts(r))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, R: Record, D: Deserializer<'de>>(d: D) -> Result<Vec<R>, D::Error> {
            let rows: Vec<Vec<String>> = Vec::deserialize(d)?;
            rows.iter()
                .map(|texts| super::parse(texts).map_err(D::Error::custom))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests;
