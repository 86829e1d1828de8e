"""Fixtures of the GDPR toolkit tests: the erasure tools (keys and a ledger file of their own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.storage.keys.master_key import MasterKey


@pytest.fixture
def tools(master_key: MasterKey, tmp_path: Path) -> ErasureTools:
    return ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "erasure-ledger.jsonl"))
