"""Builders of small datasets for the split tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from labelkit.model import Category, Dataset


def make_dataset(
    items: Sequence[tuple[str, str | None, Sequence[int]]],
    *,
    metadata: Sequence[dict[str, Any] | None] | None = None,
    splits: Sequence[str | None] | None = None,
    n_categories: int = 10,
) -> Dataset:
    """Items as (id, group, category ids); each category id becomes one label annotation of the item."""
    table = pa.table(
        {
            "id": [i for i, _, _ in items],
            "path": [f"img/{i}.jpg" for i, _, _ in items],
            "group": [g for _, g, _ in items],
            "split": list(splits) if splits is not None else [None] * len(items),
            "metadata": [orjson.dumps(m).decode() if m else None for m in (metadata or [None] * len(items))],
        }
    )
    rows = [(i, c) for i, _, cats in items for c in cats]
    labels = pa.table(
        {
            "id": [f"a{n}" for n in range(len(rows))],
            "item_id": [i for i, _ in rows],
            "category_id": pa.array([c for _, c in rows], pa.int64()),
        }
    )
    cats = [Category(id=c, name=f"c{c}") for c in range(n_categories)]
    return Dataset.from_tables({"items": table, "labels": labels}, categories=cats)


def assignment(ds: Dataset) -> dict[str, str]:
    """Item id -> split."""
    t = ds.table("items")
    return dict(zip(t["id"].to_pylist(), t["split"].to_pylist(), strict=True))
