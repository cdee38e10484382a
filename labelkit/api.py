"""The Python API: load, save, convert, validate, detect. The CLI is a thin shell over these."""

from __future__ import annotations

import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from labelkit import formats
from labelkit.api_args import EMPTY_PATH as EMPTY_PATH  # (re-exported: they lived here)
from labelkit.api_args import format_name, refuse_unsafe_splits, require_dataset, writer_named
from labelkit.api_args import input_path as input_path
from labelkit.api_args import output_path as output_path
from labelkit.api_places import (
    read_files,
    refuse_media_without_root,
    refuse_output_in_input,
    refuse_output_over_read_files,
    refuse_over,
    refuse_taken_output,
)
from labelkit.errors import (
    DataLossError,
    InputError,
    LabelkitError,
    OutputError,
    UsageError,
    require_bools,
    require_callables,
)
from labelkit.formats.base import (
    COUNTS_POLYGONS,
    DROPS_POLYGONS,
    SOURCE_TEXT,
    WRITABLE,
    FormatModule,
    ParsedOptions,
    empty_splits_read,
    parse_options,
    target_title,
)
from labelkit.formats.capability import check_capabilities, refuse_missing_ids
from labelkit.formats.crowd import CROWD, suggest_drop, without_crowd
from labelkit.formats.native_categories import refuse_repeated_categories
from labelkit.formats.native_values import duplicate_rows, refuse_unholdable
from labelkit.io import bulk_work, input_guard, read_bytes, safe_relpath
from labelkit.io_output import atomic_output, check_output, output_written_in, refuse_too_deep
from labelkit.model import Dataset, DatasetStats
from labelkit.model.tables import true_mask
from labelkit.portable import refuse_names_not_utf8, refuse_unspellable
from labelkit.portable_lengths import written_below
from labelkit.report import Finding, Report

Progress = Callable[[str], None]
"""Called with a short stage description (``reading coco``) as long work moves on."""


@contextmanager
def _named_wrongly(path: Path, name: str | None) -> Iterator[None]:
    """An error reading ``path`` in the format the caller named says which format it looks like, if another.

    ``--from labelkit`` on a COCO file said ``#/licenses: Extra inputs are not permitted`` and nothing more.
    Only a regular file or a folder is looked at (a pipe was read to its end, a FIFO may never end).
    """
    try:
        yield
    except InputError as exc:
        if name is None or exc.hint or not (path.is_file() or path.is_dir()):
            raise
        try:
            found = formats.detect(path)
        except LabelkitError:
            raise exc from None
        if found.format != name:
            exc.hint = f"it looks like {found.format} ({found.reason}), not {name}"
            exc.args = (exc.one_line(),)
        raise


def reader_of(path: Path, name: str | None, what: str = "format") -> FormatModule:
    """The reader of ``path``: the format named, else the one detected.

    Raises:
        InputError: ``path`` does not exist, format named or not (readers given a file look in its folder: YOLO read
            the current folder's datasets for a missing ``nope``; unnamed, it was an ``UnknownFormatError``, which a
            pipeline catching ``InputError`` for bad input missed).
        UsageError: the name (the argument ``what``) is not a str.
    """
    if name is not None:
        format_name(name, what)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    fmt = formats.get(name if name is not None else formats.detect(path).format)
    if not formats.can_read(fmt):
        raise UsageError(f"format {fmt.NAME!r} cannot read, only write")
    return fmt


def load(path: str | Path, format: str | None = None, **options: Any) -> Dataset:
    """Read a dataset in any registered format.

    Args:
        path: a file or folder.
        format: the format name; detected when None.
        **options: the format's read options (``labelkit formats NAME`` lists them).

    Returns:
        The dataset.

    Raises:
        UnknownFormatError: the format is not named and cannot be detected.
        InputError: the input is malformed; the error names the file and the line or JSON pointer.

    Examples:
        >>> ds = load("fixtures/native/images.labelkit.json")
        >>> ds.stats().annotations["object"]
        9
    """
    path = input_path(path)
    fmt = reader_of(path, format)
    parsed = parse_options(options, fmt, None)
    with formats.failures_named(fmt), _named_wrongly(path, format), input_guard(path), bulk_work():
        return _read_by(fmt, formats.call(fmt, "read", path, **parsed.read))


