//! The engine-neutral database layer: what lets each statement and each store method be
//! written once for SQLite and PostgreSQL.
//!
//! - [`Value`] is a statement parameter and [`SqlRow`] a result row, both read and written the
//!   same way on either engine. The engines' own type differences are absorbed here: a flag is
//!   0/1 in an integer column on SQLite and in the access tables, a `BOOLEAN` in some PostgreSQL
//!   tables; an integer may be an `INTEGER` (4 bytes) or `BIGINT` column on PostgreSQL; a list
//!   is a JSON array on SQLite and a `TEXT[]` on PostgreSQL. A parameter is converted to what
//!   the server says the statement expects, and a column is read from what the server sent.
//! - [`Db`] is what an engine provides: statements (rendered by [`crate::dialect`], prepared
//!   once per connection), transactions, and the few operations that truly differ (bulk loads,
//!   planner hints, the audit chain's lock). The store traits are implemented once for every
//!   `Db`, subject by subject (`registry.rs`, `access_store.rs`, `audit_store.rs`,
//!   `certification_store.rs`, `careplan_store.rs`).

use crate::careplan_store::{CarePlanDocRow, ServiceMonthSet};
use crate::dialect::Dialect;
use crate::{ConsentRow, NewVersion, Result, ServingRow, StoreError, VersionMeta};
use kiban_domain::audit::AuditEvent;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::RecordKind;

/// A statement parameter.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(&'a str),
    Bytes(&'a [u8]),
    /// A list of texts, for the `{IN:?N}` and `{NOT_IN:?N}` tokens.
    Texts(Texts<'a>),
    /// A short text held by value: the stored form of a domain value (identifier, date, code).
    Inline(Inline),
}

/// A short text held by value, so that a domain value's stored text can be a parameter
/// without a borrowed `String` (a [`Value`] stays `Copy`).
#[derive(Clone, Copy)]
pub struct Inline {
    buf: [u8; 24],
    len: u8,
}

impl Inline {
    /// `text`, which must be at most 24 bytes (every stored domain value is).
    pub fn new(text: &str) -> Self {
        let mut buf = [0; 24];
        assert!(text.len() <= buf.len(), "an inline value is short");
        buf[..text.len()].copy_from_slice(text.as_bytes());
        Self {
            buf,
            len: text.len() as u8,
        }
    }

    /// The text of a value that prints itself (`Display`).
    pub fn display(value: &dyn std::fmt::Display) -> Self {
        use std::fmt::Write;
        struct W(Inline);
        impl Write for W {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                let at = usize::from(self.0.len);
                let end = at + s.len();
                if end > self.0.buf.len() {
                    return Err(std::fmt::Error);
                }
                self.0.buf[at..end].copy_from_slice(s.as_bytes());
                self.0.len = end as u8;
                Ok(())
            }
        }
        let mut w = W(Inline {
            buf: [0; 24],
            len: 0,
        });
        write!(w, "{value}").expect("an inline value is short");
        w.0
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).expect("built from text")
    }
}

impl std::fmt::Debug for Inline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// The texts of a [`Value::Texts`].
#[derive(Debug, Clone, Copy)]
pub enum Texts<'a> {
    Strs(&'a [&'a str]),
    Strings(&'a [String]),
}

/// What can be a [`Value`].
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! to_value {
    ($($t:ty => |$v:ident| $e:expr;)*) => {
        $(impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                let $v = self;
                $e
            }
        })*
    };
}

to_value! {
    str => |s| Value::Text(s);
    String => |s| Value::Text(s);
    i64 => |n| Value::Int(*n);
    i32 => |n| Value::Int(i64::from(*n));
    u16 => |n| Value::Int(i64::from(*n));
    u32 => |n| Value::Int(i64::from(*n));
    bool => |b| Value::Bool(*b);
    [u8] => |b| Value::Bytes(b);
    Vec<u8> => |b| Value::Bytes(b);
    [u8; 32] => |b| Value::Bytes(b);
    [&str] => |l| Value::Texts(Texts::Strs(l));
    [String] => |l| Value::Texts(Texts::Strings(l));
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A value already made (a stored text chosen by the caller, e.g. the empty text for none).
impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

/// The parameters of a statement, each borrowed: `params![row.name, row.count]`.
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$($crate::db::ToValue::to_value(&$p)),*] as &[$crate::db::Value<'_>]
    };
}
pub(crate) use params;

