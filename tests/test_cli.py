"""The labelkit command: convert, info, validate, formats; exit codes, one-line errors, quiet and progress."""

from __future__ import annotations

import copy
import io
import json
import math
import os
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, NATIVE_FIXTURES, ROOT, config_outside, deep_path
from PIL import Image
from test_registry import PLUGINS, install_plugin

import labelkit
from labelkit import cli as cli_module
from labelkit import formats
from labelkit.cli import cli
from labelkit.errors import InputError, OutputError, UsageError
from labelkit.model import Category, Dataset, Item, Label, Media, Object

IMAGES = FIXTURES / "native" / "images.labelkit.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def expected_info(path: Path) -> dict[str, Any]:
    """Counts straight from the fixture's JSON: an oracle independent of Dataset.stats()."""
    doc = orjson.loads(path.read_bytes())
    split_of = {i["id"]: i.get("split") or "(none)" for i in doc["items"]}
    name_of = {c["id"]: c["name"] for c in doc["categories"]}
    kinds = Counter(a["kind"] for a in doc["annotations"])
    by_category: dict[str, Counter[str]] = {}
    by_split: dict[str, Counter[str]] = {}
    for a in doc["annotations"]:
        name = name_of[a["category_id"]] if a.get("category_id") is not None else "(none)"
        by_category.setdefault(name, Counter())[a["kind"]] += 1
        by_split.setdefault(split_of[a["item_id"]], Counter())[a["kind"]] += 1
    return {
        "format": "labelkit",
        "items": len(doc["items"]),
        "categories": len(doc["categories"]),
        "items_by_media": dict(sorted(Counter(i.get("media", {}).get("kind", "image") for i in doc["items"]).items())),
        "items_by_split": dict(sorted(Counter(split_of.values()).items())),
        "annotations": {k: kinds[k] for k in ("label", "object", "span", "transcript", "track") if kinds[k]},
        "annotations_by_category": {k: dict(sorted(v.items())) for k, v in sorted(by_category.items())},
        "annotations_by_split": {k: dict(sorted(v.items())) for k, v in sorted(by_split.items())},
        "tokens": len(doc.get("tokens", [])),
        "notes": [],
    }


# -- info -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
def test_info_json_exact_counts(fixture: Path) -> None:
    result = run("info", "--json", fixture)
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == expected_info(fixture)


def test_info_text() -> None:
    result = run("info", IMAGES)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{IMAGES} (labelkit)",
        "items: 3  image: 3",
        "splits: train 2, val 1",
        "categories: 4",
        "annotations: label 1, object 9",
        "per category:",
        "  car     label 1, object 5",
        "  person  object 3",
        "  sedan   object 1",
        "per split:",
        "  train  label 1, object 6",
        "  val    object 3",
    ]
    assert result.stderr == ""


def test_info_on_parquet_matches_json(tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    assert run("convert", IMAGES, out, "--to", "parquet", "-q").exit_code == 0
    result = run("info", "--json", out)
    assert orjson.loads(result.stdout) == {**expected_info(IMAGES), "format": "parquet"}


# -- convert ----------------------------------------------------------------------------------------


def test_convert_prints_the_report_and_saves_it(tmp_path: Path) -> None:
    out, report = tmp_path / "out.parquet", tmp_path / "report.json"
    result = run("convert", IMAGES, out, "--to", "parquet", "--report", report)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{IMAGES} (labelkit) -> {out} (parquet)",
        "read: 3 items, 1 label annotations, 9 object annotations",
        "written: 3 items, 1 label annotations, 9 object annotations",
    ]
    assert orjson.loads(report.read_bytes()) == {
        "source": "labelkit",
        "target": "parquet",
        "read": {"items": 3, "label annotations": 1, "object annotations": 9},
        "written": {"items": 3, "label annotations": 1, "object annotations": 9},
        "lost": [],
        "transformed": [],
        "notes": [],
    }
    assert labelkit.load(out).to_dict() == labelkit.load(IMAGES).to_dict()


@pytest.mark.parametrize("command", ["convert", "split"])
@pytest.mark.parametrize("saved", ["file", "-"])
def test_the_report_saved_names_an_old_output_left_as_the_printed_one_does(
    command: str, saved: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The --report file was saved before the output was moved into place, so it lacked the note naming the old
    output that could not be removed (a write-protected folder of it), which the printed report had."""
    import shutil

    out, report = tmp_path / "out.parquet", tmp_path / "report.json"
    how = ["--to", "parquet"] if command == "convert" else ["--to", "parquet", "--ratios", "a=0.5,b=0.5"]
    assert run(command, IMAGES, out, *how).exit_code == 0
    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: None)  # (as a protected folder stops it)
    args = [command, IMAGES, out, *how, "--overwrite", "--report", report if saved == "file" else "-"]
    result = run(*args, *(["--quiet"] if saved == "-" else []))
    assert result.exit_code == 0, result.output
    (old,) = [p.name for p in tmp_path.iterdir() if p.name not in ("out.parquet", "report.json")]
    note = f"the output replaced could not be removed wholly: {tmp_path / old} is left (remove it yourself)"
    data = orjson.loads(report.read_bytes() if saved == "file" else result.stdout)
    assert (data if command == "convert" else data["output"])["notes"] == [note]
    if saved == "file":
        assert f"note: {note}" in result.stdout.splitlines()


def test_convert_quiet_prints_nothing(tmp_path: Path) -> None:
    result = run("convert", IMAGES, tmp_path / "o.json", "--to", "labelkit", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "o.json").is_file()


def test_no_progress_when_not_a_terminal(tmp_path: Path) -> None:
    result = run("convert", IMAGES, tmp_path / "o.parquet", "--to", "parquet")
    assert result.exit_code == 0
    assert "\r" not in result.output and "\x1b" not in result.output
    assert result.stderr == ""


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    """With stderr on a terminal (a pseudo-terminal here) the status line is drawn, then cleared."""
    run, drawn = _on_a_terminal("convert", str(IMAGES), str(tmp_path / "o.parquet"), "--to", "parquet")
    assert run.returncode == 0
    assert b"\r\x1b[Kreading labelkit... (" in drawn and b"writing parquet... (" in drawn
    assert drawn.endswith(b"\r\x1b[K")  # cleared at the end
    assert b"\r" not in run.stdout


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, keeping what is drawn on it."""

    def isatty(self) -> bool:
        return True


def test_the_status_line_counts_the_seconds_of_a_long_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage drew its line once, with the time it began: a read of 30 seconds showed ``reading voc... (0.1 s)``
    until it ended. The line is drawn again every ``TICK`` seconds, its time counting, until it is cleared."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli_module.StatusLine, "TICK", 0.01)
    with cli_module.StatusLine(quiet=False) as status:
        status("reading voc")
        began = time.monotonic()
        while terminal.getvalue().count("(") < 4 or time.monotonic() - began < 0.3:
            assert time.monotonic() - began < 30, terminal.getvalue()
            time.sleep(0.01)
    drawn = terminal.getvalue()
    frames = drawn.split("\r\x1b[K")
    assert frames[0] == "" and frames[-1] == ""  # each drawing starts a line afresh, and the last one is cleared
    assert len(frames) >= 6 and all(f.startswith("reading voc... (") and f.endswith(" s)") for f in frames[1:-1])
    seconds = [float(f.removeprefix("reading voc... (").removesuffix(" s)")) for f in frames[1:-1]]
    assert seconds == sorted(seconds) and seconds[-1] >= seconds[0] + 0.2
    time.sleep(0.05)
    assert terminal.getvalue() == drawn  # nothing drawn once cleared


def test_a_status_line_whose_thread_cannot_start_still_draws_its_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that could not start (a limit on threads) was joined at the end: 'cannot join thread before it is
    started', an internal error in place of the command's own outcome. The line is drawn per stage then, as it was."""
    import threading

    def cannot_start(thread: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(threading.Thread, "start", cannot_start)
    with cli_module.StatusLine(quiet=False) as status:
        status("reading voc")
        status("writing yolo")
        assert status.ticker is None
    assert terminal.getvalue().startswith("\r\x1b[Kreading voc... (0.") and terminal.getvalue().endswith("\r\x1b[K")
    assert "\r\x1b[Kwriting yolo... (" in terminal.getvalue()


def test_a_quiet_status_line_draws_nothing_and_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_module.StatusLine(quiet=True) as status:
        status("reading voc")
        assert status.ticker is None
    assert terminal.getvalue() == ""


def _on_a_terminal(*args: str) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run ``labelkit ARGS`` with stderr on a pseudo-terminal: the finished run and what the terminal got."""
    import pty

    try:
        leader, follower = pty.openpty()
    except OSError:
        pytest.skip("no pseudo-terminals here")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "labelkit", *args], stdout=subprocess.PIPE, stderr=follower, cwd=ROOT, timeout=120
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    return done, drawn


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["convert", "{bad}", "{out}", "--to", "coco", "--from", "labelkit"], "{bad}:1: invalid JSON"),
        (["convert", str(IMAGES), "{out}", "--to", "coco"], "{out}: writing COCO would lose"),
        (["split", "{bad}", "{out}", "--ratios", "train=1", "--from", "labelkit"], "{bad}:1: invalid JSON"),
        (["split", str(IMAGES), "{out}", "--ratios", "train=1", "--to", "coco"], "{out}: writing COCO would lose"),
    ],
)
def test_an_error_on_a_terminal_clears_the_status_line_first(args: list[str], error: str, tmp_path: Path) -> None:
    """The error line started after the status text (``reading labelkit... (0.2 s)labelkit: error: ...``)."""
    bad, out, old = tmp_path / "bad.labelkit.json", tmp_path / "out", tmp_path / "old"
    bad.write_bytes(b'{"format": "labelkit", "items": [}')
    old.mkdir()
    (old / "x").write_bytes(b"")
    names = {"bad": str(bad), "out": str(out), "old": str(old)}
    done, drawn = _on_a_terminal(*(a.format(**names) for a in args))
    assert done.returncode == 2
    assert b"... (" in drawn  # the status line was drawn
    *lines, last = drawn.rpartition(b"\r\x1b[K")[2].split(b"\r\n")  # what follows the line cleared last
    assert last == b"" and all(line.startswith(b"labelkit: ") for line in lines)
    assert lines[-1].startswith(b"labelkit: error: " + error.format(**names).encode())
    assert not out.exists()


def test_convert_options(tmp_path: Path) -> None:
    out = tmp_path / "o.json"
    assert run("convert", IMAGES, out, "--to", "labelkit", "-o", "indent=true", "-q").exit_code == 0
    assert out.read_bytes().startswith(b'{\n  "format": "labelkit"')
    out2 = tmp_path / "o.parquet"
    assert run("convert", IMAGES, out2, "--to", "parquet", "-o", "compression=snappy", "-q").exit_code == 0
    import pyarrow.parquet as pq

    assert pq.ParquetFile(out2 / "objects.parquet").metadata.row_group(0).column(0).compression == "SNAPPY"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "colour=red",
            "labelkit: error: unknown option 'colour' for labelkit and parquet (expected compression)",
        ),
        ("compression=lzma", "labelkit: error: bad value for option 'compression' (expected zstd or snappy or none"),
        ("compression", "labelkit: error: bad -o option (expected KEY=VALUE, found 'compression')"),
    ],
)
def test_convert_bad_options_exit_2(option: str, message: str, tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"
    result = run("convert", IMAGES, out, "--to", "parquet", "-o", option)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message)
    assert not out.exists()


def test_an_unknown_option_names_a_format_once_when_both_sides_are_it(tmp_path: Path) -> None:
    """labelkit -> labelkit said "unknown option 'colour' for labelkit and labelkit". The options listed are those
    the command takes: ``schema`` (validate's) was listed too."""
    result = run("convert", IMAGES, tmp_path / "o.json", "--to", "labelkit", "-o", "colour=red")
    assert result.exit_code == 2
    assert result.stderr == (
        "labelkit: error: unknown option 'colour' for labelkit (expected indent); "
        "hint: 'labelkit formats NAME' lists a format's options\n"
    )


def test_an_unknown_option_is_told_the_options_the_command_takes(tmp_path: Path) -> None:
    """COCO -> VOC listed COCO's ``reindex`` (writing COCO) and VOC's ``links`` (reading VOC), which it then refused."""
    src = FIXTURES / "coco"
    result = run("convert", src, tmp_path / "o", "--to", "voc", "-o", "bogus=1")
    assert (result.exit_code, result.stderr) == (
        2,
        "labelkit: error: unknown option 'bogus' for coco and voc (expected crowd, links, masks, media, media_root, "
        "skip_invalid, split); hint: 'labelkit formats NAME' lists a format's options\n",
    )
    for option in ("masks=all", "media=none", "split=val", "skip_invalid=true"):
        assert (
            run(
                "convert", src, tmp_path / "o", "--to", "voc", "-o", option, "--dry-run", "--allow-loss", "-q"
            ).exit_code
            == 0
        )
    result = run("validate", IMAGES, "-o", "bogus=1")  # (validating takes validate's own options)
    assert result.exit_code == 2 and "for labelkit (expected schema);" in result.stderr, result.stderr


def test_convert_unknown_format_exit_2(tmp_path: Path) -> None:
    result = run("convert", IMAGES, tmp_path / "o", "--to", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("labelkit: error: unknown format 'nope' (expected ")
    assert list(tmp_path.iterdir()) == []


def test_convert_undetectable_input_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("hi")
    result = run("convert", src, tmp_path / "o.json", "--to", "labelkit")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"labelkit: error: {src}: no format recognises this input")


def test_missing_required_option_is_a_usage_error() -> None:
    result = run("convert", IMAGES, "o.json")
    assert result.exit_code == 2
    assert "Missing option '--to'" in result.stderr


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "_loaded", {})
    site = tmp_path / "site"
    install_plugin(site, "[labelkit.formats]\ntiny = tiny_format\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))


def test_convert_refuses_loss_and_writes_nothing(tiny: None, tmp_path: Path) -> None:
    out, report = tmp_path / "out.tiny", tmp_path / "report.json"
    result = run("convert", IMAGES, out, "--to", "tiny", "--report", report)
    assert result.exit_code == 2
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(
        f"labelkit: error: {out}: writing tiny would lose 3 item groups: tiny has no item groups"
    )
    assert "hint: pass --allow-loss" in lines[-1]
    assert "labelkit: lost: 9 object annotations: tiny cannot hold object annotations" in lines
    saved = orjson.loads(report.read_bytes())
    assert {"what": "object annotations", "count": 9, "reason": "tiny cannot hold object annotations"} in saved["lost"]
    assert saved["written"] == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "site"]


def test_convert_allow_loss_writes_and_reports(tiny: None, tmp_path: Path) -> None:
    out = tmp_path / "out.tiny"
    result = run("convert", IMAGES, out, "--to", "tiny", "--allow-loss")
    assert result.exit_code == 0
    assert "lost: 9 object annotations: tiny cannot hold object annotations" in result.stdout.splitlines()
    assert out.read_text() == "street-1\tcar\n"


def test_report_to_a_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = run("convert", IMAGES, tmp_path / "o.json", "--to", "labelkit", "--report", tmp_path / "no" / "r.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"labelkit: error: {tmp_path / 'no' / 'r.json'}: cannot write the report")


@pytest.mark.parametrize("side", ["--report", "--lock"])
def test_a_report_or_lockfile_name_too_long_is_one_error_line_before_any_work(side: str, tmp_path: Path) -> None:
    """A name over 255 bytes was 'internal error: OSError: [Errno 36] File name too long'."""
    path = tmp_path / ("r" * 300 + ".json")
    out = tmp_path / "out.json"
    if side == "--report":
        result = run("convert", IMAGES, out, "--to", "labelkit", side, path)
    else:
        result = run("split", IMAGES, out, "--ratios", "train=1", side, path)
    what = "report" if side == "--report" else "lockfile"
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {path}: cannot write the {what}: File name too long\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_lockfile_name_of_up_to_255_bytes_is_written(tmp_path: Path) -> None:
    """Its temporary sibling's name was 6 bytes longer: the split output was written, then the command failed."""
    lock = tmp_path / ("l" * 250 + ".json")  # 255 bytes
    result = run("split", IMAGES, tmp_path / "out.json", "--ratios", "train=1", "--lock", lock, "-q")
    assert (result.exit_code, result.stderr) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([lock.name, "out.json"])
    assert orjson.loads(lock.read_bytes())["ratios"] == {"train": 1.0}


# -- validate ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
def test_validate_clean_exit_0(fixture: Path) -> None:
    result = run("validate", fixture)
    assert result.exit_code == 0
    assert result.stdout == f"{fixture}: ok\n"


def _broken(tmp_path: Path) -> Path:
    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][1]["category_id"] = 99
    doc["annotations"][2]["item_id"] = "ghost"
    path = tmp_path / "broken.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    return path


def test_validate_findings_exit_1(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}#/annotations/1/category_id: unknown category 99",
        f"{path}#/annotations/2/item_id: unknown item 'ghost'",
    ]
    result = run("validate", "--json", path)
    assert result.exit_code == 1
    assert orjson.loads(result.stdout) == [
        {
            "path": str(path),
            "where": "#/annotations/1/category_id",
            "message": "unknown category 99",
            "severity": "error",
        },
        {"path": str(path), "where": "#/annotations/2/item_id", "message": "unknown item 'ghost'", "severity": "error"},
    ]
    # reading the same file is an input error: exit 2, one line
    result = run("info", path)
    assert result.exit_code == 2
    assert result.stderr == f"labelkit: error: {path}#/annotations/1/category_id: unknown category 99\n"


