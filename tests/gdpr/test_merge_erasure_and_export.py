"""Two records of one person, merged: both exports show the merge, and erasing the person erases both."""

from __future__ import annotations

import pytest

from domain.person import Person
from service.application.errors import NotAuthorisedError
from service.application.people import MergePeople, merge_people
from service.gdpr.erasure import erase
from service.gdpr.export import export_person
from service.gdpr.receipts import receipt_for
from service.storage.erasures import PersonErasedGoneError, ensure_not_erased
from tests.application.support import register
from tests.conftest import catch_up_all


async def test_only_a_social_worker_merges(ctx, helper, trainer, dpo, social_worker):
    kept = await register(ctx, social_worker, "Olga", "Petrenko")
    duplicate = await register(ctx, helper, "Olha", "Petrenko")
    for actor in (helper, trainer, dpo):
        with pytest.raises(NotAuthorisedError):
            await merge_people(ctx, actor, MergePeople(kept, duplicate))
    merged = await merge_people(ctx, social_worker, MergePeople(kept, duplicate))
    assert set(merged.versions) == {kept, duplicate}
    assert (await ctx.repository.get(Person, duplicate)).merged_into == kept
    assert (await ctx.repository.get(Person, kept)).merged == (duplicate,)


async def test_both_exports_show_the_merge_and_an_erasure_reaches_both_records(
    ctx, runner, social_worker, helper, dpo, tools
):
    kept = await register(ctx, social_worker, "Olga", "Petrenko", "+32 470 11 22 33")
    duplicate = await register(ctx, helper, "Olha", "Petrenko")
    await merge_people(ctx, social_worker, MergePeople(kept, duplicate))
    await catch_up_all(runner)

    kept_export = await export_person(ctx, dpo, kept)
    duplicate_export = await export_person(ctx, dpo, duplicate)
    assert [e.event for e in kept_export.merges] == ["Person.DuplicateMerged"]
    assert kept_export.merges[0].facts["duplicate_file_number"] == duplicate_export.file_number
    assert [e.event for e in duplicate_export.merges] == ["Person.MergedInto"]
    assert duplicate_export.merges[0].facts["kept_file_number"] == kept_export.file_number
    assert (kept_export.merged_records, duplicate_export.merged_into) == ([duplicate], kept)

    receipt = await erase(ctx, dpo, kept, tools)
    assert receipt.person_id == kept and receipt.key_destroyed
    other = await receipt_for(ctx.pool, duplicate)
    assert other is not None and other.key_destroyed  # its own key, tombstone and receipt
    for record in (kept, duplicate):
        with pytest.raises(PersonErasedGoneError):
            await ensure_not_erased(ctx.pool, record)
    assert {entry.subject_id for entry in tools.ledger.read()} == {kept, duplicate}
