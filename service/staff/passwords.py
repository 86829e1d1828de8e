"""Argon2id password hashing (the ``cryptography`` package), in PHC string format.

Hashing and verifying take tens of milliseconds of CPU on purpose: async code runs them in a
worker thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import functools
import os

import msgspec
from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MIN_LENGTH = 10


class Cost(msgspec.Struct, frozen=True):
    """What a new hash costs. A stored hash names its own cost (PHC string), so verifying follows it."""

    memory_kib: int
    iterations: int
    lanes: int


OWASP_MINIMUM = Cost(memory_kib=19 * 1024, iterations=2, lanes=1)
"""OWASP's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane (about 65 ms here)."""
COST = OWASP_MINIMUM


class WeakPasswordError(ValueError):
    """The password is too short."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password has at least {MIN_LENGTH} characters")
    kdf = Argon2id(
        salt=os.urandom(16), length=32, iterations=COST.iterations, lanes=COST.lanes, memory_cost=COST.memory_kib
    )
    return kdf.derive_phc_encoded(password.encode())


def verify_password(password: str, encoded: str | None) -> bool:
    """Whether ``password`` matches ``encoded``. With no hash (no such account), still do the work, then say no."""
    try:
        Argon2id.verify_phc_encoded(password.encode(), encoded or dummy_hash())
    except (InvalidKey, ValueError):
        return False
    return encoded is not None


@functools.cache
def dummy_hash() -> str:
    """Verified against when the account does not exist, so both answers take as long (made on first use)."""
    return hash_password("not-a-real-password-at-all")
