"""Local search on LD (Sechidis 2011) over the free groups: moves, swaps and kicks, within a fixed budget.

LD is the mean over labels and splits of ``|c / (s - c) - w|``, ``w = d / (n - d)`` (``c`` items of the label in
a split of ``s`` items, ``d`` of ``n`` in the whole dataset). With ``p = d / n`` one term is
``|c - p s| / ((s - c)(1 - p))``: a weighted distance of the split's count from its proportional share. Candidates
are screened with the weights of the current state held fixed (``u = 1 / ((s - c)(1 - p))``, so a candidate costs
an addition, an absolute value and a dot product per label), many at once; the best ones are then checked with
the exact LD before anything changes.

A step takes free groups of split ``p`` and evaluates, at once, moving each to split ``q`` and swapping it with
each free group of ``q`` (swaps only from the larger split of the two, so each pair is seen once); the best change
that lowers the exact LD is applied. A change keeps each split it touches within ``slack`` items of its target (or
no further than it already is), never empties it and never takes a label's last item out of it. Passes run until
none improves. Then, while the budget lasts, a kick (a swap of a group and a partner picked by a seeded sequence)
is followed by another descent; the new state is kept when LD went down, else the best one is restored (iterated
local search).

The result is a pure function of the arrays and the seed: the budget counts evaluated numbers, never seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BLOCK = 200_000
"""Numbers per screening block (groups x partners x labels)."""

WINDOW = 256
"""Swap partners looked at per block in one split (a window that moves along the split's groups)."""

_MASK64 = (1 << 64) - 1


class Sequence:
    """SplitMix64: a small seeded generator whose stream is fixed by this code, not by a library's version."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK64

    def next(self) -> int:
        """The next 64-bit number."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A number in ``range(n)``."""
        return self.next() % n


class Search:
    """The state of the search over the free groups.

    Args:
        x: label counts of the searched groups (groups x labels, only labels that occur in the dataset).
        n: item counts of the searched groups.
        split: split of each searched group (a column of ``fill``).
        fill: label counts per split of every group, searched or not (labels x splits).
        size: items per split.
        share: ``d / n`` per label over the whole dataset.
        whole: ``d / (n - d)`` per label, as LD has it (``d / 1`` for a label on every item).
        targets: target items per split.
        slack: how far from its target a change may leave a split.
    """

    def __init__(
        self,
        x: FloatArray,
        n: FloatArray,
        split: IntArray,
        fill: FloatArray,
        size: FloatArray,
        share: FloatArray,
        whole: FloatArray,
        targets: FloatArray,
        slack: float,
    ) -> None:
        self.x = x
        self.n = n
        # a group's counts beyond its proportional share; screening runs in float32 (exact checks in float64)
        self.excess = (x - np.outer(n, share)).astype(np.float32)
        self.split: IntArray = split.copy()
        self.fill: FloatArray = fill.copy()
        self.size: FloatArray = size.copy()
        self.share = share
        self.whole = whole
        self.rest = np.maximum(1.0 - share, 1e-12)
        self.targets = targets
        self.slack = slack
        self.k = fill.shape[1]
        self.evaluated = 0
        self.window_at = 0
        self._refresh()

    def _refresh(self) -> None:
        self.error = (self.fill - np.outer(self.share, self.size)).astype(np.float32)  # labels x splits
        self.weight = (1.0 / (np.maximum(self.size[None, :] - self.fill, 1.0) * self.rest[:, None])).astype(np.float32)
        self.cost = np.array([self._exact(self.fill[:, j], float(self.size[j])) for j in range(self.k)])
        self.base = (np.abs(self.error) * self.weight).sum(axis=0, dtype=np.float64)

    def _exact(self, c: FloatArray, s: float) -> float:
        return float(np.abs(c / np.maximum(s - c, 1.0) - self.whole).sum())

    def total(self) -> float:
        """The LD sum (LD times labels times splits)."""
        return float(self.cost.sum())

    def _size_ok(self, j: int, s: FloatArray) -> BoolArray:
        t = self.targets[j]
        limit = max(self.slack, abs(float(self.size[j]) - t))
        out: BoolArray = (np.abs(s - t) <= limit) & (s >= 1)
        return out

    def _partners(self, q: int) -> IntArray:
        members = np.flatnonzero(self.split == q)
        if len(members) <= WINDOW:
            return members
        start = self.window_at % len(members)
        self.window_at += WINDOW
        return np.roll(members, -start)[:WINDOW]

    def screen(self, gs: IntArray, p: int, q: int, swaps: bool) -> tuple[FloatArray, IntArray]:
        """Estimated changes of the LD sum for ``gs`` (all in ``p``) moving to ``q`` or swapping with its groups.

        Returns:
            The estimates (groups x (1 + partners), ``inf`` where sizes forbid it) and the partners (-1: a move).
        """
        partners = self._partners(q) if swaps else np.zeros(0, np.int64)
        labels = self.x.shape[1]
        ex_h = np.concatenate((np.zeros((1, labels), np.float32), self.excess[partners]))
        n_h = np.concatenate(([0.0], self.n[partners]))
        ex_g = self.excess[gs]
        # elementwise products and NumPy sums, not BLAS (whose order of additions depends on the machine)
        t = (self.error[:, p] - ex_g)[:, None, :] + ex_h[None, :, :]
        np.abs(t, out=t)
        t *= self.weight[:, p]
        cost = t.sum(axis=2)
        t = (self.error[:, q] + ex_g)[:, None, :] - ex_h[None, :, :]
        np.abs(t, out=t)
        t *= self.weight[:, q]
        cost += t.sum(axis=2)
        self.evaluated += 2 * t.size
        dn = n_h[None, :] - self.n[gs][:, None]
        ok = self._size_ok(p, self.size[p] + dn) & self._size_ok(q, self.size[q] - dn)
        delta = np.where(ok, cost.astype(np.float64) - self.base[p] - self.base[q], np.inf)
        return delta, np.concatenate(([-1], partners)).astype(np.int64)

    def exact_delta(self, g: int, h: int, q: int) -> float:
        """The exact change of the LD sum if ``g`` moves to ``q`` (``h < 0``) or swaps with ``h``.

        It is ``inf`` when the change would take a label's last item out of a split.
        """
        p = int(self.split[g])
        d = -self.x[g] if h < 0 else self.x[h] - self.x[g]
        dn = -float(self.n[g]) if h < 0 else float(self.n[h] - self.n[g])
        fp, fq = self.fill[:, p], self.fill[:, q]
        if ((fp + d <= 0) & (fp > 0)).any() or ((fq - d <= 0) & (fq > 0)).any():
            return float("inf")
        new = self._exact(fp + d, float(self.size[p]) + dn) + self._exact(fq - d, float(self.size[q]) - dn)
        return new - float(self.cost[p] + self.cost[q])

    def apply(self, g: int, h: int, q: int) -> None:
        """Move ``g`` to ``q`` (``h < 0``) or swap it with ``h``."""
        p = int(self.split[g])
        d = -self.x[g] if h < 0 else self.x[h] - self.x[g]
        dn = -float(self.n[g]) if h < 0 else float(self.n[h] - self.n[g])
        if h >= 0:
            self.split[h] = p
        self.split[g] = q
        self.fill[:, p] += d
        self.fill[:, q] -= d
        self.size[p] += dn
        self.size[q] -= dn
        self._refresh()

    def _improve(self, delta: FloatArray, partners: IntArray, gs: IntArray, q: int) -> bool:
        if not delta.size or not delta.min() < 0:
            return False
        flat_delta = delta.ravel()
        order = np.flatnonzero(flat_delta < 0)
        order = order[np.argsort(flat_delta[order], kind="stable")]
        for flat in order[:8].tolist():
            b, i = divmod(int(flat), delta.shape[1])
            if not delta[b, i] < 0:
                return False
            g, h = int(gs[b]), int(partners[i])
            if self.exact_delta(g, h, q) < -1e-12:
                self.apply(g, h, q)
                return True
        return False

    def descend(self, budget: float) -> None:
        """Passes over every (split, other split) pair, block by block, until none improves or the budget is spent."""
        labels = max(self.x.shape[1], 1)
        while True:
            changed = 0
            for p in range(self.k):
                if not (self.split == p).any():  # (nothing leaves an empty split: its k - 1 pairs cost ~0.1 ms each)
                    continue
                for q in range(self.k):
                    if q == p:
                        continue
                    swaps = bool(self.targets[q] <= self.targets[p])
                    members = np.flatnonzero(self.split == p)
                    width = 1 + (min(int((self.split == q).sum()), WINDOW) if swaps else 0)
                    step = max(1, BLOCK // (width * labels))
                    at = 0
                    while at < len(members):
                        if self.evaluated >= budget:
                            return
                        gs = members[at : at + step]
                        gs = gs[self.split[gs] == p]
                        if len(gs):
                            delta, partners = self.screen(gs, p, q, swaps)
                            if self._improve(delta, partners, gs, q):
                                changed += 1
                                continue  # the same block again, from the new state
                        at += step
            if not changed:
                return

    def kick(self, rng: Sequence) -> bool:
        """Swap a group with a partner in another split, both picked by ``rng``, if sizes and labels allow."""
        m = len(self.split)
        g = rng.below(m)
        p = int(self.split[g])
        q = (p + 1 + rng.below(self.k - 1)) % self.k
        members = np.flatnonzero(self.split == q)
        if not len(members):
            return False
        dn = self.n[members] - self.n[g]
        ok = members[self._size_ok(p, self.size[p] + dn) & self._size_ok(q, self.size[q] - dn)]
        if not len(ok):
            return False
        h = int(ok[rng.below(len(ok))])
        if self.exact_delta(g, h, q) == float("inf"):
            return False
        self.apply(g, h, q)
        return True

    def snapshot(self) -> tuple[IntArray, FloatArray, FloatArray]:
        """The state, to :meth:`restore` later."""
        return self.split.copy(), self.fill.copy(), self.size.copy()

    def restore(self, state: tuple[IntArray, FloatArray, FloatArray]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.split, self.fill, self.size = state[0].copy(), state[1].copy(), state[2].copy()
        self._refresh()


def search(s: Search, seed: int, budget: float) -> IntArray:
    """Descend, then kick and descend again while the budget lasts, keeping the best state; returns the splits."""
    s.descend(budget)
    if len(s.split) < 2 or s.k < 2:
        return s.split
    best, best_total = s.snapshot(), s.total()
    rng = Sequence(seed)
    tries = 0
    while s.evaluated < budget and tries < 4 * len(s.split):
        tries += 1
        if not s.kick(rng):
            continue
        s.descend(budget)
        if s.total() < best_total - 1e-12:
            best, best_total = s.snapshot(), s.total()
        else:
            s.restore(best)
    s.restore(best)
    return s.split
