"""Properties of split() that must hold for any dataset (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_split_helpers import assignment, make_dataset

from labelkit.split import split

RATIO_CHOICES = [
    {"train": 0.8, "val": 0.1, "test": 0.1},
    {"train": 0.5, "test": 0.5},
    {"a": 0.6, "b": 0.2, "c": 0.1, "d": 0.1},
    {"train": 0.7, "val": 0.3, "test": 0.0},
]

item = st.tuples(st.one_of(st.none(), st.integers(0, 8)), st.lists(st.integers(0, 6), max_size=3))
datasets = st.lists(item, min_size=1, max_size=40).map(
    lambda rows: [(f"i{n}", None if g is None else f"g{g}", sorted(set(labels))) for n, (g, labels) in enumerate(rows)]
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(datasets, st.sampled_from(RATIO_CHOICES), st.sampled_from(["balanced", "hash"]), st.integers(0, 3))
def test_splits_cover_every_item_once_and_never_split_a_group(items, ratios, method, seed) -> None:
    out, report = split(make_dataset(items), ratios, method=method, seed=seed)
    got = assignment(out)
    assert set(got) == {i for i, _, _ in items}
    assert set(got.values()) <= {name for name, share in ratios.items() if share > 0}
    assert sum(s.items for s in report.splits) == len(items)
    by_group: dict[str, set[str]] = {}
    for iid, group, _ in items:
        if group is not None:
            by_group.setdefault(group, set()).add(got[iid])
    assert all(len(s) == 1 for s in by_group.values())
    assert report.group_leaks == 0
    if method == "balanced":
        # never an empty split when there are at least as many groups as splits with a share
        n_groups = len({g for _, g, _ in items if g is not None}) + sum(g is None for _, g, _ in items)
        wanted = [n for n, share in ratios.items() if share > 0]
        if n_groups >= len(wanted):
            assert set(got.values()) == set(wanted)


@SETTINGS
@given(datasets, st.sampled_from(RATIO_CHOICES), st.sampled_from(["balanced", "hash"]), st.randoms())
def test_any_permutation_of_the_input_gives_the_same_split(items, ratios, method, rnd) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    a = assignment(split(make_dataset(items), ratios, method=method, seed="s")[0])
    b = assignment(split(make_dataset(shuffled), ratios, method=method, seed="s")[0])
    assert a == b


@SETTINGS
@given(datasets, datasets, st.sampled_from(RATIO_CHOICES), st.sampled_from(["balanced", "hash"]), st.booleans())
def test_a_lockfile_keeps_every_old_item_in_place(old, new, ratios, method, join) -> None:
    first, report = split(make_dataset(old), ratios, method=method)
    # new items either join the old groups of the same name or come in new groups
    added = [(f"new{iid}", None if g is None else (g if join else f"new{g}"), labels) for iid, g, labels in new]
    second, report2 = split(make_dataset(old + added), ratios, method=method, lock=report.lockfile)
    before, after = assignment(first), assignment(second)
    assert all(after[iid] == split_name for iid, split_name in before.items())
    assert report2.moved == 0
    assert report2.group_leaks == 0
