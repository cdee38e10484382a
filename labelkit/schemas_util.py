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
    from its top-level ``schemas/`` folder, beside the code that runs, before asking the import system for
    ``labelkit.schemas``: with another checkout installed editable (``pip install -e``), that package is
    the other checkout's folder, so this one's ``validate`` checked files against the other's schemas.

    Raises:
        FileNotFoundError: no such schema.
    """
    if (_SOURCE_TREE.parent / "pyproject.toml").is_file() and (_SOURCE_TREE / name).is_file():
        data = (_SOURCE_TREE / name).read_bytes()
    else:
        try:
            data = resources.files("labelkit.schemas").joinpath(name).read_bytes()
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            data = (_SOURCE_TREE / name).read_bytes()
    value: dict[str, Any] = orjson.loads(data)
    return value
