-- The reminders' outbox: what the sender still has to deliver, and how it went.
--
-- It holds no address, no phone number and no message text: those are in the reminder's own
-- event (Reminder.MadeDue), sealed under the person's key, which the sender opens. So an
-- erasure leaves nothing readable here; the purge still deletes the person's rows.
-- reminder_id is the reminder's stream and the delivery id the provider deduplicates on.
CREATE TABLE reminder_outbox (
    reminder_id      uuid PRIMARY KEY,
    appointment_id   uuid NOT NULL,
    person_id        uuid NOT NULL,
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    status           text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    -- A sender holds the row until leased_until: another sender takes it only after, so two
    -- senders never send the same reminder at once, and a sender that died gives it back.
    leased_until     timestamptz,
    leased_by        text,
    -- A code (domain.reminder.FailureReason or WithdrawalReason), never the provider's answer.
    reason           text,
    made_due_at      timestamptz NOT NULL,
    finished_at      timestamptz
);
CREATE INDEX reminder_outbox_to_send ON reminder_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX reminder_outbox_by_appointment ON reminder_outbox (appointment_id);
CREATE INDEX reminder_outbox_by_person ON reminder_outbox (person_id);
CREATE INDEX reminder_outbox_failed ON reminder_outbox (finished_at) WHERE status = 'failed';
