import json
from pathlib import Path

import pytest
from conftest import FIXTURES, NATIVE_FIXTURES, canonical

import labelkit


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_fixture_round_trips(fixture: Path, fmt: str, write_read) -> None:
    ds = labelkit.load(fixture)
    assert canonical(write_read(ds, fmt)) == canonical(ds)


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
def test_parquet_written_from_parquet_is_the_same_bytes(fixture: Path, tmp_path: Path) -> None:
    """A dataset read from Parquet kept its lists' element name as the file gave it (``element``, where the
    schemas say ``item``; Arrow's equality ignores it), so Parquet -> Parquet wrote other bytes than JSON -> Parquet."""
    labelkit.convert(fixture, tmp_path / "a", to="parquet")
    labelkit.convert(tmp_path / "a", tmp_path / "b", to="parquet")
    for table in sorted((tmp_path / "a").iterdir()):
        assert (tmp_path / "b" / table.name).read_bytes() == table.read_bytes(), table.name
    objects = labelkit.load(tmp_path / "a").table("objects")
    assert str(objects.schema.field("bbox").type) == "fixed_size_list<item: double>[4]"


def test_fixtures_cover_every_kind() -> None:
    kinds: set[str] = set()
    media: set[str] = set()
    for fixture in NATIVE_FIXTURES:
        stats = labelkit.load(fixture).stats()
        kinds |= set(stats.annotations)
        media |= set(stats.items_by_media)
    assert kinds == {"label", "object", "span", "transcript", "track"}
    assert media == {"image", "video", "audio", "text"}


def test_reads_and_writes_run_with_the_cyclic_gc_paused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers and writers build millions of acyclic objects; the GC's passes over them cost seconds."""
    import gc

    from labelkit.formats import native

    seen: list[tuple[str, bool]] = []
    read, write = native.read, native.write

    def recording_read(*args: object, **kwargs: object) -> object:
        seen.append(("read", gc.isenabled()))
        return read(*args, **kwargs)

    def recording_write(*args: object, **kwargs: object) -> None:
        seen.append(("write", gc.isenabled()))
        write(*args, **kwargs)

    monkeypatch.setattr(native, "read", recording_read)
    monkeypatch.setattr(native, "write", recording_write)
    src = next(p for p in NATIVE_FIXTURES if p.name == "images.labelkit.json")
    assert gc.isenabled()
    labelkit.stats(src)
    ds = labelkit.load(src)
    labelkit.save(ds, tmp_path / "a.labelkit.json", "labelkit")
    labelkit.convert(src, tmp_path / "b.labelkit.json", to="labelkit")
    assert seen == [("read", False), ("read", False), ("write", False), ("read", False), ("write", False)]
    assert gc.isenabled()  # and on again after each call


@pytest.mark.parametrize("target", ["labelkit", "parquet", "coco", "voc"])
def test_a_mask_whose_runs_do_not_make_it_is_kept_natively_and_refused_by_mask_drawing_writers(
    tmp_path: Path, target: str
) -> None:
    """README (*The native formats*): a record may hold one; labelkit JSON and Parquet keep it, COCO and VOC refuse
    it, naming the object."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=4, height=4)))
    ds.add(Object(id="o", item_id="i", category_id=1, mask={"size": (4, 4), "counts": [3, 5]}))
    out = tmp_path / ("o.json" if target == "labelkit" else "o")
    if target in ("labelkit", "parquet"):
        labelkit.save(ds, out, target)
        assert labelkit.load(out).to_dict() == ds.to_dict()
        return
    with pytest.raises(labelkit.InputError) as err:
        labelkit.save(ds, out, target)
    assert err.value.message == "object o: RLE counts add up to 8, not 16 (height x width)"
    assert not out.exists()


def test_validate_finds_mask_runs_that_do_not_make_their_mask(tmp_path: Path) -> None:
    """The record allows them and every mask writer refuses them: validate said ok."""
    doc = {
        "format": "labelkit",
        "version": 1,
        "categories": [{"id": 1, "name": "a"}],
        "items": [{"id": "i", "media": {"kind": "image", "path": "i.jpg", "width": 10, "height": 10}}],
        "annotations": [
            {"kind": "label", "id": "0", "item_id": "i", "category_id": 1},
            {"kind": "object", "id": "1", "item_id": "i", "category_id": 1, "mask": {"size": [2, 2], "counts": [1, 3]}},
            {
                "kind": "object",
                "id": "2",
                "item_id": "i",
                "category_id": 1,
                "mask": {"size": [10, 10], "counts": [5, 5]},
            },
        ],
    }
    path = tmp_path / "m.labelkit.json"
    path.write_text(json.dumps(doc))
    findings = labelkit.validate(path)
    assert [(f.where, f.message) for f in findings] == [
        ("#/annotations/2/mask", "RLE counts add up to 10, not 100 (height x width)")
    ]


def test_parquet_validate_finds_mask_runs_that_do_not_make_their_mask_as_json_validate_does(tmp_path: Path) -> None:
    """Parquet validate said nothing of them (its reader takes them, as labelkit JSON's does), where labelkit JSON's
    validate found them: the same message, at the objects table's row."""
    from click.testing import CliRunner

    from labelkit.cli import cli
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=4, height=4)))
    ds.add(
        Object(id="0", item_id="i", category_id=1, mask={"size": (4, 4), "counts": [3, 13]}),
        Object(id="1", item_id="i", category_id=1, bbox=(0, 0, 1, 1)),
        Object(id="2", item_id="i", category_id=1, mask={"size": (4, 4), "counts": [1, 2]}),
        Object(id="3", item_id="i", category_id=1, mask={"size": (2, 3), "counts": "1"}),
    )
    labelkit.save(ds, tmp_path / "m.json", "labelkit")
    labelkit.save(ds, tmp_path / "m.parquet", "parquet")
    message2, message3 = (
        "RLE counts add up to 3, not 16 (height x width)",
        "RLE counts add up to 1, not 6 (height x width)",
    )
    assert [(f.path, f.where, f.message) for f in labelkit.validate(tmp_path / "m.json")] == [
        (str(tmp_path / "m.json"), "#/annotations/2/mask", message2),
        (str(tmp_path / "m.json"), "#/annotations/3/mask", message3),
    ]
    objects = str(tmp_path / "m.parquet" / "objects.parquet")
    assert [(f.path, f.where, f.message, f.severity) for f in labelkit.validate(tmp_path / "m.parquet")] == [
        (objects, "row 2", message2, "error"),
        (objects, "row 3", message3, "error"),
    ]
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "m.parquet")])
    assert (result.exit_code, result.output.splitlines()) == (
        1,
        [f"{objects} row 2: {message2}", f"{objects} row 3: {message3}"],
    )


