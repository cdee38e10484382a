"""VOC -> VOC gives back corners written with every digit (labelkit.formats.voc_values.corners_as_read)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.model import Dataset
from labelkit.model import geometry as G

_BOX = "<xmin>{}</xmin><ymin>{}</ymin><xmax>{}</xmax><ymax>{}</ymax>"


def _folder(root: Path, boxes: list[list[float]]) -> Path:
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    objects = "".join(
        f"<object><name>a</name><bndbox>{_BOX.format(*map(repr, box))}</bndbox></object>" for box in boxes
    )
    (root / "Annotations" / "x.xml").write_text(
        f"<annotation><filename>x.jpg</filename><size><width>641</width><height>479</height><depth>3</depth>"
        f"</size>{objects}</annotation>"
    )
    (root / "ImageSets" / "Main" / "train.txt").write_text("x\n")
    return root


def _corners(path: Path) -> list[float]:
    return [float(v) for v in re.findall(r"<[xy]m(?:in|ax)>([^<]*)<", path.read_text())]


_CORNER = st.floats(1.0, 400.0)


@st.composite
def _boxes(draw: st.DrawFn) -> list[list[float]]:
    out = []
    for _ in range(draw(st.integers(1, 8))):
        x0, y0 = draw(_CORNER), draw(_CORNER)
        out.append([x0, y0, x0 + draw(st.floats(0.0, 300.0)), y0 + draw(st.floats(0.0, 300.0))])
    return out


@settings(max_examples=60, deadline=None)
@given(_boxes())
def test_corners_with_every_digit_come_back(tmp_path_factory: pytest.TempPathFactory, boxes: list[list[float]]) -> None:
    """Before: about one corner in 2,000 came back a float away (77.6840601509805 as 77.68406015098049)."""
    root = _folder(tmp_path_factory.mktemp("voc") / "in", boxes)
    report = labelkit.save(labelkit.load(root), root.parent / "out", "voc")
    assert _corners(root.parent / "out" / "Annotations" / "x.xml") == [v for box in boxes for v in box]
    assert report.lost == []


_READ = [119.79556694614756, 14.149463358668845, 203.42623649200107, 77.6840601509805]
"""Corners whose ``ymax`` a write from the box gave back a float away (77.68406015098049)."""


def test_the_corners_kept_are_the_reader_s_bookkeeping(tmp_path: Path) -> None:
    dataset = labelkit.load(_folder(tmp_path / "in", [_READ, [1.0, 2.0, 30.0, 40.0]]))
    assert dataset.table("objects")["extras"].to_pylist() == [
        '{"voc:@corners":[119.79556694614756,14.149463358668845,203.42623649200107,77.6840601509805]}',
        None,
    ]
    labelkit.save(dataset, tmp_path / "x.json", "labelkit")  # (labelkit JSON keeps them)
    labelkit.save(labelkit.load(tmp_path / "x.json"), tmp_path / "again", "voc")
    assert _corners(tmp_path / "again" / "Annotations" / "x.xml") == [*_READ, 1.0, 2.0, 30.0, 40.0]
    for target in ("coco", "yolo"):  # (no other format holds them, and none reports them: they are the same box)
        report = labelkit.save(dataset, tmp_path / target, target, allow_loss=True)
        assert not [e for e in report.lost if "voc" in e.what] and not [n for n in report.notes if "voc:@" in n]


def test_an_object_changed_since_is_written_from_its_box(tmp_path: Path) -> None:
    dataset = labelkit.load(_folder(tmp_path / "in", [_READ]))
    (obj,) = dataset.objects()
    assert "voc:@corners" in obj.extras
    moved = Dataset(categories=dataset.categories)
    for item in dataset.items():
        moved.add_item(item)
    box = (10.0, 1.0, 90.0, obj.bbox[3])  # (the height as read, from another corner)
    moved.add(obj.model_copy(update={"bbox": box}))
    labelkit.save(moved, tmp_path / "out", "voc")
    written = _corners(tmp_path / "out" / "Annotations" / "x.xml")
    assert written[:3] == [11.0, 2.0, 100.0] and written[3] != _READ[3]
    assert G.voc_to_xywh(*written) == box


def test_whole_corners_keep_nothing(tmp_path: Path) -> None:
    dataset = labelkit.load(_folder(tmp_path / "in", [[1.0, 2.0, 30.0, 40.0], [1.5, 2.25, 3.5, 40.0]]))
    assert dataset.table("objects")["extras"].null_count == 2


_TEXTS = {"name": "cat", "pose": "Left", "truncated": "1", "difficult": "0", "xmin": "1", "ymin": "2", "xmax": "5"}
_TEXTS |= {"ymax": "6.5", "filename": "a.jpg", "width": "8", "height": "6", "depth": "3", "segmented": "0"}


def _nestings(tags: list[str], texts: dict[str, str] = _TEXTS) -> list[str]:
    """Every tree of these elements in this document order (its child counts in preorder), each element's text
    before its children."""
    shapes: list[list[int]] = []

    def grow(counts: list[int], open_slots: int) -> None:
        if len(counts) == len(tags):
            if open_slots == 0:
                shapes.append(counts)
            return
        if counts and open_slots == 0:
            return
        for k in range(len(tags) - len(counts)):
            grow([*counts, k], (open_slots - 1 if counts else 0) + k)

    grow([], 1)

    def xml(counts: list[int]) -> str:
        at = iter(range(len(tags)))

        def element() -> str:
            i = next(at)
            inner = "".join(element() for _ in range(counts[i]))
            return f"<{tags[i]}>{texts.get(tags[i], '')}{inner}</{tags[i]}>"

        return element()

    return [xml(counts) for counts in shapes]


def test_an_object_of_the_usual_tags_nested_otherwise_is_read_as_the_full_reader_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual object's shape is looked up by its elements' tags in document order and checked by two child
    counts (the object's, the box's), and a file's by its tags and every child count: each of the 4,862 trees
    those tags make, after a usual object, reads as the full reader reads it (the same objects and unread
    elements, or the same error)."""
    from labelkit.errors import InputError
    from labelkit.formats import voc_parse, voc_plain

    tags = ["object", "name", "pose", "truncated", "difficult", "bndbox", "xmin", "ymin", "xmax", "ymax"]
    objects = _nestings(tags)
    usual = "<object><name>cat</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult><bndbox>"
    usual += "<xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>6.5</ymax></bndbox></object>"
    assert len(objects) == 4862 and usual in objects

    def read(xml: str) -> object:
        try:
            item = voc_parse.parse_annotation(f"<annotation>{usual}{xml}</annotation>".encode(), tmp_path / "a.xml")
        except InputError as exc:
            return (exc.message, exc.location.element, exc.found)
        return (item.objects, item.unread)

    voc_plain._PLANS.clear()
    voc_plain._FILE_PLANS.clear()
    objects.remove(usual)
    objects.insert(0, usual)  # (first: the file of two usual objects, its shape kept, is the others' tags too)
    fast = [read(xml) for xml in objects]
    assert voc_plain._PLANS[tuple(tags)] is not None  # (the usual object's shape, looked up for each tree)
    assert list(voc_plain._FILE_PLANS.values()) != [None]  # (and the file's, its child counts compared)
    monkeypatch.setattr(voc_parse, "_plain_object", lambda node, *_: None)
    assert fast == [read(xml) for xml in objects]
    assert sum(isinstance(r[0], list) and len(r[0]) == 2 for r in fast) > 1  # (some other trees read too)