def test_validate_schema_findings_name_the_pointer(tmp_path: Path) -> None:
    doc = orjson.loads(IMAGES.read_bytes())
    doc["items"][0]["media"]["width"] = "64"
    del doc["annotations"][3]["id"]
    doc["annotations"][4]["colour"] = "red"
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}#/items/0/media/width: '64' is not of type 'integer'",
        f"{path}#/annotations/3/id: missing required field 'id'",
        f"{path}#/annotations/4/colour: unknown field",
    ]


def test_validate_corrupt_json_is_a_finding_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(b'{"format": "labelkit",\n"items": [}')
    result = run("validate", "--format", "labelkit", path)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:2: invalid JSON at column 11")


def test_validate_a_read_error_finding_says_what_was_found(tmp_path: Path) -> None:
    """A finding made of the error reading stops at said only its message: the error line of ``info`` named the
    two layouts' files, the finding did not (``ds: two COCO layouts in one folder``)."""
    src = tmp_path / "ds"
    for rel in ("annotations/instances_val.json", "train/_annotations.coco.json"):
        (src / rel).parent.mkdir(parents=True)
        (src / rel).write_bytes((FIXTURES / "coco/annotations/instances_val.json").read_bytes())
    result = run("validate", src)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{src}: two COCO layouts in one folder (found annotations/instances_val.json and "
        "train/_annotations.coco.json)\n"
    )
    assert (
        run("info", src).stderr
        == f"labelkit: error: {result.stdout.rstrip()}; hint: give the folder of one layout, or one file\n"
    )


