"""The README's examples, run as written: its commands and Python blocks, and the output it shows for them.

Each example is taken from README.md itself (by the section it is in), so an example edited there is the one
tested. They run in a fresh folder holding a link to the bundled fixtures, as a user's checkout would.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from pathlib import Path

import click
import orjson
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, ROOT

from labelkit.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
IMAGES = FIXTURES / "native" / "images.labelkit.json"


def blocks(section: str) -> list[str]:
    """The fenced code blocks of the README section headed ``section`` (up to the next heading)."""
    start = re.search(rf"^#+ {re.escape(section)}\n", README, re.M)
    assert start, f"no section {section!r} in README.md"
    end = re.compile(r"^#+ ", re.M).search(README, start.end())
    text = README[start.end() : end.start() if end else len(README)]
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def commands(block: str) -> list[list[str]]:
    """The ``labelkit`` commands of a shell block (one a line, or joined by ``&&``), comments dropped."""
    found = []
    for line in block.splitlines():
        for part in line.removeprefix("$ ").split("&&"):
            words = shlex.split(part, comments=True)
            if words[:1] == ["labelkit"]:
                found.append(words[1:])
    return found


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="labelkit")


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder whose ``fixtures`` is the project's."""
    try:
        (tmp_path / "fixtures").symlink_to(FIXTURES, target_is_directory=True)
    except OSError:  # (no symbolic links here, as on Windows without the right)
        shutil.copytree(FIXTURES, tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_try_it(checkout: Path) -> None:
    (block, _) = blocks("Try it")
    done = [run(*args) for args in commands(block)]
    assert [r.exit_code for r in done] == [0, 0], [r.output for r in done]
    assert done[1].stdout.splitlines()[:5] == [
        "out.parquet (parquet)",
        "items: 3  image: 3",
        "splits: train 2, val 1",
        "categories: 4",
        "annotations: label 1, object 9",
    ]


def test_command_line_block_runs_top_to_bottom(checkout: Path) -> None:
    block = blocks("Command line")[0]
    for args in commands(block):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    report = orjson.loads((checkout / "report.json").read_bytes())
    assert report["written"] == {"items": 3, "label annotations": 1, "object annotations": 9}
    assert (checkout / "out.json").read_bytes().startswith(b'{\n  "format": "labelkit"')  # indent=true
    assert (
        run("validate", "fixtures/native/images.labelkit.json").stdout == "fixtures/native/images.labelkit.json: ok\n"
    )
    assert run("validate", "--json", "fixtures/native/images.labelkit.json").stdout == "[]\n"


def _shown(block: str) -> tuple[list[str], list[str]]:
    """The command a ``$ labelkit ...`` block runs, and the lines it shows (a ``...`` line stands for more)."""
    first, *shown = block.splitlines()
    return shlex.split(first.removeprefix("$ "))[1:], shown


def _matches(lines: list[str], shown: list[str]) -> bool:
    """Whether ``lines`` are the ``shown`` lines, where a ``...`` line stands for any number of lines."""
    pattern = "\n".join(".*?" if s == "..." else re.escape(s) for s in shown)
    return re.fullmatch(pattern, "\n".join(lines), re.S) is not None


@pytest.mark.parametrize("index", [0, 1])
def test_command_line_outputs_shown(checkout: Path, index: int) -> None:
    """The convert that succeeds and the one refused for loss print what the README shows, and exit as it says."""
    args, shown = _shown(blocks("Command line")[1 + index])
    result = run(*args)
    if index == 0:
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout.splitlines() == shown
    else:
        assert result.exit_code == 2 and result.stdout == ""
        assert _matches(result.stderr.splitlines(), shown), result.stderr
        assert not (checkout / "out").exists()


def test_errors_shown(checkout: Path) -> None:
    """Each error line shown under *Errors and exit codes*, from an input made to give it."""
    doc = orjson.loads(IMAGES.read_bytes())
    del doc["items"][2]["id"]
    Path("broken.labelkit.json").write_bytes(orjson.dumps(doc))
    Path("trunc.labelkit.json").write_bytes(b'{"format": "labelkit",\n"items": [')
    assert run("convert", str(IMAGES), "out.parquet", "--to", "parquet", "-q").exit_code == 0
    shutil.copytree("out.parquet", "ds.parquet")
    Path("ds.parquet/objects.parquet").write_bytes(b"not parquet")
    got = [
        run("info", "broken.labelkit.json"),
        run("info", "trunc.labelkit.json"),
        run("convert", str(IMAGES), "out.parquet", "--to", "parquet"),
        run("info", "ds.parquet"),
    ]
    shown = [line for line in blocks("Errors and exit codes")[0].splitlines() if line]
    assert [r.exit_code for r in got] == [2, 2, 2, 2]
    for result, line in zip(got, shown, strict=True):  # ("...": what Arrow says, which its version words)
        assert (
            result.stderr.startswith(line.removesuffix("...")) if line.endswith("...") else result.stderr == line + "\n"
        )


def test_validate_shown(checkout: Path) -> None:
    args, shown = _shown(blocks("Errors and exit codes")[1])
    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][1]["category_id"] = 99
    Path("broken.labelkit.json").write_bytes(orjson.dumps(doc))
    result = run(*args)
    assert shown == [result.stdout.rstrip("\n"), "$ echo $?", str(result.exit_code)]


def _exec(code: str, names: dict[str, object] | None = None) -> tuple[str, dict[str, object]]:
    """Run a README Python block; what it printed, and its names."""
    scope: dict[str, object] = dict(names or {})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), scope)
    return out.getvalue(), scope


