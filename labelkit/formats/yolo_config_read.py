r"""Reading a YOLO config: its class names, the text of names and list files, and what a ``data.yaml`` names.

A ``data.yaml``'s ``path`` (the dataset root) and split keys (a folder, a list file or a list of them each,
found as Ultralytics finds them: Roboflow's ``../valid/images``, a Colab path, a Windows ``images\train``).
The layouts built from them are in :mod:`labelkit.formats.yolo_configs`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from labelkit.errors import InputError
from labelkit.formats.yolo_layout import CONFIG_KEYS, find_config, img2label, rel_path
from labelkit.formats.yolo_yaml import load_yaml, yaml_key_line, yaml_value_line
from labelkit.io import Inside, read_file, read_text


def parse_names(value: Any, source: Path) -> list[str]:
    """Class names from ``names``: a list, or an ``{id: name}`` map of ids 0..n-1 (None: no names).

    Raises:
        InputError: other keys, ids not 0..n-1, or another type, naming ``names`` in ``source``.
    """
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        # integer keys (or their digits as text, as many as int() reads); 1.5 and true would pass int() as 1
        most = sys.get_int_max_str_digits()
        bad = [
            k
            for k in value
            if not (type(k) is int or (isinstance(k, str) and k.isascii() and k.isdigit() and len(k) <= most))
        ]
        if bad:
            line = yaml_key_line(source, "names", bad[0])
            raise InputError(
                "names keys must be class ids", path=source, line=line, element="names", found=repr(bad[0])[:200]
            )
        first_key: dict[int, Any] = {}  # (0 and '0', or '00': one id, whose later name replaced the earlier unsaid)
        for k in value:
            if first_key.setdefault(int(k), k) is not k:
                raise InputError(
                    f"names gives class id {int(k)} twice (keys {first_key[int(k)]!r} and {k!r})",
                    path=source,
                    line=yaml_key_line(source, "names", k),
                    element="names",
                )
        by_id = {int(k): str(v) for k, v in value.items()}
        if sorted(by_id) != list(range(len(by_id))):
            past = next((k for k in value if int(k) >= len(by_id)), None)  # (an id past n-1 is there: ids are distinct)
            line = yaml_key_line(source, "names", past)
            raise InputError(
                "names ids must be 0..n-1", path=source, line=line, element="names", found=str(sorted(by_id))
            )
        return [by_id[i] for i in range(len(by_id))]
    line = yaml_value_line(source, "names")
    raise InputError("names must be a list or an id -> name map", path=source, line=line, element="names")


def read_names_file(path: Path, inside: Inside | None) -> list[str]:
    """The class names of a names file (``obj.names``, ``classes.txt``): one per line, blank last lines dropped."""
    text = dataset_text(path, inside)
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.strip() for line in lines]


MAX_UNNAMED_CLASSES = 1 << 20
"""Without a names file, classes are named class_0..class_N: a class id (or ``nc``) this large is refused."""


def _resolve_source(base: Path, value: str, key: str) -> tuple[Path | None, bool]:
    """The place a split's value names, and whether it is the split's own folder read in its place."""
    slashed = value.replace("\\", "/")  # (images\train: a data.yaml written on Windows, where it is a path)
    candidates = list(dict.fromkeys([base / value, base / slashed]))
    if slashed.startswith("../"):
        # Ultralytics drops a leading ../ when the path is missing (Roboflow exports point one level up)
        candidates.append(base / slashed[3:])
    named = len(candidates)
    # a path of the machine that wrote it (Colab's /content/ds/valid/images): the folders its end names, here
    parts = [p for p in slashed.split("/") if p not in ("", ".", "..")]
    candidates += [base.joinpath(*parts[k:]) for k in range(1, len(parts) - 1)]
    # Roboflow writes val: ../valid/images while its folder is val/; fall back to <split>/images
    candidates += [base / key / "images", base / "images" / key]
    for k, c in enumerate(candidates):
        if c.exists():
            return c, k >= named
    return None, False


def _named_from(root: Path, source: Path | None) -> Path | None:
    """An absolute ``source`` inside ``root`` named from ``root``, as the dataset's other paths are.

    (``train: /data/ds/images/train`` read as ``ds``, or through a symbolic link to ``/data/ds``: its images'
    paths were absolute; read as ``ds``, their relative form was refused by the note naming the source, an
    internal error.)
    """
    if source is None or not source.is_absolute():
        return source
    for base, named in ((os.path.abspath(root), source), (os.path.realpath(root), Path(os.path.realpath(source)))):
        if named.is_relative_to(base):
            return root / named.relative_to(base)
    return source


def without_climbs(path: Path) -> Path:
    """``path`` with its ``..`` parts taken out (``ds/cfg/..`` is ``ds``), as Ultralytics resolves a ``path``.

    An image's path is relative to the dataset root: ``cfg/../images/a.jpg`` named it when the dataset was read
    by its absolute path (``images/a.jpg`` by a relative one), and writing YOLO nested it as ``cfg/images_/``.
    Where a symbolic link makes ``..`` name another folder than the text does, the path is resolved.
    """
    if ".." not in path.parts:
        return path
    tidy = Path(os.path.normpath(path))
    try:
        if os.path.samefile(tidy, path):
            return tidy
    except OSError:  # (nothing at one of them: through a link, 'link/cfg/../../ext' is not 'ext')
        pass
    return path.resolve() if os.path.lexists(path) else path  # (nothing there: as named, for the caller to say so)


def config_root(config_path: Path, config: dict[str, Any]) -> Path:
    """The dataset root of a ``data.yaml``: its ``path`` when that is a folder, else the file's folder.

    Raises:
        InputError: at ``path``'s line, when the file system cannot look it up (a name too long).
    """
    return named_root(config_path, config) or without_climbs(config_path.parent)


def moved_root_note(config_path: Path, config: dict[str, Any]) -> str:
    """The read note of a ``data.yaml`` whose ``path`` names no folder found (a dataset moved from another machine)."""
    return (
        f"{config_path.name}'s path: {config['path']} names no folder found: the dataset is read from "
        f"{config_path.name}'s folder instead"
    )


def named_root(config_path: Path, config: dict[str, Any]) -> Path | None:
    """The folder a ``data.yaml``'s ``path`` names (relative to the file's folder), or None: none, or no folder.

    Raises:
        InputError: at ``path``'s line, when it is a value but no text (``path: 5``, which Ultralytics fails on,
            was passed over unsaid; ``0``, ``false`` or ``[]`` is no path to Ultralytics, which reads the file's
            folder), or when the file system cannot look it up (a name too long).
    """
    folder = config_path.parent
    value = config.get("path")
    if value and not isinstance(value, str):  # (0, false, [] as none: Ultralytics reads data.yaml's folder then)
        raise InputError(
            "path must be the dataset folder's path",
            path=config_path,
            line=yaml_value_line(config_path, "path"),
            element="path",
            expected="text",
            found=repr(value)[:200],
            hint=f"quote a folder named so: path: '{value}'" if type(value) in (int, float) else None,
        )
    if isinstance(value, str):
        candidate = Path(config["path"])
        candidate = candidate if candidate.is_absolute() else folder / candidate
        try:
            if candidate.is_dir():
                return without_climbs(candidate)
        except OSError as exc:  # a name too long for the file system: the key is named, not the dataset
            raise InputError(
                f"cannot read: {exc.strerror or exc}",
                path=config_path,
                line=yaml_value_line(config_path, "path"),
                element="path",
                found=repr(config["path"]),
            ) from None
    return None


SPLIT_NAMES = ("train", "val", "validation", "test", "minival")


def config_split_keys(config: dict[str, Any]) -> list[str]:
    """The keys of a ``data.yaml`` that name a split's images (a folder, a list file, or a list of them)."""
    keys = [k for k in SPLIT_NAMES if config.get(k)]
    # other keys holding image folders are splits too (labelkit writes train2017: images/train2017)
    return keys + [
        k
        for k, v in config.items()
        if k not in keys and k not in CONFIG_KEYS and isinstance(v, str) and v.startswith("images/")
    ]


