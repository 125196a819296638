//! Staff authentication as in the national API: a device factor (the TLS client certificate
//! that vouches for the account: the office's for office staff, the institution's for medical
//! staff, the account's own staff certificate for municipal staff and operators), ID +
//! password (argon2id) + a TOTP code, a 60-minute access token and an 8-hour refresh token.
//! Only SHA-256 hashes of tokens are stored; passwords, TOTP codes and tokens are never logged.
//!
//! **An outsider learns nothing and locks nobody out** (docs/staff-login.md). A login without
//! the account's device factor is answered exactly as an unknown ID or a wrong password
//! ([`LoginRefusal::BadCredentials`], after one argon2id verification either way) and is not
//! counted against the account: only failures over a connection presenting the right device
//! certificate slow the account down ([`LoginPolicy::delay_after`]) and then lock it. The
//! server throttles every source on top of this (kiban-http `login_throttle`).

use crate::Connection;
use crate::Result;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    hash_token, verify_password, BearerToken, ClientIdentity, ClientSubject, TokenPair, TotpSecret,
};
use kiban_domain::access::{Actor, OfficeKind, Purpose, Workplace};
use kiban_domain::ids::InsurerNumber;
use kiban_store::{OfficeRow, SessionRow, StaffRow, Store};

/// How counted failures (those presenting the account's device certificate) slow the account
/// down and then lock it.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failures after which each further attempt first waits.
    pub free_failures: i64,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_delay_ms: i64,
    /// Failures that lock the account for `lock_ms`.
    pub max_failures: i64,
    pub lock_ms: i64,
}

impl Default for LoginPolicy {
    /// 3 free failures, then waits of 2, 4, 8 … 128 s, and the 10th failure locks for 30 min.
    fn default() -> Self {
        Self {
            free_failures: 3,
            first_delay_ms: 2_000,
            max_failures: 10,
            lock_ms: 30 * 60 * 1000,
        }
    }
}

impl LoginPolicy {
    /// How long the next attempt waits after `failures` counted failures.
    pub fn delay_after(&self, failures: i64) -> i64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = (failures - self.free_failures).clamp(0, 30) as u32;
        self.first_delay_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.lock_ms)
    }
}

/// Why a login was refused. Deliberately coarse: a caller learns nothing about which factor
/// was wrong, and only a caller presenting the account's device certificate learns more than
/// [`LoginRefusal::BadCredentials`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum LoginRefusal {
    /// Unknown ID, missing or wrong device certificate, wrong password or wrong TOTP code.
    BadCredentials,
    /// Failed attempts slow the account down: try again at this time.
    Throttled {
        retry_at_ms: i64,
    },
    /// Too many failures; retry after this time.
    Locked {
        until_ms: i64,
    },
    Inactive,
}

impl LoginRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "LOGIN_FAILED",
            Self::Throttled { .. } => "LOGIN_THROTTLED",
            Self::Locked { .. } => "ACCOUNT_LOCKED",
            Self::Inactive => "ACCOUNT_INACTIVE",
        }
    }
}

/// Tokens handed to the client once; only their hashes are kept.
#[derive(Debug)]
pub struct Tokens {
    pub access: BearerToken,
    pub access_expires_ms: i64,
    pub refresh: BearerToken,
    pub refresh_expires_ms: i64,
}

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A real hash of nothing in particular, so an unknown ID costs the same time as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        kiban_crypto::hash_password("kiban-dummy", &kiban_crypto::Argon2Params::INTERACTIVE)
            .unwrap_or_default()
    })
}

/// Whether a client certificate is the device factor of `staff`: the certificate of the
/// account's own office (office staff), institution (medical staff), or the staff certificate
/// naming the account itself (municipal staff, operators).
pub fn device_vouches_for(subject: &ClientSubject, staff: &StaffRow) -> bool {
    match (subject, staff.workplace) {
        (ClientSubject::Office { office_number }, Workplace::Office(office)) => {
            *office_number == office
        }
        (ClientSubject::Hospital { institution_code }, Workplace::Institution(institution)) => {
            *institution_code == institution
        }
        (ClientSubject::Staff { staff_id }, Workplace::Insurer(_) | Workplace::Platform) => {
            staff_id.as_str() == staff.staff_id
        }
        _ => false,
    }
}

