//! ケアプランデータ連携 V4/V5: round trips, strict characters, names and unit rules.

use kiban_domain::careplan::{PlanPerson, YearMonth};
use kiban_domain::ids::InsurerNumber;
use kiban_interchange::careplan::{
    self, assemble, from_v5, parse_file_name, read_file, to_v5, v5_values_to_unit, write_unit,
    Document, SendUnit, UnitKind, V4File, WriteError,
};
use kiban_interchange::generate::careplan::{month, CarePlanSpec, GeneratedMonth};
use std::collections::HashSet;

fn spec(persons: u64) -> CarePlanSpec {
    CarePlanSpec {
        insurer: InsurerNumber::parse("131011").unwrap(),
        persons,
        insured: Vec::new(),
        month: YearMonth::parse("202610").unwrap(),
        care_offices: 3,
        service_offices: 20,
        seed: 7,
        created: "20261101093000".into(),
        deletions: true,
    }
}

fn generated() -> GeneratedMonth {
    month(&spec(40))
}

fn read_all(files: &[(String, Vec<u8>)]) -> Vec<V4File> {
    files
        .iter()
        .map(|(n, b)| read_file(n, b).unwrap())
        .collect()
}

fn plan_unit(g: &GeneratedMonth) -> SendUnit {
    let u = g.units.iter().find(|u| u.kind == UnitKind::Plan).unwrap();
    assemble(read_all(&u.files)).unwrap()
}

#[test]
fn every_generated_file_parses_without_issues() {
    let g = generated();
    for u in &g.units {
        for (name, bytes) in &u.files {
            let f = read_file(name, bytes).unwrap();
            for l in &f.lines {
                assert!(l.issues.is_empty(), "{name}:{}: {:?}", l.line, l.issues);
                assert!(l.record.is_some());
            }
        }
        let unit = assemble(read_all(&u.files)).unwrap();
        let issues: Vec<_> = unit.all_issues().collect();
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(unit.rejected().count(), 0);
    }
    assert_eq!(g.persons.len(), 40);
}

