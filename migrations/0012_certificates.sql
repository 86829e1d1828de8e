-- The register of learners' certificates (projection "certificates").
--
-- registry: no personal data and no person_id column, so the erasure purge leaves it and
-- verification can still answer "issued on D, no longer held". holders: which learner holds
-- which certificate; removed with the person.
CREATE SCHEMA rm_certificates;
CREATE TABLE rm_certificates.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_certificates.registry (
    certificate_id  uuid PRIMARY KEY,
    kind            text NOT NULL,
    issued_on       date NOT NULL,
    digest          text NOT NULL,
    revoked_on      date);
CREATE TABLE rm_certificates.holders (
    certificate_id  uuid PRIMARY KEY,
    person_id       uuid NOT NULL,
    cohort_id       uuid NOT NULL,
    kind            text NOT NULL,
    issued_at       timestamptz NOT NULL);
CREATE INDEX ON rm_certificates.holders (person_id);
