"""The split algorithms over plain arrays: balanced greedy (with coverage pass) and hash bucketing.

Nothing here knows about datasets. Splits are indexed in sorted-name order, groups in sorted-key order, labels
in vocabulary order; the only other input that orders anything is a keyed hash per group, so the result does
not depend on the order the items came in.

Balanced method (version 1), in words:

1. Target sizes: largest-remainder rounding of ``ratio * items`` (ties to the earlier split name); every split
   with a share gets at least one item when there are at least as many items as such splits.
2. Pinned groups (lockfile, ``keep_existing``) are placed first and counted.
3. Coverage pass, rarest label first: each label found in at least 2 groups and at most three times as many
   groups as there are splits is given to every split that lacks it, smallest split first (when it has fewer
   groups than there are splits, the largest split first, then the smallest), taking the free group whose count of
   the label is closest to the split's share of it (then the smallest; ties by keyed hash) that fits the target.
   From version 5, every label of fewer groups than splits (of one too) first gets a group in the largest split,
   before any other split is served.
4. Greedy: free groups in order of the largest share of any one label they hold (rare-label carriers first),
   ties by keyed hash; each goes to the split that keeps the sum over labels (and, weighted, over item counts)
   of the across-split variance of fill fractions ``count / (ratio * total)`` smallest, among the splits it
   fits into; when it fits nowhere, to the split it overfills least.
5. Empty splits: while a split with a share is empty and another holds two free groups or more, the smallest
   free group of the fullest such split moves into it (from version 5, not into a split of a target of 0).
6. Polish (2,000 items or more): free groups of at most ``POLISH_TOLERANCE * items`` items, smallest first (ties
   by keyed hash), move to another split when that lowers LD (Sechidis 2011, computed exactly for the two splits
   touched), keeps both splits within that tolerance of their targets (and non-empty), and takes no label's
   last item out of a split; two passes over at most ``POLISH_BUDGET`` groups. Below 2,000 items nothing moves,
   so sizes stay exact where groups allow.

Version 2 adds, after step 6:

7. Local search on LD over the free groups (:mod:`labelkit.split.refine`): moves and swaps between splits, each
   checked with the exact LD, then kicks (a seeded swap) each followed by another descent, keeping the best state,
   within ``REFINE_PER_ITEM`` evaluated numbers per item. The same rules as the polish hold (sizes within
   ``POLISH_TOLERANCE`` of their targets or no further than before, no split emptied, no label's last item
   taken out of a split), so below 2,000 items no split moves away from its target. With a lockfile only the new
   groups are free: this is what lets them make up for the frozen old counts.

Version 3 adds, last:

8. Sizes (:mod:`labelkit.split.sizes`): the free groups that carry no label (every free group with
   ``stratify="none"``) are placed again so that split sizes come closest to their targets, then to
   ``ratio * total``, exactly when the size vectors they can make are few enough; nothing changes unless the
   sizes get strictly closer. Steps 4-7 do not aim at sizes once a group fits nowhere, and with nothing to
   stratify the greedy takes groups in keyed-hash order, so a large group coming late missed reachable sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from labelkit.split import refine, sizes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SIZE_WEIGHT = 10.0
"""Weight of the item-count term against one label's term in the greedy objective (tuned on bench/split.py)."""

LABEL_RATIO_WEIGHT = 1.0
"""How much a label's term grows with its frequency, so that the positive:negative ratio (LD) stays balanced."""

POLISH_TOLERANCE = 0.0005
"""The polish pass may leave a split this share of all items away from its target (nothing below 2,000 items)."""

POLISH_PASSES = 2
"""Passes of the polish over the free groups."""

POLISH_BUDGET = 20_000
"""The polish looks at no more than this many groups (the first in its order), so its time is bounded."""

COVERAGE_FACTOR = 3
"""The coverage pass looks after labels found in at most this many times as many groups as splits."""

REFINE_PER_ITEM = 12_000
"""Version 2's local search may evaluate this many numbers per item (about 1 s of CPU per 100k items)."""