def _parquet_with(tmp_path: Path, table: str, column: str, row: int, value: object, fixture: str = "images") -> Path:
    """A native fixture saved as Parquet, with ``value`` put in ``column`` of ``table`` at ``row``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / f"native/{fixture}.labelkit.json"), out, "parquet")
    data = pq.read_table(out / f"{table}.parquet")
    values = data[column].to_pylist()
    values[row] = value
    index = data.schema.get_field_index(column)
    pq.write_table(
        data.set_column(index, column, pa.array(values, data.schema.field(column).type)), out / f"{table}.parquet"
    )
    return out


@pytest.mark.parametrize(
    ("table", "column", "value", "row"),
    [
        ("objects", "score", float("nan"), 0),
        ("objects", "angle", float("inf"), 0),
        ("objects", "bbox", [1.0, 2.0, float("-inf"), 4.0], 1),
        ("objects", "polygon", [[0.0, 0.0, 1.0, float("nan"), 1.0, 1.0]], 3),
        ("objects", "keypoints", [1.0, float("nan"), 2.0], 2),
        ("items", "fps", float("nan"), 1),
    ],
)
def test_parquet_non_finite_numbers_are_input_errors(
    table: str, column: str, value: object, row: int, tmp_path: Path
) -> None:
    """A NaN angle was read, then written to YOLO as `1 null null null null`; `validate` found nothing."""
    out = _parquet_with(tmp_path, table, column, row, value)
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o", to="yolo", allow_loss=True)
    assert str(err.value.location.path) == str(out / f"{table}.parquet")
    assert err.value.message == f"row {row}: {column} holds NaN or infinity"
    assert not (tmp_path / "o").exists()
    found = [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(out)]
    assert found == [(f"{table}.parquet", f"row {row}", f"{column} holds NaN or infinity")]


NOT_VALUE = "attributes holds a value that is not a bool, integer, finite number, text or list of texts"
BIG = "holds an integer that does not fit 64 bits"


@pytest.mark.parametrize(
    ("table", "column", "text", "message"),
    [
        ("objects", "attributes", '{"a": {"x": 1}}', NOT_VALUE),
        ("objects", "attributes", '{"a": null}', NOT_VALUE),
        ("objects", "attributes", '{"a": [1, 2]}', NOT_VALUE),
        ("objects", "attributes", '{"a": 1e400}', NOT_VALUE),
        ("objects", "attributes", '{"a": 9223372036854775808}', "attributes " + BIG),
        ("objects", "extras", '{"a": [123456789012345678901234]}', "extras " + BIG),
        ("items", "metadata", '{"a": {"b": -9223372036854775809}}', "metadata " + BIG),
    ],
)
def test_parquet_json_cells_the_records_refuse_are_input_errors(
    table: str, column: str, text: str, message: str, tmp_path: Path
) -> None:
    """They were read: labelkit JSON then wrote a file its reader refuses, or a big integer as a float."""
    out = _parquet_with(tmp_path, table, column, 1, text)
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert str(err.value.location.path) == str(out / f"{table}.parquet")
    assert err.value.message.startswith(f"row 1: {message}")
    assert not (tmp_path / "o.labelkit.json").exists()
    found = [(Path(f.path).name, f.where, f.message[: len(message)]) for f in labelkit.validate(out)]
    assert found == [(f"{table}.parquet", "row 1", message)]


def test_parquet_keeps_64_bit_integers_in_json_cells(tmp_path: Path) -> None:
    """The largest integers the records hold still read, and survive labelkit JSON digit for digit."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / "objects.parquet")
    for column, text in (("attributes", '{"a": -9223372036854775808}'), ("extras", '{"b": [18446744073709551615]}')):
        values = data[column].to_pylist()
        values[1] = text
        data = data.set_column(data.schema.get_field_index(column), column, pa.array(values, pa.string()))
    pq.write_table(data, out / "objects.parquet")
    labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    obj = next(o for o in labelkit.load(tmp_path / "o.labelkit.json").objects() if o.attributes.get("a"))
    assert obj.attributes == {"a": -9223372036854775808} and obj.extras == {"b": [18446744073709551615]}


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        ({"height": 48, "width": 64, "counts": None, "runs": None}, "mask has neither counts nor runs"),
        ({"height": 48, "width": 64, "counts": "PP1", "runs": [3072]}, "mask has both counts and runs"),
        ({"height": None, "width": 64, "counts": None, "runs": [3072]}, "mask height is missing"),
        ({"height": 48, "width": -64, "counts": None, "runs": [3072]}, "mask width is negative"),
        ({"height": 48, "width": 64, "counts": None, "runs": [3073, -1]}, "mask runs hold a negative or null run"),
    ],
)
def test_parquet_masks_the_records_refuse_are_input_errors(
    mask: dict[str, object], message: str, tmp_path: Path
) -> None:
    """They were read, and labelkit JSON then wrote a file its own reader refuses; `validate` found nothing."""
    out = _parquet_with(tmp_path, "objects", "mask", 1, mask)
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert str(err.value.location.path) == str(out / "objects.parquet")
    assert err.value.message == f"row 1: {message}"
    assert not (tmp_path / "o.labelkit.json").exists()
    found = [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(out)]
    assert found == [("objects.parquet", "row 1", message)]


def test_parquet_column_labelkit_does_not_read_is_an_input_error(tmp_path: Path) -> None:
    """A column added to a table (in DuckDB or Polars, say) was dropped without a word on reading."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / "objects.parquet")
    pq.write_table(data.append_column("__index_level_0__", pa.array(range(data.num_rows))), out / "objects.parquet")
    assert labelkit.load(out).stats() == labelkit.load(FIXTURES / "native/images.labelkit.json").stats()  # (pandas')
    pq.write_table(data.append_column("reviewed", pa.array([True] * data.num_rows)), out / "objects.parquet")
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert str(err.value.location.path) == str(out / "objects.parquet")
    assert err.value.message == "column 'reviewed' is not a column of labelkit's objects table"
    assert not (tmp_path / "o.labelkit.json").exists()
    found = [(Path(f.path).name, f.message) for f in labelkit.validate(out)]
    assert found == [("objects.parquet", "column 'reviewed' is not a column of labelkit's objects table")]


@pytest.mark.parametrize(
    ("where", "value", "pointer", "message"),
    [
        (("categories", 0, "id"), "1", "/categories/0/id", "Input should be a valid integer"),
        (("categories", 0, "id"), 1.0, "/categories/0/id", "Input should be a valid integer"),
        (("version",), True, "/version", "Value error, Input should be 1"),
        (
            ("version",),
            2,
            "/version",
            "Value error, version 2 is newer than this labelkit reads (1): upgrade labelkit to read it",
        ),
        (("info", "metadata"), {"a": 2**70}, "/info/metadata/a", "integer does not fit 64 bits"),
        (("categories", 0, "skeleton"), [[1]], "/categories/0/skeleton/0", "Tuple should have 2 items, not 1"),
    ],
)
def test_parquet_manifest_is_read_as_strictly_as_labelkit_json(
    where: tuple[str | int, ...], value: object, pointer: str, message: str, tmp_path: Path
) -> None:
    """The manifest was read leniently: a category id "1" or 1.0 and version true passed, and an integer past
    64 bits in the metadata was read as a float (its digits lost), where labelkit JSON refuses each."""
    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    manifest = json.loads((out / "labelkit.json").read_text())
    parent = manifest
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value
    (out / "labelkit.json").write_text(json.dumps(manifest))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(out)
    assert str(err.value.location.path) == str(out / "labelkit.json")
    assert (err.value.location.pointer, err.value.message) == (pointer, message)


@pytest.mark.parametrize("source", ["coco/annotations/instances_val.json", "voc/golden/default"])
def test_labelkit_json_written_from_another_format_rewrites_byte_for_byte(source: str, tmp_path: Path) -> None:
    """An object read without an angle (null) was written without one, read back as 0.0 and rewritten with
    ``"angle":0.0``: labelkit JSON -> labelkit JSON changed the bytes, and the detour the tables."""
    import pyarrow.parquet as pq

    first, second = tmp_path / "a.labelkit.json", tmp_path / "b.labelkit.json"
    labelkit.convert(FIXTURES / source, first, to="labelkit")
    labelkit.convert(first, second, to="labelkit")
    assert b'"angle"' not in first.read_bytes()
    assert second.read_bytes() == first.read_bytes()
    labelkit.convert(FIXTURES / source, tmp_path / "direct.parquet", to="parquet")
    labelkit.convert(first, tmp_path / "detour.parquet", to="parquet")
    direct, detour = (pq.read_table(tmp_path / p / "objects.parquet") for p in ("direct.parquet", "detour.parquet"))
    assert detour["angle"].null_count == direct["angle"].null_count == direct.num_rows > 0
    from labelkit.formats import native  # the records' path (documents the bulk path declines) reads the same

    records = native._dataset(native.parse_document(first.read_bytes(), first))
    assert records.table("objects").equals(labelkit.load(first).table("objects"))


@pytest.mark.parametrize("text", ['{"pos": 1}', '{"pos": "NNP", "lemma": ["a"]}', '{"pos": null}'])
def test_parquet_token_columns_that_are_not_texts_are_input_errors(text: str, tmp_path: Path) -> None:
    """A token's columns cell holding a number was read, and labelkit JSON wrote a file its reader refuses."""
    out = _parquet_with(tmp_path, "tokens", "columns", 1, text, fixture="text")
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert str(err.value.location.path) == str(out / "tokens.parquet")
    assert err.value.message == "row 1: columns holds a value that is not a text"
    assert not (tmp_path / "o.labelkit.json").exists()


