-- Identity and mail: outgoing messages, invitations, password resets, sign-in challenges, TOTP second factor.
-- Tokens that travel in links or challenges are stored only as SHA-256 hashes.

CREATE TABLE mail_messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    person_id bigint REFERENCES people (id) ON DELETE CASCADE,
    to_address text NOT NULL,
    language text NOT NULL CHECK (language IN ('fr', 'en')),
    -- the row of the domain this message is about (an invitation, a password reset), minted into a link
    -- at send time, so a link's token never rests in this table
    subject_ref bigint,
    context jsonb NOT NULL DEFAULT '{}'::jsonb,
    message_id text NOT NULL UNIQUE,
    -- queued → sending (committed just before the message goes out) → sent; a 5xx refusal: failed;
    -- found 'sending' by a later run (the worker died while the server was taking it): unknown, never resent
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
-- mail_of_person (tests, erasure)
CREATE INDEX mail_messages_person_idx ON mail_messages (person_id, id);

CREATE TABLE invitations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- set when the mail carrying the link is sent; a re-send replaces it (the older link stops working)
    token_hash bytea UNIQUE,
    -- no foreign key: the row outlives the erasure of the person who invited
    invited_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    sent_count integer NOT NULL DEFAULT 0,
    last_sent_at timestamptz,
    accepted_at timestamptz,
    revoked_at timestamptz
);
-- live_invitation_of_person: at most one open invitation per person
CREATE UNIQUE INDEX invitations_one_open ON invitations (person_id) WHERE accepted_at IS NULL AND revoked_at IS NULL;
-- invitations_page
CREATE INDEX invitations_created_idx ON invitations (id DESC);

CREATE TABLE password_resets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token_hash bytea UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
-- end_pending_resets_of_person
CREATE INDEX password_resets_person_idx ON password_resets (person_id) WHERE used_at IS NULL;

-- A password was right and a second factor is still to come (or to be enrolled, when required).
CREATE TABLE login_challenges (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    enrolment_required boolean NOT NULL DEFAULT false,
    -- the TOTP secret offered during an enrolment at sign-in (encrypted like connected-account tokens)
    enrolment_secret bytea,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE TABLE second_factors (
    person_id bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    -- encrypted with TOKEN_ENCRYPTION_KEYS (a TOTP secret must be read back to check codes)
    totp_secret bytea NOT NULL,
    confirmed_at timestamptz,
    -- the last 30-second step a code was accepted for: the same code is not accepted twice
    last_step bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at timestamptz
);
-- recovery_code_of_person
CREATE INDEX recovery_codes_person_idx ON recovery_codes (person_id, code_hash);
