"""Output names that are one file on every machine.

What Windows cannot create, and what macOS and Windows take for one name (case, Unicode normalisation),
compared the way their file systems compare names. The YOLO and VOC writers list the files they will create;
:func:`unportable_paths` and :func:`same_files` find the ones that would differ from one machine to the next,
and :func:`drop_unportable` leaves their items out of the dataset, with the losses to report, so that the
output is the same on Linux, macOS and Windows. Split names and class folders are compared with
:func:`folded_name` too.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import OutputError
from labelkit.model import Dataset
from labelkit.model.tables import any_holds
from labelkit.portable_lengths import (
    MAX_NAME_BYTES,
    PATH_MAX_BYTES,
    any_path_too_long,
    any_too_long,
    name_too_long,
    part_too_long,
    path_room,
    path_too_long,
)

PLAIN_RELPATH = r"[^/\\:\x00]+(?:/[^/\\:\x00]+)*"
"""The pattern of :func:`labelkit.io.is_plain_relpath` (Python's ``re`` and Arrow's RE2 read it alike): relative
names without backslashes, drives, NULs or empty parts (``.`` and ``..`` parts are told apart)."""

_DOTTED_PART = r"(?:^|/)\.\.?(?:/|$)"
"""A ``.`` or ``..`` part of a name."""


def by_name(path: Path) -> str:
    """A sort key for the files of one folder: the name as text, so the order is the same on every machine.

    Not ``sorted`` of Paths: Windows' Path compares names ignoring case (``a.names`` before ``B.names`` there,
    after it on Linux and macOS), which changed item orders, the file taken of several, and errors.
    """
    return path.name


def by_parts(path: Path) -> tuple[str, ...]:
    """A sort key for paths of several folders: their parts as text (see :func:`by_name`)."""
    return path.parts


SPLIT_FOLDERS = frozenset({"train", "val", "valid", "validation", "test", "trainval", "dev"})
"""Folder names taken for a split's folder in an image path, beside the dataset's own split names: an item read
from ``images/train/`` and given split ``val`` (``labelkit split``) is written to ``images/val/``, not
``images/val/train/``, and is found in a lockfile by its path without it."""


def plain_relpaths(names: pa.Array | pa.ChunkedArray, unless: str | None = None) -> pa.Array | pa.ChunkedArray:
    """Per name, :func:`labelkit.io.is_plain_relpath` of it, a column at a time (null for a null name).

    ``unless``: an RE2 pattern a name must not match either (``/``: a name of one part).

    >>> plain_relpaths(pa.array(["a/b.jpg", "a/./b", "C:x", "a", None]), unless="/").to_pylist()
    [False, False, False, True, None]
    """
    odd = _DOTTED_PART if unless is None else f"{_DOTTED_PART}|{unless}"
    plain = pc.match_substring_regex(names, f"^(?:{PLAIN_RELPATH})$")
    return pc.and_(plain, pc.invert(pc.match_substring_regex(names, odd)))


def same_place(a: Path, b: Path) -> bool:
    """Whether two paths are one file or folder: equal, or both existing as one.

    Names can be one folder where the file system takes names differing in case for one (macOS's and
    Windows': ``DATA`` and ``data``), or through a bind mount.
    """
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:  # (one of them does not exist)
        return False


def placed(path: Path, place: Path) -> str | None:
    """How ``path`` lies against ``place``: ``same``, ``inside`` (``place`` holds it), ``holds``, else None.

    Each level is compared with :func:`same_place`, so a folder named another way (``DATA``, a bind mount) counts.
    """
    if same_place(path, place):
        return "same"
    if any(same_place(p, place) for p in path.parents):
        return "inside"
    if any(same_place(p, path) for p in place.parents):
        return "holds"
    return None


def folded_name(name: str) -> str:
    """The name that macOS or Windows may take for this one: two names folded alike may be one file or folder there.

    macOS (APFS, and HFS+ before it) compares names in Unicode canonical decomposition (NFD), each character
    case-folded alone (simple case folding: ``Straße`` and ``STRASSE`` are two names, ``ẞ`` and ``ß`` one);
    Windows (NTFS) upper-cases each UTF-16 unit alone through its ``$UpCase`` table and does not normalise
    (``café`` in NFC and NFD are two files there). The folded name is macOS's, with dotless ``ı`` taken for
    ``i`` too (``ı.txt`` and ``I.TXT`` are one on Windows): names one of them takes for one fold alike.
    :func:`where_one` says which.

    Examples:
        >>> folded_name("Cat") == folded_name("cat"), folded_name("caf\u00e9") == folded_name("cafe\u0301")
        (True, True)
        >>> folded_name("stra\u00dfe") == folded_name("strasse"), folded_name("\u1e9e") == folded_name("\u00df")
        (False, True)
    """
    return name.lower() if name.isascii() else _fold(name)


_FULL_FOLDS = re.compile("([\u00df\u0149\u0587\u1e9a\u1e9e\ufb00-\ufb06\ufb13-\ufb17])")
"""The characters left by NFD whose full case folding (``str.casefold``) is several characters (``ß``: ``ss``):
simple case folding keeps them (``ẞ`` becomes ``ß``), as macOS does."""


def _fold(text: str, dotless_i: bool = True) -> str:
    """:func:`folded_name` of a non-ASCII text (names joined by NUL too: no step moves a NUL).

    Without ``dotless_i``, macOS's folding alone (``ı`` kept).
    """
    parts = _FULL_FOLDS.split(unicodedata.normalize("NFD", text))
    folded = "".join(p.casefold() if n % 2 == 0 else ("\u00df" if p == "\u1e9e" else p) for n, p in enumerate(parts))
    return unicodedata.normalize("NFC", folded.replace("\u0131", "i") if dotless_i else folded)


def _simple_upper(char: str) -> str:
    """A character's simple upper-case mapping (itself where it has none, ``ß``), as NTFS's table has it."""
    for mapped in (char.upper(), char.title()):  # (the full mapping where it is one character: the simple one)
        if len(mapped) == 1:
            return mapped
    return char


def where_one(name: str, other: str) -> str:
    """Where two names that fold alike (:func:`folded_name`) are one file: ``macOS``, ``Windows`` or both.

    Examples:
        >>> where_one("a.txt", "A.txt"), where_one("caf\u00e9", "cafe\u0301"), where_one("\u0131", "I")
        ('macOS and Windows', 'macOS', 'Windows')
    """
    mac = (
        name.lower() == other.lower()
        if name.isascii() and other.isascii()
        else _fold(name, False) == _fold(other, False)
    )
    # NTFS compares UTF-16 units, upper-cased alone (a character beyond the BMP is two units it leaves alone)
    windows = len(name) == len(other) and all(
        a == b or (ord(a) < 0x10000 and ord(b) < 0x10000 and _simple_upper(a) == _simple_upper(b))
        for a, b in zip(name, other, strict=True)
    )
    if mac and not windows:
        return "macOS"
    return "Windows" if windows and not mac else "macOS and Windows"


_WINDOWS_DEVICE = re.compile(
    r"(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3]) *(?:\..*)?",
    re.IGNORECASE | re.ASCII,
)
"""A file or folder name Windows takes for a device (its part before the first dot, spaces dropped): Python's
``ntpath.isreserved`` names."""
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\x01-\x1f]')
"""A character Windows refuses in a file or folder name (Microsoft's "Naming Files, Paths, and Namespaces"; NUL,
``/`` and ``\\`` are separators or refused apart). On NTFS, ``a:b`` would even name stream ``b`` of file ``a``."""


def windows_cannot_hold(name: str) -> bool:
    r"""Whether Windows cannot create a file or folder of this name (one part of a path).

    A device name (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM1``-``COM9``, ``LPT1``-``LPT9``, in any case, with any
    extension: ``con.txt``, ``Nul.tar.gz``) opens the device, a dot or space ending a name is dropped, and
    ``< > : " | ? *`` and control characters (U+0001 to U+001F) are refused.

    Examples:
        >>> [windows_cannot_hold(name) for name in ("con.txt", "Lpt1", "NUL .tar.gz", "a.", "a ", "cons.txt", "com0")]
        [True, True, True, True, True, False, False]
        >>> [windows_cannot_hold(name) for name in ("a?.txt", "b:c.txt", "t\x01.txt", "a\x7f.txt", "\uff1f.txt")]
        [True, True, True, False, False]
    """
    return (
        name[-1:] in (".", " ")
        or _WINDOWS_DEVICE.fullmatch(name) is not None
        or _WINDOWS_FORBIDDEN.search(name) is not None
    )


_WINDOWS_FORBIDDEN_BYTES = bytes(range(1, 32)) + b'<>:"|?*'
"""The characters of ``_WINDOWS_FORBIDDEN`` as UTF-8 bytes (each is one byte, found in no other's encoding)."""


def _holds_windows_forbidden(text: str) -> bool:
    """Whether ``text`` holds a character of ``_WINDOWS_FORBIDDEN``.

    For a long text (a dataset's paths joined), ``bytes.translate`` deleting them is about 4 times as fast as
    the pattern's search.
    """
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw.translate(None, _WINDOWS_FORBIDDEN_BYTES)) != len(raw)


def with_parents(folders: Iterable[str]) -> set[str]:
    """The folders and every folder above them (``a/b`` gives ``a/b`` and ``a``); the empty name left out.

    >>> sorted(with_parents(["a/b/c", "d", ""]))
    ['a', 'a/b', 'a/b/c', 'd']
    """
    out = set(folders) - {""}
    for folder in list(out):  # (a few per split: each walked up once)
        while "/" in folder:
            folder = folder.rpartition("/")[0]
            out.add(folder)
    return out


def split_list_entries(splits: list[str], folder: str) -> tuple[list[str], list[int]]:
    """The list files ``<folder><split>.txt`` Windows (split ``con``) or no file system cannot create, per item in them.

    No file system takes a name of more than :data:`MAX_NAME_BYTES` bytes (a split of 252 ASCII characters).

    ``splits`` holds each item's split; the entries (the list's path, and the item) join a writer's others for
    :func:`unportable_paths`, so that such a split's items are left out as those of a folder ``con/`` are.

    >>> split_list_entries(["train", "con", "train", "con"], "ImageSets/Main/")
    (['ImageSets/Main/con.txt', 'ImageSets/Main/con.txt'], [1, 3])
    """
    devices = {s for s in set(splits) if windows_cannot_hold(f"{s}.txt") or name_too_long(f"{s}.txt")}
    owners = [n for n, s in enumerate(splits) if s in devices] if devices else []
    return [f"{folder}{splits[n]}.txt" for n in owners], owners


def unportable_paths(paths: list[str], folders: Iterable[str] | None = None) -> tuple[list[int], dict[int, int]]:
    """Which of ``paths`` (relative, ``/``-separated, in one output folder) are not one file on every machine.

    A path is unportable when a part of it is a name Windows cannot hold (:func:`windows_cannot_hold`) or no file
    system takes (longer than :data:`MAX_NAME_BYTES`), or when it is longer than the system takes below the output
    folder (:func:`path_too_long`), or
    when it, or a folder on its way, has the same :func:`folded_name` as another path or folder but another
    spelling (``a.txt`` and ``A.txt``; ``Sub/a.txt`` and ``sub/b.txt``): macOS or Windows (:func:`where_one`)
    takes them for one.
    Of such spellings the first by name keeps the name (a folder's, against a file's). Equal paths, and a
    file and folder of one spelling, are not unportable: they are one on every machine (the caller decides).
    The usual case costs a few passes over the paths' joined text and one over their folders.

    Args:
        paths: one per entry, as the writer will create them.
        folders: the folders holding them (``path.rpartition("/")[0]`` of each), when the caller has them.

    Returns:
        The entries with a part Windows (or, too long, any file system) cannot hold, or too long a path, in order;
        and the other entries that yield to another spelling of their file or of a folder on their way, each with
        the first entry of that spelling.

    Examples:
        >>> unportable_paths(["l/a.txt", "l/A.txt", "l/con.txt", "l/b.txt", "L/c.txt"])
        ([2], {0: 4, 1: 4, 3: 4})
    """
    # one text of every path, each after a '/' (bare names too), for str's quick searches (no path holds a NUL;
    # NFC and case folding never move one)
    text = "/" + "\x00/".join(paths)
    folded = folded_name(text)
    on_the_way = with_parents({p.rpartition("/")[0] for p in paths} if folders is None else folders)
    folded_folders = {folded_name(f) for f in on_the_way}
    maybe_windows = (
        any(windows_cannot_hold(f.rpartition("/")[2]) for f in on_the_way)
        or ".\x00" in folded
        or " \x00" in folded
        or folded.endswith((".", " "))
        or _holds_windows_forbidden(text)
        or any(device.search(folded) for device in _DEVICES_IN_TEXT)
        or any_too_long(paths)
        or any_path_too_long(paths)
    )
    if not maybe_windows and len(folded_folders) == len(on_the_way):
        keys = set(folded.split("\x00"))  # ('/' + each path, folded)
        # (as many as the paths' spellings: equal paths are one file everywhere, as YOLO's x.jpg and x.png share x.txt)
        if len(keys) == len(set(paths)) and not any(f"/{f}" in keys for f in folded_folders):
            return [], {}  # the usual case: no part Windows cannot hold, and no two names alike
    # the paths Windows cannot hold are not written; of the others, level by level from the top, each name
    # (folder or file) keeps its first spelling by name, and the paths of other spellings yield to it
    reserved = [
        n
        for n, path in enumerate(paths)
        if part_too_long(path) or path_too_long(path) or any(windows_cannot_hold(p) for p in path.split("/"))
    ]
    alive = {n: path.split("/") for n, path in enumerate(paths)}
    for n in reserved:
        del alive[n]
    return reserved, dict(sorted(_first_spellings(alive).items()))


_DEEP = 64
"""Paths of more parts than this are told apart by ids of their folders (:func:`_first_spellings_by_id`)."""


def _first_spellings(alive: dict[int, list[str]]) -> dict[int, int]:
    """The entries (their paths' parts) that yield to another spelling of their path or of a folder on its way.

    Level by level from the top, each name (folder or file) keeps its first spelling by name, and the entries
    of other spellings yield to the first entry kept under it (there is one: a name's first spelling keeps one
    path at every level below it). Each level's names spelled out cost the square of the paths' depth (5,000
    paths 800 folders deep took 79 s): paths deeper than :data:`_DEEP` are told apart by ids instead, which
    costs a part per entry and level, slower on the usual shallow paths.
    """
    if max(map(len, alive.values()), default=0) > _DEEP:
        return _first_spellings_by_id(alive)
    lost_to: dict[int, str] = {}  # an entry yielding, and the name (a path or folder) it yields to
    depth = 1
    while any(len(parts) >= depth for parts in alive.values()):
        names = {n: "/".join(parts[:depth]) for n, parts in alive.items() if len(parts) >= depth}
        first_name: dict[str, str] = {}
        for name in sorted(set(names.values())):
            first_name.setdefault(folded_name(name), name)
        for n, name in names.items():
            if first_name[folded_name(name)] != name:
                lost_to[n] = first_name[folded_name(name)]
                del alive[n]
        depth += 1
    # one pass over the kept paths, in order: looking through them for each would visit every slot the deletions
    # above freed in ``alive``, for each (quadratic)
    wanted = set(lost_to.values())
    first_below: dict[str, int] = {}
    for k, parts in alive.items():
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            if name in wanted:
                first_below.setdefault(name, k)
    return {n: first_below[name] for n, name in lost_to.items()}


def _first_spellings_by_id(alive: dict[int, list[str]]) -> dict[int, int]:
    """:func:`_first_spellings`, each entry's name at each level an id made of its parent's and its last part.

    A level costs a part per entry, not a whole path; a name is spelled out only where two spellings fold
    alike, to find the first. (Folding is part by part: no step of it moves, makes or takes a ``/``.)
    """
    spelled: dict[tuple[int, str], int] = {}  # (parent's id, part) -> the name's id; 0 is the top
    folds: dict[tuple[int, str], int] = {}  # the same of the folded names
    names = [(0, "")]  # each id's (parent's id, part)
    folded_parts: dict[str, str] = {}
    texts: dict[int, str] = {}

    def text(name: int) -> str:  # (a name spelled out: its parts from the top)
        if name not in texts:
            parts, up = [], name
            while up:
                up, part = names[up]
                parts.append(part)
            texts[name] = "/".join(reversed(parts))
        return texts[name]

    at = dict.fromkeys(alive, (0, 0))  # each entry's name, and its folded name, at the level above
    lost_to: dict[int, int] = {}  # an entry yielding, and the name it yields to
    depth = 1
    while level := [n for n, parts in alive.items() if len(parts) >= depth]:
        one: dict[int, int] = {}  # a folded name's first spelling met at this level
        alike: dict[int, set[int]] = {}  # its spellings, where it has several
        for n in level:
            parent, folded_parent = at[n]
            part = alive[n][depth - 1]
            name = spelled.get((parent, part))
            if name is None:
                name = spelled[(parent, part)] = len(names)
                names.append((parent, part))
            if (folded_part := folded_parts.get(part)) is None:
                folded_part = folded_parts[part] = folded_name(part)  # (folded alike whole, folded alike by part)
            folded = folds.get((folded_parent, folded_part))
            if folded is None:
                folded = folds[(folded_parent, folded_part)] = len(folds) + 1
            at[n] = name, folded
            if (other := one.setdefault(folded, name)) != name:
                alike.setdefault(folded, {other}).add(name)
        if alike:
            first = {folded: min(spellings, key=text) for folded, spellings in alike.items()}
            for n in level:
                name, folded = at[n]
                if folded in first and first[folded] != name:
                    lost_to[n] = first[folded]
                    del alive[n]
        depth += 1
    # one pass over the kept paths, in order: looking through them for each would visit every slot the deletions
    # above freed in ``alive``, for each (quadratic)
    wanted = set(lost_to.values())
    first_below: dict[int, int] = {}
    for k, parts in alive.items():
        name = 0
        for part in parts:
            name = spelled[(name, part)]
            if name in wanted:
                first_below.setdefault(name, k)
    return {n: first_below[name] for n, name in lost_to.items()}


def same_files(paths: list[str], keys: list[str], files: list[str] | None = None) -> dict[int, int]:
    r"""Which of ``paths`` are another entry's file on every machine, each with the entry kept.

    Entries of one path (ids ``a\b`` and ``a/b`` both made ``a/b``; ``./x`` and ``x``), and a file that is a
    folder on another's way (``a.xml`` and ``a.xml/b.xml``), cannot both be written. Of such entries the first
    by ``keys`` (then by position) is kept, on every machine. :func:`unportable_paths` leaves them to the caller.

    Args:
        paths: one per entry (relative, ``/``-separated), as the writer will create them.
        keys: each entry's name, by which the first is kept (an item id).
        files: the files written, when ``paths`` name something else (YOLO: entries of one image, whose label
            files are one on purpose); each clashes with the others as a file on a folder's way only.

    Returns:
        The entries that yield, each with the entry it yields to, in order.

    Examples:
        >>> same_files(["a/b.xml", "x.xml", "a/b.xml", "x.xml/c.xml"], ["a\\b", "x", "a/b", "x.xml/c"])
        {0: 2, 3: 1}
    """
    files = paths if files is None else files
    over = set(files) & with_parents({f.rpartition("/")[0] for f in files})
    if len(set(paths)) == len(paths) and not over:
        return {}  # the usual case
    order = sorted(range(len(paths)), key=lambda n: (keys[n], n))
    first: dict[str, int] = {}
    yielding: dict[int, int] = {}
    for n in order:
        k = first.setdefault(paths[n], n)
        if k != n:
            yielding[n] = k
    under: dict[str, list[int]] = {folder: [] for folder in over}  # each such file's entries and those below it
    for n, f in enumerate(files):
        while f:
            if f in under:
                under[f].append(n)
            f = f.rpartition("/")[0]
    for folder in sorted(over):  # a file on a folder's way: the first by key of the file's and the folder's
        owners = [n for n in under[folder] if n not in yielding]
        if not owners:
            continue
        keep = min(owners, key=lambda n: (keys[n], n))
        for n in owners:
            if n != keep and (files[n] == folder) != (files[keep] == folder):
                yielding[n] = keep
    for n, k in yielding.items():  # (one kept for its path may yield later, to a file on its way: follow it)
        while k in yielding:
            k = yielding[k]
        yielding[n] = k
    return dict(sorted(yielding.items()))


_DEVICES_IN_TEXT = tuple(
    re.compile(f"/{name} *(?=[./\\x00]|$)")
    for name in (
        r"con(?:(?:in|out)\$)?",
        "prn",
        "aux",
        "nul",
        "com[1-9\u00b9\u00b2\u00b3]",
        "lpt[1-9\u00b9\u00b2\u00b3]",
    )
)
"""Device names after a ``/`` in case-folded paths joined by NUL: one pattern per literal start, which SRE
searches for quickly, however often a name starts so (``/computer_1.jpg``)."""


def folded_names(names: list[str]) -> list[str]:
    """:func:`folded_name` of each name, in one pass over their joined text (no name holds a NUL).

    Examples:
        >>> folded_names(["A.jpg", "caf\u00e9", "cafe\u0301"]) == ["a.jpg", "caf\u00e9", "caf\u00e9"]
        True
    """
    return folded_name("\x00".join(names)).split("\x00")  # (NFC and case folding never move a NUL)


UNPORTABLE_CLASH = "items whose files are another item's on macOS or Windows"
UNPORTABLE_NAME = "items whose file names Windows cannot hold"
TOO_LONG_NAME = "items whose file names are too long"
TOO_LONG_PATH = "items whose file paths are too long"
SAME_FILE = "items whose files are another item's"


def drop_unportable(
    dataset: Dataset,
    paths: list[str],
    owners: list[int],
    reserved: list[int],
    yielding: dict[int, int],
    same: dict[int, int] | None = None,
) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items whose files are unportable, and the losses (see ``WRITABLE``).

    Args:
        dataset: the dataset to write.
        paths: the files the writer creates, each of the item ``owners`` gives (the item's row).
        owners: each path's item.
        reserved: the paths holding a name Windows cannot hold (:func:`unportable_paths`).
        yielding: the other paths that another's spelling takes on macOS and Windows, each with that path.
        same: the paths that are another's file on every machine, each with that path
            (:func:`same_files`).

    Returns:
        The dataset without those paths' items (the same dataset when there are none), and each loss: the
        items, naming the first (and for a clash, the item it yields to), then the annotations on them.
    """
    if not reserved and not yielding and not same:
        return dataset, []
    ids = [str(v) for v in dataset.table("items")["id"].to_pylist()]
    losses: list[tuple[str, int, str]] = []
    drop = np.zeros(len(ids), dtype=bool)

    def lose(rows: list[int], what: str, why: str) -> None:  # (the rows' items; the first named)
        items = sorted({owners[n] for n in rows})
        drop[items] = True
        losses.append((what, len(items), f"{why} (item {ascii(ids[owners[rows[0]]])}, {ascii(paths[rows[0]])})"))

    long = [n for n in reserved if part_too_long(paths[n])]
    if long:
        lose(
            long,
            TOO_LONG_NAME,
            f"file systems take no file or folder name of more than {MAX_NAME_BYTES} bytes: they are not written",
        )
    room = path_room()
    deep = [n for n in reserved if not drop[owners[n]] and path_too_long(paths[n], room)]
    if deep:
        lose(
            deep,
            TOO_LONG_PATH,
            f"the system takes no path of more than {PATH_MAX_BYTES:,} bytes (PATH_MAX), the output folder's "
            f"path included: they are not written (at most {room:,} bytes below the output folder)",
        )
    reserved = [n for n in reserved if not drop[owners[n]]]
    if reserved:
        lose(
            reserved,
            UNPORTABLE_NAME,
            "Windows opens a device for CON, PRN, AUX, NUL, COM1-COM9 and LPT1-LPT9 (in any case, with any "
            'extension), drops a dot or space ending a name and refuses < > : " | ? * and control characters '
            "in one: they are not written, on every machine",
        )
    taken = {n: k for n, k in (same or {}).items() if not drop[owners[n]]}
    if taken:
        items = sorted({owners[n] for n in taken})
        drop[items] = True
        n, k = next(iter(taken.items()))
        losses.append(
            (
                SAME_FILE,
                len(items),
                "their ids or image names are one file name once written (a\\b and a/b, ./x and x), or one's "
                "file is a folder on another's way: the first by id is written (item "
                f"{ascii(ids[owners[k]])}, {ascii(paths[k])}, is written; item {ascii(ids[owners[n]])}, "
                f"{ascii(paths[n])}, is not)",
            )
        )
    clashing = {n: k for n, k in yielding.items() if not drop[owners[n]]}
    if clashing:
        items = sorted({owners[n] for n in clashing})
        drop[items] = True
        n, k = next(iter(clashing.items()))
        # the part where the two paths are first spelled otherwise (the parts before it are the same)
        kept, lost = paths[k].split("/"), paths[n].split("/")
        part = next((i for i, (a, b) in enumerate(zip(kept, lost, strict=False)) if a != b), 0)
        losses.append(
            (
                UNPORTABLE_CLASH,
                len(items),
                "names differing only in case are one file or folder on macOS and Windows, and names differing "
                "only in Unicode normalisation (NFC and NFD) on macOS: the first by name is written, on every "
                f"machine (item {ascii(ids[owners[k]])}, {ascii(paths[k])}, is written; item "
                f"{ascii(ids[owners[n]])}, {ascii(paths[n])}, is not: one on {where_one(kept[part], lost[part])})",
            )
        )
    dataset, gone = dataset.without_items(drop)
    losses += [(f"{what} on them", count, "their items are not written") for what, count in gone.items()]
    return dataset, losses


def dropped_forks(
    dataset: Dataset, forks: list[int], named: list[str], target: str
) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items ``forks`` (rows) whose files are named as macOS resource forks, and the losses.

    Readers pass over such files (``._a.txt``), so the items would not be read back. ``named`` is each item's
    file as written (the first fork's is quoted); ``target`` names the readers.
    """
    if not forks:
        return dataset, []
    drop = np.zeros(dataset.table("items").num_rows, dtype=bool)
    drop[forks] = True
    item_id = str(dataset.table("items")["id"][forks[0]].as_py())
    losses = [
        (
            f"items whose files {target} readers pass over",
            len(forks),
            "a name starting with ._ is a macOS resource fork's, which readers skip: they are not written "
            f"(item {ascii(item_id)}, {ascii(named[forks[0]])})",
        )
    ]
    dataset, gone = dataset.without_items(drop)
    return dataset, losses + [(f"{what} on them", count, "their items are not written") for what, count in gone.items()]


def without_nul_names(dataset: Dataset, target: str, by_id: bool = False) -> tuple[Dataset, list[tuple[str, int, str]]]:
    r"""The dataset without the items whose files would be named with a NUL character, and the losses.

    ``target`` names an item's files after its image path, or its id when it has none (YOLO): a path holding NUL
    (``p\x00q.jpg``), or an id holding one of an item without a path, names no file. With ``by_id`` (VOC, which
    names them after the id, or after the image's name where it must), an id holding NUL does, unless its image
    path names the files instead. The writer stopped on the first such item, where the README promises them
    reported lost (refused without ``--allow-loss``), as names Windows cannot hold are.
    """
    items = dataset.table("items")
    if not (any_holds(items["id"], "\x00") or any_holds(items["path"], "\x00")):
        return dataset, []
    ids, paths = items["id"].to_pylist(), items["path"].to_pylist()
    rows = [
        n
        for n, (i, p) in enumerate(zip(ids, paths, strict=True))
        if (("\x00" in str(i) and (not p or "\x00" in p)) if by_id else "\x00" in (p if p else str(i)))
    ]
    if not rows:
        return dataset, []
    drop = np.zeros(items.num_rows, dtype=bool)
    drop[rows] = True
    first = paths[rows[0]] or str(ids[rows[0]])
    named_after = "id (or its image path)" if by_id else "image path (or its id)"
    losses = [
        (
            "items whose file names hold NUL",
            len(rows),
            f"no file name holds a NUL character, and {target} names an item's files after its {named_after}: "
            f"they are not written (item {ascii(str(ids[rows[0]]))}, {ascii(first)})",
        )
    ]
    dataset, gone = dataset.without_items(drop)
    return dataset, losses + [(f"{what} on them", count, "their items are not written") for what, count in gone.items()]


def names_are_utf8() -> bool:
    """Whether this Python decodes file names as UTF-8 (macOS, Windows, and Linux in a UTF-8 or C locale)."""
    return sys.getfilesystemencoding().replace("-", "").lower() == "utf8"


_UTF8_HINT = "run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)"


def refuse_unspellable(output: Path, exc: UnicodeEncodeError | TypeError) -> None:
    """Refuse the output of a writer that made a name this Python's file name encoding (ASCII, say) cannot spell.

    It was Python's ``UnicodeEncodeError`` leaving ``labelkit.save`` (the command line said so, the library did not).
    Returns where names are UTF-8, or ``exc`` is about something else.

    Raises:
        OutputError: naming the output and the characters.
    """
    if isinstance(exc, UnicodeEncodeError) and not names_are_utf8():
        raise OutputError(
            f"this Python's file name encoding is {sys.getfilesystemencoding()}, which cannot spell a name used here",
            path=output,
            found=exc.object[exc.start : exc.end] if isinstance(exc.object, str) else None,
            hint=_UTF8_HINT,
        ) from exc


def refuse_names_not_utf8(folder: Path) -> None:
    r"""Refuse a name a writer made in ``folder`` that is not ASCII, where this Python's file names are not UTF-8.

    Python gives a name the locale's bytes: under ISO-8859-1 a split, class or image named ``Straße`` was written as
    ``Stra\xdfe``, an output other than a UTF-8 machine's, which labelkit's own readers refuse (a name not UTF-8).
    Nothing is looked at where names are UTF-8 (macOS, Windows, Linux in a UTF-8 or C locale).

    Raises:
        OutputError: naming the first such file or folder (by name, a folder before what it holds).
    """
    if names_are_utf8() or not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(dirs + files):
            if not name.isascii():
                raise OutputError(
                    f"this Python's file name encoding is {sys.getfilesystemencoding()}, not UTF-8: a name written "
                    "here would be other bytes than on other machines, and labelkit reads names as UTF-8",
                    path=str(Path(root, name)),
                    hint=_UTF8_HINT,
                )