/// Logs a staff member in. `device` is the verified client certificate of the connection (the
/// TLS layer checked its chain, validity and revocation); its serial is recorded with the
/// session, so revoking the certificate ends the tokens issued here.
pub fn login(
    conn: &mut Connection,
    policy: LoginPolicy,
    staff_id: &str,
    password: &str,
    totp_code: &str,
    device: Option<&ClientIdentity>,
    now_ms: i64,
) -> Result<std::result::Result<Tokens, LoginRefusal>> {
    let store = conn.store();
    let account = store.staff(staff_id)?;
    let vouched = |s: &StaffRow| device.is_some_and(|d| device_vouches_for(&d.subject, s));
    // Without its device factor an account is as unknown as a missing one: same answer, same
    // argon2id cost, and nothing counted against it.
    let Some(staff) = account.filter(|s| vouched(s)) else {
        let _ = verify_password(password, dummy_hash());
        return Ok(Err(LoginRefusal::BadCredentials));
    };
    if !staff.active {
        return Ok(Err(LoginRefusal::Inactive));
    }
    if staff.locked_until_ms > now_ms {
        return Ok(Err(LoginRefusal::Locked {
            until_ms: staff.locked_until_ms,
        }));
    }
    let retry_at_ms = staff.last_failure_ms + policy.delay_after(staff.failed_attempts);
    if staff.failed_attempts >= policy.free_failures && now_ms < retry_at_ms {
        return Ok(Err(LoginRefusal::Throttled { retry_at_ms }));
    }
    let password_ok = verify_password(password, &staff.password_hash).unwrap_or(false);
    let step = TotpSecret::from_base32(&staff.totp_secret)
        .ok()
        .and_then(|secret| {
            let last = u64::try_from(staff.totp_last_step).ok().filter(|&s| s > 0);
            kiban_crypto::totp::verify_after(&secret, totp_code, (now_ms / 1000) as u64, 1, last)
        });
    let Some(step) = step.filter(|_| password_ok) else {
        let failures = staff.failed_attempts + 1;
        let locked_until = if failures >= policy.max_failures {
            now_ms + policy.lock_ms
        } else {
            0
        };
        store.update_staff_login(
            staff_id,
            failures,
            locked_until,
            now_ms,
            staff.totp_last_step,
        )?;
        return Ok(Err(if locked_until > 0 {
            LoginRefusal::Locked {
                until_ms: locked_until,
            }
        } else {
            LoginRefusal::BadCredentials
        }));
    };
    store.update_staff_login(staff_id, 0, 0, 0, step as i64)?;
    let serial = device.map(|d| d.serial.to_string());
    Ok(Ok(issue(store, &staff, serial, now_ms)?))
}

fn issue(
    store: &mut dyn Store,
    staff: &StaffRow,
    client_serial: Option<String>,
    now_ms: i64,
) -> Result<Tokens> {
    let pair = TokenPair::new(at(now_ms));
    let tokens = Tokens {
        access_expires_ms: crate::millis(pair.access_expires_at),
        refresh_expires_ms: crate::millis(pair.refresh_expires_at),
        access: pair.access,
        refresh: pair.refresh,
    };
    store.insert_session(&SessionRow {
        access_hash: tokens.access.hash().to_hex(),
        refresh_hash: tokens.refresh.hash().to_hex(),
        staff_id: staff.staff_id.clone(),
        access_expires_ms: tokens.access_expires_ms,
        refresh_expires_ms: tokens.refresh_expires_ms,
        revoked: false,
        client_serial,
    })?;
    Ok(tokens)
}

/// The staff account behind a bearer access token, if the token is known, unexpired and not
/// revoked, and the account still active.
pub fn authenticate(
    conn: &mut Connection,
    access_token: &str,
    now_ms: i64,
) -> Result<Option<StaffRow>> {
    Ok(authenticate_session(conn, access_token, now_ms)?.map(|s| s.staff))
}

/// A checked access token: its account, when it expires, and the client certificate it was
/// issued over.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub staff: StaffRow,
    pub access_expires_ms: i64,
    /// Serial (hex) of the client certificate the session was issued over.
    pub client_serial: Option<String>,
}

