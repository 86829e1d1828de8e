"""The reminders API: an appointment's reminders in words, the failed list, and sending one again."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.policy import Role
from service.application.context import Actor
from service.reminders.scheduler import make_due
from tests.http.conftest import app as app
from tests.http.conftest import client as client
from tests.http.conftest import gdpr as gdpr
from tests.http.conftest import project as project
from tests.http.conftest import runtime_of as runtime_of
from tests.http.conftest import staff as staff
from tests.reminders.support import EMAIL, SCHEDULE, book, sender

TOMORROW_AT_TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)


async def test_a_failed_reminder_is_listed_said_in_french_and_sent_again_once(ctx, staff, project) -> None:
    social = staff["social_worker"]
    registered = await social.post(
        "/people", json={"given_name": "Amina", "family_name": "Benali", "contact": {"email": EMAIL}}
    )
    person_id = registered.json()["ids"]["person_id"]
    consent = await social.post(
        f"/people/{person_id}/consents", json={"purpose": "contact_email", "evidence": "signed_form"}
    )
    assert consent.status_code == 201, consent.text
    actor = Actor(staff_id=UUID(social.staff_id), roles=frozenset({Role.SOCIAL_WORKER}))
    appointment_id = await book(ctx, actor, UUID(person_id), TOMORROW_AT_TEN)
    await project()
    assert await make_due(ctx, SCHEDULE) == 1
    assert await sender(ctx, None, None).send_due() == 1  # no SMTP server configured
    await project()

    status = await social.get(f"/reminders/appointments/{appointment_id}")
    assert status.status_code == 200, status.text
    [reminder] = status.json()["reminders"]
    assert (reminder["state"], reminder["channel"], reminder["reason"]) == ("failed", "email", "not_configured")
    assert reminder["text"] == "Rappel par e-mail non envoyé : l'envoi par ce canal n'est pas configuré au centre"
    failed = (await social.get("/reminders/failed")).json()["reminders"]
    assert [(f["given_name"], f["channel"]) for f in failed] == [("Amina", "email")]
    assert EMAIL not in (await social.get("/reminders/failed")).text  # the list names, it never addresses
    assert (await staff["helper"].get("/reminders/failed")).json()["reminders"] == []  # not office hours

    again = await social.post(
        f"/reminders/{failed[0]['reminder_id']}/retry", headers={"Idempotency-Key": "retry-reminder-1"}
    )
    assert again.status_code == 200, again.text
    replayed = await social.post(
        f"/reminders/{failed[0]['reminder_id']}/retry", headers={"Idempotency-Key": "retry-reminder-1"}
    )
    assert replayed.status_code == 200 and replayed.json() == again.json()
    twice = await social.post(f"/reminders/{failed[0]['reminder_id']}/retry")
    assert twice.status_code == 422 and twice.json()["type"].endswith("rule-broken"), twice.text
    await project()
    assert (await social.get("/reminders/failed")).json()["reminders"] == []
    missing = await social.get(f"/reminders/appointments/{person_id}")
    assert missing.status_code == 404
