-- A medical institution's list of open 主治医意見書作成依頼 (open_opinion_requests). The index of
-- 0003 leads with the person, so without this one the list would scan every request ever sent.
-- Partial on the open ones: closed requests are the bulk over time and the list never shows them.
CREATE INDEX opinion_requests_open_institution
    ON opinion_requests (institution_code, requested_at_ms)
    WHERE closed_at_ms IS NULL;
