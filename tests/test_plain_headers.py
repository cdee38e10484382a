"""The plain JPEG and PNG header readers answer as Pillow does, or not at all (then Pillow is asked)."""

from __future__ import annotations

import io
import os
import socket
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PIL.TiffImagePlugin import IFDRational

import labelkit
from labelkit.errors import InputError
from labelkit.formats import yolo_media
from labelkit.formats.plain_headers import jpeg_header, plain_header


def _pillow(data: bytes) -> tuple[int, int, object] | None:
    """What Pillow reads from ``data``, as the reader's Pillow path does (None where Pillow refuses it).

    As that path, without Pillow's pixel limit (the reader reads a header over it again without the limit).
    """
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                try:  # (as the reader: a PNG's EXIF block after the pixels is not looked for, which decodes them)
                    # (as the reader: a PNG's EXIF block after the pixels is not looked for, which decodes them;
                    # its chunks before them are read as Pillow reads them, without that load)
                    png_without = im.format == "PNG" and "exif" not in im.info
                    exif = Image.Image.getexif(im) if png_without else im.getexif()
                    orientation = exif.get(0x0112)
                except Exception:  # noqa: BLE001 - as the reader: a broken EXIF block reads as no orientation
                    orientation = None
    except Exception:  # noqa: BLE001 - any refusal
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    return width, height, orientation


def _jpeg(size: tuple[int, int] = (33, 17), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (10, 200, 30)[: len(mode)] if mode != "CMYK" else (1, 2, 3, 4)).save(
        out, "JPEG", **save
    )
    return out.getvalue()


def _exif(orientation: int | None, **tags: object) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    for tag, value in tags.items():
        exif[int(tag[1:], 16)] = value
    return exif


def _variants() -> list[tuple[str, bytes]]:
    out = [
        ("baseline", _jpeg()),
        ("grey", _jpeg(mode="L")),
        ("cmyk", _jpeg(mode="CMYK")),
        ("progressive", _jpeg(progressive=True)),
        ("optimized", _jpeg(optimize=True)),
        ("restart interval", _jpeg(restart_marker_blocks=1)),
        ("comment", _jpeg(comment=b"made by hand")),
        ("icc profile", _jpeg(icc_profile=b"\x00" * 300)),
        ("dpi", _jpeg(dpi=(300, 300))),
        ("one pixel", _jpeg(size=(1, 1))),
        ("wide", _jpeg(size=(4000, 3))),
    ]
    out += [(f"orientation {o}", _jpeg(exif=_exif(o))) for o in range(1, 9)]
    out.append(("exif without orientation", _jpeg(exif=_exif(None, x010F="maker", x0110="model"))))
    out.append(("exif, orientation and text", _jpeg(exif=_exif(6, x010F="a maker of long names", x0131="sw"))))
    out.append(("exif resolution", _jpeg(exif=_exif(3, x011A=IFDRational(300, 1), x0128=2, x0131="software"))))
    # (Pillow writes big-endian blocks; cameras mostly write little-endian ones)
    tiff = b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHIHH", 0x0112, 3, 1, 8, 0) + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    base = _jpeg()
    out.append(("little-endian exif", base[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + base[2:]))
    return out


@pytest.mark.parametrize(("name", "data"), _variants(), ids=[name for name, _ in _variants()])
def test_plain_jpegs_read_as_pillow_reads_them(name: str, data: bytes) -> None:
    found = jpeg_header(data)
    assert found is not None, name  # every one of these is plain: read here, not by Pillow
    assert found == _pillow(data)


def test_what_it_leaves_to_pillow() -> None:
    base = _jpeg()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><tiff:Orientation>6</tiff:Orientation></x:xmpmeta>"
    with_xmp = base[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + base[2:]
    assert jpeg_header(with_xmp) is None  # (Pillow takes an orientation from an XMP packet)
    assert _pillow(with_xmp) == (33, 17, 6)
    twelve_bit = bytearray(base)
    sof = base.index(b"\xff\xc0")
    twelve_bit[sof + 4] = 12
    assert jpeg_header(bytes(twelve_bit)) is None and _pillow(bytes(twelve_bit)) is None
    for extra in (b"\x01", b"\x01\x11"):  # (a component's 3 bytes cut short: Pillow refuses the frame)
        end = sof + 2 + int.from_bytes(base[sof + 2 : sof + 4], "big")
        frame = base[sof + 4 : end] + extra
        cut = base[:sof] + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + base[end:]
        assert jpeg_header(cut) is None and _pillow(cut) is None
    assert jpeg_header(base[:40]) is None  # (a header cut short)
    assert jpeg_header(b"\x89PNG\r\n\x1a\n") is None


_SEED_FILES = [data for _, data in _variants()]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_SEED_FILES),
    st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 5000),
)
def test_a_mutated_jpeg_reads_as_pillow_reads_it_or_is_left_to_pillow(
    data: bytes, changes: list[tuple[int, int]], cut: int
) -> None:
    """Bytes changed and the file cut anywhere in its header: an answer here is always Pillow's answer."""
    mutated = bytearray(data[: max(cut, 3)])
    for at, value in changes:
        if at < len(mutated):
            mutated[at] = value
    found = jpeg_header(bytes(mutated))
    if found is not None:
        assert found == _pillow(bytes(mutated))


