//! The CSV header row: decoding it and mapping its names (日本語 or English) onto the
//! canonical columns.

use super::line::{read_line, split_fields, LineEnd, MAX_LINE_BYTES};
use super::{reject, FileRejected};
use crate::encoding::Encoding;
use crate::layout::{self, Column};
use std::fs::File;
use std::io::BufReader;

/// Reads and checks the header row (line 1), leaving the reader on the first data row.
/// Returns, for each canonical column, its position in the file.
pub(super) fn read_header(
    reader: &mut BufReader<File>,
    buf: &mut Vec<u8>,
    encoding: Encoding,
    kind: kiban_domain::records::RecordKind,
) -> Result<Vec<usize>, FileRejected> {
    let invalid = |ja: String, en: String| reject(1, "HEADER_INVALID", ja, en);
    match read_line(reader, buf, MAX_LINE_BYTES) {
        Ok(LineEnd::Complete | LineEnd::Unterminated) => {}
        Ok(LineEnd::Eof) => {
            return Err(reject(
                1,
                "HEADER_MISSING",
                "見出し行がありません".into(),
                "the header row is missing".into(),
            ))
        }
        Ok(LineEnd::TooLong { bytes }) => {
            return Err(invalid(
                format!("見出し行が長すぎます: {bytes}バイト（上限 {MAX_LINE_BYTES} バイト）"),
                format!("the header row is {bytes} bytes long, over the limit of {MAX_LINE_BYTES}"),
            ))
        }
        Err(e) => {
            return Err(invalid(
                format!("見出し行を読めません: {e}"),
                format!("cannot read the header row: {e}"),
            ))
        }
    }
    let mut fields = Vec::new();
    split_fields(buf, &mut fields).map_err(|_| {
        invalid(
            "見出し行の引用符(\")が正しく閉じられていません".into(),
            "the header row has a quote (\") that is not closed properly".into(),
        )
    })?;
    let names: Vec<String> = fields
        .into_iter()
        .map(|r| encoding.decode(&buf[r]).map(|s| s.trim().to_string()))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            reject(
                1,
                "ENCODING_INVALID",
                format!("見出し行の文字コードが{}として不正です", encoding.name()),
                format!("header row is not valid {}", encoding.name()),
            )
        })?;
    map_header(layout::columns(kind), &names)
}

/// Maps canonical columns to positions in the header, accepting Japanese or English names.
fn map_header(columns: &[Column], names: &[String]) -> Result<Vec<usize>, FileRejected> {
    let known = |n: &str| columns.iter().any(|c| c.ja == n || c.en == n);
    if !names.iter().any(|n| known(n)) {
        return Err(reject(
            1,
            "HEADER_MISSING",
            format!(
                "1行目が見出し行ではありません（先頭項目: {:?}）",
                names.first().map(String::as_str).unwrap_or("")
            ),
            "line 1 is not a header row (no known column name)".into(),
        ));
    }
    if let Some(unknown) = names.iter().find(|n| !known(n)) {
        return Err(reject(
            1,
            "HEADER_INVALID",
            format!("見出しに不明な項目があります: {unknown:?}"),
            format!("unknown column in header: {unknown:?}"),
        ));
    }
    columns
        .iter()
        .map(|c| {
            let found: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| **n == c.ja || **n == c.en)
                .map(|(i, _)| i)
                .collect();
            match found[..] {
                [i] => Ok(i),
                [] => Err(reject(
                    1,
                    "HEADER_INVALID",
                    format!("見出しに項目「{}」がありません", c.ja),
                    format!("header lacks column {:?}", c.en),
                )),
                _ => Err(reject(
                    1,
                    "HEADER_INVALID",
                    format!("見出しに項目「{}」が重複しています", c.ja),
                    format!("column {:?} appears twice", c.en),
                )),
            }
        })
        .collect()
}
