"""No page answers 500: every form of every page, as every role, with what people (and mistakes) send.

Each role's pages are crawled from its home, on a small dataset (a person with a case and a
note, a referral waiting, a cohort with a learner, a rights request, a legal hold). Every form
found that posts is sent back as it was rendered and then with: empty values, wrong dates,
text in number fields, 5,000-character strings, markup, a file number where an id is expected,
and unknown extra fields, and the same forms are sent as every other role. A POST route of
the pages that no crawled form reaches is fuzzed from its path alone, so none is forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar import Litestar

from tests.web.conftest import Browserless
from tests.web.test_actions import api, register

pytestmark = pytest.mark.timeout(900)

FILE_NUMBER = "2026-00001"
LONG = "é" * 5_000
MARKUP = '<script>alert("x")</script><b onmouseover="x()">gras</b>'
VARIANTS: dict[str, Any] = {
    "empty": "",
    "wrong date": "31/02/2026",
    "iso-ish date": "2026-13-45",
    "words for a date": "demain matin",
    "text for a number": "beaucoup",
    "long": LONG,
    "markup": MARKUP,
    "file number for an id": FILE_NUMBER,
}
UNKNOWN_FIELDS = {"unknown": "x", "person_id_2": FILE_NUMBER, "mark-not-an-id": "absent", "level-9.9": "3"}
NEVER_SENT = {"/ui/sign-out"}  # it would end the session the rest of the test needs
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class FoundForm:
    page: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    """Check boxes (several values under one name), as a browser sends the ticked ones."""
    kinds: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page that post, with their fields; and the page's links to other pages."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms, self.links = page, list[FoundForm](), set[str]()
        self._form: FoundForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/ui/"):
            self.links.add(a["href"])
        if tag == "form" and (a.get("method", "").lower() == "post" or "hx-post" in a):
            self._form = FoundForm(self.page, a.get("action") or a.get("hx-post", ""))
            self.forms.append(self._form)
        if self._form is None or "name" not in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            self._form.kinds[name] = kind
            if kind == "checkbox":
                if "checked" in a:
                    self._form.lists.setdefault(name, []).append(a.get("value") or "on")
            elif kind != "radio" or "checked" in a or name not in self._form.fields:
                self._form.fields[name] = a.get("value", "")
        elif tag == "textarea":
            self._form.kinds[name] = "textarea"
            self._form.fields[name] = ""
        elif tag == "select":
            self._form.kinds[name] = "select"
            self._select = name
        if tag == "input" and "hx-post" in a and a["hx-post"] not in NEVER_SENT:
            self.links.add("POST " + a["hx-post"])

    def handle_starttag_option(self, a: dict[str, str]) -> None:
        assert self._form is not None and self._select is not None
        self._form.fields.setdefault(self._select, a.get("value", ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


class _FormsAndOptions(_Forms):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "option" and self._form is not None and self._select is not None:
            self.handle_starttag_option({k: v or "" for k, v in attrs})
            return
        super().handle_starttag(tag, attrs)


def forms_of(page: str, html: str) -> _Forms:
    parser = _FormsAndOptions(page)
    parser.feed(html)
    return parser


async def _dataset(pages: dict[str, Browserless], project: Any, clock: Any) -> dict[str, str]:
    """A little of everything, so that every form has something real to act on."""
    worker, helper, trainer, dpo = pages["social_worker"], pages["helper"], pages["trainer"], pages["dpo"]
    person_id = await register(worker, "Awa", "Traoré")
    await project()
    opened = await api(worker, "POST", "/cases", {"person_id": person_id, "domain": "housing", "summary": "Loyer"})
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["ids"]["case_id"]
    assert (await api(worker, "POST", f"/cases/{case_id}/notes", {"text": "Appel"})).status_code == 201
    visitor = await register(helper, "Nadia", "Benali")
    arrival = {"person_id": visitor, "site": "Liège centre", "session_on": str(clock().date())}
    visit = await api(helper, "POST", "/office-hours/visits", arrival)
    assert visit.status_code == 201, visit.text
    visit_id = visit.json()["ids"]["visit_id"]
    await api(helper, "POST", f"/office-hours/visits/{visit_id}/call", {})
    helped = {"category": "other", "description": "Courrier", "help_given": "Lu ensemble", "minutes": 10}
    assert (await api(helper, "POST", f"/office-hours/visits/{visit_id}/help", helped)).status_code == 200
    referred = await api(helper, "POST", f"/office-hours/visits/{visit_id}/referral", {"reason": "Logement"})
    assert referred.status_code == 201, referred.text
    waiting = await api(helper, "POST", "/office-hours/visits", {**arrival, "person_id": person_id})
    visit_id = waiting.json()["ids"]["visit_id"]  # waiting, to be called from the board
    today = clock().date()
    plan = {"name": "DigiLab", "site": "Liège", "starts_on": str(today), "ends_on": str(today + timedelta(days=7))}
    cohort_id = (await api(trainer, "POST", "/cohorts", plan)).json()["ids"]["cohort_id"]
    learner = await register(helper, "Yusuf", "Kaya")
    enrolled = await api(trainer, "POST", f"/cohorts/{cohort_id}/enrolments", {"person_id": learner})
    assert enrolled.status_code == 201, enrolled.text
    request = {"person_id": person_id, "right": "access", "received_on": str(today), "identity_check": "id_document"}
    assert (await dpo.post("/ui/dpo/requests", data=request)).status_code == 303
    hold = {"basis": "art_17_3_e_legal_claims", "note": "procédure"}
    assert (await dpo.post(f"/ui/dpo/people/{person_id}/hold", data=hold)).status_code == 303
    await project()
    return {"person_id": person_id, "case_id": case_id, "visit_id": visit_id, "cohort_id": cohort_id}


async def _crawl(who: Browserless, start: list[str], limit: int = 30) -> tuple[list[FoundForm], set[str]]:
    """The role's pages, from its home, following links (never a download); every page answers below 500."""
    seen, queue, forms, posts = set[str](), list(start), list[FoundForm](), set[str]()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or "/export" in url:
            continue
        seen.add(url)
        answer = await who.get(url)
        assert answer.status_code < 500, (url, answer.status_code)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        found = forms_of(url, answer.text)
        forms += [f for f in found.forms if f.action and f.action not in NEVER_SENT]
        posts |= {link.removeprefix("POST ") for link in found.links if link.startswith("POST ")}
        queue += sorted(link for link in found.links if not link.startswith("POST ") and link not in seen)
    return forms, posts


