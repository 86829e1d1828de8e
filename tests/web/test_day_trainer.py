"""A trainer's day in Chromium: enrol by file number, the waiting list, the DigComp grid, completion, her reach.

Each journey asserts what the trainer sees, in French: names and file numbers, never an id,
never more of a learner than the course needs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, eventually, reload_until, shot

pytestmark = pytest.mark.usefixtures("browser")

UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _register(live: Live, given: str, family: str, **more: Any) -> tuple[str, str]:
    answer = live.api("helper", "POST", "/people", json={"given_name": given, "family_name": family, **more})
    assert answer.status_code == 201, answer.text
    ids = answer.json()["ids"]
    return str(ids["person_id"]), str(ids["file_number"])


def _cohort(live: Live, name: str, capacity: int = 12) -> str:
    today = datetime.now(UTC).date()
    plan = {
        "name": name,
        "site": "Liège centre",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=27)),
        "session_days": [str(today + timedelta(days=n)) for n in range(0, 28, 2)],
        "capacity": capacity,
    }
    answer = live.api("trainer", "POST", "/cohorts", json=plan)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["cohort_id"])


def _enrol(live: Live, cohort_id: str, person_id: str) -> str | None:
    answer = live.api("trainer", "POST", f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id})
    assert answer.status_code == 201, answer.text
    return answer.json()["ids"]["record_id"]


def _visible(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_a_trainer_enrols_a_person_by_file_number_and_manages_the_waiting_list(open_as, live: Live) -> None:
    cohort_id = _cohort(live, "DigiLab octobre", capacity=2)
    seated, _ = _register(live, "Fatou", "Ndiaye")
    _enrol(live, cohort_id, seated)
    _, file_number = _register(
        live, "Mehmet", "Yilmaz", languages=["tr", "fr"], preferred_language="tr", contact={"email": "m.y@example.org"}
    )
    waiting, _ = _register(live, "Ana", "Lima")
    page = open_as("trainer")
    page.goto(live.url + f"/ui/cohorts/{cohort_id}")
    reload_until(page, lambda: "Fatou Ndiaye" in _visible(page))

    # A typing mistake comes back with the French message and what was typed.
    page.get_by_label("Numéro de dossier").fill("2026-42")
    page.get_by_role("button", name="Chercher").click()
    expect(page.locator("#error-file_number")).to_contain_text("numéro de dossier complet")
    expect(page.get_by_label("Numéro de dossier")).to_have_value("2026-42")

    page.get_by_label("Numéro de dossier").fill(file_number)
    page.get_by_role("button", name="Chercher").click()
    candidate = page.locator("#candidate")
    expect(candidate).to_contain_text("Mehmet Yilmaz")
    expect(candidate).to_contain_text(f"dossier {file_number}")
    expect(candidate).to_contain_text("langue préférée : turc")
    assert "m.y@example.org" not in page.content()
    shot(page, "trainer-enrol-found")
    page.get_by_role("button", name="Inscrire à la session").click()
    expect(page.get_by_role("status")).to_contain_text("La personne est inscrite")
    expect(page.locator("main table")).to_contain_text("Mehmet Yilmaz")

    # The cohort is now full: the next person goes on the waiting list, then is taken off it.
    answer = live.api("trainer", "POST", f"/cohorts/{cohort_id}/waiting-list", json={"person_id": waiting})
    assert answer.status_code == 201, answer.text
    reload_until(page, lambda: "Ana Lima" in _visible(page))
    expect(page.locator("ol.waiting")).to_contain_text("Ana Lima")
    expect(page.get_by_text("La session est complète : une place se libère")).to_be_visible()
    shot(page, "trainer-waiting-list")
    page.get_by_role("button", name="Retirer Ana Lima de la liste d'attente").click()
    expect(page.get_by_role("status")).to_contain_text("retirée de la liste d'attente")
    expect(page.get_by_text("Personne en attente.")).to_be_visible()
    assert not re.search(UUID_PATTERN, _visible(page))


def test_a_trainer_seats_a_person_from_the_waiting_list(open_as, live: Live) -> None:
    cohort_id = _cohort(live, "DigiLab novembre", capacity=3)
    first, _ = _register(live, "Oleksandr", "Kovalenko")
    chosen, _ = _register(live, "Lucía", "García")
    for person_id in (first, chosen):
        answer = live.api("trainer", "POST", f"/cohorts/{cohort_id}/waiting-list", json={"person_id": person_id})
        assert answer.status_code == 201, answer.text
    page = open_as("trainer")
    page.goto(live.url + f"/ui/cohorts/{cohort_id}")
    reload_until(page, lambda: "Lucía García" in _visible(page))
    page.get_by_role("button", name="Donner une place à Lucía García").click()
    expect(page.get_by_role("status")).to_contain_text("La personne a reçu une place")
    expect(page.locator("main table")).to_contain_text("Lucía García")
    expect(page.locator("ol.waiting")).to_contain_text("Oleksandr Kovalenko")
    expect(page.locator("ol.waiting")).not_to_contain_text("Lucía García")
    shot(page, "trainer-seated-from-waiting-list")


def test_the_digcomp_grid_names_the_learner_shows_what_was_assessed_and_what_was_saved(open_as, live: Live) -> None:
    cohort_id = _cohort(live, "DigiLab décembre")
    person_id, file_number = _register(live, "Amina", "Diallo")
    record_id = _enrol(live, cohort_id, person_id)
    initial = {"kind": "initial", "levels": {"1.1": 2, "3.1": 1}}
    answer = live.api("trainer", "POST", f"/training-records/{record_id}/assessments", json=initial)
    assert answer.status_code == 201, answer.text
    page = open_as("trainer")
    grid = live.url + f"/ui/cohorts/{cohort_id}/records/{record_id}/digcomp"
    eventually(lambda: page.goto(grid) and page.get_by_text("Amina Diallo").count() > 0)
    expect(page.locator("main")).to_contain_text(f"dossier {file_number}")
    # The initial assessment is made, so the grid opens on the final one, with the initial levels beside it.
    expect(page.get_by_role("heading", name="Évaluation « Fin de formation »")).to_be_visible()
    expect(page.locator("tr", has=page.locator('select[name="level-1.1"]'))).to_contain_text("2 (")
    page.get_by_role("link", name="Début de formation").click()
    expect(page.locator('select[name="level-1.1"]')).to_have_value("2")
    expect(page.locator('select[name="level-3.1"]')).to_have_value("1")
    shot(page, "trainer-digcomp-initial")

    page.get_by_role("link", name="Fin de formation").click()
    page.locator('select[name="level-1.1"]').select_option("4")
    page.locator('select[name="level-3.1"]').select_option("3")
    page.get_by_role("button", name="Enregistrer l'évaluation « Fin de formation »").click()
    expect(page.get_by_role("status")).to_contain_text("Évaluation « Fin de formation » enregistrée : 2 compétences")
    expect(page.locator('select[name="level-1.1"]')).to_have_value("4")
    expect(page.locator('select[name="level-3.1"]')).to_have_value("3")
    assert not re.search(UUID_PATTERN, _visible(page))
    shot(page, "trainer-digcomp-saved")


def test_completion_below_the_threshold_needs_a_reason_and_the_history_shows_it(open_as, live: Live) -> None:
    cohort_id = _cohort(live, "DigiLab janvier")
    person_id, file_number = _register(live, "Yusuf", "Kaya", contact={"phone": "0470 12 34 56"})
    record_id = _enrol(live, cohort_id, person_id)
    today = datetime.now(UTC).date()
    day = {"day": str(today), "exceptions": [{"record_id": record_id, "status": "present"}], "default_status": None}
    assert live.api("trainer", "POST", f"/cohorts/{cohort_id}/attendance", json=day).status_code == 200
    page = open_as("trainer")
    page.goto(live.url + f"/ui/cohorts/{cohort_id}")
    reload_until(page, lambda: "1 séance sur 14 (7 %)" in _visible(page))
    page.get_by_text("Terminer la formation").click()
    expect(page.get_by_text("Présence de 7 %, sous le seuil de 80 %")).to_be_visible()
    page.get_by_label("Référence de l'attestation").fill("DL-2026-01-007")
    page.get_by_role("button", name="Valider la fin de la formation").click()
    expect(page.locator("#error-reason")).to_contain_text("écrivez pourquoi l'attestation est délivrée")
    expect(page.get_by_label("Référence de l'attestation")).to_have_value("DL-2026-01-007")
    shot(page, "trainer-completion-refused")
    reason = "Hospitalisé trois semaines, exercices rendus à distance"
    page.get_by_label("Motif, si la présence est sous le seuil du centre").fill(reason)
    page.get_by_role("button", name="Valider la fin de la formation").click()
    expect(page.get_by_role("status")).to_contain_text("Fin de formation enregistrée")

    page.goto(live.url + f"/ui/people/{person_id}/training")
    reload_until(page, lambda: reason in _visible(page))
    learner = page.locator("#learner")
    expect(learner).to_contain_text("Yusuf Kaya")
    expect(learner).to_contain_text(f"dossier {file_number}")
    expect(learner).to_contain_text("0470 12 34 56")
    expect(page.locator("main")).to_contain_text("Attestation délivrée malgré une présence insuffisante")
    shot(page, "trainer-history-with-reason")


def test_a_trainer_is_told_a_stranger_is_not_hers_and_reads_only_the_course_details_of_her_learners(
    open_as, live: Live
) -> None:
    cohort_id = _cohort(live, "DigiLab février")
    contact = {"phone": "0471 00 00 01", "email": "z.k@example.org", "address": "Rue des Tanneurs 14, 4020 Liège"}
    learner, _ = _register(live, "Zeynep", "Kaya", contact=contact)
    _enrol(live, cohort_id, learner)
    stranger, _ = _register(live, "Karim", "Benali")
    page = open_as("trainer")
    page.goto(live.url + f"/ui/people/{stranger}/training")
    expect(page.get_by_role("alert")).to_contain_text("ne suit pas l'une de vos sessions DigiLab")
    expect(page.get_by_role("navigation")).to_contain_text("Mes sessions DigiLab")
    assert "Karim" not in page.content()
    shot(page, "trainer-not-her-learner")

    # Her own learner: the course details only (name, file number, phone), never the email or the address.
    page.goto(live.url + f"/ui/people/{learner}/training")
    reload_until(page, lambda: "Zeynep Kaya" in _visible(page))
    seen = _visible(page)
    assert "0471 00 00 01" in seen
    assert "z.k@example.org" not in page.content() and "Rue des Tanneurs" not in page.content()
    shot(page, "trainer-learner-history")
