//! Decides each parsed row against what is already stored: insert, unchanged, or an error.
//! This is where "never updated in place" and "履歴番号 never goes backwards" are enforced.

use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{Operation, RecordKind, Version, VersionKey};
use kiban_interchange::issue::Issue;
use kiban_interchange::layout::Row;
use kiban_store::{NewVersion, Store, VersionMeta, WithdrawalKey};
use std::collections::HashMap;

/// A row after parsing and within-file checks, ready to be resolved against storage. Its JSON
/// and hash are computed on the parsing thread.
// Moved once through a bounded batch; boxing the version would add an allocation per row.
#[allow(clippy::large_enum_variant)]
pub enum Prepared {
    Version(NewVersion),
    Withdrawal(VersionKey),
}

impl Prepared {
    pub fn key(&self) -> VersionKey {
        match self {
            Prepared::Version(v) => v.version.key,
            Prepared::Withdrawal(key) => *key,
        }
    }
}

impl From<Row> for Prepared {
    fn from(row: Row) -> Self {
        match row {
            Row::Version(v) => Prepared::Version(NewVersion::new(v)),
            Row::Withdrawal { key } => Prepared::Withdrawal(key),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub inserted: u64,
    pub unchanged: u64,
    pub withdrawn: u64,
    pub rejected: u64,
}

enum Outcome {
    Inserted,
    Withdrawn,
    Unchanged,
}

/// Resolves one batch of valid rows and appends what is new. Returns the row issues.
pub fn apply_batch(
    store: &mut dyn Store,
    import_id: i64,
    kind: RecordKind,
    insurer: InsurerNumber,
    stored_before: bool,
    rows: Vec<(u64, Prepared, bool)>,
    tally: &mut Tally,
) -> crate::Result<Vec<Issue>> {
    // A person needs a lookup unless nothing was stored before this import and their first row
    // in this batch is their first row in the file (then all they have is in this batch).
    let mut first_row_in_batch: HashMap<InsuredNumber, bool> = HashMap::with_capacity(rows.len());
    for (_, row, first_in_file) in &rows {
        first_row_in_batch
            .entry(row.key().insured)
            .or_insert(*first_in_file);
    }
    let mut persons: Vec<InsuredNumber> = first_row_in_batch
        .iter()
        .filter(|(_, &first_in_file)| stored_before || !first_in_file)
        .map(|(&p, _)| p)
        .collect();
    persons.sort_unstable();
    let mut known: HashMap<InsuredNumber, Vec<VersionMeta>> = HashMap::new();
    if !persons.is_empty() {
        for meta in store.version_meta(kind, insurer, &persons)? {
            known.entry(meta.insured).or_default().push(meta);
        }
    }
    let mut issues = Vec::new();
    let mut versions = Vec::new();
    let mut withdrawals = Vec::new();
    for (line, row, _) in rows {
        let key = row.key();
        let stored = known.entry(key.insured).or_default();
        let decision = match row {
            Prepared::Version(new) => decide_version(line, &new.version, &new.content_hash, stored)
                .map(|fresh| {
                    if !fresh {
                        return Outcome::Unchanged;
                    }
                    stored.push(VersionMeta {
                        insured: key.insured,
                        history: key.history,
                        content_hash: new.content_hash.clone(),
                        withdrawn: false,
                    });
                    versions.push(new);
                    Outcome::Inserted
                }),
            Prepared::Withdrawal(key) => {
                decide_withdrawal(line, key.history, stored).map(|fresh| {
                    if !fresh {
                        return Outcome::Unchanged;
                    }
                    withdrawals.push(WithdrawalKey { kind, key });
                    Outcome::Withdrawn
                })
            }
        };
        match decision {
            Ok(Outcome::Inserted) => tally.inserted += 1,
            Ok(Outcome::Withdrawn) => tally.withdrawn += 1,
            Ok(Outcome::Unchanged) => tally.unchanged += 1,
            Err(issue) => {
                tally.rejected += 1;
                issues.push(issue);
            }
        }
    }
    store.append(import_id, &versions, &withdrawals)?;
    Ok(issues)
}

/// `Ok(true)`: a new version; `Ok(false)`: the same version was already stored.
fn decide_version(
    line: u64,
    v: &Version,
    hash: &str,
    stored: &[VersionMeta],
) -> Result<bool, Issue> {
    let key = v.key;
    if let Some(existing) = stored.iter().find(|m| m.history == key.history) {
        if existing.content_hash == hash {
            return Ok(false);
        }
        return Err(Issue::error(
            line,
            "履歴番号",
            "HISTORY_CONFLICT",
            format!("履歴番号 {} は既に別の内容で登録されています（記録は上書きできません。新しい履歴番号で送ってください）", key.history),
            format!("history number {} is already stored with different content (records are never updated in place; send a new history number)", key.history),
        ));
    }
    let max = stored.iter().map(|m| m.history).max();
    if let Some(max) = max.filter(|&m| key.history < m) {
        return Err(Issue::error(
            line,
            "履歴番号",
            "HISTORY_BACKWARDS",
            format!(
                "履歴番号 {} が登録済みの最新 {} より小さくなっています",
                key.history, max
            ),
            format!(
                "history number {} is below the latest stored {}",
                key.history, max
            ),
        ));
    }
    match (v.operation, max.is_some()) {
        (Operation::Add, true) => Err(Issue::error(
            line,
            "操作区分",
            "ADD_EXISTS",
            "この被保険者には既に登録があります。変更（C）で送ってください".into(),
            "this person already has versions of this kind; send it as a change (C)".into(),
        )),
        (Operation::Change, false) => Err(Issue::error(
            line,
            "操作区分",
            "CHANGE_WITHOUT_BASE",
            "変更（C）の対象となる登録がありません。追加（A）で送ってください".into(),
            "nothing stored to change; send it as an addition (A)".into(),
        )),
        _ => Ok(true),
    }
}

fn decide_withdrawal(line: u64, history: u16, stored: &mut [VersionMeta]) -> Result<bool, Issue> {
    match stored.iter_mut().find(|m| m.history == history) {
        None => Err(Issue::error(
            line,
            "履歴番号",
            "WITHDRAW_UNKNOWN",
            format!("削除対象の履歴番号 {history} は登録されていません"),
            format!("history number {history} to withdraw is not stored"),
        )),
        Some(m) if m.withdrawn => Ok(false),
        Some(m) => {
            m.withdrawn = true;
            Ok(true)
        }
    }
}
