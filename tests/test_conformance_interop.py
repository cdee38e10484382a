"""Conformance: the corpus's COCO, YOLO and Pascal VOC files (../shared/corpus) converted to each of the three.

What a conversion says it wrote is what a reader reads back, and labelkit's own output is a fixed point: written
again in its format, it loses nothing and gives the same bytes (so a report line names every change, once).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import labelkit
from labelkit.errors import InputError


def _entries(corpus: Path) -> list[dict[str, Any]]:
    entries = json.loads((corpus / "MANIFEST.json").read_text())
    return [e for e in entries if e["format"] in ("coco", "yolo", "voc")]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("target", ["coco", "yolo", "voc"])
def test_corpus_files_convert_to_what_a_reader_reads_back_and_write_again_unchanged(
    corpus: Path, tmp_path: Path, target: str
) -> None:
    checked = 0
    for n, entry in enumerate(_entries(corpus)):
        source = corpus / entry["path"]
        try:
            labelkit.load(source, entry["format"])
        except InputError:  # (panoptic files, configs without their images: clear errors, tested elsewhere)
            continue
        out, again = tmp_path / f"{n}", tmp_path / f"{n}-again"
        report = labelkit.convert(source, out, to=target, allow_loss=True)
        written = {k: v for k, v in report.written.items() if v and k != "label files"}
        assert labelkit.load(out, target).report_counts() == written, (entry["path"], target)
        second = labelkit.convert(out, again, to=target)  # (refused on any loss)
        assert second.written == report.written, (entry["path"], target)
        assert _files(again) == _files(out), (entry["path"], target)
        checked += 1
    assert checked >= 40
