//! [`crate::Store::cards_born_on`] for both engines: the candidates of 資格確認 without a card.
//!
//! The result is every non-withdrawn 被保険者証 version of each person who has *some* version
//! giving that birth date, not only the versions that give it: a later version may correct the
//! birth date, and `records::current_as_of` can only pick the right current card when it sees
//! the person's whole (non-withdrawn) history. The matcher then checks the current card's birth
//! date. The inner lookup uses the expression of migration 0004's partial index verbatim, with the
//! kind as a literal, so the planner can use the index (EXPLAIN: SQLite `USING INDEX
//! record_versions_card_birth_date`, PostgreSQL `Index Scan` / `Bitmap Index Scan` on it).

use crate::sqlite_records::parse_version;
use crate::Result;
use kiban_domain::date::Date;
use kiban_domain::ids::InsurerNumber;
use kiban_domain::records::{RecordKind, Version};

const NOT_WITHDRAWN: &str = "NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.kind = v.kind AND w.insurer = v.insurer AND w.insured = v.insured AND w.history = v.history)";

pub(crate) fn sqlite(
    conn: &rusqlite::Connection,
    insurer: InsurerNumber,
    birth_date: Date,
) -> Result<Vec<Version>> {
    let sql = format!(
        "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v \
         WHERE v.kind = 'HIHO' AND v.insurer = ?1 AND v.insured IN (\
           SELECT b.insured FROM record_versions b \
           WHERE b.kind = 'HIHO' AND b.insurer = ?1 AND json_extract(b.body, '$.birth_date') = ?2) \
         AND {NOT_WITHDRAWN} ORDER BY v.insured, v.history"
    );
    let i = insurer.to_string();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params![i, birth_date.yyyymmdd()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(parse_version(
            RecordKind::InsuredCard,
            &i,
            &r.get::<_, String>(0)?,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
        )?);
    }
    Ok(out)
}

pub(crate) fn postgres(
    client: &mut postgres::Client,
    insurer: InsurerNumber,
    birth_date: Date,
) -> Result<Vec<Version>> {
    let sql = format!(
        "SELECT v.insured, v.history, v.operation, v.applies_from, v.body FROM record_versions v \
         WHERE v.kind = 'HIHO' AND v.insurer = $1 AND v.insured IN (\
           SELECT b.insured FROM record_versions b \
           WHERE b.kind = 'HIHO' AND b.insurer = $1 AND (b.body::json ->> 'birth_date') = $2) \
         AND {NOT_WITHDRAWN} ORDER BY v.insured, v.history"
    );
    let i = insurer.to_string();
    client
        .query(&sql, &[&i, &birth_date.yyyymmdd()])?
        .iter()
        .map(|r| {
            parse_version(
                RecordKind::InsuredCard,
                &i,
                r.get(0),
                i64::from(r.get::<_, i32>(1)),
                r.get(2),
                r.get(3),
                r.get(4),
            )
        })
        .collect()
}
