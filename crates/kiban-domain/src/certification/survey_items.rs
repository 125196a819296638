//! The 基本調査 item table of the 認定調査票.
//!
//! **74 items** (facts.md §3): 62 in 第1群–第5群 and 12 特別な医療. The 5 groups name 55 items
//! (1-1 … 5-6), but 1-1 麻痺 is answered per body part (1-1-1 左上肢, 1-1-2 右上肢, 1-1-3 左下肢,
//! 1-1-4 右下肢, 1-1-5 その他) and 1-2 拘縮 per joint (1-2-1 肩関節, 1-2-2 股関節, 1-2-3 膝関節,
//! 1-2-4 その他), each 1 ない / 2 ある; counting those sub-items instead of 1-1 and 1-2 gives
//! 55 − 2 + 9 = 62. 特別な医療 is numbered 6-1 … 6-12 here (the public implementation cited by
//! facts.md splits it as 6-1 処置内容 ×9 and 6-2 特別な対応 ×3; the order is the same).
//!
//! Answer codes are "1" … "n" in the order listed, which is the order printed on the form.
//!
//! **[unverified]**: the official 調査票 layout is not public in machine-readable form; item
//! names and answer wording below are domain knowledge (認定調査員テキスト as remembered), a
//! faithful equivalent rather than a copy. The 日常生活自立度 is not among the 74 and lives in
//! [`super::survey`].

use crate::code_enum::code_enum;

code_enum! {
    /// 群: the grouping used for the 中間評価項目得点 of the 一次判定.
    Group ("調査項目群", "survey item group") {
        Body = "1", "第1群 身体機能・起居動作";
        Life = "2", "第2群 生活機能";
        Cognition = "3", "第3群 認知機能";
        Behaviour = "4", "第4群 精神・行動障害";
        Social = "5", "第5群 社会生活への適応";
        SpecialMedical = "6", "特別な医療";
    }
}

/// One 基本調査 item: its code as written on the form, its name, and its answer labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub code: &'static str,
    pub label: &'static str,
    pub group: Group,
    /// Labels of answers "1", "2", … in order.
    pub answers: &'static [&'static str],
}

impl Item {
    /// The label of an answer code, if the code is one of this item's answers.
    pub fn answer_label(&self, answer: &str) -> Option<&'static str> {
        let n: usize = answer.parse().ok()?;
        // "01" or "+1" parse too; only the canonical spelling is an answer code.
        if n.to_string() != answer || n == 0 {
            return None;
        }
        self.answers.get(n - 1).copied()
    }

    /// "1 ない, 2 ある": the allowed answers, for error messages.
    pub fn allowed(&self) -> String {
        let parts: Vec<String> = self
            .answers
            .iter()
            .enumerate()
            .map(|(i, label)| format!("{} {label}", i + 1))
            .collect();
        parts.join(", ")
    }
}

/// Items in 第1群–第5群, after splitting 1-1 and 1-2 into sub-items.
pub const GROUP_ITEM_COUNT: usize = 62;
/// 特別な医療 items.
pub const SPECIAL_MEDICAL_ITEM_COUNT: usize = 12;
/// All 基本調査 items.
pub const ITEM_COUNT: usize = GROUP_ITEM_COUNT + SPECIAL_MEDICAL_ITEM_COUNT;

