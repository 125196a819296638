//! The file-name parsers: the V4 care-plan names and the municipal interface names. A name
//! that parses prints back to a name that parses to the same thing.
#![no_main]
use kiban_domain::ids::CheckDigitPolicy;
use kiban_interchange::careplan::parse_file_name;
use kiban_interchange::file_name::FileName;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse_file_name(name) {
        let printed = parsed.to_string();
        assert_eq!(parse_file_name(&printed).as_ref(), Ok(&parsed), "{printed}");
    }
    for policy in [CheckDigitPolicy::Enforce, CheckDigitPolicy::Warn] {
        if let Ok(parsed) = FileName::parse(name, policy) {
            let printed = parsed.to_string();
            assert_eq!(
                FileName::parse(&printed, policy).as_ref(),
                Ok(&parsed),
                "{printed}"
            );
        }
    }
});
