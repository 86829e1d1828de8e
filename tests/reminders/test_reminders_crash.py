"""A sender killed between sending and recording: the person still gets the reminder, at most twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from domain.consent import Purpose
from domain.reminder import Channel, Reminder, ReminderStatus, reminder_id
from service.reminders import outbox
from service.reminders.scheduler import make_due
from tests.conftest import catch_up_all
from tests.reminders.support import SCHEDULE, SmtpServer, book, person_with_consents, sender

ROOT = Path(__file__).resolve().parents[2]
TOMORROW_AT_TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)


def run_sender(database_url: str, key_hex: str, now: datetime, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reminders.sender_process", database_url, key_hex, now.isoformat(), str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_a_sender_killed_mid_send_is_made_good_by_the_next_with_the_same_delivery_id(
    ctx, clock, social_worker, database_url, master_key, runner
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 1
    rid = reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.EMAIL)
    process: list[subprocess.Popen[bytes]] = []

    def kill_the_sender() -> None:
        # The server has the message; the sender dies before it hears "250" and records anything.
        os.kill(process[0].pid, signal.SIGKILL)

    with SmtpServer(on_message=kill_the_sender) as smtp:
        process.append(run_sender(database_url, master_key.to_hex(), clock.now, smtp.port))
        await asyncio.to_thread(process[0].communicate, None, 60)
        assert process[0].returncode == -signal.SIGKILL
        assert len(smtp.messages) == 1
    reminder = await ctx.repository.get(Reminder, rid)
    assert reminder.status is ReminderStatus.DUE  # nothing recorded
    async with ctx.pool.acquire() as db:
        row = await outbox.row_of(db, rid)
        assert row is not None and row.status is outbox.OutboxStatus.PENDING and row.attempts == 1
        # While the dead sender's lease runs, nobody else takes the reminder.
        assert await outbox.claim(db, clock.now + timedelta(minutes=1), timedelta(minutes=5), "other", 10) == []

    with SmtpServer() as again:
        later = clock.now + timedelta(minutes=10)  # the lease (5 minutes) has run out
        restarted = run_sender(database_url, master_key.to_hex(), later, again.port)
        out, err = await asyncio.to_thread(restarted.communicate, None, 60)
        assert restarted.returncode == 0, err.decode()
        assert out.decode().strip() == "1"
        finished = run_sender(database_url, master_key.to_hex(), later, again.port)
        out, _ = await asyncio.to_thread(finished.communicate, None, 60)
        assert out.decode().strip() == "0"
        second = again.messages
    assert len(second) == 1
    first = smtp.messages[0]
    assert first["Message-ID"] == second[0]["Message-ID"] and str(rid) in first["Message-ID"]
    assert first["X-Suivi-Delivery-Id"] == second[0]["X-Suivi-Delivery-Id"] == str(rid)
    assert (await ctx.repository.get(Reminder, rid)).status is ReminderStatus.DELIVERED


async def test_two_senders_claiming_at_once_never_take_the_same_reminder(ctx, clock, social_worker, runtime, runner):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL, Purpose.CONTACT_SMS)
    for hours in range(3):
        await book(ctx, social_worker, person_id, TOMORROW_AT_TEN + timedelta(hours=hours))
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 6

    async def claim(holder: str) -> list[outbox.Claimed]:
        async with runtime.pool.acquire() as db:
            return await outbox.claim(db, clock.now, timedelta(minutes=5), holder, 4)

    first, second = await asyncio.gather(claim("a"), claim("b"))
    taken = [c.reminder_id for c in (*first, *second)]
    assert len(taken) == 6 and len(set(taken)) == 6


async def test_a_sender_whose_database_connections_are_cut_reconnects_and_sends(
    ctx, clock, social_worker, database_url, runner
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    pool = await asyncpg.create_pool(database_url, min_size=2, server_settings={"application_name": "cut-sender"})
    woken = asyncio.Event()
    with SmtpServer() as smtp:
        send = sender(ctx, smtp.transport(), None)
        send.pool = pool
        running = asyncio.create_task(send.run_forever(every=0.05, woken=woken))
        try:
            async with ctx.pool.acquire() as db:
                cut = await db.fetchval(
                    """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                       WHERE application_name = 'cut-sender' AND datname = current_database()"""
                )
            assert cut >= 1
            await catch_up_all(runner)
            assert await make_due(ctx, SCHEDULE) == 1
            woken.set()
            async with asyncio.timeout(30):
                while not smtp.messages:  # noqa: ASYNC110 (the SMTP server runs in its own thread)
                    await asyncio.sleep(0.05)
            assert not running.done()  # it waited for the database, and went on
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await pool.close()
    assert len(smtp.messages) == 1
