"""A pg_dump of the whole database holds no beneficiary's name, note, address or phone number."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from domain.access import AccessRecord
from domain.person import Person
from service.storage.repository import Repository
from tests.conftest import catch_up_all, dump
from tests.projections.scenario import START, Staff, build


async def erase(runtime, repository: Repository, person_id, dpo) -> None:
    person = await repository.get(Person, person_id)
    person.erase(START + timedelta(days=60), dpo)
    await repository.save(person, actor_id=dpo)
    async with runtime.pool.acquire() as connection, connection.transaction():
        await runtime.keys.erase(person_id, START + timedelta(days=60), connection)


async def test_dump_holds_no_personal_data_before_or_after_an_erasure(
    runtime, repository, runner, database_url
) -> None:
    staff = Staff()
    written = await build(repository, staff)
    nadia = written.people["Nadia Benali"]
    reason = "Urgence: appel de l'hôpital pour Madame Benali"
    access = AccessRecord.record(
        uuid4(),
        nadia,
        staff.social_worker,
        "case_file",
        "follow_up",
        "break_glass",
        START,
        break_glass=True,
        reason=reason,
    )
    await repository.save(access, actor_id=staff.social_worker)
    written.secrets.append(reason)
    await catch_up_all(runner)

    stored = b"".join(e.payload or b"" for e in await runtime.store.read_subject(nadia))
    assert b"Rue Benali 7" in stored and "Office des étrangers".encode() in stored  # really written

    before = dump(database_url)
    found = [secret for secret in written.secrets if secret in before]
    assert found == []
    for number in written.file_numbers.values():
        assert number not in before

    async with runtime.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM rm_directory.tokens WHERE person_id = $1", nadia) > 0
        assert await db.fetchval("SELECT count(*) FROM rm_access_log.entries WHERE person_id = $1", nadia) == 1

    await erase(runtime, repository, nadia, uuid4())
    await catch_up_all(runner)
    after = dump(database_url)
    assert [secret for secret in written.secrets if secret in after] == []
    async with runtime.pool.acquire() as db:
        for schema_table in (
            "rm_case_file.entries",
            "rm_directory.people",
            "rm_directory.tokens",
            "rm_caseload.cases",
            "rm_caseload.referrals",
            "rm_caseload.follow_ups",
            "rm_board.visits",
            "rm_training.digital_help",
            "rm_access_log.entries",
        ):
            assert await db.fetchval(f"SELECT count(*) FROM {schema_table} WHERE person_id = $1", nadia) == 0, (
                schema_table
            )
        assert await db.fetchval("SELECT count(*) FROM subject_keys WHERE subject_id = $1", nadia) == 0
        others = await db.fetchval("SELECT count(*) FROM rm_directory.people")
    assert others == len(written.people) - 1
