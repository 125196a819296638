//! The V4 care-plan reader: one file alone, then the files of an input as one send unit
//! (`<name>\n<bytes>` parts, kiban_fuzz::FILE_SEPARATOR between them). What a unit accepts
//! writes back as canonical V4 files that read back to the same documents, are a fixed point of
//! writing, and survive V4 → V5 → V4 byte for byte.
#![no_main]
use kiban_interchange::careplan::{read_file, read_unit, to_v5, v5_values_to_unit, write_unit};
use kiban_interchange::careplan::{Document, SendUnit};
use libfuzzer_sys::fuzz_target;

fn documents(unit: &SendUnit) -> Vec<Document> {
    unit.documents().cloned().collect()
}

fuzz_target!(|data: &[u8]| {
    let files = kiban_fuzz::split_files(data);
    for (name, bytes) in &files {
        if let Ok(file) = read_file(name, bytes) {
            let mut last = 0;
            for line in &file.lines {
                assert!(line.line > last, "lines go forward");
                last = line.line;
                let has_error = line.issues.iter().any(|i| i.is_error());
                assert!(
                    line.record.is_some() != has_error,
                    "a line has a record exactly when it has no error"
                );
            }
        }
    }
    let Ok(unit) = read_unit(&files) else {
        return;
    };
    let docs = documents(&unit);
    if docs.is_empty() {
        return;
    }
    let Ok(written) = write_unit(&unit) else {
        return;
    };
    let again = read_unit(&written).expect("canonical files read back");
    assert_eq!(again.rejected().count(), 0, "canonical files reject nobody");
    assert_eq!(documents(&again), docs, "V4 → V4 keeps the documents");
    assert_eq!(
        write_unit(&again).expect("writes again"),
        written,
        "canonical V4 is a fixed point"
    );
    let values = to_v5(&unit);
    let back = v5_values_to_unit(&values).expect("V5 of an accepted unit reads back");
    assert_eq!(
        write_unit(&back).expect("writes from V5"),
        written,
        "V4 → V5 → V4 is byte-identical"
    );
});
