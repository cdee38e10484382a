"""Typed records for items, media, categories, attribute definitions and tokens."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from labelkit.model.annotations import AttributeValue, Count, Extras, Int64, JsonMapping, Record, Text, utf8_text

MediaKind = Literal["image", "video", "audio", "text"]
AttributeType = Literal["bool", "int", "float", "text", "select", "multiselect"]


class Media(Record):
    """What an item shows: an image, a video, an audio clip or a text.

    ``path`` is a path relative to the dataset root, or a URI. Sizes are pixels; ``duration`` seconds.
    """

    kind: MediaKind = "image"
    path: Text | None = None
    width: Count | None = None
    height: Count | None = None
    duration: float | None = None
    fps: float | None = None
    frame_count: Count | None = None
    text: Text | None = Field(default=None, description="Inline text of a text item.")


class Item(Record):
    """One unit of data: an image, a video, an audio clip or a document, with its split and group."""

    id: Text
    media: Media = Field(default_factory=Media)
    split: Text | None = None
    group: Text | None = Field(default=None, description="Items of one group are never split apart.")
    metadata: JsonMapping = Field(default_factory=dict)


class AttributeDef(Record):
    """A typed attribute that annotations (of one category, or of the whole dataset) may carry."""

    name: Text
    type: AttributeType = "text"
    values: list[Text] | None = Field(default=None, description="Allowed values of select/multiselect.")
    default: AttributeValue | None = None
    mutable: bool = Field(default=True, description="CVAT: may change between frames of a track.")

    @field_validator("default")
    @classmethod
    def _encodable(cls, default: AttributeValue | None) -> AttributeValue | None:
        for text in default if isinstance(default, list) else [default]:
            if isinstance(text, str):  # (here, once: as the union's member, each member would say it otherwise)
                utf8_text(text)
        return default


def names_no_keypoint(index: int, count: int | None) -> bool:
    """Whether a skeleton index names none of ``count`` keypoints (counted from 1, as COCO; None: count unknown).

    >>> [names_no_keypoint(i, 2) for i in (0, 1, 2, 3)], names_no_keypoint(9, None)
    ([True, False, False, True], False)
    """
    return index < 1 or (count is not None and index > count)


class Category(Record):
    """A class: id, name, its parent in a hierarchy, keypoint skeleton and attribute definitions.

    ``skeleton`` edges are pairs of 1-based keypoint indexes, as in COCO.
    """

    id: Int64
    name: Text
    parent: Int64 | None = None
    supercategory: Text | None = None
    keypoints: list[Text] | None = None
    skeleton: list[tuple[Int64, Int64]] | None = None
    attributes: list[AttributeDef] = Field(default_factory=list)
    color: Text | None = None
    extras: Extras = Field(default_factory=dict)


class Token(Record):
    """A token of a text item: its character range, text, and extra columns (POS, chunk, lemma...)."""

    item_id: Text
    index: Count
    start: Count
    end: Count
    text: Text
    columns: dict[Text, Text] = Field(default_factory=dict)


class DatasetInfo(Record):
    """Dataset-wide facts: a name, dataset-level attribute definitions, free metadata, extras."""

    name: Text | None = None
    attributes: list[AttributeDef] = Field(default_factory=list)
    metadata: JsonMapping = Field(default_factory=dict)
    extras: Extras = Field(default_factory=dict)
