-- The audit log: one row per access decision, hash-chained (see kiban_domain::audit), and the
-- signed checkpoints of the chain head. Rows are only ever appended.
CREATE TABLE audit_events (
    seq {BIGINT} PRIMARY KEY,
    at_ms {BIGINT} NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    office TEXT NOT NULL,
    job TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash {BYTES} NOT NULL,
    hash {BYTES} NOT NULL
);

-- A person's access history (やりとり履歴), newest first.
CREATE INDEX audit_events_person ON audit_events (insurer, insured, seq);

CREATE TABLE audit_checkpoints (
    seq {BIGINT} PRIMARY KEY,
    hash {BYTES} NOT NULL,
    at_ms {BIGINT} NOT NULL,
    public_key {BYTES} NOT NULL,
    signature {BYTES} NOT NULL
);