/// [`authenticate`], also returning when the access token expires (so a caller that remembers
/// the answer for a while, as the HTTP server does for seconds, never outlives the token) and
/// the certificate it was issued over (so the caller can refuse it once that is revoked).
pub fn authenticate_session(
    conn: &mut Connection,
    access_token: &str,
    now_ms: i64,
) -> Result<Option<StaffSession>> {
    let store = conn.store();
    let Some(session) = store.session_by_access(&hash_token(access_token).to_hex())? else {
        return Ok(None);
    };
    if session.revoked || session.access_expires_ms <= now_ms {
        return Ok(None);
    }
    Ok(store
        .staff(&session.staff_id)?
        .filter(|s| s.active && s.locked_until_ms <= now_ms)
        .map(|staff| StaffSession {
            staff,
            access_expires_ms: session.access_expires_ms,
            client_serial: session.client_serial,
        }))
}

/// Exchanges a valid refresh token for a new pair; the old session is revoked, so a refresh
/// token works once. The new session is bound to `device`, the certificate of the connection
/// the refresh came over (the caller checks that it vouches for the account), or keeps the old
/// session's certificate when there is none.
pub fn refresh(
    conn: &mut Connection,
    refresh_token: &str,
    device: Option<&ClientIdentity>,
    now_ms: i64,
) -> Result<Option<Tokens>> {
    let store = conn.store();
    let Some(session) = store.session_by_refresh(&hash_token(refresh_token).to_hex())? else {
        return Ok(None);
    };
    if session.revoked || session.refresh_expires_ms <= now_ms {
        return Ok(None);
    }
    let Some(staff) = store.staff(&session.staff_id)?.filter(|s| s.active) else {
        return Ok(None);
    };
    store.revoke_session(&session.access_hash)?;
    let serial = device
        .map(|d| d.serial.to_string())
        .or(session.client_serial);
    Ok(Some(issue(store, &staff, serial, now_ms)?))
}

pub fn logout(conn: &mut Connection, access_token: &str) -> Result<()> {
    let store = conn.store();
    store.revoke_session(&hash_token(access_token).to_hex())?;
    Ok(())
}

/// Records that the client certificate `serial` was revoked (`kiban ca revoke`), for every
/// server sharing this database, and ends the sessions issued over it, in one transaction.
/// Returns whether the revocation was new and how many sessions it ended.
pub fn record_client_revocation(
    conn: &mut Connection,
    serial: &kiban_crypto::Serial,
    reason: kiban_crypto::RevocationReason,
    revoked_at_ms: i64,
) -> Result<(bool, u64)> {
    let store = conn.store();
    let serial = serial.to_string();
    crate::in_transaction(store, |store| {
        let added =
            store.record_client_revocation(&serial, i64::from(reason.code()), revoked_at_ms)?;
        let ended = store.revoke_sessions_of_client(&serial)?;
        Ok((added, ended))
    })
}

/// The client-certificate revocations recorded in the database after row `after_id` (each
/// server polls them, so a revocation reaches every server sharing the database).
pub use kiban_store::ClientRevocationRow;

/// The revocations recorded after row `after_id`, oldest first.
pub fn client_revocations_after(
    conn: &mut Connection,
    after_id: i64,
) -> Result<Vec<ClientRevocationRow>> {
    Ok(conn.store().client_revocations_after(after_id)?)
}

/// Ends the sessions issued over the client certificate `serial` (once it is revoked); returns
/// how many were still open.
pub fn end_sessions_of_client(conn: &mut Connection, serial: &kiban_crypto::Serial) -> Result<u64> {
    Ok(conn
        .store()
        .revoke_sessions_of_client(&serial.to_string())?)
}

/// A checked access token: the staff account, for office and medical staff their office as
/// registered, when the token expires and the client certificate it was issued over. A caller
/// may remember it for a few seconds (the HTTP server does); the policy actor of each request
/// comes from [`StaffIdentity::actor`].
#[derive(Clone)]
pub struct StaffIdentity {
    staff: StaffRow,
    office: Option<OfficeRow>,
    access_expires_ms: i64,
    client_serial: Option<kiban_crypto::Serial>,
}

