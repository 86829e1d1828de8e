-- Funder reports (issue 14). People are counted per group (a service, the learners of a
-- DigComp area) so that a gain or a rate is published only for enough people; keyed
-- pseudonyms only, as in rm_statistics.served. A rebuild of the statistics projection
-- fills it for the events before this migration.
CREATE TABLE rm_statistics.members (
    period     date NOT NULL,
    grp        text NOT NULL,
    pseudonym  bytea NOT NULL,
    PRIMARY KEY (period, grp, pseudonym));
CREATE INDEX ON rm_statistics.members (pseudonym);

-- The reports issued before small-cell suppression published counts of one person: they are
-- kept as they were handed out, apart, and never served again.
ALTER TABLE statistics_reports RENAME TO statistics_reports_before_suppression;

-- A report handed out is kept as the bytes handed out (its JSON table, its CSV and XLSX
-- files), each with its SHA-256 digest: later events, erasures, rebuilds or new words
-- never change it. Anonymous figures only.
CREATE TABLE statistics_reports (
    report_id    uuid PRIMARY KEY,
    period_from  date NOT NULL,
    period_to    date NOT NULL,
    issued_at    timestamptz NOT NULL,
    issued_by    uuid NOT NULL,
    language     text NOT NULL);
CREATE TABLE statistics_report_files (
    report_id  uuid NOT NULL REFERENCES statistics_reports (report_id),
    format     text NOT NULL CHECK (format IN ('json', 'csv', 'xlsx')),
    content    bytea NOT NULL,
    digest     bytea NOT NULL,
    PRIMARY KEY (report_id, format));
