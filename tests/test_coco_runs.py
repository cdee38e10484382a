"""COCO RLEs of uncompressed counts decoded many at once (coco_runs) agree with the one-by-one decode."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.formats.coco_runs import listed_runs


def _rle(counts: Any, size: Any = (2, 3), **more: Any) -> bytes:
    return json.dumps({"size": list(size), "counts": counts, **more}).encode()


def test_listed_runs_decodes_lists_and_leaves_strings() -> None:
    r = listed_runs([_rle([1, 4, 1]), _rle("15"), b'{"counts": [ 6 ], "size": [2, 3]}', _rle([])])
    assert r is not None
    assert r.listed.tolist() == [True, False, True, True]
    assert (r.heights.tolist(), r.widths.tolist()) == ([2, 2, 2], [3, 3, 3])
    assert (r.offsets.tolist(), r.values.tolist(), r.sums.tolist()) == ([0, 3, 4, 4], [1, 4, 1, 6], [6, 6, 0])
    assert r.column().to_pylist()[1] == {"height": 2, "width": 3, "counts": None, "runs": [6]}
    blank = listed_runs([b'{"size": [0, 3], "counts": [' + b" " * 12 + b"]}"])  # (no counts: not one of 0)
    assert blank is not None and (blank.offsets.tolist(), blank.values.tolist()) == ([0, 0], [])
    null = listed_runs([_rle(None)])  # (counts of another type: decoded one by one, which names it)
    assert null is not None and null.listed.tolist() == [False] and len(null.heights) == 0


@pytest.mark.parametrize(
    "raw",
    [
        _rle([1.0, 5]),  # a float: msgspec names it
        _rle([-1, 7]),  # a sign of the file's own
        _rle([[6]]),  # nested
        _rle([6], extra=1),  # a field no RLE has: a read note
        _rle([12345678901, 1]),  # eleven digits
        _rle([2**31, 1]),  # no mask that fits has such a run
        _rle([6], size=(2, -3)),
        b'{"size": [2, 3], "counts": [1,\t\t\t\t\t\t]}',
        b'{"size": [2, 3], "counts": null, "counts": [6]}',  # (the first value is refused one by one; raw: the last)
        b'{"size": [2, 3], "c\\u006funts": [6]}',  # (an escape could spell a key twice)
    ],
)
def test_listed_runs_leaves_the_unusual_to_the_one_by_one_decode(raw: bytes) -> None:
    assert listed_runs([_rle([6]), raw]) is None


def _coco(segmentations: list[tuple[Any, int]]) -> dict[str, Any]:
    return {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 3, "height": 2},
            {"id": 2, "file_name": "b.jpg", "width": 0, "height": 0},  # (of unknown size)
        ],
        "annotations": [
            {"id": i, "image_id": image, "category_id": 1, "iscrowd": 1, "segmentation": seg, "bbox": [0, 0, 1, 1]}
            for i, (seg, image) in enumerate(segmentations, 1)
        ],
        "categories": [{"id": 1, "name": "c"}],
    }


def _both_ways(path: Path) -> tuple[Any, Any]:
    """(findings, mask column) read with the bulk decode and without it."""
    out = []
    for bulk in (True, False):
        with mock.patch("labelkit.formats.coco_objects.listed_runs", listed_runs if bulk else lambda raws: None):
            findings = [(f.where, f.message) for f in labelkit.validate(path)]
            masks = labelkit.load(path, skip_invalid=True).table("objects")["mask"].to_pylist()
        out.append((findings, masks))
    return out[0], out[1]


def test_findings_of_the_bulk_decode_are_those_of_the_one_by_one(tmp_path: Path) -> None:
    doc = _coco(
        [
            ({"size": [2, 3], "counts": [1, 4, 1]}, 1),
            ({"size": [2, 3], "counts": [1, 4]}, 1),  # adds up to 5
            ({"size": [3, 3], "counts": [9]}, 1),  # not the image's size
            ({"size": [3, 3], "counts": [8]}, 2),  # (an image of unknown size) adds up to 8
            ({"size": [50000, 50000], "counts": [7]}, 2),  # too large for pycocotools
            ({"size": [2, 3], "counts": "06"}, 1),
            ({"size": [2, 3], "counts": []}, 1),
        ]
    )
    path = tmp_path / "instances_default.json"
    path.write_text(json.dumps(doc))
    bulk, alone = _both_ways(path)
    assert bulk == alone
    assert [m for _, m in bulk[0]] == [
        "RLE counts add up to 5, not 6 (height x width)",
        "RLE size [3, 3] differs from the image's [2, 3]",
        "RLE counts add up to 8, not 9 (height x width)",
        "RLE counts cannot hold a 50000 x 50000 mask: 2**31 pixels or more, and pycocotools counts runs in 32 bits",
        "RLE counts add up to 0, not 6 (height x width)",
    ]
    assert [w.rsplit("#", 1)[1] for w, _ in bulk[0]] == [
        "/annotations/1/segmentation/counts",
        "/annotations/2/segmentation/size",
        "/annotations/3/segmentation/counts",
        "/annotations/4/segmentation/counts",
        "/annotations/6/segmentation/counts",
    ]


_COUNTS = st.lists(st.integers(0, 8), max_size=6) | st.lists(st.integers(0, 2**40), min_size=1, max_size=2)
_RLES = st.tuples(
    st.one_of(_COUNTS, st.sampled_from(["06", "15", "0"])),
    st.sampled_from([(2, 3), (3, 3), (1, 1)]),
    st.sampled_from([1, 2]),
)


@settings(max_examples=60, deadline=None)
@given(rles=st.lists(_RLES, min_size=1, max_size=8), indent=st.sampled_from([None, 1]))
def test_bulk_and_one_by_one_decodes_agree(rles: list[tuple[Any, tuple[int, int], int]], indent: int | None) -> None:
    doc = _coco([({"size": list(size), "counts": counts}, image) for counts, size, image in rles])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instances_default.json"
        path.write_text(json.dumps(doc, indent=indent))
        bulk, alone = _both_ways(path)
    assert bulk == alone
