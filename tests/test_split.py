from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from test_split_helpers import assignment, make_dataset

import labelkit
from labelkit.cli import cli
from labelkit.errors import InputError, OutputError, UsageError
from labelkit.model import Dataset
from labelkit.split import ALGORITHM_VERSION, Lockfile, bucket, parse_ratios, read_lockfile, split
from labelkit.split.assign import target_sizes

RATIOS = {"train": 0.8, "val": 0.1, "test": 0.1}
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "native" / "images.labelkit.json"


def grid(n: int, group_size: int = 1, n_labels: int = 4) -> list[tuple[str, str | None, list[int]]]:
    return [
        (f"i{i:03d}", f"g{i // group_size}" if group_size > 1 else None, [i % n_labels] if i % 7 else [])
        for i in range(n)
    ]


# -- ratios and targets ---------------------------------------------------------------------------------


def _grid_with_paths(path_of: Callable[[int, str], str]) -> Dataset:
    """``make_dataset(grid(20))`` with each item's media path ``path_of(position, path)``."""
    ds = make_dataset(grid(20))
    table = ds.table("items")
    paths = pa.array([path_of(n, p) for n, p in enumerate(table["path"].to_pylist())])
    ds.set_table("items", table.set_column(table.schema.get_field_index("path"), "path", paths))
    return ds


def test_parse_ratios_accepts_text_and_mappings() -> None:
    assert parse_ratios("train=0.7, val=0.2,test=0.1") == {"train": 0.7, "val": 0.2, "test": 0.1}
    assert parse_ratios({"a": 0.5, "b": 0.5}) == {"a": 0.5, "b": 0.5}


@pytest.mark.parametrize(
    "text",
    ["train=0.8,val=0.1", "train=0.8,val=0.3,test=-0.1", "train", "train=x", "train=0.5,train=0.5", "a b=1", ""],
)
def test_bad_ratios_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_ratios(text)


def test_split_names_that_differ_only_in_case_are_refused_naming_both() -> None:
    """``{"Train": 0.5, "train": 0.5}`` was split, then every folder writer (COCO, YOLO, VOC) refused the result."""
    for ratios in ({"Train": 0.5, "train": 0.5}, "a=0.5,VAL=0.25,val=0.25"):
        with pytest.raises(UsageError) as info:
            split(make_dataset(grid(6)), ratios)
        assert info.value.message in (
            "splits 'Train' and 'train' differ only in case",
            "splits 'VAL' and 'val' differ only in case",
        )


def test_ratios_that_do_not_sum_to_one_name_the_sum() -> None:
    with pytest.raises(UsageError) as info:
        split(make_dataset(grid(10)), "train=0.8,val=0.1")
    assert info.value.expected == "1"
    assert info.value.found is not None and info.value.found.startswith("0.9")


def test_target_sizes_use_largest_remainder_and_never_leave_a_split_empty() -> None:
    assert target_sizes(64, [0.8, 0.1, 0.1]) == [51, 7, 6]
    assert target_sizes(100, [0.8, 0.1, 0.1]) == [80, 10, 10]
    assert target_sizes(3, [0.8, 0.1, 0.1]) == [1, 1, 1]
    assert target_sizes(5, [0.1, 0.9, 0.0]) == [1, 4, 0]
    assert target_sizes(2, [0.8, 0.1, 0.1]) == [2, 0, 0]
    assert sum(target_sizes(7, [1 / 3] * 3)) == 7


# -- the balanced method ---------------------------------------------------------------------------------


def test_singleton_groups_meet_exact_targets() -> None:
    out, report = split(make_dataset(grid(64)), RATIOS)
    counts = out.stats().items_by_split
    # 6.4 and 6.4: the tie goes to the earlier split name
    assert counts == {"test": 7, "train": 51, "val": 6}
    assert [(s.name, s.items, s.target) for s in report.splits] == [
        ("train", 51, 51),
        ("val", 6, 6),
        ("test", 7, 7),
    ]
    assert report.group_leaks == 0


def test_input_is_not_modified() -> None:
    ds = make_dataset(grid(20))
    before = ds.to_dict()
    split(ds, RATIOS)
    assert ds.to_dict() == before


def test_groups_are_never_split_and_each_split_gets_one_when_groups_allow() -> None:
    items = [(f"i{i}", f"g{i % 3}", [i % 2]) for i in range(30)]
    out, report = split(make_dataset(items), RATIOS)
    by_group: dict[str, set[str]] = {}
    for item in out.items():
        assert item.group is not None and item.split is not None
        by_group.setdefault(item.group, set()).add(item.split)
    assert all(len(s) == 1 for s in by_group.values())
    assert sorted(s for (s,) in by_group.values()) == ["test", "train", "val"]
    assert report.group_leaks == 0
    assert any("largest group" in w for w in report.warnings)


