"""``split()``: set every item's split, deterministically, without splitting a group, and report how well."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from numbers import Integral, Real
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.api_args import as_path, output_path, require_dataset, type_name
from labelkit.errors import InputError, UsageError, json_pointer, require_bools
from labelkit.formats.base import EMPTY_SPLIT_KEYS, EMPTY_TASK_LISTS
from labelkit.model import Dataset
from labelkit.model.tables import ANNOTATION_TABLES, KIND_BY_TABLE, true_mask
from labelkit.portable import SPLIT_FOLDERS, windows_cannot_hold
from labelkit.split import assign
from labelkit.split.hashing import checked_seed as checked_seed
from labelkit.split.hashing import key_hash, unit
from labelkit.split.hashing import plain_seed as plain_seed
from labelkit.split.inputs import IntArray, SplitInput, crossed_keys, group_regex, locked_splits, prepare
from labelkit.split.lockfile import SHARE_SLACK, Lockfile, read_lockfile
from labelkit.split.report import LabelStats, SplitReport, SplitStats, examples_distribution, label_distribution

ALGORITHM_VERSION = "6"
"""Version of the assignment rules; a golden test pins the result of a fixed dataset for each version.

``1``: greedy, coverage pass and polish. ``2``: the same, then a local search on LD over the free groups (moves,
swaps and kicks within a fixed budget). ``3``: the same, then the free groups that carry no label are placed again
to bring split sizes closest to their targets. ``4``: the same, with the targets' remainders compared to 9 decimals,
so that a tie is one (``assign.target_sizes``). ``5``: the same, but a split of a target of 0 is left empty, and
every label of fewer groups than splits gets a group in the largest split first, and the sizes' local search takes
the splits furthest from their targets first. ``6``: the same, but an item whose group is ``""`` (as pandas and CSV
write a missing value) has no group, and is a group of its own: version 5 kept all of them together as one group.
``split(..., version="1")``, ``"2"``, ``"3"``, ``"4"`` or ``"5"`` reproduces that version.
"""

VERSIONS = assign.VERSIONS

METHODS = ("balanced", "hash")

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""A split name, matched whole (``fullmatch``: ``$`` took ``train\n`` for ``train``)."""


class SplitResult(NamedTuple):
    """What :func:`split` returns: the dataset with splits set, and the report."""

    dataset: Dataset
    report: SplitReport


_SHARE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?i:nan|inf|infinity)", re.ASCII)
"""A share as ``--ratios`` writes it: ASCII decimal digits (``0.8``, ``.5``, ``1e-1``); ``nan`` and ``inf``
are read, to be refused as no share."""


