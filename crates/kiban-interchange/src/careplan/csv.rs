//! The CSV layer of V4 files: a strict splitter that keeps the physical line of each record,
//! strict CP932 decoding of each field (no replacement, no 外字) and the canonical writer.
//!
//! Quoting is RFC 4180: a field holding `,`, `"`, CR or LF is enclosed in `"` with `""` for a
//! quote; a quoted field may span lines. CP932 trail bytes never take the values of `,`, `"`,
//! CR or LF, so the split works on bytes before decoding.

use crate::encoding::Encoding;
use std::borrow::Cow;

/// A problem of the CSV structure or of one field's characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawProblem {
    /// 1-based column, 0 for the record as a whole.
    pub column: usize,
    pub code: &'static str,
    pub warning: bool,
    pub ja: String,
    pub en: String,
}

/// One record, its fields borrowed from the file where they need no unescaping, with the
/// physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRecord<'a> {
    pub line: u64,
    pub fields: Vec<Cow<'a, [u8]>>,
    pub problems: Vec<RawProblem>,
}

fn problem(column: usize, code: &'static str, ja: String, en: String) -> RawProblem {
    RawProblem {
        column,
        code,
        warning: false,
        ja,
        en,
    }
}

fn is_separator(b: u8) -> bool {
    matches!(b, b',' | b'\r' | b'\n')
}

/// Splits a whole file into records. Never fails: structural problems are attached to the
/// record they occur in.
///
/// Hand-written rather than the `csv` crate's reader on purpose: that reader (rightly, for its
/// users) accepts a quote inside an unquoted field, text after a closing quote, an unclosed
/// quote at the end and a lone CR as a record end, all silently. The layout asks for CRLF and
/// RFC 4180 quoting, and a sender must learn the line and column of each departure from it.
/// A field is a slice of the file unless it holds a doubled quote (or broken quoting), so a
/// month of files is not copied field by field.
pub(crate) fn split(bytes: &[u8]) -> Vec<RawRecord<'_>> {
    let mut records = Vec::new();
    let mut i = 0;
    let mut line: u64 = 1;
    // Records of a file have the same number of fields: size each record's vector by the last.
    let mut width = 8;
    while i < bytes.len() {
        let start_line = line;
        let mut fields: Vec<Cow<'_, [u8]>> = Vec::with_capacity(width);
        let mut problems = Vec::new();
        let mut ended = false;
        loop {
            let column = fields.len() + 1;
            if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
                let start = i;
                // Borrowed until a doubled quote forces an unescaped copy.
                let mut owned: Option<Vec<u8>> = None;
                let mut closed = false;
                while i < bytes.len() {
                    let b = bytes[i];
                    if b == b'"' {
                        if bytes.get(i + 1) == Some(&b'"') {
                            owned
                                .get_or_insert_with(|| bytes[start..i].to_vec())
                                .push(b'"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    if b == b'\n' {
                        line += 1;
                    }
                    if let Some(o) = owned.as_mut() {
                        o.push(b);
                    }
                    i += 1;
                }
                let inner_end = i;
                if closed {
                    i += 1;
                } else {
                    problems.push(problem(
                        column,
                        "CSV_QUOTE_UNCLOSED",
                        "引用符(\")が閉じられていません".into(),
                        "a quoted field is not closed".into(),
                    ));
                }
                let mut field = match owned {
                    Some(o) => Cow::Owned(o),
                    None => Cow::Borrowed(&bytes[start..inner_end]),
                };
                // After the closing quote only a separator or the end of the record may follow.
                if i < bytes.len() && !is_separator(bytes[i]) {
                    problems.push(problem(
                        column,
                        "CSV_QUOTE_INVALID",
                        "閉じ引用符の後に区切り以外の文字があります".into(),
                        "characters after a closing quote".into(),
                    ));
                    let rest = i;
                    while i < bytes.len() && !is_separator(bytes[i]) {
                        i += 1;
                    }
                    field.to_mut().extend_from_slice(&bytes[rest..i]);
                }
                fields.push(field);
            } else {
                let start = i;
                while i < bytes.len() && !is_separator(bytes[i]) {
                    i += 1;
                }
                let field = &bytes[start..i];
                if field.contains(&b'"') {
                    problems.push(problem(
                        column,
                        "CSV_QUOTE_INVALID",
                        "引用符で囲まれていない項目に引用符(\")があります".into(),
                        "a quote inside an unquoted field".into(),
                    ));
                }
                fields.push(Cow::Borrowed(field));
            }
            if i >= bytes.len() {
                break;
            }
            match bytes[i] {
                b',' => i += 1,
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    line += 1;
                    ended = true;
                    break;
                }
                b'\n' => {
                    i += 1;
                    line += 1;
                    ended = true;
                    problems.push(RawProblem {
                        warning: true,
                        ..problem(
                            0,
                            "CSV_LINE_END",
                            "行末が CRLF ではなく LF です".into(),
                            "the line ends with LF, not CRLF".into(),
                        )
                    });
                    break;
                }
                _ => {
                    // A lone CR: kept out of the data and reported; it ends the field.
                    i += 1;
                    problems.push(problem(
                        column,
                        "CSV_LINE_END",
                        "引用符の外に単独の CR があります".into(),
                        "a lone CR outside quotes".into(),
                    ));
                }
            }
        }
        if !ended {
            problems.push(RawProblem {
                warning: true,
                ..problem(
                    0,
                    "CSV_NO_FINAL_NEWLINE",
                    "最終行に改行(CRLF)がありません".into(),
                    "the last line has no CRLF".into(),
                )
            });
        }
        width = fields.len();
        records.push(RawRecord {
            line: start_line,
            fields,
            problems,
        });
    }
    records
}

