"""Which task and split a COCO file holds, by its name and, for a name of cocoapi's results form, its first bytes.

``instances_val2017.json`` is split ``val2017``'s instances; a results file is a list, a COCO document an object.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from labelkit.io import UTF8_BOM, Inside, read_head

TASK_RE = re.compile(r"^(instances|person_keypoints|captions|labels|image_info|stuff|panoptic|results)_(.+)\.json$")


RESULTS_RE = re.compile(r"^(?:instances|person_keypoints)_(.+)_[^_]+_results\.json$")
"""cocoapi's detection-results names, ``<task>_<split>_<alg>_results.json`` (``instances_val2014_fakebbox100_...``)."""


CAPTION_RESULTS_RE = re.compile(r"^captions_(.+)_[^_]+_results\.json$")
"""cocoapi's caption-results names (``captions_val2014_fakecap_results.json``): image ids and captions, no score."""
CAPTION_RESULTS = "COCO caption results are not supported"
"""Why a caption-results file is not read (one so named, or a detection-results file holding a caption)."""
CAPTION_RESULTS_HINT = (
    "labelkit reads detection and keypoint results (annotations with a score), not captions given per image"
)


def task_and_split(path: Path) -> tuple[str | None, str | None]:
    """The task and split a file name states (``instances_val2017.json``; Roboflow's ``<split>/_annotations``)."""
    if m := RESULTS_RE.match(path.name):  # (results of the split its ground truth is named for)
        return "results", m.group(1)
    if m := CAPTION_RESULTS_RE.match(path.name):  # (not read: see coco._unread)
        return "caption_results", m.group(1)
    if m := TASK_RE.match(path.name):
        return m.group(1), m.group(2)
    if path.name == "_annotations.coco.json":
        return None, path.parent.name
    return None, None


def file_task_and_split(
    path: Path, head: bytes | None = None, inside: Inside | None = None
) -> tuple[str | None, str | None]:
    r""":func:`task_and_split`, where a file named as cocoapi names results holds a COCO document, not a list.

    cocoapi's results files (``instances_<split>_<alg>_results.json``, ``captions_..._results.json``) are lists of
    annotations. A document so named is the ground truth of the split its name states after the task, as labelkit
    writes a split named ``x_y_results`` (``instances_x_y_results.json``): it was read as detections of split
    ``x``, an error at its first annotation without a score (and as caption results, not read at all).
    ``head``: the file's first bytes, where read already (else they are read here, for such names only), a
    byte-order mark starting them passed over. ``inside``: the folder the dataset's files must stay in (``-o
    links=inside``, see ``coco.refuse_special``); a file it refuses, a link leading out of it or in a folder linked
    out, is told by its name alone (its first bytes are not read before reading refuses it: an untrusted dataset's
    link to any file of the machine told its first byte). With ``links=follow`` (None) such a file is read.

    Examples:
        >>> file_task_and_split(Path("instances_val_fake_results.json"), b' {"images": []}')
        ('instances', 'val_fake_results')
        >>> file_task_and_split(Path("captions_val_fake_results.json"), b'[]')
        ('caption_results', 'val')
        >>> file_task_and_split(Path("captions_val_fake_results.json"), b'\xef\xbb\xbf {"images": []}')
        ('captions', 'val_fake_results')
    """
    task, split = task_and_split(path)
    if task not in ("results", "caption_results") or (m := TASK_RE.match(path.name)) is None:
        return task, split
    if head is None:
        if inside is not None and os.path.lexists(path) and inside.refusal(path) is not None:
            return task, split
        try:
            head = read_head(path, 65536)  # (as formats are sniffed: a document indented far is still one)
        except OSError:  # (a link to no file, a folder: reading names it)
            return task, split
    head = head.removeprefix(UTF8_BOM).lstrip()
    return (m.group(1), m.group(2)) if head.startswith(b"{") else (task, split)
