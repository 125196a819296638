use kiban_crypto::time::Duration;
use kiban_crypto::{
    card_fingerprint, verify_card_login, CardAuthority, CardError, CardFile, CertError, Challenge,
    ChallengeError, Challenges, IssuedCard, Pin, RevocationList, RevocationReason, Validity,
    PIN_RETRY_LIMIT,
};
use kiban_domain::ids::InsuredNumber;

use crate::now;

const INSURED: &str = "0000012345";

fn authority() -> CardAuthority {
    CardAuthority::init_development("kiban development card root", now())
        .unwrap()
        .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS)
}

fn pin() -> Pin {
    Pin::parse("1234").unwrap()
}

fn issue(authority: &CardAuthority, validity: Validity) -> IssuedCard {
    authority
        .issue_card(InsuredNumber::parse(INSURED).unwrap(), &pin(), validity)
        .unwrap()
}

fn card(authority: &CardAuthority) -> IssuedCard {
    issue(authority, Validity::days_from(now(), 5 * 365))
}

/// The server's side of a login up to the point of verification.
fn challenge() -> (Challenges, Challenge) {
    let mut store = Challenges::default();
    let issued = store.issue(now()).unwrap();
    (store, issued)
}

#[test]
fn card_login_yields_the_certificate_identity_linked_at_issue() {
    let authority = authority();
    let issued = card(&authority);
    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();

    let taken = store.consume(&sent.id, now()).unwrap();
    let id = verify_card_login(
        authority.trust_root(),
        &RevocationList::new(),
        &taken,
        &signature,
        now(),
    )
    .unwrap();
    assert_eq!(id.serial, issued.link.serial);
    assert_eq!(id.fingerprint, issued.link.fingerprint);
    assert_eq!(issued.link.insured_number.to_string(), INSURED);
}

#[test]
fn the_certificate_and_card_file_carry_no_personal_number() {
    let issued = card(&authority());
    assert!(!issued.card.to_json().contains(INSURED));
    let body: String = issued
        .card
        .certificate_pem()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = data_encoding::BASE64.decode(body.as_bytes()).unwrap();
    assert!(!der.windows(INSURED.len()).any(|w| w == INSURED.as_bytes()));
}

#[test]
fn card_from_a_foreign_root_is_refused() {
    let ours = authority();
    let theirs = authority();
    let issued = card(&theirs);
    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(matches!(
        verify_card_login(
            ours.trust_root(),
            &RevocationList::new(),
            &taken,
            &signature,
            now()
        ),
        Err(CardError::Certificate(CertError::Foreign))
    ));
}

#[test]
fn revoked_card_is_refused() {
    let authority = authority();
    let issued = card(&authority);
    let mut list = RevocationList::new();
    list.revoke(
        issued.link.serial.clone(),
        RevocationReason::KeyCompromise,
        now(),
    );
    let crl = authority.sign_crl(&list, now()).unwrap();
    let loaded = RevocationList::from_crl_der(&crl.der, authority.trust_root()).unwrap();

    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(matches!(
        verify_card_login(authority.trust_root(), &loaded, &taken, &signature, now()),
        Err(CardError::Certificate(CertError::Revoked { .. }))
    ));
}

#[test]
fn expired_card_is_refused() {
    let authority = authority();
    let issued = issue(
        &authority,
        Validity {
            not_before: now() - Duration::days(10),
            not_after: now() - Duration::days(1),
        },
    );
    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(matches!(
        verify_card_login(
            authority.trust_root(),
            &RevocationList::new(),
            &taken,
            &signature,
            now()
        ),
        Err(CardError::Certificate(CertError::Expired))
    ));
}

