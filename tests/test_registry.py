"""The format registry: built-ins, detection with reasons, options, and third-party plug-ins via entry points."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

import labelkit
from labelkit import formats
from labelkit.cli import cli
from labelkit.errors import DataLossError, InputError, MissingDependencyError, UnknownFormatError, UsageError
from labelkit.formats.base import Capabilities, Option
from labelkit.report import Report

PLUGINS = Path(__file__).resolve().parent / "plugins"
IMAGES = FIXTURES / "native" / "images.labelkit.json"


def install_plugin(root: Path, entry_points: str, dist: str = "tiny_labelkit_plugin") -> None:
    """Lay out a real installed distribution: ``<dist>-0.1.dist-info`` with METADATA and entry_points.txt."""
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget loaded formats so each test sees the entry points on its own sys.path."""
    monkeypatch.setattr(formats, "_loaded", {})
    yield


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None) -> Path:
    """The tests/plugins/tiny_format.py module registered as format ``tiny`` through a real dist-info."""
    site = tmp_path / "site"
    install_plugin(site, "[labelkit.formats]\ntiny = tiny_format\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    return site


def test_builtins_are_listed_and_load() -> None:
    names = formats.names()
    assert {"labelkit", "parquet"} <= set(names)
    assert names[: len(formats.BUILTIN)] == sorted(formats.BUILTIN)
    for name in formats.BUILTIN:
        fmt = formats.get(name)
        assert fmt.NAME == name
        assert isinstance(fmt.CAPABILITIES, Capabilities)
        assert all(isinstance(o, Option) and o.name == k for k, o in fmt.OPTIONS.items())
        assert fmt.OUTPUT in ("file", "dir")


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("labelkit", "native/images.labelkit.json"),
        ("coco", "coco/annotations"),
        ("parquet", None),  # no bundled Parquet folder: the native fixture is written as one first
        ("yolo", "yolo/golden/detect"),
        ("voc", "voc/golden/default"),
    ],
)
def test_read_and_write_take_a_str_path(name: str, source: str | None, tmp_path: Path) -> None:
    fmt = formats.get(name)
    if source is None:
        path = tmp_path / "source"
        labelkit.save(labelkit.load(IMAGES), path, name)
    else:
        path = FIXTURES / source
    dataset = fmt.read(str(path))
    assert dataset.table("items").num_rows
    assert dataset.to_dict() == fmt.read(path).to_dict()
    written = {}
    for kind, out in (("str", str(tmp_path / "str")), ("path", tmp_path / "path")):
        if fmt.OUTPUT == "dir":
            Path(out).mkdir()  # as labelkit.save hands writers an existing folder
        fmt.write(dataset, out, Report())
        root = Path(out)
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        written[kind] = {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}
    assert written["str"] == written["path"] and written["str"]


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormatError) as info:
        formats.get("nope")
    assert info.value.expected is not None and "labelkit" in info.value.expected and "parquet" in info.value.expected
    with pytest.raises(UnknownFormatError):
        labelkit.load(IMAGES, "nope")
    with pytest.raises(UnknownFormatError):
        labelkit.convert(IMAGES, "x.json", to="nope")


def test_detect_names_the_format_and_why(tmp_path: Path) -> None:
    result = formats.detect(IMAGES)
    assert (result.format, result.confidence) == ("labelkit", 1.0)
    assert result.reason == 'JSON document with "format": "labelkit"'
    out = tmp_path / "x.parquet"
    labelkit.save(labelkit.load(IMAGES), out, "parquet")
    result = labelkit.detect(out)
    assert result.format == "parquet" and "items.parquet" in result.reason


