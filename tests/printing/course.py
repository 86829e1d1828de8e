"""A finished DigiLab month, made through the API: three learners, their attendance, one completion.

August 2026 (20 session days, 4 hours each), all before the tests' clock (1 September):
- Amina Diallo (prefers English): absent on the 5th, excused on the 12th, late on the 19th (3 hours);
- Bruno Léger (French): present every day, assessed at the start and at the end, course completed;
- Chloé Dubois: absent on five days.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

COHORT = {"name": "DigiLab août", "site": "Liège centre", "starts_on": "2026-08-03", "ends_on": "2026-08-28"}
DAYS = [date(2026, 8, 3) + timedelta(n) for n in range(26) if (date(2026, 8, 3) + timedelta(n)).weekday() < 5]
AMINA_AWAY = {date(2026, 8, 5): "absent", date(2026, 8, 12): "excused"}
AMINA_LATE = date(2026, 8, 19)
CHLOE_AWAY = [date(2026, 8, d) for d in (4, 6, 10, 11, 25)]
INITIAL = {"1.1": 2, "1.2": 3, "4.2": 1}
FINAL = {"1.1": 4, "1.2": 4, "4.2": 3}


@dataclass
class Learner:
    person_id: str
    record_id: str
    file_number: str
    given_name: str
    family_name: str


@dataclass
class Course:
    cohort_id: str
    amina: Learner
    bruno: Learner
    chloe: Learner


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _person(helper: Any, given: str, family: str, language: str | None) -> tuple[str, str]:
    body: dict[str, Any] = {"given_name": given, "family_name": family}
    if language:
        body["preferred_language"] = language
    answer = await helper.post("/people", json=body, headers=key())
    assert answer.status_code == 201, answer.text
    ids = answer.json()["ids"]
    return str(ids["person_id"]), str(ids["file_number"])


async def finished_course(staff: dict[str, Any], project: Any) -> Course:
    helper, trainer = staff["helper"], staff["trainer"]
    answer = await trainer.post("/cohorts", json=COHORT, headers=key())
    assert answer.status_code == 201, answer.text
    cohort_id = str(answer.json()["ids"]["cohort_id"])
    learners = []
    for given, family, language in (("Amina", "Diallo", "en"), ("Bruno", "Léger", "fr"), ("Chloé", "Dubois", None)):
        person_id, file_number = await _person(helper, given, family, language)
        enrolled = await trainer.post(f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id}, headers=key())
        assert enrolled.status_code in (200, 201), enrolled.text
        record_id = str(enrolled.json()["ids"]["record_id"])
        learners.append(Learner(person_id, record_id, file_number, given, family))
    amina, bruno, chloe = learners
    await project()
    for day in DAYS:
        exceptions: list[dict[str, Any]] = []
        if day in AMINA_AWAY:
            exceptions.append({"person_id": amina.person_id, "status": AMINA_AWAY[day]})
        if day == AMINA_LATE:
            exceptions.append({"person_id": amina.person_id, "status": "late", "hours": 3})
        if day in CHLOE_AWAY:
            exceptions.append({"person_id": chloe.person_id, "status": "absent"})
        body = {"day": day.isoformat(), "default_status": "present", "exceptions": exceptions}
        answer = await trainer.post(f"/cohorts/{cohort_id}/attendance", json=body, headers=key())
        assert answer.status_code == 200, answer.text
    for kind, levels in (("initial", INITIAL), ("final", FINAL)):
        answer = await trainer.post(
            f"/training-records/{bruno.record_id}/assessments", json={"kind": kind, "levels": levels}, headers=key()
        )
        assert answer.status_code == 201, answer.text
    answer = await trainer.post(
        f"/training-records/{bruno.record_id}/completion", json={"certificate_reference": "DL-2026-08"}, headers=key()
    )
    assert answer.status_code == 200, answer.text
    await project()
    return Course(cohort_id, amina, bruno, chloe)


def hours_of(learner: Learner) -> Decimal:
    """What the events say: 4 hours a day present, 3 when late, none away."""
    if learner.given_name == "Amina":
        return Decimal(4 * (len(DAYS) - len(AMINA_AWAY) - 1) + 3)
    if learner.given_name == "Chloé":
        return Decimal(4 * (len(DAYS) - len(CHLOE_AWAY)))
    return Decimal(4 * len(DAYS))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
