"""Certificates through the API: issued from the events, signed, verifiable by anyone, revoked, and after an erasure."""

from __future__ import annotations

import io
import json
import uuid

from pypdf import PdfReader

from service.printing.signing import ATTACHMENT_NAME, CertificateInvalidError, verify_signed
from tests.printing.course import Course, finished_course, hours_of, pdf_text

PDF = "application/pdf"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def issue(staff, course: Course, who: str, kind: str, language: str | None = None):
    learner = getattr(course, who)
    body = {"kind": kind, "cohort_id": course.cohort_id, **({"language": language} if language else {})}
    return await staff["trainer"].post(f"/people/{learner.person_id}/certificates", json=body, headers=key())


def attachment(pdf: bytes) -> bytes:
    found = PdfReader(io.BytesIO(pdf)).attachments
    assert list(found) == [ATTACHMENT_NAME]
    return found[ATTACHMENT_NAME][0]


async def test_an_attendance_certificate_states_the_hours_in_the_learners_language(staff, project) -> None:
    course = await finished_course(staff, project)
    issued = await issue(staff, course, "amina", "attendance")
    assert issued.status_code == 201, issued.text
    answer = issued.json()
    assert answer["kind"] == "attendance" and answer["language"] == "en"  # Amina prefers English
    assert answer["links"]["pdf"] == f"/certificates/{answer['certificate_id']}"
    assert issued.headers["location"] == answer["links"]["pdf"]
    pdf = await staff["trainer"].get(answer["links"]["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"].startswith(PDF)
    text = pdf_text(pdf.content)
    assert "Certificate of attendance" in text and "Amina Diallo" in text
    assert f"File number: {course.amina.file_number}" in text
    assert f"Attendance: {hours_of(course.amina)} hours of 80 hours planned, that is 18 of 20 sessions." in text
    assert answer["certificate_id"] in text and answer["digest"] in text
    signed = verify_signed(attachment(pdf.content))
    assert signed.document.digest == answer["digest"]
    assert signed.document.facts.hours_attended == hours_of(course.amina)
    again = await staff["trainer"].get(answer["links"]["pdf"])
    assert attachment(again.content) == attachment(pdf.content)  # the same document, signed the same way


async def test_a_completion_certificate_gives_the_levels_by_area_at_the_start_and_the_end(staff, project) -> None:
    course = await finished_course(staff, project)
    issued = await issue(staff, course, "bruno", "completion")
    assert issued.status_code == 201, issued.text
    pdf = await staff["trainer"].get(issued.json()["links"]["pdf"])
    text = pdf_text(pdf.content)
    assert "Attestation de fin de formation" in text and "Bruno Léger" in text
    # Area 1: (2 + 3) / 2 rounds to 3 at the start, 4 at the end; area 4: 1 then 3; the others were not assessed.
    assert "1. Maîtrise de l'information et des données 3 (intermédiaire) 4 (intermédiaire)" in text
    assert "4. Sécurité 1 (fondamental) 3 (intermédiaire)" in text
    assert text.count("non évalué") == 6
    facts = verify_signed(attachment(pdf.content)).document.facts
    assert facts.levels_at_start is not None and facts.levels_at_end is not None
    assert (facts.levels_at_start.information, facts.levels_at_end.information) == (3, 4)
    assert (facts.levels_at_start.safety, facts.levels_at_end.safety) == (1, 3)
    english = await issue(staff, course, "bruno", "completion", "en")
    assert english.json()["language"] == "en"
    assert "Certificate of completion" in pdf_text((await staff["trainer"].get(english.json()["links"]["pdf"])).content)


async def test_a_completion_certificate_before_the_course_is_completed_is_refused_by_name(staff, project) -> None:
    course = await finished_course(staff, project)
    refused = await issue(staff, course, "chloe", "completion")
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["kind"]


async def test_one_byte_changed_in_the_signed_facts_does_not_verify(staff, project) -> None:
    course = await finished_course(staff, project)
    issued = (await issue(staff, course, "amina", "attendance")).json()
    pdf = (await staff["trainer"].get(issued["links"]["pdf"])).content
    assert verify_signed(pdf).document.certificate_id == uuid.UUID(issued["certificate_id"])
    field = b'"hours_attended": "7'
    assert pdf.count(field) == 1
    forged = pdf.replace(field, field[:-1] + b"9")  # 71 hours become 91: one byte, the same length
    assert "Amina" in pdf_text(forged)  # still a PDF anyone opens
    try:
        verify_signed(forged)
    except CertificateInvalidError:
        pass
    else:
        raise AssertionError("a changed certificate verified")
    document = json.loads(attachment(pdf))
    document["document"]["facts"]["family_name"] = "Dialo"
    try:
        verify_signed(json.dumps(document).encode())
    except CertificateInvalidError:
        pass
    else:
        raise AssertionError("a changed name verified")


async def test_verification_is_public_and_names_no_one(staff, project, client) -> None:
    course = await finished_course(staff, project)
    issued = (await issue(staff, course, "amina", "attendance")).json()
    await project()
    answer = await client.get(issued["links"]["verification"])  # no sign-in
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "certificate_id": issued["certificate_id"],
        "status": "valid",
        "kind": "attendance",
        "issued_on": "2026-09-01",
        "revoked_on": None,
        "digest": issued["digest"],
    }
    page = await client.get(f"/verification/{issued['certificate_id']}")
    assert page.status_code == 200 and "Attestation authentique et valable." in page.text
    for shown in (answer.text, page.text):
        assert "Amina" not in shown and "Diallo" not in shown and course.amina.file_number not in shown
    unknown = await client.get(f"/certificates/{uuid.uuid4()}/verification")
    assert unknown.status_code == 200 and unknown.json()["status"] == "unknown"


