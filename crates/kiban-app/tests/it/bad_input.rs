//! Every kind of bad input named in the registry issue gets a precise error and loses nothing.

use crate::support::*;
use kiban_app::import::{ImportOptions, Outcome};
use kiban_domain::ids::CheckDigitPolicy;
use kiban_domain::records::RecordKind;
use kiban_testkit::{on_both_engines, TestDb};

fn stored(db: &mut TestDb) -> i64 {
    db.store()
        .counts(kiban_domain::ids::InsurerNumber::parse("131011").unwrap())
        .unwrap()
        .versions_by_kind[1]
        .1
}

fn valid_file_commits_every_row_and_reimport_changes_nothing(db: &mut TestDb) {
    let files = Files::new();
    let path = files.csv(
        FUTAN_FULL,
        COPAY_HEADER,
        &[copay_row(1, 1, "A", "1"), copay_row(2, 1, "A", "3")],
    );
    let report = import(db, &path);
    assert_eq!(
        (report.outcome, report.rows_inserted, report.rows_rejected),
        (Outcome::Committed, 2, 0)
    );
    let again = import(db, &path);
    assert_eq!(again.outcome, Outcome::AlreadyImported);
    assert!(again.summary_ja.contains("取込済み") && again.summary_en.contains("nothing changed"));
    assert_eq!(stored(db), 2);
}

fn same_rows_in_a_new_file_are_unchanged(db: &mut TestDb) {
    let files = Files::new();
    import(
        db,
        &files.csv(FUTAN_FULL, COPAY_HEADER, &[copay_row(1, 1, "A", "1")]),
    );
    let later = files.csv(
        "FUTAN_131011_ZENKEN_20261201090000.csv",
        COPAY_HEADER,
        &[copay_row(1, 1, "A", "1"), copay_row(2, 1, "A", "2")],
    );
    let report = import(db, &later);
    assert_eq!((report.rows_inserted, report.rows_unchanged), (1, 1));
}

fn broken_shift_jis_bytes_reject_only_their_row(db: &mut TestDb) {
    let files = Files::new();
    let mut bytes = encoding_rs::SHIFT_JIS
        .encode(&format!(
            "{COPAY_HEADER}\r\n{}\r\n",
            copay_row(1, 1, "A", "1")
        ))
        .0
        .into_owned();
    bytes.extend_from_slice(b"A,131011,0000000002,1,20250801,\x82,20250801,20260731,20250715\r\n");
    bytes.extend_from_slice(copay_row(3, 1, "A", "2").as_bytes());
    bytes.extend_from_slice(b"\r\n");
    let report = import(db, &files.write(FUTAN_FULL, &bytes));
    assert_eq!(report.encoding.as_deref(), Some("Shift_JIS (CP932)"));
    assert_eq!(error_codes(&report), vec![(3, "ENCODING_INVALID")]);
    assert_eq!(report.issues[0].column, "負担割合");
    assert_eq!(stored(db), 2);
}

fn bom_and_crlf_are_accepted_with_a_warning(db: &mut TestDb) {
    let files = Files::new();
    let text = format!(
        "\u{feff}{COPAY_HEADER}\r\n{}\r\n",
        copay_row(1, 1, "A", "1")
    );
    let report = import(db, &files.write(FUTAN_FULL, text.as_bytes()));
    assert_eq!(report.rows_inserted, 1);
    assert!(report
        .issues
        .iter()
        .any(|i| i.code == "BOM_REMOVED" && !i.is_error()));
}

fn wrong_column_count_names_expected_and_found(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv(
            FUTAN_FULL,
            COPAY_HEADER,
            &[
                copay_row(1, 1, "A", "1") + ",extra",
                copay_row(2, 1, "A", "1"),
            ],
        ),
    );
    assert_eq!(error_codes(&report), vec![(2, "COLUMN_COUNT")]);
    assert!(report.issues[0]
        .message_en
        .contains("expected 9 fields, found 10"));
    assert_eq!(stored(db), 1);
}

