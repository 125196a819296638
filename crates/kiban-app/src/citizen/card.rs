//! Card login: the card signs a one-time challenge; chain, validity, revocation, signature and
//! replay are checked, then the municipality's link turns the certificate into a person.
//!
//! A failed login is itself something the person should see: when the presented certificate
//! chains to the card root and is linked to a person, the failure is appended to the audit log
//! for that person (actor citizen, deny, a `CardLoginReason` code). When no person can be
//! identified (a certificate that does not parse, from another root, or not linked) there is no
//! one to attribute it to: the attempt is counted ([`unattributed_failures`]) and printed to
//! stderr with its code only, never with the certificate or its fingerprint.
//!
//! Challenges live in the database ([`issue_challenge`], [`take_challenge`]), so that a card
//! may answer at any of the servers of one database, and still once: one statement marks a
//! challenge used. The work is split so that the HTTP layer holds its revocation lock only for
//! the cryptographic checks ([`check_card`]) and does the storage work, an audit append
//! included, after releasing it ([`finish_card_login`]).

use crate::Connection;
use crate::Result;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    card_fingerprint, verify_card_login, CardError, CardSignature, CertError, Challenge,
    ChallengeError, Fingerprint, RevocationList, TrustAnchor,
};
use kiban_domain::access::{Action, Actor, CardLoginReason, Category, PersonRef};
use kiban_domain::audit::{AuditEntry, Decision};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a card login failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardLoginRefusal {
    /// The API's stable code: `CHALLENGE_REJECTED`, `CARD_REJECTED` or `CARD_NOT_LINKED`.
    pub code: &'static str,
    /// The failed check, as recorded in the audit log.
    pub reason: CardLoginReason,
    pub message: String,
    /// Whether the failure was appended to the audit log of the person the card is linked to.
    pub audited: bool,
}

/// The outcome of the checks that need the challenge store, before any storage is touched.
/// Deliberately not `Debug`: it holds the presented card's fingerprint.
pub struct CardCheck {
    verified: std::result::Result<Fingerprint, (CardLoginReason, String)>,
    /// The presented card whenever its certificate chains to the root, even if the login
    /// failed, so the failure can be attributed.
    card: Option<Fingerprint>,
}

/// How long a challenge may be answered: enough to read a card and type a PIN.
pub const CHALLENGE_TTL_MS: i64 = 2 * 60 * 1000;
/// Outstanding challenges beyond which no more are issued (someone asking in a loop without
/// answering); the API answers 503.
pub const CHALLENGE_CAPACITY: u64 = 100_000;

/// Issues a one-time challenge for a card, stored for every server of the database. `Ok(None)`
/// when [`CHALLENGE_CAPACITY`] challenges are outstanding (the new one is withdrawn).
pub fn issue_challenge(conn: &mut Connection, now: OffsetDateTime) -> Result<Option<Challenge>> {
    let challenge =
        Challenge::random(now + kiban_crypto::time::Duration::milliseconds(CHALLENGE_TTL_MS));
    let now_ms = crate::millis(now);
    let row = kiban_store::ChallengeRow {
        id: challenge.id.clone(),
        nonce: challenge.nonce.clone(),
        expires_ms: crate::millis(challenge.expires_at),
    };
    let store = conn.store();
    // Used ones are kept until they expire, so a replay is told apart from an unknown id.
    let outstanding =
        crate::in_transaction(store, |s| Ok(s.insert_challenge(&row, now_ms, now_ms)?))?;
    if outstanding > CHALLENGE_CAPACITY {
        store.take_challenge(&row.id)?;
        return Ok(None);
    }
    Ok(Some(challenge))
}

/// Takes the challenge `id` for checking an answer: it can be taken once, at any server.
pub fn take_challenge(
    conn: &mut Connection,
    id: &str,
    now: OffsetDateTime,
) -> Result<std::result::Result<Challenge, ChallengeError>> {
    Ok(match conn.store().take_challenge(id)? {
        kiban_store::Taken::Fresh(row) => {
            let expires_at =
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expires_ms) * 1_000_000)
                    .map_err(|_| {
                    kiban_store::StoreError::Corrupt("card_challenges expires_ms".into())
                })?;
            if now > expires_at {
                Err(ChallengeError::Expired)
            } else {
                Ok(Challenge {
                    id: row.id,
                    nonce: row.nonce,
                    expires_at,
                })
            }
        }
        kiban_store::Taken::Used => Err(ChallengeError::Replayed),
        kiban_store::Taken::Unknown => Err(ChallengeError::Unknown),
    })
}

/// Verifies the card's answer to a challenge already taken ([`take_challenge`], so a replayed
/// signature fails even if it is valid). No storage: the caller may hold its revocation lock.
pub fn check_card(
    trust_root: &TrustAnchor,
    revocations: &RevocationList,
    challenge: std::result::Result<Challenge, ChallengeError>,
    signature: &CardSignature,
    now: OffsetDateTime,
) -> CardCheck {
    let verified = match challenge {
        Err(e) => Err((challenge_reason(&e), e.to_string())),
        Ok(challenge) => verify_card_login(trust_root, revocations, &challenge, signature, now)
            .map(|identity| identity.fingerprint)
            .map_err(|e| (card_reason(&e), e.to_string())),
    };
    let card = match &verified {
        Ok(fingerprint) => Some(*fingerprint),
        Err(_) => card_fingerprint(trust_root, &signature.cert_pem),
    };
    CardCheck { verified, card }
}

