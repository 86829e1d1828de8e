"""Signed certificates: the facts, their id and a salt, signed with Ed25519 like the erasure receipts.

The signed document is the canonical JSON of ``CertificateDocument``. Its SHA-256 (the
*digest*) is kept in the public register, so a holder can compare their copy, and the
salt (derived from the signing key and the certificate's id, never stored) keeps anyone
from guessing a name by hashing candidates against that digest. Ed25519 signatures are
deterministic, so a certificate downloaded again is the same document, signed the same way.

The PDF carries the signed document as an embedded file (``certificate.json``), which
``suivi certificate verify`` reads back without any PDF library.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import zlib
from dataclasses import dataclass
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from domain.certificate import CertificateFacts
from service.storage.keys.master_key import MasterKey

CERTIFICATE_KEY_PURPOSE = b"suivi certificate signing"
"""The HKDF purpose of the certificates' signing key: its own, apart from the receipts' and the log's."""
CERTIFICATE_FORMAT = "suivi.certificate"
ATTACHMENT_NAME = "certificate.json"


class CertificateDocument(msgspec.Struct, frozen=True, kw_only=True):
    """What is signed: the facts, bound to the certificate's id."""

    format: str = CERTIFICATE_FORMAT
    version: int = 1
    certificate_id: UUID
    salt: str
    facts: CertificateFacts

    def encoded(self) -> bytes:
        return msgspec.json.encode(self)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.encoded()).hexdigest()


class SignedCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """The file embedded in the PDF: the document, the public key and the signature (hex)."""

    document: CertificateDocument
    public_key: str
    signature: str

    def encoded(self) -> bytes:
        return msgspec.json.format(msgspec.json.encode(self), indent=2)


class CertificateInvalidError(Exception):
    """The file holds no Suivi certificate, or its signature does not match its facts."""


@dataclass(frozen=True)
class CertificateSigner:
    """Signs certificates with the key derived from the master key for this purpose alone."""

    key: Ed25519PrivateKey

    @classmethod
    def from_master_key(cls, master: MasterKey) -> CertificateSigner:
        return cls(Ed25519PrivateKey.from_private_bytes(master.derive(CERTIFICATE_KEY_PURPOSE)))

    @property
    def public_key_hex(self) -> str:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def document(self, certificate_id: UUID, facts: CertificateFacts) -> CertificateDocument:
        return CertificateDocument(certificate_id=certificate_id, salt=self._salt(certificate_id), facts=facts)

    def sign(self, document: CertificateDocument) -> SignedCertificate:
        signature = self.key.sign(document.encoded()).hex()
        return SignedCertificate(document=document, public_key=self.public_key_hex, signature=signature)

    def _salt(self, certificate_id: UUID) -> str:
        secret = self.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return hmac.new(secret, b"certificate salt:" + certificate_id.bytes, hashlib.sha256).hexdigest()[:32]


def verify_signed(data: bytes, *, public_key: str | None = None) -> SignedCertificate:
    """Decode and check a signed certificate (its JSON, or a PDF that embeds it)."""
    found = data if data.lstrip().startswith(b"{") else embedded_certificate(data)
    try:
        signed = msgspec.json.decode(found, type=SignedCertificate)
        if signed.document.format != CERTIFICATE_FORMAT:
            raise CertificateInvalidError("not a Suivi certificate")
        if public_key is not None and public_key.lower() != signed.public_key.lower():
            raise CertificateInvalidError("the certificate was signed with another key")
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signed.public_key))
        key.verify(bytes.fromhex(signed.signature), signed.document.encoded())
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, InvalidSignature) as error:
        raise CertificateInvalidError(f"the certificate does not verify ({type(error).__name__})") from None
    return signed


_STREAM = re.compile(rb"<<((?:[^<>]|<<[^<>]*>>)*)>>\s*stream\r?\n", re.S)
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


def embedded_certificate(pdf: bytes) -> bytes:
    """The signed certificate a PDF embeds: the content of its first embedded JSON file stream.

    Enough of PDF to read back what ``service.printing.certificate`` writes (a stream with a
    direct length, raw or deflated), so that verifying needs no PDF library.
    """
    for found in _STREAM.finditer(pdf):
        header = found.group(1)
        if b"/EmbeddedFile" not in header or b"json" not in header:
            continue
        length = _LENGTH.search(header)
        if length is None:
            continue
        content = pdf[found.end() : found.end() + int(length.group(1))]
        if b"/FlateDecode" in header:
            try:
                content = zlib.decompress(content)
            except zlib.error:
                raise CertificateInvalidError("the embedded certificate is damaged") from None
        return content
    raise CertificateInvalidError("the file holds no Suivi certificate")
