"""COCO reading: one JSON file decoded in bulk into columns (see DESIGN.md section 3).

msgspec decodes the document into typed structs whose every annotation field is kept as raw JSON bytes
(:class:`msgspec.Raw`), in one pass over the file: into the smaller :class:`InstanceAnnotation` when the
annotations have the instance fields only (most files), else into :class:`Annotation` (a file with another
field only late in it is decoded twice). Unknown fields met in the first chunk of annotations get raw fields
of their own (:mod:`.coco_fields`; the file is decoded again for each). A file whose annotations have
unknown fields met later (or more of them, or a field of the wrong type) is decoded again in two passes:
annotations kept raw, then decoded a chunk at a time, the unknown fields as struct fields or, past those,
separately (and type errors reported with their pointer).

The extras text holds an annotation's unknown fields in the order the decode first met them: where one
annotation holds two values no writer can hold (two integers past 64 bits), the error names the first in that
order, not necessarily the first in the annotation.

Scalars are then decoded a whole column at a time, polygons and keypoints are turned into Arrow lists by
``pyarrow.json`` over NDJSON chunks (:mod:`.coco_lists`), and RLE masks are decoded in bulk where their
counts are lists (:mod:`.coco_runs`), else one by one. No Python float is made per coordinate. Numbers
that are only carried (``area``, ``iscrowd``, ``num_keypoints``, unknown fields) are spliced into the extras
JSON text byte for byte, so they come back exactly as they were written.
"""

from __future__ import annotations

import functools
import mmap
import operator
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_fields import ABSENT as ABSENT
from labelkit.formats.coco_fields import Count as Count
from labelkit.formats.coco_fields import Int64 as Int64
from labelkit.formats.coco_fields import may_name, unknown_field, widened
from labelkit.formats.coco_heads import Heads, image_heads
from labelkit.formats.coco_tasks import file_task_and_split
from labelkit.io import UTF8_BOM, json_text, read_file, read_text, too_deep
from labelkit.json_checks import json_error
from labelkit.json_places import integer_error, unnamed_place
from labelkit.json_places import msgspec_reason as msgspec_reason
from labelkit.model.records import Category

Raw = msgspec.Raw
Buffer = bytes | mmap.mmap | memoryview
ANNOTATION_CHUNK = 50_000
"""Annotations built into tables at a time (and, in the two-pass decode, decoded into structs at a time)."""

KNOWN_FIELDS = (
    "id",
    "image_id",
    "category_id",
    "bbox",
    "segmentation",
    "area",
    "iscrowd",
    "keypoints",
    "num_keypoints",
    "score",
    "caption",
    "attributes",
)
CARRIED_FIELDS = ("area", "iscrowd", "num_keypoints")
"""Fields the model has no column for; kept byte for byte as ``coco:<name>`` extras."""


