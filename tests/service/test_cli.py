"""The suivi command prints clear errors and no stack traces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from service.storage.keys.master_key import MasterKey, write_key_file
from service.storage.runtime import open_runtime


def suivi(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_verify_reports_an_intact_log(database_url: str) -> None:
    result = suivi("verify", env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_missing_master_key_is_named_without_a_stack_trace(database_url: str, tmp_path: Path) -> None:
    result = suivi(
        "checkpoint",
        env={"DATABASE_URL": database_url, "SUIVI_DATA_DIR": str(tmp_path), "SUIVI_MASTER_KEY": ""},
    )
    assert result.returncode == 2
    assert "no master key" in result.stderr and "Traceback" not in result.stderr


def test_malformed_master_key_is_named_without_a_stack_trace(database_url: str) -> None:
    result = suivi("checkpoint", env={"DATABASE_URL": database_url, "SUIVI_MASTER_KEY": "not-a-key"})
    assert result.returncode == 2
    assert "SUIVI_MASTER_KEY must hold 64 hexadecimal characters" in result.stderr
    assert "Traceback" not in result.stderr


async def test_wrong_master_key_is_named_without_a_stack_trace(database_url: str, master_key: MasterKey) -> None:
    async with open_runtime(database_url, master_key):
        pass  # the database now belongs to master_key
    result = suivi("checkpoint", env={"DATABASE_URL": database_url, "SUIVI_MASTER_KEY": MasterKey.generate().to_hex()})
    assert result.returncode == 2
    assert "wrong master key" in result.stderr and "Traceback" not in result.stderr


def test_group_readable_key_file_is_refused(database_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    write_key_file(key_file, MasterKey.generate())
    key_file.chmod(0o644)
    result = suivi(
        "checkpoint",
        env={"DATABASE_URL": database_url, "SUIVI_MASTER_KEY_FILE": str(key_file), "SUIVI_MASTER_KEY": ""},
    )
    assert result.returncode == 2 and "owner only" in result.stderr


def test_unreachable_database_is_a_clear_error() -> None:
    result = suivi("migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2
    assert "cannot reach the database" in result.stderr and "Traceback" not in result.stderr


async def test_keys_rotate_replaces_the_key_file_and_keeps_data_readable(database_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    old = MasterKey.generate()
    write_key_file(key_file, old)
    env = {"DATABASE_URL": database_url, "SUIVI_MASTER_KEY_FILE": str(key_file), "SUIVI_MASTER_KEY": ""}
    assert suivi("checkpoint", env=env).returncode == 0
    result = suivi("keys", "rotate", env=env)
    assert result.returncode == 0, result.stderr
    new = MasterKey.from_hex(key_file.read_text(), source="test")
    assert new.key_id != old.key_id and oct(key_file.stat().st_mode & 0o777) == "0o600"
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("SELECT master_key_id FROM master_key_in_use") == new.key_id
    finally:
        await connection.close()


def test_projections_status_and_rebuild_from_the_command_line(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "SUIVI_MASTER_KEY": MasterKey.generate().to_hex()}
    status = suivi("projections", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "case_file" in status.stdout and "statistics" in status.stdout
    rebuilt = suivi("projections", "rebuild", "directory", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "directory: rebuilt" in rebuilt.stdout
    unknown = suivi("projections", "rebuild", "nonsense", env=env)
    assert unknown.returncode == 2 and "no projection named nonsense" in unknown.stdout


def test_staff_add_creates_the_first_admin_from_the_command_line(database_url: str) -> None:
    add_admin = ("staff", "add", "admin", "--name", "Admin", "--role", "admin", "--password-stdin")
    env = {"DATABASE_URL": database_url}
    result = suivi(*add_admin, env=env, input="a long enough password\n")
    assert result.returncode == 0, result.stderr
    assert "created admin (admin)" in result.stdout
    again = suivi(*add_admin, env=env, input="a long enough password\n")
    assert again.returncode == 2 and "user name is taken" in again.stderr and "Traceback" not in again.stderr


def test_an_http_process_is_built_with_its_startup_objects_frozen_and_a_larger_young_generation() -> None:
    """What ``suivi serve`` builds, the collector no longer walks: ``service/cli/collector.py``."""
    import gc

    from service.cli.collector import YOUNG_GENERATION, tune_collector

    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold()[0] == YOUNG_GENERATION
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
