//! What the fuzz targets share: the fixed clock and trust roots the seeds were made under, the
//! framing of several files in one input, and the municipal file round trip.
//!
//! The roots in `fixtures/` are public certificates only (their keys were thrown away after
//! `seed` signed the seed certificates), so a seed's signature verifies and the fuzzer starts
//! from inputs that reach every check, not only the parser's first refusal.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kiban_crypto::time::{Duration, OffsetDateTime};
use kiban_crypto::{Challenge, TrustAnchor};
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber};
use kiban_domain::records::{RecordKind, Version};
use kiban_interchange::check::WithinFile;
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::{FileName, Format, LoadMode};
use kiban_interchange::layout::Row;
use kiban_interchange::reader::FileReader;
use kiban_interchange::writer::Writer;

/// The time every target verifies at, inside the validity of the fixture certificates.
pub fn now() -> OffsetDateTime {
    // 2026-06-01T00:00:00Z.
    OffsetDateTime::from_unix_timestamp(1_780_272_000).expect("a valid time")
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn anchor(cell: &'static OnceLock<TrustAnchor>, file: &str) -> &'static TrustAnchor {
    cell.get_or_init(|| {
        let path = fixtures_dir().join(file);
        let pem = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run fuzz/seed.sh first)", path.display()));
        TrustAnchor::from_pem(&pem).expect("a fixture root")
    })
}

/// The client-certificate CA (offices and medical institutions).
pub fn client_root() -> &'static TrustAnchor {
    static CELL: OnceLock<TrustAnchor> = OnceLock::new();
    anchor(&CELL, "client-ca.pem")
}

/// The card root (My Number card stand-in).
pub fn card_root() -> &'static TrustAnchor {
    static CELL: OnceLock<TrustAnchor> = OnceLock::new();
    anchor(&CELL, "card-root.pem")
}

/// The physician root (HPKI stand-in).
pub fn physician_root() -> &'static TrustAnchor {
    static CELL: OnceLock<TrustAnchor> = OnceLock::new();
    anchor(&CELL, "physician-root.pem")
}

/// The one challenge the card-signature seeds answer.
pub fn challenge() -> Challenge {
    Challenge {
        id: "fuzz-challenge-0001".into(),
        nonce: vec![7; 32],
        expires_at: now() + Duration::minutes(2),
    }
}

/// Separates the files of one input (a V4 send unit): each part is `<file name>\n<bytes>`.
pub const FILE_SEPARATOR: &[u8] = b"\n--kiban-fuzz-next-file--\n";

pub fn split_files(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut rest = data;
    loop {
        let (part, next) = match find(rest, FILE_SEPARATOR) {
            Some(at) => (&rest[..at], Some(&rest[at + FILE_SEPARATOR.len()..])),
            None => (rest, None),
        };
        let (name, bytes) = match part.iter().position(|&b| b == b'\n') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &[][..]),
        };
        files.push((String::from_utf8_lossy(name).into_owned(), bytes.to_vec()));
        match next {
            Some(next) => rest = next,
            None => return files,
        }
    }
}

pub fn join_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(FILE_SEPARATOR);
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(bytes);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub const INSURER: &str = "131011";

/// The first byte of a municipal input chooses the record kind and the declared encoding
/// (none: detected; UTF-8; Shift_JIS); the rest is the file.
pub fn municipal_selector(kind: RecordKind, declared: Option<Encoding>) -> u8 {
    let k = RecordKind::ALL
        .iter()
        .position(|&k| k == kind)
        .expect("a kind") as u8;
    let e = match declared {
        None => 0,
        Some(Encoding::Utf8) => 1,
        Some(Encoding::ShiftJis) => 2,
    };
    e * 5 + k
}

pub fn municipal_file_name(kind: RecordKind, format: Format) -> String {
    FileName {
        kind,
        insurer: InsurerNumber::parse(INSURER).expect("a valid insurer"),
        mode: LoadMode::Full,
        created: "20261125093000".into(),
        format,
    }
    .to_string()
}

/// A per-process scratch directory in memory where possible: the reader takes a path.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("kiban-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

/// Every row of a file: the versions read, and whether the file was refused as a whole.
fn read_versions(
    path: &Path,
    declared: Option<Encoding>,
) -> Option<(Encoding, Vec<(u64, Version)>)> {
    let mut reader = FileReader::open(path, CheckDigitPolicy::Enforce, declared).ok()?;
    let mut within = WithinFile::default();
    let mut versions = Vec::new();
    let mut last_line = 0;
    while let Some(outcome) = reader.next_row() {
        assert!(
            outcome.line >= last_line,
            "rows go forward: line {} after {last_line}",
            outcome.line
        );
        last_line = last_line.max(outcome.line);
        for issue in outcome.result.as_ref().err().into_iter().flatten() {
            assert!(issue.is_error(), "a refused row has an error: {issue:?}");
        }
        if let Ok((row, _warnings)) = outcome.result {
            let _ = within.check(outcome.line, &row);
            if let Row::Version(v) = row {
                versions.push((outcome.line, v));
            }
        }
    }
    Some((reader.encoding, versions))
}

/// Reads a municipal file, then writes the versions it accepted with the canonical writer and
/// reads that back: export → import must give the same versions.
pub fn municipal_round_trip(data: &[u8], format: Format) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let kind = RecordKind::ALL[usize::from(selector % 5)];
    let declared = match (selector / 5) % 3 {
        0 => None,
        1 => Some(Encoding::Utf8),
        _ => Some(Encoding::ShiftJis),
    };
    let name = municipal_file_name(kind, format);
    let path = scratch().join(&name);
    std::fs::write(&path, file).expect("scratch write");
    let Some((encoding, versions)) = read_versions(&path, declared) else {
        return;
    };
    if versions.is_empty() {
        return;
    }
    let mut writer = Writer::new(Vec::new(), kind, format, encoding).expect("a writer");
    for (line, v) in &versions {
        writer
            .write(v)
            .unwrap_or_else(|e| panic!("line {line}: an accepted version must write back: {e}"));
    }
    let written = writer.finish().expect("in memory");
    std::fs::write(&path, &written).expect("scratch write");
    let (_, again) = read_versions(&path, Some(encoding)).expect("the written file opens");
    let again: Vec<&Version> = again.iter().map(|(_, v)| v).collect();
    let first: Vec<&Version> = versions.iter().map(|(_, v)| v).collect();
    assert_eq!(first, again, "export → import changed the versions");
}
