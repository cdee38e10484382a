"""Reading one Pascal VOC annotation file: safe XML parsing and the ``<annotation>`` record it holds.

XML is parsed with defusedxml only (a DTD or an entity is an error naming its line); each element is read as
:mod:`labelkit.formats.voc` documents it (boxes, flags, parts, actions, attributes), and elements inside the
fields read that no field takes are counted for the read note. Used by :func:`labelkit.formats.voc.read`.
"""

from __future__ import annotations

import codecs
import functools
import math
import re
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from labelkit.errors import InputError
from labelkit.formats.voc_plain import TAG as _TAG
from labelkit.formats.voc_plain import TEXT as _TEXT
from labelkit.formats.voc_plain import plain_object as _plain_object
from labelkit.formats.voc_plain import usual_objects
from labelkit.formats.voc_values import CORNERS_KEY, corners_come_back
from labelkit.io import safe_relpath
from labelkit.model import geometry as G
from labelkit.model.annotations import INT64_MAX, INT64_MIN

MAX_SIDE = INT64_MAX
"""The largest image width or height read from ``<size>`` (the model's sizes are 64-bit, as in COCO)."""


def parse_xml(data: bytes, path: str | Path) -> Element:
    """Parse one annotation file safely (defusedxml): no DTD, no entities, no network.

    Expat reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself; a file declaring any other encoding Python's
    codecs know (Shift_JIS, GBK, EUC-KR, ... as CJK tools write, ISO-2022-JP, or UTF-8 as ``utf8``, which
    ElementTree writes) is decoded by Python's codec first (expat took ``utf8`` for a one-byte encoding, and
    refused its non-ASCII bytes).

    Raises:
        InputError: bad or truncated XML (with its line), bytes its declared encoding cannot decode, or a DTD /
            entity declaration.
    """
    return _parse_tree(data, path).root


class _Tree(NamedTuple):
    """A file's tree, and what one pass over its elements found."""

    root: Element
    attributed: bool  # (whether an element may hold an XML attribute: False, none does)
    elements: list[Element]  # (in document order; empty when the file was parsed the full way)
    tags: str  # (their tags, joined by "<", which no tag holds)


def _parse_tree(data: bytes, path: str | Path) -> _Tree:
    """:func:`parse_xml`, with the elements in document order and whether one holds an XML attribute."""
    source = _decoded(data, path) if _python_decodes(data) else data
    try:
        return _parse_xml(source, path)
    except ValueError as exc:  # (an encoding expat cannot read that Python's codecs do not know either)
        raise InputError(f"invalid XML: {exc}", path=path, line=1) from exc


_EXPAT_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16be", "utf-16le", "iso-8859-1", "us-ascii"})
"""The encodings expat reads itself (by name, in any case); it reads others through Python's one-byte table."""


def _python_decodes(data: bytes) -> bool:
    """Whether a file declares an encoding that Python's codecs know and expat does not read itself.

    Such a file is decoded by Python first: expat reads another encoding through a table of one character per
    byte, which a multi-byte or stateful encoding has no such table of (``utf8``, ``ISO-2022-JP``: their
    non-ASCII bytes were an error, ``not well-formed (invalid token)``).
    """
    m = _DECLARED_ENCODING.match(data)
    return m is not None and _python_codec(m.group(1).decode("ascii", "replace"))


@functools.cache
def _python_codec(name: str) -> bool:
    """Whether ``name`` is an encoding expat does not read itself and Python's codecs decode text of.

    A codec Python does not know, or that cannot decode every byte value (idna, a codec of host names), is left
    to expat, whose error names it, as for a file it cannot read.
    """
    if name.lower() in _EXPAT_ENCODINGS:
        return False
    try:
        codecs.lookup(name)
        bytes(range(256)).decode(name, "replace")
    except (LookupError, UnicodeError):
        return False
    return True