fn missing_header_rejects_the_file(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.write(
            FUTAN_FULL,
            format!("{}\n", copay_row(1, 1, "A", "1")).as_bytes(),
        ),
    );
    assert_eq!(
        (report.outcome, error_codes(&report)),
        (Outcome::Rejected, vec![(1, "HEADER_MISSING")])
    );
    assert_eq!(stored(db), 0);
    let imports = db.store().list_imports(5).unwrap();
    assert!(
        imports.is_empty(),
        "a file rejected before reading rows has no log entry"
    );
}

fn invalid_dates_are_named_precisely(db: &mut TestDb) {
    let files = Files::new();
    let rows = [
        "A,131011,0000000001,1,R000801,1,20250801,20260731,20250715".to_string(),
        "A,131011,0000000002,1,20250230,1,20250801,20260731,20250715".to_string(),
        "A,131011,0000000003,1,R070801,1,令和7年8月1日,2026-07-31,20250715".to_string(),
    ];
    let report = import(db, &files.csv(FUTAN_FULL, COPAY_HEADER, &rows));
    assert_eq!(
        error_codes(&report),
        vec![(2, "DATE_INVALID"), (3, "DATE_INVALID")]
    );
    assert!(
        report.issues[0].message_ja.contains("令和0年"),
        "{:?}",
        report.issues[0]
    );
    assert!(
        report.issues[1].message_ja.contains("2月30日"),
        "{:?}",
        report.issues[1]
    );
    assert_eq!(report.rows_inserted, 1, "和暦 and ISO forms are accepted");
}

fn check_digit_failures_are_errors_unless_configured(db: &mut TestDb) {
    let files = Files::new();
    let named = files.csv("FUTAN_131012_ZENKEN_20261101090000.csv", COPAY_HEADER, &[]);
    let report = import(db, &named);
    assert_eq!(error_codes(&report), vec![(0, "FILE_NAME_INVALID")]);
    assert!(report.issues[0].message_en.contains("check digit"));
    let warn = ImportOptions {
        policy: CheckDigitPolicy::Warn,
        ..ImportOptions::default()
    };
    let row = "A,131012,0000000001,1,20250801,1,20250801,20260731,20250715".to_string();
    let path = files.csv(
        "FUTAN_131012_ZENKEN_20261101090001.csv",
        COPAY_HEADER,
        &[row],
    );
    let report = import_with(db, &path, &warn);
    assert_eq!(report.rows_inserted, 1);
    assert!(report
        .issues
        .iter()
        .any(|i| i.code == "CHECK_DIGIT_WARNING"));
}

fn duplicate_keys_in_one_file_keep_the_first(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv(
            FUTAN_FULL,
            COPAY_HEADER,
            &[copay_row(1, 1, "A", "1"), copay_row(1, 1, "A", "2")],
        ),
    );
    assert_eq!(error_codes(&report), vec![(3, "DUPLICATE_KEY")]);
    assert!(report.issues[0].message_en.contains("duplicates line 2"));
    assert_eq!(stored(db), 1);
}

fn history_going_backwards_is_refused(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv(
            FUTAN_FULL,
            COPAY_HEADER,
            &[copay_row(1, 2, "A", "1"), copay_row(1, 1, "C", "2")],
        ),
    );
    assert_eq!(error_codes(&report), vec![(3, "HISTORY_BACKWARDS")]);
    let diff = files.csv(FUTAN_DIFF, COPAY_HEADER, &[copay_row(1, 1, "C", "3")]);
    let report = import(db, &diff);
    assert_eq!(error_codes(&report), vec![(2, "HISTORY_BACKWARDS")]);
}