def test_parquet_polygon_ring_of_an_odd_length_is_an_input_error(tmp_path: Path) -> None:
    """It was read, and labelkit JSON then wrote a document its reader refuses; `validate` found nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / "objects.parquet")
    values = data["polygon"].to_pylist()
    values[3] = [values[3][0], [0.0, 0.0, 1.0, 0.0, 1.0]]
    index = data.schema.get_field_index("polygon")
    column = pa.array(values, data.schema.field("polygon").type)
    pq.write_table(data.set_column(index, "polygon", column), out / "objects.parquet")
    message = "polygon has a ring of an odd number of coordinates (rings are x, y pairs)"
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert (str(err.value.location.path), err.value.message) == (str(out / "objects.parquet"), f"row 3: {message}")
    assert not (tmp_path / "o.labelkit.json").exists()
    assert [(f.where, f.message) for f in labelkit.validate(out)] == [("row 3", message)]


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_a_category_parent_that_is_not_a_category_is_refused(fmt: str, tmp_path: Path) -> None:
    """README: an unknown category reference is an error at its JSON pointer; a category's parent was not
    checked (by either native reader), so a parent of 99 was read and carried."""
    from labelkit.errors import OutputError

    document = json.loads((FIXTURES / "native/images.labelkit.json").read_text())
    document["categories"][1]["parent"] = 99
    src = tmp_path / "in.labelkit.json"
    src.write_text(json.dumps(document))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(src)
    assert (err.value.location.pointer, err.value.message) == ("/categories/1/parent", "unknown category 99")
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [("#/categories/1/parent", "unknown category 99")]
    document["categories"][1]["parent"] = None
    src.write_text(json.dumps(document))
    ds = labelkit.load(src)
    ds.categories[1].parent = 99  # a dataset built in code may hold one: the native writers refuse it
    with pytest.raises(OutputError, match="category 2's parent 99 is not a category of the dataset"):
        labelkit.save(ds, tmp_path / "out", fmt)
    assert not (tmp_path / "out").exists()
    labelkit.save(labelkit.load(src), tmp_path / "ds.parquet", "parquet")
    manifest = json.loads((tmp_path / "ds.parquet/labelkit.json").read_text())
    manifest["categories"][1]["parent"] = 99
    (tmp_path / "ds.parquet/labelkit.json").write_text(json.dumps(manifest))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(tmp_path / "ds.parquet")
    assert (str(err.value.location.path), err.value.location.pointer) == (
        str(tmp_path / "ds.parquet/labelkit.json"),
        "/categories/1/parent",
    )


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_categories_whose_parents_lead_back_to_them_are_refused(fmt: str, tmp_path: Path) -> None:
    """Categories form a hierarchy: a category that was its own parent, or two that were each other's, were read,
    validated ok and carried, where a tool walking the hierarchy would loop."""
    from labelkit.errors import OutputError

    document = json.loads((FIXTURES / "native/images.labelkit.json").read_text())
    assert [(c["id"], c.get("parent")) for c in document["categories"]] == [(1, None), (2, None), (3, 2), (0, None)]
    document["categories"][1]["parent"] = 3  # 2 -> 3 -> 2
    src = tmp_path / "in.labelkit.json"
    src.write_text(json.dumps(document))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(src)
    assert (err.value.location.pointer, err.value.message) == (
        "/categories/1/parent",
        "category 2's parents lead back to it: 2 -> 3 -> 2",
    )
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [
        ("#/categories/1/parent", "category 2's parents lead back to it: 2 -> 3 -> 2"),
        ("#/categories/2/parent", "category 3's parents lead back to it: 3 -> 2 -> 3"),
    ]
    document["categories"][1]["parent"] = None
    src.write_text(json.dumps(document))
    ds = labelkit.load(src)
    ds.categories[0].parent = 1  # a dataset built in code may hold one: the native writers refuse it
    with pytest.raises(OutputError, match=": category 1's parent is itself; hint"):
        labelkit.save(ds, tmp_path / "out", fmt)
    assert not (tmp_path / "out").exists()
    labelkit.save(labelkit.load(src), tmp_path / "ds.parquet", "parquet")
    manifest = json.loads((tmp_path / "ds.parquet/labelkit.json").read_text())
    manifest["categories"][3]["parent"] = 0
    (tmp_path / "ds.parquet/labelkit.json").write_text(json.dumps(manifest))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(tmp_path / "ds.parquet")
    assert (str(err.value.location.path), err.value.location.pointer, err.value.message) == (
        str(tmp_path / "ds.parquet/labelkit.json"),
        "/categories/3/parent",
        "category 0's parent is itself",
    )


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("label id", "labels row 1: duplicate label id 'l1'"),
        ("object id", "objects row 9: duplicate object id '1'"),
        ("category id", "categories[4]: duplicate category id 1"),
    ],
)
def test_what_the_native_readers_refuse_is_not_written(fmt: str, change: str, message: str, tmp_path: Path) -> None:
    """Records added one by one are not checked against each other: a second label with id 'l1' (or a second
    category 1) was written, and the file was then refused by its own reader. The writers refuse it now,
    naming the row, and write nothing. (Annotations of unknown items or categories are reported lost.)"""
    from labelkit.errors import OutputError
    from labelkit.model import Category, Label, Object

    ds = labelkit.load(FIXTURES / "native/images.labelkit.json")
    if change == "label id":
        ds.add(Label(id="l1", item_id="park-1", category_id=1))
    elif change == "object id":
        ds.add(Object(id="1", item_id="park-1", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    else:
        ds.categories.append(Category(id=1, name="again"))
    out = tmp_path / ("out.labelkit.json" if fmt == "labelkit" else "out")
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, out, fmt)
    assert err.value.message == message
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
@pytest.mark.parametrize("rows", [1, 2])
def test_an_annotation_without_an_id_is_not_written(fmt: str, rows: int, tmp_path: Path) -> None:
    """A table given to from_tables without ids: one such object was written, and its reader refused the file
    (labelkit JSON: "Field required"); two were refused as a repeated id None. Both name the first row now."""
    import pyarrow as pa

    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset

    items = pa.table({"id": ["a"], "media": ["image"], "width": [10], "height": [10]})
    objects = pa.table(
        {
            "item_id": ["a"] * rows,
            "category_id": [1] * rows,
            "shape": ["box"] * rows,
            "bbox": pa.array([[1.0, 1.0, 2.0, 2.0]] * rows, pa.list_(pa.float64(), 4)),
        }
    )
    ds = Dataset.from_tables({"items": items, "objects": objects}, [Category(id=1, name="c")])
    out = tmp_path / ("out.labelkit.json" if fmt == "labelkit" else "out")
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, out, fmt)
    assert err.value.message == "objects row 0: id is missing"
    assert not out.exists()


def test_parquet_column_written_twice_is_an_input_error(tmp_path: Path) -> None:
    """Arrow raised KeyError ('Field "extras" exists 2 times in schema') on a table holding a column twice."""
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / "objects.parquet")
    pq.write_table(data.append_column("extras", data["extras"]), out / "objects.parquet")
    with pytest.raises(labelkit.InputError) as err:
        labelkit.convert(out, tmp_path / "o.labelkit.json", to="labelkit")
    assert str(err.value.location.path) == str(out / "objects.parquet")
    assert err.value.message == "column 'extras' appears more than once"
    assert not (tmp_path / "o.labelkit.json").exists()
    found = [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(out)]
    assert found == [("objects.parquet", "", "column 'extras' appears more than once")]


def _built(**columns: object) -> "labelkit.Dataset":
    """Two items (a, b) of one box each, built from tables, with ``columns`` given as ``table__column=values``."""
    import pyarrow as pa

    from labelkit.model import Category, Dataset
    from labelkit.model.tables import SCHEMAS

    tables: dict[str, dict[str, object]] = {
        "items": {"id": ["a", "b"], "width": [10, 10], "height": [8, 8]},
        "objects": {
            "id": ["o1", "o2"],
            "item_id": ["a", "b"],
            "category_id": [1, 1],
            "bbox": [[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]],
        },
    }
    for key, values in columns.items():
        table, column = key.split("__")
        tables.setdefault(table, {})[column] = values
    arrays = {
        name: pa.table({c: pa.array(v, SCHEMAS[name].field(c).type) for c, v in cols.items()})
        for name, cols in tables.items()
    }
    return Dataset.from_tables(arrays, [Category(id=1, name="c")])


_MASK = {"height": 2, "width": 2, "counts": "4", "runs": [4]}


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"objects__keypoints": [[1.0, 2.0], None]}, "objects row 0: keypoints are not x, y, visibility triples"),
        ({"objects__bbox": [[0.0, 0.0, 2.0, 2.0], [1.0, None, 2.0, 2.0]]}, "objects row 1: bbox holds a null value"),
        ({"items__width": [-1, 10]}, "items row 0: width is negative (-1)"),
        (
            {"objects__shape": ["box", "blob"]},
            "objects row 1: shape 'blob' is not one of box, polygon, polyline, points, ellipse, mask, keypoints, "
            "cuboid",
        ),
        ({"objects__mask": [_MASK, None]}, "objects row 0: mask has both counts and runs"),
        (
            {"objects__polygon": [None, [[1.0, 2.0, 3.0]]]},
            "objects row 1: polygon has a ring of an odd number of coordinates (rings are x, y pairs)",
        ),
        ({"objects__extras": ["[1, 2]", None]}, "objects row 0: extras is not a JSON object"),
        (
            {"objects__attributes": [None, '{"a": {"b": 1}}']},
            "objects row 1: attributes holds a value that is not a bool, integer, finite number, text or list of texts",
        ),
        ({"objects__frame": [None, -3]}, "objects row 1: frame is negative (-3)"),
        ({"spans__id": ["s"], "spans__item_id": ["a"], "spans__end": [2]}, "spans row 0: start is missing"),
        (
            {
                "tokens__item_id": ["a"],
                "tokens__index": [-1],
                "tokens__start": [0],
                "tokens__end": [1],
                "tokens__text": ["x"],
            },
            "tokens row 0: index is negative (-1)",
        ),
    ],
    ids=[
        "keypoints",
        "bbox-null",
        "width",
        "shape",
        "mask",
        "polygon",
        "extras",
        "attributes",
        "frame",
        "span",
        "token",
    ],
)
def test_values_the_readers_refuse_are_refused_before_writing(
    fmt: str, columns: dict[str, object], message: str, tmp_path: Path
) -> None:
    """Tables given to from_tables were written as they were, and the format's own reader refused the file (or,
    for a null bbox coordinate in Parquet, read it and failed building records): the writer now refuses them
    first, naming the table, its 0-based row and the column, and writes nothing."""
    from labelkit.errors import OutputError

    out = tmp_path / ("out.labelkit.json" if fmt == "labelkit" else "out")
    with pytest.raises(OutputError) as err:
        labelkit.save(_built(**columns), out, fmt)
    assert err.value.message == message
    title = "labelkit JSON" if fmt == "labelkit" else "labelkit Parquet"
    assert err.value.hint == f"{title} readers refuse it: fix the tables given to Dataset.from_tables"
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_a_non_finite_number_is_named_with_its_first_row(fmt: str, tmp_path: Path) -> None:
    from labelkit.errors import OutputError

    with pytest.raises(OutputError) as err:
        labelkit.save(_built(objects__score=[0.5, float("nan")]), tmp_path / "out", fmt)
    assert err.value.message.endswith("NaN or infinity, found in objects.score (first at objects row 1)")


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_values_the_records_take_are_written_and_read_back_as_they_were(fmt: str, write_read) -> None:
    """A box of negative width, a span ending before it starts, a negative fps, mask runs not making the mask:
    the records hold them, so the native formats write them and read them back unchanged."""
    ds = _built(
        objects__bbox=[[0.0, 0.0, -2.0, 2.0], [1.0, 1.0, 2.0, 2.0]],
        objects__mask=[None, {"height": 2, "width": 2, "counts": None, "runs": [1, 1]}],
        items__fps=[-1.0, None],
        spans__id=["s"],
        spans__item_id=["a"],
        spans__start=[5],
        spans__end=[2],
    )
    assert canonical(write_read(ds, fmt)) == canonical(ds)


def test_a_null_box_coordinate_in_parquet_is_an_input_error(tmp_path: Path) -> None:
    """The Parquet reader read it, and building the object's record then failed with pydantic's traceback."""
    out = _parquet_with(tmp_path, "objects", "bbox", 1, [1.0, None, 2.0, 2.0])
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(out)
    assert str(err.value.location.path) == str(out / "objects.parquet")
    assert err.value.message == "row 1: bbox holds a null value"


@pytest.mark.parametrize(
    ("tables", "message", "found"),
    [
        (
            {"objects": {"bbox": [[0.0, 0.0, 2.0, 2.0], [0.0, 1.0, 2.0]]}},
            "objects row 1: bbox holds 3 values, not 4",
            None,
        ),
        ({"items": {"width": ["wide"]}}, "items.width: not int64", "string: Failed to parse string: 'wide' as a"),
    ],
)
def test_from_tables_names_the_table_column_and_row_a_column_cannot_be_cast(
    tables: dict[str, dict[str, list[object]]], message: str, found: str | None
) -> None:
    """pyarrow's ArrowInvalid said neither table nor column ('ListType can only be casted to FixedSizeListType if
    the lists are all the expected size.')."""
    import pyarrow as pa

    from labelkit.model import Dataset

    with pytest.raises(labelkit.InputError) as err:
        Dataset.from_tables({name: pa.table(columns) for name, columns in tables.items()})
    assert err.value.message == message
    assert (err.value.found or "").startswith(found or "")
    assert isinstance(err.value.__cause__, pa.ArrowException)


