"""The split quality report: sizes against targets, label distribution (LD, ED), coverage, leaks, moves.

LD and ED are the measures of Sechidis, Tsoumakas and Vlahavas, "On the stratification of multi-label data"
(ECML PKDD 2011): LD is the mean over labels of the mean over splits of
``|S_j^l / (|S_j| - S_j^l) - D^l / (|D| - D^l)|`` (how far each split's positive:negative ratio of a label is
from the whole dataset's; a zero denominator counts as 1); ED is the mean over splits of
``| |S_j| - ratio_j * |D| |`` in items. Lower is better for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from labelkit.split.lockfile import Lockfile, json_seed

IntArray = npt.NDArray[np.int64]


@dataclass
class SplitStats:
    """One split's numbers.

    Attributes:
        name: the split.
        ratio: its requested share.
        target: its target item count (largest-remainder rounding).
        items: items placed in it.
        groups: groups with items in it.
        unlabeled: items in it without any stratification label.
        annotations: annotations per kind of its items.
    """

    name: str
    ratio: float
    target: int
    items: int
    groups: int
    unlabeled: int
    annotations: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return dict(vars(self))


@dataclass
class LabelStats:
    """One stratification label's spread.

    Attributes:
        name: the label (category name, or attribute value).
        items: items carrying it.
        groups: groups holding such items.
        per_split: items carrying it in each split.
    """

    name: str
    items: int
    groups: int
    per_split: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return dict(vars(self))


@dataclass
class SplitReport:
    """What a split did and how good it is.

    Attributes:
        version: the algorithm version.
        method: ``balanced`` or ``hash``.
        seed: the seed.
        stratify: what was balanced (``labels``, ``none``, ``attr:NAME``).
        splits: per split numbers, in sorted-name order.
        labels: per label numbers, rarest first.
        ld: label distribution measure (lower is better; 0 is perfect).
        ed: examples distribution measure, in items.
        missing: (label, split) pairs where a label found in at least as many groups as there are splits has no
            item in a split that has a share.
        group_leaks: groups whose items are in more than one split (0 unless pins conflict).
        moved: items of the previous lockfile whose split changed (0 by construction).
        locked: items pinned by the lockfile.
        kept: items whose existing split was kept (``keep_existing``).
        placed: items placed by this run.
        warnings: what the user should look at.
        lockfile: the new assignment, ready to write.
    """

    version: str
    method: str
    seed: int | str
    stratify: str
    splits: list[SplitStats]
    labels: list[LabelStats]
    ld: float
    ed: float
    missing: list[tuple[str, str]]
    group_leaks: int
    moved: int
    locked: int
    kept: int
    placed: int
    warnings: list[str]
    lockfile: Lockfile

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the lockfile's assignments are left out)."""
        return {
            "version": self.version,
            "method": self.method,
            "seed": json_seed(self.seed),
            "stratify": self.stratify,
            "splits": [s.to_dict() for s in self.splits],
            "ld": self.ld,
            "ed": self.ed,
            "group_leaks": self.group_leaks,
            "moved": self.moved,
            "locked": self.locked,
            "kept": self.kept,
            "placed": self.placed,
            "missing": [{"label": lab, "split": s} for lab, s in self.missing],
            "labels": [lab.to_dict() for lab in self.labels],
            "warnings": self.warnings,
        }

    def lines(self, max_labels: int = 40) -> list[str]:
        """The report as a table for a terminal; at most ``max_labels`` label rows (the rarest)."""
        kinds = sorted({k for s in self.splits for k in s.annotations})
        head = ["split", "ratio", "target", "items", "groups", "unlabeled", *kinds]
        rows = [
            [s.name, f"{s.ratio:g}", f"{s.target:,}", f"{s.items:,}", f"{s.groups:,}", f"{s.unlabeled:,}"]
            + [f"{s.annotations.get(k, 0):,}" for k in kinds]
            for s in self.splits
        ]
        out = _table(head, rows)
        out.append(
            f"method {self.method} (v{self.version}), seed {self.seed}, stratify {self.stratify}: "
            f"LD {self.ld:.3g}, ED {self.ed:.1f} items, group leaks {self.group_leaks}"
        )
        out.append(
            f"placed {self.placed:,} items; kept {self.kept:,} existing; {self.locked:,} from the lockfile, "
            f"moved {self.moved:,}"
        )
        if self.labels:
            names = [s.name for s in self.splits]
            shown = self.labels[:max_labels]
            head = ["label", "items", "groups", *names]
            total = {s.name: s for s in self.splits}
            rows = []
            for lab in shown:
                cells = []
                for n in names:
                    c = lab.per_split.get(n, 0)
                    share = c / lab.items if lab.items else 0.0
                    cells.append(f"{c:,} ({share:.0%})" if total[n].ratio > 0 else f"{c:,}")
                rows.append([lab.name, f"{lab.items:,}", f"{lab.groups:,}", *cells])
            out += _table(head, rows)
            if len(self.labels) > len(shown):
                out.append(f"({len(self.labels) - len(shown)} more labels; --report FILE lists all)")
        for label, where in self.missing:
            out.append(f"missing: label {label!r} has no item in {where}")
        out += [f"warning: {w}" for w in self.warnings]
        return out


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = [f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths)]
    return ["  ".join(f.format(c) for f, c in zip(fmt, row, strict=True)).rstrip() for row in [head, *rows]]


def label_distribution(
    item_split: IntArray, pair_item: IntArray, pair_label: IntArray, n_labels: int, n_splits: int, active: list[int]
) -> tuple[npt.NDArray[np.int64], float]:
    """Per (label, split) item counts and LD over the splits in ``active``.

    Returns:
        counts (labels x splits) and LD (0.0 with no labels; a label every item carries adds 0).
    """
    sizes = np.bincount(item_split, minlength=n_splits).astype(np.float64)
    counts = np.zeros((n_labels, n_splits), dtype=np.int64)
    if len(pair_item):
        np.add.at(counts, (pair_label, item_split[pair_item]), 1)
    if not active:
        return counts, 0.0
    # the whole dataset is the splits' in ``active``: items pinned in a split of a share of 0 are left out, as that
    # split is (they were counted in its size but not its labels, so a label every other item carried added to LD)
    present = counts[:, active].sum(axis=1) > 0
    if not present.any():
        return counts, 0.0
    c = counts[present][:, active].astype(np.float64)
    d = c.sum(axis=1)
    n = float(sizes[active].sum())
    whole = d / np.maximum(n - d, 1.0)
    part = c / np.maximum(sizes[active][None, :] - c, 1.0)
    gap = np.abs(part - whole[:, None])
    # a label every item carries has no negatives in any split: spread as well as can be (its ratio, over 0 on both
    # sides, was taken over 1: LD counted items per split, n/2 for one such label over two equal splits)
    gap[d == n] = 0.0
    return counts, float(gap.mean())


def examples_distribution(sizes: list[int], ratios: list[float], active: list[int]) -> float:
    """ED: mean over splits of the distance in items between a split's size and ``ratio * total``."""
    n = sum(sizes)
    if not active:
        return 0.0
    return float(np.mean([abs(sizes[j] - ratios[j] * n) for j in active]))
