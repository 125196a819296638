-- The 要介護認定 electronic workflow: one row per application (申請) holding its current progress
-- as the domain serialised it, plus the display status and effective due date as columns so the
-- municipality's overdue list and the care manager's list are index lookups. Everything that
-- happened is in certification_events; 意見書 versions are appended; the survey, the 一次判定
-- and the 審査会 row are one per application and replaced when redone. Dates are YYYYMMDD text,
-- times unix milliseconds, bodies JSON text. The rules live in the domain.
CREATE TABLE certification_applications (
    id {SERIAL_KEY},
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    -- new, renewal, level_change
    kind TEXT NOT NULL,
    -- person, family, office
    applicant TEXT NOT NULL,
    -- 代行: the office number that applied on the person's behalf
    proxy_office TEXT,
    applied_on TEXT NOT NULL,
    -- 申請時同意 to share results with the care manager
    share_with_care_manager {BIGINT} NOT NULL CHECK (share_with_care_manager IN (0, 1)),
    -- 計画作成依頼届出: the 居宅介護支援事業所
    care_manager_office TEXT,
    progress_json TEXT NOT NULL,
    status TEXT NOT NULL,
    -- effective due date, extension applied
    due_on TEXT NOT NULL,
    extension_json TEXT,
    created_at_ms {BIGINT} NOT NULL,
    updated_at_ms {BIGINT} NOT NULL
);
-- a person's applications (applications_of)
CREATE INDEX certification_applications_person ON certification_applications (insurer, insured);
-- the municipality's overdue list (overdue_applications)
CREATE INDEX certification_applications_due ON certification_applications (insurer, status, due_on);
-- the care manager's list (applications_for_care_manager)
CREATE INDEX certification_applications_care_manager
    ON certification_applications (care_manager_office, status);

CREATE TABLE certification_events (
    id {SERIAL_KEY},
    application_id {BIGINT} NOT NULL REFERENCES certification_applications (id),
    at_ms {BIGINT} NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    status_after TEXT NOT NULL,
    detail_json TEXT NOT NULL
);
CREATE INDEX certification_events_application ON certification_events (application_id, id);

-- 認定調査票
CREATE TABLE certification_surveys (
    application_id {BIGINT} PRIMARY KEY REFERENCES certification_applications (id),
    surveyed_on TEXT NOT NULL,
    surveyor TEXT NOT NULL,
    body_json TEXT NOT NULL,
    submitted_at_ms {BIGINT} NOT NULL
);

-- 主治医意見書: every submitted version, signed.
CREATE TABLE certification_opinions (
    id {SERIAL_KEY},
    application_id {BIGINT} NOT NULL REFERENCES certification_applications (id),
    institution_code TEXT NOT NULL,
    physician TEXT NOT NULL,
    version {BIGINT} NOT NULL,
    body_json TEXT NOT NULL,
    signature TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    submitted_at_ms {BIGINT} NOT NULL,
    UNIQUE (application_id, version)
);

-- 一次判定
CREATE TABLE certification_primary_judgments (
    application_id {BIGINT} PRIMARY KEY REFERENCES certification_applications (id),
    body_json TEXT NOT NULL,
    recorded_at_ms {BIGINT} NOT NULL,
    recorded_by TEXT NOT NULL
);

-- 介護認定審査会: scheduled, then decided.
CREATE TABLE certification_committees (
    application_id {BIGINT} PRIMARY KEY REFERENCES certification_applications (id),
    committee_on TEXT NOT NULL,
    result_json TEXT,
    decided_at_ms {BIGINT}
);