def test_group_by_metadata_field_and_pattern() -> None:
    items = [(f"v{i // 5}_f{i % 5}", None, [i % 3]) for i in range(50)]
    meta = [{"video_id": i // 5} for i in range(50)]
    ds = make_dataset(items, metadata=meta)
    for kwargs in ({"group_by": "video_id"}, {"group_pattern": r"^img/(v\d+)_"}):
        out, report = split(ds, RATIOS, **kwargs)  # type: ignore[arg-type]
        got = assignment(out)
        for v in range(10):
            assert len({got[f"v{v}_f{f}"] for f in range(5)}) == 1
        assert [s.groups for s in report.splits] == [8, 1, 1]
    # without grouping, frames of one video do spread
    spread = assignment(split(ds, RATIOS)[0])
    assert any(len({spread[f"v{v}_f{f}"] for f in range(5)}) > 1 for v in range(10))


def test_group_by_group_takes_a_metadata_field_of_that_name_where_no_item_has_a_group() -> None:
    """A COCO image record's field ``group`` is an item metadata field: ``--group-by group`` took the empty group
    column instead, spread every such group over the splits and warned that no item had a group."""
    items = [(f"p{p}_{k}", None, [k % 2]) for p in range(10) for k in range(4)]
    meta = [{"group": f"patient{p}"} for p in range(10) for _ in range(4)]
    out, report = split(make_dataset(items, metadata=meta), RATIOS, group_by="group")
    got = assignment(out)
    assert all(len({got[f"p{p}_{k}"] for k in range(4)}) == 1 for p in range(10))
    assert [s.groups for s in report.splits] == [8, 1, 1] and report.warnings == []
    # not by default (which would change the splits made so far of such an input), but a warning says so
    default, report = split(make_dataset(items, metadata=meta), RATIOS)
    assert sum(s.groups for s in report.splits) == 40 and report.warnings == [
        "no item has a group, but 40 items have a metadata field 'group' (a COCO image record's), which is not used "
        "by default: pass --group-by group to keep those groups whole"
    ]
    no_group = [{"group": None, "x": "group"}] * 40  # (a field of no value, or "group" as a value: no warning)
    assert split(make_dataset(items, metadata=no_group), RATIOS).report.warnings == []
    # an item with a group of its own: the group column is the one taken, as documented
    grouped = [(i, "g" if n == 0 else None, c) for n, (i, _, c) in enumerate(items)]
    _, report = split(make_dataset(grouped, metadata=meta), RATIOS, group_by="group")
    assert sum(s.groups for s in report.splits) == 40


def test_a_group_of_an_empty_text_is_no_group() -> None:
    """``""`` is how pandas and CSV write a missing value, and stats and the writers take a split of ``""`` for none:
    60 items of group ``""`` were one group, which made a 50/50 split 60/40 (warned of as group sizes alone)."""
    n = 20
    items = [(f"i{i:02d}", "" if i < 12 else f"g{i}", []) for i in range(n)]
    meta = [{"g": "" if i < 12 else f"g{i}"} for i in range(n)]
    ds = make_dataset(items, metadata=meta)
    for kwargs in ({}, {"group_by": "group"}, {"group_by": "g"}, {"group_pattern": r"^img/i0\d()"}):
        out, report = split(ds, {"a": 0.5, "b": 0.5}, stratify="none", **kwargs)  # type: ignore[arg-type]
        assert [s.items for s in report.splits] == [10, 10], kwargs
        assert sum(s.groups for s in report.splits) == n, kwargs
        assert not any("group sizes" in w or "largest group" in w for w in report.warnings), kwargs
    # a warning counts them with the items of no group (only where a grouping is asked for)
    _, report = split(ds, {"a": 0.5, "b": 0.5}, stratify="none", group_by="g")
    assert report.warnings == ["12 items have no metadata field 'g' (12 of them \"\"); each is its own group"]
    # a metadata field "group" of "" only is no group either: nothing to warn about by default
    blank = make_dataset([(i, None, c) for i, _, c in items], metadata=[{"group": ""}] * n)
    assert split(blank, {"a": 0.5, "b": 0.5}).report.warnings == []


@pytest.mark.parametrize("version", ["1", "2", "3", "4", "5"])
@pytest.mark.parametrize("method", ["balanced", "hash"])
def test_versions_before_6_keep_a_group_of_an_empty_text_together(version: str, method: str) -> None:
    """Version 6 takes ``""`` for no group; the versions before it reproduce their splits, "" one group of them
    (applied to every version, the change moved 51 to 56 of 100 such items in versions 1 to 4, 32 with hash)."""
    items = [(f"i{i:02d}", "" if i < 12 else f"g{i}", []) for i in range(20)]
    ds = make_dataset(items)
    for kwargs in ({}, {"group_by": "group"}):
        old, report = split(ds, {"a": 0.5, "b": 0.5}, stratify="none", method=method, version=version, **kwargs)
        assert report.lockfile.version == version
        assert sum(s.groups for s in report.splits) == 9, kwargs  # ("" one group, and 8 others)
        assert len({i.split for i in old.items() if i.group == ""}) == 1, kwargs
        new = split(ds, {"a": 0.5, "b": 0.5}, stratify="none", method=method, **kwargs).report
        assert sum(s.groups for s in new.splits) == 20, kwargs


def test_a_tie_in_target_remainders_goes_to_the_split_whose_name_sorts_first() -> None:
    """70/20/10 of 8 items leave 0.6 to train and val: the README gives the tie to train (6/1/1), but the float
    remainders (0.6000000000000005 and 0.6000000000000001) gave val 2 (5/2/1), as version 3 still does."""
    ds = make_dataset([(f"i{n}", None, []) for n in range(8)])
    ratios = {"train": 0.7, "val": 0.2, "test": 0.1}
    for version, sizes in ((None, [6, 1, 1]), ("3", [5, 2, 1])):
        _, report = split(ds, ratios, stratify="none", version=version)
        assert [(s.name, s.target, s.items) for s in report.splits] == [
            (name, n, n) for name, n in zip(ratios, sizes, strict=True)
        ]


def test_group_options_are_checked() -> None:
    ds = make_dataset(grid(10))
    with pytest.raises(UsageError):
        split(ds, RATIOS, group_by="nope")
    with pytest.raises(UsageError):
        split(ds, RATIOS, group_pattern="no-capture")
    with pytest.raises(UsageError):
        split(ds, RATIOS, group_pattern="(")
    with pytest.raises(UsageError):
        split(ds, RATIOS, group_by="group", group_pattern="(x)")


def test_rare_labels_reach_every_split() -> None:
    # label 9 sits in 3 small groups out of 40: the coverage pass gives one to each split
    items = [(f"i{i}", f"g{i // 5}", [i % 4]) for i in range(200)]
    for g in (3, 17, 31):
        items[g * 5] = (items[g * 5][0], items[g * 5][1], [9])
    out, report = split(make_dataset(items), RATIOS)
    rare = next(lab for lab in report.labels if lab.name == "c9")
    assert rare.groups == 3
    assert all(v == 1 for v in rare.per_split.values())
    assert report.missing == []


def test_unlabeled_items_are_split_into_requested_splits_only() -> None:
    items = [(f"i{i}", None, [] if i % 2 else [1]) for i in range(40)]
    out, report = split(make_dataset(items), {"a": 0.5, "b": 0.5})
    assert set(assignment(out).values()) == {"a", "b"}
    assert sum(s.unlabeled for s in report.splits) == 20
    assert [s.items for s in report.splits] == [20, 20]


def test_the_order_of_items_does_not_matter() -> None:
    items = [(f"i{i}", f"g{i % 13}", [i % 5, (i * 7) % 9]) for i in range(120)]
    a = assignment(split(make_dataset(items), RATIOS, seed="x")[0])
    b = assignment(split(make_dataset(items[::-1]), RATIOS, seed="x")[0])
    assert a == b
    c = assignment(split(make_dataset(items), RATIOS, seed="y")[0])
    assert c != a


def test_seed_zero_and_text_zero_are_the_same() -> None:
    ds = make_dataset(grid(30, 3))
    assert assignment(split(ds, RATIOS, seed=0)[0]) == assignment(split(ds, RATIOS, seed="0")[0])


def test_zero_share_split_gets_nothing() -> None:
    out, report = split(make_dataset(grid(30)), {"train": 0.5, "val": 0.5, "test": 0.0})
    assert set(assignment(out).values()) == {"train", "val"}
    assert [s.items for s in report.splits] == [15, 15, 0]


# -- stratification ---------------------------------------------------------------------------------------


def test_stratify_by_item_attribute() -> None:
    items = [(f"i{i}", None, []) for i in range(40)]
    meta = [{"site": "a" if i < 30 else "b"} for i in range(40)]
    out, report = split(make_dataset(items, metadata=meta), {"x": 0.5, "y": 0.5}, stratify="attr:site")
    assert {lab.name: lab.per_split for lab in report.labels} == {"b": {"x": 5, "y": 5}, "a": {"x": 15, "y": 15}}


def test_stratify_by_annotation_attribute_and_errors() -> None:
    ds = labelkit.load(FIXTURE)
    _, report = split(ds, {"a": 0.5, "b": 0.5}, stratify="attr:parked")
    assert [lab.name for lab in report.labels] == ["true"]
    with pytest.raises(UsageError):
        split(ds, RATIOS, stratify="attr:nothing")
    with pytest.raises(UsageError):
        split(ds, RATIOS, stratify="everything")


def test_stratify_none_still_meets_sizes() -> None:
    _, report = split(make_dataset(grid(20)), RATIOS, stratify="none")
    assert report.labels == []
    assert [s.items for s in report.splits] == [16, 2, 2]


# -- report measures --------------------------------------------------------------------------------------


def test_report_measures_by_hand() -> None:
    # 4 items, 2 per split; label 1 on one item of each split: LD 0, ED 0
    items = [("a", None, [1]), ("b", None, []), ("c", None, [1]), ("d", None, [])]
    _, report = split(make_dataset(items), {"x": 0.5, "y": 0.5})
    assert report.ld == 0.0
    assert report.ed == 0.0
    assert report.to_dict()["splits"][0] == {
        "name": "x",
        "ratio": 0.5,
        "target": 2,
        "items": 2,
        "groups": 2,
        "unlabeled": 1,
        "annotations": {"label": 1},
    }
    lines = report.lines()
    assert lines[0].split() == ["split", "ratio", "target", "items", "groups", "unlabeled", "label"]
    assert any(line.startswith(f"method balanced (v{ALGORITHM_VERSION}), seed 0") for line in lines)


def test_missing_label_is_reported() -> None:
    # label 5 is in two groups and there are two splits, but both groups are pinned to one split
    items = [("a", "g1", [5]), ("b", "g2", [5]), ("c", "g3", []), ("d", "g4", [])]
    ds = make_dataset(items, splits=["x", "x", None, None])
    _, report = split(ds, {"x": 0.5, "y": 0.5}, keep_existing=True)
    assert report.missing == [("c5", "y")]
    assert report.kept == 2


# -- pins: lockfile and existing splits ---------------------------------------------------------------------


def test_lockfile_keeps_old_items_and_places_new_ones(tmp_path: Path) -> None:
    lock = tmp_path / "split.lock.json"
    old = grid(60, 3)
    first, report1 = split(make_dataset(old), RATIOS, lock=lock)
    saved = read_lockfile(lock)
    assert saved is not None and saved.assignments == report1.lockfile.assignments
    assert set(saved.to_dict()) == {"version", "seed", "method", "ratios", "assignments"}
    assert saved.assignments["img/i000.jpg"] == assignment(first)["i000"]
    grown = old + [(f"n{i:03d}", f"h{i // 3}", [i % 4]) for i in range(30)]
    second, report2 = split(make_dataset(grown), RATIOS, lock=lock)
    a1, a2 = assignment(first), assignment(second)
    assert all(a2[k] == v for k, v in a1.items())
    assert report2.moved == 0 and report2.locked == 60 and report2.placed == 30
    assert len(read_lockfile(lock).assignments) == 90  # type: ignore[union-attr]


def test_lockfile_new_items_of_a_locked_group_join_it() -> None:
    first, r1 = split(make_dataset(grid(30, 3)), RATIOS)
    items = grid(30, 3) + [("extra", "g4", [1])]
    out, r2 = split(make_dataset(items), RATIOS, lock=r1.lockfile)
    got = assignment(out)
    assert got["extra"] == got["i012"]
    assert r2.group_leaks == 0


def test_lockfile_with_unknown_split_is_refused() -> None:
    lock = Lockfile(ALGORITHM_VERSION, 0, "balanced", {"a": 1.0}, {"img/i000.jpg": "holdout"})
    with pytest.raises(UsageError):
        split(make_dataset(grid(10)), RATIOS, lock=lock)


def test_bad_lockfile_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "lock.json"
    bad.write_text('{"version": "1", "seed": 0, "method": "balanced", "ratios": {}, "assignments": []}')
    with pytest.raises(InputError) as info:
        read_lockfile(bad)
    assert info.value.location.pointer == "/assignments"
    bad.write_text("not json")
    with pytest.raises(InputError):
        read_lockfile(bad)
    assert read_lockfile(tmp_path / "absent.json") is None


def test_lockfile_bytes_are_stable() -> None:
    lock = Lockfile("1", 0, "balanced", {"val": 0.2, "train": 0.8}, {"b": "val", "a": "train"})
    assert lock.dumps() == Lockfile("1", 0, "balanced", {"train": 0.8, "val": 0.2}, {"a": "train", "b": "val"}).dumps()
    assert json.loads(lock.dumps())["assignments"] == {"a": "train", "b": "val"}


def test_a_lockfile_s_written_paths_are_read_checked_and_added_to() -> None:
    """``written`` (the paths a split's output gave its items) is left out when empty, so lockfiles without it
    read and write as before; a bad one is an error at its pointer; a path that is another item's key of
    another split is counted as a clash (that entry is found first)."""
    lock = Lockfile("4", 0, "balanced", {"train": 0.5, "val": 0.5}, {"a.jpg": "train", "JPEGImages/b.jpg": "val"})
    assert "written" not in json.loads(lock.dumps())
    keys, paths = ["a.jpg", "x/b.jpg", "JPEGImages/c.jpg"], ["JPEGImages/a.jpg", "JPEGImages/b.jpg", "JPEGImages/c.jpg"]
    added, clashes = lock.with_written(keys, paths, ["train", "train", "val"])
    assert (added.written, clashes) == ({"JPEGImages/a.jpg": "train", "JPEGImages/b.jpg": "train"}, 1)
    assert lock.written == {}  # (a new lockfile)
    shared, _ = lock.with_written(["x/a.jpg#1", "x/a.jpg#2"], ["JPEGImages/a.jpg"] * 2, ["train", "val"])
    assert shared.written == {}  # (one image of items in two splits: the path says neither's split)
    assert Lockfile.from_dict(json.loads(added.dumps())) == added
    for bad, pointer in (([], "/written"), ({"JPEGImages/a.jpg": 1}, "/written/JPEGImages~1a.jpg")):
        with pytest.raises(InputError) as info:
            Lockfile.from_dict({**added.to_dict(), "written": bad})
        assert info.value.location.pointer == pointer
    with pytest.raises(UsageError, match="not requested"):  # (a written path's split is checked as the others)
        split(make_dataset(grid(4)), RATIOS, lock=replace(lock, written={"z.jpg": "holdout"}, ratios=RATIOS))


def test_keep_existing() -> None:
    splits = ["test"] * 5 + [None] * 25
    out, report = split(make_dataset(grid(30), splits=splits), RATIOS, keep_existing=True)
    got = assignment(out)
    assert all(got[f"i{i:03d}"] == "test" for i in range(5))
    assert report.kept == 5 and report.placed == 25
    assert [s.items for s in report.splits] == [22, 3, 5]  # test was over its target of 3 already
    with pytest.raises(UsageError):
        split(make_dataset(grid(3), splits=["default", None, None]), RATIOS, keep_existing=True)


def test_keep_existing_places_an_item_whose_split_is_empty_text() -> None:
    """A split of ``""`` is none (stats count it as ``(none)``, the writers as no split): keep_existing refused it
    as a split not requested, ``found `` naming nothing."""
    splits = ["test"] * 5 + [""] * 10 + [None] * 15
    out, report = split(make_dataset(grid(30), splits=splits), RATIOS, keep_existing=True)
    got = assignment(out)
    assert all(got[f"i{i:03d}"] == "test" for i in range(5))
    assert report.kept == 5 and report.placed == 25
    assert "" not in got.values() and None not in got.values()


def test_the_dataset_split_returns_keeps_the_read_notes() -> None:
    """As ``filter()`` keeps them ("The read notes go with it"): the dataset split returned had none."""
    ds = make_dataset(grid(10))
    ds.read_notes = ["a.json not read: not a COCO file"]
    out, _ = split(ds, {"train": 0.5, "val": 0.5})
    assert out.read_notes == ["a.json not read: not a COCO file"]
    assert out.read_notes is not ds.read_notes
    assert out.stats().notes == ds.stats().notes


def test_keep_existing_with_a_lockfile_that_moves_an_item_warns() -> None:
    # the lockfile wins (its items never move), but the item's own split was overridden unsaid: 'kept 0'
    ds = make_dataset(grid(6), splits=["val"] + [None] * 5)
    lock = Lockfile(
        ALGORITHM_VERSION, 0, "balanced", {"train": 0.5, "val": 0.5}, {"img/i000.jpg": "train", "img/i001.jpg": "val"}
    )
    out, report = split(ds, {"train": 0.5, "val": 0.5}, lock=lock, keep_existing=True)
    assert assignment(out)["i000"] == "train" and assignment(out)["i001"] == "val"
    assert (report.kept, report.locked, report.placed) == (0, 2, 4)
    assert report.warnings == [
        "1 items already in a split are in another split in the lockfile, which wins (its items never move):"
        " 'img/i000.jpg' is in 'val', the lockfile's 'train'; drop --lock or --keep-existing to keep the other"
    ]
    agreeing = Lockfile(ALGORITHM_VERSION, 0, "balanced", {"train": 0.5, "val": 0.5}, {"img/i000.jpg": "val"})
    assert split(ds, {"train": 0.5, "val": 0.5}, lock=agreeing, keep_existing=True).report.warnings == []
    # two such items name the first by key, in any input order (it named the first in the input's)
    both = {"img/i000.jpg": "train", "img/i001.jpg": "train"}
    lock = Lockfile(ALGORITHM_VERSION, 0, "balanced", {"train": 0.5, "val": 0.5}, both)
    for order in (grid(6), grid(6)[::-1]):
        ds = make_dataset(order, splits=["val" if i in ("i000", "i001") else None for i, _, _ in order])
        assert split(ds, {"train": 0.5, "val": 0.5}, lock=lock, keep_existing=True).report.warnings == [
            "2 items already in a split are in another split in the lockfile, which wins (its items never move):"
            " 'img/i000.jpg' is in 'val', the lockfile's 'train'; drop --lock or --keep-existing to keep the other"
        ]


# -- folds and the hash method -------------------------------------------------------------------------------


def test_folds() -> None:
    out, report = split(make_dataset(grid(50, 2)), folds=5)
    assert [s.name for s in report.splits] == [f"fold-{i}" for i in range(5)]
    assert [s.items for s in report.splits] == [10] * 5
    assert report.group_leaks == 0
    with pytest.raises(UsageError):
        split(make_dataset(grid(5)), RATIOS, folds=5)
    with pytest.raises(UsageError):
        split(make_dataset(grid(5)), folds=1)


def test_hash_method_is_bucket_of_the_group_key() -> None:
    items = grid(90, 3)
    out, report = split(make_dataset(items), RATIOS, method="hash", seed=7)
    got = assignment(out)
    for iid, group, _ in items:
        assert got[iid] == bucket(f"g:{group}", RATIOS, seed=7)
    assert report.method == "hash"


def test_unknown_method() -> None:
    with pytest.raises(UsageError):
        split(make_dataset(grid(5)), RATIOS, method="random")


# -- CLI -------------------------------------------------------------------------------------------------------


def test_cli_split_writes_output_lockfile_and_report(tmp_path: Path) -> None:
    out, lock, rep = tmp_path / "out.labelkit.json", tmp_path / "split.lock", tmp_path / "report.json"
    args = ["split", str(FIXTURE), str(out), "--ratios", "train=0.5,val=0.5", "--lock", str(lock)]
    result = CliRunner().invoke(cli, [*args, "--report", str(rep)])
    assert result.exit_code == 0, result.output
    assert "group leaks 0" in result.output
    ds = labelkit.load(out)
    keys = {i.media.path: i.split for i in ds.items()}
    assert read_lockfile(lock).assignments == keys  # type: ignore[union-attr]
    data = json.loads(rep.read_text())
    assert data["split"]["group_leaks"] == 0
    assert data["output"]["target"] == "labelkit"
    # same again with the lockfile: nothing moves; --to parquet writes another format
    out2 = tmp_path / "out2.parquet"
    result = CliRunner().invoke(
        cli, ["split", str(FIXTURE), str(out2), "--ratios", "train=0.5,val=0.5", "--lock", str(lock), "--to", "parquet"]
    )
    assert result.exit_code == 0, result.output
    assert {i.media.path: i.split for i in labelkit.load(out2, "parquet").items()} == keys


def test_cli_split_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["split", str(FIXTURE), str(tmp_path / "o.json"), "--ratios", "train=0.9,val=0.2"])
    assert result.exit_code == 2
    assert "ratios must sum to 1" in result.output
    result = runner.invoke(cli, ["split", str(FIXTURE), str(tmp_path / "o.json")])
    assert result.exit_code == 2
    (tmp_path / "exists.json").write_text("{}")
    result = runner.invoke(cli, ["split", str(FIXTURE), str(tmp_path / "exists.json"), "--folds", "2"])
    assert result.exit_code == 2


def test_cli_split_coco_grouped_by_an_image_field(tmp_path: Path) -> None:
    if "coco" not in labelkit.formats.names():
        pytest.skip("no coco format registered")
    images = [
        {"id": i, "file_name": f"v{i // 4}/f{i % 4}.jpg", "width": 8, "height": 8, "video_id": i // 4}
        for i in range(40)
    ]
    annotations = [
        {"id": i + 1, "image_id": i, "category_id": 1 + i % 3, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
        for i in range(40)
    ]
    categories = [{"id": c, "name": n} for c, n in [(1, "a"), (2, "b"), (3, "c")]]
    src = tmp_path / "coco.json"
    src.write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    out = tmp_path / "out"
    for extra in (["--group-by", "video_id"], ["--group-pattern", "^(v[0-9]+)/"]):
        result = CliRunner().invoke(
            cli, ["split", str(src), str(out), "--ratios", "train=0.8,val=0.1,test=0.1", "--overwrite", *extra]
        )
        assert result.exit_code == 0, result.output
        ds = labelkit.load(out)
        assert ds.stats().items_by_split == {"test": 4, "train": 32, "val": 4}
        by_video: dict[str, set[str | None]] = {}
        for item in ds.items():
            assert item.media.path is not None
            by_video.setdefault(item.media.path.split("/")[0], set()).add(item.split)
        assert all(len(s) == 1 for s in by_video.values())


def test_large_split_polishes_within_tolerance_and_stays_order_free() -> None:
    # 4,000 items: the polish pass runs (it moves nothing below 2,000 items)
    items = [(f"i{i:04d}", f"g{(i * 37) % 700}", [i % 11, (i * i) % 17] if i % 9 else []) for i in range(4000)]
    out, report = split(make_dataset(items, n_categories=20), RATIOS, seed=3)
    got = assignment(out)
    # the greedy may miss a target by less than a group; the polish adds at most its tolerance
    slack = int(0.0005 * 4000) + max(Counter(g for _, g, _ in items).values())
    for s in report.splits:
        assert abs(s.items - s.target) <= slack
    by_group: dict[str, set[str]] = {}
    for iid, group, _ in items:
        assert group is not None
        by_group.setdefault(group, set()).add(got[iid])
    assert all(len(s) == 1 for s in by_group.values())
    assert report.group_leaks == 0 and report.missing == []
    assert report.ld < 0.01
    again = assignment(split(make_dataset(items[::-1], n_categories=20), RATIOS, seed=3)[0])
    assert again == got


def test_lockfile_ratios_must_be_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "lock.json"
    bad.write_text('{"version": "1", "seed": 0, "method": "balanced", "ratios": {"a": "x"}, "assignments": {}}')
    with pytest.raises(InputError) as info:
        read_lockfile(bad)
    assert info.value.location.pointer == "/ratios/a"


def test_cli_algorithm_version_reproduces_v1_golden(tmp_path: Path) -> None:
    golden = Path(__file__).resolve().parents[1] / "fixtures" / "split"
    lock = tmp_path / "v1.lock.json"
    expected = json.loads((golden / "golden-v1-balanced.lock.json").read_text())
    args = [
        "split",
        str(golden / "golden.labelkit.json"),
        str(tmp_path / "out.json"),
        "--ratios",
        ",".join(f"{k}={v}" for k, v in expected["ratios"].items()),
        "--seed",
        str(expected["seed"]),
        "--lock",
        str(lock),
        "--algorithm-version",
        "1",
        "-q",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    got = json.loads(lock.read_text())
    assert got["version"] == "1"
    assert got["assignments"] == expected["assignments"]
    bad = CliRunner().invoke(cli, [*args[:-3], "--algorithm-version", "99", "--overwrite"])
    assert bad.exit_code == 2


def test_fewer_groups_than_splits_fill_the_largest_share_first() -> None:
    ds = labelkit.load(Path(__file__).resolve().parents[1] / "fixtures" / "native" / "images.labelkit.json")
    result = split(ds, {"train": 0.8, "val": 0.1, "test": 0.1})
    sizes = Counter(item.split for item in result.dataset.items())
    # two groups (street: 2 items, park: 1 item) for three splits: targets 3, 0, 0, which version 5 keeps
    assert sizes == {"train": 3}
    assert target_sizes(3, [0.8, 0.1, 0.1], n_groups=2) == [3, 0, 0]
    # version 4 filled a split of a target of 0 (step 6): train got the big group, val or test the other
    sizes = Counter(item.split for item in split(ds, {"train": 0.8, "val": 0.1, "test": 0.1}, version="4")[0].items())
    assert sizes["train"] == 2 and sizes["val"] + sizes["test"] == 1


# -- sizes when there is nothing (or little) to stratify --------------------------------------------------

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "split" / "golden.labelkit.json"
GOLDEN_RATIOS = {"train": 0.7, "val": 0.15, "test": 0.15}


def test_stratify_none_reaches_the_targets_the_groups_allow_on_the_golden_fixture(tmp_path: Path) -> None:
    # the default (stratify labels) reaches 42/9/9 with these groups; stratify none used to stop at 41/11/8
    args = ["split", str(GOLDEN), str(tmp_path / "out.json"), "--ratios", "train=0.7,val=0.15,test=0.15"]
    result = CliRunner().invoke(cli, [*args, "--stratify", "none", "--report", str(tmp_path / "r.json"), "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())["split"]
    assert [(s["name"], s["target"], s["items"]) for s in report["splits"]] == [
        ("train", 42, 42),
        ("val", 9, 9),
        ("test", 9, 9),
    ]
    assert report["ed"] == 0.0
    assert report["group_leaks"] == 0
    # the API gives the same, and the same bytes every time
    _, again = split(labelkit.load(GOLDEN), GOLDEN_RATIOS, stratify="none")
    assert [s.items for s in again.splits] == [42, 9, 9]
    assert again.lockfile.dumps() == split(labelkit.load(GOLDEN), GOLDEN_RATIOS, stratify="none")[1].lockfile.dumps()


@pytest.mark.parametrize(
    ("version", "sizes", "expected"),
    [  # versions 1 and 2 are not repaired: --algorithm-version 1 or 2 reproduces what it always gave (41/11/8)
        ("1", [41, 11, 8], "ervrrvrrrrevrrrerrrrerrrverrvrvrrrrervrrvvrrrvrrrrerrrverrrr"),
        ("2", [41, 11, 8], "ervrrvrrrrevrrrerrrrerrrverrvrvrrrrervrrvvrrrvrrrrerrrverrrr"),
        # version 3 pinned item by item too (its golden lockfile, of stratify labels, is version 2's)
        ("3", [42, 9, 9], "ervrrerrrrevrrrerrrrerrrverrvrvrrrrrrvrrvvrrrerrrrerrrverrrr"),
    ],
)
def test_stratify_none_each_version_keeps_its_split(version: str, sizes: list[int], expected: str) -> None:
    out, report = split(labelkit.load(GOLDEN), GOLDEN_RATIOS, stratify="none", version=version)
    assert [s.items for s in report.splits] == sizes
    code = {"train": "r", "val": "v", "test": "e"}
    # items f00 .. f59 in order: r train, v val, e test
    assert "".join(code[s] for _, s in sorted(assignment(out).items())) == expected


def test_stratify_none_with_a_lockfile_places_new_groups_to_the_targets() -> None:
    old = [(f"a{g}i{m}", f"a{g}", []) for g, n in enumerate([4, 2]) for m in range(n)]
    first, report = split(make_dataset(old), GOLDEN_RATIOS, stratify="none")
    before = assignment(first)
    assert Counter(before.values()) == {"train": 4, "test": 2}
    # new groups of 1, 6 and 2 items: 6 + 1 make train's 11 with its 4 old items, 2 makes val's 2
    new = [(f"b{g}i{m}", f"b{g}", []) for g, n in enumerate([1, 6, 2]) for m in range(n)]
    second, report2 = split(make_dataset(old + new), GOLDEN_RATIOS, stratify="none", lock=report.lockfile)
    after = assignment(second)
    assert all(after[iid] == s for iid, s in before.items())
    assert report2.moved == 0
    assert [(s.name, s.target, s.items) for s in report2.splits] == [("train", 11, 11), ("val", 2, 2), ("test", 2, 2)]
    assert (after["b0i0"], after["b1i0"], after["b2i0"]) == ("train", "train", "val")


def test_stratify_attr_with_few_carriers_reaches_the_targets() -> None:
    # only 4 of 11 items have a 'site': the others (groups of 2, 1 and 4 items) are placed to make the sizes
    sizes = [1, 3, 2, 1, 4]
    items = [(f"g{g}i{m}", f"g{g}", []) for g, n in enumerate(sizes) for m in range(n)]
    meta = [{"site": "a" if g % 2 else "b"} if g < 2 else None for g, n in enumerate(sizes) for _ in range(n)]
    _, report = split(make_dataset(items, metadata=meta), GOLDEN_RATIOS, stratify="attr:site")
    assert [(s.name, s.target, s.items) for s in report.splits] == [("train", 8, 8), ("val", 1, 1), ("test", 2, 2)]
    assert sorted((lab.name, lab.items) for lab in report.labels) == [("a", 3), ("b", 1)]


def test_stratify_none_meets_the_targets_beyond_the_exact_search() -> None:
    # 400 groups of 1 to 23 items: too many size vectors for the exact search, so the subset sums and the local
    # search of labelkit.split.sizes place them
    sizes = [1 + (g * 7) % 23 for g in range(400)]
    items = [(f"g{g}i{m}", f"g{g}", []) for g, n in enumerate(sizes) for m in range(n)]
    out, report = split(make_dataset(items), RATIOS, stratify="none", seed=1)
    assert [(s.name, s.target, s.items) for s in report.splits] == [
        ("train", 3834, 3834),
        ("val", 479, 479),
        ("test", 479, 479),
    ]
    assert report.group_leaks == 0
    again = assignment(split(make_dataset(items[::-1]), RATIOS, stratify="none", seed=1)[0])
    assert again == assignment(out)


def test_the_size_step_places_a_split_of_300k_items_beyond_the_exact_search() -> None:
    # a split needing 300,000 items; the closest reachable sums were found by testing each sum up to twice the
    # need, one shift of a 600,000-bit integer each (quadratic: about 5 s here, a minute for 1.2M items), now in
    # one pass over the bits (speed is measured outside the tests: python -m timeit on this call took 0.5 ms)
    from labelkit.split import sizes

    n = [300_000] + [500] * 600  # beyond the exact search: 601 groups x 600,001 sums
    problem = sizes.Sizes([0, 0], [300_000, 300_000], [300_000.0, 300_000.0], [0, 1], 1)
    found = sizes.fit(problem, n, [0] * len(n))
    assert found == [1] + [0] * 600  # the 600 groups of 500 make split 0's 300,000; the large one goes to split 1


@pytest.mark.parametrize("error", [OSError, KeyboardInterrupt])
def test_a_lockfile_that_cannot_be_moved_into_place_leaves_no_temporary_file(
    error: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary sibling (``.lock.json.tmp-<pid>``) was left beside the lockfile when it could not be moved
    into place, or Ctrl-C came first."""
    import os

    lock = tmp_path / "lock.json"
    lock.write_bytes(b"old")

    def replace(src: object, dst: object) -> None:
        raise error

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(error):
        Lockfile("3", 0, "balanced", {"a": 1.0}, {"x": "a"}).write(lock)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["lock.json"] and lock.read_bytes() == b"old"


def test_a_lockfile_none_of_whose_keys_match_says_so() -> None:
    """A lockfile made on COCO (keys 'img/i000.jpg') given to the same images read from VOC (whose paths are
    'JPEGImages/i000.jpg') or from another folder pinned nothing, and the split said nothing of it: every item was
    placed anew while the user counted on the lockfile. (YOLO's 'images/train/img/i000.jpg' is found.)"""
    _, first = split(make_dataset(grid(20)), RATIOS)
    moved = _grid_with_paths(lambda n, p: f"data/{p}")
    _, report = split(moved, RATIOS, lock=first.lockfile)
    assert report.locked == 0 and report.placed == 20
    assert report.warnings == [
        "none of the 20 items is in the lockfile (20 entries, keyed by media path as read, so a dataset read from"
        " another format or layout names its items otherwise): every item was placed anew"
    ]
    # one item in the lockfile: no such warning (the others are new items)
    _, report = split(make_dataset(grid(20)[:1] + grid(40)[20:]), RATIOS, lock=first.lockfile)
    assert report.locked == 1 and report.warnings == []


def test_a_lockfile_keeps_an_item_whose_path_another_item_comes_to_share_or_leaves() -> None:
    """An item is keyed by its path alone until another item of that path arrives; then both are keyed
    'path#id'. A second clip of each video file made the first clips' keys miss the lockfile: 15 of 20 old
    clips moved, and the report said 'moved 0'. The other form of the key is looked up too (and the other way
    round, when the second clip leaves)."""
    from labelkit.model import Dataset, Item, Media

    def clips(second: bool) -> Dataset:
        ds = Dataset()
        for n in range(20):
            ds.add_item(Item(id=f"c{n}", media=Media(kind="video", path=f"v/{n}.mp4")))
            if second:
                ds.add_item(Item(id=f"c{n}b", media=Media(kind="video", path=f"v/{n}.mp4")))
        return ds

    ratios = {"train": 0.5, "val": 0.5}
    alone, first = split(clips(False), ratios, stratify="none")
    assert sorted(first.lockfile.assignments)[:2] == ["v/0.mp4", "v/1.mp4"]
    grown, report = split(clips(True), ratios, stratify="none", lock=first.lockfile)
    assert (report.locked, report.moved, report.placed) == (40, 0, 0)
    was, now = assignment(alone), assignment(grown)
    assert all(now[i] == was[i] and now[f"{i}b"] == was[i] for i in was)
    # keyed 'path#id' only, then the second clips leave
    shared, both = split(clips(True), ratios, stratify="none", seed=7)
    assert all("#" in key for key in both.lockfile.assignments)
    left, report = split(clips(False), ratios, stratify="none", lock=both.lockfile)
    assert (report.locked, report.moved, report.placed) == (20, 0, 0)
    was = assignment(shared)
    assert all(split_name == was[i] for i, split_name in assignment(left).items())


def test_a_hand_edited_lockfile_reads_with_a_byte_order_mark_and_names_the_line_of_a_slip(tmp_path: Path) -> None:
    """The lockfile is committed beside the data, so it gets edited: one saved by Windows' Notepad (a UTF-8
    byte-order mark first) was refused ('a split lockfile must be JSON: ... (BOM) is not supported'), as no other
    JSON input of labelkit is, and a slip (a comma left out) was named by a 'line 3' inside the message only."""
    lock = Lockfile("3", 0, "balanced", {"train": 0.5, "val": 0.5}, {"a.jpg": "train", "b.jpg": "val"})
    path = tmp_path / "splits.lock.json"
    path.write_bytes(b"\xef\xbb\xbf" + lock.dumps().replace(b"\n", b"\r\n"))
    assert read_lockfile(path) == lock
    path.write_bytes(b'{\n  "assignments": {\n    "a.jpg": "train"\n    "b.jpg": "val"\n  }\n}\n')
    with pytest.raises(InputError) as info:
        read_lockfile(path)
    assert (info.value.location.path, info.value.location.line) == (str(path), 4)


def test_a_lockfile_the_api_cannot_write_is_an_output_error_naming_it(tmp_path: Path) -> None:
    """split(lock=path) in a folder that does not exist raised a raw FileNotFoundError naming the lockfile's
    temporary sibling (.x.lock.json.tmp-XXXX); the CLI's error names the lockfile."""
    from labelkit.errors import OutputError
    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(10)])
    lock = tmp_path / "missing" / "x.lock.json"
    with pytest.raises(OutputError) as err:
        labelkit.split(ds, {"train": 0.8, "test": 0.2}, lock=lock)
    assert (err.value.message, err.value.location.path) == (
        "cannot write the lockfile: No such file or directory",
        str(lock),
    )
    assert list(tmp_path.iterdir()) == []


def test_a_seed_given_as_an_integer_s_digits_writes_the_lockfile_and_report_as_the_integer_does(tmp_path: Path) -> None:
    """seed=5 and seed="5" are one seed (the same assignment), but the lockfile and report stored "5" for the text
    and 5 for the int, as --seed 5 writes it: a committed lockfile flipped with the front end that wrote it."""
    ds = labelkit.load(GOLDEN)
    written = {}
    for seed in (5, "5"):
        result = split(ds, GOLDEN_RATIOS, seed=seed, lock=tmp_path / f"{seed!r}.lock.json")
        assert result.report.to_dict()["seed"] == 5
        written[repr(seed)] = (tmp_path / f"{seed!r}.lock.json").read_bytes()
    cli_lock = tmp_path / "cli.lock.json"
    ratios = ",".join(f"{k}={v}" for k, v in GOLDEN_RATIOS.items())
    args = ["split", str(GOLDEN), str(tmp_path / "o.json"), "--ratios", ratios, "--seed", "5", "--lock", str(cli_lock)]
    assert CliRunner().invoke(cli, [*args, "-q"]).exit_code == 0
    assert written["5"] == written["'5'"] == cli_lock.read_bytes()
    assert split(ds, GOLDEN_RATIOS, seed="007").report.to_dict()["seed"] == "007"  # (text, as --seed 007 is)


def test_a_lockfile_of_a_share_past_1_by_the_sum_s_slack_reads_back(tmp_path: Path) -> None:
    """Shares may sum to 1 within 1e-6, so one may pass 1 by that much: its lockfile must read back (the ratio
    check refused ``"train": 1.0000005`` at first, a lockfile labelkit itself had written)."""
    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(4)])
    lock = tmp_path / "a.lock.json"
    split(ds, {"train": 1.0000005, "val": 0.0}, lock=lock)
    assert read_lockfile(lock).ratios == {"train": 1.0000005, "val": 0.0}  # type: ignore[union-attr]
    again = split(ds, {"train": 1.0000005, "val": 0.0}, lock=lock)
    assert not again.report.warnings


def test_a_seed_is_an_int_or_a_str_and_a_numpy_integer_is_its_int(tmp_path: Path) -> None:
    """A numpy integer split as its int but its lockfile was a TypeError (numpy.int64 is not JSON serializable),
    after the split; 1.5 or None made a lockfile its own reader refused (bad split lockfile field 'seed')."""
    import numpy as np

    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(10)])
    lock = tmp_path / "a.lock.json"
    result = split(ds, {"train": 0.8, "test": 0.2}, seed=np.int64(5), lock=lock)
    assert result.report.seed == 5 and type(result.report.seed) is int
    assert read_lockfile(lock) == split(ds, {"train": 0.8, "test": 0.2}, seed=5).report.lockfile
    for seed in (1.5, None, True):  # (True made a lockfile of "seed": true, which its reader refused too)
        with pytest.raises(UsageError) as err:
            split(ds, {"train": 0.8, "test": 0.2}, seed=seed, lock=tmp_path / "b.lock.json")  # type: ignore[arg-type]
        assert err.value.one_line() == f"bad split seed (expected an int or a str, found {seed!r})"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.lock.json"]


def test_folds_given_as_a_numpy_integer_make_a_lockfile(tmp_path: Path) -> None:
    """Its ratios were numpy floats: the lockfile was a TypeError (numpy.float64 is not JSON serializable)."""
    import numpy as np

    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(9)])
    split(ds, folds=np.int64(3), lock=tmp_path / "a.lock.json")
    lockfile = read_lockfile(tmp_path / "a.lock.json")
    assert lockfile == split(ds, folds=3).report.lockfile
    assert lockfile is not None and lockfile.ratios == {f"fold-{i}": 1 / 3 for i in range(3)}


