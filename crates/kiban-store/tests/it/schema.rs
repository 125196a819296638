//! Both engines migrate to the same schema: the same tables, the same columns (in order, with
//! their kind of value, nullability and primary key) and the same indexes, by name. The
//! migrations are one source rendered per engine (`migrations/*.sql`, `src/dialect.rs`); this
//! keeps what the engine-only tokens render from drifting apart.

use kiban_testkit::TestDb;
use std::collections::BTreeMap;

/// table → its columns as `name kind [NOT NULL] [PK]`, in order.
type Columns = BTreeMap<String, Vec<String>>;

/// One schema as the engine describes it: the tables' columns, the explicitly created indexes
/// as `index ON table`, and the recorded migrations.
#[derive(Debug, PartialEq, Eq)]
struct Schema {
    columns: Columns,
    indexes: Vec<String>,
    migrations: Vec<(i64, String)>,
}

/// The kind of value a declared type holds. A flag is a 0/1 integer on SQLite and, in some
/// tables, a BOOLEAN on PostgreSQL; both are integers here.
fn kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int4" | "int8" | "bool" | "boolean" => "integer",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        other => panic!("unexpected column type {other}"),
    }
}

fn column(name: String, declared: &str, not_null: bool, primary_key: bool) -> String {
    let mut c = format!("{name} {}", kind(declared));
    // A primary key column is NOT NULL on PostgreSQL whether declared or not.
    if not_null || primary_key {
        c.push_str(" NOT NULL");
    }
    if primary_key {
        c.push_str(" PK");
    }
    c
}

fn sqlite_schema(db: &TestDb) -> Schema {
    let path = db.url.strip_prefix("sqlite://").expect("sqlite url");
    let conn = rusqlite::Connection::open(path).expect("raw connection");
    let strings = |sql: &str| -> Vec<(String, String)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut columns = Columns::new();
    for (table, _) in strings(
        "SELECT name, '' FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ) {
        let mut stmt = conn
            .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")
            .unwrap();
        let list = stmt
            .query_map([&table], |r| {
                Ok(column(
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? > 0,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        columns.insert(table, list);
    }
    // Indexes SQLite made itself for a constraint have no SQL; PostgreSQL's are left out below.
    let indexes = strings(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
    .into_iter()
    .map(|(index, table)| format!("{index} ON {table}"))
    .collect();
    let mut stmt = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap();
    let migrations = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    Schema {
        columns,
        indexes,
        migrations,
    }
}

fn postgres_schema(db: &TestDb) -> Schema {
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).expect("raw connection");
    let mut columns = Columns::new();
    for r in client
        .query(
            "SELECT c.table_name::TEXT, c.column_name::TEXT, c.udt_name::TEXT, c.is_nullable = 'NO', \
                    EXISTS (SELECT 1 FROM information_schema.table_constraints t \
                            JOIN information_schema.key_column_usage k \
                              ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema \
                            WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema \
                              AND k.table_name = c.table_name AND k.column_name = c.column_name) \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position",
            &[],
        )
        .unwrap()
    {
        columns.entry(r.get(0)).or_default().push(column(
            r.get(1),
            r.get::<_, &str>(2),
            r.get(3),
            r.get(4),
        ));
    }
    // Only the indexes a migration created: not those backing a primary key or unique
    // constraint, which SQLite makes without a name of ours.
    let indexes = client
        .query(
            "SELECT i.relname::TEXT, t.relname::TEXT FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relnamespace = current_schema()::regnamespace \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
             ORDER BY i.relname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| format!("{} ON {}", r.get::<_, &str>(0), r.get::<_, &str>(1)))
        .collect();
    let migrations = client
        .query(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Schema {
        columns,
        indexes,
        migrations,
    }
}

#[test]
fn both_engines_migrate_to_the_same_tables_columns_and_indexes() {
    let (sqlite, postgres) = (TestDb::sqlite(), TestDb::postgres());
    let (lite, pg) = (sqlite_schema(&sqlite), postgres_schema(&postgres));
    assert!(lite.columns.len() > 20, "{:?}", lite.columns.keys());
    assert!(!lite.indexes.is_empty());
    assert_eq!(
        lite.columns.keys().collect::<Vec<_>>(),
        pg.columns.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, columns) in &lite.columns {
        assert_eq!(columns, &pg.columns[table], "the columns of {table}");
    }
    assert_eq!(lite.indexes, pg.indexes, "the same indexes");
    assert_eq!(
        lite.migrations, pg.migrations,
        "the same migrations recorded"
    );
}
