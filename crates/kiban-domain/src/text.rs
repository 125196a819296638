//! Text fields: フリガナ normalisation, full-width digit folding and the JIS X 0213 repertoire
//! check ([`check_jis_x0213`]).
//!
//! Positions in errors are 1-based and count characters of the text as the caller passed it, so
//! an operator can find the character in what they typed, not in our normalised output.

mod jis;
mod jisx0213_ranges;

pub use jis::{chars_outside_jis_x0213, check_jis_x0213, is_jis_x0213};

/// Why a text field was refused. Every variant names the 1-based character position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{position}文字目の「{ch}」はフリガナに使えません（カナ・長音「ー」・空白のみ） / character {position} {ch:?} is not allowed in furigana (kana, ー and spaces only)")]
    NotKana { position: usize, ch: char },
    #[error("{position}文字目の「{ch}」(U+{code:04X}) は JIS X 0213 にない文字です / character {position} {ch:?} (U+{code:04X}) is outside JIS X 0213", code = u32::from(*.ch))]
    OutsideJisX0213 { position: usize, ch: char },
    #[error("{position}文字目に制御文字 (U+{code:04X}) があります。改行・タブは使えません / character {position} is a control character (U+{code:04X}); tabs and line breaks are not allowed", code = u32::from(*.ch))]
    Control { position: usize, ch: char },
}

const IDEOGRAPHIC_SPACE: char = '\u{3000}';
const PROLONGED: char = 'ー';

/// Half-width katakana U+FF66..=U+FF9D in code point order. ｰ (U+FF70) is included and becomes
/// ー; the punctuation ｡｢｣､･ before U+FF66 is not kana and is refused.
const HALF_WIDTH_KANA: &str =
    "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Dashes people type where they mean ー: with a Latin keyboard layout, from Word's autocorrect,
/// or as the full-width minus that some IMEs produce.
const DASHES: [char; 10] = ['-', '‐', '‑', '‒', '–', '—', '―', '−', '－', '─'];

/// Returns the フリガナ as full-width katakana, name parts separated by one U+3000.
///
/// Accepted: full-width katakana ァ..ヶ (all in JIS X 0208, so the result always converts to
/// Shift_JIS/half-width interchange), hiragana (mapped to katakana), half-width katakana with
/// ﾞ/ﾟ folded into the preceding kana (ｶﾞ→ガ, ﾊﾟ→パ, ｳﾞ→ヴ), the same folding for ゛゜ and the
/// combining U+3099/U+309A that macOS NFD text carries, ー and ｰ, and small kana as typed.
///
/// Dashes (`-`, `‐`, `－`, `―`, ...) become ー only directly after a kana: that is the typo they
/// are, while a dash at the start or after a space is more likely a separator and is refused.
/// 〜 (U+301C) and ～ (U+FF5E) are refused: in a reading they are never a long vowel, and
/// guessing would hide a data entry error.
///
/// Refused: ヷヸヹヺ, ・, iteration marks ヽヾゝゞ (not JIS X 0208 or ambiguous in a reading),
/// Latin letters, digits, kanji, anything else, and control characters such as tab.
///
/// Half-width, full-width and no-break spaces are collapsed to one U+3000 and trimmed. An empty
/// or all-space input gives `Ok("")`: whether the field is required is the record's rule.
pub fn normalize_kana(raw: &str) -> Result<String, TextError> {
    let mut out: Vec<char> = Vec::with_capacity(raw.len() / 2);
    let mut pending_space = false;
    for (index, ch) in raw.chars().enumerate() {
        let position = index + 1;
        let refuse = || {
            if ch.is_control() {
                TextError::Control { position, ch }
            } else {
                TextError::NotKana { position, ch }
            }
        };
        if matches!(ch, ' ' | IDEOGRAPHIC_SPACE | '\u{00A0}') {
            pending_space = !out.is_empty();
            continue;
        }
        if let Some(mark) = voicing_mark(ch) {
            let last = out
                .last_mut()
                .filter(|_| !pending_space)
                .ok_or_else(refuse)?;
            *last = voiced(*last, mark).ok_or_else(refuse)?;
            continue;
        }
        let kana = if DASHES.contains(&ch) {
            let after_kana = !pending_space && out.last().is_some_and(|&c| is_output_kana(c));
            after_kana.then_some(PROLONGED)
        } else {
            to_katakana(ch)
        };
        let kana = kana.ok_or_else(refuse)?;
        if pending_space {
            out.push(IDEOGRAPHIC_SPACE);
            pending_space = false;
        }
        out.push(kana);
    }
    Ok(out.into_iter().collect())
}

