"""Broken native inputs give one clean error naming the file and the line or JSON pointer; output is atomic."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from pydantic import ValidationError

import labelkit
from labelkit.cli import cli
from labelkit.errors import InputError, OutputError, UnknownFormatError
from labelkit.formats import native
from labelkit.io import safe_relpath
from labelkit.io_output import atomic_output
from labelkit.model import Dataset, Item, Media, Object

IMAGES = FIXTURES / "native" / "images.labelkit.json"

# A document with one instance of every record that has required fields, each with every field set.
FULL: dict[str, Any] = {
    "format": "labelkit",
    "version": 1,
    "info": {"name": "full", "attributes": [{"name": "a", "type": "text"}]},
    "categories": [
        {
            "id": 1,
            "name": "person",
            "keypoints": ["nose"],
            "skeleton": [[1, 1]],
            "attributes": [{"name": "pose", "type": "select", "values": ["up"]}],
        },
    ],
    "items": [
        {"id": "i1", "media": {"kind": "image", "path": "a.jpg", "width": 4, "height": 3}, "split": "train"},
        {"id": "t1", "media": {"kind": "text", "text": "hello world"}},
    ],
    "annotations": [
        {"kind": "label", "id": "l1", "item_id": "i1", "category_id": 1, "start": 0.5, "end": 1.0},
        {
            "kind": "object",
            "id": "o1",
            "item_id": "i1",
            "category_id": 1,
            "bbox": [0, 0, 2, 2],
            "mask": {"size": [3, 4], "counts": [0, 12]},
            "provenance": {"annotator": "ann"},
        },
        {"kind": "span", "id": "s1", "item_id": "t1", "category_id": 1, "start": 0, "end": 5, "text": "hello"},
        {"kind": "transcript", "id": "tr1", "item_id": "t1", "text": "hi", "speaker": "A"},
        {"kind": "track", "id": "k1", "item_id": "i1", "category_id": 1},
    ],
    "tokens": [{"item_id": "t1", "index": 0, "start": 0, "end": 5, "text": "hello", "columns": {"pos": "UH"}}],
}

# Where FULL holds an instance of each record of the schema ($defs name -> JSON pointer parts).
INSTANCES: dict[str, tuple[str | int, ...]] = {
    "Category": ("categories", 0),
    "AttributeDef": ("categories", 0, "attributes", 0),
    "Item": ("items", 0),
    "Label": ("annotations", 0),
    "Object": ("annotations", 1),
    "Rle": ("annotations", 1, "mask"),
    "Span": ("annotations", 2),
    "Transcript": ("annotations", 3),
    "Track": ("annotations", 4),
    "Token": ("tokens", 0),
}


def _required_fields() -> list[tuple[str, str]]:
    schema = native.json_schema()
    return [(name, field) for name, d in sorted(schema["$defs"].items()) for field in d.get("required", [])]


def _write(tmp_path: Path, document: Any, name: str = "doc.labelkit.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))  # json, not orjson: some tests need integers past 64 bits
    return path


def _get(document: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        document = document[part]
    return document


def test_full_document_is_valid(tmp_path: Path) -> None:
    path = _write(tmp_path, FULL)
    assert labelkit.validate(path) == []
    assert labelkit.load(path).stats().annotations == {"label": 1, "object": 1, "span": 1, "transcript": 1, "track": 1}


def test_every_record_with_required_fields_has_an_instance() -> None:
    assert {name for name, _ in _required_fields()} == set(INSTANCES)


@pytest.mark.parametrize(("record", "field"), _required_fields(), ids=lambda v: str(v))
def test_drop_one_required_field(record: str, field: str, tmp_path: Path) -> None:
    document = copy.deepcopy(FULL)
    where = INSTANCES[record]
    del _get(document, where)[field]
    path = _write(tmp_path, document)
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    pointer = "".join(f"/{p}" for p in (*where, field))
    assert info.value.location.pointer == pointer
    assert info.value.location.path == str(path)
    # validate reports the same place as a finding
    findings = labelkit.validate(path)
    assert [f.where for f in findings] == ["#" + pointer]
    # the command line says it in one line and exits 2
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"labelkit: error: {path}#{pointer}: {info.value.message}"]


WRONG_TYPES: list[tuple[Any, ...]] = [
    (("items", 0, "media", "width"), "4"),
    (("items", 0, "media", "width"), 4.5),
    (("items", 0, "media", "width"), -1),
    (("items", 0, "media", "kind"), "hologram"),
    (("items", 0, "id"), 7),
    (("annotations", 1, "bbox"), [0, 0, 2]),
    (("annotations", 1, "bbox"), [0, 0, "2", 2], "/annotations/1/bbox/2"),
    (("annotations", 1, "bbox"), [0, 0, 2, 2, 2], "/annotations/1/bbox"),
    (("annotations", 1, "category_id"), True),
    (("annotations", 1, "category_id"), 2**63),
    (("annotations", 1, "shape"), "blob"),
    (("annotations", 1, "score"), "high"),
    (("annotations", 1, "mask", "counts"), 12),
    (("annotations", 2, "start"), -1),
    (("annotations", 0, "kind"), "lable"),
    (("categories", 0, "skeleton"), [[1, 2, 3]], "/categories/0/skeleton/0"),
    (("tokens", 0, "columns"), {"pos": 1}, "/tokens/0/columns/pos"),
    (("version",), 2),
]


@pytest.mark.parametrize("case", WRONG_TYPES, ids=lambda v: f"{v[0]}={v[1]!r}")
def test_wrong_type_names_the_pointer(case: tuple[Any, ...], tmp_path: Path) -> None:
    where, value = case[0], case[1]
    expected = case[2] if len(case) > 2 else "".join(f"/{p}" for p in where)
    document = copy.deepcopy(FULL)
    _get(document, where[:-1])[where[-1]] = value
    path = _write(tmp_path, document)
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert info.value.location.pointer == expected
    assert [f.where for f in labelkit.validate(path)] == ["#" + expected]


@pytest.mark.parametrize(
    ("where", "value", "pointer", "read", "found"),
    [
        (("annotations", 1, "mask", "counts"), [5.5, 42], "/0", "Input should be a valid integer", "5.5 is not of"),
        (("annotations", 1, "mask", "counts"), [3, -5], "/1", "Input should be greater than or equal", "-5 is less"),
        (("annotations", 1, "attributes"), {"a": [1]}, "/a/0", "Input should be a valid string", "1 is not of type"),
        (("annotations", 1, "attributes"), {"a": {}}, "/a", "expected a valid boolean or a valid", "expected b"),
    ],
)
def test_a_union_value_is_named_where_it_goes_wrong(
    where: tuple[Any, ...], value: Any, pointer: str, read: str, found: str, tmp_path: Path
) -> None:
    """A value of several types (RLE counts: a string or a list of runs; an attribute value) that fails inside the
    type it has is named there: counts [5.5, 42] was 'Input should be a valid string' at counts (reading) and
    'expected string or array, found [5.5, 42]' (validate), a list of both; an attribute value {} was named at
    '.../a/bool', a pointer into the document that names nothing (pydantic's union member)."""
    document = copy.deepcopy(FULL)
    _get(document, where[:-1])[where[-1]] = value
    path = _write(tmp_path, document)
    expected = "".join(f"/{p}" for p in where) + pointer
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert (info.value.location.pointer, info.value.message[: len(read)]) == (expected, read)
    findings = labelkit.validate(path)
    assert (findings[0].where, findings[0].message[: len(found)]) == ("#" + expected, found)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("annotations", 1, "bbox"), [0, 0, 2], "Tuple should have 4 items, not 3"),
        (("annotations", 1, "bbox"), [], "Tuple should have 4 items, not 0"),
        (("annotations", 1, "mask", "size"), [3], "Tuple should have 2 items, not 1"),
        (("categories", 0, "skeleton", 0), [1], "Tuple should have 2 items, not 1"),
    ],
)
def test_a_short_fixed_length_list_says_so(where: tuple[Any, ...], value: Any, message: str, tmp_path: Path) -> None:
    """A bbox of 3 numbers was reported as 'Field required' at the bbox, which is there."""
    document = copy.deepcopy(FULL)
    _get(document, where[:-1])[where[-1]] = value
    path = _write(tmp_path, document)
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert (info.value.location.pointer, info.value.message) == ("".join(f"/{p}" for p in where), message)
    (finding,) = labelkit.validate(path, schema=False)
    assert (finding.where, finding.message) == ("#" + "".join(f"/{p}" for p in where), message)


