"""The commands' ``-o KEY=VALUE`` options: parsed, and refused where a key names the command's own option."""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from labelkit.errors import UsageError


def format_options(kv: dict[str, str], call: Callable[..., Any]) -> dict[str, Any]:
    """``-o`` options to pass to ``call`` as keywords, refusing a key that is one of its own parameters.

    ``-o overwrite=1`` or ``-o to=coco`` reached ``api.convert`` as a second value of its own argument: an
    internal error (``got multiple values for keyword argument``).

    Raises:
        UsageError: such a key, as the unknown format option it is.
    """
    for key in kv:
        if key in inspect.signature(call).parameters:
            _own_option(key, _command_flag(key) or _API_SPELLED.get(key))
    return kv


_API_SPELLED = {"from_format": "--from", "progress": "--quiet", "src": "INPUT", "dst": "OUTPUT", "path": "PATH"}
"""The commands' spelling of API parameters not named as their own options are (``--from``, not ``--from-format``);
an argument's is its name in the usage line."""


def _own_option(key: str, flag: str | None) -> None:
    """Refuse ``-o KEY=...`` where KEY names ``flag``, an option or argument of the command itself.

    ``flag`` None: KEY is a parameter of the Python API the command has no spelling for (``on_written``).

    Raises:
        UsageError: always, with a hint naming ``flag``.
    """
    if flag is None:
        what = f"{key} is a parameter of the Python API, not an option"
    elif flag.startswith("--"):
        what = f"{flag} is an option of the command itself, if you meant it"
    else:
        what = f"{flag} is an argument of the command itself, if you meant it"
    raise UsageError(
        f"unknown option {key!r}: -o sets a format's options",
        hint=f"{what}; 'labelkit formats NAME' lists a format's options",
    )


@contextlib.contextmanager
def own_options() -> Iterator[None]:
    """An unknown ``-o`` option naming an option of the running command is said as ``-o overwrite=1`` is.

    ``-o report=x`` (or ``-o seed=3`` in split) was said as an unknown format option; only the API's own
    parameters were named so, with a hint naming the option.

    Raises:
        UsageError: such an option, or any other, as raised.
    """
    try:
        yield
    except UsageError as exc:
        found = re.fullmatch(r"unknown option '([\w-]+)' for .*", exc.message)
        flag = _command_flag(found[1]) if found else None
        if found is None or flag is None:
            raise
        _own_option(found[1], flag)


def _command_flag(key: str) -> str | None:
    """The running command's own option that ``-o KEY=...`` names (``report``: ``--report``), or None."""
    ctx = click.get_current_context(silent=True)
    wanted = key.strip().replace("_", "-")
    for param in ctx.command.params if ctx is not None else ():
        if isinstance(param, click.Argument) and param.name == wanted:  # (-o input=x: the INPUT argument)
            return param.human_readable_name
        for opt in param.opts if isinstance(param, click.Option) else ():
            if opt.startswith("--") and opt[2:] == wanted:
                return opt
    return None


def parse_kv(values: Sequence[str]) -> dict[str, str]:
    """Parse ``-o KEY=VALUE`` options.

    Raises:
        UsageError: an option has no ``=``, or a key is given twice (the last value would silently win).
    """
    out: dict[str, str] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise UsageError("bad -o option", expected="KEY=VALUE", found=repr(value))
        key = key.strip()
        if key in out:
            raise UsageError(
                f"option {key!r} is given twice",
                found=f"{key}={out[key]} and {value}",
                hint="give each -o option once",
            )
        out[key] = val
    return out
