"""labelkit.file_batches: a batch of files created on two threads, errors as one thread would give them."""

from __future__ import annotations

import errno
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labelkit import file_batches
from labelkit.file_batches import create_files


def _entries(folder: Path, n: int) -> list[tuple[str, bytes | memoryview]]:
    text = b"".join(b"%d\n" % i for i in range(n))
    view = memoryview(text)
    starts = [0, *(len(b"".join(b"%d\n" % i for i in range(k + 1))) for k in range(n))]
    return [(str(folder / f"{i:04d}.txt"), view[starts[i] : starts[i + 1]]) for i in range(n)]


def test_every_file_is_created_with_its_bytes_by_two_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: dict[str, int] = {}
    real = file_batches.create_file

    def recorded(path: str, data: bytes | memoryview) -> None:
        threads[path] = threading.get_ident()
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", recorded)
    create_files(_entries(tmp_path, 201))
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(201)]
    assert [(tmp_path / f"{i:04d}.txt").read_bytes() for i in range(201)] == [b"%d\n" % i for i in range(201)]
    first, second = (
        {threads[str(tmp_path / f"{i:04d}.txt")] for i in range(100)},
        {threads[str(tmp_path / f"{i:04d}.txt")] for i in range(100, 201)},
    )
    assert first == {threading.get_ident()} and len(second) == 1 and second != first  # the caller takes the first half


def test_a_small_batch_is_created_on_the_calling_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: set[int] = set()
    real = file_batches.create_file

    def recorded(path: str, data: bytes | memoryview) -> None:
        threads.add(threading.get_ident())
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", recorded)
    create_files(_entries(tmp_path, 63))
    assert len(os.listdir(tmp_path)) == 63 and threads == {threading.get_ident()}
    create_files([])
    assert len(os.listdir(tmp_path)) == 63


def test_one_thread_creates_every_file_in_order_on_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[str, int]] = []
    real = file_batches.create_file

    def recorded(path: str, data: bytes | memoryview) -> None:
        made.append((path, threading.get_ident()))
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", recorded)
    create_files(_entries(tmp_path, 201), threads=1)
    assert [path for path, _ in made] == [str(tmp_path / f"{i:04d}.txt") for i in range(201)]
    assert {ident for _, ident in made} == {threading.get_ident()}
    assert [(tmp_path / f"{i:04d}.txt").read_bytes() for i in range(201)] == [b"%d\n" % i for i in range(201)]


@pytest.mark.parametrize(("failing", "named"), [((10, 150), 10), ((150,), 150), ((10,), 10), ((0, 100), 0)])
def test_the_error_and_the_files_left_are_a_single_thread_s(
    failing: tuple[int, ...], named: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both halves have ended when the error is raised (no file is created later); the error is of the file a
    single thread creating them in order meets first, and the files left are the ones it would have made."""
    real = file_batches.create_file
    bad = {str(tmp_path / f"{i:04d}.txt") for i in failing}

    def full(path: str, data: bytes | memoryview) -> None:
        if path in bad:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", full)
    with pytest.raises(OSError) as err:
        create_files(_entries(tmp_path, 200))
    assert (err.value.errno, err.value.filename) == (errno.ENOSPC, str(tmp_path / f"{named:04d}.txt"))
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(named)]


def test_a_failure_the_other_thread_caused_is_met_where_a_single_thread_meets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system taking 0010.txt and 0150.txt for one name (as a case-blind one takes x.txt and X.txt): the
    second thread made 0150.txt first, so the first half's 0010.txt failed. One thread in order makes 0010.txt and
    fails at 0150.txt: so the error says, every time, and the files left are those it makes."""
    real = file_batches.create_file
    twins = {str(tmp_path / "0010.txt"), str(tmp_path / "0150.txt")}
    made_150 = threading.Event()
    lock = threading.Lock()

    def folding(path: str, data: bytes | memoryview) -> None:
        if path == str(tmp_path / "0010.txt"):
            made_150.wait(5)  # (the other thread first, as it may be)
        with lock:
            if path in twins and any(os.path.exists(t) for t in twins):
                raise FileExistsError(errno.EEXIST, "File exists", path)
            real(path, data)
        if path == str(tmp_path / "0150.txt"):
            made_150.set()

    monkeypatch.setattr(file_batches, "create_file", folding)
    with pytest.raises(FileExistsError) as err:
        create_files(_entries(tmp_path, 200))
    assert err.value.filename == str(tmp_path / "0150.txt")
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(150)]


