"""Version 3, last step: bring split sizes to their targets by re-placing the free groups that carry no label.

With ``stratify="none"`` every free group is such a group, and sizes are the only goal; with labels, the groups
that carry none (unlabeled items, or items without the attribute of ``attr:NAME``) can move without changing
any label's counts (split sizes, and so LD, do change). The greedy places them in keyed-hash order, so a large
group that comes late may fit nowhere, and nothing after it aims at sizes; this pass repairs that. It runs after
the local search on LD, so its result is never further from the targets than that search left it.

A vector of split sizes is scored by its distance in items from the integer targets (summed over splits), then
by ED's sum (the distance from ``ratio * total``): the targets first, so that sizes meet them whenever the groups
allow, and ED among the vectors equally close. No fewer splits hold items than before (the greedy leaves
every split with a share non-empty when there are groups enough, else each group alone in a split).

When the reachable size vectors fit in ``EXACT_BUDGET`` cells (a dynamic programme over the movable groups,
one axis per split but the one that needs most items), the best vector is found exactly. Otherwise the splits
take, smallest need first, the groups whose sum is closest to their need (a subset sum), when that beats the
current placement, and a local search then moves one group or swaps two (by size class) while that improves
the score: not always the best vector, never a worse one. The current placement is kept unless a strictly
better one is found, and the groups that can stay where they are do.
"""

from __future__ import annotations

import numpy as np

EXACT_BUDGET = 20_000_000
"""The exact search stores this many cells at most (size vectors x movable groups, one byte each)."""

SUBSET_BUDGET = 200_000_000
"""A split's subset sum (outside the exact search) takes this many bits at most (pieces x sums)."""

SEARCH_PER_ITEM = 20
"""The local search may evaluate this many moves and swaps per movable item (a count, never a clock) ..."""

SEARCH_FLOOR = 200_000
"""... and at least this many ..."""

SEARCH_CAP = 2_000_000
"""... and at most this many (about 2 s)."""

Key = tuple[int, float]


class Sizes:
    """The fixed part of the problem: items per split outside the movable groups, targets and ideal sizes.

    Args:
        base: items per split that do not move (pinned groups, groups that carry labels).
        targets: target items per split.
        ideal: ``ratio * total`` per split.
        active: the splits with a share (movable groups go only there).
        least: how many splits with a share must hold items, at least.
    """

    def __init__(self, base: list[int], targets: list[int], ideal: list[float], active: list[int], least: int):
        self.base = base
        self.targets = targets
        self.ideal = ideal
        self.active = active
        self.least = least

    def key(self, size: list[int]) -> Key:
        """The score of a size vector (lower is better)."""
        d = sum(abs(s - t) for s, t in zip(size, self.targets, strict=True))
        ed = sum(abs(size[j] - self.ideal[j]) for j in self.active)
        return d, round(ed, 9)

    def allowed(self, size: list[int]) -> bool:
        """Whether enough splits hold items."""
        return sum(size[j] > 0 for j in self.active) >= self.least


def fit(problem: Sizes, n: list[int], where: list[int], worst_first: bool = True) -> list[int] | None:
    """A better placement of the movable groups, or None when the current one is as good as any found.

    Args:
        problem: the fixed part.
        n: items of each movable group (in the order that breaks ties: keyed hash).
        where: current split of each movable group.
        worst_first: the local search takes the splits furthest from their targets first (version 5); versions 3
            and 4 took them in name order, so its budget could end before the furthest (200 folds: ``fold-99``,
            last, kept 28 items for a target of 15 where moving one group out brought it and another closer).

    Returns:
        The new split of each movable group, or None.
    """
    if len(problem.active) < 2 or not n:
        return None
    current = _totals(problem, n, where)
    last, caps = _axes(problem, n)
    cells = len(n) + 1
    for c in caps.values():
        cells = min(cells * (c + 1), EXACT_BUDGET + 1)
    found: list[int] | None
    if cells <= EXACT_BUDGET:
        found = _exact(problem, n, where, last, caps)
    else:
        start = where
        greedy = _one_by_one(problem, n, where)
        if greedy is not None:
            size = _totals(problem, n, greedy)
            if problem.allowed(size) and problem.key(size) < problem.key(current):
                start = greedy
        found = _search(problem, n, start, worst_first)
    if found is None or not problem.key(_totals(problem, n, found)) < problem.key(current):
        return None
    return found


def _totals(problem: Sizes, n: list[int], where: list[int]) -> list[int]:
    size = list(problem.base)
    for m, j in zip(n, where, strict=True):
        size[j] += m
    return size


