"""Pascal VOC: the image of each item read, in ``JPEGImages/`` or beside its XML (see :func:`_find_image`)."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from labelkit.formats.yolo_listing import Listings
from labelkit.formats.yolo_media import is_image, is_image_name
from labelkit.io import is_file, is_plain_relpath, safe_relpath
from labelkit.portable import by_name


def _find_image(
    root: Path,
    folder: Path,
    item_id: str,
    filename: str | None,
    listings: dict[Path, dict[str, list[str]]] | None = None,
    files: Listings | None = None,
) -> Path | None:
    """The image of an item: its XML's ``filename`` in ``JPEGImages/`` or ``folder``, else ``<id>.<image ext>`` there.

    ``JPEGImages/`` is looked in first, for both, as VOC's loaders open ``JPEGImages/<id>.jpg``.

    With ``listings`` (a cache the caller keeps), a folder is listed once for all items (the sub-folder of an
    id with ``/``, ``s0/1`` in ``Annotations/s0/1.xml``, once for all of its items): a glob per item read the
    whole folder each time, quadratic in the items without a ``filename`` (list-only, or of nested XMLs). With
    ``files`` too, whether ``filename`` is a file is answered from a listing of its folder, not a stat per item.
    """
    rel = safe_relpath(filename) if filename else ""
    for base in (root / "JPEGImages", folder):  # (with files, the path is made only for an image found)
        if rel and (files.is_file(os.path.join(base, rel)) if files is not None else is_file(base / rel)):
            return base / rel
        if listings is not None:
            sub, _, name = item_id.rpartition("/")
            where = base / sub if sub else base
            if where not in listings:
                listings[where] = _by_prefix(where)
            found = [where / name for name in listings[where].get(_fold(name), [])]
        else:
            found = sorted(base.glob(f"{glob.escape(item_id)}.*"), key=by_name) if base.is_dir() else []
        for candidate in found:
            if is_image(candidate):
                return candidate
    return None


def _fold(name: str) -> str:
    """A name as pathlib's glob compares it: without case on Windows."""
    return name.lower() if os.name == "nt" else name


def _by_prefix(folder: Path) -> dict[str, list[str]]:
    """A folder's entry names (sorted) by each part before a dot: ``a.b.jpg`` under ``a`` and ``a.b``.

    So ``listing[_fold(x)]`` is what ``folder.glob(f"{x}.*")`` gives, read once (nothing when it is not a folder).

    >>> import tempfile; d = Path(tempfile.mkdtemp())
    >>> for n in ("a.jpg", "a.b.png", "ab.jpg", ".c.jpg"): (d / n).touch()
    >>> listing = _by_prefix(d)
    >>> listing["a"], listing["a.b"], listing[".c"], "ab" in listing, sorted(listing[""])
    (['a.b.png', 'a.jpg'], ['a.b.png'], ['.c.jpg'], True, ['.c.jpg'])
    >>> import shutil; shutil.rmtree(d)
    """
    try:
        names = sorted(entry.name for entry in os.scandir(folder))  # (by name: folded first, Windows took a.jpg)
    except OSError:  # (not a folder, or not there: as glob, nothing)
        return {}
    out: dict[str, list[str]] = {}
    for name in names:
        dot = name.find(".")
        while dot != -1:
            out.setdefault(_fold(name[:dot]), []).append(name)
            dot = name.find(".", dot + 1)
    return out


class ImageFinder:
    """:func:`_find_image` of each item of one read, as its path below the root (``/``-separated), by string work.

    Each image folder is listed once and asked whether an image is there (no stat per item), as with
    :func:`_find_image`'s ``listings`` and ``files``; an item id of no folder (the usual ``a``, not ``s0/a``) makes
    no path object (three an item took 10 to 25 us of the 300 us an XML costs); any other id is found by
    :func:`_find_image` itself.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.listings: dict[Path, dict[str, list[str]]] = {}  # (as _find_image keeps them: each folder listed once)
        self.files = Listings()
        self._bases: dict[Path, tuple[tuple[Path, str, str], ...]] = {}

    def _bases_of(self, folder: Path) -> tuple[tuple[Path, str, str], ...]:
        """The folders looked in, in order: each with its path's text and its path below the root (posix)."""
        bases = self._bases.get(folder)
        if bases is None:
            bases = self._bases[folder] = tuple(
                (base, os.fspath(base), base.relative_to(self.root).as_posix())
                for base in (self.root / "JPEGImages", folder)
            )
        return bases

    def relpath(self, folder: Path, item_id: str, filename: str | None) -> str | None:
        """``_find_image(root, folder, item_id, filename, ...).relative_to(root).as_posix()`` (None: no image).

        ``folder``: the item's XML folder, below the root (or the root itself).
        """
        return self.find(folder, item_id, filename)[0]

    def find(self, folder: Path, item_id: str, filename: str | None) -> tuple[str | None, bool]:
        """:meth:`relpath`, and whether that image is not the file ``filename`` names (the reader says so).

        Such an image is one of the item's id, taken where ``<filename>`` names no image (``zz.jpg`` of ``a.xml``
        beside ``JPEGImages/a.jpg``; ``a.png`` beside ``a.jpg``), or one in ``JPEGImages/`` where the file named is
        in the annotation files' folder. An image of the id whose path ends with ``<filename>`` is the
        one it names (``x.jpg`` of ``Annotations/s/x.xml`` as ``JPEGImages/s/x.jpg``; not ``train/a.jpg`` as
        ``JPEGImages/a.jpg``).
        """
        rel = safe_relpath(filename) if filename else ""
        if "/" in item_id or os.sep in item_id or (os.altsep is not None and os.altsep in item_id):
            image = _find_image(self.root, folder, item_id, filename, self.listings, self.files)
            if image is None:
                return None, False
            of_id = bool(rel) and image not in (self.root / "JPEGImages" / rel, folder / rel)
            return _named_otherwise(image.relative_to(self.root).as_posix(), of_id, rel)
        return _named_otherwise(*self._find(folder, item_id, rel), rel)

    def _find(self, folder: Path, item_id: str, rel: str) -> tuple[str | None, bool]:
        """:meth:`find`'s image of an item id of no folder, by string work, and whether the id found it."""
        for base, text, below in self._bases_of(folder):
            if rel and self.files.is_file(os.path.join(text, rel)):
                if not is_plain_relpath(rel):  # (".", which Path drops: JPEGImages/. is JPEGImages)
                    return (base / rel).relative_to(self.root).as_posix(), False
                return (rel if below == "." else f"{below}/{rel}"), False
            if base not in self.listings:
                self.listings[base] = _by_prefix(base)
            for name in self.listings[base].get(_fold(item_id), ()):
                if is_image_name(name):  # (is_image of the path: its suffix)
                    return (name if below == "." else f"{below}/{name}"), bool(rel)
        return None, False


def _named_otherwise(found: str | None, of_id: bool, rel: str) -> tuple[str | None, bool]:
    """``found``, and whether an image found by its item's id is another than ``rel`` names (of another ending)."""
    return found, of_id and found is not None and found != rel and not found.endswith("/" + rel)
