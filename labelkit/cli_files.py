"""The command line's side files: the ``--report`` JSON (``-`` for stdout) and the checks of report and lockfile paths.

Used by :mod:`labelkit.cli`.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click
import orjson

from labelkit import api_places
from labelkit.errors import DataLossError, OutputError
from labelkit.io import create_file
from labelkit.portable import placed
from labelkit.report import Report


def write_report(report: Report, path: Path | None) -> None:
    """Save ``report`` as JSON at ``path`` (``-``: stdout), when one is given."""
    if path is not None:
        write_json(path, report.to_dict())


def stage_report(side: SideFiles, report: Report, path: Path | None) -> None:
    """Stage ``report`` as JSON at ``path`` (``-``: stdout) in ``side``, when one is given."""
    if path is not None:
        side.stage(path, json_bytes(report.to_dict()) + b"\n", "report")


def side_file(
    path: Path | None,
    what: str,
    output: Path,
    input: Path,
    other: tuple[str, Path | None] = ("", None),
    options: dict[str, str] | None = None,
) -> None:
    """Refuse, before any work, a report or lockfile path that cannot be written or would overwrite something.

    Found only after the output was moved into place, such an error left the output behind; a report over
    the input (or a file of the new output, or the lockfile, or an image of ``media_root``, which the output
    links to) destroyed it.

    Raises:
        OutputError: its folder does not exist, it is a folder, it (or its folder) is not writable, or it is
            (or is inside) the output, the input (a place it reads from: see :func:`labelkit.api_places.input_places`)
            or the ``media_root`` of the write ``options``, or it is the ``other`` side file.
    """
    if path is None or path is STDOUT:
        return
    real, given = path.resolve(), Path(os.path.abspath(path))  # (a link inside the output too: it is replaced)
    media_root = next((v for k, v in (options or {}).items() if k in ("media_root", "write.media_root") and v), None)
    media = [("images' folder (media_root)", place) for place in _media_folders(media_root)]
    inputs = [("input", place) for place in api_places.input_places(input)]
    inputs += [("input's image size file (image_sizes)", place) for place in api_places.read_files(options or {})]
    for name, place in (("output", output), *inputs, other, *media):
        for mine, theirs in ((real, place.resolve()), (given, Path(os.path.abspath(place)))) if place and name else ():
            if (where := placed(mine, theirs)) in ("same", "inside"):
                inside = "" if where == "same" else "inside "
                raise OutputError(f"the {what} is {inside}the {name}", path=path, hint=f"choose another {what} path")
    try:
        folder = path.is_dir()
    except OSError as exc:  # a name the file system cannot hold (more than 255 bytes, say)
        raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=path) from exc
    # (a report is written through a link at its path: one leading nowhere needs its target's folder too)
    through = what == "report" and not path.exists() and path.is_symlink()
    if folder or not path.parent.is_dir() or (through and not real.parent.is_dir()):
        problem = "is a folder" if folder else "has no folder to go in"
        raise OutputError(f"cannot write the {what}: the path {problem}", path=path)
    # a report replaces the file at its path (or its link's target), which must be writable if it exists (one
    # made read-only is kept so), in its folder; a lockfile is moved into its folder; a pipe or device is written
    written = [path] if path.exists() else []
    written += (
        []
        if path.exists() and not stat.S_ISREG(path.stat().st_mode)
        else [real.parent if what == "report" else path.parent]
    )
    for place in written:
        if not os.access(place, os.W_OK):  # (read-only: found after the output was in place, it stayed)
            problem = "file" if place == path else "folder"
            raise OutputError(f"cannot write the {what}: its {problem} is not writable", path=path)


@contextmanager
def no_stale_report(path: Path | None) -> Iterator[None]:
    """Remove the ``--report`` file (of an earlier run) when this run fails for another reason than loss.

    A run refused for loss writes its report; one that fails otherwise (bad input, output exists, Ctrl-C)
    has none, and an earlier run's left in place would be taken for this one's. Only a regular file is
    removed (not a link, nor ``/dev/stdout``).
    """
    try:
        yield
    except DataLossError:
        raise
    except BaseException:
        try:
            if path is not None and path is not STDOUT and stat.S_ISREG(os.lstat(path).st_mode):
                path.unlink()
        except OSError:
            pass
        raise


def _media_folders(media_root: str | None) -> list[Path]:
    """The folders images are read from: ``media_root``, or those there are of each split (see MediaRoot)."""
    from labelkit.formats.yolo_media import MediaRoot

    return MediaRoot(media_root).existing() if media_root else []


def json_bytes(data: Any) -> bytes:
    r"""``data`` as indented JSON, a file name's bytes that are not UTF-8 escaped as the text output prints them.

    Python keeps such bytes as lone surrogates (``\udcff``), which orjson refuses: ``validate --json`` of an
    input in a folder so named was an internal error.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except TypeError:  # (only such texts fail: the values are plain data)
        return orjson.dumps(_escaped(data), option=orjson.OPT_INDENT_2)


