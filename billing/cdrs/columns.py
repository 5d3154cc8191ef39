"""Which CDR fields each role sees, in one table shared by the search page, the live
rows fetched from the switch and the exports.

Gateway and vendor names, the numbers sent to a gateway and call IPs are the
platform's business only (``scope.sees_gateways``); the agent's fees (what a reseller
pays) are not shown to customers. Rows are cut down to the visible fields on the
server, before anything reaches a template or a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from billing.cdrs.store import FIELD_OF_WIRE
from switch import labels

# The routing side of a call: which gateway, which number was sent to it, which IPs,
# and the product ids (VOS fills them with the gateway's, i.e. the vendor's, name).
PLATFORM_ONLY = frozenset(
    {
        "caller_product_id",
        "callee_product_id",
        "caller_gateway",
        "callee_gateway",
        "caller_ip",
        "callee_ip",
        "caller_to_gateway_e164",
        "callee_to_gateway_e164",
    }
)


# What the agent (reseller) pays for the call: its cost, not the customer's business.
PROVIDER_ONLY = frozenset(
    {"agent_fee", "agent_fee_time", "agent_fee_prefix", "agent_suite_fee", "agent_suite_fee_time"}
)


TIME_FIELDS = frozenset({"start", "stop"})


MONEY_FIELDS = frozenset({"fee", "suite_fee", "agent_fee", "agent_suite_fee"})


WHOLE_FIELDS = frozenset(
    {
        "hold_time",
        "fee_time",
        "suite_fee_time",
        "agent_fee_time",
        "agent_suite_fee_time",
        "call_level",
        "end_direction",
        "end_reason",
        "callee_billing",
        "billing_mode",
    }
)


# The search page's and the live rows' columns, in order (exports carry every field).
PAGE_FIELDS = (
    "start",
    "account",
    "caller_e164",
    "callee_e164",
    "hold_time",
    "fee",
    "agent_fee",
    "fee_prefix",
    "call_level",
    "end_reason",
    "caller_gateway",
    "callee_gateway",
    "caller_ip",
    "callee_ip",
)


LABELS = {
    "start": _("Start"),
    "stop": _("End"),
    "account": _("Account"),
    "caller_e164": _("Caller"),
    "callee_e164": _("Callee"),
    "hold_time": _("Duration"),
    "fee": _("Fee"),
    "agent_fee": _("Agent fee"),
    "fee_prefix": _("Rate prefix"),
    "call_level": _("Level"),
    "end_reason": _("End reason"),
    "caller_gateway": _("Caller gateway"),
    "callee_gateway": _("Callee gateway"),
    "caller_ip": _("Caller IP"),
    "callee_ip": _("Callee IP"),
}


# An export's column names in words (the "raw" option keeps the field names for scripts).
EXPORT_LABELS = {
    **LABELS,
    "caller_access_e164": _("Caller access number"),
    "caller_product_id": _("Caller device"),
    "caller_to_gateway_e164": _("Caller sent to the gateway"),
    "callee_access_e164": _("Callee access number"),
    "callee_product_id": _("Callee device"),
    "callee_to_gateway_e164": _("Callee sent to the gateway"),
    "hold_time": _("Talk time (s)"),
    "fee_time": _("Billed time (s)"),
    "suite_fee": _("Suite fee"),
    "suite_fee_time": _("Suite free time (s)"),
    "agent_fee_time": _("Agent billed time (s)"),
    "agent_fee_prefix": _("Agent rate prefix"),
    "agent_suite_fee": _("Agent suite fee"),
    "agent_suite_fee_time": _("Agent suite free time (s)"),
    "call_level": _("Call level"),
    "account_name": _("Account name"),
    "agent_account": _("Agent account"),
    "agent_name": _("Agent name"),
    "end_direction": _("Hung up by"),
    "callee_billing": _("Who pays"),
    "billing_mode": _("Billing mode"),
}


def _catalog_words(field: str):
    return lambda value: labels.label("InfoCdr", field, value)


# Coded fields with an enum in the catalog: the InfoCdr field each one is.
_CATALOG_ENUMS = {
    "call_level": "callLevel",
    "end_direction": "endDirection",
    "callee_billing": "calleeBilling",
    "billing_mode": "billingMode",
}


# Fields whose values are codes: their words (the catalog's enums; the end reason's own table).
WORDED = {
    **{field: _catalog_words(wire) for field, wire in _CATALOG_ENUMS.items()},
    "end_reason": labels.end_reason,
}


def _catalog_codes(field: str) -> tuple[int, ...]:
    spec = labels.enum_field("InfoCdr", field)
    special = labels.FIELD_WORDS.get(("InfoCdr", field), {})
    return tuple(sorted({int(key) for key in (*(spec.enum or {}), *special)}))


def codes_of(field: str) -> tuple[int, ...]:
    """The codes of a ``WORDED`` field that have words of their own; any other code is
    written by its ``WORDED`` function around its digits ("Other reason (code 99)").
    The CSV export on PostgreSQL turns this table into a ``CASE`` in its SELECT."""
    if field == "end_reason":
        return tuple(sorted(labels.END_REASONS))
    return _catalog_codes(_CATALOG_ENUMS[field])


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    kind: str  # "time", "money", "whole", "duration" (pages only: h:mm:ss) or "text"


# How pages show a field when it is not as exports write it: a call's length as h:mm:ss
# (exports keep plain seconds for machines).
# Codes are shown in words (text).
PAGE_KINDS = {"hold_time": "duration", "call_level": "text", "end_reason": "text"}


def kind_of(field: str) -> str:
    if field in TIME_FIELDS:
        return "time"
    if field in MONEY_FIELDS:
        return "money"
    if field in WHOLE_FIELDS:
        return "whole"
    return "text"


def visible(scope, field: str) -> bool:
    if field in PLATFORM_ONLY and not scope.sees_gateways:
        return False
    return scope.is_provider or field not in PROVIDER_ONLY


def page_columns(scope) -> list[Column]:
    fields = [f for f in PAGE_FIELDS if visible(scope, f)]
    if not scope.is_provider:
        # A customer's search is its own account: the column would say the same thing.
        fields.remove("account")
    return [Column(f, LABELS[f], PAGE_KINDS.get(f) or kind_of(f)) for f in fields]


def export_fields(scope) -> list[str]:
    """Every InfoCdr field the scope may see: the times first, then the manual's order."""
    fields = ["start", "stop", *(f for f in FIELD_OF_WIRE.values() if f not in TIME_FIELDS)]
    return [f for f in fields if visible(scope, f)]


def cut_down(row: dict, columns: list[Column]) -> dict:
    """Only the visible fields of a row (a dict of model field values)."""
    return {column.field: row.get(column.field) for column in columns}


def cells(row, columns: list[Column]) -> list[tuple[str, object]]:
    """(kind, value) per visible column of a ``Cdr`` or of a dict of its fields."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    found = []
    for column in columns:
        value = get(column.field)
        if column.field in WORDED:
            # Words for everyone, the code on hover for experts (and support tickets).
            words = WORDED[column.field](value)
            found.append(("coded", (words, value)) if words else (column.kind, words))
            continue
        found.append((column.kind, value))
    return found