def test_labelkit_json_written_without_a_json_suffix_is_recognised_again(tmp_path: Path) -> None:
    out = tmp_path / "out"  # (convert writes where it is told: no suffix added)
    labelkit.convert(IMAGES, out, to="labelkit")
    result = formats.detect(out)
    assert (result.format, result.confidence) == ("labelkit", 0.9)
    assert result.reason == 'a document starting with "format": "labelkit" (its name does not end in .json)'
    assert labelkit.load(out).stats() == labelkit.load(IMAGES).stats()
    other = tmp_path / "notes.txt"  # JSON that does not say so is no labelkit document
    other.write_text('{"format": "something else"}')
    with pytest.raises(UnknownFormatError):
        formats.detect(other)


def test_detect_fails_listing_candidates(tmp_path: Path) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    with pytest.raises(UnknownFormatError) as info:
        formats.detect(unknown)
    assert info.value.location.path == str(unknown)
    assert info.value.expected == ", ".join(formats.names())
    with pytest.raises(InputError, match="no such file or folder"):  # (as load's: it was an UnknownFormatError)
        formats.detect(tmp_path / "missing.json")


def test_detect_ambiguity_lists_the_tied_formats(tiny: Path, tmp_path: Path) -> None:
    install_plugin(tiny, "[labelkit.formats]\ntiny2 = tiny_format\n", dist="tiny_twin")
    path = tmp_path / "a.tiny"
    path.write_text("img1\tcat\n")
    with pytest.raises(UnknownFormatError) as info:
        formats.detect(path)
    assert "ambiguous" in info.value.message
    assert "tiny (file name ends with .tiny)" in info.value.message
    assert "tiny2 (file name ends with .tiny)" in info.value.message


def test_plugin_is_found_through_its_entry_point(tiny: Path, tmp_path: Path) -> None:
    assert formats.names()[-1] == "tiny"
    fmt = formats.get("tiny")
    assert fmt.DESCRIPTION.startswith("tab-separated")
    path = tmp_path / "labels.tiny"
    path.write_text("img1\tcat\nimg2\tdog\nimg1\tdog\n")
    assert formats.detect(path).format == "tiny"
    ds = labelkit.load(path)
    assert ds.stats().annotations == {"label": 3}
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    # read options are typed and checked
    path.write_text("img1,cat\n\n")
    assert labelkit.load(path, sep="comma").stats().items == 1
    with pytest.raises(labelkit.InputError) as info:
        labelkit.load(path, sep="comma", strict="yes")
    assert info.value.location.line == 2
    with pytest.raises(UsageError):
        labelkit.load(path, sep="semicolon")
    with pytest.raises(UsageError):
        labelkit.load(path, colour="red")


def test_plugin_round_trips_through_native(tiny: Path, tmp_path: Path) -> None:
    src = tmp_path / "labels.tiny"
    src.write_text("img1\tcat\nimg2\tdog\n")
    report = labelkit.convert(src, tmp_path / "labels.parquet", to="parquet")
    assert report.source == "tiny" and report.lost == []
    report = labelkit.convert(tmp_path / "labels.parquet", tmp_path / "back.tiny", to="tiny", sep="tab")
    assert (tmp_path / "back.tiny").read_text() == src.read_text()
    assert report.written == {"items": 2, "label annotations": 2}


