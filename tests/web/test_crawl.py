"""Every page a role can reach speaks the reader's words: no id, no program value, no English on a French page.

On the demo dataset, each role signs in, follows every link (GET only) from its home page, in French
and then in English, and every page's visible text is checked for raw tokens. A few pages that are
reached through a form (a person's file, the DPO's page of a person) are visited as well.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.application.context import ApplicationContext
from service.cli.demo import DEMO_STAFF, load_demo
from service.staff.accounts import StaffAccounts

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
REPR = re.compile(r"\{'|\('|\[\]|\{\}|\bNone\b|\bTrue\b|\bFalse\b")
EVENT_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*\.[A-Z][a-zA-Z]+\b")
SNAKE_CASE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ENGLISH = re.compile(
    r"\b(the|and|not|must|is called|consent|file|case|of|with|from|by|has|been|for|your|you|nothing|nobody|"
    r"none|yes|should|cannot|this|that|which|what|when|who|where|there|open|closed|done|waiting|name|"
    r"people|person|staff|error|found|missing|invalid|required|blank)\b",
    re.I,
)
ROLES = {"social_worker": "sophie", "trainer": "julie", "helper": "ines", "dpo": "dpo", "admin": "admin"}
PASSWORDS = {username: password for username, _, _, password in DEMO_STAFF}
PER_KIND = 3
"""Pages of one kind (the same path once ids are taken out) visited per role and language."""

_LINK = re.compile(r'<a\b[^>]*\bhref="(/ui[^"]*)"', re.I)
_GET_FORM = re.compile(r'<form\b[^>]*\bmethod="get"[^>]*\baction="([^"]+)"[^>]*>(.*?)</form>', re.I | re.S)
_INPUT = re.compile(r'<input\b[^>]*\bname="([^"]+)"(?:[^>]*?\bvalue="([^"]*)")?[^>]*>', re.I)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def visible_text(page: str) -> str:
    """What a reader sees (and hears): scripts, styles and tags taken out, attributes gone, entities read."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def raw_tokens(text: str, language: str) -> list[str]:
    found = [m.group(0) for pattern in (UUID, REPR, EVENT_NAME, SNAKE_CASE, ISO_DATE) for m in pattern.finditer(text)]
    if language == "fr":
        found += [f"English word {m.group(0)!r}" for m in ENGLISH.finditer(text)]
    return found


def test_the_checks_catch_what_the_issue_saw() -> None:
    seen = "{'given_name': 'Hélène', 'nationality': None} ('ar', 'fr') Case.NoteAdded due_on 2026-12-03"
    assert len(raw_tokens(seen, "fr")) >= 6
    assert raw_tokens("consent:8c38ab12-0000-4000-8000-000000000000:2", "en")
    assert raw_tokens("the person must not be blank", "fr")
    assert not raw_tokens("Sophie Lambert a ajouté une note le 03/12/2026 · dossier 2026-00042", "fr")


def _kind(url: str) -> str:
    path = urlsplit(url).path
    return re.sub(r"/[0-9a-f-]{36}", "/{id}", path)


def _links(page: str, url: str) -> list[str]:
    found = [html.unescape(href) for href in _LINK.findall(page)]
    for action, body in _GET_FORM.findall(page):
        query = {name: html.unescape(value or "") for name, value in _INPUT.findall(body)}
        found.append(f"{urlsplit(urljoin(url, html.unescape(action))).path}?{urlencode(query)}")
    return [link for link in found if not link.endswith(".json") and "/static/" not in link]


async def _sign_in(client: AsyncTestClient[Litestar], username: str) -> None:
    client.cookies.clear()
    answer = await client.post("/ui/sign-in", data={"username": username, "password": PASSWORDS[username]})
    assert answer.status_code in (200, 303), answer.text[:300]


