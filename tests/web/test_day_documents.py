"""Documents in Chromium: Sophie scans a CPAS decision into a case, finds it listed on the person's
file, downloads it (the same bytes), and a file that is no PDF comes back in French with the title kept."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.http.test_documents_api import a_pdf
from tests.web.conftest import Live, reload_until, shot
from tests.web.test_day_social import _no_id_shown, _open_case, _register, _submit

pytestmark = pytest.mark.usefixtures("browser")


def _documents_page(page: Any, live: Live, person_id: str, name: str) -> None:
    """From the person's file, the case's documents page, through the link the case shows."""
    page.goto(f"{live.url}/ui/people/{person_id}")
    # The case's part of the file (once projected) loads its documents' summary after the page:
    # the person's own identity papers have a link of the same name.
    link = page.locator(".case-documents").get_by_role("link", name="Voir les documents et en joindre un")
    reload_until(page, lambda: page.get_by_text(name).count() > 0 and link.first.wait_for(timeout=5_000) is None)
    with page.expect_navigation():
        link.click()
    expect(page.get_by_role("heading", name="Documents du dossier")).to_be_visible()


def test_she_attaches_a_scan_to_a_case_sees_it_listed_and_downloads_it(open_as, live: Live, tmp_path: Path) -> None:
    person_id = _register(live, "social_worker", "Fatou", "Ndiaye")
    _open_case(live, person_id, "Aide sociale du CPAS", domain="social_benefits")
    sophie = open_as("social_worker")
    _documents_page(sophie, live, person_id, "Fatou Ndiaye")
    pdf = a_pdf("Decision du CPAS de Liege du 2 decembre")
    scan = tmp_path / "decision-cpas.pdf"
    scan.write_bytes(pdf)

    sophie.get_by_label("Titre").fill("Décision du CPAS")
    sophie.get_by_label("Type de document").select_option("decision_letter")
    sophie.get_by_label("Échéance (facultatif)").fill("2026-12-20")
    sophie.get_by_label("Fichier (PDF, JPEG ou PNG)").last.set_input_files(str(scan))
    _submit(sophie, sophie.get_by_role("button", name="Joindre le document"))
    row = sophie.get_by_role("row").filter(has_text="Décision du CPAS")
    expect(row).to_contain_text("Lettre de décision")
    expect(row).to_contain_text("Version 1")
    expect(row).to_contain_text("20/12/2026")
    _no_id_shown(sophie)
    shot(sophie, "documents-case-listed")

    with sophie.expect_download() as downloading:
        row.get_by_role("link", name=re.compile("Télécharger")).click()
    download = downloading.value
    assert Path(download.path()).read_bytes() == pdf
    assert download.suggested_filename == "lettre-de-decision-v1.pdf"  # never the person's name

    sophie.get_by_role("link", name="Retour au dossier de la personne").click()
    case_part = sophie.locator(".case-documents")
    reload_until(sophie, lambda: "Décision du CPAS" in case_part.inner_text())
    expect(case_part).to_contain_text("échéance le 20/12/2026")
    expect(sophie.locator(".follow-ups")).to_contain_text("Décision du CPAS")  # the deadline is a follow-up
    _no_id_shown(sophie)
    shot(sophie, "documents-on-the-file")

    # The DPO's subject-access export, from the person's page: the JSON and the file, byte for byte.
    dpo = open_as("dpo")
    dpo.goto(f"{live.url}/ui/dpo/people/{person_id}")
    with dpo.expect_download() as exporting:
        dpo.get_by_role("link", name="Télécharger l'export avec les documents (ZIP)").click()
    archive = zipfile.ZipFile(exporting.value.path())
    assert archive.read("documents/1-v1.pdf") == pdf
    assert "Décision du CPAS" in archive.read("documents/index.json").decode()


def test_a_file_that_is_no_pdf_comes_back_in_french_with_the_title_kept(open_as, live: Live, tmp_path: Path) -> None:
    person_id = _register(live, "social_worker", "Karim", "Haddad")
    _open_case(live, person_id, "Titre de séjour à renouveler", domain="residence_immigration")
    sophie = open_as("social_worker")
    _documents_page(sophie, live, person_id, "Karim Haddad")
    fake = tmp_path / "titre-de-sejour.pdf"
    fake.write_bytes(b"PK\x03\x04 this is a zip archive renamed")

    sophie.get_by_label("Titre").fill("Titre de séjour (recto)")
    sophie.get_by_label("Type de document").select_option("residence_permit")
    sophie.get_by_label("Fichier (PDF, JPEG ou PNG)").last.set_input_files(str(fake))
    _submit(sophie, sophie.get_by_role("button", name="Joindre le document"))
    expect(sophie.get_by_text("Ce fichier n'est pas un PDF, une image JPEG ou PNG.").first).to_be_visible()
    expect(sophie.get_by_label("Titre")).to_have_value("Titre de séjour (recto)")
    expect(sophie.get_by_label("Type de document")).to_have_value("residence_permit")
    expect(sophie.get_by_text("Aucun document pour l'instant.")).to_be_visible()
    _no_id_shown(sophie)
    shot(sophie, "documents-refused-file")

    # Over the centre's limit (20 MB by default): said in megabytes, what was typed kept again.
    heavy = tmp_path / "titre-de-sejour-scan.pdf"
    heavy.write_bytes(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n")
    sophie.get_by_label("Fichier (PDF, JPEG ou PNG)").last.set_input_files(str(heavy))
    _submit(sophie, sophie.get_by_role("button", name="Joindre le document"))
    expect(sophie.get_by_text("Ce fichier est trop volumineux : 20 Mo au plus.").first).to_be_visible()
    expect(sophie.get_by_label("Titre")).to_have_value("Titre de séjour (recto)")
    expect(sophie.get_by_text("Aucun document pour l'instant.")).to_be_visible()
    shot(sophie, "documents-too-large")
