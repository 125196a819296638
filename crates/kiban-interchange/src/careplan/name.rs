//! V4/4.1 file names (facts.md §4 "File naming", Vol.1156 p.9 and p.19) and kiban's names for
//! the 削除 files, which the public pages do not show (docs/interface/careplan-v4.md §File names).
//!
//! | kind | name |
//! |---|---|
//! | 第1表 | `UP1KYO_<連番 9>_<送信元事業所番号 10>_<YYYYMMDDHHMMSS>.CSV` |
//! | 第2表 | `UP2KYO_<連番 9>_<送信元事業所番号 10>_<YYYYMMDDHHMMSS>.CSV` |
//! | 利用者補足情報 | `UPHOSOKU_000000_<送信元 10>_<送信先 10 or 0000000000>_<ts>.CSV` |
//! | 第6表+第7表 | `UPPLAN_<対象年月 YYYYMM>_<送信元 10>_<送信先 10>_<ts>.CSV` |
//! | 実績 | `UPJSK_<YYYYMM>_<送信元 10>_<送信先 10>_<ts>.CSV` |
//! | 第1表_削除 | `UP1KYODEL_<連番 9>_<送信元 10>_<ts>.CSV` |
//! | 第6表_削除 | `UPPLANDEL_<YYYYMM>_<送信元 10>_<送信先 10>_<ts>.CSV` |
//! | 実績_削除 | `UPJSKDEL_<YYYYMM>_<送信元 10>_<送信先 10>_<ts>.CSV` |
//!
//! The prefix is upper case; the extension is read case-insensitively (`.CSV`, `.csv`) and
//! always written `.CSV`.

use kiban_domain::careplan::YearMonth;
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use std::fmt;

/// What a V4 file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum V4Kind {
    /// UP1KYO: 第1表.
    Plan1,
    /// UP2KYO: 第2表.
    Plan2,
    /// UPHOSOKU: 利用者補足情報.
    Supplement,
    /// UPPLAN: 第6表 + 第7表.
    ServiceUse,
    /// UPJSK: 実績.
    Results,
    /// UP1KYODEL: 第1表_削除.
    PlanDeletion,
    /// UPPLANDEL: 第6表_削除.
    ServiceUseDeletion,
    /// UPJSKDEL: 実績_削除.
    ResultsDeletion,
}

impl V4Kind {
    pub const ALL: [V4Kind; 8] = [
        Self::Plan1,
        Self::Plan2,
        Self::Supplement,
        Self::ServiceUse,
        Self::Results,
        Self::PlanDeletion,
        Self::ServiceUseDeletion,
        Self::ResultsDeletion,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Plan1 => "UP1KYO",
            Self::Plan2 => "UP2KYO",
            Self::Supplement => "UPHOSOKU",
            Self::ServiceUse => "UPPLAN",
            Self::Results => "UPJSK",
            Self::PlanDeletion => "UP1KYODEL",
            Self::ServiceUseDeletion => "UPPLANDEL",
            Self::ResultsDeletion => "UPJSKDEL",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Plan1 => "第1表",
            Self::Plan2 => "第2表",
            Self::Supplement => "利用者補足情報",
            Self::ServiceUse => "第6表・第7表",
            Self::Results => "実績",
            Self::PlanDeletion => "第1表_削除",
            Self::ServiceUseDeletion => "第6表_削除",
            Self::ResultsDeletion => "実績_削除",
        }
    }

    /// Whether the name carries a 9-digit 連番 (else a 対象年月 and a 送信先).
    pub fn has_serial(self) -> bool {
        matches!(self, Self::Plan1 | Self::Plan2 | Self::PlanDeletion)
    }
}

/// A parsed V4 file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct V4FileName {
    pub kind: V4Kind,
    /// 連番 (UP1KYO, UP2KYO, UP1KYODEL).
    pub serial: Option<u32>,
    /// 対象年月 (UPPLAN, UPJSK and their 削除); `None` for UPHOSOKU's `000000`.
    pub month: Option<YearMonth>,
    /// 送信元事業所番号.
    pub sender: OfficeNumber,
    /// 送信先事業所番号; `None` for the plan files and for UPHOSOKU's `0000000000`.
    pub receiver: Option<OfficeNumber>,
    /// 作成日時 `YYYYMMDDHHMMSS`.
    pub created: String,
}

/// Why a file name was refused: which part, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ファイル名が規則に合いません（{part}: {reason_ja}）: {name} / file name does not follow the rule ({part_en}: {reason_en}): {name}")]
pub struct FileNameError {
    pub name: String,
    /// The part in Japanese (種別, 連番, 対象年月, 送信元事業所番号, 送信先事業所番号, 作成日時, 拡張子, 区切り).
    pub part: &'static str,
    pub part_en: &'static str,
    pub reason_ja: String,
    pub reason_en: String,
}

