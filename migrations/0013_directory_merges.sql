-- Two records of one person, merged: the duplicate's directory row names the record it was
-- merged into, so that its file opens the kept one, a search lists the kept one only, and the
-- kept file gathers both histories. An id only: nothing here says who the person is.
ALTER TABLE rm_directory.people ADD COLUMN merged_into uuid;
CREATE INDEX ON rm_directory.people (merged_into) WHERE merged_into IS NOT NULL;
