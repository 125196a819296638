//! Storage of the access backbone, a supertrait of [`crate::Store`]: offices, staff accounts
//! and sessions, card links, serving relationships (担当事業所), consents (同意) and
//! 主治医意見書作成依頼. Rows hold codes and timestamps; the access policy
//! (`kiban_domain::access`) interprets them. Nothing here is deleted: ending, revoking and
//! unlinking record a time.

use crate::Result;

/// An office (事業所) or medical institution (医療機関) that may connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRow {
    /// 事業所番号 or 医療機関コード.
    pub office_number: String,
    pub name: String,
    /// Office-kind code of the access matrix.
    pub office_kind: String,
    /// Designated サービス種類コード.
    pub service_kinds: Vec<String>,
    pub active: bool,
    pub created_at_ms: i64,
}

/// A staff login: office staff, medical staff, municipal staff or a platform operator.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_id: String,
    /// 事業所番号 / 医療機関コード; 保険者番号 for municipal staff; empty for operators.
    pub office_number: String,
    pub actor_kind: String,
    /// 職種 code.
    pub job: String,
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Base32 TOTP secret.
    pub totp_secret: String,
    pub totp_last_step: i64,
    /// Consecutive failed logins counted against the account (only those over a connection
    /// presenting the account's device certificate: docs/staff-login.md).
    pub failed_attempts: i64,
    pub locked_until_ms: i64,
    /// When the last counted failure happened (0: none); the next attempt waits after it.
    pub last_failure_ms: i64,
    pub active: bool,
}

impl std::fmt::Debug for StaffRow {
    // Secrets never reach a log through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRow")
            .field("staff_id", &self.staff_id)
            .field("office_number", &self.office_number)
            .field("actor_kind", &self.actor_kind)
            .field("job", &self.job)
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until_ms", &self.locked_until_ms)
            .field("last_failure_ms", &self.last_failure_ms)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A staff session: SHA-256 hashes of the access and refresh tokens, never the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub access_hash: String,
    pub refresh_hash: String,
    pub staff_id: String,
    pub access_expires_ms: i64,
    pub refresh_expires_ms: i64,
    pub revoked: bool,
    /// Serial (hex) of the client certificate of the connection the session was issued over:
    /// revoking that certificate ends the session.
    pub client_serial: Option<String>,
}

/// A client certificate revoked with `kiban ca revoke`, as recorded in the database for every
/// server that shares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRevocationRow {
    pub id: i64,
    /// Lower-case hex, as `kiban_crypto::Serial` prints it.
    pub serial: String,
    /// RFC 5280 reason code.
    pub reason_code: i64,
    pub revoked_at_ms: i64,
}

/// A card certificate linked to a 被保険者 by the municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLinkRow {
    /// SHA-256 fingerprint (hex) of the card certificate.
    pub fingerprint: String,
    pub insurer: String,
    pub insured: String,
    pub linked_at_ms: i64,
    pub linked_by: String,
    pub unlinked_at_ms: Option<i64>,
}

/// 担当事業所: an office serving a person from `started_on` (YYYYMMDD) until `ended_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServingRow {
    pub id: i64,
    pub office_number: String,
    pub insurer: String,
    pub insured: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    /// office, person or inactivity.
    pub ended_by: Option<String>,
    pub last_service_on: Option<String>,
}

/// One consent grant for (person, office, category).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub id: i64,
    pub office_number: String,
    pub insurer: String,
    pub insured: String,
    /// Category code (qualification, certification, care_plan, life, housing_equipment).
    pub category: String,
    pub granted_at_ms: i64,
    /// card or paper.
    pub method: String,
    /// Paper consent: the staff member who witnessed it.
    pub witness: String,
    /// Paper consent: why the card could not be used.
    pub paper_reason: String,
    /// Last day of validity (YYYYMMDD), when the person set one.
    pub valid_until: Option<String>,
    pub revoked_at_ms: Option<i64>,
}

/// A 主治医意見書作成依頼 to a medical institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionRequestRow {
    pub id: i64,
    pub institution_code: String,
    pub insurer: String,
    pub insured: String,
    pub requested_at_ms: i64,
    pub closed_at_ms: Option<i64>,
}