@pytest.mark.parametrize(
    ("polygons", "holes", "message"),
    [
        ([[[0.0, 0, 1, 0, 1, 1]], [None]], None, "polygon has a null ring or coordinate"),
        ([[[0.0, 0, 1, 0, 1, 1]], [[0.0, 0, 1, None, 1, 1]]], None, "polygon has a null ring or coordinate"),
        ([[[0.0, 0, 1, 0, 1, 1]], [[0.0, 0, 1, 0, 1]]], None, "polygon has a ring of an odd number of coordinates"),
        ([[[0.0, 0, 1, 0, 1, 1]], [[0.0, 0, 1, 0, 1, 1]]], [None, [False, True]], "polygon_holes is not one flag"),
        ([[[0.0, 0, 1, 0, 1, 1]], [[0.0, 0, 1, 0, 1, 1]]], None, None),
    ],
)
def test_value_findings_in_a_later_chunk_name_the_row_of_the_whole_table(
    polygons: list, holes: list | None, message: str | None
) -> None:
    """The checks look at a column chunk by chunk first (no copy): a finding in the second chunk is still at
    its row of the whole table, and a clean column (the last case) has none."""
    import pyarrow as pa

    from labelkit.formats.native_values import non_finite_rows, value_findings
    from labelkit.model.tables import SCHEMAS

    ds = _built(objects__polygon=polygons, **({"objects__polygon_holes": holes} if holes else {}))
    objects = ds.table("objects")
    chunked = pa.Table.from_batches(objects.to_batches(max_chunksize=1), objects.schema)
    assert chunked["polygon"].num_chunks == 2
    ds.set_table("objects", chunked)
    found = [(f.where, f.message) for f in value_findings(ds, lambda name: name, limit=5)]
    assert [(where, text[: len(message)]) for where, text in found] == ([("row 1", message)] if message else [])
    nested = pa.chunked_array(
        [pa.array([[[1.0, 2.0]]]), pa.array([None, [[3.0], [float("nan")]]])], SCHEMAS["objects"].field("polygon").type
    )
    assert non_finite_rows(nested) == [2]
    assert non_finite_rows(pa.chunked_array([pa.array([[1.0]]), pa.array([[2.0]])])) == []


