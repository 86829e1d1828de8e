-- Each staff member's own office-hours site (none: the centre's main site), passwords set by
-- the admin that the person must replace, and what the admin did to each account.
ALTER TABLE staff ADD COLUMN site text;
ALTER TABLE staff ADD COLUMN password_temporary boolean NOT NULL DEFAULT false;

-- Staff are not beneficiaries: ids and the kind of change only, never a password or a hash.
CREATE TABLE staff_audit (
    audit_id   bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_id   uuid NOT NULL,
    staff_id   uuid NOT NULL REFERENCES staff,
    action     text NOT NULL CHECK (action IN ('created', 'changed', 'password_reset', 'unlocked'))
);
CREATE INDEX ON staff_audit (staff_id, at);
