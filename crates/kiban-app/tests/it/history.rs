//! Differential loads: changes, withdrawals and what is current as of a date.

use crate::support::*;
use kiban_app::import::Outcome;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{current_as_of, RecordBody, RecordKind};
use kiban_testkit::{on_both_engines, TestDb};

fn current_rate(db: &mut TestDb, person: u64, on: &str) -> Option<String> {
    let h = db
        .store()
        .person_history(
            RecordKind::CopayCertificate,
            InsurerNumber::parse("131011").unwrap(),
            InsuredNumber::from_u64(person).unwrap(),
        )
        .unwrap();
    current_as_of(&h.versions, &h.withdrawn, Date::parse_yyyymmdd(on).unwrap()).map(|v| {
        match &v.body {
            RecordBody::CopayCertificate(c) => c.rate.code().to_string(),
            _ => unreachable!(),
        }
    })
}

fn changes_and_withdrawals_move_the_current_version(db: &mut TestDb) {
    let files = Files::new();
    import(
        db,
        &files.csv(FUTAN_FULL, COPAY_HEADER, &[copay_row(1, 1, "A", "1")]),
    );
    let change = files.csv(FUTAN_DIFF, COPAY_HEADER, &[copay_row(1, 2, "C", "2")]);
    assert_eq!(import(db, &change).rows_inserted, 1);
    assert_eq!(current_rate(db, 1, "20251001").as_deref(), Some("2"));
    let withdraw = files.csv(
        "FUTAN_131011_SABUN_20261103090000.csv",
        COPAY_HEADER,
        &["D,131011,0000000001,2,20250801,,,,".to_string()],
    );
    let report = import(db, &withdraw);
    assert_eq!((report.rows_withdrawn, report.rows_rejected), (1, 0));
    assert_eq!(
        current_rate(db, 1, "20251001").as_deref(),
        Some("1"),
        "withdrawal falls back to history 1"
    );
    // CRLF line ends make it a different file (by hash) with the same row.
    let text = format!("{COPAY_HEADER}\r\nD,131011,0000000001,2,20250801,,,,\r\n");
    let again = files.write("FUTAN_131011_SABUN_20261104090000.csv", text.as_bytes());
    assert_eq!(
        import(db, &again).rows_unchanged,
        1,
        "withdrawing twice changes nothing"
    );
}

fn operations_must_match_what_is_stored(db: &mut TestDb) {
    let files = Files::new();
    let report = import(
        db,
        &files.csv(
            FUTAN_DIFF,
            COPAY_HEADER,
            &[
                copay_row(1, 1, "C", "1"),
                copay_row(2, 1, "A", "1"),
                copay_row(2, 2, "A", "2"),
            ],
        ),
    );
    assert_eq!(
        error_codes(&report),
        vec![(2, "CHANGE_WITHOUT_BASE"), (4, "ADD_EXISTS")]
    );
    let conflict = files.csv(
        "FUTAN_131011_SABUN_20261105090000.csv",
        COPAY_HEADER,
        &[copay_row(2, 1, "A", "3")],
    );
    assert_eq!(
        error_codes(&import(db, &conflict)),
        vec![(2, "HISTORY_CONFLICT")]
    );
    let withdraw_unknown = files.csv(
        "FUTAN_131011_SABUN_20261106090000.csv",
        COPAY_HEADER,
        &["D,131011,0000000009,1,20250801,,,,".to_string()],
    );
    assert_eq!(
        error_codes(&import(db, &withdraw_unknown)),
        vec![(2, "WITHDRAW_UNKNOWN")]
    );
    let full_with_delete = files.csv(
        "FUTAN_131011_ZENKEN_20261107090000.csv",
        COPAY_HEADER,
        &["D,131011,0000000002,1,20250801,,,,".to_string()],
    );
    assert_eq!(
        error_codes(&import(db, &full_with_delete)),
        vec![(2, "OPERATION_NOT_ALLOWED")]
    );
}

fn json_lines_files_use_the_english_keys(db: &mut TestDb) {
    let files = Files::new();
    let line = r#"{"operation":"A","insurer_number":"131011","insured_number":"0000000001","history_number":1,"applies_from":"20250801","copay_rate":"2","valid_from":"20250801","valid_to":"20260731","issued_on":"20250715"}"#;
    let bad = r#"{"operation":"A","insurer_number":"131011","insured_number":"0000000002","history_number":1,"colour":"red"}"#;
    let path = files.write(
        "FUTAN_131011_ZENKEN_20261101090000.jsonl",
        format!("{line}\n{bad}\n").as_bytes(),
    );
    let report = import(db, &path);
    assert_eq!(report.outcome, Outcome::Committed);
    assert_eq!(error_codes(&report), vec![(2, "JSON_INVALID")]);
    assert_eq!(current_rate(db, 1, "20251001").as_deref(), Some("2"));
}

on_both_engines!(
    changes_and_withdrawals_move_the_current_version,
    operations_must_match_what_is_stored,
    json_lines_files_use_the_english_keys,
);
