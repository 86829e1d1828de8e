-- Staff accounts, sessions and sign-in throttling. Staff are not beneficiaries: their
-- names are kept in clear; passwords as Argon2id hashes; session tokens as SHA-256 hashes.
CREATE TABLE staff (
    staff_id       uuid PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username = lower(username)),
    display_name   text NOT NULL,
    password_hash  text NOT NULL,
    roles          text[] NOT NULL,
    language       text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL,
    version        integer NOT NULL DEFAULT 1
);

CREATE TABLE staff_sessions (
    token_hash    bytea PRIMARY KEY,
    staff_id      uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX ON staff_sessions (staff_id);

-- Keyed by the name typed, whether or not an account has it, so that throttling
-- says nothing about which accounts exist.
CREATE TABLE sign_in_throttle (
    username        text PRIMARY KEY,
    failures        integer NOT NULL,
    locked_until    timestamptz,
    last_failure_at timestamptz NOT NULL
);
