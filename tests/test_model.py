"""The typed model: what records accept and refuse, and the Dataset's bulk and per-record views."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
from conftest import FIXTURES
from pydantic import ValidationError

import labelkit
from labelkit.errors import InputError, OutputError, UsageError
from labelkit.model import TABLE_NAMES, Category, Dataset, DatasetInfo, Item, Label, Media, Object, Rle, Span, Token
from labelkit.model import tables as T

IMAGES = FIXTURES / "native" / "images.labelkit.json"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Object(id="1", item_id="a", bbox=(math.nan, 0, 1, 1)),
        lambda: Object(id="1", item_id="a", angle=math.inf),
        lambda: Object(id="1", item_id="a", score=-math.inf),
        lambda: Object(id="1", item_id="a", category_id=2**63),
        lambda: Object(id="1", item_id="a", frame=-1),
        lambda: Object(id="1", item_id="a", polygon=[[1, 2, 3]]),
        lambda: Object(id="1", item_id="a", polygon=[[1, 2]], polygon_holes=[True, False]),
        lambda: Object(id="1", item_id="a", polygon_holes=[True]),
        lambda: Object(id="1", item_id="a", keypoints=[1, 2]),
        lambda: Object(id="1", item_id="a", shape="blob"),  # type: ignore[arg-type]
        lambda: Object(id="1", item_id="a", colour="red"),  # type: ignore[call-arg]
        lambda: Object(id="1", item_id="a", attributes={"x": {"nested": 1}}),  # type: ignore[dict-item]
        lambda: Object(id="1", item_id="a", attributes={"x": 2**63}),
        lambda: Object(id="1", item_id="a", extras={"coco:x": math.nan}),
        lambda: Object(id="1", item_id="a", extras={"coco:x": (1, 2)}),
        lambda: Object(id="1", item_id="a", extras={"coco:x": {1: 2}}),
        lambda: Object(id="1", item_id="a", extras={"coco:x": 2**64}),
        lambda: Object(id="1", item_id="a", extras={"coco:x": b"raw"}),
        lambda: Rle(size=(-1, 2), counts="x"),
        lambda: Rle(size=(1, 2), counts=[-3]),
        lambda: Span(id="1", item_id="a", start=-1, end=2),
        lambda: Item(id="a", metadata={"when": object()}),
        lambda: Item(id="a", media=Media(width=-5)),
        lambda: Category(id=1, name="x", skeleton=[(1, 2, 3)]),  # type: ignore[list-item]
        lambda: Token(item_id="a", index=0, start=0, end=1, text="x", columns={"pos": 1}),  # type: ignore[dict-item]
        lambda: DatasetInfo(metadata={"x": math.inf}),
    ],
)
def test_records_refuse_what_no_format_can_hold(build: Any) -> None:
    with pytest.raises(ValidationError):
        build()


def test_records_accept_the_edges() -> None:
    obj = Object(
        id="1",
        item_id="a",
        category_id=-(2**63),
        bbox=(-0.0, 5e-324, 1.7976931348623157e308, 0),
        attributes={"i": 2**63 - 1, "f": 1.0, "b": True, "s": "x", "l": ["a", "b"]},
        extras={"coco:big": 2**64 - 1, "nested": {"a": [1, None, "x", 1.5]}},
        polygon=[[], [1, 2]],
        polygon_holes=[False, True],
        keypoints=[],
    )
    # bool stays bool, int stays int, float stays float
    assert [type(v) for v in obj.attributes.values()] == [int, float, bool, str, list]
    assert math.copysign(1, obj.bbox[0]) == -1  # type: ignore[index]


def test_assignment_is_validated() -> None:
    obj = Object(id="1", item_id="a")
    with pytest.raises(ValidationError):
        obj.keypoints = [1.0]


def test_dataset_views_and_filters() -> None:
    ds = labelkit.load(IMAGES)
    assert len(ds) == 3 and ds.item_ids() == ["street-1", "street-2", "park-1"]
    assert ds.splits() == ["train", "val"]
    assert ds.category("car").id == 2 and ds.category(3).name == "sedan"
    with pytest.raises(KeyError):
        ds.category("plane")
    assert len(list(ds.objects(category="car"))) == 5
    assert len(list(ds.objects(split="val"))) == 3
    doc = orjson.loads(IMAGES.read_bytes())
    train = {i["id"] for i in doc["items"] if i.get("split") == "train"}
    expected = [a["id"] for a in doc["annotations"] if a.get("category_id") == 2 and a["item_id"] in train]
    assert sorted(a.id for a in ds.annotations(category=2, split="train")) == sorted(expected)
    val = ds.filter("val")
    assert val.item_ids() == ["park-1"] and val.stats().annotations == {"object": 3}
    assert [i.id for i in ds.items(split="train")] == ["street-1", "street-2"]
    assert repr(ds) == "<Dataset items=3 categories=4 label=1 object=9>"


def test_copy_is_independent() -> None:
    ds = labelkit.load(IMAGES)
    twin = ds.copy()
    twin.categories[0].name = "renamed"
    twin.add(Label(id="new", item_id="park-1", category_id=2))
    assert ds.categories[0].name == "person"
    assert ds.stats().annotations == {"label": 1, "object": 9}
    assert twin.stats().annotations == {"label": 2, "object": 9}


def test_records_and_bulk_rows_mix() -> None:
    ds = Dataset(items=[Item(id="a")])
    ds.add(Object(id="1", item_id="a", bbox=(1, 2, 3, 4)))
    table = ds.table("objects")
    ds.add(Object(id="2", item_id="a"))
    assert ds.table("objects").num_rows == 2 and table.num_rows == 1  # tables are immutable snapshots
    ds.set_table("objects", table)
    assert [o.id for o in ds.objects()] == ["1"]


def test_from_tables_fills_missing_columns_and_refuses_unknown_tables() -> None:
    items = pa.table({"id": ["a", "b"]})
    objects = pa.table({"id": ["1"], "item_id": ["a"], "bbox": pa.array([[1.0, 2, 3, 4]], pa.list_(pa.float64(), 4))})
    ds = Dataset.from_tables({"items": items, "objects": objects})
    assert ds.table("objects").schema.equals(T.SCHEMAS["objects"])
    (obj,) = ds.objects()
    assert obj.bbox == (1.0, 2.0, 3.0, 4.0) and obj.angle == 0.0 and obj.shape == "box"
    assert [i.media.kind for i in ds.items()] == ["image", "image"]
    with pytest.raises(KeyError):
        Dataset.from_tables({"boxes": objects})


def test_from_tables_with_nan_is_refused_by_the_native_writers(tmp_path: Any) -> None:
    objects = pa.table({"id": ["1"], "item_id": ["a"], "score": [math.nan]})
    ds = Dataset.from_tables({"items": pa.table({"id": ["a"]}), "objects": objects})
    with pytest.raises(OutputError) as info:
        labelkit.save(ds, tmp_path / "o.json", "labelkit")
    assert "objects.score" in info.value.message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError) as info:  # (its reader refuses them: YOLO wrote a NaN box as `null`)
        labelkit.save(ds, tmp_path / "o.parquet", "parquet")
    assert "objects.score" in info.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", T.SCHEMAS)
def test_shared_null_columns_equal_plain_nulls(name: str) -> None:
    for field in T.SCHEMAS[name]:
        for n in (0, 1, 9, 1000):
            shared = T.null_array(field.type, n)
            shared.validate(full=True)
            assert shared.type == field.type and shared.null_count == n
            assert shared.equals(pa.nulls(n, field.type))


def test_compact_nulls_keeps_values() -> None:
    table = T.conform("objects", pa.table({"id": ["1", "2"], "item_id": ["a", "a"], "score": [None, None]}))
    compact = T.compact_nulls(table)
    assert compact.equals(table)
    assert compact["score"].null_count == 2


def test_item_positions_are_the_callers_to_change() -> None:
    # (kept while the tables are unchanged, but each call gives its own array, writable as before the cache)
    ds = Dataset(items=[Item(id="a"), Item(id="b")])
    ds.add(Object(id="1", item_id="b", bbox=(0, 0, 1, 1)), Object(id="2", item_id="ghost", bbox=(0, 0, 1, 1)))
    positions = ds.item_positions()
    positions[positions < 0] = 0
    assert positions.tolist() == [1, 0]
    assert ds.item_positions().tolist() == [1, -1]
    ds.add_item(Item(id="ghost"))  # (a table changed after a call: looked up again)
    assert ds.item_positions().tolist() == [1, 2]
    ds.add(Object(id="3", item_id="a"))
    assert ds.item_positions().tolist() == [1, 2, 0]
    ds.set_table("items", pa.table({"id": ["ghost", "b"]}))
    assert ds.item_positions().tolist() == [1, 0, -1]


def test_a_replaced_table_is_not_kept_alive_by_the_item_positions_lookup() -> None:
    import gc
    import weakref

    ds = Dataset(items=[Item(id="a")])
    ds.add(Object(id="1", item_id="a", bbox=(0, 0, 1, 1)))
    ds.item_positions()
    old = weakref.ref(ds.table("objects"))
    ds.set_table("objects", pa.table({"id": ["2"], "item_id": ["a"]}))
    gc.collect()
    assert old() is None  # (the lookup kept it, and the items table, until the next call)
    assert ds.item_positions().tolist() == [0]


def test_set_table_refuses_a_column_as_from_tables_does_and_keeps_the_dataset_as_it_was() -> None:
    """A raw ArrowInvalid came out of set_table, and the items added before it were dropped with the error."""
    from labelkit.errors import InputError

    ds = Dataset(items=[Item(id="a")])
    ds.add_item(Item(id="b"))  # (pending: not yet in the table)
    with pytest.raises(InputError) as err:
        ds.set_table("items", pa.table({"id": ["x"], "width": ["wide"]}))
    assert err.value.message == "items.width: not int64"
    with pytest.raises(InputError) as err:
        ds.set_table("objects", pa.table({"id": ["1"], "item_id": ["a"], "bbox": [[1.0, 2.0, 3.0]]}))
    assert err.value.message == "objects row 0: bbox holds 3 values, not 4"
    with pytest.raises(KeyError, match="unknown table 'object'"):
        ds.set_table("object", pa.table({"id": ["1"]}))
    assert ds.item_ids() == ["a", "b"]
    assert list(ds.tables()) == list(TABLE_NAMES)


def test_a_category_is_found_by_a_numpy_integer_id_as_by_an_int() -> None:
    """An id taken from a column's numpy array was looked up as a name: KeyError 'no category np.int64(1)'."""
    import numpy as np

    ds = labelkit.load(IMAGES)
    ids = ds.table("objects")["category_id"].to_numpy()
    cid = ids[0]
    assert isinstance(cid, np.integer)
    assert ds.category(cid) == ds.category(int(cid))
    assert [o.id for o in ds.objects(category=cid)] == [o.id for o in ds.objects(category=int(cid))]
    assert [o.id for o in ds.objects(category=cid)] != []