def _parse_xml(source: bytes | str, path: str | Path, direct: bool = True) -> _Tree:
    """:func:`_parse_tree` of bytes or text (the steps of defusedxml's ``fromstring``).

    ``direct``: expat's element events go straight to the C tree builder (see :func:`_direct`), unless an
    element or XML attribute turns out to be in a namespace, when the file is parsed again the full way.
    """
    DefusedXMLParser, DefusedXmlException = _defused()
    # (DET.fromstring's own steps, keeping the parser: expat's position names the DTD's line)
    parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
    direct = direct and _direct(parser)
    try:
        parser.feed(source)
        root: Element = parser.close()
        if not direct:
            return _Tree(root, True, [], "")
        elements = list(root.iter())
        attributed = any(map(Element.keys, elements))
        tags = "<".join(map(_TAG, elements))  # (by C code: no Python step per element)
        if _namespaced(elements, attributed, tags):  # (expat spells it "uri}name": the full parser "{uri}name")
            return _parse_xml(source, path, direct=False)
        return _Tree(root, attributed, elements, tags)
    except DefusedXmlException as exc:
        raise InputError(
            "XML with a DTD or entity declarations is refused",
            path=path,
            line=parser.parser.CurrentLineNumber,
            found=type(exc).__name__,
        ) from exc
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"invalid XML: {exc.msg if hasattr(exc, 'msg') else exc}", path=path, line=line) from exc
    except LookupError as exc:  # <?xml ... encoding="nan"?>: a codec Python does not know
        raise InputError(f"invalid XML: {exc}", path=path, line=1) from exc


