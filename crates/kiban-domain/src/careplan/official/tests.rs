use super::*;

fn line(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_layout_is_numbered_from_one_without_gaps() {
    let layouts: [(&str, &[FieldSpec], usize); 16] = [
        ("UPHOSOKU", SupplementRecord::LAYOUT, 63),
        ("UP1KYO", Plan1Record::LAYOUT, 28),
        ("DLT1KYO", Plan1DeletionRecord::LAYOUT, 4),
        ("UP2KYO", Plan2Record::LAYOUT, 22),
        ("UP3KYO", Plan3Record::LAYOUT, 13),
        ("UPPLAN", UseRecord::LAYOUT, 25),
        ("DLTPLAN", UseDeletionRecord::LAYOUT, 4),
        ("DLTJSK", ResultsDeletionRecord::LAYOUT, 6),
        ("UPSIKYU", LimitRecord::LAYOUT, 37),
        ("UPKIHON", BasicInfoRecord::LAYOUT, 71),
        ("DLTKIHON", BasicInfoDeletionRecord::LAYOUT, 4),
        ("UPKIHON_SUB1", DailyScheduleRecord::LAYOUT, 7),
        ("UPKIHON_SUB2", MedicalHistoryRecord::LAYOUT, 11),
        ("UPYOBO", PreventionPlanRecord::LAYOUT, 57),
        ("DLTYOBO", PreventionPlanDeletionRecord::LAYOUT, 4),
        ("UPYOBO_SUB", SupportPlanRecord::LAYOUT, 17),
    ];
    for (kind, layout, count) in layouts {
        assert_eq!(layout.len(), count, "{kind}");
        for (i, spec) in layout.iter().enumerate() {
            assert_eq!(spec.no, i + 1, "{kind} field {}", spec.name);
        }
    }
}

#[test]
fn a_deletion_reads_and_writes_back() {
    let fields = line(&["202407", "131003", "0000000001", "20250401"]);
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let common = Common::parse_fields(&refs, &mut problems).unwrap();
    let rec = Plan1DeletionRecord::parse_fields(&refs, &mut problems).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(common.version, CsvVersion::V4_1);
    let mut back = common.format_fields().to_vec();
    back.extend(rec.format_fields());
    assert_eq!(back, fields);
}

#[test]
fn every_bad_field_is_reported_at_its_number() {
    // 第6表: a bad date (No.10), an empty required time (No.12), a too-long count (No.14).
    let mut texts = vec![""; 25];
    texts[0] = "202407";
    texts[1] = "131003";
    texts[2] = "0000000001";
    texts[3] = "20250401";
    texts[4] = "202504";
    texts[9] = "20250431";
    texts[12] = "1000";
    texts[13] = "123";
    texts[14] = "111111";
    texts[19] = "1370000001";
    texts[22] = "0";
    let mut problems = Vec::new();
    assert!(UseRecord::parse_fields(&texts, &mut problems).is_none());
    let at: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.index + 1, p.error.code))
        .collect();
    assert_eq!(
        at,
        vec![(10, "V4_FORMAT"), (12, "V4_REQUIRED"), (14, "V4_LENGTH")]
    );
}

#[test]
fn versions_are_the_layouts_values() {
    assert_eq!(
        CsvVersion::parse("202407", Some(6)).unwrap(),
        CsvVersion::V4_1
    );
    assert_eq!(
        CsvVersion::parse("202504", Some(6)).unwrap(),
        CsvVersion::V4_0
    );
    assert_eq!(
        CsvVersion::parse("202208", Some(6)).unwrap_err().code,
        "V4_VERSION_EARLIER"
    );
    assert_eq!(
        CsvVersion::parse("4.1", Some(6)).unwrap_err().code,
        "V4_VERSION"
    );
    assert_eq!(
        CsvVersion::parse("202404", Some(6)).unwrap_err().code,
        "V4_VERSION"
    );
}

#[test]
fn special_values_of_the_seventh_table_read_back() {
    for text in ["11AAAA", "17EEEE", "21ZZZZ", "999999", "111111"] {
        assert_eq!(LimitCode::parse(text, Some(6)).unwrap().format(), text);
    }
    assert_eq!(
        LimitOffice::parse("9999999999", Some(10)).unwrap(),
        LimitOffice::AllOffices
    );
    assert!(LimitCode::parse("99AAAA", Some(6)).is_err());
    assert_eq!(
        V4Insured::parse("H123456789", Some(10)).unwrap_err().code,
        "V4_PUBLIC_ASSISTANCE_ONLY"
    );
    assert_eq!(Number::parse("-150", Some(6)).unwrap().value(), -150);
    assert_eq!(Number::parse("007", Some(6)).unwrap().format(), "007");
    assert_eq!(Decimal::parse("10.9", Some(6)).unwrap().centi(), 1090);
    assert_eq!(
        ServiceTime::parse("9999", Some(4)).unwrap(),
        ServiceTime::Untimed
    );
    assert!(Hhmm::parse("2460", Some(4)).is_err());
}
