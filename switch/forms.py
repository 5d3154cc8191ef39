"""Django forms generated from the VOS catalog: the catalog is the single source of truth
for a field's type, length, allowed values and whether it is mandatory.

A form names the endpoint it feeds and the catalog fields it shows; nested fields of an
``Info*`` type are written with ``__`` (``infoCustomerAdditional__address``). Labels
come from the form's ``labels`` (translated) or else the manual's description;
``to_payload()`` turns cleaned data back into the endpoint's JSON, and
``add_vos_error()`` puts a VosValidationError next to the field it is about. The choices
of an enum field are the catalog's values in the portal's words (``switch.labels``).

    class CustomerForm(CatalogForm):
        endpoint = "CreateCustomer"
        catalog_fields = ["account", "name", "limitMoney", "infoCustomerAdditional__email"]
        labels = {"account": _("Account")}
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from switch import labels as enum_labels
from vos3000 import catalog
from vos3000.catalog.model import (
    BOOLEAN_TYPES,
    DOUBLE_TYPES,
    INT32_TYPES,
    INTEGER_TYPES,
    STRING_TYPES,
    Field,
)
from vos3000.errors import VosValidationError

SEPARATOR = "__"


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


# Catalog fields that hold money: two decimals, like every amount the portal moves.
MONEY_FIELDS = {
    "money",
    "limitMoney",
    "monthlyMoneyMaximum",
    "monthlyMoneyMinimum",
    "monthlyRentFee",
    "rentFee",
    "giftMoney",
}


# A number as people type one: ASCII digits, at most one point, an optional minus.
PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class PlainDecimalField(forms.DecimalField):
    """A DecimalField that takes only plain numbers: never NaN, Infinity, an exponent
    (1e999, 1E2), a comma, another script's digits or a sign where the value cannot be
    negative ("-0"). Refused as a form error before any arithmetic sees the value."""

    default_error_messages = {
        "max_decimal_places": _("Use at most %(max)s decimals."),
        "negative": _("The value cannot be negative."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None  # blank: "required" decides
            if len(text) > 40 or not PLAIN_NUMBER.fullmatch(text):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            if text.startswith("-") and self.min_value is not None and self.min_value >= 0:
                raise forms.ValidationError(self.error_messages["negative"], code="negative")
            value = text
        return super().to_python(value)


def catalog_field(endpoint: str, path: str) -> Field:
    """The catalog Field of ``path`` ("account", "infoPhoneValueAdded__doNotDisturb") in
    the request of ``endpoint``; KeyError when the manual has no such field."""
    parts = path.split(SEPARATOR)
    fields = catalog.endpoint(endpoint).request
    found = None
    for depth, name in enumerate(parts):
        found = next((f for f in fields if f.name == name), None)
        if found is None:
            raise KeyError(f"{endpoint} has no field {path!r}")
        if depth < len(parts) - 1:
            fields = catalog.TYPES[found.item_type or found.type]
    return found


def catalog_owner(endpoint: str, path: str) -> str:
    """Whose field ``path``'s last part is in the catalog: the endpoint, or the ``Info*``
    type it is nested in (the owner ``switch.labels`` names enums by)."""
    *parents, _leaf = path.split(SEPARATOR)
    if not parents:
        return endpoint
    parent = catalog_field(endpoint, SEPARATOR.join(parents))
    return parent.item_type or parent.type


def form_field(
    spec: Field, *, label=None, required: bool | None = None, owner: str | None = None
) -> forms.Field:
    """A Django form field that accepts exactly what the catalog accepts for ``spec``
    (a field of ``owner``: an endpoint or an ``Info*`` type)."""
    required = spec.mandatory if required is None else required
    common = {"label": label or spec.description or spec.name, "required": required}
    item = spec.item_type
    if item is not None:
        if spec.enum:
            return forms.MultipleChoiceField(
                choices=enum_labels.field_choices(spec, owner), **common
            )
        # A list typed in as comma-separated values.
        return forms.CharField(
            help_text=_("Separate several values with commas."), **common, max_length=4000
        )
    if spec.type in BOOLEAN_TYPES:
        # A checkbox cannot be "mandatory": unticked is false.
        return forms.BooleanField(label=common["label"], required=False)
    if spec.type in INTEGER_TYPES:
        if spec.enum:
            choices = enum_labels.field_choices(spec, owner)
            if not required:
                choices = [("", "—"), *choices]
            return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
        low = spec.minimum if spec.minimum is not None else None
        high = spec.maximum if spec.maximum is not None else None
        if spec.type in INT32_TYPES:
            low = INT32_MIN if low is None else low
            high = INT32_MAX if high is None else high
        return forms.IntegerField(min_value=low, max_value=high, **common)
    if spec.type in DOUBLE_TYPES:
        money = spec.name in MONEY_FIELDS
        low = spec.minimum
        if money and low is None:
            low = 0  # a fee, a limit or a balance to set is never below zero
        return PlainDecimalField(
            max_digits=12 if money else 16,
            decimal_places=2 if money else 4,
            min_value=low,
            max_value=spec.maximum,
            **common,
        )
    if spec.type in STRING_TYPES:
        if spec.enum:
            choices = enum_labels.field_choices(spec, owner)
            if not required:
                choices = [("", "—"), *choices]
            return forms.ChoiceField(choices=choices, **common)
        return forms.CharField(max_length=spec.length or 65535, strip=True, **common)
    raise TypeError(f"{spec.name}: no form field for type {spec.type}")


def _to_wire(spec: Field, value):
    if value is None:
        return None
    if spec.item_type is not None:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return list(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


class CatalogForm(forms.Form):
    endpoint: str = ""
    catalog_fields: list[str] = []
    labels: dict = {}
    # Fields the catalog calls optional that this form needs anyway.
    required_fields: set[str] = set()
    # Omit empty optional values from the payload (create) instead of sending "" (edit).
    omit_blank = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for path in self.catalog_fields:
            spec = catalog_field(self.endpoint, path)
            self.fields[path] = form_field(
                spec,
                label=self.labels.get(path),
                required=True if path in self.required_fields else None,
                owner=catalog_owner(self.endpoint, path),
            )

    def to_payload(self) -> dict:
        """The cleaned data as the endpoint's JSON request (nested Info* objects built)."""
        payload: dict = {}
        for path in self.catalog_fields:
            if path not in self.cleaned_data:
                continue
            spec = catalog_field(self.endpoint, path)
            value = _to_wire(spec, self.cleaned_data[path])
            if value in (None, "", []) and self.omit_blank and spec.type not in BOOLEAN_TYPES:
                continue
            if value is None:
                continue
            target = payload
            *parents, leaf = path.split(SEPARATOR)
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        return payload

    @classmethod
    def initial_from(cls, info: dict) -> dict:
        """Form initial values from a VOS Info* object (the answer of a Get*)."""
        initial = {}
        for path in cls.catalog_fields:
            value = info
            for part in path.split(SEPARATOR):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, list) and not catalog_field(cls.endpoint, path).enum:
                value = ", ".join(str(v) for v in value)
            if value is not None:
                initial[path] = value
        return initial

    def add_vos_error(self, exc: VosValidationError) -> None:
        """Show a catalog refusal next to its field (or at the top when not on the form)."""
        path = exc.field.replace(".", SEPARATOR)
        self.add_error(path if path in self.fields else None, exc.message)
