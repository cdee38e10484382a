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


def test_an_image_of_a_hidden_folder_the_sizes_file_names_is_read_and_not_noted(tmp_path: Path) -> None:
    """The image sizes file names it, so its label file is read with it: the note said it was not read (a review
    found it; -o image_sizes is how large datasets skip reading image headers)."""
    root = tmp_path / "ds"
    _image(root / "images/train/a.jpg")
    _image(root / "images/train/.cache/b.jpg")
    _text(root / "labels/train/a.txt", BOX)
    _text(root / "labels/train/.cache/b.txt", BOX)
    _data_yaml(root)
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [40, 20], "images/train/.cache/b.jpg": [40, 20]}')
    ds = labelkit.load(root, "yolo")
    assert sorted(i.id for i in ds.items()) == [".cache/b", "a"]
    assert not [n for n in ds.read_notes if "hidden" in n]
