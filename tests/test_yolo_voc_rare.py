"""YOLO and Pascal VOC: the rare paths (errors, report lines, writer branches) no other test reaches."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import beside_ids, canonical
from PIL import Image

import labelkit
from labelkit.errors import DataLossError, InputError, OutputError, UsageError
from labelkit.formats import voc, yolo
from labelkit.model import Category, Dataset, Item, Label, Media, Object, raster
from labelkit.report import Report

_BOX = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>"
_DOG = f"<object><name>dog</name>{_BOX}</object>"


def _xml(objects: str = _DOG) -> str:
    size = "<size><width>4</width><height>3</height><depth>3</depth></size>"
    return f"<annotation><filename>a.jpg</filename>{size}<segmented>1</segmented>{objects}</annotation>"


def _files(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write ``files`` (relative path -> text, bytes, or None for a folder) below ``root``."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def _image_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _png(width: int = 4, height: int = 3) -> bytes:
    return _image_bytes(Image.new("RGB", (width, height)))


# -- VOC: errors of the reader -------------------------------------------------------------------------

_CMYK = _image_bytes(Image.new("CMYK", (4, 3)), "JPEG")
_FLOAT = _image_bytes(Image.new("F", (4, 3)), "TIFF")
_PALETTE = _image_bytes(Image.new("P", (4, 3)), "PNG")
_SPIDER = _image_bytes(Image.new("F", (4, 3)), "SPIDER")
_SPIDER_HEADER = list(struct.unpack("<27f", _SPIDER[:108]))
_SPIDER_HEADER[23], _SPIDER_HEADER[26] = 0.0, 1.0  # (an image number without a stack: Pillow's AttributeError)
_SPIDER_BROKEN = struct.pack("<27f", *_SPIDER_HEADER) + _SPIDER[108:]
_IHDR_EMPTY = _PALETTE[:8] + b"\x00\x00\x00\x00" + _PALETTE[12:]  # (the IHDR chunk's length set to 0)
_IDAT = _PALETTE.index(b"IDAT")
_BROKEN_CHUNK = _PALETTE[: _IDAT + 6] + b"\xbd\x00\x00\x00\x00\x00" + _PALETTE[_IDAT + 6 :]  # (bytes into IDAT)


def _not_png(data: bytes) -> str:
    """The error of a segmentation file whose bytes are not a PNG's (braces doubled: the message is formatted)."""
    found = repr(data[:8]).replace("{", "{{").replace("}", "}}")
    return (
        f"unreadable PNG: not a PNG file (expected PNG's 8-byte signature, found {found}); "
        "hint: save the mask as a PNG (a JPEG or GIF renamed .png is not one)"
    )


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        (
            {"labelmap.txt": "background:0,0,0::\ndog 0,0,0\n"},
            "labelmap.txt:2",
            "labelmap line needs name:color:parts:actions (found 'dog 0,0,0')",
        ),
        (
            {"Annotations/a.xml": _xml(f"<object><name>dog</name>{_BOX}<part>{_BOX}</part></object>")},
            "Annotations/a.xml <annotation/object[1]/part[1]/name>",
            "part without <name>",
        ),
        (
            {"Annotations/a.xml": _xml(f"<object><name>dog</name>{_BOX}<part><name>x</name></part></object>")},
            "Annotations/a.xml <annotation/object[1]/part[1]/bndbox>",
            "missing <bndbox>",
        ),
        (  # (was: the <attribute> named, where a missing <name> of an object or part is the element named)
            {
                "Annotations/a.xml": _xml(
                    f"<object><name>dog</name>{_BOX}<attributes><attribute><value>1</value></attribute></attributes></object>"
                )
            },
            "Annotations/a.xml <annotation/object[1]/attributes/attribute[1]/name>",
            "attribute without <name>",
        ),
        (
            {"SegmentationClass/a.png": b"\x89PNG\r\n\x1a\nxxxx"},
            "SegmentationClass/a.png",
            "unreadable PNG: cannot identify image file '{root}/SegmentationClass/a.png'",
        ),
        (  # (Pillow's ValueError: an internal error)
            {"SegmentationClass/a.png": _IHDR_EMPTY},
            "SegmentationClass/a.png",
            "unreadable PNG: Truncated IHDR chunk",
        ),
        (  # (Pillow's SyntaxError: an internal error)
            {"SegmentationObject/a.png": _BROKEN_CHUNK},
            "SegmentationObject/a.png",
            "unreadable PNG: broken PNG file (chunk ",  # (then the bytes read, which zlib builds make otherwise)
        ),
        (  # (another format under a .png name: Pillow opened it by its content; its bytes are no PNG's)
            {"SegmentationClass/a.png": _CMYK},
            "SegmentationClass/a.png",
            _not_png(_CMYK),
        ),
        (
            {"SegmentationObject/a.png": _FLOAT},
            "SegmentationObject/a.png",
            _not_png(_FLOAT),
        ),
        (  # (another of Pillow's readers failed otherwise than by OSError: the bytes are checked first)
            {"SegmentationObject/a.png": _SPIDER_BROKEN},
            "SegmentationObject/a.png",
            _not_png(_SPIDER_BROKEN),
        ),
    ],
    ids=[
        "labelmap-fields",
        "part-name",
        "part-box",
        "attribute-name",
        "png-garbage",
        "png-ihdr",
        "png-chunk",
        "png-cmyk",
        "png-float",
        "png-spider",
    ],
)
def test_voc_bad_input_is_one_error_naming_its_place(
    tmp_path: Path, files: dict[str, str | bytes | None], where: str, message: str
) -> None:
    root = _files(tmp_path / "ds", {"Annotations/a.xml": _xml(), **files})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    expected = f"{root}/{where}: {message.format(root=root)}"
    text = str(err.value)
    assert text == expected or (message.endswith("(chunk ") and text.startswith(expected) and "\n" not in text)


@pytest.mark.parametrize(
    "files",
    [{"Annotations": None, "JPEGImages/a.jpg": b"x"}, {"Annotations/readme.txt": "x"}],
    ids=["empty-folder", "no-xml"],
)
def test_voc_folder_without_annotation_files_is_refused(tmp_path: Path, files: dict[str, str | bytes | None]) -> None:
    root = _files(tmp_path / "ds", files)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert str(err.value) == f"{root}: no VOC annotation files found; hint: expected Annotations/*.xml"


def test_voc_palette_png_of_reordered_colours_is_mapped_through_the_labelmap(tmp_path: Path) -> None:
    """A palette PNG whose indices do not hold the labelmap's colours (another writer reordered the palette):
    each index is read as the class of its colour, void (255) staying void."""
    classes = np.zeros((3, 4), np.uint8)
    classes[0, 0], classes[2, 3], classes[1, 1] = 1, 2, 255
    image = Image.fromarray(classes, "P")
    image.putpalette([0, 0, 0, 0, 128, 0, 128, 0, 0] + [0, 0, 0] * 252 + [224, 224, 192])  # 1: cat's, 2: dog's
    root = _files(
        tmp_path / "ds",
        {
            "Annotations/a.xml": _xml(""),
            "labelmap.txt": "background:0,0,0::\ndog:128,0,0::\ncat:0,128,0::\n",
            "SegmentationClass/a.png": _image_bytes(image),
        },
    )
    ds = labelkit.load(root, "voc")
    names = {c.id: c.name for c in ds.categories}
    found = {}
    for obj in ds.objects():
        assert obj.mask is not None and obj.extras == {"voc:semantic": True}
        mask = raster.rle_to_mask({"height": 3, "width": 4, "counts": obj.mask.counts})
        found[names[obj.category_id]] = np.argwhere(mask).tolist()
    assert found == {"dog": [[2, 3]], "cat": [[0, 0]]}
    (item,) = ds.items()
    void = raster.rle_to_mask(item.metadata["voc:void_class"])
    assert np.argwhere(void).tolist() == [[1, 1]]


def _padded_voc_palette(colours: int) -> list[int]:
    """VOC's first ``colours`` colours, then black up to 255 and VOC's void colour: what some tools save."""
    head = [v for rgb in voc.voc_palette()[:colours] for v in rgb]
    return head + [0, 0, 0] * (255 - colours) + [224, 224, 192]


@pytest.mark.parametrize(
    ("palette", "values"),
    [
        ([0] * 768, [0, 1, 2, 255]),
        (_padded_voc_palette(21), [0, 1, 22, 255]),
        (_padded_voc_palette(21), [1, 22]),
    ],
    ids=["all-black", "padded-with-background", "padded-without-background"],
)
def test_voc_palette_png_whose_indices_share_a_colour_is_read_by_its_indices(
    tmp_path: Path, palette: list[int], values: list[int]
) -> None:
    """A palette PNG padded with black, or all black, is no reordered palette: mapping its indices through
    their colours read every index of a padding colour as background (0), losing its class unsaid."""
    classes = np.zeros((3, 4), np.uint8)
    for n, value in enumerate(values):
        classes[n % 3, n] = value
    if 0 not in values:
        classes[classes == 0] = values[0]
    image = Image.fromarray(classes, "P")
    image.putpalette(palette)
    labelmap = "".join(f"c{n}:{n},{n},{n}::\n" for n in range(1, 23))
    root = _files(
        tmp_path / "ds",
        {
            "Annotations/a.xml": _xml(""),
            "labelmap.txt": "background:0,0,0::\n" + labelmap,
            "SegmentationClass/a.png": _image_bytes(image),
        },
    )
    ds = labelkit.load(root, "voc")
    names = {c.id: c.name for c in ds.categories}
    found = {}
    for obj in ds.objects():
        assert obj.mask is not None
        mask = raster.rle_to_mask({"height": 3, "width": 4, "counts": obj.mask.counts})
        found[names[obj.category_id]] = np.argwhere(mask).tolist()
    expected = {f"c{v}": np.argwhere(classes == v).tolist() for v in values if v not in (0, 255)}
    assert found == expected
    labelkit.save(ds, tmp_path / "out", "voc")
    with Image.open(tmp_path / "out/SegmentationClass/a.png") as written:
        assert np.asarray(written).tolist() == classes.tolist()