def test_a_lock_path_that_names_no_file_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``lock=""`` was read as the current folder (``.: a split lockfile must be a regular file``), and
    ``lock="l.json/"`` wrote a file ``l.json``, as the command line's ``--lock`` refuses them."""
    from labelkit.model import Dataset, Item

    monkeypatch.chdir(tmp_path)
    ds = Dataset(items=[Item(id=f"i{n}") for n in range(4)])
    with pytest.raises(OutputError) as err:
        split(ds, {"train": 1.0}, lock="")
    assert (err.value.message, err.value.hint) == ("an empty path names no file or folder", "give the lockfile a name")
    with pytest.raises(OutputError) as err:
        split(ds, {"train": 1.0}, lock="l.json/")
    assert err.value.message == "the lockfile's path ends in '/', naming a folder, but the lockfile is a file"
    assert list(tmp_path.iterdir()) == []


def test_keep_existing_that_is_not_a_bool_is_a_usage_error() -> None:
    """``keep_existing="no"`` (from a config file) was true: every existing split was kept, as ``allow_loss="no"``
    allowed a loss before ``convert`` refused it."""
    import numpy as np

    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}", split="test") for n in range(4)])
    for value in ("no", 0, None):
        with pytest.raises(UsageError) as err:
            split(ds, {"train": 0.5, "test": 0.5}, keep_existing=value)  # type: ignore[arg-type]
        assert err.value.one_line() == f"keep_existing must be True or False (found {value!r})"
    assert split(ds, {"train": 0.5, "test": 0.5}, keep_existing=np.True_).report.kept == 4


