"""The text of Pascal VOC annotation files (``Annotations/<item>.xml``): numbers, objects, heads, file names.

:mod:`labelkit.formats.voc_write` decides what each file holds; this module spells it. Plain objects (no VOC
extras, attributes or occlusion flag: the usual case from COCO) are made in bulk by Arrow's string kernels.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from labelkit.errors import InputError
from labelkit.formats.voc_lists import listable
from labelkit.formats.voc_values import (
    as_list,
    is_flag,
    is_number,
    part_corners,
    part_ok,
    tag_ok,
    value_text,
    xml_text,
)
from labelkit.formats.yolo_layout import without_extension
from labelkit.io import safe_relpath
from labelkit.portable import folded_names


def num(value: float) -> str:
    """Integral coordinates as integers (VOC's usual form); others exactly, never rounded."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _source_xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(f"    <{k}>{xml_text(value_text(v))}</{k}>\n" for k, v in value.items() if tag_ok(k))
        return f"  <{tag}>\n{inner}  </{tag}>\n"
    return f"  <{tag}>{xml_text(value_text(value))}</{tag}>\n"


def attribute_text(value: Any) -> str:
    """An attribute value as the text of its ``<value>`` (booleans as true/false, lists comma-joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def object_xml(
    name: str, numbers: list[str], occluded: bool | None, extras: dict[str, Any], attrs: dict[str, Any]
) -> str:
    """One ``<object>`` with its VOC extras (pose, flags, parts, actions, point) and attributes."""
    out = [f"  <object>\n    <name>{name}</name>\n"]
    out.append(f"    <pose>{xml_text(value_text(extras.get('voc:pose', 'Unspecified')))}</pose>\n")
    for key in ("truncated", "difficult"):
        flag = extras.get(f"voc:{key}", 0)
        out.append(f"    <{key}>{int(flag) if is_flag(flag) else 0}</{key}>\n")
    if occluded is not None:
        out.append(f"    <occluded>{int(occluded)}</occluded>\n")
    xmin, ymin, xmax, ymax = numbers
    out.append(
        f"    <bndbox>\n      <xmin>{xmin}</xmin>\n      <ymin>{ymin}</ymin>\n"
        f"      <xmax>{xmax}</xmax>\n      <ymax>{ymax}</ymax>\n    </bndbox>\n"
    )
    for part in as_list(extras.get("voc:parts")):
        if not part_ok(part):
            continue
        px = [num(v) for v in part_corners(part)]  # (as an object's: as read, else its box's)
        out.append(
            f"    <part>\n      <name>{xml_text(str(part['name']))}</name>\n      <bndbox>\n"
            f"        <xmin>{px[0]}</xmin>\n        <ymin>{px[1]}</ymin>\n"
            f"        <xmax>{px[2]}</xmax>\n        <ymax>{px[3]}</ymax>\n      </bndbox>\n    </part>\n"
        )
    actions = extras.get("voc:actions")
    if isinstance(actions, dict):
        body = "".join(f"      <{k}>{int(v)}</{k}>\n" for k, v in actions.items() if tag_ok(k) and is_flag(v))
        out.append(f"    <actions>\n{body}    </actions>\n")
    point = extras.get("voc:point")
    if isinstance(point, list) and len(point) == 2 and all(map(is_number, point)):
        out.append(f"    <point>\n      <x>{num(point[0])}</x>\n      <y>{num(point[1])}</y>\n    </point>\n")
    if attrs:
        body = "".join(
            f"      <attribute>\n        <name>{xml_text(k)}</name>\n"
            f"        <value>{xml_text(attribute_text(v))}</value>\n      </attribute>\n"
            for k, v in written_attributes(attrs).items()
        )
        out.append(f"    <attributes>\n{body}    </attributes>\n")
    out.append("  </object>\n")
    return "".join(out)


PLAIN_OBJECT = (
    "  <object>\n    <name>%s</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
    "    <difficult>0</difficult>\n    <bndbox>\n      <xmin>%s</xmin>\n      <ymin>%s</ymin>\n"
    "      <xmax>%s</xmax>\n      <ymax>%s</ymax>\n    </bndbox>\n  </object>\n"
)
"""An object with no VOC extras, attributes or occlusion flag (the common case from COCO): one % format."""


def _whole(values: np.ndarray[Any, Any]) -> NDArray[np.bool_]:
    """Which coordinates are written as integers: integral and small enough to print exactly as one."""
    return np.asarray((values == np.floor(values)) & (np.abs(values) < 1e15), dtype=bool)


def _corner_tokens(values: np.ndarray[Any, Any]) -> tuple[pa.Array, NDArray[np.bool_]]:
    """VOC corners as text: integers as integers, others exactly (orjson's shortest form), and which are whole.

    orjson writes the integer and the float reading of all values as two arrays, whose tokens become Arrow
    strings (commas dropped) and are picked per value, in C.
    """
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    whole = _whole(flat)
    ints = _tokens_array(orjson.dumps(np.where(whole, flat, 0.0).astype(np.int64), option=orjson.OPT_SERIALIZE_NUMPY))
    floats = _tokens_array(orjson.dumps(flat, option=orjson.OPT_SERIALIZE_NUMPY))
    return pc.if_else(pa.array(whole), ints, floats), whole


def number_tokens(values: np.ndarray[Any, Any]) -> tuple[list[str], list[bool]]:
    """VOC corners as text for a chunk of rows (see :func:`_corner_tokens`).

    Returns:
        The tokens (4 per row) and, per row, whether all four are integers.
    """
    if not values.size:
        return [], []
    tokens, whole = _corner_tokens(values)
    return tokens.to_pylist(), np.asarray(whole.reshape(-1, 4).all(axis=1), dtype=bool).tolist()


def _tokens_array(text: bytes) -> pa.Array:
    """The number tokens of orjson's ``[a,b,...]`` as an Arrow string array (commas dropped, in C)."""
    body = text[1:-1]
    if not body:
        return pa.array([], pa.large_string())
    commas = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord(","))
    ends = np.append(commas, len(body)) - np.arange(len(commas) + 1)  # each token's end once commas are gone
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    data = pa.py_buffer(body.replace(b",", b""))
    return pa.Array.from_buffers(pa.large_string(), len(offsets) - 1, [None, pa.py_buffer(offsets), data])


_PLAIN_PARTS = [pa.scalar(p, pa.large_string()) for p in PLAIN_OBJECT.split("%s")]


def plain_objects(names: pa.Array, values: np.ndarray[Any, Any]) -> tuple[bytes, list[int]]:
    """:data:`PLAIN_OBJECT` for every row, back to back, and where each row starts (plus the end).

    The corners are written as :func:`number_tokens` writes them; Arrow's element-wise join makes the
    texts, with no Python object per row.
    """
    if not values.size:
        return b"", [0]
    tokens, _ = _corner_tokens(values)
    corner = [tokens.take(pa.array(np.arange(k, values.size, 4))) for k in range(4)]
    parts = _PLAIN_PARTS
    pieces = [parts[0], names, parts[1], corner[0], parts[2], corner[1], parts[3], corner[2], parts[4], corner[3]]
    text = pc.binary_join_element_wise(*pieces, parts[5], pa.scalar("", pa.large_string()))
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[: len(text) + 1]
    return text.buffers()[2].to_pybytes()[: int(offsets[-1])], offsets.tolist()


def integral(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Per row, whether all four corners are written as integers (see :func:`number_tokens`)."""
    return np.asarray(_whole(values).all(axis=1), dtype=bool)


def file_name(path: str | None, file: str) -> str:
    """``<filename>``: the image's base name, or (without one the reader takes) the item's file name with ``.jpg``.

    An image in ``JPEGImages/`` (as a VOC reader gives it) keeps its path below it: one renamed after its item's
    id (``x/1.png``) is written back as it was read; a path spelled otherwise (``a//b.jpg``) as the file it names.

    >>> file_name("JPEGImages/a//b.jpg", "x"), file_name("JPEGImages/a/./b.jpg", "x"), file_name("c/d.jpg", "x")
    ('a/b.jpg', 'a/b.jpg', 'd.jpg')
    """
    text = path.replace("\\", "/") if path else ""
    if text.startswith("JPEGImages/"):
        with contextlib.suppress(InputError):  # (a//b.jpg, a/./b.jpg, a/b.jpg/: the file a/b.jpg, written so)
            below = safe_relpath(text.removeprefix("JPEGImages/"))
            if below != ".":  # ('.', the folder itself, is no image's name)
                return below
    name = text.rpartition("/")[2]
    with contextlib.suppress(InputError):  # safe_relpath checks it as the reader does ("C:evil", a NUL)
        if name not in ("", ".", "..") and safe_relpath(name):
            return name
    return f"{file.rpartition('/')[2]}.jpg"


def image_names(
    paths: list[str | None],
    files: list[str],
    bare: list[bool] | None = None,
    splits: list[str | None] | None = None,
    by_id: bool = False,
) -> tuple[list[str], int]:
    """Each item's ``<filename>`` (and name in ``JPEGImages/``), and how many were renamed.

    The image's base name; where items' base names are the same (``x/a.jpg``, ``y/a.jpg``), or differ only in
    case or Unicode normalisation (``x/A.jpg``, ``y/a.jpg``: one file on macOS and Windows), the item's file
    (its id) with the image's extension instead, so that one image never overwrites another, on any machine.
    Items of one image (the same path, of one split: ``splits``, where given), two XMLs naming one file, keep
    its name (they were named after their ids, images that are not there). ``bare`` says which paths are known
    to be a plain file name of one part (COCO's), their own base name.

    ``by_id`` (a dataset not read from VOC, whose items are named after their images where VOC can hold the
    name): an item its image does not name (its stem VOC cannot hold, ``x y.jpg``, ``.a.jpg``; another item's,
    ``a.jpg`` beside ``a.png``) gets its image named after its file too, ``1.jpg``, where VOC's loaders look
    (``JPEGImages/<id>.jpg``), unless the image is another item's too or the item is in no list (its id no
    ImageSets line: no loader looks for it).

    >>> image_names(["x y.jpg", "a.jpg", "a.png", "b.jpg"], ["1", "2", "3", "b"], by_id=True)
    (['1.jpg', '2.jpg', '3.png', 'b.jpg'], 3)
    """
    bare = bare or [False] * len(paths)
    names = [p if b and p else file_name(p, f) for p, f, b in zip(paths, files, bare, strict=True)]
    # (an item without an image is one of its own)
    given = splits or [None] * len(paths)
    images = [(p, s) if p else (None, n) for n, (p, s) in enumerate(zip(paths, given, strict=True))]
    renamed: set[int] = set()
    if by_id:
        unnamed = [
            n for n, (p, f) in enumerate(zip(paths, files, strict=True)) if p and without_extension(names[n]) != f
        ]
        if unnamed:
            shared = Counter(images)
            for n in unnamed:
                if shared[images[n]] == 1 and listable(files[n]):
                    names[n] = files[n] + (Path(names[n]).suffix or ".jpg")
                    renamed.add(n)
    while True:  # a new name may be another item's (q of x/a.jpg becomes q.jpg, the name of s's q.jpg): again
        folded = folded_names(names)
        count = Counter(folded)
        if len(count) < len(folded):  # (names of one image are no clash)
            count = Counter(name for name, _ in dict.fromkeys(zip(folded, images, strict=True)))
        clashing = [n for n, name in enumerate(folded) if count[name] > 1 and n not in renamed]
        if not clashing:  # (counted where the name changed: item A's A.JPG, named after its id, is as it was)
            return names, sum(1 for n in renamed if names[n] != file_name(paths[n], files[n]))
        for n in clashing:
            names[n] = files[n] + (Path(names[n]).suffix or ".jpg")
            renamed.add(n)


def stripped(name: str) -> bool:
    """Whether a ``<filename>`` starts or ends with whitespace, which VOC readers strip (labelkit's too).

    ``<filename> a.png</filename>`` reads as ``a.png``: another file (another item's image, where there is one).
    """
    return name != name.strip()


_PLAIN_HEAD = (
    "<annotation>\n  <filename>%s</filename>\n"
    "  <size>\n    <width>%d</width>\n    <height>%d</height>\n    <depth>3</depth>\n  </size>\n"
    "  <segmented>%d</segmented>\n"
)


def head_xml(meta: dict[str, Any], name: str | None, width: int | None, height: int | None, segmented: bool) -> str:
    """An annotation file up to its objects: folder, file name, path, source, owner, size, segmented flag.

    ``name`` is None for an item of no image path: it gets no ``<filename>``, which the reader reads as none
    (``<id>.jpg`` read back as an image ``JPEGImages/<id>.jpg`` the item never had). So does a name starting or
    ending with whitespace (:func:`stripped`).
    """
    if name is not None and stripped(name):
        name = None
    if not meta and width and height and name is not None:  # the usual head (from COCO, YOLO): one format
        return _PLAIN_HEAD % (xml_text(name), width, height, int(segmented))
    head = ["<annotation>\n"]
    if "voc:folder" in meta:
        head.append(f"  <folder>{xml_text(value_text(meta['voc:folder']))}</folder>\n")
    if name is not None:
        head.append(f"  <filename>{xml_text(name)}</filename>\n")
    if "voc:path" in meta:
        head.append(f"  <path>{xml_text(value_text(meta['voc:path']))}</path>\n")
    for tag in ("source", "owner"):
        if f"voc:{tag}" in meta:
            head.append(_source_xml(tag, meta[f"voc:{tag}"]))
    if width or height or "voc:depth" in meta:
        # an unknown size is 0 x 0, as VOC tools write it; of a size known on one side, that side alone (a 0 on
        # the other would make the reader take both as unknown)
        sides = {tag: side for tag, side in (("width", width), ("height", height)) if side} or {"width": 0, "height": 0}
        body = "".join(f"    <{tag}>{side}</{tag}>\n" for tag, side in sides.items())
        if "voc:depth" in meta or (width and height):
            body += f"    <depth>{xml_text(value_text(meta.get('voc:depth', 3)))}</depth>\n"
        head.append(f"  <size>\n{body}  </size>\n")
    head.append(f"  <segmented>{xml_text(value_text(meta.get('voc:segmented', int(segmented))))}</segmented>\n")
    return "".join(head)


def written_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """An object's attributes as written: less each whose name, stripped as readers read it, an earlier one's is.

    ``a`` and `` a`` would be one name read back, which the reader refuses (a repeated name): the output would
    not read back. check() reports those left out lost, and names that read back stripped transformed.
    """
    seen: set[str] = set()
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if k.strip() not in seen:
            seen.add(k.strip())
            out[k] = v
    return out