def test_plugin_with_limited_capabilities_refuses_loss(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.tiny"
    with pytest.raises(DataLossError) as info:
        labelkit.convert(IMAGES, out, to="tiny")
    lost = {c.what for c in info.value.report.lost}  # type: ignore[attr-defined]
    assert {"object annotations", "item groups", "category parents"} <= lost
    assert not out.exists()
    report = labelkit.convert(IMAGES, out, to="tiny", allow_loss=True)
    assert {c.what for c in report.lost} == lost
    assert out.read_text() == "street-1\tcar\n"


def test_plugin_shown_by_formats_command(tiny: Path) -> None:
    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0
    line = [x for x in result.output.splitlines() if x.startswith("tiny ")]
    assert line and "reads, writes a file" in line[0] and "holds: label; media: image" in line[0]
    result = CliRunner().invoke(cli, ["formats", "tiny"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "tiny: tab-separated image labels (test plug-in)",
        "reads, writes a file",
        "file names: *.tiny",
        "holds: label; media: image",
        "options (-o KEY=VALUE):",
        "  sep=tab|comma (both; default 'tab'): column separator",
        "  strict=bool (read; default False): refuse blank lines",
    ]


def test_builtin_names_cannot_be_taken_by_a_plugin(tiny: Path) -> None:
    install_plugin(tiny, "[labelkit.formats]\nlabelkit = tiny_format\n", dist="impostor")
    assert formats.get("labelkit").DESCRIPTION.startswith("labelkit's own JSON")
    assert formats.names().count("labelkit") == 1


def test_broken_plugins_give_clean_errors(tiny: Path) -> None:
    install_plugin(
        tiny,
        "[labelkit.formats]\nghost = no_such_module_anywhere\nhollow = tiny_format:NOPE\nnotaformat = json\n",
        dist="broken",
    )
    with pytest.raises(MissingDependencyError) as info:
        formats.get("ghost")
    assert "entry point labelkit.formats: ghost = no_such_module_anywhere" in (info.value.hint or "")
    with pytest.raises(UnknownFormatError):
        formats.get("hollow")
    with pytest.raises(UnknownFormatError) as info2:
        formats.get("notaformat")
    assert "missing NAME" in (info2.value.found or "")
    result = CliRunner().invoke(cli, ["formats", "ghost"])
    assert result.exit_code == 2
    assert result.stderr.startswith("labelkit: error: format 'ghost' cannot be imported")
    listing = CliRunner().invoke(cli, ["formats"])  # was: the first broken plug-in's error, and nothing listed
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert list(lines) == [*sorted(formats.BUILTIN), "ghost", "hollow", "notaformat", "tiny"]
    assert lines["ghost"].split(None, 1)[1].startswith("cannot be loaded        format 'ghost' cannot be imported")
    assert "holds:" in lines["tiny"] and "holds:" in lines["coco"]


@contextmanager
def _module_plugin(site: Path, folder: Path, name: str, source: str) -> Iterator[None]:
    """A plug-in ``name`` whose module ``<name>_format`` holds ``source``, importable while the block runs."""
    import sys

    (folder / f"{name}_format.py").write_text(source)
    install_plugin(site, f"[labelkit.formats]\n{name} = {name}_format\n", dist=name)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(f"{name}_format", None)  # (a test's next case writes the module anew)


def test_read_only_plugin(tiny: Path, tmp_path: Path) -> None:
    source = "from tiny_format import NAME, DESCRIPTION, OUTPUT, EXTENSIONS, CAPABILITIES, detect, read\n"
    with _module_plugin(tiny, tmp_path, "readonly", source):
        fmt = formats.get("readonly")
        assert formats.can_read(fmt) and not formats.can_write(fmt)
        with pytest.raises(UsageError):
            labelkit.save(labelkit.load(IMAGES), tmp_path / "o.tiny", "readonly")
        result = CliRunner().invoke(cli, ["formats", "readonly"])
        assert result.output.splitlines()[1] == "reads"
        assert "options: none" in result.output


def test_a_broken_plugin_does_not_stop_detecting_the_other_formats(tiny: Path, tmp_path: Path) -> None:
    """Detection asked every format, so a plug-in that failed to import made every command fail."""
    install_plugin(tiny, "[labelkit.formats]\nghost = no_such_module_anywhere\n", dist="broken")
    assert formats.detect(IMAGES).format == "labelkit"
    result = CliRunner().invoke(cli, ["info", str(IMAGES)])
    assert result.exit_code == 0, result.output
    unknown = tmp_path / "x.unknown"
    unknown.write_text("?")
    with pytest.raises(MissingDependencyError, match="format 'ghost' cannot be imported"):  # nothing else answers
        formats.detect(unknown)


def test_a_plugin_whose_import_raises_is_passed_over_and_named(tiny: Path, tmp_path: Path) -> None:
    (tmp_path / "boom_format.py").write_text("raise RuntimeError('boom at import')\n")
    install_plugin(tiny, "[labelkit.formats]\nboom = boom_format\n", dist="boom")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        assert formats.detect(IMAGES).format == "labelkit"  # was: an internal error
        with pytest.raises(UnknownFormatError, match="format 'boom' cannot be imported: RuntimeError: boom at import"):
            formats.get("boom")
    finally:
        sys.path.remove(str(tmp_path))


def test_a_plugin_whose_capabilities_are_not_capabilities_is_named_in_the_listing(tiny: Path, tmp_path: Path) -> None:
    """It passed loading and broke the listing with an internal error when its summary was asked for."""
    source = "from tiny_format import NAME, DESCRIPTION, OUTPUT, detect, read\nCAPABILITIES = None\n"
    with _module_plugin(tiny, tmp_path, "nocaps", source):
        with pytest.raises(UnknownFormatError, match="not a labelkit format"):
            formats.get("nocaps")
        listing = CliRunner().invoke(cli, ["formats"])
        assert listing.exit_code == 0, listing.output
        line = next(x for x in listing.output.splitlines() if x.startswith("nocaps"))
        assert "cannot be loaded" in line and "CAPABILITIES as a labelkit.formats.base.Capabilities" in line


def test_a_labelkit_json_named_so_without_its_format_key_is_labelkit_json(tmp_path: Path) -> None:
    """A ``*.labelkit.json`` without ``"format"`` (which the schema does not require) was taken for COCO, its
    ``annotations`` holding an ``image_id`` and a ``category_id``: validate listed COCO findings at every
    annotation, convert said "no 'images' list". The name says what it is; a ``.json`` of another name is
    still COCO's."""
    doc = json.loads((FIXTURES / "native/images.labelkit.json").read_text())
    del doc["format"]
    named = tmp_path / "a.labelkit.json"
    named.write_text(json.dumps(doc))
    found = formats.detect(named)
    assert (found.format, found.confidence) == ("labelkit", 0.95)
    assert found.reason == 'named *.labelkit.json (its start does not say "format": "labelkit")'
    assert labelkit.validate(named) == []
    assert (
        labelkit.load(named).table("objects").num_rows
        == labelkit.load(FIXTURES / "native/images.labelkit.json").table("objects").num_rows
    )
    other = tmp_path / "a.json"
    other.write_text(json.dumps(doc))
    assert formats.detect(other).format == "coco"


def test_write_only_plugin_without_a_check(tiny: Path, tmp_path: Path) -> None:
    """A plug-in with ``write`` and no ``read`` or ``check``: its capabilities decide the loss, and it reads nothing."""
    source = "from tiny_format import DESCRIPTION, OUTPUT, CAPABILITIES, detect, write\nNAME = 'writeonly'\n"
    with _module_plugin(tiny, tmp_path, "writeonly", source):
        out = tmp_path / "out.tiny"
        with pytest.raises(DataLossError) as info:
            labelkit.convert(IMAGES, out, to="writeonly")
        lost = {(c.what, c.count) for c in info.value.report.lost}  # type: ignore[attr-defined]
        assert sorted(lost) == [
            ("category attribute definitions", 1),
            ("category colours", 1),
            ("category keypoint names", 1),
            ("category parents", 1),
            ("category skeletons", 1),
            ("category supercategories", 2),
            ("dataset attribute definitions", 1),
            ("dataset metadata", 1),
            ("dataset name", 1),
            ("item groups", 3),
            ("items with metadata", 1),
            ("object annotations", 9),
        ]
        assert not out.exists()
        labelkit.convert(IMAGES, out, to="writeonly", allow_loss=True)
        assert out.read_text() == "street-1\tcar\n"
        with pytest.raises(UsageError) as refused:
            labelkit.load(out, "writeonly")
        assert refused.value.one_line() == "format 'writeonly' cannot read, only write"
        assert formats.detect(out).format == "tiny"  # (the write-only format, which detects .tiny too, is not asked)


_TINY_HEAD = (
    "from tiny_format import NAME, DESCRIPTION, OUTPUT, EXTENSIONS, CAPABILITIES, OPTIONS, detect, read, write\n"
)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("def detect(path):\n    raise ValueError('only JSON here')\n", "ValueError: only JSON here"),
        ("def detect(path):\n    return 0.5\n", "it returned float, not a Detection or None"),
    ],
)
def test_a_plugin_whose_detect_fails_is_passed_over_and_named(tiny: Path, tmp_path: Path, body: str, why: str) -> None:
    """A detector that raised (or answered a float) stopped every input being recognised, built-in ones too, with an
    internal error naming no plug-in."""
    with _module_plugin(tiny, tmp_path, "shaky", _TINY_HEAD + body):
        assert formats.detect(IMAGES).format == "labelkit"
        result = CliRunner().invoke(cli, ["info", str(IMAGES)])
        assert result.exit_code == 0, result.output
        unknown = tmp_path / "x.unknown"
        unknown.write_text("?")
        with pytest.raises(UnknownFormatError) as info:  # nothing else answers: why this one could not
            formats.detect(unknown)
        assert info.value.message == f"format 'shaky' failed in its detect: {why}"
        assert info.value.hint == "check the plug-in (entry point labelkit.formats: shaky = shaky_format)"


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("detect = None\n", "missing detect as a function"),
        ("OUTPUT = 'folder'\n", 'missing OUTPUT as "file" or "dir"'),
        ("OPTIONS = {'sep': 'tab'}\n", "missing OPTIONS as a mapping of names to labelkit.formats.base.Option"),
        ("OPTIONS = None\n", "missing OPTIONS as a mapping of names to labelkit.formats.base.Option"),
    ],
)
def test_a_plugin_of_wrong_attributes_is_not_a_format(tiny: Path, tmp_path: Path, body: str, found: str) -> None:
    """They loaded, then failed as internal errors when used (``formats NAME``, ``convert``, detecting)."""
    with _module_plugin(tiny, tmp_path, "odd", _TINY_HEAD + body):
        with pytest.raises(UnknownFormatError, match="not a labelkit format") as info:
            formats.get("odd")
        assert info.value.found == found
        assert formats.detect(IMAGES).format == "labelkit"


