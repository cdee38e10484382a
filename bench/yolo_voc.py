"""YOLO and VOC benchmark: labelkit against globox and datumaro on a train2017-shaped COCO file.

Steps (whole CLI commands, median of N runs, peak RSS of the command; each run is followed by a floor
measurement, so wall and floor are compared pair by pair under the same machine load):
COCO -> YOLO detect, COCO -> YOLO segment, COCO -> VOC, COCO -> VOC boxes only (``-o masks=none``, what the
peers write: no segmentation PNGs), YOLO detect -> COCO and YOLO segment -> COCO, and VOC -> COCO of the
folder the boxes-only step wrote (labelkit); globox and datumaro run COCO -> YOLO, COCO -> VOC and that
VOC -> COCO (neither writes YOLO segment or VOC masks, and both need the image files to read YOLO, which the
synthetic set does not have). Beside them it measures the floor, in this process on the same disk:
- parse floor: msgspec decoding the COCO file into typed structs (boxes decoded, segmentations left raw), or
  reading every YOLO label file's bytes, or every VOC annotation file's;
- write floor: creating the same files with the same bytes (taken from labelkit's own output) in a fresh folder.
Then a val2017-sized file (5,000 images) through the CLI.

Usage:
    bash bench/setup_peers.sh
    python bench/gen_coco.py bench/data/instances_train2017.json
    python bench/yolo_voc.py [--repeat 3] [--peer-repeat 3] [--only labelkit|peers] [--json results.json] [--out DIR]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, byte_compile_labelkit, coco_parser, datumaro_layout, measure, print_table, require_coco  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PEERS = HERE / ".venv-peers" / "bin"
UNDERSCORED = "COCO->YOLO detect: globox on a copy with '_' for ' ' in names"
VOC_TO_COCO = "VOC->COCO (the boxes-only step's folder): labelkit"
TARGETS = {
    "COCO->YOLO detect: labelkit": "<= 15 s, <= 1 GiB",
    "COCO->VOC: labelkit": "<= 20 s",
    "val2017-sized COCO->YOLO detect: labelkit": "<= 1.5 s",
}


def _median_seconds(run: Callable[[], None], repeat: int, before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class _Image(msgspec.Struct):
    id: int
    file_name: str
    width: int
    height: int


class _Annotation(msgspec.Struct):
    id: int
    image_id: int
    category_id: int
    bbox: list[float]
    segmentation: msgspec.Raw = msgspec.Raw(b"null")


class _Category(msgspec.Struct):
    id: int
    name: str


class _Coco(msgspec.Struct):
    images: list[_Image]
    annotations: list[_Annotation]
    categories: list[_Category]


def coco_parse_floor(path: Path, repeat: int) -> float:
    """msgspec decode of the fields a box converter needs; segmentations stay raw bytes (never materialised)."""
    decoder = msgspec.json.Decoder(_Coco)
    return _median_seconds(lambda: decoder.decode(path.read_bytes()), repeat)


def read_floor(folder: Path, repeat: int) -> float:
    """Reading every file under a folder (the least a reader of per-image label files must do)."""
    files = [p for p in folder.rglob("*") if p.is_file()]

    def run() -> None:
        for p in files:
            with open(p, "rb") as fh:
                fh.read()

    return _median_seconds(run, repeat)


def write_floor(folder: Path, repeat: int) -> float:
    """Creating the same files with the same bytes as ``folder`` holds, in a fresh folder on the same disk."""
    entries = [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    dirs = sorted({rel.rpartition("/")[0] for rel, _ in entries} - {""})
    target = folder.parent / (folder.name + ".floor")

    def clear() -> None:
        set_aside(target)()

    def run() -> None:
        target.mkdir()
        for d in dirs:
            (target / d).mkdir(parents=True, exist_ok=True)
        base = str(target) + os.sep
        for rel, data in entries:
            fd = os.open(base + rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            if data:
                os.write(fd, data)
            os.close(fd)

    seconds = _median_seconds(run, repeat, before=clear)
    clear()
    return seconds


def set_aside(path: Path) -> Callable[[], None]:
    """A ``before`` hook: move an old output aside (deleted at the end) and flush the disk's write-back.

    Deleting 118,000 files just before a timed run, or leaving the last run's pages to be written back
    during it, slows the run by tens of seconds on this disk; both are kept out of every timed run.
    """

    def run() -> None:
        if path.exists():
            trash = path.parent / "trash"
            trash.mkdir(exist_ok=True)
            os.replace(path, trash / f"{path.name}.{time.monotonic_ns()}")
        os.sync()

    return run


def empty_trash(folder: Path) -> None:
    """Delete what :func:`set_aside` moved away from ``folder``."""
    shutil.rmtree(folder / "trash", ignore_errors=True)


def settle(folder: Path) -> None:
    """Between steps, untimed: delete the set-aside outputs and flush the disk.

    Three runs of a step leave over 300,000 files in the trash; kept to the end, they exhausted a tmpfs's
    inodes before the peers ran (their writes failed with "No space left on device").
    """
    empty_trash(folder)
    os.sync()


def paired(
    name: str, cmd: list[str], target: Path, repeat: int, floor: Callable[[], float]
) -> tuple[Result, list[tuple[float, float]]]:
    """Run ``cmd`` ``repeat`` times, measuring the floor right after each run, so a pair shares the machine's load."""
    result = Result(name)
    pairs = []
    for _ in range(repeat):
        one = measure(name, cmd, 1, before=set_aside(target))
        if one.failed:
            result.failed = one.failed
            break
        result.walls += one.walls
        result.rss += one.rss
        os.sync()
        pairs.append((one.walls[0], floor()))
        print(f"    floor right after: {pairs[-1][1]:.2f} s", flush=True)
    return result, pairs


