"""Benchmark labelkit split against iterative-stratification and scikit-learn on a seeded synthetic dataset.

The data (default 100k items, 80 labels with a Zipf-like skew, 5k groups of log-normal size, 1-6 labels per
item, ~1.2% unlabeled) is generated with a local seeded generator, so every run sees the same dataset. Each
method runs in its own subprocess (so its peak RSS is its own), several times; the table shows the median time.

Peers (not labelkit dependencies): ``pip install -r bench/requirements-split.txt``.

Usage::

    python bench/split.py                       # 100k items, all methods, 3 runs each
    python bench/split.py --items 1000000 --groups 50000 --runs 1 --no-peers
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

RATIOS = {"train": 0.8, "val": 0.1, "test": 0.1}
SPLITS = ["train", "val", "test"]


# -- data ---------------------------------------------------------------------------------------------


def generate(n_items: int, n_labels: int, n_groups: int, seed: int = 0, skew: float = 2.2) -> dict[str, np.ndarray]:
    """Items with groups and multi-label sets: returns item_group, pair_item, pair_label (distinct pairs)."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.7, n_groups)
    exact = weights / weights.sum() * (n_items - n_groups)
    sizes = np.floor(exact).astype(np.int64) + 1
    left = n_items - int(sizes.sum())
    sizes[np.argsort(-(exact - np.floor(exact)), kind="stable")[:left]] += 1
    item_group = np.repeat(np.arange(n_groups), sizes)
    zipf = 1.0 / np.arange(1, n_labels + 1) ** skew
    p = zipf / zipf.sum()
    prefs = np.stack([rng.choice(n_labels, 5, replace=False, p=p) for _ in range(n_groups)])
    common = min(20, n_labels)
    pc = zipf[:common] / zipf[:common].sum()
    m = rng.integers(1, 7, n_items)
    cand_pref = prefs[item_group[:, None], rng.integers(0, 5, (n_items, 6))]
    cand_global = rng.choice(common, (n_items, 6), p=pc)
    cand = np.where(rng.random((n_items, 6)) < 0.9, cand_pref, cand_global)
    take = np.arange(6)[None, :] < m[:, None]
    take &= (rng.random(n_items) >= 0.012)[:, None]
    rows = np.broadcast_to(np.arange(n_items)[:, None], (n_items, 6))
    code = np.unique(rows[take] * n_labels + cand[take])
    return {"item_group": item_group, "pair_item": code // n_labels, "pair_label": code % n_labels}


def indicator(data: dict[str, np.ndarray], n_items: int, n_labels: int) -> np.ndarray:
    y = np.zeros((n_items, n_labels), dtype=np.int8)
    y[data["pair_item"], data["pair_label"]] = 1
    return y


# -- metrics (written here, independent of labelkit's report) -------------------------------------------


def metrics(split: np.ndarray, data: dict[str, np.ndarray], n_labels: int) -> dict[str, Any]:
    """LD and FLZ (Sechidis et al. 2011), ED in items, group leaks, sizes; ``split`` is 0/1/2 per item."""
    n = len(split)
    k = len(SPLITS)
    sizes = np.bincount(split, minlength=k).astype(float)
    c = np.zeros((n_labels, k))
    np.add.at(c, (data["pair_label"], split[data["pair_item"]]), 1)
    d = c.sum(axis=1)
    present = d > 0
    c, d = c[present], d[present]
    whole = d / np.maximum(n - d, 1)
    part = c / np.maximum(sizes[None, :] - c, 1)
    ld = float(np.abs(part - whole[:, None]).mean())
    ratios = np.array([RATIOS[s] for s in SPLITS])
    ed = float(np.abs(sizes - ratios * n).mean())
    pairs = np.unique(data["item_group"] * k + split)
    leaks = int((np.bincount(pairs // k) > 1).sum())
    return {"ld": ld, "ed": ed, "leaks": leaks, "flz": int((c == 0).sum()), "sizes": sizes.astype(int).tolist()}


# -- methods ---------------------------------------------------------------------------------------------


def _dataset(data: dict[str, np.ndarray], n_items: int, n_labels: int, keep: np.ndarray | None = None) -> Any:
    import pyarrow as pa

    from labelkit.model import Category, Dataset

    idx = np.arange(n_items) if keep is None else np.flatnonzero(keep)
    group = data["item_group"][idx]
    ids = [f"i{i}" for i in idx.tolist()]
    items = pa.table(
        {
            "id": ids,
            "path": [f"g{g}/i{i}.jpg" for g, i in zip(group.tolist(), idx.tolist(), strict=True)],
            "group": [f"g{g}" for g in group.tolist()],
        }
    )
    mask = np.ones(len(data["pair_item"]), bool) if keep is None else keep[data["pair_item"]]
    labels = pa.table(
        {
            "item_id": [f"i{i}" for i in data["pair_item"][mask].tolist()],
            "category_id": pa.array(data["pair_label"][mask], pa.int64()),
        }
    )
    cats = [Category(id=i, name=f"label{i}") for i in range(n_labels)]
    return Dataset.from_tables({"items": items, "labels": labels}, categories=cats)


def _assignment(ds: Any) -> np.ndarray:
    table = ds.table("items")
    code = {s: j for j, s in enumerate(SPLITS)}
    ids = table["id"].to_pylist()
    out = np.empty(len(ids), dtype=np.int64)
    for i, s in zip(ids, table["split"].to_pylist(), strict=True):
        out[int(i[1:])] = code[s]
    return out


def run_labelkit(method: str, args_version: str | None) -> Any:
    import labelkit

    def prepare(data: dict[str, np.ndarray], n: int, L: int) -> Any:
        return _dataset(data, n, L)

    def call(ds: Any) -> np.ndarray:
        out, _ = labelkit.split(ds, RATIOS, seed=0, method=method, version=args_version)
        return _assignment(out)

    return prepare, call


def run_iterstrat() -> Any:
    try:
        from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit
    except ImportError:
        raise SystemExit("iterative-stratification is missing: pip install -r bench/requirements-split.txt") from None

    def prepare(data: dict[str, np.ndarray], n: int, L: int) -> Any:
        return indicator(data, n, L)

    def call(y: np.ndarray) -> np.ndarray:
        x = np.zeros((len(y), 1))
        rest, test = next(MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.1, random_state=0).split(x, y))
        tr, va = next(
            MultilabelStratifiedShuffleSplit(n_splits=1, test_size=1 / 9, random_state=0).split(x[rest], y[rest])
        )
        out = np.zeros(len(y), dtype=np.int64)
        out[rest[va]] = 1
        out[test] = 2
        return out

    return prepare, call


def run_sgkf() -> Any:
    try:
        from sklearn.model_selection import StratifiedGroupKFold
    except ImportError:
        raise SystemExit("scikit-learn is missing: pip install -r bench/requirements-split.txt") from None

    def prepare(data: dict[str, np.ndarray], n: int, L: int) -> Any:
        freq = np.bincount(data["pair_label"], minlength=L)
        rarest = np.full(n, -1)
        order = np.argsort(-freq[data["pair_label"]], kind="stable")  # rarest last, so it wins the assignment
        rarest[data["pair_item"][order]] = data["pair_label"][order]
        return rarest, data["item_group"]

    def call(prepared: Any) -> np.ndarray:
        y, groups = prepared
        x = np.zeros((len(y), 1))
        folds = StratifiedGroupKFold(n_splits=10).split(x, y, groups)
        out = np.zeros(len(y), dtype=np.int64)
        _, test = next(folds)
        _, val = next(folds)
        out[val] = 1
        out[test] = 2
        return out

    return prepare, call


# -- the worker: one method in its own process ---------------------------------------------------------


def worker(args: argparse.Namespace) -> dict[str, Any]:
    data = generate(args.items, args.labels, args.groups, args.seed)
    n, L = args.items, args.labels
    if args.worker == "labelkit-lock":
        return lock_worker(data, args)
    prepare, call = {
        "labelkit": lambda: run_labelkit("balanced", args.algo_version),
        "labelkit-hash": lambda: run_labelkit("hash", args.algo_version),
        "iterstrat-msss": run_iterstrat,
        "sklearn-sgkf": run_sgkf,
    }[args.worker]()
    prepared = prepare(data, n, L)
    times = []
    result = None
    for _ in range(args.runs):
        t = time.perf_counter()
        out = call(prepared)
        times.append(time.perf_counter() - t)
        if result is not None and not np.array_equal(result, out):
            raise SystemExit(f"{args.worker}: two runs on the same input differ")
        result = out
    assert result is not None
    return {"method": args.worker, "secs": statistics.median(times), **metrics(result, data, L), "rss": _peak_mib()}


def lock_worker(data: dict[str, np.ndarray], args: argparse.Namespace) -> dict[str, Any]:
    """Split 90% of the groups, then the whole dataset with that lockfile; compare with a from-scratch split."""
    import labelkit

    n, L = args.items, args.labels
    rng = np.random.default_rng(args.seed + 1)
    new_groups = rng.permutation(args.groups)[: args.groups // 10]
    is_new = np.isin(data["item_group"], new_groups)
    old_ds = _dataset(data, n, L, keep=~is_new)
    version = args.algo_version
    _, old_report = labelkit.split(old_ds, RATIOS, seed=0, version=version)
    full = _dataset(data, n, L)
    scratch, _ = labelkit.split(full, RATIOS, seed=0, version=version)
    scratch_ld = metrics(_assignment(scratch), data, L)["ld"]
    times = []
    result = None
    for _ in range(args.runs):
        t = time.perf_counter()
        out, _ = labelkit.split(full, RATIOS, seed=0, lock=old_report.lockfile, version=version)
        times.append(time.perf_counter() - t)
        result = _assignment(out)
    assert result is not None
    old_idx = np.flatnonzero(~is_new)
    before = old_report.lockfile.assignments
    code = {s: j for j, s in enumerate(SPLITS)}
    groups = data["item_group"]
    moved = sum(1 for i in old_idx.tolist() if code[before[f"g{groups[i]}/i{i}.jpg"]] != result[i])
    m = metrics(result, data, L)
    return {
        "method": "labelkit + lockfile (+10% groups)",
        "secs": statistics.median(times),
        **m,
        "rss": _peak_mib(),
        "moved": moved,
        "old_items": len(old_idx),
        "ld_vs_scratch": m["ld"] / scratch_ld if scratch_ld else float("nan"),
    }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the driver ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=80)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per method; the table shows the median time")
    parser.add_argument("--no-peers", action="store_true", help="only labelkit (e.g. at 1M items)")
    parser.add_argument("--methods", help="comma-separated subset of methods")
    parser.add_argument("--algo-version", help="labelkit's split algorithm version (default: the current one)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    methods = ["labelkit", "labelkit-hash", "labelkit-lock"]
    if not args.no_peers:
        methods += _available_peers()
    if args.methods:
        methods = args.methods.split(",")
    data = generate(args.items, args.labels, args.groups, args.seed)
    groups_per_label = np.bincount(
        np.unique(data["item_group"][data["pair_item"]] * args.labels + data["pair_label"]) % args.labels,
        minlength=args.labels,
    )
    biggest = int(np.bincount(data["item_group"]).max())
    print(
        f"data: {args.items:,} items, {args.labels} labels, {args.groups:,} groups (max {biggest} items), "
        f"{args.items - len(np.unique(data['pair_item'])):,} unlabeled, rarest labels in "
        f"{sorted(groups_per_label.tolist())[:5]} groups; ratios 80/10/10; {args.runs} runs per method, median"
    )
    rows = []
    for method in methods:
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            method,
            "--items",
            str(args.items),
            "--labels",
            str(args.labels),
            "--groups",
            str(args.groups),
            "--seed",
            str(args.seed),
            "--runs",
            str(args.runs),
            *(["--algo-version", args.algo_version] if args.algo_version else []),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(
                f"{method}: failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
            )
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print_table(rows)
    print("peak RSS is the whole worker process, data generation included")
    print_checks(rows, args.items)


def print_checks(rows: list[dict[str, Any]], n_items: int) -> None:
    """The targets of issue 5, each with the measured value and whether it is met."""
    by = {r["method"]: r for r in rows}
    lk = by.get("labelkit")
    if lk is None:
        return
    checks = [
        ("group leaks == 0", str(lk["leaks"]), lk["leaks"] == 0),
        ("LD <= 2.5e-4", f"{lk['ld']:.3g}", lk["ld"] <= 2.5e-4),
        ("ED <= 150 items", f"{lk['ed']:.1f}", lk["ed"] <= 150),
    ]
    limit = 5.0 * n_items / 100_000 if n_items <= 100_000 else 60.0 * n_items / 1_000_000
    checks.append((f"time < {limit:g} s", f"{lk['secs']:.2f}", lk["secs"] < limit))
    sgkf = by.get("sklearn-sgkf")
    if sgkf is not None:
        checks.append(
            ("LD <= 0.5 x StratifiedGroupKFold", f"{lk['ld'] / sgkf['ld']:.2f} x", lk["ld"] <= 0.5 * sgkf["ld"])
        )
    lock = next((r for r in rows if "moved" in r), None)
    if lock is not None:
        checks.append(("lockfile: 0 old items moved", str(lock["moved"]), lock["moved"] == 0))
        checks.append(
            ("lockfile: LD <= 1.5 x from scratch", f"{lock['ld_vs_scratch']:.2f} x", lock["ld_vs_scratch"] <= 1.5)
        )
    for name, value, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {name}: {value}")


def _available_peers() -> list[str]:
    out = []
    try:
        import iterstrat  # noqa: F401

        out.append("iterstrat-msss")
    except ImportError:
        print("iterative-stratification not installed (pip install -r bench/requirements-split.txt): skipped")
    try:
        import sklearn  # noqa: F401

        out.append("sklearn-sgkf")
    except ImportError:
        print("scikit-learn not installed (pip install -r bench/requirements-split.txt): skipped")
    return out


def print_table(rows: list[dict[str, Any]]) -> None:
    head = ["method", "secs", "sizes", "LD", "ED", "FLZ", "group leaks", "peak RSS MiB", "notes"]
    lines = []
    for r in rows:
        notes = ""
        if "moved" in r:
            notes = f"old items moved {r['moved']:,}/{r['old_items']:,}; LD {r['ld_vs_scratch']:.2f}x from scratch"
        lines.append(
            [
                r["method"],
                f"{r['secs']:.2f}",
                "/".join(str(s) for s in r["sizes"]),
                f"{r['ld']:.3g}",
                f"{r['ed']:.1f}",
                str(r["flz"]),
                f"{r['leaks']:,}",
                f"{r['rss']:.0f}",
                notes,
            ]
        )
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    for row in [head, ["-" * w for w in widths], *lines]:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
