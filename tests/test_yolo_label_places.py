"""YOLO: where an image's label file is looked for (Ultralytics' img2label_paths first), and what a split reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

import labelkit

BOX = "0 0.5 0.5 0.5 0.5\n"
SMALL = "0 0.5 0.5 0.2 0.2\n"


def _image(path: Path, size: tuple[int, int] = (40, 20)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size).save(path)


def _text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _data_yaml(root: Path, text: str = "train: images/train\nval: images/train\nnames: [x]\n") -> None:
    _text(root / "data.yaml", text)


def _objects(ds: labelkit.Dataset) -> dict[str, int]:
    """The objects of each item, by item id."""
    ids = ds.table("objects")["item_id"].to_pylist()
    return {i: ids.count(i) for i in ds.table("items")["id"].to_pylist()}


def test_a_subfolder_named_images_in_a_split_has_its_labels_where_ultralytics_looks(tmp_path: Path) -> None:
    # Ultralytics: images/train/Images/a.jpg -> labels/train/Images/a.txt (the last "/images/", case-sensitive);
    # the inner Images was taken for the images folder, and the label file refused as one of no image
    _image(tmp_path / "images/train/Images/a.jpg")
    _text(tmp_path / "labels/train/Images/a.txt", BOX)
    _image(tmp_path / "images/train/b/images/c.jpg")  # (the last "images" is the inner one: its labels are b/labels)
    _text(tmp_path / "images/train/b/labels/c.txt", BOX + SMALL)
    _data_yaml(tmp_path)
    ds = labelkit.load(tmp_path, "yolo")
    assert _objects(ds) == {"Images/a": 1, "b/images/c": 2}
    assert ds.read_notes == []


def test_a_label_file_no_image_has_beside_one_read_is_passed_over_with_a_note(tmp_path: Path) -> None:
    # labels/train/x/images/a.txt mirrors images/train/x/images/a.jpg, whose labels Ultralytics reads at
    # images/train/x/labels/a.txt: it was read as a label file whose image is missing (exit 2)
    _image(tmp_path / "images/train/x/images/a.jpg")
    _text(tmp_path / "images/train/x/labels/a.txt", BOX)
    _text(tmp_path / "labels/train/x/images/a.txt", BOX + SMALL)
    _image(tmp_path / "images/train/x/images/b.jpg")
    _text(tmp_path / "labels/train/x/images/b.txt", BOX)
    _data_yaml(tmp_path)
    ds = labelkit.load(tmp_path, "yolo")
    assert _objects(ds) == {"x/images/a": 1, "x/images/b": 0}
    assert ds.read_notes == [
        "2 label files mirror images read but are not their label files (labels/train/x/images/a.txt first, of "
        "images/train/x/images/a.jpg, whose labels are at images/train/x/labels/a.txt): not read, as Ultralytics "
        "reads an image's labels where the last images folder of its path becomes labels"
    ]


def test_a_data_yaml_image_has_its_labels_where_ultralytics_reads_them_only(tmp_path: Path) -> None:
    # images/train/a.jpg's labels are labels/train/a.txt or none (a background image, as Ultralytics trains on
    # it): a caption beside it made the dataset unreadable (a class id must be ...), and YOLO lines in
    # Labels/train/c.txt were objects Ultralytics never sees
    root = tmp_path / "ds"
    for name in "abc":
        _image(root / f"images/train/{name}.jpg")
    _text(root / "images/train/a.txt", "a photo of a cat\n")
    _text(root / "labels/train/b.txt", BOX)
    _text(root / "Labels/train/c.txt", SMALL)
    _data_yaml(root)
    ds = labelkit.load(root, "yolo")
    assert _objects(ds) == {"a": 0, "b": 1, "c": 0}
    assert ds.read_notes == [
        "2 images have no label file where Ultralytics reads them, but .txt files where other YOLO layouts read "
        "labels (images/train/a.txt first, of images/train/a.jpg): not read as their labels, as Ultralytics trains "
        "on them as images without objects"
    ]
    _text(root / "train.txt", "images/train/b.jpg\nimages/train/c.jpg\n")  # (a list: the same)
    _data_yaml(root, "train: train.txt\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    assert _objects(ds) == {"images/train/b": 1, "images/train/c": 0}
    assert ds.read_notes == [
        "1 image has no label file where Ultralytics reads it, but a .txt file where other YOLO layouts read labels "
        "(Labels/train/c.txt, of images/train/c.jpg): not read as its labels, as Ultralytics trains on it as an "
        "image without objects"
    ]
    (root / "data.yaml").unlink()  # Darknet's lists read the other places still
    _text(root / "obj.data", "classes = 1\ntrain = train.txt\nnames = obj.names\n")
    _text(root / "obj.names", "x\n")
    ds = labelkit.load(root, "yolo")
    assert _objects(ds) == {"images/train/b": 1, "images/train/c": 1}
    assert ds.read_notes == [  # (the caption, a's label file to Darknet)
        "1 image with a label file of its own lies beside the listed ones, but no list names it (images/train/a.jpg): "
        "not read, as Darknet and Ultralytics train on the images their lists name"
    ]
    # but Roboflow's "YOLO OBB" export: train/images beside train/labelTxt (DOTA lines); a dataset of no images
    # folder of its own (train: train) has its labels beside its images, wherever it sits (in /data/images/ds
    # too, whose "images" Ultralytics would take)
    obb = tmp_path / "obb"
    _image(obb / "train/images/a.jpg")
    _text(obb / "train/labelTxt/a.txt", "1 1 5 1 5 5 1 5 x 0\n")
    _data_yaml(obb, "train: train/images\nnames: [x]\n")
    assert _objects(labelkit.load(obb, "yolo")) == {"a": 1}
    flat = tmp_path / "images/ds"
    _image(flat / "train/a.jpg")
    _text(flat / "train/a.txt", BOX)
    _data_yaml(flat, "train: train\nnames: [x]\n")
    ds = labelkit.load(flat, "yolo")
    assert (_objects(ds), ds.read_notes) == ({"a": 1}, [])


def test_validation_beside_val_is_a_split_of_its_own_and_written_back(tmp_path: Path) -> None:
    # Ultralytics' check_det_dataset renames validation to val only where val is absent: beside val, its images
    # are no split Ultralytics reads; they were merged into val unsaid (and a YOLO write validated on them)
    root = tmp_path / "ds"
    for split, folder in (("train", "train"), ("val", "val"), ("validation", "old")):
        _image(root / f"images/{folder}/{split}.jpg")
        _text(root / f"labels/{folder}/{split}.txt", BOX)
    _data_yaml(root, "train: images/train\nval: images/val\nvalidation: images/old\nnames: [x]\n")
    note = (
        "data.yaml's validation is read as a split of its own, validation, beside val: Ultralytics takes validation "
        "for val only where there is no val, and reads none of its images beside one"
    )
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("train", "train"), ("val", "val"), ("validation", "validation")]
    assert ds.read_notes == [note]
    labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=str(root))
    assert (tmp_path / "out/data.yaml").read_text().splitlines()[1:4] == [
        "train: images/train",
        "val: images/val",
        "validation: images/validation",
    ]
    back = labelkit.load(tmp_path / "out", "yolo")
    assert [(i.split, i.media.path) for i in back.items()] == [
        ("train", "images/train/train.jpg"),
        ("val", "images/val/val.jpg"),
        ("validation", "images/validation/old/validation.jpg"),
    ]
    assert back.read_notes == [note]
    shutil.rmtree(root / "images/val")
    _data_yaml(root, "train: images/train\nvalidation: images/old\nnames: [x]\n")  # (without val: it is val)
    ds = labelkit.load(root, "yolo")
    assert ([(i.id, i.split) for i in ds.items()], ds.read_notes) == ([("train", "train"), ("validation", "val")], [])


def test_images_in_hidden_folders_are_passed_over_with_a_note(tmp_path: Path) -> None:
    # Ultralytics finds a split's images with glob, which passes over hidden folders (Picasa's backups of the
    # originals): they were items it never trains on, unsaid; a hidden file (.b.jpg) is read, as before
    root = tmp_path / "ds"
    for name in ("a.jpg", ".b.jpg", ".picasaoriginals/a.jpg", "cam/.cache/c.jpg"):
        _image(root / "images/train" / name)
    _text(root / "labels/train/a.txt", BOX)
    _text(root / "labels/train/.b.txt", SMALL)
    _text(root / "labels/train/.picasaoriginals/a.txt", BOX)
    _data_yaml(root)
    ds = labelkit.load(root, "yolo")
    assert _objects(ds) == {".b": 1, "a": 1}
    assert ds.read_notes == [
        "2 images lie in hidden folders (images/train/.picasaoriginals/a.jpg first): they are not read, as "
        "Ultralytics' glob passes over hidden folders"
    ]
    (root / "data.yaml").unlink()  # a loose layout (a names file beside images/ and labels/): the same
    _text(root / "classes.txt", "x\n")
    _image(root / "images/.trash/d.jpg")  # (a hidden folder beside the splits is no split)
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [(".b", "train"), ("a", "train")]
    assert ds.read_notes == [
        "3 images lie in hidden folders (images/.trash/d.jpg first): they are not read, as Ultralytics' glob passes "
        "over hidden folders"
    ]
