"""Names and paths longer than file systems take: a name over 255 bytes, a path over ``PATH_MAX`` below the output.

Used by :mod:`labelkit.portable` (which finds the items whose files would be too long) and the writers that name
files of their own (VOC's lists, YOLO's class folders).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

MAX_NAME_BYTES = 255
"""The longest file or folder name file systems take: 255 bytes (ext4, APFS in UTF-8; NTFS 255 UTF-16 units)."""


def name_too_long(name: str) -> bool:
    """Whether a file or folder name (one part of a path) is longer than file systems take (:data:`MAX_NAME_BYTES`).

    >>> name_too_long("b" * 255), name_too_long("\u00e9" * 128)
    (False, True)
    """
    return len(name) > MAX_NAME_BYTES // 4 and len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES


def _path_max() -> int:
    """The system's ``PATH_MAX`` less the NUL ending a path (4,096 on Linux, 1,024 on macOS); 4,095 where unknown."""
    try:
        return int(os.pathconf("/", "PC_PATH_MAX")) - 1
    except (AttributeError, OSError, ValueError):  # (no pathconf on Windows)
        return 4095


PATH_MAX_BYTES = _path_max()
"""The longest path a file system call takes: 4,095 bytes on Linux (``PATH_MAX``, 4,096 with the NUL ending it)."""

_PATH_ROOM: ContextVar[int] = ContextVar("path_room", default=PATH_MAX_BYTES)
"""How many bytes a path below the output folder may have (:func:`written_below`)."""


@contextmanager
def written_below(folder: Path) -> Iterator[None]:
    """While it lasts, the paths :func:`unportable_paths` is given are written below ``folder``.

    A path whose bytes with ``folder``'s path as written (and a ``/``) are more than :data:`PATH_MAX_BYTES` is
    then too long, as the system refuses it (``File name too long``): it counts the path it is given, so a
    relative ``folder`` is counted without the working folder (whose own depth the system does not limit;
    counting it refused what was written). Without it (``labelkit.plan``, which knows no output) a path is too
    long when it is longer than that below any folder.
    """
    room = PATH_MAX_BYTES - len(os.fsencode(str(folder))) - 1
    token = _PATH_ROOM.set(room)
    try:
        yield
    finally:
        _PATH_ROOM.reset(token)


def path_room() -> int:
    """How many bytes a path below the output folder may have (:func:`written_below`; else :data:`PATH_MAX_BYTES`)."""
    return _PATH_ROOM.get()


def path_too_long(path: str, room: int | None = None) -> bool:
    """Whether ``path`` (below the output folder) is more than ``room`` bytes (by default :func:`path_room`'s).

    >>> path_too_long("a/" * 2047 + "b", 4095), path_too_long("a/" * 2048, 4095), path_too_long("ab", 1)
    (False, True, True)
    """
    room = path_room() if room is None else room
    return len(path) > room // 4 and len(path.encode("utf-8", "surrogatepass")) > room


def part_too_long(path: str) -> bool:
    """Whether a part of ``path`` (``/``-separated) is longer than a file system takes (:data:`MAX_NAME_BYTES`).

    >>> part_too_long("a/" + "b" * 255), part_too_long("a/" + "\u00e9" * 128), part_too_long("a" * 300 + "/b")
    (False, True, True)
    """
    return len(path) > MAX_NAME_BYTES // 4 and any(map(name_too_long, path.split("/")))


def any_too_long(paths: list[str]) -> bool:
    """Whether a part of one of ``paths`` is too long (:func:`part_too_long`): in bulk, for the paths long enough."""
    long = [path for path in paths if len(path) > MAX_NAME_BYTES // 4]
    if not long:
        return False
    try:
        parts = pc.list_flatten(pc.split_pattern(pa.array(long, pa.large_string()), "/"))
    except UnicodeError:  # (a lone surrogate, which Arrow's UTF-8 cannot hold)
        return any(map(part_too_long, long))
    return bool(pc.max(pc.binary_length(parts)).as_py() > MAX_NAME_BYTES)


def any_path_too_long(paths: list[str]) -> bool:
    """Whether one of ``paths`` is too long below the output folder (:func:`path_too_long`), the room found once."""
    room = path_room()
    return max(map(len, paths), default=0) > room // 4 and any(path_too_long(path, room) for path in paths)