def test_adding_what_is_not_a_record_is_a_usage_error_naming_what_was_given() -> None:
    """An AttributeError came out ('list' object has no attribute 'kind'): ds.add([a, b]) is an easy slip."""
    from labelkit.errors import UsageError

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a"))
    one = Object(id="1", item_id="a", category_id=1)
    with pytest.raises(UsageError) as err:
        ds.add([one])  # type: ignore[arg-type]
    assert (
        err.value.message == "Dataset.add takes annotation records (Label, Object, Span, Transcript, Track), not list"
    )
    assert err.value.hint == "add several as ds.add(*records)"
    with pytest.raises(UsageError) as err:
        ds.add_item({"id": "b"})  # type: ignore[arg-type]
    assert (err.value.message, err.value.hint) == ("Dataset.add_item takes an Item record, not dict", None)
    with pytest.raises(UsageError) as err:
        Dataset(tokens=[("a", 0, 0, 1, "x")])  # type: ignore[list-item]
    assert err.value.message == "Dataset.add_tokens takes Token records, not tuple"
    ds.add(one)
    assert (ds.item_ids(), [o.id for o in ds.objects()]) == (["a"], ["1"])


def test_a_dataset_without_categories_filters_annotations_by_their_category_id() -> None:
    """A COCO detection-results file defines no categories and keeps its ids: objects(category=3) was a KeyError
    ('no category 3') though stats() counts '#3'. A dataset that defines categories still refuses an unknown one."""
    ds = labelkit.load(FIXTURES / "coco" / "results_val.json")
    assert ds.categories == []
    assert [o.category_id for o in ds.objects(category=3)] == [3]
    assert list(ds.annotations(category=4)) == []
    with pytest.raises(KeyError, match="no category 'car'"):
        list(ds.objects(category="car"))
    with pytest.raises(KeyError, match="no category 99"):
        list(labelkit.load(IMAGES).objects(category=99))


