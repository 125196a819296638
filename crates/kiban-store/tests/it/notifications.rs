//! Notifications between servers on one PostgreSQL database: what one connection sends (or
//! another that listens receives, at commit; SQLite has none.

use kiban_store::{Notification, Store};
use kiban_testkit::TestDb;
use std::time::{Duration, Instant};

/// A second connection to the test's schema that listens on `channels`.
fn listener(db: &TestDb, channels: &[&str]) -> Box<dyn Store> {
    let mut store = kiban_store::open(&db.url).expect("a listening connection");
    assert!(store.listen(channels).unwrap(), "PostgreSQL listens");
    store
}

/// What `listener` receives within a second whose payload satisfies `wanted` (channels are
/// shared by every schema of the test database, so other tests' notices may arrive too).
fn received(listener: &mut dyn Store, wanted: impl Fn(&Notification) -> bool) -> Vec<Notification> {
    let until = Instant::now() + Duration::from_secs(1);
    let mut out = Vec::new();
    while Instant::now() < until {
        out.extend(
            listener
                .wait_notifications(Duration::from_millis(100))
                .unwrap()
                .into_iter()
                .filter(&wanted),
        );
    }
    out
}

#[test]
fn a_notice_sent_by_one_connection_reaches_another() {
    let mut db = TestDb::postgres();
    let mut other = listener(&db, &["kiban_test_channel"]);
    let payload = format!("hello {}", rand::random::<u64>());
    db.store().notify("kiban_test_channel", &payload).unwrap();
    let got = received(other.as_mut(), |n| n.payload == payload);
    assert_eq!(
        got,
        vec![Notification {
            channel: "kiban_test_channel".into(),
            payload: payload.clone()
        }]
    );
}

#[test]
fn a_notice_inside_a_rolled_back_transaction_is_never_sent() {
    let mut db = TestDb::postgres();
    let mut other = listener(&db, &["kiban_test_channel"]);
    let payload = format!("rolled back {}", rand::random::<u64>());
    db.store().begin().unwrap();
    db.store().notify("kiban_test_channel", &payload).unwrap();
    db.store().rollback().unwrap();
    assert!(received(other.as_mut(), |n| n.payload == payload).is_empty());
}

#[test]
fn sqlite_has_no_notifications() {
    let mut db = TestDb::sqlite();
    assert!(!db.store().listen(&["kiban_notices"]).unwrap());
    db.store().notify("kiban_notices", "{}").unwrap();
    assert!(db
        .store()
        .wait_notifications(Duration::from_millis(10))
        .unwrap()
        .is_empty());
}

#[test]
fn a_channel_name_is_an_identifier() {
    let db = TestDb::postgres();
    let mut store = kiban_store::open(&db.url).unwrap();
    assert!(store.listen(&["kiban; DROP TABLE sessions"]).is_err());
}
