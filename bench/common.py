"""Shared benchmark helpers: run a command N times, take the median wall time and the peak RSS, print a table.

Timing uses only public means: ``time.perf_counter`` around ``subprocess.run`` for wall time, and the
``ru_maxrss`` of a fresh ``resource.getrusage(RUSAGE_CHILDREN)`` measured in a throw-away child process,
so each run's peak RSS is its own (RUSAGE_CHILDREN of one long-lived parent only ever grows).

Usage::

    from common import Result, measure, print_table
    r = measure("labelkit info", ["labelkit", "info", "file.json"], repeat=3)
    print_table([r])
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# A tiny child that runs the command, then reports its own children's usage (ru_maxrss in KiB on Linux).
_PROBE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "wall = time.perf_counter() - t\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.buffer.write(p.stderr[-2000:])\n"
    "print(json.dumps({'rc': p.returncode, 'wall': wall, 'maxrss_kib': ru.ru_maxrss}))\n"
)


@dataclass
class Result:
    """Measurements of one command: every run's wall seconds and peak RSS (bytes)."""

    name: str
    walls: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    failed: str | None = None

    @property
    def wall(self) -> float:
        """Median wall seconds."""
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def peak_rss(self) -> int:
        """Largest peak RSS over the runs, bytes."""
        return max(self.rss) if self.rss else 0


def run_once(cmd: Sequence[str]) -> tuple[float, int, int, str]:
    """Run ``cmd`` once; returns (wall seconds, peak RSS bytes, exit code, stderr tail)."""
    probe = subprocess.run([sys.executable, "-c", _PROBE, *cmd], capture_output=True)
    data = json.loads(probe.stdout.decode().strip().splitlines()[-1])
    # progress bars of the peers write partial UTF-8 sequences: decode leniently
    return float(data["wall"]), int(data["maxrss_kib"]) * 1024, int(data["rc"]), probe.stderr.decode(errors="replace")


def measure(
    name: str, cmd: Sequence[str], repeat: int = 3, before: Callable[[], None] | None = None, log: bool = True
) -> Result:
    """Run ``cmd`` ``repeat`` times (calling ``before`` ahead of each run, e.g. to clear an output)."""
    result = Result(name)
    for i in range(repeat):
        if before is not None:
            before()
        wall, rss, rc, err = run_once(cmd)
        if rc != 0:
            result.failed = f"exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"
            if log:
                print(f"  {name}: run {i + 1} FAILED {result.failed}", flush=True)
                # the cause is usually further up (a chained exception): keep the stderr, without warnings
                kept = [line for line in err.splitlines() if " WARNING: " not in line]
                print("    " + "\n    ".join(kept[-25:]), flush=True)
            break
        result.walls.append(wall)
        result.rss.append(rss)
        if log:
            print(f"  {name}: run {i + 1}: {wall:.2f} s, {rss / 2**30:.2f} GiB", flush=True)
    return result


def measure_in_turn(
    steps: Sequence[tuple[str, Sequence[str], Callable[[], None] | None]], repeat: int = 3, log: bool = True
) -> list[Result]:
    """Run each step's command once per round, the steps in turn, for ``repeat`` rounds.

    On these shared machines the same command's time drifts by a third from one minute to the next: run one
    after the other, a tool and the peer it is compared with see the machine in the same minutes, so the ratio
    of their medians is not the drift between two stretches of the run. ``steps`` are ``(name, cmd, before)``;
    a step that fails is not run again.
    """
    results = [Result(name) for name, _, _ in steps]
    for i in range(repeat):
        for result, (name, cmd, before) in zip(results, steps, strict=True):
            if result.failed:
                continue
            one = measure(name, cmd, 1, before, log=False)
            if one.failed:
                result.failed = one.failed
                if log:
                    print(f"  {name}: run {i + 1} FAILED {one.failed}", flush=True)
                continue
            result.walls += one.walls
            result.rss += one.rss
            if log:
                print(f"  {name}: run {i + 1}: {one.walls[0]:.2f} s, {one.rss[0] / 2**30:.2f} GiB", flush=True)
    return results


def remove(path: str) -> Callable[[], None]:
    """A ``before`` hook that deletes a file or folder."""

    def run() -> None:
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)

    return run


def print_table(rows: Sequence[Result], baseline: dict[str, str] | None = None) -> str:
    """Print (and return) a Markdown table: median wall, peak RSS, and the ratio to a baseline row.

    Args:
        rows: the results.
        baseline: for a row name, the name of the row it is compared with ("x faster").
    """
    by_name = {r.name: r for r in rows}
    lines = ["| step | median wall (s) | peak RSS (GiB) | runs | vs |", "|---|---:|---:|---:|---|"]
    for r in rows:
        if r.failed:
            lines.append(f"| {r.name} | failed | - | {len(r.walls)} | {r.failed} |")
            continue
        vs = ""
        for other_name in (baseline or {}).get(r.name, "").split(","):
            other = by_name.get(other_name)
            if other is not None and other.walls and not other.failed:
                vs += f"{other.wall / r.wall:.1f}x faster than {other.name}; "
        lines.append(f"| {r.name} | {r.wall:.2f} | {r.peak_rss / 2**30:.2f} | {len(r.walls)} | {vs.rstrip('; ')} |")
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def datumaro_layout(src: Path, data: Path) -> Path:
    """A folder Datumaro reads as COCO: it wants annotations/instances_<split>.json and an images/ folder."""
    root = data / "datumaro_coco"
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "images" / "train2017").mkdir(parents=True, exist_ok=True)
    link = root / "annotations" / "instances_train2017.json"
    if link.is_symlink() and os.readlink(link) != str(src.resolve()):  # (a link to the file of an earlier --file)
        link.unlink()
    if not link.is_symlink():
        os.symlink(src.resolve(), link)
    return root


def coco_parser(description: str, data: Path) -> argparse.ArgumentParser:
    """The options every COCO-based benchmark takes: --file, --repeat, --only and --json."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--file", type=Path, default=data / "instances_train2017.json")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("labelkit", "peers"))
    parser.add_argument("--json", type=Path, help="also save the measurements as JSON")
    return parser


def byte_compile_labelkit() -> None:
    """Byte-compile labelkit's modules before timing it, as ``pip install`` does for an installed package.

    The peers in bench's virtual environment were byte-compiled by pip when it installed them. An editable
    checkout is not, and where ``PYTHONDONTWRITEBYTECODE`` is set (these machines set it) Python never caches
    what it compiles: every timed labelkit command compiled its ~20,000 lines again (about 0.15 s here).
    """
    package = Path(__file__).resolve().parents[1] / "labelkit"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)


def require_coco(src: Path) -> None:
    """Exit with the command that makes the synthetic file when it is missing."""
    if not src.is_file():
        sys.exit(f"{src} is missing: run python bench/gen_coco.py {src}")
