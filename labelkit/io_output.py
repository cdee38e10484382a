"""Writing outputs safely: refusing a path that names the wrong thing, atomic output folders and files."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from labelkit.errors import LabelkitError, OutputError
from labelkit.io import create_file
from labelkit.portable import placed
from labelkit.portable_lengths import PATH_MAX_BYTES


def refuse_folder_for_file(path: str | os.PathLike[str], kind: Literal["file", "dir"], what: str = "output") -> None:
    """Refuse a file's path spelled as a folder's: ``out.json/`` (``Path`` drops the ``/``: a file was written).

    Raises:
        OutputError: ``kind`` is ``"file"`` and the text of ``path`` ends in ``/`` (or ``/.``) after a name.
    """
    text = os.fspath(path)
    name = Path(text).name
    if kind == "file" and os.path.basename(text) in ("", ".") and name not in ("", ".."):
        ending = text[text.rfind(name) + len(name) :]
        writes = "this format writes" if what == "output" else f"the {what} is"
        raise OutputError(
            f"the {what}'s path ends in {ending!r}, naming a folder, but {writes} a file",
            path=text,
            hint=f"drop the trailing {ending!r}",
        )


def _taken(path: Path, kind: Literal["file", "dir"]) -> bool:
    """Whether something is at ``path`` that only ``overwrite`` replaces (a link too; not an empty folder for one)."""
    return path.is_symlink() or (path.exists() and not (kind == "dir" and path.is_dir() and not any(path.iterdir())))


def _home() -> Path | None:
    """The user's home folder, resolved (None where there is none)."""
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # (no HOME and no password entry)
        return None


def check_output(given: str | Path, kind: Literal["file", "dir"], *, overwrite: bool = False) -> None:
    """Refuse what :func:`atomic_output` refuses before writing (a dry run's check; Raises: as it does).

    A path given as text is also refused when a file's is spelled as a folder's (:func:`refuse_folder_for_file`).
    """
    refuse_folder_for_file(given, kind)
    path = Path(given)
    if path.name in ("", "..") and path.parts:  # (a/.. or /: a folder that cannot be moved aside and replaced)
        raise OutputError("the output's path does not end in a name", path=path, hint="name the output folder itself")
    try:
        here: Path | None = Path.cwd().resolve()
    except OSError:  # the current folder was deleted: it cannot be the output
        here = None
    real = path.resolve()
    for place, name in ((here, "current"), (_home(), "home")):  # (--overwrite would replace it all)
        if place is not None and placed(real, place) in ("same", "holds"):
            raise OutputError(f"the output is the {name} folder or holds it", path=path, hint="choose another output")
    try:
        linked = path.is_symlink()
    except OSError as exc:  # a name the file system cannot hold (more than 255 bytes, say)
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    refuse_too_deep(path, kind)
    if linked and not overwrite:  # (even dangling, or to an empty folder: the link is what is replaced)
        raise OutputError(
            "output exists: a symbolic link",
            path=path,
            hint="pass --overwrite (API: overwrite=True) to replace the link (what it points to is left alone)",
        )
    if not linked and path.exists() and not (path.is_file() or path.is_dir()):  # (overwrite or not)
        raise OutputError(
            "output is a device, pipe or socket, which is never replaced",
            path=path,
            hint="choose a file or folder path",
        )
    # (a folder for a file first: --overwrite, which "output exists" asked for, is refused the same way)
    if path.exists() and kind == "file" and path.is_dir():
        raise OutputError("output is a folder but this format writes a file", path=path)
    if not overwrite and _taken(path, kind):
        raise OutputError("output exists", path=path, hint="pass --overwrite (API: overwrite=True) to replace it")
    if not path.parent.is_dir():  # (a file there: ENOTDIR, said as it is)
        what = "is not a folder" if path.parent.exists() else "folder does not exist"
        raise OutputError(f"the output's parent {what}", path=path.parent)
    # (the output is written beside it and moved in: a read-only folder failed only then, after the whole read)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError("cannot write: the output's folder is not writable", path=path)


