//! The official V4 layout (第4.1版): every file kind read from a hand-written golden file and
//! written back byte for byte; each refusal with its place.

use kiban_interchange::careplan::{read_file, write_file, FileError, FileKind, OfficialFile};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v4")
}

fn goldens() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "CSV"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn golden(prefix: &str) -> (String, Vec<u8>) {
    goldens()
        .into_iter()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no golden {prefix}"))
}

fn write_back(file: &OfficialFile) -> Vec<u8> {
    let records: Vec<_> = file
        .lines
        .iter()
        .map(|l| (l.common.unwrap(), l.record.clone().unwrap()))
        .collect();
    let (name, bytes) = write_file(&file.name, &records).unwrap();
    assert_eq!(name, file.file_name);
    bytes
}

#[test]
fn every_kind_reads_from_its_golden_file_and_writes_back_byte_for_byte() {
    let mut kinds = BTreeSet::new();
    for (name, bytes) in goldens() {
        let file = read_file(&name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for l in &file.lines {
            assert!(l.issues.is_empty(), "{name}:{}: {:?}", l.line, l.issues);
            assert!(l.record.is_some(), "{name}:{}", l.line);
        }
        assert_eq!(
            write_back(&file),
            bytes,
            "{name} is written back byte for byte"
        );
        kinds.insert(file.name.kind);
    }
    let csv_kinds: BTreeSet<FileKind> = FileKind::ALL.into_iter().filter(|k| k.is_csv()).collect();
    assert_eq!(kinds, csv_kinds, "one golden file per CSV file kind");
}

/// The golden's bytes with one line's field `no` (1-based) replaced.
fn with_field(bytes: &[u8], line: usize, no: usize, value: &str) -> Vec<u8> {
    let text = encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    let mut fields: Vec<String> = lines[line - 1].split(',').map(str::to_string).collect();
    fields[no - 1] = value.to_string();
    lines[line - 1] = fields.join(",");
    encoding_rs::SHIFT_JIS
        .encode(&lines.join("\r\n"))
        .0
        .into_owned()
}

fn only_issue(name: &str, bytes: &[u8]) -> (u64, usize, String, &'static str, String) {
    let file = read_file(name, bytes).unwrap();
    let issues: Vec<_> = file.lines.iter().flat_map(|l| l.issues.clone()).collect();
    assert_eq!(issues.len(), 1, "{issues:?}");
    let i = &issues[0];
    assert!(
        file.lines.iter().any(|l| l.record.is_none()),
        "the line with an error has no record"
    );
    (
        i.line,
        i.column_no,
        i.column.clone(),
        i.code,
        i.message_ja.clone(),
    )
}

#[test]
fn a_wrong_version_an_empty_required_field_and_a_wrong_month_are_placed() {
    let (name, bytes) = golden("UPPLAN_");
    let (line, no, column, code, _) = only_issue(&name, &with_field(&bytes, 2, 1, "4.1"));
    assert_eq!(
        (line, no, column.as_str(), code),
        (2, 1, "CSVバージョン", "V4_VERSION")
    );

    let (_, _, _, code, ja) = only_issue(&name, &with_field(&bytes, 1, 1, "202208"));
    assert_eq!(code, "V4_VERSION_EARLIER");
    assert!(ja.contains("202208"), "{ja}");

    let (line, no, column, code, _) = only_issue(&name, &with_field(&bytes, 1, 15, ""));
    assert_eq!(
        (line, no, column.as_str(), code),
        (1, 15, "サービスコード", "V4_REQUIRED")
    );

    let (line, no, _, code, _) = only_issue(&name, &with_field(&bytes, 2, 5, "202505"));
    assert_eq!((line, no, code), (2, 5, "V4_MONTH_MISMATCH"));
}

#[test]
fn a_file_mixing_versions_is_refused_whole() {
    let (name, bytes) = golden("UPPLAN_");
    let err = read_file(&name, &with_field(&bytes, 2, 1, "202504")).unwrap_err();
    match &err {
        FileError::MixedVersions {
            first,
            first_line,
            other,
            line,
            ..
        } => assert_eq!(
            (*first, *first_line, *other, *line),
            ("202407", 1, "202504", 2)
        ),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("複数のCSVバージョン"));
}

#[test]
fn gaiji_and_a_wrong_field_count_are_refused_at_their_place() {
    let (name, bytes) = golden("UP1KYO_");
    // 0xF040 is the first 外字 (user-defined) code of MS932; it replaces 「計」 of 計画作成者氏名.
    let kei = encoding_rs::SHIFT_JIS.encode("計画").0.into_owned();
    let at = bytes.windows(4).position(|w| w == &kei[..]).unwrap();
    let mut gaiji = bytes.clone();
    gaiji[at] = 0xF0;
    gaiji[at + 1] = 0x40;
    let file = read_file(&name, &gaiji).unwrap();
    let issue = &file.lines[0].issues[0];
    assert_eq!(
        (issue.column_no, issue.column.as_str(), issue.code),
        (8, "居宅サービス計画作成者氏名", "CHARACTER_INVALID")
    );
    assert!(issue.message_ja.contains("外字"));
    assert!(file.lines[0].record.is_none());

    let mut short = bytes.clone();
    let end = short.len() - 2;
    let cut = short[..end].iter().rposition(|&b| b == b',').unwrap();
    short.drain(cut..end);
    let file = read_file(&name, &short).unwrap();
    assert_eq!(file.lines[0].issues[0].code, "COLUMN_COUNT");
    assert!(file.lines[0].issues[0].message_ja.contains("28項目"));
}

#[test]
fn a_supplement_must_match_its_names_month() {
    let (name, bytes) = golden("UPHOSOKU_000000");
    let (line, no, _, code, _) = only_issue(&name, &with_field(&bytes, 1, 63, "202504"));
    assert_eq!((line, no, code), (1, 63, "V4_MONTH_MISMATCH"));
}

#[test]
fn a_name_in_kibans_earlier_shape_is_refused_with_the_official_one() {
    let (_, bytes) = golden("UP1KYO_");
    let err = read_file("UP1KYO_000000001_0300000100_20250410093000.CSV", &bytes).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("旧形式") && text.contains("送信元サービス種類コード"),
        "{text}"
    );
}

