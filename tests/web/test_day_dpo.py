"""The DPO's day in Chromium (issue 13): find the person of a rights request, see whom an erasure is about,
erase by typing the file number, keep the receipt, review break-glass accesses, and read the access log grouped,
including what is kept of it after an erasure. Every page is asserted as the DPO reads it: French, names, no id."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, eventually, reload_until, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REASON = "Collègue en congé, convocation au CPAS demain"


def _register(live: Live, given: str, family: str, born: str) -> tuple[str, str]:
    person = {"given_name": given, "family_name": family, "birth_date": born}
    answer = live.api("social_worker", "POST", "/people", json=person)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"]), str(answer.json()["ids"]["file_number"])


def _no_id_shown(page: Any) -> None:
    text = page.locator("main").inner_text()
    assert not UUID_TEXT.search(text), text


def _find(page: Any, *, file_number: str = "", name: str = "", born: str = "") -> None:
    page.get_by_label("N° de dossier").fill(file_number)
    page.get_by_label("Nom et prénom").fill(name)
    page.get_by_label("Date de naissance").fill(born)
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_load_state("load")


def test_the_dpo_finds_the_person_by_file_number_or_by_name_and_birth_date(open_as, live: Live) -> None:
    person_id, number = _register(live, "Awa", "Traoré", "1991-04-02")
    dpo = open_as("dpo")
    dpo.goto(live.url + "/ui/dpo")
    _find(dpo, name="Awa Traoré")
    expect(dpo.get_by_role("alert")).to_contain_text("un nom seul ne suffit pas")
    expect(dpo.get_by_label("Nom et prénom")).to_have_value("Awa Traoré")
    shot(dpo, "dpo-find-incomplete")
    _find(dpo, file_number="Traoré")
    expect(dpo.get_by_role("alert")).to_contain_text("2026-00042")
    _find(dpo, name="Awa Traoré", born="03/04/1991")
    expect(dpo.get_by_role("status")).to_contain_text("Aucune personne ne correspond")

    def found() -> bool:
        _find(dpo, name="awa traore", born="02/04/1991")
        return dpo.get_by_role("link", name="Awa Traoré").count() == 1

    eventually(found)
    row = dpo.get_by_role("row", name=re.compile("Awa Traoré"))
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("02/04/1991")
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-find-by-name")
    _find(dpo, file_number=number)
    dpo.get_by_role("link", name="Awa Traoré").click()
    dpo.wait_for_url(f"**/ui/dpo/people/{person_id}")
    expect(dpo.get_by_role("heading", name="Awa Traoré")).to_be_visible()
    main = dpo.locator("main")
    expect(main).to_contain_text(number)
    expect(main).to_contain_text("02/04/1991")
    expect(main).to_contain_text("Pas de limitation en cours")
    expect(main).to_contain_text("Aucune conservation légale.")
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-person")


def test_the_dpo_erases_a_person_she_can_name_and_keeps_the_receipt(open_as, live: Live) -> None:
    person_id, number = _register(live, "Jeanne", "Lambrecht", "1975-11-30")
    live.api("dpo", "POST", f"/dpo/people/{person_id}/restriction", json={"reason": "exactitude contestée"})
    dpo = open_as("dpo")
    dpo.goto(live.url + f"/ui/dpo/people/{person_id}")
    expect(dpo.locator("main")).to_contain_text("Traitement limité (art. 18)")
    dpo.get_by_role("link", name="Simulation d'effacement (rien n'est effacé)").click()
    dpo.wait_for_url(f"**/ui/dpo/people/{person_id}/erasure")
    main = dpo.locator("main")
    expect(dpo.get_by_role("heading", name="Jeanne Lambrecht")).to_be_visible()
    expect(main).to_contain_text(number)
    expect(main).to_contain_text("30/11/1975")
    expect(main).to_contain_text("Traitement limité (art. 18)")
    expect(main).to_contain_text(f"encodez son numéro de dossier : {number}")
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-erasure-dry-run-named")
    dpo.get_by_label("Numéro de dossier de la personne").fill("2026-99999")
    dpo.get_by_role("button", name="Effacer définitivement").click()
    expect(dpo.get_by_role("alert")).to_contain_text("Ce n'est pas le numéro de dossier de la personne")
    expect(dpo.get_by_label("Numéro de dossier de la personne")).to_have_value("2026-99999")
    expect(dpo.get_by_role("heading", name="Jeanne Lambrecht")).to_be_visible()
    shot(dpo, "dpo-erasure-mismatch")
    dpo.get_by_label("Numéro de dossier de la personne").fill(number)
    dpo.get_by_role("button", name="Effacer définitivement").click()
    expect(dpo.get_by_role("status")).to_have_text(f"Jeanne Lambrecht (dossier {number}) a été effacé(e).")
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-erasure-receipt-named")
    with dpo.expect_download() as download:
        dpo.get_by_role("link", name="Télécharger le reçu signé (JSON)").click()
    receipt = json.loads(Path(download.value.path()).read_text())
    assert receipt["person_id"] == person_id and receipt["signature"]
    with dpo.context.expect_page() as opened:
        dpo.get_by_role("link", name="Version imprimable du reçu").click()
    printable = opened.value
    printable.wait_for_load_state("load")
    expect(printable.get_by_role("heading", level=1)).to_have_text("Reçu d'effacement (RGPD, art. 17)")
    expect(printable.locator("body")).to_contain_text("ne contient aucune donnée personnelle")
    assert "Lambrecht" not in printable.locator("body").inner_text()
    shot(printable, "dpo-receipt-printable")
    printable.close()
    dpo.goto(live.url + f"/ui/dpo/people/{person_id}")  # later: the person's page keeps the receipt
    expect(dpo.locator("main")).to_contain_text("Cette personne a été effacée le")
    expect(dpo.get_by_role("link", name="Version imprimable du reçu")).to_be_visible()
    shot(dpo, "dpo-erased-person")


def test_the_dpo_reviews_every_break_glass_access_in_one_list(open_as, live: Live) -> None:
    person_id, number = _register(live, "Karim", "Mansouri", "1983-06-19")
    eventually(lambda: live.api("dpo", "POST", "/dpo/people/lookup", json={"file_number": number}).json() != [])
    opened = live.api("other_social_worker", "POST", f"/people/{person_id}/file/break-glass", json={"reason": REASON})
    assert opened.status_code == 200, opened.text
    dpo = open_as("dpo")
    dpo.goto(live.url + "/ui/dpo")
    reload_until(dpo, lambda: dpo.get_by_role("link", name=re.compile("à revoir")).count() == 1)
    dpo.get_by_role("link", name=re.compile("à revoir")).click()
    dpo.wait_for_url("**/ui/dpo/break-glass?filter=unreviewed")
    row = dpo.get_by_role("row", name=re.compile("Karim Mansouri"))
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("Other Social Worker")
    expect(row).to_contain_text(number)
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-break-glass-unreviewed")
    row.get_by_role("button", name="Marquer comme vu").click()
    dpo.wait_for_url("**/ui/dpo/break-glass?done=reviewed&filter=unreviewed")
    expect(dpo.get_by_role("status")).to_have_text("L'accès est marqué comme vu.")
    reload_until(dpo, lambda: dpo.get_by_role("row", name=re.compile("Karim Mansouri")).count() == 0)
    dpo.get_by_role("link", name="Tous les accès exceptionnels").click()
    row = dpo.get_by_role("row", name=re.compile("Karim Mansouri"))
    expect(row).to_contain_text("Vu par Dpo le")
    shot(dpo, "dpo-break-glass-all")


def test_the_access_log_reads_grouped_and_keeps_pseudonymous_entries_after_an_erasure(open_as, live: Live) -> None:
    person_id, number = _register(live, "Sofia", "Lopes", "1999-01-08")
    eventually(lambda: live.api("dpo", "POST", "/dpo/people/lookup", json={"file_number": number}).json() != [])
    for _ in range(3):
        assert live.api("helper", "GET", f"/people/{person_id}").status_code == 200
    live.api("other_social_worker", "POST", f"/people/{person_id}/file/break-glass", json={"reason": REASON})
    dpo = open_as("dpo")
    dpo.goto(live.url + f"/ui/dpo/people/{person_id}/access-log")

    reload_until(dpo, lambda: dpo.get_by_role("row", name=re.compile("Helper.*3 fois")).count() == 1)
    row = dpo.get_by_role("row", name=re.compile("Helper.*3 fois"))
    expect(row).to_contain_text("la fiche d'identité")
    row.get_by_text("Voir le détail").click()
    expect(row.get_by_role("listitem")).to_have_count(3)
    _no_id_shown(dpo)
    _axe(dpo)
    shot(dpo, "dpo-access-log-grouped")
    erased = live.api("dpo", "POST", f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": number})
    assert erased.status_code == 201, erased.text
    staff_id = live.staff_ids["other_social_worker"]
    dpo.goto(live.url + f"/ui/dpo/staff/{staff_id}/access-log")
    row = dpo.get_by_role("row", name=re.compile("Other Social Worker")).first
    row.get_by_text("Voir le détail").click()
    expect(row).to_contain_text("Personne effacée depuis")
    expect(row).to_contain_text(REASON)
    main = dpo.locator("main").inner_text()
    assert "Lopes" not in main and number not in main
    _no_id_shown(dpo)
    shot(dpo, "dpo-staff-log-after-erasure")
