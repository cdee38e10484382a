"""The ``labelkit`` console script's entry point: a module outside the ``labelkit`` package, which imports nothing.

Importing labelkit (numpy, pyarrow, pydantic and the formats) takes about 0.3 s, and any module inside the package
runs ``labelkit/__init__.py``, which imports it all, before its own first line: a Ctrl-C in that time printed a
traceback of the imports (exit 130 only by the shell's count), and a SIGTERM or SIGHUP ended the process unsaid. Here
they are handled before anything heavy is imported, as :func:`labelkit.cli.main` handles them later:
``labelkit: interrupted`` on stderr and exit 130 (nothing was written yet).
"""

from __future__ import annotations

import os
import signal
import sys


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP is an interrupt (as in :func:`labelkit.cli.main`, which sets its own once imported)."""
    raise KeyboardInterrupt


def main() -> None:
    """Run :func:`labelkit.cli.main`, an interrupt while labelkit is imported exiting as one does later."""
    try:
        signal.signal(signal.SIGTERM, _terminated)
        hangup = getattr(signal, "SIGHUP", None)  # (none on Windows)
        if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:  # (nohup's ignoring it stands)
            signal.signal(hangup, _terminated)
        from labelkit.cli import main as run
    except KeyboardInterrupt:
        newline = "\n" if sys.stderr.isatty() else ""  # (after the terminal's "^C")
        try:
            sys.stderr.write(f"{newline}labelkit: interrupted\n")  # (labelkit.cli's words)
            sys.stderr.flush()
        except BrokenPipeError:  # its reader went away (``2>&1 | head -1``): the exit code stands
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
        sys.exit(130)
    run()
