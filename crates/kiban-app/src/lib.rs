//! Application services: the use cases that the CLI and the HTTP layer call. They combine the
//! pure domain, the interchange parsers and the store, which only this crate reaches: callers
//! hold a [`Connection`] and hand it to use cases, each of which decides through [`access`] and
//! audits before it reads or writes a person's data.
//!
//! - [`import`]: load a municipal interface file under the documented commit policy.
//! - [`export`]: write the stored registry back out in the interface format.
//! - [`stats`]: counts as of a date, derived from the version history.

pub mod access;
pub mod audit;
pub mod auth;
pub mod cards;
pub mod careplan;
pub mod category;
pub mod certification;
pub mod citizen;
pub mod cluster;
pub mod confirm;
pub mod connection;
pub mod demo;
pub mod export;
mod group_commit;
pub mod import;
pub mod keys;
pub mod life;
pub mod opinion;
pub mod qualification;
pub mod refusal;
mod resolve;
pub mod serving;
pub mod stats;

pub use connection::Connection;
pub use kiban_interchange::issue::Issue;

/// Failures of a use case that are not problems of the input data (those are reported as
/// [`Issue`]s and never abort a run).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] kiban_store::StoreError),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The batch this append was committed with failed (group commit); the message is the
    /// store's.
    #[error(
        "監査ログに記録できませんでした: {message} / could not append to the audit log: {message}"
    )]
    AuditAppend {
        message: String,
        disk_full: bool,
        temporary: bool,
    },
}

impl AppError {
    /// Storage ran out of space: nothing of the failed work was committed, and it can be
    /// retried once space returns (the API answers 503, the CLI says so).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Store(e) => e.is_disk_full(),
            Self::Io(e) => e.raw_os_error() == Some(28),
            Self::AuditAppend { disk_full, .. } => *disk_full,
        }
    }

    /// The database could not be reached, the connection was lost, or a statement or lock
    /// wait ran out of time (see [`kiban_store::StoreError::is_temporary`]): nothing was
    /// committed by the failed work, and a retry may succeed (the API answers 503 with
    /// `Retry-After`).
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Store(e) => e.is_temporary(),
            Self::Io(_) => false,
            Self::AuditAppend { temporary, .. } => *temporary,
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

/// Milliseconds since the Unix epoch, the stores' unit of time.
pub(crate) fn millis(t: kiban_crypto::time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Runs `work` in one transaction: committed when it succeeds, rolled back when it fails.
pub(crate) fn in_transaction<T>(
    store: &mut dyn kiban_store::Store,
    work: impl FnOnce(&mut dyn kiban_store::Store) -> Result<T>,
) -> Result<T> {
    store.begin()?;
    match work(&mut *store) {
        Ok(value) => {
            store.commit()?;
            Ok(value)
        }
        Err(e) => {
            store.rollback()?;
            Err(e)
        }
    }
}

/// Runs the reads of `work` in one read snapshot ([`kiban_store::Store::begin_read`]).
pub(crate) fn in_read<T>(
    store: &mut dyn kiban_store::Store,
    work: impl FnOnce(&mut dyn kiban_store::Store) -> Result<T>,
) -> Result<T> {
    store.begin_read()?;
    let result = work(&mut *store);
    store.end_read()?;
    result
}

/// The current UTC time as an ISO 8601 string, for logs and reports.
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let date = kiban_domain::Date::from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}
