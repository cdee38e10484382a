"""Safe file handling shared by every format: atomic output, contained paths, JSON with locations."""

from __future__ import annotations

import errno
import gc
import logging
import os
import re
import stat
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

import orjson

from labelkit.errors import InputError
from labelkit.json_checks import MAX_FIELD_DEPTH as MAX_FIELD_DEPTH
from labelkit.json_checks import UTF8_BOM as UTF8_BOM
from labelkit.json_checks import deepest as deepest
from labelkit.json_checks import json_text as json_text
from labelkit.json_checks import line_and_column as line_and_column
from labelkit.json_checks import parse_json as parse_json
from labelkit.json_checks import refuse_deep as refuse_deep
from labelkit.json_checks import too_deep as too_deep
from labelkit.json_checks import without_bom as without_bom
from labelkit.portable import PLAIN_RELPATH, by_parts
from labelkit.portable import names_are_utf8 as names_are_utf8
from labelkit.utf8_names import SHOWN_NAME, escaped_bytes, not_utf8_name, shown_name
from labelkit.utf8_names import require_utf8_name as require_utf8_name

T = TypeVar("T")
R = TypeVar("R")

_PLAIN_NAME = re.compile(PLAIN_RELPATH)
"""Relative names without backslashes, drives, NULs or empty parts (``.`` and ``..`` parts checked apart)."""
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://.")
"""A URL (``http://host...``, ``s3://bucket...``, ``file:///path``): such a name is kept as written, its ``//``
not collapsed (``file:///x`` was read ``file:/x``). A scheme of one letter is a drive (``C://x``): refused."""


def is_plain_name(name: str) -> bool:
    r"""Whether ``name`` can be one file or folder name inside a folder: no ``/``, ``\``, NUL, ``.`` or ``..``.

    Examples:
        >>> is_plain_name("train"), is_plain_name("../x"), is_plain_name("a/b"), is_plain_name("")
        (True, False, False, False)
    """
    return name not in ("", ".", "..") and not any(c in name for c in "/\\\x00")


def is_plain_relpath(name: str) -> bool:
    """Whether :func:`safe_relpath` returns ``name`` unchanged without looking further (no pathlib needed).

    Examples:
        >>> is_plain_relpath("images/a.jpg"), is_plain_relpath("images/../a.jpg"), is_plain_relpath("C:/a.jpg")
        (True, False, False)
    """
    return _PLAIN_NAME.fullmatch(name) is not None and "/./" not in f"/{name}/" and "/../" not in f"/{name}/"


def safe_relpath(
    name: str,
    *,
    source: str | Path | None = None,
    pointer: str | None = None,
    line: int | None = None,
    keep_url: bool = False,
) -> str:
    r"""Check that a file name taken from inside a dataset stays inside its folder.

    Args:
        name: a relative path such as a COCO ``file_name``.
        source: the file the name came from, for the error.
        pointer: where in that file, for the error.
        line: the line of that file, for the error (a list file's).
        keep_url: return a URL (``http://host/a.jpg``) as written, for a name that is only carried (a COCO
            ``file_name``); a name that becomes a file's path has its ``//`` collapsed like any other.

    Returns:
        The name with forward slashes, ``.`` segments, repeated and trailing slashes dropped.

    Raises:
        InputError: the name is empty, absolute, has a drive, or climbs with ``..``.

    Examples:
        >>> safe_relpath("images/a.jpg"), safe_relpath("images\\./a.jpg"), safe_relpath("http://h/a.jpg", keep_url=True)
        ('images/a.jpg', 'images/a.jpg', 'http://h/a.jpg')
    """
    if is_plain_relpath(name):
        return name  # already what the checks below would return (the per-file fast path)
    text = name.replace("\\", "/")
    posix = PurePosixPath(text)
    if not text or posix.is_absolute() or PureWindowsPath(name).drive or ".." in posix.parts or "\x00" in text:
        raise InputError(
            f"unsafe file name {name!r}",
            path=source,
            pointer=pointer,
            line=line,
            hint="names inside a dataset must be relative, with no drive ('C:'), '..' part or NUL character",
        )
    return text if keep_url and _URL.match(text) else str(posix)


