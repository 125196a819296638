-- Several servers on one PostgreSQL database: a change that must end remembered staff logins
-- on every server is announced on the channel kiban_staff by the database itself, so it is
-- announced whichever process made it (a server, `kiban staff …` on the command line, an
-- operator's SQL). The payload names an account (`staff:ID`) or an office (`office:NUMBER`),
-- never a person, a token or a token's hash. SQLite has one server per database file and no
-- notifications: it gets nothing from this migration.
{POSTGRES:
CREATE FUNCTION kiban_staff_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'offices' THEN
        PERFORM pg_notify('kiban_staff', 'office:' || COALESCE(NEW.office_number, OLD.office_number));
    ELSE
        PERFORM pg_notify('kiban_staff', 'staff:' || COALESCE(NEW.staff_id, OLD.staff_id));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked ON sessions
    FOR EACH ROW WHEN (NEW.revoked <> OLD.revoked) EXECUTE FUNCTION kiban_staff_changed();
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION kiban_staff_changed();

-- Not for the failed-attempt counter or the last TOTP step: only what ends or changes a login.
CREATE TRIGGER staff_accounts_changed AFTER UPDATE ON staff_accounts
    FOR EACH ROW WHEN (
        (OLD.active, OLD.locked_until_ms, OLD.password_hash, OLD.office_number, OLD.actor_kind, OLD.job)
        IS DISTINCT FROM
        (NEW.active, NEW.locked_until_ms, NEW.password_hash, NEW.office_number, NEW.actor_kind, NEW.job)
    ) EXECUTE FUNCTION kiban_staff_changed();
CREATE TRIGGER staff_accounts_deleted AFTER DELETE ON staff_accounts
    FOR EACH ROW EXECUTE FUNCTION kiban_staff_changed();

CREATE TRIGGER offices_changed AFTER UPDATE ON offices
    FOR EACH ROW WHEN ((OLD.active, OLD.office_kind) IS DISTINCT FROM (NEW.active, NEW.office_kind))
    EXECUTE FUNCTION kiban_staff_changed();
CREATE TRIGGER offices_deleted AFTER DELETE ON offices
    FOR EACH ROW EXECUTE FUNCTION kiban_staff_changed();
}
