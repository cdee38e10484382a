"""Rare paths of the shared code (options, the split, lockfiles, the registry): exact messages and values."""

from __future__ import annotations

import array
import errno
import os
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from test_split_helpers import assignment, make_dataset

import labelkit
from labelkit import Finding
from labelkit.cli import cli
from labelkit.errors import InputError, OutputError, UsageError
from labelkit.formats.base import Capabilities, Option
from labelkit.formats.capability import check_capabilities
from labelkit.io import input_guard
from labelkit.json_places import beyond_64_bits, integer_error, place_of
from labelkit.model import Category, Dataset, Item, Label, Media, Object
from labelkit.model.raster import polygon_runs, raster_problem
from labelkit.model.rle import rle_string_counts, rle_strings_problems
from labelkit.portable import unportable_paths
from labelkit.report import Change, Report
from labelkit.split import ALGORITHM_VERSION, Lockfile, assign, bucket, read_lockfile, sizes, split
from labelkit.split.hashing import split_at, unit

try:
    import fcntl
    import termios
except ImportError:  # (Windows)
    fcntl = termios = None  # type: ignore[assignment]

RATIO = "a split lockfile ratio must be a number from 0 to 1"
LOCK = '{"version": "1", "seed": 0, "method": "balanced", "ratios": {"x": 1}, "assignments": {"img/a.jpg": "x"}}'


def _at_least_zero(value: int | float) -> None:
    if value < 0:
        raise ValueError(value)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", "3", 3),
        ("int", 4, 4),
        ("int", 5.0, 5),
        ("float", "1.5", 1.5),
        ("float", 2, 2.0),
        ("float", 2.5, 2.5),
        ("bool", "Yes", True),
        ("bool", "off", False),
        ("bool", True, True),
        ("bool", False, False),
        ("bool", 1, True),
        ("int", np.int64(6), 6),  # numpy's numbers, as before (np.int64 is no int: they were refused)
        ("int", np.float64(7.0), 7),
        ("float", np.float32(0.5), 0.5),
        ("float", np.int64(2), 2.0),
        ("bool", np.True_, True),
    ],
)
def test_an_option_value_of_its_type_is_converted(kind: Any, value: object, expected: object) -> None:
    parsed = Option("n", kind, None, "help").parse(value)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("int", 2.7),  # was 2
        ("int", True),  # was 1
        ("int", "1e3"),
        ("int", None),
        ("int", -1),  # its check was skipped: was -1
        ("float", True),  # was 1.0
        ("float", "-0.5"),  # its check was skipped
        ("float", [1]),
        ("int", np.float64(2.5)),
        ("int", np.True_),
        ("int", float("inf")),  # (was OverflowError)
        ("bool", 2),
        ("bool", "maybe"),
        ("bool", None),
    ],
)
def test_an_option_value_not_of_its_type_or_refused_by_its_check_is_a_usage_error(kind: Any, value: object) -> None:
    """A plug-in's int option given 2.7 or True was silently 2 or 1, and an int or float option's check never ran."""
    with pytest.raises(UsageError) as info:
        Option("n", kind, None, "help", check=_at_least_zero).parse(value)
    assert info.value.one_line() == f"bad value for option 'n' (expected {kind}, found {value!r})"


@pytest.mark.parametrize("value", [b"x", ["r"], True, {"a": 1}, b"a/b", 3, float("nan")])
def test_a_text_option_given_no_text_is_a_usage_error(value: object) -> None:
    """It was written as its repr: ``split=b"x"`` made the folder ``labels/b'x'/``, ``media_root=["r"]`` the root
    ``['r']``."""
    with pytest.raises(UsageError) as info:
        Option("n", "str", "", "help").parse(value)
    assert info.value.one_line() == f"bad value for option 'n' (expected str, found {value!r})"


@pytest.mark.parametrize(("value", "expected"), [("a", "a"), (np.str_("a"), "a"), (Path("a/b"), "a/b"), (None, None)])
def test_a_text_option_takes_text_a_path_or_none(value: object, expected: object) -> None:
    """A path is its text (``media_root=Path(...)``); None leaves the option unset, as it did."""
    parsed = Option("n", "str", "", "help").parse(value)
    assert parsed == expected and type(parsed) is type(expected)


