"""Every break-glass access in one list, for the DPO to review: who, whom, when, which view, and why.

Whom is the person's name and file number while the DPO may still read them (showing them is
recorded, as oversight); once the person is erased, the access is kept pseudonymously and
says only that the person was erased. Marking an access reviewed is a command
(``service.application.gdpr.review_break_glass``); the review is kept with who did it and when.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.policy import Scope
from projections.access_log import read_access_log, reviews_of
from projections.directory import listings
from service.application.context import Actor, ApplicationContext
from service.application.kept_access_log import read_kept
from service.application.views.access_log import AccessLogEntry, reads_access_log, record_oversight


class BreakGlassAccess(msgspec.Struct, frozen=True):
    access_id: UUID | None
    """What to mark reviewed (None only for an access recorded before reviews existed)."""
    staff_id: UUID
    accessed_at: datetime
    view: str
    reason: str | None
    person_id: UUID | None
    """None once the person is erased."""
    given_name: str | None
    family_name: str | None
    file_number: str | None
    erased: bool
    reviewed_by: UUID | None
    reviewed_at: datetime | None


async def break_glass_accesses(
    ctx: ApplicationContext, actor: Actor, *, unreviewed_only: bool = False, limit: int = 200
) -> list[BreakGlassAccess]:
    """Every break-glass access, newest first, people since erased included; or only those not reviewed yet."""
    reads_access_log(actor, Scope.ALL)
    async with ctx.pool.acquire() as db:
        live = await read_access_log(
            db, ctx.sealer, break_glass_only=True, unreviewed_only=unreviewed_only, limit=limit
        )
    kept = await read_kept(ctx, break_glass_only=True, unreviewed_only=unreviewed_only, limit=limit)
    entries = [AccessLogEntry.of(e, with_reason=True) for e in live] + [AccessLogEntry.kept(k) for k in kept]
    entries = sorted(entries, key=lambda e: e.position, reverse=True)[:limit]
    people = list(dict.fromkeys(e.person_id for e in entries if e.person_id is not None))
    async with ctx.pool.acquire() as db:
        found = {f.person_id: f for f in await listings(db, ctx.sealer, people, limit=len(people) or 1)}
        reviews = await reviews_of(db, [e.access_id for e in entries if e.access_id is not None])
    await record_oversight(ctx, actor, list(found), "break_glass_review")
    shown = []
    for e in entries:
        listing = found.get(e.person_id) if e.person_id is not None else None
        review = reviews.get(e.access_id) if e.access_id is not None else None
        shown.append(
            BreakGlassAccess(
                access_id=e.access_id,
                staff_id=e.staff_id,
                accessed_at=e.accessed_at,
                view=e.view,
                reason=e.reason,
                person_id=e.person_id,
                given_name=listing.details.given_name if listing else None,
                family_name=listing.details.family_name if listing else None,
                file_number=listing.file_number if listing else None,
                erased=e.erased or (e.person_id is not None and listing is None),
                reviewed_by=review.reviewed_by if review else None,
                reviewed_at=review.reviewed_at if review else None,
            )
        )
    return shown
