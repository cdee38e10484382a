"""The labelkit error tree: every error carries where it happened and what was expected.

The CLI turns any :class:`LabelkitError` into one line (``labelkit: error: <where>: <message>``) and
an exit code; the library never prints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from labelkit.report import Finding, Report


@dataclass(frozen=True)
class Location:
    """Where in an input a problem is: a file and a line, a JSON pointer, an XML element path or a pixel."""

    path: str | None = None
    line: int | None = None
    pointer: str | None = None
    element: str | None = None
    pixel: tuple[int, int] | None = None  # (x, y) in an image, 0-based from its top left corner

    def __str__(self) -> str:
        text = self.path or ""
        if self.line is not None:
            text += f":{self.line}"
        if self.pointer is not None:
            text += f"#{self.pointer}"
        if self.element is not None:
            text += f" <{self.element}>"
        if self.pixel is not None:
            text += f" pixel (x={self.pixel[0]}, y={self.pixel[1]})"
        return text


def json_pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from keys and indexes.

    Examples:
        >>> json_pointer("annotations", 12, "bbox")
        '/annotations/12/bbox'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def shown(value: object) -> str:
    """A value an error found: JSON's ``null``, ``true`` or ``false`` (Python's words are not the file's), or repr.

    Examples:
        >>> shown(None), shown(True), shown(1.5), shown("7")
        ('null', 'true', '1.5', "'7'")
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else repr(value)


def inner_errors(errors: Sequence[Any], places: Sequence[str], sep: str) -> list[int]:
    """The indexes of pydantic ``errors`` (at ``places``, parts joined by ``sep``) inside the first one's value.

    Only when the first is a type error: a plain union's member of the value's type fails inside it (``"counts":
    [5.5]`` fails as a string at ``counts`` and as a list of integers at ``counts/0``: the second says what is
    wrong). Empty when there are none.
    """
    if not errors or not errors[0]["type"].endswith("_type"):
        return []
    return [i for i, at in enumerate(places) if at.startswith(places[0] + sep)]


def union_message(messages: Iterable[str]) -> str:
    """What pydantic's errors at one place say, as one message: a plain union fails once per member.

    Examples:
        >>> union_message(["Input should be a valid string", "Input should be a valid list"])
        'expected a valid string or a valid list'
    """
    said = list(dict.fromkeys(messages))
    return said[0] if len(said) == 1 else "expected " + " or ".join(m.removeprefix("Input should be ") for m in said)


@contextmanager
def naming(path: str | os.PathLike[str]) -> Iterator[None]:
    """Writes to the file ``path``: an OSError naming no file (``os.write``'s, an open file's, pyarrow's) names it.

    Only opening a file names it: a disk filling up while a file was written named no file (the output folder).
    """
    try:
        yield
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from exc


class LabelkitError(Exception):
    """Base class of every error labelkit raises on purpose.

    Attributes:
        message: what is wrong, in one sentence.
        location: where, when it is known.
        expected: what was expected, when that helps.
        found: what was found instead.
        hint: what the user can do about it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        pointer: str | None = None,
        element: str | None = None,
        pixel: tuple[int, int] | None = None,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = _shortened(message, MESSAGE_LIMIT)
        self.location = Location(
            path=str(path) if path is not None else None,
            line=line,
            pointer=pointer,
            element=element,
            pixel=pixel,
        )
        self.expected = expected
        self.found = _shortened(found) if found is not None else None
        self.hint = hint
        super().__init__(self.one_line())

    def relocate(self, path: str) -> None:
        """Name ``path`` as the file of this error (its line, pointer or element kept), message included."""
        self.location = replace(self.location, path=path)
        self.args = (self.one_line(),)

    def one_line(self) -> str:
        """The whole error as one line: location, message, expectation and hint."""
        where = str(self.location)
        message = plain_types(self.message)
        text = f"{where}: {message}" if where else message
        if self.expected is not None:
            text += f" (expected {plain_types(self.expected)}"
            text += f", found {self.found})" if self.found is not None else ")"
        elif self.found is not None:
            text += f" (found {self.found})"
        if self.hint:
            text += f"; hint: {self.hint}"
        return text.translate(_ONE_LINE)


_JSON_TYPES = {
    "object": "an object",
    "array": "an array",
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
}
"""msgspec's names of JSON types, as an error line says them."""