fn unknown_codes_and_negative_amounts(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv(
            FUTAN_FULL,
            COPAY_HEADER,
            &[copay_row(1, 1, "A", "4"), copay_row(2, 1, "X", "1")],
        ),
    );
    assert_eq!(
        error_codes(&report),
        vec![(2, "CODE_UNKNOWN"), (3, "CODE_UNKNOWN")]
    );
    assert_eq!(report.issues[0].column, "負担割合");
    assert_eq!(report.issues[1].column, "操作区分");
    let header = "操作区分,保険者番号,被保険者番号,履歴番号,適用開始年月日,購入年月日,種目コード,商品名,購入金額,保険給付額";
    let row = "A,131011,0000000001,1,20250901,20250820,04,シャワーチェア,-5000,0".to_string();
    let report = import(
        db,
        &files.csv("FUKUSHI_131011_ZENKEN_20261101090000.csv", header, &[row]),
    );
    assert_eq!(error_codes(&report), vec![(2, "AMOUNT_NEGATIVE")]);
    assert_eq!(report.issues[0].column, "購入金額");
}

fn empty_truncated_and_missing_files(db: &mut TestDb) {
    let files = Files::new();
    let empty = import(db, &files.write(FUTAN_FULL, b""));
    assert_eq!(error_codes(&empty), vec![(0, "FILE_EMPTY")]);
    let text = format!(
        "{COPAY_HEADER}\n{}\nA,131011,0000000002,1,2025",
        copay_row(1, 1, "A", "1")
    );
    let truncated = import(
        db,
        &files.write("FUTAN_131011_ZENKEN_20261101090001.csv", text.as_bytes()),
    );
    assert_eq!(error_codes(&truncated), vec![(3, "LINE_TRUNCATED")]);
    assert_eq!(truncated.rows_inserted, 1);
    let missing = files
        .dir
        .path()
        .join("HIHO_131011_ZENKEN_20261101090000.csv");
    let report = import(db, &missing);
    assert_eq!(error_codes(&report), vec![(0, "FILE_NOT_FOUND")]);
}

fn rows_for_another_insurer_are_refused(db: &mut TestDb) {
    let files = Files::new();
    let other = "A,131029,0000000001,1,20250801,1,20250801,20260731,20250715".to_string();
    let report = import(db, &files.csv(FUTAN_FULL, COPAY_HEADER, &[other]));
    assert_eq!(error_codes(&report), vec![(2, "INSURER_MISMATCH")]);
    assert_eq!(stored(db), 0);
}

fn strict_policy_commits_nothing_when_a_row_fails(db: &mut TestDb) {
    let files = Files::new();
    let strict = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let path = files.csv(
        FUTAN_FULL,
        COPAY_HEADER,
        &[copay_row(1, 1, "A", "1"), copay_row(2, 1, "A", "9")],
    );
    let report = import_with(db, &path, &strict);
    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(stored(db), 0);
    let log = db.store().list_imports(5).unwrap();
    assert_eq!(
        log[0].status,
        kiban_store::ImportStatus::Rejected,
        "the attempt is logged"
    );
    let fixed = files.csv(
        FUTAN_FULL,
        COPAY_HEADER,
        &[copay_row(1, 1, "A", "1"), copay_row(2, 1, "A", "2")],
    );
    assert_eq!(
        import_with(db, &fixed, &strict).rows_inserted,
        2,
        "a corrected file goes in"
    );
}

fn a_nonexistent_kind_of_record_is_a_file_name_error(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv("KAIGO_131011_ZENKEN_20261101090000.csv", COPAY_HEADER, &[]),
    );
    assert_eq!(error_codes(&report), vec![(0, "FILE_NAME_INVALID")]);
    assert!(RecordKind::from_code("KAIGO").is_none());
}

on_both_engines!(
    valid_file_commits_every_row_and_reimport_changes_nothing,
    same_rows_in_a_new_file_are_unchanged,
    broken_shift_jis_bytes_reject_only_their_row,
    bom_and_crlf_are_accepted_with_a_warning,
    wrong_column_count_names_expected_and_found,
    missing_header_rejects_the_file,
    invalid_dates_are_named_precisely,
    check_digit_failures_are_errors_unless_configured,
    duplicate_keys_in_one_file_keep_the_first,
    history_going_backwards_is_refused,
    unknown_codes_and_negative_amounts,
    empty_truncated_and_missing_files,
    rows_for_another_insurer_are_refused,
    strict_policy_commits_nothing_when_a_row_fails,
    a_nonexistent_kind_of_record_is_a_file_name_error,
);
