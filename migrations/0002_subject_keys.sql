-- One data key per data subject, wrapped by the master key. Deleting the row shreds the
-- subject's events: the log keeps its rows, now unreadable.
CREATE TABLE subject_keys (
    subject_id      uuid PRIMARY KEY,
    key_version     integer NOT NULL,
    wrapped_key     bytea NOT NULL,
    master_key_id   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Subject ids and dates only: re-applied after a restore so that an erasure survives it.
CREATE TABLE erasure_ledger (
    subject_id      uuid PRIMARY KEY,
    erased_at       timestamptz NOT NULL
);

-- Which master key wraps the data keys, so a wrong key is refused with a clear message.
CREATE TABLE master_key_in_use (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    master_key_id   text NOT NULL
);
