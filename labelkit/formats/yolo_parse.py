"""YOLO label text: each file's lines parsed into class ids, counts and coordinates, and the checks on them.

Files are parsed a batch at a time by Arrow's string kernels (:func:`parse_many`) where they hold only plain
numbers, else one at a time (:func:`parse_file`), which takes every spelling Python's ``float()`` takes and
names the line of what is wrong. Used by :mod:`labelkit.formats.yolo`.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.formats.yolo_layout import Layout, rel_path
from labelkit.io import read_text, without_bom
from labelkit.json_checks import line_and_column
from labelkit.model.annotations import INT64_MAX
from labelkit.model.tables import dumps


@dataclass
class Parsed:
    """The objects of every label file read, a column each: class, coordinate count, file (entry) and line."""

    classes: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    values: array[float] = field(default_factory=lambda: array("d"))
    """Every coordinate, as float64 (a Python float object each would be 4 times the memory)."""
    entry: list[int] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    extras: list[str | None] = field(default_factory=list)
    spelled: int = 0
    """Lines whose class id is an integer written otherwise than in digits (``1.0``, ``1e0``), each read as it."""
    first_spelled: tuple[int, int, str] | None = None
    """The first of them: its file (entry), line and class id as written."""
    headers: int = 0
    """DOTA header lines (``imagesource:GoogleEarth``, ``gsd:0.146``), which are not read."""
    first_header: tuple[int, int, str] | None = None
    """The first of them: its file (entry), line and text."""
    dota_index: dict[str, int] = field(default_factory=dict)
    """Each DOTA class name's index in the names list (its first), for the names indexed so far."""
    dota_indexed: int = 0
    """How many of the names list's names ``dota_index`` has seen (the list grows as files name new classes)."""


_INT64_DIGITS = len(str(INT64_MAX))


def plain_lines(data: bytes) -> bytes:
    r"""A label file's bytes without a UTF-8 byte-order mark, every line ended by ``\n`` alone.

    Windows Notepad starts UTF-8 files with a byte-order mark (``\ufeff0`` was refused as a class id).
    Classic Mac OS tools end lines with a CR alone, which Ultralytics (``str.splitlines``) and Darknet
    (``fscanf``) read as line breaks; taken for spaces, ``0 .5 .5 .1 .1\r1 .5 .5 .2 .2\r`` was one line
    of 10 fields, and three such lines one polygon of 7 points. A CR inside a line is a line break too.

    Examples:
        >>> plain_lines(b"\xef\xbb\xbf0 .5 .5 .1 .1\r1 .5 .5 .2 .2\r\n2 .5 .5 .3 .3\r")
        b'0 .5 .5 .1 .1\n1 .5 .5 .2 .2\n2 .5 .5 .3 .3\n'
    """
    data = without_bom(data)
    if b"\r" in data:  # (CRLF too: one line break, as before)
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def parse_file(data: bytes, path: str | Path, index: int, out: Parsed, n_classes: int) -> None:
    r"""Parse one label file: per line a split and a count (so errors keep their line); numbers in bulk.

    Lines end at ``\n``, ``\r\n`` or ``\r``, and a UTF-8 byte-order mark is dropped (see :func:`plain_lines`);
    they end where ``str.splitlines`` ends them, as Ultralytics reads them: also at a vertical tab, a form feed,
    U+001C to U+001E, U+0085, U+2028 and U+2029 (which :func:`parse_many` declines). Taken for spaces, three
    box lines parted so were one polygon; Darknet's ``fscanf`` takes the first two for spaces, so it too
    reads three boxes.
    """
    data = plain_lines(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = line_and_column(data, exc.start)
        raise InputError(
            f"label file is not UTF-8 text: bad byte 0x{data[exc.start]:02x} at column {column}", path=path, line=line
        ) from exc
    heads: list[str] = []
    counts: list[int] = []
    tokens: list[str] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), 1):
        parts = raw.split()
        if parts:
            heads.append(parts[0])
            counts.append(len(parts) - 1)
            tokens += parts[1:]
            lines.append(number)
    if not heads:
        return
    classes, spelled = _class_ids(heads, path, lines, n_classes)
    try:
        values = array("d", map(float, tokens))
    except ValueError:
        bad = next(i for i, v in enumerate(tokens) if not _is_number(v))
        row, field = _place_of(bad, counts)
        error = NotANumber("coordinate is not a number", path=path, line=lines[row], found=repr(tokens[bad]))
        error.field = field
        raise error from None
    out.classes += classes
    out.counts += counts
    out.values += values
    out.entry += [index] * len(heads)
    out.line += lines
    if spelled and out.first_spelled is None:
        out.first_spelled = (index, lines[spelled[0]], heads[spelled[0]])
    out.spelled += len(spelled)


