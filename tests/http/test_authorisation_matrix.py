"""Every endpoint, called as every role, as an anonymous caller and as a deactivated account.

For each endpoint the table says which roles may use it. Everyone else gets 403 (401 when
not signed in, or deactivated). Allowed roles may still get 4xx for other reasons (a rule,
a conflict), never 401 or 403. And whatever the answer, no body may carry what the role
must not see: social-legal text for a trainer, any beneficiary's name for the admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.http.conftest import PASSWORD, ROLES

PUBLIC = "public"
SW, OSW, TRAINER, HELPER, DPO, ADMIN = "social_worker", "other_social_worker", "trainer", "helper", "dpo", "admin"
EVERY_ROLE = frozenset(ROLES)

SOCIAL_LEGAL_TEXT = [
    "Expulsion annoncée, arriérés de loyer",
    "Appel au propriétaire ce matin",
    "Titre de séjour à renouveler",
]
PERSON_NAMES = ["Amina", "Diallo"]
CONTACT = {"phone": "+32 470 12 34 56", "email": "amina.diallo@example.org", "address": "Rue Saint-Gilles 12"}
NISS = "85073003328"
BEYOND_COURSE_DETAILS = [CONTACT["email"], CONTACT["address"], NISS, "85.07.30-033.28", "external_referral", "CPAS"]
"""What a trainer never reads of her own learner: address, email, national register number, a non-training consent."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str] | str
    body: Callable[[dict[str, str]], Any] | None = None


def body(value: Any) -> Callable[[dict[str, str]], Any]:
    return lambda ids: value