def test_a_text_option_with_a_check_takes_a_number_for_it() -> None:
    """YOLO's ``precision=6``: the check decides (an option of no check refuses it, above)."""
    seen: list[object] = []
    option = Option("n", "str", "", "help", check=seen.append)
    assert option.parse(6) == 6 and option.parse(np.float64(2.5)) == 2.5 and seen == [6, 2.5]
    with pytest.raises(UsageError, match=r"bad value for option 'n' \(expected str, found True\)"):
        option.parse(True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("drop", "drop"), (np.str_("drop"), "drop"), (Path("drop"), "drop"), (2, "2"), (np.int64(3), "3")],
)
def test_a_choice_option_takes_text_or_a_path_as_its_text(value: object, expected: str) -> None:
    """The Path itself was returned: it equals no choice, so ``crowd=Path("drop")`` was written as ``keep``. A
    number is its text too (YOLO's ``kpt_dims=2``, whose choices are ``2`` and ``3``)."""
    parsed = Option("n", "choice", "keep", "help", ("keep", "drop", "2", "3")).parse(value)
    assert parsed == expected and type(parsed) is str


@pytest.mark.parametrize("value", [b"drop", None, ["drop"], Path("skip"), 2.0, True])
def test_a_choice_option_given_no_choice_is_a_usage_error(value: object) -> None:
    with pytest.raises(UsageError) as info:
        Option("n", "choice", "keep", "help", ("keep", "drop")).parse(value)
    assert info.value.one_line() == f"bad value for option 'n' (expected keep or drop, found {value!r})"


