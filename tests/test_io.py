"""labelkit.io: JSON with locations, reading files, contained paths."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from conftest import ROOT, deep_path
from hypothesis import given, settings
from hypothesis import strategies as st

from labelkit.errors import InputError, OutputError
from labelkit.io import (
    contained,
    create_file,
    load_json,
    parse_json,
    read_bytes,
    read_file,
    safe_relpath,
    write_json,
)
from labelkit.io_output import atomic_output
from labelkit.portable import folded_name, folded_names, same_files, unportable_paths, where_one, windows_cannot_hold


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b'{"a": 1,\n  "b": }', 2, 8),
        (b"[1, 2,\n3,\n", 3, 1),
        (b'{"a": "\xc3"}', 1, 8),  # a UTF-8 sequence cut short
    ],
)
def test_parse_json_names_line_and_column(data: bytes, line: int, column: int) -> None:
    with pytest.raises(InputError) as info:
        parse_json(data, "f.json")
    assert info.value.location.line == line
    assert info.value.message.startswith(f"invalid JSON at column {column}:")
    assert info.value.location.path == "f.json"


def test_parse_json_drops_a_byte_order_mark_starting_the_text() -> None:
    """Windows tools write one; the text after it is the JSON, and an error's column is counted after it too."""
    assert parse_json(b'\xef\xbb\xbf{"a": [1, 2]}', "f.json") == {"a": [1, 2]}
    with pytest.raises(InputError) as info:
        parse_json(b'\xef\xbb\xbf{"a": }', "f.json")
    assert (info.value.location.line, info.value.message.split(":")[0]) == (1, "invalid JSON at column 7")
    with pytest.raises(InputError):  # (only the first three bytes: a second mark is no JSON)
        parse_json(b'\xef\xbb\xbf\xef\xbb\xbf{"a": 1}', "f.json")


def test_json_inputs_starting_with_a_byte_order_mark_read_as_without(tmp_path: Path) -> None:
    """labelkit JSON, YOLO's image_sizes.json and COCO validate take a file a Windows editor saved."""
    import labelkit
    from labelkit.formats.yolo_media import load_sizes

    native = (ROOT / "fixtures" / "native" / "images.labelkit.json").read_bytes()
    (tmp_path / "bom.labelkit.json").write_bytes(b"\xef\xbb\xbf" + native)
    with_mark = labelkit.load(tmp_path / "bom.labelkit.json", "labelkit")
    assert with_mark.table("objects").equals(
        labelkit.load(ROOT / "fixtures" / "native" / "images.labelkit.json").table("objects")
    )
    (tmp_path / "image_sizes.json").write_bytes(b'\xef\xbb\xbf{"images/a.jpg": [640, 480]}')
    assert load_sizes(tmp_path / "image_sizes.json") == {"images/a.jpg": (640, 480)}
    coco = (
        b'{"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}], "annotations": [], "categories": []}'
    )
    (tmp_path / "instances_val.json").write_bytes(b"\xef\xbb\xbf" + coco)
    assert labelkit.validate(tmp_path / "instances_val.json", "coco") == []
    # a Parquet folder's labelkit.json, read as strictly as a labelkit JSON document: 'Invalid JSON' at '#'
    labelkit.save(with_mark, tmp_path / "ds.parquet", "parquet")
    manifest = tmp_path / "ds.parquet" / "labelkit.json"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    assert labelkit.validate(tmp_path / "ds.parquet", "parquet") == []
    assert labelkit.load(tmp_path / "ds.parquet", "parquet").table("objects").equals(with_mark.table("objects"))


def test_read_bytes_and_load_json_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_bytes(tmp_path / "missing.json")
    assert info.value.message.startswith("cannot read")
    with pytest.raises(InputError):
        load_json(tmp_path)  # a folder
    (tmp_path / "ok.json").write_bytes(b'{"b": 1, "a": [1.5, -0.0]}')
    assert load_json(tmp_path / "ok.json") == {"b": 1, "a": [1.5, -0.0]}


def test_read_file_reads_every_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_bytes(b"0 0.5 0.5 0.1 0.1\n" * 1000)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert read_file(tmp_path / "a.txt") == b"0 0.5 0.5 0.1 0.1\n" * 1000
    assert read_file(str(tmp_path / "empty.txt")) == b""
    # a file whose size is reported as 0 but which has content (Linux /proc) is read to its end
    status = Path("/proc/self/status")
    if status.exists():
        assert read_file(status).startswith(b"Name:") and len(read_file(status)) > 1
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing.txt")
    # short reads (a file over 2 GiB on Linux, FUSE, network file systems) are read on to the end
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 7)))
    assert read_file(tmp_path / "a.txt") == b"0 0.5 0.5 0.1 0.1\n" * 1000
    monkeypatch.undo()
    with pytest.raises(IsADirectoryError):
        read_file(tmp_path)


