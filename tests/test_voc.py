"""Pascal VOC: XML fields and flags, image sets, labelmap, masks, safety, bad input, corpus counts."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import (
    FIXTURES,
    assert_cli_refuses_then_writes,
    beside_ids,
    canonical,
    deep_path,
    dry_run_loses_as_the_write,
    room_below,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

import labelkit
from labelkit.cli import cli
from labelkit.errors import DataLossError, InputError, OutputError
from labelkit.formats import voc, voc_check_masks, voc_images, voc_masks, voc_parse, voc_sets
from labelkit.formats.voc_names import KEEP_IDS
from labelkit.model import Category, Dataset, DatasetInfo, Item, Label, Media, Object, Rle, raster
from labelkit.model import geometry as G
from labelkit.report import Report


def make_dataset() -> Dataset:
    cats = [Category(id=8, name="cat"), Category(id=15, name="person"), Category(id=40, name="forklift truck")]
    ds = Dataset(categories=cats, info=DatasetInfo(extras={KEEP_IDS: True}))  # (as read from VOC: ids kept)
    ds.add_item(
        Item(id="2007_000001", media=Media(path="JPEGImages/2007_000001.jpg", width=20, height=10), split="train")
    )
    ds.add_item(Item(id="sub/b", media=Media(path="JPEGImages/b.png", width=8, height=6), split="val"))
    ds.add_item(Item(id="empty", media=Media(path="JPEGImages/empty.jpg", width=8, height=6), split="val"))
    ds.add(
        Object(
            id="1",
            item_id="2007_000001",
            category_id=8,
            bbox=(0.0, 1.0, 3.0, 3.0),
            occluded=True,
            extras={"voc:pose": "Left", "voc:truncated": 1, "voc:difficult": 1},
        ),
        Object(
            id="2",
            item_id="2007_000001",
            category_id=15,
            bbox=(3.0, 4.0, 3.0, 3.0),
            attributes={"helmet": True, "age": 3, "note": "a <b> & c"},
            extras={
                "voc:parts": [{"name": "head", "bbox": [4.5, 5.0, 3.0, 3.0]}],
                "voc:actions": {"jumping": 1, "phoning": 0},
            },
        ),
        Object(id="3", item_id="sub/b", category_id=40, bbox=(0.5, 0.25, 2.0, 3.0)),
        Label(id="1", item_id="2007_000001", category_id=8),
        Label(id="2", item_id="sub/b", category_id=8, extras={"voc:difficult": 1}),
    )
    return ds


def test_round_trip_keeps_flags_parts_actions_attributes_and_unknown_classes(write_read) -> None:
    ds = make_dataset()
    assert canonical(write_read(ds, "voc")) == canonical(ds)


def test_voc_corners_are_one_based_inclusive(tmp_path: Path) -> None:
    labelkit.save(make_dataset(), tmp_path / "o", "voc")
    xml = (tmp_path / "o/Annotations/2007_000001.xml").read_text()
    assert "<xmin>1</xmin>\n      <ymin>2</ymin>\n      <xmax>3</xmax>\n      <ymax>4</ymax>" in xml
    assert "<occluded>1</occluded>" in xml and "<difficult>1</difficult>" in xml and "<pose>Left</pose>" in xml
    sub = (tmp_path / "o/Annotations/sub/b.xml").read_text()
    assert "<name>forklift truck</name>" in sub and "<xmin>1.5</xmin>" in sub and "<xmax>2.5</xmax>" in sub
    assert G.voc_to_xywh(1, 2, 3, 4) == (0.0, 1.0, 3.0, 3.0)


def test_image_sets_and_class_lists(tmp_path: Path) -> None:
    labelkit.save(make_dataset(), tmp_path / "o", "voc")
    main = tmp_path / "o/ImageSets/Main"
    assert (main / "train.txt").read_text() == "2007_000001\n"
    assert (main / "val.txt").read_text() == "sub/b\nempty\n"
    assert (main / "cat_val.txt").read_text() == "sub/b  0\nempty -1\n"
    assert (tmp_path / "o/ImageSets/Action/train.txt").read_text() == "2007_000001\n"
    # the person, the image's second XML object, is jumping and not phoning (VOC2012's per-action lists)
    assert (tmp_path / "o/ImageSets/Action/jumping_train.txt").read_text() == "2007_000001 2  1\n"
    assert (tmp_path / "o/ImageSets/Action/phoning_train.txt").read_text() == "2007_000001 2 -1\n"
    assert (tmp_path / "o/ImageSets/Layout/train.txt").read_text() == "2007_000001\n"
    labelmap = (tmp_path / "o/labelmap.txt").read_text().splitlines()
    assert labelmap[1] == "# labelkit-category-ids: 8,15,40" and labelmap[2] == "# labelkit-reader-parts: head"
    assert labelmap[5].startswith("forklift truck:")


def _masked_dataset() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="JPEGImages/m.jpg", width=6, height=4), split="train"))
    a = np.zeros((4, 6), dtype=bool)
    a[0:2, 0:3] = True
    b = np.zeros((4, 6), dtype=bool)
    b[2:4, 3:6] = True
    ds.add(
        Object(id="1", item_id="m", category_id=1, bbox=(0.0, 0.0, 3.0, 2.0), mask=_rle(a)),
        Object(id="2", item_id="m", category_id=2, bbox=(3.0, 2.0, 3.0, 2.0), mask=_rle(b)),
    )
    return ds


def _rle(mask: np.ndarray) -> dict:
    cell = raster.mask_to_rle(mask)
    return {"size": (cell["height"], cell["width"]), "counts": cell["counts"]}


def test_masks_become_palette_pngs_and_come_back(tmp_path: Path, write_read) -> None:
    ds = _masked_dataset()
    assert canonical(write_read(ds, "voc")) == canonical(ds)
    labelkit.save(ds, tmp_path / "o", "voc")
    obj = Image.open(tmp_path / "o/SegmentationObject/m.png")
    cls = Image.open(tmp_path / "o/SegmentationClass/m.png")
    assert obj.mode == "P" and cls.mode == "P"
    assert np.asarray(obj).tolist()[0] == [1, 1, 1, 0, 0, 0] and np.asarray(obj)[3, 5] == 2
    assert np.asarray(cls)[3, 5] == 2 and cls.getpalette()[6:9] == [0, 128, 0]


def test_semantic_only_masks_are_per_class_objects(tmp_path: Path) -> None:
    root = tmp_path / "sem"
    (root / "SegmentationClass").mkdir(parents=True)
    (root / "ImageSets/Segmentation").mkdir(parents=True)
    values = np.zeros((4, 5), dtype=np.uint8)
    values[1:3, 1:4] = 8  # cat in the standard labelmap
    values[0, 0] = 255  # void border
    im = Image.frombytes("P", (5, 4), values.tobytes())
    im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
    im.save(root / "SegmentationClass/x.png")
    (root / "ImageSets/Segmentation/train.txt").write_text("x\n")
    ds = labelkit.load(root, "voc")
    (obj,) = list(ds.objects())
    assert obj.shape == "mask" and obj.extras == {"voc:semantic": True} and obj.bbox == (1.0, 1.0, 3.0, 2.0)
    assert ds.category(obj.category_id or 0).name == "cat"


def test_polygons_need_masks_all(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(width=10, height=10)))
    ds.add(Object(id="1", item_id="p", category_id=1, shape="polygon", bbox=(0, 0, 4, 4), polygon=[[0, 0, 4, 0, 4, 4]]))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "o", "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="all")  # (an XML object reads back drawn as a box)
    assert [c.what for c in report.transformed] == ["polygon objects", "item splits", "polygons"]
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/p.png")).sum() > 0


_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n'
    + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>\n<annotation><filename>&lol9;</filename></annotation>"
)
_REFUSED = "XML with a DTD or entity declarations is refused"


@pytest.mark.parametrize(
    ("xml", "where", "why"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "xx">]>\n<annotation>&x;</annotation>', 2, _REFUSED),
        (_LAUGHS, 2, _REFUSED),
        (b'\n\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation>&x;</annotation>', 3, _REFUSED),
        (b'<!DOCTYPE a [\n<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd">\n%p;\n]>\n<annotation/>', 1, _REFUSED),
        (b'<!DOCTYPE annotation SYSTEM "file:///etc/passwd">\n<annotation/>', 1, _REFUSED),
        (b"<annotation>\n  <filename>&xxe;</filename>\n</annotation>", 2, "invalid XML: undefined entity"),
        (b"<annotation>\n  <filename>a.jpg</filename>\n  <object>\n    <name>cat", 4, "invalid XML: no element found"),
        # was: internal error (LookupError)
        (b'<?xml version="1.0" encoding="nan"?>\n<annotation/>', 1, "invalid XML: unknown encoding: nan"),
    ],
    ids=[
        "bomb",
        "billion-laughs",
        "external-entity",
        "external-parameter-entity",
        "external-dtd",
        "undeclared-entity",
        "truncated",
        "unknown-encoding",
    ],
)
def test_unsafe_or_truncated_xml_is_an_input_error(tmp_path: Path, xml: bytes, where: int, why: str) -> None:
    """The error names the file and line, and says why: a DTD or entity is refused as such (never expanded, nor
    fetched), not reported as some other parse error a non-defused parser would also give."""
    (tmp_path / "ds/Annotations").mkdir(parents=True)
    (tmp_path / "ds/Annotations/a.xml").write_bytes(xml)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "ds", "voc")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "ds/Annotations/a.xml"), where)
    assert err.value.message.startswith(why)
    run = CliRunner().invoke(cli, ["convert", str(tmp_path / "ds"), str(tmp_path / "out"), "--to", "coco"])
    assert (run.exit_code, run.output.count("\n")) == (2, 1)
    assert run.output.startswith(f"labelkit: error: {tmp_path / 'ds/Annotations/a.xml'}:{where}: {why}")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("body", "element"),
    [
        ("<object><bndbox><xmin>1</xmin></bndbox></object>", "annotation/object[1]/name"),
        ("<object><name>a</name></object>", "annotation/object[1]/bndbox"),
        (
            "<object><name>a</name><bndbox><xmin>1</xmin><ymin>x</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object>",
            "annotation/object[1]/bndbox/ymin",
        ),
        ("<object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax></bndbox></object>", None),
        (  # xmax below xmin: was read, and written to COCO that labelkit's COCO reader refused
            "<object><name>a</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object>",
            "annotation/object[1]/bndbox",
        ),
    ],
)
def test_missing_or_bad_fields_name_the_element(tmp_path: Path, body: str, element: str | None) -> None:
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(f"<annotation><filename>a.jpg</filename>{body}</annotation>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.location.element == (element or "annotation/object[1]/bndbox/ymax")


@pytest.mark.parametrize(
    ("body", "element"),
    [
        ("<object><name><i>cat</i></name>{box}</object>", "annotation/object[1]/name"),
        ("<object><name>a</name><pose><b>Left</b></pose>{box}</object>", "annotation/object[1]/pose"),
        (
            "<object><name>a</name><part><name><i>head</i></name>{box}</part>{box}</object>",
            "annotation/object[1]/part[1]/name",
        ),
    ],
)
def test_a_field_whose_text_is_all_inside_an_element_is_an_error_at_it(tmp_path: Path, body: str, element: str) -> None:
    """``<name><i>cat</i></name>`` read class ``""`` (a read note named the unread ``name/i``), where
    ``<name>c<i>a</i>t</name>`` and ``<xmin><i>1</i></xmin>`` are errors: the class was dropped all but unsaid."""
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox>"
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(f"<annotation>{body.format(box=box)}</annotation>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.location.element == element
    assert err.value.message.endswith(f"> holds its text inside <{'b' if 'pose' in element else 'i'}>")


@pytest.mark.parametrize("media", ["copy", "link"])
def test_an_image_whose_jpegimages_file_is_a_folder_on_another_s_way_is_a_planned_loss(
    tmp_path: Path, media: str
) -> None:
    """Items of images a/sub.jpg and JPEGImages/sub.jpg/x.jpg write JPEGImages/sub.jpg and JPEGImages/sub.jpg/x.jpg:
    a plan and a dry run passed, and the write failed with 'cannot write: File exists', blaming the file system."""
    for rel in ("a/sub.jpg", "JPEGImages/sub.jpg/x.jpg"):
        (tmp_path / "media" / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(tmp_path / "media" / rel)
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for item, rel in (("p", "a/sub.jpg"), ("q", "JPEGImages/sub.jpg/x.jpg")):
        ds.add_item(Item(id=item, media=Media(path=rel, width=20, height=10), split="train"))
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)))
    options = {"media": media, "media_root": str(tmp_path / "media")}
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "voc", **options).lost]
    assert lost == [("items whose files are another item's", 1), ("object annotations on them", 1)]
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True, **options)
    assert [(c.what, c.count) for c in report.lost] == lost
    assert [i.id for i in labelkit.load(tmp_path / "out", "voc").items()] == ["sub"]  # (p, named after its image)


@pytest.mark.parametrize(
    ("ymin", "message"),
    [
        ("<ymin/>", "<ymin> holds no number"),
        ("<ymin>  </ymin>", "<ymin> holds no number"),
        ("<ymin><v>1</v></ymin>", "<ymin> holds its text inside <v> (found '1')"),
        ("<ymin><v/></ymin>", "<ymin> holds no number (found <v>)"),
        ("", "missing <ymin>"),
        # (read as 3: the 4 after <v/> was dropped unsaid)
        ("<ymin>3<v/>4</ymin>", "<ymin> holds text after <v> inside it (found '34')"),
    ],
)
def test_a_corner_that_is_there_but_holds_no_number_is_not_called_missing(
    tmp_path: Path, ymin: str, message: str
) -> None:
    """<ymin><v>1</v></ymin> (a number inside another element) and <ymin/> were both 'missing <ymin>'."""
    (tmp_path / "Annotations").mkdir()
    box = f"<bndbox><xmin>1</xmin>{ymin}<xmax>2</xmax><ymax>3</ymax></bndbox>"
    (tmp_path / "Annotations/a.xml").write_text(f"<annotation><object><name>a</name>{box}</object></annotation>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert str(err.value) == f"{tmp_path / 'Annotations/a.xml'} <annotation/object[1]/bndbox/ymin>: {message}"


@pytest.mark.parametrize(
    ("xml", "element", "message"),
    [
        (
            "<size><width>64<b/>0</width><height>4</height></size>",
            "annotation/size/width",
            "<width> holds text after <b> inside it",
        ),
        (
            "<object><name>a</name><difficult>1<i/>1</difficult></object>",
            "annotation/object[1]/difficult",
            "<difficult> holds text after <i> inside it",
        ),
    ],
)
def test_a_number_that_goes_on_after_an_element_inside_it_is_an_error(
    tmp_path: Path, xml: str, element: str, message: str
) -> None:
    """<width>64<b/>0</width> was read as 64 (and <difficult>1<i/>1</difficult> as 1): the text after the element
    inside was dropped, unsaid."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(f"<annotation><filename>a.jpg</filename>{xml}</annotation>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert (err.value.location.element, err.value.message) == (element, message)


_BOX = "<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>4</xmax><ymax>4</ymax></bndbox>"
_PART = "<part><name>head</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></part>"


def _attribute(name: str, value: str) -> str:
    return f"<attribute><name>{name}</name><value>{value}</value></attribute>"


_O = "annotation/object[1]"
_AFTER_BOX = "</bndbox>"


@pytest.mark.parametrize(
    ("xml", "element", "message"),
    [
        ("<filename>a<q>b</q>.jpg</filename>", "annotation/filename", "<filename> holds text after <q> inside it"),
        ("<folder>a<b/>c</folder>", "annotation/folder", "<folder> holds text after <b> inside it"),
        ("<path>a<b/>c</path>", "annotation/path", "<path> holds text after <b> inside it"),
        ("<segmented>1<b/>1</segmented>", "annotation/segmented", "<segmented> holds text after <b> inside it"),
        ("<size><depth>3<b/>3</depth></size>", "annotation/size/depth", "<depth> holds text after <b> inside it"),
        ("<source>text<database>x</database></source>", "annotation/source", "<source> holds text beside its fields"),
        ("<owner><name>x</name>tail</owner>", "annotation/owner", "<owner> holds text beside its fields"),
        ("<source><db>a<b/>c</db></source>", "annotation/source/db", "<db> holds text after <b> inside it"),
        (f"<object><name>c<i>a</i>t</name>{_BOX}</object>", f"{_O}/name", "<name> holds text after <i> inside it"),
        (f"<object><name>a</name><pose>Le<q/>ft</pose>{_BOX}</object>", f"{_O}/pose", "<pose> holds text after <q>"),
        (
            f"<object><name>a</name>{_BOX}<part><name>ha<q/>nd</name>{_BOX}</part></object>",
            f"{_O}/part[1]/name",
            "<name> holds text after <q> inside it",
        ),
        (
            f"<object><name>a</name>{_BOX}<attributes>{_attribute('k<q/>ey', 'v')}</attributes></object>",
            f"{_O}/attributes/attribute[1]/name",
            "<name> holds text after <q> inside it",
        ),
        (
            f"<object><name>a</name>{_BOX}<attributes>{_attribute('k', 'v<q/>w')}</attributes></object>",
            f"{_O}/attributes/attribute[1]/value",
            "<value> holds text after <q> inside it",
        ),
    ],
)
def test_a_text_that_goes_on_after_an_element_inside_it_is_an_error(
    tmp_path: Path, xml: str, element: str, message: str
) -> None:
    """<name>c<i>a</i>t</name> was class 'c' (and <pose>Le<q/>ft</pose> pose 'Le', <source>text<database>..
    lost 'text'): the text after the element inside (or beside the fields) was dropped, unsaid, as a number's was."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(f"<annotation>{xml}</annotation>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.location.element == element
    assert err.value.message.startswith(message)


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        (_AFTER_BOX, _AFTER_BOX + _BOX, f"{_O}/bndbox[2]"),
        ("<xmin>1</xmin>", "<xmin>1</xmin><xmin>2.5</xmin>", f"{_O}/bndbox/xmin[2]"),
        ("<name>forklift truck</name>", "<name>forklift truck</name><name>cat</name>", f"{_O}/name[2]"),
        (
            "<filename>y.png</filename>",
            "<filename>y.png</filename><filename>z.png</filename>",
            "annotation/filename[2]",
        ),
        ("<width>4</width>", "<width>4</width><width>400</width>", "annotation/size/width[2]"),
        ("<pose>Unspecified</pose>", "<pose>Left</pose><pose>Right</pose>", f"{_O}/pose[2]"),
        (_AFTER_BOX, _AFTER_BOX + _PART.replace("</name>", "</name><name>hand</name>"), f"{_O}/part[1]/name[2]"),
        (_AFTER_BOX, f"{_AFTER_BOX}<actions><jump>1</jump><jump>0</jump></actions>", f"{_O}/actions/jump[2]"),
        (_AFTER_BOX, f"{_AFTER_BOX}<point><x>1</x><x>2</x><y>1</y></point>", f"{_O}/point/x[2]"),
        ("<segmented>0</segmented>", "<source><db>a</db><db>b</db></source>", "annotation/source/db[2]"),
        (
            _AFTER_BOX,
            f"{_AFTER_BOX}<attributes><attribute><name>a</name><value>1</value><value>2</value></attribute></attributes>",
            f"{_O}/attributes/attribute[1]/value[2]",
        ),
    ],
    ids=["bndbox", "xmin", "name", "filename", "width", "pose", "part-name", "action", "point", "source", "value"],
)
def test_a_repeated_element_is_an_error_naming_it(tmp_path: Path, old: str, new: str, element: str) -> None:
    """The model holds one value: the first copy was read and the others dropped without a word."""
    xml = (FIXTURES / "voc/golden/default/Annotations/x/y.xml").read_text()
    assert old in xml
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/y.xml").write_text(xml.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert (err.value.location.path, err.value.location.element) == (str(tmp_path / "Annotations/y.xml"), element)
    assert err.value.message == "repeated element"


def test_a_repeated_attribute_name_is_an_error_naming_it(tmp_path: Path) -> None:
    """The later value replaced the earlier one without a word."""
    attrs = (
        f"<attributes>{_attribute('color', 'red')}{_attribute('size', '3')}{_attribute('color', 'blue')}</attributes>"
    )
    xml = f"<annotation><filename>a.jpg</filename><object><name>a</name>{_BOX}{attrs}</object></annotation>"
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(xml)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.location.element == "annotation/object[1]/attributes/attribute[3]/name"
    assert (err.value.message, err.value.found) == ("repeated attribute name", "'color'")


def test_elements_voc_repeats_and_unread_ones_may_repeat(tmp_path: Path) -> None:
    """Objects, parts and attributes are lists; elements not read are counted in a read note, repeated or not."""
    box = _BOX.replace("4", "3")
    second = _PART.replace("head", "hand")
    attrs = f"<attributes>{_attribute('a', '1')}{_attribute('b', 'x')}</attributes>"
    body = f"<object><name>a</name>{box}{_PART}{second}{attrs}<track_id>1</track_id><track_id>2</track_id></object>"
    xml = f"<annotation><filename>a.jpg</filename>{body}<object><name>b</name>{_BOX}</object></annotation>"
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/a.xml").write_text(xml)
    objects = sorted(labelkit.load(tmp_path, "voc").objects(), key=lambda o: o.id)
    assert [(o.bbox, o.attributes) for o in objects] == [
        ((-1.0, -1.0, 4.0, 4.0), {"a": 1, "b": "x"}),
        ((-1.0, -1.0, 5.0, 5.0), {}),
    ]
    assert [p["name"] for p in objects[0].extras["voc:parts"]] == ["head", "hand"]
    item = voc_parse.parse_annotation(xml.encode(), tmp_path / "a.xml")
    assert item.unread == ["object/track_id", "object/track_id"]


def test_cli_validate_and_convert_refuse_a_repeated_bndbox(tmp_path: Path) -> None:
    """validate said ok and convert wrote the first box, the second dropped."""
    xml = (FIXTURES / "voc/golden/default/Annotations/x/y.xml").read_text().replace("</bndbox>", "</bndbox>" + _BOX)
    (tmp_path / "ds/Annotations").mkdir(parents=True)
    (tmp_path / "ds/Annotations/y.xml").write_text(xml)
    where = f"{tmp_path / 'ds/Annotations/y.xml'} <annotation/object[1]/bndbox[2]>: repeated element"
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "ds")])
    assert (result.exit_code, result.stdout.splitlines()) == (1, [where])
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "ds"), str(tmp_path / "o"), "--to", "labelkit"])
    hint = "; hint: <annotation/object[1]> holds one <bndbox>"
    assert (result.exit_code, result.stderr.splitlines()) == (2, [f"labelkit: error: {where}{hint}"])
    assert not (tmp_path / "o").exists()


def test_cli_bad_xml_exits_2_and_leaves_no_output(tmp_path: Path) -> None:
    (tmp_path / "ds/Annotations").mkdir(parents=True)
    (tmp_path / "ds/Annotations/a.xml").write_bytes(b"<annotation><object>")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "ds"), str(tmp_path / "out"), "--to", "yolo"])
    assert result.exit_code == 2 and "a.xml:1" in result.output
    assert not (tmp_path / "out").exists()


def test_unsafe_names_in_lists_are_refused(tmp_path: Path) -> None:
    (tmp_path / "ImageSets/Main").mkdir(parents=True)
    (tmp_path / "ImageSets/Main/train.txt").write_text("../../etc/passwd\n")
    with pytest.raises(InputError):
        labelkit.load(tmp_path, "voc")


@pytest.mark.parametrize(
    "rel", ["Main/train.txt", "Main/cat_train.txt", "Segmentation/train.txt", "Action/train.txt", "Layout/val.txt"]
)
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../../etc/passwd", "unsafe file name '../../etc/passwd'"),
        (".", "a list line names no image"),
        ("./", "a list line names no image"),
    ],
)
def test_a_bad_list_line_is_an_error_at_its_line(tmp_path: Path, rel: str, entry: str, message: str) -> None:
    """An unsafe name's error named no line; '.' (and './') was read as an item named '.'."""
    (tmp_path / "ImageSets" / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "ImageSets/Main").mkdir(exist_ok=True)
    (tmp_path / "ImageSets/Main/train.txt").write_text("a\n")
    value = " 1" if "cat_" in rel else ""
    (tmp_path / "ImageSets" / rel).write_text(f"a{value}\n\n{entry}{value}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.message == message and err.value.found == (repr(entry) if "image" in message else None)
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "ImageSets" / rel), 3)


def test_detect() -> None:
    assert voc.detect(Path("/nonexistent")) is None


def _voc_folder(root: Path, damaged: str, name: str = "1.xml") -> Path:
    """Annotations/ of three valid files and a damaged one, ``name``."""
    good = (FIXTURES / "voc/golden/default/Annotations/x/y.xml").read_text()
    (root / "Annotations").mkdir(parents=True)
    for file in ("1.xml", "2.xml", "3.xml", "4.xml"):
        (root / "Annotations" / file).write_text(damaged if file == name else good)
    return root


@pytest.mark.parametrize("name", ["1.xml", "2.xml", "3.xml", "4.xml"])
def test_a_folder_with_a_damaged_file_is_detected_and_the_damage_named(tmp_path: Path, name: str) -> None:
    """Detection looked at whichever file the folder listed first, and only at files with <filename or <object
    in their first 2 KB: a truncated file listed first made the folder no format's (one of these four is)."""
    root = _voc_folder(tmp_path / "ds", "<annotation><folder>VOC2012</fol", name)
    assert labelkit.detect(root).format == "voc"
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert (err.value.location.path, err.value.location.line) == (str(root / "Annotations" / name), 1)
    assert err.value.message == "invalid XML: unclosed token: line 1, column 27"


def test_a_first_file_opening_no_annotation_still_makes_annotations_voc(tmp_path: Path) -> None:
    """An empty first file made the whole folder undetectable; the error now names it."""
    root = _voc_folder(tmp_path / "ds", "")
    assert (voc.detect(root), labelkit.detect(root).format) == (
        voc.Detection(0.6, "folder with Annotations/*.xml (the first, 1.xml, opens no <annotation>)"),
        "voc",
    )
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert err.value.location.path == str(root / "Annotations/1.xml")


def test_annotations_of_subfolders_only_are_detected(tmp_path: Path) -> None:
    """Annotations/2007/a.xml and Annotations/2012/b.xml, without ImageSets/ (as writing VOC names the items of
    images below JPEGImages/), were no format's: 'no format recognises this input', though --from voc read them."""
    good = (FIXTURES / "voc/golden/default/Annotations/x/y.xml").read_text()
    root = tmp_path / "ds"
    for rel in ("2012/b.xml", "2007/sub/a.xml", "2007/._c.xml"):
        (root / "Annotations" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "Annotations" / rel).write_text(good if "b" in rel or "a" in rel else "")
    assert voc.detect(root) == voc.Detection(0.95, "folder with Annotations/*.xml")
    assert labelkit.load(root).stats().items == 2
    (root / "Annotations/2007/sub/a.xml").write_text("")  # (damaged: still VOC, so that reading names it)
    assert voc.detect(root) == voc.Detection(
        0.6, "folder with Annotations/*.xml (the first, 2007/sub/a.xml, opens no <annotation>)"
    )
    assert voc.detect(tmp_path / "none") is None
    (tmp_path / "empty" / "Annotations" / "x").mkdir(parents=True)
    assert voc.detect(tmp_path / "empty") is None


def test_a_long_head_before_filename_and_objects_is_still_voc(tmp_path: Path) -> None:
    """A valid file whose first 2 KB hold no <filename or <object (a long <source>) made the folder no format's."""
    long_head = "<source>" + "".join(f"<f{k}>{'x' * 50}</f{k}>" for k in range(60)) + "</source>"
    xml = (
        (FIXTURES / "voc/golden/default/Annotations/x/y.xml")
        .read_text()
        .replace("<annotation>", "<annotation>" + long_head)
    )
    root = _voc_folder(tmp_path / "ds", xml)
    assert b"<filename" not in (root / "Annotations/1.xml").read_bytes()[:2048]
    assert voc.detect(root) == voc.Detection(0.95, "folder with Annotations/*.xml")
    assert labelkit.load(root).stats().items == 4
    roboflow = tmp_path / "rf/train"
    roboflow.mkdir(parents=True)
    (roboflow / "a.xml").write_text(xml)
    assert voc.detect(tmp_path / "rf") == voc.Detection(0.7, "folders of VOC XML beside images (Roboflow layout)")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_detected(tmp_path: Path, codec: str) -> None:
    """Detection looked for <annotation in the raw bytes: a UTF-16 file (which the reader reads) was no
    format's, alone or first in a Roboflow split folder."""
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<annotation><filename>a.jpg</filename><object><name>Löwe</name>'
        "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>\n"
    )
    (tmp_path / "rf/train").mkdir(parents=True)
    (tmp_path / "rf/train/a.xml").write_bytes(xml.encode(codec))
    assert voc.detect(tmp_path / "rf/train/a.xml") == voc.Detection(0.7, "XML file with <annotation>")
    assert labelkit.detect(tmp_path / "rf").format == "voc"
    assert [c.name for c in labelkit.load(tmp_path / "rf").categories] == ["Löwe"]


def test_annotation_files_ending_in_upper_case_xml_are_read(tmp_path: Path) -> None:
    """IMG_0001.XML was skipped without a word (its item and objects gone), and a Roboflow folder of them was no
    format's; a.xml beside a.XML would be one item, so it is an error naming the second."""
    xml = "<annotation><filename>{}.jpg</filename><object><name>cat</name>" + _BOX + "</object></annotation>"
    (tmp_path / "voc/Annotations").mkdir(parents=True)
    (tmp_path / "voc/Annotations/IMG_0001.XML").write_text(xml.format("IMG_0001"))
    (tmp_path / "voc/Annotations/b.xml").write_text(xml.format("b"))
    ds = labelkit.load(tmp_path / "voc")
    assert sorted(o.item_id for o in ds.objects()) == ["IMG_0001", "b"]
    (tmp_path / "rf/train").mkdir(parents=True)
    (tmp_path / "rf/train/a.XML").write_text(xml.format("a"))
    assert [i.id for i in labelkit.load(tmp_path / "rf").items()] == ["a"]
    (tmp_path / "voc/Annotations/IMG_0001.xml").write_text(xml.format("IMG_0001"))
    with pytest.raises(InputError, match="a second annotation file of item 'IMG_0001' \\(first IMG_0001.XML\\)") as err:
        labelkit.load(tmp_path / "voc")
    assert err.value.location.path == str(tmp_path / "voc/Annotations/IMG_0001.xml")


def test_segmentation_pngs_ending_in_upper_case_png_are_read(tmp_path: Path) -> None:
    """x.PNG was skipped without a word: the object came without its mask."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "SegmentationObject").mkdir()
    xml = "<annotation><filename>x.jpg</filename><size><width>5</width><height>4</height></size>"
    (tmp_path / "Annotations/x.xml").write_text(xml + "<object><name>cat</name>" + _BOX + "</object></annotation>")
    values = np.zeros((4, 5), dtype=np.uint8)
    values[1:3, 1:4] = 1
    im = Image.frombytes("P", (5, 4), values.tobytes())
    im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
    im.save(tmp_path / "SegmentationObject/x.PNG", format="PNG")
    (obj,) = labelkit.load(tmp_path, "voc").objects()
    assert obj.mask is not None and obj.mask.model_dump() == _rle(values == 1)
    im.save(tmp_path / "SegmentationObject/x.png")
    with pytest.raises(InputError, match="a second SegmentationObject PNG of one image") as err:
        labelkit.load(tmp_path, "voc")
    assert err.value.location.path == str(tmp_path / "SegmentationObject/x.png")


def test_corpus_entries_import_with_manifest_counts(corpus: Path) -> None:
    entries = [e for e in json.loads((corpus / "MANIFEST.json").read_text()) if e["format"] == "voc"]
    assert len(entries) == 4
    for entry in entries:
        expect, ref = entry["expect"], entry["reference"]
        ds = labelkit.load(corpus / entry["path"], "voc")
        boxes = [o for o in ds.objects() if o.shape == "box"]
        assert len(boxes) == expect["objects"], entry["path"]
        per_class: dict[str, int] = {}
        for o in boxes:
            name = ds.category(o.category_id or 0).name
            per_class[name] = per_class.get(name, 0) + 1
        assert per_class == expect["objects_per_class"]
        for flag in ("difficult", "truncated"):
            assert sum(1 for o in boxes if o.extras.get(f"voc:{flag}")) == expect[flag]
        assert sum(1 for o in boxes if o.occluded) == expect["occluded"]
        assert sum(len(o.extras.get("voc:parts", [])) for o in boxes) == expect["parts"]
        assert sum(1 for o in boxes if "voc:actions" in o.extras) == expect["objects_with_actions"]
        assert ds.stats().items_by_split == ref["subsets"]
        sizes = {i.id: [i.media.width, i.media.height] for i in ds.items() if i.id in expect["image_sizes"]}
        assert sizes == expect["image_sizes"]
        if "labelmap_labels" in expect:
            assert [c.name for c in ds.categories] == expect["labelmap_labels"]
        if expect.get("SegmentationObject_pngs"):
            assert sum(1 for o in ds.objects() if o.mask is not None) == ref["annotations_by_type"]["mask"]


@pytest.mark.parametrize("media", ["copy", "link", "none"])
def test_media_copy_puts_images_in_jpegimages(tmp_path: Path, media: str) -> None:
    """copy writes each image's bytes, link a symbolic link to the image in media_root (it was not tested),
    none no image at all; the labels read back the same every way."""
    src = tmp_path / "src"
    (src / "JPEGImages").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(src / "JPEGImages/2007_000001.jpg")
    Image.new("RGB", (8, 6)).save(src / "JPEGImages/b.png")
    Image.new("RGB", (8, 6)).save(src / "JPEGImages/empty.jpg")
    out = tmp_path / "o"
    labelkit.save(make_dataset(), out, "voc", media=media, media_root=str(src))
    assert canonical(labelkit.load(out, "voc")) == canonical(make_dataset())
    if media == "none":
        assert not (out / "JPEGImages").exists()
        return
    images = sorted((out / "JPEGImages").iterdir())
    assert [p.name for p in images] == ["2007_000001.jpg", "b.png", "empty.jpg"]
    for image in images:
        original = src / "JPEGImages" / image.name
        assert image.is_symlink() == (media == "link"), image.name
        assert image.read_bytes() == original.read_bytes()
        if media == "link":
            assert image.resolve() == original.resolve()


# -- void pixels (255) in segmentation PNGs -------------------------------------------------------------


def _save_png(values: np.ndarray, path: Path) -> None:
    im = Image.frombytes("P", (values.shape[1], values.shape[0]), values.tobytes())
    im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
    im.save(path)


def _void_folder(root: Path) -> Path:
    """Three images with palette PNGs and the standard labelmap (class PNG values are then kept as they are).

    ``a``: a cat and a person, a 255 border round the cat and a 255 "difficult" blob, the same in both
    PNGs. ``b``: the object PNG lacks the blob (the two voids differ). ``c``: no object, only void.
    """
    for sub in ("Annotations", "SegmentationClass", "SegmentationObject", "ImageSets/Main", "ImageSets/Segmentation"):
        (root / sub).mkdir(parents=True)
    for task in ("Main", "Segmentation"):
        (root / f"ImageSets/{task}/train.txt").write_text("a\nb\nc\n")
    palette = voc.voc_palette()
    (root / "labelmap.txt").write_text(
        "".join(f"{n}:{','.join(map(str, palette[i]))}::\n" for i, n in enumerate(voc.VOC_CLASSES))
    )
    cls = np.zeros((10, 12), dtype=np.uint8)
    obj = np.zeros_like(cls)
    cls[2:5, 2:5], obj[2:5, 2:5] = 8, 1  # cat
    cls[6:9, 6:11], obj[6:9, 6:11] = 15, 2  # person
    for png in (cls, obj):
        png[1, 1:6] = png[5, 1:6] = png[1:6, 1] = png[1:6, 5] = 255  # border round the cat
        png[8:10, 0:3] = 255  # a "difficult" region
    boxes = "".join(
        f"<object><name>{n}</name><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax>"
        "</bndbox></object>"
        for n, x0, y0, x1, y1 in (("cat", 3, 3, 5, 5), ("person", 7, 7, 11, 9))
    )
    obj_b = obj.copy()
    obj_b[8:10, 0:3] = 0
    void_only = np.where(cls == 255, 255, 0).astype(np.uint8)
    for name, c, o, body in (("a", cls, obj, boxes), ("b", cls, obj_b, boxes), ("c", void_only, void_only, "")):
        _save_png(c, root / f"SegmentationClass/{name}.png")
        _save_png(o, root / f"SegmentationObject/{name}.png")
        size = "<size><width>12</width><height>10</height><depth>3</depth></size><segmented>1</segmented>"
        (root / f"Annotations/{name}.xml").write_text(
            f"<annotation><filename>{name}.jpg</filename>{size}{body}</annotation>"
        )
    return root


def _pngs_equal(a: Path, b: Path, names: list[str]) -> None:
    for kind in ("SegmentationClass", "SegmentationObject"):
        for name in names:
            before = np.array(Image.open(a / kind / f"{name}.png"))
            after = np.array(Image.open(b / kind / f"{name}.png"))
            assert np.array_equal(before, after), f"{kind}/{name}.png"
            assert (after == 255).any() and Image.open(b / kind / f"{name}.png").mode == "P"


@pytest.mark.parametrize("zebra", ["boxed", "painted"])
def test_a_class_outside_voc_beside_painted_voc_classes_keeps_their_png_values(zebra: str, tmp_path: Path) -> None:
    """No labelmap, cat and dog painted (values 8 and 12), a zebra box: VOC -> VOC wrote a labelmap.txt and
    renumbered the class PNG by its lines (cat 1, dog 2), and so recoloured it (VOC's aeroplane and bicycle),
    unsaid. Read back alike, the zebra needs no labelmap (it comes from its XML as id 21); painted, it does."""
    src = tmp_path / "src"
    for sub in ("Annotations", "SegmentationClass", "SegmentationObject", "ImageSets/Main", "ImageSets/Segmentation"):
        (src / sub).mkdir(parents=True)
    for task in ("Main", "Segmentation"):
        (src / f"ImageSets/{task}/train.txt").write_text("x\n")
    cls = np.array([[8, 8, 12, 12, 0], [8, 8, 12, 12, 0]], np.uint8)
    obj = np.array([[1, 1, 2, 2, 0], [1, 1, 2, 2, 0]], np.uint8)
    if zebra == "painted":
        cls[:, 4], obj[:, 4] = 22, 3  # (value 22 is no VOC class: a labelmap must name it)
    _save_png(cls, src / "SegmentationClass/x.png")
    _save_png(obj, src / "SegmentationObject/x.png")
    boxes = "".join(
        f"<object><name>{n}</name><bndbox><xmin>{x0}</xmin><ymin>1</ymin><xmax>{x1}</xmax><ymax>2</ymax></bndbox>"
        "</object>"
        for n, x0, x1 in (("cat", 1, 2), ("dog", 3, 4), ("zebra", 5, 5))
    )
    size = "<size><width>5</width><height>2</height><depth>3</depth></size><segmented>1</segmented>"
    (src / "Annotations/x.xml").write_text(f"<annotation><filename>x.jpg</filename>{size}{boxes}</annotation>")
    if zebra == "painted":
        palette = voc.voc_palette()
        names = [*voc.VOC_CLASSES, "horse2", "zebra"]
        (src / "labelmap.txt").write_text(
            "".join(f"{n}:{','.join(map(str, palette[i]))}::\n" for i, n in enumerate(names))
        )
    ds = labelkit.load(src, "voc")
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == [] and beside_ids(report.transformed) == []
    assert (tmp_path / "out/labelmap.txt").exists() == (zebra == "painted")
    for kind, values in (("SegmentationClass", cls), ("SegmentationObject", obj)):
        assert np.array_equal(np.array(Image.open(tmp_path / "out" / kind / "x.png")), values), kind
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(c.id, c.name) for c in back.categories] == [(c.id, c.name) for c in ds.categories]
    if zebra == "boxed":
        assert [(c.id, c.name) for c in ds.categories] == [(8, "cat"), (12, "dog"), (21, "zebra")]
    assert canonical(back) == canonical(ds)


def test_void_pixels_are_item_metadata_and_come_back_pixel_identical(tmp_path: Path) -> None:
    src = _void_folder(tmp_path / "src")
    ds = labelkit.load(src, "voc")
    meta = {i.id: i.metadata for i in ds.items()}
    assert set(meta["a"]) == {"voc:void"} and set(meta["c"]) == {"voc:void"}
    assert {"voc:void_class", "voc:void_object"} <= set(meta["b"]) and "voc:void" not in meta["b"]
    cell = meta["a"]["voc:void"]
    assert set(cell) == {"height", "width", "counts"} and (cell["height"], cell["width"]) == (10, 12)
    expected = np.array(Image.open(src / "SegmentationClass/a.png")) == 255
    assert np.array_equal(raster.rle_to_mask(cell).astype(bool), expected)
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == [] and report.transformed == []
    _pngs_equal(src, tmp_path / "out", ["a", "b", "c"])
    again = labelkit.load(tmp_path / "out", "voc")
    assert canonical(again)["items"] == canonical(ds)["items"]


def test_void_mask_of_another_size_is_reported_lost(tmp_path: Path) -> None:
    ds = _masked_dataset()  # one 6 x 4 image
    ds2 = Dataset(categories=list(ds.categories))
    wrong = {k: v for k, v in raster.mask_to_rle(np.ones((3, 3), dtype=bool)).items() if v is not None}
    item = next(ds.items())
    ds2.add_item(Item(id=item.id, media=item.media, split=item.split, metadata={"voc:void": wrong}))
    ds2.add(*ds.objects())
    with pytest.raises(DataLossError) as err:  # found when planning: refused without --allow-loss
        labelkit.save(ds2, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("segmentation void regions", 2)]
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds2, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("segmentation void regions", 2)]
    assert report.lost[0].reason == "the void mask's size differs from the image's"
    for kind in ("SegmentationClass", "SegmentationObject"):
        assert not (np.asarray(Image.open(tmp_path / f"o/{kind}/m.png")) == 255).any()


@pytest.mark.parametrize(
    ("key", "cell", "message"),
    [
        ("voc:void", {"height": 6, "width": 4, "runs": [5, 3]}, "RLE counts add up to 8, not 24"),
        ("voc:void_object", {"height": 6, "width": 4, "counts": "1"}, "RLE counts add up to 1, not 24"),
        ("voc:void_class", {"height": 6, "width": 4, "runs": [5, -3, 22]}, "RLE counts are not COCO's"),
        ("voc:void_class", {"height": 9, "width": 9, "runs": [5]}, "RLE counts add up to 5, not 81"),
    ],
)
def test_voc_refuses_a_void_mask_whose_runs_do_not_make_it(
    tmp_path: Path, key: str, cell: dict[str, object], message: str
) -> None:
    """A short void mask would be painted from uninitialised memory: refused up front, allowed loss or not."""
    ds = _masked_dataset()  # one 6 x 4 image
    ds2 = Dataset(categories=list(ds.categories))
    item = next(ds.items())
    ds2.add_item(Item(id=item.id, media=item.media, split=item.split, metadata={key: cell}))
    ds2.add(*ds.objects())
    with pytest.raises(InputError, match=f"^item {item.id}: {key}: {message}") as err:
        labelkit.save(ds2, tmp_path / "o", "voc", allow_loss=True)
    assert err.value.hint == "fix or drop its void metadata, or -o masks=none"
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds2, tmp_path / "o", "voc", allow_loss=True, masks="none")  # no PNG: nothing to paint
    assert ("segmentation void regions", 1) in [(c.what, c.count) for c in report.lost]


def test_rle_to_mask_refuses_runs_that_do_not_make_the_mask() -> None:
    with pytest.raises(ValueError, match=r"^RLE counts add up to 5, not 12 \(height x width\)$"):
        raster.rle_to_mask({"height": 3, "width": 4, "counts": None, "runs": [2, 3]})
    with pytest.raises(ValueError, match="^RLE counts are not COCO's"):
        raster.rle_to_mask({"height": 3, "width": 4, "counts": "10O", "runs": None})
    assert raster.rle_to_mask({"height": 3, "width": 4, "counts": None, "runs": [2, 3, 7]}).sum() == 3


def test_datasets_without_void_metadata_get_no_void(tmp_path: Path) -> None:
    labelkit.save(_masked_dataset(), tmp_path / "o", "voc")
    for kind in ("SegmentationClass", "SegmentationObject"):
        assert not (np.asarray(Image.open(tmp_path / f"o/{kind}/m.png")) == 255).any()
    assert all(not i.metadata for i in labelkit.load(tmp_path / "o", "voc").items())


def test_masks_none_reports_the_void_regions_lost(tmp_path: Path) -> None:
    src = _void_folder(tmp_path / "src")
    report = labelkit.convert(src, tmp_path / "o", "voc", masks="none", allow_loss=True)
    assert ("segmentation void regions", 3, "masks=none writes no segmentation PNGs") in [
        (c.what, c.count, c.reason) for c in report.lost
    ]
    assert not (tmp_path / "o/SegmentationClass").exists()


def test_void_metadata_to_yolo_is_the_items_with_metadata_loss(tmp_path: Path) -> None:
    src = _void_folder(tmp_path / "src")
    report = labelkit.convert(src, tmp_path / "o", "yolo", allow_loss=True)
    lost = [(c.what, c.count, c.reason) for c in report.lost]
    assert ("items with metadata", 3, "YOLO detect has no item metadata") in lost


def test_void_metadata_is_kept_by_coco_and_comes_back(tmp_path: Path) -> None:
    src = _void_folder(tmp_path / "src")
    report = labelkit.convert(src, tmp_path / "coco", "coco")
    assert report.lost == []
    (annotations,) = (tmp_path / "coco/annotations").glob("*.json")
    images = json.loads(annotations.read_text())["images"]
    assert all("voc:void" in im or "voc:void_class" in im for im in images)
    back = labelkit.load(tmp_path / "coco", "coco")
    voc_ds = labelkit.load(src, "voc")
    assert [i.metadata for i in back.items()] == [i.metadata for i in voc_ds.items()]
    assert labelkit.convert(tmp_path / "coco", tmp_path / "back", "voc").lost == []
    for name in ("a", "b", "c"):  # (COCO's image ids 1, 2, 3: named after their images again)
        for kind in ("SegmentationClass", "SegmentationObject"):
            before = np.array(Image.open(src / kind / f"{name}.png")) == 255
            after = np.array(Image.open(tmp_path / "back" / kind / f"{name}.png")) == 255
            assert np.array_equal(before, after), f"{kind}/{name}.png"


def test_corpus_segmentation_pngs_round_trip_pixel_identical(corpus: Path, tmp_path: Path) -> None:
    entries = [e for e in json.loads((corpus / "MANIFEST.json").read_text()) if e["format"] == "voc"]
    checked = 0
    for n, entry in enumerate(entries):
        src = corpus / entry["path"]
        pngs = sorted(src.glob("Segmentation*/**/*.png"))
        if not pngs:
            continue
        out = tmp_path / f"out{n}"
        labelkit.convert(src, out, "voc", allow_loss=True)
        for png in pngs:
            before, after = Image.open(png), Image.open(out / png.relative_to(src))
            if before.mode == "P":
                assert np.array_equal(np.array(before), np.array(after)), png
            else:  # an RGB PNG comes back as a palette PNG of the same colours
                assert np.array_equal(np.array(before.convert("RGB")), np.array(after.convert("RGB"))), png
            checked += 1
    assert checked == sum(
        e["expect"].get("SegmentationClass_pngs", 0) + e["expect"].get("SegmentationObject_pngs", 0) for e in entries
    )


def test_standard_classes_without_labelmap_keep_their_voc_values(tmp_path: Path) -> None:
    src = _void_folder(tmp_path / "src")
    (src / "labelmap.txt").unlink()  # as VOC2012 ships: class PNG values are the VOC indices (cat 8, person 15)
    ds = labelkit.load(src, "voc")
    assert [(c.id, c.name) for c in ds.categories] == [(8, "cat"), (15, "person")]
    labelkit.save(ds, tmp_path / "out", "voc")
    assert not (tmp_path / "out/labelmap.txt").exists()
    _pngs_equal(src, tmp_path / "out", ["a", "b", "c"])
    assert set(np.unique(np.array(Image.open(tmp_path / "out/SegmentationClass/a.png")))) == {0, 8, 15, 255}
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


def test_standard_classes_in_another_order_get_a_labelmap(tmp_path: Path) -> None:
    """Categories [dog 12, cat 8] had VOC's ids and were written without labelmap.txt: they read back [cat, dog]
    (a read without it lists them by id), unsaid, and COCO -> VOC -> YOLO numbered the classes otherwise than
    COCO -> YOLO. Their order is kept in labelmap.txt."""
    ds = Dataset(categories=[Category(id=12, name="dog"), Category(id=8, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(*(Object(id=str(k), item_id="a", category_id=k, bbox=(1.0, 1.0, 3.0, 3.0)) for k in (12, 8)))
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert report.lost == [] and beside_ids(report.transformed) == []
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 12,8",
        "dog:128,0,0::",
        "cat:0,128,0::",
    ]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.color) for c in back.categories] == [(12, "dog", None), (8, "cat", None)]
    in_order = Dataset(categories=ds.categories[::-1])  # (listed by id: as VOC writes them, no labelmap)
    in_order.add_item(*ds.items())
    in_order.add(*ds.objects())
    labelkit.save(in_order, tmp_path / "by_id", "voc")
    assert not (tmp_path / "by_id/labelmap.txt").exists()


def test_other_classes_get_a_labelmap(tmp_path: Path) -> None:
    ds = labelkit.load(_void_folder(tmp_path / "src"), "voc")  # the labelmap lists all 21 classes
    labelkit.save(ds, tmp_path / "out", "voc")
    assert (tmp_path / "out/labelmap.txt").exists()


def _image_with_masks(*cells: dict, boxed: bool = True) -> Dataset:
    ds = Dataset(categories=[Category(id=8, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
    for i, cell in enumerate(cells):
        rle = {"size": (cell["height"], cell["width"]), "counts": cell["counts"]}
        ds.add(Object(id=str(i), item_id="m", category_id=8, bbox=(0.0, 0.0, 2.0, 2.0) if boxed else None, mask=rle))
    return ds


def test_masks_that_do_not_fit_the_image_are_refused_before_writing(tmp_path: Path) -> None:
    fits = raster.mask_to_rle(np.pad(np.ones((2, 2), dtype=bool), ((0, 2), (0, 4))))
    wrong = raster.mask_to_rle(np.ones((3, 3), dtype=bool))
    with pytest.raises(DataLossError) as err:
        labelkit.save(_image_with_masks(fits, wrong), tmp_path / "o", "voc")
    assert [(c.what, c.count, c.reason) for c in err.value.report.lost] == [
        ("masks", 1, "the mask's size differs from the image's (a PNG has the image's size)")
    ]
    report = labelkit.save(_image_with_masks(fits, wrong), tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("masks", 1)]  # counted once, not again while writing
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/m.png")).max() == 1


def test_more_than_254_instances_on_an_image_are_counted_when_planning() -> None:
    one = raster.mask_to_rle(np.pad(np.ones((1, 1), dtype=bool), ((0, 3), (0, 5))))
    report = labelkit.plan(_image_with_masks(*[one] * 256), "voc")
    assert [(c.what, c.count) for c in report.lost] == [("masks", 2)]


def test_a_mask_without_a_box_goes_to_the_pngs_and_reads_back_as_mask_only(tmp_path: Path) -> None:
    blob = np.zeros((4, 6), dtype=bool)
    blob[1:3, 2:5] = True
    report = labelkit.save(_image_with_masks(raster.mask_to_rle(blob), boxed=False), tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("objects with a mask but no box", 1)]
    assert report.written["object annotations"] == 1  # (in the PNGs only)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "o/SegmentationObject/m.png")) == 1, blob)
    (obj,) = labelkit.load(tmp_path / "o", "voc").objects()
    assert obj.mask is not None and obj.extras.get("voc:mask_only")
    (h, w), counts = obj.mask.size, obj.mask.counts
    assert np.array_equal(raster.rle_to_mask({"height": h, "width": w, "counts": counts}) > 0, blob)


def _blob(rows: slice, cols: slice) -> dict:
    on = np.zeros((4, 6), dtype=bool)
    on[rows, cols] = True
    return raster.mask_to_rle(on)


@pytest.mark.parametrize(
    ("cells", "boxed", "lost", "written"),
    [
        # a later instance paints over part of the first: it reads back smaller
        ([_blob(slice(0, 3), slice(0, 4)), _blob(slice(1, 4), slice(2, 6))], True, [("masks", 1, False)], 2),
        # ... over all of it: the XML object reads back without its mask
        ([_blob(slice(0, 2), slice(0, 2))] * 2, True, [("masks", 1, True)], 2),
        # an empty mask paints nothing
        ([_blob(slice(0, 0), slice(0, 0))], True, [("masks", 1, True)], 1),
        # a mask-only object painted over whole, or empty, does not read back at all: not written
        ([_blob(slice(0, 2), slice(0, 2))] * 2, False, [("objects", 1, True)], 1),
        ([_blob(slice(0, 0), slice(0, 0))], False, [("objects", 1, True)], 0),
        ([_blob(slice(0, 3), slice(0, 4)), _blob(slice(1, 4), slice(2, 6))], False, [("masks", 1, False)], 2),
        # masks that do not touch lose nothing
        ([_blob(slice(0, 2), slice(0, 2)), _blob(slice(2, 4), slice(2, 6))], True, [], 2),
    ],
)
def test_masks_painted_over_in_the_object_png_are_lost_not_written_silently(
    tmp_path: Path, cells: list[dict], boxed: bool, lost: list[tuple[str, int, bool]], written: int
) -> None:
    """VOC's object PNG holds one instance per pixel. Masks painted over by later ones (or empty) used to be
    counted as written, and mask-only objects vanished on reading back, with no word in the report."""
    ds = _image_with_masks(*cells, boxed=boxed)
    if lost:
        with pytest.raises(DataLossError):
            labelkit.save(ds, tmp_path / "refused", "voc")
        assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason == voc_masks.NO_PIXEL_LEFT) for c in report.lost] == lost
    assert report.written["object annotations"] == written
    back = list(labelkit.load(tmp_path / "o", "voc").objects())
    assert len(back) == (len(cells) if boxed else written)
    assert sum(o.mask is not None for o in back) == len(cells) - sum(c for _, c, whole in lost if whole)


def test_void_pixels_over_an_instance_are_a_loss(tmp_path: Path) -> None:
    """Void pixels (255) are painted last: those over an instance take its pixels away."""
    source = _image_with_masks(_blob(slice(0, 2), slice(0, 3)))
    (item,) = source.items()
    ds = Dataset(categories=source.categories)  # the image again, with void pixels over the first column
    ds.add_item(item.model_copy(update={"metadata": {"voc:void": _blob(slice(0, 4), slice(0, 1))}}))
    ds.add(*source.objects())
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("masks", 1, voc_masks.PIXELS_COVERED)]
    png = np.asarray(Image.open(tmp_path / "o/SegmentationObject/m.png"))
    assert png[:, 0].tolist() == [255] * 4 and png[0:2, 1:3].tolist() == [[1, 1], [1, 1]]


_PNG_ONLY = "an object without a box Pascal VOC can write goes to the segmentation PNGs only, which hold no"


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_a_mask_only_object_painted_over_whole_is_counted_once_as_an_object(tmp_path: Path, masks: str) -> None:
    """Two identical mask-only objects: the later one covers the first, which does not read back at all. Its
    attributes, flags, score, extra and polygon had been counted lost before painting, and it was counted written
    to the PNGs only: the report said 2 attribute sets, 2 occluded flags, ... and 1 object lost."""
    masked = _image_with_masks(*[_blob(slice(0, 2), slice(0, 3))] * 2, boxed=False)
    fields = {
        "attributes": {"color": "red"},
        "occluded": True,
        "score": 0.5,
        "polygon": [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0]],
    }
    ds = Dataset(categories=masked.categories, items=list(masked.items()))
    for obj in masked.objects():
        ds.add(obj.model_copy(update={**fields, "extras": {"voc:difficult": 1, "foo": 1}}))
    polygon = (
        ("polygons", 1, "the object's mask is painted, not its polygon")
        if masks == "all"
        else ("polygons", 1, "Pascal VOC cannot hold polygons")
    )
    lost = [
        ("object scores", 1, "Pascal VOC has no scores"),
        (
            "object annotations with the extra 'foo'",
            1,
            "Pascal VOC keeps only voc: extras, and a key without a format's namespace is the user's data",
        ),
        *([polygon] if masks == "auto" else []),
        ("object attribute sets", 1, f"{_PNG_ONLY} attributes"),  # (each was 2)
        ("occluded flags", 1, f"{_PNG_ONLY} occluded flag"),
        ("object annotations' difficult flags (voc:difficult)", 1, f"{_PNG_ONLY} difficult flag"),
        *([polygon] if masks == "all" else []),
        ("objects", 1, voc_masks.NO_PIXEL_LEFT),
    ]
    transformed = [
        (
            "objects with a mask but no box",
            1,  # (was 2)
            "written to the segmentation PNGs only (a Pascal VOC object needs a box); read back as mask-only objects",
        )
    ]
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks=masks)
    assert [(c.what, c.count, c.reason) for c in report.lost] == lost
    assert [(c.what, c.count, c.reason) for c in beside_ids(report.transformed)] == transformed
    assert report.written == {"items": 1, "object annotations": 1}
    [back] = labelkit.load(tmp_path / "o", "voc").objects()
    assert (back.attributes, back.occluded, back.score, back.polygon) == ({}, None, None, None)
    # the CLI prints the same counts
    labelkit.save(ds, tmp_path / "in.labelkit.json", "labelkit")
    args = ["convert", str(tmp_path / "in.labelkit.json"), str(tmp_path / "c"), "--to", "voc", "-o", f"masks={masks}"]
    result = CliRunner().invoke(cli, [*args, "--allow-loss"])
    assert result.exit_code == 0, result.output
    printed = [line for line in result.stdout.splitlines() if line.startswith(("lost: ", "transformed: "))]
    ids = [f"transformed: {c.count} {c.what}: {c.reason}" for c in report.transformed if c.what == "object ids"]
    assert printed == [f"lost: {n} {what}: {why}" for what, n, why in lost] + ids + [
        f"transformed: {n} {what}: {why}" for what, n, why in transformed
    ]


def test_a_mask_only_object_painted_over_whole_is_not_also_counted_painted_with_another_value(tmp_path: Path) -> None:
    """A mask-only object read from value 1 (voc:instance), which the XML object's mask takes, is painted with
    value 2, and counted so; the next mask-only object, of value 5, covers it whole: it is not painted at all."""
    ds = _image_with_masks(_blob(slice(2, 4), slice(3, 6)), *[_blob(slice(0, 2), slice(0, 3))] * 2)
    objects = list(ds.objects())
    ds = Dataset(categories=ds.categories, items=list(ds.items()))
    ds.add(objects[0].model_copy(update={"bbox": (3.0, 2.0, 3.0, 2.0)}))
    for obj, value in zip(objects[1:], (1, 5), strict=True):
        ds.add(obj.model_copy(update={"bbox": None, "extras": {"voc:instance": value}}))
    moved = (
        "masks without an XML object",
        1,
        "their object PNG value (voc:instance) is past 254 or taken by an XML object's mask: painted with the next "
        "free value, which voc:instance reads back as",
    )
    assert moved in [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").transformed]
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("objects", 1, voc_masks.NO_PIXEL_LEFT)]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("objects with a mask but no box", 1)
    ]  # (was 2 and 1)
    back = sorted(o.extras.get("voc:instance", 0) for o in labelkit.load(tmp_path / "o", "voc").objects())
    assert back == [0, 5]


def test_a_polygon_partly_painted_over_is_counted_lost_not_also_rasterised(tmp_path: Path) -> None:
    """With masks=all, a polygon whose raster a later one covers in part reads back as a smaller mask: it is not
    kept in another form, so it is counted lost (refused without --allow-loss), and no longer also rasterised."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(
        Object(id="p", item_id="a", category_id=1, bbox=(1, 1, 4, 4), polygon=[[1, 1, 5, 1, 5, 5, 1, 5]]),
        Object(id="q", item_id="a", category_id=1, bbox=(3, 3, 4, 4), polygon=[[3, 3, 7, 3, 7, 7, 3, 7]]),
    )
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc", masks="all")
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks="all")
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("polygons", 1, voc_masks.PIXELS_COVERED)]
    assert [(c.what, c.count, c.reason) for c in beside_ids(report.transformed)] == [
        ("polygons", 1, voc_masks.RASTERISED)
    ]
    png = np.asarray(Image.open(tmp_path / "o/SegmentationObject/a.png"))
    assert [int((png == value).sum()) for value in (1, 2)] == [12, 16]  # (the first's 16 pixels, 4 painted over)


@pytest.mark.parametrize("sized", [False, True])
def test_an_image_too_large_to_paint_counts_each_instance_once_by_what_it_is(tmp_path: Path, sized: bool) -> None:
    """An image past 2**28 pixels gets no PNG (by its size, or for an image of unknown size its first mask's, which
    gives the PNGs' size). Its mask, rasterised polygon and mask-only object were counted together as 3 masks,
    while the polygon was also counted rasterised, the mask-only object (which does not read back at all) written
    to the PNGs only and its attributes lost; a class-only mask was lost unsaid. The plan of an image of unknown
    size said none of it (it counted a score and attributes of objects not written instead): it says what the write
    says."""
    height, width = 16385, 16384
    big = {"size": (height, width), "counts": [0, 4, height * width - 4]}
    ds = Dataset(categories=[Category(id=1, name="cat")])
    size = {"width": width, "height": height} if sized else {}
    ds.add_item(Item(id="u", media=Media(path="u.jpg", **size), split="train"))
    ds.add(
        Object(id="m", item_id="u", category_id=1, bbox=(0.0, 0.0, 1.0, 4.0), mask=big),
        Object(id="p", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), polygon=[[1.0, 1.0, 4.0, 1.0, 4.0, 4.0]]),
        Object(id="a", item_id="u", category_id=1, mask=big, attributes={"x": "y"}, score=0.5),
        Object(id="s", item_id="u", category_id=1, mask=big, attributes={"x": "y"}, extras={"voc:semantic": True}),
    )
    why = f"the image has more than {voc_masks.MAX_PNG_PIXELS:,} pixels: no segmentation PNG is painted for it"
    lost = [("masks", 1, why), ("polygons", 1, why), ("objects", 2, why)]
    planned = labelkit.plan(ds, "voc", masks="all")
    assert [(c.what, c.count, c.reason) for c in planned.lost] == lost
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks="all")
    assert [(c.what, c.count, c.reason) for c in report.lost] == lost
    assert beside_ids(report.transformed) == []
    assert report.written == {"items": 1, "object annotations": 2}
    assert [o.mask for o in labelkit.load(tmp_path / "o", "voc").objects()] == [None, None]  # (the XML objects)


@pytest.mark.parametrize("sized", [False, True])
def test_an_image_too_large_to_paint_is_not_flagged_or_listed_as_segmented(tmp_path: Path, sized: bool) -> None:
    """An image past 2**28 pixels gets no PNG, yet its XML said ``<segmented>1</segmented>``, ImageSets/Segmentation
    listed it (a segmentation loader then opens a PNG that is not there), empty SegmentationClass/Object folders
    were made and labelmap.txt named a background class; a rewrite of the read-back kept the flag and the list."""
    height, width = 16385, 16384
    ds = Dataset(categories=[Category(id=1, name="cat")])
    size = {"width": width, "height": height} if sized else {}
    ds.add_item(Item(id="u", media=Media(path="u.jpg", **size), split="train"))
    big = {"size": (height, width), "counts": [0, 4, height * width - 4]}
    ds.add(Object(id="m", item_id="u", category_id=1, bbox=(0.0, 0.0, 1.0, 4.0), mask=big))
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert "<segmented>0</segmented>" in (tmp_path / "o/Annotations/u.xml").read_text()
    files = sorted(str(p.relative_to(tmp_path / "o")) for p in (tmp_path / "o").rglob("*"))
    assert files == [
        "Annotations",
        "Annotations/u.xml",
        "ImageSets",
        "ImageSets/Main",
        "ImageSets/Main/train.txt",
        "labelmap.txt",
    ]
    assert "background" not in (tmp_path / "o/labelmap.txt").read_text()


_CORNER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(10**16), 10**16).map(float),
    st.sampled_from([0.0, -0.0, 1e15, 1e15 - 1, 0.5]),
)


@given(
    st.lists(
        st.tuples(st.sampled_from(["cat", "a &amp; b", "dining table"]), st.lists(_CORNER, min_size=4, max_size=4))
    )
)
@settings(max_examples=80, deadline=None)
def test_bulk_plain_objects_are_the_per_object_template(rows: list[tuple[str, list[float]]]) -> None:
    import orjson
    import pyarrow as pa

    from labelkit.formats.voc_xml import PLAIN_OBJECT, number_tokens, plain_objects

    values = np.array([v for _, v in rows], dtype=np.float64).reshape(-1, 4)
    names = [n for n, _ in rows]
    text, starts = plain_objects(pa.array(names, pa.large_string()), values)
    tokens, _ = number_tokens(values)
    # each corner as an integer when it is one (below 1e15), else as orjson writes one float
    assert tokens == [
        str(int(v)) if v == np.floor(v) and abs(v) < 1e15 else orjson.dumps(float(v)).decode() for v in values.ravel()
    ]
    expected = [PLAIN_OBJECT % (n, *tokens[4 * i : 4 * i + 4]) for i, n in enumerate(names)]
    assert text == "".join(expected).encode()
    assert starts == np.concatenate([[0], np.cumsum([len(e.encode()) for e in expected])]).tolist()


def test_images_mixing_plain_and_flagged_objects_round_trip(write_read) -> None:
    ds = make_dataset()
    ds.add(Object(id="4", item_id="2007_000001", category_id=40, bbox=(1.25, 0.0, 2.0, 2.0)))
    ds.add(Object(id="5", item_id="empty", category_id=8, bbox=(1.0, 1.0, 2.0, 2.0)))

    def objects(d: Dataset) -> list[tuple[str, int, list[float], dict[str, object]]]:
        return sorted(
            (a["item_id"], a["category_id"], a["bbox"], a.get("extras", {}))
            for a in canonical(d)["annotations"]
            if a["kind"] == "object"
        )

    back = objects(write_read(ds, "voc"))
    assert back == objects(ds) and len(back) == 5


def test_items_with_foreign_metadata_are_counted_exactly(tmp_path: Path) -> None:
    """Only keys outside voc:* count; an empty object (however written) or voc-only metadata does not."""
    import pyarrow as pa

    texts = [None, "{}", "{ }", '{"voc:folder":"x"}', '{"license":3}', '{"voc:folder":"x","url":"u"}']
    texts += ['{"n":{"voc:a":1}}', '{"\\u0076oc:folder":"x"}']  # an escape that spells voc:folder: not foreign
    items = pa.table({"id": [f"i{k}" for k in range(len(texts))], "metadata": pa.array(texts, pa.string())})
    report = labelkit.plan(Dataset.from_tables({"items": items}), "voc")
    lost = {c.what: c.count for c in report.lost}
    assert lost["items with metadata"] == 3
    labelkit.save(Dataset.from_tables({"items": items}), tmp_path / "o", "voc", allow_loss=True)
    assert "<folder>x</folder>" in (tmp_path / "o/Annotations/i7.xml").read_text()
    assert "<folder>" not in (tmp_path / "o/Annotations/i4.xml").read_text()


def test_voc_refuses_a_mask_whose_runs_do_not_make_it(tmp_path: Path) -> None:
    """A decoder would paint the missing pixels from whatever memory it is given: a different PNG each run."""
    from labelkit.model import Category, Dataset, Item, Media, Object
    from labelkit.model.annotations import Rle

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=3)))
    ds.add(Object(id="ok", item_id="1", category_id=1, shape="mask", mask=Rle(size=(3, 4), counts=[2, 3, 7])))
    ds.add(Object(id="m7", item_id="1", category_id=1, shape="mask", mask=Rle(size=(3, 4), counts=[2, 3])))
    with pytest.raises(InputError, match=r"object m7: RLE counts add up to 5, not 12 \(height x width\)"):
        labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert not (tmp_path / "out").exists()
    labelkit.save(ds, tmp_path / "boxes", "voc", allow_loss=True, masks="none")  # no PNG: nothing to paint


def _named(*names: str) -> Dataset:
    ds = Dataset(categories=[Category(id=i + 1, name=n) for i, n in enumerate(names)])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    for i in range(len(names)):
        ds.add(Object(id=str(i), item_id="a", category_id=i + 1, bbox=(1, 1, 2, 2)))
    return ds


def test_class_names_with_colons_or_empty_read_back(tmp_path: Path) -> None:
    """labelmap.txt fields are ':'-separated: a name holding ':' is read up to the last three fields."""
    report = labelkit.save(_named("rider:bicycle", "x:1,2,3::", ""), tmp_path / "o", "voc")
    assert report.lost == []
    assert any("2 categories have ':' in their names" in n for n in report.notes)
    assert "rider:bicycle:" in (tmp_path / "o" / "labelmap.txt").read_text()
    back = labelkit.load(tmp_path / "o")  # was: an error on the labelmap line, then on <name></name>
    assert [c.name for c in back.categories] == ["rider:bicycle", "x:1,2,3::", ""]
    assert [back.category(o.category_id).name for o in back.objects()] == ["rider:bicycle", "x:1,2,3::", ""]


def test_a_class_name_with_a_line_break_is_reported_and_the_labelmap_still_reads(tmp_path: Path) -> None:
    with pytest.raises(DataLossError) as err:
        labelkit.save(_named("a\nb"), tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("category names with a line break", 1)]
    labelkit.save(_named("a\nb"), tmp_path / "o", "voc", allow_loss=True)
    assert (tmp_path / "o" / "labelmap.txt").read_text().splitlines()[2] == "a b:128,0,0::"
    back = labelkit.load(tmp_path / "o")
    # the XML writes the break as the labelmap does, a space: one class (it kept the break, and read back as a class
    # of its own, which Datumaro refused as undeclared)
    assert [c.name for c in back.categories] == ["a b"]
    assert "<name>a b</name>" in next((tmp_path / "o/Annotations").iterdir()).read_text()


def test_control_characters_are_reported_and_the_xml_still_reads(tmp_path: Path) -> None:
    """XML 1.0 cannot hold them, even escaped: labelkit wrote XML its own reader (and every other) refused."""
    ds = Dataset(categories=[Category(id=1, name="a\x01b"), Category(id=2, name="plain")])
    meta = {"voc:folder": "f\x03", "other": "\x04"}  # 'other' is not written: it does not count
    ds.add_item(Item(id="x", media=Media(path="x\x02.jpg", width=10, height=10), metadata=meta))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1, 1, 2, 2), extras={"voc:pose": "L\x05"}))
    ds.add(Object(id="2", item_id="x", category_id=2, bbox=(1, 1, 2, 2), attributes={"k\x06": "v"}))
    ds.add(Object(id="3", item_id="x", category_id=2, bbox=(1, 1, 2, 2), extras={"coco:x": "\x07"}))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    lost = [(c.what, c.count) for c in err.value.report.lost]
    assert lost[-3:] == [
        ("category names with characters XML cannot hold", 1),
        ("items with characters XML cannot hold", 1),
        ("objects with characters XML cannot hold", 2),
    ]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    xml = (tmp_path / "o" / "Annotations" / "x.xml").read_text(encoding="utf-8")
    assert "<name>a\ufffdb</name>" in xml and "<pose>L\ufffd</pose>" in xml and "<folder>f\ufffd</folder>" in xml
    back = labelkit.load(tmp_path / "o")
    assert [(o.extras.get("voc:pose"), o.attributes) for o in back.objects()] == [
        ("L\ufffd", {}),
        (None, {"k\ufffd": "v"}),
        (None, {}),
    ]


def test_empty_attribute_and_part_names_read_back(tmp_path: Path) -> None:
    """Written as <name></name>, then refused as 'attribute without <name>' (or part)."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=10, height=10)))
    part = {"name": "", "bbox": [1, 1, 1, 1]}
    ds.add(
        Object(id="1", item_id="x", category_id=1, bbox=(1, 1, 2, 2), attributes={"": 1}, extras={"voc:parts": [part]})
    )
    labelkit.save(ds, tmp_path / "o", "voc")
    (obj,) = labelkit.load(tmp_path / "o").objects()
    assert obj.attributes == {"": 1} and obj.extras["voc:parts"] == [part]


def test_image_sides_read_back_to_64_bits(tmp_path: Path) -> None:
    """COCO, YOLO and labelkit JSON take 64-bit sizes; VOC's reader stopped at 2^31 - 1 (was: 'out of range')."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=2**63 - 1, height=3_000_000_000)))
    labelkit.save(ds, tmp_path / "o", "voc")
    (item,) = labelkit.load(tmp_path / "o").items()
    assert (item.media.width, item.media.height) == (2**63 - 1, 3_000_000_000)
    xml = (tmp_path / "o" / "Annotations" / "x.xml").read_text()
    (tmp_path / "o" / "Annotations" / "x.xml").write_text(xml.replace(str(2**63 - 1), str(2**63)))
    with pytest.raises(InputError, match="out of range"):
        labelkit.load(tmp_path / "o")


def test_url_like_item_ids_read_back_as_the_items_written(tmp_path: Path) -> None:
    """Keeping URL-like names as written must stay a COCO file_name matter: here it made two items four."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")], info=DatasetInfo(extras={KEEP_IDS: True}))
    for k, item_id in enumerate(["http://host/a", "ab://h/b"]):
        ds.add_item(Item(id=item_id, media=Media(path=f"p{k}.jpg", width=10, height=10), split="train"))
        ds.add(Object(id=str(k), item_id=item_id, category_id=1, bbox=(1, 1, 2, 2)))
    # ('http:' is no folder name on Windows, which refuses ':' in a name: both items are lost on every machine)
    assert [(c.what, c.count) for c in labelkit.plan(ds, "voc").lost] == [
        ("items whose file names Windows cannot hold", 2),
        ("object annotations on them", 2),
    ]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.media.path) for i in back.items()] == []


def test_images_of_one_name_from_two_folders_are_named_after_their_items(tmp_path: Path) -> None:
    """With media=copy the second image overwrote the first in JPEGImages/a.jpg, silently."""
    from labelkit.model import Category, Dataset, Item, Media

    for folder, colour in (("x", "red"), ("y", "blue")):
        (tmp_path / "m" / folder).mkdir(parents=True)
        Image.new("RGB", (4, 3), colour).save(tmp_path / "m" / folder / "a.png")
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item_id, folder in (("1", "x"), ("2", "y")):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=f"{folder}/a.png", width=4, height=3)))
    report = labelkit.save(ds, tmp_path / "out", "voc", media="copy", media_root=str(tmp_path / "m"))
    assert [(c.what, c.count) for c in report.transformed] == [("image file names", 2)]
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [("1", "JPEGImages/1.png"), ("2", "JPEGImages/2.png")]
    assert Image.open(tmp_path / "out/JPEGImages/1.png").getpixel((0, 0)) == (255, 0, 0)
    assert Image.open(tmp_path / "out/JPEGImages/2.png").getpixel((0, 0)) == (0, 0, 255)


def test_an_image_renamed_into_a_folder_keeps_its_name_when_written_again(tmp_path: Path) -> None:
    """Images of one name renamed after item ids in folders (``x/1.png``) read back as ``JPEGImages/x/1.png``;
    written again they were named by their base name (``1.png``), so VOC -> VOC moved each image, unreported,
    and with media=copy took it out of its folder. A path below ``JPEGImages/`` is now kept whole."""
    media = tmp_path / "m"
    for folder, colour in (("p", "red"), ("q", "blue")):
        (media / folder).mkdir(parents=True)
        Image.new("RGB", (4, 3), colour).save(media / folder / "a.png")
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item_id, folder in (("x/1", "p"), ("y/2", "q")):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=f"{folder}/a.png", width=4, height=3)))
    labelkit.save(ds, tmp_path / "out", "voc", media="copy", media_root=str(media))
    first = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.media.path) for i in first.items()] == [
        ("x/1", "JPEGImages/x/1.png"),
        ("y/2", "JPEGImages/y/2.png"),
    ]
    report = labelkit.convert(tmp_path / "out", tmp_path / "again", to="voc", media="copy", media_root=tmp_path / "out")
    assert report.transformed == []
    assert labelkit.load(tmp_path / "again", "voc").to_dict() == first.to_dict()
    assert "<filename>x/1.png</filename>" in (tmp_path / "again/Annotations/x/1.xml").read_text()
    assert Image.open(tmp_path / "again/JPEGImages/x/1.png").getpixel((0, 0)) == (255, 0, 0)
    assert Image.open(tmp_path / "again/JPEGImages/y/2.png").getpixel((0, 0)) == (0, 0, 255)


@pytest.mark.parametrize(
    ("labels", "splits", "clash"),
    [
        ([("a", "b_c"), ("a_b", "c")], ["b_c", "c"], "a_b_c.txt: would be both the list of class 'a' in split 'b_c'"),
        ([("a", "train")], ["train", "a_train"], "a_train.txt: would be both the list of split 'a_train'"),
        # (a VOC reader took the longest split the name ends with: class dog's label list of split val_train)
        (
            [("dog_val", "train")],
            ["train", "val_train"],
            "dog_val_train.txt: would be the list of class 'dog_val' in split 'train', which a VOC reader takes for "
            "the list of class 'dog' in split 'val_train'",
        ),
        # (no label at all: the split's list of one-word lines was class dog's lacking its values, an error)
        (
            [],
            ["train", "dog_train"],
            "dog_train.txt: would be the list of split 'dog_train', which a VOC reader takes for the list of class "
            "'dog' in split 'train'",
        ),
    ],
)
def test_class_and_split_lists_that_would_be_one_file_are_refused(
    tmp_path: Path, labels: list[tuple[str, str]], splits: list[str], clash: str
) -> None:
    """One folder holds <split>.txt and <class>_<split>.txt: the second file written replaced the first. (Names
    one only on macOS or Windows are a plan-time loss: test_class_lists_one_on_macos_or_windows_are_lost.) Refused
    when planned too, naming the list in the output: a plan (and a dry run) passed where the write was refused."""
    names = sorted({c for c, _ in labels})
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    for k, split in enumerate(splits):
        ds.add_item(Item(id=f"i{k}", split=split, media=Media(path=f"i{k}.jpg", width=4, height=3)))
    for k, (cls, split) in enumerate(labels):
        ds.add(Label(id=str(k), item_id=f"i{splits.index(split)}", category_id=names.index(cls)))
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", "voc")
    assert err.value.one_line().startswith(f"ImageSets/Main/{clash}")  # the output's file
    assert not (tmp_path / "out").exists()
    with pytest.raises(OutputError) as err:
        labelkit.plan(ds, "voc")
    assert err.value.one_line().startswith(f"ImageSets/Main/{clash}")
    labelkit.save(ds, tmp_path / "in.json", "labelkit")
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path / "in.json"), str(tmp_path / "o"), "--to", "voc", "--dry-run"]
    )
    assert (result.exit_code, result.output.startswith(f"labelkit: error: ImageSets/Main/{clash}")) == (2, True)


_LIST_CLASH = (
    "is named after the {0} and split, and names differing only in case are one file on macOS and Windows, names "
    "differing only in Unicode normalisation (NFC and NFD) on macOS: the first by name is written, and a split's own "
    "list before it, on every machine ({1} is written; {2} is not: one on {3})"
)


@pytest.mark.parametrize(
    ("names", "splits", "lost", "kept", "yields", "where", "files"),
    [
        # i0 Cat, i1 cat, i2 both: Cat_train.txt is first by name; cat's labels (i1, i2) are lost
        (
            ("Cat", "cat"),
            ["train"] * 3,
            2,
            "Cat_train.txt",
            "cat_train.txt",
            "macOS and Windows",
            ["Cat_train.txt", "train.txt"],
        ),
        # a split's own list keeps its name (i1's): class A's labels of split train (i0, i2) are lost
        (
            ("A", "b"),
            ["train", "a_train", "train"],
            2,
            "a_train.txt",
            "A_train.txt",
            "macOS and Windows",
            ["A_a_train.txt", "a_train.txt", "b_a_train.txt", "b_train.txt", "train.txt"],
        ),
        (
            ("caf\u00e9", "cafe\u0301"),
            ["val"] * 3,
            2,
            "cafe\u0301_val.txt",  # (NFD's 'e' then U+0301 sorts before NFC's U+00E9)
            "caf\u00e9_val.txt",
            "macOS",
            ["cafe\u0301_val.txt", "val.txt"],
        ),
    ],
    ids=["case", "split-list", "normalisation"],
)
def test_class_lists_one_on_macos_or_windows_are_lost(
    tmp_path: Path,
    names: tuple[str, str],
    splits: list[str],
    lost: int,
    kept: str,
    yields: str,
    where: str,
    files: list[str],
) -> None:
    """Classes Cat and cat wrote ImageSets/Main/Cat_train.txt and cat_train.txt, one file on macOS and Windows:
    refused when writing, after the plan had passed. Now the plan reports the labels of the list that yields
    (refused without allow_loss), and with it that list is not written, on every machine."""
    ds = Dataset(categories=[Category(id=0, name=names[0]), Category(id=1, name=names[1])])
    for n, split in enumerate(splits):
        ds.add_item(Item(id=f"i{n}", split=split, media=Media(path=f"i{n}.jpg", width=4, height=3)))
    for n, (item, cid) in enumerate([("i0", 0), ("i1", 1), ("i2", 0), ("i2", 1)]):
        ds.add(Label(id=str(n), item_id=item, category_id=cid))
    reason = _LIST_CLASH.format("class", ascii(f"ImageSets/Main/{kept}"), ascii(f"ImageSets/Main/{yields}"), where)
    what = "image labels of classes whose ImageSets/Main list is another's on macOS or Windows"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        (what, lost, f"ImageSets/Main/<class>_<split>.txt {reason}")
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert report.written["label annotations"] == 4 - lost
    main = tmp_path / "out/ImageSets/Main"
    assert sorted(p.name for p in main.iterdir()) == files
    back = labelkit.load(tmp_path / "out", "voc")
    assert len(list(back.labels())) == 4 - lost


@settings(max_examples=60, deadline=None)
@given(
    splits=st.lists(st.sampled_from(["train", "val", "trainval", "A_val"]), min_size=1, max_size=5),
    labels=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2), st.booleans()), max_size=10),
    trainval=st.booleans(),
)
def test_class_lists_one_on_macos_or_windows_plan_what_is_written_and_read_back(
    splits: list[str], labels: list[tuple[int, int, bool]], trainval: bool
) -> None:
    """The labels the plan reports lost are those of no list written: the others are written and read back."""
    import tempfile

    from labelkit.model import DatasetInfo

    names = ["a", "b", "B"]  # (b and B: one list on macOS and Windows; a_val.txt: split A_val's)
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)], info=DatasetInfo())
    ds.info.extras["voc:trainval"] = trainval
    for n, split in enumerate(splits):
        ds.add_item(Item(id=f"i{n}", split=split, media=Media(path=f"i{n}.jpg", width=4, height=3)))
    pairs = {(f"i{item % len(splits)}", cid): difficult for item, cid, difficult in labels}
    for n, ((item_id, cid), difficult) in enumerate(pairs.items()):
        ds.add(Label(id=str(n), item_id=item_id, category_id=cid, extras={"voc:difficult": 1} if difficult else {}))
    lost = {c.what: c.count for c in labelkit.plan(ds, "voc").lost}
    unread = lost.pop("image labels of classes whose ImageSets/Main list is another's on macOS or Windows", 0)
    assert lost == {}
    with tempfile.TemporaryDirectory() as tmp:
        report = labelkit.save(ds, Path(tmp) / "out", "voc", allow_loss=True)
        assert report.written.get("label annotations", 0) == len(pairs) - unread
        back = labelkit.load(Path(tmp) / "out", "voc")
        assert len(list(back.labels())) == len(pairs) - unread


def test_a_class_list_of_a_split_with_an_underscore_reads_back_as_its_class(tmp_path: Path) -> None:
    """cat_val_2017.txt was read as class cat_val of split 2017: a new class, silently."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="i", split="val_2017", media=Media(path="i.jpg", width=4, height=3)))
    ds.add(Label(id="1", item_id="i", category_id=0))
    labelkit.save(ds, tmp_path / "out", "voc")
    back = labelkit.load(tmp_path / "out", "voc")
    assert [c.name for c in back.categories] == ["cat"]
    assert [(lab.item_id, lab.category_id) for lab in back.labels()] == [("i", back.categories[0].id)]
    assert [i.split for i in back.items()] == ["val_2017"]


def test_renamed_images_never_take_another_items_name(tmp_path: Path) -> None:
    """q (x/a.jpg) and r (y/a.jpg) are renamed q.jpg and r.jpg: s's own q.jpg must then move too."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item_id, path in (("q", "x/a.jpg"), ("r", "y/a.jpg"), ("s", "q.jpg")):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=4, height=3)))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [("image file names", 3)]
    names = sorted(p.read_text().split("<filename>")[1].split("<")[0] for p in (tmp_path / "out/Annotations").iterdir())
    assert names == ["q.jpg", "r.jpg", "s.jpg"]


def test_rgb_masks_map_through_the_colour_table_a_block_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voc, "_RGB_BLOCK", 7)  # 5 x 4 pixels: blocks of one row
    lookup = {(0, 0, 0): 0, (128, 0, 0): 1, (0, 128, 0): 2, (224, 224, 192): 255}
    rng = np.random.default_rng(3)
    colours = np.array(list(lookup), dtype=np.uint8)
    picks = rng.integers(0, len(colours), size=(5, 4))
    rgb = colours[picks]
    expected = np.array(list(lookup.values()), dtype=np.uint8)[picks]
    assert np.array_equal(voc._rgb_indices(rgb, lookup, Path("m.png")), expected)
    rgb[3, 2] = (1, 2, 3)  # an unknown colour in the fourth block
    with pytest.raises(InputError, match="colour not in the labelmap") as err:
        voc._rgb_indices(rgb, lookup, Path("m.png"))
    assert err.value.found == "(1, 2, 3)"


def _column_mask(k: int) -> dict:
    """A 4x8 image's column k, as an RLE cell of the model."""
    values = np.zeros((4, 8), dtype=bool)
    values[:, k] = True
    return _rle(values)


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.tuples(st.sampled_from(["box", "box+mask", "mask"]), st.sampled_from([1, 2])), max_size=8))
def test_each_mask_comes_back_on_its_own_object(kinds: list[tuple[str, int]], tmp_path_factory) -> None:
    """The i-th XML object's mask is value i in the object PNG; masks without a box come after the XML objects."""
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=8, height=4), split="train"))
    for k, (kind, cls) in enumerate(kinds):
        box = (float(k), 0.0, 1.0, 4.0) if kind != "mask" else None
        mask = _column_mask(k) if kind != "box" else None
        ds.add(Object(id=str(k), item_id="m", category_id=cls, bbox=box, mask=mask))
    out = tmp_path_factory.mktemp("voc") / "o"
    labelkit.save(ds, out, "voc", allow_loss=True)
    back = labelkit.load(out, "voc")

    def masks(d: Dataset) -> list[tuple[str, tuple | None, int, list | None]]:
        rows = []
        for o in d.objects():
            m = None if o.mask is None else raster.rle_to_mask({"height": 4, "width": 8, "counts": o.mask.counts})
            kind = "mask" if o.bbox is None or o.extras.get("voc:mask_only") else "box"
            rows.append((kind, None if kind == "mask" else o.bbox, o.category_id, None if m is None else m.tolist()))
        return sorted(rows, key=repr)

    assert masks(back) == masks(ds)
    assert labelkit.save(back, out.with_name("again"), "voc").lost == []
    assert masks(labelkit.load(out.with_name("again"), "voc")) == masks(ds)


def test_instance_values_follow_xml_positions() -> None:
    from labelkit.formats.voc_check_masks import instance_values

    item = np.array([0, 1, 0, 0, 1, 0])
    xml = np.array([True, True, True, False, True, True])
    instances = np.array([False, True, True, True, False, True])
    categories = np.array([1, 1, 1, 2, 1, 1])
    # image 0: XML rows 0, 2, 5 (positions 1, 2, 3), row 3 has no XML object: 3 + 1; image 1: row 1 is first
    assert instance_values(item, xml, instances, 2, categories, {}).tolist() == [0, 1, 2, 4, 0, 3]
    # a mask-only object read from value 1 keeps it: XML object 1 (row 0) has no mask and another class
    assert instance_values(item, xml, instances, 2, categories, {3: 1}).tolist() == [0, 1, 2, 1, 0, 3]
    # ... but not over an XML object of its own class, which a reader would give the mask to
    assert instance_values(item, xml, instances, 2, np.array([2, 1, 1, 2, 1, 1]), {3: 1}).tolist()[3] == 4


def test_a_mask_beyond_the_254th_xml_object_is_counted_when_planning() -> None:
    one = raster.mask_to_rle(np.pad(np.ones((1, 1), dtype=bool), ((0, 3), (0, 5))))
    ds = _image_with_masks(one)
    for i in range(300):  # 300 box-only objects before and after: the mask's object is the 1st
        ds.add(Object(id=f"b{i}", item_id="m", category_id=8, bbox=(0.0, 0.0, 1.0, 1.0)))
    assert labelkit.plan(ds, "voc").lost == []
    late = _image_with_masks()
    for i in range(300):
        late.add(Object(id=f"b{i}", item_id="m", category_id=8, bbox=(0.0, 0.0, 1.0, 1.0)))
    rle = {"size": (one["height"], one["width"]), "counts": one["counts"]}
    late.add(Object(id="masked", item_id="m", category_id=8, bbox=(0.0, 0.0, 1.0, 1.0), mask=rle))
    assert [(c.what, c.count) for c in labelkit.plan(late, "voc").lost] == [("masks", 1)]


def test_masks_all_reports_only_the_polygons_it_paints(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(path="p.jpg", width=10, height=10)))
    ring = [[1.0, 1.0, 6.0, 1.0, 6.0, 6.0]]
    ds.add(
        Object(id="boxed", item_id="p", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0), polygon=ring),
        Object(id="unboxed", item_id="p", category_id=1, polygon=[[6.0, 7.0, 9.0, 7.0, 9.0, 10.0]]),
        Object(id="bare", item_id="p", category_id=1),  # (nothing to write, no polygon to paint)
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks="all")
    assert [(c.what, c.count) for c in report.lost] == [("objects without a box or mask", 1)]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("objects without a box", 1),
        ("item splits", 1),
        ("polygons", 2),
    ]
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/p.png")).max() == 2


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_an_object_with_a_polygon_and_no_box_is_written_with_its_polygons_bounds(tmp_path: Path, masks: str) -> None:
    """A VOC object needs a box: one with a polygon and none (a dataset built in code, labelkit JSON) gets its
    polygon's bounds, as COCO and YOLO detect give it, and ``masks=all`` paints its polygon. It was lost whole
    (``objects without a box or mask``), with ``masks=all`` too, which the README says rasterises polygons."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(path="p.jpg", width=10, height=10)))
    ds.add(Object(id="a", item_id="p", category_id=1, polygon=[[1.0, 2.0, 6.0, 2.0, 6.0, 7.0]]))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks=masks)
    assert report.written["object annotations"] == 1
    assert [(c.what, c.count) for c in report.lost] == ([("polygons", 1)] if masks == "auto" else [])
    assert ("objects without a box", 1) in [(c.what, c.count) for c in report.transformed]
    (back,) = labelkit.load(tmp_path / "o").objects()
    assert back.bbox == (1.0, 2.0, 5.0, 5.0)
    assert (back.mask is not None) == (masks == "all")
    if masks == "all":
        assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/p.png")).max() == 1


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_a_polygon_only_object_without_a_class_is_lost_once_not_also_boxed(tmp_path: Path, masks: str) -> None:
    """An object with a polygon and no box is written with its polygon's bounds; one of no known class is
    lost whole (``objects without a known category``) and was counted among ``objects without a box`` too, as
    if written: the counts are of the objects written."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(path="p.jpg", width=10, height=10)))
    ring = [[1.0, 2.0, 6.0, 2.0, 6.0, 7.0]]
    ds.add(
        Object(id="a", item_id="p", category_id=1, polygon=ring),
        Object(id="b", item_id="p", category_id=None, polygon=ring),
        Object(id="c", item_id="p", category_id=7, polygon=ring),
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks=masks)
    assert [(c.what, c.count) for c in report.lost] == [
        ("object annotations of unknown categories", 1),  # (category 7: dropped before the check)
        *([("polygons", 1)] if masks == "auto" else []),
        ("objects without a known category", 1),
    ]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("objects without a box", 1),
        ("item splits", 1),
    ] + ([("polygons", 1)] if masks == "all" else [])
    assert report.written["object annotations"] == 1
    assert [(o.category_id, o.bbox) for o in labelkit.load(tmp_path / "o").objects()] == [(1, (1.0, 2.0, 5.0, 5.0))]


def test_an_object_lost_whole_is_not_counted_again_for_its_fields(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(path="p.jpg", width=10, height=10)))
    ds.add(
        Object(id="a", item_id="p", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0), keypoints=[2.0, 2.0, 2.0], score=0.5),
        Object(id="b", item_id="p", category_id=1, keypoints=[2.0, 2.0, 2.0], score=0.5),
    )
    lost = {c.what: c.count for c in labelkit.plan(ds, "voc").lost}
    assert lost == {"keypoint sets": 1, "object scores": 1, "objects without a box or mask": 1}


@pytest.mark.parametrize("cid", [-1, -30, -(2**63)])
def test_negative_category_ids_are_not_taken_for_voc_indexes(cid: int, tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=cid, name="tvmonitor")])  # (-1 used to wrap to VOC's last class)
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="a", item_id="1", category_id=cid, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "o", "voc")  # was: IndexError for -30
    assert (tmp_path / "o/labelmap.txt").is_file()
    (back,) = labelkit.load(tmp_path / "o", "voc").categories
    assert (back.id, back.name) == (cid, "tvmonitor")


def test_item_ids_that_are_not_one_word_stay_out_of_the_image_sets(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    for item in ("a b", "c\td", "#e", "f"):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split="train"))
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("items whose file names Windows cannot hold", 1),  # (c<TAB>d.xml: Windows refuses control characters)
        ("object annotations on them", 1),
        ("items whose id is not one word", 2),
    ]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert (tmp_path / "o/ImageSets/Main/train.txt").read_text() == "f\n"
    back = labelkit.load(tmp_path / "o", "voc")  # was: phantom items "a" and "c"
    assert sorted(back.item_ids()) == ["#e", "a b", "f"]


def test_an_item_whose_id_is_not_one_word_loses_nothing_when_no_list_would_name_it(tmp_path: Path) -> None:
    """Its split, image labels and task lists are what no ImageSets list can hold: one with none of them (as VOC
    reads such an item back) lost nothing, and was counted lost all the same, so VOC -> VOC of an XML named with
    a space (as LabelImg saves 'my photo.xml') was refused without --allow-loss."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    for item, split in (("a b", None), ("c d", "train"), ("e f", None), ("g h", None), ("i j", None), ("k", None)):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split=split))
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), extras={"voc:pose": "Left"}))
    ds.add(Label(id="l", item_id="e f", category_id=1))  # (a class list would name it)
    ds.add(Object(id="m", item_id="g h", category_id=1, mask=Rle(size=(10, 10), counts=[0, 100])))
    reason = (
        "ImageSets lists are lines of whitespace-separated words ('#' starts a comment): their split and image-level "
        "labels are not listed (their XML is written)"
    )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        ("items whose id is not one word", 3, reason)  # c d (a split), e f (a label), g h (a Segmentation list)
    ]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "voc")
    assert labelkit.plan(back, "voc").lost == []  # (nothing left that a list would name)
    labelkit.save(back, tmp_path / "again", "voc")
    assert labelkit.load(tmp_path / "again", "voc").to_dict() == back.to_dict()


def test_written_counts_leave_out_what_voc_could_not_write(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="a b", media=Media(path="a.jpg", width=6, height=4), split="train"))
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
    ds.add(Label(id="l1", item_id="a b", category_id=1), Label(id="l2", item_id="m", category_id=1))
    wrong_size = raster.mask_to_rle(np.ones((3, 3), dtype=bool))
    ds.add(Object(id="o", item_id="m", category_id=1, mask={"size": (3, 3), "counts": wrong_size["counts"]}))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert report.written == {"items": 2, "label annotations": 1, "object annotations": 0}  # was: 1 and 2
    back = labelkit.load(tmp_path / "o", "voc")
    assert len(list(back.objects())) == 0 and len(list(back.labels())) == 1


def test_a_mask_without_an_xml_object_on_a_crowded_image_takes_a_free_value(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=8, height=4), split="train"))
    for i in range(260):  # box-only dogs: values 1..254 are theirs by position, but none has a mask
        ds.add(Object(id=f"d{i}", item_id="m", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    ds.add(Object(id="cat", item_id="m", category_id=2, mask=_column_mask(3)))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert report.lost == [] and report.written["object annotations"] == 261  # was: the cat's mask lost
    back = [o for o in labelkit.load(tmp_path / "o", "voc").objects() if o.mask is not None]
    assert [(o.category_id, o.extras.get("voc:mask_only")) for o in back] == [(2, True)]


def test_written_label_counts_are_the_lines_written(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
    ds.add(
        Label(id="a", item_id="m", category_id=1),
        Label(id="b", item_id="m", category_id=1),  # the same class again: one line (reported lost)
        Label(id="c", item_id="m", category_id=None),  # no class: no line (reported lost)
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert sorted((c.what, c.count) for c in report.lost) == [
        ("image labels repeated on an item", 1),
        ("image labels without a category", 1),
    ]
    assert report.written["label annotations"] == 1 == len(list(labelkit.load(tmp_path / "o", "voc").labels()))


# -- segmentation PNGs painted from runs, against pycocotools' decode ------------------------------


def _decoded(cell: dict, height: int, width: int) -> np.ndarray:
    """The oracle: a mask cell or polygon rings decoded by pycocotools itself."""
    from pycocotools import mask as mask_utils

    if cell.get("counts") is not None:
        rle = {"size": [cell["height"], cell["width"]], "counts": cell["counts"].encode()}
    else:
        rle = mask_utils.frPyObjects({"size": [cell["height"], cell["width"]], "counts": cell["runs"]}, *rle_size(cell))
    return mask_utils.decode(rle).astype(bool)


def rle_size(cell: dict) -> tuple[int, int]:
    return cell["height"], cell["width"]


def _rings_decoded(rings: list[list[float]], height: int, width: int) -> np.ndarray:
    from pycocotools import mask as mask_utils

    usable = [r for r in rings if len(r) >= 6]
    if not usable:
        return np.zeros((height, width), dtype=bool)
    return mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(usable, height, width))).astype(bool)


@st.composite
def _painted_image(draw: st.DrawFn) -> dict:
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    bits = st.lists(st.booleans(), min_size=h * w, max_size=h * w).map(lambda b: np.array(b).reshape(h, w))

    def cell(size: tuple[int, int] = (h, w)) -> dict:
        mask = draw(bits) if size == (h, w) else np.ones(size, dtype=bool)
        encoded = raster.mask_to_rle(mask)
        if draw(st.booleans()):  # uncompressed runs
            from labelkit.model.rle import cell_counts

            encoded = {**encoded, "counts": None, "runs": cell_counts(encoded).tolist()}
        return encoded

    coordinate = st.floats(-2, 11, allow_nan=False).map(lambda v: round(v, 2))
    n = draw(st.integers(0, 6))
    cells, polygons = {}, {}
    for r in range(n):
        kind = draw(st.sampled_from(["mask", "mask", "polygon", "other size"]))
        if kind == "polygon":
            cells[r] = None
            polygons[r] = draw(st.lists(st.lists(coordinate, min_size=2, max_size=12), max_size=3))
        else:
            cells[r] = cell() if kind == "mask" else cell((h + 1, w))
    semantic = list(range(n, n + draw(st.integers(0, 2))))
    for r in semantic:
        cells[r] = cell()
    values = draw(st.lists(st.integers(1, 255), min_size=n, max_size=n, unique=True))
    categories = draw(st.lists(st.sampled_from([1, 2, 3]), min_size=n + len(semantic), max_size=n + len(semantic)))
    voids = tuple(draw(st.sampled_from([None, "fits", "other"])) for _ in range(2))
    void_cells = tuple(None if v is None else cell() if v == "fits" else cell((h, w + 1)) for v in voids)
    whole = draw(st.booleans())  # paint every mask through a whole-image array, not run by run
    return dict(
        shape=(h, w),
        cells=cells,
        polygons=polygons,
        n=n,
        semantic=semantic,
        values=values,
        categories=categories,
        voids=void_cells,
        whole=whole,
    )


class _ThreeClasses:
    value = {1: 1, 2: 20, 3: 300}  # 300: a class beyond the 254th, not painted (check() reports its masks lost)
    name = {1: "a", 2: "b", 3: "c"}
    palette_bytes = bytes(range(256)) * 3


@settings(max_examples=300, deadline=None)
@given(_painted_image())
def test_segmentation_pngs_paint_as_pycocotools_decodes(tmp_path_factory: pytest.TempPathFactory, case: dict) -> None:
    from unittest import mock

    from labelkit.formats import voc_masks

    h, w = case["shape"]
    out = tmp_path_factory.mktemp("png")
    for kind in ("SegmentationClass", "SegmentationObject"):
        (out / kind).mkdir()
    n, cells, classes = case["n"], case["cells"], _ThreeClasses()
    masks = voc_masks.ImageMasks(
        cells,
        case["polygons"],
        list(range(n)),
        case["values"],
        case["semantic"],
        case["categories"],
        classes,
        case["voids"],
    )
    with mock.patch.object(voc_masks, "_FEW_RUNS", 0 if case["whole"] else voc_masks._FEW_RUNS):
        masks.write(out, "a", (h, w))
    want_class, want_object = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
    for r, value in enumerate(case["values"]):
        cell = cells[r]
        if (
            value == 255
            or (cell is not None and rle_size(cell) != (h, w))
            or classes.value[case["categories"][r]] > 254
        ):
            continue
        rings = case["polygons"].get(r, [])
        if cell is None and raster.raster_problem([x for x in rings if len(x) >= 6], h, w):
            continue  # reported lost, as pycocotools cannot rasterise such coordinates safely
        on = _decoded(cell, h, w) if cell is not None else _rings_decoded(rings, h, w)
        want_object[on] = value
        want_class[on] = classes.value[case["categories"][r]]
    for r in case["semantic"]:
        if classes.value[case["categories"][r]] <= 254:
            want_class[_decoded(cells[r], h, w)] = classes.value[case["categories"][r]]
    for png, cell in zip((want_class, want_object), case["voids"], strict=True):
        if cell is not None and rle_size(cell) == (h, w):
            png[_decoded(cell, h, w)] = 255
    got_class = np.asarray(Image.open(out / "SegmentationClass/a.png"))
    assert np.array_equal(got_class, want_class)
    object_png = out / "SegmentationObject/a.png"
    if object_png.exists():
        assert np.array_equal(np.asarray(Image.open(object_png)), want_object)
    else:
        assert n == 0 and not want_object.any()


def test_class_pixels_no_instance_accounts_for_are_read_as_semantic_masks(tmp_path: Path) -> None:
    """A class-only region (over an instance of another class, or outside every instance) beside an object PNG
    was dropped on read without a word; it is a ``voc:semantic`` mask, so VOC -> VOC keeps the class PNG."""
    ds = _masked_dataset()  # dog at rows 0-1, columns 0-2; cat at rows 2-3, columns 3-5 (a 4 x 6 image)
    region = np.zeros((4, 6), dtype=bool)
    region[1, 1:5] = True  # over the dog (columns 1-2), then over no instance (columns 3-4)
    ds.add(Object(id="3", item_id="m", category_id=2, mask=_rle(region), extras={"voc:semantic": True}))
    labelkit.save(ds, tmp_path / "a", "voc")
    classes = np.asarray(Image.open(tmp_path / "a/SegmentationClass/m.png"))
    assert classes.tolist() == [[1, 1, 1, 0, 0, 0], [1, 2, 2, 2, 2, 0], [0, 0, 0, 2, 2, 2], [0, 0, 0, 2, 2, 2]]
    back = labelkit.load(tmp_path / "a", "voc")
    semantic = [o for o in back.objects() if o.extras.get("voc:semantic")]
    assert [(o.category_id, o.mask.model_dump() if o.mask else None) for o in semantic] == [(2, _rle(region))]
    report = labelkit.save(back, tmp_path / "b", "voc")
    assert report.written["object annotations"] == 3 and report.lost == []  # was: 2 (the class-only one uncounted)
    for kind in ("SegmentationClass", "SegmentationObject"):
        before = np.asarray(Image.open(tmp_path / "a" / kind / "m.png"))
        assert np.array_equal(np.asarray(Image.open(tmp_path / "b" / kind / "m.png")), before), kind


@pytest.mark.parametrize(
    ("fmt", "options", "target"),
    [("coco", {}, "COCO"), ("yolo", {"task": "segment"}, "YOLO segment")],
)
def test_a_class_only_mask_written_as_an_object_is_a_reported_loss(
    tmp_path: Path, fmt: str, options: dict, target: str
) -> None:
    """A class's pixels no instance accounts for (``voc:semantic``) became an ordinary COCO annotation (YOLO
    object) of that class, which a trainer takes for one instance, with only a note that the extra is not kept.
    Like a crowd flag, the flag is content: lost, and refused without allow_loss; a flag of false is noted."""
    ds = _masked_dataset()
    region = np.zeros((4, 6), dtype=bool)
    region[1, 3:5] = True
    ds.add(Object(id="3", item_id="m", category_id=2, mask=_rle(region), extras={"voc:semantic": True}))
    ds.add(Object(id="4", item_id="m", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), extras={"voc:semantic": False}))
    why = (
        f"{target} has no class-only regions: each is written as an object of its class, which a trainer takes for "
        "one instance"
    )
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", fmt, **options)
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "o", fmt, allow_loss=True, **options)
    lost = {"what": "object annotations' class-only flags (voc:semantic)", "count": 1, "reason": why}
    assert lost in report.to_dict()["lost"]
    assert any(n.startswith("1 object annotations carry 'voc:semantic'") for n in report.notes)


def test_a_void_loss_counted_after_an_unsized_item_is_written_to_the_report(tmp_path: Path) -> None:
    """The count was a numpy integer there, which the JSON report could not hold (exit 2 after writing)."""
    void = {"voc:void": {"height": 2, "width": 2, "counts": "4"}}
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train", metadata=void))
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=4, height=5), split="train", metadata=void))
    labelkit.save(ds, tmp_path / "in.labelkit.json", "labelkit")
    args = ["convert", str(tmp_path / "in.labelkit.json"), str(tmp_path / "o"), "--to", "voc", "--allow-loss"]
    result = CliRunner().invoke(cli, [*args, "-q", "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    lost = json.loads((tmp_path / "r.json").read_text())["lost"]
    assert lost == [
        {"what": "segmentation void regions", "count": 2, "reason": "the void mask's size differs from the image's"}
    ]


def test_segmentation_png_bit_depth_follows_the_pixels_painted() -> None:
    """An empty void mask or an empty instance mask leaves no value behind, so neither raises the bit depth."""
    from labelkit.formats import voc_masks

    class Classes:
        value = {1: 1}
        name = {1: "a"}
        palette_bytes = bytes(range(256)) * 3

    on = np.zeros((3, 4), dtype=bool)
    on[0, :2] = True
    empty = raster.mask_to_rle(np.zeros((3, 4), dtype=bool))
    cells = {0: raster.mask_to_rle(on), 1: raster.mask_to_rle(np.zeros((3, 4), dtype=bool))}
    masks = voc_masks.ImageMasks(cells, {}, [0, 1], [1, 7], [], [1, 1], Classes(), (empty, empty))
    with pytest.MonkeyPatch.context() as patch:
        written: dict[str, bytes] = {}
        patch.setattr(voc_masks, "create_file", lambda path, data: written.__setitem__(path.split("/")[-2], data))
        # (the empty instance mask reads back as no mask: a loss)
        assert masks.write(Path("/nowhere"), "a", (3, 4)) == [("masks", 1, voc_masks.NO_PIXEL_LEFT)]
    assert {kind: png[24] for kind, png in written.items()} == {"SegmentationClass": 1, "SegmentationObject": 1}
    with pytest.raises(TypeError, match="PNG values must be uint8, not int64"):
        voc_masks.png_bytes(np.zeros((2, 2), dtype=np.int64), b"")


def test_a_mask_only_object_painted_on_an_unsized_image_is_counted_as_written(tmp_path: Path) -> None:
    """Without an image size the PNGs take the masks' size; the mask was painted but not counted as written."""
    on = np.zeros((4, 6), dtype=bool)
    on[1:3, 2:5] = True
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="u", media=Media(path="JPEGImages/u.jpg"), split="train"))
    ds.add(Object(id="1", item_id="u", category_id=1, mask=_rle(on), extras={"voc:mask_only": True}))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/u.png")).astype(bool).tolist() == on.tolist()
    assert report.written == {"items": 1, "object annotations": 1}
    assert [c.what for c in report.lost] == []


def test_segmentation_folders_are_made_only_for_images_that_get_pngs(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "fixtures/voc/source.labelkit.json"
    labelkit.save(labelkit.load(source), tmp_path / "o", "voc", allow_loss=True)  # masks on 2007_000001 only
    assert [
        p.relative_to(tmp_path / "o").as_posix()
        for p in sorted((tmp_path / "o").rglob("*"))
        if p.is_dir() and not any(p.iterdir())
    ] == []
    assert sorted(p.name for p in (tmp_path / "o/SegmentationClass").iterdir()) == ["2007_000001.png"]


def test_a_class_png_of_another_size_than_the_object_png_adds_no_class_only_masks(tmp_path: Path) -> None:
    ds = _masked_dataset()
    labelkit.save(ds, tmp_path / "a", "voc")
    wider = np.zeros((4, 7), dtype=np.uint8)
    wider[:, :6] = np.asarray(Image.open(tmp_path / "a/SegmentationClass/m.png"))
    Image.fromarray(wider, mode="L").convert("P").save(tmp_path / "a/SegmentationClass/m.png")
    back = labelkit.load(tmp_path / "a", "voc")
    assert [o.extras.get("voc:semantic") for o in back.objects()] == [None, None]  # was: a copy of each instance
    assert back.read_notes == [
        "1 images (m.png first) have a SegmentationClass PNG of another size than their SegmentationObject PNG: its "
        "class pixels were not read (each instance took its XML object's class, and instances without an XML "
        "object were not read)"
    ]  # was: nothing said
    report = labelkit.convert(tmp_path / "a", tmp_path / "b", to="voc")
    assert report.notes[0] == back.read_notes[0]
    assert labelkit.load(tmp_path / "b", "voc").read_notes == []


@pytest.mark.parametrize("pngs", [("SegmentationClass", "SegmentationObject"), ("SegmentationClass",)])
def test_segmentation_pngs_of_another_size_than_the_xml_s_are_noted_on_reading(tmp_path: Path, pngs: tuple) -> None:
    """PNGs of 8 x 6 beside an XML <size> of 10 x 7 were read without a word, and writing the folder again was then
    refused for masks of another size than their image: reading notes them."""
    ds = _masked_dataset()
    labelkit.save(ds, tmp_path / "a", "voc")
    assert labelkit.load(tmp_path / "a", "voc").read_notes == []
    for kind in ("SegmentationClass", "SegmentationObject"):
        png = tmp_path / "a" / kind / "m.png"
        if kind not in pngs:
            png.unlink()
            continue
        small = Image.open(png)
        wider = Image.new("P", (small.width + 2, small.height + 1))
        wider.putpalette(small.getpalette() or [])
        wider.paste(small, (0, 0))
        wider.save(png)
    back = labelkit.load(tmp_path / "a", "voc")
    assert back.read_notes[:1] == [
        "1 images (m.png first) have a segmentation PNG of another size than the image's (its XML's <size>, else its "
        "file's): their masks are read at the PNG's size, which no writer can place on the image (writing reports "
        "them lost)"
    ]
    with pytest.raises(DataLossError, match="the mask's size differs from the image's"):
        labelkit.convert(tmp_path / "a", tmp_path / "b", to="voc")


def test_polygons_that_cannot_be_rasterised_are_refused_before_writing(tmp_path: Path) -> None:
    """They were found while painting: reported lost, but written without --allow-loss."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="s", media=Media(path="s.jpg", width=5, height=4), split="train"))
    ds.add(
        Object(id="1", item_id="s", category_id=1, bbox=(0.0, 0.0, 4.0, 3.0), polygon=[[0.0, 0.0, 4.0, 0.0, 4.0, 3.0]]),
        Object(id="2", item_id="s", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), polygon=[[1e9, 1e9, 2e9, 1e9, 2e9, 2e9]]),
    )
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    assert ("polygons", 1) in [(c.what, c.count) for c in err.value.report.lost]
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="all", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons", 1)]  # once: not again while painting
    assert ("polygons", 1) in [(c.what, c.count) for c in report.transformed]  # the one rasterised (was: 2)
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/s.png")).max() == 1


def test_polygons_on_an_image_of_unknown_size_with_no_mask_are_refused_before_writing(tmp_path: Path) -> None:
    """Nothing gives their PNGs a size: they were found while writing, so written without --allow-loss, and
    reported rasterised (with an empty Segmentation list entry and empty folders)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train"))
    triangle = [[1.0, 1.0, 4.0, 1.0, 4.0, 4.0]]
    ds.add(Object(id="1", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), polygon=triangle))
    reason = "the image has no size, and no mask of it gives one: a PNG needs the image's size"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc", masks="all").lost] == [
        ("polygons", 1, reason)
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="all", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons", 1)]
    assert report.transformed == []  # was: 1 polygon rasterised
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*")) == [
        "Annotations",
        "Annotations/u.xml",
        "ImageSets",
        "ImageSets/Main",
        "ImageSets/Main/train.txt",
        "labelmap.txt",
    ]


def test_what_only_painting_finds_lost_is_refused_and_the_output_not_kept(tmp_path: Path) -> None:
    """An image of unknown size takes its PNGs' size from its first mask: a polygon too far from it, and a
    mask of another size, are found while painting. They were reported, but the output was kept without
    --allow-loss, each polygon was an entry of its own, and the polygons counted rasterised."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train"))
    first = np.zeros((6, 8), dtype=bool)
    first[1:3, 1:4] = True
    other = np.zeros((5, 5), dtype=bool)
    other[1:3, 1:3] = True
    far = [[1.0, 1.0, 4e9, 1.0, 4.0, 4.0]]
    ds.add(
        Object(id="0", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 2.0), mask=_rle(first)),
        Object(id="1", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), polygon=[[1.0, 1.0, 4.0, 1.0, 4.0, 4.0]]),
        Object(id="2", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), polygon=far),
        Object(id="3", item_id="u", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), polygon=far),
        Object(id="4", item_id="u", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), mask=_rle(other)),
    )
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    assert err.value.location.path == str(tmp_path / "o")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # was: written (and no temporary folder is left)
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="all", allow_loss=True)
    assert [(c.what, c.count, c.reason == voc_masks.PIXELS_COVERED) for c in report.lost] == [
        ("polygons", 2, False),  # was: two entries of 1
        ("masks", 1, False),
        ("masks", 1, True),  # the triangle is painted over part of the first mask
    ]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("images of unknown size", 1),
        ("polygons", 1),
    ]
    assert np.asarray(Image.open(tmp_path / "o/SegmentationObject/u.png")).shape == (6, 8)


def test_a_write_refused_for_what_painting_finds_reports_nothing_written(tmp_path: Path) -> None:
    """The report of a write refused after painting (a mask painted over whole) said 1 item and 2 objects written."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="o", media=Media(path="o.jpg", width=30, height=20), split="train"))
    small = np.zeros((20, 30), dtype=bool)
    small[2:5, 2:5] = True
    ds.add(
        Object(id="1", item_id="o", category_id=1, bbox=(2.0, 2.0, 3.0, 3.0), mask=_rle(small)),
        Object(id="2", item_id="o", category_id=1, bbox=(0.0, 0.0, 30.0, 20.0), mask=_rle(np.ones((20, 30), bool))),
    )
    src, out, saved = tmp_path / "overlap.labelkit.json", tmp_path / "out2", tmp_path / "rep.json"
    labelkit.save(ds, src, "labelkit")
    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", "voc", "--report", str(saved)])
    assert result.exit_code == 2 and not out.exists()
    report = json.loads(saved.read_text())
    assert report["written"] == {}
    assert [(c["what"], c["count"]) for c in report["lost"]] == [("masks", 1)]
    assert report["notes"][-1] == labelkit.api.REFUSED_NOTE
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, out, "voc")
    assert err.value.report.written == {} and err.value.report.notes[-1] == labelkit.api.REFUSED_NOTE


@pytest.mark.parametrize(
    ("regions", "want"),
    [
        ([(1, 0, 2), (1, 3, 5)], 1),  # two class-only masks of one class: one class region, read back as one
        ([(1, 0, 0)], 0),  # an empty one: nothing painted
        ([(0, 0, 3)], 0),  # wholly on an instance of its own class: the instance accounts for its pixels
        ([(1, 0, 2), (3, 0, 2)], 1),
    ],
)
def test_class_only_masks_are_counted_written_as_they_read_back(
    tmp_path: Path, regions: list[tuple[int, int, int]], want: int
) -> None:
    """Counted per mask painted, two of a class were two written objects and read back as one."""
    ds = _masked_dataset()  # dog (category 1) at rows 0-1, columns 0-2; cat at rows 2-3, columns 3-5
    for k, (row, start, end) in enumerate(regions):
        region = np.zeros((4, 6), dtype=bool)
        region[row, start:end] = True
        ds.add(Object(id=f"s{k}", item_id="m", category_id=1, mask=_rle(region), extras={"voc:semantic": True}))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "voc")
    semantic = sum(1 for o in back.objects() if o.extras.get("voc:semantic"))
    assert (semantic, report.written["object annotations"]) == (want, 2 + want)


def test_the_segmented_flag_is_escaped_like_every_other_text(tmp_path: Path) -> None:
    """It was written as it was: a text holding markup added objects, or made XML no reader accepts."""
    injected = "0</segmented><object><name>evil</name></object><segmented>0"
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train", metadata={"voc:segmented": injected}))
    ds.add(Object(id="1", item_id="i", category_id=1, bbox=(1.0, 1.0, 1.0, 1.0)))
    labelkit.save(ds, tmp_path / "o", "voc")
    back = labelkit.load(tmp_path / "o", "voc")
    assert [back.category(o.category_id or 0).name for o in back.objects()] == ["dog"]
    assert next(back.items()).metadata["voc:segmented"] == injected
    src = tmp_path / "src"
    (src / "Annotations").mkdir(parents=True)
    (src / "Annotations/a.xml").write_text("<annotation><segmented>&lt;x&gt;</segmented></annotation>")
    labelkit.convert(src, tmp_path / "again", to="voc", from_format="voc")
    assert "<segmented>&lt;x&gt;</segmented>" in (tmp_path / "again/Annotations/a.xml").read_text()


def _voc_lists(root: Path, lists: dict[str, str]) -> Path:
    """Two images (a with a cat, b empty) and the given ImageSets files."""
    (root / "Annotations").mkdir(parents=True)
    head = "<annotation><filename>{}.jpg</filename><size><width>4</width><height>4</height><depth>3</depth></size>"
    cat = "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"
    (root / "Annotations/a.xml").write_text(head.format("a") + cat + "</annotation>")
    (root / "Annotations/b.xml").write_text(head.format("b") + "</annotation>")
    for rel, text in lists.items():
        (root / "ImageSets" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "ImageSets" / rel).write_text(text)
    return root


def test_trainval_lists_are_read_once_and_written_back(tmp_path: Path) -> None:
    """VOC's releases list train + val again as trainval: each image label was read twice, and the trainval
    lists were not written back."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
        "Main/trainval.txt": "a\nb\n",
        "Main/cat_train.txt": "a  1\n",
        "Main/cat_val.txt": "b -1\n",
        "Main/cat_trainval.txt": "a  1\nb -1\n",
        "Segmentation/train.txt": "a\n",
        "Segmentation/val.txt": "b\n",
        "Segmentation/trainval.txt": "a\nb\n",
    }
    src = _voc_lists(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    assert [(lab.item_id, ds.category(lab.category_id or 0).name) for lab in ds.labels()] == [("a", "cat")]
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "val")]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.written["label annotations"] == 1 and report.lost == []
    for rel, text in lists.items():
        assert (tmp_path / "out/ImageSets" / rel).read_text() == text, rel


def test_a_class_trainval_list_labels_the_images_whose_split_has_no_list_of_it(tmp_path: Path) -> None:
    """<class>_trainval.txt beside train and val split lists was read for images of neither only: a set shipping
    the class's trainval list alone lost its labels, silently; one of train's and val's is not read twice."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
        "Main/cat_trainval.txt": "a  1\nb -1\n",
        "Main/dog_val.txt": "b  1\n",
        "Main/dog_trainval.txt": "a  0\nb  1\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    labels = sorted((lab.item_id, ds.category(lab.category_id or 0).name, lab.extras) for lab in ds.labels())
    assert labels == [("a", "cat", {}), ("a", "dog", {"voc:difficult": 1}), ("b", "dog", {})]
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "val")]
    assert ds.read_notes == []
    labelkit.save(ds, tmp_path / "out", "voc")
    back = labelkit.load(tmp_path / "out", "voc")
    assert sorted((lab.item_id, back.category(lab.category_id or 0).name) for lab in back.labels()) == [
        ("a", "cat"),
        ("a", "dog"),
        ("b", "dog"),
    ]


def test_an_image_in_two_splits_lists_of_a_class_is_labelled_once(tmp_path: Path) -> None:
    """a (of split train) in dog_train.txt and dog_val.txt, both 1: it had two identical dog labels, and writing
    VOC refused them as a label repeated on an item."""
    lists = {"Main/train.txt": "a\nb\n", "Main/dog_train.txt": "a  1\nb -1\n", "Main/dog_val.txt": "a  1\n"}
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(lab.item_id, ds.category(lab.category_id or 0).name, lab.extras) for lab in ds.labels()] == [
        ("a", "dog", {})
    ]
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train")]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.written["label annotations"]) == ([], 1)
    main = tmp_path / "out/ImageSets/Main"
    assert sorted(p.name for p in main.iterdir()) == ["dog_train.txt", "train.txt"]
    assert (main / "dog_train.txt").read_text() == "a  1\nb -1\n"


@pytest.mark.parametrize(("first", "second"), [("1", "-1"), ("1", "0"), ("0", "-1"), ("-1", "1")])
def test_an_image_of_two_values_in_two_splits_lists_of_a_class_is_an_error_naming_both(
    tmp_path: Path, first: str, second: str
) -> None:
    """dog_train.txt's line won, silently (or, 1 and 0, both were read: two labels, one difficult)."""
    lists = {
        "Main/train.txt": "a\nb\n",
        "Main/dog_train.txt": f"b -1\na {first}\n",
        "Main/dog_val.txt": f"a {second}\n",
    }
    src = _voc_lists(tmp_path / "src", lists)
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets/Main/dog_val.txt"), 1)
    assert (err.value.message, err.value.found) == (
        f"image listed with another value in dog_train.txt (line 2: {first})",
        repr(f"a {second}"),
    )


@pytest.mark.parametrize(
    ("again", "line", "message"),
    [
        ("b -1\na -1\n", 2, "image listed with another value in cat_train.txt (line 1: 1)"),
        ("a  7\nb -1\n", 1, "per-class list value must be 1, 0 or -1"),
    ],
)
def test_a_class_trainval_list_contradicting_its_train_list_is_an_error(
    tmp_path: Path, again: str, line: int, message: str
) -> None:
    """cat_trainval.txt repeats cat_train.txt's and cat_val.txt's lines: its lines of train and val images were
    passed over unread, so a value contradicting train's (or no value at all) was dropped without a word."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
        "Main/cat_train.txt": "a  1\n",
        "Main/cat_val.txt": "b -1\n",
        "Main/cat_trainval.txt": again,
    }
    src = _voc_lists(tmp_path / "src", lists)
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets/Main/cat_trainval.txt"), line)
    assert err.value.message == message


def test_an_image_in_two_split_lists_is_a_read_note(tmp_path: Path) -> None:
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\nb\n", "Main/test.txt": "a\n"})
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "test"), ("b", "train")]
    assert ds.read_notes == [
        "1 images are listed in several splits' ImageSets lists (a: test, train); each is in the split of the first "
        "list naming it (Main's split lists by file name, then its per-class lists, then Action's), and writing VOC "
        "lists it there only in Main's lists (the task lists, Segmentation's, Action's and Layout's, name it as read)"
    ]  # was: nothing said, and train.txt lost it


def test_a_class_list_of_minus_1_lines_only_keeps_its_class_and_comes_back(tmp_path: Path) -> None:
    """A class no image of the lists shows (Datumaro's export has 11 such lists) was no category: VOC -> COCO
    dropped it, and VOC -> VOC dropped its lists."""
    lists = {"Main/train.txt": "a\nb\n", "Main/bird_train.txt": "a  1\nb -1\n", "Main/dog_train.txt": "a -1\nb -1\n"}
    src = _voc_lists(tmp_path / "src", lists)
    (src / "ImageSets/Main/train_small.txt").write_text("")  # (an empty split list, or class train's: no class)
    ds = labelkit.load(src, "voc")
    assert [c.name for c in ds.categories] == ["bird", "cat", "dog"]
    labelkit.save(ds, tmp_path / "out", "voc")
    main = tmp_path / "out/ImageSets/Main"
    # (cat has objects and no label: -1 would say that a shows none, so it has no list, as before)
    assert sorted(p.name for p in main.iterdir()) == ["bird_train.txt", "dog_train.txt", "train.txt"]
    for rel, text in lists.items():
        assert (tmp_path / "out/ImageSets" / rel).read_text() == text, rel
    assert [c.name for c in labelkit.load(tmp_path / "out", "voc").categories] == ["bird", "cat", "dog"]


def test_an_image_with_an_object_of_a_labelled_class_and_no_label_gets_no_line_in_its_list(tmp_path: Path) -> None:
    """Class cat has a label on b and an object on a, which has no cat label: the writer wrote ``a -1`` in
    cat_train.txt, saying that a does not show a cat, against its XML (classification evaluation takes it for a
    negative). A class with objects and no label at all already had no list for that reason."""
    lists = {"Main/train.txt": "a\nb\n", "Main/cat_train.txt": "b  1\n", "Main/dog_train.txt": "a -1\nb  1\n"}
    src = _voc_lists(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    labelkit.save(ds, tmp_path / "out", "voc")
    main = tmp_path / "out/ImageSets/Main"
    assert sorted(p.name for p in main.iterdir()) == ["cat_train.txt", "dog_train.txt", "train.txt"]
    for rel, text in lists.items():  # (dog: a has no dog object, so its -1 stays)
        assert (tmp_path / "out/ImageSets" / rel).read_text() == text, rel
    back = labelkit.load(tmp_path / "out", "voc")
    assert back.table("labels").to_pylist() == ds.table("labels").to_pylist()


def test_thousands_of_class_lists_and_split_lists_are_each_read_once(tmp_path: Path) -> None:
    """Each per-class list line looked for its class in the list of classes named so far, and each list's name was
    tried against every split's (after sorting them, per list): 8,000 classes' lists of 20 lines took 15 s, and
    4,000 split lists 10 s. Same reading: classes in the order their lists name them, the longest split a list
    name ends with (``val_2017`` before ``2017``), a class of an underscore (``b_c_val_2017.txt``)."""
    splits = ["val", "val_2017", "2017"] + [f"s{k}" for k in range(300)]
    lists = {f"Main/{s}.txt": "a\n" if s == "val_2017" else "b\n" if s == "2017" else "" for s in splits}
    classes = [f"k{k:04d}" for k in range(1500, 0, -1)] + ["b_c"]
    lists |= {f"Main/{c}_val_2017.txt": "a 1\n" if c == "b_c" else "a -1\n" for c in classes}
    lists["Main/k0001_s7.txt"] = "b 1\n"  # (b keeps the split of the first list naming it, 2017)
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    names = [c.name for c in ds.categories]
    assert names == ["cat", *sorted(classes)]  # (VOC's class first, then the lists', in their files' name order)
    name_of = {c.id: c.name for c in ds.categories}
    assert sorted((lab.item_id, name_of[lab.category_id]) for lab in ds.labels()) == [("a", "b_c"), ("b", "k0001")]
    assert {i.id: i.split for i in ds.items()} == {"a": "val_2017", "b": "2017"}
    assert [voc_sets.list_split(s, set(splits)) for s in ("x_val_2017", "x_2017", "_val", "val_2017", "k_s7")] == [
        "val_2017",
        "2017",
        None,
        "2017",
        "s7",
    ]


@pytest.mark.parametrize(("text", "line", "found"), [("a  1\nb  2\n", 2, "'2'"), ("a 7\nb 1\n", 1, "'7'")])
def test_a_class_list_value_other_than_1_0_or_minus_1_is_an_error_at_its_line(
    tmp_path: Path, text: str, line: int, found: str
) -> None:
    """2 was read as a label and written back as 1; on the first line, the file was read as the split list of
    a split named ``cat_train`` (a, listed in train too, went to split cat_train, with a read note only)."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\nb\n", "Main/cat_train.txt": text})
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets/Main/cat_train.txt"), line)
    assert (err.value.message, err.value.found) == ("per-class list value must be 1, 0 or -1", found)


def test_voc2012_action_class_lists_are_not_splits(tmp_path: Path) -> None:
    """VOC2012's Action/<class>_<split>.txt lines are ``image object-index flag``: they were read as split
    lists, so an image listed in Action only was in split ``jumping_train``, with a note of several splits."""
    lists = {
        "Action/train.txt": "a 1\n",
        "Action/jumping_train.txt": "a  1  1\n",
        "Action/other_train.txt": "a  1 -1\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", None)]
    assert [o.extras for o in ds.objects()] == [{"voc:actions": {"jumping": 1, "other": 0}}]
    assert ds.read_notes == []


def _action_folder(root: Path, lists: dict[str, str], person_actions: str = "") -> Path:
    """Image a with a cat and a person (object 2, with ``person_actions`` in its XML), b with a person."""
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>"
    objects = {
        "a": f"<object><name>cat</name>{box}</object><object><name>person</name>{box}{person_actions}</object>",
        "b": f"<object><name>person</name>{box}</object>",
    }
    (root / "Annotations").mkdir(parents=True)
    for name, body in objects.items():
        size = "<size><width>4</width><height>4</height><depth>3</depth></size>"
        (root / f"Annotations/{name}.xml").write_text(
            f"<annotation><filename>{name}.jpg</filename>{size}{body}</annotation>"
        )
    for rel, text in {"Main/train.txt": "a\n", "Main/val.txt": "b\n", **lists}.items():
        (root / "ImageSets" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "ImageSets" / rel).write_text(text)
    return root


_ACTION_LISTS = {
    "Action/train.txt": "a\n",
    "Action/val.txt": "b\n",
    "Action/jumping_train.txt": "a 2  1\n",
    "Action/jumping_val.txt": "b 1 -1\n",
    "Action/walking_train.txt": "a 2 -1\n",
    "Action/walking_val.txt": "b 1  1\n",
}


def test_action_list_lines_flag_the_object_of_their_index(tmp_path: Path) -> None:
    """The object index was not read: the lists' flags were dropped (a read note said so), and only the XML's
    <actions> gave an object its actions."""
    ds = labelkit.load(_action_folder(tmp_path / "src", _ACTION_LISTS), "voc")
    assert [(o.item_id, ds.category(o.category_id).name, o.extras) for o in ds.objects()] == [
        ("a", "cat", {}),
        ("a", "person", {"voc:actions": {"jumping": 1, "walking": 0}}),
        ("b", "person", {"voc:actions": {"jumping": 0, "walking": 1}}),
    ]
    assert ds.read_notes == []


@pytest.mark.parametrize("trainval", [False, True])
@pytest.mark.parametrize("objects", [False, True], ids=["images (Datumaro)", "image object-index (VOC2012)"])
def test_action_lists_are_written_back_as_they_were_read(tmp_path: Path, trainval: bool, objects: bool) -> None:
    """The per-action lists were not written; VOC2012's split lists lost their object index column."""
    lists = dict(_ACTION_LISTS)
    if objects:
        lists |= {"Action/train.txt": "a 2\n", "Action/val.txt": "b 1\n"}
    if trainval:  # (VOC's releases list train + val again, sorted)
        lists |= {
            "Main/trainval.txt": "a\nb\n",
            "Action/trainval.txt": "a 2\nb 1\n" if objects else "a\nb\n",
            "Action/jumping_trainval.txt": "a 2  1\nb 1 -1\n",
            "Action/walking_trainval.txt": "a 2 -1\nb 1  1\n",
        }
    src = _action_folder(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    action = tmp_path / "out/ImageSets/Action"
    assert sorted(p.name for p in action.iterdir()) == sorted(Path(rel).name for rel in lists if "Action/" in rel)
    for rel, text in lists.items():
        if rel.startswith("Action/"):
            assert (tmp_path / "out/ImageSets" / rel).read_text() == text, rel
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


@pytest.mark.parametrize(
    ("lists", "split_lists"),
    [
        (
            {k: v for k, v in _ACTION_LISTS.items() if "_" in k},
            {"Action/train.txt": "a\n", "Action/val.txt": "b\n"},
        ),
        ({"Action/jumping_trainval.txt": "a 2  1\nb 1 -1\n"}, {"Action/trainval.txt": "a\nb\n"}),
    ],
)
def test_per_action_lists_without_action_split_lists_are_written_back(
    tmp_path: Path, lists: dict[str, str], split_lists: dict[str, str]
) -> None:
    """With no ImageSets/Action/<split>.txt, the per-action lists' images were in no Action list (voc:imagesets
    []), so writing VOC wrote none of their flags, unsaid. They are of the Action lists, now listed in the Action
    split lists too."""
    src = _action_folder(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    action = tmp_path / "out/ImageSets/Action"
    assert {p.name: p.read_text() for p in action.iterdir()} == {
        Path(k).name: v for k, v in {**lists, **split_lists}.items()
    }
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


@pytest.mark.parametrize(
    ("split_lists", "b_splits"),
    [({}, ["trainval"]), ({"Action/train.txt": "a\n", "Action/val.txt": "b\n"}, None)],
)
def test_a_per_action_trainval_line_of_an_image_of_action_in_its_own_split_is_read_once(
    tmp_path: Path, split_lists: dict[str, str], b_splits: list[str] | None
) -> None:
    """Image a of train is of Action in train (jumping_train.txt), and phoning, of no train list, has it in
    phoning_trainval.txt: it was named in Action's trainval lists too (voc:task_splits train and trainval), written
    back in both, and read back as of train alone (the trainval line a repeat), unsaid, and a second conversion
    added Main/trainval.txt. Its flag is read, and the trainval lists made again, as VOC's releases repeat them."""
    lists = {**split_lists, "Action/jumping_train.txt": "a 2  1\n", "Action/phoning_trainval.txt": "a 2 -1\nb 1 -1\n"}
    ds = labelkit.load(_action_folder(tmp_path / "src", lists), "voc")
    assert [(o.item_id, o.extras) for o in ds.objects() if o.extras] == [
        ("a", {"voc:actions": {"jumping": 1, "phoning": 0}}),
        ("b", {"voc:actions": {"phoning": 0}}),
    ]
    assert [(i.id, i.metadata) for i in ds.items()] == [
        ("a", {}),  # (its Action split is its own)
        ("b", {"voc:task_splits": {"val": {"Action": b_splits}}} if b_splits else {}),  # (b's val: no phoning list)
    ]
    labelkit.convert(tmp_path / "src", tmp_path / "out1", "voc")
    labelkit.convert(tmp_path / "out1", tmp_path / "out2", "voc")
    ds1 = labelkit.load(tmp_path / "out1", "voc")
    assert [(i.id, i.split, i.metadata) for i in ds1.items()] == [(i.id, i.split, i.metadata) for i in ds.items()]
    action = tmp_path / "out1/ImageSets/Action"
    assert (action / "phoning_trainval.txt").read_text() == "a 2 -1\nb 1 -1\n"
    first = {p.relative_to(tmp_path / "out1"): p.read_bytes() for p in (tmp_path / "out1").rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "out2"): p.read_bytes() for p in (tmp_path / "out2").rglob("*") if p.is_file()}
    assert first == again


def test_action_flag_lists_keep_the_split_of_the_action_lists_naming_the_image(tmp_path: Path) -> None:
    """Image b of Main's train list is in Action's val lists: Action/val.txt was written back naming it, as read
    (``voc:task_splits``), and its flags moved to jumping_train.txt, which Action/train.txt does not name it in."""
    lists = {"Main/train.txt": "a\nb\n", "Main/val.txt": "", **_ACTION_LISTS}
    src = _action_folder(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train")]
    labelkit.save(ds, tmp_path / "out", "voc")
    action = tmp_path / "out/ImageSets/Action"
    assert {p.name: p.read_text() for p in action.iterdir()} == {Path(k).name: v for k, v in _ACTION_LISTS.items()}
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


def test_action_lists_of_the_xmls_actions_are_written_for_each_object(tmp_path: Path) -> None:
    """Actions read from <actions> only (Datumaro's Action lists list images only) get VOC2012's per-action lists
    too: for the images the Action lists name (all those with actions, from another format)."""
    xml_actions = "<actions><jumping>1</jumping><phoning>0</phoning></actions>"
    src = _action_folder(tmp_path / "src", {"Action/train.txt": "a\n"}, xml_actions)
    labelkit.save(labelkit.load(src, "voc"), tmp_path / "out", "voc")
    action = tmp_path / "out/ImageSets/Action"
    assert {p.name: p.read_text() for p in action.iterdir()} == {
        "train.txt": "a\n",
        "jumping_train.txt": "a 2  1\n",
        "phoning_train.txt": "a 2 -1\n",
    }


@pytest.mark.parametrize(
    ("text", "message", "found"),
    [
        ("a 2 1\na 3 1\n", "object 3 of image 'a' has an action flag, and its XML has 2 objects", None),
        ("a 2 1\nc 1 1\n", "object 1 of image 'c' has an action flag, and its XML has 0 objects", None),
        ("a 2 1\na 0 1\n", "action list object index must be a whole number from 1", "'0'"),
        ("a 2 1\na x 1\n", "action list object index must be a whole number from 1", "'x'"),
        ("a 2 1\na 2 2\n", "action list flag must be 1, 0 or -1", "'2'"),
        ("a 2 1\na 1\n", "action list line needs an image, an object index and a flag", "2 fields"),
        ("a 2 1\nb 1 1\n", "object 1's flag contradicts its XML's <actions>", "1"),
    ],
)
def test_a_bad_action_list_line_is_an_error_at_its_line(
    tmp_path: Path, text: str, message: str, found: str | None
) -> None:
    lists = {"Action/jumping_train.txt": text, "Action/jumping_val.txt": "b 1 -1\n"}
    src = _action_folder(tmp_path / "src", lists)
    if "contradicts" in message:
        (src / "Annotations/b.xml").write_text(
            (src / "Annotations/b.xml")
            .read_text()
            .replace("</bndbox>", "</bndbox><actions><jumping>0</jumping></actions>")
        )
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets/Action/jumping_train.txt"), 2)
    assert (err.value.message, err.value.found) == (message, found)


@pytest.mark.parametrize(
    ("lists", "split_lists"),
    [
        ({"Action/jumping_trainval.txt": "a 2  1\nb 1 -1\n"}, {"Action/trainval.txt": "a\nb\n"}),
        # (a's train list of the action says its flag; b's split has none: trainval's line gives it)
        ({"Action/jumping_train.txt": "a 2  1\n", "Action/jumping_trainval.txt": "a 2  1\nb 1 -1\n"}, {}),
    ],
)
def test_an_action_trainval_list_flags_the_images_whose_split_has_no_list_of_it(
    tmp_path: Path, lists: dict[str, str], split_lists: dict[str, str]
) -> None:
    """<action>_trainval.txt beside Main's train and val lists was read for images of neither only: a set shipping
    the trainval lists alone lost every flag of them, silently."""
    ds = labelkit.load(_action_folder(tmp_path / "src", {**lists, **split_lists}), "voc")
    assert [(o.item_id, o.extras) for o in ds.objects()] == [
        ("a", {}),
        ("a", {"voc:actions": {"jumping": 1}}),
        ("b", {"voc:actions": {"jumping": 0}}),
    ]
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "val")]


@pytest.mark.parametrize(
    "rel", ["Action/jumping_train.txt", "Action/train.txt", "Main/train.txt", "Main/cat_train.txt"]
)
def test_a_list_line_naming_a_file_outside_the_dataset_is_an_error_at_its_line(tmp_path: Path, rel: str) -> None:
    """The error named the list but not its line (a per-action list is thousands of lines in VOC2012)."""
    lines = {
        "Action/jumping_train.txt": "a 2  1\n../../etc/passwd 1 1\n",
        "Action/train.txt": "a\n../../etc/passwd\n",
        "Main/train.txt": "a\n../../etc/passwd\n",
        "Main/cat_train.txt": "a  1\n../../etc/passwd  1\n",
    }
    src = _action_folder(tmp_path / "src", {rel: lines[rel]})
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets" / rel), 2)
    assert err.value.message == "unsafe file name '../../etc/passwd'"


_FLAGS = st.dictionaries(st.sampled_from(["jumping", "other", "taking_photo"]), st.sampled_from([0, 1]), max_size=3)


@given(st.lists(st.lists(st.one_of(st.none(), _FLAGS), max_size=3), min_size=1, max_size=3))
@settings(max_examples=30, deadline=None)
def test_action_flags_written_as_lists_read_back_to_the_same_objects(images: list[list[dict | None]]) -> None:
    """Each object's flags come back from the XML and the per-action lists alike, on the object of its index."""
    import tempfile

    ds = Dataset(categories=[Category(id=15, name="person")])
    for n, flags_of in enumerate(images):
        ds.add_item(Item(id=f"i{n}", split="train", media=Media(path=f"i{n}.jpg", width=4, height=4)))
        for k, flags in enumerate(flags_of):
            extras = {"voc:actions": flags} if flags is not None else {}
            ds.add(Object(id=f"{n}.{k}", item_id=f"i{n}", category_id=15, bbox=(0, 0, 1, 1), extras=extras))
    with tempfile.TemporaryDirectory() as tmp:
        labelkit.save(ds, Path(tmp) / "o", "voc")
        for xml in (Path(tmp) / "o/Annotations").iterdir():  # the lists alone must give the flags back
            xml.write_text(re.sub(r"<actions>.*?</actions>", "", xml.read_text(), flags=re.S))
        back = labelkit.load(Path(tmp) / "o", "voc")
    expected = [(o.item_id, o.extras.get("voc:actions") or None) for o in ds.objects()]
    assert [(o.item_id, o.extras.get("voc:actions") or None) for o in back.objects()] == [
        (item, dict(sorted(flags.items())) if flags else None) for item, flags in expected
    ]


def test_an_action_list_that_would_be_a_split_list_is_refused(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=15, name="person")])
    for n, split in enumerate(["train", "jumping_train"]):
        ds.add_item(Item(id=f"i{n}", split=split, media=Media(path=f"i{n}.jpg", width=4, height=4)))
        ds.add(
            Object(
                id=str(n), item_id=f"i{n}", category_id=15, bbox=(0, 0, 1, 1), extras={"voc:actions": {"jumping": 1}}
            )
        )
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", "voc")
    assert err.value.location.path == str(tmp_path / "out/ImageSets/Action/jumping_train.txt")
    assert (
        err.value.message
        == "would be both the list of split 'jumping_train' and the list of action 'jumping' in split 'train'"
    )
    assert not (tmp_path / "out").exists()


def test_a_voc2012_action_split_list_of_a_split_with_an_underscore_is_a_split_list(tmp_path: Path) -> None:
    """val_2017.txt of ``image object-index`` lines was taken for action val's list of split 2017 (unread)."""
    src = _action_folder(tmp_path / "src", {"Main/val_2017.txt": "b\n", "Action/val_2017.txt": "b 1\n"})
    (src / "ImageSets/Main/val.txt").unlink()
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split, i.metadata) for i in ds.items()] == [
        ("a", "train", {}),
        ("b", "val_2017", {"voc:imagesets": ["Action"]}),
    ]
    assert ds.read_notes == [  # (b's person has no action flag: writing VOC lists the image, 'b')
        "1 Layout or Action list lines name an object of their image (VOC2012's 'image object-index'; "
        "Action/val_2017.txt:1 first) that writing VOC does not list again (it lists an image once in Layout, and "
        "the objects with action flags in Action): the image was read, not the index"
    ]


def test_action_list_lines_of_flag_0_are_a_read_note(tmp_path: Path) -> None:
    ds = labelkit.load(_action_folder(tmp_path / "src", {"Action/jumping_train.txt": "a 2 0\n"}), "voc")
    assert [o.extras for o in ds.objects()] == [{}, {}, {}]
    assert ds.read_notes == [
        "1 Action list lines have the flag 0 (jumping_train.txt:1 first): they give no flag, and were not read"
    ]


@pytest.mark.parametrize(
    ("labelmap", "message"),
    [
        ("# labelkit-category-ids: 1,1\nbackground:0,0,0::\ncat:128,0,0::\n", "bad category ids comment"),
        ("# labelkit-category-ids: 0,99999999999999999999\nbackground:0,0,0::\ncat:128,0,0::\n", "bad category ids"),
        ("background:0,0,0::\ncat:300,0,0::\n", "bad colour"),
    ],
)
def test_a_bad_labelmap_is_an_input_error_naming_its_line(tmp_path: Path, labelmap: str, message: str) -> None:
    """Duplicate ids made every class one; a huge id raised a validation error; 300 was taken as a colour."""
    src = _voc_lists(tmp_path / "src", {})
    (src / "labelmap.txt").write_text(labelmap)
    with pytest.raises(InputError, match=message) as err:
        labelkit.load(src, "voc")
    assert err.value.location.path == str(src / "labelmap.txt")


_CLASSES = "background:0,0,0::\ncat:128,0,0::\ndog:0,128,0::\n"


@pytest.mark.parametrize(
    ("labelmap", "line", "message", "found"),
    [
        (_CLASSES + "cat:0,0,128::\n", 4, "class listed twice (first at line 2)", "'cat'"),
        ("# labelkit-category-ids: 0\n" + _CLASSES, 1, "bad category ids comment", "1 ids"),
        (_CLASSES + "# labelkit-category-ids: 0,8,9,10\n", 4, "bad category ids comment", "4 ids"),
        ("# labelkit-category-ids: 0 1 2\n" + _CLASSES, 1, "bad category ids comment", "'0 1 2'"),  # (said no more)
    ],
)
def test_a_labelmap_listing_a_class_twice_or_too_few_ids_is_an_error_at_its_line(
    tmp_path: Path, labelmap: str, line: int, message: str, found: str
) -> None:
    """A class listed twice gave two categories of one name (XML objects went to one of them); an ids comment of
    fewer or more ids than classes was ignored (ids became 0..N-1) while a repeated id was an error."""
    src = _voc_lists(tmp_path / "src", {})
    (src / "labelmap.txt").write_text(labelmap)
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "labelmap.txt"), line)
    assert (err.value.message, err.value.found) == (message, found)


def test_categories_sharing_a_name_written_with_allow_loss_make_one_labelmap_line(tmp_path: Path) -> None:
    """The labelmap listed the name twice (which reading now refuses): the later category takes the first's
    line and PNG value, as its objects read back as the first's, and the ids comment has one id per line."""
    ds = Dataset(categories=[Category(id=1, name="cat"), Category(id=2, name="dog"), Category(id=3, name="cat")])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    left, right = np.zeros((4, 4), dtype=bool), np.zeros((4, 4), dtype=bool)
    left[:, 0], right[:, 3] = True, True
    ds.add(
        Object(id="1", item_id="i", category_id=1, bbox=(0.0, 0.0, 1.0, 4.0), mask=_rle(left)),
        Object(id="3", item_id="i", category_id=3, bbox=(3.0, 0.0, 1.0, 4.0), mask=_rle(right)),
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("categories sharing a name with another", 1)]
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1,2",
        "background:0,0,0::",
        "cat:128,0,0::",
        "dog:0,128,0::",
    ]
    assert np.asarray(Image.open(tmp_path / "o/SegmentationClass/i.png"))[0].tolist() == [1, 0, 0, 1]
    back = labelkit.load(tmp_path / "o")
    assert [(c.id, c.name) for c in back.categories] == [(1, "cat"), (2, "dog")]
    assert sorted((o.category_id, o.bbox) for o in back.objects()) == [
        (1, (0.0, 0.0, 1.0, 4.0)),
        (1, (3.0, 0.0, 1.0, 4.0)),
    ]


def test_a_box_whose_corners_are_finite_but_whose_size_is_not_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "Annotations").mkdir(parents=True)
    box = "<xmin>-1.7e308</xmin><ymin>1</ymin><xmax>1.7e308</xmax><ymax>2</ymax>"
    (src / "Annotations/a.xml").write_text(
        f"<annotation><object><name>cat</name><bndbox>{box}</bndbox></object></annotation>"
    )
    with pytest.raises(InputError, match="not finite") as err:  # was: read, then <xmax>null</xmax> written
        labelkit.load(src, "voc")
    assert err.value.location.path == str(src / "Annotations/a.xml")


@pytest.mark.parametrize(("classes", "category"), [(255, 255), (256, 256), (256, 1)])
def test_masks_of_classes_beyond_the_254th_are_reported_lost(tmp_path: Path, classes: int, category: int) -> None:
    """Their class value was clamped to 254 (another class's), and with 256 classes the output did not read."""
    ds = Dataset(categories=[Category(id=k, name=f"c{k}") for k in range(1, classes + 1)])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    ds.add(
        Object(id="1", item_id="i", category_id=category, bbox=(1.0, 1.0, 2.0, 2.0), mask=_rle(np.eye(4, dtype=bool)))
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "voc")
    (obj,) = back.objects()
    assert back.category(obj.category_id or 0).name == f"c{category}"
    if category >= 255:
        assert [(c.what, c.count) for c in report.lost] == [("masks", 1)] and obj.mask is None
    else:
        assert report.lost == [] and obj.mask is not None


@pytest.mark.parametrize("colors", [["#000000"], [None, "#800000"]])
def test_classes_sharing_a_colour_keep_their_masks(tmp_path: Path, colors: list[str | None]) -> None:
    """The palette PNG was mapped back through the colours: a black class's mask became background plus a
    class-only mask everywhere, and a class of another's colour took that class's mask."""
    ds = Dataset(categories=[Category(id=k + 1, name=f"c{k}", color=c) for k, c in enumerate(colors)])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    ds.add(Object(id="1", item_id="i", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), mask=_rle(np.eye(4, dtype=bool))))
    labelkit.save(ds, tmp_path / "o", "voc")
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(back.category(o.category_id or 0).name, o.extras) for o in back.objects()] == [("c0", {})]
    assert canonical(back)["annotations"][0]["mask"] == canonical(ds)["annotations"][0]["mask"]


@pytest.mark.parametrize(
    ("names", "what"),
    [
        ([" cat", "dog "], "category names with leading or trailing spaces, or starting with '#'"),
        (["#1", "dog"], "category names with leading or trailing spaces, or starting with '#'"),
        (["cat", "cat"], "categories sharing a name with another"),
    ],
)
def test_category_names_voc_cannot_tell_apart_are_reported_lost(tmp_path: Path, names: list[str], what: str) -> None:
    """They changed class silently: names read stripped, '#' lines read as comments, one name read as one class."""
    ds = Dataset(categories=[Category(id=k + 1, name=n) for k, n in enumerate(names)])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    ds.add(*(Object(id=str(k), item_id="i", category_id=k + 1, bbox=(0.0, 0.0, 2.0, 2.0)) for k in range(len(names))))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "o", "voc")
    assert (what, 2 if names[0].startswith(" ") else 1) in [(c.what, c.count) for c in labelkit.plan(ds, "voc").lost]


def test_a_class_name_of_surrounding_spaces_is_written_stripped_as_every_reader_reads_it(tmp_path: Path) -> None:
    """``<name> cat</name>`` was written as the category named it, though every reader strips it (labelkit's, as
    the loss reported says), and so was its ``labelmap.txt`` line, `` cat:128,0,0::``: Datumaro, which strips a
    labelmap line but neither its name nor ``<name>``, refused the whole folder (``Undeclared label 'dog'``). Both
    are written stripped, the name every reader reads (measured: Datumaro 1.13 reads it)."""
    names = [" cat", "dog\u3000", "cow\x1f"]  # (U+001F: whitespace to str.strip, and no XML character: U+FFFD)
    ds = Dataset(categories=[Category(id=k, name=name) for k, name in enumerate(names, 1)])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    ds.add(*(Object(id=str(k), item_id="i", category_id=k, bbox=(0.0, 0.0, 2.0, 2.0)) for k in (1, 2, 3)))
    lost = [(c.what, c.count) for c in labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True).lost]
    assert lost[-2:] == [  # (cow's U+001F is written U+FFFD, no space to strip: counted once, where it is lost)
        ("category names with characters XML cannot hold", 1),
        ("category names with leading or trailing spaces, or starting with '#'", 2),
    ]
    xml = (tmp_path / "o/Annotations/i.xml").read_text()
    assert "<name>cat</name>" in xml and "<name>dog</name>" in xml and "<name>cow\ufffd</name>" in xml
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines()[2:] == [
        "cat:128,0,0::",
        "dog:0,128,0::",
        "cow\ufffd:128,128,0::",
    ]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name) for c in back.categories] == [(1, "cat"), (2, "dog"), (3, "cow\ufffd")]
    assert [o.category_id for o in back.objects()] == [1, 2, 3]


def test_masks_of_a_background_class_and_polygons_beside_masks_are_reported_lost(tmp_path: Path) -> None:
    """A background class is value 0 in the class PNG; with masks=all an object's mask is painted, not its
    polygon. Both were dropped without a word."""
    ds = Dataset(categories=[Category(id=0, name="background"), Category(id=1, name="cat")])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    mask = _rle(np.eye(4, dtype=bool))
    square = [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0]]
    ds.add(
        Object(id="1", item_id="i", category_id=0, bbox=(0.0, 0.0, 4.0, 4.0), mask=mask),
        Object(id="2", item_id="i", category_id=1, bbox=(0.0, 0.0, 4.0, 4.0), mask=mask, polygon=square),
    )
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "voc", masks="all").lost]
    assert ("masks", 1) in lost and ("polygons", 1) in lost
    labelkit.save(ds, tmp_path / "o", "voc", masks="all", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(o.category_id, o.mask is not None) for o in back.objects()] == [(0, False), (1, True)]


def test_png_regions_no_object_is_made_of_are_read_notes(tmp_path: Path) -> None:
    """An instance beyond the XML objects with no class under it, and a class value no class has, were
    dropped on reading without a word."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\n"})
    instances = np.zeros((4, 4), dtype=np.uint8)
    instances[0:2, 0:2] = 1
    instances[2:4, 2:4] = 2  # a has one XML object
    classes = np.zeros((4, 4), dtype=np.uint8)
    classes[0:2, 0:2] = 8
    classes[0:1, 3:4] = 30  # the standard classes are 0..20
    for kind, values in (("SegmentationObject", instances), ("SegmentationClass", classes)):
        (src / kind).mkdir()
        im = Image.frombytes("P", (4, 4), values.tobytes())
        im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
        im.save(src / kind / "a.png")
    ds = labelkit.load(src, "voc")
    assert ds.read_notes == [
        "1 SegmentationObject instances have no XML object and no class under them in a SegmentationClass PNG: "
        "they were not read",
        "1 SegmentationClass regions have a value no class has (the labelmap's or VOC's classes): they were not read",
    ]


def test_attribute_values_that_read_back_otherwise_are_reported(tmp_path: Path) -> None:
    """VOC attribute values are texts read back typed and stripped: '3' became 3 and ' x ' became 'x' unsaid."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="i", media=Media(width=4, height=4), split="train"))
    for k, attrs in enumerate([{"n": "3"}, {"b": "true"}, {"s": " x "}, {"big": 10**18}, {"ok": "red", "n": 3}]):
        ds.add(Object(id=str(k), item_id="i", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), attributes=attrs))
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("objects with attribute values that read back otherwise", 3)
    ]
    back = [o.attributes for o in labelkit.load(tmp_path / "o", "voc").objects()]
    assert back == [{"n": 3}, {"b": True}, {"s": "x"}, {"big": 10**18}, {"ok": "red", "n": 3}]  # (10**18: 19 digits)


@pytest.mark.parametrize("class_pixels", [False, True])
def test_segmentation_pngs_with_no_pixel_set_are_written_back(tmp_path: Path, class_pixels: bool) -> None:
    """All-background PNGs gave no mask, so VOC -> VOC wrote none (and segmented 0); so did an empty object
    PNG beside a class PNG with class-only pixels."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\n", "Segmentation/train.txt": "a\n"})
    for kind in ("SegmentationObject", "SegmentationClass"):
        values = np.zeros((4, 4), dtype=np.uint8)
        if kind == "SegmentationClass" and class_pixels:
            values[0, 0] = 8
        (src / kind).mkdir()
        im = Image.frombytes("P", (4, 4), values.tobytes())
        im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
        im.save(src / kind / "a.png")
    labelkit.convert(src, tmp_path / "out", to="voc", from_format="voc")
    for kind in ("SegmentationObject", "SegmentationClass"):
        assert np.array_equal(
            np.asarray(Image.open(tmp_path / "out" / kind / "a.png")), np.asarray(Image.open(src / kind / "a.png"))
        )
    assert "<segmented>1</segmented>" in (tmp_path / "out/Annotations/a.xml").read_text()
    assert (tmp_path / "out/ImageSets/Segmentation/train.txt").read_text() == "a\n"


def test_voc_metadata_and_extras_voc_cannot_write_are_reported_and_text_sources_kept(tmp_path: Path) -> None:
    """Unknown voc: keys and source fields that are not tags vanished unreported; a text owner read back as {}."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for item, meta in (("a", {"voc:foo": 1}), ("b", {"voc:source": {"bad key": "x"}}), ("c", {"voc:owner": "Jo"})):
        ds.add_item(Item(id=item, media=Media(width=4, height=4), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), extras={"voc:foo": 2}))
    lost = {c.what: c.count for c in labelkit.plan(ds, "voc").lost}
    assert lost == {"items with metadata": 2, "objects with voc: extras Pascal VOC has no place for": 1}
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    back = {i.id: i.metadata for i in labelkit.load(tmp_path / "o", "voc").items()}
    assert back["c"] == {"voc:owner": "Jo"}


@pytest.mark.parametrize("encoding", ["Shift_JIS", "GBK", "EUC-KR"])
def test_xml_in_a_multibyte_legacy_encoding_is_read(tmp_path: Path, encoding: str) -> None:
    """Expat reads no multi-byte legacy encoding: such a file (as CJK tools write) was an internal error."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<annotation><filename>a.jpg</filename>'
        "<object><name>\u732b</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>"
        "</object></annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_bytes(xml.encode(encoding))
    ds = labelkit.load(tmp_path, "voc")
    assert [c.name for c in ds.categories] == ["\u732b"]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf8", "caf\u00e9"), ("UTF8", "caf\u00e9"), ("ISO-2022-JP", "\u732b"), ("cp1252", "caf\u00e9")],
)
def test_xml_in_an_encoding_python_knows_and_expat_reads_not_itself_is_read(
    tmp_path: Path, encoding: str, name: str
) -> None:
    """ElementTree's write(..., encoding="utf8") declares 'utf8': expat took it (and ISO-2022-JP) for a one-byte
    encoding, and its non-ASCII text was refused, 'not well-formed (invalid token)'. Python's codec decodes it."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        f"<?xml version='1.0' encoding='{encoding}'?>\n<annotation><filename>a.jpg</filename>"
        f"<object><name>{name}</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>"
        "</object></annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_bytes(xml.encode(encoding))
    ds = labelkit.load(tmp_path, "voc")
    assert ([c.name for c in ds.categories], ds.read_notes) == ([name], [])


@pytest.mark.parametrize(
    ("declared", "data", "line", "message"),
    [
        ("utf-32", b"<annotation/>", 1, "not utf-32 text"),
        ("Shift_JIS", b"<annotation>\n<filename>\x81</filename></annotation>", 3, "not Shift_JIS text"),
        ("idna", b"<annotation/>", 1, "invalid XML"),
    ],
)
def test_xml_its_declared_encoding_cannot_decode_is_an_input_error(
    tmp_path: Path, declared: str, data: bytes, line: int, message: str
) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{declared}"?>\n'.encode() + data)
    with pytest.raises(InputError, match=message) as err:
        labelkit.load(path, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(path), line)


def test_an_unsafe_filename_error_names_its_file_and_element(tmp_path: Path) -> None:
    """The error named neither (the name was checked when looking for the image, after parsing)."""
    (tmp_path / "Annotations").mkdir()
    xml = "<annotation><filename>../../etc/passwd</filename></annotation>"
    (tmp_path / "Annotations/img2.xml").write_text(xml)
    with pytest.raises(InputError, match="unsafe file name") as err:
        labelkit.load(tmp_path, "voc")
    assert (err.value.location.path, err.value.location.element) == (
        str(tmp_path / "Annotations/img2.xml"),
        "annotation/filename",
    )


@pytest.mark.parametrize("name", [".", "./", "./."])
def test_a_filename_naming_the_images_folder_itself_is_refused(tmp_path: Path, name: str) -> None:
    """<filename>.</filename> was read as the image path JPEGImages/. (the folder) and written back as '.'."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations/x.xml").write_text(f"<annotation><filename>{name}</filename></annotation>")
    with pytest.raises(InputError, match=re.escape(f"file name {name!r} names the images folder itself")) as err:
        labelkit.load(tmp_path, "voc")
    assert (err.value.location.path, err.value.location.element) == (
        str(tmp_path / "Annotations/x.xml"),
        "annotation/filename",
    )


def test_an_image_path_of_the_images_folder_itself_is_written_as_the_item_id(tmp_path: Path) -> None:
    """An image path JPEGImages/. was written as <filename>.</filename>, which no reader takes for an image."""
    ds = Dataset()
    ds.add_item(Item(id="x", media=Media(path="JPEGImages/."), split="train"))
    labelkit.save(ds, tmp_path / "o", "voc")
    assert "<filename>x.jpg</filename>" in (tmp_path / "o/Annotations/x.xml").read_text()


def test_glob_characters_in_an_item_id_find_no_other_image(tmp_path: Path) -> None:
    """An id was a glob pattern: ``*`` and ``a[1]`` took a1.jpg, its size and its path."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "JPEGImages").mkdir()
    Image.new("RGB", (64, 48)).save(tmp_path / "JPEGImages/a1.jpg")
    for stem in ("*", "a[1]"):
        (tmp_path / "Annotations" / f"{stem}.xml").write_text("<annotation></annotation>")
    ds = labelkit.load(tmp_path, "voc")
    assert {i.id: (i.media.path, i.media.width) for i in ds.items()} == {"*": (None, None), "a[1]": (None, None)}


def test_image_label_attributes_and_voc_fields_are_lost_not_dropped_silently(tmp_path: Path) -> None:
    """An ImageSets class list holds a class and a difficult flag: the rest went without a word."""
    ds = Dataset(categories=[Category(id=8, name="cat"), Category(id=9, name="dog")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
    ds.add(
        Label(id="1", item_id="m", category_id=8, attributes={"verified": True}, extras={"voc:pose": "Left"}),
        Label(id="2", item_id="m", category_id=9, extras={"voc:difficult": True}),
    )
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("image label attribute sets", 1),
        ("image label Pascal VOC fields", 1),
    ]
    plain = Dataset(categories=ds.categories)
    plain.add_item(next(iter(ds.items())))
    plain.add(Label(id="2", item_id="m", category_id=8, extras={"voc:difficult": True}))
    assert labelkit.save(plain, tmp_path / "p", "voc").lost == []


def _one_object(bbox: tuple[float, float, float, float] = (1.0, 1.0, 3.0, 3.0), **fields: Any) -> Dataset:
    cat = fields.pop("category_extras", {})
    ds = Dataset(categories=[Category(id=1, name="person", extras=cat)])
    ds.add_item(Item(id="img", media=Media(path="img.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="img", category_id=1, bbox=bbox, **fields))
    return ds


@pytest.mark.parametrize(
    ("ds", "lost"),
    [
        (_one_object(bbox=(5.0, 5.0, -3.0, 2.0)), "objects"),  # xmax below xmin: VOC's reader refuses it
        (_one_object(bbox=(1e308, 1.0, 1e308, 1.0)), "objects"),  # xmax overflowed, written as null
        (_one_object(extras={"voc:actions": {"a\u00b2": 1}}), "malformed voc:* object values"),  # not an XML name
        (_one_object(category_extras={"voc:parts": ["head:front"]}), "category part and action names"),
        (_one_object(category_extras={"voc:parts": ["head,neck"]}), "category part and action names"),
        (_one_object(category_extras={"voc:actions": ["a\nb"]}), "category part and action names"),
    ],
)
def test_values_voc_cannot_spell_are_lost_and_the_output_reads_back(tmp_path: Path, ds: Dataset, lost: str) -> None:
    """Each was written, reported nowhere, into a file VOC's reader (labelkit's too) refused or read otherwise."""
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert [c.what for c in err.value.report.lost] == [lost]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "voc")
    assert all(":" not in p and "," not in p for c in back.categories for p in c.extras.get("voc:parts", []))
    if lost == "objects":  # (its object had no mask: nothing left to write)
        assert list(back.objects()) == []


@pytest.mark.parametrize(
    ("masks", "size", "lost", "written"),
    [
        ("auto", (4, 6), [("object scores", 1), ("boxes", 1)], 1),  # written to the PNGs only: its box is lost
        ("none", (4, 6), [("objects", 1)], 0),  # nothing of it is written: one object, not its box
        ("auto", (3, 3), [("objects", 1)], 0),  # its mask cannot be painted either: one object, once
    ],
)
def test_a_box_voc_cannot_hold_beside_a_mask_is_counted_once(
    tmp_path: Path, masks: str, size: tuple[int, int], lost: list[tuple[str, int]], written: int
) -> None:
    """An object whose box VOC cannot write (negative width) goes to the PNGs with its mask, when there is one to
    paint; else nothing of it is written, which the report said was its box only ("boxes 1")."""
    ds = _image_with_masks(raster.mask_to_rle(np.ones(size, dtype=bool)))
    [o] = ds.objects()
    ds = Dataset(categories=ds.categories, items=list(ds.items()))
    ds.add(o.model_copy(update={"bbox": (0.0, 0.0, -1.0, 2.0), "score": 0.5}))
    plan = labelkit.plan(ds, "voc", masks=masks)
    report = labelkit.save(ds, tmp_path / "o", "voc", masks=masks, allow_loss=True)
    assert [(c.what, c.count) for c in plan.lost] == lost  # (a score: lost only with an object written)
    assert [(c.what, c.count) for c in report.lost] == [(c.what, c.count) for c in plan.lost]
    back = list(labelkit.load(tmp_path / "o", "voc").objects())
    assert len(back) == written == report.written.get("object annotations", 0)


def test_masks_all_leaves_a_polygons_holes_unpainted(tmp_path: Path) -> None:
    """The rings were painted as a union: a hole's pixels read back as the object's."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=10, height=10), split="train"))
    outer, hole = [1.0, 1.0, 9.0, 1.0, 9.0, 9.0, 1.0, 9.0], [3.0, 3.0, 7.0, 3.0, 7.0, 7.0, 3.0, 7.0]
    ds.add(
        Object(
            id="1",
            item_id="m",
            category_id=1,
            bbox=(1.0, 1.0, 8.0, 8.0),
            polygon=[outer, hole],
            polygon_holes=[False, True],
        )
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    assert report.lost == []
    png = np.asarray(Image.open(tmp_path / "o/SegmentationObject/m.png"))
    want = np.zeros((10, 10), dtype=bool)
    want[1:9, 1:9] = True
    want[3:7, 3:7] = False
    assert np.array_equal(png == 1, want)


def test_a_split_named_trainval_beside_train_and_val_reads_back(tmp_path: Path) -> None:
    """trainval lists were passed over when train and val exist (VOC's trainval is train + val): an item only
    trainval listed, and its image labels, came back without a split or labels, with no word."""
    ds = Dataset(categories=[Category(id=8, name="cat")])
    for item, split in (("a", "train"), ("b", "val"), ("c", "trainval")):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=6, height=4), split=split))
        ds.add(Object(id=item, item_id=item, category_id=8, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Label(id="l", item_id="c", category_id=8))
    labelkit.save(ds, tmp_path / "o", "voc")
    back = labelkit.load(tmp_path / "o", "voc")
    assert {i.id: i.split for i in back.items()} == {"a": "train", "b": "val", "c": "trainval"}
    assert [(x.item_id, x.category_id) for x in back.labels()] == [("c", 8)]
    # read from VOC (trainval = train + val, and c): written back as it was
    main = tmp_path / "o/ImageSets/Main"
    (main / "trainval.txt").write_text("a\nb\nc\n")
    labelkit.save(labelkit.load(tmp_path / "o", "voc"), tmp_path / "again", "voc")
    assert (tmp_path / "again/ImageSets/Main/trainval.txt").read_text() == "a\nb\nc\n"
    assert {i.id: i.split for i in labelkit.load(tmp_path / "again", "voc").items()}["c"] == "trainval"


@pytest.mark.parametrize("attributed", [False, True])
def test_text_beside_the_elements_of_a_voc_container_is_noted_as_left_out(tmp_path: Path, attributed: bool) -> None:
    """Text in <object>, <bndbox>, <size> or <annotation> beside their elements was dropped without a word (the
    fast path of files of no XML attribute and the full one alike); whitespace is no text."""
    (tmp_path / "Annotations").mkdir()
    root = '<annotation verified="yes">' if attributed else "<annotation>"
    xml = (
        f"{root}\n  <filename>a.jpg</filename>\n  <size>\t<width>10</width><height>10</height>w</size>"
        "<object>note<name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
        " and more<difficult>0</difficult></object>\n"
        "<object><name>dog</name><bndbox>box<xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
        "</object>\r\n</annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    (tmp_path / "Annotations/b.xml").write_text(
        "<annotation>\n <filename>b.jpg</filename>\n <object>\n  <name>cat</name>\n  <bndbox>\n"
        "   <xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax>\n  </bndbox>\n </object>\n</annotation>\n"
    )
    ds = labelkit.load(tmp_path, "voc")
    assert (
        "3 XML elements hold text beside the elements inside them, which no VOC reader reads, and it was left out: "
        "<bndbox> (1), <object> (1), <size> (1) (first: <size> of 'a')"
    ) in ds.read_notes
    assert sorted(o.category_id for o in ds.objects()) == [8, 8, 12]  # (VOC's cat and dog)


def test_an_empty_task_list_is_written_back_empty(tmp_path: Path) -> None:
    """An empty ImageSets/Segmentation/val.txt (or Action's, Layout's) vanished from a VOC round trip, unsaid, where
    Main's empty list came back; a split of it keeps none (its splits are those asked for)."""
    src = tmp_path / "in"
    for sub in ("Annotations", "ImageSets/Main", "ImageSets/Segmentation", "ImageSets/Layout"):
        (src / sub).mkdir(parents=True)
    (src / "Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>8</width><height>6</height></size><object>"
        "<name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></object>"
        "</annotation>"
    )
    lists = {"Main/train.txt": "a\n", "Main/test.txt": "", "Segmentation/train.txt": "a\n"}
    lists |= {"Segmentation/val.txt": "", "Layout/val.txt": ""}
    for name, text in lists.items():
        (src / "ImageSets" / name).write_text(text)
    for target in ("voc", "labelkit"):  # (through labelkit JSON too)
        labelkit.convert(src, tmp_path / target, to=target, allow_loss=target != "voc")
    labelkit.convert(tmp_path / "labelkit", tmp_path / "again", to="voc")
    for out in ("voc", "again"):
        written = {p.relative_to(tmp_path / out / "ImageSets").as_posix() for p in (tmp_path / out).rglob("*.txt")}
        assert {name: (tmp_path / out / "ImageSets" / name).read_text() for name in written} == lists
    result = CliRunner().invoke(cli, ["split", str(src), str(tmp_path / "split"), "--ratios", "train=1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "split/ImageSets").rglob("*.txt")) == ["train.txt", "train.txt"]


@pytest.mark.parametrize("split", ["train", "val"])
def test_trainval_lists_read_beside_one_of_train_and_val_are_written_again(tmp_path: Path, split: str) -> None:
    """Main's, the classes' and the actions' trainval lists needed both train and val lists: beside one of them
    they were not written, unsaid (torchvision's image_set='trainval' then found no list)."""
    src = tmp_path / "in"
    for sub in ("Annotations", "ImageSets/Main", "ImageSets/Action"):
        (src / sub).mkdir(parents=True)
    (src / "Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>8</width><height>6</height><depth>3</depth></size>"
        "<segmented>0</segmented><object><name>person</name><pose>Unspecified</pose><truncated>0</truncated>"
        "<difficult>0</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox>"
        "<actions><jumping>1</jumping></actions></object></annotation>"
    )
    lists = {"Main/{}.txt": "a\n", "Main/person_{}.txt": "a  1\n", "Action/{}.txt": "a 1\n"}
    lists["Action/jumping_{}.txt"] = "a 1  1\n"
    for name, text in lists.items():
        for s in (split, "trainval"):
            (src / "ImageSets" / name.format(s)).write_text(text)
    report = labelkit.convert(src, tmp_path / "out", to="voc")
    assert report.lost == report.transformed == []
    for name, text in lists.items():
        for s in (split, "trainval"):
            assert (tmp_path / "out/ImageSets" / name.format(s)).read_text() == text


def test_a_voc_round_trip_keeps_attribute_texts_and_depth_and_notes_what_it_does_not_read(tmp_path: Path) -> None:
    """007 came back as 7, a depth without a size was dropped, and LabelImg's verified="yes" and an unknown
    <track_id> went without a word. (True, as Datumaro writes booleans, is a boolean: written back true, which a
    read note says: the round trip gave back another text unsaid.)"""
    (tmp_path / "Annotations").mkdir()
    xml = (
        '<annotation verified="yes"><filename>a.jpg</filename>'
        "<size><width>0</width><height>0</height><depth>1</depth></size>"
        "<object><name>cat</name><track_id>17</track_id>"
        "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
        "<attributes><attribute><name>zip</name><value>007</value></attribute>"
        "<attribute><name>flag</name><value>True</value></attribute>"
        "<attribute><name>n</name><value>3</value></attribute></attributes></object></annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    ds = labelkit.load(tmp_path, "voc")
    assert ds.read_notes == [
        "1 attribute values spelled otherwise than true or false ('True' first, in 'a') were read as booleans: VOC "
        "writes them back as true or false",
        "2 XML elements or attributes labelkit does not read were left out: annotation@verified (1), "
        "object/track_id (1)",
    ]
    (obj,) = ds.objects()
    assert obj.attributes == {"zip": "007", "flag": True, "n": 3}
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert [str(c) for c in report.transformed] == [f"1 item splits: {_UNSPLIT}"]  # (no ImageSets read)
    text = (tmp_path / "o/Annotations/a.xml").read_text()
    assert "<value>007</value>" in text and "<value>true</value>" in text and "<depth>1</depth>" in text
    again = labelkit.load(tmp_path / "o", "voc")
    assert next(iter(again.items())).metadata == next(iter(ds.items())).metadata
    assert next(iter(again.objects())).attributes == obj.attributes
    assert again.read_notes == []  # (true and false as written: no note)


def test_attribute_integers_of_19_characters_within_64_bits_are_read_as_numbers(tmp_path: Path) -> None:
    """An integer attribute value of 19 characters or more was text, the sign counted as a digit, so
    -123456789012345678 and 1234567890123456789 (in 64 bits, written back as spelled) were not numbers. Values
    beyond 64 bits stay text."""
    (tmp_path / "Annotations").mkdir()
    values = [
        "-123456789012345678",
        "1234567890123456789",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "12345678901234567890",
    ]
    attrs = "".join(f"<attribute><name>a{k}</name><value>{v}</value></attribute>" for k, v in enumerate(values))
    xml = (
        "<annotation><filename>a.jpg</filename><object><name>cat</name>"
        "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
        f"<attributes>{attrs}</attributes></object></annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    (obj,) = labelkit.load(tmp_path, "voc").objects()
    assert list(obj.attributes.values()) == [
        -123456789012345678,
        1234567890123456789,
        -(2**63),
        2**63 - 1,
        "9223372036854775808",
        "-9223372036854775809",
        "12345678901234567890",
    ]


def test_a_size_of_0_x_0_and_depth_3_comes_back(tmp_path: Path) -> None:
    """Depth 3 is VOC's usual depth, so it was dropped as read even where the size is unknown: the <size> of
    0 x 0 was then not written back at all."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        "<annotation>\n  <filename>a.jpg</filename>\n  <size>\n    <width>0</width>\n    <height>0</height>\n"
        "    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n</annotation>\n"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    labelkit.save(labelkit.load(tmp_path, "voc"), tmp_path / "o", "voc")
    assert (tmp_path / "o/Annotations/a.xml").read_text() == xml


@pytest.mark.parametrize(
    ("sides", "size"),
    [
        ("    <width>640</width>\n", (640, None)),
        ("    <height>480</height>\n", (None, 480)),
    ],
)
@pytest.mark.parametrize("depth", ["    <depth>3</depth>\n", ""])
def test_a_size_known_on_one_side_comes_back(tmp_path: Path, sides: str, size: tuple, depth: str) -> None:
    """A <size> with a width and no height was written back as 0 x 0 (with a depth) or not at all: the width
    was lost."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        f"<annotation>\n  <filename>a.jpg</filename>\n  <size>\n{sides}{depth}  </size>\n"
        "  <segmented>0</segmented>\n</annotation>\n"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    ds = labelkit.load(tmp_path, "voc")
    assert (next(iter(ds.items())).media.width, next(iter(ds.items())).media.height) == size
    labelkit.save(ds, tmp_path / "o", "voc")
    assert (tmp_path / "o/Annotations/a.xml").read_text() == xml


@pytest.mark.parametrize("width", ["640.5", "0.5", "1e-3"])
def test_an_image_side_that_is_not_whole_is_an_error_naming_it(tmp_path: Path, width: str) -> None:
    """<width>640.5</width> was read as 640 (truncated) without a word, and written back as 640."""
    (tmp_path / "Annotations").mkdir()
    xml = "<annotation><filename>a.jpg</filename><size><width>{}</width><height>480</height></size></annotation>"
    (tmp_path / "Annotations/a.xml").write_text(xml.format(width))
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    assert (err.value.location.path, err.value.location.element) == (
        str(tmp_path / "Annotations/a.xml"),
        "annotation/size/width",
    )
    assert err.value.message == "<width> is not a whole number of pixels"
    # a whole number written as a decimal is that number of pixels
    (tmp_path / "Annotations/a.xml").write_text(xml.format("6.4e2"))
    assert next(iter(labelkit.load(tmp_path, "voc").items())).media.width == 640


def test_an_empty_folder_and_depth_come_back_empty(tmp_path: Path) -> None:
    """Roboflow and CVAT write <folder></folder> (and CVAT an empty <depth>): the folder was dropped, and the
    empty depth written back as 3."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        "<annotation>\n  <folder></folder>\n  <filename>a.jpg</filename>\n  <size>\n    <width>4</width>\n"
        "    <height>3</height>\n    <depth></depth>\n  </size>\n  <segmented>0</segmented>\n</annotation>\n"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    ds = labelkit.load(tmp_path, "voc")
    assert next(iter(ds.items())).metadata == {"voc:folder": "", "voc:depth": ""}
    labelkit.save(ds, tmp_path / "o", "voc")
    assert (tmp_path / "o/Annotations/a.xml").read_text() == xml


def test_what_is_not_read_inside_a_field_is_noted_too(tmp_path: Path) -> None:
    """Elements and XML attributes inside the fields read (a part's <difficult>, a box's <angle>, a name's
    XML attribute, an action's) were dropped without the read note that those beside them get."""
    (tmp_path / "Annotations").mkdir()
    xml = (
        '<annotation><filename lang="en">a.jpg</filename><size><width unit="px">4</width><height>4</height></size>'
        "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax><angle>3</angle>"
        "</bndbox><part><name>head</name><difficult>1</difficult>" + _BOX + "</part>"
        '<actions><jumping conf="0.5">1</jumping></actions><point><x>1</x><y>1</y><z>1</z></point>'
        "<attributes>" + _attribute("a", "1") + "</attributes></object></annotation>"
    )
    (tmp_path / "Annotations/a.xml").write_text(xml)
    assert labelkit.load(tmp_path, "voc").read_notes == [
        "6 XML elements or attributes labelkit does not read were left out: bndbox/angle (1), filename@lang (1), "
        "jumping@conf (1), part/difficult (1), point/z (1), width@unit (1)"
    ]


def test_a_rotated_box_is_said_to_be_written_as_its_bounds(tmp_path: Path) -> None:
    """The report said the angle was lost, not that the box written is the rotated box's axis-aligned bounds."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=200, height=100)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(80.0, 40.0, 40.0, 20.0), angle=90.0))
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("rotated boxes", 1)]
    assert "1 rotated boxes are written as their axis-aligned bounding boxes" in report.notes
    xml = (tmp_path / "out/Annotations/a.xml").read_text()
    assert "<xmin>91</xmin>" in xml and "<ymin>31</ymin>" in xml and "<xmax>110</xmax>" in xml


def test_a_name_differing_only_by_a_line_break_is_reported_as_shared(tmp_path: Path) -> None:
    """'x\\ny' and 'x y' were written as one labelmap line (the writer puts the break as a space), the second
    category and its colour gone, yet `categories sharing a name` counted names stripped only: 0."""
    ds = Dataset(categories=[Category(id=1, name="x\ny"), Category(id=2, name="x y", color="#00ff00")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="i", category_id=2, bbox=(10.0, 10.0, 50.0, 50.0)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("category names with a line break", 1),
        ("categories sharing a name with another", 1),
    ]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines()[1:] == ["# labelkit-category-ids: 1", "x y:128,0,0::"]
    back = labelkit.load(tmp_path / "o")
    assert [c.id for c in back.categories] == [1]
    assert [o.category_id for o in back.objects()] == [1]


def test_dota_difficult_flags_are_written_as_voc_difficult(tmp_path: Path) -> None:
    """YOLO's DOTA difficult flags (`dota:difficult`) were dropped writing VOC, with a note, though VOC has
    <difficult>: they are written there (transformed), and an unwritable one is reported lost."""
    src = tmp_path / "dota"
    (src / "train/images").mkdir(parents=True)
    (src / "train/labelTxt").mkdir(parents=True)
    Image.new("RGB", (10, 5)).save(src / "train/images/x.jpg")
    (src / "data.yaml").write_text("train: ../train/images\nval: ../valid/images\nnc: 2\nnames: [a, b]\n")
    (src / "train/labelTxt/x.txt").write_text("0 0 0 2 2 2 2 0 a 1\n1 1 4 1 4 3 1 3 b 0\n")
    run = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o"), "--to", "voc"])
    assert run.exit_code == 0, run.output
    assert (
        "transformed: 2 DOTA difficult flags: written as Pascal VOC's <difficult> (read back as voc:difficult; a "
        "flag of 0 as no flag, Pascal VOC's default)" in run.output.splitlines()
    )
    assert "dota:difficult" not in run.output
    xml = (tmp_path / "o/Annotations/x.xml").read_text()
    assert xml.count("<difficult>1</difficult>") == 1 and xml.count("<difficult>0</difficult>") == 1
    back = labelkit.load(tmp_path / "o")
    assert [o.extras.get("voc:difficult") for o in back.objects()] == [1, None]
    # a VOC flag of another value wins, and the DOTA flag is lost
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=100, height=100), split="train"))
    extras = {"dota:difficult": 1, "voc:difficult": 0}
    ds.add(Object(id="1", item_id="i", category_id=1, bbox=(10.0, 10.0, 5.0, 5.0), extras=extras))
    plan = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in plan.lost] == [("DOTA difficult flags", 1)]
    assert plan.notes == []


def test_written_counts_are_printed_in_the_order_read(tmp_path: Path) -> None:
    """VOC -> VOC printed ``written: 3 items, 3 object annotations, 1 label annotations`` under ``read: 3 items,
    1 label annotations, 3 object annotations``: every other format counts labels first."""
    report = labelkit.convert(FIXTURES / "voc/golden/default", tmp_path / "o", to="voc")
    assert report.lines()[:2] == [
        "read: 3 items, 1 label annotations, 3 object annotations",
        "written: 3 items, 1 label annotations, 3 object annotations",
    ]


def test_written_counts_name_no_image_labels_where_none_were_written(tmp_path: Path) -> None:
    """A VOC folder without image labels printed ``written: 2 items, 0 label annotations, 1 object annotations``
    under ``read: 2 items, 1 object annotations``."""
    src = _voc_lists(tmp_path / "src", {})
    report = labelkit.convert(src, tmp_path / "o", to="voc")
    assert report.lines()[:2] == ["read: 2 items, 1 object annotations", "written: 2 items, 1 object annotations"]


# -- segmentation PNGs that are not 8-bit palette PNGs ---------------------------------------------------

_CLASS_VALUES = np.array([[8, 8, 0, 255], [0, 0, 15, 15]], dtype=np.uint8)  # cat, background, void, person
_OBJECT_VALUES = np.array([[1, 1, 0, 255], [0, 0, 2, 2]], dtype=np.uint8)
_TWO_OBJECTS = "".join(
    f"<object><name>{n}</name><bndbox><xmin>{x}</xmin><ymin>{y}</ymin><xmax>{x + 1}</xmax><ymax>{y}</ymax></bndbox>"
    "</object>"
    for n, x, y in (("cat", 1, 1), ("person", 3, 2))
)


def _raw_png(values: np.ndarray, depth: int, color_type: int) -> bytes:
    """A PNG of ``values`` (rows, then channels) at any bit depth, built by hand: Pillow writes few of them."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    height, width = values.shape[:2]
    rows = []
    for row in values.reshape(height, -1):
        if depth == 16:
            rows.append(b"\0" + row.astype(">u2").tobytes())
        else:
            bits = "".join(format(int(v), f"0{depth}b") for v in row)
            bits += "0" * (-len(bits) % 8)
            rows.append(b"\0" + int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b"\0")
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    idat = zlib.compress(b"".join(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _plte() -> bytes:
    import struct
    import zlib

    data = bytes(v for rgb in voc.voc_palette() for v in rgb)
    return struct.pack(">I", len(data)) + b"PLTE" + data + struct.pack(">I", zlib.crc32(b"PLTE" + data))


def _rgb(values: np.ndarray) -> np.ndarray:
    palette = np.array(voc.voc_palette(), dtype=np.uint8)
    return palette[values]


def _opaque(pixels: np.ndarray) -> np.ndarray:
    return np.concatenate([pixels, np.full((*pixels.shape[:2], 1), 255, dtype=np.uint8)], axis=-1)


def _masks_folder(
    root: Path, class_png: bytes | Image.Image | None, object_png: bytes | Image.Image | None = None
) -> Path:
    """One 4 x 2 image with a cat and a person in its XML and the given segmentation PNGs."""
    (root / "Annotations").mkdir(parents=True)
    size = "<size><width>4</width><height>2</height><depth>3</depth></size>"
    (root / "Annotations/a.xml").write_text(f"<annotation><filename>a.jpg</filename>{size}{_TWO_OBJECTS}</annotation>")
    for kind, png in (("SegmentationClass", class_png), ("SegmentationObject", object_png)):
        if png is not None:
            (root / kind).mkdir()
            if isinstance(png, bytes):
                (root / kind / "a.png").write_bytes(png)
            else:
                png.save(root / kind / "a.png")
    return root


def _pixels(mask: Any) -> list[list[int]]:
    if mask is None:
        return []
    height, width = mask.size
    return raster.rle_to_mask({"height": height, "width": width, "counts": mask.counts}).tolist()


def _read_masks(root: Path) -> tuple[list[tuple[str, str, Any, list[list[int]]]], dict[str, Any]]:
    """Each object's class, shape, extras and mask pixels, and the item's metadata."""
    ds = labelkit.load(root, "voc")
    names = {c.id: c.name for c in ds.categories}
    objects = [(names[o.category_id], o.shape, o.extras, _pixels(o.mask)) for o in ds.objects()]
    (item,) = ds.items()
    return objects, item.metadata


_EXPECTED_MASKS = [
    ("cat", "box", {}, [[1, 1, 0, 0], [0, 0, 0, 0]]),
    ("person", "box", {}, [[0, 0, 0, 0], [0, 0, 1, 1]]),
]
_EXPECTED_VOID = {"voc:imagesets": [], "voc:void": {"height": 2, "width": 4, "counts": "611"}}  # (3, 0), both


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda v: _raw_png(v, 8, 3)[:33] + _plte() + _raw_png(v, 8, 3)[33:], id="P (the reference)"),
        pytest.param(lambda v: Image.fromarray(v, "L"), id="L"),
        pytest.param(lambda v: Image.fromarray(np.stack([v, np.full_like(v, 255)], -1), "LA"), id="LA"),
        pytest.param(lambda v: Image.fromarray(v.astype(np.uint16)), id="I;16"),
        pytest.param(lambda v: _raw_png(v, 16, 0), id="16-bit grey by hand"),
        pytest.param(lambda v: Image.fromarray(_rgb(v), "RGB"), id="RGB"),
        pytest.param(lambda v: Image.fromarray(_opaque(_rgb(v)), "RGBA"), id="RGBA"),
    ],
)
def test_grey_16_bit_and_colour_pngs_read_as_the_palette_png(tmp_path: Path, make: Any) -> None:
    """Grey values are the class and instance values, colours go through the VOC palette: LA and 16-bit PNGs
    were an error ("colour not in the labelmap or the VOC palette", found (8, 8, 8)), and a grey value of a
    VOC palette colour's (128, 128, 128) would have been read as that colour's index (7, not 128)."""
    root = _masks_folder(tmp_path / "src", make(_CLASS_VALUES), make(_OBJECT_VALUES))
    assert _read_masks(root) == (_EXPECTED_MASKS, _EXPECTED_VOID)


@pytest.mark.parametrize("mode", ["I;16", "LA"])
def test_a_grey_value_that_is_a_palette_colour_is_read_as_the_value(tmp_path: Path, mode: str) -> None:
    """16-bit and LA PNGs went through RGB: grey 128 is VOC's colour of value 7, so 128s were read as cars."""
    values = np.array([[128, 128, 0, 0], [0, 0, 0, 0]], dtype=np.uint8)  # a value no VOC class has
    opaque = np.stack([values, np.full_like(values, 255)], -1)
    png = Image.fromarray(values.astype(np.uint16)) if mode == "I;16" else Image.fromarray(opaque, "LA")
    ds = labelkit.load(_masks_folder(tmp_path / "src", png), "voc")
    assert Image.open(tmp_path / "src/SegmentationClass/a.png").mode == mode
    assert [(c.name, o.shape) for o in ds.objects() for c in [ds.category(o.category_id)]] == [
        ("cat", "box"),
        ("person", "box"),
    ]
    assert ds.read_notes == [
        "1 SegmentationClass regions have a value no class has (the labelmap's or VOC's classes): they were not read"
    ]


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_grey_pngs_of_1_2_and_4_bits_read_their_values_not_pillows_scaled_ones(tmp_path: Path, depth: int) -> None:
    """Pillow scales a 2 or 4-bit grey PNG up to 0-255: class 1 of a 4-bit PNG read as 17 (no class: not read)."""
    top = (1 << depth) - 1
    values = np.array([[top, top, 0, 0], [0, 0, 1, 1]], dtype=np.uint8)
    root = _masks_folder(tmp_path / "src", _raw_png(values, depth, 0))
    semantic = {"voc:semantic": True}
    expected = [("aeroplane", "mask", semantic, [[0, 0, 0, 0], [0, 0, 1, 1]])]  # class 1
    expected += [(voc.VOC_CLASSES[top], "mask", semantic, [[1, 1, 0, 0], [0, 0, 0, 0]])]  # 3 bird, 15 person
    if depth == 1:
        expected = [("aeroplane", "mask", semantic, [[1, 1, 0, 0], [0, 0, 1, 1]])]
    boxes = [("cat", "box", {}, []), ("person", "box", {}, [])]
    assert _read_masks(root)[0] == boxes + expected


def test_16_bit_object_pngs_hold_instance_ids_past_255(tmp_path: Path) -> None:
    """A 16-bit object PNG (of more than 254 instances) was an error; its ids past 255 are instances too."""
    objects = np.array([[1, 1, 0, 255], [0, 0, 300, 300]], dtype=np.uint16)
    classes = np.array([[8, 8, 0, 255], [0, 0, 12, 12]], dtype=np.uint8)  # instance 300 is a dog's
    root = _masks_folder(tmp_path / "src", Image.fromarray(classes, "L"), Image.fromarray(objects))
    assert _read_masks(root)[0] == [
        ("cat", "box", {}, [[1, 1, 0, 0], [0, 0, 0, 0]]),
        ("person", "box", {}, []),
        ("dog", "mask", {"voc:mask_only": True, "voc:instance": 300}, [[0, 0, 0, 0], [0, 0, 1, 1]]),
    ]


def test_an_instance_value_past_254_written_anew_is_reported(tmp_path: Path) -> None:
    """A mask-only dog read from a 16-bit object PNG's value 300 (kept as voc:instance) was painted as 3 in the
    8-bit PNG written, and read back with voc:instance 3, with nothing in the report."""
    objects = np.array([[1, 1, 0, 255], [0, 0, 300, 300]], dtype=np.uint16)
    classes = np.array([[8, 8, 0, 255], [0, 0, 12, 12]], dtype=np.uint8)
    root = _masks_folder(tmp_path / "src", Image.fromarray(classes, "L"), Image.fromarray(objects))
    report = labelkit.convert(root, tmp_path / "out", to="voc")
    assert [str(c) for c in report.transformed] == [
        f"1 item splits: {_UNSPLIT}",  # (the source has no ImageSets)
        "1 masks without an XML object: their object PNG value (voc:instance) is past 254 or taken by an XML "
        "object's mask: painted with the next free value, which voc:instance reads back as",
    ]
    assert report.lost == []
    back = [o.extras for o in labelkit.load(tmp_path / "out", "voc").objects() if o.shape == "mask"]
    assert back == [{"voc:mask_only": True, "voc:instance": 3}]
    # a value that is free is painted again, and nothing is reported (VOC -> VOC gives the same PNG back)
    report = labelkit.convert(tmp_path / "out", tmp_path / "again", to="voc")
    assert report.transformed == [] and report.lost == []


def test_a_16_bit_class_png_value_past_255_is_an_error_naming_its_pixel(tmp_path: Path) -> None:
    """Through RGB it was clipped to 255: an error all the same, but naming a colour the file does not hold."""
    classes = np.array([[8, 8, 0, 0], [0, 0, 0, 256]], dtype=np.uint16)
    root = _masks_folder(tmp_path / "src", Image.fromarray(classes))
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / "SegmentationClass/a.png")
    assert err.value.location.pixel == (3, 1)
    assert (err.value.message, err.value.found) == ("class PNG value above 255", "256")
    assert str(err.value.location).endswith("SegmentationClass/a.png pixel (x=3, y=1)")


@pytest.mark.parametrize(
    ("alpha", "pixel", "found"),
    [
        ((0, 0), (0, 0), "(64, 0, 0) at alpha 0"),  # a transparent cat: is it one?
        ((1, 2), (2, 1), "(192, 128, 128) at alpha 128"),  # a half-transparent person
    ],
)
def test_a_coloured_pixel_that_is_not_opaque_is_an_error_naming_it(
    tmp_path: Path, alpha: tuple[int, int], pixel: tuple[int, int], found: str
) -> None:
    """Alpha was dropped: a transparent pixel was read as the class of its colour."""
    rgba = _opaque(_rgb(_CLASS_VALUES))
    rgba[_CLASS_VALUES == 0] = 0  # transparent black: background, as image editors save it
    rgba[alpha[0], alpha[1], 3] = 0 if found.endswith(" 0") else 128
    root = _masks_folder(tmp_path / "src", Image.fromarray(rgba, "RGBA"))
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.pixel) == (str(root / "SegmentationClass/a.png"), pixel)
    assert err.value.found == found


def test_transparent_black_pixels_are_background(tmp_path: Path) -> None:
    rgba = _opaque(_rgb(_CLASS_VALUES))
    rgba[_CLASS_VALUES == 0] = 0
    la = np.stack([_OBJECT_VALUES, np.where(_OBJECT_VALUES == 0, 0, 255).astype(np.uint8)], -1)
    root = _masks_folder(tmp_path / "src", Image.fromarray(rgba, "RGBA"), Image.fromarray(la, "LA"))
    assert _read_masks(root) == (_EXPECTED_MASKS, _EXPECTED_VOID)


def test_an_unknown_colour_is_an_error_naming_its_pixel(tmp_path: Path) -> None:
    rgb = _rgb(_CLASS_VALUES)
    rgb[1, 2] = (1, 2, 3)
    root = _masks_folder(tmp_path / "src", Image.fromarray(rgb, "RGB"))
    with pytest.raises(InputError, match="colour not in the labelmap or the VOC palette") as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.pixel) == (str(root / "SegmentationClass/a.png"), (2, 1))
    assert err.value.found == "(1, 2, 3)"
    (finding,) = labelkit.validate(root, "voc")
    assert (finding.path, finding.where) == (str(root / "SegmentationClass/a.png"), "pixel (x=2, y=1)")


@pytest.mark.parametrize(("color_type", "channels", "kind"), [(2, 3, "RGB"), (4, 2, "grey+alpha"), (6, 4, "RGBA")])
def test_16_bit_colour_and_grey_alpha_pngs_are_refused(
    tmp_path: Path, color_type: int, channels: int, kind: str
) -> None:
    """Pillow keeps the high byte of each 16-bit value: grey 1 with alpha read as 0 (background), silently."""
    pixels = np.stack([_OBJECT_VALUES.astype(np.uint16)] * channels, -1)
    pixels[..., -1] = 0xFFFF if color_type != 2 else pixels[..., -1]
    root = _masks_folder(tmp_path / "src", None, _raw_png(pixels, 16, color_type))
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / "SegmentationObject/a.png")
    assert err.value.message == f"16-bit {kind} segmentation PNG: Pillow reads only the high byte of each value"


def test_labelmap_colours_come_back_in_the_labelmap_and_the_class_png(tmp_path: Path) -> None:
    """A labelmap of other colours than VOC's (cat and dog swapping VOC's first two, a grey background): the
    class PNG is painted with them, as Datumaro and CVAT paint it, and a VOC -> VOC round trip keeps them."""
    colours = {"background": (10, 10, 10), "cat": (0, 128, 0), "dog": (128, 0, 0), "bird": (1, 2, 3)}
    root = _masks_folder(tmp_path / "src", None)
    (root / "labelmap.txt").write_text("".join(f"{n}:{r},{g},{b}::\n" for n, (r, g, b) in colours.items()))
    (root / "ImageSets/Main").mkdir(parents=True)
    (root / "ImageSets/Main/train.txt").write_text("a\n")
    (root / "Annotations/a.xml").write_text(
        (root / "Annotations/a.xml").read_text().replace(">cat<", ">dog<").replace(">person<", ">cat<")
    )
    names = np.array([["dog", "dog", "background", "bird"], ["background", "background", "cat", "cat"]])
    rgb = np.array([[colours[n] for n in row] for row in names], dtype=np.uint8)
    (root / "SegmentationClass").mkdir()
    Image.fromarray(rgb, "RGB").save(root / "SegmentationClass/a.png")
    ds = labelkit.load(root, "voc")
    assert [(c.name, c.color) for c in ds.categories] == [
        ("background", "#0a0a0a"),
        ("cat", "#008000"),  # (value 1 here, whose VOC colour is (128, 0, 0))
        ("dog", "#800000"),
        ("bird", "#010203"),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    assert (tmp_path / "out/labelmap.txt").read_text().splitlines()[2:] == [
        "background:10,10,10::",
        "cat:0,128,0::",
        "dog:128,0,0::",
        "bird:1,2,3::",
    ]
    written = Image.open(tmp_path / "out/SegmentationClass/a.png")
    assert written.mode == "P" and np.array_equal(np.asarray(written.convert("RGB")), rgb)
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


@pytest.mark.parametrize("last", ["ignored:224,224,192::", "ignored:224,224,192:head:"])
def test_a_labelmaps_last_ignored_line_keeps_the_void_colour_void_in_an_rgb_png(tmp_path: Path, last: str) -> None:
    """Datumaro's and CVAT's labelmap ends with ``ignored:224,224,192::``, VOC's void by name and colour: an RGB
    class PNG's pixels of that colour are the void's, as index 255 of a palette PNG is, where each image with
    void had an object of a class ``ignored`` (written to COCO and YOLO, unreported). The class stays a category,
    as Datumaro reads it; a line with parts is a class's own, and its colour its pixels'."""
    void, cat = (224, 224, 192), (64, 0, 0)
    rgb = np.array([[void, void, cat, cat], [(0, 0, 0)] * 4], dtype=np.uint8)
    root = _masks_folder(tmp_path / "rgb", Image.fromarray(rgb, "RGB"))
    (root / "labelmap.txt").write_text(f"background:0,0,0::\ncat:64,0,0::\nperson:192,128,128::\n{last}\n")
    objects, metadata = _read_masks(root)
    values = np.array([[255, 255, 1, 1], [0] * 4], dtype=np.uint8)
    indexed = Image.fromarray(values, "P")
    indexed.putpalette([*(0, 0, 0), *cat, *(192, 128, 128), *(224, 224, 192) * 253])
    palette_root = _masks_folder(tmp_path / "p", indexed)
    (palette_root / "labelmap.txt").write_text((root / "labelmap.txt").read_text())
    ds = labelkit.load(root, "voc")
    assert [c.name for c in ds.categories] == ["background", "cat", "person", "ignored"]
    if last.endswith("::"):
        assert [(n, s, p) for n, s, _, p in objects if p] == [("cat", "mask", [[0, 0, 1, 1], [0, 0, 0, 0]])]
        assert (objects, metadata) == _read_masks(palette_root)
        assert "voc:void" in metadata or "voc:void_class" in metadata
    else:  # (a class of the void's colour, of its own: its pixels are its objects)
        assert ("ignored", "mask", {"voc:semantic": True}, [[1, 1, 0, 0], [0, 0, 0, 0]]) in objects


def _with_trns(png: bytes, alpha: bytes) -> bytes:
    """``png`` with a ``tRNS`` chunk after its ``PLTE`` (or ``IHDR``: grey and RGB PNGs have no palette)."""
    at = png.find(b"PLTE") - 4 if b"PLTE" in png else 8
    end = at + 12 + int.from_bytes(png[at : at + 4], "big")
    return png[:end] + voc_masks._chunk(b"tRNS", alpha) + png[end:]


@pytest.mark.parametrize(
    "alpha",
    [b"\x00", b"\x00" + b"\xff" * 14 + b"\x80", bytes(256), b"\xff" * 255 + b"\x00"],
    ids=["background", "one-class-half", "all", "void"],
)
def test_a_palette_pngs_transparency_chunk_changes_no_value(tmp_path: Path, alpha: bytes) -> None:
    """A palette PNG's ``tRNS`` chunk (Pillow's ``info['transparency']``; some writers make background or void
    transparent for viewing) gives whole palette entries an alpha: the indices are the class and instance
    values still, as VOC's devkit (MATLAB ``imread``) and Pillow-based loaders read them, so labelkit reads the
    same masks as without it (where an RGBA pixel's alpha, per pixel, is checked)."""
    import shutil

    src = FIXTURES / "voc" / "golden" / "masks-all"
    shutil.copytree(src, tmp_path / "v")
    pngs = sorted((tmp_path / "v").glob("Segmentation*/**/*.png"))
    assert len(pngs) == 4
    for png in pngs:
        png.write_bytes(_with_trns(png.read_bytes(), alpha))
        with Image.open(png) as im:
            assert im.mode == "P" and "transparency" in im.info
    expected = labelkit.load(src)
    assert sum(1 for o in expected.objects() if o.mask is not None) == 2
    assert canonical(labelkit.load(tmp_path / "v")) == canonical(expected)


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_grey_or_rgb_pngs_transparent_value_changes_no_value(tmp_path: Path, mode: str) -> None:
    """A grey or RGB PNG's ``tRNS`` names one value or colour transparent: it is read as that value still."""
    import shutil

    src = FIXTURES / "voc" / "golden" / "masks-all"
    for name, transparent in (("plain", None), ("trns", True)):
        shutil.copytree(src, tmp_path / name)
        for png in sorted((tmp_path / name).glob("Segmentation*/**/*.png")):
            with Image.open(png) as im:
                converted = im.convert(mode) if mode == "RGB" else Image.fromarray(np.asarray(im))
            first = converted.getpixel((0, 0))
            converted.save(png, **({"transparency": first} if transparent else {}))
            with Image.open(png) as im:
                assert im.mode == mode and ("transparency" in im.info) == bool(transparent)
    assert canonical(labelkit.load(tmp_path / "trns")) == canonical(labelkit.load(tmp_path / "plain"))


# -- file names that are not one file on every machine ---------------------------------------------

_WINDOWS_REASON = (
    "Windows opens a device for CON, PRN, AUX, NUL, COM1-COM9 and LPT1-LPT9 (in any case, with any extension), "
    'drops a dot or space ending a name and refuses < > : " | ? * and control characters in one: they are not '
    "written, on every machine"
)
_CLASH_REASON = (
    "names differing only in case are one file or folder on macOS and Windows, and names differing only in Unicode "
    "normalisation (NFC and NFD) on macOS: the first by name is written, on every machine"
)


def _masked_items(*ids: str) -> Dataset:
    """An item per id, each with a box and a mask (so an XML and two segmentation PNGs), named after its id.

    (As read from VOC, KEEP_IDS: its image n.jpg does not name it.)
    """
    ds = Dataset(categories=[Category(id=1, name="dog")], info=DatasetInfo(extras={KEEP_IDS: True}))
    mask = np.zeros((4, 6), dtype=bool)
    mask[0:2, 0:3] = True
    for n, item_id in enumerate(ids):
        ds.add_item(Item(id=item_id, media=Media(path=f"{n}.jpg", width=6, height=4), split="train"))
        ds.add(Object(id=str(n), item_id=item_id, category_id=1, bbox=(0.0, 0.0, 3.0, 2.0), mask=_rle(mask)))
    return ds


def _written(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("ids", "kept", "lost"),
    [
        (("a", "A", "b"), "A", "a"),
        (("caf\u00e9", "cafe\u0301", "b"), "cafe\u0301", "caf\u00e9"),
        (("sub/y", "Sub/x", "b"), "Sub/x", "sub/y"),  # one folder there: sub/y would read back as Sub/y
    ],
)
def test_items_whose_files_differ_only_in_case_are_lost_alike_on_every_machine(
    ids: tuple[str, ...], kept: str, lost: str, tmp_path: Path
) -> None:
    """Linux wrote Annotations/a.xml and A.xml (and their PNGs), macOS and Windows failed on the second."""
    ds = _masked_items(*ids)
    where = "macOS" if kept == "cafe\u0301" else "macOS and Windows"  # (NFC and NFD: two files on Windows)
    reason = (
        f"{_CLASH_REASON} (item {ascii(kept)}, {ascii(f'Annotations/{kept}.xml')}, is written; item {ascii(lost)}, "
        f"{ascii(f'Annotations/{lost}.xml')}, is not: one on {where})"
    )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        ("items whose files are another item's on macOS or Windows", 1, reason),
        ("object annotations on them", 1, "their items are not written"),
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert report.written == {"items": 2, "object annotations": 2}
    assert _written(tmp_path / "out") == sorted(
        [
            *(
                f"{kind}/{item}.{ext}"
                for item in (kept, "b")
                for kind, ext in (("Annotations", "xml"), ("SegmentationClass", "png"), ("SegmentationObject", "png"))
            ),
            "ImageSets/Main/train.txt",
            "ImageSets/Segmentation/train.txt",
            "labelmap.txt",
        ]
    )
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == f"{kept}\nb\n"


@pytest.mark.usefixtures("folding_file_system")
def test_a_case_folding_file_system_gets_the_voc_output_every_machine_gets(tmp_path: Path) -> None:
    """Simulated macOS / Windows: 'Annotations/a.xml: cannot write: File exists' there, both files here."""
    labelkit.save(_masked_items("a", "A", "b"), tmp_path / "out", "voc", allow_loss=True)
    assert [p.name for p in sorted((tmp_path / "out/Annotations").iterdir())] == ["A.xml", "b.xml"]


@pytest.mark.parametrize(
    ("item_id", "file"),
    [
        ("con", "Annotations/con.xml"),
        ("AUX.2007", "Annotations/AUX.2007.xml"),
        ("x/Com1", "Annotations/x/Com1.xml"),
        ("nul/a", "Annotations/nul/a.xml"),
        ("a./b", "Annotations/a./b.xml"),
        ("a /b", "Annotations/a /b.xml"),
        # characters Windows refuses in a name
        ("a?", "Annotations/a?.xml"),
        ("x/b:c", "Annotations/x/b:c.xml"),
        ("2007:01", "Annotations/2007:01.xml"),
        ("p|q", "Annotations/p|q.xml"),
        ('"q"/<r>', 'Annotations/"q"/<r>.xml'),
        ("s*", "Annotations/s*.xml"),
        ("t\x1f", "Annotations/t\x1f.xml"),
        # a drive on Windows, a relative path elsewhere (refused as an unsafe name, with no item named)
        ("b:c", "Annotations/b:c.xml"),
        ("C:x", "Annotations/C:x.xml"),
        ("C:", "Annotations/C:.xml"),
        ("c:/x", "Annotations/c:/x.xml"),
        ("c:\\x", "Annotations/c:/x.xml"),
        ("c:../x", "Annotations/c:../x.xml"),
    ],
)
def test_items_whose_files_windows_cannot_hold_are_lost_on_every_machine(
    item_id: str, file: str, tmp_path: Path
) -> None:
    ds = _masked_items("b", item_id)
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        ("items whose file names Windows cannot hold", 1, f"{_WINDOWS_REASON} (item {ascii(item_id)}, {ascii(file)})"),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.xml")] == [
        "Annotations/b.xml"
    ]


@pytest.mark.parametrize("item_id", ["/a", "//host/share/a", "\\\\host\\share\\a", "../a", "a/../b", "c:/x/../y", ""])
def test_an_item_id_that_cannot_name_a_file_inside_the_output_is_an_error_naming_the_item(
    item_id: str, tmp_path: Path
) -> None:
    """The error was 'unsafe file name ...' with no item named (and no file: the dataset was built in code)."""
    for call in (
        lambda: labelkit.plan(_masked_items("b", item_id), "voc"),
        lambda: labelkit.save(_masked_items("b", item_id), tmp_path / "out", "voc", allow_loss=True),
    ):
        with pytest.raises(OutputError) as err:
            call()
        assert err.value.message == f"item {item_id!r}: its id cannot name a file inside the output"
        assert (err.value.expected, err.value.hint) == (
            "a relative path without '..'",
            "rename the item (Pascal VOC names an item's files after its id: Annotations/<id>.xml)",
        )
    assert not (tmp_path / "out").exists()


def test_the_cli_refuses_a_drive_like_voc_item_id_as_a_loss_and_writes_the_others_with_allow_loss(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in.labelkit.json"
    labelkit.save(_masked_items("b", "b:c"), src, "labelkit")
    out = tmp_path / "out"
    lost = f"lost: 1 items whose file names Windows cannot hold: {_WINDOWS_REASON} (item 'b:c', 'Annotations/b:c.xml')"
    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", "voc"])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines()[0] == f"labelkit: {lost}"
    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", "voc", "--allow-loss"])
    assert result.exit_code == 0, result.output
    assert lost in result.stdout.splitlines()
    assert [p for p in _written(out) if p.startswith("Annotations")] == ["Annotations/b.xml"]


def test_classes_whose_list_files_windows_cannot_hold_are_not_listed(tmp_path: Path) -> None:
    """Class 'd?g' wrote ImageSets/Main/d?g_train.txt, which Windows cannot create: its image labels are lost as
    those of classes that cannot be file names (its objects are written, and labelmap.txt keeps the class)."""
    ds = Dataset(categories=[Category(id=0, name="cat"), Category(id=1, name="d?g"), Category(id=2, name="con")])
    for n, cid in enumerate((0, 1, 2)):
        ds.add_item(Item(id=str(n), split="train", media=Media(path=f"{n}.jpg", width=4, height=3)))
        ds.add(Label(id=str(n), item_id=str(n), category_id=cid))
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        (
            "image labels of classes that cannot be file names",
            1,
            "ImageSets/Main/<class>_<split>.txt is named after the class (not '..', '/', a name starting with ._, "
            "which readers pass over as a macOS resource fork's, nor a name holding a character Windows refuses: "
            '< > : " | ? * or a control character)',
        )
    ]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "out/ImageSets/Main").iterdir()) == [
        "cat_train.txt",
        "con_train.txt",  # (a device name only before the first dot: con_train.txt is a file on Windows)
        "train.txt",
    ]


def test_actions_whose_list_files_windows_cannot_hold_are_not_listed(tmp_path: Path) -> None:
    """Action 'con.x' (an XML name) wrote ImageSets/Action/con.x_train.txt, a device on Windows: its flags that
    would be that list's lines are reported lost and the list is not written; the XML keeps them, and other
    actions are listed. ('a:b' is no XML name here: its flags were and are lost as malformed, with no list.)"""
    ds = Dataset(categories=[Category(id=0, name="person")], info=DatasetInfo(extras={KEEP_IDS: True}))
    objects = {
        "a": {"con.x": 1, "jumping": 1},
        "b": {"con.x": 0, "a:b": 1},
        "c": {"Nul.run": 1},
        "m": {"con.x": 1},  # (its item's voc:imagesets leaves out Action: no list line)
    }
    for n, (item_id, flags) in enumerate(objects.items()):
        meta = {"voc:imagesets": ["Main"]} if item_id == "m" else {}
        split = "val" if item_id == "c" else "train"
        ds.add_item(Item(id=item_id, split=split, media=Media(path=f"{n}.jpg", width=6, height=4), metadata=meta))
        ds.add(
            Object(id=str(n), item_id=item_id, category_id=0, bbox=(0.0, 0.0, 3.0, 2.0), extras={"voc:actions": flags})
        )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        (
            "malformed voc:* object values",
            1,
            "Pascal VOC needs integer flags, action names that can be XML tags (a letter or _, then letters, digits, "
            "_, - and .), parts with a name and 4 numbers, a point of 2 numbers: not written",
        ),
        (
            "action flags whose ImageSets/Action list Windows cannot create",
            3,
            "ImageSets/Action/<action>_<split>.txt is named after the action, and Windows opens a device for a "
            "name that is CON, PRN, AUX, NUL, COM1-COM9 or LPT1-LPT9 before its first dot: the list is not "
            "written, on every machine (the flags stay in the XML's <actions>; tools reading the lists, as "
            "VOC2012's devkit does, do not see them) (action 'con.x', 'ImageSets/Action/con.x_train.txt')",
        ),
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert {p.name: p.read_text() for p in (tmp_path / "out/ImageSets/Action").iterdir()} == {
        "jumping_train.txt": "a 1  1\n",
        "train.txt": "a\nb\n",
        "val.txt": "c\n",
    }
    back = labelkit.load(tmp_path / "out", "voc")
    assert {o.item_id: o.extras.get("voc:actions") for o in back.objects()} == {
        "a": {"con.x": 1, "jumping": 1},
        "b": {"con.x": 0},
        "c": {"Nul.run": 1},
        "m": {"con.x": 1},
    }


def _case_actions() -> Dataset:
    """Four items of one person each: actions Jump (a) and jump (b, c), whose lists are one file on macOS and
    Windows, and run (c, d)."""
    ds = Dataset(categories=[Category(id=0, name="person")], info=DatasetInfo(extras={KEEP_IDS: True}))
    flags = {"a": {"Jump": 1}, "b": {"jump": 1}, "c": {"jump": 0, "run": 1}, "d": {"run": 1}}
    for n, (item_id, actions) in enumerate(flags.items()):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=f"{n}.jpg", width=6, height=4)))
        ds.add(
            Object(
                id=str(n), item_id=item_id, category_id=0, bbox=(0.0, 0.0, 3.0, 2.0), extras={"voc:actions": actions}
            )
        )
    return ds


_ACTION_CLASH = (
    "action flags whose ImageSets/Action list is another's on macOS or Windows",
    2,
    "ImageSets/Action/<action>_<split>.txt is named after the action and split, and names differing only in case "
    "are one file on macOS and Windows, names differing only in Unicode normalisation (NFC and NFD) on macOS: the "
    "first by name is written, and a split's own list before it, on every machine "
    "('ImageSets/Action/Jump_train.txt' is written; 'ImageSets/Action/jump_train.txt' is not: one on macOS and "
    "Windows) (the flags stay in the XML's <actions>; tools reading the lists do not see them)",
)


def test_action_lists_one_on_macos_and_windows_are_lost(tmp_path: Path) -> None:
    """Actions Jump and jump wrote ImageSets/Action/Jump_train.txt and jump_train.txt, one file on macOS and
    Windows: refused when writing, after the plan had passed. The plan reports the flags of the list that yields
    (the second by name), and with allow_loss that list is not written, on every machine; the XML keeps them."""
    ds = _case_actions()
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [_ACTION_CLASH]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert not (tmp_path / "refused").exists()
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert {p.name: p.read_text() for p in (tmp_path / "out/ImageSets/Action").iterdir()} == {
        "Jump_train.txt": "a 1  1\n",
        "run_train.txt": "c 1  1\nd 1  1\n",
        "train.txt": "a\nb\nc\nd\n",
    }
    back = labelkit.load(tmp_path / "out", "voc")
    assert [o.extras["voc:actions"] for o in back.objects()] == [o.extras["voc:actions"] for o in ds.objects()]


def test_the_cli_refuses_action_lists_one_on_macos_and_windows_then_writes_with_allow_loss(tmp_path: Path) -> None:
    src = tmp_path / "in.labelkit.json"
    labelkit.save(_case_actions(), src, "labelkit")
    what, count, reason = _ACTION_CLASH
    lost = [f"lost: {count} {what}: {reason}"]
    assert_cli_refuses_then_writes(
        src, tmp_path / "out", "voc", "Pascal VOC", lost, "written: 4 items, 4 object annotations"
    )
    assert sorted(p.name for p in (tmp_path / "out/ImageSets/Action").iterdir()) == [
        "Jump_train.txt",
        "run_train.txt",
        "train.txt",
    ]


@pytest.mark.parametrize(
    ("extras", "metadata", "lost", "written"),
    [
        # an escape spelling voc:actions beside a voc: key: written as lists (jumping's), so con.x's flag is lost
        ('{"voc:pose":"Left","voc:\\u0061ctions":{"con.x":1,"jumping":1}}', None, 1, ["jumping_train.txt"]),
        # an escape spelling voc:imagesets without Action: no list is written, so no flag is lost to Windows
        ('{"voc:actions":{"con.x":1,"jumping":1}}', '{"voc\\u003aimagesets":["Main"]}', 0, []),
        # escaped keys the writer does not read (no '"voc:' in the text): not the XML's actions at all
        ('{"voc\\u003aactions":{"con.x":1}}', None, 0, []),
    ],
    ids=["escaped-actions", "escaped-imagesets", "unread-extras"],
)
def test_unlisted_action_flags_are_counted_by_the_writers_rule(
    tmp_path: Path, extras: str, metadata: str | None, lost: int, written: list[str]
) -> None:
    """The plan read voc:actions and voc:imagesets only where spelled plainly, the writer also when escaped: a
    con.x flag the writer left out of the lists went unreported (written without --allow-loss), and a list the
    writer did not write was counted lost (refused)."""
    import pyarrow as pa

    objects = pa.table({"id": ["0"], "item_id": ["a"], "category_id": [0], "bbox": [[0.0, 0.0, 3.0, 2.0]]})
    items = pa.table(
        {"id": ["a"], "split": ["train"], "width": [6], "height": [4], "metadata": pa.array([metadata], pa.string())}
    )
    objects = objects.append_column("extras", pa.array([extras], pa.string()))
    ds = Dataset.from_tables({"items": items, "objects": objects}, categories=[Category(id=0, name="person")])
    counts = {c.what: c.count for c in labelkit.plan(ds, "voc").lost}
    assert counts.get("action flags whose ImageSets/Action list Windows cannot create", 0) == lost
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=bool(lost))
    action = tmp_path / "out/ImageSets/Action"
    assert sorted(p.name for p in action.glob("*_*.txt")) == written


def test_images_copied_whose_names_differ_only_in_case_are_named_after_their_items(tmp_path: Path) -> None:
    """x/A.png and y/a.png were JPEGImages/A.png and a.png: one file on macOS and Windows. Renamed as images
    of one name are. An image named as a device (``nul.png``) was not copied, and its item was lost: its item,
    which keeps its id (VOC cannot hold the name), now names it, ``3.png``, as VOC's loaders would look for it."""
    for folder, name, colour in (("x", "A.png", "red"), ("y", "a.png", "blue"), ("y", "nul.png", "green")):
        (tmp_path / "m" / folder).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3), colour).save(tmp_path / "m" / folder / name)
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item_id, path in (("1", "x/A.png"), ("2", "y/a.png"), ("3", "y/nul.png")):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=4, height=3)))
    options = {"media": "copy", "media_root": str(tmp_path / "m")}
    assert labelkit.plan(ds, "voc", **options).lost == []
    report = labelkit.save(ds, tmp_path / "out", "voc", **options)
    assert [(c.what, c.count) for c in report.transformed] == [("image file names", 3)]
    assert [p.name for p in sorted((tmp_path / "out/JPEGImages").iterdir())] == ["1.png", "2.png", "3.png"]
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [
        ("1", "JPEGImages/1.png"),
        ("2", "JPEGImages/2.png"),
        ("3", "JPEGImages/3.png"),
    ]


def test_the_cli_refuses_voc_items_of_one_file_on_macos_and_windows_and_writes_the_first_with_allow_loss(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in.labelkit.json"
    labelkit.save(_masked_items("b", "a", "A", "prn"), src, "labelkit")
    out = tmp_path / "out"
    lost = [
        f"lost: 1 items whose file names Windows cannot hold: {_WINDOWS_REASON} (item 'prn', 'Annotations/prn.xml')",
        "lost: 1 items whose files are another item's on macOS or Windows: "
        f"{_CLASH_REASON} (item 'A', 'Annotations/A.xml', is written; item 'a', 'Annotations/a.xml', is not: "
        "one on macOS and Windows)",
        "lost: 2 object annotations on them: their items are not written",
    ]
    assert_cli_refuses_then_writes(src, out, "voc", "Pascal VOC", lost, "written: 2 items, 2 object annotations")
    assert sorted(p.name for p in (out / "Annotations").iterdir()) == ["A.xml", "b.xml"]


@pytest.mark.parametrize("split", ["con", "Aux", "lpt1"])
def test_items_of_a_split_whose_list_windows_cannot_hold_are_lost_on_every_machine(split: str, tmp_path: Path) -> None:
    """A split named ``con`` is listed in ``ImageSets/Main/con.txt``, a device on Windows: it was written on every
    machine without a word (YOLO's ``labels/con/`` items were reported lost). Its items are lost, as YOLO's."""
    ds = Dataset(categories=[Category(id=1, name="dog")], info=DatasetInfo(extras={KEEP_IDS: True}))
    mask = np.zeros((4, 6), dtype=bool)
    mask[0:2, 0:3] = True
    for n, (item_id, item_split) in enumerate((("a", "train"), ("b", split))):
        ds.add_item(Item(id=item_id, media=Media(path=f"{n}.jpg", width=6, height=4), split=item_split))
        ds.add(Object(id=str(n), item_id=item_id, category_id=1, bbox=(0.0, 0.0, 3.0, 2.0), mask=_rle(mask)))
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").lost] == [
        (
            "items whose file names Windows cannot hold",
            1,
            f"{_WINDOWS_REASON} (item 'b', 'ImageSets/Main/{split}.txt')",
        ),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [p for p in _written(tmp_path / "out") if p.startswith(("ImageSets", "Annotations"))] == [
        "Annotations/a.xml",
        "ImageSets/Main/train.txt",
        "ImageSets/Segmentation/train.txt",
    ]


@pytest.mark.parametrize(("again", "refused"), [("-1", False), ("1", True), ("0", True)])
def test_a_per_class_list_naming_an_image_again_reads_one_value(again: str, refused: bool, tmp_path: Path) -> None:
    """The same line again says nothing new; another value contradicts the first, which was read as the later
    one (-1 then 1 gave a label) without a word: an error at the second line, naming the first."""
    import shutil

    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    listed = root / "ImageSets/Main/forklift truck_train.txt"
    assert listed.read_text() == "2007_000001 -1\n"
    listed.write_text(f"2007_000001 -1\n2007_000001 {again}\n")
    if not refused:
        assert [x.item_id for x in labelkit.load(root, "voc").labels() if x.item_id == "2007_000001"] == []
        return
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(listed), 2)
    assert err.value.message == "image listed again with another value (line 1: -1)"
    assert err.value.found == f"'2007_000001 {again}'"


_PATHS_REASON = (
    "Pascal VOC's <filename> is the image's path below JPEGImages/: a path of other folders reads back as "
    "JPEGImages/<base name> ('a/b.jpg' as 'JPEGImages/b.jpg'), a backslash as a slash ('JPEGImages/a\\b.jpg' "
    "as 'JPEGImages/a/b.jpg')"
)


def test_image_paths_of_other_folders_are_reported_as_read_back_otherwise(tmp_path: Path) -> None:
    """<filename>a/b.jpg</filename> read as the image JPEGImages/a/b.jpg, was written b.jpg (the base name) and
    read back as JPEGImages/b.jpg: VOC -> VOC changed the path, unreported (a\\b.jpg alike)."""
    (tmp_path / "in/Annotations").mkdir(parents=True)
    for item_id, name in (("x", "a/b.jpg"), ("y", "c\\d.jpg"), ("z", "z.jpg")):
        (tmp_path / "in/Annotations" / f"{item_id}.xml").write_text(
            f"<annotation><filename>{name}</filename><size><width>10</width><height>10</height></size></annotation>"
        )
    ds = labelkit.load(tmp_path / "in", "voc")
    assert [i.media.path for i in ds.items()] == ["JPEGImages/a/b.jpg", "JPEGImages/c\\d.jpg", "JPEGImages/z.jpg"]
    ds.add_item(Item(id="w", split="train", media=Media(path="w.jpg", width=4, height=3)))  # (COCO's: as it is)
    ds.add_item(Item(id="v", split="train", media=Media(path="images/train/v.jpg", width=4, height=3)))  # (YOLO's)
    planned = [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc").transformed]
    assert planned[1:] == [("item image paths", 2, _PATHS_REASON)]  # (y and v: x keeps its path below JPEGImages/)
    written = labelkit.save(ds, tmp_path / "out", "voc")
    assert [(c.what, c.count, c.reason) for c in written.transformed] == planned
    back = {i.id: i.media.path for i in labelkit.load(tmp_path / "out", "voc").items()}
    assert back == {
        "x": "JPEGImages/a/b.jpg",
        "y": "JPEGImages/c/d.jpg",
        "z": "JPEGImages/z.jpg",
        "w": "JPEGImages/w.jpg",
        "v": "JPEGImages/v.jpg",
    }


@pytest.mark.parametrize("name", ["a//b.jpg", "a/./b.jpg", "./a/b.jpg", "a/b.jpg/"])
def test_a_filename_spelled_otherwise_keeps_its_folder_with_no_image(tmp_path: Path, name: str) -> None:
    """With no image there, <filename>a//b.jpg</filename> (or a/./b.jpg) was read as JPEGImages/a//b.jpg and written
    back as b.jpg, another file (a/b.jpg/ as x.jpg), the item's image path said to read back otherwise; the file
    it names, a/b.jpg, is kept, as it is where the image is there."""
    (tmp_path / "in/Annotations").mkdir(parents=True)
    (tmp_path / "in/Annotations/x.xml").write_text(f"<annotation><filename>{name}</filename></annotation>")
    [item] = labelkit.load(tmp_path / "in", "voc").items()
    assert item.media.path == "JPEGImages/a/b.jpg"
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="voc")
    assert [c.what for c in report.transformed] == ["item splits"]  # (no ImageSets read)
    assert "<filename>a/b.jpg</filename>" in (tmp_path / "out/Annotations/x.xml").read_text()


def test_an_image_path_below_jpegimages_spelled_otherwise_is_written_as_the_file_it_names(tmp_path: Path) -> None:
    """JPEGImages/a//b.jpg was written as <filename>b.jpg</filename>: the folder was dropped."""
    ds = Dataset(info=DatasetInfo(extras={KEEP_IDS: True}))
    ds.add_item(Item(id="x", split="train", media=Media(path="JPEGImages/a//b.jpg", width=4, height=3)))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [("item image paths", 1)]
    assert "<filename>a/b.jpg</filename>" in (tmp_path / "out/Annotations/x.xml").read_text()
    assert [i.media.path for i in labelkit.load(tmp_path / "out", "voc").items()] == ["JPEGImages/a/b.jpg"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "JPEGImages/", "images/train/"]), st.sampled_from(["", "a/", "a\\", "a/b\\"])),
        min_size=1,
        max_size=6,
    )
)
def test_the_item_image_paths_count_is_the_paths_that_read_back_otherwise(
    tmp_path_factory: pytest.TempPathFactory, folders: list[tuple[str, str]]
) -> None:
    ds = Dataset(categories=[Category(id=0, name="c")], info=DatasetInfo(extras={KEEP_IDS: True}))
    for n, (top, sub) in enumerate(folders):  # (names of their own: no image is renamed)
        ds.add_item(Item(id=f"i{n}", split="train", media=Media(path=f"{top}{sub}{n}.jpg", width=4, height=3)))
    out = tmp_path_factory.mktemp("voc") / "o"
    report = labelkit.save(ds, out, "voc")
    back = {i.id: i.media.path for i in labelkit.load(out, "voc").items()}
    # (a path of no folder is the name in JPEGImages/: as it is)
    otherwise = sum(
        1 for i in ds.items() if back[i.id] != "JPEGImages/" + (i.media.path or "").removeprefix("JPEGImages/")
    )
    assert {c.what: c.count for c in report.transformed}.get("item image paths", 0) == otherwise
    # (below JPEGImages/ a path keeps its folders, a backslash read back as a slash)
    assert otherwise == sum(1 for top, sub in folders if top != "JPEGImages/" and (top or sub) or "\\" in sub)


def test_a_plan_reports_renamed_item_and_image_files_as_the_write_does(tmp_path: Path) -> None:
    """Only writing reported them: a plan (a dry run) said nothing of ids written as other paths and images
    renamed after their ids."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="x/a", media=Media(path="p/a.jpg", width=10, height=10)))
    ds.add_item(Item(id="b", media=Media(path="q/a.jpg", width=10, height=10)))
    ds.add_item(Item(id="./c", media=Media(path="c.jpg", width=10, height=10)))
    planned = [(c.what, c.count) for c in labelkit.plan(ds, "voc").transformed]
    assert planned == [("item splits", 3), ("item ids", 1), ("image file names", 2)]
    written = labelkit.save(ds, tmp_path / "out", "voc")
    assert [(c.what, c.count) for c in written.transformed] == planned
    assert sorted(p.name for p in (tmp_path / "out/Annotations").rglob("*.xml")) == ["a.xml", "b.xml", "c.xml"]


def test_a_mask_only_object_whose_mask_is_of_another_size_is_lost_once_as_an_object(tmp_path: Path) -> None:
    """Its mask cannot be painted and it has no box: nothing of it is written. The report said its mask and score
    were lost and that it was written to the PNGs only; it is one object lost. An XML object (with a box) whose
    mask is of another size still loses its mask only."""
    wrong = raster.mask_to_rle(np.ones((3, 3), dtype=bool))
    base = _image_with_masks(wrong, boxed=False)
    [mask_only] = base.objects()
    only = Dataset(categories=base.categories, items=list(base.items()))
    only.add(mask_only.model_copy(update={"score": 0.5}))
    only.add(mask_only.model_copy(update={"id": "boxed", "bbox": (0.0, 0.0, 2.0, 2.0)}))
    other_size = "the mask's size differs from the image's (a PNG has the image's size)"
    report = labelkit.save(only, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("masks", 1, other_size),
        ("objects", 1, f"{other_size}: with no XML object, nothing of it is written"),
    ]
    assert beside_ids(report.transformed) == []
    assert report.written == {"items": 1, "object annotations": 1}
    assert [o.mask for o in labelkit.load(tmp_path / "o", "voc").objects()] == [None]


_UNSPLIT = (
    "items without a split are listed in ImageSets/Main/train.txt (the -o split option), and read back in that split"
)
_AS_XML = (
    "no segmentation PNG holds them (masks=none, no mask, or one that cannot be painted): written as XML objects "
    "(their box and class), read back as such, not as mask-only objects"
)


def test_masks_none_writes_a_mask_only_object_as_an_xml_object_of_its_box(tmp_path: Path) -> None:
    """A mask-only object (read from the object PNG alone) has its mask's bounds as its box. With masks=none it
    was not written at all, while the report said only that its mask was lost; the plan said so too."""
    blob = np.zeros((4, 6), dtype=bool)
    blob[1:3, 2:5] = True
    labelkit.save(_image_with_masks(raster.mask_to_rle(blob), boxed=False), tmp_path / "src", "voc")
    ds = labelkit.load(tmp_path / "src", "voc")
    [read] = ds.objects()
    assert (read.bbox, read.extras) == ((2.0, 1.0, 3.0, 2.0), {"voc:mask_only": True, "voc:instance": 1})
    planned = labelkit.plan(ds, "voc", masks="none")
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="none", allow_loss=True)
    for r in (planned, report):
        assert [(c.what, c.count, c.reason) for c in r.lost] == [("masks", 1, "masks=none writes no segmentation PNGs")]
        assert [(c.what, c.count, c.reason) for c in r.transformed] == [("mask-only objects", 1, _AS_XML)]
    assert report.written == {"items": 1, "object annotations": 1}
    xml = (tmp_path / "o/Annotations/m.xml").read_text()
    assert xml.partition("<segmented>")[2] == (
        "0</segmented>\n  <object>\n    <name>cat</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
        "    <difficult>0</difficult>\n    <bndbox>\n      <xmin>3</xmin>\n      <ymin>2</ymin>\n      <xmax>5</xmax>\n"
        "      <ymax>3</ymax>\n    </bndbox>\n  </object>\n</annotation>\n"
    )
    assert not (tmp_path / "o/SegmentationObject").exists()
    [back] = labelkit.load(tmp_path / "o", "voc").objects()
    assert (back.category_id, back.bbox, back.mask, back.extras) == (read.category_id, read.bbox, None, {})
    # written again (with its masks), it is what was read, less its mask: nothing more is lost
    assert labelkit.plan(labelkit.load(tmp_path / "o", "voc"), "voc").lost == []


def test_masks_none_counts_each_mask_only_or_class_only_object_once_by_what_is_written(tmp_path: Path) -> None:
    """A class-only mask (voc:semantic) is a class's pixels, no XML object: with masks=none nothing of it is
    written, one object lost (it was counted as a mask lost, and its score too). A mask-only object keeps its box,
    class, pose and attributes in its XML object; its mask and score are lost."""
    base = _image_with_masks(_blob(slice(1, 3), slice(2, 5)), _blob(slice(0, 1), slice(0, 2)))
    one, two = base.objects()
    ds = Dataset(categories=base.categories, items=list(base.items()))
    ds.add(one.model_copy(update={"extras": {"voc:semantic": True}, "attributes": {"a": "x"}, "score": 0.5}))
    mask_only = {"voc:mask_only": True, "voc:instance": 3, "voc:pose": "Left"}
    ds.add(two.model_copy(update={"extras": mask_only, "attributes": {"a": "y"}, "score": 0.7}))
    planned = labelkit.plan(ds, "voc", masks="none")
    report = labelkit.save(ds, tmp_path / "o", "voc", masks="none", allow_loss=True)
    class_only = (
        "a class-only mask (voc:semantic: a class's pixels, read from the class PNG alone) is written to the class "
        "PNG only, never as an XML object: masks=none writes no segmentation PNGs"
    )
    for r in (planned, report):
        assert [(c.what, c.count, c.reason) for c in r.lost] == [
            ("object scores", 1, "Pascal VOC has no scores"),
            ("masks", 1, "masks=none writes no segmentation PNGs"),
            ("objects", 1, class_only),
        ]
        assert [(c.what, c.count) for c in r.transformed] == [("mask-only objects", 1)]
    assert report.written == {"items": 1, "object annotations": 1}
    [back] = labelkit.load(tmp_path / "o", "voc").objects()
    assert (back.bbox, back.extras, back.attributes, back.mask) == (
        (0.0, 0.0, 2.0, 2.0),
        {"voc:pose": "Left"},
        {"a": "y"},
        None,
    )


@pytest.mark.parametrize("masks", ["auto", "none"])
def test_a_mask_only_or_class_only_object_without_a_mask_is_not_lost_unsaid(tmp_path: Path, masks: str) -> None:
    """Flagged voc:mask_only or voc:semantic, with a box and no mask: neither was written, and the report said
    nothing. The mask-only one is an XML object (its box); the class-only one has no pixel to paint: lost."""
    ds = _image_with_masks()
    ds.add(Object(id="m", item_id="m", category_id=8, bbox=(0.0, 0.0, 2.0, 2.0), extras={"voc:mask_only": True}))
    ds.add(Object(id="s", item_id="m", category_id=8, bbox=(1.0, 1.0, 2.0, 2.0), extras={"voc:semantic": True}))
    planned = labelkit.plan(ds, "voc", masks=masks)
    report = labelkit.save(ds, tmp_path / "o", "voc", masks=masks, allow_loss=True)
    why = "masks=none writes no segmentation PNGs" if masks == "none" else "with no mask, nothing of it is written"
    for r in (planned, report):
        assert [(c.what, c.count, c.reason[-len(why) :]) for c in r.lost] == [("objects", 1, why)]
        assert [(c.what, c.count, c.reason) for c in beside_ids(r.transformed)] == [("mask-only objects", 1, _AS_XML)]
    assert report.written == {"items": 1, "object annotations": 1}
    assert [(o.bbox, o.extras) for o in labelkit.load(tmp_path / "o", "voc").objects()] == [((0.0, 0.0, 2.0, 2.0), {})]


_MASK_FLAGS = {"": {}, "mask_only": {"voc:mask_only": True}, "semantic": {"voc:semantic": True}}


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(
        st.tuples(
            st.sampled_from(["box", "box+mask", "mask", "box+other size", "other size"]),
            st.sampled_from(list(_MASK_FLAGS)),
            st.sampled_from([1, 2]),
        ),
        max_size=6,
    ),
    masks=st.sampled_from(["auto", "none"]),
)
def test_a_plan_counts_what_the_write_leaves_out_of_mask_only_and_class_only_objects(
    kinds: list[tuple[str, str, int]], masks: str, tmp_path_factory
) -> None:
    """Objects with or without a box and a mask (of the image's size or another), flagged mask-only, class-only
    or neither, some with a score: the plan reports what the write does, the objects written are those read
    back, each object not class-only is read back (with its box, or its mask's bounds) or counted once among
    the objects lost, and each score lost is of an object written."""
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=8, height=4), split="train"))
    for k, (kind, flag, cls) in enumerate(kinds):
        box = (float(k), 0.0, 1.0, 4.0) if kind.startswith("box") else None
        mask = None if kind == "box" else _column_mask(k) if kind.endswith("mask") else _rle(np.ones((3, 3), bool))
        score = 0.5 if k % 2 else None
        extras = _MASK_FLAGS[flag]
        ds.add(Object(id=str(k), item_id="m", category_id=cls, bbox=box, mask=mask, score=score, extras=extras))
    planned = labelkit.plan(ds, "voc", masks=masks)
    out = tmp_path_factory.mktemp("voc") / "o"
    report = labelkit.save(ds, out, "voc", masks=masks, allow_loss=True)
    assert (planned.lost, planned.transformed) == (report.lost, report.transformed)
    back = list(labelkit.load(out, "voc").objects())
    assert len(back) == report.written["object annotations"]
    painted = masks != "none"
    kept = sorted(
        (o.category_id, o.bbox or (float(o.id), 0.0, 1.0, 4.0))
        for o, (kind, _, _) in zip(ds.objects(), kinds, strict=True)
        if not o.extras.get("voc:semantic") and (o.bbox or (painted and kind == "mask"))
    )
    assert sorted((o.category_id, o.bbox) for o in back if not o.extras.get("voc:semantic")) == kept
    semantic = [o for o in ds.objects() if o.extras.get("voc:semantic")]
    lost_whole = sum(c.count for c in report.lost if c.what.startswith("objects"))
    if masks == "none":
        assert len(kept) + lost_whole == len(kinds)
    else:  # (class-only masks of one class read back as one: each painted one is kept)
        paintable = sum(1 for o in semantic if o.mask is not None and o.mask.size == (4, 8))
        assert len(kept) + paintable + lost_whole == len(kinds)
    scores = sum(c.count for c in report.lost if c.what == "object scores")
    written = _written_ids(ds, kinds, painted)
    assert scores == sum(1 for o in ds.objects() if o.score is not None and o.id in written)


def _written_ids(ds: Dataset, kinds: list[tuple[str, str, int]], painted: bool) -> set[str]:
    """The objects written, as XML objects or to the PNGs (see the test above)."""
    return {
        o.id
        for o, (kind, _, _) in zip(ds.objects(), kinds, strict=True)
        if (o.bbox and not o.extras.get("voc:semantic")) or (painted and kind.endswith("mask"))
    }


def _cell(pixels: np.ndarray) -> dict:
    rle = raster.mask_to_rle(pixels)
    return {"size": (rle["height"], rle["width"]), "counts": rle["counts"]}


_OTHER_SIZE = "the mask's size differs from the image's (a PNG has the image's size)"
_NO_CLASS_VALUE = (
    "a class PNG holds class values 1 to 254 (0 is the background): the background class and the classes from the "
    "255th on cannot be painted"
)


def test_a_mask_that_cannot_be_painted_is_counted_once_for_the_first_reason(tmp_path: Path) -> None:
    """A mask of another size than its image whose class is past the 254th was counted twice (other size, and
    class past 254); an object with no XML object whose class is past the 254th is lost whole (nothing of it is
    written), and was counted as a mask lost, with its score, and as written to the PNGs only."""
    ds = Dataset(categories=[Category(id=i, name=f"c{i}") for i in range(300)])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4)))
    wrong = _cell(np.ones((3, 3), dtype=bool))
    right = _cell(np.pad(np.ones((2, 2), dtype=bool), ((0, 2), (0, 4))))
    box = (0.0, 0.0, 2.0, 2.0)
    ds.add(Object(id="xml of another size", item_id="m", category_id=299, bbox=box, mask=wrong))
    ds.add(Object(id="alone of another size", item_id="m", category_id=298, mask=wrong, score=0.5))
    ds.add(Object(id="xml", item_id="m", category_id=297, bbox=box, mask=right))
    ds.add(Object(id="alone", item_id="m", category_id=296, mask=right, score=0.5, attributes={"a": "b"}))
    ds.add(Object(id="class-only", item_id="m", category_id=295, bbox=box, mask=right, extras={"voc:semantic": True}))
    ds.add(Object(id="painted", item_id="m", category_id=3, mask=right))
    planned = labelkit.plan(ds, "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    for r in (planned, report):
        assert [(c.what, c.count, c.reason) for c in r.lost] == [
            ("masks", 1, _OTHER_SIZE),
            ("objects", 1, f"{_OTHER_SIZE}: with no XML object, nothing of it is written"),
            ("masks", 1, _NO_CLASS_VALUE),
            ("objects", 2, f"{_NO_CLASS_VALUE}: with no XML object, nothing of it is written"),
        ]
        assert [(c.what, c.count) for c in beside_ids(r.transformed)] == [
            ("item splits", 1),
            ("objects with a mask but no box", 1),
        ]
    assert report.written == {"items": 1, "object annotations": 3}
    back = labelkit.load(tmp_path / "o", "voc")
    assert sorted((back.category(o.category_id or 0).name, o.mask is not None) for o in back.objects()) == [
        ("c297", False),
        ("c299", False),
        ("c3", True),
    ]


def test_a_polygon_of_the_background_class_painted_with_masks_all_is_lost_as_a_polygon(tmp_path: Path) -> None:
    """With ``-o masks=all`` a polygon of class 0 (the background, which no PNG value paints) was reported lost
    as a mask it never was; without the option, as a polygon."""
    ds = Dataset(categories=[Category(id=0, name="background"), Category(id=1, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4)))
    ds.add(Object(id="p", item_id="m", category_id=0, bbox=(0.0, 0.0, 2.0, 2.0), polygon=[[0, 0, 2, 0, 2, 2]]))
    for r in (
        labelkit.plan(ds, "voc", masks="all"),
        labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, masks="all"),
    ):
        assert [(c.what, c.count, c.reason) for c in r.lost] == [("polygons", 1, _NO_CLASS_VALUE)]


def test_a_mask_of_another_size_past_the_254th_instance_is_counted_once(tmp_path: Path) -> None:
    """The masks of XML objects after the 254th of an image are lost (no instance value); one of another size
    than its image was counted there too."""
    one = raster.mask_to_rle(np.pad(np.ones((1, 1), dtype=bool), ((0, 3), (0, 5))))
    wrong = raster.mask_to_rle(np.ones((3, 3), dtype=bool))
    ds = _image_with_masks(*[one] * 254, wrong, one, wrong)
    no_value = (
        "an instance PNG holds values 1 to 254: the i-th XML object's mask is value i, and masks without an XML "
        "object come after the image's XML objects"
    )
    report = labelkit.plan(ds, "voc")
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("masks", 2, _OTHER_SIZE), ("masks", 1, no_value)]


@pytest.mark.parametrize("flag", ["voc:mask_only", "voc:semantic"])
def test_a_mask_only_or_class_only_flag_of_false_is_an_xml_object(tmp_path: Path, flag: str) -> None:
    """The plan took a false flag for none (an XML object, nothing lost), while the writer took the key for the
    flag: the object went to the PNGs only and read back with its mask's bounds as its box, without its
    attributes, and the report said nothing."""
    base = _image_with_masks(_blob(slice(1, 3), slice(2, 5)))
    [obj] = base.objects()
    ds = Dataset(categories=base.categories, items=list(base.items()))
    ds.add(obj.model_copy(update={"extras": {flag: False}, "attributes": {"a": "x"}}))
    planned = labelkit.plan(ds, "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert (planned.lost, beside_ids(planned.transformed), report.lost, beside_ids(report.transformed)) == (
        [],
        [],
        [],
        [],
    )
    [back] = labelkit.load(tmp_path / "o", "voc").objects()
    assert (back.bbox, back.attributes, back.extras, back.mask) == (obj.bbox, {"a": "x"}, {}, obj.mask)


@pytest.mark.parametrize("reason", ["another size", "too large", "no class value"])
def test_a_mask_only_object_whose_mask_cannot_be_painted_is_written_as_the_xml_object_of_its_box(
    tmp_path: Path, reason: str
) -> None:
    """A mask-only object with a box whose mask no PNG can hold was lost whole, and the report said "with no box,
    nothing of it is written": as with masks=none, it is now written as an XML object of its box, losing its mask."""
    height, width = (16385, 16384) if reason == "too large" else (4, 6)
    ds = Dataset(categories=[Category(id=i, name=f"c{i}") for i in range(300)])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=width, height=height)))
    size = (3, 3) if reason == "another size" else (height, width)
    mask = {"size": size, "counts": [0, 4, size[0] * size[1] - 4]}
    extras = {"voc:mask_only": True, "voc:instance": 1, "voc:pose": "Left"}
    category = 299 if reason == "no class value" else 1
    ds.add(Object(id="o", item_id="m", category_id=category, bbox=(0.0, 0.0, 1.0, 4.0), mask=mask, extras=extras))
    why = {
        "another size": _OTHER_SIZE,
        "too large": f"the image has more than {voc_masks.MAX_PNG_PIXELS:,} pixels: no segmentation PNG is "
        "painted for it",
        "no class value": _NO_CLASS_VALUE,
    }[reason]
    planned = labelkit.plan(ds, "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    for r in (planned, report):
        assert [(c.what, c.count, c.reason) for c in r.lost] == [("masks", 1, why)]
        assert [(c.what, c.count, c.reason) for c in beside_ids(r.transformed)] == [
            ("item splits", 1, _UNSPLIT),
            ("mask-only objects", 1, _AS_XML),
        ]
    assert report.written == {"items": 1, "object annotations": 1}
    [back] = labelkit.load(tmp_path / "o", "voc").objects()
    assert (back.category_id, back.bbox, back.extras, back.mask) == (
        category,
        (0.0, 0.0, 1.0, 4.0),
        {"voc:pose": "Left"},
        None,
    )


def test_items_without_a_split_are_reported_listed_in_the_split_option_and_read_back_there(tmp_path: Path) -> None:
    """Items without a split were listed in ImageSets/Main/train.txt and read back in train, unsaid. An id that is
    not one word is not listed, and reads back without a split, as it was: not counted."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=10, height=10)))
    ds.add_item(Item(id="y z", media=Media(path="y.jpg", width=10, height=10)))
    ds.add_item(Item(id="w", media=Media(path="w.jpg", width=10, height=10), split="val"))
    planned = labelkit.plan(ds, "voc", split="test")
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, split="test")
    assert [str(c) for c in report.transformed] == [
        "1 item splits: items without a split are listed in ImageSets/Main/test.txt (the -o split option), and read "
        "back in that split"
    ]
    assert planned.transformed == report.transformed
    back = labelkit.load(tmp_path / "o", "voc")
    assert sorted((i.id, i.split) for i in back.items()) == [("w", "val"), ("x", "test"), ("y z", None)]


def test_an_image_of_no_file_name_is_written_without_one_and_reads_back_so(tmp_path: Path) -> None:
    """An id listed in ImageSets without an annotation file or image (and an XML without ``<filename>``) reads
    as an item of no image path; its XML was written naming ``<id>.jpg``, which read back as
    ``JPEGImages/<id>.jpg``: a VOC -> VOC round trip gave the item an image it never had, unreported."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets/Main").mkdir(parents=True)
    (root / "Annotations/a.xml").write_text("<annotation><size><width>4</width><height>3</height></size></annotation>")
    (root / "ImageSets/Main/train.txt").write_text("a\nghost\n")
    ds = labelkit.load(root, "voc")
    assert [(i.id, i.media.path) for i in ds.items()] == [("a", None), ("ghost", None)]
    report = labelkit.convert(root, tmp_path / "out", to="voc")
    assert not report.transformed and not report.lost
    assert "<filename>" not in (tmp_path / "out/Annotations/ghost.xml").read_text()
    assert "<filename>" not in (tmp_path / "out/Annotations/a.xml").read_text()
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


def test_a_class_name_xml_cannot_hold_is_one_class_in_the_xml_and_the_labelmap(tmp_path: Path) -> None:
    """The XML named the class with U+FFFD for a control character, labelmap.txt with the character itself: read
    back, the objects were of a new class, their masks (named by the labelmap) of the old one, as other objects."""
    ds = Dataset(categories=[Category(id=1, name="a\x01b"), Category(id=2, name="c")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=8, height=6), split="train"))
    mask = _rle(np.pad(np.ones((2, 3), dtype=np.uint8), ((1, 3), (1, 4))))
    ds.add(
        Object(id="1", item_id="x", category_id=1, mask=mask),
        Object(id="2", item_id="x", category_id=2, bbox=(0, 0, 2, 2)),
    )
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [c.what for c in report.lost] == ["category names with characters XML cannot hold"]
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(c.id, c.name) for c in back.categories] == [(1, "a\ufffdb"), (2, "c")]
    assert sorted((o.category_id, o.mask is not None) for o in back.objects()) == [(1, True), (2, False)]
    assert back.report_counts() == report.written


def test_a_fractional_box_reads_back_the_same_after_voc_to_voc(tmp_path: Path) -> None:
    """xmax was written as x + w, which float rounding can put a float away from the xmax read: <xmax>9.72</xmax>
    beside <xmin>2.7199999999999998</xmin> came back as 9.719999999999999, a box 7.999999999999999 wide, not 8."""
    (tmp_path / "v/Annotations").mkdir(parents=True)
    (tmp_path / "v/Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>20</width><height>30</height><depth>3</depth></size>"
        "<object><name>cat</name><bndbox><xmin>2.7199999999999998</xmin><ymin>1</ymin><xmax>9.72</xmax>"
        "<ymax>5</ymax></bndbox></object></annotation>"
    )
    labelkit.convert(tmp_path / "v", tmp_path / "w", to="voc")
    assert "<xmax>9.72</xmax>" in (tmp_path / "w/Annotations/a.xml").read_text()
    [before] = labelkit.load(tmp_path / "v", "voc").objects()
    [after] = labelkit.load(tmp_path / "w", "voc").objects()
    assert before.bbox == after.bbox == (1.7199999999999998, 0.0, 8.0, 5.0)


def _one_object_xml(tmp_path: Path, inside: str) -> Path:
    """A VOC folder of one image whose one object holds ``inside`` after its box."""
    xml = tmp_path / "v/Annotations/a.xml"
    xml.parent.mkdir(parents=True)
    xml.write_text(
        "<annotation><filename>a.jpg</filename><size><width>8</width><height>6</height></size><object>"
        f"<name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox>{inside}"
        "</object></annotation>"
    )
    return xml


@pytest.mark.parametrize("empty", ["<{0}/>", "<{0}></{0}>", "<{0}> </{0}>"])
def test_an_empty_flag_element_is_0_for_every_flag(tmp_path: Path, empty: str) -> None:
    """``<occluded/>`` read as no occluded flag where ``<truncated/>``, ``<difficult/>`` and an empty action read
    as 0: each is 0 now (scripts filling VOC's template write ``<difficult></difficult>``; Datumaro reads 0)."""
    flags = "".join(empty.format(tag) for tag in ("truncated", "difficult", "occluded"))
    _one_object_xml(tmp_path, f"{flags}<actions>{empty.format('jumping')}<running>1</running></actions>")
    [obj] = labelkit.load(tmp_path / "v", "voc").objects()
    assert obj.occluded is False  # was: None
    assert obj.extras == {"voc:actions": {"jumping": 0, "running": 1}}
    labelkit.convert(tmp_path / "v", tmp_path / "w", to="voc")
    written = (tmp_path / "w/Annotations/a.xml").read_text()
    assert "<truncated>0</truncated>\n    <difficult>0</difficult>\n    <occluded>0</occluded>\n" in written
    assert "<actions>\n      <jumping>0</jumping>\n      <running>1</running>\n    </actions>\n" in written


@pytest.mark.parametrize(
    ("inside", "element", "found"),
    [
        ("<truncated>0.5</truncated>", "truncated", "'0.5'"),  # was: read as 0
        ("<difficult>1.5</difficult>", "difficult", "'1.5'"),  # was: read as 1
        ("<difficult><v>1</v></difficult>", "difficult", None),  # was: read as no flag
        ("<occluded>2</occluded>", "occluded", "'2'"),  # was: read as true, written back 1
        ("<occluded>-1</occluded>", "occluded", "'-1'"),  # was: read as true
        ("<occluded>0.5</occluded>", "occluded", "'0.5'"),  # was: read as false
        ("<actions><jumping>0.5</jumping></actions>", "actions/jumping", "'0.5'"),  # was: read as 0
        ("<actions><jumping>x</jumping></actions>", "actions/jumping", "'x'"),
        ("<truncated>inf</truncated>", "truncated", "'inf'"),
    ],
)
def test_a_flag_value_that_is_not_a_whole_number_or_an_occluded_flag_not_0_or_1_is_an_error_at_its_element(
    tmp_path: Path, inside: str, element: str, found: str | None
) -> None:
    xml = _one_object_xml(tmp_path, inside)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "v", "voc")
    tag = element.rpartition("/")[2]
    assert (str(err.value.location.path), err.value.location.element) == (str(xml), f"annotation/object[1]/{element}")
    need = "0 or 1" if tag == "occluded" else "a whole number"
    problem = f"must be {need} (found {found})" if found else "holds its text inside <v> (found '1')"
    assert str(err.value) == f"{xml} <annotation/object[1]/{element}>: <{tag}> {problem}"


def test_whole_number_flags_are_kept_as_written(tmp_path: Path) -> None:
    _one_object_xml(tmp_path, "<truncated>2</truncated><difficult>1.0</difficult><occluded>1e0</occluded>")
    [obj] = labelkit.load(tmp_path / "v", "voc").objects()
    assert (obj.occluded, obj.extras) == (True, {"voc:truncated": 2, "voc:difficult": 1})


@pytest.mark.parametrize("mode", ["P", "1", "L"])
@pytest.mark.parametrize(
    "kinds", [("SegmentationClass",), ("SegmentationObject",), ("SegmentationClass", "SegmentationObject")]
)
def test_a_blank_bilevel_segmentation_png_is_kept_as_a_palette_one_is(
    tmp_path: Path, mode: str, kinds: tuple[str, ...]
) -> None:
    """A bilevel (mode 1) PNG with no pixel set keeps its voc:blank_pngs record and is written back, as a palette
    or grey one is (a fuzz report said the bilevel one dropped it; this pins that it does not)."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\nb\n", "Segmentation/train.txt": "a\n"})
    for kind in kinds:
        (src / kind).mkdir()
        Image.new(mode, (5, 4), 0).save(src / kind / "a.png")
    ds = labelkit.load(src, "voc")
    assert {i.id: i.metadata for i in ds.items()} == {"a": {"voc:blank_pngs": sorted(kinds)}, "b": {}}
    report = labelkit.convert(src, tmp_path / "out", to="voc", from_format="voc")
    assert (report.lost, report.transformed) == ([], [])
    back = labelkit.load(tmp_path / "out", "voc")
    assert {i.id: i.metadata for i in back.items()} == {"a": {"voc:blank_pngs": sorted(kinds)}, "b": {}}
    for kind in kinds:
        assert not np.asarray(Image.open(tmp_path / "out" / kind / "a.png")).any()
    assert "<segmented>1</segmented>" in (tmp_path / "out/Annotations/a.xml").read_text()


def test_a_trainval_list_of_the_items_of_neither_train_nor_val_is_written_again_as_it_was(tmp_path: Path) -> None:
    """A split named trainval beside train and val is written as a list of its own items (no union): reading that
    back remembered trainval lists as VOC's union of train and val, so writing it again wrote the union
    (trainval.txt 'c' became 'a b c', in Main, the class, Segmentation and Action lists): VOC -> VOC of a
    labelkit output changed it. Only a trainval list repeating a line of train or val is such a union."""
    ds = Dataset(categories=[Category(id=8, name="cat"), Category(id=15, name="person")])
    for item, split in (("a", "train"), ("b", "val"), ("c", "trainval")):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=6, height=4), split=split))
        extras = {"voc:actions": {"jumping": 1}}
        mask = Rle(size=(4, 6), counts=[5, 2, 2, 2, 13])  # (the box's 2 x 2 pixels)
        ds.add(Object(id=item, item_id=item, category_id=15, bbox=(1.0, 1.0, 2.0, 2.0), mask=mask, extras=extras))
    ds.add(Label(id="l", item_id="c", category_id=8))
    labelkit.save(ds, tmp_path / "o1", "voc")
    labelkit.save(labelkit.load(tmp_path / "o1", "voc"), tmp_path / "o2", "voc")
    first = {p.relative_to(tmp_path / "o1"): p.read_bytes() for p in (tmp_path / "o1").rglob("*.txt")}
    again = {p.relative_to(tmp_path / "o2"): p.read_bytes() for p in (tmp_path / "o2").rglob("*.txt")}
    assert again == first
    lists = ("Main/trainval.txt", "Main/cat_trainval.txt", "Segmentation/trainval.txt", "Action/jumping_trainval.txt")
    assert [(tmp_path / "o2/ImageSets" / rel).read_text() for rel in lists] == ["c\n", "c  1\n", "c\n", "c 1  1\n"]


@pytest.mark.parametrize(
    ("size", "options", "reason"),
    [
        ((6, 4), {}, None),
        ((None, None), {}, "the image has no size, and no mask of it gives one: a PNG needs the image's size"),
        ((6, 4), {"masks": "none"}, "masks=none writes no segmentation PNGs"),
        (
            (20000, 20000),
            {},
            f"the image has more than {voc_masks.MAX_PNG_PIXELS:,} pixels: no segmentation PNG is painted for it",
        ),
    ],
)
def test_blank_pngs_that_cannot_be_written_again_are_reported_lost(
    tmp_path: Path, size: tuple[int | None, int | None], options: dict[str, str], reason: str | None
) -> None:
    """voc:blank_pngs (segmentation PNGs read with no pixel set) of an image of unknown size, with masks=none, or
    of an image too large to paint, were dropped unsaid: no PNG was written and they did not read back."""
    kinds = ["SegmentationClass", "SegmentationObject"]
    ds = Dataset(categories=[Category(id=8, name="cat")])
    media = Media(path="a.jpg", width=size[0], height=size[1])
    ds.add_item(Item(id="a", media=media, split="train", metadata={"voc:blank_pngs": kinds}))
    lost = [] if reason is None else [("blank segmentation PNGs (voc:blank_pngs)", 2, reason)]
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "voc", **options).lost] == lost
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, **options)
    assert [(c.what, c.count, c.reason) for c in report.lost] == lost
    [back] = labelkit.load(tmp_path / "o", "voc").items()
    assert back.metadata.get("voc:blank_pngs") == (kinds if reason is None else None)


def test_a_voc_output_is_written_again_the_same_whatever_its_boxes_float_rounding(tmp_path: Path) -> None:
    """A reader takes back x as xmin - 1, which is not x where x + 1 rounds (0.48677037317153754 + 1), and xmax
    was found from x: the box read back, written again, moved ymax a float (5.486770373171537 to ...538). A
    width no corner reads back to (0.0008933170425576352 beside xmin 1.0004887233511355) came back a float away,
    and was written again with another xmax. VOC -> VOC of a VOC output now gives it back byte for byte."""
    boxes = [(5.550837091520049, 0.48677037317153754, 0.6135517547834781, 5.0)]
    boxes.append((0.0004887233511355132, -0.8122808264515302, 0.0008933170425576352, 6.0))
    ds = Dataset(categories=[Category(id=8, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    for n, box in enumerate(boxes):
        ds.add(Object(id=str(n), item_id="a", category_id=8, bbox=box))
    labelkit.save(ds, tmp_path / "o1", "voc")
    first = labelkit.load(tmp_path / "o1", "voc")
    labelkit.save(first, tmp_path / "o2", "voc")
    xml = (tmp_path / "o1/Annotations/a.xml").read_text()
    assert (tmp_path / "o2/Annotations/a.xml").read_text() == xml
    assert [re.findall(r"<(\w+)>([^<]*)</\1>", box) for box in re.findall(r"<bndbox>(.*?)</bndbox>", xml, re.S)] == [
        [("xmin", "6.550837091520049"), ("ymin", "1.4867703731715376")]
        + [("xmax", "6.1643888463035275"), ("ymax", "5.486770373171538")],
        [("xmin", "1.0004887233511355"), ("ymin", "0.1877191735484698")]
        + [("xmax", "0.0013820403936931625"), ("ymax", "5.187719173548469")],
    ]
    assert [o.bbox for o in labelkit.load(tmp_path / "o2", "voc").objects()] == [o.bbox for o in first.objects()]


def test_a_flag_beyond_a_float_s_whole_numbers_is_kept_exactly(tmp_path: Path) -> None:
    """Flags went through float(): 9007199254740993 (2**53 + 1) read as 9007199254740992."""
    _one_object_xml(tmp_path, "<truncated>9007199254740993</truncated><difficult>-9223372036854775808</difficult>")
    [obj] = labelkit.load(tmp_path / "v", "voc").objects()
    assert obj.extras == {"voc:truncated": 9007199254740993, "voc:difficult": -9223372036854775808}


@pytest.mark.parametrize(
    ("inside", "element", "message"),
    [
        ("<truncated>0.5</truncated>", "truncated", "<truncated> must be a whole number (found '0.5')"),
        ("<difficult>x</difficult>", "difficult", "<difficult> must be a whole number (found 'x')"),
        (
            "<actions><jumping>0.5</jumping></actions>",
            "actions/jumping",
            "<jumping> must be a whole number (found '0.5')",
        ),
        (
            "<truncated>9223372036854775808</truncated>",
            "truncated",
            "<truncated> must be a whole number of 64 bits (found '9223372036854775808')",
        ),
        ("<occluded>2</occluded>", "occluded", "<occluded> must be 0 or 1 (found '2')"),
        ("<occluded>0.5</occluded>", "occluded", "<occluded> must be 0 or 1 (found '0.5')"),
    ],
)
def test_a_bad_flag_s_error_says_what_the_flag_takes(tmp_path: Path, inside: str, element: str, message: str) -> None:
    """*Pascal VOC*: truncated, difficult and action flags are whole numbers (``2`` is kept), so a bad one's error
    says so; it said ``must be 0 or 1``, which ``2`` contradicts. Only ``occluded``, true or false in the model, must
    be 0 or 1."""
    xml = _one_object_xml(tmp_path, inside)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "v", "voc")
    assert err.value.location.element == f"annotation/object[1]/{element}"
    assert str(err.value) == f"{xml} <annotation/object[1]/{element}>: {message}"


def test_an_imagesets_task_windows_cannot_name_or_of_one_folder_with_another_is_lost(tmp_path: Path) -> None:
    """Tasks of ``voc:imagesets`` named ``ImageSets/con/``, ``a:b/`` and ``t./`` (a device, a stream, a name
    Windows drops the dot of), and ``main/`` and ``segmentation/`` beside ``Main/`` and ``Segmentation/`` (one
    folder on macOS and Windows: the split list ``Main/train.txt`` written over) were written without a word."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    tasks = ["Segmentation", "segmentation", "main", "con", "a:b", "t.", "Foo", "foo", "ok"]
    ds.add_item(
        Item(id="x", media=Media(path="x.jpg", width=4, height=4), split="train", metadata={"voc:imagesets": tasks})
    )
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("ImageSets tasks that cannot be file names", 6)]
    assert not (tmp_path / "refused").exists()
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    folders = sorted(p.name for p in (tmp_path / "out/ImageSets").iterdir())
    assert folders == ["Foo", "Main", "Segmentation", "ok"]
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == "x\n"


def test_an_item_naming_main_or_a_task_twice_in_voc_imagesets_is_listed_once(tmp_path: Path) -> None:
    """An item whose ``voc:imagesets`` named ``Main`` was listed twice in ``ImageSets/Main/train.txt`` (every item is
    listed there anyway), and one naming a task twice twice in that task's list."""
    tasks = {"voc:imagesets": ["Main", "Segmentation", "Segmentation"]}
    items = [{"id": "x", "split": "train", "media": {"kind": "image", "width": 10, "height": 10}, "metadata": tasks}]
    doc = {"format": "labelkit", "version": 1, "categories": [{"id": 1, "name": "cat"}], "items": items}
    (tmp_path / "in.labelkit.json").write_text(json.dumps(doc))
    labelkit.convert(tmp_path / "in.labelkit.json", tmp_path / "out", to="voc", allow_loss=True)
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == "x\n"
    assert (tmp_path / "out/ImageSets/Segmentation/train.txt").read_text() == "x\n"


def test_an_item_named_dot_is_not_listed_so_the_output_reads_back(tmp_path: Path) -> None:
    """``Annotations/..xml`` reads as the item ``.``: VOC -> VOC listed it as a line ``.`` of
    ImageSets/Main/train.txt, which the reader refuses (a line naming the folder), so the output could not be
    read. It is not listed, as an id that is not one word is not, and reads back as it was, without a split."""
    (tmp_path / "v/Annotations").mkdir(parents=True)
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox>"
    (tmp_path / "v/Annotations/..xml").write_text(
        f"<annotation><filename>a.jpg</filename><object><name>cat</name>{box}</object></annotation>"
    )
    ds = labelkit.load(tmp_path / "v", "voc")
    assert [(i.id, i.split) for i in ds.items()] == [(".", None)]
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert (tmp_path / "o/ImageSets/Main/train.txt").read_text() == ""
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(i.id, i.split) for i in back.items()] == [(".", None)]
    assert [o.bbox for o in back.objects()] == [o.bbox for o in ds.objects()]


def test_an_action_list_object_index_of_thousands_of_digits_is_an_error_at_its_line(tmp_path: Path) -> None:
    """int() refuses more than 4,300 digits (ValueError): an object index of 5000 digits was an internal error.
    An index beyond 64 bits is out of range, at its line; leading zeros are not digits of the number."""
    src = _action_folder(tmp_path / "src", {"Action/jumping_train.txt": f"a 2 1\na {'9' * 5000} 1\n"})
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets/Action/jumping_train.txt"), 2)
    assert err.value.message == "action list object index is out of range"
    (src / "ImageSets/Action/jumping_train.txt").write_text(f"a {'0' * 5000}2 1\n")
    [_, obj] = [o for o in labelkit.load(src, "voc").objects() if o.item_id == "a"]
    assert obj.extras["voc:actions"] == {"jumping": 1}


def test_a_depth_or_segmented_of_thousands_of_digits_is_kept_as_its_text(tmp_path: Path) -> None:
    """int() refuses more than 4,300 digits (ValueError): a <depth> or <segmented> of 5000 digits was an internal
    error. Beyond 64 bits it is kept as its text, as written, and written back so."""
    big = "9" * 5000
    xml = _one_object_xml(tmp_path, "")
    xml.write_text(
        xml.read_text()
        .replace("</height>", f"</height><depth>{big}</depth>")
        .replace("</size>", f"</size><segmented>{big}</segmented>")
    )
    [item] = labelkit.load(tmp_path / "v", "voc").items()
    assert item.metadata == {"voc:depth": big, "voc:segmented": big}
    labelkit.save(labelkit.load(tmp_path / "v", "voc"), tmp_path / "o", "voc")
    [back] = labelkit.load(tmp_path / "o", "voc").items()
    assert back.metadata == item.metadata


def test_a_labelmap_colour_of_thousands_of_digits_is_a_bad_colour_at_its_line(tmp_path: Path) -> None:
    """int() refuses more than 4,300 digits (ValueError): a labelmap colour component of 5000 digits was an
    internal error. It is above 255, a bad colour at its line; leading zeros are not digits of the number."""
    xml = _one_object_xml(tmp_path, "")
    labelmap = xml.parent.parent / "labelmap.txt"
    labelmap.write_text(f"# label:color_rgb:parts:actions\ncat:{'9' * 5000},0,0::\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "v", "voc")
    assert (err.value.location.path, err.value.location.line, err.value.message) == (str(labelmap), 2, "bad colour")
    labelmap.write_text(f"# label:color_rgb:parts:actions\ncat:{'0' * 5000}1,2,3::\n")
    assert [c.color for c in labelkit.load(tmp_path / "v", "voc").categories] == ["#010203"]


@settings(max_examples=60, deadline=None)
@given(
    names=st.sets(st.text(alphabet="aAb.", min_size=1, max_size=6).filter(lambda n: n not in (".", "..")), max_size=8),
    ext=st.sampled_from(["jpg", "PNG", "txt", "b.jpg"]),
    ids=st.lists(st.text(alphabet="aAb.", min_size=1, max_size=4), min_size=1, max_size=5),
)
def test_an_image_found_through_a_folder_listed_once_is_the_one_a_glob_finds(
    names: set[str], ext: str, ids: list[str]
) -> None:
    """VOC's reader looked for each item's ``<id>.*`` image with a glob, which reads the whole folder each time:
    20,000 list-only items took 5.9 s to convert, 2.1 s now. The folder is listed once; what is found is the
    same, for ids and names with dots and of other case."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "JPEGImages").mkdir()
        (root / "Annotations").mkdir()
        for name in names:
            (root / "JPEGImages" / f"{name}.{ext}").touch()
        listings: dict[Path, dict[str, list[str]]] = {}
        finder = voc_images.ImageFinder(root)
        for item_id in ids:
            by_glob = voc_images._find_image(root, root / "Annotations", item_id, None)
            assert voc_images._find_image(root, root / "Annotations", item_id, None, listings) == by_glob
            assert finder.relpath(root / "Annotations", item_id, None) == (
                by_glob and by_glob.relative_to(root).as_posix()
            )


def test_an_item_id_longer_than_file_systems_take_is_a_loss_found_when_planning(tmp_path: Path) -> None:
    """A VOC item listed with a 300-byte id (so Annotations/<id>.xml) stopped the write with 'cannot write: File
    name too long', with or without --allow-loss: it is a loss found when the conversion is planned."""
    (tmp_path / "in/Annotations").mkdir(parents=True)
    (tmp_path / "in/ImageSets/Main").mkdir(parents=True)
    (tmp_path / "in/ImageSets/Main/train.txt").write_text("x" * 300 + "\ny\n")
    with pytest.raises(DataLossError):
        labelkit.convert(tmp_path / "in", tmp_path / "out", to="voc")
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("items whose file names are too long", 1)]
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == "y\n"
    assert sorted(p.name for p in (tmp_path / "out/Annotations").iterdir()) == ["y.xml"]


@settings(max_examples=300, deadline=None)
@given(
    paths=st.lists(
        st.none()
        | st.lists(st.sampled_from(["a", ".", "/", "\\", ":", "\x00", "é", "JPEGImages", " ", "\n"]), max_size=6).map(
            "".join
        ),
        min_size=1,
        max_size=8,
    )
)
def test_image_names_of_bare_paths_told_in_bulk_are_the_per_item_ones(paths: list[str | None]) -> None:
    """The writer tells bare file names (COCO's) by one regex over the column: the names are what file_name gives."""
    import pyarrow as pa

    from labelkit.formats import voc_xml
    from labelkit.formats.voc_names import _bare

    files = [f"f{n}" for n in range(len(paths))]
    assert voc_xml.image_names(paths, files, _bare(pa.chunked_array([paths], pa.string()))) == voc_xml.image_names(
        paths, files
    )


def test_an_image_named_after_its_item_as_it_was_is_not_counted_renamed() -> None:
    """YOLO's images/val/A.JPG (item A) beside images/train/a.jpg and images/val/a.jpg (items train/a, val/a):
    the three are named after their items, and A.JPG keeps its name, but the report counted 3 images renamed."""
    from labelkit.formats import voc_xml

    paths = ["images/train/a.jpg", "images/val/A.JPG", "images/val/a.jpg"]
    names, renamed = voc_xml.image_names(paths, ["train/a", "A", "val/a"])
    assert (names, renamed) == (["train/a.jpg", "A.JPG", "val/a.jpg"], 2)


@settings(max_examples=300, deadline=None)
@given(
    ids=st.lists(
        st.lists(st.sampled_from(["a", ".", "..", "/", "\\", ":", "\x00", "é", "C:", " ", "\n"]), max_size=6).map(
            "".join
        ),
        min_size=1,
        max_size=8,
    )
)
@example(ids=["a/./b", "./x", "y/."])
@example(ids=["7", "a/../b"])
def test_item_files_of_plain_ids_told_in_bulk_are_the_per_item_ones(ids: list[str]) -> None:
    """Plain relative ids are their own files, told by one regex over the column; the others, one at a time."""
    import pyarrow as pa

    from labelkit.formats.voc_names import _item_file, _item_files

    try:
        expected = [_item_file(i) for i in ids]
    except OutputError as exc:
        with pytest.raises(OutputError) as caught:
            _item_files(pa.chunked_array([ids], pa.string()))
        assert caught.value.message == exc.message
        return
    assert _item_files(pa.chunked_array([ids], pa.string())) == expected


def test_noncharacters_fffe_and_ffff_in_written_values_are_reported(tmp_path: Path) -> None:
    """U+FFFE and U+FFFF are written raw in the JSON texts (no backslash): they are looked for as such."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1, 1, 2, 2), extras={"voc:pose": "L\ufffe"}))
    ds.add(Object(id="2", item_id="x", category_id=1, bbox=(1, 1, 2, 2), attributes={"k": "\uffff"}))
    ds.add(Object(id="3", item_id="x", category_id=1, bbox=(1, 1, 2, 2), extras={"coco:x": "\ufffe"}))
    report = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in report.lost if "XML" in c.what] == [
        ("objects with characters XML cannot hold", 2)
    ]


def test_carriage_returns_in_written_texts_read_back_as_they_were(tmp_path: Path) -> None:
    """A raw CR in XML text reads as a line feed: it is written as ``&#13;``, so Windows line ends come back."""
    ds = Dataset(categories=[Category(id=8, name="cat")])
    meta = {"voc:folder": "a\rb", "voc:source": {"database": "x\r\ny"}}
    ds.add_item(Item(id="x", media=Media(path="JPEGImages/x.jpg", width=10, height=10), split="train", metadata=meta))
    ds.add(
        Object(
            id="1",
            item_id="x",
            category_id=8,
            bbox=(1.0, 1.0, 2.0, 2.0),
            attributes={"note": "line 1\r\nline 2", "k\rk": "v"},
            extras={"voc:pose": "Left\rRight", "voc:parts": [{"name": "he\rad", "bbox": [1.0, 1.0, 1.0, 1.0]}]},
        )
    )
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.transformed) == ([], [])
    text = (tmp_path / "out" / "Annotations" / "x.xml").read_text(encoding="utf-8")
    assert "<value>line 1&#13;\nline 2</value>" in text and "<name>k&#13;k</name>" in text
    back = labelkit.load(tmp_path / "out", format="voc")
    assert [i.metadata for i in back.items()] == [meta]
    [obj] = back.objects()
    assert obj.attributes == {"note": "line 1\r\nline 2", "k\rk": "v"}
    assert obj.extras == {"voc:pose": "Left\rRight", "voc:parts": [{"name": "he\rad", "bbox": [1.0, 1.0, 1.0, 1.0]}]}


def test_labelmap_names_parts_and_actions_are_read_stripped_as_xml_names_are(tmp_path: Path) -> None:
    """A hand-edited 'cat :128,0,0::' made a class 'cat ' beside the XML's 'cat' (stripped): the class PNG's cat
    pixels went to a class no object has, and its colour, parts and actions to neither; 'head, hand' read a part
    ' hand' that writing VOC then refused as a part name with surrounding spaces."""
    src = _voc_lists(tmp_path / "src", {})
    (src / "labelmap.txt").write_text("background :0,0,0::\n cat : 64,0,0 : head, hand : jumping ,\n")
    (src / "SegmentationClass").mkdir()
    png = Image.fromarray(np.array([[1, 1, 0, 0]] * 2 + [[0] * 4] * 2, dtype=np.uint8), "P")
    png.putpalette([0, 0, 0, 64, 0, 0])
    png.save(src / "SegmentationClass" / "a.png")
    ds = labelkit.load(src, "voc")
    assert [(c.id, c.name, c.color, c.extras) for c in ds.categories] == [
        (0, "background", None, {}),
        (1, "cat", "#400000", {"voc:parts": ["head", "hand"], "voc:actions": ["jumping"]}),
    ]
    assert [(o.category_id, o.bbox, o.extras) for o in ds.objects()] == [
        (1, (0.0, 0.0, 2.0, 2.0), {}),
        (1, (0.0, 0.0, 2.0, 2.0), {"voc:semantic": True}),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    assert (tmp_path / "out" / "labelmap.txt").read_text().splitlines()[2:] == [
        "background:0,0,0::",
        "cat:64,0,0:head,hand:jumping",
    ]


def test_an_instance_over_class_png_background_is_a_read_note(tmp_path: Path) -> None:
    """An instance whose class PNG pixels are partly background (a class PNG edited alone) is read whole, and
    writing VOC paints its class over that background: the class PNG changed on VOC -> VOC without a word."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\n"})
    instances = np.zeros((4, 4), dtype=np.uint8)
    instances[0:2, 0:3] = 1
    classes = np.zeros((4, 4), dtype=np.uint8)
    classes[0:2, 0:2] = 8  # the instance's third column is background in the class PNG
    for kind, values in (("SegmentationObject", instances), ("SegmentationClass", classes)):
        (src / kind).mkdir()
        _save_png(values, src / kind / "a.png")
    ds = labelkit.load(src, "voc")
    assert ds.read_notes == [
        "1 SegmentationObject instances (a.png first) cover background (0) pixels of their SegmentationClass PNG: "
        "their masks are read whole, and writing VOC paints their class over those pixels"
    ]
    [cat] = ds.objects()
    assert cat.mask is not None
    assert np.array_equal(raster.rle_to_mask({"height": 4, "width": 4, "counts": cat.mask.counts}), instances)
    labelkit.save(ds, tmp_path / "out", "voc")
    assert np.array_equal(np.array(Image.open(tmp_path / "out" / "SegmentationClass" / "a.png")), instances * 8)


def test_layout_and_action_lines_naming_an_object_not_listed_again_are_a_read_note(tmp_path: Path) -> None:
    """VOC2012's Layout and Action split lists are 'image object-index' lines: writing VOC lists an image once in
    Layout, and in Action the objects with flags; the other indices were dropped without a word."""
    lists = {
        "Layout/train.txt": "a 1\na 2\nb\n",  # (b has no object: a line of its index would be an error)
        "Action/train.txt": "a 1\na 2\n",  # a's second object has no action flag
        "Action/jumping_train.txt": "a 1 1\n",
    }
    src = _voc_lists(tmp_path / "src", lists)
    xml = (src / "Annotations/a.xml").read_text()
    (src / "Annotations/a.xml").write_text(xml.replace("</annotation>", xml[xml.index("<object>") :]))
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train")]
    assert [o.extras for o in ds.objects()] == [{"voc:actions": {"jumping": 1}}, {}]
    assert ds.read_notes == [
        "3 Layout or Action list lines name an object of their image (VOC2012's 'image object-index'; "
        "Action/train.txt:2 first) that writing VOC does not list again (it lists an image once in Layout, and the "
        "objects with action flags in Action): the image was read, not the index"
    ]
    labelkit.save(ds, tmp_path / "out", "voc")
    assert (tmp_path / "out" / "ImageSets" / "Layout" / "train.txt").read_text() == "a\nb\n"
    assert (tmp_path / "out" / "ImageSets" / "Action" / "train.txt").read_text() == "a 1\n"


_TASK_LINE_WORDS = "a split list line of {} holds an image name and, maybe, an object index"


@pytest.mark.parametrize(
    ("rel", "text", "message", "found"),
    [
        ("Action/train.txt", "a 1\na 1 junk more\n", _TASK_LINE_WORDS.format("Action"), "'a 1 junk more'"),
        ("Layout/train.txt", "a\na 1 1\n", _TASK_LINE_WORDS.format("Layout"), "'a 1 1'"),
        (
            "Action/train.txt",
            "a\na notanindex\n",
            "Action list object index must be a whole number from 1",
            "'notanindex'",
        ),
        ("Layout/train.txt", "a\na 0\n", "Layout list object index must be a whole number from 1", "'0'"),
        (
            "Action/train.txt",
            "a 1\na 99\n",
            "object 99 of image 'a' is named by the list, and its XML has 1 object",
            None,
        ),
        ("Layout/val.txt", "a 1\nb 1\n", "object 1 of image 'b' is named by the list, and its XML has 0 objects", None),
        # (an action's list of no split, which VOC2012 has not: a split list 'jumping', its flags dropped unsaid)
        ("Action/jumping.txt", "a\na 1  1\n", _TASK_LINE_WORDS.format("Action"), "'a 1 1'"),
    ],
)
def test_a_bad_action_or_layout_split_list_line_is_an_error_at_its_line(
    tmp_path: Path, rel: str, text: str, message: str, found: str | None
) -> None:
    """Action's and Layout's split list lines ('image' or 'image object-index') were not checked: words after the
    index, an index that is no number, and one past the image's XML objects were read without a word."""
    src = _voc_lists(tmp_path / "src", {"Main/train.txt": "a\nb\n", rel: text})
    with pytest.raises(InputError) as err:
        labelkit.load(src, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(src / "ImageSets" / rel), 2)
    assert (err.value.message, err.value.found) == (message, found)


def test_an_action_or_layout_index_line_of_an_image_of_no_xml_is_read_as_its_item(tmp_path: Path) -> None:
    """A test set's Layout and Action lists shipped without its annotations ('t1 1', no Annotations/t1.xml) were
    refused whole, the line's image counted as of 0 objects: such an image is an item of its own, as a line of no
    XML is, and its index passed over with the read note."""
    lists = {"Main/train.txt": "a\nb\n", "Layout/test.txt": "t1 1\n", "Action/test.txt": "t1 1\nt1 2\n"}
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train"), ("t1", "test")]
    assert [n for n in ds.read_notes if "Layout or Action list lines" in n] == [
        "3 Layout or Action list lines name an object of their image (VOC2012's 'image object-index'; "
        "Action/test.txt:1 first) that writing VOC does not list again (it lists an image once in Layout, and the "
        "objects with action flags in Action): the image was read, not the index"
    ]


def test_a_byte_order_mark_starting_a_list_line_is_skipped(tmp_path: Path) -> None:
    """Lists saved by Notepad and joined (``type a.txt b.txt``) hold a BOM where the second began: 'b' was read as
    an item '\\ufeffb' of no XML, and b had no split; an id starting with a BOM is not listed, as it reads back so."""
    lists = {"Main/train.txt": "\ufeffa\r\n\ufeffb\r\n", "Main/cat_train.txt": "\ufeffa  1\r\n\ufeffb -1\r\n"}
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train")]
    assert [(label.item_id, label.category_id) for label in ds.labels()] == [("a", 8)]
    ds = Dataset(categories=[Category(id=8, name="cat")])
    ds.add_item(Item(id="\ufeffx", media=Media(path="JPEGImages/x.jpg", width=4, height=4), split="val"))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "voc").lost] == [("items whose id is not one word", 1)]


def test_category_colours_labelmap_cannot_hold_are_reported(tmp_path: Path) -> None:
    """labelmap.txt holds r,g,b: 'red' or '#abc' was written as VOC's colour for the class, '#ABCDEF' read back
    as '#abcdef', and VOC's own colour for the class's value as none, all without a word."""
    colours = ["red", "#008000", "#ABCDEF", "#abc", "#abcdef"]  # (#008000: VOC's colour of value 2, c2's)
    ds = Dataset(categories=[Category(id=k, name=f"c{k}", color=c) for k, c in enumerate(colours, 1)])
    ds.add_item(Item(id="i", media=Media(path="JPEGImages/i.jpg", width=4, height=4), split="train"))
    ds.add(*(Object(id=str(k), item_id="i", category_id=k, bbox=(1, 1, 2, 2)) for k in range(1, 6)))
    report = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in report.lost] == [("category colours", 2)]
    assert [(c.what, c.count) for c in report.transformed] == [("category colours", 2)]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "voc")
    assert [c.color for c in back.categories] == [None, None, "#abcdef", None, "#abcdef"]


def test_parts_of_negative_width_or_corners_beyond_float64_are_reported_not_written(tmp_path: Path) -> None:
    """Such a part was written as it was: the XML written was one labelkit's own reader refuses (a negative
    width at the part's <bndbox>, or an <xmax> of 'inf')."""
    parts = [
        {"name": "head", "bbox": [1.0, 1.0, -2.0, 2.0]},
        {"name": "hand", "bbox": [1.0, 1.0, 2.0, -0.5]},
        {"name": "foot", "bbox": [1e308, 1.0, 1e308, 2.0]},
        {"name": "head", "bbox": [1.0, 1.0, 0.0, 0.5]},  # (a width of 0, below 1: read back as it was)
    ]
    ds = Dataset(categories=[Category(id=15, name="person")])
    ds.add_item(Item(id="i", media=Media(path="JPEGImages/i.jpg", width=10, height=10), split="train"))
    for k, part in enumerate(parts, 1):
        ds.add(Object(id=str(k), item_id="i", category_id=15, bbox=(1, 1, 2, 2), extras={"voc:parts": [part]}))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "voc").lost] == [("malformed voc:* object values", 3)]
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "voc")
    assert [o.extras for o in back.objects()] == [{}, {}, {}, {"voc:parts": [parts[3]]}]


def test_poses_and_part_names_that_read_back_otherwise_are_reported(tmp_path: Path) -> None:
    """<pose> and a part's <name> are read stripped, as texts: ' Left ' came back 'Left', 3 as '3', unsaid."""
    extras: list[dict[str, Any]] = [
        {"voc:pose": " Left "},
        {"voc:pose": 3},
        {"voc:parts": [{"name": "head ", "bbox": [1.0, 1.0, 1.0, 1.0]}]},
        {"voc:pose": "Left", "voc:parts": [{"name": "head", "bbox": [1.0, 1.0, 1.0, 1.0]}]},
    ]
    ds = Dataset(categories=[Category(id=15, name="person")])
    ds.add_item(Item(id="i", media=Media(path="JPEGImages/i.jpg", width=10, height=10), split="train"))
    for k, e in enumerate(extras, 1):
        ds.add(Object(id=str(k), item_id="i", category_id=15, bbox=(1, 1, 2, 2), extras=e))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("objects with a pose or part name that reads back otherwise", 3)
    ]
    back = labelkit.load(tmp_path / "out", "voc")
    assert [o.extras for o in back.objects()] == [
        {"voc:pose": "Left"},
        {"voc:pose": "3"},
        {"voc:parts": [{"name": "head", "bbox": [1.0, 1.0, 1.0, 1.0]}]},
        extras[3],
    ]


def test_item_fields_that_read_back_otherwise_are_reported(tmp_path: Path) -> None:
    """<folder>, <path>, <source> and <owner> are read stripped, as texts: ' x ' came back 'x', 3 as '3', unsaid."""
    metas: list[dict[str, Any]] = [
        {"voc:folder": " x "},
        {"voc:owner": 3},
        {"voc:source": {"database": "d ", "image": "flickr"}},
        {"voc:owner": ""},  # (an empty <owner> reads back as one of no fields)
        {"voc:folder": "x", "voc:path": "C:\\a b.jpg", "voc:source": {"database": "d"}, "voc:owner": "o"},
    ]
    ds = Dataset(categories=[Category(id=8, name="cat")])
    for k, meta in enumerate(metas):
        ds.add_item(Item(id=f"i{k}", media=Media(path=f"JPEGImages/i{k}.jpg", width=4, height=4), metadata=meta))
    ds.add_item(Item(id="j", media=Media(path="JPEGImages/j.jpg", width=4, height=4), split="train"))
    report = labelkit.save(ds, tmp_path / "out", "voc", split="train")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("item splits", 5),
        ("items with a folder, path, source, owner, depth or segmented flag that reads back otherwise", 4),
    ]
    back = labelkit.load(tmp_path / "out", "voc")
    assert [i.metadata for i in back.items()] == [
        {"voc:folder": "x"},
        {"voc:owner": "3"},
        {"voc:source": {"database": "d", "image": "flickr"}},
        {"voc:owner": {}},
        metas[4],
        {},
    ]


@pytest.mark.parametrize(
    ("meta", "lost", "transformed", "back"),
    [
        ({"voc:imagesets": True}, 1, 0, {}),
        ({"voc:task_splits": 5}, 1, 0, {}),
        (
            {"voc:blank_pngs": ["SegmentationClass"], "voc:task_splits": {"train": {}}},
            0,
            0,
            {"voc:blank_pngs": ["SegmentationClass"]},
        ),
        ({"voc:blank_pngs": "SegmentationClass"}, 1, 0, {}),
        ({"voc:depth": [1]}, 0, 1, {"voc:depth": "[1]"}),
        ({"voc:depth": 3.0}, 0, 1, {"voc:depth": "3.0"}),
        ({"voc:depth": "007"}, 0, 1, {"voc:depth": 7}),
        ({"voc:depth": True}, 0, 1, {"voc:depth": "true"}),  # (as JSON spells it, not Python)
        ({"voc:segmented": "x "}, 0, 1, {"voc:segmented": "x"}),
        ({"voc:depth": 4, "voc:segmented": 1}, 0, 0, {"voc:depth": 4, "voc:segmented": 1}),
        ({"voc:depth": "7 x"}, 0, 0, {"voc:depth": "7 x"}),
    ],
)
def test_voc_item_fields_of_another_shape_are_reported(
    tmp_path: Path, meta: dict[str, Any], lost: int, transformed: int, back: dict[str, Any]
) -> None:
    """VOC's own item keys of a shape its writer does not write (voc:imagesets that is no list) were dropped,
    and a <depth> or <segmented> that reads back otherwise ([1] as '[1]', '007' as 7) changed, without a word."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0)))
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == ([("items with metadata", lost)] if lost else [])
    what = "items with a folder, path, source, owner, depth or segmented flag that reads back otherwise"
    assert [(c.what, c.count) for c in report.transformed] == ([(what, transformed)] if transformed else [])
    assert next(labelkit.load(tmp_path / "out", "voc").items()).metadata == back


def test_imagesets_lines_naming_image_files_of_xmls_are_noted(tmp_path: Path) -> None:
    """'a.jpg' listed beside Annotations/a.xml (lists written with the extension) made an item of no XML and left
    a in no split without a word. Listing ids of no XML is allowed (test sets ship so): a read note says it."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    for name in ("a", "b"):
        (root / "Annotations" / f"{name}.xml").write_text(
            f"<annotation><filename>{name}.jpg</filename><object><name>cat</name>{box}</object></annotation>"
        )
    (root / "ImageSets" / "Main" / "train.txt").write_text("a.jpg\nb\nb.jpg\nc.png\n")
    ds = labelkit.load(root, "voc")
    assert sorted((i.id, i.split) for i in ds.items()) == [
        ("a", None),
        ("a.jpg", "train"),
        ("b", "train"),
        ("b.jpg", "train"),
        ("c.png", "train"),
    ]
    assert ds.read_notes == [
        "1 ImageSets lines name an image file whose stem has an XML ('a.jpg' first, beside Annotations/a.xml): VOC "
        "lists ids, without the extension, so each was read as an item of no XML, and the XML's item as listed in "
        "no split"
    ]


def test_imagesets_lines_naming_xmls_in_another_case_are_noted(tmp_path: Path) -> None:
    """'A' listed beside Annotations/a.xml (a set made on macOS or Windows, where they are one name) made an item of
    no XML and left a, with its objects, in no split without a word, as 'a.jpg' did (see the test above)."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    for name in ("a", "b", "c", "C", "cafe\u0301"):  # (the last in NFD, listed in NFC: one name on macOS)
        (root / "Annotations" / f"{name}.xml").write_text(
            f"<annotation><object><name>cat</name>{box}</object></annotation>"
        )
    (root / "ImageSets" / "Main" / "train.txt").write_text("A\nB\nb\nc\nC\nd\ncaf\u00e9\n")  # (B: b is listed too)
    ds = labelkit.load(root, "voc")
    assert ("a", None) in [(i.id, i.split) for i in ds.items()]
    assert ds.read_notes == [
        "2 ImageSets lines name an XML's id in another case or Unicode normalisation ('A' first, beside "
        "Annotations/a.xml): VOC pairs them by exact name (one name on macOS, and on Windows in another case), so "
        "each was read as an item of no XML, and the XML's item as listed in no split"
    ]


def test_class_list_lines_naming_image_files_or_xmls_in_another_case_are_noted(tmp_path: Path) -> None:
    """VoTT writes per-class lists of image file names (``dog_train.txt`` of ``a.jpg 1``) and no split lists: each
    line made an item of no XML holding the label beside the XML's item in no split, as a split list's does,
    without the read note a split list's line gets (nor the one of a name in another case). A ``-1`` line makes
    an item too (of no label), as for an image of no XML: it is named."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (root / "Annotations" / f"{name}.xml").write_text(f"<annotation><filename>{name}.jpg</filename></annotation>")
    (root / "ImageSets" / "Main" / "dog_train.txt").write_text("c.jpg -1\na.jpg 1\nB 0\n")
    ds = labelkit.load(root, "voc")
    assert sorted((i.id, i.split) for i in ds.items()) == [
        ("B", "train"),
        ("a", None),
        ("a.jpg", "train"),
        ("b", None),
        ("c", None),
        ("c.jpg", "train"),
    ]
    assert ds.read_notes == [
        "2 ImageSets lines name an image file whose stem has an XML ('a.jpg' first, beside Annotations/a.xml): VOC "
        "lists ids, without the extension, so each was read as an item of no XML, and the XML's item as listed in "
        "no split",
        "1 ImageSets lines name an XML's id in another case or Unicode normalisation ('B' first, beside "
        "Annotations/b.xml): VOC pairs them by exact name (one name on macOS, and on Windows in another case), so "
        "each was read as an item of no XML, and the XML's item as listed in no split",
    ]


def test_class_lists_of_no_split_as_vott_writes_them_give_labels(tmp_path: Path) -> None:
    """VoTT, its train/test split off, writes one list a tag, ``dog.txt`` of ``a 1`` and ``b -1`` lines (CRLF
    between them, none at the end): read as split lists, the first line was an error. They are class lists of no
    split: labels, the items keeping the split a split list gives (none here), when the list names a known
    class (VOC's, the labelmap's, an XML object's: ``widget`` here). ``train.txt`` of such lines is still a
    split list, its line an error, and so is a list named after no known class (CVAT's ``default.txt`` naming
    ``img 1``, an image whose name holds a space, is no label of a class ``default``)."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    for name in ("a", "b", "c"):
        widget = f"<object><name>widget</name>{box}</object>" if name == "c" else ""
        (root / "Annotations" / f"{name}.xml").write_text(
            f"<annotation><filename>{name}.jpg</filename>{widget}</annotation>"
        )
    (root / "ImageSets" / "Main" / "dog.txt").write_bytes(b"a 1\r\nb -1\r\nc 1")
    (root / "ImageSets" / "Main" / "widget.txt").write_bytes(b"a 1\r\nb 0\r\nc -1")
    ds = labelkit.load(root, "voc")
    names = {c.id: c.name for c in ds.categories}
    labels = sorted((o.item_id, names[o.category_id], o.extras.get("voc:difficult", False)) for o in ds.labels())
    assert labels == [("a", "dog", False), ("a", "widget", False), ("b", "widget", True), ("c", "dog", False)]
    assert [(i.id, i.split) for i in ds.items()] == [("a", None), ("b", None), ("c", None)]
    for name, text in (("train.txt", "a\nb 1\n"), ("default.txt", "img 1\n")):
        (root / "ImageSets" / "Main" / name).write_text(text)
        with pytest.raises(InputError) as err:
            labelkit.load(root, "voc")
        where = (err.value.location.path, err.value.location.line)
        assert where == (str(root / "ImageSets/Main" / name), text.count("\n"))
        assert err.value.message == "a split list line holds one image name"
        (root / "ImageSets" / "Main" / name).unlink()


def test_a_cvat_segmentation_mask_export_without_annotations_is_detected(tmp_path: Path) -> None:
    """CVAT's Segmentation mask export (labelmap.txt, ImageSets/Segmentation, RGB class and object PNGs, no
    Annotations/) was read with --from voc, but no format recognised it: convert and info stopped there."""
    root = tmp_path / "cvat"
    for folder in ("ImageSets/Segmentation", "SegmentationClass", "SegmentationObject"):
        (root / folder).mkdir(parents=True)
    (root / "labelmap.txt").write_text(
        "# label:color_rgb:parts:actions\nbackground:0,0,0::\ncar:250,50,83::\nperson:51,221,255::\n"
    )
    (root / "ImageSets/Segmentation/default.txt").write_text("img1\n")
    classes, instances = np.zeros((4, 6, 3), dtype=np.uint8), np.zeros((4, 6, 3), dtype=np.uint8)
    classes[0:2, 0:2], instances[0:2, 0:2] = (250, 50, 83), voc.voc_palette()[1]
    classes[2:4, 2:6], instances[2:4, 2:6] = (51, 221, 255), voc.voc_palette()[2]
    Image.fromarray(classes).save(root / "SegmentationClass/img1.png")
    Image.fromarray(instances).save(root / "SegmentationObject/img1.png")
    assert voc.detect(root) == voc.Detection(
        0.9, "folder with ImageSets/ and SegmentationClass/ or SegmentationObject/ PNGs"
    )
    assert labelkit.detect(root).format == "voc"
    ds = labelkit.load(root)
    assert [(i.id, i.split, i.media.width, i.media.height) for i in ds.items()] == [("img1", "default", 6, 4)]
    assert [(ds.category(o.category_id or 0).name, o.bbox, o.extras) for o in ds.objects()] == [
        ("car", (0.0, 0.0, 2.0, 2.0), {"voc:mask_only": True, "voc:instance": 1}),
        ("person", (2.0, 2.0, 4.0, 2.0), {"voc:mask_only": True, "voc:instance": 2}),
    ]


@pytest.mark.parametrize("line", ["a b", "a 1", "JPEGImages/a.jpg SegmentationClass/a.png"])
def test_a_segmentation_list_line_of_more_words_is_an_error_at_its_line(tmp_path: Path, line: str) -> None:
    """A Segmentation split list line of several words (a list of image and mask pairs, two ids on a line) was
    read as its first word, the others dropped without a word, where a Main split list's is an error."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "ImageSets/Segmentation").mkdir(parents=True)
    (tmp_path / "Annotations/a.xml").write_text("<annotation><filename>a.jpg</filename></annotation>")
    (tmp_path / "ImageSets/Segmentation/train.txt").write_text(f"# pairs\n{line}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    where = err.value.location
    assert (where.path, where.line) == (str(tmp_path / "ImageSets/Segmentation/train.txt"), 2)
    assert err.value.message == "a split list line holds one image name"


@pytest.mark.parametrize("line", ["b", "b  1 extra", "b 1 1"])
def test_a_per_class_list_line_of_other_than_two_words_is_an_error_at_its_line(tmp_path: Path, line: str) -> None:
    """A class list line of one word was passed over, and the words after a value dropped, without a word: b was
    read without its cat label, or with it, and the rest of its line gone."""
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "ImageSets/Main").mkdir(parents=True)
    for name in ("a", "b"):
        (tmp_path / f"Annotations/{name}.xml").write_text(f"<annotation><filename>{name}.jpg</filename></annotation>")
    (tmp_path / "ImageSets/Main/train.txt").write_text("a\nb\n")
    (tmp_path / "ImageSets/Main/cat_train.txt").write_text(f"a  1\n{line}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "voc")
    where = err.value.location
    assert (where.path, where.line) == (str(tmp_path / "ImageSets/Main/cat_train.txt"), 2)
    message = "a per-class list line holds an image and its value"
    assert (err.value.message, err.value.found) == (message, repr(" ".join(line.split())))


def test_macos_resource_forks_in_a_voc_folder_are_passed_over_and_counted(tmp_path: Path) -> None:
    """A VOC folder unzipped from a macOS archive holds ._a.xml, ._a.png and ._train.txt beside the files: the
    read stopped at the first ("invalid XML", "unreadable PNG"). They are passed over, as YOLO's reader passes
    them over, and a read note counts them."""
    fork = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(40)
    for folder in ("Annotations/x", "SegmentationClass", "SegmentationObject", "ImageSets/Main", "JPEGImages"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><object><name>dog</name>"
        "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>"
    )
    (tmp_path / "ImageSets/Main/train.txt").write_text("a\n")
    mask = np.zeros((3, 4), np.uint8)
    mask[0:2, 0:2] = 1
    _save_png(mask, tmp_path / "SegmentationObject/a.png")
    _save_png(mask * 12, tmp_path / "SegmentationClass/a.png")
    for name in (
        "Annotations/._a.xml",
        "Annotations/x/._b.xml",
        "SegmentationClass/._a.png",
        "SegmentationObject/._a.png",
        "ImageSets/Main/._train.txt",
        "JPEGImages/._a.jpg",
    ):
        (tmp_path / name).write_bytes(fork)
    assert labelkit.detect(tmp_path).confidence == 0.95
    ds = labelkit.load(tmp_path)
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train")]
    assert [(o.item_id, o.bbox, o.mask is not None) for o in ds.objects()] == [("a", (0.0, 0.0, 2.0, 2.0), True)]
    assert ds.read_notes == [
        "5 macOS resource forks (files named ._*, which macOS leaves beside the files it zips or copies; "
        "Annotations/._a.xml first) were passed over: they are no annotation, list or segmentation PNG"
    ]
    assert labelkit.load(tmp_path / "Annotations/a.xml").report_counts() == {"items": 1, "object annotations": 1}


def test_a_roboflow_voc_folder_passes_over_macos_resource_forks(tmp_path: Path) -> None:
    """In Roboflow's layout (XML beside the images in split folders), ._a.xml sorts first: the folder was
    detected by it (0.6, no <annotation>) and read as invalid XML."""
    (tmp_path / "train").mkdir()
    (tmp_path / "train/a.xml").write_text("<annotation><filename>a.jpg</filename></annotation>")
    (tmp_path / "train/._a.xml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    detection = labelkit.detect(tmp_path)
    assert (detection.format, detection.confidence) == ("voc", 0.7)
    ds = labelkit.load(tmp_path, "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train")]
    assert len(ds.read_notes) == 1 and "train/._a.xml first" in ds.read_notes[0]


def test_voc_loses_items_whose_xml_is_named_as_a_macos_resource_fork(tmp_path: Path) -> None:
    """Item ._a wrote Annotations/._a.xml, which the reader passes over (a macOS resource fork's name): it was
    counted written and read back as an item of no XML (its list line) without its objects. It is lost, said
    so, as YOLO loses such items."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    for item in ("._a", "x/._b", "c"):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split="train"))
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    planned = labelkit.plan(ds, "voc")
    assert [(c.what, c.count, c.reason) for c in planned.lost] == [
        (
            "items whose files VOC readers pass over",
            2,
            "a name starting with ._ is a macOS resource fork's, which readers skip: they are not written "
            "(item '._a', 'Annotations/._a.xml')",
        ),
        ("object annotations on them", 2, "their items are not written"),
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert report.lost == planned.lost
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*") if p.is_file()) == [
        "Annotations/c.xml",
        "ImageSets/Main/train.txt",
        "labelmap.txt",
    ]
    back = labelkit.load(tmp_path / "o", "voc")
    assert (back.report_counts(), back.read_notes) == ({"items": 1, "object annotations": 1}, [])


def test_a_segmentation_png_named_as_an_xml_in_another_case_is_named_in_a_read_note(tmp_path: Path) -> None:
    """Annotations/IMG_1.xml beside SegmentationObject/img_1.png (a Windows tool's names): two items, the XML
    object without its mask and a mask-only item, with no word of it. A read note names the pair."""
    for folder in ("Annotations", "SegmentationObject", "SegmentationClass"):
        (tmp_path / folder).mkdir()
    for stem in ("IMG_1", "IMG_2", "z"):
        (tmp_path / f"Annotations/{stem}.xml").write_text(
            f"<annotation><filename>{stem}.jpg</filename><object><name>dog</name>"
            "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>"
        )
    mask = np.zeros((3, 4), np.uint8)
    mask[0:2, 0:2] = 1
    for stem in ("img_1", "Img_2", "z"):
        _save_png(mask, tmp_path / f"SegmentationObject/{stem}.png")
        _save_png(mask * 12, tmp_path / f"SegmentationClass/{stem}.png")
    ds = labelkit.load(tmp_path, "voc")
    assert [(o.item_id, o.mask is not None) for o in ds.objects()] == [
        ("IMG_1", False),
        ("IMG_2", False),
        ("Img_2", True),
        ("img_1", True),
        ("z", True),
    ]
    assert ds.read_notes == [
        "2 images' segmentation PNGs are named as an annotation XML only in another case (SegmentationClass/Img_2.png "
        "beside Annotations/IMG_2.xml first): VOC pairs an image's files by exact name, so each was read as an item "
        "of its own, its masks not the XML objects'; rename one of them to pair them"
    ]


def _imagesets(root: Path) -> dict[str, str]:
    return {p.relative_to(root / "ImageSets").as_posix(): p.read_text() for p in (root / "ImageSets").rglob("*.txt")}


def test_a_task_list_of_trainval_only_beside_main_train_and_val_comes_back_as_read(tmp_path: Path) -> None:
    """Main has train, val and trainval lists, Segmentation only trainval.txt (its images of train and val): a
    read note said the images were in two splits ('a: train, trainval') and that writing VOC lists them in the
    first only, and VOC -> VOC wrote Segmentation/train.txt and val.txt in place of trainval.txt."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
        "Main/trainval.txt": "a\nb\n",
        "Segmentation/trainval.txt": "a\nb\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert ds.read_notes == []
    assert [(i.id, i.split, i.metadata.get("voc:task_splits")) for i in ds.items()] == [
        ("a", "train", {"train": {"Segmentation": ["trainval"]}}),
        ("b", "val", {"val": {"Segmentation": ["trainval"]}}),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert _imagesets(tmp_path / "out") == lists
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.split, i.metadata) for i in back.items()] == [(i.id, i.split, i.metadata) for i in ds.items()]


def test_task_lists_of_other_splits_than_their_images_come_back_as_read(tmp_path: Path) -> None:
    """Segmentation/val.txt naming a train image (and train.txt a val one), Layout/test.txt, an image in two
    Action lists: VOC -> VOC listed each image in its own split's task lists only, and the note said '(by file
    name)' of lists Main's split lists came before. An image moved to another split is listed in its own."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
        "Segmentation/val.txt": "a\n",
        "Segmentation/train.txt": "b\n",
        "Layout/test.txt": "b\n",
        "Action/train.txt": "a\n",
        "Action/val.txt": "a\nb\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert ds.read_notes == []
    assert [(i.id, i.split, i.metadata["voc:task_splits"]) for i in ds.items()] == [
        ("a", "train", {"train": {"Segmentation": ["val"], "Action": ["train", "val"]}}),
        ("b", "val", {"val": {"Segmentation": ["train"], "Layout": ["test"]}}),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert _imagesets(tmp_path / "out") == lists
    import pyarrow as pa

    items = ds.table("items")
    moved_items = items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val", "val"]))
    moved = Dataset.from_tables({**ds.tables(), "items": moved_items}, ds.categories, ds.info)
    labelkit.save(moved, tmp_path / "moved", "voc")
    assert _imagesets(tmp_path / "moved") == {
        "Main/val.txt": "a\nb\n",
        "Segmentation/val.txt": "a\n",
        "Segmentation/train.txt": "b\n",
        "Layout/test.txt": "b\n",
        "Action/val.txt": "a\nb\n",
    }


def _rle_cell(mask: np.ndarray) -> dict:
    return {"size": mask.shape, "counts": raster.mask_to_rle(mask)["counts"]}


def test_an_object_png_void_the_class_png_lacks_counts_the_class_only_object_it_leaves(tmp_path: Path) -> None:
    """voc:void_object (the object PNG's void only) over a mask pixel: that pixel keeps its class in
    SegmentationClass and reads back as a class-only object, which the report did not count (written 1, read
    back 2)."""
    mask = np.zeros((3, 4), bool)
    mask[0:2, 1:3] = True
    void = np.zeros((3, 4), bool)
    void[1, 1] = True
    ds = Dataset(categories=[Category(id=1, name="cat")])
    meta = {"voc:void_object": {"height": 3, "width": 4, "counts": raster.mask_to_rle(void)["counts"]}}
    ds.add_item(Item(id="a", media=Media(width=4, height=3), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 0.0, 2.0, 2.0), mask=_rle_cell(mask)))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("masks", 1)]
    assert report.written == {"items": 1, "object annotations": 2}
    back = labelkit.load(tmp_path / "o", "voc")
    assert back.report_counts()["object annotations"] == 2
    assert [o.extras for o in back.objects()] == [{}, {"voc:semantic": True}]


def test_a_class_only_mask_over_an_xml_objects_mask_is_a_reported_loss(tmp_path: Path) -> None:
    """A class-only mask of another class drawn over most of an XML object's mask: the instance reads back as
    a mask-only object of that class and the XML object without its mask, where the report said nothing was
    lost and counted 3 objects written (4 read back)."""
    dog = np.zeros((4, 4), bool)
    dog[0:3, 0:3] = True
    cat = np.zeros((4, 4), bool)
    cat[0:3, 0:2] = True
    cat[3, :] = True
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat")])
    ds.add_item(Item(id="a", media=Media(width=4, height=4), split="train"))
    ds.add(
        Object(id="1", item_id="a", category_id=1, bbox=(0.0, 0.0, 3.0, 3.0), mask=_rle_cell(dog)),
        Object(id="2", item_id="a", category_id=2, mask=_rle_cell(cat), extras={"voc:semantic": True}),
    )
    reason = (
        "a class-only mask of another class covers most of it in SegmentationClass: a reader takes the instance "
        "for a mask-only object of that class, and the object comes back without it"
    )
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "voc")
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("masks", 1, reason)]
    assert report.written == {"items": 1, "object annotations": 4}
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(o.category_id, o.mask is not None, o.extras) for o in back.objects()] == [
        (1, False, {}),
        (2, True, {"voc:mask_only": True, "voc:instance": 1}),
        (1, True, {"voc:semantic": True}),
        (2, True, {"voc:semantic": True}),
    ]


def test_voc_loses_splits_and_class_lists_named_as_macos_resource_forks(tmp_path: Path) -> None:
    """A split ._x wrote ImageSets/Main/._x.txt and a class ._c its ImageSets/Main/._c_train.txt, which the
    reader passes over (macOS resource forks' names): the split and the image label came back lost, unsaid."""
    ds = Dataset(categories=[Category(id=1, name="._c"), Category(id=2, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="._x"))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=10, height=10), split="train"))
    ds.add(
        Object(id="1", item_id="a", category_id=2, bbox=(1.0, 1.0, 2.0, 2.0)),
        Label(id="1", item_id="b", category_id=1),
        Label(id="2", item_id="b", category_id=2),
    )
    planned = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in planned.lost] == [
        ("items whose files VOC readers pass over", 1),
        ("object annotations on them", 1),
        ("image labels of classes that cannot be file names", 1),
    ]
    assert planned.lost[0].reason == (
        "a name starting with ._ is a macOS resource fork's, which readers skip: they are not written "
        "(item 'a', 'ImageSets/Main/._x.txt')"
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert report.lost == planned.lost
    assert sorted(p.name for p in (tmp_path / "o/ImageSets/Main").iterdir()) == ["dog_train.txt", "train.txt"]
    back = labelkit.load(tmp_path / "o", "voc")
    assert (back.report_counts(), back.read_notes) == ({"items": 1, "label annotations": 1}, [])


def test_categories_sharing_a_name_but_trailing_spaces_make_one_labelmap_line(tmp_path: Path) -> None:
    """'a' and 'a ' read back as one class (labelmap names and XML names are read stripped): with --allow-loss
    the labelmap listed both, 'a:...' and 'a :...', and the output could not be read back (`class listed twice`)."""
    ds = Dataset(categories=[Category(id=1, name="a"), Category(id=2, name="a ")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=10, height=10), split="train"))
    ds.add(
        Object(id="1", item_id="i", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0)),
        Object(id="2", item_id="i", category_id=2, bbox=(2.0, 2.0, 3.0, 3.0)),
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("category names with leading or trailing spaces, or starting with '#'", 1),
        ("categories sharing a name with another", 1),
    ]
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines()[1:] == ["# labelkit-category-ids: 1", "a:128,0,0::"]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name) for c in back.categories] == [(1, "a")]
    assert [(o.id, o.category_id) for o in back.objects()] == [("1", 1), ("2", 1)]


def test_a_category_named_as_a_comment_does_not_shift_the_later_classes(tmp_path: Path) -> None:
    """A '#x' labelmap line (reported lost) is a comment to readers, yet it took a PNG value: 'z' after it was
    painted 3 and coloured as 3 while it reads back as class 2, so it came back with a colour it never had
    and its class PNG pixels unread ('a value no class has')."""
    ds = Dataset(categories=[Category(id=0, name="first"), Category(id=1, name="#x"), Category(id=2, name="z")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=4, height=4), split="train"))
    left = np.zeros((4, 4), dtype=bool)
    left[:, 0] = True
    ds.add(Object(id="1", item_id="i", category_id=2, bbox=(0.0, 0.0, 1.0, 4.0), mask=_rle(left)))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("category names with leading or trailing spaces, or starting with '#'", 1)
    ]
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines()[1:] == [
        "# labelkit-category-ids: 0,2",
        "background:0,0,0::",
        "first:128,0,0::",
        "z:0,128,0::",
        "#x:128,128,0::",
    ]
    assert np.asarray(Image.open(tmp_path / "o/SegmentationClass/i.png"))[0].tolist() == [2, 0, 0, 0]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.color) for c in back.categories] == [(0, "first", None), (2, "z", None)]
    assert back.read_notes == []
    assert [(o.category_id, o.mask is not None) for o in back.objects()] == [(2, True)]


def test_a_labelmap_beside_class_pngs_lists_background_as_datumaro_reads_their_colours(tmp_path: Path) -> None:
    """COCO -> VOC with masks wrote a labelmap.txt of its classes only: Datumaro maps each class PNG pixel's colour
    through the labelmap and refused every such output ('Undeclared color (0, 0, 0)', background's black). The
    labelmap now lists value 0 first, of no id in labelkit's comment, which reads back as no category."""
    ds = Dataset(categories=[Category(id=1, name="person"), Category(id=3, name="car")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=4, height=2), split="train"))
    ds.add_item(Item(id="j", media=Media(path="j.jpg", width=4, height=2), split="train"))
    cells = np.zeros((2, 4), dtype=bool)
    cells[:, 1] = True
    ds.add(
        Object(id="1", item_id="i", category_id=3, bbox=(1.0, 0.0, 1.0, 2.0), mask=_rle(cells)),
        Object(id="2", item_id="j", category_id=1, bbox=(0.0, 0.0, 2.0, 2.0)),
    )
    labelkit.save(ds, tmp_path / "o", "voc")
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1,3",
        "background:0,0,0::",
        "person:128,0,0::",
        "car:0,128,0::",
    ]
    rgb = np.asarray(Image.open(tmp_path / "o/SegmentationClass/i.png").convert("RGB"))
    assert rgb[0].tolist() == [[0, 0, 0], [0, 128, 0], [0, 0, 0], [0, 0, 0]]  # (colours the labelmap lists)
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.color, c.extras) for c in back.categories] == [
        (1, "person", None, {}),
        (3, "car", None, {}),
    ]
    assert [(o.category_id, o.bbox, o.mask and o.mask.counts) for o in back.objects()] == [
        (3, (1.0, 0.0, 1.0, 2.0), raster.mask_to_rle(cells)["counts"]),
        (1, (0.0, 0.0, 2.0, 2.0), None),
    ]
    labelkit.save(back, tmp_path / "again", "voc")
    assert (tmp_path / "again/labelmap.txt").read_bytes() == (tmp_path / "o/labelmap.txt").read_bytes()
    # (a labelmap without labelkit's comment, as Datumaro writes it, keeps its background class)
    (tmp_path / "o/labelmap.txt").write_text("background:0,0,0::\nperson:128,0,0::\ncar:0,128,0::\n")
    assert [c.name for c in labelkit.load(tmp_path / "o", "voc").categories] == ["background", "person", "car"]


def test_a_labelmap_beside_void_pixels_lists_their_colour_last(tmp_path: Path) -> None:
    """Void pixels (255, VOC's colour 224,224,192) in a class PNG beside labelkit's labelmap of other classes than
    VOC's: Datumaro refused the output ('Undeclared color (224, 224, 192)'). The labelmap lists Datumaro's
    'ignored' line last, of no id in labelkit's comment, which reads back as no category."""
    void = np.zeros((4, 6), dtype=bool)
    void[0, :] = True
    cat = np.zeros((4, 6), dtype=bool)
    cat[1:3, 1:3] = True
    ds = Dataset(categories=[Category(id=1, name="cat"), Category(id=2, name="dog")])
    meta = {"voc:void": {k: v for k, v in raster.mask_to_rle(void).items() if v is not None}}
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=6, height=4), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), mask=_rle(cat)))
    assert labelkit.save(ds, tmp_path / "o", "voc").lost == []
    labelmap = (tmp_path / "o/labelmap.txt").read_text()
    assert labelmap.splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1,2",
        "background:0,0,0::",
        "cat:128,0,0::",
        "dog:0,128,0::",
        "ignored:224,224,192::",
    ]
    rgb = np.asarray(Image.open(tmp_path / "o/SegmentationClass/a.png").convert("RGB")).reshape(-1, 3)
    listed = {tuple(int(v) for v in line.split(":")[1].split(",")) for line in labelmap.splitlines()[2:]}
    assert {tuple(int(v) for v in c) for c in np.unique(rgb, axis=0)} <= listed  # (what Datumaro requires)
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.color) for c in back.categories] == [(1, "cat", None), (2, "dog", None)]
    assert [i.metadata for i in back.items()] == [meta]
    labelkit.save(back, tmp_path / "again", "voc")
    assert (tmp_path / "again/labelmap.txt").read_text() == labelmap
    # a class named background (read from VOC) keeps its id, and the void's line is still no class
    ds = Dataset(categories=[Category(id=0, name="background"), Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=6, height=4), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), mask=_rle(cat)))
    labelkit.save(ds, tmp_path / "bg", "voc")
    assert (tmp_path / "bg/labelmap.txt").read_text().splitlines()[1:] == [
        "# labelkit-category-ids: 0,1",
        "background:0,0,0::",
        "cat:128,0,0::",
        "ignored:224,224,192::",
    ]
    assert [c.name for c in labelkit.load(tmp_path / "bg", "voc").categories] == ["background", "cat"]


@settings(max_examples=60, deadline=None)
@given(
    names=st.sets(
        st.tuples(st.sampled_from(["", "s/", "s/t/", "S/"]), st.text(alphabet="aAb.", min_size=1, max_size=5)).filter(
            lambda n: n[1] not in (".", "..")
        ),
        max_size=8,
    ),
    ext=st.sampled_from(["jpg", "PNG", "txt", "b.jpg"]),
    ids=st.lists(
        st.tuples(st.sampled_from(["", "s/", "s/t/", "x/"]), st.text(alphabet="aAb.", min_size=1, max_size=4)),
        min_size=1,
        max_size=5,
    ),
)
def test_an_image_of_a_nested_id_found_through_its_folder_listed_once_is_the_one_a_glob_finds(
    names: set[tuple[str, str]], ext: str, ids: list[tuple[str, str]]
) -> None:
    """An item of a nested XML (``Annotations/s0/1.xml``, as VOC writes the items of COCO's ``s0/1`` ids) had
    its ``<id>.*`` image looked for with a glob, which read its whole folder per item: a VOC folder of 50 such
    folders of 800 items took 27 s to read. Its folder is listed once too; what is found is the same."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in ("JPEGImages", "Annotations/s", "Annotations/x"):
            (root / folder).mkdir(parents=True)
        for sub, name in names:
            (root / "JPEGImages" / sub).mkdir(parents=True, exist_ok=True)
            (root / "JPEGImages" / sub / f"{name}.{ext}").touch()
        listings: dict[Path, dict[str, list[str]]] = {}
        for sub, name in ids:
            args = (root, root / "Annotations", sub + name, None)
            assert voc_images._find_image(*args, listings) == voc_images._find_image(*args)


def test_the_folder_of_nested_ids_is_listed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(See above.) Each folder the items' images may be in is listed once, however many items it holds."""
    for k in range(4):
        (tmp_path / "v/Annotations/s0").mkdir(parents=True, exist_ok=True)
        (tmp_path / "v/Annotations/s0" / f"{k}.xml").write_text(
            f"<annotation><size><width>8</width><height>6</height></size><object><name>a</name><bndbox><xmin>1</xmin>"
            f"<ymin>1</ymin><xmax>{2 + k}</xmax><ymax>3</ymax></bndbox></object></annotation>"
        )
    (tmp_path / "v/JPEGImages/s0").mkdir(parents=True)
    Image.new("RGB", (8, 6)).save(tmp_path / "v/JPEGImages/s0/2.png")
    listed: list[str] = []
    by_prefix = voc_images._by_prefix
    monkeypatch.setattr(
        voc_images, "_by_prefix", lambda p: listed.append(p.relative_to(tmp_path).as_posix()) or by_prefix(p)
    )
    ds = labelkit.load(tmp_path / "v", "voc")
    assert sorted(listed) == ["v/Annotations/s0", "v/JPEGImages/s0"]
    assert [(i.id, i.media.path) for i in ds.items()] == [
        ("s0/0", None),
        ("s0/1", None),
        ("s0/2", "JPEGImages/s0/2.png"),
        ("s0/3", None),
    ]


def test_labelmap_declares_object_part_names_for_datumaro_and_they_read_back_as_no_class_parts(tmp_path: Path) -> None:
    """Datumaro reads a <part> name as a label and refused labelkit's VOC output of any part no labelmap line
    declared ('Undeclared label 'head'', VOC -> VOC of its own voc_dataset1 too). The writer adds such names to
    the parts of their object's class line and names them in a '# labelkit-reader-parts:' comment, which
    labelkit's reader takes off again: the categories come back with their own voc:parts only."""
    ds = Dataset(
        categories=[
            Category(id=1, name="cat"),
            Category(id=2, name="person", extras={"voc:parts": ["head"]}),
            Category(id=3, name="#x"),
        ]
    )
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=20, height=10), split="train"))

    def parts(*names: str) -> dict[str, Any]:
        return {"voc:parts": [{"name": n, "bbox": [1.0, 1.0, 2.0, 2.0]} for n in names]}

    ds.add(
        Object(id="1", item_id="a", category_id=2, bbox=(0.0, 0.0, 9.0, 9.0), extras=parts("head", "hand", "cat")),
        Object(id="2", item_id="a", category_id=1, bbox=(0.0, 0.0, 9.0, 9.0), extras=parts("tail", "hand")),
        Object(id="3", item_id="a", category_id=3, bbox=(0.0, 0.0, 9.0, 9.0), extras=parts("wing")),
    )
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)  # (the '#x' class is a loss)
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1,2",
        "# labelkit-reader-parts: tail,wing,hand",
        "cat:128,0,0:tail,wing:",
        "person:0,128,0:head,hand:",
        "#x:128,128,0::",
    ]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.extras) for c in back.categories][:2] == [
        (1, "cat", {}),
        (2, "person", {"voc:parts": ["head"]}),
    ]
    assert [[p["name"] for p in o.extras["voc:parts"]] for o in back.objects()] == [
        ["head", "hand", "cat"],
        ["tail", "hand"],
        ["wing"],
    ]
    labelkit.save(back, tmp_path / "again", "voc", allow_loss=True)
    assert (tmp_path / "again/labelmap.txt").read_bytes() == (tmp_path / "o/labelmap.txt").read_bytes()
    # standard classes are written without labelmap.txt (Datumaro's own declares head, hand and foot) unless
    # an object has another part (the labelmap written then declares every part name)
    std = Dataset(categories=[Category(id=15, name="person")])
    std.add_item(Item(id="a", media=Media(path="a.jpg", width=20, height=10), split="train"))
    std.add(Object(id="1", item_id="a", category_id=15, bbox=(0.0, 0.0, 9.0, 9.0), extras=parts("head", "foot")))
    labelkit.save(std, tmp_path / "std", "voc")
    assert not (tmp_path / "std/labelmap.txt").exists()
    std.add(Object(id="2", item_id="a", category_id=15, bbox=(0.0, 0.0, 9.0, 9.0), extras=parts("tail")))
    labelkit.save(std, tmp_path / "tail", "voc")
    assert (tmp_path / "tail/labelmap.txt").read_text().splitlines()[1:] == [
        "# labelkit-category-ids: 15",
        "# labelkit-reader-parts: head,foot,tail",
        "person:128,0,0:head,foot,tail:",
    ]
    back = labelkit.load(tmp_path / "tail", "voc")
    assert [(c.id, c.name, c.color, c.extras) for c in back.categories] == [(15, "person", None, {})]


def test_a_class_named_as_labelkits_labelmap_comments_is_no_such_comment(tmp_path: Path) -> None:
    """A class named '# labelkit-category-ids: 7' was written as an ids comment after the real one, which it
    replaced: the output could not be read back (labelmap.txt:4: bad category ids comment); one named
    '# labelkit-reader-parts: wheel,' took 'wheel' off car's parts on VOC -> VOC, unsaid. A '#' line holding ':'
    after its first is a '#' class's line (a comment): both read back as they were, from their objects."""
    ds = Dataset(
        categories=[
            Category(id=1, name="car", extras={"voc:parts": ["wheel", "door"]}),
            Category(id=2, name="# labelkit-category-ids: 7"),
            Category(id=3, name="# labelkit-reader-parts: wheel,"),
        ]
    )
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=20, height=10), split="train"))
    ds.add(*(Object(id=str(k), item_id="a", category_id=k, bbox=(0.0, 0.0, 9.0, 9.0)) for k in (1, 2, 3)))
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert report.lost == []
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1",
        "car:128,0,0:wheel,door:",
        "# labelkit-category-ids: 7:0,128,0::",
        "# labelkit-reader-parts: wheel,:128,128,0::",
    ]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name, c.extras) for c in back.categories] == [(c.id, c.name, c.extras) for c in ds.categories]
    labelkit.save(back, tmp_path / "again", "voc")
    assert (tmp_path / "again/labelmap.txt").read_bytes() == (tmp_path / "o/labelmap.txt").read_bytes()
    again = labelkit.load(tmp_path / "again", "voc")
    assert [(c.id, c.name, c.extras) for c in again.categories] == [(c.id, c.name, c.extras) for c in ds.categories]


def test_a_class_list_is_named_after_the_class_as_it_reads_back(tmp_path: Path) -> None:
    """A category 'a ' (trailing space) with an image label got 'ImageSets/Main/a _train.txt': its label read back
    in a new class 'a ' that labelmap.txt lacks while its objects read back in 'a', and writing that VOC again
    lost the label. The list is named after the class as labelmap.txt and the XML give it back, stripped."""
    ds = Dataset(categories=[Category(id=1, name="a "), Category(id=2, name="b")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=10, height=10), split="train"))
    ds.add(
        Object(id="1", item_id="i", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0)),
        Label(id="l", item_id="i", category_id=1),
    )
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(e.what, e.count) for e in report.lost] == [
        ("category names with leading or trailing spaces, or starting with '#'", 1)
    ]
    assert sorted(p.name for p in (tmp_path / "o/ImageSets/Main").iterdir()) == [
        "a_train.txt",
        "b_train.txt",
        "train.txt",
    ]
    assert (tmp_path / "o/ImageSets/Main/a_train.txt").read_text() == "i  1\n"
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(c.id, c.name) for c in back.categories] == [(1, "a"), (2, "b")]
    assert [(type(a).__name__, a.category_id) for a in back.annotations()] == [("Label", 1), ("Object", 1)]
    again = labelkit.save(back, tmp_path / "again", "voc")
    assert again.lost == [] and again.written == report.written


def test_a_class_list_of_a_known_class_and_split_lacking_values_is_an_error_at_its_line(tmp_path: Path) -> None:
    """'forklift truck_train.txt' truncated to '2007' (a class of the labelmap, beside train.txt) was read as a
    split named 'forklift truck_train', and writing VOC then refused its file as both that split's list and the
    class's list of split train. A list named after a known class (VOC's, the labelmap's, or one a class list
    names) and another split list's split is that class's list: a line lacking its value is an error there."""
    root = tmp_path / "v"
    shutil.copytree(FIXTURES / "voc/golden/masks-all", root)
    (root / "ImageSets/Main/forklift truck_train.txt").write_text("2007")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.line) == (
        str(root / "ImageSets/Main/forklift truck_train.txt"),
        1,
    )
    assert (err.value.message, err.value.found) == ("a per-class list line holds an image and its value", "'2007'")
    # a class only another class list names (no labelmap.txt), and a VOC class, too
    (root / "labelmap.txt").unlink()
    for name in ("forklift truck_train.txt", "cat_train.txt", "dog_val.txt"):
        (root / "ImageSets/Main" / name).write_text("2007_000001\n")
        with pytest.raises(InputError) as err:
            labelkit.load(root, "voc")
        assert (err.value.location.path, err.value.location.line) == (str(root / "ImageSets/Main" / name), 1)
        (root / "ImageSets/Main" / name).unlink()
    # a split list of another name stays a split's: x is no known class, and test no other list's split
    (root / "ImageSets/Main/x_val.txt").write_text("p\n")
    (root / "ImageSets/Main/cat_test.txt").write_text("q\n")
    splits = {i.id: i.split for i in labelkit.load(root, "voc").items()}
    assert (splits["p"], splits["q"]) == ("x_val", "cat_test")


def test_a_background_class_that_is_not_first_is_written_black_as_datumaro_reads_value_0(tmp_path: Path) -> None:
    """A category 'background' after another: value 0 had no labelmap line (the name is the category's), its line
    took VOC's colour for its value, and Datumaro refused the output ('Undeclared color (0, 0, 0)'). Its line is
    black, VOC's background colour wherever the line is, which labelkit reads back as no colour."""
    a = np.zeros((2, 4), dtype=bool)
    a[:, 1] = True
    b = np.zeros((2, 4), dtype=bool)
    b[:, 3] = True
    ds = Dataset(categories=[Category(id=1, name="person"), Category(id=2, name="background")])
    ds.add_item(Item(id="i", media=Media(path="JPEGImages/i.jpg", width=4, height=2), split="train"))
    ds.add(
        Object(id="1", item_id="i", category_id=1, bbox=(1.0, 0.0, 1.0, 2.0), mask=_rle(a)),
        Object(id="2", item_id="i", category_id=2, bbox=(3.0, 0.0, 1.0, 2.0), mask=_rle(b)),
    )
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert report.lost == [] and report.transformed == []
    assert (tmp_path / "o/labelmap.txt").read_text().splitlines() == [
        "# label:color_rgb:parts:actions",
        "# labelkit-category-ids: 1,2",
        "person:128,0,0::",
        "background:0,0,0::",
    ]
    png = Image.open(tmp_path / "o/SegmentationClass/i.png")
    assert np.asarray(png)[0].tolist() == [0, 1, 0, 2]  # (background's masks keep their own value)
    rgb = np.asarray(png.convert("RGB")).reshape(-1, 3)
    assert {tuple(int(v) for v in c) for c in np.unique(rgb, axis=0)} == {(0, 0, 0), (128, 0, 0)}
    assert canonical(labelkit.load(tmp_path / "o", "voc")) == canonical(ds)
    # a black given to it is VOC's own: it reads back as none, reported as transformed
    ds.categories[1].color = "#000000"
    transformed = labelkit.save(ds, tmp_path / "black", "voc").transformed
    assert [(e.what, e.count) for e in transformed] == [("category colours", 1)]
    assert labelkit.load(tmp_path / "black", "voc").categories[1].color is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([np.uint8, np.uint16, np.int32]),
    st.lists(st.sampled_from([0, 1, 2, 3, 255, 256, 300]), min_size=1, max_size=60),
    st.lists(st.sampled_from([0, 1, 2, 5, 255]), min_size=1, max_size=60),
    st.integers(1, 6),
)
def test_png_instances_and_distinct_agree_with_a_pixel_by_pixel_reading(
    dtype: Any, instance_values: list[int], class_values: list[int], width: int
) -> None:
    # the reader counts runs, not pixels (distinct values, each instance's majority class): the same answer
    from labelkit.formats import voc_build

    n = min(len(instance_values), len(class_values)) // width * width or width
    instances = np.resize(np.array(instance_values, dtype=np.int64), n)
    if dtype is np.uint8:
        instances = instances % 256
    instances = instances.astype(dtype).reshape(-1, width)
    classes = np.resize(np.array(class_values, dtype=np.uint8), n).reshape(-1, width)
    assert raster.distinct(instances) == sorted(set(instances.ravel().tolist()))
    assert raster.distinct(classes) == sorted(set(classes.ravel().tolist()))
    names = ["background", "a", "b"]  # (class values past the names give no name)
    found = voc_build._instances({0: classes, 1: instances}, names)
    expected: dict[int, str | None] = {}
    for value in sorted(set(instances.ravel().tolist()) - {0, 255}):
        under = [int(c) for c, i in zip(classes.ravel(), instances.ravel(), strict=True) if i == value]
        kept = [c for c in under if c not in (0, 255)]
        top = min((c for c in set(kept) if kept.count(c) == max(map(kept.count, kept))), default=None)
        expected[value] = names[top] if top is not None and top < len(names) else None
    assert found == expected


def test_png_instance_class_is_the_majority_of_its_pixels_not_of_its_runs() -> None:
    from labelkit.formats import voc_build

    # instance 1 covers a run of 10 pixels of class 1 and three runs of one pixel of class 2
    classes = np.array([[1] * 10 + [2, 0, 2, 0, 2, 0]], dtype=np.uint8)
    instances = np.array([[1] * 16], dtype=np.uint8)
    found = voc_build._instances({0: classes, 1: instances}, ["background", "a", "b"])
    assert found == {1: "a"}


@given(
    st.sampled_from([np.uint8, np.uint16]),
    st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 255, 300]), min_size=1, max_size=60),
    st.integers(1, 6),
)
def test_instance_rles_of_one_pass_are_each_masks_encoding(dtype: Any, values: list[int], width: int) -> None:
    from labelkit.formats import voc_build

    n = len(values) // width * width or width
    instances = np.resize(np.array(values, dtype=np.int64), n).astype(dtype).reshape(-1, width)
    present = raster.distinct(instances)
    for wanted in (present, present[:2]):  # (one pass, and a mask each for a few)
        expected = {v: raster.mask_to_rle(instances == v) for v in wanted}
        assert voc_build._instance_rles(instances, wanted) == expected


def test_png_instances_are_not_encoded_a_whole_image_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # encoding ``instances == value`` for each of an image's 250 instances encoded the image 250 times
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="p", media=Media(width=100, height=100)))
    for k in range(50):
        x, y = float(k % 10 * 10), float(k // 10 * 20)
        ring = [x, y, x + 8, y, x + 8, y + 15]
        ds.add(Object(id=str(k + 1), item_id="p", category_id=1, shape="polygon", bbox=(x, y, 8, 15), polygon=[ring]))
    labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    encoded: list[Any] = []
    encode = raster.mask_to_rle

    def counted(mask: Any) -> dict[str, Any]:
        encoded.append(mask)
        return encode(mask)

    monkeypatch.setattr(raster, "mask_to_rle", counted)
    back = labelkit.load(tmp_path / "o", "voc")
    assert sum(o.mask is not None for o in back.objects()) == 50 and not encoded


def test_png_instances_are_read_one_mask_at_a_time(tmp_path: Path) -> None:
    # a mask per instance made at once held 250 image-sized masks (1.5 GB for a 2000x1500 image), and one per
    # class painted more: the peak of reading an image of 200 instances of 50 classes stays a few images' worth
    import tracemalloc

    side, count = 400, 200
    ds = Dataset(categories=[Category(id=c, name=f"c{c}") for c in range(1, 51)])
    ds.add_item(Item(id="p", media=Media(width=side, height=side)))
    for k in range(count):
        x, y = float(k % 20 * 20), float(k // 20 * 40)
        ring = [x, y, x + 15, y, x + 15, y + 30, x, y + 30]
        box = (x, y, 15.0, 30.0)
        ds.add(Object(id=str(k + 1), item_id="p", category_id=1 + k % 50, shape="polygon", bbox=box, polygon=[ring]))
    labelkit.save(ds, tmp_path / "o", "voc", masks="all")
    labelkit.load(tmp_path / "o", "voc")  # (the modules it imports first, not traced)
    tracemalloc.start()
    try:
        back = labelkit.load(tmp_path / "o", "voc")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(o.mask is not None for o in back.objects()) == count
    assert peak < 20 * side * side  # (200 boolean masks: 200 * side * side bytes; 50 classes' masks: 50 * ...)


@pytest.mark.parametrize(
    ("name", "odd", "message"),
    [
        ("labelmap.txt", "link", "cannot read: a symbolic link to no file"),
        ("labelmap.txt", "fifo", "cannot read: not a regular file"),
        ("ImageSets/Main/train.txt", "fifo", "cannot read: not a regular file"),
        ("ImageSets/Main/train.txt", "link", "cannot read: a symbolic link to no file"),
        ("Annotations/2007_000001.xml", "fifo", "cannot read: not a regular file"),
        ("Annotations/2007_000001.xml", "link", "cannot read: No such file or directory"),
    ],
)
def test_a_labelmap_or_list_that_is_no_file_is_an_error_naming_it(
    tmp_path: Path, name: str, odd: str, message: str
) -> None:
    """A labelmap.txt that is a link to no file (a DVC or git-annex checkout whose cache lacks it) or a FIFO was
    passed over (its colours and classes lost unsaid); an ImageSets list that is a FIFO was read as empty, and
    its images lost their split unsaid. An annotation XML that is a FIFO was read as empty too (``invalid XML: no
    element found``)."""
    import os

    if odd == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    (root / name).unlink(missing_ok=True)
    if odd == "link":
        (root / name).symlink_to(root / "annex/objects/gone")
    else:
        os.mkfifo(root / name)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / name) and err.value.message == message


@pytest.mark.parametrize("name", ["ImageSets/Main", "ImageSets", "SegmentationClass", "SegmentationObject"])
def test_a_file_where_voc_has_a_folder_is_an_error_naming_it(tmp_path: Path, name: str) -> None:
    """ImageSets/Main as a file was passed over: every split and image-level label was lost unsaid, and validate
    said ok (found by fuzzing); a segmentation folder as a file lost its masks so."""
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    if (root / name).exists():
        shutil.rmtree(root / name)
    (root / name).write_text("x")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.message) == (
        str(root / name),
        "cannot read: not a folder, where VOC's layout has one",
    )
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert (result.exit_code, result.output) == (
        1,
        f"{root / name}: cannot read: not a folder, where VOC's layout has one\n",
    )


# -- items named after their images (VOC's loaders open JPEGImages/<id>.jpg) ---------------------------------------

_STEM_REASON = (
    "VOC's loaders (torchvision, mmdetection) open Annotations/<id>.xml and JPEGImages/<id>.jpg: an item is named "
    "after its image's file name without extension ('a.jpg' as 'a'), and reads back with that id, unless another "
    "item's name is the same (in any case) or VOC cannot hold it"
)


def _coco_folder(root: Path, images: list[tuple[int, str]]) -> Path:
    """A COCO folder of one instances file: an image (id, file_name) of 10 x 5 with one box each, and the images."""
    (root / "annotations").mkdir(parents=True)
    doc = {
        "images": [{"id": i, "file_name": name, "width": 10, "height": 5} for i, name in images],
        "annotations": [
            {"id": k, "image_id": i, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
            for k, (i, _) in enumerate(images, 1)
        ],
        "categories": [{"id": 1, "name": "cat"}],
    }
    (root / "annotations/instances_train.json").write_text(json.dumps(doc))
    for _, name in images:
        (root / "images" / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (10, 5)).save(root / "images" / name)
    return root


def test_coco_to_voc_names_items_after_their_images_as_voc_loaders_open_them(tmp_path: Path) -> None:
    """COCO's image ids named the XML files and list lines (Annotations/5.xml beside JPEGImages/a.jpg): torchvision's
    VOCDetection and mmdetection's VOCDataset open JPEGImages/5.jpg and found no image."""
    src = _coco_folder(tmp_path / "coco", [(5, "a.jpg"), (9, "train2017/000000000009.jpg")])
    out = tmp_path / "o"
    media = {"media": "copy", "media_root": str(src / "images")}
    planned = labelkit.convert(src, out, "voc", dry_run=True, **media)
    report = labelkit.convert(src, out, "voc", **media)
    expected = ("item ids", 2, _STEM_REASON)
    assert [(c.what, c.count, c.reason) for c in planned.transformed][0] == expected
    assert [(c.what, c.count, c.reason) for c in report.transformed][0] == expected
    assert report.lost == [] and planned.lost == []
    assert _written(out) == [
        "Annotations/000000000009.xml",
        "Annotations/a.xml",
        "ImageSets/Main/train.txt",
        "JPEGImages/000000000009.jpg",
        "JPEGImages/a.jpg",
        "labelmap.txt",
    ]
    assert (out / "ImageSets/Main/train.txt").read_text() == "a\n000000000009\n"
    back = labelkit.load(out, "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [
        ("a", "JPEGImages/a.jpg"),
        ("000000000009", "JPEGImages/000000000009.jpg"),
    ]
    assert "voc:@ids" not in back.info.extras  # (every XML is its image's name)


def test_yolo_to_voc_names_items_after_their_images(tmp_path: Path) -> None:
    """YOLO's id of images/train/sub/b.png is sub/b: it was Annotations/sub/b.xml, listed as sub/b."""
    report = labelkit.convert(FIXTURES / "yolo/golden/detect", tmp_path / "o", "voc", allow_loss=True)
    assert ("item ids", 1, _STEM_REASON) in [(c.what, c.count, c.reason) for c in report.transformed]
    assert sorted(p.name for p in (tmp_path / "o/Annotations").iterdir()) == ["a.xml", "b.xml", "c.xml"]
    assert not [p for p in (tmp_path / "o/Annotations").iterdir() if p.is_dir()]
    assert (tmp_path / "o/ImageSets/Main/train.txt").read_text() == "a\nb\n"


def test_voc_to_voc_keeps_ids_whose_xml_names_another_image(tmp_path: Path) -> None:
    """An XML whose <filename> is not its own name is read with the XML's name for id: VOC -> VOC (and through
    labelkit JSON) writes it back under that name, not its image's."""
    src = tmp_path / "voc"
    (src / "Annotations").mkdir(parents=True)
    (src / "Annotations/img1.xml").write_text(
        "<annotation><filename>photo.jpg</filename><size><width>4</width><height>3</height><depth>3</depth></size>"
        "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"
        "</annotation>"
    )
    ds = labelkit.load(src, "voc")
    assert [i.id for i in ds.items()] == ["img1"] and ds.info.extras == {"voc:@ids": True}
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert "item ids" not in [c.what for c in report.transformed]
    assert sorted(p.name for p in (tmp_path / "o/Annotations").iterdir()) == ["img1.xml"]
    labelkit.convert(src, tmp_path / "j.json", "labelkit")
    labelkit.convert(tmp_path / "j.json", tmp_path / "o2", "voc")
    assert sorted(p.name for p in (tmp_path / "o2/Annotations").iterdir()) == ["img1.xml"]


def _items_of_images(paths: dict[str, str | None]) -> Dataset:
    """An item (id -> image path) of one box each, split train, of 8 x 6 images."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for n, (item_id, path) in enumerate(paths.items()):
        ds.add_item(Item(id=item_id, media=Media(path=path, width=8, height=6), split="train"))
        ds.add(Object(id=str(n), item_id=item_id, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    return ds


@pytest.mark.parametrize("reverse", [False, True])
def test_items_whose_image_names_are_alike_keep_their_ids_in_any_order(reverse: bool, tmp_path: Path) -> None:
    """x/a.jpg and y/a.jpg (and Q.jpg beside q.png, one name on macOS and Windows) would name one file: neither is
    named after its image, whichever comes first; an image name that is another item's id is not taken either."""
    paths = {"1": "x/a.jpg", "2": "y/a.jpg", "3": "Q.jpg", "4": "q.png", "5": "k.jpg", "6": "5.jpg", "k": "m.jpg"}
    items = list(paths.items())[::-1] if reverse else list(paths.items())
    report = labelkit.save(_items_of_images(dict(items)), tmp_path / "o", "voc")
    # (6's image 5.jpg is item 5's id; 5's image k.jpg is item k's id; k is named after its image m.jpg)
    assert sorted(p.name for p in (tmp_path / "o/Annotations").iterdir()) == [
        "1.xml",
        "2.xml",
        "3.xml",
        "4.xml",
        "5.xml",
        "6.xml",
        "m.xml",
    ]
    assert ("item ids", 1, _STEM_REASON) in [(c.what, c.count, c.reason) for c in report.transformed]


def test_an_image_name_voc_cannot_hold_keeps_the_item_id(tmp_path: Path) -> None:
    """Names a loader or Windows cannot take (a device, a hidden name, more than one word, a backslash) or of an
    item with no image, or whose id is no ImageSets line, are not taken: the items keep their ids."""
    paths = {
        "1": "con.jpg",
        "2": "x/.hidden.jpg",
        "3": "a b.jpg",
        "4": "c\\d.jpg",
        "5": None,
        "6 7": "six.jpg",
        "8": "caf\u00e9.jpg",
    }
    report = labelkit.save(_items_of_images(paths), tmp_path / "o", "voc", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "o/Annotations").iterdir()) == [
        "1.xml",
        "2.xml",
        "3.xml",
        "4.xml",
        "5.xml",
        "6 7.xml",
        "caf\u00e9.xml",
    ]
    assert ("item ids", 1, _STEM_REASON) in [(c.what, c.count, c.reason) for c in report.transformed]


def test_the_item_ids_entry_counts_both_renamings_in_one(tmp_path: Path) -> None:
    """An id written as a plain relative path ('a\\b' as 'a/b') and one named after its image are one entry."""
    ds = _items_of_images({"a\\b": None, "7": "seven.jpg"})
    planned = labelkit.plan(ds, "voc")
    report = labelkit.save(ds, tmp_path / "o", "voc")
    reason = (
        f"{_STEM_REASON}. Otherwise, Pascal VOC names an item's files after its id: written as a plain relative path "
        "('a\\b' as 'a/b', './x' as 'x')"
    )
    for r in (planned, report):
        assert [(c.what, c.count, c.reason) for c in r.transformed if c.what == "item ids"] == [("item ids", 2, reason)]
    assert _written(tmp_path / "o") == [
        "Annotations/a/b.xml",
        "Annotations/seven.xml",
        "ImageSets/Main/train.txt",
        "labelmap.txt",
    ]
    assert (tmp_path / "o/ImageSets/Main/train.txt").read_text() == "a/b\nseven\n"


def test_stem_names_in_bulk_are_the_per_item_check() -> None:
    """The column-at-a-time names (plain ASCII told by pattern) agree with stem_ok asked of each name."""
    import pyarrow as pa

    from labelkit.formats.voc_names import image_stems, stem_names, stem_ok

    stems = ["a", "b.c", "con", "Con.x", "com0", "x-1_2+3", "a.", "a..b", "lpt9", "\u00e9", "-", "_a", "9" * 260]
    paths = [f"d/{s}.jpg" for s in stems]
    ids = [f"i{n}" for n in range(len(stems))]
    got = stem_names(pa.chunked_array([ids], pa.string()), ids, pa.chunked_array([paths], pa.string()))
    assert image_stems(pa.array(paths)).to_pylist() == stems
    assert got == [s if stem_ok(s) else None for s in stems]
    assert got[:5] == ["a", "b.c", None, None, "com0"]


def test_an_image_in_a_folder_below_jpegimages_names_its_item_with_that_folder(tmp_path: Path) -> None:
    """An image read from another format below ``JPEGImages/`` in a folder of its own (a COCO ``file_name`` of
    ``JPEGImages/sub/a.jpg``) is written where it is, ``JPEGImages/sub/a.jpg`` (``<filename>sub/a.jpg``), but its
    item was named ``a`` (``Annotations/a.xml``, listed as ``a``): VOC's loaders, opening ``JPEGImages/a.jpg``,
    found no image. It is named ``sub/a``, so every listed id has ``Annotations/<id>.xml`` and
    ``JPEGImages/<id>.jpg``; two such images of one name in two folders are both named so. An image elsewhere is
    still written to ``JPEGImages/`` by its base name; a folder VOC cannot hold (``.hidden``) keeps the id, and its
    image is named after it, ``JPEGImages/6.jpg``, where the loaders look."""
    names = ["JPEGImages/sub/a.jpg", "JPEGImages/s1/c.jpg", "JPEGImages/s2/c.jpg", "JPEGImages/b.jpg", "other/d.jpg"]
    src = _coco_folder(tmp_path / "coco", [(n, name) for n, name in enumerate([*names, "JPEGImages/.hidden/e.jpg"], 1)])
    out = tmp_path / "o"
    media = {"media": "copy", "media_root": str(src / "images")}
    planned = labelkit.convert(src, out, "voc", dry_run=True, **media)
    report = labelkit.convert(src, out, "voc", **media)
    for r in (planned, report):
        assert [(c.what, c.count) for c in r.transformed][:3] == [
            ("item ids", 5),
            ("image file names", 1),
            ("item image paths", 1),
        ]
    ids = ["sub/a", "s1/c", "s2/c", "b", "d", "6"]
    assert (out / "ImageSets/Main/train.txt").read_text() == "".join(f"{i}\n" for i in ids)
    for i in ids:  # (as the loaders open them)
        assert (out / f"Annotations/{i}.xml").is_file() and (out / f"JPEGImages/{i}.jpg").is_file()
    assert "<filename>sub/a.jpg</filename>" in (out / "Annotations/sub/a.xml").read_text()
    assert not (out / "JPEGImages/.hidden").exists()
    back = labelkit.load(out, "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [
        ("sub/a", "JPEGImages/sub/a.jpg"),
        ("s1/c", "JPEGImages/s1/c.jpg"),
        ("s2/c", "JPEGImages/s2/c.jpg"),
        ("b", "JPEGImages/b.jpg"),
        ("d", "JPEGImages/d.jpg"),
        ("6", "JPEGImages/6.jpg"),
    ]


def test_images_not_named_id_jpg_are_noted_as_what_voc_loaders_do_not_find(tmp_path: Path) -> None:
    """VOC's loaders open ``JPEGImages/<id>.jpg``: an image named otherwise (``c.png``, ``D.JPG``) is written as it
    is, with a note saying they will not find it (a plan says so too); a ``.jpg`` image is not counted."""
    images = [
        {"id": 1, "file_name": "c.png", "width": 4, "height": 4},
        {"id": 2, "file_name": "b.jpg", "width": 4, "height": 4},
        {"id": 3, "file_name": "D.JPG", "width": 4, "height": 4},
    ]
    doc = {"images": images, "categories": [{"id": 1, "name": "cat"}], "annotations": []}
    (tmp_path / "in.json").write_text(json.dumps(doc))
    ds = labelkit.load(tmp_path / "in.json")
    note = (
        "2 images are not named <id>.jpg ('D.JPG' first): VOC's loaders (the devkit, torchvision's VOCDetection, "
        "mmdetection's VOCDataset) open JPEGImages/<id>.jpg and do not find them; labelkit reads an image by its "
        "<filename>"
    )
    assert note in labelkit.plan(ds, "voc").notes
    assert note in labelkit.save(ds, tmp_path / "out", "voc").notes
    assert sorted(p.name for p in (tmp_path / "out/Annotations").iterdir()) == ["D.xml", "b.xml", "c.xml"]
    doc["images"] = [images[1]]
    (tmp_path / "jpg.json").write_text(json.dumps(doc))
    assert not any("<id>.jpg" in n for n in labelkit.plan(labelkit.load(tmp_path / "jpg.json"), "voc").notes)


def test_an_item_keeping_its_id_gets_its_image_named_after_it_where_voc_loaders_look(tmp_path: Path) -> None:
    """An item from COCO keeps its image id where VOC cannot hold its image's name (``x y.jpg``, ``.h.jpg``,
    ``#a.jpg``) or another item's image has its stem (``a.jpg`` beside ``a.png``). It was listed by its id while
    its image was copied under its own name: VOC's loaders, opening ``JPEGImages/<id>.jpg``, found none of them,
    and the note on images not named ``<id>.jpg`` counted only ``a.png``. Such an image is now named after its
    item, as images of one name are (``1.jpg``, ``5.png``), and reported so. Not an image two items share (copied
    once, named as it was), nor the image of an item in no list (an id of two words, which no loader looks for)."""
    names = ["x y.jpg", ".h.jpg", "#a.jpg", "a.jpg", "a.png", "ok.jpg", "s.jpg"]
    src = _coco_folder(tmp_path / "coco", list(enumerate(names, 1)))
    doc = json.loads((src / "annotations/instances_train.json").read_text())
    doc["images"].append({"id": 8, "file_name": "s.jpg", "width": 10, "height": 5})  # (s.jpg's second item)
    doc["annotations"].append({"id": 8, "image_id": 8, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0})
    (src / "annotations/instances_train.json").write_text(json.dumps(doc))
    out = tmp_path / "o"
    media = {"media": "copy", "media_root": str(src / "images")}
    planned = labelkit.convert(src, out, "voc", dry_run=True, **media)
    report = labelkit.convert(src, out, "voc", **media)
    for r in (planned, report):
        assert [(c.what, c.count) for c in r.transformed if c.what == "image file names"] == [("image file names", 5)]
        assert [n for n in r.notes if "<id>.jpg" in n] == [  # 5.png, and s.jpg of items 7 and 8
            "2 images are not named <id>.jpg ('5.png' first): VOC's loaders (the devkit, torchvision's VOCDetection, "
            "mmdetection's VOCDataset) open JPEGImages/<id>.jpg and do not find them; labelkit reads an image by "
            "its <filename>"
        ]
    listed = (out / "ImageSets/Main/train.txt").read_text().split()
    assert listed == ["1", "2", "3", "4", "5", "ok", "7", "8"]
    assert sorted(p.name for p in (out / "JPEGImages").iterdir()) == [
        "1.jpg",
        "2.jpg",
        "3.jpg",
        "4.jpg",
        "5.png",
        "ok.jpg",
        "s.jpg",
    ]
    assert "<filename>1.jpg</filename>" in (out / "Annotations/1.xml").read_text()
    back = labelkit.load(out, "voc")
    assert [(i.id, i.media.path) for i in back.items()][:5] == [
        (str(n), f"JPEGImages/{n}.jpg") for n in range(1, 5)
    ] + [("5", "JPEGImages/5.png")]
    # without the images written (media=none), <filename> is all that says which image an item's labels are of: the
    # image keeps its name, and the note counts it
    bare = labelkit.convert(src, tmp_path / "bare", "voc")
    assert [c.what for c in bare.transformed if c.what == "image file names"] == []
    assert "<filename>x y.jpg</filename>" in (tmp_path / "bare/Annotations/1.xml").read_text()
    assert [n.partition(" (")[0] for n in bare.notes if "<id>.jpg" in n] == ["6 images are not named <id>.jpg"]
    # a VOC folder read keeps its names as read, one whose XML names another image too: VOC -> VOC names no image anew
    shutil.copytree(tmp_path / "bare", tmp_path / "read")
    (tmp_path / "read/JPEGImages").mkdir()
    shutil.copy(src / "images/x y.jpg", tmp_path / "read/JPEGImages/x y.jpg")
    for xml in (tmp_path / "read/Annotations").iterdir():
        if xml.name != "1.xml":
            xml.unlink()
    (tmp_path / "read/ImageSets/Main/train.txt").write_text("1\n")
    again = labelkit.convert(
        tmp_path / "read", tmp_path / "again", "voc", media="copy", media_root=str(tmp_path / "read")
    )
    assert [c.what for c in again.transformed if c.what == "image file names"] == []
    assert [p.name for p in (tmp_path / "again/JPEGImages").iterdir()] == ["x y.jpg"]
    # an item whose id is no ImageSets line is listed nowhere, images written or not: its image keeps its name
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="p q", split="train", media=Media(path="x y.jpg", width=10, height=5)))
    report = labelkit.save(ds, tmp_path / "two-words", "voc", allow_loss=True, **media)
    assert [c.what for c in report.transformed if c.what == "image file names"] == []
    assert "<filename>x y.jpg</filename>" in (tmp_path / "two-words/Annotations/p q.xml").read_text()
    assert [p.name for p in (tmp_path / "two-words/JPEGImages").iterdir()] == ["x y.jpg"]


def test_namespaced_names_are_spelled_as_elementtree_spells_them(tmp_path: Path) -> None:
    """Expat gives a namespaced name as ``uri}name``; ElementTree's parser spells it ``{uri}name``, and so does the
    reader, whose parser hands element events straight to the C tree builder (a file with a namespace is parsed
    again the full way)."""
    xml = (
        '<annotation xmlns:p="urn:p"><filename>a.jpg</filename><p:extra p:k="1"/>'
        f'<object><name xml:lang="en">a</name>{_BOX}</object></annotation>'
    )
    root = voc_parse.parse_xml(xml.encode(), tmp_path / "a.xml")
    assert [(n.tag, n.attrib) for n in root.iter()][2:4] == [
        ("{urn:p}extra", {"{urn:p}k": "1"}),
        ("object", {}),
    ]
    item = voc_parse.parse_annotation(xml.encode(), tmp_path / "a.xml")
    assert item.unread == ["name@{http://www.w3.org/XML/1998/namespace}lang", "annotation/{urn:p}extra"]
    assert item.objects[0]["name"] == "a"
    attribute = f'<annotation><object><name xml:lang="en">a</name>{_BOX}</object></annotation>'  # (xml: is bound)
    item = voc_parse.parse_annotation(attribute.encode(), tmp_path / "a.xml")
    assert item.unread == ["name@{http://www.w3.org/XML/1998/namespace}lang"]
    default = '<annotation xmlns="urn:x"><filename>a.jpg</filename></annotation>'
    for data in (default.encode(), default.encode("utf-16")):
        with pytest.raises(InputError) as err:
            voc_parse.parse_annotation(data, tmp_path / "a.xml")
        assert (err.value.message, err.value.location.element) == (
            "root element must be <annotation>",
            "{urn:x}annotation",
        )


def _object_variants() -> list[str]:
    """``<object>`` bodies: the usual one, and each way of being another (read the full way)."""
    corners = {"xmin": "1", "ymin": "2", "xmax": "5", "ymax": "6"}

    def box(**values: str) -> str:
        return "<bndbox>" + "".join(f"<{t}>{v}</{t}>" for t, v in {**corners, **values}.items()) + "</bndbox>"

    fields = ["<name>cat</name>", "<pose>Left</pose>", "<truncated>1</truncated>", "<difficult>0</difficult>"]
    fields += ["<occluded>1</occluded>", box()]
    out = ["".join(fields), "".join(fields[::-1]), "<name>a</name>" + box(), "<name/><pose/><truncated/>" + box()]
    for i, field in enumerate(fields):
        out += ["".join(fields[:i] + fields[i + 1 :]), "".join([*fields, field])]  # missing, repeated
        out.append("".join(fields).replace(field, field.replace(">", ' a="1">', 1)))  # an XML attribute
    for tag in ("truncated", "difficult", "occluded"):
        for value in ("", " 1 ", "-1", "2", "1.0", "0.5", "x", "1_0", "+1", "1" * 20, "<v/>", "1<v/>", "<v>1</v>"):
            out.append("".join(fields).replace(f"<{tag}>{'0' if tag == 'difficult' else '1'}<", f"<{tag}>{value}<"))
    for tag in corners:
        for value in ("", " 3 ", "1.5", "0.1", "77.6840601509805", "x", "nan", "inf", "1e309", "-9", "1_0", "<v/>"):
            out.append("".join(fields[:-1]) + box(**{tag: value}))
        out.append("".join(fields[:-1]) + box().replace(f"<{tag}>", f'<{tag} a="1">'))
        out.append("".join(fields[:-1]) + box().replace(f"<{tag}>", f"<{tag}><v/>"))
        out.append("".join(fields[:-1]) + box().replace("</bndbox>", f"<{tag}>3</{tag}></bndbox>"))
        out.append("".join(fields[:-1]) + box().replace(f"<{tag}>{corners[tag]}</{tag}>", ""))
        out.append("".join(fields[:-1]) + box(**{tag: "3<v/>"}))  # (an element after the number)
        for other in ("angle", "xmax" if tag == "xmin" else "xmin"):  # (four elements, not the four corners)
            out.append("".join(fields[:-1]) + box().replace(f"<{tag}>{corners[tag]}</{tag}>", f"<{other}>3</{other}>"))
    out.append("".join(fields[:-1]) + box(xmin="1.7e308", xmax="-1.7e308"))
    out.append("".join(fields[:-1]) + box().replace("</bndbox>", "<angle>3</angle></bndbox>"))
    out.append("".join(fields[:-1]) + box().replace("<bndbox>", "<bndbox><!--c-->"))
    extra = ["<extra/>", "<name>c<i>a</i>t</name>", _PART, f"<attributes>{_attribute('k', '3')}</attributes>"]
    extra += ["<actions><jumping>1</jumping></actions>", "<point><x>1</x><y>2</y></point>", "<!--c-->", "<?pi x?>"]
    out += ["".join(fields) + e for e in extra]
    return out


def test_objects_of_any_other_shape_are_read_as_the_full_reader_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual object (name, pose, flags, a box: no XML attribute, nothing else) is read in one pass; any
    other is read the full way. Both give the same item, unread elements, errors (message and element)."""

    def read(xml: str) -> Any:
        try:
            item = voc_parse.parse_annotation(xml.encode(), tmp_path / "a.xml")
        except InputError as exc:
            return (exc.message, exc.location.element, exc.found)
        return (item.objects, item.unread)

    variants = _object_variants()
    docs = [
        f"<annotation><object>{v}</object><object{a}>{v}</object></annotation>"
        for v in variants
        for a in ("", ' a="1"')
    ]
    fast = [read(doc) for doc in docs]
    monkeypatch.setattr(voc_parse, "_plain_object", lambda node, *_: None)
    assert fast == [read(doc) for doc in docs]
    assert len({repr(r) for r in fast}) > len(variants) // 2  # (they differ: the variants reach the checks)


def test_the_usual_object_is_read_in_one_pass_with_its_values() -> None:
    """The usual object's dict, as the full reader gives it: pose, flags, occluded, corners that do not come back."""
    xml = (
        "<object><name> cat </name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>"
        "<occluded>0</occluded><bndbox><xmin>1</xmin><ymin>14.149463358668845</ymin><xmax>5</xmax>"
        "<ymax>77.6840601509805</ymax></bndbox></object>"
    )
    node = voc_parse.parse_xml(xml.encode(), Path("a.xml"))
    assert voc_parse._plain_object(node) == {
        "name": "cat",
        "bbox": G.voc_to_xywh(1.0, 14.149463358668845, 5.0, 77.6840601509805),
        "occluded": False,
        "extras": {
            "voc:pose": "Left",
            "voc:truncated": 1,
            "voc:@corners": [1.0, 14.149463358668845, 5.0, 77.6840601509805],
        },
        "attributes": {},
    }
    assert voc_parse._plain_object(node) == voc_parse._object(node, Path("a.xml"), "annotation/object[1]", [])


def test_an_image_named_by_filename_found_from_a_folder_listing_is_the_one_a_stat_finds(tmp_path: Path) -> None:
    """Whether ``<filename>`` is a file in ``JPEGImages/`` or the XML's folder is answered from one listing of
    each folder (not a stat per item, 118,287 of them at COCO-train scale): the same image, or none, as the stat
    found for a file, a link to one, a folder or a broken link of that name, a name in another case, a path
    through a sub-folder, one too long for the file system, and ``.``."""
    from labelkit.formats.yolo_listing import Listings

    root = tmp_path / "v"
    for folder in ("JPEGImages/sub", "Annotations/x", "JPEGImages/dir.jpg"):
        (root / folder).mkdir(parents=True)
    for name in ("JPEGImages/a.jpg", "JPEGImages/sub/b.jpg", "Annotations/c.jpg", "Annotations/x/d.jpg"):
        (root / name).touch()
    (root / "JPEGImages/link.jpg").symlink_to(root / "JPEGImages/a.jpg")
    (root / "JPEGImages/broken.jpg").symlink_to(root / "JPEGImages/none.jpg")
    names = ["a.jpg", "A.JPG", "sub/b.jpg", "c.jpg", "x/d.jpg", "d.jpg", "dir.jpg", "link.jpg", "broken.jpg"]
    names += ["none.jpg", "e" * 300 + ".jpg", ".", "sub//b.jpg"]
    found = {}
    files, listings = Listings(), {}
    finder = voc_images.ImageFinder(root)
    for name in names:
        for folder in (root / "Annotations", root / "Annotations/x"):
            by_stat = voc_images._find_image(root, folder, "item", name)
            assert voc_images._find_image(root, folder, "item", name, listings, files) == by_stat
            assert finder.relpath(folder, "item", name) == (by_stat and by_stat.relative_to(root).as_posix())
            found[name, folder.name] = by_stat and by_stat.relative_to(root).as_posix()
    if not sys.platform.startswith("linux"):  # (where A.JPG is a.jpg: the same answer, checked above)
        return
    assert {k: v for k, v in found.items() if v} == {
        ("a.jpg", "Annotations"): "JPEGImages/a.jpg",
        ("a.jpg", "x"): "JPEGImages/a.jpg",
        ("sub/b.jpg", "Annotations"): "JPEGImages/sub/b.jpg",
        ("sub/b.jpg", "x"): "JPEGImages/sub/b.jpg",
        ("c.jpg", "Annotations"): "Annotations/c.jpg",
        ("x/d.jpg", "Annotations"): "Annotations/x/d.jpg",
        ("d.jpg", "x"): "Annotations/x/d.jpg",
        ("link.jpg", "Annotations"): "JPEGImages/link.jpg",
        ("link.jpg", "x"): "JPEGImages/link.jpg",
        ("sub//b.jpg", "Annotations"): "JPEGImages/sub/b.jpg",
        ("sub//b.jpg", "x"): "JPEGImages/sub/b.jpg",
    }


def test_element_events_go_straight_to_the_tree_builder_only_from_elementtree_s_own_handlers() -> None:
    """The reader hands expat's element events to the C tree builder where they went through ``XMLParser``'s
    ``_start`` and ``_end``; a parser whose handlers are others (a defusedxml or Python to come) is left as it
    is, and parses as it would."""
    from xml.etree.ElementTree import TreeBuilder

    import defusedxml.ElementTree as DET

    parser = DET.DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
    assert voc_parse._direct(parser)
    assert (parser.parser.StartElementHandler, parser.parser.EndElementHandler) == (
        parser.target.start,
        parser.target.end,
    )
    assert not voc_parse._direct(parser)  # (its handlers are no longer XMLParser's own)
    other = DET.DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
    seen: list[str] = []
    other.parser.StartElementHandler = lambda tag, attrs: seen.append(tag)
    other.parser.EndElementHandler = lambda tag: seen.append(f"/{tag}")
    assert not voc_parse._direct(other)
    other.feed(b"<a><b/></a>")
    assert seen == ["a", "b", "/b", "/a"]


def test_a_filename_of_dot_is_refused_where_its_images_folder_is_a_file(tmp_path: Path) -> None:
    """``<filename>.</filename>`` (or ``./``) names ``JPEGImages/.``, which ``Path`` spells ``JPEGImages``: where that
    is a file (a PNG, or a link to one), the stat took it as the item's image, its size read from it (and the
    folder listing answering in its place was made to agree). Such a name is no image's, and is refused before any
    image is looked for, as the README says."""
    for name in (".", "./", "././"):
        for linked in (False, True):
            root = tmp_path / f"v{len(name)}{linked}"
            (root / "Annotations").mkdir(parents=True)
            (root / "Annotations/a.xml").write_text(
                f"<annotation><filename>{name}</filename><object><name>c</name>{_BOX}</object></annotation>"
            )
            Image.new("RGB", (7, 5)).save(root / "img.png")
            if linked:
                (root / "JPEGImages").symlink_to(root / "img.png")
            else:
                (root / "img.png").rename(root / "JPEGImages")
            with pytest.raises(InputError, match="names the images folder itself") as err:
                labelkit.load(root, format="voc")
            assert err.value.location.element == "annotation/filename"


def test_a_listing_asks_the_file_system_of_a_path_whose_last_part_is_a_dot_or_two(tmp_path: Path) -> None:
    """:class:`~labelkit.formats.yolo_listing.Listings` answers as ``Path.is_file``, ``is_dir`` and ``is_symlink``
    do; of ``f/.`` (``Path`` drops the ``.``: ``f``, a file) and ``d/..`` (the folder above, which no listing of
    ``d`` holds) it answered from the listing of ``f`` or ``d``: none, where the file system says a file or a
    folder."""
    from labelkit.formats.yolo_listing import Listings

    (tmp_path / "d").mkdir()
    (tmp_path / "f").touch()
    (tmp_path / "link").symlink_to(tmp_path / "f")
    names = ("f/.", "d/.", "d/..", "f/..", "link/.", "none/.", "d/./f", "d/../f")
    paths = [f"{tmp_path}{os.sep}{name}".replace("/", os.sep) for name in names]  # (as written: no Path drops a .)
    files = Listings()
    got = [(files.is_file(p), files.is_dir(p), files.file_or_link(p)) for p in paths]
    assert got == [(Path(p).is_file(), Path(p).is_dir(), Path(p).is_file() or Path(p).is_symlink()) for p in paths]
    assert got == [
        (True, False, True),
        (False, True, False),
        (False, True, False),
        (False, False, False),
        (True, False, True),
        (False, False, False),
        (False, False, False),
        (True, False, True),
    ]


_UNSEARCHABLE_SCRIPT = """
import json, sys
from pathlib import Path
import labelkit
from labelkit.errors import InputError
from labelkit.formats.yolo_listing import Listings
out = []
for root, name in ((Path(sys.argv[1]), "x.jpg"), (Path(sys.argv[2]), "sub/x.jpg")):
    try:
        [item] = labelkit.load(root, format="voc").items()
        out.append([item.media.path, item.media.width, item.media.height])
    except InputError as exc:
        out.append(str(exc))
    out.append(Listings().is_file(str(root / "JPEGImages" / name)))
print(json.dumps(out))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_image_in_a_folder_that_can_be_listed_but_not_searched_is_none_as_the_stat_said(tmp_path: Path) -> None:
    """A folder of mode 644 (as ``chmod -R 644`` leaves it) lists its names, with their kinds, but refuses a
    ``stat`` of any: ``is_file`` said no file, and the item had no image (the path its ``<filename>`` names, no
    size). The folder listing that answers in its place took the kind the listing gave: an image, whose header
    could not be read (an error naming it). Such a folder is asked each path, as before. Run where permissions
    hold: as root, in a process without the capabilities to override them (``setpriv``), else skipped."""
    import subprocess

    roots = [tmp_path / "v", tmp_path / "w"]
    for root, name in zip(roots, ("x.jpg", "sub/x.jpg"), strict=True):
        (root / "Annotations").mkdir(parents=True)
        (root / "Annotations/a.xml").write_text(f"<annotation><filename>{name}</filename></annotation>")
        (root / "JPEGImages/sub").mkdir(parents=True)
        Image.new("RGB", (7, 5)).save(root / "JPEGImages" / name, format="PNG")
    unsearchable = [roots[0] / "JPEGImages", roots[1] / "JPEGImages/sub"]
    command = [sys.executable, "-c", _UNSEARCHABLE_SCRIPT, *map(str, roots)]
    env = {**os.environ, "PYTHONPATH": str(Path(labelkit.__file__).parents[1])}
    try:
        for folder in unsearchable:
            folder.chmod(0o644)
        try:
            (roots[1] / "JPEGImages/sub/x.jpg").stat()
        except PermissionError:
            pass
        else:  # (root overrides permissions: without the capabilities in its bounding set, a child is held to them)
            if shutil.which("setpriv") is None:
                pytest.skip("permissions are not enforced for this user, and setpriv is not there to drop them")
            command[:0] = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    finally:
        for folder in unsearchable:
            folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        ["JPEGImages/x.jpg", None, None],
        False,
        ["JPEGImages/sub/x.jpg", None, None],
        False,
    ]


def test_objects_spelled_oddly_read_as_before_the_one_pass_reader(tmp_path: Path) -> None:
    """Cases tried against the reader from before the one-pass object and the direct tree builder (97aab50^),
    in a separate process, with these same results: a namespace declared and unused (no reparse, nothing
    unread), corners as a character reference, CDATA, an Arabic-Indic digit and spaced text, ``}`` in an
    attribute's value (not its name), Arabic-Indic and signed flags, ``xml:space`` on a corner, a flag of
    ``1.0``, and one past 64 bits."""
    box = "<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>6</ymax></bndbox>"
    bodies = [
        f'<object xmlns:p="urn:p"><name>c</name>{box}</object>',
        "<object><name>c</name><bndbox><xmin>&#x31;</xmin><ymin><![CDATA[2]]></ymin><xmax>\u0665</xmax>"
        "<ymax> 6 </ymax></bndbox></object>",
        f'<object><name a="}}">c</name>{box}</object>',
        f"<object><name>c</name><truncated>\u0661</truncated><difficult>+1</difficult>{box}</object>",
        '<object><name>c</name><bndbox><xmin xml:space="preserve">1</xmin><ymin>2</ymin><xmax>5</xmax>'
        "<ymax>6</ymax></bndbox></object>",
        f"<object><name>c</name><occluded>1.0</occluded>{box}</object>",
        f"<object><name>c</name><truncated>9223372036854775808</truncated>{box}</object>",
    ]

    def read(body: str) -> Any:
        try:
            item = voc_parse.parse_annotation(f"<annotation>{body}</annotation>".encode(), tmp_path / "a.xml")
        except InputError as exc:
            return (exc.message, exc.location.element, exc.found)
        return (item.objects, item.unread)

    def obj(**changes: Any) -> dict[str, Any]:
        return {"name": "c", "bbox": (0.0, 1.0, 5.0, 5.0), "occluded": None, "extras": {}, "attributes": {}, **changes}

    assert [read(body) for body in bodies] == [
        ([obj()], []),
        ([obj()], []),
        ([obj()], ["name@a"]),
        ([obj(extras={"voc:truncated": 1, "voc:difficult": 1})], []),
        ([obj()], ["xmin@{http://www.w3.org/XML/1998/namespace}space"]),
        ([obj(occluded=True)], []),
        ("<truncated> must be a whole number of 64 bits", "annotation/object[1]/truncated", "'9223372036854775808'"),
    ]


@pytest.mark.parametrize("masks", ["none", "auto"])
def test_a_standard_class_whose_objects_are_all_lost_still_comes_back(tmp_path: Path, masks: str) -> None:
    # VOC's own classes at their VOC index are written as VOC writes them, without labelmap.txt, when each
    # comes back through an object; 'person' here has only an object VOC cannot write (no box, no mask),
    # reported lost: the class itself is not, so it goes in labelmap.txt (it came back as no category)
    person = voc.VOC_CLASSES.index("person")
    ds = Dataset(categories=[Category(id=person, name="person")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=3)))
    ds.add(Object(id="o", item_id="1", category_id=person, shape="keypoints", keypoints=[1.0, 1.0, 2.0]))
    report = labelkit.save(ds, tmp_path / "voc", "voc", allow_loss=True, masks=masks)
    assert [(c.what, c.count) for c in report.lost] == [("objects without a box or mask", 1)]
    back = labelkit.load(tmp_path / "voc", format="voc")
    assert [(c.id, c.name) for c in back.categories] == [(person, "person")]
    assert (tmp_path / "voc" / "labelmap.txt").exists()
    # the same class with a box is written as VOC writes it: no labelmap.txt, the same id
    ds.add(Object(id="b", item_id="1", category_id=person, bbox=(0.0, 0.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "boxed", "voc", allow_loss=True, masks=masks)
    assert not (tmp_path / "boxed" / "labelmap.txt").exists()
    assert [(c.id, c.name) for c in labelkit.load(tmp_path / "boxed", format="voc").categories] == [(person, "person")]


def test_boxes_whose_corners_read_back_a_float_away_are_reported_transformed(tmp_path: Path) -> None:
    """VOC holds corners: a width of 163.72 beside ymin 192.01 has no ymax that reads back to it (the floats near
    354.73 are coarser than those near 163.72). Such boxes are counted transformed, by the plan and the write
    alike; a box of whole pixels is not, nor is one a VOC folder gave, written back as read."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(210.08, 191.01, 72.15, 163.72)))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    ds.add(Object(id="3", item_id="a", category_id=1, bbox=(10.5, 20.25, 30.0, 40.125)))
    said = [(c.what, c.count) for c in labelkit.plan(ds, "voc").transformed if c.what == "box coordinates"]
    assert said == [("box coordinates", 1)]
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in report.transformed if c.what == "box coordinates"] == said
    back = {o.id: o.bbox for o in labelkit.load(tmp_path / "o", "voc").objects()}
    assert sorted(back.values()) == sorted([(1.0, 2.0, 3.0, 4.0), (10.5, 20.25, 30.0, 40.125), back["1"]])
    assert back["1"] != (210.08, 191.01, 72.15, 163.72)
    assert np.allclose(back["1"], (210.08, 191.01, 72.15, 163.72), rtol=0, atol=1e-9)
    again = labelkit.save(labelkit.load(tmp_path / "o", "voc"), tmp_path / "again", "voc")
    assert [c.what for c in again.transformed if c.what == "box coordinates"] == []


def test_box_coordinates_count_only_the_boxes_written(tmp_path: Path) -> None:
    """An object lost whole (here of no known class) writes no corners: its box is not counted again among the box
    coordinates read back otherwise (the plan said 2, of one box written)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(210.08, 191.01, 72.15, 163.72)))
    ds.add(Object(id="2", item_id="a", category_id=None, bbox=(210.08, 191.01, 72.15, 163.72)))
    said = [(c.what, c.count) for c in labelkit.plan(ds, "voc").transformed if c.what == "box coordinates"]
    assert said == [("box coordinates", 1)]
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.transformed if c.what == "box coordinates"] == said
    back = [o.bbox for o in labelkit.load(tmp_path / "o", "voc").objects()]
    assert len(back) == 1 and back[0] != (210.08, 191.01, 72.15, 163.72)


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_an_image_of_unknown_size_read_back_with_its_pngs_size_is_reported(masks: str, tmp_path: Path) -> None:
    """An image of unknown size takes its PNGs' size from its first mask, and reads back of that size: the size
    came from nowhere, unsaid (a rewrite then wrote a <size> the first output did not have). One without a mask
    (no PNG), or of a known size, is not counted."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train"))
    ds.add_item(Item(id="v", media=Media(path="v.jpg"), split="train"))
    ds.add_item(Item(id="w", media=Media(path="w.jpg", width=8, height=6), split="train"))
    first = np.zeros((6, 8), dtype=bool)
    first[1:3, 1:4] = True
    for item in ("u", "w"):
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1.0, 1.0, 3.0, 2.0), mask=_rle(first)))
    ds.add(Object(id="v", item_id="v", category_id=1, bbox=(1.0, 1.0, 3.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "o", "voc", masks=masks)
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("images of unknown size", 1)]
    assert labelkit.plan(ds, "voc", masks=masks).transformed == report.transformed
    back = {i.id: (i.media.width, i.media.height) for i in labelkit.load(tmp_path / "o", "voc").items()}
    assert back == {"u": (8, 6), "v": (None, None), "w": (8, 6)}


@pytest.mark.parametrize("by", ["mask", "void"])
def test_an_image_of_unknown_size_too_large_to_paint_is_not_said_to_take_its_pngs_size(tmp_path: Path, by: str) -> None:
    """An image of unknown size whose first mask (or, without one, void region) is past 2**28 pixels gets no PNG:
    it reads back of no size, as it was, and is not reported to read back of its PNGs' size (the plan says what
    the write says: it said nothing of the mask the write reported lost); one sized by its void region was
    flagged ``<segmented>1</segmented>`` and listed in ImageSets/Segmentation with no PNG written, and lost its
    void region and its record of blank PNGs unsaid (as one of a known size too large did its void region)."""
    height, width = 16385, 16384
    big = {"height": height, "width": width, "runs": [0, 4, height * width - 4]}
    ds = Dataset(categories=[Category(id=1, name="cat")])
    meta = {"voc:void": big, "voc:blank_pngs": ["SegmentationClass"]} if by == "void" else {}
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train", metadata=meta))
    mask = {"size": (height, width), "counts": big["runs"]} if by == "mask" else None
    ds.add(Object(id="m", item_id="u", category_id=1, bbox=(0.0, 0.0, 1.0, 4.0), mask=mask))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert "images of unknown size" not in [c.what for c in report.transformed]
    # (the void region was lost unsaid; voc:void is the class PNG's and the object PNG's)
    lost = [("masks", 1)] if by == "mask" else [("segmentation void regions", 2), (voc_check_masks.BLANK_PNGS, 1)]
    assert [(c.what, c.count) for c in report.lost] == lost
    planned = labelkit.plan(ds, "voc")
    assert (planned.lost, planned.transformed) == (report.lost, report.transformed)
    assert "<segmented>1</segmented>" not in (tmp_path / "o/Annotations/u.xml").read_text()
    assert not (tmp_path / "o/ImageSets/Segmentation").exists()
    assert [(i.media.width, i.media.height) for i in labelkit.load(tmp_path / "o", "voc").items()] == [(None, None)]


def test_fields_of_image_labels_lost_whole_are_not_counted_again(tmp_path: Path) -> None:
    """Of three labels, one without a category and one repeating another on its image, VOC writes one: the report
    counted 3 scores, 3 provenance records, 3 attribute sets and the lost label's extra 'foo' lost besides."""
    from labelkit.model import Category, Dataset, Item, Label, Media, Provenance

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=40, height=30), split="train"))
    common: dict[str, Any] = {"score": 0.5, "attributes": {"x": 1}, "provenance": Provenance(annotator="x")}
    ds.add(Label(id="1", item_id="a", category_id=1, **common))
    ds.add(Label(id="2", item_id="a", category_id=1, **common))
    ds.add(Label(id="3", item_id="a", category_id=None, extras={"foo": 1}, **common))
    report = labelkit.plan(ds, "voc")
    assert sorted((x.what, x.count) for x in report.lost) == [
        ("image label attribute sets", 1),
        ("image labels repeated on an item", 1),
        ("image labels without a category", 1),
        ("label provenance records", 1),
        ("label scores", 1),
    ]


def test_a_plan_and_a_dry_run_note_fractional_corners_as_the_write_does(tmp_path: Path) -> None:
    """The write noted boxes of fractional VOC corners; a plan and a dry run, which promise the write's report
    but the written counts, did not."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=40, height=30), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.5, 2.0, 3.0, 4.0)))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    note = "1 boxes have fractional Pascal VOC corners, written exactly as decimals (not rounded)"
    assert note in labelkit.plan(ds, "voc").notes
    assert note in labelkit.save(ds, tmp_path / "dry", "voc", dry_run=True).notes
    assert labelkit.save(ds, tmp_path / "out", "voc").notes.count(note) == 1


def test_a_split_of_coco_to_voc_split_again_with_its_lockfile_keeps_every_split(tmp_path: Path) -> None:
    """The lockfile keys COCO's paths (``v0/i0.jpg``), the VOC output's are ``JPEGImages/v0/i0.jpg``: split again
    with it, every item was placed anew (a warning said none was in the lockfile), most moved, ``moved 0``."""
    images = [{"id": i + 1, "file_name": f"v{i % 3}/i{i}.jpg", "width": 64, "height": 48} for i in range(12)]
    annotations = [
        {"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 2, "bbox": [1, 2, 10, 12], "area": 120, "iscrowd": 0}
        for i in range(12)
    ]
    categories = [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}]
    doc = {"images": images, "annotations": annotations, "categories": categories}
    (tmp_path / "c.json").write_text(json.dumps(doc))
    lock = tmp_path / "lock.json"
    ratios = ["--ratios", "train=0.5,val=0.25,test=0.25", "--lock", str(lock)]
    first = CliRunner().invoke(cli, ["split", str(tmp_path / "c.json"), str(tmp_path / "o1"), "--to", "voc", *ratios])
    assert first.exit_code == 0, first.output
    made = json.loads(lock.read_text())
    again = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o2"), *ratios])
    assert again.exit_code == 0, again.output
    assert "placed 0 items; kept 0 existing; 12 from the lockfile, moved 0" in again.output
    assert "warning" not in again.output  # (found by the paths the lockfile says VOC wrote them to)
    for name in ("train", "val", "test"):
        assert (tmp_path / f"o2/ImageSets/Main/{name}.txt").read_text() == (
            tmp_path / f"o1/ImageSets/Main/{name}.txt"
        ).read_text()
    # a lockfile without them (written by the API's split, or before they were recorded): by base name
    written = made.pop("written")
    assert written == {f"JPEGImages/i{i}.jpg": split for i, split in enumerate(_splits_of(tmp_path / "o1"))}
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(made))
    again = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o3"), *ratios[:2], "--lock", bare])
    assert again.exit_code == 0, again.output
    assert "placed 0 items; kept 0 existing; 12 from the lockfile, moved 0" in again.output
    assert "warning: 12 items were found in the lockfile by their path without its split folder" in again.output


def _listed(root: Path, split: str) -> str:
    """The text of a VOC output's ``ImageSets/Main/<split>.txt`` (empty when there is none)."""
    path = root / f"ImageSets/Main/{split}.txt"
    return path.read_text() if path.exists() else ""


def _splits_of(root: Path) -> list[str]:
    """The split of each item ``i<n>`` of a VOC output, by n (from its ImageSets/Main lists)."""
    where = {int(line[1:]): name for name in ("train", "val", "test") for line in _listed(root, name).split()}
    return [where[n] for n in range(len(where))]


def test_a_split_to_voc_of_images_renamed_or_of_one_base_name_split_again_with_its_lockfile_keeps_them(
    tmp_path: Path,
) -> None:
    """VOC names images of one base name (``v0/a.jpg``, ``v1/a.jpg``) after their item ids (``JPEGImages/7.jpg``),
    and a lockfile may hold two keys of one base name (an image gone, another come): split again with the
    lockfile, such items were placed anew and most moved, saying ``moved 0``. The lockfile now records the paths
    VOC wrote them to."""
    names = [f"p{i}.jpg" for i in range(6)] + [f"v{i}/a.jpg" for i in range(4)]
    images = [{"id": i + 1, "file_name": name, "width": 64, "height": 48} for i, name in enumerate(names)]
    annotations = [
        {"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 2, "bbox": [1, 2, 10, 12], "area": 120, "iscrowd": 0}
        for i in range(len(names))
    ]
    categories = [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}]
    doc = {"images": images, "annotations": annotations, "categories": categories}
    (tmp_path / "c.json").write_text(json.dumps(doc))
    lists = ("train", "val", "test")
    for seed in range(3):
        lock = tmp_path / f"lock{seed}.json"
        args = ["--ratios", "train=0.5,val=0.3,test=0.2", "--seed", str(seed), "--lock", str(lock)]
        first = CliRunner().invoke(
            cli, ["split", str(tmp_path / "c.json"), str(tmp_path / f"a{seed}"), "--to", "voc", *args]
        )
        assert first.exit_code == 0, first.output
        assert sorted(p.name for p in (tmp_path / f"a{seed}/Annotations").iterdir())[:4] == [
            "10.xml",
            "7.xml",
            "8.xml",
            "9.xml",
        ]
        again = CliRunner().invoke(cli, ["split", str(tmp_path / f"a{seed}"), str(tmp_path / f"b{seed}"), *args])
        assert again.exit_code == 0, again.output
        assert "placed 0 items; kept 0 existing; 10 from the lockfile, moved 0" in again.output
        for name in lists:
            assert (tmp_path / f"b{seed}/ImageSets/Main/{name}.txt").read_text() == (
                tmp_path / f"a{seed}/ImageSets/Main/{name}.txt"
            ).read_text()
    # one base name under two keys: v0/a.jpg split first, then v1/a.jpg in its place
    lock = tmp_path / "shared.json"
    moved = 0
    for seed in range(6):
        lock.unlink(missing_ok=True)
        args = ["--method", "hash", "--ratios", "train=0.5,val=0.3,test=0.2", "--seed", str(seed), "--lock", str(lock)]
        for n, path in enumerate(("v0/a.jpg", "v1/a.jpg")):
            doc["images"] = [{"id": 1, "file_name": path, "width": 64, "height": 48}]
            doc["annotations"] = annotations[:1]
            (tmp_path / f"g{n}.json").write_text(json.dumps(doc))
            out = tmp_path / f"g{seed}-{n}"
            assert (
                CliRunner()
                .invoke(cli, ["split", str(tmp_path / f"g{n}.json"), str(out), "--to", "voc", *args])
                .exit_code
                == 0
            )
        again = CliRunner().invoke(cli, ["split", str(out), str(tmp_path / f"h{seed}"), *args])
        assert again.exit_code == 0, again.output
        assert "placed 0 items; kept 0 existing; 1 from the lockfile, moved 0" in again.output
        before = [name for name in lists if _listed(out, name) == "a\n"]
        after = [name for name in lists if _listed(tmp_path / f"h{seed}", name) == "a\n"]
        assert before == after
        moved += json.loads(lock.read_text())["assignments"]["v0/a.jpg"] != before[0]
    assert moved  # (the two keys' splits differ for some seeds: a lookup by base name could not tell them apart)


def test_mask_only_objects_past_the_254th_instance_value_are_lost_whole_and_counted_so(tmp_path: Path) -> None:
    """A mask-only object left no instance value (255 in a 16-bit object PNG, or 256 box-less masks) was written
    nowhere, while the report said a mask was lost and counted its object among those written to the PNGs."""
    root = tmp_path / "r"
    for folder in ("SegmentationObject", "SegmentationClass", "ImageSets/Segmentation"):
        (root / folder).mkdir(parents=True)
    values = np.array([[v for v in range(1, 257) if v != 255]], np.uint16)
    Image.fromarray(values).save(root / "SegmentationObject/a.png")
    Image.fromarray(np.full(values.shape, 8, np.uint8), "L").save(root / "SegmentationClass/a.png")
    (root / "ImageSets/Segmentation/train.txt").write_text("a\n")
    no_value = (
        "an instance PNG holds values 1 to 254: the i-th XML object's mask is value i, and masks without an XML "
        "object come after the image's XML objects: with no XML object, nothing of it is written"
    )
    report = labelkit.convert(root, tmp_path / "o", to="voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("objects", 1, no_value)]
    assert report.written["object annotations"] == 254 == len(list(labelkit.load(tmp_path / "o").objects()))
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=256, height=1)))
    for i in range(256):  # (box-less: written to the PNGs only)
        pixel = np.zeros((1, 256), dtype=bool)
        pixel[0, i] = True
        mask = Rle(size=(1, 256), counts=raster.mask_to_rle(pixel)["counts"])
        ds.add(Object(id=str(i + 1), item_id="a", category_id=1, mask=mask))
    report = labelkit.save(ds, tmp_path / "o2", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [("objects", 2, no_value)]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [
        ("item splits", 1),
        ("objects with a mask but no box", 254),
    ]
    assert len(list(labelkit.load(tmp_path / "o2").objects())) == 254


@pytest.mark.parametrize("to", ["coco", "yolo"])
def test_mask_only_objects_written_to_another_format_are_reported_transformed(tmp_path: Path, to: str) -> None:
    """A mask-only object (an object PNG instance no XML object has: CVAT's mask exports are all such) is an
    ordinary object with a box in COCO and YOLO, which a VOC write then makes an XML object: only a note said
    'voc:mask_only' was not kept. A class-only region that carries the flag too is lost as class-only, once."""
    base = _image_with_masks(_blob(slice(1, 3), slice(2, 5)), _blob(slice(0, 1), slice(0, 2)))
    ds = Dataset(categories=base.categories, items=list(base.items()))
    flags = [{"voc:mask_only": True}, {"voc:mask_only": True, "voc:semantic": True}]
    for obj, extras in zip(base.objects(), flags, strict=True):
        ds.add(obj.model_copy(update={"extras": extras}))
    report = labelkit.save(ds, tmp_path / "o", to, allow_loss=True, **({"task": "segment"} if to == "yolo" else {}))
    target = "COCO" if to == "coco" else "YOLO segment"
    assert [(c.what, c.count, c.reason) for c in report.transformed if "voc:" in c.what] == [
        (
            "object annotations' mask-only flags (voc:mask_only)",
            1,
            f"{target} has no object without a box: each is written with its mask's bounds as its box, an ordinary "
            "object (which a VOC write then makes an XML object, and a detector trains on)",
        )
    ]
    assert [(c.what, c.count) for c in report.lost if "voc:" in c.what] == [
        ("object annotations' class-only flags (voc:semantic)", 1)
    ]


@pytest.mark.parametrize("corner", [8, 12, 15])
def test_objects_of_the_pngs_alone_are_counted_in_the_order_a_reader_numbers_them(tmp_path: Path, corner: int) -> None:
    """An XML cat, a mask-only dog (instance 2) and a class-only region (class 8, 12 or 15): VOC -> VOC said
    '2 object ids' transformed, taking class-only regions first, where a reader numbers the objects the PNGs alone
    hold by their PNG value (instance 2 before class 8): they read back with the same ids."""
    root = tmp_path / "voc"
    for folder in ("Annotations", "SegmentationObject", "SegmentationClass", "ImageSets/Segmentation"):
        (root / folder).mkdir(parents=True)
    box = "<bndbox><xmin>2</xmin><ymin>2</ymin><xmax>3</xmax><ymax>3</ymax></bndbox>"
    (root / "Annotations/a.xml").write_text(
        f"<annotation><filename>a.jpg</filename><size><width>8</width><height>6</height><depth>3</depth></size>"
        f"<object><name>cat</name>{box}</object></annotation>"
    )
    instances = np.zeros((6, 8), dtype=np.uint8)
    instances[1:3, 1:3] = 1
    instances[3:6, 4:8] = 2
    classes = np.where(instances == 1, 8, np.where(instances == 2, 12, 0)).astype(np.uint8)
    classes[0, 0] = corner
    for folder, values in (("SegmentationObject", instances), ("SegmentationClass", classes)):
        im = Image.frombytes("P", (8, 6), values.tobytes())
        im.putpalette([v for rgb in voc.voc_palette() for v in rgb])
        im.save(root / folder / "a.png")
    (root / "ImageSets/Segmentation/train.txt").write_text("a\n")
    report = labelkit.convert(root, tmp_path / "o", to="voc")
    assert [c.what for c in report.transformed if c.what == "object ids"] == []

    def objects(folder: Path) -> list[tuple[str | None, int | None, Any]]:
        return [(o.id, o.category_id, (o.extras or {}).get("voc:semantic")) for o in labelkit.load(folder).objects()]

    assert objects(tmp_path / "o") == objects(root) and [i for i, _, _ in objects(root)] == ["1", "2", "3"]


def test_voc_to_voc_keeps_ids_whose_image_is_in_a_folder_below_jpegimages(tmp_path: Path) -> None:
    """``a.xml`` of ``<filename>images/a.jpg</filename>``: the reader compared ids with the image's base stem (``a``,
    the same: ids not marked kept), the writer names such an item ``images/a``: VOC -> VOC moved every XML into
    ``Annotations/images/`` and rewrote the lists, reporting 'item ids' transformed."""
    root = tmp_path / "v"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets/Main").mkdir(parents=True)
    for name in ("a", "b"):
        (root / f"Annotations/{name}.xml").write_text(
            f"<annotation><filename>images/{name}.jpg</filename><size><width>100</width><height>80</height>"
            "<depth>3</depth></size><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>10</xmax>"
            "<ymax>10</ymax></bndbox></object></annotation>"
        )
    (root / "ImageSets/Main/train.txt").write_text("a\nb\n")
    report = labelkit.convert(root, tmp_path / "out", to="voc")
    assert [c.what for c in report.transformed] == []
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")) == [
        "Annotations/a.xml",
        "Annotations/b.xml",
        "ImageSets/Main/train.txt",
    ]
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == "a\nb\n"
    assert "<filename>images/a.jpg</filename>" in (tmp_path / "out/Annotations/a.xml").read_text()


def test_two_xmls_of_one_image_keep_its_name_and_the_image_is_placed_once(tmp_path: Path) -> None:
    """a.xml and b.xml both of <filename>same.jpg</filename>: VOC -> VOC named them a.jpg and b.jpg, images that
    are not there, reporting 'images of one name (from other folders)'. One image of one split keeps its name (and
    is copied once); images of one name in two splits are still told apart, but for those of VOC's JPEGImages/
    (see test_two_xmls_of_one_image_in_two_splits_keep_its_name_and_one_file): COCO's `same.jpg` of train2017/ and
    of val2017/ (media_root's {split}) are two files."""
    import pyarrow

    root = tmp_path / "v"
    for folder in ("Annotations", "ImageSets/Main", "JPEGImages"):
        (root / folder).mkdir(parents=True)
    for name in ("a", "b"):
        (root / f"Annotations/{name}.xml").write_text(
            "<annotation><filename>same.jpg</filename><size><width>10</width><height>10</height><depth>3</depth>"
            "</size><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax>"
            "</bndbox></object></annotation>"
        )
    (root / "ImageSets/Main/train.txt").write_text("a\nb\n")
    Image.new("RGB", (10, 10)).save(root / "JPEGImages/same.jpg")
    for media in ("none", "copy"):
        out = tmp_path / media
        report = labelkit.convert(root, out, to="voc", media=media, media_root=str(root))
        assert [c.what for c in report.transformed] == []
        for name in ("a", "b"):
            assert "<filename>same.jpg</filename>" in (out / f"Annotations/{name}.xml").read_text()
        images = out / "JPEGImages"
        assert (sorted(p.name for p in images.iterdir()) if images.exists() else []) == (
            ["same.jpg"] if media == "copy" else []
        )
    ds = labelkit.load(root)  # (the same name in two splits: two images, each named after its item)
    items = ds.table("items")
    splits = pyarrow.array(["train", "val"])
    items = items.set_column(items.schema.get_field_index("path"), "path", pyarrow.array(["same.jpg"] * 2))
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", splits))
    report = labelkit.save(ds, tmp_path / "two", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [("image file names", 2)]
    assert "<filename>a.jpg</filename>" in (tmp_path / "two/Annotations/a.xml").read_text()


def test_an_empty_split_list_named_with_an_underscore_is_a_split(tmp_path: Path) -> None:
    """An empty ImageSets/Main/extra_1.txt read as class extra's list of split 1, empty: nothing, so a VOC -> VOC
    round trip lost the file. It is split extra_1's, written back empty, unless its name is a known class's list
    (cat_1.txt, cat an XML object's class; dog_1.txt, dog VOC's) or of a split another list is (bird_train.txt)."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/extra_1.txt": "",
        "Main/cat_1.txt": "",
        "Main/dog_1.txt": "",
        "Main/bird_train.txt": "",
        "Main/widget_val.txt": "b -1\n",
        "Main/widget_2.txt": "",
    }
    src = _voc_lists(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    assert ds.info.extras["voc:@empty_splits"] == ["extra_1"]
    assert sorted(c.name for c in ds.categories) == ["cat", "widget"]
    labelkit.save(ds, tmp_path / "out", "voc")
    assert (tmp_path / "out/ImageSets/Main/extra_1.txt").read_bytes() == b""
    assert labelkit.load(tmp_path / "out", "voc").info.extras["voc:@empty_splits"] == ["extra_1"]


def test_an_empty_split_list_is_written_back_empty(tmp_path: Path) -> None:
    """ImageSets/Main/test.txt naming no image (a test split to fill later) was not written back: a VOC -> VOC round
    trip lost the file, unsaid. It is written back empty, through labelkit JSON too; a split of that name with
    images, or in another case, is not given an empty list (nor is an extra naming no plain file)."""
    import pyarrow as pa

    lists = {"Main/train.txt": "a\n", "Main/val.txt": "b\n", "Main/test.txt": "", "Main/extra.txt": "# none\n"}
    src = _voc_lists(tmp_path / "src", lists)
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "val")]
    assert labelkit.save(ds, tmp_path / "out", "voc").lost == []
    assert sorted(p.name for p in (tmp_path / "out/ImageSets/Main").iterdir()) == [
        "extra.txt",
        "test.txt",
        "train.txt",
        "val.txt",
    ]
    assert (tmp_path / "out/ImageSets/Main/test.txt").read_bytes() == b""
    labelkit.convert(src, tmp_path / "ds.json", to="labelkit")
    labelkit.convert(tmp_path / "ds.json", tmp_path / "again", to="voc")
    assert (tmp_path / "again/ImageSets/Main/test.txt").read_bytes() == b""
    moved = labelkit.load(src, "voc")
    items = moved.table("items")
    moved.set_table(
        "items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["Test", "val"]))
    )
    moved.info.extras["voc:@empty_splits"] = [*moved.info.extras["voc:@empty_splits"], "../x", 3]
    labelkit.save(moved, tmp_path / "moved", "voc")
    main = tmp_path / "moved/ImageSets/Main"
    assert sorted(p.name for p in main.iterdir()) == ["Test.txt", "extra.txt", "val.txt"]
    assert (main / "Test.txt").read_text() == "a\n"


def test_two_xmls_of_one_image_in_two_splits_keep_its_name_and_one_file(tmp_path: Path) -> None:
    """VOC's splits share JPEGImages/: x.xml (train) and y.xml (val) both naming a.jpg name one image. It was taken
    for two images (one per split), each copied and named after its item (x.jpg, y.jpg), and the report said
    'images of one name (from other folders)'. It is one image, written once, named as read."""
    src = tmp_path / "src"
    (src / "JPEGImages").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(src / "JPEGImages/a.jpg")
    head = "<annotation><filename>a.jpg</filename><size><width>20</width><height>10</height><depth>3</depth></size>"
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    _voc_lists(src, {"Main/train.txt": "x\n", "Main/val.txt": "y\n"})
    for name in ("a", "b"):
        (src / f"Annotations/{name}.xml").unlink()
    for name, cls in (("x", "cat"), ("y", "dog")):
        (src / f"Annotations/{name}.xml").write_text(f"{head}<object><name>{cls}</name>{box}</object></annotation>")
    ds = labelkit.load(src, "voc")
    assert [(i.id, i.split, i.media.path) for i in ds.items()] == [
        ("x", "train", "JPEGImages/a.jpg"),
        ("y", "val", "JPEGImages/a.jpg"),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc", media="copy", media_root=src)
    assert [c.what for c in report.transformed] == []
    assert sorted(p.name for p in (tmp_path / "out/JPEGImages").iterdir()) == ["a.jpg"]
    for name in ("x", "y"):
        assert "<filename>a.jpg</filename>" in (tmp_path / f"out/Annotations/{name}.xml").read_text()
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.split, i.media.path) for i in back.items()] == [(i.id, i.split, i.media.path) for i in ds.items()]


def test_attribute_names_that_read_back_stripped_are_reported_and_never_repeated(tmp_path: Path) -> None:
    """Attributes 'a' and ' a' of one object were written as two <attribute>s, which the reader reads as one name
    repeated and refuses: labelkit wrote a VOC folder it could not read. The later is not written (reported lost),
    and a lone ' colour ', read back as 'colour', is reported transformed (it changed unsaid)."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 2, 2), attributes={"a": "x", " a": "y"}))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(1, 1, 2, 2), attributes={" colour ": "red"}))
    planned = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in planned.lost] == [
        ("object attributes whose name another's of the object is, read back stripped", 1)
    ]
    assert ("objects with attribute names that read back otherwise", 1) in [
        (c.what, c.count) for c in planned.transformed
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "out", "voc")
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [o.attributes for o in labelkit.load(tmp_path / "out", "voc").objects()] == [{"a": "x"}, {"colour": "red"}]


@pytest.mark.parametrize("case", ["ignored class last", "background class first"])
def test_a_class_named_as_a_stand_in_line_reads_back_as_itself(tmp_path: Path, case: str) -> None:
    """labelmap.txt of classes cat, dog and ignored (the void's colour), no background: VOC -> VOC wrote the
    background line Datumaro needs first, and the reader, one id short, took the last line, the class ignored, for
    the stand-in: it read back background, cat, dog, ids shifted, unsaid. A comment names the stand-in where the
    lines cannot tell; a class background first beside void pixels (the ignored line added) reads back too."""
    root = tmp_path / "in"
    for folder in ("Annotations", "JPEGImages", "ImageSets/Main", "SegmentationClass", "SegmentationObject"):
        (root / folder).mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "JPEGImages/a.jpg")
    last = "ignored:224,224,192::" if case == "ignored class last" else ""
    first = "background:0,0,0::\n" if case == "background class first" else ""
    (root / "labelmap.txt").write_text(f"{first}cat:128,0,0::\ndog:0,128,0::\n{last}\n")
    names = ["cat", "dog", "ignored"] if last else ["cat", "dog"]
    box = "<bndbox><xmin>{}</xmin><ymin>1</ymin><xmax>{}</xmax><ymax>5</ymax></bndbox>"
    objects = "".join(
        f"<object><name>{n}</name>{box.format(1 + 6 * k, 5 + 6 * k)}</object>" for k, n in enumerate(names)
    )
    (root / "Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>20</width><height>10</height><depth>3</depth></size>"
        f"<segmented>1</segmented>{objects}</annotation>"
    )
    instance = np.zeros((10, 20), np.uint8)
    semantic = np.zeros((10, 20, 3), np.uint8)
    colours = {"cat": (128, 0, 0), "dog": (0, 128, 0), "ignored": (224, 224, 192)}
    for k, n in enumerate(names):
        instance[0:5, 6 * k : 6 * k + 5] = k + 1
        semantic[0:5, 6 * k : 6 * k + 5] = colours[n]
    if not last:  # (void pixels: an ignored line added for Datumaro)
        semantic[8:10, 0:2] = (224, 224, 192)
        instance[8:10, 0:2] = 255
    Image.fromarray(instance, "L").save(root / "SegmentationObject/a.png")
    Image.fromarray(semantic, "RGB").save(root / "SegmentationClass/a.png")
    (root / "ImageSets/Main/train.txt").write_text("a\n")
    ds = labelkit.load(root, "voc")
    before = [(c.id, c.name) for c in ds.categories]
    assert before == list(enumerate(["background", "cat", "dog"] if first else names))
    labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(c.id, c.name) for c in back.categories] == before
    assert [o.category_id for o in back.objects() if o.bbox] == [o.category_id for o in ds.objects() if o.bbox]


def test_images_of_one_jpegimages_path_in_a_folder_per_split_stay_two(tmp_path: Path) -> None:
    """COCO files of train and val both naming JPEGImages/a.jpg, kept in a folder per split (-o media_root=
    .../{split}): two images. Taken for VOC's shared JPEGImages/, they were written as one (train's), unsaid.
    Only without a folder per split is a JPEGImages/ path one image for every split."""
    src = tmp_path / "in"
    (src / "annotations").mkdir(parents=True)
    for split, colour in (("train", (255, 0, 0)), ("val", (0, 0, 255))):
        (src / split / "JPEGImages").mkdir(parents=True)
        Image.new("RGB", (20, 20), colour).save(src / split / "JPEGImages/a.jpg")
        doc = {
            "images": [{"id": 1, "file_name": "JPEGImages/a.jpg", "width": 20, "height": 20}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0}],
            "categories": [{"id": 1, "name": "cat"}],
        }
        (src / f"annotations/instances_{split}.json").write_text(json.dumps(doc))
    report = labelkit.convert(src, tmp_path / "out", to="voc", media="copy", media_root=f"{src}/{{split}}")
    assert ("image file names", 2) in [(c.what, c.count) for c in report.transformed]
    images = sorted(p.relative_to(tmp_path / "out/JPEGImages").as_posix() for p in (tmp_path / "out").rglob("*.jpg"))
    assert images == ["train/1.jpg", "val/1.jpg"]
    assert [Image.open(tmp_path / "out/JPEGImages" / name).getpixel((0, 0))[2] > 128 for name in images] == [
        False,
        True,
    ]


def test_a_minus_one_line_naming_no_xml_is_an_item_of_its_split(tmp_path: Path) -> None:
    """'z -1' in dog_val.txt, z of no XML (a negative image): no item came of it, and the val split was lost
    unsaid, while 'z 0' made an item; it is an item of split val with no label, written back as read."""
    lists = {"Main/dog_train.txt": "a  1\nb -1\n", "Main/dog_val.txt": "z -1\n"}
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train"), ("z", "val")]
    assert [(lab.item_id, ds.category(lab.category_id or 0).name) for lab in ds.labels()] == [("a", "dog")]
    assert ds.read_notes == []
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.transformed, report.written["items"]) == ([], [], 3)
    main = tmp_path / "out/ImageSets/Main"
    assert sorted(p.name for p in main.iterdir()) == ["dog_train.txt", "dog_val.txt", "train.txt", "val.txt"]
    assert (main / "dog_val.txt").read_text() == "z -1\n"
    assert (main / "val.txt").read_text() == "z\n"


@pytest.mark.parametrize(("kind", "image_format"), [("SegmentationClass", "JPEG"), ("SegmentationObject", "GIF")])
def test_a_segmentation_file_whose_bytes_are_not_a_png_is_an_error_naming_it(
    tmp_path: Path, kind: str, image_format: str
) -> None:
    """A JPEG saved as SegmentationClass/a.png was opened by Pillow by its content: its compression noise made
    masks of classes the image never had, unsaid. A file not starting with PNG's signature is refused."""
    values = np.zeros((2, 4), np.uint8)
    values[0, :2] = 8
    data = io.BytesIO()
    Image.fromarray(values, "L").save(data, image_format)
    named_png = data.getvalue()
    is_class = kind == "SegmentationClass"
    root = _masks_folder(tmp_path / "src", named_png if is_class else None, None if is_class else named_png)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert str(err.value) == (
        f"{root}/{kind}/a.png: unreadable PNG: not a PNG file (expected PNG's 8-byte signature, found "
        f"{named_png[:8]!r}); hint: save the mask as a PNG (a JPEG or GIF renamed .png is not one)"
    )


def _lost_masks_dataset(case: str) -> Dataset:
    """An image of 6 x 4 whose every mask (or void) a VOC writer cannot place: no PNG may be written."""
    wrong = raster.mask_to_rle(np.ones((3, 3), dtype=bool))
    fits = _blob(slice(1, 3), slice(2, 5))
    if case == "void":
        ds = Dataset(categories=[Category(id=8, name="cat")])
        ds.add_item(
            Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train", metadata={"voc:void": wrong})
        )
        ds.add(Object(id="1", item_id="m", category_id=8, bbox=(0.0, 0.0, 2.0, 2.0)))
        return ds
    if case == "size":
        return _image_with_masks(wrong)
    ds = Dataset(categories=[Category(id=0, name="background"), Category(id=8, name="cat")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
    rle = {"size": (fits["height"], fits["width"]), "counts": fits["counts"]}
    if case == "background":
        ds.add(Object(id="1", item_id="m", category_id=0, bbox=(0.0, 0.0, 2.0, 2.0), mask=rle))
    else:  # a class-only mask of another size than the image
        rle = {"size": (wrong["height"], wrong["width"]), "counts": wrong["counts"]}
        ds.add(Object(id="1", item_id="m", category_id=8, mask=rle, extras={"voc:semantic": True}))
    return ds


@pytest.mark.parametrize("case", ["size", "background", "semantic", "void"])
def test_an_image_whose_masks_are_all_lost_gets_no_pngs(tmp_path: Path, case: str) -> None:
    """Its masks reported lost, the image still got all-background PNGs, <segmented>1 and a Segmentation line:
    false ground truth (an image segmented, showing nothing), read back as voc:blank_pngs. It gets none."""
    report = labelkit.save(_lost_masks_dataset(case), tmp_path / "o", "voc", allow_loss=True)
    assert len(report.lost) == 1
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*") if p.is_file()) == [
        "Annotations/m.xml",
        "ImageSets/Main/train.txt",
    ] + (["labelmap.txt"] if case in ("background", "semantic") else [])
    assert "<segmented>0</segmented>" in (tmp_path / "o/Annotations/m.xml").read_text()
    assert [i.metadata for i in labelkit.load(tmp_path / "o", "voc").items()] == [{}]


@pytest.mark.parametrize("case", ["mask", "polygon", "mask-only"])
def test_an_image_whose_only_mask_has_no_pixel_gets_no_pngs(tmp_path: Path, case: str) -> None:
    """Its only mask empty (or polygon rasterising to none), the image still got blank PNGs, <segmented>1 and a
    Segmentation line, read back as voc:blank_pngs (paints_any looked at its masks' sizes and classes only)."""
    empty = _blob(slice(0, 0), slice(0, 0))
    if case == "polygon":  # (collinear: pycocotools paints none of it)
        ds = Dataset(categories=[Category(id=8, name="cat")])
        ds.add_item(Item(id="m", media=Media(path="m.jpg", width=6, height=4), split="train"))
        ds.add(Object(id="0", item_id="m", category_id=8, bbox=(0.0, 0.0, 2.0, 2.0), polygon=[[1, 1, 2, 2, 3, 3]]))
    else:
        ds = _image_with_masks(empty, boxed=case == "mask")
    options = {"masks": "all"} if case == "polygon" else {}
    planned = labelkit.api.plan(ds, "voc", **options)
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True, **options)
    what = {"mask": "masks", "polygon": "polygons", "mask-only": "objects"}[case]
    assert planned.lost == [] and [(c.what, c.count, c.reason) for c in report.lost] == [
        (what, 1, voc_masks.NO_PIXEL_LEFT)
    ]
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*") if p.is_file()) == [
        "Annotations/m.xml",
        "ImageSets/Main/train.txt",
    ] + (["labelmap.txt"] if case == "mask-only" else [])
    assert "<segmented>0</segmented>" in (tmp_path / "o/Annotations/m.xml").read_text()
    back = labelkit.load(tmp_path / "o", "voc")
    assert [i.metadata for i in back.items()] == [{}]
    labelkit.save(back, tmp_path / "coco", "coco")
    (written,) = (tmp_path / "coco/annotations").iterdir()
    assert json.loads(written.read_text())["images"] == [
        {"id": 1, "file_name": "JPEGImages/m.jpg", "width": 6, "height": 4}
    ]


def test_a_part_box_that_reads_back_otherwise_is_counted_as_an_object_box_is(tmp_path: Path) -> None:
    """A part box of [0.1, 0.2, 0.3, 0.7] read back [0.10000000000000009, ...], nothing reported, while an object
    box is counted ('transformed: box coordinates'): a part's box is counted so, and its corners, written as an
    object's are, give back a box a float away that is written again with the same corners."""
    box = [0.1, 0.2, 0.3, 0.7]
    ds = _one_object(bbox=(0.0, 0.0, 5.0, 5.0), extras={"voc:parts": [{"name": "head", "bbox": box}]})
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [("box coordinates", 1)]
    assert report.lost == []
    (back,) = labelkit.load(tmp_path / "o", "voc").objects()
    assert back.extras["voc:parts"] == [
        {"name": "head", "bbox": [0.10000000000000009, 0.19999999999999996, 0.30000000000000004, 0.7]}
    ]
    again = labelkit.save(labelkit.load(tmp_path / "o", "voc"), tmp_path / "again", "voc")
    assert again.transformed == []
    text = (tmp_path / "o/Annotations/img.xml").read_text()
    assert (tmp_path / "again/Annotations/img.xml").read_text() == text


def test_part_corners_a_write_would_not_give_back_are_kept_as_an_object_s(tmp_path: Path) -> None:
    """ymax 77.6840601509805 beside ymin 14.149463358668845 was written back 77.68406015098049 for a part, unsaid:
    a part keeps its corners as read (voc:@corners), as an object does, and VOC -> VOC gives them back."""
    (tmp_path / "v/Annotations").mkdir(parents=True)
    corners = (
        "<bndbox><xmin>1</xmin><ymin>14.149463358668845</ymin><xmax>5</xmax><ymax>77.6840601509805</ymax></bndbox>"
    )
    (tmp_path / "v/Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>90</width><height>90</height><depth>3</depth></size>"
        f"<object><name>person</name>{corners}<part><name>head</name>{corners}</part></object></annotation>"
    )
    (tmp_path / "v/ImageSets/Main").mkdir(parents=True)
    (tmp_path / "v/ImageSets/Main/train.txt").write_text("a\n")
    ds = labelkit.load(tmp_path / "v", "voc")
    (obj,) = ds.objects()
    assert obj.extras["voc:parts"] == [
        {
            "name": "head",
            "bbox": list(G.voc_to_xywh(1.0, 14.149463358668845, 5.0, 77.6840601509805)),
            "voc:@corners": [1.0, 14.149463358668845, 5.0, 77.6840601509805],
        }
    ]
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert (tmp_path / "o/Annotations/a.xml").read_text().count("<ymax>77.6840601509805</ymax>") == 2


def test_keys_of_a_part_entry_voc_has_no_place_for_are_reported_lost(tmp_path: Path) -> None:
    """A voc:parts entry's other keys ('difficult': a reader does not read a <part>'s) were dropped unsaid."""
    part = {"name": "head", "bbox": [1.0, 1.0, 2.0, 2.0], "difficult": 1, "score": 0.5}
    ds = _one_object(bbox=(0.0, 0.0, 5.0, 5.0), extras={"voc:parts": [part, {"name": "hand", "bbox": [2, 2, 1, 1]}]})
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count, c.reason) for c in err.value.report.lost] == [
        (
            "part fields",
            2,
            "Pascal VOC's <part> holds a name and a box: the other keys of a voc:parts entry are not written",
        )
    ]
    assert not (tmp_path / "o").exists()
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    (back,) = labelkit.load(tmp_path / "o", "voc").objects()
    assert back.extras["voc:parts"] == [
        {"name": "head", "bbox": [1.0, 1.0, 2.0, 2.0]},
        {"name": "hand", "bbox": [2.0, 2.0, 1.0, 1.0]},
    ]


def test_imagesets_task_folders_and_txt_in_any_case_are_read_and_other_files_noted(tmp_path: Path) -> None:
    """ImageSets/Foo/train.txt (which labelkit writes for an item's voc:imagesets ["Foo"]) was passed over, as were
    Main/val.TXT, ImageSets/test.txt and Main/sub/val.txt, unsaid: a task folder's lists are read into
    voc:imagesets (and written back), .TXT is .txt, and a read note names the files still not read."""
    lists = {
        "Main/train.txt": "a\n",
        "Main/val.TXT": "b\n",
        "Foo/train.txt": "a\n",
        "Foo/val.txt": "",
        "Foo/scores.txt": "a 0.5\n",
        "test.txt": "b\n",
        "Main/sub/val.txt": "a\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert [(i.id, i.split, i.metadata) for i in ds.items()] == [
        ("a", "train", {"voc:imagesets": ["Foo"]}),
        ("b", "val", {}),
    ]
    assert ds.read_notes == [
        "3 ImageSets .txt files were not read (ImageSets/Foo/scores.txt first): a reader reads the lists in "
        "ImageSets/Main and in a task's folder (ImageSets/<task>/, a task other than VOC's of one image a line), not "
        "a file in ImageSets itself, in a folder below those, or of other lines, and writing VOC does not write them"
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert _imagesets(tmp_path / "out") == {
        "Foo/train.txt": "a\n",
        "Foo/val.txt": "",
        "Main/train.txt": "a\n",
        "Main/val.txt": "b\n",
    }


def test_an_imagesets_task_of_item_metadata_reads_back(tmp_path: Path) -> None:
    """voc:imagesets ["Foo"] was written as ImageSets/Foo/<split>.txt, which no reader read: it came back {}."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(
        Item(
            id="img", media=Media(path="img.jpg", width=9, height=9), split="train", metadata={"voc:imagesets": ["Foo"]}
        )
    )
    ds.add(Object(id="1", item_id="img", category_id=1, bbox=(0.0, 0.0, 5.0, 5.0)))
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert (report.lost, report.transformed) == ([], [])
    assert _imagesets(tmp_path / "o") == {"Foo/train.txt": "img\n", "Main/train.txt": "img\n"}
    assert [i.metadata for i in labelkit.load(tmp_path / "o", "voc").items()] == [{"voc:imagesets": ["Foo"]}]


def test_an_item_only_another_task_lists_is_read_after_main_s_and_its_renumbering_reported(tmp_path: Path) -> None:
    """An item of voc:main false whose voc:imagesets task is Foo is read after Main's items (Foo's lists are read
    now): the plan orders it so, and reports the objects renumbered."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    meta = {"voc:imagesets": ["Foo"], "voc:main": False}
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=9, height=9), split="train", metadata=meta))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=9, height=9), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0.0, 0.0, 5.0, 5.0)))
    ds.add(Object(id="2", item_id="b", category_id=1, bbox=(0.0, 0.0, 5.0, 5.0)))
    report = labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count) for c in report.transformed] == [("object ids", 2)]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(i.id, i.metadata) for i in back.items()] == [("b", {}), ("a", meta)]
    assert [(o.id, o.item_id) for o in back.objects()] == [("1", "b"), ("2", "a")]


@pytest.mark.parametrize("task", ["Foo", "Segmentation"])
def test_a_tasks_trainval_line_its_train_and_val_lists_lack_is_read(tmp_path: Path, task: str) -> None:
    """Beside a task's train and val lists, its trainval lines of items of a Main split were all skipped as lines
    of train or val again: an item only trainval names (b, d) lost the task, unsaid, and VOC -> VOC wrote its
    trainval list without them."""
    lists = {
        "Main/train.txt": "a\nb\nc\nd\n",
        f"{task}/train.txt": "a\n",
        f"{task}/val.txt": "c\n",
        f"{task}/trainval.txt": "a\nb\nc\nd\n",
    }
    ds = labelkit.load(_voc_lists(tmp_path / "src", lists), "voc")
    assert {i.id: task in i.metadata.get("voc:imagesets", []) for i in ds.items()} == dict.fromkeys("abcd", True)
    labelkit.save(ds, tmp_path / "out", "voc")
    written = _imagesets(tmp_path / "out")
    assert sorted(written[f"{task}/trainval.txt"].split()) == ["a", "b", "c", "d"]
    assert (written[f"{task}/train.txt"], written[f"{task}/val.txt"]) == ("a\n", "c\n")


def test_imagesets_tasks_that_read_back_otherwise_are_reported_transformed(tmp_path: Path) -> None:
    """voc:imagesets ["Main"] came back without it, and ["Foo", "Segmentation"] as ["Segmentation", "Foo"], with
    nothing reported; a task lost (.x) is reported lost alone, not transformed too."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    given = {"a": ["Main"], "b": ["Foo", "Segmentation"], "c": ["Segmentation", "Foo"], "d": [".x", "Foo"]}
    for iid, tasks in given.items():
        media = Media(path=f"{iid}.jpg", width=9, height=9)
        ds.add_item(Item(id=iid, media=media, split="train", metadata={"voc:imagesets": tasks}))
        ds.add(Object(id=iid, item_id=iid, category_id=1, bbox=(0.0, 0.0, 5.0, 5.0)))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.transformed if "ImageSets" in c.what] == [("items' ImageSets tasks", 2)]
    assert [(c.what, c.count) for c in report.lost] == [("ImageSets tasks that cannot be file names", 1)]
    back = {i.id: i.metadata.get("voc:imagesets") for i in labelkit.load(tmp_path / "o", "voc").items()}
    assert back == {"a": None, "b": ["Segmentation", "Foo"], "c": ["Segmentation", "Foo"], "d": ["Foo"]}


def test_split_and_class_names_too_long_for_imagesets_lists_are_losses_found_when_planning(tmp_path: Path) -> None:
    """A split of 252 characters (``ImageSets/Main/<split>.txt`` over 255 bytes), or a class whose
    ``<class>_<split>.txt`` is, passed labelkit.plan and a dry run, and the write stopped with 'cannot write: File
    name too long': the split's items, and the class's labels of that split, are losses found when planning."""
    ds = Dataset(categories=[Category(id=1, name="c"), Category(id=2, name="k" * 240)])
    for item, split in (("a", "s" * 252), ("b", "train"), ("c", "v" * 20)):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split=split))
        ds.add(Object(id=f"o{item}", item_id=item, category_id=1, bbox=(0, 0, 1, 1)))
        ds.add(Label(id=f"l{item}", item_id=item, category_id=2))
    lost = [
        ("items whose file names are too long", 1),
        ("label annotations on them", 1),
        ("object annotations on them", 1),
        ("image labels whose ImageSets/Main list name is too long", 1),
    ]
    plan = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in plan.lost] == lost
    assert plan.lost[0].reason.endswith(f"(item 'a', 'ImageSets/Main/{'s' * 252}.txt')")
    assert plan.lost[3].reason == (
        "ImageSets/Main/<class>_<split>.txt is named after the class and the image's split, and file systems take "
        "no file name of more than 255 bytes: the list is not written (labelmap.txt keeps the class) "
        f"(item 'c', class '{'k' * 240}', 'ImageSets/Main/{'k' * 240}_{'v' * 20}.txt')"
    )
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "out", "voc", dry_run=True)
    dry = labelkit.save(ds, tmp_path / "out", "voc", dry_run=True, allow_loss=True)
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)  # (it raised OutputError)
    assert [(c.what, c.count) for c in dry.lost] == [(c.what, c.count) for c in report.lost] == lost
    assert report.written == {"items": 2, "object annotations": 2, "label annotations": 1}
    back = labelkit.load(tmp_path / "out")
    assert back.table("labels")["item_id"].to_pylist() == ["b"]
    assert [c.name for c in back.categories] == ["c", "k" * 240]


def test_a_path_too_long_for_the_system_below_the_output_is_a_loss_found_when_planning(tmp_path: Path) -> None:
    """An item whose XML, or whose segmentation PNG (``SegmentationObject/<id>.png``, 7 bytes longer), has a path
    longer than the system takes (4,095 bytes, PATH_MAX, with the output's temporary folder's absolute path)
    passed labelkit.plan and a dry run, and the write stopped with 'cannot write: File name too long': it is a
    loss found when planning. An item of no mask, of no PNG, is written."""
    out = tmp_path / "out"
    room = room_below(out)
    ds = Dataset(categories=[Category(id=1, name="c")])
    # (an image below JPEGImages/ keeps its folders: its id, and its XML's and PNGs' names)
    for item, length, mask in (("m", room - 18, True), ("n", room - 18, False), ("x", room - 11, False)):
        path = "JPEGImages/" + deep_path(length, f"{item}.jpg")
        ds.add_item(Item(id=item, media=Media(path=path, width=10, height=10), split="train"))
        masked = Rle(size=(10, 10), counts=[0, 100]) if mask else None
        ds.add(Object(id=f"o{item}", item_id=item, category_id=1, bbox=(0, 0, 1, 1), mask=masked))
    assert labelkit.plan(ds, "voc").lost == []  # (4,095 bytes below no folder: all fit)
    lost = [("items whose file paths are too long", 2), ("object annotations on them", 2)]
    report = dry_run_loses_as_the_write(ds, out, "voc", lost)
    assert report.lost[0].reason.endswith(f"(item 'x', 'Annotations/{deep_path(room - 15, 'x')}.xml')")
    # (with masks=none no PNG is written: the XML's path alone counts; "new" is as long as "out")
    unmasked = labelkit.save(ds, tmp_path / "new", "voc", masks="none", dry_run=True, allow_loss=True)
    assert [(c.what, c.count) for c in unmasked.lost] == [*((what, 1) for what, _ in lost), ("masks", 1)]
    assert (out / "ImageSets/Main/train.txt").read_text() == f"{deep_path(room - 22, 'n')}\n"


def test_task_and_action_names_too_long_for_imagesets_files_are_losses_found_when_planning(tmp_path: Path) -> None:
    """An item's ``voc:imagesets`` task of 300 characters (``ImageSets/<task>/``), or an action whose
    ``ImageSets/Action/<action>_<split>.txt`` is over 255 bytes, passed labelkit.plan and a dry run, and the
    write stopped with 'cannot write: File name too long': they are losses found when planning, as such names
    Windows cannot hold are (the XML's ``<actions>`` keeps the flags)."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    tasks = {"voc:imagesets": ["Main", "t" * 300]}
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train", metadata=tasks))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="o", item_id="b", category_id=1, bbox=(0, 0, 1, 1), extras={"voc:actions": {"j" * 250: 1}}))
    lost = [
        ("ImageSets tasks that cannot be file names", 1),
        ("action flags whose ImageSets/Action list name is too long", 1),
    ]
    plan = labelkit.plan(ds, "voc")
    assert sorted((c.what, c.count) for c in plan.lost) == lost
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "out", "voc", dry_run=True)
    dry = labelkit.save(ds, tmp_path / "out", "voc", dry_run=True, allow_loss=True)
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)  # (it raised OutputError)
    assert sorted((c.what, c.count) for c in dry.lost) == sorted((c.what, c.count) for c in report.lost) == lost
    assert [o.extras["voc:actions"] for o in labelkit.load(tmp_path / "out").objects()] == [{"j" * 250: 1}]


def test_xml_files_are_created_on_one_thread_while_the_png_workers_paint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads create a batch of XML files (file_batches), one while a PNG job is pending; the same bytes.

    Chunks of 100 images, batches of 64 files (a full batch, then the chunk's rest): the first chunk's PNG jobs are
    held until the second chunk's files are made.
    """
    from labelkit.formats import voc_write

    ds = _masked_items(*(f"i{n:03d}" for n in range(200)))
    labelkit.save(ds, tmp_path / "before", "voc")
    batches: list[tuple[int, int]] = []
    release = threading.Event()
    real_create, real_paint = voc_write.create_files, voc_masks.ImageMasks.write

    def create(entries: list[tuple[str, bytes]], threads: int = 2) -> None:
        batches.append((len(entries), threads))
        if len(batches) == 4:  # (the first chunk's PNG jobs have waited meanwhile)
            release.set()
        real_create(entries, threads)

    def paint(self: voc_masks.ImageMasks, *args: Any) -> list[tuple[str, int, str]]:
        assert release.wait(10)
        return real_paint(self, *args)

    monkeypatch.setattr(voc_write, "_ITEM_CHUNK", 100)
    monkeypatch.setattr(voc_write, "_XML_BATCH", 64)
    monkeypatch.setattr(voc_write, "create_files", create)
    monkeypatch.setattr(voc_masks.ImageMasks, "write", paint)
    labelkit.save(ds, tmp_path / "after", "voc")
    assert batches == [(64, 2), (36, 2), (64, 1), (36, 1)]
    assert _written(tmp_path / "after") == _written(tmp_path / "before")
    for name in _written(tmp_path / "before"):
        assert (tmp_path / "after" / name).read_bytes() == (tmp_path / "before" / name).read_bytes(), name


def test_the_png_pool_is_busy_while_its_newest_job_has_not_ended() -> None:
    pool = voc_masks.PngPool(Report())
    try:
        assert not pool.busy  # (nothing submitted)
        pool.submit(list)  # (ends at once)
        pool.pending[-1].result()
        assert not pool.busy  # (ended, though not collected yet)
        held = threading.Event()
        pool.submit(lambda: [] if held.wait(10) else [])
        assert pool.busy  # (the newest is being painted; the oldest has ended)
        held.set()
        pool.pending[-1].result()
        assert not pool.busy
        pool.close()
        assert not pool.busy
    finally:
        pool.executor.shutdown(wait=True)


def _xml(filename: str | None, size: bool = True) -> str:
    named = f"<filename>{filename}</filename>" if filename is not None else ""
    sized = "<size><width>20</width><height>30</height><depth>3</depth></size>" if size else ""
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    return f"<annotation>{named}{sized}<object><name>dog</name>{box}</object></annotation>"


def test_a_filename_that_names_no_image_takes_the_image_of_its_id_with_a_read_note(tmp_path: Path) -> None:
    """``a.xml`` of ``<filename>zz.jpg</filename>``, where only ``JPEGImages/a.jpg`` is there, was read with that
    image unsaid (and a VOC -> VOC round trip wrote ``<filename>a.jpg</filename>``); the note now says so, naming
    the first XML, its ``<filename>`` and the image taken. An XML of no ``<size>`` takes that image's size."""
    root = tmp_path / "v"
    for folder in ("Annotations/s", "JPEGImages/s"):
        (root / folder).mkdir(parents=True)
    for name in ("a.jpg", "b.jpg", "c.jpg", "s/x.jpg"):
        Image.new("RGB", (10, 12)).save(root / "JPEGImages" / name)
    (root / "Annotations/a.xml").write_text(_xml("zz.jpg"))
    (root / "Annotations/b.xml").write_text(_xml("b.png", size=False))  # (another extension: taken by the id too)
    (root / "Annotations/c.xml").write_text(_xml("c.jpg"))  # (its own image: no note)
    (root / "Annotations/d.xml").write_text(_xml(None))  # (no <filename>, no image: none either)
    (root / "Annotations/s/x.xml").write_text(_xml("x.jpg"))  # (JPEGImages/s/x.jpg, by id: of that name, no note)
    ds = labelkit.load(root)
    items = {i.id: (i.media.path, i.media.width, i.media.height) for i in ds.items()}
    assert items == {
        "a": ("JPEGImages/a.jpg", 20, 30),
        "b": ("JPEGImages/b.jpg", 10, 12),
        "c": ("JPEGImages/c.jpg", 20, 30),
        "d": (None, 20, 30),
        "s/x": ("JPEGImages/s/x.jpg", 20, 30),
    }
    assert [n for n in ds.read_notes if "<filename>" in n] == [
        "2 items were read with an image of their id, not the file their <filename> names (first: item 'a', of "
        "<filename> 'zz.jpg', read with 'JPEGImages/a.jpg'), as VOC's loaders read it, its size too where the XML "
        "gives none; writing VOC writes that image's name"
    ]
    finder = voc_images.ImageFinder(root)
    annotations = root / "Annotations"
    assert finder.find(annotations, "a", "zz.jpg") == ("JPEGImages/a.jpg", True)
    assert finder.find(annotations, "c", "c.jpg") == ("JPEGImages/c.jpg", False)
    assert finder.find(annotations, "a", None) == ("JPEGImages/a.jpg", False)  # (no <filename>: nothing named)
    assert finder.find(annotations, "s/x", "x.jpg") == ("JPEGImages/s/x.jpg", False)  # (an id of a folder)
    assert finder.find(annotations, "s/x", "y.jpg") == ("JPEGImages/s/x.jpg", True)
    assert finder.find(annotations, "a", "train/a.jpg") == ("JPEGImages/a.jpg", True)  # (a folder it does not have)
    assert finder.find(annotations, "s/x", "other/x.jpg") == ("JPEGImages/s/x.jpg", True)
    assert finder.find(annotations, "a", "A.JPG") == ("JPEGImages/a.jpg", sys.platform.startswith("linux"))
    assert finder.find(annotations, "s/x", "s/x.jpg") == ("JPEGImages/s/x.jpg", False)
    assert finder.find(annotations, "zz", "zz.jpg") == (None, False)
    (root / "Annotations/a.xml").unlink()
    (root / "Annotations/b.xml").unlink()
    (root / "Annotations/s/x.xml").write_text(_xml("s/x.jpg"))
    assert not [n for n in labelkit.load(root).read_notes if "<filename>" in n]


def test_an_image_of_the_id_in_jpegimages_is_taken_before_a_named_file_beside_the_xml_and_said(tmp_path: Path) -> None:
    """``a.xml`` of ``<filename>photo.jpg</filename>``, with ``Annotations/photo.jpg`` and ``JPEGImages/a.jpg``:
    ``JPEGImages/`` is looked in first, for the name and the id, as VOC's loaders open ``JPEGImages/<id>.jpg``, so
    the id's image is read, and the note says it is not the file named (it said that no such file was there). A
    nested XML whose image of that name lies beside it (found by its id, ``Annotations/s/x.jpg``) has no note. The
    note names the item id (``train/k`` in a layout of split folders), not the XML's stem."""
    root = tmp_path / "v"
    for folder in ("Annotations/s", "JPEGImages"):
        (root / folder).mkdir(parents=True)
    for name in ("JPEGImages/a.jpg", "Annotations/photo.jpg", "Annotations/s/x.jpg"):
        Image.new("RGB", (10, 12)).save(root / name)
    (root / "Annotations/a.xml").write_text(_xml("photo.jpg"))
    (root / "Annotations/s/x.xml").write_text(_xml("x.jpg"))
    ds = labelkit.load(root)
    assert {i.id: i.media.path for i in ds.items()} == {"a": "JPEGImages/a.jpg", "s/x": "Annotations/s/x.jpg"}
    assert [n for n in ds.read_notes if "<filename>" in n] == [
        "1 item was read with an image of its id, not the file its <filename> names (first: item 'a', of "
        "<filename> 'photo.jpg', read with 'JPEGImages/a.jpg'), as VOC's loaders read it, its size too where the "
        "XML gives none; writing VOC writes that image's name"
    ]
    args = (root, root / "Annotations", "a", "photo.jpg")
    assert voc_images._find_image(*args) == voc_images._find_image(*args, {}, None) == root / "JPEGImages/a.jpg"
    splits = tmp_path / "r"
    for split in ("train", "valid"):
        (splits / split).mkdir(parents=True)
        Image.new("RGB", (10, 12)).save(splits / split / "k.jpg")
        (splits / split / "k.xml").write_text(_xml("zz.jpg" if split == "valid" else "k.jpg"))
    (note,) = [n for n in labelkit.load(splits, format="voc").read_notes if "<filename>" in n]
    assert "(first: item 'valid/k', of <filename> 'zz.jpg', read with 'valid/k.jpg')" in note


def test_a_size_of_one_side_keeps_it_beside_an_image_of_another(tmp_path: Path) -> None:
    """``<size><width>10</width></size>`` beside a 6 x 7 image was read as 6 x 7, its side replaced without a word,
    and written back so. The side given is kept, the other is the image's, and a read note says they differ."""
    (tmp_path / "in/Annotations").mkdir(parents=True)
    (tmp_path / "in/JPEGImages").mkdir()
    (tmp_path / "in/Annotations/b.xml").write_text(
        "<annotation><filename>b.png</filename><size><width>10</width></size><object><name>cat</name>"
        "<bndbox><xmin>2</xmin><ymin>2</ymin><xmax>3</xmax><ymax>3</ymax></bndbox></object></annotation>"
    )
    Image.new("RGB", (6, 7)).save(tmp_path / "in/JPEGImages/b.png")
    ds = labelkit.load(tmp_path / "in")
    (item,) = ds.items()
    assert (item.media.width, item.media.height) == (10, 7)
    assert ds.read_notes == [
        "1 items have a <size> of one side that their image differs from (first: item 'b', 10 in its XML, 6 in its "
        "image): the side given is kept, the other is the image's"
    ]
    Image.new("RGB", (10, 5)).save(tmp_path / "in/JPEGImages/b.png")  # (agreeing: no note)
    ds = labelkit.load(tmp_path / "in")
    assert ([(i.media.width, i.media.height) for i in ds.items()], ds.read_notes) == ([(10, 5)], [])
    # of no image, a segmentation PNG's size is read whole, as its masks have it (else they could not be placed:
    # VOC -> VOC lost them), with a note where the side given differs
    (tmp_path / "in/JPEGImages/b.png").unlink()
    for folder in ("SegmentationClass", "SegmentationObject"):
        (tmp_path / "in" / folder).mkdir()
        png = Image.fromarray(np.pad(np.ones((2, 2), np.uint8), ((1, 4), (1, 3))), "P")
        png.putpalette([0, 0, 0, 128, 0, 0])
        png.save(tmp_path / "in" / folder / "b.png")
    ds = labelkit.load(tmp_path / "in")
    assert [(i.media.width, i.media.height) for i in ds.items()] == [(6, 7)]
    assert ds.read_notes == [
        "1 items of no image have a <size> of one side that their segmentation PNG differs from (first: item 'b', 10 "
        "in its XML, 6 in its PNG): the PNG's size is read, as their masks have it"
    ]
    assert labelkit.plan(ds, "voc").lost == []


def test_a_size_with_a_side_of_0_is_reported_transformed(tmp_path: Path) -> None:
    """COCO's 0 x 480 was written as <height> alone and read back of no width, unsaid: VOC takes a 0 for unknown."""
    (tmp_path / "in.json").write_text(
        json.dumps(
            {
                "images": [
                    {"id": 1, "file_name": "a.jpg", "width": 0, "height": 480},
                    {"id": 2, "file_name": "b.jpg", "width": 0, "height": 0},
                ],
                "categories": [{"id": 1, "name": "cat"}],
                "annotations": [],
            }
        )
    )
    report = labelkit.convert(tmp_path / "in.json", tmp_path / "voc", to="voc")
    assert ("image sizes with a side of 0", 1) in [(c.what, c.count) for c in report.transformed]  # (0 x 0: unknown)
    back = {i.id: (i.media.width, i.media.height) for i in labelkit.load(tmp_path / "voc").items()}
    assert back == {"a": (None, 480), "b": (None, None)}


def test_what_the_pngs_alone_cannot_give_back_of_png_only_objects_is_reported(tmp_path: Path) -> None:
    """A mask-only object's box other than its mask's bounds read back as those bounds, and two class-only masks of
    one class on one image as one object: the report said nothing of either."""
    from pycocotools import mask as mask_utils

    def rle(x: int, y: int) -> Rle:
        pixels = np.zeros((8, 8), np.uint8, order="F")
        pixels[y : y + 2, x : x + 2] = 1
        return Rle(size=(8, 8), counts=mask_utils.encode(pixels)["counts"].decode())

    ds = Dataset(categories=[Category(id=1, name="person"), Category(id=2, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=8, height=8), split="train"))
    only = {"voc:mask_only": True}
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0, 0, 5, 5), mask=rle(1, 1), extras=only))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(4, 4, 2, 2), mask=rle(4, 4), extras=only))  # (its own)
    empty = Rle(size=(8, 8), counts=[64])  # (lost whole, its pixels none: its box is not counted as transformed)
    ds.add(Object(id="3", item_id="a", category_id=1, bbox=(1, 1, 2, 2), mask=empty, extras=only))
    for n, (x, y) in enumerate([(0, 5), (5, 0), (6, 6)]):
        ds.add(
            Object(id=f"s{n}", item_id="a", category_id=2, shape="mask", mask=rle(x, y), extras={"voc:semantic": True})
        )
    semantic = {"voc:semantic": True}  # (and one of no pixel: nothing of it is written, where nothing was said)
    ds.add(Object(id="s9", item_id="a", category_id=1, shape="mask", mask=empty, extras=semantic))
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert ("boxes of objects written to the segmentation PNGs only", 1) in [
        (c.what, c.count) for c in report.transformed
    ]
    assert ("class-only masks with no pixel set", 1) in [(c.what, c.count) for c in report.lost]
    assert ("class-only masks sharing a class and an image with another", 2) in [(c.what, c.count) for c in report.lost]
    back = labelkit.load(tmp_path / "out")
    assert sorted((o.category_id, o.bbox) for o in back.objects()) == [
        (1, (1.0, 1.0, 2.0, 2.0)),
        (1, (4.0, 4.0, 2.0, 2.0)),
        (2, (0.0, 0.0, 8.0, 8.0)),
    ]


def test_a_class_named_with_a_hash_is_reported_lost_only_where_it_reads_back_otherwise(tmp_path: Path) -> None:
    """Its labelmap line is a comment: the reader makes it from its XML objects, after the labelmap's classes and
    numbered on. VOC -> VOC of labelkit's own output reported it lost, and refused it without --allow-loss, though
    it read back the same; one first among the classes, or of another id, is lost as it was."""

    def dataset(names: list[str], ids: list[int]) -> Dataset:
        ds = Dataset(categories=[Category(id=i, name=n) for i, n in zip(ids, names, strict=True)])
        ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
        for i in ids:
            ds.add(Object(id=str(i), item_id="a", category_id=i, bbox=(1, 1, 5, 5)))
        return ds

    what = "category names with leading or trailing spaces, or starting with '#'"
    for n, (names, ids, lost) in enumerate(
        [(["cat", "#a", "#b"], [5, 6, 7], 0), (["#a", "cat"], [1, 2], 1), (["cat", "#a"], [1, 5], 1)]
    ):
        ds = dataset(names, ids)
        report = labelkit.save(ds, tmp_path / str(n), "voc", allow_loss=True)
        assert [(c.what, c.count) for c in report.lost if c.what == what] == ([(what, lost)] if lost else [])
        back = labelkit.load(tmp_path / str(n))
        assert ([(c.id, c.name) for c in back.categories] == [(c.id, c.name) for c in ds.categories]) == (not lost)
        again = labelkit.convert(tmp_path / str(n), tmp_path / f"{n}-again", to="voc")  # (no loss: not refused)
        assert again.lost == []


def test_a_class_named_with_a_hash_read_without_a_labelmap_is_not_reported_lost(tmp_path: Path) -> None:
    """A folder without labelmap.txt, objects of 'cat' and '#x': read as cat 8 and #x 21. VOC -> VOC writes no
    labelmap (the classes are as such a read gives them) and reads back the same, yet reported 'lost: 1 category
    names ... starting with '#'' and refused without --allow-loss (the check assumed a labelmap's numbering)."""
    src = tmp_path / "in"
    (src / "ImageSets/Main").mkdir(parents=True)
    (src / "Annotations").mkdir()
    box = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
    objects = "".join(f"<object><name>{n}</name>{box}</object>" for n in ("cat", "#x"))
    size = "<size><width>10</width><height>10</height><depth>3</depth></size>"
    (src / "Annotations/a.xml").write_text(f"<annotation><filename>a.jpg</filename>{size}{objects}</annotation>")
    (src / "ImageSets/Main/train.txt").write_text("a\n")
    assert [(c.id, c.name) for c in labelkit.load(src, "voc").categories] == [(8, "cat"), (21, "#x")]
    report = labelkit.convert(src, tmp_path / "o", to="voc")
    assert report.lost == [] and not (tmp_path / "o/labelmap.txt").exists()
    assert [(c.id, c.name) for c in labelkit.load(tmp_path / "o", "voc").categories] == [(8, "cat"), (21, "#x")]
