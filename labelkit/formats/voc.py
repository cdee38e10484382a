"""Pascal VOC: ``Annotations/*.xml``, ``ImageSets``, segmentation PNGs (http://host.robots.ox.ac.uk/pascal/VOC/).

Reads the full VOC layout: object boxes with ``pose``, ``truncated``, ``difficult``, ``occluded``, ``parts``,
``actions`` and ``attributes``; ``ImageSets/Main/<split>.txt`` (item splits) and ``<class>_<split>.txt``
(image-level labels); ``ImageSets/Segmentation``, ``Action`` and ``Layout``; ``SegmentationClass`` and
``SegmentationObject`` PNGs (palette or RGB) turned into per-object masks, their void pixels (255) kept as
``voc:void*`` item metadata (see :func:`labelkit.formats.voc_build.void_metadata`); ``labelmap.txt`` for
non-standard classes. Also Roboflow's flat layout (XML beside the images in split folders). XML is parsed with
defusedxml only: a DTD or an entity is an error. VOC's 1-based inclusive pixel corners convert exactly to the model's
``x, y, w, h`` (see :func:`labelkit.model.geometry.voc_to_xywh`). The writer is :mod:`labelkit.formats.voc_write`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Literal

import numpy as np

from labelkit.errors import InputError
from labelkit.formats import voc_files
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.crowd import CROWD, CROWD_OPTION
from labelkit.formats.voc_files import case_twins_note, forks_note, is_fork, read_inside, without_forks
from labelkit.formats.voc_labelmap import parse_labelmap
from labelkit.formats.voc_parse import parse_annotation
from labelkit.formats.voc_sets import Sets, image_sets
from labelkit.formats.yolo_listing import without_suffix
from labelkit.formats.yolo_media import not_a_file
from labelkit.io import Inside, no_warnings, quiet_pillow_log, read_bytes, read_head, require_utf8_name, walk_linked
from labelkit.model import Dataset, raster
from labelkit.portable import by_name, by_parts
from labelkit.report import Finding, Report

NAME = "voc"
TITLE = "Pascal VOC"
DESCRIPTION = "Pascal VOC folders: XML boxes with flags, parts and actions, image sets, segmentation PNGs"
OUTPUT: Literal["dir"] = "dir"
SPLIT_FILES = True
"""Splits name this format's files and folders (see ``formats.base.SPLIT_FILES``)."""
EXTENSIONS: tuple[str, ...] = (".xml",)
CAPABILITIES = Capabilities(
    kinds=frozenset({"object", "label"}),
    shapes=frozenset({"box", "mask"}),
    geometry=frozenset({"bbox", "mask"}),
    attributes=True,
    item_metadata=True,
    splits=True,
    extras="voc",
    object_fields=frozenset({"occluded"}),
    category_fields=frozenset({"color"}),
)
OPTIONS: dict[str, Option] = {
    "masks": Option(
        "masks",
        "choice",
        "auto",
        "segmentation PNGs: auto (masks only), all (also rasterise polygons), none",
        ("auto", "all", "none"),
        applies="write",
    ),
    CROWD: CROWD_OPTION,
    "media": Option(
        "media", "choice", "none", "images: none, copy or link into JPEGImages/", ("none", "copy", "link"), "write"
    ),
    "media_root": Option("media_root", "str", "", "folder the items' image paths are relative to", applies="write"),
    "split": Option("split", "str", "train", "split of items that have none", applies="write"),
    "links": Option(
        "links",
        "choice",
        "inside",
        "files that are symbolic links: inside (each must lead inside the dataset, so an untrusted one cannot "
        "read other files of the machine), follow (any: DVC or git-annex checkouts)",
        ("inside", "follow"),
        "read",
    ),
}

_LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"