@functools.cache
def _defused() -> tuple[Any, type[Exception]]:
    """Defusedxml's parser class and the base of its refusals (imported when the first file is read)."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    return DET.DefusedXMLParser, DefusedXmlException


def _direct(parser: Any) -> bool:
    """Give a parser's element starts and ends to its (C) tree builder itself, not through Python methods.

    ElementTree's ``XMLParser`` (which defusedxml's extends) passes each start and end through ``_start`` and
    ``_end``, whose one change to a name is to spell a namespaced one, which expat gives as ``uri}name``, as
    ``{uri}name``: the tree built is the same for a file with no namespace (:func:`_namespaced` finds those),
    in about two thirds of the time. Every other handler is the parser's own: defusedxml's refusal of DTDs,
    entities and external references, text, and the errors raised (with expat's position).

    Returns:
        Whether it did: not for a parser whose element handlers are not ``XMLParser``'s own (a defusedxml or
        Python to come that changed them), which is left as it is.
    """
    expat: Any = getattr(parser, "parser", None)
    start, end = getattr(parser, "_start", None), getattr(parser, "_end", None)
    if start is None or getattr(expat, "StartElementHandler", None) != start or expat.EndElementHandler != end:
        return False
    expat.ordered_attributes = 0  # (attributes as a dict, as the tree builder takes them)
    expat.StartElementHandler = parser.target.start
    expat.EndElementHandler = parser.target.end
    return True


def _namespaced(elements: list[Element], attributed: bool, tags: str) -> bool:
    """Whether an element's or XML attribute's name holds ``}``: expat's spelling of a namespaced name.

    ``attributed``: whether an element holds an XML attribute; ``tags``: the elements' tags, joined.
    """
    return "}" in tags or (attributed and any("}" in key for node in elements for key in node.keys()))


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _decoded(data: bytes, path: str | Path) -> str:
    """The text of a file in the encoding its XML declaration names.

    Raises:
        InputError: an unknown encoding, or bytes it cannot decode (with their line).
    """
    m = _DECLARED_ENCODING.match(data)
    encoding = m.group(1).decode("ascii", "replace") if m else "utf-8"
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise InputError(f"invalid XML: unknown encoding {encoding!r}", path=path, line=1) from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"invalid XML: not {encoding} text ({exc.reason})", path=path, line=line) from exc
    except UnicodeError as exc:  # (a codec that cannot decode at all, e.g. idna)
        raise InputError(f"invalid XML: not {encoding} text ({exc})", path=path, line=1) from exc


def _side(text: str) -> int | float:
    """An image side from ``<size>``: an integer as written (exact to 64 bits), else the number.

    A whole number (``640.0``, ``6.4e2``) is that integer; any other (``640.5``) comes back as a float, which
    the caller refuses.

    Raises:
        ValueError, OverflowError: not a finite number.
    """
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text) from None
        return int(value) if value.is_integer() else value


def _size_field(size: Element, tag: str, path: str | Path) -> int | None:
    """``<size>``'s ``<width>`` or ``<height>`` (None when absent or empty).

    Raises:
        InputError: not a finite number, or out of range, naming ``annotation/size/<tag>``.
    """
    text = _field_text(size.find(tag), tag, path, "annotation/size")
    if not text:
        return None
    try:
        value = _side(text)
    except (ValueError, OverflowError):  # OverflowError: inf
        raise InputError(
            f"<{tag}> is not a number", path=path, element=f"annotation/size/{tag}", found=repr(text)
        ) from None
    if not 0 <= value <= MAX_SIDE:
        raise InputError(f"<{tag}> is out of range (0 to {MAX_SIDE})", path=path, element=f"annotation/size/{tag}")
    if isinstance(value, float):  # (an image side is a whole number of pixels: 640.5 is no image's, nor 640's)
        raise InputError(
            f"<{tag}> is not a whole number of pixels", path=path, element=f"annotation/size/{tag}", found=repr(text)
        )
    return value


def _text(node: Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return node.text.strip()


def _field_text(node: Element | None, tag: str, path: str | Path, where: str) -> str | None:
    """:func:`_text` of a field read as one value, which must not go on after an element inside it.

    ``<xmin>3<v/>4</xmin>`` read 3, and ``<name>c<i>a</i>t</name>`` class ``c``: the text after the element was
    dropped unsaid (the element was noted as unread); ``<name><i>cat</i></name>``, whose text is all inside an
    element, read class ``""``.

    Raises:
        InputError: naming the field and the element the text goes on after, or holding all its text.
    """
    if node is not None:
        for child in node:
            if (child.tail or "").strip():
                inner = f"<{child.tag}>" if isinstance(child.tag, str) else "a comment"
                raise InputError(
                    f"<{tag}> holds text after {inner} inside it",
                    path=path,
                    element=f"{where}/{tag}",
                    found=repr("".join(node.itertext()).strip()),
                )
        holder = next((c for c in node if "".join(c.itertext()).strip()), None) if not _text(node) else None
        if holder is not None:
            raise InputError(
                f"<{tag}> holds its text inside <{holder.tag}>",
                path=path,
                element=f"{where}/{tag}",
                found=repr("".join(node.itertext()).strip()),
            )
    return _text(node)


def _number(node: Element, tag: str, path: str | Path, where: str) -> float:
    field = node.find(tag)
    if field is None:
        raise InputError(f"missing <{tag}>", path=path, element=f"{where}/{tag}")
    text = _field_text(field, tag, path, where)
    if not text:  # (<xmin/>, or <xmin><v>3</v></xmin>: there, so not "missing", but holding no number)
        inner = next((f"<{child.tag}>" for child in field if isinstance(child.tag, str)), None)
        raise InputError(f"<{tag}> holds no number", path=path, element=f"{where}/{tag}", found=inner)
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"<{tag}> is not a number", path=path, element=f"{where}/{tag}", found=repr(text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"<{tag}> is not finite", path=path, element=f"{where}/{tag}")
    return value


def _fields(node: Element, path: str | Path, where: str) -> dict[str, str] | str:
    """``<source>`` or ``<owner>``: its fields by tag, or (with none) its text, as written beside no field.

    Raises:
        InputError: a field repeated (its fields are a mapping: one value each).
    """
    if len(node) == 0 and (node.text or "").strip():
        return (node.text or "").strip()
    _once(node, None, path, where)
    if (node.text or "").strip() or any((child.tail or "").strip() for child in node):  # (was dropped unsaid)
        tag = where.rpartition("/")[2]
        raise InputError(f"<{tag}> holds text beside its fields", path=path, element=where)
    return {child.tag: _field_text(child, child.tag, path, where) or "" for child in node}


def _int_or_text(text: str) -> int | str:
    """A number when the text is ASCII digits that 64 bits hold, else the text as written."""
    # (int() refuses more than 4,300 digits: no more than 19 can be at most INT64_MAX)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= INT64_MAX else text


def _flag(node: Element, tag: str, path: str | Path, where: str) -> int | None:
    """A flag's whole number (``1``, ``1.0``); None without the element, 0 for an empty one.

    ``<difficult/>`` and ``<difficult></difficult>`` (as scripts filling VOC's template write it) are 0, as
    Datumaro reads them.

    Raises:
        InputError: at the element, for anything else: a fraction (``0.5``), text, an element inside it.
    """
    field = node.find(tag)
    if field is None:
        return None
    text = _field_text(field, tag, path, where) or ""
    inner = next((f"<{child.tag}>" for child in field if isinstance(child.tag, str)), None)
    if not text and inner is None:
        return 0
    number: int | float
    try:
        number = int(text)  # (as written: a float holds whole numbers exactly only up to 2**53)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        number = int(number) if number.is_integer() else number  # (not inf or NaN either)
    if not isinstance(number, int) or not INT64_MIN <= number <= INT64_MAX:
        # (occluded is true or false in the model; every other flag is kept as the whole number it is)
        if tag == "occluded":
            need = "0 or 1"
        elif isinstance(number, int):
            need = "a whole number of 64 bits"
        else:
            need = "a whole number"
        raise InputError(
            f"<{tag}> must be {need}", path=path, element=f"{where}/{tag}", found=repr(text) if text else inner
        )
    return number


def _box(
    node: Element, path: str | Path, where: str, extras: dict[str, Any] | None = None
) -> tuple[float, float, float, float]:
    """The box of ``<bndbox>``.

    An object's (or part's) corners as read go in its ``extras`` where a write would not give them back
    (:func:`~labelkit.formats.voc_values.corners_come_back`).
    """
    bnd = node.find("bndbox")
    if bnd is None:
        raise InputError("missing <bndbox>", path=path, element=f"{where}/bndbox")
    at = f"{where}/bndbox"
    if len(bnd) > 4:  # (four children, each of the four corners found below: no corner repeats)
        _once(bnd, _CORNERS, path, at)
    corners = [_number(bnd, tag, path, at) for tag in ("xmin", "ymin", "xmax", "ymax")]
    box = G.voc_to_xywh(*corners)
    if extras is not None and not corners_come_back(corners):
        extras[CORNERS_KEY] = corners
    if box[2] < 0 or box[3] < 0:  # xmax below xmin: written to COCO, it would be refused when read back
        raise InputError(
            "box has a negative width or height (xmax below xmin or ymax below ymin)", path=path, element=at
        )
    if not all(map(math.isfinite, box)):  # finite corners 1.7e308 apart: the width is not a number
        raise InputError("box's width or height is not finite", path=path, element=at)
    return box


_INT = re.compile(r"-?\d+\Z")


def _int64_as_spelled(text: str) -> bool:
    """Whether an integer's text (at most 19 digits) is within 64 bits and written back by str() as spelled."""
    value = int(text)
    return INT64_MIN <= value <= INT64_MAX and str(value) == text


