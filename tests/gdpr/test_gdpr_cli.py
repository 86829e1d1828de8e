"""``suivi erase`` and ``suivi receipt verify``: a receipt file verifies, a tampered one does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.application.support import register


def suivi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


async def test_erase_command_writes_a_receipt_that_verifies_and_a_tampered_copy_fails(
    ctx, social_worker, database_url, master_key, tmp_path
):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    env = {
        "DATABASE_URL": database_url,
        "SUIVI_MASTER_KEY": master_key.to_hex(),
        "SUIVI_ERASURE_LEDGER_FILE": str(tmp_path / "ledger.jsonl"),
    }

    dry = suivi("erase", str(person_id), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["erasable"] is True
    receipt = tmp_path / "receipt.json"
    erased = suivi("erase", str(person_id), "--receipt", str(receipt), env=env)
    assert erased.returncode == 0, erased.stderr

    ok = suivi("receipt", "verify", str(receipt), env={})
    assert ok.returncode == 0 and "is valid" in ok.stdout
    document = json.loads(receipt.read_text())
    document["events_made_unreadable"] += 1
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    bad = suivi("receipt", "verify", str(tampered), env={})
    assert bad.returncode == 1 and "INVALID" in bad.stdout
    wrong_key = suivi("receipt", "verify", str(receipt), "--public-key", "00" * 32, env={})
    assert wrong_key.returncode == 1

    gone = suivi("export", str(person_id), env=env)
    assert gone.returncode == 2 and document["receipt_id"] in gone.stderr and "Traceback" not in gone.stderr