@pytest.mark.parametrize("folds", ["2", 2.0, True])
def test_folds_that_are_not_an_int_are_a_usage_error(folds: object) -> None:
    """``folds="2"`` and ``folds=2.0`` were Python's TypeError ('<' not supported, 'float' object cannot be
    interpreted as an integer), and ``True`` was taken for 1 fold."""
    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(9)])
    with pytest.raises(UsageError) as err:
        split(ds, folds=folds)  # type: ignore[arg-type]
    assert err.value.one_line() == f"bad number of folds (expected an int, found {folds!r})"


@pytest.mark.parametrize(
    ("options", "message", "found"),
    [
        ({"ratios": [0.8, 0.2]}, "bad split ratios", "list"),
        ({"ratios": 3}, "bad split ratios", "int"),
        ({"ratios": {"train": "x"}}, "bad split ratio", "train='x'"),
        ({"ratios": {"train": None}}, "bad split ratio", "train=None"),
        ({"ratios": {"train": "1.0"}}, "bad split ratio", "train='1.0'"),
        ({"ratios": {"train": True}}, "bad split ratio", "train=True"),
        ({"lock": 3}, "lock must be a path (a str or pathlib.Path), not int", None),
        ({"stratify": None}, "stratify must be a str, not None", None),
        ({"group_by": 0}, "group_by must be a str, not int", None),
        ({"group_pattern": 3}, "group_pattern must be a str, not int", None),
    ],
)
def test_split_refuses_options_of_the_wrong_type_with_a_usage_error(
    options: dict[str, object], message: str, found: str | None
) -> None:
    """``ratios=[0.8, 0.2]`` was AttributeError (no attribute 'items'), ``{"train": "x"}`` a ValueError, ``lock=3``
    a TypeError and ``stratify=None`` an AttributeError ('NoneType' object has no attribute 'startswith');
    ``{"train": "1.0"}`` and ``{"train": True}`` were taken for 1.0 (the README: a share that is not a number)."""
    from labelkit.model import Dataset, Item

    ds = Dataset(items=[Item(id=f"i{n}") for n in range(4)])
    with pytest.raises(UsageError) as err:
        split(ds, **{"ratios": {"train": 1.0}, **options})  # type: ignore[arg-type]
    assert (err.value.message, err.value.found) == (message, found)


