"""YOLO image list files (``train.txt``): each line an image path, read as the file inside the dataset it names.

A line is relative to the list's folder or the dataset root, absolute inside the dataset, or (a list written on
another machine) a path outside it, read as the one file inside whose path ends as it does (:class:`Relocated`).
Used by :mod:`labelkit.formats.yolo_configs` for Ultralytics' ``data.yaml`` and Darknet's ``obj.data``.
"""

from __future__ import annotations

import os
import posixpath
import string
from pathlib import Path, PureWindowsPath

from labelkit.errors import InputError
from labelkit.formats.yolo_config_read import dataset_text
from labelkit.formats.yolo_layout import IMAGE_DIRS, LABEL_DIRS, Entry, child_prefix, img2label, rel_path
from labelkit.formats.yolo_listing import Listings, has_image_extension, without_suffix
from labelkit.io import Inside, is_file, is_plain_relpath, safe_relpath


def below_root(path: str, root: Path) -> str | None:
    """An absolute ``path`` as a path below ``root``, when it lies inside it (after ``..`` is taken lexically).

    None for a relative path or one outside. ``root`` is compared as given (made absolute) and with its links
    resolved, since a list may have been written from either.

    Examples:
        >>> below_root("/data/ds/images/a.jpg", Path("/data/ds")), below_root("/data/ds/../x.jpg", Path("/data/ds"))
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


DATA_PREFIX = "data/"
"""The folder Darknet's paths start with on the machine that trained (``data/obj_train_data/a.jpg``; Datumaro's
exporter writes it too): a path not found with it is looked for without it, and no other first folder is."""
_LIST_LINES = "a list names images inside the dataset folder: relative to the list's folder or to it, or absolute"


def climbing(line: str, folder: Path, root: Path) -> list[str]:
    """A relative list line with ``..`` (``../images/a.jpg``, ``./../images/a.jpg``) as paths below ``root``.

    Taken from the list's ``folder`` (as Ultralytics takes ``./`` lines; a list in ``lists/`` names
    ``../images/a.jpg``), then from ``root``: those that land inside ``root``. None for a line without ``..``
    or an absolute one, and for one landing outside (:func:`safe_relpath` then refuses it, naming its line).

    Examples:
        >>> climbing("../images/a.jpg", Path("/ds/lists"), Path("/ds")), climbing("../a", Path("/ds"), Path("/ds"))
        (['images/a.jpg'], [])
    """
    text = line.replace("\\", "/")
    if text.startswith("/") or ".." not in text.split("/"):
        return []
    found = [below_root(os.path.join(os.path.abspath(base), text), root) for base in (folder, root)]
    return list(dict.fromkeys(b for b in found if b is not None))


def outside_line(line: str) -> bool:
    r"""A path that no folder of the dataset holds as written: absolute, or climbing with ``..``.

    Absolute: ``/content/a.jpg``, ``C:\data\a.jpg``, ``\\host\share\a.jpg``; climbing: asked once the path
    leads out of the dataset.

    Examples:
        >>> [outside_line(p) for p in ("/content/a.jpg", "C:\\d\\a.jpg", "../a.jpg", "obj/a.jpg", "a\x00.jpg")]
        [True, True, True, False, False]
    """
    text = line.replace("\\", "/")
    if "\x00" in text:
        return False  # (no file has such a name: the line stays an error)
    drive = line[1:2] == ":" and line[:1] in string.ascii_letters  # (PureWindowsPath's drive, without its cost)
    return text.startswith("/") or drive or ".." in text.split("/")


def _trailing_parts(line: str) -> list[str]:
    r"""The parts of an :func:`outside_line` path after its drive and its last ``..``, the ``.`` ones dropped.

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
            inside = below_root(os.path.abspath(folder), self.root) is not None
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
            why = f"no ending of this path ({tails}) names a file in it or in the folder of {what}"
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


