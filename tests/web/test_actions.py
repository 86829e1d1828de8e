"""The page actions without a browser: rights requests, legal holds, consent withdrawal, reassignment,
external referrals, training completion, and the timeline's translated event kinds."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import httpx

from service.words.catalogue import words
from tests.web.conftest import Browserless

WORDS = words()

_UUID = "[0-9a-f-]{36}"


def fr(key: str) -> str:
    return WORDS[key][0]


def told(key: str, language: int = 0) -> str:
    """An event's sentence after the person who did it, up to its first value: "a ajouté une note"."""
    after_who = WORDS[key][language].split("{who}", 1)[-1]
    return re.split(r"\{|\u00a0?:", after_who)[0].strip()


async def api(who: Browserless, method: str, path: str, json: Any = None) -> httpx.Response:
    """The JSON API with the page client's session cookie and CSRF header (setting up what the test needs)."""
    who._mine()
    return await who.client.request(method, path, json=json, headers={"X-CSRF-Token": who.csrf})


async def register(who: Browserless, given: str = "Amina", family: str = "Diallo") -> str:
    answer = await who.post("/ui/people/new", data={"given_name": given, "family_name": family})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"]).rsplit("/", 1)[1]


def found(pattern: str, html: str) -> str:
    match = re.search(pattern, html)
    assert match, html[-3000:]
    return match.group(1)


async def test_the_dpo_receives_extends_and_answers_a_rights_request(pages, project, clock) -> None:
    dpo = pages["dpo"]
    person_id = await register(pages["social_worker"])
    form = {
        "person_id": person_id,
        "right": "access",
        "received_on": str(clock().date()),
        "identity_check": "id_document",
        "identity_note": "carte d'identité vue",
    }
    assert (await pages["social_worker"].post("/ui/dpo/requests", data=form)).status_code == 403
    received = await dpo.post("/ui/dpo/requests", data=form)
    assert received.status_code == 303 and received.headers["location"] == "/ui/dpo?done=received"
    await project()
    listing = (await dpo.get("/ui/dpo")).text
    assert fr("right.access") in listing and fr("request_status.open") in listing
    request_id = found(rf"/ui/dpo/requests/({_UUID})/answer", listing)

    extended = await dpo.post(f"/ui/dpo/requests/{request_id}/extension", data={"months": "1", "reason": "complexe"})
    assert extended.status_code == 303, extended.text
    await project()
    assert fr("dpo.extended").format(n=1) in (await dpo.get("/ui/dpo")).text

    answered = await dpo.post(f"/ui/dpo/requests/{request_id}/answer", data={"answer": "Copie envoyée par courrier."})
    assert answered.status_code == 303, answered.text
    await project()
    listing = (await dpo.get("/ui/dpo")).text
    assert fr("request_status.answered") in listing
    assert f"/ui/dpo/requests/{request_id}/answer" not in listing  # nothing left to do on it


async def test_a_rights_request_for_a_malformed_form_is_refused_in_the_page(pages) -> None:
    answer = await pages["dpo"].post(
        "/ui/dpo/requests/00000000-0000-0000-0000-000000000000/extension", data={"months": "3", "reason": "x"}
    )
    assert answer.status_code >= 400
    assert "<html" in answer.text


async def test_the_dpo_lifts_a_legal_hold(pages) -> None:
    dpo = pages["dpo"]
    person_id = await register(pages["social_worker"])
    placed = await dpo.post(
        f"/ui/dpo/people/{person_id}/hold", data={"basis": "art_17_3_e_legal_claims", "note": "procédure en cours"}
    )
    assert placed.status_code == 303, placed.text
    page = (await dpo.get(f"/ui/dpo/people/{person_id}")).text
    assert "procédure en cours" in page and fr("basis.art_17_3_e_legal_claims") in page
    hold_id = found(rf'name="hold_id" value="({_UUID})"', page)
    lifted = await dpo.post(f"/ui/dpo/people/{person_id}/lift-hold", data={"hold_id": hold_id})
    assert lifted.status_code == 303 and lifted.headers["location"].endswith("?done=lift-hold")
    page = (await dpo.get(f"/ui/dpo/people/{person_id}")).text
    assert fr("dpo.no_holds") in page and "procédure en cours" not in page


