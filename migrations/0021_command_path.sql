-- Every process keeps a signed-in member's session and account in memory for a second or two
-- (service/staff/sessions.py). Each change to either is told to every process at once, by the
-- member's staff id (no personal data): a session signed out, expired or ended with its account
-- stops working everywhere as soon as the notice arrives.
CREATE FUNCTION suivi_staff_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('suivi_staff_changed', OLD.staff_id::text);
    ELSE
        PERFORM pg_notify('suivi_staff_changed', NEW.staff_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER staff_sessions_ended AFTER DELETE ON staff_sessions
    FOR EACH ROW EXECUTE FUNCTION suivi_staff_changed();
CREATE TRIGGER staff_changed AFTER UPDATE OR DELETE ON staff
    FOR EACH ROW EXECUTE FUNCTION suivi_staff_changed();
