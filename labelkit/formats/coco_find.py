"""COCO: finding a dataset's files, and recognising a COCO file or folder by its first bytes and names."""

from __future__ import annotations

import os
from pathlib import Path

from labelkit.errors import InputError
from labelkit.formats.base import Detection
from labelkit.formats.coco_tasks import TASK_RE, file_task_and_split, task_and_split
from labelkit.io import UTF8_BOM, Inside, read_head
from labelkit.portable import by_name, by_parts

_TASK_ORDER = {"instances": 0, "stuff": 1, "person_keypoints": 2, "labels": 3, "captions": 4, "image_info": 5}


def _sniff(path: Path) -> bytes:
    return read_head(path, 65536)


def _empty_results(file: Path, head: bytes) -> bool:
    """A detection-results file named so (``results_<split>.json``) that lists no detection: ``[]``."""
    return head.replace(b" ", b"").strip() == b"[]" and task_and_split(file)[0] == "results"


_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 (the reader says the text is not UTF-8)


def _looks_coco(head: bytes) -> bool:
    """Whether a file's first bytes are COCO's: keys of a COCO document, or a detection results list."""
    return _coco_signs(head) is not None


def _coco_signs(head: bytes) -> str | None:
    """What in a file's first bytes is COCO's, as a detection's reason, or None.

    Keys of a COCO document, or a detection results list (which has no ``images`` or ``annotations``: every
    file was said to have both). A document whose ``annotations`` come first (LVIS's, after its ``info``) shows
    no ``images`` key in its first bytes: its annotations' ``image_id`` and ``category_id`` tell it.
    """
    text = head.removeprefix(UTF8_BOM).lstrip()
    if text.startswith(b"{"):
        if b'"images"' in head and b'"annotations"' in head:
            return "JSON with COCO 'images' and 'annotations'"
        if b'"annotations"' in head and b'"image_id"' in head and b'"category_id"' in head:
            return "JSON with COCO 'annotations' (of 'image_id' and 'category_id')"
        if b'"images"' in head and b'"categories"' in head:
            return "JSON with COCO 'images' and 'categories'"
        if b'"images"' in head and b'"file_name"' in head:
            return "JSON with COCO 'images' (of 'file_name')"
        return None
    if text.startswith(b"[") and b'"image_id"' in head and b'"category_id"' in head and b'"score"' in head:
        return "a JSON list of COCO detection results ('image_id', 'category_id' and 'score')"
    return None


def _starts_like_json(head: bytes) -> bool:
    """Whether a file's first bytes open a JSON object or list (after a byte-order mark of any Unicode encoding).

    A file named as COCO names its files (or in a COCO layout) that starts so is COCO, however it goes on: a
    truncated or damaged file is then read as COCO, whose error names its line, instead of being no format's.
    """
    text = head.removeprefix(UTF8_BOM).lstrip()
    return text.startswith((b"{", b"[")) or head.startswith(_OTHER_BOMS)


def _named_coco(path: Path) -> bool:
    """A file name COCO gives its files: ``<task>_<split>.json``, Roboflow's, or any JSON in ``annotations/``."""
    return bool(TASK_RE.match(path.name)) or path.name == "_annotations.coco.json" or path.parent.name == "annotations"


def find_files(path: Path, inside: Inside | None) -> list[Path]:
    """The COCO files of a dataset: the file itself, or those of a folder's known layout.

    ``inside``: see :func:`.coco_tasks.file_task_and_split` (a document named as results is ordered by its split).

    Raises:
        InputError: the folder has no COCO files.
    """
    if path.exists() and not path.is_dir():  # (a pipe too: /dev/stdin)
        return [path]
    standard, roboflow = layouts(path)
    if standard and roboflow:  # reading one would leave the other out without a word
        raise InputError(
            "two COCO layouts in one folder",
            path=path,
            found=f"{standard[0].relative_to(path)} and {roboflow[0].relative_to(path)}",
            hint="give the folder of one layout, or one file",
        )
    candidates = standard or roboflow
    if not candidates:
        unnamed = unnamed_files(path)
        shown = [f.relative_to(path).as_posix() for f in unnamed[:5]]
        if len(unnamed) > 5:
            shown.append(f"... ({len(unnamed):,} in all)")
        coco = next((f for f in unnamed if _coco_content(path, f)), None)
        raise InputError(
            "no COCO files found",
            path=path,
            expected="annotations/<task>_<split>.json or <split>/_annotations.coco.json",
            found=", ".join(shown) or None,
            hint=f"give such a file alone to read it ({coco})" if coco else None,
        )
    named = {p: file_task_and_split(p, inside=inside) for p in candidates}  # (a document named as results: its split)
    return sorted(candidates, key=lambda p: (named[p][1] or "", _TASK_ORDER.get(named[p][0] or "", 9), p.name))


