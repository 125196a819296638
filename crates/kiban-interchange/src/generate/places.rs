//! The synthetic municipality: its name, towns with postal codes, street addresses, and the
//! care offices and facilities its residents use.
//!
//! 131011 (東京都千代田区) has a table of its real 町名 with their real 7-digit postal codes
//! (100-/101-/102-xxxx), weighted towards the residential areas (番町, 麹町, 神田, 九段);
//! the 丁目 counts are approximate. Any other insurer gets the prefecture from its first two
//! digits, the name 「保険者{number}市」 and generic 町名 with made-up but well-formed postal
//! codes. Street numbers, buildings, offices and facilities are all invented.

use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::{InsurerNumber, OfficeNumber};
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

#[rustfmt::skip]
const PREFECTURES: [&str; 47] = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
];

/// (町名, 郵便番号, number of 丁目 or 0 for a town without 丁目, residential weight).
#[rustfmt::skip]
const CHIYODA_TOWNS: &[(&str, &str, u8, u32)] = &[
    ("一番町", "1020082", 0, 30), ("二番町", "1020084", 0, 30), ("三番町", "1020075", 0, 30),
    ("四番町", "1020081", 0, 25), ("五番町", "1020076", 0, 15), ("六番町", "1020085", 0, 25),
    ("麹町", "1020083", 6, 40), ("紀尾井町", "1020094", 0, 5), ("平河町", "1020093", 2, 10),
    ("隼町", "1020092", 0, 3), ("永田町", "1000014", 2, 2), ("九段北", "1020073", 4, 30),
    ("九段南", "1020074", 4, 25), ("富士見", "1020071", 2, 35), ("飯田橋", "1020072", 4, 30),
    ("神田駿河台", "1010062", 4, 12), ("神田小川町", "1010052", 3, 10),
    ("神田神保町", "1010051", 3, 20), ("神田須田町", "1010041", 2, 10),
    ("神田淡路町", "1010063", 2, 10), ("神田錦町", "1010054", 3, 10), ("神田司町", "1010048", 2, 5),
    ("神田佐久間町", "1010025", 4, 15), ("神田和泉町", "1010024", 0, 8), ("外神田", "1010021", 6, 20),
    ("東神田", "1010031", 3, 25), ("岩本町", "1010032", 3, 20), ("内神田", "1010047", 3, 12),
    ("西神田", "1010065", 3, 15), ("神田三崎町", "1010061", 3, 15), ("神田猿楽町", "1010064", 2, 12),
    ("一ツ橋", "1010003", 2, 3), ("有楽町", "1000006", 2, 1),
];

#[rustfmt::skip]
const CHIYODA_AREAS: &[&str] =
    &["神田", "麹町", "九段", "番町", "神保町", "富士見", "飯田橋", "岩本町", "和泉", "駿河台"];

/// Generic 町名 for insurers without a table, each with 1–5 丁目.
#[rustfmt::skip]
const GENERIC_TOWNS: &[&str] = &[
    "本町", "栄町", "緑町", "旭町", "幸町", "錦町", "寿町", "中央", "東町", "西町", "南町",
    "北町", "大町", "新町", "元町", "桜町", "松原", "若葉", "青葉台", "富士見", "日吉町", "宮前",
];

const GENERIC_AREAS: &[&str] = &["中央", "東部", "西部", "南部", "北部", "駅前", "本町", "緑"];

/// Words for office, facility and building names.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "さくら", "ひまわり", "あおば", "みどり", "わかば", "ひかり", "やすらぎ", "ふれあい", "なごみ",
    "陽だまり", "松風", "白樺", "若竹", "青空", "朝日", "清風", "寿", "桜花", "菜の花", "すずらん",
    "あじさい", "こもれび", "せせらぎ", "千鳥", "飛鳥", "白鷺", "翠", "泉", "緑風", "つばさ",
];

const KANJI_NUMBERS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Appends `n` in full-width digits, as addresses are printed on cards.
pub(super) fn push_wide_number(out: &mut String, n: u32) {
    for b in n.to_string().bytes() {
        out.push(char::from_u32(0xFF10 + u32::from(b - b'0')).expect("full-width digit"));
    }
}

