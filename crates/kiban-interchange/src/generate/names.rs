//! Synthetic Japanese names: family names and given names with their フリガナ.
//!
//! The tables are common names chosen for plausibility, not taken from any register; a
//! generated person is a random pairing and describes no one. Family names are ordered by how
//! common they are (roughly the well-known national frequency ranking) and drawn with a
//! Zipf-like weight. A few 異体字 spellings stay inside JIS X 0213 but outside JIS X 0208
//! (﨑 U+FA11, 德, 濵, 栁, 桒, 瀨, 寬): they are what municipal systems still print, they
//! are encodable in CP932 (IBM extensions), and they exercise the importer's character check.
//! 髙 (U+9AD9) is deliberately absent: it is CP932-only and outside JIS X 0213, so the importer
//! refuses it (`text::check_jis_x0213`).
//!
//! Given names come in two cohorts, because names of people born before about 1945 (ハル,
//! 清, 〇子 …) differ visibly from those born after the war.

use kiban_domain::codes::Sex;
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

/// (氏, フリガナ) in rough order of frequency.
#[rustfmt::skip]
pub(super) const FAMILY: &[(&str, &str)] = &[
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("斉藤", "サイトウ"), ("福田", "フクダ"), ("太田", "オオタ"), ("西村", "ニシムラ"),
    ("藤井", "フジイ"), ("金子", "カネコ"), ("岡本", "オカモト"), ("藤原", "フジワラ"),
    ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"),
    ("松田", "マツダ"), ("竹内", "タケウチ"), ("小野", "オノ"), ("田村", "タムラ"),
    ("中山", "ナカヤマ"), ("和田", "ワダ"), ("石田", "イシダ"), ("森田", "モリタ"),
    ("上田", "ウエダ"), ("原", "ハラ"), ("内田", "ウチダ"), ("柴田", "シバタ"),
    ("酒井", "サカイ"), ("宮崎", "ミヤザキ"), ("横山", "ヨコヤマ"), ("高木", "タカギ"),
    ("安藤", "アンドウ"), ("宮本", "ミヤモト"), ("大野", "オオノ"), ("小島", "コジマ"),
    ("谷口", "タニグチ"), ("今井", "イマイ"), ("工藤", "クドウ"), ("高田", "タカダ"),
    ("増田", "マスダ"), ("丸山", "マルヤマ"), ("杉山", "スギヤマ"), ("村田", "ムラタ"),
    ("大塚", "オオツカ"), ("新井", "アライ"), ("小山", "コヤマ"), ("平野", "ヒラノ"),
    ("藤本", "フジモト"), ("河野", "コウノ"), ("上野", "ウエノ"), ("野口", "ノグチ"),
    ("武田", "タケダ"), ("松井", "マツイ"), ("千葉", "チバ"), ("岩崎", "イワサキ"),
    ("菅原", "スガワラ"), ("木下", "キノシタ"), ("久保", "クボ"), ("佐野", "サノ"),
    ("野村", "ノムラ"), ("松尾", "マツオ"), ("市川", "イチカワ"), ("菊地", "キクチ"),
    ("杉本", "スギモト"), ("古川", "フルカワ"), ("大西", "オオニシ"), ("島田", "シマダ"),
    ("水野", "ミズノ"), ("桜井", "サクライ"), ("高野", "タカノ"), ("渡部", "ワタナベ"),
    ("吉川", "ヨシカワ"), ("山内", "ヤマウチ"), ("西田", "ニシダ"), ("飯田", "イイダ"),
    ("服部", "ハットリ"), ("荒木", "アラキ"), ("大久保", "オオクボ"), ("小松", "コマツ"),
    // 異体字 spellings, rare on purpose.
    ("齋藤", "サイトウ"), ("渡邉", "ワタナベ"), ("渡邊", "ワタナベ"), ("山﨑", "ヤマザキ"),
    ("宮﨑", "ミヤザキ"), ("德永", "トクナガ"), ("濵田", "ハマダ"), ("栁田", "ヤナギダ"),
    ("桒原", "クワバラ"), ("廣瀨", "ヒロセ"), ("澤田", "サワダ"), ("嶋田", "シマダ"),
];

