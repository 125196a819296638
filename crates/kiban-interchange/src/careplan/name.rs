//! File names of the official layout (facts: careplan-v4-official.md §4). With
//! `T` = `<送信元事業所番号 10>_<送信元サービス種類コード 2>_<送信先事業所番号 10>_<送信先サービス種類コード 2>_<YYYYMMDDHHMMSS>`:
//!
//! | kind | name |
//! |---|---|
//! | 利用者補足情報 | `UPHOSOKU_<提供年月, 000000 with 第1表>_T.CSV` |
//! | 第1表, 第2表, 第3表, 第1表_削除 | `UP1KYO_T.CSV`, `UP2KYO_T.CSV`, `UP3KYO_T.CSV`, `DLT1KYO_T.CSV` |
//! | 第6表 予定/実績, 第7表, 削除 | `UPPLAN_<対象年月>_T.CSV`, `UPJSK_…`, `UPSIKYU_…`, `DLTPLAN_…`, `DLTJSK_…` |
//! | 利用者基本情報 and 別表 | `UPKIHON_T.CSV`, `UPKIHON_SUB1_T.CSV`, `UPKIHON_SUB2_T.CSV`, `DLTKIHON_T.CSV` |
//! | 家族構成 画像 | `UPKIHON_IMAGE_T_<枝番 4>.jpg` |
//! | 介護予防サービス・支援計画書 | `UPYOBO_T.CSV`, `UPYOBO_SUB_T.CSV`, `DLTYOBO_T.CSV` |
//!
//! The prefix is upper case; the extension is read case-insensitively and written `.CSV`
//! (`.JPG` for the image, as the layout's example). kiban's earlier names
//! (`UP1KYO_<連番 9>_<送信元>_<日時>.CSV`, `UP1KYODEL_…`) are refused with a message that names the
//! official shape: only kiban wrote them, and it now writes the official one.

use kiban_domain::careplan::YearMonth;
use kiban_domain::codes::ServiceKind;
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use std::fmt;

/// What a file of the official layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum FileKind {
    /// UPHOSOKU 利用者補足情報.
    Supplement,
    /// UP1KYO 居宅サービス計画書(1).
    Plan1,
    /// DLT1KYO 第1表_削除.
    Plan1Deletion,
    /// UP2KYO 居宅サービス計画書(2).
    Plan2,
    /// UP3KYO 週間サービス計画表.
    Plan3,
    /// UPPLAN 第6表 サービス利用票 (予定).
    UsePlan,
    /// UPJSK 第6表 実績.
    UseResults,
    /// DLTPLAN 第6表_削除.
    UsePlanDeletion,
    /// DLTJSK 実績_削除.
    UseResultsDeletion,
    /// UPSIKYU 第7表 サービス利用票別表.
    Limit,
    /// UPKIHON 利用者基本情報.
    BasicInfo,
    /// UPKIHON_IMAGE 家族構成 画像.
    BasicInfoImage,
    /// DLTKIHON 利用者基本情報_削除.
    BasicInfoDeletion,
    /// UPKIHON_SUB1 別表1 １日の生活・すごし方.
    DailySchedule,
    /// UPKIHON_SUB2 別表2 現病歴・既往歴.
    MedicalHistory,
    /// UPYOBO 介護予防サービス・支援計画書.
    PreventionPlan,
    /// DLTYOBO 介護予防サービス・支援計画書_削除.
    PreventionPlanDeletion,
    /// UPYOBO_SUB 介護予防サービス・支援計画書（別表）.
    SupportPlan,
}

