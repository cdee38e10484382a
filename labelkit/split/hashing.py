"""Keyed hashing for splits: BLAKE2b of a length-prefixed seed and key, never Python's ``hash()``.

The same (seed, key) gives the same number on every machine, Python version and process, so a split can be
recomputed anywhere, including inside a Spark, Ray or Dask batch map.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

from labelkit.errors import UsageError, type_name

_PERSON = b"labelkit-split"


def seed_text(seed: int | str) -> str:
    """The canonical text of a seed: ``0`` and ``"0"`` are the same seed."""
    return str(seed)


def key_hash(seed: int | str, key: str) -> int:
    """A 64-bit keyed hash of ``key``: BLAKE2b-64 of ``len(seed) || seed || key`` (UTF-8).

    Examples:
        >>> key_hash(0, "a.jpg") == key_hash("0", "a.jpg")
        True
        >>> key_hash(0, "a.jpg") == key_hash(1, "a.jpg")
        False
    """
    s = seed_text(seed).encode()
    data = len(s).to_bytes(8, "little") + s + key.encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=_PERSON).digest(), "big")


def unit(seed: int | str, key: str) -> float:
    """The keyed hash of ``key`` as a number in [0, 1) (its top 53 bits, so the float is exact)."""
    return (key_hash(seed, key) >> 11) * (1.0 / (1 << 53))


def bucket(key: str, ratios: Mapping[str, float] | Sequence[tuple[str, float]], seed: int | str = 0) -> str:
    """The ``hash`` method's split for one group key: cumulative ratio thresholds over split names in sorted order.

    This is the whole of the ``hash`` method for a key that no lockfile pins, so it can run inside any engine's
    batch map and agree with :func:`labelkit.split`. Group keys are ``g:<group value>`` for items with a group
    and ``i:<item key>`` for items without one.

    Args:
        key: the group key.
        ratios: split name -> share; shares sum to 1.
        seed: the seed.

    Returns:
        The split name.

    Raises:
        UsageError: as :func:`labelkit.split` refuses the ratios and the seed (shares that are negative or do not
            sum to 1, a name no writer can use, a seed that is neither an int nor a str), or a key that is not a
            str of UTF-8 text. (Checked ratios are remembered, so a batch map checks its ratios once.)

    Examples:
        >>> bucket("g:video-7", {"train": 0.8, "val": 0.1, "test": 0.1})
        'train'
    """
    pairs = _checked_pairs(_as_pairs(ratios))
    seed = checked_seed(seed)
    if not isinstance(key, str):
        raise UsageError(f"bucket: the key must be a str, not {type_name(key)}")
    try:
        u = unit(seed, key)
    except UnicodeEncodeError:
        raise UsageError("bucket: the key must be UTF-8 text (no lone surrogate)", found=repr(key)) from None
    return split_at(u, pairs)


def split_at(u: float, pairs: Sequence[tuple[str, float]]) -> str:
    """The split whose cumulative threshold first passes ``u`` (in [0, 1)), over ``pairs`` in their order.

    >>> split_at(0.95, [("test", 0.1), ("train", 0.8), ("val", 0.1)])
    'val'
    """
    total = 0.0
    for name, share in pairs:
        total += share
        if u < total:
            return name
    # rounding can leave the last threshold a hair below 1: the last split with a share takes the rest
    return [name for name, share in pairs if share > 0][-1]


def _as_pairs(ratios: Any) -> tuple[tuple[Any, Any], ...] | str:
    """:func:`bucket`'s ratios as a tuple of (name, share) pairs, in the order given (a str as it is).

    Raises:
        UsageError: neither a mapping, a str nor a sequence of pairs.
    """
    if isinstance(ratios, (str, Mapping)):
        return ratios if isinstance(ratios, str) else tuple(ratios.items())
    try:
        return tuple((name, share) for name, share in ratios)
    except (TypeError, ValueError):  # (None, a number, a pair's wrong length)
        raise UsageError(
            "bad split ratios",
            expected="a mapping of split name to share, pairs of them, or 'train=0.8,val=0.2'",
            found=type_name(ratios),
        ) from None


@functools.lru_cache(maxsize=64)
def _pairs_checked(pairs: tuple[tuple[Any, Any], ...] | str, _types: tuple[type, ...]) -> tuple[tuple[str, float], ...]:
    """:func:`_checked_pairs`' work; ``_types`` (the shares' types) only keys the cache: ``True == 1``."""
    from labelkit.split.core import parse_ratios

    if not isinstance(pairs, str):
        for name, _ in pairs:  # (before the names are compared: a list or dict as a name was a bare TypeError)
            if not isinstance(name, str):
                raise UsageError("bad split name", expected="a str", found=f"{name!r} ({type_name(name)})")
        names = [name for name, _ in pairs]
        if len(set(names)) < len(names):
            twice = next(name for k, name in enumerate(names) if name in names[:k])
            raise UsageError("a split is named twice", found=repr(twice))
    return tuple(sorted(parse_ratios(pairs if isinstance(pairs, str) else dict(pairs)).items()))


def _checked_pairs(pairs: tuple[tuple[Any, Any], ...] | str) -> tuple[tuple[str, float], ...]:
    """The ratios checked as :func:`labelkit.split` checks them, sorted by name (remembered for hashable ones).

    The cache is keyed by the shares' types too: a share of ``True`` equals 1 and hashes as 1, but is refused
    where 1 is taken (it was taken once ``{"a": 1}`` had been checked).

    Raises:
        UsageError: see :func:`~labelkit.split.core.parse_ratios`; or a split named twice among pairs, or a name
            that is not a str.
    """
    types = () if isinstance(pairs, str) else tuple(type(share) for _, share in pairs)
    try:
        return _pairs_checked(pairs, types)
    except TypeError:  # (a share or a name that cannot be hashed: checked, and refused, without the cache)
        return _pairs_checked.__wrapped__(pairs, types)


_SEED_INT = re.compile(r"-?(0|[1-9][0-9]{0,4298})")  # (Python's int() takes at most 4300 digits)


def checked_seed(seed: object) -> int | str:
    r"""A split seed as used: an int, or a str of UTF-8 text (:func:`plain_seed`: ``"5"`` is 5).

    Raises:
        UsageError: another type (1.5, None or True: a lockfile its reader refuses), or a str holding a lone
            surrogate (``"\udc80"``), which no UTF-8 text holds and the hash cannot take (it was a bare
            UnicodeEncodeError; ``--seed`` refused it already).
    """
    if type(seed) is int:  # (the usual seed, per key in a batch map's bucket(): no ABC or regex check)
        return seed
    if isinstance(seed, Integral) and not isinstance(seed, int):
        seed = int(seed)  # (numpy's: its lockfile was a TypeError, Type is not JSON serializable: numpy.int64)
    if not isinstance(seed, (int, str)) or isinstance(seed, bool):
        raise UsageError("bad split seed", expected="an int or a str", found=repr(seed))
    if isinstance(seed, str):
        try:
            seed.encode()
        except UnicodeEncodeError:
            raise UsageError("bad split seed", expected="UTF-8 text (no lone surrogate)", found=repr(seed)) from None
    return plain_seed(seed)  # ("5" is 5, as --seed 5 is: the lockfile and report wrote "5" and 5 for one seed)


def plain_seed(seed: int | str) -> int | str:
    """A seed as an integer when it is one written plainly (ASCII digits, no leading zero, ``-0`` not), else as is.

    Examples:
        >>> plain_seed("5"), plain_seed("-5"), plain_seed("007"), plain_seed("-0"), plain_seed("x"), plain_seed(5)
        (5, -5, '007', '-0', 'x', 5)
    """
    return int(seed) if isinstance(seed, str) and _SEED_INT.fullmatch(seed) and seed != "-0" else seed
