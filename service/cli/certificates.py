"""``suivi certificate verify FILE``: is a learner's certificate genuine, and is it still valid?

The signature is checked offline, from the file alone (the PDF embeds its signed facts, or the
JSON itself). With the master key at hand, the signing key is compared with the centre's own.
When the database can be reached, the public register says whether the certificate is still
valid, was revoked, or was issued but is no longer held (its learner erased). Nothing printed
names the learner: the command says only what the register would say to anyone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import asyncpg

from projections.certificates import CertificateStatus, RegisterEntry, register_entry
from service.printing.signing import CertificateInvalidError, CertificateSigner, SignedCertificate, verify_signed
from service.settings import Settings
from service.storage.database import database_url
from service.storage.keys import master_key
from service.storage.keys.master_key import MasterKeyError

COMMANDS = ("certificate",)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certificate = sub.add_parser("certificate", help="learners' certificates")
    certificate_sub = certificate.add_subparsers(dest="certificate_command", required=True)
    verify = certificate_sub.add_parser("verify", help="check a certificate (its PDF, or the JSON it embeds)")
    verify.add_argument("file", type=Path)
    verify.add_argument("--public-key", help="the public key (hex) the certificate must be signed with")
    verify.add_argument("--offline", action="store_true", help="check the signature only, not the register")


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    try:
        signed = verify_signed(arguments.file.read_bytes(), public_key=arguments.public_key)
    except CertificateInvalidError as error:
        print(f"suivi: certificate NOT GENUINE: {error}")
        return 1
    document = signed.document
    centre_key = _centre_key(settings)
    if centre_key is not None and centre_key != signed.public_key:
        print("suivi: certificate NOT GENUINE: it was not signed with this centre's key")
        return 1
    signer = "this centre's key" if centre_key is not None else f"the key {signed.public_key}"
    print(f"suivi: certificate {document.certificate_id}: signature genuine (signed with {signer})")
    print(f"suivi: digest {document.digest}")
    entry, reached = (None, False) if arguments.offline else await _register(settings, signed)
    if not reached:
        print("suivi: the register was not consulted: genuine as far as the file goes")
        return 0
    return _say(entry, signed)


def _say(entry: RegisterEntry | None, signed: SignedCertificate) -> int:
    if entry is None:
        print("suivi: revoked or unknown: the register holds no certificate with this number")
        return 1
    if entry.digest != signed.document.digest:
        print("suivi: certificate NOT GENUINE: its facts differ from those the register recorded")
        return 1
    status = entry.status
    if status is CertificateStatus.VALID:
        print(f"suivi: genuine and valid: issued on {entry.issued_on.isoformat()}")
        return 0
    if status is CertificateStatus.REVOKED:
        assert entry.revoked_on is not None
        print(f"suivi: REVOKED on {entry.revoked_on.isoformat()}: no longer valid")
        return 1
    print(f"suivi: issued on {entry.issued_on.isoformat()}, no longer held (the holder's data were erased)")
    return 1


def _centre_key(settings: Settings) -> str | None:
    """The centre's certificate key, when its master key is at hand (never created here)."""
    try:
        key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    except (MasterKeyError, OSError):
        return None
    return CertificateSigner.from_master_key(key).public_key_hex


async def _register(settings: Settings, signed: SignedCertificate) -> tuple[RegisterEntry | None, bool]:
    """The register's entry, and whether the register could be read at all."""
    if settings.database_url is None and not settings.data_dir.exists():
        return None, False
    try:
        with database_url(settings) as url:
            connection = await asyncpg.connect(url, timeout=10)
            try:
                return await register_entry(connection, signed.document.certificate_id), True
            finally:
                await connection.close()
    except Exception as error:  # an unreachable database only leaves the register out
        print(f"suivi: cannot reach the register ({type(error).__name__})")
        return None, False
