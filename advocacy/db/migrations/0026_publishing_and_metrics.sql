-- Direct publishing state per share (so a retry never posts twice) and append-only metric snapshots.

CREATE TABLE share_publications (
    share_id bigint PRIMARY KEY REFERENCES shares (id) ON DELETE CASCADE,
    account_id bigint REFERENCES connected_accounts (id) ON DELETE SET NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'published', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    -- a post request went out and no answer said what happened: look for the post before sending again
    outcome_unknown boolean NOT NULL DEFAULT false,
    last_error text,
    reason_fr text,
    reason_en text,
    not_before timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE share_metrics (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- no foreign key: an append-only row outlives the erasure of the share it names
    share_id bigint NOT NULL,
    network text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    likes integer NOT NULL CHECK (likes >= 0),
    comments integer NOT NULL CHECK (comments >= 0),
    reposts integer NOT NULL CHECK (reposts >= 0),
    impressions integer CHECK (impressions IS NULL OR impressions >= 0)
);
-- latest_metrics (analytics, DISTINCT ON share), shares_due_for_metrics (last snapshot per share)
CREATE INDEX share_metrics_share_idx ON share_metrics (share_id, at DESC);
CREATE TRIGGER share_metrics_append_only BEFORE UPDATE OR DELETE ON share_metrics
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

-- shares_due_for_metrics: direct shares that went out
CREATE INDEX shares_published_direct_idx ON shares (published_at) WHERE mode = 'direct' AND status = 'published';
