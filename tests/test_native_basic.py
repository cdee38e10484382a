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


def test_reads_and_writes_run_with_the_cyclic_gc_paused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers and writers build millions of acyclic objects; the GC's passes over them cost seconds."""
    import gc

    from labelkit.formats import native

    seen: list[tuple[str, bool]] = []
    read, write = native.read, native.write

    def recording_read(*args: object, **kwargs: object) -> object:
        seen.append(("read", gc.isenabled()))
        return read(*args, **kwargs)

    def recording_write(*args: object, **kwargs: object) -> None:
        seen.append(("write", gc.isenabled()))
        write(*args, **kwargs)

    monkeypatch.setattr(native, "read", recording_read)
    monkeypatch.setattr(native, "write", recording_write)
    src = next(p for p in NATIVE_FIXTURES if p.name == "images.labelkit.json")
    assert gc.isenabled()
    labelkit.stats(src)
    ds = labelkit.load(src)
    labelkit.save(ds, tmp_path / "a.labelkit.json", "labelkit")
    labelkit.convert(src, tmp_path / "b.labelkit.json", to="labelkit")
    assert seen == [("read", False), ("read", False), ("write", False), ("read", False), ("write", False)]
    assert gc.isenabled()  # and on again after each call
