-- Every API process caches feed pages (advocacy/content/feed_cache.py); this tells them, on commit, that
-- the library changed. One notification per statement: PostgreSQL folds identical notifications of one
-- transaction into one, so a bulk import costs a single cache flush per process.

CREATE FUNCTION notify_content_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('content_changed', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER content_items_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON content_items
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
CREATE TRIGGER content_captions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON content_captions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
CREATE TRIGGER content_assets_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON content_assets
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
CREATE TRIGGER content_renditions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON content_renditions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
CREATE TRIGGER campaigns_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
-- the library's default language lives in the organisation's settings
CREATE TRIGGER organisation_changed AFTER UPDATE ON organisation
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();

-- Whether a reader already shared a feed entry is cached per person too: say whose shares changed.
CREATE FUNCTION notify_shares_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('shares_changed', '*');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('shares_changed', OLD.person_id::text);
    ELSE
        PERFORM pg_notify('shares_changed', NEW.person_id::text);
        IF TG_OP = 'UPDATE' AND OLD.person_id IS DISTINCT FROM NEW.person_id THEN
            PERFORM pg_notify('shares_changed', OLD.person_id::text);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER shares_changed AFTER INSERT OR DELETE OR UPDATE OF status, person_id, content_item_id ON shares
    FOR EACH ROW EXECUTE FUNCTION notify_shares_change();
CREATE TRIGGER shares_truncated AFTER TRUNCATE ON shares
    FOR EACH STATEMENT EXECUTE FUNCTION notify_shares_change();
