"""Writes of the platform's billing console. Each takes the request's scope, insists on
the platform and the right to change (auditors read only), and makes its VOS call
through ``switch.vos.call``, which audits it (secrets redacted: a phone card's PIN
and any password never reach the audit). What the portal itself changes (grants of a
deleted fee rate group) is audited here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.roles import Action
from billing.rates import selectors
from billing.tariffs import selectors as reads
from billing.tariffs.forms import pin_ending
from switch import vos
from switch.servers import tenant_of_account
from vos3000.errors import VosError


class Refused(Exception):
    """A change the portal will not ask VOS for, with words for the person who asked."""


def _require_change(scope) -> None:
    scope.require_platform(Action.CHANGE)


# --- Fee rate groups ---------------------------------------------------------------------
def create_fee_rate_group(scope, server, payload: dict) -> None:
    _require_change(scope)
    vos.call(scope, server, "CreateFeeRateGroup", payload)


def modify_fee_rate_group(scope, server, name: str, payload: dict) -> None:
    _require_change(scope)
    vos.call(scope, server, "ModifyFeeRateGroup", {"name": name, **payload})


@dataclass
class GroupDeletion:
    grants_removed: list[str]


def delete_fee_rate_group(scope, server, name: str) -> GroupDeletion:
    """Delete a group no customer uses. Refused (nothing sent) while any account of the
    server is on it. Its grants to resellers on this server go with it, after VOS has
    deleted it, each audited with the tenant's groups before and after: a grant of a
    group that no longer exists would only offer resellers an empty rate table."""
    _require_change(scope)
    using = reads.customers_of_group(scope, server, name)
    if using:
        shown = ", ".join(using[:10]) + ("…" if len(using) > 10 else "")
        raise Refused(
            _(
                "%(count)d customers still use this group (%(accounts)s). Move them to "
                "another group first."
            )
            % {"count": len(using), "accounts": shown}
        )
    vos.call(scope, server, "DeleteFeeRateGroup", {"name": name})
    # The rates page keeps a table for a minute; a deleted group's must not outlive it.
    cache.delete(selectors._rates_key(server, name))
    removed = []
    with transaction.atomic():
        for grant in reads.grants_of(server, name).select_for_update():
            before = sorted(grant.tenant.fee_rate_grants.values_list("group", flat=True))
            grant.delete()
            removed.append(grant.tenant.name)
            audit.record(
                "billing.fee_rate_grants",
                scope=scope,
                target=grant.tenant,
                vos_server=server,
                before={"groups": before},
                after={"groups": [g for g in before if g != name]},
                payload={"removed": [name], "because": "fee rate group deleted"},
            )
    return GroupDeletion(grants_removed=removed)


# --- Suites ------------------------------------------------------------------------------
def create_suite(scope, server, payload: dict) -> int | None:
    _require_change(scope)
    answer = vos.call(scope, server, "CreateSuite", payload)
    return answer.get("id")


def delete_suite(scope, server, suite_id: int, *, force: bool = False) -> None:
    _require_change(scope)
    payload = {"id": suite_id}
    if force:
        payload["force"] = 1
    vos.call(scope, server, "DeleteSuite", payload)


# --- Phone cards -------------------------------------------------------------------------
def record_card_lookup(scope, server, pin: str, found: bool) -> None:
    """Who looked at which card: its last four digits only."""
    audit.record(
        "billing.phone_card.lookup",
        scope=scope,
        vos_server=server,
        vos_endpoint="GetPhoneCard",
        target_type="phone_card",
        target_id=pin_ending(pin),
        result="ok" if found else "error",
        error="" if found else "not found",
    )


def activate_phone_card(scope, server, payload: dict) -> None:
    """PhoneCardActive (manual 2.58): the card opens its own account with its value
    (and, as its functions say, a phone or an active card; ``bindedE164`` is bound to
    it). VOS's own audit row has the PIN redacted; this one names the card by its last
    four digits so that people can tell which card it was."""
    _require_change(scope)
    ending = pin_ending(payload["pin"])
    try:
        vos.call(scope, server, "PhoneCardActive", payload)
    except Exception as exc:
        audit.record(
            "billing.phone_card.activate",
            scope=scope,
            vos_server=server,
            vos_endpoint="PhoneCardActive",
            target_type="phone_card",
            target_id=ending,
            payload={"bindedE164": payload.get("bindedE164", "")},
            result="error",
            error=type(exc).__name__,
        )
        raise
    audit.record(
        "billing.phone_card.activate",
        scope=scope,
        vos_server=server,
        vos_endpoint="PhoneCardActive",
        target_type="phone_card",
        target_id=ending,
        payload={"bindedE164": payload.get("bindedE164", "")},
    )


# --- CDR injection and callee reservations ------------------------------------------------
def inject_cdr(scope, server, payload: dict) -> None:
    """CreateCdr: a correction billed like a call. Audited by vos.call, on the tenant of
    the account when the portal knows it (so the customer's own trail shows it): the
    account given, or for billing by the caller's phone (mode 0) the phone's account."""
    _require_change(scope)
    account = payload.get("account", "")
    if not account and payload.get("billingMode") == 0:
        try:
            account = reads.account_of_phone(scope, server, payload.get("callerE164", ""))
        except VosError:
            account = ""  # only the audit's tenant depends on it; VOS decides the rest
    tenant = tenant_of_account(server, account)
    vos.call(scope, server, "CreateCdr", payload, tenant=tenant)


def reserve_callee(scope, server, payload: dict) -> None:
    """ReserveCalleeE164 (manual 2.65): the access password is redacted in the audit."""
    _require_change(scope)
    vos.call(scope, server, "ReserveCalleeE164", payload)
