//! The card file as a browser sees it: `card.js` unseals it with WebCrypto alone (PBKDF2,
//! AES-GCM, PKCS#8 import, ECDSA with raw `r‖s` output). This replays those exact steps with
//! independent primitives, so a change to the format that the script cannot follow fails here.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use data_encoding::BASE64URL_NOPAD;
use kiban_crypto::{
    verify_card_login, CardAuthority, CardError, CardKdf, CardSignature, Challenges, Pin,
    RevocationList, Validity,
};
use kiban_domain::ids::InsuredNumber;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};

use crate::now;

fn b64(v: &serde_json::Value) -> Vec<u8> {
    BASE64URL_NOPAD
        .decode(v.as_str().unwrap().as_bytes())
        .unwrap()
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    data_encoding::BASE64.decode(body.as_bytes()).unwrap()
}

#[test]
fn a_browser_can_unseal_the_card_and_its_raw_signature_logs_in() {
    let authority = CardAuthority::init_development("root", now())
        .unwrap()
        .with_kdf(CardKdf::INSECURE_FAST_FOR_TESTS);
    let issued = authority
        .issue_card(
            InsuredNumber::parse("0000012345").unwrap(),
            &Pin::parse("1234").unwrap(),
            Validity::days_from(now(), 365),
        )
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&issued.card.to_json()).unwrap();
    // Self-describing: a reader picks its algorithms from the file, not from a version guess.
    assert_eq!(json["format"], "kiban-card/2");
    assert_eq!(json["key"]["kdf"], "pbkdf2-hmac-sha256");
    assert_eq!(json["key"]["cipher"], "aes-256-gcm");
    assert_eq!(json["key"]["iterations"], 1_000);

    // What card.js does.
    let iterations = json["key"]["iterations"].as_u64().unwrap() as u32;
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(b"1234", &b64(&json["key"]["salt"]), iterations, &mut key);
    let cert_pem = json["certificate"].as_str().unwrap();
    let aad = Sha256::digest(pem_der(cert_pem));
    let pkcs8 = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))
        .decrypt(
            Nonce::from_slice(&b64(&json["key"]["nonce"])),
            Payload {
                msg: &b64(&json["key"]["ciphertext"]),
                aad: &aad,
            },
        )
        .unwrap();
    let signing = SigningKey::from_pkcs8_der(&pkcs8).unwrap();

    let mut challenges = Challenges::default();
    let sent = challenges.issue(now()).unwrap();
    let raw: Signature = signing.sign(&sent.message());
    let presented = CardSignature {
        cert_pem: cert_pem.to_owned(),
        signature: raw.to_bytes().to_vec(),
    };
    assert_eq!(presented.signature.len(), 64);
    let taken = challenges.consume(&sent.id, now()).unwrap();
    let root = authority.trust_root();
    let id = verify_card_login(root, &RevocationList::new(), &taken, &presented, now()).unwrap();
    assert_eq!(id.fingerprint, issued.link.fingerprint);

    // A raw signature over something else is still refused.
    let other: Signature = signing.sign(b"something else");
    let wrong = CardSignature {
        signature: other.to_bytes().to_vec(),
        ..presented
    };
    let sent = challenges.issue(now()).unwrap();
    let taken = challenges.consume(&sent.id, now()).unwrap();
    assert!(matches!(
        verify_card_login(root, &RevocationList::new(), &taken, &wrong, now()),
        Err(CardError::BadSignature)
    ));
}

#[test]
fn a_card_file_with_a_weakened_iteration_count_is_refused() {
    let authority = CardAuthority::init_development("root", now())
        .unwrap()
        .with_kdf(CardKdf::INSECURE_FAST_FOR_TESTS);
    let issued = authority
        .issue_card(
            InsuredNumber::parse("0000012345").unwrap(),
            &Pin::parse("1234").unwrap(),
            Validity::days_from(now(), 365),
        )
        .unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&issued.card.to_json()).unwrap();
    json["key"]["iterations"] = 1.into();
    assert!(matches!(
        kiban_crypto::CardFile::from_json(&json.to_string()),
        Err(CardError::CardFile(_))
    ));
    assert_eq!(CardKdf::default().iterations, 600_000);
}
