-- The DPO's review of break-glass accesses, and the access log kept pseudonymously after an erasure.
--
-- Each access-log row now names its access record, so that a review (a non-personal event)
-- can point at it. The reviews have no person_id: an erasure leaves them, and the rebuild
-- of the projection finds them again in the log.
ALTER TABLE rm_access_log.entries ADD COLUMN access_id uuid;
CREATE INDEX ON rm_access_log.entries (position) WHERE break_glass;
CREATE TABLE rm_access_log.reviews (
    access_id    uuid PRIMARY KEY,
    reviewed_by  uuid NOT NULL,
    reviewed_at  timestamptz NOT NULL);

-- Written by the erasure itself, before the person's key is destroyed, in the same transaction:
-- who read, when, through which view, for what purpose, on which basis (consent references
-- removed), and the break-glass reason sealed under the access log's own key (which erasure
-- never destroys). No person id, no name, no file number: the rows of one erased person share
-- a random pseudonym, drawn at erasure and kept nowhere else. Outside the projection schemas,
-- so that neither the purge nor a rebuild removes them.
CREATE TABLE access_log_after_erasure (
    position       bigint PRIMARY KEY,
    access_id      uuid NOT NULL,
    pseudonym      uuid NOT NULL,
    staff_id       uuid NOT NULL,
    accessed_at    timestamptz NOT NULL,
    view           text NOT NULL,
    purpose        text NOT NULL,
    basis          text NOT NULL,
    break_glass    boolean NOT NULL,
    reason_sealed  bytea);
CREATE INDEX ON access_log_after_erasure (staff_id, position);
CREATE INDEX ON access_log_after_erasure (position) WHERE break_glass;
