-- Every API process caches who a credential belongs to and what /me shows; these triggers tell them, on
-- commit, whose entries to drop ('*' for everyone: a charter activation changes everyone's consent status).

CREATE FUNCTION notify_identity_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_data record;
BEGIN
    IF TG_TABLE_NAME = 'charters' THEN
        PERFORM pg_notify('identity_changed', '*');
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
    IF TG_TABLE_NAME = 'people' THEN
        PERFORM pg_notify('identity_changed', row_data.id::text);
    ELSE
        PERFORM pg_notify('identity_changed', row_data.person_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER people_identity_changed AFTER UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER person_roles_identity_changed AFTER INSERT OR UPDATE OR DELETE ON person_roles
    FOR EACH ROW EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER ambassadors_identity_changed AFTER INSERT OR UPDATE OR DELETE ON ambassadors
    FOR EACH ROW EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER api_tokens_identity_changed AFTER UPDATE OF revoked_at, expires_at OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER web_sessions_identity_changed AFTER UPDATE OF revoked_at, expires_at OR DELETE ON web_sessions
    FOR EACH ROW EXECUTE FUNCTION notify_identity_change();
CREATE TRIGGER charters_identity_changed AFTER UPDATE OF status ON charters
    FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_change();
