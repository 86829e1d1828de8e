"""Fixtures of the document tests: a document store on the test database, and the erasure tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.documents.store import DocumentStore
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime


@pytest.fixture
def documents(runtime: Runtime) -> DocumentStore:
    return DocumentStore.from_runtime(runtime)


@pytest.fixture
def tools(master_key: MasterKey, tmp_path: Path) -> ErasureTools:
    return ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "erasure-ledger.jsonl"))
