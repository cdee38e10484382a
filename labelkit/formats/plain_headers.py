"""A plain JPEG's or PNG's width, height and EXIF orientation from its first bytes (T.81, EXIF 2.3, TIFF 6, PNG).

Pillow reads these in about 100 µs a JPEG, most of it building what a size does not need: reading the sizes of
a YOLO dataset of 100,000 images took 15 s. :func:`jpeg_header` reads the common case only, the start-of-image
marker, then marker segments each with its length up to the start of scan, and the first directory of an EXIF
block, in a few µs (opening and reading the file take most of the 25 µs a file costs). Where a file strays from
that, or where Pillow would refuse it or find its orientation elsewhere (an XMP packet, a second EXIF block, a
multi-picture file), it says nothing, and the caller asks Pillow: whatever this answers, Pillow answers the same
(``tests/test_plain_headers.py`` checks it on mutated files).

:func:`png_header` does the same for a PNG (Pillow: about 70 µs): its IHDR chunk, then the chunks up to the first
IDAT, each of a kind Pillow reads without fail or passes over, with its checksum (Pillow checks them); a chunk
that may hold an EXIF block, or that Pillow may refuse (a compressed text, an ICC profile, an animation's), leaves
the file to Pillow. :func:`plain_header` reads either.
"""

from __future__ import annotations

import re
import zlib
from typing import Literal

HEAD = 1 << 16
"""Bytes to read from the start of a file (``labelkit.io.read_head``): the header of a JPEG whose EXIF block fits
in one segment (64 KiB)."""

_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xDE})
"""The start-of-frame markers (0xDE, define hierarchical progression, is read as one by Pillow too)."""
_PASSED = frozenset({0xC4, 0xCC, 0xDC, 0xDD, 0xDF, 0xFE})
"""Segments read past: Huffman tables, arithmetic conditioning, number of lines, restart interval, expansion,
comment."""
_TIFF_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
"""Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ..., IFD)."""
_ORIENTATION = 0x0112
_PLAIN_TAGS = {_ORIENTATION: (3, 1), 0x011A: (5, 1), 0x0128: (3, 1)}
"""Tags Pillow reads when it opens a JPEG (the orientation; the x resolution and its unit, for the dpi), each with
the type and count it reads without fail: given another way, Pillow may refuse the file."""


def jpeg_header(data: bytes) -> tuple[int, int, int | None] | None:
    """Width, height (as stored) and EXIF orientation (None without one) of the JPEG ``data`` starts, if plain.

    None: ``data`` is no JPEG, or one this does not read (ask Pillow).
    """
    if data[:3] != b"\xff\xd8\xff":
        return None
    pos, end_of_data = 2, len(data)
    size: tuple[int, int] | None = None
    exif: bytes | None = None
    while True:
        if pos + 4 > end_of_data or data[pos] != 0xFF:  # (fill bytes, junk, or a header past what was read)
            return None
        marker = data[pos + 1]
        end = pos + 2 + ((data[pos + 2] << 8) | data[pos + 3])
        if end < pos + 4 or end > end_of_data:
            return None
        if marker == 0xDA:  # start of scan: the header is over
            break
        segment = data[pos + 4 : end]
        if marker in _SOF:
            # (what Pillow refuses: other sample bits, components, or a component's 3 bytes cut short)
            if len(segment) < 6 or (len(segment) - 6) % 3 or segment[0] != 8 or segment[5] not in (1, 3, 4):
                return None
            size = ((segment[3] << 8) | segment[4], (segment[1] << 8) | segment[2])
        elif marker == 0xDB:
            if not _tables_fit(segment):
                return None
        elif 0xE0 <= marker <= 0xEF:
            if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
                if exif is not None:  # (Pillow joins the blocks)
                    return None
                exif = segment[6:]
            elif not _plain_application(marker, segment):
                return None
        elif marker not in _PASSED:  # (markers without a length, or none Pillow knows)
            return None
        pos = end
    if size is None or not size[0] or not size[1]:
        return None
    if exif is None:
        return size[0], size[1], None
    found, orientation = _orientation(exif)
    return (size[0], size[1], orientation) if found else None


def _tables_fit(segment: bytes) -> bool:
    """Whether each quantization table of a DQT segment is whole (Pillow refuses one cut short)."""
    while segment:
        length = 65 if segment[0] < 16 else 129
        if len(segment) < length:
            return False
        segment = segment[length:]
    return True


def _plain_application(marker: int, segment: bytes) -> bool:
    """Whether an application segment other than EXIF is one Pillow reads past as this reader does."""
    if marker == 0xE1:  # an XMP packet (Pillow takes an orientation from it) or another: Pillow's to read
        return False
    if marker == 0xE2:
        if segment.startswith(b"MPF\x00"):  # a multi-picture file: Pillow's MPO reader
            return False
        return not (segment.startswith(b"ICC_PROFILE\x00") and len(segment) < 14)
    if marker == 0xED and segment.startswith(b"Photoshop 3.0\x00"):
        return _resources_fit(segment)
    if (marker == 0xE0 and segment.startswith(b"JFIF")) or (marker == 0xEE and segment.startswith(b"Adobe")):
        return len(segment) >= 7  # (its version, read by Pillow)
    return True