def test_a_disk_filling_up_gives_a_single_thread_s_error_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk of 64 files' room, as a kernel fills it: the open makes the file, the write fails. The file that failed
    was left empty, and created again (the rest in order, on one thread) it was refused as existing: 'File exists'
    (naming 0000.txt on a 256 KiB tmpfs, the other thread having filled it first), not 'No space left on device'."""
    room = 64 * len(b"x" * 100)
    real_write = os.write
    lock = threading.Lock()

    def write(fd: int, data: bytes | memoryview) -> int:
        with lock:
            used = sum(os.path.getsize(tmp_path / name) for name in os.listdir(tmp_path))
            if used + len(data) > room:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    for run in range(10):
        with pytest.raises(OSError) as err:
            create_files([(str(tmp_path / f"{i:04d}.txt"), b"x" * 100) for i in range(200)])
        assert (err.value.errno, err.value.filename) == (errno.ENOSPC, str(tmp_path / "0064.txt")), run
        assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(64)], run
        for name in os.listdir(tmp_path):
            os.unlink(tmp_path / name)


def test_an_existing_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "0150.txt").write_bytes(b"kept")
    with pytest.raises(FileExistsError) as err:
        create_files(_entries(tmp_path, 200))
    assert err.value.filename == str(tmp_path / "0150.txt") and (tmp_path / "0150.txt").read_bytes() == b"kept"


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt (Python's own handler), as the CLI's SIGTERM and SIGHUP handlers do."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="a signal sent to the calling thread (POSIX)")
@pytest.mark.usefixtures("sigint_raises")
def test_interrupts_while_the_caller_waits_are_raised_once_the_other_thread_has_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C (or SIGTERM) pressed twice while the calling thread waited: the second ended the wait with the other
    thread still creating files, as the output folder was being removed (hundreds were left in its temporary
    folder, .out.labelkit-tmp-*). The interrupt is raised once that thread has ended, which stops at its next file."""
    caller = threading.get_ident()
    real = file_batches.create_file
    caller_done = threading.Event()

    def interrupted(path: str, data: bytes | memoryview) -> None:
        if path.endswith("0099.txt"):  # (the caller's last: it waits for the other thread next)
            caller_done.set()
        elif path.endswith("0100.txt"):  # (the other thread's first)
            assert threading.get_ident() != caller and caller_done.wait(10)
            for _ in range(2):
                time.sleep(0.05)
                signal.pthread_kill(caller, signal.SIGINT)
            time.sleep(0.05)
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        create_files(_entries(tmp_path, 200))
    assert [t.name for t in threading.enumerate() if t.name.startswith("labelkit-files")] == []
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(101)]


@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError])
def test_an_interrupt_or_other_error_in_the_caller_s_half_stops_the_other_thread(
    error: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C (or a MemoryError) on the calling thread: the other thread creates no more files (it went on to the
    end of its half; with a MemoryError it still did, 100 files where a single thread makes none)."""
    real = file_batches.create_file
    started, interrupted = threading.Event(), threading.Event()

    def create(path: str, data: bytes | memoryview) -> None:
        if path.endswith("0010.txt"):
            assert started.wait(10)
            interrupted.set()
            raise error
        if path.endswith("0101.txt"):
            started.set()
            assert interrupted.wait(10)
            time.sleep(0.1)  # (the caller tells it to stop meanwhile)
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", create)
    with pytest.raises(error):
        create_files(_entries(tmp_path, 200))
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in (*range(10), 100, 101)]


def test_any_error_of_the_other_thread_is_raised_on_the_calling_one_and_nothing_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = file_batches.create_file

    def short(path: str, data: bytes | memoryview) -> None:
        if path.endswith("0150.txt"):
            raise MemoryError
        real(path, data)

    monkeypatch.setattr(file_batches, "create_file", short)
    with pytest.raises(MemoryError):
        create_files(_entries(tmp_path, 200))
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in range(150)]
    assert capsys.readouterr() == ("", "")


@pytest.mark.usefixtures("folding_file_system")
def test_of_two_names_a_folding_file_system_takes_for_one_a_single_file_is_created(tmp_path: Path) -> None:
    """x.txt in the first half, X.txt in the second: one of them is refused (which one depends on which thread
    gets there first), as on macOS. The fixture looked and created in two steps: both were created, now and then."""
    names = [f"{i:04d}.txt" for i in range(64)]  # (the fewest made on two threads)
    names[20], names[52] = "x.txt", "X.txt"
    for run in range(25):
        folder = tmp_path / str(run)
        folder.mkdir()
        with pytest.raises(FileExistsError) as err:
            create_files([(str(folder / name), b"1\n") for name in names])
        assert err.value.filename in (str(folder / "x.txt"), str(folder / "X.txt"))
        assert len({"x.txt", "X.txt"} & set(os.listdir(folder))) == 1
