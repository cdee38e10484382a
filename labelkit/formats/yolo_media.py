"""Shared by the YOLO and VOC modules: image sizes from headers, size side files, media."""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import json
import os
import re
import shutil
import stat
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, LabelkitError, OutputError, UsageError, json_pointer
from labelkit.formats.plain_headers import HEAD, plain_header
from labelkit.io import (
    Inside,
    contained,
    is_plain_name,
    is_plain_relpath,
    no_warnings,
    parse_json,
    quiet_pillow_log,
    read_bytes,
    read_head,
    safe_relpath,
)
from labelkit.json_checks import without_bom
from labelkit.model.annotations import INT64_MAX

IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".jpg",
    ".jpeg",
    ".png",
    ".bmp",
    ".tif",
    ".tiff",
    ".webp",
    ".dng",
    ".mpo",
    ".pfm",
    ".heic",
    ".avif",
    ".jp2",
    ".jpeg2000",
)
"""Extensions taken as images (Ultralytics' ``IMG_FORMATS`` of any version: 8.3 reads ``.avif`` and ``.jp2``,
in folders as in lists), compared case-insensitively."""

SIZES_FILE = "image_sizes.json"
"""Side file a labelkit writer leaves when it does not write the images, so the labels can be read back."""

_EXIF_ORIENTATION = 0x0112
_TIFF_WIDTH, _TIFF_LENGTH = 256, 257


IMAGE_SUFFIXES = frozenset(IMAGE_EXTENSIONS)


def is_image(path: PurePath) -> bool:
    """Whether the file name has an image extension."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def is_image_name(name: str) -> bool:
    """:func:`is_image` of a file name (string work, without a path object: it runs once per file of a folder)."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:].lower() in IMAGE_SUFFIXES


SPLIT_FIELD = "{split}"
"""In ``media_root``, each item's split: ``coco/{split}`` finds a train2017 image in ``coco/train2017``."""

ReadSplits = Mapping[str, str | None]
"""Item id -> the split its image was read from (see :func:`images_of_read_splits`)."""

_READ_SPLITS: ContextVar[ReadSplits | None] = ContextVar("read_splits", default=None)


@contextmanager
def images_of_read_splits(read: ReadSplits) -> Iterator[None]:
    """While it lasts, ``{split}`` in ``media_root`` is the split an item's image was read from, where ``read`` has it.

    ``labelkit split`` moves items to other splits; their images stay in the folders of the splits they were
    read from (``coco/train2017``), where the new split's (``coco/val2017``) holds another image of that name,
    or none.
    """
    token = _READ_SPLITS.set(read)
    try:
        yield
    finally:
        _READ_SPLITS.reset(token)


def read_splits_of(ids: Sequence[str], splits: Sequence[str | None]) -> list[str | None]:
    """Each item's split as its image was read from (:func:`images_of_read_splits`), else ``splits``' (its own)."""
    read = _READ_SPLITS.get()
    if read is None:
        return list(splits)
    return [read.get(i, s) for i, s in zip(ids, splits, strict=True)]


