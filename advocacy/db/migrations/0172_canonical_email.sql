-- One canonical form of an e-mail address, the same in SQL and in Python (advocacy.core.emails): ASCII
-- letters folded to lower case, every other character kept as typed. PostgreSQL's lower() follows the
-- server's locale and Python's str.lower() follows Unicode, and they disagree (U+0130 'İ' is one letter to
-- one and two to the other), so neither is used on addresses any more.
CREATE FUNCTION canonical_email(address text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(address, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;

-- person_by_email, login_record_by_email, existing_people_by_email: one person per canonical address.
-- Canonical forms are finer than lower()'s, so every address unique before is unique still.
DROP INDEX people_email_key;
CREATE UNIQUE INDEX people_email_key ON people (canonical_email(email));
