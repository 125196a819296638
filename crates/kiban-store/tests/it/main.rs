//! The storage conformance suite: every test runs against SQLite and against the real
//! PostgreSQL server, proving the two engines behave the same.

mod access;
mod audit;
mod card_search;
mod careplan;
mod certification;
mod conformance;
