//! Damage to the lines of a file (quotes, lengths, line ends) stays on the line it is on: that
//! line is reported with its number and column, every other line is loaded or reported, and the
//! report's counts say exactly what was committed.

use crate::support::*;
use kiban_app::import::{ImportOptions, Outcome};
use kiban_domain::ids::InsurerNumber;
use kiban_testkit::{on_both_engines, TestDb};

/// Stored versions of a kind, by its index in `RecordKind::ALL` (0 被保険者証, 1 負担割合証).
fn stored(db: &mut TestDb, kind: usize) -> i64 {
    db.store()
        .counts(InsurerNumber::parse("131011").unwrap())
        .unwrap()
        .versions_by_kind[kind]
        .1
}

/// The size of the 被保険者証 file of the finding: a header and 2,910 rows.
const ROWS: u64 = 2_910;

fn card_rows() -> Vec<String> {
    (1..=ROWS).map(card_row).collect()
}

fn a_stray_quote_rejects_only_its_own_line(db: &mut TestDb) {
    let files = Files::new();
    let mut rows = card_rows();
    // Line 50 is the 49th row: a `"` before its first field opens a quote that never closes.
    rows[48] = format!("\"{}", rows[48]);
    let report = import(db, &files.csv(HIHO_FULL, HIHO_HEADER, &rows));
    assert_eq!(error_codes(&report), vec![(50, "QUOTE_UNCLOSED")]);
    assert_eq!(report.issues[0].column, "操作区分");
    assert!(
        report.issues[0]
            .message_en
            .contains("not closed on this line"),
        "{:?}",
        report.issues[0]
    );
    assert_eq!(
        (
            report.outcome,
            report.rows_total,
            report.rows_inserted,
            report.rows_rejected
        ),
        (Outcome::Committed, ROWS, ROWS - 1, 1),
        "every line after the stray quote is read"
    );
    assert_eq!(stored(db, 0), (ROWS - 1) as i64);

    // A quote opened in the middle of a line is reported in its column; one closed too early
    // (text after the closing quote) too. Neither touches the rows around it.
    let rows = vec![
        card_row(5_001),
        card_row_at(5_002, "\"東京都千代田区六番町"),
        card_row_at(5_003, "\"東京都\"千代田区"),
        card_row_at(5_004, "\"東京都千代田区,六番町\"\"３\"\"番地\""),
    ];
    let report = import(
        db,
        &files.csv("HIHO_131011_SABUN_20261102090000.csv", HIHO_HEADER, &rows),
    );
    assert_eq!(
        error_codes(&report),
        vec![(3, "QUOTE_UNCLOSED"), (4, "QUOTE_INVALID")]
    );
    assert_eq!(report.issues[0].column, "住所");
    assert_eq!(report.issues[1].column, "住所");
    assert_eq!((report.rows_inserted, report.rows_rejected), (2, 2));
}

