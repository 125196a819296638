//! The CSV header row: decoding it and mapping its names (日本語 or English) onto the
//! canonical columns.

use super::{reject, CsvReader, FileRejected};
use crate::encoding::Encoding;
use crate::layout::{self, Column};
use std::fs::File;
use std::io::BufReader;

/// Reads and checks the header row, returning the reader positioned on the first data row.
pub(super) fn open_csv(
    reader: BufReader<File>,
    encoding: Encoding,
    kind: kiban_domain::records::RecordKind,
) -> Result<(CsvReader, Vec<usize>), FileRejected> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut header = csv::ByteRecord::new();
    match csv.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            return Err(reject(
                1,
                "HEADER_MISSING",
                "見出し行がありません".into(),
                "the header row is missing".into(),
            ))
        }
        Err(e) => {
            return Err(reject(
                1,
                "HEADER_INVALID",
                format!("見出し行を読めません: {e}"),
                format!("cannot read the header row: {e}"),
            ))
        }
    }
    let names: Vec<String> = header
        .iter()
        .map(|b| encoding.decode(b).map(|s| s.trim().to_string()))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            reject(
                1,
                "ENCODING_INVALID",
                format!("見出し行の文字コードが{}として不正です", encoding.name()),
                format!("header row is not valid {}", encoding.name()),
            )
        })?;
    let positions = map_header(layout::columns(kind), &names)?;
    Ok((csv, positions))
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