@pytest.mark.parametrize("named", [[], ["--format", "labelkit"], ["--format", "coco"], ["--format", "parquet"]])
def test_validate_a_missing_input_is_an_error_not_a_finding(named: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.labelkit.json"
    result = run("validate", *named, missing)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"labelkit: error: {missing}: no such file or folder\n"


@pytest.mark.parametrize("fmt", ["labelkit", "parquet", "coco", "yolo", "voc"])
def test_a_missing_input_with_its_format_named_is_no_such_file(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``info``, ``convert`` and ``split`` with ``--format``/``--from`` on a path that does not exist say so.

    The YOLO reader took a missing ``nope`` for a file in the current folder and read that folder's
    datasets (a DOTA error naming ``d/labels/train/a.txt``); COCO said ``no COCO files found``."""
    shutil.copytree(FIXTURES / "yolo/golden/detect", tmp_path / "d")
    monkeypatch.chdir(tmp_path)
    expected = "labelkit: error: nope: no such file or folder\n"
    for args in (
        ["info", "--format", fmt, "nope"],
        ["convert", "--from", fmt, "nope", "out", "--to", "labelkit"],
        ["split", "--from", fmt, "nope", "out", "--ratios", "train=1"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]
    with pytest.raises(InputError) as caught:
        labelkit.load("nope", fmt)
    assert (caught.value.location.path, caught.value.message) == ("nope", "no such file or folder")


def test_a_missing_input_is_an_input_error_format_named_or_not(tmp_path: Path) -> None:
    """Unnamed, it was an UnknownFormatError (no InputError), which a pipeline catching InputError missed."""
    for call in (
        lambda: labelkit.load(tmp_path / "nope.json"),
        lambda: labelkit.stats(tmp_path / "nope.json"),
        lambda: labelkit.validate(tmp_path / "nope.json"),
        lambda: labelkit.convert(tmp_path / "nope.json", tmp_path / "out", to="coco"),
    ):
        with pytest.raises(InputError) as caught:
            call()
        assert (caught.value.location.path, caught.value.message) == (
            str(tmp_path / "nope.json"),
            "no such file or folder",
        )
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", [None, "yolo", "voc", "coco"])
def test_an_empty_input_path_names_no_file_and_the_current_folder_is_not_read(
    fmt: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty argument (``labelkit info "$DATA"`` with DATA unset) was ``Path("")``, the current folder: its
    datasets were read (a YOLO folder's items printed, converted, split). It names no file, as for ``ls ""``."""
    shutil.copytree(FIXTURES / "yolo/golden/detect", tmp_path / "d")
    monkeypatch.chdir(tmp_path / "d")
    named = [] if fmt is None else ["--format", fmt]
    source = [] if fmt is None else ["--from", fmt]
    expected = "labelkit: error: an empty path names no file or folder; hint: name the current folder as .\n"
    for args in (
        ["info", *named, ""],
        ["validate", *named, ""],
        ["convert", *source, "", "../out", "--to", "labelkit"],
        ["split", *source, "", "../out", "--ratios", "train=1"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]
    for call in (
        lambda: labelkit.load("", fmt),
        lambda: labelkit.stats("", fmt),
        lambda: labelkit.validate("", fmt),
        lambda: labelkit.convert("", tmp_path / "out", to="labelkit", from_format=fmt),
    ):
        with pytest.raises(InputError) as caught:
            call()
        assert (caught.value.location.path, caught.value.message) == (None, "an empty path names no file or folder")
    assert labelkit.load(".", "yolo").stats().items == labelkit.load(Path(), "yolo").stats().items > 0


def test_validate_parquet_findings(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "x.parquet"
    labelkit.save(labelkit.load(IMAGES), out, "parquet")  # (save refuses to write an unknown category)
    objects = pq.read_table(out / "objects.parquet")
    ids = objects["category_id"].to_pylist()
    ids[1] = 99
    column = objects.schema.get_field_index("category_id")
    pq.write_table(objects.set_column(column, "category_id", pa.array(ids)), out / "objects.parquet")
    result = run("validate", out)
    assert result.exit_code == 1
    assert result.stdout == f"{out / 'objects.parquet'} row 1: unknown category 99\n"


# -- global behaviour ---------------------------------------------------------------------------------


def test_traceback_flag_raises_the_real_error(tmp_path: Path) -> None:
    doc = orjson.loads(IMAGES.read_bytes())
    del doc["items"][0]["id"]
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    result = run("info", path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = run("--traceback", "info", path)
    assert isinstance(result.exception, InputError)
    assert result.exception.location.pointer == "/items/0/id"
    assert "labelkit: error" not in result.stderr


def test_internal_errors_are_one_line_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from labelkit import api

    def boom(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(api, "stats", boom)
    result = run("info", IMAGES)
    assert result.exit_code == 2
    assert result.stderr == "labelkit: internal error: ZeroDivisionError: oops (rerun with --traceback)\n"
    assert isinstance(run("--traceback", "info", IMAGES).exception, ZeroDivisionError)


def test_a_commands_own_os_error_under_traceback_is_shown_not_said_to_be_standard_outputs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main turns an OSError from click's printing into "cannot write to standard output", exit 2: a command's
    own (a PermissionError inside the library) under --traceback was said to be that, its traceback never shown."""
    from labelkit import api

    def boom(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", "/data/x")

    monkeypatch.setattr(api, "stats", boom)
    monkeypatch.setattr(sys, "argv", ["labelkit", "--traceback", "info", str(IMAGES)])
    with pytest.raises(PermissionError) as err:
        cli_module.main()
    assert err.value.filename == "/data/x"
    monkeypatch.setattr(sys, "argv", ["labelkit", "info", str(IMAGES)])
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "labelkit: internal error: PermissionError: [Errno 13] Permission denied: '/data/x' (rerun with --traceback)\n"
    )


@pytest.mark.parametrize("command", ["convert", "validate"])
def test_an_interrupted_command_exits_130_and_leaves_nothing(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C exited 1 ("Aborted!", click's way), which for validate means "found problems"."""

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("labelkit.formats.native.write", interrupted)
    monkeypatch.setattr("labelkit.formats.native.parse_json", interrupted)
    convert = ["convert", IMAGES, tmp_path / "out.json", "--to", "labelkit"]
    result = run(*(convert if command == "convert" else ["validate", IMAGES]))
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "labelkit: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_formats_lists_reads_writes_and_holds() -> None:
    result = run("formats")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert set(formats.names()) <= set(lines)
    assert "reads, writes a file" in lines["labelkit"] and "reads, writes a dir" in lines["parquet"]
    assert "media: audio, image, text, video" in lines["parquet"]


def test_formats_name_shows_options() -> None:
    result = run("formats", "labelkit")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "labelkit: labelkit's own JSON document: lossless for every kind of label",
        "reads, writes a file",
        "file names: *.labelkit.json, *.json",
    ]
    assert "  indent=bool (write; default False): write indented JSON (larger, easier to read)" in result.stdout
    result = run("formats", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("labelkit: error: unknown format 'nope'")


def test_help_and_version() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("convert", "info", "validate", "formats"):
        assert command in result.stdout
    result = run("--version")
    assert result.exit_code == 0 and labelkit.__version__ in result.stdout


def test_real_process(tmp_path: Path) -> None:
    """``python -m labelkit`` in a real subprocess: exit codes and streams as a shell sees them."""
    out = tmp_path / "o.parquet"
    ok = subprocess.run(
        [sys.executable, "-m", "labelkit", "convert", str(IMAGES), str(out), "--to", "parquet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{IMAGES} (labelkit) -> {out} (parquet)\n")
    assert ok.stderr == ""
    again = subprocess.run(
        [sys.executable, "-m", "labelkit", "convert", str(IMAGES), str(out), "--to", "parquet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "output exists" in again.stderr
    bad = tmp_path / "bad.labelkit.json"
    doc = copy.deepcopy(orjson.loads(IMAGES.read_bytes()))
    doc["annotations"][0]["category_id"] = 99
    bad.write_bytes(orjson.dumps(doc))
    findings = subprocess.run(
        [sys.executable, "-m", "labelkit", "validate", str(bad)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert findings.returncode == 1
    assert findings.stdout == f"{bad}#/annotations/0/category_id: unknown category 99\n"


def test_validate_without_the_schema_uses_the_records(tmp_path: Path) -> None:
    doc = orjson.loads(IMAGES.read_bytes())
    doc["items"][0]["media"]["width"] = "64"
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    result = run("validate", path, "-o", "schema=false")
    assert result.exit_code == 1
    assert result.stdout == f"{path}#/items/0/media/width: Input should be a valid integer\n"
    assert run("validate", IMAGES, "-o", "schema=no").exit_code == 0


def test_a_closed_pipe_is_not_an_error() -> None:
    """``labelkit info x | head``: output with nowhere to go (the reader closed first) is not an error."""
    import subprocess
    import sys

    script = (
        "import subprocess, sys\n"
        "args = [sys.executable, '-m', 'labelkit', 'info', 'fixtures/coco/annotations/instances_val.json']\n"
        "p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.close()\n"
        "err = p.stderr.read(); code = p.wait()\n"
        "sys.stdout.write(f'{code}|{err.decode()}')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    code, _, err = out.partition("|")
    assert "internal error" not in err and "Traceback" not in err
    assert code in ("0", "-13")  # exited quietly (or was killed by SIGPIPE before writing more)


def test_absurd_values_convert_without_numpy_warnings(tmp_path: Path) -> None:
    """1e308 + 1e308 overflows to inf (then clipped or refused): numpy's RuntimeWarning is not for users."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1e308, 1e308, 1e308, 1e308)))
    ds.add(Object(id="2", item_id="x", category_id=1, polygon=[[1e308, -1e308, 1e308, 1e308, -1e308, 1e308]]))
    src = tmp_path / "huge.labelkit.json"
    labelkit.save(ds, src, "labelkit")
    for target in (["yolo"], ["yolo", "-o", "task=segment"], ["voc"]):
        out = tmp_path / "-".join(target)
        cmd = [sys.executable, "-m", "labelkit", "convert", str(src), str(out), "--to", *target, "--allow-loss", "-q"]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert (result.returncode, result.stderr) == (0, ""), target
    lines = (tmp_path / "yolo" / "labels" / "train" / "x.txt").read_text().splitlines()
    assert lines == ["0 0.5 0.5 1.0 1.0"]  # the polygon's bounds, clipped; the box, wholly outside, is lost


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--folds", "5000"], "at most 1,000 folds"),
        (["--ratios", "a=0.5,b=0.5", "--group-pattern", "(a){9999999999}"], "bad --group-pattern"),
        (["--ratios", "a=0.5,b=0.5", "--lock", "{tmp}"], "cannot write the lockfile: the path is a folder"),
        (["--ratios", "a=0.5,b=0.5", "--lock", "{tmp}/no/l.json"], "cannot write the lockfile"),
        (["--ratios", "a=0.5,b=0.5", "--report", "{tmp}/no/r.json"], "cannot write the report"),
        (["--ratios", "a=0.5,b=0.5", "--lock", "{out}"], "the lockfile is the output"),
    ],
)
def test_split_refuses_odd_options_before_writing(extra: list[str], message: str, tmp_path: Path) -> None:
    """Found by fuzzing the CLI: tracebacks, hours of work, or an output left behind the error."""
    out = tmp_path / "out.labelkit.json"
    args = [a.replace("{tmp}", str(tmp_path)).replace("{out}", str(out)) for a in extra]
    result = run("split", IMAGES, out, *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_split_seeds_and_outputs_that_are_inputs(tmp_path: Path) -> None:
    out = tmp_path / "out.labelkit.json"
    assert run("split", IMAGES, out, "--ratios", "a=0.5,b=0.5", "--seed", "²", "-q").exit_code == 0  # (was ValueError)
    copy = tmp_path / "in.labelkit.json"
    copy.write_bytes(IMAGES.read_bytes())
    result = run("split", copy, copy, "--ratios", "a=0.5,b=0.5", "--overwrite")
    assert result.exit_code == 2 and "the output is the input" in result.stderr
    assert copy.read_bytes() == IMAGES.read_bytes()
    result = run("convert", IMAGES, tmp_path / "y", "--to", "yolo", "-o", "precision=²", "--allow-loss")
    assert result.exit_code == 2 and "bad precision" in result.stderr


def test_a_report_or_lockfile_never_overwrites_the_input_the_output_or_each_other(tmp_path: Path) -> None:
    import shutil

    src = tmp_path / "in.labelkit.json"
    shutil.copy(IMAGES, src)
    before = src.read_bytes()
    out = tmp_path / "out"
    cases = [
        (["convert", str(src), str(out), "--to", "yolo", "--allow-loss", "--report", str(src)], "report is the input"),
        (
            ["convert", str(src), str(out), "--to", "yolo", "--report", str(out / "data.yaml")],
            "report is inside the output",
        ),
        (["split", str(src), str(out), "--ratios", "a=0.5,b=0.5", "--report", str(src)], "report is the input"),
        (
            [
                "split",
                str(src),
                str(out),
                "--ratios",
                "a=0.5,b=0.5",
                "--report",
                str(tmp_path / "l"),
                "--lock",
                str(tmp_path / "l"),
            ],
            "report is the lockfile",
        ),
    ]
    yolo = tmp_path / "yolo"
    shutil.copytree(ROOT / "fixtures/yolo/golden/detect", yolo)
    label = next((yolo / "labels").rglob("*.txt"))
    cases.append(  # a YOLO config names its folder: a report over one of its label files overwrote it
        (
            ["convert", str(yolo / "data.yaml"), str(out), "--to", "coco", "--report", str(label)],
            "report is inside the input",
        )
    )
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, args
        assert f"the {message}" in result.stderr, (args, result.stderr)
        assert not out.exists() and src.read_bytes() == before


def test_a_finding_without_a_place_in_its_file_reads_path_colon_message() -> None:
    from labelkit.report import Finding

    assert [str(Finding("d", w, "m")) for w in ("", "#/a", ":3", "<size>")] == [
        "d: m",
        "d#/a: m",
        "d:3: m",
        "d <size>: m",
    ]


# -- Arrow's allocator -------------------------------------------------------------------------------------


@pytest.fixture
def chosen_pools(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The backends the CLI hands to ``pa.set_memory_pool`` (recorded, not set)."""
    import pyarrow as pa

    chosen: list[str] = []
    monkeypatch.setattr(pa, "set_memory_pool", lambda pool: chosen.append(pool.backend_name))
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    return chosen


def test_cli_makes_arrow_allocate_with_jemalloc(chosen_pools: list[str]) -> None:
    import pyarrow as pa

    try:
        expected = pa.jemalloc_memory_pool().backend_name
    except NotImplementedError:  # a pyarrow without jemalloc: the next test's case
        expected = "system"
    assert run("formats").exit_code == 0
    assert chosen_pools == [expected]


def test_cli_falls_back_to_the_system_allocator_without_jemalloc(
    chosen_pools: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    def no_jemalloc() -> None:
        raise NotImplementedError("built without jemalloc")

    monkeypatch.setattr(pa, "jemalloc_memory_pool", no_jemalloc)
    assert run("formats").exit_code == 0
    assert chosen_pools == ["system"]


def test_cli_keeps_the_system_allocator_on_pages_other_than_4_kib(
    chosen_pools: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import labelkit.cli

    monkeypatch.setattr(labelkit.cli.mmap, "PAGESIZE", 65536)
    assert run("formats").exit_code == 0
    assert chosen_pools == ["system"]


def test_cli_leaves_the_allocator_the_user_chose(chosen_pools: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    assert run("formats").exit_code == 0
    assert chosen_pools == []


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes non-UTF-8 names")
def test_a_file_name_that_is_not_utf8_prints_escaped_on_a_strict_utf8_terminal(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text("path: .\ntrain: images/train\nnames: [a]\n")
    (root / "images" / "train").mkdir(parents=True)
    with open(bytes(root / "labels" / "train") + b"/bad\xff.txt", "wb") as fh:
        fh.write(b"0 0.5 0.5 0.1 0.1\n")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run(
        [sys.executable, "-m", "labelkit", "validate", str(root)], capture_output=True, env=env, cwd=ROOT
    )
    out = (done.stdout + done.stderr).decode()
    assert done.returncode == 1, out  # a finding (the image is missing), not "internal error" (exit 2)
    assert "bad\\udcff.txt" in out and "internal error" not in out


def test_a_seed_beyond_64_bits_is_written_to_report_and_lockfile_as_its_digits(tmp_path: Path) -> None:
    seed = "9" * 30  # was: internal error (orjson cannot write the integer) after the output was written
    args = ["--ratios", "a=1", "--seed", seed, "-q", "--report", str(tmp_path / "r.json")]
    result = run("split", IMAGES, tmp_path / "o1.labelkit.json", *args, "--lock", str(tmp_path / "l.json"))
    assert result.exit_code == 0, result.output
    assert orjson.loads((tmp_path / "r.json").read_bytes())["split"]["seed"] == seed
    assert orjson.loads((tmp_path / "l.json").read_bytes())["seed"] == seed
    again = run("split", IMAGES, tmp_path / "o2.labelkit.json", "--ratios", "a=1", "--seed", seed, "-q")
    assert again.exit_code == 0
    assert (tmp_path / "o1.labelkit.json").read_bytes() == (tmp_path / "o2.labelkit.json").read_bytes()


@pytest.mark.parametrize("command", ["convert", "split"])
def test_an_output_inside_the_input_folder_is_refused(tmp_path: Path, command: str) -> None:
    src = tmp_path / "in.parquet"
    labelkit.convert(IMAGES, src, to="parquet")
    before = sorted(p.relative_to(src) for p in src.rglob("*"))
    extra = ["--ratios", "a=1"] if command == "split" else []
    result = run(command, src, src / "inner", "--to", "parquet", *extra)  # was: written into the input
    assert result.exit_code == 2
    assert f"labelkit: error: {src / 'inner'}: the output is inside the input" in result.output
    assert sorted(p.relative_to(src) for p in src.rglob("*")) == before


def test_an_output_inside_a_yolo_configs_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    labelkit.convert(IMAGES, root, to="yolo", allow_loss=True)
    result = run("convert", root / "data.yaml", root / "coco", "--to", "coco", "--allow-loss")
    assert result.exit_code == 2 and "the output is inside the input" in result.output
    assert not (root / "coco").exists()
    assert run("convert", root / "data.yaml", tmp_path / "coco", "--to", "coco", "--allow-loss").exit_code == 0


@pytest.mark.parametrize("command", ["convert", "split"])
def test_an_output_holding_the_input_is_refused_even_with_overwrite(tmp_path: Path, command: str) -> None:
    parent = tmp_path / "p"
    (parent / "in").mkdir(parents=True)
    src = parent / "in" / "x.labelkit.json"
    src.write_bytes(IMAGES.read_bytes())
    (parent / "other.txt").write_text("keep")
    extra = ["--ratios", "a=1"] if command == "split" else []
    result = run(command, src, parent, "--to", "parquet", "--overwrite", *extra)  # was: the input deleted
    assert result.exit_code == 2
    assert f"labelkit: error: {parent}: the output holds the input" in result.output
    assert src.read_bytes() == IMAGES.read_bytes() and (parent / "other.txt").read_text() == "keep"


def test_the_root_a_data_yaml_names_is_input(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    labelkit.convert(IMAGES, victim, to="yolo", allow_loss=True)
    (tmp_path / "cfg").mkdir()
    config = (victim / "data.yaml").read_text()
    (tmp_path / "cfg/data.yaml").write_text(config + "path: ../victim\n")
    before = sorted(p.relative_to(victim) for p in victim.rglob("*"))
    for out in (victim, victim / "inner", tmp_path):
        result = run("convert", tmp_path / "cfg/data.yaml", out, "--to", "yolo", "--overwrite", "--allow-loss")
        assert result.exit_code == 2 and "the output" in result.output and "the input" in result.output, out
    assert sorted(p.relative_to(victim) for p in victim.rglob("*")) == before


def test_split_folders_a_data_yaml_names_outside_its_folder_are_input(tmp_path: Path) -> None:
    """Roboflow's ``train: ../train/images`` reads outside the config's folder: an output holding those
    folders, replaced with --overwrite, deleted the images and labels being converted."""
    config, data = config_outside(tmp_path)
    for out in (data, data / "images", data / "labels/train/inner"):
        result = run("convert", config, out, "--to", "coco", "--overwrite")
        assert result.exit_code == 2 and "labelkit: error: " in result.output, out
        assert "the input" in result.output, out
    assert (data / "images/train/a.jpg").is_file() and (data / "labels/train/a.txt").is_file()


@pytest.mark.parametrize("inside", [False, True])
def test_an_output_holding_the_media_root_is_refused(tmp_path: Path, inside: bool) -> None:
    """With media=link (or copy) the images are read from media_root: an output holding it, replaced with
    --overwrite, deleted the user's photos and left dangling links."""
    project = tmp_path / "project"
    (project / "photos").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(project / "photos/a.jpg")
    ds = Dataset(categories=[Category(id=1, name="x")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=8, height=8), split="train"))
    media_root = project / "photos" if not inside else project
    out = project if not inside else project / "photos"
    with pytest.raises(OutputError, match=r"media_root"):
        labelkit.save(ds, out, "yolo", overwrite=True, media="link", media_root=str(media_root))
    assert (project / "photos/a.jpg").is_file()
    labelkit.convert(IMAGES, tmp_path / "src.json", to="labelkit")
    result = run(
        "convert",
        tmp_path / "src.json",
        out,
        "--to",
        "yolo",
        "--overwrite",
        "--allow-loss",
        "-o",
        "media=copy",
        "-o",
        f"media_root={media_root}",
    )
    assert result.exit_code == 2 and "media_root" in result.output
    assert (project / "photos/a.jpg").is_file()


def test_the_current_folder_as_output_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = run("convert", IMAGES, ".", "--to", "parquet", "--overwrite")  # was: internal error (EBUSY)
    assert result.exit_code == 2 and "labelkit: error: .: the output is the current folder or holds it" in result.output


def test_the_home_folder_or_one_holding_it_is_never_an_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--overwrite` replaced whatever folder OUTPUT named: a slip (`convert x.json ~ --overwrite`) took the home."""
    home = tmp_path / "home" / "me"
    (home / "notes").mkdir(parents=True)
    (home / "notes/a.txt").write_text("keep")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    for out in (home, home.parent):
        result = run("convert", IMAGES, str(out), "--to", "parquet", "--overwrite")
        assert result.exit_code == 2
        assert f"labelkit: error: {out}: the output is the home folder or holds it" in result.output
    assert (home / "notes/a.txt").read_text() == "keep"
    assert run("convert", IMAGES, str(home / "o.parquet"), "--to", "parquet").exit_code == 0  # inside it: fine


def test_a_mask_pillow_warns_about_is_one_error_line(tmp_path: Path) -> None:
    import shutil
    import struct
    import zlib

    src = tmp_path / "voc"
    shutil.copytree(ROOT / "fixtures/voc/golden/default", src)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 12000, 9000, 8, 3, 0, 0, 0)  # 108 M pixels: Pillow warns, then decodes
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", bytes(6))
        + chunk(b"IDAT", zlib.compress(bytes(99)))
    )
    (src / "SegmentationClass/2007_000001.png").write_bytes(png + chunk(b"IEND", b""))
    done = subprocess.run(
        [sys.executable, "-m", "labelkit", "info", str(src)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("labelkit: error: "), done.stderr  # no warning


def test_a_value_nested_too_deeply_to_write_is_one_error_line(tmp_path: Path) -> None:
    doc = orjson.loads((FIXTURES / "coco/annotations/instances_val.json").read_bytes())
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    doc["annotations"][0]["extra"] = deep  # no JSON writer goes 300 levels deep: refused where it is, on reading
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    result = run("convert", src, tmp_path / "o.json", "--to", "labelkit", "--allow-loss")
    assert result.exit_code == 2 and not (tmp_path / "o.json").exists()
    assert result.output == (
        f"labelkit: error: {src}#/annotations/0/extra: value nested more than 192 levels deep, more than every "
        "format can keep\n"
    )
    assert "internal error" not in result.output


def test_an_option_for_the_other_side_of_a_format_says_so(tmp_path: Path) -> None:
    result = run("convert", FIXTURES / "coco", tmp_path / "o", "--to", "yolo", "-o", "image_size=10x10")
    assert result.exit_code == 2  # was: "unknown option 'image_size' ... (expected image_size, ...)"
    assert "option 'image_size': coco takes no 'image_size' when reading (yolo takes it when reading)" in result.output
    # (one the reader takes when writing: VOC's media, given to VOC -> COCO, is none of COCO's when writing)
    voc = tmp_path / "voc"
    assert run("convert", FIXTURES / "coco", voc, "--to", "voc", "--allow-loss", "-q").exit_code == 0
    result = run("convert", voc, tmp_path / "o", "--to", "coco", "-o", "media=copy")
    assert result.exit_code == 2
    assert "option 'media': coco takes no 'media' when writing (voc takes it when writing)" in result.output
    result = run("convert", FIXTURES / "coco", tmp_path / "o", "--to", "yolo", "-o", "no_such=1")
    assert result.exit_code == 2 and "unknown option 'no_such' for coco and yolo" in result.output


def test_a_relative_output_after_the_current_folder_was_deleted_is_one_error_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    source = Path(__file__).resolve().parents[1] / "fixtures/native/images.labelkit.json"
    script = (
        "import os, sys\n"
        f"os.chdir({str(gone)!r}); os.rmdir({str(gone)!r})\n"
        f"sys.argv = ['labelkit', 'convert', {str(source)!r}, 'out', '--to', 'labelkit']\n"
        "from labelkit.cli import main\n"
        "main()\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert (result.returncode, result.stderr) == (
        2,
        "labelkit: error: the current folder no longer exists: give absolute paths\n",
    )


def test_options_prefixed_read_or_write_go_to_that_side_only(tmp_path: Path) -> None:
    """An option both sides of a conversion take went to both (YOLO's task): prefixes now name the side."""
    result = run("convert", FIXTURES / "coco", tmp_path / "o", "--to", "yolo", "-o", "read.task=obb")
    assert result.exit_code == 2 and "option 'read.task': coco takes no 'task' when reading" in result.output
    result = run("convert", FIXTURES / "coco", tmp_path / "o", "--to", "yolo", "-o", "write.image_size=1x1")
    assert (
        result.exit_code == 2 and "option 'write.image_size': yolo takes no 'image_size' when writing" in result.output
    )
    result = run("info", FIXTURES / "yolo/golden/detect", "-o", "write.task=obb")
    assert result.exit_code == 2 and "option 'write.task': this command does no writing" in result.output
    result = run(
        "convert",
        FIXTURES / "yolo/golden/detect",
        tmp_path / "o",
        "--to",
        "yolo",
        "-o",
        "task=obb",
        "-o",
        "write.task=segment",
    )
    assert result.exit_code == 2 and "option 'write.task': 'task' is given twice for writing" in result.output
    assert not (tmp_path / "o").exists()
    result = run("info", FIXTURES / "yolo/golden/detect", "-o", "read.task=detect")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["convert", "fixtures/yolo/golden/segment", "{out}", "--to", "yolo", "--allow-loss"],
        ["split", "fixtures/yolo/golden/segment", "{out}", "--ratios", "train=0.5,val=0.5", "--allow-loss"],
        ["info", "fixtures/yolo/golden/segment"],
        ["validate", "fixtures/yolo/golden/segment"],
    ],
)
@pytest.mark.parametrize(
    ("first", "second"),
    [("write.task=segment", "write.task=detect"), ("task=segment", "task=detect"), ("task=detect", " task=detect")],
)
def test_a_repeated_option_is_a_usage_error(tmp_path: Path, args: list[str], first: str, second: str) -> None:
    """`-o write.task=segment -o write.task=detect` wrote detect: options went into a dict, the last value won."""
    out = tmp_path / "o"
    if args[0] in ("info", "validate") and first.startswith("write."):
        first, second = first[len("write.") :], second[len("write.") :]
    result = run(*[a.replace("{out}", str(out)) for a in args], "-o", first, "-o", second)
    assert result.exit_code == 2
    key = first.partition("=")[0]
    assert result.output == (
        f"labelkit: error: option {key!r} is given twice (found {first} and {second}); hint: give each -o option once\n"
    )
    assert not out.exists()


def test_version_is_the_code_s_own_even_when_labelkit_is_not_installed() -> None:
    """``--version`` read the installed distribution's metadata: run from a checkout that is not installed, it
    ended in a traceback (``RuntimeError: 'labelkit' is not installed``), and beside another install it printed
    that one's version. (A fresh process: click keeps the version it found for the next call.)"""
    script = (
        "import importlib.metadata as m\n"
        "def not_installed(name):\n"
        "    raise m.PackageNotFoundError(name)\n"
        "m.version = not_installed\n"
        "from labelkit.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--version"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"labelkit, version {labelkit.__version__}\n", "")


def test_split_says_ratios_or_folds_is_required() -> None:
    """``split --help`` says so (it read as if --ratios had a default), and leaving out both is a usage error."""
    assert "(this or --folds is required)" in " ".join(run("split", "--help").stdout.split())
    result = run("split", str(IMAGES), "out.json")
    assert (result.exit_code, result.stderr) == (
        2,
        "labelkit: error: give --ratios (e.g. train=0.8,val=0.1,test=0.1) or --folds K\n",
    )


@pytest.mark.parametrize(("command", "side"), [("convert", "--report"), ("split", "--report"), ("split", "--lock")])
def test_a_report_or_lockfile_in_the_images_folder_is_refused_before_any_work(
    command: str, side: str, tmp_path: Path
) -> None:
    """media_root is read from as the input is: a report over one of its images overwrote it (the output's link
    to it then led to the report), and a lockfile was written among them."""
    media = tmp_path / "media"
    media.mkdir()
    image = media / "a.png"
    Image.new("RGB", (4, 3)).save(image)
    before = image.read_bytes()
    ds = Dataset()
    ds.add_item(Item(id="a", media=Media(path="a.png", width=4, height=3), split="train"))
    src = tmp_path / "in.labelkit.json"
    labelkit.save(ds, src, "labelkit")
    out = tmp_path / "out"
    ratios = ["--ratios", "train=1"] if command == "split" else []
    for option in ("media_root", "write.media_root"):
        result = run(
            command, src, out, "--to", "yolo", *ratios, "-o", "media=link", "-o", f"{option}={media}", side, image
        )
        what = "report" if side == "--report" else "lockfile"
        assert (result.exit_code, result.stderr) == (
            2,
            f"labelkit: error: {image}: the {what} is inside the images' folder (media_root); hint: choose another "
            f"{what} path\n",
        )
        assert not out.exists() and image.read_bytes() == before and os.listdir(media) == ["a.png"]


def _signalled_while_writing(name: str, handler: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``convert IMAGES out --to yolo *args`` in a fresh process that sends itself signal ``name`` while writing its
    second label file (its handler set to ``handler`` first, when given: ``SIG_IGN``, ``SIG_DFL``)."""
    script = (
        "import os, signal\n"
        + (f"signal.signal(signal.{name}, signal.{handler})\n" if handler else "")
        + "from labelkit import file_batches\n"
        "real = file_batches.create_file\n"
        "written = []\n"
        "def create_file(path, data):\n"
        "    written.append(path)\n"
        "    if len(written) == 2:\n"
        f"        os.kill(os.getpid(), signal.{name})\n"
        "    real(path, data)\n"
        "file_batches.create_file = create_file\n"
        "from labelkit.cli import main\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script, "convert", str(IMAGES), str(out), "--to", "yolo", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_sigterm_while_writing_is_an_interrupt_and_leaves_nothing(tmp_path: Path) -> None:
    """SIGTERM (``kill``, ``timeout``, a cancelled CI job) ended the process where it was, leaving the half-written
    output as ``.out.labelkit-tmp-*`` beside where it was to go. (A fresh process, which signals itself while
    writing its second label file.)"""
    done = _signalled_while_writing("SIGTERM", "", tmp_path / "out", "--allow-loss")
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "labelkit: interrupted\n")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("command", "side"), [("convert", "--report"), ("split", "--report"), ("split", "--lock")])
def test_a_report_or_lockfile_in_a_folder_a_data_yaml_names_outside_its_own_is_refused(
    command: str, side: str, tmp_path: Path
) -> None:
    """The output was refused there (it is input), a report or lockfile was not: a report over a label file of
    ``../data/labels/train`` overwrote it, and a lockfile was written among the dataset's label files."""
    config, data = config_outside(tmp_path)
    label = data / "labels/train/a.txt"
    before = label.read_bytes()
    out = tmp_path / "out"
    ratios = ["--ratios", "train=1"] if command == "split" else []
    what = "report" if side == "--report" else "lockfile"
    for target in (label, data / "labels/train/new.json"):
        result = run(command, config, out, "--to", "coco", *ratios, side, target)
        assert (result.exit_code, result.stderr) == (
            2,
            f"labelkit: error: {target}: the {what} is inside the input; hint: choose another {what} path\n",
        )
        assert not out.exists() and label.read_bytes() == before
        assert sorted(p.name for p in label.parent.iterdir()) == ["a.txt"]


@pytest.mark.parametrize(
    ("command", "side", "exists", "problem"),
    [
        ("convert", "--report", False, "folder"),
        ("convert", "--report", True, "file"),
        ("split", "--report", False, "folder"),
        ("split", "--lock", False, "folder"),
        ("split", "--lock", True, "folder"),  # (a lockfile is moved into its folder)
    ],
)
def test_a_report_or_lockfile_that_cannot_be_written_is_refused_before_any_work(
    command: str, side: str, exists: bool, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder (or report file) was found only once the output was in place: the command failed
    (exit 2) and left the finished output behind. (os.access says so as for a user without permission: this
    test may run as root, whom permissions do not stop.)"""
    locked = tmp_path / "locked"
    locked.mkdir()
    side_path = locked / "side.json"
    if exists:
        side_path.write_bytes(b"{}")
    real_access = os.access
    refused = side_path if problem == "file" else locked

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        return False if Path(path) == refused and mode == os.W_OK else real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    out = tmp_path / "out"
    ratios = ["--ratios", "a=1"] if command == "split" else []
    result = run(command, IMAGES, out, "--to", "coco", "--allow-loss", *ratios, side, side_path)
    what = "report" if side == "--report" else "lockfile"
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {side_path}: cannot write the {what}: its {problem} is not writable\n",
    )
    assert not out.exists() and sorted(p.name for p in locked.iterdir()) == (["side.json"] if exists else [])


@pytest.mark.parametrize("command", ["convert", "split"])
def test_an_output_holding_an_input_that_is_a_link_is_refused_even_with_overwrite(command: str, tmp_path: Path) -> None:
    """Compared resolved only, an input that is a symbolic link inside the output (a git-annex or DVC checkout's
    file, leading into the store) was not the output's: ``--overwrite`` removed it with the old output."""
    store = tmp_path / "store.json"
    shutil.copyfile(IMAGES, store)
    out = tmp_path / "out"
    out.mkdir()
    src = out / "in.labelkit.json"
    src.symlink_to(store)
    ratios = ["--ratios", "a=1"] if command == "split" else []
    result = run(command, src, out, "--to", "coco", "--allow-loss", "--overwrite", *ratios)
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {out}: the output holds the input (replacing it would remove it); hint: inputs are "
        "never modified: choose another output\n",
    )
    assert [p.name for p in out.iterdir()] == ["in.labelkit.json"] and src.is_symlink()


@pytest.mark.parametrize(("command", "side"), [("convert", "--report"), ("split", "--report"), ("split", "--lock")])
def test_a_report_or_lockfile_that_is_a_link_inside_the_output_is_refused(
    command: str, side: str, tmp_path: Path
) -> None:
    """Compared resolved only, a report path that is a symbolic link inside the old output (leading out of it)
    was not the output's: --overwrite replaced the output, link and all, and the report was then written into
    the new output, a file the conversion did not make."""
    out = tmp_path / "out"
    out.mkdir()
    side_path = out / "side.json"
    side_path.symlink_to(tmp_path / "elsewhere.json")
    ratios = ["--ratios", "a=1"] if command == "split" else []
    result = run(command, IMAGES, out, "--to", "coco", "--allow-loss", "--overwrite", *ratios, side, side_path)
    what = "report" if side == "--report" else "lockfile"
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {side_path}: the {what} is inside the output; hint: choose another {what} path\n",
    )
    assert [p.name for p in out.iterdir()] == ["side.json"] and not (tmp_path / "elsewhere.json").exists()


def _same_folder(monkeypatch: pytest.MonkeyPatch, alias: Path, folder: Path) -> None:
    """Make the file system take ``alias`` for ``folder`` (as a case-insensitive one, or a bind mount, does)."""
    real_samefile = os.path.samefile

    def samefile(a: Any, b: Any) -> bool:
        def folded(p: Any) -> str:
            return os.path.abspath(p).replace(str(alias), str(folder))

        return folded(a) == folded(b) and os.path.exists(folded(a)) or real_samefile(a, b)

    monkeypatch.setattr(os.path, "samefile", samefile)


@pytest.mark.parametrize("side", ["output", "report"])
def test_an_output_or_report_naming_the_input_s_folder_another_way_is_refused(
    side: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compared by name, ``convert data/x.json DATA --overwrite`` was allowed where ``DATA`` is ``data`` (macOS,
    Windows; on Linux, a bind mount): the folder holding the input was replaced, input and all, and a report
    over ``DATA/x.json`` overwrote it. Here ``DATA`` is a folder of its own that the file system says is ``data``,
    as a case-insensitive one does."""
    data, alias = tmp_path / "data", tmp_path / "DATA"
    data.mkdir()
    alias.mkdir()
    src = data / "x.labelkit.json"
    shutil.copyfile(IMAGES, src)
    shutil.copyfile(IMAGES, alias / "x.labelkit.json")
    _same_folder(monkeypatch, alias, data)
    if side == "output":
        result = run("convert", src, alias, "--to", "coco", "--allow-loss", "--overwrite")
        expected = (
            f"{alias}: the output holds the input (replacing it would remove it); hint: inputs are never modified: "
            "choose another output"
        )
    else:
        report = alias / "x.labelkit.json"
        result = run("convert", src, tmp_path / "out", "--to", "coco", "--allow-loss", "--report", report)
        expected = f"{report}: the report is the input; hint: choose another report path"
    assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {expected}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DATA", "data"]
    assert (alias / "x.labelkit.json").read_bytes() == src.read_bytes() == IMAGES.read_bytes()


def test_the_home_folder_named_another_way_is_never_an_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compared by name, ``convert x.json /users/me --overwrite`` replaced the home ``/Users/me`` (macOS and
    Windows take the names for one; so does a bind mount). Here ``HOME/me`` is a folder of its own that the
    file system says is ``home/me``, as a case-insensitive one does."""
    home, alias = tmp_path / "home", tmp_path / "HOME"
    for folder in (home, alias):
        (folder / "me/notes").mkdir(parents=True)
        (folder / "me/notes/a.txt").write_text("keep")
    _same_folder(monkeypatch, alias, home)
    monkeypatch.setenv("HOME", str(home / "me"))
    monkeypatch.chdir(tmp_path)
    for out in (alias / "me", alias):
        result = run("convert", IMAGES, out, "--to", "parquet", "--overwrite")
        assert (result.exit_code, result.stderr) == (
            2,
            f"labelkit: error: {out}: the output is the home folder or holds it; hint: choose another output\n",
        )
    assert (alias / "me/notes/a.txt").read_text() == (home / "me/notes/a.txt").read_text() == "keep"


def test_a_report_path_that_is_a_link_leading_nowhere_is_refused_before_any_work(tmp_path: Path) -> None:
    """The report is written through a link at its path: a link into a folder that does not exist passed the check
    (its own folder exists) and the write failed once the output was in place (exit 2, the output left behind)."""
    report = tmp_path / "report.json"
    report.symlink_to(tmp_path / "gone/report.json")
    out = tmp_path / "out"
    result = run("convert", IMAGES, out, "--to", "coco", "--allow-loss", "--report", report)
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {report}: cannot write the report: the path has no folder to go in\n",
    )
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


@pytest.mark.parametrize("target", ["coco", "yolo", "voc", "labelkit", "parquet"])
@pytest.mark.parametrize("table", ["items", "objects"])
def test_a_record_without_an_id_is_refused_before_writing_whatever_the_target(
    target: str, table: str, tmp_path: Path
) -> None:
    """Only Dataset.from_tables can give one: COCO's writer stopped with a TypeError, YOLO named its files None."""
    import pyarrow as pa

    from labelkit.model import Category, Dataset

    items = pa.table({"id": pa.array(["a" if table != "items" else None], pa.string()), "path": ["a.jpg"]})
    items = items.append_column("width", pa.array([10])).append_column("height", pa.array([10]))
    objects = pa.table({"id": pa.array([None if table == "objects" else "1"], pa.string()), "item_id": ["a"]})
    objects = objects.append_column("category_id", pa.array([1])).append_column(
        "bbox", pa.array([[1.0, 1.0, 2.0, 2.0]], pa.list_(pa.float64(), 4))
    )
    ds = Dataset.from_tables({"items": items, "objects": objects}, [Category(id=1, name="c")])
    for call in (lambda: labelkit.plan(ds, target), lambda: labelkit.save(ds, tmp_path / "o", target, allow_loss=True)):
        with pytest.raises(OutputError) as info:
            call()
        assert info.value.message == f"{table} row 0: id is missing"
    assert list(tmp_path.iterdir()) == []


CANNOT_HOLD = {
    "coco": "COCO cannot hold",
    "yolo": "YOLO detect cannot hold",
    "voc": "Pascal VOC cannot hold",
    "labelkit": "JSON cannot hold",
    "parquet": "labelkit Parquet does not hold",
}


@pytest.mark.parametrize("target", sorted(CANNOT_HOLD))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("column", ["bbox", "polygon", "angle"])
def test_nan_or_infinity_is_refused_before_writing_whatever_the_target(
    target: str, bad: float, column: str, tmp_path: Path
) -> None:
    """Only Dataset.from_tables can give one: YOLO wrote a NaN box's width as 0.0, VOC a NaN corner as the other
    corner, and an infinite one was clipped to the image (COCO and both native writers refused them already)."""
    import pyarrow as pa

    from labelkit.model import Category, Dataset

    values = {
        "bbox": [[1.0, 1.0, 2.0, 2.0]] * 2,
        "polygon": [None, [[1.0, 1.0, 5.0, 1.0, 5.0, 5.0]]],
        "angle": [0.0] * 2,
    }
    if column == "polygon":
        values[column][1] = [[1.0, 1.0, 5.0, bad, 5.0, 5.0]]
    elif column == "bbox":
        values[column][1] = [1.0, 1.0, bad, 2.0]
    else:
        values[column][1] = bad
    items = pa.table({"id": ["a"], "path": ["a.jpg"], "width": [10], "height": [10]})
    objects = pa.table({"id": ["1", "2"], "item_id": ["a", "a"], "category_id": [1, 1], **values})
    ds = Dataset.from_tables({"items": items, "objects": objects}, [Category(id=1, name="c")])
    message = f"{CANNOT_HOLD[target]} NaN or infinity, found in objects.{column} (first at objects row 1)"
    for call in (lambda: labelkit.plan(ds, target), lambda: labelkit.save(ds, tmp_path / "o", target, allow_loss=True)):
        with pytest.raises(OutputError) as info:
            call()
        assert info.value.message == message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "over"), [("convert", "--report"), ("convert", "output"), ("split", "--lock"), ("split", "output")]
)
def test_the_image_size_file_a_read_option_names_is_an_input_never_written_over(
    command: str, over: str, tmp_path: Path
) -> None:
    """``-o image_sizes=FILE`` is read as the input is, from anywhere: ``--report`` (or ``--lock``) naming it
    overwrote it with the report, and an output holding it (``--overwrite``) removed it."""
    labels = tmp_path / "ds" / "labels"
    labels.mkdir(parents=True)
    (labels / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "ds" / "classes.txt").write_text("cat\n")
    work = tmp_path / "work"
    work.mkdir()
    sizes = work / "sizes.json"
    sizes.write_bytes(b'{"images/a.jpg": [100, 50]}\n')
    out, side = (tmp_path / "out", ["--report" if over == "--report" else "--lock", sizes])
    if over == "output":
        out, side = work, []
    ratios = ["--ratios", "train=1"] if command == "split" else []
    for option in ("image_sizes", "read.image_sizes"):
        result = run(
            command, tmp_path / "ds", out, "--to", "coco", *ratios, "-o", f"{option}={sizes}", "--overwrite", *side
        )
        if over == "output":
            expected = (
                f"{work}: the output holds the input's image size file (image_sizes) (replacing it would remove it)"
            )
            hint = "inputs are never modified: choose another output"
        else:
            what = "report" if over == "--report" else "lockfile"
            expected, hint = (
                f"{sizes}: the {what} is the input's image size file (image_sizes)",
                f"choose another {what} path",
            )
        assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {expected}; hint: {hint}\n")
        assert sizes.read_bytes() == b'{"images/a.jpg": [100, 50]}\n' and os.listdir(work) == ["sizes.json"]
        assert not (tmp_path / "out").exists()
    result = run(command, tmp_path / "ds", tmp_path / "out", "--to", "coco", *ratios, "-o", f"image_sizes={sizes}")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("as_json", [False, True])
def test_validate_exits_1_for_its_findings_also_when_their_reader_closes_the_pipe(
    as_json: bool, tmp_path: Path
) -> None:
    """``labelkit validate x | head`` exited 0 when head closed the pipe before the findings were printed: a
    pipeline (``set -o pipefail``) took a file with findings for a clean one."""
    doc = orjson.loads((FIXTURES / "native" / "images.labelkit.json").read_bytes())
    for annotation in doc["annotations"]:
        annotation["category_id"] = 99
    path = tmp_path / "bad.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    script = (
        "import subprocess, sys\n"
        f"args = [sys.executable, '-m', 'labelkit', 'validate', *{['--json'] if as_json else []!r}, {str(path)!r}]\n"
        "p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.close()\n"
        "err = p.stderr.read(); code = p.wait()\n"
        "sys.stdout.write(f'{code}|{err.decode()}')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out == "1|"
    assert run("validate", path).exit_code == 1


@pytest.mark.parametrize(
    ("fmt", "source"), [("labelkit", "native/images.labelkit.json"), ("coco", "coco/annotations/instances_val.json")]
)
def test_validate_reads_a_pipe_given_as_input_once(fmt: str, source: str, tmp_path: Path) -> None:
    """The checks read their file twice (the schema, then the records): a pipe was empty the second time, so a
    clean file piped in was one finding, ``/dev/stdin:1: invalid JSON at column 1: Input is a zero-length, empty
    document``, and exit 1."""
    doc = orjson.loads((FIXTURES / source).read_bytes())

    def validate(data: bytes) -> tuple[int, str, str]:
        cmd = [sys.executable, "-m", "labelkit", "validate", "--format", fmt, "/dev/stdin"]
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=60, cwd=ROOT)
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    assert validate(orjson.dumps(doc)) == (0, "/dev/stdin: ok\n", "")
    doc["annotations"][1]["category_id"] = 99
    (tmp_path / "stdin").write_bytes(orjson.dumps(doc))
    [finding] = labelkit.validate(tmp_path / "stdin", fmt)
    assert finding.where == "#/annotations/1/category_id"
    assert validate(orjson.dumps(doc)) == (1, f"/dev/stdin{finding.where}: {finding.message}\n", "")


def test_pillow_s_warning_on_a_broken_exif_block_is_not_printed(tmp_path: Path) -> None:
    """A photo whose EXIF block is cut short (phone and editing tools write such) is read for its size, and its
    orientation where the tag comes first; Pillow's ``UserWarning: Corrupt EXIF data. Expecting to read 12 bytes
    but only got 1.`` was printed with its source line after ``labelkit info``'s output."""
    import struct

    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    orientation = struct.pack("<HHII", 0x0112, 3, 1, 6)  # turned 90 degrees: 64 x 48 is displayed 48 x 64
    exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00" + struct.pack("<H", 5) + orientation + b"\x01"  # 5 tags, 1 there
    Image.new("RGB", (64, 48)).save(root / "images" / "train" / "a.jpg", exif=exif)
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [cat]\n")
    out = tmp_path / "out.json"
    cmd = [sys.executable, "-m", "labelkit", "convert", str(root), str(out), "--to", "labelkit", "-q"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert labelkit.load(out).table("items").select(["width", "height"]).to_pylist() == [{"width": 48, "height": 64}]


@pytest.mark.parametrize("case", ["loss", "missing"])
def test_the_exit_code_says_what_happened_also_when_stderr_s_reader_went_away(case: str, tmp_path: Path) -> None:
    """``labelkit convert ... 2>&1 | head -1``: head left after the first ``lost:`` line, the next line met a
    closed pipe, and click's handler of it exited 1, which is validate's "found problems", not 2."""
    src = FIXTURES / "native" / "images.labelkit.json" if case == "loss" else tmp_path / "nope.json"
    cmd = [sys.executable, "-m", "labelkit", "convert", str(src), str(tmp_path / "out"), "--to", "coco"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert p.stderr is not None
    p.stderr.close()  # (before any line: every write meets a closed pipe)
    assert p.wait(timeout=60) == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("target", ["coco", "yolo", "voc", "labelkit", "parquet"])
def test_two_items_of_one_id_are_refused_before_writing_whatever_the_target(target: str, tmp_path: Path) -> None:
    """Only a dataset built in code has them: YOLO wrote the object to the first item, COCO to the second, VOC
    reported the second lost, without a word on the cause; the native writers refused."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="v", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add_item(Item(id="w", media=Media(path="c.jpg", width=10, height=10), split="train"))
    ds.add_item(Item(id="v", media=Media(path="b.jpg", width=20, height=20), split="train"))
    ds.add(Object(id="1", item_id="v", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    _refused_by_plan_and_save(ds, target, tmp_path, "items row 2: duplicate item id 'v'")


def _refused_by_plan_and_save(ds: Any, target: str, tmp_path: Path, message: str) -> None:
    """``plan`` and ``save`` (``allow_loss``) to ``target`` both refuse ``ds`` with ``message``; nothing is written."""
    for call in (lambda: labelkit.plan(ds, target), lambda: labelkit.save(ds, tmp_path / "o", target, allow_loss=True)):
        with pytest.raises(OutputError) as info:
            call()
        assert info.value.message == message
    assert list(tmp_path.iterdir()) == []


VIDEO = FIXTURES / "native" / "video.labelkit.json"


def test_convert_dry_run_prints_the_report_writes_nothing_and_exits_as_a_real_run(tmp_path: Path) -> None:
    """*Command line*: ``--dry-run`` reads and plans, prints the report a real run prints (``written`` aside),
    writes nothing but ``--report``, and exits as the real run would (the README spoke of a dry run that no
    command had: only ``labelkit.plan`` did it)."""
    out, report = tmp_path / "out.parquet", tmp_path / "r.json"
    result = run("convert", IMAGES, out, "--to", "parquet", "--dry-run", "--report", report)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{IMAGES} (labelkit) -> {out} (parquet): dry run, nothing written\n"
        "read: 3 items, 1 label annotations, 9 object annotations\n"
        f"note: {labelkit.api.DRY_RUN_NOTE}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert orjson.loads(report.read_bytes()) == {
        "source": "labelkit",
        "target": "parquet",
        "read": {"items": 3, "label annotations": 1, "object annotations": 9},
        "written": {},
        "lost": [],
        "transformed": [],
        "notes": [labelkit.api.DRY_RUN_NOTE],
    }
    report.unlink()
    # refused for loss: the real run's lines and exit code, nothing written
    real = run("convert", VIDEO, tmp_path / "o", "--to", "coco")
    dry = run("convert", VIDEO, tmp_path / "o", "--to", "coco", "--dry-run")
    assert (dry.exit_code, dry.stdout, dry.stderr) == (2, "", real.stderr)
    assert real.exit_code == 2 and real.stderr.startswith("labelkit: lost: 1 video items: COCO holds image items")
    allowed = run("convert", VIDEO, tmp_path / "o", "--to", "coco", "--dry-run", "--allow-loss")
    assert allowed.exit_code == 0
    lines = allowed.stdout.splitlines()
    assert lines[0] == f"{VIDEO} (labelkit) -> {tmp_path / 'o'} (coco): dry run, nothing written"
    assert lines[1] == "read: 1 items, 1 label annotations, 6 object annotations, 2 track annotations"
    assert lines[2] == "lost: 1 video items: COCO holds image items only: they are not written"
    assert lines[-1] == f"note: {labelkit.api.DRY_RUN_NOTE}" and not any(x.startswith("written") for x in lines)
    assert list(tmp_path.iterdir()) == []
    # an existing output: refused as a real run refuses it, and left as it was
    out.mkdir()
    (out / "x").write_text("x")
    exists = run("convert", IMAGES, out, "--to", "parquet", "--dry-run")
    assert (exists.exit_code, exists.stdout) == (2, "")
    assert (
        exists.stderr
        == f"labelkit: error: {out}: output exists; hint: pass --overwrite (API: overwrite=True) to replace it\n"
    )
    assert run("convert", IMAGES, out, "--to", "parquet", "--dry-run", "--overwrite", "-q").output == ""
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"] and [p.name for p in out.iterdir()] == ["x"]


def test_split_dry_run_writes_neither_output_nor_lockfile(tmp_path: Path) -> None:
    out, lock, report = tmp_path / "out.json", tmp_path / "lock.json", tmp_path / "r.json"
    args = ["split", IMAGES, out, "--ratios", "train=0.5,val=0.5", "--lock", lock, "--report", report]
    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    real = run(*args)
    assert real.exit_code == 0, real.output
    # the same lines, but the first line's end, the written counts and the dry run's note
    assert dry.stdout.splitlines()[0] == real.stdout.splitlines()[0] + ": dry run, nothing written"
    assert dry.stdout.splitlines()[1:] == [
        line for line in real.stdout.splitlines()[1:] if not line.startswith("written: ")
    ] + [f"note: {labelkit.api.DRY_RUN_NOTE}"]
    assert real.stdout.count("\nwritten: 3 items") == 1 and sorted(p.name for p in tmp_path.iterdir()) == [
        "lock.json",
        "out.json",
        "r.json",
    ]


def test_save_dry_run_writes_nothing_and_refuses_what_the_write_refuses(tmp_path: Path) -> None:
    ds = labelkit.load(IMAGES)
    report = labelkit.save(ds, tmp_path / "o.parquet", "parquet", dry_run=True)
    assert (report.written, report.notes) == ({}, [labelkit.api.DRY_RUN_NOTE])
    assert report.read == {"items": 3, "label annotations": 1, "object annotations": 9}
    (tmp_path / "o.parquet").mkdir()
    (tmp_path / "o.parquet" / "x").write_text("x")
    with pytest.raises(OutputError, match="output exists"):
        labelkit.save(ds, tmp_path / "o.parquet", "parquet", dry_run=True)
    with pytest.raises(labelkit.DataLossError):
        labelkit.convert(VIDEO, tmp_path / "c", to="coco", dry_run=True)
    assert [p.name for p in tmp_path.iterdir()] == ["o.parquet"]


def test_a_plan_and_a_dry_run_refuse_yolo_classify_without_the_images(tmp_path: Path) -> None:
    """The plan reported nothing, and the save then failed: classify's classes are image folders."""
    from labelkit.errors import UsageError

    message = (
        "YOLO classify stores classes as image folders, so it needs the images; "
        "hint: add -o media=copy (or link) -o media_root=FOLDER"
    )
    ds = labelkit.load(IMAGES)
    for options in ({}, {"media_root": str(tmp_path)}, {"media": "none", "media_root": "m"}):
        with pytest.raises(UsageError) as caught:
            labelkit.plan(ds, "yolo", task="classify", **options)
        assert str(caught.value) == message
    with pytest.raises(UsageError) as caught:  # (as a dry run and a write say it, of any task)
        labelkit.plan(ds, "yolo", task="classify", media="copy")
    assert str(caught.value) == "media=copy or link needs the images' folder; hint: add -o media_root=FOLDER"
    (tmp_path / "images").mkdir()
    for item in ds.items():  # (a plan refuses an image missing from media_root, as the write does)
        Image.new("RGB", (64, 48)).save(tmp_path / str(item.media.path))
    assert labelkit.plan(ds, "yolo", task="classify", media="link", media_root=str(tmp_path)).lost
    out = tmp_path / "o"
    result = run("convert", IMAGES, out, "--to", "yolo", "-o", "task=classify", "--dry-run", "--allow-loss")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"labelkit: error: {message}\n")
    assert not out.exists()


@pytest.mark.parametrize("target", ["yolo", "voc"])
@pytest.mark.parametrize("media", ["copy", "link"])
def test_an_unsafe_image_path_to_copy_names_the_item_and_the_input(target: str, media: str, tmp_path: Path) -> None:
    """The error named only the images' folder (``root: unsafe file name '../outside/secret.jpg'``)."""
    root = tmp_path / "media"
    (root / "images").mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(root / "images" / "ok.jpg")
    (tmp_path / "outside").mkdir()
    Image.new("RGB", (64, 48)).save(tmp_path / "outside" / "secret.jpg")
    doc = orjson.loads(IMAGES.read_bytes())
    doc["items"] = [
        {"id": "ok", "media": {"kind": "image", "path": "images/ok.jpg", "width": 64, "height": 48}, "split": "train"},
        {"id": "i1", "media": {"kind": "image", "path": "../outside/secret.jpg", "width": 64, "height": 48}},
    ]
    doc["annotations"], doc["categories"] = [], [{"id": 1, "name": "c"}]
    src = tmp_path / "in.labelkit.json"
    src.write_bytes(orjson.dumps(doc))
    out = tmp_path / "out"
    for dry in ([], ["--dry-run"]):
        args = ["convert", src, out, "--to", target, "-o", f"media={media}", "-o", f"media_root={root}", *dry]
        result = run(*args, "--allow-loss")
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (
            f"labelkit: error: {src}: item 'i1': unsafe file name '../outside/secret.jpg' (an image to {media} "
            "from media_root); hint: an image copied or linked must lie inside media_root: give a relative path "
            "without '..', or use -o media=none\n"
        )
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.labelkit.json", "media", "outside"]
    ds = labelkit.load(src)
    with pytest.raises(InputError) as caught:
        labelkit.save(ds, out, target, media=media, media_root=str(root), allow_loss=True)
    assert caught.value.location.path == str(root) and "item 'i1': unsafe file name" in str(caught.value)
    written = labelkit.save(ds, out, target, media="none", allow_loss=True)  # (nothing is copied: no refusal)
    assert written.written["items"] == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_labelkit_json_is_said_to_be_utf16(codec: str, tmp_path: Path) -> None:
    """It was "no format recognises this input" (and with --format labelkit "bad UTF-8 byte 0xff")."""
    path = tmp_path / "u.labelkit.json"
    path.write_bytes(IMAGES.read_text().encode(codec))
    error = f"{path}:1: text is UTF-16 or UTF-32; labelkit JSON must be UTF-8"
    for args in (
        ["info", path],
        ["info", path, "--format", "labelkit"],
        ["convert", path, tmp_path / "o", "--to", "coco"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"labelkit: error: {error}; hint: save the file as UTF-8\n"
    assert labelkit.detect(path).format == "labelkit"
    result = run("validate", path)
    assert (result.exit_code, result.stdout) == (1, f"{error}\n")
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("case", ["internal", "interrupted"])
def test_an_internal_error_or_an_interrupt_keeps_its_exit_code_when_stderr_s_reader_went_away(
    case: str, tmp_path: Path
) -> None:
    """Only labelkit's own errors kept theirs: these two met the closed pipe and click's handler exited 1."""
    raised = "ZeroDivisionError" if case == "internal" else "KeyboardInterrupt"
    script = (
        "import labelkit.api as api\n"
        f"def boom(*args, **kwargs): raise {raised}\n"
        "api.stats = boom\n"
        "from labelkit.cli import main\n"
        "main()\n"
    )
    cmd = [sys.executable, "-c", script, "info", str(IMAGES)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert p.stderr is not None
    p.stderr.close()  # (before any line: every write meets a closed pipe)
    assert p.wait(timeout=60) == (2 if case == "internal" else 130)


def test_info_escapes_control_characters_in_names(tmp_path: Path) -> None:
    """A category named ``"c\\nd"`` broke its line of ``info`` (and a terminal escape was printed raw, and so was a
    right-to-left override, U+202E, which turned the rest of its line round)."""
    doc = {
        "format": "labelkit",
        "version": 1,
        "categories": [{"id": 1, "name": "c\nd"}, {"id": 2, "name": "e\x1b[31mf"}, {"id": 3, "name": "g\u202eh"}],
        "items": [
            {"id": "a", "media": {"kind": "image", "path": "a.jpg", "width": 9, "height": 9}, "split": "t\u2028v"}
        ],
        "annotations": [
            {"kind": "object", "id": str(i), "item_id": "a", "category_id": i, "shape": "box", "bbox": [0, 0, 1, 1]}
            for i in (1, 2, 3)
        ],
    }
    path = tmp_path / "nl\tx.labelkit.json"
    path.write_bytes(orjson.dumps(doc))
    result = run("info", path)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{tmp_path}/nl\\tx.labelkit.json (labelkit)\n"
        "items: 1  image: 1\n"
        "splits: t\\u2028v 1\n"
        "categories: 3\n"
        "annotations: object 3\n"
        "per category:\n"
        "  c\\nd        object 1\n"
        "  e\\x1b[31mf  object 1\n"
        "  g\\u202eh    object 1\n"
        "per split:\n"
        "  t\\u2028v  object 3\n"
    )


@pytest.mark.parametrize("command", ["convert", "split"])
def test_a_run_failing_for_another_reason_than_loss_leaves_no_report_of_an_earlier_run(
    command: str, tmp_path: Path
) -> None:
    """The earlier run's report stayed, to be taken for this run's; a run refused for loss writes its own."""
    report, out = tmp_path / "r.json", tmp_path / "out"
    extra = ["--to", "parquet"] if command == "convert" else ["--ratios", "a=0.5,b=0.5", "--to", "parquet"]
    assert run(command, IMAGES, out, *extra, "--report", report).exit_code == 0
    assert report.exists()
    failed = run(command, IMAGES, out, *extra, "--report", report)  # the output exists
    assert failed.exit_code == 2 and "output exists" in failed.stderr
    assert not report.exists()
    missing = run(command, tmp_path / "nope.json", tmp_path / "o2", *extra, "--report", report)
    assert missing.exit_code == 2 and not report.exists()
    lossy = ["--to", "coco"] if command == "convert" else ["--ratios", "a=0.5,b=0.5", "--to", "coco"]
    refused = run(command, VIDEO, tmp_path / "o3", *lossy, "--report", report)
    assert refused.exit_code == 2 and "would lose" in refused.stderr
    written = orjson.loads(report.read_bytes())
    assert (written if command == "convert" else written["output"])["notes"][-1] == labelkit.api.REFUSED_NOTE
    assert (written if command == "convert" else written["output"])["source"] == "labelkit"  # (split's was null)
    # a report path that is not a regular file is left alone
    (tmp_path / "target.json").write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    assert run(command, IMAGES, out, *extra, "--report", link).exit_code == 2
    assert link.is_symlink() and (tmp_path / "target.json").read_text() == "{}"


def test_an_interrupt_on_a_terminal_breaks_the_line_after_the_terminal_s_echo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the message printed a literal \\n before it (the line break went through the escaping of
    error lines): '^C\\nlabelkit: interrupted'."""

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with pytest.raises(click.exceptions.Exit) as done, click.Context(cli) as ctx:
        cli_module._interrupted(ctx)
    assert (done.value.exit_code, capsys.readouterr().err) == (130, "\nlabelkit: interrupted\n")


@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_a_bad_labelkit_json_piped_in_gets_its_own_error(codec: str, tmp_path: Path) -> None:
    """Its error was 'invalid JSON at column 1: Input is a zero-length, empty document': the bulk reader had
    read the pipe to its end, and the record reader, which names the error, found it empty."""
    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][0]["category_id"] = "x"
    out = str(tmp_path / "o")
    for command in (["info", "/dev/stdin", "--format", "labelkit"], ["convert", "/dev/stdin", out, "--to", "parquet"]):
        cmd = [sys.executable, "-m", "labelkit", *command, *(["--from", "labelkit"] if "convert" in command else [])]
        piped = subprocess.run(
            cmd, input=orjson.dumps(doc).decode().encode(codec), capture_output=True, cwd=ROOT, timeout=60
        )
        assert (piped.returncode, piped.stdout) == (2, b"")
        assert piped.stderr.decode() == (
            "labelkit: error: /dev/stdin#/annotations/0/category_id: Input should be a valid integer\n"
            if codec == "utf-8"
            else "labelkit: error: /dev/stdin:1: text is UTF-16 or UTF-32; labelkit JSON must be UTF-8; "
            "hint: save the file as UTF-8\n"
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this system")
@pytest.mark.parametrize("nohup", [False, True])
def test_sighup_while_writing_is_an_interrupt_unless_ignored(tmp_path: Path, nohup: bool) -> None:
    """SIGHUP (a closed terminal, a dropped ssh session) ended the process where it was, leaving the half-written
    output as ``.out.labelkit-tmp-*``; under ``nohup``, which ignores it, the conversion goes on as before."""
    # (not under nohup, SIGHUP is set to its default, as a terminal's shell starts it: the test may run under nohup,
    # whose SIG_IGN is inherited)
    handler = "SIG_IGN" if nohup else "SIG_DFL"
    done = _signalled_while_writing("SIGHUP", handler, tmp_path / "out", "--allow-loss", "-q")
    if nohup:
        assert (done.returncode, done.stderr) == (0, "") and os.listdir(tmp_path) == ["out"]
    else:
        assert (done.returncode, done.stdout, done.stderr) == (130, "", "labelkit: interrupted\n")
        assert os.listdir(tmp_path) == []


def test_an_empty_output_report_or_lockfile_path_names_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty OUTPUT, ``--report`` or ``--lock`` (``convert x.json "$OUT"`` with OUT unset) was ``Path("")``:
    refused as ``.``, the current folder (``.: the output is the current folder or holds it``), or for the
    report and lockfile ``.: ... the path is a folder``, naming a path the user never gave. It names no file."""
    monkeypatch.chdir(tmp_path)
    for args, what in (
        (["convert", IMAGES, "", "--to", "labelkit"], "output"),
        (["convert", IMAGES, "o.json", "--to", "labelkit", "--report", ""], "report"),
        (["split", IMAGES, "", "--ratios", "train=1"], "output"),
        (["split", IMAGES, "o.json", "--ratios", "train=1", "--lock", ""], "lockfile"),
        (["split", IMAGES, "o.json", "--ratios", "train=1", "--report", ""], "report"),
    ):
        result = run(*args)
        expected = f"labelkit: error: an empty path names no file or folder; hint: give the {what} a name\n"
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), args
    assert list(tmp_path.iterdir()) == []
    for call in (
        lambda: labelkit.save(labelkit.load(IMAGES), "", "labelkit"),
        lambda: labelkit.convert(IMAGES, "", to="labelkit"),
    ):
        with pytest.raises(OutputError) as caught:
            call()
        assert (caught.value.location.path, caught.value.message) == (None, "an empty path names no file or folder")


def test_an_option_of_one_value_given_twice_is_an_error(tmp_path: Path) -> None:
    """``--to yolo --to coco`` wrote COCO, the last value winning unsaid (as ``-o task=...`` twice did), in every
    command: ``--from``, ``--format``, ``--report``, ``--seed``, ``--ratios`` too. Flags may repeat; ``--help`` wins."""
    out = tmp_path / "o"
    for args, name in (
        (["convert", IMAGES, out, "--to", "yolo", "--to", "parquet"], "--to"),
        (["convert", IMAGES, out, "--to=parquet", "--to", "parquet"], "--to"),
        (["convert", "--from", "coco", IMAGES, out, "--from", "labelkit", "--to", "parquet"], "--from"),
        (["convert", IMAGES, out, "--to", "parquet", "--report", "a.json", "--report", "b.json"], "--report"),
        (["info", "--format", "coco", "--format", "labelkit", IMAGES], "--format"),
        (["validate", IMAGES, "--format", "labelkit", "--format", "labelkit"], "--format"),
        (["split", IMAGES, out, "--ratios", "a=1", "--ratios", "a=0.5,b=0.5"], "--ratios"),
        (["split", IMAGES, out, "--ratios", "a=1", "--seed", "1", "--seed", "2"], "--seed"),
    ):
        result = run(*args)
        expected = f"labelkit: error: option {name} is given twice; hint: give {name} once\n"
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", expected), args
    assert list(tmp_path.iterdir()) == []
    repeated = run("convert", IMAGES, out, "--to", "parquet", "--overwrite", "--overwrite", "-q", "--quiet")
    assert (repeated.exit_code, repeated.stdout, repeated.stderr) == (0, "", "")
    helped = run("convert", IMAGES, out, "--to", "a", "--to", "b", "--help")
    assert helped.exit_code == 0 and helped.stdout.startswith("Usage: cli convert [OPTIONS] INPUT OUTPUT\n")


def test_info_tells_apart_categories_that_share_a_name(tmp_path: Path) -> None:
    """``names: [car, car, bus]`` (a hand-edited data.yaml): ``info`` printed one ``car  object 3`` line for
    two classes, keyed by name, so neither class's count could be seen; a COCO category named ``(none)`` was
    merged with the annotations without a category. Each now shows with its id; other names are unchanged."""
    root = tmp_path / "d"
    (root / "labels/train").mkdir(parents=True)
    (root / "images/train").mkdir(parents=True)
    (root / "data.yaml").write_text("names: [car, car, bus]\ntrain: images/train\nval: images/train\n")
    (root / "labels/train/a.txt").write_text(
        "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.1 0.1\n"
    )
    result = run("info", root, "-o", "image_size=10x10")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("per category:\n")[1].split("per split:")[0] == (
        "  bus     object 1\n  car #0  object 1\n  car #1  object 2\n"
    )
    coco = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}],
        "categories": [{"id": 3, "name": "(none)"}],
    }
    (tmp_path / "c.json").write_bytes(orjson.dumps(coco))
    assert labelkit.stats(tmp_path / "c.json").by_category == {"(none) #3": {"object": 1}}
    assert labelkit.stats(IMAGES).by_category == expected_info(IMAGES)["annotations_by_category"]


def test_info_tells_apart_a_category_named_as_another_is_shown(tmp_path: Path) -> None:
    """Beside two ``car`` categories, shown ``car #1`` and ``car #2``, a third named ``car #1`` had its counts on
    the first's line (``car #1  label 4``): it takes its id too, each count on a line of its own."""
    src = tmp_path / "c.labelkit.json"
    categories = [{"id": 1, "name": "car"}, {"id": 2, "name": "car"}, {"id": 3, "name": "car #1"}]
    labels = [{"kind": "label", "id": str(i), "item_id": "a", "category_id": c} for i, c in enumerate([1, 2, 3, 3, 3])]
    doc = {"format": "labelkit", "version": 1, "categories": categories, "items": [{"id": "a"}], "annotations": labels}
    src.write_bytes(orjson.dumps(doc))
    assert labelkit.stats(src).by_category == {
        "car #1": {"label": 1},
        "car #1 #3": {"label": 3},
        "car #2": {"label": 1},
    }


def test_info_tells_apart_a_category_named_as_an_unknown_category_id_is_shown() -> None:
    """Annotations of a category id no category has are shown ``#7``: a category named ``#7`` had its counts on
    that line (``#7  object 2``); it takes its id, as a category named ``(none)`` does."""
    ds = Dataset(categories=[Category(id=1, name="#7")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 2, 2)))
    ds.add(Object(id="2", item_id="a", category_id=7, bbox=(1, 1, 2, 2)))
    ds.add(Object(id="3", item_id="a", category_id=7, bbox=(1, 1, 2, 2)))
    assert ds.stats().by_category == {"#7": {"object": 2}, "#7 #1": {"object": 1}}


def test_a_validate_finding_names_the_place_its_error_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A finding at a line and a key (or element) gave the line alone (``data.yaml:2: ...``), where ``info`` and
    ``convert`` name both (``data.yaml:2 <nc>: ...``): the finding now names all its error's place."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    Path("data.yaml").write_text("names: [a]\nnc: 2.5\ntrain: images\n")
    where = "data.yaml:2 <nc>: nc must be a class count (expected a whole number, found 2.5)"
    assert (run("info", ".").exit_code, run("info", ".").stderr) == (2, f"labelkit: error: {where}\n")
    result = run("validate", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (1, f"{where}\n", "")
    assert [f.to_dict() for f in labelkit.validate(".")] == [
        {"path": "data.yaml", "where": ":2 <nc>", "message": where.split(": ", 1)[1], "severity": "error"}
    ]


@pytest.mark.parametrize("command", ["convert", "split"])
def test_an_output_writing_would_refuse_is_refused_before_the_input_is_read(command: str, tmp_path: Path) -> None:
    """An output that exists (without --overwrite) or whose parent folder does not exist (a typo) was refused
    only after the whole input had been read and planned: seconds to minutes on a large COCO file, with the
    status line drawn. Now before reading: a bad input is not even looked at, and nothing is drawn."""
    old, bad = tmp_path / "old", tmp_path / "bad.labelkit.json"
    old.mkdir()
    (old / "x").write_bytes(b"")
    bad.write_bytes(b'{"format": "labelkit", "items": [}')  # (an error of its own, were it read)
    extra = ["--to", "parquet"] if command == "convert" else ["--ratios", "train=1", "--to", "parquet"]
    for out, error in (
        (old, f"{old}: output exists; hint: pass --overwrite (API: overwrite=True) to replace it"),
        (tmp_path / "nope" / "o", f"{tmp_path / 'nope'}: the output's parent folder does not exist"),
        (old / "x" / "o", f"{old / 'x'}: the output's parent is not a folder"),  # (a file: it was 'does not exist')
    ):
        result = run(command, bad, out, "--from", "labelkit", *extra)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"labelkit: error: {error}\n")
        done, drawn = _on_a_terminal(command, str(bad), str(out), "--from", "labelkit", *extra)
        assert (done.returncode, drawn) == (2, f"labelkit: error: {error}\r\n".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.labelkit.json", "old"]
    assert run(command, bad, old, "--from", "labelkit", *extra, "--overwrite").stderr.startswith(
        f"labelkit: error: {bad}:1: invalid JSON"
    )
    with pytest.raises(OutputError, match="output exists"):
        labelkit.convert(bad, old, to="parquet", from_format="labelkit")


def test_printed_paths_and_report_lines_escape_controls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r"""A path holding a line break or a terminal escape (``ESC]0;title BEL``, which sets a terminal's title, or
    ``ESC[2J``, which clears it) was printed raw by ``convert``, ``split`` and ``validate`` (their first line, an
    ``ok`` line, a finding, an error line): two lines for one, or a terminal driven by a file name. Escaped now,
    as ``info`` escapes them (click strips a CSI escape only when the output is not a terminal)."""
    monkeypatch.chdir(tmp_path)
    good, bad, out = "g\x1b[2J\n.labelkit.json", "b\x1b]0;t\x07.labelkit.json", "o\x1b[1m"
    shutil.copy(IMAGES, good)
    Path(bad).write_bytes(b'{"format": "labelkit", "items": [}')
    shown = {good: r"g\x1b[2J\n.labelkit.json", bad: r"b\x1b]0;t\x07.labelkit.json", out: r"o\x1b[1m"}

    def run_on_a_terminal(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), color=True)  # (color: escapes are not stripped, as on a terminal)

    assert run_on_a_terminal("validate", good).stdout == f"{shown[good]}: ok\n"
    result = run_on_a_terminal("convert", good, out, "--to", "parquet")
    assert result.stdout.splitlines()[0] == f"{shown[good]} (labelkit) -> {shown[out]} (parquet)"
    result = run_on_a_terminal("split", good, out + ".json", "--ratios", "train=1")
    assert result.stdout.splitlines()[0] == f"{shown[good]} (labelkit) -> {shown[out]}.json (labelkit)"
    result = run_on_a_terminal("info", bad)
    assert result.stderr.startswith(f"labelkit: error: {shown[bad]}:1: invalid JSON")
    assert "\x1b" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("option", ["--help", "-h", "--version"])
def test_the_group_s_help_or_version_into_a_closed_pipe_exits_0(option: str) -> None:
    """``labelkit --help | head -0``: ``labelkit convert --help`` exited 0 there, but the group's own --help and
    --version print while its options are parsed, outside the handler of a closed pipe: click's exited 1."""
    p = subprocess.Popen(
        [sys.executable, "-m", "labelkit", option], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # (before any line: every write meets a closed pipe)
    assert (p.wait(timeout=60), p.stderr.read()) == (0, b"")


def test_an_unrecognised_input_s_hint_names_split_s_from_too(tmp_path: Path) -> None:
    """The hint said ``--from (convert)``, though ``split`` takes ``--from`` as well."""
    (tmp_path / "x.txt").write_text("hi\n")
    hint = "hint: name the format: --from (convert, split) or --format (info, validate)\n"
    result = run("split", tmp_path / "x.txt", tmp_path / "o", "--ratios", "train=1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"labelkit: error: {tmp_path / 'x.txt'}: no format recognises this input " + (
        f"(expected coco, labelkit, parquet, voc, yolo); {hint}"
    )


def test_an_error_reading_the_format_named_says_which_format_the_input_looks_like(tmp_path: Path) -> None:
    """``--from labelkit`` on a COCO file said ``#/licenses: Extra inputs are not permitted`` and nothing more:
    the format named was wrong, and the error now says which one the input looks like (when it has no hint)."""
    coco = FIXTURES / "coco/annotations/instances_val.json"
    looks = "hint: it looks like coco (JSON with COCO 'images' and 'annotations'), not labelkit\n"
    for args in (
        ["info", "--format", "labelkit", coco],
        ["convert", "--from", "labelkit", coco, tmp_path / "o", "--to", "parquet"],
        ["split", "--from", "labelkit", coco, tmp_path / "o", "--ratios", "train=1", "--to", "parquet"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        # (which extra key is named first depends on pydantic's version: #/licenses, #/info/description)
        assert result.stderr.startswith(f"labelkit: error: {coco}#/")
        assert result.stderr.endswith(f": Extra inputs are not permitted; {looks}")
    with pytest.raises(InputError) as caught:
        labelkit.load(IMAGES, "coco")
    assert caught.value.hint == 'it looks like labelkit (JSON document with "format": "labelkit"), not coco'
    assert list(tmp_path.iterdir()) == []
    detected = run("info", coco)  # (named rightly, or not named: as before)
    assert detected.exit_code == 0 and run("info", "--format", "coco", coco).stdout == detected.stdout


def test_json_output_of_an_input_whose_name_is_not_utf8(tmp_path: Path) -> None:
    r"""``validate --json`` of a file named with bytes that are not UTF-8 (Python's ``\udcff``) was an internal
    error (orjson refuses such text): its path is written escaped, as the text output prints it."""
    folder = tmp_path / os.fsdecode(b"d\xff")
    folder.mkdir()
    doc = orjson.loads(IMAGES.read_bytes())
    doc["annotations"][0]["category_id"] = "x"
    (folder / "a.labelkit.json").write_bytes(orjson.dumps(doc))
    path = folder / "a.labelkit.json"
    shown = str(path).encode("utf-8", "backslashreplace").decode()  # (...d\udcff/a.labelkit.json)
    result = run("validate", "--json", path)
    assert (result.exit_code, result.stderr) == (1, "")
    assert [f["path"] for f in orjson.loads(result.stdout)] == [shown]
    assert result.stdout.count(shown.replace("\\", "\\\\")) == 1
    text = run("validate", path)
    assert text.stdout.startswith(f"{shown}#/annotations/0/category_id: ")
    clean = folder / "b.labelkit.json"
    shutil.copy(IMAGES, clean)
    assert orjson.loads(run("info", "--json", clean).stdout)["items"] == 3


@pytest.mark.parametrize(("command", "stage"), [("info", "reading labelkit"), ("validate", "validating")])
def test_info_and_validate_show_a_status_line_on_a_terminal(command: str, stage: str) -> None:
    """``info`` and ``validate`` drew nothing while they read (seconds on a large COCO file), where ``convert``
    and ``split`` draw a status line on a terminal; they draw one now, cleared before their output."""
    done, drawn = _on_a_terminal(command, str(IMAGES))
    assert done.returncode == 0
    assert drawn.startswith(f"\r\x1b[K{stage}... (".encode()) and drawn.endswith(b"\r\x1b[K")
    assert done.stdout == run(command, IMAGES).stdout.encode()
    piped = subprocess.run([sys.executable, "-m", "labelkit", command, str(IMAGES)], capture_output=True, cwd=ROOT)
    assert (piped.returncode, piped.stderr) == (0, b"")


def test_info_of_a_dataset_without_items(tmp_path: Path) -> None:
    """``items: 0  `` ended in two spaces and ``splits: `` in one, with nothing after it; ``annotations: none``
    already said so."""
    (tmp_path / "e.json").write_text('{"images": [], "annotations": [], "categories": []}')
    result = run("info", tmp_path / "e.json")
    assert (result.exit_code, result.stdout) == (
        0,
        f"{tmp_path / 'e.json'} (coco)\nitems: 0\nsplits: none\ncategories: 0\nannotations: none\n",
    )


@pytest.mark.parametrize("command", ["convert", "split"])
def test_a_bad_write_option_value_is_refused_before_the_input_is_read(command: str, tmp_path: Path) -> None:
    """``-o precision=abc``, ``-o split=../x`` and ``media=copy`` without ``media_root`` were refused only once the
    whole input was read and planned; now before it is read (the input here is bad JSON, and is not looked at)."""
    bad = tmp_path / "bad.labelkit.json"
    bad.write_bytes(b'{"format": "labelkit", "items": [}')
    extra = ["--to", "yolo"] if command == "convert" else ["--ratios", "train=1", "--to", "yolo"]
    for option, error in (
        ("precision=abc", "bad precision (expected exact or a number of decimals (0-17), found 'abc')"),
        ("precision=", "bad precision (expected exact or a number of decimals (0-17), found '')"),
        ("split=../x", f"{tmp_path / 'o'}: split '../x' cannot be a folder or file name; hint: splits are plain names"),
        ("media=copy", "media=copy or link needs the images' folder; hint: add -o media_root=FOLDER"),
    ):
        result = run(command, bad, tmp_path / "o", "--from", "labelkit", *extra, "-o", option)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.startswith(f"labelkit: error: {error}"), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.labelkit.json"]
    with pytest.raises(UsageError, match="bad precision"):
        labelkit.convert(bad, tmp_path / "o", to="yolo", from_format="labelkit", precision="1.5")


@pytest.mark.parametrize("target", ["yolo", "voc"])
@pytest.mark.parametrize("media", ["copy", "link"])
def test_a_plan_refuses_media_without_its_folder_as_a_write_does(target: str, media: str, tmp_path: Path) -> None:
    """``labelkit.plan(ds, "yolo", media="link")`` reported nothing lost, where a dry run and a write refuse it."""
    ds = labelkit.load(FIXTURES / "native" / "images.labelkit.json")
    for attempt in (
        lambda: labelkit.plan(ds, target, media=media),
        lambda: labelkit.save(ds, tmp_path / "o", target, media=media, allow_loss=True),
    ):
        with pytest.raises(UsageError, match=r"^media=copy or link needs the images' folder"):
            attempt()
    with pytest.raises(InputError, match="street-1.jpg: image not found"):  # (given its folder: it looks there)
        labelkit.plan(ds, target, media=media, media_root=str(tmp_path))
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["convert", "split"])
def test_report_dash_prints_the_json_report_on_stdout(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--report -`` wrote a file named ``-`` in the current folder; now the JSON goes to stdout."""
    monkeypatch.chdir(tmp_path)
    src = FIXTURES / "native" / "images.labelkit.json"
    extra = ["--to", "labelkit"] if command == "convert" else ["--ratios", "train=1", "--to", "labelkit"]
    result = run(command, src, tmp_path / "o.json", *extra, "--report", "-", "--quiet")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    written = report if command == "convert" else report["output"]
    assert (written["source"], written["target"], written["read"]["items"]) == ("labelkit", "labelkit", 3)
    assert ("split" in report) == (command == "split")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.json"]


@pytest.mark.parametrize("command", ["convert", "split"])
def test_report_dot_slash_dash_is_a_file_named_dash(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README: ``--report -`` prints the JSON on stdout, and ``a file named - is ./-``. ``./-`` printed it on
    stdout too (``Path("./-") == Path("-")``), writing no file; now it writes the file ``-``."""
    monkeypatch.chdir(tmp_path)
    src = FIXTURES / "native" / "images.labelkit.json"
    extra = ["--to", "labelkit"] if command == "convert" else ["--ratios", "train=1", "--to", "labelkit"]
    result = run(command, src, tmp_path / "o.json", *extra, "--report", "./-", "--quiet")
    assert (result.exit_code, result.stdout) == (0, ""), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["-", "o.json"]
    report = json.loads((tmp_path / "-").read_bytes())
    written = report if command == "convert" else report["output"]
    assert (written["source"], written["target"], written["read"]["items"]) == ("labelkit", "labelkit", 3)
    (tmp_path / "o.json").unlink()
    result = run(command, tmp_path / "nothing.json", tmp_path / "o.json", *extra, "--report", "./-")
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # (a failed run removes the stale report, as any)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a device every write to fails: disk full)")
@pytest.mark.parametrize("command", ["convert", "split"])
def test_a_report_that_cannot_be_written_leaves_no_output(command: str, tmp_path: Path) -> None:
    """The report (and split's lockfile) was written after the output was moved into place: a full disk then
    left a finished output beside the error. Now they are written first, and failing, leave no output."""
    src = FIXTURES / "native" / "images.labelkit.json"
    extra = ["--to", "labelkit"] if command == "convert" else ["--ratios", "train=1", "--to", "labelkit"]
    extra += ["--lock", str(tmp_path / "lock.json")] if command == "split" else []
    result = run(command, src, tmp_path / "o.json", *extra, "--report", "/dev/full")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "labelkit: error: /dev/full: cannot write the report: No space left on device\n"
    assert list(tmp_path.iterdir()) == []
    assert run(command, src, tmp_path / "o.json", *extra).exit_code == 0  # (and without the report, it is written)


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_a_folder_at_a_one_file_output_is_refused_for_what_it_is(tmp_path: Path, overwrite: list[str]) -> None:
    """It was refused as ``output exists`` with a hint to pass --overwrite, which then refused it as a folder."""
    (tmp_path / "o").mkdir()
    result = run(
        "convert", FIXTURES / "native" / "images.labelkit.json", tmp_path / "o", "--to", "labelkit", *overwrite
    )
    assert result.exit_code == 2
    assert result.stderr == f"labelkit: error: {tmp_path / 'o'}: output is a folder but this format writes a file\n"


@pytest.mark.parametrize("command", ["convert", "split"])
def test_a_dry_run_refuses_an_output_folder_that_is_not_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A read-only folder was found only when the output was moved in, after the whole read and plan: a dry run
    exited 0 where the run exited 2."""
    (tmp_path / "ro").mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != tmp_path / "ro" and real_access(p, mode, **kw))
    extra = ["--to", "labelkit"] if command == "convert" else ["--ratios", "train=1", "--to", "labelkit"]
    out = tmp_path / "ro" / "o.json"
    for dry in (["--dry-run"], []):
        result = run(command, FIXTURES / "native" / "images.labelkit.json", out, *extra, *dry, "-q")
        assert (result.exit_code, result.stderr) == (
            2,
            f"labelkit: error: {out}: cannot write: the output's folder is not writable\n",
        )
    assert list((tmp_path / "ro").iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (a device every write to fails: disk full)")
@pytest.mark.parametrize(
    ("shell", "code", "stderr"),
    [
        (
            "convert {src} {out} --to labelkit > /dev/full",
            2,
            "cannot write to standard output: No space left on device",
        ),
        ("info {src} > /dev/full", 2, "cannot write to standard output: No space left on device"),
        ("info {src} >&-", 0, None),  # (started with stdout closed: nothing can be printed, nothing failed)
        ("convert {src}.missing {out} --to labelkit 2> /dev/full", 2, None),  # (the error, unsaid: its code stands)
        ("--version > /dev/full", 2, "cannot write to standard output: No space left on device"),  # (a traceback)
        ("--help > /dev/full", 2, "cannot write to standard output: No space left on device"),
        ("convert --help > /dev/full", 2, "cannot write to standard output: No space left on device"),
        ("info --bogus {src} 2> /dev/full", 2, None),  # (a usage error, unsaid: 2 still, where it was 1)
    ],
    ids=["convert-full", "info-full", "info-closed", "stderr-full", "version", "help", "command-help", "usage"],
)
def test_standard_output_or_error_that_cannot_be_written_is_one_error_line_and_its_exit_code(
    tmp_path: Path, shell: str, code: int, stderr: str | None
) -> None:
    """stdout on a full disk was an internal error (exit 2, rerun with --traceback), so was a closed stdout
    (AttributeError), and stderr on a full disk made click exit 1, validate's "found problems"."""
    src = FIXTURES / "native" / "images.labelkit.json"
    command = shell.format(src=shlex.quote(str(src)), out=shlex.quote(str(tmp_path / "o.json")))
    result = subprocess.run(
        f"{shlex.quote(sys.executable)} -m labelkit {command}", shell=True, capture_output=True, text=True, check=False
    )
    assert result.returncode == code, result.stderr
    if stderr is not None:
        assert result.stderr == f"labelkit: error: {stderr}\n"
    elif "2>" not in shell:
        assert result.stderr == ""


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("convert", "overwrite"),
        ("convert", "to"),
        ("info", "format"),
        ("validate", "format"),
        ("convert", "report"),
        ("convert", "quiet"),
        ("convert", "from"),
        ("split", "seed"),
        ("split", "overwrite"),
        ("info", "json"),
    ],
)
def test_an_option_of_the_command_given_with_o_is_an_unknown_format_option(
    command: str, key: str, tmp_path: Path
) -> None:
    """``-o overwrite=1`` reached labelkit.convert as a second value of its own argument: an internal error. And
    ``-o report=x``, ``-o from=...``, or any -o option in split, was said as an unknown format option (``for
    labelkit (expected indent, schema)``), not as the command's option it names, as the README says."""
    src = FIXTURES / "native" / "images.labelkit.json"
    args: list[Any] = [src]
    if command in ("convert", "split"):
        args += [tmp_path / "o.json", "--to", "labelkit"] + (["--ratios", "train=1"] if command == "split" else [])
    result = run(command, *args, "-o", f"{key}=1")
    assert (result.exit_code, result.stdout) == (2, "")
    flag = "--" + key.replace("_", "-")
    assert result.stderr == (
        f"labelkit: error: unknown option {key!r}: -o sets a format's options; hint: {flag} is an option of the "
        "command itself, if you meant it; 'labelkit formats NAME' lists a format's options\n"
    )


@pytest.mark.parametrize(
    ("command", "key", "what"),
    [
        ("convert", "from_format", "--from is an option of the command itself, if you meant it"),
        ("convert", "progress", "--quiet is an option of the command itself, if you meant it"),
        ("convert", "src", "INPUT is an argument of the command itself, if you meant it"),
        ("convert", "dst", "OUTPUT is an argument of the command itself, if you meant it"),
        ("convert", "input", "INPUT is an argument of the command itself, if you meant it"),  # (said as unknown)
        ("convert", "output", "OUTPUT is an argument of the command itself, if you meant it"),
        ("split", "output", "OUTPUT is an argument of the command itself, if you meant it"),
        ("info", "path", "PATH is an argument of the command itself, if you meant it"),
        ("validate", "path", "PATH is an argument of the command itself, if you meant it"),
        ("convert", "on_written", "on_written is a parameter of the Python API, not an option"),
    ],
)
def test_an_api_parameter_given_with_o_names_how_the_command_spells_it(
    command: str, key: str, what: str, tmp_path: Path
) -> None:
    """``-o from_format=coco`` hinted at ``--from-format``, ``-o progress=1`` at ``--progress``, ``-o on_written=1``
    at ``--on-written`` and ``-o path=x`` at ``--path``: flags no command has (the hint was made from the API's
    parameter names, not from the command's options)."""
    src = FIXTURES / "native" / "images.labelkit.json"
    args: list[Any] = [src] + (
        [tmp_path / "o.json", "--to", "labelkit"]
        if command == "convert"
        else [tmp_path / "o.json", "--ratios", "a=1"]
        if command == "split"
        else []
    )
    result = run(command, *args, "-o", f"{key}=1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"labelkit: error: unknown option {key!r}: -o sets a format's options; hint: {what}; 'labelkit formats "
        "NAME' lists a format's options\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_name_the_file_name_encoding_cannot_spell_is_an_error_saying_how_to_run(tmp_path: Path) -> None:
    """Under a locale that is not UTF-8 and not coerced to it, writing a file named ``é.txt`` was an internal error
    (UnicodeEncodeError); now an error saying to run in UTF-8 mode."""
    data = {
        "format": "labelkit",
        "version": 1,
        "info": {},
        "categories": [{"id": 1, "name": "a"}],
        "items": [{"id": "é", "media": {"kind": "image", "path": "é.jpg", "width": 4, "height": 4}}],
        "annotations": [],
    }
    (tmp_path / "e.json").write_text(json.dumps(data))
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(ROOT)}
    code = "from labelkit.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "convert", "e.json", "out", "--to", "yolo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (  # (the output named, and what it cannot spell, as reading such a name says it)
        "labelkit: error: out: this Python's file name encoding is ascii, which cannot spell a name used here "
        "(found é); hint: run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.json"]


@pytest.mark.parametrize("target", ["coco", "yolo", "voc", "labelkit", "parquet"])
def test_two_categories_of_one_id_are_refused_before_writing_whatever_the_target(target: str, tmp_path: Path) -> None:
    """Only a dataset built in code has them: COCO wrote both, a file its own reader refused, YOLO wrote the
    object as the first's class (cat) and VOC under the second's name (dog), all without a word; the native
    writers refused."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat"), Category(id=2, name="cow"), Category(id=1, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(0.0, 0.0, 5.0, 3.0)))
    _refused_by_plan_and_save(ds, target, tmp_path, "categories[2]: duplicate category id 1")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_labelkit_is_imported_is_an_interrupt(name: str, tmp_path: Path) -> None:
    """Ctrl-C in the first 0.3 s of ``labelkit convert``, while labelkit was imported (``labelkit/__init__.py`` imports
    it all before any module of the package, the console script's ``labelkit.cli`` too, sets its handling) printed a
    traceback of the imports; a SIGTERM ended the process unsaid. The console script's entry point (read from
    pyproject.toml) is run in a fresh process that signals itself as ``labelkit.api`` is imported."""
    import tomllib

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["labelkit"]
    module, _, function = entry.partition(":")
    script = (
        "import os, signal, sys\n"
        # (as from a terminal: a non-interactive shell's background job, CI's maybe, starts with SIGINT ignored,
        # which Python then leaves ignored)
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "class Signalling:\n"  # (a finder asked first for each module imported: it finds none)
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'labelkit.api':\n"
        f"            os.kill(os.getpid(), signal.{name})\n"
        "        return None\n"
        "sys.meta_path.insert(0, Signalling())\n"
        f"from {module} import {function}\n"
        f"{function}()\n"
    )
    command = [sys.executable, "-c", script, "convert", str(IMAGES), str(tmp_path / "out.json"), "--to", "labelkit"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "labelkit: interrupted\n")
    assert os.listdir(tmp_path) == []


def test_a_file_output_report_or_lockfile_spelled_as_a_folder_is_refused(tmp_path: Path) -> None:
    """``convert in.json out.json/ --to labelkit`` wrote a file ``out.json``: a Path drops the trailing ``/``, so the
    folder the user named became a file (a ``--report`` or ``--lock`` path too). It is refused before the input is
    read; a folder target takes the ``/``."""
    folder = f"{tmp_path}{os.sep}"
    for args, given, what, writes in (
        (["convert", IMAGES, f"{folder}out.json/", "--to", "labelkit"], "out.json/", "output", "this format writes"),
        (["convert", IMAGES, f"{folder}out.json/.", "--to", "labelkit"], "out.json/.", "output", "this format writes"),
        (["split", IMAGES, f"{folder}out.json/", "--ratios", "train=1"], "out.json/", "output", "this format writes"),
        (["convert", IMAGES, f"{folder}o", "--to", "parquet", "--report", f"{folder}r.json/"], "r.json/", "report",
         "the report is"),
        (["split", IMAGES, f"{folder}o", "--ratios", "train=1", "--lock", f"{folder}l.json/"], "l.json/", "lockfile",
         "the lockfile is"),
    ):  # fmt: skip
        result = run(*args)
        ending = given[given.index(".json") + 5 :]
        assert (result.exit_code, result.stdout, result.stderr) == (
            2,
            "",
            f"labelkit: error: {folder}{given}: the {what}'s path ends in {ending!r}, naming a folder, but {writes} a "
            f"file; hint: drop the trailing {ending!r}\n",
        )
        assert os.listdir(tmp_path) == []
    with pytest.raises(OutputError) as err:
        labelkit.save(labelkit.load(IMAGES), f"{folder}out.json/", "labelkit")
    assert err.value.location.path == f"{folder}out.json/"
    with pytest.raises(OutputError) as err:
        labelkit.convert(IMAGES, f"{folder}out.json/", to="labelkit")
    assert err.value.location.path == f"{folder}out.json/" and os.listdir(tmp_path) == []
    assert run("convert", IMAGES, f"{folder}out/", "--to", "parquet", "-q").exit_code == 0
    assert run("convert", IMAGES, f"{folder}out.json", "--to", "labelkit", "-q").exit_code == 0
    assert sorted(os.listdir(tmp_path)) == ["out", "out.json"] and (tmp_path / "out").is_dir()


@pytest.mark.parametrize("args", [["info", IMAGES], ["--traceback", "info", IMAGES], ["--help"]])
def test_an_interrupt_while_the_arguments_are_parsed_exits_130(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C in click's parse of the group's arguments (outside the group's invoke) printed "Aborted!", exit 1."""

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(click.Group, "parse_args", interrupted)
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "labelkit: interrupted\n")


def test_schema_is_an_option_of_validate_only(tmp_path: Path) -> None:
    """``-o schema=false`` means something to ``validate`` only: ``convert``, ``info``, ``load`` and ``convert``
    in the API took it and did nothing. It is refused there, before anything is written; ``validate`` takes it."""
    message = "option 'schema' applies to validating labelkit, not to {} it"
    hint = "'labelkit formats NAME' lists a format's options and what each applies to"
    result = run("convert", IMAGES, tmp_path / "o", "--to", "parquet", "-o", "schema=false")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"labelkit: error: {message.format('reading')}; hint: {hint}\n",
    )
    result = run("convert", FIXTURES / "coco", tmp_path / "o", "--to", "labelkit", "-o", "schema=false")
    assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {message.format('writing')}; hint: {hint}\n")
    assert run("info", IMAGES, "-o", "schema=false").exit_code == 2
    assert os.listdir(tmp_path) == []
    with pytest.raises(UsageError) as err:
        labelkit.load(IMAGES, schema=False)
    assert err.value.message == message.format("reading")
    with pytest.raises(UsageError):
        labelkit.convert(IMAGES, tmp_path / "o", to="parquet", schema=False)
    with pytest.raises(UsageError):
        labelkit.save(labelkit.load(IMAGES), tmp_path / "o.json", "labelkit", schema=False)
    assert labelkit.validate(IMAGES, schema=False) == []
    assert run("validate", IMAGES, "-o", "schema=false").exit_code == 0
    assert "  schema=bool (validate; default True): also check" in run("formats", "labelkit").stdout


def test_a_utf8_name_the_file_name_encoding_cannot_spell_when_reading_says_how_to_run(tmp_path: Path) -> None:
    """Reading a VOC folder holding ``Annotations/é.xml`` under a locale that is not UTF-8 and not coerced to it
    said the name "is not UTF-8; hint: rename it", where the name is UTF-8 and reads on any machine in a UTF-8
    locale: now the error names the encoding and how to run, as writing such a name does (README *Errors*)."""
    (tmp_path / "voc" / "Annotations").mkdir(parents=True)
    (tmp_path / "voc" / "Annotations" / "é.xml").write_text(
        "<annotation><filename>é.jpg</filename><size><width>4</width><height>4</height></size></annotation>"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(ROOT)}
    code = "from labelkit.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "info", "voc"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "labelkit: error: voc: this Python's file name encoding is ascii, which cannot spell a name used here "
        "(found é); hint: run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)\n"
    )


def _latin1_dataset(tmp_path: Path, fmt: str, name: str) -> Path:
    """A one-item dataset of ``fmt`` whose file is named ``name`` (for COCO, the split of its file)."""
    root = tmp_path / fmt
    if fmt == "voc":
        (root / "Annotations").mkdir(parents=True)
        (root / "Annotations" / f"{name}.xml").write_text(
            "<annotation><filename>x.jpg</filename><size><width>4</width><height>4</height></size></annotation>"
        )
    elif fmt == "yolo":
        (root / "images").mkdir(parents=True)
        (root / "labels").mkdir()
        Image.new("RGB", (8, 6)).save(root / "images" / f"{name}.jpg")
        (root / "labels" / f"{name}.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    else:
        (root / "annotations").mkdir(parents=True)
        (root / "annotations" / f"instances_{name}.json").write_text(
            '{"images": [], "annotations": [], "categories": []}'
        )
    return root


@pytest.mark.parametrize("fmt", ["voc", "yolo", "coco"])
def test_a_utf8_name_read_under_latin1_is_refused_as_under_ascii(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python decodes any bytes under ISO-8859-1, so ``é.xml`` (bytes c3 a9) read as ``Ã©.xml`` without an error:
    the item was ``Ã©`` (and a COCO file's split ``Ã©``), where a UTF-8 machine reads ``é``. It is refused now, as
    an ASCII locale refuses it. (No Latin-1 locale here: the name a Latin-1 Python holds, ``Ã©``, is made as a
    UTF-8 name and the file name encoding said to be ISO-8859-1.)"""
    held = "é".encode().decode("latin-1")  # 'Ã©'
    root = _latin1_dataset(tmp_path, fmt, held)
    assert [i.id for i in labelkit.load(root, fmt).items()] == ([] if fmt == "coco" else [held])  # (as before)
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "iso8859-1")
    with pytest.raises(InputError) as err:
        labelkit.load(root, fmt)
    assert (err.value.location.path, err.value.message, err.value.found, err.value.hint) == (
        str(root),
        "this Python's file name encoding is iso8859-1, which cannot spell a name used here",
        "annotations/instances_é.json" if fmt == "coco" else "é",
        "run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)",
    )
    ascii_names = labelkit.load(_latin1_dataset(tmp_path / "ascii", fmt, "e"), fmt)  # (read as before)
    assert [i.id for i in ascii_names.items()] == ([] if fmt == "coco" else ["e"])


def test_a_name_not_utf8_read_under_latin1_is_refused_as_under_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ISO-8859-1 the byte e9 reads as ``é`` (a UTF-8 machine refuses it: not UTF-8); it is refused as there,
    its byte shown. (Made as the UTF-8 name ``é``, the file name encoding said to be ISO-8859-1: held as ``é``.)"""
    root = _latin1_dataset(tmp_path, "voc", "é")
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "iso8859-1")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.message, err.value.found) == (
        str(root),
        "a file or folder name is not UTF-8",
        "\\xe9",
    )


@pytest.mark.parametrize("fmt", ["yolo", "voc"])
def test_a_utf8_class_folder_or_list_name_read_under_latin1_is_refused_as_under_ascii(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A YOLO classify class folder ``é/`` was the category ``Ã©`` under ISO-8859-1, and a VOC list
    ``ImageSets/Main/é.txt`` the split ``Ã©``: refused now, as under ASCII (made as in the test above)."""
    held = "é".encode().decode("latin-1")  # 'Ã©'
    root = tmp_path / fmt
    if fmt == "yolo":
        (root / "train" / held).mkdir(parents=True)
        Image.new("RGB", (8, 6)).save(root / "train" / held / "a.jpg")
    else:
        (root / "Annotations").mkdir(parents=True)
        (root / "ImageSets" / "Main").mkdir(parents=True)
        (root / "Annotations" / "x.xml").write_text(
            "<annotation><filename>x.jpg</filename><size><width>4</width><height>4</height></size></annotation>"
        )
        (root / "ImageSets" / "Main" / f"{held}.txt").write_text("x\n")
    ds = labelkit.load(root, fmt)
    assert ([c.name for c in ds.categories] if fmt == "yolo" else ds.splits()) == [held]  # (as before)
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "iso8859-1")
    with pytest.raises(InputError) as err:
        labelkit.load(root, fmt)
    assert (err.value.location.path, err.value.message, err.value.found) == (
        str(root),
        "this Python's file name encoding is iso8859-1, which cannot spell a name used here",
        "é",
    )


def test_the_api_refuses_a_name_the_file_name_encoding_cannot_spell_with_an_output_error(tmp_path: Path) -> None:
    """Under a locale that is not UTF-8 and not coerced to it, ``labelkit.save`` let Python's UnicodeEncodeError
    out (only the command line said what it was), and left nothing behind; now the OutputError the CLI prints."""
    code = (
        "import labelkit\n"
        "from labelkit.model import Category, Dataset, Item, Media\n"
        "ds = Dataset(categories=[Category(id=1, name='a')])\n"
        "ds.add_item(Item(id='x', media=Media(path='x.jpg', width=4, height=4), split='\\u00e9t\\u00e9'))\n"
        "try:\n"
        "    labelkit.save(ds, 'out', 'yolo')\n"
        "except labelkit.OutputError as exc:\n"
        "    print(ascii((exc.location.path, exc.message, exc.found, exc.hint)))\n"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        done.stdout
        == ascii(
            (
                "out",
                "this Python's file name encoding is ascii, which cannot spell a name used here",
                "\u00e9",
                "run with PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)",
            )
        )
        + "\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("voc", {}), ("coco", {}), ("yolo", {"task": "classify"})])
def test_a_name_not_ascii_written_under_latin1_is_refused_as_read_there(
    fmt: str, options: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ISO-8859-1 (or -9) Python writes ``Straße`` as the byte df: the output's names differed from a UTF-8
    machine's, and labelkit's own readers refused them (``a file or folder name is not UTF-8``). Such a name is
    refused when written (a split's or class's folder or file), as when read, and nothing is left behind. (No
    Latin-1 locale here: the file name encoding is said to be ISO-8859-1, and the names made are UTF-8.)"""
    from labelkit.model import Label, Object

    (tmp_path / "media").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "media" / "x.png")
    ds = Dataset(categories=[Category(id=1, name="Straße")])
    ds.add_item(Item(id="x", media=Media(path="x.png", width=4, height=4), split="été"))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(0, 0, 2, 2)), Label(id="l", item_id="x", category_id=1))
    items = ds.table("items")
    if options:
        options = {**options, "media": "copy", "media_root": str(tmp_path / "media")}
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "iso8859-1")
    out = tmp_path / "out"
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, out, fmt, allow_loss=True, **options)
    assert err.value.message == (
        "this Python's file name encoding is iso8859-1, not UTF-8: a name written here would be other bytes than on "
        "other machines, and labelkit reads names as UTF-8"
    )
    assert err.value.location.path is not None and err.value.location.path.startswith(str(out) + os.sep)
    assert "Straße" in err.value.location.path or "été" in err.value.location.path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]
    ds.categories[0].name = "strasse"  # (ASCII names are written as before)
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["ete"])))
    labelkit.save(ds, out, fmt, allow_loss=True, **options)
    assert out.is_dir()


@pytest.mark.parametrize("collecting", [True, False])
def test_importing_labelkit_leaves_the_cyclic_collector_as_it_found_it(collecting: bool) -> None:
    """The collector is paused while labelkit's modules are imported (their 50,000 objects are no garbage), then
    set back (a caller's choice stands)."""
    code = (
        "import gc, os, sys\n"
        "inside = []\n"
        "def seen(phase, info):\n"
        "    frame = sys._getframe(1)\n"
        "    while frame is not None and f'{os.sep}labelkit{os.sep}' not in frame.f_code.co_filename:\n"
        "        frame = frame.f_back\n"
        "    if phase == 'start' and frame is not None:\n"
        "        inside.append(frame.f_code.co_filename)\n"
        "gc.callbacks.append(seen)\n"
        f"{'' if collecting else 'gc.disable()'}\n"
        "import labelkit\n"
        "print(len(inside), gc.isenabled())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    # (collections set off by labelkit's own modules as they run: about 100 without the pause; the import system's
    # own, such as one compiling a module without a .pyc before it runs, are not labelkit's)
    assert done.stdout == f"0 {collecting}\n"


def test_the_command_leaves_its_objects_out_of_the_exits_collections(tmp_path: Path) -> None:
    """As the interpreter exits, the objects of a finished command are frozen (``gc.freeze``, an ``atexit`` handler):
    the interpreter's collections on the way out have nothing to take apart, where they took apart the reference
    cycles of pyarrow, pydantic and the formats one by one. Until then nothing is frozen (a caller's process)."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_freeze_count(), len(gc.get_objects()), gc.isenabled()))\n"
        "from labelkit.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('ran', gc.get_freeze_count())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    source = FIXTURES / "coco" / "results_val.json"
    done = subprocess.run(
        [sys.executable, "-c", code, "info", str(source)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2] == "ran 0"
    frozen, scanned, enabled = done.stdout.splitlines()[-1].split()
    assert int(frozen) > 30_000  # (about 56,000 here)
    assert int(scanned) < 100
    assert enabled == "True"  # (the collector still runs: frozen objects are only left out of its scans)


def test_split_reports_what_the_reader_passed_over_and_names_the_input_of_a_refused_value(tmp_path: Path) -> None:
    """``labelkit split`` wrote with ``labelkit.save``: the reader's notes (a panoptic file passed over) were in
    neither its printed report nor its --report, where convert's has them, and a value the writer refuses (RLE
    counts that do not add up) was named at no file (``object 6: ...``), where convert names the input."""
    coco = tmp_path / "coco" / "annotations"
    coco.mkdir(parents=True)
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 8, "height": 8} for i in range(1, 5)]
    anns = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0} for i in range(1, 5)
    ]
    doc = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    (coco / "instances_train.json").write_text(json.dumps(doc))
    panoptic = {"images": images[:1], "annotations": [{"image_id": 1, "file_name": "p.png", "segments_info": []}]}
    (coco / "panoptic_train.json").write_text(json.dumps({**panoptic, "categories": [{"id": 1, "name": "x"}]}))
    note = "panoptic_train.json not read: COCO panoptic is not supported (its segments live in PNG files)"
    report = tmp_path / "r.json"
    result = run("split", coco.parent, tmp_path / "out", "--ratios", "train=0.5,val=0.5", "--report", report)
    assert result.exit_code == 0, result.stderr
    assert f"note: {note}\n" in result.stdout
    assert json.loads(report.read_text())["output"]["notes"][0] == note
    doc = json.loads(IMAGES.read_text())
    (mask,) = [a for a in doc["annotations"] if a.get("shape") == "mask" and isinstance(a["mask"]["counts"], list)]
    mask["mask"]["counts"][0] += 5
    bad = tmp_path / "bad.labelkit.json"
    bad.write_text(json.dumps(doc))
    for command in (["convert", bad, tmp_path / "c"], ["split", bad, tmp_path / "s", "--ratios", "train=1"]):
        refused = run(*command, "--to", "coco", "--allow-loss")
        assert (refused.exit_code, refused.stderr.split(": RLE counts")[0]) == (
            2,
            f"labelkit: error: {bad}: object {mask['id']}",
        )


@pytest.mark.parametrize("command", ["convert", "split"])
def test_a_report_path_hard_linked_to_a_file_of_the_input_is_refused(command: str, tmp_path: Path) -> None:
    """The report is written in place: at a path that is a hard link to a label file inside the input folder
    (compared as paths, not the input), it overwrote that file with the report. A report file with other hard
    links is refused before any work; an existing report of one link is written in place, keeping its mode."""
    src = tmp_path / "in"
    shutil.copytree(FIXTURES / "yolo/golden/detect", src)
    label = src / "labels/train/a.txt"
    before = label.read_bytes()
    report = tmp_path / "report.json"
    os.link(label, report)
    ratios = ["--ratios", "a=1"] if command == "split" else []
    args = [
        command,
        src,
        tmp_path / "out",
        "--to",
        "labelkit",
        *ratios,
        "-o",
        f"image_sizes={src / 'image_sizes.json'}",
    ]
    result = run(*args, "--report", report)
    assert (result.exit_code, result.stderr) == (
        2,
        f"labelkit: error: {report}: the report is a file with other hard links: writing it would change them too; "
        "hint: remove it, or choose another report path\n",
    )
    assert label.read_bytes() == before and not (tmp_path / "out").exists()
    report.unlink()
    report.write_text("an earlier run's")
    report.chmod(0o600)
    assert run(*args, "--report", report).exit_code == 0
    written = orjson.loads(report.read_bytes())
    assert (written if command == "convert" else written["output"])["written"]["items"] == 3
    assert stat.S_IMODE(report.stat().st_mode) == 0o600 and label.read_bytes() == before


@pytest.mark.parametrize(
    ("command", "sides"), [("convert", ("--report",)), ("split", ("--report",)), ("split", ("--lock", "--report"))]
)
def test_a_move_into_place_that_fails_leaves_no_report_nor_lockfile(
    command: str, sides: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report and lockfile are written before the output is moved into place (so that failing to write them
    leaves no output): the move failing (a full disk, another run's output appearing, Ctrl-C) left a new lockfile
    beside no output. It is now undone: an earlier lockfile is put back as it was, a new one removed."""
    import labelkit.io

    def failing(tmp: Path, path: Path) -> None:
        raise OSError(28, "No space left on device", str(path))

    out = tmp_path / "out.labelkit.json"
    ratios = ["--ratios", "a=1"] if command == "split" else []
    paths = {"--report": tmp_path / "report.json", "--lock": tmp_path / "split.lock.json"}
    args = [a for side in sides for a in (side, paths[side])]
    with monkeypatch.context() as patch:
        patch.setattr(labelkit.io_output, "_publish_new", failing)
        result = run(command, IMAGES, out, "--to", "labelkit", *ratios, *args)
    assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {out}: cannot write: No space left on device\n")
    assert list(tmp_path.iterdir()) == []
    if "--lock" in sides:  # an earlier lockfile is put back as it was
        first = run(command, IMAGES, tmp_path / "first.labelkit.json", "--to", "labelkit", *ratios, *args)
        assert first.exit_code == 0, first.stderr
        lock = paths["--lock"].read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(labelkit.io_output, "_publish_new", failing)
            result = run(command, IMAGES, out, "--to", "labelkit", "--ratios", "a=0.5,b=0.5", *args)
        assert result.exit_code == 2 and "No space left" in result.stderr
        assert paths["--lock"].read_bytes() == lock and not paths["--report"].exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["first.labelkit.json", "split.lock.json"]


@pytest.mark.parametrize("command", ["convert", "split"])
def test_report_to_stdout_is_printed_only_once_the_output_is_in_place(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--report -`` was printed before the move: a move that failed left a report on stdout for no output."""
    import labelkit.io

    def failing(tmp: Path, path: Path) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(labelkit.io_output, "_publish_new", failing)
    ratios = ["--ratios", "a=1"] if command == "split" else []
    out = tmp_path / "out.labelkit.json"
    result = run(command, IMAGES, out, "--to", "labelkit", *ratios, "--report", "-", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"labelkit: error: {out}: cannot write: No space left on device\n",
    )
    monkeypatch.undo()
    result = run(command, IMAGES, out, "--to", "labelkit", *ratios, "--report", "-", "--quiet")
    assert result.exit_code == 0 and orjson.loads(result.stdout)


def test_pillow_s_log_lines_are_not_printed_beside_the_error(tmp_path: Path) -> None:
    """A TIFF claiming 43,267 samples per pixel: Pillow logs 'More samples per pixel than can be decoded' (no
    handler set, Python printed it on stderr) before the error, two lines where the CLI prints one."""
    import base64

    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    tiff = (
        "SUkqABoAAAB4nOM6Icc1ikYRuQgA2Ra0AQAKAAABAwABAAAAEAAAAAEBAwABAAAADAAAAAIBAwADAAAAmAAAAAMBAwABAAAACAAAAAYBAwAB"
        "AAAAAgAAABEBBAABAAAACAAAABUBAwABAAAAA6kAABYBAwABAAAADAAAABcBBAABAAAAEQAAABwBAwABAAAAAQAAAAAAAAAIAAgACAA="
    )
    (root / "images/train/a.tif").write_bytes(base64.b64decode(tiff))
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("train: images/train\nnames: [a]\n")
    done = subprocess.run(
        [sys.executable, "-m", "labelkit", "info", str(root)], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        f"labelkit: error: {root}/images/train/a.tif: unreadable image header: cannot identify image file "
        f"'{root}/images/train/a.tif'"
    ]


def _one_image(split: str = "train", label_class: str | None = None, path: str = "a.jpg") -> Dataset:
    """An image of one object (class ``c``), in ``split``, and beside it an image of split ``train``; with
    ``label_class``, an image label of that class on the first."""
    ds = Dataset(categories=[Category(id=1, name="c"), Category(id=2, name=label_class or "d")])
    ds.add_item(Item(id="a", media=Media(path=path, width=10, height=10), split=split))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="o", item_id="a", category_id=1, bbox=(0, 0, 1, 1)))
    if label_class is not None:
        ds.add(Label(id="l", item_id="a", category_id=2))
    return ds


@pytest.mark.parametrize(
    ("to", "dataset", "lost"),
    [
        ("coco", _one_image("s" * 250), "lost: 1 items whose file names are too long"),
        ("voc", _one_image("s" * 252), "lost: 1 items whose file names are too long"),
        ("voc", _one_image(label_class="k" * 300), "lost: 1 image labels whose ImageSets/Main list name is too long"),
        ("yolo", _one_image(path=deep_path(4200, "a.jpg")), "lost: 1 items whose file paths are too long"),
    ],
)
def test_dry_run_exits_as_the_real_run_on_names_too_long(tmp_path: Path, to: str, dataset: Dataset, lost: str) -> None:
    """*Command line*: a split or class naming a file over 255 bytes (COCO's ``instances_<split>.json``, VOC's
    ``ImageSets/Main/<split>.txt`` or ``<class>_<split>.txt``), or an image path whose label file's path is over
    4,095 bytes (PATH_MAX), passed ``--dry-run``, and the real run failed with
    'cannot write: File name too long': both are refused alike for the loss, and with --allow-loss both write
    (or would) the rest."""
    src, out = tmp_path / "in.labelkit.json", tmp_path / "out"
    labelkit.save(dataset, src, "labelkit")
    dry, real = run("convert", src, out, "--to", to, "--dry-run"), run("convert", src, out, "--to", to)
    assert (dry.exit_code, dry.stdout, dry.stderr) == (real.exit_code, real.stdout, real.stderr)
    assert real.exit_code == 2 and real.stderr.startswith(f"labelkit: {lost}: ") and not out.exists()
    dry = run("convert", src, out, "--to", to, "--dry-run", "--allow-loss")
    real = run("convert", src, out, "--to", to, "--allow-loss")
    assert (dry.exit_code, real.exit_code, dry.stderr, real.stderr) == (0, 0, "", "")
    assert [x for x in dry.stdout.splitlines() if x.startswith("lost")] == [
        x for x in real.stdout.splitlines() if x.startswith("lost")
    ]
    assert any(x.startswith(f"{lost}: ") for x in real.stdout.splitlines())


@pytest.mark.parametrize("section", ["items", "categories", "annotations", "info", "tokens"])
@pytest.mark.parametrize("value", ["2", "1.5", "true", '"x"', "null"])
def test_validate_without_the_schema_reports_a_section_of_the_wrong_type(
    section: str, value: str, tmp_path: Path
) -> None:
    """``"annotations": 2`` (or 1.5, true) crashed ``validate -o schema=false`` with an internal TypeError (exit 2);
    it is a finding at ``/annotations`` now, in convert's words, as every other section of the wrong type is."""
    path = tmp_path / "a.labelkit.json"
    path.write_text(f'{{"format": "labelkit", "version": 1, "{section}": {value}}}')
    refused = run("convert", path, tmp_path / "o.json", "--to", "coco")
    assert refused.exit_code == 2
    result = run("validate", path, "-o", "schema=false")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}#/{section}: ")
    assert refused.stderr.startswith(f"labelkit: error: {result.stdout.strip()}")
    assert run("validate", path).stdout.startswith(f"{path}#/{section}: ")
