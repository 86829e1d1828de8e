-- Outages. A projection that has lost the database says so ('reconnecting') while it tries again,
-- and each tracking row records when the projection last committed a batch, so that status and
-- /ready can tell a projection that is stuck from one that is merely busy.

ALTER TABLE projection_status DROP CONSTRAINT projection_status_state_check;
ALTER TABLE projection_status ADD CONSTRAINT projection_status_state_check
    CHECK (state IN ('running', 'failed', 'rebuild_requested', 'rebuilding', 'reconnecting'));

ALTER TABLE rm_case_file.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_directory.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_caseload.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_roster.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_board.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_training.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_access_log.tracking ADD COLUMN progressed_at timestamptz;
ALTER TABLE rm_statistics.tracking ADD COLUMN progressed_at timestamptz;
