"""Honesty of cross-format writes: what COCO, labelkit JSON and Parquet cannot hold is reported, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

import labelkit
from labelkit.model import Category, Dataset, Item, Media


def test_coco_reports_item_metadata_named_as_its_image_fields(tmp_path: Path) -> None:
    """Metadata keyed ``id``, ``file_name``, ``width`` or ``height`` was left out of the image record without a
    word (the image's own fields take those names); it is reported lost now, once per item."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for i, metadata in enumerate(({"id": 7, "license": 1}, {"width": 3}, {"license": 2}, {"note": {"id": 1}})):
        ds.add_item(Item(id=str(i + 1), media=Media(path=f"{i}.jpg", width=5, height=5), metadata=metadata))
    reason = "a COCO image's id, file_name, width and height are its own: those metadata values are not written"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "coco").lost] == [
        ("items with metadata named id, file_name, width or height", 2, reason)
    ]
    with pytest.raises(labelkit.DataLossError):
        labelkit.save(ds, tmp_path / "out", "coco")
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "coco")
    assert [i.metadata for i in back.items()] == [{"license": 1}, {}, {"license": 2}, {"note": {"id": 1}}]