ENDPOINTS = [
    Endpoint("GET", "/health", PUBLIC),
    Endpoint("GET", "/ready", PUBLIC),
    Endpoint("GET", "/metrics", PUBLIC),
    Endpoint("GET", "/auth/me", EVERY_ROLE),
    Endpoint("GET", "/staff", frozenset({ADMIN})),
    Endpoint(
        "POST",
        "/staff",
        frozenset({ADMIN}),
        lambda ids: {
            "username": f"new.{uuid.uuid4().hex[:6]}",
            "display_name": "New",
            "password": PASSWORD,
            "roles": ["trainer"],
        },
    ),
    Endpoint("PATCH", "/staff/{staff}", frozenset({ADMIN}), body({"language": "en"})),
    # Too short on purpose: the admin's answer is a 422, so the account's sessions go on for the other calls.
    Endpoint("POST", "/staff/{staff}/password", frozenset({ADMIN}), body({"password": "short"})),
    Endpoint("POST", "/staff/{staff}/unlock", frozenset({ADMIN})),
    Endpoint(
        "POST", "/people", frozenset({SW, OSW, HELPER, DPO}), body({"given_name": "Kofi", "family_name": "Mensah"})
    ),
    # The DPO reads identity through the export only, so does not browse the directory.
    Endpoint("POST", "/people/search", frozenset({SW, OSW, HELPER}), body({"query": "Diallo"})),
    Endpoint("GET", "/people/{person}", frozenset({SW, OSW, HELPER, TRAINER})),
    Endpoint(
        "POST",
        "/people/{person}/consents",
        frozenset({SW, OSW, HELPER}),
        body({"purpose": "contact_sms", "evidence": "oral"}),
    ),
    Endpoint(
        "POST", "/people/{person}/consents/withdrawals", frozenset({SW, OSW, HELPER}), body({"purpose": "contact_sms"})
    ),
    Endpoint(
        "POST",
        "/people/{person}/corrections",
        frozenset({SW, OSW, HELPER, DPO}),
        body({"details": {"given_name": "Amina", "family_name": "Diallo"}, "reason": "spelling"}),
    ),
    # Merging two records of one person: social workers only (the second call finds them merged: 422).
    Endpoint("POST", "/people/{person}/merges", frozenset({SW, OSW}), lambda ids: {"duplicate_id": ids["other"]}),
    Endpoint("GET", "/people/{person}/file", frozenset({SW, OSW, HELPER, TRAINER})),
    Endpoint(
        "POST",
        "/people/{person}/file/break-glass",
        frozenset({SW, OSW, HELPER, TRAINER}),
        body({"reason": "colleague on leave"}),
    ),
    Endpoint("GET", "/people/{person}/training-history", frozenset({SW, OSW, HELPER, TRAINER})),
    Endpoint(
        "POST",
        "/cohorts",
        frozenset({TRAINER}),
        body({"name": "DigiLab", "site": "Liège", "starts_on": "2026-09-07", "ends_on": "2026-10-02"}),
    ),
    Endpoint("GET", "/cohorts/mine", EVERY_ROLE),  # counts only; empty for anyone who trains no cohort
    Endpoint("GET", "/cohorts/{cohort}/roster", frozenset({TRAINER, HELPER})),
    Endpoint("POST", "/cohorts/{cohort}/enrolments", frozenset({TRAINER}), lambda ids: {"person_id": ids["other"]}),
    # A trainer finds the person to enrol by exact file number (here: her own learner, whom she reads in part).
    Endpoint(
        "POST",
        "/cohorts/{cohort}/enrolment-lookup",
        frozenset({TRAINER}),
        lambda ids: {"file_number": ids["file_number"]},
    ),
    Endpoint("POST", "/cohorts/{cohort}/waiting-list", frozenset({TRAINER}), lambda ids: {"person_id": ids["waiting"]}),
    Endpoint("POST", "/cohorts/{cohort}/waiting-list/{waiting}/seat", frozenset({TRAINER})),
    Endpoint("POST", "/cohorts/{cohort}/waiting-list/{waiting}/removal", frozenset({TRAINER})),
    Endpoint("POST", "/cohorts/{cohort}/attendance", frozenset({TRAINER}), body({"day": "2026-09-01"})),
    Endpoint(
        "POST",
        "/cohorts/{cohort}/withdrawals",
        frozenset({TRAINER}),
        lambda ids: {"record_id": ids["record"], "reason": "moved away"},
    ),
    Endpoint(
        "POST",
        "/training-records/{record}/assessments",
        frozenset({TRAINER}),
        body({"kind": "initial", "levels": {"1.1": 2}}),
    ),
    Endpoint(
        "POST", "/training-records/{record}/completion", frozenset({TRAINER}), body({"certificate_reference": "CERT-1"})
    ),
    Endpoint("GET", "/cohorts/{cohort}/attendance-sheet?day=2026-09-01", frozenset({TRAINER, HELPER})),
    Endpoint("GET", "/cohorts/{cohort}/attendance-summary?month=2026-09&format=xlsx", frozenset({TRAINER, HELPER})),
    Endpoint(
        "POST",
        "/people/{person}/certificates",
        frozenset({TRAINER}),
        lambda ids: {"kind": "attendance", "cohort_id": ids["cohort"]},
    ),
    # The learner consented to share her training with the social-legal service: social workers read it.
    Endpoint("GET", "/people/{person}/certificates", frozenset({SW, OSW, HELPER, TRAINER})),
    Endpoint("GET", "/certificates/{follow_up}", frozenset({SW, OSW, HELPER, TRAINER})),  # no such certificate: 404
    Endpoint("POST", "/certificates/{follow_up}/revocation", frozenset({TRAINER}), body({"reason": "par erreur"})),
    Endpoint("GET", "/certificates/{follow_up}/verification", PUBLIC),  # "unknown", naming no one
    Endpoint(
        "POST",
        "/office-hours/visits",
        frozenset({SW, OSW, HELPER}),
        lambda ids: {"person_id": ids["person"], "session_on": "2026-09-01", "site": "Liège centre"},
    ),
    Endpoint("GET", "/office-hours/board?session_on=2026-09-01&site=Li%C3%A8ge%20centre", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/office-hours/visits/{visit}/call", frozenset({SW, OSW, HELPER})),
    Endpoint(
        "POST",
        "/office-hours/visits/{visit}/help",
        frozenset({SW, OSW, HELPER}),
        body({"category": "software", "description": "Courriel", "help_given": "Compte créé", "minutes": 15}),
    ),
    Endpoint(
        "POST",
        "/office-hours/visits/{visit}/referral",
        frozenset({SW, OSW, HELPER}),
        body({"reason": SOCIAL_LEGAL_TEXT[2]}),
    ),
    # Appointments: social workers and helpers (an office-hours slot with whoever is on duty: no double booking).
    Endpoint(
        "POST",
        "/appointments",
        frozenset({SW, OSW, HELPER}),
        lambda ids: {
            "kind": "office_hours",
            "person_id": ids["person"],
            "site": "Liège centre",
            "starts_at": "2026-09-02T10:00:00+02:00",
            "minutes": 30,
        },
    ),
    Endpoint("GET", "/appointments/{follow_up}", frozenset({SW, OSW, HELPER})),  # no such appointment: 404
    Endpoint(
        "POST",
        "/appointments/{follow_up}/move",
        frozenset({SW, OSW, HELPER}),
        body({"site": "Liège centre", "starts_at": "2026-09-03T10:00:00+02:00", "minutes": 30}),
    ),
    Endpoint("POST", "/appointments/{follow_up}/cancellation", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/appointments/{follow_up}/arrival", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/appointments/{follow_up}/no-show", frozenset({SW, OSW, HELPER})),
    Endpoint("GET", "/agenda/staff", frozenset({SW, OSW, HELPER})),
    Endpoint("GET", "/agenda/staff/{social_worker}?day=2026-08-31&days=7", frozenset({SW, OSW, HELPER})),
    Endpoint("GET", "/agenda/site?site=Li%C3%A8ge%20centre&day=2026-09-02", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/agenda/feed", frozenset({SW, OSW, HELPER})),
    Endpoint("DELETE", "/agenda/feed", frozenset({SW, OSW, HELPER})),
    # GET /agenda/feeds/{token}.ics takes no session (its secret token is the key): tests/http/test_appointments_api.py
    # Reminders follow the appointments (no such appointment or reminder: 404).
    Endpoint("GET", "/reminders/appointments/{follow_up}", frozenset({SW, OSW, HELPER})),
    Endpoint("GET", "/reminders/failed", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/reminders/{follow_up}/retry", frozenset({SW, OSW, HELPER})),
    Endpoint(
        "POST",
        "/cases",
        frozenset({SW, OSW}),
        lambda ids: {"person_id": ids["person"], "domain": "housing", "summary": SOCIAL_LEGAL_TEXT[0]},
    ),
    Endpoint("POST", "/cases/{case}/notes", frozenset({SW}), body({"text": SOCIAL_LEGAL_TEXT[1]})),
    Endpoint(
        "POST", "/cases/{case}/follow-ups", frozenset({SW}), body({"due_on": "2026-09-10", "description": "Rappeler"})
    ),
    Endpoint("POST", "/cases/{case}/follow-ups/{follow_up}/done", frozenset({SW}), body({})),
    Endpoint("POST", "/cases/{case}/documents", frozenset({SW}), body({"kind": "decision_letter", "reference": "L-1"})),
    Endpoint(
        "POST",
        "/cases/{case}/reassignment",
        frozenset({SW}),
        lambda ids: {"social_worker_id": ids["social_worker"], "reason": "same worker"},
    ),
    Endpoint("POST", "/cases/{case}/closure", frozenset({SW}), body({"outcome": "resolved"})),
    Endpoint("POST", "/cases/{case}/reopening", frozenset({SW}), body({"reason": "new facts"})),
    # Trainers never touch social-legal data, not even to refer: they ask a helper or a social worker.
    Endpoint(
        "POST",
        "/referrals/internal",
        frozenset({SW, OSW, HELPER}),
        lambda ids: {"person_id": ids["person"], "source": "training", "reason": SOCIAL_LEGAL_TEXT[2]},
    ),
    Endpoint(
        "POST",
        "/referrals/external",
        frozenset({SW}),
        lambda ids: {
            "person_id": ids["person"],
            "organisation_kind": "cpas",
            "organisation_name": "CPAS de Liège",
            "reason": "aide",
            "case_id": ids["case"],
            "override_reason": "urgent",
        },
    ),
    Endpoint(
        "POST",
        "/referrals/{referral}/acceptance",
        frozenset({SW, OSW}),
        body({"domain": "residence_immigration", "summary": SOCIAL_LEGAL_TEXT[2]}),
    ),
    Endpoint("POST", "/referrals/{referral}/decline", frozenset({SW, OSW}), body({"reason": "pas pour nous"})),
    # Only the addressee answers: for an outside body, whoever referred the person (or follows the case).
    Endpoint("POST", "/referrals/{external_referral}/decline", frozenset({SW}), body({"reason": "refus du CPAS"})),
    Endpoint("POST", "/referrals/{referral}/completion", frozenset({SW}), body({})),
    Endpoint("POST", "/referrals/{referral}/withdrawal", frozenset({SW, OSW, HELPER}), body({"reason": "plus utile"})),
    Endpoint("GET", "/caseload", frozenset({SW, OSW})),
    Endpoint("GET", "/access-log/mine", EVERY_ROLE - {ADMIN}),
    Endpoint("GET", "/access-log/people/{person}", frozenset({DPO})),
    Endpoint("GET", "/access-log/staff/{social_worker}", frozenset({DPO})),
    Endpoint("GET", "/access-log/people/{person}/summary", frozenset({DPO})),
    Endpoint("GET", "/access-log/staff/{social_worker}/summary", frozenset({DPO})),
    Endpoint("GET", "/access-log/break-glass?unreviewed=true", frozenset({DPO})),
    Endpoint("POST", "/access-log/break-glass/{case}/review", frozenset({DPO})),  # no such access: 404 for the DPO
    Endpoint("POST", "/dpo/people/lookup", frozenset({DPO}), body({"name": "Amina", "birth_date": "1990-01-01"})),
    Endpoint("GET", "/dpo/people/{person}", frozenset({DPO})),
    Endpoint("GET", "/dpo/people/{person}/erasure-receipt", frozenset({DPO})),  # not erased: 404 for the DPO
    Endpoint("GET", "/dpo/people/{person}/erasure-receipt.html", frozenset({DPO})),
    Endpoint("GET", "/statistics?period_from=2026-09&period_to=2026-09", frozenset({SW, OSW, DPO, ADMIN})),
    Endpoint("POST", "/statistics/reports", frozenset({DPO}), body({"period_from": "2026-09", "period_to": "2026-09"})),
    Endpoint("GET", "/statistics/report?period=2026-Q3&format=csv", frozenset({SW, OSW, DPO, ADMIN})),
    Endpoint("GET", "/statistics/report?period=2026&format=xlsx", frozenset({SW, OSW, DPO, ADMIN})),
    Endpoint("GET", "/statistics/reports", frozenset({SW, OSW, DPO, ADMIN})),
    # Documents: a case's papers are its social worker's (a colleague needs a reason); identity papers are
    # read and written by those who register people; never the trainer's, the DPO's (export only) or the admin's.
    # The uploads are multipart/form-data: sent JSON, an allowed role gets a 400, never a 401 or a 403.
    # Reading goes by the person: the other social worker follows her too, having accepted her referral above.
    Endpoint("GET", "/cases/{case}/documents/scans", frozenset({SW, OSW})),
    Endpoint("POST", "/cases/{case}/documents/scans", frozenset({SW}), body({"title": "x"})),
    Endpoint("POST", "/cases/{case}/documents/{follow_up}/versions", frozenset({SW}), body({})),  # no such: 400/404
    Endpoint("GET", "/cases/{case}/documents/{follow_up}/versions/1", frozenset({SW, OSW})),
    Endpoint(
        "POST",
        "/cases/{case}/documents/{follow_up}/versions/1/break-glass",
        frozenset({SW, OSW}),
        body({"reason": "colleague on leave"}),
    ),
    Endpoint("GET", "/people/{person}/documents/scans", frozenset({SW, OSW, HELPER})),
    Endpoint("POST", "/people/{person}/documents/scans", frozenset({SW, OSW, HELPER}), body({"title": "x"})),
    Endpoint("POST", "/people/{person}/documents/{follow_up}/versions", frozenset({SW, OSW, HELPER}), body({})),
    Endpoint("GET", "/people/{person}/documents/{follow_up}/versions/1", frozenset({SW, OSW, HELPER})),
    Endpoint("GET", "/dpo/people/{person}/export.zip", frozenset({DPO})),
]


async def world(staff, project) -> dict[str, str]:
    """One learner with a case, a visit, a referral and a training record; the ids every path needs."""
    helper, sw, trainer = staff[HELPER], staff[SW], staff[TRAINER]

    async def created(api, url: str, payload: dict[str, Any], key: str) -> str:
        response = await api.post(url, json=payload, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return str(response.json()["ids"][key])

    registered = await helper.post(
        "/people",
        json={"given_name": "Amina", "family_name": "Diallo", "contact": CONTACT, "niss": NISS},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert registered.status_code == 201, registered.text
    person, file_number = str(registered.json()["ids"]["person_id"]), str(registered.json()["ids"]["file_number"])
    other = await created(helper, "/people", {"given_name": "Amina", "family_name": "Diallo"}, "person_id")
    for purpose in ("share_training_with_social_legal", "share_office_hours_with_trainers"):
        await created(
            helper, f"/people/{person}/consents", {"purpose": purpose, "evidence": "signed_form"}, "consent_record_id"
        )
    await created(
        sw,
        f"/people/{person}/consents",
        {"purpose": "external_referral", "evidence": "oral", "body_kind": "cpas", "body_name": "CPAS de Liège"},
        "consent_record_id",
    )
    waiting = await created(helper, "/people", {"given_name": "Amina", "family_name": "Diallo"}, "person_id")
    cohort = await created(
        trainer,
        "/cohorts",
        {"name": "DigiLab", "site": "Liège", "starts_on": "2026-08-31", "ends_on": "2026-09-25"},
        "cohort_id",
    )
    enrolled = await trainer.post(f"/cohorts/{cohort}/enrolments", json={"person_id": person})
    record = str(enrolled.json()["ids"]["record_id"])
    visit = await created(
        helper,
        "/office-hours/visits",
        {"person_id": person, "session_on": "2026-09-01", "site": "Liège centre"},
        "visit_id",
    )
    case = await created(
        sw, "/cases", {"person_id": person, "domain": "housing", "summary": SOCIAL_LEGAL_TEXT[0]}, "case_id"
    )
    follow_up = await created(
        sw, f"/cases/{case}/follow-ups", {"due_on": "2026-09-08", "description": "Appeler"}, "follow_up_id"
    )
    referral = await created(
        helper,
        "/referrals/internal",
        {"person_id": person, "source": "office_hours", "reason": SOCIAL_LEGAL_TEXT[2]},
        "referral_id",
    )
    to_cpas = {"organisation_kind": "cpas", "organisation_name": "CPAS de Liège", "override_reason": "urgent"}
    external_referral = await created(
        sw, "/referrals/external", {"person_id": person, "reason": "aide", "case_id": case, **to_cpas}, "referral_id"
    )
    await project()
    return {
        "person": person,
        "file_number": file_number,
        "other": other,
        "waiting": waiting,
        "cohort": cohort,
        "record": record,
        "visit": visit,
        "case": case,
        "follow_up": follow_up,
        "referral": referral,
        "external_referral": external_referral,
        "social_worker": sw.staff_id,
        "staff": staff[TRAINER].staff_id,
    }


@pytest.fixture
async def ids(staff, project) -> dict[str, str]:
    return await world(staff, project)


async def call(client, endpoint: Endpoint, ids: dict[str, str], headers: dict[str, str]):
    url = endpoint.path.format(**ids)
    payload = endpoint.body(ids) if endpoint.body else None
    return await client.request(endpoint.method, url, json=payload, headers=headers)


async def test_every_endpoint_as_every_role(staff, client, ids, project) -> None:
    refused, leaked, wrongly_allowed = [], [], []
    for endpoint in ENDPOINTS:
        for role, api in staff.items():
            response = await call(
                client, endpoint, ids, {"Authorization": f"Bearer {api.token}", "Idempotency-Key": uuid.uuid4().hex}
            )
            allowed = endpoint.allowed == PUBLIC or role in endpoint.allowed
            status = response.status_code
            assert status < 500, f"{endpoint.method} {endpoint.path} as {role}: {status} {response.text[:300]}"
            if allowed and status in (401, 403):
                refused.append(f"{endpoint.method} {endpoint.path} as {role}: {status} {response.text[:150]}")
            if not allowed and status != 403:
                wrongly_allowed.append(f"{endpoint.method} {endpoint.path} as {role}: {status}")
            text = response.text
            if role == TRAINER and any(secret in text for secret in SOCIAL_LEGAL_TEXT):
                leaked.append(f"{endpoint.method} {endpoint.path} shows social-legal text to the trainer")
            if role == TRAINER and any(secret in text for secret in BEYOND_COURSE_DETAILS):
                leaked.append(f"{endpoint.method} {endpoint.path} shows the trainer more than the course details")
            if role == ADMIN and any(name in text for name in PERSON_NAMES):
                leaked.append(f"{endpoint.method} {endpoint.path} shows a beneficiary to the admin")
        await project()
    assert (refused, wrongly_allowed, leaked) == ([], [], []), "\n".join(refused + wrongly_allowed + leaked)


async def test_anonymous_and_deactivated_callers_get_401_everywhere_but_public(staff, client, ids) -> None:
    admin = staff[ADMIN]
    trainer = staff[TRAINER]
    response = await admin.request("PATCH", f"/staff/{trainer.staff_id}", json={"active": False})
    assert response.status_code == 200, response.text
    for endpoint in ENDPOINTS:
        for headers in ({}, {"Authorization": f"Bearer {trainer.token}"}):
            response = await call(client, endpoint, ids, headers)
            expected = {200, 503} if endpoint.allowed == PUBLIC else {401}
            assert response.status_code in expected, f"{endpoint.method} {endpoint.path}: {response.status_code}"
            assert not any(secret in response.text for secret in SOCIAL_LEGAL_TEXT + PERSON_NAMES)
