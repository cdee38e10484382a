"""COCO writing: which file of a split each annotation goes to.

Objects go to the instances file, or back to the stuff, keypoints or results file they were read from
(``coco:@task``; :func:`file_homes`, :data:`ORIGINS`). An annotation without ``bbox``, ``segmentation``,
``keypoints`` and ``caption`` is an image label, whichever file holds it. One read from an instances, stuff,
keypoints or captions file is tagged with its file's task (``"coco:@task":"instances"``, the
reader's bookkeeping, as objects read from a stuff file are: other writers carry it as any extra, the report
names no such key), so that writing COCO puts it back in that file, after the file's objects (or captions),
where its split still has the file; elsewhere it goes to ``labels_<split>.json``, as labels from a labels
file and from other formats do. A caption read from an instances, stuff, keypoints or labels file is tagged so too
(:data:`CAPTION_TASKS`) and goes back to that file, after its objects and before its labels; elsewhere to
``captions_<split>.json``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_ids import Renumbered
from labelkit.formats.coco_tasks import RESULTS_RE, TASK_RE
from labelkit.formats.coco_text import LISTED_TAG, STUFF_TAG
from labelkit.model.annotations import INT64_MAX
from labelkit.model.tables import contains_match, valid_mask


@dataclass
class FileSpec:
    """One output file.

    Its task (``instances``, ``person_keypoints``, ``captions``, ``labels``, ``image_info``, ``stuff``,
    ``results``), split, top-level keys, category ids (None: all) and image ids (None: all of the split).
    """

    task: str
    split: str | None
    keys: list[str]
    categories: list[int] | None = None
    images: list[int] | None = None
    category_fields: dict[str, list[str]] | None = None
    own: dict[str, Any] | None = None  # top-level values of its own: info and licenses unlike the dataset's, other keys
    image_missing: dict[str, list[str]] | None = None  # item id -> metadata fields this file's image lacked as read
    category_values: dict[str, dict[str, Any]] | None = None  # category id -> its fields' values in this file, as read
    ids: bool = False  # a detection-results file whose detections had ids: written with them
    file_name: str | None = None  # a detection-results file's name as read, when not results_<split>.json
    nameless_keypoints: frozenset[int] = frozenset()  # categories it carried keypoints of inline, naming none

    @property
    def name(self) -> str:
        """The file name inside ``annotations/`` (a results file's as read: cocoapi's ``<task>_<split>_<alg>_...``)."""
        named = RESULTS_RE.match(self.file_name or "")
        whole = TASK_RE.match(self.file_name or "")  # (a split's second such file is a split of its own: see coco.py)
        if self.task == "results" and named and whole and self.split in (named.group(1), whole.group(2)):
            return named.group(0)
        return f"{self.task}_{self.split or 'default'}.json"


LABEL_TASKS = ("instances", "stuff", "person_keypoints", "captions", "results")
"""The files whose image labels are tagged with their task on reading, and written back to them (an image info
file, which may be written without annotations, is not; a detection-results file's are its detections without
geometry, ``{"image_id", "category_id", "score"}``, which pycocotools' ``loadRes`` takes)."""


CAPTION_TASKS = ("instances", "stuff", "person_keypoints", "labels")
"""The files other than a captions file whose captions are tagged with their task on reading, and written back."""

_KINDS = {"labels": LABEL_TASKS, "captions": CAPTION_TASKS}
"""Per home of the untagged (labels, captions files): the tasks whose tagged annotations of that kind go back."""


def label_homes(
    extras: pa.Array | pa.ChunkedArray,
    tasks: set[str] | frozenset[str],
    default: str = "labels",
    scored: np.ndarray | None = None,
) -> np.ndarray:
    """Per label (caption: ``default`` captions), its split's file it is written to: its tag's, or ``default``.

    ``scored``: per label, whether it has a score: one read from a results file without one (taken away) goes to
    ``default`` (a results file's every record needs one).
    """
    home = np.full(len(extras), default, dtype=object)
    for task in _KINDS[default]:
        if task in tasks:
            home[contains_match(extras, f'"{STUFF_TAG}":"{task}"')] = task
    if scored is not None:
        home[(home == "results") & ~scored] = default
    return home


def labels_of(labels: pa.Table, task: str, tasks: set[str] | frozenset[str], default: str = "labels") -> pa.Table:
    """The labels (or captions: ``default`` captions) written to the split's file of ``task`` (one of ``tasks``)."""
    kinds = _KINDS[default]
    if task != default and task not in kinds:
        return labels.slice(0, 0)
    if not labels.num_rows or not set(kinds) & set(tasks):
        return labels if task == default else labels.slice(0, 0)
    scored = valid_mask(labels["score"]) if "score" in labels.column_names else None
    return labels.filter(pa.array(label_homes(labels["extras"], tasks, default, scored) == task))


def apart(ids: np.ndarray, taken: np.ndarray | None, own: np.ndarray | None = None) -> tuple[np.ndarray, Renumbered]:
    """Label ids, those that an annotation of their file already has (``taken``) numbered after the largest.

    Counted renumbered: those that were their labels' own numbers (``own``, default all); one already numbered
    anew (a repeat, or a label id without a number) is counted once, where it was.

    >>> apart(np.array([1, 5]), np.array([5, 9]))[0].tolist()
    [1, 10]
    >>> apart(np.array([1, 2**63 - 1]), np.array([2**63 - 1]))[0].tolist()  # (none after the largest)
    [1, 2]
    """
    if taken is None or not len(taken) or not len(ids):
        return ids, Renumbered()
    clash = np.isin(ids, taken)
    if not clash.any():
        return ids, Renumbered()
    out = ids.copy()
    count = int(clash.sum())
    counted = count if own is None else int((clash & own).sum())
    top = max(int(ids.max()), int(taken.max()))
    if top + count <= INT64_MAX:
        out[clash] = top + 1 + np.arange(count, dtype=np.int64)
    else:  # (the largest is near 2**63 - 1: the smallest numbers from 1 that no annotation of the file has)
        used = {*ids.tolist(), *taken.tolist()}
        free = (n for n in itertools.count(1) if n not in used)
        out[clash] = [next(free) for _ in range(count)]
    return out, Renumbered(repeated=counted)


def file_homes(
    by_task: dict[str, list[FileSpec]],
    task: str,
    category: Any,
    extra: Any,
    posed: bool,
    scored: bool = True,
    untagged: str = "instances",
) -> list[FileSpec]:
    """The files of a split (by task) an annotation of ``task``'s kind belongs in (none: its kind has no file).

    An object goes to the file of its kind it was read from: a stuff file's (tagged ``stuff``, or untagged in a
    dataset read from stuff files alone: ``untagged``) to the stuff file, else the instances file; any other to
    the instances file (none: one is made; it went into a stuff or keypoints file beside, a file of another kind,
    which ``validate`` refused for ids it repeats). A detection-results file is the home of untagged objects only
    when the split has no instances or stuff file, and only of those with a score (a result needs one: an object
    without goes to an instances file). A detection read from a results file (tagged ``results``) has none in a
    split of ground truth files without a results file: it gets one (it went into the instances file, as ground
    truth).
    """
    if task != "instances":
        return by_task.get(task, [])
    keypoints = by_task.get("person_keypoints", [])
    if extra and f'"{STUFF_TAG}":"results"' in extra and scored:  # (a detection read from a results file)
        if by_task.get("results"):
            return by_task["results"][:1]
        if any(by_task.get(t) for t in ("instances", "stuff", "person_keypoints")):
            return []  # (moved to a split of ground truth files: a results file of its own is made)
    if extra and f'"{STUFF_TAG}":"person_keypoints"' in extra and keypoints:
        return keypoints[:1]
    tagged = bool(extra) and f'"{STUFF_TAG}":' in extra
    stuff = (bool(extra) and f'"{STUFF_TAG}":"stuff"' in extra) or (untagged == "stuff" and not tagged)
    instances, stuffs = by_task.get("instances", []), by_task.get("stuff", [])
    homes = list((stuffs or instances) if stuff else instances)
    if not instances and not stuffs and scored:  # (a split read from a detection-results list)
        homes = list(by_task.get("results", []))
    # (its keypoints are written in the keypoints file, unless read from an instances file only: see INLINE_TAG)
    if posed and not (extra and f'"{STUFF_TAG}":"instances"' in extra):
        homes += [s for s in keypoints if s.categories is None or category in s.categories]
    return homes


ORIGINS: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "instances": (frozenset({"instances"}), frozenset({"stuff", "person_keypoints", "results"})),
    "stuff": (frozenset({"stuff"}), frozenset({"instances", "person_keypoints", "results"})),
    "person_keypoints": (frozenset({"instances", "person_keypoints"}), frozenset({"stuff", "results"})),
    "results": (frozenset({"results"}), frozenset({"instances", "stuff", "person_keypoints"})),
}
"""Per file task: the files an object written there may have been read from (``coco:@task``; untagged:
instances), and the other files of the split that make the choice matter."""