#[test]
fn tampered_or_misdirected_signatures_are_refused() {
    let authority = authority();
    let issued = card(&authority);
    let other = card(&authority);
    let none = RevocationList::new();
    let mut store = Challenges::default();
    let sent = store.issue(now()).unwrap();
    let elsewhere = store.issue(now()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    let root = authority.trust_root();

    let good = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let mut bent = good.clone();
    let mid = bent.signature.len() / 2;
    bent.signature[mid] ^= 1;
    assert!(matches!(
        verify_card_login(root, &none, &taken, &bent, now()),
        Err(CardError::BadSignature)
    ));

    // Signed over a different challenge.
    let wrong = issued
        .card
        .sign_challenge(&pin(), &elsewhere.message())
        .unwrap();
    assert!(matches!(
        verify_card_login(root, &none, &taken, &wrong, now()),
        Err(CardError::BadSignature)
    ));

    // Someone else's certificate put in front of this card's signature.
    let swapped = kiban_crypto::CardSignature {
        cert_pem: other.card.certificate_pem().to_owned(),
        ..good.clone()
    };
    assert!(matches!(
        verify_card_login(root, &none, &taken, &swapped, now()),
        Err(CardError::BadSignature)
    ));

    assert!(verify_card_login(root, &none, &taken, &good, now()).is_ok());
}

#[test]
fn a_challenge_cannot_be_replayed_or_used_late() {
    let authority = authority();
    let issued = card(&authority);
    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(verify_card_login(
        authority.trust_root(),
        &RevocationList::new(),
        &taken,
        &signature,
        now()
    )
    .is_ok());
    // The same signed answer sent again.
    assert_eq!(
        store.consume(&sent.id, now()),
        Err(ChallengeError::Replayed)
    );

    let late = store.issue(now()).unwrap();
    let after = now() + Challenges::DEFAULT_TTL + Duration::seconds(1);
    assert_eq!(store.consume(&late.id, after), Err(ChallengeError::Expired));
    // Verification refuses an expired challenge on its own too.
    let signature = issued.card.sign_challenge(&pin(), &late.message()).unwrap();
    assert!(matches!(
        verify_card_login(
            authority.trust_root(),
            &RevocationList::new(),
            &late,
            &signature,
            after
        ),
        Err(CardError::ChallengeExpired)
    ));
}

#[test]
fn wrong_or_malformed_pin_cannot_sign() {
    let issued = card(&authority());
    assert!(matches!(
        issued
            .card
            .sign_challenge(&Pin::parse("9999").unwrap(), b"m"),
        Err(CardError::WrongPin)
    ));
    for bad in ["123", "12345", "abcd", "１２３４", ""] {
        assert!(
            matches!(Pin::parse(bad), Err(CardError::PinFormat)),
            "{bad:?}"
        );
    }
    assert_eq!(format!("{:?}", pin()), "Pin([redacted])");
}

#[test]
fn card_file_round_trips_and_its_key_is_bound_to_its_certificate() {
    let authority = authority();
    let issued = card(&authority);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.json");
    issued.card.save(&path).unwrap();
    let loaded = CardFile::load(&path).unwrap();
    assert_eq!(loaded, issued.card);
    assert!(loaded.sign_challenge(&pin(), b"m").is_ok());
    assert!(!format!("{loaded:?}").contains("ciphertext"));

    // Moving a sealed key into another card's file (same PIN) does not make it usable.
    let other = card(&authority);
    let mut json: serde_json::Value = serde_json::from_str(&other.card.to_json()).unwrap();
    let ours: serde_json::Value = serde_json::from_str(&issued.card.to_json()).unwrap();
    json["key"] = ours["key"].clone();
    let franken = CardFile::from_json(&json.to_string()).unwrap();
    assert!(matches!(
        franken.sign_challenge(&pin(), b"m"),
        Err(CardError::WrongPin)
    ));

    assert!(matches!(
        CardFile::from_json("{}"),
        Err(CardError::CardFile(_))
    ));
    let mut json = ours.clone();
    json["format"] = "kiban-card/99".into();
    assert!(matches!(
        CardFile::from_json(&json.to_string()),
        Err(CardError::CardFile(_))
    ));
}

#[test]
fn card_authority_survives_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let original = authority();
    original.save(dir.path()).unwrap();
    let loaded = CardAuthority::load(dir.path())
        .unwrap()
        .with_kdf(kiban_crypto::CardKdf::INSECURE_FAST_FOR_TESTS);
    assert_eq!(loaded.trust_root(), original.trust_root());
    let issued = card(&loaded);
    let (mut store, sent) = challenge();
    let signature = issued.card.sign_challenge(&pin(), &sent.message()).unwrap();
    let taken = store.consume(&sent.id, now()).unwrap();
    assert!(verify_card_login(
        original.trust_root(),
        &RevocationList::new(),
        &taken,
        &signature,
        now()
    )
    .is_ok());
}

