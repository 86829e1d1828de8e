"""Erasure (Art. 17): a dry run, and a crash-safe erasure that ends with a signed receipt.

The order makes every crash recoverable:

1. the domain decides first (``Person.erase``): a legal hold refuses, naming the hold and its
   basis, before anything is written;
2. the person's access records are copied, pseudonymously, into the access log kept after
   erasure (``kept_access_log``), and the person's key is destroyed and the ledger row
   written, in one transaction (``KeyStore.erase``): from here on their events are unreadable;
3. the tombstone is appended; it is non-personal and needs no key;
4. the read models are purged, a checkpoint of the log is signed, the receipt is signed and
   stored, and the erasure is appended to the ledger file.

If the process stops after step 2, running the erasure again (or ``suivi restore-check``)
finishes steps 3 and 4: it finds the ledger row, appends any missing tombstone and issues the
receipt. Erasing an erased person returns the receipt already issued.

The DPO's doors confirm first, with the person's file number, which the DPO reads on the
page (``erase_confirmed``); the command line erases by id.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from uuid import UUID

import msgspec

from domain.errors import InvalidValueError
from domain.person import LegalBasis, LegalHoldError, Person
from projections.directory import merged_records
from service.application import kept_access_log
from service.application.context import Actor, ApplicationContext
from service.gdpr import purge
from service.gdpr.guard import require_dpo
from service.gdpr.receipts import ErasureReceipt, receipt_for, sign, store_receipt
from service.gdpr.tools import ErasureTools, LedgerEntry
from service.storage.erasures import is_erased
from service.storage.eventstore.records import ConcurrencyError, NewEvent
from service.storage.eventstore.tamper import write_checkpoint


class HoldSummary(msgspec.Struct, frozen=True):
    hold_id: UUID
    basis: LegalBasis


class ErasurePlan(msgspec.Struct, frozen=True, kw_only=True):
    """What an erasure would remove (dry run). Counts and names only, no personal data."""

    person_id: UUID
    already_erased: bool
    erasable: bool
    legal_holds: list[HoldSummary]
    key_to_destroy: bool
    events_by_category: dict[str, int]
    """Events that become unreadable, by category."""
    read_model_rows: dict[str, int]
    """Read-model rows deleted, by projection."""


class ErasureRefusedError(LegalHoldError):
    """Art. 17(3): one or more legal holds forbid the erasure."""

    def __init__(self, person_id: UUID, holds: list[HoldSummary]) -> None:
        named = ", ".join(f"hold {h.hold_id} under {h.basis.value}" for h in holds)
        super().__init__(f"person {person_id} cannot be erased: {named}")
        self.person_id = person_id
        self.holds = holds


class ConfirmationMismatchError(InvalidValueError):
    """The file number typed to confirm an erasure is not the person's."""

    def __init__(self) -> None:
        super().__init__("does not match the person's file number; nothing was erased", field="confirm_file_number")


class Erasure(msgspec.Struct, frozen=True):
    receipt: ErasureReceipt
    repeated: bool
    """The person was erased before: this is the receipt issued then."""


def holds_of(person: Person) -> list[HoldSummary]:
    return [HoldSummary(h.hold_id, h.basis) for h in person.legal_holds]