impl std::fmt::Debug for StaffIdentity {
    /// The account's id only: the row holds its password hash and TOTP secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffIdentity")
            .field("staff_id", &self.staff.staff_id)
            .finish_non_exhaustive()
    }
}

/// Why a staff account cannot act over this connection, or at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorRefusal {
    /// No client certificate was presented.
    CertificateRequired,
    /// The certificate is not the account's device certificate.
    CertificateMismatch,
    /// The office or institution of office or medical staff is not registered, or inactive.
    OfficeNotRegistered,
    /// Municipal staff state a purpose with every access.
    PurposeRequired,
}

/// The staff account behind an access token, if the token is known, unexpired and not
/// revoked and the account still active (as [`authenticate_session`]), with its office.
pub fn staff_identity(
    conn: &mut Connection,
    access_token: &str,
    now_ms: i64,
) -> Result<Option<StaffIdentity>> {
    let Some(session) = authenticate_session(conn, access_token, now_ms)? else {
        return Ok(None);
    };
    let staff = session.staff;
    let office = match staff.workplace {
        Workplace::Office(_) | Workplace::Institution(_) => {
            conn.store().office(&staff.workplace.to_string())?
        }
        Workplace::Insurer(_) | Workplace::Platform => None,
    };
    Ok(Some(StaffIdentity {
        staff,
        office,
        access_expires_ms: session.access_expires_ms,
        client_serial: session
            .client_serial
            .as_deref()
            .and_then(kiban_crypto::Serial::from_hex),
    }))
}

impl StaffIdentity {
    pub fn staff_id(&self) -> &str {
        &self.staff.staff_id
    }

    /// When the access token expires.
    pub fn access_expires_ms(&self) -> i64 {
        self.access_expires_ms
    }

    /// The client certificate the session was issued over.
    pub fn client_serial(&self) -> Option<&kiban_crypto::Serial> {
        self.client_serial.as_ref()
    }

    /// Whether the account is municipal staff.
    pub fn is_municipal(&self) -> bool {
        matches!(self.staff.workplace, Workplace::Insurer(_))
    }

    /// The 保険者 of municipal staff; `None` for anyone else.
    pub fn insurer(&self) -> Option<InsurerNumber> {
        match self.staff.workplace {
            Workplace::Insurer(insurer) => Some(insurer),
            _ => None,
        }
    }

    /// Whether `device`, the connection's client certificate, is the account's device factor
    /// ([`device_vouches_for`]).
    pub fn vouched_by(
        &self,
        device: Option<&ClientSubject>,
    ) -> std::result::Result<(), ActorRefusal> {
        let subject = device.ok_or(ActorRefusal::CertificateRequired)?;
        if device_vouches_for(subject, &self.staff) {
            Ok(())
        } else {
            Err(ActorRefusal::CertificateMismatch)
        }
    }

    /// The policy actor of the account over a connection presenting `device`, acting under
    /// `purpose` (municipal staff must state one). Every account must come with its device
    /// certificate ([`StaffIdentity::vouched_by`]); office and medical staff's office or
    /// institution must be registered and active.
    pub fn actor(
        &self,
        device: Option<&ClientSubject>,
        purpose: Option<Purpose>,
    ) -> std::result::Result<Actor, ActorRefusal> {
        let staff = &self.staff;
        let job = staff.job;
        self.vouched_by(device)?;
        match staff.workplace {
            Workplace::Office(office) => {
                let kind = registered_kind(self.office.as_ref())?;
                Ok(Actor::OfficeStaff { office, kind, job })
            }
            Workplace::Institution(institution) => {
                registered_kind(self.office.as_ref())?;
                Ok(Actor::MedicalStaff { institution, job })
            }
            Workplace::Insurer(insurer) => {
                let purpose = purpose.ok_or(ActorRefusal::PurposeRequired)?;
                Ok(Actor::MunicipalStaff { insurer, purpose })
            }
            Workplace::Platform => Ok(Actor::PlatformOperator),
        }
    }
}

/// The office kind of a registered, active office or institution.
fn registered_kind(office: Option<&OfficeRow>) -> std::result::Result<OfficeKind, ActorRefusal> {
    let office = office
        .filter(|o| o.active)
        .ok_or(ActorRefusal::OfficeNotRegistered)?;
    Ok(office.office_kind)
}
