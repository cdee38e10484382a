"""The assignment of a fixed dataset is pinned per algorithm version (fixtures/split/make_golden.py writes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

import labelkit
from labelkit.errors import UsageError
from labelkit.split import ALGORITHM_VERSION
from labelkit.split.core import VERSIONS

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "split"
RATIOS = {"train": 0.7, "val": 0.15, "test": 0.15}


@pytest.mark.parametrize("method", ["balanced", "hash"])
def test_current_version_reproduces_its_golden_lockfile(method: str) -> None:
    expected = GOLDEN / f"golden-v{ALGORITHM_VERSION}-{method}.lock.json"
    assert expected.is_file(), f"no golden file for split algorithm v{ALGORITHM_VERSION}: run make_golden.py"
    ds = labelkit.load(GOLDEN / "golden.labelkit.json")
    _, report = labelkit.split(ds, RATIOS, seed=0, method=method)
    assert report.lockfile.dumps() == expected.read_bytes()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("method", ["balanced", "hash"])
def test_every_selectable_version_reproduces_its_golden_lockfile(method: str, version: str) -> None:
    expected = GOLDEN / f"golden-v{version}-{method}.lock.json"
    ds = labelkit.load(GOLDEN / "golden.labelkit.json")
    _, report = labelkit.split(ds, RATIOS, seed=0, method=method, version=version)
    assert report.lockfile.version == version
    assert report.lockfile.dumps() == expected.read_bytes()


def test_versions_differ_on_the_golden_dataset() -> None:
    # version 2's local search changes this small dataset too, so its golden file pins it
    v1 = (GOLDEN / "golden-v1-balanced.lock.json").read_bytes().replace(b'"version": "1"', b"")
    v2 = (GOLDEN / "golden-v2-balanced.lock.json").read_bytes().replace(b'"version": "2"', b"")
    assert v1 != v2


def test_unknown_version_is_a_usage_error() -> None:
    ds = labelkit.load(GOLDEN / "golden.labelkit.json")
    with pytest.raises(UsageError):
        labelkit.split(ds, RATIOS, version="0")
