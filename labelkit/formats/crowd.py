"""``-o crowd=drop``: leave COCO's crowd regions out of a training format that has no crowd flag.

A crowd annotation (``iscrowd: 1``) marks a region of many instances that a detector should neither learn nor be
scored on (pycocotools' evaluation ignores detections matched to one). YOLO and Pascal VOC have no such flag:
written as ordinary objects, crowd regions become positive examples, which is why Ultralytics' own COCO
converter leaves them out. By default labelkit keeps them and reports their flags lost (refused without
``--allow-loss``); ``crowd=drop`` leaves the objects out instead, and the report says how many.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from labelkit.formats.base import Option
from labelkit.formats.capability import flag_rows
from labelkit.model import Dataset
from labelkit.report import Report

CROWD = "crowd"
"""The option's key."""

CROWD_OPTION = Option(
    CROWD,
    "choice",
    "keep",
    "COCO crowd regions (iscrowd 1): keep (written as ordinary objects, their flag reported lost) or drop (not "
    "written, counted in the report), as Ultralytics' COCO converter does",
    ("keep", "drop"),
    "write",
)
"""The write option of the formats with no crowd flag (YOLO, Pascal VOC)."""

DROPPED_NOTE = (
    "dropped: {n:,} crowd {kind} (coco:iscrowd), as -o crowd=drop asks: a crowd region written as an ordinary "
    "object is a positive example to a trainer"
)
"""The report's note when crowd annotations are left out (``{n}``: how many; ``{kind}``: ``objects`` or ``labels``)."""

_TABLES = (("objects", "objects"), ("labels", "labels"))
"""The tables whose rows carry a crowd flag, and what the note calls them (a COCO annotation of no geometry with
``iscrowd`` set reads as a label)."""


def crowd_rows(dataset: Dataset, name: str = "objects") -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which rows of table ``name`` carry a crowd flag that is set (:func:`~.capability.holds_content`).

    >>> from labelkit.model import Category, Item, Media, Object
    >>> ds = Dataset(categories=[Category(id=1, name="person")])
    >>> ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    >>> ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0, 0, 2, 2), extras={"coco:iscrowd": 1}),
    ...        Object(id="2", item_id="a", category_id=1, bbox=(0, 0, 2, 2), extras={"coco:iscrowd": 0}),
    ...        Object(id="3", item_id="a", category_id=1, bbox=(0, 0, 2, 2), extras={"coco:iscrowd": "false"}),
    ...        Object(id="4", item_id="a", category_id=1, bbox=(0, 0, 2, 2)))
    >>> crowd_rows(ds).tolist()
    [True, False, False, False]
    """
    return flag_rows(dataset.table(name)["extras"], "coco:iscrowd")


def without_crowd(dataset: Dataset, options: dict[str, Any], report: Report) -> Dataset:
    """The dataset without its crowd objects and labels when ``options`` say ``crowd=drop`` (noted in ``report``)."""
    if options.get(CROWD) != "drop":
        return dataset
    for name, kind in _TABLES:
        crowd = crowd_rows(dataset, name)
        if crowd.any():
            report.note(DROPPED_NOTE.format(n=int(crowd.sum()), kind=kind))
            dataset = dataset.with_rows(name, ~crowd)
    return dataset


def suggest_drop(report: Report, options: dict[str, Any]) -> None:
    """Name ``-o crowd=drop`` in the reason of a crowd-flag loss (of a format that declares the option).

    Not when it was given: it leaves no crowd flag to lose.
    """
    if options.get(CROWD) == "drop":
        return
    for i, change in enumerate(report.lost):
        if change.what.endswith("(coco:iscrowd)"):
            report.lost[i] = replace(change, reason=f"{change.reason} ({SUGGESTION})")


SUGGESTION = "-o crowd=drop leaves crowd annotations out instead"
"""What a crowd-flag loss's reason adds for a format that takes ``crowd``."""


__all__ = ["CROWD", "CROWD_OPTION", "DROPPED_NOTE", "SUGGESTION", "crowd_rows", "suggest_drop", "without_crowd"]
