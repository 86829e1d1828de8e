"""The main journeys in Chromium, signed in as each role, with screenshots and an accessibility check.

Chromium comes from Debian (``apt-get install chromium``), driven by Playwright with
``executable_path``: never ``playwright install``. Without Chromium these tests are
skipped with a message saying how to install it, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.http.conftest import PASSWORD
from tests.web.conftest import BROWSER_TIMEOUT_MS, Live, eventually, reload_until, shot

AXE = Path(__file__).parents[2] / "service" / "web" / "static" / "vendor" / "axe.min.js"
SECRET_NOTE = "Dossier titre de séjour : recours introduit au CCE"
REFERRAL_REASON = "Courrier du CPAS incompris, expulsion possible"

pytestmark = pytest.mark.usefixtures("browser")


def _register(live: Live, role: str, given: str, family: str) -> str:
    answer = live.api(role, "POST", "/people", json={"given_name": given, "family_name": family})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"])


def _cohort_of_twelve(live: Live) -> tuple[str, list[str]]:
    today = datetime.now(UTC).date()
    plan = {
        "name": "DigiLab septembre",
        "site": "Liège",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=27)),
        "session_days": [str(today + timedelta(days=n)) for n in range(0, 28, 2)],
        "capacity": 12,
    }
    answer = live.api("trainer", "POST", "/cohorts", json=plan)
    assert answer.status_code == 201, answer.text
    cohort_id = answer.json()["ids"]["cohort_id"]
    learners = [_register(live, "helper", f"Apprenant{n}", f"Famille{n}") for n in range(12)]
    for person_id in learners:
        enrolled = live.api("trainer", "POST", f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id})
        assert enrolled.status_code == 201, enrolled.text
    return cohort_id, learners


def _axe(page: Any) -> None:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps([(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in bad], indent=1)


def test_a_trainer_records_a_days_attendance_for_twelve_learners(open_as, live: Live) -> None:
    cohort_id, learners = _cohort_of_twelve(live)
    page = open_as("trainer")
    assert page.url.endswith("/ui/cohorts")
    reload_until(page, lambda: page.get_by_text("DigiLab septembre").count() > 0)
    _axe(page)
    shot(page, "trainer-cohorts")
    started = time.monotonic()
    page.get_by_role("link", name="Présences du jour").first.click()
    reload_until(page, lambda: page.locator("input[type=radio]").count() == 48)
    _axe(page)
    # Everyone present by default; two exceptions, by keyboard alone.
    first_absent = page.locator(f'input[name="mark-{learners[3]}"][value="absent"]')
    first_absent.focus()
    page.keyboard.press("Space")
    late = page.locator(f'input[name="mark-{learners[7]}"][value="present"]')
    late.focus()
    page.keyboard.press("ArrowRight")  # present -> late
    shot(page, "trainer-attendance")
    page.get_by_role("button", name="Enregistrer les présences").press("Enter")
    page.wait_for_url("**/attendance?saved=1")
    assert time.monotonic() - started < 60
    assert page.get_by_role("status").inner_text() == "Présences enregistrées."
    roster = live.api("trainer", "GET", f"/cohorts/{cohort_id}/roster").json()
    marks = {line["person_id"]: line["attendance"] for line in roster["learners"]}
    assert marks[learners[3]] == "absent" and marks[learners[7]] == "late"
    assert sum(1 for m in marks.values() if m == "present") == 10
    shot(page, "trainer-attendance-saved")


def test_an_office_hours_referral_is_accepted_by_a_social_worker_and_opens_a_case(open_as, live: Live) -> None:
    helper = open_as("helper")
    helper.goto(live.url + "/ui/office-hours/board?site=Li%C3%A8ge")
    helper.get_by_label("Prénom").fill("Mariam")
    helper.get_by_label("Nom de famille").fill("Ouedraogo")
    helper.get_by_role("button", name="Inscrire et accueillir").click()
    helper.wait_for_url("**notice=registered")
    _axe(helper)
    call = helper.get_by_role("button", name="Appeler Mariam Ouedraogo")
    reload_until(helper, lambda: call.count() == 1)
    shot(helper, "helper-board")
    call.click()
    helper.get_by_label("Demande", exact=True).fill("Lettre du CPAS")
    helper.get_by_label("Ce qui a été fait").fill("Lecture de la lettre avec la personne")
    helper.get_by_role("button", name="Enregistrer et terminer").click()
    helper.get_by_label("Motif de l'orientation").fill(REFERRAL_REASON)
    _axe(helper)
    shot(helper, "helper-visit")
    helper.get_by_role("button", name="Orienter", exact=True).click()
    helper.wait_for_url("**notice=referred")

    worker = open_as("social_worker")
    assert worker.url.endswith("/ui/caseload")
    heading = worker.get_by_role("heading", name="Mariam Ouedraogo", exact=False)
    reload_until(worker, lambda: heading.count() == 1)
    _axe(worker)
    shot(worker, "social-worker-caseload")
    worker.get_by_label("Domaine").first.select_option("social_benefits")
    worker.get_by_label("Résumé").first.fill("Aide pour le courrier du CPAS")
    worker.get_by_role("button", name="Accepter et ouvrir le dossier").first.click()
    worker.wait_for_url("**/ui/people/*")
    reload_until(worker, lambda: worker.get_by_role("heading", name="Allocations sociales · ouvert").count())
    worker.get_by_label("Note", exact=True).fill(SECRET_NOTE)
    worker.get_by_role("button", name="Ajouter la note").click()
    reload_until(worker, lambda: worker.get_by_text(SECRET_NOTE).count() > 0)
    _axe(worker)
    shot(worker, "social-worker-file")


def test_the_dpo_exports_then_erases_a_person(open_as, live: Live) -> None:
    # Each step waits for what the next one needs (a URL, an element, a text), never for a fixed time.
    person = {"given_name": "Jeanne", "family_name": "Effacée", "birth_date": "1980-02-01"}
    person_id = str(live.api("social_worker", "POST", "/people", json=person).json()["ids"]["person_id"])
    dpo = open_as("dpo")
    _axe(dpo)
    shot(dpo, "dpo-requests")
    dpo.get_by_label("Nom et prénom").fill("Jeanne Effacée")
    dpo.get_by_label("Date de naissance").fill("01/02/1980")
    dpo.get_by_role("button", name="Chercher").click()
    found = dpo.get_by_role("link", name="Jeanne Effacée")
    eventually(lambda: dpo.get_by_role("button", name="Chercher").click() or found.count() == 1)
    dpo.get_by_role("link", name="Jeanne Effacée").click()
    dpo.wait_for_url(f"**/ui/dpo/people/{person_id}")
    download_link = dpo.get_by_role("link", name="Télécharger le fichier JSON")
    expect(download_link).to_be_visible()
    _axe(dpo)
    with dpo.expect_download() as download:
        download_link.click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert "Effacée" in json.dumps(exported, ensure_ascii=False)
    printable = dpo.context.new_page()
    printable.goto(live.url + f"/ui/dpo/people/{person_id}/export")
    expect(printable.locator("body")).to_contain_text("Effacée")
    shot(printable, "dpo-export-printable")
    printable.close()
    dpo.get_by_role("link", name="Simulation d'effacement (rien n'est effacé)").click()
    dpo.wait_for_url(f"**/ui/dpo/people/{person_id}/erasure")
    erase = dpo.get_by_role("button", name="Effacer définitivement")
    expect(erase).to_be_visible()
    _axe(dpo)
    shot(dpo, "dpo-erasure-dry-run")
    number = live.api("dpo", "GET", f"/dpo/people/{person_id}").json()["file_number"]
    dpo.get_by_label("Numéro de dossier de la personne").fill("wrong")
    erase.click()
    expect(dpo.get_by_role("alert")).to_contain_text("Ce n'est pas le numéro de dossier")
    dpo.get_by_label("Numéro de dossier de la personne").fill(number)
    dpo.get_by_role("button", name="Effacer définitivement").click()
    # The erasure signs a receipt and destroys a key: the slowest step, so wait for its answer itself.
    expect(dpo.get_by_role("status")).to_contain_text("a été effacé(e).")
    shot(dpo, "dpo-erasure-receipt")
    assert live.api("social_worker", "GET", f"/people/{person_id}").status_code == 410


def test_a_trainers_pages_and_fragments_never_show_social_legal_text(open_as, live: Live) -> None:
    cohort_id, learners = _cohort_of_twelve(live)
    person_id = learners[0]
    opened = live.api(
        "social_worker", "POST", "/cases", json={"person_id": person_id, "domain": "housing", "summary": SECRET_NOTE}
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["ids"]["case_id"]
    noted = live.api("social_worker", "POST", f"/cases/{case_id}/notes", json={"text": SECRET_NOTE})
    assert noted.status_code == 201, noted.text
    trainer = open_as("trainer")
    seen = []
    urls = [
        "/ui/cohorts",
        f"/ui/cohorts/{cohort_id}",
        f"/ui/cohorts/{cohort_id}/attendance",
        f"/ui/people/{person_id}/training",
        f"/ui/people/{person_id}",
        "/ui/caseload",
        "/ui/office-hours/board/live?site=Li%C3%A8ge",
    ]
    for url in urls:
        trainer.goto(live.url + url)
        seen.append(trainer.content())
    for fragment in ("/ui/office-hours/board/live?site=Li%C3%A8ge", f"/ui/people/{person_id}"):
        answer = trainer.request.get(live.url + fragment, headers={"HX-Request": "true"})
        seen.append(answer.text())
    searched = trainer.request.post(
        live.url + "/ui/people/search",
        form={"query": "Apprenant0"},
        headers={"HX-Request": "true", "X-CSRF-Token": _csrf(trainer)},
    )
    seen.append(searched.text())
    for html in seen:
        for text in (SECRET_NOTE, REFERRAL_REASON, "Suivi social et juridique", "Logement"):
            assert text not in html
    shot(trainer, "trainer-refused-file")


def _csrf(page: Any) -> str:
    page.goto(page.url.split("/ui/")[0] + "/ui/cohorts")
    headers = page.locator("body").get_attribute("hx-headers")
    return str(json.loads(headers)["X-CSRF-Token"])


def test_the_interface_switches_to_english_and_back(open_as, live: Live) -> None:
    page = open_as("admin", width=820, height=1180)  # a tablet
    assert page.url.endswith("/ui/admin/staff")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Staff accounts").count() == 1
    _axe(page)
    shot(page, "admin-staff-tablet-en")
    page.get_by_role("button", name="Français").click()
    assert page.get_by_role("heading", name="Comptes du personnel").count() == 1
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/ui/sign-in")
    _axe(page)
    shot(page, "sign-in")


# ---- errors, expiry, resubmission, and a phone ----


def _open_signed_out(browser: Any, live: Live, *, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-BE")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    page.goto(live.url + "/ui/sign-in")
    return page


def test_a_wrong_password_says_so_in_french_and_keeps_the_username(browser, live: Live) -> None:
    page = _open_signed_out(browser, live)
    page.get_by_label("Identifiant").fill("social.worker")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Identifiant ou mot de passe incorrect")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Identifiant")).to_have_value("social.worker")
    expect(page.get_by_label("Mot de passe")).to_have_value("")
    assert page.title().startswith("Erreur\u00a0:")
    _axe(page)
    shot(page, "sign-in-wrong-password")
    page.context.close()


def test_a_birth_date_typed_wrongly_comes_back_with_the_message_next_to_it(open_as, live: Live) -> None:
    page = open_as("social_worker")
    page.goto(live.url + "/ui/people/new")
    page.get_by_label("Prénom").fill("Fatou")
    page.get_by_label("Nom de famille").fill("Ndiaye")
    page.get_by_label("Date de naissance").fill("31/13/1990")
    page.get_by_role("button", name="Inscrire").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-birth_date")).to_contain_text("Saisissez la date de naissance au format 31/12/1990")
    expect(page.get_by_label("Prénom")).to_have_value("Fatou")
    expect(page.get_by_label("Date de naissance")).to_have_value("31/13/1990")
    assert page.get_by_role("navigation").count() == 1  # inside the normal layout
    _axe(page)
    shot(page, "register-bad-date")
    page.locator("#error-summary a").first.click()
    expect(page.get_by_label("Date de naissance")).to_be_focused()
    page.get_by_label("Date de naissance").fill("31/12/1990")
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url("**/ui/people/*")
    reload_until(page, lambda: page.get_by_text("Fatou Ndiaye").count() > 0)


def _file_with_a_case(live: Live, given: str, family: str) -> str:
    person_id = _register(live, "social_worker", given, family)
    case = {"person_id": person_id, "domain": "housing", "summary": "x"}
    opened = live.api("social_worker", "POST", "/cases", json=case)
    assert opened.status_code == 201, opened.text
    return person_id


def _note_count(live: Live, person_id: str, text: str) -> int:
    answer = live.api("social_worker", "GET", f"/people/{person_id}/file")
    return json.dumps(answer.json(), ensure_ascii=False).count(text)


def test_an_expired_session_brings_the_note_back_on_the_file_after_signing_in(open_as, live: Live) -> None:
    person_id = _file_with_a_case(live, "Khadija", "Amrani")
    page = open_as("social_worker")
    page.goto(live.url + f"/ui/people/{person_id}")
    note = page.get_by_label("Note", exact=True)
    reload_until(page, lambda: note.count() == 1)
    text = "Rendez-vous au CPAS le 12/10 : apporter la composition de ménage"
    note.fill(text)
    page.context.add_cookies([{"name": "suivi_session", "value": "expired", "url": live.url}])
    page.get_by_role("button", name="Ajouter la note").click()
    page.wait_for_url("**/ui/sign-in?expired=1")
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_label("Identifiant").fill("social.worker")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/ui/people/{person_id}")
    expect(page.get_by_label("Note", exact=True)).to_have_value(text)
    expect(page.locator("main")).to_contain_text("ce que vous aviez saisi a été remis dans le formulaire")
    shot(page, "social-worker-note-kept-after-expiry")
    page.get_by_role("button", name="Ajouter la note").click()
    eventually(lambda: _note_count(live, person_id, text) == 1)
    page.reload()
    expect(page.get_by_label("Note", exact=True)).to_have_value("")  # the draft is forgotten once used


def test_going_back_and_sending_the_note_again_writes_it_once(open_as, live: Live) -> None:
    person_id = _file_with_a_case(live, "Sami", "Haddad")
    page = open_as("social_worker")
    page.goto(live.url + f"/ui/people/{person_id}")
    note = page.get_by_label("Note", exact=True)
    reload_until(page, lambda: note.count() == 1)
    text = "Appel à la société de logement"
    note.fill(text)
    page.get_by_role("button", name="Ajouter la note").click()
    eventually(lambda: _note_count(live, person_id, text) == 1)
    page.go_back()
    page.get_by_label("Note", exact=True).fill(text)
    page.get_by_role("button", name="Ajouter la note").click()
    page.wait_for_load_state()
    time.sleep(1)  # give a second write, if there were one, the time to reach the log
    assert _note_count(live, person_id, text) == 1
    response = page.request.get(live.url + f"/ui/people/{person_id}")
    assert response.headers["cache-control"] == "no-store"


def test_the_caseload_and_the_file_fit_a_phone(open_as, live: Live) -> None:
    people = [_file_with_a_case(live, f"Prénom-très-long-{n}", f"Nom-de-famille-composé-{n}") for n in range(3)]
    page = open_as("social_worker", width=390, height=844)
    page.goto(live.url + "/ui/caseload")
    reload_until(page, lambda: page.locator("table").count() == 1)
    widest = page.evaluate("() => document.documentElement.scrollWidth")
    assert widest <= 390, f"the page is {widest} px wide on a 390 px screen"
    _axe(page)
    shot(page, "social-worker-caseload-phone")
    page.goto(live.url + f"/ui/people/{people[0]}")
    expect(page.get_by_label("Note", exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _axe(page)
    shot(page, "social-worker-file-phone")


def test_an_error_page_keeps_the_navigation_and_speaks_french(open_as, live: Live) -> None:
    page = open_as("trainer")
    page.goto(live.url + "/ui/caseload")
    expect(page.get_by_role("alert")).to_contain_text("Cette page est réservée à un autre rôle")
    expect(page.get_by_role("navigation")).to_contain_text("Mes sessions DigiLab")
    _axe(page)
    shot(page, "trainer-other-roles-page")