def parse_ratios(ratios: Mapping[str, float] | str) -> dict[str, float]:
    """Check split ratios: named, non-negative, summing to 1. A string is ``train=0.8,val=0.1,test=0.1``.

    Raises:
        UsageError: a name or share is not usable, two names differ only in case, or the shares do not sum to 1.

    Examples:
        >>> parse_ratios("train=0.8,val=0.1,test=0.1")
        {'train': 0.8, 'val': 0.1, 'test': 0.1}
    """
    if isinstance(ratios, str):
        parsed: dict[str, float] = {}
        # (spaces around a name or share are passed over, "train = 0.8, val = 0.2"; another white space is no
        # name's: "train\n" was taken for train)
        for part in filter(None, (p.strip(" ") for p in ratios.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise UsageError("bad split ratio", expected="NAME=SHARE, e.g. train=0.8", found=repr(part))
            if not _SHARE.fullmatch(value.strip()):  # (float() takes 1_0 as 10 and other scripts' digits)
                raise UsageError("bad split ratio", expected="a number after '='", found=repr(part))
            share, name = float(value), name.strip(" ")
            if name in parsed:
                raise UsageError("a split is named twice", found=repr(name))
            parsed[name] = share
        ratios = parsed
    if not isinstance(ratios, Mapping):  # (a list or a number was AttributeError: no attribute 'items')
        raise UsageError(
            "bad split ratios",
            expected="a mapping of split name to share, or 'train=0.8,val=0.2'",
            found=type_name(ratios),
        )
    out: dict[str, float] = {}
    for k, v in ratios.items():
        if not isinstance(k, str):  # ({None: 0.5, 3: 0.5} made the splits 'None' and '3')
            raise UsageError("bad split name", expected="a str", found=f"{k!r} ({type_name(k)})")
        if isinstance(v, np.ndarray) and v.ndim == 0:  # (np.array(0.5), no Real: its scalar, checked as one)
            v = v[()]
        # a number, as folds and seed are checked: {"train": "0.8"} or True was taken for 0.8 or 1 unsaid
        if not isinstance(v, (Real, Decimal)) or isinstance(v, (bool, np.bool_)):  # (Decimal is no Real)
            raise UsageError("bad split ratio", expected="a number", found=f"{k}={v!r}")
        try:
            out[str(k)] = float(v)
        except (ValueError, OverflowError):  # (Decimal("sNaN"); 10**400, which no float holds)
            raise UsageError(f"bad share for split {k!r}", expected="a number >= 0", found=repr(v)) from None
    if not out:
        raise UsageError("no split ratios", expected="e.g. train=0.8,val=0.1,test=0.1")
    for name, share in out.items():
        if not _NAME.fullmatch(name):
            raise UsageError("bad split name", expected="letters, digits, '_', '-' or '.'", found=repr(name))
        if windows_cannot_hold(name):  # (a folder or list file every writer leaves out, its items with it)
            raise UsageError(
                "bad split name",
                expected="no name Windows cannot hold (a device name, con, aux, nul, com1, ..., or one ending in '.')",
                found=repr(name),
            )
        if not math.isfinite(share) or share < 0:
            raise UsageError(f"bad share for split {name!r}", expected="a number >= 0", found=repr(share))
    cased: dict[str, str] = {}
    for name in out:  # (split made them, then COCO, YOLO and VOC refused the result; names are ASCII: lower() folds)
        other = cased.setdefault(name.lower(), name)
        if other != name:
            raise UsageError(
                f"splits {other!r} and {name!r} differ only in case",
                hint="rename one of them: macOS and Windows file systems take them for one folder or file name,"
                " and the COCO, YOLO and VOC writers refuse them",
            )
    total = sum(out.values())
    if abs(total - 1.0) > SHARE_SLACK:
        raise UsageError(
            "split ratios must sum to 1",
            expected="1",
            # (12 digits, beyond the 1e-6 allowed and short of float noise: :g printed 1.000002 as 1, "found 1")
            found=f"{total:.12g} ({', '.join(f'{k}={v:.12g}' for k, v in out.items())})",
        )
    return out


MAX_SPLITS = 1000
"""The most splits (or folds) a split makes: the balancing work grows with their square."""


def fold_ratios(folds: int) -> dict[str, float]:
    """Equal shares for ``folds`` cross-validation folds, named ``fold-0`` .. ``fold-{K-1}``.

    Raises:
        UsageError: fewer than 2 folds.
    """
    if folds < 2:
        raise UsageError("cross-validation needs at least 2 folds", found=str(folds))
    if folds > MAX_SPLITS:
        raise UsageError(f"at most {MAX_SPLITS:,} folds", found=str(folds))
    return {f"fold-{i}": 1.0 / folds for i in range(folds)}


def check_options(
    ratios: Mapping[str, float] | str | None,
    *,
    folds: int | None,
    stratify: str,
    group_by: str | None,
    group_pattern: str | None,
    seed: int | str,
    method: str,
    keep_existing: bool,
    version: str | None,
) -> tuple[dict[str, float], int | str, int | None, str]:
    """Check :func:`split`'s options, before any data is read (``labelkit split`` does so before reading the input).

    Returns:
        The shares by split name, the seed (``"5"`` is 5), the folds and the algorithm version, as used.

    Raises:
        UsageError: as :func:`split` raises it for its options.
    """
    require_bools(keep_existing=keep_existing)  # ("no", from a config file, kept every existing split)
    if method not in METHODS:
        raise UsageError("bad split method", expected=" or ".join(METHODS), found=repr(method))
    seed = checked_seed(seed)
    if isinstance(folds, Integral) and not isinstance(folds, int):
        folds = int(folds)  # (numpy's made numpy ratios: the same TypeError)
    if folds is not None and (not isinstance(folds, int) or isinstance(folds, bool)):  # ("2" and 2.0 were TypeError)
        raise UsageError("bad number of folds", expected="an int", found=repr(folds))
    # (stratify=None was AttributeError: 'NoneType' object has no attribute 'startswith')
    for name, value in (("stratify", stratify), ("group_by", group_by), ("group_pattern", group_pattern)):
        if not isinstance(value, str) and (value is not None or name == "stratify"):
            raise UsageError(f"{name} must be a str, not {type_name(value)}")
    version = ALGORITHM_VERSION if version is None else str(version)
    if version not in VERSIONS:
        raise UsageError("unknown split algorithm version", expected=" or ".join(VERSIONS), found=repr(version))
    if folds is not None:
        if ratios is not None:
            raise UsageError("give ratios or folds, not both")
        shares = fold_ratios(folds)
    elif ratios is None:
        raise UsageError("no split ratios", expected="e.g. train=0.8,val=0.1,test=0.1, or folds")
    else:
        shares = parse_ratios(ratios)
    if len(shares) > MAX_SPLITS:
        raise UsageError(f"at most {MAX_SPLITS:,} splits", found=f"{len(shares):,} ratios")
    if stratify not in ("labels", "none") and not (stratify.startswith("attr:") and len(stratify) > 5):
        raise UsageError("bad --stratify", expected="labels, none or attr:NAME", found=repr(stratify))
    if group_pattern is not None:
        group_regex(group_by, group_pattern)
    return shares, seed, folds, version


def split(
    dataset: Dataset,
    ratios: Mapping[str, float] | str | None = None,
    *,
    stratify: str = "labels",
    group_by: str | None = None,
    group_pattern: str | None = None,
    seed: int | str = 0,
    method: str = "balanced",
    lock: str | Path | Lockfile | None = None,
    folds: int | None = None,
    keep_existing: bool = False,
    version: str | None = None,
) -> SplitResult:
    """Assign every item to a split, keeping groups whole and label shares close to the ratios.

    The result is a pure function of the set of items, their labels and groups, the ratios, the seed, the
    lockfile and the algorithm version: the order of the items never matters.

    Args:
        dataset: the dataset (not modified).
        ratios: split name -> share, summing to 1 (or ``"train=0.8,val=0.1,test=0.1"``).
        stratify: ``labels`` (the set of categories each item carries, over every annotation kind), ``none``,
            or ``attr:NAME`` (an item metadata field; when no item has it, an annotation attribute).
        group_by: ``group`` or an item metadata field; items with equal values stay together. By default the
            items' ``group`` column is used where it is set.
        group_pattern: a regular expression; the first capture group found in an item's media path is its group.
        seed: any int or string; ``0`` and ``"0"`` are the same seed.
        method: ``balanced`` (stratified greedy) or ``hash`` (keyed hash buckets of group keys: O(n), stable).
        lock: a previous assignment: a :class:`Lockfile`, or a path that is read when it exists and then
            (re)written with the new assignment. Items it names never move.
        folds: make this many equal cross-validation folds, named ``fold-0`` .. ``fold-{K-1}``, instead of ratios.
        keep_existing: items that already have a split keep it; only the others are placed.
        version: the algorithm version (default :data:`ALGORITHM_VERSION`); an older one reproduces its results.

    Returns:
        The dataset with every item's split set (and the input's ``read_notes``), and the report
        (``report.lockfile`` is the new assignment).

    Raises:
        UsageError: bad ratios, options (a seed that is neither an int nor a str, ``True`` included; folds that are
            not an int; ``keep_existing`` that is not a bool), or pinned splits that are not among the requested ones.
        InputError: ``lock`` names a file that is not a lockfile (or not a regular file).
        OutputError: the lockfile ``lock`` names cannot be written (its folder does not exist, say), or ``lock`` is
            ``""`` (which names no file: it was read as the current folder) or ends in ``/`` (``l.json/``).

    Examples:
        >>> from labelkit.model import Dataset, Item
        >>> ds = Dataset(items=[Item(id=f"i{n}") for n in range(10)])
        >>> out, report = split(ds, {"train": 0.8, "test": 0.2}, stratify="none")
        >>> sorted(out.stats().items_by_split.items())
        [('test', 2), ('train', 8)]
    """
    dataset = require_dataset(dataset)  # (a dict was AttributeError: 'dict' object has no attribute 'table')
    shares, seed, folds, version = check_options(
        ratios,
        folds=folds,
        stratify=stratify,
        group_by=group_by,
        group_pattern=group_pattern,
        seed=seed,
        method=method,
        keep_existing=keep_existing,
        version=version,
    )
    names = sorted(shares)
    share_list = [shares[n] for n in names]
    lock_path: Path | None = None
    previous: Lockfile | None
    if isinstance(lock, Lockfile) or lock is None:
        previous = lock
    else:
        as_path(lock, "lock")  # (an int was TypeError: expected str, bytes or os.PathLike; said as the argument)
        # ("" is ".": "a split lockfile must be a regular file"; "l.json/" was written as l.json; NUL: ValueError)
        lock_path = output_path(lock, "lockfile", "file")
        previous = read_lockfile(lock_path)

    inp = prepare(dataset, stratify, group_by, group_pattern, empty_is_none=version not in assign.BEFORE_6)
    if folds is not None and 0 < len(inp.group_keys) < folds:  # (as scikit-learn's GroupKFold refuses them)
        raise UsageError(
            "more folds than groups: a fold would be empty",
            expected=f"at most {len(inp.group_keys):,} folds",
            found=f"{folds:,} folds of {inp.n_items:,} items in {len(inp.group_keys):,} groups",
            hint="give fewer folds (an item without a group is a group of its own)",
        )
    warnings = list(inp.warnings)
    index = {n: j for j, n in enumerate(names)}
    items = dataset.table("items")
    n_items = inp.n_items
    k = len(names)

    # pins: the lockfile first (its items never move), then existing splits when asked
    pin = np.full(n_items, -1, dtype=np.int64)
    locked = kept = 0
    if previous is not None:
        unknown = sorted({s for s in [*previous.assignments.values(), *previous.written.values()] if s not in index})
        if unknown:
            hint = "request every split the lockfile uses, or start a new lockfile"
            message = "the lockfile assigns items to splits that are not requested"
            if previous.source is not None:  # (its first such assignment named, as the lockfile's other errors are)
                field, key, asked = next(
                    (field, key, s)
                    for field, values in (("assignments", previous.assignments), ("written", previous.written))
                    for key, s in values.items()
                    if s not in index
                )
                raise InputError(
                    f"{message} (split {asked!r}; requested: {', '.join(names)})",
                    path=previous.source,
                    pointer=json_pointer(field, key),
                    hint=hint,
                )
            raise UsageError(message, expected=", ".join(names), found=", ".join(unknown), hint=hint)
        previous_splits, by_folder = locked_splits(
            items, inp.keys, previous.assignments, frozenset(names), previous.written
        )
        for i, s in enumerate(previous_splits):
            if s is not None:
                pin[i] = index[s]
        locked = int((pin >= 0).sum())
        if by_folder:  # (a split's output, split again: its images are in the folders of the splits given them)
            warnings.append(
                f"{by_folder:,} items were found in the lockfile by their path without its split folder"
                " (images/test/a.jpg as images/train/a.jpg) or images folder (VOC's JPEGImages/a.jpg as a.jpg): each"
                " is the one image of that name"
            )
        if 0 < locked < n_items:
            _note_placed_anew(inp.keys, pin, previous.assignments, warnings)
        if not locked and n_items and previous.assignments:
            # (a dataset read from another format or layout keys its images otherwise: COCO's a.jpg is YOLO's
            # images/train/a.jpg and VOC's JPEGImages/a.jpg; placing every item anew unsaid broke the promise)
            warnings.append(
                f"none of the {n_items:,} items is in the lockfile ({len(previous.assignments):,} entries, keyed"
                " by media path as read, so a dataset read from another format or layout names its items"
                " otherwise): every item was placed anew"
            )
        _note_lock_changes(previous, shares, seed, method, version, warnings)
    if keep_existing and n_items:
        # (a split of "" is none, as stats and the writers take it: it was refused as a split not requested, "found ")
        existing = [s or None for s in items["split"].to_pylist()]
        unknown = sorted({s for s in existing if s is not None and s not in index})
        if unknown:
            raise UsageError(
                "items already have splits that are not requested",
                expected=", ".join(names),
                found=", ".join(unknown),
                hint="add those splits to the ratios, or drop --keep-existing",
            )
        overridden: list[tuple[str, str, str]] = []
        for i, s in enumerate(existing):
            if s is None:
                continue
            if pin[i] < 0:
                pin[i] = index[s]
                kept += 1
            elif names[pin[i]] != s:
                overridden.append((inp.keys[i], s, names[pin[i]]))
        if overridden:  # (the lockfile moved them out of their own split unsaid, and the report said 'kept 0')
            key, own, locked_to = min(overridden)  # (the first by key, as other warnings name: in any input order)
            warnings.append(
                f"{len(overridden):,} items already in a split are in another split in the lockfile, which wins"
                f" (its items never move): {key!r} is in {own!r}, the lockfile's {locked_to!r}; drop --lock"
                " or --keep-existing to keep the other"
            )

    n_groups = len(inp.group_keys)
    groups = assign.Groups.build(inp.item_group, n_groups, inp.pair_item, inp.pair_label, len(inp.label_names))
    group_pin, conflicts = _group_pins(inp.item_group, pin, n_groups, k)
    if conflicts:
        warnings.append(
            f"{conflicts:,} groups hold items pinned to different splits; pinned items stay, so these groups leak"
        )
    # items of pinned groups: their own pin, else the group's split
    in_pinned = group_pin[inp.item_group] >= 0
    fixed = np.where(pin >= 0, pin, group_pin[inp.item_group])
    pinned_sizes = np.bincount(fixed[in_pinned], minlength=k).astype(np.int64)
    pinned_fill = np.zeros((len(inp.label_names), k), dtype=np.int64)
    if len(inp.pair_item):
        mask = in_pinned[inp.pair_item]
        np.add.at(pinned_fill, (inp.pair_label[mask], fixed[inp.pair_item[mask]]), 1)

    if method == "hash":
        units = np.fromiter((unit(seed, g) for g in inp.group_keys), dtype=np.float64, count=n_groups)
        group_split = assign.hashed(units, share_list, group_pin)
    else:
        tiebreak = [key_hash(seed, g) for g in inp.group_keys]
        group_split = assign.balanced(
            groups,
            share_list,
            tiebreak,
            group_pin,
            pinned_sizes,
            pinned_fill,
            version=version,
            seed_value=key_hash(seed, "\x00refine"),
        )
    item_split = np.where(pin >= 0, pin, group_split[inp.item_group]).astype(np.int64)

    merged = _merged_paths(items, item_split, names)
    if merged:
        warnings.append(merged)
    if n_items:  # (a split's output, split again with its lockfile, swapped such items and said 'moved 0')
        sent = [names[j] for j in item_split.tolist()]
        crossed = crossed_keys(items, inp.keys, sent, SPLIT_FOLDERS | frozenset(names))
        if crossed:
            warnings.append(crossed)
    out = dataset.copy()
    out.read_notes = list(dataset.read_notes)  # (as filter() keeps them: the dataset split returned had none)
    for key in (*EMPTY_SPLIT_KEYS, EMPTY_TASK_LISTS):  # (the splits are the split's: none read empty is written again)
        out.info.extras.pop(key, None)
    if n_items:
        column = pa.array([names[j] for j in item_split.tolist()], pa.string())
        table = out.table("items")
        out.set_table("items", table.set_column(table.schema.get_field_index("split"), "split", column))
        out.given_tables = dataset.given_tables  # (only the split column is new, of texts)

    assignments = dict(previous.assignments) if previous is not None else {}
    assignments.update(zip(inp.keys, (names[j] for j in item_split.tolist()), strict=True))
    new_lock = Lockfile(version, seed, method, shares, assignments, dict(previous.written) if previous else {})
    moved = 0
    if previous is not None:
        moved = sum(
            1 for s, j in zip(previous_splits, item_split.tolist(), strict=True) if s is not None and s != names[j]
        )
    report = _report(
        dataset,
        inp,
        names,
        list(shares),
        share_list,
        item_split,
        groups,
        stratify,
        seed,
        method,
        warnings,
        new_lock,
        moved=moved,
        locked=locked,
        kept=kept,
        placed=int(n_items - (pin >= 0).sum()),
    )
    if lock_path is not None:
        new_lock.save(lock_path)
    return SplitResult(out, report)


def _note_placed_anew(keys: list[str], pin: IntArray, assignments: Mapping[str, str], warnings: list[str]) -> None:
    """Warn when items not in the lockfile have the file name of an entry that keys no item (the same images?).

    A split's output, split again with its lockfile, may name some of its images otherwise than any lockfile
    entry does: placed anew, their splits could change unsaid, with ``moved 0``. New items of new names are not
    warned about: that is the lockfile's use.
    """
    new = [key for key, p in zip(keys, pin.tolist(), strict=True) if p < 0]
    present = set(keys)
    stale: dict[str, str] = {}
    for key in assignments:
        if key not in present:
            base = _file_name(key)
            stale[base] = min(stale.get(base, key), key)
    alike = sorted((key, stale[base]) for key in new if (base := _file_name(key)) in stale)
    if alike:
        warnings.append(
            f"{len(new):,} items are not in the lockfile and were placed anew ({min(new)!r} first), {len(alike):,}"
            f" of them of the file name of a lockfile entry that keys no item of the input ({alike[0][0]!r}, the"
            f" lockfile's {alike[0][1]!r}): if those are the same images under other paths, their splits may have"
            " changed"
        )


def _file_name(key: str) -> str:
    """A lockfile key's file name: its path's last part, without a ``#id`` (``img/a.jpg#3`` is ``a.jpg``)."""
    return key.partition("#")[0].rpartition("/")[2]


def _note_lock_changes(
    previous: Lockfile, shares: dict[str, float], seed: int | str, method: str, version: str, warnings: list[str]
) -> None:
    if {k: round(v, 9) for k, v in previous.ratios.items()} != {k: round(v, 9) for k, v in shares.items()}:
        warnings.append("the lockfile was made with other ratios; its items stay where they are")
    if str(previous.seed) != str(seed):
        warnings.append(f"the lockfile was made with seed {previous.seed!r}; new items are placed with {seed!r}")
    if previous.method != method:
        warnings.append(f"the lockfile was made with method {previous.method!r}; new items use {method!r}")
    if previous.version != version:
        warnings.append(f"the lockfile was made by split algorithm v{previous.version}; this is v{version}")


def _merged_paths(items: pa.Table, item_split: IntArray, names: list[str]) -> str | None:
    """A warning when items of one media path that the input had in different splits are put in one split.

    A format whose splits have image folders of their own names an image by its path in its split's folder
    (COCO's ``file_name``: ``train2017/000001.jpg`` and ``val2017/000001.jpg`` are both ``000001.jpg``): such
    items are two images, and one split's folder cannot hold both.
    """
    if not items.num_rows:
        return None
    paths = items["path"].combine_chunks()
    counts = pc.value_counts(paths)
    shared = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if not len(shared):
        return None
    rows = np.flatnonzero(true_mask(pc.is_in(paths, value_set=shared)))
    keys = list(zip(paths.take(rows).to_pylist(), item_split[rows].tolist(), strict=True))
    olds = items["split"].take(rows).to_pylist()
    before: dict[tuple[str, int], set[str]] = {}
    for key, old in zip(keys, olds, strict=True):
        if key[0] and old:
            before.setdefault(key, set()).add(old)
    together = {key for key, splits in before.items() if len(splits) > 1}
    if not together:
        return None
    count = sum(1 for key, old in zip(keys, olds, strict=True) if old and key in together)
    path, j = min(together)
    shown = " and ".join(map(repr, sorted(before[path, j])))
    return (
        f"{count:,} items of one media path that the input had in different splits are in one split now (first:"
        f" {path!r}, of {shown}, in {names[j]!r}): where a split has an image folder of its own (COCO's"
        " file_name), they are different images, which one folder cannot hold"
    )


def _group_pins(item_group: IntArray, pin: IntArray, n_groups: int, k: int) -> tuple[IntArray, int]:
    """Each group's split when some of its items are pinned (the split most of them are pinned to), else -1."""
    pinned = pin >= 0
    counts = np.bincount(item_group[pinned] * k + pin[pinned], minlength=n_groups * k).reshape(n_groups, k)
    has = counts.sum(axis=1) > 0
    group_pin = np.where(has, counts.argmax(axis=1), -1).astype(np.int64)
    conflicts = int(((counts > 0).sum(axis=1) > 1).sum())
    return group_pin, conflicts


def _report(
    dataset: Dataset,
    inp: SplitInput,
    names: list[str],
    display: list[str],
    shares: list[float],
    item_split: IntArray,
    groups: assign.Groups,
    stratify: str,
    seed: int | str,
    method: str,
    warnings: list[str],
    lockfile: Lockfile,
    *,
    moved: int,
    locked: int,
    kept: int,
    placed: int,
) -> SplitReport:
    k = len(names)
    active = [j for j, r in enumerate(shares) if r > 0]
    n_labels = len(inp.label_names)
    sizes = np.bincount(item_split, minlength=k).astype(np.int64)
    targets = assign.target_sizes(inp.n_items, shares, len(inp.group_keys), lockfile.version)
    # groups per split and leaks, from distinct (group, split) pairs
    pairs, _ = assign.unique_counts(inp.item_group * k + item_split)
    group_count = np.bincount(pairs % k, minlength=k)
    leaks = int((np.bincount(pairs // k, minlength=len(inp.group_keys)) > 1).sum())
    counts, ld = label_distribution(item_split, inp.pair_item, inp.pair_label, n_labels, k, active)
    labelled = np.zeros(inp.n_items, dtype=bool)
    labelled[inp.pair_item] = True
    unlabeled = np.bincount(item_split[~labelled], minlength=k)
    annotations = _annotation_counts(dataset, item_split, names)
    splits = [
        SplitStats(
            names[j], shares[j], targets[j], int(sizes[j]), int(group_count[j]), int(unlabeled[j]), annotations[j]
        )
        for j in range(k)
    ]
    order = {n: i for i, n in enumerate(display)}
    splits.sort(key=lambda s: order[s.name])
    label_groups = np.bincount(groups.labels, minlength=n_labels) if n_labels else np.zeros(0, np.int64)
    labels = [
        LabelStats(
            inp.label_names[lab],
            int(counts[lab].sum()),
            int(label_groups[lab]),
            {names[j]: int(counts[lab, j]) for j in sorted(range(k), key=lambda j: order[names[j]])},
        )
        for lab in range(n_labels)
    ]
    labels.sort(key=lambda s: (s.items, s.name))
    missing = [
        (inp.label_names[lab], names[j])
        for lab in range(n_labels)
        if label_groups[lab] >= len(active)
        for j in active
        if counts[lab, j] == 0
    ]
    biggest = int(groups.sizes.max()) if len(groups.sizes) else 0
    small = [f"{names[j]} ({targets[j]:,})" for j in active if biggest > targets[j]]
    if small:
        warnings.append(f"the largest group has {biggest:,} items, more than the target of " + ", ".join(small))
    for j in active:
        if sizes[j] == 0:
            warnings.append(f"split {names[j]!r} is empty")
        elif abs(int(sizes[j]) - targets[j]) > max(2, 0.05 * targets[j]):
            warnings.append(
                f"split {names[j]!r} has {int(sizes[j]):,} items for a target of {targets[j]:,} (group sizes)"
            )
    return SplitReport(
        lockfile.version,
        method,
        seed,
        stratify,
        splits,
        labels,
        ld,
        examples_distribution(sizes.tolist(), shares, active),
        missing,
        leaks,
        moved,
        locked,
        kept,
        placed,
        warnings,
        lockfile,
    )


def _annotation_counts(dataset: Dataset, item_split: IntArray, names: list[str]) -> list[dict[str, int]]:
    out: list[dict[str, int]] = [{} for _ in names]
    items = dataset.table("items")
    if not items.num_rows:
        return out
    ids = items["id"].combine_chunks()
    for name in ANNOTATION_TABLES:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        index = pc.index_in(table["item_id"], value_set=ids).to_numpy(zero_copy_only=False)
        index = index[~np.isnan(index.astype(np.float64))].astype(np.int64)
        per = np.bincount(item_split[index], minlength=len(names))
        for j in range(len(names)):
            out[j][KIND_BY_TABLE[name]] = int(per[j])
    return out