async def test_a_social_worker_withdraws_a_consent(pages, project) -> None:
    worker = pages["social_worker"]
    person_id = await register(worker)
    given = await worker.post(
        f"/ui/people/{person_id}/consents", data={"purpose": "contact_sms", "evidence": "signed_form"}
    )
    assert given.status_code == 303, given.text
    withdrawn = await worker.post(f"/ui/people/{person_id}/consents/withdrawal", data={"purpose": "contact_sms"})
    assert withdrawn.status_code == 303, withdrawn.text
    await project()
    page = html.unescape((await worker.get(f"/ui/people/{person_id}")).text)
    assert told("event.ConsentRecord.Given") in page and told("event.ConsentRecord.Withdrawn") in page
    assert fr("consent.withdraw") in page


async def _open_case(worker: Browserless, project: Any) -> tuple[str, str]:
    person_id = await register(worker, "Bintou", "Camara")
    await project()
    opened = await worker.post(f"/ui/people/{person_id}/cases", data={"domain": "housing", "summary": "Expulsion"})
    assert opened.status_code == 303, opened.text
    await project()
    page = (await worker.get(f"/ui/people/{person_id}")).text
    return person_id, found(rf"/ui/cases/({_UUID})/notes", page)


async def test_the_timeline_shows_translated_event_kinds_and_keeps_the_fields(pages, project) -> None:
    worker = pages["social_worker"]
    person_id, case_id = await _open_case(worker, project)
    noted = await worker.post(f"/ui/cases/{case_id}/notes", data={"person_id": person_id, "text": "Appel au CPAS"})
    assert noted.status_code == 303, noted.text
    await project()
    page = html.unescape((await worker.get(f"/ui/people/{person_id}")).text)
    assert told("event.Case.NoteAdded") in page and told("event.Case.Opened") in page
    assert ">Case.NoteAdded<" not in page and 'data-kind="Case.NoteAdded"' in page
    assert "Appel au CPAS" in page  # the event's own fields stay readable
    await worker.post("/ui/language", data={"language": "en"})
    assert told("event.Case.NoteAdded", 1) == "added a note"
    assert "added a note" in (await worker.get(f"/ui/people/{person_id}")).text
    await worker.post("/ui/language", data={"language": "fr"})


async def test_a_social_worker_makes_an_external_referral_from_a_case(pages, project) -> None:
    worker = pages["social_worker"]
    person_id, case_id = await _open_case(worker, project)
    form = {"person_id": person_id, "organisation_kind": "cpas", "organisation_name": "CPAS de Liège"}
    form["reason"] = "Aide au loyer"
    refused = await worker.post(f"/ui/cases/{case_id}/external-referral", data=form)
    assert refused.status_code == 422  # no consent for this body, and no written override
    made = await worker.post(f"/ui/cases/{case_id}/external-referral", data={**form, "override_reason": "urgence"})
    assert made.status_code == 303 and made.headers["location"] == f"/ui/people/{person_id}"
    await project()
    page = html.unescape((await worker.get(f"/ui/people/{person_id}")).text)
    assert told("event.Referral.Made.external") in page and "le CPAS" in page


