"""Changes to phone cards, bound numbers, converts and limited-number groups: every one a
VOS write through ``switch.vos.call`` (audited there) on behalf of the request's scope."""

from __future__ import annotations

from django.db import transaction

from accounts import audit
from switch import vos
from telephony.models import LimitedE164Group, LimitedE164Number
from telephony.phones.services import customer_call


# --- Active phone cards ------------------------------------------------------------------
def create_card(scope, tenant, fields: dict) -> str | None:
    """CreateActivePhoneCard on the own account; returns the password VOS generated when
    none was given (to show once), else None."""
    answer = customer_call(
        scope, tenant, "CreateActivePhoneCard", {**fields, "account": tenant.vos_account}
    )
    generated = answer.get("password")
    return None if fields.get("password") or generated in (None, "") else str(generated)


def modify_card(scope, tenant, card: dict, changes: dict) -> None:
    # The own account is named too, so the guard checks it and the card stays ours.
    payload = {**changes, "pin": card["pin"], "account": tenant.vos_account}
    customer_call(scope, tenant, "ModifyActivePhoneCard", payload, frozenset({str(card["pin"])}))


def delete_card(scope, tenant, card: dict) -> None:
    pin = str(card["pin"])
    customer_call(scope, tenant, "DeleteActivePhoneCard", {"pin": pin}, frozenset({pin}))


# --- Numbers bound to cards --------------------------------------------------------------
def create_binding(scope, tenant, card: dict, fields: dict) -> None:
    """Bind a new number to one of the customer's cards. The number is nobody's yet
    (VOS refuses one bound already), so it is passed as verified with the card's PIN."""
    pin = str(card["pin"])
    payload = {**fields, "pin": pin}
    customer_call(scope, tenant, "CreateBindedE164", payload, frozenset({pin, str(fields["e164"])}))


def modify_binding(scope, tenant, binding: dict, card: dict, changes: dict) -> None:
    """Change a bound number; ``card`` (one of the customer's) is the card it is bound to
    afterwards."""
    pin = str(card["pin"])
    payload = {**changes, "e164": binding["e164"], "pin": pin}
    customer_call(
        scope, tenant, "ModifyBindedE164", payload, frozenset({str(binding["e164"]), pin})
    )


def delete_binding(scope, tenant, binding: dict) -> None:
    e164 = str(binding["e164"])
    customer_call(scope, tenant, "DeleteBindedE164", {"e164": e164}, frozenset({e164}))


# --- E164 converts -----------------------------------------------------------------------
def create_convert(scope, tenant, phone: dict, fields: dict) -> int | None:
    """A convert for one of the customer's phones (``phone`` as read by the selector)."""
    e164 = str(phone["e164"])
    answer = customer_call(
        scope, tenant, "CreateE164Convert", {**fields, "e164": e164}, frozenset({e164})
    )
    return answer.get("id")


def modify_convert(scope, tenant, convert: dict, changes: dict) -> None:
    convert_id = convert["id"]
    payload = {**changes, "id": convert_id}
    customer_call(scope, tenant, "ModifyE164Convert", payload, frozenset({str(convert_id)}))


def delete_convert(scope, tenant, convert: dict) -> None:
    convert_id = convert["id"]
    customer_call(
        scope, tenant, "DeleteE164Convert", {"id": convert_id}, frozenset({str(convert_id)})
    )


# --- Limited-E164 groups -----------------------------------------------------------------
def limited_group_name(owner, name: str) -> str:
    """The name of a group in VOS: a reseller's groups carry its account as a prefix (so
    no two resellers share a name); the platform's are named as given."""
    if owner.kind == owner.Kind.PLATFORM:
        return name
    return f"{owner.vos_account}{LimitedE164Group.SEPARATOR}{name}"


def _group_call(scope, group_name: str, server, owner, endpoint: str, payload: dict) -> None:
    tenant = None if owner.kind == owner.Kind.PLATFORM else owner
    vos.call(
        scope,
        server,
        endpoint,
        payload,
        target=tenant,
        tenant=tenant,
        verified=frozenset({group_name}),
    )


class GroupExists(Exception):
    """A group of that name is recorded already (VOS groups are global)."""


def create_limited_group(
    scope, *, server, owner, name: str, memo: str, numbers
) -> LimitedE164Group:
    """Create a group in VOS with its first numbers ((e164, memo) pairs), then record who
    owns it. Nothing is recorded when VOS refuses."""
    full_name = limited_group_name(owner, name)
    if LimitedE164Group.objects.filter(server=server, name=full_name).exists():
        raise GroupExists(full_name)
    payload = {
        "limitE164GroupName": full_name,
        "infoLimitE164s": [{"e164": e164, "memo": note} for e164, note in numbers],
    }
    _group_call(scope, full_name, server, owner, "CreateLimitedE164", payload)
    with transaction.atomic():
        group = LimitedE164Group.objects.create(
            server=server, owner=owner, name=full_name, memo=memo
        )
        LimitedE164Number.objects.bulk_create(
            [LimitedE164Number(group=group, e164=e164, memo=note) for e164, note in numbers]
        )
        audit.record(
            "telephony.limited_group.create",
            scope=scope,
            target=group,
            tenant=None if owner.kind == owner.Kind.PLATFORM else owner,
            after={"name": full_name, "owner": owner.pk, "numbers": [e for e, _ in numbers]},
        )
    return group


def add_limited_numbers(scope, group: LimitedE164Group, numbers) -> None:
    payload = {
        "limitE164GroupName": group.name,
        "infoLimitE164s": [{"e164": e164, "memo": note} for e164, note in numbers],
    }
    _group_call(scope, group.name, group.server, group.owner, "CreateLimitedE164", payload)
    with transaction.atomic():
        for e164, note in numbers:
            LimitedE164Number.objects.update_or_create(
                group=group, e164=e164, defaults={"memo": note}
            )


def remove_limited_numbers(scope, group: LimitedE164Group, e164s: list[str]) -> bool:
    """Take numbers out of a group; True when the group is gone (VOS drops a group with
    its last number, and so does the portal's record)."""
    payload = {"limitE164GroupName": group.name, "e164s": list(e164s)}
    _group_call(scope, group.name, group.server, group.owner, "DeleteLimitE164", payload)
    with transaction.atomic():
        group.numbers.filter(e164__in=e164s).delete()
        if group.numbers.exists():
            return False
        audit.record(
            "telephony.limited_group.delete",
            scope=scope,
            target=group,
            tenant=None if group.owner.kind == group.owner.Kind.PLATFORM else group.owner,
            before={"name": group.name, "owner": group.owner_id},
        )
        group.delete()
    return True


def delete_limited_group(scope, group: LimitedE164Group) -> None:
    """Remove every number the portal put in the group (which ends the group in VOS)."""
    numbers = list(group.numbers.values_list("e164", flat=True))
    if numbers:
        remove_limited_numbers(scope, group, numbers)
        return
    with transaction.atomic():
        audit.record(
            "telephony.limited_group.delete",
            scope=scope,
            target=group,
            before={"name": group.name, "owner": group.owner_id},
        )
        group.delete()