def test_a_plugin_failing_as_it_reads_or_writes_is_named(tiny: Path, tmp_path: Path) -> None:
    """Its KeyError was ``labelkit: internal error: KeyError: 'oops'``, naming no plug-in; a read returning None
    was handed on as the dataset."""
    body = (
        "from labelkit.formats.base import Detection\n"
        "def detect(path):\n    return Detection(0.9, 'a .faulty file') if path.suffix == '.faulty' else None\n"
        "def read(path, **options):\n    return None if path.name == 'none.faulty' else {}['oops']\n"
        "def write(dataset, path, report, **options):\n    raise TypeError('write() got an unexpected keyword')\n"
    )
    with _module_plugin(tiny, tmp_path, "faulty", _TINY_HEAD + body):
        src = tmp_path / "a.faulty"
        src.write_text("a\tcat\n")
        with pytest.raises(UnknownFormatError) as info:
            labelkit.load(src)
        assert info.value.message == "format 'faulty' failed in its read: KeyError: 'oops'"
        assert isinstance(info.value.__cause__, KeyError)
        none = tmp_path / "none.faulty"
        none.write_text("a\tcat\n")
        with pytest.raises(UnknownFormatError, match="^format 'faulty' failed in its read: it returned None, not a"):
            labelkit.load(none)
        argv = ["convert", str(IMAGES), str(tmp_path / "out.faulty"), "--to", "faulty", "--allow-loss"]
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 2
        assert result.stderr == (
            "labelkit: error: format 'faulty' failed in its write: TypeError: write() got an unexpected keyword; "
            "hint: check the plug-in (entry point labelkit.formats: faulty = faulty_format)\n"
        )
        assert not (tmp_path / "out.faulty").exists()