@pytest.mark.parametrize("rest", ["voc", "black"], ids=["rest-voc-s-colours", "padded-with-black"])
def test_voc_palette_png_of_colours_moved_ahead_is_mapped_whatever_copies_follow(tmp_path: Path, rest: str) -> None:
    """A writer put the colours in use first (person, background, aeroplane, dog, void), then VOC's palette
    from index 5 on (each moved colour again at its own index), or black up to 255: each index in use is at
    its colour's first index, so the palette is reordered, not padded, and is mapped through its colours (read
    by its indices, background became aeroplane and person was lost)."""
    palette = voc.voc_palette()
    order = [15, 0, 1, 12, 255]
    head = [palette[i] for i in order]
    tail = list(palette[len(order) :]) if rest == "voc" else [(0, 0, 0)] * (256 - len(order))
    values = np.array([[15, 15, 0, 0], [0, 12, 0, 1], [0, 0, 255, 0]], np.uint8)
    image = Image.fromarray(np.vectorize(order.index)(values).astype(np.uint8), "P")
    image.putpalette([v for rgb in head + tail for v in rgb])
    root = _files(tmp_path / "ds", {"Annotations/a.xml": _xml(""), "SegmentationClass/a.png": _image_bytes(image)})
    ds = labelkit.load(root, "voc")
    names = {c.id: c.name for c in ds.categories}
    found = {}
    for obj in ds.objects():
        mask = raster.rle_to_mask({"height": 3, "width": 4, "counts": obj.mask.counts})
        found[names[obj.category_id]] = np.argwhere(mask).tolist()
    assert found == {"person": [[0, 0], [0, 1]], "dog": [[1, 1]], "aeroplane": [[1, 3]]}


# -- YOLO: errors of the reader ------------------------------------------------------------------------

_LABEL = "0 .5 .5 .2 .2\n"
_SPLIT = {"images/train/a.png": _png(), "labels/train/a.txt": _LABEL}
_WORDS = "note: keep the filenames\n- interval: 5\n"
"""Broken YAML whose words hold "names" and "val" but no such key: no config."""


@pytest.mark.parametrize(
    ("files", "at", "where", "message"),
    [
        (
            {**_SPLIT, "data.yaml": "names: [a]\ntrain:\n"},
            "",
            "data.yaml:2 <train>",
            "data.yaml names no train, val or test images",
        ),
        (
            {**_SPLIT, "data.yaml": "train: images/train\nnames: abc\n"},
            "",
            "data.yaml:2 <names>",
            "names must be a list or an id -> name map",
        ),
        ({**_SPLIT, "data.yaml": "- names\n- train\n"}, "data.yaml", "data.yaml", "data.yaml must be a mapping"),
        (
            {"images/a.png": _png(), "labels/a.txt": _LABEL, "train.txt": "images/a.png\nimages/b\x00.png\n"}
            | {"data.yaml": "names: [a]\ntrain: train.txt\n"},
            "",
            "train.txt:2",
            "unsafe file name 'images/b\\x00.png'; hint: a list names images inside the dataset folder: relative "
            "to the list's folder or to it, or absolute",
        ),
        (
            {"obj.data": "classes = 1\nnames = obj.names\ntrain = train.txt\nbogus\n", "obj.names": "a\n"}
            | {"train.txt": "a.png\n", "a.png": _png(), "a.txt": _LABEL},
            "obj.data",
            "obj.data:4",
            "expected key = value (found 'bogus')",
        ),
        (
            {"images/a.png": _png(), "labelTxt/a.txt": "1 1 3 1 3 2 1 2 plane 0\n1 1 3 1 3 2 1 2\n"},
            "",
            "labelTxt/a.txt:2",
            "DOTA line needs 8 coordinates, a class name and optionally difficult (found 8 fields)",
        ),
        (
            {"images/a.png": _png(), "labelTxt/a.txt": "1 1 3 1 3 2 1 x plane 0\n"},
            "",
            "labelTxt/a.txt:1",
            "coordinate is not a number",
        ),
    ],
    ids=["no-split", "names-text", "yaml-list", "list-nul", "darknet-line", "dota-fields", "dota-number"],
)
def test_yolo_bad_input_is_one_error_naming_its_place(
    tmp_path: Path, files: dict[str, str | bytes | None], at: str, where: str, message: str
) -> None:
    root = _files(tmp_path / "ds", files)
    with pytest.raises(InputError) as err:
        labelkit.load(root / at, "yolo")
    assert str(err.value) == f"{root}/{where}: {message}"


def test_yolo_dota_labels_refuse_a_task_other_than_obb(tmp_path: Path) -> None:
    root = _files(tmp_path / "ds", {"images/a.png": _png(), "labelTxt/a.txt": "1 1 3 1 3 2 1 2 plane 0\n"})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert str(err.value) == f"{root}: DOTA label files hold rotated boxes: task detect cannot read them"
    (obj,) = labelkit.load(root, "yolo", task="obb").objects()  # (and the blank line between DOTA lines is passed)
    assert obj.bbox == (1.0, 1.0, 2.0, 1.0)


def test_yolo_dota_blank_lines_and_headers_are_passed_over(tmp_path: Path) -> None:
    text = "imagesource:x\ngsd:1\n\n1 1 3 1 3 2 1 2 plane 0\n  \n"
    root = _files(tmp_path / "ds", {"images/a.png": _png(), "labelTxt/a.txt": text})
    ds = labelkit.load(root, "yolo")
    assert [(o.bbox, ds.category(o.category_id).name) for o in ds.objects()] == [((1.0, 1.0, 2.0, 1.0), "plane")]


def test_yolo_image_size_file_must_be_an_object(tmp_path: Path) -> None:
    root = _files(tmp_path / "ds", {**_SPLIT, "data.yaml": "names: [a]\ntrain: images/train\n", "s.json": "[1, 2]"})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", image_sizes=str(root / "s.json"))
    assert str(err.value) == (
        f"{root}/s.json: an image-size file must be a JSON object (expected {{path: [width, height]}})"
    )


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_yolo_bad_task_is_a_usage_error(tmp_path: Path, write: bool) -> None:
    """Refused by the option's check; and by the format module's own, called directly (no registry)."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=4, height=3)))
    root = _files(tmp_path / "ds", {**_SPLIT, "data.yaml": "names: [a]\ntrain: images/train\n"})
    with pytest.raises(UsageError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task="x") if write else labelkit.load(root, "yolo", task="x")
    assert str(err.value) == (
        "bad value for option 'task' (expected auto or detect or segment or obb or pose or classify, found 'x')"
    )
    with pytest.raises(UsageError) as err:
        yolo.write(ds, tmp_path / "o", Report(), task="x") if write else yolo.read(root, task="x")
    assert str(err.value) == "bad task (expected detect, segment, obb, pose, classify, found x)"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("value", "extras"), [("1", {}), ("0", {"voc:difficult": 1})])
def test_voc_trainval_class_line_of_an_image_its_split_s_class_list_omits_is_read(
    tmp_path: Path, value: str, extras: dict[str, int]
) -> None:
    """dog_trainval.txt says 'a 1' where dog_train.txt (a's split's list of the class) has no line of a: the
    label was dropped unsaid (taken as said by dog_train.txt), and a read back as no dog."""
    size = "<size><width>4</width><height>3</height><depth>3</depth></size>"
    root = _files(
        tmp_path / "ds",
        {f"Annotations/{n}.xml": f"<annotation><filename>{n}.jpg</filename>{size}</annotation>" for n in "ab"}
        | {"ImageSets/Main/train.txt": "a\nb\n", "ImageSets/Main/dog_train.txt": "b 1\n"}
        | {"ImageSets/Main/dog_trainval.txt": f"a {value}\nb 1\n"},
    )
    ds = labelkit.load(root, "voc")
    assert [(x.item_id, ds.category(x.category_id).name, x.extras) for x in ds.labels()] == [
        ("b", "dog", {}),
        ("a", "dog", extras),
    ]
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "train")]
    assert ds.info.extras["voc:trainval"] is True
    report = labelkit.save(ds, tmp_path / "o", "voc")
    # (the labels are written to dog_train.txt, a's first: a reader numbers them so)
    assert report.lost == [] and [(c.what, c.count) for c in report.transformed] == [("label ids", 2)]
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(x.id, x.item_id) for x in back.labels()] == [("1", "a"), ("2", "b")]
    assert (tmp_path / "o/ImageSets/Main/dog_train.txt").read_text() == f"a {value:>2}\nb  1\n"


def test_voc_void_masks_of_another_size_are_one_report_line_with_or_without_the_image_size(tmp_path: Path) -> None:
    """A void mask of another size than its image's (known) and than its image's first mask (unknown size: the
    PNGs take that size) is one loss: the second was its own line, 'differs from the image' (no 's)."""
    mask = np.zeros((4, 6), bool)
    mask[0:2, 0:3] = True
    cell = raster.mask_to_rle(mask)
    rle = {"size": (4, 6), "counts": cell["counts"]}
    wrong = {k: v for k, v in raster.mask_to_rle(np.ones((3, 3), bool)).items() if v is not None}
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg"), split="train", metadata={"voc:void": wrong}))
    ds.add_item(
        Item(id="n", media=Media(path="n.jpg", width=6, height=4), split="train", metadata={"voc:void_class": wrong})
    )
    for n, item in enumerate("mn"):
        ds.add(Object(id=str(n), item_id=item, category_id=1, bbox=(0.0, 0.0, 3.0, 2.0), mask=rle))
    lost = [("segmentation void regions", 3, "the void mask's size differs from the image's")]
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count, c.reason) for c in err.value.report.lost] == lost
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == lost
    for kind in ("SegmentationClass/m", "SegmentationObject/m", "SegmentationClass/n"):
        assert not (np.asarray(Image.open(tmp_path / f"o/{kind}.png")) == 255).any()


def test_voc_labelmap_colour_of_bad_hex_digits_is_refused(tmp_path: Path) -> None:
    root = _files(tmp_path / "ds", {"Annotations/a.xml": _xml(), "labelmap.txt": "background:0,0,0::\ndog:#zz0000::\n"})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert str(err.value) == f"{root}/labelmap.txt:2: bad colour (expected r,g,b, found '#zz0000')"


