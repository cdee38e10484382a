"""The docstring examples of labelkit's modules run as tests (from the project root, as a user would).

The modules are listed (a global ``--doctest-modules`` would also import modules that have none, and would
depend on the directory pytest is started from), and a test checks that every module with examples is.
"""

from __future__ import annotations

import doctest
import importlib

import pytest
from conftest import ROOT

MODULES = [
    "labelkit",
    "labelkit.api",
    "labelkit.errors",
    "labelkit.file_batches",
    "labelkit.formats",
    "labelkit.formats.base",
    "labelkit.formats.capability",
    "labelkit.formats.crowd",
    "labelkit.formats.native",
    "labelkit.formats.native_categories",
    "labelkit.formats.parquet",
    "labelkit.formats.coco_build",
    "labelkit.formats.coco_categories",
    "labelkit.formats.coco_names",
    "labelkit.formats.coco_schema",
    "labelkit.formats.coco_geometry",
    "labelkit.formats.coco_shapes",
    "labelkit.formats.coco_fields",
    "labelkit.formats.coco_heads",
    "labelkit.formats.coco_ids",
    "labelkit.formats.coco_homes",
    "labelkit.formats.coco_text",
    "labelkit.formats.coco_runs",
    "labelkit.formats.coco_tasks",
    "labelkit.formats.voc",
    "labelkit.formats.voc_images",
    "labelkit.formats.voc_masks",
    "labelkit.formats.voc_parse",
    "labelkit.formats.voc_plain",
    "labelkit.formats.voc_values",
    "labelkit.formats.voc_lists",
    "labelkit.formats.voc_sets",
    "labelkit.formats.voc_names",
    "labelkit.formats.voc_xml",
    "labelkit.formats.yolo_list_files",
    "labelkit.formats.yolo_folders",
    "labelkit.formats.yolo_keypoints",
    "labelkit.formats.yolo_layout",
    "labelkit.formats.yolo_listing",
    "labelkit.formats.yolo_yaml",
    "labelkit.formats.yolo_lines",
    "labelkit.formats.yolo_media",
    "labelkit.formats.yolo_numbers",
    "labelkit.formats.yolo_parse",
    "labelkit.formats.yolo_write",
    "labelkit.io",
    "labelkit.json_checks",
    "labelkit.json_places",
    "labelkit.json_repeats",
    "labelkit.model.dataset",
    "labelkit.model.batches",
    "labelkit.model.geometry",
    "labelkit.model.trig",
    "labelkit.model.raster",
    "labelkit.model.records",
    "labelkit.model.rle",
    "labelkit.model.tables",
    "labelkit.model.stats",
    "labelkit.model.trace",
    "labelkit.portable",
    "labelkit.portable_lengths",
    "labelkit.split.assign",
    "labelkit.split.core",
    "labelkit.split.hashing",
    "labelkit.split.inputs",
    "labelkit.split.lockfile",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples name fixtures/... relative to the project root
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_every_module_with_examples_is_listed() -> None:
    """A module whose docstrings hold examples (``>>>``) is in MODULES, so its examples run."""
    with_examples = set()
    for path in (ROOT / "labelkit").rglob("*.py"):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            with_examples.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert sorted(with_examples - set(MODULES)) == []
