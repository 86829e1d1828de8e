"""The subject-access export as a ZIP: the JSON export, and every version of every document's file.

The JSON is ``export.json`` (the same document ``export_person`` gives); each scan is
``documents/<n>-v<version>.<pdf|jpg|png>``, numbered in the order the documents were attached,
with ``documents/index.json`` saying which file is which document and version (title, kind,
format, digest) so that the person, or the centre receiving the data, can check every file
against its SHA-256. The archive is written as it is sent: one decrypted chunk at a time
passes through, and nothing is written to disk.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from uuid import UUID

import msgspec

from service.application.context import Actor, ApplicationContext
from service.documents.content import EXTENSIONS, MediaType
from service.documents.store import DocumentGoneError
from service.gdpr.export import export_person
from service.gdpr.export_model import SubjectExport


class ExportedFile(msgspec.Struct, frozen=True):
    """One file of the ZIP: which document and version it is."""

    path: str
    document_id: UUID
    version: int
    title: str
    kind: str
    media_type: str
    size: int
    sha256: str


class _Sink:
    """Where ``zipfile`` writes: collected, then taken away piece by piece (no seeking: data descriptors)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


def exported_files(export: SubjectExport) -> list[ExportedFile]:
    """The files the export's document events name, in the order they were attached."""
    titles: dict[UUID, tuple[str, str]] = {}
    files: list[ExportedFile] = []
    numbers: dict[UUID, int] = {}
    for entry in export.documents:
        facts = entry.facts
        if entry.event == "Document.Attached":
            titles[entry.record_id] = (str(facts["title"]), str(facts["kind"]))
            numbers[entry.record_id] = len(numbers) + 1
            version = 1
        elif entry.event == "Document.VersionAdded":
            version = int(facts["version"])
        else:
            continue
        if entry.record_id not in titles:
            continue
        title, kind = titles[entry.record_id]
        media_type = str(facts["media_type"])
        path = f"documents/{numbers[entry.record_id]}-v{version}.{EXTENSIONS[MediaType(media_type)]}"
        files.append(
            ExportedFile(
                path, entry.record_id, version, title, kind, media_type, int(facts["size"]), str(facts["sha256"])
            )
        )
    return files


async def export_zip(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> AsyncIterator[bytes]:
    """Make the export (recorded as a read, as the JSON export is) and return the ZIP as it is written.

    Raises before the first byte what the export raises (not the DPO: 403; erased: 410). A file
    whose content is gone meanwhile is left out, and the index says so (``missing``)."""
    export = await export_person(ctx, actor, person_id)
    files = exported_files(export)  # a withdrawn document's files are the person's data still: exported
    return _written(ctx, export, files)


async def _written(ctx: ApplicationContext, export: SubjectExport, files: list[ExportedFile]) -> AsyncIterator[bytes]:
    sink = _Sink()
    missing: list[str] = []
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        archive.writestr("export.json", msgspec.json.format(msgspec.json.encode(export)))
        yield sink.take()
        for file in files:
            try:
                chunks = await ctx.documents.read(file.document_id, file.version, export.person_id)
                with archive.open(file.path, mode="w") as member:
                    async for chunk in chunks:
                        member.write(chunk)
                        yield sink.take()
            except DocumentGoneError:
                missing.append(file.path)
            yield sink.take()
        index = {"files": [f for f in files if f.path not in missing], "missing": missing}
        archive.writestr("documents/index.json", msgspec.json.format(msgspec.json.encode(index)))
    yield sink.take()
