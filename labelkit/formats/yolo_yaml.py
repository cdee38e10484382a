"""YOLO configs as YAML: ``data.yaml`` read safely (no aliases, no repeated keys), and where a value's line is.

Moved out of :mod:`labelkit.formats.yolo_layout`, which reads the layouts these configs describe.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from labelkit.errors import InputError
from labelkit.io import read_text


@functools.cache
def _loader() -> Any:
    """The loader class (PyYAML imported on first use: a command that reads no YAML does not pay for it)."""
    import yaml
    import yaml.constructor

    class _NoAliasLoader(yaml.SafeLoader):
        """PyYAML's safe loader, refusing aliases (``*name``) and a key repeated in a mapping.

        No YOLO config needs aliases, and nine nested aliases of nine items make a 500-byte file whose names
        expand to 387 million strings. PyYAML keeps a repeated key's last value without a word (``names: {2: c,
        2: d}`` named class 2 ``d``, and a second ``names:`` replaced the first): YAML says keys are unique.
        """

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, tuple[int, str]] = {}  # key -> its line and spelling (1 and true are one key)
            for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else []:
                if key_node.tag == "tag:yaml.org,2002:merge":  # (<<: its keys may be overridden, as YAML says)
                    continue
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except (yaml.YAMLError, TypeError):  # (an unhashable key: the base constructor refuses it)
                    continue
                spelling = str(key_node.value)
                if key in seen:
                    line, first = seen[key]
                    what = f"key {spelling!r} repeated (first at line {line}" + (
                        f", as {first!r})" if first != spelling else ")"
                    )
                    raise yaml.constructor.ConstructorError(None, None, what, key_node.start_mark)
                seen[key] = (key_node.start_mark.line + 1, spelling)
            return super().construct_mapping(node, deep)

        def construct_yaml_int(self, node: Any) -> Any:
            try:
                return super().construct_yaml_int(node)
            except ValueError as exc:
                limit = sys.get_int_max_str_digits()
                if sum(c.isdigit() for c in str(node.value)) <= limit:
                    raise  # (!!int abc: construct_object says so)
                what = f"an integer of {len(str(node.value)):,} characters, more than Python reads ({limit:,} digits)"
                raise yaml.constructor.ConstructorError(None, None, what, node.start_mark) from exc

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                # a value its tag's constructor cannot make (2024-13-45, !!bool maybe, !!float abc): PyYAML lets
                # Python's error out, with no mark; it is an error at the value's line
                what = f"cannot read the value as {str(node.tag).rsplit(':', 1)[-1]} ({type(exc).__name__}: {exc})"
                raise yaml.constructor.ConstructorError(None, None, what, node.start_mark) from exc

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a YOLO config", mark)
            return super().compose_node(parent, index)

    _NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_yaml_int)
    return _NoAliasLoader


def load_yaml(path: Path) -> dict[str, Any]:
    """A ``data.yaml`` as a mapping of distinct text keys (integer keys as their digits: ``2017``).

    Raises:
        InputError: invalid YAML (with its line), values nested too deeply for PyYAML, not a mapping, keys
            that are no names or repeat, or text UTF-8 cannot encode.
    """
    import yaml.reader

    text = read_text(path)
    try:
        value = yaml.load(text, Loader=_loader())  # noqa: S506 (a SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: it has a position, not a mark
        at = text.count("\n", 0, exc.position) + 1
        char: Any = exc.character
        code: Any = ord(char) if isinstance(char, str) and len(char) == 1 else char
        what = f"character U+{code:04X}" if isinstance(code, int) else "a character"
        raise InputError(f"invalid YAML: {what} is not allowed ({exc.reason})", path=path, line=at) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path, line=line) from exc
    except RecursionError as exc:  # (PyYAML recurses per level: checking an output's place met it first)
        raise InputError("values nested too deeply to read", path=path) from exc
    if not isinstance(value, dict):
        raise InputError("data.yaml must be a mapping", path=path)
    keys = [k if type(k) is not int else str(k) for k in value]  # `2017: images/train2017` names split "2017"
    odd = [k for k in keys if not isinstance(k, str)]  # (null, true, 1.5, a date: none is a name)
    if odd or len(set(keys)) != len(keys):
        found = repr(odd[0]) if odd else next(k for k in keys if keys.count(k) > 1)
        raise InputError("data.yaml keys must be distinct names", path=path, found=found[:200])
    value = dict(zip(keys, value.values(), strict=True))
    bad = _not_utf8_text(value)
    if bad is not None:  # a "\ud800" escape: no file, table or terminal can take it
        raise InputError(
            "text holds a lone surrogate, which UTF-8 cannot encode", path=path, found=ascii(bad)[1:-1][:200]
        )
    return value


def yaml_value_line(path: Path, key: str, index: int = 0) -> int | None:
    r"""The line of a top-level key's value in a YAML file (of its ``index``-th item when it is a list).

    For an error or hint naming it, in a file :func:`load_yaml` read; None when the key is not found.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = (Path(d) / "data.yaml").write_text("names: [cat]\ntrain: a.txt\nval:\n  - b.txt\n  - c.txt\n")
        ...     [yaml_value_line(Path(d) / "data.yaml", *k) for k in (("train", 0), ("val", 1), ("test", 0))]
        [2, 5, None]
    """
    import yaml

    node = yaml.compose(read_text(path), Loader=_loader())  # noqa: S506 (a SafeLoader)
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else []:
        if key_node.value == key:
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            at = items[index] if index < len(items) else value_node
            return int(at.start_mark.line) + 1
    return None


def yaml_key_line(path: Path, key: str, inner: Any) -> int | None:
    r"""The line of the key ``inner`` (as read) of a top-level mapping ``key``, else of ``key``'s value.

    For an error naming one key of ``names: {0: cat, .nan: dog}``; None when ``key`` is not found.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = (Path(d) / "data.yaml").write_text("train: a\nnames:\n  0: cat\n  .nan: dog\n")
        ...     [yaml_key_line(Path(d) / "data.yaml", "names", k) for k in (float("nan"), 0, 5)]
        [4, 3, 3]
    """
    import yaml

    node = yaml.compose(read_text(path), Loader=_loader())  # noqa: S506 (a SafeLoader)
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else []:
        if key_node.value != key:
            continue
        loader = _loader()("")  # (its constructors only: the keys' values as load_yaml read them)
        for inner_node, _ in value_node.value if isinstance(value_node, yaml.MappingNode) else []:
            try:
                found = loader.construct_object(inner_node, deep=True)
            except yaml.YAMLError:
                continue
            if type(found) is type(inner) and repr(found) == repr(inner):  # (repr: nan is no nan)
                return int(inner_node.start_mark.line) + 1
        return int(value_node.start_mark.line) + 1
    return None


def _not_utf8_text(value: Any) -> str | None:
    """The first string of a YAML value (keys included) that UTF-8 cannot encode.

    Each node is visited once: without aliases (refused when loading) none is shared.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return v
        elif isinstance(v, (dict, list)):
            stack.extend([*v.keys(), *v.values()] if isinstance(v, dict) else v)
    return None


