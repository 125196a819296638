//! The SQL dialect layer: every statement and every migration is written once, in SQLite's
//! spelling with a few tokens, and rendered here for the engine that runs it.
//!
//! - Placeholders are written `?1`, `?2`, …; PostgreSQL gets `$1`, `$2`, ….
//! - `{BIGINT}`: a 64-bit integer column (SQLite `INTEGER`, PostgreSQL `BIGINT`).
//! - `{SERIAL_KEY}`: a generated 64-bit key (SQLite `INTEGER PRIMARY KEY`, the rowid;
//!   PostgreSQL `BIGSERIAL PRIMARY KEY`).
//! - `{BYTES}`: a byte string (`BLOB`, `BYTEA`).
//! - `{SQLITE:text}`, `{POSTGRES:text}`: text only one engine gets, verbatim (for what has no
//!   common spelling: SQLite's `WITHOUT ROWID`, a PostgreSQL `BOOLEAN` column).
//! - `{JSON_TEXT:expr:key}`: the text of a top-level key of a JSON text column
//!   (`json_extract(expr, '$.key')`, `(expr::json ->> 'key')`); an index on it and the queries it
//!   serves use the same token, so their expressions stay identical.
//! - `{IN:?N}`, `{NOT_IN:?N}`: membership in a list parameter ([`crate::db::Value::Texts`]):
//!   SQLite reads it as a JSON array through `json_each`, PostgreSQL as one `TEXT[]`.
//! - `{BYTEWISE}`: after a text column of an `ORDER BY`, orders it by bytes whatever the
//!   server's collation (SQLite always does; PostgreSQL gets `COLLATE "C"`).
//!
//! A brace not followed by an upper-case token name is left as it is.

use crate::Engine;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn engine(self) -> Engine {
        match self {
            Dialect::Sqlite => Engine::Sqlite,
            Dialect::Postgres => Engine::Postgres,
        }
    }

    /// `sql` for this engine: tokens replaced, then placeholders (outside quoted text and
    /// comments) numbered the engine's way. Borrowed when nothing changes.
    pub fn render(self, sql: &str) -> Cow<'_, str> {
        let tokens = if sql.contains('{') {
            Cow::Owned(self.tokens(sql))
        } else {
            Cow::Borrowed(sql)
        };
        match self {
            Dialect::Sqlite => tokens,
            Dialect::Postgres => Cow::Owned(dollar_placeholders(&tokens)),
        }
    }

    fn tokens(self, sql: &str) -> String {
        let mut out = String::with_capacity(sql.len() + 32);
        let mut rest = sql;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                .unwrap_or(after.len());
            let close = after.find('}');
            let is_token = name_len > 0
                && close.is_some()
                && matches!(after.as_bytes().get(name_len), Some(b'}' | b':'));
            if !is_token {
                out.push('{');
                rest = after;
                continue;
            }
            let close = close.expect("checked");
            let (name, arg) = match after[..close].split_once(':') {
                Some((name, arg)) => (name, Some(arg)),
                None => (&after[..close], None),
            };
            out.push_str(&self.token(name, arg));
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// One token's text. An unknown token is a mistake in the source, found by the first test
    /// that runs the statement.
    fn token(self, name: &str, arg: Option<&str>) -> String {
        let sqlite = self == Dialect::Sqlite;
        let pick = |s: &str, p: &str| if sqlite { s } else { p }.to_string();
        match (name, arg) {
            ("BIGINT", None) => pick("INTEGER", "BIGINT"),
            ("SERIAL_KEY", None) => pick("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"),
            ("BYTES", None) => pick("BLOB", "BYTEA"),
            ("BYTEWISE", None) => pick("", " COLLATE \"C\""),
            ("SQLITE", Some(text)) => pick(text, ""),
            ("POSTGRES", Some(text)) => pick("", text),
            ("JSON_TEXT", Some(arg)) => {
                let (expr, key) = arg.split_once(':').expect("{JSON_TEXT:expr:key}");
                if sqlite {
                    format!("json_extract({expr}, '$.{key}')")
                } else {
                    format!("({expr}::json ->> '{key}')")
                }
            }
            ("IN", Some(param)) if sqlite => format!("IN (SELECT value FROM json_each({param}))"),
            ("IN", Some(param)) => format!("= ANY({param}::TEXT[])"),
            ("NOT_IN", Some(param)) if sqlite => {
                format!("NOT IN (SELECT value FROM json_each({param}))")
            }
            ("NOT_IN", Some(param)) => format!("<> ALL({param}::TEXT[])"),
            _ => panic!("unknown SQL token {{{name}}}"),
        }
    }
}

/// `?N` → `$N`, except inside quoted text, quoted names and comments.
fn dollar_placeholders(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'?' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                out.push_str(&sql[start..i]);
                out.push('$');
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&sql[start.min(sql.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::Dialect::{Postgres, Sqlite};

    #[test]
    fn placeholders_are_numbered_the_engines_way_outside_quotes_and_comments() {
        let sql = "SELECT '?1', \"?2\" FROM t WHERE a = ?1 AND b = ?12 -- ?3\nAND c = ?3";
        assert_eq!(Sqlite.render(sql), sql);
        assert_eq!(
            Postgres.render(sql),
            "SELECT '?1', \"?2\" FROM t WHERE a = $1 AND b = $12 -- ?3\nAND c = $3"
        );
    }

    #[test]
    fn tokens_render_per_engine() {
        let ddl = "id {SERIAL_KEY}, n {BIGINT} NOT NULL, h {BYTES}){SQLITE: WITHOUT ROWID};";
        assert_eq!(
            Sqlite.render(ddl),
            "id INTEGER PRIMARY KEY, n INTEGER NOT NULL, h BLOB) WITHOUT ROWID;"
        );
        assert_eq!(
            Postgres.render(ddl),
            "id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL, h BYTEA);"
        );
        let query =
            "WHERE {JSON_TEXT:b.body:birth_date} = ?2 AND k {NOT_IN:?3} ORDER BY k{BYTEWISE}";
        assert_eq!(
            Sqlite.render(query),
            "WHERE json_extract(b.body, '$.birth_date') = ?2 AND k NOT IN (SELECT value FROM json_each(?3)) ORDER BY k"
        );
        assert_eq!(
            Postgres.render(query),
            "WHERE (b.body::json ->> 'birth_date') = $2 AND k <> ALL($3::TEXT[]) ORDER BY k COLLATE \"C\""
        );
    }

    #[test]
    fn other_braces_are_left_alone() {
        assert_eq!(
            Postgres.render("SELECT '{\"a\": 1}', '{x}'"),
            "SELECT '{\"a\": 1}', '{x}'"
        );
    }

    #[test]
    #[should_panic(expected = "unknown SQL token")]
    fn an_unknown_token_is_refused() {
        Sqlite.render("SELECT {NOPE}");
    }
}
