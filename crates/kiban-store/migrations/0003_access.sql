-- The access backbone: who exists (offices, staff, card links), who serves whom, which
-- consents were given, and which 主治医意見書作成依頼 are open. Codes are the access policy's
-- stable codes (kiban_domain::access). Consents and relationships are never deleted: ending or
-- revoking sets a timestamp, so the history of every permission stays readable.
CREATE TABLE offices (
    office_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- office kind code of the access matrix (home_care_support, medical_institution, …)
    office_kind TEXT NOT NULL,
    -- designated サービス種類コード, ';'-separated
    service_kinds TEXT NOT NULL,
    active {BIGINT} NOT NULL CHECK (active IN (0, 1)),
    created_at_ms {BIGINT} NOT NULL
);

CREATE TABLE staff_accounts (
    staff_id TEXT PRIMARY KEY,
    -- 事業所番号 / 医療機関コード, or 保険者番号 for municipal staff, empty for operators
    office_number TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    job TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- argon2id PHC string; never the password
    password_hash TEXT NOT NULL,
    -- TOTP secret (base32); needed in clear to compute codes, so the database is a secret
    totp_secret TEXT NOT NULL,
    -- the last accepted TOTP time step, so a code cannot be used twice
    totp_last_step {BIGINT} NOT NULL,
    failed_attempts {BIGINT} NOT NULL,
    locked_until_ms {BIGINT} NOT NULL,
    active {BIGINT} NOT NULL CHECK (active IN (0, 1))
);

-- Sessions hold token hashes only (SHA-256), never the tokens.
CREATE TABLE sessions (
    access_hash TEXT PRIMARY KEY,
    refresh_hash TEXT NOT NULL UNIQUE,
    staff_id TEXT NOT NULL,
    access_expires_ms {BIGINT} NOT NULL,
    refresh_expires_ms {BIGINT} NOT NULL,
    revoked {BIGINT} NOT NULL CHECK (revoked IN (0, 1))
);

-- A card certificate (by SHA-256 fingerprint) linked to a 被保険者 by the municipality.
CREATE TABLE card_links (
    fingerprint TEXT PRIMARY KEY,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    linked_at_ms {BIGINT} NOT NULL,
    linked_by TEXT NOT NULL,
    unlinked_at_ms {BIGINT}
);
CREATE INDEX card_links_person ON card_links (insurer, insured);

-- 担当事業所: an office serving a person.
CREATE TABLE serving_relationships (
    id {SERIAL_KEY},
    office_number TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    -- office, person, inactivity
    ended_by TEXT,
    last_service_on TEXT
);
CREATE INDEX serving_relationships_person ON serving_relationships (insurer, insured, office_number);
-- the persons an office serves (persons_served)
CREATE INDEX serving_relationships_office ON serving_relationships (office_number, insurer, insured);

-- One row per (person, office, category) grant; revocation and expiry are recorded on it.
CREATE TABLE consents (
    id {SERIAL_KEY},
    office_number TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    category TEXT NOT NULL,
    granted_at_ms {BIGINT} NOT NULL,
    -- card or paper
    method TEXT NOT NULL,
    -- paper consent: the witnessing staff member and the reason a card could not be used
    witness TEXT NOT NULL,
    paper_reason TEXT NOT NULL,
    valid_until TEXT,
    revoked_at_ms {BIGINT}
);
CREATE INDEX consents_person ON consents (insurer, insured, office_number, category);

-- 主治医意見書作成依頼 sent by a municipality to a medical institution.
CREATE TABLE opinion_requests (
    id {SERIAL_KEY},
    institution_code TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    requested_at_ms {BIGINT} NOT NULL,
    closed_at_ms {BIGINT}
);
CREATE INDEX opinion_requests_person ON opinion_requests (insurer, insured, institution_code);