def _read_by(reader: FormatModule, dataset: Dataset) -> Dataset:
    """``dataset`` as ``reader`` made it: made by a built-in reader, its values are those records hold.

    A plug-in reader's tables are checked as tables given to ``Dataset.from_tables`` are, before writing; what it
    returns must be a ``Dataset`` (:func:`labelkit.formats.read_by`).
    """
    dataset = formats.read_by(reader, dataset)
    if getattr(reader, "__name__", "").startswith("labelkit.formats."):
        dataset.given_tables = False
    return dataset


def stats(path: str | Path, format: str | None = None, **options: Any) -> DatasetStats:
    """Count a dataset in any registered format: what ``labelkit info`` prints.

    The file is read as :func:`load` reads it, except what no count depends on: a reader that can (COCO)
    leaves the polygon coordinates of objects that have a box unparsed, so they are not checked either
    (:func:`validate` and :func:`convert` check them). With ``skip_invalid=True`` every polygon is parsed,
    so that the annotations skipped are the ones :func:`load` skips.

    Raises:
        UnknownFormatError: the format is not named and cannot be detected.
        InputError: the input is malformed; the error names the file and the line or JSON pointer.

    Examples:
        >>> stats("fixtures/native/images.labelkit.json").annotations
        {'label': 1, 'object': 9}
    """
    path = input_path(path)
    fmt = reader_of(path, format)
    read_options = parse_options(options, fmt, None).read
    if _may_count_polygons(fmt, read_options):
        read_options["count_polygons"] = "all"  # counts need no coordinates, nor to tell a box's rectangle
    with formats.failures_named(fmt), _named_wrongly(path, format), input_guard(path), bulk_work():
        dataset = _read_by(fmt, formats.call(fmt, "read", path, **read_options))
        return dataset.stats(empty_splits_read(dataset.info.extras))


def _may_count_polygons(reader: FormatModule, read_options: dict[str, Any]) -> bool:
    """Whether ``reader`` may leave polygons of boxed objects unparsed.

    Not with ``skip_invalid``: it must see every polygon to skip the bad ones, or what is skipped (and so
    counted and written) would depend on the target.
    """
    return bool(getattr(reader, COUNTS_POLYGONS, False)) and not read_options.get("skip_invalid")


def plan(dataset: Dataset, format: str, **options: Any) -> Report:
    """What writing ``dataset`` in ``format`` would lose or transform, without writing anything.

    Examples:
        >>> plan(load("fixtures/native/images.labelkit.json"), "parquet").lost
        []
    """
    dataset = require_dataset(dataset)
    fmt = writer_named(format)
    write_options = parse_options(options, None, fmt).write
    refuse_media_without_root(fmt, write_options)  # (as a dry run and a write refuse it)
    refuse_unsafe_splits(dataset, None, fmt, write_options)  # (and these: a plan passed them, a dry run refused)
    with formats.failures_named(fmt), bulk_work():
        report, planned = _plan(dataset, fmt, write_options)
        _refuse_unsafe_media(planned, write_options, None)
    return report


