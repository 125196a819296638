//! Property tests of the round trips the formats promise, over generated data of random size,
//! seed, format and encoding: V4 → V5 → V4 byte for byte for every care-plan unit, and
//! export → import as a no-op for the municipal files (what the writer writes, the reader reads
//! back as the same rows, and writing those rows again gives the same bytes).

use kiban_domain::careplan::YearMonth;
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber};
use kiban_domain::records::Version;
use kiban_interchange::careplan::{read_unit, to_v5, v5_values_to_unit, write_unit};
use kiban_interchange::encoding::Encoding;
use kiban_interchange::file_name::{FileName, Format};
use kiban_interchange::generate::careplan::{month, CarePlanSpec};
use kiban_interchange::generate::{generate, GenerateOptions};
use kiban_interchange::layout::Row;
use kiban_interchange::reader::FileReader;
use kiban_interchange::writer::Writer;
use proptest::prelude::*;
use std::path::Path;

fn care_plan_spec() -> impl Strategy<Value = CarePlanSpec> {
    (
        any::<u64>(),
        1u64..12,
        1usize..4,
        5usize..9,
        (2025i32..2030, 1u32..13),
        any::<bool>(),
    )
        .prop_map(
            |(seed, persons, care_offices, service_offices, (year, m), deletions)| CarePlanSpec {
                insurer: InsurerNumber::parse("131011").unwrap(),
                persons,
                insured: Vec::new(),
                month: YearMonth::parse(&format!("{year}{m:02}")).unwrap(),
                care_offices,
                service_offices,
                seed,
                created: "20261101093000".into(),
                deletions,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_generated_unit_goes_v4_to_v5_to_v4_byte_for_byte(spec in care_plan_spec()) {
        for unit in month(&spec).units {
            let read = read_unit(&unit.files).expect("a generated unit reads");
            prop_assert_eq!(read.all_issues().count(), 0);
            prop_assert_eq!(&write_unit(&read).unwrap(), &unit.files, "V4 → V4");
            let json = serde_json::to_string(&to_v5(&read)).unwrap();
            let values: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
            let back = v5_values_to_unit(&values).expect("its V5 reads back");
            prop_assert_eq!(&write_unit(&back).unwrap(), &unit.files, "V4 → V5 → V4");
        }
    }
}

/// Every row of a file, which must all be accepted.
fn read_rows(path: &Path) -> Vec<Row> {
    let mut reader = FileReader::open(path, CheckDigitPolicy::Enforce, None)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    let mut rows = Vec::new();
    while let Some(outcome) = reader.next_row() {
        let (row, _) = outcome
            .result
            .unwrap_or_else(|e| panic!("line {}: {e:?}", outcome.line));
        rows.push(row);
    }
    rows
}

fn write_rows(name: &FileName, encoding: Encoding, rows: &[Row]) -> Vec<u8> {
    let mut writer = Writer::new(Vec::new(), name.kind, name.format, encoding).unwrap();
    for row in rows {
        let Row::Version(v) = row else {
            panic!("a generated file holds versions only");
        };
        writer.write(v).unwrap();
    }
    writer.finish().unwrap()
}

fn format_and_encoding() -> impl Strategy<Value = (Format, Encoding)> {
    prop_oneof![
        Just((Format::Csv, Encoding::Utf8)),
        Just((Format::Csv, Encoding::ShiftJis)),
        Just((Format::JsonLines, Encoding::Utf8)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn export_then_import_gives_the_same_rows(
        seed in any::<u64>(),
        persons in 1u64..40,
        (format, encoding) in format_and_encoding(),
        as_of_days in 0i64..3650,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let options = GenerateOptions {
            insurer: InsurerNumber::parse("131011").unwrap(),
            persons,
            seed,
            format,
            encoding,
            created: "20261101090000".into(),
            as_of: Date::parse_yyyymmdd("20200101").unwrap().add_days(as_of_days),
        };
        let summary = generate(dir.path(), &options, &mut |_| {}).unwrap();
        for (path, count) in summary.files {
            let bytes = std::fs::read(&path).unwrap();
            let file_name = path.file_name().unwrap().to_str().unwrap();
            let name = FileName::parse(file_name, CheckDigitPolicy::Enforce).unwrap();
            let rows = read_rows(&path);
            prop_assert_eq!(rows.len() as u64, count);
            // Import → export: the writer gives back the file byte for byte.
            let written = write_rows(&name, encoding, &rows);
            prop_assert!(written == bytes, "{} changed on export", file_name);
            // Export → import: the written file reads as the same rows.
            let again_path = dir.path().join("again").join(file_name);
            std::fs::create_dir_all(again_path.parent().unwrap()).unwrap();
            std::fs::write(&again_path, &written).unwrap();
            let again = read_rows(&again_path);
            let versions = |rows: &[Row]| -> Vec<Version> {
                rows.iter()
                    .map(|r| match r {
                        Row::Version(v) => v.clone(),
                        Row::Withdrawal { .. } => unreachable!("checked on write"),
                    })
                    .collect()
            };
            prop_assert_eq!(versions(&again), versions(&rows));
        }
    }
}
