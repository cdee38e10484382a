"""Regenerates schemas/labelkit.schema.json from the records (``labelkit.formats.native.json_schema()``).

This OVERWRITES the committed schema. Run it after changing a record, review the diff, commit both:

    python tests/regen_schemas.py

``tests/test_schema_native.py`` fails while the committed file is not current.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "schemas" / "labelkit.schema.json"
PYDANTIC = (2, 11)
"""The oldest pydantic that renders the committed schema: 2.5 to 2.10 leave out the ``"type"`` beside a ``"const"``
and the ``"additionalProperties": true`` of a dict field. labelkit reads the committed file, never a rendering, so
it runs the same on them; only regenerating needs 2.11."""


def renders_committed() -> bool:
    """Whether the installed pydantic renders the schema as committed (:data:`PYDANTIC` or newer)."""
    import pydantic

    return tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) >= PYDANTIC


def render() -> bytes:
    """The schema exactly as committed: indented, keys sorted, trailing newline."""
    from labelkit.formats import native

    return orjson.dumps(native.json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    if not renders_committed():
        sys.exit(f"regenerating the schema needs pydantic {'.'.join(map(str, PYDANTIC))} or newer")
    data = render()
    changed = not TARGET.is_file() or TARGET.read_bytes() != data
    TARGET.write_bytes(data)
    print(f"regenerated {TARGET.relative_to(ROOT)} ({'changed' if changed else 'unchanged'})")


if __name__ == "__main__":
    main()