def _axes(problem: Sizes, n: list[int]) -> tuple[int, dict[int, int]]:
    """The split left off the exact search's axes (the one that needs most items), and a bound for the others.

    Some best vector adds at most ``need + largest group + gap + 2`` items to each of the others (``gap``: how far
    the target is from ``ratio * total``): a split more than a group's size above both gets closer to both, by
    exactly that size, by giving that group to the split left off, which gets no further by more than the size.
    """
    need = {j: max(problem.targets[j] - problem.base[j], 0) for j in problem.active}
    last = max(problem.active, key=lambda j: (need[j], -j))
    total, largest = sum(n), max(n)
    caps = {}
    for j in problem.active:
        if j != last:
            gap = int(abs(problem.targets[j] - problem.ideal[j]))
            caps[j] = min(total, need[j] + largest + gap + 2)
    return last, caps


def _exact(problem: Sizes, n: list[int], where: list[int], last: int, caps: dict[int, int]) -> list[int] | None:
    """Every reachable size vector, then the best one, then the placement that leaves most groups in place."""
    active = problem.active
    axes = sorted(caps)
    total = sum(n)
    shape = tuple(caps[j] + 1 for j in axes)
    reach = [np.zeros(shape, dtype=np.bool_)]
    reach[0][(0,) * len(axes)] = True
    for m in n:
        prev = reach[-1]
        new = prev.copy()
        for a, j in enumerate(axes):  # (m <= caps[j]: a cap is at least the largest group and at most the total)
            dst = [slice(None)] * len(axes)
            src = [slice(None)] * len(axes)
            dst[a] = slice(m, None)
            src[a] = slice(None, caps[j] + 1 - m)
            new[tuple(dst)] |= prev[tuple(src)]
        reach.append(new)
    cells = np.nonzero(reach[-1])
    count = len(cells[0])
    size = np.tile(np.asarray(problem.base, dtype=np.int64)[:, None], (1, count))
    for a, j in enumerate(axes):
        size[j] += cells[a]
    size[last] += total - np.sum(cells, axis=0)
    distance = np.abs(size - np.asarray(problem.targets, dtype=np.int64)[:, None]).sum(axis=0)
    ed = np.zeros(count, dtype=np.float64)
    for j in active:
        ed += np.abs(size[j] - problem.ideal[j])
    ok = (size[active] > 0).sum(axis=0) >= problem.least
    if not ok.any():
        return None
    candidates = np.flatnonzero(ok)
    pick = candidates[np.lexsort((candidates, np.round(ed[candidates], 9), distance[candidates]))[0]]
    best = [int(c[pick]) for c in cells]
    # walk back from the best vector, keeping each group in its split when the rest can still reach the vector
    state = best
    out = [0] * len(n)
    for i in range(len(n) - 1, -1, -1):
        prev = reach[i]
        m = n[i]
        options = sorted(active, key=lambda j: (j != where[i], j))
        for j in options:
            if j == last:
                if prev[tuple(state)]:
                    out[i] = j
                    break
            else:
                a = axes.index(j)
                if state[a] >= m:
                    state[a] -= m
                    if prev[tuple(state)]:
                        out[i] = j
                        break
                    state[a] += m
        else:  # pragma: no cover - the vector was reached, so some split works
            raise AssertionError("size vector not reachable")
    return out


def _one_by_one(problem: Sizes, n: list[int], where: list[int]) -> list[int] | None:
    """Splits take the groups left whose sum is closest to their need, smallest need first; the last takes the rest.

    A subset sum over size classes (a class of ``c`` groups is cut into pieces of 1, 2, 4, ... groups), on Python
    integers as bit sets; None when a split's would take more than ``SUBSET_BUDGET`` bits. Within a class, the
    groups already in the split are taken first.
    """
    active = problem.active
    need = {j: max(problem.targets[j] - problem.base[j], 0) for j in active}
    order = sorted(active, key=lambda j: (need[j], j))
    out = [-1] * len(n)
    classes: dict[int, list[int]] = {}
    for i, m in enumerate(n):
        classes.setdefault(m, []).append(i)
    for j in order[:-1]:
        want = need[j]
        pieces: list[tuple[int, int]] = []  # (items per group, groups)
        for m in sorted(classes):
            left, step = len(classes[m]), 1
            while left:
                take = min(step, left)
                pieces.append((m, take))
                left -= take
                step *= 2
        # a sum more than the largest group above the need has a smaller one closer to it, as has one beyond twice it
        limit = want + min(want, max(classes, default=0))
        if len(pieces) * (limit + 1) > SUBSET_BUDGET:
            return None
        mask = (1 << (limit + 1)) - 1
        reach = [1]
        for m, c in pieces:
            reach.append((reach[-1] | (reach[-1] << (m * c))) & mask)
        # the closest sums are the largest reachable one up to the need (0 is) and the smallest from it, if any: each
        # found in one pass over the bits (testing every sum, one shift each, was quadratic in the need)
        sums = [(reach[-1] & ((1 << (want + 1)) - 1)).bit_length() - 1]
        if above := reach[-1] >> want:
            sums.append(want + (above & -above).bit_length() - 1)
        total = min(sums, key=lambda x: (abs(x - want), abs(problem.base[j] + x - problem.ideal[j]), x))
        taken: dict[int, int] = {}
        for (m, c), before in zip(reversed(pieces), reversed(reach[:-1]), strict=True):
            if not before >> total & 1:
                total -= m * c
                taken[m] = taken.get(m, 0) + c
        for m, c in taken.items():
            members = sorted(classes[m], key=lambda i: (where[i] != j, i))
            for i in members[:c]:
                out[i] = j
            classes[m] = [i for i in classes[m] if out[i] < 0]
            if not classes[m]:
                del classes[m]
    for i in range(len(n)):
        if out[i] < 0:
            out[i] = order[-1]
    return out


