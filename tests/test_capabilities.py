import labelkit
from labelkit.model import Category, Dataset, Item, Media, Object


def _dataset() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=5, height=5)))
    for i in range(5):
        extras = {"coco:area": i * 1.5 - 3, "coco:iscrowd": 0, "x:7y": "t:1,"}
        if i % 2:
            extras["voc:pose"] = "Left"
        ds.add(Object(id=str(i), item_id="1", category_id=1, bbox=(0, 0, 1, 1), extras=extras))
    return ds


def test_foreign_extras_are_counted_per_key() -> None:
    notes = labelkit.plan(_dataset(), "voc").notes
    assert [n for n in notes if "annotations carry" in n] == [
        "5 object annotations carry 'coco:area', which Pascal VOC does not keep",
        "5 object annotations carry 'coco:iscrowd', which Pascal VOC does not keep",
        "5 object annotations carry 'x:7y', which Pascal VOC does not keep",
    ]


def test_read_counts_come_from_the_tables() -> None:
    report = labelkit.plan(_dataset(), "parquet")
    assert report.read == {"items": 1, "object annotations": 5}
    assert report.lost == [] and report.notes == []
