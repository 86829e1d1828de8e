"""Read your own writes, in Chromium: the page after a form shows what was just saved, with no reload.

The live server keeps its read models up to date in its own process, as a small deployment does;
each page below is looked at once, as it first loads: a reload would hide the race these tests are for.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Live, shot

pytestmark = pytest.mark.usefixtures("browser")

PEOPLE = [
    ("Amina", "Lahlou"),
    ("Bogdan", "Ionescu"),
    ("Chantal", "Mukendi"),
    ("Dawit", "Tesfaye"),
    ("Elif", "Yilmaz"),
    ("Farid", "Haddad"),
    ("Grace", "Nkosi"),
]


def _seen_at_once(page, text: str) -> None:
    """The page as it loaded holds ``text``, and is no error page (nothing is reloaded, nothing awaited)."""
    page.wait_for_load_state("load")
    assert page.get_by_text(text).count() > 0, page.content()
    assert "introuvable" not in page.title().lower()


def test_seven_people_registered_in_a_row_each_open_on_their_file(open_as, live: Live) -> None:
    page = open_as("social_worker")
    files = []
    for given, family in PEOPLE:
        page.goto(live.url + "/ui/people/new")
        page.get_by_label("Prénom").fill(given)
        page.get_by_label("Nom de famille").fill(family)
        page.get_by_role("button", name="Inscrire", exact=True).click()
        page.wait_for_url("**/ui/people/*-*")
        _seen_at_once(page, f"{given} {family}")
        files.append(page.url)
    shot(page, "fresh-reads-seventh-file")
    for (given, family), file in zip(PEOPLE, files, strict=True):
        page.goto(file)
        _seen_at_once(page, f"{given} {family}")


def test_a_newcomer_checked_in_is_on_the_board_the_helper_comes_back_to(open_as, live: Live) -> None:
    helper = open_as("helper")
    helper.goto(live.url + "/ui/office-hours/board?site=Li%C3%A8ge%20centre")
    helper.get_by_label("Prénom").fill("Hawa")
    helper.get_by_label("Nom de famille").fill("Camara")
    helper.get_by_role("button", name="Inscrire et accueillir").click()
    helper.wait_for_url("**notice=registered")
    helper.wait_for_load_state("load")
    assert helper.get_by_role("button", name="Appeler Hawa Camara").count() == 1, helper.content()
    expect(helper.get_by_role("button", name="Appeler Hawa Camara")).to_be_visible()
    shot(helper, "fresh-reads-newcomer-on-the-board")