def attribute_value(text: str) -> bool | int | float | str:
    """A VOC ``<attribute>`` value typed: true/false, integers and finite numbers; else text.

    A number is typed only when it writes back as spelled (``007``, ``+3`` and ``-0`` stay texts), so a VOC
    round trip gives back the same text; true/false in any case are booleans (Datumaro writes ``True``).

    Examples:
        >>> attribute_value("true"), attribute_value("3"), attribute_value("2.5"), attribute_value("red")
        (True, 3, 2.5, 'red')
        >>> attribute_value("007"), attribute_value("True"), attribute_value("-0")
        ('007', True, '-0')
        >>> attribute_value("-9223372036854775808"), attribute_value("9223372036854775808")
        (-9223372036854775808, '9223372036854775808')
    """
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(text):  # (int() refuses more than 4,300 digits: no more than 19 can be within 64 bits)
        return int(text) if len(text.lstrip("-")) <= 19 and _int64_as_spelled(text) else text
    try:
        value = float(text)
    except ValueError:
        return text
    return value if value == value and abs(value) != float("inf") and repr(value) == text else text


@dataclass
class _XmlItem:
    filename: str | None = None
    width: int | None = None
    height: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # elements and XML attributes not read (for a read note)
    respelled: list[str] = field(default_factory=list)  # boolean attribute values not spelled true/false (a note)
    stray: list[str] = field(default_factory=list)  # containers holding text beside their elements (a note)


_ROOT_TAGS = frozenset({"filename", "folder", "source", "path", "owner", "size", "segmented", "object"})
_OBJECT_TAGS = frozenset(
    {"name", "pose", "truncated", "difficult", "occluded", "part", "actions", "point", "attributes", "bndbox"}
)
_SIZE_TAGS = frozenset({"width", "height", "depth"})
_ONCE_ROOT = _ROOT_TAGS - {"object"}
_ONCE_OBJECT = _OBJECT_TAGS - {"part"}
_CORNERS = frozenset({"xmin", "ymin", "xmax", "ymax"})
_ONCE_PART = frozenset({"name", "bndbox"})
_ONCE_POINT = frozenset({"x", "y"})
_ONCE_ATTRIBUTE = frozenset({"name", "value"})