def test_write_json_is_deterministic(tmp_path: Path) -> None:
    value = {"z": 1, "a": [0.1, -0.0, 1e300], "é": "ü"}
    write_json(tmp_path / "a.json", value)
    write_json(tmp_path / "b.json", value, indent=True)
    # keys in the given order, no spaces, UTF-8, one trailing newline (float spelling is orjson's)
    assert (tmp_path / "a.json").read_bytes() == orjson.dumps(value) + b"\n"
    assert (tmp_path / "a.json").read_bytes().startswith(b'{"z":1,"a":[0.1,-0.0,1e')
    assert '"é":"ü"}\n'.encode() in (tmp_path / "a.json").read_bytes()
    write_json(tmp_path / "c.json", dict(value))
    assert (tmp_path / "c.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    assert load_json(tmp_path / "b.json") == value


def test_contained_joins_inside_the_root(tmp_path: Path) -> None:
    assert contained(tmp_path, "images\\a.jpg") == tmp_path / "images" / "a.jpg"
    with pytest.raises(InputError):
        contained(tmp_path, "../a.jpg", source="x.json", pointer="/images/0/file_name")


def test_atomic_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_output(out, "dir") as tmp:
        assert tmp.is_dir() and tmp.parent == tmp_path and tmp.name.startswith(".out.labelkit-tmp-")
        (tmp / "a.txt").write_text("a")
    assert (out / "a.txt").read_text() == "a"
    with pytest.raises(OutputError):
        with atomic_output(out, "dir"):
            pass
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(out, "dir", overwrite=True) as tmp:
            (tmp / "b.txt").write_text("b")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]


def test_safe_relpath_fast_path_agrees_with_the_full_checks() -> None:
    """Every name up to 5 characters over a tricky alphabet: the plain-name fast path changes no answer."""
    import itertools
    from pathlib import PurePosixPath, PureWindowsPath

    from labelkit.errors import InputError
    from labelkit.io import safe_relpath

    def slow(name: str) -> str | None:
        text = name.replace("\\", "/")
        posix = PurePosixPath(text)
        if not text or posix.is_absolute() or PureWindowsPath(name).drive or ".." in posix.parts or "\x00" in text:
            return None
        return str(posix)

    def url(name: str) -> bool:
        scheme, sep, rest = name.replace("\\", "/").partition("://")
        plain_scheme = scheme[:1].isalpha() and all(c.isalnum() or c in "+.-" for c in scheme)
        return bool(sep) and plain_scheme and len(scheme) > 1 and rest != ""  # (file:///x too; C://x is a drive)

    for n in range(1, 6):
        for chars in itertools.product(["a", ".", "/", "\\", ":", "\x00"], repeat=n):
            name = "".join(chars)
            try:
                fast: str | None = safe_relpath(name)
            except InputError:
                fast = None
            assert fast == slow(name), repr(name)
            try:
                kept: str | None = safe_relpath(name, keep_url=True)
            except InputError:
                kept = None
            expected = slow(name)
            assert kept == (name.replace("\\", "/") if expected is not None and url(name) else expected), repr(name)


