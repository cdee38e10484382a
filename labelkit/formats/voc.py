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

import glob
import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

import numpy as np

from labelkit.errors import InputError
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.voc_sets import Sets, image_sets
from labelkit.formats.yolo_media import is_image
from labelkit.io import is_file, read_bytes, read_head, read_text, safe_relpath, walk_files
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.annotations import INT64_MAX, INT64_MIN
from labelkit.report import Report

NAME = "voc"
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
    "media": Option(
        "media", "choice", "none", "images: none, copy or link into JPEGImages/", ("none", "copy", "link"), "write"
    ),
    "media_root": Option("media_root", "str", "", "folder the items' image paths are relative to", applies="write"),
    "split": Option("split", "str", "train", "split of items that have none", applies="write"),
}

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
MAX_SIDE = INT64_MAX
"""The largest image width or height read from ``<size>`` (the model's sizes are 64-bit, as in COCO)."""
IDS_COMMENT = "# labelkit-category-ids:"
"""Comment in ``labelmap.txt`` that carries the model's category ids (other tools skip comment lines)."""


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


def hex_color(rgb: tuple[int, int, int]) -> str:
    """``(r, g, b)`` as ``#rrggbb``."""
    return f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}"


def parse_color(text: str | None) -> tuple[int, int, int] | None:
    """``#rrggbb`` (or ``r,g,b``) as a tuple, or None."""
    if not text:
        return None
    if text.startswith("#") and len(text) == 7:
        digits = text[1:]
        if not all(c in "0123456789abcdefABCDEF" for c in digits):
            return None
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    parts = text.split(",")
    if len(parts) == 3 and all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        r, g, b = (int(p) for p in parts)
        return (r, g, b) if max(r, g, b) <= 255 else None
    return None


# -- detection -------------------------------------------------------------------------------------


def _xml_dirs(root: Path) -> list[tuple[str | None, Path]]:
    """Folders of annotation XML: ``Annotations/``, else Roboflow split folders, else the root itself."""
    if (root / "Annotations").is_dir():
        return [(None, root / "Annotations")]
    splits = [(p.name, p) for p in sorted(root.iterdir()) if p.is_dir() and _holds_xml(p)]
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
    """Whether a folder holds an annotation file (not looking in its subfolders)."""
    try:
        return any(_is_xml(p.name) for p in folder.iterdir())
    except OSError:  # (a folder that cannot be listed is no VOC folder, as glob takes it)
        return False


def _first_xml(folder: Path) -> Path | None:
    """The first ``*.xml`` file of a folder by name: the same whatever order the file system lists them in."""
    with os.scandir(folder) as entries:
        first = min((e.name for e in entries if _is_xml(e.name)), default=None)
    return None if first is None else folder / first


def detect(path: Path) -> Detection | None:
    """A folder with ``Annotations/*.xml`` (or Roboflow split folders of VOC XML), or one VOC XML file.

    Only the first file by name is looked at. In ``Annotations/`` that file need not look like VOC (it may
    be damaged): reading it then says what is wrong with it, naming its line or element.
    """
    if path.is_file():
        if path.suffix.lower() == ".xml" and _looks_like_voc(path):
            return Detection(0.7, "XML file with <annotation>")
        return None
    if not path.is_dir():
        return None
    if (path / "Annotations").is_dir():
        first = _first_xml(path / "Annotations")
        if first is not None and _looks_like_voc(first) or (path / "ImageSets").is_dir():
            return Detection(0.95, "folder with Annotations/*.xml")
        if first is not None:
            return Detection(0.6, f"folder with Annotations/*.xml (the first, {first.name}, opens no <annotation>)")
    dirs = _xml_dirs(path)
    if dirs:
        first = _first_xml(dirs[0][1])
        if first is not None and _looks_like_voc(first):
            return Detection(0.7, "folders of VOC XML beside images (Roboflow layout)")
    return None


# -- XML -------------------------------------------------------------------------------------------


