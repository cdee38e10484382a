"""Reading the usual Pascal VOC ``<object>`` in one pass: its shape looked up, its texts read by position.

The usual object holds ``<name>``, ``<bndbox>`` and any of ``<pose>``, ``<truncated>``, ``<difficult>``,
``<occluded>``, each once, holding text only (``<bndbox>``: its four corners, each once, holding text only), with
no XML attribute anywhere. Its shape is the tags of its elements in document order and how many children each
has, which together give the tree (a shape is looked up, not checked element by element: a file's objects share a
few); its values are the elements' texts, taken in that order. Used by :mod:`labelkit.formats.voc_parse`, which
reads any other object (and any value of this one it would refuse) the full way.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Any, NamedTuple
from xml.etree.ElementTree import Element

from labelkit.formats.voc_values import CORNERS_KEY, corners_come_back
from labelkit.model import geometry as G
from labelkit.model.annotations import INT64_MAX, INT64_MIN

PLAIN_TAGS = frozenset({"name", "pose", "truncated", "difficult", "occluded", "bndbox"})
CORNERS = ("xmin", "ymin", "xmax", "ymax")

TAG = attrgetter("tag")
"""An element's tag, for ``map`` over elements (also :mod:`labelkit.formats.voc_parse`)."""
TEXT = attrgetter("text")
"""An element's text, for ``map`` over elements."""
_KEYS = Element.keys


class _Plan(NamedTuple):
    """Where an object's values are among its elements in document order (0: absent; the object is element 0)."""

    children: int
    bndbox: int
    name: int
    pose: int
    truncated: int
    difficult: int
    occluded: int
    corners: tuple[int, int, int, int]


_PLANS: dict[tuple[str, ...], _Plan | None] = {}
_MAX_PLANS = 256
"""Shapes kept (a file of hostile objects of every order makes no more)."""
_MISSING = _Plan(0, 0, 0, 0, 0, 0, 0, (0, 0, 0, 0))


def plan_of(tags: tuple[str, ...], lens: tuple[int, ...]) -> _Plan | None:
    """The plan of an object of these element tags and child counts (in document order), None for another shape.

    Its children each a tag of :data:`PLAIN_TAGS`, once, holding no element except ``<bndbox>``, which holds the
    four corners, each once, holding none; ``<name>`` and ``<bndbox>`` among them.

    >>> plan_of(("object", "name", "bndbox", "xmin", "ymin", "xmax", "ymax"), (2, 0, 4, 0, 0, 0, 0))
    _Plan(children=2, bndbox=2, name=1, pose=0, truncated=0, difficult=0, occluded=0, corners=(3, 4, 5, 6))
    >>> plan_of(("object", "name", "bndbox", "xmin", "ymin", "xmax"), (2, 0, 3, 0, 0, 0)) is None
    True
    """
    at: dict[str, int] = {}
    corners: dict[str, int] = {}
    i = 1
    for _ in range(lens[0]):
        tag = tags[i]
        if tag not in PLAIN_TAGS or tag in at:
            return None
        at[tag] = i
        if tag == "bndbox":
            if lens[i] != 4:
                return None
            for j in range(i + 1, i + 5):
                if tags[j] not in CORNERS or tags[j] in corners or lens[j]:
                    return None
                corners[tags[j]] = j
            i += 5
        elif lens[i]:
            return None
        else:
            i += 1
    if "name" not in at or "bndbox" not in at or i != len(tags):
        return None
    return _Plan(
        lens[0],
        at["bndbox"],
        at["name"],
        at.get("pose", 0),
        at.get("truncated", 0),
        at.get("difficult", 0),
        at.get("occluded", 0),
        (corners["xmin"], corners["ymin"], corners["xmax"], corners["ymax"]),
    )


def flag_of_text(text: str | None) -> int:
    """A flag of an element holding no element, by its text, or -1 for the full reader to read it.

    -1 where the text is not an integer of 64 bits (the full reader raises, or reads ``1.0`` as 1), and for ``-1``.
    """
    text = (text or "").strip()
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        return -1
    return number if INT64_MIN <= number <= INT64_MAX else -1


