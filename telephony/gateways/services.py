"""Writes to mapping and routing gateways, for platform admins. Each is one VOS call
through ``switch.vos.call``, which checks the scope and audits it (an edit and a
delete with the gateway as it was before, an edit with what it was meant to become);
VOS errors are raised for the page to word."""

from __future__ import annotations

from accounts.roles import Action
from switch import vos
from switch.servers import tenant_of_account
from telephony.gateways.selectors import GatewayKind


def create_gateway(scope, server, kind: GatewayKind, payload: dict) -> None:
    scope.require_platform(Action.CHANGE)
    vos.call(
        scope,
        server,
        kind.create,
        payload,
        tenant=tenant_of_account(server, payload.get(kind.account_field, "")),
    )


def modify_gateway(scope, server, kind: GatewayKind, before: dict, payload: dict) -> None:
    """Write ``payload`` over the gateway VOS answered as ``before`` (same name)."""
    scope.require_platform(Action.CHANGE)
    payload = {**payload, "name": before["name"]}
    changed = {
        key: value
        for key, value in payload.items()
        if key != "name" and not _same(before.get(key), value)
    }
    vos.call(
        scope,
        server,
        kind.modify,
        payload,
        tenant=tenant_of_account(
            server, payload.get(kind.account_field) or before.get(kind.account_field, "")
        ),
        before={key: before.get(key) for key in changed},
        after=changed,
    )


def _same(old, new) -> bool:
    """A field a sparse answer left out is empty: sending "" or [] for it changes nothing."""
    return old == new or (old is None and new in ("", []))


def delete_gateway(scope, server, kind: GatewayKind, before: dict) -> None:
    scope.require_platform(Action.CHANGE)
    vos.call(
        scope,
        server,
        kind.delete,
        {"name": before["name"]},
        tenant=tenant_of_account(server, before.get(kind.account_field, "")),
        before=before,
    )
