//! The access backbone on SQLite. Booleans are stored as 0/1, service kinds as one
//! ';'-joined text. Ending, revoking, closing and unlinking keep the first recorded time.

use crate::access_sql::*;
use crate::access_store::*;
use crate::{Result, SqliteStore};
use rusqlite::{params, Row};

fn to_office(r: &Row) -> rusqlite::Result<OfficeRow> {
    Ok(OfficeRow {
        office_number: r.get(0)?,
        name: r.get(1)?,
        office_kind: r.get(2)?,
        service_kinds: split_kinds(&r.get::<_, String>(3)?),
        active: r.get(4)?,
        created_at_ms: r.get(5)?,
    })
}

fn to_staff(r: &Row) -> rusqlite::Result<StaffRow> {
    Ok(StaffRow {
        staff_id: r.get(0)?,
        office_number: r.get(1)?,
        actor_kind: r.get(2)?,
        job: r.get(3)?,
        display_name: r.get(4)?,
        password_hash: r.get(5)?,
        totp_secret: r.get(6)?,
        totp_last_step: r.get(7)?,
        failed_attempts: r.get(8)?,
        locked_until_ms: r.get(9)?,
        active: r.get(10)?,
        last_failure_ms: r.get(11)?,
    })
}

fn to_session(r: &Row) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        access_hash: r.get(0)?,
        refresh_hash: r.get(1)?,
        staff_id: r.get(2)?,
        access_expires_ms: r.get(3)?,
        refresh_expires_ms: r.get(4)?,
        revoked: r.get(5)?,
        client_serial: r.get(6)?,
    })
}

fn to_client_revocation(r: &Row) -> rusqlite::Result<ClientRevocationRow> {
    Ok(ClientRevocationRow {
        id: r.get(0)?,
        serial: r.get(1)?,
        reason_code: r.get(2)?,
        revoked_at_ms: r.get(3)?,
    })
}

fn to_card(r: &Row) -> rusqlite::Result<CardLinkRow> {
    Ok(CardLinkRow {
        fingerprint: r.get(0)?,
        insurer: r.get(1)?,
        insured: r.get(2)?,
        linked_at_ms: r.get(3)?,
        linked_by: r.get(4)?,
        unlinked_at_ms: r.get(5)?,
    })
}

fn to_serving(r: &Row) -> rusqlite::Result<ServingRow> {
    Ok(ServingRow {
        id: r.get(0)?,
        office_number: r.get(1)?,
        insurer: r.get(2)?,
        insured: r.get(3)?,
        started_on: r.get(4)?,
        ended_on: r.get(5)?,
        ended_by: r.get(6)?,
        last_service_on: r.get(7)?,
    })
}

fn to_consent(r: &Row) -> rusqlite::Result<ConsentRow> {
    Ok(ConsentRow {
        id: r.get(0)?,
        office_number: r.get(1)?,
        insurer: r.get(2)?,
        insured: r.get(3)?,
        category: r.get(4)?,
        granted_at_ms: r.get(5)?,
        method: r.get(6)?,
        witness: r.get(7)?,
        paper_reason: r.get(8)?,
        valid_until: r.get(9)?,
        revoked_at_ms: r.get(10)?,
    })
}

fn to_opinion(r: &Row) -> rusqlite::Result<OpinionRequestRow> {
    Ok(OpinionRequestRow {
        id: r.get(0)?,
        institution_code: r.get(1)?,
        insurer: r.get(2)?,
        insured: r.get(3)?,
        requested_at_ms: r.get(4)?,
        closed_at_ms: r.get(5)?,
    })
}

impl AccessStore for SqliteStore {
    fn put_office(&mut self, o: &OfficeRow) -> Result<()> {
        self.connection().execute(
            "INSERT INTO offices (office_number, name, office_kind, service_kinds, active, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (office_number) DO UPDATE SET name = excluded.name, office_kind = excluded.office_kind, service_kinds = excluded.service_kinds, active = excluded.active, created_at_ms = excluded.created_at_ms",
            params![o.office_number, o.name, o.office_kind, join_kinds(&o.service_kinds), o.active, o.created_at_ms],
        )?;
        Ok(())
    }

    fn office(&mut self, office_number: &str) -> Result<Option<OfficeRow>> {
        let sql = format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE office_number = ?1");
        self.query_one(&sql, [office_number], to_office)
    }

    fn insert_staff(&mut self, s: &StaffRow) -> Result<()> {
        self.connection().execute(
            "INSERT INTO staff_accounts (staff_id, office_number, actor_kind, job, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, locked_until_ms, active, last_failure_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![s.staff_id, s.office_number, s.actor_kind, s.job, s.display_name, s.password_hash, s.totp_secret, s.totp_last_step, s.failed_attempts, s.locked_until_ms, s.active, s.last_failure_ms],
        )?;
        Ok(())
    }