def plain_object(
    node: Element, attributed: bool = True, known: tuple[list[str | None], int, _Plan] | None = None
) -> dict[str, Any] | None:
    """The full reader's object dict of the usual ``<object>``, which has nothing unread, or None for any other.

    The usual object's values are read as the full reader reads them; anything else (and any value the full
    reader would refuse: a corner that is no number, a flag that is no integer, a box of negative width) is None,
    for the caller to read the full way, which notes what is unread and raises naming the element.

    Args:
        node: an ``<object>`` element.
        attributed: whether the file may hold an XML attribute (False: none of its elements has one).
        known: the texts of the file's elements in document order, the object's place among them and its plan
            (:func:`usual_objects`): its shape is known.
    """
    if known is not None:
        return _values(*known)
    elements = list(node.iter())
    if len(elements) > 11 or (attributed and any(map(_KEYS, elements))):
        return None  # (11: the object, six fields and four corners; a larger shape is none kept)
    tags = tuple(map(TAG, elements))
    plan = _PLANS.get(tags, _MISSING)
    if plan is _MISSING:
        plan = plan_of(tags, tuple(map(len, elements)))
        if len(_PLANS) < _MAX_PLANS:
            _PLANS[tags] = plan
    # (the tags, the object's children and the box's four give the shape: any other element inside one of them
    # would be one more, or leave the box fewer; the first object of a shape was looked at element by element)
    if plan is None or len(node) != plan.children or len(elements[plan.bndbox]) != 4:
        return None
    return _values(list(map(TEXT, elements)), 0, plan)


def _values(texts: list[str | None], at: int, plan: _Plan) -> dict[str, Any] | None:
    """:func:`plain_object` of an object of the plan's shape, whose elements' texts are ``texts[at:]``."""
    a, b, c, d = plan.corners
    try:
        corners = [
            float((texts[at + a] or "").strip()),
            float((texts[at + b] or "").strip()),
            float((texts[at + c] or "").strip()),
            float((texts[at + d] or "").strip()),
        ]
    except ValueError:  # ("": no number)
        return None
    extras: dict[str, Any] = {}
    if plan.pose:
        pose = texts[at + plan.pose]
        pose = pose.strip() if pose else pose
        if pose and pose != "Unspecified":
            extras["voc:pose"] = pose
    for key, place in (("voc:truncated", plan.truncated), ("voc:difficult", plan.difficult)):
        if place:
            text = texts[at + place]
            value = 0 if text == "0" else flag_of_text(text)
            if value == -1:
                return None
            if value:
                extras[key] = value
    occluded = None
    if plan.occluded:
        text = texts[at + plan.occluded]
        occluded = 0 if text == "0" else flag_of_text(text)
        if occluded not in (0, 1):
            return None
    box = G.voc_to_xywh(*corners)
    if box[2] < 0 or box[3] < 0 or not math.isfinite(box[0] + box[1] + box[2] + box[3]):
        return None  # (a corner not finite: one of these; a sum beyond float64 of finite ones: read the full way)
    if not corners_come_back(corners):
        extras[CORNERS_KEY] = corners
    return {
        "name": (texts[at + plan.name] or "").strip(),
        "bbox": box,
        "occluded": None if occluded is None else bool(occluded),
        "extras": extras,
        "attributes": {},
    }


class _FilePlan(NamedTuple):
    lens: tuple[int, ...]  # (each element's child count, in document order)
    objects: tuple[tuple[int, _Plan], ...]  # (each <object> of the root: its place among the elements, its plan)


_FILE_PLANS: dict[str, _FilePlan | None] = {}
_MAX_FILE_PLANS = 1024
"""Files' shapes kept (one a count of usual objects, in a folder of such files; past it, each object is looked up)."""
_NO_FILE = _FilePlan((), ())


def usual_objects(
    root: Element, elements: list[Element], tags: str, lens: tuple[int, ...]
) -> tuple[tuple[int, _Plan], ...] | None:
    """Each ``<object>`` of the root, as its place among ``elements`` and its plan, when every one is of a usual shape.

    Looked up by the file's tags (``tags``: joined by ``<``), and confirmed by its elements' child counts: the tags
    in document order with their child counts are the tree. None when an object is of another shape, or for a
    file of a shape not kept (the caller looks each object up).

    Args:
        root: the file's root element, none of whose elements holds an XML attribute.
        elements: the root's elements in document order (``root.iter()``).
        tags: their tags, joined by ``<``.
        lens: their child counts.
    """
    plan = _FILE_PLANS.get(tags, _NO_FILE)
    if plan is _NO_FILE:
        if len(_FILE_PLANS) >= _MAX_FILE_PLANS:
            return None
        plan = _FILE_PLANS[tags] = _file_plan(root, elements, lens)
    return plan.objects if plan is not None and plan.lens == lens else None


def _file_plan(root: Element, elements: list[Element], lens: tuple[int, ...]) -> _FilePlan | None:
    objects = []
    at = 0
    for node in root.iterfind("object"):
        at = elements.index(node, at)  # (the same element: Element compares by identity)
        size = sum(1 for _ in node.iter())
        plan = plan_of(tuple(map(TAG, elements[at : at + size])), lens[at : at + size])
        if plan is None:
            return None
        objects.append((at, plan))
        at += size
    return _FilePlan(lens, tuple(objects))
