"""YOLO: Ultralytics and Darknet label folders, every task (https://docs.ultralytics.com/datasets/).

Reads Ultralytics layouts (``data.yaml`` with ``train``/``val``/``test`` as folders, list files or lists,
``names`` as a list or map, ``kpt_shape``/``flip_idx``), Darknet layouts (``obj.data``, ``obj.names``,
``train.txt``, ``obj_<split>_data/``), loose folders (a names file beside ``images/`` and ``labels/``),
DOTA-style ``labelTxt`` folders and classification folders (``<split>/<class>/<image>``). Tasks: detect,
segment, OBB, pose and classify, detected from the files or forced with ``task=...``. Coordinates are
normalised, so image sizes come from the image headers (or an ``image_sizes.json`` side file, or options).
The writer lives in :mod:`labelkit.formats.yolo_write`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import yaml

from labelkit.errors import InputError, UsageError
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.yolo_media import SIZES_FILE, image_size, is_image, load_sizes, parse_size
from labelkit.io import read_bytes, safe_relpath
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model import geometry as G
from labelkit.model.tables import dumps
from labelkit.report import Report

NAME = "yolo"
DESCRIPTION = "YOLO label folders (Ultralytics and Darknet): detect, segment, OBB, pose, classify"
OUTPUT: Literal["dir"] = "dir"
EXTENSIONS: tuple[str, ...] = (".yaml", ".yml", ".names", ".data")
CAPABILITIES = Capabilities(
    kinds=frozenset({"object", "label"}),
    shapes=frozenset({"box", "polygon"}),
    geometry=frozenset({"bbox", "angle", "polygon", "keypoints"}),
    splits=True,
    extras="yolo",
)
"""Everything some YOLO task holds; :func:`check` applies the chosen task's narrower limits."""

TASKS = ("detect", "segment", "obb", "pose", "classify")
DEFAULT_SPLIT = "train"
OPTIONS: dict[str, Option] = {
    "task": Option(
        "task",
        "choice",
        "auto",
        "task to read or write; auto: detected from the files when reading, the task read (else detect) when writing",
        ("auto", *TASKS),
    ),
    "image_size": Option(
        "image_size", "str", "", "WIDTHxHEIGHT for images that are missing or unreadable", applies="read"
    ),
    "image_sizes": Option(
        "image_sizes",
        "str",
        "",
        "JSON file mapping image paths to [width, height] (read before headers)",
        applies="read",
    ),
    "layout": Option("layout", "choice", "ultralytics", "folder layout to write", ("ultralytics", "darknet"), "write"),
    "media": Option(
        "media",
        "choice",
        "none",
        "images: none (labels only), copy, or link (symlink)",
        ("none", "copy", "link"),
        "write",
    ),
    "media_root": Option("media_root", "str", "", "folder the items' image paths are relative to", applies="write"),
    "precision": Option(
        "precision",
        "str",
        "exact",
        "decimals of coordinates, or exact (shortest form that reads back)",
        applies="write",
    ),
    "split": Option("split", "str", DEFAULT_SPLIT, "split of items that have none", applies="write"),
    "kpt_dims": Option("kpt_dims", "choice", "3", "pose: 3 (x y v) or 2 (x y) per keypoint", ("2", "3"), "write"),
}

_NAMES_FILES = ("data.yaml", "data.yml", "dataset.yaml", "obj.names", "classes.txt", "classes.names")
_LABEL_DIRS = ("labels", "Labels", "annotations", "Annotations", "labelTxt")
_IMAGE_DIRS = ("images", "Images", "JPEGImages")
_CONFIG_KEYS = {
    "path",
    "names",
    "nc",
    "download",
    "kpt_shape",
    "flip_idx",
    "kpt_names",
    "channels",
    "task",
    "yaml_file",
}
_DARKNET_RESERVED = {"classes", "names", "backup", "eval", "results", "eval_type"}


# -- detection -------------------------------------------------------------------------------------


def _find_config(root: Path) -> Path | None:
    for name in _NAMES_FILES:
        if (root / name).is_file():
            return root / name
    if (root / "obj.data").is_file():
        return root / "obj.data"
    return None


def _has_txt(folder: Path) -> bool:
    """A folder holding ``.txt`` files, directly or one level down (split folders)."""
    if not folder.is_dir():
        return False
    for entry in os.scandir(folder):
        if entry.name.endswith(".txt") and entry.is_file():
            return True
        if entry.is_dir() and any(e.name.endswith(".txt") for e in os.scandir(entry.path)):
            return True
    return False


