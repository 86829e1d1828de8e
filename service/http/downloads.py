"""A document's file as a download: the same answer from the API and from the pages."""

from __future__ import annotations

from litestar.response import Stream

from service.application.views.documents import DocumentContent
from service.documents.content import EXTENSIONS, MediaType


def document_file(content: DocumentContent, name: str) -> Stream:
    """The version's decrypted chunks as they stream out, saved as ``<name>-v<n>.<ext>``.

    ``name`` says what the paper is, never whom it is about: a file name travels (a downloads
    folder, an e-mail).
    """
    version = content.version
    assert version is not None
    filename = f"{name}-v{version.number}.{EXTENSIONS[MediaType(version.media_type)]}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(version.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Stream(content.chunks, media_type=version.media_type, headers=headers)