struct Town {
    name: &'static str,
    postal: String,
    chome: u8,
}

/// A residence: 郵便番号 and the full 住所 as printed on the card.
pub(super) struct Residence {
    pub postal_code: String,
    pub address: String,
}

/// One care-plan office or facility, referred to by index.
pub(super) struct Office {
    pub number: OfficeNumber,
    pub name: String,
}

pub(super) struct Municipality {
    /// 保険者名称 as printed on the card.
    pub insurer_name: String,
    /// 都道府県 + 市区町村, the start of every address.
    address_prefix: String,
    towns: Vec<Town>,
    town_weights: WeightedIndex<u32>,
    /// 居宅介護支援事業所 (事業所番号 種別 7).
    pub care_offices: Vec<Office>,
    /// 地域包括支援センター (介護予防支援, 種別 0).
    pub support_centers: Vec<Office>,
    /// (施設種類, name) of the facilities.
    pub facilities: Vec<(ServiceKind, String)>,
}

impl Municipality {
    /// Builds the municipality and its offices; the number of offices follows the national
    /// ratios of facts.md §8 (about one 居宅介護支援事業所 per 1,100 people aged 65+, one
    /// 地域包括支援センター per 7,000, one 特養 per 4,500, one 老健 per 9,000, one 介護医療院
    /// per 50,000), with at least one of each.
    pub fn new(insurer: InsurerNumber, persons: u64) -> Self {
        let number = insurer.to_string();
        let prefecture = PREFECTURES
            .get(usize::from(insurer.prefecture()).wrapping_sub(1))
            .copied()
            .unwrap_or("");
        let (insurer_name, towns, weights, areas): (String, Vec<Town>, Vec<u32>, &[&str]) =
            if number == "131011" {
                let towns = CHIYODA_TOWNS
                    .iter()
                    .map(|&(name, postal, chome, _)| Town {
                        name,
                        postal: postal.to_string(),
                        chome,
                    })
                    .collect();
                (
                    "千代田区".to_string(),
                    towns,
                    CHIYODA_TOWNS.iter().map(|t| t.3).collect(),
                    CHIYODA_AREAS,
                )
            } else {
                // A postal prefix that looks regional without claiming to be right.
                let prefix = 100 + (number[..5].parse::<u32>().expect("digits") * 7) % 900;
                let towns = GENERIC_TOWNS
                    .iter()
                    .enumerate()
                    .map(|(i, &name)| Town {
                        name,
                        postal: format!("{prefix:03}{:04}", 11 + 10 * i),
                        chome: 1 + (i % 5) as u8,
                    })
                    .collect();
                (
                    format!("保険者{number}市"),
                    towns,
                    vec![10; GENERIC_TOWNS.len()],
                    GENERIC_AREAS,
                )
            };
        let city_code = number[2..5].parse::<u32>().expect("digits") % 100;
        let office_number = |kind: u32, serial: usize| {
            let body = format!(
                "{:02}{kind}{city_code:02}{:04}",
                insurer.prefecture(),
                serial % 10_000
            );
            OfficeNumber::parse(&format!("{body}{}", modulus10(&body))).expect("ten digits")
        };
        let word = |i: usize| WORDS[i % WORDS.len()];
        let area = |i: usize| areas[i % areas.len()];
        let count = |per: u64| (persons / per).max(1) as usize;
        let care_offices = (0..count(1_100))
            .map(|i| {
                let name = match i % 5 {
                    0 => format!("{}居宅介護支援事業所", word(i / 5)),
                    1 => format!("ケアプランセンター{}", word(i / 5 + 7)),
                    2 => format!("{}{}居宅介護支援事業所", area(i / 5), word(i / 5 + 3)),
                    3 => format!("居宅介護支援事業所{}", word(i / 5 + 11)),
                    _ => format!("{}ケアマネジメントセンター", word(i / 5 + 17)),
                };
                Office {
                    number: office_number(7, 1 + i),
                    name,
                }
            })
            .collect();
        let support_centers = (0..count(7_000))
            .map(|i| {
                let name = if i < areas.len() {
                    format!("{}地域包括支援センター", area(i))
                } else {
                    format!("{}{}地域包括支援センター", area(i), word(i))
                };
                Office {
                    number: office_number(0, 1 + i),
                    name,
                }
            })
            .collect();
        let mut facilities = Vec::new();
        for i in 0..count(4_500) {
            let name = match i % 3 {
                0 => format!("特別養護老人ホーム{}苑", word(i + 2)),
                1 => format!("特別養護老人ホーム{}の里", word(i + 5)),
                _ => format!("特別養護老人ホーム{}{}", area(i), word(i + 9)),
            };
            facilities.push((ServiceKind::WelfareFacility, name));
        }
        for i in 0..count(9_000) {
            facilities.push((
                ServiceKind::HealthFacility,
                format!("介護老人保健施設{}", word(i + 13)),
            ));
        }
        for i in 0..count(50_000) {
            facilities.push((
                ServiceKind::MedicalCenter,
                format!("{}{}介護医療院", area(i + 1), word(i + 19)),
            ));
        }
        Self {
            insurer_name: insurer_name.clone(),
            address_prefix: format!("{prefecture}{insurer_name}"),
            towns,
            town_weights: WeightedIndex::new(weights).expect("positive weights"),
            care_offices,
            support_centers,
            facilities,
        }
    }