_EXIF_FILES = [data for name, data in _variants() if "exif" in name or "orientation" in name]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_EXIF_FILES), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=3))
def test_a_jpeg_with_a_mutated_exif_block_reads_as_pillow_reads_it_or_is_left_to_pillow(
    data: bytes, changes: list[tuple[float, int]]
) -> None:
    """Pillow reads the orientation, and the resolution for the dpi, when it opens a JPEG; it refuses some blocks
    (an x resolution of one ASCII character) and reads others otherwise: an answer here is always Pillow's."""
    mutated = bytearray(data)
    start = data.index(b"Exif\x00\x00") + 6
    length = int.from_bytes(data[start - 8 : start - 6], "big") - 8
    for where, value in changes:
        mutated[start + min(int(where * length), length - 1)] = value
    found = jpeg_header(bytes(mutated))
    if found is not None:
        assert found == _pillow(bytes(mutated))


def test_the_reader_uses_it_and_still_refuses_what_is_no_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(_jpeg(size=(40, 20), exif=_exif(6)))
    assert yolo_media.image_size(path) == (20, 40)
    os.mkfifo(tmp_path / "fifo.jpg")
    with pytest.raises(InputError) as info:
        yolo_media.image_size(tmp_path / "fifo.jpg")  # (opened without waiting for a writer, then refused)
    assert info.value.message == f"unreadable image header: [Errno 22] not a regular file: '{tmp_path / 'fifo.jpg'}'"
    with socket.socket(socket.AF_UNIX) as sock:  # (which cannot be opened: refused as before, by its kind)
        sock.bind(str(tmp_path / "sock.jpg"))
        with pytest.raises(InputError) as info:
            yolo_media.image_size(tmp_path / "sock.jpg")
    assert info.value.message == f"unreadable image header: [Errno 22] not a regular file: '{tmp_path / 'sock.jpg'}'"
    with pytest.raises(InputError) as info:
        yolo_media.image_size(tmp_path / "missing.jpg")
    assert (info.value.message, info.value.location.path) == ("image not found", str(tmp_path / "missing.jpg"))