#[derive(Clone, Copy)]
enum Mark {
    Voiced,
    SemiVoiced,
}

fn voicing_mark(ch: char) -> Option<Mark> {
    match ch {
        'ﾞ' | '゛' | '\u{3099}' => Some(Mark::Voiced),
        'ﾟ' | '゜' | '\u{309A}' => Some(Mark::SemiVoiced),
        _ => None,
    }
}

/// The precomposed kana for `base` + mark; only the pairs that exist in JIS X 0208.
fn voiced(base: char, mark: Mark) -> Option<char> {
    let shift = match mark {
        Mark::Voiced if base == 'ウ' => return Some('ヴ'),
        Mark::Voiced if "カキクケコサシスセソタチツテトハヒフヘホ".contains(base) => {
            1
        }
        Mark::SemiVoiced if "ハヒフヘホ".contains(base) => 2,
        _ => return None,
    };
    char::from_u32(u32::from(base) + shift)
}

/// Maps one accepted kana character to full-width katakana.
fn to_katakana(ch: char) -> Option<char> {
    let code = u32::from(ch);
    match ch {
        'ァ'..='ヶ' | PROLONGED => Some(ch),
        'ぁ'..='ゖ' => char::from_u32(code + 0x60),
        'ｦ'..='ﾝ' => HALF_WIDTH_KANA.chars().nth((code - 0xFF66) as usize),
        _ => None,
    }
}

fn is_output_kana(ch: char) -> bool {
    matches!(ch, 'ァ'..='ヶ' | PROLONGED)
}

