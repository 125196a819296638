//! Character encodings of interchange files: UTF-8 (with or without BOM) or Shift_JIS as
//! Windows-31J (CP932), which is what municipal systems actually emit.

/// A file's character encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    Utf8,
    /// Shift_JIS in its CP932 (Windows-31J) form, including NEC/IBM extensions.
    ShiftJis,
}

impl Encoding {
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Some(Self::Utf8),
            "sjis" | "shiftjis" | "cp932" | "windows31j" | "ms932" => Some(Self::ShiftJis),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::ShiftJis => "Shift_JIS (CP932)",
        }
    }

    /// Decodes one field strictly: a malformed byte sequence returns `None`, never a
    /// replacement character, so that broken input is reported and not silently altered.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Self::Utf8 => std::str::from_utf8(bytes)
                .ok()
                .map(std::borrow::Cow::Borrowed),
            Self::ShiftJis => {
                encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }

    /// Decodes one field strictly, appending it to `out`; `false` (and `out` unchanged) when
    /// the bytes are malformed. Appending to one buffer per row spares an allocation per field.
    pub fn decode_into(self, bytes: &[u8], out: &mut String) -> bool {
        match self {
            Self::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => {
                    out.push_str(s);
                    true
                }
                Err(_) => false,
            },
            Self::ShiftJis => {
                let start = out.len();
                let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
                let needed = decoder
                    .max_utf8_buffer_length_without_replacement(bytes.len())
                    .unwrap_or(bytes.len() * 3);
                out.reserve(needed);
                let (result, _) = decoder.decode_to_string_without_replacement(bytes, out, true);
                if result == encoding_rs::DecoderResult::InputEmpty {
                    true
                } else {
                    out.truncate(start);
                    false
                }
            }
        }
    }

    /// Encodes text; `Err(ch)` names the first character the encoding cannot represent.
    pub fn encode(self, text: &str) -> Result<std::borrow::Cow<'_, [u8]>, char> {
        match self {
            Self::Utf8 => Ok(std::borrow::Cow::Borrowed(text.as_bytes())),
            Self::ShiftJis => {
                let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(text);
                if had_errors {
                    let bad = text
                        .chars()
                        .find(|c| encoding_rs::SHIFT_JIS.encode(&c.to_string()).2)
                        .unwrap_or('\u{FFFD}');
                    Err(bad)
                } else {
                    Ok(bytes)
                }
            }
        }
    }
}

/// What the start of a file says about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    /// A UTF-8 byte order mark was present (it is skipped and reported as a warning).
    pub bom: bool,
}

/// Detects the encoding from the first bytes of a file (the header row is Japanese, so a
/// few kilobytes decide). Valid UTF-8 wins; otherwise valid CP932; a sample that is neither
/// is treated as Shift_JIS so that the broken bytes are reported line by line.
pub fn detect(sample: &[u8]) -> Detected {
    if let Some(rest) = sample.strip_prefix(b"\xEF\xBB\xBF") {
        let _ = rest;
        return Detected {
            encoding: Encoding::Utf8,
            bom: true,
        };
    }
    let utf8_ok = match std::str::from_utf8(sample) {
        Ok(_) => true,
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) => e.error_len().is_none(),
    };
    let encoding = if utf8_ok {
        Encoding::Utf8
    } else {
        Encoding::ShiftJis
    };
    Detected {
        encoding,
        bom: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_bom_and_sjis() {
        assert_eq!(detect("保険者番号".as_bytes()).encoding, Encoding::Utf8);
        assert!(detect(b"\xEF\xBB\xBFabc").bom);
        let sjis = Encoding::ShiftJis.encode("保険者番号").unwrap();
        assert_eq!(detect(&sjis).encoding, Encoding::ShiftJis);
        // A sample cut in the middle of a UTF-8 character is still UTF-8.
        let cut = &"保険者".as_bytes()[..7];
        assert_eq!(detect(cut).encoding, Encoding::Utf8);
    }

    #[test]
    fn broken_sjis_is_not_replaced() {
        assert!(Encoding::ShiftJis.decode(b"\x82").is_none());
        assert_eq!(Encoding::ShiftJis.decode(b"\x82\xa0").unwrap(), "あ");
        let mut out = String::from("x");
        assert!(Encoding::ShiftJis.decode_into(b"\x82\xa0", &mut out));
        assert!(!Encoding::ShiftJis.decode_into(b"\x82", &mut out));
        assert!(!Encoding::Utf8.decode_into(b"\xff", &mut out));
        assert_eq!(out, "xあ");
        assert_eq!(Encoding::ShiftJis.encode("한"), Err('한'));
        assert!(
            Encoding::ShiftJis.encode("①髙").is_ok(),
            "CP932 extensions are encodable"
        );
    }
}