def test_a_failing_disk_is_one_output_error_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    import errno

    import pytest

    import labelkit
    from labelkit.errors import OutputError

    def full(path: str, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr("labelkit.file_batches.create_file", full)  # (YOLO label files, VOC XML)
    ds = labelkit.load("fixtures/native/images.labelkit.json")
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert err.value.message == "cannot write: No space left on device"
    assert err.value.location.path == str(tmp_path / "out/labels/train/street-1.txt")
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []


def test_input_guard_tells_a_file_name_from_a_text_with_a_lone_surrogate(tmp_path: Path) -> None:
    from labelkit.errors import InputError
    from labelkit.io import input_guard

    for text, message, found in (
        ("x\udcff.txt", "a file or folder name is not UTF-8", "x\\xff.txt"),  # os.fsdecode(b"x\xff.txt")
        ("a\ud800", "text holds a lone surrogate, which UTF-8 cannot encode", "a\\ud800"),
    ):
        with pytest.raises(InputError) as err, input_guard(tmp_path):
            text.encode("utf-8")
        assert (err.value.message, err.value.found, err.value.location.path) == (message, found, str(tmp_path))


@pytest.mark.parametrize("target", ["yolo", "voc"])
def test_a_short_write_is_written_again_never_left_cut_short(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import labelkit

    ds = labelkit.load("fixtures/native/images.labelkit.json")
    labelkit.save(ds, tmp_path / "whole", target, allow_loss=True)
    real_write = os.write
    calls: list[int] = []

    def short(fd: int, data: bytes) -> int:  # what a write meets as the disk fills (or a file-size limit)
        calls.append(len(data))
        if len(calls) > 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data)[:7])

    monkeypatch.setattr(os, "write", short)
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", target, allow_loss=True)
    first = "labels/train/street-1.txt" if target == "yolo" else "Annotations/street-1.xml"
    assert (err.value.message, err.value.location.path) == (
        "cannot write: No space left on device",
        str(tmp_path / "out" / first),
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whole"]
    calls.clear()
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    labelkit.save(ds, tmp_path / "out", target, allow_loss=True)
    whole = {p.relative_to(tmp_path / "whole"): p.read_bytes() for p in (tmp_path / "whole").rglob("*") if p.is_file()}
    out = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert out == whole


def test_a_view_of_wide_items_cut_short_is_written_again_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write of a view of 4-byte items cut short was written again from the item of the byte count (and its
    len, counting items, took a write of 4 of its 12 bytes for the whole): wrong bytes, no error."""
    import array

    values = array.array("i", [1, 2, 3])
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:2]))
    create_file(str(tmp_path / "a.bin"), memoryview(values))
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:4]))
    create_file(str(tmp_path / "b.bin"), memoryview(values))
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes() == values.tobytes()


def test_a_file_whose_write_fails_is_removed_and_created_again_meets_that_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open makes the file and the write fails (a full disk): the file left empty was refused as existing when
    created again (labelkit.file_batches does, after its first half fails), 'File exists' for a full disk."""
    import errno

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    for _ in range(2):
        with pytest.raises(OSError) as err:
            create_file(str(tmp_path / "a.txt"), b"1\n")
        assert (err.value.errno, err.value.filename) == (errno.ENOSPC, str(tmp_path / "a.txt"))
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("points_to", ["nowhere", "empty", "file"])
def test_an_output_that_is_a_symbolic_link_is_replaced_only_with_overwrite(points_to: str, tmp_path: Path) -> None:
    """A dangling link, or one to an empty folder, was replaced without a word (the link's target stays)."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_bytes(b"kept")
    link = tmp_path / "out"
    link.symlink_to(points_to)
    for kind in ("dir", "file"):
        with pytest.raises(OutputError) as err, atomic_output(link, kind) as tmp:  # type: ignore[arg-type]
            (tmp / "x" if kind == "dir" else tmp).write_bytes(b"new")
        assert (err.value.message, err.value.location.path) == ("output exists: a symbolic link", str(link))
        assert os.readlink(link) == points_to and sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "out"]
    with atomic_output(link, "dir", overwrite=True) as tmp:
        (tmp / "x").write_bytes(b"new")
    assert not link.is_symlink() and (link / "x").read_bytes() == b"new"
    assert (tmp_path / "file").read_bytes() == b"kept" and list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("target", ["labelkit", "parquet", "yolo"])
def test_an_output_name_up_to_255_bytes_is_written_and_a_longer_one_is_one_error(target: str, tmp_path: Path) -> None:
    """The temporary sibling's name was the output's plus 23 bytes: a valid name of 233 to 255 bytes failed."""
    import labelkit

    ds = labelkit.load("fixtures/native/images.labelkit.json")
    longest = tmp_path / ("é" * 127 + "o")  # 255 bytes
    labelkit.save(ds, longest, target, allow_loss=True)
    assert labelkit.load(longest, target).stats().items == 3
    too_long = tmp_path / ("o" * 256)
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, too_long, target, allow_loss=True)
    assert (err.value.message, err.value.location.path) == ("cannot write: File name too long", str(too_long))
    assert [p.name for p in tmp_path.iterdir()] == [longest.name]


@pytest.mark.parametrize("target", ["labelkit", "parquet", "coco", "yolo"])
def test_a_relative_output_below_a_deep_working_folder_is_written(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system counts the path it is given: a relative output below a working folder of 3,900 bytes is written
    (its items' files too), as it always was; counting the output's absolute path refused it (90fc23f)."""
    import labelkit

    ds = labelkit.load("fixtures/native/images.labelkit.json")
    deep = tmp_path / deep_path(3900 - len(os.fsencode(str(tmp_path))) - 1, "w")
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    out = "o.labelkit.json" if target == "labelkit" else "o"
    report = labelkit.save(ds, out, target, allow_loss=True)
    assert not [c for c in report.lost if "too long" in c.what]
    assert labelkit.load(out, target).stats().items == 3


@pytest.mark.parametrize("target", ["labelkit", "parquet", "coco", "yolo"])
def test_an_output_too_deep_for_its_files_is_one_error_in_a_dry_run_too(target: str, tmp_path: Path) -> None:
    """An output folder deep enough that its files' paths are over 4,095 bytes (PATH_MAX: Parquet's
    ``labelkit.json``, COCO's ``annotations/``, YOLO's labels) passed a dry run, and the write stopped with
    'cannot write: File name too long' naming a file inside: both refuse it, naming the output, before anything
    is written. Its temporary folder's path is what counts, and for a folder 600 bytes below it (a format's own
    files, two names of 255 bytes and their folder)."""
    import labelkit

    ds = labelkit.load("fixtures/native/images.labelkit.json")
    parent = tmp_path / deep_path(4060 - len(os.fsencode(str(tmp_path))) - 1, "p")
    parent.mkdir(parents=True)
    out = parent / ("o.labelkit.json" if target == "labelkit" else "o")
    errors = []
    for dry_run in (True, False):
        with pytest.raises(OutputError) as err:
            labelkit.save(ds, out, target, allow_loss=True, dry_run=dry_run)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and errors[0].startswith(f"{out}: cannot write: File name too long; hint: ")
    assert list(parent.iterdir()) == []
    # at the limit (a folder's temporary path 600 bytes shorter: its own files' room) it is written
    own = 600 if target != "labelkit" else 0
    for extra in (1, 0):  # (the temporary path is the output's and 23 bytes: /.o.labelkit-tmp-12345678)
        out = tmp_path / deep_path(4095 - own - 23 - len(os.fsencode(str(tmp_path))) - 1 + extra, "o")
        assert len(os.fsencode(str(out))) + 23 == 4095 - own + extra
        out.parent.mkdir(parents=True, exist_ok=True)
        if extra:
            with pytest.raises(OutputError, match="File name too long"):
                labelkit.save(ds, out, target, allow_loss=True, dry_run=True)
        else:
            assert labelkit.save(ds, out, target, allow_loss=True).written["items"] == 3


def test_an_output_that_cannot_be_moved_into_place_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_bytes(b"old")
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == out and ".labelkit-tmp-" in str(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError) as err, atomic_output(out, "dir", overwrite=True) as tmp:
        (tmp / "new.txt").write_bytes(b"new")
    assert (err.value.message, err.value.location.path) == ("cannot write: Invalid cross-device link", str(out))
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["old.txt"]


@pytest.mark.parametrize(
    ("target", "ids", "paths", "kept", "written", "dropped"),
    [
        ("voc", ["q", "q.xml/r"], [None, None], 0, "Annotations/q.xml", "Annotations/q.xml/r.xml"),
        ("voc", ["a\\b", "a/b"], [None, None], 1, "Annotations/a/b.xml", "Annotations/a/b.xml"),
        ("voc", ["x", "./x"], [None, None], 1, "Annotations/x.xml", "Annotations/x.xml"),
        ("voc", ["a/b.jpg", "a\\b.jpg"], [None, None], 0, "Annotations/a/b.jpg.xml", "Annotations/a/b.jpg.xml"),
        ("yolo", ["m", "n"], ["m.jpg", "m.txt/n.jpg"], 0, "labels/train/m.txt", "labels/train/m.txt/n.txt"),
        ("yolo", ["a\\b.jpg", "a/b.jpg"], ["a\\b.jpg", "a/b.jpg"], 1, "labels/train/a/b.txt", "labels/train/a/b.txt"),
        ("yolo", ["x.jpg", "./x.jpg"], ["x.jpg", "./x.jpg"], 1, "labels/train/x.txt", "labels/train/x.txt"),
        ("yolo", ["2", "1"], ["a.jpg", "a.jpg"], 1, "labels/train/a.txt", "labels/train/a.txt"),
    ],
)
def test_items_whose_files_are_one_are_a_loss_found_before_writing(
    target: str, ids: list[str], paths: list[str | None], kept: int, written: str, dropped: str, tmp_path: Path
) -> None:
    """Two items writing one file (ids ``a\\b`` and ``a/b``), or one's file on the other's way, failed only
    while writing ('cannot write: File exists'), after a plan that said nothing. They are a loss the plan
    names with both items: refused without --allow-loss (exit 2, nothing written); with it, the first by id
    is written, on every machine."""
    import labelkit
    from labelkit.cli import cli
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=0, name="cat")])
    for n, (item_id, path) in enumerate(zip(ids, paths, strict=True)):
        ds.add_item(Item(id=item_id, media=Media(path=path, width=8, height=6), split="train"))
        ds.add(Object(id=str(n), item_id=item_id, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    reason = (
        "their ids or image names are one file name once written (a\\b and a/b, ./x and x), or one's file is a "
        f"folder on another's way: the first by id is written (item {ascii(ids[kept])}, {ascii(written)}, is "
        f"written; item {ascii(ids[1 - kept])}, {ascii(dropped)}, is not)"
    )
    expected = [
        ("items whose files are another item's", 1, reason),
        ("object annotations on them", 1, "their items are not written"),
    ]
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, target).lost] == expected
    src, out = tmp_path / "in.labelkit.json", tmp_path / "out"
    labelkit.save(ds, src, "labelkit")
    result = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", target])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines()[0] == f"labelkit: lost: 1 items whose files are another item's: {reason}"
    report = labelkit.save(ds, out, target, allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == expected
    assert (out / written).is_file() and (written == dropped or not (out / dropped).exists())
    # what is written is what the kept item alone writes
    alone = Dataset(categories=[Category(id=0, name="cat")])
    alone.add_item(Item(id=ids[kept], media=Media(path=paths[kept], width=8, height=6), split="train"))
    alone.add(Object(id=str(kept), item_id=ids[kept], category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(alone, tmp_path / "alone", target)
    files = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file())
    assert files == sorted(
        str(f.relative_to(tmp_path / "alone")) for f in (tmp_path / "alone").rglob("*") if f.is_file()
    )
    assert all((out / f).read_bytes() == (tmp_path / "alone" / f).read_bytes() for f in files)


@pytest.mark.parametrize("kind", ["dir", "file"])
def test_an_output_that_appears_while_writing_is_not_replaced_without_overwrite(kind: str, tmp_path: Path) -> None:
    """Existence was checked before writing only: a second conversion to one output replaced the first's."""
    out = tmp_path / "out"
    with pytest.raises(OutputError) as err, atomic_output(out, kind) as tmp:  # type: ignore[arg-type]
        (tmp / "new.txt" if kind == "dir" else tmp).write_bytes(b"mine")
        out.mkdir()  # another conversion's output, moved into place meanwhile
        (out / "theirs.txt").write_bytes(b"theirs")
    assert (err.value.message, err.value.location.path) == (
        "output exists: it appeared while this one was written",
        str(out),
    )
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["theirs.txt"]
    with atomic_output(out, "dir", overwrite=True) as tmp:  # (with overwrite it is replaced, as before)
        (tmp / "new.txt").write_bytes(b"mine")
    assert [p.name for p in out.iterdir()] == ["new.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("kind", ["file", "dir"])
def test_an_output_that_is_a_device_or_pipe_is_never_replaced(kind: str, tmp_path: Path) -> None:
    """With overwrite, 'convert x /dev/null --to labelkit --overwrite' (run as root) made /dev/null a regular
    file: a FIFO stands in for the device here."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for overwrite in (False, True):
        with pytest.raises(OutputError) as err, atomic_output(fifo, kind, overwrite=overwrite) as tmp:  # type: ignore[arg-type]
            (tmp / "x" if kind == "dir" else tmp).write_bytes(b"new")
        assert (err.value.message, err.value.location.path) == (
            "output is a device, pipe or socket, which is never replaced",
            str(fifo),
        )
        assert [p.name for p in tmp_path.iterdir()] == ["pipe"] and fifo.is_fifo()


_PARTS = st.sampled_from(
    ["a", "A", "b", "caf\u00e9", "cafe\u0301", "CAF\u00c9", "con", "Nul.x", "a.", "b ", "com1", "a?", "b:c", "d\x01"]
)


@pytest.mark.parametrize("char", list('<>:"|?*') + [chr(c) for c in range(1, 32)])
def test_characters_windows_refuses_make_a_path_unportable(char: str) -> None:
    """'a?.txt' and 'b:c.txt' were written though Windows cannot create them (only device names and a final
    dot or space were found), in a file's name or a folder's."""
    paths = ["l/a.txt", f"l/b{char}.txt", "l/c.txt", f"x{char}y/d.txt", "x/e.txt"]
    assert unportable_paths(paths) == ([1, 3], {})
    assert windows_cannot_hold(f"b{char}.txt")


@pytest.mark.parametrize(
    "name", ["a;b,c=d+e[f]{g}#h%i&j'k!l@m$n^o`p~.txt", "del\x7f.txt", "\uff1f\uff1a.txt", "caf\u00e9"]
)
def test_characters_windows_takes_keep_a_path_portable(name: str) -> None:
    assert unportable_paths([f"l/{name}", "l/b.txt"]) == ([], {}) and not windows_cannot_hold(name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PARTS, min_size=1, max_size=3).map("/".join), max_size=8), st.randoms(use_true_random=False))
def test_the_paths_kept_are_one_file_each_on_every_machine_whatever_their_order(
    paths: list[str], rng: random.Random
) -> None:
    """What unportable_paths keeps can all be written on macOS and Windows, each as its own file or folder, and
    what it keeps does not depend on the order of the paths (nor, so, on the machine)."""
    reserved, yielding = unportable_paths(paths)
    assert not set(reserved) & set(yielding)
    kept = [p for n, p in enumerate(paths) if n not in yielding and n not in reserved]
    assert all(not windows_cannot_hold(part) for p in kept for part in p.split("/"))
    assert all(any(windows_cannot_hold(part) for part in paths[n].split("/")) for n in reserved)
    # every name on the way, file or folder, has one spelling among the paths kept
    spellings: dict[str, set[str]] = {}
    for p in kept:
        parts = p.split("/")
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            spellings.setdefault(folded_name(name), set()).add(name)
    assert all(len(s) == 1 for s in spellings.values()), spellings
    # each path yields to one that is kept
    assert all(paths[k] in kept for k in yielding.values())
    shuffled = list(paths)
    rng.shuffle(shuffled)
    reserved2, yielding2 = unportable_paths(shuffled)
    assert sorted(p for n, p in enumerate(shuffled) if n not in yielding2 and n not in reserved2) == sorted(kept)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "a.x"]), min_size=1, max_size=3), max_size=8), st.randoms())
def test_same_files_keeps_one_writable_entry_per_file_whatever_the_order(parts: list[list[str]], rng: Any) -> None:
    """What is kept is a set of files all writable together (no two equal, none on another's way), the
    first by key of each path, and the same entries whatever order they come in."""
    paths = ["/".join(p) for p in parts]
    keys = [f"{path}#{n}" for n, path in enumerate(paths)]
    yielding = same_files(paths, keys)
    kept = [n for n in range(len(paths)) if n not in yielding]
    assert all(k not in yielding for k in yielding.values())
    written = [paths[n] for n in kept]
    assert len(set(written)) == len(written)
    assert not any(f.startswith(g + "/") for f in written for g in written)
    for n, k in yielding.items():
        if paths[n] == paths[k]:
            assert keys[k] < keys[n]
    order = list(range(len(paths)))
    rng.shuffle(order)
    again = same_files([paths[n] for n in order], [keys[n] for n in order])
    assert sorted(keys[order[n]] for n in range(len(order)) if n not in again) == sorted(keys[n] for n in kept)


@pytest.mark.parametrize(
    ("name", "other", "where"),
    [
        ("Cat.txt", "cAT.txt", "macOS and Windows"),
        ("caf\u00e9", "cafe\u0301", "macOS"),  # NFC and NFD: NTFS does not normalise
        ("CAF\u00c9", "cafe\u0301", "macOS"),
        ("\u1e9e", "\u00df", "macOS"),  # capital sharp s folds to sharp s (NTFS has no upper case for ß)
        ("\u212a", "k", "macOS"),  # the Kelvin sign: folded to k; NTFS upper-cases k to K, not to it
        ("\u0131", "I", "Windows"),  # dotless i: upper-cased to I; folded to itself
        ("\u00e9", "\u00c9", "macOS and Windows"),
        ("\U00010428", "\U00010400", "macOS"),  # (Deseret, beyond the BMP: two UTF-16 units NTFS leaves alone)
    ],
)
def test_names_one_file_on_macos_or_windows_fold_alike_and_say_where(name: str, other: str, where: str) -> None:
    assert folded_name(name) == folded_name(other) and where_one(name, other) == where


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("stra\u00dfe", "strasse"),  # str.casefold folds ß to ss: neither macOS nor Windows does
        ("\ufb01", "fi"),
        ("\u0149", "\u02bcn"),
        ("\u0130", "i"),  # capital I with dot: i + U+0307 folded
        ("\u0131", "\u0130"),
    ],
)
def test_names_only_full_case_folding_makes_one_are_two(name: str, other: str) -> None:
    """str.casefold made straße.txt and strasse.txt one: macOS folds each character alone, NTFS upper-cases
    each alone, and both keep them apart."""
    assert folded_name(name) != folded_name(other)
    assert unportable_paths([f"l/{name}.txt", f"l/{other}.txt"]) == ([], {})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12))
def test_names_macos_or_windows_take_for_one_fold_alike(name: str) -> None:
    """Canonically equivalent names (one on macOS), and names upper-cased a character at a time (one on
    Windows) have one folded name, in bulk too."""
    import unicodedata

    windows = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    for other in (unicodedata.normalize("NFD", name), unicodedata.normalize("NFC", name), windows):
        assert folded_name(other) == folded_name(name)
    assert folded_names([name, windows]) == [folded_name(name), folded_name(windows)]


def test_paths_yielding_to_another_spelling_of_their_folder_name_the_first_kept_below_it() -> None:
    """One label file in ``LABELS/`` makes every path under ``labels/`` yield to it: each names the first kept
    path below the spelling it yields to. (Finding it went through the kept paths for each, a dict emptied by
    deletion whose every freed slot was visited again: 118,000 names took 23 s, now under a second; a speed
    this test does not time, as no test here does.)"""

    def paths(n: int) -> list[str]:
        return [f"labels/train/{k:06d}.txt" for k in range(n)] + ["LABELS/train/x.txt", "labels/Train/y.txt"]

    reserved, yielding = unportable_paths(paths(60_000))
    assert reserved == []
    assert yielding == {n: 60_000 for n in range(60_000)} | {60_001: 60_000}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PARTS, min_size=1, max_size=5).map("/".join), max_size=8))
def test_deep_paths_are_told_apart_by_ids_as_shallow_ones_by_name(paths: list[str]) -> None:
    """Paths deeper than ``_DEEP`` are compared by ids of their folders (each level's names spelled out took
    time in the square of the depth: 5,000 paths 800 folders deep, 79 s); both ways give the same answer."""
    import labelkit.portable as portable

    by_name = unportable_paths(paths)
    deep, portable._DEEP = portable._DEEP, 0  # (every path taken for a deep one)
    try:
        assert unportable_paths(paths) == by_name
    finally:
        portable._DEEP = deep


def test_paths_hundreds_of_folders_deep_yield_to_the_first_spelling() -> None:
    deep = "D/" * 300
    paths = [f"{deep}x{k}.txt" for k in range(200)] + [f"d/{deep}y.txt", f"{deep}X7.TXT", f"{deep}x7.txt"]
    # d/ yields to D/ (first by name) at the top, x7.txt to X7.TXT at the bottom
    assert unportable_paths(paths) == ([], {7: 201, 200: 0, 202: 201})


def test_paths_given_twice_keep_the_quick_usual_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal paths are one file everywhere (YOLO's ``x.jpg`` and ``x.png`` share ``x.txt``), yet one such pair
    sent the check through every part of every path: 118,000 label files took 1.4 s instead of 0.1 s. Only
    the folders' names are looked at one by one then."""
    import labelkit.portable as portable

    looked: list[str] = []
    real = portable.windows_cannot_hold
    monkeypatch.setattr(portable, "windows_cannot_hold", lambda name: looked.append(name) or real(name))
    paths = [f"labels/train/{n:05d}.txt" for n in range(10_000)]
    assert unportable_paths([*paths, paths[7]]) == ([], {})
    assert sorted(looked) == ["labels", "train"]
    assert unportable_paths([*paths, paths[7].upper()]) == ([], {n: 10_000 for n in range(10_000)})


def test_a_file_the_file_system_takes_for_another_at_write_time_is_one_error_and_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names differing in case or normalisation are found before writing; a file system folding names otherwise
    (one that finds the second label file there) still gets one error naming the file, with what to do."""
    import errno

    import labelkit
    from labelkit import file_batches
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=0, name="cat")])
    for name in ("a", "b"):
        ds.add_item(Item(id=name, media=Media(path=f"{name}.jpg", width=4, height=4), split="train"))
        ds.add(Object(id=name, item_id=name, category_id=0, bbox=(0.0, 0.0, 1.0, 1.0)))
    real = file_batches.create_file

    def taken(path: str, data: bytes | memoryview) -> None:
        if path.endswith("b.txt"):
            raise FileExistsError(errno.EEXIST, "File exists", path)
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", taken)
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", "yolo")
    assert str(err.value) == (
        f"{tmp_path / 'out' / 'labels' / 'train' / 'b.txt'}: cannot write: File exists; hint: two items would write "
        "this file, or one's file is another's folder: this file system takes their names for one, though they "
        "differ in more than case or Unicode normalisation (which are found before writing); rename one"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a" 1}', "invalid JSON at column 6: unexpected character, expected ':' after key"),
        (b'{"a": 1 "b": 2}', "invalid JSON at column 9: unexpected character, expected ',' or '}'"),
        (b"[1, tru]", "invalid JSON at column 5: invalid literal, expected 'true'"),
    ],
)
def test_parse_json_gives_orjson_s_reason_whole(data: bytes, message: str) -> None:
    """orjson 3.12's reasons quote what was expected: cut at their first colon, ``expected ':' after key`` was
    shown as ``expected '``."""
    with pytest.raises(InputError) as info:
        parse_json(data, "f.json")
    assert (info.value.location.path, info.value.location.line, info.value.message) == ("f.json", 1, message)


def test_an_interrupt_between_the_two_moves_puts_the_old_output_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the old output was moved aside, before the new one took its place, lost the old one (hidden
    as ``.out.labelkit-old-...``): only an OSError put it back."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_bytes(b"old")
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == out and ".labelkit-tmp-" in str(src):
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt), atomic_output(out, "dir", overwrite=True) as tmp:
        (tmp / "new.txt").write_bytes(b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["old.txt"]


def test_an_interrupt_while_the_old_output_is_removed_leaves_no_half_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the replaced output was being removed (a large one takes a while) left it half removed beside
    the new output, which was in place: the removal is finished, and the conversion with it."""
    import labelkit.io_output as lio

    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "b").mkdir()
    real_remove = lio._remove
    interrupted: list[Path] = []

    def remove(path: Path) -> None:
        if ".labelkit-old-" in path.name and not interrupted:
            interrupted.append(path)
            (path / "a").rmdir()  # half of it removed
            raise KeyboardInterrupt
        real_remove(path)

    monkeypatch.setattr(lio, "_remove", remove)
    try:
        with atomic_output(out, "dir", overwrite=True) as tmp:
            (tmp / "new.txt").write_bytes(b"new")
    except KeyboardInterrupt:  # (not let through: it would stop the test run)
        pytest.fail(f"interrupted, leaving {sorted(p.name for p in tmp_path.iterdir())}")
    assert interrupted
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["new.txt"]


def test_an_output_path_ending_in_dot_dot_is_refused_before_any_work(tmp_path: Path) -> None:
    """``a/..`` as the output, with --overwrite, failed after the whole conversion with 'cannot write: Device or
    resource busy' (a folder named so cannot be moved aside): it is refused at once, saying why."""
    (tmp_path / "w" / "a").mkdir(parents=True)
    with pytest.raises(OutputError) as caught, atomic_output(tmp_path / "w" / "a" / "..", "dir", overwrite=True):
        raise AssertionError("not reached")
    assert str(caught.value) == (
        f"{tmp_path / 'w' / 'a' / '..'}: the output's path does not end in a name; hint: name the output folder itself"
    )
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["a"]


@pytest.mark.parametrize(
    ("target", "options", "full"),
    [
        ("coco", {}, "annotations/instances_train.json"),
        ("yolo", {}, "image_sizes.json"),
        ("yolo", {"layout": "darknet"}, "train.txt"),
        ("voc", {}, "ImageSets/Main/train.txt"),
        ("parquet", {}, "items.parquet"),
    ],
)
def test_a_file_filling_the_disk_is_named_whichever_file_it_is(
    target: str, options: dict[str, str], full: str, tmp_path: Path
) -> None:
    """A write through an open file names no file: a disk filling up (here a file-size limit) while COCO's
    annotations, a YOLO or VOC list or a Parquet table was written named only the output folder."""
    resource = pytest.importorskip("resource")
    import labelkit
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    for k in range(1000):
        ds.add_item(Item(id=f"img{k:04d}", media=Media(path=f"img{k:04d}.jpg", width=640, height=480), split="train"))
        ds.add(Object(id=str(k), item_id=f"img{k:04d}", category_id=1, bbox=(10, 20, 30, 40)))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))  # (Python ignores SIGXFSZ: a write fails with EFBIG)
    try:
        with pytest.raises(OutputError) as err:
            labelkit.save(ds, tmp_path / "out", target, **options)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert err.value.message.startswith("cannot write: ") and "File too large" in err.value.message
    assert err.value.location.path == str(tmp_path / "out" / full)
    assert list(tmp_path.iterdir()) == []


def test_json_text_names_the_value_it_cannot_write_by_its_own_pointer() -> None:
    """Was: the pointer given (a record's, ``/images/0``), not the integer's or the text's inside it."""
    from labelkit.errors import InputError
    from labelkit.io import json_text

    for value, pointer, message in (
        ({"a": [1, {"b": -(2**63) - 1}]}, "/x/a/1/b", "an integer does not fit in 64 bits"),
        ({"a": [2**64 - 1, 2**64]}, "/x/a/1", "an integer does not fit in 64 bits"),
        ({"a": {"k\ud800": 1}}, "/x/a/k\ud800", "text holds a lone surrogate, which UTF-8 cannot encode"),
        ({"a": ["ok", "v\udfff"]}, "/x/a/1", "text holds a lone surrogate, which UTF-8 cannot encode"),
    ):
        with pytest.raises(InputError) as err:
            json_text(value, "f.json", "/x")
        assert (err.value.message, err.value.location.pointer) == (message, pointer)


@pytest.mark.parametrize("error", [KeyboardInterrupt, OutputError("cannot write: File too large")])
def test_a_second_interrupt_while_the_temporary_output_is_removed_leaves_none_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException | type[BaseException]
) -> None:
    """A second Ctrl-C (or a SIGTERM) while an interrupted or failed conversion's temporary folder was being
    removed (thousands of files take a while) left it half removed beside the output's place
    (``.out.labelkit-tmp-...``): the removal is finished, then the interrupt is raised."""
    import shutil

    real_rmtree = shutil.rmtree
    interrupted: list[str] = []

    def rmtree(path: str, *args: Any, **kwargs: Any) -> None:
        if not interrupted:
            interrupted.append(path)
            (Path(path) / "a.txt").unlink()  # some of it removed
            raise KeyboardInterrupt
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    with pytest.raises(KeyboardInterrupt), atomic_output(tmp_path / "out", "dir") as tmp:
        for name in ("a.txt", "b.txt"):
            (tmp / name).write_bytes(b"x")
        raise error
    assert interrupted and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("target", "options"), [("yolo", {}), ("voc", {"masks": "all"}), ("coco", {})])