def test_entry_points_are_read_as_importlib_reads_them(tiny: Path, tmp_path: Path) -> None:
    """``mod : attr`` and ``mod [extra]`` load with ``EntryPoint.load``; they were split on ``:`` as written,
    ``No module named 'tiny_format '``. A module that does not exist is said to be one, not a missing package."""
    install_plugin(
        tiny,
        "[labelkit.formats]\nspaced = tiny_format : NAME_SPACE\nextra = tiny_format [fast]\n"
        "typo = tiny_fromat\nnone = :x\ncolon = tiny_format:\n",
        dist="styles",
    )
    import tiny_format

    tiny_format.NAME_SPACE = tiny_format  # type: ignore[attr-defined]  # (an object inside the module: itself)
    try:
        assert formats.get("spaced").DESCRIPTION == tiny_format.DESCRIPTION
        assert formats.get("extra").DESCRIPTION == tiny_format.DESCRIPTION
        assert formats.get("colon").DESCRIPTION == tiny_format.DESCRIPTION  # (loaded before: importlib refuses it)
    finally:
        del tiny_format.NAME_SPACE  # type: ignore[attr-defined]
    with pytest.raises(MissingDependencyError) as info:
        formats.get("typo")
    assert info.value.hint == (
        "the plug-in (entry point labelkit.formats: typo = tiny_fromat) names a module that cannot be found"
    )
    with pytest.raises(UnknownFormatError, match="its entry point names no module"):
        formats.get("none")