def test_python_api_blocks(checkout: Path) -> None:
    """The first block, with its placeholder inputs made from the fixtures; the second, with tables."""
    import pyarrow as pa

    from labelkit.model import Category

    shutil.copyfile(IMAGES, "in.labelkit.json")
    shutil.copyfile(FIXTURES / "coco/annotations/instances_val.json", "instances_train2017.json")
    shutil.copytree(FIXTURES / "voc/golden/default", "voc_folder")
    first, second = blocks("Python API")
    printed, scope = _exec(first)
    lines = printed.splitlines()
    assert lines[0] == "{'label': 1, 'object': 9}"  # as the block's comment says
    assert lines[1:5] == [
        "1 (4.5, 6.25, 20.0, 10.0) 0.0",
        "4 (1.0, 1.0, 40.0, 9.0) 0.0",
        "5 (30.0, 10.0, 15.0, 10.0) 0.0",
        "6 (5.0, 30.0, 7.0, 10.0) 0.0",
    ]
    assert scope["objects"].num_rows == 9  # type: ignore[attr-defined]
    assert Path("out.parquet/objects.parquet").is_file() and Path("out/annotations/instances_train.json").is_file()
    tables = {
        "items_table": pa.table({"id": ["a"]}),
        "objects_table": pa.table({"id": ["1"], "item_id": ["a"], "category_id": [1]}),
        "categories": [Category(id=1, name="cat")],
    }
    _, scope = _exec(second, tables)
    assert scope["ds"].to_dict()["annotations"] == [  # type: ignore[attr-defined]
        {"id": "1", "item_id": "a", "category_id": 1, "kind": "object"}
    ]


def test_a_usage_error_is_shown_as_the_readme_says() -> None:
    """*Errors and exit codes*: click's usage line and --help hint, then its ``Error:`` line; exit 2."""
    result = run("convert", str(IMAGES), "o.json")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Usage: labelkit convert [OPTIONS] INPUT OUTPUT",
        "Try 'labelkit convert --help' for help.",
        "",
        "Error: Missing option '--to'.",
    ]
    assert "then `Error: Missing option '--to'.`" in " ".join(README.split())


