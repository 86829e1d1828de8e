"""What erasure needs beyond the application context: the signing keys and the ledger file.

Built once at start (``ErasureTools.from_settings``) and handed to every erasure, retention
run and restore check. Receipts are signed with an Ed25519 key derived from the master key
(its own HKDF purpose); the checkpoint written at erasure time uses the log's checkpoint key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from service.printing.signing import CertificateSigner
from service.settings import Settings
from service.storage.keys.master_key import MasterKey

RECEIPT_KEY_PURPOSE = b"suivi erasure receipt signing"


@dataclass(frozen=True)
class ErasureSigner:
    receipt_key: Ed25519PrivateKey
    checkpoint_key: Ed25519PrivateKey
    certificates: CertificateSigner
    """The learners' certificates' key (its own HKDF purpose): carried here, the one signer the service is given."""

    @classmethod
    def from_master_key(cls, master: MasterKey) -> ErasureSigner:
        receipt_key = Ed25519PrivateKey.from_private_bytes(master.derive(RECEIPT_KEY_PURPOSE))
        certificates = CertificateSigner.from_master_key(master)
        return cls(receipt_key=receipt_key, checkpoint_key=master.signing_key(), certificates=certificates)

    @property
    def public_key_hex(self) -> str:
        return self.receipt_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


class LedgerEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    """One line of the ledger file: subject id, date and (once issued) the receipt. No personal data."""

    subject_id: UUID
    erased_at: datetime
    receipt: str | None = None
    """The signed receipt, JSON, so that a restore can put it back."""


class ErasureLedgerFile:
    """An append-only JSON-lines file beside (never inside) the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[LedgerEntry]:
        if not self.path.exists():
            return []
        decoder = msgspec.json.Decoder(LedgerEntry)
        return [decoder.decode(line) for line in self.path.read_bytes().splitlines() if line.strip()]

    def append(self, entries: list[LedgerEntry]) -> None:
        if not entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = b"".join(msgspec.json.encode(entry) + b"\n" for entry in entries)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class ErasureTools:
    signer: ErasureSigner
    ledger: ErasureLedgerFile

    @classmethod
    def from_settings(cls, settings: Settings, master: MasterKey) -> ErasureTools:
        return cls(ErasureSigner.from_master_key(master), ErasureLedgerFile(settings.ledger_file))
