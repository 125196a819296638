//! Storage of the access backbone, a supertrait of [`crate::Store`]: offices, staff accounts
//! and sessions, card links, serving relationships (担当事業所), consents (同意) and
//! 主治医意見書作成依頼. Rows hold domain values (numbers, codes, days), parsed once where the
//! row is read, and timestamps; the access policy (`kiban_domain::access`) interprets them. A
//! number whose type depends on the row's kind (an office's, a staff account's) is read by
//! that kind. Nothing here is deleted: ending, revoking and unlinking record a time.
//!
//! Both engines run the same statements (below). Flags are 0/1 in integer columns, service
//! kinds one ';'-joined text. Ending, revoking, closing and unlinking keep the first recorded
//! time; refusals are read from the changed-row count, never from a failed statement (which
//! would abort the caller's PostgreSQL transaction).

use crate::db::{params, stored_code, Db, Fields, SqlRow};
use crate::{Result, StoreError};
use kiban_domain::access::{
    ConsentCategory, ConsentMethod, ConsentMethodKind, EndedBy, Job, OfficeKind, PaperReason,
    Party, StaffKind, Workplace,
};
use kiban_domain::codes::ServiceKind;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};

stored_code! {
    OfficeKind, "an office kind code";
    ConsentCategory, "a consent category code";
    ConsentMethodKind, "a consent method code (card, paper)";
    PaperReason, "a paper consent reason code";
    StaffKind, "a staff account kind code";
    Job, "a 職種 (job) code";
    EndedBy, "a serving end code (office, person, inactivity)";
}

/// An office (事業所) or medical institution (医療機関) that may connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRow {
    /// 事業所番号, or 医療機関コード for [`OfficeKind::MedicalInstitution`] (read by the kind).
    pub office_number: Party,
    pub name: String,
    /// Office kind of the access matrix.
    pub office_kind: OfficeKind,
    /// Designated サービス種類コード.
    pub service_kinds: Vec<ServiceKind>,
    pub active: bool,
    pub created_at_ms: i64,
}

/// A staff login: office staff, medical staff, municipal staff or a platform operator.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_id: String,
    /// The account's kind (`actor_kind`) with its number (`office_number`): a 事業所番号, a
    /// 医療機関コード, a 保険者番号 for municipal staff, none for operators.
    pub workplace: Workplace,
    /// 職種.
    pub job: Job,
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
            .field("workplace", &self.workplace)
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
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub linked_at_ms: i64,
    pub linked_by: String,
    pub unlinked_at_ms: Option<i64>,
}

/// 担当事業所: an office serving a person from `started_on` until `ended_on` (stored as
/// YYYYMMDD text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServingRow {
    pub id: i64,
    pub office_number: OfficeNumber,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub ended_by: Option<EndedBy>,
    pub last_service_on: Option<Date>,
}

/// One consent grant for (person, office, category).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub id: i64,
    /// 事業所番号 or 医療機関コード of the holder, as the ten digits it is stored as (the
    /// table has no kind: which of them it is, the holder's own login says).
    pub office_number: OfficeNumber,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub category: ConsentCategory,
    pub granted_at_ms: i64,
    /// Card, or paper with its reason and witness (stored as `method`, `paper_reason` and
    /// `witness`; both empty for the card).
    pub method: ConsentMethod,
    /// Last day of validity (stored YYYYMMDD), when the person set one.
    pub valid_until: Option<Date>,
    pub revoked_at_ms: Option<i64>,
}

/// A 主治医意見書作成依頼 to a medical institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionRequestRow {
    pub id: i64,
    /// The 医療機関コード the request is addressed to.
    pub institution_code: MedicalInstitutionCode,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub requested_at_ms: i64,
    pub closed_at_ms: Option<i64>,
}

/// A citizen's session (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenSessionRow {
    pub token_hash: String,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub expires_ms: i64,
}

/// A card challenge as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    pub id: String,
    pub nonce: Vec<u8>,
    pub expires_ms: i64,
}

