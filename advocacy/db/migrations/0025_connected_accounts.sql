-- Connected accounts (direct publishing): the accounts an employee chose to connect, the single-use OAuth
-- states of connect flows in progress, our app registration per Mastodon instance, and the follower counts
-- people declare for reach estimates. Tokens and secrets are Fernet ciphertexts (TOKEN_ENCRYPTION_KEYS).

CREATE TABLE connected_accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    network text NOT NULL CHECK (network IN ('linkedin', 'x', 'mastodon', 'bluesky')),
    -- the API base used for this account: the Mastodon instance, the Bluesky PDS, or the network's API
    base_url text NOT NULL CHECK (base_url ~ '^https?://'),
    external_id text NOT NULL,
    handle text NOT NULL,
    display_name text,
    profile_url text,
    scopes text[] NOT NULL DEFAULT '{}',
    access_token bytea NOT NULL,
    refresh_token bytea,
    expires_at timestamptz,
    followers integer CHECK (followers IS NULL OR followers >= 0),
    followers_at timestamptz,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect')),
    status_reason text,
    connected_at timestamptz NOT NULL DEFAULT now(),
    refreshed_at timestamptz,
    last_used_at timestamptz,
    -- accounts_of_person, account_for_share: one account per person and network
    UNIQUE (person_id, network)
);

CREATE TABLE oauth_states (
    -- sha256 of the state sent to the provider: the database never holds a usable state
    state_hash bytea PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    network text NOT NULL CHECK (network IN ('linkedin', 'x', 'mastodon')),
    base_url text NOT NULL,
    code_verifier bytea NOT NULL,
    redirect_uri text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
-- purge_oauth_states
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

CREATE TABLE mastodon_apps (
    instance text NOT NULL CHECK (instance ~ '^https?://'),
    redirect_uri text NOT NULL,
    client_id text NOT NULL,
    client_secret bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance, redirect_uri)
);

-- Follower counts people declare themselves (any network), for share-page reach estimates.
CREATE TABLE declared_audiences (
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    network text NOT NULL CHECK (network IN ('linkedin', 'x', 'facebook', 'instagram', 'mastodon', 'bluesky')),
    followers integer NOT NULL CHECK (followers BETWEEN 0 AND 1000000000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, network)
);