def files_read(files: Any) -> list[dict[str, Any]]:
    """The files a dataset was read from, as its info's ``coco:files`` lists them (none when it has no such list)."""
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _integers(value: Any) -> bool:
    return isinstance(value, list) and all(type(v) is int for v in value)


def _mapping(value: Any, of: Callable[[Any], bool]) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and of(v) for k, v in value.items())


_FILE_FIELDS: dict[str, Callable[[Any], bool]] = {
    "task": lambda v: isinstance(v, str),
    "split": lambda v: v is None or isinstance(v, str),
    "keys": _texts,
    "categories": _integers,
    "images": lambda v: isinstance(v, list) and all(type(i) is int or i is None for i in v),
    "category_fields": lambda v: _mapping(v, _texts),
    "category_values": lambda v: _mapping(v, lambda x: isinstance(x, dict)),
    "own": lambda v: isinstance(v, dict),
    "image_missing": lambda v: _mapping(v, _texts),
    "ids": lambda v: isinstance(v, bool),
    "name": lambda v: isinstance(v, str),
    "nameless_keypoints": _integers,
}
"""Each field of a ``coco:files`` entry the writer reads, and whether a value is of the shape the reader gives."""


def sane_files(files: Any) -> list[dict[str, Any]] | None:
    """``coco:files`` with only what the writer can read: entries that are objects, of fields of the reader's shapes.

    The reader's bookkeeping, which a labelkit JSON file may hold edited (``"keys": 5``): such a value was taken as
    read, and writing COCO failed with an internal error. A field of another shape is left out (the writer does
    without it, as for a file read without it), and so is an entry that is no object; None: no list at all.
    """
    if not isinstance(files, list):
        return None
    out = []
    for entry in files:
        if isinstance(entry, dict):
            out.append({k: v for k, v in entry.items() if k not in _FILE_FIELDS or _FILE_FIELDS[k](v)})
    return out


