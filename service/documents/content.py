"""What an uploaded file is, decided from its bytes, and its content without image metadata, streamed.

The type comes from the content only (the magic bytes, then the structure as it streams by),
never from the file name or the type the client announced. Images lose their metadata on the
fly: a JPEG is read segment by segment and a PNG chunk by chunk, and only what a viewer needs
to show the picture is passed on, so EXIF (with GPS), XMP, IPTC, comments and text chunks never
reach the store. No parser here holds more than one incoming piece and one header (or one EXIF
segment, at most 64 KiB, read whole to keep the picture's orientation: ``_orientation``).

Nothing streaming of that kind is in the lock (Pillow decodes whole images, and re-encoding a
scan would lose quality), so the two small parsers below follow the formats' own framing:
ITU T.81 (JPEG markers) and ISO/IEC 15948 (PNG chunks).
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Literal

Reason = Literal["type", "too_large", "empty"]


class MediaType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


EXTENSIONS = {MediaType.PDF: "pdf", MediaType.JPEG: "jpg", MediaType.PNG: "png"}
"""The file-name extension each kind of document is saved with (downloads, the export's ZIP)."""


class RefusedContentError(Exception):
    """The upload is refused: ``reason`` is "type" (not a PDF, JPEG or PNG, or a broken one),
    "too_large" or "empty". The message never quotes the content."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"document refused: {reason}")
        self.reason: Reason = reason


class _Input:
    """The incoming pieces, counted against the limit, read as much as each parser step needs."""

    def __init__(self, chunks: AsyncIterator[bytes], max_bytes: int) -> None:
        self._chunks = aiter(chunks)
        self._max_bytes = max_bytes
        self._buffer = bytearray()
        self.received = 0

    async def _more(self) -> bool:
        while True:
            try:
                piece = await anext(self._chunks)
            except StopAsyncIteration:
                return False
            if not piece:
                continue
            self.received += len(piece)
            if self.received > self._max_bytes:
                raise RefusedContentError("too_large")
            self._buffer += piece
            return True

    async def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes without consuming them (fewer only at the end)."""
        while len(self._buffer) < n and await self._more():
            pass
        return bytes(self._buffer[:n])

    async def exactly(self, n: int) -> bytes:
        """The next ``n`` bytes; a file that ends before them is broken."""
        while len(self._buffer) < n:
            if not await self._more():
                raise RefusedContentError("type")
        taken = bytes(self._buffer[:n])
        del self._buffer[:n]
        return taken

    async def pieces(self, n: int) -> AsyncIterator[bytes]:
        """The next ``n`` bytes as they arrive, never gathered."""
        while n > 0:
            if not self._buffer and not await self._more():
                raise RefusedContentError("type")
            taken = bytes(self._buffer[:n])
            del self._buffer[: len(taken)]
            n -= len(taken)
            yield taken

    async def skip(self, n: int) -> None:
        async for _ in self.pieces(n):
            pass

    async def rest(self) -> AsyncIterator[bytes]:
        """Everything left, as it arrives."""
        while self._buffer or await self._more():
            taken = bytes(self._buffer)
            self._buffer.clear()
            yield taken

    async def drain(self) -> None:
        """Read what is left (still counted against the limit) and drop it."""
        async for _ in self.rest():
            pass

    def buffered(self) -> bytearray:
        return self._buffer

    async def fill(self) -> bool:
        return await self._more()


async def cleaned(chunks: AsyncIterator[bytes], *, max_bytes: int) -> tuple[MediaType, AsyncIterator[bytes]]:
    """The file's type, from its first bytes, and its content to store, metadata removed.

    Raises ``RefusedContentError`` here ("empty", "type", "too_large") or, for what only the
    rest of the file can show (too large, a broken structure), while the stream is read.
    """
    source = _Input(chunks, max_bytes)
    head = await source.peek(8)
    if not head:
        raise RefusedContentError("empty")
    if head.startswith(b"%PDF-"):
        return MediaType.PDF, _pdf(source)
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG, _jpeg(source)
    if head == _PNG_SIGNATURE:
        return MediaType.PNG, _png(source)
    raise RefusedContentError("type")


# --- PDF: passed through whole (a PDF's metadata is the text itself), its frame checked ---------

_PDF_TAIL = 1024  # ISO 32000 7.5.5: "startxref", an offset, "%%EOF" end the file; readers look in the last KiB


async def _pdf(source: _Input) -> AsyncIterator[bytes]:
    header = await source.peek(8)
    # "%PDF-1.7" or "%PDF-2.0": a digit, a dot, a digit.
    if len(header) < 8 or not (header[5:6].isdigit() and header[6:7] == b"." and header[7:8].isdigit()):
        raise RefusedContentError("type")
    tail = b""
    async for piece in source.rest():
        tail = (tail + piece)[-_PDF_TAIL:]
        yield piece
    if b"startxref" not in tail or b"%%EOF" not in tail:  # cut short, or not a PDF after all
        raise RefusedContentError("type")


# --- JPEG: markers and segments (ITU T.81, annex B) ---------------------------------------------

_SOI, _EOI, _SOS, _TEM = 0xD8, 0xD9, 0xDA, 0x01
_RST = range(0xD0, 0xD8)
_APP0, _APP2, _APP14, _APP15, _COM = 0xE0, 0xE2, 0xEE, 0xEF, 0xFE


def _jpeg_segment_kept(marker: int, start: bytes) -> bool:
    """Whether a segment is needed to show the picture as it was scanned.

    Kept: every non-APP segment but comments (tables, frame, scans), JFIF (APP0), the colour
    profile (APP2 "ICC_PROFILE") and Adobe's colour transform (APP14), which decoders need.
    Dropped: EXIF and XMP (APP1), IPTC (APP13), comments, and every other application segment
    (makers' notes, MPF pointers to pictures after the end, FlashPix...). Of the EXIF, only the
    orientation comes back, alone in a segment of its own (``_orientation_only``).
    """
    if marker == _COM:
        return False
    if not _APP0 <= marker <= _APP15:
        return True
    if marker == _APP0:
        return start.startswith(b"JFIF\x00")  # not "JFXX": only a thumbnail
    if marker == _APP2:
        return start.startswith(b"ICC_PROFILE\x00")
    if marker == _APP14:
        return start.startswith(b"Adobe")
    return False


async def _jpeg(source: _Input) -> AsyncIterator[bytes]:
    yield await source.exactly(2)  # SOI
    framed = scanned = oriented = False
    while True:
        marker = await _jpeg_marker(source)
        if marker == _EOI:
            if not scanned:
                raise RefusedContentError("type")  # no picture in it
            yield b"\xff\xd9"
            await source.drain()  # after the end: trailers, appended pictures, metadata: never kept
            return
        if marker in _RST or marker in (_TEM, _SOI) or (marker == _SOS and not framed):
            raise RefusedContentError("type")  # not where a segment belongs
        (length,) = struct.unpack(">H", await source.exactly(2))
        if length < 2:
            raise RefusedContentError("type")
        start = await source.peek(min(length - 2, 14))
        if _jpeg_segment_kept(marker, start):
            yield bytes((0xFF, marker)) + struct.pack(">H", length)
            async for piece in source.pieces(length - 2):
                yield piece
        elif marker == _APP1 and start.startswith(_EXIF) and not oriented:
            # A segment is at most 64 KiB: read whole, to keep the one tag a viewer needs.
            oriented = True
            orientation = _orientation(await source.exactly(length - 2))
            if orientation is not None:
                yield _orientation_only(orientation)
        else:
            await source.skip(length - 2)
        framed = framed or marker in _SOF
        if marker == _SOS:
            scanned = True
            async for piece in _jpeg_scan(source):
                yield piece


_APP1 = 0xE1
_EXIF = b"Exif\x00\x00"
_ORIENTATION = 0x0112
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # frame headers; not DHT, JPG, DAC


def _orientation(exif: bytes) -> int | None:
    """The EXIF orientation (2 to 8: the picture is to be turned or mirrored), if any.

    Phones keep the pixels as the sensor saw them and say how to turn them: dropping that tag
    would show a paper photographed upright on its side.
    """
    tiff = exif[len(_EXIF) :]
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(tiff[:4])
    if order is None:
        return None
    try:
        (ifd,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, ifd)
        for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
            tag, kind, values, value = struct.unpack_from(order + "HHIH", tiff, entry)
            if tag == _ORIENTATION and kind == 3 and values == 1:  # one SHORT
                return value if 2 <= value <= 8 else None
    except struct.error:
        return None
    return None


def _orientation_only(orientation: int) -> bytes:
    """An EXIF segment holding the orientation and nothing else (TIFF, big-endian, one IFD, one entry)."""
    tiff = b"MM\x00*" + struct.pack(">IH", 8, 1) + struct.pack(">HHIHH", _ORIENTATION, 3, 1, orientation, 0)
    body = _EXIF + tiff + struct.pack(">I", 0)
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


async def _jpeg_marker(source: _Input) -> int:
    """The next marker: 0xFF, optional 0xFF fill bytes (B.1.1.2), then the code."""
    if (await source.exactly(1)) != b"\xff":
        raise RefusedContentError("type")
    code = (await source.exactly(1))[0]
    while code == 0xFF:
        code = (await source.exactly(1))[0]
    if code == 0x00:
        raise RefusedContentError("type")
    return code


async def _jpeg_scan(source: _Input) -> AsyncIterator[bytes]:
    """Entropy-coded data after SOS, passed on up to the next marker (left unread).

    In it, 0xFF is followed by 0x00 (a stuffed byte) or a restart marker, both part of the data.
    """
    buffer = source.buffered()
    while True:
        if not buffer and not await source.fill():
            raise RefusedContentError("type")  # the file ends inside a scan
        at = buffer.find(b"\xff")
        if at < 0:
            taken = bytes(buffer)
            buffer.clear()
            yield taken
            continue
        if at + 1 >= len(buffer):
            if at:
                yield bytes(buffer[:at])
                del buffer[:at]
            if not await source.fill():
                raise RefusedContentError("type")
            continue
        follower = buffer[at + 1]
        if follower == 0x00 or follower in _RST:
            yield bytes(buffer[: at + 2])
            del buffer[: at + 2]
            continue
        if follower == 0xFF:  # a fill byte before a marker: dropped, the marker comes next
            yield bytes(buffer[:at])
            del buffer[: at + 1]
            continue
        if at:
            yield bytes(buffer[:at])
            del buffer[:at]
        return


# --- PNG: chunks (ISO/IEC 15948, section 5) -----------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_ANCILLARY_KEPT = frozenset(
    # Colour and display: what a viewer needs to show the scan as scanned (cICP, mDCV and cLLI:
    # the third edition's colour spaces). Animation (APNG) too.
    {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD", b"pHYs"}
    | {b"acTL", b"fcTL", b"fdAT"}
)
_PNG_MAX_CHUNK = 2**31 - 1


def _png_chunk_kept(kind: bytes) -> bool:
    """Critical chunks (upper-case first letter: IHDR, PLTE, IDAT, IEND) and the colour ones above.

    Dropped: eXIf, tEXt, zTXt, iTXt, tIME and every other ancillary or private chunk (C2PA,
    makers' data), which a viewer may ignore by the standard's own rule.
    """
    return kind[0:1].isupper() or kind in _PNG_ANCILLARY_KEPT


async def _png(source: _Input) -> AsyncIterator[bytes]:
    yield await source.exactly(8)
    first, pictured = True, False
    while True:
        header = await source.exactly(8)
        length, kind = struct.unpack(">I4s", header)
        if length > _PNG_MAX_CHUNK or not kind.isalpha() or (first and kind != b"IHDR"):
            raise RefusedContentError("type")
        first = False
        if _png_chunk_kept(kind):
            yield header
            async for piece in source.pieces(length + 4):  # the data and its CRC
                yield piece
        else:
            await source.skip(length + 4)
        pictured = pictured or kind == b"IDAT"
        if kind == b"IEND":
            if not pictured:
                raise RefusedContentError("type")
            await source.drain()  # nothing after the end is kept
            return
