"""Suivi domain model: pure aggregates, events, rules and the access policy."""
