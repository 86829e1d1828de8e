"""Benchmarks of the event store, run with ``make bench`` (never part of ``make test``).

Every figure is printed next to a baseline measured in the same run on the same server:
a raw asyncpg INSERT into a copy of the events table (the ceiling), the eventsourcing
library's own PostgreSQL recorder, and a raw SELECT for catch-up. The machine is shared
and noisy, so the tables show medians of repeated short windows and ratios of paired runs.
"""