@dataclass(frozen=True)
class MediaRoot:
    """The ``media_root`` write option: the folder the items' image paths are relative to, per split.

    ``{split}`` in it is each item's split (``default_split`` for an item of none, as the writers place it): the
    images of COCO's ``instances_train2017.json`` and ``instances_val2017.json`` lie in ``train2017/`` and
    ``val2017/``, a Roboflow export's beside each split's JSON, and their file names do not say which.
    """

    text: str
    default_split: str = "train"

    def of(self, split: str | None, item: str | None = None) -> Path:
        """The folder of the image of an item of ``split``, or of ``item`` (see :func:`images_of_read_splits`)."""
        read = _READ_SPLITS.get()
        if read is not None and item is not None:
            split = read.get(item, split)
        if SPLIT_FIELD not in self.text:
            return Path(self.text)
        return Path(self.text.replace(SPLIT_FIELD, _folder_name(split or self.default_split, self.text)))

    @property
    def bound(self) -> Path:
        """The folder no image may lead out of: ``media_root``, or with ``{split}``, the folder holding the split's.

        ``photos/{split}`` is bounded by ``photos``: a split's folder that is a link out of it (an untrusted
        ``photos/val`` leading to ``/home``) holds no image to copy (see :func:`media_source`).
        """
        if SPLIT_FIELD not in self.text:
            return Path(self.text)
        head = self.text[: self.text.index(SPLIT_FIELD)]
        return Path(head) if head.endswith(("/", os.sep)) else Path(head).parent

    def folders(self, splits: Sequence[str | None]) -> list[Path]:
        """The folders of items of ``splits`` (and of the splits images are read from), each once."""
        if SPLIT_FIELD not in self.text:
            return [self.of(None)]
        read = _READ_SPLITS.get()
        return [self.of(s) for s in dict.fromkeys([*splits, *(read.values() if read is not None else ())])]

    def existing(self) -> list[Path]:
        """The folders there are that a split's images may be read from, when the items' splits are not known.

        ``coco/{split}2017``: each folder of ``coco`` whose name ends with ``2017`` (a report there is refused, one
        in ``coco`` itself not).
        """
        if SPLIT_FIELD not in self.text:
            return [Path(self.text)]
        pattern = glob.escape(self.text).replace(SPLIT_FIELD, "*")  # (glob.escape leaves the braces as they are)
        return [Path(found) for found in sorted(glob.glob(pattern)) if os.path.isdir(found)]


@functools.lru_cache(maxsize=256)
def _folder_name(split: str, template: str) -> str:
    """``split`` as the folder ``{split}`` names in ``template`` (``media_root``).

    Raises:
        OutputError: it is not a plain name (``../../etc``, ``a/b``; a drive on Windows): a split read from an
            untrusted dataset (``labelkit split`` takes the images of the split an item was read from, whose
            name a COCO file's or a data.yaml key's gives) made ``media_root`` another folder of the machine.
    """
    if not is_plain_name(split) or (os.name == "nt" and PureWindowsPath(split).drive):
        raise OutputError(
            f"split {split!r} cannot name a folder of media_root ({template})",
            hint="splits are plain names such as train, val or test; rename it, or give media_root without {split}",
        )
    return split


def media_root_of(options: Mapping[str, Any]) -> MediaRoot | None:
    """The write options' ``media_root`` (None when not given), its ``{split}`` defaulting to ``split``'s."""
    if not options.get("media_root"):
        return None
    return MediaRoot(str(options["media_root"]), str(options.get("split") or "train"))


def media_of(options: Mapping[str, Any]) -> tuple[str, MediaRoot | None]:
    """The write options' ``media`` (``none``, ``copy``, ``link``) and ``media_root`` (None when not given).

    Raises:
        UsageError: ``copy`` or ``link`` without ``media_root``.
    """
    media = str(options.get("media") or "none")
    media_root = media_root_of(options)
    if media != "none" and media_root is None:
        raise UsageError("media=copy or link needs the images' folder", hint="add -o media_root=FOLDER")
    return media, media_root


LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"


def refuse_linked_out(path: Path, root: Path) -> None:
    """Refuse a file found in the dataset ``root`` that a symbolic link takes out of it (``links=inside``).

    An untrusted dataset's ``data.yaml`` or ``image_sizes.json`` linked to another file of the machine: its
    values were written into the output, or quoted in an error, as a label file's would be.

    Raises:
        InputError: naming the file, with :data:`LINK_HINT`.
    """
    if (why := Inside(root).refusal(path)) is not None:
        raise InputError(f"cannot read: {why}", path=path, hint=LINK_HINT)


def dangling_link(path: str | Path) -> InputError | None:
    """The error for ``path`` when it is a symbolic link to no file, else None.

    A DVC or git-annex checkout whose cache lacks the file: raised where a missing file would be passed over.
    """
    return InputError("cannot read: a symbolic link to no file", path=path) if os.path.islink(path) else None


