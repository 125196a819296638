use super::*;
use crate::layout::Row;
use crate::reader::FileReader;
use kiban_domain::codes::{CareLevel, CopayRate};
use kiban_domain::records::RecordBody;
use kiban_domain::{rules, text};
use std::collections::HashMap;

fn options(persons: u64, seed: u64, format: Format, encoding: Encoding) -> GenerateOptions {
    GenerateOptions {
        insurer: InsurerNumber::parse("131011").unwrap(),
        persons,
        seed,
        format,
        encoding,
        created: "20261101090000".into(),
        as_of: Date::parse_yyyymmdd("20261101").unwrap(),
    }
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("kiban-generate-{}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(label: &str, opts: &GenerateOptions) -> (TempDir, GenerateSummary) {
    let dir = TempDir::new(label);
    let mut calls = Vec::new();
    let summary = generate(&dir.0, opts, &mut |n| calls.push(n)).unwrap();
    assert_eq!(
        calls.last(),
        Some(&opts.persons),
        "progress ends with the total"
    );
    (dir, summary)
}

/// Reads a file back through the importer's reader; panics on any row error, returns versions.
fn read_back(path: &Path) -> Vec<Version> {
    let mut reader = FileReader::open(path, CheckDigitPolicy::Enforce, None)
        .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e));
    let mut within = crate::check::WithinFile::default();
    let mut out = Vec::new();
    while let Some(row) = reader.next_row() {
        match row.result {
            Ok((row_value, issues)) => {
                assert!(
                    issues.is_empty(),
                    "{} line {}: {issues:?}",
                    path.display(),
                    row.line
                );
                within.check(row.line, &row_value).unwrap();
                match row_value {
                    Row::Version(v) => out.push(v),
                    Row::Withdrawal { .. } => panic!("the generator writes no withdrawals"),
                }
            }
            Err(issues) => panic!("{} line {}: {issues:?}", path.display(), row.line),
        }
    }
    out
}

fn check_files(label: &str, format: Format, encoding: Encoding) {
    let opts = options(2_000, 7, format, encoding);
    let (_dir, summary) = run(label, &opts);
    assert_eq!(summary.files.len(), 5);
    for (path, rows) in &summary.files {
        let versions = read_back(path);
        assert_eq!(versions.len() as u64, *rows, "{}", path.display());
        assert!(*rows > 0, "{} is empty", path.display());
        // Export order, and A only for history 1.
        for w in versions.windows(2) {
            assert!((w[0].key.insured, w[0].key.history) < (w[1].key.insured, w[1].key.history));
        }
        for v in &versions {
            let want = if v.key.history == 1 {
                Operation::Add
            } else {
                Operation::Change
            };
            assert_eq!(v.operation, want, "{:?}", v.key);
        }
        // import → export is byte-identical: the canonical writer reproduces the file.
        let kind = versions[0].body.kind();
        let mut writer = Writer::new(Vec::new(), kind, format, encoding).unwrap();
        for v in &versions {
            writer.write(v).unwrap();
        }
        let again = writer.finish().unwrap();
        assert!(
            again == std::fs::read(path).unwrap(),
            "{} does not round-trip",
            path.display()
        );
    }
}

#[test]
fn generated_utf8_csv_parses_and_round_trips() {
    check_files("csv-utf8", Format::Csv, Encoding::Utf8);
}

#[test]
fn generated_shift_jis_csv_parses_and_round_trips() {
    check_files("csv-sjis", Format::Csv, Encoding::ShiftJis);
}

#[test]
fn generated_json_lines_parse_and_round_trip() {
    check_files("jsonl", Format::JsonLines, Encoding::Utf8);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, sa) = run("seed-a", &options(500, 42, Format::Csv, Encoding::Utf8));
    let (b, sb) = run("seed-b", &options(500, 42, Format::Csv, Encoding::Utf8));
    let (c, sc) = run("seed-c", &options(500, 43, Format::Csv, Encoding::Utf8));
    assert_eq!(sa.certified, sb.certified);
    for ((pa, _), ((pb, _), (pc, _))) in sa.files.iter().zip(sb.files.iter().zip(&sc.files)) {
        assert_eq!(
            std::fs::read(pa).unwrap(),
            std::fs::read(pb).unwrap(),
            "{}",
            pa.display()
        );
        if pa
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("HIHO")
        {
            assert_ne!(std::fs::read(pa).unwrap(), std::fs::read(pc).unwrap());
        }
    }
    drop((a, b, c));
}

#[test]
fn a_prefix_of_persons_is_the_same_in_a_larger_run() {
    let (_s, small) = run(
        "prefix-small",
        &options(100, 5, Format::JsonLines, Encoding::Utf8),
    );
    let (_l, large) = run(
        "prefix-large",
        &options(300, 5, Format::JsonLines, Encoding::Utf8),
    );
    let small_cards = std::fs::read_to_string(&small.files[0].0).unwrap();
    let large_cards = std::fs::read_to_string(&large.files[0].0).unwrap();
    assert!(large_cards.starts_with(&small_cards));
}