class InstanceAnnotation(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An annotation of the fields instance files use, and no others: most files decode into these first.

    The ids are decoded (None when absent), every other field is raw JSON (empty when absent). Fewer fields
    make smaller structs, and the other fields' columns are known absent without looking
    (:meth:`CocoFile.column`). A file with any other field is decoded into :class:`Annotation` instead.
    """

    id: Int64 | None = None
    image_id: Int64 | None = None
    category_id: Int64 | None = None
    bbox: Raw = ABSENT
    segmentation: Raw = ABSENT
    area: Raw = ABSENT
    iscrowd: Raw = ABSENT


class Annotation(InstanceAnnotation):
    """One COCO annotation of any task: the instance fields, then keypoints, captions, scores, attributes."""

    keypoints: Raw = ABSENT
    num_keypoints: Raw = ABSENT
    score: Raw = ABSENT
    caption: Raw = ABSENT
    attributes: Raw = ABSENT


class _LenientAnnotation(Annotation, forbid_unknown_fields=False):
    """The same, ignoring unknown fields (they are decoded separately)."""


class _Sections(msgspec.Struct, forbid_unknown_fields=True):
    """A COCO document's top-level values other than the annotations, kept raw.

    Another top-level key (Detectron's ``"type": "instances"``, a tool's own) fails the decode: such a file
    is decoded again by :func:`_decode_open_document`, which keeps those values too.
    """

    images: Raw = ABSENT
    categories: Raw = ABSENT
    info: Raw = ABSENT
    licenses: Raw = ABSENT


class _Document(_Sections):
    """The two-pass decode: every annotation kept as one raw JSON value."""

    annotations: list[Raw] | msgspec.UnsetType = msgspec.UNSET  # (null is not a list: refused, as the schema does)


class _DecodedDocument(_Sections):
    """The fast path: annotations decoded straight into structs in the one pass over the file."""

    annotations: list[Annotation] | msgspec.UnsetType = msgspec.UNSET


class _InstancesDocument(_Sections):
    """The fast path for annotations of the instance fields only (:class:`InstanceAnnotation`)."""

    annotations: list[InstanceAnnotation] | msgspec.UnsetType = msgspec.UNSET


class Rle(msgspec.Struct):
    """A COCO RLE segmentation: ``size`` is ``[height, width]``."""

    size: tuple[Count, Count]
    counts: str | list[Count]


@dataclass
class CocoFile:
    """One decoded COCO file: images and categories as plain data, annotations as columns.

    Attributes:
        path: the file.
        task: ``instances``, ``person_keypoints``, ``captions``, ``labels``, ``image_info``, ``stuff``,
            ``results`` or ``unknown`` (from the file name or, failing that, the content).
        split: from the file or folder name; None when the name does not say.
        present: top-level keys present in the file (``info``, ``licenses``, ``images``, ...).
        info: the ``info`` value (when present).
        licenses: the ``licenses`` value (when present).
        images_raw: the image list as written (absent in a bare list of detection results).
        heads: the image records as columns, where they are plain (:func:`~.coco_heads.image_heads`); the
            records are then decoded into dicts (:attr:`images`) only when asked for.
        categories: the category records.
        raw_annotations: every annotation as raw JSON (decoded a chunk at a time by :meth:`chunks`), when
            the file was not decoded in one pass.
        decoded: every annotation decoded, when the file was decoded in one pass (:meth:`chunks` hands
            them out and lets them go).
        annotations: in a chunk, the annotations (raw fields).
        extra_fields: in a chunk, per annotation, unknown fields as raw JSON (None when there are none, or when
            the structs hold them).
        unknown_fields: the names of the unknown fields the structs hold, in a chunk or a file decoded in one
            pass (see :func:`decode_annotations`).
        offset: in a chunk, the index of its first annotation in the file.
    """

    path: Path
    task: str
    split: str | None
    present: list[str] = field(default_factory=list)
    info: Any = None
    licenses: Any = None
    images_raw: Raw = field(default_factory=Raw)  # the image list as written
    heads: Heads | None = None  # the image records as columns, where they are plain (see coco_heads)
    _images: list[dict[str, Any]] | None = field(default=None, repr=False)
    categories: list[dict[str, Any]] = field(default_factory=list)
    raw_annotations: list[Raw] = field(default_factory=list)
    decoded: list[Annotation] | list[InstanceAnnotation] | None = None
    annotations: list[Annotation] | list[InstanceAnnotation] = field(default_factory=list)
    extra_fields: list[dict[str, Raw]] | None = None
    unknown_fields: tuple[str, ...] = ()  # the fields of no Annotation the structs hold (_unknown_<i>)
    offset: int = 0
    extra_keys: dict[str, Any] = field(default_factory=dict)  # other top-level keys, in the file's order
    sections: dict[str, bytes] = field(default_factory=dict)  # info and licenses as the file spells them
    release: Callable[[], None] | None = None
    decoded_out: bool = False
    result_ids: np.ndarray | None = None  # a results file's image ids (see coco_records.result_image_ids)
    had_ids: bool = False  # some annotation had an ``id`` (set when built: detection results may give none)
    renamed: list[tuple[int, str, str]] = field(default_factory=list)  # images whose file_name reads otherwise:
    # index, as written, as read (set when built; see coco_records.build_items)
    unnamed: list[int] = field(default_factory=list)  # images of no file_name, named after their coco_url (LVIS v1)
    _columns: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    built_categories: list[Category] | None = field(default=None, repr=False)  # (see coco_categories.build_categories)

    @property
    def images(self) -> list[dict[str, Any]]:
        """The image records as dicts (decoded when first asked for where :attr:`heads` holds them as columns)."""
        if self._images is None:
            raw = self.images_raw
            self._images = msgspec.json.decode(raw, type=list[dict[str, Any]]) if len(raw) else []
        return self._images

    @property
    def image_count(self) -> int:
        """How many image records the file lists."""
        return len(self.heads.ids) if self.heads is not None else len(self.images)

    def image_ids(self) -> list[Any]:
        """Every image record's ``id`` as written (None where it has none)."""
        return self.heads.ids if self.heads is not None else [image.get("id") for image in self.images]

    def column(self, name: str) -> list[Any]:
        """One field of every annotation of the chunk (raw JSON, or the id), made once per chunk."""
        values = self._columns.get(name)
        if values is None:
            anns = self.annotations
            if anns and not hasattr(anns[0], name):  # an InstanceAnnotation: the field is absent everywhere
                values = [ABSENT] * len(anns)
            else:
                values = list(map(operator.attrgetter(name), anns))
            self._columns[name] = values
        return values

    @property
    def count(self) -> int:
        """How many annotations the file has."""
        return len(self.decoded) if self.decoded is not None else len(self.raw_annotations)

    def chunks(self, size: int | None = None) -> Iterator[CocoFile]:
        """The annotations a chunk at a time, decoded into structs.

        Raw annotations are decoded a chunk at a time, so their structs never outlive the chunk.

        Annotations decoded in one pass are handed out and dropped from the file as they go, so the
        structs of chunks already built are freed: this can run once per file.

        Raises:
            InputError: an annotation is not an object or has a field of the wrong type.
            RuntimeError: the decoded annotations were already handed out.
        """
        size = size or ANNOTATION_CHUNK
        if self.decoded is not None:
            if self.decoded_out:
                raise RuntimeError("the annotations of a file decoded in one pass can be chunked once")
            self.decoded_out = True
            start, decoded = 0, self.decoded
            while decoded:
                part = decoded[:size]
                del decoded[:size]
                chunk = CocoFile(self.path, self.task, self.split, annotations=part, offset=start)
                chunk.unknown_fields = self.unknown_fields
                yield chunk
                if self.release is not None:  # the chunk is built: let the file's pages go
                    self.release()
                start += len(part)
            return
        unknown: tuple[str, ...] = ()
        for start in range(0, len(self.raw_annotations), size):
            raws = self.raw_annotations[start : start + size]
            anns, extra, unknown = decode_annotations(raws, self.path, start, unknown)
            if self.release is not None:  # the chunk is copied out: let the file's pages go
                self.release()
            chunk = CocoFile(self.path, self.task, self.split, annotations=anns, extra_fields=extra, offset=start)
            chunk.unknown_fields = unknown if extra is None else ()
            yield chunk


def _decode_error(data: Buffer, path: Path, exc: Exception) -> InputError:
    return json_error(bytes(data), path) or InputError(f"invalid JSON: {exc}", path=path)


_AT = re.compile(r"at `\$((?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)`")


def pointer_of(message: str) -> str | None:
    """Turn msgspec's ``at `$.annotations[3].id``` into a JSON pointer."""
    m = _AT.search(message)
    if not m:
        return None
    parts = re.findall(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)", m.group(1))
    return json_pointer(*[int(i) if i else k for i, k in parts])


def decode_at(raw: Raw, path: Path, pointer: str, type_: Any = Any) -> Any:
    """Decode one raw value of the file at ``pointer``.

    Raises:
        InputError: it does not fit ``type_``, or holds a number no float holds (``1e400``); the pointer
            names the value inside.
    """
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as exc:
        sub = pointer_of(str(exc)) or unnamed_place(str(exc), raw)
        raise InputError(msgspec_reason(exc), path=path, pointer=pointer + sub) from exc


class _RawProbe(msgspec.Struct):
    a: Raw = ABSENT


def _raw_checks_utf8() -> bool:
    """Whether msgspec refuses bad UTF-8 inside a value it keeps raw (0.22 does; 0.23 passes it on)."""
    try:
        msgspec.json.decode(b'{"a":"\xff"}', type=_RawProbe)
    except msgspec.DecodeError:
        return True
    return False


_RAW_CHECKS_UTF8 = _raw_checks_utf8()


def _valid_utf8(buf: Buffer) -> bool:
    """Whether a whole file is UTF-8, checked by Arrow's validator over the bytes in place (no Python text)."""
    data = pa.py_buffer(buf)
    offsets = pa.py_buffer(np.array([0, len(buf)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def refuse_utf16(head: bytes, path: Path) -> None:
    """Refuse a file that says it is UTF-16 or UTF-32 (by its byte-order mark, or a NUL after its first byte).

    Raises:
        InputError: at line 1, saying the encoding (the UTF-8 check would report a bad byte 0xff).
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and head[1] == 0) or head[:1] == b"\x00":
        raise InputError(
            "text is UTF-16 or UTF-32; COCO JSON must be UTF-8", path=path, line=1, hint="save the file as UTF-8"
        )


def decode_file(path: Path, data: bytes | None = None, one_pass: bool = True) -> CocoFile:
    """Decode one COCO JSON file (a document, or a bare list of detection results).

    Args:
        path: the file.
        data: its bytes, when already read.
        one_pass: decode the annotations into structs in the same pass (faster; the structs take about
            six times the memory of one raw value per annotation until :meth:`CocoFile.chunks` hands
            them out). Detection-results documents always take two passes.

    Raises:
        InputError: bad JSON (with its line), a wrong top-level shape, a field of the wrong type, or values
            nested deeper than the decoder goes (with its line where orjson finds it).
    """
    release: Callable[[], None] | None = None
    buf: Buffer
    if data is None:
        buf, release = _map(path)
    else:
        buf = data
    if buf[:3] == UTF8_BOM:  # a UTF-8 byte-order mark (Windows tools write one): not JSON, dropped
        buf = memoryview(buf)[3:]
        if buf[:3] == UTF8_BOM:  # (a second is an error at line 1, as labelkit JSON's: msgspec's named no line)
            raise json_error(UTF8_BOM + bytes(buf[:64]), path) or InputError("invalid JSON", path=path, line=1)
    refuse_utf16(bytes(buf[:4]), path)
    try:
        return _decode_buffer(path, buf, release, one_pass)
    except RecursionError as exc:  # msgspec's depth limit: orjson's error names the line and column
        data = bytes(buf)
        # orjson goes 1024 levels deep, msgspec (Python's recursion limit) about 1000
        raise (json_error(data, path) or too_deep(data, path)) from exc


def _decode_buffer(path: Path, buf: Buffer, release: Callable[[], None] | None, one_pass: bool) -> CocoFile:
    """:func:`decode_file` of the file's bytes (RecursionError passes through)."""
    if not _RAW_CHECKS_UTF8 and not _valid_utf8(buf):  # (the decode below would pass the bad bytes on)
        read_text(path, bytes(buf))  # raises, naming the line and column of the first byte that is not UTF-8
    head = bytes(buf[:65536]).lstrip()  # (as formats are sniffed: a document indented far is still one)
    task, split = file_task_and_split(path, head)
    if head.startswith(b"["):
        out = _decode_results(path, buf, split)
        out.release = release
        return out
    out = CocoFile(path=path, task=task or "unknown", split=split)
    doc: Any
    if not one_pass or task == "results":
        doc, out.extra_keys = _decode_document(buf, path)
    else:
        try:  # one pass; a file with a wrong type (or unknown annotation fields met late) takes the two-pass path
            doc, out.unknown_fields = _decode_one_pass(buf)
        except msgspec.ValidationError:
            doc, out.extra_keys = _decode_document(buf, path)
        except msgspec.DecodeError as exc:  # not JSON: the same error the two-pass decode would give
            raise _decode_error(buf, path, exc) from exc
    for key in ("info", "licenses", "images", "categories"):
        raw = getattr(doc, key)
        if len(raw):
            out.present.append(key)
    if doc.annotations is not msgspec.UNSET:
        out.present.append("annotations")
    out.sections = {key: bytes(getattr(doc, key)) for key in ("info", "licenses") if key in out.present}
    if len(doc.info):  # (written back as read: what the schema refuses is refused here too)
        out.info = decode_at(doc.info, path, "/info", dict[str, Any])
    if len(doc.licenses):
        out.licenses = decode_at(doc.licenses, path, "/licenses", list[dict[str, Any]])
    if not len(doc.images):
        raise InputError("missing required field 'images'", path=path, pointer="/images", expected="a COCO document")
    out.images_raw = doc.images
    out.heads = image_heads(doc.images)
    if out.heads is None:  # (not plain: decoded record by record, which says what is wrong where)
        out._images = decode_at(doc.images, path, "/images", list[dict[str, Any]])
    out.categories = decode_at(doc.categories, path, "/categories", list[dict[str, Any]]) if len(doc.categories) else []
    if not isinstance(doc, _Document):
        out.decoded = [] if isinstance(doc.annotations, msgspec.UnsetType) else doc.annotations
    else:
        out.raw_annotations = [] if isinstance(doc.annotations, msgspec.UnsetType) else doc.annotations
    if out.task == "unknown":
        out.task = _guess_task(out)
    out.release = release
    if release is not None:
        release()
    return out


def _decode_one_pass(buf: Buffer) -> tuple[Any, tuple[str, ...]]:
    """The document with its annotations decoded into structs, and the unknown fields they hold.

    Annotations of the instance fields only decode into :class:`InstanceAnnotation`, others into
    :class:`Annotation`; a field no annotation has, met in the first :data:`ANNOTATION_CHUNK` annotations, is
    given a raw field of its own (see :func:`decode_annotations`) and the file decoded again.

    Raises:
        msgspec.ValidationError: a wrong type, or an unknown field met later (or one too many, or one msgspec
            cannot rename to): the two-pass decode (:func:`_decode_document`) reads such a file.
        msgspec.DecodeError: not JSON.
    """
    try:
        return msgspec.json.decode(buf, type=_InstancesDocument), ()
    except msgspec.ValidationError:  # another field (a keypoints or results file) or a wrong type
        pass
    names: tuple[str, ...] = ()
    while True:
        try:
            return msgspec.json.decode(buf, type=_decoded_document(names)), names
        except msgspec.ValidationError as exc:
            found = unknown_field(exc, ".annotations")
            if found is None or found[1] >= ANNOTATION_CHUNK or not may_name(found[0], names):
                raise
            names += (found[0],)


@functools.lru_cache(maxsize=64)
def _decoded_document(names: tuple[str, ...]) -> Any:
    """:class:`_DecodedDocument` whose annotations are :class:`Annotation` widened by ``names``."""
    if not names:
        return _DecodedDocument
    wider: Any = widened(Annotation, names)
    annotations: Any = list[wider] | msgspec.UnsetType
    fields = [("annotations", annotations, msgspec.UNSET)]
    return msgspec.defstruct("WiderDocument", fields, bases=(_Sections,), forbid_unknown_fields=True)


def _decode_document(buf: Buffer, path: Path) -> tuple[_Document, dict[str, Any]]:
    """The two-pass decode: annotations kept raw, decoded a chunk at a time (unknown fields separately).

    Raises:
        InputError: bad JSON (with its line) or a wrong top-level shape.
    """
    try:
        return msgspec.json.decode(buf, type=_Document), {}
    except msgspec.ValidationError as exc:
        if str(exc).startswith("Object contains unknown field") and pointer_of(str(exc)) is None:
            return _decode_open_document(buf, path)
        # (msgspec names no place for the document itself: ``true`` or ``"x"`` where an object should be)
        raise InputError(msgspec_reason(exc), path=path, pointer=pointer_of(str(exc)) or "") from exc
    except msgspec.DecodeError as exc:
        raise _decode_error(buf, path, exc) from exc


_SECTIONS = ("images", "categories", "info", "licenses", "annotations")


def _decode_open_document(buf: Buffer, path: Path) -> tuple[_Document, dict[str, Any]]:
    """A document with other top-level keys than COCO's, and their values (decoded, in the file's order).

    The top level is decoded key by key (raw), so this pass costs about as much as a decode; only files
    with such keys take it.

    Raises:
        InputError: a wrong top-level shape, or a value no float holds (``1e400``) among the other keys.
    """
    try:
        top = msgspec.json.decode(buf, type=dict[str, Raw])
        annotations = top.get("annotations")
        doc = _Document(
            **{k: top[k] for k in _SECTIONS[:4] if k in top},
            annotations=msgspec.UNSET if annotations is None else msgspec.json.decode(annotations, type=list[Raw]),
        )
    except msgspec.ValidationError as exc:
        pointer = pointer_of(str(exc))
        raise InputError(msgspec_reason(exc), path=path, pointer="/annotations" + (pointer or "")) from exc
    except msgspec.DecodeError as exc:  # (a lone surrogate escape in a value the first decode never reached)
        raise _decode_error(buf, path, exc) from exc
    extra: dict[str, Any] = {}
    for key, raw in top.items():
        if key in _SECTIONS:
            continue
        pointer = json_pointer(key)
        try:
            value = msgspec.json.decode(raw)
        except msgspec.ValidationError as exc:  # (1e400: no float holds it)
            sub = pointer_of(str(exc)) or unnamed_place(str(exc), raw)
            raise InputError(msgspec_reason(exc), path=path, pointer=pointer + sub) from exc
        json_text(value, path, pointer)  # written back as it is: 64-bit integers, depth, surrogates checked
        extra[key] = value
    return doc, extra


MAP_THRESHOLD = 64 << 20
"""Files at least this large are memory-mapped rather than read (see :func:`_map`)."""


def _map(path: Path) -> tuple[Buffer, Callable[[], None] | None]:
    """The file's bytes, and for large files a function that drops its pages from memory.

    A large file is memory-mapped read-only. Raw annotation values point into the mapping; once a chunk
    of them has been copied out, ``MADV_DONTNEED`` lets the kernel drop the pages (they come back from
    the page cache if touched again), so the whole file never has to stay resident while it is read.

    Raises:
        InputError: the file cannot be read.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe, or a FIFO or device: read without waiting on it
            return read_file(path, pipes=True), None
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < MAP_THRESHOLD or not hasattr(mmap, "MADV_DONTNEED"):
                return fh.read(), None
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from exc

    def release() -> None:
        mapped.madvise(mmap.MADV_DONTNEED)

    return mapped, release


def decode_annotations(
    raws: Sequence[Raw], path: Path, offset: int, unknown: tuple[str, ...] = ()
) -> tuple[list[Annotation], list[dict[str, Raw]] | None, tuple[str, ...]]:
    """Decode raw annotations into structs in one call; unknown fields come back as fields or separately.

    A field no :class:`Annotation` has is given a raw field of its own (:func:`~.coco_fields.widened`), named as
    msgspec's error names it, and the chunk decoded again: the structs then hold every field, the names of
    those fields second in the result (read back by :meth:`CocoFile.column` as ``_unknown_<i>``). ``unknown``:
    the names an earlier chunk found, tried first. Past :data:`~.coco_fields.UNKNOWN_FIELDS` names the chunk is decoded
    leniently: its unknown fields come back per annotation (the second result), the names as they were.

    Raises:
        InputError: an annotation is not an object or has a field of the wrong type.
    """
    body = b"[" + b",".join(raws) + b"]"
    names = unknown
    while True:
        try:
            wider: Any = widened(Annotation, names)
            return msgspec.json.decode(body, type=list[wider]), None, names
        except msgspec.ValidationError as exc:
            found = unknown_field(exc)
            if found is None:
                raise _shifted(exc, path, offset, raws) from exc
            if not may_name(found[0], names):
                break
            names += (found[0],)
    try:
        anns: list[Annotation] = list(msgspec.json.decode(body, type=list[_LenientAnnotation]))
        lenient = msgspec.json.decode(body, type=list[dict[str, Raw]])
    except msgspec.ValidationError as exc:
        raise _shifted(exc, path, offset, raws) from exc
    return anns, [{k: v for k, v in a.items() if k not in KNOWN_FIELDS} for a in lenient], names


_ID_FIELDS = ("id", "image_id", "category_id")


def _shifted(exc: Exception, path: Path, offset: int, raws: Sequence[Raw]) -> InputError:
    """The error of a chunk's decode at the file's pointer; an id that is no integer (3.0) says so with its value."""
    pointer = pointer_of(str(exc)) or ""
    reason = msgspec_reason(exc)
    if m := re.match(r"^/(\d+)(.*)$", pointer):
        row, sub = int(m.group(1)), m.group(2)
        pointer = json_pointer("annotations", row + offset) + sub
        key = sub[1:]
        raw = raws[row] if row < len(raws) else None
        if key in _ID_FIELDS and (error := integer_error(reason, key, raw, path, pointer, nullable=True)) is not None:
            return error
    return InputError(reason, path=path, pointer=pointer)


def _decode_results(path: Path, data: Buffer, split: str | None) -> CocoFile:
    try:
        raws = msgspec.json.decode(data, type=list[Raw])
    except msgspec.ValidationError as exc:
        raise InputError(msgspec_reason(exc), path=path, pointer=pointer_of(str(exc))) from exc
    except msgspec.DecodeError as exc:
        raise _decode_error(data, path, exc) from exc
    return CocoFile(path=path, task="results", split=split, present=[], raw_annotations=raws)


def _guess_task(f: CocoFile) -> str:
    if not f.count:
        return "image_info" if "annotations" not in f.present or not f.categories else "instances"
    a = f.decoded[0] if f.decoded is not None else decode_annotations(f.raw_annotations[:1], f.path, 0)[0][0]
    if len(getattr(a, "caption", ABSENT)):
        return "captions"
    if len(getattr(a, "keypoints", ABSENT)):
        return "person_keypoints"
    if not (len(a.bbox) or len(a.segmentation)):
        return "labels"
    return "instances"


# -- column decoding ---------------------------------------------------------------------------------


def raw_column(
    values: Sequence[Raw],
    path: Path,
    field_name: str,
    type_: Any,
    rows: Sequence[int] | None = None,
    expected: str | None = None,
) -> Any:
    """Decode one raw field of many annotations in one call (absent -> None).

    ``expected``: what a value must be, said instead of msgspec's type (``float | null`` where null is refused
    after), with the value found.

    Raises:
        InputError: a value has the wrong type; the pointer names the annotation and field.
    """
    if values.count(ABSENT) == len(values):  # absent everywhere (the one shared default): nothing to decode
        return [None] * len(values)
    body = b",".join(values if all(map(len, values)) else [v if len(v) else b"null" for v in values])
    try:
        return msgspec.json.decode(b"[" + body + b"]", type=list[type_])
    except msgspec.ValidationError as exc:
        m = re.search(r"\$\[(\d+)\]", str(exc))
        i = int(m.group(1)) if m else 0
        row = rows[i] if rows is not None else i
        pointer = json_pointer("annotations", row, field_name)
        reason = msgspec_reason(exc)
        if expected is not None and reason.startswith("Expected"):  # (not 1e400, a number no float holds)
            found = bytes(values[i]).decode(errors="replace")
            raise InputError(f"{field_name} must be {expected}", path=path, pointer=pointer, found=found) from exc
        raise InputError(reason, path=path, pointer=pointer) from exc