def test_the_bulk_reader_needs_no_pyarrow_newer_than_declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pyarrow.compute.remainder`` came with pyarrow 26, while pyproject.toml allows pyarrow 14 (and Python 3.10
    gets 25): reading a document with keypoints stopped with an internal ``AttributeError`` there."""
    import pyarrow.compute as pc

    from labelkit.formats import native_bulk

    monkeypatch.delattr(pc, "remainder", raising=False)
    path = FIXTURES / "native" / "images.labelkit.json"
    assert native_bulk.fast_read(path).table("objects").equals(labelkit.load(path).table("objects"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    (posed,) = [a for a in doc["annotations"] if a.get("keypoints")]
    posed["keypoints"] = posed["keypoints"][:-1]  # (not triples: the bulk path hands over to the records)
    (tmp_path / "bad.labelkit.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(native_bulk.NotFast, match="keypoints length"):
        native_bulk.fast_read(tmp_path / "bad.labelkit.json")


def test_from_tables_and_set_table_refuse_a_column_that_is_not_the_tables() -> None:
    """It was dropped without a word: a typo (catgory_id) left every object without a category, and a field of
    the user's own (iscrowd) was gone. pandas' index column is row labels, skipped as the Parquet reader skips it."""
    import pyarrow as pa

    from labelkit.model import Category, Dataset

    objects = pa.table({"id": ["1"], "item_id": ["a"], "catgory_id": [1], "bbox": [[1.0, 2.0, 3.0, 4.0]]})
    with pytest.raises(labelkit.InputError) as err:
        Dataset.from_tables({"items": pa.table({"id": ["a"]}), "objects": objects}, [Category(id=1, name="c")])
    assert err.value.message == "objects.catgory_id: not a column of labelkit's objects table"
    assert err.value.hint == "it would not be kept: drop it, or keep its values in the rows' extras (a JSON object)"
    ds = Dataset.from_tables({"items": pa.table({"id": ["a"], "__index_level_0__": [7]})})
    assert ds.item_ids() == ["a"]
    with pytest.raises(labelkit.InputError) as err:
        ds.set_table("items", pa.table({"id": ["b"], "iscrowd": [1]}))
    assert err.value.message == "items.iscrowd: not a column of labelkit's items table"
    assert ds.item_ids() == ["a"]
    twice = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["id", "id"])
    with pytest.raises(labelkit.InputError) as err:
        Dataset.from_tables({"items": twice})
    assert err.value.message == "items.id: the column appears more than once"


@pytest.mark.parametrize("flag", ["allow_loss", "overwrite", "dry_run"])
def test_save_and_convert_refuse_a_flag_that_is_not_a_bool(flag: str, tmp_path: Path) -> None:
    """``allow_loss="no"`` (a value read from a config file) is true, so loss was allowed unsaid."""
    import numpy as np

    src = FIXTURES / "native" / "images.labelkit.json"
    ds = labelkit.load(src)
    with pytest.raises(labelkit.UsageError, match=f"^{flag} must be True or False") as caught:
        labelkit.save(ds, tmp_path / "o", "yolo", **{flag: "no"})
    assert caught.value.found == "'no'"
    with pytest.raises(labelkit.UsageError, match=f"^{flag} must be True or False"):
        labelkit.convert(src, tmp_path / "o", to="yolo", **{flag: 0})
    assert list(tmp_path.iterdir()) == []
    # before anything is read (as the README says): a bad input's error came first, and progress said 'reading'
    stages: list[str] = []
    with pytest.raises(labelkit.UsageError, match=f"^{flag} must be True or False"):
        labelkit.convert(
            tmp_path / "missing.json", tmp_path / "o", "yolo", progress=lambda *a: stages.append(a[0]), **{flag: "no"}
        )
    assert stages == []
    assert labelkit.save(ds, tmp_path / "o.json", "labelkit", **{flag: np.False_}).lost == []


@pytest.mark.parametrize("callback", ["progress", "on_written"])
def test_save_and_convert_refuse_a_callback_that_is_not_callable(callback: str, tmp_path: Path) -> None:
    """``on_written=3`` was ``TypeError: 'int' object is not callable`` once the write was done; ``progress="x"``
    when work began. Now a UsageError naming the argument, before anything is read or written."""
    src = FIXTURES / "native" / "images.labelkit.json"
    ds = labelkit.load(src)
    with pytest.raises(labelkit.UsageError) as caught:
        labelkit.save(ds, tmp_path / "o.json", "labelkit", **{callback: 3})
    assert caught.value.one_line() == f"{callback} must be a function or None, not int"
    with pytest.raises(labelkit.UsageError) as caught:
        labelkit.convert(src, tmp_path / "o.json", to="parquet", **{callback: "x"})
    assert caught.value.one_line() == f"{callback} must be a function or None, not str"
    with pytest.raises(labelkit.UsageError):
        labelkit.convert(src, tmp_path / "o.json", to="parquet", dry_run=True, **{callback: "x"})
    assert list(tmp_path.iterdir()) == []
    seen: list[object] = []
    labelkit.save(ds, tmp_path / "o.json", "labelkit", **{callback: seen.append})
    assert seen


def test_json_text_cells_are_decoded_a_bounded_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """decode_json_cells joined a whole column into one text, copied twice as bytes: 100 MB of item metadata took
    a Parquet read from 0.5 to 0.8 GB. Now a batch of JSON_BATCH bytes at a time; the same cells, the same
    refusals (a cell of two objects, one that is not JSON) in any batch."""
    import tracemalloc

    import pyarrow as pa

    from labelkit.formats.native_values import _AnyObject, _bad_json_row
    from labelkit.model import tables

    cells = [json.dumps({"k": "v" * 16_000, "n": i}) for i in range(3_000)]  # (48 MB)
    texts = pa.array(cells)
    tracemalloc.start()
    try:
        assert tables.decode_json_cells(texts, _AnyObject) is not None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000  # (was about 100 MB: the joined text as bytes, then with its brackets)
    monkeypatch.setattr(tables, "JSON_BATCH", 20)
    small = pa.array(['{"a": 1}', None, '{"b": [1, 2]}', "{}", '{"c": "x"}'])
    assert tables.decode_json_cells(small, dict) == [{"a": 1}, {"b": [1, 2]}, {}, {"c": "x"}]
    for bad in ('{"a": 1}, {"b": 2}', '{"a": ', "[]"):
        column = pa.chunked_array([pa.array(['{"a": 1}', "{}", None, bad, '{"z": 0}'])])
        assert tables.decode_json_cells(column.combine_chunks(), dict) is None
        assert _bad_json_row(column) == 3


def test_items_metadata_is_decoded_one_item_at_a_time(tmp_path: Path) -> None:
    """The bulk reader decoded every item's metadata before making any text of it: 1,000 items of 2,000 keys each
    (100 MB) took 0.47 GB beside the file. Now one item at a time: the same texts, the same refusals."""
    import tracemalloc

    from labelkit.errors import InputError
    from labelkit.formats import native_bulk

    items = [
        {"id": str(i), "media": {"path": f"{i}.jpg"}, "metadata": {f"k{j}": "v" * 20 for j in range(2_000)}}
        for i in range(300)
    ]
    items[1]["metadata"] = {"n": 2**64 - 1, "x": [1.5, {"y": None}]}
    items[2]["metadata"] = {}
    path = tmp_path / "a.labelkit.json"
    path.write_text(json.dumps({"format": "labelkit", "version": 1, "items": items}))
    tracemalloc.start()
    try:
        ds = native_bulk.fast_read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * path.stat().st_size  # (was about 8 times the file's size)
    assert [i.metadata for i in ds.items()][:3] == [items[0]["metadata"], items[1]["metadata"], {}]
    assert ds.table("items")["metadata"][2].as_py() is None
    for bad in ([1], None, {"a": 2**65}):
        items[1]["metadata"] = bad
        path.write_text(json.dumps({"format": "labelkit", "version": 1, "items": items[:3]}))
        with pytest.raises(native_bulk.NotFast):
            native_bulk.fast_read(path)
        with pytest.raises(InputError) as err:
            labelkit.load(path)
        assert str(err.value.location.pointer).startswith("/items/1/metadata")


def test_long_polygons_are_written_to_labelkit_json_a_bounded_batch_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stream wrote 65,536 annotations a batch whatever their polygons: 800 polygons of 10,000 points, as
    Python floats, took 0.43 GB beside the dataset. Now at most VALUES_AT_ONCE numbers a batch (beside a longer
    polygon alone): the same bytes, orjson's of the whole document."""
    import numpy as np
    import orjson
    import pyarrow as pa

    from labelkit.formats import native
    from labelkit.formats.chunked_rows import VALUES_AT_ONCE
    from labelkit.model import Category, Dataset, Item, Media, Object

    sizes: list[int] = []
    original = native._annotations_json

    def counting(name: str, table: "pa.Table") -> object:
        if name == "objects" and table.num_rows:  # (the header's document has none)
            sizes.append(sum(len(r) for p in table["polygon"].to_pylist() for r in p or []))
        return original(name, table)

    monkeypatch.setattr(native, "_annotations_json", counting)
    rng = np.random.default_rng(3)
    ds = Dataset(categories=[Category(id=1, name="a")])
    for i in range(12):
        ds.add_item(Item(id=str(i), media=Media(path=f"{i}.jpg", width=640, height=480)))
        ds.add(Object(id=str(i), item_id=str(i), category_id=1, polygon=[rng.random(120_000).tolist()]))
        ds.add(Object(id=f"b{i}", item_id=str(i), category_id=1, bbox=[1, 2, 3, 4]))
    labelkit.save(ds, tmp_path / "a.json", "labelkit")
    assert sum(sizes) == 12 * 120_000 and len(sizes) == 2 and max(sizes) <= VALUES_AT_ONCE  # (was one of 1.44 M)
    assert (tmp_path / "a.json").read_bytes() == orjson.dumps(native.document(ds)) + b"\n"