def _resources_fit(segment: bytes) -> bool:
    """Whether Pillow, walking Photoshop's resource blocks, finds each block's name length.

    A block cut short before its id or its size ends Pillow's walk; one cut short before its name length makes
    Pillow refuse the file.
    """
    offset = 14
    while segment[offset : offset + 4] == b"8BIM":
        offset += 4
        if offset + 2 > len(segment):
            return True
        offset += 2
        if offset >= len(segment):
            return False
        offset += 1 + segment[offset]
        offset += offset & 1
        if offset + 4 > len(segment):
            return True
        offset += 4 + int.from_bytes(segment[offset : offset + 4], "big")
        offset += offset & 1
    return True


def _orientation(tiff: bytes) -> tuple[bool, int | None]:
    """The orientation in an EXIF block's first directory, as ``(read, value)``.

    ``read`` is False where the block is not plainly well formed: a directory or value past its end, an unknown
    type, a tag of :data:`_PLAIN_TAGS` given twice or otherwise.
    """
    if len(tiff) < 8 or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return False, None
    order: Literal["little", "big"] = "little" if tiff[0] == 0x49 else "big"
    start = int.from_bytes(tiff[4:8], order)
    if start < 8 or start + 2 > len(tiff):
        return False, None
    count = int.from_bytes(tiff[start : start + 2], order)
    entries = start + 2
    if entries + 12 * count + 4 > len(tiff):  # (the entries and the next directory's offset)
        return False, None
    orientation: int | None = None
    seen: set[int] = set()
    for at in range(entries, entries + 12 * count, 12):
        tag = int.from_bytes(tiff[at : at + 2], order)
        kind = int.from_bytes(tiff[at + 2 : at + 4], order)
        values = int.from_bytes(tiff[at + 4 : at + 8], order)
        unit = _TIFF_SIZES.get(kind)
        if unit is None:
            return False, None
        if unit * values > 4 and int.from_bytes(tiff[at + 8 : at + 12], order) + unit * values > len(tiff):
            return False, None
        if tag in _PLAIN_TAGS:
            if tag in seen or (kind, values) != _PLAIN_TAGS[tag]:
                return False, None
            seen.add(tag)
            if tag == _ORIENTATION:
                orientation = int.from_bytes(tiff[at + 8 : at + 10], order)
    return True, orientation


_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_MODES = {(1, 0), (2, 0), (4, 0), (8, 0), (16, 0), (8, 2), (16, 2), (1, 3), (2, 3), (4, 3), (8, 3), (8, 4), (16, 4)}
_PNG_MODES |= {(8, 6), (16, 6)}
"""The (bit depth, colour type) pairs of PNG's specification, each of which Pillow reads."""
_PNG_LEAST = {b"gAMA": 4, b"cHRM": 32, b"sRGB": 1, b"pHYs": 9, b"PLTE": 0, b"bKGD": 0, b"tIME": 0, b"sBIT": 0}
"""Chunks read past before the pixels, each with the length below which Pillow refuses it (tRNS and tEXt: below)."""
_PNG_EXIF_KEYWORDS = (b"exif", b"Raw profile type exif", b"XML:com.adobe.xmp")
"""tEXt keywords whose text may hold an orientation (see :func:`png_header`)."""
_CHUNK_NAME = re.compile(rb"[A-Za-z0-9_]{4}")


def png_header(data: bytes) -> tuple[int, int, int | None] | None:
    """Width, height and orientation (always None: a PNG whose chunks may hold one is Pillow's) of a plain PNG.

    None: ``data`` is no PNG, or one this does not read (ask Pillow).
    """
    if data[:8] != _PNG:
        return None
    pos, size, colours = 8, (0, 0), (0, 0)
    while True:
        if pos + 8 > len(data):
            return None
        length = int.from_bytes(data[pos : pos + 4], "big")
        name = data[pos + 4 : pos + 8]
        end = pos + 8 + length
        if end + 4 > len(data) or not _CHUNK_NAME.fullmatch(name):
            return None
        body = data[pos + 8 : end]
        if zlib.crc32(body, zlib.crc32(name)) != int.from_bytes(data[end : end + 4], "big"):
            return None
        if pos == 8:  # the header chunk first
            if name != b"IHDR" or length < 13 or body[11]:  # (a filter method but 0: Pillow refuses it)
                return None
            size = (int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"))
            colours = (body[8], body[9])
            if colours not in _PNG_MODES or not size[0] or not size[1]:
                return None
        elif name == b"IDAT":
            return size[0], size[1], None
        elif name == b"tRNS":
            if colours[1] in (0, 2) and length < (6 if colours[1] == 2 else 2):
                return None
        elif name == b"tEXt":
            # (Pillow keeps "exif" as an EXIF block, and reads an orientation from ImageMagick's "Raw profile type
            # exif" and from an XMP packet: those are Pillow's to read)
            if body.split(b"\x00", 1)[0] in _PNG_EXIF_KEYWORDS:
                return None
        elif length < _PNG_LEAST.get(name, 1 << 32):
            return None
        pos = end + 4


def plain_header(data: bytes) -> tuple[int, int, int | None] | None:
    """:func:`jpeg_header` or :func:`png_header` of ``data``, by its first byte."""
    if data[:1] == b"\xff":
        return jpeg_header(data)
    if data[:1] == b"\x89":
        return png_header(data)
    return None
