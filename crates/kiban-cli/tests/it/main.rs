//! The `kiban` binary end to end: generate → import → export must reproduce the generated
//! files byte for byte, on both engines, and the CLI must report clearly.

mod cards;
mod careplan;
mod checkpoints;
mod cluster;
mod crash;
mod failover;
mod keys;
mod physician;
mod policy;
mod revocation;
mod running;
mod serve;

use kiban_testkit::TestDb;
use std::path::Path;
use std::process::{Command, Output};

fn kiban(database: &str, args: &[&str], cwd: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kiban"))
        .args(args)
        .env("KIBAN_DATABASE_URL", database)
        .current_dir(cwd)
        .output()
        .expect("kiban runs");
    out
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kiban failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The events `kiban audit verify` checked; fails unless the chain is intact.
fn audit_events(database: &str, cwd: &Path) -> u64 {
    let report = ok(kiban(database, &["audit", "verify", "--json"], cwd));
    assert!(report.contains("\"fault\": null"), "{report}");
    serde_json_lite::number(&report, "events_verified") as u64
}

/// `kiban audit verify --json --data-dir DATA` (the external checkpoint logs included) on
/// `database`: fails unless the chain is intact; returns the report.
fn audit_intact(database: &str, data: &Path) -> String {
    let report = ok(kiban(
        database,
        &[
            "audit",
            "verify",
            "--json",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        data,
    ));
    assert!(report.contains("\"fault\": null"), "{report}");
    report
}

/// The audit events an export of these CSV files makes: one per person and category
/// (資格情報: HIHO, FUTAN, GENMEN; 住宅改修・福祉用具: JUTAKU, FUKUSHI).
fn export_events(files: &[std::path::PathBuf]) -> u64 {
    let mut categories = [std::collections::BTreeSet::new(), Default::default()];
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let housing = name.starts_with("JUTAKU") || name.starts_with("FUKUSHI");
        let bytes = std::fs::read(file).unwrap();
        // 被保険者番号 is the third column; no Shift_JIS trail byte is a comma or a line feed.
        for line in bytes
            .split(|&b| b == b'\n')
            .skip(1)
            .filter(|l| !l.is_empty())
        {
            let insured = line.split(|&b| b == b',').nth(2).unwrap().to_vec();
            categories[housing as usize].insert(insured);
        }
    }
    categories.iter().map(|c| c.len() as u64).sum()
}

fn sorted_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Generates, imports and exports `persons`, then compares every file byte for byte.
fn round_trip(db: &TestDb, persons: &str, encoding: &str, format: &str) {
    let work = tempfile::tempdir().unwrap();
    let (generated, exported) = (work.path().join("gen"), work.path().join("out"));
    let g = generated.to_str().unwrap();
    ok(kiban(
        &db.url,
        &[
            "generate",
            "--persons",
            persons,
            "--out",
            g,
            "--encoding",
            encoding,
            "--format",
            format,
            "--seed",
            "11",
        ],
        work.path(),
    ));
    let files = sorted_files(&generated);
    assert_eq!(files.len(), 5);
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ok(kiban(&db.url, &args, work.path()));
    assert!(out.contains("エラー 0"), "{out}");
    ok(kiban(
        &db.url,
        &[
            "export",
            "--insurer",
            "131011",
            "--out",
            exported.to_str().unwrap(),
            "--encoding",
            encoding,
            "--format",
            format,
            "--created",
            "20261101090000",
        ],
        work.path(),
    ));
    let exported_files = sorted_files(&exported);
    assert_eq!(
        exported_files
            .iter()
            .map(|p| p.file_name())
            .collect::<Vec<_>>(),
        files.iter().map(|p| p.file_name()).collect::<Vec<_>>()
    );
    for (a, b) in files.iter().zip(&exported_files) {
        let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert!(
            x == y,
            "{} differs after the round trip ({} vs {} bytes)",
            a.display(),
            x.len(),
            y.len()
        );
    }
    // Every exported person was decided and audited, and the chain still verifies.
    let events = audit_events(&db.url, work.path());
    if format == "csv" {
        assert_eq!(events, export_events(&files));
    } else {
        assert!(events > 0);
    }
}

#[test]
fn hundred_thousand_persons_round_trip_byte_identically_on_sqlite() {
    round_trip(&TestDb::sqlite(), "100000", "sjis", "csv");
}

#[test]
fn hundred_thousand_persons_round_trip_byte_identically_on_postgres() {
    round_trip(&TestDb::postgres(), "100000", "sjis", "csv");
}

#[test]
fn utf8_csv_and_json_lines_round_trip_too() {
    round_trip(&TestDb::sqlite(), "3000", "utf8", "csv");
    round_trip(&TestDb::postgres(), "3000", "utf8", "jsonl");
}

#[test]
fn reimporting_says_nothing_changed_and_stats_reflect_the_municipality() {
    let db = TestDb::sqlite();
    let work = tempfile::tempdir().unwrap();
    let gen = work.path().join("gen");
    ok(kiban(
        &db.url,
        &[
            "generate",
            "--persons",
            "5000",
            "--out",
            gen.to_str().unwrap(),
        ],
        work.path(),
    ));
    let card = sorted_files(&gen)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("HIHO"))
        .unwrap();
    ok(kiban(
        &db.url,
        &["import", card.to_str().unwrap()],
        work.path(),
    ));
    let again = ok(kiban(
        &db.url,
        &["import", card.to_str().unwrap()],
        work.path(),
    ));
    assert!(
        again.contains("取込済み") && again.contains("nothing changed"),
        "{again}"
    );
    let stats: serde_json_lite::Stats = serde_json_lite::parse(&ok(kiban(
        &db.url,
        &["stats", "--as-of", "20261101", "--json"],
        work.path(),
    )));
    assert!(
        stats.insured_persons > 4800 && stats.insured_persons <= 5000,
        "{stats:?}"
    );
    assert!(
        (15.0..=23.0).contains(&stats.certified_percent),
        "{stats:?}"
    );
}

