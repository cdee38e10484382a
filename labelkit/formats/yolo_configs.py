"""YOLO layouts a config describes: Ultralytics' ``data.yaml`` and Darknet's ``obj.data``, with their image lists.

A list line is an image path: relative to the list's folder or the dataset root, absolute inside the
dataset, or (a list written on another machine) a path outside it, read as the one file inside whose path
ends as it does (:class:`Relocated`). The entries, names and config files are read by
:mod:`labelkit.formats.yolo_layout`.
"""

from __future__ import annotations

import os
import posixpath
import string
from pathlib import Path, PureWindowsPath

from labelkit.errors import InputError
from labelkit.formats.yolo_config_read import (
    MAX_UNNAMED_CLASSES,
    SPLIT_NAMES,
    config_split_keys,
    dataset_text,
    named_root,
    parse_names,
    read_names_file,
    split_sources,
    widened_root,
    without_climbs,
)
from labelkit.formats.yolo_layout import (
    CONFIG_KEYS,
    DARKNET_RESERVED,
    IMAGE_DIRS,
    LABEL_DIRS,
    MAX_KEYPOINTS,
    Entry,
    LabelIndex,
    Layout,
    child_prefix,
    entries_from_labels,
    images_under,
    img2label,
    rel_path,
)
from labelkit.formats.yolo_listing import Listings, has_image_extension, unlisted_note, without_suffix
from labelkit.formats.yolo_media import SIZES_FILE, load_sizes
from labelkit.formats.yolo_yaml import load_yaml, names_not_text_note, yaml_value_line
from labelkit.io import Inside, is_file, is_plain_relpath, read_text, safe_relpath