    /// A random residence: 町名, 丁目 (in kanji), 番 and 号 (full-width), and for about half of
    /// the residents a building and room.
    pub fn residence<R: Rng>(&self, rng: &mut R) -> Residence {
        let town = &self.towns[self.town_weights.sample(rng)];
        let mut address = String::with_capacity(96);
        address.push_str(&self.address_prefix);
        address.push_str(town.name);
        let ban = rng.gen_range(1..=30);
        let go = rng.gen_range(1..=20);
        if town.chome > 0 {
            address.push_str(KANJI_NUMBERS[rng.gen_range(1..=usize::from(town.chome))]);
            address.push_str("丁目");
            push_wide_number(&mut address, ban);
            address.push('番');
            push_wide_number(&mut address, go);
            address.push('号');
        } else {
            push_wide_number(&mut address, ban);
            address.push_str("番地");
            push_wide_number(&mut address, go);
        }
        if rng.gen_bool(0.55) {
            address.push('\u{3000}');
            let w = WORDS[rng.gen_range(0..WORDS.len())];
            let short = &town.name[..town
                .name
                .char_indices()
                .nth(2)
                .map_or(town.name.len(), |(i, _)| i)];
            match rng.gen_range(0..5) {
                0 => address.push_str(&format!("コーポ{w}")),
                1 => address.push_str(&format!("{short}ハイツ")),
                2 => address.push_str(&format!("メゾン{w}")),
                3 => address.push_str(&format!("{short}レジデンス")),
                _ => address.push_str(&format!("{w}マンション")),
            }
            push_wide_number(
                &mut address,
                rng.gen_range(1..=12) * 100 + rng.gen_range(1..=12),
            );
            address.push_str("号室");
        }
        Residence {
            postal_code: town.postal.clone(),
            address,
        }
    }
}

/// The 保険者番号 check-digit rule, reused for synthetic 事業所番号: their real weights are
/// unverified and the importer checks only the shape, so any consistent rule would do.
fn modulus10(body: &str) -> u8 {
    kiban_domain::ids::check_digit(body.as_bytes())
}

/// Every fixed string a generated row can contain, for the repertoire tests.
#[cfg(test)]
pub(super) fn all_words() -> Vec<&'static str> {
    let mut all: Vec<&str> = PREFECTURES.to_vec();
    all.extend(CHIYODA_TOWNS.iter().map(|t| t.0));
    all.extend(CHIYODA_AREAS);
    all.extend(GENERIC_TOWNS);
    all.extend(GENERIC_AREAS);
    all.extend(WORDS);
    all
}