@pytest.mark.parametrize(
    ("value", "type_name"),
    [({}, "dict"), ([], "list"), (None, "None"), ("ds.json", "str"), (Path("ds.json"), "pathlib.PosixPath")],
)
def test_the_api_refuses_a_dataset_path_or_format_of_the_wrong_type_naming_it(
    value: object, type_name: str, tmp_path: Path
) -> None:
    """``labelkit.save({}, ...)`` was ``AttributeError: 'dict' object has no attribute 'tables'``, ``load(None)``
    ``TypeError: expected str, bytes or os.PathLike object`` and ``save(ds, out, {})`` ``unhashable type``: each is
    a UsageError naming the argument and the type received, before anything is read or written."""
    if isinstance(value, Path) and type_name == "pathlib.PosixPath":
        type_name = f"pathlib.{type(value).__qualname__}"  # (WindowsPath on Windows)
    src = FIXTURES / "native" / "images.labelkit.json"
    ds = labelkit.load(src)
    path_hint = "load it first with labelkit.load(path), or convert a file with labelkit.convert(src, dst, to=...)"
    hint = path_hint if isinstance(value, (str, Path)) else None
    calls = [
        (lambda: labelkit.save(value, tmp_path / "o.json", "labelkit"), "dataset must be a labelkit Dataset", hint),
        (lambda: labelkit.plan(value, "coco"), "dataset must be a labelkit Dataset", hint),
        (lambda: labelkit.split(value, "train=0.5,val=0.5"), "dataset must be a labelkit Dataset", hint),
    ]
    if not isinstance(value, (str, Path)):
        path = "must be a path (a str or pathlib.Path)"
        calls += [
            (lambda: labelkit.load(value), f"the input {path}", None),
            (lambda: labelkit.stats(value), f"the input {path}", None),
            (lambda: labelkit.validate(value), f"the input {path}", None),
            (lambda: labelkit.detect(value), f"the input {path}", None),
            (lambda: labelkit.convert(value, tmp_path / "o", to="coco"), f"the input {path}", None),
            (lambda: labelkit.convert(src, value, to="coco"), f"the output {path}", None),
        ]
    if not isinstance(value, str):
        name = "must be a format name (a str)"
        calls += [
            (lambda: labelkit.save(ds, tmp_path / "o.json", value), f"format {name}", None),
            (lambda: labelkit.plan(ds, value), f"format {name}", None),
            (lambda: labelkit.convert(src, tmp_path / "o", to=value), f"to {name}", None),
        ]
    if value is not None and not isinstance(value, str):  # (a reader's format of None: detect it)
        calls += [
            (lambda: labelkit.load(src, format=value), "format must be a format name (a str)", None),
            (
                lambda: labelkit.convert(src, tmp_path / "o", to="coco", from_format=value),
                "from_format must be a format name (a str)",
                None,
            ),
        ]
    for call, message, want_hint in calls:
        with pytest.raises(labelkit.UsageError) as err:
            call()
        assert (err.value.message, err.value.hint) == (f"{message}, not {type_name}", want_hint)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("version", ["1", "1.0", "1e0"])
