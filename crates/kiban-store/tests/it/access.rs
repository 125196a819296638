//! The access backbone on both engines: offices, staff, sessions, card links, serving
//! relationships, consents and 主治医意見書作成依頼 read back exactly as written, and the
//! "first time wins" rules of revoking, ending and closing hold.

use kiban_domain::access::{
    ConsentCategory, ConsentMethod, EndedBy, OfficeKind, PaperReason, Party, StaffKind, Workplace,
};
use kiban_domain::codes::ServiceKind;
use kiban_domain::date::Date;
use kiban_domain::ids::{
    CheckDigitPolicy, InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber,
};
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

/// The typed values the rows hold, from the texts the tests write.
pub(crate) fn insurer(s: &str) -> InsurerNumber {
    InsurerNumber::parse_with(s, CheckDigitPolicy::Warn)
        .unwrap()
        .number
}
pub(crate) fn insured(s: &str) -> InsuredNumber {
    InsuredNumber::parse(s).unwrap()
}
pub(crate) fn office_number(s: &str) -> OfficeNumber {
    OfficeNumber::parse(s).unwrap()
}
pub(crate) fn day(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

pub(crate) const INSURER: &str = "131011";
pub(crate) const OFFICE: &str = "1370000001";

pub(crate) fn office(number: &str, kinds: &[&str], active: bool) -> OfficeRow {
    OfficeRow {
        office_number: Party::Office(office_number(number)),
        name: "試験居宅介護支援事業所".into(),
        office_kind: OfficeKind::HomeCareSupport,
        service_kinds: kinds
            .iter()
            .map(|k| ServiceKind::from_code(k).unwrap())
            .collect(),
        active,
        created_at_ms: 1_780_000_000_000,
    }
}

pub(crate) fn staff(id: &str) -> StaffRow {
    StaffRow {
        staff_id: id.into(),
        workplace: Workplace::parse(StaffKind::OfficeStaff, OFFICE).unwrap(),
        job: kiban_domain::access::Job::CareManager,
        display_name: "試験　花子".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$SECRETHASHVALUE".into(),
        totp_secret: "JBSWY3DPEHPK3PXPTOTPSECRET".into(),
        totp_last_step: 0,
        failed_attempts: 0,
        locked_until_ms: 0,
        last_failure_ms: 0,
        active: true,
    }
}

fn session(access: &str, refresh: &str) -> SessionRow {
    SessionRow {
        access_hash: access.into(),
        refresh_hash: refresh.into(),
        staff_id: "staff-1".into(),
        access_expires_ms: 1_000,
        refresh_expires_ms: 2_000,
        revoked: false,
        client_serial: None,
    }
}

pub(crate) fn link(fingerprint: &str, insured: &str, at_ms: i64) -> CardLinkRow {
    CardLinkRow {
        fingerprint: fingerprint.into(),
        insurer: insurer(INSURER),
        insured: self::insured(insured),
        linked_at_ms: at_ms,
        linked_by: "clerk-1".into(),
        unlinked_at_ms: None,
    }
}

pub(crate) fn serving(office: &str, insured: &str) -> ServingRow {
    ServingRow {
        id: 0,
        office_number: office_number(office),
        insurer: insurer(INSURER),
        insured: self::insured(insured),
        started_on: day("20260401"),
        ended_on: None,
        ended_by: None,
        last_service_on: None,
    }
}

pub(crate) fn consent(office_number: &str, category: &str, method: &str) -> ConsentRow {
    ConsentRow {
        id: 0,
        office_number: self::office_number(office_number),
        insurer: insurer(INSURER),
        insured: insured("0000100001"),
        category: ConsentCategory::from_code(category).unwrap(),
        granted_at_ms: 10,
        method: match method {
            "paper" => ConsentMethod::Paper {
                reason: PaperReason::NoCard,
                witness: "staff-1".into(),
            },
            _ => ConsentMethod::Card,
        },
        valid_until: (method == "paper").then(|| day("20270331")),
        revoked_at_ms: None,
    }
}

fn offices_are_put_and_replaced(db: &mut TestDb) {
    let s = db.store();
    assert_eq!(s.office(OFFICE).unwrap(), None);
    let first = office(OFFICE, &["43", "46"], true);
    s.put_office(&first).unwrap();
    s.put_office(&office("1370000002", &[], true)).unwrap();
    assert_eq!(s.office(OFFICE).unwrap(), Some(first));
    let empty = s.office("1370000002").unwrap().unwrap();
    assert!(
        empty.service_kinds.is_empty(),
        "no kinds reads back as none"
    );

    let mut replaced = office(OFFICE, &["11"], false);
    replaced.name = "改称後事業所".into();
    s.put_office(&replaced).unwrap();
    assert_eq!(s.office(OFFICE).unwrap(), Some(replaced));
}

fn staff_are_stored_and_debug_hides_secrets(db: &mut TestDb) {
    let s = db.store();
    let row = staff("staff-1");
    s.insert_staff(&row).unwrap();
    assert!(s.insert_staff(&row).is_err(), "a staff id is inserted once");
    let read = s.staff("staff-1").unwrap().unwrap();
    assert_eq!(read, row);
    assert_eq!(s.staff("staff-2").unwrap(), None);

    s.update_staff_login(
        "staff-1",
        3,
        1_780_000_900_000,
        1_780_000_000_123,
        59_333_333,
    )
    .unwrap();
    let after = s.staff("staff-1").unwrap().unwrap();
    assert_eq!(
        (
            after.failed_attempts,
            after.locked_until_ms,
            after.last_failure_ms,
            after.totp_last_step
        ),
        (3, 1_780_000_900_000, 1_780_000_000_123, 59_333_333)
    );
    assert_eq!(after.password_hash, row.password_hash);

    let debug = format!("{after:?}");
    assert!(debug.contains("staff-1"), "Debug still identifies the row");
    assert!(!debug.contains("SECRETHASHVALUE") && !debug.contains("argon2id"));
    assert!(!debug.contains("TOTPSECRET") && !debug.contains("JBSWY3DP"));
}

fn sessions_are_found_by_either_hash_and_revoked(db: &mut TestDb) {
    let s = db.store();
    s.insert_session(&session("a1", "r1")).unwrap();
    s.insert_session(&session("a2", "r2")).unwrap();
    assert_eq!(
        s.session_by_access("a1").unwrap(),
        Some(session("a1", "r1"))
    );
    assert_eq!(
        s.session_by_refresh("r2").unwrap().unwrap().access_hash,
        "a2"
    );
    assert_eq!(
        s.session_by_access("r1").unwrap(),
        None,
        "hashes do not mix"
    );
    assert_eq!(s.session_by_refresh("a1").unwrap(), None);

    s.revoke_session("a1").unwrap();
    assert!(s.session_by_access("a1").unwrap().unwrap().revoked);
    assert!(s.session_by_refresh("r1").unwrap().unwrap().revoked);
    assert!(!s.session_by_access("a2").unwrap().unwrap().revoked);
}

fn revoking_a_client_certificate_ends_its_sessions_and_is_recorded_once(db: &mut TestDb) {
    let s = db.store();
    let over = |access: &str, refresh: &str, serial: Option<&str>| SessionRow {
        client_serial: serial.map(str::to_string),
        ..session(access, refresh)
    };
    s.insert_session(&over("a1", "r1", Some("0abc"))).unwrap();
    s.insert_session(&over("a2", "r2", Some("0abc"))).unwrap();
    s.insert_session(&over("a3", "r3", Some("0def"))).unwrap();
    s.insert_session(&over("a4", "r4", None)).unwrap();
    s.revoke_session("a2").unwrap();
    assert_eq!(
        s.session_by_access("a1")
            .unwrap()
            .unwrap()
            .client_serial
            .as_deref(),
        Some("0abc")
    );
    assert_eq!(
        s.revoke_sessions_of_client("0abc").unwrap(),
        1,
        "a2 was already ended"
    );
    assert!(s.session_by_refresh("r1").unwrap().unwrap().revoked);
    assert!(!s.session_by_access("a3").unwrap().unwrap().revoked);
    assert!(!s.session_by_access("a4").unwrap().unwrap().revoked);
    assert_eq!(s.revoke_sessions_of_client("0abc").unwrap(), 0);

    assert!(s.client_revocations_after(0).unwrap().is_empty());
    assert!(s.record_client_revocation("0abc", 1, 1_000).unwrap());
    assert!(
        !s.record_client_revocation("0abc", 4, 2_000).unwrap(),
        "recorded once"
    );
    assert!(s.record_client_revocation("0def", 0, 3_000).unwrap());
    let all = s.client_revocations_after(0).unwrap();
    assert_eq!(
        all.iter()
            .map(|r| (r.serial.as_str(), r.reason_code, r.revoked_at_ms))
            .collect::<Vec<_>>(),
        [("0abc", 1, 1_000), ("0def", 0, 3_000)],
        "the first record wins, oldest first"
    );
    let newer = s.client_revocations_after(all[0].id).unwrap();
    assert_eq!(newer, all[1..].to_vec());
    assert!(s.client_revocations_after(all[1].id).unwrap().is_empty());
}

fn a_linked_card_cannot_move_until_unlinked(db: &mut TestDb) {
    let s = db.store();
    assert_eq!(s.card_link("fp1").unwrap(), None);
    s.link_card(&link("fp1", "0000100001", 100)).unwrap();
    assert_eq!(
        s.card_link("fp1").unwrap(),
        Some(link("fp1", "0000100001", 100))
    );

    // Refused inside a transaction, which stays usable (PostgreSQL aborts a transaction on a
    // failed statement; the refusal must not be one).
    s.begin().unwrap();
    let err = s.link_card(&link("fp1", "0000100002", 200)).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(!err.to_string().contains("fp1"), "no fingerprint in errors");
    s.link_card(&link("fp2", "0000100002", 200)).unwrap();
    s.commit().unwrap();
    assert_eq!(
        s.card_link("fp1").unwrap().unwrap().insured.to_string(),
        "0000100001",
        "the refused link changed nothing"
    );
    assert_eq!(
        s.card_link("fp2").unwrap().unwrap().insured.to_string(),
        "0000100002"
    );

    s.unlink_card("fp1", 300).unwrap();
    assert_eq!(s.card_link("fp1").unwrap(), None, "unlinked is not current");
    s.link_card(&link("fp1", "0000100003", 400)).unwrap();
    assert_eq!(
        s.card_link("fp1").unwrap(),
        Some(link("fp1", "0000100003", 400))
    );
    assert!(matches!(
        s.link_card(&link("fp1", "0000100001", 500)),
        Err(StoreError::Conflict(_))
    ));
}

fn serving_relationships_start_end_and_list(db: &mut TestDb) {
    let s = db.store();
    // Started out of person order, to see the ordering.
    let b = s.start_serving(&serving(OFFICE, "0000100002")).unwrap();
    let a = s.start_serving(&serving(OFFICE, "0000100001")).unwrap();
    let ended = s.start_serving(&serving(OFFICE, "0000100003")).unwrap();
    let other = s
        .start_serving(&serving("1370000002", "0000100001"))
        .unwrap();
    assert_eq!(
        [a, b, ended, other]
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "distinct ids"
    );

    s.end_serving(ended, day("20260930"), EndedBy::Person)
        .unwrap();
    s.end_serving(ended, day("20261231"), EndedBy::Inactivity)
        .unwrap();
    s.record_service(a, day("20260501")).unwrap();
    s.record_service(a, day("20260415")).unwrap();

    let served = s.persons_served(OFFICE).unwrap();
    assert_eq!(
        served.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![a, b],
        "open relationships only, by person"
    );
    assert_eq!(
        served[0].last_service_on.map(Date::yyyymmdd).as_deref(),
        Some("20260501"),
        "an older service does not move the last one back"
    );
    assert_eq!(served[1].last_service_on, None);

    let history = s.serving(OFFICE, INSURER, "0000100003").unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].ended_on.map(Date::yyyymmdd).as_deref(),
            history[0].ended_by
        ),
        (Some("20260930"), Some(EndedBy::Person)),
        "the first end is kept"
    );
    assert_eq!(history[0].started_on.yyyymmdd(), "20260401");

    let servers = s.servers_of(INSURER, "0000100001").unwrap();
    assert_eq!(
        servers.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![a, other]
    );
    s.end_serving(other, day("20260601"), EndedBy::Office)
        .unwrap();
    assert_eq!(
        s.servers_of(INSURER, "0000100001").unwrap().len(),
        2,
        "servers_of lists ended relationships too"
    );
    assert!(s.persons_served("1370000002").unwrap().is_empty());
}

