"""Conversion reports: what was read, written, transformed and lost, and validation findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Change:
    """One thing a conversion could not keep as it was.

    Attributes:
        what: what was affected, e.g. ``"rotated boxes"``.
        count: how many annotations or items.
        reason: why, e.g. ``"YOLO detect cannot hold an angle"``.
    """

    what: str
    count: int
    reason: str

    def __str__(self) -> str:
        return f"{self.count:,} {self.what}: {self.reason}"


@dataclass
class Report:
    """What a write did. ``lost`` blocks a conversion unless loss is allowed; ``transformed`` does not.

    Attributes:
        source: the format read, when the report comes from ``convert``.
        target: the format written.
        read: counts of what was read (items, annotations per kind).
        written: counts of what was written.
        lost: data the target cannot hold.
        transformed: data kept in another form (masks traced to polygons, coordinates clipped).
        notes: anything else worth knowing (foreign extras not carried, skipped bad annotations).
    """

    source: str | None = None
    target: str | None = None
    read: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    lost: list[Change] = field(default_factory=list)
    transformed: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lose(self, what: str, count: int, reason: str) -> None:
        """Record a loss (ignored when count is 0); the count is kept as a Python int (numpy's are not JSON)."""
        if count:
            self.lost.append(Change(what, int(count), reason))

    def transform(self, what: str, count: int, reason: str) -> None:
        """Record a transformation (ignored when count is 0), its count as a Python int."""
        if count:
            self.transformed.append(Change(what, int(count), reason))

    def note(self, text: str) -> None:
        """Record a note."""
        self.notes.append(text)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "source": self.source,
            "target": self.target,
            "read": self.read,
            "written": self.written,
            "lost": [vars(c) for c in self.lost],
            "transformed": [vars(c) for c in self.transformed],
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        """Human-readable lines, one per fact."""
        out = []
        if self.read:
            out.append("read: " + _counts(self.read))
        if self.written:
            out.append("written: " + _counts(self.written))
        out += [f"lost: {c}" for c in self.lost]
        out += [f"transformed: {c}" for c in self.transformed]
        out += [f"note: {n}" for n in self.notes]
        return out


@dataclass(frozen=True)
class Finding:
    """A validation finding: where, what, and how bad.

    Attributes:
        path: the file.
        where: a JSON pointer, ``line N`` or an XML element path.
        message: what is wrong.
        severity: ``error`` or ``warning``.
    """

    path: str
    where: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        sep = "" if not self.where or self.where[0] in "#:" else " "  # (no location in the file: "path: ...")
        return f"{self.path}{sep}{self.where}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """The finding as JSON-ready data."""
        return {"path": self.path, "where": self.where, "message": self.message, "severity": self.severity}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in counts.items())