def main() -> None:
    parser = coco_parser(__doc__.splitlines()[0], DATA)
    parser.add_argument("--peer-repeat", type=int, default=3)
    parser.add_argument("--val", type=Path, default=DATA / "instances_val2017.json", help="val2017-sized file")
    parser.add_argument(
        "--out",
        type=Path,
        default=DATA,
        help="outputs and floor files (a tmpfs takes the disk out)",
    )
    args = parser.parse_args()
    src: Path = args.file
    require_coco(src)
    args.out.mkdir(parents=True, exist_ok=True)  # (a fresh checkout has no bench/data: --file may be elsewhere)
    args.val.parent.mkdir(parents=True, exist_ok=True)
    byte_compile_labelkit()
    lk = [sys.executable, "-m", "labelkit"]
    n = args.repeat
    names = ("yolo_detect", "yolo_segment", "voc", "voc_boxes", "val_yolo")
    names += ("coco_from_yolo_detect", "coco_from_yolo_segment", "coco_from_voc")
    out = {k: args.out / f"out_{k}" for k in names}
    results: list[Result] = []
    pairs: dict[str, list[tuple[float, float]]] = {}
    if args.only != "peers":
        parse_floor = lambda: coco_parse_floor(src, 1)  # noqa: E731
        steps = [
            ("COCO->YOLO detect: labelkit", [str(src), str(out["yolo_detect"]), "--to", "yolo", "-o", "task=detect"]),
            (
                "COCO->YOLO segment: labelkit",
                [str(src), str(out["yolo_segment"]), "--to", "yolo", "-o", "task=segment"],
            ),
            ("COCO->VOC: labelkit", [str(src), str(out["voc"]), "--to", "voc"]),
            # what the peers write: boxes only (crowd masks become boxes, no segmentation PNGs)
            (
                "COCO->VOC boxes only (-o masks=none): labelkit",
                [str(src), str(out["voc_boxes"]), "--to", "voc", "-o", "masks=none"],
            ),
        ]
        for name, argv in steps:
            target = Path(argv[1])
            cmd = [*lk, "convert", *argv, "--allow-loss", "-q"]
            result, pairs[name] = paired(name, cmd, target, n, lambda t=target: parse_floor() + write_floor(t, 1))
            results.append(result)
            settle(args.out)
        for task in ("detect", "segment"):
            yolo_dir, coco_dir = out[f"yolo_{task}"], out[f"coco_from_yolo_{task}"]
            cmd = [*lk, "convert", str(yolo_dir), str(coco_dir), "--from", "yolo", "--to", "coco", "-q"]
            name = f"YOLO {task}->COCO: labelkit"
            result, pairs[name] = paired(
                name, cmd, coco_dir, n, lambda y=yolo_dir, c=coco_dir: read_floor(y, 1) + write_floor(c, 1)
            )
            results.append(result)
        # reading VOC at COCO-train scale: the 118,287 XML files the boxes-only step wrote (its last run's)
        voc_dir, coco_dir = out["voc_boxes"], out["coco_from_voc"]
        cmd = [*lk, "convert", str(voc_dir), str(coco_dir), "--from", "voc", "--to", "coco", "-q"]
        result, pairs[VOC_TO_COCO] = paired(
            VOC_TO_COCO,
            cmd,
            coco_dir,
            n,
            lambda v=voc_dir, c=coco_dir: read_floor(v / "Annotations", 1) + write_floor(c, 1),
        )
        results.append(result)
        val: Path = args.val
        if not val.exists():
            subprocess.run(
                [sys.executable, str(HERE / "gen_coco.py"), "--images", "5000", "--annotations", "36781", str(val)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        results.append(
            measure(
                "val2017-sized COCO->YOLO detect: labelkit",
                [
                    *lk,
                    "convert",
                    str(val),
                    str(out["val_yolo"]),
                    "--to",
                    "yolo",
                    "-o",
                    "task=detect",
                    "--allow-loss",
                    "-q",
                ],
                n,
                before=set_aside(out["val_yolo"]),
            )
        )
    if args.only != "labelkit":
        if not (PEERS / "globox").exists():
            sys.exit("peers missing: run bash bench/setup_peers.sh")
        settle(args.out)
        pn = args.peer_repeat
        globox, datum = str(PEERS / "globox"), str(PEERS / "datum")
        dm = datumaro_layout(src, args.out)
        for fmt, label in (("yolov5", "COCO->YOLO detect"), ("pascalvoc", "COCO->VOC")):
            target = args.out / f"out_globox_{fmt}"
            cmd = [globox, "convert", "-f", "coco", "-F", fmt, str(src), str(target)]
            results.append(measure(f"{label}: globox", cmd, pn, before=set_aside(target)))
        # globox refuses class names with a space (YOLO's separator): the same file with '_' for ' ' in names
        underscored = underscored_names(src, args.out)
        try:
            target = args.out / "out_globox_yolov5_underscored"
            cmd = [globox, "convert", "-f", "coco", "-F", "yolov5", str(underscored), str(target)]
            results.append(measure(UNDERSCORED, cmd, pn, before=set_aside(target)))
        finally:
            underscored.unlink()
        for fmt, label in (("yolo", "COCO->YOLO detect"), ("voc_detection", "COCO->VOC")):
            target = args.out / f"out_datumaro_{fmt}"
            cmd = [datum, "convert", "-i", str(dm), "-if", "coco_instances", "-f", fmt, "-o", str(target)]
            results.append(measure(f"{label}: datumaro", cmd, pn, before=set_aside(target)))
        # VOC -> COCO of the folder labelkit's boxes-only step wrote (run the labelkit steps first)
        voc_dir = out["voc_boxes"]
        if not (voc_dir / "Annotations").is_dir():
            print(f"  VOC->COCO peers: skipped, {voc_dir} missing (run the labelkit steps first)", flush=True)
        else:
            target = args.out / "out_globox_coco_from_voc.json"  # (-A: ids for images and classes, which XML has not)
            cmd = [globox, "convert", "-f", "pascalvoc", "-F", "coco", "-A", str(voc_dir / "Annotations"), str(target)]
            results.append(measure("VOC->COCO: globox", cmd, pn, before=set_aside(target)))
            target = args.out / "out_datumaro_coco_from_voc"
            cmd = [datum, "convert", "-i", str(voc_dir), "-if", "voc", "-f", "coco_instances", "-o", str(target)]
            results.append(measure("VOC->COCO: datumaro", cmd, pn, before=set_aside(target)))
    baseline = {
        "COCO->YOLO detect: labelkit": f"COCO->YOLO detect: globox,{UNDERSCORED},COCO->YOLO detect: datumaro",
        "COCO->VOC: labelkit": "COCO->VOC: globox,COCO->VOC: datumaro",
        "COCO->VOC boxes only (-o masks=none): labelkit": "COCO->VOC: globox,COCO->VOC: datumaro",
        VOC_TO_COCO: "VOC->COCO: globox,VOC->COCO: datumaro",
    }
    print(f"\n{src} ({src.stat().st_size / 1e6:.0f} MB), median of {n} (peers: {args.peer_repeat}), peak RSS\n")
    empty_trash(args.out)
    print_table(results, baseline)
    if pairs:
        print(
            "\n| step | median wall (s) | median floor: parse + write (s) | wall / floor (median of pairs) | target |"
        )
        print("|---|---:|---:|---:|---|")
        for r in results:
            if r.name in pairs and pairs[r.name]:
                walls = [w for w, _ in pairs[r.name]]
                floor = [f for _, f in pairs[r.name]]
                ratio = statistics.median(w / f for w, f in pairs[r.name])
                print(
                    f"| {r.name} | {statistics.median(walls):.2f} | {statistics.median(floor):.2f} | {ratio:.2f} "
                    f"| {TARGETS.get(r.name, '')} |"
                )
    if args.json:
        data = {
            "results": [{"name": r.name, "walls": r.walls, "rss": r.rss, "failed": r.failed} for r in results],
            "pairs": pairs,
        }
        args.json.write_text(json.dumps(data, indent=1))


def underscored_names(src: Path, out: Path) -> Path:
    """A copy of ``src`` whose ``"name"`` values (categories, licenses) have ``_`` for every space.

    The synthetic file is compact JSON (``"name":"cell phone"``), so a byte-level substitution finds them all;
    nothing else of the file has a ``name`` key. (A pretty-printed file, or a name holding a JSON escape, is
    left as it is: this is for bench/gen_coco.py's output.)
    """
    copy = out / f"{src.stem}.underscored.json"
    names = re.compile(rb'"name":"([^"\\]*)"')
    copy.write_bytes(names.sub(lambda m: m.group(0).replace(b" ", b"_"), src.read_bytes()))
    return copy


if __name__ == "__main__":
    main()