def test_a_file_of_the_tags_of_one_read_before_nested_otherwise_is_read_as_the_first_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is unread of the root and of ``<size>`` is kept by the file's tags and child counts in document order
    (the tree): each of the 429 trees of a file's eight tags, after the usual file of those tags, reads as it
    reads with nothing kept (the same item, unread elements, or error)."""
    from labelkit.errors import InputError
    from labelkit.formats import voc_parse

    tags = ["annotation", "filename", "size", "width", "height", "depth", "segmented", "extra"]
    files = _nestings(tags)
    usual = "<annotation><filename>a.jpg</filename><size><width>8</width><height>6</height><depth>3</depth>"
    usual += "</size><segmented>0</segmented><extra></extra></annotation>"
    assert len(files) == 429 and usual in files
    files.remove(usual)
    files.insert(0, usual)

    def read(xml: str) -> object:
        try:
            item = voc_parse.parse_annotation(xml.encode(), tmp_path / "a.xml")
        except InputError as exc:
            return (exc.message, exc.location.element, exc.found)
        return (item.filename, item.width, item.height, item.metadata, item.objects, item.unread)

    voc_parse._SHAPES.clear()
    kept = [read(xml) for xml in files]
    assert [lens for lens, _, _ in voc_parse._SHAPES.values()] == [(4, 0, 3, 0, 0, 0, 0, 0)]  # (the usual file's)
    assert kept[0] == ("a.jpg", 8, 6, {"voc:depth": 3, "voc:segmented": 0}, [], ["annotation/extra"])
    voc_parse._SHAPES.clear()
    monkeypatch.setattr(voc_parse, "_MAX_SHAPES", 0)
    assert kept == [read(xml) for xml in files]
    assert sum(not isinstance(r[0], str) or r[0] == "a.jpg" for r in kept) > 1  # (some other trees read too)


def test_a_file_of_many_objects_is_read_object_by_object_and_its_shape_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of more than 1,024 elements (about 100 objects) keeps no shape, so that the shapes kept stay small
    whatever the files; its objects are read one by one, as the full reader reads them."""
    from labelkit.formats import voc_parse, voc_plain

    box = "<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>{}</xmax><ymax>6.5</ymax></bndbox>"
    objects = "".join(f"<object><name>c{k % 3}</name>{box.format(5 + k)}</object>" for k in range(300))
    data = f"<annotation><size><width>8</width><height>6</height></size>{objects}</annotation>".encode()
    voc_parse._SHAPES.clear()
    voc_plain._FILE_PLANS.clear()
    item = voc_parse.parse_annotation(data, tmp_path / "a.xml")
    assert not voc_parse._SHAPES and not voc_plain._FILE_PLANS
    assert len(item.objects) == 300 and item.objects[299]["bbox"] == (0.0, 1.0, 304.0, 5.5)
    monkeypatch.setattr(voc_parse, "_plain_object", lambda node, *_: None)
    full = voc_parse.parse_annotation(data, tmp_path / "a.xml")
    assert (item.objects, item.unread) == (full.objects, full.unread)