def _once(node: Element, tags: frozenset[str] | None, path: str | Path, where: str) -> list[str]:
    """Refuse a second copy of a child element read as one value (``tags``; None: every child).

    The model holds one box, name, size, ... where a file may spell two: reading the first would drop the
    others without a word. Elements VOC repeats (``object``, ``part``, ``attribute``) and elements not read
    (counted in a read note) may repeat.

    Returns:
        The children's tags (one pass over them serves :func:`_unread` too).

    Raises:
        InputError: naming the second copy, as ``where/tag[2]``.
    """
    children = [child.tag for child in node]
    if len(set(children)) == len(children):  # (the usual case: one set, no loop)
        return children
    seen: set[str] = set()
    for tag in children:
        if tag in seen and isinstance(tag, str) and (tags is None or tag in tags):
            raise InputError(
                "repeated element", path=path, element=f"{where}/{tag}[2]", hint=f"<{where}> holds one <{tag}>"
            )
        seen.add(tag)
    return children


def _unread(
    node: Element, known: frozenset[str], once: frozenset[str], path: str | Path, where: str, label: str
) -> list[str]:
    """The child elements of ``node`` not among ``known``, and its XML attributes, as ``label/tag``, ``label@a``.

    Raises:
        InputError: a child among ``once`` repeated (see :func:`_once`), named under ``where``.
    """
    out = [f"{label}/{tag}" for tag in _once(node, once, path, where) if isinstance(tag, str) and tag not in known]
    for child in node:  # (a value with no attribute and no child, the usual field, holds nothing unread)
        if (len(child) or child.attrib) and child.tag in known and child.tag not in ("object", "size"):
            out += _unread_inside(child, leaf=False)  # (object and size: their own call)
    return out + [f"{label}@{key}" for key in node.attrib]


_INSIDE: dict[str, frozenset[str] | None] = {
    "bndbox": _CORNERS,
    "part": _ONCE_PART,
    "point": _ONCE_POINT,
    "attributes": frozenset({"attribute"}),
    "attribute": _ONCE_ATTRIBUTE,
    "actions": None,
    "source": None,
    "owner": None,
}
"""The elements read inside a field: its children's tags, or None where each child is a value (an action, a
source field). Any other field is a value: nothing inside it is read."""


def _unread_inside(node: Element, leaf: bool) -> list[str]:
    """The elements and XML attributes inside a field (see :data:`_INSIDE`) that are not read.

    As ``tag/child`` and ``tag@attribute``: ``<part><difficult>``, ``<bndbox><angle>``, ``<name lang="en">``.

    Args:
        node: a field of the annotation, an object or a field inside one.
        leaf: the field is a value (an action, a source field), whatever its tag.
    """
    out = [f"{node.tag}@{key}" for key in node.attrib]
    known = frozenset() if leaf else _INSIDE.get(node.tag, frozenset())
    for child in node:  # (elements only: the parser keeps no comment nor processing instruction)
        if known is None or child.tag in known:
            if len(child) or child.attrib:
                out += _unread_inside(child, leaf=known is None)
        else:
            out.append(f"{node.tag}/{child.tag}")
    return out