def test_version_true_is_refused(tmp_path: Path) -> None:
    """``true == 1`` in Python: the records must refuse it as the schema does (a fuzz run found this)."""
    document = copy.deepcopy(FULL)
    document["version"] = True
    path = _write(tmp_path, document)
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert info.value.location.pointer == "/version"
    assert {f.where for f in labelkit.validate(path)} == {"#/version"}


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ((("annotations", 1), "polygon", [[1, 2, 3]]), "/annotations/1/polygon"),
        ((("annotations", 1), "keypoints", [1, 2]), "/annotations/1/keypoints"),
        ((("annotations", 1), "polygon_holes", [True]), "/annotations/1/polygon_holes"),
        ((("items", 0), "metadata", {"n": 2**64}), "/items/0/metadata/n"),  # (the number's own place)
        ((("annotations", 1), "item_id", "nope"), "/annotations/1/item_id"),
        ((("annotations", 1), "category_id", 9), "/annotations/1/category_id"),
        ((("annotations", 1), "id", "l1"), None),  # an object may share an id with a label
        ((("annotations", 4), "id", "k1"), None),
        ((("tokens", 0), "item_id", "nope"), "/tokens/0/item_id"),
    ],
)
def test_record_rules_and_references(change: tuple, pointer: str | None, tmp_path: Path) -> None:
    (where, key, value) = change
    document = copy.deepcopy(FULL)
    _get(document, where)[key] = value
    path = _write(tmp_path, document)
    if pointer is None:
        labelkit.load(path)
        return
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert info.value.location.pointer == pointer


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    document = copy.deepcopy(FULL)
    document["items"][1]["id"] = "i1"
    with pytest.raises(InputError) as info:
        labelkit.load(_write(tmp_path, document))
    assert info.value.location.pointer == "/items/1/id"
    document = copy.deepcopy(FULL)
    document["annotations"].append({"kind": "object", "id": "o1", "item_id": "i1"})
    with pytest.raises(InputError) as info:
        labelkit.load(_write(tmp_path, document))
    assert info.value.location.pointer == "/annotations/5/id"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'{"format": "labelkit",\n "items": [\n', 3),
        (b'{"format": "labelkit",\n "items": [{"id": "\xff"}]}', 2),
        (b"", 1),
        (b'{"format": "labelkit", "items": [1,]}', 1),
        (b'{"format": "labelkit", "info": {"name": NaN}}', 1),
    ],
    ids=["truncated", "bad-utf8", "empty", "trailing-comma", "nan"],
)
def test_corrupt_json_names_the_line(data: bytes, line: int, tmp_path: Path) -> None:
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        labelkit.load(path, "labelkit")
    assert info.value.location.line == line
    assert info.value.location.path == str(path)
    assert "invalid JSON" in info.value.message


def test_bad_utf8_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(b'{"format": "labelkit",\n "items": [{"id": "ok\xff"}]}')
    with pytest.raises(InputError) as info:
        labelkit.load(path, "labelkit")
    assert "column 22" in info.value.message and "0xff" in info.value.message


@pytest.mark.parametrize("command", ["info", "convert", "validate-traceback"])
def test_cli_one_line_exit_2_no_traceback(command: str, tmp_path: Path) -> None:
    document = copy.deepcopy(FULL)
    del document["annotations"][1]["item_id"]
    path = _write(tmp_path, document)
    out = tmp_path / "out.parquet"
    args = {
        "info": ["info", str(path)],
        "convert": ["convert", str(path), str(out), "--to", "parquet"],
        "validate-traceback": ["info", "--format", "labelkit", str(path)],
    }[command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines == [f"labelkit: error: {path}#/annotations/1/item_id: missing required field 'item_id'"]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_cli_corrupt_json_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(b'{"format": "labelkit",\n "items": [\n')
    result = CliRunner().invoke(cli, ["convert", str(path), str(tmp_path / "o.json"), "--to", "labelkit"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"labelkit: error: {path}:3: invalid JSON at column 1: unexpected end of data"
    ]


# -- atomic output ----------------------------------------------------------------------------------


def _small() -> Dataset:
    ds = Dataset(items=[Item(id="a")])
    ds.add(Object(id="1", item_id="a", bbox=(1, 2, 3, 4)))
    return ds


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_failed_file_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(dataset: Dataset, out: Any) -> None:
        out.write(b'{"format":"labelkit","version":1,')
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(native, "_stream", broken)
    with pytest.raises(RuntimeError):
        labelkit.save(_small(), tmp_path / "out.json", "labelkit")
    assert _leftovers(tmp_path) == []


def test_failed_folder_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def broken(table: pa.Table, where: Any, **kwargs: Any) -> None:
        calls.append(where)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(table, where, **kwargs)

    real = pq.write_table
    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OutputError, match="cannot write: No space left on device"):
        labelkit.save(_small(), tmp_path / "out.parquet", "parquet")
    assert len(calls) == 3
    assert _leftovers(tmp_path) == []


def test_failed_overwrite_keeps_the_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"old")

    def broken(dataset: Dataset, fh: Any) -> None:
        raise RuntimeError("no")

    monkeypatch.setattr(native, "_stream", broken)
    with pytest.raises(RuntimeError):
        labelkit.save(_small(), out, "labelkit", overwrite=True)
    assert out.read_bytes() == b"old"
    assert _leftovers(tmp_path) == ["out.json"]


def test_existing_output_needs_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"old")
    with pytest.raises(OutputError) as info:
        labelkit.save(_small(), out, "labelkit")
    assert info.value.location.path == str(out)
    assert out.read_bytes() == b"old"
    labelkit.save(_small(), out, "labelkit", overwrite=True)
    assert labelkit.load(out).stats().annotations == {"object": 1}
    assert _leftovers(tmp_path) == ["out.json"]


def test_existing_folder_output(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    out.mkdir()
    labelkit.save(_small(), out, "parquet")  # an empty folder is fine
    with pytest.raises(OutputError):
        labelkit.save(_small(), out, "parquet")
    (out / "stale.txt").write_text("x")
    labelkit.save(_small(), out, "parquet", overwrite=True)
    assert not (out / "stale.txt").exists()  # replaced, not merged
    assert _leftovers(tmp_path) == ["out.parquet"]


def test_file_output_onto_a_folder_and_missing_parent(tmp_path: Path) -> None:
    (tmp_path / "d.json").mkdir()
    with pytest.raises(OutputError):
        labelkit.save(_small(), tmp_path / "d.json", "labelkit", overwrite=True)
    with pytest.raises(OutputError):
        labelkit.save(_small(), tmp_path / "missing" / "o.json", "labelkit")


def test_atomic_output_replaces_a_symlink_not_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_bytes(b"keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with atomic_output(link, "file", overwrite=True) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"keep"
    assert not link.is_symlink() and link.read_bytes() == b"new"


def test_cli_refuses_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"old")
    result = CliRunner().invoke(cli, ["convert", str(IMAGES), str(out), "--to", "labelkit"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"labelkit: error: {out}: output exists; hint: pass --overwrite (API: overwrite=True) to replace it"
    ]
    result = CliRunner().invoke(cli, ["convert", str(IMAGES), str(out), "--to", "labelkit", "--overwrite", "-q"])
    assert result.exit_code == 0, result.output
    assert labelkit.load(out).stats().items == 3


# -- file names inside datasets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../x.jpg",
        "a/../../x.jpg",
        "a/..",
        "..\\x.jpg",
        "a\\..\\..\\x",
        "C:\\x.jpg",
        "C:x.jpg",
        "c:/x.jpg",
        "\\\\server\\share\\x.jpg",
        "//server/share/x",
        "",
        "a\x00b",
    ],
)
def test_safe_relpath_refuses_escapes(name: str) -> None:
    with pytest.raises(InputError) as info:
        safe_relpath(name, source="in.json", pointer="/images/3/file_name")
    assert info.value.location.path == "in.json"
    assert info.value.location.pointer == "/images/3/file_name"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.jpg", "a.jpg"),
        ("images/a.jpg", "images/a.jpg"),
        ("images\\a.jpg", "images/a.jpg"),
        ("./a.jpg", "a.jpg"),
        ("a..b.jpg", "a..b.jpg"),
        ("..a/b", "..a/b"),
        ("a//b", "a/b"),
    ],
)
def test_safe_relpath_accepts_relative_names(name: str, expected: str) -> None:
    assert safe_relpath(name) == expected


