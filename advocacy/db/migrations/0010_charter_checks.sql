-- Charter: versions are frozen once written (verdicts point at them), and the last 1 000 texts checked at
-- share time are kept in a ring buffer so compliance can see what a draft version would change.

-- A version's texts and rules never change after it is written, and a version that was ever in force is
-- never deleted: every verdict names the version that made it.
CREATE FUNCTION charters_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'charter version % was in force and cannot be deleted', OLD.version
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF (NEW.version, NEW.title, NEW.body_fr, NEW.body_en, NEW.material_change, NEW.rules)
        IS DISTINCT FROM (OLD.version, OLD.title, OLD.body_fr, OLD.body_en, OLD.material_change, OLD.rules) THEN
        RAISE EXCEPTION 'charter version % cannot be edited: draft a new version instead', OLD.version
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER charters_frozen BEFORE UPDATE OR DELETE ON charters
    FOR EACH ROW EXECUTE FUNCTION charters_frozen();

-- Slots 0..999 reused in turn: the table never holds more than 1 000 rows. No person is named (the texts
-- are kept to re-check them, not to know who wrote them); texts in which personal data or a secret was
-- found are not kept at all.
CREATE SEQUENCE charter_checked_texts_slot MINVALUE 0 MAXVALUE 999 START 0 CYCLE;
CREATE TABLE charter_checked_texts (
    slot smallint PRIMARY KEY CHECK (slot BETWEEN 0 AND 999),
    text text NOT NULL,
    text_sha256 text NOT NULL,
    network text NOT NULL,
    language text NOT NULL,
    -- what the share flow knew about the content item (link, caption policy, approved caption, tags)
    content jsonb,
    decision text NOT NULL CHECK (decision IN ('allow', 'warn', 'review', 'block')),
    charter_id bigint NOT NULL REFERENCES charters (id),
    checked_at timestamptz NOT NULL
);
ALTER SEQUENCE charter_checked_texts_slot OWNED BY charter_checked_texts.slot;
-- record_checked_text: the same text checked again refreshes its row instead of taking a new slot
CREATE INDEX charter_checked_texts_sha_idx ON charter_checked_texts (text_sha256);
