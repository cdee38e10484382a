"""Creating a batch of small files on two threads.

A writer of one file per image (YOLO label files, VOC XML) spends most of its write in the kernel: the open,
write and close of 118,000 small files take about 1.2 s on a tmpfs, and Python holds the GIL for little of it
(``os.open``, ``os.write`` and ``os.close`` release it). Two threads, each creating half of a batch, take about
0.7 s in a script that does nothing else: the kernel serialises the creation of names in one folder, but not the
filling of their pages. Inside a conversion the gain measured smaller, and on a busy machine nothing (see README).

The caller waits for the batch: formatting the next batch meanwhile was slower, not faster (each thread coming
back from the kernel waits for the GIL the formatting holds, a few milliseconds a time).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import suppress

from labelkit.io import create_file

_SMALL = 64  # a batch of fewer files is created on the calling thread (threads cost more than they save)

Entries = Sequence[tuple[str, bytes | memoryview]]


def _create(entries: Entries, stop: threading.Event | None = None, made: list[int] | None = None) -> None:
    for path, data in entries:
        if stop is not None and stop.is_set():
            return
        create_file(path, data)
        if made is not None:
            made[0] += 1


def create_files(entries: Entries, threads: int = 2) -> None:
    """Create each ``(path, data)`` (none may exist), the first half on one thread and the rest on another.

    ``threads=1`` (or less) creates them all in order on the calling thread: for a caller whose own worker threads
    keep the cores busy meanwhile (VOC's PNG painters), where a second thread only waits its turn for a core and the
    GIL. Two (the default) or more: two threads, as above.

    Both halves run to their end or first failure before this returns, so no file is created afterwards: a Ctrl-C
    or SIGTERM (KeyboardInterrupt) while the calling thread waits for the other is raised once that one has ended,
    and it creates no more files once the calling thread is interrupted.

    The error raised is the one a single thread creating them in order meets: when the first half fails, the
    files the other thread made are removed and the rest are created in order on this thread, so that a failure
    they caused (a disk they filled, a name a case-blind file system takes for theirs) is met where it would be.

    >>> import tempfile, os, shutil
    >>> folder = tempfile.mkdtemp()
    >>> create_files([(os.path.join(folder, name), b"1") for name in ("a.txt", "b.txt")])
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']
    >>> shutil.rmtree(folder)

    Raises:
        OSError: the first failure a single thread would meet (naming the file).
    """
    if threads < 2 or len(entries) < _SMALL:
        _create(entries)
        return
    half = len(entries) // 2
    stop, ended = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    first, second = [0], [0]  # files made by each thread

    def second_half() -> None:
        try:
            _create(entries[half:], stop, second)
        except BaseException as exc:  # (raised on the calling thread below: a thread's own error is printed)
            errors.append(exc)
        finally:
            ended.set()

    worker = threading.Thread(target=second_half, name="labelkit-files")
    worker.start()
    try:
        _create(entries[:half], None, first)
    except OSError:  # (first[0] tells where)
        stop.set()  # (the other thread stops at its next file)
    except BaseException:  # (a Ctrl-C, a MemoryError: the other thread created the rest of its half meanwhile)
        stop.set()
        raise
    finally:
        _wait(ended, stop)
        worker.join()  # (it has nothing left to do but end)
    if errors and not isinstance(errors[0], OSError):
        raise errors[0]
    if first[0] < half:  # it failed there; the other thread's files may be why (a disk filled, a name taken):
        # undone, then as one thread
        _undo(entries[half : half + second[0]])
        _create(entries[first[0] :])  # (raises what a single thread meets first)
        return
    if errors:
        raise errors[0]


def _undo(entries: Entries) -> None:
    """Remove the files of ``entries`` (made here, in a folder being written: one that cannot be, stays)."""
    for path, _ in entries:
        with suppress(OSError):
            os.unlink(path)


def _wait(ended: threading.Event, stop: threading.Event) -> None:
    """Wait for the other thread to end its half, through any Ctrl-C or SIGTERM meanwhile (raised once it has).

    A second interrupt ended the wait (a pool's, the first one having ended the wait for the half's result) with
    the thread still creating files while the output folder was being removed: hundreds were left behind. Not
    ``Thread.join``: interrupted, Python 3.11's takes the thread for ended (its next call returns at once).
    """
    interrupt: KeyboardInterrupt | None = None
    while True:
        try:
            ended.wait()
        except KeyboardInterrupt as exc:
            stop.set()  # (the thread stops at its next file)
            interrupt = exc
        else:
            break
    if interrupt is not None:
        raise interrupt
