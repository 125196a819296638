-- 資格確認 without a card: the candidates are everyone whose 被保険者証 gives the birth date
-- asked, so a search reads a few dozen rows instead of every card of the insurer. An index on an
-- expression over the JSON body, as 0001 planned, rather than a copied column: the body stays
-- the only place the value is written. Queries must use the identical expression and the
-- literal kind = 'HIHO' for the planner to choose this partial index.
CREATE INDEX record_versions_card_birth_date
    ON record_versions (insurer, {JSON_TEXT:body:birth_date})
    WHERE kind = 'HIHO';
