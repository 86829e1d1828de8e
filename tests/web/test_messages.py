"""Every message in the reader's language, and a form with an error comes back as it was typed.

An error that can reach a page has French and English words in the catalogue
(``service/words/locale/*.po``); a page
never shows the API's English detail; a form where a person types comes back with the text,
the message above the field and a summary at the top (the GOV.UK pattern), inside the normal
layout with its navigation; other errors are a page with the navigation.
"""

from __future__ import annotations

import ast
import html as html_text
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from service.http.problems import DATABASE_UNAVAILABLE, EXCEPTION_HANDLERS
from service.web.kept import FormFieldError, wording
from service.words.catalogue import words
from tests.web.test_actions import api, register

ROOT = Path(__file__).parents[2]
WORDS = words()
ERROR_WORDS = {
    key: texts
    for key, texts in WORDS.items()
    if key.startswith(("form.", "status.")) or " " in key or key[:1].isupper()
}
"""The catalogue's words for errors: a field's problem, a status, a rule's fixed message, an error class."""
PACKAGES = ["domain", "service.application", "service.gdpr", "service.staff", "service.storage", "service.web"]


def _error_classes() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set(EXCEPTION_HANDLERS)
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules = [package] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, name + ".")
            if "embedded_pg" not in info.name
        ]
        for module in modules:
            found |= {
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, Exception) and cls.__module__ == module.__name__
            }
    return found


def _answered_as_a_failure_of_ours(kind: type[BaseException]) -> bool:
    """Errors the API answers 500 or 503: a page says only that, in the reader's language."""
    for each in kind.__mro__:
        if each in EXCEPTION_HANDLERS:
            return each is Exception or each in DATABASE_UNAVAILABLE
    return True


def test_every_error_that_can_reach_a_page_has_french_and_english_words() -> None:
    missing = sorted(
        kind.__name__
        for kind in _error_classes()
        if not _answered_as_a_failure_of_ours(kind) and kind.__name__ not in ERROR_WORDS
    )
    assert missing == []
    for status in ("status.500", "status.503"):
        assert status in ERROR_WORDS


def test_every_word_has_a_french_and_an_english_text_that_differ() -> None:
    for key, (french, english) in ERROR_WORDS.items():
        assert french.strip() and english.strip(), key
        assert french != english, key
        assert not re.search(r"\b(must|cannot|is missing|not found)\b", french), key


