"""YOLO layouts: the entries and names of a dataset, and the layouts its config describes (Ultralytics, Darknet).

A layout is a list of entries (split, key, image path, label path) plus the class names and task hints;
``data.yaml`` and ``obj.data`` are read here, the layouts a folder alone makes (flat, loose, DOTA,
classification) in :mod:`labelkit.formats.yolo_folders`, which also finds the layout of a path;
:mod:`labelkit.formats.yolo` parses the label files.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import yaml
import yaml.reader

from labelkit.errors import InputError
from labelkit.formats.yolo_media import IMAGE_EXTENSIONS, SIZES_FILE, is_image, load_sizes
from labelkit.io import Inside, is_file, read_file, read_text, safe_relpath, walk_files

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


MAX_KEYPOINTS = 10_000
"""The largest K of ``kpt_shape`` read (Ultralytics' own sets have 17 or fewer; this only bounds memory)."""
DARKNET_RESERVED = {"classes", "names", "backup", "eval", "results", "eval_type", "task"}
LABELIMG_NAMES = "classes.txt"
"""The names file LabelImg writes among its label files: not a label file unless an image is named so."""


def find_config(root: Path) -> Path | None:
    """The dataset's config in ``root``: a ``data.yaml``-like file, a names file, or ``obj.data``."""
    for name in _NAMES_FILES:
        if (root / name).is_file():
            return root / name
    if (root / "obj.data").is_file():
        return root / "obj.data"
    return _named_data_yaml(root) if root.is_dir() else None


def _named_data_yaml(root: Path) -> Path | None:
    """The one ``*.yaml`` (or ``*.yml``) of ``root`` that is a YOLO data config, as Ultralytics finds it.

    Ultralytics HUB's dataset zips hold ``<name>.yaml``; with several, the one named as the folder is taken.
    A file that is not a mapping with ``names`` (or ``nc``) and ``train`` (or ``val``) is none.
    """
    found = sorted(p for p in [*root.glob("*.yaml"), *root.glob("*.yml")] if p.is_file())
    if len(found) > 1:
        found = [p for p in found if p.stem == root.name]
    if len(found) != 1:
        return None
    try:
        config = _load_yaml(found[0])
    except (InputError, OSError):
        return None
    named = "names" in config or "nc" in config
    return found[0] if named and ("train" in config or "val" in config) else None


def has_txt(folder: Path) -> bool:
    """A folder holding ``.txt`` files, directly or one level down (split folders)."""
    if not folder.is_dir():
        return False
    with os.scandir(folder) as entries:  # (closed on an early return: no ResourceWarning)
        for entry in entries:
            if entry.name.endswith(".txt") and entry.is_file():
                return True
            if entry.is_dir():
                with os.scandir(entry.path) as inner:
                    if any(e.name.endswith(".txt") for e in inner):
                        return True
    return False


@dataclass
class Entry:
    """One image of the dataset: its split, its key (the item id before de-duplication), image and label paths."""

    split: str | None
    key: str
    image: Path | None
    label: Path | None


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


def _img2label(image: Path) -> Path:
    """Ultralytics' rule: the last ``images`` folder in the path becomes ``labels``; else the label sits beside it.

    When no label file is at the ``labels`` place but one is beside the image (a Darknet dataset in a folder
    that some parent calls ``images``), that one is the label file. The extension is what follows the name's
    last dot (``a.`` has label ``a.txt``, as the writer and Ultralytics name it).
    """
    parts = image.parts
    beside = label_file(image)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] in ("images", "Images"):
            for label_dir in ("labels", "Labels", "Annotations", "annotations", "labelTxt"):
                candidate = label_file(Path(*parts[:i], label_dir, *parts[i + 1 :]))
                if candidate.is_file():
                    return candidate
            if beside.is_file():
                return beside
            return label_file(Path(*parts[:i], "labels", *parts[i + 1 :]))
    return beside


def label_file(image: Path) -> Path:
    """``image`` with ``.txt`` in place of its extension (the part after the name's last dot, not leading)."""
    name = image.name
    dot = name.rfind(".")
    return image.with_name((name[:dot] if dot > 0 else name) + ".txt")