# -- Parquet folders ----------------------------------------------------------------------------------


@pytest.fixture
def parquet_dir(tmp_path: Path) -> Path:
    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(IMAGES), out, "parquet")
    return out


def test_parquet_missing_manifest(parquet_dir: Path) -> None:
    (parquet_dir / "labelkit.json").unlink()
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir, "parquet")
    assert info.value.location.path == str(parquet_dir / "labelkit.json")
    with pytest.raises(UnknownFormatError):
        labelkit.load(parquet_dir)  # not recognised any more


@pytest.mark.parametrize("command", ["info", "validate"])
def test_a_parquet_manifest_given_alone_is_refused_naming_its_folder(parquet_dir: Path, command: str) -> None:
    """Its dataset named ``images`` (as this one is) made it a COCO file: 'labelkit.json#/images: missing required
    field 'images' (expected a COCO document)', with no word of the folder to give."""
    manifest = parquet_dir / "labelkit.json"
    assert labelkit.detect(manifest).format == "parquet"
    result = CliRunner().invoke(cli, [command, str(manifest)])
    message = f"{manifest}: this is the labelkit.json of a labelkit Parquet folder, not the dataset"
    if command == "info":
        assert (result.exit_code, result.stderr) == (
            2,
            f"labelkit: error: {message}; hint: give its folder: {parquet_dir}\n",
        )
    else:
        assert (result.exit_code, result.stdout) == (1, f"{message}\n")


@pytest.mark.parametrize("want", ["coco", "labelkit"])
def test_a_nested_labelkit_parquet_format_value_is_no_manifest(tmp_path: Path, want: str) -> None:
    """A COCO file whose ``info``, or a labelkit JSON document whose metadata, holds ``"format":
    "labelkit-parquet"`` in its first 4 KB: the COCO file was refused as a Parquet folder's manifest, the document
    ambiguous. A manifest is a file named labelkit.json with an items.parquet beside it."""
    source = {"format": "labelkit-parquet", "path": "old.parquet"}
    if want == "coco":
        path = tmp_path / "instances_default.json"
        coco = {
            "info": source,
            "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
            "annotations": [],
            "categories": [{"id": 1, "name": "a"}],
        }
        path.write_text(json.dumps(coco))
    else:
        path = tmp_path / "ds.labelkit.json"
        ds = Dataset()
        ds.info.metadata["source"] = source
        ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
        labelkit.save(ds, path, "labelkit")
    assert labelkit.detect(path).format == want
    assert [item.id for item in labelkit.load(path).items()] == (["1"] if want == "coco" else ["a"])


def test_parquet_corrupt_manifest(parquet_dir: Path) -> None:
    (parquet_dir / "labelkit.json").write_bytes(b'{"format": "labelkit-parquet",\n "categories": [')
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.path == str(parquet_dir / "labelkit.json")
    assert info.value.location.line == 2


def test_parquet_invalid_manifest_names_the_pointer(parquet_dir: Path) -> None:
    manifest = orjson.loads((parquet_dir / "labelkit.json").read_bytes())
    del manifest["categories"][1]["name"]
    (parquet_dir / "labelkit.json").write_bytes(orjson.dumps(manifest))
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.pointer == "/categories/1/name"


