"""``coco:`` extras named as a member COCO's annotation record writes itself (``coco:id``, ``coco:image_id``, ...).

The writer splices an annotation's ``coco:<name>`` extras into its record as ``<name>``: one named as a member
the record writes from the model (its id, image id, category id, score, box, polygon or mask) made a record holding
that key twice, which readers read as the last (another id or score, or another segmentation, unsaid, or an image or
category id the reader refuses). A dataset read from COCO carries none of them (a caption's ``coco:category_id`` is
its category, written so); one built in code may. :func:`writable` takes them out and reports them lost.
"""

from __future__ import annotations

import numpy as np
import orjson
import pyarrow as pa

from labelkit.formats.coco_text import value_text
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, members_or_raw, spliced_rows, valid_mask

_OWN = ("id", "image_id", "category_id", "score", "bbox", "segmentation")
_IF_HELD = {"bbox": ("bbox",), "segmentation": ("polygon", "mask")}
"""Members the record writes only where it has them (from these columns): an extra of that name is written in their
place otherwise (the reader carries a ``"bbox": null`` so, and a box's ``"segmentation": []``)."""


_WHY = (
    "COCO's record writes its own id, image_id, category_id, score, bbox and segmentation (of a polygon or mask): "
    "extras of those names (coco:id, ...) are not written (the record held the key twice, and readers keep the last)"
)


def own_objects_lost(rows: np.ndarray) -> list[tuple[str, int, str]]:
    """The loss line of the objects written whose such extras were taken out (``rows``), if any."""
    n = int(rows.sum())
    return [("object annotations' coco: extras named as their record's own fields", n, _WHY)] if n else []


def own_members_taken_out(
    dataset: Dataset, tables: dict[str, pa.Table], losses: list[tuple[str, int, str]]
) -> np.ndarray:
    """Take the ``coco:`` extras named as the record's own members out of objects, labels and captions.

    ``tables`` (the tables changed so far, by name) gets the changed ones; ``losses`` a line for labels and
    captions. Returns the objects' rows changed: the caller counts those it writes (an object taken out of
    them was taken for one read from COCO, which COCO writes back without geometry of its own).
    """
    changed = np.zeros(len(tables.get("objects", dataset.table("objects"))), dtype=bool)
    for name, kind in (("objects", "object"), ("labels", "label"), ("transcripts", "transcript")):
        table = tables.get(name, dataset.table(name))
        own = [k for k in _OWN if k not in _IF_HELD or set(_IF_HELD[k]) <= set(table.column_names)]
        own = [k for k in own if not (name == "transcripts" and k == "category_id")]  # (a caption's category)
        extras = table["extras"]
        found = [k for k in own if contains_match(extras, f'"coco:{k}"').any()]
        if not found:
            continue
        held = {k: np.logical_or.reduce([valid_mask(table[c]) for c in _IF_HELD[k]]) for k in _IF_HELD if k in found}
        texts = extras.to_pylist()
        rows, values = [], []
        for i, text in enumerate(texts):
            if text is None or not any(f'"coco:{k}"' in text for k in found):
                continue
            members = members_or_raw(text)
            taken = {f"coco:{k}" for k in found if k not in held or held[k][i]} & members.keys()
            if taken:  # (a nested key, or a box carried where the record has none, is written as it is)
                rest = [f"{orjson.dumps(k).decode()}:{value_text(v)}" for k, v in members.items() if k not in taken]
                rows.append(i)
                values.append("{" + ",".join(rest) + "}" if rest else None)
        if rows:
            column = spliced_rows(extras.cast(pa.string()), np.array(rows), pa.array(values, pa.string()))
            tables[name] = table.set_column(table.schema.get_field_index("extras"), "extras", column)
            if name == "objects":
                changed[rows] = True
            else:
                losses.append((f"{kind} annotations' coco: extras named as their record's own fields", len(rows), _WHY))
    return changed


def own_category_fields_lost(dataset: Dataset, losses: list[tuple[str, int, str]]) -> None:
    """Count the categories whose ``coco:`` extras are named as a field their record writes (``coco:id``, ...).

    The writer leaves such an extra out (the category's own value is written); it was dropped unsaid.
    """
    n = 0
    for c in dataset.categories:
        own = {"id", "name"} | {k for k in ("supercategory", "keypoints", "skeleton") if getattr(c, k) is not None}
        n += any(k.startswith("coco:") and k[5:] in own for k in c.extras)
    if n:
        why = (
            "COCO's category record writes its own id, name, supercategory, keypoints and skeleton: extras of those "
            "names (coco:id, ...) are not written"
        )
        losses.append(("categories' coco: extras named as their own fields", n, why))
