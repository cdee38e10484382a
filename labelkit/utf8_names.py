"""File and folder names that are not UTF-8: refused before they reach text that must be, and shown in errors.

Moved out of :mod:`labelkit.io`, which imports them from here (``from labelkit.io import require_utf8_name`` still
works).
"""

from __future__ import annotations

import sys
from pathlib import Path

from labelkit.errors import InputError
from labelkit.portable import names_are_utf8

SHOWN_NAME = 1024
"""The longest file name an error quotes (a hostile one may be megabytes long)."""


def require_utf8_name(name: str, source: Path) -> None:
    """Refuse a file or folder name that is not UTF-8 before it reaches text that must be (ids, tables).

    Under a file name encoding that is not UTF-8, any name that is not ASCII is refused: ISO-8859-1 decodes
    every byte, so a UTF-8 name (``é.xml``, bytes c3 a9) reads as another text (``Ã©.xml``) without an error,
    and the ids and names written would differ from a UTF-8 machine's.

    Raises:
        InputError: naming ``source`` and the name's bytes, as :func:`labelkit.io.input_guard` does.
    """
    if not name.isascii() and (escaped_bytes(name) or not names_are_utf8()):
        raise not_utf8_name(name, source)


def not_utf8_name(name: str, source: Path) -> InputError:
    """The error for a name that is not UTF-8 (or that this Python's file name encoding cannot spell), at ``source``."""
    encoding = sys.getfilesystemencoding()
    try:
        data = name.encode(encoding, sys.getfilesystemencodeerrors())  # (the name's bytes, as os.fsencode gives)
    except UnicodeEncodeError:  # (a text that holds more than a name)
        data = name.encode("utf-8", "surrogateescape")
    if not names_are_utf8() and _is_utf8(data):
        # (a UTF-8 name, in a locale such as C with PYTHONCOERCECLOCALE=0, or ISO-8859-1, which reads it as other
        # text: it reads on a machine in a UTF-8 locale, and is shown as read there)
        return InputError(
            f"this Python's file name encoding is {encoding}, which cannot spell a name used here",
            path=source,
            found=shown_name(data.decode("utf-8")),
            hint="run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)",
        )
    return InputError(
        "a file or folder name is not UTF-8",
        path=source,
        found=shown_name(data.decode("utf-8", "surrogateescape")),
        hint="labelkit keeps names as UTF-8 text: rename it",
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def escaped_bytes(text: str) -> bool:
    """Whether ``text`` holds surrogates only as Python's stand-ins for undecodable bytes of a file name."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return False
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    r"""A name with undecodable bytes (or lone surrogates) as backslash escapes, cut to :data:`SHOWN_NAME`."""
    if escaped_bytes(name):
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    else:
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= SHOWN_NAME else text[:SHOWN_NAME] + "..."