/// Folds full-width forms to ASCII for numbers, codes and postal codes; it does not validate.
///
/// - U+FF01..=U+FF5E (full-width ASCII: ０-９, Ａ-Ｚ, ａ-ｚ, ．／－ ...) → ASCII, as NFKC does;
/// - ー, ｰ and the dashes above → `-`, because a Japanese IME in kana mode turns the `-` key
///   into ー, which is how "123ー4567" reaches a postal code field;
/// - U+3000 → a space.
///
/// Everything else is left as is, so the caller's parser still reports it.
pub fn normalize_digits(raw: &str) -> String {
    raw.chars()
        .map(|ch| match ch {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(ch) - 0xFEE0).unwrap_or(ch),
            PROLONGED | 'ｰ' => '-',
            IDEOGRAPHIC_SPACE => ' ',
            _ if DASHES.contains(&ch) => '-',
            _ => ch,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kana(raw: &str) -> String {
        normalize_kana(raw).unwrap()
    }

    #[test]
    fn half_width_kana_folds_voicing_marks() {
        for (raw, want) in [
            ("ｶﾞｯｺｳ", "ガッコウ"),
            ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
            ("ｳﾞｨｰﾅｽ", "ヴィーナス"),
            ("ｦｧｨｩｪｫｬｭｮｯｰ", "ヲァィゥェォャュョッー"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ\u{3000}タロウ"),
            (
                "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉ",
                "アイウエオカキクケコサシスセソタチツテトナニヌネノ",
            ),
            (
                "ﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ",
                "ハヒフヘホマミムメモヤユヨラリルレロワン",
            ),
        ] {
            assert_eq!(kana(raw), want, "{raw}");
        }
    }

    #[test]
    fn hiragana_spaces_and_combining_marks() {
        for (raw, want) in [
            ("やまだ", "ヤマダ"),
            ("ゔぁゕゖ", "ヴァヵヶ"),
            ("  やまだ 　 たろう　", "ヤマダ\u{3000}タロウ"),
            ("ヤマダ\u{00A0}タロウ", "ヤマダ\u{3000}タロウ"),
            ("カ\u{3099}ハ\u{309A}", "ガパ"),
            ("カ゛ハ゜", "ガパ"),
            ("スズキ", "スズキ"),
            ("", ""),
            ("　 ", ""),
        ] {
            assert_eq!(kana(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn dashes_become_prolonged_mark_only_after_kana() {
        assert_eq!(kana("ｺｰﾋｰ"), "コーヒー");
        for raw in ["コ-ヒ-", "コ‐ヒ‐", "コ－ヒ－", "コ―ヒ−", "こーひー"] {
            assert_eq!(kana(raw), "コーヒー", "{raw}");
        }
        let at = |raw: &str| normalize_kana(raw).unwrap_err();
        assert_eq!(
            at("-ヤマダ"),
            TextError::NotKana {
                position: 1,
                ch: '-'
            }
        );
        assert_eq!(
            at("ヤマダ -タロウ"),
            TextError::NotKana {
                position: 5,
                ch: '-'
            }
        );
    }

    #[test]
    fn everything_else_is_refused_with_its_position() {
        let cases = [
            ("Yamada", 1, 'Y'),
            ("ヤマダ1", 4, '1'),
            ("山田", 1, '山'),
            ("ヤマダ・タロウ", 4, '・'),
            ("ワ\u{3099}", 2, '\u{3099}'),
            ("ｱﾞ", 2, 'ﾞ'),
            ("ﾞｱ", 1, 'ﾞ'),
            ("ガﾞ", 2, 'ﾞ'),
            ("ヤマ ﾞ", 4, 'ﾞ'),
            ("ヷ", 1, 'ヷ'),
            ("さゝき", 2, 'ゝ'),
            ("ｱ｡", 2, '｡'),
            // 〜 and ～ are in JIS X 0213 but never a long vowel in a reading.
            ("ア〜", 2, '〜'),
            ("ア～", 2, '～'),
        ];
        for (raw, position, ch) in cases {
            assert_eq!(
                normalize_kana(raw),
                Err(TextError::NotKana { position, ch }),
                "{raw}"
            );
        }
        let tab = normalize_kana("ヤマダ\tタロウ").unwrap_err();
        assert_eq!(
            tab,
            TextError::Control {
                position: 4,
                ch: '\t'
            }
        );
    }

    #[test]
    fn messages_are_bilingual_and_point_at_the_character() {
        let e = normalize_kana("Yamada").unwrap_err().to_string();
        assert!(
            e.contains("1文字目の「Y」") && e.contains("character 1 'Y'"),
            "{e}"
        );
        let e = TextError::Control {
            position: 3,
            ch: '\n',
        }
        .to_string();
        assert!(e.contains("U+000A") && e.contains(" / "), "{e}");
    }

    #[test]
    fn normalized_kana_is_always_in_jis_x0213() {
        let all: String = ('ァ'..='ヶ').chain(['ー', '\u{3000}', 'ア']).collect();
        assert_eq!(check_jis_x0213(&kana(&all)), Ok(()));
    }

    #[test]
    fn digits_fold_to_ascii() {
        assert_eq!(normalize_digits("１２３－４５６７"), "123-4567");
        assert_eq!(normalize_digits("１２３ー４５６７"), "123-4567");
        assert_eq!(normalize_digits("Ｒ０７．０４．０１"), "R07.04.01");
        assert_eq!(normalize_digits("令和７年　４月"), "令和7年 4月");
        assert_eq!(normalize_digits("abc-12"), "abc-12");
    }
}