@pytest.mark.parametrize("share", ["decimal", "fraction", "float32", "array", "int64", "int"])
def test_a_share_of_any_number_type_is_taken(share: str) -> None:
    """A share is any number: the check refusing text and bools also refused ``Decimal("0.5")`` (no
    ``numbers.Real``), which was taken for 0.5, and a 0-d NumPy array (``np.array(0.5)``, no ``numbers.Real``
    either), which float() took too; a 0-d array of a bool is refused as a bool is."""
    from decimal import Decimal
    from fractions import Fraction

    import numpy as np

    half = {"decimal": Decimal("0.5"), "fraction": Fraction(1, 2), "float32": np.float32(0.5), "array": np.array(0.5)}
    if share in half:
        assert parse_ratios({"train": half[share], "val": half[share]}) == {"train": 0.5, "val": 0.5}
    else:
        assert parse_ratios({"train": np.int64(1) if share == "int64" else 1}) == {"train": 1.0}
    for unheld in (Decimal("sNaN"), 10**400):  # (ValueError and OverflowError from float())
        with pytest.raises(UsageError, match="bad share for split 'train'"):
            parse_ratios({"train": unheld})
    for odd in (np.array(True), np.array("0.5"), np.array([0.5])):  # (a bool, text, not one number)
        with pytest.raises(UsageError, match="bad split ratio"):
            parse_ratios({"train": odd})


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--stratify", "label"], "bad --stratify (expected labels, none or attr:NAME, found 'label')"),
        (["--group-pattern", "x"], "--group-pattern needs a capture group"),
        (["--group-pattern", "(x"], "bad --group-pattern: missing ), unterminated subpattern at position 0"),
        (["--group-pattern", "(x)", "--group-by", "g"], "give --group-by or --group-pattern, not both"),
        (["--ratios", "a=0.5,b=0.6"], "split ratios must sum to 1"),
        (["--algorithm-version", "9"], "unknown split algorithm version"),
        (["--ratios", "my split=1"], "bad split name (expected letters, digits, '_', '-' or '.', found 'my split')"),
        # (Windows device names and names ending in '.': every writer left such a split's items out)
        (["--ratios", "con=0.5,b=0.5"], "bad split name (expected no name Windows cannot hold (a device name, con,"),
        (["--ratios", "Aux.1=0.5,b=0.5"], "bad split name (expected no name Windows cannot hold (a device name, con,"),
        (["--ratios", ".=0.5,b=0.5"], "bad split name (expected no name Windows cannot hold (a device name, con,"),
        # (Python's float() took 1_0 as 10 and other scripts' digits as ASCII ones)
        (["--ratios", "a=1_0"], "bad split ratio (expected a number after '=', found 'a=1_0')"),
        (["--ratios", "a=\uff11"], "bad split ratio (expected a number after '=', found 'a=\uff11')"),
        # (split made them, then the COCO, YOLO and VOC writers refused the result)
        (["--ratios", "Train=0.5,train=0.5"], "splits 'Train' and 'train' differ only in case; hint: rename one"),
    ],
)
def test_bad_split_options_are_refused_before_the_input_is_read(args: list[str], error: str, tmp_path: Path) -> None:
    """They were refused only once the whole input was read (a minute for a large COCO file)."""
    bad = tmp_path / "bad.labelkit.json"
    bad.write_text("{")
    ratios = [] if "--ratios" in args else ["--ratios", "a=1"]
    result = CliRunner().invoke(cli, ["split", str(bad), str(tmp_path / "out"), *ratios, *args])
    assert result.exit_code == 2 and result.stderr.startswith(f"labelkit: error: {error}"), result.stderr


def test_more_folds_than_groups_are_refused_and_empty_splits_cost_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--folds 1000`` on 24 items took 6 s and left 976 folds empty: more folds than groups is a usage error,
    as scikit-learn's GroupKFold has it. The local search looked at each of the k * (k - 1) pairs of splits, also
    from an empty split, which nothing leaves (1,000 ratios on 24 items: a million looks, 5 s): it skips those."""
    with pytest.raises(UsageError) as err:
        split(make_dataset(grid(24)), folds=1000)
    assert err.value.one_line() == (
        "more folds than groups: a fold would be empty (expected at most 24 folds, found 1,000 folds of 24 items"
        " in 24 groups); hint: give fewer folds (an item without a group is a group of its own)"
    )
    with pytest.raises(UsageError, match="found 13 folds of 24 items in 12 groups"):
        split(make_dataset(grid(24, 2)), folds=13)
    assert [s.items for s in split(make_dataset(grid(24, 2)), folds=12).report.splits] == [2] * 12
    from labelkit.split import refine

    looks = Counter[str]()
    numpy = refine.np

    class Counted:
        def __getattr__(self, name: str) -> object:
            looks[name] += 1
            return getattr(numpy, name)

    monkeypatch.setattr(refine, "np", Counted())
    out, _ = split(make_dataset(grid(24)), {f"s{i:04d}": 0.001 for i in range(1000)})
    assert sum(Counter(assignment(out).values()).values()) == 24
    assert looks["flatnonzero"] < 100_000  # (1,023,631 when every pair was looked at)


def test_images_of_one_file_name_from_two_splits_put_in_one_split_are_warned_of(tmp_path: Path) -> None:
    """COCO's ``instances_train.json`` and ``instances_val.json`` may both list a ``000001.jpg`` (two images, in
    ``train2017/`` and ``val2017/``): split into one split, they were written to one file without a word, though
    that split's image folder cannot hold both. The report warns; apart, or kept in their splits, they are fine."""
    root = tmp_path / "in" / "annotations"
    root.mkdir(parents=True)
    names = {"train": ["000001.jpg", "a.jpg", "b.jpg"], "val": ["000001.jpg", "c.jpg"]}
    number = iter(range(1, 6))
    for name, files in names.items():
        images = [{"id": next(number), "file_name": f, "width": 10, "height": 10} for f in files]
        doc = {"images": images, "annotations": [], "categories": [{"id": 1, "name": "cat"}]}
        (root / f"instances_{name}.json").write_text(json.dumps(doc))
    ds = labelkit.load(tmp_path / "in")
    ratios = {"train": 0.5, "val": 0.5}
    shared = "2 items share a media path with another item; they are keyed 'path#id'"
    together = Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, {"000001.jpg#1": "train", "000001.jpg#4": "train"})
    out, report = split(ds, ratios, lock=together)
    assert assignment(out)["4"] == "train"
    assert report.warnings == [
        shared,
        "2 items of one media path that the input had in different splits are in one split now (first:"
        " '000001.jpg', of 'train' and 'val', in 'train'): where a split has an image folder of its own (COCO's"
        " file_name), they are different images, which one folder cannot hold",
    ]
    apart = Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, {"000001.jpg#1": "val", "000001.jpg#4": "train"})
    assert split(ds, ratios, lock=apart).report.warnings == [shared]
    assert split(ds, ratios, keep_existing=True).report.warnings == [shared]