def parse_annotation(data: bytes, path: str | Path) -> _XmlItem:
    """One ``<annotation>`` file as an item and object rows (pure: bytes in, data out).

    Raises:
        InputError: bad XML, or an object without a name or with a bad box (naming the element).
    """
    tree = _parse_tree(data, path)
    root = tree.root
    if root.tag != "annotation":
        raise InputError("root element must be <annotation>", path=path, element=root.tag)
    # (a file of no XML attribute, of a shape read before: its tags and child counts in document order are the
    # tree, so what is unread of the root and size, which the tree alone decides, is as it was, and no error)
    lens = None if tree.attributed or len(tree.elements) > _MAX_SHAPE else tuple(map(len, tree.elements))
    kept = _SHAPES.get(tree.tags) if lens is not None else None
    if kept is not None and kept[0] != lens:
        kept = None
    unread = kept[1] if kept is not None else _unread(root, _ROOT_TAGS, _ONCE_ROOT, path, "annotation", "annotation")
    item = _XmlItem(filename=_field_text(root.find("filename"), "filename", path, "annotation"))
    elements = tree.elements or list(root.iter())
    texts = list(map(_TEXT, elements))
    item.stray = stray_text(elements, texts, lens)
    if item.filename:  # found only when reading a folder: refused here, where the file and element are known
        try:
            below = safe_relpath(item.filename)
        except InputError as exc:
            raise InputError(exc.message, path=path, element="annotation/filename", hint=exc.hint) from exc
        if below == ".":  # ('.', './': JPEGImages/ itself, no image; its path was the folder, written back '.')
            raise InputError(
                f"file name {item.filename!r} names the images folder itself, not an image",
                path=path,
                element="annotation/filename",
            )
    folder = root.find("folder")
    if folder is not None:  # (empty, as Roboflow and CVAT write it: written back so)
        item.metadata["voc:folder"] = _field_text(folder, "folder", path, "annotation") or ""
    source = root.find("source")
    if source is not None:
        item.metadata["voc:source"] = _fields(source, path, "annotation/source")
    for tag in ("path", "owner"):
        node = root.find(tag)
        if node is not None and tag == "path":
            item.metadata["voc:path"] = _field_text(node, "path", path, "annotation") or ""
        elif node is not None:
            item.metadata["voc:owner"] = _fields(node, path, "annotation/owner")
    size = root.find("size")
    size_unread: list[str] = []
    if size is not None:
        size_unread = (
            kept[2] if kept is not None else _unread(size, _SIZE_TAGS, _SIZE_TAGS, path, "annotation/size", "size")
        )
        item.width = _size_field(size, "width", path)
        item.height = _size_field(size, "height", path)
        depth = size.find("depth")
        if depth is not None:
            item.metadata["voc:depth"] = _int_or_text(_field_text(depth, "depth", path, "annotation/size") or "")
        if item.width == 0 or item.height == 0:
            item.width = item.height = None  # VOC tools write 0 when they did not know the size
    segmented = _field_text(root.find("segmented"), "segmented", path, "annotation")
    if segmented is not None:
        item.metadata["voc:segmented"] = _int_or_text(segmented)
    # (no attribute, as usual: not asked of each element again; a file of usual objects, of a shape met before,
    # gives each object's plan and its elements' texts in one pass)
    usual = None if lens is None else usual_objects(root, tree.elements, tree.tags, lens)
    nodes: list[tuple[Element, Any]]
    if usual is not None:
        nodes = [(tree.elements[at], (texts, at, plan)) for at, plan in usual]
    else:
        nodes = [(node, None) for node in root.iterfind("object")]
    for number, (node, known) in enumerate(nodes, 1):
        plain = _plain_object(node, tree.attributed, known)
        if plain is not None:
            item.objects.append(plain)
            continue
        where = f"annotation/object[{number}]"
        item.unread += _unread(node, _OBJECT_TAGS, _ONCE_OBJECT, path, where, "object")
        item.objects.append(_object(node, path, where, item.respelled))
    item.unread += unread
    item.unread += size_unread
    if lens is not None and tree.tags not in _SHAPES and len(_SHAPES) < _MAX_SHAPES:  # (the first of its tags)
        _SHAPES[tree.tags] = (lens, unread, size_unread)
    return item


_TAIL = attrgetter("tail")
_CONTAINERS = frozenset(
    {"annotation", "size", "object", "bndbox", "part", "actions", "point", "attributes", "attribute"}
)
"""The elements read for the elements inside them alone: text there is read by no VOC reader."""
_XML_SPACE = " \t\r\n"


def stray_text(elements: list[Element], texts: list[str | None], lens: tuple[int, ...] | None = None) -> list[str]:
    """The containers (:data:`_CONTAINERS`) holding text beside their elements, once each, by tag.

    ``<object>cat<name>cat</name>...``, or text after one of its elements: no reader keeps it, and writing VOC
    dropped it unsaid. (Text inside a value, ``<name>c<i>a</i>t</name>``, or a ``<source>`` field, is an error
    of its own.) ``texts``: each element's text; ``lens``: each element's child count, when known. The usual
    file, whose texts there are all whitespace, is ruled out by C code alone (two joins).
    """
    counts = lens if lens is not None else tuple(map(len, elements))
    inner = "".join(filter(None, compress(texts, counts)))  # (the texts before a first child)
    tails = "".join(filter(None, map(_TAIL, elements)))
    if not inner.strip(_XML_SPACE) and not tails.strip(_XML_SPACE):
        return []
    found = []
    for element, count in zip(elements, counts, strict=True):
        if count and element.tag in _CONTAINERS:
            texts = [element.text, *(child.tail for child in element)]
            if any(t and t.strip(_XML_SPACE) for t in texts):
                found.append(element.tag)
    return found


