//! Writes interchange files in the canonical form: the Japanese header, fields as
//! [`layout::format_version`] prints them, CRLF for CSV and LF for JSON Lines. Generating and
//! exporting share this writer, which is what makes generate → import → export byte-identical.

use crate::encoding::Encoding;
use crate::file_name::Format;
use crate::layout;
use kiban_domain::records::{RecordKind, Version};
use std::io::{self, Write};

pub struct Writer<W: Write> {
    out: W,
    kind: RecordKind,
    format: Format,
    encoding: Encoding,
    line: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Starts a file and writes its header row (CSV only).
    pub fn new(
        mut out: W,
        kind: RecordKind,
        format: Format,
        encoding: Encoding,
    ) -> io::Result<Self> {
        if format == Format::JsonLines && encoding != Encoding::Utf8 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "JSON Lines files are always UTF-8",
            ));
        }
        if format == Format::Csv {
            let header: Vec<String> = layout::columns(kind)
                .iter()
                .map(|c| c.ja.to_string())
                .collect();
            let mut line = Vec::new();
            csv_line(&mut line, &header, encoding)?;
            out.write_all(&line)?;
        }
        Ok(Self {
            out,
            kind,
            format,
            encoding,
            line: Vec::new(),
        })
    }

    pub fn write(&mut self, version: &Version) -> io::Result<()> {
        debug_assert_eq!(version.body.kind(), self.kind);
        let values = layout::format_version(version);
        self.line.clear();
        match self.format {
            Format::Csv => csv_line(&mut self.line, &values, self.encoding)?,
            Format::JsonLines => json_line(&mut self.line, layout::columns(self.kind), &values),
        }
        self.out.write_all(&self.line)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn csv_line(buf: &mut Vec<u8>, values: &[String], encoding: Encoding) -> io::Result<()> {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let bytes = encoding.encode(v).map_err(|ch| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{ch:?} (U+{:04X}) は{}で表せません / cannot be encoded in {}",
                    ch as u32,
                    encoding.name(),
                    encoding.name()
                ),
            )
        })?;
        if v.contains([',', '"', '\n', '\r']) {
            buf.push(b'"');
            for &b in bytes.iter() {
                if b == b'"' {
                    buf.push(b'"');
                }
                buf.push(b);
            }
            buf.push(b'"');
        } else {
            buf.extend_from_slice(&bytes);
        }
    }
    buf.extend_from_slice(b"\r\n");
    Ok(())
}

fn json_line(buf: &mut Vec<u8>, columns: &[layout::Column], values: &[String]) {
    buf.push(b'{');
    for (i, (c, v)) in columns.iter().zip(values).enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, c.en).expect("writing to a Vec");
        buf.push(b':');
        serde_json::to_writer(&mut *buf, v).expect("writing to a Vec");
    }
    buf.extend_from_slice(b"}\n");
}
