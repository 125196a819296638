//! Embedded migrations, one list per engine with matching names.

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_registry",
        sql: include_str!("../migrations/sqlite/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "0002_audit",
        sql: include_str!("../migrations/sqlite/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "0003_access",
        sql: include_str!("../migrations/sqlite/0003_access.sql"),
    },
    Migration {
        version: 4,
        name: "0004_card_search",
        sql: include_str!("../migrations/sqlite/0004_card_search.sql"),
    },
    Migration {
        version: 5,
        name: "0005_opinion_open",
        sql: include_str!("../migrations/sqlite/0005_opinion_open.sql"),
    },
    Migration {
        version: 6,
        name: "0006_certification",
        sql: include_str!("../migrations/sqlite/0006_certification.sql"),
    },
    Migration {
        version: 7,
        name: "0007_careplan",
        sql: include_str!("../migrations/sqlite/0007_careplan.sql"),
    },
    Migration {
        version: 8,
        name: "0008_client_revocation",
        sql: include_str!("../migrations/sqlite/0008_client_revocation.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_registry",
        sql: include_str!("../migrations/postgres/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "0002_audit",
        sql: include_str!("../migrations/postgres/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "0003_access",
        sql: include_str!("../migrations/postgres/0003_access.sql"),
    },
    Migration {
        version: 4,
        name: "0004_card_search",
        sql: include_str!("../migrations/postgres/0004_card_search.sql"),
    },
    Migration {
        version: 5,
        name: "0005_opinion_open",
        sql: include_str!("../migrations/postgres/0005_opinion_open.sql"),
    },
    Migration {
        version: 6,
        name: "0006_certification",
        sql: include_str!("../migrations/postgres/0006_certification.sql"),
    },
    Migration {
        version: 7,
        name: "0007_careplan",
        sql: include_str!("../migrations/postgres/0007_careplan.sql"),
    },
    Migration {
        version: 8,
        name: "0008_client_revocation",
        sql: include_str!("../migrations/postgres/0008_client_revocation.sql"),
    },
];

/// The bookkeeping table, identical in both engines.
pub const SCHEMA_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";
