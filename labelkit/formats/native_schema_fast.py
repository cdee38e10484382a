"""A fast test that parsed labelkit JSON fits its JSON Schema: the schema compiled into msgspec types.

jsonschema checks a few thousand annotations a second in Python (2,600 of train2017's, polygons of 22 points);
``msgspec.convert`` into types compiled from the same schema checks the same values in C, a hundred times faster.
:func:`compile_schema` translates exactly the keywords the bundled schema uses, each into a type that accepts a
subset of what the keyword accepts (never more), and raises
:class:`Unsupported` for any other keyword, or a combination it does not know: a schema regenerated with a new
keyword makes ``validate`` fall back to jsonschema for everything rather than check less. What a compiled type
refuses (``2.0`` where the schema's ``integer`` takes it, an ``int`` beyond 64 bits in an attribute, NaN against a
bound) is left to jsonschema, which names it: the findings are jsonschema's, in its words and order.

The types check the *parsed* document, the value jsonschema is given (JSON parsed with ``parse_json``: dicts with
``str`` keys, lists, ``str``, ``int``, ``float``, ``bool`` and ``None``; msgspec would also take a tuple for an
array, which JSON never gives). A key repeated in the text, a number too large for a float or a string that is
not text are the parser's business, before either check sees the value.

The translation:

- ``type``: ``string`` (with ``const`` or ``enum`` of strings: a ``Literal``), ``integer`` (``int``, never a
  ``bool`` or a ``float``; ``minimum``/``maximum`` within int64 as ``Meta(ge=, le=)``; ``const``: a ``Literal``),
  ``number`` (``float``, which takes an ``int`` too, as ``number`` does, never a ``bool``; its bounds, under 2**53
  in size, refuse NaN, which a bound of JSON Schema lets through), ``boolean``, ``null``, ``array`` (``items``
  and ``minItems``/``maxItems``: a ``list``; ``prefixItems`` of exactly ``minItems`` = ``maxItems`` items and no
  ``items``: a ``tuple``), ``object`` (``properties`` with ``required``: a ``Struct``, which refuses unknown
  fields when ``additionalProperties`` is false and ignores them, as JSON Schema does, when it is absent or true;
  no ``properties``: a ``dict`` of ``str`` to the ``additionalProperties`` schema, or to anything).
- ``$ref`` to ``#/$defs/...``, alone; ``anyOf`` alone: a ``Union`` of the branches (msgspec picks the branch
  the value's type selects, and accepts only what that branch accepts: a subset of ``anyOf``), but not of a
  ``tuple`` and a bounded type, which crashes msgspec.
- ``oneOf`` with a ``discriminator``: a union of tagged structs, only when there are two branches or more (msgspec
  does not require the tag of a lone tagged struct), each a ``$ref`` to an object that requires the discriminator's
  property as a ``string`` of one ``const``, the consts differ and the ``mapping`` says the same: then at most one
  branch can fit a value, so "exactly one" is "the one its tag names".
- ``title``, ``description``, ``default`` (and ``$schema``, ``$id``, ``$defs`` at the root) say nothing about
  validity: ignored. An empty schema takes anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

IGNORED = frozenset({"title", "description", "default"})
"""Keywords that do not take part in validation."""
ROOT_IGNORED = IGNORED | {"$schema", "$id", "$defs"}


class Unsupported(Exception):
    """A keyword, or a combination of keywords, :func:`compile_schema` does not translate."""


def compile_schema(schema: dict[str, Any]) -> Any:
    """The msgspec type accepting (a subset of) the values ``schema`` accepts; its ``$defs`` are at its root.

    Raises:
        Unsupported: ``schema`` uses a keyword, or a combination of keywords, not translated here.
    """
    if not isinstance(schema, dict):
        raise Unsupported(f"not a schema: {schema!r}")
    defs = schema.get("$defs", {})
    if not isinstance(defs, dict):
        raise Unsupported("$defs is not an object")
    root = {k: v for k, v in schema.items() if k not in ROOT_IGNORED - IGNORED}
    try:
        compiled = _Compiler(defs).compile(root, "Document")
        msgspec.json.Decoder(compiled)  # (msgspec refuses some unions, such as two untagged structs, only here)
    except (TypeError, ValueError, NotImplementedError) as exc:
        # (a type msgspec will not build, such as an integer const past int64 or a length past its range, or a
        # malformed schema: jsonschema is left to say so, rather than an error out of validate)
        raise Unsupported(str(exc)) from exc
    return compiled


CHUNK = 1024
"""Values converted in one call by :meth:`Checker.each` (one call per value costs five times as much)."""


REFUSED = (msgspec.ValidationError, SystemError, UnicodeEncodeError)
"""What a conversion that does not take a value raises (msgspec 0.18 raises SystemError for an integer past a
float's range, where later versions say ``Number out of range``; a lone surrogate, which ``parse_json`` refuses but a
value given to ``schema_findings`` may hold, raises UnicodeEncodeError where msgspec matches the string: a
``Literal``, a tag or a struct's key): jsonschema decides."""


class Checker:
    """Tests that parsed JSON values fit a schema: True proves a value does; False leaves it to jsonschema.

    Raises:
        Unsupported: see :func:`compile_schema`.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self.type = compile_schema(schema)
        self.many = list[self.type]  # type: ignore[name-defined]

    def fits(self, value: Any) -> bool:
        """Whether ``value`` is shown to fit."""
        try:
            msgspec.convert(value, self.type)
        except REFUSED:
            return False
        return True

    def each(self, values: list[Any]) -> Iterator[bool]:
        """Whether each of ``values`` is shown to fit, in order, :data:`CHUNK` values at a time."""
        for start in range(0, len(values), CHUNK):
            part = values[start : start + CHUNK]
            try:
                msgspec.convert(part, self.many)
            except REFUSED:
                yield from map(self.fits, part)  # (one of them does not: which?)
            else:
                yield from itertools.repeat(True, len(part))


def _keys(schema: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
    extra = set(schema) - IGNORED - allowed
    if extra:
        raise Unsupported(f"keyword {sorted(extra)[0]!r} not translated here (in {schema!r})"[:200])


def _bounds(schema: dict[str, Any], integer: bool) -> dict[str, Any]:
    """``Meta`` arguments for ``minimum``/``maximum`` (numbers, never booleans), only those msgspec applies exactly.

    An ``integer``'s bound must fit in an int64 (msgspec refuses any other). A ``number``'s must be under 2**53 in
    size: msgspec compares a ``float`` with it, and an ``int`` value converted to one, which is exact up to 2**53 and
    rounds beyond (2**53 + 1 becomes 2**53, within a ``maximum`` of 2**53 that JSON Schema's exact comparison says
    it is past); under 2**53, every integer past the bound stays past it as a float.
    """
    meta: dict[str, Any] = {}
    for keyword, name in (("minimum", "ge"), ("maximum", "le")):
        if keyword in schema:
            bound = schema[keyword]
            if type(bound) is not int and (integer or type(bound) is not float):
                raise Unsupported(f"{keyword} {bound!r}")
            if not (-(2**63) <= bound < 2**63 if integer else abs(bound) < 2**53):  # (NaN: False)
                raise Unsupported(f"{keyword} {bound!r} not applied exactly by msgspec")
            meta[name] = bound
    return meta


def _constrained(base: Any, meta: dict[str, Any]) -> Any:
    return Annotated[base, msgspec.Meta(**meta)] if meta else base


def _union(members: tuple[Any, ...]) -> Any:
    """``Union[members]`` (flattened), unless it holds a fixed-length tuple and a constrained type.

    msgspec (0.18.0 to 0.23.0 at least) crashes the process building a decoder for such a union (a segmentation
    fault, e.g. for ``tuple[int] | Annotated[float, Meta(le=5)]``), where it should raise: refused here first.
    """
    union: Any = Union[tuple(members)]  # noqa: UP007 (a tuple of types)
    flat = get_args(union) if get_origin(union) is Union else (union,)
    if any(get_origin(m) is tuple for m in flat) and any(get_origin(m) is Annotated for m in flat):
        raise Unsupported(f"a tuple and a constrained type in one union: {union!r}"[:200])
    return union


class _Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.done: dict[tuple[str, str | None], Any] = {}
        self.busy: set[tuple[str, str | None]] = set()

    def ref(self, ref: Any, tag: tuple[str, str] | None = None) -> Any:
        """The type of ``#/$defs/NAME``; with ``tag`` (property, value), its struct tagged so, without the property."""
        prefix = "#/$defs/"
        if not isinstance(ref, str) or not ref.startswith(prefix) or ref[len(prefix) :] not in self.defs:
            raise Unsupported(f"$ref {ref!r}")
        name = ref[len(prefix) :]
        key = (name, None if tag is None else tag[1])
        if key not in self.done:
            if key in self.busy:
                raise Unsupported(f"recursive $ref {ref!r}")
            self.busy.add(key)
            target = self.defs[name]
            self.done[key] = self.compile(target, name) if tag is None else self.struct(target, name, tag)
            self.busy.discard(key)
        return self.done[key]

    def compile(self, schema: Any, name: str = "Record") -> Any:
        if not isinstance(schema, dict):
            raise Unsupported(f"not a schema: {schema!r}")
        keys = set(schema) - IGNORED
        if not keys:
            return Any
        if "$ref" in keys:
            _keys(schema, {"$ref"})
            return self.ref(schema["$ref"])
        if "anyOf" in keys:
            _keys(schema, {"anyOf"})
            branches = schema["anyOf"]
            if not isinstance(branches, list) or not branches:
                raise Unsupported("anyOf")
            members = tuple(self.compile(b, name) for b in branches)
            return members[0] if len(members) == 1 else _union(members)
        if "oneOf" in keys:
            return self.tagged(schema, name)
        kind = schema.get("type")
        if kind == "string":
            return self.string(schema)
        if kind == "integer":
            _keys(schema, {"type", "minimum", "maximum", "const"})
            if "const" in schema:
                if type(schema["const"]) is not int or len(keys) != 2:
                    raise Unsupported(f"integer const {schema!r}")
                return Literal[schema["const"]]
            return _constrained(int, _bounds(schema, integer=True))
        if kind == "number":
            _keys(schema, {"type", "minimum", "maximum"})
            return _constrained(float, _bounds(schema, integer=False))
        if kind == "boolean":
            _keys(schema, {"type"})
            return bool
        if kind == "null":
            _keys(schema, {"type"})
            return None
        if kind == "array":
            return self.array(schema, name)
        if kind == "object":
            return self.object(schema, name)
        raise Unsupported(f"schema {schema!r}"[:200])

    def string(self, schema: dict[str, Any]) -> Any:
        _keys(schema, {"type", "const", "enum"})
        if "const" in schema and "enum" in schema:
            raise Unsupported("const with enum")
        values = [schema["const"]] if "const" in schema else schema.get("enum")
        if values is None:
            return str
        if not isinstance(values, list) or not values or any(type(v) is not str for v in values):
            raise Unsupported(f"string const or enum {values!r}")
        return Literal[tuple(values)]

    def array(self, schema: dict[str, Any], name: str) -> Any:
        _keys(schema, {"type", "items", "prefixItems", "minItems", "maxItems"})
        low, high = schema.get("minItems"), schema.get("maxItems")
        for bound in (low, high):
            if bound is not None and (type(bound) is not int or bound < 0):
                raise Unsupported(f"array bound {bound!r}")
        if "prefixItems" in schema:
            prefix = schema["prefixItems"]
            if not isinstance(prefix, list) or not prefix or "items" in schema or not low == high == len(prefix):
                raise Unsupported("prefixItems other than a fixed-length tuple")
            return tuple[tuple(self.compile(p, name) for p in prefix)]  # type: ignore[misc]
        meta = {k: v for k, v in (("min_length", low), ("max_length", high)) if v is not None}
        return _constrained(list[self.compile(schema.get("items", {}), name)], meta)  # type: ignore[misc]

    def object(self, schema: dict[str, Any], name: str) -> Any:
        _keys(schema, {"type", "properties", "required", "additionalProperties"})
        extra = schema.get("additionalProperties", True)
        if "properties" not in schema:
            if "required" in schema:
                raise Unsupported("required without properties")
            if extra is False:
                raise Unsupported("an object of no properties")
            return dict[str, Any if extra is True else self.compile(extra, name)]  # type: ignore[misc]
        return self.struct(schema, name)

    def struct(self, schema: Any, name: str, tag: tuple[str, str] | None = None) -> Any:
        """A struct of ``schema``'s properties; with ``tag`` (property, value), tagged so, without that property."""
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise Unsupported(f"{name}: not an object schema")
        _keys(schema, {"type", "properties", "required", "additionalProperties"})
        properties, required = schema.get("properties"), schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list) or type(extra) is not bool:
            raise Unsupported(f"{name}: properties, required or additionalProperties")
        if len(set(required)) != len(required) or not set(required) <= set(properties):
            raise Unsupported(f"{name}: required names a field it has no property for (or twice)")
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        for i, (key, sub) in enumerate(properties.items()):
            if tag is not None and key == tag[0]:
                continue  # (the tag: checked by the union)
            field = f"f{i}"
            rename[field] = key
            compiled = self.compile(sub, name)
            if key in required:
                fields.append((field, compiled))
            else:
                fields.append((field, Union[compiled, msgspec.UnsetType], msgspec.UNSET))  # noqa: UP007
        options: dict[str, Any] = {} if tag is None else {"tag_field": tag[0], "tag": tag[1]}
        return msgspec.defstruct(
            f"{name}Fit", fields, rename=rename, forbid_unknown_fields=not extra, kw_only=True, **options
        )

    def tagged(self, schema: dict[str, Any], name: str) -> Any:
        """``oneOf`` of ``$ref``'s with a ``discriminator``: a union of tagged structs (see the module's docstring)."""
        _keys(schema, {"oneOf", "discriminator"})
        branches, discriminator = schema["oneOf"], schema.get("discriminator")
        if not isinstance(discriminator, dict) or set(discriminator) != {"propertyName", "mapping"}:
            raise Unsupported("oneOf without a discriminator of propertyName and mapping")
        key, mapping = discriminator["propertyName"], discriminator["mapping"]
        if not isinstance(branches, list) or len(branches) < 2 or not isinstance(key, str):
            raise Unsupported("oneOf of fewer than two branches")
        members: list[Any] = []
        tags: dict[str, str] = {}
        for branch in branches:
            if not isinstance(branch, dict) or set(branch) - IGNORED != {"$ref"}:
                raise Unsupported("oneOf branch other than a $ref")
            ref = branch["$ref"]
            target = self.defs.get(ref.removeprefix("#/$defs/")) if isinstance(ref, str) else None
            if not isinstance(target, dict) or key not in target.get("required", []):
                raise Unsupported(f"oneOf branch {ref!r} does not require {key!r}")
            tag_schema = target.get("properties", {}).get(key)
            if not isinstance(tag_schema, dict) or set(tag_schema) - IGNORED != {"type", "const"}:
                raise Unsupported(f"oneOf branch {ref!r}: {key!r} is not a string const")
            value = tag_schema["const"]
            if tag_schema["type"] != "string" or type(value) is not str or value in tags:
                raise Unsupported(f"oneOf branch {ref!r}: {key!r} is not a string const of its own")
            tags[value] = ref
            members.append(self.ref(ref, (key, value)))
        if mapping != tags:
            raise Unsupported("discriminator mapping other than the branches' consts")
        return Union[tuple(members)]  # noqa: UP007
