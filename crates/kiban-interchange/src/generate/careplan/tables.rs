//! Fixed tables of the care-plan generator: service kinds and their lines, words for names,
//! 区分支給限度基準額, synthetic 事業所番号 and 法人番号.

use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::ids::{check_digit, InsurerNumber, OfficeNumber};

pub(super) const KINDS: [ServiceKind; 5] = [
    ServiceKind::HomeVisitCare,
    ServiceKind::DayCare,
    ServiceKind::CommunityDayCare,
    ServiceKind::EquipmentRental,
    ServiceKind::HomeVisitNursing,
];

/// (office name suffix, service item, service name, units, start, end, need, goal).
pub(super) type Service = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

pub(super) const SERVICES: [Service; 5] = [
    (
        "ヘルパーステーション",
        "1111",
        "身体介護1",
        244,
        "1000",
        "1030",
        "入浴や排泄に介助が必要",
        "清潔を保ち,安心して暮らす",
    ),
    (
        "デイサービスセンター",
        "1151",
        "通所介護13",
        658,
        "0930",
        "1645",
        "日中独りで過ごすことが多い",
        "人と交流し生活にはりを持つ",
    ),
    (
        "地域デイサービス",
        "1151",
        "地域通所介護13",
        753,
        "0930",
        "1645",
        "外出の機会が少ない",
        "週に数回外出できる",
    ),
    (
        "福祉用具センター",
        "1001",
        "車いす貸与",
        500,
        "",
        "",
        "屋内外の移動が不安定",
        "安全に移動できる",
    ),
    (
        "訪問看護ステーション",
        "1211",
        "訪看I2",
        471,
        "1400",
        "1430",
        "服薬と体調の管理が必要",
        "体調が安定する",
    ),
];

pub(super) const WORDS: [&str; 12] = [
    "あおば",
    "ひかり",
    "みどり",
    "さくら",
    "つばさ",
    "やすらぎ",
    "ひまわり",
    "こもれび",
    "朝日",
    "若竹",
    "清風",
    "松風",
];

/// 区分支給限度基準額 of 要介護1–5 (単位/月).
pub(super) const LIMITS: [(CareLevel, u32); 5] = [
    (CareLevel::Care1, 16_765),
    (CareLevel::Care2, 19_705),
    (CareLevel::Care3, 27_048),
    (CareLevel::Care4, 30_938),
    (CareLevel::Care5, 36_217),
];

pub(super) fn office_number(insurer: InsurerNumber, kind: u32, serial: usize) -> OfficeNumber {
    let city = insurer.to_string()[2..5].parse::<u32>().expect("digits") % 100;
    let body = format!(
        "{:02}{kind}{city:02}{:04}",
        insurer.prefecture(),
        serial % 10_000
    );
    OfficeNumber::parse(&format!("{body}{}", check_digit(body.as_bytes()))).expect("ten digits")
}

/// 法人番号: check digit 9 − (Σ digit × (1 or 2) mod 9) over the 12-digit base, placed first.
pub(super) fn corporate_number(base: u64) -> String {
    let digits = format!("{base:012}");
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(n, b)| u32::from(b - b'0') * if n % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{digits}", 9 - sum % 9)
}
