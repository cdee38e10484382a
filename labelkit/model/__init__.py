"""The typed label model: records for people, columns for bulk work. No I/O here."""

from labelkit.model.annotations import (
    KINDS,
    SHAPES,
    Annotation,
    AttributeValue,
    Label,
    Object,
    Provenance,
    Rle,
    Span,
    Track,
    Transcript,
)
from labelkit.model.dataset import TABLE_NAMES, AnyAnnotation, Dataset
from labelkit.model.records import AttributeDef, Category, DatasetInfo, Item, Media, Token
from labelkit.model.stats import DatasetStats

__all__ = [
    "KINDS",
    "SHAPES",
    "TABLE_NAMES",
    "Annotation",
    "AnyAnnotation",
    "AttributeDef",
    "AttributeValue",
    "Category",
    "Dataset",
    "DatasetInfo",
    "DatasetStats",
    "Item",
    "Label",
    "Media",
    "Object",
    "Provenance",
    "Rle",
    "Span",
    "Token",
    "Track",
    "Transcript",
]