def test_items_that_read_back_with_each_others_keys_in_the_output_of_a_split_are_warned_of(tmp_path: Path) -> None:
    """``instances_train.json`` and ``instances_val.json`` may both hold an image 1 ``a.jpg`` (keyed
    ``a.jpg#train/1`` and ``a.jpg#val/1``): swapped by the split, the output's train image 1 is the input's val one,
    and the lockfile, split again on that output, swapped them back under 'moved 0'. The keys cannot tell them
    apart, so the report says so, at the split that makes such an output and at the one that reads it; a YOLO
    ``images/train/a.jpg`` and ``images/val/a.jpg`` alike. Left in their splits, or on distinct ids, they are fine."""
    from labelkit.model import Dataset, Item, Media

    root = tmp_path / "in" / "annotations"
    root.mkdir(parents=True)
    cats = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]
    for name, category in (("train", 1), ("val", 2)):
        box = {"id": 1, "image_id": 1, "category_id": category, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
        doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "annotations": [box]}
        (root / f"instances_{name}.json").write_text(json.dumps({**doc, "categories": cats}))
    ds = labelkit.load(tmp_path / "in")
    ratios = {"train": 0.5, "val": 0.5}
    swap = Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, {"a.jpg#train/1": "val", "a.jpg#val/1": "train"})
    shared = "2 items share a media path with another item; they are keyed 'path#id'"
    crossed = (
        "2 items go to a split where they read back with the key of another item, which goes elsewhere"
        " ('a.jpg#train/1', sent to 'val', reads back there as 'a.jpg#val/1', sent to 'train'): a lockfile cannot"
        " tell them apart in this split's output, which, split again with it, swaps them (and if this input is such"
        " an output, they are swapped now); split the input again instead"
    )
    out, report = split(ds, ratios, lock=swap)
    assert report.warnings == [shared, crossed]
    labelkit.save(out, tmp_path / "out", "coco")

    def cats_by_split(dataset: Dataset) -> dict[str, int]:
        split_of = assignment(dataset)
        return {split_of[o.item_id]: o.category_id for o in dataset.objects()}

    assert cats_by_split(out) == {"val": 1, "train": 2}
    again, report = split(labelkit.load(tmp_path / "out"), ratios, lock=swap)
    assert cats_by_split(again) == {"train": 1, "val": 2}  # (swapped back: what the warning says)
    assert (report.moved, report.warnings) == (0, [shared, crossed])
    kept = Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, {"a.jpg#train/1": "train", "a.jpg#val/1": "val"})
    assert split(ds, ratios, lock=kept).report.warnings == [shared]
    yolo = Dataset(items=[Item(id=f"{s}/a", media=Media(path=f"images/{s}/a.jpg"), split=s) for s in ("train", "val")])
    paths = {"images/train/a.jpg": "val", "images/val/a.jpg": "train"}
    warnings = split(yolo, ratios, lock=Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, paths)).report.warnings
    assert warnings == [
        crossed.replace("a.jpg#train/1", "images/train/a.jpg").replace("a.jpg#val/1", "images/val/a.jpg")
    ]
    distinct = Dataset(
        items=[Item(id=str(n), media=Media(path="a.jpg"), split=s) for n, s in ((1, "train"), (2, "val"))]
    )
    swap = Lockfile(ALGORITHM_VERSION, 0, "balanced", ratios, {"a.jpg#1": "val", "a.jpg#2": "train"})
    assert split(distinct, ratios, lock=swap).report.warnings == [shared]


def test_a_label_every_item_carries_adds_nothing_to_ld() -> None:
    """Its ratio of positives to negatives is over 0 in the whole and in every split; taken over 1, LD was the mean
    count of items per split (5.0 for 10 items, one label, two equal splits), however well they were spread."""
    everywhere = make_dataset([(f"i{n}", None, [0]) for n in range(10)])
    assert split(everywhere, "train=0.5,val=0.5").report.ld == 0.0
    # beside a label on one item: only that one counts, |1/4 - 1/9| and |0 - 1/9| over 2 labels x 2 splits
    one_more = make_dataset([(f"i{n}", None, [0, 1] if n == 0 else [0]) for n in range(10)])
    assert split(one_more, "train=0.5,val=0.5").report.ld == pytest.approx((1 / 4 - 1 / 9 + 1 / 9) / 4)
    # items pinned in a split of a share of 0 are out of the whole too: a label on every item was taken over the
    # 9 items, 10 counted in the whole's size (LD 2.5 of a label on all 6 items, one pinned in 'old')
    pinned = Lockfile(ALGORITHM_VERSION, 0, "balanced", {"old": 0.5, "train": 0.5}, {"img/i0.jpg": "old"})
    ratios = {"train": 0.5, "val": 0.5, "old": 0.0}
    report = split(everywhere, ratios, lock=pinned).report
    assert ([(s.name, s.items) for s in report.splits], report.ld) == ([("train", 5), ("val", 4), ("old", 1)], 0.0)
    # and a label of the pinned item only (c2) is no label of the whole: LD is over c0 and c1 and the 9 others
    odd = make_dataset([(f"i{n}", None, [2] if n == 0 else [1] if n == 1 else [0]) for n in range(10)])
    report = split(odd, ratios, lock=pinned).report
    size = {s.name: s.items for s in report.splits}
    by_label = {lab.name: lab.per_split for lab in report.labels}
    assert by_label["c2"] == {"train": 0, "val": 0, "old": 1}
    gaps = [
        abs(by_label[c][j] / max(size[j] - by_label[c][j], 1) - whole)
        for c, whole in (("c0", 8 / 1), ("c1", 1 / 8))
        for j in ("train", "val")
    ]
    assert report.ld == pytest.approx(sum(gaps) / 4)


@pytest.mark.parametrize(
    ("n", "ratios"),
    [
        (10**7, [0.5000005, 0.5000005]),
        (3 * 10**7, [0.3333336] * 3),
        (2 * 10**6, [0.7000005, 0.3000004]),
        (10**7, [0.5000005, 0.5000005, 0.0]),
        (10**7, [0.49999951, 0.49999951]),
        (10**7, [0.49999951, 0.49999951, 0.0]),
    ],
)
def test_targets_sum_to_the_items_when_shares_sum_to_1_within_1e6(n: int, ratios: list[float]) -> None:
    """Shares may sum to 1 within 1e-6; summing over it, floor(share * n) gave targets above the item count
    (5,000,005 twice for 10 million items) and a report whose targets no split could meet; under it, more items
    were left than splits to give them to (9,999,992 of 10 million)."""
    sizes = target_sizes(n, ratios)
    assert sum(sizes) == n and all(abs(size - r * n) < 1 + 1e-6 * n for size, r in zip(sizes, ratios, strict=True))
    assert all(size >= 0 and (size == 0) == (r == 0) for size, r in zip(sizes, ratios, strict=True))
    if ratios[:2] == [0.5000005, 0.5000005]:  # (versions 1 to 3 reproduce what they gave)
        assert target_sizes(n, ratios, version="3")[:2] == [5000005, 5000005]
    ds = make_dataset([(f"i{k}", None, []) for k in range(10)])
    report = split(ds, {"a": 0.5000004, "b": 0.5000004}, stratify="none").report
    assert [(s.target, s.items) for s in report.splits] == [(5, 5), (5, 5)]


def test_a_lockfile_written_again_keeps_its_link_and_mode_and_a_repeated_key_is_refused(tmp_path: Path) -> None:
    """The lockfile was replaced atomically at its path: a symbolic link there became a file of its own (its
    target stale) and a file of mode 640 one of 644. A key given twice (a merge's slip) was read, the last taken."""
    ds = make_dataset([("a", None, [1]), ("b", None, [2]), ("c", None, [1]), ("d", None, [2])])
    labelkit.save(ds, tmp_path / "in.labelkit.json", "labelkit")
    real = tmp_path / "locks/v1.json"
    real.parent.mkdir()
    link = tmp_path / "splits.lock.json"
    link.symlink_to(real)
    args = ["--ratios", "train=0.5,val=0.5", "--lock", str(link)]
    for n, out in enumerate(["o1", "o2"]):
        result = CliRunner().invoke(cli, ["split", str(tmp_path / "in.labelkit.json"), str(tmp_path / out), *args])
        assert result.exit_code == 0, result.output
        assert link.is_symlink() and sorted(json.loads(real.read_text())["assignments"]) == [
            f"img/{i}.jpg" for i in "abcd"
        ]
        if n:
            assert real.stat().st_mode & 0o777 == 0o640
        real.chmod(0o640)
    text = real.read_text()
    first = text.index('"img/a.jpg": ')
    real.write_text(text[:first] + '"img/a.jpg": "val",\n    ' + text[first:])
    result = CliRunner().invoke(cli, ["split", str(tmp_path / "in.labelkit.json"), str(tmp_path / "o3"), *args])
    assert result.exit_code == 2 and not (tmp_path / "o3").exists()
    assert result.stderr == (
        f"labelkit: error: {link}#/assignments/img~1a.jpg: key 'img/a.jpg' repeated in one object: a lockfile gives "
        "each item one split; hint: keep one of the two lines\n"
    )


def test_categories_renumbered_in_their_order_give_the_same_split() -> None:
    """As the README says: labels are taken in their ids' order, so ids 0..9 as 3, 10, ..., 66 (COCO's 1..N as
    YOLO's 0..N-1) split alike (in another order they may not: a tie in rarity goes to the smaller id)."""
    import random

    r = random.Random(3)
    items = [
        (f"i{k}", f"g{r.randrange(30)}", sorted({r.randrange(10) for _ in range(r.randint(0, 3))})) for k in range(200)
    ]
    ratios = {"train": 0.7, "val": 0.15, "test": 0.15}

    def splits(renumber: dict[int, int]) -> list[str | None]:
        ds = make_dataset([(i, g, [renumber[c] for c in cs]) for i, g, cs in items], n_categories=100)
        return labelkit.split(ds, ratios)[0].table("items")["split"].to_pylist()

    assert splits({c: 7 * c + 3 for c in range(10)}) == splits({c: c for c in range(10)})