def test_a_yolo_dataset_of_plain_jpegs_and_pngs_is_read_without_pillow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow took 100 µs a JPEG header: plain JPEGs and PNGs are sized here alone; the others still by Pillow."""
    (tmp_path / "images" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "data.yaml").write_text("path: .\ntrain: images/train\nnames:\n  0: cat\n")
    (tmp_path / "images" / "train" / "a.jpg").write_bytes(_jpeg(size=(40, 20), exif=_exif(6)))
    (tmp_path / "images" / "train" / "b.JPEG").write_bytes(_jpeg(size=(30, 10)))
    (tmp_path / "images" / "train" / "c.png").write_bytes(_png(size=(7, 5), dpi=(72, 72)))
    for name in ("a", "b", "c"):
        (tmp_path / "labels" / "train" / f"{name}.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    opened: list[str] = []
    pillow_open = Image.open

    def counted(path: object, *args: object, **kwargs: object) -> Image.Image:
        opened.append(os.path.basename(str(path)))
        return pillow_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image, "open", counted)
    items = labelkit.load(tmp_path).table("items").sort_by("path")
    assert items.select(["path", "width", "height"]).to_pylist() == [
        {"path": "images/train/a.jpg", "width": 20, "height": 40},
        {"path": "images/train/b.JPEG", "width": 30, "height": 10},
        {"path": "images/train/c.png", "width": 7, "height": 5},
    ]
    assert opened == []
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<tiff:Orientation>6</tiff:Orientation>"
    plain = _jpeg(size=(30, 10))
    (tmp_path / "images" / "train" / "b.JPEG").write_bytes(
        plain[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + plain[2:]
    )
    read: list[str] = []
    plain_read = yolo_media._plain_header_of

    def read_once(path: str | Path) -> object:
        read.append(os.path.basename(str(path)))
        return plain_read(path)

    monkeypatch.setattr(yolo_media, "_plain_header_of", read_once)
    items = labelkit.load(tmp_path).table("items").sort_by("path")
    assert items.select(["width", "height"]).to_pylist()[1] == {"width": 10, "height": 30}  # (turned, by Pillow)
    assert opened == ["b.JPEG"]
    assert sorted(read) == ["a.jpg", "b.JPEG", "c.png"]  # (b's header not read again before Pillow reads it)


def _png(mode: str = "RGB", size: tuple[int, int] = (33, 17), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", **save)
    return out.getvalue()


def _png_variants() -> list[tuple[str, bytes]]:
    text = PngInfo()
    text.add_text("Software", "made by hand")
    return [
        ("rgb", _png()),
        ("rgba", _png("RGBA")),
        ("grey", _png("L")),
        ("grey and alpha", _png("LA")),
        ("one bit", _png("1")),
        ("16-bit grey", _png("I;16")),
        ("palette", _png("P")),
        ("palette with transparency", _png("P", transparency=0)),
        ("grey with transparency", _png("L", transparency=3)),
        ("rgb with transparency", _png("RGB", transparency=(1, 2, 3))),
        ("dpi", _png(dpi=(300, 300))),
        ("text", _png(pnginfo=text)),
        ("one pixel", _png(size=(1, 1))),
    ]


@pytest.mark.parametrize(("name", "data"), _png_variants(), ids=[name for name, _ in _png_variants()])
def test_plain_pngs_read_as_pillow_reads_them(name: str, data: bytes) -> None:
    found = plain_header(data)
    assert found is not None, name
    assert found == _pillow(data)[:2] + (None,)  # type: ignore[index]


def test_what_it_leaves_to_pillow_of_pngs() -> None:
    exif = _exif(6)
    with_exif = _png(exif=exif)
    assert plain_header(with_exif) is None  # (an eXIf chunk: Pillow reads the orientation)
    text = PngInfo()
    text.add_text("exif", "x")
    assert plain_header(_png(pnginfo=text)) is None  # (a text named exif is an EXIF block to Pillow)
    assert plain_header(_png(icc_profile=b"\x00" * 200)) is None  # (a compressed ICC profile)
    broken = bytearray(_png())
    broken[29] ^= 1  # (the header chunk's checksum no longer matches: Pillow refuses the file)
    assert plain_header(bytes(broken)) is None and _pillow(bytes(broken)) is None


_PNG_FILES = [data for _, data in _png_variants()]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_PNG_FILES),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), min_size=1, max_size=3),
    st.integers(8, 400),
    st.booleans(),
)
def test_a_mutated_png_reads_as_pillow_reads_it_or_is_left_to_pillow(
    data: bytes, changes: list[tuple[int, int]], cut: int, fix_checksums: bool
) -> None:
    """Bytes changed (checksums made right again, or not) and the file cut: an answer here is always Pillow's."""
    mutated = bytearray(data[:cut])
    for at, value in changes:
        if at < len(mutated):
            mutated[at] = value
    if fix_checksums:
        _fix_checksums(mutated)
    found = plain_header(bytes(mutated))
    if found is not None:
        pillow = _pillow(bytes(mutated))
        assert pillow is not None and found == (*pillow[:2], None)


