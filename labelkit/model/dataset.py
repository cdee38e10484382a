"""The Dataset: items, categories and annotations of every kind, stored as columns.

Examples:
    >>> from labelkit.model import Dataset, Item, Media, Category, Object
    >>> ds = Dataset(categories=[Category(id=1, name="cat")])
    >>> ds.add_item(Item(id="img1", media=Media(path="img1.jpg", width=640, height=480), split="train"))
    >>> ds.add(Object(id="1", item_id="img1", category_id=1, bbox=(10, 20, 30, 40)))
    >>> [o.bbox for o in ds.objects()]
    [(10.0, 20.0, 30.0, 40.0)]
    >>> ds.stats().annotations
    {'object': 1}
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from numbers import Integral
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import UsageError, type_name
from labelkit.model import rows as R
from labelkit.model import tables as T
from labelkit.model.annotations import Label, Object, Span, Track, Transcript
from labelkit.model.dataset_args import (
    ANNOTATION_RECORDS,
    ANNOTATION_TYPES,
    require_key,
    require_names,
    require_records,
    row_mask,
    text_arg,
)
from labelkit.model.record_checks import not_a_record, recheck, records_of
from labelkit.model.records import Category, DatasetInfo, Item, Token
from labelkit.model.stats import DatasetStats, dataset_stats

AnyAnnotation = Label | Object | Span | Transcript | Track
_FLUSHING = threading.Lock()
"""Held while rows added one by one join their table (a module's lock: a dataset stays picklable)."""
TABLE_NAMES: tuple[str, ...] = ("items", *T.ANNOTATION_TABLES, "tokens")


class Dataset:
    """Items, categories and annotations of every kind.

    Build one in code with :meth:`add_item` and :meth:`add`, or in bulk with :meth:`from_tables`. Read
    it per record (:meth:`items`, :meth:`annotations`, :meth:`objects`, ...) or per column (:meth:`table`).

    Args:
        items: item records to start with.
        categories: the category records.
        annotations: annotation records of any kind.
        tokens: token records of text items.
        info: dataset-wide facts.

    Raises:
        UsageError: a category is not a :class:`Category` record, or ``info`` is not a :class:`DatasetInfo` (a dict);
            or ``items``, ``categories``, ``annotations`` or ``tokens`` is not a list of records (``None``, one
            record, a str or a dict).
    """

    def __init__(
        self,
        items: Iterable[Item] = (),
        categories: Iterable[Category] = (),
        annotations: Iterable[AnyAnnotation] = (),
        tokens: Iterable[Token] = (),
        info: DatasetInfo | None = None,
    ) -> None:
        self.info: DatasetInfo = DatasetInfo() if info is None else info
        # (one Category was iterated into its fields, 'not tuple'; None or a number was Python's TypeError, as
        # it was for items, annotations and tokens)
        hint = "give categories=[Category(id=1, name='cat'), ...]"
        require_records("a dataset's categories", categories, Category, "Category records", hint=hint)
        require_records("a dataset's items", items, Item, "Item records")
        require_records("a dataset's annotations", annotations, ANNOTATION_TYPES, ANNOTATION_RECORDS)
        require_records("a dataset's tokens", tokens, Token, "Token records")
        self.categories: list[Category] = list(categories)
        error = self.parts_error()  # (a dict among them was AttributeError when saved: no attribute 'model_dump')
        if error is not None:
            raise error
        self.read_notes: list[str] = []
        """What the reader skipped or repaired (e.g. invalid annotations skipped on request); not saved."""
        self._tables: dict[str, pa.Table] = {name: T.empty_table(name) for name in TABLE_NAMES}
        self._pending: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_NAMES}
        self._positions: dict[str, tuple[pa.Table, pa.Table, np.ndarray[Any, np.dtype[np.int64]]]] = {}
        self.given_tables = False
        """Whether a table was given whole (:meth:`from_tables`, :meth:`set_table`), so may hold values no record
        holds (a JSON text cell that is no JSON object, a ``polygon_holes`` list of another length than the
        polygon's rings), which every writer refuses before writing (their plan checks every value then). Unset on
        a dataset a built-in reader made; a dataset derived from another (``copy``, ``without_dangling``) takes its
        state."""
        for item in items:
            self.add_item(item)
        self.add(*annotations)
        self.add_tokens(tokens)

    def parts_error(self) -> UsageError | None:
        """The error of categories that are not all :class:`Category` records, or info that is no :class:`DatasetInfo`.

        A dict given (or appended) there failed later, inside a writer or :meth:`copy`, with Python's
        ``AttributeError``; the constructor and ``labelkit.save``, ``plan`` and ``split`` refuse it instead.

        So is a value of the info's ``metadata`` or ``extras``, or a category's ``extras``, set in place after the
        record was made that the record refuses (:func:`~labelkit.model.tables.checked_mapping`: ``dataset info:
        metadata: m is not a finite number``): the writers wrote NaN as ``null``, a set as a list, a datetime as
        text. Numpy values set so are made plain in the record, as its constructor makes them. So is any other
        field of the info or a category changed in place (``category.skeleton.append(("nose", "eye"))``: the native
        writers wrote files their readers refuse, the COCO writer failed with Python's ``TypeError``).
        """
        if not isinstance(self.info, DatasetInfo):
            return UsageError(f"a dataset's info must be a DatasetInfo record, not {type_name(self.info)}")
        if not isinstance(self.categories, (list, tuple)):  # (None set there was Python's TypeError)
            return UsageError(
                f"a dataset's categories must be a list of Category records, not {type_name(self.categories)}"
            )
        for i, category in enumerate(self.categories):
            if not isinstance(category, Category):
                return UsageError(
                    f"a dataset's categories must be Category records, not {type_name(category)} (categories[{i}])",
                    hint="make one with Category(id=1, name='cat')",
                )
        try:
            recheck(self.info, "dataset info", ("metadata", "extras"))
            for i, category in enumerate(self.categories):
                recheck(category, f"categories[{i}] (category {category.id})", ("extras",))
        except UsageError as exc:
            return exc
        return None

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def from_tables(
        cls,
        tables: dict[str, pa.Table],
        categories: Iterable[Category] = (),
        info: DatasetInfo | None = None,
    ) -> Dataset:
        """Build a dataset from Arrow tables (missing columns are null; missing tables are empty).

        Args:
            tables: by name: ``items``, ``labels``, ``objects``, ``spans``, ``transcripts``, ``tracks``,
                ``tokens``.
            categories: the category records.
            info: dataset-wide facts.

        Raises:
            KeyError: a table name is unknown.
            UsageError: a table name is not a str.
            InputError: a column is not one of the table's (``objects.catgory_id: not a column of labelkit's
                objects table``: it would be dropped; pandas' ``__index_level_0__`` is skipped), or appears twice,
                or cannot be cast to the table's schema, named with its table (and, for a list of another length
                than the schema's, its first such row: ``objects row 0: bbox holds 3 values, not 4``).
        """
        if not isinstance(tables, Mapping):  # (None was AttributeError: 'NoneType' object has no attribute 'items')
            raise UsageError(
                f"Dataset.from_tables takes a dict of table name to pyarrow.Table, not {type(tables).__name__}"
            )
        ds = cls(categories=categories, info=info)
        for name, table in tables.items():
            ds._tables[name] = _conformed(name, table)
        ds.given_tables = True
        return ds

    def add_item(self, item: Item) -> None:
        """Add one item.

        Raises:
            UsageError: ``item`` is not an :class:`Item` (a dict, say).
        """
        if not isinstance(item, Item):
            raise not_a_record("add_item", "an Item record", item)
        self._pending["items"].append(R.item_row(item))

    def add(self, *annotations: AnyAnnotation) -> None:
        """Add annotations of any kind.

        Raises:
            UsageError: one is not an annotation record (a list of them, say: ``add(*records)`` adds a list);
                the ones before it are added.
        """
        for record in annotations:
            if not isinstance(record, ANNOTATION_TYPES):
                raise not_a_record("add", ANNOTATION_RECORDS, record)
            self._pending[T.TABLE_BY_KIND[record.kind]].append(R.annotation_row(record))

    def add_tokens(self, tokens: Iterable[Token]) -> None:
        """Add tokens of text items.

        Raises:
            UsageError: ``tokens`` is not a list of them (``None``, one token), or one is not a :class:`Token`; the
                ones before it are added.
        """
        require_records("Dataset.add_tokens", tokens, Token, "Token records", verb="takes")
        pending = self._pending["tokens"]
        for token in tokens:
            if not isinstance(token, Token):
                raise not_a_record("add_tokens", "Token records", token)
            pending.append(R.token_row(token))

    def set_table(self, name: str, table: pa.Table) -> None:
        """Replace a whole table (columns are conformed to the schema, as :meth:`from_tables` does).

        Raises:
            KeyError: ``name`` is not a table's name.
            UsageError: ``name`` is not a str.
            InputError: a column is not one of the table's, or cannot be cast to its schema (as in
                :meth:`from_tables`); the dataset is left as it was.
        """
        conformed = _conformed(name, table)
        self._pending[name] = []
        self._tables[name] = conformed
        self._positions.clear()  # (a kept lookup would hold the old tables alive)
        self.given_tables = True

    def table(self, name: str) -> pa.Table:
        """The Arrow table ``name`` (``items``, ``objects``, ``labels``, ``spans``, ...).

        Raises:
            KeyError: ``name`` is not a table's name (``object``: the tables are named in the plural).
            UsageError: ``name`` is not a str (a dict or list was Python's ``TypeError``: unhashable).
        """
        if not isinstance(name, str) or name not in self._pending:
            raise _unknown_table(name)
        if self._pending[name]:
            # one thread at a time: two reading a dataset just built (a thread pool saving it to two formats)
            # both appended the rows added since, and every item and annotation was there twice
            with _FLUSHING:
                pending = self._pending[name]
                if pending:
                    n = len(pending)
                    new = R.rows_to_table(name, pending[:n])
                    current = self._tables[name]
                    self._tables[name] = pa.concat_tables([current, new]) if current.num_rows else new
                    self._positions.clear()
                    del pending[:n]  # (in place: rows another thread adds meanwhile stay for the next call)
        return self._tables[name]

    def tables(self) -> dict[str, pa.Table]:
        """Every table by name."""
        return {name: self.table(name) for name in TABLE_NAMES}

    def copy(self) -> Dataset:
        """A shallow copy: tables are immutable, records are copied. The read notes go with it (a list of its own).

        (A copy had no read notes: its ``stats().notes`` were empty.)
        """
        return self._with_tables(self.tables())

    def _with_tables(self, tables: dict[str, pa.Table]) -> Dataset:
        """A dataset of ``tables`` and copies of this one's categories and info."""
        return self._derived(
            tables, [c.model_copy(deep=True) for c in self.categories], self.info.model_copy(deep=True)
        )

    def _derived(self, tables: dict[str, pa.Table], categories: list[Category], info: DatasetInfo) -> Dataset:
        """A dataset of ``tables`` (of this one's rows) that was given its tables as this one was (``given_tables``).

        The read notes go with it, a list of its own (:meth:`without_dangling`, :meth:`with_rows` and
        :meth:`without_items` gave none, as :meth:`copy` did).
        """
        ds = Dataset.from_tables(tables, categories, info)
        ds.given_tables = self.given_tables
        ds.read_notes = list(self.read_notes)
        return ds

    # -- reading ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.table("items").num_rows)

    def __repr__(self) -> str:
        counts = " ".join(f"{k}={v}" for k, v in self.stats().annotations.items())
        return f"<Dataset items={len(self)} categories={len(self.categories)} {counts}>"

    def items(self, split: str | None = None) -> Iterator[Item]:
        """Iterate item records, optionally of one split (checked when this is called: a ``UsageError``)."""
        if split is not None:
            text_arg("split", split)
        return self._items(split)

    def _items(self, split: str | None) -> Iterator[Item]:
        table = self.table("items")
        if split is not None:
            table = table.filter(pc.equal(table["split"], split))
        yield from records_of("items", table, R.item_from_row, R.ITEM_COLUMNS)

    def item_positions(self, name: str = "objects") -> np.ndarray[Any, np.dtype[np.int64]]:
        """For each row of table ``name``, the row of its item in the items table (-1 when there is none).

        A new array each call, the caller's to change; the lookup is kept while both tables are unchanged, since
        writers ask for it several times (a copy costs far less than the lookup).
        """
        table, items = self.table(name), self.table("items")
        kept = self._positions.get(name)
        if kept is None or kept[0] is not table or kept[1] is not items:
            index = pc.index_in(table["item_id"], value_set=items["id"].combine_chunks())
            positions = np.asarray(index.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
            positions.flags.writeable = False  # (the kept one: only copies leave)
            kept = (table, items, positions)
            self._positions[name] = kept
        return kept[2].copy()

    def item_splits(self, default: str) -> list[str]:
        """Each item's split, ``default`` for an item of none (the split a writer files it in)."""
        return [s or default for s in self.table("items")["split"].to_pylist()]

    def masks_of_another_size(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Per object row, whether it has a mask of another size than its item's (when that size is known).

        Such a mask is not where its item's image is: COCO's reader refuses it, VOC cannot paint it and YOLO
        segment would trace it at its own pixels and normalise it by the image's size.
        """
        items, objects = self.table("items"), self.table("objects")
        has_mask = T.valid_mask(objects["mask"])
        if not has_mask.any() or not items.num_rows:
            return np.zeros(objects.num_rows, dtype=bool)
        item = self.item_positions()
        safe = np.where(item >= 0, item, 0)
        width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)[safe]
        height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)[safe]
        mask_h = np.asarray(pc.struct_field(objects["mask"], "height").fill_null(0).to_numpy(), np.int64)
        mask_w = np.asarray(pc.struct_field(objects["mask"], "width").fill_null(0).to_numpy(), np.int64)
        sized = (width > 0) & (height > 0) & (item >= 0)
        return np.asarray(has_mask & sized & ((mask_h != height) | (mask_w != width)), dtype=bool)

    def item_ids(self) -> list[str]:
        """Item ids in table order."""
        return [str(x) for x in self.table("items").column("id").to_pylist()]

    def annotations(
        self, kind: str | None = None, category: int | str | None = None, split: str | None = None
    ) -> Iterator[AnyAnnotation]:
        """Iterate annotation records, optionally filtered by kind, category (id or name) and split.

        A category is one of the dataset's (``KeyError`` otherwise), except in a dataset that defines none (a COCO
        detection-results file), whose annotations keep their category ids: there an id is taken as it is.
        The arguments are checked when this is called, a category found among the dataset's then (an unknown one
        was a ``KeyError`` only once iterated); the tables are read when the iteration starts (rows added between
        the two are iterated).

        Raises:
            KeyError: an unknown kind (``""`` too: it was taken for every kind), or a category the dataset does not
                define.
            UsageError: ``kind`` or ``split`` is not a str, or ``category`` neither an int nor a str; ``split`` or a
                category name holds a lone surrogate, or a category id does not fit 64 bits (they were pyarrow's
                ``TypeError`` and Python's ``OverflowError`` once the iteration started).

        Examples:
            >>> ds = Dataset()
            >>> list(ds.annotations(kind="object"))
            []
        """
        if kind is not None and not isinstance(kind, str):  # (a dict was Python's TypeError: unhashable)
            raise UsageError(f"kind must be a str, not {type_name(kind)}")
        if kind is not None and kind not in T.TABLE_BY_KIND:  # ("" was taken for every kind)
            raise KeyError(f"unknown annotation kind {kind!r}; expected one of {', '.join(T.TABLE_BY_KIND)}")
        ids = None if category is None else self._category_ids(category)
        if split is not None:
            text_arg("split", split)
        names = [T.TABLE_BY_KIND[kind]] if kind is not None else list(T.ANNOTATION_TABLES)
        return self._annotations(names, ids, split)

    def _category_ids(self, category: int | str) -> list[int]:
        """The ids a ``category=`` filter takes (an unknown category was a ``KeyError`` only once iterated).

        A dataset that defines no categories (a COCO results file) keeps its ids: filtered by the id itself; a name
        is every category of that name (YOLO's names may repeat one: ``[car, car]``).

        Raises:
            KeyError, UsageError: as :meth:`category` raises them.
        """
        require_key(category)
        if isinstance(category, Integral):
            return [int(category) if not self.categories else self.category(category).id]
        return [c.id for c in self.categories if c.name == category] or [self.category(category).id]

    def _annotations(self, names: list[str], ids: list[int] | None, split: str | None) -> Iterator[AnyAnnotation]:
        for name in names:
            table = self._filtered(name, ids, split)
            yield from records_of(name, table, partial(R.annotation_from_row, name))

    def _filtered(self, name: str, ids: list[int] | None, split: str | None) -> pa.Table:
        table = self.table(name)
        if ids is not None:
            table = table.filter(pc.is_in(table["category_id"], value_set=pa.array(ids, pa.int64())))
        if split is not None:
            items = self.table("items")
            item_ids = items.filter(pc.equal(items["split"], split))["id"]
            table = table.filter(pc.is_in(table["item_id"], value_set=item_ids.combine_chunks()))
        return table

    def labels(self, **filters: Any) -> Iterator[Label]:
        """Iterate label records (filters as in :meth:`annotations`)."""
        return self.annotations("label", **filters)  # type: ignore[return-value]

    def objects(self, **filters: Any) -> Iterator[Object]:
        """Iterate object records (filters as in :meth:`annotations`)."""
        return self.annotations("object", **filters)  # type: ignore[return-value]

    def spans(self, **filters: Any) -> Iterator[Span]:
        """Iterate span records (filters as in :meth:`annotations`)."""
        return self.annotations("span", **filters)  # type: ignore[return-value]

    def transcripts(self, **filters: Any) -> Iterator[Transcript]:
        """Iterate transcript records (filters as in :meth:`annotations`)."""
        return self.annotations("transcript", **filters)  # type: ignore[return-value]

    def tracks(self, **filters: Any) -> Iterator[Track]:
        """Iterate track records (filters as in :meth:`annotations`)."""
        return self.annotations("track", **filters)  # type: ignore[return-value]

    def tokens(self, item_id: str | None = None) -> Iterator[Token]:
        """Iterate token records, optionally of one item (checked when this is called: a ``UsageError``)."""
        if item_id is not None:
            text_arg("item_id", item_id)
        return self._tokens(item_id)

    def _tokens(self, item_id: str | None) -> Iterator[Token]:
        table = self.table("tokens")
        if item_id is not None:
            table = table.filter(pc.equal(table["item_id"], item_id))
        yield from records_of("tokens", table, R.token_from_row)

    def category(self, key: int | str) -> Category:
        """The category with this id (int, a numpy integer included) or name (str).

        Raises:
            KeyError: no such category, or a name several categories hold (the message lists their ids).
            UsageError: ``key`` is neither an int nor a str (a bool, a float, ``None``: it was a ``KeyError``), or is
                an id that does not fit 64 bits or a name holding a lone surrogate, which no category holds.
        """
        require_key(key)
        by_id = isinstance(key, Integral)  # (an id taken from a column's numpy array is a numpy integer)
        found = [c for c in self.categories if ((c.id == key) if by_id else (c.name == key))]
        if len(found) > 1 and not by_id:
            ids = ", ".join(str(c.id) for c in found)
            raise KeyError(f"{len(found)} categories are named {key!r} (ids {ids}); give the id")
        if not found:
            raise KeyError(f"no category {key!r}")
        return found[0]

    def splits(self) -> list[str]:
        """The split names items carry, sorted."""
        values = self.table("items").column("split").unique().to_pylist()
        return sorted(v for v in values if v is not None)

    def filter(self, split: str) -> Dataset:
        """A dataset of the items of one split and their annotations and tokens.

        Its categories and info are copies (as :meth:`copy` makes them): renaming the subset's ``info.name`` renamed
        the dataset's too. The read notes go with it.

        Raises:
            UsageError: ``split`` is not a str (``None`` included: items without a split match no name), or holds a
                lone surrogate (it was pyarrow's ``TypeError``).
        """
        items = self.table("items")
        items = items.filter(pc.equal(items["split"], text_arg("split", split)))
        ids = items["id"].combine_chunks()
        tables = {"items": items}
        for name in (*T.ANNOTATION_TABLES, "tokens"):
            t = self.table(name)
            tables[name] = t.filter(pc.is_in(t["item_id"], value_set=ids))
        return self._with_tables(tables)

    def without_dangling(self) -> tuple[Dataset, dict[str, int]]:
        """This dataset without the rows that point at no item or no category, and their counts.

        Readers refuse such rows, but a dataset built in code can hold them, and no format can write them.
        Returns the dataset itself (not a copy) when every row points somewhere. Counts are keyed
        ``"<kind> annotations of unknown items"``, ``"... of unknown categories"`` and
        ``"tokens of unknown items"``; a row pointing at neither counts as of an unknown item. A dataset that
        defines no categories (as a COCO detection-results file) keeps its category ids as they are.

        Examples:
            >>> ds = Dataset(categories=[Category(id=1, name="cat")])
            >>> ds.add_item(Item(id="a"))
            >>> ds.add(Object(id="1", item_id="a", category_id=1), Object(id="2", item_id="b", category_id=1))
            >>> ds.add(Object(id="3", item_id="a", category_id=9))
            >>> kept, counts = ds.without_dangling()
            >>> [o.id for o in kept.objects()], counts
            (['1'], {'object annotations of unknown items': 1, 'object annotations of unknown categories': 1})
        """
        items = self.table("items")["id"].combine_chunks()
        category_ids = pa.array([c.id for c in self.categories], pa.int64())
        counts: dict[str, int] = {}
        tables: dict[str, pa.Table] = {}
        for name in (*T.ANNOTATION_TABLES, "tokens"):
            t = self.table(name)
            if not t.num_rows:
                continue
            keep = pc.is_in(t["item_id"], value_set=items)
            what = "tokens" if name == "tokens" else f"{T.KIND_BY_TABLE[name]} annotations"
            counts[f"{what} of unknown items"] = t.num_rows - _trues(keep)
            if name != "tokens" and self.categories:
                category = t["category_id"]
                known = pc.or_kleene(pc.is_null(category), pc.is_in(category, value_set=category_ids))
                counts[f"{what} of unknown categories"] = _trues(pc.and_not(keep, known))
                keep = pc.and_(keep, known)
            if _trues(keep) < t.num_rows:
                tables[name] = t.filter(keep)
        counts = {k: v for k, v in counts.items() if v}
        if not tables:
            return self, counts
        return self._derived({**self.tables(), **tables}, self.categories, self.info), counts

    def with_objects(self, keep: np.ndarray[Any, np.dtype[np.bool_]]) -> Dataset:
        """The dataset with only the objects where ``keep`` is true (itself when all are; other tables shared)."""
        return self.with_rows("objects", keep)

    def with_rows(self, name: str, keep: np.ndarray[Any, np.dtype[np.bool_]]) -> Dataset:
        """The dataset with only the rows of table ``name`` where ``keep`` is true (itself when all are).

        Raises:
            KeyError: no table is so named.
            UsageError: ``keep`` is not one boolean per row of the table (see :func:`row_mask`).
        """
        table = self.table(name)
        keep = row_mask("with_rows: keep", keep, table.num_rows)
        if keep.all():
            return self
        tables = {**self.tables(), name: table.filter(pa.array(keep))}
        return self._derived(tables, self.categories, self.info)

    def without_items(self, drop: np.ndarray[Any, np.dtype[np.bool_]]) -> tuple[Dataset, dict[str, int]]:
        """This dataset without the items where ``drop`` is set, nor their annotations and tokens.

        Returns the new dataset and how many rows went with the items, keyed ``"<kind> annotations"`` and
        ``"tokens"``. Other rows stay, those of an unknown item or category too (:meth:`without_dangling` drops
        them).

        Raises:
            UsageError: ``drop`` is not one boolean per item (see :func:`row_mask`).

        Examples:
            >>> ds = Dataset(categories=[Category(id=1, name="cat")])
            >>> ds.add_item(Item(id="a")); ds.add_item(Item(id="b"))
            >>> ds.add(Object(id="1", item_id="b", category_id=1))
            >>> kept, gone = ds.without_items(np.array([False, True]))
            >>> kept.item_ids(), gone
            (['a'], {'object annotations': 1})
        """
        items = self.table("items")
        drop = row_mask("without_items: drop", drop, items.num_rows)
        tables = {**self.tables(), "items": items.filter(pa.array(~drop))}
        gone: dict[str, int] = {}
        if drop.any():
            # (the rows of the dropped items only: through without_dangling(), rows of an unknown category or of an
            # item already missing went too, unsaid, and were counted as gone with the items; an id a kept item
            # holds too keeps its rows)
            dropped = items["id"].filter(pa.array(drop)).combine_chunks()
            kept_ids = tables["items"]["id"].combine_chunks()
            for name in (*T.ANNOTATION_TABLES, "tokens"):
                t = tables[name]
                if not t.num_rows:
                    continue
                going = T.true_mask(pc.is_in(t["item_id"], value_set=dropped)) & ~T.true_mask(
                    pc.is_in(t["item_id"], value_set=kept_ids)
                )
                if n := int(going.sum()):
                    tables[name] = t.filter(pa.array(~going))
                    gone["tokens" if name == "tokens" else f"{T.KIND_BY_TABLE[name]} annotations"] = n
        return self._derived(tables, self.categories, self.info), gone

    def report_counts(self) -> dict[str, int]:
        """Items, rows per annotation kind and tokens as a report counts them.

        ``items``, ``object annotations``, ..., and ``tokens`` where there are any.
        """
        counts = {"items": len(self), **{f"{k} annotations": v for k, v in self.annotation_counts().items()}}
        tokens = self.table("tokens").num_rows
        return counts | ({"tokens": tokens} if tokens else {})

    def annotation_counts(self) -> dict[str, int]:
        """Rows per annotation kind (``object``, ``label``, ...), kinds without rows left out."""
        counts: dict[str, int] = {}
        for name in T.ANNOTATION_TABLES:
            rows = self.table(name).num_rows
            if rows:
                counts[T.KIND_BY_TABLE[name]] = rows
        return counts

    def stats(self, empty_splits: Sequence[str] = ()) -> DatasetStats:
        """Counts per kind, per category and per split (a column at a time: no Python object per row).

        ``empty_splits``: splits of no item to count too, with 0 items (those a reader found empty, an empty
        ``ImageSets/Main/test.txt``: ``labelkit info`` lists them).

        Raises:
            UsageError: ``empty_splits`` is not a list of str: one str (``"test"`` was the splits ``e``, ``s``
                and ``t``), ``None``, or a list holding another type; or a name holds a lone surrogate (it was
                Python's ``UnicodeEncodeError``).
        """
        return dataset_stats(self, require_names("empty_splits", empty_splits))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (records in table order): for comparisons and the native JSON.

        Raises:
            UsageError: the info or a category was changed in place to hold a value its record refuses, as
                ``labelkit.save`` and ``plan`` refuse it (:meth:`parts_error`: pydantic printed a serializer
                warning and a NaN metadata value came out as ``None``).
            InputError: a table's value no record holds (a given table's JSON cell that is no object), naming the
                table, the record's id and the field.
        """
        error = self.parts_error()
        if error is not None:
            raise error
        return {
            "info": self.info.model_dump(mode="json", exclude_defaults=True),
            "categories": [c.model_dump(mode="json", exclude_defaults=True) for c in self.categories],
            "items": [i.model_dump(mode="json", exclude_defaults=True) for i in self.items()],
            "annotations": [
                a.model_dump(mode="json", exclude_defaults=True) | {"kind": a.kind} for a in self.annotations()
            ],
            "tokens": [t.model_dump(mode="json", exclude_defaults=True) for t in self.tokens()],
        }


def _trues(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(T.true_mask(mask).sum())


def _conformed(name: str, table: pa.Table) -> pa.Table:
    """``table`` conformed to labelkit's table ``name`` (for :meth:`Dataset.from_tables` and :meth:`Dataset.set_table`).

    Raises:
        KeyError: ``name`` is not a table's name.
        InputError: a column is not one of the table's, appears twice, or cannot be cast to its schema.
    """
    if not isinstance(name, str) or name not in TABLE_NAMES:
        raise _unknown_table(name)
    if not isinstance(table, pa.Table):  # (a dict of columns was AttributeError: no attribute 'column_names')
        hint = "make one with pyarrow.table(columns) or pyarrow.Table.from_pandas(frame)"
        raise UsageError(f"table {name!r} must be a pyarrow.Table, not {type(table).__name__}", hint=hint)
    error = T.columns_error(name, table)
    if error is not None:
        raise error
    try:
        return T.conform(name, table)
    except (ValueError, TypeError, pa.ArrowException) as exc:
        raise T.conform_error(name, table, exc) from exc


def _unknown_table(name: object) -> KeyError | UsageError:
    """The error for a table name no table has: a ``UsageError`` for one that is not a str."""
    if not isinstance(name, str):
        return UsageError(f"a table's name must be a str, not {type_name(name)}")
    return KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLE_NAMES)}")
