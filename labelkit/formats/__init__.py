"""The format registry: explicit data (name -> module), loaded lazily; plugins via entry points.

Third-party formats register a module (or object) providing the :class:`FormatModule` attributes under
the entry-point group ``labelkit.formats``::

    [project.entry-points."labelkit.formats"]
    myformat = "mypackage.myformat"
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from labelkit.errors import InputError, LabelkitError, MissingDependencyError, UnknownFormatError, type_name
from labelkit.formats.base import Capabilities, Detection, FormatModule, Option
from labelkit.model.dataset import Dataset
from labelkit.report import Finding

__all__ = [
    "BUILTIN",
    "Capabilities",
    "Detection",
    "FormatModule",
    "Option",
    "can_read",
    "can_write",
    "detect",
    "get",
    "names",
    "options",
    "passed_over",
]

ENTRY_POINT_GROUP = "labelkit.formats"

BUILTIN: dict[str, str] = {
    "labelkit": "labelkit.formats.native",
    "coco": "labelkit.formats.coco",
    "parquet": "labelkit.formats.parquet",
    "yolo": "labelkit.formats.yolo",
    "voc": "labelkit.formats.voc",
}
"""Built-in formats: name -> module path. Read-only by convention; plugins come from entry points."""

_loaded: dict[str, FormatModule] = {}


def _plugins() -> dict[str, str]:
    """Plug-in name -> entry-point value (as written: ``mod``, ``mod:obj``, ``mod : obj [extra]``)."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN}


def _registrations(name: str) -> list[str]:
    """The distinct entry-point values registering plug-in ``name`` (two or more: no one of them is the format)."""
    return list(dict.fromkeys(ep.value for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name))


def passed_over() -> list[str]:
    """The entry points naming a built-in format, which no plug-in can take (``coco = mine``), as written.

    >>> passed_over()
    []
    """
    return [
        f"{ENTRY_POINT_GROUP}: {ep.name} = {ep.value}"
        for ep in entry_points(group=ENTRY_POINT_GROUP)
        if ep.name in BUILTIN
    ]


def _target(name: str, value: str) -> tuple[str, str]:
    """The module and attribute path an entry point's value names, read as ``EntryPoint.load`` reads it.

    A value ``EntryPoint`` cannot parse is read as ``module:attr`` (``mod:``, which labelkit loaded, stays loaded).

    >>> _target("x", "pkg.mod : obj.inner [fast]"), _target("y", "pkg.mod:")
    (('pkg.mod', 'obj.inner'), ('pkg.mod', ''))
    """
    if name in BUILTIN:
        return value, ""
    try:
        ep = EntryPoint(name, value, ENTRY_POINT_GROUP)
        return ep.module, ep.attr or ""
    except AttributeError:  # (no match: not a value EntryPoint.load could load either)
        module, _, attr = (part.strip() for part in value.partition(":"))
        if module and all(p.isidentifier() for p in module.split(".")):
            return module, attr
        raise UnknownFormatError(
            f"format {name!r} cannot be loaded: its entry point names no module",
            found=value,
            hint=f"check the plug-in (entry point {ENTRY_POINT_GROUP}: {name} = {value})",
        ) from None


def names() -> list[str]:
    """Every registered format name: built-ins first, then plugins, each sorted."""
    return sorted(BUILTIN) + sorted(_plugins())