def _fix_checksums(data: bytearray) -> None:
    """Each whole chunk's checksum set right (so that a change inside a chunk reaches its reader)."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        end = pos + 8 + length
        if end + 4 > len(data):
            return
        data[end : end + 4] = zlib.crc32(bytes(data[pos + 4 : end])).to_bytes(4, "big")
        pos = end + 4


def test_a_header_past_the_first_4_kib_is_read_from_the_first_64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 KiB of a file are read first (most headers fit; reading 64 KiB of every image read ten times what Pillow
    reads of most); a header going on past them (a long EXIF block) is read again from the first 64 KiB."""
    long_exif = tmp_path / "a.jpg"
    long_exif.write_bytes(_jpeg(size=(40, 20), exif=_exif(6, x010E="x" * 10_000)))
    short = tmp_path / "b.jpg"
    short.write_bytes(_jpeg(size=(40, 20)))
    asked: list[int] = []
    inner = yolo_media.read_head

    def counted(path: object, size: int) -> bytes:
        asked.append(size)
        return inner(path, size)  # type: ignore[arg-type]

    monkeypatch.setattr(yolo_media, "read_head", counted)
    monkeypatch.setattr(Image, "open", None)  # (Pillow is not asked)
    assert yolo_media.plain_image_size(str(short)) == (40, 20)
    assert asked == [4096]
    assert yolo_media.plain_image_size(str(long_exif)) == (20, 40)
    assert asked == [4096, 4096, 65536]


_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
)


def _png_with_chunk(name: bytes, body: bytes, size: tuple[int, int] = (40, 20)) -> bytes:
    """A PNG with one more chunk right after IHDR (before the pixels)."""
    out = io.BytesIO()
    Image.new("RGB", size).save(out, "PNG")
    png = out.getvalue()
    chunk = struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body))
    return png[:33] + chunk + png[33:]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + _XMP),  # (as exiftool writes XMP into a PNG)
        (b"tEXt", b"XML:com.adobe.xmp\x00" + _XMP),
        (  # ImageMagick's text chunk of an EXIF block (its hex after three lines of header)
            b"tEXt",
            b"Raw profile type exif\x00\nexif\n"
            + b"%8d\n" % len(Image.Exif().tobytes())
            + bytes(_exif(6).tobytes().hex(), "ascii"),
        ),
    ],
)
def test_a_png_turned_by_a_chunk_before_its_pixels_reads_as_pillow_turns_it(
    tmp_path: Path, name: bytes, body: bytes
) -> None:
    """An XMP packet's ``tiff:Orientation`` and ImageMagick's "Raw profile type exif" chunk turned a JPEG's,
    WebP's and TIFF's size (Pillow reads them, and Ultralytics with it) but not a PNG's: the reader looked only for
    a PNG's eXIf chunk."""
    from PIL import ImageOps

    path = tmp_path / "x.png"
    path.write_bytes(_png_with_chunk(name, body))
    with Image.open(path) as im:
        assert ImageOps.exif_transpose(im).size == (20, 40)
    assert yolo_media.image_size(path) == (20, 40)
    assert _pillow(path.read_bytes()) == (40, 20, 6)
    assert plain_header(path.read_bytes()) is None  # (left to Pillow)


