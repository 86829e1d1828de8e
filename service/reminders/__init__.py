"""Appointment reminders: made due as events, then delivered through an outbox (filled in by its area)."""
