//! `kiban careplan check | convert` end to end: a generated send unit checks clean, a 外字 is
//! reported with its line and column and fails the run, and V4 → V5 → V4 through the binary
//! gives back the very bytes.

use super::{kiban, ok};
use kiban_domain::careplan::YearMonth;
use kiban_domain::ids::InsurerNumber;
use kiban_interchange::careplan::UnitKind;
use kiban_interchange::generate::careplan::{month, CarePlanSpec};

const NO_DATABASE: &str = "sqlite://./unused.db";

#[test]
fn check_and_convert_work_on_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let g = month(&CarePlanSpec {
        insurer: InsurerNumber::parse("131011").unwrap(),
        persons: 4,
        insured: Vec::new(),
        month: YearMonth::parse("202609").unwrap(),
        care_offices: 1,
        service_offices: 5,
        seed: 5,
        created: "20260901090000".into(),
        deletions: false,
    });
    let unit = g.units.iter().find(|u| u.kind == UnitKind::Plan).unwrap();
    let persons = kiban_interchange::careplan::read_unit(&unit.files)
        .unwrap()
        .persons
        .len();
    let v4 = dir.path().join("v4");
    std::fs::create_dir_all(&v4).unwrap();
    let mut paths = Vec::new();
    for (name, bytes) in &unit.files {
        std::fs::write(v4.join(name), bytes).unwrap();
        paths.push(v4.join(name).to_str().unwrap().to_string());
    }
    let run = |first: &[&str]| {
        let mut argv: Vec<&str> = first.to_vec();
        argv.extend(paths.iter().map(String::as_str));
        kiban(NO_DATABASE, &argv, dir.path())
    };

    let checked = ok(run(&["careplan", "check"]));
    assert!(
        checked.contains(&format!(
            "利用者 {persons} 人（受付可 {persons} 人・エラー 0 件）"
        )),
        "{checked}"
    );

    let json = ok(run(&["careplan", "convert", "--to", "v5"]));
    assert!(
        json.lines().all(|l| l.contains("\"version\":\"5.0\"")),
        "{json}"
    );
    let jsonl = dir.path().join("unit.jsonl");
    std::fs::write(&jsonl, &json).unwrap();
    let back = dir.path().join("back");
    ok(kiban(
        NO_DATABASE,
        &[
            "careplan",
            "convert",
            "--to",
            "v4",
            "--out",
            back.to_str().unwrap(),
            jsonl.to_str().unwrap(),
        ],
        dir.path(),
    ));
    for (name, bytes) in &unit.files {
        assert_eq!(
            &std::fs::read(back.join(name)).unwrap(),
            bytes,
            "{name} round-trips byte for byte"
        );
    }

    // A 外字 in the first 第2表 line's 課題 (column 7).
    let up2 = paths.iter().find(|p| p.contains("UP2KYO_")).unwrap();
    let mut bytes = std::fs::read(up2).unwrap();
    kiban_testkit::careplan::insert_gaiji(&mut bytes, 7);
    std::fs::write(up2, bytes).unwrap();
    let refused = run(&["careplan", "check"]);
    assert!(!refused.status.success());
    let out = String::from_utf8_lossy(&refused.stdout);
    assert!(
        out.contains("\t1行\t7列\t課題\tCHARACTER_INVALID\t外字"),
        "{out}"
    );
    assert!(out.contains(&format!("受付可 {} 人", persons - 1)), "{out}");
}