impl FileKind {
    /// Every kind; the longer prefixes first, so that a name is matched by its own prefix.
    pub const ALL: [FileKind; 18] = [
        Self::BasicInfoImage,
        Self::DailySchedule,
        Self::MedicalHistory,
        Self::SupportPlan,
        Self::Supplement,
        Self::Plan1,
        Self::Plan1Deletion,
        Self::Plan2,
        Self::Plan3,
        Self::UsePlan,
        Self::UseResults,
        Self::UsePlanDeletion,
        Self::UseResultsDeletion,
        Self::Limit,
        Self::BasicInfo,
        Self::BasicInfoDeletion,
        Self::PreventionPlan,
        Self::PreventionPlanDeletion,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Supplement => "UPHOSOKU",
            Self::Plan1 => "UP1KYO",
            Self::Plan1Deletion => "DLT1KYO",
            Self::Plan2 => "UP2KYO",
            Self::Plan3 => "UP3KYO",
            Self::UsePlan => "UPPLAN",
            Self::UseResults => "UPJSK",
            Self::UsePlanDeletion => "DLTPLAN",
            Self::UseResultsDeletion => "DLTJSK",
            Self::Limit => "UPSIKYU",
            Self::BasicInfo => "UPKIHON",
            Self::BasicInfoImage => "UPKIHON_IMAGE",
            Self::BasicInfoDeletion => "DLTKIHON",
            Self::DailySchedule => "UPKIHON_SUB1",
            Self::MedicalHistory => "UPKIHON_SUB2",
            Self::PreventionPlan => "UPYOBO",
            Self::PreventionPlanDeletion => "DLTYOBO",
            Self::SupportPlan => "UPYOBO_SUB",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Supplement => "利用者補足情報",
            Self::Plan1 => "第1表",
            Self::Plan1Deletion => "第1表_削除",
            Self::Plan2 => "第2表",
            Self::Plan3 => "第3表",
            Self::UsePlan => "第6表（予定）",
            Self::UseResults => "第6表（実績）",
            Self::UsePlanDeletion => "第6表_削除",
            Self::UseResultsDeletion => "実績_削除",
            Self::Limit => "第7表",
            Self::BasicInfo => "利用者基本情報",
            Self::BasicInfoImage => "家族構成 画像",
            Self::BasicInfoDeletion => "利用者基本情報_削除",
            Self::DailySchedule => "利用者基本情報（別表1）",
            Self::MedicalHistory => "利用者基本情報（別表2）",
            Self::PreventionPlan => "介護予防サービス・支援計画書",
            Self::PreventionPlanDeletion => "介護予防サービス・支援計画書_削除",
            Self::SupportPlan => "介護予防サービス・支援計画書（別表）",
        }
    }

    /// The part before `T`: `None` for no part, `Some(true)` for UPHOSOKU's 提供年月 (or
    /// `000000`), `Some(false)` for a 対象年月.
    fn month_part(self) -> Option<bool> {
        match self {
            Self::Supplement => Some(true),
            Self::UsePlan
            | Self::UseResults
            | Self::UsePlanDeletion
            | Self::UseResultsDeletion
            | Self::Limit => Some(false),
            _ => None,
        }
    }

    /// Whether the file is CSV (every kind but the image).
    pub fn is_csv(self) -> bool {
        self != Self::BasicInfoImage
    }
}

/// A parsed file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct FileName {
    pub kind: FileKind,
    /// 対象年月 / 提供年月; `None` without one and for UPHOSOKU's `000000`.
    pub month: Option<YearMonth>,
    /// 送信元事業所番号 and サービス種類コード.
    pub sender: OfficeNumber,
    pub sender_kind: ServiceKind,
    /// 送信先事業所番号 and サービス種類コード.
    pub receiver: OfficeNumber,
    pub receiver_kind: ServiceKind,
    /// 作成日時 `YYYYMMDDHHMMSS`: also the ファイル連番 that ties a transmission unit together.
    pub created: String,
    /// 枝番 of a 家族構成 image (1–9999).
    pub branch: Option<u16>,
}

impl FileName {
    /// The name of the transmission unit's other files: the same `T`.
    pub fn with_kind(&self, kind: FileKind, month: Option<YearMonth>) -> Self {
        Self {
            kind,
            month,
            branch: None,
            ..self.clone()
        }
    }

    /// `T`: the part every file of a transmission unit shares.
    pub fn unit_key(&self) -> String {
        format!(
            "{}_{}_{}_{}_{}",
            self.sender,
            self.sender_kind.code(),
            self.receiver,
            self.receiver_kind.code(),
            self.created
        )
    }
}

/// Why a file name was refused: which part, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ファイル名が規則に合いません（{part}: {reason_ja}）: {name} / file name does not follow the rule ({part_en}: {reason_en}): {name}")]
pub struct FileNameError {
    pub name: String,
    /// The part in Japanese (種別, 対象年月, 送信元事業所番号, 送信元サービス種類コード, …).
    pub part: &'static str,
    pub part_en: &'static str,
    pub reason_ja: String,
    pub reason_en: String,
}

const SHAPE_JA: &str = "「種別[_年月]_送信元事業所番号10桁_送信元サービス種類コード2桁_送信先事業所番号10桁_送信先サービス種類コード2桁_作成日時14桁.CSV」です";
const SHAPE_EN: &str =
    "expected KIND[_YYYYMM]_SENDER10_SENDERKIND2_RECEIVER10_RECEIVERKIND2_YYYYMMDDHHMMSS.CSV";

