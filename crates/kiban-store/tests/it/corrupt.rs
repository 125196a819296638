//! A stored value that does not parse as its column's type is read as a typed error naming the
//! table, the row's key and the column, on both engines (on the single and the bulk reads) —
//! never a panic, never a default. The value itself is not repeated: it may be personal data.

use crate::access::{consent, link, serving, INSURER, OFFICE};
use kiban_store::StoreError;
use kiban_testkit::{on_both_engines, TestDb};

fn corrupt_of(err: StoreError) -> (&'static str, String, &'static str, String) {
    match err {
        StoreError::CorruptValue {
            table,
            key,
            column,
            reason,
        } => (table, key, column, reason),
        other => panic!("expected a corrupt value, got {other}"),
    }
}

fn a_corrupt_value_names_table_key_and_column(db: &mut TestDb) {
    let s = db.store();
    let consent_id = s
        .insert_consent(&consent(OFFICE, "care_plan", "card"))
        .unwrap();
    let serving_id = s.start_serving(&serving(OFFICE, "0000100001")).unwrap();
    s.link_card(&link("fp-corrupt", "0000100001", 100)).unwrap();
    // Good rows read back as written.
    assert_eq!(s.consents(INSURER, "0000100001", None).unwrap().len(), 1);

    db.sql(&format!(
        "UPDATE consents SET category = 'gossip-7' WHERE id = {consent_id}; \
         UPDATE serving_relationships SET started_on = '2026-04-01' WHERE id = {serving_id}; \
         UPDATE card_links SET insured = '12345' WHERE fingerprint = 'fp-corrupt';"
    ));
    let s = db.store();

    let err = s.consents(INSURER, "0000100001", None).unwrap_err();
    let message = err.to_string();
    assert_eq!(
        corrupt_of(err),
        (
            "consents",
            format!("id={consent_id}"),
            "category",
            "is not a consent category code".to_string()
        )
    );
    assert!(
        message.contains("consents") && message.contains("category"),
        "{message}"
    );
    assert!(
        !message.contains("gossip-7"),
        "the value is not repeated: {message}"
    );
    let bulk = s
        .consents_of_many(INSURER, &["0000100001".to_string()], OFFICE)
        .unwrap_err();
    assert_eq!(
        corrupt_of(bulk).2,
        "category",
        "the bulk read parses the same way"
    );

    let err = s.servers_of(INSURER, "0000100001").unwrap_err();
    assert_eq!(
        corrupt_of(err),
        (
            "serving_relationships",
            format!("id={serving_id}"),
            "started_on",
            "is not a YYYYMMDD date".to_string()
        )
    );
    let bulk = s
        .servers_of_many(INSURER, &["0000100001".to_string()])
        .unwrap_err();
    assert_eq!(corrupt_of(bulk).2, "started_on");

    let err = s.card_link("fp-corrupt").unwrap_err();
    let (table, key, column, _) = corrupt_of(err);
    assert_eq!(
        (table, key.as_str(), column),
        ("card_links", "fingerprint=fp-corrupt", "insured")
    );
}

/// `err` is the corrupt value `expected` (table, key, column, reason), and its message does
/// not repeat the stored `value`.
fn assert_corrupt(err: StoreError, expected: (&str, String, &str, &str), value: &str) {
    let message = err.to_string();
    let (table, key, column, reason) = corrupt_of(err);
    assert_eq!((table, key, column, reason.as_str()), expected);
    assert!(
        !message.contains(value),
        "the value is not repeated: {message}"
    );
}

/// Writes an import log entry and sets its `column` to `value`: listing the log is then the
/// corrupt value `reason` of that entry's column.
fn an_import_column_reads_as_corrupt(db: &mut TestDb, column: &str, value: &str, reason: &str) {
    let s = db.store();
    s.begin().unwrap();
    let id = s
        .insert_import(&crate::conformance::log_entry(&format!("corrupt-{column}")))
        .unwrap();
    s.commit().unwrap();
    assert_eq!(s.list_imports(10).unwrap().len(), 1);

    db.sql(&format!(
        "UPDATE imports SET {column} = '{value}' WHERE id = {id};"
    ));
    let err = db.store().list_imports(10).unwrap_err();
    assert_corrupt(err, ("imports", format!("id={id}"), column, reason), value);
}

