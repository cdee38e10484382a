"""The ``labelkit`` command: convert, split, validate, info, formats.

Errors become one line on stderr (``labelkit: error: <where>: <what>``) and an exit code: 0 ok,
1 validation findings, 2 bad input or usage, 130 interrupted. ``--traceback`` shows the Python traceback instead.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import mmap
import os
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
import pyarrow as pa

from labelkit import __version__, api, api_places, formats
from labelkit.cli_files import (
    STDOUT,
    SideFiles,
    echo,
    json_bytes,
    no_stale_report,
    record_written_paths,
    side_file,
    stage_report,
    stdout_refused,
    write_json,
    write_report,
)
from labelkit.cli_options import format_options, own_options, parse_kv
from labelkit.cli_status import StatusLine
from labelkit.errors import DataLossError, LabelkitError, UsageError
from labelkit.model import Dataset
from labelkit.report import Report

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


class InputPath(click.Path):
    """An input argument: the empty text names no file (``Path("")`` is the current folder, which was read)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The path; ``""`` is an InputError (one line, exit 2), as in :func:`labelkit.api.input_path`."""
        if isinstance(value, str):
            api.input_path(value)
        return super().convert(value, param, ctx)


class OutputPath(click.Path):
    """An output, report or lockfile argument: the empty text names no file (``Path("")`` is the current folder).

    A report or lockfile is a file: its path spelled as a folder's (``r.json/``) is refused. The output is kept as
    the text given (a Path drops the ``/``), which its format, a file or a folder, is checked against.
    """

    def __init__(self, what: str) -> None:
        super().__init__(path_type=str if what == "output" else Path)
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The path; ``""`` is an OutputError (one line, exit 2), as in :func:`labelkit.api.output_path`."""
        if isinstance(value, str):
            api.output_path(value, self.what, "dir" if self.what == "output" else "file")
            if value == "-" and self.what == "report":
                return STDOUT  # (stdout; ./- is a file named -)
        return super().convert(value, param, ctx)


def _printing(parse: Callable[[], list[str]]) -> list[str]:
    """Run a command's ``parse``, whose ``--help`` prints: a standard output refusing it is an :class:`OutputError`.

    It was an internal error (``labelkit convert --help > /dev/full``).
    """
    try:
        return parse()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_refused(exc) from exc


class OnceCommand(click.Command):
    """A command whose options of one value take it once: ``--to yolo --to coco`` wrote COCO, the last, unsaid."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse ``args``, refusing an option of one value given twice (flags repeat freely, ``-o`` once per key).

        Raises:
            UsageError: such an option is given twice, even with one value (as ``-o`` is refused).
        """
        try:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except click.UsageError:
            order = []  # (click's parse below raises it again, in its own words)
        helps = set(ctx.help_option_names)  # (the help option is named "help", or "_click_default_help" in click 8.5)
        if ctx.resilient_parsing or any(isinstance(p, click.Option) and helps & set(p.opts) for p in order):
            return _printing(lambda: super(OnceCommand, self).parse_args(ctx, args))
        seen: set[str] = set()
        for param in order:
            if isinstance(param, click.Option) and not (param.multiple or param.is_flag or param.count):
                name = max(param.opts, key=len)
                if name in seen:
                    raise UsageError(f"option {name} is given twice", hint=f"give {name} once")
                seen.add(name)
        return _printing(lambda: super(OnceCommand, self).parse_args(ctx, args))