def test_every_output_file_takes_its_mode_from_the_umask_alone(
    tmp_path: Path, target: str, options: dict[str, str]
) -> None:
    """Under umask 002 (shared-group setups) every file is 0664 and every folder 0775.

    YOLO label files, VOC XML, PNGs and lists (and lockfiles) were created 0644 whatever the umask, beside JSON,
    Parquet and report files of 0664: a group sharing the output could edit some of its files and not others.
    """
    import stat

    import labelkit

    ds = labelkit.load(ROOT / "fixtures" / "native" / "images.labelkit.json")
    old = os.umask(0o002)
    try:
        labelkit.save(ds, tmp_path / "out", target, allow_loss=True, **options)
    finally:
        os.umask(old)
    modes = {
        p.relative_to(tmp_path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode))
        for p in [tmp_path / "out", *(tmp_path / "out").rglob("*")]
    }
    assert len(modes) > 3
    assert {p: m for p, m in modes.items() if m != ("0o775" if (tmp_path / p).is_dir() else "0o664")} == {}


@pytest.mark.parametrize("links", [True, False])
def test_a_file_output_that_appears_as_it_is_moved_into_place_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """The output was checked, then the temporary file renamed over whatever was there: a file that appeared between
    the two (another conversion's) was replaced, without ``overwrite``. Here it appears just after each look at the
    output's place once the temporary file is written; without hard links (FAT), the name is taken exclusively."""
    out = tmp_path / "out.json"
    real_exists = Path.exists

    def exists(self: Path, *args: Any, **kwargs: Any) -> bool:
        found = real_exists(self, *args, **kwargs)
        if self == out and not found:
            out.write_bytes(b"theirs")
        return found

    def link(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    if not links:
        monkeypatch.setattr(os, "link", link)
    with pytest.raises(OutputError) as err, atomic_output(out, "file") as tmp:
        tmp.write_bytes(b"mine")
        monkeypatch.setattr(Path, "exists", exists)
    monkeypatch.undo()
    assert str(err.value) == (
        f"{out}: output exists: it appeared while this one was written; hint: pass --overwrite (API: overwrite=True) "
        "to replace it"
    )
    assert out.read_bytes() == b"theirs" and [p.name for p in tmp_path.iterdir()] == ["out.json"]
    # nothing there: the file is published, hard links or not, and its temporary name is gone
    out.unlink()
    if not links:
        monkeypatch.setattr(os, "link", link)
    with atomic_output(out, "file") as tmp:
        tmp.write_bytes(b"mine")
    assert out.read_bytes() == b"mine" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("theirs", ["folder", "file"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_folder_output_that_appears_as_it_is_moved_into_place_is_not_replaced(
    theirs: str, overwrite: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder with files, or a file, that appeared between the last look and the rename of the folder written
    failed the rename with the OS's words (``cannot write: Directory not empty`` or ``Not a directory``); a file
    output in the same race says it appeared. Here it appears just after each look once the folder is written."""
    out = tmp_path / "out"
    real_exists = Path.exists

    def exists(self: Path, *args: Any, **kwargs: Any) -> bool:
        found = real_exists(self, *args, **kwargs)
        if self == out and not found:
            if theirs == "folder":
                out.mkdir()
                (out / "theirs.txt").write_bytes(b"theirs")
            else:
                out.write_bytes(b"theirs")
        return found

    with pytest.raises(OutputError) as err, atomic_output(out, "dir", overwrite=overwrite) as tmp:
        (tmp / "new.txt").write_bytes(b"mine")
        monkeypatch.setattr(Path, "exists", exists)
    monkeypatch.undo()
    hint = "run again to replace it" if overwrite else "pass --overwrite (API: overwrite=True) to replace it"
    assert str(err.value) == f"{out}: output exists: it appeared while this one was written; hint: {hint}"
    assert err.value.location.path == str(out) and [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (out / "theirs.txt" if theirs == "folder" else out).read_bytes() == b"theirs"


@pytest.mark.parametrize("name", ["b\x00c.jpg", "b:c.jpg", "/etc/x.jpg", "../x.jpg"])
def test_an_unsafe_name_is_refused_with_a_hint_naming_every_reason(name: str) -> None:
    """The hint named only absolute names and '..', so a NUL or a drive (``b:c.jpg``) was refused with a hint
    that did not fit it."""
    with pytest.raises(InputError, match="unsafe file name") as err:
        safe_relpath(name)
    assert err.value.hint == "names inside a dataset must be relative, with no drive ('C:'), '..' part or NUL character"


def test_a_replaced_output_that_cannot_be_removed_wholly_is_named_in_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write-protected folder of the old output (removing it fails for a user without rights to it): the whole old
    output was left beside the new one under a hidden name, with a full report and exit 0, unsaid."""
    import shutil

    import labelkit

    source = ROOT / "fixtures" / "native" / "images.labelkit.json"
    out = tmp_path / "out.parquet"
    labelkit.save(labelkit.load(source), out, "parquet")
    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: None)  # (as a protected folder stops it)
    report = labelkit.save(labelkit.load(source), out, "parquet", overwrite=True)
    (old,) = [p for p in tmp_path.iterdir() if p.name != "out.parquet"]
    assert old.name.startswith(".out.parquet.labelkit-old-") and (old / "items.parquet").is_file()
    assert report.notes == [f"the output replaced could not be removed wholly: {old} is left (remove it yourself)"]
    monkeypatch.undo()
    assert labelkit.save(labelkit.load(source), out, "parquet", overwrite=True).notes == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [old.name, "out.parquet"]


def test_a_temporary_output_left_by_a_failed_write_is_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write failing with a folder of its temporary output it cannot remove left that folder hidden, unsaid."""
    import shutil

    from labelkit.io_output import atomic_output

    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: None)  # (as a protected folder stops it)
    with pytest.raises(OutputError) as info, atomic_output(tmp_path / "out", "dir") as tmp:
        (tmp / "a.txt").write_text("a")
        raise OutputError("cannot write: No space left on device", path=tmp / "a.txt")
    assert info.value.location.path == str(tmp_path / "out" / "a.txt")
    assert info.value.hint == f"the temporary output {tmp} could not be removed wholly: remove it yourself"
    assert tmp.is_dir()