async def test_a_social_worker_reassigns_a_case_to_a_colleague(pages, project) -> None:
    worker, colleague = pages["social_worker"], pages["other_social_worker"]
    person_id, case_id = await _open_case(worker, project)
    page = (await worker.get(f"/ui/people/{person_id}")).text
    assert f'value="{colleague.staff_id}"' in page and f'value="{worker.staff_id}"' not in page
    moved = await worker.post(
        f"/ui/cases/{case_id}/reassignment",
        data={"person_id": person_id, "social_worker_id": colleague.staff_id, "reason": "congé"},
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/ui/caseload"
    await project()
    assert "Camara" in (await colleague.get("/ui/caseload")).text
    assert "Camara" not in (await worker.get("/ui/caseload")).text
    answer = await worker.post(
        f"/ui/cases/{case_id}/reassignment",
        data={"person_id": person_id, "social_worker_id": pages["trainer"].staff_id, "reason": "erreur"},
    )
    assert answer.status_code in (403, 422)


async def test_a_trainer_completes_a_training_record(pages, project, clock) -> None:
    trainer = pages["trainer"]
    today = clock().date()
    plan = {"name": "DigiLab", "site": "Liège", "starts_on": str(today), "ends_on": str(today + timedelta(days=7))}
    created = await api(trainer, "POST", "/cohorts", plan)
    assert created.status_code == 201, created.text
    cohort_id = created.json()["ids"]["cohort_id"]
    person_id = await register(pages["helper"], "Lina", "Haddad")
    enrolled = await api(trainer, "POST", f"/cohorts/{cohort_id}/enrolments", {"person_id": person_id})
    assert enrolled.status_code == 201, enrolled.text
    await project()
    roster = (await trainer.get(f"/ui/cohorts/{cohort_id}")).text
    record_id = found(rf"/ui/cohorts/{cohort_id}/records/({_UUID})/completion", roster)
    completion = {"certificate_reference": "ATT-2026-001", "reason": "Formation suivie en ligne"}  # no attendance noted
    done = await trainer.post(f"/ui/cohorts/{cohort_id}/records/{record_id}/completion", data=completion)
    assert done.status_code == 303 and done.headers["location"] == f"/ui/cohorts/{cohort_id}?done=completed"
    await project()
    roster = (await trainer.get(f"/ui/cohorts/{cohort_id}")).text
    assert fr("record.completed") in roster
    assert f"/records/{record_id}/completion" not in roster
    other = await pages["social_worker"].post(
        f"/ui/cohorts/{cohort_id}/records/{record_id}/completion", data={"certificate_reference": "X"}
    )
    assert other.status_code == 403


async def test_unreadable_form_fields_get_a_clear_error_never_a_500(pages) -> None:
    person_id = await register(pages["social_worker"])
    unknown = "00000000-0000-0000-0000-000000000000"
    attempts = [
        ("dpo", f"/ui/dpo/people/{person_id}/lift-hold", {"hold_id": "not-an-id"}),
        ("dpo", "/ui/dpo/requests", {"person_id": "x", "right": "access", "received_on": "2026-01-01"}),
        ("dpo", "/ui/dpo/requests", {"person_id": person_id, "right": "telepathy", "received_on": "2026-01-01"}),
        ("dpo", f"/ui/dpo/requests/{unknown}/extension", {"months": "many", "reason": "x"}),
        ("social_worker", f"/ui/people/{person_id}/cases", {"domain": "astrology", "summary": "x"}),
        ("social_worker", f"/ui/people/{person_id}/consents", {"purpose": "?", "evidence": "oral"}),
        ("helper", "/ui/office-hours/visits", {"person_id": "nobody", "site": "Liège"}),
    ]
    for role, path, form in attempts:
        answer = await pages[role].post(path, data=form)
        assert 400 <= answer.status_code < 500, f"{path}: {answer.status_code}"


async def test_a_trainer_fills_the_digcomp_grid_and_the_history_shows_the_gain(pages, project, clock) -> None:
    trainer = pages["trainer"]
    today = clock().date()
    plan = {"name": "DigiLab", "site": "Liège", "starts_on": str(today), "ends_on": str(today + timedelta(days=7))}
    cohort_id = (await api(trainer, "POST", "/cohorts", plan)).json()["ids"]["cohort_id"]
    person_id = await register(pages["helper"], "Yusuf", "Kaya")
    record_id = (await api(trainer, "POST", f"/cohorts/{cohort_id}/enrolments", {"person_id": person_id})).json()[
        "ids"
    ]["record_id"]
    await project()  # the grid reads the learner's name, as the trainer's learner
    grid = f"/ui/cohorts/{cohort_id}/records/{record_id}/digcomp"
    page = await trainer.get(grid)
    assert page.status_code == 200 and page.text.count('name="level-') == 21  # 5 areas, 21 competences
    for kind, level in (("initial", "2"), ("final", "5")):
        saved = await trainer.post(grid, data={"kind": kind, "level-1.1": level, "level-3.1": level})
        assert saved.status_code == 303, saved.text
    await project()
    history = await api(trainer, "GET", f"/people/{person_id}/training-history")
    progress = {c["competence"]: c for c in history.json()["cohorts"][0]["competences"]}
    assert (progress["1.1"]["initial"], progress["1.1"]["final"]) == (2, 5)
    refused = await trainer.post(grid, data={"kind": "initial", "level-1.1": "lots"})
    assert refused.status_code == 400


# ---- safe against caching, resubmission and expiry ----


async def test_no_answer_with_personal_data_is_stored_by_the_browser(pages, project) -> None:
    worker = pages["social_worker"]
    person_id = await register(worker)
    await project()
    answers = [
        await worker.get(f"/ui/people/{person_id}"),
        await worker.get("/ui/caseload"),
        await worker.post("/ui/people/new", data={"given_name": "", "family_name": ""}),  # an error page
        await worker.post("/ui/people/new", data={"given_name": "Sara", "family_name": "Haddad"}),  # a redirect
        await api(worker, "GET", f"/people/{person_id}"),
    ]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store", answer.request.url
    stylesheet = await worker.client.get("/static/suivi.css")
    assert stylesheet.status_code == 200 and stylesheet.headers.get("cache-control") != "no-store"


def _token(n: int) -> str:
    return f"{n:032x}"


async def test_a_form_sent_twice_with_its_one_time_token_writes_once(pages, project) -> None:
    worker = pages["social_worker"]
    first = await worker.post(
        "/ui/people/new", data={"given_name": "Awa", "family_name": "Sow", "form_token": _token(1)}
    )
    again = await worker.post(
        "/ui/people/new", data={"given_name": "Awa", "family_name": "Sow", "form_token": _token(1)}
    )
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]  # the same person, registered once
    person_id = first.headers["location"].rsplit("/", 1)[1]
    await project()
    opened = await worker.post(f"/ui/people/{person_id}/cases", data={"domain": "housing", "summary": "Loyer"})
    assert opened.status_code == 303
    await project()
    case_id = found(rf"/ui/cases/({_UUID})/notes", (await worker.get(f"/ui/people/{person_id}")).text)
    note = {"person_id": person_id, "text": "Appel au propriétaire"}
    for token in (_token(2), _token(2), _token(3)):  # a double click, then a second note on purpose
        sent = await worker.post(f"/ui/cases/{case_id}/notes", data={**note, "form_token": token})
        assert sent.status_code == 303, sent.text
    await project()
    assert (await worker.get(f"/ui/people/{person_id}")).text.count("Appel au propriétaire") == 2