class ListLines:
    """What the lists of a config name that is read with a note: lines of no image extension, absent images.

    Args:
        no_images: for an Ultralytics config (``get_img_files`` keeps the lines of an image extension only),
            the lines of no image extension, passed over; None for Darknet's, which reads every line.
        named_by: the config line naming the list being read (``obj.data's train = train.txt (obj.data:2)``).
        home: the config's folder: an error quotes the line of a list there only (``train: /etc/passwd``, a
            file of the machine an untrusted config names, is not quoted).
    """

    def __init__(
        self,
        no_images: list[tuple[Path, int, str]] | None = None,
        named_by: str = "the config",
        home: Path | None = None,
    ) -> None:
        self.no_images = no_images
        self.named_by = named_by
        self.home = None if home is None else Inside(home)
        self.listings = Listings()
        """The folders the lines' images and label files are looked for in, each listed once."""
        self.absent: list[tuple[Path, int, str]] = []
        """The lines naming an image that is not there, nor its label file: the file, its line number, the line."""
        self.folders: set[str] = set()
        """The folders of the images the lists name (:meth:`Listings.unlisted` looks there for others)."""
        self.repeated: list[tuple[Path, int]] = []
        """The lines naming an image a line before named (the file, its line number): one item, listed once."""

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

    def repeated_note(self, root: Path) -> str | None:
        """The read note counting the lines of :attr:`repeated`, naming the first; None when there is none."""
        if not self.repeated:
            return None
        source, number = self.repeated[0]
        at = f"{rel_path(source, root)}:{number}"
        n = len(self.repeated)
        what = "1 list line names" if n == 1 else f"{n:,} list lines name"
        return (
            f"{what} an image a line before named ({at}{' first' if n > 1 else ''}): one item, listed once when "
            "written (a repeat weighs an image in training)"
        )


_LIST_FIX = "rewrite the list with paths relative to the dataset folder (or the list's)"


def _list_line_name(
    line: str, number: int, list_file: Path, folder: Path, root: Path, relocated: Relocated, ultralytics: bool
) -> tuple[str, list[str]]:
    """A list line that is not a plain relative path: its name, and the paths below ``root`` it names.

    The paths are those of ``..``, absolute and another machine's lines; none for a name taken relative to
    the list's folder or the root. (A plain relative line, ``images/a.jpg``, is its own name, without these.)
    """
    below = below_root(line, root)  # (Ultralytics' lists are often absolute)
    climbs = [below] if below is not None else climbing(line, folder, root)
    if not climbs and outside_line(line):  # (outside the dataset: another machine's path?)
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


def entries_from_list(
    list_file: Path,
    root: Path,
    split: str | None,
    inside: Inside | None,
    relocated: Relocated,
    lines: ListLines,
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
            if name.startswith(DATA_PREFIX):
                # Darknet lists often carry the data/ prefix of the training machine (Datumaro's exporter adds it);
                # only that one (any first folder was dropped: typo/images/train/x.png read images/train/x.png)
                candidates.append(at_root + name[len(DATA_PREFIX) :].replace("/", os.sep))
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
                raise _not_a_list(
                    "a list line names no image: no such file, nor its label file, and no image extension",
                    list_file,
                    number,
                    line,
                    f"{lines.named_by} names this file as a list of images (a path a line): name the split's list",
                    lines.home,
                )
            lines.absent.append((list_file, number, line))
            image = candidates[0]
        if (same := os.path.normcase(image)) in seen:  # an image listed twice (to weigh it in training) is one item
            lines.repeated.append((list_file, number))
            continue
        seen.add(same)
        key = without_suffix(rel_path(image, root) if climbs else name)
        entries.append(Entry(split, key, image, label if label is not None else listings.img2label(image), absent))
        lines.folders.add(image.rpartition(os.sep)[0])
    if no_images is not None and not read and len(no_images) > first_skipped:  # (its lines are no image paths)
        _, number, line = no_images[first_skipped]
        raise _not_a_list(
            "a list of images names no image: none of its lines has an image extension",
            list_file,
            number,
            line,
            f"{lines.named_by} names this file as a list of images (a path a line): name the split's images folder "
            "or list",
            lines.home,
        )
    return entries


def _not_a_list(message: str, list_file: Path, number: int, line: str, hint: str, home: Inside | None) -> InputError:
    """The error of a file a config names as a split's list whose ``line`` (at ``number``) is no image's.

    The line is quoted where the file is in the config's folder (``home``; None: anywhere).
    """
    quoted = home is None or home.holds(os.path.realpath(list_file))
    return InputError(message, path=list_file, line=number, found=repr(line) if quoted else None, hint=f"{hint} there")
