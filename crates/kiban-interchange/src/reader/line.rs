//! Physical lines and the fields of one CSV line.
//!
//! The interface has no quoted line breaks (docs/interface/municipal.md §CSV): a line is a
//! record. So lines are cut first, with a cap on their length, and quotes are read inside one
//! line only; a quote left open is that line's problem and cannot swallow the lines after it.

use std::io::{self, BufRead};
use std::ops::Range;

/// The longest line accepted, in bytes, without its line end. Every valid line is far shorter
/// (see `layout::tests::a_valid_line_always_fits_the_cap`); the cap keeps memory bounded
/// whatever a file holds.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What one call to [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// No more bytes.
    Eof,
    /// A line ending in LF (a CR before it is removed).
    Complete,
    /// The last line of the file, without a line break.
    Unterminated,
    /// A line longer than the cap: its first bytes are kept (up to the cap), the rest was
    /// skipped up to and including its LF. `bytes` is its full length.
    TooLong { bytes: u64 },
}

/// Reads the next line into `buf` (cleared first) without its line end, keeping at most
/// `cap` bytes of it.
pub fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<LineEnd> {
    buf.clear();
    // One more byte than the cap fits a CR that belongs to the CRLF line end.
    let keep = cap + 1;
    let mut skipped: u64 = 0;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if !any {
                LineEnd::Eof
            } else if skipped > 0 {
                LineEnd::TooLong {
                    bytes: buf.len() as u64 + skipped,
                }
            } else {
                strip_cr(buf);
                if buf.len() > cap {
                    LineEnd::TooLong {
                        bytes: buf.len() as u64,
                    }
                } else {
                    LineEnd::Unterminated
                }
            });
        }
        any = true;
        let (chunk, found_lf) = match memchr::memchr(b'\n', available) {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        let room = keep.saturating_sub(buf.len());
        if chunk <= room {
            buf.extend_from_slice(&available[..chunk]);
        } else {
            buf.extend_from_slice(&available[..room]);
            skipped += (chunk - room) as u64;
        }
        reader.consume(chunk + usize::from(found_lf));
        if found_lf {
            if skipped > 0 {
                // What was kept may end in a CR that is part of the data, not the line end.
                return Ok(LineEnd::TooLong {
                    bytes: buf.len() as u64 + skipped,
                });
            }
            strip_cr(buf);
            return Ok(if buf.len() > cap {
                LineEnd::TooLong {
                    bytes: buf.len() as u64,
                }
            } else {
                LineEnd::Complete
            });
        }
    }
}

fn strip_cr(buf: &mut Vec<u8>) {
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
}

/// A problem with the quotes of one line; `field` is the 0-based position in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteProblem {
    /// A field opened with `"` is not closed before the end of the line.
    Unclosed { field: usize },
    /// Something other than a separator follows a closing quote.
    AfterClosing { field: usize },
}

/// Splits one line (without its line end) into fields separated by `,`. A field may be enclosed
/// in `"` (ASCII spaces or tabs around the quotes are allowed) with `""` for a quote; such a
/// field is unescaped in place, so `fields` index into `line` as it is afterwards. A `"` inside
/// an unquoted field is an ordinary character, as in RFC 4180 readers generally.
pub fn split_fields(line: &mut [u8], fields: &mut Vec<Range<usize>>) -> Result<(), QuoteProblem> {
    fields.clear();
    let n = line.len();
    let mut i = 0;
    loop {
        let field = fields.len();
        let mut q = i;
        while q < n && matches!(line[q], b' ' | b'\t') {
            q += 1;
        }
        if q < n && line[q] == b'"' {
            let start = q + 1;
            let mut read = start;
            let mut write = start;
            loop {
                let Some(offset) = memchr::memchr(b'"', &line[read..]) else {
                    return Err(QuoteProblem::Unclosed { field });
                };
                let quote = read + offset;
                if write != read {
                    line.copy_within(read..quote, write);
                }
                write += quote - read;
                if line.get(quote + 1) == Some(&b'"') {
                    line[write] = b'"';
                    write += 1;
                    read = quote + 2;
                    continue;
                }
                fields.push(start..write);
                i = quote + 1;
                break;
            }
            while i < n && matches!(line[i], b' ' | b'\t') {
                i += 1;
            }
            if i == n {
                return Ok(());
            }
            if line[i] != b',' {
                return Err(QuoteProblem::AfterClosing { field });
            }
            i += 1;
        } else {
            match memchr::memchr(b',', &line[i..]) {
                Some(offset) => {
                    fields.push(i..i + offset);
                    i += offset + 1;
                }
                None => {
                    fields.push(i..n);
                    return Ok(());
                }
            }
        }
    }
}

