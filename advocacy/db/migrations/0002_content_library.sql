-- Content library: campaigns, content items with per-network per-language captions, versions, workflow
-- transitions, audiences, images and their renditions, employee suggestions, RSS/Atom sources.

-- Accent-insensitive search. The unaccent extension is used where the server ships it (Debian's
-- PostgreSQL does); the embedded pgserver build does not, so library_unaccent() falls back to a
-- translate() over the Latin letters French and English use. Both are IMMUTABLE, as index
-- expressions and generated search documents need.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent extension not available (%): using the translate() fallback', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
        EXECUTE $f$
            CREATE FUNCTION library_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS 'SELECT unaccent(''unaccent''::regdictionary, $1)'
        $f$;
    ELSE
        EXECUTE $f$
            CREATE FUNCTION library_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $body$
                SELECT replace(replace(replace(replace(replace(replace(translate($1,
                    'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŸ',
                    'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyyY'),
                    'Œ', 'OE'), 'œ', 'oe'), 'Æ', 'AE'), 'æ', 'ae'), 'ß', 'ss'), '’', '''')
            $body$
        $f$;
    END IF;
END;
$$;

CREATE TABLE campaigns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name text NOT NULL,
    description text,
    starts_at timestamptz,
    ends_at timestamptz,
    goal text,
    points_multiplier numeric(6, 2) NOT NULL DEFAULT 1 CHECK (points_multiplier > 0),
    created_by bigint REFERENCES people (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);

CREATE TABLE content_sources (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name text NOT NULL,
    url text NOT NULL UNIQUE,
    language text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    campaign_id bigint REFERENCES campaigns (id) ON DELETE SET NULL,
    tags text[] NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    etag text,
    last_modified text,
    last_polled_at timestamptz,
    last_status text,
    last_error text,
    items_created integer NOT NULL DEFAULT 0,
    created_by bigint REFERENCES people (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE content_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    title text NOT NULL,
    summary text,
    link text CHECK (link IS NULL OR link ~ '^https?://'),
    campaign_id bigint REFERENCES campaigns (id) ON DELETE SET NULL,
    caption_policy text NOT NULL DEFAULT 'editable' CHECK (caption_policy IN ('locked', 'editable', 'free')),
    allow_reshare boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'approved', 'archived')),
    starts_at timestamptz,
    expires_at timestamptz,
    pinned boolean NOT NULL DEFAULT false,
    priority smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100),
    tags text[] NOT NULL DEFAULT '{}',
    hashtags text[] NOT NULL DEFAULT '{}',
    -- networks this post is meant for; empty means every network
    networks text[] NOT NULL DEFAULT '{}',
    -- audience: empty arrays mean everyone
    audience_team_ids bigint[] NOT NULL DEFAULT '{}',
    audience_locations text[] NOT NULL DEFAULT '{}',
    audience_languages text[] NOT NULL DEFAULT '{}',
    -- languages that have at least one caption (kept by the service with the captions)
    languages text[] NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 1,
    source_id bigint REFERENCES content_sources (id) ON DELETE SET NULL,
    created_by bigint REFERENCES people (id) ON DELETE SET NULL,
    updated_by bigint REFERENCES people (id) ON DELETE SET NULL,
    submitted_by bigint REFERENCES people (id) ON DELETE SET NULL,
    approved_by bigint REFERENCES people (id) ON DELETE SET NULL,
    approved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- the feed's "newest": when the item went (or goes) live
    feed_at timestamptz GENERATED ALWAYS AS (COALESCE(starts_at, approved_at, created_at)) STORED,
    search_doc tsvector NOT NULL DEFAULT ''::tsvector,
    CHECK (expires_at IS NULL OR starts_at IS NULL OR expires_at > starts_at)
);
-- live_items_for_person (the feed): approved items walked in feed order, window/audience filtered
CREATE INDEX content_items_feed_idx ON content_items (pinned, priority, feed_at, id) WHERE status = 'approved';
-- library_page (search) filtered by status, newest first
CREATE INDEX content_items_status_idx ON content_items (status, id);
-- library_page and the feed filtered by tag
CREATE INDEX content_items_tags_idx ON content_items USING gin (tags);
-- library_page full-text search
CREATE INDEX content_items_search_idx ON content_items USING gin (search_doc);
-- library_page and the feed filtered by campaign
CREATE INDEX content_items_campaign_idx ON content_items (campaign_id, id);

CREATE TABLE content_captions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    -- NULL: the default caption the networks fall back to
    network text CHECK (network IN ('linkedin', 'x', 'facebook', 'instagram', 'mastodon', 'bluesky')),
    language text NOT NULL CHECK (language IN ('fr', 'en')),
    body text NOT NULL
);
-- captions_of_items, caption_for: one caption per item × network × language
CREATE UNIQUE INDEX content_captions_key ON content_captions (item_id, language, COALESCE(network, ''));

CREATE TABLE content_item_versions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    version integer NOT NULL,
    snapshot jsonb NOT NULL,
    -- no foreign key: history outlives the erasure of the person it names
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, version)
);
CREATE TRIGGER content_item_versions_append_only BEFORE UPDATE ON content_item_versions
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

CREATE TABLE content_transitions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    from_status text,
    to_status text NOT NULL,
    version integer NOT NULL,
    actor_id bigint,
    comment text,
    at timestamptz NOT NULL DEFAULT now()
);
-- transitions_of_item
CREATE INDEX content_transitions_item_idx ON content_transitions (item_id, id);
CREATE TRIGGER content_transitions_append_only BEFORE UPDATE ON content_transitions
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

CREATE TABLE content_suggestions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    link text NOT NULL,
    note text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    decline_reason text,
    item_id bigint REFERENCES content_items (id) ON DELETE SET NULL,
    decided_by bigint REFERENCES people (id) ON DELETE SET NULL,
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- suggestion_queue (curators), suggestions_of_person
CREATE INDEX content_suggestions_status_idx ON content_suggestions (status, id);
CREATE INDEX content_suggestions_person_idx ON content_suggestions (person_id, id);

CREATE TABLE content_assets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    item_id bigint REFERENCES content_items (id) ON DELETE CASCADE,
    suggestion_id bigint REFERENCES content_suggestions (id) ON DELETE CASCADE,
    position smallint NOT NULL DEFAULT 0,
    storage_key text NOT NULL UNIQUE,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    etag text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    source_type text NOT NULL,
    phash text NOT NULL,
    placeholder jsonb NOT NULL,
    near_duplicate_of bigint REFERENCES content_assets (id) ON DELETE SET NULL,
    focal_x real NOT NULL DEFAULT 0.5 CHECK (focal_x BETWEEN 0 AND 1),
    focal_y real NOT NULL DEFAULT 0.5 CHECK (focal_y BETWEEN 0 AND 1),
    -- {"fr": "...", "en": "..."}
    alt_text jsonb NOT NULL DEFAULT '{}'::jsonb,
    renditions_state text NOT NULL DEFAULT 'pending' CHECK (renditions_state IN ('pending', 'ready', 'failed')),
    renditions_reason text,
    renditions_attempts integer NOT NULL DEFAULT 0,
    renditions_at timestamptz,
    uploaded_by bigint REFERENCES people (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- assets_of_items (the feed and item reads)
CREATE INDEX content_assets_item_idx ON content_assets (item_id, position) WHERE item_id IS NOT NULL;
-- near_duplicates: perceptual hashes compared in Python over recent uploads
CREATE INDEX content_assets_created_idx ON content_assets (id DESC);

CREATE TABLE content_renditions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id bigint NOT NULL REFERENCES content_assets (id) ON DELETE CASCADE,
    name text NOT NULL,
    format text NOT NULL CHECK (format IN ('jpeg', 'webp')),
    width integer NOT NULL,
    height integer NOT NULL,
    storage_key text NOT NULL UNIQUE,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    etag text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (asset_id, name, format)
);

-- Links a source has already turned into drafts: never twice for the same link.
CREATE TABLE content_source_entries (
    link text PRIMARY KEY,
    source_id bigint NOT NULL REFERENCES content_sources (id) ON DELETE CASCADE,
    item_id bigint REFERENCES content_items (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