def test_voc_per_class_lists_of_segmentation_and_layout_are_noted_not_read(tmp_path: Path) -> None:
    lists = {"ImageSets/Main/train.txt": "a\n", "ImageSets/Segmentation/dog_train.txt": "a 1\n"}
    root = _files(tmp_path / "ds", {"Annotations/a.xml": _xml(), **lists, "ImageSets/Layout/cat_val.txt": "a 1\n"})
    ds = labelkit.load(root, "voc")
    assert ds.read_notes == [
        "2 per-class ImageSets lists of a task other than Action (Segmentation/dog_train.txt first) were not read: "
        "VOC has none, and writing VOC does not write them"
    ]
    assert list(ds.labels()) == [] and [c.name for c in ds.categories] == ["dog"]


def test_voc_list_valued_attribute_is_written_comma_joined_and_reported(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=4, height=3), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0, 0, 1, 1), attributes={"s": ["x", "y,z"], "t": True}))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("objects with list-valued attributes", 1, "Pascal VOC attribute values are single texts")
    ]
    xml = (tmp_path / "o/Annotations/a.xml").read_text()
    assert (
        "<attributes>\n      <attribute>\n        <name>s</name>\n        <value>x,y,z</value>\n      </attribute>\n"
        "      <attribute>\n        <name>t</name>\n        <value>true</value>\n      </attribute>\n    </attributes>"
    ) in xml
    assert [o.attributes for o in labelkit.load(tmp_path / "o").objects()] == [{"s": "x,y,z", "t": True}]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("? [a, b]\n: 1\nnames: [a]\ntrain: images/train\n", "data.yaml:1", "invalid YAML: found unhashable key"),
        (
            "names: [a]\ntrain: images/train\nnc: !!int abc\n",
            "data.yaml:3",
            "invalid YAML: cannot read the value as int (ValueError: invalid literal for int() with base 10: 'abc')",
        ),
    ],
    ids=["list-key", "int-tag"],
)
def test_yolo_yaml_keys_and_tags_python_cannot_take_are_refused(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    root = _files(tmp_path / "ds", {**_SPLIT, "data.yaml": text})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == f"{root}/{where}: {message}"


def test_yolo_names_file_s_blank_last_lines_are_no_classes(tmp_path: Path) -> None:
    files = {"a.png": _png(), "a.txt": "1 .5 .5 .2 .2\n", "classes.txt": "cat\n dog \n\n  \n"}
    ds = labelkit.load(_files(tmp_path / "ds", files), "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [ds.category(o.category_id).name for o in ds.objects()] == ["dog"]
    assert ds.read_notes == []


@pytest.mark.parametrize("second", [1, 2], ids=["same-class", "other-class"])
def test_yolo_items_sharing_a_label_file_write_it_once_when_their_lines_agree_within_1e_9(
    tmp_path: Path, second: int
) -> None:
    """x.jpg (1 x 1) and x.png (3 x 3) share labels/train/x.txt: boxes normalised to 0.2 and 0.19999999999999998
    are one line, written once; a line of another class is refused before anything is written."""
    ds = Dataset(categories=[Category(id=1, name="a"), Category(id=2, name="b")])
    ds.add_item(Item(id="p", media=Media(path="x.jpg", width=1, height=1), split="train"))
    ds.add_item(Item(id="q", media=Media(path="x.png", width=3, height=3), split="train"))
    ds.add(
        Object(id="1", item_id="p", category_id=1, bbox=(0.1, 0.1, 0.2, 0.2)),
        Object(id="2", item_id="q", category_id=second, bbox=(0.3, 0.3, 0.6, 0.6)),
    )
    if second == 2:
        with pytest.raises(OutputError) as err:
            labelkit.save(ds, tmp_path / "o", "yolo")
        assert str(err.value) == (
            f"{tmp_path / 'o'}: items 'p' and 'q' would share the label file labels/train/x.txt with different "
            "lines; hint: give the items distinct image paths or splits"
        )
        assert not (tmp_path / "o").exists()
        return
    labelkit.save(ds, tmp_path / "o", "yolo")
    assert (tmp_path / "o/labels/train/x.txt").read_bytes() == b"0 0.2 0.2 0.2 0.2\n"
    back = labelkit.load(tmp_path / "o")
    assert [(o.item_id, o.bbox) for o in back.objects()] == [
        ("x.jpg", (0.1, 0.1, 0.2, 0.2)),
        ("x.png", (0.30000000000000004, 0.30000000000000004, 0.6000000000000001, 0.6000000000000001)),
    ]


def test_yolo_images_placed_by_media_copy_keep_their_extensions_in_the_ids_read_back(tmp_path: Path) -> None:
    """x.jpg and x.png of no size, copied (media=copy): their ids read back are x.jpg and x.png."""
    src = _files(tmp_path / "src", {"x.jpg": _png(), "x.png": _png()})
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="p", media=Media(path="x.jpg"), split="train"))
    ds.add_item(Item(id="q", media=Media(path="x.png"), split="train"))
    report = labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(src))
    assert [(c.what, c.count) for c in report.transformed] == [("category ids", 1), ("item ids", 2)]
    back = labelkit.load(tmp_path / "o")
    assert [(i.id, i.media.path) for i in back.items()] == [
        ("x.jpg", "images/train/x.jpg"),
        ("x.png", "images/train/x.png"),
    ]


def test_yolo_flat_folder_label_file_longer_than_the_detection_head_is_detected(tmp_path: Path) -> None:
    """Detection reads a label file's first 4 KB: the line it cuts ('0' of 0 0.5 0.5 0.25 0.125) is not judged."""
    line = b"0 0.5 0.5 0.25 0.125\n"
    assert 4096 % len(line) == 1
    root = _files(tmp_path / "ds", {"a.png": _png(), "a.txt": line * 300, "classes.txt": "cat\n"})
    found = labelkit.detect(root)
    assert (found.format, found.confidence) == ("yolo", 0.7)
    assert len(list(labelkit.load(root).objects())) == 300


def test_yolo_flat_folder_image_named_as_the_names_file_has_no_label_file(tmp_path: Path) -> None:
    """classes.png beside classes.txt (LabelImg's names file): an item of no objects, its names not labels."""
    files = {"a.png": _png(), "a.txt": "0 .5 .5 .2 .2\n", "classes.png": _png(), "classes.txt": "cat\n"}
    ds = labelkit.load(_files(tmp_path / "ds", files))
    assert [(i.id, i.media.path) for i in ds.items()] == [("a", "a.png"), ("classes", "classes.png")]
    assert [(o.item_id, ds.category(o.category_id).name) for o in ds.objects()] == [("a", "cat")]
    assert [c.name for c in ds.categories] == ["cat"] and ds.read_notes == []


def test_voc_comments_and_processing_instructions_inside_fields_are_passed_over(tmp_path: Path) -> None:
    """The parser keeps neither (no element, no note): what is not read beside them (<angle>) is counted alone."""
    box = "<bndbox><!-- corner --><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax><?pi x?><angle>5</angle>"
    box += "</bndbox>"
    root = _files(
        tmp_path / "ds",
        {"Annotations/a.xml": _xml(f"<object><name>dog</name>{box}<part><name>head</name>{box}</part></object>")},
    )
    ds = labelkit.load(root, "voc")
    assert ds.read_notes == ["2 XML elements or attributes labelkit does not read were left out: bndbox/angle (2)"]
    assert [(o.bbox, o.extras) for o in ds.objects()] == [
        ((0.0, 0.0, 2.0, 2.0), {"voc:parts": [{"name": "head", "bbox": [0.0, 0.0, 2.0, 2.0]}]})
    ]


@pytest.mark.parametrize(("imagesets", "lost"), [(None, [("items whose id is not one word", 1)]), ([], [])])
def test_voc_item_of_a_void_region_and_an_id_of_two_words_is_counted_unlisted(
    tmp_path: Path, imagesets: list[str] | None, lost: list[tuple[str, int]]
) -> None:
    """Its void PNG puts it in ImageSets/Segmentation/, which cannot list 'a b' (voc:imagesets [] lists it nowhere)."""
    void = {k: v for k, v in raster.mask_to_rle(np.ones((3, 4), bool)).items() if v is not None}
    meta: dict[str, object] = {"voc:void": void} | ({} if imagesets is None else {"voc:imagesets": imagesets})
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="a b", media=Media(path="a.jpg", width=4, height=3), metadata=meta))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == lost
    assert (tmp_path / "o/ImageSets/Main/train.txt").read_text() == ""
    assert (tmp_path / "o/ImageSets/Segmentation/train.txt").exists() == (imagesets is None)


def test_yolo_images_whose_ids_still_clash_are_refused_naming_both(tmp_path: Path) -> None:
    """x.jpg and x.png take their extensions (x.jpg, x.png); x.jpg.png's x.jpg then clashes, so both take their
    paths, one of which (images/train/x.jpg) images/train/images/train/x.jpg.png's own id already is.

    (That image's labels are where Ultralytics reads them, the last images folder made labels: a label file at
    labels/train/images/train/x.jpg.txt is no image's, and is passed over with a note.)"""
    images = ("x.jpg", "x.png", "x.jpg.png", "images/train/x.jpg.png")
    labels = ("labels/train/x.txt", "labels/train/x.jpg.txt", "images/train/labels/train/x.jpg.txt")
    files = {f"images/train/{n}": _png() for n in images} | {n: _LABEL for n in labels}
    root = _files(tmp_path / "ds", files | {"data.yaml": "names: [a]\ntrain: images/train\n"})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == (
        f"{root}: two files would be the item 'images/train/x.jpg': "
        f"{root}/images/train/images/train/x.jpg.png and {root}/images/train/x.jpg"
    )