async def _crawl(
    client: AsyncTestClient[Litestar], seeds: list[str], language: str, visited: set[str]
) -> dict[str, list[str]]:
    """Visit every page reachable from the seeds (added to ``visited``); what each page shows that it should not."""
    problems: dict[str, list[str]] = {}
    queue, seen, kinds = list(seeds), set(seeds), Counter[str]()
    while queue:
        url = queue.pop(0)
        kinds[_kind(url)] += 1
        if kinds[_kind(url)] > PER_KIND:
            continue
        answer = await client.get(url, follow_redirects=True)
        visited.add(urlsplit(url).path)
        if answer.status_code != 200:
            problems[url] = [f"status {answer.status_code}"]
            continue
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a download (PDF, spreadsheet): its words are checked by the tests that open it
        page = answer.text
        if f'lang="{language}"' not in page[:300] and "<html" in page[:300]:
            problems[url] = [f"not in {language}"]
        tokens = raw_tokens(visible_text(page), language)
        if tokens:
            problems[url] = sorted(set(tokens))
        for link in _links(page, str(answer.url)):
            if link not in seen and link.startswith("/ui"):
                seen.add(link)
                queue.append(link)
    return problems


@pytest.fixture
async def demo(runtime, clock, project) -> dict[str, list[str]]:
    """The demo dataset, and for each role the pages behind a form that the crawl visits too."""
    ctx = ApplicationContext.from_runtime(runtime, clock=clock)
    await load_demo(ctx, StaffAccounts(runtime.pool), clock())
    await project()
    async with runtime.pool.acquire() as db:
        people = [r["person_id"] for r in await db.fetch("SELECT person_id FROM rm_directory.people ORDER BY 1")]
    files = [f"/ui/people/{p}" for p in people[::9]]
    return {
        "social_worker": files,
        "trainer": [],
        "helper": [*files, "/ui/office-hours/board?site=Li%C3%A8ge%20centre"],
        "dpo": [f"/ui/dpo/people/{p}" for p in people[::11]],
        "admin": [],
    }


@pytest.mark.timeout(600)
async def test_every_page_of_every_role_speaks_the_readers_words(client, demo) -> None:
    problems, visited = {}, set[str]()
    for language in ("fr", "en"):  # before signing in: the sign-in page, in the language chosen there
        client.cookies.clear()
        await client.post("/ui/sign-in/language", data={"language": language})
        for url, found in (await _crawl(client, ["/ui/sign-in", "/ui/sign-in?expired=1"], language, visited)).items():
            problems[f"signed out {language} {url}"] = found
    for role, username in ROLES.items():
        await _sign_in(client, username)
        home = await client.get("/ui/", follow_redirects=True)
        start = [urlsplit(str(home.url)).path, *demo[role]]
        for language in ("fr", "en"):
            token = _CSRF.search((await client.get(start[0])).text)
            assert token, role
            switched = await client.post("/ui/language", data={"language": language, "csrf_token": token.group(1)})
            assert switched.status_code in (200, 303), switched.text[:300]
            for url, found in (await _crawl(client, start, language, visited)).items():
                problems[f"{role} {language} {url}"] = found
            if role in ("social_worker", "helper"):  # the search answers a form, and only reads
                for query in ("Diallo", "01/01/1970", "Personne-Inconnue"):
                    answer = await client.post("/ui/people/search", data={"query": query, "csrf_token": token.group(1)})
                    found = raw_tokens(visible_text(answer.text), language)
                    if answer.status_code != 200 or found:
                        problems[f"{role} {language} search {query}"] = [str(answer.status_code), *found]
                    if query == "01/01/1970":  # a birth date as people write it finds the person
                        assert "Diallo" in answer.text, answer.text[-2000:]
    # A crawl that reached no page would find nothing wrong: it must have seen every role's pages.
    for reached in ("/ui/caseload", "/ui/cohorts", "/ui/office-hours", "/ui/dpo", "/ui/admin/staff"):
        assert any(path.startswith(reached) for path in visited), (reached, sorted(visited))
    assert len(visited) >= 20, sorted(visited)
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in sorted(problems.items()))