class LabelkitGroup(click.Group):
    """A click group that turns labelkit errors into one line and an exit code."""

    command_class = OnceCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's options; ``--help`` and ``--version`` print here, outside :meth:`invoke`.

        Their reader going away (``labelkit --help | head -1``) exited 1, click's code for a closed pipe: 0. A
        Ctrl-C here (outside :meth:`invoke`) printed click's "Aborted!" and exited 1: an interrupt, as later.
        """
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:
            _to_nowhere(sys.stdout)
            ctx.exit(0)
        except KeyboardInterrupt:  # (--traceback is not parsed yet: the same words as in the imports' time)
            _interrupted(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning errors into one line and an exit code."""
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:  # (None: started with stdout closed, >&-: nothing was printed)
                _flushed()  # a closed pipe (``| head``) shows up here, inside the handlers below
            return result
        except BrokenPipeError:
            # the reader of our output went away (``labelkit info x | head``): nothing more to say to it
            _to_nowhere(sys.stdout)
            ctx.exit(ctx.meta.get("labelkit.exit_code", 0))  # (validate's findings were found: still 1)
        except LabelkitError as exc:
            if ctx.meta.get("labelkit.traceback"):
                raise
            lines = exc.report.lines() if isinstance(exc, DataLossError) and isinstance(exc.report, Report) else []
            _say(
                [f"labelkit: {line}" for line in lines if line.startswith("lost: ")]
                + [f"labelkit: error: {exc.one_line()}"]
            )
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:  # (click says "Aborted!" and exits 1, which is validate's "found problems")
            if ctx.meta.get("labelkit.traceback"):
                raise
            _interrupted(ctx)
        except Exception as exc:  # noqa: BLE001 - the CLI must never show a traceback unless asked
            if ctx.meta.get("labelkit.traceback"):
                _SHOWN.append(exc)  # (an OSError: not one of click's printing, which main turns into one line)
                raise
            if isinstance(exc, FileNotFoundError) and _no_current_folder():
                _say(["labelkit: error: the current folder no longer exists: give absolute paths"])
                ctx.exit(2)
            encoding = sys.getfilesystemencoding()
            if isinstance(exc, UnicodeError) and encoding.replace("-", "").lower() != "utf8":
                # (a locale such as ISO-8859-1 or ASCII, not coerced to UTF-8: a name it cannot spell failed)
                _say(
                    [
                        f"labelkit: error: this Python's file name encoding is {encoding}, which cannot spell a name "
                        f"used here ({exc}); hint: run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)"
                    ]
                )
                ctx.exit(2)
            _say([f"labelkit: internal error: {type(exc).__name__}: {exc} (rerun with --traceback)"])
            ctx.exit(2)


_SHOWN: list[BaseException] = []
"""The errors :meth:`LabelkitGroup.invoke` raised for ``--traceback`` to show (by identity, in :func:`main`)."""


def _interrupted(ctx: click.Context) -> NoReturn:
    """Say ``labelkit: interrupted`` and exit 130."""
    if sys.stderr.isatty():  # (after the terminal's "^C": a line break of its own, which _say would escape, \n)
        with contextlib.suppress(OSError):
            sys.stderr.write("\n")
    _say(["labelkit: interrupted"])
    ctx.exit(130)


def _to_nowhere(stream: Any) -> None:
    """Send what is left of ``stream`` (stdout or stderr, whose reader went away) to the null device."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _say(lines: list[str]) -> None:
    """Print an error's lines on stderr; when its reader went away (``2>&1 | head -1``), the rest goes nowhere.

    click's own handler of the closed pipe exited 1, which is validate's "found problems": the caller's exit
    code (2, 130) must stand.
    """
    try:
        for line in lines:
            click.echo(_shown(line), err=True)  # (a file name may hold a terminal escape)
    except BrokenPipeError:
        _to_nowhere(sys.stderr)
    except OSError:  # (2>/dev/full: nothing can be said, and the exit code stands; click exited 1)
        pass


def _flushed() -> None:
    """Flush standard output: a disk refusing what is left of it (``> /dev/full``) is an :class:`OutputError`."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_refused(exc) from exc


