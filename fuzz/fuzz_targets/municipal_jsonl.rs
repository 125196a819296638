//! The municipal JSON Lines reader: no panic, rows in line order, and the versions it accepts
//! survive export → import unchanged.
#![no_main]
use kiban_interchange::file_name::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kiban_fuzz::municipal_round_trip(data, Format::JsonLines));
