"""Registration as a Belgian centre needs it, the duplicate warning and merging two records, in Chromium.

Each journey asserts what the social worker sees: French words, names and file numbers, the NISS and
the phone number as people write them, never an id or a stored value.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from playwright.sync_api import expect

from service.application.views.people import PersonCard
from service.web import TEMPLATES
from service.words.translator import Translator
from tests.web.conftest import Live, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _registered(live: Live, role: str, **person: Any) -> tuple[str, str]:
    answer = live.api(role, "POST", "/people", json=person)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"]), str(answer.json()["ids"]["file_number"])


def _shows_no_id_or_stored_value(page: Any, *stored: str) -> None:
    text = page.locator("main").inner_text()
    assert not UUID_TEXT.search(text), text
    for value in stored:
        assert value not in text, value


def test_a_social_worker_registers_a_person_with_what_a_belgian_centre_asks(open_as, live: Live) -> None:
    page = open_as("social_worker")
    page.goto(live.url + "/ui/people/new")
    page.get_by_label("Prénom").fill("Yasmina")
    page.get_by_label("Nom de famille").fill("El Idrissi")
    page.get_by_label("Date de naissance").fill("30/07/1985")
    page.get_by_label("NISS (numéro de registre national)").fill("85.07.30-033.28")
    page.get_by_label("Téléphone").fill("0470 12 34 56")
    page.get_by_label("Nationalité").select_option(label="Maroc")
    page.get_by_label("arabe", exact=True).check()
    page.get_by_label("français", exact=True).check()
    page.get_by_label("Langue préférée").select_option(label="arabe")
    page.get_by_label("Besoin d'un interprète").check()
    page.get_by_label("E-mail").fill("yasmina@example.be")
    page.get_by_label("Adresse").fill("Rue Saint-Gilles 12, 4000 Liège")
    _axe(page)
    shot(page, "registration-full-form")
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url(re.compile(r".*/ui/people/[0-9a-f-]{36}$"))
    main = page.locator("main")
    expect(main).to_contain_text("Yasmina El Idrissi")
    expect(main).to_contain_text("date de naissance\u00a0: 30/07/1985")
    for seen in ("85.07.30-033.28", "0470 12 34 56", "Maroc", "français, arabe", "Besoin d'un interprète"):
        expect(main).to_contain_text(seen)
    expect(main).to_contain_text("yasmina@example.be")
    expect(main).to_contain_text("Rue Saint-Gilles 12, 4000 Liège")
    _shows_no_id_or_stored_value(page, "85073003328", "+32470123456", "MA", " ar,")
    shot(page, "registration-file-head")


def test_the_same_niss_is_flagged_while_registering_and_unusable_values_come_back_in_french(
    open_as, live: Live
) -> None:
    _, number = _registered(
        live, "helper", given_name="Oleksandr", family_name="Kovalenko", birth_date="1990-04-02", niss="90040212386"
    )
    page = open_as("social_worker")
    page.goto(live.url + "/ui/people/new")
    page.get_by_label("Prénom").fill("Olek")
    page.get_by_label("Nom de famille").fill("Kowalenko")
    page.get_by_label("NISS (numéro de registre national)").fill("90.04.02-123.86")
    page.get_by_label("Téléphone").click()  # leaving the NISS field asks who is already known
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("pourrait être la même")
    expect(warning).to_contain_text(f"{number} · Oleksandr Kovalenko · date de naissance\u00a0: 02/04/1990")
    _shows_no_id_or_stored_value(page, "90040212386")
    shot(page, "registration-same-niss-warning")

    page.get_by_label("NISS (numéro de registre national)").fill("90.04.02-123.87")
    page.get_by_label("Téléphone").fill("12")
    page.get_by_label("Date de naissance").fill("03/12/2031")
    page.get_by_role("button", name="Inscrire").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-niss")).to_contain_text("Saisissez un NISS valable")
    expect(page.locator("#error-phone")).to_contain_text("Saisissez un numéro de téléphone valable")
    expect(page.locator("#error-birth_date")).to_contain_text("ne peut pas être dans le futur")
    expect(page.get_by_label("Prénom")).to_have_value("Olek")
    expect(page.get_by_label("Téléphone")).to_have_value("12")
    expect(page.get_by_label("Date de naissance")).to_have_value("03/12/2031")
    _axe(page)
    shot(page, "registration-errors")


def test_a_social_worker_merges_two_records_and_both_read_as_one(open_as, live: Live) -> None:
    kept, kept_number = _registered(
        live, "social_worker", given_name="Fatoumata", family_name="Camara", birth_date="1992-11-08"
    )
    case = live.api("social_worker", "POST", "/cases", json={"person_id": kept, "domain": "housing", "summary": "Bail"})
    assert case.status_code == 201, case.text
    duplicate, duplicate_number = _registered(
        live, "helper", given_name="Fatoumatta", family_name="Camara", birth_date="1992-11-08"
    )
    other = {"person_id": duplicate, "domain": "residence_immigration", "summary": "Titre de séjour à renouveler"}
    assert live.api("social_worker", "POST", "/cases", json=other).status_code == 201

    page = open_as("social_worker")
    page.goto(live.url + f"/ui/people/{duplicate}")
    expect(page.locator("main")).to_contain_text("autre fiche pourrait être celle de la même personne")
    page.get_by_role("link", name="Vérifier et fusionner les fiches").click()
    expect(page.locator("main")).to_contain_text("Fiches qui pourraient être la même personne")
    expect(page.locator("main")).to_contain_text(kept_number)
    _shows_no_id_or_stored_value(page)
    shot(page, "merge-choose")
    page.get_by_role("link", name=f"Choisir Fatoumata Camara {kept_number}").click()

    main = page.locator("main")
    for seen in ("Fatoumata Camara", "Fatoumatta Camara", kept_number, duplicate_number, "08/11/1992"):
        expect(main).to_contain_text(seen)
    expect(page.get_by_label(f"Garder le dossier {kept_number}")).to_be_checked()  # registered first
    _axe(page)
    _shows_no_id_or_stored_value(page)
    shot(page, "merge-confirm")
    page.get_by_role("button", name="Fusionner les deux fiches").click()
    page.wait_for_url(f"**/ui/people/{kept}")
    expect(main).to_contain_text(f"a fusionné la fiche du dossier {duplicate_number} dans celle-ci")
    expect(main).to_contain_text("Titre de séjour à renouveler")  # the duplicate's history, in the kept file
    _shows_no_id_or_stored_value(page)
    shot(page, "merge-kept-file")

    page.goto(live.url + f"/ui/people/{duplicate}")  # the duplicate's file opens the kept one
    expect(page.locator("main p").first).to_contain_text(f"Fatoumata Camara · dossier {kept_number}")
    page.goto(live.url + "/ui/people/search")
    page.get_by_label("Nom, date de naissance").fill("Camara")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#found")).to_contain_text("1 personne")
    shot(page, "merge-search-lists-one")


def test_the_card_a_trainer_reads_shows_only_what_the_course_needs() -> None:
    """The file's head (``people/identity.html``) for a card narrowed to the course details."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    card = PersonCard(
        person_id=uuid.uuid4(),
        file_number="2026-00042",
        given_name="Nadia",
        family_name="Benali",
        preferred_language="ar",
        phone="+32470123456",
        shown="course_details",  # type: ignore[arg-type]
    )
    html = environment.get_template("people/identity.html").render(t=Translator("fr"), card=card, viewer=None)
    text = re.sub(r"<[^>]+>", " ", html)
    for seen in ("Nadia Benali", "2026-00042", "arabe", "0470 12 34 56", "ce que la formation demande"):
        assert seen in text, seen
    assert "+32470123456" not in text and "Adresse" not in text and "NISS" not in text
    assert not UUID_TEXT.search(text)