@pytest.mark.parametrize("table", ["items", "objects", "tokens"])
def test_parquet_missing_table(parquet_dir: Path, table: str) -> None:
    (parquet_dir / f"{table}.parquet").unlink()
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir, "parquet")
    assert info.value.location.path.startswith(str(parquet_dir))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_parquet_corrupt_table(parquet_dir: Path, damage: str) -> None:
    file = parquet_dir / "objects.parquet"
    data = file.read_bytes()
    file.write_bytes({"garbage": b"not parquet at all" * 10, "truncated": data[: len(data) // 2], "empty": b""}[damage])
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.path == str(file)


def test_parquet_table_with_wrong_column_type(parquet_dir: Path) -> None:
    pq.write_table(
        pa.table({"id": ["1"], "item_id": ["street-1"], "category_id": ["one"]}), parquet_dir / "objects.parquet"
    )
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.path == str(parquet_dir / "objects.parquet")
    assert "schema" in info.value.message


def test_cli_parquet_errors_are_one_line(parquet_dir: Path) -> None:
    (parquet_dir / "objects.parquet").write_bytes(b"junk")
    result = CliRunner().invoke(cli, ["info", str(parquet_dir)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"labelkit: error: {parquet_dir / 'objects.parquet'}: unreadable Parquet table")


def _rewrite(folder: Path, name: str, change: Any) -> None:
    file = folder / f"{name}.parquet"
    pq.write_table(change(pq.read_table(file)), file)


def test_parquet_references_are_checked_on_read(parquet_dir: Path) -> None:
    def unknown_category(t: pa.Table) -> pa.Table:
        return t.set_column(t.schema.get_field_index("category_id"), "category_id", pa.array([7] * t.num_rows))

    _rewrite(parquet_dir, "objects", unknown_category)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.path == str(parquet_dir / "objects.parquet")
    assert info.value.message == "row 0: unknown category 7"
    findings = labelkit.validate(parquet_dir)
    assert [f.where for f in findings] == [f"row {i}" for i in range(9)]


def test_parquet_duplicate_ids(parquet_dir: Path) -> None:
    _rewrite(parquet_dir, "items", lambda t: t.set_column(0, "id", pa.array(["a", "b", "a"])))
    _rewrite(
        parquet_dir, "objects", lambda t: t.set_column(0, "id", pa.array(["1", "2", "1", "3", "2", "4", "5", "6", "7"]))
    )
    _rewrite(parquet_dir, "labels", lambda t: t.set_column(1, "item_id", pa.array(["a"])))
    _rewrite(parquet_dir, "objects", lambda t: t.set_column(1, "item_id", pa.array(["a"] * 9)))
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.message == "row 2: duplicate item id 'a'"
    findings = labelkit.validate(parquet_dir)
    assert [(Path(f.path).name, f.where, f.message) for f in findings] == [
        ("items.parquet", "row 2", "duplicate item id 'a'"),
        ("objects.parquet", "row 2", "duplicate object id '1'"),
        ("objects.parquet", "row 4", "duplicate object id '2'"),
    ]


def test_parquet_duplicate_category_in_manifest(parquet_dir: Path) -> None:
    manifest = orjson.loads((parquet_dir / "labelkit.json").read_bytes())
    manifest["categories"][2]["id"] = manifest["categories"][0]["id"]
    (parquet_dir / "labelkit.json").write_bytes(orjson.dumps(manifest))
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.location.path == str(parquet_dir / "labelkit.json")
    assert info.value.location.pointer == "/categories/2/id"


def test_output_is_deterministic(tmp_path: Path) -> None:
    """The same dataset written twice (from two separate reads) gives byte-identical files."""
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        ds = labelkit.load(IMAGES)
        labelkit.save(ds, tmp_path / side / "x.json", "labelkit")
        labelkit.save(ds, tmp_path / side / "x.parquet", "parquet")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 9
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_convert_never_overwrites_its_input(tmp_path: Path) -> None:
    src = tmp_path / "in.labelkit.json"
    src.write_bytes(IMAGES.read_bytes())
    for dst in (src, tmp_path / "." / "in.labelkit.json"):
        with pytest.raises(OutputError) as info:
            labelkit.convert(src, dst, to="labelkit", overwrite=True)
        assert info.value.message == "the output is the input"
    assert src.read_bytes() == IMAGES.read_bytes()


def test_an_error_stays_on_one_line_whatever_its_file_name_or_values_hold() -> None:
    from labelkit.errors import InputError

    err = InputError("bad item 'x\ny'", path="SegmentationClass/a\nb.png", found="1\r\n2\u2028")
    assert err.one_line() == "SegmentationClass/a\\nb.png: bad item 'x\\ny' (found 1\\r\\n2\\u2028)"
    assert len(str(err).splitlines()) == 1


def test_a_message_quoting_a_huge_value_is_cut_saying_how_long_it_was() -> None:
    from labelkit.errors import InputError

    err = InputError(f"unknown kind {'k' * 300_000!r}", path="t.parquet")
    assert len(err.one_line()) < 700
    assert err.one_line().endswith("... (300,015 characters)")


def test_every_error_and_a_report_survive_pickling_as_a_worker_process_sends_them(tmp_path: Path) -> None:
    import pickle

    from labelkit import errors

    ds = labelkit.load(IMAGES)
    with pytest.raises(labelkit.DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "yolo")
    back = pickle.loads(pickle.dumps(err.value))  # (a TypeError: __init__ missing its keyword-only report)
    assert type(back) is labelkit.DataLossError
    assert str(back) == str(err.value)
    assert back.location.path == str(tmp_path / "out")
    assert back.report == err.value.report
    assert pickle.loads(pickle.dumps(err.value.report)) == err.value.report
    for cls in (
        errors.InputError,
        errors.OutputError,
        errors.UsageError,
        errors.UnknownFormatError,
        errors.MissingDependencyError,
    ):
        error = cls("bad", path="a.json", line=3, pointer="/x", expected="int", found="str", hint="fix")
        back = pickle.loads(pickle.dumps(error))
        assert (type(back), str(back), back.location, back.message) == (cls, str(error), error.location, "bad")
        assert (back.expected, back.found, back.hint) == ("int", "str", "fix")


def test_a_data_loss_errors_report_is_typed_as_a_report() -> None:
    import typing

    from labelkit.errors import DataLossError

    # (typed object, a pipeline type-checked with mypy --strict could not read err.report.lost without a cast)
    assert typing.get_type_hints(DataLossError.__init__)["report"] is labelkit.Report


@pytest.mark.parametrize(("record", "field"), _required_fields(), ids=lambda v: str(v))
def test_validate_and_convert_say_a_missing_required_field_alike(record: str, field: str, tmp_path: Path) -> None:
    """They named the same pointer in other words: validate ``required field is missing``, convert pydantic's
    ``Field required`` (``Unable to extract tag using discriminator 'kind'`` for an annotation without ``kind``).
    Both say ``missing required field 'id'`` now, as COCO's validate and convert do."""
    document = copy.deepcopy(FULL)
    where = INSTANCES[record]
    del _get(document, where)[field]
    path = _write(tmp_path, document)
    pointer = "".join(f"/{p}" for p in (*where, field))
    said = f"missing required field {field!r}"
    with pytest.raises(InputError) as info:
        labelkit.load(path)
    assert (info.value.location.pointer, info.value.message) == (pointer, said)
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [("#" + pointer, said)]
    assert [(f.where, f.message) for f in labelkit.validate(path, schema=False)] == [("#" + pointer, said)]


IN_PLACE_HINT = (
    "a value set in place after the record was made is checked as its constructor checks it: give JSON values "
    "(finite numbers, integers of 64 bits, text, lists and mappings of them)"
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "item 'a': metadata: x is not a finite number"),
        (float("-inf"), "item 'a': metadata: x is not a finite number"),
        ({"y": [1, 2**70]}, "item 'a': metadata: integer x.y[1] does not fit 64 bits"),
        ({1, 2}, "item 'a': metadata: x is a set, not a JSON value"),
        (b"b", "item 'a': metadata: x is a bytes, not a JSON value"),
    ],
)
def test_an_items_metadata_value_set_in_place_is_refused_as_its_constructor_refuses_it(
    value: object, message: str
) -> None:
    """Item(id="a", metadata={"x": nan}) is refused; set in place, NaN and infinity were written as null by both
    native writers, a set as a list, bytes as text, all unsaid, and 2**70 was orjson's bare TypeError."""
    item = Item(id="a")
    item.metadata["x"] = value
    ds = Dataset()
    with pytest.raises(labelkit.UsageError) as err:
        ds.add_item(item)
    assert (err.value.message, err.value.hint) == (message, IN_PLACE_HINT)
    assert ds.table("items").num_rows == 0


def test_an_annotations_extras_value_set_in_place_is_refused_and_numpy_is_made_plain() -> None:
    from labelkit.model import Label

    label = Label(id="l", item_id="a")
    label.extras["e"] = float("inf")
    with pytest.raises(labelkit.UsageError, match=r"^label 'l': extras: e is not a finite number; hint: a value set"):
        Dataset().add(label)
    obj = Object(id="o", item_id="a")
    obj.extras["when"] = {"at": __import__("datetime").date(2024, 1, 2)}
    with pytest.raises(labelkit.UsageError, match=r"^object 'o': extras: when\.at is a date, not a JSON value; hint"):
        Dataset().add(obj)
    import numpy as np

    label = Label(id="l", item_id="a")
    label.extras["n"] = np.int64(3)  # (as Label(extras={"n": np.int64(3)}) takes it: was orjson's TypeError)
    ds = Dataset(annotations=[label])
    assert ds.table("labels")["extras"].to_pylist() == ['{"n":3}']


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (2**63, "9223372036854775808"),
        (["a", 1], "['a', 1]"),
        (None, "None"),
    ],
)
def test_an_annotations_attribute_value_set_in_place_is_refused(value: object, shown: str) -> None:
    """No validator sees a value set in place: a NaN attribute was written as null, 2**63 was orjson's TypeError."""
    from labelkit.model import Label

    label = Label(id="l", item_id="a", attributes={"ok": 1, "f": 2.5, "b": True, "s": "t", "l": ["x"]})
    label.attributes["x"] = value
    with pytest.raises(labelkit.UsageError) as err:
        Dataset().add(label)
    assert err.value.one_line() == (
        f"label 'l': attribute 'x': {shown} is not an attribute value (expected a bool, an integer of 64 bits, a "
        "finite number, a text or a list of texts); hint: a value set in place after the record was made is checked "
        "as its constructor checks it"
    )
    del label.attributes["x"]
    assert orjson.loads(Dataset(annotations=[label]).table("labels")["attributes"][0].as_py()) == label.attributes


def test_a_geometry_changed_in_place_is_checked_again_when_added() -> None:
    """No validator sees ``polygon[0][0] = "5"``, ``keypoints.append("x")`` or a polygon assigned anew beside its
    old ``polygon_holes``: the record was added, and its table (so every read, stats, split) or the COCO writer
    failed with Arrow's or Python's error, after pydantic had printed a warning of it."""
    hint = "a value set in place after the record was made is checked as its constructor checks it"
    obj = Object(id="o", item_id="a", shape="polygon", polygon=[[0, 0, 5, 0, 5, 5]], keypoints=[1, 2, 2])
    obj.polygon[0][0] = "5"  # type: ignore[call-overload]  # (as Object(polygon=[["5", ...]]) takes it)
    ds = Dataset(annotations=[obj])
    assert ds.table("objects")["polygon"].to_pylist() == [[[5.0, 0.0, 5.0, 0.0, 5.0, 5.0]]]
    obj.keypoints.append("x")  # type: ignore[arg-type, union-attr]
    with pytest.raises(labelkit.UsageError) as err:
        ds.add(obj)
    assert (err.value.message, err.value.hint) == (
        "object 'o': keypoints[3]: Input should be a valid number, unable to parse string as a number",
        hint,
    )
    holed = Object(id="h", item_id="a", polygon=[[0, 0, 5, 0, 5, 5], [1, 1, 2, 1, 2, 2]], polygon_holes=[False, True])
    holed.polygon = [[0, 0, 5, 0, 5, 5]]
    with pytest.raises(labelkit.UsageError) as err:
        ds.add(holed)
    assert err.value.message == "object 'h': polygon_holes: polygon_holes has 2 flags for 1 rings"
    assert ds.table("objects").num_rows == 1


def test_rle_counts_changed_in_place_are_named_where_they_go_wrong() -> None:
    """``mask.counts.append(-1)`` said ``mask.counts: Input should be a valid string``: the compressed counts'
    member of the union, not the list of runs the value is (as reading a document names it: ``counts/1``)."""
    from labelkit.model import Rle

    for run, message in (
        (-1, "mask.counts[2]: Input should be greater than or equal to 0"),
        ("z", "mask.counts[2]: Input should be a valid integer, unable to parse string as an integer"),
    ):
        obj = Object(id="o", item_id="a", shape="mask", mask=Rle(size=(10, 10), counts=[0, 100]))
        obj.mask.counts.append(run)  # type: ignore[arg-type, union-attr]
        with pytest.raises(labelkit.UsageError) as err:
            Dataset(annotations=[obj])
        assert err.value.message == f"object 'o': {message}"


