"""Documents over HTTP: one PDF followed through (upload, refusals by role, the DPO's ZIP, erasure),
the type told from the content, a new version, a deadline that becomes a follow-up, the OpenAPI."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from fpdf import FPDF

from service.app import Gdpr
from service.settings import Settings
from tests.http.test_cases_api import a_case
from tests.http.test_people_and_case_file import register

SENTENCE = "Decision du CPAS de Liege: aide accordee jusqu'au 31 mars"
LIMIT = 1024 * 1024


@pytest.fixture
def gdpr(gdpr: Gdpr) -> Gdpr:
    """The centre's settings with a 1 MB limit on documents, so that "too large" is quick to send."""
    return Gdpr(gdpr.tools, gdpr.retention, settings=Settings(document_max_bytes=LIMIT))


def a_pdf(text: str = SENTENCE) -> bytes:
    pdf = FPDF()
    pdf.compress = False  # the sentence is in the file as written: what the checks look for
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def form(content: bytes, name: str = "decision.pdf", **fields: str) -> dict:
    values = {"title": "Décision du CPAS", "kind": "decision_letter", **fields}
    return {"data": values, "files": {"file": (name, content, "application/pdf")}}


async def upload(api, case_id: str, content: bytes, **fields: str):
    return await api.post(
        f"/cases/{case_id}/documents/scans", **form(content, **fields), headers={"Idempotency-Key": uuid.uuid4().hex}
    )


async def chunk_rows(runtime_of, document_id: str) -> int:
    async with runtime_of().pool.acquire() as db:
        return await db.fetchval("SELECT count(*) FROM document_chunks WHERE document_id = $1", uuid.UUID(document_id))


async def test_one_document_followed_through(staff, project, runtime_of) -> None:
    sw, trainer, helper, dpo = staff["social_worker"], staff["trainer"], staff["helper"], staff["dpo"]
    person_id, case_id = await a_case(staff)
    pdf = a_pdf()
    assert SENTENCE.encode() in pdf

    uploaded = await upload(sw, case_id, pdf)
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["ids"]["document_id"]
    location = uploaded.headers["Location"]
    assert location == f"/cases/{case_id}/documents/{document_id}/versions/1"
    await project()

    listed = await sw.get(f"/cases/{case_id}/documents/scans")
    assert listed.status_code == 200, listed.text
    [shown] = listed.json()["documents"]
    assert (shown["title"], shown["kind"], shown["category"]) == ("Décision du CPAS", "decision_letter", "social_legal")
    assert [(v["number"], v["media_type"], v["size"]) for v in shown["versions"]] == [(1, "application/pdf", len(pdf))]

    downloaded = await sw.get(location)
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"].startswith("application/pdf")
    disposition = downloaded.headers["content-disposition"]
    assert disposition == 'attachment; filename="decision_letter-v1.pdf"'  # never the person's name

    for role in (trainer, helper, dpo, staff["other_social_worker"]):
        refused = await role.get(location)
        assert refused.status_code == 403, (role.staff_id, refused.text)
        assert SENTENCE not in refused.text
    assert (await helper.get(f"/cases/{case_id}/documents/scans")).status_code == 403
    # The helper reads the person's identity: the list of her documents holds no social-legal paper.
    assert (await helper.get(f"/people/{person_id}/documents/scans")).json()["documents"] == []

    await project()
    log = (await dpo.get(f"/access-log/people/{person_id}")).json()
    assert [e["staff_id"] for e in log if e["view"] == "document"] == [sw.staff_id]

    exported = await dpo.get(f"/dpo/people/{person_id}/export.zip")
    assert exported.status_code == 200, exported.text
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    assert archive.read("documents/1-v1.pdf") == pdf  # byte-identical
    assert "Document.Attached" in archive.read("export.json").decode()
    assert (await dpo.get(f"/dpo/people/{person_id}/export")).json()["documents"][0]["facts"]["title"]

    file_number = (await sw.get(f"/people/{person_id}")).json()["file_number"]
    erased = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number})
    assert erased.status_code == 201, erased.text
    gone = await sw.get(location)
    assert gone.status_code == 410, gone.text
    assert await chunk_rows(runtime_of, document_id) == 0


