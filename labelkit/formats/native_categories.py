"""Categories' own rules, as both native readers (labelkit JSON and Parquet) and writers check them.

An id given twice, a parent that is not a category or parents leading back to it (readers refuse them, writers
refuse to write them), and skeleton indexes naming no keypoint (``validate`` findings, as in COCO).
"""

from __future__ import annotations

from labelkit.errors import OutputError, json_pointer
from labelkit.model import Category, Dataset
from labelkit.model.records import names_no_keypoint
from labelkit.report import Finding, Report


def check_parents(dataset: Dataset) -> None:
    """Refuse a category whose parent is not a category, or whose parents lead back to it (readers refuse both).

    Raises:
        OutputError: naming the first such category.
    """
    orphans = _orphans(dataset.categories)
    if orphans:
        c = dataset.categories[orphans[0]]
        raise OutputError(
            f"category {c.id}'s parent {c.parent} is not a category of the dataset",
            hint="add the parent category, or set the parent to None",
        )
    cycles = parent_cycles(dataset.categories)
    if cycles:
        raise OutputError(
            f"category {cycles[0][1]}", hint="categories form a hierarchy: break the loop by setting a parent to None"
        )


def refuse_repeated_categories(dataset: Dataset) -> None:
    """Refuse two categories of one id, which only a dataset built in code can have (every reader refuses them).

    Every writer finds an annotation's category by its id: COCO wrote both, a file its own reader refuses,
    YOLO wrote the objects as the first's class and VOC under the second's name, without a word.

    Raises:
        OutputError: naming the first repeat (``categories[1]: duplicate category id 1``).
    """
    repeats = _repeats(dataset.categories)
    if repeats:
        i = repeats[0]
        raise OutputError(
            f"categories[{i}]: duplicate category id {dataset.categories[i].id}",
            hint="give each category an id of its own (readers refuse repeated ids: only a dataset built in code has "
            "them)",
        )


def _repeats(categories: list[Category]) -> list[int]:
    """The positions of the categories whose id an earlier category of the list has."""
    seen: set[int] = set()
    out = []
    for i, c in enumerate(categories):
        if c.id in seen:
            out.append(i)
        seen.add(c.id)
    return out


def _orphans(categories: list[Category]) -> list[int]:
    """The positions of the categories whose parent is not a category of the list."""
    ids = {c.id for c in categories}
    return [i for i, c in enumerate(categories) if c.parent is not None and c.parent not in ids]


def parent_cycles(categories: list[Category]) -> list[tuple[int, str]]:
    """Each category whose parents lead back to it, in list order: (position, what is wrong).

    What: ``3's parent is itself``, ``2's parents lead back to it: 2 -> 3 -> 2``. A parent that is no category
    ends a chain (:func:`parent_findings` names it).

    Examples:
        >>> parent_cycles([Category(id=1, name="a", parent=2), Category(id=2, name="b", parent=1)])
        [(0, "1's parents lead back to it: 1 -> 2 -> 1"), (1, "2's parents lead back to it: 2 -> 1 -> 2")]
        >>> parent_cycles([Category(id=i, name=str(i), parent=(i + 1) % 9) for i in range(9)])[4]
        (4, "4's parents lead back to it: 4 -> 5 -> 6 -> ... -> 2 -> 3 -> 4 (a loop of 9 categories)")
        >>> parent_cycles([Category(id=1, name="a", parent=2), Category(id=2, name="b", parent=2)])
        [(1, "2's parent is itself")]
    """
    parent = {c.id: c.parent for c in categories}
    loop_of: dict[int, tuple[list[int], int]] = {}  # each category on a loop -> (the loop, its place on it)
    done: set[int] = set()
    for c in categories:  # each category is walked once: linear in the categories, however long the chains
        chain: list[int] = []
        place: dict[int, int] = {}
        at: int | None = c.id
        while at is not None and at in parent and at not in done and at not in place:
            place[at] = len(chain)
            chain.append(at)
            at = parent[at]
        if at is not None and at in place:  # the walk came back onto itself: chain[place[at]:] is a loop
            loop = chain[place[at] :]
            for k, member in enumerate(loop):
                loop_of[member] = (loop, k)
        done.update(chain)
    out = []
    for i, c in enumerate(categories):
        if c.id not in loop_of:
            continue
        loop, k = loop_of[c.id]
        if len(loop) == 1:
            out.append((i, f"{c.id}'s parent is itself"))
            continue
        n = len(loop)
        shown: list[object] = [loop[(k + j) % n] for j in (range(n) if n <= 8 else (0, 1, 2, n - 2, n - 1))]
        if n > 8:
            shown.insert(3, "...")
        size = f" (a loop of {n} categories)" if n > 8 else ""
        shown.append(c.id)
        out.append((i, f"{c.id}'s parents lead back to it: {' -> '.join(map(str, shown))}{size}"))
    return out


