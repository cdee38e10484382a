"""The status line the commands draw on a terminal while they work (stderr; nothing when piped or quiet)."""

from __future__ import annotations

import sys
import threading
import time


class StatusLine:
    """Progress on a terminal: one rewritten stderr line per stage, its elapsed time counting; silent when piped.

    A stage can take a while (reading 118,000 VOC files, writing their segmentation PNGs): the line is drawn again
    every ``TICK`` seconds from a thread, so that it shows the work going on rather than the time the stage began.
    """

    TICK = 1.0

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False
        self.stage = ""
        self.lock = threading.Lock()  # (held while the line is drawn or cleared: by this thread or the ticker)
        self.stop = threading.Event()
        self.ticker: threading.Thread | None = None  # (started)

    def __call__(self, stage: str) -> None:
        """Show a stage."""
        if self.enabled:
            with self.lock:
                self.stage = stage
                self.shown = True
                self._draw()
            if self.ticker is None:
                ticker = threading.Thread(target=self._tick, name="labelkit-status", daemon=True)
                try:
                    ticker.start()
                except RuntimeError:  # (a limit on threads: the line is drawn per stage, and tried at the next)
                    return
                self.ticker = ticker  # (joined once stopped; one started and then interrupted stops on its own)

    def _draw(self) -> None:
        sys.stderr.write(f"\r\x1b[K{self.stage}... ({time.monotonic() - self.start:.1f} s)")
        sys.stderr.flush()

    def _tick(self) -> None:
        while not self.stop.wait(self.TICK):
            with self.lock:
                if not self.shown:
                    continue
                try:
                    self._draw()
                except (OSError, ValueError):  # (the terminal went away, or stderr was closed: the command says so)
                    return

    def done(self) -> None:
        """Clear the line."""
        with self.lock:
            if self.shown:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
                self.shown = False

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        """Clear the line and stop the ticker, also when an error is on its way.

        The error's one line must not follow the status text, nor the status be drawn again after it.
        """
        self.stop.set()
        try:
            self.done()
        finally:
            if self.ticker is not None:
                self.ticker.join()
