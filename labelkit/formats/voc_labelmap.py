"""``labelmap.txt``: reading it, its colours, and the lines that name no category.

A labelmap (Datumaro's ``name:r,g,b:parts:actions``) gives the classes their PNG values, colours, parts and
actions; labelkit's ids comment gives them their category ids (:func:`parse_labelmap`).

The lines that name no category are value 0's and the void's, which labelkit adds for Datumaro. Datumaro reads a
class PNG's colours through the labelmap and refuses a colour it does not list: background's black (value 0, on
nearly every image) and the void's (value 255, VOC's ``ignored`` colour), when the labelmap is labelkit's own (a
dataset of other classes than VOC's). The writer adds ``background:0,0,0::`` first and ``ignored:224,224,192::``
last where the class PNGs hold such pixels and no category has the name; labelkit's ids comment gives them no
id, which tells its reader that they are no categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labelkit.errors import InputError
from labelkit.io import read_text
from labelkit.model.annotations import INT64_MAX, INT64_MIN

BACKGROUND = ("background", (0, 0, 0))
"""Value 0's line: the name and colour Datumaro (and VOC) give it."""

IGNORED = ("ignored", (224, 224, 192))
"""The void's line (value 255): the name and colour of VOC's palette entry 255, as Datumaro's VOC labelmap has it."""


def stand_in_line(name: str, color: tuple[int, int, int]) -> str:
    """The labelmap line of :data:`BACKGROUND` or :data:`IGNORED` (no parts, no actions)."""
    return f"{name}:{color[0]},{color[1]},{color[2]}::"


STAND_IN_COMMENT = "# labelkit-stand-in:"
"""Comment naming the one line labelkit added for Datumaro where the lines alone would tell another (see
:func:`stand_in_lines`): ``background`` beside a last class ``ignored`` of the void's colour (without it, the last
line is taken for the one added, as beside a first class ``background`` of black)."""


def stand_in_lines(
    names: list[str],
    colors: list[tuple[int, int, int] | None],
    plain: list[bool],
    ids: int,
    named: str | None = None,
) -> list[int]:
    """The positions of the lines labelkit added for Datumaro, when leaving them out gives one line per id.

    ``plain``: whether each line has no parts and no actions. A first ``background`` line of black and a last
    ``ignored`` line of the void's colour are such lines, as ``ids`` (the number of ids in the comment) says;
    of both, with one id missing, the ``ignored`` line (a dataset with a class named background, read from VOC,
    whose class PNGs have void pixels: the writer adds the background line only where no class has the name).
    """
    found = []
    if names and (names[0], colors[0]) == BACKGROUND and plain[0]:
        found.append(0)
    if len(names) > len(found) and (names[-1], colors[-1]) == IGNORED and plain[-1]:
        found.append(len(names) - 1)
    missing = len(names) - ids
    if missing == 1 and len(found) == 2 and named in (BACKGROUND[0], IGNORED[0]):  # (:data:`STAND_IN_COMMENT`)
        return [found[0] if named == BACKGROUND[0] else found[1]]
    return found[-missing:] if 0 < missing <= len(found) else []


READER_PARTS_COMMENT = "# labelkit-reader-parts:"
"""Comment naming the part names labelkit added to class lines for other readers (no category's own parts).

Datumaro reads an object's ``<part>`` name as a label and refuses one that no class line declares (as a class
or among a line's parts): the writer adds each part name of an object that no line declares to the parts of
its object's class line (as VOC's own labelmap gives ``person`` its ``head,hand,foot``), and names them here,
so labelkit's reader takes them off again and the category reads back with only its own ``voc:parts``.
"""

DEFAULT_PARTS = frozenset({"head", "hand", "foot"})
"""The part names Datumaro's own VOC labelmap declares (on ``person``), used when no ``labelmap.txt`` is written."""


