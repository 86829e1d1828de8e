"""Content whose document event never landed: an upload whose append failed, or a process stopped
between the two. Found by the log alone, without decrypting anything.

A document's versions are numbered 1, 2, 3... with no gap (``Document.next_version``): version 1
comes with ``Document.Attached``, each later one with a ``Document.VersionAdded``. So version *v*
is in the log exactly when the document's stream holds at least *v* of those events.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from eventsourcing.utils import get_topic

from domain.document import Document
from service.documents.store import ORPHANS_AFTER, DocumentStore, DocumentVersion, LandedCheck

_CONTENT_EVENTS = [get_topic(Document.Attached), get_topic(Document.VersionAdded)]


def in_the_log(pool: asyncpg.Pool) -> LandedCheck:
    """The versions among the candidates whose event is in the log."""

    async def landed(candidates: Sequence[DocumentVersion]) -> set[DocumentVersion]:
        async with pool.acquire() as db:
            rows = await db.fetch(
                """SELECT t.d, t.v FROM unnest($1::uuid[], $2::int[]) AS t(d, v)
                   WHERE t.v <= (SELECT count(*) FROM events e
                                 WHERE e.stream_id = t.d AND e.topic = ANY($3::text[]))""",
                [d for d, _ in candidates],
                [v for _, v in candidates],
                _CONTENT_EVENTS,
            )
        return {(row["d"], row["v"]) for row in rows}

    return landed


async def sweep(store: DocumentStore, pool: asyncpg.Pool) -> int:
    """Delete the content of versions an hour old or more whose event never landed. Returns how many."""
    return await store.purge_orphans(in_the_log(pool), older_than=ORPHANS_AFTER)