def _no_current_folder() -> bool:
    """Whether the process's current folder was deleted (a relative path then cannot be made absolute)."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


_NUMPY_FLOAT_WARNINGS = r"(overflow|invalid value|divide by zero|underflow) encountered"


# (--help first: a usage error's hint names the first before click 8.4, the longest from 8.4: --help on all)
@click.group(cls=LabelkitGroup, context_settings={"help_option_names": ["--help", "-h"]})
@click.option("--traceback", is_flag=True, help="Show the Python traceback of an error.")
@click.version_option(version=__version__)  # (the code's own: the installed metadata may be absent, or another's)
@click.pass_context
def cli(ctx: click.Context, traceback: bool) -> None:
    """Convert, check and split data labels."""
    ctx.meta["labelkit.traceback"] = traceback
    use_jemalloc()
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 prints escaped, never as a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if not traceback:  # numpy's floating-point notes on absurd values (1e308 + 1e308): labelkit checks those
        warnings.filterwarnings("ignore", _NUMPY_FLOAT_WARNINGS, RuntimeWarning)
        # Pillow's note on an image of 89 M to 179 M pixels: labelkit reads sizes from headers, and refuses
        # (as one error line) the masks Pillow refuses to decode
        warnings.filterwarnings("ignore", r".*could be decompression bomb", Warning)
        # Pillow's notes on a broken EXIF block or TIFF tag of an image whose header gives its size (``Corrupt
        # EXIF data. Expecting to read 12 bytes but only got 1.``): the size is read regardless
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        # (Pillow's log records of broken files are kept off stderr by the library: see io.quiet_pillow_log)


def use_jemalloc() -> None:
    """Make Arrow allocate with jemalloc (the system allocator where pyarrow has none), unless the user chose.

    pyarrow's default pool on Linux, mimalloc, gets transparent huge pages for its memory and hands freed
    ones back to the kernel: reading the train2017-sized COCO made the kernel zero 2 MiB pages for about
    1 s (and 4 s in COCO -> COCO), against 0.2 s with jemalloc or malloc (``bench/coco.py``, README).
    ``ARROW_DEFAULT_MEMORY_POOL`` in the environment wins, as in pyarrow. Where pages are not 4 KiB, the
    system allocator is used: some pyarrow builds' jemalloc refuses 64 KiB pages (apache/arrow#11134).
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    if mmap.PAGESIZE != 4096:  # some pyarrow builds' jemalloc aborts on other pages (64 KiB on some ARM kernels)
        pa.set_memory_pool(pa.system_memory_pool())
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc (Windows wheels)
        pa.set_memory_pool(pa.system_memory_pool())


DRY_RUN = ": dry run, nothing written"
"""What the first line of a dry run's output ends with."""


def _print_report(report: Report) -> None:
    for line in report.lines():
        echo(_shown(line))


def _write_options(report_help: str) -> Callable[[F], F]:
    """The options every writing command shares: --allow-loss, --overwrite, --report, -o and --quiet."""

    def apply(command: F) -> F:
        for option in reversed(
            [
                click.option("--allow-loss", is_flag=True, help="Write even when the target cannot hold everything."),
                click.option("--overwrite", is_flag=True, help="Replace an existing output."),
                click.option("--report", "report_path", type=OutputPath("report"), help=report_help),
                click.option("-o", "options", multiple=True, metavar="KEY=VALUE", help="A format option (repeatable)."),
                click.option("-q", "--quiet", is_flag=True, help="No progress and no report on stdout."),
                click.option(
                    "--dry-run", is_flag=True, help="Read and plan, print the report, write nothing (but --report)."
                ),
            ]
        ):
            command = option(command)
        return command

    return apply


@cli.command()
@click.argument("input", type=InputPath(path_type=Path))
@click.argument("output", type=OutputPath("output"))
@click.option("--to", "to", required=True, help="Target format (see 'labelkit formats').")
@click.option("--from", "from_format", help="Source format; detected when omitted.")
@_write_options("Save the report as JSON.")
def convert(
    input: Path,
    output: str | Path,
    to: str,
    from_format: str | None,
    allow_loss: bool,
    overwrite: bool,
    report_path: Path | None,
    options: tuple[str, ...],
    quiet: bool,
    dry_run: bool,
) -> None:
    """Convert INPUT to OUTPUT in another format, refusing to lose data unless --allow-loss."""
    given, output = output, Path(output)  # (the text given: ``out.json/`` names a folder, its Path a file)
    side_file(report_path, "report", output, input, options=parse_kv(options))
    with StatusLine(quiet) as status, no_stale_report(report_path), own_options(), SideFiles() as side:
        try:
            report = api.convert(
                input,
                given,
                to=to,
                from_format=from_format,
                allow_loss=allow_loss,
                overwrite=overwrite,
                progress=status,
                dry_run=dry_run,
                # (the report is written before the output is moved into place: failing, it leaves no output)
                on_written=lambda written: stage_report(side, written.to_dict(), report_path),
                **format_options(parse_kv(options), api.convert),
            )
            side.keep()  # (the output is in place; the report again, with the notes of moving it there)
            if not dry_run:
                stage_report(side, report.to_dict(), report_path)
            side.commit()
        except DataLossError as exc:
            if isinstance(exc.report, Report):
                write_report(exc.report, report_path)
            raise
        if dry_run:
            write_report(report, report_path)
    if not quiet:
        echo(_shown(f"{input} ({report.source}) -> {output} ({report.target}){DRY_RUN if dry_run else ''}"))
        _print_report(report)


