"""What the Dataset's methods take: each argument checked when a method is called, refused with a UsageError.

A wrong type or value was a Python or Arrow error from deep inside (pyarrow's ``TypeError`` for a lone surrogate,
``OverflowError`` for a category id past 64 bits, ``AttributeError`` for a list where a mask was due), or, worse,
taken for something else (``"test"`` for the splits ``t``, ``e`` and ``s``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral
from typing import Any

import numpy as np

from labelkit.errors import UsageError, type_name
from labelkit.model.annotations import INT64_MAX, INT64_MIN, Label, Object, Span, Track, Transcript, utf8_text


def row_mask(what: str, value: object, rows: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """``value`` as a mask of ``rows`` rows: a 1-D numpy array (or list, or tuple) of booleans of that length.

    Raises:
        UsageError: naming ``what``, when it is not booleans (None, 0 and 1, a dict) or has another length (a short
            mask was pyarrow's ``ArrowInvalid``, a list an ``AttributeError``).
    """
    mask = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    if mask is not None and not mask.size and mask.ndim == 1:  # ([] is an array of floats: no value to tell)
        mask = mask.astype(bool)
    if mask is None or mask.dtype != np.bool_ or mask.ndim != 1:
        found = f"{type_name(value)} of {mask.dtype}" if mask is not None else type_name(value)
        raise UsageError(f"{what} must be a 1-D array of booleans, one per row, not {found}")
    if len(mask) != rows:
        raise UsageError(f"{what} has {len(mask):,} values for {rows:,} rows")
    return mask


ANNOTATION_TYPES = (Label, Object, Span, Transcript, Track)
ANNOTATION_RECORDS = "annotation records (Label, Object, Span, Transcript, Track)"


def require_records(
    what: str, value: object, record: type | tuple[type, ...], records: str, verb: str = "", hint: str | None = None
) -> None:
    """Refuse ``value`` where a list of ``records`` is due: ``None``, one record, a str, bytes or a dict.

    ``what`` names the argument (``a dataset's items``), or the method that takes it when ``verb`` is given.

    Raises:
        UsageError: naming ``what`` and the type received.
    """
    if isinstance(value, (record, str, bytes, Mapping)) or not isinstance(value, Iterable):
        said = f"{what} {verb} a list of {records}" if verb else f"{what} must be a list of {records}"
        raise UsageError(f"{said}, not {type_name(value)}", hint=hint)


def require_names(what: str, value: object) -> list[str]:
    """``value``, where a list of names (str) is due, as a list.

    Raises:
        UsageError: it is one str, ``None``, or a list holding another type, naming ``what`` and the type received
            (of the first such element, for a list); or a name holds a lone surrogate (see :func:`utf8_arg`).
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise UsageError(f"{what} must be a list of names (str), not {type_name(value)}")
    names = list(value)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise UsageError(f"{what} must be a list of names (str), not {type_name(name)} ({what}[{i}])")
        utf8_arg(f"{what}[{i}]", name)
    return names


def require_key(key: object) -> None:
    """Refuse a category key that is neither an int (a numpy integer included) nor a str.

    Raises:
        UsageError: naming the type received (``True`` too, which would have been taken for the id 1); or an id
            that does not fit 64 bits, which no category holds (as a filter of a dataset defining no categories it
            was Python's ``OverflowError`` once the iteration started), or a name holding a lone surrogate (see
            :func:`utf8_arg`).
    """
    if isinstance(key, bool) or not isinstance(key, (Integral, str)):
        raise UsageError(f"a category is given by its id (an int) or name (a str), not {type_name(key)}")
    if isinstance(key, str):
        utf8_arg("a category's name", key)
    elif not INT64_MIN <= int(key) <= INT64_MAX:
        raise UsageError(f"a category's id is an integer of 64 bits, not {int(key)}")


def text_arg(what: str, value: object) -> str:
    """``value``, a filter's split name or item id, when it is a str (a number was pyarrow's ArrowNotImplementedError).

    Raises:
        UsageError: it is not, naming ``what`` and the type received; or it holds a lone surrogate
            (see :func:`utf8_arg`).
    """
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a str, not {type_name(value)}")
    return utf8_arg(what, value)


def utf8_arg(what: str, value: str) -> str:
    r"""``value``, text an argument gives, when UTF-8 encodes it, as every text a record holds.

    Raises:
        UsageError: it holds a lone surrogate (``"\udc80"``, as ``os.fsdecode`` makes of undecodable bytes), naming
            ``what``: no row holds one, and pyarrow's ``TypeError`` or Python's ``UnicodeEncodeError`` was raised
            where it was compared.
    """
    try:
        return utf8_text(value)
    except ValueError:
        raise UsageError(f"{what} holds a lone surrogate, which UTF-8 cannot encode", found=ascii(value)) from None
