-- GDPR toolkit. Signed erasure receipts hold no personal data: the person's id, times,
-- counts and hashes. One receipt per erased person, so a read of an erased person can
-- answer 410 Gone naming it.
CREATE TABLE erasure_receipts (
    receipt_id  uuid PRIMARY KEY,
    person_id   uuid NOT NULL UNIQUE,
    issued_at   timestamptz NOT NULL,
    document    bytea NOT NULL
);

-- Rights requests are found by topic among the few gdpr events.
CREATE INDEX events_gdpr_by_topic ON events (topic, stream_id) WHERE category = 'gdpr';

-- Non-personal events (cohorts, tombstones) are few: the export reads the cohort events that
-- name a person without scanning the log.
CREATE INDEX events_non_personal ON events (category, stream_id, version) WHERE subject_id IS NULL;
