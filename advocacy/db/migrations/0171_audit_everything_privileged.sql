-- Nobody rewards or approves themselves, and every privileged act leaves an audit row that stays.

-- The audit log refuses TRUNCATE as it refuses UPDATE and DELETE (a statement trigger: TRUNCATE fires no
-- row trigger).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_mutation();

-- A content approval is a privileged act: each one writes its audit row in the transaction that records
-- the transition, whichever code path approved it.
CREATE FUNCTION audit_content_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, action, subject_type, subject_id, detail)
    SELECT NEW.actor_id, 'content.approved', 'content_item', i.public_id::text,
           jsonb_build_object('from', NEW.from_status, 'version', NEW.version, 'comment', NEW.comment)
    FROM content_items i WHERE i.id = NEW.item_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER content_transitions_audit_approval AFTER INSERT ON content_transitions
    FOR EACH ROW WHEN (NEW.to_status = 'approved') EXECUTE FUNCTION audit_content_approval();
