"""The VOS3000 API catalog: every endpoint, nested type and push message as data.

INTERFACE CONTRACT (the client, the simulator and the portal build on exactly this):

    Field(name, mo, type, length, enum, default, description, note)
        name    wire spelling (reconstructed where the PDF text broke it)
        mo      "M" or "O"
        type    as the manual writes it, inner spaces removed: "String", "Integer",
                "Long", "Double", "Boolean", "String[]", "InfoCustomer", "InfoCdr[]" ...
        length  int | None
        enum    dict[str, str] | None   allowed value -> meaning ("0" -> "General Account")
        default JSON-ish value | None
        (added: special, minimum, maximum, format, also_accepts; see model.Field)
    Endpoint(section, name, title, request, response, rules, kind, list_field)
        kind        "read" for Get* endpoints, "write" for everything else
        list_field  name of the response list field ("infoCustomers") or None
        rules       tuple of Rule (e.g. at least one of accounts/e164s; date formats)
        (added: description, note, url_path)
    Push(section, name, title, request, response)
    Rule(kind, fields, text, format, minimum, maximum)   kind: one_of | date_format | range

    ENDPOINTS: dict[str, Endpoint]      # 82, keyed by wire name ("CreateCustomer")
    TYPES:     dict[str, tuple[Field]]  # nested types ("InfoCustomer")
    PUSHES:    dict[str, Push]          # 6

    endpoint(name) -> Endpoint                       # KeyError on unknown
    validate_request(name, payload: dict) -> None    # raises VosValidationError
    validate_push(name, payload: dict) -> None       # raises VosValidationError
    loosen_request(name, payload) -> (payload, unknown_paths)   # field clients' loose values
    loosen_answer(name, answer) -> answer            # a real server's sparse, loose answer
    loosen_push(name, payload) -> (payload, unknown_paths)
    validate(fields, payload, path="") -> None       # raises VosValidationError
    python_name(wire_name) -> str                    # CreateCustomer -> create_customer
    to_json() -> dict                                # the --json document

The data comes from spec.json, extracted from the manual by ``_extract.py``; the manual is not
needed at runtime. Validation problems: missing, unknown, type, length, enum, rule; the field
is a dotted path ("infoPhoneValueAdded.busyForwardE164.forwardMethod", "sipCodecs[2]").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vos3000.catalog import coercion as _coercion
from vos3000.catalog import validation as _validation
from vos3000.catalog.model import (
    Endpoint,
    Field,
    Push,
    Rule,
    endpoint_from_json,
    fields_from_json,
    push_from_json,
)
from vos3000.catalog.naming import python_name

__all__ = [
    "ENDPOINTS",
    "PUSHES",
    "TYPES",
    "TYPE_NOTES",
    "Endpoint",
    "Field",
    "Push",
    "Rule",
    "endpoint",
    "loosen_answer",
    "loosen_push",
    "loosen_request",
    "python_name",
    "to_json",
    "to_markdown",
    "validate",
    "validate_push",
    "validate_request",
]

SPEC_PATH = Path(__file__).with_name("spec.json")
_SPEC_TEXT = SPEC_PATH.read_text(encoding="utf-8")
_DOCUMENT = json.loads(_SPEC_TEXT)

ENDPOINTS: dict[str, Endpoint] = {e["name"]: endpoint_from_json(e) for e in _DOCUMENT["endpoints"]}
TYPES: dict[str, tuple[Field, ...]] = {
    name: fields_from_json(rows) for name, rows in _DOCUMENT["types"].items()
}
TYPE_NOTES: dict[str, str] = dict(_DOCUMENT.get("type_notes", {}))
PUSHES: dict[str, Push] = {p["name"]: push_from_json(p) for p in _DOCUMENT["push"]}


def endpoint(name: str) -> Endpoint:
    """The endpoint with this wire name; KeyError if there is none."""
    return ENDPOINTS[name]


def validate(fields: Iterable[Field], payload: Any, path: str = "") -> None:
    """Check a JSON object against ``fields`` (a request table or a type's fields)."""
    _validation.validate(fields, payload, path, TYPES)


def validate_request(name: str, payload: dict) -> None:
    """Check a request body for endpoint ``name``: fields, then the endpoint's rules."""
    e = endpoint(name)
    validate(e.request, payload)
    _validation.check_rules(e.rules, payload)


def validate_push(name: str, payload: dict) -> None:
    """Check the body of a section-3 message VOS sends (PushDtmfInfo, CallStateReport ...)."""
    validate(PUSHES[name].request, payload)


def loosen_request(name: str, payload: Any) -> tuple[Any, list[str]]:
    """A request as a field client sends it, in the manual's types; unknown fields dropped
    (their paths returned). See ``coercion`` for what is loosened."""
    return _coercion.loosen(endpoint(name).request, payload, TYPES, unknown="drop")


def loosen_answer(name: str, answer: Any) -> Any:
    """An answer as a real server sends it (numbers in strings, nulls, a string retCode)
    in the manual's types; fields the manual does not list are kept; nothing is filled in."""
    return _coercion.loosen(endpoint(name).response, answer, TYPES, unknown="keep")[0]


def loosen_push(name: str, payload: Any) -> tuple[Any, list[str]]:
    """A pushed message in the manual's types; unknown fields dropped (paths returned)."""
    return _coercion.loosen(PUSHES[name].request, payload, TYPES, unknown="drop")


def to_json() -> dict:
    """The catalog document: {"endpoints": [...], "types": {...}, "push": [...], ...}."""
    return json.loads(_SPEC_TEXT)


def to_markdown() -> str:
    from vos3000.catalog.markdown import render

    return render(ENDPOINTS.values(), TYPES, TYPE_NOTES, PUSHES.values())
