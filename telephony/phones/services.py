"""Changes to a customer's phones: every one a VOS write through ``switch.vos.call``
(audited there) on behalf of the request's scope; ``customer_call`` is the step the
numbers area shares."""

from __future__ import annotations

import re
import secrets
import string

from switch import vos
from telephony.live import state as live_state

PASSWORD_ALPHABET = string.ascii_letters + string.digits


PASSWORD_LENGTH = 16


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password of letters and digits (phones type them on keypads)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        # At least one digit and one letter, so no device rejects it as too simple.
        if re.search(r"\d", password) and re.search(r"[A-Za-z]", password):
            return password


def customer_call(scope, tenant, endpoint: str, payload: dict, verified=frozenset()) -> dict:
    return vos.call(
        scope, tenant.server, endpoint, payload, target=tenant, tenant=tenant, verified=verified
    )


# --- Phones ------------------------------------------------------------------------------
def create_phone(scope, tenant, fields: dict) -> str:
    """CreatePhone on the customer's own account; returns the phone's password (the one
    given, else a generated one) for the caller to show once."""
    password = fields.get("password") or generate_password()
    payload = {
        **{k: v for k, v in fields.items() if k != "password"},
        "autoCreateAccount": False,
        "account": tenant.vos_account,
        "password": password,
    }
    customer_call(scope, tenant, "CreatePhone", payload)
    live_state.forget_owners(tenant.server, [payload.get("e164")])
    return password


def modify_phone(scope, tenant, phone: dict, changes: dict) -> None:
    """ModifyPhone of one of the customer's phones (``phone`` as read by the selector)."""
    payload = {**changes, "e164": phone["e164"]}
    if not scope.is_platform:
        # Only admins move phones between accounts.
        payload.pop("account", None)
    customer_call(scope, tenant, "ModifyPhone", payload, verified=frozenset({phone["e164"]}))
    if "account" in payload:
        live_state.forget_owners(tenant.server, [phone["e164"]])


def set_phone_password(scope, tenant, phone: dict, password: str = "") -> str:
    """A new password for the phone (generated when none is given); returned once."""
    password = password or generate_password()
    customer_call(
        scope,
        tenant,
        "ModifyPhone",
        {"e164": phone["e164"], "password": password},
        verified=frozenset({phone["e164"]}),
    )
    return password


def delete_phone(scope, tenant, phone: dict) -> None:
    customer_call(scope, tenant, "DeletePhone", {"e164": phone["e164"]}, frozenset({phone["e164"]}))
    live_state.forget_owners(tenant.server, [phone["e164"]])