APPLE_DOUBLE = "._"
"""The name prefix of the files macOS writes beside others on foreign disks and in zips (``._a.jpg``, ``._a.txt``:
resource forks, never images or labels); they are passed over."""


def images_under(folder: Path) -> list[Path]:
    """The images anywhere below ``folder``, by path (macOS ``._*`` files are none)."""

    def keep(name: str) -> bool:
        return is_image(Path(name)) and not name.startswith(APPLE_DOUBLE)

    return sorted(p for p in (folder / f for f in walk_files(folder, keep)) if p.is_file())


def rel_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` (string work: this runs once per image)."""
    text, base = str(path), str(root) + os.sep
    if text.startswith(base):
        return text[len(base) :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _parse_names(value: Any, source: Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        # integer keys (or their digits as text); 1.5 and true would pass int() as 1
        bad = [k for k in value if not (type(k) is int or (isinstance(k, str) and k.isascii() and k.isdigit()))]
        if bad:
            raise InputError("names keys must be class ids", path=source, element="names", found=repr(bad[0])[:200])
        by_id = {int(k): str(v) for k, v in value.items()}
        if sorted(by_id) != list(range(len(by_id))):
            raise InputError("names ids must be 0..n-1", path=source, element="names", found=str(sorted(by_id)))
        return [by_id[i] for i in range(len(by_id))]
    raise InputError("names must be a list or an id -> name map", path=source, element="names")


def read_names_file(path: Path, inside: Inside | None) -> list[str]:
    """The class names of a names file (``obj.names``, ``classes.txt``): one per line, blank last lines dropped."""
    text = _dataset_text(path, inside)
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.strip() for line in lines]


MAX_UNNAMED_CLASSES = 1 << 20
"""Without a names file, classes are named class_0..class_N: a class id (or ``nc``) this large is refused."""


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (``*name``).

    No YOLO config needs them, and nine nested aliases of nine items make a 500-byte file whose names
    expand to 387 million strings.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a YOLO config", mark)
        return super().compose_node(parent, index)


def _load_yaml(path: Path) -> dict[str, Any]:
    text = read_text(path)
    try:
        value = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: it has a position, not a mark
        at = text.count("\n", 0, exc.position) + 1
        char: Any = exc.character
        code: Any = ord(char) if isinstance(char, str) and len(char) == 1 else char
        what = f"character U+{code:04X}" if isinstance(code, int) else "a character"
        raise InputError(f"invalid YAML: {what} is not allowed ({exc.reason})", path=path, line=at) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path, line=line) from exc
    if not isinstance(value, dict):
        raise InputError("data.yaml must be a mapping", path=path)
    keys = [k if type(k) is not int else str(k) for k in value]  # `2017: images/train2017` names split "2017"
    odd = [k for k in keys if not isinstance(k, str)]  # (null, true, 1.5, a date: none is a name)
    if odd or len(set(keys)) != len(keys):
        found = repr(odd[0]) if odd else next(k for k in keys if keys.count(k) > 1)
        raise InputError("data.yaml keys must be distinct names", path=path, found=found[:200])
    value = dict(zip(keys, value.values(), strict=True))
    bad = _not_utf8_text(value)
    if bad is not None:  # a "\ud800" escape: no file, table or terminal can take it
        raise InputError(
            "text holds a lone surrogate, which UTF-8 cannot encode", path=path, found=ascii(bad)[1:-1][:200]
        )
    return value


def _not_utf8_text(value: Any) -> str | None:
    """The first string of a YAML value (keys included) that UTF-8 cannot encode.

    Each node is visited once: without aliases (refused when loading) none is shared.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return v
        elif isinstance(v, (dict, list)):
            stack.extend([*v.keys(), *v.values()] if isinstance(v, dict) else v)
    return None


def _resolve_source(base: Path, value: str, key: str) -> Path | None:
    candidates = [base / value]
    if value.startswith("../"):
        # Ultralytics drops a leading ../ when the path is missing (Roboflow exports point one level up)
        candidates.append(base / value[3:])
    # Roboflow writes val: ../valid/images while its folder is val/; fall back to <split>/images
    candidates += [base / key / "images", base / "images" / key]
    for c in candidates:
        if c.exists():
            return c
    return None


def _config_root(config_path: Path, config: dict[str, Any]) -> Path:
    """The dataset root of a ``data.yaml``: its ``path`` when that is a folder, else the file's folder."""
    folder = config_path.parent
    if isinstance(config.get("path"), str):
        candidate = Path(config["path"])
        candidate = candidate if candidate.is_absolute() else folder / candidate
        if candidate.is_dir():
            return candidate
    return folder


_SPLIT_NAMES = ("train", "val", "validation", "test", "minival")


def _split_keys(config: dict[str, Any]) -> list[str]:
    """The keys of a ``data.yaml`` that name a split's images (a folder, a list file, or a list of them)."""
    keys = [k for k in _SPLIT_NAMES if config.get(k)]
    # other keys holding image folders are splits too (labelkit writes train2017: images/train2017)
    return keys + [
        k
        for k, v in config.items()
        if k not in keys and k not in CONFIG_KEYS and isinstance(v, str) and v.startswith("images/")
    ]


def config_inputs(path: Path) -> list[Path]:
    """The places a YOLO input's ``data.yaml`` reads from: its root and what each split names.

    A split may name a place outside the root (Roboflow's ``../valid/images``); each comes with its
    ``labels`` counterpart.

    A config that cannot be read gives none: reading the dataset reports it.
    """
    config_path = path if path.is_file() else find_config(path) if path.is_dir() else None
    if config_path is None or config_path.suffix not in (".yaml", ".yml"):
        return []
    try:
        config = _load_yaml(config_path)
        root = _config_root(config_path, config)
    except InputError:
        return []
    places = [root]
    for source in _split_sources(root, config):  # what reading takes (Roboflow's ../train/images: train/images)
        places.append(source)
        parts = source.parts
        if "images" in parts:  # Ultralytics's labels folder: the last images/ turned into labels/
            at = len(parts) - 1 - parts[::-1].index("images")
            places.append(Path(*parts[:at], "labels", *parts[at + 1 :]))
    return places


def _split_sources(root: Path, config: dict[str, Any], missing: list[str] | None = None) -> dict[Path, str]:
    """The folders, list files or label folders a ``data.yaml``'s splits name, as found, each with its split.

    A value that names nothing found is left out (and, with ``missing``, added to it as ``key: value``).
    """
    sources: dict[Path, str] = {}
    for key in _split_keys(config):
        values = config[key] if isinstance(config[key], list) else [config[key]]
        for value in values:
            split = "val" if key == "validation" else key
            source = _resolve_source(root, str(value), split) or _labels_only_source(root, str(value), split)
            if source is None:
                if missing is not None:
                    missing.append(f"{key}: {value}")
                continue
            if key == "validation" and source.name == "validation":  # a split named so (labelkit writes it)
                split = "validation"
            # a folder named by two keys (Ultralytics needs train and val) is read once, under its own name
            if source not in sources or source.name == split:
                sources[source] = split
    return sources


def _dataset_text(path: Path, inside: Inside | None) -> str:
    """A list or names file's text; with ``inside``, refused when a symbolic link takes it out of the dataset.

    Raises:
        InputError: naming the file.
    """
    if inside is None:
        return read_text(path)
    try:
        data = read_file(path, inside=inside)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path, hint=_LINK_HINT) from exc
    return read_text(path, data)


_LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"


def ultralytics_layout(
    config_path: Path, sizes: dict[str, tuple[int, int]], follow: bool = False, find_sizes: bool = False
) -> Layout:
    """The layout a ``data.yaml`` describes; with ``find_sizes``, ``sizes`` gets the side file of its root.

    (The root is ``path`` when that is a folder: a config kept outside the dataset finds the dataset's sizes.)
    """
    config = _load_yaml(config_path)
    root = _config_root(config_path, config)
    if find_sizes and (root / SIZES_FILE).is_file():
        sizes.update(load_sizes(root / SIZES_FILE))
    names = _parse_names(config.get("names"), config_path)
    if not names and isinstance(config.get("nc"), int):
        if not 0 <= config["nc"] <= MAX_UNNAMED_CLASSES:
            raise InputError(
                "nc without names must be a class count",
                path=config_path,
                element="nc",
                expected=f"0 to {MAX_UNNAMED_CLASSES:,}",
                found=str(config["nc"]),
            )
        names = [f"class_{i}" for i in range(config["nc"])]
    if isinstance(config.get("nc"), int) and config["nc"] != len(names):
        raise InputError("nc does not match names", path=config_path, element="nc", expected=str(len(names)))
    layout = Layout(root=root, names=names, config=config)
    kpt = config.get("kpt_shape")
    if kpt is not None:
        if not (
            isinstance(kpt, list)
            and len(kpt) == 2
            and all(type(v) is int for v in kpt)
            and 0 <= kpt[0] <= MAX_KEYPOINTS
            and kpt[1] in (2, 3)
        ):
            raise InputError(
                f"kpt_shape must be [K, 2 or 3] with K from 0 to {MAX_KEYPOINTS}",
                path=config_path,
                element="kpt_shape",
                found=repr(kpt),
            )
        layout.kpt_shape = (kpt[0], kpt[1])
    flip = config.get("flip_idx")
    if flip is not None and not (isinstance(flip, list) and all(type(v) is int and 0 <= v < 2**31 for v in flip)):
        raise InputError("flip_idx must be a list of keypoint indexes", path=config_path, element="flip_idx")
    if (
        flip is not None
        and layout.kpt_shape is not None
        and not (len(flip) == layout.kpt_shape[0] and all(v < layout.kpt_shape[0] for v in flip))
    ):  # (Ultralytics swaps keypoints by these indexes when it flips an image)
        raise InputError(
            f"flip_idx must list {layout.kpt_shape[0]} keypoint indexes below {layout.kpt_shape[0]} (kpt_shape)",
            path=config_path,
            element="flip_idx",
            found=repr(flip)[:200],
        )
    split_keys = _split_keys(config)
    if not split_keys:
        raise InputError("data.yaml names no train, val or test images", path=config_path, element="train")
    unkept = [
        str(k)
        for k in config
        if (k == "download" or k not in CONFIG_KEYS) and k not in split_keys and k not in _SPLIT_NAMES
    ]
    if unkept:  # (a written data.yaml has the splits, names and keypoint keys only: download could fetch it all)
        layout.notes.append(f"data.yaml's {', '.join(unkept)} not kept: a data.yaml written from it has no such key")
    missing: list[str] = []
    no_images: list[tuple[Path, int, str]] = []
    sources = _split_sources(root, config, missing)
    inside = None if follow else Inside(root)
    relocated = Relocated(root)
    for source, split in sources.items():
        layout.entries += _entries_from_source(source, root, split, sizes, inside, relocated, no_images)
    if not sources:
        hint = f"download: {config['download']}" if config.get("download") else None
        raise InputError(
            "none of the image folders or lists named in data.yaml exist",
            path=config_path,
            element=split_keys[0],
            found=str(config[split_keys[0]]),
            hint=hint,
        )
    layout.notes += [f"data.yaml's {m} names no images or labels found: nothing of it is read" for m in missing]
    if no_images:  # (Ultralytics keeps the lines of an image extension only)
        first, number, line = no_images[0]
        layout.notes.append(
            f"{len(no_images):,} lines of image lists name no image (no image extension: {line!r} at "
            f"{rel_path(first, root)}:{number} first): not read, as Ultralytics reads none of them"
        )
    layout.notes += [note for note in (relocated.note(),) if note is not None]
    layout.entries = _one_per_file(layout.entries)
    return layout


def _one_per_file(entries: list[Entry]) -> list[Entry]:
    """``entries`` without the later ones of an image (or, without one, label file) a split already has.

    A split's folders and lists may name an image twice (two lists, or a list and a folder): it is one item,
    as an image listed twice in one list is.
    """
    seen: set[tuple[str | None, Path | None]] = set()
    kept = []
    for entry in entries:
        file = (entry.split, entry.image if entry.image is not None else entry.label)
        if file not in seen:
            seen.add(file)
            kept.append(entry)
    return kept


def _labels_only_source(root: Path, value: str, split: str) -> Path | None:
    """The labels folder of a missing images folder (output written with media=none, or labels shipped alone).

    Its label files are read as any whose image is missing: sized by the size side file or ``image_size``,
    else an error naming the file (they were passed over without a word when no side file was there).
    """
    label_dir = _img2label(root / value / "x.jpg").parent
    return label_dir if label_dir.is_dir() else None


def _entries_from_source(
    source: Path,
    root: Path,
    split: str | None,
    sizes: dict[str, tuple[int, int]],
    inside: Inside | None,
    relocated: Relocated,
    no_images: list[tuple[Path, int, str]],
) -> list[Entry]:
    if source.is_file():
        return _entries_from_list(source, root, split, inside, relocated, no_images)
    if source.name in LABEL_DIRS or source.parent.name in LABEL_DIRS:
        return entries_from_labels(source, root, split, sizes)
    entries = []
    for image in images_under(source):
        key = image.relative_to(source).with_suffix("").as_posix()
        entries.append(Entry(split, key, image, _img2label(image)))
    # label files whose image is absent (listed in the size side file, or an error later)
    label_dir = _img2label(source / "x.jpg").parent
    if label_dir != source and label_dir.is_dir():
        known = {e.label for e in entries}
        for extra in entries_from_labels(label_dir, root, split, sizes):
            if extra.label not in known:
                entries.append(extra)
    return entries


def _label_rel(image_rel: str) -> str:
    """:func:`_img2label` on a relative POSIX path, as pure string work (no file checks)."""
    text = "/" + image_rel
    cut = text.rfind("/images/")
    if cut >= 0:
        text = text[:cut] + "/labels/" + text[cut + len("/images/") :]
    head, slash, base = text.rpartition("/")
    dot = base.rfind(".")
    return (head + slash + (base[:dot] if dot > 0 else base) + ".txt")[1:]


def entries_from_labels(
    label_dir: Path, root: Path, split: str | None, sizes: dict[str, tuple[int, int]]
) -> list[Entry]:
    """Entries for every label file under ``label_dir``; images come from the size side file, if any."""
    by_label: dict[str, list[str]] = {}
    for name in sorted(sizes):  # images of one folder sharing a stem share a label file
        by_label.setdefault(_label_rel(name), []).append(name)
    label_prefix = rel_path(label_dir, root) + "/"
    entries = []
    for name in sorted(walk_files(label_dir, lambda f: f.endswith(".txt") and not f.startswith(APPLE_DOUBLE))):
        images: list[str | None] = [*by_label.get(label_prefix + name, [])] or [None]
        if images == [None] and name.rpartition("/")[2] == LABELIMG_NAMES:  # LabelImg's names, not labels
            continue
        entries += [Entry(split, name[:-4], root / image if image else None, label_dir / name) for image in images]
    return entries


def _below_root(path: str, root: Path) -> str | None:
    """An absolute ``path`` as a path below ``root``, when it lies inside it (after ``..`` is taken lexically).

    None for a relative path or one outside. ``root`` is compared as given (made absolute) and with its links
    resolved, since a list may have been written from either.

    Examples:
        >>> _below_root("/data/ds/images/a.jpg", Path("/data/ds")), _below_root("/data/ds/../x.jpg", Path("/data/ds"))
        ('images/a.jpg', None)
    """
    if not path.startswith("/"):
        return None
    text = os.path.normpath(path)
    for base in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
        prefix = base.rstrip(os.sep) + os.sep
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :].replace(os.sep, "/")
    return None


_LIST_LINES = "a list names images inside the dataset folder: relative to the list's folder or to it, or absolute"


def _climbing(line: str, folder: Path, root: Path) -> list[str]:
    """A relative list line with ``..`` (``../images/a.jpg``, ``./../images/a.jpg``) as paths below ``root``.

    Taken from the list's ``folder`` (as Ultralytics takes ``./`` lines; a list in ``lists/`` names
    ``../images/a.jpg``), then from ``root``: those that land inside ``root``. None for a line without ``..``
    or an absolute one, and for one landing outside (:func:`safe_relpath` then refuses it, naming its line).

    Examples:
        >>> _climbing("../images/a.jpg", Path("/ds/lists"), Path("/ds")), _climbing("../a", Path("/ds"), Path("/ds"))
        (['images/a.jpg'], [])
    """
    text = line.replace("\\", "/")
    if text.startswith("/") or ".." not in text.split("/"):
        return []
    found = [_below_root(os.path.join(os.path.abspath(base), text), root) for base in (folder, root)]
    return list(dict.fromkeys(b for b in found if b is not None))


def _outside(line: str) -> bool:
    r"""A path that no folder of the dataset holds as written: absolute, or climbing with ``..``.

    Absolute: ``/content/a.jpg``, ``C:\data\a.jpg``, ``\\host\share\a.jpg``; climbing: asked once the path
    leads out of the dataset.

    Examples:
        >>> [_outside(p) for p in ("/content/a.jpg", "C:\\d\\a.jpg", "../a.jpg", "obj/a.jpg", "a\x00.jpg")]
        [True, True, True, False, False]
    """
    text = line.replace("\\", "/")
    if "\x00" in text:
        return False  # (no file has such a name: the line stays an error)
    return text.startswith("/") or bool(PureWindowsPath(line).drive) or ".." in text.split("/")


def _trailing_parts(line: str) -> list[str]:
    r"""The parts of an :func:`_outside` path after its drive and its last ``..``, the ``.`` ones dropped.

    Examples:
        >>> _trailing_parts("/content/drive/../data/obj/a.jpg"), _trailing_parts("C:\\dk\\obj\\a.jpg")
        (['content', 'data', 'obj', 'a.jpg'], ['dk', 'obj', 'a.jpg'])
        >>> _trailing_parts("../../x/./obj/a.jpg")
        ['x', 'obj', 'a.jpg']
    """
    text = line.replace("\\", "/")
    drive = PureWindowsPath(line).drive
    parts = posixpath.normpath(text[len(drive) :]).split("/")
    if ".." in parts:
        parts = parts[len(parts) - parts[::-1].index("..") :]
    return [p for p in parts if p not in ("", ".")]


class Relocated:
    r"""The files inside a dataset that the paths of another machine name, and the ones found so.

    A list (or ``obj.data``) made on another machine names its files there (Colab's
    ``/content/drive/MyDrive/data/obj/a.jpg``, ``/home/alice/darknet/data/obj/a.jpg``, ``C:\darknet\...``).
    Such a path's trailing parts are looked for inside the dataset, the longest first (``data/obj/a.jpg``, then
    ``obj/a.jpg``, then ``a.jpg``), from the list's folder then the root: the one file found at the longest
    one is taken. Only paths inside the dataset are ever looked at, so an untrusted list cannot make labelkit
    read any other file of the machine (the path as written, when it exists, is not opened either).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.found: list[tuple[Path, int, str, str]] = []
        """The lines taken so: the file, its line number, the line, the path taken (below the root)."""
        self._folders: dict[str, bool] = {}
        self._bases: dict[Path, list[str]] = {}

    def _folder(self, folder: str) -> bool:
        known = self._folders.get(folder)  # (a list's lines share their folders: each is looked at once)
        if known is None:
            known = self._folders[folder] = os.path.isdir(folder)
        return known

    def find(self, path: str, folder: Path, labels: bool = True) -> list[Path]:
        """The files inside the root at the longest trailing parts of ``path`` that name one.

        Taken from ``folder`` (when inside the root) and the root: one file, or two when both hold one (the
        caller refuses such a line). Images are looked for first; with ``labels``, then label files (labels
        shipped without their images). None when no trailing part names a file.
        """
        parts = _trailing_parts(path)
        bases = self._bases.get(folder)
        if bases is None:
            inside = _below_root(os.path.abspath(folder), self.root) is not None
            bases = self._bases[folder] = [str(folder), str(self.root)] if inside else [str(self.root)]
        for label_pass in (False, True) if labels else (False,):
            for k in range(len(parts), 0, -1):
                tail = parts[-k:]
                found = []
                for base in bases:  # (string work first: most endings start with a folder the dataset lacks)
                    if k > 1 and not self._opens(base, tail[0], label_pass):
                        continue
                    file = Path(base, *tail)
                    if is_file(_img2label(file) if label_pass else file):
                        found.append(file)
                if found:
                    return found
        return []

    def _opens(self, base: str, first: str, label_pass: bool) -> bool:
        """Whether folder ``first`` is in ``base`` (for a label, the labels folder of an images one may be)."""
        if self._folder(os.path.join(base, first)):
            return True
        return label_pass and first in IMAGE_DIRS and any(self._folder(os.path.join(base, d)) for d in LABEL_DIRS)

    def hint(self, path: str, found: list[Path], what: str, fix: str) -> str:
        """Why ``path`` (of ``what``: "the list", "obj.data") was not found inside the dataset, and the fix."""
        parts = _trailing_parts(path)
        if len(found) > 1:
            why = f"two files inside it end as this path does ({', '.join(rel_path(f, self.root) for f in found)})"
        else:
            tails = ", ".join("/".join(parts[-k:]) for k in range(min(2, len(parts)), 0, -1)) or "none"
            why = f"no file inside it ends as this path does ({tails})"
        return f"{what}'s paths lie outside the dataset folder (written on another machine?), and {why}: {fix}"

    def note(self) -> str | None:
        """The read note counting the lines taken so, naming the first; None when there is none."""
        if not self.found:
            return None
        source, number, line, taken = self.found[0]
        at = f"{line!r} at {rel_path(source, self.root)}:{number}"
        if len(self.found) == 1:
            what, which = f"1 list line names a file outside the dataset folder ({at}, read as {taken})", "it is"
        else:
            what = f"{len(self.found):,} list lines name files outside the dataset folder ({at} first, read as {taken})"
            which = "each is"
        return (
            f"{what}: {which} read as the file inside it whose path ends as the line's does "
            "(a list written on another machine?)"
        )


_LIST_FIX = "rewrite the list with paths relative to the dataset folder (or the list's)"
_LISTED_IMAGE_EXTENSIONS = frozenset({*IMAGE_EXTENSIONS, ".avif", ".jp2", ".jpeg2000"})
"""Extensions of the list lines an Ultralytics list reads: any version's ``IMG_FORMATS`` (8.3 reads ``.avif`` and
``.jp2`` images, which :data:`~labelkit.formats.yolo_media.IMAGE_EXTENSIONS` does not hold)."""


def _entries_from_list(
    list_file: Path,
    root: Path,
    split: str | None,
    inside: Inside | None,
    relocated: Relocated,
    no_images: list[tuple[Path, int, str]] | None = None,
) -> list[Entry]:
    """The images a list names, a line each; blank lines and ``#`` comments are skipped.

    With ``no_images`` (an Ultralytics list: ``get_img_files`` keeps the lines of an image extension only),
    a line without an image extension (a folder, ``notes.md``) is not read, and is added to it. A line naming
    a file outside the dataset (a list written on another machine) is read as the file inside it whose path
    ends so (:class:`Relocated`, which notes it), else refused.
    """
    entries = []
    seen: set[Path] = set()
    text = _dataset_text(list_file, inside)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if no_images is not None and Path(line.replace("\\", "/")).suffix.lower() not in _LISTED_IMAGE_EXTENSIONS:
            no_images.append((list_file, number, line))
            continue
        below = _below_root(line, root)  # (Ultralytics' lists are often absolute)
        climbs = [below] if below is not None else _climbing(line, list_file.parent, root)
        if not climbs and _outside(line):  # (outside the dataset: another machine's path?)
            found = relocated.find(line, list_file.parent)
            if len(found) != 1:
                fix = _LIST_FIX + (", or name the images folder in data.yaml" if no_images is not None else "")
                raise InputError(
                    f"unsafe file name {line!r}",
                    path=list_file,
                    line=number,
                    hint=relocated.hint(line, found, "the list", fix),
                )
            climbs = [rel_path(found[0], root)]
            relocated.found.append((list_file, number, line, climbs[0]))
        plain = line[2:] if line.startswith("./") else line  # (./ is the list's folder: the first candidate)
        try:
            name = climbs[0] if climbs else safe_relpath(plain, source=list_file, line=number)
        except InputError as exc:  # (outside the dataset: ../ lines leading inside it are read)
            raise InputError(exc.message, path=list_file, line=number, hint=_LIST_LINES) from None
        candidates = [root / c for c in climbs] if climbs else [list_file.parent / name, root / name]
        if "/" in name and not climbs:
            # Darknet lists often carry the data/ prefix of the training machine (Datumaro's exporter adds it)
            candidates.append(root / name.split("/", 1)[1])
        image = next((c for c in candidates if is_file(c)), None)
        if image is None:  # no image here (labels shipped alone): the candidate whose label file exists
            if name == "." or any(c.is_dir() for c in candidates):  # ("." made no item id: ValueError)
                raise InputError("a list line names a folder, not an image", path=list_file, line=number)
            image = next((c for c in candidates if is_file(_img2label(c))), candidates[0])
        if image in seen:  # an image listed twice (to weigh it in training) is one item
            continue
        seen.add(image)
        key = Path(rel_path(image, root) if climbs else name).with_suffix("").as_posix()
        entries.append(Entry(split, key, image, _img2label(image)))
    return entries


def darknet_layout(data_path: Path, follow: bool = False) -> Layout:
    """The layout an ``obj.data`` describes (its names file and one list file per split)."""
    root = data_path.parent
    inside = None if follow else Inside(root)
    config: dict[str, str] = {}
    line_of: dict[str, int] = {}
    text = read_text(data_path)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError("expected key = value", path=data_path, line=number, found=repr(line))
        config[key.strip()] = value.strip()
        line_of[key.strip()] = number

    relocated = Relocated(root)
    moved: list[str] = []

    def local(key: str) -> Path:
        below = _below_root(config[key], root)
        if below is None and _outside(config[key]):  # (obj.data written on another machine: /content/...)
            found = relocated.find(config[key], root, labels=False)
            if len(found) != 1:
                hint = relocated.hint(config[key], found, "obj.data", "write its paths relative to its folder")
                raise InputError(f"unsafe file name {config[key]!r}", path=data_path, line=line_of[key], hint=hint)
            moved.append(f"{key} = {config[key]} (obj.data:{line_of[key]}) as {rel_path(found[0], root)}")
            return found[0]
        name = safe_relpath(below or config[key], source=data_path, line=line_of[key])
        path = root / name
        if not path.exists() and "/" in name and not below:
            path = root / name.split("/", 1)[1]
        return path

    names_path = local("names") if "names" in config else root / "obj.names"
    names = read_names_file(names_path, inside) if names_path.is_file() else []
    layout = Layout(root=root, names=names, config=dict(config))
    for key in config:
        if key in DARKNET_RESERVED or key not in ("train", "valid") and not config[key].lower().endswith(".txt"):
            continue  # (no list of images: a classifier's top = 5, COCO's map = data/coco.map of category ids)
        source = local(key)
        # (labelkit lists a val split under Darknet's valid key, as val.txt: it reads back as val)
        split = source.stem if key == "valid" and source.stem in ("val", "validation") else key
        if source.is_file():
            layout.entries += _entries_from_list(source, root, split, inside, relocated)
        elif config[key].lower().endswith(".txt"):
            layout.notes.append(f"obj.data's {key} = {config[key]} names no list file found: nothing of it is read")
    if moved:
        layout.notes.append(
            f"obj.data names files outside the dataset folder (written on another machine?): read {', '.join(moved)}, "
            "the file inside it whose path ends as each does"
        )
    layout.notes += [note for note in (relocated.note(),) if note is not None]
    layout.entries = _one_per_file(layout.entries)
    return layout