#[test]
fn v4_to_v5_to_v4_is_byte_identical_for_every_unit_kind() {
    let g = generated();
    let mut kinds = HashSet::new();
    for u in &g.units {
        kinds.insert(u.kind);
        let unit = assemble(read_all(&u.files)).unwrap();
        assert_eq!(write_unit(&unit).unwrap(), u.files, "V4 → V4");
        let json = serde_json::to_string(&to_v5(&unit)).unwrap();
        let values: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        let back = v5_values_to_unit(&values).unwrap();
        assert_eq!(write_unit(&back).unwrap(), u.files, "V4 → V5 → V4");
        // V5 → V4 → V5.
        let again = assemble(read_all(&write_unit(&back).unwrap())).unwrap();
        assert_eq!(to_v5(&again), values);
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
}

/// Replaces the first occurrence of `marker` in `bytes`.
fn replace(bytes: &[u8], marker: &[u8], with: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    [&bytes[..at], with, &bytes[at + marker.len()..]].concat()
}

#[test]
fn characters_outside_cp932_are_reported_with_line_and_column() {
    let mut unit = plan_unit(&generated());
    assert!(unit.persons.len() >= 4);
    for (i, marker) in [(1, "ZZZ"), (2, "YYY")] {
        for d in &mut unit.persons[i].documents {
            if let Document::Plan(p) = d {
                p.overview.planner_name = marker.into();
            }
        }
    }
    let files = write_unit(&unit).unwrap();
    let (name, bytes) = &files[0];
    assert!(name.starts_with("UP1KYO_"));
    let clean = read_file(name, bytes).unwrap();
    let bad = replace(
        &replace(bytes, b"ZZZ", b"\x82"),
        b"YYY",
        b"\x82\xa0\xF0\x40",
    );
    let mut broken = files.clone();
    broken[0].1 = bad;
    let read = assemble(read_all(&broken)).unwrap();
    for (i, code_text) in [(1, "0x82"), (2, "0xF040")] {
        let person = unit.persons[i].person;
        let entry = read.persons.iter().find(|p| p.person == person).unwrap();
        assert!(entry.is_rejected());
        assert!(entry.documents.is_empty(), "never half a person");
        let issue = &entry.issues[0];
        let line = clean
            .lines
            .iter()
            .find(|l| l.person == Some(person))
            .unwrap()
            .line;
        assert_eq!((issue.line, issue.column_no), (line, 8), "{issue:?}");
        assert_eq!(issue.column, "居宅サービス計画作成者氏名");
        assert_eq!(issue.code, "CHARACTER_INVALID");
        assert!(issue.message_en.contains(code_text), "{issue:?}");
    }
    assert!(read.persons[2].issues[0].message_ja.contains("外字"));
    assert_eq!(read.accepted().count(), unit.persons.len() - 2);
    assert!(read.persons[0]
        .documents
        .iter()
        .any(|d| matches!(d, Document::Plan(_))));
}

#[test]
fn wrong_file_names_say_which_part() {
    for (name, part) in [
        ("UP3KYO_000000001_1370100016_20261101093000.CSV", "種別"),
        ("UP1KYO_00000001_1370100016_20261101093000.CSV", "連番"),
        (
            "UP1KYO_000000001_137010001_20261101093000.CSV",
            "送信元事業所番号",
        ),
        ("UP1KYO_000000001_1370100016_20261301093000.CSV", "作成日時"),
        ("UP1KYO_000000001_1370100016_20261101093000.TXT", "拡張子"),
        ("UP1KYO_000000001_1370100016.CSV", "区切り"),
        (
            "UPPLAN_202613_1370100016_1370150011_20261101093000.CSV",
            "対象年月",
        ),
        (
            "UPPLAN_202610_1370100016_13701500_20261101093000.CSV",
            "送信先事業所番号",
        ),
        (
            "UPJSK_202610_1370100016_1370100016_20261101093000.CSV",
            "送信先事業所番号",
        ),
        (
            "UPHOSOKU_202610_1370100016_0000000000_20261101093000.CSV",
            "対象年月",
        ),
    ] {
        let err = parse_file_name(name).unwrap_err();
        assert_eq!(err.part, part, "{name}: {err}");
        assert!(err.to_string().contains(" / "), "ja and en: {err}");
        assert!(read_file(name, b"4.1\r\n").is_err());
    }
    let ok = parse_file_name("UPHOSOKU_000000_1370100016_0000000000_20261101093000.csv").unwrap();
    assert_eq!(
        ok.to_string(),
        "UPHOSOKU_000000_1370100016_0000000000_20261101093000.CSV"
    );
    let plan = parse_file_name("UPPLAN_202610_1370100016_1370150011_20261101093000.CSV").unwrap();
    assert_eq!(
        plan.to_string(),
        "UPPLAN_202610_1370100016_1370150011_20261101093000.CSV"
    );
}

#[test]
fn plan2_without_plan1_rejects_only_that_person() {
    let unit = plan_unit(&generated());
    let files = write_unit(&unit).unwrap();
    let mut short = unit.clone();
    let dropped: PlanPerson = short.persons.remove(1).person;
    let first = write_unit(&short).unwrap();
    let mut mixed = files.clone();
    mixed[0] = first[0].clone(); // UP1KYO without the person
    let read = assemble(read_all(&mixed)).unwrap();
    let entry = read.persons.iter().find(|p| p.person == dropped).unwrap();
    assert!(entry.is_rejected());
    assert!(
        entry.issues.iter().any(|i| i.code == "PLAN1_MISSING"),
        "{:?}",
        entry.issues
    );
    assert_eq!(read.accepted().count(), unit.persons.len() - 1);
    // And the other way: a 第1表 without its 第2表.
    let mut mixed = files.clone();
    mixed[1] = first[1].clone();
    let read = assemble(read_all(&mixed)).unwrap();
    let entry = read.persons.iter().find(|p| p.person == dropped).unwrap();
    assert!(entry.issues.iter().any(|i| i.code == "PLAN2_MISSING"));
    // A 補足 alone: the person is absent from the unit.
    let mut mixed = files;
    mixed[0] = first[0].clone();
    mixed[1] = first[1].clone();
    let read = assemble(read_all(&mixed)).unwrap();
    let entry = read.persons.iter().find(|p| p.person == dropped).unwrap();
    assert!(entry.issues.iter().any(|i| i.code == "SUPPLEMENT_ORPHAN"));
}

#[test]
fn writing_text_outside_cp932_fails_naming_the_field() {
    let mut unit = plan_unit(&generated());
    let person = unit.persons[0].person;
    for d in &mut unit.persons[0].documents {
        if let Document::Plan(p) = d {
            p.needs[0].need = "𠮷野家に行きたい".into();
        }
    }
    match write_unit(&unit) {
        Err(WriteError::Character {
            person: who,
            field,
            ch,
            ..
        }) => {
            assert_eq!(field, "課題");
            assert_eq!(ch, '𠮷');
            assert_eq!(who, format!("{}-{}", person.insurer, person.insured));
        }
        other => panic!("{other:?}"),
    }
    let mut unit = plan_unit(&generated());
    for d in &mut unit.persons[0].documents {
        if let Document::Supplement(s) = d {
            s.name = "山田\u{E000}".into();
        }
    }
    let err = write_unit(&unit).unwrap_err();
    assert!(err.to_string().contains("氏名"), "{err}");
}

#[test]
fn quoted_text_with_commas_and_line_breaks_keeps_line_numbers() {
    let mut unit = plan_unit(&generated());
    let text = "一つ目,二つ目\r\n\"引用\"と\n三行目";
    for d in &mut unit.persons[0].documents {
        if let Document::Plan(p) = d {
            p.overview.policy = text.into();
        }
    }
    let files = write_unit(&unit).unwrap();
    let read = read_file(&files[0].0, &files[0].1).unwrap();
    let breaks_in_first = read.lines[1].line - read.lines[0].line;
    // intentions holds one CRLF, policy two more line breaks.
    assert_eq!(breaks_in_first, 4);
    for pair in read.lines.windows(2).skip(1) {
        assert_eq!(
            pair[1].line - pair[0].line,
            2,
            "one CRLF in intentions per line"
        );
    }
    let again = assemble(read_all(&files)).unwrap();
    let plan = again.persons[0]
        .documents
        .iter()
        .find_map(|d| match d {
            Document::Plan(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!(plan.overview.policy, text);
    assert_eq!(write_unit(&again).unwrap(), files);
}

#[test]
fn v5_errors_give_a_json_path() {
    let unit = plan_unit(&generated());
    let mut value = to_v5(&unit)[0].clone();
    value["document"]["needs"][0]["written_on"] = "20261341".into();
    let err = from_v5(&value).unwrap_err();
    assert_eq!(err.path, "$.document.needs[0].written_on", "{err}");
    value["version"] = "4.1".into();
    assert_eq!(from_v5(&value).unwrap_err().path, "$.version");
    let mut value = to_v5(&unit)[0].clone();
    value["kind"] = "results".into();
    assert!(from_v5(&value).is_err());
}

/// Found by the `careplan_v5` fuzz target: a V5 実績 row with 19 day counts was accepted, then
/// written as V4 padded to 31 (a longer array was cut), so V5 → V4 → V5 changed the document.
/// V5 now follows the rule of V4's 31 day columns.
/// The first V5 document of a generated unit of `kind` whose `rows` field has a row.
fn v5_document_with_rows(g: &GeneratedMonth, kind: UnitKind, rows: &str) -> serde_json::Value {
    let u = g.units.iter().find(|u| u.kind == kind).unwrap();
    let unit = assemble(read_all(&u.files)).unwrap();
    to_v5(&unit)
        .into_iter()
        .find(|v| {
            v["document"][rows]
                .as_array()
                .is_some_and(|r| !r.is_empty())
        })
        .unwrap()
}

#[test]
fn v5_day_counts_follow_the_rule_of_the_v4_day_columns() {
    let g = generated();
    for (kind, rows) in [
        (UnitKind::Results, "rows"),
        (UnitKind::ServiceUse, "plan_rows"),
    ] {
        let value = v5_document_with_rows(&g, kind, rows);
        assert!(from_v5(&value).is_ok());
        let days = format!("$.document.{rows}[0].days");
        let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = value.clone();
            edit(&mut v["document"]);
            from_v5(&v).unwrap_err()
        };
        let short = edited(&|d| d[rows][0]["days"].as_array_mut().unwrap().truncate(19));
        assert_eq!(short.path, days, "{short}");
        assert!(short.en.contains("31 day counts (19 given)"), "{short}");
        let long = edited(&|d| d[rows][0]["days"].as_array_mut().unwrap().push(0.into()));
        assert_eq!(long.path, days, "{long}");
        // 255 fits the u8 serde reads; V4 allows 0–99.
        let big = edited(&|d| d[rows][0]["days"][3] = 255.into());
        assert_eq!(big.path, format!("{days}[3]"), "{big}");
        // 2026-11 has 30 days: a count on the 31st is outside the month.
        let outside = edited(&|d| {
            d["month"] = "202611".into();
            d[rows][0]["days"][30] = 1.into();
        });
        assert_eq!(outside.path, format!("{days}[30]"), "{outside}");
    }
}

/// Found by the `careplan_v5` fuzz target (10-minute run): a V5 実績 row with the start time
/// `09*0` was accepted, while V4 refuses it (`TIME_INVALID`), so the V4 files written from it
/// rejected the person. V5 times now follow V4's rule: `HHMM` or empty.
#[test]
fn v5_times_follow_the_rule_of_the_v4_time_fields() {
    let g = generated();
    for (kind, rows) in [
        (UnitKind::Results, "rows"),
        (UnitKind::ServiceUse, "plan_rows"),
    ] {
        let value = v5_document_with_rows(&g, kind, rows);
        let with = |field: &str, time: &str| {
            let mut v = value.clone();
            v["document"][rows][0][field] = time.into();
            from_v5(&v)
        };
        for field in ["start", "end"] {
            for bad in ["09*0", "2460", "930", "09300", "２３００"] {
                let err = with(field, bad).unwrap_err();
                assert_eq!(err.path, format!("$.document.{rows}[0].{field}"), "{err}");
                assert!(err.en.contains("HHMM"), "{err}");
            }
            for good in ["", "0000", "0930", "2400"] {
                assert!(with(field, good).is_ok(), "{field} {good:?}");
            }
        }
    }
}

/// Found by the `careplan_v5` fuzz target: a V5 unit whose 補足 names a person with no plan was
/// accepted, while the same unit as V4 files rejects that person (SUPPLEMENT_ORPHAN). V5 units
/// now follow the per-person rules of V4's assembly.
#[test]
fn v5_units_follow_the_per_person_rules_of_v4_units() {
    let unit = plan_unit(&generated());
    let values = to_v5(&unit);
    assert!(v5_values_to_unit(&values).is_ok());
    let kind = |v: &serde_json::Value| v["kind"].as_str().unwrap().to_string();
    let supplement = values.iter().find(|v| kind(v) == "supplement").unwrap();
    let plan = values.iter().find(|v| kind(v) == "plan").unwrap();
    let refused = |docs: Vec<serde_json::Value>, path: &str, en: &str| {
        let err = v5_values_to_unit(&docs).unwrap_err();
        assert_eq!(err.path, path, "{err}");
        assert!(err.en.contains(en), "{err}");
    };
    refused(
        vec![supplement.clone()],
        "$[0]",
        "a supplement for a person with no plan",
    );
    refused(
        vec![plan.clone(), supplement.clone(), supplement.clone()],
        "$[2]",
        "two supplements",
    );
    refused(vec![plan.clone(), plan.clone()], "$[1]", "two plans");
    let mut no_needs = plan.clone();
    no_needs["document"]["needs"] = serde_json::json!([]);
    refused(vec![no_needs], "$[0]", "no 第2表 row");
}

#[test]
fn csv_version_and_column_count_are_checked() {
    let unit = plan_unit(&generated());
    let files = write_unit(&unit).unwrap();
    let (name, bytes) = &files[2];
    let wrong = String::from_utf8_lossy(bytes).replace("4.1,", "4.0,");
    assert!(matches!(
        read_file(name, &encoding_rs::SHIFT_JIS.encode(&wrong).0),
        Err(careplan::FileError::Version { .. })
    ));
    assert!(matches!(
        read_file(name, b""),
        Err(careplan::FileError::Empty { .. })
    ));
    let extra = [bytes.as_slice(), b"4.1,131011,0000100001,x\r\n"].concat();
    let f = read_file(name, &extra).unwrap();
    let last = f.lines.last().unwrap();
    assert_eq!(last.issues[0].code, "COLUMN_COUNT");
    assert!(last.person.is_some());
}

#[test]
fn generated_care_offices_differ_in_concentration() {
    let g = month(&CarePlanSpec {
        persons: 300,
        deletions: false,
        ..spec(0)
    });
    let corp_of = |o| {
        g.offices
            .iter()
            .find(|x| x.number == o)
            .unwrap()
            .corporation
            .unwrap()
    };
    let care: Vec<_> = g
        .offices
        .iter()
        .filter(|o| o.corporation.is_none())
        .collect();
    assert_eq!(g.corporations.len(), 2);
    assert!(g.corporations.iter().all(|c| c.number.len() == 13));
    for (i, c) in care.iter().enumerate() {
        let mut counts = [0usize; 2];
        for p in g.persons.iter().filter(|p| p.care_office == c.number) {
            for &o in &p.service_offices {
                counts[corp_of(o)] += 1;
            }
        }
        let share = *counts.iter().max().unwrap() as f64 / counts.iter().sum::<usize>() as f64;
        assert_eq!(share > 0.8, i % 2 == 0, "care office {i}: {share}");
    }
}
