"""The catalog's data classes, built from the spec.json document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Java spellings the manual uses, by JSON kind.
STRING_TYPES = frozenset({"String", "string"})
INTEGER_TYPES = frozenset({"Integer", "integer", "int", "Long", "long"})
DOUBLE_TYPES = frozenset({"Double", "double"})
BOOLEAN_TYPES = frozenset({"Boolean", "boolean"})
# Java's Integer is 32-bit; Long 64-bit.
INT32_TYPES = frozenset({"Integer", "integer", "int"})


def item_type(type_name: str) -> str | None:
    """The element type of a list type ("String[]", "Vector<String>"), else None."""
    if type_name.endswith("[]"):
        return type_name[:-2]
    if type_name.startswith("Vector<") and type_name.endswith(">"):
        return type_name[len("Vector<") : -1]
    return None


@dataclass(frozen=True)
class Field:
    """One row of a manual table.

    Beyond the contract's attributes:
        special       meanings of particular values that do NOT restrict the field (-1 "Use
                      System Parameter" on a duration; "Blank" = empty string, "Null" = absent)
        minimum/maximum  inclusive numeric range ("Range: 0-86400")
        format        date format of a String ("yyyyMMdd", "yyyyMMddHHmmss")
        also_accepts  a second type validation accepts where the manual's type is doubtful
        source        "manual", or "field": seen in public field clients, not in the 2.1.7.0
                      manual (``evidence`` says where; see ``_field_evidence.py``)
    ``enum`` of a list field applies to each item.
    """

    name: str
    mo: str
    type: str
    length: int | None = None
    # Plain dicts as the contract says (JSON-serialisable); treat them as read-only.
    enum: dict[str, str] | None = field(default=None, hash=False)
    default: Any = field(default=None, hash=False)
    description: str = ""
    note: str | None = None
    special: dict[str, str] | None = field(default=None, hash=False)
    minimum: int | float | None = None
    maximum: int | float | None = None
    format: str | None = None
    also_accepts: str | None = None
    source: str = "manual"
    evidence: str | None = None

    @property
    def from_field(self) -> bool:
        """Seen in the field (public clients), not in the 2.1.7.0 manual."""
        return self.source == "field"

    @property
    def mandatory(self) -> bool:
        return self.mo == "M"

    @property
    def is_list(self) -> bool:
        return item_type(self.type) is not None

    @property
    def item_type(self) -> str | None:
        return item_type(self.type)


@dataclass(frozen=True)
class Rule:
    """An endpoint rule: kind "one_of" (at least one of ``fields`` present), "date_format"
    (``format``) or "range" (``minimum``..``maximum``); ``text`` is the manual's wording."""

    kind: str
    fields: tuple[str, ...]
    text: str = ""
    format: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None


@dataclass(frozen=True)
class Endpoint:
    section: str
    name: str
    title: str
    request: tuple[Field, ...]
    response: tuple[Field, ...]
    rules: tuple[Rule, ...]
    kind: str
    list_field: str | None
    description: str | None = None
    note: str | None = None
    source: str = "manual"
    evidence: str | None = None

    @property
    def from_field(self) -> bool:
        """Seen in the field (public clients), not in the 2.1.7.0 manual."""
        return self.source == "field"

    @property
    def url_path(self) -> str:
        return f"/external/server/{self.name}"


@dataclass(frozen=True)
class Push:
    section: str
    name: str
    title: str
    request: tuple[Field, ...]
    response: tuple[Field, ...]
    description: str | None = None


def _copy(mapping: dict | None) -> dict | None:
    return None if mapping is None else dict(mapping)


def field_from_json(data: dict) -> Field:
    return Field(
        name=data["name"],
        mo=data["mo"],
        type=data["type"],
        length=data["length"],
        enum=_copy(data["enum"]),
        default=data["default"],
        description=data["description"],
        note=data["note"],
        special=_copy(data.get("special")),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
        format=data.get("format"),
        also_accepts=data.get("also_accepts"),
        source=data.get("source", "manual"),
        evidence=data.get("evidence"),
    )


def fields_from_json(rows: list[dict]) -> tuple[Field, ...]:
    return tuple(field_from_json(row) for row in rows)


def rule_from_json(data: dict) -> Rule:
    return Rule(
        kind=data["kind"],
        fields=tuple(data["fields"]),
        text=data.get("text", ""),
        format=data.get("format"),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
    )


def endpoint_from_json(data: dict) -> Endpoint:
    return Endpoint(
        section=data["section"],
        name=data["name"],
        title=data["title"],
        request=fields_from_json(data["request"]),
        response=fields_from_json(data["response"]),
        rules=tuple(rule_from_json(r) for r in data["rules"]),
        kind=data["kind"],
        list_field=data["list_field"],
        description=data.get("description"),
        note=data.get("note"),
        source=data.get("source", "manual"),
        evidence=data.get("evidence"),
    )


def push_from_json(data: dict) -> Push:
    return Push(
        section=data["section"],
        name=data["name"],
        title=data["title"],
        request=fields_from_json(data["request"]),
        response=fields_from_json(data["response"]),
        description=data.get("description"),
    )
