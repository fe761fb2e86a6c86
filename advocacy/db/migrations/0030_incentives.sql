-- Incentives: versioned points rules, the append-only points ledger and the per-person account rows that
-- serialise awards and redemptions, daily counters for caps, share flags (anti-gaming), badges,
-- recognition periods, challenges, the rewards catalogue and redemptions.
-- No foreign key to campaigns or shares: those tables belong to other areas and may arrive later.

CREATE TABLE points_rules (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version integer NOT NULL UNIQUE CHECK (version > 0),
    rules jsonb NOT NULL,
    note text,
    -- no foreign key: an append-only row outlives the erasure of the person it names
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER points_rules_append_only BEFORE UPDATE OR DELETE ON points_rules
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

CREATE TABLE points_ledger (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- no foreign key: an append-only row outlives the erasure of the person it names
    person_id bigint NOT NULL,
    -- the person's team when the points were written: boards are rebuilt from this, not today's team
    team_id bigint,
    kind text NOT NULL CHECK (kind IN ('share_published', 'click', 'engagement', 'kudos', 'streak_bonus',
        'reversal', 'release', 'challenge', 'redemption', 'refund')),
    points integer NOT NULL,
    -- click points kept back while the share is flagged for review (anti-gaming); released by a new row
    held_points integer NOT NULL DEFAULT 0,
    quantity integer NOT NULL DEFAULT 1,
    network text,
    campaign_id bigint,
    source_type text NOT NULL,
    source_id bigint,
    rule_version integer,
    reason_code text NOT NULL,
    note text,
    idempotency_key text NOT NULL UNIQUE,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- history_page (my points history), account rebuilds
CREATE INDEX points_ledger_person_idx ON points_ledger (person_id, id);
-- entries_of_sources (reversals, click caps per share, held clicks)
CREATE INDEX points_ledger_source_idx ON points_ledger (source_type, source_id);
-- share_weeks_of_people (streaks)
CREATE INDEX points_ledger_shares_idx ON points_ledger (person_id, occurred_at) WHERE kind = 'share_published';
CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

-- One row per person, updated in the transaction that writes their ledger rows: redemptions lock it
-- (SELECT ... FOR UPDATE) so concurrent spending is serialised. balance = sum(points) over the ledger.
CREATE TABLE points_accounts (
    person_id bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    balance bigint NOT NULL DEFAULT 0,
    earned bigint NOT NULL DEFAULT 0,
    shares integer NOT NULL DEFAULT 0,
    unique_clicks bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Counters the caps and the diminishing returns read (UTC days).
CREATE TABLE points_daily (
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    day date NOT NULL,
    points integer NOT NULL DEFAULT 0,
    shares integer NOT NULL DEFAULT 0,
    click_points integer NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, day)
);

CREATE TABLE share_flags (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    share_id bigint NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    reasons text[] NOT NULL,
    stats jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'confirmed')),
    flagged_at timestamptz NOT NULL DEFAULT now(),
    decided_by bigint,
    decided_at timestamptz,
    note text
);
-- flags_page (HR), open_flagged_shares (award holds click points)
CREATE INDEX share_flags_status_idx ON share_flags (status, id);

CREATE TABLE badge_awards (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    badge text NOT NULL,
    -- '' for a badge earned once in a lifetime, '2026-11' for a monthly one
    period text NOT NULL DEFAULT '',
    awarded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, badge, period)
);

CREATE TABLE recognition_periods (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period text NOT NULL UNIQUE CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
    winners jsonb NOT NULL,
    closed_by bigint,
    closed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recognition_notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind text NOT NULL,
    subject_fr text NOT NULL,
    subject_en text NOT NULL,
    badge_award_id bigint REFERENCES badge_awards (id) ON DELETE CASCADE,
    dedupe_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
-- notifications_of_person
CREATE INDEX recognition_notifications_person_idx ON recognition_notifications (person_id, id);

CREATE TABLE challenges (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name_fr text NOT NULL,
    name_en text NOT NULL,
    description text NOT NULL DEFAULT '',
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    team_ids bigint[] NOT NULL DEFAULT '{}',
    campaign_id bigint,
    goal text NOT NULL CHECK (goal IN ('threshold', 'top_n')),
    threshold integer CHECK (threshold > 0),
    top_n integer CHECK (top_n > 0),
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    CHECK (ends_at > starts_at),
    CHECK ((goal = 'threshold' AND threshold IS NOT NULL) OR (goal = 'top_n' AND top_n IS NOT NULL))
);
-- challenges_due (the cron that records results)
CREATE INDEX challenges_open_idx ON challenges (ends_at) WHERE closed_at IS NULL;

CREATE TABLE challenge_results (
    challenge_id bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    points bigint NOT NULL,
    rank integer NOT NULL,
    won boolean NOT NULL,
    PRIMARY KEY (challenge_id, person_id)
);

CREATE TABLE rewards (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    image_url text,
    cost integer NOT NULL CHECK (cost > 0),
    -- NULL: unlimited
    stock integer CHECK (stock >= 0),
    per_person_limit integer CHECK (per_person_limit > 0),
    active_from timestamptz,
    active_until timestamptz,
    -- empty: every team
    eligible_team_ids bigint[] NOT NULL DEFAULT '{}',
    archived boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE redemptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    reward_id bigint NOT NULL REFERENCES rewards (id),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    cost integer NOT NULL,
    status text NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested', 'approved', 'fulfilled', 'rejected')),
    note text,
    decided_by bigint,
    requested_at timestamptz NOT NULL DEFAULT now(),
    approved_at timestamptz,
    fulfilled_at timestamptz,
    rejected_at timestamptz
);
-- redemptions_of_person, the per-person limit count
CREATE INDEX redemptions_person_idx ON redemptions (person_id, reward_id);
-- redemptions_page (HR) by status
CREATE INDEX redemptions_status_idx ON redemptions (status, id);