def ultralytics_layout(
    config_path: Path, sizes: dict[str, tuple[int, int]], follow: bool = False, find_sizes: bool = False
) -> Layout:
    """The layout a ``data.yaml`` describes; with ``find_sizes``, ``sizes`` gets the side file of its root.

    (The root is ``path`` when that is a folder: a config kept outside the dataset finds the dataset's sizes.)
    """
    config = load_yaml(config_path)
    named = named_root(config_path, config)
    # (as config_root gives it; ds/../ds as ds, as the split sources are taken: images were named below the root
    # ds/../ds/images/..., outside it)
    root = named or without_climbs(config_path.parent)
    moved = isinstance(config.get("path"), str) and named is None
    if find_sizes and (root / SIZES_FILE).is_file():
        sizes.update(load_sizes(root / SIZES_FILE))
    names = parse_names(config.get("names"), config_path)
    nc = config.get("nc")
    if isinstance(nc, float) and nc.is_integer():  # (nc: 80.0 was passed over: 4 classes from the labels)
        nc = int(nc)
    elif nc is not None and not isinstance(nc, int):  # (Ultralytics refuses it: no count equals '2')
        raise InputError(
            "nc must be a class count",
            path=config_path,
            line=yaml_value_line(config_path, "nc"),
            element="nc",
            expected="a whole number",
            found=repr(nc)[:200],
        )
    if config.get("names") is None and isinstance(nc, int):  # (names: [] says: no class)
        if not 0 <= nc <= MAX_UNNAMED_CLASSES:
            raise InputError(
                "nc without names must be a class count",
                path=config_path,
                line=yaml_value_line(config_path, "nc"),
                element="nc",
                expected=f"0 to {MAX_UNNAMED_CLASSES:,}",
                found=str(nc),
            )
        names = [f"class_{i}" for i in range(nc)]
    if isinstance(nc, int) and nc != len(names):
        raise InputError(
            "nc does not match names",
            path=config_path,
            line=yaml_value_line(config_path, "nc"),
            element="nc",
            expected=str(len(names)),
        )
    layout = Layout(root=root, names=names, config=config, config_name=config_path.name)
    if (unlike := names_not_text_note(config_path, config.get("names"))) is not None:  # (null: 'None')
        layout.notes.append(unlike)
    if moved:  # (a dataset moved from another machine; Ultralytics looks for a relative one in its datasets_dir)
        layout.notes.append(
            f"{config_path.name}'s path: {config['path']} names no folder found: the dataset is read from "
            f"{config_path.name}'s folder instead"
        )
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
                line=yaml_value_line(config_path, "kpt_shape"),
                element="kpt_shape",
                found=repr(kpt),
            )
        layout.kpt_shape = (kpt[0], kpt[1])
    flip = config.get("flip_idx")
    if flip is not None and not (isinstance(flip, list) and all(type(v) is int and 0 <= v < 2**31 for v in flip)):
        raise InputError(
            "flip_idx must be a list of keypoint indexes",
            path=config_path,
            line=yaml_value_line(config_path, "flip_idx"),
            element="flip_idx",
        )
    if (
        flip is not None
        and layout.kpt_shape is not None
        and not (len(flip) == layout.kpt_shape[0] and all(v < layout.kpt_shape[0] for v in flip))
    ):  # (Ultralytics swaps keypoints by these indexes when it flips an image)
        raise InputError(
            f"flip_idx must list {layout.kpt_shape[0]} keypoint indexes below {layout.kpt_shape[0]} (kpt_shape)",
            path=config_path,
            line=yaml_value_line(config_path, "flip_idx"),
            element="flip_idx",
            found=repr(flip)[:200],
        )
    split_keys = config_split_keys(config)
    if not split_keys:
        raise InputError(
            f"{config_path.name} names no train, val or test images",
            path=config_path,
            line=yaml_value_line(config_path, "train"),  # (train: with no value: its line)
            element="train",
        )
    unkept = [
        str(k)
        for k in config
        if (k == "download" or k not in CONFIG_KEYS) and k not in split_keys and k not in SPLIT_NAMES
    ]
    if unkept:  # (a written data.yaml has the splits, names and keypoint keys only: download could fetch it all)
        layout.notes.append(
            f"{config_path.name}'s {', '.join(unkept)} not kept: a data.yaml written from it has no such key"
        )
    missing: list[str] = []
    origins: dict[Path, tuple[str, int]] = {}
    instead: list[str] = []
    sources = split_sources(root, config, missing, origins, config_path, instead)
    if named is None and (wider := widened_root(root, list(sources), config)) != root:
        root = layout.root = wider
        if find_sizes and (root / SIZES_FILE).is_file():
            sizes.update(load_sizes(root / SIZES_FILE))
    inside = None if follow else Inside(root)
    lines = _ListLines(no_images=[])
    relocated = Relocated(root)
    by_label = LabelIndex(sizes)
    for source, split in sources.items():
        key, index = origins[source]
        value = config[key][index] if isinstance(config[key], list) else config[key]
        at = yaml_value_line(config_path, key, index) if source.is_file() else None
        if not source.is_file() and not source.is_dir():  # (/dev/null: it was 'cannot list folder', naming it)
            raise InputError(
                f"{config_path.name}'s {key} names neither a folder nor a file (a device, pipe or socket)",
                path=config_path,
                line=yaml_value_line(config_path, key, index),
                found=repr(value),
                hint=f"name the {key} split's images folder ({key}: images/{key}) or list of images",
            )
        # data.yaml itself: its keys and names were read as images; an image: read as a list, 'not UTF-8 text'
        itself = source.is_file() and os.path.samefile(source, config_path)
        if itself or (source.is_file() and has_image_extension(source.name)):
            raise InputError(
                f"{config_path.name}'s {key} names {f'{config_path.name} itself' if itself else 'an image'}, "
                "not a list of images",
                path=config_path,
                line=at,
                found=repr(value),
                hint=f"name the {key} split's images folder ({key}: images/{key}) or list of images",
            )
        where = config_path.name if at is None else f"{config_path.name}:{at}"
        lines.named_by = f"{config_path.name}'s {key}: {value} ({where})"
        layout.entries += _entries_from_source(source, root, split, by_label, inside, relocated, lines)
    if not sources:
        hint = f"download: {config['download']}" if config.get("download") else None
        raise InputError(
            f"none of the image folders or lists named in {config_path.name} exist",
            path=config_path,
            line=yaml_value_line(config_path, split_keys[0]),
            element=split_keys[0],
            found=str(config[split_keys[0]]),
            hint=hint,
        )
    said = f"{config_path.name}'s"
    layout.notes += [f"{said} {m} names no images or labels found: nothing of it is read" for m in missing]
    layout.notes += [f"{said} {m}" for m in instead]
    if lines.no_images:  # (Ultralytics keeps the lines of an image extension only)
        first, number, line = lines.no_images[0]
        count = len(lines.no_images)
        lines_name = "1 line of image lists names" if count == 1 else f"{count:,} lines of image lists name"
        layout.notes.append(
            f"{lines_name} no image (no image extension: {line!r} at {rel_path(first, root)}:{number}"
            f"{' first' if count > 1 else ''}): not read, as Ultralytics reads none of them"
        )
    unlisted = unlisted_note(lines.listings.unlisted(lines.folders, layout.entries), root)
    layout.notes += [note for note in (lines.absent_note(root), relocated.note(), unlisted) if note is not None]
    layout.entries = _one_per_file(layout.entries)
    return layout


