"""Typed records for every annotation kind, discriminated on ``kind``.

Records are the per-object public API: build datasets in code, iterate, inspect. Bulk work uses the
columns in :mod:`labelkit.model.tables`; a record is a view built on request.

Coordinates are absolute pixels (float64), origin top-left, x right, y down. A box is ``x, y, w, h``
plus ``angle`` in degrees, clockwise about the box centre.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import orjson
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from labelkit.errors import json_pointer
from labelkit.json_checks import MAX_VALUE_DEPTH, TOO_DEEP, deeper_than
from labelkit.json_places import lone_surrogate, place_of

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
"""The largest integer orjson writes and reads back exactly (extras may hold one; attributes are int64)."""
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer that fits the int64 columns of the tables."""
Count = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A non-negative int64: sizes, frame indexes, character offsets."""


def utf8_text(text: str) -> str:
    """``text``, refused (ValueError) when it holds a lone surrogate, which no table, JSON or XML file can hold.

    Accepted, it broke the dataset for good: its table, every read of it, its stats and its split raised Arrow's or
    Python's encoding error; only a write named it, and not where.
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text holds a lone surrogate, which UTF-8 cannot encode") from None
    return text


Text = Annotated[str, AfterValidator(utf8_text)]
"""Text a record holds: any string UTF-8 can encode."""


def _no_big_int(value: Any) -> Any:
    if isinstance(value, _NUMPY_TYPES):  # (np.int64(3) was 3.0 and np.bool_(True) 1.0, by the union)
        value = value.tolist()
        if isinstance(value, _NUMPY_TYPES):  # (np.longdouble, which no Python value holds: the float union rounded it)
            raise ValueError(f"a {type(value).__name__} is not a JSON value")
    # without this, an integer past int64 would fall through the union to float and lose digits
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("integer attribute does not fit 64 bits")
    return value


_AttributeFloat = Annotated[
    float,
    Field(
        description="A float: any finite number written with a fraction or an exponent (1.5, 1e19). A number written "
        "as an integer is an int64 (the branch before): the reader refuses 9223372036854775808, which JSON Schema "
        "cannot tell from 9.223372036854775808e18, a float it takes."
    ),
]
"""An attribute's float, whose schema branch says what JSON Schema cannot: an integer literal must fit int64."""
AttributeValue = Annotated[bool | Int64 | _AttributeFloat | str | list[str], BeforeValidator(_no_big_int)]
"""A typed attribute value: bool, int (int64), finite float, text, or a list of texts (multi-select)."""


def _check_json(value: Any, where: str = "", plain: bool = False, level: int = 0) -> None:
    """Raise ValueError unless ``value`` is plain JSON that survives a write and a read unchanged.

    A numpy value (``np.float64`` and ``np.str_`` included, though they pass for a float and a str) raises
    :class:`_NumpyValue` instead, unless ``plain`` (it was made plain, and ``tolist()`` kept it numpy's).
    ``level`` is the value's, in the mapping checked (which is level 0): a list or object deeper than
    :data:`~labelkit.json_checks.MAX_VALUE_DEPTH` raises :class:`_TooDeep`.
    """
    if type(value) not in _JSON_TYPES and isinstance(value, _NUMPY_TYPES) and not plain:
        raise _NumpyValue
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        # orjson writes and reads back exactly the integers of int64 and uint64
        if not INT64_MIN <= value <= UINT64_MAX:
            raise ValueError(f"integer {where or 'value'} does not fit 64 bits")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where or 'value'} is not a finite number")
        return
    if isinstance(value, list):
        if level > MAX_VALUE_DEPTH:
            raise _TooDeep(TOO_DEEP)
        for i, v in enumerate(value):
            _check_json(v, f"{where}[{i}]", plain, level + 1)
        return
    if isinstance(value, dict):
        if level > MAX_VALUE_DEPTH:
            raise _TooDeep(TOO_DEEP)
        for k, v in value.items():
            if type(k) is not str and isinstance(k, _NUMPY_TYPES) and not plain:
                raise _NumpyValue
            if not isinstance(k, str):
                raise ValueError(f"key {k!r} of {where or 'a mapping'} is not text")
            _check_json(v, f"{where}.{k}" if where else k, plain, level + 1)
        return
    raise ValueError(f"{where or 'value'} is a {type(value).__name__}, not a JSON value")


_JSON_TYPES = frozenset({type(None), bool, int, float, str, list, dict})
"""The types of JSON values, which :func:`_check_json` tells from numpy's by ``type()`` first (a set lookup)."""
_NUMPY_TYPES = (np.generic, np.ndarray)


