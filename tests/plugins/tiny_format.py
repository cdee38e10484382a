"""A tiny third-party format for the plug-in tests: one ``item<TAB>category name`` line per label.

It is registered through a real ``*.dist-info/entry_points.txt`` that the tests put on ``sys.path``,
so the registry's entry-point mechanism is exercised as it is for an installed package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labelkit.errors import InputError
from labelkit.formats.base import Capabilities, Detection, Option
from labelkit.formats.capability import check_capabilities
from labelkit.model import Category, Dataset, Item, Label
from labelkit.report import Report

NAME = "tiny"
DESCRIPTION = "tab-separated image labels (test plug-in)"
OUTPUT = "file"
EXTENSIONS = (".tiny",)
CAPABILITIES = Capabilities(kinds=frozenset({"label"}), media=frozenset({"image"}))
OPTIONS = {
    "sep": Option("sep", "choice", "tab", "column separator", ("tab", "comma")),
    "strict": Option("strict", "bool", False, "refuse blank lines", applies="read"),
}
SEPARATORS = {"tab": "\t", "comma": ","}


def detect(path: Path) -> Detection | None:
    if path.is_file() and path.suffix == ".tiny":
        return Detection(0.9, "file name ends with .tiny")
    return None


def read(path: Path, sep: str = "tab", strict: bool = False, **options: Any) -> Dataset:
    names: dict[str, int] = {}
    items: dict[str, Item] = {}
    labels = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            if strict:
                raise InputError("blank line", path=path, line=number)
            continue
        item, _, name = line.partition(SEPARATORS[sep])
        if not name:
            raise InputError("expected ITEM<sep>CATEGORY", path=path, line=number, found=repr(line))
        items.setdefault(item, Item(id=item))
        cid = names.setdefault(name, len(names) + 1)
        labels.append(Label(id=str(len(labels) + 1), item_id=item, category_id=cid))
    return Dataset(
        items=items.values(), categories=[Category(id=i, name=n) for n, i in names.items()], annotations=labels
    )


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    check_capabilities(dataset, CAPABILITIES, NAME, report)


def write(dataset: Dataset, path: Path, report: Report, sep: str = "tab", **options: Any) -> None:
    names = {c.id: c.name for c in dataset.categories}
    lines = [
        f"{label.item_id}{SEPARATORS[sep]}{names[label.category_id]}"
        for label in dataset.labels()
        if label.category_id is not None
    ]
    path.write_text("".join(line + "\n" for line in lines))
    report.written = {"items": len(dataset), "label annotations": len(lines)}
