"""REGENERATES the COCO golden files in fixtures/coco/golden/ from fixtures/coco/. Run only on purpose.

    python tests/regen_coco_goldens.py

Review the diff before committing: tests/test_coco.py compares writer output with these byte for byte.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import labelkit

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "coco"
GOLDEN = FIXTURE / "golden"
CASES = {
    "roundtrip": (FIXTURE, {}),
    "keypoints": (ROOT / "fixtures" / "coco_keypoints", {}),
    "results": (FIXTURE / "results_val.json", {}),
    "reindex": (FIXTURE, {"reindex": "true"}),
    "from_native": (ROOT / "fixtures" / "native" / "images.labelkit.json", {}),
}


def main() -> None:
    for name, (src, options) in CASES.items():
        out = Path(tempfile.mkdtemp()) / "out"
        labelkit.convert(src, out, to="coco", allow_loss=True, **options)
        target = GOLDEN / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(out / "annotations", target)
        print(f"regenerated {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
