//! The file-naming rule: `<種別>_<保険者番号>_<区分>_<作成日時>.<csv|jsonl>`, for example
//! `HIHO_131011_ZENKEN_20261125093000.csv`. The name is part of the contract: the importer
//! refuses a file whose name does not parse, and checks every row against the named 保険者.

use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber};
use kiban_domain::records::RecordKind;
use std::fmt;

/// 全件 (full) or 差分 (differential) load; it names the import log's entries too, so it lives in
/// the domain.
pub use kiban_domain::records::LoadMode;

/// CSV with a header row, or JSON Lines (one object per line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::JsonLines => "jsonl",
        }
    }
}

/// A parsed file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub kind: RecordKind,
    pub insurer: InsurerNumber,
    pub mode: LoadMode,
    /// 作成日時 as `YYYYMMDDHHMMSS`.
    pub created: String,
    pub format: Format,
}

/// Why a file name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ファイル名が規則に合いません（{reason_ja}）: {name} / file name does not follow the rule ({reason_en}): {name}")]
pub struct FileNameError {
    pub name: String,
    pub reason_ja: String,
    pub reason_en: String,
}

impl FileName {
    pub fn parse(name: &str, policy: CheckDigitPolicy) -> Result<Self, FileNameError> {
        let fail = |ja: &str, en: &str| FileNameError {
            name: name.to_string(),
            reason_ja: ja.to_string(),
            reason_en: en.to_string(),
        };
        let (stem, ext) = name
            .rsplit_once('.')
            .ok_or_else(|| fail("拡張子がありません", "no extension"))?;
        let format = match ext.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "jsonl" => Format::JsonLines,
            _ => {
                return Err(fail(
                    "拡張子は csv か jsonl です",
                    "extension must be csv or jsonl",
                ))
            }
        };
        let parts: Vec<&str> = stem.split('_').collect();
        let [kind, insurer, mode, created] = parts[..] else {
            return Err(fail(
                "区切りは「種別_保険者番号_区分_作成日時」です",
                "expected KIND_INSURER_MODE_CREATED",
            ));
        };
        let kind = RecordKind::from_code(kind)
            .ok_or_else(|| fail("種別が不明です", "unknown record kind"))?;
        let insurer = InsurerNumber::parse_with(insurer, policy)
            .map_err(|e| {
                let (ja, en) = crate::issue::split_bilingual(&e.to_string());
                fail(
                    &format!("保険者番号: {ja}"),
                    &format!("bad insurer number: {en}"),
                )
            })?
            .number;
        let mode = LoadMode::from_code(mode).ok_or_else(|| {
            fail(
                "区分は ZENKEN か SABUN です",
                "mode must be ZENKEN or SABUN",
            )
        })?;
        let valid_time = created.len() == 14
            && created.bytes().all(|b| b.is_ascii_digit())
            && Date::parse_yyyymmdd(&created[..8]).is_ok()
            && created[8..10] < *"24"
            && created[10..12] < *"60"
            && created[12..14] < *"60";
        if !valid_time {
            return Err(fail(
                "作成日時は YYYYMMDDHHMMSS です",
                "created must be YYYYMMDDHHMMSS",
            ));
        }
        Ok(Self {
            kind,
            insurer,
            mode,
            created: created.to_string(),
            format,
        })
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_{}_{}_{}.{}",
            self.kind.code(),
            self.insurer,
            self.mode.code(),
            self.created,
            self.format.extension()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let name = "HIHO_131011_ZENKEN_20261125093000.csv";
        let parsed = FileName::parse(name, CheckDigitPolicy::Enforce).unwrap();
        assert_eq!(parsed.kind, RecordKind::InsuredCard);
        assert_eq!(parsed.mode, LoadMode::Full);
        assert_eq!(parsed.to_string(), name);
        let jsonl = FileName::parse(
            "FUTAN_131011_SABUN_20261125093000.jsonl",
            CheckDigitPolicy::Enforce,
        );
        assert_eq!(jsonl.unwrap().format, Format::JsonLines);
    }

    #[test]
    fn bad_names_say_why() {
        for (name, why) in [
            ("HIHO_131011_ZENKEN.csv", "KIND_INSURER_MODE_CREATED"),
            (
                "XXXX_131011_ZENKEN_20261125093000.csv",
                "unknown record kind",
            ),
            (
                "HIHO_131012_ZENKEN_20261125093000.csv",
                "bad insurer number",
            ),
            ("HIHO_131011_ALL_20261125093000.csv", "ZENKEN or SABUN"),
            ("HIHO_131011_ZENKEN_20261325093000.csv", "YYYYMMDDHHMMSS"),
            ("HIHO_131011_ZENKEN_20261125093000.txt", "csv or jsonl"),
        ] {
            let err = FileName::parse(name, CheckDigitPolicy::Enforce).unwrap_err();
            assert!(err.reason_en.contains(why), "{name}: {err}");
        }
    }
}
