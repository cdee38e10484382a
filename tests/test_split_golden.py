"""The assignment of a fixed dataset is pinned per algorithm version (fixtures/split/make_golden.py writes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

import labelkit
from labelkit.split import ALGORITHM_VERSION

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "split"
RATIOS = {"train": 0.7, "val": 0.15, "test": 0.15}


@pytest.mark.parametrize("method", ["balanced", "hash"])
def test_current_version_reproduces_its_golden_lockfile(method: str) -> None:
    expected = GOLDEN / f"golden-v{ALGORITHM_VERSION}-{method}.lock.json"
    assert expected.is_file(), f"no golden file for split algorithm v{ALGORITHM_VERSION}: run make_golden.py"
    ds = labelkit.load(GOLDEN / "golden.labelkit.json")
    _, report = labelkit.split(ds, RATIOS, seed=0, method=method)
    assert report.lockfile.dumps() == expected.read_bytes()
