"""The lines of ``labelmap.txt`` that name no category: value 0's and the void's, which labelkit adds for Datumaro.

Datumaro reads a class PNG's colours through the labelmap and refuses a colour it does not list: background's
black (value 0, on nearly every image) and the void's (value 255, VOC's ``ignored`` colour), when the labelmap
is labelkit's own (a dataset of other classes than VOC's). The writer adds ``background:0,0,0::`` first and
``ignored:224,224,192::`` last where the class PNGs hold such pixels and no category has the name; labelkit's ids
comment gives them no id, which tells its reader that they are no categories.
"""

from __future__ import annotations

BACKGROUND = ("background", (0, 0, 0))
"""Value 0's line: the name and colour Datumaro (and VOC) give it."""

IGNORED = ("ignored", (224, 224, 192))
"""The void's line (value 255): the name and colour of VOC's palette entry 255, as Datumaro's VOC labelmap has it."""


def stand_in_line(name: str, color: tuple[int, int, int]) -> str:
    """The labelmap line of :data:`BACKGROUND` or :data:`IGNORED` (no parts, no actions)."""
    return f"{name}:{color[0]},{color[1]},{color[2]}::"


def stand_in_lines(
    names: list[str], colors: list[tuple[int, int, int] | None], plain: list[bool], ids: int
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