pub trait AccessStore {
    /// Inserts or replaces an office (by number).
    fn put_office(&mut self, office: &OfficeRow) -> Result<()>;
    fn office(&mut self, office_number: &str) -> Result<Option<OfficeRow>>;

    fn insert_staff(&mut self, staff: &StaffRow) -> Result<()>;
    fn staff(&mut self, staff_id: &str) -> Result<Option<StaffRow>>;
    /// Records the outcome of a login attempt (failure count, lock, time of the last counted
    /// failure, last TOTP step).
    fn update_staff_login(
        &mut self,
        staff_id: &str,
        failed_attempts: i64,
        locked_until_ms: i64,
        last_failure_ms: i64,
        totp_last_step: i64,
    ) -> Result<()>;

    fn insert_session(&mut self, session: &SessionRow) -> Result<()>;
    fn session_by_access(&mut self, access_hash: &str) -> Result<Option<SessionRow>>;
    fn session_by_refresh(&mut self, refresh_hash: &str) -> Result<Option<SessionRow>>;
    fn revoke_session(&mut self, access_hash: &str) -> Result<()>;
    /// Ends every session issued over the client certificate `serial`; returns how many were
    /// still open.
    fn revoke_sessions_of_client(&mut self, serial: &str) -> Result<u64>;

    /// Records a revoked client certificate; false (keeping the first record) if it already is.
    fn record_client_revocation(
        &mut self,
        serial: &str,
        reason_code: i64,
        revoked_at_ms: i64,
    ) -> Result<bool>;
    /// The revocations recorded after `after_id`, oldest first: what a server polls.
    fn client_revocations_after(&mut self, after_id: i64) -> Result<Vec<ClientRevocationRow>>;

    /// Links a card certificate; an existing link of the same fingerprint is replaced only if
    /// it was unlinked (a linked card cannot silently move to another person).
    fn link_card(&mut self, link: &CardLinkRow) -> Result<()>;
    /// The current (not unlinked) link of a card.
    fn card_link(&mut self, fingerprint: &str) -> Result<Option<CardLinkRow>>;
    fn unlink_card(&mut self, fingerprint: &str, at_ms: i64) -> Result<()>;

    /// Starts a serving relationship and returns its id.
    fn start_serving(&mut self, row: &ServingRow) -> Result<i64>;
    fn end_serving(&mut self, id: i64, ended_on: &str, ended_by: &str) -> Result<()>;
    fn record_service(&mut self, id: i64, on: &str) -> Result<()>;
    /// Every relationship (open or ended) between an office and a person.
    fn serving(
        &mut self,
        office_number: &str,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<ServingRow>>;
    /// Open relationships of an office, by person.
    fn persons_served(&mut self, office_number: &str) -> Result<Vec<ServingRow>>;
    /// Every relationship of a person, any office.
    fn servers_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ServingRow>>;
    /// [`AccessStore::servers_of`] for many persons of one 保険者 at once (bulk decisions: one
    /// round trip per batch instead of one per person). Ordered by insured, then id.
    fn servers_of_many(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>>;

    /// Inserts a consent grant and returns its id.
    fn insert_consent(&mut self, row: &ConsentRow) -> Result<i64>;
    /// Revokes a grant; revoking twice keeps the first time.
    fn revoke_consent(&mut self, id: i64, at_ms: i64) -> Result<()>;
    /// A person's consents, for one office or (with `None`) every office, oldest first.
    fn consents(
        &mut self,
        insurer: &str,
        insured: &str,
        office_number: Option<&str>,
    ) -> Result<Vec<ConsentRow>>;
    /// The consents of many persons of one 保険者 given to one office or institution (bulk
    /// decisions). Ordered by insured, then id.
    fn consents_of_many(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>>;

    fn insert_opinion_request(&mut self, row: &OpinionRequestRow) -> Result<i64>;
    fn close_opinion_request(&mut self, id: i64, at_ms: i64) -> Result<()>;
    fn opinion_requests(
        &mut self,
        insurer: &str,
        insured: &str,
        institution_code: &str,
    ) -> Result<Vec<OpinionRequestRow>>;
    /// The open requests (not closed) addressed to one institution, oldest first, then by
    /// (保険者番号, 被保険者番号): the institution's list of persons to write an 意見書 for.
    fn open_opinion_requests(&mut self, institution_code: &str) -> Result<Vec<OpinionRequestRow>>;
}