def test_coco_options_table_is_the_format_s_options() -> None:
    """*COCO: Options*: each row's name, side and default are those ``labelkit formats coco`` lists."""
    from labelkit import formats

    (section,) = re.findall(r"^### Options \(`-o KEY=VALUE`\)\n(.*?)^### ", README, re.M | re.S)
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| `([^`]*)` \|", section, re.M)
    options = formats.get("coco").OPTIONS
    assert [(name, side, default) for name, side, default in rows] == [
        (o.name, o.applies, str(o.default).lower()) for o in options.values()
    ]


def test_voc_options_sentence_is_the_format_s_options() -> None:
    """*Pascal VOC*: ``Options: masks=auto|all|none (...), media=none|copy|link ... (default none ...),
    media_root (...), split (default train)``, then the read option ``links=inside|follow (...)``, as
    ``labelkit formats voc`` lists them."""
    from labelkit import formats

    (sentence,) = re.findall(r"^Options: (.*?)\n\n", _section("Pascal VOC"), re.M | re.S)
    text = " ".join(sentence.split())
    options = formats.get("voc").OPTIONS
    for o in options.values():
        if o.choices:
            assert f"`{o.name}={'|'.join(o.choices)}`" in text, o.name
        else:
            assert f"`{o.name}`" in text, o.name
        assert o.applies == ("read" if o.name == "links" else "write")
    assert options["masks"].default == "auto" and options["media"].default == "none"
    assert "(default `none`" in text and "`split` (default `train`)" in text and options["split"].default == "train"
    assert re.findall(r"`(\w+)(?:=[\w|]+)?`(?= \(| into)", text) == list(options)


def _section(heading: str, after: str = "") -> str:
    """The text of the README section headed ``heading`` (up to the next heading), the first after ``after``."""
    start = re.search(rf"^#+ {re.escape(heading)}\n", README[README.index(after) :], re.M)
    assert start, f"no section {heading!r} in README.md"
    begin = README.index(after) + start.end()
    end = re.compile(r"^#+ ", re.M).search(README, begin)
    return README[begin : end.start() if end else len(README)]


def test_yolo_options_are_the_format_s_options() -> None:
    """*YOLO: Writing*: the table's rows are the write options (``task`` reads too), with their defaults; the
    read options are given as ``-o NAME=...`` in *YOLO*, with their choices where they have some."""
    from labelkit import formats

    options = formats.get("yolo").OPTIONS
    rows = re.findall(r"^\| `(\w+)` \|\s*(?:`([^`]*)`)?\s*\|", _section("Writing", after="## YOLO"), re.M)
    assert rows == [(o.name, str(o.default)) for o in options.values() if o.applies in ("write", "both")]
    for name in ("task", "layout", "media", "kpt_dims"):
        assert all(f"`{choice}`" in _section("Writing", after="## YOLO") for choice in options[name].choices)
    text = README[README.index("## YOLO (Ultralytics and Darknet)") : README.index("## Pascal VOC")]
    read = [o for o in options.values() if o.applies == "read"]
    assert [o.name for o in read] == ["image_size", "image_sizes", "links"]
    assert all(f"`-o {o.name}=" in text for o in read)
    assert "`-o links=follow`" in text and options["links"].choices == ("inside", "follow")


def test_native_options_are_the_formats_options() -> None:
    """*The native formats*: its ``Options:`` sentence names each option of labelkit JSON and Parquet, with its
    choices and default, and the side it applies to."""
    from labelkit import formats

    (sentence,) = re.findall(r"^Options: (.*?)\n\n", _section("The native formats"), re.M | re.S)
    text = " ".join(sentence.split())
    found = []
    for fmt, title in (("labelkit", "labelkit JSON"), ("parquet", "Parquet")):
        for o in formats.get(fmt).OPTIONS.values():
            value = "|".join(o.choices) if o.choices else str(not o.default).lower()
            side = {"write": "writing", "read": "reading"}.get(o.applies, "`validate`")
            assert f"`{o.name}={value}` ({title}, {side}; default `{str(o.default).lower()}`" in text, o.name
            found.append(o.name)
    assert found == re.findall(r"`(\w+)=", text)


def test_every_command_line_flag_is_documented() -> None:
    """Each flag of ``labelkit`` itself and of each of its commands appears in README.md (as ``--flag``)."""
    from labelkit.cli import cli

    missing = []
    assert sorted(cli.commands) == ["convert", "formats", "info", "split", "validate"]
    for name, command in [("labelkit", cli), *cli.commands.items()]:
        for param in [*command.params, command.get_help_option(click.Context(command))]:
            for flag in getattr(param, "opts", []):
                if flag.startswith("--") and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", README):
                    missing.append(f"{name} {flag}")
    assert missing == []


def test_python_api_comments_show_what_the_calls_return(checkout: Path) -> None:
    """*Python API*: the ``detect`` and ``validate`` results look as the block's comments show them."""
    import labelkit
    from labelkit.report import Finding

    (first, _) = blocks("Python API")
    shown = {m[0]: m[1] for m in re.findall(r"^(labelkit\.\w+)\(.*?# (.*)$", first, re.M)}
    labelkit.save(labelkit.load(IMAGES), "out.parquet", "parquet")
    got = repr(labelkit.detect("out.parquet"))
    prefix, suffix = shown["labelkit.detect"].split("reason=...")
    assert got.startswith(prefix + "reason=") and got.endswith(suffix)
    fields = re.fullmatch(r"\[\] or \[Finding\((.*)\)\]", shown["labelkit.validate"])
    assert fields and fields[1].split(", ") == list(Finding.__dataclass_fields__)


def test_split_recipes_run_as_written(checkout: Path) -> None:
    """*Splitting: Recipes*: each command and Python block runs, on a COCO folder whose images have a
    ``video_id`` and on a YOLO folder (``data/coco``, ``data/yolo``; ``data/v1`` and ``data/v2``, the grown
    one with a fourth image), each into a fresh output. ``data/coco`` has 4 more images, of 4 more videos, as
    5 folds need 5 groups."""
    import labelkit

    (section,) = re.findall(r"^### Recipes\n(.*?)^### ", README, re.M | re.S)
    shell = re.findall(r"^```bash\n(.*?)^```", section, re.M | re.S)
    python = re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)
    doc = orjson.loads((FIXTURES / "coco/annotations/instances_val.json").read_bytes())
    for k, image in enumerate(doc["images"]):
        image["video_id"] = f"v{k % 2}"
    Path("data/v1/annotations").mkdir(parents=True)
    Path("data/v1/annotations/instances_val.json").write_bytes(orjson.dumps(doc))
    more = [{**doc["images"][0], "id": 40 + k, "file_name": f"img/more{k}.jpg", "video_id": f"w{k}"} for k in range(4)]
    Path("data/coco/annotations").mkdir(parents=True)
    Path("data/coco/annotations/instances_val.json").write_bytes(orjson.dumps({**doc, "images": doc["images"] + more}))
    shutil.copytree(FIXTURES / "yolo/golden/detect", "data/yolo")
    doc["images"].append({**doc["images"][0], "id": 99, "file_name": "img/new.jpg"})
    Path("data/v2/annotations").mkdir(parents=True)
    Path("data/v2/annotations/instances_val.json").write_bytes(orjson.dumps(doc))
    ran = []
    for args in [args for block in shell for args in commands(block)]:
        shutil.rmtree(args[2], ignore_errors=True)
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        ran.append(args[1])
    assert ran == ["data/coco", "data/coco", "data/yolo", "data/v1", "data/v2", "data/coco"]
    lock = orjson.loads(Path("splits.lock.json").read_bytes())
    assert sorted(lock["assignments"]) == ["img/empty.jpg", "img/new.jpg", "img/seven.jpg", "img/twelve.jpg"]
    shutil.rmtree("out")
    printed, scope = _exec(python[0])
    assert printed.startswith("split  ratio  target  items") and Path("out/annotations").is_dir()
    _, scope = _exec(python[1], {"labelkit": scope["labelkit"]})  # (the recipe's import is the first block's)
    assert isinstance(scope["val"], labelkit.Dataset) and set(scope["val"].splits()) == {"fold-0"}  # type: ignore[attr-defined]


def test_an_output_whose_parent_folder_does_not_exist_is_refused_as_the_readme_says(checkout: Path) -> None:
    """*Command line*: OUTPUT's parent folder must exist (a mistyped path is not created)."""
    assert "its parent folder must exist: `the output's parent folder does not exist`" in " ".join(README.split())
    for args in (["convert", str(IMAGES), "nope/x.json", "--to", "labelkit"], ["split", str(IMAGES), "nope/x"]):
        result = run(*args, *(["--ratios", "train=1"] if args[0] == "split" else []))
        assert (result.exit_code, result.stderr) == (
            2,
            "labelkit: error: nope: the output's parent folder does not exist\n",
        )
    assert not Path("nope").exists()


