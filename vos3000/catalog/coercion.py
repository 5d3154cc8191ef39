"""Loose wire values made into the catalog's types: what real VOS servers and field
clients send is looser than the manual.

Field clients send numbers as JSON strings (``"limitMoney": "500"``), ``true``/``false``
for integer 0/1 flags, and read-modify-write objects with fields the request table does
not have. Real servers answer sparsely: empty optional fields left out or ``null``,
numbers as strings, sometimes ``retCode`` itself as ``"0"``. ``loosen`` turns such a
payload into the shape ``validate`` expects, without inventing anything:

* a number in a string becomes that number when the field is numeric (``"500"`` -> 500,
  ``"10.5"`` -> 10.5); a string that is not a finite number is left as it is, for
  validation to refuse;
* ``true``/``false`` become 1/0 in an integer field, and 0/1 or ``"true"``/``"false"``
  become booleans in a boolean field;
* a number in a string field becomes its text (an E164 sent as a JSON number);
* ``null`` means absent: the key is dropped (and so are ``null`` items of a list);
* fields the table does not have are dropped or kept (``unknown="drop"|"keep"``), and
  their dotted paths are returned so the caller can log them.

A missing field is never filled in: "unknown" must stay unknown, not become 0 or "".
The input is not changed; a new structure is returned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from vos3000.catalog.model import (
    BOOLEAN_TYPES,
    DOUBLE_TYPES,
    INTEGER_TYPES,
    STRING_TYPES,
    Field,
    item_type,
)

_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TRUE_TEXTS = {"true", "1"}
_FALSE_TEXTS = {"false", "0"}


def loosen(
    fields: Iterable[Field],
    payload: Any,
    types: Mapping[str, tuple[Field, ...]],
    *,
    unknown: str = "keep",
    path: str = "",
) -> tuple[Any, list[str]]:
    """``payload`` with loose values made into the fields' types; and the unknown paths.

    Anything that is not a JSON object is returned unchanged, for validation to refuse.
    """
    if unknown not in {"keep", "drop"}:
        raise ValueError("unknown must be 'keep' or 'drop'")
    found: list[str] = []
    return _object(fields, payload, types, unknown, path, found), found


# Per table of fields: name -> (field, converter of a scalar field or None). Built once
# per table (the catalog's tables live as long as the process), so a 20,000-CDR answer
# does not rebuild it 20,000 times; a scalar value is converted without building its path.
_PLANS: dict[int, tuple[object, dict]] = {}


def _plan(fields) -> dict:
    cached = _PLANS.get(id(fields))
    if cached is not None and cached[0] is fields:
        return cached[1]
    plan = {f.name: (f, _SCALAR.get(f.type), _ALREADY.get(f.type, ())) for f in fields}
    if isinstance(fields, tuple):
        _PLANS[id(fields)] = (fields, plan)
    return plan


def _object(fields, payload, types, unknown, path, found):
    if not isinstance(payload, dict):
        return payload
    plan = _plan(fields)
    result = {}
    for key, value in payload.items():
        entry = plan.get(key)
        if entry is None:
            found.append(f"{path}.{key}" if path else str(key))
            if unknown == "keep" and value is not None:
                result[key] = value
            continue
        if value is None:
            continue
        field, convert, already = entry
        if convert is not None and field.type not in types:
            # Most values of a well-formed answer are already of their type: kept as
            # they are without a call (a 100-customer answer has 1,500 of them).
            result[key] = value if type(value) in already else convert(value)
            continue
        here = f"{path}.{key}" if path else str(key)
        result[key] = _value(field, value, types, unknown, here, found)
    return result


def _value(field: Field, value, types, unknown, path, found):
    element = item_type(field.type)
    if element is None and isinstance(value, list) and field.also_accepts:
        # A list where the manual wrote one object (GetAlarmCurrent's infoAlarmCurrents):
        # the catalog's second type says what the items are.
        element = item_type(field.also_accepts)
    if element is None:
        return _single(field.type, value, types, unknown, path, found)
    if not isinstance(value, list):
        return value
    return [
        _single(element, item, types, unknown, f"{path}[{index}]", found)
        for index, item in enumerate(value)
        if item is not None
    ]


def _single(type_name: str, value, types, unknown, path, found):
    if type_name in types:
        return _object(types[type_name], value, types, unknown, path, found)
    if type_name in INTEGER_TYPES:
        return as_integer(value)
    if type_name in DOUBLE_TYPES:
        return as_double(value)
    if type_name in BOOLEAN_TYPES:
        return as_boolean(value)
    if type_name in STRING_TYPES:
        return as_string(value)
    return value


def as_integer(value):
    """An int for ``7``, ``"7"``, ``7.0``, ``true``; anything else unchanged."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    return value


def as_double(value):
    """A number for ``"10.5"``, ``"10"`` (an int stays an int); anything else unchanged."""
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        text = value.strip()
        if _INTEGER_TEXT.fullmatch(text):
            return int(text)
        number = float(text)
        return number if math.isfinite(number) else value
    return value


def as_boolean(value):
    """A bool for ``true``, ``1``, ``"true"``, ``"0"``...; anything else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXTS:
            return True
        if text in _FALSE_TEXTS:
            return False
    return value


def as_string(value):
    """The text of a number sent where a string belongs; anything else unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


# Per scalar type: the Python types its converter gives back unchanged (exactly these:
# a bool is not an int here).
_ALREADY = {
    **dict.fromkeys(INTEGER_TYPES, (int,)),
    **dict.fromkeys(DOUBLE_TYPES, (int, float)),
    **dict.fromkeys(BOOLEAN_TYPES, (bool,)),
    **dict.fromkeys(STRING_TYPES, (str,)),
}
_SCALAR = {
    **dict.fromkeys(INTEGER_TYPES, as_integer),
    **dict.fromkeys(DOUBLE_TYPES, as_double),
    **dict.fromkeys(BOOLEAN_TYPES, as_boolean),
    **dict.fromkeys(STRING_TYPES, as_string),
}
