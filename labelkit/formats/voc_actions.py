"""VOC2012's per-action lists (``ImageSets/Action/<action>_<split>.txt``): which flags they hold, and writing them.

Shared by the writer (:mod:`labelkit.formats.voc_write`) and the plan (:mod:`labelkit.formats.voc_check`), so
that what the plan reports of the lists is what the writer writes (the other lists: :mod:`.voc_lists`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from labelkit.errors import OutputError
from labelkit.formats.voc_lists import (
    DOTA_FLAG,
    action_list_ok,
    list_read_back,
    listable,
    may_hold_voc,
    task_splits,
    yielding_lists,
)
from labelkit.formats.voc_values import is_flag, tag_ok
from labelkit.io import create_file
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, decode_json_cell
from labelkit.portable import folded_name
from labelkit.portable_lengths import name_too_long

ActionLines = dict[str, dict[str, list[tuple[str, int, int]]]]
"""Split -> action -> the lines of ``Action/<action>_<split>.txt``: item, 1-based XML object index, flag."""


@dataclass(frozen=True)
class ActionFlags:
    """The action flags VOC2012's per-action lists hold (see :func:`action_flags`)."""

    lines: list[tuple[str, str, str, int, int]]
    """The lines of ``Action/<action>_<split>.txt``: split, action, item, 1-based XML object index, flag (1 or -1);
    in the order of the items, their XML objects and their flags."""
    items: frozenset[int]
    """The items (positions) with an XML object whose ``voc:actions`` is a dict: Action lists them when their
    ``voc:imagesets`` does not say which lists do."""
    splits: frozenset[str] = frozenset()
    """The splits of ``ImageSets/Action/<split>.txt`` (given when there are lines): those of the items listed for
    Action, by their ``voc:imagesets`` or (not given) their objects' actions."""


def action_flags(dataset: Dataset, placed: NDArray[np.bool_], default_split: str) -> ActionFlags:
    r"""The action flags that are lines of ``ImageSets/Action/<action>_<split>.txt``, for writer and check() alike.

    :func:`write` writes these lines, and check() reports those of lists that cannot be written: one rule, so
    the plan counts what the writer leaves out.

    A line is a flag (an integer, of an action name that is an XML name: what the XML's ``<actions>`` holds) of
    an XML object (``placed``: a box VOC can write and a known class; not ``voc:mask_only`` nor ``voc:semantic``)
    of an item listed for Action (its ``voc:imagesets`` names it, or is not given) whose id can be a list line.
    Extras are read as :func:`write` reads them: a text naming no ``"voc:`` (nor DOTA's flag) is not decoded, and
    an escaped key (``"voc:\u0061ctions"``) is the key it spells.
    """
    objects, items = dataset.table("objects"), dataset.table("items")
    if not objects.num_rows:
        return ActionFlags([], frozenset())
    extras = objects["extras"]
    decoded = placed & (contains_match(extras, '"voc:') | contains_match(extras, DOTA_FLAG))  # (as write() decodes)
    escaped = contains_match(extras, "\\")
    keyed = decoded & (escaped | contains_match(extras, '"voc:actions"'))  # (rows that may hold voc:actions)
    if not keyed.any():
        return ActionFlags([], frozenset())
    # an XML object: placed, and no voc:mask_only or voc:semantic (a mask read from the PNGs alone)
    xml = placed.copy()
    aside = decoded & (escaped | contains_match(extras, '"voc:mask_only"') | contains_match(extras, '"voc:semantic"'))
    rows = np.flatnonzero(aside | keyed)
    read: dict[int, dict[str, Any]] = {}
    for r, text in zip(rows.tolist(), extras.take(pa.array(rows)).to_pylist(), strict=True):
        read[r] = decode_json_cell(text)
        xml[r] = not (read[r].get("voc:mask_only") or read[r].get("voc:semantic"))  # (false: no flag)
    # each object's 1-based index among its item's XML objects, in row order
    item = dataset.item_positions()
    known = np.flatnonzero(item >= 0)
    order = known[np.argsort(item[known], kind="stable")]
    running = np.concatenate([[0], np.cumsum(xml[order].astype(np.int64))])
    first = np.searchsorted(item[order], item[order], side="left")
    index = np.zeros(len(item), np.int64)
    index[order] = running[1:] - running[first]
    ids = items["id"].to_pylist()
    splits = items["split"].to_pylist()
    holds_voc = may_hold_voc(items["metadata"])
    metadata = items["metadata"]
    lines: list[tuple[str, str, str, int, int]] = []
    with_actions: set[int] = set()
    for r in order[(keyed & xml)[order]].tolist():
        flags = read[r].get("voc:actions")
        if not isinstance(flags, dict):
            continue
        n = int(item[r])
        with_actions.add(n)
        meta = decode_json_cell(metadata[n].as_py()) if holds_voc[n] else {}
        tasks = meta.get("voc:imagesets")
        if (isinstance(tasks, list) and "Action" not in tasks) or not listable(str(ids[n])):
            continue
        # (in the splits of the item's Action lists, as its task list is: Action/val.txt naming a train image)
        for split in task_splits(meta, "Action", splits[n] or default_split):
            for action, flag in flags.items():
                if tag_ok(action) and is_flag(flag):  # (what the XML holds: check() reports the others)
                    lines.append((split, action, str(ids[n]), int(index[r]), 1 if flag else -1))
    # the Action split lists: of the items whose voc:imagesets names Action, or is not given and they have actions
    named = np.flatnonzero(holds_voc & (contains_match(metadata, "Action") | contains_match(metadata, "\\")))
    action_splits: set[str] = set()
    for n in sorted(with_actions.union(named.tolist())):
        meta = decode_json_cell(metadata[n].as_py()) if holds_voc[n] else {}
        tasks = meta.get("voc:imagesets")
        if "Action" in tasks if isinstance(tasks, list) else n in with_actions:
            action_splits.update(task_splits(meta, "Action", splits[n] or default_split))
    return ActionFlags(lines, frozenset(with_actions), frozenset(action_splits))