def test_a_version_of_1_spelled_as_a_float_reads_as_1_with_every_pydantic(tmp_path: Path, version: str) -> None:
    # JSON Schema's const 1 takes 1.0; pydantic 2.5's Literal[1] refused it where later versions take it
    path = tmp_path / "d.labelkit.json"
    path.write_text('{"format": "labelkit", "version": ' + version + ', "items": [{"id": "a"}]}')
    assert labelkit.validate(path) == []
    assert [i.id for i in labelkit.load(path).items()] == ["a"]


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_a_report_counts_the_tokens_read_and_written(fmt: str, tmp_path: Path) -> None:
    """The read and written counts left tokens out (COCO's report counted them lost, the native ones nowhere)."""
    ds = labelkit.load(FIXTURES / "native" / "text.labelkit.json")
    report = labelkit.save(ds, tmp_path / "out", fmt)
    counts = {"items": 2, "label annotations": 1, "span annotations": 4, "tokens": 7}
    assert report.read == report.written == counts
    assert labelkit.plan(labelkit.load(FIXTURES / "native" / "images.labelkit.json"), fmt).read == {
        "items": 3,
        "label annotations": 1,
        "object annotations": 9,
    }  # (no tokens: no count of them)


REPEAT = (
    "key {!r} repeated in one object: readers keep one value (labelkit, as Python's json and pycocotools, the last)"
)


def test_validate_names_keys_repeated_in_a_native_document_as_in_coco(tmp_path: Path) -> None:
    """Two ``id`` in an object, two ``version`` at the top, a metadata key twice: labelkit JSON's and Parquet's
    ``validate`` said ok, and reading kept the last of each unsaid, where COCO's names each repeat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "d.labelkit.json"
    src.write_text(
        '{"format": "labelkit", "version": 1, "version": 1, "categories": [{"id": 1, "name": "c"}],'
        ' "items": [{"id": "i", "metadata": {"x": 1, "x": 2}}],'
        ' "annotations": [{"kind": "object", "id": "o", "id": "p", "item_id": "i", "category_id": 1,'
        ' "bbox": [0, 0, 1, 1]}]}'
    )
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [
        ("#/version", REPEAT.format("version")),
        ("#/items/0/metadata/x", REPEAT.format("x")),
        ("#/annotations/0/id", REPEAT.format("id")),
    ]
    assert next(iter(labelkit.load(src).objects())).id == "p"  # (read as before: the last)
    src.write_text(src.read_text().replace('"version": 1, "version": 1', '"version": 1'))
    src.write_text(src.read_text().replace('"x": 1, "x": 2', '"x": 1').replace('"id": "o", "id": "p"', '"id": "p"'))
    assert labelkit.validate(src) == []
    out = tmp_path / "d.parquet"
    labelkit.convert(src, out, to="parquet")
    assert labelkit.validate(out) == []
    manifest = out / "labelkit.json"
    manifest.write_text(manifest.read_text().replace('"version": 1', '"version": 1,\n  "version": 1', 1))
    items = pq.read_table(out / "items.parquet")
    at = items.schema.get_field_index("metadata")
    pq.write_table(items.set_column(at, "metadata", pa.array(['{"x": 1, "x": 2}'], pa.string())), out / "items.parquet")
    assert [(f.path, f.where, f.message) for f in labelkit.validate(out)] == [
        (str(manifest), "#/version", REPEAT.format("version")),
        (str(out / "items.parquet"), "row 0", "metadata at /x: " + REPEAT.format("x")),
    ]


def test_validate_names_a_skeleton_index_naming_no_keypoint_as_coco_does(tmp_path: Path) -> None:
    """labelkit JSON's and Parquet's ``validate`` said ok of ``skeleton: [[1, 5]]`` on a category of one keypoint,
    which both readers carry (as COCO's); the COCO file written of it was then a finding of COCO's ``validate``."""
    doc = {
        "format": "labelkit",
        "version": 1,
        "categories": [
            {"id": 1, "name": "p", "keypoints": ["nose"], "skeleton": [[1, 5], [0, 1]]},
            {"id": 2, "name": "q", "skeleton": [[1, 2]]},
        ],
        "items": [{"id": "i"}],
    }
    src = tmp_path / "s.labelkit.json"
    src.write_text(json.dumps(doc))
    message = "skeleton index {} names {} (counted from 1, as in COCO)"
    expected = [
        ("#/categories/0/skeleton/0/1", message.format(5, "none of the category's 1 keypoints")),
        ("#/categories/0/skeleton/1/0", message.format(0, "none of the category's 1 keypoints")),
    ]
    assert [(f.where, f.message) for f in labelkit.validate(src)] == expected
    assert labelkit.load(src).categories[0].skeleton == [(1, 5), (0, 1)]  # (read as before: carried)
    report = labelkit.convert(src, tmp_path / "s.parquet", to="parquet")
    # (written with a note, as COCO's writer notes them: save wrote a file validate then named, unsaid)
    assert report.notes == [
        "2 category skeleton indexes name none of their category's keypoints (counted from 1, as in COCO): "
        "written as they are, and validate names each"
    ]
    assert labelkit.convert(src, tmp_path / "again.labelkit.json", to="labelkit").notes == report.notes
    manifest = str(tmp_path / "s.parquet" / "labelkit.json")
    assert [(f.path, f.where, f.message) for f in labelkit.validate(tmp_path / "s.parquet")] == [
        (manifest, where, text) for where, text in expected
    ]


def test_a_skeleton_of_a_category_without_keypoint_names_is_judged_as_coco_does(tmp_path: Path) -> None:
    """A Datumaro-style COCO category (``"keypoints": []``, ``skeleton: [[1, 2]]``) passes COCO's ``validate``;
    converted to labelkit JSON or Parquet, native ``validate`` named every index (``names none of the category's 0
    keypoints``, exit 1). Without names, only an index below 1 is a finding, as in COCO."""
    coco = tmp_path / "person_keypoints_val.json"
    coco.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
                "categories": [
                    {"id": 1, "name": "p", "keypoints": [], "skeleton": [[1, 2]]},
                    {"id": 2, "name": "q", "keypoints": [], "skeleton": [[0, 3]]},
                ],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}],
            }
        )
    )
    index_0 = "skeleton index 0 names no keypoint"
    assert [(f.where, f.message) for f in labelkit.validate(coco)] == [
        ("#/categories/1/skeleton/0/0", index_0 + " (COCO counts them from 1)")
    ]
    for out, to, path in [
        (tmp_path / "o.labelkit.json", "labelkit", tmp_path / "o.labelkit.json"),
        (tmp_path / "o.parquet", "parquet", tmp_path / "o.parquet" / "labelkit.json"),
    ]:
        notes = labelkit.convert(coco, out, to=to).notes
        # (the read note of the input's, then the write note of the output's, which validate names below)
        assert [n.split(" (")[0].split(": ")[-1] for n in notes if "skeleton index" in n] == [
            "1 skeleton index naming none of their category's keypoints",
            "1 category skeleton indexes name none of their category's keypoints",
        ], notes
        assert labelkit.load(out).categories[0].keypoints == []
        assert [(f.path, f.where, f.message) for f in labelkit.validate(out)] == [
            (str(path), "#/categories/1/skeleton/0/0", index_0 + " (counted from 1, as in COCO)")
        ]


def _compressed(runs: list[int]) -> str:
    """COCO's compressed RLE string of ``runs`` (5 bits a character, from the fourth on as differences)."""
    out = []
    for i, run in enumerate(runs):
        x = run - runs[i - 2] if i > 2 else run
        while True:
            c, x = x & 0x1F, x >> 5
            more = not (x == 0 and not c & 0x10 or x == -1 and c & 0x10)
            out.append(chr(48 + (c | 0x20 if more else c)))
            if not more:
                break
    return "".join(out)


def test_a_mask_of_2_31_pixels_or_more_is_no_native_validate_finding(tmp_path: Path) -> None:
    """Native ``validate`` named a 50000 x 50000 mask whose runs add up (``2**31 pixels or more, and pycocotools
    counts runs in 32 bits``, exit 1), which labelkit JSON and Parquet write, schema-validate and load: no
    pycocotools reads them. Its runs are still summed (exactly); COCO's ``validate`` still names such a mask."""
    from labelkit.model import Category, Dataset, Item, Media, Object, Rle
    from labelkit.model.rle import rle_string_counts

    runs = [0, 500_000_000] * 5
    assert sum(runs) == 50000 * 50000
    for some in (runs, [3, 5, 1, 0, 2, 40]):
        assert rle_string_counts(_compressed(some)).tolist() == some
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.tif", width=50000, height=50000)))
    for i, counts in enumerate([runs, _compressed(runs), [0, 7], _compressed([1, 2])]):
        mask = Rle(size=(50000, 50000), counts=counts)
        ds.add(Object(id=str(i), item_id="a", category_id=1, shape="mask", mask=mask))
    short = [f"RLE counts add up to {n}, not 2500000000 (height x width)" for n in (7, 3)]
    for fmt, out, where in [
        ("labelkit", tmp_path / "m.labelkit.json", "#/annotations/{}/mask"),
        ("parquet", tmp_path / "m.parquet", "row {}"),
    ]:
        labelkit.save(ds, out, fmt)
        assert list(labelkit.load(out).annotations())[1].mask == Rle(size=(50000, 50000), counts=_compressed(runs))
        assert [(f.where, f.message) for f in labelkit.validate(out)] == [
            (where.format(2), short[0]),
            (where.format(3), short[1]),
        ]
    coco = tmp_path / "c.json"
    coco.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.tif", "width": 50000, "height": 50000}],
                "categories": [{"id": 1, "name": "c"}],
                "annotations": [
                    {
                        "id": 1,
                        "image_id": 1,
                        "category_id": 1,
                        "bbox": [0, 0, 1, 1],
                        "area": 1,
                        "iscrowd": 1,
                        "segmentation": {"size": [50000, 50000], "counts": runs},
                    }
                ],
            }
        )
    )
    assert [f.message for f in labelkit.validate(coco)] == [
        "RLE counts cannot hold a 50000 x 50000 mask: 2**31 pixels or more, and pycocotools counts runs in 32 bits"
    ]


