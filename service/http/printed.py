"""Printed documents over HTTP: the media types, the download's file name, and how OpenAPI describes them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(enum.StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return PDF if self is Format.PDF else XLSX


def download(data: bytes, media_type: str, filename: str) -> Response[bytes]:
    """The document as an attachment; ``filename`` names the document by kind, date or id, never by person."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, media_type=media_type, headers=headers)


def answered_as(*media_types: str, description: str) -> type[Operation]:
    """An OpenAPI operation whose 200 answer is a binary document in each of ``media_types``."""

    @dataclass
    class DocumentOperation(Operation):
        def __post_init__(self) -> None:
            binary = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
            content = {media_type: OpenAPIMediaType(schema=binary) for media_type in media_types}
            responses: dict[str, Any] = dict(self.responses or {})
            responses["200"] = OpenAPIResponse(description=description, content=content)
            self.responses = responses

    return DocumentOperation
