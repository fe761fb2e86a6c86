-- The organisation's row is cached by every API process (advocacy/core/organisation.py): tell them when it
-- is created, deleted or truncated too (0050 covers updates), on the channel and payload they follow.
CREATE TRIGGER organisation_written AFTER INSERT OR DELETE OR TRUNCATE ON organisation
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change();