def _plan(dataset: Dataset, fmt: FormatModule, options: dict[str, Any]) -> tuple[Report, Dataset]:
    """The report of writing ``dataset`` as ``fmt``, and the dataset the writer is to be given.

    Rows pointing at no item or category (only a dataset built in code has them) are reported lost and left
    out, so no writer has to meet them.
    """
    refuse_missing_ids(dataset)
    _refuse_repeated_items(dataset)
    refuse_repeated_categories(dataset)
    title = target_title(fmt, dataset, options)  # (every line names the target so: "COCO", "YOLO obb")
    refuse_unholdable(dataset, fmt, title)  # (NaN, infinity; for COCO, YOLO, VOC, values their writers choked on)
    report = Report(target=fmt.NAME, read=dataset.report_counts())
    dataset, dangling = dataset.without_dangling()
    for what, n in dangling.items():
        report.lose(what, n, f"their {'item' if what.endswith('items') else 'category'} is not in the dataset")
    dataset = _holdable_media(dataset, fmt.CAPABILITIES.media, title, report)
    dataset = without_crowd(dataset, options, report)  # (-o crowd=drop, of the formats that declare it)
    writable = getattr(fmt, WRITABLE, None)
    if writable is not None:
        dataset, losses = writable(dataset, **options)
        for loss in losses:
            report.lose(*loss)
    check = getattr(fmt, "check", None)
    if check is not None:
        formats.call(fmt, "check", dataset, report, **options)
    else:
        check_capabilities(dataset, fmt.CAPABILITIES, title, report)
    if CROWD in getattr(fmt, "OPTIONS", {}):
        suggest_drop(report, options)
    return report, dataset


def _refuse_repeated_items(dataset: Dataset) -> None:
    """Refuse two items of one id, which only a dataset built in code can have (every reader refuses them).

    Every writer finds an item's annotations by its id: YOLO's wrote them to the first such item, COCO's to
    the second, without a word.

    Raises:
        OutputError: naming the first repeat (``items row 1: duplicate item id 'v'``).
    """
    ids = dataset.table("items")["id"]
    if len(ids) and len(ids.unique()) < len(ids):  # (about 6 ms for 118,000 ids)
        row = duplicate_rows(ids, 1)[0]
        raise OutputError(
            f"items row {row}: duplicate item id {ids[row].as_py()!r}",
            hint="give each item an id of its own (readers refuse repeated ids: only a dataset built in code has them)",
        )


def _holdable_media(dataset: Dataset, media: frozenset[str], target: str, report: Report) -> Dataset:
    """The dataset without the items whose media kind the target cannot hold (reported lost, with their rows).

    An item without a kind is an image.
    """
    kinds = pc.fill_null(dataset.table("items")["media"], "image")
    drop = ~true_mask(pc.is_in(kinds, value_set=pa.array(sorted(media), pa.string())))
    if not drop.any():
        return dataset
    held = f"{target} holds {', '.join(sorted(media))} items only"
    for kind, n in sorted(Counter(kinds.filter(pa.array(drop)).to_pylist()).items()):
        report.lose(f"{kind} items", n, f"{held}: they are not written")
    dataset, gone = dataset.without_items(drop)
    for what, n in gone.items():
        report.lose(f"{what} on them", n, f"{held}: their items are not written")
    return dataset


def save(
    dataset: Dataset,
    path: str | Path,
    format: str,
    *,
    allow_loss: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    dry_run: bool = False,
    on_written: Callable[[Report], None] | None = None,
    **options: Any,
) -> Report:
    """Write a dataset atomically, refusing to lose data unless allowed.

    Args:
        dataset: what to write.
        path: the output file or folder (per the format); written to a temporary sibling, then moved.
        format: the target format name.
        allow_loss: write even when the target cannot hold everything (the report lists what was lost).
        overwrite: replace an existing output.
        progress: called with a stage description as work moves on.
        dry_run: write nothing: plan, refuse what the write would refuse before writing (losses without
            ``allow_loss``, an existing output without ``overwrite``), and return the plan's report, which
            counts nothing as written and ends with :data:`DRY_RUN_NOTE`.
        on_written: called with the report once the output is written, before it is moved into place (not in a
            dry run): what it raises leaves no output. (The CLI writes ``--report`` and the lockfile there, so
            that one failing, a disk full, leaves no finished output beside the error.)
        **options: the format's write options.

    Returns:
        The report: what was written, transformed and lost.

    Raises:
        DataLossError: something would be lost and ``allow_loss`` is false; nothing is written.
        OutputError: the output exists and ``overwrite`` is false, or the format writes a file and ``path`` is text
            naming a folder (``out.json/``).

    Examples:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.parquet"
        >>> report = save(load("fixtures/native/images.labelkit.json"), out, "parquet")
        >>> report.lost, sorted(p.name for p in out.iterdir())[:2]
        ([], ['items.parquet', 'labelkit.json'])
        >>> import shutil; shutil.rmtree(out.parent)
    """
    dataset = require_dataset(dataset)
    fmt = writer_named(format)
    parsed = parse_options(options, None, fmt)
    path = output_path(path, kind=fmt.OUTPUT)
    return _save(dataset, path, fmt, parsed.write, allow_loss, overwrite, progress, dry_run, on_written=on_written)


