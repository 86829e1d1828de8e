"""Helpers of the application-service tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import asyncio
from uuid import UUID

from domain.base import SuiviAggregate
from domain.person import ContactDetails, PersonDetails
from service.application.context import Actor, ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.storage.eventstore.records import AppendResult
from service.storage.repository import Repository
from service.storage.runtime import Runtime


def details(given: str, family: str, phone: str | None = None) -> PersonDetails:
    return PersonDetails(given_name=given, family_name=family, contact=ContactDetails(phone=phone))


async def register(ctx: ApplicationContext, actor: Actor, given: str, family: str, phone: str | None = None) -> UUID:
    registered = await register_person(ctx, actor, RegisterPerson(details(given, family, phone)))
    return registered.person_id


async def count_events(runtime: Runtime) -> int:
    async with runtime.pool.acquire() as connection:
        return int(await connection.fetchval("SELECT count(*) FROM events"))


class MeetBeforeSaving(Repository):
    """Holds the first ``parties`` saves until all have loaded: a conflict on demand."""

    def __init__(self, repository: Repository, parties: int) -> None:
        super().__init__(repository.store, repository.codec)
        self._barrier = asyncio.Barrier(parties)
        self._to_hold = parties

    async def save(
        self,
        *aggregates: SuiviAggregate,
        actor_id: UUID | None,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        response: bytes = b"",
    ) -> AppendResult:
        if self._to_hold > 0:
            self._to_hold -= 1
            await self._barrier.wait()
        return await super().save(
            *aggregates,
            actor_id=actor_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            response=response,
        )