def parse_xml(data: bytes, path: Path) -> Element:
    """Parse one annotation file safely (defusedxml): no DTD, no entities, no network.

    Expat reads UTF-8, UTF-16 and the one-byte encodings; a file declaring a multi-byte legacy encoding
    (Shift_JIS, GBK, EUC-KR, ... as CJK tools write) is decoded by Python's codec first.

    Raises:
        InputError: bad or truncated XML (with its line), bytes its declared encoding cannot decode, or a DTD /
            entity declaration.
    """
    try:
        return _parse_xml(data, path)
    except ValueError as exc:  # (UnicodeError too: a codec that cannot decode at all, e.g. idna)
        if isinstance(exc, UnicodeError) or "multi-byte" not in str(exc):
            raise InputError(f"invalid XML: {exc}", path=path, line=1) from exc
    text = _decoded(data, path)
    try:
        return _parse_xml(text, path)
    except ValueError as exc:
        raise InputError(f"invalid XML: {exc}", path=path, line=1) from exc


def _parse_xml(source: bytes | str, path: Path) -> Element:
    from xml.etree.ElementTree import TreeBuilder

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    # (DET.fromstring's own steps, keeping the parser: expat's position names the DTD's line)
    parser = DET.DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
    try:
        parser.feed(source)
        root: Element = parser.close()
        return root
    except DefusedXmlException as exc:
        raise InputError(
            "XML with a DTD or entity declarations is refused",
            path=path,
            line=parser.parser.CurrentLineNumber,
            found=type(exc).__name__,
        ) from exc
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"invalid XML: {exc.msg if hasattr(exc, 'msg') else exc}", path=path, line=line) from exc
    except LookupError as exc:  # <?xml ... encoding="nan"?>: a codec Python does not know
        raise InputError(f"invalid XML: {exc}", path=path, line=1) from exc


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _decoded(data: bytes, path: Path) -> str:
    """The text of a file in the encoding its XML declaration names.

    Raises:
        InputError: an unknown encoding, or bytes it cannot decode (with their line).
    """
    m = _DECLARED_ENCODING.match(data)
    encoding = m.group(1).decode("ascii", "replace") if m else "utf-8"
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise InputError(f"invalid XML: unknown encoding {encoding!r}", path=path, line=1) from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"invalid XML: not {encoding} text ({exc.reason})", path=path, line=line) from exc


def _side(text: str) -> int | float:
    """An image side from ``<size>``: an integer as written (exact to 64 bits), else the number.

    A whole number (``640.0``, ``6.4e2``) is that integer; any other (``640.5``) comes back as a float, which
    the caller refuses.

    Raises:
        ValueError, OverflowError: not a finite number.
    """
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text) from None
        return int(value) if value.is_integer() else value


def _size_field(size: Element, tag: str, path: Path) -> int | None:
    """``<size>``'s ``<width>`` or ``<height>`` (None when absent or empty).

    Raises:
        InputError: not a finite number, or out of range, naming ``annotation/size/<tag>``.
    """
    text = _text(size.find(tag))
    if not text:
        return None
    try:
        value = _side(text)
    except (ValueError, OverflowError):  # OverflowError: inf
        raise InputError(
            f"<{tag}> is not a number", path=path, element=f"annotation/size/{tag}", found=repr(text)
        ) from None
    if not 0 <= value <= MAX_SIDE:
        raise InputError(f"<{tag}> is out of range (0 to {MAX_SIDE})", path=path, element=f"annotation/size/{tag}")
    if isinstance(value, float):  # (an image side is a whole number of pixels: 640.5 is no image's, nor 640's)
        raise InputError(
            f"<{tag}> is not a whole number of pixels", path=path, element=f"annotation/size/{tag}", found=repr(text)
        )
    return value


