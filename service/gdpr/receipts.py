"""Signed erasure receipts: proof, without personal data, that a person was erased.

A receipt names the person's id, the time, how many events were made unreadable, the
tombstone's place in the log and the head of the tamper-evidence chain (the checkpoint
written at erasure time). It is signed with Ed25519 over its canonical JSON with an empty
``signature``; the public key travels with it, and its fingerprint can be compared with
``suivi receipt verify --public-key``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.base import Category
from service.application.context import Actor, ApplicationContext
from service.application.listing import ensure_role_may_read
from service.gdpr.tools import ErasureSigner
from service.storage.database import Connection
from service.storage.erasures import is_erased

RECEIPT_FORMAT = "suivi.erasure-receipt"


class ErasureReceipt(msgspec.Struct, frozen=True, kw_only=True):
    format: str = RECEIPT_FORMAT
    version: int = 1
    receipt_id: UUID
    person_id: UUID
    erased_at: datetime
    erased_by: UUID
    events_made_unreadable: int
    key_destroyed: bool
    tombstone_position: int
    tombstone_chain_hash: str
    checkpoint_id: int | None
    checkpoint_position: int | None
    checkpoint_event_count: int | None
    checkpoint_digest: str | None
    public_key: str = ""
    signature: str = ""


class ReceiptInvalidError(Exception):
    """The receipt's signature does not match its contents or the expected key."""


def _message(receipt: ErasureReceipt) -> bytes:
    return msgspec.json.encode(msgspec.structs.replace(receipt, signature=""))


def sign(receipt: ErasureReceipt, signer: ErasureSigner) -> ErasureReceipt:
    unsigned = msgspec.structs.replace(receipt, public_key=signer.public_key_hex, signature="")
    return msgspec.structs.replace(unsigned, signature=signer.receipt_key.sign(_message(unsigned)).hex())


def verify_receipt(document: bytes, *, public_key: str | None = None) -> ErasureReceipt:
    """Decode and check a receipt (JSON); raises ReceiptInvalidError when anything is off."""
    try:
        receipt = msgspec.json.decode(document, type=ErasureReceipt)
        if receipt.format != RECEIPT_FORMAT:
            raise ReceiptInvalidError("not a Suivi erasure receipt")
        if public_key is not None and public_key.lower() != receipt.public_key.lower():
            raise ReceiptInvalidError("the receipt was signed with another key")
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(receipt.public_key))
        key.verify(bytes.fromhex(receipt.signature), _message(receipt))
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, InvalidSignature) as error:
        raise ReceiptInvalidError(f"the receipt does not verify ({type(error).__name__})") from None
    return receipt


def encode(receipt: ErasureReceipt) -> bytes:
    return msgspec.json.format(msgspec.json.encode(receipt), indent=2)


async def store_receipt(db: Connection, receipt: ErasureReceipt) -> ErasureReceipt:
    """Keep the receipt (the first one wins if two erasures raced) and return the one kept."""
    await db.execute(
        """INSERT INTO erasure_receipts (receipt_id, person_id, issued_at, document) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        receipt.receipt_id,
        receipt.person_id,
        receipt.erased_at,
        encode(receipt),
    )
    kept = await db.fetchval("SELECT document FROM erasure_receipts WHERE person_id = $1", receipt.person_id)
    return msgspec.json.decode(kept, type=ErasureReceipt)


async def receipt_for(pool: asyncpg.Pool, person_id: UUID) -> ErasureReceipt | None:
    """The receipt of an erased person, or None (not erased, or erased before receipts existed)."""
    async with pool.acquire() as connection:
        document = await connection.fetchval("SELECT document FROM erasure_receipts WHERE person_id = $1", person_id)
    return None if document is None else msgspec.json.decode(document, type=ErasureReceipt)


async def erasure_receipt(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> ErasureReceipt | None:
    """The signed receipt of an erased person (DPO); None while the person is not erased."""
    ensure_role_may_read(actor, Category.GDPR)
    if not await is_erased(ctx.pool, person_id):
        return None
    return await receipt_for(ctx.pool, person_id)