/// Parses a file name of the official layout (the name only, no directory).
pub fn parse_file_name(name: &str) -> Result<FileName, FileNameError> {
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
    let kind = FileKind::ALL
        .into_iter()
        .find(|k| {
            stem.strip_prefix(k.prefix())
                .is_some_and(|rest| rest.starts_with('_'))
        })
        .ok_or_else(|| {
            let earlier = ["UP1KYODEL_", "UPPLANDEL_", "UPJSKDEL_"]
                .iter()
                .any(|p| stem.starts_with(p));
            if earlier {
                fail(
                    "種別",
                    "kind",
                    "削除ファイルの種別は DLT1KYO, DLTPLAN, DLTJSK です（UP…DEL は kiban の旧形式）",
                    "deletion files are DLT1KYO, DLTPLAN, DLTJSK (UP…DEL was kiban's earlier naming)",
                )
            } else {
                fail(
                    "種別",
                    "kind",
                    "UPHOSOKU, UP1KYO, UP2KYO, UP3KYO, UPPLAN, UPJSK, UPSIKYU, UPKIHON, UPYOBO と各別表・画像、DLT1KYO, DLTPLAN, DLTJSK, DLTKIHON, DLTYOBO のいずれかです",
                    "must be one of UPHOSOKU, UP1KYO, UP2KYO, UP3KYO, UPPLAN, UPJSK, UPSIKYU, UPKIHON, UPYOBO with their SUB/IMAGE files, DLT1KYO, DLTPLAN, DLTJSK, DLTKIHON, DLTYOBO",
                )
            }
        })?;
    let expected_ext = if kind.is_csv() { "csv" } else { "jpg" };
    if !ext.eq_ignore_ascii_case(expected_ext) {
        return Err(if kind.is_csv() {
            fail(
                "拡張子",
                "extension",
                "拡張子は .CSV です",
                "the extension must be .CSV",
            )
        } else {
            fail(
                "拡張子",
                "extension",
                "拡張子は .JPG です",
                "the extension must be .JPG",
            )
        });
    }
    let rest = &stem[kind.prefix().len() + 1..];
    let mut parts: Vec<&str> = rest.split('_').collect();
    let expected = 5 + usize::from(kind.month_part().is_some()) + usize::from(!kind.is_csv());
    if parts.len() != expected {
        // kiban's earlier shape: KIND_<連番 9>_<送信元 10>_<日時 14>.
        let earlier = parts.len() == 3 && parts[0].len() == 9;
        return Err(if earlier {
            fail(
                "区切り",
                "parts",
                &format!("kiban の旧形式（連番付き）のファイル名です。公式の形式は{SHAPE_JA}"),
                &format!("kiban's earlier naming (with a serial); {SHAPE_EN}"),
            )
        } else {
            fail("区切り", "parts", SHAPE_JA, SHAPE_EN)
        });
    }
    let branch = if kind.is_csv() {
        None
    } else {
        let raw = parts.pop().expect("counted");
        let ok = raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) && raw != "0000";
        if !ok {
            return Err(fail(
                "枝番",
                "branch",
                "0001〜9999 の4桁です",
                "must be 4 digits 0001–9999",
            ));
        }
        Some(raw.parse::<u16>().expect("four digits"))
    };
    let month = match kind.month_part() {
        None => None,
        Some(zero_allowed) => {
            let raw = parts.remove(0);
            if zero_allowed && raw == "000000" {
                None
            } else {
                Some(YearMonth::parse(raw).map_err(|_| {
                    if zero_allowed {
                        fail(
                            "提供年月",
                            "month",
                            "YYYYMM の6桁（第1表と送るときは 000000）です",
                            "must be YYYYMM (000000 with 第1表)",
                        )
                    } else {
                        fail("対象年月", "month", "YYYYMM の6桁です", "must be YYYYMM")
                    }
                })?)
            }
        }
    };
    let office = |raw: &str, part: &'static str, part_en: &'static str| {
        OfficeNumber::parse(raw)
            .map_err(|_| fail(part, part_en, "10桁の数字です", "must be 10 digits"))
    };
    let service_kind = |raw: &str, part: &'static str, part_en: &'static str| {
        if raw.len() != 2 {
            return Err(fail(
                part,
                part_en,
                "2桁のサービス種類コードです（第4.1版）",
                "must be a 2-character service kind code (第4.1版)",
            ));
        }
        ServiceKind::from_code(raw).map_err(|_| {
            fail(
                part,
                part_en,
                "サービス種類コード表にないコードです",
                "is not a service kind code",
            )
        })
    };
    let sender = office(parts[0], "送信元事業所番号", "sender office")?;
    let sender_kind = service_kind(parts[1], "送信元サービス種類コード", "sender service kind")?;
    let receiver = office(parts[2], "送信先事業所番号", "receiver office")?;
    let receiver_kind = service_kind(
        parts[3],
        "送信先サービス種類コード",
        "receiver service kind",
    )?;
    if receiver == sender && receiver_kind == sender_kind {
        return Err(fail(
            "送信先事業所番号",
            "receiver office",
            "送信元と同じ事業所・サービス種類です",
            "is the sender's own office and service kind",
        ));
    }
    let created = parts[4];
    if !valid_timestamp(created) {
        return Err(fail(
            "作成日時",
            "created",
            "YYYYMMDDHHMMSS の14桁の実在する日時です",
            "must be an existing date and time YYYYMMDDHHMMSS",
        ));
    }
    Ok(FileName {
        kind,
        month,
        sender,
        sender_kind,
        receiver,
        receiver_kind,
        created: created.to_string(),
        branch,
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

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.prefix())?;
        match self.kind.month_part() {
            None => {}
            Some(_) => match self.month {
                Some(m) => write!(f, "_{}", m.yyyymm())?,
                None => f.write_str("_000000")?,
            },
        }
        write!(f, "_{}", self.unit_key())?;
        match self.branch {
            Some(b) => write!(f, "_{b:04}.JPG"),
            None => f.write_str(".CSV"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layouts_examples_read_and_print_back() {
        for name in [
            "UPHOSOKU_000000_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPHOSOKU_201909_0300000100_43_0300000005_11_20191025200201.CSV",
            "UP1KYO_0300000100_43_0300000005_11_20191025200201.CSV",
            "DLT1KYO_0300000100_43_0300000005_11_20191025200201.CSV",
            "UP2KYO_0300000100_43_0300000005_11_20191025200201.CSV",
            "UP3KYO_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPPLAN_201912_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPJSK_201912_0300000005_43_0300000100_11_20191025200201.CSV",
            "DLTPLAN_201912_0300000100_43_0300000005_11_20191025200201.CSV",
            "DLTJSK_201912_0300000005_43_0300000100_11_20191025200201.CSV",
            "UPSIKYU_201912_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPKIHON_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPKIHON_IMAGE_0300000100_43_0300000005_11_20191025200201_0001.JPG",
            "DLTKIHON_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPKIHON_SUB1_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPKIHON_SUB2_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPYOBO_0300000100_43_0300000005_11_20191025200201.CSV",
            "DLTYOBO_0300000100_43_0300000005_11_20191025200201.CSV",
            "UPYOBO_SUB_0300000100_43_0300000005_11_20191025200201.CSV",
        ] {
            let parsed = parse_file_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed.to_string(), name);
        }
        let sub =
            parse_file_name("UPKIHON_SUB1_0300000100_43_0300000005_11_20191025200201.CSV").unwrap();
        assert_eq!(sub.kind, FileKind::DailySchedule);
        let image =
            parse_file_name("UPKIHON_IMAGE_0300000100_43_0300000005_11_20191025200201_0001.JPG")
                .unwrap();
        assert_eq!(
            (image.kind, image.branch),
            (FileKind::BasicInfoImage, Some(1))
        );
    }

    #[test]
    fn each_wrong_part_is_named() {
        let part = |name: &str| parse_file_name(name).unwrap_err().part;
        assert_eq!(
            part("UP1KYO_000000001_0300000100_20191025200201.CSV"),
            "区切り"
        );
        assert!(
            parse_file_name("UP1KYO_000000001_0300000100_20191025200201.CSV")
                .unwrap_err()
                .reason_ja
                .contains("旧形式")
        );
        assert_eq!(
            part("UP1KYODEL_0300000100_43_0300000005_11_20191025200201.CSV"),
            "種別"
        );
        assert_eq!(
            part("UP1KYO_0300000100_431_0300000005_11_20191025200201.CSV"),
            "送信元サービス種類コード"
        );
        assert_eq!(
            part("UP1KYO_0300000100_43_030000005_11_20191025200201.CSV"),
            "送信先事業所番号"
        );
        assert_eq!(
            part("UPPLAN_201913_0300000100_43_0300000005_11_20191025200201.CSV"),
            "対象年月"
        );
        assert_eq!(
            part("UPPLAN_000000_0300000100_43_0300000005_11_20191025200201.CSV"),
            "対象年月"
        );
        assert_eq!(
            part("UP1KYO_0300000100_43_0300000005_11_20191025250201.CSV"),
            "作成日時"
        );
        assert_eq!(
            part("UP1KYO_0300000100_43_0300000005_11_20191025200201.TXT"),
            "拡張子"
        );
        assert_eq!(
            part("UPKIHON_IMAGE_0300000100_43_0300000005_11_20191025200201_0000.JPG"),
            "枝番"
        );
        assert_eq!(
            part("UP1KYO_0300000100_43_0300000100_43_20191025200201.CSV"),
            "送信先事業所番号"
        );
    }
}
