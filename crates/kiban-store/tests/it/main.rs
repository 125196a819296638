//! The storage conformance suite: every test runs against SQLite and against the real
//! PostgreSQL server, proving the two engines behave the same.

mod access;
mod access_bulk;
mod audit;
mod card_search;
mod careplan;
mod careplan_aggregates;
mod careplan_bulk;
mod careplan_fixtures;
mod certification;
mod conformance;
mod corrupt;
mod migrations;
mod notifications;
mod schema;
mod tls;
mod wal;