def contained(root: Path, name: str, *, source: str | Path | None = None, pointer: str | None = None) -> Path:
    """Join a dataset-internal file name to ``root``, refusing any escape (see :func:`safe_relpath`)."""
    return root / safe_relpath(name, source=source, pointer=pointer)


def read_bytes(path: str | Path) -> bytes:
    """Read a file, turning OS errors into :class:`InputError` (a pipe is read, a device refused: :func:`read_file`)."""
    try:
        return read_file(path, pipes=True)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from exc


def read_text(path: str | Path, data: bytes | None = None) -> str:
    """A file's text (``data``, when its bytes are at hand), which must be UTF-8; a byte-order mark is dropped.

    Windows tools start UTF-8 files with one (a names file's first class was ``\ufeffcat``).

    Raises:
        InputError: naming this file and the line and column of its first byte that is not UTF-8 (a reader
            that lets the decoder's error escape leaves :func:`input_guard` to guess the file).
    """
    data = read_bytes(path) if data is None else data
    try:
        text = data.decode("utf-8")
        return text[1:] if text.startswith("\ufeff") else text
    except UnicodeDecodeError as exc:
        line, column = line_and_column(data, exc.start)
        raise InputError(
            f"not UTF-8 text: bad byte 0x{data[exc.start]:02x} at column {column}", path=path, line=line
        ) from exc