@contextmanager
def _unwritable(path: Path, target: str) -> Iterator[None]:
    """Turn what a writer's encoders raise on values no file can hold into one OutputError (nothing is written)."""
    try:
        yield
    except (UnicodeEncodeError, TypeError) as exc:  # before ValueError, which UnicodeEncodeError is
        if isinstance(exc, TypeError) and str(exc) == "Recursion limit reached":  # orjson writes 254 levels
            raise OutputError("cannot write: a value is nested more than 254 levels deep", path=path) from exc
        if "surrogate" not in str(exc):
            refuse_unspellable(path, exc)  # (a name a file name encoding other than UTF-8 cannot spell, ASCII's)
            raise
        # a text holding a lone UTF-16 surrogate (JSON's "\ud800" escape): UTF-8 has no encoding for it
        raise OutputError("cannot write: a text holds a lone surrogate, which UTF-8 cannot encode", path=path) from exc
    except ValueError as exc:
        if "null byte" not in str(exc):
            raise
        # a split, category or path holding NUL, which no file system allows in a name
        raise OutputError(
            "cannot write: a file name would hold a NUL character",
            path=path,
            hint="rename the split, category or image path that holds it",
        ) from exc
    except OverflowError as exc:  # e.g. a mask larger than pycocotools' 32-bit run lengths
        raise OutputError(f"cannot write {target}: a value is too large for it ({exc})", path=path) from exc
    except RecursionError as exc:  # e.g. an image path a thousand folders deep (mkdir(parents=True) recurses)
        raise OutputError("cannot write: a path or value is nested too deeply", path=path) from exc
    except OutputError as exc:  # a writer's refusal that names no file: it is about this output
        if exc.location.path is None:
            exc.relocate(str(path))
        raise


