"""The split lockfile: which split every item key went to, so re-splitting a grown dataset moves nothing.

The file is one JSON object, written the same way every time (sorted keys, two-space indent)::

    {"version": "3", "seed": 0, "method": "balanced", "ratios": {"test": 0.1, "train": 0.8, "val": 0.1},
     "assignments": {"images/a.jpg": "train", "images/b.jpg": "test"}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from labelkit.errors import InputError, OutputError, json_pointer, shown, type_words
from labelkit.io import parse_json
from labelkit.io_output import replace_target

SHARE_SLACK = 1e-6
"""How far split shares may sum from 1 (``--ratios a=0.5,b=0.5000005`` is taken; ``b=0.500002`` is not)."""

_SPLIT_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""A split name, as ``--ratios`` takes one (``labelkit.split.core``)."""


def json_seed(seed: int | str) -> int | str:
    """The seed as JSON can carry it: an integer beyond 64 bits as its digits (``0`` and ``"0"`` split alike).

    >>> json_seed(2**70), json_seed(7)
    ('1180591620717411303424', 7)
    """
    if isinstance(seed, int) and not -(2**63) <= seed < 2**63:
        return str(seed)
    return seed


_EXPECTED = {
    "version": "a string",
    "method": "a string",
    "seed": "an integer or a string",
    "ratios": "an object",
    "assignments": "an object",
}
"""The fields a lockfile must have, and what each holds."""


