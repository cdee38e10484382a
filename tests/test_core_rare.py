"""Rare paths of the shared code (options, the split, lockfiles, the registry): exact messages and values."""

from __future__ import annotations

from typing import Any

import pytest

from labelkit.errors import UsageError
from labelkit.formats.base import Option


def _at_least_zero(value: int | float) -> None:
    if value < 0:
        raise ValueError(value)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", "3", 3),
        ("int", 4, 4),
        ("int", 5.0, 5),
        ("float", "1.5", 1.5),
        ("float", 2, 2.0),
        ("float", 2.5, 2.5),
        ("bool", "Yes", True),
        ("bool", "off", False),
        ("bool", True, True),
        ("bool", False, False),
        ("bool", 1, True),
    ],
)
def test_an_option_value_of_its_type_is_converted(kind: Any, value: object, expected: object) -> None:
    parsed = Option("n", kind, None, "help").parse(value)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("int", 2.7),  # was 2
        ("int", True),  # was 1
        ("int", "1e3"),
        ("int", None),
        ("int", -1),  # its check was skipped: was -1
        ("float", True),  # was 1.0
        ("float", "-0.5"),  # its check was skipped
        ("float", [1]),
        ("bool", 2),
        ("bool", "maybe"),
        ("bool", None),
    ],
)
def test_an_option_value_not_of_its_type_or_refused_by_its_check_is_a_usage_error(kind: Any, value: object) -> None:
    """A plug-in's int option given 2.7 or True was silently 2 or 1, and an int or float option's check never ran."""
    with pytest.raises(UsageError) as info:
        Option("n", kind, None, "help", check=_at_least_zero).parse(value)
    assert info.value.one_line() == f"bad value for option 'n' (expected {kind}, found {value!r})"
