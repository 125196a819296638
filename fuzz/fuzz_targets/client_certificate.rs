//! Client certificates as the TLS layer hands them over (DER), checked by `verify_client`
//! against the fixture CA; the bytes are also tried as a PEM trust root. A certificate that
//! verifies names a subject whose CN reads back to it, has the fingerprint of those bytes, and
//! is refused once its serial is revoked.
#![no_main]
use kiban_crypto::{verify_client, ClientSubject, Fingerprint, RevocationList, TrustAnchor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let root = kiban_fuzz::client_root();
    let none = RevocationList::new();
    let now = kiban_fuzz::now();
    if let Ok(anchor) = TrustAnchor::from_der(data) {
        assert_eq!(anchor.der(), data);
        let again = TrustAnchor::from_pem(&anchor.pem()).expect("its own PEM reads back");
        assert_eq!(again.der(), data);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustAnchor::from_pem(text);
    }
    let Ok(identity) = verify_client(root, data, now, &none) else {
        return;
    };
    assert_eq!(
        ClientSubject::parse_common_name(&identity.subject.common_name()).ok(),
        Some(identity.subject)
    );
    assert_eq!(identity.fingerprint, Fingerprint::of_der(data));
    assert!(identity.not_after >= now);
    let mut revoked = RevocationList::new();
    revoked.revoke(
        identity.serial.clone(),
        kiban_crypto::RevocationReason::KeyCompromise,
        now,
    );
    assert!(
        verify_client(root, data, now, &revoked).is_err(),
        "a revoked client certificate verified"
    );
});
