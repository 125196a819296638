-- The insured-person registry: append-only certificate versions, withdrawals and import log.
-- Dates are stored as YYYYMMDD text in both engines so that ordering and export are identical.
-- The body is the record's JSON; searches added later index expressions over it rather than
-- copying fields into columns.
-- import_id names the imports row written in the same transaction; it is not a foreign key
-- because a per-row constraint check would cost a third of a bulk load's time on PostgreSQL.
CREATE TABLE imports (
    id {SERIAL_KEY},
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- committed: the file's rows are in; rejected: nothing of it was committed.
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    insurer TEXT NOT NULL,
    mode TEXT NOT NULL,
    encoding TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    rows_total {BIGINT} NOT NULL,
    rows_inserted {BIGINT} NOT NULL,
    rows_unchanged {BIGINT} NOT NULL,
    rows_withdrawn {BIGINT} NOT NULL,
    rows_rejected {BIGINT} NOT NULL,
    report TEXT NOT NULL
);

CREATE TABLE record_versions (
    kind TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    history INTEGER NOT NULL,
    operation TEXT NOT NULL,
    applies_from TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    import_id {BIGINT} NOT NULL,
    PRIMARY KEY (kind, insurer, insured, history)
){SQLITE: WITHOUT ROWID};

CREATE TABLE withdrawals (
    kind TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    history INTEGER NOT NULL,
    import_id {BIGINT} NOT NULL,
    PRIMARY KEY (kind, insurer, insured, history)
){SQLITE: WITHOUT ROWID};

-- Re-importing a committed file is a no-op; a rejected file may be sent again.
CREATE UNIQUE INDEX imports_committed_sha256 ON imports (sha256) WHERE status = 'committed';