def _class_ids(heads: list[str], path: str | Path, lines: list[int], n_classes: int) -> tuple[list[int], list[int]]:
    """The class ids of a file's lines (``heads``), and the indexes of those not written in digits.

    Ultralytics reads a label line as float32 numbers and takes the class as an integer, so tools that write
    ``1.0`` (a pandas column of floats) train: a class id whose value is a non-negative integer, however
    written (``1.0``, ``1.``, ``1e0``, ``+1``), is that integer.

    Raises:
        InputError: naming the line of the first class id that is not a non-negative integer (``1.5``,
            ``-1``, ``nan``), else of the first beyond 64 bits or beyond ``n_classes``.
    """
    classes: list[int] = []
    widths: list[int] = []  # digits of each class id's value
    spelled: list[int] = []
    for i, head in enumerate(heads):
        if head.isascii() and head.isdigit():  # ('²' is a digit to isdigit(), not to int())
            digits = head.lstrip("0") or "0"  # (int() refuses over 4,300 digits, leading zeros included)
            width = len(digits)
            classes.append(int(digits) if width <= _INT64_DIGITS else -1)
        else:
            number = _integral(head)
            if number is None:
                raise InputError("class id must be a non-negative integer", path=path, line=lines[i], found=repr(head))
            spelled.append(i)
            width = number.adjusted() + 1 if number else 1
            classes.append(int(number) if width <= _INT64_DIGITS else -1)
        widths.append(width)
    if not classes:
        return classes, spelled
    if min(classes) < 0 or max(classes) > INT64_MAX:  # what the model's int64 column cannot hold, nor Arrow's cast
        i = next(i for i, c in enumerate(classes) if c < 0 or c > INT64_MAX)
        where = f"beyond names ({n_classes} classes)" if n_classes else "beyond 64 bits"
        raise InputError(f"class id of {widths[i]:,} digits is {where}", path=path, line=lines[i])
    if n_classes and max(classes) >= n_classes:
        i = next(i for i, c in enumerate(classes) if c >= n_classes)
        raise InputError(
            f"class id {classes[i]} is beyond names ({n_classes} classes)",
            path=path,
            line=lines[i],
            expected=f"< {n_classes}",
        )
    return classes, spelled


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number in ASCII decimal notation (not ``float()``'s ``1_0``, ``inf``, ``nan`` or other scripts' digits).