class Inside:
    """A folder that the files read must stay in through symbolic links, and the folders found so."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._folders: dict[str, bool] = {}

    def holds(self, real: str) -> bool:
        """Whether a resolved path is the folder or lies inside it."""
        return real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep)

    def folder_ok(self, folder: str) -> bool:
        """Whether ``folder`` has no symbolic link on its way from the root, or leads inside; one answer per folder.

        Links above the root (a dataset opened through ``/mnt -> /disk``) are the root's own: a folder is
        where its path from the root, taken from the root's real path, says.
        """
        ok = self._folders.get(folder)
        if ok is None:
            real = os.path.realpath(folder)
            from_root = os.path.relpath(os.path.abspath(folder), os.path.abspath(self.root))
            expected = os.path.normpath(os.path.join(self._real_root, from_root))
            ok = self._folders[folder] = real == expected or self.holds(real)
        return ok

    def refusal(self, path: str | os.PathLike[str]) -> str | None:
        """Why ``path`` may not be read (a folder on its way, or the file, is a link leading out), else None.

        For a file read by another library (Pillow); :func:`read_file` tells a link by opening it instead.
        """
        if not self.folder_ok(os.path.dirname(os.fspath(path)) or "."):
            return FOLDER_LINKED_OUT
        if os.path.islink(path) and not self.holds(os.path.realpath(path)):
            return LINK_LEADING_OUT
        return None


FOLDER_LINKED_OUT = "in a folder linked out of the dataset"
LINK_LEADING_OUT = "a symbolic link leading out of the dataset"


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_file(path: str | os.PathLike[str], *, pipes: bool = False, inside: Path | Inside | None = None) -> bytes:
    """A file's bytes by one ``open``, ``fstat``, ``read`` and ``close``, without a Python file object.

    For the many small files of per-image formats (a YOLO label file each), where ``open()``'s buffered
    reader costs more than the read. OS errors propagate (``FileNotFoundError``, ``IsADirectoryError``, ...).
    The file is opened without blocking. A FIFO raises an ``OSError``, or with ``pipes`` is read: to its end
    when something writes it (``/dev/stdin``), as empty when nothing does (instead of waiting forever). A
    device or socket raises an ``OSError``. With ``inside``, a file that is a symbolic link, or lies in a
    folder reached through one, must lead inside that folder (else ``OSError``): telling a link costs nothing
    more for a file that is none, and each folder is resolved once (pass one :class:`Inside` for many files).
    """
    flags = _READ_FLAGS
    nofollow = _NOFOLLOW if inside is not None else 0
    if isinstance(inside, Path):
        inside = Inside(inside)
    if inside is not None and not inside.folder_ok(os.path.dirname(os.fspath(path)) or "."):
        raise OSError(errno.EACCES, FOLDER_LINKED_OUT, str(path))
    try:
        fd = os.open(path, flags | nofollow)
    except OSError as exc:
        if not nofollow or exc.errno != errno.ELOOP:
            raise
        assert inside is not None  # a symbolic link: read only if it leads inside
        try:
            target = str(Path(path).resolve(strict=False))
        except RuntimeError:  # a loop of links (Python 3.11 raises this rather than an OSError)
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None
        if not inside.holds(target):
            raise OSError(errno.EACCES, LINK_LEADING_OUT, str(path)) from None
        fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if stat.S_ISFIFO(status.st_mode) and pipes:
            os.set_blocking(fd, True)  # no writer: the first read is the end
        elif not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        size = status.st_size
        if size >= 1 << 30:  # (one read stops near 2 GiB: Python's reader sizes one buffer from fstat)
            with os.fdopen(fd, "rb", closefd=False) as fh:
                return fh.read()
        data = os.read(fd, size + 1)
        if len(data) != size:  # it grew, reports no size (/proc, a pipe), or the read came up short: to the end
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
        return data
    finally:
        os.close(fd)


def walk_files(
    folder: Path, keep: Callable[[str], bool], links: Callable[[str, list[str]], None] | None = None
) -> list[str]:
    """Paths under ``folder``, relative and ``/``-separated, of the files whose name ``keep`` accepts.

    Links to folders are followed only with ``links``: given each folder and its subfolders' names (sorted), it
    takes out those not to enter. The order is the file system's. A folder that cannot be listed is an error.

    Raises:
        InputError: naming the folder that cannot be listed.

    Examples:
        >>> sorted(walk_files(Path("fixtures/voc/golden/masks-all/Annotations"), lambda name: name.endswith(".xml")))
        ['2007_000001.xml', 'none.xml', 'x/y.xml']
    """

    def refuse(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        raise InputError(f"cannot list folder: {exc.strerror or exc}", path=where)

    found: list[str] = []
    base = str(folder)
    for current, dirs, files in os.walk(base, onerror=refuse, followlinks=links is not None):
        rel = os.path.relpath(current, base).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + f for f in files if keep(f)]
        if links is not None:
            dirs.sort()
            links(current, dirs)
    return found


def walk_linked(folder: Path, keep: Callable[[str], bool]) -> list[str]:
    """:func:`walk_files`, into the folders symbolic links lead to as well (``Annotations/x -> /elsewhere``).

    (VOC's annotation and segmentation folders, YOLO's image folders: ``images/train/day2 -> ../../day2``.)

    Such a folder was passed over unsaid, with either ``links`` option: its XML objects (or masks) were lost, and
    an item an ImageSets list names there read as one without them. Its files are read as any other's: a link
    leading out of the dataset is refused on reading them, unless ``links=follow``. A link to a folder read
    anyway (below ``folder``, or one an earlier link by name leads to) is passed over: its files are read once,
    at their own path. Only the folders are asked whether they are links (an ``lstat`` each), never the files.

    Raises:
        InputError: naming a folder that cannot be listed, or a link to a folder holding it (a loop).
    """
    base = str(folder)
    followed = [os.path.join(os.path.realpath(base), "")]  # (the folders read at their own paths)

    def enter(current: str, dirs: list[str]) -> None:
        if len(followed) > 1:  # (a folder read through a link, ext/, may hold another's, ext/sub/: read once, there)
            targets = set(followed[1:])
            dirs[:] = [
                d
                for d in dirs
                if os.path.islink(os.path.join(current, d))
                or os.path.join(os.path.realpath(os.path.join(current, d)), "") not in targets
            ]
        # (dirs come sorted: of two links to one folder, the first by name is read, the same one on every system)
        links = [d for d in dirs if os.path.islink(os.path.join(current, d))]
        if not links:
            return
        chain = [current]  # (a loop: a link to a folder holding one on the way here, through a folder elsewhere too)
        while chain[-1] != base and len(chain[-1]) > len(base):
            chain.append(os.path.dirname(chain[-1]))
        reals = [os.path.join(os.path.realpath(c), "") for c in chain]
        for name in links:
            link = os.path.join(current, name)
            target = os.path.join(os.path.realpath(link), "")
            if any(real.startswith(target) for real in reals):
                raise InputError("cannot read: a symbolic link to a folder holding it (a loop)", path=Path(link))
            if any(target.startswith(walked) for walked in followed):  # (Annotations/latest -> 2012: each
                dirs.remove(name)  # XML was read twice, as two items; its files are read where they are)
            else:
                followed.append(target)

    return walk_files(folder, keep, enter)


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a regular file, to recognise its format; empty for anything else.

    A FIFO (or a pipe given as input) is not read: nothing would wait on it, and nothing would be taken from
    a pipe that the reader needs whole.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    finally:
        os.close(fd)


TEXT_SUFFIXES = frozenset({".json", ".txt", ".xml", ".yaml", ".yml", ".names", ".data", ".conll", ".csv", ".tsv"})
"""Files searched for the bad byte when a reader meets text that is not UTF-8 (see :func:`input_guard`)."""


def utf8_error(path: Path, near: bytes = b"") -> InputError:
    """The first byte that is not UTF-8 in ``path`` (a file, or the text files of a folder), as an InputError.

    In a folder, the file holding ``near`` (bytes around the one a decoder refused) is named first.
    """
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES]
    files.sort(key=by_parts)
    holder = next((f for f in files if near in _bytes_or_empty(f)), None) if near and len(files) > 1 else None
    if holder is not None:  # the file the decoder was reading first, then the rest in order
        files = [holder, *(f for f in files if f != holder)]
    for file in files:
        try:
            read_text(file)
        except InputError as bad:
            if bad.location.line is not None:  # (not "cannot read": that file is passed over)
                return bad
    return InputError("text that is not UTF-8", path=path)


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the file system cannot hold (too long, say) is none."""
    try:
        return path.is_file()
    except OSError:
        return False


