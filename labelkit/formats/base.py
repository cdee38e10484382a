"""What a format declares: capabilities, options, detection results; and the options' parsing.

The generic loss check, what a target's capabilities cannot hold, is :mod:`labelkit.formats.capability`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from labelkit.errors import UsageError
from labelkit.model import Dataset
from labelkit.portable import folded_name
from labelkit.report import Report

_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
ProgressFn = Callable[[str, int, "int | None"], None]
"""Progress callback: ``(stage, done, total)``; the CLI draws it on a terminal."""


@dataclass(frozen=True)
class Capabilities:
    """What a format can hold. The generic loss check compares a dataset against it.

    Attributes:
        kinds: annotation kinds (``label``, ``object``, ``span``, ``transcript``, ``track``).
        shapes: object shapes kept as drawn.
        geometry: object geometry fields kept: ``bbox``, ``angle``, ``polygon``, ``holes``, ``mask``,
            ``keypoints``.
        media: item media kinds.
        media_fields: media fields beyond kind, path and size kept: ``duration``, ``fps``, ``frame_count``, ``text``.
        attributes: annotation attributes.
        scores: prediction scores.
        provenance: annotator / model.
        time_ranges: label and transcript time ranges.
        item_metadata: item metadata, but for the keys the format's own check reports lost (COCO: its image
            records' fields; VOC: all but its own). Not item groups: a format with it (COCO, VOC) reports them
            lost itself, and :func:`check_capabilities` reports both lost for one without it.
        hierarchy: category parents.
        tokens: tokens of text items.
        splits: several splits in one output.
        extras: the extras namespace this format round-trips (``coco``), ``*`` for all.
        object_fields: object fields beyond geometry kept: ``occluded``, ``z_order``.
        category_fields: category fields beyond id and name kept: ``supercategory``, ``keypoints``,
            ``skeleton``, ``attributes`` (definitions), ``color``.
        category_ids: category ids kept as they are (YOLO numbers classes by position).
        annotation_ids: annotation ids kept (YOLO and VOC have none: a reader numbers them 1, 2, ...).
        info_fields: dataset info fields kept: ``name``, ``attributes`` (definitions), ``metadata``.
    """

    kinds: frozenset[str] = frozenset()
    shapes: frozenset[str] = frozenset()
    geometry: frozenset[str] = frozenset()
    media: frozenset[str] = frozenset({"image"})
    media_fields: frozenset[str] = frozenset()
    attributes: bool = False
    scores: bool = False
    provenance: bool = False
    time_ranges: bool = False
    item_metadata: bool = False
    hierarchy: bool = False
    tokens: bool = False
    splits: bool = True
    extras: str | None = None
    object_fields: frozenset[str] = frozenset()
    category_fields: frozenset[str] = frozenset()
    category_ids: bool = True
    annotation_ids: bool = True
    info_fields: frozenset[str] = frozenset()

    def summary(self) -> str:
        """One line: what the format holds."""
        parts = [", ".join(sorted(self.kinds)) or "items only", "media: " + ", ".join(sorted(self.media))]
        if self.shapes:
            parts.append("shapes: " + ", ".join(sorted(self.shapes)))
        names = ("attributes", "scores", "provenance", "time_ranges", "item_metadata", "hierarchy", "tokens")
        flags = [n for n in names if getattr(self, n)]
        if flags:
            parts.append(", ".join(flags))
        return "; ".join(parts)


ALL = Capabilities(
    kinds=frozenset({"label", "object", "span", "transcript", "track"}),
    shapes=frozenset({"box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid"}),
    geometry=frozenset({"bbox", "angle", "polygon", "holes", "mask", "keypoints"}),
    media=frozenset({"image", "video", "audio", "text"}),
    media_fields=frozenset({"duration", "fps", "frame_count", "text"}),
    attributes=True,
    scores=True,
    provenance=True,
    time_ranges=True,
    item_metadata=True,
    hierarchy=True,
    tokens=True,
    splits=True,
    extras="*",
    object_fields=frozenset({"occluded", "z_order"}),
    category_fields=frozenset({"supercategory", "keypoints", "skeleton", "attributes", "color"}),
    info_fields=frozenset({"name", "attributes", "metadata"}),
)


@dataclass(frozen=True)
class Option:
    """A format option, set with ``-o KEY=VALUE`` on the CLI or as a keyword in the API.

    Attributes:
        name: the key.
        type: ``bool``, ``int``, ``float``, ``str`` or ``choice``.
        default: the value when not given.
        help: one sentence.
        choices: allowed values of a ``choice``.
        applies: ``read``, ``write``, ``both``, or ``validate`` (``labelkit.validate`` only: refused elsewhere).
        check: raises UsageError for a value its type takes but the format does not, before the input is read.
    """

    name: str
    type: Literal["bool", "int", "float", "str", "choice"]
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    applies: Literal["read", "write", "both", "validate"] = "both"
    check: Callable[[Any], object] | None = None

    def parse(self, value: Any) -> Any:
        """Turn a CLI string (or an API value) into the option's type.

        Raises:
            UsageError: the value does not fit.
        """
        try:
            parsed = self._typed(value)
            if self.check is not None:  # (it was skipped for an int or float: -1 passed a check of >= 0)
                self.check(parsed)
            return parsed
        except (TypeError, ValueError, OverflowError):  # (float(10**400), int(float("inf")))
            expected = " or ".join(self.choices) if self.type == "choice" else self.type
            raise UsageError(f"bad value for option {self.name!r}", expected=expected, found=repr(value)) from None

    def _typed(self, value: Any) -> Any:
        """``value`` as the option's type; ValueError when it is not one (a bool or 2.7 for an int: was 1 or 2)."""
        if self.type == "bool" and (text := str(value).lower()) in _BOOL_WORDS:  # (True reads as "true")
            return _BOOL_WORDS[text]
        if self.type in ("int", "float"):  # (numpy's too: np.int64 is no int, np.float32 no float)
            real = isinstance(value, Real) and (self.type == "float" or float(value).is_integer())
            if isinstance(value, (bool, np.bool_)) or not (isinstance(value, (Integral, str)) or real):
                raise ValueError(value)
            return int(value) if self.type == "int" else float(value)
        if self.type == "choice":
            return self._choice(value)
        if self.type == "bool":
            raise ValueError(value)
        if self.type == "str":  # (bytes or a list was written as its repr: split=b"x" made labels/b'x'/)
            if isinstance(value, os.PathLike):  # (media_root=Path(...))
                value = os.fspath(value)
            if isinstance(value, str):
                return str(value)
            if value is None:  # (unset: the default, as it always was for text)
                return None
            number = isinstance(value, Real) and not isinstance(value, (bool, np.bool_))
            if not number or self.check is None:  # (a number only for an option whose check decides: precision=6;
                raise ValueError(value)  # split=3 made labels/3/, split=nan labels/nan/)
        return value

    def _choice(self, value: Any) -> str:
        """The choice ``value`` names, as text; ValueError when it names none.

        A path is its text, as for a ``str`` option, and so is a number (YOLO's ``kpt_dims=2``): ``crowd=Path("drop")``
        passed the check by its text but reached the writer as a Path, which equals no choice (it wrote as
        ``keep``; Parquet's codec crashed).
        """
        text = str(os.fspath(value) if isinstance(value, os.PathLike) else value)  # (bytes: "b'x'", no choice)
        if text not in self.choices:
            raise ValueError(value)
        return text


