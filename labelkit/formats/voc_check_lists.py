"""What a Pascal VOC write loses in its ImageSets lists: action and class lists no machine, or not every one, holds.

Used by :func:`labelkit.formats.voc_check.check`: the lists' own rules (:mod:`.voc_lists`, :mod:`.voc_actions`)
are the writer's, so that the plan reports what the writer leaves out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from labelkit.formats.base import empty_splits_read
from labelkit.formats.voc_actions import action_flags, action_lists, unread_action_flags
from labelkit.formats.voc_lists import (
    action_list_ok,
    class_lists,
    empty_lists_again,
    label_values,
    list_clash,
)
from labelkit.model import Dataset
from labelkit.portable import where_one
from labelkit.portable_lengths import MAX_NAME_BYTES, name_too_long
from labelkit.report import Report


def report_unlisted_actions(dataset: Dataset, xml_objects: np.ndarray[Any, Any], report: Report, split: str) -> None:
    """The action flags that would be lines of an ``ImageSets/Action/<action>_<split>.txt`` Windows cannot create.

    Such a list (action ``con.x``: a device) is not written (:func:`.voc_lists.action_list_ok`): the flags of
    its lines (:func:`.voc_actions.action_flags`, the writer's own rule) are lost there; the XML's ``<actions>``
    keeps them.
    """
    flags = action_flags(dataset, xml_objects, split)
    lost = [(action, s) for s, action, *_ in flags.lines if not action_list_ok(action)]
    first = lost[0] if lost else None
    if first is not None:
        report.lose(
            "action flags whose ImageSets/Action list Windows cannot create",
            len(lost),
            "ImageSets/Action/<action>_<split>.txt is named after the action, and Windows opens a device for a "
            "name that is CON, PRN, AUX, NUL, COM1-COM9 or LPT1-LPT9 before its first dot: the list is not "
            "written, on every machine (the flags stay in the XML's <actions>; tools reading the lists, as "
            f"VOC2012's devkit does, do not see them) (action {ascii(first[0])}, "
            f"{ascii(f'ImageSets/Action/{first[0]}_{first[1]}.txt')})",
        )
    long = [
        (action, s) for s, action, *_ in flags.lines if action_list_ok(action) and name_too_long(f"{action}_{s}.txt")
    ]
    if long:
        report.lose(
            "action flags whose ImageSets/Action list name is too long",
            len(long),
            "ImageSets/Action/<action>_<split>.txt is named after the action and the split, and file systems take "
            f"no file name of more than {MAX_NAME_BYTES} bytes: the list is not written (the flags stay in the "
            "XML's <actions>; tools reading the lists, as VOC2012's devkit does, do not see them) (action "
            f"{ascii(long[0][0])}, {ascii(f'ImageSets/Action/{long[0][0]}_{long[0][1]}.txt')})",
        )
    trainval = dataset.info.extras.get("voc:trainval") is True
    if unread := unread_action_flags(flags, trainval):
        lost_name, kept = _example(action_lists(flags, trainval)[1])
        report.lose(
            "action flags whose ImageSets/Action list is another's on macOS or Windows",
            len(unread),
            _clash_reason("action", "Action", kept, lost_name)
            + " (the flags stay in the XML's <actions>; tools reading the lists do not see them)",
        )


def _example(yielding: dict[str, str]) -> tuple[str, str]:
    """A list that yields, and the one it yields to: the first by name, a split's own before trainval's."""
    return min(yielding.items(), key=lambda pair: (pair[0].endswith("_trainval.txt"), pair[0]))


def _clash_reason(kind: str, folder: str, kept: str, lost: str) -> str:
    """Why the lists of ``kind`` (class or action) whose names fold as others' are not written: ``lost`` yields."""
    return (
        f"ImageSets/{folder}/<{kind}>_<split>.txt is named after the {kind} and split, and names differing only in "
        "case are one file on macOS and Windows, names differing only in Unicode normalisation (NFC and NFD) on "
        f"macOS: the first by name is written, and a split's own list before it, on every machine "
        f"({ascii(f'ImageSets/{folder}/{kept}')} is written; {ascii(f'ImageSets/{folder}/{lost}')} is not: one on "
        f"{where_one(kept, lost)})"
    )


def main_lists(splits: list[str], dataset: Dataset) -> dict[str, list[str]]:
    """The splits the writer gives a Main list: the items' (``splits``), and those read empty (made again)."""
    main: dict[str, list[str]] = {s: [] for s in splits}
    empty_lists_again(main, empty_splits_read(dataset.info.extras))
    return main


def report_yielding_class_lists(dataset: Dataset, split: str, report: Report) -> None:
    """The image labels of class lists whose name another list's takes on macOS or Windows.

    :func:`.voc_lists.class_lists` says which lists yield, for the writer too.
    """
    items = dataset.table("items")
    ids = [str(i) for i in items["id"].to_pylist()]
    splits = dataset.item_splits(split)
    plan = class_lists(dataset, ids, splits, dataset.info.extras.get("voc:trainval") is True)
    # (the writer refuses it: so does a plan, and a dry run exits as it would)
    if clash := list_clash(plan, main_lists(splits, dataset)):
        raise clash.error(Path("ImageSets/Main"))
    if plan.yielding:
        lost, kept = _example(plan.yielding)
        report.lose(
            "image labels of classes whose ImageSets/Main list is another's on macOS or Windows",
            sum(1 for *_, read in plan.listed(label_values(dataset)) if not read),
            _clash_reason("class", "Main", kept, lost),
        )