/// Finds the linked person; audits (or, without a person, counts) a failure.
pub fn finish_card_login(
    conn: &mut Connection,
    check: CardCheck,
    now: OffsetDateTime,
) -> Result<std::result::Result<PersonRef, CardLoginRefusal>> {
    let store = conn.store();
    let linked = match check.card {
        Some(fingerprint) => store.card_link(&fingerprint.to_string())?,
        None => None,
    };
    let person = linked.as_ref().map(|link| PersonRef {
        insurer: link.insurer,
        insured: link.insured,
    });
    let (reason, message) = match (check.verified, person) {
        (Ok(_), Some(person)) => return Ok(Ok(person)),
        (Ok(_), None) => (
            CardLoginReason::CardNotLinked,
            CardLoginReason::CardNotLinked.message(),
        ),
        (Err(failure), _) => failure,
    };
    let audited = match person {
        Some(person) => {
            let at_ms = crate::millis(now);
            crate::group_commit::append(store, vec![failure_entry(person, reason, at_ms)])?;
            true
        }
        None => {
            let n = UNATTRIBUTED.fetch_add(1, Ordering::Relaxed) + 1;
            eprintln!(
                "kiban: カードログインを拒否しました（{code}、本人を特定できません、累計 {n} 件） / card login refused: {code}, no person to attribute it to ({n} so far)",
                code = reason.code()
            );
            false
        }
    };
    Ok(Err(CardLoginRefusal {
        code: api_code(reason),
        reason,
        message,
        audited,
    }))
}

/// [`check_card`] then [`finish_card_login`], for callers without a lock to release between.
pub fn card_login(
    conn: &mut Connection,
    trust_root: &TrustAnchor,
    revocations: &RevocationList,
    challenge_id: &str,
    signature: &CardSignature,
    now: OffsetDateTime,
) -> Result<std::result::Result<PersonRef, CardLoginRefusal>> {
    let challenge = take_challenge(conn, challenge_id, now)?;
    let check = check_card(trust_root, revocations, challenge, signature, now);
    finish_card_login(conn, check, now)
}

static UNATTRIBUTED: AtomicU64 = AtomicU64::new(0);

/// Failed card logins in this process that named no linked person (and so have no audit
/// event): a foreign, unparseable or unlinked certificate.
pub fn unattributed_failures() -> u64 {
    UNATTRIBUTED.load(Ordering::Relaxed)
}

/// The person's view of the attempt: as if they had asked to read their own data and been
/// refused, with the failed check as the reason.
fn failure_entry(person: PersonRef, reason: CardLoginReason, at_ms: i64) -> AuditEntry {
    AuditEntry {
        at_ms,
        actor_kind: Actor::Citizen { person }.kind_code().to_string(),
        // The account name every citizen event carries (the HTTP layer's citizen caller).
        actor_id: "citizen".to_string(),
        office: String::new(),
        job: String::new(),
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        category: Category::Qualification.code().to_string(),
        action: Action::Read.code().to_string(),
        purpose: "self".to_string(),
        decision: Decision::Deny,
        reason: reason.code().to_string(),
    }
}

fn challenge_reason(e: &ChallengeError) -> CardLoginReason {
    match e {
        ChallengeError::Replayed => CardLoginReason::ChallengeReplayed,
        ChallengeError::Expired => CardLoginReason::ChallengeExpired,
        ChallengeError::Unknown | ChallengeError::Capacity => CardLoginReason::ChallengeUnknown,
    }
}

fn card_reason(e: &CardError) -> CardLoginReason {
    match e {
        CardError::ChallengeExpired => CardLoginReason::ChallengeExpired,
        CardError::BadSignature => CardLoginReason::BadSignature,
        CardError::Certificate(CertError::Malformed(_)) => CardLoginReason::CardMalformed,
        CardError::Certificate(CertError::Foreign) => CardLoginReason::CardForeign,
        CardError::Certificate(CertError::NotYetValid) => CardLoginReason::CardNotYetValid,
        CardError::Certificate(CertError::Expired) => CardLoginReason::CardExpired,
        CardError::Certificate(CertError::Revoked { .. }) => CardLoginReason::CardRevoked,
        _ => CardLoginReason::CardUnsupported,
    }
}

/// The API keeps its three coarse codes; the audit log carries the finer reason.
fn api_code(reason: CardLoginReason) -> &'static str {
    match reason {
        CardLoginReason::ChallengeUnknown
        | CardLoginReason::ChallengeExpired
        | CardLoginReason::ChallengeReplayed => "CHALLENGE_REJECTED",
        CardLoginReason::CardNotLinked => "CARD_NOT_LINKED",
        _ => "CARD_REJECTED",
    }
}