    fn staff(&mut self, staff_id: &str) -> Result<Option<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_accounts WHERE staff_id = ?1");
        self.query_one(&sql, [staff_id], to_staff)
    }

    fn update_staff_login(
        &mut self,
        staff_id: &str,
        failed_attempts: i64,
        locked_until_ms: i64,
        last_failure_ms: i64,
        totp_last_step: i64,
    ) -> Result<()> {
        self.connection().execute(
            "UPDATE staff_accounts SET failed_attempts = ?2, locked_until_ms = ?3, last_failure_ms = ?4, totp_last_step = ?5 WHERE staff_id = ?1",
            params![staff_id, failed_attempts, locked_until_ms, last_failure_ms, totp_last_step],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.connection().execute(
            "INSERT INTO sessions (access_hash, refresh_hash, staff_id, access_expires_ms, refresh_expires_ms, revoked, client_serial) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![s.access_hash, s.refresh_hash, s.staff_id, s.access_expires_ms, s.refresh_expires_ms, s.revoked, s.client_serial],
        )?;
        Ok(())
    }

    fn session_by_access(&mut self, access_hash: &str) -> Result<Option<SessionRow>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE access_hash = ?1");
        self.query_one(&sql, [access_hash], to_session)
    }

    fn session_by_refresh(&mut self, refresh_hash: &str) -> Result<Option<SessionRow>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_hash = ?1");
        self.query_one(&sql, [refresh_hash], to_session)
    }

    fn revoke_session(&mut self, access_hash: &str) -> Result<()> {
        self.connection().execute(
            "UPDATE sessions SET revoked = 1 WHERE access_hash = ?1",
            [access_hash],
        )?;
        Ok(())
    }

    fn revoke_sessions_of_client(&mut self, serial: &str) -> Result<u64> {
        let ended = self.exec_cached(
            "UPDATE sessions SET revoked = 1 WHERE client_serial = ?1 AND revoked = 0",
            [serial],
        )?;
        Ok(ended as u64)
    }

    fn record_client_revocation(
        &mut self,
        serial: &str,
        reason_code: i64,
        revoked_at_ms: i64,
    ) -> Result<bool> {
        let added = self.exec_cached(
            "INSERT INTO client_revocations (serial, reason_code, revoked_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (serial) DO NOTHING",
            params![serial, reason_code, revoked_at_ms],
        )?;
        Ok(added == 1)
    }

    fn client_revocations_after(&mut self, after_id: i64) -> Result<Vec<ClientRevocationRow>> {
        let sql = format!(
            "SELECT {CLIENT_REVOCATION_COLUMNS} FROM client_revocations WHERE id > ?1 ORDER BY id"
        );
        self.query_all(&sql, [after_id], to_client_revocation)
    }

    fn link_card(&mut self, l: &CardLinkRow) -> Result<()> {
        // One statement: a row that is still linked is left alone (0 rows changed), so two
        // municipal clerks cannot both win.
        let changed = self.connection().execute(
            "INSERT INTO card_links (fingerprint, insurer, insured, linked_at_ms, linked_by, unlinked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (fingerprint) DO UPDATE SET insurer = excluded.insurer, insured = excluded.insured, linked_at_ms = excluded.linked_at_ms, linked_by = excluded.linked_by, unlinked_at_ms = excluded.unlinked_at_ms \
             WHERE card_links.unlinked_at_ms IS NOT NULL",
            params![l.fingerprint, l.insurer, l.insured, l.linked_at_ms, l.linked_by, l.unlinked_at_ms],
        )?;
        if changed == 0 {
            return Err(card_already_linked());
        }
        Ok(())
    }

    fn card_link(&mut self, fingerprint: &str) -> Result<Option<CardLinkRow>> {
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM card_links WHERE fingerprint = ?1 AND unlinked_at_ms IS NULL"
        );
        self.query_one(&sql, [fingerprint], to_card)
    }

    fn unlink_card(&mut self, fingerprint: &str, at_ms: i64) -> Result<()> {
        self.connection().execute(
            "UPDATE card_links SET unlinked_at_ms = ?2 WHERE fingerprint = ?1 AND unlinked_at_ms IS NULL",
            params![fingerprint, at_ms],
        )?;
        Ok(())
    }

    fn start_serving(&mut self, s: &ServingRow) -> Result<i64> {
        let conn = self.connection();
        conn.execute(
            "INSERT INTO serving_relationships (office_number, insurer, insured, started_on, ended_on, ended_by, last_service_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![s.office_number, s.insurer, s.insured, s.started_on, s.ended_on, s.ended_by, s.last_service_on],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn end_serving(&mut self, id: i64, ended_on: &str, ended_by: &str) -> Result<()> {
        self.connection().execute(
            "UPDATE serving_relationships SET ended_on = ?2, ended_by = ?3 WHERE id = ?1 AND ended_on IS NULL",
            params![id, ended_on, ended_by],
        )?;
        Ok(())
    }

    fn record_service(&mut self, id: i64, on: &str) -> Result<()> {
        // YYYYMMDD compares as text; a late record of an older service never moves it back.
        self.connection().execute(
            "UPDATE serving_relationships SET last_service_on = ?2 WHERE id = ?1 AND (last_service_on IS NULL OR last_service_on < ?2)",
            params![id, on],
        )?;
        Ok(())
    }

    fn serving(
        &mut self,
        office_number: &str,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE office_number = ?1 AND insurer = ?2 AND insured = ?3 ORDER BY id"
        );
        self.query_all(&sql, [office_number, insurer, insured], to_serving)
    }

    fn persons_served(&mut self, office_number: &str) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE office_number = ?1 AND ended_on IS NULL ORDER BY insurer, insured, id"
        );
        self.query_all(&sql, [office_number], to_serving)
    }

    fn servers_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ServingRow>> {
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE insurer = ?1 AND insured = ?2 ORDER BY id"
        );
        self.query_all(&sql, [insurer, insured], to_serving)
    }

    fn servers_of_many(&mut self, insurer: &str, insureds: &[String]) -> Result<Vec<ServingRow>> {
        // One statement for the batch: the numbers travel as a JSON array (SQLite's json_each),
        // which spares a statement lookup and a step loop per person.
        let sql = format!(
            "SELECT {SERVING_COLUMNS} FROM serving_relationships WHERE insurer = ?1 AND insured IN (SELECT value FROM json_each(?2)) ORDER BY insured, id"
        );
        let list = json_list(insureds);
        self.query_all(&sql, params![insurer, list], to_serving)
    }

    fn insert_consent(&mut self, c: &ConsentRow) -> Result<i64> {
        let conn = self.connection();
        conn.execute(
            "INSERT INTO consents (office_number, insurer, insured, category, granted_at_ms, method, witness, paper_reason, valid_until, revoked_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![c.office_number, c.insurer, c.insured, c.category, c.granted_at_ms, c.method, c.witness, c.paper_reason, c.valid_until, c.revoked_at_ms],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn revoke_consent(&mut self, id: i64, at_ms: i64) -> Result<()> {
        self.connection().execute(
            "UPDATE consents SET revoked_at_ms = ?2 WHERE id = ?1 AND revoked_at_ms IS NULL",
            params![id, at_ms],
        )?;
        Ok(())
    }

    fn consents(
        &mut self,
        insurer: &str,
        insured: &str,
        office_number: Option<&str>,
    ) -> Result<Vec<ConsentRow>> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE insurer = ?1 AND insured = ?2 AND (?3 IS NULL OR office_number = ?3) ORDER BY id"
        );
        self.query_all(&sql, params![insurer, insured, office_number], to_consent)
    }

    fn consents_of_many(
        &mut self,
        insurer: &str,
        insureds: &[String],
        office_number: &str,
    ) -> Result<Vec<ConsentRow>> {
        let sql = format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE insurer = ?1 AND insured IN (SELECT value FROM json_each(?2)) AND office_number = ?3 ORDER BY insured, id"
        );
        let list = json_list(insureds);
        self.query_all(&sql, params![insurer, list, office_number], to_consent)
    }

    fn insert_opinion_request(&mut self, o: &OpinionRequestRow) -> Result<i64> {
        let conn = self.connection();
        conn.execute(
            "INSERT INTO opinion_requests (institution_code, insurer, insured, requested_at_ms, closed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![o.institution_code, o.insurer, o.insured, o.requested_at_ms, o.closed_at_ms],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn close_opinion_request(&mut self, id: i64, at_ms: i64) -> Result<()> {
        self.connection().execute(
            "UPDATE opinion_requests SET closed_at_ms = ?2 WHERE id = ?1 AND closed_at_ms IS NULL",
            params![id, at_ms],
        )?;
        Ok(())
    }

    fn opinion_requests(
        &mut self,
        insurer: &str,
        insured: &str,
        institution_code: &str,
    ) -> Result<Vec<OpinionRequestRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM opinion_requests WHERE insurer = ?1 AND insured = ?2 AND institution_code = ?3 ORDER BY id"
        );
        self.query_all(&sql, [insurer, insured, institution_code], to_opinion)
    }

    fn open_opinion_requests(&mut self, institution_code: &str) -> Result<Vec<OpinionRequestRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM opinion_requests WHERE institution_code = ?1 AND closed_at_ms IS NULL ORDER BY requested_at_ms, insurer, insured, id"
        );
        self.query_all(&sql, [institution_code], to_opinion)
    }
}

/// A JSON array of digit strings (被保険者番号 are digits only, so no escaping is needed; anything
/// else is dropped rather than allowed to change the statement's meaning).
fn json_list(values: &[String]) -> String {
    let mut out = String::with_capacity(values.len() * 13 + 2);
    out.push('[');
    for v in values
        .iter()
        .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
    {
        if out.len() > 1 {
            out.push(',');
        }
        out.push('"');
        out.push_str(v);
        out.push('"');
    }
    out.push(']');
    out
}
