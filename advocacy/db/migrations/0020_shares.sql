-- Shares and tracked links: a share with its verdict (history append-only), the tracked link it goes out
-- with, the clicks on that link, and the sharing preferences an employee keeps (their Mastodon server).

CREATE TABLE shares (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    content_item_id bigint NOT NULL REFERENCES content_items (id),
    network text NOT NULL CHECK (network IN ('linkedin', 'x', 'facebook', 'instagram', 'mastodon', 'bluesky')),
    status text NOT NULL CHECK (status IN ('refused', 'held', 'ready', 'scheduled', 'published', 'withdrawn',
                                          'rejected', 'failed')),
    mode text NOT NULL DEFAULT 'share_page' CHECK (mode IN ('share_page', 'direct')),
    language text NOT NULL CHECK (language IN ('fr', 'en')),
    caption text NOT NULL,
    -- content_assets.public_id of the images the employee chose, in their order
    images uuid[] NOT NULL DEFAULT '{}',
    -- the current verdict (a copy of the latest share_verdicts row) and the charter it was checked against
    charter_id bigint REFERENCES charters (id),
    verdict jsonb NOT NULL,
    warning_acknowledged boolean NOT NULL DEFAULT false,
    scheduled_for timestamptz,
    ready_at timestamptz,
    published_at timestamptz,
    withdrawn_at timestamptz,
    reviewed_by bigint REFERENCES people (id) ON DELETE SET NULL,
    reviewed_at timestamptz,
    -- why compliance rejected it (shown to the employee), or why publishing failed
    status_reason text,
    external_post_id text,
    external_post_url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'scheduled' OR scheduled_for IS NOT NULL)
);
-- shares_of_person (own list), shares_counted_today (fatigue limits), already_shared (re-share rule)
CREATE INDEX shares_person_idx ON shares (person_id, created_at);
-- ALREADY_SHARED_SQL in the feed, already_shared: one person's live shares of one item
CREATE INDEX shares_person_item_idx ON shares (person_id, content_item_id, network)
    WHERE status IN ('held', 'ready', 'scheduled', 'published');
-- held_shares_page (compliance queue)
CREATE INDEX shares_held_idx ON shares (id) WHERE status = 'held';
-- due_scheduled_shares (cron release)
CREATE INDEX shares_scheduled_idx ON shares (scheduled_for) WHERE status = 'scheduled';
-- analytics per content item
CREATE INDEX shares_item_idx ON shares (content_item_id);

-- Every verdict a share ever received (at submit, and any re-check), never edited.
CREATE TABLE share_verdicts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- no foreign key: an append-only row outlives the erasure of the share it names
    share_id bigint NOT NULL,
    charter_id bigint,
    charter_version integer,
    outcome text NOT NULL CHECK (outcome IN ('allow', 'warn', 'review', 'block')),
    verdict jsonb NOT NULL,
    checked_text text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
-- verdicts_of_share
CREATE INDEX share_verdicts_share_idx ON share_verdicts (share_id, id);
CREATE TRIGGER share_verdicts_append_only BEFORE UPDATE OR DELETE ON share_verdicts
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

-- The visitor hashes of the sharer's own requests (creating, confirming a share): a click from one of them
-- is the sharer's own. Hashes use the daily key, so they match only on the day they were seen.
CREATE TABLE share_sharer_visitors (
    share_id bigint NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    visitor_hash bytea NOT NULL,
    PRIMARY KEY (share_id, visitor_hash)
);

-- /l/{code}: one per share that became ready; never removed while the share exists (links outlive content).
CREATE TABLE tracked_links (
    code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{10,32}$'),
    share_id bigint NOT NULL UNIQUE REFERENCES shares (id) ON DELETE CASCADE,
    target text NOT NULL CHECK (target ~ '^https?://'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per answered /l/{code} request. `counted` is NULL until the settle job decides it (bots and
-- self clicks are decided at once: false); visitor_hash_prev (the same visitor under the previous day's
-- key, for the 24 h window across the key rotation) is erased when the row is settled.
CREATE TABLE clicks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    share_id bigint NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    visitor_hash bytea NOT NULL,
    visitor_hash_prev bytea,
    counted boolean,
    self boolean NOT NULL DEFAULT false,
    bot boolean NOT NULL DEFAULT false,
    -- a link-preview crawler, answered with the Open Graph page (always bot)
    preview boolean NOT NULL DEFAULT false
);
-- unsettled_clicks (settle job)
CREATE INDEX clicks_unsettled_idx ON clicks (id) WHERE counted IS NULL;
-- settle job: the visitor's counted click on the share within the last 24 h
CREATE INDEX clicks_counted_visitor_idx ON clicks (share_id, visitor_hash, at) WHERE counted;
-- analytics: clicks of a share over a date range
CREATE INDEX clicks_share_at_idx ON clicks (share_id, at);

CREATE TABLE share_preferences (
    person_id bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    -- the employee's own Mastodon server, for its /share page (host name only)
    mastodon_instance text CHECK (mastodon_instance ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
