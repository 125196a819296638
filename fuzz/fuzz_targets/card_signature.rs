//! A card login as `POST /api/v1/citizen/login` receives it (`{"challenge_id", "signature":
//! {"cert_pem", "signature"}}`), verified against the fixture card root and challenge. A login
//! that verifies is bound to that challenge and that certificate: another challenge fails, a
//! revoked serial fails, and the fingerprint names the presented certificate.
#![no_main]
use kiban_crypto::{card_fingerprint, verify_card_login, CardSignature, RevocationList};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Deserialize)]
struct CardLoginRequest {
    #[allow(dead_code)]
    challenge_id: String,
    signature: CardSignature,
}

fuzz_target!(|data: &[u8]| {
    let signature = match serde_json::from_slice::<CardLoginRequest>(data) {
        Ok(request) => request.signature,
        // The pages post the reader app's output: the signature object alone.
        Err(_) => match serde_json::from_slice::<CardSignature>(data) {
            Ok(signature) => signature,
            Err(_) => return,
        },
    };
    let root = kiban_fuzz::card_root();
    let challenge = kiban_fuzz::challenge();
    let none = RevocationList::new();
    let now = kiban_fuzz::now();
    let fingerprint = card_fingerprint(root, &signature.cert_pem);
    let Ok(identity) = verify_card_login(root, &none, &challenge, &signature, now) else {
        return;
    };
    assert_eq!(fingerprint.as_ref(), Some(&identity.fingerprint));
    let mut other = challenge.clone();
    other.nonce[0] ^= 1;
    assert!(
        verify_card_login(root, &none, &other, &signature, now).is_err(),
        "a signature verified for another challenge"
    );
    let mut revoked = RevocationList::new();
    revoked.revoke(
        identity.serial.clone(),
        kiban_crypto::RevocationReason::KeyCompromise,
        now,
    );
    assert!(
        verify_card_login(root, &revoked, &challenge, &signature, now).is_err(),
        "a revoked card logged in"
    );
    let expired = challenge.expires_at + kiban_crypto::time::Duration::seconds(1);
    assert!(verify_card_login(root, &none, &challenge, &signature, expired).is_err());
});