def test_a_category_changed_in_place_is_checked_again_before_writing(tmp_path: Path) -> None:
    """``skeleton.append(("nose", "eye"))`` (names, not indexes): the native writers wrote files their readers
    refuse, the COCO writer failed with Python's TypeError, and pydantic printed a warning; ``("1", "2")`` is
    taken as the constructor takes it."""
    from labelkit.model import Category

    cat = Category(id=1, name="person", keypoints=["nose", "eye"], skeleton=[(1, 2)])
    ds = Dataset(categories=[cat])
    cat.skeleton.append(("nose", "eye"))  # type: ignore[arg-type, union-attr]
    for fmt in ("labelkit", "parquet", "coco"):
        with pytest.raises(labelkit.UsageError) as err:
            labelkit.save(ds, tmp_path / fmt, fmt)
        assert err.value.message == (
            "categories[0] (category 1): skeleton[1][0]: Input should be a valid integer, unable to parse string as "
            "an integer"
        )
        assert not (tmp_path / fmt).exists()
    cat.skeleton[1] = ("1", "2")  # type: ignore[index]
    labelkit.save(ds, tmp_path / "o.json", "labelkit")
    assert labelkit.load(tmp_path / "o.json").categories[0].skeleton == [(1, 2), (1, 2)] == cat.skeleton


@pytest.mark.parametrize(
    "make",
    [
        lambda t: Object(id=t, item_id="a"),
        lambda t: Item(id="a", media=Media(path=t)),
        lambda t: Item(id="a", split=t),
        lambda t: __import__("labelkit.model", fromlist=["Category"]).Category(id=1, name="c", keypoints=[t]),
        lambda t: __import__("labelkit.model", fromlist=["Transcript"]).Transcript(id="t", item_id="a", text=t),
        lambda t: __import__("labelkit.model", fromlist=["Label"]).Label(id="l", item_id="a", attributes={"x": [t]}),
    ],
)
def test_a_text_holding_a_lone_surrogate_is_refused_by_its_record(make: Any) -> None:
    """Accepted, it broke the dataset for good: its table, every read, stats and split raised Python's
    UnicodeEncodeError or Arrow's error; only a write refused it, naming no record."""
    assert make("caf\u00e9 \U0001f600")  # (any text UTF-8 encodes)
    with pytest.raises(ValidationError, match=r"text (at /x/0 )?holds a lone surrogate, which UTF-8 cannot encode"):
        make("bad\udc80")


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("info.metadata", "dataset info: metadata: m is not a finite number"),
        ("info.extras", "dataset info: extras: m is not a finite number"),
        ("category.extras", "categories[1] (category 7): extras: m is not a finite number"),
    ],
)
def test_info_and_category_values_set_in_place_are_refused_before_writing(
    tmp_path: Path, fmt: str, where: str, message: str
) -> None:
    """The writers dumped info and categories with pydantic's JSON mode: NaN as null, a set as a list, a datetime
    as text, and the report said nothing was lost."""
    from labelkit.model import Category

    categories = [Category(id=1, name="a"), Category(id=7, name="b")]
    ds = Dataset(categories=categories)
    mapping = {
        "info.metadata": ds.info.metadata,
        "info.extras": ds.info.extras,
        "category.extras": categories[1].extras,
    }[where]
    mapping["m"] = float("nan")
    out = tmp_path / ("o.json" if fmt == "labelkit" else "o.parquet")
    with pytest.raises(labelkit.UsageError) as err:
        labelkit.save(ds, out, fmt)
    assert (err.value.message, err.value.hint) == (message, IN_PLACE_HINT)
    assert not out.exists()
    mapping["m"] = {"s": {1}}
    with pytest.raises(labelkit.UsageError) as err:
        labelkit.save(ds, out, fmt)
    assert err.value.message == message.replace("m is not a finite number", "m.s is a set, not a JSON value")


def test_numpy_values_set_in_place_in_info_and_categories_are_written_as_their_constructor_takes_them(
    tmp_path: Path,
) -> None:
    import numpy as np

    from labelkit.model import Category

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.info.metadata["n"] = np.float32(0.5)
    ds.categories[0].extras["k"] = np.array([1, 2])  # (was pydantic's PydanticSerializationError)
    labelkit.save(ds, tmp_path / "o.json", "labelkit")
    back = labelkit.load(tmp_path / "o.json")
    assert (back.info.metadata, back.categories[0].extras) == ({"n": 0.5}, {"k": [1, 2]})


def test_to_dict_refuses_info_and_categories_changed_in_place_as_save_does() -> None:
    """``to_dict()`` dumped them as they were: pydantic printed its PydanticSerializationUnexpectedValue warning on
    stderr (the library never prints) and a NaN metadata value came out as ``None``, where save and plan refuse
    the dataset, naming the field."""
    import warnings

    from labelkit.model import Category

    ds = Dataset(categories=[Category(id=1, name="c", keypoints=["a"])])
    ds.categories[0].keypoints.append(5)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(labelkit.UsageError) as err:
            ds.to_dict()
        assert (err.value.message, err.value.hint) == (
            "categories[0] (category 1): keypoints[1]: Input should be a valid string",
            "a value set in place after the record was made is checked as its constructor checks it",
        )
        ds.categories[0].keypoints[1] = "b"
        ds.info.metadata["m"] = float("nan")
        with pytest.raises(labelkit.UsageError) as err:
            ds.to_dict()
        assert (err.value.message, err.value.hint) == (
            "dataset info: metadata: m is not a finite number",
            IN_PLACE_HINT,
        )
        ds.info.metadata["m"] = 0.5
        assert ds.to_dict()["info"] == {"metadata": {"m": 0.5}}


# -- nesting depth: one limit, MAX_VALUE_DEPTH levels of a free mapping's value, on every native path -----------

TOO_DEEP = "value nested more than 196 levels deep, more than every format can keep"


def _lists(levels: int) -> Any:
    deep: Any = 1
    for _ in range(levels):
        deep = [deep]
    return deep


# where a document holds a free mapping (metadata, extras) and the value, ``deep``, put in it at key "k"
DEEP_PLACES: dict[str, tuple[str | int, ...]] = {
    "info metadata": ("info", "metadata"),
    "info extras": ("info", "extras"),
    "category extras": ("categories", 0, "extras"),
    "item metadata": ("items", 0, "metadata"),
    "annotation extras": ("annotations", 0, "extras"),
}


def _deep_document(place: str, deep: Any, version: Any = 1) -> dict[str, Any]:
    doc = copy.deepcopy(FULL)
    doc["version"] = version
    _get(doc, DEEP_PLACES[place][:-1])[DEEP_PLACES[place][-1]] = {"k": deep}
    return doc


@pytest.mark.parametrize("place", DEEP_PLACES)
def test_a_value_196_levels_deep_is_held_written_and_read_back_by_every_native_path(tmp_path: Path, place: str) -> None:
    """The model took 254 levels, labelkit JSON wrote 251 (the writer's orjson), Parquet 254, the bulk reader read
    253 and the record path (pydantic, ``"version": 1.0``) 196 ('recursion limit exceeded' at ``#``)."""
    doc = _deep_document(place, _lists(196))
    fast = labelkit.load(_write(tmp_path, doc, "fast.json"))  # (the bulk reader)
    slow = labelkit.load(_write(tmp_path, {**doc, "version": 1.0}, "slow.json"))  # (the record path)
    assert slow.to_dict() == fast.to_dict()
    labelkit.save(fast, tmp_path / "out.json", "labelkit")
    labelkit.save(fast, tmp_path / "out.parquet", "parquet")
    for out in ("out.json", "out.parquet"):
        assert labelkit.validate(tmp_path / out) == []
        assert labelkit.load(tmp_path / out).to_dict() == fast.to_dict()
    labelkit.save(slow, tmp_path / "again.json", "labelkit")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "out.json").read_bytes()