def _text(node: Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return node.text.strip()


def _number(node: Element, tag: str, path: Path, where: str) -> float:
    text = _text(node.find(tag))
    if text is None:
        raise InputError(f"missing <{tag}>", path=path, element=f"{where}/{tag}")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"<{tag}> is not a number", path=path, element=f"{where}/{tag}", found=repr(text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"<{tag}> is not finite", path=path, element=f"{where}/{tag}")
    return value


def _fields(node: Element, path: Path, where: str) -> dict[str, str] | str:
    """``<source>`` or ``<owner>``: its fields by tag, or (with none) its text, as written beside no field.

    Raises:
        InputError: a field repeated (its fields are a mapping: one value each).
    """
    if len(node) == 0 and (node.text or "").strip():
        return (node.text or "").strip()
    _once(node, None, path, where)
    return {child.tag: (child.text or "").strip() for child in node}


def _int_or_text(text: str) -> int | str:
    """A number when the text is ASCII digits that 64 bits hold, else the text as written."""
    return int(text) if text.isascii() and text.isdigit() and int(text) <= INT64_MAX else text


def _flag(node: Element, tag: str, path: Path, where: str) -> int | None:
    text = _text(node.find(tag))
    if text is None or text == "":
        return None
    try:
        value = int(float(text))
    except (ValueError, OverflowError):  # OverflowError: inf
        raise InputError(f"<{tag}> must be 0 or 1", path=path, element=f"{where}/{tag}", found=repr(text)) from None
    if not INT64_MIN <= value <= INT64_MAX:
        raise InputError(f"<{tag}> must be 0 or 1", path=path, element=f"{where}/{tag}", found=repr(text))
    return value


def _box(node: Element, path: Path, where: str) -> tuple[float, float, float, float]:
    bnd = node.find("bndbox")
    if bnd is None:
        raise InputError("missing <bndbox>", path=path, element=f"{where}/bndbox")
    at = f"{where}/bndbox"
    if len(bnd) > 4:  # (four children, each of the four corners found below: no corner repeats)
        _once(bnd, _CORNERS, path, at)
    box = G.voc_to_xywh(
        _number(bnd, "xmin", path, at), _number(bnd, "ymin", path, at), _number(bnd, "xmax", path, at),
        _number(bnd, "ymax", path, at),
    )  # fmt: skip
    if box[2] < 0 or box[3] < 0:  # xmax below xmin: written to COCO, it would be refused when read back
        raise InputError(
            "box has a negative width or height (xmax below xmin or ymax below ymin)", path=path, element=at
        )
    if not all(map(math.isfinite, box)):  # finite corners 1.7e308 apart: the width is not a number
        raise InputError("box's width or height is not finite", path=path, element=at)
    return box


_INT = re.compile(r"-?\d+\Z")


def attribute_value(text: str) -> bool | int | float | str:
    """A VOC ``<attribute>`` value typed: true/false, integers and finite numbers; else text.

    A number is typed only when it writes back as spelled (``007``, ``+3`` and ``-0`` stay texts), so a VOC
    round trip gives back the same text; true/false in any case are booleans (Datumaro writes ``True``).

    Examples:
        >>> attribute_value("true"), attribute_value("3"), attribute_value("2.5"), attribute_value("red")
        (True, 3, 2.5, 'red')
        >>> attribute_value("007"), attribute_value("True"), attribute_value("-0")
        ('007', True, '-0')
    """
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(text) and len(text) < 19:
        return int(text) if str(int(text)) == text else text
    try:
        value = float(text)
    except ValueError:
        return text
    return value if value == value and abs(value) != float("inf") and repr(value) == text else text


@dataclass
class _XmlItem:
    filename: str | None = None
    width: int | None = None
    height: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # elements and XML attributes not read (for a read note)


_ROOT_TAGS = frozenset({"filename", "folder", "source", "path", "owner", "size", "segmented", "object"})
_OBJECT_TAGS = frozenset(
    {"name", "pose", "truncated", "difficult", "occluded", "part", "actions", "point", "attributes", "bndbox"}
)
_SIZE_TAGS = frozenset({"width", "height", "depth"})
_ONCE_ROOT = _ROOT_TAGS - {"object"}
_ONCE_OBJECT = _OBJECT_TAGS - {"part"}
_CORNERS = frozenset({"xmin", "ymin", "xmax", "ymax"})
_ONCE_PART = frozenset({"name", "bndbox"})
_ONCE_POINT = frozenset({"x", "y"})
_ONCE_ATTRIBUTE = frozenset({"name", "value"})


def _once(node: Element, tags: frozenset[str] | None, path: Path, where: str) -> list[str]:
    """Refuse a second copy of a child element read as one value (``tags``; None: every child).

    The model holds one box, name, size, ... where a file may spell two: reading the first would drop the
    others without a word. Elements VOC repeats (``object``, ``part``, ``attribute``) and elements not read
    (counted in a read note) may repeat.

    Returns:
        The children's tags (one pass over them serves :func:`_unread` too).

    Raises:
        InputError: naming the second copy, as ``where/tag[2]``.
    """
    children = [child.tag for child in node]
    if len(set(children)) == len(children):  # (the usual case: one set, no loop)
        return children
    seen: set[str] = set()
    for tag in children:
        if tag in seen and isinstance(tag, str) and (tags is None or tag in tags):
            raise InputError(
                "repeated element", path=path, element=f"{where}/{tag}[2]", hint=f"<{where}> holds one <{tag}>"
            )
        seen.add(tag)
    return children


def _unread(
    node: Element, known: frozenset[str], once: frozenset[str], path: Path, where: str, label: str
) -> list[str]:
    """The child elements of ``node`` not among ``known``, and its XML attributes, as ``label/tag``, ``label@a``.

    Raises:
        InputError: a child among ``once`` repeated (see :func:`_once`), named under ``where``.
    """
    out = [f"{label}/{tag}" for tag in _once(node, once, path, where) if isinstance(tag, str) and tag not in known]
    for child in node:  # (a value with no attribute and no child, the usual field, holds nothing unread)
        if (len(child) or child.attrib) and child.tag in known and child.tag not in ("object", "size"):
            out += _unread_inside(child, leaf=False)  # (object and size: their own call)
    return out + [f"{label}@{key}" for key in node.attrib]


_INSIDE: dict[str, frozenset[str] | None] = {
    "bndbox": _CORNERS,
    "part": _ONCE_PART,
    "point": _ONCE_POINT,
    "attributes": frozenset({"attribute"}),
    "attribute": _ONCE_ATTRIBUTE,
    "actions": None,
    "source": None,
    "owner": None,
}
"""The elements read inside a field: its children's tags, or None where each child is a value (an action, a
source field). Any other field is a value: nothing inside it is read."""


def _unread_inside(node: Element, leaf: bool) -> list[str]:
    """The elements and XML attributes inside a field (see :data:`_INSIDE`) that are not read.

    As ``tag/child`` and ``tag@attribute``: ``<part><difficult>``, ``<bndbox><angle>``, ``<name lang="en">``.

    Args:
        node: a field of the annotation, an object or a field inside one.
        leaf: the field is a value (an action, a source field), whatever its tag.
    """
    out = [f"{node.tag}@{key}" for key in node.attrib]
    known = frozenset() if leaf else _INSIDE.get(node.tag, frozenset())
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if known is None or child.tag in known:
            if len(child) or child.attrib:
                out += _unread_inside(child, leaf=known is None)
        else:
            out.append(f"{node.tag}/{child.tag}")
    return out


def parse_annotation(data: bytes, path: Path) -> _XmlItem:
    """One ``<annotation>`` file as an item and object rows (pure: bytes in, data out).

    Raises:
        InputError: bad XML, or an object without a name or with a bad box (naming the element).
    """
    root = parse_xml(data, path)
    if root.tag != "annotation":
        raise InputError("root element must be <annotation>", path=path, element=root.tag)
    unread = _unread(root, _ROOT_TAGS, _ONCE_ROOT, path, "annotation", "annotation")
    item = _XmlItem(filename=_text(root.find("filename")))
    if item.filename:  # found only when reading a folder: refused here, where the file and element are known
        try:
            safe_relpath(item.filename)
        except InputError as exc:
            raise InputError(exc.message, path=path, element="annotation/filename", hint=exc.hint) from exc
    folder = root.find("folder")
    if folder is not None:  # (empty, as Roboflow and CVAT write it: written back so)
        item.metadata["voc:folder"] = _text(folder) or ""
    source = root.find("source")
    if source is not None:
        item.metadata["voc:source"] = _fields(source, path, "annotation/source")
    for tag in ("path", "owner"):
        node = root.find(tag)
        if node is not None and tag == "path":
            item.metadata["voc:path"] = _text(node) or ""
        elif node is not None:
            item.metadata["voc:owner"] = _fields(node, path, "annotation/owner")
    size = root.find("size")
    if size is not None:
        size_unread = _unread(size, _SIZE_TAGS, _SIZE_TAGS, path, "annotation/size", "size")
        item.width = _size_field(size, "width", path)
        item.height = _size_field(size, "height", path)
        depth = size.find("depth")
        if depth is not None:
            item.metadata["voc:depth"] = _int_or_text(_text(depth) or "")
        if item.width == 0 or item.height == 0:
            item.width = item.height = None  # VOC tools write 0 when they did not know the size
    segmented = _text(root.find("segmented"))
    if segmented is not None:
        item.metadata["voc:segmented"] = _int_or_text(segmented)
    for number, node in enumerate(root.iterfind("object"), 1):
        where = f"annotation/object[{number}]"
        item.unread += _unread(node, _OBJECT_TAGS, _ONCE_OBJECT, path, where, "object")
        item.objects.append(_object(node, path, where))
    item.unread += unread
    if size is not None:
        item.unread += size_unread
    return item


def _object(node: Element, path: Path, where: str) -> dict[str, Any]:
    """One ``<object>`` (its repeated elements refused by the caller, with its unread ones)."""
    name_node = node.find("name")
    if name_node is None:
        raise InputError("object without <name>", path=path, element=f"{where}/name")
    name = _text(name_node) or ""  # an empty <name/>: the class named "" (as written for such a category)
    extras: dict[str, Any] = {}
    pose = _text(node.find("pose"))
    if pose and pose != "Unspecified":
        extras["voc:pose"] = pose
    for tag in ("truncated", "difficult"):
        value = _flag(node, tag, path, where)
        if value:
            extras[f"voc:{tag}"] = value
    occluded = _flag(node, "occluded", path, where)
    parts = []
    for i, part in enumerate(node.iterfind("part"), 1):
        at = f"{where}/part[{i}]"
        _once(part, _ONCE_PART, path, at)
        part_node = part.find("name")
        if part_node is None:
            raise InputError("part without <name>", path=path, element=f"{at}/name")
        parts.append({"name": _text(part_node) or "", "bbox": list(_box(part, path, at))})
    if parts:
        extras["voc:parts"] = parts
    actions = node.find("actions")
    if actions is not None:
        _once(actions, None, path, f"{where}/actions")
        extras["voc:actions"] = {a.tag: _flag(actions, a.tag, path, f"{where}/actions") or 0 for a in actions}
    point = node.find("point")
    if point is not None:
        _once(point, _ONCE_POINT, path, f"{where}/point")
        extras["voc:point"] = [_number(point, "x", path, f"{where}/point"), _number(point, "y", path, f"{where}/point")]
    attributes: dict[str, Any] = {}
    attrs = node.find("attributes")
    if attrs is not None:
        for i, attr in enumerate(attrs.iterfind("attribute"), 1):
            at = f"{where}/attributes/attribute[{i}]"
            _once(attr, _ONCE_ATTRIBUTE, path, at)
            key_node = attr.find("name")
            if key_node is None:
                raise InputError("attribute without <name>", path=path, element=at)
            key = _text(key_node) or ""  # an empty <name/>: the attribute named "" (as written for one)
            if key in attributes:  # (a mapping: the later value would replace the earlier one)
                raise InputError("repeated attribute name", path=path, element=f"{at}/name", found=repr(key))
            attributes[key] = attribute_value(_text(attr.find("value")) or "")
    return {
        "name": name,
        "bbox": _box(node, path, where),
        "occluded": None if occluded is None else bool(occluded),
        "extras": extras,
        "attributes": attributes,
    }


# -- labelmap ------------------------------------------------------------------------


@dataclass
class Labelmap:
    """Class names in PNG-index order, with colours, parts and actions, and the model's category ids."""

    names: list[str]
    colors: list[tuple[int, int, int] | None]
    parts: list[list[str]]
    actions: list[list[str]]
    ids: list[int]

    def index_of_name(self) -> dict[str, int]:
        """Name -> position (the value in a class PNG when ``background`` is first)."""
        return {n: i for i, n in enumerate(self.names)}


def parse_labelmap(data: bytes, path: Path) -> Labelmap:
    """Read ``labelmap.txt``: ``name:r,g,b:parts:actions`` lines; ``#`` lines are comments.

    A ``# labelkit-category-ids:`` comment (see :data:`IDS_COMMENT`) gives the categories their ids, one per class
    line in order.

    Raises:
        InputError: a line without the colon fields or with a bad colour; a class listed twice (its second line);
            an ids comment that is not one distinct 64-bit integer per class (its line).
    """
    names: list[str] = []
    colors: list[tuple[int, int, int] | None] = []
    parts: list[list[str]] = []
    actions: list[list[str]] = []
    ids: list[int] | None = None
    ids_line = 0
    lines: dict[str, int] = {}  # class name -> its line
    for number, raw in enumerate(read_text(path, data).splitlines(), 1):
        line = raw.strip()
        if line.startswith(IDS_COMMENT):
            ids_line = number
            try:
                ids = [int(v) for v in line[len(IDS_COMMENT) :].split(",") if v.strip()]
            except ValueError:
                raise InputError("bad category ids comment", path=path, line=number) from None
            if any(not INT64_MIN <= i <= INT64_MAX for i in ids) or len(set(ids)) != len(ids):
                raise InputError(
                    "bad category ids comment", path=path, line=number, expected="distinct integers of 64 bits"
                )
            continue
        if not line or line.startswith("#"):
            continue
        fields = line.rsplit(":", 3)  # a name may hold ':' (the other three fields never do)
        if len(fields) != 4:
            raise InputError("labelmap line needs name:color:parts:actions", path=path, line=number, found=repr(line))
        name, color_text, part_text, action_text = fields
        if name in lines:  # one class when XML names it: which of the two would its objects be?
            raise InputError(
                f"class listed twice (first at line {lines[name]})", path=path, line=number, found=repr(name)
            )
        lines[name] = number
        color = parse_color(color_text) if color_text else None
        if color_text and color is None:
            raise InputError("bad colour", path=path, line=number, expected="r,g,b", found=repr(color_text))
        names.append(name)
        colors.append(color)
        parts.append([p for p in part_text.split(",") if p])
        actions.append([a for a in action_text.split(",") if a])
    if ids is not None and len(ids) != len(names):
        raise InputError(
            "bad category ids comment",
            path=path,
            line=ids_line,
            expected=f"one id per class ({len(names):,})",
            found=f"{len(ids):,} ids",
        )
    return Labelmap(names, colors, parts, actions, ids if ids is not None else list(range(len(names))))


# -- segmentation PNGs ------------------------------------------------------------------------------


def _png_indices(
    path: Path, lookup: dict[tuple[int, int, int], int], colors: Sequence[tuple[int, int, int]]
) -> np.ndarray[Any, Any]:
    """A segmentation PNG as class or instance indices: palette indices directly, RGB through ``lookup``.

    A palette PNG whose indices in use have their own colours (``colors``: what labelkit and VOC write) is
    taken as it is, even where two classes share a colour; another palette (a writer may reorder one) is
    mapped through the colours when all of them are known.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # (a FIFO would make Pillow wait forever)
            raise InputError("cannot read: not a regular file", path=path)
        with Image.open(path) as im:
            if im.mode == "L":
                return np.asarray(im, dtype=np.uint8)
            if im.mode == "P":
                indices = np.asarray(im, dtype=np.uint8)
                palette = im.getpalette() or []
                # PNG writers may reorder a palette; the colours are what VOC means, so map them when all are known
                used = np.unique(indices).tolist()
                if all(tuple(palette[3 * i : 3 * i + 3]) == colors[i] for i in used if i < VOID_INDEX):
                    return indices
                table = np.arange(256, dtype=np.uint8)
                for i in used:
                    rgb_i = tuple(palette[3 * i : 3 * i + 3])
                    if len(rgb_i) != 3 or rgb_i not in lookup:
                        return indices
                    table[i] = lookup[(int(rgb_i[0]), int(rgb_i[1]), int(rgb_i[2]))]
                return table[indices]
            rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InputError(f"unreadable PNG: {exc}", path=path) from exc
    return _rgb_indices(rgb, lookup, path)


_RGB_BLOCK = 1 << 20
"""Pixels of an RGB mask mapped at a time: a whole 8000 x 8000 mask as 64-bit colours, sorted, took 3.6 GB."""


def _rgb_indices(
    rgb: np.ndarray[Any, Any], lookup: dict[tuple[int, int, int], int], path: Path
) -> np.ndarray[Any, Any]:
    """Map an RGB mask's colours to indices through a 2^24-entry table, a block of rows at a time.

    Raises:
        InputError: a colour that is neither in the labelmap nor in the VOC palette.
    """
    table = np.zeros(1 << 24, dtype=np.uint8)  # (zero pages: only the entries set and read are touched)
    known = np.zeros(1 << 24, dtype=bool)
    for (r, g, b), value in lookup.items():
        table[(r << 16) | (g << 8) | b] = value
        known[(r << 16) | (g << 8) | b] = True
    out = np.empty(rgb.shape[:2], dtype=np.uint8)
    rows = max(1, _RGB_BLOCK // max(rgb.shape[1], 1))
    for start in range(0, rgb.shape[0], rows):
        block = rgb[start : start + rows].astype(np.uint32)
        packed = (block[..., 0] << 16) | (block[..., 1] << 8) | block[..., 2]
        unknown = ~known[packed]
        if unknown.any():
            c = int(packed[unknown][0])
            key = ((c >> 16) & 255, (c >> 8) & 255, c & 255)
            raise InputError("colour not in the labelmap or the VOC palette", path=path, found=str(key))
        out[start : start + rows] = table[packed]
    return out


# -- reading ---------------------------------------------------------------------------------------


def _find_image(root: Path, folder: Path, item_id: str, filename: str | None) -> Path | None:
    for base in (root / "JPEGImages", folder):
        if filename:
            candidate = base / safe_relpath(filename)
            if is_file(candidate):
                return candidate
        for candidate in sorted(base.glob(f"{glob.escape(item_id)}.*")) if base.is_dir() else []:
            if is_image(candidate):
                return candidate
    return None


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
    labelmap = None
    if (root / "labelmap.txt").is_file():
        labelmap = parse_labelmap(read_bytes(root / "labelmap.txt"), root / "labelmap.txt")
    parsed: list[tuple[str, str | None, Path, _XmlItem]] = []
    for split, folder in _xml_dirs(root):
        seen: dict[str, Path] = {}
        for xml in sorted(folder / f for f in walk_files(folder, _is_xml)):
            item_id = xml.relative_to(folder).with_suffix("").as_posix()
            if item_id in seen:  # a.xml and a.XML: one item, and reading both would keep one unsaid
                raise InputError(f"a second annotation file of item {item_id!r} (first {seen[item_id].name})", path=xml)
            seen[item_id] = xml
            parsed.append((item_id, split, folder, parse_annotation(read_bytes(xml), xml)))
    if not parsed and not (root / "ImageSets").is_dir():
        raise InputError("no VOC annotation files found", path=path, hint="expected Annotations/*.xml")
    sets = image_sets(root)
    masks: dict[str, dict[str, Path]] = {}
    for kind in ("SegmentationClass", "SegmentationObject"):
        folder = root / kind
        if folder.is_dir():
            for png in sorted(folder / f for f in walk_files(folder, lambda f: f.lower().endswith(".png"))):
                kinds = masks.setdefault(png.relative_to(folder).with_suffix("").as_posix(), {})
                if kind in kinds:  # a.png and a.PNG: one image's, and reading both would keep one unsaid
                    raise InputError(f"a second {kind} PNG of one image (first {kinds[kind].name})", path=png)
                kinds[kind] = png
    return build(root, parsed, labelmap, sets, masks)


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what VOC cannot hold (see :func:`labelkit.formats.voc_check.check`)."""
    from labelkit.formats import voc_check

    voc_check.check(dataset, report, **options)


def drops_polygons(options: dict[str, Any]) -> bool:
    """Whether polygons are dropped: yes unless ``masks=all`` rasterises them into the segmentation PNGs."""
    return str(options.get("masks") or "auto") != "all"


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write a VOC folder (see :func:`labelkit.formats.voc_write.write`)."""
    from labelkit.formats import voc_write

    voc_write.write(dataset, Path(path), report, **options)