/// Decodes one field strictly as CP932. `Err` explains the first bad character: bytes that do
/// not decode, or a 外字 (user-defined area, lead bytes 0xF0–0xF9 → U+E000–U+E757), which the
/// standard forbids. A character that decodes but would re-encode differently (a NEC-selected
/// IBM extension duplicate) is returned with a warning flag.
pub(crate) fn decode_field(bytes: &[u8]) -> Result<(Cow<'_, str>, bool), (String, String)> {
    // Most fields are codes, numbers and dates: ASCII reads the same in CP932 and UTF-8, and
    // is borrowed as it is.
    if bytes.is_ascii() {
        let text = std::str::from_utf8(bytes).expect("ASCII is UTF-8");
        return Ok((Cow::Borrowed(text), false));
    }
    // Walk the CP932 structure to find 外字 before decoding (they would decode to PUA), and note
    // whether any double-byte character is in a row where CP932 has duplicate codes (NEC row 13
    // 0x87, NEC-selected IBM 0xED–0xEE, IBM 0xFA–0xFC): only such a field can be non-canonical,
    // so only such a field pays for encoding it back.
    let mut may_be_duplicate = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let double = matches!(b, 0x81..=0x9F | 0xE0..=0xFC);
        may_be_duplicate |= matches!(b, 0x87 | 0xED | 0xEE | 0xFA..=0xFC);
        if (0xF0..=0xF9).contains(&b) && i + 1 < bytes.len() {
            let pair = [b, bytes[i + 1]];
            return Err((
                format!(
                    "外字（利用者定義文字）は使えません: {}バイト目 0x{:02X}{:02X}",
                    i + 1,
                    pair[0],
                    pair[1]
                ),
                format!(
                    "user-defined characters (外字) are not allowed: byte {} 0x{:02X}{:02X}",
                    i + 1,
                    pair[0],
                    pair[1]
                ),
            ));
        }
        i += if double { 2 } else { 1 };
    }
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 4);
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => break,
            encoding_rs::DecoderResult::OutputFull => out.reserve(bytes.len() + 8),
            encoding_rs::DecoderResult::Malformed(bad, extra) => {
                let end = read_total - usize::from(extra);
                let start = end - usize::from(bad);
                let hex: String = bytes[start..(start + 2).min(bytes.len())]
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect();
                return Err((
                    format!(
                        "Shift_JIS(CP932)として読めないバイト列です: {}バイト目 0x{hex}",
                        start + 1
                    ),
                    format!(
                        "bytes that are not Shift_JIS (CP932): byte {} 0x{hex}",
                        start + 1
                    ),
                ));
            }
        }
    }
    if let Some(c) = out.chars().find(|c| is_private_use(*c)) {
        return Err((
            format!("外字（私用領域 U+{:04X}）は使えません", c as u32),
            format!("private-use character U+{:04X} is not allowed", c as u32),
        ));
    }
    let canonical = !may_be_duplicate
        || Encoding::ShiftJis
            .encode(&out)
            .map(|b| *b == *bytes)
            .unwrap_or(false);
    Ok((Cow::Owned(out), !canonical))
}