def test_the_records_refuse_a_value_197_levels_deep_at_its_key() -> None:
    Item(id="a", metadata={"k": _lists(196)})
    for deep in (_lists(197), _lists(253), _lists(3000)):
        with pytest.raises(ValidationError) as info:
            Item(id="a", metadata={"a": 1, "k": deep})
        (error,) = info.value.errors()
        assert (error["loc"], error["msg"]) == (("metadata",), f"Value error, {TOO_DEEP} (at /k)")


@pytest.mark.parametrize("place", DEEP_PLACES)
@pytest.mark.parametrize("levels", [197, 199, 250, 900])
def test_a_document_nested_deeper_is_one_error_at_the_value_on_either_path(
    tmp_path: Path, place: str, levels: int
) -> None:
    """The bulk reader read up to 253 levels; the record path (``"version": 1.0``, or any document the bulk reader
    declines) said 'Invalid JSON: recursion limit exceeded' at ``#`` past 196, hiding the document's real error."""
    pointer = "/" + "/".join(map(str, DEEP_PLACES[place])) + "/k"
    for version in (1, 1.0):
        doc = _deep_document(place, _lists(levels), version)
        doc["annotations"][1]["item_id"] = "nope"  # (a later error: the first is the depth)
        path = _write(tmp_path, doc)
        with pytest.raises(InputError) as info:
            labelkit.load(path)
        assert (info.value.location.path, info.value.location.pointer, info.value.message) == (
            str(path),
            pointer,
            TOO_DEEP,
        )
        assert [(f.path, f.where, f.message) for f in labelkit.validate(path)] == [(str(path), "#" + pointer, TOO_DEEP)]


def test_the_record_path_reads_what_the_bulk_reader_reads_and_finds_the_same_errors(tmp_path: Path) -> None:
    """A document of 197 to 253 levels read by the bulk reader was 'recursion limit exceeded' at ``#`` for the record
    path (``"version": 1.0``, which the README says is read as 1), and its unknown item was not said."""

    def outcome(doc: dict[str, Any]) -> Any:
        try:
            return labelkit.load(_write(tmp_path, doc)).to_dict()
        except InputError as error:
            return error.location.pointer, error.message

    for levels in (196, 197, 199, 253):
        doc = _deep_document("item metadata", _lists(levels))
        fast = outcome(doc)
        assert outcome({**doc, "version": 1.0}) == fast
        if levels > 196:
            assert fast == ("/items/0/metadata/k", TOO_DEEP)
        else:
            assert fast["items"][0]["metadata"] == {"k": _lists(196)}
        doc["annotations"][1]["item_id"] = "nope"
        unknown = ("/annotations/1/item_id", "unknown item 'nope'")
        assert outcome(doc) == outcome({**doc, "version": 1.0}) == (unknown if levels == 196 else fast)


def test_a_parquet_manifest_nested_too_deep_is_an_error_at_the_value(parquet_dir: Path) -> None:
    """Was 'Invalid JSON: recursion limit exceeded' at ``#`` of labelkit.json."""
    manifest = orjson.loads((parquet_dir / "labelkit.json").read_bytes())
    manifest["categories"][1]["extras"] = {"a": 1, "k": _lists(250)}
    (parquet_dir / "labelkit.json").write_bytes(orjson.dumps(manifest))
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    location = info.value.location
    assert (location.path, location.pointer, info.value.message) == (
        str(parquet_dir / "labelkit.json"),
        "/categories/1/extras/k",
        TOO_DEEP,
    )
    assert [(f.where, f.message) for f in labelkit.validate(parquet_dir)] == [("#/categories/1/extras/k", TOO_DEEP)]


@pytest.mark.parametrize("levels", [197, 300, 5000])
def test_a_parquet_cell_nested_too_deep_is_found_by_validate_and_load(parquet_dir: Path, levels: int) -> None:
    """Such a cell passed validate and load; items() refused its record later, and convert named the output."""
    cell = '{"a":"' + "[" * 400 + '","k\\"/":' + "[" * levels + "]" * levels + "}"

    def deep_metadata(t: pa.Table) -> pa.Table:
        cells = [None] * t.num_rows
        cells[2] = cell
        return t.set_column(t.schema.get_field_index("metadata"), "metadata", pa.array(cells, pa.string()))

    _rewrite(parquet_dir, "items", deep_metadata)
    message = f'metadata holds a {TOO_DEEP} (at /k"~1)'
    items = str(parquet_dir / "items.parquet")
    assert [(f.path, f.where, f.message) for f in labelkit.validate(parquet_dir)] == [(items, "row 2", message)]
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert (info.value.location.path, info.value.message) == (items, f"row 2: {message}")
    result = CliRunner().invoke(
        cli, ["convert", str(parquet_dir), str(parquet_dir.parent / "out.json"), "--to", "labelkit"]
    )
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {items}: row 2: {message}; hint: 'labelkit validate' lists every problem\n",
    )


def _set_cells(folder: Path, name: str, column: str, cells: dict[int, str]) -> None:
    """Set rows of the JSON-text ``column`` of table ``name`` to ``cells`` (by row), the others to null."""

    def change(t: pa.Table) -> pa.Table:
        values = [cells.get(row) for row in range(t.num_rows)]
        return t.set_column(t.schema.get_field_index(column), column, pa.array(values, pa.string()))

    _rewrite(folder, name, change)


def test_a_parquet_metadata_or_extras_number_no_float_holds_is_found_by_validate_at_its_row(parquet_dir: Path) -> None:
    """Validate said ok; converting to labelkit JSON then stopped naming only the folder and a record id. The reader
    keeps such a cell as written (as COCO -> Parquet keeps a carried ``"area": 1e400``)."""
    _set_cells(parquet_dir, "items", "metadata", {1: '{"k":1e400}', 2: '{"k":1e300,"e":"e400"}'})
    _set_cells(parquet_dir, "objects", "extras", {0: '{"x":[-1E+400]}', 2: '{"x":' + "1" * 250 + "e80}"})
    said = "holds a number no float holds: the reader keeps it as written, labelkit JSON cannot write it"
    assert [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(parquet_dir)] == [
        ("items.parquet", "row 1", f"metadata {said}"),
        ("objects.parquet", "row 0", f"extras {said}"),
        ("objects.parquet", "row 2", f"extras {said}"),
    ]
    assert len(labelkit.load(parquet_dir)) == 3


def test_a_parquet_attribute_of_250_digits_and_a_two_digit_exponent_is_refused(parquet_dir: Path) -> None:
    """No float holds ``1...1e80`` (250 digits) either: only 300 digits or an exponent of three were looked at."""
    _set_cells(parquet_dir, "objects", "attributes", {1: '{"a":' + "1" * 250 + "e80}"})
    message = "attributes holds a value that is not a bool, integer, finite number, text or list of texts"
    assert [(f.where, f.message) for f in labelkit.validate(parquet_dir)] == [("row 1", message)]


def test_a_parquet_cell_at_the_limit_is_read(parquet_dir: Path) -> None:
    cell = '{"k":' + "[" * 196 + "]" * 196 + "}"
    _rewrite(
        parquet_dir,
        "items",
        lambda t: t.set_column(t.schema.get_field_index("metadata"), "metadata", pa.array([cell] * t.num_rows)),
    )
    assert labelkit.validate(parquet_dir) == []
    assert next(iter(labelkit.load(parquet_dir).items())).metadata == {"k": orjson.loads("[" * 196 + "]" * 196)}


@pytest.mark.parametrize("to", ["labelkit", "parquet"])
def test_a_table_cell_nested_too_deep_is_refused_by_both_native_writers(tmp_path: Path, to: str) -> None:
    """Parquet wrote 252 to 254 levels, which labelkit JSON refused ('cannot write: ... more than 254 levels')."""
    items = pa.table({"id": ["a", "b"], "metadata": [None, '{"k":' + "[" * 197 + "]" * 197 + "}"]})
    dataset = Dataset.from_tables({"items": items})
    with pytest.raises(OutputError) as info:
        labelkit.save(dataset, tmp_path / "out", to)
    assert info.value.message == f"items row 1: metadata holds a {TOO_DEEP} (at /k)"
    assert not (tmp_path / "out").exists()


# -- Parquet column types: the schema's, or a widening no value changes by ---------------------------------------


