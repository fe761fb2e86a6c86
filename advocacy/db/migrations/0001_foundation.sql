-- Foundation: organisation, people, teams, roles, credentials, charters, consent, outbox, idempotency, audit.

-- Append-only tables call this from a trigger: history is never edited, only added to.
CREATE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE organisation (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- find_or_create_team, import_people: teams are named case-insensitively
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    email text NOT NULL,
    display_name text NOT NULL,
    team_id bigint REFERENCES teams (id) ON DELETE SET NULL,
    location text,
    language text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    job_title text,
    timezone text NOT NULL DEFAULT 'Europe/Paris',
    active boolean NOT NULL DEFAULT true,
    password_hash text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- person_by_email, upsert_person: e-mail is the natural key, compared case-insensitively
CREATE UNIQUE INDEX people_email_key ON people (lower(email));
-- people_page filtered by team
CREATE INDEX people_team_idx ON people (team_id);

CREATE TABLE person_roles (
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('employee', 'curator', 'reviewer', 'compliance', 'hr', 'admin')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE api_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
-- tokens_of_person
CREATE INDEX api_tokens_person_idx ON api_tokens (person_id, id);

CREATE TABLE web_sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE TABLE charters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version integer NOT NULL UNIQUE CHECK (version > 0),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'retired')),
    title text NOT NULL,
    body_fr text NOT NULL,
    body_en text NOT NULL,
    material_change boolean NOT NULL DEFAULT false,
    rules jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by bigint REFERENCES people (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz
);
-- exactly one active version at a time
CREATE UNIQUE INDEX charters_one_active ON charters ((true)) WHERE status = 'active';

CREATE TABLE charter_activations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    charter_id bigint NOT NULL REFERENCES charters (id),
    material_change boolean NOT NULL,
    -- no foreign key: an append-only row outlives the erasure of the person it names
    activated_by bigint,
    activated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER charter_activations_append_only BEFORE UPDATE OR DELETE ON charter_activations
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

CREATE TABLE ambassadors (
    person_id bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
    charter_id bigint REFERENCES charters (id),
    accepted_at timestamptz,
    expires_at timestamptz,
    opted_out_at timestamptz,
    visibility text NOT NULL DEFAULT 'public'
        CHECK (visibility IN ('public', 'team_only', 'anonymous', 'hidden')),
    -- stable number shown as "Ambassador #N" to people who chose to be anonymous
    alias_number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consent_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('opted_in', 'renewed', 'reaccepted', 'opted_out', 'visibility_changed')),
    charter_id bigint REFERENCES charters (id),
    visibility text,
    at timestamptz NOT NULL DEFAULT now()
);
-- consent_history_of_person
CREATE INDEX consent_events_person_idx ON consent_events (person_id, id);
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();

CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job text NOT NULL,
    args jsonb NOT NULL DEFAULT '{}'::jsonb,
    dedupe_key text UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'enqueued', 'done', 'parked')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    enqueued_at timestamptz,
    done_at timestamptz
);
-- due_outbox_rows: the relay's scan
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
-- stale_enqueued_rows: rows whose queue entry may have been lost
CREATE INDEX outbox_enqueued_idx ON outbox (enqueued_at) WHERE status = 'enqueued';
-- parked_outbox_rows
CREATE INDEX outbox_parked_idx ON outbox (id) WHERE status = 'parked';

CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status_code integer,
    content_type text,
    body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
-- purge_old_idempotency_keys
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    -- no foreign key: an append-only row outlives the erasure of the person it names
    actor_id bigint,
    action text NOT NULL,
    subject_type text NOT NULL,
    subject_id text,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- audit_page filtered by action / subject
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_mutation();
