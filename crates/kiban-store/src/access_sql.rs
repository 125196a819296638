//! What the access store says the same way on SQLite and PostgreSQL: the column lists, the
//! stored form of a list of service kinds and the error of a card that is still linked. Kept
//! apart from both engines so neither borrows from the other.

use crate::StoreError;

/// The ';'-joined form of a list of codes (codes never contain ';').
pub(crate) fn join_kinds(kinds: &[String]) -> String {
    kinds.join(";")
}

/// The list stored by [`join_kinds`]; the empty text is the empty list.
pub(crate) fn split_kinds(joined: &str) -> Vec<String> {
    if joined.is_empty() {
        Vec::new()
    } else {
        joined.split(';').map(str::to_string).collect()
    }
}

/// The error of linking a card that is still linked (the fingerprint is not repeated: the
/// message may reach a log).
pub(crate) fn card_already_linked() -> StoreError {
    StoreError::Conflict("card_links".into())
}

pub(crate) const OFFICE_COLUMNS: &str =
    "office_number, name, office_kind, service_kinds, active, created_at_ms";
pub(crate) const STAFF_COLUMNS: &str = "staff_id, office_number, actor_kind, job, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, locked_until_ms, active, last_failure_ms";
pub(crate) const SESSION_COLUMNS: &str = "access_hash, refresh_hash, staff_id, access_expires_ms, refresh_expires_ms, revoked, client_serial";
pub(crate) const CLIENT_REVOCATION_COLUMNS: &str = "id, serial, reason_code, revoked_at_ms";
pub(crate) const CARD_COLUMNS: &str =
    "fingerprint, insurer, insured, linked_at_ms, linked_by, unlinked_at_ms";
pub(crate) const SERVING_COLUMNS: &str =
    "id, office_number, insurer, insured, started_on, ended_on, ended_by, last_service_on";
pub(crate) const CONSENT_COLUMNS: &str = "id, office_number, insurer, insured, category, granted_at_ms, method, witness, paper_reason, valid_until, revoked_at_ms";
pub(crate) const OPINION_COLUMNS: &str =
    "id, institution_code, insurer, insured, requested_at_ms, closed_at_ms";
