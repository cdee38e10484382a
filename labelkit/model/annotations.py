"""Typed records for every annotation kind, discriminated on ``kind``.

Records are the per-object public API: build datasets in code, iterate, inspect. Bulk work uses the
columns in :mod:`labelkit.model.tables`; a record is a view built on request.

Coordinates are absolute pixels (float64), origin top-left, x right, y down. A box is ``x, y, w, h``
plus ``angle`` in degrees, clockwise about the box centre.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

AttributeValue = bool | int | float | str | list[str]
"""A typed attribute value: bool, int, float, text, or a list of texts (multi-select)."""

Extras = dict[str, Any]
"""Format-specific fields with no place in the model, namespaced by format: ``coco:iscrowd``."""

Shape = Literal["box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid"]
"""The shape the source drew; the geometry fields hold its values."""

SHAPES: tuple[str, ...] = ("box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid")
KINDS: tuple[str, ...] = ("label", "object", "span", "transcript", "track")


class Record(BaseModel):
    """Base of every record: strict about unknown fields, JSON-compatible."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Provenance(Record):
    """Who or what made an annotation, so several annotators' labels of one item can coexist."""

    annotator: str | None = None
    model: str | None = None


class Rle(Record):
    """A COCO run-length-encoded mask.

    ``size`` is ``[height, width]``; ``counts`` is the compressed string or the uncompressed list of run
    lengths (column-major, starting with background).
    """

    size: tuple[int, int]
    counts: str | list[int]


class _Common(Record):
    id: str = Field(description="Stable id, unique within its kind in the dataset.")
    item_id: str = Field(description="Id of the item this annotation belongs to.")
    category_id: int | None = Field(default=None, description="Id of a category of the dataset.")
    score: float | None = Field(default=None, description="Confidence of a prediction; None for ground truth.")
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    provenance: Provenance | None = None
    extras: Extras = Field(default_factory=dict)


class Label(_Common):
    """A category on a whole item (classification), optionally over a time range in seconds."""

    kind: Literal["label"] = "label"
    start: float | None = None
    end: float | None = None


class Object(_Common):
    """One physical instance in an image or a video frame.

    ``polygon`` holds rings as flat ``[x0, y0, x1, y1, ...]`` lists; ``polygon_holes`` marks which rings
    are holes (None: none are). ``keypoints`` is flat ``[x, y, v, ...]`` in the order of the category's
    keypoint names (v: 0 not labelled, 1 labelled but not visible, 2 visible). A video object carries
    ``frame`` and, inside a track, ``track_id`` with the per-frame flags.
    """

    kind: Literal["object"] = "object"
    shape: Shape = "box"
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="x, y, w, h in pixels.")
    angle: float = Field(default=0.0, description="Degrees, clockwise about the box centre.")
    polygon: list[list[float]] | None = None
    polygon_holes: list[bool] | None = None
    mask: Rle | None = None
    keypoints: list[float] | None = None
    frame: int | None = None
    track_id: str | None = None
    keyframe: bool | None = None
    outside: bool | None = None
    occluded: bool | None = None
    z_order: int | None = None

    @model_validator(mode="after")
    def _check_geometry(self) -> Object:
        if self.polygon is not None:
            for ring in self.polygon:
                if len(ring) % 2:
                    raise ValueError("a polygon ring needs an even number of coordinates")
            if self.polygon_holes is not None and len(self.polygon_holes) != len(self.polygon):
                raise ValueError("polygon_holes needs one flag per ring")
        if self.keypoints is not None and len(self.keypoints) % 3:
            raise ValueError("keypoints are x, y, v triples")
        return self


class Span(_Common):
    """A labelled character range ``[start, end)`` in the item's text; ``text`` is the covered text."""

    kind: Literal["span"] = "span"
    start: int
    end: int
    text: str | None = None


class Transcript(_Common):
    """Text said or written in an item, optionally over a time range in seconds, with a speaker."""

    kind: Literal["transcript"] = "transcript"
    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


class Track(_Common):
    """One object followed through a video; its per-frame shapes are objects with this ``track_id``.

    The record's ``id`` is the track id.
    """

    kind: Literal["track"] = "track"


Annotation = Annotated[Label | Object | Span | Transcript | Track, Field(discriminator="kind")]
"""Any annotation record, discriminated on ``kind``."""

RECORD_BY_KIND: dict[str, type[_Common]] = {
    "label": Label,
    "object": Object,
    "span": Span,
    "transcript": Transcript,
    "track": Track,
}