/// A failed login is attributed by the certificate's fingerprint: any certificate the root
/// signed, expired or not, but never one from another root or one that does not parse.
#[test]
fn the_fingerprint_of_a_failed_login_is_known_only_for_our_own_cards() {
    let authority = authority();
    let root = authority.trust_root();
    let past = Validity {
        not_before: now() - Duration::days(30),
        not_after: now() - Duration::days(1),
    };
    for issued in [card(&authority), issue(&authority, past)] {
        assert_eq!(
            card_fingerprint(root, issued.card.certificate_pem()),
            Some(issued.link.fingerprint)
        );
    }
    let foreign = card(&CardAuthority::init_development("other root", now()).unwrap());
    assert_eq!(card_fingerprint(root, foreign.card.certificate_pem()), None);
    assert_eq!(card_fingerprint(root, "not a certificate"), None);
}

/// The finding: the stand-in had no PIN retry counter. Three wrong PINs in a row lock the card
/// file; the fourth attempt, with the right PIN, is refused as CARD_LOCKED; the count is kept in
/// the file across loads; a right PIN before the limit resets it.
#[test]
fn three_wrong_pins_lock_the_card_file_and_the_count_survives_reloading() {
    let issued = card(&authority());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.json");
    issued.card.save(&path).unwrap();
    let wrong = Pin::parse("9999").unwrap();

    // Two wrong, then the right PIN: signs, and the count starts again.
    for left in [2, 1] {
        let e = CardFile::sign_file(&path, &wrong, b"m").unwrap_err();
        assert!(
            matches!(e, CardError::WrongPinTriesLeft(n) if n == left),
            "{e}"
        );
        assert_eq!(CardFile::load(&path).unwrap().pin_tries_left(), left);
    }
    assert!(CardFile::sign_file(&path, &pin(), b"m").is_ok());
    assert_eq!(
        CardFile::load(&path).unwrap().pin_tries_left(),
        PIN_RETRY_LIMIT
    );

    // Three wrong in a row lock it, in the file.
    for _ in 0..2 {
        assert!(matches!(
            CardFile::sign_file(&path, &wrong, b"m"),
            Err(CardError::WrongPinTriesLeft(_))
        ));
    }
    assert!(matches!(
        CardFile::sign_file(&path, &wrong, b"m"),
        Err(CardError::Locked)
    ));
    let reloaded = CardFile::load(&path).unwrap();
    assert!(reloaded.is_locked());
    assert_eq!(reloaded.pin_tries_left(), 0);
    let e = CardFile::sign_file(&path, &pin(), b"m").unwrap_err();
    assert!(matches!(e, CardError::Locked));
    assert!(e.to_string().contains("CARD_LOCKED"), "{e}");
    assert!(matches!(
        reloaded.sign_challenge(&pin(), b"m"),
        Err(CardError::Locked)
    ));
    assert!(CardFile::load(&path).unwrap().is_locked(), "still locked");

    // A file from before the counter reads as unlocked with every try left.
    let mut old: serde_json::Value = serde_json::from_str(&issued.card.to_json()).unwrap();
    old.as_object_mut().unwrap().remove("pin_failures");
    let old = CardFile::from_json(&old.to_string()).unwrap();
    assert_eq!(old.pin_tries_left(), PIN_RETRY_LIMIT);
}
