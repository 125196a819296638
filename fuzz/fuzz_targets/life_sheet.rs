//! The LIFE 利用者フィードバック票 (JSON, docs/interface/life.md) as `kiban_app::life::parse`
//! reads it: serde, then the domain's checks. A sheet that passes prints back to itself and
//! still passes, so a stored sheet always reads back.
#![no_main]
use kiban_domain::life::{check, LifeFeedback};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sheet) = serde_json::from_slice::<LifeFeedback>(data) else {
        return;
    };
    let problems = check(&sheet);
    for p in &problems {
        assert!(!p.path.is_empty() && !p.message_ja.is_empty() && !p.message_en.is_empty());
    }
    let json = serde_json::to_string(&sheet).expect("serialises");
    let back: LifeFeedback = serde_json::from_str(&json).expect("reads back what it wrote");
    assert_eq!(back, sheet);
    assert_eq!(check(&back), problems);
});