def test_yolo_precision_takes_the_decimals_the_readme_gives(tmp_path: Path) -> None:
    """*YOLO: Writing*: ``precision`` is ``exact`` or a number of decimals, 0 to 17."""
    import labelkit
    from labelkit.errors import UsageError

    text = " ".join(_section("Writing", after="## YOLO").split())
    assert "a number (0 to 17; at least 1 for detect and pose," in text
    ds = labelkit.load(FIXTURES / "yolo/golden/detect")
    for decimals in ("1", "17", "exact"):
        labelkit.save(ds, tmp_path / decimals, "yolo", allow_loss=True, precision=decimals)
    labelkit.save(ds, tmp_path / "0", "yolo", allow_loss=True, precision="0", task="segment")
    with pytest.raises(UsageError, match="YOLO detect cannot round boxes to 0 decimals"):
        labelkit.save(ds, tmp_path / "0d", "yolo", allow_loss=True, precision="0")
    with pytest.raises(UsageError, match="bad precision"):
        labelkit.save(ds, tmp_path / "18", "yolo", precision="18")


def _declared(extra: str = "") -> list[str]:
    """The distributions pyproject.toml declares: its dependencies, or those of one optional extra."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    head = rf"^{extra} = \[" if extra else r"^dependencies = \["
    (block,) = re.findall(rf"{head}\n(.*?)^\]", text, re.M | re.S)
    return re.findall(r'^\s*"([A-Za-z0-9_.-]+)', block, re.M)


def _imported(folder: Path) -> set[str]:
    """The top-level third-party modules the Python files under ``folder`` import."""
    import ast
    import sys

    found = set()
    for file in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"labelkit", "__future__"}


def test_dependencies_are_what_labelkit_imports_and_what_the_readme_justifies() -> None:
    """*Why these dependencies*: its table names pyproject.toml's dependencies, each of which labelkit imports,
    and every third-party module labelkit imports belongs to one of them (none only arriving with another)."""
    from importlib.metadata import packages_distributions

    def key(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {key(name) for name in _declared()}
    (section,) = re.findall(r"^## Why these dependencies\n(.*?)^## ", README, re.M | re.S)
    assert {key(name) for name in re.findall(r"^\| (?!package\b|-)([\w.-]+) \|", section, re.M)} == declared
    modules = packages_distributions()
    by_module = {module: {key(d) for d in modules.get(module, [module])} for module in _imported(ROOT / "labelkit")}
    assert {module: dists for module, dists in by_module.items() if not dists & declared} == {}
    assert declared - set().union(*by_module.values()) == set()


def test_split_report_and_lockfile_shown(checkout: Path) -> None:
    """*Splitting: The report*: the split shown prints the table shown; *The lockfile*: it writes the lockfile
    shown (its first two assignments, then its other keys)."""
    (block,) = blocks("The report")
    args, shown = _shown(block)
    result = run(*args)
    assert result.exit_code == 0 and result.stderr == ""
    assert _matches(result.stdout.splitlines(), shown), result.stdout
    (example,) = blocks("The lockfile")
    lock = orjson.loads(Path("splits.lock.json").read_bytes())
    shown_lock = orjson.loads(example.replace(", ...}", "}"))
    assert list(lock) == list(shown_lock) and Path("splits.lock.json").read_text().startswith("{\n  ")
    assert dict(list(lock.pop("assignments").items())[:2]) == shown_lock.pop("assignments")
    assert lock == shown_lock


def test_every_error_class_is_named_in_the_python_api_section() -> None:
    """*Python API*: "Errors are classes with fields: ..." names every error class of ``labelkit.errors``."""
    import labelkit.errors

    (paragraph,) = re.findall(r"^Errors are classes with fields: (.*?)\n\n", _section("Python API"), re.M | re.S)
    classes = [name for name in vars(labelkit.errors) if name.endswith("Error")]
    assert [name for name in classes if f"{name}`" not in paragraph] == []


def test_formats_table_angles_holes_and_polygons_are_lost_or_transformed_as_it_says() -> None:
    """*Formats*: COCO writes angles and holes transformed, not refused; VOC loses angles, and polygons unless
    ``-o masks=all``, which paints them (transformed)."""
    import labelkit

    (table,) = re.findall(r"^## Formats\n(.*?)^## ", README, re.M | re.S)
    rows = {row.split(" | ")[0].lstrip("| "): row for row in table.splitlines() if row.startswith("| ")}
    assert "holes (the polygon becomes RLE): both reported as transformed, not refused;" in rows["COCO"]
    assert rows["Pascal VOC"].split(" | ")[-1].startswith("angles, polygons (unless `-o masks=all`")
    ds = labelkit.load(IMAGES)

    def whats(report: labelkit.Report) -> tuple[set[str], set[str]]:
        return {c.what for c in report.lost}, {c.what for c in report.transformed}

    lost, transformed = whats(labelkit.plan(ds, "coco"))
    assert {"rotated boxes", "polygons with holes"} <= transformed and not {"rotated boxes", "polygons"} & lost
    lost, transformed = whats(labelkit.plan(ds, "voc"))
    assert {"rotated boxes", "polygons"} <= lost
    lost, transformed = whats(labelkit.plan(ds, "voc", masks="all"))
    assert "rotated boxes" in lost and "polygons" not in lost and "polygons" in transformed


def test_formats_table_drawn_shapes_unnumbered_ids_and_user_extras_are_as_it_says(tmp_path: Path) -> None:
    """*Formats*: COCO writes polylines, point sets, cuboids and ellipses without their drawn shape and numbers
    an annotation id without a number (both transformed, not refused; the id went unsaid); every row loses
    extras without a format's prefix (the table named none)."""
    import labelkit
    from labelkit.model import Category, Dataset, Item, Media, Object

    (table,) = re.findall(r"^## Formats\n(.*?)^## ", README, re.M | re.S)
    rows = {row.split(" | ")[0].lstrip("| "): row for row in table.splitlines() if row.startswith("| ")}
    assert "so are the drawn shapes of polylines, point sets, cuboids and ellipses" in rows["COCO"]
    assert "and annotation ids without a number (`obj-1` reads back as the number it gets)" in rows["COCO"]
    for row in ("COCO", "YOLO", "Pascal VOC"):
        assert "extras without a format's prefix" in rows[row].split(" | ")[-1]
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=40, height=40)))
    ring = [[10.0, 10.0, 20.0, 10.0, 20.0, 20.0, 10.0, 20.0]]
    for k, shape in enumerate(("polyline", "points", "cuboid")):
        ds.add(Object(id=str(k + 1), item_id="1", category_id=1, polygon=ring, shape=shape))
    ds.add(Object(id="obj-1", item_id="1", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0), shape="ellipse"))
    report = labelkit.save(ds, tmp_path / "coco", "coco")
    assert report.lost == []
    assert {(c.what, c.count) for c in report.transformed} >= {
        ("polyline objects", 1),
        ("points objects", 1),
        ("cuboid objects", 1),
        ("ellipse objects", 1),
        ("annotation ids", 1),
    }
    ds.add(Object(id="9", item_id="1", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0), extras={"foo": 1}))
    for target in ("coco", "yolo", "voc"):
        assert "object annotations with the extra 'foo'" in {c.what for c in labelkit.plan(ds, target).lost}, target


