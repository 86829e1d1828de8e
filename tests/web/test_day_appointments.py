"""Appointments in Chromium: a social worker books from the person's file, meets a double booking said in
French, moves it and reads her agenda by day and by week; a helper checks a booked person in and sees them
on the office-hours board, marked as booked."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from service.words.formatting import CENTRE_TIME_ZONE
from tests.web.conftest import Live, reload_until, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ENGLISH = re.compile(r"\b(appointment|booked|cancelled|arrived|no_show|social_legal|office_hours|error|must)\b", re.I)


def _seen(page: Any) -> str:
    text = str(page.locator("main").inner_text())
    assert not UUID_TEXT.search(text), text
    assert not ENGLISH.search(text), text
    return text


def _register(live: Live, role: str, given: str, family: str) -> tuple[str, str]:
    answer = live.api(role, "POST", "/people", json={"given_name": given, "family_name": family})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"]), str(answer.json()["ids"]["file_number"])


def _tomorrow() -> str:
    return (datetime.now(CENTRE_TIME_ZONE) + timedelta(days=1)).date().isoformat()


def test_a_social_worker_books_meets_a_double_booking_moves_and_reads_her_agenda(open_as, live: Live) -> None:
    person_id, _ = _register(live, "social_worker", "Amina", "Diallo")
    _, other_file = _register(live, "social_worker", "Karim", "Benali")
    page = open_as("social_worker")
    page.goto(f"{live.url}/ui/people/{person_id}")
    page.get_by_role("link", name="Prendre rendez-vous").click()
    page.wait_for_url("**/ui/appointments/new?person=*")
    assert "Amina Diallo" in _seen(page)
    page.get_by_label("Service social et juridique").check()
    page.get_by_label("Jour").fill(_tomorrow())
    page.get_by_label("Heure").fill("10:00")
    page.get_by_label("Durée").select_option("30")
    _axe(page)
    shot(page, "appointments-booking-form")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    page.wait_for_url("**notice=booked")
    seen = _seen(page)
    assert "Amina Diallo : rendez-vous enregistré." in seen and "10:00\u201310:30" in seen
    assert "Service social et juridique" in seen and "Prévu" in seen
    shot(page, "appointments-booked")

    # Another person, found by file number, at a time she is taken: said in French, what was typed kept.
    page.goto(f"{live.url}/ui/appointments/new?day={_tomorrow()}")
    page.get_by_label("Numéro de dossier").fill(other_file)
    page.get_by_label("Heure").fill("10:15")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    message = page.locator("#error-time")
    expect(message).to_contain_text("Social Worker a déjà un rendez-vous de 10:00 à 10:30")
    expect(page.get_by_label("Heure")).to_have_value("10:15")
    assert "Karim Benali" in _seen(page) and other_file in _seen(page)  # the file number found, kept
    _axe(page)
    shot(page, "appointments-double-booking")

    # She moves Amina's appointment to 11:00.
    page.goto(f"{live.url}/ui/agenda/staff/{live.staff_ids['social_worker']}?day={_tomorrow()}")
    page.get_by_role("link", name="Amina Diallo").click()
    page.wait_for_url("**/ui/appointments/*")
    page.get_by_label("Heure").fill("11:00")
    page.get_by_role("button", name="Déplacer", exact=True).click()
    page.wait_for_url("**notice=moved")
    assert "11:00\u201311:30" in _seen(page)

    # Her agenda: by day, then by week, with the previous and next weeks.
    page.get_by_role("link", name="← Retour à l'agenda").click()
    reload_until(page, lambda: "11:00\u201311:30" in page.locator("main").inner_text())
    day = _seen(page)
    assert "Amina Diallo" in day and "Prévu" in day and "Liège centre" in day
    shot(page, "appointments-agenda-day")
    page.get_by_role("link", name="Voir par semaine").click()
    page.wait_for_url("**span=week")
    week = _seen(page)
    assert re.search(r"Semaine du \d+ \w+ 2026 au \d+ \w+ 2026", week) and "Amina Diallo" in week
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ \w+", week)
    _axe(page)
    shot(page, "appointments-agenda-week")
    page.get_by_role("link", name="Semaine suivante →").click()
    page.wait_for_url("**span=week")
    assert "Amina Diallo" not in _seen(page) or "lundi" in _tomorrow()
    page.get_by_role("link", name="← Semaine précédente").click()
    assert "Amina Diallo" in _seen(page)


def test_a_helper_checks_a_booked_person_in_and_sees_them_on_the_board(open_as, live: Live) -> None:
    person_id, file_number = _register(live, "helper", "Mariam", "Ouedraogo")
    soon = (datetime.now(CENTRE_TIME_ZONE) + timedelta(minutes=30)).replace(second=0, microsecond=0)
    booked = live.api(
        "helper",
        "POST",
        "/appointments",
        json={
            "kind": "office_hours",
            "person_id": person_id,
            "site": "Liège centre",
            "starts_at": soon.isoformat(),
            "minutes": 20,
        },
    )
    assert booked.status_code == 201, booked.text
    page = open_as("helper")
    page.get_by_role("link", name="Rendez-vous").click()
    page.wait_for_url("**/ui/agenda/staff/*")
    page.get_by_role("link", name="Voir l'agenda d'un lieu").click()
    page.wait_for_url("**/ui/agenda/site")
    reload_until(page, lambda: "Mariam Ouedraogo" in page.locator("main").inner_text())
    seen = _seen(page)
    assert file_number in seen and "Permanence" in seen and "Qui est de permanence" in seen
    shot(page, "appointments-site-agenda")
    page.get_by_role("link", name="Mariam Ouedraogo").click()
    page.get_by_role("button", name="La personne est arrivée").click()
    page.wait_for_url("**notice=arrived")
    assert "Mariam Ouedraogo : arrivée notée." in _seen(page)
    shot(page, "appointments-arrived")
    page.get_by_role("link", name="Voir le tableau de la permanence").click()
    page.wait_for_url("**/ui/office-hours/board*")
    reload_until(page, lambda: "Mariam Ouedraogo" in page.locator("#col-waiting + ul").inner_text())
    waiting = str(page.locator("#col-waiting + ul").inner_text())
    assert "sur rendez-vous" in waiting
    _axe(page)
    shot(page, "appointments-board")