mod units {
    use super::*;
    use kiban_interchange::careplan::{
        assemble, to_v5, v5_values_to_unit, write_unit, Document, SendUnit, UnitKind,
    };

    fn unit_of(prefixes: &[&str]) -> (SendUnit, Vec<(String, Vec<u8>)>) {
        let files: Vec<(String, Vec<u8>)> = prefixes.iter().map(|p| golden(p)).collect();
        let read = files
            .iter()
            .map(|(n, b)| read_file(n, b).unwrap())
            .collect();
        (assemble(read).unwrap(), files)
    }

    fn sorted(mut files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
        files.sort();
        files
    }

    const PLAN: [&str; 4] = ["UP1KYO_", "UP2KYO_", "UP3KYO_", "UPHOSOKU_000000"];
    const USE: [&str; 3] = ["UPPLAN_", "UPSIKYU_", "UPHOSOKU_202504"];

    #[test]
    fn a_plan_unit_becomes_one_plan_with_its_three_tables_and_writes_back() {
        let (unit, files) = unit_of(&PLAN);
        assert_eq!(unit.header.unit, UnitKind::Plan);
        assert_eq!(
            unit.all_issues().count(),
            0,
            "{:?}",
            unit.all_issues().collect::<Vec<_>>()
        );
        let docs: Vec<&Document> = unit.documents().collect();
        let Document::Plan(plan) = docs[0] else {
            panic!("{docs:?}")
        };
        assert_eq!((plan.needs.len(), plan.week.len()), (2, 3));
        assert!(matches!(docs[1], Document::Supplement(_)));
        assert_eq!(sorted(write_unit(&unit).unwrap()), sorted(files));
    }

    #[test]
    fn a_service_use_unit_holds_the_sixth_and_seventh_tables_and_writes_back() {
        let (unit, files) = unit_of(&USE);
        assert_eq!(unit.header.unit, UnitKind::ServiceUse);
        let Document::ServiceUse(u) = unit.documents().next().unwrap() else {
            panic!()
        };
        assert_eq!((u.rows.len(), u.limits.len()), (2, 3));
        assert!(u.total().is_some());
        assert_eq!(sorted(write_unit(&unit).unwrap()), sorted(files));
    }

    #[test]
    fn every_unit_goes_to_v5_and_back_to_the_same_bytes() {
        for prefixes in [
            &PLAN[..],
            &USE[..],
            &["UPJSK_"],
            &["DLT1KYO_"],
            &["DLTPLAN_"],
            &["DLTJSK_"],
            &["UPKIHON_0", "UPKIHON_SUB1", "UPKIHON_SUB2"],
            &["UPYOBO_0", "UPYOBO_SUB"],
            &["DLTKIHON_"],
            &["DLTYOBO_"],
        ] {
            let (unit, files) = unit_of(prefixes);
            assert_eq!(
                unit.rejected().count(),
                0,
                "{prefixes:?}: {:?}",
                unit.all_issues().collect::<Vec<_>>()
            );
            let json = to_v5(&unit);
            let back = v5_values_to_unit(&json).unwrap_or_else(|e| panic!("{prefixes:?}: {e}"));
            assert_eq!(
                sorted(write_unit(&back).unwrap()),
                sorted(files),
                "{prefixes:?}"
            );
        }
    }

