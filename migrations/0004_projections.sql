-- Read models. Each projection owns one schema: its tables and its tracking row. A rebuild
-- fills a shadow copy of the schema and swaps it in, so reads keep working meanwhile.
-- Columns named *_sealed hold personal data encrypted under the person's own key.

CREATE TABLE projection_status (
    name        text PRIMARY KEY,
    state       text NOT NULL CHECK (state IN ('running', 'failed', 'rebuild_requested', 'rebuilding')),
    error       text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA rm_case_file;
CREATE TABLE rm_case_file.tracking (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    transaction_id bigint NOT NULL, position bigint NOT NULL);
CREATE TABLE rm_case_file.entries (
    position     bigint PRIMARY KEY,
    person_id    uuid NOT NULL,
    stream_id    uuid NOT NULL,
    recorded_at  timestamptz NOT NULL,
    actor_id     uuid,
    category     text NOT NULL,
    kind         text NOT NULL,
    body_sealed  bytea NOT NULL);
CREATE INDEX ON rm_case_file.entries (person_id, position);

CREATE SCHEMA rm_directory;
CREATE TABLE rm_directory.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_directory.people (
    person_id           uuid PRIMARY KEY,
    details_sealed      bytea NOT NULL,
    registered_at       timestamptz NOT NULL,
    restricted          boolean NOT NULL DEFAULT false,
    possible_duplicates uuid[] NOT NULL DEFAULT '{}');
-- Blind index: keyed HMACs of normalised name tokens, their trigrams, the birth date and
-- the file number. Nothing here can be read back without the index key.
CREATE TABLE rm_directory.tokens (
    person_id  uuid NOT NULL,
    kind       text NOT NULL,
    token      bytea NOT NULL,
    PRIMARY KEY (person_id, kind, token));
CREATE INDEX ON rm_directory.tokens (token);

CREATE SCHEMA rm_caseload;
CREATE TABLE rm_caseload.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_caseload.cases (
    case_id           uuid PRIMARY KEY,
    person_id         uuid NOT NULL,
    social_worker_id  uuid NOT NULL,
    domain            text NOT NULL,
    status            text NOT NULL,
    opened_at         timestamptz NOT NULL,
    closed_at         timestamptz);
CREATE INDEX ON rm_caseload.cases (social_worker_id, status);
CREATE TABLE rm_caseload.follow_ups (
    follow_up_id  uuid PRIMARY KEY,
    case_id       uuid NOT NULL,
    person_id     uuid NOT NULL,
    due_on        date NOT NULL,
    done          boolean NOT NULL DEFAULT false);
CREATE INDEX ON rm_caseload.follow_ups (case_id);
CREATE TABLE rm_caseload.referrals (
    referral_id       uuid PRIMARY KEY,
    person_id         uuid NOT NULL,
    source            text NOT NULL,
    organisation_kind text,
    status            text NOT NULL,
    made_at           timestamptz NOT NULL,
    made_by           uuid NOT NULL,
    answered_by       uuid,
    case_id           uuid);

CREATE SCHEMA rm_roster;
CREATE TABLE rm_roster.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_roster.cohorts (
    cohort_id      uuid PRIMARY KEY,
    name           text NOT NULL,
    site           text NOT NULL,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    session_days   date[] NOT NULL,
    hours_per_day  integer NOT NULL,
    capacity       integer NOT NULL,
    trainer_ids    uuid[] NOT NULL);
CREATE TABLE rm_roster.seats (
    cohort_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    record_id  uuid,
    status     text NOT NULL,
    PRIMARY KEY (cohort_id, person_id));
CREATE TABLE rm_roster.waiting (
    cohort_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    rank       bigint NOT NULL,
    PRIMARY KEY (cohort_id, person_id));
CREATE TABLE rm_roster.attendance (
    record_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    day        date NOT NULL,
    status     text NOT NULL,
    hours      numeric NOT NULL,
    PRIMARY KEY (record_id, day));

CREATE SCHEMA rm_board;
CREATE TABLE rm_board.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_board.visits (
    visit_id          uuid PRIMARY KEY,
    person_id         uuid NOT NULL,
    session_on        date NOT NULL,
    site              text NOT NULL,
    status            text NOT NULL,
    checked_in_at     timestamptz NOT NULL,
    called_at         timestamptz,
    helper_id         uuid,
    request_category  text,
    done_at           timestamptz);
CREATE INDEX ON rm_board.visits (session_on, site);

CREATE SCHEMA rm_training;
CREATE TABLE rm_training.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_training.cohorts (
    cohort_id      uuid PRIMARY KEY,
    name           text NOT NULL,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    session_days   integer NOT NULL);
CREATE TABLE rm_training.records (
    record_id       uuid PRIMARY KEY,
    person_id       uuid NOT NULL,
    cohort_id       uuid NOT NULL,
    status          text NOT NULL,
    hours_attended  numeric NOT NULL DEFAULT 0,
    days_present    integer NOT NULL DEFAULT 0,
    days_recorded   integer NOT NULL DEFAULT 0);
CREATE INDEX ON rm_training.records (person_id);
CREATE TABLE rm_training.attendance (
    record_id  uuid NOT NULL,
    day        date NOT NULL,
    status     text NOT NULL,
    hours      numeric NOT NULL,
    PRIMARY KEY (record_id, day));
CREATE TABLE rm_training.assessments (
    record_id   uuid NOT NULL,
    person_id   uuid NOT NULL,
    competence  text NOT NULL,
    kind        text NOT NULL,
    level       integer NOT NULL,
    PRIMARY KEY (record_id, competence, kind));
CREATE TABLE rm_training.digital_help (
    visit_id    uuid PRIMARY KEY,
    person_id   uuid NOT NULL,
    session_on  date NOT NULL,
    category    text NOT NULL,
    minutes     integer NOT NULL);
CREATE INDEX ON rm_training.digital_help (person_id);

CREATE SCHEMA rm_access_log;
CREATE TABLE rm_access_log.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_access_log.entries (
    position       bigint PRIMARY KEY,
    staff_id       uuid NOT NULL,
    person_id      uuid NOT NULL,
    accessed_at    timestamptz NOT NULL,
    view           text NOT NULL,
    purpose        text NOT NULL,
    basis          text NOT NULL,
    break_glass    boolean NOT NULL,
    reason_sealed  bytea);
CREATE INDEX ON rm_access_log.entries (person_id, position);
CREATE INDEX ON rm_access_log.entries (staff_id, position);

CREATE SCHEMA rm_statistics;
CREATE TABLE rm_statistics.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
-- Anonymous counters per month. No person id is kept: distinct people are counted through
-- keyed pseudonyms, and an erased person's pseudonyms become a plain count.
CREATE TABLE rm_statistics.counters (
    period     date NOT NULL,
    metric     text NOT NULL,
    dimension  text NOT NULL DEFAULT '',
    value      numeric NOT NULL,
    PRIMARY KEY (period, metric, dimension));
CREATE TABLE rm_statistics.served (
    period     date NOT NULL,
    pseudonym  bytea NOT NULL,
    PRIMARY KEY (period, pseudonym));
CREATE TABLE rm_statistics.open_items (
    item       bytea PRIMARY KEY,
    pseudonym  bytea NOT NULL,
    facts      bytea NOT NULL);
CREATE INDEX ON rm_statistics.open_items (pseudonym);

-- Reports handed to funders: frozen when issued, outside any projection, never rebuilt.
CREATE TABLE statistics_reports (
    report_id   uuid PRIMARY KEY,
    period_from date NOT NULL,
    period_to   date NOT NULL,
    issued_at   timestamptz NOT NULL,
    body        jsonb NOT NULL);
