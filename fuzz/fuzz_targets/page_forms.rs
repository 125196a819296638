//! The form bodies (and query strings) of the web pages, decoded as axum's `Form` and `Query`
//! decode them into every form type, then through each page's own checks that need no state
//! (`kiban_http::fuzzing::page_forms` holds the invariants: a redirect target is a valid header
//! value on this site, a card answer reads back through the API's JSON, the survey form agrees
//! with the domain's validation).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kiban_http::fuzzing::page_forms(data));
