-- Whose people a social worker keeps without breaking the glass: those she registered (and her
-- cases, open or closed within the retention period, which rm_caseload.cases already holds).
-- Referrals name their addressee, so that her own referrals are never shown to her as incoming.
-- No personal data: ids only.

CREATE TABLE rm_caseload.registrations (
    person_id      uuid PRIMARY KEY,
    registered_by  uuid NOT NULL);
CREATE INDEX ON rm_caseload.registrations (registered_by);

ALTER TABLE rm_caseload.referrals ADD COLUMN addressed_to uuid;
ALTER TABLE rm_caseload.referrals ADD COLUMN answered_at timestamptz;
CREATE INDEX ON rm_caseload.follow_ups (person_id);

-- Existing read models lack the registrations: rebuild the caseload from the log.
UPDATE projection_status SET state = 'rebuild_requested' WHERE name = 'caseload';