#[test]
fn a_bad_file_exits_with_status_three_and_writes_a_report() {
    let db = TestDb::sqlite();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("FUTAN_131011_ZENKEN_20261101090000.csv");
    std::fs::write(&file, "操作区分,保険者番号,被保険者番号,履歴番号,適用開始年月日,負担割合,適用期間開始年月日,適用期間終了年月日,交付年月日\nA,131011,0000000001,1,20250801,7,20250801,20260731,20250715\n").unwrap();
    let out = kiban(
        &db.url,
        &["import", file.to_str().unwrap(), "--report-dir", "reports"],
        work.path(),
    );
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2行") && stdout.contains("CODE_UNKNOWN"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(
        work.path()
            .join("reports/FUTAN_131011_ZENKEN_20261101090000.csv.report.json"),
    )
    .unwrap();
    assert!(
        report.contains("\"code\": \"CODE_UNKNOWN\"")
            && report.contains("\"column\": \"負担割合\""),
        "{report}"
    );
}

#[test]
fn postgres_urls_are_printed_without_passwords() {
    let work = tempfile::tempdir().unwrap();
    let out = kiban(
        "postgres://kiban:s3cret@127.0.0.1:1/none",
        &["migrate"],
        work.path(),
    );
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "{all}");
}

/// Just enough JSON reading for the stats output, without a serde_json dev-dependency.
mod serde_json_lite {
    #[derive(Debug)]
    pub struct Stats {
        pub insured_persons: u64,
        pub certified_percent: f64,
    }
    pub fn number(text: &str, key: &str) -> f64 {
        let at = text
            .find(&format!("\"{key}\""))
            .unwrap_or_else(|| panic!("{key} in {text}"));
        let rest = &text[at + key.len() + 3..];
        rest.trim_start()
            .split([',', '\n', '}'])
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
    pub fn parse(text: &str) -> Stats {
        Stats {
            insured_persons: number(text, "insured_persons") as u64,
            certified_percent: number(text, "certified_percent"),
        }
    }
}
