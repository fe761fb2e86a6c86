-- Single sign-on (advocacy/identity/sso): which person a provider's subject is, and which web sessions a
-- provider's session opened (so that its logout, back-channel or SAML SLO, ends exactly those).

CREATE TABLE sso_links (
    issuer text NOT NULL,
    subject text NOT NULL,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
-- links_of_person: what a person's erasure and export read
CREATE INDEX sso_links_person_idx ON sso_links (person_id);

CREATE TABLE sso_sessions (
    session_id bigint PRIMARY KEY REFERENCES web_sessions (id) ON DELETE CASCADE,
    issuer text NOT NULL,
    subject text NOT NULL,
    provider_session text
);
-- end_provider_sessions: by the provider's session id (sid, SessionIndex), else by subject
CREATE INDEX sso_sessions_sid_idx ON sso_sessions (issuer, provider_session);
CREATE INDEX sso_sessions_subject_idx ON sso_sessions (issuer, subject);
