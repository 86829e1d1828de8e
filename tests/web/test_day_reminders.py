"""Reminders in Chromium: a social worker finds the reminder that could not go (the centre has no SMTP
server here), by the person's name and file number, in French, and sends it again; an appointment's page
says where its reminder stands, and says why there is none when the person gave no consent."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from service.words.formatting import CENTRE_TIME_ZONE
from tests.web.conftest import Live, eventually, reload_until, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ENGLISH = re.compile(r"\b(reminder|email|failed|pending|not_configured|unreachable|error|must)\b", re.I)


def _seen(page: Any) -> str:
    text = str(page.locator("main").inner_text())
    assert not UUID_TEXT.search(text), text
    assert not ENGLISH.search(text.replace("e-mail", "")), text
    return text


def _person(live: Live, given: str, family: str, *purposes: str) -> tuple[str, str]:
    contact = {"email": f"{given.lower()}.{family.lower()}@example.be", "phone": "+32 470 98 76 54"}
    answer = live.api(
        "social_worker", "POST", "/people", json={"given_name": given, "family_name": family, "contact": contact}
    )
    assert answer.status_code == 201, answer.text
    person_id = str(answer.json()["ids"]["person_id"])
    for purpose in purposes:
        given_consent = live.api(
            "social_worker",
            "POST",
            f"/people/{person_id}/consents",
            json={"purpose": purpose, "evidence": "signed_form"},
        )
        assert given_consent.status_code == 201, given_consent.text
    return person_id, str(answer.json()["ids"]["file_number"])


def _book(live: Live, person_id: str, hours_from_now: int) -> tuple[str, datetime]:
    """Within the scheduler's window whatever the hour the test runs at (today's, or tomorrow's after 10:00)."""
    starts = (datetime.now(CENTRE_TIME_ZONE) + timedelta(hours=hours_from_now)).replace(second=0, microsecond=0)
    starts = starts.replace(minute=starts.minute - starts.minute % 5)
    answer = live.api(
        "social_worker",
        "POST",
        "/appointments",
        json={
            "kind": "social_legal",
            "person_id": person_id,
            "staff_id": live.staff_ids["social_worker"],
            "site": "Liège centre",
            "starts_at": starts.isoformat(),
            "minutes": 30,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["appointment_id"]), starts


def test_a_reminder_that_could_not_go_is_listed_by_name_and_sent_again(open_as, live: Live) -> None:
    person_id, file_number = _person(live, "Nadia", "Kaddouri", "contact_email")
    _, starts = _book(live, person_id, 3)
    page = open_as("social_worker")
    page.get_by_role("link", name="Rappels non envoyés").click()
    page.wait_for_url("**/ui/reminders/failed")

    reload_until(page, lambda: "Nadia Kaddouri" in _seen(page))
    row = page.locator("tr", has_text="Nadia Kaddouri")
    text = row.inner_text()
    assert file_number in text and "Par e-mail" in text
    assert starts.strftime("%d/%m/%Y %H:%M") in text
    assert "L'envoi par ce canal n'est pas configuré au centre" in text
    _axe(page)
    shot(page, "reminders-failed")
    row.get_by_role("button", name="Renvoyer le rappel").click()
    page.wait_for_url("**notice=retried")
    assert "Le rappel sera renvoyé dans quelques instants." in _seen(page)
    shot(page, "reminders-retried")


def test_an_appointment_says_where_its_reminder_stands_or_why_there_is_none(open_as, live: Live) -> None:
    consenting, _ = _person(live, "Samir", "Haddad", "contact_email")
    silent, _ = _person(live, "Lucie", "Martin")
    with_reminder, _ = _book(live, consenting, 4)
    without, _ = _book(live, silent, 5)
    page = open_as("social_worker")
    page.goto(f"{live.url}/ui/reminders/appointments/{without}")  # without script: a page of its own
    assert "Pas de rappel : pas de consentement" in _seen(page)
    shot(page, "reminders-status-page")

    def status(appointment_id: str) -> str:
        page.goto(f"{live.url}/ui/appointments/{appointment_id}")
        section = page.locator("section.reminders li").first
        section.wait_for()
        return str(section.inner_text())

    assert status(without) == "Pas de rappel : pas de consentement"
    _seen(page)
    shot(page, "reminders-appointment-no-consent")
    eventually(lambda: "non envoyé" in status(with_reminder), timeout=30)
    assert "Rappel par e-mail non envoyé : l'envoi par ce canal n'est pas configuré au centre" in _seen(page)
    _axe(page)
    shot(page, "reminders-appointment-failed")
