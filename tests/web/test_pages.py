"""The page handlers without a browser: each role reaches its pages, others are refused, CSRF holds."""

from __future__ import annotations

import re

from service.words.catalogue import words

WORDS = words()

ROLE_PAGES = {
    "social_worker": ["/ui/caseload", "/ui/people/search", "/ui/people/new"],
    "trainer": ["/ui/cohorts"],
    "helper": ["/ui/office-hours", "/ui/office-hours/board?site=Li%C3%A8ge"],
    "dpo": ["/ui/dpo", "/ui/dpo/record", "/ui/dpo/retention"],
    "admin": ["/ui/admin/staff"],
}


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1)


async def test_each_role_sees_its_own_pages_and_not_the_others(pages) -> None:
    for role, urls in ROLE_PAGES.items():
        for url in urls:
            answer = await pages[role].get(url)
            assert answer.status_code == 200, (role, url, answer.text[:500])
            assert 'lang="fr"' in answer.text
        for other, other_urls in ROLE_PAGES.items():
            if other == role or {role, other} == {"social_worker", "helper"}:
                continue
            for url in other_urls:
                answer = await pages[role].get(url)
                assert answer.status_code == 403, (role, url)


async def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    answer = await client.get("/ui/caseload", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/sign-in"


async def test_an_expired_session_says_so_on_the_sign_in_page(pages) -> None:
    worker = pages["social_worker"]
    worker.session = "expired-or-forged"
    answer = await worker.get("/ui/caseload")
    assert answer.headers["location"] == "/ui/sign-in?expired=1"
    page = await worker.get(answer.headers["location"])
    assert WORDS["sign_in.expired"][0] in page.text


async def test_htmx_requests_of_an_expired_session_redirect_the_whole_page(pages) -> None:
    worker = pages["social_worker"]
    worker.session = "expired-or-forged"
    answer = await worker.get("/ui/caseload", headers={"HX-Request": "true"})
    assert answer.headers["HX-Redirect"] == "/ui/sign-in?expired=1"


async def test_a_form_post_without_the_csrf_token_is_refused(pages) -> None:
    worker = pages["social_worker"]
    form = {"given_name": "Amina", "family_name": "Diallo"}
    refused = await worker.raw_post("/ui/people/new", data=form)
    assert refused.status_code == 403
    wrong = await worker.raw_post("/ui/people/new", data={**form, "csrf_token": "forged"})
    assert wrong.status_code == 403
    accepted = await worker.post("/ui/people/new", data=form)
    assert accepted.status_code == 303


async def test_the_csrf_header_works_for_htmx_requests(pages) -> None:
    worker = pages["social_worker"]
    answer = await worker.raw_post(
        "/ui/people/search", data={"query": "Diallo"}, headers={"X-CSRF-Token": worker.csrf, "HX-Request": "true"}
    )
    assert answer.status_code == 200


async def test_personal_data_never_appears_in_urls_or_titles(pages, project) -> None:
    worker = pages["social_worker"]
    created = await worker.post(
        "/ui/people/new", data={"given_name": "Zénobie", "family_name": "Kabongo", "birth_date": "1990-04-02"}
    )
    location = created.headers["location"]
    assert "Kabongo" not in location and "1990" not in location
    await project()
    file_page = await worker.get(location)
    assert file_page.status_code == 200
    assert "Kabongo" in file_page.text
    assert "Kabongo" not in _title(file_page.text) and "Zénobie" not in _title(file_page.text)
    found = await worker.post("/ui/people/search", data={"query": "Kabongo"})
    assert "Kabongo" in found.text and "Kabongo" not in _title(found.text)
    assert "Kabongo" not in str(found.url)


async def test_the_language_follows_the_staff_members_choice(pages) -> None:
    trainer = pages["trainer"]
    answer = await trainer.post("/ui/language", data={"language": "en"})
    assert answer.status_code == 303
    page = await trainer.get("/ui/cohorts")
    assert 'lang="en"' in page.text and "My DigiLab cohorts" in page.text
    await trainer.post("/ui/language", data={"language": "fr"})
    assert "Mes sessions DigiLab" in (await trainer.get("/ui/cohorts")).text


def test_every_word_has_a_french_and_an_english_text() -> None:
    for key, (fr, en) in WORDS.items():
        assert fr and en, key


def test_every_key_the_templates_use_is_in_the_catalogue() -> None:
    from pathlib import Path

    root = Path(__file__).parents[2] / "service"
    used = set()
    for path in [*(root / "web" / "templates").rglob("*.html"), *(root / "gdpr" / "templates").rglob("*.html")]:
        used |= set(re.findall(r"""\bt(?:\.plural)?\(["']([a-z_]+\.[a-z_.]*[a-z_])["']""", path.read_text()))
    assert used - set(WORDS) == set()