fn consents_are_revoked_once_and_listed(db: &mut TestDb) {
    let s = db.store();
    let card = s
        .insert_consent(&consent(OFFICE, "qualification", "card"))
        .unwrap();
    let paper = s
        .insert_consent(&consent("1370000002", "care_plan", "paper"))
        .unwrap();
    let life = s.insert_consent(&consent(OFFICE, "life", "card")).unwrap();
    let mut stranger = consent(OFFICE, "life", "card");
    stranger.insured = insured("0000100009");
    s.insert_consent(&stranger).unwrap();

    s.revoke_consent(card, 500).unwrap();
    s.revoke_consent(card, 900).unwrap();

    let all = s.consents(INSURER, "0000100001", None).unwrap();
    assert_eq!(
        all.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![card, paper, life]
    );
    assert_eq!(
        all[0].revoked_at_ms,
        Some(500),
        "the first revocation is kept"
    );
    assert_eq!(all[2].revoked_at_ms, None);
    let mut expected_paper = consent("1370000002", "care_plan", "paper");
    expected_paper.id = paper;
    assert_eq!(all[1], expected_paper);

    let here = s.consents(INSURER, "0000100001", Some(OFFICE)).unwrap();
    assert_eq!(
        here.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![card, life]
    );
    assert!(s
        .consents(INSURER, "0000100001", Some("1370000099"))
        .unwrap()
        .is_empty());
}