def test_a_split_drops_the_empty_splits_voc_and_yolo_would_write_again(tmp_path: Path) -> None:
    """A VOC or YOLO dataset read with a split of no image (an empty test.txt) keeps it in its info, and writing
    VOC or YOLO names it again; a split's output named it beside the splits asked for (test.txt, test: in
    data.yaml, of no image). Its splits are now the split's only; the dataset split is left as it was."""
    ds = make_dataset([(f"i{n}", None, [n % 3]) for n in range(20)])
    ds.info.extras.update(
        {"voc:@empty_splits": ["test"], "yolo:@empty_splits": ["test"], "coco:@empty_splits": ["test"]}
    )
    out, _ = split(ds, {"train": 0.5, "val": 0.5})
    assert not {"voc:@empty_splits", "yolo:@empty_splits", "coco:@empty_splits"} & set(out.info.extras)
    assert ds.info.extras["voc:@empty_splits"] == ["test"]
    labelkit.save(out, tmp_path / "voc", "voc", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "voc/ImageSets/Main").glob("*.txt") if "_" not in p.name) == [
        "train.txt",
        "val.txt",
    ]


def test_a_split_name_with_a_final_newline_is_refused() -> None:
    """``train\n`` was taken (``$`` matches before a final newline): its lockfile was refused by its own reader,
    and every writer left the split's items out."""
    with pytest.raises(UsageError) as err:
        parse_ratios({"train\n": 0.5, "val": 0.5})
    assert err.value.one_line() == "bad split name (expected letters, digits, '_', '-' or '.', found 'train\\n')"
    for name in ("nul", "COM1", "lpt9.x", "train."):
        with pytest.raises(UsageError, match="bad split name"):
            parse_ratios({name: 0.5, "val": 0.5})
    assert list(parse_ratios({"com0": 0.5, "a.b": 0.5})) == ["com0", "a.b"]
    # the string form too: its names were stripped of any white space, the newline with it (spaces still are)
    for ratios in ("train\n=0.5,b=0.5", "a=0.5,\tb=0.5"):
        with pytest.raises(UsageError, match="bad split name"):
            parse_ratios(ratios)
    assert parse_ratios(" a = 0.5 , b=0.5") == {"a": 0.5, "b": 0.5}


def test_a_ratio_sum_off_by_little_is_printed_with_its_digits() -> None:
    """``a=0.5,b=0.500002`` said ``expected 1, found 1 (a=0.5, b=0.500002)``: the sum was printed with ``:g``."""
    with pytest.raises(UsageError) as err:
        parse_ratios("a=0.5,b=0.500002")
    assert err.value.one_line() == "split ratios must sum to 1 (expected 1, found 1.000002 (a=0.5, b=0.500002))"
    with pytest.raises(UsageError) as err:
        parse_ratios({"a": 0.1, "b": 0.2, "c": 0.2})
    assert err.value.one_line() == "split ratios must sum to 1 (expected 1, found 0.5 (a=0.1, b=0.2, c=0.2))"


def _box_splits(path: Path) -> dict[int, str]:
    """Each image of a dataset, known by its one box's x, and its split."""
    ds = labelkit.load(path)
    split_of = {i["id"]: i["split"] for i in ds.table("items").to_pylist()}
    return {round(o["bbox"][0]): split_of[o["item_id"]] for o in ds.table("objects").to_pylist()}


@pytest.mark.parametrize("source", ["coco", "voc"])
def test_a_split_to_yolo_split_again_with_its_lockfile_keeps_every_split(source: str, tmp_path: Path) -> None:
    """YOLO writes COCO's ``train/c.jpg``, sent to test, as ``images/test/c.jpg`` (the split folder dropped) and
    VOC's ``JPEGImages/a.jpg`` as ``images/<split>/a.jpg``: that output, split again with the lockfile, found
    neither, placed them anew and moved some, saying ``moved 0``. ``--to yolo`` records the paths it writes."""
    names = ["train/b.jpg", "v1/b.jpg", "v0/b.jpg", "v0/3.jpg", "train/c.jpg", "v0/a.jpg", "0.jpg", "x/d.jpg"]
    doc = {
        "images": [{"id": i + 1, "file_name": f, "width": 100, "height": 100} for i, f in enumerate(names)],
        "annotations": [
            {"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 2, "bbox": [i + 1, 1, 5, 5], "area": 25}
            for i in range(len(names))
        ],
        "categories": [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}],
    }
    (tmp_path / "c.json").write_text(json.dumps(doc))
    data = tmp_path / "c.json"
    if source == "voc":  # (its paths: JPEGImages/b.jpg, ..., one renamed after its id where names repeat)
        done = CliRunner().invoke(cli, ["convert", str(data), str(tmp_path / "voc"), "--to", "voc", "-q"])
        assert done.exit_code == 0, done.output
        data = tmp_path / "voc"
    lock = ["--ratios", "train=0.5,val=0.25,test=0.25", "--lock", str(tmp_path / "l.json"), "--allow-loss"]
    first = CliRunner().invoke(cli, ["split", str(data), str(tmp_path / "y1"), "--to", "yolo", *lock])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["split", str(tmp_path / "y1"), str(tmp_path / "y2"), *lock, "--seed", "9"])
    assert again.exit_code == 0, again.output
    assert "placed 0 items; kept 0 existing; 8 from the lockfile, moved 0" in again.output
    assert "warning: 8 items" not in again.output and "placed anew" not in again.output
    assert _box_splits(tmp_path / "y2") == _box_splits(tmp_path / "y1")
    written = json.loads((tmp_path / "l.json").read_text())["written"]
    assert len(written) == 8 and all(p.startswith("images/") for p in written)  # (no path is its item's key)


def test_items_not_in_the_lockfile_of_the_name_of_an_entry_no_item_has_are_counted() -> None:
    """Some images of a split's output not found in its lockfile (under other paths) were placed anew unsaid,
    their splits changed, with ``moved 0``: the report counts the items placed anew where some have the file
    name of a lockfile entry that keys no item, naming the first. New items of new names are no such case."""
    _, first = split(make_dataset(grid(20)), RATIOS)
    moved = _grid_with_paths(lambda n, p: f"data/{p}" if n % 5 == 0 else p)
    _, report = split(moved, RATIOS, lock=first.lockfile)
    assert report.locked == 16 and report.placed == 4
    assert report.warnings == [
        "4 items are not in the lockfile and were placed anew ('data/img/i000.jpg' first), 4 of them of the file name"
        " of a lockfile entry that keys no item of the input ('data/img/i000.jpg', the lockfile's 'img/i000.jpg'):"
        " if those are the same images under other paths, their splits may have changed"
    ]


@pytest.mark.parametrize(
    ("target", "pathless", "grouped"),
    [("voc", "JPEGImages/img0.jpg", True), ("coco", "v0/img0.jpg", False), ("yolo", "images/train/v0/img0", False)],
)
def test_an_item_of_no_path_keeps_its_split_in_a_split_s_output_split_again(
    target: str, pathless: str, grouped: bool, tmp_path: Path
) -> None:
    """An item of no path whose id is another item's path (VOC: as written, ``JPEGImages/img0.jpg`` of
    ``v0/img0.jpg``; COCO: as given, where it is written as a second image of that path). VOC's lockfile recorded
    ``JPEGImages/JPEGImages/img0.jpg.jpg`` for it, though VOC writes it no ``<filename>`` and reads it back keyed
    ``#JPEGImages/img0.jpg``: that output, split again with the lockfile, placed it anew, saying ``moved 0``.
    COCO recorded nothing, and its output read it back as ``v0/img0.jpg#train/3``, which took the other image's
    split. (In VOC the two share a group: the other image reads back with the item's old key, of its split.)"""
    from labelkit.split.inputs import item_keys

    names = [f"v0/img{i}.jpg" for i in range(12)]
    ids, paths = [f"i{i}" for i in range(12)] + [pathless], [*names, None]
    groups = ["g0" if grouped and n in (0, 12) else None for n in range(13)]
    table = pa.table({"id": ids, "path": paths, "group": groups})
    labels = pa.table(
        {"id": [f"a{n}" for n in range(13)], "item_id": ids, "category_id": pa.array([n % 3 for n in range(13)])}
    )
    cats = [labelkit.model.Category(id=c, name=f"c{c}") for c in range(3)]
    dataset = Dataset.from_tables({"items": table, "labels": labels}, categories=cats)
    labelkit.save(dataset, tmp_path / "in.json", "labelkit")
    ratios = ["--ratios", "train=0.5,val=0.25,test=0.25", "--lock", str(tmp_path / "l.json"), "--allow-loss"]
    done = CliRunner().invoke(cli, ["split", str(tmp_path / "in.json"), str(tmp_path / "o"), "--to", target, *ratios])
    assert done.exit_code == 0, done.output
    back = labelkit.load(tmp_path / "o")
    lock = read_lockfile(tmp_path / "l.json")
    assert lock is not None
    keys = item_keys(back.table("items"))[0]
    assert set(lock.written) <= set(keys) and set(keys) <= set(lock.written) | set(lock.assignments)
    again, report = split(back, {"train": 0.5, "val": 0.25, "test": 0.25}, seed=9, lock=lock)
    assert (report.placed, report.locked) == (0, 13)
    assert assignment(again) == assignment(back)


def test_a_yolo_output_without_written_paths_is_found_by_the_folder_yolo_dropped() -> None:
    """Without ``written`` (the API's lockfile), YOLO's ``images/train/a.jpg`` of VOC's ``JPEGImages/a.jpg`` and
    ``images/test/c.jpg`` of COCO's ``train/c.jpg`` (the split folder dropped) were not found and placed anew;
    a path two lockfile keys of other splits give (``train/d.jpg``, ``val/d.jpg``) is not taken."""
    import pyarrow as pa

    from labelkit.split.inputs import locked_splits

    paths = ["images/train/a.jpg", "images/test/c.jpg", "images/val/d.jpg", "images/val/e.jpg"]
    table = pa.table({"id": ["a", "c", "d", "e"], "path": paths})
    lock = {"JPEGImages/a.jpg": "val", "train/c.jpg": "test", "train/d.jpg": "val", "val/d.jpg": "train"}
    assert locked_splits(table, paths, {**lock, "x.jpg": "train"}) == (["val", "test", None, None], 2)


def test_a_split_of_a_target_of_0_is_left_empty_from_version_5() -> None:
    """2 items at 80/10/10 have targets train 2, val 0, test 0 (fewer groups than splits), and came out train 1,
    test 1: step 6 filled every empty split whatever its target. Version 4 still does, as it did."""
    ratios = {"train": 0.8, "val": 0.1, "test": 0.1}
    out, report = split(make_dataset(grid(2)), ratios, stratify="none")
    assert [(s.name, s.target, s.items) for s in report.splits] == [("train", 2, 2), ("val", 0, 0), ("test", 0, 0)]
    _, old = split(make_dataset(grid(2)), ratios, stratify="none", version="4")
    assert [(s.name, s.target, s.items) for s in old.splits] == [("train", 2, 1), ("val", 0, 0), ("test", 0, 1)]
    _, three = split(make_dataset(grid(3)), ratios, stratify="none")  # (targets 1, 1, 1: each is filled)
    assert [s.items for s in three.splits] == [1, 1, 1]


