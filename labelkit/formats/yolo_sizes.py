"""YOLO image sizes on reading: from each image's header, else the image sizes file, else ``-o image_size``.

Used by :mod:`labelkit.formats.yolo`. YOLO coordinates are normalised, so an image with objects needs its size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from labelkit.errors import InputError
from labelkit.formats import yolo_parse
from labelkit.formats.yolo_layout import Layout, case_twin, rel_path
from labelkit.formats.yolo_media import image_size, plain_image_size


def item_sizes(
    layout: Layout, parsed: yolo_parse.Parsed, sizes: dict[str, tuple[int, int]], fallback: tuple[int, int] | None
) -> tuple[list[int | None], list[int | None], list[str | None]]:
    """Each entry's image width, height and path below the root (None where there is no image or size).

    Raises:
        InputError: an image with objects (not DOTA's) whose size neither its header, the sizes file nor
            ``fallback`` gives.
    """
    needs = np.zeros(len(layout.entries), dtype=bool)
    if parsed.entry and not layout.dota:
        needs[np.asarray(parsed.entry, dtype=np.int64)] = True
    widths: list[int | None] = []
    heights: list[int | None] = []
    paths: list[str | None] = []
    differ: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    for i, entry in enumerate(layout.entries):
        rel = rel_path(entry.image, layout.root) if entry.image is not None else None
        size = size_of(None if entry.absent else entry.image, rel, sizes, fallback, differ)
        if size is None and needs[i]:
            where = entry.image if entry.image is not None else entry.label
            twin = case_twin(layout.entries, entry.label) if entry.image is None and entry.label else None
            hint = "provide the images, or -o image_size=WIDTHxHEIGHT, or -o image_sizes=FILE.json"
            if twin is not None:  # (X.JPG beside x.txt: names YOLO pairs exactly)
                hint = f"{rel_path(twin, layout.root)} differs from it only in case: rename one to match"
            raise InputError(
                "image not found; YOLO coordinates are normalised, so its size is needed", path=where, hint=hint
            )
        widths.append(size[0] if size else None)
        heights.append(size[1] if size else None)
        paths.append(rel)
    if note := differing_sizes_note(differ):
        layout.notes.append(note)
    imageless = [entry.label for entry in layout.entries if entry.image is None and entry.label is not None]
    if imageless:  # (DOTA's, whose pixels need no size, or empty ones, or sized by image_size: read unsaid)
        layout.notes.append(
            f"{len(imageless):,} label files have no image ({rel_path(imageless[0], layout.root)} first): their items "
            f"have no image path{'' if fallback else ' and no size'}; give the images, or an image_sizes.json naming "
            "them"
        )
    return widths, heights, paths


def size_of(
    image: str | None,
    rel: str | None,
    sizes: dict[str, tuple[int, int]],
    fallback: tuple[int, int] | None,
    differ: list[tuple[str, tuple[int, int], tuple[int, int]]] | None = None,
) -> tuple[int, int] | None:
    """An image's size: from its header, else the sizes file, else ``fallback`` (missing or unreadable image).

    The sizes file gives the size of an image that is not there (labelkit writes one without the images): once
    the images are put in place, their headers are the truth. An image the sizes file gives another size goes to
    ``differ`` (its path, the file's size, the header's).

    Raises:
        InputError: the image is there but its header cannot be read, and neither gives its size.
    """
    listed = sizes.get(rel) if rel is not None else None
    if image is not None and (plain := plain_image_size(image)) is not None:  # (most images: 1/20 of the time)
        size = plain
    elif image is not None and (file := Path(image)).is_file():
        try:
            size = image_size(file, plain_tried=True)  # (a plain JPEG or PNG would have been read above)
        except InputError:
            if listed is None and fallback is None:
                raise
            return listed or fallback
    else:
        return listed or fallback
    if listed is not None and tuple(listed) != size and differ is not None and rel is not None:
        differ.append((rel, listed, size))
    return size


def differing_sizes_note(differ: list[tuple[str, tuple[int, int], tuple[int, int]]]) -> str | None:
    """The read note on images whose size the sizes file gives otherwise than their headers (None: none)."""
    if not differ:
        return None
    rel, (w, h), (fw, fh) = differ[0]
    return (
        f"{len(differ):,} images have another size in their files than the image sizes file gives ({rel} first: "
        f"{fw} x {fh}, not {w} x {h}): the files' sizes are read"
    )
