"""The master key (KEK) that wraps every subject's data key.

It comes from ``SUIVI_MASTER_KEY`` or from a key file kept apart from the database. On
the first embedded start the key file is generated, readable by its owner only. In
production keep it elsewhere (a secret store or a separate volume): a backup of the
database together with its key file is no longer protected by encryption at all.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32


class MasterKeyError(Exception):
    """The master key is missing, malformed, exposed, or not the one the database uses."""


@dataclass(frozen=True)
class MasterKey:
    _secret: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def from_hex(cls, text: str, *, source: str) -> MasterKey:
        try:
            secret = bytes.fromhex(text.strip())
        except ValueError:
            secret = b""
        if len(secret) != KEY_BYTES:
            raise MasterKeyError(f"{source} must hold {KEY_BYTES * 2} hexadecimal characters")
        return cls(secret)

    @property
    def key_id(self) -> str:
        """A public fingerprint, so a wrong key can be named without showing it."""
        return hmac.new(self._secret, b"suivi master key id", hashlib.sha256).hexdigest()[:16]

    def derive(self, purpose: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(self._secret)

    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.derive(b"suivi log checkpoint signing"))

    def to_hex(self) -> str:
        return self._secret.hex()

    def wrapping_secret(self) -> bytes:
        return self._secret


def load(env_hex: str | None, key_file: Path, *, create: bool) -> MasterKey:
    """The key from the environment, else from the key file (generated when ``create``)."""
    if env_hex:
        return MasterKey.from_hex(env_hex, source="SUIVI_MASTER_KEY")
    if not key_file.exists():
        if not create:
            raise MasterKeyError(f"no master key: set SUIVI_MASTER_KEY or provide the key file {key_file}")
        key = MasterKey.generate()
        write_key_file(key_file, key)
        return key
    mode = key_file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(f"the master key file {key_file} must be readable by its owner only (chmod 600)")
    return MasterKey.from_hex(key_file.read_text(), source=f"the master key file {key_file}")


def write_key_file(path: Path, key: MasterKey) -> None:
    """Write a key file atomically, owner-only from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.to_hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