def test_a_choice_write_option_given_a_path_is_written_as_its_text(tmp_path: Path) -> None:
    """``crowd=Path("drop")`` wrote the crowd box (as ``keep``); ``compression=Path("snappy")`` was an
    AttributeError from inside pyarrow."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=64, height=48), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 5, 5)))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(10, 10, 5, 5), extras={"coco:iscrowd": 1}))
    report = labelkit.save(ds, tmp_path / "y", "yolo", allow_loss=True, crowd=Path("drop"))
    assert report.written["object annotations"] == 1
    labelkit.save(ds, tmp_path / "p", "parquet", compression=Path("snappy"))
    codec = pq.ParquetFile(tmp_path / "p" / "objects.parquet").metadata.row_group(0).column(0).compression
    assert codec == "SNAPPY"


def test_a_text_write_option_given_bytes_writes_nothing(tmp_path: Path) -> None:
    ds = make_dataset([("a", None, [1])])
    with pytest.raises(UsageError, match=r"bad value for option 'split' \(expected str, found b'x'\)"):
        labelkit.save(ds, tmp_path / "o", "yolo", split=b"x")
    assert list(tmp_path.iterdir()) == []
    labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, precision=6, split="s")
    assert (tmp_path / "o" / "labels" / "s").is_dir()


# -- the split ---------------------------------------------------------------------------------------------


def _four(**kwargs: Any) -> Dataset:
    return make_dataset([("a", None, [1]), ("b", None, [2]), ("c", None, []), ("d", None, [])], **kwargs)


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        (None, "no split ratios (expected e.g. train=0.8,val=0.1,test=0.1, or folds)"),
        ({f"s{i}": 1 / 1024 for i in range(1024)}, "at most 1,000 splits (found 1,024 ratios)"),
    ],
)
def test_split_ratios_missing_or_too_many_are_usage_errors(ratios: dict[str, float] | None, message: str) -> None:
    with pytest.raises(UsageError) as info:
        split(_four(), ratios)
    assert info.value.one_line() == message


@pytest.mark.parametrize(
    ("text", "pointer", "message"),
    [
        ("[]", "", "a split lockfile must be a JSON object"),
        # (said "expected str, found NoneType" of both: Python's names, and a missing field called null)
        (
            LOCK.replace('"method": "balanced", ', ""),
            "/method",
            "missing required split lockfile field 'method' (expected a string)",
        ),
        (  # (the seed, checked apart, was said to be null)
            LOCK.replace('"seed": 0, ', ""),
            "/seed",
            "missing required split lockfile field 'seed' (expected an integer or a string)",
        ),
        *(
            (LOCK.replace(was, now), f"/{name}", f"bad split lockfile field '{name}' (expected {expected})")
            for was, now, name, expected in (
                ('"balanced"', "null", "method", "a string, found null"),
                ('{"x": 1}', "[]", "ratios", "an object, found an array"),
                ('"seed": 0', '"seed": 1.5', "seed", "an integer or a string, found a number"),
                ('"seed": 0', '"seed": true', "seed", "an integer or a string, found a boolean"),
            )
        ),
        (  # (said "expected int or str" of an int: read past 64 bits as a float)
            LOCK.replace('"seed": 0', '"seed": 18446744073709551616'),
            "/seed",
            "bad split lockfile field 'seed' (expected an integer of 64 bits or a string); hint: labelkit writes a "
            'seed past 64 bits as a str ("18446744073709551616")',
        ),
        (
            LOCK.replace('"img/a.jpg": "x"', '"a/b~c": 3'),
            "/assignments/a~1b~0c",
            "a lockfile assignment must be a split name (expected letters, digits, '_', '-' or '.', found 3)",
        ),
        (  # (was: 'the lockfile assigns items to splits that are not requested', naming no file)
            LOCK.replace('"img/a.jpg": "x"', '"img/a.jpg": "../../evil"'),
            "/assignments/img~1a.jpg",
            "a lockfile assignment must be a split name (expected letters, digits, '_', '-' or '.', found "
            "'../../evil')",
        ),
        # (float() took each of these: a negative share only warned that the ratios had changed)
        *(
            (LOCK.replace('{"x": 1}', '{"a/b": ' + value + "}"), "/ratios/a~1b", f"{RATIO} (found {found})")
            for value, found in (
                ("-0.5", "-0.5"),
                ('"0.5"', "'0.5'"),
                ("true", "true"),
                ("1.5", "1.5"),
                ("1.000002", "1.000002"),
                ("null", "null"),
            )
        ),
    ],
)
def test_a_bad_lockfile_names_its_place(tmp_path: Path, text: str, pointer: str, message: str) -> None:
    path = tmp_path / "lock.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_lockfile(path)
    assert info.value.location.path == str(path) and info.value.location.pointer == pointer
    assert info.value.one_line() == f"{path}#{pointer}: {message}"


def test_a_lockfile_assigning_a_split_not_requested_names_its_place(tmp_path: Path) -> None:
    """The error named neither the lockfile nor the assignment, as its other errors do; a Lockfile built in code
    (read from no file) is still a UsageError."""
    path = tmp_path / "lock.json"
    path.write_text(LOCK)
    previous = read_lockfile(path)
    with pytest.raises(InputError) as info:
        split(_four(), {"train": 0.5, "val": 0.5}, lock=previous)
    assert info.value.one_line() == (
        f"{path}#/assignments/img~1a.jpg: the lockfile assigns items to splits that are not requested (split 'x'; "
        "requested: train, val); hint: request every split the lockfile uses, or start a new lockfile"
    )
    with pytest.raises(UsageError, match="not requested"):
        split(_four(), {"train": 0.5, "val": 0.5}, lock=replace(previous, source=None))


def test_a_lockfile_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300)  # (no file system holds a name of 300 bytes)
    with pytest.raises(InputError) as info:
        read_lockfile(path)
    assert info.value.one_line() == f"{path}: cannot read: File name too long"


def test_an_item_keyed_by_its_id_that_is_another_items_path_is_keyed_apart() -> None:
    """An item without a media path is keyed by its id; here that id is the other item's path: the dataset was
    refused, 'give every item a distinct id', though they were. It is keyed ``#id``, and an item of a shared path
    whose ``path#id`` is another item's path ``path##id``; keys still one are an error naming them and two items."""
    from labelkit.split.inputs import item_keys

    items = pa.table({"id": ["x.jpg", "b"], "path": [None, "x.jpg"]})
    out, report = split(Dataset.from_tables({"items": items}, categories=[]), {"a": 0.5, "b": 0.5})
    assert sorted(report.lockfile.assignments) == ["#x.jpg", "x.jpg"] and report.placed == 2
    shared = pa.table({"id": ["x", "y", "z"], "path": ["v.mp4", "v.mp4", "v.mp4#x"]})
    assert item_keys(shared)[0] == ["v.mp4##x", "v.mp4#y", "v.mp4#x"]
    items = pa.table({"id": ["x.jpg", "y.jpg", "b", "c"], "path": [None, None, "x.jpg", "y.jpg"]})
    assert item_keys(items)[0] == ["#x.jpg", "#y.jpg", "x.jpg", "y.jpg"]
    items = pa.table({"id": ["x.jpg", "b", "c"], "path": [None, "x.jpg", "#x.jpg"]})
    with pytest.raises(UsageError) as info:
        split(Dataset.from_tables({"items": items}, categories=[]), {"a": 0.5, "b": 0.5})
    assert info.value.one_line() == (
        "items 'x.jpg' and 'c' have one key '#x.jpg' (expected distinct media paths or item ids, found 1 repeated"
        " key); hint: give every item a distinct id"
    )