def _fixed_messages() -> set[str]:
    """The literal messages of ``InvalidValueError`` and the ``required_text`` rules, read from the source."""
    messages: set[str] = set()
    reach_pages = ["domain", "service/application", "service/gdpr", "service/staff", "service/web"]
    for path in [path for folder in reach_pages for path in (ROOT / folder).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            first = node.args[0]
            if called == "InvalidValueError" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                messages.add(first.value)
            last = node.args[-1]
            if called == "required_text" and isinstance(last, ast.Constant) and isinstance(last.value, str):
                messages.add(f"{last.value} must not be blank")
    return messages


def test_every_rule_with_a_fixed_message_has_words_of_its_own() -> None:
    messages = _fixed_messages()
    assert "given name must not be blank" in messages  # the scan reads the rules
    assert sorted(messages - set(ERROR_WORDS)) == []


def test_every_field_problem_the_pages_raise_has_words() -> None:
    problems = set()
    for path in (ROOT / "service" / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FormFieldError":
                problem = node.args[1] if len(node.args) > 1 else None
                if isinstance(problem, ast.Constant):
                    problems.add(problem.value)
                elif isinstance(problem, ast.JoinedStr):  # f"sign_in.{name}"
                    problems |= {"sign_in.username", "sign_in.password"}
    assert {"date", "identifier", "choice", "blank", "too_long"} <= problems
    assert sorted(p for p in problems if f"form.{p}" not in ERROR_WORDS) == []


@pytest.mark.parametrize(
    ("error", "french"),
    [
        (FormFieldError("birth_date", "date"), "Saisissez la date de naissance au format 31/12/1990"),
        (FormFieldError("mark-5f0c", "choice"), "présent, absent, en retard ou excusé"),
        (FormFieldError("summary", "too_long", limit=280), "280 caractères au plus"),
    ],
)
def test_the_most_precise_words_are_chosen(error: BaseException, french: str) -> None:
    assert french in wording(error, "fr")
    assert wording(error, "en") != wording(error, "fr")


def _visible(html: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", " ", html))


def _page(answer: object) -> str:
    return html_text.unescape(answer.text)  # type: ignore[attr-defined]


async def test_a_blank_registration_comes_back_with_the_text_a_summary_and_each_message(pages) -> None:
    worker = pages["social_worker"]
    typed = {"given_name": "  ", "family_name": "Diallo", "birth_date": "31/02/1990", "phone": "0470 12 34 56"}
    answer = await worker.post("/ui/people/new", data=typed)
    assert answer.status_code == 400
    html = _page(answer)
    assert "<nav" in html and "Il y a un problème" in html and "<title>Erreur\u00a0:" in html
    assert "<title>Erreur\u00a0: Inscrire une personne ·" in html  # its own title, not the record of processing's
    assert 'id="error-given_name"' in html and "Saisissez le prénom." in html
    assert 'id="error-birth_date"' in html and "au format 31/12/1990" in html
    assert 'value="Diallo"' in html and 'value="31/02/1990"' in html and 'value="0470 12 34 56"' in html
    assert 'aria-invalid="true" aria-describedby="birth_date-hint error-birth_date"' in html
    assert 'href="#error-given_name"' in html  # the summary leads to the field
    assert "must" not in _visible(html) and "form field" not in _visible(html)


async def test_a_refused_rule_on_the_file_shows_the_file_again_with_the_note_kept(pages, project) -> None:
    worker = pages["social_worker"]
    person_id = await register(worker, "Bintou", "Camara")
    await project()
    case = await api(worker, "POST", "/cases", {"person_id": person_id, "domain": "housing", "summary": "Loyer"})
    case_id = case.json()["ids"]["case_id"]
    assert (await api(worker, "POST", f"/cases/{case_id}/closure", {"outcome": "resolved"})).status_code == 200
    await project()
    answer = await worker.post(f"/ui/cases/{case_id}/notes", data={"person_id": person_id, "text": "Rappel CPAS"})
    assert answer.status_code == 422
    assert "Ce dossier est clôturé" in _page(answer) and "is closed" not in answer.text
    assert "<nav" in answer.text and "Bintou" in answer.text  # the file, in the layout


async def test_an_external_referral_without_consent_keeps_what_was_typed(pages, project) -> None:
    worker = pages["social_worker"]
    person_id = await register(worker, "Awa", "Traoré")
    await project()
    case = await api(worker, "POST", "/cases", {"person_id": person_id, "domain": "housing", "summary": "Loyer"})
    case_id = case.json()["ids"]["case_id"]
    await project()
    form = {"person_id": person_id, "organisation_kind": "cpas", "organisation_name": "CPAS de Liège"}
    answer = await worker.post(f"/ui/cases/{case_id}/external-referral", data={**form, "reason": "Aide au loyer"})
    assert answer.status_code == 422
    html = _page(answer)
    assert "n'a pas consenti" in html and 'id="error-override_reason"' in html
    assert 'value="CPAS de Liège"' in html and ">Aide au loyer</textarea>" in html
    assert re.search(r'<option value="cpas" selected>', html)


async def test_sign_in_failures_show_the_form_again_never_a_500(client, pages, runtime, clock) -> None:
    client.cookies.clear()
    wrong = await client.post("/ui/sign-in", data={"username": "social.worker", "password": "wrong"})
    assert wrong.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in _page(wrong) and 'value="social.worker"' in wrong.text
    assert 'value="wrong"' not in wrong.text  # a password is never put back
    empty = await client.post("/ui/sign-in", data={})
    assert empty.status_code == 401
    assert "Saisissez votre identifiant." in _page(empty) and "Saisissez votre mot de passe." in _page(empty)
    from service.staff.accounts import StaffAccounts
    from tests.http.conftest import PASSWORD

    accounts = StaffAccounts(runtime.pool)
    member = await accounts.get(pages["trainer"].staff_id)  # type: ignore[arg-type]
    await accounts.update(member.staff_id, member.version, active=False)
    deactivated = await client.post("/ui/sign-in", data={"username": "trainer", "password": PASSWORD})
    assert deactivated.status_code == 401 and "Identifiant ou mot de passe incorrect" in _page(deactivated)
    huge = await client.post("/ui/sign-in", data={"username": "x" * 5000, "password": "<b>" * 2000})
    assert huge.status_code == 401


async def test_an_error_page_is_in_the_layout_with_the_navigation_and_in_french(pages) -> None:
    trainer = pages["trainer"]
    refused = await trainer.get("/ui/caseload")
    assert refused.status_code == 403
    assert "<nav" in refused.text and 'href="/ui/cohorts"' in refused.text  # the trainer's own navigation
    assert "belongs to another role" not in refused.text
    assert "réservée à un autre rôle" in _page(refused)
    missing = await pages["social_worker"].get("/ui/people/00000000-0000-0000-0000-000000000000")
    assert missing.status_code in (403, 404) and "<nav" in missing.text
    assert "not found" not in missing.text.lower() and "no Person" not in missing.text


async def test_the_dpo_finding_a_person_with_too_little_is_told_what_to_type(pages) -> None:
    dpo = pages["dpo"]
    for typed, field, told in (
        ({"name": "Awa Traoré"}, "birth_date", "un nom seul ne suffit pas"),
        ({"file_number": "Awa Traoré"}, "file_number", "Un numéro de dossier s'écrit comme 2026-00042"),
        ({"birth_date": "31/02/1990"}, "birth_date", ""),
        ({}, "file_number", "ou bien le nom et la date de naissance"),
    ):
        answer = await dpo.post("/ui/dpo/find", data={"file_number": "", "name": "", "birth_date": "", **typed})
        assert answer.status_code in (400, 422), typed
        assert told in _page(answer) and f'id="error-{field}"' in answer.text and "<nav" in answer.text
        assert all(f'value="{value}"' in answer.text for value in typed.values())
    nobody = await dpo.post("/ui/dpo/find", data={"file_number": "2026-99999", "name": "", "birth_date": ""})
    assert nobody.status_code == 200 and "Aucune personne ne correspond" in _page(nobody)


async def test_an_english_reader_gets_english_messages(pages) -> None:
    worker = pages["social_worker"]
    await worker.post("/ui/language", data={"language": "en"})
    answer = await worker.post("/ui/people/new", data={"given_name": "", "family_name": "", "birth_date": "x"})
    assert answer.status_code == 400 and "There is a problem" in answer.text and "Enter the given name." in answer.text
    await worker.post("/ui/language", data={"language": "fr"})


async def test_the_admin_creating_an_account_without_a_role_keeps_the_form_but_not_the_password(pages) -> None:
    admin = pages["admin"]
    form = {"username": "Nouvelle Personne", "display_name": "Léa Dubois", "password": "secret-secret", "roles": ""}
    answer = await admin.post("/ui/admin/staff", data=form)
    assert answer.status_code == 400
    assert "Cochez au moins un rôle." in _page(answer) and "lettres minuscules" in _page(answer)
    assert 'value="Léa Dubois"' in answer.text and "secret-secret" not in answer.text
    changed = await admin.post(f"/ui/admin/staff/{pages['other_social_worker'].staff_id}", data={"roles": ""})
    assert changed.status_code == 303  # no box ticked: the roles stay as they are


async def test_an_empty_mark_on_the_attendance_sheet_shows_the_sheet_again(pages, project, clock) -> None:
    from datetime import timedelta

    trainer = pages["trainer"]
    today = clock().date()
    plan = {"name": "DigiLab", "site": "Liège", "starts_on": str(today), "ends_on": str(today + timedelta(days=7))}
    cohort_id = (await api(trainer, "POST", "/cohorts", plan)).json()["ids"]["cohort_id"]
    learner = await register(pages["helper"], "Lina", "Haddad")
    await api(trainer, "POST", f"/cohorts/{cohort_id}/enrolments", {"person_id": learner})
    await project()
    answer = await trainer.post(f"/ui/cohorts/{cohort_id}/attendance", data={f"mark-{learner}": ""})
    assert answer.status_code == 400
    assert f'id="error-mark-{learner}"' in answer.text and "présent, absent" in _page(answer)
    assert "Lina" in answer.text and "<nav" in answer.text
