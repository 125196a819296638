//! V5 care-plan JSON: a document or an array of documents. A document that reads prints back
//! to itself; a unit that reads is a fixed point of V5 → unit → V5, and when it fits in V4 the
//! V4 files read back to the same V5.
#![no_main]
use kiban_interchange::careplan::write_unit;
use kiban_interchange::careplan::{from_v5, read_unit, to_v5, v5_to_value, v5_values_to_unit};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let values = match json {
        Value::Array(values) => values,
        other => vec![other],
    };
    for value in &values {
        if let Ok(doc) = from_v5(value) {
            let printed = v5_to_value(&doc);
            assert_eq!(from_v5(&printed).as_ref(), Ok(&doc), "{printed}");
        }
    }
    let Ok(unit) = v5_values_to_unit(&values) else {
        return;
    };
    let v5 = to_v5(&unit);
    let back = v5_values_to_unit(&v5).expect("V5 written from a unit reads back");
    assert_eq!(to_v5(&back), v5, "V5 → unit → V5 is a fixed point");
    if let Ok(files) = write_unit(&unit) {
        if files.is_empty() {
            return;
        }
        let read = read_unit(&files).expect("V4 written from V5 reads back");
        assert_eq!(
            read.rejected().count(),
            0,
            "V4 written from V5 rejects nobody"
        );
        assert_eq!(to_v5(&read), v5, "V5 → V4 → V5 keeps the documents");
    }
});