/// Men born before about 1945.
#[rustfmt::skip]
const MALE_OLDER: &[(&str, &str)] = &[
    ("清", "キヨシ"), ("茂", "シゲル"), ("実", "ミノル"), ("進", "ススム"), ("勇", "イサム"),
    ("正", "タダシ"), ("武", "タケシ"), ("博", "ヒロシ"), ("勝", "マサル"), ("弘", "ヒロシ"),
    ("三郎", "サブロウ"), ("正雄", "マサオ"), ("正夫", "マサオ"), ("一郎", "イチロウ"),
    ("次郎", "ジロウ"), ("義雄", "ヨシオ"), ("武雄", "タケオ"), ("秀夫", "ヒデオ"),
    ("幸雄", "ユキオ"), ("昭", "アキラ"), ("稔", "ミノル"), ("豊", "ユタカ"), ("保", "タモツ"),
    ("勉", "ツトム"), ("忠", "タダシ"), ("昇", "ノボル"), ("功", "イサオ"), ("勲", "イサオ"),
    ("久雄", "ヒサオ"), ("文雄", "フミオ"), ("春雄", "ハルオ"), ("重雄", "シゲオ"),
    ("貞夫", "サダオ"), ("光男", "ミツオ"), ("正男", "マサオ"), ("義男", "ヨシオ"),
    ("喜一", "キイチ"), ("栄一", "エイイチ"), ("正一", "ショウイチ"), ("寅雄", "トラオ"),
    ("辰夫", "タツオ"), ("政雄", "マサオ"), ("英雄", "ヒデオ"), ("昭二", "ショウジ"),
    ("利雄", "トシオ"), ("庄一", "ショウイチ"), ("德次", "トクジ"), ("壽夫", "ヒサオ"),
    ("彌太郎", "ヤタロウ"), ("金吾", "キンゴ"),
];

/// Men born after about 1945 (also the 第2号被保険者).
#[rustfmt::skip]
const MALE_YOUNGER: &[(&str, &str)] = &[
    ("博", "ヒロシ"), ("誠", "マコト"), ("隆", "タカシ"), ("修", "オサム"), ("浩", "ヒロシ"),
    ("明", "アキラ"), ("茂", "シゲル"), ("孝", "タカシ"), ("和夫", "カズオ"), ("健一", "ケンイチ"),
    ("弘之", "ヒロユキ"), ("俊夫", "トシオ"), ("敏夫", "トシオ"), ("徹", "トオル"),
    ("満", "ミツル"), ("悟", "サトル"), ("哲也", "テツヤ"), ("和彦", "カズヒコ"),
    ("信夫", "ノブオ"), ("幸男", "ユキオ"), ("邦夫", "クニオ"), ("達夫", "タツオ"),
    ("良一", "リョウイチ"), ("修一", "シュウイチ"), ("健二", "ケンジ"), ("浩二", "コウジ"),
    ("和男", "カズオ"), ("照夫", "テルオ"), ("勝男", "カツオ"), ("隆夫", "タカオ"),
    ("正人", "マサト"), ("洋一", "ヨウイチ"), ("敏明", "トシアキ"), ("秀樹", "ヒデキ"),
    ("康夫", "ヤスオ"), ("晃", "アキラ"), ("登", "ノボル"), ("茂雄", "シゲオ"),
    ("孝雄", "タカオ"), ("英樹", "ヒデキ"), ("裕", "ユタカ"), ("剛", "ツヨシ"),
    ("聡", "サトシ"), ("健", "ケン"), ("博之", "ヒロユキ"), ("正樹", "マサキ"),
    ("誠一", "セイイチ"), ("寬", "ヒロシ"), ("隆之", "タカユキ"), ("直樹", "ナオキ"),
    ("浩一", "コウイチ"), ("伸也", "シンヤ"),
];

/// Women born before about 1945.
#[rustfmt::skip]
const FEMALE_OLDER: &[(&str, &str)] = &[
    ("ハル", "ハル"), ("キヨ", "キヨ"), ("トメ", "トメ"), ("ミツ", "ミツ"), ("フミ", "フミ"),
    ("ヨシ", "ヨシ"), ("ツル", "ツル"), ("タケ", "タケ"), ("キミ", "キミ"), ("チヨ", "チヨ"),
    ("ハツ", "ハツ"), ("シズ", "シズ"), ("和子", "カズコ"), ("幸子", "サチコ"),
    ("節子", "セツコ"), ("久子", "ヒサコ"), ("照子", "テルコ"), ("文子", "フミコ"),
    ("静子", "シズコ"), ("敏子", "トシコ"), ("信子", "ノブコ"), ("正子", "マサコ"),
    ("千代子", "チヨコ"), ("清子", "キヨコ"), ("登美子", "トミコ"), ("光子", "ミツコ"),
    ("美代子", "ミヨコ"), ("良子", "ヨシコ"), ("貞子", "サダコ"), ("初江", "ハツエ"),
    ("春子", "ハルコ"), ("花子", "ハナコ"), ("菊江", "キクエ"), ("君子", "キミコ"),
    ("富子", "トミコ"), ("八重子", "ヤエコ"), ("芳子", "ヨシコ"), ("澄子", "スミコ"),
    ("房子", "フサコ"), ("松江", "マツエ"), ("梅子", "ウメコ"), ("竹子", "タケコ"),
    ("鶴子", "ツルコ"), ("時子", "トキコ"), ("操", "ミサオ"), ("民子", "タミコ"),
    ("絹子", "キヌコ"), ("喜代子", "キヨコ"), ("榮子", "エイコ"), ("惠美子", "エミコ"),
];

