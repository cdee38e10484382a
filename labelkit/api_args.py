"""The public API's arguments: paths, format names and datasets, refused with a labelkit error when wrong.

A value of the wrong type (a dict given as the dataset, ``None`` as a path) reached the code inside, which
failed with Python's own ``AttributeError`` or ``TypeError`` (``'dict' object has no attribute 'tables'``).
"""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath
from typing import Any, Literal

from labelkit.errors import InputError, OutputError, UsageError
from labelkit.errors import type_name as type_name
from labelkit.formats.base import SPLIT_FILES, FormatModule
from labelkit.io import is_plain_name
from labelkit.io_output import refuse_folder_for_file
from labelkit.model import Dataset
from labelkit.portable import folded_name

EMPTY_PATH = "an empty path names no file or folder"
"""The error for an input or output given as ``""`` (see :func:`input_path`, :func:`output_path`)."""


def as_path(path: object, what: str) -> Path:
    """``path`` as a Path, refusing one that is neither a str nor an ``os.PathLike`` of text (bytes, ``None``, a dict).

    Raises:
        UsageError: naming ``what`` and the type received.
    """
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str):
        raise UsageError(f"{what} must be a path (a str or pathlib.Path), not {type_name(path)}")
    return Path(text)


def input_path(path: str | Path, what: str = "the input") -> Path:
    """``path`` as a Path, refusing the empty text (``Path("")`` is the current folder).

    Raises:
        InputError: ``path`` is ``""`` (``labelkit info "$DATA"`` with DATA unset read the current folder's
            datasets); ``"."`` names the current folder.
        UsageError: ``path`` is not a path (``None``, a dict, bytes): ``what`` and its type are named.
    """
    checked = as_path(path, what)
    if isinstance(path, str) and not path:
        raise InputError(EMPTY_PATH, hint="name the current folder as .")
    return checked


def output_path(path: str | Path, what: str = "output", kind: Literal["file", "dir"] = "dir") -> Path:
    """``path`` as a Path, refusing the empty text (``Path("")`` is the current folder), and a file's folder path.

    Raises:
        OutputError: ``path`` is ``""`` (``convert x.json "$OUT"`` with OUT unset was refused as ``.``, the
            current folder, which it did not name); ``what`` (the output, report, lockfile) is in the hint. Or
            ``kind`` is ``"file"`` and ``path`` is spelled as a folder
            (:func:`~labelkit.io_output.refuse_folder_for_file`), or it holds NUL (:func:`refuse_nul`).
        UsageError: ``path`` is not a path (``None``, a dict, bytes): its type is named.
    """
    checked = as_path(path, f"the {what}")
    if isinstance(path, str) and not path:
        raise OutputError(EMPTY_PATH, hint=f"give the {what} a name")
    refuse_nul(checked, what)
    refuse_folder_for_file(path, kind, what)
    return checked


def refuse_nul(path: Path, what: str) -> None:
    """Refuse an output's path holding NUL, which no file name can hold (was ``ValueError: embedded null byte``).

    Raises:
        OutputError: naming ``what`` (the output, the lockfile).
    """
    if "\x00" in str(path):
        raise OutputError(f"the {what}'s path holds a NUL character, which no file name can", path=str(path))


def format_name(name: object, what: str = "format") -> str:
    """``name`` when it is a str.

    Raises:
        UsageError: it is not (a dict was ``TypeError: unhashable type``), naming ``what`` and its type.
    """
    if not isinstance(name, str):
        raise UsageError(f"{what} must be a format name (a str), not {type_name(name)}")
    return name


def require_dataset(dataset: Any) -> Dataset:
    """``dataset`` when it is a :class:`~labelkit.model.Dataset`.

    Raises:
        UsageError: it is not, naming its type; a path is told to be loaded (or converted) first. Or its categories
            are not all ``Category`` records, or its info is no ``DatasetInfo`` (a dict set there).
    """
    if isinstance(dataset, Dataset):
        error = dataset.parts_error()  # (a dict appended to its categories, or set as its info)
        if error is not None:
            raise error
        return dataset
    hint = None
    if isinstance(dataset, (str, os.PathLike)):
        hint = "load it first with labelkit.load(path), or convert a file with labelkit.convert(src, dst, to=...)"
    raise UsageError(f"dataset must be a labelkit Dataset, not {type_name(dataset)}", hint=hint)


def refuse_unsafe_splits(dataset: Dataset, path: Path | None, fmt: FormatModule, options: dict[str, Any]) -> None:
    r"""Refuse a split that is not a plain name where the format names folders or files after splits.

    ``../x``, ``/abs``, ``a/b`` or ``a\b`` would put files outside the output folder (or in folders the
    layout does not have). So are two splits that differ only in case or Unicode normalisation (``Train``
    and ``train``): on macOS and Windows they would be one folder (YOLO: each split reads both's images) or
    one file (VOC, COCO, Darknet lists: the later overwrites the earlier), so the output would depend on
    the machine. The split write option (for items without one) is checked too. Formats that keep the split
    as a value (labelkit JSON, Parquet) take any text.
    """
    if not getattr(fmt, SPLIT_FILES, False):
        return
    splits = set(dataset.table("items")["split"].unique().to_pylist())
    if options.get("split") is not None:
        splits.add(str(options["split"]))
    seen: dict[str, str] = {}
    for split in sorted(s for s in splits if s is not None):
        refuse_unsafe_split(split, path)
        other = seen.setdefault(folded_name(split), split)
        if other != split:  # one folder or file where names differ only in case (macOS, Windows): refused everywhere
            raise OutputError(
                f"splits {ascii(other)} and {ascii(split)} differ only in case or Unicode normalisation",
                path=path,
                hint="rename one of them: macOS and Windows file systems take them for one folder or file name",
            )


def refuse_unsafe_split(split: str, path: str | Path | None) -> None:
    """Refuse a split that cannot name a folder or file: not a plain name (``../x``, ``a/b``), or a drive on Windows."""
    if not is_plain_name(split) or (os.name == "nt" and PureWindowsPath(split).drive):
        raise OutputError(
            f"split {split!r} cannot be a folder or file name",
            path=path,
            hint="splits are plain names such as train, val or test",
        )


def writer_named(name: object, what: str = "format") -> FormatModule:
    """The format module ``name`` names, which must write.

    Raises:
        UsageError: the name is not a str, or the format only reads.
        UnknownFormatError: no format has this name.
    """
    from labelkit import formats

    fmt = formats.get(format_name(name, what))
    if not formats.can_write(fmt):
        raise UsageError(f"format {fmt.NAME!r} cannot write, only read")
    return fmt