async def test_signing_in_again_after_the_session_expired_goes_back_to_the_page(client, pages, project) -> None:
    worker = pages["social_worker"]
    person_id = await register(worker)
    page = f"/ui/people/{person_id}"
    client.cookies.clear()
    client.cookies.set("suivi_session", "expired-or-forged")
    referer = {"Referer": f"http://testserver.local{page}"}
    note = "/ui/cases/00000000-0000-0000-0000-000000000000/notes"
    sent = await client.post(note, data={}, headers=referer, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/ui/sign-in?expired=1"
    assert "suivi_next=" in sent.headers["set-cookie"] and "Path=/ui/sign-in" in sent.headers["set-cookie"]
    sign_in_page = await client.get("/ui/sign-in?expired=1")
    assert f'name="next" value="{page}"' in sign_in_page.text
    from tests.http.conftest import PASSWORD

    signing_in = {"username": "social.worker", "password": PASSWORD}
    back = await client.post("/ui/sign-in", data={**signing_in, "next": page}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == page
    elsewhere = await client.post(
        "/ui/sign-in", data={**signing_in, "next": "//elsewhere.example/ui/"}, follow_redirects=False
    )
    assert elsewhere.headers["location"] == "/ui/"  # never another site


async def test_dates_are_read_as_people_type_them(pages, project) -> None:
    worker, helper = pages["social_worker"], pages["helper"]
    for n, typed in enumerate(("31/12/1990", "31-12-1990", "1990-12-31", " 31.12.1990 ")):
        person_id = await register_born(worker, f"Date{n}", typed)
        await project()
        card = await api(worker, "GET", f"/people/{person_id}")
        assert card.json()["birth_date"] == "1990-12-31", typed
    quick = await helper.post(
        "/ui/office-hours/newcomer",
        data={"given_name": "Moussa", "family_name": "Keita", "birth_date": "31/12/1990", "site": "Liège"},
    )
    assert quick.status_code == 303 and "notice=registered" in quick.headers["location"]


async def register_born(who: Browserless, family: str, birth_date: str) -> str:
    answer = await who.post(
        "/ui/people/new", data={"given_name": "Awa", "family_name": family, "birth_date": birth_date}
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"]).rsplit("/", 1)[1]