const PRESENCE: &[&str] = &["ない", "ある"];
const GRIP: &[&str] = &["つかまらないでできる", "何かにつかまればできる", "できない"];
const SITTING: &[&str] = &[
    "できる",
    "自分の手で支えればできる",
    "支えてもらえればできる",
    "できない",
];
const STANDING: &[&str] = &["支えなしでできる", "何か支えがあればできる", "できない"];
const ASSIST3: &[&str] = &["介助されていない", "一部介助", "全介助"];
const BATHING: &[&str] = &["介助されていない", "一部介助", "全介助", "行っていない"];
const VISION: &[&str] = &[
    "普通",
    "約1m離れた視力確認表の図が見える",
    "目の前に置いた視力確認表の図が見える",
    "ほとんど見えない",
    "見えているのか判断不能",
];
const HEARING: &[&str] = &[
    "普通",
    "普通の声がやっと聞き取れる",
    "かなり大きな声なら何とか聞き取れる",
    "ほとんど聞えない",
    "聞えているのか判断不能",
];
const ASSIST4: &[&str] = &["介助されていない", "見守り等", "一部介助", "全介助"];
const SWALLOW: &[&str] = &["できる", "見守り等", "できない"];
const OUTING: &[&str] = &["週1回以上", "月1回以上", "月1回未満"];
const COMMUNICATION: &[&str] = &[
    "調査対象者が意思を他者に伝達できる",
    "ときどき伝達できる",
    "ほとんど伝達できない",
    "できない",
];
const ABILITY: &[&str] = &["できる", "できない"];
const FREQUENCY: &[&str] = &["ない", "ときどきある", "ある"];
const DECISION: &[&str] = &[
    "できる（特別な場合でもできる）",
    "特別な場合を除いてできる",
    "日常的に困難",
    "できない",
];

macro_rules! items {
    ($($group:ident $code:literal $label:literal $answers:ident;)*) => {
        /// Every 基本調査 item, in form order.
        pub const ITEMS: &[Item] = &[
            $(Item { code: $code, label: $label, group: Group::$group, answers: $answers },)*
        ];
    };
}

items! {
    Body "1-1-1" "麻痺（左上肢）" PRESENCE;
    Body "1-1-2" "麻痺（右上肢）" PRESENCE;
    Body "1-1-3" "麻痺（左下肢）" PRESENCE;
    Body "1-1-4" "麻痺（右下肢）" PRESENCE;
    Body "1-1-5" "麻痺（その他）" PRESENCE;
    Body "1-2-1" "拘縮（肩関節）" PRESENCE;
    Body "1-2-2" "拘縮（股関節）" PRESENCE;
    Body "1-2-3" "拘縮（膝関節）" PRESENCE;
    Body "1-2-4" "拘縮（その他）" PRESENCE;
    Body "1-3" "寝返り" GRIP;
    Body "1-4" "起き上がり" GRIP;
    Body "1-5" "座位保持" SITTING;
    Body "1-6" "両足での立位保持" STANDING;
    Body "1-7" "歩行" GRIP;
    Body "1-8" "立ち上がり" GRIP;
    Body "1-9" "片足での立位" STANDING;
    Body "1-10" "洗身" BATHING;
    Body "1-11" "つめ切り" ASSIST3;
    Body "1-12" "視力" VISION;
    Body "1-13" "聴力" HEARING;
    Life "2-1" "移乗" ASSIST4;
    Life "2-2" "移動" ASSIST4;
    Life "2-3" "えん下" SWALLOW;
    Life "2-4" "食事摂取" ASSIST4;
    Life "2-5" "排尿" ASSIST4;
    Life "2-6" "排便" ASSIST4;
    Life "2-7" "口腔清潔" ASSIST3;
    Life "2-8" "洗顔" ASSIST3;
    Life "2-9" "整髪" ASSIST3;
    Life "2-10" "上衣の着脱" ASSIST4;
    Life "2-11" "ズボン等の着脱" ASSIST4;
    Life "2-12" "外出頻度" OUTING;
    Cognition "3-1" "意思の伝達" COMMUNICATION;
    Cognition "3-2" "毎日の日課を理解" ABILITY;
    Cognition "3-3" "生年月日や年齢を言う" ABILITY;
    Cognition "3-4" "短期記憶" ABILITY;
    Cognition "3-5" "自分の名前を言う" ABILITY;
    Cognition "3-6" "今の季節を理解" ABILITY;
    Cognition "3-7" "場所の理解" ABILITY;
    Cognition "3-8" "徘徊" FREQUENCY;
    Cognition "3-9" "外出すると戻れない" FREQUENCY;
    Behaviour "4-1" "物を盗られたなどと被害的になる" FREQUENCY;
    Behaviour "4-2" "作話" FREQUENCY;
    Behaviour "4-3" "泣いたり笑ったりして感情が不安定" FREQUENCY;
    Behaviour "4-4" "昼夜の逆転" FREQUENCY;
    Behaviour "4-5" "しつこく同じ話をする" FREQUENCY;
    Behaviour "4-6" "大声をだす" FREQUENCY;
    Behaviour "4-7" "介護に抵抗する" FREQUENCY;
    Behaviour "4-8" "落ち着きなし" FREQUENCY;
    Behaviour "4-9" "一人で外に出たがり目が離せない" FREQUENCY;
    Behaviour "4-10" "収集癖" FREQUENCY;
    Behaviour "4-11" "物や衣類を壊す" FREQUENCY;
    Behaviour "4-12" "ひどい物忘れ" FREQUENCY;
    Behaviour "4-13" "独り言・独り笑い" FREQUENCY;
    Behaviour "4-14" "自分勝手に行動する" FREQUENCY;
    Behaviour "4-15" "話がまとまらない" FREQUENCY;
    Social "5-1" "薬の内服" ASSIST3;
    Social "5-2" "金銭の管理" ASSIST3;
    Social "5-3" "日常の意思決定" DECISION;
    Social "5-4" "集団への不適応" FREQUENCY;
    Social "5-5" "買い物" ASSIST4;
    Social "5-6" "簡単な調理" ASSIST4;
    SpecialMedical "6-1" "点滴の管理" PRESENCE;
    SpecialMedical "6-2" "中心静脈栄養" PRESENCE;
    SpecialMedical "6-3" "透析" PRESENCE;
    SpecialMedical "6-4" "ストーマ（人工肛門）の処置" PRESENCE;
    SpecialMedical "6-5" "酸素療法" PRESENCE;
    SpecialMedical "6-6" "レスピレーター（人工呼吸器）" PRESENCE;
    SpecialMedical "6-7" "気管切開の処置" PRESENCE;
    SpecialMedical "6-8" "疼痛の看護" PRESENCE;
    SpecialMedical "6-9" "経管栄養" PRESENCE;
    SpecialMedical "6-10" "モニター測定（血圧、心拍、酸素飽和度等）" PRESENCE;
    SpecialMedical "6-11" "じょくそうの処置" PRESENCE;
    SpecialMedical "6-12" "カテーテル（コンドームカテーテル、留置カテーテル、ウロストーマ等）" PRESENCE;
}

