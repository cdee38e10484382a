"""The docstring examples of the foundation modules run as tests (from the project root, as a user would).

Only the modules listed here: every module with examples can be added (a global ``--doctest-modules`` would
also import modules that have none, and would depend on the directory pytest is started from).
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
    "labelkit.formats",
    "labelkit.formats.base",
    "labelkit.formats.coco_build",
    "labelkit.formats.coco_names",
    "labelkit.formats.coco_text",
    "labelkit.formats.voc",
    "labelkit.formats.voc_masks",
    "labelkit.formats.voc_parse",
    "labelkit.formats.voc_values",
    "labelkit.formats.voc_write",
    "labelkit.formats.yolo",
    "labelkit.formats.yolo_layout",
    "labelkit.formats.yolo_lines",
    "labelkit.formats.yolo_media",
    "labelkit.formats.yolo_numbers",
    "labelkit.formats.yolo_parse",
    "labelkit.formats.yolo_write",
    "labelkit.io",
    "labelkit.model.dataset",
    "labelkit.model.geometry",
    "labelkit.model.rle",
    "labelkit.model.tables",
    "labelkit.model.trace",
    "labelkit.split.assign",
    "labelkit.split.core",
    "labelkit.split.hashing",
    "labelkit.split.lockfile",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples name fixtures/... relative to the project root
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