def layouts(path: Path) -> tuple[list[Path], list[Path]]:
    """The folder's files in the standard (or MMDetection) layout, and in Roboflow's, by name as text.

    Not by ``sorted`` of Paths, which Windows' Path compares ignoring case: the notes naming the files not read
    listed them in another order there.
    """
    standard: list[Path] = []  # annotations/<task>_<split>.json, else <task>_<split>.json (MMDetection)
    for folder in (path / "annotations", path):
        if folder.is_dir():
            standard = sorted((p for p in folder.glob("*.json") if TASK_RE.match(p.name)), key=by_name)
            if standard:
                break
    return standard, sorted(path.glob("*/_annotations.coco.json"), key=by_parts)


def unnamed_files(path: Path) -> list[Path]:
    """The JSON files of a folder's ``annotations/`` (whose names state no task and split, where it has no others).

    MMDetection's custom datasets name theirs ``annotations/train.json``: read when given alone, not as the folder's.
    """
    folder = path / "annotations"
    return sorted(folder.glob("*.json"), key=by_name) if folder.is_dir() else []


def _coco_content(folder: Path, file: Path) -> bool:
    """Whether ``file`` of ``folder`` starts as a COCO file does (not opened when it is a link leading out)."""
    return Inside(folder).refusal(file) is None and file.is_file() and _looks_coco(_sniff(file))


def detect(path: Path) -> Detection | None:
    """Recognise a COCO file or folder.

    A JSON file with ``images`` and ``annotations``/``categories``, a detection results list, or a folder
    in the standard, MMDetection or Roboflow layout.
    """
    if path.is_file():
        if path.suffix.lower() != ".json":
            return None
        head = _sniff(path)
        if b'"format":"labelkit"' in head.replace(b" ", b""):
            return None
        if signs := _coco_signs(head):
            return Detection(0.9, signs)
        if _empty_results(path, head):
            return Detection(0.9, "an empty JSON list named as COCO detection results (results_<split>.json)")
        if _named_coco(path) and (_starts_like_json(head) or not head.strip()):  # (truncated, empty: the reader
            return Detection(0.5, "JSON named as a COCO file")  # names the line)
        return None
    if path.is_dir():
        standard, roboflow = layouts(path)
        if not standard and not roboflow:
            unnamed = next((f for f in unnamed_files(path) if _coco_content(path, f)), None)
            if unnamed is None:
                return None
            # (the reader's error names them, where no format recognised the folder: below every other format)
            return Detection(0.2, f"COCO files not named <task>_<split>.json ({unnamed.relative_to(path)})")
        # both layouts: COCO all the same, whose reader refuses it naming a file of each (not "no format")
        files = standard if roboflow and standard else find_files(path, Inside(path))
        inside, linked = Inside(path), []
        for file in files:  # the first that is not empty decides (a FIFO sniffs as empty)
            if os.path.exists(file) and inside.refusal(file) is not None:  # (never opened: reading refuses it, or
                # reads it with links=follow; a link to no file is named by reading, as below)
                linked.append(file)
                continue
            try:
                head = _sniff(file)
            except OSError:  # (a link to no file: the reader names it; sorted first, it made the folder "no format")
                continue
            if head.strip():
                where = file.relative_to(path)
                if _looks_coco(head) or _empty_results(file, head):
                    return Detection(0.9, f"COCO layout ({where})")
                # damaged (truncated, a BOM of UTF-16): the reader names the file and line
                return Detection(0.5, f"COCO layout ({where}; JSON)") if _starts_like_json(head) else None
        if linked:  # (its content decided: a file linked out, holding no COCO, made the folder "no format")
            return Detection(0.5, f"COCO layout ({linked[0].relative_to(path)}; a link out of the folder)")
        if files:  # every file empty, or none readable (a link to no file, a FIFO): the reader names the first
            if files[0].is_file():
                return Detection(0.5, f"COCO layout ({files[0].relative_to(path)}; empty)")
            # (below every other format's answer: a YOLO folder beside a COCO file not fetched stays YOLO)
            return Detection(0.2, f"COCO layout ({files[0].relative_to(path)}; unreadable)")
    return None
