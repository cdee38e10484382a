"""Finding a YOLO dataset's layout (:func:`find_layout`), and the layouts a folder alone makes.

Flat (LabelImg's images with their label files beside them), loose ``images/`` + ``labels/`` (and DOTA's
``labelTxt/``); classification folders are read in :mod:`labelkit.formats.yolo_classify_read`. Ultralytics'
``data.yaml`` and Darknet's ``obj.data`` are read in :mod:`labelkit.formats.yolo_layout`, with the types both use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labelkit.errors import InputError, LabelkitError
from labelkit.formats.yolo_classify import CLASSIFY_SPLITS
from labelkit.formats.yolo_classify_read import classify_config, classify_layout, classify_splits
from labelkit.formats.yolo_config_read import read_names_file
from labelkit.formats.yolo_configs import darknet_layout, ultralytics_layout, unread_folders
from labelkit.formats.yolo_layout import (
    APPLE_DOUBLE,
    CONFIG_SUFFIXES,
    IMAGE_DIRS,
    LABEL_DIRS,
    LABELIMG_NAMES,
    Entry,
    LabelIndex,
    Layout,
    darknet_data,
    dataset_config,
    entries_from_labels,
    find_config,
    hidden_folders_note,
    hidden_path,
    images_under,
    label_file,
    not_read,
    own_dataset_note,
    refuse_cased_config,
    rel_path,
    suffixed,
)
from labelkit.formats.yolo_listing import without_suffix
from labelkit.formats.yolo_media import (
    IMAGE_EXTENSIONS,
    SIZES_FILE,
    is_image,
    load_sizes,
    refuse_linked_out,
)
from labelkit.io import Inside, walk_files, without_bom
from labelkit.portable import by_name, by_parts


def _plain_folder(root: Path) -> bool:
    """A folder with no images or labels folder (``images/``, ``labels/``, ...): those make another layout."""
    return root.is_dir() and not any((root / d).is_dir() for d in (*IMAGE_DIRS, *LABEL_DIRS))


def flat_images(root: Path) -> list[str]:
    """The images directly in ``root`` that have a label file beside them (``a.jpg`` and ``a.txt``), by name.

    A flat folder, as LabelImg and other annotation tools write YOLO: only when ``root`` holds no images or
    labels folder (``images/``, ``labels/``, ...), which make it another layout.
    """
    if not _plain_folder(root):
        return []
    with os.scandir(root) as entries:
        files = {e.name for e in entries if not e.name.startswith(APPLE_DOUBLE) and e.is_file()}
    return sorted(n for n in files if _labelled_image(n, files))


def _flat_images_below(folder: Path, sample: int = 8) -> tuple[list[str], bool]:
    """:func:`flat_images` of ``folder``; when it holds none, up to ``sample`` such images below it, by path.

    A flat layout's split (or a sub-folder of its root) may hold its images in folders of its own only
    (``valid/day1/b.jpg``): looking in it alone, the split was left out whole, unsaid. Hidden folders are passed
    over, as the reader passes them over, and so is a folder holding a config (Darknet's ``data/obj.data``): a
    dataset of its own, which the second value says was met.
    """
    images = flat_images(folder)
    if images or not _plain_folder(folder):
        return images, False
    own = False
    for current, dirs, files in os.walk(folder):
        if _holds_config(current, files):  # (a dataset of its own: Darknet's data/)
            dirs.clear()
            own = True
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = {f for f in files if not f.startswith(APPLE_DOUBLE)}
        prefix = rel_path(current, folder) + "/" if current != str(folder) else ""
        images += [prefix + n for n in sorted(names) if _labelled_image(n, names)][: sample - len(images)]
        if len(images) >= sample:
            break
    return images, own


def _holds_config(folder: str, files: list[str]) -> bool:
    """Whether ``folder``, holding ``files`` (by name), holds a config of its own (:func:`dataset_config`)."""
    return any(f.lower().endswith(CONFIG_SUFFIXES) for f in files) and dataset_config(Path(folder)) is not None


def _datasets_below(folder: Path, configs: list[str], root: Path) -> tuple[tuple[str, ...], list[str]]:
    """The folders below ``folder`` (not itself) holding a dataset of their own, and their read notes.

    ``configs``: the paths below ``folder`` of files named as a config (:func:`images_under` finds them);
    those of a :func:`dataset_config` make their folder one. The folders are given as path prefixes (``day2/ds/``)
    of what they hold, by path and none inside another: a dataset of its own is left out whole. The notes name
    them below ``root``.
    """
    found: dict[str, Path] = {}
    for parent in sorted({n.rpartition("/")[0] for n in configs} - {""}):
        if any(parent.startswith(f + "/") for f in found):
            continue
        if (config := dataset_config(folder / parent)) is not None:
            found[parent] = config
    notes = [own_dataset_note(rel_path(folder / sub, root), config) for sub, config in found.items()]
    return tuple(sub + "/" for sub in found), notes


def _labelled_image(name: str, files: set[str]) -> bool:
    """Whether ``name`` is an image's (:func:`is_image`) whose label file (:func:`label_file`) is in ``files``.

    On names, not paths: a folder of 118k images made as many ``Path`` objects twice, about a second.

    >>> [_labelled_image(n, {"a.txt", "b.JPG", "a.jpg", ".jpg", ".txt"}) for n in ("a.jpg", "b.JPG", ".jpg")]
    [True, False, False]
    """
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in IMAGE_EXTENSIONS and name[:dot] + ".txt" in files


def flat_labels(root: Path) -> list[str]:
    """The label files directly in a flat folder holding none of their images (LabelImg's, kept apart), by name.

    For a folder of no :func:`flat_folders` (no image with its label file beside it): callers have looked
    (looking again walked every sub-folder's files a second time, seconds for 100,000 images). Their images'
    sizes come from ``image_sizes.json`` or ``image_size``, else reading names the first label file as lacking
    its image. Names files (``classes.txt``, ``_darknet.labels``) and hidden files are none.
    """
    if not _plain_folder(root):
        return []
    with os.scandir(root) as entries:
        files = [e.name for e in entries if e.name.endswith(".txt") and not hidden_path(e.name) and e.is_file()]
    return sorted(n for n in files if n not in FLAT_NAMES and not n.startswith(APPLE_DOUBLE))


def flat_folders(root: Path) -> list[tuple[str | None, Path, list[str]]]:
    """The folders of a flat layout: each with its split and the images it holds with a label file beside them.

    The images are named by their path below the folder; those of the root's sub-folders are looked for only
    when it holds none.

    The root, of no split, when it holds such images (its sub-folders are part of it). Else, when a sub-folder
    named as a split (``train``, ``valid``, ...) holds some, every sub-folder holding images directly is a
    split (Roboflow's YOLO Darknet export: ``train/`` and ``valid/``, each images and labels side by side; an
    unlabelled ``test/`` of images only). Else the root, when some sub-folder holds such images. Else none.
    """
    images = flat_images(root)
    if images or not _plain_folder(root):
        return [(None, root, images)] if images else []
    subs = [
        (p, *_flat_images_below(p))
        for p in sorted(root.iterdir(), key=by_name)
        if p.is_dir() and not p.name.startswith(".")
    ]
    if not any(found for _, found, _ in subs):
        return []
    if not any(found and p.name in CLASSIFY_SPLITS for p, found, _ in subs):
        return [(None, root, [f"{p.name}/{name}" for p, found, _ in subs for name in found])]
    # (a sub-folder holding only a dataset of its own is read too: for the read note naming it, no item)
    return [
        (p.name, p, found)
        for p, found, own in subs
        if found or own or any(is_image(f) for f in p.iterdir() if f.is_file())
    ]


_YOLO_LINE = re.compile(rb"[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?([ \t]+[-+0-9.eE]+){4,}[ \t]*")
"""A label line as tools write it: a class id (``1``, or as a float: ``1.0``) and at least 4 plain numbers
(detect, segment, OBB or pose)."""


def yolo_lines(label: Path) -> tuple[bool, bool]:
    """Whether a file's first 4 KB hold lines of YOLO labels, and whether they hold other lines.

    Detection's test for a flat folder: an OCR set's transcriptions (``a.txt`` beside ``a.jpg``) are text,
    not these. An empty label file holds neither.
    """
    with label.open("rb") as f:
        head = f.read(_HEAD)
    lines = [line.strip() for line in re.split(rb"[\r\n]", without_bom(head))]
    if len(head) == _HEAD and len(lines) > 1:
        lines.pop()  # (cut short)
    kinds = {bool(_YOLO_LINE.fullmatch(line)) for line in lines if line}
    return True in kinds, False in kinds


_HEAD = 4096
FLAT_NAMES = (LABELIMG_NAMES, "_darknet.labels")
"""Names files of a flat folder's sub-folders: LabelImg's in each folder it saves in, Roboflow's in each split."""


def _flat_text(name: str) -> bool:
    """A flat folder's file that is read: a label file (``.txt``) or a names file of :data:`FLAT_NAMES`."""
    return name.endswith(".txt") and not name.startswith(APPLE_DOUBLE) or name in FLAT_NAMES


def _is_data(path: Path) -> bool:
    """Whether ``path`` is named as a Darknet data file, ``*.data`` in any case (Darknet opens any file named)."""
    return path.suffix.lower() == ".data"


def is_names_file(path: Path) -> bool:
    """Whether ``path`` is named as a names file: ``*.names`` (``obj.names``), ``classes.txt``, ``_darknet.labels``.

    Examples:
        >>> [is_names_file(Path(n)) for n in ("obj.names", "ds/classes.txt", "_darknet.labels", "a.txt")]
        [True, True, True, False]
    """
    return path.suffix.lower() == ".names" or path.name in FLAT_NAMES


def names_folder(path: Path) -> Path:
    """The folder a names file stands for: its own, or the one above a ``labels/`` folder beside ``images/``.

    LabelImg, saving into ``labels/``, puts its ``classes.txt`` among the label files there.

    Examples:
        >>> names_folder(Path("/nowhere/ds/classes.txt")).as_posix()
        '/nowhere/ds'
    """
    folder = path.parent
    if folder.name in LABEL_DIRS and any((folder.parent / d).is_dir() for d in IMAGE_DIRS):
        return folder.parent
    return folder


def _flat(
    root: Path,
    folders: list[tuple[str | None, Path, list[str]]],
    names_file: Path | None,
    sizes: dict[str, tuple[int, int]],
    inside: Inside | None,
) -> Layout:
    """A flat layout (LabelImg's): every image under each folder, with its label file beside it.

    Sub-folders are read as part of their folder; hidden files and folders are passed over. A label file
    without its image is read as in the other layouts (sized by ``image_sizes.json`` or ``image_size``, else
    an error naming it); ``classes.txt``, LabelImg's names, is none unless an image beside it is named
    ``classes`` (the names file never is).
    Without a names file in the root, the first of :data:`FLAT_NAMES` by path is it. LabelImg writes one in
    each folder it saves in: a list that goes on from the others (a class added in a later session) gives
    the names; else it is refused.

    Raises:
        InputError: a names file whose names are not the first's (or go on from them): the same class id
            would be another class in its folder.
    """
    image_of: dict[Path, list[str]] = {}
    for name in sorted(sizes):  # images listed in the size side file: the label files whose image is absent
        image_of.setdefault(label_file(root / name), []).append(name)
    entries: list[Entry] = []
    class_lists: list[Path] = []
    notes: list[str] = []
    for split, folder, _ in folders:
        configs: list[str] = []
        images = images_under(folder, configs)
        outside, apart = _datasets_below(folder, [n for n in configs if not hidden_path(n)], root)
        notes += apart
        found = [
            Entry(split, without_suffix(rel), str(image), str(label_file(image)))
            for image in images
            if not hidden_path(rel := rel_path(image, folder)) and not rel.startswith(outside)
        ]
        for entry in found:
            if names_file is not None and entry.label == str(names_file):
                entry.label = None  # (an image named as the names file: LabelImg keeps one file for both)
        labelled = {e.label for e in found}
        for name in sorted(
            n for n in walk_files(folder, _flat_text) if not hidden_path(n) and not n.startswith(outside)
        ):
            label = folder / name
            if str(label) in labelled or label == names_file:
                continue
            if name.rpartition("/")[2] in FLAT_NAMES:
                class_lists.append(label)
                continue
            key = name[:-4]
            found += [Entry(split, key, str(root / i), str(label), absent=True) for i in image_of.get(label, [])] or [
                Entry(split, key, None, str(label))
            ]
        entries += sorted(found, key=lambda e: (e.key, str(e.image or "")))
    names_file = names_file or next(iter(class_lists), None)
    names = read_names_file(names_file, inside) if names_file is not None else []
    for other in class_lists:
        if other == names_file:
            continue
        more = read_names_file(other, inside)
        if more[: len(names)] == names[: len(more)]:  # (one list goes on from the other: the ids agree)
            names = max(names, more, key=len)
            continue
        assert names_file is not None  # (the first class list is the names file when there is none)
        raise InputError(
            f"class names differ from {rel_path(names_file, root)}'s: a class id would name another class here",
            path=other,
            expected=", ".join(names)[:200],
            found=", ".join(more)[:200],
            hint="make the folders' names files alike, or convert each folder on its own",
        )
    return Layout(root=root, names=names, entries=entries, notes=notes)


def _loose(
    root: Path, sizes: dict[str, tuple[int, int]], follow: bool = False, names_file: Path | None = None
) -> Layout:
    """A folder of no config (``data.yaml``, ``obj.data``): flat, loose ``images/`` + ``labels/``, or DOTA.

    ``names_file`` is the one the input named; without it, the folder's (``obj.names``, ``classes.txt``, ...).
    """
    if names_file is None:
        names_file = next(
            (root / n for n in ("obj.names", "classes.txt", "classes.names") if (root / n).is_file()), None
        )
    if names_file is None:
        found = suffixed(root, ".names")  # (obj.NAMES too: Darknet opens any file named)
        names_file = found[0] if found else None
    image_dir = next((root / d for d in IMAGE_DIRS if (root / d).is_dir()), None)
    label_dir = next((root / d for d in LABEL_DIRS if (root / d).is_dir()), None)
    flat_dirs = flat_folders(root)
    if flat_dirs:  # (no images or labels folder: a LabelImg folder, images and labels side by side)
        return _flat(root, flat_dirs, names_file, sizes, None if follow else Inside(root))
    if image_dir is None and label_dir is None and flat_labels(root):  # (its label files, without their images)
        return _flat(root, [(None, root, [])], names_file, sizes, None if follow else Inside(root))
    if names_file is None and label_dir is not None:  # LabelImg writes its classes.txt among its labels
        found = [label_dir / LABELIMG_NAMES, *sorted(label_dir.glob(f"*/{LABELIMG_NAMES}"), key=by_parts)]
        names_file = next((p for p in found if p.is_file()), None)
    names = read_names_file(names_file, None if follow else Inside(root)) if names_file is not None else []
    layout = Layout(root=root, names=names)
    pairs: list[tuple[str | None, Path | None, Path | None]] = []
    hidden_splits: list[str] = []
    if image_dir is not None or label_dir is not None:
        subdirs = sorted({p.name for d in (image_dir, label_dir) if d is not None for p in d.iterdir() if p.is_dir()})
        # subfolders are splits unless images sit beside them: then they are folders of one unsplit tree (a
        # stray .txt beside them, such as LabelImg's classes.txt, decides nothing)
        flat = any(is_image(p) for p in (image_dir.iterdir() if image_dir else ()) if p.is_file())
        if subdirs and not flat and any(not s.startswith(".") for s in subdirs):
            # (a hidden one, images/.picasaoriginals, is no split: its images are passed over, with a note)
            pairs += [(s, _opt(image_dir, s), _opt(label_dir, s)) for s in subdirs if not s.startswith(".")]
            seen = [image_dir / s for s in subdirs if s.startswith(".") and image_dir is not None]
            hidden_splits = [rel_path(p, root) for d in seen if d.is_dir() for p in images_under(d)]
        else:
            pairs.append((None, image_dir, label_dir))
    else:
        for sub in sorted((p for p in root.iterdir() if p.is_dir()), key=by_name):
            if any((sub / d).is_dir() for d in LABEL_DIRS):
                pairs.append(
                    (sub.name, _opt(sub, "images"), next((sub / d for d in LABEL_DIRS if (sub / d).is_dir()), None))
                )
    by_label = LabelIndex(sizes)
    hidden = hidden_splits  # (images in hidden folders, passed over as Ultralytics' glob passes over them)
    for split, images, labels in pairs:
        if labels is not None and labels.name == "labelTxt":
            layout.dota = True
        entries: list[Entry] = []  # (images of one folder sharing a stem share a label file: each is an entry)
        if images is not None:
            configs: list[str] = []
            in_hidden: list[str] = []
            found = images_under(images, configs, in_hidden)
            hidden += [rel_path(images / name, root) for name in in_hidden]
            outside, apart = _datasets_below(images, configs, root)  # (inside images/: a CVAT export kept there)
            layout.notes += apart
            for image in found:
                key = without_suffix(rel := rel_path(image, images))
                if rel.startswith(outside):
                    continue
                label = labels / Path(key + ".txt") if labels is not None else None
                entries.append(Entry(split, key, str(image), str(label) if label is not None else None))
        if labels is not None:
            keys = {e.key for e in entries}
            entries += [e for e in entries_from_labels(labels, root, split, by_label) if e.key not in keys]
        layout.entries += sorted(entries, key=lambda e: (e.key, str(e.image or "")))
    if (in_hidden_note := hidden_folders_note(not_read(hidden, layout.entries, root))) is not None:
        layout.notes.append(in_hidden_note)
    read = [folder for _, *both in pairs for folder in both if folder is not None]
    unnamed, datasets = unread_folders(root, read, layout.entries)
    layout.notes += [own_dataset_note(name, cfg) for name, cfg in datasets.items()]
    if unnamed:  # (more/images beside the images/ and labels/ read: left out unsaid)
        layout.notes.append(
            f"{', '.join(unnamed)} {'holds' if len(unnamed) == 1 else 'hold'} labelled images outside the folders "
            f"read: not read (convert {'it' if len(unnamed) == 1 else 'each'} on its own)"
        )
    return layout


def _opt(folder: Path | None, name: str) -> Path | None:
    if folder is None:
        return None
    return folder / name if (folder / name).is_dir() else None


def find_layout(
    path: Path, task: str, sizes_option: str, follow: bool = False
) -> tuple[Layout, dict[str, tuple[int, int]]]:
    """Find the layout of ``path`` and load the image-size side file (or the ``image_sizes`` option's file).

    A names file (``classes.txt``, ``obj.names``) stands for its folder, and names its classes when the folder
    has no ``data.yaml`` or ``obj.data``. List and names files that symbolic links take out of the dataset are
    refused unless ``follow``.

    Raises:
        InputError: ``path`` is neither a folder nor such a file (a label, list or notes file was read as its
            whole folder).
    """
    if not path.is_dir() and not (is_names_file(path) or path.suffix in (".yaml", ".yml") or _is_data(path)):
        cased = path.suffix.lower() in (".yaml", ".yml")  # (Ultralytics' YAML load refuses data.YAML too)
        raise InputError(
            "not a YOLO dataset: YOLO reads a dataset's folder, or its data.yaml (*.yaml, *.yml), obj.data (*.data) "
            "or names file (classes.txt, *.names, _darknet.labels)",
            path=path,
            hint=f"name it *{path.suffix.lower()}: Ultralytics reads a config by its lower-case suffix only"
            if cased
            else None,
        )
    root = path if path.is_dir() else names_folder(path) if is_names_file(path) else path.parent
    sizes: dict[str, tuple[int, int]] = {}
    sizes_file = Path(sizes_option) if sizes_option else root / SIZES_FILE
    if sizes_option or sizes_file.is_file():
        sizes = load_sizes(sizes_file, None if sizes_option or follow else root)
    if task in ("auto", "classify"):
        found = find_config(path) if path.is_dir() else None if is_names_file(path) else path
        if path.is_dir() and found is not None and not follow:  # (found in the folder, not named by the user)
            refuse_linked_out(found, root)
        yaml_config = found if found is not None and found.suffix in (".yaml", ".yml") else None
        classify_root = classify_config(yaml_config) if yaml_config is not None else None
        if classify_root is not None:  # (ImageNet.yaml's train: train, val: val: read as detect, no labels, unsaid)
            return classify_layout(classify_root, yaml_config), sizes
        if task == "classify" or (path.is_dir() and found is None and classify_splits(path)):
            return classify_layout(root), sizes
    # a names file stands for its folder: its data.yaml or obj.data, else the folder with these names
    names_file = path if path.is_file() and is_names_file(path) else None
    config = path if path.is_file() and names_file is None else find_config(root)
    if path.is_dir() and (config is None or is_names_file(config)):  # (data.YAML: its names were dropped unsaid)
        refuse_cased_config(root)
    if path.is_dir() and config is not None and not follow:  # (found in the folder, not named by the user)
        refuse_linked_out(config, root)
    if config is not None and config.suffix in (".yaml", ".yml"):
        layout = ultralytics_layout(config, sizes, follow, find_sizes=not (sizes_option or sizes_file.is_file()))
        if task == "auto" and (note := _classify_unsaid(layout, config.name)) is not None:
            layout.notes.append(note)
        return layout, sizes
    data = config if config is not None and _is_data(config) else darknet_data(root)
    if path.is_dir() and data is not None and not follow:
        refuse_linked_out(data, root)
    if data is not None:
        return darknet_layout(data, follow), sizes
    return _loose(root, sizes, follow, names_file), sizes


def _classify_unsaid(layout: Layout, config_name: str) -> str | None:
    """The read note on a config's images without a label file beside classify split folders it does not describe.

    (``train: train`` beside ``val: val2``, a folder of no split name: read as detect, every image without objects,
    where :func:`classify_config` takes only a config naming classify splits alone.)
    """
    if not layout.entries or any(e.label is not None and os.path.isfile(e.label) for e in layout.entries):
        return None
    splits = classify_splits(layout.root)
    if not splits:
        return None
    return (
        f"{config_name}'s images have no label file, and {', '.join(s.name for s in splits)} "
        f"{'holds' if len(splits) == 1 else 'hold'} class folders of images, as a classify dataset's splits: read as "
        "images without objects (-o task=classify reads their classes)"
    )


@contextmanager
def absolute_root(path: Path) -> Iterator[Path]:
    """``path``, made absolute when it is ``.`` or a file there (``data.yaml``), whose dataset root would be ``.``.

    ``Path(".") / "a"`` is ``a``, so paths made from such a root by text (``./a``) were other than the same files
    walked (``a``): an image a list and a folder split both name was read twice, read as ``.``, once by its absolute
    path. An error naming a file below the current folder names it relative to it again, as given.
    """
    if path.is_absolute() or not (path == Path(".") or (path.parent == Path(".") and path.is_file())):
        yield path
        return
    here = str(Path.cwd())
    try:
        yield Path(here) / path
    except LabelkitError as exc:
        named, prefix = exc.location.path, here.rstrip(os.sep) + os.sep
        if named is not None and named.startswith(prefix):
            exc.relocate(named[len(prefix) :])
        raise
