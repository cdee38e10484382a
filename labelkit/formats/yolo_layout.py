"""YOLO layouts: the entries of a dataset (split, key, image path, label path), its config files and label folders.

A layout is a list of entries plus the class names and task hints. The config files are found and label
folders read here; names files, list files and what a ``data.yaml`` names (its root and split sources) are
read in :mod:`labelkit.formats.yolo_config_read`; the layouts ``data.yaml`` and ``obj.data`` describe, with
their image lists, are built in :mod:`labelkit.formats.yolo_configs`; the layouts a folder alone makes (flat,
loose, DOTA, classification) in :mod:`labelkit.formats.yolo_folders`, which also finds the layout of a path;
:mod:`labelkit.formats.yolo` parses the label files.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labelkit.errors import InputError
from labelkit.formats.base import empty_splits_read, splits_named_again
from labelkit.formats.yolo_media import is_image_name, not_a_file
from labelkit.formats.yolo_yaml import load_yaml
from labelkit.io import Inside, walk_files, walk_linked
from labelkit.model import Dataset
from labelkit.portable import by_name, windows_cannot_hold

_NAMES_FILES = ("data.yaml", "data.yml", "dataset.yaml", "obj.names", "classes.txt", "classes.names")
LABEL_DIRS = ("labels", "Labels", "annotations", "Annotations", "labelTxt")
IMAGE_DIRS = ("images", "Images", "JPEGImages")
CONFIG_KEYS = {
    "path",
    "names",
    "nc",
    "download",
    "kpt_shape",
    "flip_idx",
    "kpt_names",
    "channels",
    "task",
    "yaml_file",
}

EMPTY_SPLITS = "yolo:@empty_splits"
"""The dataset info extra of a dataset read from YOLO whose config names a split of no image (``test:
images/test``, an empty folder; Darknet's ``test = test.txt``, an empty list): its splits, which writing YOLO
names again, with an empty folder or list (a reader's bookkeeping: no other format reports it)."""


MAX_KEYPOINTS = 10_000
"""The largest K of ``kpt_shape`` read (Ultralytics' own sets have 17 or fewer; this only bounds memory)."""
DARKNET_RESERVED = {"classes", "names", "backup", "eval", "results", "eval_type", "task", "map", "difficult"}
"""``obj.data`` keys Darknet reads as other than a split's list (``map``: ``validate_detector``'s class-id map;
``difficult``: AlexeyAB's list of difficult labels for ``-map``): no split is written or read under them."""
LABELIMG_NAMES = "classes.txt"
"""The names file LabelImg writes among its label files: not a label file unless an image is named so."""


def find_config(root: Path) -> Path | None:
    """The dataset's config in ``root``: a ``data.yaml``-like file, a names file, or ``obj.data``.

    Raises:
        InputError: something that is no file is at one of their names (:func:`not_a_file`).
    """
    for name in _NAMES_FILES:
        if (root / name).is_file():
            return root / name
        if (odd := not_a_file(root / name)) is not None:
            raise odd
    data = darknet_data(root) if root.is_dir() else None
    if data is not None:
        return data
    return _named_data_yaml(root) if root.is_dir() else None


CONFIG_SUFFIXES = (".data", ".yaml", ".yml")
"""Suffixes of a dataset's own config (``obj.data``, ``data.yaml``), as a folder's file names are first tested."""


def dataset_config(root: Path) -> Path | None:
    """The config that makes ``root`` a dataset of its own: a ``data.yaml``-like file, or a Darknet data file.

    Not a names file (LabelImg writes a ``classes.txt`` in each folder it saves in), nor any YAML (a camera's
    ``calib.yaml``): :func:`find_config` without those.
    """
    for name in _NAMES_FILES[:3]:
        if (root / name).is_file():
            return root / name
    try:
        return darknet_data(root) or _named_data_yaml(root)
    except InputError:  # (an obj.data that is no file: a folder looked into for another, not read, is none)
        return None


def own_dataset_note(place: str, config: Path) -> str:
    """The read note on a folder ``place`` holding a dataset of its own (:func:`dataset_config`), left out."""
    return f"{place} holds a dataset of its own ({config.name}), not read with this one: convert {place} on its own"


def darknet_data(root: Path) -> Path | None:
    """The Darknet data file of ``root``: ``obj.data``, else its one ``*.data`` naming ``names`` and a list.

    Darknet's own sets name theirs after the set (``cfg/voc.data``, ``coco.data``): a ``*.data`` file holding
    a ``names =`` line and a ``train =`` or ``valid =`` one is one; with several, the one named as the folder.

    Raises:
        InputError: ``obj.data`` is there but no file (:func:`not_a_file`).
    """
    if (root / "obj.data").is_file():
        return root / "obj.data"
    if (odd := not_a_file(root / "obj.data")) is not None:
        raise odd
    found = [p for p in suffixed(root, ".data") if is_darknet_data(p)]
    return _the_one(found, root, "Darknet data files")


def suffixed(root: Path, suffix: str) -> list[Path]:
    """The files of ``root`` whose suffix is ``suffix`` in any case, by name: Darknet's ``.data`` and ``.names``.

    Darknet opens whatever file its command line or ``obj.data`` names, so ``obj.NAMES`` is one as ``obj.names``
    is (Ultralytics' YAML is another matter: see :func:`refuse_cased_config`). By name as text: ``sorted`` of
    Paths, which Windows' Path compares ignoring case, took ``a.names`` before ``B.names`` there, after it here.
    """
    try:
        with os.scandir(root) as entries:
            found = [Path(e.path) for e in entries if Path(e.name).suffix.lower() == suffix and e.is_file()]
            return sorted(found, key=by_name)
    except OSError:  # (no folder, or not one to list)
        return []


def refuse_cased_config(root: Path) -> None:
    """Refuse the ``data.YAML`` of a folder without another config: its names were dropped unsaid (``class_0``).

    Ultralytics reads a YAML config by its lower-case suffix only (its YAML load refuses ``data.YAML``, and its
    search of a folder for one finds ``*.yaml``), as labelkit does when such a file is named; in a folder, a file
    of another case of ``.yaml`` or ``.yml`` holding ``names`` or ``nc`` is refused the same way, not passed over.

    Raises:
        InputError: such a file, with a hint to rename it.
    """
    for path in [*suffixed(root, ".yaml"), *suffixed(root, ".yml")]:
        if path.suffix in (".yaml", ".yml"):
            continue
        try:
            config = load_yaml(path)
        except InputError:  # (broken YAML: refused as well when its text reads as a config, see _config_like)
            config = {"names": None} if _config_like(path) else {}
        except OSError:
            continue
        if "names" in config or "nc" in config:
            raise InputError(
                f"a YOLO config whose suffix is not lower-case (*{path.suffix}) is not read: its class names would "
                "be lost",
                path=path,
                hint=f"name it *{path.suffix.lower()}: Ultralytics reads a config by its lower-case suffix only",
            )


def is_darknet_data(path: Path) -> bool:
    """A file of Darknet's ``key = value`` lines with ``names`` and ``train`` or ``valid`` among the keys."""
    try:
        with open(path, "rb") as file:
            head = file.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    keys = {line.partition("=")[0].strip() for line in head.splitlines() if "=" in line}
    return "names" in keys and ("train" in keys or "valid" in keys)


def _named_data_yaml(root: Path) -> Path | None:
    """The one ``*.yaml`` (or ``*.yml``) of ``root`` that is a YOLO data config, as Ultralytics finds it.

    Ultralytics HUB's dataset zips hold ``<name>.yaml``; with several, the one named as the folder is taken.
    A file that is not a mapping with ``names`` (or ``nc``) and ``train`` (or ``val``) is none.
    """
    found = sorted((p for p in [*root.glob("*.yaml"), *root.glob("*.yml")] if p.is_file()), key=by_name)
    return _the_one([p for p in found if _is_data_yaml(p)], root, "YOLO data configs")


def _is_data_yaml(path: Path) -> bool:
    """A mapping with ``names`` (or ``nc``) and ``train`` (or ``val``), or broken YAML whose text reads as one."""
    try:
        config = load_yaml(path)
    except InputError:  # (one that reads as a config, for reading to refuse: its class names were dropped unsaid)
        return _config_like(path)
    except OSError:
        return False
    named = "names" in config or "nc" in config
    return named and ("train" in config or "val" in config)


def _the_one(configs: list[Path], root: Path, what: str) -> Path | None:
    """The config of a folder holding ``configs``: the only one, or of several the one named as the folder.

    Raises:
        InputError: several, none named as the folder (their class names were dropped unsaid: ``class_0``, ...).
    """
    if len(configs) > 1:
        named = [p for p in configs if p.stem == root.name]
        if len(named) != 1:
            names = ", ".join(p.name for p in configs)
            raise InputError(
                f"{len(configs)} {what} ({names}), none named as the folder: which one to read is not known",
                path=root,
                hint=f"give the one to read as the input ({root / configs[0].name}, say)",
            )
        configs = named
    return configs[0] if configs else None


_CONFIG_KEY = re.compile(r"""(?:^|[{,])[ \t]*["']?(names|train|val)["']?[ \t]*:""", re.MULTILINE)
"""A ``names``, ``train`` or ``val`` key in YAML text (block or flow style, quoted or not)."""


def _config_like(path: Path) -> bool:
    """Whether a YAML file's text has a ``names`` key and a ``train`` or ``val`` one, as a data.yaml has.

    Keys, not words: a broken YAML file saying ``filenames`` and ``interval`` is no config (it was refused).
    """
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:65536]
    except OSError:
        return False
    keys = set(_CONFIG_KEY.findall(head))
    return "names" in keys and bool(keys & {"train", "val"})


def has_txt(folder: Path) -> bool:
    """A folder holding ``.txt`` files, directly or below (split folders, and folders in them: ``train/cam1/``).

    Looked for two levels down only, ``labels/train/cam1/a.txt`` made the folder no YOLO dataset, where it
    reads as one named so. The walk stops at the first.
    """
    if not folder.is_dir():
        return False
    for _, _, files in os.walk(folder):
        if any(name.endswith(".txt") for name in files):
            return True
    return False


@dataclass
class Entry:
    """One image of the dataset: its split, its key (the item id before de-duplication), image and label paths.

    The paths are text (``str`` of the ``Path``): a dataset has one entry per image, and making, hashing and
    printing a ``Path`` each cost more than the reading of its label file (see :func:`child_path`).
    """

    split: str | None
    key: str
    image: str | None
    label: str | None
    absent: bool = False  # the image's file is not there (its path is the size side file's, or a list's)


def child_prefix(folder: Path) -> str:
    """The text that ``str(folder / rel)`` starts with, for a plain relative ``/``-separated path ``rel``.

    ``prefix + rel`` (on Windows, with ``rel``'s slashes turned) is that path by string work (see :class:`Entry`).

    >>> child_prefix(Path("/data/ds")) + "labels/a.txt", child_prefix(Path("/")) + "a.txt"
    ('/data/ds/labels/a.txt', '/a.txt')
    """
    text = str(folder)
    return text if text.endswith(os.sep) else text + os.sep


def case_twin(entries: list[Entry], label: str) -> Path | None:
    """An image whose name differs from a label file's only in case (``X.JPG`` beside ``x.txt``), if any.

    YOLO pairs them by exact name, so on Linux the label finds no image: an error's hint names the twin.
    """
    label_path = Path(label)
    stem, folder = label_path.stem.lower(), label_path.parent.name.lower()
    images = (Path(e.image) for e in entries if e.image is not None)
    return next(
        (
            image
            for image in images
            if image.stem.lower() == stem
            and image.stem != label_path.stem
            and image.parent.name.lower() in (folder, "images")
        ),
        None,
    )


@dataclass
class Layout:
    """What was found: the root, class names, entries, pose shape, raw config and the kind of label files."""

    root: Path
    names: list[str]
    entries: list[Entry] = field(default_factory=list)
    kpt_shape: tuple[int, int] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    dota: bool = False
    classify: bool = False
    notes: list[str] = field(default_factory=list)
    config_name: str = "data.yaml"  # (the config file read, as notes name it: coco8.yaml, dataset.yaml, ...)
    splits_read: list[str] = field(default_factory=list)  # the splits whose folders or lists were read (any empty)


def img2label(image: Path) -> Path:
    """Ultralytics' rule: the last ``images`` folder in the path becomes ``labels``; else the label sits beside it.

    Where Ultralytics' file is there (``images/train/Images/a.jpg``: ``labels/train/Images/a.txt``), it is the
    label file. Else, when no label file is at that place but one is beside the image (a Darknet dataset in a
    folder that some parent calls ``images``), that one is. Darknet's own rule for Pascal VOC is taken too:
    ``.../JPEGImages/a.jpg`` has its labels in ``.../labels/a.txt`` when that file is there. The extension is
    what follows the name's last dot (``a.`` has label ``a.txt``, as the writer and Ultralytics name it).
    """
    return Path(label_path(str(image), _file_or_link))


def _file_or_link(path: str) -> bool:
    """``Path.is_file() or Path.is_symlink()`` (a link to no file is refused on reading; a name too long raises)."""
    return Path(path).is_file() or Path(path).is_symlink()


def label_path(image: str, file_or_link: Callable[[str], bool]) -> str:
    """:func:`img2label` of an image path as text (``str`` of a Path), asking ``file_or_link`` which files exist.

    String work, for callers that answer from a folder listing (:class:`labelkit.formats.yolo_listing.Listings`).
    """
    parts = image.split(os.sep)
    head = image.rpartition(os.sep)[0]
    name = without_extension(parts[-1]) + ".txt"
    beside = head + os.sep + name if head or image.startswith(os.sep) else name
    # Ultralytics' img2label_paths first: the last "images" folder, exactly so spelled, becomes "labels" (a
    # deeper Images, images/train/Images/a.jpg, was taken for the images folder, and its labels at
    # labels/train/Images/a.txt refused as a label file of no image)
    last = next((i for i in range(len(parts) - 2, -1, -1) if parts[i] == "images"), None)
    own = None if last is None else os.sep.join([*parts[:last], "labels", *parts[last + 1 : -1], name])
    if own is not None and file_or_link(own):
        return own
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "JPEGImages":  # Darknet's rule for VOC (voc_label.py writes them): .../labels/a.txt, if there
            candidate = os.sep.join([*parts[:i], "labels", *parts[i + 1 : -1], name])
            if file_or_link(candidate):
                return candidate
        if parts[i] in ("images", "Images"):
            for label_dir in ("labels", "Labels", "Annotations", "annotations", "labelTxt"):
                candidate = os.sep.join([*parts[:i], label_dir, *parts[i + 1 : -1], name])
                if file_or_link(candidate):
                    return candidate
            if file_or_link(beside):
                return beside
            return own or os.sep.join([*parts[:i], "labels", *parts[i + 1 : -1], name])
    return beside


def without_extension(name: str) -> str:
    """``name`` (a file name or ``/``-separated path) without the extension of its last part.

    The extension is the part after that part's last dot, unless the dot leads it (string work, as it runs once
    per image).

    >>> without_extension("a/b.c.jpg"), without_extension("a.b/.hidden"), without_extension("x")
    ('a/b.c', 'a.b/.hidden', 'x')
    """
    head, slash, base = name.rpartition("/")
    dot = base.rfind(".")
    return head + slash + base[:dot] if dot > 0 else name


def label_file(image: Path) -> Path:
    """``image`` with ``.txt`` in place of its extension (:func:`without_extension`)."""
    return image.with_name(without_extension(image.name) + ".txt")


APPLE_DOUBLE = "._"
"""The name prefix of the files macOS writes beside others on foreign disks and in zips (``._a.jpg``, ``._a.txt``:
resource forks, never images or labels); they are passed over."""


def images_under(folder: Path, configs: list[str] | None = None, hidden: list[str] | None = None) -> list[Path]:
    """The images anywhere below ``folder``, by path (macOS ``._*`` files are none).

    ``configs``, when given, gets the paths below ``folder`` of the files named as a config
    (:data:`CONFIG_SUFFIXES`), found in the same walk: a sub-folder may hold a dataset of its own.
    ``hidden``, when given, gets the images in hidden folders below ``folder`` (``.picasaoriginals/a.jpg``),
    which are then left out, as Ultralytics' ``glob`` passes over them (a hidden file, ``.b.jpg``, is kept).

    An image that is a symbolic link to no file (a DVC or git-annex checkout whose cache lacks it) is an
    error, not passed over: its item (in classify, its class label too; elsewhere, when it has no label
    file, the whole image) would be lost unsaid.

    Raises:
        InputError: naming the link, or a FIFO, socket or device named as an image (:func:`not_a_file`); or
            ``folder`` is a symbolic link to a folder holding it (a loop: a classify folder ``train/x -> ..``
            was a class of every image of the dataset, read twice).
    """

    def keep(name: str) -> bool:
        return is_image_name(name) and not name.startswith(APPLE_DOUBLE)

    def keep_or_config(name: str) -> bool:
        return keep(name) or name.lower().endswith(CONFIG_SUFFIXES)

    if os.path.islink(folder) and Inside(Path(os.path.realpath(folder))).holds(os.path.realpath(folder.parent)):
        raise InputError("cannot read: a symbolic link to a folder holding it (a loop)", path=folder)
    # (by parts, as by_parts sorts the paths: theirs differ only in these)
    # (into folders links lead to: images/train/day2 -> ../../day2 was passed over unsaid, its images lost)
    names = walk_linked(folder, keep if configs is None else keep_or_config)
    if configs is not None:
        configs += [f for f in names if f.lower().endswith(CONFIG_SUFFIXES)]
        names = [f for f in names if keep(f)]
    if hidden is not None:
        hidden += sorted((f for f in names if hidden_path(f.rpartition("/")[0])), key=lambda f: f.split("/"))
        names = [f for f in names if not hidden_path(f.rpartition("/")[0])]
    found = [folder / f for f in sorted(names, key=lambda f: f.split("/"))]
    images = [p for p in found if p.is_file()]
    if len(images) < len(found):
        for path in found:  # (a FIFO or socket named as an image too: its item, when it had no label file, was lost)
            if (odd := not_a_file(path)) is not None:
                raise odd
    return images


def rel_path(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` (string work: this runs once per image)."""
    text, base = str(path), str(root) + os.sep
    if text.startswith(base):
        return text[len(base) :].replace(os.sep, "/")
    if os.path.isabs(text) != os.path.isabs(base):  # (a split named absolutely, another relatively: one root)
        whole, base = os.path.abspath(text), os.path.join(os.path.abspath(root), "")
        if whole.startswith(base):
            return whole[len(base) :].replace(os.sep, "/")
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:  # (outside it: from it, as '../ext/a.jpg', not from the folder the command ran in)
        return Path(os.path.relpath(path, root) if os.path.isabs(text) == os.path.isabs(root) else path).as_posix()


def _label_rel(image_rel: str, labels: str = "/labels/") -> str:
    """:func:`img2label` on a relative POSIX path, as pure string work (no file checks).

    ``labels``: the folder taking the last ``/images/``'s place (``/labelTxt/`` for DOTA's label files).
    """
    text = "/" + image_rel
    cut = text.rfind("/images/")
    if cut >= 0:
        text = text[:cut] + labels + text[cut + len("/images/") :]
    return (without_extension(text) + ".txt")[1:]


class LabelIndex:
    """The images of the size side file by their label file's path in the dataset (for :func:`entries_from_labels`).

    Made once per read and label folder name, not per split: every split's label folder is looked up in it (made
    per split, a dataset of 400 splits had gone through its 40,000 sizes 400 times). An image's label file is where
    its path's last ``/images/`` becomes ``/labels/``, or the folder's name it is looked up for: DOTA's
    ``labelTxt/P1.txt`` for ``images/P1.png``.
    """

    def __init__(self, sizes: dict[str, tuple[int, int]]) -> None:
        self.sizes = sizes
        self._made: dict[str, dict[str, list[str]]] = {}

    def of(self, labels: str = "labels") -> dict[str, list[str]]:
        """The images by label file, for label folders named ``labels``."""
        made = self._made.get(labels)
        if made is None:
            made = self._made[labels] = {}
            for name in sorted(self.sizes):  # images of one folder sharing a stem share a label file
                made.setdefault(_label_rel(name, f"/{labels}/"), []).append(name)
        return made


def hidden_path(rel: str) -> bool:
    """A path below a folder that is hidden or in a hidden folder (``.ipynb_checkpoints/a-checkpoint.txt``).

    Jupyter keeps copies of the files edited in a folder there, and Ultralytics, finding images with ``glob``,
    passes over hidden files and folders: so do a flat folder's reader, and every layout's for label files without
    an image.
    """
    return rel.startswith(".") or "/." in rel


def not_read(images: list[str], entries: list[Entry], root: Path) -> list[str]:
    """Of ``images`` (paths in the dataset) left out of a folder's listing, those no entry reads.

    An image of a hidden folder that the image sizes file names is read from it, objects and all: the note
    said it was not.
    """
    if not images:
        return images
    read = {rel_path(e.image, root) for e in entries if e.image is not None}
    return [image for image in images if image not in read]


def hidden_folders_note(images: list[str]) -> str | None:
    """The read note on the images :func:`images_under` left out in hidden folders (paths in the dataset)."""
    if not images:
        return None
    if len(images) == 1:
        what = f"1 image lies in a hidden folder ({images[0]}): it is not read"
    else:
        what = f"{len(images):,} images lie in hidden folders ({images[0]} first): they are not read"
    return f"{what}, as Ultralytics' glob passes over hidden folders"


def entries_from_labels(label_dir: Path, root: Path, split: str | None, index: LabelIndex) -> list[Entry]:
    """Entries for every label file under ``label_dir``; images come from the size side file, if any.

    ``index``: the side file's images by label file, for the name of the last label folder (of
    :data:`LABEL_DIRS`) in ``label_dir``'s path.
    """
    label_prefix = rel_path(label_dir, root) + "/"
    by_label = index.of(next((p for p in reversed(label_prefix.split("/")) if p in LABEL_DIRS), "labels"))
    folder, base = child_prefix(label_dir), child_prefix(root)
    native = os.sep == "/"  # (else a relative path's slashes are turned, as Path turns them)
    entries = []
    for name in sorted(walk_files(label_dir, lambda f: f[-4:].lower() == ".txt" and not f.startswith(APPLE_DOUBLE))):
        images = by_label.get(label_prefix + name)
        if hidden_path(name) and images is None:
            # (Jupyter's .ipynb_checkpoints/a-checkpoint.txt: no label file, as for Ultralytics; but the labels of an
            # image the size side file lists, .b.jpg written with media=none, are read, as its image would be)
            continue
        if not name.endswith(".txt"):  # (a.TXT: Ultralytics opens a.txt, found on macOS and Windows alone)
            raise InputError(
                "a label file's name ends in another case than .txt, which YOLO readers look for",
                path=folder + (name if native else name.replace("/", os.sep)),
                hint=f"rename it to {name.rpartition('/')[2][:-4]}.txt",
            )
        label = folder + (name if native else name.replace("/", os.sep))
        if images is None:
            if name.rpartition("/")[2] != LABELIMG_NAMES:  # (LabelImg's names, not labels)
                entries.append(Entry(split, name[:-4], None, label))
            continue
        paths = (base + (i if native else i.replace("/", os.sep)) for i in images)
        entries += [Entry(split, name[:-4], image, label, absent=True) for image in paths]
    return entries


def unique_ids(
    splits: list[str | None], keys: list[str], suffix: Callable[[int], str], file: Callable[[int], str | None]
) -> list[str]:
    """The item ids a YOLO reader gives entries of these splits and keys (see ``yolo._item_ids``).

    Each key, ``<split>/<key>`` where several splits hold it, then with ``suffix(k)`` (the image's extension)
    where ids clash, then ``file(k)`` (the image's, else label file's, path in the dataset) where they still
    do. Plain string work, once per entry, so that a writer can say which ids read back changed.

    Examples:
        >>> unique_ids(["train", "val", "val", "val"], ["a", "a", "b", "b"], [".", ".", ".jpg", ".png"].__getitem__,
        ...            lambda k: None)
        ['train/a', 'val/a', 'b.jpg', 'b.png']
    """
    if len(set(splits)) > 1:
        held = Counter(key for _, key in set(zip(splits, keys, strict=True)))  # how many splits hold each key
        ids = [f"{s}/{k}" if s and held[k] > 1 else k for s, k in zip(splits, keys, strict=True)]
    else:  # (one split: no key is in two)
        ids = list(keys)
    if len(set(ids)) == len(ids):
        return ids
    ids = _unclash(ids, lambda k: ids[k] + suffix(k))
    return _unclash(ids, lambda k: file(k) or ids[k])


def _unclash(ids: list[str], better: Callable[[int], str]) -> list[str]:
    """``ids`` with every id that occurs more than once replaced by ``better(its index)``."""
    count = Counter(ids)
    return [better(k) if count[i] > 1 else i for k, i in enumerate(ids)]


RESERVED_SPLITS = {
    "ultralytics": frozenset({*CONFIG_KEYS, *IMAGE_DIRS, *LABEL_DIRS} - {"train", "val", "test"}),
    "darknet": frozenset(DARKNET_RESERVED),
}
"""Split names a layout cannot hold: what the reader takes for ``data.yaml`` keys or the layout's folders
(Ultralytics), or for ``obj.data`` keys (Darknet)."""

DARKNET_SPLIT = re.compile(r"[\w.-]+", re.ASCII)
"""A split name obj.data can hold as a key and read back as it was."""


def empty_splits_written(dataset: Dataset, splits: list[str], layout: str) -> list[str]:
    """The splits read empty (:data:`EMPTY_SPLITS`) that writing YOLO names again, with no image.

    Not one of the items' splits (``splits``) in any case, nor one the layout cannot hold (a config key, a
    layout folder; a name of other than letters, digits, ``_``, ``-`` and ``.``, as the info extras may be
    edited; one Windows cannot name a folder or list after, ``con``, as a split of items is refused): a same-format
    round trip lost the config key, and the folder or list, unsaid.
    """

    def fits(split: str) -> bool:
        return (
            DARKNET_SPLIT.fullmatch(split) is not None
            and split not in (".", "..", *RESERVED_SPLITS[layout])
            and not (windows_cannot_hold(split) or windows_cannot_hold(f"{split}.txt"))  # (con: as VOC leaves it)
        )

    # (VOC's and COCO's empty splits too; names compared case-blind, as the items' splits are)
    return splits_named_again(empty_splits_read(dataset.info.extras), splits, fits, str.casefold)
