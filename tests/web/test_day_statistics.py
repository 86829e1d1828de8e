"""The statistics page: a centre manager picks a period, reads the figures and charts, downloads and freezes."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from tests.web.conftest import Live, eventually, shot

AXE = Path(__file__).parents[2] / "service" / "web" / "static" / "vendor" / "axe.min.js"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NATIONALITIES = ["TR"] * 7 + ["SY"] * 5 + ["BE"] * 2
REQUESTS = ["software"] * 6 + ["writing"]


def _history(live: Live) -> None:
    today = str(datetime.now(UTC).date())
    people = []
    for n, nationality in enumerate(NATIONALITIES):
        person = {"given_name": f"Personne{n}", "family_name": f"Famille{n}", "nationality": nationality}
        answer = live.api("helper", "POST", "/people", json=person)
        assert answer.status_code == 201, answer.text
        people.append(answer.json()["ids"]["person_id"])
    for person_id, category in zip(people, REQUESTS, strict=False):
        arrival = {"person_id": person_id, "session_on": today, "site": "Liège centre"}
        visit = live.api("helper", "POST", "/office-hours/visits", json=arrival)
        assert visit.status_code == 201, visit.text
        help_given = {"category": category, "description": "Aide", "help_given": "Fait ensemble", "minutes": 20}
        helped = live.api(
            "helper", "POST", f"/office-hours/visits/{visit.json()['ids']['visit_id']}/help", json=help_given
        )
        assert helped.status_code in (200, 201), helped.text


def test_the_manager_reads_the_year_hands_out_a_frozen_report_and_no_small_figure_shows(open_as, live: Live) -> None:
    _history(live)
    year = str(datetime.now(UTC).year)
    eventually(
        lambda: (
            live.api("dpo", "GET", f"/statistics/report?period={year}").json()["tables"][0]["rows"][0]["cells"][1][
                "value"
            ]
            == 14
        )
    )
    page = open_as("dpo")
    page.get_by_role("link", name="Statistiques").click()
    expect(page.get_by_role("heading", name="Statistiques anonymes")).to_be_visible()
    expect(page.get_by_label("Période")).to_have_value(year)
    requests = page.get_by_role("table", name="Demandes à la permanence")
    expect(requests.get_by_role("row", name="Rédaction")).to_contain_text("masqué")
    expect(requests.get_by_role("row", name="Logiciel")).to_contain_text("masqué")  # else the total tells
    expect(requests.get_by_role("row", name="Total")).to_contain_text("7")
    nationalities = page.get_by_role("table", name="Nouvelles personnes par nationalité")
    expect(nationalities.get_by_role("row", name="Turquie")).to_contain_text("7")
    expect(nationalities).not_to_contain_text("Belgique")  # two people: counted with the others, unnamed
    charts = page.locator("svg[role=img]")
    expect(charts.first).to_be_visible()
    titles = [charts.nth(n).locator("title").text_content() for n in range(charts.count())]
    assert "Évolution mois par mois" in titles and "Demandes à la permanence" in titles
    assert "Rédaction\xa0: masqué" in page.locator("svg desc").all_text_contents()[-3]
    body = page.locator("main").inner_text()
    assert not UUID.search(body)
    for cell in page.locator("main td").all_inner_texts():
        assert not re.fullmatch(r"[1-4]", cell.strip()), cell  # no count of one to four people
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps([(v["id"], [n["target"] for n in v["nodes"]]) for v in bad], indent=1)
    shot(page, "statistics-year")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tableau CSV").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == [f"Statistiques : année {year}"]
    assert ["Rédaction", "masqué"] in lines and ["Total", "7"] in lines

    page.get_by_role("button", name=re.compile("Figer le rapport")).click()
    expect(page.get_by_role("status")).to_contain_text("Rapport figé")
    frozen = page.get_by_role("table").filter(has_text="Remis le")
    expect(frozen.get_by_role("row", name=re.compile(f"Année {year}"))).to_be_visible()
    shot(page, "statistics-frozen")


def test_a_month_has_no_lines_and_a_bad_period_says_so_in_french(open_as, live: Live) -> None:
    page = open_as("social_worker")
    month = datetime.now(UTC).strftime("%Y-%m")
    page.goto(live.url + f"/ui/statistics?period={month}")
    expect(page.get_by_text("La courbe mois par mois s'affiche pour un trimestre ou une année.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Figer"))).to_have_count(0)  # the DPO hands reports out
    page.goto(live.url + "/ui/statistics?period=2026-13")
    expect(page.get_by_role("alert")).to_contain_text("Choisissez une période dans la liste")
    shot(page, "statistics-month-bad-period")
    trainer = open_as("trainer")
    expect(trainer.get_by_role("link", name="Statistiques")).to_have_count(0)
    answer = trainer.goto(live.url + "/ui/statistics")
    assert answer is not None and answer.status == 403
