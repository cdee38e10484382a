"""COCO benchmark: labelkit against globox and datumaro on a train2017-shaped file (median of 3, peak RSS).

Steps: reading the file (``labelkit info`` / ``globox summary`` / ``datum dinfo``), COCO -> Parquet
(labelkit), COCO -> COCO (labelkit / ``globox convert``). The peers run from their own virtual environment
made by ``bench/setup_peers.sh``; the data file comes from ``bench/gen_coco.py``. With the peers, each labelkit
command runs in turn with the peer commands it is compared with (one run of each per round), so both see the
machine in the same minutes.

Usage:
    bash bench/setup_peers.sh
    python bench/gen_coco.py bench/data/instances_train2017.json
    python bench/coco.py [--repeat 3] [--only labelkit|peers] [--json results.json] [--out DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    byte_compile_labelkit,
    coco_parser,
    datumaro_layout,
    measure,
    measure_in_turn,
    print_table,
    remove,
    require_coco,
)  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PEERS = HERE / ".venv-peers" / "bin"


def main() -> None:
    parser = coco_parser(__doc__.splitlines()[0], DATA)
    parser.add_argument("--out", type=Path, default=DATA, help="outputs (a tmpfs takes the disk out)")
    args = parser.parse_args()
    src: Path = args.file
    require_coco(src)
    byte_compile_labelkit()
    labelkit = [sys.executable, "-m", "labelkit"]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)  # (a fresh checkout has no bench/data: --file may be elsewhere)
    out_parquet, out_coco, out_globox = out / "out.parquet", out / "out_coco", out / "out_globox.json"
    n = args.repeat
    if args.only != "labelkit" and not (PEERS / "globox").exists():
        sys.exit("peers missing: run bash bench/setup_peers.sh")
    info = ("read: labelkit info", [*labelkit, "info", str(src)], None)
    parquet = (
        "COCO->Parquet: labelkit",
        [*labelkit, "convert", str(src), str(out_parquet), "--to", "parquet", "-q"],
        remove(str(out_parquet)),
    )
    coco = (
        "COCO->COCO: labelkit",
        [*labelkit, "convert", str(src), str(out_coco), "--to", "coco", "-q"],
        remove(str(out_coco)),
    )
    peer_steps = []
    if args.only != "labelkit":
        dm = datumaro_layout(src, out)
        globox_convert = [str(PEERS / "globox"), "convert", "--format", "coco", "--save_fmt", "coco", str(src)]
        peer_steps = [
            ("read: globox summary", [str(PEERS / "globox"), "summary", "--format", "coco", str(src)], None),
            ("read: datumaro dinfo", [str(PEERS / "datum"), "dinfo", f"{dm}:coco_instances"], None),
            ("COCO->COCO: globox (boxes only)", [*globox_convert, str(out_globox)], remove(str(out_globox))),
        ]
    if args.only is None:  # each labelkit command in turn with the peers it is compared with (see measure_in_turn)
        reads = measure_in_turn([info, *peer_steps[:2]], n)
        (converted,) = measure_in_turn([parquet], n)
        writes = measure_in_turn([coco, peer_steps[2]], n)
        results = [reads[0], converted, writes[0], reads[1], reads[2], writes[1]]
    else:
        results = [
            measure(*step[:2], n, before=step[2])
            for step in ([info, parquet, coco] if args.only == "labelkit" else peer_steps)
        ]
    baseline = {
        "read: labelkit info": "read: globox summary,read: datumaro dinfo",
        "COCO->COCO: labelkit": "COCO->COCO: globox (boxes only)",
    }
    print(f"\n{src} ({src.stat().st_size / 1e6:.0f} MB), median of {n}, peak RSS of the whole command\n")
    print_table(results, baseline)
    if args.json:
        args.json.write_text(
            json.dumps(
                [{"name": r.name, "walls": r.walls, "rss": r.rss, "failed": r.failed} for r in results], indent=1
            )
        )


if __name__ == "__main__":
    main()