def test_pyarrow_and_python_lower_bounds_are_ones_labelkit_parquet_works_with() -> None:
    """pyarrow before 26 (14.0.2, 18.1, 21, 22, 24 and 25.0.1 tried) cannot read a Parquet fixed-size list column
    holding a null (``Expected all lists to be of size=4 but index 8 had size=0``), which every labelkit Parquet
    objects table with an object without a box has: ``labelkit info out.parquet`` of *Try it* failed there. pyarrow
    26 needs Python 3.11, so the README's and pyproject.toml's Python is 3.11 or newer too."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.findall(r'^\s*"(pyarrow\W.*)",$', text, re.M) == ["pyarrow>=26"]
    assert 'requires-python = ">=3.11"' in text
    assert "On a fresh machine with Python 3.11 or newer" in README


def test_ci_runs_the_readme_s_test_command_in_a_fresh_environment_then_the_linters() -> None:
    """*Try it*: CI (``.ci/run``) runs exactly the README's test command in a fresh virtual environment (made again
    each run: ``--clear``), with ``CI`` set, then ``ruff check labelkit tests bench`` and ``mypy labelkit``."""
    (_, test_block) = blocks("Try it")
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_block.strip() in script
    assert any(line.startswith("python3 -m venv --clear ") for line in script)
    assert any(line.startswith("export CI=") for line in script)
    rest = script[script.index(test_block.strip()) + 1 :]
    assert rest == ["ruff check labelkit tests bench", "mypy labelkit"]
    assert "then `ruff check labelkit tests bench`\nand `mypy labelkit` (strict)" in README


def test_the_tests_import_only_declared_packages() -> None:
    """*Why these dependencies*: "Test extra: pytest, hypothesis (property tests), ruff, mypy and typing stubs";
    what the tests import is labelkit's dependencies and that extra (``pip install -e '.[test]'`` is enough)."""
    from importlib.metadata import packages_distributions

    def key(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    extra = [key(name) for name in _declared("test")]
    assert [n for n in extra if not n.startswith("types-")] == ["pytest", "hypothesis", "ruff", "mypy"]
    assert "Test extra: pytest, hypothesis (property tests), ruff, mypy and typing stubs." in " ".join(README.split())
    local = {file.stem for file in (ROOT / "tests").rglob("*.py")}
    modules = packages_distributions()
    declared = {key(name) for name in _declared()} | set(extra)
    imported = _imported(ROOT / "tests") - local
    assert {m for m in imported if not {key(d) for d in modules.get(m, [m])} & declared} == set()


def test_target_sizes_example_is_what_a_split_gives() -> None:
    """*How it works*, step 2: 64 items at 80/10/10 get targets 51, and 7 and 6, the tie to ``test``."""
    import labelkit
    from labelkit.model import Dataset, Item, Media

    assert "(a tie in remainders goes to the split whose name sorts first: `test` 7, `val` 6;" in " ".join(
        README.split()
    )
    ds = Dataset()
    for i in range(64):
        ds.add_item(Item(id=f"i{i}", media=Media(path=f"i{i}.jpg", width=10, height=10)))
    for ratios in ({"train": 0.8, "val": 0.1, "test": 0.1}, {"val": 0.1, "test": 0.1, "train": 0.8}):
        _, report = labelkit.split(ds, ratios)
        got = {s["name"]: (s["target"], s["items"]) for s in report.to_dict()["splits"]}
        assert got == {"train": (51, 51), "val": (6, 6), "test": (7, 7)}
    assert "so 8 items at 70/20/10 leave 0.6 to `train` and `val` alike, and `train` 6, `val` 1, `test` 1;" in " ".join(
        README.split()
    )
    _, report = labelkit.split(Dataset(items=list(ds.items())[:8]), {"train": 0.7, "val": 0.2, "test": 0.1})
    assert {s["name"]: s["target"] for s in report.to_dict()["splits"]} == {"train": 6, "val": 1, "test": 1}


def test_tested_minimums_are_pyproject_s_lower_bounds() -> None:
    """*Tested minimums*: its command pins each of pyproject.toml's dependencies at its lower bound, and no other
    package but the test tools, on requires-python's Python, then runs the tests with labelkit's own checkout."""
    (block,) = blocks("Tested minimums")
    pins = dict(re.findall(r"\b([\w.-]+)==([\w.]+)", block))
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (dependencies,) = re.findall(r"^dependencies = \[\n(.*?)^\]", text, re.M | re.S)
    bounds = dict(re.findall(r'^\s*"([\w.-]+)>=([\w.]+)",$', dependencies, re.M))
    assert list(bounds) == _declared() and list(pins) == list(bounds)
    assert {name: pin for name, pin in pins.items() if not f"{pin}.".startswith(f"{bounds[name]}.")} == {}
    assert block.startswith("python3.11 -m venv ") and 'requires-python = ">=3.11"' in text
    assert block.rstrip().endswith("pip install --no-deps -e . && CI=true python -m pytest -q")


def test_stratify_none_beyond_the_exact_search_example_is_what_a_split_gives() -> None:
    """*How it works*, step 9 said ``--stratify none`` hits the targets whenever the groups allow it: beyond the
    exact search the subset sums and local search may not (here 2,400 = 1,400 + 1,000, 3,800 = 2,600 + 600 + 600
    and 4,200 = 2,600 + 1,000 + 200 + 400 are all within reach)."""
    import labelkit
    from labelkit.model import Dataset, Item, Media

    text = " ".join(_section("How it works").split())
    example = r"beyond that it may not: 9 groups of ([\d, and]+) items at `train=(\d+),val=(\d+),test=(\d+)`"
    step = re.search(example, text)
    assert step, "README step 9 gives no example of sizes missed beyond the exact search"
    sizes = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\d|\d", step.group(1))]
    ratios = {name: int(step.group(k)) / 52 for k, name in enumerate(("train", "val", "test"), 2)}
    got = re.search(r"get ([\d,]+), ([\d,]+) and ([\d,]+) items, where the groups make the targets ([\d,]+), ", text)
    assert got and sizes == [2600, 1400, 1000, 200, 1000, 2600, 600, 400, 600]
    ds = Dataset()
    for g, n in enumerate(sizes):
        for m in range(n):
            ds.add_item(Item(id=f"g{g}i{m}", media=Media(path=f"g{g}i{m}.jpg", width=1, height=1), group=f"g{g}"))
    _, report = labelkit.split(ds, ratios, stratify="none")
    said = [int(got.group(k).replace(",", "")) for k in (1, 2, 3)]
    assert [(s.name, s.items) for s in report.splits] == list(zip(("train", "val", "test"), said, strict=True))
    assert [s.target for s in report.splits] == [2400, 3800, 4200]


def test_option_defaults_said_in_sentences_are_the_format_s() -> None:
    """*Pascal VOC*'s ``Options:`` sentence gives ``masks``' default (it gave none), and the native one says what
    ``indent``'s default writes (it read as if the default wrote indented JSON)."""
    from labelkit import formats

    (voc,) = re.findall(r"^Options: (.*?)\n\n", _section("Pascal VOC"), re.M | re.S)
    assert f"`masks=auto|all|none` (default `{formats.get('voc').OPTIONS['masks'].default}`:" in " ".join(voc.split())
    (native,) = re.findall(r"^Options: (.*?)\n\n", _section("The native formats"), re.M | re.S)
    assert formats.get("labelkit").OPTIONS["indent"].default is False
    assert "default `false`: compact JSON; `true` writes it indented" in " ".join(native.split())


def test_yolo_tasks_lose_image_labels_and_pose_loses_angles_as_the_tables_say() -> None:
    """*Formats* and *YOLO: Writing*: detect, segment, OBB and pose lose image-level labels (neither table said so),
    and pose loses angles (its row did not say so; detect's does)."""
    import labelkit

    (table,) = re.findall(r"^## Formats\n(.*?)^## ", README, re.M | re.S)
    yolo_row = next(row for row in table.splitlines() if row.startswith("| YOLO |"))
    assert "image labels (but classify's one per image)" in yolo_row
    writing = _section("Writing", after="## YOLO")
    pose_row = next(row for row in writing.splitlines() if row.startswith("| pose |"))
    assert pose_row.split(" | ")[-1].startswith("angles (a rotated box is written as its axis-aligned bounds)")
    assert "`lost: 1 label annotations: YOLO detect cannot hold label\nannotations`" in writing
    ds = labelkit.load(IMAGES)
    for task in ("detect", "segment", "obb", "pose"):
        lost = {c.what: (c.count, c.reason) for c in labelkit.plan(ds, "yolo", task=task).lost}
        assert lost["label annotations"] == (1, f"YOLO {task} cannot hold label annotations"), task
    lost = {c.what: (c.count, c.reason) for c in labelkit.plan(ds, "yolo", task="pose").lost}
    assert lost["rotated boxes"] == (2, "YOLO pose cannot hold an angle")


def test_python_api_keywords_named_in_prose_are_the_functions() -> None:
    """*Python API*: ``from_format=``, ``progress=`` and ``on_written=`` (undocumented) are keywords of
    ``convert``, and the last two of ``save``."""
    import inspect

    import labelkit

    text = _section("Python API")
    for name in ("from_format", "progress", "on_written"):
        assert f"`{name}=" in text
    assert {"from_format", "progress", "on_written"} <= set(inspect.signature(labelkit.convert).parameters)
    assert {"progress", "on_written"} <= set(inspect.signature(labelkit.save).parameters)


def test_exit_code_table_names_the_internal_error_line() -> None:
    """*Errors and exit codes*: exit 2 also for an internal error, with the line the CLI prints for one."""
    import labelkit.cli

    row = next(line for line in _section("Errors and exit codes").splitlines() if line.startswith("| 2 |"))
    assert "`labelkit: internal error: TYPE: MESSAGE (rerun with --traceback)`" in row
    assert "labelkit: internal error: {type(exc).__name__}: {exc} (rerun with --traceback)" in Path(
        labelkit.cli.__file__
    ).read_text(encoding="utf-8")


def test_coco_semantic_checks_wait_for_files_that_fit_the_schema_as_the_readme_says(tmp_path: Path) -> None:
    """*COCO: Validation*: the semantic checks run when every file fits the schema; a repeated key counts (it did
    not say so: a negative box beside a repeated key is not reported until the repeat is gone)."""
    import labelkit

    text = " ".join(_section("Validation").split())
    assert "then, when every file fits it (no schema finding and no repeated key, below: those are then all" in text
    head = '{"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "categories": [{"id": 1, '
    path = tmp_path / "instances_val.json"
    negative = '"annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, -2, 3]}]}'
    path.write_text(head + '"name": "c", "name": "c"}], ' + negative)
    assert [f.where for f in labelkit.validate(path)] == ["#/categories/0/name"]
    path.write_text(head + '"name": "c"}], ' + negative)
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [
        ("#/annotations/0/bbox", "bbox has a negative width or height")
    ]


def test_validate_without_the_schema_stops_at_the_first_bad_record_but_lists_every_reference(
    tmp_path: Path,
) -> None:
    """*Errors and exit codes*: with ``-o schema=false`` the first bad record is the one finding, while references
    (unknown items, duplicate ids) are each a finding (it said the first bad record was the one finding always)."""
    import labelkit

    text = " ".join(_section("Errors and exit codes").split())
    assert (
        "the first bad record is the one finding; when every record is good, each unknown item or category "
        "reference and duplicate id is still a finding of its own" in text
    )
    doc = orjson.loads(IMAGES.read_bytes())
    doc["items"][0]["media"]["width"] = doc["items"][1]["media"]["width"] = "x"
    (tmp_path / "a.labelkit.json").write_bytes(orjson.dumps(doc))
    assert [f.where for f in labelkit.validate(tmp_path / "a.labelkit.json", schema=False)] == ["#/items/0/media/width"]
    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][2]["id"] = doc["annotations"][1]["id"]
    doc["annotations"][3]["item_id"] = "nope"
    doc["annotations"][4]["category_id"] = 77
    (tmp_path / "b.labelkit.json").write_bytes(orjson.dumps(doc))
    assert [(f.where, f.message) for f in labelkit.validate(tmp_path / "b.labelkit.json", schema=False)] == [
        ("#/annotations/2/id", "duplicate object id '1'"),
        ("#/annotations/3/item_id", "unknown item 'nope'"),
        ("#/annotations/4/category_id", "unknown category 77"),
    ]