_SHAPES: dict[str, tuple[tuple[int, ...], list[str], list[str]]] = {}
"""Files' shapes (of no XML attribute) by their tags in document order: their child counts, and what is unread
of the root and of ``<size>``."""
_MAX_SHAPES = 1024
_MAX_SHAPE = 1024
"""The most elements of a file whose shape is kept (about 100 objects; a larger file is read object by object), so
that the shapes kept hold at most a few tens of MB, whatever the files."""


def _object(node: Element, path: str | Path, where: str, respelled: list[str]) -> dict[str, Any]:
    """One ``<object>`` (its repeated elements refused by the caller, with its unread ones)."""
    name_node = node.find("name")
    if name_node is None:
        raise InputError("object without <name>", path=path, element=f"{where}/name")
    name = (
        _field_text(name_node, "name", path, where) or ""
    )  # an empty <name/>: the class named "" (as written for such a category)
    extras: dict[str, Any] = {}
    pose = _field_text(node.find("pose"), "pose", path, where)
    if pose and pose != "Unspecified":
        extras["voc:pose"] = pose
    for tag in ("truncated", "difficult"):
        value = _flag(node, tag, path, where)
        if value:
            extras[f"voc:{tag}"] = value
    occluded = _flag(node, "occluded", path, where)
    if occluded not in (None, 0, 1):  # (the model's occluded is true or false: 2 would be written back as 1)
        found = repr(_text(node.find("occluded")))
        raise InputError("<occluded> must be 0 or 1", path=path, element=f"{where}/occluded", found=found)
    parts = []
    for i, part in enumerate(node.iterfind("part"), 1):
        at = f"{where}/part[{i}]"
        _once(part, _ONCE_PART, path, at)
        part_node = part.find("name")
        if part_node is None:
            raise InputError("part without <name>", path=path, element=f"{at}/name")
        corners: dict[str, Any] = {}  # (its corners as read, where a write would not give them back: an object's)
        box = list(_box(part, path, at, corners))
        parts.append({"name": _field_text(part_node, "name", path, at) or "", "bbox": box, **corners})
    if parts:
        extras["voc:parts"] = parts
    actions = node.find("actions")
    if actions is not None:
        _once(actions, None, path, f"{where}/actions")
        extras["voc:actions"] = {a.tag: _flag(actions, a.tag, path, f"{where}/actions") or 0 for a in actions}
    point = node.find("point")
    if point is not None:
        _once(point, _ONCE_POINT, path, f"{where}/point")
        extras["voc:point"] = [_number(point, "x", path, f"{where}/point"), _number(point, "y", path, f"{where}/point")]
    attributes: dict[str, Any] = {}
    attrs = node.find("attributes")
    if attrs is not None:
        for i, attr in enumerate(attrs.iterfind("attribute"), 1):
            at = f"{where}/attributes/attribute[{i}]"
            _once(attr, _ONCE_ATTRIBUTE, path, at)
            key_node = attr.find("name")
            if key_node is None:
                raise InputError("attribute without <name>", path=path, element=f"{at}/name")
            key = (
                _field_text(key_node, "name", path, at) or ""
            )  # an empty <name/>: the attribute named "" (as written for one)
            if key in attributes:  # (a mapping: the later value would replace the earlier one)
                raise InputError("repeated attribute name", path=path, element=f"{at}/name", found=repr(key))
            text = _field_text(attr.find("value"), "value", path, at) or ""
            attributes[key] = attribute_value(text)
            if attributes[key] is True or attributes[key] is False:
                respelled += [] if text in ("true", "false") else [text]  # (True: written back as true)
    return {
        "name": name,
        "bbox": _box(node, path, where, extras),
        "occluded": None if occluded is None else bool(occluded),
        "extras": extras,
        "attributes": attributes,
    }
