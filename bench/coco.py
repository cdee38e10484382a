"""COCO benchmark: labelkit against globox and datumaro on a train2017-shaped file (median of 3, peak RSS).

Steps: reading the file (``labelkit info`` / ``globox summary`` / ``datum dinfo``), COCO -> Parquet
(labelkit), COCO -> COCO (labelkit / ``globox convert``). The peers run from their own virtual environment
made by ``bench/setup_peers.sh``; the data file comes from ``bench/gen_coco.py``.

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
    Result,
    byte_compile_labelkit,
    coco_parser,
    datumaro_layout,
    measure,
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
    results: list[Result] = []
    n = args.repeat
    if args.only != "peers":
        results.append(measure("read: labelkit info", [*labelkit, "info", str(src)], n))
        results.append(
            measure(
                "COCO->Parquet: labelkit",
                [*labelkit, "convert", str(src), str(out_parquet), "--to", "parquet", "-q"],
                n,
                before=remove(str(out_parquet)),
            )
        )
        results.append(
            measure(
                "COCO->COCO: labelkit",
                [*labelkit, "convert", str(src), str(out_coco), "--to", "coco", "-q"],
                n,
                before=remove(str(out_coco)),
            )
        )
    if args.only != "labelkit":
        if not (PEERS / "globox").exists():
            sys.exit("peers missing: run bash bench/setup_peers.sh")
        results.append(
            measure("read: globox summary", [str(PEERS / "globox"), "summary", "--format", "coco", str(src)], n)
        )
        dm = datumaro_layout(src, out)
        results.append(measure("read: datumaro dinfo", [str(PEERS / "datum"), "dinfo", f"{dm}:coco_instances"], n))
        results.append(
            measure(
                "COCO->COCO: globox (boxes only)",
                [str(PEERS / "globox"), "convert", "--format", "coco", "--save_fmt", "coco", str(src), str(out_globox)],
                n,
                before=remove(str(out_globox)),
            )
        )
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