/// Parses a V4 file name (the name only, no directory).
pub fn parse_file_name(name: &str) -> Result<V4FileName, FileNameError> {
    let fail = |part: &'static str, part_en: &'static str, ja: &str, en: &str| FileNameError {
        name: name.to_string(),
        part,
        part_en,
        reason_ja: ja.to_string(),
        reason_en: en.to_string(),
    };
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Err(fail(
            "拡張子",
            "extension",
            "拡張子 .CSV がありません",
            "no .CSV extension",
        ));
    };
    if !ext.eq_ignore_ascii_case("csv") {
        return Err(fail(
            "拡張子",
            "extension",
            "拡張子は .CSV です",
            "the extension must be .CSV",
        ));
    }
    let parts: Vec<&str> = stem.split('_').collect();
    let kind = V4Kind::ALL
        .into_iter()
        .find(|k| k.prefix() == parts[0])
        .ok_or_else(|| {
            fail(
                "種別",
                "kind",
                "UP1KYO, UP2KYO, UPHOSOKU, UPPLAN, UPJSK, UP1KYODEL, UPPLANDEL, UPJSKDEL のいずれかです",
                "must be one of UP1KYO, UP2KYO, UPHOSOKU, UPPLAN, UPJSK, UP1KYODEL, UPPLANDEL, UPJSKDEL",
            )
        })?;
    let expected = if kind.has_serial() { 4 } else { 5 };
    if parts.len() != expected {
        let (ja, en) = if kind.has_serial() {
            (
                "「種別_連番_送信元事業所番号_作成日時」の4つです",
                "expected KIND_SERIAL_SENDER_CREATED",
            )
        } else {
            (
                "「種別_対象年月_送信元_送信先_作成日時」の5つです",
                "expected KIND_MONTH_SENDER_RECEIVER_CREATED",
            )
        };
        return Err(fail("区切り", "parts", ja, en));
    }
    let office = |raw: &str, part: &'static str, part_en: &'static str| {
        let ok = raw.len() == 10 && raw.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(OfficeNumber::parse(raw).expect("ten digits"))
        } else {
            Err(fail(part, part_en, "10桁の数字です", "must be 10 digits"))
        }
    };
    let (serial, month, sender, receiver, created);
    if kind.has_serial() {
        let raw = parts[1];
        if raw.len() != 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("連番", "serial", "9桁の数字です", "must be 9 digits"));
        }
        serial = Some(raw.parse::<u32>().expect("nine digits"));
        month = None;
        sender = office(parts[2], "送信元事業所番号", "sender office")?;
        receiver = None;
        created = parts[3];
    } else {
        serial = None;
        month = if kind == V4Kind::Supplement {
            if parts[1] != "000000" {
                return Err(fail(
                    "対象年月",
                    "month",
                    "利用者補足情報では 000000 です",
                    "must be 000000 for UPHOSOKU",
                ));
            }
            None
        } else {
            Some(
                YearMonth::parse(parts[1])
                    .map_err(|_| fail("対象年月", "month", "YYYYMM の6桁です", "must be YYYYMM"))?,
            )
        };
        sender = office(parts[2], "送信元事業所番号", "sender office")?;
        receiver = if kind == V4Kind::Supplement && parts[3] == "0000000000" {
            None
        } else {
            Some(office(parts[3], "送信先事業所番号", "receiver office")?)
        };
        if receiver == Some(sender) {
            return Err(fail(
                "送信先事業所番号",
                "receiver office",
                "送信元と同じ事業所です",
                "is the same office as the sender",
            ));
        }
        created = parts[4];
    }
    if !valid_timestamp(created) {
        return Err(fail(
            "作成日時",
            "created",
            "YYYYMMDDHHMMSS の14桁の実在する日時です",
            "must be an existing date and time YYYYMMDDHHMMSS",
        ));
    }
    Ok(V4FileName {
        kind,
        serial,
        month,
        sender,
        receiver,
        created: created.to_string(),
    })
}

/// `YYYYMMDDHHMMSS` naming an existing day and a time of day.
pub fn valid_timestamp(raw: &str) -> bool {
    raw.len() == 14
        && raw.bytes().all(|b| b.is_ascii_digit())
        && Date::parse_yyyymmdd(&raw[..8]).is_ok()
        && raw[8..10] < *"24"
        && raw[10..12] < *"60"
        && raw[12..14] < *"60"
}

impl fmt::Display for V4FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.kind.prefix();
        if self.kind.has_serial() {
            let serial = self.serial.unwrap_or(0);
            write!(
                f,
                "{prefix}_{serial:09}_{}_{}.CSV",
                self.sender, self.created
            )
        } else {
            let month = self
                .month
                .map_or_else(|| "000000".to_string(), |m| m.yyyymm());
            let to = self
                .receiver
                .map_or_else(|| "0000000000".to_string(), |o| o.to_string());
            write!(
                f,
                "{prefix}_{month}_{}_{to}_{}.CSV",
                self.sender, self.created
            )
        }
    }
}