def test_threads_reading_a_dataset_just_built_see_each_row_once() -> None:
    """Two threads reading a dataset whose rows were added one by one (a thread pool saving it to two formats)
    both appended the rows to their table: every item was there twice (40,000 items of 20,000)."""
    import threading

    for _ in range(5):
        ds = Dataset(items=[Item(id=str(i)) for i in range(20_000)])
        ds.add(*(Label(id=str(i), item_id=str(i)) for i in range(20_000)))
        start = threading.Barrier(4)
        seen: list[tuple[int, dict[str, int]]] = []

        def read(ds: Dataset = ds, start: threading.Barrier = start, seen: list[Any] = seen) -> None:
            start.wait()
            stats = ds.stats()
            seen.append((stats.items, stats.annotations))

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert seen == [(20_000, {"label": 20_000})] * 4
        assert (len(ds), ds.table("labels").num_rows) == (20_000, 20_000)


def test_an_unknown_table_or_kind_is_a_key_error_naming_the_choices() -> None:
    """The KeyError said only 'object' (a table name in the singular) or 'objects' (a kind in the plural)."""
    ds = labelkit.load(IMAGES)
    with pytest.raises(KeyError) as err:
        ds.table("object")
    assert err.value.args[0] == (
        "unknown table 'object'; expected one of items, labels, objects, spans, transcripts, tracks, tokens"
    )
    with pytest.raises(KeyError) as err:
        list(ds.annotations(kind="objects"))
    assert (
        err.value.args[0] == "unknown annotation kind 'objects'; expected one of label, object, span, transcript, track"
    )


def test_an_item_without_a_media_kind_counts_as_an_image_as_its_record_says() -> None:
    """stats() (and so labelkit info) counted it under 'None', while its record and every writer take it as an
    image."""
    ds = Dataset.from_tables({"items": pa.table({"id": ["a", "b", "c"], "media": [None, "image", "text"]})})
    assert [i.media.kind for i in ds.items()] == ["image", "image", "text"]
    assert ds.stats().items_by_media == {"image": 2, "text": 1}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('{"x": {}}', "attributes.x: expected a valid boolean or a valid integer or a valid number or a valid string"),
        ('{"x": [1]}', "attributes.x.0: Input should be a valid string"),
    ],
)
def test_a_refused_value_of_several_types_is_named_by_its_field_not_a_union_member(
    attributes: str, message: str
) -> None:
    """An attribute value {} was named 'attributes.x.bool' (pydantic's union member, no field) and said to need a
    boolean; [1], a list, was too, where its member of its type (a list of texts) says what is wrong."""
    from labelkit.errors import InputError

    objects = pa.table({"id": ["1"], "item_id": ["a"], "attributes": [attributes]})
    ds = Dataset.from_tables({"items": pa.table({"id": ["a"]}), "objects": objects})
    with pytest.raises(InputError) as err:
        list(ds.objects())
    assert err.value.message.startswith(f"objects record '1': {message}")


def test_a_table_value_its_record_refuses_is_an_input_error_naming_the_table_record_and_field() -> None:
    """Iterating records of tables given to from_tables raised pydantic's ValidationError ('1 validation error
    for Item ... metadata'), naming neither table nor row, or an InputError naming neither."""
    from labelkit.errors import InputError

    items = pa.table({"id": ["a", "b"], "metadata": [None, "[1, 2]"]})
    objects = pa.table({"id": ["1", "2"], "item_id": ["a", "a"], "shape": ["box", "blob"]})
    tokens = pa.table({"item_id": ["a"], "index": [3], "start": [-1], "end": [1], "text": ["x"]})
    ds = Dataset.from_tables({"items": items, "objects": objects, "tokens": tokens})
    cases = [
        (lambda: list(ds.items()), "items record 'b': metadata: Input should be a valid dictionary"),
        (
            lambda: list(ds.objects()),
            "objects record '2': shape: Input should be 'box', 'polygon', 'polyline', "
            "'points', 'ellipse', 'mask', 'keypoints' or 'cuboid'",
        ),
        (lambda: list(ds.tokens()), "tokens record 'a' token 3: start: Input should be greater than or equal to 0"),
        (ds.to_dict, "items record 'b': metadata: Input should be a valid dictionary"),
    ]
    for call, message in cases:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.message == message
        assert (
            err.value.hint == "its table holds a value the record refuses: fix the tables given to Dataset.from_tables"
        )
    bad_json = Dataset.from_tables({"items": pa.table({"id": ["a"], "metadata": ["{bad"]})})
    with pytest.raises(InputError) as err:
        list(bad_json.items())
    assert err.value.message.startswith("items record 'a': a stored JSON text cannot be read: ")
    assert (err.value.found, err.value.hint) == ("{bad", None)