@pytest.mark.parametrize(
    ("metadata", "pointer"),
    [({"a.b": 2**70}, "/items/0/metadata/a.b"), ({"a": {"b": [1, -(2**70)]}}, "/items/0/metadata/a/b/1")],
)
def test_an_integer_past_64_bits_in_a_mapping_is_an_error_at_its_own_pointer(
    metadata: dict[str, object], pointer: str, tmp_path: Path
) -> None:
    """It was said at the mapping's pointer with a dotted path (``#/items/0/metadata: Value error, integer a.b does
    not fit 64 bits``), the same for ``{"a.b": ...}`` and ``{"a": {"b": ...}}``; an attribute's names its value."""
    src = tmp_path / "w.labelkit.json"
    src.write_text(json.dumps({"format": "labelkit", "version": 1, "items": [{"id": "i", "metadata": metadata}]}))
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(src)
    assert (err.value.location.pointer, err.value.message) == (pointer, "integer does not fit 64 bits")
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [("#" + pointer, "integer does not fit 64 bits")]


def test_validate_lists_repeated_keys_beside_the_other_findings(tmp_path: Path) -> None:
    """A repeated key (reading keeps the last) was the one finding ``validate`` gave, hiding an unknown item that
    makes the file unreadable; and a caption holding ``\\":`` made the repeat search parse the whole document again
    in Python (the README's 145,000-annotation document: 3.1 s to 6.9 s)."""
    from labelkit.json_repeats import key_ends, parsed_keys

    src = tmp_path / "r.labelkit.json"
    src.write_text(
        '{"format": "labelkit", "version": 1, "categories": [{"id": 1, "name": "p"}],'
        ' "items": [{"id": "i", "metadata": {"a": 1, "a": 2, "said": "he said \\"hi\\": yes"}}],'
        ' "annotations": [{"kind": "label", "id": "1", "item_id": "nope", "category_id": 1}]}'
    )
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [
        ("#/annotations/0/item_id", "unknown item 'nope'"),
        ("#/items/0/metadata/a", REPEAT.format("a")),
    ]
    text = b'{"caption": "he said \\"hi\\": yes", "k\\\\": {"b": 1}}'
    assert key_ends(text) == parsed_keys(json.loads(text)) == 3  # (no second parse for the escaped quote)


def test_other_parquet_files_in_a_parquet_folder_are_named_in_a_read_note(tmp_path: Path) -> None:
    """A table added by hand, or pandas' part-0.parquet, beside labelkit's tables was passed over unsaid."""
    import shutil

    out = tmp_path / "d.parquet"
    labelkit.convert(FIXTURES / "native/images.labelkit.json", out, to="parquet")
    assert labelkit.load(out).read_notes == []
    shutil.copy(out / "items.parquet", out / "part-0.parquet")
    shutil.copy(out / "items.parquet", out / "Items.parquet")
    tables = "items, labels, objects, spans, transcripts, tracks, tokens".split(", ")
    assert labelkit.load(out).read_notes == [
        "Items.parquet, part-0.parquet not read: a labelkit Parquet folder's tables are "
        + ", ".join(f"{t}.parquet" for t in tables)
    ]


@pytest.mark.parametrize("version", [2, 2.0, 7])
def test_validate_says_a_later_version_is_one(version: float, tmp_path: Path) -> None:
    """Reading said ``version 2 is newer than this labelkit reads``; ``validate`` said only ``#/version: 1 was
    expected`` (the schema's), which does not tell the user to upgrade. The rest is not judged by this schema."""
    doc = json.loads((FIXTURES / "native/images.labelkit.json").read_text())
    doc["version"] = version
    doc["items"][0]["media"]["width"] = "a later format's field"
    src = tmp_path / "v.labelkit.json"
    src.write_text(json.dumps(doc))
    said = f"Value error, version {int(version)} is newer than this labelkit reads (1): upgrade labelkit to read it"
    for schema in (True, False):
        assert [(f.where, f.message) for f in labelkit.validate(src, schema=schema)] == [("#/version", said)]
    with pytest.raises(labelkit.InputError) as err:
        labelkit.load(src)
    assert err.value.message == said
