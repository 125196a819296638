//! Folding of 氏名 and 住所 for comparison. What two systems, or a card and what a staff member
//! types, write differently for the same person: full-width forms, half-width kana, spacing,
//! 異体字, and the several ways of writing 丁目・番地・号. The folded text is a comparison key
//! only: it is never stored, shown or sent anywhere (the certificate keeps the characters the
//! municipality sent, which is what the person's legal name is).
//!
//! Implemented by hand for the ranges that matter instead of full NFKC: NFKC would need the
//! Unicode tables (this crate takes no such dependency) and would still miss the 異体字 and the
//! address notation, which are the differences that actually occur.

use crate::text::normalize_kana;

/// 異体字 pairs that commonly differ between systems, folded to the form in JIS X 0208 (the one
/// every system can hold). Matching only: a name is stored and printed as sent.
///
/// 齊 folds to 斉 and 齋 to 斎, each to its own modern form: 斉藤 and 斎藤 are different
/// surnames, and folding both old forms to 斎 would make 齊藤 miss 斉藤 while matching 斎藤.
pub const VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('\u{2550E}', '崎'), // 𥔎 (立 on the right), in JIS X 0213 plane 2
    ('邊', '辺'),
    ('邉', '辺'),
    ('澤', '沢'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('濱', '浜'),
    ('濵', '浜'),
    ('櫻', '桜'),
    ('廣', '広'),
    ('德', '徳'),
    ('瀨', '瀬'),
    ('𠮷', '吉'),
    ('\u{FA10}', '塚'), // 塚 (CJK compatibility ideograph, with the dot)
    ('\u{F9DC}', '隆'), // 隆 (CJK compatibility ideograph)
    ('國', '国'),
    ('眞', '真'),
];

/// 都道府県: an address may be written with or without it (the 保険者 fixes the prefecture).
#[rustfmt::skip]
const PREFECTURES: [&str; 47] = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
];

/// Dashes that stand for the separator of "1-2-3" when they follow a digit: hyphens, dashes,
/// the minus signs, and ー, which a kana-mode IME produces for the `-` key.
const DASHES: [char; 10] = ['-', '‐', '‑', '‒', '–', '—', '―', '−', '－', 'ー'];

/// The separator of a folded address.
const SEP: char = '-';

/// The comparison key of a 氏名: [`fold_chars`], whitespace removed.
pub fn fold_name(raw: &str) -> String {
    fold_chars(raw).into_iter().filter(|&c| c != ' ').collect()
}

/// The comparison key of a 住所. In this order:
/// 1. [`fold_chars`], plus ヶ and ヵ → ケ (霞ヶ関 = 霞ケ関); whitespace becomes a separator;
/// 2. a leading 都道府県 is dropped;
/// 3. a kanji number directly before 丁目 becomes digits: 一..九, 十, 十一..十九, 二十..九十九
///    (the longest such suffix of the kanji run, so 三一丁目 → 三1丁目);
/// 4. directly after a digit, 丁目, 番地, 番, and 号 not followed by 室 become a separator, as do
///    the dashes ‐‑‒–—―−－ー and `-`; の between a number and a digit is one too (123番地の4);
/// 5. a separator is kept as one `-` only between two digits and dropped elsewhere, so
///    "1丁目2番3号", "1-2-3", "１－２－３" and "一丁目２番地３" all read "1-2-3", and
///    "3号 コーポ" and "3 コーポ" both read "3コーポ". Whitespace between digits stays a
///    separator ("1-2-3 101" is "1-2-3-101", not "1-2-3101").
///
/// Not folded, on purpose: 大字/字, building names and 号室 (compared as written after the
/// character folding), and kanji numbers anywhere but before 丁目 (一番町 is a town name).
pub fn fold_address(raw: &str) -> String {
    let folded: String = fold_chars(raw)
        .into_iter()
        .map(|c| if matches!(c, 'ヶ' | 'ヵ') { 'ケ' } else { c })
        .collect();
    let trimmed = folded.trim_start_matches(' ');
    let without_prefecture = PREFECTURES
        .iter()
        .find_map(|p| trimmed.strip_prefix(p))
        .unwrap_or(trimmed);
    let chars = chome_numbers(without_prefecture.chars().collect());
    join_separators(&separators(&chars))
}

