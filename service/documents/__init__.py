"""Documents (scans): kept encrypted under the person's key, in chunks, in PostgreSQL."""