def _refuse_linked_out(path: Path, inside: Inside | None) -> None:
    """Refuse ``path`` when a symbolic link (of the file or a folder on its way) takes it out of the dataset.

    Raises:
        InputError: naming the file, as YOLO's reader does: an untrusted dataset could otherwise make labelkit
            read (and write into its output: a list linked to /etc/hostname gave an item of that name) any file.
    """
    reason = inside.refusal(path) if inside is not None else None
    if reason is not None:
        raise InputError(f"cannot read: {reason}", path=path, hint=_LINK_HINT)


VOC_CLASSES: tuple[str, ...] = (
    "background",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)
"""The standard VOC labelmap: the index is the class's value in segmentation PNGs (0 = background)."""

VOID_INDEX = 255
"""Object borders and "don't care" pixels in VOC segmentation PNGs."""


def voc_palette() -> list[tuple[int, int, int]]:
    """VOC's 256-colour palette: the bits of the index spread over r, g and b, high bits first.

    Examples:
        >>> voc_palette()[:3]
        [(0, 0, 0), (128, 0, 0), (0, 128, 0)]
    """
    return list(_PALETTE)


def _make_palette() -> tuple[tuple[int, int, int], ...]:
    out = []
    for index in range(256):
        r = g = b = 0
        c = index
        for shift in range(7, -1, -1):
            r |= (c & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        out.append((r, g, b))
    return tuple(out)


_PALETTE = _make_palette()


# -- detection -------------------------------------------------------------------------------------


def _xml_dirs(root: Path) -> list[tuple[str | None, Path]]:
    """Folders of annotation XML: ``Annotations/``, else Roboflow split folders, else the root itself."""
    if (root / "Annotations").is_dir():
        return [(None, root / "Annotations")]
    splits = [(p.name, p) for p in sorted(root.iterdir(), key=by_name) if p.is_dir() and _holds_xml(p)]
    if splits:
        return list(splits)
    return [(None, root)] if _holds_xml(root) else []


_ROOT_TAG = re.compile(rb"<annotation[\s>/]")
"""VOC's root element (not CVAT's ``<annotations>``), looked for in a file's first bytes."""


_UTF16_STARTS = {b"\xff\xfe": "utf-16-le", b"<\x00": "utf-16-le", b"\xfe\xff": "utf-16-be", b"\x00<": "utf-16-be"}
"""A file's first two bytes in UTF-16 (a byte-order mark, or ``<`` without one) and the codec they say."""


def _looks_like_voc(xml: Path) -> bool:
    """Whether a file's first 2 KB open an ``<annotation>`` element (a truncated or long file still does).

    A UTF-16 file (which expat reads) is looked at as its text.
    """
    try:
        head = read_head(xml, 2048)
    except OSError:
        return False
    codec = _UTF16_STARTS.get(head[:2])
    if codec is not None:
        head = head[: len(head) // 2 * 2].decode(codec, "replace").encode()
    return _ROOT_TAG.search(head) is not None


def _is_xml(name: str) -> bool:
    """An annotation file's name: ``*.xml`` in any case (``IMG_0001.XML``, as Windows tools may write it)."""
    return name.lower().endswith(".xml")


def _holds_xml(folder: Path) -> bool:
    """Whether a folder holds an annotation file (not looking in its subfolders; macOS's ``._a.xml`` is none)."""
    try:  # (on names: a folder of 118k images made as many Path objects, over half a second)
        with os.scandir(folder) as entries:
            return any(_is_xml(e.name) and not is_fork(e.name) for e in entries)
    except OSError:  # (a folder that cannot be listed is no VOC folder, as glob takes it)
        return False


def _first_xml(folder: Path) -> Path | None:
    """The first ``*.xml`` file of a folder by name, not a macOS resource fork (``._a.xml``).

    By name: the same whatever order the file system lists them in.
    """
    with os.scandir(folder) as entries:
        first = min((e.name for e in entries if _is_xml(e.name) and not is_fork(e.name)), default=None)
    return None if first is None else folder / first


def detect(path: Path) -> Detection | None:
    """A folder with ``Annotations/*.xml`` (or Roboflow split folders of VOC XML), or one VOC XML file.

    Only the first XML file by name is looked at (in ``Annotations/`` it may be damaged: reading it names what is
    wrong). Without ``Annotations/``, ``ImageSets/`` beside segmentation PNGs is CVAT's Segmentation mask export.
    """
    if path.is_file():
        if path.suffix.lower() == ".xml" and _looks_like_voc(path):
            return Detection(0.7, "XML file with <annotation>")
        return None
    if not path.is_dir():
        return None
    if (path / "Annotations").is_dir():
        first = _first_xml(path / "Annotations") or voc_files.first_xml_below(path / "Annotations", _is_xml)
        if first is not None and _looks_like_voc(first) or (path / "ImageSets").is_dir():
            return Detection(0.95, "folder with Annotations/*.xml")
        if first is not None:
            name = first.relative_to(path / "Annotations").as_posix()
            return Detection(0.6, f"folder with Annotations/*.xml (the first, {name}, opens no <annotation>)")
    elif (path / "ImageSets").is_dir() and any((path / f"Segmentation{k}").is_dir() for k in ("Class", "Object")):
        return Detection(0.9, "folder with ImageSets/ and SegmentationClass/ or SegmentationObject/ PNGs")
    dirs = _xml_dirs(path)
    if dirs:
        first = _first_xml(dirs[0][1])
        if first is not None and _looks_like_voc(first):
            return Detection(0.7, "folders of VOC XML beside images (Roboflow layout)")
    return None


# -- segmentation PNGs ------------------------------------------------------------------------------


def _png_header(head: bytes) -> tuple[int, int, int] | None:
    """A PNG's bit depth, colour type and pixel count from its first 26 bytes' ``IHDR`` (None: no PNG's)."""
    if len(head) < 26 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    return head[24], head[25], int.from_bytes(head[16:20], "big") * int.from_bytes(head[20:24], "big")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _require_png(path: Path, head: bytes) -> None:
    """Refuse a segmentation file whose bytes (``head``: its first) are not a PNG's.

    Pillow opens a JPEG or GIF named ``.png`` by its content: a JPEG's compression noise, read as indices, made
    masks of classes the image never had.

    Raises:
        InputError: the file does not start with PNG's 8-byte signature (its first bytes).
    """
    if head[:8] != PNG_SIGNATURE:
        raise InputError(
            "unreadable PNG: not a PNG file",
            path=path,
            expected="PNG's 8-byte signature",
            found=repr(head[:8]),
            hint="save the mask as a PNG (a JPEG or GIF renamed .png is not one)",
        )


_GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N"})
"""Pillow's modes of grayscale PNGs (1 to 16 bits, with or without alpha): their values are indices."""


def _png_indices(
    path: Path,
    lookup: dict[tuple[int, int, int], int],
    colors: Sequence[tuple[int, int, int]],
    top: int = VOID_INDEX,
    shared: Mapping[tuple[int, int, int], str] | None = None,
) -> np.ndarray[Any, Any]:
    """A segmentation PNG as class or instance indices: palette and grey values directly, RGB through ``lookup``.

    A palette PNG whose indices in use have their own colours (``colors``: what labelkit and VOC write) is
    taken as it is, even where two classes share a colour; another palette (a writer may reorder one) is
    mapped through the colours when all of them are known and each is at the first index of its colour (a
    palette padded with black, or of one colour throughout, is taken as it is). A grayscale PNG's values are the
    indices (1, 2 and 4-bit ones too, which Pillow scales up to 0-255), up to ``top``: 255 for
    a class PNG, whose values end with void, and 65535 for an object PNG, where 16-bit values past 255 are
    instance ids. An alpha channel
    says nothing of the class: opaque pixels are read, transparent black ones are background (0), and any
    other pixel is an error, as its value may or may not have been meant. A colour mapped through ``lookup``
    that ``shared`` holds (the colour of two labelmap classes, with their names) is an error: its class is
    unclear.

    Raises:
        InputError: an unreadable PNG (bytes not a PNG's too); a colour no class or instance has, or two classes
            share, a value above ``top``, or a pixel neither opaque nor transparent black (the file and the first
            such pixel); a 16-bit colour or grey+alpha PNG, of which Pillow keeps only the high byte.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # (a FIFO would make Pillow wait forever)
            raise InputError("cannot read: not a regular file", path=path)
        head = read_head(path, 26)  # (one read: the signature, then the IHDR's size)
        _require_png(path, head)
        header = _png_header(head)
        # (Pillow warns, on stderr, of a PNG past its pixel limit: the library never prints; past twice the limit
        # it refuses the PNG, as below. Warnings are ignored only then: their filters are the process's)
        quiet = header is None or Image.MAX_IMAGE_PIXELS is not None and header[2] > Image.MAX_IMAGE_PIXELS
        with no_warnings() if quiet else nullcontext(), quiet_pillow_log(), Image.open(path) as im:
            if im.mode == "P":
                indices = np.asarray(im, dtype=np.uint8)
                palette = im.getpalette() or []
                # PNG writers may reorder a palette; the colours are what VOC means, so map them when all are known
                used = raster.distinct(indices)
                if all(tuple(palette[3 * i : 3 * i + 3]) == colors[i] for i in used if i < VOID_INDEX):
                    return indices
                table = np.arange(256, dtype=np.uint8)
                taken: set[int] = set()
                first: dict[tuple[int, ...], int] = {}  # each colour's first index in the palette
                for k, rgb in enumerate(zip(palette[0::3], palette[1::3], palette[2::3], strict=False)):
                    first.setdefault(rgb, k)
                for i in used:
                    rgb_i = tuple(palette[3 * i : 3 * i + 3])
                    if len(rgb_i) != 3 or rgb_i not in lookup:
                        return indices
                    value = lookup[(int(rgb_i[0]), int(rgb_i[1]), int(rgb_i[2]))]
                    if value in taken or first[rgb_i] < i:
                        # (no reordering: an index in use whose colour an earlier one has is a copy, not a moved
                        # colour: the black a palette is padded with past VOC's 21 colours, or an all-black one:
                        # read the indices; a moved colour is at its first index, whatever copies follow)
                        return indices
                    if shared and rgb_i in shared:
                        y, x = (int(v) for v in np.argwhere(indices == i)[0])
                        raise _shared_colour(path, (x, y), rgb_i, shared[rgb_i])
                    taken.add(value)
                    table[i] = value
                return table[indices]
            if header is not None and header[0] == 16 and header[1] in (2, 4, 6):
                kind = {2: "RGB", 4: "grey+alpha", 6: "RGBA"}[header[1]]
                raise InputError(
                    f"16-bit {kind} segmentation PNG: Pillow reads only the high byte of each value",
                    path=path,
                    hint="save it as 8-bit (a palette, grey or RGB PNG), or as 16-bit grey for instance ids",
                )
            if im.mode in _GREY_MODES:
                pixels = np.asarray(im)
                values, alpha = (pixels[..., 0], pixels[..., 1]) if im.mode == "LA" else (pixels, None)
                if header is not None and header[1] in (0, 4) and header[0] in (2, 4):
                    values = values // (255 // ((1 << header[0]) - 1))  # (Pillow scaled the values up to 0-255)
                _check_alpha(values, alpha, path)
                return _grey_indices(values, top, path)
            if im.mode not in ("RGB", "RGBA"):
                raise InputError(
                    f"segmentation PNG of mode {im.mode}", path=path, expected="a palette, grey or RGB PNG"
                )
            pixels = np.asarray(im)
    # (Pillow raises ValueError for a truncated IHDR or a text chunk past its limit, SyntaxError for a broken chunk:
    # they were internal errors)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InputError(f"unreadable PNG: {exc}", path=path) from exc
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file named .png that another of Pillow's readers opens, broken
        # (a SPIDER or DDS file: AttributeError, NotImplementedError), or a decoder's own error
        raise InputError(f"unreadable PNG: {type(exc).__name__}: {exc}", path=path) from exc
    alpha = pixels[..., 3] if pixels.shape[-1] == 4 else None
    _check_alpha(pixels[..., :3], alpha, path)
    indices = _rgb_indices(pixels[..., :3], lookup, path, shared)
    if alpha is not None:
        indices[alpha == 0] = 0  # (transparent black: background, whatever class a labelmap gives black)
    return indices


def _grey_indices(values: np.ndarray[Any, Any], top: int, path: Path) -> np.ndarray[Any, Any]:
    """A grayscale PNG's values as indices (uint8, or uint16 past 255), each at most ``top``.

    Raises:
        InputError: a value above ``top`` (the file and its first pixel).
    """
    if values.dtype == np.uint8 or values.dtype == bool:
        return values.astype(np.uint8, copy=False)
    high = int(values.max(initial=0))
    if high > top or int(values.min(initial=0)) < 0:
        y, x = (int(v) for v in np.argwhere((values > top) | (values < 0))[0])
        what = "class PNG value above 255" if top == VOID_INDEX else "value out of range"
        expected = "0 (background), a class's value, or 255 (void)" if top == VOID_INDEX else f"0 to {top}"
        raise InputError(what, path=path, pixel=(x, y), expected=expected, found=str(int(values[y, x])))
    return values.astype(np.uint8 if high <= 255 else np.uint16)


def _check_alpha(values: np.ndarray[Any, Any], alpha: np.ndarray[Any, Any] | None, path: Path) -> None:
    """Refuse a mask pixel that is neither opaque nor transparent black: which class it means is unclear.

    Raises:
        InputError: naming the file and the first such pixel, with its value or colour and alpha.
    """
    if alpha is None or bool((alpha == 255).all()):
        return
    black = values == 0 if values.ndim == 2 else ~values.any(axis=-1)
    unclear = (alpha != 255) & ~((alpha == 0) & black)
    if unclear.any():
        y, x = (int(v) for v in np.argwhere(unclear)[0])
        value = values[y, x].tolist()
        raise InputError(
            "segmentation PNG pixel neither opaque nor transparent black: its class is unclear",
            path=path,
            pixel=(x, y),
            found=f"{tuple(value) if isinstance(value, list) else value} at alpha {int(alpha[y, x])}",
            hint="make the mask opaque (alpha 255), with transparent pixels black",
        )


_RGB_BLOCK = 1 << 20
"""Pixels of an RGB mask mapped at a time: a whole 8000 x 8000 mask as 64-bit colours, sorted, took 3.6 GB."""


def _shared_colour(path: Path, pixel: tuple[int, int], color: tuple[Any, ...], names: str) -> InputError:
    return InputError(
        f"colour of the classes {names} in labelmap.txt: its class is unclear",
        path=path,
        pixel=pixel,
        found=str(tuple(int(c) for c in color)),
        hint="give each class its own colour in labelmap.txt",
    )


def _rgb_indices(
    rgb: np.ndarray[Any, Any],
    lookup: dict[tuple[int, int, int], int],
    path: Path,
    shared: Mapping[tuple[int, int, int], str] | None = None,
) -> np.ndarray[Any, Any]:
    """Map an RGB mask's colours to indices through a 2^24-entry table, a block of rows at a time.

    Raises:
        InputError: a colour that is neither in the labelmap nor in the VOC palette, or one of ``shared``
            (the colour of two labelmap classes).
    """
    table = np.zeros(1 << 24, dtype=np.uint8)  # (zero pages: only the entries set and read are touched)
    known = np.zeros(1 << 24, dtype=bool)
    for (r, g, b), value in lookup.items():
        table[(r << 16) | (g << 8) | b] = value
        known[(r << 16) | (g << 8) | b] = True
    for r, g, b in shared or {}:  # (refused below, as a colour no class has is, but with its classes named)
        known[(r << 16) | (g << 8) | b] = False
    out = np.empty(rgb.shape[:2], dtype=np.uint8)
    rows = max(1, _RGB_BLOCK // max(rgb.shape[1], 1))
    for start in range(0, rgb.shape[0], rows):
        block = rgb[start : start + rows].astype(np.uint32)
        packed = (block[..., 0] << 16) | (block[..., 1] << 8) | block[..., 2]
        unknown = ~known[packed]
        if unknown.any():
            y, x = (int(v) for v in np.argwhere(unknown)[0])
            c = int(packed[y, x])
            key = ((c >> 16) & 255, (c >> 8) & 255, c & 255)
            if shared and key in shared:
                raise _shared_colour(path, (x, start + y), key, shared[key])
            raise InputError(
                "colour not in the labelmap or the VOC palette", path=path, pixel=(x, start + y), found=str(key)
            )
        out[start : start + rows] = table[packed]
    return out


# -- reading ---------------------------------------------------------------------------------------


_FOLDERS = (
    "Annotations",
    "ImageSets",
    *(f"ImageSets/{task}" for task in ("Main", "Segmentation", "Action", "Layout")),
    "SegmentationClass",
    "SegmentationObject",
)
"""The folders of VOC's layout, whose lists and masks the reader takes when they are there."""


def _refuse_files_for_folders(root: Path) -> None:
    """Refuse a file (or a link to one) where VOC's layout has a folder.

    Passed over, what the folder holds was lost unsaid: ``ImageSets/Main`` as a file dropped every split and
    image-level label, and ``validate`` said ok.

    Raises:
        InputError: naming it.
    """
    for name in _FOLDERS:
        place = root / name
        if os.path.exists(place) and not place.is_dir():
            raise InputError("cannot read: not a folder, where VOC's layout has one", path=place)


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a Pascal VOC folder (or one annotation XML file).

    Raises:
        InputError: bad XML (file and line, or the element), an unsafe file name, a bad labelmap or list.
    """
    from labelkit.formats.voc_build import build

    path = Path(path)
    if path.is_file():
        item = parse_annotation(read_bytes(path), path)
        return build(path.parent, [(path.stem, None, path.parent, item)], None, Sets(), {})
    root = path
    inside = _inside(root, options)
    labelmap = None
    if (odd := not_a_file(root / "labelmap.txt")) is not None:  # (passed over, its colours and classes were lost)
        raise odd
    _refuse_files_for_folders(root)
    if (root / "labelmap.txt").is_file():
        _refuse_linked_out(root / "labelmap.txt", inside)
        labelmap = parse_labelmap(read_bytes(root / "labelmap.txt"), root / "labelmap.txt")
    forks: list[str] = []  # (macOS resource forks passed over: ._a.xml, ._a.png)
    parsed = [
        (item_id, split, folder, parse_annotation(read_inside(xml, inside, _LINK_HINT), xml))
        for item_id, split, folder, xml in _xml_files(root, forks)
    ]
    if not parsed and not (root / "ImageSets").is_dir():
        raise InputError("no VOC annotation files found", path=path, hint="expected Annotations/*.xml")
    lists = (root / "ImageSets").glob("*/*.txt") if (root / "ImageSets").is_dir() else []
    for listed in sorted(lists, key=by_parts):
        _refuse_linked_out(listed, inside)
        if (odd := not_a_file(listed)) is not None:  # (a FIFO read as empty: its images lost their split unsaid)
            raise odd
    objects = {o["name"] for _, _, _, item in parsed for o in item.objects}
    sets = image_sets(root, [*VOC_CLASSES, *(labelmap.names if labelmap else [])], objects)
    masks: dict[str, dict[str, Path]] = {}
    for kind in ("SegmentationClass", "SegmentationObject"):
        folder = root / kind
        if folder.is_dir():
            found = walk_linked(folder, lambda f: f.lower().endswith(".png"))
            for png in (folder / f for f in without_forks(found, folder, root, forks)):
                kinds = masks.setdefault(png.relative_to(folder).with_suffix("").as_posix(), {})
                if kind in kinds:  # a.png and a.PNG: one image's, and reading both would keep one unsaid
                    raise InputError(f"a second {kind} PNG of one image (first {kinds[kind].name})", path=png)
                _refuse_linked_out(png, inside)
                kinds[kind] = png
    dataset = build(root, parsed, labelmap, sets, masks)
    notes = (forks_note(sorted(forks + sets.forks)), case_twins_note([p[0] for p in parsed], masks, root))
    dataset.read_notes.extend(note for note in notes if note is not None)
    return dataset


def _inside(root: Path, options: dict[str, Any]) -> Inside | None:
    """The folder the files read must stay in through symbolic links (none with ``links=follow``)."""
    return None if str(options.get("links") or "inside") == "follow" else Inside(root)


def _xml_files(root: Path, forks: list[str]) -> Iterator[tuple[str, str | None, Path, str]]:
    """Each annotation XML below ``root`` (macOS resource forks added to ``forks``): item id, split, folder, path.

    Raises:
        InputError: a name that is not UTF-8, or a second XML of one item (``a.xml`` and ``a.XML``).
    """
    for split, folder in _xml_dirs(root):
        seen: dict[str, str] = {}
        # (each file's path as text, str(folder / name), for its errors: no path object made per file)
        base = "" if str(folder) == os.curdir else os.path.join(folder, "")
        for xml_name in without_forks(walk_linked(folder, _is_xml), folder, root, forks):
            xml = base + (xml_name if os.sep == "/" else xml_name.replace("/", os.sep))
            item_id = without_suffix(xml_name)  # (as xml.relative_to(folder).with_suffix("").as_posix())
            require_utf8_name(item_id, root)  # (before the lists, which name items, are matched to files)
            if item_id in seen:  # a.xml and a.XML: one item, and reading both would keep one unsaid
                raise InputError(f"a second annotation file of item {item_id!r} (first {seen[item_id]})", path=xml)
            seen[item_id] = xml_name.rpartition("/")[2]
            yield item_id, split, folder, xml


def validate(path: Path, **options: Any) -> list[Finding]:
    """The findings of a VOC folder: each annotation XML that cannot be read, else the first error of the rest.

    The folder is read as :func:`read` reads it; when an annotation XML stops it, every XML is parsed on its own,
    each bad one a finding (at its line, or its element). Another error (a list, a PNG, the labelmap) is raised:
    the one finding (see :func:`labelkit.api.validate`).
    """
    try:
        read(path, **options)
    except InputError as exc:
        root = Path(path)
        if not root.is_dir() or not str(exc.location.path or "").lower().endswith(".xml"):
            raise
        inside = _inside(root, options)
        findings = []
        for _, _, _, xml in _xml_files(root, []):
            try:
                parse_annotation(read_inside(xml, inside, _LINK_HINT), xml)
            except InputError as bad:
                findings.append(bad.finding(xml))
        return findings or [exc.finding(path)]  # (a second XML of one item, a.xml and a.XML: not a parse)
    return []


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items whose files differ between machines (see :func:`.voc_write.writable`)."""
    from labelkit.formats import voc_write

    return voc_write.writable(dataset, **options)


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what VOC cannot hold (see :func:`labelkit.formats.voc_check.check`)."""
    from labelkit.formats import voc_check
    from labelkit.formats.voc_check_masks import with_boxes

    dataset, boxed = with_boxes(dataset)
    report.transform(
        "objects without a box", boxed, "a Pascal VOC object needs a box: the bounds of its polygon are written"
    )
    voc_check.check(dataset, report, **options)


def drops_polygons(options: dict[str, Any]) -> bool:
    """Whether polygons are dropped: yes unless ``masks=all`` rasterises them into the segmentation PNGs."""
    return str(options.get("masks") or "auto") != "all"


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write a VOC folder (see :func:`labelkit.formats.voc_write.write`)."""
    from labelkit.formats import voc_write
    from labelkit.formats.voc_check_masks import with_boxes

    voc_write.write(with_boxes(dataset)[0], Path(path), report, **options)