    #[test]
    fn a_unit_without_its_required_file_or_with_another_t_is_refused() {
        let files: Vec<_> = ["UP1KYO_", "UP2KYO_", "UPHOSOKU_000000"]
            .iter()
            .map(|p| {
                let (n, b) = golden(p);
                read_file(&n, &b).unwrap()
            })
            .collect();
        let err = assemble(files).unwrap_err();
        assert!(err.ja.contains("UP3KYO"), "{err}");

        let mut files: Vec<_> = PLAN
            .iter()
            .map(|p| {
                let (n, b) = golden(p);
                read_file(&n, &b).unwrap()
            })
            .collect();
        files[3].name.created = "20250410093001".into();
        let err = assemble(files).unwrap_err();
        assert!(err.ja.contains("作成日時"), "{err}");
    }

    #[test]
    fn a_unit_mixing_versions_across_its_files_is_refused() {
        let mut files: Vec<_> = PLAN
            .iter()
            .map(|p| {
                let (n, b) = golden(p);
                read_file(&n, &b).unwrap()
            })
            .collect();
        let (n, b) = golden("UP2KYO_");
        let older: Vec<u8> = with_field(&with_field(&b, 1, 1, "202504"), 2, 1, "202504");
        files[1] = read_file(&n, &older).unwrap();
        let err = assemble(files).unwrap_err();
        assert!(
            err.ja.contains("202504") && err.ja.contains("送信単位で1つ"),
            "{err}"
        );
    }

    #[test]
    fn a_plan_without_its_supplement_line_refuses_the_person_only() {
        let (name, bytes) = golden("UPHOSOKU_000000");
        let other = with_field(&bytes, 1, 3, "1000000002");
        let files = vec![
            read_file(&golden("UP1KYO_").0, &golden("UP1KYO_").1).unwrap(),
            read_file(&golden("UP2KYO_").0, &golden("UP2KYO_").1).unwrap(),
            read_file(&golden("UP3KYO_").0, &golden("UP3KYO_").1).unwrap(),
            read_file(&name, &other).unwrap(),
        ];
        let unit = assemble(files).unwrap();
        let codes: Vec<&str> = unit.all_issues().map(|i| i.code).collect();
        assert_eq!(codes, vec!["SUPPLEMENT_MISSING", "SUPPLEMENT_ORPHAN"]);
        assert_eq!(unit.accepted().count(), 0);
        assert_eq!(unit.rejected().count(), 2);
    }

    #[test]
    fn a_v5_document_the_v4_reader_would_refuse_is_refused_at_its_index() {
        let (unit, _) = unit_of(&USE);
        let mut json = to_v5(&unit);
        json[0]["document"]["rows"][0]["count"] = serde_json::Value::from("123");
        let err = v5_values_to_unit(&json).unwrap_err();
        assert_eq!(err.path, "$[0]");
        assert!(err.ja.contains("サービス回数"), "{err}");
    }
}

mod generated {
    use super::*;
    use kiban_domain::careplan::YearMonth;
    use kiban_domain::ids::InsurerNumber;
    use kiban_interchange::careplan::{assemble, to_v5, v5_values_to_unit, write_unit, UnitKind};
    use kiban_interchange::generate::careplan::{month, CarePlanSpec};

    #[test]
    fn a_generated_month_is_official_files_that_read_clean_and_round_trip() {
        let g = month(&CarePlanSpec {
            insurer: InsurerNumber::parse("131011").unwrap(),
            persons: 30,
            insured: Vec::new(),
            month: YearMonth::parse("202610").unwrap(),
            care_offices: 2,
            service_offices: 10,
            seed: 7,
            created: "20261101093000".into(),
            deletions: true,
        });
        let mut kinds = BTreeSet::new();
        for u in &g.units {
            let read: Vec<OfficialFile> = u
                .files
                .iter()
                .map(|(n, b)| read_file(n, b).unwrap_or_else(|e| panic!("{n}: {e}")))
                .collect();
            let unit = assemble(read).unwrap();
            let issues: Vec<_> = unit.all_issues().collect();
            assert!(issues.is_empty(), "{issues:?}");
            assert_eq!(unit.header.unit, u.kind);
            let mut files = u.files.clone();
            files.sort();
            let mut back = write_unit(&v5_values_to_unit(&to_v5(&unit)).unwrap()).unwrap();
            back.sort();
            assert_eq!(back, files, "V4 → V5 → V4 of a {:?} unit", u.kind);
            kinds.insert(format!("{:?}", u.kind));
        }
        for k in [
            UnitKind::Plan,
            UnitKind::ServiceUse,
            UnitKind::Results,
            UnitKind::PlanDeletion,
            UnitKind::ServiceUseDeletion,
            UnitKind::ResultsDeletion,
        ] {
            assert!(kinds.contains(&format!("{k:?}")), "{k:?}");
        }
    }
}