def test_two_plugins_of_one_name_are_no_format_and_a_built_in_name_taken_is_said(tiny: Path) -> None:
    """Two packages registering ``tiny`` gave whichever was found last, and ``coco = ...`` was passed over, both
    unsaid."""
    install_plugin(tiny, "[labelkit.formats]\ntiny = other_tiny_format\ncoco = tiny_format\n", dist="rival")
    with pytest.raises(UnknownFormatError) as info:
        formats.get("tiny")
    assert info.value.message == "format 'tiny' is registered by 2 plug-ins"
    assert sorted((info.value.found or "").split(", ")) == ["tiny = other_tiny_format", "tiny = tiny_format"]
    assert getattr(formats.get("coco"), "__name__", None) == "labelkit.formats.coco"  # (the built-in, as before)
    listing = CliRunner().invoke(cli, ["formats"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert lines[-1] == (
        "passed over: entry point labelkit.formats: coco = tiny_format: a plug-in cannot take a built-in format's name"
    )
    assert next(x for x in lines if x.startswith("tiny")).split(None, 1)[1].startswith("cannot be loaded")


def test_a_plugin_failure_labelkit_tells_otherwise_is_told_as_before(tiny: Path, tmp_path: Path) -> None:
    """Named as the plug-in's, a read of a file that is not UTF-8 (an InputError at its line, a finding of
    ``validate``) and a write of a name holding NUL (an OutputError) became ``failed in its read``: the plug-in's
    failures are told outside labelkit's own guards."""
    bad = tmp_path / "bad.tiny"
    bad.write_bytes(b"a\tcat\n\xff\tdog\n")
    with pytest.raises(InputError, match="not UTF-8"):
        labelkit.load(bad)
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1, result.output
    body = (
        "from labelkit.formats.base import Detection\n"
        "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n"
        "def detect(path):\n    raise Odd()\n"
        "def read(path, **options):\n    raise Odd()\n"
    )
    with _module_plugin(tiny, tmp_path, "odd", _TINY_HEAD + body):
        assert formats.detect(IMAGES).format == "labelkit"  # (its message failing made every input an internal error)
        with pytest.raises(UnknownFormatError) as info:
            labelkit.load(IMAGES, format="odd")
        assert info.value.message == "format 'odd' failed in its read: Odd (its message could not be shown)"


def test_only_what_a_plugin_raised_is_told_as_its_failure(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check raising RecursionError is told as labelkit tells it (its check ran inside the guard of the write);
    labelkit's own failure around a plug-in's read is not blamed on the plug-in; one module two entry points name
    is named by both, and one naming a built-in's module is the built-in (its errors were blamed on the entry point);
    a plug-in that only reads needs no OUTPUT."""
    body = "def check(dataset, report, **options):\n    raise RecursionError('deep')\n"
    with _module_plugin(tiny, tmp_path, "deep", _TINY_HEAD + body):
        result = CliRunner().invoke(cli, ["convert", str(IMAGES), str(tmp_path / "o.tiny"), "--to", "deep"])
        assert result.exit_code == 2
        assert result.stderr.endswith("cannot write: a path or value is nested too deeply\n"), result.stderr
    src = tmp_path / "a.tiny"
    src.write_text("a\tcat\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("labelkit's own")

    with monkeypatch.context() as patch:
        patch.setattr(labelkit.Dataset, "stats", broken)
        with pytest.raises(KeyError):  # (not "format 'tiny' failed in its read")
            labelkit.stats(src, format="tiny")
    install_plugin(tiny, "[labelkit.formats]\ntwin = tiny_format\nmylk = labelkit.formats.native\n", dist="aliases")
    formats.get("twin")
    body = "def read(path, **options):\n    raise KeyError('oops')\n"
    with _module_plugin(tiny, tmp_path, "solo", _TINY_HEAD.replace(", write", "") + body + "OUTPUT = None\n"):
        assert not formats.can_write(formats.get("solo"))
        with pytest.raises(UnknownFormatError, match="^format 'solo' failed in its read: KeyError: 'oops'; "):
            labelkit.load(src, format="solo")
    with monkeypatch.context() as patch:
        patch.setattr("tiny_format.read", lambda path, **options: {}["x"])
        with pytest.raises(UnknownFormatError, match=r"^format 'tiny' \(also 'twin'\) failed in its read: KeyError"):
            labelkit.load(src, format="tiny")
    assert formats.get("mylk") is formats.get("labelkit")
    with monkeypatch.context() as patch:
        patch.setattr("labelkit.formats.native.read", lambda path, **options: {}["x"])
        with pytest.raises(KeyError):  # (a built-in's failure is labelkit's, whichever name loaded its module)
            labelkit.load(IMAGES, format="labelkit")


def test_a_plugin_validate_that_fails_as_it_yields_is_named(tiny: Path, tmp_path: Path) -> None:
    """A generator ``validate`` raising partway was listed outside the call: an internal error naming no plug-in."""
    body = (
        "from labelkit.report import Finding\n"
        "def validate(path, **options):\n    yield Finding(str(path), ':1', 'first')\n    raise KeyError('oops')\n"
    )
    with _module_plugin(tiny, tmp_path, "lazy", _TINY_HEAD + body):
        src = tmp_path / "a.tiny"
        src.write_text("a\tcat\n")
        result = CliRunner().invoke(cli, ["validate", str(src), "--format", "lazy"])
        assert result.exit_code == 2
        assert result.stderr.startswith("labelkit: error: format 'lazy' failed in its validate: KeyError: 'oops'; ")


def test_a_plugin_validate_giving_something_other_than_findings_is_named(tiny: Path, tmp_path: Path) -> None:
    """A ``validate`` listing strings (not :class:`Finding`s) failed later, when they were shown: an internal
    error naming no plug-in."""
    body = "def validate(path, **options):\n    return ['a.tiny:1: bad']\n"
    with _module_plugin(tiny, tmp_path, "texts", _TINY_HEAD + body):
        src = tmp_path / "a.tiny"
        src.write_text("a\tcat\n")
        result = CliRunner().invoke(cli, ["validate", str(src), "--format", "texts"])
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "labelkit: error: format 'texts' failed in its validate: it gave str, not a labelkit Finding; "
        ), result.stderr
        with pytest.raises(UnknownFormatError, match="failed in its validate: it gave str"):
            labelkit.validate(src, format="texts")