def _as_rendered(form: FoundForm) -> dict[str, Any]:
    """What a browser sends for the form untouched (the client adds its own CSRF token)."""
    return {k: v for k, v in {**form.fields, **form.lists}.items() if k != "csrf_token"}


def _variants(form: FoundForm) -> list[tuple[str, dict[str, Any]]]:
    """The form as rendered, then each kind of wrong value in every field at once, then unknown fields."""
    rendered = _as_rendered(form)
    tried = [("as rendered", rendered)]
    for label, value in VARIANTS.items():
        changed = {}
        for name in form.kinds:
            if name == "csrf_token":
                continue
            if label == "file number for an id" and not _UUID.fullmatch(str(form.fields.get(name, ""))):
                changed[name] = form.fields.get(name, "")
            else:
                changed[name] = value
        tried.append((label, changed))
        # One field at a time too: the others stay valid, so the handler gets further.
        for name in form.kinds:
            if name != "csrf_token" and label in ("empty", "long", "wrong date", "text for a number"):
                tried.append((f"{label} in {name}", {**rendered, name: value}))
    tried.append(("unknown fields", {**rendered, **UNKNOWN_FIELDS}))
    return tried


def _page_routes(app: Litestar) -> set[str]:
    """Every POST route of the pages, as declared (``/ui/cases/{case_id:uuid}/{action:str}``)."""
    return {
        route.path
        for route in app.routes
        if route.path.startswith("/ui")
        for handler in getattr(route, "route_handlers", [])
        if "POST" in handler.http_methods
    }


HOMES = {
    "social_worker": ["/ui/caseload", "/ui/people/search", "/ui/people/new"],
    "trainer": ["/ui/cohorts"],
    "helper": ["/ui/office-hours", "/ui/office-hours/board?site=Li%C3%A8ge"],
    "dpo": ["/ui/dpo", "/ui/dpo/record", "/ui/dpo/retention"],
    "admin": ["/ui/admin/staff"],
}


