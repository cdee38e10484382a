"""Fields no COCO struct has (a ``track_id``, a tool's own), given raw fields of their own in a struct made for them.

msgspec decodes into structs that refuse unknown fields, naming the first it meets; the reader
(:mod:`.coco_read`) and the fast schema check (:mod:`.coco_schema_fast`) each add that name as a raw field
(:func:`widened`) and decode again, so a file of a few such fields is still decoded in one call. The structs
hold them as ``_unknown_<i>`` (:data:`UNKNOWN_PREFIX`), renamed to the file's name.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, TypeVar

import msgspec

from labelkit.model.annotations import INT64_MAX, INT64_MIN

Int64 = Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)]
"""An integer of a column (ids): JSON allows any size, Arrow and numpy hold 64 bits."""
Count = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)]
"""A size or run length: as an id, and never negative."""
ABSENT = msgspec.Raw()
"""The default of every raw field, one shared object: a field absent from a value holds exactly this one."""
UNKNOWN_FIELDS = 16
"""How many fields of no struct a list's records get raw fields for (a name found costs a decode up to where it
is met); a list of more takes the slower way of each caller."""
UNKNOWN_PREFIX = "_unknown_"
"""The struct attribute of the i-th unknown field is ``_unknown_<i>``."""

_UNNAMEABLE = re.compile(r'[\x00-\x1f"\\]')
_MESSAGE = "Object contains unknown field `(.*)` - at `\\${}\\[([0-9]+)\\]`"

S = TypeVar("S", bound=msgspec.Struct)


def unknown_field(exc: msgspec.ValidationError, at: str = "") -> tuple[str, int] | None:
    """The unknown field msgspec's ``exc`` names, and its record's index; None for another error.

    ``at``: where the records' list is (``""``: the decoded list itself; ``".annotations"``: a document's).

    >>> message = "Object contains unknown field `a` - at `$.annotations[3]`"
    >>> unknown_field(msgspec.ValidationError(message), ".annotations"), unknown_field(msgspec.ValidationError(message))
    (('a', 3), None)
    """
    found = re.fullmatch(_MESSAGE.format(re.escape(at)), str(exc), re.DOTALL)
    return (found.group(1), int(found.group(2))) if found else None


def may_name(name: str, names: tuple[str, ...]) -> bool:
    """Whether structs may get a field for ``name`` beside ``names``.

    Not one too many, nor one the message does not spell (a name already there), nor one msgspec cannot rename
    to (a quote, backslash or control character).
    """
    return len(names) < UNKNOWN_FIELDS and name not in names and not _UNNAMEABLE.search(name)


@functools.lru_cache(maxsize=64)
def widened(base: type[S], names: tuple[str, ...]) -> type[S]:
    """``base`` with a raw field ``_unknown_<i>`` for each of ``names``, renamed to it (``base`` itself for none).

    It keeps ``base``'s configuration (unknown fields refused, no garbage-collector tracking where ``base`` has
    none), and its fields come first.
    """
    if not names:
        return base
    fields = [(f"{UNKNOWN_PREFIX}{i}", msgspec.Raw, ABSENT) for i in range(len(names))]
    rename = {f"{UNKNOWN_PREFIX}{i}": name for i, name in enumerate(names)}
    wider: Any = msgspec.defstruct(f"Wider{base.__name__}", fields, bases=(base,), rename=rename)
    return wider  # type: ignore[no-any-return]
