-- Several servers on one database serve as one: what one server kept in its memory now lives
-- here, so a request may reach any of them. Citizens' sessions (token hashes, never tokens),
-- the card challenges (each used once, whichever server the answer reaches), and the secrets
-- every server must share (the key of the pages' form tokens).
CREATE TABLE citizen_sessions (
    token_hash TEXT PRIMARY KEY,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    expires_ms {BIGINT} NOT NULL
);
CREATE INDEX citizen_sessions_expiry ON citizen_sessions (expires_ms);

CREATE TABLE card_challenges (
    id TEXT PRIMARY KEY,
    nonce {BYTES} NOT NULL,
    expires_ms {BIGINT} NOT NULL,
    used {BIGINT} NOT NULL CHECK (used IN (0, 1))
);
CREATE INDEX card_challenges_expiry ON card_challenges (expires_ms);

CREATE TABLE platform_secrets (
    name TEXT PRIMARY KEY,
    secret {BYTES} NOT NULL,
    created_at_ms {BIGINT} NOT NULL
);
