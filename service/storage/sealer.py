"""Read-model encryption under each subject's own key (the ``projections.base.Sealer``)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from service.storage.keys.subject_keys import KeyStore, SubjectKey

_PREFIX = b"read-model:"  # read-model ciphertexts can never pass for event payloads


class _ReadModelCipher:
    __slots__ = ("_key",)

    def __init__(self, key: SubjectKey) -> None:
        self._key = key

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        return self._key.encrypt(plaintext, _PREFIX + context)

    def open(self, token: bytes, context: bytes) -> bytes:
        return self._key.decrypt(token, _PREFIX + context)


class SubjectSealer:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def cipher(self, subject_id: UUID) -> _ReadModelCipher | None:
        return (await self.ciphers([subject_id])).get(subject_id)

    async def ciphers(self, subject_ids: Iterable[UUID]) -> dict[UUID, _ReadModelCipher]:
        keys = await self._keys.keys_for_reading(subject_ids)
        return {subject_id: _ReadModelCipher(key) for subject_id, key in keys.items()}
