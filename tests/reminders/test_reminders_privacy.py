"""A person's reminders are theirs: in their export, and gone with their key at erasure."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.consent import Purpose
from domain.reminder import Channel, Reminder, reminder_id
from service.gdpr.erasure import erase
from service.gdpr.export import export_person
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.reminders.scheduler import make_due
from service.storage.repository import AggregateErasedError
from tests.conftest import catch_up_all
from tests.reminders.support import EMAIL, SCHEDULE, SmtpServer, book, person_with_consents, sender

TOMORROW_AT_TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)


async def test_the_export_holds_the_reminders_and_erasure_leaves_nothing_of_them(
    ctx, clock, social_worker, dpo, runner, master_key, tmp_path: Path
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL, Purpose.CONTACT_SMS)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 2
    with SmtpServer() as smtp:
        await sender(ctx, smtp.transport(), None).send_due()  # email sent; SMS: no gateway, failed

    export = await export_person(ctx, dpo, person_id)
    reminders = [e for e in export.appointments if e.record == "Reminder"]
    assert sorted(e.event for e in reminders) == [
        "Reminder.Delivered",
        "Reminder.Failed",
        "Reminder.MadeDue",
        "Reminder.MadeDue",
    ]
    assert EMAIL in {e.facts.get("recipient") for e in reminders}

    tools = ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "ledger.jsonl"))
    await erase(ctx, dpo, person_id, tools)
    async with ctx.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM reminder_outbox") == 0
    with pytest.raises(AggregateErasedError):
        await ctx.repository.get(Reminder, reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.EMAIL))