def test_a_media_kind_its_record_refuses_is_named_by_its_column() -> None:
    """The items table's ``media`` is the record's ``media.kind``: pydantic's location, ``kind``, is no column,
    and the error named no field (``items record 'a': : Input should be ...``)."""
    from labelkit.errors import InputError

    ds = Dataset.from_tables({"items": pa.table({"id": ["a"], "media": ["pdf"]})})
    message = "items record 'a': media: Input should be 'image', 'video', 'audio' or 'text'"
    for call in (lambda: list(ds.items()), ds.to_dict):
        with pytest.raises(InputError) as err:
            call()
        assert err.value.message == message


def test_a_split_of_a_dataset_has_its_own_categories_and_info() -> None:
    """``ds.filter("train").info.name = ...`` renamed the whole dataset too: they shared the records."""
    ds = Dataset(
        items=[Item(id="a", media=Media(path="a.jpg", width=4, height=4), split="train")],
        categories=[Category(id=1, name="cat")],
        info=DatasetInfo(name="all"),
    )
    ds.read_notes.append("a note")
    train = ds.filter("train")
    train.info.name = "train only"
    train.categories[0].name = "kitten"
    train.categories.append(Category(id=2, name="dog"))
    assert (ds.info.name, [c.name for c in ds.categories]) == ("all", ["cat"])
    assert (len(train), train.read_notes) == (1, ["a note"])


def test_a_copy_keeps_the_read_notes_in_a_list_of_its_own() -> None:
    """``copy()`` had no read notes (``filter()`` kept them): its ``stats().notes`` were empty."""
    ds = Dataset(items=[Item(id="a")])
    ds.read_notes.append("a note")
    twin = ds.copy()
    twin.read_notes.append("another")
    assert (ds.read_notes, twin.read_notes) == (["a note"], ["a note", "another"])
    assert twin.stats().notes == ["a note", "another"]


def test_every_derived_dataset_keeps_the_read_notes_in_a_list_of_its_own() -> None:
    """``without_dangling()``, ``with_rows()`` and ``without_items()`` gave datasets of no read notes, as ``copy()``
    did."""
    ds = Dataset(categories=[Category(id=1, name="c")], items=[Item(id="a"), Item(id="b")])
    ds.add(Object(id="1", item_id="a", category_id=1), Object(id="2", item_id="z", category_id=1))
    ds.read_notes.append("a note")
    derived = [
        ds.without_dangling()[0],
        ds.with_rows("objects", np.array([True, False])),
        ds.without_items(np.array([False, True]))[0],
    ]
    for other in derived:
        assert other is not ds and other.read_notes == ["a note"] and other.read_notes is not ds.read_notes
        # (as the README says: the writers' views share the records; copy() and filter() copy them)
        assert other.categories[0] is ds.categories[0] and other.info is ds.info
    assert ds.with_rows("objects", np.array([True, True])) is ds
    assert ds.copy().categories[0] is not ds.categories[0] and ds.copy().info is not ds.info


def test_a_category_name_two_categories_hold_filters_both_and_is_no_single_category() -> None:
    """Two categories named ``car`` (YOLO's ``names: [car, car]``, a COCO file's two ids): ``objects(category="car")``
    gave only the first one's objects, and ``category("car")`` the first category, without a word. A name filter
    takes every category of that name (table order kept); a lookup of one category by it asks for the id."""
    ds = Dataset(categories=[Category(id=1, name="car"), Category(id=2, name="car"), Category(id=3, name="bus")])
    ds.add_item(Item(id="a", split="train"))
    for i, cid in enumerate([1, 2, 3, 2]):
        ds.add(Object(id=str(i), item_id="a", category_id=cid, bbox=(0, 0, 1, 1)))
    assert [o.id for o in ds.objects(category="car")] == ["0", "1", "3"]
    assert [o.id for o in ds.annotations(category="car", split="train")] == ["0", "1", "3"]
    assert [o.id for o in ds.objects(category=2)] == ["1", "3"]
    assert [o.id for o in ds.objects(category="bus")] == ["2"]
    assert ds.category(2).name == "car" and ds.category("bus").id == 3
    with pytest.raises(KeyError) as err:
        ds.category("car")
    assert err.value.args == ("2 categories are named 'car' (ids 1, 2); give the id",)
    with pytest.raises(KeyError) as err:
        list(ds.objects(category="truck"))
    assert err.value.args == ("no category 'truck'",)