def config_inputs(path: Path) -> list[Path]:
    """The places a YOLO input's ``data.yaml`` reads from: its root and what each split names.

    A split may name a place outside the root (Roboflow's ``../valid/images``); each comes with its
    ``labels`` counterpart.

    A config that cannot be read gives none: reading the dataset reports it.
    """
    config_path = path if path.is_file() else find_config(path) if path.is_dir() else None
    if config_path is None or config_path.suffix not in (".yaml", ".yml"):
        return []
    try:
        config = load_yaml(config_path)
        root = config_root(config_path, config)
    except InputError:
        return []
    places = [root]
    try:
        sources = split_sources(root, config)
    except InputError:
        return places
    for source in sources:  # what reading takes (Roboflow's ../train/images: train/images)
        places.append(source)
        parts = source.parts
        if "images" in parts:  # Ultralytics's labels folder: the last images/ turned into labels/
            at = len(parts) - 1 - parts[::-1].index("images")
            places.append(Path(*parts[:at], "labels", *parts[at + 1 :]))
    return places


def split_sources(
    root: Path,
    config: dict[str, Any],
    missing: list[str] | None = None,
    origins: dict[Path, tuple[str, int]] | None = None,
    config_path: Path | None = None,
    instead: list[str] | None = None,
) -> dict[Path, str]:
    r"""The folders, list files or label folders a ``data.yaml``'s splits name, as found, each with its split.

    A value that names nothing found is left out (and, with ``missing``, added to it as ``key: value``), unless
    the split's own folder (``<split>/images``, ``images/<split>``) is there: that is read in its place (and, with
    ``instead``, a note saying so added to it, as for a value with ``\`` found with ``/``: ``images\train``,
    written on Windows); one the file system cannot look up (a name too long) is an InputError at its key and
    line of ``config_path``.
    With ``origins``, each source gets the key that first names it and the value's index in that key's list
    (0 for a key of one value), for :func:`yaml_value_line`.
    """
    sources: dict[Path, str] = {}
    # (Ultralytics' check_det_dataset renames validation to val only where data.yaml has no val: beside one, its
    # images are no split Ultralytics reads; they were merged into val unsaid, and a YOLO write validated on both)
    apart = "val" in config
    for key in config_split_keys(config):
        values = config[key] if isinstance(config[key], list) else [config[key]]
        for index, value in enumerate(values):
            split = ("validation" if apart else "val") if key == "validation" else key
            try:
                source, fallback = _resolve_source(root, str(value), split)
                source = _named_from(root, source or _labels_only_source(root, str(value), split))
                source = without_climbs(source) if source is not None else None
            except OSError as exc:  # a name too long for the file system: the key is named, not the dataset
                raise InputError(
                    f"cannot read: {exc.strerror or exc}",
                    path=config_path,
                    line=yaml_value_line(config_path, key, index) if config_path is not None else None,
                    element=key,
                    found=repr(value),
                ) from None
            if source is None:
                if missing is not None:
                    missing.append(f"{key}: {value}")
                continue
            found = f"{key}: {value} names nothing found: {rel_path(source, root)}"
            if fallback and instead is not None:
                instead.append(f"{found} is read in its place (as Roboflow's exports need)")
            elif "\\" in str(value) and source != root / str(value) and instead is not None:
                instead.append(f"{found}, the path with /, is read (written on Windows?)")
            if origins is not None:
                origins.setdefault(source, (key, index))
            if key == "validation" and source.name == "validation":  # a split named so (labelkit writes it)
                split = "validation"
            # a folder named by two keys (Ultralytics needs train and val) is read once, under its own name
            if source not in sources or source.name == split:
                sources[source] = split
    if apart and "validation" in sources.values() and instead is not None:
        instead.append(
            "validation is read as a split of its own, validation, beside val: Ultralytics takes validation for "
            "val only where there is no val, and reads none of its images beside one"
        )
    return sources


