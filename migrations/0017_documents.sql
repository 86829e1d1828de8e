-- Documents (scans), issue 16: their content, sealed chunk by chunk under the person's key.
-- Nothing here is in clear: not the content, not its digest, not its size (only the number
-- of chunks shows). The title, kind and deadline live in the document's (encrypted) events.
--
-- A person's chunks go with their key: erasure deletes the key row, and the rows below go
-- in the same transaction (ON DELETE CASCADE); a chunk can never be written for a person
-- whose key is gone (the foreign key), even by an upload that was under way at the erasure.

-- One row per stored version: written before its chunks; checked once by the orphan sweep,
-- which deletes the content of a version whose document event never landed.
CREATE TABLE document_contents (
    document_id  uuid NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    subject_id   uuid NOT NULL REFERENCES subject_keys (subject_id) ON DELETE CASCADE,
    written_at   timestamptz NOT NULL DEFAULT now(),
    landed       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX document_contents_by_subject ON document_contents (subject_id);
CREATE INDEX document_contents_unchecked ON document_contents (written_at) WHERE NOT landed;

-- AES-256-GCM per chunk (nonce + ciphertext + tag), the associated data binding the document,
-- the version, the chunk's index and whether it is the last: a chunk swapped, moved, dropped
-- or cut off fails to open.
CREATE TABLE document_chunks (
    document_id  uuid NOT NULL,
    version      integer NOT NULL,
    chunk_index  integer NOT NULL CHECK (chunk_index >= 0),
    subject_id   uuid NOT NULL REFERENCES subject_keys (subject_id) ON DELETE CASCADE,
    key_version  integer NOT NULL,
    sealed       bytea NOT NULL,
    PRIMARY KEY (document_id, version, chunk_index),
    FOREIGN KEY (document_id, version) REFERENCES document_contents (document_id, version) ON DELETE CASCADE
);
CREATE INDEX document_chunks_by_subject ON document_chunks (subject_id);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE document_chunks ALTER COLUMN sealed SET STORAGE EXTERNAL;
