//! `kiban import` killed with SIGKILL at random points of a
//! 300,000-person load, then rerun, leaves the registry equal to a clean import's: the same
//! `kiban stats --json` and an export equal byte for byte. Between kills, every file is either
//! wholly committed or not at all (one transaction per file), never half.
//!
//! The kill points are drawn from a seed printed by the test (`KIBAN_CRASH_SEED` replays one).

use kiban_testkit::TestDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use super::{next, seed};
use crate::{kiban, ok, sorted_files};

const PERSONS: &str = "300000";
const AS_OF: &str = "20261101";
const CREATED: &str = "20261201000000";
const KILLS: usize = 3;

/// One generated municipality for both engines' tests (generation is deterministic).
fn generated() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gen");
        ok(kiban(
            "sqlite://unused",
            &[
                "generate",
                "--persons",
                PERSONS,
                "--out",
                out.to_str().unwrap(),
                "--seed",
                "13",
            ],
            dir.path(),
        ));
        let files = sorted_files(&out);
        assert_eq!(files.len(), 5);
        (dir, files)
    })
}

fn import_args(files: &[PathBuf]) -> Vec<String> {
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args
}

/// `versions_by_kind` of `kiban stats --json`: kind → versions stored (nothing for a database
/// that holds no insurer yet: stats prints one object per insurer).
fn versions_by_kind(stats: &str) -> BTreeMap<String, u64> {
    if stats.trim().is_empty() {
        return BTreeMap::new();
    }
    let value: serde_json::Value = serde_json::from_str(stats).expect("stats JSON");
    value["versions_by_kind"]
        .as_array()
        .expect("versions_by_kind")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_u64().unwrap(),
            )
        })
        .collect()
}

fn stats(db: &str, cwd: &Path) -> String {
    ok(kiban(db, &["stats", "--as-of", AS_OF, "--json"], cwd))
}

fn export(db: &str, cwd: &Path, out: &Path) -> Vec<(String, Vec<u8>)> {
    ok(kiban(
        db,
        &[
            "export",
            "--insurer",
            "131011",
            "--out",
            out.to_str().unwrap(),
            "--created",
            CREATED,
        ],
        cwd,
    ));
    sorted_files(out)
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn killed_imports_then_rerun_equal_a_clean_import(clean: TestDb, fresh_db: fn() -> TestDb) {
    let (_, files) = generated();
    let work = tempfile::tempdir().unwrap();
    let args = import_args(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let started = Instant::now();
    ok(kiban(&clean.url, &args, work.path()));
    let clean_time = started.elapsed();
    let clean_stats = stats(&clean.url, work.path());
    let full = versions_by_kind(&clean_stats);
    assert_eq!(full.values().filter(|&&n| n > 0).count(), 5, "{full:?}");
    let clean_export = export(&clean.url, work.path(), &work.path().join("clean"));

    let seed = seed();
    eprintln!("crash harness: KIBAN_CRASH_SEED={seed} (clean import {clean_time:?})");
    let total: u64 = full.values().sum();
    let mut rng = seed;
    let mut crashed = fresh_db();
    // What the crashed database holds, read after each kill (a fresh one holds nothing).
    let mut now: BTreeMap<String, u64> = BTreeMap::new();
    let mut interrupted = 0;
    let mut attempts = 0;
    while interrupted < KILLS {
        attempts += 1;
        assert!(
            attempts <= KILLS * 4,
            "only {interrupted} of {KILLS} kills landed inside a running import after {} tries (seed {seed})",
            attempts - 1
        );
        // A rerun skips the files already committed, so the kill is drawn within the work still
        // left: anywhere from the start to 90% of it (before the first commit, inside the
        // 被保険者証 file, between files).
        let left: u64 = full
            .iter()
            .filter(|(kind, n)| now.get(*kind) != Some(n))
            .map(|(_, n)| n)
            .sum();
        if left == 0 {
            // The last kill came after the last commit: nothing is left to interrupt, so the
            // remaining kills go to a fresh database.
            crashed = fresh_db();
            now.clear();
            continue;
        }
        let budget = clean_time.mul_f64(left as f64 / total as f64);
        let at = budget.mul_f64((next(&mut rng) % 900) as f64 / 1000.0);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiban"))
            .args(&args)
            .env("KIBAN_DATABASE_URL", &crashed.url)
            .current_dir(work.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let finished_first = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if !finished_first && status.code().is_none() {
            interrupted += 1;
        }
        // Never half a file: each kind holds nothing or everything of its file.
        now = versions_by_kind(&stats(&crashed.url, work.path()));
        for (kind, &n) in &now {
            assert!(
                n == 0 || n == full[kind],
                "kill {attempts} at {at:?} (seed {seed}) left {n} of {} {kind} versions",
                full[kind]
            );
        }
    }

    ok(kiban(&crashed.url, &args, work.path()));
    assert_eq!(stats(&crashed.url, work.path()), clean_stats, "seed {seed}");
    let crashed_export = export(&crashed.url, work.path(), &work.path().join("crashed"));
    assert_eq!(crashed_export.len(), clean_export.len());
    for ((name, bytes), (clean_name, clean_bytes)) in crashed_export.iter().zip(&clean_export) {
        assert_eq!(name, clean_name);
        assert!(
            bytes == clean_bytes,
            "{name} differs from the clean import's export (seed {seed})"
        );
    }
}

#[test]
fn import_killed_at_random_points_then_rerun_equals_a_clean_import_on_sqlite() {
    killed_imports_then_rerun_equal_a_clean_import(TestDb::sqlite(), TestDb::sqlite);
}

#[test]
fn import_killed_at_random_points_then_rerun_equals_a_clean_import_on_postgres() {
    killed_imports_then_rerun_equal_a_clean_import(TestDb::postgres(), TestDb::postgres);
}
