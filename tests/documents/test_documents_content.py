"""The type of an upload comes from its bytes; images come out without their metadata, and still decode."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageOps

from service.documents.content import MediaType, RefusedContentError, cleaned
from tests.documents.samples import (
    CAMERA,
    chunk_kinds,
    from_list,
    joined,
    jpeg_markers,
    jpeg_with_gps,
    pdf_with,
    pieces,
    png_with_text,
)

LIMIT = 20 * 1024 * 1024


async def clean(data: bytes, *, size: int = 7, max_bytes: int = LIMIT) -> tuple[MediaType, bytes]:
    """The content cleaned, fed in small pieces so that every header straddles two of them."""
    media_type, stream = await cleaned(pieces(data, size), max_bytes=max_bytes)
    return media_type, await joined(stream)


@pytest.mark.parametrize("size", [1, 7, 4096, 10**9])
async def test_a_jpeg_loses_its_exif_gps_xmp_and_comment_and_still_shows_the_same_picture(size: int) -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample does carry a position
        pixels, profile = before.tobytes(), before.info["icc_profile"]

    media_type, stored = await clean(original, size=size)

    assert media_type is MediaType.JPEG
    with Image.open(io.BytesIO(stored)) as after:
        assert not after.getexif()
        assert "comment" not in after.info and "xmp" not in after.info
        assert after.info.get("icc_profile") == profile  # colour is kept (a profile made now has another date)
        assert after.tobytes() == pixels  # not re-encoded: the very same picture
    for trace in (b"Exif\x00\x00", CAMERA.encode(), b"Petrenko", b"xmpmeta", b"http://ns.adobe.com/xap"):
        assert trace in original
        assert trace not in stored
    assert 0xE1 not in jpeg_markers(stored) and 0xFE not in jpeg_markers(stored)


async def test_a_progressive_jpeg_with_restart_markers_keeps_every_scan() -> None:
    original = jpeg_with_gps(progressive=True, restart_marker_blocks=2)
    with Image.open(io.BytesIO(original)) as before:
        pixels = before.tobytes()

    _, stored = await clean(original, size=3)

    with Image.open(io.BytesIO(stored)) as after:
        assert after.tobytes() == pixels
        assert not after.getexif()
    assert stored.count(b"\xff\xda") == original.count(b"\xff\xda") > 1


async def test_what_follows_the_end_of_a_jpeg_is_not_kept() -> None:
    _, stored = await clean(jpeg_with_gps() + b"Petrenko trailer")
    assert stored.endswith(b"\xff\xd9") and b"Petrenko" not in stored


@pytest.mark.parametrize("size", [1, 5, 10**9])
async def test_a_png_loses_its_text_exif_and_time_chunks_and_keeps_its_colour(size: int) -> None:
    original = png_with_text()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        pixels = before.tobytes()

    media_type, stored = await clean(original, size=size)

    assert media_type is MediaType.PNG
    assert chunk_kinds(stored) == [b"IHDR", b"gAMA", b"IDAT", b"IEND"]
    with Image.open(io.BytesIO(stored)) as after:
        assert not after.getexif()
        assert not getattr(after, "text", {})
        assert after.tobytes() == pixels
    assert b"Petrenko" in original and b"Petrenko" not in stored


async def test_a_pdf_passes_through_unchanged() -> None:
    original = pdf_with("The residence permit ends on 12 October.")
    assert await clean(original) == (MediaType.PDF, original)


@pytest.mark.parametrize(
    "content",
    [
        b"Bonjour, ceci est un texte et non un PDF.\n",  # named "permis.pdf" by the client: the name is not read
        b"<html><body>%PDF-1.7</body></html>",
        b"GIF89a" + b"\x00" * 40,
        b"PK\x03\x04" + b"\x00" * 40,  # a ZIP (or a .docx)
        b"%PDF-",  # a header and nothing else
    ],
)
async def test_content_that_is_not_a_pdf_jpeg_or_png_is_refused_for_its_type(content: bytes) -> None:
    with pytest.raises(RefusedContentError) as refused:
        await clean(content)
    assert refused.value.reason == "type"
    assert str(content[:8]) not in str(refused.value)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n",  # cut short: no %%EOF
        jpeg_with_gps()[:3000],  # a scan cut in the middle
        png_with_text()[:200],
    ],
)
async def test_a_file_cut_short_is_refused_for_its_type(content: bytes) -> None:
    with pytest.raises(RefusedContentError) as refused:
        await clean(content)
    assert refused.value.reason == "type"


async def test_a_png_whose_first_chunk_is_not_its_header_is_refused() -> None:
    original = png_with_text()
    with pytest.raises(RefusedContentError) as refused:
        await clean(original[:8] + original[33:])  # IHDR taken out
    assert refused.value.reason == "type"


async def test_nothing_is_refused_as_empty() -> None:
    with pytest.raises(RefusedContentError) as refused:
        await cleaned(from_list([b"", b""]), max_bytes=LIMIT)
    assert refused.value.reason == "empty"


async def test_a_file_over_the_limit_is_refused_as_soon_as_the_limit_is_passed() -> None:
    arrived = 0

    async def endless() -> object:
        nonlocal arrived
        yield b"%PDF-1.7\n"
        while True:
            arrived += 1000
            yield b"x" * 1000

    media_type, stream = await cleaned(endless(), max_bytes=50_000)  # type: ignore[arg-type]
    assert media_type is MediaType.PDF
    with pytest.raises(RefusedContentError) as refused:
        await joined(stream)
    assert refused.value.reason == "too_large"
    assert arrived <= 51_000


async def test_a_file_at_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    original = pdf_with("At the limit.")
    assert (await clean(original, max_bytes=len(original)))[1] == original
    with pytest.raises(RefusedContentError) as refused:
        await clean(original, max_bytes=len(original) - 1)
    assert refused.value.reason == "too_large"


async def test_of_the_exif_only_the_orientation_stays_so_a_phone_photo_shows_upright() -> None:
    original = jpeg_with_gps(orientation=6)
    _, stored = await clean(original)
    with Image.open(io.BytesIO(stored)) as after:
        assert dict(after.getexif()) == {ExifTags.Base.Orientation: 6}
        assert ImageOps.exif_transpose(after).size == (80, 120)  # shown turned, as the phone meant
    assert CAMERA.encode() not in stored and b"Exif\x00\x00" in stored
    assert jpeg_markers(stored).count(0xE1) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xfe\x00\x04hi\xff\xd9",  # a JPEG frame with no picture in it
        b"\xff\xd8\xff\xda\x00\x02\x00\x00\xff\xd9",  # a scan with no frame header before it
        b"%PDF-1.4\n%%EOF\n",  # no cross-reference: not a PDF
    ],
)
async def test_a_frame_without_a_picture_is_refused_for_its_type(content: bytes) -> None:
    with pytest.raises(RefusedContentError) as refused:
        await clean(content)
    assert refused.value.reason == "type"


async def test_a_png_without_image_data_is_refused_for_its_type() -> None:
    original = png_with_text()
    kinds = chunk_kinds(original)
    without_data = original[: original.index(b"IDAT") - 4] + original[original.index(b"IEND") - 4 :]
    assert b"IDAT" in kinds and b"IDAT" not in chunk_kinds(without_data)
    with pytest.raises(RefusedContentError) as refused:
        await clean(without_data)
    assert refused.value.reason == "type"


SAMPLES = {"jpeg": jpeg_with_gps(), "png": png_with_text(), "pdf": pdf_with("A letter from the CPAS.")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(sorted(SAMPLES)),
    cut=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=12),
)
async def test_how_the_file_is_cut_into_pieces_never_changes_what_is_kept(kind: str, cut: list[int]) -> None:
    original = SAMPLES[kind]
    splits, at = [], 0
    for size in cut:
        splits.append(original[at : at + size])
        at += size
    splits.append(original[at:])
    whole = await clean(original, size=len(original))
    media_type, stream = await cleaned(from_list(splits), max_bytes=LIMIT)
    assert (media_type, await joined(stream)) == whole


@settings(max_examples=300, deadline=None)
@given(
    head=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b""]),
    tail=st.binary(max_size=400),
    noise=st.binary(max_size=64),
    at=st.integers(min_value=0, max_value=6000),
)
async def test_any_damage_is_either_still_a_file_or_refused_never_a_crash(
    head: bytes, tail: bytes, noise: bytes, at: int
) -> None:
    reasons = set()
    for sample in SAMPLES.values():
        damaged = head + sample[at : at + 2000] + noise + tail if head else sample[:at] + noise + sample[at:]
        try:
            await clean(damaged, size=97)
        except RefusedContentError as refused:  # anything else fails the test
            reasons.add(refused.reason)
    assert reasons <= {"type", "empty"}
