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