async def plan_erasure(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> ErasurePlan:
    require_dpo(actor, "read")
    erased = await is_erased(ctx.pool, person_id)
    holds: list[HoldSummary] = []
    if not erased:
        holds = holds_of(await ctx.repository.get(Person, person_id))
    async with ctx.pool.acquire() as db:
        rows = await db.fetch(
            "SELECT category, count(*) AS n FROM events WHERE subject_id = $1 GROUP BY category ORDER BY category",
            person_id,
        )
        has_key = bool(await db.fetchval("SELECT EXISTS (SELECT 1 FROM subject_keys WHERE subject_id = $1)", person_id))
        read_models = await purge.count_rows(db, person_id)
    return ErasurePlan(
        person_id=person_id,
        already_erased=erased,
        erasable=not erased and not holds,
        legal_holds=holds,
        key_to_destroy=has_key,
        events_by_category={row["category"]: row["n"] for row in rows},
        read_model_rows=read_models,
    )


async def erase(ctx: ApplicationContext, actor: Actor, person_id: UUID, tools: ErasureTools) -> ErasureReceipt:
    """Erase the person and return the signed receipt (the same one if already erased)."""
    require_dpo(actor)
    earlier = await receipt_for(ctx.pool, person_id)
    if earlier is not None:
        return earlier
    at = ctx.clock()
    key_destroyed = False
    if not await is_erased(ctx.pool, person_id):
        person = await ctx.repository.get(Person, person_id)
        if person.legal_holds:
            raise ErasureRefusedError(person_id, holds_of(person))
        person.erase(at, actor.staff_id)  # the domain's own check, and nothing is saved from it
        kept = await kept_access_log.copies_of(ctx, person_id)
        async with ctx.pool.acquire() as db, db.transaction():
            await kept.write(db)  # with the key's destruction, or not at all
            key_destroyed = await ctx.keys.erase(person_id, at, db)
    async with ctx.pool.acquire() as db:  # the records merged into this person are the same person
        merged = await merged_records(db, person_id)
    receipt = await finish_erasure(ctx, person_id, at, actor.staff_id, tools, key_destroyed=key_destroyed)
    for record in merged:
        await erase(ctx, actor, record, tools)  # each with its own key, tombstone and receipt
    return receipt


async def erase_confirmed(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, confirm_file_number: str, tools: ErasureTools
) -> Erasure:
    """Erase the person once the DPO has typed their file number: erasure cannot be undone.

    A person erased before is answered with their receipt, unconfirmed: nothing more can
    happen to them, and their file number can no longer be read to compare.
    """
    require_dpo(actor)
    earlier = await receipt_for(ctx.pool, person_id)
    if earlier is not None:
        return Erasure(earlier, repeated=True)
    person = await ctx.repository.get(Person, person_id)  # not found, or erased meanwhile
    if not hmac.compare_digest(person.file_number.encode(), confirm_file_number.strip().encode()):
        raise ConfirmationMismatchError()
    return Erasure(await erase(ctx, actor, person_id, tools), repeated=False)


async def finish_erasure(
    ctx: ApplicationContext, person_id: UUID, at: datetime, by: UUID, tools: ErasureTools, *, key_destroyed: bool
) -> ErasureReceipt:
    """Steps 3 and 4, for a person whose key is already destroyed. Safe to repeat."""
    position, chain_hash = await append_tombstone(ctx, person_id, at, by)
    async with ctx.pool.acquire() as db:
        await purge.purge(db, [person_id])
        earlier = await receipt_for(ctx.pool, person_id)
        if earlier is not None:
            return earlier
        events = int(await db.fetchval("SELECT count(*) FROM events WHERE subject_id = $1", person_id))
        await write_checkpoint(db, tools.signer.checkpoint_key)
        checkpoint = await db.fetchrow(
            "SELECT id, position, event_count, log_digest FROM log_checkpoints ORDER BY id DESC LIMIT 1"
        )
        erased_at = await db.fetchval("SELECT erased_at FROM erasure_ledger WHERE subject_id = $1", person_id)
        receipt = sign(
            ErasureReceipt(
                receipt_id=ctx.new_id(),
                person_id=person_id,
                erased_at=erased_at or at,
                erased_by=by,
                events_made_unreadable=events,
                key_destroyed=key_destroyed,
                tombstone_position=position,
                tombstone_chain_hash=chain_hash.hex(),
                checkpoint_id=None if checkpoint is None else checkpoint["id"],
                checkpoint_position=None if checkpoint is None else checkpoint["position"],
                checkpoint_event_count=None if checkpoint is None else checkpoint["event_count"],
                checkpoint_digest=None if checkpoint is None else checkpoint["log_digest"].hex(),
            ),
            tools.signer,
        )
        kept = await store_receipt(db, receipt)
    tools.ledger.append([LedgerEntry(person_id, kept.erased_at, msgspec.json.encode(kept).decode())])
    return kept


async def append_tombstone(ctx: ApplicationContext, person_id: UUID, at: datetime, by: UUID) -> tuple[int, bytes]:
    """Append ``Person.Erased`` unless the stream has it; returns its position and chain hash.

    Built without loading the person, whose events can no longer be read.
    """
    store, codec = ctx.repository.store, ctx.repository.codec
    topic = codec.topic_of_class(Person.Erased)
    for _attempt in range(5):
        found = await _tombstone(ctx, person_id, topic)
        if found is not None:
            return found
        version = await store.current_version(person_id) + 1
        event = Person.Erased(  # type: ignore[call-arg]  # (dataclass fields the plugin-less mypy cannot see)
            originator_id=person_id, originator_version=version, timestamp=at, erased_by=by
        )
        try:
            await store.append(
                [NewEvent(person_id, version, topic, str(Person.Erased.CATEGORY), None, codec.encode(event))],
                actor_id=by,
            )
        except ConcurrencyError:
            continue
    found = await _tombstone(ctx, person_id, topic)
    if found is None:
        raise ConcurrencyError(person_id, -1, await store.current_version(person_id))
    return found


async def _tombstone(ctx: ApplicationContext, person_id: UUID, topic: str) -> tuple[int, bytes] | None:
    async with ctx.pool.acquire() as db:
        row = await db.fetchrow(
            "SELECT position, chain_hash FROM events WHERE stream_id = $1 AND topic = $2", person_id, topic
        )
    return None if row is None else (row["position"], row["chain_hash"])
