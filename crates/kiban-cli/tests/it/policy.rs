//! `kiban export` and `kiban stats` act for the municipality under a stated purpose: the policy
//! narrows what is written, every access is on the audit log, and the flags are checked.

use super::{audit_events, kiban, ok, sorted_files};
use kiban_testkit::{on_both_engines, TestDb};
use std::path::Path;

fn registry(db: &TestDb, work: &Path) {
    let gen = work.join("gen");
    ok(kiban(
        &db.url,
        &[
            "generate",
            "--persons",
            "300",
            "--out",
            gen.to_str().unwrap(),
        ],
        work,
    ));
    let mut args = vec!["import".to_string()];
    args.extend(sorted_files(&gen).iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(kiban(&db.url, &args, work));
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn the_purpose_narrows_the_export_and_every_run_is_audited(db: &mut TestDb) {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    registry(db, work);
    let before = audit_events(&db.url, work);
    assert_eq!(before, 0, "importing reads nobody's data for an actor");

    // 指導 does not cover 住宅改修・福祉用具: those persons are refused, their files not written.
    let out_dir = work.join("guidance");
    let out = kiban(
        &db.url,
        &[
            "export",
            "--insurer",
            "131011",
            "--out",
            out_dir.to_str().unwrap(),
            "--purpose",
            "guidance",
            "--operator",
            "suzuki",
        ],
        work,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("CATEGORY_NOT_PERMITTED_FOR_PURPOSE"),
        "{}",
        stderr_of(&out)
    );
    let names: Vec<String> = sorted_files(&out_dir)
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .split('_')
                .next()
                .unwrap()
                .into()
        })
        .collect();
    assert_eq!(names, ["FUTAN", "GENMEN", "HIHO"]);
    let exported = audit_events(&db.url, work);
    assert!(
        exported > 300,
        "one event per person and category: {exported}"
    );

    // Statistics are one event per run.
    let stats = ok(kiban(
        &db.url,
        &[
            "stats",
            "--as-of",
            "20261101",
            "--json",
            "--purpose",
            "review",
        ],
        work,
    ));
    assert!(stats.contains("insured_persons"), "{stats}");
    assert_eq!(audit_events(&db.url, work), exported + 1);

    // Bad flags are refused before anything is read or logged.
    let bad = kiban(&db.url, &["stats", "--purpose", "marketing"], work);
    assert!(!bad.status.success());
    assert!(stderr_of(&bad).contains("marketing"), "{}", stderr_of(&bad));
    let bad = kiban(&db.url, &["export", "--out", "x", "--operator", ""], work);
    assert!(!bad.status.success());
    assert_eq!(audit_events(&db.url, work), exported + 1);
}

on_both_engines!(the_purpose_narrows_the_export_and_every_run_is_audited);
