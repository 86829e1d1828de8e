"""Argon2id password hashing (the ``cryptography`` package), in PHC string format."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

# OWASP's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane (about 50 ms here).
_MEMORY_KIB = 19 * 1024
_ITERATIONS = 2
_LANES = 1
MIN_LENGTH = 10


class WeakPasswordError(ValueError):
    """The password is too short."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password has at least {MIN_LENGTH} characters")
    kdf = Argon2id(salt=os.urandom(16), length=32, iterations=_ITERATIONS, lanes=_LANES, memory_cost=_MEMORY_KIB)
    return kdf.derive_phc_encoded(password.encode())


def verify_password(password: str, encoded: str) -> bool:
    try:
        Argon2id.verify_phc_encoded(password.encode(), encoded)
    except (InvalidKey, ValueError):
        return False
    return True


# Verified against when the account does not exist, so both answers take as long.
DUMMY_HASH = hash_password("not-a-real-password-at-all")