def refuse_too_deep(path: Path, kind: Literal["file", "dir"]) -> None:
    """Refuse an output whose temporary path (:func:`output_written_in`) is longer than the system takes.

    With, for a folder, the :data:`OWN_FILES` bytes its format's own files may need below it: the write stopped
    there (``File name too long``), which a dry run passed. (Items' files too long below it are a loss the plan
    finds: :func:`labelkit.portable_lengths.written_below`.)

    Raises:
        OutputError: naming the output.
    """
    own = OWN_FILES if kind == "dir" else 0
    if len(os.fsencode(str(output_written_in(path)))) + own > PATH_MAX_BYTES:  # (as given: see written_below)
        files = f", and a format's own files need up to {own} bytes below its output folder" if own else ""
        raise OutputError(
            f"cannot write: {os.strerror(errno.ENAMETOOLONG)}",
            path=path,
            hint=f"the system takes no path of more than {PATH_MAX_BYTES:,} bytes (PATH_MAX) while writing{files}: "
            "choose a shallower output",
        )


@contextmanager
def atomic_output(
    path: Path, kind: Literal["file", "dir"], *, overwrite: bool = False, left: list[Path] | None = None
) -> Iterator[Path]:
    """Write to a temporary sibling of ``path`` and move it into place only when the block succeeds.

    A failure leaves nothing behind; an existing output is replaced only with ``overwrite``. An output that
    is a symbolic link is the link: it is replaced (only with ``overwrite``, even dangling or leading to an
    empty folder), and what it points to is never written.

    Args:
        path: the final file or folder.
        kind: whether the writer produces a file or a folder.
        overwrite: replace an existing output.
        left: given, the replaced output is added to it when it could not be removed wholly (the new output is in
            place; the old one is left under its temporary name, beside it).

    Yields:
        The temporary path to write (a folder already created, or a file path).

    Raises:
        OutputError: the output exists (or is a symbolic link) and ``overwrite`` is false, or its parent folder
            is missing.
    """
    path = Path(path)
    check_output(path, kind, overwrite=overwrite)
    tag = secrets.token_hex(4)
    tmp = _sibling(path, "tmp", tag)
    try:
        if kind == "dir":
            tmp.mkdir()
    except OSError as exc:  # (a name the file system cannot hold, no permission, ...)
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    try:
        yield tmp
        try:
            if path.exists() or path.is_symlink():
                if not overwrite and _taken(path, kind):
                    raise _appeared(path)  # (another conversion to the same output finished first, say)
                old = _sibling(path, "old", tag)
                os.replace(path, old)
                try:
                    os.replace(tmp, path)
                except BaseException:  # (Ctrl-C between the two moves too)
                    os.replace(old, path)  # the output as it was
                    raise
                try:
                    gone = _remove(old)
                except KeyboardInterrupt:  # the new output is in place: the old one is not left half removed
                    gone = _remove(old)
                if not gone and left is not None:  # (a folder of it write-protected: it was left hidden, unsaid)
                    left.append(old)
            elif kind == "file" and not overwrite:  # (a rename replaces a file that appeared since the check)
                _publish_new(tmp, path)
            else:
                try:
                    os.replace(tmp, path)
                except OSError:  # (a folder over a folder with files, or a file, that appeared since the look)
                    if kind == "dir" and (path.exists() or path.is_symlink()):
                        raise _appeared(path, overwrite=overwrite) from None
                    raise
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    except LabelkitError as exc:  # an error about a file being written names it where it was to go
        gone = _remove(tmp)
        where, prefix = exc.location.path, str(tmp)
        if where is not None and (where == prefix or where.startswith(prefix + os.sep)):
            exc.relocate(str(path) + where[len(prefix) :])
        if not gone:  # (a folder of it made write-protected meanwhile: it was left hidden, unsaid)
            left_here = f"the temporary output {tmp} could not be removed wholly: remove it yourself"
            exc.hint = f"{exc.hint}; {left_here}" if exc.hint else left_here
        raise
    except BaseException:
        _remove(tmp)
        raise