def test_numpy_values_in_metadata_attributes_and_extras_are_their_python_values(tmp_path: Any) -> None:
    """``Item(metadata={"k": np.int64(3)})`` was a ValidationError (``k is a int64, not a JSON value``), an
    ``np.float64`` passed but made ``add_item`` fail (``Type is not JSON serializable: numpy.float64``), and an
    attribute of ``np.int64(3)`` became ``3.0`` and ``np.bool_(True)`` ``1.0``. A numpy scalar is its Python value
    (``tolist()``: a float32's exact value) and an array its list, at any depth; keys too."""
    import numpy as np

    values = {
        "i": np.int64(2**62),
        "f32": np.float32(0.1),
        "f64": np.float64(0.25),
        "b": np.bool_(True),
        "s": np.str_("x"),
        "a": np.array([[1, 2], [3, 4]]),
        "nested": {np.str_("k"): [np.uint8(7), {"t": np.array(["p", "q"])}]},
    }
    plain = {
        "i": 2**62,
        "f32": 0.10000000149011612,
        "f64": 0.25,
        "b": True,
        "s": "x",
        "a": [[1, 2], [3, 4]],
        "nested": {"k": [7, {"t": ["p", "q"]}]},
    }
    item = Item(id="a", metadata=values)
    assert item.metadata == plain
    assert [type(v) for v in item.metadata.values()] == [int, float, float, bool, str, list, dict]
    assert type(next(iter(item.metadata["nested"]))) is str
    assert Category(id=1, name="c", extras={"coco:x": values}).extras == {"coco:x": plain}
    assert DatasetInfo(metadata=values).metadata == plain
    attributes = {"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "s": np.str_("x"), "l": np.array(["a"])}
    obj = Object(id="1", item_id="a", category_id=1, attributes=attributes, extras={"coco:x": values})
    assert obj.attributes == {"i": 3, "f": 0.5, "b": True, "s": "x", "l": ["a"]}
    assert [type(v) for v in obj.attributes.values()] == [int, float, bool, str, list]
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(item)
    ds.add(obj)
    labelkit.save(ds, tmp_path / "a.labelkit.json", "labelkit")
    back = labelkit.load(tmp_path / "a.labelkit.json")
    assert [i.metadata for i in back.items()] == [plain]
    assert [(o.attributes, o.extras) for o in back.objects()] == [(obj.attributes, {"coco:x": plain})]
    # what no format holds stays refused, as its Python value is: numbers are no attribute list, NaN no number
    for build in (
        lambda: Object(id="1", item_id="a", attributes={"l": np.array([1, 2])}),
        lambda: Item(id="a", metadata={"n": np.float32("nan")}),
        lambda: Item(id="a", metadata={"d": np.longdouble(1.5)}),
        lambda: Object(id="1", item_id="a", attributes={"d": np.longdouble(1.5)}),  # (was rounded to a float)
    ):
        with pytest.raises(ValidationError):
            build()


def test_from_tables_and_set_table_refuse_what_is_not_a_table_with_a_usage_error() -> None:
    """``Dataset.from_tables(None)`` and a dict of columns as a table were AttributeErrors ('NoneType' object has no
    attribute 'items'; 'dict' object has no attribute 'column_names')."""
    from labelkit.errors import UsageError

    hint = "make one with pyarrow.table(columns) or pyarrow.Table.from_pandas(frame)"
    cases = [
        (
            lambda: Dataset.from_tables(None),
            "Dataset.from_tables takes a dict of table name to pyarrow.Table, not NoneType",
            None,
        ),
        (
            lambda: Dataset.from_tables({"items": {"id": ["a"]}}),
            "table 'items' must be a pyarrow.Table, not dict",
            hint,
        ),
        (lambda: Dataset().set_table("objects", [1]), "table 'objects' must be a pyarrow.Table, not list", hint),
    ]
    for call, message, want_hint in cases:
        with pytest.raises(UsageError) as err:
            call()
        assert (err.value.message, err.value.hint) == (message, want_hint)
    assert Dataset.from_tables({"items": pa.table({"id": ["a"]})}).item_ids() == ["a"]


def test_categories_and_info_that_are_not_records_are_a_usage_error(tmp_path: Path) -> None:
    """A dict among the categories, or as the info, was taken, then failed inside a writer, ``copy`` or ``split``
    with Python's ``AttributeError`` ('dict' object has no attribute 'model_dump'); so did one appended later."""
    with pytest.raises(UsageError) as err:
        Dataset(categories=[Category(id=1, name="a"), {"id": 2, "name": "b"}])  # type: ignore[list-item]
    assert err.value.message == "a dataset's categories must be Category records, not dict (categories[1])"
    with pytest.raises(UsageError, match=r"^a dataset's info must be a DatasetInfo record, not dict$"):
        Dataset(info={"name": "x"})  # type: ignore[arg-type]
    # (None or a number was Python's TypeError, and one Category 'not tuple (categories[0])', its fields iterated)
    for given, named in ((None, "None"), (3, "int"), (Category(id=1, name="a"), "labelkit.model.records.Category")):
        with pytest.raises(UsageError) as err:
            Dataset(categories=given)  # type: ignore[arg-type]
        with pytest.raises(UsageError) as made:
            Dataset.from_tables({}, given)  # type: ignore[arg-type]
        assert (
            err.value.message
            == made.value.message
            == (f"a dataset's categories must be a list of Category records, not {named}")
        )
    with pytest.raises(UsageError, match="not dict"):
        Dataset.from_tables({}, [{"id": 1, "name": "a"}])  # type: ignore[list-item]
    ds = Dataset(categories=[Category(id=1, name="a")], items=[Item(id="i")])
    ds.categories.append({"id": 2, "name": "b"})  # type: ignore[arg-type]
    calls = [
        lambda: labelkit.save(ds, tmp_path / "o.json", "labelkit"),
        lambda: labelkit.plan(ds, "coco"),
        lambda: labelkit.split(ds, "train=1"),
    ]
    for call in calls:
        with pytest.raises(UsageError, match=r"categories\[1\]"):
            call()
    ds.categories.pop()
    ds.info = None  # type: ignore[assignment]
    for call in calls:
        with pytest.raises(UsageError, match="info must be a DatasetInfo record, not None"):
            call()
    assert list(tmp_path.iterdir()) == []


def test_none_or_one_record_where_a_dataset_takes_a_list_of_records_is_a_usage_error(tmp_path: Path) -> None:
    """``Dataset(items=None)``, ``annotations=None``, ``tokens=None`` and ``add_tokens(None)`` were Python's
    ``TypeError`` ('NoneType' object is not iterable), as was ``save``, ``plan`` or ``split`` of a dataset whose
    categories were set to ``None``; ``categories=None`` was already a ``UsageError``, worded so."""
    cases = [
        (lambda: Dataset(items=None), "a dataset's items must be a list of Item records, not None"),  # type: ignore[arg-type]
        (
            lambda: Dataset(items=Item(id="a")),  # type: ignore[arg-type]
            "a dataset's items must be a list of Item records, not labelkit.model.records.Item",
        ),
        (
            lambda: Dataset(annotations=None),  # type: ignore[arg-type]
            "a dataset's annotations must be a list of annotation records (Label, Object, Span, Transcript, Track), "
            "not None",
        ),
        (lambda: Dataset(tokens=None), "a dataset's tokens must be a list of Token records, not None"),  # type: ignore[arg-type]
        (lambda: Dataset().add_tokens(None), "Dataset.add_tokens takes a list of Token records, not None"),  # type: ignore[arg-type]
    ]
    for call, message in cases:
        with pytest.raises(UsageError) as err:
            call()
        assert err.value.message == message
    assert Dataset(items=(Item(id=i) for i in "ab")).item_ids() == ["a", "b"]  # (any iterable of records)
    ds = Dataset(items=[Item(id="i")])
    ds.categories = None  # type: ignore[assignment]
    for call in (
        lambda: labelkit.save(ds, tmp_path / "o.json", "labelkit"),
        lambda: labelkit.plan(ds, "coco"),
        lambda: labelkit.split(ds, "train=1"),
    ):
        with pytest.raises(UsageError, match=r"^a dataset's categories must be a list of Category records, not None$"):
            call()
    assert list(tmp_path.iterdir()) == []


def test_stats_empty_splits_must_be_a_list_of_names() -> None:
    """``stats(empty_splits="test")`` counted the splits ``e``, ``s`` and ``t``, each of 0 items."""
    ds = Dataset(items=[Item(id="a", split="train")])
    for given, named in (("test", "str"), (None, "None"), ([3], "int (empty_splits[0])")):
        with pytest.raises(UsageError) as err:
            ds.stats(given)  # type: ignore[arg-type]
        assert err.value.message == f"empty_splits must be a list of names (str), not {named}"
    assert ds.stats(["test"]).items_by_split == ds.stats(iter(["test"])).items_by_split == {"test": 0, "train": 1}


def test_filters_by_a_split_or_item_that_is_not_a_str_are_a_usage_error() -> None:
    """``ds.filter(3)``, ``ds.items(split=3)``, ``ds.objects(split=3)`` and ``ds.tokens(item_id=3)`` leaked pyarrow's
    ``ArrowNotImplementedError: Function 'equal' has no kernel matching input types (string, int64)``."""
    ds = labelkit.load(IMAGES)
    calls = [
        lambda: ds.filter(3),  # type: ignore[arg-type]
        lambda: list(ds.items(split=3)),  # type: ignore[arg-type]
        lambda: list(ds.objects(split=3)),
        lambda: list(ds.annotations(split=3)),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(UsageError, match=r"^split must be a str, not int$"):
            call()
    with pytest.raises(UsageError, match=r"^split must be a str, not None$"):
        ds.filter(None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"^item_id must be a str, not int$"):
        list(ds.tokens(item_id=3))  # type: ignore[arg-type]
    assert len(ds.filter("train")) == 2 and len(list(ds.items(split="val"))) == 1


def test_table_names_kinds_and_category_keys_of_another_type_are_a_usage_error() -> None:
    """``ds.table({})`` and ``ds.annotations({})`` were Python's ``TypeError: unhashable type``; a category key
    of ``True`` was taken for the id 1, and one of ``1.0`` or ``None`` was a ``KeyError`` saying no such category.
    The arguments of ``annotations`` are checked when it is called, not when its iteration starts."""
    ds = labelkit.load(IMAGES)
    some_id = ds.categories[0].id
    key = "a category is given by its id (an int) or name (a str), not "
    cases = [
        (lambda: ds.table({}), "a table's name must be a str, not dict"),
        (lambda: ds.table(None), "a table's name must be a str, not None"),
        (lambda: ds.set_table(3, ds.table("items")), "a table's name must be a str, not int"),
        (lambda: Dataset.from_tables({("items",): ds.table("items")}), "a table's name must be a str, not tuple"),
        (lambda: ds.annotations({}), "kind must be a str, not dict"),
        (lambda: ds.objects(category=True), key + "bool"),
        (lambda: ds.objects(category=float(some_id)), key + "float"),
        (lambda: ds.category(None), key + "None"),
        (lambda: ds.annotations(split=3), "split must be a str, not int"),
    ]
    for call, message in cases:
        with pytest.raises(UsageError) as err:
            call()  # type: ignore[no-untyped-call]
        assert err.value.message == message
    with pytest.raises(KeyError, match="unknown table 'object'"):
        ds.table("object")
    with pytest.raises(KeyError, match="unknown annotation kind 'obj'"):
        ds.annotations("obj")
    assert ds.category(np.int64(some_id)).id == some_id
    assert len(list(ds.objects(category=some_id))) == len(list(ds.objects(category=ds.category(some_id).name)))
    for call, message in (
        (lambda: ds.items(split=3), "split must be a str, not int"),
        (lambda: ds.tokens(item_id=3), "item_id must be a str, not int"),
    ):  # (generators checked them when iterated)
        with pytest.raises(UsageError) as err:
            call()  # type: ignore[no-untyped-call]
        assert err.value.message == message


def test_filter_arguments_no_row_can_hold_are_a_usage_error_when_called() -> None:
    """Of the right type but no value a row holds: a category id past 64 bits, in a dataset defining no categories,
    was Python's ``OverflowError`` once the iteration started; a split or item id holding a lone surrogate was
    pyarrow's ``TypeError: Got unexpected argument type <class 'str'> for compute function``, and an empty split
    so named Python's ``UnicodeEncodeError``."""
    ds = Dataset()
    ds.add_item(Item(id="a", split="train"))
    ds.add(Object(id="o", item_id="a", category_id=1))
    lone = "lone surrogate, which UTF-8 cannot encode"
    cases = [
        (lambda: ds.objects(category=2**63), "a category's id is an integer of 64 bits, not 9223372036854775808", None),
        (
            lambda: ds.category(np.uint64(2**64 - 1)),
            "a category's id is an integer of 64 bits, not 18446744073709551615",
            None,
        ),
        (lambda: ds.objects(category="c\udc80"), f"a category's name holds a {lone}", "'c\\udc80'"),
        (lambda: ds.items(split="\udc80"), f"split holds a {lone}", "'\\udc80'"),
        (lambda: ds.annotations(split="\udc80"), f"split holds a {lone}", "'\\udc80'"),
        (lambda: ds.filter("\udc80"), f"split holds a {lone}", "'\\udc80'"),
        (lambda: ds.tokens(item_id="\udc80"), f"item_id holds a {lone}", "'\\udc80'"),
        (lambda: ds.stats(empty_splits=["test", "\udc80"]), f"empty_splits[1] holds a {lone}", "'\\udc80'"),
    ]
    for call, message, found in cases:
        with pytest.raises(UsageError) as err:
            call()  # type: ignore[no-untyped-call]
        assert (err.value.message, err.value.found) == (message, found)
    assert [o.id for o in ds.objects(category=2**63 - 1)] == [] and [o.id for o in ds.objects(category=1)] == ["o"]


def test_an_unknown_category_or_empty_kind_is_a_key_error_when_called() -> None:
    """``objects(category="nope")`` returned an iterator, the ``KeyError`` raised only by ``next()``; ``kind=""`` was
    taken for every kind."""
    ds = Dataset(categories=[Category(id=1, name="cat")], items=[Item(id="a")])
    ds.add(Object(id="o", item_id="a", category_id=1), Label(id="l", item_id="a", category_id=1))
    for call, message in (
        (lambda: ds.objects(category="nope"), "\"no category 'nope'\""),
        (lambda: ds.labels(category=2), "'no category 2'"),
        (
            lambda: ds.annotations(kind=""),
            "\"unknown annotation kind ''; expected one of label, object, span, transcript, track\"",
        ),
    ):
        with pytest.raises(KeyError) as err:
            call()  # type: ignore[no-untyped-call]
        assert str(err.value) == message
    assert [a.id for a in ds.annotations(category="cat")] == ["l", "o"]


def test_iterators_read_the_tables_when_iterated_not_when_called() -> None:
    """The argument checks run when ``objects`` (``items``, ``tokens``) is called; the rows are read when the
    iteration starts, as they were: an object added in between is iterated."""
    ds = Dataset(items=[Item(id="a")], categories=[Category(id=1, name="c")])
    objects, items, tokens = ds.objects(), ds.items(), ds.tokens()
    ds.add(Object(id="o", item_id="a", category_id=1, bbox=(0, 0, 1, 1)))
    ds.add_item(Item(id="b"))
    ds.add_tokens([Token(item_id="a", index=0, text="x", start=0, end=1)])
    assert [o.id for o in objects] == ["o"]
    assert [i.id for i in items] == ["a", "b"]
    assert [t.text for t in tokens] == ["x"]


TITLES = {"coco": "COCO", "yolo": "YOLO detect", "voc": "Pascal VOC"}


@pytest.mark.parametrize("target", sorted(TITLES))
@pytest.mark.parametrize(
    ("items", "objects", "message"),
    [
        ({}, {"bbox": pa.array([[1.0, None, 2.0, 2.0]])}, "objects row 0: bbox holds a null value"),
        ({}, {"keypoints": pa.array([[1.0, None, 2.0]])}, "objects row 0: keypoints holds a null value"),
        ({}, {"polygon": pa.array([[[1.0, 1.0, None, 1.0, 3.0, 3.0]]])}, "objects row 0: polygon has a null ring"),
        ({}, {"polygon": pa.array([[None]], pa.list_(pa.list_(pa.float64())))}, "objects row 0: polygon has a null"),
        ({"height": [-8]}, {"bbox": [[1.0, 1.0, 2.0, 2.0]]}, "items row 0: height is negative (-8)"),
        # (COCO wrote the NaN into its JSON, which its reader refuses, and the report said nothing was lost)
        ({"metadata": ['{"s": NaN}']}, {"bbox": [[1.0, 1.0, 2.0, 2.0]]}, "items row 0: metadata is not a JSON object"),
        ({}, {"bbox": [[1.0, 1.0, 2.0, 2.0]], "attributes": ["[1]"]}, "objects row 0: attributes is not a JSON object"),
        # (COCO: Python's ValueError, zip() argument 2 is longer than argument 1)
        (
            {},
            {"polygon": [[[1.0, 1.0, 4.0, 1.0, 4.0, 4.0]]], "polygon_holes": [[False, True]]},
            "objects row 0: polygon_holes is not one flag per ring",
        ),
    ],
)
def test_values_no_record_holds_are_refused_by_every_writer_not_only_the_native_ones(
    target: str, items: dict[str, Any], objects: dict[str, Any], message: str, tmp_path: Path
) -> None:
    """Only ``Dataset.from_tables`` gives them, and only the native writers refused them: COCO wrote a null box value
    as ``nan`` (invalid JSON), VOC as another corner (``ymin`` 1), YOLO reported the box lost as outside its image;
    a null keypoint or polygon value was Python's TypeError from COCO and VOC, and YOLO wrote ``null`` its reader
    refuses; a negative image size was written by all three, and their readers refuse it."""
    table = {"id": ["x"], "width": [8], "height": [8], "split": ["train"], **items}
    shape = "keypoints" if "keypoints" in objects else "polygon" if "polygon" in objects else "box"
    rows = {"id": ["o"], "item_id": ["x"], "category_id": [1], "shape": [shape], **objects}
    ds = Dataset.from_tables(
        {"items": pa.table(table), "objects": pa.table(rows)}, [Category(id=1, name="a", keypoints=["p"])]
    )
    for call in (lambda: labelkit.plan(ds, target), lambda: labelkit.save(ds, tmp_path / "o", target, allow_loss=True)):
        with pytest.raises(OutputError) as err:
            call()
        assert err.value.message.startswith(message)
        assert err.value.hint == (
            f"no record holds it, nor can {TITLES[target]} write it: fix the tables given to Dataset.from_tables"
        )
    assert list(tmp_path.iterdir()) == []
    if message.startswith("items row 0: metadata"):  # (split reads every item's metadata: it refuses the cell)
        with pytest.raises(InputError, match=f"^{re.escape(message)}"):
            labelkit.split(ds, {"a": 1.0})
        splits = []
    else:
        splits = [labelkit.split(ds, {"a": 1.0}).dataset]
    for derived in (ds.copy(), ds.without_dangling()[0], *splits):
        with pytest.raises(OutputError, match=f"^{re.escape(message)}"):
            labelkit.plan(derived, target)


def test_a_dataset_a_reader_made_is_not_checked_value_by_value_before_writing() -> None:
    """Its values are those records hold (a quick look still runs); tables given whole are checked wholly."""
    ds = labelkit.load(IMAGES)
    assert (
        not ds.given_tables and not ds.copy().given_tables and not labelkit.split(ds, {"a": 1.0}).dataset.given_tables
    )
    assert Dataset.from_tables(ds.tables(), ds.categories).given_tables
    ds.set_table("items", ds.table("items"))
    assert ds.given_tables and ds.copy().given_tables


def _three_objects() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for i in range(3):
        ds.add_item(Item(id=f"i{i}"))
        ds.add(Object(id=str(i), item_id=f"i{i}", category_id=1, bbox=(0, 0, 1, 1)))
    return ds


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ds: ds.with_rows("objects", np.array([False])), "with_rows: keep has 1 values for 3 rows"),
        (lambda ds: ds.without_items(np.ones(4, dtype=bool)), "without_items: drop has 4 values for 3 rows"),
        (
            lambda ds: ds.without_items(None),
            "without_items: drop must be a 1-D array of booleans, one per row, not None",
        ),
        (
            lambda ds: ds.with_rows("objects", np.array([0, 1, 1])),
            "with_rows: keep must be a 1-D array of booleans, one per row, not numpy.ndarray of int64",
        ),
        (
            lambda ds: ds.with_objects(np.ones((3, 1), dtype=bool)),
            "with_rows: keep must be a 1-D array of booleans, one per row, not numpy.ndarray of bool",
        ),
    ],
)
def test_a_row_mask_not_one_boolean_per_row_is_a_usage_error(call: Any, message: str) -> None:
    """A short mask was pyarrow's ArrowInvalid, None a TypeError (bad operand type for unary ~)."""
    with pytest.raises(UsageError) as err:
        call(_three_objects())
    assert str(err.value) == message