def action_lists(flags: ActionFlags, trainval: bool) -> tuple[ActionLines, dict[str, str]]:
    """The lines of each ``Action/<action>_<split>.txt``, and the lists another's name takes on macOS or Windows.

    ``trainval`` lists are made again (sorted) when the input had them and train or val has lines. The lists
    that yield (:func:`yielding_lists`) are not written.

    An action whose list Windows cannot create (``con.x_train.txt``: a device) is left to the caller.
    """
    actions: ActionLines = defaultdict(lambda: defaultdict(list))  # split -> action -> (item, object, flag)
    for split, action, item_id, k, flag in flags.lines:
        actions[split][action].append((item_id, k, flag))
    by_split: ActionLines = {s: dict(a) for s, a in actions.items()}
    if trainval and ("train" in by_split or "val" in by_split):
        union: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
        for split in ("train", "val", "trainval"):
            for action, lines in by_split.get(split, {}).items():
                union[action].update(lines)
        by_split["trainval"] = {a: sorted(lines) for a, lines in union.items()}
    files = [
        name
        for split, by_action in by_split.items()
        for a in by_action
        if action_list_ok(a) and not name_too_long(name := f"{a}_{split}.txt")
    ]
    return by_split, yielding_lists(flags.splits, files)


def unread_action_flags(flags: ActionFlags, trainval: bool) -> list[tuple[str, str]]:
    """The flags (their split and action, in order) of lines whose Action list yields its name to another's."""
    by_split, yielding = action_lists(flags, trainval)
    if not yielding:
        return []
    union = trainval and ("train" in by_split or "val" in by_split)
    return [
        (split, action)
        for split, action, *_ in flags.lines
        if action_list_ok(action) and not list_read_back(action, split, yielding, union)
    ]


def write_action_lists(path: Path, flags: ActionFlags, file_ids: dict[str, str], trainval: bool) -> None:
    """Write VOC2012's ``Action/<action>_<split>.txt``: ``image object-index flag`` lines, flag 1 or -1.

    An object's line gives each action its ``voc:actions`` holds (as its XML's ``<actions>``), in the order of
    the images and of their XML objects; ``trainval`` lists again, sorted, when the input had them.

    An action whose list Windows cannot create (``con.x_train.txt``: a device) has none, nor has one whose list
    another's name takes on macOS or Windows (``Jump_train.txt`` beside ``jump_train.txt``), nor a list whose
    name is over 255 bytes: check() reports their flags lost there (the XML keeps them).

    Raises:
        OutputError: an action and split whose file would be another list's (action ``a`` of split ``b_c`` and
            ``a_b`` of split ``c``; action ``jumping`` of split ``train`` and split ``jumping_train``).
    """
    if not flags.lines:
        return
    by_split, yielding = action_lists(flags, trainval)
    folder = path / "ImageSets" / "Action"
    folder.mkdir(parents=True, exist_ok=True)
    written = {folded_name(f"{split}.txt"): f"the list of split {split!r}" for split in flags.splits}
    for split, by_action in sorted(by_split.items()):
        for action, lines in sorted(by_action.items()):
            name = f"{action}_{split}.txt"
            if not action_list_ok(action) or name in yielding or name_too_long(name):
                continue  # (check() reports their flags lost, those of a name too long too)
            if folded_name(name) in written:
                raise OutputError(
                    f"would be both {written[folded_name(name)]} and the list of action {action!r} in split {split!r}",
                    path=folder / name,
                    hint="rename the action or the split",
                )
            written[folded_name(name)] = f"the list of action {action!r} in split {split!r}"
            text = "".join(f"{file_ids.get(m, m)} {k} {flag:2d}\n" for m, k, flag in lines)
            create_file(str(folder / name), text.encode())
