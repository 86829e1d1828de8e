"""The admin's day in Chromium: the last admin stays, every account has a role, a taken username says so,
and a way back in (a temporary password, an unlocked account). Signing in without a role: test_admin_sign_in_page."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from service.staff.accounts import LOCK_AFTER
from tests.http.conftest import PASSWORD
from tests.web.conftest import Live, shot
from tests.web.test_browser import _axe

pytestmark = pytest.mark.usefixtures("browser")

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TEMPORARY = "provisoire-2026-abc"
OWN = "ma phrase secrète à moi"


def _seen(page: Any) -> str:
    text = str(page.locator("main").inner_text())
    assert not UUID_TEXT.search(text), text
    assert "(409)" not in text and "500" not in text, text
    return text


def _account(page: Any, live: Live, name: str) -> None:
    page.goto(live.url + "/ui/admin/staff")
    page.get_by_role("link", name=f"Gérer le compte {name}").click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_the_last_admin_can_neither_drop_the_role_nor_deactivate_the_account(open_as, live: Live) -> None:
    page = open_as("admin")
    _account(page, live, "Admin")
    page.get_by_label("Administrateur").uncheck()
    page.get_by_label("Délégué à la protection des données (DPO)").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("C'est le dernier compte administrateur actif")
    _seen(page)
    shot(page, "admin-last-admin-role")
    _account(page, live, "Admin")
    page.get_by_label("Actif").uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("C'est le dernier compte administrateur actif")
    page.goto(live.url + "/ui/admin/staff")  # still signed in, still the admin
    expect(page.get_by_role("heading", name="Comptes du personnel")).to_be_visible()
    assert live.api("admin", "GET", "/auth/me").json()["roles"] == ["admin"]


def test_a_new_account_needs_a_role_and_a_free_username(open_as, live: Live) -> None:
    page = open_as("admin")
    page.get_by_label("Identifiant").fill("lea.dubois")
    page.get_by_label("Nom affiché").fill("Léa Dubois")
    page.get_by_label("Mot de passe").fill("un mot de passe long")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("alert")).to_contain_text("Cochez au moins un rôle.")
    expect(page.get_by_label("Identifiant")).to_have_value("lea.dubois")
    expect(page.get_by_label("Nom affiché")).to_have_value("Léa Dubois")
    expect(page.get_by_label("Mot de passe")).to_have_value("")
    _seen(page)
    shot(page, "admin-new-account-without-role")
    page.get_by_label("Identifiant").fill("helper")  # already someone's
    page.get_by_label("Mot de passe").fill("un mot de passe long")
    page.locator("form[action='/ui/admin/staff']").get_by_label("Accueillant(e) de la permanence").check()
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.locator("#error-username")).to_contain_text("Cet identifiant est déjà pris")
    _seen(page)
    shot(page, "admin-username-taken")
    page.get_by_label("Identifiant").fill("lea.dubois")
    page.get_by_label("Mot de passe").fill("un mot de passe long")
    page.get_by_label("Lieu de travail").select_option("Seraing")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("status")).to_contain_text("Compte créé.")
    row = page.get_by_role("row", name=re.compile("Léa Dubois"))
    expect(row).to_contain_text("Accueillant(e) de la permanence")
    expect(row).to_contain_text("Seraing")


def _sign_in(live: Live, username: str, password: str) -> httpx.Response:
    return httpx.post(live.url + "/auth/sign-in", json={"username": username, "password": password, "mode": "bearer"})


def test_the_admin_unlocks_a_locked_out_account(open_as, live: Live) -> None:
    for _ in range(LOCK_AFTER):
        _sign_in(live, "trainer", "un mauvais essai")
    assert _sign_in(live, "trainer", PASSWORD).status_code == 401, "locked"
    page = open_as("admin")
    expect(page.get_by_role("row", name=re.compile("Trainer"))).to_contain_text("Bloqué jusqu'à")
    _account(page, live, "Trainer")
    shot(page, "admin-account-locked")
    page.get_by_role("button", name="Débloquer le compte").click()
    expect(page.get_by_role("status")).to_contain_text("Compte de Trainer débloqué")
    assert "Admin a débloqué le compte" in _seen(page)
    _axe(page)
    shot(page, "admin-account-unlocked")
    trainer = open_as("trainer")
    assert trainer.url.endswith("/ui/cohorts")


def test_a_temporary_password_lets_the_person_back_in_and_they_choose_their_own(open_as, live: Live) -> None:
    page = open_as("admin")
    _account(page, live, "Dpo")
    page.get_by_label("Mot de passe provisoire").fill(TEMPORARY)
    page.get_by_role("button", name="Définir le mot de passe provisoire").click()
    expect(page.get_by_role("status")).to_contain_text("Mot de passe provisoire enregistré pour Dpo")
    assert "Admin a défini un mot de passe provisoire" in _seen(page)
    shot(page, "admin-password-reset")
    assert live.api("dpo", "GET", "/auth/me").status_code == 401, "the sessions ended"

    dpo = page.context.browser.new_context(locale="fr-BE").new_page()
    dpo.goto(live.url + "/ui/sign-in")
    dpo.get_by_label("Identifiant").fill("dpo")
    dpo.get_by_label("Mot de passe").fill(TEMPORARY)
    dpo.get_by_role("button", name="Se connecter").click()
    dpo.wait_for_url("**/ui/password")
    expect(dpo.get_by_role("status")).to_contain_text("Votre mot de passe a été défini par l'administrateur")
    dpo.get_by_label("Mot de passe actuel").fill(TEMPORARY)
    dpo.get_by_label("Nouveau mot de passe", exact=True).fill(OWN)
    dpo.get_by_label("Nouveau mot de passe, une seconde fois").fill(OWN + " !")
    dpo.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(dpo.locator("#error-password_again")).to_contain_text("ne sont pas identiques")
    _seen(dpo)
    shot(dpo, "password-mismatch")
    dpo.get_by_label("Mot de passe actuel").fill(TEMPORARY)
    dpo.get_by_label("Nouveau mot de passe", exact=True).fill(OWN)
    dpo.get_by_label("Nouveau mot de passe, une seconde fois").fill(OWN)
    dpo.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(dpo.get_by_role("status")).to_contain_text("Votre nouveau mot de passe est enregistré.")
    _axe(dpo)
    shot(dpo, "password-chosen")
    dpo.get_by_role("link", name="Continuer vers votre travail").click()
    dpo.wait_for_url("**/ui/dpo")
    assert _sign_in(live, "dpo", OWN).status_code == 200
    dpo.context.close()