/// An unknown import status is a corrupt value, not a silent 中止 (rejected).
fn an_unknown_import_status_is_a_corrupt_value(db: &mut TestDb) {
    let reason = "is not an import status code (committed, rejected)";
    an_import_column_reads_as_corrupt(db, "status", "pending-9", reason);
}

/// An unknown staff account kind is a corrupt value where the account is read, not a refusal
/// decided later from a string.
fn an_unknown_staff_kind_is_a_corrupt_value(db: &mut TestDb) {
    let s = db.store();
    s.insert_staff(&crate::access::staff("cm-corrupt")).unwrap();
    assert!(s.staff("cm-corrupt").unwrap().is_some());

    db.sql("UPDATE staff_accounts SET actor_kind = 'janitor-3' WHERE staff_id = 'cm-corrupt';");
    let s = db.store();
    let err = s.staff("cm-corrupt").unwrap_err();
    let message = err.to_string();
    assert_eq!(
        corrupt_of(err),
        (
            "staff_accounts",
            "staff_id=cm-corrupt".to_string(),
            "actor_kind",
            "is not a staff account kind code".to_string()
        )
    );
    assert!(
        !message.contains("janitor-3"),
        "the value is not repeated: {message}"
    );
}

/// Care plans: an unknown document status, a plan keyed by a month instead of its date, and an
/// unknown service kind in the service months are corrupt values where they are read — the
/// document on its single read and on the list reads, the service kind in the aggregate that
/// groups by it (which has no key of its own).
fn a_corrupt_careplan_value_is_a_corrupt_value(db: &mut TestDb) {
    use crate::careplan_fixtures::{document, fact, set_of, CARE_OFFICE, PERSON, PROVIDER_1};
    let s = db.store();
    let ids = s
        .insert_careplan_documents(&[
            document("plan", PERSON, "20260401", ""),
            document("plan", PERSON, "20260501", ""),
        ])
        .unwrap();
    let (status_id, key_id) = (ids[0], ids[1]);
    s.replace_service_months(&[set_of(vec![fact(
        INSURER,
        PERSON,
        "202604",
        CARE_OFFICE,
        "11",
        PROVIDER_1,
        "22",
    )])])
    .unwrap();
    // Good rows read back.
    assert_eq!(s.careplan_documents_of(INSURER, PERSON).unwrap().len(), 2);
    assert_eq!(s.user_counts(INSURER, "202604").unwrap().len(), 1);

    db.sql(&format!(
        "UPDATE careplan_documents SET status = 'lost-4' WHERE id = {status_id}; \
         UPDATE careplan_documents SET doc_key = '202605' WHERE id = {key_id}; \
         UPDATE service_months SET service_kind = 'x9';"
    ));
    let s = db.store();

    let err = s.careplan_document(status_id).unwrap_err();
    let message = err.to_string();
    assert_eq!(
        corrupt_of(err),
        (
            "careplan_documents",
            format!("id={status_id}"),
            "status",
            "is not a care-plan document status code".to_string()
        )
    );
    assert!(
        !message.contains("lost-4"),
        "the value is not repeated: {message}"
    );
    let err = s.careplan_document(key_id).unwrap_err();
    assert_eq!(
        corrupt_of(err),
        (
            "careplan_documents",
            format!("id={key_id}"),
            "doc_key",
            "is not a YYYYMMDD date".to_string()
        ),
        "a plan is keyed by its date"
    );
    let list = s.careplan_documents_of(INSURER, PERSON).unwrap_err();
    assert_eq!(
        corrupt_of(list).2,
        "doc_key",
        "the list reads parse the same way (newest first: the re-keyed plan)"
    );

    let err = s.user_counts(INSURER, "202604").unwrap_err();
    let message = err.to_string();
    assert_eq!(
        corrupt_of(err),
        (
            "service_months",
            "(aggregate)".to_string(),
            "service_kind",
            "is not a サービス種類コード (service kind)".to_string()
        )
    );
    assert!(
        !message.contains("x9"),
        "the value is not repeated: {message}"
    );
}

