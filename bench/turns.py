"""Whole ``labelkit`` commands from several checkouts, run in turn: the medians of their wall times.

Each run is a fresh process that imports labelkit from one checkout (``--tree``) and runs the CLI with the
arguments after ``--``. The trees alternate (A, B, A, B, ...), so they share the machine's load; on these shared
machines the same command's time moves by a third from one minute to the next, in-turn pairs much less. Use it for
a command whose time is mostly its read (``info``, ``validate``), where ``bench/phases.py`` times a conversion.

Usage:
    python bench/turns.py --tree /path/to/old/checkout --tree . --repeat 7 -- info bench/data/instances_train2017.json
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# the child: the CLI of the tree given (not an installed labelkit), with the arguments that follow
_CHILD = """
import sys
tree = sys.argv[1]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]  # (not the installed one)
sys.path.insert(0, tree)
sys.argv = ["labelkit", *sys.argv[2:]]
from labelkit.cli import main
main()
"""


def run(tree: Path, args: list[str]) -> float:
    """One command in a fresh process importing labelkit from ``tree``: its wall seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):  # (validate's findings exit 1)
        raise SystemExit(f"{tree}: the command failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, action="append", help="a labelkit checkout (repeatable; default: this)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per tree")
    parser.add_argument("command", nargs="+", help="the labelkit command and its arguments (after --)")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    for tree in trees:  # (as pip compiles an installed package: these machines set PYTHONDONTWRITEBYTECODE, so a
        # checkout never compiled compiles its modules again in every run, about 0.4 s here, unequally between trees)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "labelkit")], check=True)
    walls: dict[Path, list[float]] = {t: [] for t in trees}
    for i in range(args.repeat):
        for tree in trees:
            wall = run(tree, args.command)
            walls[tree].append(wall)
            print(f"run {i + 1} {tree}: {wall:.2f} s", flush=True)
    print(f"\nlabelkit {' '.join(args.command)}, medians of {args.repeat} (seconds, whole commands, in turn)\n")
    print("| tree | median | runs |")
    print("|---|---:|---|")
    for tree in trees:
        runs = ", ".join(f"{w:.2f}" for w in walls[tree])
        print(f"| {tree} | {statistics.median(walls[tree]):.2f} | {runs} |")


if __name__ == "__main__":
    main()