def _one_per_file(entries: list[Entry]) -> list[Entry]:
    """``entries`` without the later ones of an image (or, without one, label file) a split already has.

    A split's folders and lists may name an image twice (two lists, or a list and a folder): it is one item,
    as an image listed twice in one list is.
    """
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for entry in entries:
        file = (entry.split, entry.image if entry.image is not None else entry.label)
        if file not in seen:
            seen.add(file)
            kept.append(entry)
    return kept


def _entries_from_source(
    source: Path,
    root: Path,
    split: str | None,
    by_label: LabelIndex,
    inside: Inside | None,
    relocated: Relocated,
    lines: _ListLines,
) -> list[Entry]:
    if source.is_file():
        return _entries_from_list(source, root, split, inside, relocated, lines)
    if source.name in LABEL_DIRS or source.parent.name in LABEL_DIRS:
        return entries_from_labels(source, root, split, by_label)
    entries = []
    listings = Listings()  # (a label file is looked for in its folder's listing, not by a stat per image)
    for image in images_under(source):
        text = str(image)
        entries.append(Entry(split, without_suffix(rel_path(text, source)), text, listings.img2label(text)))
    # label files whose image is absent (listed in the size side file, or an error later)
    label_dir = img2label(source / "x.jpg").parent
    if label_dir != source and label_dir.is_dir():
        known = {e.label for e in entries}  # (the same text as a Path's: see Entry)
        for extra in entries_from_labels(label_dir, root, split, by_label):
            if extra.label not in known:
                entries.append(extra)
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
    drive = line[1:2] == ":" and line[:1] in string.ascii_letters  # (PureWindowsPath's drive, without its cost)
    return text.startswith("/") or drive or ".." in text.split("/")


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
                    if is_file(img2label(file) if label_pass else file):
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


class _ListLines:
    """What the lists of a config name that is read with a note: lines of no image extension, absent images.

    Args:
        no_images: for an Ultralytics config (``get_img_files`` keeps the lines of an image extension only),
            the lines of no image extension, passed over; None for Darknet's, which reads every line.
        named_by: the config line naming the list being read (``obj.data's train = train.txt (obj.data:2)``).
    """

    def __init__(self, no_images: list[tuple[Path, int, str]] | None = None, named_by: str = "the config") -> None:
        self.no_images = no_images
        self.named_by = named_by
        self.listings = Listings()
        """The folders the lines' images and label files are looked for in, each listed once."""
        self.absent: list[tuple[Path, int, str]] = []
        """The lines naming an image that is not there, nor its label file: the file, its line number, the line."""
        self.folders: set[str] = set()
        """The folders of the images the lists name (:meth:`Listings.unlisted` looks there for others)."""

    def absent_note(self, root: Path) -> str | None:
        """The read note counting the lines of :attr:`absent`, naming the first; None when there is none."""
        if not self.absent:
            return None
        source, number, line = self.absent[0]
        at = f"{line!r} at {rel_path(source, root)}:{number}"
        if len(self.absent) == 1:
            what = f"1 list line names an image not found, nor its label file ({at}): it is"
        else:
            what = f"{len(self.absent):,} list lines name images not found, nor their label files ({at} first): each is"
        return f"{what} read as an image without objects (a list shipped without its images?)"


