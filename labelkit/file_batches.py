"""Creating a batch of small files on two threads.

A writer of one file per image (YOLO label files, VOC XML) spends most of its write in the kernel: the open,
write and close of 118,000 small files take about 1.2 s on a tmpfs, and Python holds the GIL for little of it
(``os.open``, ``os.write`` and ``os.close`` release it). Two threads, each creating half of a batch, take about
0.7 s: the kernel serialises the creation of names in one folder, but not the filling of their pages.

The caller waits for the batch: formatting the next batch meanwhile was slower, not faster (each thread coming
back from the kernel waits for the GIL the formatting holds, a few milliseconds a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from labelkit.io import create_file

_SMALL = 64  # a batch of fewer files is created on the calling thread (threads cost more than they save)

Entries = Sequence[tuple[str, bytes | memoryview]]


def _create(entries: Entries) -> None:
    for path, data in entries:
        create_file(path, data)


def create_files(entries: Entries) -> None:
    """Create each ``(path, data)`` (none may exist), the first half on one thread and the rest on another.

    Both halves run to their end or first failure before this returns, so no file is created afterwards.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> create_files([(os.path.join(folder, name), b"1") for name in ("a.txt", "b.txt")])
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']

    Raises:
        OSError: of the first half's failure if it has one, else of the second half's (naming the file).
    """
    if len(entries) < _SMALL:
        _create(entries)
        return
    half = len(entries) // 2
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="labelkit-files") as pool:
        second = pool.submit(_create, entries[half:])
        try:
            _create(entries[:half])
        finally:
            error = second.exception()  # (waits: no file is created after this returns)
    if error is not None:
        raise error
