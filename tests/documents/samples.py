"""Files to upload in the document tests: made here, with Pillow and fpdf2, never checked in."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator, Iterable

from fpdf import FPDF
from PIL import ExifTags, Image, ImageCms

GPS_LATITUDE = ((50, 1), (38, 1), (1234, 100))  # Liège, more or less
CAMERA = "Appareil-De-Test"


def pdf_with(sentence: str, *, pages: int = 1) -> bytes:
    """A PDF whose page content is left uncompressed, so that the sentence is in its bytes as written."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.set_font("helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, sentence)
    return bytes(pdf.output())


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(a / b for a, b in GPS_LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 34.0, 12.0)
    return exif


def _picture(size: tuple[int, int] = (120, 80)) -> Image.Image:
    picture = Image.new("RGB", size)
    picture.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    return picture


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_gps(*, orientation: int = 1, **options: object) -> bytes:
    """A JPEG carrying EXIF (camera, GPS position, orientation), XMP, a comment and a colour profile."""
    out = io.BytesIO()
    _picture().save(
        out,
        "JPEG",
        exif=_exif(orientation),
        comment=b"Scanne chez Mme Petrenko",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Petrenko</x:xmpmeta>',
        icc_profile=srgb_profile(),
        quality=90,
        **options,
    )
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text() -> bytes:
    """A PNG with tEXt, zTXt, iTXt, eXIf (GPS) and tIME chunks, and a colour chunk (gAMA) to keep."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Olga Petrenko")
    info.add_text("Comment", "Adresse: rue Petrenko 12", zip=True)
    info.add_itxt("Description", "Titre de sejour Petrenko", lang="fr")
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info, exif=_exif())
    data = out.getvalue()
    # Pillow writes no tIME nor gAMA: put them in after IHDR (8 signature + 25 IHDR bytes).
    at = 8 + 25
    extra = _chunk(b"tIME", struct.pack(">HBBBBB", 2026, 9, 1, 9, 0, 0)) + _chunk(b"gAMA", struct.pack(">I", 45455))
    return data[:at] + extra + data[at:]


def chunk_kinds(png: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kinds.append(png[at + 4 : at + 8])
        at += 12 + length
    return kinds


def jpeg_markers(jpeg: bytes) -> list[int]:
    """The markers of the segments before the first scan (where metadata lives)."""
    markers, at = [], 2
    while at < len(jpeg):
        marker = jpeg[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", jpeg[at + 2 : at + 4])
        at += 2 + length
    return markers


async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def joined(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])


async def from_list(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