def not_a_file(path: Path) -> InputError | None:
    """The error for what is at ``path`` when it is no regular file (a link to no file, a FIFO, a folder), else None.

    For the files of well-known names (``data.yaml``, ``obj.data``, ``labelmap.txt``) and lists a reader takes when
    there: passed over, what they say was lost unsaid (YOLO's classes read as ``class_0``, ...); a FIFO read as
    empty (a VOC list: its split). A DVC or git-annex checkout whose cache lacks the file leaves a link to none.
    """
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return dangling_link(path)
    except OSError as exc:  # (a loop of links)
        return InputError(f"cannot read: {exc.strerror or exc}", path=path)
    return None if stat.S_ISREG(status.st_mode) else InputError("cannot read: not a regular file", path=path)


def unreadable_file(exc: OSError, path: str | Path) -> InputError:
    """The error for a file ``path`` that :func:`labelkit.io.read_file` could not read, ``exc`` its cause.

    A folder where a label file should be (``labels/train/b.txt/``) is ``not a regular file`` as a FIFO is: it
    read as an image without objects, unsaid.
    """
    reason = "not a regular file" if isinstance(exc, IsADirectoryError) else exc.strerror or str(exc)
    error = InputError(f"cannot read: {reason}", path=path)
    error.__cause__ = exc
    return error


def placed_image_size(placed: Path, source: Path) -> tuple[int, int]:
    """The size a YOLO reader finds in an image written (:func:`image_size`), refusing one that it cannot read.

    Raises:
        InputError: naming the image ``source`` it was copied or linked from: no reader could read the output.
    """
    try:
        return image_size(placed)
    except InputError as exc:
        what = exc.message if exc.message.startswith("cannot read") else exc.message.split(":")[0]
        raise InputError(
            f"{what}: a YOLO reader reads each image's size from its file",
            path=source,
            hint="replace the image, or leave its item out",
        ) from exc


def sized_by_files(dataset: Any, options: Mapping[str, Any]) -> tuple[Any, list[int]]:
    """With ``media=copy`` or ``link``, the dataset whose items of unknown size take their image file's size.

    A YOLO reader takes each image's size from its file: an item of unknown size (COCO's 0 x 0, as Datumaro
    writes an image whose size it does not know) had its objects reported lost, though the image written beside
    its labels gives them one. An item keeps a side it knows only where the file agrees. An image whose header
    cannot be read, or that is not in ``media_root``, is left unsized: the plan and the write refuse it, naming
    it, in their order. Returns the dataset (the same one when nothing is sized) and the rows of the items sized.
    The files are read at each call, by the plan and again by the write, as the sizes of the others are
    (``yolo_check.media_sizes``): kept, a file replaced or added between the two would be written by a stale size.
    """
    from labelkit.model import Dataset

    root = media_root_of(options)
    if str(options.get("media") or "none") == "none" or root is None:
        return dataset, []
    items = dataset.table("items")
    widths, heights = items["width"].to_pylist(), items["height"].to_pylist()
    unknown = [n for n, (w, h) in enumerate(zip(widths, heights, strict=True)) if not (w and h and w > 0 and h > 0)]
    if not unknown:
        return dataset, []
    paths, splits, ids = items["path"].to_pylist(), items["split"].to_pylist(), items["id"].to_pylist()
    filled: list[int] = []
    for n in unknown:
        source = paths[n]
        if not source or not stays_inside(source) or not is_image(Path(source)):
            continue
        try:
            file = media_source(root.of(splits[n], str(ids[n])), source, root.bound)[0]
            width, height = placed_image_size(file, file)
        except InputError:
            continue
        known_w, known_h = widths[n] or 0, heights[n] or 0
        if (known_w > 0 and known_w != width) or (known_h > 0 and known_h != height):
            continue  # (a side it knows that its file does not have: the plan reports its size read back so)
        widths[n], heights[n] = width, height
        filled.append(n)
    if not filled:
        return dataset, []
    table = items
    for name, values in (("width", widths), ("height", heights)):
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, items[name].type))
    return Dataset.from_tables({**dataset.tables(), "items": table}, dataset.categories, dataset.info), filled


