//! The citizens' sessions after a card login, in the database so that every server of one
//! database knows them (a browser's next connection may reach another server). Only the
//! SHA-256 of a token is stored; the token is the person's alone.

use crate::{Connection, Result};
use kiban_domain::access::PersonRef;

/// A citizen's session lasts as long as a staff access token: an hour.
pub const SESSION_MS: i64 = 60 * 60 * 1000;

/// Who a citizen token stands for, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitizenSession {
    pub person: PersonRef,
    pub expires_ms: i64,
}

/// Opens a session for `person`: its token (shown once) and when it expires.
pub fn start_session(
    conn: &mut Connection,
    person: PersonRef,
    now_ms: i64,
) -> Result<(String, i64)> {
    let token = kiban_crypto::BearerToken::random();
    let expires_ms = now_ms + SESSION_MS;
    let row = kiban_store::CitizenSessionRow {
        token_hash: token.hash().to_hex(),
        insurer: person.insurer,
        insured: person.insured,
        expires_ms,
    };
    crate::in_transaction(
        conn.store(),
        |s| Ok(s.insert_citizen_session(&row, now_ms)?),
    )?;
    Ok((token.expose().to_string(), expires_ms))
}

/// The session of `token`, if it is open at `now_ms`.
pub fn session(conn: &mut Connection, token: &str, now_ms: i64) -> Result<Option<CitizenSession>> {
    let hash = kiban_crypto::hash_token(token).to_hex();
    Ok(conn
        .store()
        .citizen_session(&hash, now_ms)?
        .map(|row| CitizenSession {
            person: PersonRef {
                insurer: row.insurer,
                insured: row.insured,
            },
            expires_ms: row.expires_ms,
        }))
}

/// Ends the session of `token` at every server.
pub fn end_session(conn: &mut Connection, token: &str) -> Result<()> {
    let hash = kiban_crypto::hash_token(token).to_hex();
    Ok(conn.store().end_citizen_session(&hash)?)
}