/// A certification application whose status or due day does not parse is a corrupt value on
/// every read of it (the one application, a person's list, the overdue list).
fn a_corrupt_application_status_or_due_day_is_a_corrupt_value(db: &mut TestDb) {
    let s = db.store();
    let id = s
        .insert_application(&crate::certification::application(
            "0000100001",
            "20260401",
            "requested",
            "20260501",
        ))
        .unwrap();
    assert!(s.application(id).unwrap().is_some());

    db.sql(&format!(
        "UPDATE certification_applications SET status = 'surveying-5' WHERE id = {id};"
    ));
    let s = db.store();
    let table = "certification_applications";
    let reason = "is not a certification status code";
    let err = s.application(id).unwrap_err();
    assert_corrupt(
        err,
        (table, format!("id={id}"), "status", reason),
        "surveying-5",
    );
    let listed = s.applications_of(INSURER, "0000100001").unwrap_err();
    assert_eq!(corrupt_of(listed).2, "status");

    db.sql(&format!(
        "UPDATE certification_applications SET status = 'requested', due_on = '2026-05-01' WHERE id = {id};"
    ));
    let s = db.store();
    let err = s.application(id).unwrap_err();
    let reason = "is not a YYYYMMDD date";
    assert_corrupt(
        err,
        (table, format!("id={id}"), "due_on", reason),
        "2026-05-01",
    );
    let overdue = s
        .overdue_applications(INSURER, "20260601", &[])
        .unwrap_err();
    assert_eq!(corrupt_of(overdue).2, "due_on");
}

/// An import log entry whose record kind is unknown is a corrupt value, not a string passed on.
fn an_unknown_import_kind_is_a_corrupt_value(db: &mut TestDb) {
    let reason = "is not a record kind code (HIHO, FUTAN, GENMEN, JUTAKU, FUKUSHI)";
    an_import_column_reads_as_corrupt(db, "kind", "CARDS-4", reason);
    assert!(db.store().find_committed_import("corrupt-kind").is_err());
}

/// A number whose type the row's kind decides is read by that kind: an office account holding
/// a 保険者番号 is corrupt, as is an unknown paper reason, an unknown サービス種類コード or an
/// unknown end of a 担当関係.
fn a_number_or_code_the_row_does_not_allow_is_a_corrupt_value(db: &mut TestDb) {
    let s = db.store();
    s.insert_staff(&crate::access::staff("cm-number")).unwrap();
    let paper = s
        .insert_consent(&consent(OFFICE, "care_plan", "paper"))
        .unwrap();
    let serving_id = s.start_serving(&serving(OFFICE, "0000100001")).unwrap();
    s.end_serving(
        serving_id,
        crate::access::day("20260501"),
        kiban_domain::access::EndedBy::Office,
    )
    .unwrap();
    s.put_office(&crate::access::office(OFFICE, &["43"], true))
        .unwrap();
    assert_eq!(s.consents(INSURER, "0000100001", None).unwrap().len(), 1);

    db.sql(&format!(
        "UPDATE staff_accounts SET office_number = '{INSURER}' WHERE staff_id = 'cm-number'; \
         UPDATE consents SET paper_reason = 'lost-2' WHERE id = {paper}; \
         UPDATE serving_relationships SET ended_by = 'moon-8' WHERE id = {serving_id}; \
         UPDATE offices SET service_kinds = '43;zz' WHERE office_number = '{OFFICE}';"
    ));
    let s = db.store();
    let cases = [
        (
            s.staff("cm-number").unwrap_err(),
            (
                "staff_accounts",
                "staff_id=cm-number".to_string(),
                "office_number",
            ),
        ),
        (
            s.consents(INSURER, "0000100001", None).unwrap_err(),
            ("consents", format!("id={paper}"), "paper_reason"),
        ),
        (
            s.servers_of(INSURER, "0000100001").unwrap_err(),
            (
                "serving_relationships",
                format!("id={serving_id}"),
                "ended_by",
            ),
        ),
        (
            s.office(OFFICE).unwrap_err(),
            (
                "offices",
                format!("office_number={OFFICE}"),
                "service_kinds",
            ),
        ),
    ];
    for (err, (table, key, column)) in cases {
        let message = err.to_string();
        let (got_table, got_key, got_column, _) = corrupt_of(err);
        assert_eq!((got_table, got_key, got_column), (table, key, column));
        for value in ["lost-2", "moon-8", "zz"] {
            assert!(!message.contains(value), "not repeated: {message}");
        }
    }
}

on_both_engines!(
    a_corrupt_value_names_table_key_and_column,
    an_unknown_import_status_is_a_corrupt_value,
    an_unknown_staff_kind_is_a_corrupt_value,
    a_corrupt_careplan_value_is_a_corrupt_value,
    a_corrupt_application_status_or_due_day_is_a_corrupt_value,
    an_unknown_import_kind_is_a_corrupt_value,
    a_number_or_code_the_row_does_not_allow_is_a_corrupt_value
);
