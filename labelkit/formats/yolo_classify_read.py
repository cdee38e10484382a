"""Reading YOLO classify folders (``<split>/<class>/<image>``): finding their splits, and their layout.

Beside a ``data.yaml`` too (Ultralytics' own classify configs, ``ImageNet.yaml``: ``train: train``, ``val: val``),
:func:`classify_config` says when one describes such folders. Used by :mod:`labelkit.formats.yolo_folders`.
"""

from __future__ import annotations

import os
from pathlib import Path

from labelkit.errors import InputError
from labelkit.formats.yolo_classify import CLASSIFY_EXTENSIONS, CLASSIFY_SPLITS, readable_image
from labelkit.formats.yolo_config_read import (
    SPLIT_NAMES,
    config_root,
    config_split_keys,
    moved_root_note,
    named_root,
    parse_names,
)
from labelkit.formats.yolo_layout import APPLE_DOUBLE, IMAGE_DIRS, LABEL_DIRS, Entry, Layout, images_under, rel_path
from labelkit.formats.yolo_listing import without_suffix
from labelkit.formats.yolo_media import is_image_name
from labelkit.formats.yolo_yaml import load_yaml
from labelkit.io import names_are_utf8, require_utf8_name
from labelkit.portable import by_name


def classify_splits(root: Path) -> list[Path]:
    """The split folders of a classification layout (``<split>/<class>/<image>``): see :func:`_classify_folders`."""
    return _classify_folders(root)[0]


def _classify_folders(root: Path) -> tuple[list[Path], list[Path]]:
    """Split folders of a classification layout (``<split>/<class>/<image>``), and folders passed over beside them.

    The first 8 class folders by name are looked into (in the folder's listing order, which differs between
    machines, the same dataset was read with or without a split) for label files (``.txt``): a split has none
    there, and an image in some class folder, or below it, as Ultralytics' ``ImageFolder`` reads them. (A class
    folder holding no image, only a note, say, does not make its split something else: every other image of
    the split was left out unsaid.) Beside such a split of a name a reader looks for, another of those names
    holding an image is one too, even with a ``.txt`` file in a class folder (a licence, notes), unless a class
    folder is named as an images or labels folder: Ultralytics trains on it, and it was left out unsaid.
    A split of that name whose class folders are all empty is one too: of no items (``test/`` to fill later)
    beside others; alone, a dataset of those classes and no items, as a classify write leaves it when no image
    goes where a reader looks.

    Only folders of those names are splits, as Ultralytics reads no other: one of another name beside them that
    would be one (Ultralytics' own ``runs/classify/train/`` when trained from inside the dataset, ``docs/figs/``)
    is returned second, for the read note naming it (it was a split, its folders classes, unsaid).
    """
    splits = []
    texts = []  # splits of a reader's name whose first class folders hold a .txt file, and an image
    bare = []  # splits of class folders holding nothing at all
    for sub in _subfolders(root) if root.is_dir() else []:
        classes = _subfolders(sub)
        if not classes:
            continue
        if not any(f.suffix == ".txt" for c in classes[:8] for f in c.iterdir()):
            # (below a folder named images or labels: a detect layout's, train/images/v1/x.jpg beside
            # train/labels/v1/x.txt, whose label files lie deeper than looked for)
            layout = any(c.name in (*IMAGE_DIRS, *LABEL_DIRS) for c in classes)
            if any(_holds_image(c, deep=not layout) for c in classes):  # (stops at the first image)
                splits.append(sub)
            elif sub.name in CLASSIFY_SPLITS and _empty_class_folders(classes):
                bare.append(sub)
        elif sub.name in CLASSIFY_SPLITS and not any(c.name in (*IMAGE_DIRS, *LABEL_DIRS) for c in classes):
            texts.append(sub)
    if any(s.name in CLASSIFY_SPLITS for s in splits):
        more = [s for s in texts if any(_holds_image(c) for c in _subfolders(s))]
        # (and a split of a reader's name of empty class folders, test/ to fill later: a split of no items,
        # its classes the dataset's, written back so; it was passed over unsaid)
        named = [s for s in splits if s.name in CLASSIFY_SPLITS]
        return sorted(named + more + bare, key=by_name), [s for s in splits if s.name not in CLASSIFY_SPLITS]
    # no image in any split a reader looks for: its empty class folders are the classes of a dataset of no items
    # (as a classify write whose every image went unwritten leaves them)
    return bare, []


