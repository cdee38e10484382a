"""A dataset's counts: items, annotations per kind, per category and per split (what ``labelkit info`` shows).

A column at a time, with no Python object per row; :meth:`labelkit.model.Dataset.stats` calls it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from labelkit.model import tables as T
from labelkit.model.records import Category

if TYPE_CHECKING:
    from labelkit.model.dataset import Dataset


@dataclass
class DatasetStats:
    """Counts of a dataset: items, categories, annotations per kind, per category and per split.

    ``notes`` are what the reader said of the input (what it skipped or could not read), as a conversion's
    report lists them.
    """

    items: int
    categories: int
    items_by_media: dict[str, int]
    items_by_split: dict[str, int]
    annotations: dict[str, int]
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_split: dict[str, dict[str, int]] = field(default_factory=dict)
    tokens: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The stats as a JSON-ready dict."""
        return {
            "items": self.items,
            "categories": self.categories,
            "items_by_media": self.items_by_media,
            "items_by_split": self.items_by_split,
            "annotations": self.annotations,
            "annotations_by_category": self.by_category,
            "annotations_by_split": self.by_split,
            "tokens": self.tokens,
            "notes": self.notes,
        }


def dataset_stats(dataset: Dataset, empty: list[str]) -> DatasetStats:
    """Counts per kind, per category and per split; ``empty``: splits of no item to count too, with 0 items."""
    items = dataset.table("items")
    item_ids = items["id"].combine_chunks()
    item_splits = _split_names(items["split"])
    items_by_split = dict(_value_counts(item_splits))
    for split in _split_names(pa.array(empty, pa.string())).to_pylist():
        if split != "(none)":
            items_by_split.setdefault(split, 0)
    tables = [(name, table) for name in T.ANNOTATION_TABLES if (table := dataset.table(name)).num_rows]
    counts = {name: _value_counts(table["category_id"]) for name, table in tables}
    # ids no category has are shown "#7": a category's name is told apart from them too, as from "(none)"
    known = {c.id for c in dataset.categories}
    unknown = {cid for found in counts.values() for cid, _ in found if cid is not None and cid not in known}
    name_of = _category_labels(dataset.categories, unknown)
    by_category: dict[str, Counter[str]] = {}
    by_split: dict[str, Counter[str]] = {}
    for name, table in tables:
        kind = T.KIND_BY_TABLE[name]
        for cid, n in counts[name]:
            label = "(none)" if cid is None else name_of.get(cid, f"#{cid}")
            by_category.setdefault(label, Counter())[kind] += n
        # rows of an item the dataset lacks count under "(none)", as rows of an item without a split
        splits = item_splits.take(pc.index_in(table["item_id"], value_set=item_ids)).fill_null("(none)")
        for split, n in _value_counts(splits):
            by_split.setdefault(split, Counter())[kind] += n
    return DatasetStats(
        items=items.num_rows,
        categories=len(dataset.categories),
        # (an item without a kind, which only a table gives, is an image, as its record says: not "None")
        items_by_media=dict(sorted((str(k), n) for k, n in _value_counts(items["media"].fill_null("image")))),
        items_by_split=dict(sorted(items_by_split.items())),
        annotations=dataset.annotation_counts(),
        by_category={k: dict(sorted(v.items())) for k, v in sorted(by_category.items())},
        by_split={k: dict(sorted(v.items())) for k, v in sorted(by_split.items())},
        tokens=dataset.table("tokens").num_rows,
        notes=list(dataset.read_notes),
    )


def _category_labels(categories: Sequence[Category], unknown: Iterable[int] = ()) -> dict[int, str]:
    """Each category's name in the counts, told apart by its id where another holds it: ``car #1``, ``car #2``.

    A name two categories hold (YOLO's ``names: [car, car]``), ``(none)``, or the ``#7`` of an ``unknown``
    category id 7 annotations have, takes the id; so does a name that is then another's (``car #1``, a
    category's own name beside two ``car``: ``car #1 #3``), or their counts were one line. A name with its id is
    no other's (the id ends it), so each name changes once at most.

    >>> from labelkit.model import Category
    >>> _category_labels([Category(id=1, name="car"), Category(id=2, name="car"), Category(id=3, name="car #1")])
    {1: 'car #1', 2: 'car #2', 3: 'car #1 #3'}
    >>> _category_labels([Category(id=1, name="#7")], unknown=[7])
    {1: '#7 #1'}
    """
    labels = {c.id: c.name for c in categories}
    reserved = Counter(["(none)", *(f"#{cid}" for cid in unknown)])
    renamed: set[int] = set()
    while True:
        held = Counter(labels.values()) + reserved
        clash = [cid for cid, label in labels.items() if held[label] > 1 and cid not in renamed]
        if not clash:
            return labels
        for cid in clash:
            labels[cid] = f"{labels[cid]} #{cid}"
        renamed.update(clash)


def _split_names(splits: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Split names, ``(none)`` for an item without a split (null or empty).

    A split named ``(none)`` (a folder of that name) is shown ``"(none)"``, in double quotes, so are names that
    start with one (``"a"`` is ``""a""``): no split is counted with the items without one, nor with another split.
    """
    splits = splits.combine_chunks() if isinstance(splits, pa.ChunkedArray) else splits
    quoted = pc.or_(pc.equal(splits, "(none)"), pc.starts_with(splits, '"'))
    splits = pc.if_else(quoted, pc.binary_join_element_wise('"', splits, '"', ""), splits)
    return pc.if_else(pc.equal(splits, ""), pa.scalar(None, pa.string()), splits).fill_null("(none)")


def _value_counts(values: pa.ChunkedArray | pa.Array) -> list[tuple[Any, int]]:
    """Each distinct value (null included) and how many times it occurs."""
    counts = pc.value_counts(values)
    return list(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
