//! Import, export and statistics end to end, on both storage engines.

mod audit;
mod auth;
mod bad_input;
mod citizen;
mod confirm;
mod history;
mod qualification;
mod serving;
mod support;
