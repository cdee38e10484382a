"""The config files a YOLO folder is written with, and the notes on their split keys.

Ultralytics' ``data.yaml`` (a key per split, ``train`` and ``val`` always; names; pose's ``kpt_shape``) and
Darknet's ``obj.data`` and ``obj.names`` (a list file per split, ``valid`` naming the one Darknet validates on).
Used by :mod:`labelkit.formats.yolo_write` and, for the notes and names, :mod:`labelkit.formats.yolo_check`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from labelkit.errors import LINE_BREAKS
from labelkit.formats.yolo_config_read import SPLIT_NAMES
from labelkit.formats.yolo_layout import empty_splits_written
from labelkit.formats.yolo_lines import keypoint_count
from labelkit.io import create_file
from labelkit.model import Dataset


def _darknet_valid(splits: list[str]) -> str | None:
    """The split obj.data lists under Darknet's ``valid`` key, if any.

    ``val`` or ``validation``, else the first named ``val...`` in any case (``val2017``, CVAT's ``Validation``, as
    data.yaml's ``val`` points at it); None with a split named ``valid`` (listed under its own key).
    """
    if "valid" in splits:
        return None
    return next((s for s in ("val", "validation") if s in splits), None) or next(
        (s for s in splits if s.lower().startswith("val")), None
    )


def _stand_in_train(splits: list[str]) -> str:
    """The split a config's ``train`` names when none is: the first with "train" in its name, else the first.

    In any case: CVAT's subsets are ``Train``, ``Validation`` and ``Test``, and ``train`` named ``Test``'s images.
    """
    return next((s for s in splits if "train" in s.lower()), splits[0])


def darknet_split_order(splits: list[str]) -> list[str]:
    """The splits written (sorted), in the order a reader reads them: as ``obj.data`` names them.

    By name, but for the split ``train`` names where none is so named (:func:`write_darknet`): that one first.
    """
    first = [_stand_in_train(splits)] if splits and "train" not in splits else []
    return list(dict.fromkeys(first + splits))


def missing_split_note(split: str, where: str, needs: str) -> str:
    """The note on a split a trainer needs that the output has none of: ``no <split> split: <where> (<needs>)``."""
    return f"no {split} split: {where} ({needs})"


def split_notes(dataset: Dataset, options: dict[str, Any]) -> list[str]:
    """The notes on the config's split keys that name another split (check() makes them, so a plan says them too).

    Ultralytics needs ``train`` and ``val`` in ``data.yaml``, Darknet's trainer ``train`` in ``obj.data``: without
    such a split they name another, which would train, or validate, on another kind of split's images unsaid.
    """
    default_split = str(options.get("split") or "train")
    layout = str(options.get("layout") or "ultralytics")
    splits = dataset.item_splits(default_split)
    written = sorted({*splits, *empty_splits_written(dataset, splits, layout)})
    if layout == "darknet":
        notes = []
        if written and "train" not in (train := _stand_in_train(written)).lower():  # (CVAT's Train is one, as below)
            where = f"obj.data's train points at {train}.txt"
            notes.append(missing_split_note("train", where, "Darknet's trainer requires train"))
        if written and _darknet_valid(written) is None and "valid" not in written:
            notes.append("no val split: obj.data has no valid list (Darknet then validates on train's images)")
        if "valid" in written and (other := _darknet_valid([s for s in written if s != "valid"])) is not None:
            notes.append(
                f"a valid split beside {other}: obj.data's valid key lists the valid split's images, the list "
                f"Darknet validates on, and {other} = {other}.txt is read back, not validated on"
            )
        return notes
    keys, notes = _split_keys(written or ["train"]), []
    if "train" not in keys["train"].lower():
        where = f"data.yaml's train points at images/{keys['train']}"
        notes.append(missing_split_note("train", where, "Ultralytics requires train"))
    if "val" not in written and keys.get("val") == keys.get("train"):
        notes.append(
            missing_split_note("val", f"data.yaml's val points at images/{keys['val']}", "Ultralytics requires val")
        )
    return notes


def _split_keys(splits: list[str]) -> dict[str, str]:
    """data.yaml keys -> split folder. Ultralytics needs train and val; missing ones point at a written split."""
    keys = {s: s for s in splits}
    if "train" not in keys:
        keys = {"train": _stand_in_train(splits), **keys}
    if "val" not in keys:
        val_like = next((s for s in splits if s.lower().startswith("val")), None)  # (valid, val2017, Validation)
        keys["val"] = val_like or keys["train"]
    return keys


def flip_idx_fits(flip: Any, k: int) -> bool:
    """Whether the dataset extra ``yolo:flip_idx`` can be data.yaml's for ``k`` keypoints: ``k`` indexes below ``k``.

    Ultralytics refuses a flip_idx of another length than kpt_shape's (and labelkit's reader any index past it).
    """
    return isinstance(flip, list) and len(flip) == k and all(type(v) is int and 0 <= v < k for v in flip)


def read_split_order(splits: list[str]) -> list[str]:
    """The splits written (sorted), in the order a reader reads them.

    data.yaml's keys train, val, validation, test and minival first, then its others in the file's order (see
    ``yolo_config_read.config_split_keys``); a split two keys name, once.
    """
    keys = _split_keys(splits or ["train"])
    names = [k for k in SPLIT_NAMES if k in keys] + [k for k in keys if k not in SPLIT_NAMES]
    return list(dict.fromkeys(keys[k] for k in names))


def _encodable(value: Any) -> None:
    r"""Raise UnicodeEncodeError for a text (a class or keypoint name) holding a lone surrogate, as JSON writers do.

    PyYAML would write it escaped (``"s\uDCFF"``), which no reader takes (labelkit's refuses it): the API turns the
    error into one OutputError naming the output, and nothing is written.
    """
    if isinstance(value, str):
        value.encode()
    elif isinstance(value, dict):
        for item in value.values():
            _encodable(item)
    elif isinstance(value, list):
        for item in value:
            _encodable(item)


def write_data_yaml(dataset: Dataset, path: Path, task: str, splits: list[str], dims: int = 3) -> None:
    """Write ``data.yaml``: a key per split (``train`` and ``val`` always), ``nc``, ``names`` and the task's keys."""
    doc: dict[str, Any] = {}
    keys = _split_keys(splits or ["train"])
    for key, split in keys.items():
        doc[key] = f"images/{split}"
    doc["nc"] = len(dataset.categories)
    doc["names"] = {i: c.name for i, c in enumerate(dataset.categories)}
    channels = dataset.info.extras.get("yolo:channels")
    if type(channels) is int and channels > 0:
        doc["channels"] = channels
    if task in ("segment", "obb"):  # 4-point polygons would read back as OBB, and a file of no lines as detect
        doc["task"] = task
    if task == "pose":
        k = keypoint_count(dataset)
        doc["kpt_shape"] = [k, dims]
        flip = dataset.info.extras.get("yolo:flip_idx")
        if flip_idx_fits(flip, k):
            doc["flip_idx"] = flip  # (anything else, such as ["a"], would make data.yaml that no reader takes)
        kpt_names = kpt_names_written(dataset, k)
        if kpt_names:
            doc["kpt_names"] = kpt_names
    _encodable(doc)
    import yaml

    text = "# YOLO dataset written by labelkit\n" + yaml.dump(
        doc, Dumper=_dumper(), sort_keys=False, allow_unicode=True
    )
    create_file(str(path / "data.yaml"), text.encode())


def kpt_names_written(dataset: Dataset, k: int) -> dict[int, list[str]]:
    """The ``kpt_names`` data.yaml gets: class id -> that class's ``k`` keypoint names, as Ultralytics has it.

    Classes without ``k`` names, or with the names a reader makes up (``0``, ``1``, ...), are left out.
    """
    made_up = [str(i) for i in range(k)]
    return {
        i: list(c.keypoints)
        for i, c in enumerate(dataset.categories)
        if c.keypoints and len(c.keypoints) == k and list(c.keypoints) != made_up
    }


@functools.cache
def _dumper() -> Any:
    """The dumper class (PyYAML imported on first use, as by :mod:`labelkit.formats.yolo_yaml`)."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        """PyYAML's safe dumper, with strings holding U+0085 double-quoted, and those YAML 1.2 reads otherwise quoted.

        In its single-quoted style PyYAML writes U+0085 as a raw line break, which reads back as a space
        (every other character round-trips, checked over all of Unicode). PyYAML quotes the strings its YAML 1.1
        would read as numbers, booleans or null, but not ``1e3`` or ``0o17``, which YAML 1.2 loaders (ruamel.yaml,
        Go's and Rust's) read as 1000.0 and 15, nor ``y`` and ``n``, YAML 1.1's booleans that PyYAML leaves out
        (go-yaml v2 reads them so): those are single-quoted too (:data:`_YAML12_NOT_TEXT`).
        """

        def represent_str(self, data: str) -> Any:
            style = '"' if "\x85" in data else "'" if _YAML12_NOT_TEXT.fullmatch(data) else None
            return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    _Dumper.add_representer(str, _Dumper.represent_str)
    return _Dumper


_YAML12_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE|y|Y|n|N"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
"""Plain scalars the YAML 1.2 core schema resolves to null, a boolean, an integer or a float (spec 1.2.2, 10.3.2),
and YAML 1.1's one-letter booleans."""


_LINE_BREAKS = re.compile(f"[{LINE_BREAKS}]+")
"""A run of characters the names file reader (``str.splitlines``) breaks a line at."""


def darknet_names(dataset: Dataset) -> list[str]:
    """The class names as ``obj.names`` holds them.

    One a line, so line breaks become spaces; no surrounding spaces (a reader strips them); no U+FEFF starting
    the first name (readers drop it from the file's start, as the byte-order mark Windows tools write); a
    blank last name (a reader drops blank last lines) is ``class_<index>``.
    """
    names = [_LINE_BREAKS.sub(" ", c.name).strip() for c in dataset.categories]
    if names and names[0].startswith("\ufeff"):  # the file would start with it: read as a byte-order mark
        names[0] = names[0][1:].strip()
    last = len(names)
    while last and not names[last - 1]:
        last -= 1
    return names[:last] + [f"class_{i}" for i in range(last, len(names))]


def write_darknet(dataset: Dataset, path: Path, written: list[str], splits: list[str], image_rel: list[str]) -> None:
    """Write ``obj.names``, a list file per split of its images (``image_rel``), and ``obj.data`` naming them."""
    create_file(str(path / "obj.names"), "".join(f"{name}\n" for name in darknet_names(dataset)).encode())
    lines = [f"classes = {len(dataset.categories)}"]
    if written and "train" not in written:  # Darknet's trainer opens train's list: another split's (read back once)
        lines.append(f"train = {_stand_in_train(written)}.txt")
    # Darknet validates on the list of its valid key (on train's without one): a val split is listed there
    valid = _darknet_valid(written)
    for split in written:
        members = [r for r, s in zip(image_rel, splits, strict=True) if s == split]
        create_file(str(path / f"{split}.txt"), "".join(f"{r}\n" for r in members).encode())
        lines.append(f"{'valid' if split == valid else split} = {split}.txt")
        if split == valid and not split.startswith("val"):  # (a valid list named Validation.txt reads as valid:
            lines.append(f"{split} = {split}.txt")  # its own key beside it reads it back as Validation)
    lines += ["names = obj.names", "backup = backup/"]
    create_file(str(path / "obj.data"), ("\n".join(lines) + "\n").encode())
