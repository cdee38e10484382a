from pathlib import Path

import pytest
from conftest import NATIVE_FIXTURES, canonical

import labelkit


@pytest.mark.parametrize("fixture", NATIVE_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_fixture_round_trips(fixture: Path, fmt: str, write_read) -> None:
    ds = labelkit.load(fixture)
    assert canonical(write_read(ds, fmt)) == canonical(ds)


def test_fixtures_cover_every_kind() -> None:
    kinds: set[str] = set()
    media: set[str] = set()
    for fixture in NATIVE_FIXTURES:
        stats = labelkit.load(fixture).stats()
        kinds |= set(stats.annotations)
        media |= set(stats.items_by_media)
    assert kinds == {"label", "object", "span", "transcript", "track"}
    assert media == {"image", "video", "audio", "text"}