async def test_a_revoked_certificate_no_longer_verifies_as_valid(staff, project, client) -> None:
    course = await finished_course(staff, project)
    issued = (await issue(staff, course, "amina", "attendance")).json()
    path = f"/certificates/{issued['certificate_id']}/revocation"
    for role in ("helper", "social_worker", "admin", "dpo"):
        assert (await staff[role].post(path, json={"reason": "erreur"}, headers=key())).status_code == 403, role
    blank = await staff["trainer"].post(path, json={"reason": ""}, headers=key())
    assert blank.status_code == 422
    revoked = await staff["trainer"].post(path, json={"reason": "Délivrée à la mauvaise session"}, headers=key())
    assert revoked.status_code == 200, revoked.text
    await project()
    answer = (await client.get(issued["links"]["verification"])).json()
    assert (answer["status"], answer["revoked_on"]) == ("revoked", "2026-09-01")
    again = await staff["trainer"].post(path, json={"reason": "encore"}, headers=key())
    assert again.status_code == 422
    pdf = await staff["trainer"].get(issued["links"]["pdf"])
    assert "CERTIFICATE REVOKED on 01/09/2026" in pdf_text(pdf.content)
    listed = (await staff["trainer"].get(f"/people/{course.amina.person_id}/certificates")).json()
    assert [(c["certificate_id"], c["revoked_on"]) for c in listed] == [(issued["certificate_id"], "2026-09-01")]


async def test_after_an_erasure_verification_answers_issued_on_and_no_longer_held(
    staff, project, client, runtime_of
) -> None:
    course = await finished_course(staff, project)
    issued = (await issue(staff, course, "amina", "attendance")).json()
    erased = await staff["dpo"].post(
        f"/dpo/people/{course.amina.person_id}/erasure",
        json={"confirm_file_number": course.amina.file_number},
        headers=key(),
    )
    assert erased.status_code == 201, erased.text
    await project()
    answer = await client.get(issued["links"]["verification"])
    assert answer.json()["status"] == "no_longer_held"
    assert answer.json()["issued_on"] == "2026-09-01" and answer.json()["kind"] == "attendance"
    page = await client.get(f"/verification/{issued['certificate_id']}")
    assert "Délivrée le 01/09/2026" in page.text and "Diallo" not in page.text
    gone = await staff["trainer"].get(issued["links"]["pdf"])
    assert gone.status_code == 410
    # Rebuilt from the log, the register still knows the certificate (its entry holds no one's data).
    async with runtime_of().pool.acquire() as db:
        await db.execute("DELETE FROM rm_certificates.registry; DELETE FROM rm_certificates.tracking")
    await project()
    rebuilt = (await client.get(issued["links"]["verification"])).json()
    assert (rebuilt["status"], rebuilt["issued_on"]) == ("no_longer_held", "2026-09-01")


async def test_only_the_trainers_issue_and_the_others_read_what_the_policy_allows(staff, project) -> None:
    course = await finished_course(staff, project)
    body = {"kind": "attendance", "cohort_id": course.cohort_id}
    for role in ("helper", "social_worker", "admin", "dpo"):
        refused = await staff[role].post(f"/people/{course.amina.person_id}/certificates", json=body, headers=key())
        assert refused.status_code == 403, role
    issued = (await issue(staff, course, "amina", "attendance")).json()
    assert (await staff["helper"].get(issued["links"]["pdf"])).status_code == 200
    for role in ("admin", "dpo"):
        assert (await staff[role].get(issued["links"]["pdf"])).status_code == 403, role
    # The social worker reads a learner's training only with her consent to share it.
    assert (await staff["social_worker"].get(issued["links"]["pdf"])).status_code == 403


async def test_the_subject_access_export_tells_the_certificate_and_its_revocation(staff, project) -> None:
    course = await finished_course(staff, project)
    issued = (await issue(staff, course, "bruno", "completion")).json()
    path = f"/certificates/{issued['certificate_id']}/revocation"
    assert (await staff["trainer"].post(path, json={"reason": "Mauvaise session"}, headers=key())).status_code == 200
    export = (await staff["dpo"].get(f"/dpo/people/{course.bruno.person_id}/export")).json()
    told = [e["event"] for e in export["training"] if e["record"] == "Certificate"]
    assert told == ["Certificate.Issued", "Certificate.Revoked"]
    page = (await staff["dpo"].get(f"/dpo/people/{course.bruno.person_id}/export.html")).text
    assert "a délivré une attestation" in page and "a révoqué une attestation" in page
    assert "Attestation de fin de formation" in page and "Mauvaise session" in page
    assert "levels_at_start" not in page and "completion" not in page