def type_words(value: object) -> str:
    """The JSON type of a decoded value as an error line says it (``an object``, ``null``): :data:`_JSON_TYPES`'.

    >>> [type_words(v) for v in (None, True, 3, 2.5, "x", [], {})]
    ['null', 'a boolean', 'an integer', 'a number', 'a string', 'an array', 'an object']
    """
    kinds = ((type(None), "null"), (bool, "bool"), (int, "int"), (float, "float"), (str, "str"), (list, "array"))
    return _JSON_TYPES[next((name for kind, name in kinds if isinstance(value, kind)), "object")]


_TYPE_NAMES = re.compile(r"`([a-z]+(?: \| [a-z]+)*)`")


def plain_types(text: str) -> str:
    """The type names msgspec gives (``Expected `int | null`, got `str```) in ``text`` in words, without backticks.

    >>> plain_types("Expected `int | null`, got `str`"), plain_types("Expected `array` of length 4")
    ('Expected an integer or null, got a string', 'Expected an array of length 4')
    """
    if "`" not in text:
        return text

    def words(m: re.Match[str]) -> str:
        names = m.group(1).split(" | ")
        if not all(n in _JSON_TYPES for n in names):
            return m.group(0)
        return " or ".join(_JSON_TYPES[n] for n in names)

    return _TYPE_NAMES.sub(words, text)


LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""What ``str.splitlines`` breaks a line at: a name holding one cannot be one line of a list or names file."""
_ONE_LINE = {ord(c): ascii(c)[1:-1] for c in LINE_BREAKS}
"""Line breaks escaped: a file name or id holding one keeps the error on one line."""

FOUND_LIMIT = 200
"""Characters of a found value an error line shows: a 300,000-character value made a 300 KB error line."""
MESSAGE_LIMIT = 600
"""Characters of a message an error line shows (a message quoting a 300,000-character id or kind)."""


def _shortened(text: str, limit: int = FOUND_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    >>> _shortened("x" * 500)[-30:]
    'xxxxxxxxxx... (500 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}... ({len(text):,} characters)"


class InputError(LabelkitError):
    """An input file is malformed, truncated, unsafe or inconsistent."""

    def finding(self, path: str | os.PathLike[str]) -> Finding:
        """The error as ``validate``'s finding: its file (else ``path``), where in it, and what was found."""
        where = self.location  # (all of it, as its error line: a data.yaml line and its key, ``:13 <train>``)
        at = str(replace(where, path=None)).lstrip()
        text = InputError(self.message, expected=self.expected, found=self.found).one_line()  # (what and where found)
        return Finding(where.path or str(path), at, text)


class UnknownFormatError(LabelkitError):
    """No format could be named for an input, or a format name is not registered."""


class UsageError(LabelkitError):
    """An option, ratio or argument is not usable."""


class OutputError(LabelkitError):
    """The output path cannot be written: it exists, escapes its folder, or the disk refused."""


class DataLossError(LabelkitError):
    """Writing would lose data and the caller did not allow it.

    Attributes:
        report: the conversion report listing every loss.
    """

    def __init__(self, message: str, *, report: Report, **kwargs: object) -> None:
        self.report = report
        super().__init__(message, **kwargs)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[object, ...]:
        # Exception's pickling calls the class with ``args`` alone, which lacks the keyword-only ``report``: a
        # DataLossError raised in a worker process could not be unpickled (a TypeError in the parent instead)
        return (_unpickled, (type(self), self.args), self.__dict__)


def _unpickled(cls: type[LabelkitError], args: tuple[object, ...]) -> LabelkitError:
    """An error of ``cls`` with ``args``, its fields to be set by unpickling (its ``__init__`` is not called)."""
    return cls.__new__(cls, *args)


class MissingDependencyError(LabelkitError):
    """An optional package needed for this job is not installed."""


def require_bools(**flags: object) -> None:
    """Refuse a flag that is not a bool (``allow_loss="no"``, from a config file, was true: loss allowed).

    Raises:
        UsageError: naming the first such flag and its value.
    """
    for name, value in flags.items():
        if not isinstance(value, bool) and getattr(getattr(value, "dtype", None), "kind", None) != "b":  # (np.True_)
            raise UsageError(f"{name} must be True or False", found=repr(value))


def type_name(value: object) -> str:
    """How an error names the type of ``value``: ``dict``, ``None``, ``numpy.ndarray``, ``pathlib.PosixPath``."""
    if value is None:
        return "None"
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def require_callables(**callbacks: object) -> None:
    """Refuse a callback that is neither None nor callable (``progress="x"`` was ``TypeError`` once work began).

    Raises:
        UsageError: naming the first such callback and its type.
    """
    for name, value in callbacks.items():
        if value is not None and not callable(value):
            raise UsageError(f"{name} must be a function or None, not {type_name(value)}")