/// The latest card version of every person.
fn latest_cards(path: &Path) -> Vec<Version> {
    let mut latest: Vec<Version> = Vec::new();
    for v in read_back(path) {
        match latest.last_mut() {
            Some(last) if last.key.insured == v.key.insured => *last = v,
            _ => latest.push(v),
        }
    }
    latest
}

#[test]
fn shares_ages_and_levels_are_plausible() {
    let opts = options(5_000, 11, Format::Csv, Encoding::Utf8);
    let (_dir, summary) = run("shares", &opts);
    let share = summary.certified as f64 / summary.persons as f64;
    assert!((0.15..=0.23).contains(&share), "certified share {share}");

    let cards = latest_cards(&summary.files[0].0);
    assert_eq!(cards.len() as u64, summary.persons, "everyone has a card");
    let mut second = 0;
    let mut levels: HashMap<CareLevel, u32> = HashMap::new();
    let mut certified = 0;
    for v in &cards {
        let RecordBody::InsuredCard(c) = &v.body else {
            panic!("card file")
        };
        let age = opts.as_of.age_of(c.birth_date);
        if (65..=105).contains(&age) {
        } else {
            assert!((40..=64).contains(&age), "age {age}");
            assert!(
                c.certification.is_some(),
                "a 第2号 holds a card only when certified"
            );
            second += 1;
        }
        assert!(c.qualified_on.age_of(c.birth_date) >= 40);
        if let Some(cert) = &c.certification {
            *levels.entry(cert.level).or_default() += 1;
            certified += u32::from(cert.level.is_certified());
            if cert.level.is_certified() && c.disqualified_on.is_none() {
                assert!(cert.valid_to >= opts.as_of.add_days(-190), "{:?}", v.key);
            }
        }
    }
    assert_eq!(u64::from(certified), summary.certified);
    assert!((20..=90).contains(&second), "第2号 {second}");
    let project = levels
        .get(&CareLevel::ProjectEligible)
        .copied()
        .unwrap_or(0);
    assert!((25..=120).contains(&project), "事業対象者 {project}");
    let care1 = f64::from(levels[&CareLevel::Care1]) / f64::from(certified);
    let care5 = f64::from(levels[&CareLevel::Care5]) / f64::from(certified);
    assert!(
        (0.15..0.28).contains(&care1) && (0.04..0.15).contains(&care5),
        "{levels:?}"
    );

    // Certificates: rates mostly 1割, reductions for roughly a fifth of the certified.
    let copay = latest_cards(&summary.files[1].0);
    let ones = copay
        .iter()
        .filter(|v| matches!(&v.body, RecordBody::CopayCertificate(c) if c.rate == CopayRate::One))
        .count() as f64;
    assert!(
        (0.85..0.96).contains(&(ones / copay.len() as f64)),
        "1割 {ones}/{}",
        copay.len()
    );
    let reductions = latest_cards(&summary.files[2].0).len() as f64 / f64::from(certified);
    assert!(
        (0.12..0.30).contains(&reductions),
        "reductions {reductions}"
    );
}

#[test]
fn card_histories_are_consistent() {
    let opts = options(5_000, 21, Format::JsonLines, Encoding::Utf8);
    let (_dir, summary) = run("histories", &opts);
    let mut by_person: HashMap<u64, Vec<Version>> = HashMap::new();
    for v in read_back(&summary.files[0].0) {
        by_person.entry(v.key.insured.as_u64()).or_default().push(v);
    }
    let mut admitted = 0;
    for versions in by_person.values() {
        let cards: Vec<&kiban_domain::records::InsuredCard> = versions
            .iter()
            .map(|v| match &v.body {
                RecordBody::InsuredCard(c) => c,
                _ => panic!("card file"),
            })
            .collect();
        for (w, c) in versions.windows(2).zip(cards.windows(2)) {
            assert!(w[0].applies_from < w[1].applies_from, "{:?}", w[1].key);
            assert!(c[0].issued_on <= c[1].issued_on, "{:?}", w[1].key);
            assert!(
                c[0].disqualified_on.is_none(),
                "only the last version is disqualified"
            );
            if let (Some(a), Some(b)) = (&c[0].certification, &c[1].certification) {
                assert!(
                    a.valid_from == b.valid_from || a.valid_to < b.valid_from,
                    "{:?}",
                    w[1].key
                );
            }
        }
        for (v, c) in versions.iter().zip(&cards) {
            assert!(v.applies_from <= opts.as_of);
            assert!(c.qualified_on <= v.applies_from, "{:?}", v.key);
            if let Some(f) = &c.facility {
                admitted += 1;
                assert!(c.care_plan.is_none(), "{:?}", v.key);
                let level = c
                    .certification
                    .as_ref()
                    .expect("certified in a facility")
                    .level;
                if f.kind == kiban_domain::codes::ServiceKind::WelfareFacility {
                    assert!(
                        matches!(
                            level,
                            CareLevel::Care3 | CareLevel::Care4 | CareLevel::Care5
                        ),
                        "{:?}",
                        v.key
                    );
                }
            }
        }
    }
    assert!(admitted > 50, "{admitted}");
}