@dataclass
class Lockfile:
    """A previous (or new) assignment.

    Attributes:
        version: the split algorithm version that made it.
        seed: the seed.
        method: ``balanced`` or ``hash``.
        ratios: split name -> share.
        assignments: item key -> split name.
        written: the key an output read back gives an item, where it differs from the item's key -> split
            name. ``labelkit split --to voc`` (``yolo``, ``coco``) records them: VOC writes ``v0/a.jpg`` as
            ``JPEGImages/a.jpg``, or ``JPEGImages/7.jpg`` (named after its id) where another image has that name,
            and its output, split again with the lockfile, finds each item by them. Written only when there are
            some.
    """

    version: str
    seed: int | str
    method: str
    ratios: dict[str, float]
    assignments: dict[str, str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False, repr=False)
    """The file it was read from (:func:`read_lockfile`), which errors about its values name; not written."""

    def to_dict(self) -> dict[str, Any]:
        """The lockfile as JSON-ready data."""
        out: dict[str, Any] = {
            "version": self.version,
            "seed": json_seed(self.seed),
            "method": self.method,
            "ratios": dict(sorted(self.ratios.items())),
            "assignments": dict(sorted(self.assignments.items())),
        }
        if self.written:
            out["written"] = dict(sorted(self.written.items()))
        return out

    def with_written(self, keys: list[str], paths: list[str], splits: list[str]) -> tuple[Lockfile, int]:
        """The lockfile with the paths an output wrote its items to (:attr:`written`), and how many clash.

        ``keys`` are the items' keys, ``paths`` the paths their output reads them back with, ``splits`` their
        splits. A path that is an item's key already is not recorded, nor one of items of two splits (two XMLs of
        one image); one that is another item's key (an entry of
        :attr:`assignments`) of another split clashes: that entry is found first, split again.
        """
        written = dict(self.written)
        clashes = 0
        splits_of: dict[str, set[str]] = {}
        for path, split in zip(paths, splits, strict=True):
            splits_of.setdefault(path, set()).add(split)
        for key, path, split in zip(keys, paths, splits, strict=True):
            if path == key:
                continue
            if len(splits_of[path]) > 1:  # (items of one image in two splits: the path says neither)
                written.pop(path, None)
                continue
            written[path] = split
            if self.assignments.get(path, split) != split:
                clashes += 1
        return replace(self, written=written), clashes

    def dumps(self) -> bytes:
        """The lockfile as bytes, identical for identical content."""
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"

    def write(self, path: str | Path) -> None:
        """Write the lockfile atomically (a temporary sibling renamed into place).

        The sibling keeps at most 200 bytes of the name, so that any name the file system holds (255 bytes)
        is written: a longer temporary name failed once the output was written. It is removed when the write
        fails or is interrupted. A symbolic link at ``path`` is kept, and the file it leads to replaced; the
        file keeps its mode (:func:`labelkit.io_output.replace_target`).

        Raises:
            UsageError: ``path`` is not a path (None, bytes, a number).
        """
        from labelkit.api_args import as_path  # (which imports the formats: not at import time)

        replace_target(as_path(path, "the lockfile"), self.dumps())

    def save(self, path: str | Path) -> None:
        """:meth:`write`, its OSError an OutputError naming ``path`` (the OSError named the temporary sibling).

        Raises:
            OutputError: the lockfile cannot be written (its folder does not exist, a full disk, ...).
        """
        try:
            self.write(path)
        except OSError as exc:
            raise OutputError(f"cannot write the lockfile: {exc.strerror or exc}", path=path) from exc

    @classmethod
    def from_dict(cls, data: Any, path: str | Path | None = None) -> Lockfile:
        """Build a lockfile from parsed JSON.

        Raises:
            InputError: a field is missing or has the wrong type.
        """
        if not isinstance(data, dict):
            raise InputError("a split lockfile must be a JSON object", path=path, pointer="")
        for name, expected in _EXPECTED.items():
            if name not in data:  # (it was said to be null: found NoneType)
                raise InputError(
                    f"missing required split lockfile field {name!r}", path=path, pointer="/" + name, expected=expected
                )
        for name, kind in (("version", str), ("method", str), ("ratios", dict), ("assignments", dict)):
            if not isinstance(data[name], kind):  # (the seed, an integer or a string: below)
                raise InputError(
                    f"bad split lockfile field {name!r}",
                    path=path,
                    pointer="/" + name,
                    expected=_EXPECTED[name],
                    found=type_words(data[name]),
                )
        seed = data.get("seed")
        if not isinstance(seed, (int, str)) or isinstance(seed, bool):
            wide = isinstance(seed, float) and seed.is_integer() and abs(seed) >= 2**63  # (read so: past 64 bits)
            raise InputError(
                "bad split lockfile field 'seed'",
                path=path,
                pointer="/seed",
                expected="an integer of 64 bits or a string" if wide else "an integer or a string",
                found=None if wide else type_words(seed),
                hint='labelkit writes a seed past 64 bits as a str ("18446744073709551616")' if wide else None,
            )
        assignments = data["assignments"]
        written = data.get("written", {})
        if not isinstance(written, dict):
            raise InputError(
                "bad split lockfile field 'written'",
                path=path,
                pointer="/written",
                expected="an object",
                found=type_words(written),
            )
        for name, entries in (("assignments", assignments), ("written", written)):
            for key, value in entries.items():
                # (a split's name, as --ratios takes it: one of other text was named by no file, the splits
                # requested being said not to be the lockfile's)
                if not isinstance(value, str) or not _SPLIT_NAME.fullmatch(value):
                    raise InputError(
                        "a lockfile assignment must be a split name",
                        path=path,
                        pointer=json_pointer(name, key),
                        expected="letters, digits, '_', '-' or '.'",
                        found=shown(value),
                    )
        ratios: dict[str, float] = {}
        for key, value in data["ratios"].items():
            # (float() took "0.5", true, "nan" and -0.5 too: no lockfile labelkit writes holds them; a share may
            # pass 1 by the slack the shares' sum has, train=1.0000005,val=0)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1 + SHARE_SLACK:
                raise InputError(
                    "a split lockfile ratio must be a number from 0 to 1",
                    path=path,
                    pointer=json_pointer("ratios", key),
                    found=shown(value),
                )
            ratios[str(key)] = float(value)
        return cls(data["version"], seed, data["method"], ratios, dict(assignments), dict(written))


def read_lockfile(path: str | Path) -> Lockfile | None:
    """Read a lockfile; None when the file does not exist yet.

    Raises:
        InputError: the file is not a valid lockfile.
        UsageError: ``path`` is not a path (None, bytes, a number: was a bare TypeError).
    """
    from labelkit.api_args import as_path  # (which imports the formats: not at import time)

    path = as_path(path, "the lockfile")
    try:
        if not path.exists():
            return None
        if not path.is_file():  # a folder, /dev/zero, a FIFO: never read (it could be endless)
            raise InputError("a split lockfile must be a regular file", path=path)
        # (a byte-order mark, which Windows' Notepad wrote, is dropped; a syntax error names its line, as a
        # hand edit's slip is found: the lockfile is committed beside the data and may be edited)
        text = path.read_bytes()
        data = parse_json(text, path)
    except OSError as exc:  # a name too long, no permission
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    from labelkit.formats.coco_schema import repeated_keys

    if repeats := repeated_keys(text):  # (a merge's slip: one item given two splits, the last taken unsaid)
        raise InputError(
            f"key {repeats[0][-1]!r} repeated in one object: a lockfile gives each item one split",
            path=path,
            pointer=json_pointer(*repeats[0]),
            hint="keep one of the two lines",
        )
    return replace(Lockfile.from_dict(data, path), source=path)