def detect(path: Path) -> Detection | None:
    """A ``data.yaml`` with ``names``, an ``obj.data``/``.names`` file, or a folder holding one or YOLO labels."""
    if path.is_file():
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:65536]
            except OSError:
                return None
            if "names" in head and ("train" in head or "val" in head or "kpt_shape" in head):
                return Detection(0.9, "Ultralytics data.yaml with names")
            return None
        if path.name == "obj.data" or path.suffix.lower() == ".names":
            return Detection(0.8, f"Darknet {path.name}")
        return None
    if not path.is_dir():
        return None
    config = _find_config(path)
    if config is not None and config.suffix in (".yaml", ".yml"):
        return Detection(0.9, f"folder with {config.name}")
    label_dirs = [path / d for d in _LABEL_DIRS] + [
        path / s / d for s in ("train", "valid", "val", "test") for d in ("labels", "labelTxt")
    ]
    has_labels = any(_has_txt(d) for d in label_dirs)
    if config is not None and (has_labels or (path / "obj.data").is_file()):
        return Detection(0.85, f"folder with {config.name} and label files")
    if has_labels and not (path / "Annotations").is_dir():
        return Detection(0.5, "folder with labels/ and no names file")
    if _classify_splits(path):
        return Detection(0.3, "folder of split/class/image folders (YOLO classify)")
    return None


# -- layout ----------------------------------------------------------------------------------------


@dataclass
class _Entry:
    split: str | None
    key: str
    image: Path | None
    label: Path | None


@dataclass
class _Layout:
    root: Path
    names: list[str]
    entries: list[_Entry] = field(default_factory=list)
    kpt_shape: tuple[int, int] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    dota: bool = False
    classify: bool = False


def _img2label(image: Path) -> Path:
    """Ultralytics' rule: the last ``images`` folder in the path becomes ``labels``; else the label sits beside it."""
    parts = list(image.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] in ("images", "Images"):
            for label_dir in ("labels", "Labels", "Annotations", "annotations", "labelTxt"):
                candidate = Path(*parts[:i], label_dir, *parts[i + 1 :]).with_suffix(".txt")
                if candidate.is_file():
                    return candidate
            return Path(*parts[:i], "labels", *parts[i + 1 :]).with_suffix(".txt")
    return image.with_suffix(".txt")


def _images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and is_image(p))