pub(crate) fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Encodes text as CP932 exactly: `Err(c)` names the first character that is outside CP932,
/// private use (外字), or would not read back as itself (U+00A5 ¥ → 0x5C reads as `\`).
pub(crate) fn encode_strict(text: &str) -> Result<Vec<u8>, char> {
    if let Some(c) = text.chars().find(|c| is_private_use(*c)) {
        return Err(c);
    }
    let bytes = Encoding::ShiftJis.encode(text)?.into_owned();
    if Encoding::ShiftJis.decode(&bytes).as_deref() == Some(text) {
        return Ok(bytes);
    }
    let mut buf = [0u8; 4];
    let bad = text
        .chars()
        .find(|c| {
            let s: &str = c.encode_utf8(&mut buf);
            let e = Encoding::ShiftJis.encode(s).map(|b| b.into_owned());
            e.ok()
                .and_then(|b| Encoding::ShiftJis.decode(&b).map(|d| d.into_owned()))
                != Some(s.to_string())
        })
        .unwrap_or('\u{FFFD}');
    Err(bad)
}

/// Appends one encoded field, in quotes (with `""` for a quote) when `quote`.
pub(crate) fn write_field(out: &mut Vec<u8>, bytes: &[u8], quote: bool) {
    if quote {
        out.push(b'"');
        for &b in bytes {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields_and_counts_lines() {
        let recs = split(b"a,\"b,\r\nc\"\"d\",e\r\nf,g\r\n");
        assert_eq!(recs.len(), 2);
        assert_eq!(*recs[0].fields[1], *b"b,\r\nc\"d");
        assert_eq!(recs[1].line, 3);
        assert!(recs.iter().all(|r| r.problems.is_empty()));
        let bad = split(b"a\"b,\"c\"x\r\n\"open");
        assert_eq!(bad[0].problems.len(), 2);
        assert_eq!(bad[1].problems[0].code, "CSV_QUOTE_UNCLOSED");
    }

    #[test]
    fn decodes_strictly() {
        assert_eq!(decode_field(b"\x82\xa0").unwrap().0, "あ");
        assert!(decode_field(b"a\x82").is_err());
        let gaiji = decode_field(b"\x82\xa0\xF0\x40").unwrap_err();
        assert!(gaiji.1.contains("byte 3"), "{gaiji:?}");
        assert_eq!(encode_strict("𠮷"), Err('𠮷'));
        assert_eq!(encode_strict("a¥"), Err('¥'));
        assert_eq!(encode_strict("\u{E000}"), Err('\u{E000}'));
        assert!(encode_strict("髙橋①").is_ok());
    }

    #[test]
    fn duplicate_codes_are_flagged_non_canonical() {
        // ∵ has its JIS code 0x81E6 and an NEC row-13 duplicate 0x879A; ⅰ its IBM code 0xFA40
        // and an NEC-selected IBM duplicate 0xEEEF. ASCII and ordinary kanji are canonical.
        assert_eq!(decode_field(b"\x81\xE6").unwrap(), ("∵".into(), false));
        assert_eq!(decode_field(b"\x87\x9A").unwrap(), ("∵".into(), true));
        assert_eq!(decode_field(b"\xFA\x40").unwrap(), ("ⅰ".into(), false));
        assert_eq!(decode_field(b"\xEE\xEF").unwrap(), ("ⅰ".into(), true));
        assert_eq!(decode_field(b"0123,x").unwrap(), ("0123,x".into(), false));
        assert_eq!(decode_field(b"\x8A\xBF").unwrap(), ("漢".into(), false));
    }
}