def test_voc_write_in_small_batches_writes_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """XML files created a batch at a time, and PNG jobs waited for when too many are pending: as one batch."""
    from labelkit.formats import voc_masks, voc_write

    mask = np.zeros((3, 4), bool)
    mask[1:, 1:3] = True
    counts = raster.mask_to_rle(mask)["counts"]
    ds = Dataset(categories=[Category(id=1, name="dog")])
    for n in range(5):
        ds.add_item(Item(id=f"i{n}", media=Media(path=f"i{n}.jpg", width=4, height=3), split="train"))
        ds.add(
            Object(
                id=str(n),
                item_id=f"i{n}",
                category_id=1,
                bbox=(1.0, 1.0, 2.0, 2.0),
                mask={"size": (3, 4), "counts": counts},
            )
        )
    labelkit.save(ds, tmp_path / "one", "voc")
    monkeypatch.setattr(voc_write, "_XML_BATCH", 2)
    monkeypatch.setattr(voc_masks.PngPool.__init__, "__defaults__", (2, 1))
    labelkit.save(ds, tmp_path / "small", "voc")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    small = {p.relative_to(tmp_path / "small"): p.read_bytes() for p in (tmp_path / "small").rglob("*") if p.is_file()}
    assert small == one and len(one) == 5 * 3 + 3  # (XML, class and object PNGs; 2 lists, labelmap)


def test_voc_object_painted_over_whole_is_taken_off_its_own_counts_only(tmp_path: Path) -> None:
    """A mask-only object that the next one covers whole is lost (and its attributes with it, not counted apart);
    the loss its image has without it (its metadata) stays."""
    first, second = np.zeros((3, 4), bool), np.zeros((3, 4), bool)
    first[0:2, 0:2], second[0:3, 0:3] = True, True
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="m", media=Media(path="m.jpg", width=4, height=3), split="train", metadata={"note": "x"}))
    for n, mask in enumerate((first, second)):
        rle = {"size": (3, 4), "counts": raster.mask_to_rle(mask)["counts"]}
        ds.add(Object(id=str(n), item_id="m", category_id=1, mask=rle, attributes={"k": "v"} if n == 0 else {}))
    planned = labelkit.plan(ds, "voc")
    assert [(c.what, c.count) for c in planned.lost] == [("items with metadata", 1), ("object attribute sets", 1)]
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("items with metadata", 1), ("objects", 1)]
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("objects with a mask but no box", 1)]
    assert len(list(labelkit.load(tmp_path / "o", "voc").objects())) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("names: [a\ntrain: images/train\n", "x.yaml:2: invalid YAML: expected ',' or ']', but got ':'"),
        ("a: [\n", None),  # (no config: passed over, as a folder's other YAML files are)
        (_WORDS, None),  # (keys, not words: it was refused, "filenames" and "interval" taken for names and val)
    ],
    ids=["config", "other", "words"],
)
def test_yolo_folder_s_one_yaml_file_that_is_no_valid_yaml(tmp_path: Path, text: str, error: str | None) -> None:
    """A folder's one <name>.yaml (Ultralytics HUB's zips) of broken YAML: detection takes it as the config
    ('folder with x.yaml'), and reading passed it over unsaid, its class names read as class_0. One that reads
    as a config (names and train or val) is now refused at its line; another is passed over as before."""
    root = _files(tmp_path / "ds", {**_SPLIT, "x.yaml": text})
    if error is None:
        assert [c.name for c in labelkit.load(root, "yolo").categories] == ["class_0"]
        return
    assert labelkit.detect(root).reason == "folder with x.yaml"
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == f"{root}/{error}"


@pytest.mark.parametrize(
    "text", ["names: [a]\ntrain: images/train\n", "names: [a\ntrain: images/train\n", "a: [\n", _WORDS]
)
def test_yolo_config_of_an_upper_case_suffix_is_refused_even_of_broken_yaml(tmp_path: Path, text: str) -> None:
    """data.YAML, which Ultralytics does not read: refused when it holds names, and (was: passed over unsaid, the
    classes read as class_0) when its broken YAML's text names names and train; other broken YAML is passed over."""
    root = _files(tmp_path / "ds", {**_SPLIT, "data.YAML": text})
    if text in ("a: [\n", _WORDS):
        assert [c.name for c in labelkit.load(root, "yolo").categories] == ["class_0"]
        return
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == (
        f"{root}/data.YAML: a YOLO config whose suffix is not lower-case (*.YAML) is not read: its class names would "
        "be lost; hint: name it *.yaml: Ultralytics reads a config by its lower-case suffix only"
    )


def test_yolo_config_whose_split_cannot_be_looked_up_gives_only_its_root_as_input_place(tmp_path: Path) -> None:
    """The places a conversion must not write into: a split name too long to look up gives none (its read says)."""
    from click.testing import CliRunner

    from labelkit import api_places
    from labelkit.cli import cli

    root = _files(tmp_path / "ds", {**_SPLIT, "data.yaml": "names: [a]\ntrain: images/train\nval: " + "v" * 300})
    assert api_places.input_places(root) == [root, root, root]
    result = CliRunner().invoke(cli, ["convert", str(root), str(tmp_path / "o"), "--to", "voc"])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert result.stderr.startswith(f"labelkit: error: {root}/data.yaml:3 <val>: cannot read: File name too long")
    assert len(result.stderr.splitlines()) == 1


def test_yolo_size_side_file_entry_outside_an_images_folder_matches_no_label_file(tmp_path: Path) -> None:
    """Labels shipped without images: a side file's b.jpg (no /images/ in its path) would take b.txt, not there."""
    sizes = '{"images/train/a.jpg": [4, 3], "b.jpg": [8, 6]}'
    files = {"labels/train/a.txt": _LABEL, "data.yaml": "names: [a]\ntrain: images/train\n", "image_sizes.json": sizes}
    ds = labelkit.load(_files(tmp_path / "ds", files), "yolo")
    assert [(i.id, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [
        ("a", "images/train/a.jpg", 4, 3)
    ]
    assert [o.bbox for o in ds.objects()] == [(1.6, 1.2, 0.8, 0.6000000000000001)] and ds.read_notes == []


def test_voc_part_names_with_no_labelmap_line_to_go_on_are_not_added(tmp_path: Path) -> None:
    """The one class starts with '#' (reported: its line is a comment): the part 'wing' has no line to be declared
    on, and is read back from the XML alone."""
    ds = Dataset(categories=[Category(id=1, name="#a")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    part = {"name": "wing", "bbox": [1.0, 1.0, 2.0, 2.0]}
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 4, 4), extras={"voc:parts": [part]}))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("category names with leading or trailing spaces, or starting with '#'", 1)
    ]
    labelmap = (tmp_path / "o/labelmap.txt").read_text()
    assert labelmap == "# label:color_rgb:parts:actions\n# labelkit-category-ids: \n#a:128,0,0::\n"
    back = labelkit.load(tmp_path / "o", "voc")
    assert [c.name for c in back.categories] == ["#a"] and [o.extras for o in back.objects()] == [{"voc:parts": [part]}]