def _escaped(data: Any) -> Any:
    r"""``data`` with every text's lone surrogates written as ``\udcff`` escapes (see :func:`json_bytes`)."""
    if isinstance(data, str):
        return data.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(data, dict):
        return {_escaped(k): _escaped(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_escaped(v) for v in data]
    return data


STDOUT = Path("-")
"""``--report -``: the JSON report goes to stdout (before the text report, which ``--quiet`` leaves out).

Told by identity (``path is STDOUT``): the argument parser gives this object for ``-`` alone, while ``./-``, which
names a file ``-`` (as the README says), is a Path equal to it (``Path("./-") == Path("-")``) but not it."""


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` (``-``: stdout).

    Raises:
        OutputError: it cannot be written (naming the report's path).
    """
    with SideFiles() as side:
        side.stage(path, json_bytes(data) + b"\n", "report")
        side.commit()


class SideFiles:
    """The report and lockfile of a run: written as temporary siblings before the output is moved, renamed after it.

    Written after the move, a side file that could not be written (a full disk) left the output behind; written
    before it, a move that failed (or Ctrl-C) left a new lockfile (or report) beside no output. A file is replaced,
    never written in place: a report path that is a hard link to an input file broke the link instead of writing
    through it into the input. A report path that is a symbolic link is written through (its target is replaced),
    a lockfile's link is replaced; ``-`` (stdout) is printed at :meth:`commit`, a pipe or a device written at once.

    Used as a context manager: the temporary files left uncommitted are removed on leaving it.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path, str]] = []
        self._stdout: list[bytes] = []

    def __enter__(self) -> SideFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp, _, _ in self._staged:
            with suppress(OSError):
                tmp.unlink()
        self._staged = []

    def stage(self, path: Path, data: bytes, what: str) -> None:
        """Write ``data`` beside ``path`` (the ``what`` names it in errors), to be renamed there by :meth:`commit`.

        Raises:
            OutputError: it cannot be written (a full disk), naming ``path``.
        """
        if path is STDOUT:
            self._stdout.append(data)
            return
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):  # (a pipe, a device: written now, in place)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=path) from exc
            return
        target = path.resolve() if what == "report" and path.is_symlink() else path
        name = os.fsencode(target.name)[:200].decode("utf-8", "ignore")  # (any name the file system holds)
        tmp = target.with_name(f".{name}.tmp-{secrets.token_hex(4)}")
        try:
            create_file(str(tmp), data)
        except OSError as exc:
            raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=path) from exc
        self._staged.append((tmp, target, what))

    def commit(self) -> None:
        """Rename the staged files into place, and print those for stdout.

        Raises:
            OutputError: one cannot be (its folder was removed meanwhile), naming its path.
        """
        for tmp, target, what in self._staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=target) from exc
        self._staged = []
        for data in self._stdout:
            click.echo(data.decode(), nl=False)
        self._stdout = []
