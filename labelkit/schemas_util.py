"""Load the JSON Schemas bundled with labelkit (package ``labelkit.schemas``, the source tree's ``schemas/``)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

_SOURCE_TREE = Path(__file__).resolve().parents[1] / "schemas"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The bundled schema ``name`` (e.g. ``coco.schema.json``) as a dict.

    Installed wheels ship the schemas as the package ``labelkit.schemas``; a source checkout reads them
    from the top-level ``schemas/`` folder.

    Raises:
        FileNotFoundError: no such schema.
    """
    try:
        data = resources.files("labelkit.schemas").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        data = (_SOURCE_TREE / name).read_bytes()
    value: dict[str, Any] = orjson.loads(data)
    return value