@dataclass(frozen=True)
class Detection:
    """A format's answer to "is this yours?": a confidence in (0, 1] and the reason."""

    confidence: float
    reason: str


class FormatModule(Protocol):
    """What a format module (or any plugin object) provides."""

    NAME: str
    DESCRIPTION: str
    OUTPUT: Literal["file", "dir"]
    EXTENSIONS: tuple[str, ...]
    CAPABILITIES: Capabilities
    OPTIONS: Mapping[str, Option]

    def detect(self, path: Path) -> Detection | None:
        """Say whether ``path`` is in this format, with a confidence and reason, or None."""

    def read(self, path: Path, **options: Any) -> Dataset:
        """Read a dataset."""

    def write(self, dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
        """Write a dataset to ``path`` (a temporary location the caller moves into place)."""


TITLE = "TITLE"
"""Optional format string: the name people know the format by (``"COCO"``, ``"Pascal VOC"``), which every line
of a conversion report names the target by; without it, ``NAME``. See :func:`target_title`."""
TITLE_FOR = "title_for"
"""Optional writer function ``title_for(dataset, options) -> str``: the target's name when it depends on what is
written (``"YOLO obb"`` for ``-o task=obb``); it takes the place of ``TITLE``."""
DROPS_POLYGONS = "drops_polygons"
"""Optional writer function ``drops_polygons(options) -> bool``: True when writing with ``options`` keeps no
polygon coordinates (it reads only whether an object has a polygon, e.g. to report it lost or boxed)."""
SPLIT_FILES = "SPLIT_FILES"
"""Optional writer flag: ``SPLIT_FILES = True`` when the format names folders or files after splits, so a
split must be a plain name (``api.save`` refuses ``../x``, ``a/b``, ...)."""
WRITABLE = "writable"
"""Optional writer function ``writable(dataset, **options) -> (dataset, losses)``: the dataset without what
the format cannot write at all (rows, items or values its own reader would refuse, items whose files would
not be the same on every machine), and each loss as ``report.lose`` arguments. ``api.save`` and ``plan`` call
it once, with the write options, before ``check``, and hand both the reduced dataset."""
EMPTY_SPLIT_KEYS = ("voc:@empty_splits", "yolo:@empty_splits", "coco:@empty_splits")
"""Info extras naming the splits a dataset was read with that hold no item: VOC's (an empty
``ImageSets/Main/test.txt``), YOLO's (an empty split folder or list) and COCO's (``instances_test.json`` listing
no image). VOC, YOLO and COCO write each such split again, empty, whichever of them read it."""


EMPTY_TASK_LISTS = "voc:@empty_task_lists"
"""The info extra of a dataset read from VOC with task lists naming no image (``ImageSets/Segmentation/val.txt``
empty): task -> their splits, which writing VOC writes back empty."""


def splits_named_again(
    read: object, taken: Iterable[str], fits: Callable[[str], bool], fold: Callable[[str], str] = folded_name
) -> list[str]:
    """Of the splits read empty (``read``: a list; anything else names none), those a writer names again, in order.

    Each a text ``fits`` takes (a name the layout can hold), folded (``fold``: as macOS and Windows take names, by
    default) unlike every split of ``taken`` (those of items) and every earlier one: a split whose file or folder
    another's is gets none.

    >>> splits_named_again(["test", "Train", "x/y", "test"], ["train"], lambda s: "/" not in s)
    ['test']
    """
    if not isinstance(read, list):
        return []
    seen = {fold(split) for split in taken}
    out: list[str] = []
    for split in read:
        if isinstance(split, str) and fits(split) and fold(split) not in seen:
            seen.add(fold(split))
            out.append(split)
    return out


def empty_splits_read(extras: dict[str, Any]) -> list[str]:
    """The splits of :data:`EMPTY_SPLIT_KEYS` in a dataset's info extras, in order, each once."""
    out: list[str] = []
    for key in EMPTY_SPLIT_KEYS:
        value = extras.get(key)
        if isinstance(value, list):
            out += [split for split in value if isinstance(split, str)]
    return list(dict.fromkeys(out))


SOURCE_TEXT = "SOURCE_TEXT"
"""Optional format flag: ``read(path, source_text=True)`` keeps the text of values as the file wrote them
(:func:`labelkit.model.tables.keep_source_text`), which the same format's writer passes through instead of
formatting them again. :func:`labelkit.convert` asks for it when reader and writer are that format."""
COUNTS_POLYGONS = "COUNTS_POLYGONS"
"""Optional reader flag: ``read(path, count_polygons=True)`` may leave the polygons of boxed objects unparsed (valid,
empty ring lists) but their box's rectangles, for a conversion whose writer drops polygons; ``"all"``, those too, for
counting. Such a dataset never leaves :func:`labelkit.convert` or :func:`labelkit.stats`."""


def target_title(fmt: FormatModule, dataset: Dataset, options: Mapping[str, Any]) -> str:
    """The name a report gives ``fmt`` as the target of writing ``dataset`` with ``options``.

    Raises:
        UsageError: ``options`` name something the format cannot write (YOLO's ``task=bad``).
    """
    title_for = getattr(fmt, TITLE_FOR, None)
    if title_for is not None:
        return str(title_for(dataset, dict(options)))
    return str(getattr(fmt, TITLE, fmt.NAME))


@dataclass
class ParsedOptions:
    """Options split by the side they apply to."""

    read: dict[str, Any] = field(default_factory=dict)
    write: dict[str, Any] = field(default_factory=dict)


SIDE_PREFIXES = {"read.": "read", "write.": "write"}
"""Option prefixes naming the side an option goes to (``-o read.task=segment``)."""


def parse_options(
    options: Mapping[str, Any], reader: FormatModule | None, writer: FormatModule | None, validating: bool = False
) -> ParsedOptions:
    """Route and type-check options between a reader and a writer.

    An option goes to the side that takes it. One that both take (YOLO's ``task`` in YOLO -> YOLO) goes to
    the writer, since a conversion names its output: ``read.KEY`` gives an option to the reader only,
    ``write.KEY`` to the writer only. The reader takes a ``validate`` option only when ``validating``.

    Raises:
        UsageError: an option is known to neither format, a prefixed one to its side's, or is given twice.
    """
    out, takes = ParsedOptions(), {"read": ("read", "both", *("validate",) * validating), "write": ("write", "both")}
    for key, value in options.items():
        prefix = next((p for p in SIDE_PREFIXES if key.startswith(p)), None)
        if prefix is not None:
            name, side = key[len(prefix) :], SIDE_PREFIXES[prefix]
            fmt = reader if side == "read" else writer
            spec = getattr(fmt, "OPTIONS", {}).get(name) if fmt is not None else None
            if fmt is None or spec is None or spec.applies not in takes[side]:
                doing = "reading" if side == "read" else "writing"
                raise UsageError(
                    f"option {key!r}: "
                    + (f"{fmt.NAME} takes no {name!r} when {doing}" if fmt else f"this command does no {doing}"),
                    hint="'labelkit formats NAME' lists a format's options and what each applies to",
                )
            _set(out, side, name, spec.parse(value), key)
            continue
        sides = [
            (side, spec)
            for side, fmt in (("read", reader), ("write", writer))
            if fmt is not None
            and (spec := getattr(fmt, "OPTIONS", {}).get(key)) is not None
            and spec.applies in takes[side]
        ]
        if sides:
            side, spec = sides[-1]  # (the writer, when both take it)
            _set(out, side, key, spec.parse(value), key)
            continue
        for doing, fmt in (("reading", reader), ("writing", writer)):
            spec = getattr(fmt, "OPTIONS", {}).get(key) if fmt is not None else None
            if fmt is not None and spec is not None:  # known, but for the other side of this format
                other = {"read": "reading", "write": "writing"}.get(spec.applies, "validating")
                # the format of the side it would go to, when another (VOC -> COCO, -o media=copy: COCO writes)
                there = writer if spec.applies == "write" else reader if spec.applies == "read" else None
                message = f"option {key!r} applies to {other} {fmt.NAME}, not to {doing} it"
                if there is not None and there is not fmt:
                    message = (
                        f"option {key!r}: {there.NAME} takes no {key!r} when {other} ({fmt.NAME} takes it when {other})"
                    )
                raise UsageError(
                    message, hint="'labelkit formats NAME' lists a format's options and what each applies to"
                )
        known = sorted(  # (those this command takes: not COCO's reindex, a write option, when reading COCO)
            {
                k
                for side, f in (("read", reader), ("write", writer))
                if f is not None
                for k, spec in getattr(f, "OPTIONS", {}).items()
                if spec.applies in takes[side]
            }
        )
        names = " and ".join(dict.fromkeys(f.NAME for f in (reader, writer) if f is not None))  # (once in X -> X)
        raise UsageError(
            f"unknown option {key!r} for {names}",
            expected=", ".join(known) or "no options",
            hint="'labelkit formats NAME' lists a format's options",
        )
    return out


def _set(out: ParsedOptions, side: str, name: str, value: Any, key: str) -> None:
    """Give ``name`` to ``side``, refusing a second value (``task=`` and ``write.task=``)."""
    options = out.read if side == "read" else out.write
    if name in options:
        raise UsageError(f"option {key!r}: {name!r} is given twice for {'reading' if side == 'read' else 'writing'}")
    options[name] = value