class _NumpyValue(Exception):
    """A numpy scalar or array met by :func:`_check_json`: the mapping is made plain (:func:`_plain`), then checked."""


class _TooDeep(ValueError):
    """A list or object met by :func:`_check_json` deeper than :data:`~labelkit.json_checks.MAX_VALUE_DEPTH` levels.

    A ValueError (the bulk reader declines the document on one); :func:`_json_values` names the key holding it.
    """


def json_mapping(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` as a record's ``metadata`` or ``extras`` holds it: numpy values made plain (:func:`_plain`).

    The records' validator.

    Raises:
        ValueError: a value is not plain JSON that survives a write and a read unchanged, naming its key path
            (``x is not a finite number``, ``integer a.b[1] does not fit 64 bits``, ``s is a set, not a JSON value``).
    """
    value = _json_values(value)
    _written(value)
    return value


def json_mapping_text(value: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``value`` as :func:`json_mapping` makes it, and its JSON text (encoded once).

    :func:`labelkit.model.tables.checked_mapping` applies the validator's rule again, so, to a mapping changed in
    place after its record was made, which no validator sees.

    Raises:
        ValueError: as :func:`json_mapping`.
    """
    value = _json_values(value)
    return value, _written(value).decode()


def _json_values(value: dict[str, Any]) -> dict[str, Any]:
    if _flat_json(value):
        return value
    try:
        try:
            _check_json(value)
        except _NumpyValue:  # (numpy's values: orjson writes none of them, np.float64 included, a float though it is)
            value = _plain(value)
            _check_json(value, plain=True)
    except _TooDeep:  # (checked before Python's recursion limit, a thousand levels, or orjson's 254 are met)
        key = next((k for k, v in value.items() if deeper_than(v, MAX_VALUE_DEPTH)), "")
        raise ValueError(f"{TOO_DEEP} (at {json_pointer(key)})") from None
    except RecursionError:  # (numpy arrays a thousand levels deep, made plain)
        raise ValueError(TOO_DEEP) from None
    return value


def _flat_json(value: dict[str, Any]) -> bool:
    """Whether ``value`` is a mapping :func:`_check_json` takes as it is, of text keys and scalar values only.

    The usual metadata or extras, told in a loop over exact types without the key paths of :func:`_check_json`
    (half the time): a ``False`` says nothing, :func:`_check_json` then walks it.
    """
    for k, v in value.items():
        t = type(v)
        if type(k) is not str:
            return False
        if t is str or t is bool or v is None:
            continue
        if t is float:
            if v - v == 0.0:  # (finite: inf - inf and NaN - NaN are NaN)
                continue
            return False
        if t is not int or not INT64_MIN <= v <= UINT64_MAX:
            return False
    return True


def _writable(value: dict[str, Any]) -> dict[str, Any]:
    """``value``, which the tables hold as JSON text; ValueError for a lone surrogate or more than orjson's 254 levels.

    ``Dataset(items=[...])`` failed on them with orjson's TypeError (``str is not valid UTF-8``).
    """
    _written(value)
    return value


def _written(value: dict[str, Any]) -> bytes:
    """``value``'s JSON text; ValueError as :func:`_writable`."""
    try:
        return orjson.dumps(value)
    except TypeError as exc:
        if "ecursion" in str(exc):  # (orjson's "Recursion limit reached": _check_json refuses less deep already)
            raise ValueError(TOO_DEEP) from None
        if "surrogate" not in str(exc):  # (a float subclass: "Type is not JSON serializable: F", not a depth)
            raise ValueError(f"a value JSON is not written with: {exc}") from None
        where = place_of(value, lone_surrogate).encode("utf-8", "backslashreplace").decode()  # (a key may hold it)
        raise ValueError(f"text at {where} holds a lone surrogate, which UTF-8 cannot encode") from None


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars as their Python values and arrays as lists (``tolist()``), in lists and dicts.

    ``np.int64(3)`` is ``3``, ``np.float32(0.5)`` ``0.5`` (a float32's value exactly: ``np.float32(0.1)`` is
    ``0.10000000149011612``), ``np.bool_(True)`` ``True``, ``np.array([1, 2])`` ``[1, 2]``; keys too.
    """
    if isinstance(value, _NUMPY_TYPES):
        return value.tolist()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


JsonMapping = Annotated[dict[str, Any], AfterValidator(json_mapping)]
"""A free mapping of JSON values (metadata, extras): text keys, finite numbers, 64-bit integers."""

Extras = JsonMapping
"""Format-specific fields with no place in the model, namespaced by format: ``coco:iscrowd``."""

Shape = Literal["box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid"]
"""The shape the source drew; the geometry fields hold its values."""

SHAPES: tuple[str, ...] = ("box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid")
KINDS: tuple[str, ...] = ("label", "object", "span", "transcript", "track")


class Record(BaseModel):
    """Base of every record: strict about unknown fields, JSON-compatible."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Provenance(Record):
    """Who or what made an annotation, so several annotators' labels of one item can coexist."""

    annotator: Text | None = None
    model: Text | None = None


class Rle(Record):
    """A COCO run-length-encoded mask.

    ``size`` is ``[height, width]``; ``counts`` is the compressed string or the uncompressed list of run
    lengths (column-major, starting with background).
    """

    size: tuple[Count, Count]
    counts: Text | list[Count]


class _Common(Record):
    id: Text = Field(description="Stable id, unique within its kind in the dataset.")
    item_id: Text = Field(description="Id of the item this annotation belongs to.")
    category_id: Int64 | None = Field(default=None, description="Id of a category of the dataset.")
    score: float | None = Field(default=None, description="Confidence of a prediction; None for ground truth.")
    attributes: Annotated[dict[str, AttributeValue], AfterValidator(_writable)] = Field(default_factory=dict)
    provenance: Provenance | None = None
    extras: Extras = Field(default_factory=dict)


class Label(_Common):
    """A category on a whole item (classification), optionally over a time range in seconds."""

    kind: Literal["label"] = "label"
    start: float | None = None
    end: float | None = None


class Object(_Common):
    """One physical instance in an image or a video frame.

    ``polygon`` holds rings as flat ``[x0, y0, x1, y1, ...]`` lists; ``polygon_holes`` marks which rings
    are holes (None: none are). The object covers the union of the other rings less the union of the holes
    (a ring inside a hole is covered by it). ``keypoints`` is flat ``[x, y, v, ...]`` in the order of the category's
    keypoint names (v: 0 not labelled, 1 labelled but not visible, 2 visible). A video object carries
    ``frame`` and, inside a track, ``track_id`` with the per-frame flags.
    """

    kind: Literal["object"] = "object"
    shape: Shape = "box"
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="x, y, w, h in pixels.")
    angle: float = Field(default=0.0, description="Degrees, clockwise about the box centre.")
    polygon: list[list[float]] | None = None
    polygon_holes: list[bool] | None = None
    mask: Rle | None = None
    keypoints: list[float] | None = None
    frame: Count | None = None
    track_id: Text | None = None
    keyframe: bool | None = None
    outside: bool | None = None
    occluded: bool | None = None
    z_order: Int64 | None = None

    @field_validator("polygon")
    @classmethod
    def _check_rings(cls, polygon: list[list[float]] | None) -> list[list[float]] | None:
        for i, ring in enumerate(polygon or ()):
            if len(ring) % 2:
                raise ValueError(f"polygon ring {i} has an odd number of coordinates; rings are x, y pairs")
        return polygon

    @field_validator("polygon_holes")
    @classmethod
    def _check_holes(cls, holes: list[bool] | None, info: ValidationInfo) -> list[bool] | None:
        polygon = info.data.get("polygon")
        if holes is not None and len(holes) != len(polygon or ()):
            raise ValueError(f"polygon_holes has {len(holes)} flags for {len(polygon or ())} rings")
        return holes

    @field_validator("keypoints")
    @classmethod
    def _check_keypoints(cls, keypoints: list[float] | None) -> list[float] | None:
        if keypoints is not None and len(keypoints) % 3:
            raise ValueError("keypoints are x, y, v triples")
        return keypoints


class Span(_Common):
    """A labelled character range ``[start, end)`` in the item's text; ``text`` is the covered text."""

    kind: Literal["span"] = "span"
    start: Count
    end: Count
    text: Text | None = None


class Transcript(_Common):
    """Text said or written in an item, optionally over a time range in seconds, with a speaker."""

    kind: Literal["transcript"] = "transcript"
    text: Text
    start: float | None = None
    end: float | None = None
    speaker: Text | None = None


class Track(_Common):
    """One object followed through a video; its per-frame shapes are objects with this ``track_id``.

    The record's ``id`` is the track id.
    """

    kind: Literal["track"] = "track"


Annotation = Annotated[Label | Object | Span | Transcript | Track, Field(discriminator="kind")]
"""Any annotation record, discriminated on ``kind``."""

RECORD_BY_KIND: dict[str, type[_Common]] = {
    "label": Label,
    "object": Object,
    "span": Span,
    "transcript": Transcript,
    "track": Track,
}
