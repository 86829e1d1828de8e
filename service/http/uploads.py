"""A ``multipart/form-data`` upload read as it arrives: the file part is streamed, never kept.

Litestar's own form parser spools a file part to a temporary file, in clear: a scan of a
residence permit must never touch the disk unencrypted. So the request's body is read here
with ``multipart.PushMultipartParser`` (a push parser that buffers no more than a boundary's
length): the text fields are gathered (small, bounded), and the file part's pieces go straight
to the application's ``store_file`` (which checks, cleans and seals them) as they come off the
socket. Used by the API and by the pages alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from typing import Any

from litestar import Request
from multipart import (  # type: ignore[import-untyped]
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
    parse_options_header,
)

from domain.errors import InvalidValueError
from service.application.documents import FILE, DocumentTooLargeError, StoreFile
from service.http.problems import BadRequestError

MULTIPART = "multipart/form-data"
FIELD_BYTES = 2_000
"""Longest text field (a title, a reason): a few hundred characters of UTF-8, with room to spare."""
MOST_PARTS = 12


class StreamedForm:
    """The request's multipart body as an ``UploadForm``: read once, in order, as it arrives."""

    def __init__(
        self, request: Request[Any, Any, Any], fields: Collection[str], *, max_bytes: int, refuse_unknown: bool = False
    ) -> None:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        self._request = request
        self._boundary = options.get("boundary", "") if content_type == MULTIPART else ""
        self._fields = frozenset(fields)
        self._max_bytes = max_bytes
        self._refuse_unknown = refuse_unknown
        """The API's body is closed (as its schema says); a page's form has fields of its own (the CSRF token)."""
        self.values: dict[str, str] = {}
        """The text fields read so far (also after an error: a page puts them back in its form)."""

    @property
    def is_form(self) -> bool:
        return bool(self._boundary)

    async def read(self, store_file: StoreFile) -> Mapping[str, str]:
        if not self.is_form:
            raise BadRequestError("the body must be multipart/form-data, with its boundary")
        events = self._events()
        async for event in events:
            if not isinstance(event, MultipartSegment):
                continue
            if event.name == FILE and event.filename is not None:
                body = _body(events)
                await store_file(dict(self.values), body)
                async for _ in body:
                    pass  # what the store left (nothing, unless it stopped early)
            elif event.name in self._fields and event.filename is None:
                self.values[event.name] = await _text(event.name, _body(events))
            elif self._refuse_unknown:
                raise InvalidValueError("the form has no such field", field=event.name or FILE)
            else:
                async for _ in _body(events):
                    pass  # a field this form does not have: ignored, as a form's extra field is
        return dict(self.values)

    async def _events(self) -> AsyncIterator[MultipartSegment | bytes | None]:
        parser = PushMultipartParser(self._boundary, max_segment_count=MOST_PARTS, strict=True)
        received, most = 0, self._max_bytes + MOST_PARTS * FIELD_BYTES + 64 * 1024  # the file, fields and framing
        try:
            async for chunk in self._request.stream():
                received += len(chunk)
                if received > most:
                    raise DocumentTooLargeError(self._max_bytes)
                if chunk:
                    for event in parser.parse(chunk):
                        yield event
            parser.close()
        except MultipartError:
            raise BadRequestError("the multipart/form-data body is malformed or cut short") from None


async def _body(events: AsyncIterator[MultipartSegment | bytes | None]) -> AsyncIterator[bytes]:
    """One part's pieces, up to its end (the parser's ``None``)."""
    async for event in events:
        if event is None:
            return
        if isinstance(event, bytes | bytearray):
            yield bytes(event)


async def _text(name: str, pieces: AsyncIterator[bytes]) -> str:
    gathered = bytearray()
    async for piece in pieces:
        gathered += piece
        if len(gathered) > FIELD_BYTES:
            raise InvalidValueError(f"{name} is too long", field=name)
    try:
        return gathered.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError(f"{name} must be text (UTF-8)", field=name) from None