fn opinion_requests_open_close_and_list(db: &mut TestDb) {
    let s = db.store();
    let req = |institution: &str, at: i64| OpinionRequestRow {
        id: 0,
        institution_code: MedicalInstitutionCode::parse(institution).unwrap(),
        insurer: insurer(INSURER),
        insured: insured("0000100001"),
        requested_at_ms: at,
        closed_at_ms: None,
    };
    let first = s.insert_opinion_request(&req("1310000001", 10)).unwrap();
    let second = s.insert_opinion_request(&req("1310000001", 20)).unwrap();
    s.insert_opinion_request(&req("1310000002", 30)).unwrap();
    s.close_opinion_request(first, 15).unwrap();
    s.close_opinion_request(first, 99).unwrap();

    let listed = s
        .opinion_requests(INSURER, "0000100001", "1310000001")
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    assert_eq!(listed[0].closed_at_ms, Some(15), "the first close is kept");
    assert_eq!(
        listed[1],
        OpinionRequestRow {
            id: second,
            ..req("1310000001", 20)
        }
    );
    assert!(s
        .opinion_requests(INSURER, "0000100002", "1310000001")
        .unwrap()
        .is_empty());
}

fn open_opinion_requests_list_one_institution_oldest_first(db: &mut TestDb) {
    let s = db.store();
    let req = |institution: &str, insurer: &str, insured: &str, at: i64| OpinionRequestRow {
        id: 0,
        institution_code: MedicalInstitutionCode::parse(institution).unwrap(),
        insurer: self::insurer(insurer),
        insured: self::insured(insured),
        requested_at_ms: at,
        closed_at_ms: None,
    };
    // Inserted out of order, so only the ORDER BY can produce the expected list.
    let late = s
        .insert_opinion_request(&req("1310000001", INSURER, "0000100003", 30))
        .unwrap();
    let tie_b = s
        .insert_opinion_request(&req("1310000001", INSURER, "0000100002", 20))
        .unwrap();
    let tie_a = s
        .insert_opinion_request(&req("1310000001", "131003", "0000100009", 20))
        .unwrap();
    let closed = s
        .insert_opinion_request(&req("1310000001", INSURER, "0000100001", 10))
        .unwrap();
    s.insert_opinion_request(&req("1310000002", INSURER, "0000100001", 5))
        .unwrap();
    s.close_opinion_request(closed, 25).unwrap();

    let open = s.open_opinion_requests("1310000001").unwrap();
    assert_eq!(
        open.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![tie_a, tie_b, late],
        "by requested_at_ms, then insurer, insured; closed and other institutions left out"
    );
    assert_eq!(
        open[0],
        OpinionRequestRow {
            id: tie_a,
            ..req("1310000001", "131003", "0000100009", 20)
        }
    );
    assert!(s.open_opinion_requests("1310000099").unwrap().is_empty());
}

on_both_engines!(
    offices_are_put_and_replaced,
    staff_are_stored_and_debug_hides_secrets,
    sessions_are_found_by_either_hash_and_revoked,
    revoking_a_client_certificate_ends_its_sessions_and_is_recorded_once,
    a_linked_card_cannot_move_until_unlinked,
    serving_relationships_start_end_and_list,
    consents_are_revoked_once_and_listed,
    opinion_requests_open_close_and_list,
    open_opinion_requests_list_one_institution_oldest_first,
);