def reader_parts(
    object_parts: list[tuple[int, str]], line_of: dict[int, int], usable: list[bool], declared: set[str]
) -> dict[int, list[str]]:
    """Per labelmap line, the part names to add to it for readers: those of objects that no line declares.

    ``object_parts``: (category id, part name as it reads back) of each object's parts, in object order;
    ``line_of``: category id -> its line; ``usable``: whether a line can hold parts (not a ``#`` comment line);
    ``declared``: the class names and the lines' own parts. Each name goes on the line of the first object
    holding it, or on the first usable line when that one is not usable.
    """
    added: dict[int, list[str]] = {}
    first = usable.index(True) if True in usable else None
    seen = set(declared)
    for cid, name in object_parts:
        if name in seen:
            continue
        line = line_of.get(cid)
        line = line if line is not None and usable[line] else first
        if line is None:
            break
        seen.add(name)
        added.setdefault(line, []).append(name)
    return added


def own_color(name: str, value: int, palette: list[tuple[int, int, int]]) -> tuple[int, int, int] | None:
    """VOC's colour for a class of this name and class PNG value: ``background``'s black wherever its line is.

    Else the palette's entry for the value (None past it). A ``background`` class that is not first in
    ``labelmap.txt`` (its value not 0) is written black too: value 0 then has no line of its own, and Datumaro,
    reading class PNGs through the labelmap's colours, takes black for the class of that colour.
    """
    if name == BACKGROUND[0]:
        return BACKGROUND[1]
    return palette[value] if value < len(palette) else None


def is_own_color(name: str, color: tuple[int, int, int], value: int, palette: list[tuple[int, int, int]]) -> bool:
    """Whether a labelmap line's colour is VOC's for its class (read back as no colour of the category's).

    The palette's entry for the value, or, for ``background``, black too (see :func:`own_color`).
    """
    return color == own_color(name, value, palette) or (value < len(palette) and color == palette[value])


IDS_COMMENT = "# labelkit-category-ids:"
"""Comment in ``labelmap.txt`` that carries the model's category ids (other tools skip comment lines)."""


def hex_color(rgb: tuple[int, int, int]) -> str:
    """``(r, g, b)`` as ``#rrggbb``."""
    return f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}"


def parse_color(text: str | None) -> tuple[int, int, int] | None:
    """``#rrggbb`` (or ``r,g,b``) as a tuple, or None."""
    if not text:
        return None
    if text.startswith("#") and len(text) == 7:
        digits = text[1:]
        if not all(c in "0123456789abcdefABCDEF" for c in digits):
            return None
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    parts = text.split(",")
    if len(parts) == 3 and all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        values = [p.strip().lstrip("0") or "0" for p in parts]
        if max(len(v) for v in values) > 3:  # above 255 (and int() refuses more than 4,300 digits)
            return None
        r, g, b = (int(v) for v in values)
        return (r, g, b) if max(r, g, b) <= 255 else None
    return None


def class_line(line: str) -> bool:
    """Whether a ``#`` line of ``labelmap.txt`` is the line of a class named ``#...`` (a comment to a reader).

    labelkit's comments hold ids, part names or a stand-in's name after their first ``:`` (part names never hold
    one: ``voc_write.labelmap_name_ok``); a class line, ``name:r,g,b:parts:actions``, holds three more. A class named
    ``# labelkit-category-ids: 7`` was read as the ids comment (after the real one, which it replaced), and its
    output could not be read back; one named ``# labelkit-reader-parts: wheel,`` took ``wheel`` off another
    class's parts.
    """
    return line.startswith("#") and ":" in line.partition(":")[2]


@dataclass
class Labelmap:
    """Class names in PNG-index order, with colours, parts and actions, and the model's category ids."""

    names: list[str]
    colors: list[tuple[int, int, int] | None]
    parts: list[list[str]]
    actions: list[list[str]]
    ids: list[int]


