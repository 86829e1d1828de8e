"""Printed outputs in Chromium: a trainer prints the day's sheet and the month's summary, issues, downloads
and revokes a certificate; anyone checks it on the public page, which names no one.

Each journey asserts what the person sees, in French: names and file numbers on the documents,
never an id on a page, never a name on the public page.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from service.printing.signing import verify_signed
from tests.printing.course import pdf_text
from tests.web.conftest import Live, eventually, reload_until, shot

pytestmark = pytest.mark.usefixtures("browser")

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _learner(live: Live, given: str, family: str) -> tuple[str, str, str]:
    """A cohort that started today, and a learner enrolled in it: (cohort, person, file number)."""
    today = datetime.now(UTC).date()
    plan = {"name": "DigiLab impression", "site": "Liège centre", "starts_on": str(today)}
    plan["ends_on"] = str(today + timedelta(days=27))
    plan["session_days"] = [str(today + timedelta(days=n)) for n in range(0, 28, 2)]  # type: ignore[assignment]
    cohort = live.api("trainer", "POST", "/cohorts", json=plan)
    assert cohort.status_code == 201, cohort.text
    cohort_id = str(cohort.json()["ids"]["cohort_id"])
    person = live.api("helper", "POST", "/people", json={"given_name": given, "family_name": family})
    assert person.status_code == 201, person.text
    person_id, file_number = str(person.json()["ids"]["person_id"]), str(person.json()["ids"]["file_number"])
    enrolled = live.api("trainer", "POST", f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id})
    assert enrolled.status_code == 201, enrolled.text
    return cohort_id, person_id, file_number


def _visible(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_a_trainer_prints_the_days_sheet_and_the_months_summary(open_as, live: Live) -> None:
    cohort_id, person_id, file_number = _learner(live, "Yasmina", "El Idrissi")
    page = open_as("trainer")
    page.goto(live.url + f"/ui/cohorts/{cohort_id}/documents")
    expect(page.locator("h1")).to_have_text("Documents de la session")
    shown = _visible(page)
    assert "DigiLab impression" in shown and "Feuille de présence" in shown and "Relevé mensuel des présences" in shown
    assert not UUID_PATTERN.search(shown)
    shot(page, "printouts-documents")
    # The sheet lists whoever the roster's read model has reached.
    eventually(lambda: person_id in live.api("trainer", "GET", f"/cohorts/{cohort_id}/roster").text)
    with page.expect_download() as sheet:
        page.get_by_role("button", name="Télécharger la feuille de présence").click()
    assert sheet.value.suggested_filename.startswith("feuille-presence-")
    text = pdf_text(Path(sheet.value.path()).read_bytes())
    assert "Feuille de présence" in text and f"El Idrissi Yasmina {file_number}" in text
    page.locator("main form").nth(1).get_by_label("Excel (XLSX)").check()
    with page.expect_download() as summary:
        page.get_by_role("button", name="Télécharger le relevé").click()
    book = load_workbook(io.BytesIO(Path(summary.value.path()).read_bytes()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Centre Suivi, Liège" and str(rows[1][0]).startswith("Relevé des présences")
    assert any(row[:3] == ("El Idrissi", "Yasmina", file_number) for row in rows)


def test_a_trainer_issues_downloads_and_revokes_a_certificate_that_anyone_can_check(
    open_as, live: Live, browser: Any
) -> None:
    _, person_id, file_number = _learner(live, "Oumar", "Ba")
    page = open_as("trainer")
    page.goto(live.url + f"/ui/people/{person_id}/certificates")
    expect(page.locator("h1")).to_have_text("Attestations")
    reload_until(page, lambda: "DigiLab impression" in _visible(page))
    assert f"Oumar Ba · dossier n° {file_number}" in _visible(page)
    assert "Aucune attestation délivrée pour le moment." in _visible(page)
    page.get_by_label("Attestation de fréquentation").check()
    page.get_by_role("button", name="Délivrer l'attestation").click()
    expect(page.locator("#done")).to_contain_text("L'attestation est délivrée")
    reload_until(page, lambda: "Valable" in _visible(page))
    shown = _visible(page)
    assert "Attestation de fréquentation" in shown and "DigiLab impression" in shown
    assert not UUID_PATTERN.search(shown)
    shot(page, "printouts-certificates")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Télécharger (PDF)").click()
    data = Path(pdf.value.path()).read_bytes()
    assert "Attestation de fréquentation" in pdf_text(data) and "Oumar Ba" in pdf_text(data)
    certificate_id = verify_signed(data).document.certificate_id

    public = browser.new_context(locale="fr-BE")
    anyone = public.new_page()
    anyone.goto(live.url + f"/verification/{certificate_id}")
    expect(anyone.locator("#verdict")).to_contain_text("Attestation authentique et valable.")
    assert "Oumar" not in anyone.content() and file_number not in anyone.content()
    shot(anyone, "printouts-verification-valid")

    page.get_by_text("Révoquer (délivrée par erreur)").click()
    page.get_by_label("Motif de la révocation").fill("Délivrée à la mauvaise personne")
    page.get_by_role("button", name="Révoquer l'attestation").click()
    expect(page.locator("#done")).to_contain_text("L'attestation est révoquée")
    reload_until(page, lambda: "Révoquée le" in _visible(page))
    shot(page, "printouts-certificate-revoked")
    anyone.reload()
    expect(anyone.locator("#verdict")).to_contain_text("Attestation révoquée : elle n'est plus valable.")
    public.close()