def test_a_group_whose_items_are_kept_in_two_splits_is_a_warned_leak() -> None:
    ds = make_dataset(
        [("a", "g1", [1]), ("b", "g1", [1]), ("c", "g2", []), ("d", "g3", [])], splits=["x", "y"] + [None] * 2
    )
    out, report = split(ds, {"x": 0.5, "y": 0.5}, keep_existing=True)
    assert assignment(out) == {"a": "x", "b": "y", "c": "x", "d": "y"}
    assert report.group_leaks == 1
    assert report.warnings == [
        "1 groups hold items pinned to different splits; pinned items stay, so these groups leak"
    ]


def test_a_lockfile_made_otherwise_is_named_in_warnings_and_the_report() -> None:
    lock = Lockfile("1", 0, "hash", {"x": 0.6, "y": 0.4}, {"img/a.jpg": "y"})
    out, report = split(_four(), {"x": 0.5, "y": 0.5}, lock=lock)
    assert assignment(out)["a"] == "y" and report.locked == 1
    warnings = [
        "the lockfile was made with other ratios; its items stay where they are",
        "the lockfile was made with method 'hash'; new items use 'balanced'",
        f"the lockfile was made by split algorithm v1; this is v{ALGORITHM_VERSION}",
    ]
    assert report.warnings == warnings
    assert report.lines()[-3:] == [f"warning: {w}" for w in warnings]


def test_the_report_says_how_many_labels_it_leaves_out_and_which_split_misses_a_label() -> None:
    # labels 0..40 on the free items; label 50 only on two items kept in x
    items = [(f"i{n}", None, [n]) for n in range(41)] + [("k1", None, [50]), ("k2", None, [50])]
    ds = make_dataset(items, splits=[None] * 41 + ["x", "x"], n_categories=51)
    _, report = split(ds, {"x": 0.5, "y": 0.5}, keep_existing=True)
    assert report.missing == [("c50", "y")]
    lines = report.lines()
    assert lines[-2:] == ["(2 more labels; --report FILE lists all)", "missing: label 'c50' has no item in y"]
    assert len(report.labels) == 42 and len(report.lines(max_labels=42)) == len(lines) + 1


@pytest.mark.parametrize(
    ("kwargs", "warning"),
    [
        ({"group_by": "v"}, "2 items have no metadata field 'v'; each is its own group"),
        ({"group_pattern": "^img/(a)"}, "3 items have no path matching '^img/(a)'; each is its own group"),
    ],
)
def test_items_without_the_group_asked_for_are_warned_of(kwargs: dict[str, str], warning: str) -> None:
    ds = _four(metadata=[{"v": 1}, {"v": 1}, None, None])
    _, report = split(ds, {"x": 0.5, "y": 0.5}, **kwargs)  # type: ignore[arg-type]
    assert report.warnings == [warning]


