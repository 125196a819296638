//! The 被保険者証 changes that the certification workflow makes itself: a registered
//! 計画作成依頼届出 and a decided 認定 each append the person's next card version (履歴番号 + 1),
//! so the card stays the one place where the current level, period and care-plan office are
//! read — by the summary, the policy (the 届出 office is evidence for the application consent)
//! and the citizen portal, at once.
//!
//! Each append is an entry of the import log (`mode` SABUN, the file name naming its source,
//! e.g. `認定結果 申請 12`), so the municipality's import history shows every version the
//! platform wrote, next to the files it loaded itself.

use crate::Result;
use kiban_domain::access::{PersonRef, Timestamp};
use kiban_domain::date::Date;
use kiban_domain::records::{
    current_as_of, InsuredCard, LoadMode, Operation, RecordBody, RecordKind, Version, VersionKey,
};
use kiban_store::{ImportRecord, ImportStatus, NewVersion, Store};
use sha2::{Digest, Sha256};

/// Appends `person`'s next 被保険者証 version, applying from `on`, made by `change` from the card
/// in force on `on`. Returns the new 履歴番号, or `None` when the person has no card in force
/// (nothing to change). Call inside the caller's transaction.
pub(crate) fn append_card_version(
    store: &mut dyn Store,
    person: PersonRef,
    on: Date,
    source: &str,
    at: Timestamp,
    change: impl FnOnce(&mut InsuredCard),
) -> Result<Option<u16>> {
    let history = store.person_history(RecordKind::InsuredCard, person.insurer, person.insured)?;
    let Some(current) = current_as_of(&history.versions, &history.withdrawn, on) else {
        return Ok(None);
    };
    let RecordBody::InsuredCard(card) = &current.body else {
        return Ok(None);
    };
    let mut card = card.clone();
    change(&mut card);
    // Withdrawn 履歴番号s stay taken: a number is never reused.
    let last = history
        .versions
        .iter()
        .map(|v| v.key.history)
        .max()
        .unwrap_or(0);
    let next = last + 1;
    let version = Version {
        key: VersionKey {
            insurer: person.insurer,
            insured: person.insured,
            history: next,
        },
        operation: Operation::Change,
        applies_from: on,
        body: RecordBody::InsuredCard(card),
    };
    let now = crate::now_iso();
    let mut digest = Sha256::new();
    digest.update(source.as_bytes());
    digest.update(at.as_millis().to_be_bytes());
    digest.update(person.insured.to_string().as_bytes());
    let log = ImportRecord {
        id: 0,
        file_name: source.to_string(),
        sha256: hex::encode(digest.finalize()),
        status: ImportStatus::Committed,
        kind: RecordKind::InsuredCard,
        insurer: person.insurer,
        mode: LoadMode::Differential,
        encoding: String::new(),
        started_at: now.clone(),
        finished_at: now,
        rows_total: 1,
        rows_inserted: 1,
        rows_unchanged: 0,
        rows_withdrawn: 0,
        rows_rejected: 0,
        report: "{}".to_string(),
    };
    let import_id = store.insert_import(&log)?;
    store.append(import_id, &[NewVersion::new(version)], &[])?;
    Ok(Some(next))
}
