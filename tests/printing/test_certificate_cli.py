"""``suivi certificate verify FILE``: genuine, not genuine (one byte changed), revoked, as the register says."""

from __future__ import annotations

import uuid

from tests.gdpr.test_gdpr_cli import suivi
from tests.printing.course import finished_course


async def test_the_command_tells_a_genuine_certificate_from_a_changed_or_revoked_one(
    staff, project, database_url, master_key, tmp_path
) -> None:
    course = await finished_course(staff, project)
    body = {"kind": "attendance", "cohort_id": course.cohort_id}
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    issued = (
        await staff["trainer"].post(f"/people/{course.amina.person_id}/certificates", json=body, headers=headers)
    ).json()
    await project()
    pdf = (await staff["trainer"].get(issued["links"]["pdf"])).content
    genuine = tmp_path / "attestation.pdf"
    genuine.write_bytes(pdf)
    env = {"DATABASE_URL": database_url, "SUIVI_MASTER_KEY": master_key.to_hex()}

    ok = suivi("certificate", "verify", str(genuine), env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signature genuine (signed with this centre's key)" in ok.stdout and "genuine and valid" in ok.stdout
    assert "Amina" not in ok.stdout and course.amina.file_number not in ok.stdout

    offline = suivi("certificate", "verify", str(genuine), "--offline", env={"SUIVI_DATA_DIR": str(tmp_path / "none")})
    assert offline.returncode == 0 and "register was not consulted" in offline.stdout

    field = b'"sessions_attended": 18'
    assert pdf.count(field) == 1
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf.replace(field, b'"sessions_attended": 19'))
    forged = suivi("certificate", "verify", str(changed), env=env)
    assert forged.returncode == 1 and "NOT GENUINE" in forged.stdout

    other_centre = suivi("certificate", "verify", str(genuine), "--offline", env={"SUIVI_MASTER_KEY": "11" * 32})
    assert other_centre.returncode == 1 and "not signed with this centre's key" in other_centre.stdout

    path = f"/certificates/{issued['certificate_id']}/revocation"
    revoked = await staff["trainer"].post(
        path, json={"reason": "mauvaise session"}, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert revoked.status_code == 200, revoked.text
    await project()
    after = suivi("certificate", "verify", str(genuine), env=env)
    assert after.returncode == 1 and "REVOKED on 2026-09-01" in after.stdout