#[test]
fn ledgers_stay_within_the_allowances() {
    let (_dir, summary) = run(
        "ledgers",
        &options(20_000, 3, Format::JsonLines, Encoding::Utf8),
    );
    let mut homes: HashMap<u64, Vec<kiban_domain::records::HomeModificationUsage>> = HashMap::new();
    for v in read_back(&summary.files[3].0) {
        let RecordBody::HomeModificationUsage(h) = v.body else {
            panic!()
        };
        assert!(h.paid_yen <= h.cost_yen && h.paid_yen >= h.cost_yen * 7 / 10);
        homes.entry(v.key.insured.as_u64()).or_default().push(h);
    }
    assert!(!homes.is_empty());
    for entries in homes.values() {
        let spent: u32 = entries.iter().map(|e| e.cost_yen).sum();
        assert!(
            spent <= rules::allowance::HOME_MODIFICATION_LIMIT_YEN,
            "{spent}"
        );
    }
    let mut purchases: HashMap<u64, Vec<kiban_domain::records::EquipmentPurchaseUsage>> =
        HashMap::new();
    for v in read_back(&summary.files[4].0) {
        let RecordBody::EquipmentPurchaseUsage(e) = v.body else {
            panic!()
        };
        assert!(v.applies_from >= e.purchased_on);
        purchases.entry(v.key.insured.as_u64()).or_default().push(e);
    }
    assert!(!purchases.is_empty());
    for entries in purchases.values() {
        for e in entries {
            let same_item = entries.iter().filter(|o| {
                o.item == e.item && o.purchased_on.fiscal_year() == e.purchased_on.fiscal_year()
            });
            assert_eq!(same_item.count(), 1, "{entries:?}");
            let spent: u32 = entries
                .iter()
                .filter(|o| o.purchased_on.fiscal_year() == e.purchased_on.fiscal_year())
                .map(|o| o.cost_yen)
                .sum();
            assert!(
                spent <= rules::allowance::EQUIPMENT_LIMIT_YEN,
                "{entries:?}"
            );
        }
    }
}

#[test]
fn every_fixed_string_is_inside_jis_x0213_and_cp932() {
    let mut all: Vec<&str> = Vec::new();
    for table in names::all_tables() {
        for &(name, kana) in table {
            assert_eq!(text::normalize_kana(kana).as_deref(), Ok(kana), "{name}");
            all.extend([name, kana]);
        }
    }
    all.extend(places::all_words());
    all.extend(usage::all_products());
    all.extend(certification::OPINIONS);
    for s in all {
        assert_eq!(text::check_jis_x0213(s), Ok(()), "{s}");
        assert!(Encoding::ShiftJis.encode(s).is_ok(), "{s}");
    }
}

#[test]
fn another_insurer_gets_a_generic_municipality() {
    let mut opts = options(300, 1, Format::Csv, Encoding::ShiftJis);
    opts.insurer = InsurerNumber::from_body("27100").unwrap();
    let (_dir, summary) = run("other-insurer", &opts);
    let cards = read_back(&summary.files[0].0);
    let RecordBody::InsuredCard(c) = &cards[0].body else {
        panic!()
    };
    assert_eq!(c.insurer_name, format!("保険者{}市", opts.insurer));
    assert!(c.address.starts_with("大阪府保険者"), "{}", c.address);
}

#[test]
fn bad_options_are_refused() {
    let dir = TempDir::new("bad");
    let json_sjis = options(10, 1, Format::JsonLines, Encoding::ShiftJis);
    assert!(generate(&dir.0, &json_sjis, &mut |_| {}).is_err());
    let mut bad_time = options(10, 1, Format::Csv, Encoding::Utf8);
    bad_time.created = "20261101250000".into();
    assert_eq!(
        generate(&dir.0, &bad_time, &mut |_| {}).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
}

#[test]
fn zero_persons_give_header_only_files() {
    let (_dir, summary) = run("empty", &options(0, 1, Format::Csv, Encoding::Utf8));
    assert_eq!(summary.certified, 0);
    for (path, rows) in &summary.files {
        assert_eq!(*rows, 0);
        assert!(read_back(path).is_empty());
    }
}