def _bytes_or_empty(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except (OSError, InputError):
        return b""


@contextmanager
def input_guard(path: Path) -> Iterator[None]:
    """Turn what a reader's parsers raise on hostile input into an InputError naming the input.

    Text that is not UTF-8 (decoders raise UnicodeDecodeError deep inside) gets the file, line and column
    of its first bad byte; a file name that is not UTF-8 (UnicodeEncodeError where it becomes an id) gets
    the input and the name's bytes; values nested too deeply for the parsers (RecursionError) get the input; a file
    system error (OSError: a name too long, no permission) gets the file, or the input when the name is
    itself too long to show.
    """
    try:
        yield
    except UnicodeDecodeError as exc:
        data = exc.object if isinstance(exc.object, bytes) else b""
        raise utf8_error(path, data[max(exc.start - 24, 0) : exc.end + 24]) from exc
    except UnicodeEncodeError as exc:  # a file name that is not UTF-8 (Python keeps its bytes as surrogates)
        text = exc.object if isinstance(exc.object, str) else ""
        if escaped_bytes(text):
            raise not_utf8_name(text, path) from exc
        raise InputError(
            "text holds a lone surrogate, which UTF-8 cannot encode", path=path, found=shown_name(text) or None
        ) from exc
    except RecursionError as exc:
        raise InputError("values nested too deeply to read", path=path) from exc
    except OSError as exc:  # a name too long, a permission, a device error, met anywhere inside a reader
        where = exc.filename if isinstance(exc.filename, str) and len(exc.filename) <= SHOWN_NAME else path
        raise InputError(f"cannot read: {exc.strerror or exc}", path=where) from exc


def load_json(path: Path) -> Any:
    """Read and parse a JSON file (see :func:`parse_json`)."""
    return parse_json(read_bytes(path), path)


def write_json(path: Path, value: Any, *, indent: bool = False) -> None:
    """Write JSON deterministically (keys in given order, UTF-8, trailing newline)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    path.write_bytes(orjson.dumps(value, option=option | orjson.OPT_SERIALIZE_NUMPY) + b"\n")


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector, and numpy's floating-point warnings, while a bulk reader or writer works.

    CPython collects every few hundred container allocations and rescans whatever survived; on a million
    annotations those passes cost several times the decoding itself, and none of these objects form cycles.
    numpy warns (on stderr) of an overflow to infinity, ``1.7e308 + 1.7e308``: the library never prints, and
    the values that give one are checked where they matter (refused, or clipped, and reported).
    """
    import numpy as np

    enabled = gc.isenabled()
    gc.disable()
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        if enabled:
            gc.enable()


_WARNINGS = threading.Lock()
"""Held while :func:`no_warnings` has Python's warning filters changed (``catch_warnings`` is process-wide)."""


@contextmanager
def no_warnings() -> Iterator[None]:
    """Ignore warnings (Pillow's, printed on stderr) for the block: the library never prints.

    ``catch_warnings`` saves and restores the process's filters: two threads inside it at once could leave
    them changed for good, so the block is entered by one thread at a time, and only on rare paths (an image
    no plain header reader reads, a PNG past Pillow's pixel limit): another thread's own ``catch_warnings``
    at the same moment could still see its filters restored out of order, as with any library using it.
    """
    with _WARNINGS, warnings.catch_warnings(action="ignore"):
        yield


_PIL_NULL = logging.NullHandler()
_PIL_QUIET = threading.Lock()
_pil_quiet_blocks = [0]  # (blocks inside quiet_pillow_log, in every thread: the handler goes when the last leaves)


@contextmanager
def quiet_pillow_log() -> Iterator[None]:
    """Keep Pillow's log records of broken files off stderr for the block: the library never prints.

    Pillow logs some of what it meets in a broken file as warnings (a TIFF's ``More samples per pixel than can be
    decoded``) on its ``PIL`` logger. Where the application configured no logging, Python's last-resort handler
    prints them on stderr. A ``NullHandler`` on that logger while the block runs stops that; handlers the
    application configured still get every record, which propagates as before.
    """
    logger = logging.getLogger("PIL")
    with _PIL_QUIET:
        if not _pil_quiet_blocks[0]:
            logger.addHandler(_PIL_NULL)
        _pil_quiet_blocks[0] += 1
    try:
        yield
    finally:
        with _PIL_QUIET:
            _pil_quiet_blocks[0] -= 1
            if not _pil_quiet_blocks[0]:
                logger.removeHandler(_PIL_NULL)


def create_file(path: str, data: bytes | memoryview) -> None:
    """Create ``path`` (which must not exist) holding ``data``: one open, write (usually) and close.

    A write may take only part of the data (a disk filling up, a file-size limit): the rest is written again, so
    that the next write's error is raised. A write that fails removes the file (made here: ``O_EXCL``), so that
    creating it again (``file_batches``' retry in order) meets that error, not the file ('File exists').

    Raises:
        OSError: naming ``path``.
    """
    if type(data) is not bytes:  # (a view of items wider than a byte: len counts items, where a write counts bytes)
        data = memoryview(data).cast("B")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # (less the umask, as open(): 0o644 kept no g+w)
    failed: OSError | None = None
    try:
        # (bytes: one write, and no memoryview unless it is short; a view and its slicing took 0.1 s of 2 s for
        # 118,000 label files. An empty file takes no write)
        written = os.write(fd, data) if len(data) else 0
        if written < len(data):
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(fd, view) :]
    except OSError as exc:  # (os.write names no file; not errors.naming, a generator: 0.2 s for 118,000 files)
        failed = exc
    finally:
        os.close(fd)
    if failed is not None:
        with suppress(OSError):
            os.unlink(path)  # (closed first: Windows removes no open file)
        raise OSError(failed.errno, failed.strerror, path) from failed


def ordered_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int = 2, ahead: int = 2) -> Iterator[R]:
    """``map(fn, items)`` on ``workers`` threads, results in input order, at most ``ahead`` results waiting.

    For work that spends its time in code releasing the GIL (Arrow kernels, zlib): two cores format two
    chunks at once, and the consumer writes them in order, so output stays deterministic and memory bounded.
    """
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="labelkit-map") as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) > ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