def test_a_row_mask_may_be_a_list_of_booleans() -> None:
    assert Dataset().without_items([])[0].item_ids() == []  # ([] is an array of floats to numpy)
    ds = _three_objects()
    assert [o.id for o in ds.with_rows("objects", [False, True, True]).annotations("object")] == ["1", "2"]
    kept, gone = ds.without_items((True, False, False))
    assert kept.item_ids() == ["i1", "i2"] and gone == {"object annotations": 1}


def test_without_items_drops_only_the_rows_of_the_items_it_drops() -> None:
    """It went through ``without_dangling()``: dropping no item removed an object of an unknown category, unsaid,
    and counted one whose item was already missing as gone with the items."""
    ds = Dataset(categories=[Category(id=1, name="cat")], items=[Item(id="a"), Item(id="b")])
    ds.add(Object(id="1", item_id="a", category_id=1), Object(id="2", item_id="a", category_id=9))
    ds.add(Object(id="3", item_id="zz", category_id=1), Object(id="4", item_id="b", category_id=9))
    ds.add_tokens([Token(item_id="b", index=0, start=0, end=1, text="x")])
    kept, gone = ds.without_items(np.array([False, False]))
    assert [o.id for o in kept.objects()] == ["1", "2", "3", "4"] and gone == {}
    kept, gone = ds.without_items(np.array([False, True]))
    assert kept.item_ids() == ["a"] and [o.id for o in kept.objects()] == ["1", "2", "3"]
    assert list(kept.tokens()) == [] and gone == {"object annotations": 1, "tokens": 1}