def test_split_seed_row_says_how_a_seed_is_read() -> None:
    """*Splitting: Options*: ``--seed -5`` is the integer -5 (the row said ASCII digits only), ``-0`` and ``007``
    are texts, and the default is 0."""
    from labelkit.cli import _seed

    row = next(line for line in _section("Options", after="## Splitting").splitlines() if "`--seed S`" in line)
    assert "an optional `-`: `-5`; default `0`" in row and "`007` and `-0` included" in row
    assert (_seed("-5"), _seed("007"), _seed("-0"), _seed("12")) == (-5, "007", "-0", 12)
    command = cli.commands["split"]
    assert next(p.default for p in command.params if p.name == "seed") == "0"


def test_the_api_s_lock_path_is_written_by_split_itself_and_a_lockfile_object_never(checkout: Path) -> None:
    """*The lockfile*: ``labelkit.split(..., lock=PATH)`` writes the new assignment there itself (undocumented:
    the README described the CLI's write after the output only); a ``Lockfile`` given is never written."""
    import labelkit

    text = " ".join(_section("The lockfile").split())
    assert "reads the file when it exists and writes the new assignment to it itself, before anything is saved" in text
    ds = labelkit.load(FIXTURES / "split" / "golden.labelkit.json")
    _, report = labelkit.split(ds, {"train": 0.8, "val": 0.2}, lock="splits.lock.json")
    assert orjson.loads(Path("splits.lock.json").read_bytes()) == report.lockfile.to_dict()
    Path("splits.lock.json").unlink()
    _, second = labelkit.split(ds, {"train": 0.8, "val": 0.2}, lock=report.lockfile)
    assert second.locked == len(list(ds.items())) and sorted(Path().iterdir()) == [Path("fixtures")]


