-- Revoking a client certificate reaches every server (docs/office-certificate.md). `kiban ca
-- revoke` rewrites the CRL file of its data directory and records the revocation here, so that
-- servers sharing this database but holding their own data directories see it too: each polls
-- the rows after the last id it has read, a single index range scan.
CREATE TABLE client_revocations (
    id {SERIAL_KEY},
    -- the certificate serial, lower-case hex without leading zero bytes (kiban_crypto::Serial)
    serial TEXT NOT NULL UNIQUE,
    -- RFC 5280 reason code
    reason_code {BIGINT} NOT NULL,
    revoked_at_ms {BIGINT} NOT NULL
);

-- The client certificate a session was issued over: revoking the certificate ends the sessions
-- (access and refresh tokens) obtained with it. NULL for sessions of earlier versions.
ALTER TABLE sessions ADD COLUMN client_serial TEXT;
CREATE INDEX sessions_client_serial ON sessions (client_serial) WHERE client_serial IS NOT NULL;

-- When the last counted login failure happened: failures slow the next attempt down before
-- they lock the account (docs/staff-login.md).
ALTER TABLE staff_accounts ADD COLUMN last_failure_ms {BIGINT} NOT NULL DEFAULT 0;