def test_a_label_of_two_groups_lands_in_train_though_rarer_labels_took_its_groups_for_val_and_test() -> None:
    """c0 and c3 (2 groups each) went first: their val and test took i001 and i005, both of c4's groups, so c4 was
    in val and test, never in train (README, step 4: never both). From version 5 each label of fewer groups than
    splits gets a train group first."""
    labels = {0: [0, 6], 1: [3, 4], 4: [1], 5: [0, 4], 7: [5], 9: [2, 6], 11: [3]}
    items = [(f"i{n:03d}", None, labels.get(n, [])) for n in range(12)]
    ratios = {"train": 0.8, "val": 0.1, "test": 0.1}
    for version, expected in (("4", {"i001": "val", "i005": "test"}), ("5", {"i001": "test", "i006": "val"})):
        out, report = split(make_dataset(items), ratios, seed=72, version=version)
        assert {i: s for i, s in assignment(out).items() if s != "train"} == expected
    assert {label.name: label.per_split["train"] for label in report.labels if label.groups == 2} == {
        "c0": 2,
        "c3": 1,
        "c4": 1,
        "c6": 2,
    }


def test_200_folds_of_small_groups_come_as_close_to_their_targets_as_a_move_allows() -> None:
    """3,000 items in 942 groups of at most 10, 200 folds, nothing to stratify: step 9's local search took the folds
    in name order, each class of groups weighing every other fold, and its budget ran out before ``fold-99``
    (last), left at 28 items for a target of 15 with a warning blaming the group sizes, while moving one group of
    4 out of it into a fold of 14 brought both closer. Version 5 takes the folds furthest from their targets
    first, and first the changes between a fold above its target and one below it."""
    import random

    from labelkit.model import Dataset, Item

    rng = random.Random(0)
    ds = Dataset(items=[Item(id=f"i{k}", group=f"g{rng.randrange(1000)}") for k in range(3000)])
    _, report = split(ds, folds=200, stratify="none")
    assert sorted(Counter(s.items for s in report.splits).items()) == [(14, 29), (15, 142), (16, 29)]
    assert not [w for w in report.warnings if "group sizes" in w]
    _, old = split(ds, folds=200, stratify="none", version="4")
    assert max(s.items for s in old.splits) == 28


def test_v5_spreads_rare_labels_over_folds_as_v4_where_no_split_is_the_largest() -> None:
    """Version 5 gave every label of fewer groups than splits a group in "the largest split" first: among folds
    (equal targets) that was the last fold by name, which took up to 46% of the rare labels' annotations while
    another fold had none. Where no split is larger than every other, they spread as in version 4."""
    import random

    rng = random.Random(1)
    cats: dict[int, list[int]] = {i: [1] for i in range(1000)}  # a common label on every item
    for c in range(2, 61):  # 59 labels of 1 to 4 items each: fewer than the 5 folds
        for i in rng.sample(range(1000), rng.randint(1, 4)):
            cats[i].append(c)
    ds = make_dataset([(f"i{i}", None, cats[i]) for i in range(1000)], n_categories=61)
    rare = Counter(c for cs in cats.values() for c in cs if c != 1)
    per_fold = {}
    for version in ("4", "5"):
        out, _ = split(ds, folds=5, version=version)
        split_of = dict(zip(out.table("items")["id"].to_pylist(), out.table("items")["split"].to_pylist(), strict=True))
        per_fold[version] = Counter(split_of[f"i{i}"] for i, cs in cats.items() for c in cs if c in rare)
    assert per_fold["5"] == per_fold["4"]
    assert min(per_fold["5"].values()) > 0 and len(per_fold["5"]) == 5


@pytest.mark.parametrize(
    ("tables", "options", "message"),
    [
        ({"items": {"metadata": ["{bad", '{"g": 1}']}}, {"group_by": "g"}, "items row 0: metadata"),
        ({"items": {"metadata": ['{"g": 1}', "[1]"]}}, {"group_by": "g"}, "items row 1: metadata"),
        ({"items": {"metadata": ['{"s": NaN}', '{"s": 1}']}}, {"stratify": "attr:s"}, "items row 0: metadata"),
        ({"items": {"metadata": ["[1]", None]}}, {}, "items row 0: metadata"),
        ({"objects": {"attributes": ['{"s": "v"}', "{bad"]}}, {"stratify": "attr:s"}, "objects row 1: attributes"),
    ],
)
def test_a_json_cell_that_is_no_object_is_an_input_error_naming_it(
    tables: dict[str, dict[str, list[str | None]]], options: dict[str, str], message: str
) -> None:
    """Such a cell (only ``Dataset.from_tables`` gives one) was orjson's JSONDecodeError or an AttributeError
    (``'list' object has no attribute 'get'``); ``plan`` refuses it naming table, row and column, and so does split."""
    from labelkit.model import Category

    items = pa.table({"id": ["x", "y"], **tables.get("items", {})})
    given = {"items": items}
    if "objects" in tables:
        given["objects"] = pa.table(
            {"id": ["1", "2"], "item_id": ["x", "y"], "category_id": [1, 1], **tables["objects"]}
        )
    ds = Dataset.from_tables(given, [Category(id=1, name="c")])
    with pytest.raises(InputError) as info:
        split(ds, {"a": 0.5, "b": 0.5}, **options)  # type: ignore[arg-type]
    assert info.value.message.startswith(message)
    assert "JSON object" in info.value.message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, RATIOS, 0), "bucket: the key must be a str, not None"),
        (("g:\udc80", RATIOS, 0), "bucket: the key must be UTF-8 text (no lone surrogate)"),
        (("k", None, 0), "bad split ratios"),
        (("k", {}, 0), "no split ratios"),
        (("k", {"a": float("nan")}, 0), "bad share for split 'a'"),
        (("k", {"a": -1, "b": 2}, 0), "bad share for split 'a'"),
        (("k", {"a": 0.5}, 0), "split ratios must sum to 1"),
        (("k", {"../x": 1}, 0), "bad split name"),
        (("k", {3: 1}, 0), "bad split name"),
        (("k", [("a", 0.5), ("a", 0.5)], 0), "a split is named twice"),
        (("k", [("a", 0.5, 1)], 0), "bad split ratios"),
        (("k", {"a": [1]}, 0), "bad split ratio"),
        (("k", RATIOS, None), "bad split seed"),
        (("k", RATIOS, 1.5), "bad split seed"),
        (("k", RATIOS, True), "bad split seed"),
        (("k", RATIOS, "\udc80"), "bad split seed"),
        (("k", [(["a"], 1.0)], 0), "bad split name (expected a str, found ['a'] (list))"),
        (("k", [({"a": 1}, 1.0)], 0), "bad split name (expected a str, found {'a': 1} (dict))"),
    ],
)
def test_bucket_refuses_what_split_refuses(args: tuple, message: str) -> None:
    """``bucket`` is public: its arguments are checked as :func:`split` checks them (they were bare IndexError,
    AttributeError or ValueError, or taken: negative shares, shares not summing to 1, a seed of None)."""
    with pytest.raises(UsageError) as err:
        bucket(*args)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("share", [True, np.True_])
def test_a_bool_share_is_refused_after_an_equal_int_share_was_taken(share: object) -> None:
    """The checked ratios are remembered: ``True == 1`` and hashes as 1, so the cache took it once 1 was checked."""
    assert bucket("g:x", {"train": 1}) == "train"
    with pytest.raises(UsageError, match="bad split ratio"):
        bucket("g:x", {"train": share})


def test_bucket_takes_ratios_as_split_does() -> None:
    keys = [f"g:{n}" for n in range(200)]
    want = [bucket(k, {"train": 0.8, "val": 0.2}, 5) for k in keys]
    assert [bucket(k, "train=0.8,val=0.2", "5") for k in keys] == want
    assert [bucket(k, [("val", 0.2), ("train", 0.8)], 5) for k in keys] == want
    assert [bucket(k, {"train": 4 / 5, "val": 1 / 5}, 5) for k in keys] == want
    assert set(want) == {"train", "val"}


def test_a_seed_of_a_lone_surrogate_is_refused_as_the_cli_refuses_it() -> None:
    with pytest.raises(UsageError, match=r"bad split seed \(expected UTF-8 text \(no lone surrogate\)"):
        split(make_dataset(grid(5)), RATIOS, seed="\udc80")


@pytest.mark.parametrize("names", [{None: 0.5, "val": 0.5}, {3: 0.5, "val": 0.5}, {b"x": 0.5, "val": 0.5}])
def test_split_names_must_be_str(names: dict) -> None:
    """They were made text: ``{None: 0.5, 3: 0.5}`` made the splits ``'None'`` and ``'3'``."""
    with pytest.raises(UsageError, match=r"bad split name \(expected a str"):
        split(make_dataset(grid(5)), names)


@pytest.mark.parametrize("path", [None, 3, b"lock.json"])
def test_a_lockfile_path_that_is_no_path_is_refused(path: object, tmp_path: Path) -> None:
    _, report = split(make_dataset(grid(5)), RATIOS)
    with pytest.raises(UsageError, match=r"the lockfile must be a path \(a str or pathlib.Path\), not "):
        read_lockfile(path)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"the lockfile must be a path"):
        report.lockfile.save(path)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_metadata_object_of_two_key_orders_is_one_group() -> None:
    """``{"id": 1, "site": "a"}`` and ``{"site": "a", "id": 1}`` (one value, as two tools write it) were two groups:
    a 50/50 split put half of the items in each split, reporting no leak. Each spelling now takes the smallest of
    the value's spellings, whatever the items' order; a value of one spelling keeps its text, and so its bucket."""
    from labelkit.model import Dataset, Item
    from labelkit.split import bucket
    from labelkit.split.inputs import _same_values_same_text

    for order in (1, -1):
        ds = Dataset(
            items=[
                Item(id=f"i{n}", metadata={"patient": {"id": 1, "site": "a"} if n % 2 else {"site": "a", "id": 1}})
                for n in range(20)
            ][::order]
            + [Item(id=f"j{n}", metadata={"patient": {"id": n}}) for n in range(20)]
        )
        result = split(ds, {"train": 0.5, "val": 0.5}, group_by="patient")
        splits = {i.split for i in result.dataset.items() if i.id.startswith("i")}
        assert len(splits) == 1 and result.report.group_leaks == 0
    values = [{"b": [{"y": 1, "x": 2}], "a": 1}, {"a": 1, "b": [{"x": 2, "y": 1}]}, [{"q": 1, "p": 2}], "s", None, 3]
    assert _same_values_same_text(values) == [
        '{"a":1,"b":[{"x":2,"y":1}]}',
        '{"a":1,"b":[{"x":2,"y":1}]}',
        '[{"q":1,"p":2}]',  # (of one spelling: its own text)
        "s",
        None,
        "3",
    ]
    hashed = split(ds, {"train": 0.5, "val": 0.5}, group_by="patient", method="hash")
    item = next(i for i in hashed.dataset.items() if i.id == "j3")
    assert item.split == bucket('g:{"id":3}', {"train": 0.5, "val": 0.5}, 0)