def _rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` (string work: this runs once per image)."""
    text, base = str(path), str(root) + os.sep
    if text.startswith(base):
        return text[len(base) :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _parse_names(value: Any, source: Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        try:
            by_id = {int(k): str(v) for k, v in value.items()}
        except (TypeError, ValueError):
            raise InputError("names keys must be class ids", path=source, element="names") from None
        if sorted(by_id) != list(range(len(by_id))):
            raise InputError("names ids must be 0..n-1", path=source, element="names", found=str(sorted(by_id)))
        return [by_id[i] for i in range(len(by_id))]
    raise InputError("names must be a list or an id -> name map", path=source, element="names")


def _read_names_file(path: Path) -> list[str]:
    text = read_bytes(path).decode("utf-8", errors="replace")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.strip() for line in lines]


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        value = yaml.safe_load(read_bytes(path).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path, line=line) from exc
    if not isinstance(value, dict):
        raise InputError("data.yaml must be a mapping", path=path)
    return value


def _resolve_source(base: Path, value: str, key: str) -> Path | None:
    candidates = [base / value]
    if value.startswith("../"):
        # Ultralytics drops a leading ../ when the path is missing (Roboflow exports point one level up)
        candidates.append(base / value[3:])
    # Roboflow writes val: ../valid/images while its folder is val/; fall back to <split>/images
    candidates += [base / key / "images", base / "images" / key]
    for c in candidates:
        if c.exists():
            return c
    return None


def _ultralytics(config_path: Path, sizes: dict[str, tuple[int, int]]) -> _Layout:
    config = _load_yaml(config_path)
    folder = config_path.parent
    root = folder
    if isinstance(config.get("path"), str):
        candidate = Path(config["path"])
        candidate = candidate if candidate.is_absolute() else folder / candidate
        if candidate.is_dir():
            root = candidate
    names = _parse_names(config.get("names"), config_path)
    if not names and isinstance(config.get("nc"), int):
        names = [f"class_{i}" for i in range(config["nc"])]
    if isinstance(config.get("nc"), int) and config["nc"] != len(names):
        raise InputError("nc does not match names", path=config_path, element="nc", expected=str(len(names)))
    layout = _Layout(root=root, names=names, config=config)
    kpt = config.get("kpt_shape")
    if kpt is not None:
        if not (isinstance(kpt, list) and len(kpt) == 2 and all(isinstance(v, int) for v in kpt) and kpt[1] in (2, 3)):
            raise InputError("kpt_shape must be [K, 2 or 3]", path=config_path, element="kpt_shape", found=repr(kpt))
        layout.kpt_shape = (kpt[0], kpt[1])
    split_keys = [k for k in ("train", "val", "validation", "test", "minival") if config.get(k)]
    # other keys holding image folders are splits too (labelkit writes train2017: images/train2017)
    split_keys += [
        k
        for k, v in config.items()
        if k not in split_keys and k not in _CONFIG_KEYS and isinstance(v, str) and v.startswith("images/")
    ]
    if not split_keys:
        raise InputError("data.yaml names no train, val or test images", path=config_path, element="train")
    any_found = False
    sources: dict[Path, str] = {}
    for key in split_keys:
        split = "val" if key == "validation" else key
        values = config[key] if isinstance(config[key], list) else [config[key]]
        for value in values:
            source = _resolve_source(root, str(value), split)
            if source is None:
                source = _labels_only_source(root, str(value), split)
                if source is None:
                    continue
            any_found = True
            # a folder named by two keys (Ultralytics needs train and val) is read once, under its own name
            if source not in sources or source.name == split:
                sources[source] = split
    for source, split in sources.items():
        layout.entries += _entries_from_source(source, root, split, sizes)
    if not any_found:
        hint = f"download: {config['download']}" if config.get("download") else None
        raise InputError(
            "none of the image folders or lists named in data.yaml exist",
            path=config_path,
            element=split_keys[0],
            found=str(config[split_keys[0]]),
            hint=hint,
        )
    return layout


def _labels_only_source(root: Path, value: str, split: str) -> Path | None:
    """The labels folder of a missing images folder (output written with media=none)."""
    label_dir = _img2label(root / value / "x.jpg").parent
    return label_dir if label_dir.is_dir() and (root / SIZES_FILE).is_file() else None


def _entries_from_source(
    source: Path, root: Path, split: str | None, sizes: dict[str, tuple[int, int]]
) -> list[_Entry]:
    if source.is_file():
        return _entries_from_list(source, root, split)
    if source.name in _LABEL_DIRS or source.parent.name in _LABEL_DIRS:
        return _entries_from_labels(source, root, split, sizes)
    entries = []
    for image in _images_under(source):
        key = image.relative_to(source).with_suffix("").as_posix()
        entries.append(_Entry(split, key, image, _img2label(image)))
    # label files whose image is absent (listed in the size side file, or an error later)
    label_dir = _img2label(source / "x.jpg").parent
    if label_dir != source and label_dir.is_dir():
        known = {e.label for e in entries}
        for extra in _entries_from_labels(label_dir, root, split, sizes):
            if extra.label not in known:
                entries.append(extra)
    return entries


def _label_rel(image_rel: str) -> str:
    """:func:`_img2label` on a relative POSIX path, as pure string work (no file checks)."""
    text = "/" + image_rel
    cut = text.rfind("/images/")
    if cut >= 0:
        text = text[:cut] + "/labels/" + text[cut + len("/images/") :]
    head, slash, base = text.rpartition("/")
    dot = base.rfind(".")
    return (head + slash + (base[:dot] if dot > 0 else base) + ".txt")[1:]


def _walk_files(folder: Path, suffix: str) -> list[str]:
    """Paths (relative to ``folder``, ``/``-separated, sorted) of the files ending in ``suffix``."""
    found = []
    base = str(folder)
    for current, dirs, files in os.walk(base):
        dirs.sort()
        rel = os.path.relpath(current, base).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + f for f in files if f.endswith(suffix)]
    return sorted(found)


def _entries_from_labels(
    label_dir: Path, root: Path, split: str | None, sizes: dict[str, tuple[int, int]]
) -> list[_Entry]:
    """Entries for every label file under ``label_dir``; images come from the size side file, if any."""
    by_label = {_label_rel(name): name for name in sizes}
    label_prefix = _rel(label_dir, root) + "/"
    entries = []
    for name in _walk_files(label_dir, ".txt"):
        image = by_label.get(label_prefix + name)
        entries.append(_Entry(split, name[:-4], root / image if image else None, label_dir / name))
    return entries


def _entries_from_list(list_file: Path, root: Path, split: str | None) -> list[_Entry]:
    entries = []
    text = read_bytes(list_file).decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name = safe_relpath(line[2:] if line.startswith("./") else line, source=list_file, pointer=None)
        candidates = [list_file.parent / name, root / name]
        if "/" in name:
            # Darknet lists often carry the data/ prefix of the training machine (Datumaro's exporter adds it)
            candidates.append(root / name.split("/", 1)[1])
        image = next((c for c in candidates if c.is_file()), candidates[0])
        key = Path(name).with_suffix("").as_posix()
        entries.append(_Entry(split, key, image, _img2label(image)))
        del number
    return entries


def _darknet(data_path: Path) -> _Layout:
    root = data_path.parent
    config: dict[str, str] = {}
    text = read_bytes(data_path).decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError("expected key = value", path=data_path, line=number, found=repr(line))
        config[key.strip()] = value.strip()

    def local(value: str) -> Path:
        name = safe_relpath(value, source=data_path)
        path = root / name
        if not path.exists() and "/" in name:
            path = root / name.split("/", 1)[1]
        return path

    names_path = local(config["names"]) if "names" in config else root / "obj.names"
    names = _read_names_file(names_path) if names_path.is_file() else []
    layout = _Layout(root=root, names=names, config=dict(config))
    for key, value in config.items():
        if key in _DARKNET_RESERVED:
            continue
        source = local(value)
        if source.is_file():
            layout.entries += _entries_from_list(source, root, key)
    return layout


def _classify_splits(root: Path) -> list[Path]:
    splits = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        classes = [c for c in sub.iterdir() if c.is_dir()]
        if classes and all(any(is_image(f) for f in c.iterdir()) or not any(c.iterdir()) for c in classes[:8]):
            if not any(f.suffix == ".txt" for c in classes[:8] for f in c.iterdir()):
                splits.append(sub)
    return splits if any(s.name in ("train", "val", "valid", "validation", "test") for s in splits) else []


def _loose(root: Path, sizes: dict[str, tuple[int, int]]) -> _Layout:
    names_file = next((root / n for n in ("obj.names", "classes.txt", "classes.names") if (root / n).is_file()), None)
    if names_file is None:
        found = sorted(root.glob("*.names"))
        names_file = found[0] if found else None
    names = _read_names_file(names_file) if names_file is not None else []
    layout = _Layout(root=root, names=names)
    image_dir = next((root / d for d in _IMAGE_DIRS if (root / d).is_dir()), None)
    label_dir = next((root / d for d in _LABEL_DIRS if (root / d).is_dir()), None)
    pairs: list[tuple[str | None, Path | None, Path | None]] = []
    if image_dir is not None or label_dir is not None:
        subdirs = sorted({p.name for d in (image_dir, label_dir) if d is not None for p in d.iterdir() if p.is_dir()})
        if subdirs:
            pairs += [(s, _opt(image_dir, s), _opt(label_dir, s)) for s in subdirs]
        else:
            pairs.append((None, image_dir, label_dir))
    else:
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            if any((sub / d).is_dir() for d in _LABEL_DIRS):
                pairs.append(
                    (sub.name, _opt(sub, "images"), next((sub / d for d in _LABEL_DIRS if (sub / d).is_dir()), None))
                )
    for split, images, labels in pairs:
        if labels is not None and labels.name == "labelTxt":
            layout.dota = True
        entries: dict[str, _Entry] = {}
        if images is not None:
            for image in _images_under(images):
                key = image.relative_to(images).with_suffix("").as_posix()
                label = labels / Path(key + ".txt") if labels is not None else None
                entries[key] = _Entry(split, key, image, label)
        if labels is not None:
            for entry in _entries_from_labels(labels, root, split, sizes):
                if entry.key not in entries:
                    entries[entry.key] = entry
        layout.entries += [entries[k] for k in sorted(entries)]
    return layout


def _opt(folder: Path | None, name: str) -> Path | None:
    if folder is None:
        return None
    return folder / name if (folder / name).is_dir() else None


def _classify_layout(root: Path) -> _Layout:
    splits = _classify_splits(root)
    classes = sorted({c.name for s in splits for c in s.iterdir() if c.is_dir()})
    layout = _Layout(root=root, names=classes, classify=True)
    for split in splits:
        for class_dir in sorted(c for c in split.iterdir() if c.is_dir()):
            for image in _images_under(class_dir):
                layout.entries.append(
                    _Entry(split.name, image.relative_to(class_dir).with_suffix("").as_posix(), image, None)
                )
                layout.config.setdefault("_class_of", {})[str(image)] = class_dir.name
    return layout


def _layout(path: Path, task: str, sizes_option: str) -> tuple[_Layout, dict[str, tuple[int, int]]]:
    root = path if path.is_dir() else path.parent
    sizes: dict[str, tuple[int, int]] = {}
    sizes_file = Path(sizes_option) if sizes_option else root / SIZES_FILE
    if sizes_option or sizes_file.is_file():
        sizes = load_sizes(sizes_file)
    if task == "classify" or (
        task == "auto" and path.is_dir() and _find_config(path) is None and _classify_splits(path)
    ):
        return _classify_layout(root), sizes
    config = path if path.is_file() else _find_config(path)
    if config is not None and config.suffix in (".yaml", ".yml"):
        return _ultralytics(config, sizes), sizes
    if config is not None and config.name == "obj.data" or (root / "obj.data").is_file():
        return _darknet(root / "obj.data"), sizes
    return _loose(root, sizes), sizes


# -- parsing ---------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    classes: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    entry: list[int] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    extras: list[str | None] = field(default_factory=list)


def _parse_file(data: bytes, path: Path, index: int, out: _Parsed, n_classes: int) -> None:
    """Parse one label file: per line a split and a count (so errors keep their line); numbers in bulk."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError("label file is not UTF-8 text", path=path, line=line) from exc
    heads: list[str] = []
    counts: list[int] = []
    tokens: list[str] = []
    lines: list[int] = []
    for number, raw in enumerate(text.split("\n"), 1):
        parts = raw.split()
        if parts:
            heads.append(parts[0])
            counts.append(len(parts) - 1)
            tokens += parts[1:]
            lines.append(number)
    if not heads:
        return
    if not all(map(str.isdigit, heads)):
        i = next(i for i, h in enumerate(heads) if not h.isdigit())
        raise InputError("class id must be a non-negative integer", path=path, line=lines[i], found=repr(heads[i]))
    classes = list(map(int, heads))
    if n_classes and max(classes) >= n_classes:
        i = next(i for i, c in enumerate(classes) if c >= n_classes)
        raise InputError(
            f"class id {classes[i]} is beyond names ({n_classes} classes)",
            path=path,
            line=lines[i],
            expected=f"< {n_classes}",
        )
    try:
        values = list(map(float, tokens))
    except ValueError:
        bad = next(i for i, v in enumerate(tokens) if not _is_number(v))
        raise InputError(
            "coordinate is not a number", path=path, line=_line_of(bad, counts, lines), found=repr(tokens[bad])
        ) from None
    out.classes += classes
    out.counts += counts
    out.values += values
    out.entry += [index] * len(heads)
    out.line += lines


def _check_finite(parsed: _Parsed, files: list[Path]) -> None:
    """``nan`` and ``inf`` parse as floats; refuse them, naming the file and line (checked in bulk)."""
    values = np.asarray(parsed.values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        offsets = np.cumsum(np.asarray(parsed.counts, dtype=np.int64))
        obj = int(np.searchsorted(offsets, bad[0], side="right"))
        raise InputError("coordinate is not finite", path=files[parsed.entry[obj]], line=parsed.line[obj])


def _line_of(token: int, counts: list[int], lines: list[int]) -> int:
    """The line number of the ``token``-th coordinate of a file."""
    for count, line in zip(counts, lines, strict=True):
        if token < count:
            return line
        token -= count
    return lines[-1]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_dota(data: bytes, path: Path, index: int, out: _Parsed, names: list[str]) -> None:
    text = data.decode("utf-8", errors="replace")
    for number, raw in enumerate(text.split("\n"), 1):
        parts = raw.split()
        if not parts or ":" in parts[0]:
            continue  # blank lines and DOTA headers (imagesource:..., gsd:...)
        if len(parts) not in (9, 10):
            raise InputError(
                "DOTA line needs 8 coordinates, a class name and optionally difficult",
                path=path,
                line=number,
                found=f"{len(parts)} fields",
            )
        try:
            values = [float(v) for v in parts[:8]]
            difficult = int(parts[9]) if len(parts) == 10 else None
        except ValueError:
            raise InputError("coordinate is not a number", path=path, line=number) from None
        if parts[8] not in names:
            names.append(parts[8])
        out.classes.append(names.index(parts[8]))
        out.counts.append(8)
        out.values.extend(values)
        out.entry.append(index)
        out.line.append(number)
        out.extras.append(dumps({"dota:difficult": difficult}) if difficult is not None else None)


def _decide_task(task: str, layout: _Layout, parsed: _Parsed) -> str:
    if task != "auto":
        return task
    if layout.kpt_shape is not None:
        return "pose"
    if layout.dota:
        return "obb"
    counts = set(parsed.counts)
    if not counts or counts == {4}:
        return "detect"
    if counts == {8}:
        return "obb"
    return "segment"


def _check_counts(task: str, layout: _Layout, parsed: _Parsed, files: list[Path]) -> None:
    counts = np.asarray(parsed.counts, dtype=np.int64)
    if task == "detect":
        bad = counts != 4
        expected = "5 fields: class cx cy w h"
    elif task == "obb":
        bad = counts != 8
        expected = "9 fields: class x1 y1 x2 y2 x3 y3 x4 y4"
    elif task == "pose":
        k, dims = layout.kpt_shape or (0, 3)
        bad = counts != 4 + k * dims
        expected = f"{5 + k * dims} fields: class cx cy w h and {k} keypoints of {dims} values (kpt_shape)"
    else:
        bad = ~((counts == 4) | ((counts >= 6) & (counts % 2 == 0)))
        expected = "class then at least 3 x y points (or a 5-field box)"
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"wrong number of fields for YOLO {task}",
            path=files[parsed.entry[i]],
            line=parsed.line[i],
            expected=expected,
            found=f"{counts[i] + 1} fields",
        )


# -- building the dataset --------------------------------------------------------------------------


def read(path: Path, **options: Any) -> Dataset:
    """Read a YOLO dataset from a folder, a ``data.yaml``, an ``obj.data`` or a names file.

    Raises:
        InputError: a bad line (named by ``file:line``), a class id beyond ``names``, a missing or
            unreadable image whose size is needed, or a layout with no images or labels.
    """
    task = str(options.get("task", "auto"))
    if task not in ("auto", *TASKS):
        raise UsageError("bad task", expected=", ".join(TASKS), found=task)
    layout, sizes = _layout(path, task, str(options.get("image_sizes") or ""))
    fallback = parse_size(str(options["image_size"])) if options.get("image_size") else None
    if not layout.entries:
        raise InputError("no images or label files found", path=path, hint="is this a YOLO dataset folder?")
    if layout.classify:
        return _classify_dataset(layout)
    if any(e.label is not None and "labelTxt" in e.label.parts for e in layout.entries):
        layout.dota = True
    parsed = _Parsed()
    files: list[Path] = []
    names = list(layout.names)
    for index, entry in enumerate(layout.entries):
        files.append(entry.label if entry.label is not None else Path(""))
        if entry.label is None:
            continue
        try:
            with open(entry.label, "rb") as fh:
                data = fh.read()
        except (FileNotFoundError, IsADirectoryError):
            continue  # an image without a label file: an image without objects
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=entry.label) from exc
        if layout.dota:
            _parse_dota(data, entry.label, index, parsed, names)
        else:
            _parse_file(data, entry.label, index, parsed, len(names))
    if not layout.dota and not names and parsed.classes:
        names = [f"class_{i}" for i in range(max(parsed.classes) + 1)]
    chosen = _decide_task(task, layout, parsed)
    if not layout.dota:
        _check_counts(chosen, layout, parsed, files)
        _check_finite(parsed, files)
    return _build(layout, names, parsed, chosen, sizes, fallback, files)


def _item_sizes(
    layout: _Layout, parsed: _Parsed, sizes: dict[str, tuple[int, int]], fallback: tuple[int, int] | None
) -> tuple[list[int | None], list[int | None], list[str | None]]:
    needs = np.zeros(len(layout.entries), dtype=bool)
    if parsed.entry and not layout.dota:
        needs[np.asarray(parsed.entry, dtype=np.int64)] = True
    widths: list[int | None] = []
    heights: list[int | None] = []
    paths: list[str | None] = []
    for i, entry in enumerate(layout.entries):
        size: tuple[int, int] | None = None
        rel = _rel(entry.image, layout.root) if entry.image is not None else None
        if rel is not None and rel in sizes:
            size = sizes[rel]
        elif entry.image is not None and entry.image.is_file():
            size = image_size(entry.image)
        elif fallback is not None:
            size = fallback
        elif needs[i]:
            where = entry.image if entry.image is not None else entry.label
            raise InputError(
                "image not found; YOLO coordinates are normalised, so its size is needed",
                path=where,
                hint="provide the images, or -o image_size=WIDTHxHEIGHT, or -o image_sizes=FILE.json",
            )
        widths.append(size[0] if size else None)
        heights.append(size[1] if size else None)
        paths.append(rel)
    return widths, heights, paths


def _item_ids(layout: _Layout) -> list[str]:
    keys = [e.key for e in layout.entries]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    return [f"{e.split}/{e.key}" if seen[e.key] > 1 and e.split else e.key for e in layout.entries]


def _items_table(
    layout: _Layout, ids: list[str], widths: list[int | None], heights: list[int | None], paths: list[str | None]
) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "media": pa.array(["image"] * len(ids), pa.string()),
            "path": pa.array(paths, pa.string()),
            "width": pa.array(widths, pa.int64()),
            "height": pa.array(heights, pa.int64()),
            "split": pa.array([e.split for e in layout.entries], pa.string()),
        }
    )


def _build(
    layout: _Layout,
    names: list[str],
    parsed: _Parsed,
    task: str,
    sizes: dict[str, tuple[int, int]],
    fallback: tuple[int, int] | None,
    files: list[Path],
) -> Dataset:
    ids = _item_ids(layout)
    widths, heights, paths = _item_sizes(layout, parsed, sizes, fallback)
    n = len(parsed.classes)
    entry = np.asarray(parsed.entry, dtype=np.int64)
    w = np.asarray([v if v is not None else 0 for v in widths], dtype=np.float64)[entry] if n else np.zeros(0)
    h = np.asarray([v if v is not None else 0 for v in heights], dtype=np.float64)[entry] if n else np.zeros(0)
    values = np.asarray(parsed.values, dtype=np.float64)
    counts = np.asarray(parsed.counts, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    shape = np.full(n, "box", dtype=object)
    angle = np.zeros(n, dtype=np.float64)
    bbox = np.zeros((n, 4), dtype=np.float64)
    polygon: pa.Array = pa.nulls(n, pa.list_(pa.list_(pa.float64())))
    keypoints: pa.Array = pa.nulls(n, pa.list_(pa.float64()))
    if task in ("detect", "pose"):
        head = values[(offsets[:-1, None] + np.arange(4)).reshape(-1)].reshape(-1, 4) if n else np.zeros((0, 4))
        bbox = G.yolo_to_xywh(head, w, h)
        if task == "pose" and n:
            keypoints = _keypoints(values, offsets, layout.kpt_shape or (0, 3), w, h)
    elif task == "obb":
        corners = values.reshape(-1, 8)
        if not layout.dota:
            corners = corners * np.repeat(np.stack([w, h], axis=1), 4, axis=0).reshape(-1, 8)
        bbox, angle, is_rect = G.corners_to_rotated_box(corners)
        quad = ~is_rect
        if quad.any():
            shape[quad] = "polygon"
            bbox[quad] = G.ring_bounds(corners[quad].reshape(-1), np.arange(0, 8 * (int(quad.sum()) + 1), 8))
            angle[quad] = 0.0
            rings = [[row] if q else None for row, q in zip(corners.tolist(), quad.tolist(), strict=True)]
            polygon = pa.array(rings, pa.list_(pa.list_(pa.float64())))
    else:  # segment: polygons, plus any 5-field box lines
        is_box = counts == 4
        scale = np.empty_like(values)
        obj_of_value = np.repeat(np.arange(n), counts)
        scale[0::2] = w[obj_of_value[0::2]] if n else scale[0::2]
        scale[1::2] = h[obj_of_value[1::2]] if n else scale[1::2]
        absolute = values * scale
        if n:
            bbox = G.ring_bounds(absolute, offsets)
        if is_box.any():
            box_values = values[(offsets[:-1][is_box, None] + np.arange(4)).reshape(-1)].reshape(-1, 4)
            bbox[is_box] = G.yolo_to_xywh(box_values, w[is_box], h[is_box])
        shape[~is_box] = "polygon"
        inner = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(absolute, pa.float64()))
        outer_offsets = np.arange(n + 1, dtype=np.int32)
        mask = pa.array(is_box)
        polygon = pa.ListArray.from_arrays(pa.array(outer_offsets), inner, mask=mask)
    item_ids = np.asarray(ids, dtype=object)[entry] if n else np.zeros(0, dtype=object)
    objects = pa.table(
        {
            "id": pa.array([str(i + 1) for i in range(n)], pa.string()),
            "item_id": pa.array(item_ids.tolist(), pa.string()),
            "category_id": pa.array(parsed.classes, pa.int64()),
            "extras": pa.array(parsed.extras if parsed.extras else [None] * n, pa.string()),
            "shape": pa.array(shape.tolist(), pa.string()),
            "bbox": pa.FixedSizeListArray.from_arrays(pa.array(bbox.reshape(-1), pa.float64()), 4),
            "angle": pa.array(angle, pa.float64()),
            "polygon": polygon,
            "keypoints": keypoints,
        }
    )
    categories = [Category(id=i, name=name) for i, name in enumerate(names)]
    extras: dict[str, Any] = {"yolo:task": task}
    if task == "pose" and layout.kpt_shape is not None:
        k = layout.kpt_shape[0]
        kpt_names = _kpt_names(layout.config.get("kpt_names"), k)
        categories = [c.model_copy(update={"keypoints": kpt_names}) for c in categories]
        if layout.kpt_shape[1] == 2:
            extras["yolo:kpt_dims"] = 2
        if isinstance(layout.config.get("flip_idx"), list):
            extras["yolo:flip_idx"] = [int(v) for v in layout.config["flip_idx"]]
    del files
    return Dataset.from_tables(
        {"items": _items_table(layout, ids, widths, heights, paths), "objects": objects},
        categories,
        DatasetInfo(extras=extras),
    )


def _kpt_names(value: Any, k: int) -> list[str]:
    if isinstance(value, dict) and value:
        first = next(iter(value.values()))
        if isinstance(first, list) and len(first) == k:
            return [str(v) for v in first]
    return [str(i) for i in range(k)]


def _keypoints(values: Any, offsets: Any, kpt_shape: tuple[int, int], w: Any, h: Any) -> pa.Array:
    k, dims = kpt_shape
    n = len(offsets) - 1
    idx = (offsets[:-1, None] + 4 + np.arange(k * dims)).reshape(-1)
    raw = values[idx].reshape(n, k, dims)
    out = np.empty((n, k, 3), dtype=np.float64)
    out[:, :, 0] = raw[:, :, 0] * w[:, None]
    out[:, :, 1] = raw[:, :, 1] * h[:, None]
    if dims == 3:
        out[:, :, 2] = raw[:, :, 2]
    else:
        # Ultralytics: without a visibility column, a point at 0,0 or with a negative coordinate is not labelled
        missing = ((raw[:, :, 0] == 0) & (raw[:, :, 1] == 0)) | (raw[:, :, 0] < 0) | (raw[:, :, 1] < 0)
        out[:, :, 2] = np.where(missing, 0.0, 2.0)
    return pa.FixedSizeListArray.from_arrays(pa.array(out.reshape(-1), pa.float64()), k * 3).cast(
        pa.list_(pa.float64())
    )


def _classify_dataset(layout: _Layout) -> Dataset:
    ids = _item_ids(layout)
    class_of: dict[str, str] = layout.config.get("_class_of", {})
    widths, heights, paths = [], [], []
    for entry in layout.entries:
        assert entry.image is not None
        width, height = image_size(entry.image)
        widths.append(width)
        heights.append(height)
        paths.append(_rel(entry.image, layout.root))
    index = {name: i for i, name in enumerate(layout.names)}
    categories = [index[class_of[str(e.image)]] for e in layout.entries]
    labels = pa.table(
        {
            "id": pa.array([str(i + 1) for i in range(len(ids))], pa.string()),
            "item_id": pa.array(ids, pa.string()),
            "category_id": pa.array(categories, pa.int64()),
        }
    )
    return Dataset.from_tables(
        {"items": _items_table(layout, ids, list(widths), list(heights), list(paths)), "labels": labels},
        [Category(id=i, name=name) for i, name in enumerate(layout.names)],
        DatasetInfo(extras={"yolo:task": "classify"}),
    )


# -- writing (see yolo_write) ----------------------------------------------------------------------


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what the chosen task cannot hold (see :func:`labelkit.formats.yolo_write.check`)."""
    from labelkit.formats import yolo_write

    yolo_write.check(dataset, report, **options)


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write a YOLO folder (see :func:`labelkit.formats.yolo_write.write`)."""
    from labelkit.formats import yolo_write

    yolo_write.write(dataset, path, report, **options)
