"""Checking a payload against catalog fields. Raises VosValidationError on the first problem."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from vos3000.catalog.model import (
    BOOLEAN_TYPES,
    DOUBLE_TYPES,
    INT32_TYPES,
    INTEGER_TYPES,
    STRING_TYPES,
    Field,
    Rule,
    item_type,
)
from vos3000.errors import VosValidationError

DATE_FORMATS = {
    "yyyyMMdd": (re.compile(r"\d{8}"), "%Y%m%d"),
    "yyyyMMddHHmmss": (re.compile(r"\d{14}"), "%Y%m%d%H%M%S"),
}
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def join_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def validate(
    fields: Iterable[Field], payload: Any, path: str, types: Mapping[str, tuple[Field, ...]]
) -> None:
    """Check ``payload`` (a JSON object) against ``fields``, recursing into Info types.

    A None value counts as absent: fine for an optional field, "missing" for a mandatory one.
    """
    if not isinstance(payload, dict):
        raise VosValidationError(path or "$", "type", f"expected an object, got {_kind(payload)}")
    by_name = {f.name: f for f in fields}
    for key in payload:
        if key not in by_name:
            raise VosValidationError(join_path(path, key), "unknown", f"unknown field {key!r}")
    for f in by_name.values():
        value = payload.get(f.name)
        field_path = join_path(path, f.name)
        if value is None:
            if f.mandatory:
                raise VosValidationError(field_path, "missing", "mandatory field is missing")
            continue
        check_value(f, value, field_path, types)


def check_value(f: Field, value: Any, path: str, types: Mapping) -> None:
    type_name = _matching_type(f, value, path, types)
    element = item_type(type_name)
    if element is None:
        _check_single(f, type_name, value, path, types)
        return
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if item is None:
            raise VosValidationError(item_path, "type", f"expected {element}, got null")
        if not _has_kind(element, item, types):
            raise VosValidationError(item_path, "type", f"expected {element}, got {_kind(item)}")
        _check_single(f, element, item, item_path, types)


def check_rules(rules: Iterable[Rule], payload: dict) -> None:
    """Cross-field rules. Date formats and ranges are field properties, checked by validate()
    (so they hold inside nested types too); only one_of needs the whole payload."""
    for rule in rules:
        if rule.kind == "one_of" and not any(_given(payload.get(n)) for n in rule.fields):
            raise VosValidationError(
                "|".join(rule.fields),
                "rule",
                f"at least one of {', '.join(rule.fields)} is needed ({rule.text})",
            )


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _matching_type(f: Field, value: Any, path: str, types: Mapping) -> str:
    """The field's type, or its also_accepts type when only that one fits the value."""
    for type_name in (f.type, f.also_accepts):
        if type_name and _has_kind(type_name, value, types):
            return type_name
    wanted = f.type + (f" or {f.also_accepts}" if f.also_accepts else "")
    raise VosValidationError(path, "type", f"expected {wanted}, got {_kind(value)}")


def _has_kind(type_name: str, value: Any, types: Mapping) -> bool:
    """Whether ``value`` has the JSON kind of ``type_name`` (not looking inside)."""
    if item_type(type_name) is not None:
        return isinstance(value, list)
    if type_name in types:
        return isinstance(value, dict)
    if type_name in STRING_TYPES:
        return isinstance(value, str)
    if type_name in INTEGER_TYPES:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name in DOUBLE_TYPES:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name in BOOLEAN_TYPES:
        return isinstance(value, bool)
    raise ValueError(f"catalog type {type_name!r} is not known")


def _check_single(f: Field, type_name: str, value: Any, path: str, types: Mapping) -> None:
    if type_name in types:
        validate(types[type_name], value, path, types)
        return
    if type_name in INTEGER_TYPES:
        low, high = INT32 if type_name in INT32_TYPES else INT64
        if not low <= value <= high:
            raise VosValidationError(path, "type", f"{value} does not fit a Java {type_name}")
    if type_name in STRING_TYPES:
        if f.length and len(value) > f.length:
            raise VosValidationError(
                path, "length", f"{len(value)} characters, at most {f.length} allowed"
            )
        if f.format:
            _check_date(f.format, value, path)
    if f.enum is not None:
        key = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if key not in f.enum:
            allowed = ", ".join(f.enum)
            raise VosValidationError(path, "enum", f"{value!r} is not one of: {allowed}")
    numeric = not isinstance(value, (str, bool))
    if numeric and f.minimum is not None and not f.minimum <= value <= f.maximum:
        raise VosValidationError(
            path, "rule", f"{value} is outside the range {f.minimum}..{f.maximum}"
        )


def _check_date(date_format: str, value: str, path: str) -> None:
    pattern, strptime_format = DATE_FORMATS[date_format]
    try:
        valid = bool(pattern.fullmatch(value)) and bool(datetime.strptime(value, strptime_format))
    except ValueError:
        valid = False
    if not valid:
        raise VosValidationError(path, "rule", f"{value!r} is not a date in {date_format} form")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
