"""VOC segmentation PNGs painted in a second process give what the threads give, byte for byte; its errors surface."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import labelkit
from labelkit.formats import voc_masks, voc_png_process
from labelkit.model import Category, Dataset, Item, Media, Object
from labelkit.model import geometry as G


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _dataset(seed: int = 7, images: int = 24) -> Dataset:
    """Images with masks of every kind the PNG writer handles, some of them lossy (painted over, too big)."""
    rng = np.random.default_rng(seed)
    ds = Dataset(categories=[Category(id=1, name="cat"), Category(id=2, name="dog"), Category(id=5, name="bird")])
    for n in range(images):
        h, w = int(rng.integers(3, 12)), int(rng.integers(3, 12))
        sized = n % 5 != 4  # every fifth image has no size: its PNGs take its masks' size
        meta = {"voc:void": G.mask_to_rle(rng.random((h, w)) < 0.1)} if n % 3 == 0 else {}
        ds.add_item(
            Item(
                id=f"img{n:02d}",
                media=Media(path=f"img{n:02d}.jpg", width=w if sized else None, height=h if sized else None),
                split="train" if n % 2 else "val",
                metadata=meta,
            )
        )
        for k in range(int(rng.integers(1, 5))):
            cell = G.mask_to_rle(rng.random((h, w)) < 0.4)
            mask = {"size": (h, w), "counts": cell["counts"]}
            extras = {"voc:semantic": True} if k == 3 else {}
            boxed = k != 2  # a mask without a box: a mask-only object
            ds.add(
                Object(
                    id=f"{n}-{k}",
                    item_id=f"img{n:02d}",
                    category_id=int(rng.choice([1, 2, 5])),
                    bbox=(0.0, 0.0, 2.0, 2.0) if boxed else None,
                    mask=mask,
                    extras=extras,
                )
            )
        if sized:  # a polygon, painted under masks=all
            ds.add(
                Object(
                    id=f"{n}-p",
                    item_id=f"img{n:02d}",
                    category_id=2,
                    bbox=(0.0, 0.0, 2.0, 2.0),
                    polygon=[[0.0, 0.0, float(w - 1), 0.0, 0.0, float(h - 1)]],
                )
            )
    return ds


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_pngs_painted_in_a_process_are_the_threads_pngs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, masks: str
) -> None:
    ds = _dataset()
    threads = labelkit.save(ds, tmp_path / "threads", "voc", allow_loss=True, masks=masks)
    batches: list[int] = []
    submit = voc_png_process.PngProcess.submit

    def counted(self: voc_png_process.PngProcess, path: Path, jobs: list) -> None:
        batches.append(len(jobs))
        submit(self, path, jobs)

    monkeypatch.setattr(voc_masks, "PROCESS_MIN_IMAGES", 1)
    monkeypatch.setattr(voc_png_process.PngProcess, "submit", counted)
    process = labelkit.save(ds, tmp_path / "process", "voc", allow_loss=True, masks=masks)
    assert batches == [24]  # one chunk: every image has a PNG
    assert _files(tmp_path / "process") == _files(tmp_path / "threads")
    assert len([f for f in _files(tmp_path / "threads") if f.startswith("SegmentationClass/")]) == 24
    assert process.lost and process.lost == threads.lost  # (painted over, void pixels: found while painting)
    assert process.transformed == threads.transformed and process.written == threads.written


def test_without_an_interpreter_to_start_the_threads_paint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _dataset(images=6)
    labelkit.save(ds, tmp_path / "threads", "voc", allow_loss=True)
    monkeypatch.setattr(voc_masks, "PROCESS_MIN_IMAGES", 1)
    monkeypatch.setattr(voc_png_process.sys, "executable", "")
    labelkit.save(ds, tmp_path / "fallback", "voc", allow_loss=True)
    assert _files(tmp_path / "fallback") == _files(tmp_path / "threads")


def _masks(cells: dict) -> voc_masks.ImageMasks:
    classes = voc_masks.PaletteClasses({1: 1}, {1: "cat"}, bytes(768))
    return voc_masks.ImageMasks(cells, {}, [0], [1], [], {0: 1}, classes)


def test_an_error_in_the_process_is_raised_in_the_caller_without_a_child_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    for kind in ("SegmentationClass", "SegmentationObject"):
        (tmp_path / kind).mkdir()
    good = G.mask_to_rle(np.ones((2, 3), dtype=bool))
    pool = voc_png_process.PngProcess()
    pool.submit(tmp_path, [("a", (2, 3), _masks({0: good}))])
    pool.submit(tmp_path, [("a", (2, 3), _masks({0: good}))])  # (the file exists: create_file refuses it)
    with pytest.raises(FileExistsError) as err:
        pool.results()
    assert err.value.filename == f"{tmp_path}{os.sep}SegmentationClass/a.png"
    assert pool._child.returncode is not None  # (stopped: nothing more is written)
    assert capfd.readouterr().err == ""


def test_a_process_that_dies_is_an_os_error_naming_what_ended(tmp_path: Path) -> None:
    pool = voc_png_process.PngProcess()
    pool._child.kill()
    pool.submit(tmp_path, [("a", (2, 3), _masks({}))])
    with pytest.raises(OSError, match=r"^the process painting segmentation PNGs ended unexpectedly \(exit code -9\)"):
        pool.results()


def test_stopping_early_ends_the_process(tmp_path: Path) -> None:
    pool = voc_png_process.PngProcess()
    pool.submit(tmp_path / "missing", [("a", (2, 3), _masks({}))])
    pool.stop()
    pool.stop()  # (twice: nothing happens)
    assert pool._child.returncode is not None
