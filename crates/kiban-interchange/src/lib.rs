//! The municipal interface (保険者 → platform): kiban's documented equivalent of the
//! 介護情報基盤 インタフェース仕様書 2.0 record files, plus the synthetic municipality generator.
//!
//! Parsing is pure and streaming: a [`reader::FileReader`] yields one row at a time with every
//! problem of that row as [`issue::Issue`]s; only failures of the file as a whole stop reading.
//! Loading into storage is the application layer's job (`kiban-app`).

pub mod careplan;
pub mod check;
pub mod encoding;
pub mod file_name;
pub mod generate;
pub mod issue;
pub mod layout;
pub mod reader;
pub mod writer;
