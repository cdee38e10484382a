"""Segmentation PNGs painted in a second Python process, for conversions that write many of them.

Painting a mask and packing its pixels run in Python between the calls that release the GIL (zlib,
numpy), so two threads beside the writer of the XML files spend most of their time waiting for the GIL
(the convoy: each return from zlib waits out the writer's switch interval). A process of its own paints on
the second core without waiting. The parent sends batches of :class:`~labelkit.formats.voc_masks.ImageMasks`
(each batch with only its own images' mask cells) through a pipe, one at a time, from a thread of its own,
and reads back what each image lost, in order: the report is the same as with threads, and so are the bytes.

The child is started as ``python -c`` with the parent's interpreter and this copy of labelkit (never by
re-running the caller's ``__main__``, which ``multiprocessing``'s spawn would do). It ignores Ctrl-C (the
parent stops it), writes only under the output folder the parent gives, and sends its errors back pickled.
"""

from __future__ import annotations

import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import labelkit

Losses = list[tuple[str, int, str]]
"""What one image's PNGs lost: (what, count, reason), as :meth:`ImageMasks.write` returns it."""

_CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from labelkit.formats.voc_png_process import serve; serve(sys.stdin.buffer, sys.stdout.buffer)"
)


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next value, or None at the end of the stream."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: for each batch ``(path, [(file, shape, masks), ...])``, each image's losses.

    An error ends the batch and is sent back in its place (pickled when it can be); the loop goes on until
    the parent closes the pipe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C reaches the whole process group: the parent stops us)
    while (batch := _receive(requests)) is not None:
        path, jobs = batch
        reply: tuple[str, Any]
        try:
            reply = ("ok", [masks.write(path, file, shape) for file, shape, masks in jobs])
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
            reply = ("error", exc)
        try:
            _send(replies, reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            _send(replies, ("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))


class PngProcess:
    """A child process painting batches of PNG jobs, fed from a thread; results in submission order.

    ``pending`` batches at most wait to be sent (each holds its images' mask cells), so the memory of the
    parent stays bounded when the child is slower than the writer of the XML files.
    """

    def __init__(self, pending: int = 4) -> None:
        """Start the child.

        Raises:
            OSError: the interpreter cannot be started (the caller paints on threads instead).
        """
        if not sys.executable:
            raise OSError("no Python interpreter to start")
        self._stderr = tempfile.TemporaryFile()
        root = str(Path(labelkit.__file__).resolve().parent.parent)
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
            )
        except (OSError, ValueError) as exc:
            self._stderr.close()
            raise OSError(f"cannot start {sys.executable}: {exc}") from exc
        self._batches: queue.Queue[tuple[Path, list[Any]] | None] = queue.Queue(maxsize=pending)
        self._results: list[list[Losses]] = []
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="labelkit-png-process", daemon=True)
        self._thread.start()

    def submit(self, path: Path, jobs: list[Any]) -> None:
        """Queue a batch of ``(file, shape, masks)``; blocks while ``pending`` batches wait."""
        if self._error is None:
            self._batches.put((path, jobs))

    def _run(self) -> None:
        assert self._child.stdin is not None and self._child.stdout is not None
        try:
            while (batch := self._batches.get()) is not None:
                if self._error is not None:
                    continue  # (drain: submit() must not block behind a failed child)
                _send(self._child.stdin, batch)
                reply = _receive(self._child.stdout)
                if reply is None:
                    raise OSError(self._ended())
                kind, value = reply
                if kind == "error":
                    raise value
                self._results.append(value)
        except BaseException as exc:  # noqa: BLE001 - raised again by results()
            if self._error is None:
                self._error = exc
            while self._batches.get() is not None:  # (drain until the sentinel)
                pass

    def _ended(self) -> str:
        code = self._child.wait()
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        last = f": {lines[-1]}" if lines else ""
        return f"the process painting segmentation PNGs ended unexpectedly (exit code {code}){last}"

    def results(self) -> list[list[Losses]]:
        """Wait for every batch; each batch's losses per image, in submission order.

        Raises:
            Exception: the first error a batch met (as the child raised it), or OSError if the child died.
        """
        self._batches.put(None)
        self._thread.join()
        self.stop()
        if self._error is not None:
            raise self._error
        return self._results

    def stop(self) -> None:
        """End the child (waiting for it, so no file is written after this returns) and free its pipes."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():  # (stopped early, by an error in the parent: the thread's read ends)
            self._child.kill()
            self._batches.put(None)
            self._thread.join()
        for stream in (self._child.stdin, self._child.stdout):  # (the child ends at the end of its input)
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._child.wait()
        self._stderr.close()