Each digit has one place in it: ``[0-9]+\\.?[0-9]*`` split a run of digits two ways, and backtracked over
every split of a long one followed by a letter (20,000 digits took 13 seconds, the time growing as its square).
"""


def _integral(text: str) -> Decimal | None:
    """The value of ``text`` when it is a non-negative integer in decimal notation (``1.0``, ``1e0``, ``-0``).

    Exact: ``1.0000000000000001``, which float64 and float32 round to 1, is not an integer.

    Examples:
        >>> _integral("1.0"), _integral("2."), _integral("1e1"), _integral("-0.0"), _integral("1.5"), _integral("-1")
        (Decimal('1.0'), Decimal('2'), Decimal('1E+1'), Decimal('-0.0'), None, None)
    """
    if _DECIMAL.fullmatch(text) is None:
        return None
    number = Decimal(text)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # (not 'n' or 'F': those spellings do not match)
    if sign and any(digits) or exponent < 0 and any(digits[exponent:]):
        return None
    return number


_NUMBER_TEXT = b"0123456789.eE+- \t\n"
"""The bytes of label files :func:`parse_many` takes, once :func:`plain_lines`: numbers, spaces, tabs, line breaks."""
PARSE_BATCH = 8 << 20
"""Bytes of label files parsed at a time by :func:`parse_many` (its temporaries stay a few times this)."""


def parse_many(datas: list[bytes], indexes: list[int], out: Parsed, n_classes: int) -> bool:
    r"""Parse many label files at once with Arrow's string kernels; False (and nothing added) to decline.

    The result is what :func:`parse_file` makes of each file in turn, for the files this takes: only the
    bytes of :data:`_NUMBER_TEXT` once :func:`plain_lines` (so ASCII, whose whitespace within a line is spaces
    and tabs; line breaks ``\n``, ``\r\n`` or ``\r``; a byte-order mark dropped), class ids of ASCII digits
    (``1``, or with ``.`` and zeros after them: ``1.0``, ``1.``) within ``n_classes``, and numbers Arrow reads.
    Arrow and Python's ``float()`` round the same way (both correctly); ``float()`` takes more spellings
    (``1_0``, ``inf``), so a file with any of them (or a class id such as ``1e0``), or with anything wrong,
    declines the batch, and :func:`parse_file` reads it and names the line.
    """
    datas = [plain_lines(d) for d in datas]  # (each alone: a file ending in CR keeps its last line's number)
    big = b"\n".join(datas)
    if big.translate(None, _NUMBER_TEXT):
        return False
    # the joined bytes are ASCII (above): one Arrow string over them, not copied into a Python str and back
    text = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(big)], np.int64)), pa.py_buffer(big))
    lines = pc.ascii_trim_whitespace(pc.split_pattern(text, "\n").flatten())
    used = np.flatnonzero(pc.binary_length(lines).to_numpy(zero_copy_only=False) > 0)
    if not len(used):
        return True
    parts = pc.ascii_split_whitespace(lines.take(pa.array(used)))
    heads = pc.list_element(parts, 0)
    digits = pc.match_substring_regex(heads, "^[0-9]+$")
    spelled = np.flatnonzero(~digits.to_numpy(zero_copy_only=False))
    if len(spelled):  # class ids such as 1.0 or 2. (a pandas column of floats); 1e0 and the like decline
        if not pc.all(pc.match_substring_regex(heads.take(pa.array(spelled)), "^[0-9]+[.]0*$")).as_py():
            return False
        heads = pc.replace_substring_regex(heads, "[.]0*$", "")
    try:
        classes = pc.cast(heads, pa.int64()).to_numpy(zero_copy_only=False)
        numbers = pc.cast(pc.list_flatten(parts), pa.float64()).to_numpy(zero_copy_only=False)  # heads too
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a class id beyond 64 bits, or a number Arrow refuses
        return False
    if n_classes and classes.max() >= n_classes:
        return False
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    coordinate = np.ones(len(numbers), dtype=bool)
    coordinate[np.cumsum(lengths) - lengths] = False  # each line's first token is its class id
    first_line = np.cumsum([0] + [d.count(b"\n") + 1 for d in datas])  # of each file, in the joined text
    file_of = np.searchsorted(first_line, used, side="right") - 1
    out.classes += classes.tolist()
    out.counts += (lengths - 1).tolist()
    out.values.frombytes(numbers[coordinate].tobytes())
    out.entry += np.asarray(indexes, dtype=np.int64)[file_of].tolist()
    out.line += (used - first_line[file_of] + 1).tolist()
    if len(spelled) and out.first_spelled is None:
        first = int(spelled[0])
        line = int(used[first] - first_line[file_of[first]] + 1)
        out.first_spelled = (indexes[file_of[first]], line, parts[first][0].as_py())
    out.spelled += len(spelled)
    return True


MAX_COORDINATE = 1e9
"""The largest absolute coordinate read (normalised, or DOTA's pixels): scaled by an image side, it stays finite."""


_CHECK_BLOCK = 1 << 20
"""Coordinates checked at a time by :func:`check_finite`: fresh memory for whole-column temporaries cost more
than the arithmetic (on these VMs, 1.4 s for a YOLO segment set's 19 M coordinates, against 0.02 s in blocks)."""


class NotANumber(InputError):
    """A line's number that is not one: ``field`` is its place among the line's numbers (0: after the class)."""

    field: int = 0


def named_field(error: InputError, flags: bool) -> InputError:
    """``error``, said of a keypoint's visibility flag where it is one (``flags``: see :func:`finite_error`).

    Parsing, which does not know the task, calls every number a coordinate.
    """
    if not flags or not isinstance(error, NotANumber) or error.field < 4 or (error.field - 4) % 3 != 2:
        return error
    where = error.location
    return InputError("keypoint visibility flag is not a number", path=where.path, line=where.line, found=error.found)


RowError = tuple[int, InputError]
"""A problem of a parsed line: its row in :class:`Parsed` (rows are in file and line order), and its error."""


def finite_error(parsed: Parsed, files: list[str], flags: bool = False) -> RowError | None:
    """``nan``, ``inf`` and numbers like ``1e300`` parse as floats: the first line holding one, and its error.

    ``flags``: the lines are pose lines with a visibility column (``kpt_shape: [K, 3]``), whose every third number
    after the box is a keypoint's visibility flag, named so in the error rather than called a coordinate.
    """
    values = np.asarray(parsed.values, dtype=np.float64)  # (a view of the array: no copy)
    at = None
    for start in range(0, len(values), _CHECK_BLOCK):  # temporaries of a block, not of all 19 M coordinates
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~(np.abs(values[start : start + _CHECK_BLOCK]) <= MAX_COORDINATE))  # NaN: False
        if len(bad):
            at = start + int(bad[0])
            break
    if at is not None:
        offsets = np.cumsum(np.asarray(parsed.counts, dtype=np.int64))
        obj = int(np.searchsorted(offsets, at, side="right"))
        finite = bool(np.isfinite(values[at]))
        in_row = at - int(offsets[obj]) + int(parsed.counts[obj])
        what = "keypoint visibility flag" if flags and in_row >= 4 and (in_row - 4) % 3 == 2 else "coordinate"
        message = f"{what} is beyond ±{MAX_COORDINATE:g}" if finite else f"{what} is not finite"
        return obj, InputError(message, path=files[parsed.entry[obj]], line=parsed.line[obj])
    return None