def object_files(split: str, keys: list[str], files: Any, posed: Callable[[], bool]) -> list[FileSpec]:
    """The files holding the objects of a split the dataset was not read with, in the layout it was read with.

    A dataset read from COCO with keypoints files (``files``: its info's ``coco:files``) gives the split a
    keypoints file listing their categories: beside an instances file when it was read with instances or stuff
    files too and the split has objects that go there (``posed``: see :func:`posed_any`), alone when it was read
    from keypoints files and no other file holding objects. Otherwise (another format, no keypoints file, or
    keypoints files beside detection results alone) the split has an instances file.
    """
    read = files_read(files)
    kp = [f for f in read if f.get("task") == "person_keypoints"]
    if not kp:
        return [FileSpec("instances", split, keys)]
    lists = [f.get("categories") for f in kp]
    cats = list(dict.fromkeys(c for x in lists for c in x or [])) if all(isinstance(x, list) for x in lists) else None
    held = {f.get("task") for f in read} & {"instances", "stuff", "results"}  # (the other files holding objects)
    values = keypoints_file_values(read)  # (a category's names as the keypoints files read give them)
    if not held:
        return [FileSpec("person_keypoints", split, keys, cats, category_values=values or None)]
    if held == {"results"} or not posed():  # (detections beside keypoints files: as any object, see file_homes)
        return [FileSpec("instances", split, keys)]
    return [
        FileSpec("instances", split, keys),
        FileSpec("person_keypoints", split, keys, cats, category_values=values or None),
    ]


def keypoints_file_values(files: Any) -> dict[str, dict[str, Any]]:
    """Per category id (text): its values in the first keypoints file read that has values of its own.

    A keypoints file may name more points than the instances file beside it (the category's own names are the
    first file's): a split the dataset was not read with gets its keypoints file's names so, and its objects'
    keypoints, read from a keypoints file, fit them (it was written with the instances file's, every set refused).
    """
    out: dict[str, dict[str, Any]] = {}
    for f in files_read(files):
        values = f.get("category_values")
        if f.get("task") == "person_keypoints" and isinstance(values, dict):
            for cid, v in values.items():
                if isinstance(v, dict):
                    out.setdefault(str(cid), v)
    return out


def posed_rows(objects: pa.Table | pa.RecordBatch) -> np.ndarray:
    """Per object: it has keypoints, or a keypoints file listed it without (:data:`.coco_text.LISTED_TAG`).

    Either goes to the keypoints file of its category beside an instances file (unless tagged for one file).
    """
    posed: np.ndarray = valid_mask(objects["keypoints"]) | contains_match(objects["extras"], f'"{LISTED_TAG}":')
    return posed


def posed_any(objects: pa.Table) -> bool:
    """Whether any of ``objects`` goes to a keypoints file beside an instances file.

    One with keypoints does (not one whose instances record alone carried them, ``"coco:@task":"instances"``,
    nor a detection, ``"coco:@task":"results"``), and one read from a keypoints file.
    """
    extras = objects["extras"]
    posed = posed_rows(objects) | contains_match(extras, f'"{STUFF_TAG}":"person_keypoints"')
    for task in ("instances", "results"):
        posed &= ~contains_match(extras, f'"{STUFF_TAG}":"{task}"')
    return bool(posed.any())


def keypoint_file_splits(files: Any, items: pa.Table, objects: pa.Table) -> list[str]:
    """The splits written with a keypoints file (``default``: items without a split), sorted.

    Those read with one (``files``: the dataset info's ``coco:files``), and those it was not read with that
    :func:`object_files` gives one. An instances file beside one is written without keypoints.
    """
    read = files_read(files)
    out = {f.get("split") or "default" for f in read if f.get("task") == "person_keypoints"}
    if not out:
        return []
    named = pc.if_else(pc.equal(items["split"], ""), None, items["split"]).fill_null("default")
    for split in sorted(set(pc.unique(named).to_pylist()) - {f.get("split") or "default" for f in read}):
        ids = items["id"].filter(pc.equal(named, split))
        mine = objects.filter(pc.is_in(objects["item_id"], value_set=ids))
        if any(s.task == "person_keypoints" for s in object_files(split, [], read, partial(posed_any, mine))):
            out.add(split)
    return sorted(out)
