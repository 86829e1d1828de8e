-- Human-readable file numbers (numéros de dossier), "2026-00042": one counter per year.
-- Allocated with INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so concurrent registrations
-- never share a number. The counter commits apart from the event append, so a failed
-- registration leaves a gap: numbers are unique and increasing, not gapless.
CREATE TABLE file_number_counters (
    year            integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_number     integer NOT NULL CHECK (last_number > 0)
);