def _save(
    dataset: Dataset,
    path: Path,
    fmt: FormatModule,
    options: dict[str, Any],
    allow_loss: bool,
    overwrite: bool,
    progress: Progress | None,
    dry_run: bool = False,
    source: Path | None = None,
    on_written: Callable[[Report], None] | None = None,
) -> Report:
    require_bools(allow_loss=allow_loss, overwrite=overwrite, dry_run=dry_run)
    require_callables(progress=progress, on_written=on_written)
    if options.get("media_root"):  # the images copied or linked are read from there (each split's, with {split})
        from labelkit.formats.yolo_media import media_root_of

        root = media_root_of(options)
        assert root is not None
        refuse_over(path, root.folders(dataset.table("items")["split"].to_pylist()), "the images' folder (media_root)")
    if progress:
        progress(f"checking what {fmt.NAME} can hold")
    with formats.failures_named(fmt), _unwritable(path, fmt.NAME), bulk_work():
        refuse_unsafe_splits(dataset, path, fmt, options)
        refuse_too_deep(path, fmt.OUTPUT)  # (before its items' paths are found too long below it)
        title = target_title(fmt, dataset, options)
        with written_below(output_written_in(path)):  # (a path too long with the output's is lost, as planned)
            report, dataset = _plan(dataset, fmt, options)
        _refuse_unsafe_media(dataset, options, source)
    if report.lost and not allow_loss:
        raise _loss_error(report, title, path)
    if dry_run:
        check_output(path, fmt.OUTPUT, overwrite=overwrite)
        report.note(DRY_RUN_NOTE)
        return report
    if progress:
        progress(f"writing {fmt.NAME}")
    left: list[Path] = []
    with atomic_output(path, fmt.OUTPUT, overwrite=overwrite, left=left) as tmp:
        try:
            with formats.failures_named(fmt), _unwritable(path, fmt.NAME), bulk_work():
                formats.call(fmt, "write", dataset, tmp, report, **options)
                refuse_names_not_utf8(tmp)
        except OSError as exc:  # disk full, permissions, ...: one clear line, and nothing is left behind
            name = exc.filename if isinstance(exc.filename, str) else ""
            where = path / Path(name).relative_to(tmp) if name.startswith(str(tmp) + os.sep) else path
            hint = (  # (the writers check the names they make: what is left is a name the file system makes one)
                "two items would write this file, or one's file is another's folder: this file system takes their "
                "names for one, though they differ in more than case or Unicode normalisation (which are found "
                "before writing); rename one"
                if isinstance(exc, (FileExistsError, NotADirectoryError))
                else None
            )
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=where, hint=hint) from exc
        if report.lost and not allow_loss:  # a loss only writing could find: the output is not kept
            report.written = {}  # (the writer counted what it wrote into the output now thrown away)
            raise _loss_error(report, title, path)
        if not report.written:  # the writer wrote the dataset the plan gave it (but tokens it has no place for)
            report.written = dataset.report_counts()
            if not fmt.CAPABILITIES.tokens:
                report.written.pop("tokens", None)
        if on_written is not None:
            on_written(report)
    for old in left:
        report.note(f"the output replaced could not be removed wholly: {old} is left (remove it yourself)")
    return report


DRY_RUN_NOTE = (
    "dry run: nothing was written (a loss only writing finds, such as VOC masks on an image of unknown size or a "
    "mask a later one covers, is not looked for)"
)
"""The note a dry run's report ends with (its ``written`` counts are empty)."""


def _refuse_unsafe_media(dataset: Dataset, options: dict[str, Any], source: Path | None) -> None:
    """Refuse, before writing, an item image path that leaves ``media_root`` when images are copied or linked.

    The writers refuse it too, but name only ``media_root``: this names the item, and the input.

    Raises:
        InputError: naming the input (else ``media_root``), the item and its path.
    """
    root = options.get("media_root")
    if str(options.get("media") or "none") == "none" or not root:
        return
    items = dataset.table("items")
    paths = pc.fill_null(items["path"], "")
    # only names that may climb, be absolute or have a drive or NUL are looked at one by one (the rest are safe)
    odd = pc.and_(pc.not_equal(paths, ""), pc.match_substring_regex(paths, r"\.\.|^[/\\]|^[^/\\]*:|\x00"))
    for n in pc.indices_nonzero(odd).to_pylist():
        try:
            safe_relpath(paths[n].as_py())
        except InputError as exc:
            raise InputError(
                f"item {items['id'][n].as_py()!r}: {exc.message} (an image to {options['media']} from media_root)",
                path=source or Path(str(root)),
                hint="an image copied or linked must lie inside media_root: give a relative path without '..', "
                "or use -o media=none",
            ) from None


REFUSED_NOTE = "nothing was written: the conversion was refused for the losses listed (--allow-loss writes anyway)"
"""The note a refused conversion's report ends with (its ``written`` counts are empty)."""


