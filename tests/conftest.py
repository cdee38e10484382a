"""Shared test helpers: fixture paths, the conformance corpus, and one write/read round-trip helper."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import labelkit
from labelkit.model import Dataset

# Property tests draw fresh examples on every local run (that is how they find bugs); on CI (CI set in the
# environment) they draw the same examples every run, so a red CI is a regression, not an unlucky draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
NATIVE_FIXTURES = sorted((FIXTURES / "native").glob("*.labelkit.json"))
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def fixtures() -> Path:
    """The bundled fixtures folder."""
    return FIXTURES


@pytest.fixture
def corpus() -> Path:
    """The conformance corpus (../shared/corpus); skips the test where it is absent."""
    if not (CORPUS / "MANIFEST.json").is_file():
        pytest.skip(f"conformance corpus not found at {CORPUS} (CI provides it beside the project)")
    return CORPUS


def canonical(dataset: Dataset) -> dict[str, Any]:
    """Everything a dataset holds, as plain data, for equality checks."""
    return dataset.to_dict()


@pytest.fixture
def write_read(tmp_path: Path) -> Callable[..., Dataset]:
    """Write a dataset in a format and read it back, asserting the input was not changed."""
    counter = iter(range(1_000_000))

    def run(dataset: Dataset, format: str, *, allow_loss: bool = False, **options: Any) -> Dataset:
        before = canonical(dataset)
        fmt = labelkit.formats.get(format)
        suffix = ".json" if fmt.OUTPUT == "file" else ""
        out = tmp_path / f"out{next(counter)}{suffix}"
        labelkit.save(dataset, out, format, allow_loss=allow_loss, **options)
        assert canonical(dataset) == before, "writing changed the input dataset"
        return labelkit.load(out, format)

    return run


def config_outside(root: Path) -> tuple[Path, Path]:
    """A YOLO dataset whose data.yaml (``root/cfg``) names its split as ``../data/images/train``.

    Returns:
        The data.yaml, and the ``data`` folder holding one image and its label file.
    """
    from PIL import Image

    data = root / "data"
    (data / "images/train").mkdir(parents=True)
    (data / "labels/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(data / "images/train/a.jpg")
    (data / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "cfg").mkdir()
    (root / "cfg/data.yaml").write_text("train: ../data/images/train\nval: ../data/images/train\nnames: [x]\n")
    return root / "cfg/data.yaml", data


@pytest.fixture
def folding_file_system(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files created by ``labelkit.io.create_file`` behave as on macOS and Windows: a name differing from one
    already in its folder only in case or Unicode normalisation is that file (``O_EXCL`` refuses it).

    The look and the create are one step, as a kernel's are: two threads (labelkit.file_batches) each creating one
    of two such names both found none there, and both were created."""
    import threading

    import labelkit.portable

    real_open = os.open
    one_at_a_time = threading.Lock()

    def open_folding(path: Any, flags: int, mode: int = 0o777) -> int:
        folder, name = os.path.split(os.fspath(path))
        if not flags & os.O_EXCL:
            return real_open(path, flags, mode)
        with one_at_a_time:
            if os.path.isdir(folder):
                if any(
                    labelkit.portable.folded_name(n) == labelkit.portable.folded_name(name) for n in os.listdir(folder)
                ):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fspath(path))
            return real_open(path, flags, mode)

    monkeypatch.setattr(labelkit.io.os, "open", open_folding)


def assert_cli_refuses_then_writes(src: Path, out: Path, to: str, title: str, lost: list[str], written: str) -> None:
    """``convert src out --to to`` is refused (exit 2, nothing written) with each ``lost`` line on stderr and the
    first in the error naming the target by ``title``; with ``--allow-loss`` it writes, printing what it read,
    ``written`` and the same lines. (Every case here reads 4 items of one object each.)"""
    from click.testing import CliRunner

    from labelkit.cli import cli

    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", to])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines()[: len(lost)] == [f"labelkit: {line}" for line in lost]
    more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
    assert result.stderr.splitlines()[len(lost)] == (
        f"labelkit: error: {out}: writing {title} would lose {lost[0][len('lost: ') :]}{more}; hint: pass "
        "--allow-loss (API: allow_loss=True) to write anyway; --report FILE lists every loss"
    )
    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", to, "--allow-loss"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1 : 3 + len(lost)] == ["read: 4 items, 4 object annotations", written, *lost]


RENUMBERED_IDS = ("object ids", "label ids")
"""The report's entries of annotation ids a YOLO or VOC reader numbers otherwise (tests/test_capabilities.py)."""


def beside_ids(changes: list[Any]) -> list[Any]:
    """A report's changes but its ``object ids`` and ``label ids`` ones, for tests of the others.

    A dataset made in a test numbers its objects as it likes; YOLO and VOC readers number them 1, 2, ...: the
    counts of those that read back otherwise are tested in tests/test_capabilities.py.
    """
    return [c for c in changes if c.what not in RENUMBERED_IDS]


def deep_path(length: int, name: str) -> str:
    """A relative path of ``length`` bytes ending in ``name``, each folder of it at most 250 bytes long."""
    rest = length - len(name)  # (the folders' bytes, each with its '/')
    assert rest != 1
    parts = []
    while rest > 0:
        k = min(250, rest - 1)
        if rest - (k + 1) == 1:  # (one byte left could name no folder)
            k -= 1
        parts.append("d" * k)
        rest -= k + 1
    return "".join(f"{part}/" for part in parts) + name


def room_below(out: Path) -> int:
    """How many bytes a path below the output ``out`` may have: 4,095 (PATH_MAX) with its temporary folder's
    (``.out.labelkit-tmp-12345678`` beside it; ``out`` of a short name)."""
    return 4095 - len(os.fsencode(os.path.abspath(out.parent / f".{out.name}.labelkit-tmp-12345678"))) - 1


def dry_run_loses_as_the_write(ds: Dataset, out: Path, target: str, lost: list[tuple[str, int]]) -> Any:
    """Save ``ds`` to ``target`` at ``out``: a dry run and the write both refuse the loss without ``allow_loss``
    (the write raised OutputError, File name too long, where the dry run passed), and with it both report ``lost``
    (what, count) with the same reasons. Returns the write's report."""
    from labelkit.errors import DataLossError

    for dry_run in (True, False):
        with pytest.raises(DataLossError):
            labelkit.save(ds, out, target, dry_run=dry_run)
    dry = labelkit.save(ds, out, target, dry_run=True, allow_loss=True)
    report = labelkit.save(ds, out, target, allow_loss=True)
    assert [(c.what, c.count) for c in dry.lost] == [(c.what, c.count) for c in report.lost] == lost
    assert [c.reason for c in dry.lost] == [c.reason for c in report.lost]
    return report
