-- A removed source's entries stay (source_id becomes NULL instead of the rows going): they are what keeps
-- a link from becoming a second draft if the same feed, or another carrying the same links, is added again.
ALTER TABLE content_source_entries ALTER COLUMN source_id DROP NOT NULL;
ALTER TABLE content_source_entries
    DROP CONSTRAINT content_source_entries_source_id_fkey,
    ADD CONSTRAINT content_source_entries_source_id_fkey
        FOREIGN KEY (source_id) REFERENCES content_sources (id) ON DELETE SET NULL;
