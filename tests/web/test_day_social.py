"""A social worker's day in Chromium: what Sophie sees, in French, by the person's name, never an id.

Her own people stay hers (no break-glass right after registering, nor for her closed cases),
she marks follow-ups done and sees those pending across her cases, records a consent that names
an outside body and refers there without a written override, reads why a person was referred to
her, and a colleague with no link cannot answer her referral.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, reload_until, shot

pytestmark = pytest.mark.usefixtures("browser")
UUID_SHOWN = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def _register(live: Live, role: str, given: str, family: str) -> str:
    answer = live.api(role, "POST", "/people", json={"given_name": given, "family_name": family})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["person_id"])


def _open_case(live: Live, person_id: str, summary: str, domain: str = "housing") -> str:
    body = {"person_id": person_id, "domain": domain, "summary": summary}
    answer = live.api("social_worker", "POST", "/cases", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ids"]["case_id"])


def _submit(page: Any, button: Any) -> None:
    """Send a form and wait for the page it leads to (the same address, often)."""
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()


def _no_id_shown(page: Any) -> None:
    assert not UUID_SHOWN.search(page.locator("main").inner_text())


def _file_of(page: Any, live: Live, person_id: str, name: str) -> None:
    page.goto(f"{live.url}/ui/people/{person_id}")
    reload_until(page, lambda: page.get_by_text(name).count() > 0)


def test_right_after_registering_she_opens_a_case_and_marks_a_follow_up_done(open_as, live: Live) -> None:
    person_id = _register(live, "social_worker", "Aïcha", "Bensaïd")
    sophie = open_as("social_worker")
    _file_of(sophie, live, person_id, "Aïcha Bensaïd")
    expect(sophie.get_by_text("Cette personne n'est pas dans vos dossiers")).to_have_count(0)
    sophie.get_by_text("Ouvrir un dossier", exact=True).first.click()
    sophie.locator("#new-domain").select_option("housing")
    sophie.get_by_label("Résumé").fill("Recherche d'un logement social")
    _submit(sophie, sophie.get_by_role("button", name="Ouvrir un dossier"))
    heading = sophie.get_by_role("heading", name="Logement · ouvert")
    reload_until(sophie, lambda: heading.count() == 1)

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    sophie.get_by_label("Échéance").fill(yesterday.isoformat())
    sophie.get_by_label("Suivi à faire").fill("Appeler le Foyer liégeois")
    _submit(sophie, sophie.get_by_role("button", name="Ajouter le suivi"))
    mark_done = sophie.get_by_role("button", name="Marquer comme fait : Appeler le Foyer liégeois")
    reload_until(sophie, lambda: mark_done.count() == 1)
    expect(sophie.locator(".follow-ups")).to_contain_text("En retard : échéance le")
    _no_id_shown(sophie)
    shot(sophie, "social-file-follow-up")

    sophie.goto(live.url + "/ui/caseload")
    follow_ups = sophie.get_by_role("table").first
    expect(sophie.get_by_role("heading", name=re.compile("Suivis à faire"))).to_be_visible()
    expect(follow_ups).to_contain_text("Aïcha Bensaïd")
    expect(follow_ups).to_contain_text("Appeler le Foyer liégeois")
    expect(follow_ups).to_contain_text("En retard")
    _no_id_shown(sophie)
    shot(sophie, "social-caseload-follow-ups")
    follow_ups.get_by_role("link", name="Aïcha Bensaïd").click()
    sophie.wait_for_url(f"**/ui/people/{person_id}*")

    _submit(sophie, sophie.get_by_role("button", name="Marquer comme fait : Appeler le Foyer liégeois"))
    reload_until(sophie, lambda: sophie.locator(".follow-ups").get_by_text("fait le").count() == 1)
    expect(sophie.get_by_role("button", name=re.compile("Marquer comme fait"))).to_have_count(0)
    shot(sophie, "social-file-follow-up-done")


def test_she_reopens_her_closed_case_from_her_caseload_without_breaking_the_glass(open_as, live: Live) -> None:
    person_id = _register(live, "helper", "Bogdan", "Popescu")
    _open_case(live, person_id, "Arriérés de loyer")
    sophie = open_as("social_worker")
    _file_of(sophie, live, person_id, "Bogdan Popescu")
    sophie.get_by_label("Issue").select_option("resolved")
    _submit(sophie, sophie.get_by_role("button", name="Clôturer le dossier"))
    reload_until(sophie, lambda: sophie.get_by_role("heading", name="Logement · clôturé").count() == 1)

    sophie.goto(live.url + "/ui/caseload")
    closed = sophie.locator("section.card", has=sophie.get_by_role("heading", name=re.compile("Bogdan Popescu")))
    reload_until(sophie, lambda: closed.count() == 1)
    expect(closed).to_contain_text("clôturé le")
    _no_id_shown(sophie)
    shot(sophie, "social-caseload-closed")
    closed.get_by_label("Motif de la réouverture").fill("Nouveau courrier du propriétaire")
    _submit(sophie, closed.get_by_role("button", name="Rouvrir le dossier"))
    sophie.wait_for_url(f"**/ui/people/{person_id}")
    reload_until(sophie, lambda: sophie.get_by_role("heading", name="Logement · ouvert").count() == 1)
    expect(sophie.get_by_text("Accès exceptionnel")).to_have_count(0)
    shot(sophie, "social-file-reopened")


def test_a_consent_naming_the_cpas_spares_the_override_and_the_referral_is_listed_as_sent(open_as, live: Live) -> None:
    person_id = _register(live, "helper", "Nadia", "Saidi")
    _open_case(live, person_id, "Revenu d'intégration", "social_benefits")
    sophie = open_as("social_worker")
    _file_of(sophie, live, person_id, "Nadia Saidi")
    sophie.get_by_text("Enregistrer un consentement").click()
    sophie.locator("#purpose").select_option("external_referral")
    sophie.locator("#evidence").select_option("oral")
    sophie.locator("#consent-org-kind").select_option("cpas")
    sophie.locator("#consent-org-name").fill("CPAS de Liège")
    _submit(sophie, sophie.get_by_role("button", name="Enregistrer le consentement"))
    consents = sophie.locator("ul.consents")
    reload_until(sophie, lambda: consents.count() == 1)
    expect(consents).to_contain_text("Orientation vers le CPAS de Liège : accord donné le")
    expect(consents).to_contain_text("(accord oral)")
    shot(sophie, "social-file-consent-cpas")

    sophie.get_by_text("Orienter vers un organisme extérieur").click()
    sophie.locator("#org-kind-1").select_option("cpas")
    sophie.locator("#org-name-1").fill("CPAS de Seraing")
    sophie.get_by_label("Motif de l'orientation").fill("Demande d'aide sociale")
    _submit(sophie, sophie.get_by_role("button", name="Orienter", exact=True))
    expect(sophie.locator(".field-error").first).to_be_visible()  # another body: the override is asked
    shot(sophie, "social-referral-other-body-refused")
    sophie.locator("#org-name-1").fill("CPAS de Liège")
    _submit(sophie, sophie.get_by_role("button", name="Orienter", exact=True))
    sophie.wait_for_url(f"**/ui/people/{person_id}")

    sophie.goto(live.url + "/ui/caseload")
    sent = sophie.get_by_role("row", name=re.compile("Nadia Saidi"))
    reload_until(sophie, lambda: sent.filter(has_text="CPAS de Liège").count() == 1)
    expect(sent.filter(has_text="CPAS de Liège")).to_contain_text("Envoyée")
    incoming = sophie.locator("section.card", has=sophie.get_by_role("heading", name=re.compile("Nadia Saidi")))
    expect(incoming).to_have_count(0)  # her own referral is never an incoming one
    _no_id_shown(sophie)
    shot(sophie, "social-caseload-sent")


def test_an_incoming_card_says_why_by_whom_and_when_and_a_colleague_cannot_answer_hers(open_as, live: Live) -> None:
    person_id = _register(live, "helper", "Hassan", "Omar")
    reason = "Lettre de l'Office des étrangers à comprendre, délai de 15 jours"
    referral = {"person_id": person_id, "source": "office_hours", "reason": reason}
    assert live.api("helper", "POST", "/referrals/internal", json=referral).status_code == 201
    sophie = open_as("social_worker")
    card = sophie.locator("section.card", has=sophie.get_by_role("heading", name=re.compile("Hassan Omar")))
    reload_until(sophie, lambda: card.count() == 1)
    expect(card).to_contain_text(reason)
    expect(card).to_contain_text("par Helper")
    expect(card).to_contain_text("Permanence")
    _no_id_shown(sophie)
    shot(sophie, "social-caseload-incoming")

    # Sophie's own referral to the CPAS: Karim, her colleague, has no link to the person.
    mine = _register(live, "social_worker", "Rahel", "Tesfaye")
    case_id = _open_case(live, mine, "Aide médicale urgente", "health")
    external = {
        "person_id": mine,
        "organisation_kind": "cpas",
        "organisation_name": "CPAS de Liège",
        "reason": "Aide médicale urgente",
        "case_id": case_id,
        "override_reason": "Urgence médicale",
    }
    made = live.api("social_worker", "POST", "/referrals/external", json=external)
    assert made.status_code == 201, made.text
    referral_id = made.json()["ids"]["referral_id"]
    karim = open_as("other_social_worker")
    expect(karim.get_by_text("Rahel Tesfaye")).to_have_count(0)
    token = karim.locator('input[name="csrf_token"]').first.get_attribute("value")
    karim.evaluate(
        """([action, token]) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = action;
            for (const [name, value] of [["csrf_token", token], ["reason", "Pas pour nous"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value; form.appendChild(input);
            }
            document.body.appendChild(form); form.submit();
        }""",
        [f"/ui/referrals/{referral_id}/decline", token],
    )
    karim.wait_for_load_state()
    expect(karim.locator("main")).to_contain_text("Seule la personne à qui cette orientation est adressée")
    _no_id_shown(karim)
    shot(karim, "social-colleague-cannot-decline")
    answer = live.api("other_social_worker", "POST", f"/referrals/{referral_id}/decline", json={"reason": "non"})
    assert answer.status_code == 403
