"""The JSON Schema of labelkit JSON: generated from the records, committed, shipped in the wheel, used by validate."""

from __future__ import annotations

import importlib.resources
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import orjson
import pytest
import regen_schemas
from conftest import NATIVE_FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from test_native_properties import datasets

from labelkit.formats import native
from labelkit.model import Dataset
from labelkit.schemas_util import load_schema

SCHEMA = ROOT / "schemas" / "labelkit.schema.json"


@pytest.mark.skipif(not regen_schemas.renders_committed(), reason="pydantic before 2.11 renders the schema otherwise")
def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_bytes() == regen_schemas.render(), "run: python tests/regen_schemas.py"


def test_schema_is_valid_draft_2020_12() -> None:
    schema = orjson.loads(SCHEMA.read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # every annotation record must name its kind, as the records' discriminator requires
    for name in ("Label", "Object", "Span", "Transcript", "Track"):
        assert "kind" in schema["$defs"][name]["required"]


def test_loader_returns_the_committed_schema() -> None:
    assert load_schema("labelkit.schema.json") == orjson.loads(SCHEMA.read_bytes())


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
def test_fixtures_satisfy_the_schema(fixture: Path) -> None:
    assert native.schema_findings(orjson.loads(fixture.read_bytes()), str(fixture)) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_every_written_document_satisfies_the_schema(ds: Dataset) -> None:
    document = orjson.loads(orjson.dumps(native.document(ds)))
    assert native.schema_findings(document, "generated") == []


BAD = [
    ({"annotations": [{"kind": "object", "id": "1", "item_id": "a", "bbox": [1, 2, 3]}]}, "/annotations/0/bbox"),
    ({"annotations": [{"kind": "span", "id": "1", "item_id": "a", "start": 1}]}, "/annotations/0/end"),
    ({"annotations": [{"kind": "objet", "id": "1", "item_id": "a"}]}, "/annotations/0/kind"),
    ({"annotations": [{"id": "1", "item_id": "a"}]}, "/annotations/0/kind"),
    ({"items": [{"id": "a", "media": {"width": "5"}}]}, "/items/0/media/width"),
    ({"items": [{"id": "a", "media": {"width": -5}}]}, "/items/0/media/width"),
    ({"items": [{"id": "a", "colour": "red"}]}, "/items/0/colour"),
    (
        {"annotations": [{"kind": "object", "id": "1", "item_id": "a", "attributes": {"x": {"a": 1}}}]},
        "/annotations/0/attributes/x",
    ),
    (
        {"annotations": [{"kind": "object", "id": "1", "item_id": "a", "mask": {"size": [1, 2], "counts": 3}}]},
        "/annotations/0/mask/counts",
    ),
    ({"categories": [{"id": 2**63, "name": "big"}]}, "/categories/0/id"),
    ({"format": "coco"}, "/format"),
]


@pytest.mark.parametrize(("document", "pointer"), BAD, ids=[p for _, p in BAD])
def test_schema_findings_point_at_the_field(document: dict, pointer: str) -> None:
    findings = native.schema_findings(document, "f.json")
    assert [f.where for f in findings] == ["#" + pointer]
    assert all(f.path == "f.json" for f in findings)


def test_schema_findings_are_in_document_order_and_capped() -> None:
    document = {"items": [{"id": i, "media": {}} for i in range(150)]}
    findings = native.schema_findings(document, "f.json")
    assert len(findings) == native.MAX_SCHEMA_FINDINGS
    assert [f.where for f in findings[:3]] == ["#/items/0/id", "#/items/1/id", "#/items/2/id"]


def test_installed_package_ships_the_schema() -> None:
    """The editable (or regular) install maps schemas/ to the package labelkit.schemas."""
    try:
        files = importlib.resources.files("labelkit.schemas")
    except ModuleNotFoundError:
        pytest.skip("labelkit is not installed (pip install -e .) so labelkit.schemas is not importable")
    assert files.joinpath("labelkit.schema.json").read_bytes() == SCHEMA.read_bytes()


def test_wheel_contains_the_schemas() -> None:
    """Build a wheel from a copy of the sources (never in the work tree) and look inside.

    Skips only when the build backend cannot be fetched (offline); any other build failure fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copy(ROOT / "pyproject.toml", src / "pyproject.toml")
        readme = ROOT / "README.md"
        (src / "README.md").write_bytes(readme.read_bytes() if readme.is_file() else b"# labelkit\n")
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in ("labelkit", "schemas"):
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        run = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(Path(tmp) / "dist"), str(src)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if run.returncode:
            offline = ("No matching distribution", "NewConnectionError", "Could not find a version", "offline")
            if any(word in run.stdout + run.stderr for word in offline):
                pytest.skip("cannot fetch the build backend (offline)")
            pytest.fail(f"pip wheel failed:\n{run.stdout}\n{run.stderr}")
        (wheel,) = (Path(tmp) / "dist").glob("labelkit-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
    shipped = {n for n in names if n.startswith("labelkit/schemas/")}
    expected = {f"labelkit/schemas/{p.name}" for p in (ROOT / "schemas").glob("*.json")}
    assert "labelkit/schemas/labelkit.schema.json" in shipped
    assert expected <= shipped
    assert "labelkit/py.typed" in names


def test_a_source_checkout_reads_its_own_schemas_not_an_installed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another checkout installed editable (``pip install -e``), ``labelkit.schemas`` resolves to that
    checkout's folder: this one's ``validate`` checked files against the other's schemas."""
    import labelkit.schemas_util

    other = tmp_path / "other"
    other.mkdir()
    for name in ("labelkit.schema.json", "coco.schema.json"):
        (other / name).write_bytes(b'{"title": "another checkout"}')
    monkeypatch.setattr(labelkit.schemas_util.resources, "files", lambda package: other)
    for name in ("labelkit.schema.json", "coco.schema.json"):
        assert load_schema.__wrapped__(name) == orjson.loads((ROOT / "schemas" / name).read_bytes())


def test_a_null_angle_is_refused_as_the_schema_and_the_records_refuse_it(tmp_path: Path) -> None:
    """The bulk reader took ``"angle": null`` (an object without an angle) where the schema and the records
    (``angle: float``) refuse it: ``validate`` said ``None is not of type 'number'`` (exit 1), ``validate -o
    schema=false`` and ``load`` said nothing. An absent angle is still none, on the bulk path as on the records'."""
    import labelkit
    from labelkit.errors import InputError
    from labelkit.formats import native_bulk

    fixture = ROOT / "fixtures" / "native" / "images.labelkit.json"
    doc = orjson.loads(fixture.read_bytes())
    index = next(i for i, a in enumerate(doc["annotations"]) if "angle" in a)
    doc["annotations"][index]["angle"] = None
    path = tmp_path / "a.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    pointer = f"/annotations/{index}/angle"
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == pointer
    assert [f.where for f in labelkit.validate(path)] == ["#" + pointer]
    assert [f.where for f in labelkit.validate(path, schema=False)] == ["#" + pointer]
    del doc["annotations"][index]["angle"]
    path.write_bytes(orjson.dumps(doc))
    objects = native_bulk.fast_read(path).table("objects")
    assert objects.equals(native._dataset(native.parse_document(path.read_bytes(), path)).table("objects"))
    assert objects["angle"].null_count == sum(a["kind"] == "object" and "angle" not in a for a in doc["annotations"])


def test_an_attribute_number_past_int64_the_schema_cannot_tell_from_a_float_says_so(tmp_path: Path) -> None:
    """The schema took ``"n": 9223372036854775808`` (an attribute, or an ``AttributeDef.default``) by its
    ``{"type": "number"}`` branch, silent that the reader refuses that integer literal. The branch stays: the reader
    takes the float literal ``1e19`` (any finite float), which JSON Schema cannot tell from the same integer; the
    branch now says so, and ``validate`` names the integer literal, as before."""
    import labelkit

    schema = orjson.loads(SCHEMA.read_bytes())
    label = schema["$defs"]["Label"]["properties"]["attributes"]["additionalProperties"]["anyOf"]
    default = schema["$defs"]["AttributeDef"]["properties"]["default"]["anyOf"]
    for branches in (label, default):
        number = next(b for b in branches if b.get("type") == "number")
        assert "9223372036854775808" in number["description"] and "int64" in number["description"]
    validator = jsonschema.Draft202012Validator(schema)
    for literal, refused in [("9223372036854775808", True), ("1e19", False), ("9223372036854775807", False)]:
        for doc in [
            '{"format": "labelkit", "version": 1, "items": [{"id": "a"}], "annotations": [{"kind": "label", "id": "l",'
            ' "item_id": "a", "attributes": {"n": N}}]}',
            '{"format": "labelkit", "version": 1, "info": {"attributes": [{"name": "n", "type": "float", "default": '
            "N}]}}",
        ]:
            doc = doc.replace("N", literal)
            assert validator.is_valid(orjson.loads(doc))  # (JSON Schema: the same number, written either way)
            path = tmp_path / "n.labelkit.json"
            path.write_text(doc)
            findings = [f.message for f in labelkit.validate(path)]
            assert findings == (["Value error, integer attribute does not fit 64 bits"] if refused else [])