fn a_strict_report_counts_nothing_committed(db: &mut TestDb) {
    let files = Files::new();
    let strict = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let mut rows = card_rows();
    rows[48] = format!("\"{}", rows[48]);
    rows[99] = card_row_at(100, &"東".repeat(201));
    let report = import_with(db, &files.csv(HIHO_FULL, HIHO_HEADER, &rows), &strict);
    assert_eq!(stored(db, 0), 0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"], "rejected");
    assert_eq!(json["policy"], "whole_file");
    assert_eq!(json["rows_total"], ROWS);
    assert_eq!(json["rows_inserted"], 0, "nothing was committed");
    assert_eq!(json["rows_unchanged"], 0);
    assert_eq!(json["rows_withdrawn"], 0);
    assert_eq!(json["rows_rejected"], 2);
    assert_eq!(json["rows_valid"], ROWS - 2, "what would have been stored");
    let summary = json["summary_en"].as_str().unwrap();
    assert!(
        summary.contains("nothing was committed")
            && summary.contains(&format!("{} valid but not stored", ROWS - 2)),
        "{summary}"
    );
    assert!(json["summary_ja"]
        .as_str()
        .unwrap()
        .contains("何も登録していません"));
    let log = &db.store().list_imports(1).unwrap()[0];
    assert_eq!(log.status, kiban_store::ImportStatus::Rejected);
    assert_eq!(
        (log.rows_total, log.rows_inserted, log.rows_rejected),
        (ROWS as i64, 0, 2)
    );
    let logged: serde_json::Value = serde_json::from_str(&log.report).unwrap();
    assert_eq!(logged["rows_inserted"], 0);

    // The same file under the default policy: valid and inserted agree.
    let report = import(db, &files.csv(HIHO_FULL, HIHO_HEADER, &rows));
    assert_eq!(report.outcome, Outcome::Committed);
    assert_eq!(
        (
            report.rows_valid,
            report.rows_inserted,
            report.rows_rejected
        ),
        (ROWS - 2, ROWS - 2, 2)
    );
    assert_eq!(stored(db, 0), (ROWS - 2) as i64);
}

fn overlong_lines_and_values_are_refused_at_their_line_and_column(db: &mut TestDb) {
    let files = Files::new();
    let huge = "東".repeat(10 * 1024 * 1024 / 3);
    let mut rows: Vec<String> = (1..=100).map(card_row).collect();
    rows[8] = card_row_at(9, &huge); // line 10
    rows[18] = card_row_at(19, &"東".repeat(201)); // line 20
    rows[28] = card_row_at(29, &"東".repeat(200)); // line 30: at the maximum, accepted
    let report = import(db, &files.csv(HIHO_FULL, HIHO_HEADER, &rows));
    assert_eq!(
        error_codes(&report),
        vec![(10, "LINE_TOO_LONG"), (20, "FIELD_TOO_LONG")]
    );
    assert_eq!(report.issues[0].column, "住所");
    assert!(
        report.issues[0]
            .message_en
            .contains("over the limit of 65536 bytes"),
        "{:?}",
        report.issues[0]
    );
    assert_eq!(report.issues[1].column, "住所");
    assert!(report.issues[1]
        .message_ja
        .contains("201文字（上限 200文字）"));
    assert!(
        report.issues.iter().all(|i| i.message_ja.len() < 1_000),
        "no message quotes the value back"
    );
    assert_eq!((report.rows_inserted, report.rows_rejected), (98, 2));
    assert_eq!(stored(db, 0), 98);

    // The same in JSON Lines.
    let mut lines: Vec<String> = (101..=110).map(|p| card_json(&card_row(p))).collect();
    lines[2] = card_json(&card_row_at(103, &huge)); // line 3
    lines[5] = card_json(&card_row_at(106, &"東".repeat(201))); // line 6
    let mut text = lines.join("\n");
    text.push('\n');
    let report = import(
        db,
        &files.write("HIHO_131011_SABUN_20261102090000.jsonl", text.as_bytes()),
    );
    assert_eq!(
        error_codes(&report),
        vec![(3, "LINE_TOO_LONG"), (6, "FIELD_TOO_LONG")]
    );
    assert_eq!(report.issues[1].column, "住所");
    assert_eq!((report.rows_inserted, report.rows_rejected), (8, 2));
    assert_eq!(stored(db, 0), 106);
}

fn cr_only_line_ends_refuse_the_whole_file(db: &mut TestDb) {
    let files = Files::new();
    let rows: Vec<String> = (1..=5).map(|p| copay_row(p, 1, "A", "1")).collect();
    let mut text = format!("{COPAY_HEADER}\r");
    for r in &rows {
        text.push_str(r);
        text.push('\r');
    }
    let report = import(db, &files.write(FUTAN_FULL, text.as_bytes()));
    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(error_codes(&report), vec![(0, "LINE_ENDING_UNSUPPORTED")]);
    assert!(report.issues[0].message_en.contains("CR-only line ends"));
    assert_eq!((report.rows_total, report.rows_inserted), (0, 0));
    assert_eq!(stored(db, 1), 0);

    let json: String = (1..=3).map(|p| card_json(&card_row(p)) + "\r").collect();
    let report = import(
        db,
        &files.write("HIHO_131011_ZENKEN_20261101090000.jsonl", json.as_bytes()),
    );
    assert_eq!(error_codes(&report), vec![(0, "LINE_ENDING_UNSUPPORTED")]);
    assert_eq!(stored(db, 0), 0);

    // CRLF and LF may be mixed; a CR without LF in a later line rejects that line only.
    let text = format!(
        "{COPAY_HEADER}\r\n{}\n{}\r\n{}\r{}\n{}\n",
        rows[0], rows[1], rows[2], rows[3], rows[4]
    );
    let report = import(
        db,
        &files.write("FUTAN_131011_ZENKEN_20261101090001.csv", text.as_bytes()),
    );
    assert_eq!(error_codes(&report), vec![(4, "LINE_ENDING_UNSUPPORTED")]);
    assert_eq!(
        (
            report.rows_total,
            report.rows_inserted,
            report.rows_rejected
        ),
        (4, 3, 1)
    );
    assert_eq!(stored(db, 1), 3);
}

on_both_engines!(
    a_stray_quote_rejects_only_its_own_line,
    a_strict_report_counts_nothing_committed,
    overlong_lines_and_values_are_refused_at_their_line_and_column,
    cr_only_line_ends_refuse_the_whole_file,
);
