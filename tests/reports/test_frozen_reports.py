"""A report handed out stays as it was handed out: the same bytes, whatever happens afterwards."""

from __future__ import annotations

import base64
import hashlib

from tests.projections.scenario import register
from tests.reports.history import september
from tests.reports.published import read_csv, read_xlsx, recoverable, small_counts

PERIOD = {"period_from": "2026-09", "period_to": "2026-09"}


async def test_a_frozen_report_gives_back_the_same_bytes_after_more_events(staff, project, repository) -> None:
    history = await september(repository)
    await project()
    issued = await staff["dpo"].post("/statistics/reports", json=PERIOD, headers={"Idempotency-Key": "septembre"})
    assert issued.status_code == 201, issued.text
    frozen = issued.json()
    report_id = frozen["report_id"]
    assert small_counts(frozen["report"], 5) == [] and recoverable(frozen["report"]) == []
    files = {}
    for kind in ("json", "csv", "xlsx"):
        answer = await staff["social_worker"].get(f"/statistics/reports/{report_id}?format={kind}")
        assert answer.status_code == 200, answer.text
        digest = base64.b64encode(hashlib.sha256(answer.content).digest()).decode()
        assert answer.headers["repr-digest"] == f"sha-256=:{digest}:"
        files[kind] = answer.content
    assert files["json"] == issued.content

    for n in range(8):  # eight more Turkish newcomers in September, after the report was handed out
        await register(
            repository, history.staff, history.written, f"Tard{n}", f"Venu{n}", "TR", f"+32 476 00 00 {n:02d}"
        )
    await project()
    live = (await staff["dpo"].get("/statistics/report?period=2026-09")).json()
    new_people = next(t for t in live["tables"] if t["key"] == "nationalities")["rows"][-1]["cells"][0]["value"]
    assert new_people == 20  # the live figures moved on
    for kind, content in files.items():
        again = await staff["dpo"].get(f"/statistics/reports/{report_id}?format={kind}")
        assert again.content == content, kind  # the frozen ones did not
    nationalities = next(t for t in read_csv(files["csv"]) if t[0] == ["Nouvelles personnes par nationalité"])
    assert ["Total", "12"] in nationalities
    assert ["Total", 12] in [
        line[:2] for line in next(t for t in read_xlsx(files["xlsx"]) if t[0][0].startswith("Nouvelles"))
    ]

    listed = (await staff["admin"].get("/statistics/reports")).json()
    assert [(r["report_id"], r["period"]) for r in listed] == [(report_id, "2026-09")]
    assert listed[0]["digests"]["xlsx"] == hashlib.sha256(files["xlsx"]).hexdigest()
    assert (await staff["trainer"].get("/statistics/reports")).status_code == 403
    unknown = await staff["dpo"].get("/statistics/reports/5d1b7a52-2f8e-4a39-bb0e-7c1f3e9d6a41?format=csv")
    assert unknown.status_code == 404
