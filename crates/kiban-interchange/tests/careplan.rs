//! ケアプランデータ連携 over generated months: strict characters with their place, quoted text,
//! V5 paths, and the generator's concentration shape. (Every kind's golden file and the unit
//! rules: tests/official_v4.rs.)

use kiban_domain::careplan::{PlanPerson, YearMonth};
use kiban_domain::ids::InsurerNumber;
use kiban_interchange::careplan::{
    assemble, from_v5, read_file, to_v5, write_unit, Document, OfficialFile, SendUnit, UnitKind,
    WriteError,
};
use kiban_interchange::generate::careplan::{month, CarePlanSpec, GeneratedMonth};

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
    month(&spec(120))
}

fn read_all(files: &[(String, Vec<u8>)]) -> Vec<OfficialFile> {
    files
        .iter()
        .map(|(n, b)| read_file(n, b).unwrap())
        .collect()
}

/// The plan unit with the most persons.
fn plan_unit(g: &GeneratedMonth) -> SendUnit {
    g.units
        .iter()
        .filter(|u| u.kind == UnitKind::Plan)
        .map(|u| assemble(read_all(&u.files)).unwrap())
        .max_by_key(|u| u.persons.len())
        .unwrap()
}

fn replace(bytes: &[u8], marker: &[u8], with: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap();
    [&bytes[..at], with, &bytes[at + marker.len()..]].concat()
}

fn line_of(file: &OfficialFile, person: PlanPerson) -> u64 {
    file.lines
        .iter()
        .find(|l| l.person() == Some(person))
        .unwrap()
        .line
}

#[test]
fn characters_outside_cp932_refuse_only_their_person_with_line_and_field() {
    let mut unit = plan_unit(&generated());
    assert!(unit.persons.len() >= 4, "{}", unit.persons.len());
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
        assert_eq!(
            (issue.line, issue.column_no),
            (line_of(&clean, person), 8),
            "{issue:?}"
        );
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
fn writing_text_outside_cp932_fails_naming_the_field_and_person() {
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
            s.record.name = "山田\u{E000}".into();
        }
    }
    let err = write_unit(&unit).unwrap_err();
    assert!(err.to_string().contains("利用者氏名"), "{err}");
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
