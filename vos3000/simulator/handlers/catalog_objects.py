"""Objects shaped by the catalog: defaults filled in, projected onto Info types.

The handlers of gateways, suites, cards, converts, phone books, IVR audio and alarms
store each object as one JSON document and answer Get* by projecting it onto the
manual's Info type, so no field list is ever written by hand: names, types and
defaults all come from ``vos3000.catalog``.

Default of a field the caller left out, in this order:
1. the catalog's default, when it has the field's JSON type;
2. for an enum without a zero value (``callLevel``: 1/2/4/5), its last, widest value;
3. the type's zero: "" / 0 / 0.0 / false / [] / a nested object of defaults.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from vos3000 import catalog


def _kind(type_name: str) -> str:
    """Reduce a manual type spelling to one of: list, int, float, bool, str, object."""
    t = type_name.replace(" ", "")
    if t.endswith("[]") or t.startswith("Vector<"):
        return "list"
    lowered = t.lower()
    if lowered in ("integer", "int", "long"):
        return "int"
    if lowered == "double":
        return "float"
    if lowered == "boolean":
        return "bool"
    if t in catalog.TYPES:
        return "object"
    return "str"


def _item_type(type_name: str) -> str | None:
    t = type_name.replace(" ", "")
    if t.endswith("[]"):
        return t[:-2]
    if t.startswith("Vector<"):
        return t[len("Vector<") : -1]
    return None


def _fits(kind: str, value) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _coerced(kind: str, value):
    """The catalog's default as the field's JSON type, or None when it cannot be one."""
    if _fits(kind, value):
        return float(value) if kind == "float" else value
    if isinstance(value, str) and kind in ("int", "float"):
        try:
            return int(value) if kind == "int" else float(value)
        except ValueError:
            return None
    return None


_ZERO = {"int": 0, "float": 0.0, "bool": False, "str": ""}


def default_for(field):
    kind = _kind(field.type)
    if field.default is not None:
        value = _coerced(kind, field.default)
        if value is not None:
            return value
    if kind == "object":
        return complete(catalog.TYPES[field.type], {})
    if kind == "list":
        return []
    if kind == "int" and field.enum and "0" not in field.enum:
        return int(list(field.enum)[-1])
    return _ZERO[kind]


def _normalised(field, value):
    """Nested Info objects get their own defaults; Double fields answer as floats."""
    kind = _kind(field.type)
    if kind == "float" and _fits(kind, value):
        return float(value)
    if kind == "object" and isinstance(value, dict):
        return complete(catalog.TYPES[field.type], value)
    item = _item_type(field.type)
    if kind == "list" and item in catalog.TYPES and isinstance(value, list):
        return [complete(catalog.TYPES[item], v) if isinstance(v, dict) else v for v in value]
    return value


def complete(fields, given: dict) -> dict:
    """``given`` with every field of ``fields`` present: the given value or its default."""
    out = {}
    for f in fields:
        value = given.get(f.name)
        out[f.name] = default_for(f) if value is None else _normalised(f, value)
    return out


def merged(fields, stored: dict, changes: dict) -> dict:
    """A Modify: fields present (and not null) in ``changes`` replace the stored ones."""
    out = dict(stored)
    for f in fields:
        if changes.get(f.name) is not None:
            out[f.name] = _normalised(f, changes[f.name])
    return out


def project(type_name: str, obj: dict, *, omit_unset_optional: bool = False) -> dict:
    """``obj`` as the manual's Info type ``type_name``: exactly its fields, in its order.

    ``omit_unset_optional``: an optional ("O") field that ``obj`` lacks is left out
    rather than defaulted, for answers where a default would claim something (an
    alarm's ``upper`` of 0).
    """
    fields = catalog.TYPES[type_name]
    if omit_unset_optional:
        fields = [f for f in fields if f.mo == "M" or obj.get(f.name) is not None]
    return complete(fields, obj)


@cache
def union_fields(*sources: str) -> tuple:
    """Fields of several endpoints' requests and Info types, first spelling of each name wins.

    A source is an endpoint name ("CreateGatewayMapping") or a type name
    ("InfoGatewayMapping"); the stored object of a family is the union of its
    Create/Modify requests and its Info type, so nothing sent is ever lost. A default
    that only a later source states (CreateAlarm's ``value``) is kept.
    """
    seen: dict[str, object] = {}
    for source in sources:
        fields = (
            catalog.TYPES[source] if source in catalog.TYPES else catalog.endpoint(source).request
        )
        for f in fields:
            first = seen.setdefault(f.name, f)
            if first.default is None and f.default is not None:
                seen[f.name] = dataclasses.replace(first, default=f.default)
    return tuple(seen.values())
