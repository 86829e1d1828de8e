-- Appointments (rendez-vous): the agenda read model, and the staff members' calendar feeds.
--
-- rm_agenda.appointments: one row per appointment, for the agendas per staff member and per
-- site. Ids, times, places and statuses only: the person's name is never stored here (the
-- views look it up through the directory, recording the read).
CREATE SCHEMA rm_agenda;
CREATE TABLE rm_agenda.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_agenda.appointments (
    appointment_id  uuid PRIMARY KEY,
    person_id       uuid NOT NULL,
    kind            text NOT NULL,
    staff_id        uuid,
    site            text NOT NULL,
    starts_at       timestamptz NOT NULL,
    minutes         integer NOT NULL,
    status          text NOT NULL,
    booked_by       uuid NOT NULL,
    visit_id        uuid,
    version         integer NOT NULL);
CREATE INDEX ON rm_agenda.appointments (staff_id, starts_at);
CREATE INDEX ON rm_agenda.appointments (site, starts_at);
CREATE INDEX ON rm_agenda.appointments (starts_at) WHERE status = 'booked';
CREATE INDEX ON rm_agenda.appointments (person_id);

-- A person checked in from an office-hours booking shows on the board as "sur rendez-vous".
ALTER TABLE rm_board.visits ADD COLUMN booked boolean NOT NULL DEFAULT false;

-- Each staff member's secret calendar feed (iCalendar). Only a hash of the token is kept: the
-- URL is shown once, when it is made. A revoked feed answers 404.
CREATE TABLE agenda_feeds (
    token_hash  bytea PRIMARY KEY,
    staff_id    uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz);
CREATE INDEX ON agenda_feeds (staff_id) WHERE revoked_at IS NULL;
