//! Import benchmark: the figures of the registry issue, printed for docs/benchmarks.md.
//!
//! `cargo bench -p kiban-app --bench import` (or `scripts/bench`). Environment:
//! `KIBAN_BENCH_PERSONS` (default 1,000,000), `KIBAN_BENCH_ENCODING` (utf8|sjis, default
//! utf8), `KIBAN_BENCH_ENGINES` (sqlite,postgres), `KIBAN_BENCH_RUNS` (default 3),
//! `KIBAN_TEST_POSTGRES_URL`.
//!
//! Each measured phase runs in a child process so that its peak RSS (VmHWM) is its own. The
//! baseline is a raw bulk load of the same rows into a table of the same shape without any
//! parsing beyond splitting the line: prepared inserts in one transaction for SQLite, `COPY` for
//! PostgreSQL.

use kiban_app::import::{import_file, ImportOptions};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::Format;
use kiban_interchange::generate::{generate, GenerateOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

const RAW_TABLE: &str = "CREATE TABLE raw_versions (kind TEXT NOT NULL, insurer TEXT NOT NULL, insured TEXT NOT NULL, history INTEGER NOT NULL, operation TEXT NOT NULL, applies_from TEXT NOT NULL, content_hash TEXT NOT NULL, body TEXT NOT NULL, import_id BIGINT NOT NULL, PRIMARY KEY (kind, insurer, insured, history))";

fn main() {
    if let Ok(phase) = std::env::var("KIBAN_BENCH_PHASE") {
        let dir = PathBuf::from(std::env::var("KIBAN_BENCH_DIR").expect("dir"));
        let started = Instant::now();
        let rows = match phase.as_str() {
            "import-sqlite" => {
                let path = dir.join("import.db");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                import(&format!("sqlite://{}", path.display()), &dir)
            }
            "raw-sqlite" => raw_sqlite(&dir),
            "import-postgres" => import(&pg_url("kiban_bench_import"), &dir),
            "raw-postgres" => raw_postgres(&dir),
            other => panic!("unknown phase {other}"),
        };
        println!(
            "RESULT {phase} {rows} {:.3} {}",
            started.elapsed().as_secs_f64(),
            peak_rss_kib()
        );
        return;
    }
    let persons: u64 = std::env::var("KIBAN_BENCH_PERSONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let encoding =
        Encoding::parse(&std::env::var("KIBAN_BENCH_ENCODING").unwrap_or_else(|_| "utf8".into()))
            .expect("encoding");
    let engines = std::env::var("KIBAN_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-import");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let options = GenerateOptions {
        insurer: kiban_domain::ids::InsurerNumber::parse("131011").unwrap(),
        persons,
        seed: 7,
        format: Format::Csv,
        encoding,
        created: "20261101090000".into(),
        as_of: kiban_domain::Date::parse_yyyymmdd("20261101").unwrap(),
    };
    let t = Instant::now();
    let summary = generate(&dir.join("files"), &options, &mut |_| {}).unwrap();
    let rows: u64 = summary.files.iter().map(|(_, n)| n).sum();
    let bytes: u64 = summary
        .files
        .iter()
        .map(|(p, _)| std::fs::metadata(p).unwrap().len())
        .sum();
    println!(
        "generate: {persons} persons, {rows} rows, {:.1} MB, {} in {:.2} s",
        bytes as f64 / 1e6,
        encoding.name(),
        t.elapsed().as_secs_f64()
    );
    let runs: usize = std::env::var("KIBAN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for engine in engines.split(',') {
        // Phases alternate so that disk write-back and other load hit both alike; the median of
        // the runs is reported.
        let (mut imports, mut raws) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            imports.push(phase(&format!("import-{engine}"), &dir));
            raws.push(phase(&format!("raw-{engine}"), &dir));
        }
        let (imp, raw) = (median(&mut imports), median(&mut raws));
        let all = |v: &[(u64, f64, u64)]| {
            v.iter()
                .map(|r| format!("{:.2}", r.1))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!("{engine}: import {} rows in {:.2} s (median of {runs}: {}) = {:.0} rows/s ({:.0} persons/s), peak RSS {:.0} MB", imp.0, imp.1, all(&imports), imp.0 as f64 / imp.1, persons as f64 / imp.1, imp.2 as f64 / 1024.0);
        println!("{engine}: raw bulk load {} rows in {:.2} s (median of {runs}: {}) = {:.0} rows/s, peak RSS {:.0} MB", raw.0, raw.1, all(&raws), raw.0 as f64 / raw.1, raw.2 as f64 / 1024.0);
        println!(
            "{engine}: import rate / raw rate = {:.0}%",
            (imp.0 as f64 / imp.1) / (raw.0 as f64 / raw.1) * 100.0
        );
    }
}

fn median(runs: &mut [(u64, f64, u64)]) -> (u64, f64, u64) {
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    let peak = runs.iter().map(|r| r.2).max().unwrap_or(0);
    let m = runs[runs.len() / 2];
    (m.0, m.1, peak)
}

/// Runs a phase in a child process; returns (rows, seconds, peak RSS KiB).
fn phase(name: &str, dir: &Path) -> (u64, f64, u64) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("KIBAN_BENCH_PHASE", name)
        .env("KIBAN_BENCH_DIR", dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT"))
        .unwrap_or_else(|| panic!("{name} failed: {}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<&str> = line.split_whitespace().collect();
    (
        f[2].parse().unwrap(),
        f[3].parse().unwrap(),
        f[4].parse().unwrap(),
    )
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("files"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn pg_url(schema: &str) -> String {
    let base = kiban_testkit::postgres_url();
    let mut admin =
        postgres::Client::connect(&base, postgres::NoTls).expect("PostgreSQL reachable");
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    format!("{base}?options=-csearch_path%3D{schema}")
}

fn import(url: &str, dir: &Path) -> u64 {
    let mut conn = kiban_app::Connection::open(url).unwrap();
    conn.migrate().unwrap();
    let mut rows = 0;
    for file in files(dir) {
        let report = import_file(&mut conn, &file, &ImportOptions::default(), &mut |_| {}).unwrap();
        assert_eq!(report.rows_rejected, 0, "{:?}", report.issues.first());
        assert_eq!(
            report.outcome,
            kiban_app::import::Outcome::Committed,
            "a fresh database each run"
        );
        rows += report.rows_inserted;
    }
    rows
}

/// The raw rows: each data line split on commas, its first six fields as key columns and the
/// whole line as the body.
fn raw_rows(dir: &Path, mut sink: impl FnMut(&[&str], &str)) -> u64 {
    let mut n = 0;
    for file in files(dir) {
        let kind = file
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .split('_')
            .next()
            .unwrap()
            .to_string();
        let bytes = std::fs::File::open(&file).unwrap();
        let mut reader = BufReader::with_capacity(1 << 20, bytes);
        let mut buf = Vec::new();
        reader.read_until(b'\n', &mut buf).unwrap();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).unwrap() == 0 {
                break;
            }
            let line = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&buf).0;
            let line = if std::str::from_utf8(&buf).is_ok() {
                std::borrow::Cow::Borrowed(std::str::from_utf8(&buf).unwrap())
            } else {
                line
            };
            let line = line.trim_end();
            let f: Vec<&str> = line.splitn(6, ',').collect();
            sink(&[&kind, f[1], f[2], f[3], f[0], f[4]], line);
            n += 1;
        }
    }
    n
}

fn raw_sqlite(dir: &Path) -> u64 {
    let path = dir.join("raw.db");
    let _ = std::fs::remove_file(&path);
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(&format!("{RAW_TABLE} WITHOUT ROWID"))
        .unwrap();
    let tx = conn.transaction().unwrap();
    let n = {
        let mut stmt = tx
            .prepare("INSERT INTO raw_versions VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7, 1)")
            .unwrap();
        raw_rows(dir, |k, line| {
            stmt.execute(rusqlite::params![k[0], k[1], k[2], k[3], k[4], k[5], line])
                .unwrap();
        })
    };
    tx.commit().unwrap();
    n
}

fn raw_postgres(dir: &Path) -> u64 {
    let url = pg_url("kiban_bench_raw");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client.batch_execute(RAW_TABLE).unwrap();
    let mut tx = client.transaction().unwrap();
    let mut writer = tx.copy_in("COPY raw_versions FROM STDIN").unwrap();
    let mut buf = Vec::with_capacity(1 << 20);
    let n = raw_rows(dir, |k, line| {
        for f in k {
            kiban_store::copy_field(&mut buf, Some(f));
            buf.push(b'\t');
        }
        buf.extend_from_slice(b"\t");
        kiban_store::copy_field(&mut buf, Some(line));
        buf.extend_from_slice(b"\t1\n");
        if buf.len() > 1 << 20 {
            writer.write_all(&buf).unwrap();
            buf.clear();
        }
    });
    writer.write_all(&buf).unwrap();
    writer.finish().unwrap();
    tx.commit().unwrap();
    n
}
