//! Revocation lists as servers load them: DER (`RevocationList::from_crl_der`) and PEM
//! (`from_crl_pem`), accepted only when the fixture CA signed them. A list that reads holds
//! each serial it lists once, and its PEM and DER forms read the same.
#![no_main]
use kiban_crypto::RevocationList;
use libfuzzer_sys::fuzz_target;

fn consistent(list: &RevocationList) {
    assert_eq!(list.iter().count(), list.len());
    for (serial, revocation) in list.iter() {
        assert_eq!(list.get(serial), Some(revocation));
    }
}

fuzz_target!(|data: &[u8]| {
    let root = kiban_fuzz::client_root();
    if let Ok(list) = RevocationList::from_crl_der(data, root) {
        consistent(&list);
        let pem = format!(
            "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
            base64_lines(data)
        );
        let again = RevocationList::from_crl_pem(&pem, root).expect("its PEM reads back");
        assert!(again == list, "PEM and DER read differently");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(list) = RevocationList::from_crl_pem(text, root) {
            consistent(&list);
        }
    }
});

/// Standard base64 in 64-character lines, as PEM writes it.
fn base64_lines(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\n")
}