def _typed_parquet(tmp_path: Path) -> Path:
    ds = Dataset()
    ds.add_item(Item(id="a", media=Media(width=640, height=480), metadata={"m": 1}))
    ds.add(Object(id="o", item_id="a", bbox=(1, 2, 3, 4), keyframe=False, score=0.5, polygon=[[0, 0, 1, 0, 1, 1]]))
    out = tmp_path / "x.parquet"
    labelkit.save(ds, out, "parquet")
    return out


def _set(folder: Path, table: str, column: str, values: pa.Array) -> None:
    _rewrite(folder, table, lambda t: t.set_column(t.schema.get_field_index(column), column, values))


@pytest.mark.parametrize(
    ("table", "column", "values", "expected", "found"),
    [
        ("items", "width", pa.array(["0640"]), "int64", "string"),
        ("items", "width", pa.array([640.0]), "int64", "double"),
        ("items", "height", pa.array([480], pa.uint64()), "int64", "uint64"),
        ("objects", "keyframe", pa.array([2], pa.int64()), "bool", "int64"),
        ("objects", "id", pa.array([7], pa.int64()), "string", "int64"),
        ("objects", "score", pa.array([1], pa.int64()), "double", "int64"),
        (
            "objects",
            "bbox",
            pa.array([["1", "2", "3", "4"]]),
            "fixed_size_list<item: double>[4]",
            "list<element: string>",
        ),
    ],
)
def test_a_parquet_column_of_another_type_is_an_error_naming_the_file_and_column(
    tmp_path: Path, table: str, column: str, values: pa.Array, expected: str, found: str
) -> None:
    """The reader cast it to the schema's type: width "0640" read as 640, keyframe 2 as True, id 7 as '7', width
    640.0 as 640; validate said nothing."""
    out = _typed_parquet(tmp_path)
    _set(out, table, column, values)
    file = str(out / f"{table}.parquet")
    message = f"column {column!r} is not of the labelkit schema's type"
    with pytest.raises(InputError) as info:
        labelkit.load(out)
    assert (info.value.location.path, info.value.message, info.value.expected, info.value.found) == (
        file,
        message,
        expected,
        found,
    )
    assert [(f.path, f.where, f.message) for f in labelkit.validate(out)] == [
        (file, "", f"{message} (expected {expected}, found {found})")
    ]


def test_validate_names_every_parquet_column_of_another_type(tmp_path: Path) -> None:
    out = _typed_parquet(tmp_path)
    _set(out, "items", "width", pa.array(["0640"]))
    _set(out, "objects", "id", pa.array([7], pa.int64()))
    _set(out, "objects", "keyframe", pa.array([2], pa.int64()))
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert (result.exit_code, result.stdout) == (
        1,
        f"{out / 'items.parquet'}: column 'width' is not of the labelkit schema's type (expected int64, found string)\n"
        f"{out / 'objects.parquet'}: column 'id' is not of the labelkit schema's type (expected string, found int64)\n"
        f"{out / 'objects.parquet'}: column 'keyframe' is not of the labelkit schema's type (expected bool, found "
        "int64)\n",
    )


def test_a_parquet_table_missing_a_column_is_an_error_naming_it(parquet_dir: Path) -> None:
    """A missing column was read as nulls in every row: a bbox or split column dropped in Polars lost every box or
    split, unsaid, and validate said ok."""
    _rewrite(parquet_dir, "objects", lambda t: t.drop(["bbox"]))
    _rewrite(
        parquet_dir, "items", lambda t: t.drop(["split", "width"]).set_column(0, "id", t["id"].cast(pa.large_string()))
    )
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert (info.value.location.path, info.value.message) == (
        str(parquet_dir / "items.parquet"),
        "column 'width' of labelkit's items table is missing",
    )
    assert info.value.hint is not None and info.value.hint.startswith("labelkit writes every column of a table")
    assert [(Path(f.path).name, f.message) for f in labelkit.validate(parquet_dir)] == [
        ("items.parquet", "column 'width' of labelkit's items table is missing"),
        ("items.parquet", "column 'split' of labelkit's items table is missing"),
        ("objects.parquet", "column 'bbox' of labelkit's objects table is missing"),
    ]
    # a column of nulls stands for values no row has: read
    _rewrite(
        parquet_dir,
        "items",
        lambda t: t.append_column("width", pa.nulls(t.num_rows, pa.int64())).append_column(
            "split", pa.nulls(t.num_rows, pa.string())
        ),
    )
    _rewrite(parquet_dir, "objects", lambda t: t.append_column("bbox", pa.nulls(t.num_rows, pa.list_(pa.float64(), 4))))
    assert len(labelkit.load(parquet_dir)) == 3


@pytest.mark.parametrize("kind", [pa.list_(pa.float64()), pa.large_list(pa.float32())], ids=["list", "large_list"])
def test_a_parquet_box_of_another_length_is_an_error_at_its_row(parquet_dir: Path, kind: pa.DataType) -> None:
    """Arrow's words named no column or row ('ListType can only be casted to FixedSizeListType if the lists are all
    the expected size'); rows are counted over the row groups. Validate listed the first alone, its row in the
    message ('where' empty), where every other row finding is at ``row N``, one a row."""
    file = parquet_dir / "objects.parquet"
    table = pq.read_table(file)
    boxes = table["bbox"].to_pylist()
    boxes[5] = [1.0, 2.0, 3.0]
    boxes[6] = [1.0, 2.0, 3.0, 4.0, 5.0]
    boxes[8] = []
    table = table.set_column(table.schema.get_field_index("bbox"), "bbox", pa.array(boxes, kind))
    pq.write_table(table, file, row_group_size=2)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert (info.value.location.path, info.value.message) == (str(file), "row 5: bbox holds 3 values, not 4")
    assert [(f.path, f.where, f.message) for f in labelkit.validate(parquet_dir)] == [
        (str(file), "row 5", "bbox holds 3 values, not 4"),
        (str(file), "row 6", "bbox holds 5 values, not 4"),
        (str(file), "row 8", "bbox holds 0 values, not 4"),
    ]


def _not_utf8(texts: list[str | None], row: int) -> pa.Array:
    """``texts`` as a string array whose ``row`` holds the byte 0xff, which no UTF-8 text holds."""
    values = [None if t is None else t.encode() for t in texts]
    values[row] = b"\xff"
    return pa.array(values, pa.binary()).view(pa.string())


@pytest.mark.parametrize("column", ["track_id", "provenance.annotator"])
def test_a_parquet_text_that_is_not_utf8_is_an_error_at_its_row_and_column(parquet_dir: Path, column: str) -> None:
    """Arrow's words named the column by its index and the text by its place in its row group ('Column 15: In chunk
    0: Invalid: Invalid UTF8 sequence at string index 1'); rows are counted over the row groups."""
    file = parquet_dir / "objects.parquet"
    table = pq.read_table(file)
    if column == "track_id":
        values = _not_utf8(["t"] * table.num_rows, 7)
        table = table.set_column(table.schema.get_field_index(column), column, values)
    else:
        annotators = _not_utf8(["a"] * table.num_rows, 7)
        provenance = pa.StructArray.from_arrays(
            [annotators, pa.nulls(table.num_rows, pa.string())], ["annotator", "model"]
        )
        table = table.set_column(table.schema.get_field_index("provenance"), "provenance", provenance)
    pq.write_table(table, file, row_group_size=3)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    message = f"{column} holds text that is not UTF-8"
    assert (info.value.location.path, info.value.message) == (str(file), f"row 7: {message}")
    assert [(f.path, f.where, f.message) for f in labelkit.validate(parquet_dir)] == [(str(file), "row 7", message)]


def test_a_parquet_box_of_another_length_then_a_text_not_utf8_are_errors_at_their_rows(parquet_dir: Path) -> None:
    """A box of 3 values in the first row group and a text that is not UTF-8 in a later one: load's error is the
    box's row, and validate lists both. The text's group was refused with its row alone, the box dropped."""
    file = parquet_dir / "objects.parquet"
    table = pq.read_table(file)
    boxes = table["bbox"].to_pylist()
    boxes[1] = [1.0, 2.0, 3.0]
    table = table.set_column(table.schema.get_field_index("bbox"), "bbox", pa.array(boxes, pa.list_(pa.float64())))
    values = _not_utf8(["t"] * table.num_rows, 7)
    table = table.set_column(table.schema.get_field_index("track_id"), "track_id", values)
    pq.write_table(table, file, row_group_size=3)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.message == "row 1: bbox holds 3 values, not 4"
    assert [(f.where, f.message) for f in labelkit.validate(parquet_dir)] == [
        ("row 1", "bbox holds 3 values, not 4"),
        ("row 7", "track_id holds text that is not UTF-8"),
    ]


