"""The OpenAPI document describes the API as it answers: problem answers, closed bodies, stated rules."""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec
import pytest

from service.http.problems import Problem
from tests.http.test_cases_api import a_case

OPERATIONS_ENDPOINTS = {"/health", "/ready", "/metrics"}
"""Liveness, readiness and metrics answer their own bodies, never problems."""
PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path not in OPERATIONS_ENDPOINTS
        for method, operation in item.items()
    ]


def component(document: dict[str, Any], ref: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return found


async def test_every_operation_lists_its_error_answers_as_problem_details(document) -> None:
    listed = operations(document)
    assert len(listed) > 60
    for path, method, operation in listed:
        responses = operation["responses"]
        statuses = {int(status) for status in responses if int(status) >= 400}
        assert {400, 401, 422, 503} <= statuses, (method, path)
        public = ("/auth/sign-in", "/certificates/{certificate_id}/verification", "/agenda/feeds/{feed}")
        if path not in public:
            assert 403 in statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if names & {"Idempotency-Key", "If-Match"}:
            assert 409 in statuses, (method, path)
        for status in statuses:
            answer = responses[str(status)]
            assert answer["content"] == {"application/problem+json": {"schema": PROBLEM}}, (method, path, status)
        assert responses["503"]["headers"]["Retry-After"]["required"] is True


async def test_the_answers_that_depend_on_the_person_are_listed_where_they_can_happen(document) -> None:
    paths = document["paths"]
    for path, method in [("/people/{person_id}", "get"), ("/cases/{case_id}/notes", "post")]:
        assert "410" in paths[path][method]["responses"], path
    for path, method in [("/cases/{case_id}/notes", "post"), ("/people/{person_id}/corrections", "post")]:
        assert "423" in paths[path][method]["responses"], path
    # The DPO is never refused for a restriction, and statistics hold no one's data.
    assert "423" not in paths["/dpo/people/{person_id}/legal-holds"]["post"]["responses"]
    assert "410" not in paths["/statistics"]["get"]["responses"]
    assert "409" in paths["/staff"]["post"]["responses"]  # a username already taken


async def test_litestars_own_400_body_is_gone(document) -> None:
    text = msgspec.json.encode(document).decode()
    assert '"status_code"' not in text and "Bad Request" not in text
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert problem["additionalProperties"] is False
    assert {"errors", "current_version", "receipt_id", "legal_holds"} <= set(problem["properties"])


async def test_request_bodies_are_closed(document) -> None:
    bodies = 0
    for path, method, operation in operations(document):
        if "requestBody" not in operation:
            continue
        bodies += 1
        content = operation["requestBody"]["content"]
        if "multipart/form-data" in content:  # an upload (documents): its form's fields, inline
            assert content["multipart/form-data"]["schema"]["additionalProperties"] is False, (method, path)
            continue
        schema = component(document, content["application/json"]["schema"])
        assert schema["additionalProperties"] is False, (method, path)
    assert bodies > 40
    assert document["components"]["schemas"]["Contact"]["additionalProperties"] is False  # nested ones too


async def test_the_rules_a_schema_can_state_are_in_it(document) -> None:
    paths = document["paths"]
    assessment = paths["/training-records/{record_id}/assessments"]["post"]["requestBody"]["content"]
    levels = component(document, assessment["application/json"]["schema"])["properties"]["levels"]
    assert levels["minProperties"] == 1 and levels["maxProperties"] == 21
    assert levels["additionalProperties"] == {"type": "integer", "minimum": 1, "maximum": 8}
    competence = re.compile(levels["propertyNames"]["pattern"])
    assert competence.match("1.3") and competence.match("5.4") and not competence.match("1.4")
    details = document["components"]["schemas"]["Details"]["properties"]
    assert details["languages"]["items"]["pattern"] == "^[a-z]{2,3}$"
    learner = document["components"]["schemas"]["LearnerDay"]
    assert [branch["required"] for branch in learner["oneOf"]] == [["record_id"], ["person_id"]]
    password = document["components"]["schemas"]["NewStaff"]["properties"]["password"]
    assert password["minLength"] == 10
    keys = {p["name"]: p["schema"] for p in paths["/cases/{case_id}/notes"]["post"]["parameters"]}
    assert keys["Idempotency-Key"]["type"] == "string" and "pattern" in keys["Idempotency-Key"]


async def test_the_rules_it_cannot_state_are_told_in_the_description(document) -> None:
    paths = document["paths"]
    assert "period_to" in paths["/statistics"]["get"]["description"]
    assert "period_to" in paths["/statistics/reports"]["post"]["description"]
    assert "session_days" in paths["/cohorts"]["post"]["description"]
    assert "social_worker_id" in paths["/cases/{case_id}/reassignment"]["post"]["description"]
    assert "social_worker_id" in paths["/cases"]["post"]["description"]


def blamed(answer: Any) -> list[tuple[str, str]]:
    body = msgspec.convert(answer.json(), Problem)  # a documented problem, with no other member
    assert answer.headers["content-type"] == "application/problem+json"
    assert not isinstance(body.errors, msgspec.UnsetType), answer.text
    return [(error.field, str(error.source)) for error in body.errors]


async def test_the_rules_it_cannot_state_answer_422_naming_the_field(staff) -> None:
    backwards = await staff["dpo"].get("/statistics?period_from=2026-09&period_to=2026-08")
    assert backwards.status_code == 422 and blamed(backwards) == [("period_to", "query")]
    report = await staff["dpo"].post("/statistics/reports", json={"period_from": "2026-09", "period_to": "2026-08"})
    assert report.status_code == 422 and blamed(report) == [("period_to", "body")]
    plan = {"name": "Atelier", "site": "Liège", "starts_on": "2026-09-07", "ends_on": "2026-09-11"}
    outside = await staff["trainer"].post("/cohorts", json={**plan, "session_days": ["2026-09-14"]})
    assert outside.status_code == 422 and blamed(outside) == [("session_days", "body")]
    _, case_id = await a_case(staff)
    to_a_trainer = {"social_worker_id": staff["trainer"].staff_id, "reason": "holidays"}
    reassigned = await staff["social_worker"].post(f"/cases/{case_id}/reassignment", json=to_a_trainer)
    assert reassigned.status_code == 422 and blamed(reassigned) == [("social_worker_id", "body")]


async def test_a_schema_error_names_the_header_by_its_name(staff) -> None:
    answer = await staff["social_worker"].post(
        "/people", json={"given_name": "A", "family_name": "B"}, headers={"Idempotency-Key": "short"}
    )
    assert answer.status_code == 422 and blamed(answer) == [("Idempotency-Key", "header")]


async def test_an_unsupported_method_answers_405_with_allow(staff) -> None:
    answer = await staff["admin"].request("DELETE", "/staff")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "OPTIONS", "POST"}
    assert msgspec.convert(answer.json(), Problem).type == "/problems/method-not-allowed"
    assert answer.headers["content-type"] == "application/problem+json"


async def test_options_lists_every_method_of_a_path(staff) -> None:
    for role, path in [("admin", "/staff"), ("dpo", "/dpo/requests")]:
        answer = await staff[role].request("OPTIONS", path)
        assert set(answer.headers["Allow"].split(", ")) == {"GET", "OPTIONS", "POST"}, path


async def test_problem_answers_hold_only_documented_members(staff) -> None:
    unknown = await staff["social_worker"].get(f"/people/{uuid.uuid4()}")
    stale = await staff["social_worker"].post(
        f"/cases/{(await a_case(staff))[1]}/notes", json={"text": "x"}, headers={"If-Match": '"99"'}
    )
    invalid = await staff["social_worker"].post("/people", json={"given_name": "A", "surname": "B"})
    for answer, status in [(unknown, 404), (stale, 409), (invalid, 422)]:
        assert answer.status_code == status, answer.text
        assert msgspec.convert(answer.json(), Problem).status == status
    assert msgspec.convert(stale.json(), Problem).current_version == 1