/// The position of a CR that is not part of a CRLF line end, if the bytes hold one.
pub fn bare_cr(line: &[u8]) -> Option<usize> {
    memchr::memchr(b'\r', line)
}

/// Whether the first line of a file's opening bytes ends in a lone CR, i.e. the file uses
/// CR-only line ends (classic Mac OS). `complete` says the sample is the whole file.
pub fn first_line_ends_in_cr(sample: &[u8], complete: bool) -> bool {
    let first = match memchr::memchr(b'\n', sample) {
        Some(lf) => &sample[..lf],
        None => sample,
    };
    match memchr::memchr(b'\r', first) {
        // A CR right before the first LF is a CRLF; a CR as the very last byte of a partial
        // sample may be followed by an LF that was not read.
        Some(cr) => cr + 1 < first.len() || (cr + 1 == sample.len() && complete),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Vec<String>, QuoteProblem> {
        let mut line = text.as_bytes().to_vec();
        let mut fields = Vec::new();
        split_fields(&mut line, &mut fields)?;
        Ok(fields
            .into_iter()
            .map(|r| String::from_utf8(line[r].to_vec()).unwrap())
            .collect())
    }

    #[test]
    fn fields_are_split_and_unquoted_within_the_line() {
        assert_eq!(split("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split("a,").unwrap(), ["a", ""]);
        assert_eq!(
            split(r#""a,b","say ""hi""",c"#).unwrap(),
            ["a,b", r#"say "hi""#, "c"]
        );
        assert_eq!(split(r#" "x" ,"""","#).unwrap(), ["x", "\"", ""]);
        assert_eq!(split(r#"ab"c,d"#).unwrap(), [r#"ab"c"#, "d"]);
        assert_eq!(split("\"東京都\",住所").unwrap(), ["東京都", "住所"]);
    }

    #[test]
    fn quote_problems_name_their_field() {
        assert_eq!(
            split(r#""A,131011,0000000001"#),
            Err(QuoteProblem::Unclosed { field: 0 })
        );
        assert_eq!(split(r#"a,"b,c"#), Err(QuoteProblem::Unclosed { field: 1 }));
        assert_eq!(
            split(r#"a,b,"c"d,e"#),
            Err(QuoteProblem::AfterClosing { field: 2 })
        );
    }

    fn lines(bytes: &[u8], cap: usize) -> Vec<(LineEnd, Vec<u8>)> {
        // A tiny buffer makes lines span several refills.
        let mut reader = io::BufReader::with_capacity(3, bytes);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let end = read_line(&mut reader, &mut buf, cap).unwrap();
            if end == LineEnd::Eof {
                return out;
            }
            out.push((end, buf.clone()));
        }
    }

    #[test]
    fn lines_end_in_lf_or_crlf_and_long_ones_are_cut_at_the_cap() {
        let got = lines(b"ab\r\ncd\nefghij\nk\r\nxyz", 4);
        assert_eq!(
            got,
            vec![
                (LineEnd::Complete, b"ab".to_vec()),
                (LineEnd::Complete, b"cd".to_vec()),
                (LineEnd::TooLong { bytes: 6 }, b"efghi".to_vec()),
                (LineEnd::Complete, b"k".to_vec()),
                (LineEnd::Unterminated, b"xyz".to_vec()),
            ]
        );
        assert_eq!(
            lines(b"abcd\r\nabcde\r\n", 4),
            vec![
                (LineEnd::Complete, b"abcd".to_vec()),
                (LineEnd::TooLong { bytes: 6 }, b"abcde".to_vec()),
            ]
        );
        assert_eq!(
            lines(b"abcdefgh", 4),
            vec![(LineEnd::TooLong { bytes: 8 }, b"abcde".to_vec())]
        );
        assert_eq!(lines(b"", 4), vec![]);
        assert_eq!(lines(b"\n\n", 4).len(), 2);
    }

    #[test]
    fn cr_only_line_ends_are_recognised_from_the_first_line() {
        assert!(first_line_ends_in_cr(b"a,b\rc,d\r", true));
        assert!(first_line_ends_in_cr(b"a,b\r", true));
        assert!(!first_line_ends_in_cr(b"a,b\r", false), "an LF may follow");
        assert!(!first_line_ends_in_cr(b"a,b\r\nc\rd\r\n", true));
        assert!(!first_line_ends_in_cr(b"a,b\nc\n", true));
        assert!(first_line_ends_in_cr(b"a\rb\r\n", true));
    }
}