_NO_PIXEL_LIMIT = threading.Lock()
"""Held while Pillow's pixel limit is lifted to read a large image's header (see :func:`image_size`)."""


def _header(path: Path, plain_tried: bool = False) -> tuple[int, int, Any]:
    """Width, height (as stored) and EXIF orientation: a plain JPEG's or PNG's read here, any other by Pillow.

    ``plain_tried``: the caller found no plain JPEG or PNG already (:func:`plain_image_size`): Pillow reads it.
    """
    try:  # (nothing read from a FIFO or a folder: refused below)
        plain = None if plain_tried else _plain_header_of(path)
    except OSError:  # (a socket cannot be opened: refused below by its kind, any other file as Pillow refuses it)
        plain = None
    if plain is not None:
        return plain
    if (pfm := _pfm_header(path)) is not None:
        return pfm
    from PIL import Image, TiffImagePlugin

    if not stat.S_ISREG(os.stat(path).st_mode):  # (a FIFO would make Pillow wait forever)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    # (Pillow warns, on stderr, of an image past its pixel limit, whose header alone is read here, and of a
    # camera's broken EXIF block, "Truncated File Read": the library never prints)
    with no_warnings(), quiet_pillow_log(), Image.open(path) as im:
        width, height = im.size
        if isinstance(im, TiffImagePlugin.TiffImageFile):  # (im.format "TIFF")
            # Pillow's TIFF reader may give the size as displayed already (recent versions turn it for
            # orientations 5 to 8): the stored size comes from the tags, so the turn below happens once
            stored_width, stored_height = im.tag_v2.get(_TIFF_WIDTH), im.tag_v2.get(_TIFF_LENGTH)
            if isinstance(stored_width, int) and isinstance(stored_height, int):
                width, height = stored_width, stored_height
        try:
            if im.format == "PNG" and "exif" not in im.info:
                # Pillow finds a PNG's eXIf chunk after the pixels by decoding them all (2 GB for a tiny file
                # claiming 100000 x 100000): only the chunks before the pixels, already read, are used, as
                # Pillow's own reading of them (Image.getexif without the PNG's load): ImageMagick's "Raw profile
                # type exif" text chunk and an XMP packet's tiff:Orientation, which Ultralytics turns the image by
                orientation = Image.Image.getexif(im).get(_EXIF_ORIENTATION)
            else:
                orientation = im.getexif().get(_EXIF_ORIENTATION)
        except Exception:  # noqa: BLE001 - a broken EXIF block must not hide a readable size
            orientation = None
    return width, height, orientation


_PFM = re.compile(rb"P[Ff]\s+([0-9]{1,10})\s+([0-9]{1,10})\s+([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s")
"""A PFM file's text header: ``PF`` (colour) or ``Pf`` (greyscale), width, height and scale (its sign the byte
order), each followed by whitespace."""


def _pfm_header(path: Path) -> tuple[int, int, None] | None:
    """A PFM image's width and height from its text header (no orientation); None for a file that is none.

    Pillow identifies the greyscale ``Pf`` only: a colour ``PF``, the common kind, which OpenCV (and so
    Ultralytics) loads, was ``cannot identify image file`` (``.pfm`` is one of Ultralytics' image extensions).
    A header of no positive width and height and no non-zero scale is left to Pillow to refuse, and so is a file
    that cannot be opened (a socket: refused by its kind).
    """
    try:
        match = _PFM.match(read_head(path, 64))
    except OSError:
        return None
    if match is None or float(match[3]) == 0.0:
        return None
    width, height = int(match[1]), int(match[2])
    return (width, height, None) if width > 0 and height > 0 else None