@cli.command()
@click.argument("path", type=InputPath(path_type=Path))
@click.option("--format", "format_name", help="The format; detected when omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-o", "options", multiple=True, metavar="KEY=VALUE", help="A read option (repeatable).")
def info(path: Path, format_name: str | None, as_json: bool, options: tuple[str, ...]) -> None:
    """Show items, categories and annotations per kind, per category and per split."""
    name = format_name or formats.detect(path).format
    with StatusLine(quiet=False) as status, own_options():  # (a large COCO file takes seconds: shown on a terminal)
        status(f"reading {name}")
        stats = api.stats(path, name, **format_options(parse_kv(options), api.stats))
    if as_json:
        echo(json_bytes({"format": name, **stats.to_dict()}).decode())
        return
    echo(f"{_shown(str(path))} ({name})")
    echo("  ".join([f"items: {stats.items:,}", *(f"{k}: {v:,}" for k, v in stats.items_by_media.items())]))
    echo("splits: " + (", ".join(f"{_shown(k)} {v:,}" for k, v in stats.items_by_split.items()) or "none"))
    echo(f"categories: {stats.categories:,}")
    echo("annotations: " + (", ".join(f"{k} {v:,}" for k, v in stats.annotations.items()) or "none"))
    if stats.tokens:
        echo(f"tokens: {stats.tokens:,}")
    for title, table in (("per category", stats.by_category), ("per split", stats.by_split)):
        if table:
            echo(f"{title}:")
            width = max(len(_shown(k)) for k in table)
            for key, counts in table.items():
                echo(f"  {_shown(key):<{width}}  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    for note in stats.notes:
        echo(f"note: {_shown(note)}")


@cli.command()
@click.argument("path", type=InputPath(path_type=Path))
@click.option("--format", "format_name", help="The format; detected when omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@click.option("-o", "options", multiple=True, metavar="KEY=VALUE", help="A read option (repeatable).")
def validate(path: Path, format_name: str | None, as_json: bool, options: tuple[str, ...]) -> None:
    """Check PATH against its format's schema and rules; exit 1 when there are findings."""
    with StatusLine(quiet=False) as status, own_options():
        status("validating")
        findings = api.validate(path, format_name, **format_options(parse_kv(options), api.validate))
    if findings:  # (the exit code also when stdout closes while they are printed: ``validate x | head``)
        click.get_current_context().meta["labelkit.exit_code"] = 1
    if as_json:
        echo(json_bytes([f.to_dict() for f in findings]).decode())
    else:
        for f in findings:
            echo(_shown(str(f)))
        if not findings:
            echo(f"{_shown(str(path))}: ok")
    if findings:
        sys.exit(1)


_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
"""Unicode's bidirectional controls (Bidi_Control): U+202E in a category name turned the rest of its line round."""

_CONTROLS = {c: ascii(chr(c))[1:-1] for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *_BIDI]}
"""Control characters (line breaks, tabs, terminal escapes), Unicode's line and paragraph separators and its
bidirectional controls, escaped as errors escape line breaks (``c\\nd``): a category named ``"c\\nd"`` broke its
``info`` line."""


def _shown(text: str) -> str:
    """``text`` with control characters escaped (see :data:`_CONTROLS`), so that it stays one line."""
    return text.translate(_CONTROLS)


def _abilities(fmt: formats.FormatModule) -> str:
    """``reads, writes a file``: what a format does (plug-ins may only read or only write)."""
    can = [w for w, ok in (("reads", formats.can_read(fmt)), ("writes", formats.can_write(fmt))) if ok]
    return ", ".join(can) + (f" a {fmt.OUTPUT}" if formats.can_write(fmt) else "")


@cli.command(name="formats")
@click.argument("name", required=False)
def formats_command(name: str | None) -> None:
    """List formats, or show one format's capabilities and options."""
    if name is None:
        width = max(len(n) for n in formats.names())
        for n in formats.names():
            try:
                fmt = formats.get(n)
            except LabelkitError as exc:  # a broken plug-in: said on its line, and the others still listed
                echo(f"{n:<{width}}  {'cannot be loaded':<22}  {exc}")
                continue
            echo(f"{n:<{width}}  {_abilities(fmt):<22}  holds: {fmt.CAPABILITIES.summary()}")
        for entry in formats.passed_over():
            echo(f"passed over: entry point {entry}: a plug-in cannot take a built-in format's name")
        return
    fmt = formats.get(name)
    echo(f"{fmt.NAME}: {fmt.DESCRIPTION}")
    echo(_abilities(fmt))
    if getattr(fmt, "EXTENSIONS", ()):
        echo("file names: " + ", ".join(f"*{e}" for e in fmt.EXTENSIONS))
    echo(f"holds: {fmt.CAPABILITIES.summary()}")
    if formats.options(fmt):
        echo("options (-o KEY=VALUE):")
        for opt in formats.options(fmt).values():
            kind = "|".join(opt.choices) if opt.choices else opt.type
            echo(f"  {opt.name}={kind} ({opt.applies}; default {opt.default!r}): {opt.help}")
    else:
        echo("options: none")


@cli.command(name="split")
@click.argument("input", type=InputPath(path_type=Path))
@click.argument("output", type=OutputPath("output"))
@click.option(
    "--ratios", help="Split shares summing to 1, e.g. train=0.8,val=0.1,test=0.1 (this or --folds is required)."
)
@click.option("--folds", type=int, help="Make K equal cross-validation folds named fold-0..fold-K-1 instead.")
@click.option("--to", "to", help="Output format; the input's format when omitted.")
@click.option("--from", "from_format", help="Source format; detected when omitted.")
@click.option("--stratify", default="labels", show_default=True, help="labels, none or attr:NAME.")
@click.option("--group-by", help="Keep items with the same value together: 'group' or an item metadata field.")
@click.option("--group-pattern", help="Regex; its first capture group in the media path is the item's group.")
@click.option("--seed", default="0", show_default=True, help="Any integer or text.")
@click.option(
    "--method",
    type=click.Choice(["balanced", "hash"]),
    default="balanced",
    show_default=True,
    help="balanced: stratified greedy; hash: keyed-hash buckets of group keys (O(n), stable, unbalanced).",
)
@click.option("--lock", "lock_path", type=OutputPath("lockfile"), help="Lockfile: read if it exists, then written.")
@click.option("--keep-existing", is_flag=True, help="Items that already have a split keep it.")
@click.option(
    "--algorithm-version",
    "algorithm_version",
    help="Reproduce a split made by an older algorithm version (default: the current one).",
)
@_write_options("Save the split report as JSON.")
def split_command(
    input: Path,
    output: str | Path,
    ratios: str | None,
    folds: int | None,
    to: str | None,
    from_format: str | None,
    stratify: str,
    group_by: str | None,
    group_pattern: str | None,
    seed: str,
    method: str,
    lock_path: Path | None,
    keep_existing: bool,
    algorithm_version: str | None,
    allow_loss: bool,
    overwrite: bool,
    report_path: Path | None,
    options: tuple[str, ...],
    quiet: bool,
    dry_run: bool,
) -> None:
    """Split INPUT into train/val/test (or folds) without splitting a group; write OUTPUT and a report."""
    from labelkit.formats.base import parse_options
    from labelkit.formats.yolo_media import images_of_read_splits
    from labelkit.split import read_lockfile
    from labelkit.split import split as split_dataset
    from labelkit.split.core import check_options

    if ratios is None and folds is None:
        raise UsageError("give --ratios (e.g. train=0.8,val=0.1,test=0.1) or --folds K")
    # (a bad split name, --stratify or --group-pattern was refused only once the whole input was read)
    how: dict[str, Any] = {
        "folds": folds,
        "stratify": stratify,
        "group_by": group_by,
        "group_pattern": group_pattern,
        "seed": _seed(seed),
        "method": method,
        "keep_existing": keep_existing,
        "version": algorithm_version,
    }
    check_options(ratios, **how)
    given, output = output, Path(output)  # (the text given: ``out.json/`` names a folder, its Path a file)
    api_places.refuse_output_in_input(input, output)
    side_file(report_path, "report", output, input, ("lockfile", lock_path), parse_kv(options))
    side_file(lock_path, "lockfile", output, input, options=parse_kv(options))  # (before the lockfile is read)
    with StatusLine(quiet) as status, no_stale_report(report_path), own_options(), SideFiles() as side:
        source = from_format or formats.detect(input).format
        target = to or source
        kv = parse_kv(options)
        parsed = parse_options(kv, formats.get(source), formats.get(target))
        api_places.refuse_output_over_read_files(output, parsed.read)
        api_places.refuse_taken_output(given, target, overwrite, parsed.write)
        status(f"reading {source}")
        src = api.input_path(input)
        dataset = api.read_for(src, api.reader_of(src, source), formats.get(target), parsed, from_format)
        status("splitting")
        previous = read_lockfile(lock_path) if lock_path is not None else None
        result = split_dataset(dataset, ratios, lock=previous, **how)
        report = result.report
        try:

            def side_files(written: Report) -> None:
                """The report, then the lockfile, before the output is moved into place: failing, they leave none.

                The move failing, the report is removed and the lockfile undone (see SideFiles).
                """
                if lock_path is not None and target in ("voc", "yolo", "coco"):
                    record_written_paths(result.dataset, report, target, parsed.write)
                stage_report(side, {"split": report.to_dict(), "output": written.to_dict()}, report_path)
                if lock_path is not None:
                    side.stage(lock_path, report.lockfile.dumps(), "lockfile")

            with images_of_read_splits(_read_splits(dataset)):  # (for media_root's {split})
                # (as convert writes: the reader's notes in the report, a value the writer refuses named at the input)
                written = api.save_read(
                    result.dataset,
                    dataset,
                    src,
                    source,
                    api.output_path(given, kind=formats.get(target).OUTPUT),
                    formats.get(target),
                    parsed.write,
                    allow_loss,
                    overwrite,
                    status,
                    dry_run,
                    side_files,
                )
            side.keep()  # (the output is in place; the report again, with the notes of moving it there)
            if not dry_run:
                stage_report(side, {"split": report.to_dict(), "output": written.to_dict()}, report_path)
            side.commit()
        except DataLossError as exc:
            if report_path is not None and isinstance(exc.report, Report):
                write_json(report_path, {"split": report.to_dict(), "output": exc.report.to_dict()})
            raise
        if report_path is not None and dry_run:
            write_json(report_path, {"split": report.to_dict(), "output": written.to_dict()})
    if not quiet:
        echo(_shown(f"{input} ({source}) -> {output} ({target}){DRY_RUN if dry_run else ''}"))
        for line in report.lines():
            echo(_shown(line))
        _print_report(written)


def _read_splits(read: Dataset) -> dict[str, str | None]:
    """Item id -> the split it was read from (see ``images_of_read_splits``).

    ``-o media_root=coco/{split}`` names each image's folder by its item's split: an item that split moves from
    train to val has its image in ``coco/train2017`` still, and ``coco/val2017`` holds another image of its name,
    or none.
    """
    items = read.table("items")
    return dict(zip(map(str, items["id"].to_pylist()), items["split"].to_pylist(), strict=True))


def _seed(text: str) -> int | str:
    """``--seed`` as an integer when it is one written plainly (ASCII, no leading zero), else as text (plain_seed).

    Raises:
        UsageError: the text is not UTF-8 (it would hash differently on another machine).
    """
    try:
        text.encode()
    except UnicodeEncodeError:
        raise UsageError("--seed must be UTF-8 text", found=repr(text)) from None
    from labelkit.split.core import plain_seed

    return plain_seed(text)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, ``timeout``, a cancelled CI job) or SIGHUP is an interrupt: the partial output is removed."""
    raise KeyboardInterrupt


def main() -> None:
    """Run the ``labelkit`` command (``python -m labelkit``; the console script runs it from ``_labelkit_entry``)."""
    signal.signal(signal.SIGTERM, _terminated)  # (by default it ended the process, leaving .out.labelkit-tmp-*)
    hangup = getattr(signal, "SIGHUP", None)  # (a closed terminal or ssh session: the same; none on Windows)
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:  # (nohup's ignoring it stands)
        signal.signal(hangup, _terminated)
    # As the interpreter exits, every object is left out of the cyclic collector's work (``gc.freeze``): its
    # collections on the way out took apart the modules' reference cycles one by one (0.1 s with pyarrow,
    # pydantic and the formats loaded), where the system takes the process's memory back whole. (At exit only:
    # a caller running this in its own process, as a notebook may, keeps its collector whole until then.)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        cli(prog_name="labelkit")
    except OSError as exc:  # click's own printing (--help, --version, a usage error) to a stream refusing it
        # (a command's own error under --traceback, not click's printing: it was said to be stdout's)
        if any(shown is exc for shown in _SHOWN):
            raise
        with contextlib.suppress(OSError):  # (a usage error's stderr: nothing can be said, and it exits 2 still)
            click.echo(f"labelkit: error: {stdout_refused(exc).one_line()}", err=True)
        sys.exit(2)