/// What [`AccessStore::take_challenge`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Fresh(ChallengeRow),
    Used,
    Unknown,
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

    /// A citizen's session, by the SHA-256 (hex) of its token; expired sessions are deleted.
    fn insert_citizen_session(&mut self, session: &CitizenSessionRow, now_ms: i64) -> Result<()>;
    /// The session of a token hash, if it has not expired at `now_ms`.
    fn citizen_session(
        &mut self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<CitizenSessionRow>>;
    fn end_citizen_session(&mut self, token_hash: &str) -> Result<()>;

    /// Records an issued card challenge; challenges expired before `purge_before_ms` are
    /// deleted. Returns how many are outstanding (unused and unexpired at `now_ms`).
    fn insert_challenge(
        &mut self,
        challenge: &ChallengeRow,
        now_ms: i64,
        purge_before_ms: i64,
    ) -> Result<u64>;
    /// Marks the challenge used, once: what it was when this call used it, `Taken::Used` when
    /// an earlier call did, `Taken::Unknown` when there is none.
    fn take_challenge(&mut self, id: &str) -> Result<Taken>;

    /// The secret stored under `name`; `candidate` is stored first when there is none, so every
    /// server of the database gets the same one.
    fn shared_secret(&mut self, name: &str, candidate: &[u8], now_ms: i64) -> Result<Vec<u8>>;

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
    fn end_serving(&mut self, id: i64, ended_on: Date, ended_by: EndedBy) -> Result<()>;
    fn record_service(&mut self, id: i64, on: Date) -> Result<()>;
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

/// The ';'-joined form of a list of codes (codes never contain ';').
fn join_kinds(kinds: &[ServiceKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(";")
}

/// The list stored by [`join_kinds`]; the empty text is the empty list. `None` if a code is
/// not a サービス種類コード.
fn split_kinds(joined: &str) -> Option<Vec<ServiceKind>> {
    if joined.is_empty() {
        return Some(Vec::new());
    }
    joined
        .split(';')
        .map(|code| ServiceKind::from_code(code).ok())
        .collect()
}

/// A consent's method from its stored `method`, `paper_reason` and `witness` columns.
fn consent_method(f: &Fields<'_>, r: &dyn SqlRow, at: usize) -> Result<ConsentMethod> {
    Ok(match f.parse::<ConsentMethodKind>(at)? {
        ConsentMethodKind::Card => ConsentMethod::Card,
        ConsentMethodKind::Paper => ConsentMethod::Paper {
            reason: f.parse(at + 2)?,
            witness: r.get(at + 1)?,
        },
    })
}

/// The `witness` and `paper_reason` columns of a consent's method (empty for the card).
fn method_columns(method: &ConsentMethod) -> (&str, &str) {
    match method {
        ConsentMethod::Card => ("", ""),
        ConsentMethod::Paper { reason, witness } => (witness.as_str(), reason.code()),
    }
}

/// The error of linking a card that is still linked (the fingerprint is not repeated: the
/// message may reach a log).
fn card_already_linked() -> StoreError {
    StoreError::Conflict("card_links".into())
}

const OFFICE_COLUMNS: &str =
    "office_number, name, office_kind, service_kinds, active, created_at_ms";
const STAFF_COLUMNS: &str = "staff_id, office_number, actor_kind, job, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, locked_until_ms, active, last_failure_ms";
const SESSION_COLUMNS: &str = "access_hash, refresh_hash, staff_id, access_expires_ms, refresh_expires_ms, revoked, client_serial";
const CLIENT_REVOCATION_COLUMNS: &str = "id, serial, reason_code, revoked_at_ms";
const CARD_COLUMNS: &str = "fingerprint, insurer, insured, linked_at_ms, linked_by, unlinked_at_ms";
pub(crate) const SERVING_COLUMNS: &str =
    "id, office_number, insurer, insured, started_on, ended_on, ended_by, last_service_on";
pub(crate) const CONSENT_COLUMNS: &str = "id, office_number, insurer, insured, category, granted_at_ms, method, witness, paper_reason, valid_until, revoked_at_ms";
const OPINION_COLUMNS: &str =
    "id, institution_code, insurer, insured, requested_at_ms, closed_at_ms";

fn to_office(r: &dyn SqlRow) -> Result<OfficeRow> {
    let f = Fields::new(r, "offices", OFFICE_COLUMNS, 0)?;
    let office_kind = f.parse(2)?;
    Ok(OfficeRow {
        office_number: f.parse_with(0, "the office kind's number", |s| {
            Party::of_office(office_kind, s)
        })?,
        name: r.get(1)?,
        office_kind,
        service_kinds: f.parse_with(3, "';'-joined サービス種類コード", split_kinds)?,
        active: r.get(4)?,
        created_at_ms: r.get(5)?,
    })
}

fn to_staff(r: &dyn SqlRow) -> Result<StaffRow> {
    let f = Fields::new(r, "staff_accounts", STAFF_COLUMNS, 0)?;
    let kind: StaffKind = f.parse(2)?;
    Ok(StaffRow {
        staff_id: r.get(0)?,
        workplace: f.parse_with(1, "the account kind's number", |s| {
            Workplace::parse(kind, s)
        })?,
        job: f.parse(3)?,
        display_name: r.get(4)?,
        password_hash: r.get(5)?,
        totp_secret: r.get(6)?,
        totp_last_step: r.get(7)?,
        failed_attempts: r.get(8)?,
        locked_until_ms: r.get(9)?,
        active: r.get(10)?,
        last_failure_ms: r.get(11)?,
    })
}

fn to_session(r: &dyn SqlRow) -> Result<SessionRow> {
    Ok(SessionRow {
        access_hash: r.get(0)?,
        refresh_hash: r.get(1)?,
        staff_id: r.get(2)?,
        access_expires_ms: r.get(3)?,
        refresh_expires_ms: r.get(4)?,
        revoked: r.get(5)?,
        client_serial: r.get(6)?,
    })
}

fn to_client_revocation(r: &dyn SqlRow) -> Result<ClientRevocationRow> {
    Ok(ClientRevocationRow {
        id: r.get(0)?,
        serial: r.get(1)?,
        reason_code: r.get(2)?,
        revoked_at_ms: r.get(3)?,
    })
}

fn to_card(r: &dyn SqlRow) -> Result<CardLinkRow> {
    let f = Fields::new(r, "card_links", CARD_COLUMNS, 0)?;
    Ok(CardLinkRow {
        fingerprint: r.get(0)?,
        insurer: f.parse(1)?,
        insured: f.parse(2)?,
        linked_at_ms: r.get(3)?,
        linked_by: r.get(4)?,
        unlinked_at_ms: r.get(5)?,
    })
}

pub(crate) fn to_serving(r: &dyn SqlRow) -> Result<ServingRow> {
    let f = Fields::new(r, "serving_relationships", SERVING_COLUMNS, 0)?;
    Ok(ServingRow {
        id: r.get(0)?,
        office_number: f.parse(1)?,
        insurer: f.parse(2)?,
        insured: f.parse(3)?,
        started_on: f.parse(4)?,
        ended_on: f.parse_opt(5)?,
        ended_by: f.parse_opt(6)?,
        last_service_on: f.parse_opt(7)?,
    })
}

pub(crate) fn to_consent(r: &dyn SqlRow) -> Result<ConsentRow> {
    let f = Fields::new(r, "consents", CONSENT_COLUMNS, 0)?;
    Ok(ConsentRow {
        id: r.get(0)?,
        office_number: f.parse(1)?,
        insurer: f.parse(2)?,
        insured: f.parse(3)?,
        category: f.parse(4)?,
        granted_at_ms: r.get(5)?,
        method: consent_method(&f, r, 6)?,
        valid_until: f.parse_opt(9)?,
        revoked_at_ms: r.get(10)?,
    })
}

fn to_opinion(r: &dyn SqlRow) -> Result<OpinionRequestRow> {
    let f = Fields::new(r, "opinion_requests", OPINION_COLUMNS, 0)?;
    Ok(OpinionRequestRow {
        id: r.get(0)?,
        institution_code: f.parse(1)?,
        insurer: f.parse(2)?,
        insured: f.parse(3)?,
        requested_at_ms: r.get(4)?,
        closed_at_ms: r.get(5)?,
    })
}

const CITIZEN_SESSION_COLUMNS: &str = "token_hash, insurer, insured, expires_ms";

fn to_citizen_session(r: &dyn SqlRow) -> Result<CitizenSessionRow> {
    let f = Fields::new(r, "citizen_sessions", CITIZEN_SESSION_COLUMNS, 0)?;
    Ok(CitizenSessionRow {
        token_hash: r.get(0)?,
        insurer: f.parse(1)?,
        insured: f.parse(2)?,
        expires_ms: r.get(3)?,
    })
}

impl<D: Db> AccessStore for D {
    fn insert_citizen_session(&mut self, s: &CitizenSessionRow, now_ms: i64) -> Result<()> {
        self.execute(
            "DELETE FROM citizen_sessions WHERE expires_ms <= ?1",
            params![now_ms],
        )?;
        self.execute(
            "INSERT INTO citizen_sessions (token_hash, insurer, insured, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.insurer, s.insured, s.expires_ms],
        )?;
        Ok(())
    }

    fn citizen_session(
        &mut self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<CitizenSessionRow>> {
        let sql = format!(
            "SELECT {CITIZEN_SESSION_COLUMNS} FROM citizen_sessions WHERE token_hash = ?1 AND expires_ms > ?2"
        );
        self.query_opt(&sql, params![token_hash, now_ms], to_citizen_session)
    }

    fn end_citizen_session(&mut self, token_hash: &str) -> Result<()> {
        self.execute(
            "DELETE FROM citizen_sessions WHERE token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }

    fn insert_challenge(
        &mut self,
        c: &ChallengeRow,
        now_ms: i64,
        purge_before_ms: i64,
    ) -> Result<u64> {
        self.execute(
            "DELETE FROM card_challenges WHERE expires_ms < ?1",
            params![purge_before_ms],
        )?;
        self.execute(
            "INSERT INTO card_challenges (id, nonce, expires_ms, used) VALUES (?1, ?2, ?3, 0)",
            params![c.id, c.nonce, c.expires_ms],
        )?;
        let outstanding: i64 = self
            .query_opt(
                "SELECT count(*) FROM card_challenges WHERE used = 0 AND expires_ms > ?1",
                params![now_ms],
                |r| r.get(0),
            )?
            .unwrap_or(0);
        Ok(outstanding as u64)
    }

    fn take_challenge(&mut self, id: &str) -> Result<Taken> {
        // One statement decides who uses it: two servers answering the same challenge at once
        // cannot both get it.
        let fresh = self.query_opt(
            "UPDATE card_challenges SET used = 1 WHERE id = ?1 AND used = 0 RETURNING id, nonce, expires_ms",
            params![id],
            |r| {
                Ok(ChallengeRow {
                    id: r.get(0)?,
                    nonce: r.get(1)?,
                    expires_ms: r.get(2)?,
                })
            },
        )?;
        if let Some(row) = fresh {
            return Ok(Taken::Fresh(row));
        }
        let known: Option<i64> = self.query_opt(
            "SELECT used FROM card_challenges WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        Ok(if known.is_some() {
            Taken::Used
        } else {
            Taken::Unknown
        })
    }

    fn shared_secret(&mut self, name: &str, candidate: &[u8], now_ms: i64) -> Result<Vec<u8>> {
        self.execute(
            "INSERT INTO platform_secrets (name, secret, created_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
            params![name, candidate, now_ms],
        )?;
        self.query_opt(
            "SELECT secret FROM platform_secrets WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?
        .ok_or_else(|| StoreError::Corrupt("platform_secrets lost a row it just kept".into()))
    }

    fn put_office(&mut self, o: &OfficeRow) -> Result<()> {
        self.execute(
            "INSERT INTO offices (office_number, name, office_kind, service_kinds, active, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (office_number) DO UPDATE SET name = excluded.name, office_kind = excluded.office_kind, service_kinds = excluded.service_kinds, active = excluded.active, created_at_ms = excluded.created_at_ms",
            params![o.office_number.to_string(), o.name, o.office_kind, join_kinds(&o.service_kinds), o.active, o.created_at_ms],
        )?;
        Ok(())
    }

    fn office(&mut self, office_number: &str) -> Result<Option<OfficeRow>> {
        let sql = format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE office_number = ?1");
        self.query_opt(&sql, params![office_number], to_office)
    }

    fn insert_staff(&mut self, s: &StaffRow) -> Result<()> {
        self.execute(
            "INSERT INTO staff_accounts (staff_id, office_number, actor_kind, job, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, locked_until_ms, active, last_failure_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![s.staff_id, s.workplace.to_string(), s.workplace.kind(), s.job, s.display_name, s.password_hash, s.totp_secret, s.totp_last_step, s.failed_attempts, s.locked_until_ms, s.active, s.last_failure_ms],
        )?;
        Ok(())
    }

    fn staff(&mut self, staff_id: &str) -> Result<Option<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_accounts WHERE staff_id = ?1");
        self.query_opt(&sql, params![staff_id], to_staff)
    }

    fn update_staff_login(
        &mut self,
        staff_id: &str,
        failed_attempts: i64,
        locked_until_ms: i64,
        last_failure_ms: i64,
        totp_last_step: i64,
    ) -> Result<()> {
        self.execute(
            "UPDATE staff_accounts SET failed_attempts = ?2, locked_until_ms = ?3, last_failure_ms = ?4, totp_last_step = ?5 WHERE staff_id = ?1",
            params![staff_id, failed_attempts, locked_until_ms, last_failure_ms, totp_last_step],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.execute(
            "INSERT INTO sessions (access_hash, refresh_hash, staff_id, access_expires_ms, refresh_expires_ms, revoked, client_serial) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![s.access_hash, s.refresh_hash, s.staff_id, s.access_expires_ms, s.refresh_expires_ms, s.revoked, s.client_serial],
        )?;
        Ok(())
    }

    fn session_by_access(&mut self, access_hash: &str) -> Result<Option<SessionRow>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE access_hash = ?1");
        self.query_opt(&sql, params![access_hash], to_session)
    }

    fn session_by_refresh(&mut self, refresh_hash: &str) -> Result<Option<SessionRow>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_hash = ?1");
        self.query_opt(&sql, params![refresh_hash], to_session)
    }

    fn revoke_session(&mut self, access_hash: &str) -> Result<()> {
        self.execute(
            "UPDATE sessions SET revoked = 1 WHERE access_hash = ?1",
            params![access_hash],
        )?;
        Ok(())
    }

    fn revoke_sessions_of_client(&mut self, serial: &str) -> Result<u64> {
        self.execute(
            "UPDATE sessions SET revoked = 1 WHERE client_serial = ?1 AND revoked = 0",
            params![serial],
        )
    }

    fn record_client_revocation(
        &mut self,
        serial: &str,
        reason_code: i64,
        revoked_at_ms: i64,
    ) -> Result<bool> {
        let added = self.execute(
            "INSERT INTO client_revocations (serial, reason_code, revoked_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (serial) DO NOTHING",
            params![serial, reason_code, revoked_at_ms],
        )?;
        Ok(added == 1)
    }

    fn client_revocations_after(&mut self, after_id: i64) -> Result<Vec<ClientRevocationRow>> {
        let sql = format!(
            "SELECT {CLIENT_REVOCATION_COLUMNS} FROM client_revocations WHERE id > ?1 ORDER BY id"
        );
        self.query_all(&sql, params![after_id], to_client_revocation)
    }

    fn link_card(&mut self, l: &CardLinkRow) -> Result<()> {
        // One statement: a row that is still linked is left alone (0 rows changed), so two
        // municipal clerks cannot both win.
        let changed = self.execute(
            "INSERT INTO card_links (fingerprint, insurer, insured, linked_at_ms, linked_by, unlinked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (fingerprint) DO UPDATE SET insurer = excluded.insurer, insured = excluded.insured, linked_at_ms = excluded.linked_at_ms, linked_by = excluded.linked_by, unlinked_at_ms = excluded.unlinked_at_ms \
             WHERE card_links.unlinked_at_ms IS NOT NULL",
            params![l.fingerprint, l.insurer, l.insured, l.linked_at_ms, l.linked_by, l.unlinked_at_ms],
        )?;
        if changed == 0 {
            return Err(card_already_linked());
        }
        Ok(())
    }

    fn card_link(&mut self, fingerprint: &str) -> Result<Option<CardLinkRow>> {
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM card_links WHERE fingerprint = ?1 AND unlinked_at_ms IS NULL"
        );
        self.query_opt(&sql, params![fingerprint], to_card)
    }

    fn unlink_card(&mut self, fingerprint: &str, at_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE card_links SET unlinked_at_ms = ?2 WHERE fingerprint = ?1 AND unlinked_at_ms IS NULL",
            params![fingerprint, at_ms],
        )?;
        Ok(())
    }

    fn start_serving(&mut self, s: &ServingRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO serving_relationships (office_number, insurer, insured, started_on, ended_on, ended_by, last_service_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            params![s.office_number, s.insurer, s.insured, s.started_on, s.ended_on, s.ended_by, s.last_service_on],
        )
    }

    fn end_serving(&mut self, id: i64, ended_on: Date, ended_by: EndedBy) -> Result<()> {
        self.execute(
            "UPDATE serving_relationships SET ended_on = ?2, ended_by = ?3 WHERE id = ?1 AND ended_on IS NULL",
            params![id, ended_on, ended_by],
        )?;
        Ok(())
    }

    fn record_service(&mut self, id: i64, on: Date) -> Result<()> {
        // YYYYMMDD compares as text; a late record of an older service never moves it back.
        self.execute(
            "UPDATE serving_relationships SET last_service_on = ?2 WHERE id = ?1 AND (last_service_on IS NULL OR last_service_on < ?2)",
            params![id, on],
        )?;
        Ok(())
    }

    fn serving(
        &mut self,
        office_number: &str,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE office_number = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY id"
        );
        self.query_all(&sql, params![office_number, insurer, insured], to_serving)
    }

    fn persons_served(&mut self, office_number: &str) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE office_number = ?1 AND ended_on IS NULL ORDER BY insurer, insured, id"
        );
        self.query_all(&sql, params![office_number], to_serving)
    }

    fn servers_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE insurer = ?1 AND insured = ?2 ORDER BY id"
        );
        self.query_all(&sql, params![insurer, insured], to_serving)
    }

    fn servers_of_many(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>> {
        self.bulk_servers_of(insurer, insureds)
    }

    fn insert_consent(&mut self, c: &ConsentRow) -> Result<i64> {
        let (witness, paper_reason) = method_columns(&c.method);
        self.insert_id(
            "INSERT INTO consents (office_number, insurer, insured, category, granted_at_ms, method, witness, paper_reason, valid_until, revoked_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
            params![c.office_number, c.insurer, c.insured, c.category, c.granted_at_ms, c.method.kind(), witness, paper_reason, c.valid_until, c.revoked_at_ms],
        )
    }

    fn revoke_consent(&mut self, id: i64, at_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE consents SET revoked_at_ms = ?2 WHERE id = ?1 AND revoked_at_ms IS NULL",
            params![id, at_ms],
        )?;
        Ok(())
    }

    fn consents(
        &mut self,
        insurer: &str,
        insured: &str,
        office_number: Option<&str>,
    ) -> Result<Vec<ConsentRow>> {
        // The CAST gives PostgreSQL the parameter's type, which `IS NULL` alone does not.
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE insurer = ?1 AND insured = ?2 AND (CAST(?3 AS TEXT) IS NULL OR office_number = ?3) ORDER BY id"
        );
        self.query_all(&sql, params![insurer, insured, office_number], to_consent)
    }

    fn consents_of_many(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>> {
        self.bulk_consents_of(insurer, insureds, office_number)
    }

    fn insert_opinion_request(&mut self, o: &OpinionRequestRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO opinion_requests (institution_code, insurer, insured, requested_at_ms, closed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![o.institution_code, o.insurer, o.insured, o.requested_at_ms, o.closed_at_ms],
        )
    }

    fn close_opinion_request(&mut self, id: i64, at_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE opinion_requests SET closed_at_ms = ?2 WHERE id = ?1 AND closed_at_ms IS NULL",
            params![id, at_ms],
        )?;
        Ok(())
    }

    fn opinion_requests(
        &mut self,
        insurer: &str,
        insured: &str,
        institution_code: &str,
    ) -> Result<Vec<OpinionRequestRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM opinion_requests WHERE insurer = ?1 AND insured = ?2 AND institution_code = ?3 ORDER BY id"
        );
        self.query_all(
            &sql,
            params![insurer, insured, institution_code],
            to_opinion,
        )
    }

    fn open_opinion_requests(&mut self, institution_code: &str) -> Result<Vec<OpinionRequestRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM opinion_requests WHERE institution_code = ?1 AND closed_at_ms IS NULL ORDER BY requested_at_ms, insurer, insured, id"
        );
        self.query_all(&sql, params![institution_code], to_opinion)
    }
}
