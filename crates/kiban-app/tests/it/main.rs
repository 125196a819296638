//! Import, export and statistics end to end, on both storage engines.

mod bad_input;
mod history;
mod support;
