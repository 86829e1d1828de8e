"""Every personal event is encrypted under its subject's key; erasure shreds it."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from service.storage.eventstore.records import NewEvent
from service.storage.keys.master_key import MasterKey, MasterKeyError
from service.storage.keys.subject_keys import DecryptionError, SubjectErasedError
from service.storage.runtime import Runtime, open_runtime

SECRET = b"Nadia Benali, 12 rue Saint-Gilles, residence permit renewal"


async def stored_payloads(runtime: Runtime) -> list[bytes]:
    async with runtime.pool.acquire() as connection:
        return [r["payload"] for r in await connection.fetch("SELECT payload FROM events ORDER BY position")]


async def erase(runtime: Runtime, subject, clock) -> None:
    async with runtime.pool.acquire() as connection, connection.transaction():
        await runtime.keys.erase(subject, clock(), connection)


async def test_personal_payload_is_stored_encrypted_and_read_back_in_clear(runtime: Runtime) -> None:
    person = uuid4()
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET)])
    (stored,) = await stored_payloads(runtime)
    assert SECRET not in stored and b"Nadia" not in stored
    (recorded,) = await runtime.store.read_subject(person)
    assert recorded.payload == SECRET


async def test_non_personal_event_is_stored_as_is(runtime: Runtime) -> None:
    await runtime.store.append([NewEvent(uuid4(), 1, "t:CohortPlanned", "training", None, b"cohort")])
    assert await stored_payloads(runtime) == [b"cohort"]


async def test_each_subject_has_its_own_key(runtime: Runtime) -> None:
    a, b = uuid4(), uuid4()
    await runtime.store.append(
        [
            NewEvent(uuid4(), 1, "t:R", "identity", a, SECRET),
            NewEvent(uuid4(), 1, "t:R", "identity", b, SECRET),
        ]
    )
    async with runtime.pool.acquire() as connection:
        keys = await connection.fetch("SELECT wrapped_key FROM subject_keys")
    assert len({k["wrapped_key"] for k in keys}) == 2


async def test_ciphertext_moved_to_another_row_fails_to_decrypt(runtime: Runtime) -> None:
    person, stream = uuid4(), uuid4()
    await runtime.store.append(
        [
            NewEvent(stream, 1, "t:A", "identity", person, b"one"),
            NewEvent(stream, 2, "t:B", "identity", person, b"two"),
        ]
    )
    async with runtime.pool.acquire() as connection:
        await connection.execute(
            "UPDATE events SET payload = (SELECT payload FROM events WHERE version = 1) WHERE version = 2"
        )
    with pytest.raises(DecryptionError) as raised:
        await runtime.store.read_stream(stream)
    assert "one" not in str(raised.value)


async def test_erased_subject_reads_as_an_explicit_marker(runtime: Runtime, clock) -> None:
    person, other = uuid4(), uuid4()
    await runtime.store.append(
        [
            NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET),
            NewEvent(uuid4(), 1, "t:Registered", "identity", other, b"other"),
        ]
    )
    before = await stored_payloads(runtime)
    await erase(runtime, person, clock)
    (marker,) = await runtime.store.read_subject(person)
    assert marker.erased and marker.payload is None
    assert (await runtime.store.read_subject(other))[0].payload == b"other"
    assert await stored_payloads(runtime) == before, "erasure destroys the key, not the rows"
    async with runtime.pool.acquire() as connection:
        ledger = await connection.fetch("SELECT * FROM erasure_ledger")
    assert [tuple(r.keys()) for r in ledger] == [("subject_id", "erased_at")]


async def test_nothing_new_can_be_written_for_an_erased_subject(runtime: Runtime, clock) -> None:
    person = uuid4()
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET)])
    await erase(runtime, person, clock)
    with pytest.raises(SubjectErasedError):
        await runtime.store.append([NewEvent(uuid4(), 1, "t:NoteAdded", "social_legal", person, b"note")])


async def test_erasure_makes_other_processes_drop_their_cached_key(
    runtime: Runtime, database_url: str, master_key: MasterKey, clock
) -> None:
    person = uuid4()
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET)])
    async with open_runtime(database_url, master_key) as other_process:
        assert (await other_process.store.read_subject(person))[0].payload == SECRET  # now cached there
        await erase(runtime, person, clock)
        for _ in range(50):
            if (await other_process.store.read_subject(person))[0].erased:
                break
            await asyncio.sleep(0.05)
        assert (await other_process.store.read_subject(person))[0].erased


async def test_erasure_ledger_is_reapplied_when_a_restored_key_reappears(runtime: Runtime, clock) -> None:
    person = uuid4()
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET)])
    async with runtime.pool.acquire() as connection:
        saved = await connection.fetchrow("SELECT * FROM subject_keys WHERE subject_id = $1", person)
    await erase(runtime, person, clock)
    async with runtime.pool.acquire() as connection:  # an older backup brings the key back
        await connection.execute("INSERT INTO subject_keys VALUES ($1, $2, $3, $4, $5)", *saved.values())
    assert await runtime.keys.reapply_erasure_ledger() == 1
    assert (await runtime.store.read_subject(person))[0].erased


async def test_rotation_rewraps_keys_without_touching_events(
    runtime: Runtime, database_url: str, master_key: MasterKey
) -> None:
    person = uuid4()
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Registered", "identity", person, SECRET)])
    events_before = await stored_payloads(runtime)
    new_key = MasterKey.generate()
    assert await runtime.keys.rotate(new_key) == 1
    assert await stored_payloads(runtime) == events_before
    async with open_runtime(database_url, new_key) as rotated:
        assert (await rotated.store.read_subject(person))[0].payload == SECRET
    with pytest.raises(MasterKeyError, match="wrong master key"):
        async with open_runtime(database_url, master_key):
            pass


async def test_wrong_master_key_is_refused_at_start(runtime: Runtime, database_url: str) -> None:
    with pytest.raises(MasterKeyError, match="wrong master key"):
        async with open_runtime(database_url, MasterKey.generate()):
            pass