def test_voc_void_regions_of_an_image_nothing_sizes_are_lost_when_planned(tmp_path: Path) -> None:
    """Images of unknown size with no mask and no void region of a size (a side of 0, no counts): no PNG is
    painted, and their void regions (voc:void: both PNGs') are refused before anything is written."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    meta: list[dict[str, object]] = [
        {"voc:void": {"height": 3, "width": 0, "counts": "x"}},
        {"voc:void_object": {"runs": [1]}},
    ]
    for n, metadata in enumerate(meta):
        ds.add_item(Item(id=f"i{n}", media=Media(path=f"i{n}.jpg"), split="train", metadata=metadata))
    lost = [("segmentation void regions", 3, "a PNG needs the image size")]
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "voc")
    assert [(c.what, c.count, c.reason) for c in err.value.report.lost] == lost
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == lost
    assert not list((tmp_path / "o").glob("Segmentation*/*.png"))


@pytest.mark.parametrize(
    ("names", "read", "note", "written"),
    [
        (
            "names: [null, cat]\n",
            ["None", "cat"],
            "1 entry YAML reads as no text is named as Ultralytics names it (class 0: null at line 3, as 'None')",
            "  0: None\n  1: cat\n",
        ),
        (
            "names:\n  0: ~\n  1: NO\n  2: 7\n  3: 010\n  4: [a]\n  5: 'null'\n",
            ["None", "False", "7", "8", "['a']", "null"],
            "4 entries YAML reads as no text are named as Ultralytics names them (the first, class 0: ~ at line 4, "
            "as 'None')",
            "  0: None\n  1: 'False'\n  2: '7'\n  3: '8'\n  4: '[''a'']'\n  5: 'null'\n",
        ),
    ],
    ids=["null-in-list", "map-of-odd-values"],
)
def test_yolo_names_entries_yaml_reads_as_no_text_are_noted(
    tmp_path: Path, names: str, read: list[str], note: str, written: str
) -> None:
    """A ``names`` entry of null was read as the class 'None' (Python's str(None), as Ultralytics names it)
    unsaid, and so were ``NO`` (YAML's false) as 'False' and ``010`` (octal) as '8': read so still, with a note;
    YOLO -> YOLO writes those names as text, which reads back the same, with no note."""
    root = _files(tmp_path / "ds", {**_SPLIT, "data.yaml": f"train: images/train\nval: images/train\n{names}"})
    ds = labelkit.load(root, "yolo")
    assert [c.name for c in ds.categories] == read
    assert ds.read_notes == [f"data.yaml's names: {note}; quote a name to keep it as written"]
    labelkit.save(ds, tmp_path / "o", "yolo")
    assert (tmp_path / "o/data.yaml").read_text().split("names:\n")[1] == written
    back = labelkit.load(tmp_path / "o", "yolo")
    assert ([c.name for c in back.categories], back.read_notes) == (read, [])


def test_yolo_obb_corners_outside_the_image_are_written_clipped_as_reported(tmp_path: Path) -> None:
    """OBB -> OBB of corners past the image's right edge (1.25) reported them clipped to [0, 1], and wrote the
    numbers reading kept (``yolo:@obb_numbers``), 1.25, as they give back the rotated box: written clipped."""
    files = {
        "images/train/a.png": _png(100, 50),
        "labels/train/a.txt": "0 0.1 0.1 1.25 0.1 1.25 0.9 0.1 0.9\n0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n",
        "data.yaml": "train: images/train\nval: images/train\nnames: [c]\n",
    }
    ds = labelkit.load(_files(tmp_path / "ds", files), "yolo")
    assert [o.extras for o in ds.objects()] == [{"yolo:@obb_numbers": [[2, 1.25], [4, 1.25]]}, {}]
    report = labelkit.save(ds, tmp_path / "o", "yolo")
    assert [str(t) for t in report.transformed] == ["1 objects: coordinates outside the image were clipped to [0, 1]"]
    assert (tmp_path / "o/labels/train/a.txt").read_bytes() == (
        b"0 0.1 0.1 1.0 0.1 1.0 0.9 0.1 0.9\n0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n"
    )


def test_yolo_validate_names_each_line_whose_coordinates_writing_clips_or_loses(tmp_path: Path) -> None:
    """A label line of coordinates outside 0..1 passed ``validate`` (``ds: ok``), while YOLO -> YOLO clipped it
    (a transformed line) or lost its object (refused without --allow-loss): each is now a finding at its line,
    in the report's words; a box ending on the image's edge (0.9 + 0.1) is not one, nor is a box whose numbers
    are in [0, 1] but whose edge crosses the image's (0.95 + 0.1, or 6 decimals 0.0000005 past it): Ultralytics
    reads those as they are (writing YOLO clips them, a transformed line of convert's report)."""
    lines = (
        "0 1.5 0.5 0.2 0.2\n\n0 0.5 -0.1 0.2 0.2\n0 0.95 0.5 0.2 0.2\n0 0.9 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n"
        "0 0.5 0.5 1.2 0.2\n0 0.880637 0.5 0.238727 0.2\n"
    )
    files = {"images/train/a.png": _png(100, 50), "labels/train/a.txt": lines, "data.yaml": "train: images/train\n"}
    root = _files(tmp_path / "ds", files)
    at = f"{root}/labels/train/a.txt"
    lost = (
        "an object with no area inside the image: the box lies outside the image: clipped to it, it would have no "
        "width or height: writing YOLO loses it"
    )
    clipped = "coordinates outside the image: writing YOLO clips them to [0, 1]"
    assert [str(f) for f in labelkit.validate(root)] == [f"{at}:1: {lost}", f"{at}:3: {lost}", f"{at}:7: {clipped}"]
    report = labelkit.convert(root, tmp_path / "o", "yolo", allow_loss=True)
    assert [str(x) for x in report.lost] == [
        "2 objects with no area inside the image: the box lies outside the image: clipped to it, it would have no "
        "width or height"
    ]
    assert [str(x) for x in report.transformed] == [  # (objects 2, 4, 5, 6, 7 are written: read back as 1 to 5)
        "5 object ids: YOLO detect has no annotation ids: a reader numbers them 1, 2, ... in the order it reads them",
        "3 objects: coordinates outside the image were clipped to [0, 1]",
    ]
    assert labelkit.validate(tmp_path / "o") == []  # (what was written: clipped, and the lost objects left out)


def test_yolo_pose_marks_of_missing_points_are_written_back_only_where_still_missing(tmp_path: Path) -> None:
    """A [K, 2] file's point marked missing (``-1 -1``) is written back as read (``yolo:@marked_missing``) by a
    write without a visibility column, only while the point is still not labelled at 0 0: one labelled since is
    written as it is now, and a write with a visibility column writes ``0.0 0.0 0``."""
    files = {
        "images/train/a.png": _png(100, 50),
        "labels/train/a.txt": "0 0.5 0.5 0.4 0.4 -1 -1 0.5 0.5\n0 0.5 0.5 0.4 0.4 -1 -1 0.5 0.5\n",
        "data.yaml": "train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [2, 2]\n",
    }
    ds = labelkit.load(_files(tmp_path / "ds", files), "yolo")
    assert [o.extras for o in ds.objects()] == [{"yolo:@marked_missing": [[0, -1.0, -1.0]]}] * 2
    objects = ds.table("objects")
    points = [[0.0, 0.0, 0.0, 50.0, 25.0, 2.0], [10.0, 5.0, 2.0, 50.0, 25.0, 2.0]]  # (the second labelled since)
    ds.set_table("objects", objects.set_column(objects.schema.get_field_index("keypoints"), "keypoints", [points]))
    labelkit.save(ds, tmp_path / "o2", "yolo")
    assert (tmp_path / "o2/labels/train/a.txt").read_text() == (
        "0 0.5 0.5 0.4 0.4 -1.0 -1.0 0.5 0.5\n0 0.5 0.5 0.4 0.4 0.1 0.1 0.5 0.5\n"
    )
    labelkit.save(ds, tmp_path / "o3", "yolo", kpt_dims=3)
    assert (tmp_path / "o3/labels/train/a.txt").read_text() == (
        "0 0.5 0.5 0.4 0.4 0.0 0.0 0 0.5 0.5 2\n0 0.5 0.5 0.4 0.4 0.1 0.1 2 0.5 0.5 2\n"
    )


def test_voc_image_name_of_surrounding_whitespace_gets_no_filename(tmp_path: Path) -> None:
    """YOLO's image `` a.png`` (item `` a``) was written ``<filename> a.png</filename>``, which VOC readers strip:
    it read back as ``JPEGImages/a.png``, the image of item ``a``, even where media=copy had placed `` a.png``,
    unsaid. It gets no ``<filename>``: without its image it reads back without an image path, reported lost;
    with media=copy its image is found by its id."""
    root = _files(tmp_path / "m", {"images/train/ a.png": _png(20, 10), "images/train/a.png": _png(30, 30)})
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for item_id, size in ((" a", 20), ("a", 30)):
        ds.add_item(
            Item(id=item_id, media=Media(path=f"images/train/{item_id}.png", width=size, height=10), split="train")
        )
        ds.add(Object(id=item_id, item_id=item_id, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    lost = [(x.what, x.count) for x in labelkit.plan(ds, "voc").lost]
    assert lost == [("items whose id is not one word", 1), ("item image paths", 1)]
    labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert (tmp_path / "o/Annotations/ a.xml").read_text().startswith("<annotation>\n  <size>\n")
    back = labelkit.load(tmp_path / "o", "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [("a", "JPEGImages/a.png"), (" a", None)]
    options = {"media": "copy", "media_root": str(root)}
    assert [(x.what, x.count) for x in labelkit.plan(ds, "voc", **options).lost] == lost[:1]
    labelkit.save(ds, tmp_path / "c", "voc", allow_loss=True, **options)
    back = labelkit.load(tmp_path / "c", "voc")
    assert [(i.id, i.media.path) for i in back.items()] == [("a", "JPEGImages/a.png"), (" a", "JPEGImages/ a.png")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_darknet_list_that_is_a_fifo_is_an_error_at_its_line(tmp_path: Path) -> None:
    """obj.data's train = train.txt naming a FIFO read as a note, 'names no list file found: nothing of it is
    read', its split's images lost; as data.yaml's list that is one, it is an error at the line naming it."""
    root = _files(
        tmp_path / "darknet",
        {
            "obj.data": "classes = 1\ntrain = train.txt\nvalid = val.txt\nnames = obj.names\n",
            "obj.names": "a\n",
            "val.txt": "obj_val_data/c.jpg\n",
            "obj_val_data/c.txt": "0 0.5 0.5 0.2 0.2\n",
        },
    )
    Image.new("RGB", (4, 3)).save(root / "obj_val_data/c.jpg")
    os.mkfifo(root / "train.txt")
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert str(err.value) == (
        f"{root / 'obj.data'}:2: obj.data's train names no file but a device, pipe or socket (found 'train.txt'); "
        "hint: name the train split's list of images, a path a line (train = train.txt)"
    )


def _config_apart(tmp_path: Path, absolute: bool) -> Path:
    """A dataset ds/images/train with its data.yaml in ds/cfg (``../images/train``), or in proj/ (absolute paths)."""
    (tmp_path / "ds/images/train").mkdir(parents=True)
    (tmp_path / "ds/labels/train").mkdir(parents=True)
    Image.new("RGB", (640, 480)).save(tmp_path / "ds/images/train/a.jpg")
    (tmp_path / "ds/labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    folder = tmp_path / ("proj" if absolute else "ds/cfg")
    folder.mkdir()
    train = tmp_path / "ds/images/train" if absolute else "../images/train"
    (folder / "data.yaml").write_text(f"train: {train}\nval: {train}\nnames: [cat]\n")
    return folder / "data.yaml"


@pytest.mark.parametrize("absolute", [False, True])
def test_a_data_yaml_apart_from_its_images_reads_the_same_paths_from_any_folder(
    absolute: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``path``, splits outside the config's folder gave image paths relative to the folder the command
    ran in (``ds/images/train/a.jpg``), or absolute from inside the dataset, which media=copy refused."""
    config = _config_apart(tmp_path, absolute)
    monkeypatch.chdir(tmp_path)
    here = [i.media.path for i in labelkit.load(config.relative_to(tmp_path)).items()]
    monkeypatch.chdir(config.parent)
    there = [i.media.path for i in labelkit.load("data.yaml").items()]
    assert here == there == ["images/train/a.jpg"]
    labelkit.convert("data.yaml", tmp_path / "out", to="yolo", media="copy", media_root=str(tmp_path / "ds"))
    assert (tmp_path / "out/images/train/a.jpg").read_bytes() == (tmp_path / "ds/images/train/a.jpg").read_bytes()


def test_a_data_yaml_split_outside_its_folder_beside_one_inside_reads_the_same_paths_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``val: ../ext/images/val`` beside ``train: images/train`` in ``ds/data.yaml``: the outside split's image paths
    were relative to the folder the command ran in (``w/ext/images/val/b.jpg`` from above ``w``, ``ext/...`` from
    ``w``); now relative to the dataset's folder, as the inside split's are."""
    for name, folder in (("a", "w/ds/images/train"), ("b", "w/ext/images/val")):
        (tmp_path / folder).mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(tmp_path / folder / f"{name}.jpg")
        (tmp_path / folder.replace("images", "labels")).mkdir(parents=True)
        (tmp_path / folder.replace("images", "labels") / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "w/ds/data.yaml").write_text("train: images/train\nval: ../ext/images/val\nnames: [cat]\n")
    paths = []
    for here, config in ((tmp_path, "w/ds/data.yaml"), (tmp_path / "w", "ds/data.yaml"), (tmp_path / "w/ds", ".")):
        monkeypatch.chdir(here)
        paths.append([(i.id, i.media.path) for i in labelkit.load(config, "yolo").items()])
    assert paths == [[("a", "images/train/a.jpg"), ("b", "../ext/images/val/b.jpg")]] * 3
    with pytest.raises(InputError, match=r"item 'b': unsafe file name '\.\./ext/images/val/b\.jpg'"):
        labelkit.convert(".", tmp_path / "out", to="yolo", media="copy", media_root=".")
    assert not (tmp_path / "out").exists()


def test_a_data_yaml_read_through_a_link_whose_split_climbs_out_reads_the_folder_the_climb_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``link -> real/ds``, ``link/cfg/data.yaml``'s ``val: ../../ext/images/val``: Ultralytics resolves the climb
    through the link (``real/ext``); its image paths were ``link/cfg/../../ext/images/val/b.jpg``, which
    ``media=copy`` refused as unsafe."""
    data = tmp_path / "data"
    for name, folder in (("a", "real/ds/images/train"), ("b", "real/ext/images/val")):
        (data / folder).mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(data / folder / f"{name}.jpg")
        (data / folder.replace("images", "labels")).mkdir(parents=True)
        (data / folder.replace("images", "labels") / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (data / "real/ds/cfg").mkdir()
    (data / "real/ds/cfg/data.yaml").write_text("train: ../images/train\nval: ../../ext/images/val\nnames: [a]\n")
    (data / "link").symlink_to("real/ds")
    monkeypatch.chdir(data)
    ds = labelkit.load("link/cfg/data.yaml", "yolo")
    assert [(i.id, i.media.path) for i in ds.items()] == [
        ("a", "link/images/train/a.jpg"),
        ("b", "real/ext/images/val/b.jpg"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=str(data))
    assert (tmp_path / "out/images/val/real/ext/images_/val/b.jpg").read_bytes() == (
        data / "real/ext/images/val/b.jpg"
    ).read_bytes()


_SIZED = "<size><width>10</width><height>10</height><depth>3</depth></size>"
_BOX5 = "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"


def test_voc_images_only_task_lists_name_stay_out_of_main_lists(tmp_path: Path) -> None:
    """VOC2012's Action and Layout images (people only) are in no Main list: VOC -> VOC listed them in
    Main/train.txt and as -1 in every class's list (false negatives of the detection set), unsaid."""
    root = _files(
        tmp_path / "in",
        {
            "Annotations/a.xml": f"<annotation><filename>a.jpg</filename>{_SIZED}<object><name>dog</name>{_BOX5}"
            "</object></annotation>",
            "Annotations/e.xml": f"<annotation><filename>e.jpg</filename>{_SIZED}<object><name>person</name>{_BOX5}"
            "<actions><jumping>1</jumping></actions></object></annotation>",
            "ImageSets/Main/train.txt": "a\n",
            "ImageSets/Main/dog_train.txt": "a  1\n",
            "ImageSets/Action/train.txt": "e\n",
            "ImageSets/Action/jumping_train.txt": "e 1  1\n",
        },
    )
    ds = labelkit.load(root, "voc")
    assert [(i.id, i.split, i.metadata) for i in ds.items()] == [
        ("a", "train", {}),
        ("e", "train", {"voc:main": False}),
    ]
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == [] and beside_ids(report.transformed) == []
    lists = {
        p.relative_to(tmp_path / "out/ImageSets").as_posix(): p.read_text()
        for p in (tmp_path / "out/ImageSets").rglob("*.txt")
    }
    assert lists == {
        "Main/train.txt": "a\n",
        "Main/dog_train.txt": "a  1\n",
        "Action/train.txt": "e\n",
        "Action/jumping_train.txt": "e 1  1\n",
    }
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


def _action_only(tmp_path: Path, main: str) -> Dataset:
    """VOC2012's layout: image e in Action lists only (so ``voc:main: false``), beside ``main`` in Main."""
    files: dict[str, str | bytes | None] = {
        "Annotations/e.xml": f"<annotation><filename>e.jpg</filename>{_SIZED}<object><name>person</name>{_BOX5}"
        "<actions><jumping>1</jumping></actions></object></annotation>",
        "ImageSets/Main/train.txt": "".join(f"{n}\n" for n in main),
        "ImageSets/Action/train.txt": "e\n",
        "ImageSets/Action/jumping_train.txt": "e 1  1\n",
    }
    files |= {
        f"Annotations/{n}.xml": f"<annotation><filename>{n}.jpg</filename>{_SIZED}<object><name>dog</name>{_BOX5}"
        "</object></annotation>"
        for n in main
    }
    return labelkit.load(_files(tmp_path / "in", files), "voc")


def test_voc_item_in_no_main_list_with_image_labels_is_written_in_main_with_them(tmp_path: Path) -> None:
    """Its labels were dropped (no class list named it), and nothing was reported lost."""
    ds = _action_only(tmp_path, "a")
    dog = next(c.id for c in ds.categories if c.name == "dog")
    ds.add(Label(id="1", item_id="e", category_id=dog))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    main = tmp_path / "out/ImageSets/Main"
    assert (main / "train.txt").read_text() == "a\ne\n"
    assert (main / "dog_train.txt").read_text() == "e  1\n"  # (a shows a dog: no -1 line)
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.split, i.metadata) for i in back.items()] == [("a", "train", {}), ("e", "train", {})]
    assert [(lab.item_id, lab.category_id) for lab in back.labels()] == [("e", dog)]


def test_voc_item_in_no_main_list_that_no_task_list_names_keeps_its_split(tmp_path: Path) -> None:
    """Of voc:main false and no actions (as COCO gives it back with its flags dropped), it was in no list at all,
    and read back in split train, not val; nothing was reported."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    ds.add_item(Item(id="a", split="train"))
    ds.add_item(Item(id="e", split="val", metadata={"voc:main": False}))
    ds.add(Object(id="1", item_id="e", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    assert report.lost == []
    assert (tmp_path / "out/ImageSets/Main/val.txt").read_text() == "e\n"
    back = labelkit.load(tmp_path / "out", "voc")
    assert [(i.id, i.split, i.metadata) for i in back.items()] == [("a", "train", {}), ("e", "val", {})]


def test_voc_items_all_in_no_main_list_keep_it_by_an_empty_main_list(tmp_path: Path) -> None:
    """With no item in Main, no Main list was written, and voc:main false was not read back."""
    ds = _action_only(tmp_path, "")
    assert [(i.id, i.metadata) for i in ds.items()] == [("e", {"voc:main": False})]
    assert labelkit.save(ds, tmp_path / "out", "voc").lost == []
    assert (tmp_path / "out/ImageSets/Main/train.txt").read_text() == ""
    assert canonical(labelkit.load(tmp_path / "out", "voc")) == canonical(ds)


@pytest.mark.parametrize(
    "order",
    [
        ["e:train:Action", "a:train", "b:val:Action"],
        ["b:val:Action", "s:train:Segmentation", "a:val", "l:train:Layout", "c:train"],
        ["a:train", "e:train:Action", "c:val"],
        ["t:trainval:Action", "e:train:Action", "a:val"],
        ["a:train", "f:zzz:Action", "e:trainval:Action"],  # (Action has no train or val list: trainval by name)
    ],
)
def test_voc_object_ids_are_counted_with_items_in_no_main_list_read_after_the_others(
    order: list[str], tmp_path: Path
) -> None:
    """A reader lists the items of a Main list first, then those task lists alone name (task by task, split by
    split): they were ranked among the others (the objects of e, then a, read back as 2, 1, said unchanged)."""
    ds = Dataset(categories=[Category(id=1, name="person")])
    for k, spec in enumerate(order, 1):
        item_id, split, *task = spec.split(":")
        meta: dict[str, object] = {"voc:main": False, "voc:imagesets": task} if task else {}
        ds.add_item(Item(id=item_id, split=split, metadata=meta))
        extras = {"voc:actions": {"jumping": 1}} if task == ["Action"] else {}
        ds.add(Object(id=str(k), item_id=item_id, category_id=1, bbox=(1, 1, 2, 2), extras=extras))
    report = labelkit.save(ds, tmp_path / "out", "voc")
    back = {o.item_id: o.id for o in labelkit.load(tmp_path / "out", "voc").objects()}
    changed = sum(back[o.item_id] != o.id for o in ds.objects())
    assert changed
    assert [c.count for c in report.transformed if c.what == "object ids"] == [changed]


def test_voc_action_list_lacking_its_flags_beside_a_split_list_is_an_error_at_its_line(tmp_path: Path) -> None:
    """It was read as a split named jumping_train, and writing VOC then refused its file as both that split's
    list and action jumping's list of split train."""
    root = _files(
        tmp_path / "in",
        {
            "Annotations/a.xml": f"<annotation><filename>a.jpg</filename>{_SIZED}<object><name>person</name>{_BOX5}"
            "<actions><jumping>1</jumping></actions></object></annotation>",
            "ImageSets/Main/train.txt": "a\n",
            "ImageSets/Action/train.txt": "a\n",
            "ImageSets/Action/jumping_train.txt": "a 1\n",
        },
    )
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert str(err.value) == (
        f"{root}/ImageSets/Action/jumping_train.txt:1: action list line needs an image, an object index and a flag "
        "(found 2 fields)"
    )


@pytest.mark.parametrize(
    ("main", "segmentation", "written"),
    [
        ({"train": "a\n", "val": "b\n", "trainval": "a\nb\n"}, {"val": "b\n", "trainval": "b\n"}, "b\n"),
        ({"train": "a\n", "val": "b\n", "trainval": "a\nb\nc\n"}, {"val": "a\n", "trainval": "a\nc\n"}, "a\nc\n"),
    ],
)
def test_voc_trainval_list_of_a_kind_with_one_of_train_and_val_is_written_again(
    main: dict[str, str], segmentation: dict[str, str], written: str, tmp_path: Path
) -> None:
    """Segmentation's trainval list was left out where Segmentation had no train list, or written without the
    val list's items (c, of a split named trainval, alone)."""
    files: dict[str, str | bytes | None] = {
        f"Annotations/{n}.xml": f"<annotation><filename>{n}.jpg</filename></annotation>" for n in "abc"
    }
    files |= {f"ImageSets/Main/{k}.txt": v for k, v in main.items()}
    files |= {f"ImageSets/Segmentation/{k}.txt": v for k, v in segmentation.items()}
    root = _files(tmp_path / "in", files)
    labelkit.convert(root, tmp_path / "out", to="voc", from_format="voc")
    assert (tmp_path / "out/ImageSets/Segmentation/trainval.txt").read_text() == written
    assert (tmp_path / "out/ImageSets/Segmentation/val.txt").read_text() == segmentation["val"]


def test_voc_item_fields_that_are_no_text_are_written_as_json_spells_them(tmp_path: Path) -> None:
    """They were written as Python spells them: ['a', 'b'], None, True, {'x': 1}."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    meta = {"voc:path": ["a", "b"], "voc:source": {"database": None, "t": True}, "voc:owner": {"deep": {"x": 1}}}
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=8), split="train", metadata=meta))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    assert [(c.what, c.count) for c in report.transformed] == [
        ("items with a folder, path, source, owner, depth or segmented flag that reads back otherwise", 1)
    ]
    xml = (tmp_path / "out/Annotations/a.xml").read_text()
    assert '<path>["a","b"]</path>' in xml
    assert "<database>null</database>\n    <t>true</t>" in xml and '<deep>{"x":1}</deep>' in xml
    [back] = labelkit.load(tmp_path / "out", "voc").items()
    assert back.metadata == {
        "voc:path": '["a","b"]',
        "voc:source": {"database": "null", "t": "true"},
        "voc:owner": {"deep": '{"x":1}'},
    }


def test_a_data_yaml_apart_from_its_splits_below_a_folder_named_images_keeps_its_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder named images above the dataset was taken for the splits' own: the root moved above the dataset."""
    for base in ("images", "data"):
        for split in ("train", "val"):
            (tmp_path / base / "proj" / split / "images").mkdir(parents=True)
            (tmp_path / base / "proj" / split / "labels").mkdir(parents=True)
            Image.new("RGB", (10, 10)).save(tmp_path / base / "proj" / split / "images" / f"{split}1.jpg")
            (tmp_path / base / "proj" / split / "labels" / f"{split}1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
        (tmp_path / base / "proj/cfg").mkdir()
        (tmp_path / base / "proj/cfg/data.yaml").write_text("train: ../train\nval: ../val\nnames: [x]\n")
    monkeypatch.chdir(tmp_path)
    paths = [
        [i.media.path for i in labelkit.load(f"{base}/proj/cfg/data.yaml", "yolo").items()]
        for base in ("images", "data")
    ]
    assert paths[0] == paths[1] == ["train/images/train1.jpg", "val/images/val1.jpg"]


def test_voc_validate_names_every_annotation_xml_that_cannot_be_read(tmp_path: Path) -> None:
    """Validate stopped at the first bad XML: one finding, the others found one fix at a time."""
    root = _files(
        tmp_path / "ds",
        {
            "Annotations/a.xml": "<annotation><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
            "<xmax>x</xmax><ymax>3</ymax></bndbox></object></annotation>",
            "Annotations/b.xml": "<annotation><filename>b.jpg</filename>\n<object>",
            "Annotations/c.xml": "<annotation><filename>c.jpg</filename></annotation>",
        },
    )
    assert [str(f) for f in labelkit.validate(root)] == [
        f"{root}/Annotations/a.xml <annotation/object[1]/bndbox/xmax>: <xmax> is not a number (found 'x')",
        f"{root}/Annotations/b.xml:2: invalid XML: no element found: line 2, column 8",
    ]
    (root / "Annotations/a.xml").unlink()
    (root / "Annotations/b.xml").unlink()
    (root / "ImageSets/Main").mkdir(parents=True)
    (root / "ImageSets/Main/train.txt").write_text("c d\n")  # (another file's error: the one finding)
    assert [str(f) for f in labelkit.validate(root)] == [
        f"{root}/ImageSets/Main/train.txt:1: a split list line holds one image name (found 'c d')"
    ]


def test_yolo_validate_names_the_first_bad_line_of_every_label_file(tmp_path: Path) -> None:
    """Validate stopped at the first bad line of the dataset: one finding, the others found one fix at a time.
    Each file's first bad line is named, in the words the read uses for it alone."""
    lines = {"a": "0 0.5 0.5 0.2 0.2\n0 0.5 x 0.2 0.2\n", "b": "0 0.5 0.5 0.2 0.2\n", "c": "0 0.5 0.5 0.2\n"}
    lines["d"] = "5 0.5 0.5 0.2 0.2\n0 0.5 0.5\n"
    lines["e"] = "0 0.5 0.5 0.2\n5 0.5 0.5 0.2 0.2\n"  # (a class id is checked while parsing, a count after)
    files: dict[str, str | bytes | None] = {"data.yaml": "train: images/train\nnames: [a, b]\n"}
    for name, text in lines.items():
        files[f"images/train/{name}.png"] = _png(10, 10)
        files[f"labels/train/{name}.txt"] = text
    root = _files(tmp_path / "ds", files)
    at = f"{root}/labels/train"
    segment = "wrong number of fields for YOLO segment (expected class then at least 3 x y points (or a 5-field box)"
    assert [str(f) for f in labelkit.validate(root)] == [
        f"{at}/a.txt:2: coordinate is not a number (found 'x')",
        f"{at}/c.txt:1: {segment}, found 4 fields)",
        f"{at}/d.txt:1: class id 5 is beyond names (2 classes) (expected < 2)",
        f"{at}/e.txt:1: {segment}, found 4 fields)",  # (its line 2 was named: the read names line 1)
    ]
    for name in "acde":
        (root / f"labels/train/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("train: images/train\nnames: {0: a, x: b}\n")  # (the config's: the one finding)
    assert len(labelkit.validate(root)) == 1 and labelkit.validate(root)[0].path == f"{root}/data.yaml"


def test_yolo_object_ids_of_images_sharing_a_label_file_are_counted_in_their_path_order(tmp_path: Path) -> None:
    """x.png and x.jpg share labels/train/x.txt; a reader lists them by image path (x.jpg first), and the count
    kept the dataset's order for them (2 said, where 3 ids read back otherwise)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for k, (item_id, path, split) in enumerate(
        [("p", "x.png", "train"), ("a", "a.jpg", "train"), ("q", "x.jpg", "train"), ("z", "z.jpg", "val")], 1
    ):
        ds.add_item(Item(id=item_id, split=split, media=Media(path=path, width=10, height=10)))
        box = (1.0, 1.0, 1.0, 1.0) if item_id in "pq" else (float(k), float(k), 1.0, 1.0)
        ds.add(Object(id=str(k), item_id=item_id, category_id=1, bbox=box))
    report = labelkit.save(ds, tmp_path / "o", "yolo", media="none", allow_loss=True)
    back = [(o.item_id, o.id) for o in labelkit.load(tmp_path / "o", "yolo").objects()]
    assert back == [("a", "1"), ("x.jpg", "2"), ("x.png", "3"), ("z", "4")]
    assert [c.count for c in report.transformed if c.what == "object ids"] == [3]


def test_voc_object_ids_count_an_item_in_no_main_list_whose_mask_is_not_written_as_main_s(tmp_path: Path) -> None:
    """With masks=none no Segmentation list names it: the writer puts it in Main, read first, and the count took
    it for one a Segmentation list names (no object ids said, where two read back otherwise)."""
    mask = np.zeros((10, 10), bool)
    mask[2:5, 2:5] = True
    rle = {"size": (10, 10), "counts": raster.mask_to_rle(mask)["counts"]}
    ds = Dataset(categories=[Category(id=1, name="person")])
    specs = [
        ("a", "train", {}),
        ("s", "a", {"voc:main": False}),
        ("e", "train", {"voc:main": False, "voc:imagesets": ["Action"]}),
    ]
    for k, (item_id, split, meta) in enumerate(specs, 1):
        ds.add_item(
            Item(id=item_id, split=split, metadata=meta, media=Media(path=f"{item_id}.jpg", width=10, height=10))
        )
        extras = {"voc:actions": {"jumping": 1}} if item_id == "e" else {}
        ds.add(
            Object(
                id=str(k),
                item_id=item_id,
                category_id=1,
                bbox=(2, 2, 3, 3),
                mask=rle if item_id == "s" else None,
                extras=extras,
            )
        )
    report = labelkit.save(ds, tmp_path / "out", "voc", masks="none", allow_loss=True)
    assert [(o.item_id, o.id) for o in labelkit.load(tmp_path / "out", "voc").objects()] == [
        ("s", "1"),
        ("a", "2"),
        ("e", "3"),
    ]
    assert [c.count for c in report.transformed if c.what == "object ids"] == [2]


# -- the library never prints --------------------------------------------------------------------------


def _broken_exif_jpeg() -> bytes:
    """A JPEG whose EXIF block names a tag's value past its end: Pillow warns "Truncated File Read"."""
    import struct

    plain = _image_bytes(Image.new("RGB", (40, 30)), "JPEG")
    tiff = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 2)
    tiff += struct.pack("<HHII", 0x112, 3, 1, 6) + struct.pack("<HHII", 0x10F, 2, 12, 4000)
    exif = b"Exif\0\0" + tiff
    return plain[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + plain[2:]


def test_the_library_warns_of_nothing_on_a_broken_exif_block_or_an_overflowing_box(tmp_path: Path) -> None:
    """Pillow's warning of a camera's broken EXIF block, and numpy's of a rotated box of 1.7e308 overflowing,
    reached stderr from labelkit.load and labelkit.convert (the CLI filtered them): the library never prints."""
    import warnings

    root = _files(
        tmp_path / "yx",
        {
            "images/train/a.jpg": _broken_exif_jpeg(),
            "labels/train/a.txt": "0 0.5 0.5 0.2 0.2\n",
            "data.yaml": "train: images/train\nval: images/train\nnames: [x]\n",
        },
    )
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.7e308, 1.7e308, 1.7e308, 1.7e308), angle=15.0))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        (item,) = labelkit.load(root, "yolo").items()
        labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert [str(w.message) for w in seen] == []
    assert (item.media.width, item.media.height) == (30, 40)  # (orientation 6 read: turned)


def test_the_library_warns_of_nothing_on_a_png_past_pillow_s_pixel_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow warns (DecompressionBombWarning, on stderr) of a segmentation PNG past its pixel limit, which it
    still opens: the library never prints. (The limit is lowered here: 12 pixels are past 10, not past 20.)"""
    import warnings

    classes = np.zeros((3, 4), np.uint8)
    classes[0, 0] = 12
    image = Image.fromarray(classes, "P")
    image.putpalette([v for rgb in voc.voc_palette() for v in rgb])
    root = _files(tmp_path / "ds", {"Annotations/a.xml": _xml(""), "SegmentationClass/a.png": _image_bytes(image)})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        (obj,) = labelkit.load(root, "voc").objects()
    assert [str(w.message) for w in seen] == []
    assert obj.extras == {"voc:semantic": True}


def _yolo_folder(root: Path, config: dict[str, str], images: tuple[str, ...] = ("images/train/x.png",)) -> Path:
    """A YOLO folder of 4 x 3 PNGs, each with one box of class 1 beside it under labels/, and ``config`` files."""
    for name in images:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(_png())
        label = root / name.replace("images/", "labels/", 1)
        label.parent.mkdir(parents=True, exist_ok=True)
        label.with_suffix(".txt").write_text("1 0.5 0.5 0.5 0.5\n")
    for name, text in config.items():
        (root / name).write_text(text)
    return root


def test_a_folder_of_several_yaml_configs_none_named_as_it_is_refused(tmp_path: Path) -> None:
    """Its class names were dropped unsaid: the folder read as class_0, class_1, as if it had no config."""
    yaml = "path: .\ntrain: images/train\nval: images/train\nnames: [cat, dog]\n"
    root = _yolo_folder(tmp_path / "ds", {"coco_v1.yaml": yaml, "coco_v2.yaml": yaml})
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (
        err.value.message
        == "2 YOLO data configs (coco_v1.yaml, coco_v2.yaml), none named as the folder: which one to read is not known"
    )
    assert err.value.location.path == str(root)
    assert [c.name for c in labelkit.load(root / "coco_v2.yaml", "yolo").categories] == ["cat", "dog"]
    (root / "ds.yaml").write_text(yaml.replace("cat", "lion"))  # (one named as the folder: that one)
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["lion", "dog"]
    (root / "coco_v1.yaml").unlink()
    (root / "ds.yaml").unlink()
    (root / "hyp.yaml").write_text("lr0: 0.01\n")  # (another YAML beside the one config: it was left unread too)
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["cat", "dog"]


def test_two_darknet_data_files_none_named_as_the_folder_are_refused(tmp_path: Path) -> None:
    """The folder was read as a layout of none, and its train.txt as a label file: 'class id must be a ...'."""
    root = _yolo_folder(
        tmp_path / "dd", {"obj.names": "cat\ndog\n", "train.txt": "obj_train_data/x.png\n"}, ("obj_train_data/x.png",)
    )
    data = "classes = 2\ntrain = train.txt\nnames = obj.names\n"
    (root / "a.data").write_text(data)
    (root / "b.data").write_text(data)
    with pytest.raises(InputError, match=r": 2 Darknet data files \(a.data, b.data\), none named as the folder"):
        labelkit.load(root, "yolo")


def test_only_a_data_prefix_is_dropped_from_a_path_not_found(tmp_path: Path) -> None:
    """Any first folder was: typo/images/train/x.png read images/train/x.png, its labels with it, unsaid."""
    root = _yolo_folder(
        tmp_path / "ds",
        {"data.yaml": "path: .\ntrain: train.txt\nnames: [cat, dog]\n", "train.txt": "typo/images/train/x.png\n"},
    )
    ds = labelkit.load(root, "yolo")
    assert [(o.item_id) for o in ds.objects()] == []  # (an image not found: no objects, and a read note says so)
    assert any("1 list line names an image not found" in n for n in ds.read_notes)
    (root / "train.txt").write_text("data/images/train/x.png\n")  # (Darknet's and Datumaro's habit: found without it)
    assert len(list(labelkit.load(root, "yolo").objects())) == 1


@pytest.mark.parametrize(
    ("target", "options"),
    [("yolo", {"task": "obb"}), ("yolo", {"task": "segment"}), ("yolo", {"task": "detect"}), ("coco", {})],
)
def test_a_box_turned_past_the_image_with_bounds_over_it_is_lost_not_clipped_into_a_corner(
    tmp_path: Path, target: str, options: dict[str, str]
) -> None:
    """Turned 45 degrees, centred at (1000, 1000) of a 640 x 480 image: its bounds reach (152, 152), none of it does.
    OBB and segment wrote the image's corner clipped from its corners (a triangle of 80,000 pixels), detect and COCO
    its bounds or corners clipped, each only 'clipped'; a box turned over the image's corner is still written."""
    ds = Dataset(categories=[Category(id=1, name="ship")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    ds.add(Object(id="past", item_id="a", category_id=1, bbox=(400.0, 400.0, 1200.0, 1200.0), angle=45.0))
    ds.add(Object(id="over", item_id="a", category_id=1, bbox=(600.0, 400.0, 100.0, 100.0), angle=45.0))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", target, **options)
    report = labelkit.save(ds, tmp_path / "out", target, allow_loss=True, **options)
    lost = {(c.what, c.count) for c in report.lost}
    assert (
        "objects with no area inside the image" if target == "yolo" else "objects with no area inside their image",
        1,
    ) in lost
    assert report.written["object annotations"] == 1


@pytest.mark.parametrize("task", ["obb", "segment"])
def test_a_polygon_inside_beside_a_box_turned_past_the_image_is_written(tmp_path: Path, task: str) -> None:
    """The turned box's bounds cover the image, so its polygon was taken to be inside with it, unmeasured, and the
    object lost for its box (a review found it); as beside an unturned box outside, the polygon is written."""
    ds = Dataset(categories=[Category(id=1, name="ship")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    inside = [[10.0, 10.0, 50.0, 10.0, 50.0, 50.0, 10.0, 50.0]]
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(400.0, 400.0, 1200.0, 1200.0), angle=45.0, polygon=inside))
    report = labelkit.save(ds, tmp_path / "out", "yolo", task=task, allow_loss=True)
    assert report.written["object annotations"] == 1
    assert (tmp_path / "out/labels/train/a.txt").read_text().count("\n") == 1


@pytest.mark.parametrize("task", ["segment", "detect"])
def test_a_polygon_whose_only_other_ring_is_short_is_of_holes_alone(tmp_path: Path, task: str) -> None:
    """A 2-point ring beside a hole: the short ring is no ring, so the polygon covers nothing; segment wrote the hole
    as a filled ring and detect its bounds as a box (a probe of COCO's holes found it here too)."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=12, height=10), split="train"))
    ds.add(
        Object(
            id="1",
            item_id="a",
            category_id=1,
            polygon=[[0.0, 0], [1.0, 1, 5, 1, 5, 5, 1, 5]],
            polygon_holes=[False, True],
        )
    )
    report = labelkit.save(ds, tmp_path / "out", "yolo", task=task, allow_loss=True)
    assert (tmp_path / "out/labels/train/a.txt").read_text() == ""
    assert sum(c.count for c in report.lost if c.what.startswith("objects")) == 1


@pytest.mark.parametrize("masks", ["auto", "all"])
def test_a_polygon_of_holes_alone_gives_no_voc_box(tmp_path: Path, masks: str) -> None:
    """VOC wrote the hole's bounds as the object's box (by default reporting nothing at all): a region a detector
    trains on where the object has none. Beside a box of its own, the box is written."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=12, height=10), split="train"))
    hole = [[1.0, 1, 5, 1, 5, 5, 1, 5]]
    ds.add(Object(id="bare", item_id="a", category_id=1, polygon=hole, polygon_holes=[True]))
    ds.add(
        Object(id="boxed", item_id="a", category_id=1, polygon=hole, polygon_holes=[True], bbox=(0.0, 0.0, 3.0, 3.0))
    )
    report = labelkit.save(ds, tmp_path / "out", "voc", masks=masks, allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons of holes alone", 1), ("objects of holes alone", 1)]
    assert (tmp_path / "out/Annotations/a.xml").read_text().count("<object>") == 1


@pytest.mark.parametrize(
    ("first", "label"),
    [
        ("images/train/a.jpg", "train/train/a.txt"),
        ("JPEGImages/a.jpg", "train/JPEGImages/a.txt"),  # (a review found these still lost, as before)
        ("images/a.jpg", "train/images_/a.txt"),
    ],
)
def test_an_image_whose_stripped_name_is_another_images_keeps_its_split_folder(
    tmp_path: Path, first: str, label: str
) -> None:
    """COCO's images/train/a.jpg beside a.jpg, both in train: the prefix taken off, both were a.jpg, and one item was
    lost for its files being the other's; as the README says, the first keeps the folder it was read from."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    for n, path in enumerate([first, "a.jpg"]):
        ds.add_item(Item(id=str(n), media=Media(path=path, width=8, height=6), split="train"))
        ds.add(Object(id=str(n), item_id=str(n), category_id=1, bbox=(1.0 + 2 * n, 1.0, 2.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "out", "yolo")
    assert report.lost == []
    labels = sorted(str(p.relative_to(tmp_path / "out/labels")) for p in (tmp_path / "out/labels").rglob("*.txt"))
    assert labels == sorted(["train/a.txt", label])
