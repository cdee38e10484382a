"""Golden files: writing the YOLO and VOC sources gives fixtures/{yolo,voc}/golden/* byte for byte.

Regenerate with ``python tests/regen_yolo_voc_goldens.py`` (and review the diff) when a change is intended.
PNGs are compared by pixels and palette, since zlib builds may compress the same image differently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, canonical
from PIL import Image
from regen_yolo_voc_goldens import CASES, voc_source, yolo_source

import labelkit


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_sources_are_current() -> None:
    assert canonical(labelkit.load(FIXTURES / "yolo/source.labelkit.json")) == canonical(yolo_source())
    assert canonical(labelkit.load(FIXTURES / "voc/source.labelkit.json")) == canonical(voc_source())


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_golden(case: str, tmp_path: Path) -> None:
    fmt, options = CASES[case]
    out = tmp_path / "out"
    labelkit.save(labelkit.load(FIXTURES / fmt / "source.labelkit.json"), out, fmt, allow_loss=True, **options)
    _assert_same_files(out, FIXTURES / case)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_reads_back_to_the_same_output(case: str, tmp_path: Path) -> None:
    """Every golden folder (OBB, Darknet at 6 decimals and VOC with masks=all too: they were not checked) is a
    fixed point: read and written again with its options, without allow_loss, it gives the same files, PNGs
    the same pixels and palette."""
    fmt, options = CASES[case]
    again = tmp_path / "again"
    report = labelkit.save(labelkit.load(FIXTURES / case, fmt), again, fmt, **options)
    assert not report.lost, case
    _assert_same_files(again, FIXTURES / case)


def _assert_same_files(got_root: Path, want_root: Path) -> None:
    """The same file names; PNGs with the same mode, palette and pixels, other files byte for byte."""
    got, want = _files(got_root), _files(want_root)
    assert sorted(got) == sorted(want)
    for name, path in got.items():
        if name.endswith(".png"):
            a, b = Image.open(path), Image.open(want[name])
            assert (a.mode, a.getpalette()) == (b.mode, b.getpalette()), name
            assert np.array_equal(np.asarray(a), np.asarray(b)), name
        else:
            assert path.read_bytes() == want[name].read_bytes(), name