async def _send(who: Browserless, action: str, data: dict[str, Any], label: str, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    answer = await who.post(action, data=data, headers=headers)
    assert answer.status_code < 500, f"{action} ({label}): {answer.status_code}\n{answer.text[-2000:]}"
    if answer.status_code >= 400 and not htmx and not action.startswith("/ui/sign-in"):
        assert "<html" in answer.text and "<nav" in answer.text, f"{action} ({label}): no page with navigation"


@pytest.mark.parametrize("owner", list(HOMES))
async def test_every_form_of_a_roles_pages_never_answers_500(owner, app, pages, project, clock) -> None:
    ids = await _dataset(pages, project, clock)
    starts = [*HOMES[owner], f"/ui/people/{ids['person_id']}", f"/ui/cohorts/{ids['cohort_id']}/attendance"]
    starts += [f"/ui/office-hours/visits/{ids['visit_id']}", f"/ui/dpo/people/{ids['person_id']}"]
    starts += [f"/ui/dpo/people/{ids['person_id']}/erasure"]
    forms, hx_posts = await _crawl(pages[owner], starts)
    assert forms, f"no form found on the {owner}'s pages"
    # The accounts this test signs in with stay as they are (the admin's forms would deactivate them).
    ours = {f"/ui/admin/staff/{pages[role].staff_id}" for role in HOMES}
    forms = [form for form in forms if not any(form.action == o or form.action.startswith(o + "/") for o in ours)]
    for form in forms:
        for label, data in _variants(form):
            await _send(pages[owner], form.action, data, label, htmx=False)
        for other in HOMES:
            if other != owner:
                await _send(pages[other], form.action, _as_rendered(form), f"as {other}", htmx=False)
    for action in sorted(hx_posts):  # htmx calls made from a field (the duplicate check while registering)
        for label, value in VARIANTS.items():
            await _send(pages[owner], action, {"given_name": value, "family_name": value}, label, htmx=True)


async def test_every_post_route_of_the_pages_is_fuzzed_even_without_a_form(app, pages, project, clock) -> None:
    """Routes whose forms the crawl may not show (an action on a closed case, an answered referral...)."""
    ids = await _dataset(pages, project, clock)
    values = {
        "person_id": ids["person_id"],
        "case_id": ids["case_id"],
        "visit_id": ids["visit_id"],
        "cohort_id": ids["cohort_id"],
        "record_id": ids["case_id"],  # an id of another kind
        "referral_id": ids["case_id"],
        "request_id": ids["person_id"],
        "staff_id": pages["other_social_worker"].staff_id,  # not one this test signs in with
        "hold_id": ids["person_id"],
        "access_id": ids["case_id"],  # no such access
        "other_id": ids["case_id"],  # the other record of a merge: an id of another kind
        "document_id": ids["case_id"],  # no such document
        "certificate_id": ids["case_id"],  # no such certificate
        "reminder_id": ids["case_id"],  # no such reminder
        "appointment_id": ids["case_id"],  # no such appointment
    }
    actions = ["notes", "follow-ups", "closure", "reassignment", "external-referral", "reopening", "x", "hold"]
    actions += ["restriction", "lift-hold", "lift-restriction", "answer", "extension"]
    fields = ["person_id", "text", "due_on", "description", "reason", "summary", "domain", "outcome", "purpose"]
    fields += ["evidence", "social_worker_id", "organisation_kind", "organisation_name", "override_reason", "roles"]
    fields += ["username", "display_name", "password", "minutes", "category", "help_given", "months", "answer"]
    fields += ["received_on", "right", "identity_check", "basis", "note", "hold_id", "confirm_1", "confirm_2"]
    fields += ["certificate_reference", "kind", "level-1.1", f"mark-{ids['person_id']}", "query", "site", "language"]
    fields += ["kept", "niss", "phone", "email", "nationality", "languages", "preferred_language"]
    fields += ["file_number", "name", "birth_date", "confirm_file_number", "filter"]
    for route in sorted(_page_routes(app) - NEVER_SENT):
        paths = {route}
        if "{action:str}" in route:
            paths = {route.replace("{action:str}", action) for action in actions}
        for path in paths:
            for name, value in values.items():
                path = path.replace(f"{{{name}:uuid}}", value)
            assert "{" not in path, path
            for label, value in VARIANTS.items():
                for role in ("social_worker", "dpo", "trainer", "helper", "admin"):
                    await _send(pages[role], path, dict.fromkeys(fields, value), f"{label} as {role}", htmx=False)


def test_the_crawl_reads_forms_as_a_browser_sends_them() -> None:
    html = """<form method="post" action="/ui/x"><input name="a" value="1"><input type="checkbox" name="r" value="p"
    checked><input type="checkbox" name="r" value="q"><select name="s"><option value="o1">1</option>
    <option value="o2">2</option></select><textarea name="t"></textarea></form><a href="/ui/y">y</a>"""
    found = forms_of("/ui/", html)
    assert found.links == {"/ui/y"}
    (form,) = found.forms
    assert form.fields == {"a": "1", "s": "o1", "t": ""} and form.lists == {"r": ["p"]}