async def test_a_file_named_pdf_that_is_no_pdf_is_refused_naming_the_file(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    refused = await upload(staff["social_worker"], case_id, b"MZ\x90\x00 not a scan at all")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["detail"] == "the file is not a PDF, JPEG or PNG"
    assert [e["field"] for e in problem["errors"]] == ["file"]
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM document_contents") == 0


async def test_too_large_is_413_and_nothing_is_kept(staff, runtime_of, gdpr) -> None:
    _, case_id = await a_case(staff)
    limit = gdpr.settings.document_max_bytes
    big = b"%PDF-1.7\n" + b"0" * limit + b"\n%%EOF\n"
    refused = await upload(staff["social_worker"], case_id, big)
    assert refused.status_code == 413, refused.text
    assert refused.json()["errors"][0]["field"] == "file"
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM document_chunks") == 0


async def test_a_blank_title_is_refused_and_the_chunks_are_discarded(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    refused = await upload(staff["social_worker"], case_id, a_pdf(), title="  ")
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["title"]
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM document_contents") == 0


async def test_a_new_version_keeps_the_history_and_a_deadline_becomes_a_follow_up(staff, project) -> None:
    sw = staff["social_worker"]
    person_id, case_id = await a_case(staff)
    first, second = a_pdf("Premier envoi"), a_pdf("Second envoi, signé")
    uploaded = await upload(sw, case_id, first, deadline="2026-12-20")
    assert uploaded.status_code == 201, uploaded.text
    ids = uploaded.json()["ids"]
    document_id, follow_up_id = ids["document_id"], ids["follow_up_id"]
    assert follow_up_id
    again = await sw.post(
        f"/cases/{case_id}/documents/{document_id}/versions",
        files={"file": ("scan.pdf", second, "application/pdf")},
    )
    assert again.status_code == 201, again.text
    assert again.headers["Location"].endswith("/versions/2")
    await project()
    [shown] = (await sw.get(f"/cases/{case_id}/documents/scans")).json()["documents"]
    assert [v["number"] for v in shown["versions"]] == [1, 2]
    assert shown["deadline"] == "2026-12-20" and shown["follow_up_id"] == follow_up_id
    assert (await sw.get(f"/cases/{case_id}/documents/{document_id}/versions/1")).content == first
    assert (await sw.get(f"/cases/{case_id}/documents/{document_id}/versions/2")).content == second
    caseload = (await sw.get("/caseload")).json()
    assert [(f["follow_up_id"], f["due_on"]) for f in caseload["follow_ups"]] == [(follow_up_id, "2026-12-20")]
    file = (await sw.get(f"/people/{person_id}/file")).json()
    assert any(e["kind"] == "Case.FollowUpSet" and e["body"]["due_on"] == "2026-12-20" for e in file["entries"])


async def test_an_identity_scan_is_the_helpers_and_never_the_trainers(staff, project) -> None:
    helper, trainer = staff["helper"], staff["trainer"]
    person_id = await register(helper)
    uploaded = await helper.post(
        f"/people/{person_id}/documents/scans", **form(a_pdf("Carte d'identite"), kind="identity_document")
    )
    assert uploaded.status_code == 201, uploaded.text
    location = uploaded.headers["Location"]
    await project()
    [shown] = (await staff["social_worker"].get(f"/people/{person_id}/documents/scans")).json()["documents"]
    assert (shown["category"], shown["case_id"]) == ("identity", None)
    assert (await helper.get(location)).status_code == 200
    assert (await trainer.get(location)).status_code == 403
    assert (await staff["dpo"].get(location)).status_code == 403


async def test_the_openapi_document_declares_the_uploads_as_multipart(client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path in (
        "/cases/{case_id}/documents/scans",
        "/people/{person_id}/documents/scans",
        "/cases/{case_id}/documents/{document_id}/versions",
    ):
        operation = document["paths"][path]["post"]
        content = operation["requestBody"]["content"]
        assert list(content) == ["multipart/form-data"], path
        schema = content["multipart/form-data"]["schema"]
        assert schema["properties"]["file"] == {**schema["properties"]["file"], "type": "string", "format": "binary"}
        assert "413" in operation["responses"] and "422" in operation["responses"]
    new = document["paths"]["/cases/{case_id}/documents/scans"]["post"]["requestBody"]["content"]
    assert new["multipart/form-data"]["schema"]["required"] == ["file", "title", "kind"]


async def test_an_upload_sent_again_with_its_idempotency_key_is_one_document(staff, runtime_of) -> None:
    sw = staff["social_worker"]
    _, case_id = await a_case(staff)
    key, pdf = {"Idempotency-Key": uuid.uuid4().hex}, a_pdf()
    first = await sw.post(f"/cases/{case_id}/documents/scans", **form(pdf), headers=key)
    again = await sw.post(f"/cases/{case_id}/documents/scans", **form(pdf), headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["ids"]["document_id"] == first.json()["ids"]["document_id"]
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(DISTINCT document_id) FROM document_contents") == 1
