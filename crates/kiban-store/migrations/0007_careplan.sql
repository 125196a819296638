-- ケアプランデータ連携: the care-plan documents exchanged between 居宅介護支援事業所 and service
-- offices through the platform, and what the municipality computes from them (特定事業所集中減算,
-- caseloads, regional statistics). Documents are appended, never rewritten except their status;
-- the newest row of a document key (kind, insurer, insured, doc_key, from_office, to_office) is
-- the current one, which the application layer picks. Dates are YYYYMMDD and months YYYYMM text
-- (both compare correctly as text), times unix milliseconds, bodies JSON text written and read
-- by the application layer. The store decides nothing.
CREATE TABLE careplan_documents (
    id {SERIAL_KEY},
    -- plan (第1表+第2表), service_use (第6表+第7表, 利用票・別表), results (サービス提供実績)
    kind TEXT NOT NULL,
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    -- plan: 計画作成(変更)日 YYYYMMDD; service_use, results: 対象年月 YYYYMM
    doc_key TEXT NOT NULL,
    -- the sender: the 居宅介護支援事業所 (plan, service_use) or the service office (results)
    from_office TEXT NOT NULL,
    -- the receiver of a service_use or results document; '' for a plan
    to_office TEXT NOT NULL,
    -- issued, draft, confirmed (本人確認済), commented (本人意見あり), deleted
    status TEXT NOT NULL,
    body_json TEXT NOT NULL,
    -- 利用者補足情報 sent with the document, if any
    supplement_json TEXT,
    registered_at_ms {BIGINT} NOT NULL,
    registered_by TEXT NOT NULL
);
-- a person's documents, newest first (careplan_documents_of)
CREATE INDEX careplan_documents_person ON careplan_documents (insurer, insured, id);
-- a service office's inbox, newest first (careplan_documents_to)
CREATE INDEX careplan_documents_to ON careplan_documents (to_office, id);
-- a care office's plans sent for 同意・確認 and the person's answers (careplan_drafts_from): the
-- few rows of those statuses only, so the bulk of issued documents pays nothing for it
CREATE INDEX careplan_documents_drafts ON careplan_documents (from_office, id)
    WHERE kind = 'plan' AND status IN ('draft', 'confirmed', 'commented');

-- The person's answers to a plan sent for 同意・確認, oldest first.
CREATE TABLE plan_confirmations (
    id {SERIAL_KEY},
    document_id {BIGINT} NOT NULL REFERENCES careplan_documents (id),
    at_ms {BIGINT} NOT NULL,
    -- the citizen account (derived from the card), never a My Number
    account TEXT NOT NULL,
    -- confirmed, commented
    decision TEXT NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX plan_confirmations_document ON plan_confirmations (document_id, id);

-- The flattened 第6表: one row per (plan-month, receiving office, service kind, provider). A
-- 利用票 replaces every row of its key (insurer, insured, month, care_office, to_office); a
-- 第6表_削除 removes them. No uniqueness is enforced: every count over this table is of
-- distinct persons or person-months, so a repeated row changes nothing.
CREATE TABLE service_months (
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    -- YYYYMM
    month TEXT NOT NULL,
    -- the 居宅介護支援事業所 whose plan it is
    care_office TEXT NOT NULL,
    -- the office the 利用票 was sent to
    to_office TEXT NOT NULL,
    -- 2-digit サービス種類コード
    service_kind TEXT NOT NULL,
    -- the office providing the service
    provider_office TEXT NOT NULL,
    -- 要介護状態区分コード of the 利用票 (the changed level if it changed)
    care_level TEXT NOT NULL
);
-- The aggregates (corporation_counts, plan_month_totals, caseload_counts, user_counts) read one
-- insurer's months, narrowed by service kind where they ask for kinds; every column they read is
-- in the index, so they never touch the table (on PostgreSQL: a vacuumed table is answered by
-- index-only scans).
CREATE INDEX service_months_insurer_month
    ON service_months (insurer, month, service_kind, care_office, care_level, insured, provider_office);
-- replace_service_months: the rows of one key. Created after the index above on purpose: when the
-- planner has no statistics yet (the first import, inside its transaction) both indexes look
-- equally cheap for a key lookup and PostgreSQL takes the one created last; the aggregate index
-- would scan a whole month per key. (PostgreSQL's DELETE looks each key up on its own, see
-- bulk_replace_service_months in postgres_store.rs.)
CREATE INDEX service_months_key
    ON service_months (insurer, insured, month, care_office, to_office);

-- LIFE 利用者フィードバック票, appended; newest first by 対象期間.
CREATE TABLE life_feedback (
    id {SERIAL_KEY},
    insurer TEXT NOT NULL,
    insured TEXT NOT NULL,
    -- the office the feedback is about
    office_number TEXT NOT NULL,
    -- 対象期間 YYYYMM
    period TEXT NOT NULL,
    body_json TEXT NOT NULL,
    submitted_at_ms {BIGINT} NOT NULL,
    submitted_by TEXT NOT NULL
);
CREATE INDEX life_feedback_person ON life_feedback (insurer, insured, period, id);

-- 法人: 13-digit 法人番号 and name, replaced when re-registered. 集中減算 counts plan-months per
-- corporation, not per office.
CREATE TABLE corporations (
    corporation_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    registered_at_ms {BIGINT} NOT NULL
);

-- Which corporation runs an office (any office, not only those with logins). Not a foreign key
-- to corporations: the office list of the 事業所台帳 may arrive before a corporation's name. An
-- office without a row here counts as a corporation of its own ('office:<事業所番号>').
CREATE TABLE corporation_offices (
    office_number TEXT PRIMARY KEY,
    corporation_number TEXT NOT NULL,
    office_name TEXT NOT NULL
);

-- 正当な理由 recorded by the municipality for one office, 判定期間 and service, appended.
CREATE TABLE concentration_exclusions (
    id {SERIAL_KEY},
    insurer TEXT NOT NULL,
    office_number TEXT NOT NULL,
    -- 判定期間: '<year>-1' (前期, March–August) or '<year>-2' (後期, September–February)
    period TEXT NOT NULL,
    -- 2-digit サービス種類コード
    service_kind TEXT NOT NULL,
    -- 正当な理由 number, 1–7 of 老企第36号 第3の10
    reason {BIGINT} NOT NULL,
    -- reason 5 (地域ケア会議で確認): plan-months excluded from the count; 0 otherwise
    excluded_plan_months {BIGINT} NOT NULL,
    note TEXT NOT NULL,
    recorded_at_ms {BIGINT} NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX concentration_exclusions_period
    ON concentration_exclusions (insurer, period, id);

-- The care managers of a 居宅介護支援事業所 in a month (常勤換算) and the two conditions of the
-- 49-user line (ケアプランデータ連携 in use, 事務職員 employed); one row per office and month,
-- replaced when re-recorded.
CREATE TABLE care_manager_staffing (
    office_number TEXT NOT NULL,
    -- YYYYMM
    month TEXT NOT NULL,
    -- 常勤換算 care managers × 100 (2.5 → 250)
    care_managers_centi {BIGINT} NOT NULL,
    data_exchange {SQLITE:INTEGER NOT NULL CHECK (data_exchange IN (0, 1))}{POSTGRES:BOOLEAN NOT NULL},
    clerical_staff {SQLITE:INTEGER NOT NULL CHECK (clerical_staff IN (0, 1))}{POSTGRES:BOOLEAN NOT NULL},
    recorded_at_ms {BIGINT} NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (office_number, month)
);
-- one month's staffing of every office (staffing)
CREATE INDEX care_manager_staffing_month ON care_manager_staffing (month, office_number);
