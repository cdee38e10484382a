"""Benchmark the two native formats (labelkit JSON and Parquet): write and read time, peak RSS.

Generates a seeded dataset of N images x K objects (boxes and polygons, built with ``Dataset.from_tables``
straight from numpy/Arrow, not record by record), then runs each step in a fresh subprocess ``--runs``
times and prints the median wall time of the step (timed inside the child) and the median peak RSS of
the whole child process (from ``os.wait4``, the kernel's accounting of that one child). The ``floor``
row writes the same number of bytes in one call: what the disk alone costs.

Usage::

    python bench/native.py                      # 50,000 images x 20 objects = 1M objects, 3 runs
    python bench/native.py --images 5000 --runs 1

The data goes to ``bench/data/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def make_dataset(images: int, per_image: int, seed: int = 0):  # type: ignore[no-untyped-def]
    """A seeded dataset: ``images`` images of 640x480, ``per_image`` objects each, half boxes, half polygons."""
    from labelkit.model import Category, Dataset

    rng = np.random.default_rng(seed)
    n = images * per_image
    item_ids = pa.array([f"img{i:07d}" for i in range(images)])
    splits = np.array(["train", "val", "test"])[rng.choice(3, size=images, p=[0.8, 0.1, 0.1])]
    items = pa.table(
        {
            "id": item_ids,
            "media": pa.array(["image"] * images),
            "path": pa.array([f"images/img{i:07d}.jpg" for i in range(images)]),
            "width": pa.array(np.full(images, 640, dtype=np.int64)),
            "height": pa.array(np.full(images, 480, dtype=np.int64)),
            "split": pa.array(splits),
        }
    )
    xy = rng.uniform(0, 400, size=(n, 2))
    wh = rng.uniform(4, 200, size=(n, 2))
    bbox = pa.FixedSizeListArray.from_arrays(pa.array(np.hstack([xy, wh]).ravel()), 4)
    is_polygon = rng.random(n) < 0.5
    n_poly = int(is_polygon.sum())
    vertices = 8
    # a ring of `vertices` points on the box's ellipse, one ring per polygon object
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    centre = xy[is_polygon] + wh[is_polygon] / 2
    ring = np.empty((n_poly, vertices, 2))
    ring[:, :, 0] = centre[:, :1] + wh[is_polygon][:, :1] / 2 * np.cos(t)
    ring[:, :, 1] = centre[:, 1:] + wh[is_polygon][:, 1:] / 2 * np.sin(t)
    rings = pa.ListArray.from_arrays(
        pa.array(np.arange(0, n_poly * vertices * 2 + 1, vertices * 2, dtype=np.int32)), pa.array(ring.ravel())
    )
    # one ring per polygon object; other objects have no polygon (null)
    outer = np.zeros(n + 1, dtype=np.int32)
    outer[1:] = np.cumsum(is_polygon)
    polygon = pa.ListArray.from_arrays(pa.array(outer), rings, mask=pa.array(~is_polygon))
    objects = pa.table(
        {
            "id": pa.array(np.arange(n).astype(str)),
            "item_id": pa.array(np.repeat(np.asarray(item_ids.to_pylist(), dtype=object), per_image)),
            "category_id": pa.array(rng.integers(1, 81, size=n)),
            "bbox": bbox,
            "angle": pa.array(np.zeros(n)),
            "shape": pa.array(np.where(is_polygon, "polygon", "box")),
            "polygon": polygon,
        }
    )
    categories = [Category(id=i, name=f"class{i}", supercategory="thing") for i in range(1, 81)]
    return Dataset.from_tables({"items": items, "objects": objects}, categories)


def _paths(images: int, per_image: int) -> dict[str, Path]:
    stem = f"native-{images}x{per_image}"
    return {"labelkit": DATA / f"{stem}.labelkit.json", "parquet": DATA / f"{stem}.parquet"}


def child(step: str, fmt: str, images: int, per_image: int) -> None:
    """One timed step in this (fresh) process; prints the seconds."""
    import labelkit

    labelkit.formats.get(fmt)  # import the format's module outside the timed step
    path = _paths(images, per_image)[fmt]
    if step == "floor":
        # the same number of bytes written in one call: what the disk alone costs
        size = sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size
        data = bytes(size)
        floor = DATA / f"floor-{fmt}.bin"
        start = time.perf_counter()
        floor.write_bytes(data)
        elapsed = time.perf_counter() - start
        floor.unlink()
        print(f"{elapsed:.6f}")
        return
    if step == "write":
        ds = make_dataset(images, per_image)
        ds.tables()
        start = time.perf_counter()
        labelkit.save(ds, path, fmt, overwrite=True)
        elapsed = time.perf_counter() - start
    else:
        start = time.perf_counter()
        ds = labelkit.load(path, fmt)
        n = ds.table("objects").num_rows
        elapsed = time.perf_counter() - start
        assert n == images * per_image, n
    print(f"{elapsed:.6f}")


def run_child(step: str, fmt: str, images: int, per_image: int) -> tuple[float, float]:
    """Run one step in a fresh process; return (seconds, peak RSS in MB)."""
    cmd = [sys.executable, __file__, "--child", step, fmt, "--images", str(images), "--per-image", str(per_image)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return float(out.decode().strip().splitlines()[-1]), kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50_000)
    parser.add_argument("--per-image", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="parquet,labelkit")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.images, args.per_image)
        return
    DATA.mkdir(exist_ok=True)
    n = args.images * args.per_image
    print(f"{args.images:,} images x {args.per_image} objects = {n:,} objects (half boxes, half 8-point polygons)")
    print(f"median of {args.runs} runs, each in a fresh process; peak RSS is the whole child process")
    print()
    print("| format | step | wall s (median) | runs | peak RSS MB (median) | size MB |")
    print("|---|---|---:|---|---:|---:|")
    for fmt in args.formats.split(","):
        for step in ("write", "floor", "read"):
            results = [run_child(step, fmt, args.images, args.per_image) for _ in range(args.runs)]
            secs = [r[0] for r in results]
            path = _paths(args.images, args.per_image)[fmt]
            size = sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size
            runs = ", ".join(f"{s:.2f}" for s in secs)
            rss = statistics.median(r[1] for r in results)
            print(f"| {fmt} | {step} | {statistics.median(secs):.2f} | {runs} | {rss:.0f} | {size / 1e6:.0f} |")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(parent process peak RSS {own:.0f} MB; machine: {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