def test_formats_table_coco_holds_attributes_and_item_metadata() -> None:
    """*Formats*: COCO's "holds" gave neither, which ``labelkit formats coco`` lists and a plan keeps."""
    import labelkit
    from labelkit import formats

    (table,) = re.findall(r"^## Formats\n(.*?)^## ", README, re.M | re.S)
    coco = next(row for row in table.splitlines() if row.startswith("| COCO |")).split(" | ")[4]
    assert "attributes (an annotation's `attributes` object of scalars); item metadata (the image record's" in coco
    capabilities = formats.get("coco").CAPABILITIES
    assert capabilities.attributes and capabilities.item_metadata
    ds = labelkit.load(IMAGES)
    kept = {"object attribute sets", "items with metadata"}
    assert not kept & {c.what for c in labelkit.plan(ds, "coco").lost}
    assert kept <= {c.what for c in labelkit.plan(ds, "yolo").lost}  # (the fixture has both)


def test_error_fields_named_in_the_python_api_section_are_the_errors(tmp_path: Path) -> None:
    """*Python API*: an error's fields beyond ``.location.path/line/pointer`` (``element``, ``pixel``, ``expected``,
    ``found``, ``hint``) were undocumented; a VOC error gives its element."""
    import dataclasses

    import labelkit
    from labelkit.errors import Location

    (paragraph,) = re.findall(r"^Errors are classes with fields: (.*?)\n\n", _section("Python API"), re.M | re.S)
    text = " ".join(paragraph.split())
    assert [f.name for f in dataclasses.fields(Location)] == ["path", "line", "pointer", "element", "pixel"]
    for field in ("`.message`", "`.location`", "`.element`", "`.pixel`", "`.expected`", "`.found`", "`.hint`"):
        assert field in text, field
    (tmp_path / "Annotations").mkdir()
    xml = "<annotation><filename>a.jpg</filename><object><name>c</name><truncated>0.5</truncated></object></annotation>"
    (tmp_path / "Annotations/a.xml").write_text(xml)
    with pytest.raises(labelkit.InputError) as caught:
        labelkit.load(tmp_path, "voc")
    error = caught.value
    assert (error.location.element, error.location.line, error.location.pointer) == (
        "annotation/object[1]/truncated",
        None,
        None,
    )
    assert "`annotation/object[1]/truncated`" in text
    assert str(error) == f"{tmp_path / 'Annotations/a.xml'} <annotation/object[1]/truncated>: " + error.message + (
        f" (found {error.found})" if error.found else ""
    )