REFINE_FLOOR = 20_000_000
"""... and at least this many, so small datasets get a full search ..."""

REFINE_CAP = 4_000_000_000
"""... and at most this many (about 5 s), whatever the size."""

REFINE_DENSE = 10_000_000
"""At most this many (group, label) cells of free groups are searched (the first groups in keyed-hash order)."""

VERSIONS = ("1", "2", "3", "4", "5", "6")
"""Versions of the balanced method that can still be asked for."""


_BEFORE_5 = ("1", "2", "3", "4")
"""The versions that fill a split of a target of 0 (step 5) and cover a label of fewer groups than splits in the
order of rarity alone, so that rarer labels' val and test could take its every group (step 3)."""

BEFORE_6 = ("1", "2", "3", "4", "5")
"""The versions that keep the items whose group is ``""`` together, as one group (from version 6, ``""``, as pandas and
CSV write a missing value, is no group: each such item is a group of its own)."""


def unique_counts(values: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct values and how often each occurs (a sort, which beats ``np.unique``'s hashing here)."""
    if not len(values):
        return values.astype(np.int64), np.zeros(0, dtype=np.int64)
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts].astype(np.int64), counts.astype(np.int64)


def target_sizes(n_items: int, ratios: list[float], n_groups: int | None = None, version: str = "4") -> list[int]:
    """Target item counts: largest-remainder rounding, never zero for a split with a share when groups allow.

    With fewer groups (default: one per item) than splits with a share, some split must stay empty, so no
    split is forced to one item: plain largest-remainder rounding then leaves the smallest shares empty.

    Remainders are compared to 9 decimals, so that equal ones are a tie (which the split whose name sorts first,
    the first of ``ratios``, wins): 70/20/10 of 8 items leave 0.6 to train and to val, which as floats were
    0.6000000000000005 and 0.6000000000000001. Versions before ``4`` compared the floats.

    Examples:
        >>> target_sizes(64, [0.8, 0.1, 0.1])
        [51, 7, 6]
        >>> target_sizes(3, [0.8, 0.1, 0.1])
        [1, 1, 1]
        >>> target_sizes(3, [0.8, 0.1, 0.1], n_groups=2)
        [3, 0, 0]
        >>> target_sizes(8, [0.1, 0.7, 0.2]), target_sizes(8, [0.1, 0.7, 0.2], version="3")  # test, train, val
        ([1, 6, 1], [1, 5, 2])
        >>> target_sizes(10**7, [0.5000005, 0.5000005]), target_sizes(10**7, [0.4999995, 0.4999995])  # (1 +- 1e-6)
        ([5000000, 5000000], [5000000, 5000000])
    """
    exact = [r * n_items for r in ratios]
    sizes = [int(np.floor(x + 1e-9)) for x in exact]
    left = n_items - sum(sizes)
    if version in ("1", "2", "3"):
        remainders = [x - size for x, size in zip(exact, sizes, strict=True)]
    else:
        remainders = [round(x - size, 9) for x, size in zip(exact, sizes, strict=True)]
    order = sorted(range(len(ratios)), key=lambda j: (-remainders[j], j))
    if version in ("1", "2", "3"):
        for j in order[: max(left, 0)]:
            sizes[j] += 1
    else:  # shares may sum to 1 within 1e-6: the targets still sum to the items (from a million items on, they did not)
        step = 0
        while left:  # (in rounds: by largest remainder when items are left, by smallest when there are too few)
            j = order[step % len(order)] if left > 0 else order[-1 - step % len(order)]
            step += 1
            if left > 0 and ratios[j] > 0:
                sizes[j], left = sizes[j] + 1, left - 1
            elif left < 0 and sizes[j] > 0:
                sizes[j], left = sizes[j] - 1, left + 1
    wanted = [j for j, r in enumerate(ratios) if r > 0]
    if min(n_items, n_items if n_groups is None else n_groups) >= len(wanted):
        for j in wanted:
            if sizes[j] == 0:
                donor = max(wanted, key=lambda d: (sizes[d], -d))
                sizes[donor] -= 1
                sizes[j] += 1
    return sizes


@dataclass
class Groups:
    """Groups as sums: sizes and a sparse (CSR) matrix of how many of their items carry each label.

    Attributes:
        sizes: items per group.
        indptr: group g's labels are ``labels[indptr[g]:indptr[g + 1]]``.
        labels: label indexes.
        counts: items of the group carrying that label.
        n_labels: vocabulary size.
    """

    sizes: IntArray
    indptr: IntArray
    labels: IntArray
    counts: IntArray
    n_labels: int

    @classmethod
    def build(
        cls, item_group: IntArray, n_groups: int, pair_item: IntArray, pair_label: IntArray, n_labels: int
    ) -> Groups:
        """Aggregate item-level (item, label) pairs into per-group label counts."""
        sizes = np.bincount(item_group, minlength=n_groups).astype(np.int64)
        width = max(n_labels, 1)
        code, counts = unique_counts(item_group[pair_item] * width + pair_label)
        group = code // width
        indptr = np.searchsorted(group, np.arange(n_groups + 1)).astype(np.int64)
        return cls(sizes, indptr, (code % width).astype(np.int64), counts.astype(np.int64), n_labels)

    def of(self, g: int) -> tuple[list[int], list[int]]:
        """Labels and counts of group ``g``."""
        a, b = int(self.indptr[g]), int(self.indptr[g + 1])
        return self.labels[a:b].tolist(), self.counts[a:b].tolist()


def _square(x: float) -> float:
    """``x * x``: one exactly rounded multiply, the same bits on every machine (``x ** 2`` is ``pow``)."""
    return x * x


class _State:
    """Per-split item counts and per-(label, split) counts, as Python lists for a fast inner loop."""

    def __init__(self, ratios: list[float], targets: list[int], totals: list[int], n_items: int) -> None:
        self.active = [j for j, r in enumerate(ratios) if r > 0]
        self.k = len(self.active)
        self.ratios = ratios
        self.targets = targets
        self.totals = totals
        self.n_items = max(n_items, 1)
        self.size = [0] * len(ratios)
        self.fill = [[0] * len(ratios) for _ in totals]
        self.s1 = [0.0] * len(totals)  # sum over splits of fill[l][j] / r_j
        self.size_s1 = 0.0
        # LD (Sechidis 2011) compares positive:negative ratios, which move by N*T/(N-T)^2 per unit of fill
        # fraction: common labels need a tighter fill than the plain fill-fraction variance asks of them
        # (squares by multiplying: x ** 2 is the C library's pow, whose last bit is another on a CPU with FMA)
        n = float(self.n_items)
        self.weight = [1.0 + LABEL_RATIO_WEIGHT * _square(n * t / _square(max(n - t, 1.0))) for t in totals]

    def add(self, j: int, n: int, labels: list[int], counts: list[int]) -> None:
        self.size[j] += n
        if self.ratios[j] > 0:
            self.size_s1 += n / self.ratios[j]
        for label, c in zip(labels, counts, strict=True):
            self.fill[label][j] += c
            if self.ratios[j] > 0:
                self.s1[label] += c / self.ratios[j]

    def score(self, j: int, n: int, labels: list[int], counts: list[int]) -> float:
        """Increase of the objective if the group went to split ``j`` (only the terms that depend on ``j``)."""
        k = self.k
        r = self.ratios[j]
        total = 0.0
        for label, c in zip(labels, counts, strict=True):
            t = self.totals[label]
            total += (
                self.weight[label]
                * c
                / (t * t * r)
                * ((2 * self.fill[label][j] + c) / (r * k) - (2 * self.s1[label] + c / r) / (k * k))
            )
        t = self.n_items
        total += (
            SIZE_WEIGHT * n / (t * t * r) * ((2 * self.size[j] + n) / (r * k) - (2 * self.size_s1 + n / r) / (k * k))
        )
        return total

    def choose(self, n: int, labels: list[int], counts: list[int]) -> int:
        fits = [j for j in self.active if self.size[j] + n <= self.targets[j]]
        if not fits:
            return min(self.active, key=lambda j: (self.size[j] + n - self.targets[j], j))
        best, best_score = fits[0], self.score(fits[0], n, labels, counts)
        for j in fits[1:]:
            s = self.score(j, n, labels, counts)
            if s < best_score:
                best, best_score = j, s
        return best


def balanced(
    groups: Groups,
    ratios: list[float],
    tiebreak: list[int],
    pinned: IntArray,
    pinned_sizes: IntArray,
    pinned_fill: IntArray,
    *,
    coverage: bool = True,
    version: str = "5",
    seed_value: int = 0,
) -> IntArray:
    """Place every free group (``pinned == -1``) with the balanced greedy.

    Args:
        groups: per-group sizes and label counts of the free groups (rows of pinned groups are ignored).
        ratios: share per split (sorted-name order).
        tiebreak: keyed hash per group.
        pinned: split index per group, -1 when free.
        pinned_sizes: items per split already placed by pins.
        pinned_fill: (labels x splits) label counts already placed by pins.
        coverage: run the coverage pass.
        version: ``1`` (greedy and polish), ``2`` (then the local search of :mod:`labelkit.split.refine`),
            ``3`` (then the sizes of :mod:`labelkit.split.sizes`), ``4`` (targets rounded as :func:`target_sizes`
            says) or ``5`` (no split of a target of 0 is filled).
        seed_value: seeds the local search's kicks (a keyed hash of the seed).

    Returns:
        The split index of every group (pinned ones unchanged).
    """
    n_groups = len(groups.sizes)
    free = np.flatnonzero(pinned < 0)
    free_sizes = int(groups.sizes[free].sum())
    n_items = free_sizes + int(pinned_sizes.sum())
    totals = (
        np.asarray(pinned_fill.sum(axis=1), dtype=np.int64) if pinned_fill.size else np.zeros(groups.n_labels, np.int64)
    )
    free_counts = np.bincount(
        groups.labels[_rows(groups, free)], weights=groups.counts[_rows(groups, free)], minlength=groups.n_labels
    )
    totals = totals + free_counts.astype(np.int64)
    targets = target_sizes(n_items, ratios, n_groups, version)
    state = _State(ratios, targets, [max(int(t), 1) for t in totals], n_items)
    for j in range(len(ratios)):
        state.size[j] = int(pinned_sizes[j])
        if ratios[j] > 0:
            state.size_s1 += state.size[j] / ratios[j]
    for label in range(groups.n_labels):
        for j in range(len(ratios)):
            c = int(pinned_fill[label, j]) if pinned_fill.size else 0
            state.fill[label][j] = c
            if ratios[j] > 0:
                state.s1[label] += c / ratios[j]
    out: IntArray = pinned.astype(np.int64, copy=True)
    if not state.active or not len(free):
        return out
    if coverage:
        _coverage(groups, out, state, tiebreak, version)
    order = _greedy_order(groups, [int(g) for g in free if out[g] < 0], state.totals, tiebreak)
    for g in order:
        labels, counts = groups.of(g)
        n = int(groups.sizes[g])
        j = state.choose(n, labels, counts)
        out[g] = j
        state.add(j, n, labels, counts)
    _fill_empty(groups, out, pinned, state, tiebreak, n_groups, version)
    _polish(groups, out, pinned, state, tiebreak)
    if version != "1":
        _refine(groups, out, pinned, state, tiebreak, seed_value)
    if version not in ("1", "2"):
        _fit_sizes(groups, out, pinned, pinned_sizes, state, tiebreak, version)
    return out


def _rows(groups: Groups, rows: IntArray) -> IntArray:
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    starts, ends = groups.indptr[rows], groups.indptr[rows + 1]
    lengths = ends - starts
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return (np.arange(int(lengths.sum())) + offsets).astype(np.int64)


def _greedy_order(groups: Groups, free: list[int], totals: list[int], tiebreak: list[int]) -> list[int]:
    if not free:
        return []
    share = np.zeros(groups.sizes.shape[0], dtype=np.float64)
    if groups.labels.size:
        group_of = np.repeat(np.arange(len(groups.sizes)), np.diff(groups.indptr))
        ratio = groups.counts / np.asarray(totals, dtype=np.float64)[groups.labels]
        np.maximum.at(share, group_of, ratio)
    return sorted(free, key=lambda g: (-float(share[g]), tiebreak[g], g))


def _coverage(groups: Groups, out: IntArray, state: _State, tiebreak: list[int], version: str) -> None:
    k = state.k
    carriers: dict[int, list[int]] = {}
    group_of = np.repeat(np.arange(len(groups.sizes)), np.diff(groups.indptr))
    for g, label in zip(group_of.tolist(), groups.labels.tolist(), strict=True):
        carriers.setdefault(label, []).append(g)
    # a label's group count includes pinned groups: they already carry it somewhere
    rare = sorted((len(gs), label) for label, gs in carriers.items() if 2 <= len(gs) <= COVERAGE_FACTOR * k)
    smallest_first = sorted(state.active, key=lambda j: (state.targets[j], j))
    # every label of fewer groups than splits (of one too) reaches the largest split first, where one is larger than
    # every other (not among folds or equal shares: the last of them by name took every such label)
    largest = len(smallest_first) > 1 and state.targets[smallest_first[-1]] > state.targets[smallest_first[-2]]
    if version not in _BEFORE_5 and largest:
        few = sorted((len(gs), label) for label, gs in carriers.items() if len(gs) < k)
        for _, label in few:  # (before any other split takes them: its carriers were taken for rarer labels' val)
            _give(groups, out, state, tiebreak, label, [g for g in carriers[label] if out[g] < 0], smallest_first[-1])
    for n_carriers, label in rare:
        # too few groups for every split: the largest split is served first, then the smallest ones
        splits = smallest_first if n_carriers >= k else [smallest_first[-1], *smallest_first[:-1]]
        free = [g for g in carriers[label] if out[g] < 0]
        for j in splits:
            _give(groups, out, state, tiebreak, label, free, j)


def _give(
    groups: Groups, out: IntArray, state: _State, tiebreak: list[int], label: int, free: list[int], j: int
) -> None:
    """Give split ``j``, when it lacks ``label``, the free carrier of it that fits (``free`` is sorted for it)."""
    if state.fill[label][j] > 0:
        return
    want = state.ratios[j] * state.totals[label]
    # the group whose count of this label is closest to the split's share of it, then the smallest
    free.sort(key=lambda g: (abs(_count(groups, g, label) - want), int(groups.sizes[g]), tiebreak[g], g))
    for g in free:
        n = int(groups.sizes[g])
        if out[g] < 0 and state.size[j] + n <= state.targets[j]:
            labels, counts = groups.of(g)
            out[g] = j
            state.add(j, n, labels, counts)
            return


def _count(groups: Groups, g: int, label: int) -> int:
    a, b = int(groups.indptr[g]), int(groups.indptr[g + 1])
    at = a + int(np.searchsorted(groups.labels[a:b], label))
    return int(groups.counts[at]) if at < b and groups.labels[at] == label else 0


def _fill_empty(
    groups: Groups, out: IntArray, pinned: IntArray, state: _State, tiebreak: list[int], n_groups: int, version: str
) -> None:
    """A split left empty takes the smallest free group of the fullest split holding two or more.

    From version 5, not a split of a target of 0 (fewer groups than splits: 2 items at 80/10/10 are train 2, val 0,
    test 0, and came out train 1, test 1).
    """
    members: dict[int, list[int]] = {j: [] for j in state.active}
    for g in range(n_groups):
        if pinned[g] < 0 and out[g] >= 0 and groups.sizes[g] > 0:
            members[int(out[g])].append(g)
    for j in state.active:
        if state.size[j] > 0 or (state.targets[j] == 0 and version not in _BEFORE_5):
            continue
        donors = [d for d in state.active if len(members[d]) >= 2]
        if not donors:
            return
        donor = max(donors, key=lambda d: (state.size[d] - state.targets[d], -d))
        g = min(members[donor], key=lambda g: (int(groups.sizes[g]), tiebreak[g], g))
        labels, counts = groups.of(g)
        n = int(groups.sizes[g])
        state.add(donor, -n, labels, [-c for c in counts])
        state.add(j, n, labels, counts)
        members[donor].remove(g)
        members[j].append(g)
        out[g] = j


def _fit_sizes(
    groups: Groups,
    out: IntArray,
    pinned: IntArray,
    pinned_sizes: IntArray,
    state: _State,
    tiebreak: list[int],
    version: str,
) -> None:
    """Version 3, last: re-place the free groups that carry no label so that sizes come closest to their targets.

    The greedy takes them in keyed-hash order, so a large one that comes late can fit nowhere (with
    ``stratify="none"`` that is every group). They change no label's counts; see :mod:`labelkit.split.sizes`.
    """
    free = pinned < 0
    bare = np.flatnonzero(free & (groups.sizes > 0) & (np.diff(groups.indptr) == 0)).tolist()
    if not bare:
        return
    # sizes from ``out`` (the local search does not keep ``state`` up to date)
    size = (pinned_sizes + np.bincount(out[free], weights=groups.sizes[free], minlength=len(state.ratios))).tolist()
    size = [int(x) for x in size]
    bare.sort(key=lambda g: (tiebreak[g], g))
    n = [int(groups.sizes[g]) for g in bare]
    where = [int(out[g]) for g in bare]
    base = list(size)
    for m, j in zip(n, where, strict=True):
        base[j] -= m
    total = sum(size)
    problem = sizes.Sizes(
        base,
        list(state.targets),
        [r * total for r in state.ratios],
        list(state.active),
        sum(size[j] > 0 for j in state.active),
    )
    found = sizes.fit(problem, n, where, worst_first=version not in _BEFORE_5)
    if found is not None:
        out[bare] = found


def _polish(groups: Groups, out: IntArray, pinned: IntArray, state: _State, tiebreak: list[int]) -> None:
    """Move free groups, smallest first, while a move lowers LD and keeps sizes within tolerance.

    LD is evaluated exactly for the two splits a move touches (their sizes change every label's ratio). A move
    never takes a label's last item out of a split.
    """
    slack = int(POLISH_TOLERANCE * state.n_items)
    active = state.active
    if slack < 1 or not groups.n_labels or len(active) < 2:
        return
    totals = np.asarray(state.totals, dtype=np.float64)
    n_all = float(state.n_items)
    whole = totals / np.maximum(n_all - totals, 1.0)
    fill = np.asarray(state.fill, dtype=np.float64)  # labels x splits
    size = np.asarray(state.size, dtype=np.float64)

    def column(j: int, c: FloatArray, n: float) -> float:
        return float(np.abs(c / np.maximum(n - c, 1.0) - whole).sum())

    cost = {j: column(j, fill[:, j], size[j]) for j in active}
    free = [g for g in np.flatnonzero(pinned < 0).tolist() if 0 < groups.sizes[g] <= slack]
    free.sort(key=lambda g: (int(groups.sizes[g]), tiebreak[g], g))
    del free[POLISH_BUDGET:]
    for _ in range(POLISH_PASSES):
        moved = 0
        for g in free:
            n = float(groups.sizes[g])
            p = int(out[g])
            a, b = int(groups.indptr[g]), int(groups.indptr[g + 1])
            idx, cnt = groups.labels[a:b], groups.counts[a:b].astype(np.float64)
            if np.any(fill[idx, p] == cnt):
                continue  # it holds the last items of a label in p
            new_p = fill[:, p].copy()
            new_p[idx] -= cnt
            cost_p = column(p, new_p, size[p] - n)
            best, best_delta, best_cost = -1, -1e-12, 0.0
            for q in active:
                if q == p or size[q] + n > state.targets[q] + slack or size[p] - n < max(state.targets[p] - slack, 1):
                    continue
                new_q = fill[:, q].copy()
                new_q[idx] += cnt
                cost_q = column(q, new_q, size[q] + n)
                delta = cost_p + cost_q - cost[p] - cost[q]
                if delta < best_delta:
                    best, best_delta, best_cost = q, delta, cost_q
            if best >= 0:
                fill[idx, p] -= cnt
                fill[idx, best] += cnt
                size[p] -= n
                size[best] += n
                cost[p], cost[best] = cost_p, best_cost
                labels, counts = groups.of(g)
                state.add(p, -int(n), labels, [-c for c in counts])
                state.add(best, int(n), labels, counts)
                out[g] = best
                moved += 1
        if not moved:
            return


def _refine(groups: Groups, out: IntArray, pinned: IntArray, state: _State, tiebreak: list[int], seed: int) -> None:
    """Version 2: local search on LD over the free groups (moves, swaps, kicks; see :mod:`labelkit.split.refine`)."""
    active = state.active
    fill_all = np.asarray(state.fill, dtype=np.float64).reshape(len(state.totals), len(state.ratios))
    present = np.flatnonzero(fill_all.sum(axis=1) > 0)
    free = [g for g in np.flatnonzero(pinned < 0).tolist() if groups.sizes[g] > 0]
    if len(active) < 2 or not len(present) or len(free) < 2:
        return
    free.sort(key=lambda g: (tiebreak[g], g))
    del free[max(2, REFINE_DENSE // len(present)) :]
    rows = np.asarray(free, dtype=np.int64)
    column = np.full(groups.n_labels, -1, dtype=np.int64)
    column[present] = np.arange(len(present))
    cells = _rows(groups, rows)
    row_of = np.repeat(np.arange(len(rows)), (groups.indptr[rows + 1] - groups.indptr[rows]))
    keep = column[groups.labels[cells]] >= 0
    x = np.zeros((len(rows), len(present)), dtype=np.float64)
    x[row_of[keep], column[groups.labels[cells][keep]]] = groups.counts[cells][keep]
    at = {j: i for i, j in enumerate(active)}
    n_items = float(state.n_items)
    totals = fill_all[present].sum(axis=1)
    s = refine.Search(
        x,
        groups.sizes[rows].astype(np.float64),
        np.asarray([at[int(out[g])] for g in free], dtype=np.int64),
        fill_all[present][:, active],
        np.asarray([state.size[j] for j in active], dtype=np.float64),
        totals / n_items,
        totals / np.maximum(n_items - totals, 1.0),
        np.asarray([state.targets[j] for j in active], dtype=np.float64),
        float(int(POLISH_TOLERANCE * state.n_items)),
    )
    budget = min(REFINE_CAP, max(REFINE_FLOOR, REFINE_PER_ITEM * state.n_items))
    result = refine.search(s, seed, budget)
    out[rows] = np.asarray(active, dtype=np.int64)[result]


def hashed(units: FloatArray, ratios: list[float], pinned: IntArray) -> IntArray:
    """The ``hash`` method: each free group goes to the split whose cumulative ratio interval holds its unit hash.

    Args:
        units: keyed hash of each group key in [0, 1).
        ratios: share per split (sorted-name order).
        pinned: split index per group, -1 when free.
    """
    edges = np.cumsum(np.asarray(ratios, dtype=np.float64))
    last = max(j for j, r in enumerate(ratios) if r > 0)
    choice = np.searchsorted(edges, units, side="right")
    choice = np.minimum(choice, last).astype(np.int64)
    out: IntArray = np.where(pinned >= 0, pinned, choice).astype(np.int64)
    return out