def parse_labelmap(data: bytes, path: Path) -> Labelmap:
    """Read ``labelmap.txt``: ``name:r,g,b:parts:actions`` lines; ``#`` lines are comments.

    A ``# labelkit-category-ids:`` comment (see :data:`IDS_COMMENT`) gives the categories their ids, one per class
    line in order; a first ``background:0,0,0::`` and a last ``ignored:224,224,192::`` line given none (labelkit
    writes them for Datumaro: see :func:`stand_in_lines`) are no classes, and the part names a
    ``# labelkit-reader-parts:`` comment names (added for Datumaro too) are no class's parts. A ``#`` line holding
    ``:`` past its first (``# labelkit-category-ids: 7:0,128,0::``) is a class line of a name starting with ``#``
    (see :func:`class_line`), none of labelkit's comments, whose text after the first ``:`` never holds one.

    Raises:
        InputError: a line without the colon fields or with a bad colour; a class listed twice (its second line);
            an ids comment that is not one distinct 64-bit integer per class (its line).
    """
    names: list[str] = []
    colors: list[tuple[int, int, int] | None] = []
    parts: list[list[str]] = []
    actions: list[list[str]] = []
    ids: list[int] | None = None
    ids_line = 0
    lines: dict[str, int] = {}  # class name -> its line
    added: set[str] = set()
    stand_in: str | None = None
    for number, raw in enumerate(read_text(path, data).splitlines(), 1):
        line = raw.strip()
        if class_line(line):  # (a class named '#...': a comment, none of labelkit's)
            continue
        if line.startswith(IDS_COMMENT):
            ids_line = number
            try:
                ids = [int(v) for v in line[len(IDS_COMMENT) :].split(",") if v.strip()]
            except ValueError:
                found = repr(line[len(IDS_COMMENT) :].strip())
                raise InputError(
                    "bad category ids comment", path=path, line=number, expected="integers joined by ','", found=found
                ) from None
            if any(not INT64_MIN <= i <= INT64_MAX for i in ids) or len(set(ids)) != len(ids):
                raise InputError(
                    "bad category ids comment", path=path, line=number, expected="distinct integers of 64 bits"
                )
            continue
        if line.startswith(STAND_IN_COMMENT):  # (which line labelkit added, where the lines cannot tell)
            stand_in = line[len(STAND_IN_COMMENT) :].strip()
            continue
        if line.startswith(READER_PARTS_COMMENT):  # (parts labelkit added to class lines for Datumaro)
            added.update(p.strip() for p in line[len(READER_PARTS_COMMENT) :].split(","))
            continue
        if not line or line.startswith("#"):
            continue
        fields = line.rsplit(":", 3)  # a name may hold ':' (the other three fields never do)
        if len(fields) != 4:
            raise InputError("labelmap line needs name:color:parts:actions", path=path, line=number, found=repr(line))
        # (stripped, as XML names are: 'cat :64,0,0::' is the class <name>cat</name> names; and parts and
        # actions as Datumaro reads them, 'head, hand')
        name, color_text, part_text, action_text = (f.strip() for f in fields)
        if name in lines:  # one class when XML names it: which of the two would its objects be?
            raise InputError(
                f"class listed twice (first at line {lines[name]})", path=path, line=number, found=repr(name)
            )
        lines[name] = number
        color = parse_color(color_text) if color_text else None
        if color_text and color is None:
            raise InputError("bad colour", path=path, line=number, expected="r,g,b", found=repr(color_text))
        names.append(name)
        colors.append(color)
        parts.append([p for p in map(str.strip, part_text.split(",")) if p])
        actions.append([a for a in map(str.strip, action_text.split(",")) if a])
    if added:
        parts = [[p for p in ps if p not in added] for ps in parts]
    if ids is not None and len(ids) < len(names):  # (the lines labelkit writes for Datumaro, of no id: no class)
        plain = [not p and not a for p, a in zip(parts, actions, strict=True)]
        for i in reversed(stand_in_lines(names, colors, plain, len(ids), stand_in)):
            del names[i], colors[i], parts[i], actions[i]
    if ids is not None and len(ids) != len(names):
        raise InputError(
            "bad category ids comment",
            path=path,
            line=ids_line,
            expected=f"one id per class ({len(names):,})",
            found=f"{len(ids):,} ids",
        )
    return Labelmap(names, colors, parts, actions, ids if ids is not None else list(range(len(names))))