def _loss_error(report: Report, title: str, path: Path) -> DataLossError:
    report.note(REFUSED_NOTE)
    first = report.lost[0]
    more = f" (and {len(report.lost) - 1} more)" if len(report.lost) > 1 else ""
    return DataLossError(
        f"writing {title} would lose {first}{more}",
        report=report,
        path=path,
        hint="pass --allow-loss (API: allow_loss=True) to write anyway; --report FILE lists every loss",
    )


def read_for(
    src: Path, reader: FormatModule, writer: FormatModule, parsed: ParsedOptions, named: str | None
) -> Dataset:
    """Read ``src`` to be written by ``writer``, as ``convert`` and ``split`` do (options routed in ``parsed``).

    What the writer drops is not parsed, and the writer of the format read writes the values it does not change
    as they were read. ``named`` is the format the user named (None: detected).

    Raises:
        InputError: the input is malformed.
    """
    read_options = dict(parsed.read)
    drops = getattr(writer, DROPS_POLYGONS, None)
    if _may_count_polygons(reader, read_options) and drops is not None and drops(parsed.write):
        read_options["count_polygons"] = True  # the target keeps no polygon: don't parse what it drops
    if reader is writer and getattr(reader, SOURCE_TEXT, False):
        read_options["source_text"] = True  # the same format: values it does not change are written as read
    with formats.failures_named(reader), _named_wrongly(src, named), input_guard(src), bulk_work():
        dataset: Dataset = formats.call(reader, "read", src, **read_options)
    return _read_by(reader, dataset)


def convert(
    src: str | Path,
    dst: str | Path,
    to: str,
    *,
    from_format: str | None = None,
    allow_loss: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    dry_run: bool = False,
    on_written: Callable[[Report], None] | None = None,
    **options: Any,
) -> Report:
    """Read ``src`` and write it to ``dst`` in format ``to``; options go to whichever side knows them.

    With ``dry_run`` nothing is written; ``on_written`` is called as in :func:`save`.

    Returns:
        The report (``report.source`` names the format read).

    Raises:
        DataLossError: something would be lost and ``allow_loss`` is false; nothing is written.
        OutputError: the output exists (without ``overwrite``), or is the input itself.

    Examples:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.json"
        >>> convert("fixtures/native/images.labelkit.json", out, to="labelkit").read["items"]
        3
        >>> import shutil; shutil.rmtree(out.parent)
    """
    src, dst, given = input_path(src), output_path(dst), dst  # (the text given: ``out.json/`` is no file)
    require_callables(progress=progress, on_written=on_written)  # (before the input is read, as these are)
    require_bools(allow_loss=allow_loss, overwrite=overwrite, dry_run=dry_run)
    refuse_output_in_input(src, dst)
    reader = reader_of(src, from_format, "from_format")
    writer = writer_named(to, "to")
    parsed = parse_options(options, reader, writer)
    refuse_output_over_read_files(dst, parsed.read)
    refuse_taken_output(given, to, overwrite, parsed.write)
    if progress:
        progress(f"reading {reader.NAME}")
    dataset = read_for(src, reader, writer, parsed, from_format)
    return save_read(
        dataset,
        dataset,
        src,
        reader.NAME,
        dst,
        writer,
        parsed.write,
        allow_loss,
        overwrite,
        progress,
        dry_run,
        on_written,
    )


def save_read(
    dataset: Dataset,
    read: Dataset,
    src: Path,
    source: str,
    dst: Path,
    writer: FormatModule,
    options: dict[str, Any],
    allow_loss: bool,
    overwrite: bool,
    progress: Progress | None,
    dry_run: bool,
    on_written: Callable[[Report], None] | None,
) -> Report:
    """Write ``dataset``, made from ``read`` (read from ``src`` as format ``source``), as :func:`convert` writes.

    The report (refused, passed to ``on_written``, returned) names the source and starts with ``read``'s notes
    (what the reader passed over), and a value the writer refuses is named at ``src``, where it came from.
    ``labelkit split`` writes its split dataset so.
    """

    def written(report: Report) -> None:  # (the report as convert returns it)
        _add_read_notes(report, read, source)
        if on_written is not None:
            on_written(report)

    try:
        report = _save(dataset, dst, writer, options, allow_loss, overwrite, progress, dry_run, src, written)
    except DataLossError as exc:
        if isinstance(exc.report, Report):
            _add_read_notes(exc.report, read, source)
        raise
    except InputError as exc:  # a value the writer refuses (a mask's runs, say): it came from the input
        if exc.location.path is None:
            exc.relocate(str(src))
        raise
    _add_read_notes(report, read, source)
    return report