def _search(problem: Sizes, n: list[int], where: list[int], worst_first: bool) -> list[int]:
    """Passes over size classes: a group of the class moves, or swaps with one of another class, as is best.

    A class's best change is made when it improves the score; the passes end when one changes nothing. With
    ``worst_first`` (version 5) each pass takes the splits furthest from their targets first, and the passes look
    first at the changes that can bring the sizes closer to the targets alone (between a split above its target and
    one below it), then at all: in split order, each class weighing every other split, the budget ran out before the
    last splits (``fold-99`` of 200) were looked at.

    A candidate is scored from the two splits it changes; ``SEARCH_PER_ITEM`` candidates per item in all (within
    ``SEARCH_FLOOR`` and ``SEARCH_CAP``).
    """
    budget = min(SEARCH_CAP, max(SEARCH_FLOOR, SEARCH_PER_ITEM * sum(n)))
    out = list(where)
    size = _totals(problem, n, out)
    t, e = problem.targets, problem.ideal
    # members[(split, items)]: movable groups of that size in that split, in tie-break order
    members: dict[tuple[int, int], list[int]] = {}
    for i, (m, j) in enumerate(zip(n, out, strict=True)):
        members.setdefault((j, m), []).append(i)
    classes: dict[int, list[int]] = {j: [] for j in problem.active}  # sizes present in each split
    for j, m in sorted(members):
        classes[j].append(m)
    evaluated = 0
    for closer_only in (True, False) if worst_first else (False,):
        improved = True
        while improved and evaluated < budget:
            improved = False
            far = {j: -abs(size[j] - t[j]) for j in problem.active} if worst_first else {}
            for p, a in sorted(members, key=lambda pa: (far.get(pa[0], 0), pa)):
                if (p, a) not in members or evaluated >= budget:
                    continue
                if closer_only and size[p] == t[p]:
                    continue  # (a split at its target only moves away from it)
                d, ed = problem.key(size)
                filled = sum(size[j] > 0 for j in problem.active)
                best: tuple[Key, int, int] | None = None  # key, partner (-1: a move), to split
                for q in problem.active:
                    if q == p or (closer_only and (size[q] - t[q]) * (size[p] - t[p]) >= 0):
                        continue
                    sp, sq = size[p], size[q]
                    d0 = d - abs(sp - t[p]) - abs(sq - t[q])
                    ed0 = ed - abs(sp - e[p]) - abs(sq - e[q])
                    f0 = filled - (sp > 0) - (sq > 0)
                    for b in [0, *classes[q]]:
                        evaluated += 1
                        np_, nq = sp + b - a, sq + a - b
                        if f0 + (np_ > 0) + (nq > 0) < problem.least:
                            continue
                        key = (
                            d0 + abs(np_ - t[p]) + abs(nq - t[q]),
                            round(ed0 + abs(np_ - e[p]) + abs(nq - e[q]), 9),
                        )
                        if key < (d, ed) and (best is None or key < best[0]):
                            best = key, members[(q, b)][0] if b else -1, q
                if best is None:
                    continue
                improved = True
                _, h, q = best
                g = members[(p, a)][0]
                for i, to in ((g, q), (h, p)) if h >= 0 else ((g, q),):
                    frm = out[i]
                    members[(frm, n[i])].remove(i)
                    if not members[(frm, n[i])]:
                        del members[(frm, n[i])]
                    members.setdefault((to, n[i]), []).append(i)
                    members[(to, n[i])].sort()
                    size[frm] -= n[i]
                    size[to] += n[i]
                    out[i] = to
                for j in (p, q):
                    classes[j] = sorted(m for (x, m) in members if x == j)
    return out
