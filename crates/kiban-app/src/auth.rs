//! Staff authentication as in the national API: the office's client certificate (checked by
//! the TLS layer and passed in as the certified office number), ID + password (argon2id) + a
//! TOTP code, accounts locked after repeated failures, a 60-minute access token and an 8-hour
//! refresh token. Only SHA-256 hashes of tokens are stored; passwords, TOTP codes and tokens
//! are never logged.

use crate::Result;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{hash_token, verify_password, BearerToken, TokenPair, TotpSecret};
use kiban_store::{SessionRow, StaffRow, Store};

/// Lockout rule: after `max_failures` consecutive failures the account is locked for
/// `lock_ms`.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub max_failures: i64,
    pub lock_ms: i64,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_ms: 30 * 60 * 1000,
        }
    }
}

/// Why a login was refused. Deliberately coarse: a caller learns nothing about which factor
/// was wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum LoginRefusal {
    /// Unknown ID, wrong password or wrong TOTP code.
    BadCredentials,
    /// Too many failures; retry after this time.
    Locked {
        until_ms: i64,
    },
    /// The client certificate belongs to another office than the account.
    WrongOffice,
    Inactive,
}

impl LoginRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "LOGIN_FAILED",
            Self::Locked { .. } => "ACCOUNT_LOCKED",
            Self::WrongOffice => "CERTIFICATE_OFFICE_MISMATCH",
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

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A real hash of nothing in particular, so an unknown ID costs the same time as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        kiban_crypto::hash_password("kiban-dummy", &kiban_crypto::Argon2Params::INTERACTIVE)
            .unwrap_or_default()
    })
}

/// Logs a staff member in. `certified_office` is the office number of the TLS client
/// certificate (None where the deployment does not use mutual TLS, e.g. municipal staff on
/// LGWAN).
pub fn login(
    store: &mut dyn Store,
    policy: LoginPolicy,
    staff_id: &str,
    password: &str,
    totp_code: &str,
    certified_office: Option<&str>,
    now_ms: i64,
) -> Result<std::result::Result<Tokens, LoginRefusal>> {
    let Some(staff) = store.staff(staff_id)? else {
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
    if let Some(office) = certified_office {
        if office != staff.office_number {
            return Ok(Err(LoginRefusal::WrongOffice));
        }
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
        store.update_staff_login(staff_id, failures, locked_until, staff.totp_last_step)?;
        return Ok(Err(if locked_until > 0 {
            LoginRefusal::Locked {
                until_ms: locked_until,
            }
        } else {
            LoginRefusal::BadCredentials
        }));
    };
    store.update_staff_login(staff_id, 0, 0, step as i64)?;
    Ok(Ok(issue(store, &staff, now_ms)?))
}

fn issue(store: &mut dyn Store, staff: &StaffRow, now_ms: i64) -> Result<Tokens> {
    let pair = TokenPair::new(at(now_ms));
    let tokens = Tokens {
        access_expires_ms: millis(pair.access_expires_at),
        refresh_expires_ms: millis(pair.refresh_expires_at),
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
    })?;
    Ok(tokens)
}

/// The staff account behind a bearer access token, if the token is known, unexpired and not
/// revoked, and the account still active.
pub fn authenticate(
    store: &mut dyn Store,
    access_token: &str,
    now_ms: i64,
) -> Result<Option<StaffRow>> {
    Ok(authenticate_session(store, access_token, now_ms)?.map(|(staff, _)| staff))
}

/// [`authenticate`], also returning when the access token expires, so a caller that remembers
/// the answer for a while (the HTTP server does, for seconds) never outlives the token.
pub fn authenticate_session(
    store: &mut dyn Store,
    access_token: &str,
    now_ms: i64,
) -> Result<Option<(StaffRow, i64)>> {
    let Some(session) = store.session_by_access(&hash_token(access_token).to_hex())? else {
        return Ok(None);
    };
    if session.revoked || session.access_expires_ms <= now_ms {
        return Ok(None);
    }
    Ok(store
        .staff(&session.staff_id)?
        .filter(|s| s.active && s.locked_until_ms <= now_ms)
        .map(|s| (s, session.access_expires_ms)))
}

/// Exchanges a valid refresh token for a new pair; the old session is revoked, so a refresh
/// token works once.
pub fn refresh(store: &mut dyn Store, refresh_token: &str, now_ms: i64) -> Result<Option<Tokens>> {
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
    Ok(Some(issue(store, &staff, now_ms)?))
}

pub fn logout(store: &mut dyn Store, access_token: &str) -> Result<()> {
    store.revoke_session(&hash_token(access_token).to_hex())?;
    Ok(())
}
