//! Import, export and statistics end to end, on both storage engines.

mod audit;
mod auth;
mod bad_input;
mod bad_lines;
mod card_login;
mod careplan;
mod careplan_municipal;
mod certification;
mod citizen;
mod confirm;
mod export;
mod history;
mod opinion;
mod qualification;
mod serving;
mod support;
