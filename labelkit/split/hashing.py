"""Keyed hashing for splits: BLAKE2b of a length-prefixed seed and key, never Python's ``hash()``.

The same (seed, key) gives the same number on every machine, Python version and process, so a split can be
recomputed anywhere, including inside a Spark, Ray or Dask batch map.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

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

    Examples:
        >>> bucket("g:video-7", {"train": 0.8, "val": 0.1, "test": 0.1})
        'train'
    """
    pairs = sorted(ratios.items() if isinstance(ratios, Mapping) else ratios)
    u = unit(seed, key)
    total = 0.0
    for name, share in pairs:
        total += share
        if u < total:
            return name
    # rounding can leave the last threshold a hair below 1: the last split with a share takes the rest
    return [name for name, share in pairs if share > 0][-1]
