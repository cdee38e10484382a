"""labelkit.file_batches: a batch of files created on two threads, errors as one thread would give them."""

from __future__ import annotations

import errno
import os
import threading
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


@pytest.mark.parametrize(("failing", "named"), [((10, 150), 10), ((150,), 150), ((10,), 10), ((0, 100), 0)])
def test_the_error_is_the_first_half_s_and_each_half_stops_at_its_first(
    failing: tuple[int, ...], named: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each half stops at its failure; both have ended when the error is raised (no file is created later), and
    the error is of the file a single thread would have met first."""
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
    first_stop = min([i for i in failing if i < 100], default=100)
    second_stop = min([i for i in failing if i >= 100], default=200)
    expected = [*range(first_stop), *range(100, second_stop)]
    assert sorted(os.listdir(tmp_path)) == [f"{i:04d}.txt" for i in expected]


def test_an_existing_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "0150.txt").write_bytes(b"kept")
    with pytest.raises(FileExistsError) as err:
        create_files(_entries(tmp_path, 200))
    assert err.value.filename == str(tmp_path / "0150.txt") and (tmp_path / "0150.txt").read_bytes() == b"kept"
