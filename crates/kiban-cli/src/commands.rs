//! One module per subcommand.

pub mod audit;
pub mod ca;
pub mod card;
pub mod careplan;
mod checkpoints;
pub mod demo;
mod demo_careplan;
mod demo_certification;
mod demo_seed;
pub mod export;
pub mod generate;
pub mod import;
pub mod physician;
pub mod serve;
pub mod stats;

use anyhow::Context;
use std::process::ExitCode;

/// Whom a command that reads the registry acts for. The CLI is the municipality's own tool: it
/// acts as staff of the 保険者 it works on (`Actor::MunicipalStaff`) under a stated purpose, so
/// its reads go through the access policy and the audit log like any other.
#[derive(clap::Args, Debug)]
pub struct Acting {
    /// 利用目的 recorded with every access: review, guidance, certification_affairs,
    /// qualification_admin (資格管理: the registry's own upkeep) or person_request.
    #[arg(long, default_value = "qualification_admin", value_parser = parse_purpose)]
    pub purpose: kiban_domain::access::Purpose,
    /// Who runs the command, recorded as the audit log's actor id: a name, never a password,
    /// token or other secret.
    #[arg(long, env = "KIBAN_OPERATOR", default_value = "cli", value_parser = parse_operator)]
    pub operator: String,
}

impl Acting {
    /// The caller acting for `insurer`.
    pub fn caller(&self, insurer: kiban_domain::ids::InsurerNumber) -> kiban_app::access::Caller {
        kiban_app::access::Caller {
            actor: kiban_domain::access::Actor::MunicipalStaff {
                insurer,
                purpose: self.purpose,
            },
            account: self.operator.clone(),
        }
    }
}

fn parse_purpose(raw: &str) -> Result<kiban_domain::access::Purpose, String> {
    kiban_domain::access::Purpose::from_code(raw).map_err(|e| e.to_string())
}

/// A short printable name: it ends up in every audit event of the run.
fn parse_operator(raw: &str) -> Result<String, String> {
    let ok =
        !raw.trim().is_empty() && raw.chars().count() <= 64 && !raw.chars().any(char::is_control);
    if ok {
        Ok(raw.to_string())
    } else {
        Err(
            "1〜64 文字の名前を指定してください / give a name of 1 to 64 printable characters"
                .into(),
        )
    }
}

/// Now, in the audit log's unit.
pub fn now() -> kiban_domain::access::Timestamp {
    kiban_domain::access::Timestamp::from_millis(audit::now_ms())
}

/// Opens a connection and applies pending migrations; every command that touches data does
/// this, so a fresh machine needs no separate setup step.
pub fn open_conn(url: &str) -> anyhow::Result<kiban_app::Connection> {
    let mut conn = kiban_app::Connection::open(url)
        .with_context(|| format!("opening database {}", redact(url)))?;
    conn.migrate().context("applying migrations")?;
    Ok(conn)
}

pub fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    let mut conn = kiban_app::Connection::open(url)
        .with_context(|| format!("opening database {}", redact(url)))?;
    let applied = conn.migrate().context("applying migrations")?;
    if applied.is_empty() {
        println!("マイグレーション済みです / schema is up to date");
    } else {
        println!("適用しました / applied: {}", applied.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

pub fn parse_date(raw: &str) -> anyhow::Result<kiban_domain::Date> {
    kiban_domain::Date::parse_any(raw).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn parse_insurer(raw: &str) -> anyhow::Result<kiban_domain::ids::InsurerNumber> {
    kiban_domain::ids::InsurerNumber::parse(raw).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Today's date in UTC.
pub fn today() -> kiban_domain::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    kiban_domain::Date::from_days(secs.div_euclid(86_400))
}

/// The current UTC time as `YYYYMMDDHHMMSS`, for file names.
pub fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}{:02}{:02}{:02}",
        today().yyyymmdd(),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://kiban:secret@db/kiban"),
            "postgres://kiban@db/kiban"
        );
        assert_eq!(super::redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
