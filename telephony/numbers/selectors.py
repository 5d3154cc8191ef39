"""Reads of a customer's phone cards, bound numbers and converts, and of limited-number
groups, always through the request's scope: VOS is asked only about the tenant's own
account."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from accounts.scope import OutOfScope
from switch import vos
from telephony.models import LimitedE164Group
from telephony.phones.selectors import limited_groups, own_rows
from vos3000.client.dates import moment_from_ms


# --- Active phone cards ------------------------------------------------------------------
def card_ref(tenant, pin: str) -> str:
    """What names a card in URLs: a keyed hash, so that PINs (secrets, as the audit trail
    and the simulator's log treat them) never appear in an address or a server log."""
    message = f"{tenant.server_id}:{tenant.vos_account}:{pin}".encode()
    key = f"active-card-ref:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def active_cards(scope, tenant) -> list[dict]:
    """The customer's active phone cards (InfoActivePhoneCard), each with its ``ref``."""
    answer = vos.call(
        scope,
        tenant.server,
        "GetActivePhoneCard",
        {"accounts": [tenant.vos_account]},
        tenant=tenant,
    )
    rows = own_rows(scope, tenant, answer.get("infoActivePhoneCards") or [])
    for row in rows:
        row["ref"] = card_ref(tenant, str(row.get("pin", "")))
        row["active_at"] = moment_from_ms(row.get("activeTime"))
    return sorted(rows, key=lambda row: str(row.get("pin", "")))


def card_or_404(scope, tenant, ref: str) -> dict:
    for row in active_cards(scope, tenant):
        if hmac.compare_digest(row["ref"], str(ref)):
            return row
    raise OutOfScope(f"active card not in tenant {tenant.pk}")


# --- Numbers bound to cards --------------------------------------------------------------
def bindings(scope, tenant) -> list[dict]:
    """Numbers bound to the customer's cards (InfoBindedE164), each with its card's ref."""
    answer = vos.call(
        scope, tenant.server, "GetBindedE164", {"account": tenant.vos_account}, tenant=tenant
    )
    rows = own_rows(scope, tenant, answer.get("infoBindedE164s") or [])
    for row in rows:
        row["card_ref"] = card_ref(tenant, str(row.get("pin", "")))
        row["bound_at"] = moment_from_ms(row.get("bindTime"))
    return sorted(rows, key=lambda row: str(row.get("e164", "")))


def binding_or_404(scope, tenant, e164: str) -> dict:
    for row in bindings(scope, tenant):
        if row.get("e164") == e164:
            return row
    raise OutOfScope(f"bound number not in tenant {tenant.pk}")


# --- E164 converts -----------------------------------------------------------------------
def converts(scope, tenant) -> list[dict]:
    """The customer's E164 converts (InfoE164Convert plus the ``id`` Modify/Delete need).

    A convert belongs to a phone (its ``e164``); VOS records the phone's account on it,
    so asking by the own account gives exactly the converts of the customer's phones.
    """
    answer = vos.call(
        scope, tenant.server, "GetE164Convert", {"account": tenant.vos_account}, tenant=tenant
    )
    rows = own_rows(scope, tenant, answer.get("infoE164Converts") or [])
    return [row for row in rows if row.get("id") is not None]


def convert_or_404(scope, tenant, convert_id) -> dict:
    for row in converts(scope, tenant):
        if str(row.get("id")) == str(convert_id):
            return row
    raise OutOfScope(f"E164 convert not in tenant {tenant.pk}")


# --- Limited-E164 groups -----------------------------------------------------------------
def limited_group_or_404(scope, pk) -> LimitedE164Group:
    try:
        return limited_groups(scope).get(pk=int(pk))
    except (LimitedE164Group.DoesNotExist, TypeError, ValueError):
        raise OutOfScope(f"limited group {pk!r}") from None
