"""The command line's side files: the ``--report`` JSON (``-`` for stdout) and the checks of report and lockfile paths.

Also the paths a split's output wrote its items to, recorded in its lockfile. Used by :mod:`labelkit.cli`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import click
import orjson

from labelkit import api_places
from labelkit.errors import DataLossError, OutputError
from labelkit.io_output import replace_file, replace_target
from labelkit.model import Dataset
from labelkit.portable import placed
from labelkit.report import Report

if TYPE_CHECKING:
    from labelkit.split.report import SplitReport


def stdout_refused(exc: OSError) -> OutputError:
    """The error of a standard output that refuses what is printed (``> /dev/full``: ``No space left on device``)."""
    return OutputError(f"cannot write to standard output: {exc.strerror or exc}")


def echo(text: str, nl: bool = True) -> None:
    """Print ``text`` on standard output; one the disk refuses (``> /dev/full``) is an error line, not a crash.

    It was an internal error (exit 2, ``rerun with --traceback``), after the output was written. A closed pipe
    (``| head``) is the command group's to handle: what is left goes nowhere.

    Raises:
        OutputError: standard output cannot be written (``No space left on device``).
    """
    try:
        click.echo(text, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_refused(exc) from exc


def write_report(report: Report, path: Path | None) -> None:
    """Save ``report`` as JSON at ``path`` (``-``: stdout), when one is given."""
    if path is not None:
        write_json(path, report.to_dict())


def stage_report(side: SideFiles, data: Any, path: Path | None) -> None:
    """Write the report ``data`` as JSON at ``path`` in ``side`` (``-``: printed at its commit), when one is given."""
    if path is not None:
        side.stage(path, _json_line(data), "report")


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
    # a report is written in place (a file there must be writable), a lockfile moved into its folder
    written = path if what == "report" and path.exists() else real.parent if through else path.parent
    if not os.access(written, os.W_OK):  # (read-only: found after the output was in place, it stayed)
        problem = "file" if written == path else "folder"
        raise OutputError(f"cannot write the {what}: its {problem} is not writable", path=path)
    if what == "report" and _other_links(path):  # (the lockfile is replaced, which breaks a link)
        raise OutputError(
            "the report is a file with other hard links: writing it would change them too",
            path=path,
            hint="remove it, or choose another report path",
        )


def _other_links(path: Path) -> bool:
    """Whether ``path`` is a regular file (through a symbolic link too) with other hard links than this name.

    The report is written in place (an existing report keeps its mode and owner): a path that is a hard link to
    a label file inside the input (compared as paths, not the input) overwrote that file with the report.
    """
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_nlink > 1


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
    if path is STDOUT:
        echo(json_bytes(data).decode())
        return
    _write_in_place(path, _json_line(data), "report")


def _json_line(data: Any) -> bytes:
    """``data`` as :func:`json_bytes`, ending with a line break, as the report file holds it."""
    return json_bytes(data) + b"\n"


def _write_in_place(path: Path, data: bytes, what: str) -> None:
    """Write ``data`` to ``path`` (an existing file keeps its mode and owner).

    Raises:
        OutputError: it cannot be written (naming ``path``).
    """
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=path) from exc


class SideFiles:
    """The report and lockfile of a run, written before the output is moved into place; undone if the move fails.

    Written after the move, one that could not be written (a full disk, a sticky folder) left the output behind;
    written before it, a move that failed (another run's output appeared, Ctrl-C) left a new lockfile beside no
    output, and ``--report -`` printed a report of it. Now the lockfile written is undone when the block ends
    without :meth:`commit` (the old one put back, or the new one removed), a report file is removed by
    :func:`no_stale_report`, and ``-`` (stdout) is printed only at :meth:`commit`. A report file is written in
    place (through a symbolic link at its path; an existing one keeps its mode and owner), a lockfile replaced
    atomically (:meth:`labelkit.split.Lockfile.write`: through a symbolic link at its path, keeping its mode).
    """

    def __init__(self) -> None:
        self._stdout: dict[str, bytes] = {}  # (by what: staged again, it replaces what was staged)
        self._written: dict[Path, bytes] = {}  # (a report written in place: staged again the same, not rewritten)
        self._undo: list[tuple[Path, bytes | None, int | None]] = []  # (real path, old bytes or None, its mode)

    def __enter__(self) -> SideFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for path, old, mode in reversed(self._undo):
            with suppress(OSError):  # (best effort: the error that ended the block is the one to tell)
                if old is None:
                    path.unlink()
                else:
                    replace_file(path, old, mode)
        self._undo = []

    def stage(self, path: Path, data: bytes, what: str) -> None:
        """Write ``data`` at ``path`` (the ``what`` names it in errors; ``-``: printed at :meth:`commit`).

        A report staged again (with the notes of moving the output into place) replaces the one staged; written
        only when it differs.

        Raises:
            OutputError: it cannot be written (a full disk), naming ``path``.
        """
        if path is STDOUT:
            self._stdout[what] = data
            return
        if what != "lockfile":
            if self._written.get(path) != data:
                _write_in_place(path, data, what)
                self._written[path] = data
            return
        real = Path(os.path.realpath(path)) if path.is_symlink() else path  # (the link is kept: its file replaced)
        old = real.read_bytes() if real.exists() else None  # (a regular file: side_file and read_lockfile checked it)
        mode = stat.S_IMODE(real.stat().st_mode) if old is not None else None
        try:
            replace_target(path, data)
        except OSError as exc:
            raise OutputError(f"cannot write the {what}: {exc.strerror or exc}", path=path) from exc
        self._undo.append((real, old, mode))

    def keep(self) -> None:
        """Keep what was written: the output is in place (a report staged again after it cannot undo a lockfile)."""
        self._undo = []

    def commit(self) -> None:
        """Keep what was written (the output is in place), and print what goes to stdout."""
        self.keep()
        for data in self._stdout.values():
            echo(data.decode(), nl=False)
        self._stdout = {}


def record_written_paths(dataset: Dataset, report: SplitReport, target: str, options: dict[str, Any]) -> None:
    """Record in ``report.lockfile`` the keys the output gives the items read back, where they differ from theirs.

    For VOC, YOLO and COCO. VOC writes ``v0/a.jpg`` as ``JPEGImages/a.jpg``, or as ``JPEGImages/7.jpg`` (after its
    item id) where another image is named ``a.jpg``; YOLO writes ``JPEGImages/a.jpg`` as ``images/<split>/a.jpg``
    and ``train/c.jpg``, sent to ``test``, as ``images/test/c.jpg``: that output, split again with the lockfile,
    is found by them (by the path taken apart alone, such items were placed anew, saying ``moved 0``). An item of
    no path is keyed as the reader names it: VOC writes it no ``<filename>`` (its key is its id, ``#id`` where
    that is another item's path read back: it was recorded as ``JPEGImages/<id>.jpg``, a key no item has), COCO
    writes its id as its ``file_name`` (so an id that is another image's path reads back as a second image of
    that path, keyed ``path#<image id>``: it took the other image's split).
    """
    from labelkit.split.inputs import item_keys, keys_of

    items = dataset.table("items")
    keys = item_keys(items)[0]
    splits = [str(s) for s in items["split"].to_pylist()]
    if target == "voc":
        from labelkit.formats.voc_names import images_per_split, item_files, read_back_paths

        paths = read_back_paths(dataset, images_per_split(options), str(options.get("media") or "none"))
        written = keys_of(item_files(dataset), paths)[0]
    elif target == "coco":
        from labelkit.formats import coco_ids, coco_names

        numbers, _, split = coco_ids.image_numbers(items)
        written = keys_of(coco_ids.read_back_ids(numbers, split), list(coco_names.read_back_paths(items)))[0]
    else:
        found = _yolo_read_back_paths(dataset, options)
        if found is None:
            return
        written, splits = found
    report.lockfile, clashes = report.lockfile.with_written(keys, written, splits)
    if clashes:
        report.warnings.append(
            f"{clashes:,} items are written to a path that is another item's key in the lockfile, of another split:"
            " this output, split again with the lockfile, takes that item's split for them"
        )


def _yolo_read_back_paths(dataset: Dataset, options: dict[str, Any]) -> tuple[list[str], list[str]] | None:
    """The key a YOLO reader gives each item written (detect, segment, OBB, pose; None for classify), and its split.

    An item reads back with the path its image is written to (``images/<split>/...``, Darknet's
    ``obj_<split>_data/...``) where a reader finds the image (placed, sized in ``image_sizes.json``, or listed),
    else with its id (see :func:`labelkit.formats.yolo_readback.report_read_back`).
    """
    import numpy as np
    import pyarrow.compute as pc

    from labelkit.formats.yolo_media import is_image, listed_sizes
    from labelkit.formats.yolo_write import item_files, read_back_ids, task_of
    from labelkit.model.tables import true_mask

    if task_of(dataset, options) == "classify":
        return None
    items = dataset.table("items")
    splits = list(dataset.item_splits(str(options.get("split") or "train")))
    image_rel = item_files(dataset, options).image_rel
    if options.get("layout") == "darknet":  # (its lists name an image for every item)
        return list(image_rel), splits
    sized = true_mask(listed_sizes(items["width"], items["height"]))
    if str(options.get("media") or "none") != "none":
        has_path = true_mask(pc.is_valid(items["path"]))
        found = [bool(h) and is_image(PurePosixPath(r)) for h, r in zip(has_path.tolist(), image_rel, strict=True)]
        sized = sized | np.array(found, bool)
    ids = read_back_ids(dataset, options)
    return [r if kept else i for r, i, kept in zip(image_rel, ids, sized.tolist(), strict=True)], splits