/// Character folding shared by names and addresses:
/// - full-width ASCII U+FF01..U+FF5E → ASCII (as NFKC), and ASCII letters → upper case;
/// - half-width katakana runs → full-width through [`normalize_kana`] (ｶﾞ → ガ), and the
///   half-width ｡｢｣､･ → 。「」、・;
/// - a kana followed by a voicing mark (゛゜, combining U+3099/U+309A, ﾞﾟ) → the precomposed
///   kana, as NFC does for macOS text;
/// - every whitespace character → one ASCII space (callers drop or interpret it);
/// - [`VARIANTS`].
///
/// Hiragana and katakana are not folded into each other: はる and ハル are different names.
fn fold_chars(raw: &str) -> Vec<char> {
    let chars: Vec<char> = raw.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_half_width_kana(c) && !matches!(c, 'ﾞ' | 'ﾟ') {
            let len = chars[i..]
                .iter()
                .take_while(|&&c| is_half_width_kana(c))
                .count();
            let run: String = chars[i..i + len].iter().collect();
            // A run that is not well-formed kana (a stray mark) is kept as typed: it then simply
            // fails to match, which is the safe direction.
            match normalize_kana(&run) {
                Ok(kana) => out.extend(kana.chars()),
                Err(_) => out.extend(run.chars()),
            }
            i += len;
            continue;
        }
        i += 1;
        if let Some(composed) = out.last().and_then(|&last| compose(last, c)) {
            *out.last_mut().expect("checked") = composed;
            continue;
        }
        out.push(fold_char(c));
    }
    out
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(u32::from(c) - 0xFEE0).map_or(c, |a| a.to_ascii_uppercase())
        }
        'a'..='z' => c.to_ascii_uppercase(),
        '｡' => '。',
        '｢' => '「',
        '｣' => '」',
        '､' => '、',
        '･' => '・',
        _ if c.is_whitespace() => ' ',
        _ => VARIANTS
            .iter()
            .find(|&&(from, _)| from == c)
            .map_or(c, |&(_, to)| to),
    }
}

fn is_half_width_kana(c: char) -> bool {
    matches!(c, '\u{FF66}'..='\u{FF9F}')
}

/// The precomposed kana for `base` followed by the voicing mark `mark`, if both are such.
fn compose(base: char, mark: char) -> Option<char> {
    const VOICEABLE: &str =
        "かきくけこさしすせそたちつてとはひふへほカキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI_VOICEABLE: &str = "はひふへほハヒフヘホ";
    match mark {
        '゛' | '\u{3099}' | 'ﾞ' => match base {
            'う' => Some('ゔ'),
            'ウ' => Some('ヴ'),
            _ if VOICEABLE.contains(base) => char::from_u32(u32::from(base) + 1),
            _ => None,
        },
        '゜' | '\u{309A}' | 'ﾟ' if SEMI_VOICEABLE.contains(base) => {
            char::from_u32(u32::from(base) + 2)
        }
        _ => None,
    }
}

const KANJI_DIGITS: &str = "一二三四五六七八九";

/// Step 3 of [`fold_address`]: kanji numbers before 丁目 to ASCII digits.
fn chome_numbers(chars: Vec<char>) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '丁' && chars.get(i + 1) == Some(&'目') {
            let run = out
                .iter()
                .rev()
                .take_while(|&&k| k == '十' || KANJI_DIGITS.contains(k))
                .count();
            let start = out.len() - run;
            if let Some((at, n)) =
                (start..out.len()).find_map(|s| Some((s, kanji_number(&out[s..])?)))
            {
                out.truncate(at);
                out.extend(n.to_string().chars());
            }
        }
        out.push(c);
    }
    out
}

/// 一..九, 十, 十一..十九, 二十..九十九; `None` for anything else (positional 一〇, 百 …).
fn kanji_number(run: &[char]) -> Option<u32> {
    let digit = |c: char| {
        KANJI_DIGITS
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32 + 1)
    };
    match *run {
        [d] if d != '十' => digit(d),
        ['十'] => Some(10),
        ['十', ones] => Some(10 + digit(ones)?),
        [tens, '十'] => Some(digit(tens)? * 10),
        [tens, '十', ones] => Some(digit(tens)? * 10 + digit(ones)?),
        _ => None,
    }
}

/// Step 4 of [`fold_address`]: units, dashes, の and whitespace to [`SEP`].
fn separators(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest = &chars[i..];
        let after_digit = out.last().is_some_and(char::is_ascii_digit);
        // A dash or の may follow a separator that itself followed a number (1丁目-2, 番地の4).
        let after_number = out
            .iter()
            .rev()
            .find(|&&k| k != SEP)
            .is_some_and(char::is_ascii_digit);
        let next_is_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let unit = match rest {
            ['丁', '目', ..] | ['番', '地', ..] => 2,
            ['番', ..] => 1,
            ['号', next, ..] if *next != '室' => 1,
            ['号'] => 1,
            _ => 0,
        };
        if after_digit && unit > 0 {
            out.push(SEP);
            i += unit;
            continue;
        }
        let separator = c == ' '
            || (after_number && DASHES.contains(&c))
            || (c == 'の' && after_number && next_is_digit);
        out.push(if separator { SEP } else { c });
        i += 1;
    }
    out
}

/// Step 5 of [`fold_address`]: one `-` between two digits, nothing elsewhere.
fn join_separators(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len() * 3);
    for (i, &c) in chars.iter().enumerate() {
        if c != SEP {
            out.push(c);
            continue;
        }
        let prev_digit = out.chars().last().is_some_and(|p| p.is_ascii_digit());
        let next_digit = chars[i + 1..]
            .iter()
            .find(|&&k| k != SEP)
            .is_some_and(char::is_ascii_digit);
        if prev_digit && next_digit {
            out.push(SEP);
        }
    }
    out
}
