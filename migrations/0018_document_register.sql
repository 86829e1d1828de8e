-- Which documents (scans) each person and case has, for listing them: ids, category and dates
-- only. The title, the versions and every byte are read from the document's own events and
-- from the encrypted store (0017), under the person's key. Erasure deletes the rows.

CREATE SCHEMA rm_documents;
CREATE TABLE rm_documents.tracking (LIKE rm_case_file.tracking INCLUDING ALL);
CREATE TABLE rm_documents.documents (
    document_id  uuid PRIMARY KEY,
    person_id    uuid NOT NULL,
    case_id      uuid,
    category     text NOT NULL,
    attached_at  timestamptz NOT NULL,
    withdrawn    boolean NOT NULL DEFAULT false);
CREATE INDEX ON rm_documents.documents (person_id);
CREATE INDEX ON rm_documents.documents (case_id);