_LIST_FIX = "rewrite the list with paths relative to the dataset folder (or the list's)"


def _list_line_name(
    line: str, number: int, list_file: Path, folder: Path, root: Path, relocated: Relocated, ultralytics: bool
) -> tuple[str, list[str]]:
    """A list line that is not a plain relative path: its name, and the paths below ``root`` it names.

    The paths are those of ``..``, absolute and another machine's lines; none for a name taken relative to
    the list's folder or the root. (A plain relative line, ``images/a.jpg``, is its own name, without these.)
    """
    below = _below_root(line, root)  # (Ultralytics' lists are often absolute)
    climbs = [below] if below is not None else _climbing(line, folder, root)
    if not climbs and _outside(line):  # (outside the dataset: another machine's path?)
        found = relocated.find(line, folder)
        if len(found) != 1:
            fix = _LIST_FIX + (", or name the images folder in data.yaml" if ultralytics else "")
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
    return name, climbs


def _entries_from_list(
    list_file: Path,
    root: Path,
    split: str | None,
    inside: Inside | None,
    relocated: Relocated,
    lines: _ListLines,
) -> list[Entry]:
    """The images a list names, a line each; blank lines and ``#`` comments are skipped.

    In an Ultralytics list (``lines.no_images`` set: ``get_img_files`` keeps the lines of an image extension
    only), a line without an image extension (a folder, ``notes.md``) is not read, and is added to it; a list
    with no line of an image extension is an error (``names.txt`` named as the list: its lines are no
    images). In a Darknet list, such a line naming no file, nor a label file, is an error (``obj.names`` or a
    notes file named as the list). The error's hint names ``lines.named_by``. A line naming an image that is
    not there, nor its label file, is read (lists often ship without their images) and added to
    ``lines.absent``. A line naming a file outside the dataset (a list written on another machine) is read
    as the file inside it whose path ends so (:class:`Relocated`, which notes it), else refused.
    """
    entries = []
    seen: set[str] = set()
    text = dataset_text(list_file, inside)
    no_images = lines.no_images
    first_skipped = len(no_images) if no_images is not None else 0
    read = 0
    listings = lines.listings
    folder = list_file.parent
    at_root = child_prefix(root)
    homes = [child_prefix(here) for here in dict.fromkeys((folder, root))]
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        imagelike = has_image_extension(line)
        if no_images is not None and not imagelike:
            no_images.append((list_file, number, line))
            continue
        read += 1
        if is_plain_relpath(line):  # (most lines: relative, no ./ or ../ part, nothing for the checks below)
            name, climbs = line, list[str]()
        else:
            name, climbs = _list_line_name(line, number, list_file, folder, root, relocated, no_images is not None)
        # (the paths as str(Path) gives them: the names are plain, / turned to os.sep; see child_prefix)
        if climbs:
            candidates = [at_root + c.replace("/", os.sep) for c in climbs]
        else:  # (one candidate where the list is in the dataset's folder)
            candidates = [home + name.replace("/", os.sep) for home in homes]
            if "/" in name:
                # Darknet lists often carry the data/ prefix of the training machine (Datumaro's exporter adds it)
                candidates.append(at_root + name.split("/", 1)[1].replace("/", os.sep))
        label = None  # (the label file of the image found through it, not looked for again)
        try:
            image = next((c for c in candidates if listings.is_file(c)), None)
            absent = image is None
            if image is None:  # no image here (labels shipped alone): the candidate whose label file exists
                if name == "." or any(listings.is_dir(c) for c in candidates):  # ("." made no item id: ValueError)
                    raise InputError("a list line names a folder, not an image", path=list_file, line=number)
                labels = ((c, listings.img2label(c)) for c in candidates)
                image, label = next(((c, lab) for c, lab in labels if listings.is_file(lab)), (None, None))
        except OSError as exc:  # a name too long for the file system: its line, not the dataset, is named
            raise InputError(f"cannot read: {exc.strerror or exc}", path=list_file, line=number) from None
        if image is None:
            if not imagelike:  # (no image, no label, no image extension: a line of obj.names, of notes, ...)
                raise InputError(
                    "a list line names no image: no such file, nor its label file, and no image extension",
                    path=list_file,
                    line=number,
                    found=repr(line),
                    hint=f"{lines.named_by} names this file as a list of images (a path a line): name the split's "
                    "list there",
                )
            lines.absent.append((list_file, number, line))
            image = candidates[0]
        if (same := os.path.normcase(image)) in seen:  # an image listed twice (to weigh it in training) is one item
            continue
        seen.add(same)
        key = without_suffix(rel_path(image, root) if climbs else name)
        entries.append(Entry(split, key, image, label if label is not None else listings.img2label(image), absent))
        lines.folders.add(image.rpartition(os.sep)[0])
    if no_images is not None and not read and len(no_images) > first_skipped:  # (its lines are no image paths)
        _, number, line = no_images[first_skipped]
        raise InputError(
            "a list of images names no image: none of its lines has an image extension",
            path=list_file,
            line=number,
            found=repr(line),
            hint=f"{lines.named_by} names this file as a list of images (a path a line): name the split's "
            "images folder or list there",
        )
    return entries