def not_classify(root: Path) -> InputError:
    """The error for a folder read with ``task=classify`` that holds no classify split, saying what it holds.

    It said ``no images or label files found`` of a detect dataset's ``images/`` and ``labels/``.
    """
    subs = _subfolders(root) if root.is_dir() else []
    named = [s for s in subs if s.name in CLASSIFY_SPLITS]
    hint = None
    for folder in (root, *named):  # (Roboflow's train/images/ and train/labels/ too)
        found_dirs = [
            c for c in (subs if folder == root else _subfolders(folder)) if c.name in (*IMAGE_DIRS, *LABEL_DIRS)
        ]
        if found_dirs:
            listed = ", ".join(f"{rel_path(str(c), root)}/" for c in found_dirs[:3])
            found = f"{listed}, a detect, segment, OBB or pose dataset's folders"
            hint = "leave task=classify out to read it as it is"
            break
    else:
        if named:
            split = named[0]
            classes = _subfolders(split)
            label = next((t for c in classes[:8] if (t := min(_txt_files(c), default=None)) is not None), None)
            if not classes:
                found = f"{split.name}/ holding no class folder"
            elif label is not None:
                found = f"a label file in a class folder ({rel_path(str(label), root)})"
            else:
                found = f"no image in the class folders of {split.name}/"
        elif subs:
            listed = ", ".join(f"{s.name}/" for s in subs[:3]) + (", ..." if len(subs) > 3 else "")
            found = f"{listed}, none of train/, val/, valid/, validation/, test/"
        else:
            found = "no folder"
    return InputError(
        f"not a YOLO classify layout (train/, val/ or test/ holding a folder of images per class): found {found}",
        path=root,
        hint=hint,
    )


def _holds_image(folder: Path, deep: bool = True) -> bool:
    """Whether a file of an image name lies in ``folder``, or (``deep``) below it (links to folders not followed)."""
    for _, dirs, files in os.walk(folder):
        if any(is_image_name(f) and not f.startswith(APPLE_DOUBLE) for f in files):
            return True
        if not deep:
            dirs.clear()
    return False


def _txt_files(folder: Path) -> list[Path]:
    """The label files (``.txt``) in ``folder``."""
    return [f for f in folder.iterdir() if f.suffix == ".txt"]


def _empty_class_folders(classes: list[Path]) -> bool:
    """Whether folders are empty class folders: nothing in them, none named as a YOLO images or labels folder.

    An empty ``train/images`` and ``train/labels`` is a detect layout without files, not two classes.
    """
    return not any(c.name in (*IMAGE_DIRS, *LABEL_DIRS) or any(c.iterdir()) for c in classes)


def _subfolders(folder: Path) -> list[Path]:
    """The folders in ``folder``, by name: one listing, no file looked at (a split of 118k images took seconds).

    By name as text, not by ``sorted`` of Paths, which Windows' Path compares ignoring case (``a/`` before ``B/``).
    """
    with os.scandir(folder) as entries:
        return sorted((folder / e.name for e in entries if e.is_dir()), key=by_name)


def classify_config(config_path: Path) -> Path | None:
    """The root of the classify folders a ``data.yaml`` describes, or None: it describes another layout.

    Ultralytics' own classify configs (``ImageNet.yaml``: ``train: train``, ``val: val``, ``names``) name split
    folders of class folders: such a config, every split of which names a folder that :func:`classify_splits` takes
    for a split of its root (``path``, else its folder), describes them (it was read as detect, every image without
    objects, unsaid). A list of images, or a folder of no classify split (``images/train``), is another layout's.
    """
    config = load_yaml(config_path)
    root = config_root(config_path, config)
    splits = {os.path.realpath(s) for s in classify_splits(root)}
    named: set[str] = set()
    for key in config_split_keys(config) if splits else []:
        for value in config[key] if isinstance(config[key], list) else [config[key]]:
            if not isinstance(value, str):
                return None
            folder = root / value  # (an absolute value as it is)
            if folder.is_dir():
                named.add(os.path.realpath(folder))
            elif os.path.lexists(folder):  # (a list of images)
                return None
    return root if named and named <= splits else None


