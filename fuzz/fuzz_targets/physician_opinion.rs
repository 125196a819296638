//! The signed 主治医意見書 as the API receives it: `{"body": <signed JSON text>, "signature":
//! {"cert_pem", "signature"}}`, verified under the physician root as
//! `kiban_app::certification::submit_opinion` does. A signature that verifies covers exactly the
//! body: the same signature over any other body fails.
#![no_main]
use kiban_crypto::{verify_physician_signature, PhysicianSignature, RevocationList};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Deserialize)]
struct OpinionRequest {
    body: String,
    signature: PhysicianSignature,
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<OpinionRequest>(data) else {
        return;
    };
    let root = kiban_fuzz::physician_root();
    let none = RevocationList::new();
    let now = kiban_fuzz::now();
    let verified = verify_physician_signature(
        root,
        &none,
        request.body.as_bytes(),
        &request.signature,
        now,
    );
    let Ok(signer) = verified else {
        return;
    };
    let _ = serde_json::from_str::<serde_json::Value>(&request.body).map(|v| v.is_object());
    let mut other = request.body.clone().into_bytes();
    other.push(b' ');
    assert!(
        verify_physician_signature(root, &none, &other, &request.signature, now).is_err(),
        "a signature verified for a different body"
    );
    let mut revoked = RevocationList::new();
    revoked.revoke(
        signer.serial.clone(),
        kiban_crypto::RevocationReason::KeyCompromise,
        now,
    );
    assert!(
        verify_physician_signature(
            root,
            &revoked,
            request.body.as_bytes(),
            &request.signature,
            now
        )
        .is_err(),
        "a revoked physician certificate verified"
    );
});
