-- The event log. Rows are appended, never updated; erasure destroys keys, not rows.
CREATE TABLE events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Readers order by (transaction_id, position) and only read below the oldest running
    -- transaction, so a row that commits late with a lower position is never skipped.
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       uuid NOT NULL,
    version         integer NOT NULL CHECK (version > 0),
    topic           text NOT NULL,
    category        text NOT NULL CHECK (category IN
                        ('identity', 'consent', 'training', 'office_hours', 'social_legal', 'gdpr', 'access')),
    subject_id      uuid,
    recorded_at     timestamptz NOT NULL,
    actor_id        uuid,
    key_version     integer NOT NULL,  -- 0: a non-personal event, stored unencrypted
    payload         bytea NOT NULL,
    chain_hash      bytea NOT NULL,    -- sha256 over the previous hash of the stream and this row
    CONSTRAINT events_stream_version UNIQUE (stream_id, version)
);

CREATE INDEX events_log_order ON events (transaction_id, position);
CREATE INDEX events_by_subject ON events (subject_id, position) WHERE subject_id IS NOT NULL;

-- One row per command that carried an idempotency key: a retry returns this result.
CREATE TABLE command_results (
    idempotency_key text PRIMARY KEY,
    fingerprint     bytea NOT NULL,
    stream_ids      uuid[] NOT NULL,
    versions        integer[] NOT NULL,
    response        bytea NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

-- Signed checkpoints of the whole log, for tamper evidence.
CREATE TABLE log_checkpoints (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8 NOT NULL,
    position        bigint NOT NULL,
    event_count     bigint NOT NULL,
    log_digest      bytea NOT NULL,
    public_key      bytea NOT NULL,
    signature       bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
