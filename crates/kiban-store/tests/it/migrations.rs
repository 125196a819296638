//! Several servers starting at once on one database: the migrations run once, under a lock,
//! and a database migrated by a newer kiban is refused.

use kiban_store::{PostgresStore, SqliteStore, Store, StoreError, MIGRATIONS};
use kiban_testkit::{postgres_url, TestDb};

/// Runs `open` + migrate on `n` threads at once; returns every name each applied.
fn migrate_at_once(n: usize, open: impl Fn() -> Box<dyn Store> + Sync) -> Vec<String> {
    let barrier = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                scope.spawn(|| {
                    let mut store = open();
                    barrier.wait();
                    store.migrate().expect("every concurrent migrator succeeds")
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn each_once(applied: Vec<String>) {
    let mut sorted = applied.clone();
    sorted.sort();
    let expected: Vec<String> = MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
    assert_eq!(
        sorted, expected,
        "each migration applied exactly once: {applied:?}"
    );
}

#[test]
fn postgres_servers_starting_together_migrate_once() {
    let base = postgres_url();
    let schema = format!("kiban_migrate_{:016x}", rand::random::<u64>());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("PostgreSQL is required and unreachable at {base}: {e}"));
    admin
        .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
        .unwrap();
    let applied = migrate_at_once(4, || {
        let mut store = PostgresStore::connect(&base).unwrap();
        store.set_search_path(&schema).unwrap();
        Box::new(store)
    });
    admin
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .unwrap();
    each_once(applied);
}

#[test]
fn sqlite_processes_starting_together_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiban.db");
    let applied = migrate_at_once(4, || Box::new(SqliteStore::open(&path).unwrap()));
    each_once(applied);
}

fn refuses_a_newer_schema(mut db: TestDb) {
    let known = MIGRATIONS.last().unwrap().version;
    db.sql(&format!(
        "INSERT INTO schema_migrations (version, name) VALUES ({}, '9999_from_the_future')",
        known + 1
    ));
    let err = db.store().migrate().unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaNewer { database, known: k } if database == known + 1 && k == known),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("upgrade kiban"), "{message}");
    assert!(message.contains("kiban を更新"), "{message}");
}

#[test]
fn a_database_migrated_by_a_newer_kiban_is_refused_postgres() {
    refuses_a_newer_schema(TestDb::postgres());
}

#[test]
fn a_database_migrated_by_a_newer_kiban_is_refused_sqlite() {
    refuses_a_newer_schema(TestDb::sqlite());
}
