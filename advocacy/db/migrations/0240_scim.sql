-- SCIM 2.0 provisioning (advocacy/scim): the organisation's SCIM bearer tokens, the SCIM face of people
-- (userName, externalId and what the provider sent) and SCIM groups with their members.

-- scim_client_for_token: a token grants SCIM calls only; only its SHA-256 is kept.
CREATE TABLE scim_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_by bigint REFERENCES people (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);

-- A person the provider manages: their userName (unique, compared without case, RFC 7643 4.1.1),
-- externalId, and the attributes it sent that have no column of their own (kept to answer them back).
CREATE TABLE scim_users (
    person_id bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    user_name text NOT NULL,
    external_id text,
    attributes jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- scim_user_by_user_name, the userName eq filter and its uniqueness
CREATE UNIQUE INDEX scim_users_user_name_key ON scim_users (lower(user_name));
-- the externalId eq filter
CREATE INDEX scim_users_external_id_idx ON scim_users (external_id);

-- A provider's group: a team of the same name, or (when the SSO group -> role table names it) a role group.
CREATE TABLE scim_groups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    display_name text NOT NULL,
    external_id text,
    team_id bigint REFERENCES teams (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- the displayName filters and uniqueness of a group's name
CREATE UNIQUE INDEX scim_groups_display_name_key ON scim_groups (lower(display_name));

CREATE TABLE scim_group_members (
    group_id bigint NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    display text,  -- the member's label as the provider sent it, answered back as sent
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, person_id)
);
-- groups_of_person: a person's groups (their team and roles follow them)
CREATE INDEX scim_group_members_person_idx ON scim_group_members (person_id);