def test_the_polish_moves_single_items_within_its_tolerance_and_lowers_ld(monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 items of one item each: the polish step (v1: nothing after it) moves 13 and keeps sizes within 1."""
    items = [(f"i{i:04d}", None, [i % 7, (i * i) % 13] if i % 5 else [(i * 3) % 11]) for i in range(2000)]
    ratios = {"a": 0.7, "b": 0.2, "c": 0.1}
    polish, moved = assign._polish, []

    def counted(groups: Any, out: Any, pinned: Any, state: Any, tiebreak: Any) -> None:
        before = out.copy()
        polish(groups, out, pinned, state, tiebreak)
        moved.append(int((before != out).sum()))

    monkeypatch.setattr(assign, "_polish", counted)
    out, report = split(make_dataset(items, n_categories=20), ratios, seed=1, version="1")
    assert moved == [13]
    assert [(s.items, s.target) for s in report.splits] == [(1400, 1400), (399, 400), (201, 200)]
    assert report.missing == []
    monkeypatch.setattr(assign, "POLISH_PASSES", 0)
    unpolished, before = split(make_dataset(items, n_categories=20), ratios, seed=1, version="1")
    assert [s.items for s in before.splits] == [1400, 400, 200]
    assert report.ld < before.ld
    changed = {k for k, v in assignment(out).items() if assignment(unpolished)[k] != v}
    assert len(changed) == 13


# -- split sizes beyond the exact search ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "subset", "problem", "n", "where", "expected"),
    [
        # two splits of 5: the exact search, the subset sums, the local search (a swap of a 3 and a 2) each meet them
        (True, True, ([0, 0], [5, 5], [5.0, 5.0]), [3, 3, 2, 2], [0, 0, 1, 1], [1, 0, 0, 1]),
        (False, True, ([0, 0], [5, 5], [5.0, 5.0]), [3, 3, 2, 2], [0, 0, 1, 1], [0, 1, 0, 1]),
        (False, False, ([0, 0], [5, 5], [5.0, 5.0]), [3, 3, 2, 2], [0, 0, 1, 1], [1, 0, 0, 1]),
        # 11 items for 5 and 5: the local search moves a 2, then stops at 6 and 5
        (False, False, ([0, 0], [5, 5], [5.0, 5.0]), [3, 3, 2, 2, 1], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]),
        # three splits: moves and swaps until every target is met
        (
            False,
            False,
            ([0, 0, 0], [4, 3, 3], [4.0, 3.0, 3.0]),
            [2, 2, 2, 1, 1, 1, 1],
            [0] * 5 + [1, 2],
            [2, 1, 0, 0, 0, 1, 2],
        ),
    ],
)
def test_split_sizes_beyond_the_exact_search_reach_the_targets_the_groups_allow(
    monkeypatch: pytest.MonkeyPatch,
    exact: bool,
    subset: bool,
    problem: tuple[list[int], list[int], list[float]],
    n: list[int],
    where: list[int],
    expected: list[int],
) -> None:
    """The subset sums and the local search run only beyond budgets no small split reaches: here with none."""
    if not exact:
        monkeypatch.setattr(sizes, "EXACT_BUDGET", 0)
    if not subset:
        monkeypatch.setattr(sizes, "SUBSET_BUDGET", 0)
    base, targets, ideal = problem
    sized = sizes.Sizes(base, targets, ideal, list(range(len(base))), len(base))
    assert sizes.fit(sized, n, where) == expected


# -- records -------------------------------------------------------------------------------------------------


def _nested(levels: int) -> list[Any]:
    top: list[Any] = []
    inner = top
    for _ in range(levels - 1):
        inner.append([])
        inner = inner[0]
    return top


_TOO_DEEP = "value nested more than 196 levels deep, more than every format can keep (at /k)"


@pytest.mark.parametrize(
    ("make", "loc", "message"),
    [
        (lambda: Item(id="a", metadata={"k": "x\ud800"}), ("metadata",), "text at /k holds a lone surrogate"),
        (
            lambda: Item(id="a", metadata={"a": {"b\ud800": 1}}),
            ("metadata",),
            "text at /a/b\\ud800 holds a lone surrogate",
        ),
        (
            lambda: Category(id=1, name="c", extras={"coco": [1, "\udfff"]}),
            ("extras",),
            "text at /coco/1 holds a lone surrogate",
        ),
        (
            lambda: Label(id="l", item_id="a", attributes={"k": ["x", "\ud800"]}),
            ("attributes",),
            "text at /k/1 holds a lone surrogate",
        ),
        (
            lambda: Label(id="l", item_id="a", attributes={"\ud800": 1}),
            ("attributes",),
            "text at /\\ud800 holds a lone surrogate",
        ),
        (lambda: Item(id="a", metadata={"k": _nested(300)}), ("metadata",), _TOO_DEEP),
        (lambda: Item(id="a", metadata={"k": _nested(3000)}), ("metadata",), _TOO_DEEP),
    ],
)
def test_a_record_refuses_a_mapping_json_cannot_hold(make: Any, loc: tuple[str, ...], message: str) -> None:
    """A lone surrogate or 255 levels passed the record and failed Dataset(...) with orjson's TypeError ('str is not
    valid UTF-8'), and a thousand levels the record itself with a RecursionError."""
    with pytest.raises(ValidationError) as info:
        make()
    (error,) = info.value.errors()
    ending = ", which UTF-8 cannot encode" if "surrogate" in message else ""
    assert (error["loc"], error["msg"]) == (loc, f"Value error, {message}{ending}")


class _Half(float):
    """A float subclass, which the record's check takes for a float and orjson does not write."""


def test_a_record_of_a_float_subclass_is_refused_as_such_not_as_nested_too_deep() -> None:
    """orjson's other TypeErrors are no depth: the float subclass was said to nest more than 254 levels."""
    with pytest.raises(ValidationError) as info:
        Item(id="a", metadata={"k": _Half(0.5)})
    (error,) = info.value.errors()
    assert error["msg"] == "Value error, a value JSON is not written with: Type is not JSON serializable: _Half"


def test_a_record_of_a_mapping_nested_196_levels_is_held_and_written_by_both_native_formats(tmp_path: Path) -> None:
    """The record took 254 levels, which Parquet wrote and labelkit JSON (three levels down, past orjson's 254)
    refused: 'cannot write: a value is nested more than 254 levels deep'. Now the record takes what both write."""
    deep = _nested(196)  # (196 lists in the metadata object: the most the records take)
    ds = Dataset(items=[Item(id="a", metadata={"k": deep})])
    for name, fmt in (("out", "parquet"), ("out.json", "labelkit")):
        labelkit.save(ds, tmp_path / name, fmt)
        assert labelkit.load(tmp_path / name).table("items")["metadata"].to_pylist() == [
            orjson.dumps({"k": deep}).decode()
        ]


# -- outputs -------------------------------------------------------------------------------------------------

IMAGES = Path(__file__).resolve().parent.parent / "fixtures" / "native" / "images.labelkit.json"


@pytest.mark.parametrize(
    ("write", "what"),
    [
        (lambda out: labelkit.save(labelkit.load(IMAGES), out, "labelkit"), "output"),
        (lambda out: labelkit.save(labelkit.load(IMAGES), out, "yolo", allow_loss=True), "output"),
        (lambda out: labelkit.convert(IMAGES, out, to="coco", allow_loss=True), "output"),
        (lambda out: split(labelkit.load(IMAGES), "a=0.5,b=0.5", lock=out), "lockfile"),
    ],
)
def test_an_output_path_holding_nul_is_an_output_error(tmp_path: Path, write: Any, what: str) -> None:
    """Was Python's ValueError ('embedded null byte') out of the API."""
    out = str(tmp_path / "a\x00b")
    with pytest.raises(OutputError) as info:
        write(out)
    assert (info.value.message, info.value.location.path) == (
        f"the {what}'s path holds a NUL character, which no file name can",
        out,
    )
    assert list(tmp_path.iterdir()) == []


# -- validate ------------------------------------------------------------------------------------------------


def _validate_through_a_pipe(tmp_path: Path, text: bytes) -> tuple[Path, list[Finding]]:
    """Validate a FIFO that holds ``text`` and whose writer closes once it is read (a FIFO without a writer reads
    as empty: the writer is there before the reader, as a shell's pipe is)."""
    fifo = tmp_path / "in.labelkit.json"
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # (does not wait for a reader)
    os.write(writer, text)

    def close_when_read() -> None:
        unread = array.array("i", [1])
        while unread[0]:
            fcntl.ioctl(writer, termios.FIONREAD, unread)
            time.sleep(0.001)
        os.close(writer)

    closer = threading.Thread(target=close_when_read, daemon=True)
    closer.start()
    try:
        return fifo, labelkit.validate(fifo, "labelkit")
    finally:
        closer.join(timeout=10)


@pytest.mark.skipif(fcntl is None, reason="no FIFOs here")
def test_validate_reads_a_pipe_once_and_names_it_in_its_findings(tmp_path: Path) -> None:
    """A pipe (/dev/stdin) is read to its end into a file, checked there; the findings name the pipe. Read twice
    (the schema, then the records), a clean document had the finding 'Input is a zero-length, empty document'."""
    assert _validate_through_a_pipe(tmp_path, b'{"format": "labelkit", "version": 1, "items": [{"id": "a"}]}')[1] == []
    fifo, findings = _validate_through_a_pipe(tmp_path, b'{"format": "labelkit", "version": 1, "items": [{"id": 5}]}')
    assert findings == [Finding(str(fifo), "#/items/0/id", "5 is not of type 'string'")]


def test_validate_of_a_format_without_checks_of_its_own_is_a_read(tmp_path: Path) -> None:
    """YOLO has no validate: a clean folder has no findings; a bad line is the one finding, at its line."""
    root = tmp_path / "yolo"
    shutil.copytree(IMAGES.parent.parent / "yolo" / "golden" / "detect", root)
    assert labelkit.validate(root) == []
    labels = root / "labels" / "train" / "a.txt"
    labels.write_text(labels.read_text() + "0 0.5 0.5 0.2\n")
    assert labelkit.validate(root) == [
        Finding(
            str(labels),
            ":4",
            "wrong number of fields for YOLO segment (expected class then at least 3 x y points (or a 5-field box), "
            "found 4 fields)",
        )
    ]


# -- dataset iterators ---------------------------------------------------------------------------------------


def test_spans_and_tracks_iterate_their_records_with_filters() -> None:
    text = labelkit.load(IMAGES.parent / "text.labelkit.json")
    assert [(s.id, s.start, s.end, s.text) for s in text.spans(category="PER")] == [
        ("s1", 0, 13, "Angela Merkel"),
        ("s4", 0, 6, "Angela"),
    ]
    assert [s.id for s in text.spans()] == ["s1", "s2", "s3", "s4"]
    video = labelkit.load(IMAGES.parent / "video.labelkit.json")
    assert [(t.id, t.category_id, t.attributes) for t in video.tracks()] == [("0", 1, {"color": "red"}), ("1", 2, {})]
    assert [t.id for t in video.tracks(category="person")] == ["1"]
    assert list(video.spans()) == [] and list(text.tracks()) == []


# -- masks ---------------------------------------------------------------------------------------------------


def test_rle_strings_that_are_not_ascii_are_answered_one_by_one_as_the_rest() -> None:
    texts, heights, widths = ["4130O0", "4\u00e930O0", "1", ""], [3, 3, 2, 0], [4, 4, 2, 5]
    assert rle_string_counts("4\u00e930O0") is None
    assert rle_strings_problems(texts, heights, widths) == [
        None,
        "RLE counts is not a compressed COCO RLE string",
        "RLE counts add up to 1, not 4 (height x width)",
        None,
    ]
    ascii_only = [t if t.isascii() else "1" for t in texts]  # (the array pass over all the characters)
    assert rle_strings_problems(ascii_only, heights, widths)[2:] == rle_strings_problems(texts, heights, widths)[2:]


def test_a_mask_too_large_to_rasterise_is_refused_before_pycocotools_makes_it() -> None:
    message = "a 20000 x 20000 mask has more than 268,435,456 pixels to rasterise"
    assert raster_problem([[0.0, 0, 10, 0, 10, 10]], 20000, 20000) == message
    assert raster_problem([[0.0, 0, 10, 0, 10, 10]], 16384, 16384) is None  # (2^28 pixels: the most)
    with pytest.raises(ValueError, match=f"^{message}$"):
        polygon_runs([[0, 0, 10, 0, 10, 10]], 20000, 20000)


# -- the CLI -------------------------------------------------------------------------------------------------


def test_cli_split_refuses_a_seed_that_is_not_utf8(tmp_path: Path) -> None:
    """A seed of bytes that are not UTF-8 (Python's surrogate escapes) would hash otherwise on another machine."""
    args = ["split", str(IMAGES), str(tmp_path / "out.json"), "--ratios", "a=0.5,b=0.5", "--seed", "x\udcff"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (2, "labelkit: error: --seed must be UTF-8 text (found 'x\\udcff')\n")
    assert list(tmp_path.iterdir()) == []


def test_cli_info_counts_the_tokens_of_text_items() -> None:
    result = CliRunner().invoke(cli, ["info", str(IMAGES.parent / "text.labelkit.json")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[4:6] == ["annotations: label 1, span 4", "tokens: 7"]
    assert not any(
        line.startswith("tokens") for line in CliRunner().invoke(cli, ["info", str(IMAGES)]).output.splitlines()
    )


def test_validate_reports_the_first_100_schema_findings_of_a_broken_file(tmp_path: Path) -> None:
    """Past 1,000 findings the annotations are no longer checked; the first 100, in document order, are reported."""
    annotations = [{"kind": "label", "id": str(i), "item_id": "a", "category_id": 1, "bogus": 1} for i in range(1200)]
    doc = {"format": "labelkit", "version": 1, "categories": [{"id": 1, "name": "c"}], "items": [{"id": "a"}]}
    path = tmp_path / "many.labelkit.json"
    path.write_bytes(orjson.dumps({**doc, "annotations": annotations}))
    findings = labelkit.validate(path)
    assert findings == [Finding(str(path), f"#/annotations/{i}/bogus", "unknown field") for i in range(100)]


def test_a_too_long_name_holding_a_lone_surrogate_is_found_one_path_at_a_time() -> None:
    """Arrow cannot hold the lone surrogate Python keeps of a byte that is not UTF-8: the bulk test declines."""
    paths = ["l/" + "a" * 100 + "\udcff.txt", "l/" + "b" * 300 + "\udcff.txt", "l/c.txt"]
    assert unportable_paths(paths) == ([1], {})
    assert unportable_paths(paths[:1] + paths[2:]) == ([], {})


@pytest.mark.parametrize("key", ["g:0", "g:1", "g:3", "i:x.jpg"])
def test_a_bucket_past_the_last_threshold_is_the_last_split_with_a_share(key: str) -> None:
    """Shares a hair below 1 (here far below) leave keys past the last threshold: never to a split of no share.

    (``bucket`` refuses shares that do not sum to 1 within 1e-6, so the rule is called on its own.)
    """
    assert unit(0, key) >= 0.1
    assert split_at(unit(0, key), [("a", 0.05), ("b", 0.05), ("c", 0.0)]) == "b"
    with pytest.raises(UsageError, match="split ratios must sum to 1"):
        bucket(key, {"a": 0.05, "b": 0.05, "c": 0.0})


def test_check_capabilities_called_by_a_plugin_reports_items_of_media_it_cannot_hold() -> None:
    """labelkit.save drops such items before a format's check; a plug-in calling it on its own meets them there."""
    video = labelkit.load(IMAGES.parent / "video.labelkit.json")
    report = Report(target="x")
    check_capabilities(video, Capabilities(kinds=frozenset({"label", "object", "track"})), "X", report)
    assert report.lost[0] == Change("video items", 1, "X holds image items only")


def test_json_places_of_nothing_wrong_are_empty() -> None:
    assert place_of({"a": 1, "b": [2, {"c": 3}]}, beyond_64_bits) == ""
    assert integer_error("Expected `str`, got `int`", "id", None, "f.json", "/x") is None
    wide = integer_error("Expected `int` <= 9223372036854775807", "id", None, "f.json", "/x")
    assert wide is not None and wide.one_line() == "f.json#/x: id does not fit in 64 bits"


@pytest.mark.parametrize(
    ("filename", "where"),
    [("/data/x/labels/a.txt", "/data/x/labels/a.txt"), ("/data/x/" + "a" * 2000, "/data/x"), (None, "/data/x")],
)
def test_an_os_error_inside_a_reader_is_an_input_error_naming_the_file(filename: str | None, where: str) -> None:
    """A name too long, a permission, a device error met inside a reader: the file, or the input when the file's
    name is too long to show (or not known)."""
    with pytest.raises(InputError) as info, input_guard(Path("/data/x")):
        raise OSError(errno.EACCES, "Permission denied", filename)
    assert info.value.one_line() == f"{where}: cannot read: Permission denied"