/// A column as the engine sent it.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A result row of either engine, read by position.
pub trait SqlRow {
    fn column(&self, i: usize) -> Result<Column<'_>>;
}

impl<'r> dyn SqlRow + 'r {
    /// Column `i` as a `T`; a column of another type is reported as corrupt data.
    pub fn get<T: FromColumn>(&self, i: usize) -> Result<T> {
        T::from_column(self.column(i)?)
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is not {}", T::WHAT)))
    }

    /// Column `i` as text borrowed from the row.
    pub fn str(&self, i: usize) -> Result<&str> {
        match self.column(i)? {
            Column::Text(s) => Ok(s),
            _ => Err(StoreError::Corrupt(format!("column {i} is not text"))),
        }
    }
}

/// What a column can be read as.
pub trait FromColumn: Sized {
    const WHAT: &'static str;
    fn from_column(c: Column<'_>) -> Option<Self>;
}

impl FromColumn for String {
    const WHAT: &'static str = "text";
    fn from_column(c: Column<'_>) -> Option<Self> {
        match c {
            Column::Text(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

impl FromColumn for i64 {
    const WHAT: &'static str = "an integer";
    fn from_column(c: Column<'_>) -> Option<Self> {
        match c {
            Column::Int(n) => Some(n),
            _ => None,
        }
    }
}

/// A flag: a `BOOLEAN`, or 0/1 in an integer column.
impl FromColumn for bool {
    const WHAT: &'static str = "a flag";
    fn from_column(c: Column<'_>) -> Option<Self> {
        match c {
            Column::Bool(b) => Some(b),
            Column::Int(n) => Some(n != 0),
            _ => None,
        }
    }
}

impl FromColumn for Vec<u8> {
    const WHAT: &'static str = "bytes";
    fn from_column(c: Column<'_>) -> Option<Self> {
        match c {
            Column::Bytes(b) => Some(b.to_vec()),
            _ => None,
        }
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    const WHAT: &'static str = T::WHAT;
    fn from_column(c: Column<'_>) -> Option<Self> {
        match c {
            Column::Null => Some(None),
            c => T::from_column(c).map(Some),
        }
    }
}

/// A row mapper: one per row type, shared by both engines.
pub type Map<T> = fn(&dyn SqlRow) -> Result<T>;

/// A domain value stored as text: parsed once, where the row is read ([`Fields::parse`]), and
/// written back as the same text ([`ToValue`]).
pub trait Stored: Sized {
    /// What the text should be, for the corrupt-value error ("a 被保険者番号 (insured number)").
    const WHAT: &'static str;
    fn from_stored(text: &str) -> Option<Self>;
}

/// A row being read into a row type: its table and key, so that a value that does not parse is
/// a [`StoreError::CorruptValue`] naming table, key and column.
pub struct Fields<'r> {
    row: &'r dyn SqlRow,
    table: &'static str,
    /// The selected columns, ", "-separated (the statement's column list): names by position.
    columns: &'static str,
    key: String,
}

impl<'r> Fields<'r> {
    /// `row` of `table`, selected with `columns`; its key is the column `key_at` (as text).
    pub fn new(
        row: &'r dyn SqlRow,
        table: &'static str,
        columns: &'static str,
        key_at: usize,
    ) -> Result<Self> {
        let name = column_name(columns, key_at);
        let key = match row.column(key_at)? {
            Column::Int(n) => format!("{name}={n}"),
            Column::Text(t) => format!("{name}={t}"),
            _ => format!("{name}=?"),
        };
        Ok(Self {
            row,
            table,
            columns,
            key,
        })
    }

    /// A row of an aggregate over `table` (a `GROUP BY`), selected with `columns`: it has no key
    /// of its own, and its grouped values are what may be corrupt, so the key names none.
    pub fn aggregate(row: &'r dyn SqlRow, table: &'static str, columns: &'static str) -> Self {
        Self {
            row,
            table,
            columns,
            key: "(aggregate)".to_string(),
        }
    }

    /// Column `i` parsed as a domain value.
    pub fn parse<T: Stored>(&self, i: usize) -> Result<T> {
        self.parse_with(i, T::WHAT, T::from_stored)
    }

    /// Column `i` parsed by `parse`, for a value whose type another column of the row decides
    /// (a number read by its kind); `what` is what the text should be, as [`Stored::WHAT`].
    pub fn parse_with<T>(
        &self,
        i: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T> {
        match self.row.column(i)? {
            Column::Text(t) => parse(t).ok_or_else(|| self.corrupt(i, what)),
            _ => Err(self.corrupt(i, what)),
        }
    }

    /// Column `i` parsed as a domain value, or NULL.
    pub fn parse_opt<T: Stored>(&self, i: usize) -> Result<Option<T>> {
        match self.row.column(i)? {
            Column::Null => Ok(None),
            _ => self.parse(i).map(Some),
        }
    }

    /// Column `i` parsed as a domain value, or the empty text that stands for none in a
    /// `NOT NULL` column (a plan's receiving office, an aggregate's "any kind").
    pub fn parse_or_empty<T: Stored>(&self, i: usize) -> Result<Option<T>> {
        match self.row.column(i)? {
            Column::Text("") => Ok(None),
            _ => self.parse(i).map(Some),
        }
    }

    fn corrupt(&self, i: usize, what: &str) -> StoreError {
        StoreError::CorruptValue {
            table: self.table,
            key: self.key.clone(),
            column: column_name(self.columns, i),
            reason: format!("is not {what}"),
        }
    }
}

/// The name of column `i` of a ", "-separated column list.
fn column_name(columns: &'static str, i: usize) -> &'static str {
    columns.split(',').nth(i).map_or("?", str::trim)
}

/// A domain value whose stored text is its `Display`, parsed back by `$parse`.
macro_rules! stored {
    ($($t:ty, $what:literal, |$s:ident| $parse:expr, |$v:ident| $text:expr;)*) => {
        $(
            impl Stored for $t {
                const WHAT: &'static str = $what;
                fn from_stored($s: &str) -> Option<Self> {
                    $parse
                }
            }
            impl ToValue for $t {
                fn to_value(&self) -> Value<'_> {
                    let $v = self;
                    $text
                }
            }
        )*
    };
}

use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, MedicalInstitutionCode, OfficeNumber};
use kiban_domain::records::LoadMode;

stored! {
    InsurerNumber, "a 保険者番号 (insurer number)",
        |s| InsurerNumber::parse_with(s, CheckDigitPolicy::Warn).ok().map(|p| p.number),
        |v| Value::Inline(Inline::display(v));
    InsuredNumber, "a 被保険者番号 (insured number)",
        |s| InsuredNumber::parse(s).ok(),
        |v| Value::Inline(Inline::display(v));
    OfficeNumber, "a 事業所番号 (office number)",
        |s| OfficeNumber::parse(s).ok(),
        |v| Value::Inline(Inline::display(v));
    MedicalInstitutionCode, "a 医療機関コード (medical institution code)",
        |s| MedicalInstitutionCode::parse(s).ok(),
        |v| Value::Inline(Inline::display(v));
    Date, "a YYYYMMDD date",
        |s| Date::parse_yyyymmdd(s).ok(),
        |v| Value::Inline(Inline::new(&v.yyyymmdd()));
    RecordKind, "a record kind code (HIHO, FUTAN, GENMEN, JUTAKU, FUKUSHI)",
        |s| RecordKind::from_code(s),
        |v| Value::Text(v.code());
    LoadMode, "a load mode code (ZENKEN, SABUN)",
        |s| LoadMode::from_code(s),
        |v| Value::Text(v.code());
}

pub(crate) use stored;

/// A code enum of the domain (`code()` / `from_code`), stored as its code.
macro_rules! stored_code {
    ($($t:ty, $what:literal;)*) => {
        $(
            impl $crate::db::Stored for $t {
                const WHAT: &'static str = $what;
                fn from_stored(s: &str) -> Option<Self> {
                    <$t>::from_code(s).ok()
                }
            }
            impl $crate::db::ToValue for $t {
                fn to_value(&self) -> $crate::db::Value<'_> {
                    $crate::db::Value::Text(self.code())
                }
            }
        )*
    };
}
pub(crate) use stored_code;

/// A database the store runs on. Implemented by `SqliteStore` (sqlite_store.rs) and
/// `PostgresStore` (postgres_store.rs); everything else in the store is written once against it.
/// Not nameable outside the crate.
pub trait Db: Send {
    fn dialect(&self) -> Dialect;
    /// See [`crate::Store::database_identity`].
    fn identity(&self) -> &str;

    /// Runs a statement written for [`crate::dialect`]; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a statement and hands each row to `each` as it arrives, without collecting them.
    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<()>,
    ) -> Result<()>;
    /// Runs statements without parameters, rendered for this engine (the migrations).
    fn execute_batch(&mut self, sql: &str) -> Result<()>;

    /// Whether a transaction is open (one `ROLLBACK` outside any is an error on SQLite).
    fn in_transaction(&self) -> bool;
    // Read snapshots and the write-ahead log: see the methods of the same name on `Store`.
    fn read_begin(&mut self) -> Result<()>;
    fn read_end(&mut self) -> Result<()>;
    fn wal_defer_checkpoints(&mut self) -> Result<()>;
    fn wal_checkpoint(&mut self) -> Result<()>;

    // The operations whose best form differs by engine (bulk loads, round trips, planner).
    /// Appends versions (keys are new).
    fn bulk_append_versions(&mut self, import_id: i64, versions: &[NewVersion]) -> Result<()>;
    /// After an import's log entry is finished with this many inserted rows.
    fn after_import(&mut self, rows_inserted: i64) -> Result<()>;
    /// See [`crate::Store::version_meta`].
    fn bulk_version_meta(
        &mut self,
        kind: RecordKind,
        insurer: InsurerNumber,
        persons: &[InsuredNumber],
    ) -> Result<Vec<VersionMeta>>;
    /// Makes this transaction the only appender of the audit chain until it ends.
    fn lock_audit_chain(&mut self) -> Result<()>;
    /// Makes this transaction the only signer of audit checkpoints until it ends, so that two
    /// servers never sign the same position.
    fn lock_checkpoints(&mut self) -> Result<()>;
    /// Holds the migration lock of this database (and schema) until
    /// [`Db::unlock_migrations`] or the end of the connection: one migrator at a time, the
    /// others wait. SQLite needs none: each migration's `BEGIN IMMEDIATE` already excludes
    /// other writers, and the runner checks again inside it.
    fn lock_migrations(&mut self) -> Result<()> {
        Ok(())
    }
    /// See [`crate::Store::set_limits`].
    fn session_limits(
        &mut self,
        _statement: std::time::Duration,
        _lock: std::time::Duration,
    ) -> Result<()> {
        Ok(())
    }
    /// See [`crate::Store::is_broken`].
    fn connection_closed(&self) -> bool {
        false
    }
    /// See [`crate::Store::notify`].
    fn send_notification(&mut self, _channel: &str, _payload: &str) -> Result<()> {
        Ok(())
    }
    /// See [`crate::Store::listen`].
    fn start_listening(&mut self, _channels: &[&str]) -> Result<bool> {
        Ok(false)
    }
    /// See [`crate::Store::wait_notifications`].
    fn next_notifications(
        &mut self,
        timeout: std::time::Duration,
    ) -> Result<Vec<crate::Notification>> {
        std::thread::sleep(timeout);
        Ok(Vec::new())
    }
    fn unlock_migrations(&mut self) -> Result<()> {
        Ok(())
    }
    /// Inserts sealed audit events.
    fn bulk_audit_events(&mut self, events: &[AuditEvent]) -> Result<()>;
    /// See [`crate::AccessStore::servers_of_many`].
    fn bulk_servers_of(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>>;
    /// See [`crate::AccessStore::consents_of_many`].
    fn bulk_consents_of(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>>;
    /// See [`crate::CarePlanStore::insert_careplan_documents`].
    fn bulk_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>>;
    /// See [`crate::CarePlanStore::replace_service_months`].
    fn bulk_replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()>;
    /// Before and after an aggregate over a whole 判定期間 of service months.
    fn aggregate_begin(&mut self) -> Result<()>;
    fn aggregate_end(&mut self) -> Result<()>;

    /// Starts a write transaction. SQLite's takes the write lock at once (IMMEDIATE): every
    /// writer, the audit appender included, is then the only one, and a transaction never fails
    /// later on upgrading its lock.
    fn tx_begin(&mut self) -> Result<()> {
        self.execute("BEGIN{SQLITE: IMMEDIATE}", &[])?;
        Ok(())
    }
    fn tx_commit(&mut self) -> Result<()> {
        self.execute("COMMIT", &[])?;
        Ok(())
    }
    fn tx_rollback(&mut self) -> Result<()> {
        if self.in_transaction() {
            self.execute("ROLLBACK", &[])?;
        }
        Ok(())
    }

    /// The one row `sql` selects, if any.
    fn query_opt<T>(&mut self, sql: &str, params: &[Value], map: Map<T>) -> Result<Option<T>> {
        let mut found = None;
        self.query(sql, params, &mut |r| {
            if found.is_none() {
                found = Some(map(r)?);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Every row `sql` selects, in its order.
    fn query_all<T>(&mut self, sql: &str, params: &[Value], map: Map<T>) -> Result<Vec<T>> {
        let mut all = Vec::new();
        self.query(sql, params, &mut |r| {
            all.push(map(r)?);
            Ok(())
        })?;
        Ok(all)
    }

    /// An `INSERT … RETURNING id`: the new id.
    fn insert_id(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        self.query_opt(sql, params, |r| r.get(0))?
            .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))
    }
}

// --- SQLite ---

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Owned, ValueRef};
        Ok(match *self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(n)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(b))),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Inline(t) => ToSqlOutput::Owned(Owned::Text(t.as_str().to_string())),
            // What `json_each` reads.
            Value::Texts(list) => ToSqlOutput::Owned(Owned::Text(
                match list {
                    Texts::Strs(l) => serde_json::to_string(l),
                    Texts::Strings(l) => serde_json::to_string(l),
                }
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?,
            )),
        })
    }
}

impl SqlRow for rusqlite::Row<'_> {
    fn column(&self, i: usize) -> Result<Column<'_>> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(i)? {
            ValueRef::Null => Column::Null,
            ValueRef::Integer(n) => Column::Int(n),
            ValueRef::Text(t) => Column::Text(
                std::str::from_utf8(t)
                    .map_err(|_| StoreError::Corrupt(format!("column {i} is not UTF-8")))?,
            ),
            ValueRef::Blob(b) => Column::Bytes(b),
            ValueRef::Real(_) => {
                return Err(StoreError::Corrupt(format!("column {i} is a real number")))
            }
        })
    }
}