def category_findings(categories: list[Category], where: str) -> list[Finding]:
    """Categories repeating an id, then those whose parent is not a category (at ``#/categories/<i>/...``)."""
    findings = [
        Finding(where, "#" + json_pointer("categories", i, "id"), f"duplicate category id {categories[i].id}")
        for i in _repeats(categories)
    ]
    return findings + parent_findings(categories, where)


def skeleton_findings(categories: list[Category], where: str) -> list[Finding]:
    """A ``validate`` finding per skeleton index naming none of its category's keypoints (counted from 1, as COCO).

    The record takes such an edge, and so do both native readers (as COCO's reader carries it); COCO's ``validate``
    names it, so the native formats' does too, at ``#/categories/<i>/skeleton/<j>/<k>`` of ``where``. A category of
    no keypoint names (none, or ``[]`` as Datumaro writes) has only an index below 1 named, as COCO's ``validate``
    has it: a COCO file it calls clean converts to a native file this calls clean.

    >>> [f.message for f in skeleton_findings([Category(id=1, name="p", keypoints=["a"], skeleton=[(1, 2)])], "m")]
    ["skeleton index 2 names none of the category's 1 keypoints (counted from 1, as in COCO)"]
    >>> [f.message for f in skeleton_findings([Category(id=1, name="p", keypoints=[], skeleton=[(0, 2)])], "m")]
    ['skeleton index 0 names no keypoint (counted from 1, as in COCO)']
    """
    findings = []
    for i, category in enumerate(categories):
        count = len(category.keypoints) if category.keypoints else None  # ([]: no names, as COCO's check has it)
        for j, edge in enumerate(category.skeleton or []):
            for k, index in enumerate(edge):
                if names_no_keypoint(index, count):
                    names = "no keypoint" if count is None else f"none of the category's {count} keypoints"
                    message = f"skeleton index {index} names {names} (counted from 1, as in COCO)"
                    findings.append(Finding(where, "#" + json_pointer("categories", i, "skeleton", j, k), message))
    return findings


def note_skeleton_indexes(dataset: Dataset, report: Report) -> None:
    """Note the skeleton indexes :func:`skeleton_findings` names, which both native writers write as they are.

    Every category's, those read from COCO too: the COCO reader's note says what the input holds, this one what
    the output does (which ``validate`` names), and a dataset read from labelkit JSON or Parquet got no read note.
    """
    if n := len(skeleton_findings(dataset.categories, "")):
        report.note(
            f"{n} category skeleton indexes name none of their category's keypoints (counted from 1, as in COCO): "
            "written as they are, and validate names each"
        )


def parent_findings(categories: list[Category], where: str) -> list[Finding]:
    """A finding per category whose parent is not a category, then per one whose parents lead back to it.

    Each at ``#/categories/<i>/parent`` of ``where``.
    """
    return [
        Finding(where, "#" + json_pointer("categories", i, "parent"), f"unknown category {categories[i].parent}")
        for i in _orphans(categories)
    ] + [
        Finding(where, "#" + json_pointer("categories", i, "parent"), f"category {what}")
        for i, what in parent_cycles(categories)
    ]