def get(name: str) -> FormatModule:
    """The format named ``name``, imported on first use.

    Raises:
        UnknownFormatError: no format has that name.
    """
    if name in _loaded:
        return _loaded[name]
    values = [BUILTIN[name]] if name in BUILTIN else _registrations(name)  # (one look at the entry points)
    if not values:
        raise UnknownFormatError(f"unknown format {name!r}", expected=", ".join(names()))
    if len(values) > 1:
        raise UnknownFormatError(
            f"format {name!r} is registered by {len(values)} plug-ins",
            found=", ".join(f"{name} = {v}" for v in values),
            hint=f"uninstall all but one of the packages naming it under the entry-point group {ENTRY_POINT_GROUP}",
        )
    target = values[0]
    module_name, attr = _target(name, target)
    where = "built-in format" if name in BUILTIN else f"plug-in (entry point {ENTRY_POINT_GROUP}: {name} = {target})"
    try:
        obj = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
    except ImportError as exc:
        absent = getattr(exc, "name", None) or ""  # (the module not found: the plug-in's own, or one it imports)
        own = isinstance(exc, ModuleNotFoundError) and (module_name == absent or module_name.startswith(absent + "."))
        raise MissingDependencyError(
            f"format {name!r} cannot be imported: {exc}",
            hint=f"the {where} names a module that cannot be found"
            if own
            else f"the {where} needs a package that is not installed",
        ) from exc
    except AttributeError as exc:
        raise UnknownFormatError(f"format {name!r} cannot be loaded: {exc}", hint=f"check the {where}") from exc
    except Exception as exc:  # a plug-in's own code failing as it is imported (a built-in's is a bug: raised)
        if name in BUILTIN:
            raise
        raise UnknownFormatError(
            f"format {name!r} cannot be imported: {type(exc).__name__}: {exc}", hint=f"check the {where}"
        ) from exc
    missing = [a for a in ("NAME", "DESCRIPTION", "OUTPUT", "CAPABILITIES", "detect") if not hasattr(obj, a)]
    if hasattr(obj, "CAPABILITIES") and not isinstance(obj.CAPABILITIES, Capabilities):
        missing.append("CAPABILITIES as a labelkit.formats.base.Capabilities")
    if hasattr(obj, "detect") and not callable(obj.detect):
        missing.append("detect as a function")
    if hasattr(obj, "OUTPUT") and hasattr(obj, "write") and obj.OUTPUT not in ("file", "dir"):  # (a reader's: unused)
        missing.append('OUTPUT as "file" or "dir"')
    declared = getattr(obj, "OPTIONS", {})
    if not isinstance(declared, Mapping) or not all(isinstance(o, Option) for o in declared.values()):
        missing.append("OPTIONS as a mapping of names to labelkit.formats.base.Option")
    if missing or not (hasattr(obj, "read") or hasattr(obj, "write")):
        raise UnknownFormatError(
            f"format {name!r} is not a labelkit format",
            expected="NAME, DESCRIPTION, OUTPUT, CAPABILITIES, detect and read and/or write",
            found="missing " + ", ".join(missing or ["read and write"]),
            hint=f"check the {where}",
        )
    _loaded[name] = obj
    return obj


def plugin_names(fmt: object) -> list[str]:
    """The names the plug-in format ``fmt`` was loaded by (one module two entry points name has both).

    None for a built-in, also when an entry point names a built-in's module (``mine = labelkit.formats.native``).
    """
    if getattr(fmt, "__name__", None) in BUILTIN.values():  # (a built-in, by whatever name it was loaded)
        return []
    return [name for name, obj in _loaded.items() if obj is fmt]


_RAISED_IN = "_labelkit_plugin_call"
"""The attribute :func:`call` sets on what a plug-in's function raised: the function's name."""


def call(fmt: object, what: str, *args: Any, **kwargs: Any) -> Any:
    """``fmt.<what>(*args, **kwargs)``: what a plug-in's raises is marked as raised there, and passes on unchanged.

    Labelkit's guards on the way out still tell it as for its own formats (a file that is not UTF-8, a NUL in a
    name); :func:`failures_named`, outside them, tells what is left and marked as the plug-in's failure, and only
    that (labelkit's own code around the call fails as labelkit's).
    """
    try:
        result = getattr(fmt, what)(*args, **kwargs)
        if what != "validate":
            return result
        findings = list(result)  # (a generator's findings: made here, inside)
    except Exception as exc:
        if plugin_names(fmt):
            with suppress(AttributeError, TypeError):  # (an exception taking no attribute: told as before)
                setattr(exc, _RAISED_IN, what)
        raise
    odd = next((f for f in findings if not isinstance(f, Finding)), None)
    if odd is not None and (names := plugin_names(fmt)):  # (it failed later, as an internal error naming none)
        raise _failed(names, "validate", f"it gave {type_name(odd)}, not a labelkit Finding")
    return findings


@contextmanager
def failures_named(fmt: object) -> Iterator[None]:
    """Tell what a plug-in's function raised (through :func:`call`) and no guard told as the plug-in's failure.

    Put outside the guards: what they leave, other than a labelkit error, an ``OSError`` or a ``MemoryError`` (a
    ``KeyError``, a ``TypeError`` of a plug-in written for another version), becomes an
    :class:`UnknownFormatError` naming the plug-in and its entry point (it was an internal error naming none).
    """
    try:
        yield
    except (LabelkitError, OSError, MemoryError):
        raise
    except Exception as exc:
        what = getattr(exc, _RAISED_IN, None)
        names = plugin_names(fmt)
        if not isinstance(what, str) or not names:
            raise
        raise _failed(names, what, _said(exc)) from exc