def box_error(task: str, parsed: Parsed, files: list[str]) -> RowError | None:
    """The first box line (``class cx cy w h``, pose's box, segment's 5-field lines) of negative width or height.

    Such a box has no area, and written to COCO or VOC it would be refused when read back; Ultralytics refuses
    negative label values too.
    """
    if task not in ("detect", "pose", "segment") or not parsed.counts:
        return None
    counts = np.asarray(parsed.counts, dtype=np.int64)
    # (a line of fewer than 4 numbers holds no box: its field count is refused, which comes first on a line)
    lines = np.flatnonzero(counts == 4) if task == "segment" else np.flatnonzero(counts >= 4)
    starts = (np.cumsum(counts) - counts)[lines]
    values = np.asarray(parsed.values, dtype=np.float64)
    bad = np.flatnonzero((values[starts + 2] < 0) | (values[starts + 3] < 0))
    if len(bad):
        obj = int(lines[bad[0]])
        w, h = values[int(starts[bad[0]]) + 2], values[int(starts[bad[0]]) + 3]
        return obj, InputError(
            "box has a negative width or height",
            path=files[parsed.entry[obj]],
            line=parsed.line[obj],
            found=f"{w:g} {h:g}",
        )
    return None


def _place_of(token: int, counts: list[int]) -> tuple[int, int]:
    """Where the ``token``-th number of a file is: its line's index (among lines with fields), its place there.

    Its place: 0 is the first number after the class.
    """
    for row, count in enumerate(counts):
        if token < count:
            return row, token
        token -= count
    return len(counts) - 1, token


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_dota(data: bytes, path: str | Path, index: int, out: Parsed, names: list[str], given: int = 0) -> None:
    """Parse one DOTA file (``x1 y1 ... x4 y4 class [difficult]`` in pixels); new class names join ``names``.

    ``given``: how many of ``names`` a config's names list gave (``data.yaml``'s, as a Roboflow "YOLO OBB" export
    has): with one, a name it lacks is an error at its line (a misspelt ``palne`` became a class of its own), as
    a YOLO line's class id beyond it is. (A names file's, ``classes.txt``, is taken as a start: names new in the
    files join after its.)

    Raises:
        InputError: a bad line, or a class name the given names lack (naming its line).
    """
    text = read_text(path, plain_lines(data))
    known = out.dota_index  # (a dict: a list's search per line was quadratic, minutes for thousands of classes)
    for i in range(out.dota_indexed, len(names)):
        known.setdefault(names[i], i)
    out.dota_indexed = len(names)
    for number, raw in enumerate(text.splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        if ":" in parts[0]:  # DOTA's headers (imagesource:..., gsd:...): counted, for a read note
            if out.first_header is None:
                out.first_header = (index, number, raw.strip()[:80])
            out.headers += 1
            continue
        if len(parts) not in (9, 10):
            raise InputError(
                "DOTA line needs 8 coordinates, a class name and optionally difficult",
                path=path,
                line=number,
                found=f"{len(parts)} fields",
            )
        try:
            values = [float(v) for v in parts[:8]]
        except ValueError:
            raise InputError("coordinate is not a number", path=path, line=number) from None
        difficult = _difficult(parts[9], path, number) if len(parts) == 10 else None
        if (cls := known.get(parts[8])) is None:
            if given:
                raise InputError(
                    f"class {parts[8]!r} is not among the {given} names the dataset gives",
                    path=path,
                    line=number,
                    hint="add it to the names (data.yaml's names), or correct the line",
                )
            cls = known[parts[8]] = len(names)
            names.append(parts[8])
            out.dota_indexed += 1
        out.classes.append(cls)
        out.counts.append(8)
        out.values.extend(values)
        out.entry.append(index)
        out.line.append(number)
        out.extras.append(dumps({"dota:difficult": difficult}) if difficult is not None else None)


def dota_header_note(parsed: Parsed, files: list[str], root: Path) -> str | None:
    """The read note on the DOTA header lines passed over (a ground sample distance is not kept), if any."""
    if parsed.first_header is None:
        return None
    at, line, text = parsed.first_header
    count = "1 DOTA header line" if parsed.headers == 1 else f"{parsed.headers:,} DOTA header lines"
    first = "" if parsed.headers == 1 else " first"
    return (
        f"{count} (imagesource:, gsd:) not read ({text!r} at {rel_path(files[at], root)}:{line}{first}): "
        "labelkit keeps a labelTxt file's objects only"
    )


def duplicate_note(parsed: Parsed, files: list[str], root: Path) -> str | None:
    """The read note on label lines that repeat an earlier line of their file (the same class, numbers and flags).

    Such a line is legal and read as an object of its own, but is most often a converter's rerun that appended
    to the file: counted, naming the first. Lines are matched by a hash of their file, class, count and first
    numbers (as read: ``0.50`` is ``0.5``), then lines of one hash by all their numbers, so that no collision is
    counted.
    """
    n = len(parsed.classes)
    if n < 2:
        return None
    counts = np.asarray(parsed.counts, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    values = np.frombuffer(parsed.values, dtype=np.float64)
    if not len(values):  # (lines of a class id alone: refused after)
        return None
    entry, classes = np.asarray(parsed.entry, dtype=np.int64), np.asarray(parsed.classes, dtype=np.int64)
    hashes = np.zeros(n, dtype=np.uint64)  # (of a line's file, class, count and first 4 numbers: candidates)
    with np.errstate(over="ignore"):
        for j in range(4):
            number = (values[np.minimum(offsets[:-1] + j, len(values) - 1)] + 0.0).view(np.uint64)  # (-0.0 is 0.0)
            hashes = (hashes ^ np.where(counts > j, number, np.uint64(0))) * np.uint64(0xBF58476D1CE4E5B9)
        for column, factor in (
            (entry, 0x94D049BB133111EB),
            (classes, 0x2545F4914F6CDD1D),
            (counts, 0x9E3779B97F4A7C15),
        ):
            hashes = (hashes ^ column.astype(np.uint64)) * np.uint64(factor)
    ordered = np.sort(hashes)
    if not (ordered[1:] == ordered[:-1]).any():  # (the usual case: no two lines alike)
        return None
    order = np.argsort(hashes, kind="stable")  # (stable: a group's lines stay in their files' order)
    hashes = hashes[order]
    starts = np.flatnonzero(np.concatenate([[True], hashes[1:] != hashes[:-1]]))
    sizes = np.diff(np.append(starts, n))
    extras = parsed.extras or [None] * n
    repeats: list[tuple[int, int]] = []  # (a repeating line's index, the first line it repeats)
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        seen: dict[tuple[int, int, bytes, str | None], int] = {}
        for row in order[start : start + size].tolist():
            numbers = (values[offsets[row] : offsets[row + 1]] + 0.0).tobytes()
            alike = seen.setdefault((int(entry[row]), int(classes[row]), numbers, extras[row]), row)
            if alike != row:
                repeats.append((row, alike))
    if not repeats:
        return None
    later, earlier = min(repeats)
    one = len(repeats) == 1
    count = (
        "1 label line repeats an earlier line of its"
        if one
        else f"{len(repeats):,} label lines repeat an earlier line of their"
    )
    first = "" if one else " first"
    return (
        f"{count} file ({rel_path(files[parsed.entry[later]], root)}:{parsed.line[later]}, "
        f"as line {parsed.line[earlier]}{first}): each is read as an object of its own, and written back"
    )


_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def _difficult(text: str, path: str | Path, line: int) -> int:
    """A DOTA line's difficult flag (0 or 1 in DOTA's files; any whole number is kept): one the extras' JSON can hold.

    Raises:
        InputError: naming the line, when the flag is not an integer (``1.0``) or lies beyond 64 bits.
    """
    # ASCII digits only, with one optional sign: int() also takes '1_0' (10), Arabic-Indic digits ('١') and
    # refuses '²', which str.isdigit() calls a digit
    if _ASCII_INTEGER.fullmatch(text) is None:
        raise InputError(
            "DOTA difficult flag is not an integer", path=path, line=line, expected="a whole number", found=text
        )
    # beyond 64 bits (more than 19 digits are: and int() refuses more than 4,300)
    if len(text.lstrip("+-").lstrip("0")) > 19 or not -(2**63) <= int(text) < 2**63:
        raise InputError(
            "DOTA difficult flag is out of range",
            path=path,
            line=line,
            expected="a whole number of 64 bits",
            found=text,
        )
    return int(text)


def decide_task(task: str, layout: Layout, parsed: Parsed) -> str:
    """The task read: the one asked for, else what ``kpt_shape``, ``task: segment|obb`` or the lines' fields say."""
    if layout.dota:  # DOTA lines are 4 corners and a class name, whatever data.yaml says
        if task not in ("auto", "obb"):
            raise InputError(f"DOTA label files hold rotated boxes: task {task} cannot read them", path=layout.root)
        return "obb"
    if task != "auto":
        return task
    if layout.kpt_shape is not None:
        return "pose"
    if layout.config.get("task") in ("segment", "obb"):  # (as labelkit writes them: 4-point polygons would read as
        return str(layout.config["task"])  # OBB, and files of no lines as detect)
    counts = set(parsed.counts)
    if not counts or counts == {4}:
        return "detect"
    if counts == {8}:
        return "obb"
    return "segment"


def count_error(task: str, layout: Layout, parsed: Parsed, files: list[str]) -> RowError | None:
    """The first line whose field count the task cannot read, and its error naming the file and line."""
    counts = np.asarray(parsed.counts, dtype=np.int64)
    if task == "detect":
        bad = counts != 4
        expected = "5 fields: class cx cy w h"
    elif task == "obb":
        bad = counts != 8
        expected = "9 fields: class x1 y1 x2 y2 x3 y3 x4 y4"
    elif task == "pose":
        k, dims = layout.kpt_shape or (0, 3)
        bad = counts != 4 + k * dims
        expected = f"{5 + k * dims} fields: class cx cy w h and {k} keypoints of {dims} values (kpt_shape)"
    else:
        bad = ~((counts == 4) | ((counts >= 6) & (counts % 2 == 0)))
        expected = "class then at least 3 x y points (or a 5-field box)"
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return i, InputError(
            f"wrong number of fields for YOLO {task}",
            path=files[parsed.entry[i]],
            line=parsed.line[i],
            expected=expected,
            found=f"{counts[i] + 1} fields",
        )
    return None
