"""The office-hours helper's day in Chromium: their own site's board, whom they help, a referral during the
visit, what was saved and where to go next, and the duplicate warning at the quick registration."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, eventually, reload_until, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ENGLISH = re.compile(r"\b(visit|called|helped|referred|error|not found|must|site)\b", re.IGNORECASE)


def _seen(page: Any) -> str:
    """What the helper reads on the page (the main part, as shown)."""
    text = str(page.locator("main").inner_text())
    assert not UUID_TEXT.search(text), text
    assert not ENGLISH.search(text), text
    return text


def _register(live: Live, given: str, family: str) -> str:
    answer = live.api("helper", "POST", "/people", json={"given_name": given, "family_name": family})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"])


def test_the_board_opens_on_the_helpers_own_site_chosen_from_a_list(open_as, live: Live) -> None:
    page = open_as("helper")
    assert page.url.endswith("/ui/office-hours")
    site = page.get_by_label("Lieu")
    expect(site).to_have_value("Liège centre")  # no site of their own: the centre's main site
    assert page.locator("select#site option").all_inner_texts() == ["Liège centre", "Seraing"]
    assert page.locator("input[name=site]:not([type=hidden])").count() == 0, "never typed"
    assert "Permanence de Liège centre" in _seen(page)
    site.select_option("Seraing")
    page.get_by_role("button", name="Changer de lieu").click()
    page.wait_for_url("**site=Seraing")
    assert "Permanence de Seraing" in _seen(page)
    _axe(page)
    shot(page, "helper-board-seraing")

    moved = live.api("admin", "PATCH", f"/staff/{live.staff_ids['helper']}", json={"site": "Seraing"})
    assert moved.status_code == 200, moved.text
    try:
        page.get_by_role("link", name="Permanence").click()
        page.wait_for_url("**/ui/office-hours")
        expect(page.get_by_label("Lieu")).to_have_value("Seraing")
        page.goto(live.url + "/ui/office-hours/board?site=Liege%20centre")  # an old bookmark, typed by hand
        expect(page.get_by_label("Lieu")).to_have_value("Seraing")
    finally:
        live.api("admin", "PATCH", f"/staff/{live.staff_ids['helper']}", json={"site": None})


def test_the_helper_sees_whom_they_help_refers_during_the_visit_and_knows_what_was_saved(open_as, live: Live) -> None:
    page = open_as("helper")
    page.get_by_label("Prénom").fill("Mariam")
    page.get_by_label("Nom de famille").fill("Ouedraogo")
    page.get_by_role("button", name="Inscrire et accueillir").click()
    page.wait_for_url("**notice=registered")
    call = page.get_by_role("button", name="Appeler Mariam Ouedraogo")
    reload_until(page, lambda: call.count() == 1)
    call.click()
    page.wait_for_url("**/ui/office-hours/visits/*")
    expect(page.get_by_role("heading", name="Mariam Ouedraogo")).to_be_visible()
    seen = _seen(page)
    assert re.search(r"N° de dossier \d{4}-\d{5}", seen) and "Appelée" in seen and "Liège centre" in seen
    _axe(page)
    shot(page, "helper-visit-called")

    # A second tab left open on the same visit: it will try to refer again, later.
    stale = page.context.new_page()
    stale.goto(page.url)

    page.get_by_label("Motif de l'orientation").fill("Courrier du CPAS incompris, expulsion possible")
    page.get_by_role("button", name="Orienter", exact=True).click()
    page.wait_for_url("**notice=referred")
    seen = _seen(page)
    assert "Mariam Ouedraogo est orienté(e) vers le service social et juridique" in seen
    assert page.get_by_label("Ce qui a été fait").count() == 1, "the help can still be recorded"
    shot(page, "helper-visit-referred-during")

    stale.get_by_label("Motif de l'orientation").fill("Encore une fois")
    stale.get_by_role("button", name="Orienter", exact=True).click()
    expect(stale.get_by_role("alert")).to_contain_text("Cette personne a déjà été orientée lors de ce passage.")
    _seen(stale)
    shot(stale, "helper-visit-referred-twice")
    stale.close()

    page.get_by_label("Demande", exact=True).fill("Lettre du CPAS")
    page.get_by_label("Ce qui a été fait").fill("Lecture de la lettre avec la personne")
    page.get_by_role("button", name="Enregistrer et terminer").click()
    page.wait_for_url("**notice=helped")
    expect(page.get_by_role("status")).to_contain_text("Aide enregistrée pour Mariam Ouedraogo.")
    seen = _seen(page)
    assert "Lecture de la lettre avec la personne" in seen and "Aidée" in seen
    assert page.get_by_role("button", name="Enregistrer et terminer").count() == 0, "not the same blank form"
    _axe(page)
    shot(page, "helper-visit-helped")
    page.get_by_role("link", name="Retour au tableau, pour la personne suivante").click()
    page.wait_for_url("**/ui/office-hours/board?site=Li%C3%A8ge%20centre")
    done = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Terminé")))
    reload_until(page, lambda: "Mariam Ouedraogo" in done.inner_text())


def test_the_quick_registration_warns_of_people_already_known_under_this_name(open_as, live: Live) -> None:
    _register(live, "Fatima", "Benali")
    page = open_as("helper")
    page.get_by_label("Prénom").fill("Fatima")
    family = page.get_by_label("Nom de famille")

    def warned() -> bool:
        family.fill("")
        family.fill("Benali")
        family.press("Tab")  # the check runs when the field is left, as in the full registration
        return "déjà connue" in page.locator("#duplicates").inner_text(timeout=5000)

    eventually(warned, timeout=20)
    warning = page.locator("#duplicates")
    assert "Vérifiez avant d'inscrire" in warning.inner_text()
    assert re.search(r"\d{4}-\d{5} · Fatima Benali", warning.inner_text())
    _seen(page)
    shot(page, "helper-quick-registration-duplicate")