def _publish_new(tmp: Path, path: Path) -> None:
    """Move the file ``tmp`` to ``path``, which must not exist: one that appears meanwhile is never replaced.

    A hard link fails where something is at ``path``, as a rename does not; where the file system has none
    (FAT, some network shares), ``path`` is taken with an exclusive create, then replaced.

    Raises:
        OutputError: something is at ``path`` (another conversion's output, which finished first, say).
        OSError: the file system refused otherwise.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _appeared(path) from None
    except OSError:  # no hard links here
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise _appeared(path) from None
        try:
            os.replace(tmp, path)
        except BaseException:
            os.unlink(path)  # (the empty file taken for it)
            raise
        return
    try:
        os.unlink(tmp)
    except KeyboardInterrupt:  # the output is in place: its temporary name is not left beside it
        _remove(tmp)


def _appeared(path: Path, *, overwrite: bool = False) -> OutputError:
    """The error of an output that was not there when checked, and is when moved into place.

    With ``overwrite`` it is a folder the rename cannot replace (it holds files, or the output is a folder and it
    is a file), which a second run moves aside as it does any output that is there from the start.
    """
    return OutputError(
        "output exists: it appeared while this one was written",
        path=path,
        hint="run again to replace it" if overwrite else "pass --overwrite (API: overwrite=True) to replace it",
    )


_SIBLING_NAME = 200
"""How many bytes of the output's name a temporary sibling's name keeps: with its tag it stays within the
255 bytes file systems hold, for an output name that is itself up to 255 bytes long."""


def _sibling(path: Path, what: str, tag: str) -> Path:
    """The hidden sibling of ``path`` that :func:`atomic_output` writes to (``tmp``) or moves it aside to (``old``)."""
    name = os.fsencode(path.name)[:_SIBLING_NAME].decode("utf-8", "ignore")  # (whole characters only)
    return path.parent / f".{name}.labelkit-{what}-{tag}"


def _remove(path: Path) -> bool:
    """Remove a file or folder (a link itself, not what it leads to); whether nothing is left at ``path``."""
    try:  # (a Ctrl-C or SIGTERM meanwhile is raised once all is gone: a second Ctrl-C left the temporary output)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except KeyboardInterrupt:
        _remove(path)
        raise
    except OSError:
        pass  # (told by what is left)
    return not os.path.lexists(path)


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` (a link there too, never written through) with a new file holding ``data``, atomically.

    A temporary sibling is written (given ``mode``, else the umask's), then renamed over ``path``; it is removed
    when the write fails or is interrupted.

    Raises:
        OSError: naming the temporary sibling.
    """
    tmp = temporary_sibling(path)
    try:
        create_file(str(tmp), data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_target(path: Path, data: bytes) -> Path:
    """Replace the file ``path`` names (through a symbolic link at it) atomically, keeping its mode; its real path.

    For a file users keep and link to (a split lockfile committed beside the data: ``splits.lock.json ->
    locks/v2.json``): :func:`replace_file` at ``path`` made the link a file of its own, its target stale, and
    the file's mode the umask's. (A hard link to it is another name of the old file: replacing cannot keep it.)

    Raises:
        OSError: naming the temporary sibling.
    """
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        mode: int | None = stat.S_IMODE(os.stat(real).st_mode)
    except OSError:  # (none yet)
        mode = None
    replace_file(real, data, mode)
    return real


OWN_FILES = 600
"""The bytes a format's own files (not an item's) may need below its output folder, with the ``/`` before them: two
names of up to 255 bytes and their folder (VOC's ``ImageSets/<task>/<class>_<split>.txt``; COCO's
``annotations/<task>_<split>.json``; YOLO's ``images/<split>/``; Parquet's ``labelkit.json``)."""


def output_written_in(path: Path) -> Path:
    """The temporary sibling :func:`atomic_output` writes ``path``'s files in, as long as it will be (its tag aside).

    The system's limit on a path's length (``PATH_MAX``) is met there first: its name is longer than ``path``'s.
    """
    return _sibling(path, "tmp", "0" * 8)  # (secrets.token_hex(4): 8 characters)


def temporary_sibling(path: Path) -> Path:
    """A new hidden name beside ``path`` (as :func:`atomic_output`'s), which any name the file system holds has."""
    return _sibling(path, "tmp", secrets.token_hex(4))