/// The item with this code, if any.
pub fn item(code: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.code == code)
}

/// The answer code meaning ある for the 有無 items (麻痺, 拘縮, 特別な医療).
pub const PRESENT: &str = "2";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_exactly_74_items_62_plus_12() {
        assert_eq!(ITEMS.len(), ITEM_COUNT);
        assert_eq!(ITEM_COUNT, 74);
        let special = ITEMS
            .iter()
            .filter(|i| i.group == Group::SpecialMedical)
            .count();
        assert_eq!(special, SPECIAL_MEDICAL_ITEM_COUNT);
        assert_eq!(ITEMS.len() - special, GROUP_ITEM_COUNT);
        let per_group: Vec<usize> = Group::ALL
            .iter()
            .map(|g| ITEMS.iter().filter(|i| i.group == *g).count())
            .collect();
        assert_eq!(per_group, [20, 12, 9, 15, 6, 12]);
    }

    #[test]
    fn codes_are_unique_and_follow_their_group() {
        let codes: HashSet<_> = ITEMS.iter().map(|i| i.code).collect();
        assert_eq!(codes.len(), ITEMS.len());
        for i in ITEMS {
            assert!(
                i.code.starts_with(&format!("{}-", i.group.code())),
                "{}",
                i.code
            );
            assert!(i.answers.len() >= 2);
        }
    }

    #[test]
    fn answer_codes_are_canonical() {
        let swallow = item("2-3").unwrap();
        assert_eq!(swallow.answer_label("3"), Some("できない"));
        for bad in ["0", "4", "03", "+1", "", "a"] {
            assert_eq!(swallow.answer_label(bad), None, "{bad:?}");
        }
        assert_eq!(swallow.allowed(), "1 できる, 2 見守り等, 3 できない");
    }
}