def _add_read_notes(report: Report, dataset: Dataset, source: str) -> None:
    report.source = source
    report.notes[:0] = [n for n in dataset.read_notes if n not in report.notes]


def validate(path: str | Path, format: str | None = None, **options: Any) -> list[Finding]:
    """Check a file against its format's schema and rules.

    Returns:
        Findings, each naming the file and the JSON pointer or line; empty when the file is clean.

    Raises:
        InputError: ``path`` does not exist (a finding would make ``labelkit validate`` exit 1, as if a file
            had been checked, where detecting the format refused the same path with exit 2).

    Examples:
        >>> validate("fixtures/native/images.labelkit.json")
        []
    """
    path = input_path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    fmt = reader_of(path, format)
    parsed = parse_options(options, fmt, None, validating=True)
    if stat.S_ISFIFO(os.stat(path).st_mode):
        return _validate_pipe(path, fmt, parsed.read)
    return _validate(path, fmt, parsed.read)


def _validate_pipe(path: Path, fmt: FormatModule, options: dict[str, Any]) -> list[Finding]:
    """Validate what a pipe (``/dev/stdin``) holds: read to its end into a file, then checked as that file.

    A format's checks read their file more than once (the schema, then the records): a pipe is empty the
    second time, which was a finding of invalid JSON (``Input is a zero-length, empty document``).
    """
    data = read_bytes(path)
    with tempfile.TemporaryDirectory(prefix="labelkit-") as folder:
        copy = Path(folder) / path.name
        copy.write_bytes(data)
        findings = _validate(copy, fmt, options)
    return [
        replace(f, path=str(path) + f.path[len(str(copy)) :]) if f.path.startswith(str(copy)) else f for f in findings
    ]


def _validate(path: Path, fmt: FormatModule, options: dict[str, Any]) -> list[Finding]:
    """The findings of the file or folder ``path`` (see :func:`validate`)."""
    check = getattr(fmt, "validate", None)
    try:
        with formats.failures_named(fmt), input_guard(path), bulk_work():
            if check is not None:
                findings: list[Finding] = formats.call(fmt, "validate", path, **options)
                return findings
            _read_by(fmt, formats.call(fmt, "read", path, **options))
    except InputError as exc:
        if _of_a_read_file(exc, path, options):  # (-o image_sizes=FILE: not the dataset; as info, exit 2)
            raise
        return [exc.finding(path)]
    return []


def _of_a_read_file(exc: InputError, path: Path, options: dict[str, Any]) -> bool:
    """Whether ``exc`` is about a file a read option names (:func:`read_files`), not about the dataset ``path``.

    ``validate`` reports what is wrong in the dataset as findings (exit 1); a missing or bad file given as an
    option's value is the command's input gone wrong, an error as ``info`` and ``convert`` make it (exit 2).
    """
    where = exc.location.path
    if where is None or os.path.abspath(where) == os.path.abspath(path):
        return False
    return os.path.abspath(where) in {os.path.abspath(f) for f in read_files(options)}


def detect(path: str | Path) -> formats.DetectResult:
    """Name the format of a file or folder, with the reason.

    Examples:
        >>> detect("fixtures/native/images.labelkit.json").reason
        'JSON document with "format": "labelkit"'
    """
    return formats.detect(input_path(path))