def _file_below(root: Path) -> Path | None:
    """The first file in a folder below ``root`` (hidden ones passed over, as ``.git``), if any."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if Path(folder) != root and (shown := sorted(f for f in files if not f.startswith("."))):
            return Path(folder) / shown[0]
    return None


def darknet_layout(data_path: Path, follow: bool = False) -> Layout:
    """The layout an ``obj.data`` (or Darknet's ``voc.data``, ...) describes: its names file, a list per split."""
    root = data_path.parent
    cfg = data_path.name
    inside = None if follow else Inside(root)
    config: dict[str, str] = {}
    line_of: dict[str, int] = {}
    repeated: list[str] = []
    text = read_text(data_path)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):  # (Darknet's read_data_cfg skips both)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError("expected key = value", path=data_path, line=number, found=repr(line))
        key = key.strip()
        if key in config:  # Darknet's option_find takes a key's first line
            repeated.append(f"{key} ({cfg}:{number}, beside line {line_of[key]})")
            continue
        config[key] = value.strip()
        line_of[key] = number

    relocated = Relocated(root)
    lines = _ListLines()
    moved: list[str] = []

    def local(key: str) -> Path:
        # (a path climbing out and back in, ../ds/train.txt, is the file it lands on inside the dataset)
        below = _below_root(config[key], root) or next(iter(_climbing(config[key], root, root)), None)
        if below is None and _outside(config[key]):  # (obj.data written on another machine: /content/...)
            found = relocated.find(config[key], root, labels=False)
            if len(found) != 1:
                hint = relocated.hint(config[key], found, cfg, "write its paths relative to its folder")
                raise InputError(f"unsafe file name {config[key]!r}", path=data_path, line=line_of[key], hint=hint)
            moved.append(f"{key} = {config[key]} ({cfg}:{line_of[key]}) as {rel_path(found[0], root)}")
            return found[0]
        name = safe_relpath(below or config[key], source=data_path, line=line_of[key])
        path = root / name
        try:
            if not path.exists() and "/" in name and not below:
                path = root / name.split("/", 1)[1]
            path.exists()  # (what is_file below would raise)
        except OSError as exc:  # a name too long for the file system: its line, not the dataset, is named
            raise InputError(f"cannot read: {exc.strerror or exc}", path=data_path, line=line_of[key]) from None
        return path

    names_path = local("names") if "names" in config else root / "obj.names"
    names = read_names_file(names_path, inside) if names_path.is_file() else []
    count = config.get("classes", "")
    if not names_path.is_file() and count.isascii() and count.isdigit() and 0 < int(count) <= MAX_UNNAMED_CLASSES:
        names = [f"class_{i}" for i in range(int(count))]  # (as data.yaml's nc alone: not the labels' highest id)
    layout = Layout(root=root, names=names, config=dict(config))
    if repeated:
        layout.notes.append(f"{cfg} repeats {', '.join(repeated)}: the first line is read, as Darknet reads it")
    if "names" in config and not names_path.is_file():  # (Darknet stops, unable to open it)
        layout.notes.append(
            f"{cfg}'s names = {config['names']} names no file found: its classes are named class_0, class_1, ..."
        )
    lists: dict[Path, tuple[str, str]] = {}  # each list read: the split it is read as, the key naming it first
    named: list[str] = []  # the keys naming lists (of images)
    for key in config:
        if key in DARKNET_RESERVED or key not in ("train", "valid") and not config[key].lower().endswith(".txt"):
            continue  # (no list of images: a classifier's top = 5, COCO's map = data/coco.map of category ids)
        named.append(key)
        source = local(key)
        itself = source.is_file() and os.path.samefile(source, data_path)
        if itself or (source.is_file() and has_image_extension(source.name)):  # (an image: 'not UTF-8 text')
            raise InputError(
                f"{cfg}'s {key} names {f'{cfg} itself' if itself else 'an image'}, not a list of images",
                path=data_path,
                line=line_of[key],
                found=repr(config[key]),
                hint=f"name the {key} split's list of images, a path a line ({key} = {key}.txt)",
            )
        # (labelkit lists a val split under Darknet's valid key, as val.txt or val2017.txt: it reads back so)
        split = source.stem if key == "valid" and source.stem.startswith("val") else key
        if not source.is_file() and source.exists() and not source.is_dir():  # (its items were lost behind a note
            raise InputError(  # saying no list file was found, as data.yaml's list is refused)
                f"{cfg}'s {key} names no file but a device, pipe or socket",
                path=data_path,
                line=line_of[key],
                found=repr(config[key]),
                hint=f"name the {key} split's list of images, a path a line ({key} = {key}.txt)",
            )
        if not source.is_file():  # (train and valid are lists to Darknet whatever their names: a folder, ...)
            layout.notes.append(f"{cfg}'s {key} = {config[key]} names no list file found: nothing of it is read")
        elif source not in lists:
            lists[source] = (split, key)
        elif source.stem == split:  # a list two keys name is read once, under its own name (labelkit writes
            lists[source] = (split, lists[source][1])  # train = val.txt beside valid = val.txt, without train)
    if not lists and named:  # (as data.yaml naming no images: no split to read, so no dataset, is an error)
        key = min(named, key=line_of.__getitem__)
        raise InputError(
            f"none of the image lists named in {cfg} exist", path=data_path, line=line_of[key], found=config[key]
        )
    if not named and (beside := _file_below(root)) is not None:  # (labelkit's own, of no items, has none)
        raise InputError(
            f"{cfg} names no list of images (no train or valid line), so nothing would be read, but its folder "
            f"holds {rel_path(beside, root)}",
            path=data_path,
            hint=f"name each split's list of images in {cfg} (train = train.txt, a path a line)",
        )
    for source, (split, key) in lists.items():
        lines.named_by = f"{cfg}'s {key} = {config[key]} ({cfg}:{line_of[key]})"
        layout.entries += _entries_from_list(source, root, split, inside, relocated, lines)
    if moved:
        layout.notes.append(
            f"{cfg} names files outside the dataset folder (written on another machine?): read {', '.join(moved)}, "
            "the file inside it whose path ends as each does"
        )
    unlisted = unlisted_note(lines.listings.unlisted(lines.folders, layout.entries), root)
    layout.notes += [note for note in (lines.absent_note(root), relocated.note(), unlisted) if note is not None]
    layout.entries = _one_per_file(layout.entries)
    return layout