def image_size(path: Path, plain_tried: bool = False) -> tuple[int, int]:
    """Width and height of an image as displayed, read from its header only (pixels are never decoded).

    EXIF orientations 5 to 8 turn the image by 90 degrees, so width and height are swapped for them, as
    Ultralytics and browsers do. ``plain_tried``: :func:`plain_image_size` gave None for it already (its header
    bytes are not read again before Pillow reads them).

    Raises:
        InputError: the file is missing or is not an image Pillow can identify.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        try:
            width, height, orientation = _header(path, plain_tried)
        except Image.DecompressionBombError:
            # Pillow refuses to open images over its pixel limit (aerial images of 20000 x 20000, say), but
            # only the header is read here, never the pixels: read it again without the limit
            with _NO_PIXEL_LIMIT:
                limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
                try:
                    width, height, orientation = _header(path, plain_tried)
                finally:
                    Image.MAX_IMAGE_PIXELS = limit
    except FileNotFoundError as exc:
        raise InputError("image not found", path=path) from exc
    except PermissionError as exc:  # (a file-system error, not a bad header: said as every reader says it)
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"unreadable image header: {exc}", path=path) from exc
    except LabelkitError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow's readers of rarer formats raise anything on a broken file
        # (MemoryError for a JPEG 2000 box claiming 2**62 bytes, RuntimeError from AVIF's decoder,
        # NotImplementedError and AttributeError from DDS and SPIDER files named .jpg): the file is unreadable
        raise InputError(f"unreadable image header: {type(exc).__name__}: {exc}", path=path) from exc
    return _displayed(int(width), int(height), orientation)


def _plain_header_of(path: str | Path) -> tuple[int, int, int | None] | None:
    """:func:`~labelkit.formats.plain_headers.plain_header` of a file: its first 4 KiB, else its first 64 KiB.

    Most headers fit in 4 KiB (a JPEG's EXIF block with a thumbnail, an ICC profile, may not): on a slow disk,
    reading 64 KiB of every image would read ten times what Pillow reads of most.

    Raises:
        OSError: the file cannot be opened (nothing is read from a FIFO or a folder).
    """
    head = read_head(path, _FIRST)
    plain = plain_header(head)
    if plain is None and len(head) == _FIRST:  # (its header may go on past the first 4 KiB)
        plain = plain_header(read_head(path, HEAD))
    return plain


_FIRST = 1 << 12


def _displayed(width: int, height: int, orientation: Any) -> tuple[int, int]:
    """The size as displayed: EXIF orientations 5 to 8 turn the image by 90 degrees."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def plain_image_size(image: str) -> tuple[int, int] | None:
    """:func:`image_size` of a plain JPEG or PNG file at ``image`` (see :mod:`labelkit.formats.plain_headers`).

    None where the name does not end in ``.jpg``, ``.jpeg`` or ``.png``, where there is no regular file, or where
    the file is no plain JPEG or PNG: :func:`image_size` says what it is (a reader of many images tries this first).
    """
    if not image.lower().endswith((".jpg", ".jpeg", ".png")):
        return None
    try:
        plain = _plain_header_of(image)
    except OSError:
        return None
    return None if plain is None else _displayed(*plain)


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``WIDTHxHEIGHT`` (the ``image_size`` option).

    Raises:
        UsageError: not two positive integers of at most 64 bits.

    Examples:
        >>> parse_size("640x480")
        (640, 480)
    """
    parts = text.lower().replace("*", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise UsageError("bad image_size", expected="WIDTHxHEIGHT such as 640x480", found=repr(text)) from None
    if not (0 < width <= INT64_MAX and 0 < height <= INT64_MAX):  # (beyond 64 bits: an internal error)
        raise UsageError("bad image_size", expected="positive sizes of at most 64 bits", found=repr(text))
    return width, height


def load_sizes(path: Path, inside: Path | None = None) -> dict[str, tuple[int, int]]:
    """Read an image-size file: a JSON object mapping image paths (relative, ``/``) to ``[width, height]``.

    ``inside``: the dataset's folder, for the file found there (not one ``-o image_sizes`` names), which then
    must not be a symbolic link leading out of it (see :func:`refuse_linked_out`).

    Raises:
        InputError: not such an object, or one image given two sizes (``a.jpg`` and ``./a.jpg``).
    """
    if inside is not None:
        refuse_linked_out(path, inside)
    data = read_bytes(path)
    value = parse_json(data, path)
    if not isinstance(value, dict):
        raise InputError("an image-size file must be a JSON object", path=path, expected="{path: [width, height]}")
    out: dict[str, tuple[int, int]] = {}
    for key, size in value.items():  # (one image a key: its checks inline, its pointer made for an error only)
        if not (
            type(size) is list
            and len(size) == 2
            and type(width := size[0]) is int  # (JSON's true is a bool: no int here)
            and type(height := size[1]) is int
            and 0 < width <= INT64_MAX
            and 0 < height <= INT64_MAX
        ):
            raise InputError(
                "bad image size",
                path=path,
                pointer=json_pointer(key),
                expected="[width, height] (positive, 64-bit)",
                found=json.dumps(size),
            )
        name = key if is_plain_relpath(key) else safe_relpath(key, source=path, pointer=json_pointer(key))
        if name in out and out[name] != (width, height):  # (a.jpg and ./a.jpg: the later won, unsaid)
            raise InputError(
                f"image {name} is given two sizes",
                path=path,
                pointer=json_pointer(key),
                expected=json.dumps(list(out[name])),
                found=json.dumps(size),
            )
        out[name] = (width, height)
    # a key repeated: the JSON reader kept the last value, unsaid. Each value is one list of two integers (checked
    # above), so the text holds as many ']' as keys, and more where a key is repeated (or holds one): then the keys
    # are read again
    if data.count(b"]") != len(value):
        _refuse_repeated_sizes(data, path)
    return out


def _refuse_repeated_sizes(data: bytes, path: Path) -> None:
    """Refuse an image-size file giving one key two sizes (the same size again is none)."""
    seen: dict[str, Any] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        for key, size in items:  # (the top level, the one object: values are lists)
            if key in seen and seen[key] != size:
                raise InputError(
                    f"image {key} is given two sizes",
                    path=path,
                    pointer=json_pointer(key),
                    expected=json.dumps(seen[key]),
                    found=json.dumps(size),
                )
            seen.setdefault(key, size)
        return dict(items)

    with contextlib.suppress(ValueError):  # (parse_json read it: a value the checks refuse is named there)
        json.loads(without_bom(data), object_pairs_hook=pairs)


def sizes_document(sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The image-size side file's content (sorted keys for deterministic output)."""
    return {key: [w, h] for key, (w, h) in sorted(sizes.items())}


_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def sizes_text(
    paths: list[str], widths: Sequence[int | None] | pa.ChunkedArray, heights: Sequence[int | None] | pa.ChunkedArray
) -> bytes:
    r"""The image-size side file as JSON text, built by Arrow (train2017 has 118k entries).

    The same bytes as ``orjson.dumps(sizes_document(...))`` and a newline; images of unknown size (null
    or 0) are left out. Paths that JSON must escape, or a path given twice, take ``orjson`` itself.

    Examples:
        >>> sizes_text(["b.jpg", "a.jpg", "c.jpg"], [4, 2, None], [3, 1, 5])
        b'{"a.jpg":[2,1],"b.jpg":[4,3]}\n'
    """
    p, w, h = pa.array(paths, pa.string()), _int64(widths), _int64(heights)
    known = listed_sizes(w, h)
    if not pc.all(known).as_py():
        p, w, h = p.filter(known), w.filter(known), h.filter(known)
    order = pc.sort_indices(p)  # UTF-8 byte order is code point order: the order of sorted() on str
    p, w, h = p.take(order), w.take(order), h.take(order)
    twice = len(p) > 1 and pc.any(pc.equal(p[1:], p[:-1])).as_py()
    if twice or pc.any(pc.match_substring_regex(p, _JSON_ESCAPED.pattern)).as_py():
        pairs = zip(paths, _int64(widths).to_pylist(), _int64(heights).to_pylist(), strict=True)
        sizes = {k: (a, b) for k, a, b in pairs if a and b}
        return orjson.dumps(sizes_document(sizes)) + b"\n"
    entries = pc.binary_join_element_wise('"', p, '":[', w.cast(pa.string()), ",", h.cast(pa.string()), "],", "")
    _, offsets, data = entries.buffers()
    end = int(np.frombuffer(offsets, dtype=np.int32)[len(entries)]) if len(entries) else 1
    body = data.to_pybytes()[: end - 1] if len(entries) else b""  # without the last comma
    return b"{" + body + b"}\n"


def listed_sizes(widths: pa.Array | pa.ChunkedArray, heights: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Per image, whether :func:`sizes_text` lists its size: known (not null, not 0) on both sides."""
    return pc.and_(pc.fill_null(pc.not_equal(widths, 0), False), pc.fill_null(pc.not_equal(heights, 0), False))


def _int64(values: Sequence[int | None] | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks().cast(pa.int64())
    return pa.array(values, pa.int64())


def stays_inside(name: str) -> bool:
    """Whether ``name`` is a path inside the folder it is relative to (:func:`labelkit.io.safe_relpath`)."""
    try:
        safe_relpath(name)
    except InputError:
        return False
    return True


def media_source(root: Path, name: str, bound: Path | None = None) -> tuple[Path, Path]:
    """The image ``name`` (an item's path, relative to ``root``) that :func:`place_media` copies or links.

    As found there, and with its links resolved; a plan asks it of each image, to refuse what the write would.
    Its links must not lead out of ``bound`` (:attr:`MediaRoot.bound`; ``root`` when not given).

    Raises:
        InputError: the image is missing, or its path leaves ``root`` (see :func:`place_media`).
    """
    source = contained(root, name, source=root)
    if not os.path.lexists(source):
        raise InputError(
            "image not found",
            path=source,
            hint="an item's image path is relative to media_root: set it to the images' folder, or use -o media=none",
        )
    real = Path(os.path.realpath(source))  # (a loop of links: as it is, which not_a_file names below)
    if not real.is_relative_to(os.path.realpath(root if bound is None else bound)):  # a link (file, folder) out
        raise InputError(
            "image is a link to a file outside media_root",
            path=source,
            found=str(real),
            hint="copy the image into media_root, or use -o media=none",
        )
    problem = not_a_file(source)  # (a FIFO, a folder or a device is no image: 'image not found' said otherwise)
    if problem is not None:
        raise problem
    return source, real


def refuse_unplaced_media(
    ids: Sequence[str], paths: Sequence[str | None], splits: Sequence[str | None], options: Mapping[str, Any]
) -> None:
    """With ``media=copy`` or ``link``, refuse an image :func:`place_media` would refuse: a plan refuses it too.

    A dry run passed over an image missing from ``media_root``, which the write then refused. (A path leaving
    ``media_root`` is refused naming its item before writing: see :func:`labelkit.api.save`.)

    Raises:
        InputError: naming the first image (in the items' order, the write's) missing or leading out of it.
    """
    root = media_root_of(options)
    if str(options.get("media") or "none") == "none" or root is None:
        return
    for item, name, split in zip(ids, paths, splits, strict=True):
        if name and stays_inside(name):
            media_source(root.of(split, item), name, root.bound)


def place_media(root: Path, name: str, target: Path, mode: str, bound: Path | None = None) -> Path:
    """Copy or symlink the image ``name`` (an item's path, relative to ``root``) into an output folder.

    Returns the image copied or linked (``name`` within ``root``), for errors to name.

    Raises:
        InputError: the image is missing, or its path leaves ``root`` (absolute, or climbing with ``..``:
            an untrusted dataset must not copy other files of the machine into its output).
        OutputError: the copy or link failed, or ``target`` exists (another item's image went there: it is
            never overwritten).
    """
    source, real = media_source(root, name, bound)
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(target):
        raise OutputError(
            "an image would overwrite a file already written (another item's image, or a label file)",
            path=target,
            hint="give the images distinct file names",
        )
    try:
        if mode == "link":
            os.symlink(real, target)
        else:
            shutil.copyfile(source, target)
    except OSError as exc:
        raise OutputError(f"cannot {mode} image: {exc.strerror or exc}", path=target) from exc
    return source