// --- PostgreSQL ---

impl postgres::types::ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) if *ty == Type::INT4 => i32::try_from(n)?.to_sql_checked(ty, out),
            Value::Int(n) if *ty == Type::INT2 => i16::try_from(n)?.to_sql_checked(ty, out),
            Value::Int(n) => n.to_sql_checked(ty, out),
            Value::Bool(b) if *ty == Type::BOOL => b.to_sql_checked(ty, out),
            Value::Bool(b) => Value::Int(i64::from(b)).to_sql(ty, out),
            Value::Text(s) => s.to_sql_checked(ty, out),
            Value::Inline(t) => t.as_str().to_sql_checked(ty, out),
            Value::Bytes(b) => b.to_sql_checked(ty, out),
            Value::Texts(Texts::Strs(l)) => l.to_sql_checked(ty, out),
            Value::Texts(Texts::Strings(l)) => l.to_sql_checked(ty, out),
        }
    }

    /// Every type: whether this value fits the column is checked by `to_sql`.
    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl SqlRow for postgres::Row {
    fn column(&self, i: usize) -> Result<Column<'_>> {
        use postgres::types::Type;
        let Some(column) = self.columns().get(i) else {
            return Err(StoreError::Corrupt(format!("no column {i}")));
        };
        let ty = column.type_();
        let c = if *ty == Type::INT8 {
            self.try_get::<_, Option<i64>>(i)?.map(Column::Int)
        } else if *ty == Type::INT4 {
            self.try_get::<_, Option<i32>>(i)?
                .map(|n| Column::Int(n.into()))
        } else if *ty == Type::INT2 {
            self.try_get::<_, Option<i16>>(i)?
                .map(|n| Column::Int(n.into()))
        } else if *ty == Type::BOOL {
            self.try_get::<_, Option<bool>>(i)?.map(Column::Bool)
        } else if *ty == Type::BYTEA {
            self.try_get::<_, Option<&[u8]>>(i)?.map(Column::Bytes)
        } else {
            self.try_get::<_, Option<&str>>(i)?.map(Column::Text)
        };
        Ok(c.unwrap_or(Column::Null))
    }
}