def read_by(fmt: object, dataset: object) -> Dataset:
    """``dataset``, which ``fmt``'s ``read`` returned, refused when a plug-in's is not a :class:`Dataset`.

    Raises:
        UnknownFormatError: naming the plug-in (it was handed on, and failed later as an internal error).
    """
    if not isinstance(dataset, Dataset):
        raise _failed(
            plugin_names(fmt) or [str(getattr(fmt, "NAME", fmt))],
            "read",
            f"it returned {type_name(dataset)}, not a labelkit Dataset",
        )
    return dataset


def _said(exc: BaseException) -> str:
    """``Type: message`` of ``exc``, or its type alone where its message cannot be made (its ``__str__`` raises)."""
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # noqa: BLE001 - a plug-in's exception whose __str__ fails: named by its type
        return f"{type(exc).__name__} (its message could not be shown)"


def can_read(fmt: FormatModule) -> bool:
    """Whether a format reads (plug-ins may only read or only write)."""
    return callable(getattr(fmt, "read", None))


def can_write(fmt: FormatModule) -> bool:
    """Whether a format writes (plug-ins may only read or only write)."""
    return callable(getattr(fmt, "write", None))


def options(fmt: FormatModule) -> Mapping[str, Option]:
    """A format's options (none when it declares no ``OPTIONS``)."""
    value: Mapping[str, Option] = getattr(fmt, "OPTIONS", {})
    return value


def _failed(names: list[str], what: str, why: str) -> UnknownFormatError:
    """The error of a plug-in whose ``what`` (detect, read, write, check, validate) failed or returned the wrong thing.

    ``names``: the plug-in's (one module two entry points name has both).
    """
    also = f" (also {', '.join(map(repr, names[1:]))})" if len(names) > 1 else ""
    return UnknownFormatError(
        f"format {names[0]!r}{also} failed in its {what}: {why}",
        hint=f"check the plug-in (entry point {ENTRY_POINT_GROUP}: {names[0]} = {_plugins().get(names[0], '?')})",
    )


@dataclass(frozen=True)
class DetectResult:
    """The format named for a path, with why; ``candidates`` are the others that answered."""

    format: str
    confidence: float
    reason: str
    candidates: tuple[tuple[str, Detection], ...] = ()


def detect(path: str | Path) -> DetectResult:
    """Name the format of ``path`` and why.

    Raises:
        UnknownFormatError: no format recognises the path, or two recognise it equally well.

    Examples:
        >>> detect("fixtures/native/images.labelkit.json").format
        'labelkit'
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    answers: list[tuple[str, Detection]] = []
    broken: list[UnknownFormatError | MissingDependencyError] = []
    for name in names():
        try:
            fmt = get(name)
        except (UnknownFormatError, MissingDependencyError) as exc:
            if name in BUILTIN:
                raise
            broken.append(exc)  # a plug-in that cannot load cannot answer: the others still can
            continue
        if not can_read(fmt):
            continue
        try:
            answer = fmt.detect(path)
        except OSError:
            # a detector that cannot read something (permissions, a dangling link) is not an answer;
            # an InputError ("this is mine but broken") still reaches the user
            continue
        except Exception as exc:  # a plug-in's detector failing: it cannot answer, the others still can
            if name in BUILTIN or isinstance(exc, LabelkitError):  # (its "this is mine but broken" reaches the user)
                raise
            broken.append(_failed([name], "detect", _said(exc)))
            continue
        if answer is not None and not isinstance(answer, Detection):  # (a plug-in's: the built-ins' are)
            broken.append(_failed([name], "detect", f"it returned {type(answer).__name__}, not a Detection or None"))
            continue
        if answer is not None:
            answers.append((name, answer))
    answers.sort(key=lambda a: (-a[1].confidence, a[0]))
    if not answers and broken:  # perhaps the input is the broken plug-in's: say why it could not look
        raise broken[0]
    if not answers:
        raise UnknownFormatError(
            "no format recognises this input",
            path=path,
            expected=", ".join(names()),
            hint="name the format: --from (convert, split) or --format (info, validate)",
        )
    best = answers[0]
    if len(answers) > 1 and answers[1][1].confidence == best[1].confidence:
        tied = ", ".join(f"{n} ({d.reason})" for n, d in answers if d.confidence == best[1].confidence)
        raise UnknownFormatError(
            f"ambiguous input: {tied}",
            path=path,
            hint="name the format: --from (convert, split) or --format (info, validate)",
        )
    return DetectResult(best[0], best[1].confidence, best[1].reason, tuple(answers[1:]))