def _config_notes(config_path: Path, classes: list[str]) -> list[str]:
    """The read notes on a classify layout's ``data.yaml``: names other than its class folders', keys not kept."""
    config = load_yaml(config_path)
    notes = []
    if config.get("names") is not None:
        names = parse_names(config["names"], config_path)
        if names != classes:  # (Ultralytics' classify reader numbers the folders by name, whatever names says)
            notes.append(
                f"{config_path.name}'s names ({_listed(names)}) are not its class folders by name ({_listed(classes)}):"
                " the classes are the folders, numbered by name, as Ultralytics' classify reader numbers them"
            )
    elif type(config.get("nc")) is int and config["nc"] != len(classes):
        notes.append(
            f"{config_path.name}'s nc: {config['nc']} is not the count of its class folders ({len(classes)}): the "
            "classes are the folders, numbered by name, as Ultralytics' classify reader numbers them"
        )
    if config.get("path") and named_root(config_path, config) is None:  # (as the detect layout says it)
        notes.append(moved_root_note(config_path, config))
    unkept = [str(k) for k in config if k not in ("path", "names", "nc", *SPLIT_NAMES, *config_split_keys(config))]
    if unkept:  # (as ultralytics_layout names them: a download could fetch the original over a converted one)
        notes.append(
            f"{config_path.name}'s {', '.join(unkept)} not kept: a classify dataset is written as its folders alone, "
            f"with no {config_path.name}"
        )
    return notes


def _listed(names: list[str], most: int = 5) -> str:
    return ", ".join(names[:most]) + (", ..." if len(names) > most else "")


def classify_layout(root: Path, config_path: Path | None = None) -> Layout:
    """The layout of the classify folders of ``root`` (:func:`classify_splits`).

    ``config_path``: the ``data.yaml`` describing them (:func:`classify_config`), whose names are named in a read
    note when they are not the folders', and keys a classify write does not keep.

    Raises:
        InputError: ``root`` holds no classify split (:func:`not_classify`), or a class folder's name is not UTF-8
            where names are read as another encoding.
    """
    splits, passed = _classify_folders(root)
    if not splits:
        raise not_classify(root)
    classes = sorted({c.name for s in splits for c in s.iterdir() if c.is_dir()})
    for name in classes if not names_are_utf8() else []:  # (ISO-8859-1 reads a UTF-8 name as other text: refused)
        require_utf8_name(name, root)
    layout = Layout(root=root, names=classes, classify=True)
    layout.notes += _config_notes(config_path, classes) if config_path is not None else []
    if passed:  # (runs/classify/train/, Ultralytics' own: a split runs, its folders classes, unsaid)
        layout.notes.append(
            f"{', '.join(p.name for p in passed)} {'holds' if len(passed) == 1 else 'hold'} folders of images beside "
            "the split folders: not read, as Ultralytics reads only the splits named train, val, valid, validation "
            "and test"
        )
    stray = [
        f"{split.name}/{name}"
        for split in splits
        for name in sorted(os.listdir(split))
        if is_image_name(name) and not name.startswith(APPLE_DOUBLE) and (split / name).is_file()
    ]
    if stray:  # (Ultralytics, as torchvision's ImageFolder, passes over them too: they were passed over unsaid)
        layout.notes.append(
            f"{len(stray):,} images lie in a split folder beside its class folders ({stray[0]} first): no class "
            "names them, and they are not read, as Ultralytics does not read them"
        )
    listed = [
        (f"{split.name}/{c.name}/{name}", c / name)
        for split in splits
        for c in _subfolders(split)
        for name in sorted(os.listdir(c))
    ]
    texts = [rel for rel, f in listed if f.name[-4:].lower() == ".txt" and f.is_file()]
    # (ImageFolder lists .ppm and .pgm, which Ultralytics' image check then drops, and labelkit's readers take
    # neither: in a class folder, passed over with the other extensions' note, where they went unsaid)
    portable = [rel for rel, f in listed if f.name[-4:].lower() in (".ppm", ".pgm") and f.is_file()]
    if texts:  # (ImageFolder reads images only; a split with one in its first class folders was left out unsaid)
        layout.notes.append(
            f"{len(texts):,} .txt files lie in class folders ({texts[0]} first): a classify dataset's labels are "
            "its folders, and they are not read, as Ultralytics does not read them"
        )
    others: list[str] = list(portable)  # (images of an extension ImageFolder does not list, .dng, .heic: read unsaid)
    for split in splits:
        layout.splits_read.append(split.name)
        for class_dir in sorted((c for c in split.iterdir() if c.is_dir()), key=by_name):
            for image in images_under(class_dir):
                if not readable_image(image.name):
                    others.append(rel_path(image, root))
                    continue
                layout.entries.append(Entry(split.name, without_suffix(rel_path(image, class_dir)), str(image), None))
                layout.config.setdefault("_class_of", {})[str(image)] = class_dir.name
    if others := sorted(others):
        layout.notes.append(
            f"{len(others):,} images in class folders are of an extension Ultralytics' classify reader does not list "
            f"({others[0]} first): they are not read, as Ultralytics does not read them (its classify reader takes "
            f"{', '.join(CLASSIFY_EXTENSIONS[:-1])} and {CLASSIFY_EXTENSIONS[-1]} only)"
        )
    return layout
