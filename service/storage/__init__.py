"""Where the data lives: PostgreSQL (embedded or not), the event store, the keys, and the codec."""