@pytest.mark.parametrize("kind", ["dictionary", "string_view"])
def test_a_parquet_categorical_or_view_text_not_utf8_is_an_error_at_its_row(parquet_dir: Path, kind: str) -> None:
    """A categorical's dictionary is validated whole with every slice, and written whole with every row group (the
    group of rows 0-2 holds the bad entry too, none of its rows using it): the row is the first using the entry. A
    view column is halved as a plain one. Both were refused at no row."""
    file = parquet_dir / "objects.parquet"
    table = pq.read_table(file)
    texts = _not_utf8([f"t{row}" for row in range(table.num_rows)], 7)
    if kind == "dictionary":
        values: pa.Array = pa.DictionaryArray.from_arrays(pa.array(range(table.num_rows), pa.int32()), texts)
    else:
        values = texts.cast(pa.binary()).cast(pa.binary_view()).view(pa.string_view())
    table = table.set_column(table.schema.get_field_index("track_id"), "track_id", values)
    pq.write_table(table, file, row_group_size=3)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.message == "row 7: track_id holds text that is not UTF-8"
    assert [(f.where, f.message) for f in labelkit.validate(parquet_dir)] == [
        ("row 7", "track_id holds text that is not UTF-8")
    ]


def test_parquet_columns_of_a_wider_type_no_value_changes_by_are_read(tmp_path: Path) -> None:
    """Integers of 32 bits or fewer, float32, large and dictionary text, large lists: what other tools may write."""
    out = _typed_parquet(tmp_path)
    before = labelkit.load(out).to_dict()
    _set(out, "items", "width", pa.array([640], pa.int32()))
    _set(out, "items", "height", pa.array([480], pa.uint16()))
    _set(out, "items", "media", pa.array(["image"]).dictionary_encode())
    _set(out, "items", "metadata", pa.array(['{"m":1}'], pa.large_string()))
    _set(out, "items", "fps", pa.array([None], pa.null()))
    _set(out, "objects", "score", pa.array([0.5], pa.float32()))
    _set(out, "objects", "bbox", pa.array([[1, 2, 3, 4]], pa.large_list(pa.int16())))
    _set(out, "objects", "polygon", pa.array([[[0, 0, 1, 0, 1, 1]]], pa.list_(pa.list_(pa.float32()))))
    assert labelkit.validate(out) == []
    assert labelkit.load(out).to_dict() == before


def test_from_tables_still_casts_a_column_to_the_schema_type() -> None:
    """As the README says for Dataset.from_tables (the Parquet reader alone is strict)."""
    items = pa.table({"id": pa.array([7], pa.int64()), "width": pa.array([640.0]), "height": pa.array(["480"])})
    item = next(iter(Dataset.from_tables({"items": items}).items()))
    assert (item.id, item.media.width, item.media.height) == ("7", 640, 480)


@pytest.mark.parametrize("name", ["tokens.parquet", "labelkit.json"])
def test_a_parquet_table_that_is_a_fifo_is_refused_not_waited_on(parquet_dir: Path, name: str) -> None:
    """A table that is a FIFO nobody writes: validate opened it in Arrow and waited forever, past Ctrl-C and
    SIGTERM; info and convert said the table was missing. Each says it is not a regular file."""
    import os

    (parquet_dir / name).unlink()
    os.mkfifo(parquet_dir / name)
    for fmt in ("parquet", None):  # (found as Parquet too: a FIFO manifest was 'no format recognises this input')
        with pytest.raises(InputError) as info:
            labelkit.load(parquet_dir, fmt)
        assert info.value.one_line() == f"{parquet_dir / name}: cannot read: not a regular file"
    findings = labelkit.validate(parquet_dir)
    assert [(f.path, f.message) for f in findings] == [(str(parquet_dir / name), "cannot read: not a regular file")]


def test_a_parquet_table_linked_out_of_the_folder_is_refused_unless_links_follow(
    parquet_dir: Path, tmp_path: Path
) -> None:
    """items.parquet a symbolic link to a file outside the folder was read, as no other format's reader does by
    default (an untrusted folder could have labelkit read any file of the machine): refused, as there, unless
    links=follow (a DVC or git-annex checkout); a link inside the folder is read."""
    outside = tmp_path / "elsewhere.parquet"
    (parquet_dir / "items.parquet").rename(outside)
    (parquet_dir / "items.parquet").symlink_to(outside)
    with pytest.raises(InputError) as info:
        labelkit.load(parquet_dir)
    assert info.value.one_line().startswith(
        f"{parquet_dir / 'items.parquet'}: cannot read: a symbolic link leading out of the dataset; hint: -o links="
    )
    assert labelkit.load(parquet_dir, links="follow").to_dict() == labelkit.load(IMAGES).to_dict()
    (parquet_dir / "items.parquet").unlink()
    outside.rename(parquet_dir / "kept.parquet")
    (parquet_dir / "items.parquet").symlink_to("kept.parquet")
    assert labelkit.load(parquet_dir).to_dict() == labelkit.load(IMAGES).to_dict()


def test_validate_spells_the_values_its_schema_findings_quote_as_json(tmp_path: Path) -> None:
    """Native ``validate`` quoted jsonschema's Python spelling (``None is not of type 'number'``, ``True ...``, and
    an integer past 64 bits as the float the parser made of it, ``1.8446744073709552e+19 is greater than ...``), where
    COCO's says ``null``, ``true`` and ``18446744073709551616``: now as JSON, a wide integer as the file writes it."""
    media = '{"kind": "image", "width": 18446744073709551616, "height": 4}'
    text = (
        '{"format": "labelkit", "version": 1, "info": {"attributes": [{"name": "n", "mutable": null}]},'
        ' "categories": [{"id": 1, "name": "c"}], "items": [{"id": "a", "media": MEDIA}], "annotations": ['
        '{"kind": "object", "id": "1", "item_id": "a", "category_id": true, "bbox": [0, 0, 1, 1], "angle": null},'
        ' {"kind": "object", "id": "2", "item_id": "a", "category_id": -18446744073709551617, "bbox": [0, 0, 1, 1]},'
        ' {"kind": 18446744073709551616, "id": "3", "item_id": "a"}]}'
    ).replace("MEDIA", media)
    src = tmp_path / "s.labelkit.json"
    src.write_text(text)
    most = "is greater than the maximum of 9223372036854775807"
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [
        ("#/info/attributes/0/mutable", "null is not of type 'boolean'"),
        ("#/items/0/media/width", f"18446744073709551616 {most}"),
        ("#/annotations/0/category_id", "true is not of type 'integer'"),
        ("#/annotations/0/angle", "null is not of type 'number'"),
        ("#/annotations/1/category_id", "-18446744073709551617 is less than the minimum of -9223372036854775808"),
        ("#/annotations/2/kind", "must be one of label, object, span, track, transcript, found 18446744073709551616"),
    ]


@pytest.mark.parametrize("command", ["info", "convert", "validate"])
def test_a_second_byte_order_mark_is_an_error_at_line_1(tmp_path: Path, command: str) -> None:
    """One BOM is dropped (Windows tools write one); a second, dropped too before pydantic parsed the text, was
    ``d.json#: Invalid JSON: expected value at line 1 column 1`` from info and convert (validate found it so)."""
    path = tmp_path / "d.labelkit.json"
    path.write_bytes(b"\xef\xbb\xbf" * 2 + b'{"format": "labelkit", "version": 1, "items": [], "annotations": []}')
    args = [command, str(path)] + ([str(tmp_path / "o"), "--to", "coco"] if command == "convert" else [])
    result = CliRunner().invoke(cli, args)
    where = f"{path}:1: invalid JSON at column 1: UTF-8 byte order mark (BOM) is not supported\n"
    if command == "validate":  # (a finding)
        assert (result.exit_code, result.stdout) == (1, where)
    else:
        assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {where}")
    path.write_bytes(path.read_bytes()[3:])  # (one: read)
    assert CliRunner().invoke(cli, ["info", str(path)]).exit_code == 0