def widened_root(root: Path, sources: list[Path], config: dict[str, Any]) -> Path:
    """The dataset root of a ``data.yaml`` without ``path`` whose splits all name folders outside its own folder.

    ``ds/cfg/data.yaml``'s ``train: ../images/train`` is read as ``path: ..`` would read it: below ``ds``, the
    folder holding the splits' ``images`` folders (and the config's). Splits all named by absolute paths (a user's
    own config, kept anywhere) are read below the folder holding their ``images`` folders. Image paths were taken
    relative to the folder the command ran in, or absolute: another output from each folder, none to copy from.
    """
    whole = Path(os.path.abspath(root))  # (lexically, ds/../../ext/images is inside ds)
    if not sources or any(Path(os.path.abspath(s)).is_relative_to(whole) for s in sources):
        return root  # (a split inside it makes it the dataset's folder: another outside is read from there)

    def home(source: Path) -> Path:  # (the folder above its own images folder, else the folder itself)
        folder = source if source.is_dir() else source.parent
        if folder.name == "images":  # (images/ itself, or a list file in it)
            return folder.parent
        if folder.parent.name == "images":  # (images/<split>/: not an ancestor of the dataset named images)
            return folder.parent.parent
        return folder

    values = [
        v
        for key in config_split_keys(config)
        for v in (config[key] if isinstance(config[key], list) else [config[key]])
    ]
    homes = [home(s) for s in sources]
    if not all(Path(str(v)).is_absolute() for v in values):
        homes.append(root)
    # (by absolute paths: ds and ../../ext shared no folder but the current one, '', and the image paths then
    # depended on the folder the command ran in; relative again when the splits are, as the images' paths are)
    common = os.path.commonpath([os.path.abspath(h) for h in homes])
    return Path(common) if any(h.is_absolute() for h in homes) else Path(os.path.relpath(common))


_LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"


def dataset_text(path: Path, inside: Inside | None) -> str:
    """A list or names file's text; with ``inside``, refused when a symbolic link takes it out of the dataset.

    Raises:
        InputError: naming the file.
    """
    if inside is None:
        return read_text(path)
    try:
        data = read_file(path, inside=inside)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path, hint=_LINK_HINT) from exc
    return read_text(path, data)


def _labels_only_source(root: Path, value: str, split: str) -> Path | None:
    """The labels folder of a missing images folder (output written with media=none, or labels shipped alone).

    Its label files are read as any whose image is missing: sized by the size side file or ``image_size``,
    else an error naming the file (they were passed over without a word when no side file was there).
    """
    label_dir = img2label(root / value / "x.jpg").parent
    return label_dir if label_dir.is_dir() else None
