//! Card files (`kiban-card/2`: certificate + PIN-sealed key) and physician files, as
//! `CardFile::load` and `PhysicianFile::load` read them. A file that reads prints back to a
//! file that reads to the same thing. The key is not unsealed: that is PBKDF2 at the file's own
//! cost, which the holder's tool pays, never the server.
#![no_main]
use kiban_crypto::{CardFile, PhysicianFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(card) = CardFile::from_json(text) {
        let printed = card.to_json();
        let back = CardFile::from_json(&printed).expect("a card file reads back");
        assert!(back == card, "card file round trip");
        let _ = kiban_crypto::card_fingerprint(kiban_fuzz::card_root(), card.certificate_pem());
    }
    if let Ok(file) = PhysicianFile::from_json(text) {
        let printed = file.to_json();
        let back = PhysicianFile::from_json(&printed).expect("a physician file reads back");
        assert!(back == file, "physician file round trip");
        assert_eq!(back.holder().ok(), file.holder().ok());
    }
});