/// Women born after about 1945 (also the 第2号被保険者).
#[rustfmt::skip]
const FEMALE_YOUNGER: &[(&str, &str)] = &[
    ("恵子", "ケイコ"), ("洋子", "ヨウコ"), ("京子", "キョウコ"), ("美智子", "ミチコ"),
    ("悦子", "エツコ"), ("弘子", "ヒロコ"), ("和代", "カズヨ"), ("智子", "トモコ"),
    ("由美子", "ユミコ"), ("陽子", "ヨウコ"), ("順子", "ジュンコ"), ("裕子", "ユウコ"),
    ("明美", "アケミ"), ("典子", "ノリコ"), ("孝子", "タカコ"), ("勝子", "カツコ"),
    ("綾子", "アヤコ"), ("百合子", "ユリコ"), ("美恵子", "ミエコ"), ("雅子", "マサコ"),
    ("紀子", "ノリコ"), ("栄子", "エイコ"), ("佳子", "ヨシコ"), ("静江", "シズエ"),
    ("敏江", "トシエ"), ("幸江", "サチエ"), ("久美子", "クミコ"), ("千恵子", "チエコ"),
    ("美佐子", "ミサコ"), ("玲子", "レイコ"), ("康子", "ヤスコ"), ("昌子", "マサコ"),
    ("多恵子", "タエコ"), ("須美子", "スミコ"), ("礼子", "レイコ"), ("伸子", "ノブコ"),
    ("直子", "ナオコ"), ("恭子", "キョウコ"), ("啓子", "ケイコ"), ("弥生", "ヤヨイ"),
    ("美穂子", "ミホコ"), ("佐知子", "サチコ"), ("真理子", "マリコ"), ("由紀子", "ユキコ"),
    ("みどり", "ミドリ"), ("眞理子", "マリコ"), ("和美", "カズミ"), ("幸子", "サチコ"),
];

/// Birth years up to this one draw from the older cohort's given names.
const OLDER_COHORT_LAST_YEAR: i32 = 1944;

/// A 氏名 and its フリガナ, family and given name separated by U+3000 as on the card.
pub(super) struct FullName {
    pub name: String,
    pub kana: String,
}

/// Weighted samplers over the tables, built once per run.
pub(super) struct NameTables {
    family: WeightedIndex<f64>,
    male_older: WeightedIndex<f64>,
    male_younger: WeightedIndex<f64>,
    female_older: WeightedIndex<f64>,
    female_younger: WeightedIndex<f64>,
}

/// Zipf-like weights: rank r gets 1/(r + offset), so the head is common but not overwhelming.
fn zipf(len: usize, offset: f64) -> WeightedIndex<f64> {
    WeightedIndex::new((0..len).map(|r| 1.0 / (r as f64 + offset))).expect("non-empty table")
}

impl NameTables {
    pub fn new() -> Self {
        Self {
            family: zipf(FAMILY.len(), 8.0),
            male_older: zipf(MALE_OLDER.len(), 6.0),
            male_younger: zipf(MALE_YOUNGER.len(), 6.0),
            female_older: zipf(FEMALE_OLDER.len(), 6.0),
            female_younger: zipf(FEMALE_YOUNGER.len(), 6.0),
        }
    }

    pub fn sample<R: Rng>(&self, rng: &mut R, sex: Sex, birth_year: i32) -> FullName {
        let (family, family_kana) = FAMILY[self.family.sample(rng)];
        let older = birth_year <= OLDER_COHORT_LAST_YEAR;
        let (given, given_kana) = match (sex, older) {
            (Sex::Male, true) => MALE_OLDER[self.male_older.sample(rng)],
            (Sex::Male, false) => MALE_YOUNGER[self.male_younger.sample(rng)],
            (Sex::Female, true) => FEMALE_OLDER[self.female_older.sample(rng)],
            (Sex::Female, false) => FEMALE_YOUNGER[self.female_younger.sample(rng)],
        };
        FullName {
            name: format!("{family}\u{3000}{given}"),
            kana: format!("{family_kana}\u{3000}{given_kana}"),
        }
    }
}

/// Every table, for the repertoire tests.
#[cfg(test)]
pub(super) fn all_tables() -> [&'static [(&'static str, &'static str)]; 5] {
    [
        FAMILY,
        MALE_OLDER,
        MALE_YOUNGER,
        FEMALE_OLDER,
        FEMALE_YOUNGER,
    ]
}