def test_skip_invalid_is_noted_by_every_conversion_as_the_coco_options_table_says(tmp_path: Path) -> None:
    """*COCO: Options*: the row said "COCO output reports it"; a conversion to any format does."""
    import labelkit

    (section,) = re.findall(r"^### Options \(`-o KEY=VALUE`\)\n(.*?)^### ", README, re.M | re.S)
    note = "1 invalid annotations were skipped when the input was read"
    assert f"a conversion's report, to any format, notes it (`note: {note}`)" in section
    doc = orjson.loads((FIXTURES / "coco/annotations/instances_val.json").read_bytes())
    doc["annotations"][0]["category_id"] = 999
    source = tmp_path / "instances_val.json"
    source.write_bytes(orjson.dumps(doc))
    for fmt in ("coco", "parquet", "labelkit", "voc", "yolo"):
        report = labelkit.convert(source, tmp_path / f"out-{fmt}", to=fmt, allow_loss=True, skip_invalid=True)
        assert note in report.notes, fmt
    assert note in labelkit.stats(source, skip_invalid=True).notes


def test_the_native_format_example_document_reads(tmp_path: Path) -> None:
    """Its token named an item ``doc1`` the example's items lacked: filled in, it was refused (unknown item)."""
    import labelkit

    block = next(b for b in blocks("The native formats") if b.startswith('{"format": "labelkit"'))
    text = block.replace('"keypoints": [...]', '"keypoints": ["a", "b"]').replace("[...]", "[]")
    text = text.replace("{...}", "{}").replace('"..."', '"example"')
    (tmp_path / "example.labelkit.json").write_text(text)
    ds = labelkit.load(tmp_path / "example.labelkit.json")
    assert (ds.item_ids(), ds.table("tokens").num_rows) == (["img1", "doc1"], 1)
    assert labelkit.validate(tmp_path / "example.labelkit.json") == []


@pytest.mark.parametrize(
    ("index", "field", "value", "message"),
    [
        (7, "keypoints", [1, 2], "Value error, keypoints are x, y, v triples"),
        (3, "polygon", [[2, 2, 22, 2, 22]], "Value error, polygon ring 0 has an odd number of coordinates; rings are"),
        (3, "polygon_holes", [False], "Value error, polygon_holes has 1 flags for 2 rings"),
        (1, "polygon_holes", [False], "Value error, polygon_holes has 1 flags for 0 rings"),
    ],
)
def test_rules_no_json_schema_can_say_are_found_by_validate(
    index: int, field: str, value: object, message: str, tmp_path: Path
) -> None:
    """As the README says: the bundled schema passes these documents, and validate names each at its pointer."""
    import jsonschema

    import labelkit

    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][index][field] = value
    jsonschema.validate(doc, orjson.loads((ROOT / "schemas" / "labelkit.schema.json").read_bytes()))
    src = tmp_path / "d.labelkit.json"
    src.write_bytes(orjson.dumps(doc))
    [finding] = labelkit.validate(src)
    assert finding.where == f"#/annotations/{index}/{field}" and finding.message.startswith(message)
