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

/// The national plan (docs/scale.md) partitions and distributes by 保険者番号: every table's
/// primary key and unique constraints include `insurer`, or the plan names the table among its
/// exceptions with why. A new table without the insurer in its keys fails here until the plan
/// says why; an exception the schema no longer has fails too, so the list stays true.
#[test]
fn every_key_includes_the_insurer_or_the_national_plan_names_the_exception() {
    let db = TestDb::sqlite();
    let path = db.url.strip_prefix("sqlite://").expect("sqlite url");
    let conn = rusqlite::Connection::open(path).unwrap();
    let names = |sql: &str, arg: &str| -> Vec<(String, i64)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([arg], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut without = std::collections::BTreeSet::new();
    for (table, _) in names(
        "SELECT name, 0 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?1",
        "",
    ) {
        // Every key of the table: its primary key (a rowid table's INTEGER PRIMARY KEY is not
        // listed as an index) and each unique index, constraint or not.
        let mut keys: Vec<Vec<String>> = Vec::new();
        let primary: Vec<String> = names(
            "SELECT name, pk FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
            &table,
        )
        .into_iter()
        .map(|(c, _)| c)
        .collect();
        if !primary.is_empty() {
            keys.push(primary);
        }
        for (index, _) in names(
            "SELECT name, 0 FROM pragma_index_list(?1) WHERE \"unique\" = 1",
            &table,
        ) {
            keys.push(
                names("SELECT name, seqno FROM pragma_index_info(?1)", &index)
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect(),
            );
        }
        if keys.is_empty() || keys.iter().any(|k| !k.iter().any(|c| c == "insurer")) {
            without.insert(table);
        }
    }
    let plan = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scale.md"),
    )
    .expect("docs/scale.md");
    let section = plan
        .split("## Exceptions to the insurer key")
        .nth(1)
        .expect("the plan has its exceptions section")
        .split("\n## ")
        .next()
        .unwrap();
    let named: std::collections::BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    let unnamed: Vec<_> = without.difference(&named).collect();
    assert!(
        unnamed.is_empty(),
        "tables whose keys lack the insurer, not named in docs/scale.md: {unnamed:?}"
    );
    let stale: Vec<_> = named.difference(&without).collect();
    assert!(
        stale.is_empty(),
        "docs/scale.md names exceptions the schema does not have: {stale:?}"
    );
    assert!(
        without.len() >= 10,
        "the check sees the schema: {without:?}"
    );
}
