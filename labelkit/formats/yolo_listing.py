"""File checks for the lines of a YOLO image list, answered from one listing per folder.

A list names an image a line (118,287 lines for COCO's train2017), each looked for at a few candidate paths,
and its label file at a few more: a ``stat`` per line and candidate. :class:`Listings` reads each folder once
(``os.scandir``) and answers from that: the same answers as ``Path.is_file``, ``is_dir`` and ``is_symlink``
(a link to a file is a file, as ``is_file`` follows it). Where a listing could answer otherwise, the file
system is asked as before: a folder that cannot be listed (no read permission) or searched (no ``x``: its names
are listed, but a ``stat`` of any is refused), a name the file system cannot hold (too long: its error is the
line's), a name absent from a folder whose file system ignores case (its ``stat`` would find ``A.JPG`` for
``a.jpg``), an entry whose kind cannot be told, or a path whose last part is ``.`` or ``..`` (``Path`` drops a
last ``.``: ``a/.`` is ``a``, a file where ``a`` is one).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from labelkit.formats.yolo_layout import APPLE_DOUBLE, Entry, label_path, rel_path
from labelkit.formats.yolo_media import IMAGE_SUFFIXES, is_image
from labelkit.io import is_file

_NAME_MAX = 255
"""The longest file name (in bytes) the file systems labelkit reads take; a longer one is asked, to fail so."""
_PATH_MAX = 4000
"""Paths this long (in bytes) are asked too (Linux's limit is 4,096)."""


class _Folder:
    """One folder's entries by name; ``exact`` when a name absent from them is absent from the folder."""

    __slots__ = ("entries", "exact")

    def __init__(self, entries: dict[str, os.DirEntry[str]], exact: bool) -> None:
        self.entries = entries
        self.exact = exact


def _case_blind(folder: str, entries: dict[str, os.DirEntry[str]]) -> bool:
    """Whether ``folder``'s file system finds a name in another case (vfat, a casefold folder, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return True  # (case-blind by default there, and macOS also ignores Unicode normalization)
    for name in entries:
        twin = name.swapcase()
        if twin != name and twin not in entries:
            return os.path.lexists(os.path.join(folder, twin))
    return False  # (no name with a case: a name absent from the listing is absent in any case)


def _searchable(entries: dict[str, os.DirEntry[str]]) -> bool:
    """Whether the entries of a listed folder can be looked up (its ``x`` permission), by one ``lstat``.

    A folder that can be read but not searched (``chmod -R 644``) lists its names, and ``scandir`` tells their
    kinds from the listing itself, while a ``stat`` of any of them is refused: ``is_file`` says no file.
    """
    try:
        next(iter(entries.values())).stat(follow_symlinks=False)  # (a system call on POSIX, not cached)
    except PermissionError:
        return False
    except OSError:
        pass  # (gone since it was listed, ...: the listing answers as before)
    return True


class Listings:
    """The entries of the folders the candidate paths of a list's lines lie in, each folder listed once."""

    def __init__(self) -> None:
        self._folders: dict[str, _Folder | None] = {}

    def _entry(self, path: str) -> tuple[bool, os.DirEntry[str] | None]:
        """Whether the listing answers for ``path``, and its entry (None: no such name)."""
        folder, sep, name = path.rpartition(os.sep)
        if path.isascii():  # (its length is its size in bytes: no encoding per look-up)
            long = len(path) > _PATH_MAX or len(name) > _NAME_MAX
        else:
            try:
                long = len(os.fsencode(path)) > _PATH_MAX or len(os.fsencode(name)) > _NAME_MAX
            except UnicodeEncodeError:
                return False, None
        if long or name in ("", ".", "..") or "\x00" in path:  # (Path drops a last ".": "a/." is "a", asked)
            return False, None
        try:
            listed = self._folders[folder]
        except KeyError:
            listed = self._folders[folder] = self._list(folder or (os.sep if sep else os.curdir))
        if listed is None:
            return False, None
        entry = listed.entries.get(name)
        return entry is not None or listed.exact, entry

    @staticmethod
    def _list(folder: str) -> _Folder | None:
        try:
            with os.scandir(folder) as found:
                entries = {e.name: e for e in found}
        except (FileNotFoundError, NotADirectoryError):
            return _Folder({}, exact=True)  # (what stat says of any path in it)
        except (OSError, ValueError):
            return None  # (no permission to list, a loop, ...: each path is asked)
        if entries and not _searchable(entries):
            return None
        return _Folder(entries, exact=not _case_blind(folder, entries))

    def is_file(self, path: str) -> bool:
        """:func:`labelkit.io.is_file` of ``path``."""
        known, entry = self._entry(path)
        if known:
            try:
                return entry is not None and entry.is_file()
            except OSError:
                pass
        return is_file(Path(path))

    def is_dir(self, path: str) -> bool:
        """``Path.is_dir`` of ``path`` (raising as it does)."""
        known, entry = self._entry(path)
        if known:
            try:
                return entry is not None and entry.is_dir()
            except OSError:
                pass
        return Path(path).is_dir()

    def file_or_link(self, path: str) -> bool:
        """``Path.is_file() or Path.is_symlink()`` of ``path`` (raising as they do)."""
        known, entry = self._entry(path)
        if known:
            try:
                return entry is not None and (entry.is_symlink() or entry.is_file())
            except OSError:
                pass
        return Path(path).is_file() or Path(path).is_symlink()

    def img2label(self, image: str) -> str:
        """:func:`labelkit.formats.yolo_layout.img2label` of ``image`` (a path as ``str`` gives it), as text."""
        return label_path(image, self.file_or_link)

    def _with_subfolders(self, folders: set[str]) -> set[str]:
        """``folders`` and the folders below them (hidden ones and links passed over), each listed once."""
        out, todo = set(), list(folders)
        while todo:
            folder = todo.pop()
            if folder in out:
                continue
            out.add(folder)
            listed = self._folders.get(folder)
            if listed is None and folder not in self._folders:
                listed = self._folders[folder] = self._list(folder)
            for name, entry in listed.entries.items() if listed is not None else ():
                try:
                    below = not name.startswith(".") and entry.is_dir(follow_symlinks=False)
                except OSError:
                    below = False
                if below:
                    todo.append(folder + os.sep + name)
        return out

    def unlisted(self, folders: set[str], entries: list[Entry]) -> list[str]:
        """The images in ``folders`` (or below them) that no entry is, with a label file no entry has: not read.

        ``folders``: those of the images a list names (Darknet and Ultralytics train on those images only); a
        folder below one was not looked into (a listed ``a.jpg`` beside an unlisted ``sub/b.jpg``: left out
        unsaid). Only folders listed here, and whose listing is exact (a file system that tells case), are
        looked at.
        macOS's AppleDouble files (``._a.jpg``, beside ``._a.txt``) are no images, as elsewhere.
        """
        images = {e.image for e in entries}
        found = []
        for folder in sorted(self._with_subfolders(folders)):
            listed = self._folders.get(folder)
            if listed is None or not listed.exact:
                continue
            prefix = folder + os.sep
            rest = [n for n in listed.entries if n[-4:] != ".txt" and prefix + n not in images]  # (labels: most)
            found += sorted(prefix + n for n in rest if has_image_extension(n) and not n.startswith(APPLE_DOUBLE))
        if not found:  # (the usual case: every image beside the listed ones is listed)
            return found
        # (a folder split may spell a path otherwise, imgs/a.jpg through a link imgs -> images: compared by their
        # folders' real paths, each found once; a dataset read as "." is read at its absolute path, see absolute_root)
        real: dict[str, str] = {}

        def same(path: str) -> tuple[str, str]:
            folder, sep, name = path.rpartition(os.sep)
            where = real.get(folder + sep)
            if where is None:  # ("/a.jpg" lies in "/", "a.jpg" in ".")
                where = real[folder + sep] = os.path.realpath(folder or (sep or os.curdir))
            return where, name

        real_images = {same(i) for i in images if i is not None}
        labels = {same(e.label) for e in entries if e.label is not None}
        return [
            i
            for i in found
            if same(i) not in real_images
            and self.is_file(i)
            and same(lab := self.img2label(i)) not in labels
            and self.is_file(lab)
        ]

    def orphan_labels(self, folders: set[str], entries: list[Entry]) -> list[str]:
        """The label files beside the listed images' labels with no image of their own that no entry reads.

        Looked for where :meth:`unlisted` looks for images (``folders`` and below them), and in the ``labels``
        folders mirroring them (``labels/train`` of ``images/train``): a ``.txt`` there that is no entry's label
        file, with no image of its stem in its folder or the mirrored images folder, is the labels of an image
        that did not ship and that no list names (``obj_train_data/b.txt`` beside a listed ``a.jpg``): its
        objects were left out unsaid, where a folder split refuses such a file (``image not found``).
        LabelImg's ``classes.txt`` is a names file, not one of these.
        """
        labels = {e.label for e in entries if e.label is not None}
        mirror = os.sep + "images" + os.sep
        found = []
        for folder in sorted(self._with_subfolders(folders)):
            at = (folder + os.sep).rfind(mirror)
            places = [(folder, folder)]
            if at >= 0:  # (images/train/x -> labels/train/x, its images in images/train/x)
                places.append((folder[:at] + os.sep + "labels" + folder[at + len(mirror) - 1 :], folder))
            for label_folder, image_folder in places:
                listed = self._folders.get(label_folder)
                if listed is None and label_folder not in self._folders:
                    listed = self._folders[label_folder] = self._list(label_folder)
                images = self._folders.get(image_folder)
                if listed is None or not listed.exact or images is None or not images.exact:
                    continue
                stems = {n.rpartition(".")[0] for n in (*images.entries, *listed.entries) if has_image_extension(n)}
                prefix = label_folder + os.sep
                found += sorted(
                    prefix + n
                    for n in listed.entries
                    if n[-4:] == ".txt"
                    and n != "classes.txt"
                    and not n.startswith(".")
                    and n[:-4] not in stems
                    and prefix + n not in labels
                    and self.is_file(prefix + n)
                )
        if not found:  # (the usual case)
            return found
        # (a label read through a linked folder, alias/b.txt of obj_train_data/b.txt, is that file: compared by
        # real paths; a .txt of other lines, a README.txt or a flat dataset's train.txt list, is no label file)
        read = {os.path.realpath(label) for label in labels}
        return [f for f in sorted(set(found)) if os.path.realpath(f) not in read and _holds_yolo_lines(f)]


_YOLO_LINE = re.compile(rb"\s*\d+(\s+[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?){4,}\s*")
"""A label line: a class id and 4 or more numbers (a list's paths, a README's words are none)."""


def _holds_yolo_lines(path: str) -> bool:
    """Whether the first line of the file at ``path`` that is not blank is a YOLO label line (of its first 4 KB)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    line = next((ln for ln in head.splitlines() if ln.strip()), b"")
    return _YOLO_LINE.fullmatch(line) is not None


def orphan_note(found: list[str], root: Path) -> str | None:
    """The read note counting the label files :meth:`Listings.orphan_labels` found, naming the first."""
    return _counted(
        found,
        root,
        "1 label file beside the listed images' has no image, and no list names one ({first})",
        "{count} label files beside the listed images' have no image, and no list names one ({first} first)",
        " (their images not shipped?)",
    )


def unlisted_note(found: list[str], root: Path) -> str | None:
    """The read note counting the images :meth:`Listings.unlisted` found, naming the first; None when none."""
    return _counted(
        found,
        root,
        "1 image with a label file of its own lies beside the listed ones, but no list names it ({first})",
        "{count} images with label files of their own lie beside the listed ones, but no list names them "
        "({first} first)",
    )


def _counted(found: list[str], root: Path, one: str, many: str, why: str = "") -> str | None:
    """A note on the files of ``found`` not read (``one`` or ``many`` saying them): None when there are none."""
    if not found:
        return None
    what = (one if len(found) == 1 else many).format(first=rel_path(found[0], root), count=f"{len(found):,}")
    return f"{what}: not read{why}, as Darknet and Ultralytics train on the images their lists name"


def has_image_extension(line: str) -> bool:
    r"""``is_image(Path(line.replace("\\", "/")))`` by string work (it runs once per list line).

    Examples:
        >>> [has_image_extension(x) for x in ("a/b.JPG", "a.jpg/", "notes.md", "a/.jpg", "x.", "a.jpg/.")]
        [True, True, False, False, False, True]
    """
    text = line.replace("\\", "/")
    base = text.rstrip("/").rpartition("/")[2]
    if base in ("", ".", ".."):
        return is_image(Path(text))
    dot = base.rfind(".")
    return 0 < dot < len(base) - 1 and base[dot:].lower() in IMAGE_SUFFIXES


def without_suffix(name: str) -> str:
    """``Path(name).with_suffix("").as_posix()`` for a plain ``/``-separated relative path (string work).

    Examples:
        >>> without_suffix("images/a.b.jpg"), without_suffix("a."), without_suffix("x/.hidden")
        ('images/a.b', 'a.', 'x/.hidden')
    """
    head, slash, base = name.rpartition("/")
    dot = base.rfind(".")
    return head + slash + base[:dot] if 0 < dot < len(base) - 1 else name
