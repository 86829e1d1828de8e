"""Reminders go by the channels the person consented to, say only when and where, and keep nothing in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.appointment import Appointment
from domain.consent import Purpose
from domain.reminder import Channel, Reminder, ReminderStatus, reminder_id
from service.application.consent import WithdrawConsent, withdraw_consent
from service.application.reminders import RetryReminder, retry_reminder
from service.application.views.reminders import State, appointment_reminders, failed_reminders
from service.reminders.scheduler import make_due
from service.reminders.sender import Retries
from tests.conftest import catch_up_all, dump
from tests.reminders.support import (
    ADDRESS,
    EMAIL,
    PHONE,
    SCHEDULE,
    SENSITIVE,
    SmsProvider,
    SmtpServer,
    book,
    person_with_consents,
    sender,
)

# 1 September 2026, 11:00 in Liège: past the reminder hour (10:00), so tomorrow's reminders are due.
TOMORROW_AT_TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)  # 10:00 in Liège


async def test_one_reminder_by_the_consented_channel_only(ctx, clock, social_worker, runner):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    with SmtpServer() as smtp, SmsProvider() as sms:
        send = sender(ctx, smtp.transport(), sms.transport())
        await catch_up_all(runner)
        assert await make_due(ctx, SCHEDULE) == 1
        await catch_up_all(runner)
        assert await make_due(ctx, SCHEDULE) == 0  # made once, however often the scheduler passes
        assert await send.send_due() == 1
        assert await send.send_due() == 0
        assert sms.requests == []
        assert len(smtp.messages) == 1
    message = smtp.messages[0]
    text = message.get_content()
    assert message["To"] == EMAIL
    assert "mercredi 2 septembre 2026" in text and "10:00" in text and ADDRESS in text
    whole = message.as_string().lower()
    assert [word for word in SENSITIVE if word in whole] == []
    delivery = str(reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.EMAIL))
    assert message["X-Suivi-Delivery-Id"] == delivery and delivery in message["Message-ID"]
    reminder = await ctx.repository.get(Reminder, reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.EMAIL))
    assert reminder.status is ReminderStatus.DELIVERED
    await catch_up_all(runner)
    status = await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)
    assert [(s.state, s.channel) for s in status.reminders] == [(State.SENT, Channel.EMAIL)]
    assert status.reminders[0].text.startswith("Rappel par e-mail envoyé le 01/09/2026")


async def test_an_english_speaker_gets_it_in_english_and_without_consent_nothing_is_made(
    ctx, clock, social_worker, runner
):
    english = await person_with_consents(ctx, social_worker, Purpose.CONTACT_SMS, language="en")
    silent = await person_with_consents(ctx, social_worker)
    await book(ctx, social_worker, english, TOMORROW_AT_TEN)
    unconsented = await book(ctx, social_worker, silent, TOMORROW_AT_TEN + timedelta(hours=1))
    with SmtpServer() as smtp, SmsProvider() as sms:
        await catch_up_all(runner)
        assert await make_due(ctx, SCHEDULE) == 1
        await sender(ctx, smtp.transport(), sms.transport()).send_due()
    assert smtp.messages == []
    [request] = sms.requests
    assert request["body"]["to"] == PHONE
    assert "Wednesday, 2 September 2026 at 10:00" in request["body"]["text"]
    assert request["headers"]["Idempotency-Key"] == request["body"]["reference"]
    assert request["headers"]["Authorization"] == "Bearer test-token"
    await catch_up_all(runner)
    status = await appointment_reminders(ctx, social_worker, unconsented, SCHEDULE)
    assert [s.text for s in status.reminders] == ["Pas de rappel : pas de consentement"]


async def test_a_reminder_waits_for_its_day_and_is_withdrawn_when_consent_goes(ctx, clock, social_worker, runner):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN + timedelta(days=3))
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 0
    await catch_up_all(runner)
    [planned] = (await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)).reminders
    assert planned.state is State.PLANNED and planned.text == "Rappel par e-mail prévu le 04/09/2026 10:00"
    clock.advance(days=3)
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 1
    await withdraw_consent(ctx, social_worker, WithdrawConsent(person_id, Purpose.CONTACT_EMAIL))
    with SmtpServer() as smtp:
        await sender(ctx, smtp.transport(), None).send_due()
    assert smtp.messages == []
    [withdrawn] = (await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)).reminders
    assert withdrawn.state is State.WITHDRAWN


async def test_after_the_sms_gateway_fails_again_and_again_the_reminder_is_listed_as_failed(
    ctx, clock, social_worker, helper, runner
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_SMS)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    await catch_up_all(runner)
    await make_due(ctx, SCHEDULE)
    with SmsProvider(status=500) as sms:
        send = sender(ctx, None, sms.transport(), retries=Retries(attempts=3))
        for _ in range(3):
            assert await send.send_due() == 1
            assert await send.send_due() == 0  # backing off
            clock.advance(minutes=5)
        references = {r["body"]["reference"] for r in sms.requests}
    assert len(sms.requests) == 3 and references == {str(reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.SMS))}
    await catch_up_all(runner)
    [failed] = (await failed_reminders(ctx, social_worker)).reminders
    assert (failed.given_name, failed.family_name, failed.channel) == ("Amina", "Benali", Channel.SMS)
    assert failed.file_number and failed.reason == "unreachable"
    assert failed.reason_text == "le service d'envoi n'a pas répondu, malgré plusieurs essais"
    # A social-legal appointment's reminder is not an office-hours helper's to see.
    assert (await failed_reminders(ctx, helper)).reminders == []
    [status] = (await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)).reminders
    assert status.state is State.FAILED and status.text.startswith("Rappel par SMS non envoyé")

    await retry_reminder(ctx, social_worker, RetryReminder(failed.reminder_id))
    with SmsProvider(status=200) as sms:
        assert await sender(ctx, None, sms.transport()).send_due() == 1
    assert len(sms.requests) == 1
    assert (await failed_reminders(ctx, social_worker)).reminders == []


async def test_a_channel_without_a_server_fails_at_once_and_says_why(ctx, clock, social_worker, runner):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    await catch_up_all(runner)
    await make_due(ctx, SCHEDULE)
    assert await sender(ctx, None, None).send_due() == 1
    await catch_up_all(runner)
    [status] = (await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)).reminders
    assert status.text == "Rappel par e-mail non envoyé : l'envoi par ce canal n'est pas configuré au centre"


async def test_the_database_holds_no_address_or_phone_of_the_outbox_in_clear(
    ctx, clock, social_worker, runner, database_url
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL, Purpose.CONTACT_SMS)
    await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    with SmtpServer() as smtp, SmsProvider(status=500) as sms:
        await catch_up_all(runner)
        assert await make_due(ctx, SCHEDULE) == 2
        await sender(ctx, smtp.transport(), sms.transport()).send_due()
    await catch_up_all(runner)
    async with ctx.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM reminder_outbox") == 2
    dumped = dump(database_url)
    assert "reminder_outbox" in dumped
    for clear in (EMAIL, "benali", PHONE, "470123456", "470 12 34 56", ADDRESS, "Saint-Gilles"):
        assert clear.lower() not in dumped.lower(), clear


async def test_a_moved_appointment_gets_a_reminder_of_its_own_and_the_old_one_is_withdrawn(
    ctx, clock, social_worker, runner
):
    person_id = await person_with_consents(ctx, social_worker, Purpose.CONTACT_EMAIL)
    appointment_id = await book(ctx, social_worker, person_id, TOMORROW_AT_TEN)
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 1
    appointment = await ctx.repository.get(Appointment, appointment_id)
    later = TOMORROW_AT_TEN + timedelta(hours=4)
    appointment.move(social_worker.staff_id, "Liège centre", later, 45, clock.now, social_worker.staff_id)
    await ctx.repository.save(appointment, actor_id=social_worker.staff_id)
    await catch_up_all(runner)
    assert await make_due(ctx, SCHEDULE) == 1
    with SmtpServer() as smtp:
        assert await sender(ctx, smtp.transport(), None).send_due() == 2
    [message] = smtp.messages
    assert "14:00" in message.get_content() and "10:00" not in message.get_content()
    old = await ctx.repository.get(Reminder, reminder_id(appointment_id, TOMORROW_AT_TEN, Channel.EMAIL))
    assert old.status is ReminderStatus.WITHDRAWN
    [status] = (await appointment_reminders(ctx, social_worker, appointment_id, SCHEDULE)).reminders
    assert status.state is State.SENT
