-- Secrets the service derives its keyed hashes from (blind index, statistics pseudonyms).
-- Wrapped by the master key like the data keys, and re-wrapped with them on rotation, so a
-- rotation does not invalidate the blind index.
CREATE TABLE system_secrets (
    name           text PRIMARY KEY,
    wrapped_secret bytea NOT NULL,
    master_key_id  text NOT NULL
);