def _broken_images() -> list[tuple[str, str, bytes, str]]:
    """Files Pillow fails on with errors other than OSError or ValueError: (id, file name, bytes, error type)."""
    jp2 = io.BytesIO()
    Image.new("RGB", (40, 20)).save(jp2, "JPEG2000")
    data = bytearray(jp2.getvalue())
    at = data.index(b"jp2h") - 4  # the header box, given an extended length of 2**62
    data[at : at + 8] = struct.pack(">I", 1) + b"jp2h"
    data[at + 8 : at + 8] = struct.pack(">Q", 1 << 62)
    dds = io.BytesIO()
    Image.new("RGBA", (40, 20)).save(dds, "DDS")
    flags = bytearray(dds.getvalue())
    flags[80:84] = struct.pack("<I", 0x2000)  # its pixel format's flags: none Pillow knows
    spider = io.BytesIO()
    Image.new("F", (40, 20)).save(spider, "SPIDER")
    header = list(struct.unpack("<27f", spider.getvalue()[:108]))
    header[23], header[26] = 0.0, 1.0  # an image number without a stack
    return [
        ("jp2", "x.jp2", bytes(data), "MemoryError"),
        ("dds named .jpg", "x.jpg", bytes(flags), "NotImplementedError"),
        ("spider named .jpg", "x.jpg", struct.pack("<27f", *header) + spider.getvalue()[108:], "AttributeError"),
    ]


@pytest.mark.parametrize(
    ("file_name", "data", "error"), [c[1:] for c in _broken_images()], ids=[c[0] for c in _broken_images()]
)
def test_an_image_pillow_fails_on_otherwise_is_an_unreadable_header_naming_it(
    tmp_path: Path, file_name: str, data: bytes, error: str
) -> None:
    """They were internal errors naming no file (``labelkit: internal error: MemoryError``)."""
    path = tmp_path / file_name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        yolo_media.image_size(path)
    assert info.value.message.startswith(f"unreadable image header: {error}")
    assert info.value.location.path == str(path)
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("path: .\ntrain: images/train\nval: images/train\nnames: {0: a}\n")
    (root / "labels/train" / (Path(file_name).stem + ".txt")).write_text("0 0.5 0.5 0.2 0.4\n")
    (root / "images/train" / file_name).write_bytes(data)
    with pytest.raises(InputError, match="unreadable image header"):
        labelkit.load(root)


def test_reading_prints_none_of_pillows_log_records(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A TIFF whose SamplesPerPixel is 40000 makes Pillow log a warning, which Python's last-resort handler printed
    on stderr where the application configured no logging: the library never prints. A handler the application
    configured still gets it."""
    import logging

    tiff = io.BytesIO()
    Image.new("RGB", (40, 20)).save(tiff, "TIFF")
    data = bytearray(tiff.getvalue())
    ifd = struct.unpack("<I", data[4:8])[0]
    for k in range(struct.unpack("<H", data[ifd : ifd + 2])[0]):
        at = ifd + 2 + 12 * k
        if struct.unpack("<H", data[at : at + 2])[0] == 277:  # SamplesPerPixel
            data[at + 8 : at + 10] = struct.pack("<H", 40000)
    path = tmp_path / "x.tif"
    path.write_bytes(bytes(data))
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root, pil = logging.getLogger(), logging.getLogger("PIL")
    saved, saved_pil = root.handlers[:], pil.handlers[:]
    root.handlers[:] = pil.handlers[:] = []  # (no handler configured: pytest's own capture handler set aside)
    try:
        with pytest.raises(InputError):
            yolo_media.image_size(path)
        assert capfd.readouterr().err == ""
        keep = Keep()
        root.addHandler(keep)
        with pytest.raises(InputError):
            yolo_media.image_size(path)
        assert not pil.handlers  # (the null handler is taken off after the read)
    finally:
        root.handlers[:], pil.handlers[:] = saved, saved_pil
    assert [r.getMessage() for r in records] == ["More samples per pixel than can be decoded: 40000"]