def names_not_text_note(path: Path, value: Any) -> str | None:
    r"""A read note on ``names`` entries YAML reads as no text, named otherwise than written; else None.

    Such an entry (``null``, ``NO``, ``010``, a list) is named as Python's ``str()`` gives it (``None``,
    ``False``, ``8``), as Ultralytics names it; one whose name is its text in the file (``7``, ``1.5``) is
    not counted. Only a ``names`` holding a value that is not a string is looked at again (in the file).

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = (Path(d) / "data.yaml").write_text("names:\n  0: cat\n  1: null\n  2: 7\n  3: NO\n")
        ...     note = names_not_text_note(Path(d) / "data.yaml", {0: "cat", 1: None, 2: 7, 3: False})
        >>> note.split(" (the first, ")[1]
        "class 1: null at line 3, as 'None'); quote a name to keep it as written"
    """
    entries = list(value.items()) if isinstance(value, dict) else list(enumerate(value or []))
    if all(isinstance(v, str) for _, v in entries):
        return None
    nodes: list[Any] = []  # the entries' nodes, in the order read (keys repeat not: load_yaml refused that)
    import yaml

    node = yaml.compose(read_text(path), Loader=_loader())  # noqa: S506 (a SafeLoader)
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else []:
        if key_node.value == "names" and isinstance(value_node, (yaml.SequenceNode, yaml.MappingNode)):
            nodes = [n[1] if isinstance(n, tuple) else n for n in value_node.value]
    if len(nodes) != len(entries):  # (names merged in with <<: no place to name)
        nodes = [None] * len(entries)
    unlike = []
    for (key, name), at in zip(entries, nodes, strict=True):
        written = at.value if isinstance(at, yaml.ScalarNode) else None
        if isinstance(name, str) or str(name) == written:
            continue
        spelled = "an empty value" if written == "" else written if written is not None else type(name).__name__
        line = f" at line {at.start_mark.line + 1}" if at is not None else ""
        unlike.append(f"class {key}: {spelled}{line}, as {str(name)!r}"[:300])
    if not unlike:
        return None
    if len(unlike) == 1:
        what = f"1 entry YAML reads as no text is named as Ultralytics names it ({unlike[0]})"
    else:
        count = f"{len(unlike):,} entries YAML reads as no text are"
        what = f"{count} named as Ultralytics names them (the first, {unlike[0]})"
    return f"{path.name}'s names: {what}; quote a name to keep it as written"
