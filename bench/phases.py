"""Where a conversion's time goes, in-process: read, plan (the target's check), write; checkouts compared in turn.

Each run is a fresh process that imports labelkit from one checkout (``--tree``, default this one), times the
reader's ``read``, the target's ``check`` and ``write`` around ``labelkit.api.convert`` (``--allow-loss``), and
prints one line. With several trees the runs alternate (A, B, A, B, ...), so they share the machine's load, and
a table of medians follows. Use it to tell whether a change made a conversion slower: whole-command figures on
these shared machines move by a third from one minute to the next, in-turn pairs much less.

Usage:
    python bench/phases.py --to yolo
    python bench/phases.py --to coco --tree /path/to/old/checkout --tree . --repeat 3
    python bench/phases.py --to voc --input bench/data/instances_train2017.json --out /dev/shm/lkb-phases
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# the child: imports labelkit from the tree given, wraps the three phases with timers, runs one conversion
_CHILD = """
import json, sys, time
tree, source, out, target, options = sys.argv[1:6]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]  # (not the installed one)
sys.path.insert(0, tree)
import labelkit.api as api
from labelkit import formats
from labelkit.cli import use_jemalloc
use_jemalloc()
times = {"read": 0.0, "plan": 0.0, "write": 0.0}
def timed(module, name, phase):
    inner = getattr(module, name)
    def run(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            times[phase] += time.perf_counter() - t
    setattr(module, name, run)
reader = formats.get(formats.detect(source).format)
writer = formats.get(target)
timed(reader, "read", "read")
if hasattr(writer, "check"):
    timed(writer, "check", "plan")
timed(writer, "write", "write")
t = time.perf_counter()
api.convert(source, out, to=target, allow_loss=True, **json.loads(options))
times["total"] = time.perf_counter() - t
print(json.dumps(times))
"""


def run(tree: Path, source: Path, out: Path, target: str, options: dict[str, str]) -> dict[str, float]:
    """One conversion in a fresh process importing labelkit from ``tree``; the phases' seconds."""
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree), str(source), str(out), target, json.dumps(options)],
        capture_output=True,
        text=True,
        check=False,
    )
    shutil.rmtree(out, ignore_errors=True)
    if done.returncode:
        raise SystemExit(f"{tree}: the conversion failed:\n{done.stderr[-2000:]}")
    times: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--to", required=True, help="the target format (yolo, voc, coco, parquet, labelkit)")
    parser.add_argument("-o", dest="option", action="append", default=[], help="a write option, KEY=VALUE")
    parser.add_argument("--input", type=Path, default=HERE / "data" / "instances_train2017.json")
    parser.add_argument("--tree", type=Path, action="append", help="a labelkit checkout (repeatable; default: this)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tree")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/lkb-phases"), help="scratch output (a tmpfs)")
    args = parser.parse_args()
    if not args.input.exists():
        raise SystemExit(f"{args.input} is missing: run python bench/gen_coco.py {args.input}")
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    runs: dict[Path, list[dict[str, float]]] = {t: [] for t in trees}
    for i in range(args.repeat):
        for tree in trees:
            times = run(tree, args.input, args.out, args.to, dict(o.split("=", 1) for o in args.option))
            runs[tree].append(times)
            print(f"run {i + 1} {tree}: " + "  ".join(f"{k} {v:.2f}" for k, v in times.items()), flush=True)
    phases = ["read", "plan", "write", "total"]
    print(f"\n{args.input.name} -> {args.to}, medians of {args.repeat} (seconds, in-process)\n")
    print("| tree | " + " | ".join(phases) + " |")
    print("|---|" + "---:|" * len(phases))
    for tree in trees:
        medians = [statistics.median(r[p] for r in runs[tree]) for p in phases]
        print(f"| {tree} | " + " | ".join(f"{m:.2f}" for m in medians) + " |")


if __name__ == "__main__":
    main()
