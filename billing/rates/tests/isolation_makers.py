"""Makers of this app's object kinds for the isolation suite (see
accounts.tests.isolation_world): kind -> maker(world, role_name, own) returning a primary
key, a dict of URL kwargs, or None when no such object exists for that role.

The world's tenants have no VOS server: "own" pages answer 200 with a "not linked"
message, foreign ones 404 before anything is asked of VOS.
"""

from __future__ import annotations

from billing.models import FeeRateGroupGrant

CUSTOMER_ROLES = ("customer_a1", "customer_b1")


def _fee_rate_group(world, role_name: str, own: bool):
    """A group the role may see (a reseller's grant; any group for the admin) or one
    granted only to somebody else. Customers' groups live in VOS, which the world has
    not got: no group is theirs (see OWN_REFUSED)."""
    if own:
        if role_name == "admin":
            return {"group": "Any-Group"}
        if role_name in CUSTOMER_ROLES:
            return {"group": "Own-Group-Of-A-Customer"}
        tenant = world.users[role_name].tenant
        group = f"Own-{role_name}"
        FeeRateGroupGrant.objects.get_or_create(tenant=tenant, group=group)
        return {"group": group}
    if role_name == "admin":
        return None
    # Granted to a reseller of the other branch (or, for A's own branch, to B).
    other = world.tenants["A"] if role_name in ("customer_b1", "reseller_b") else world.tenants["B"]
    group = f"Foreign-{role_name}"
    FeeRateGroupGrant.objects.get_or_create(tenant=other, group=group)
    return {"group": group}


def _reseller_tenant(world, role_name: str, own: bool):
    """A reseller whose grants the role may open: one below it (or its own tenant,
    read-only, when none is below); a reseller outside its subtree otherwise."""
    t = world.tenants
    if own:
        return {
            "admin": t["B"].pk,
            "reseller_a": t["A'"].pk,
            "sub_reseller_a": t["A'"].pk,  # its own, read-only
            "reseller_b": t["B"].pk,  # its own, read-only
            "customer_a1": t["A1"].pk,  # not a reseller: refused (OWN_REFUSED)
            "customer_b1": t["B1"].pk,
        }[role_name]
    return {
        "admin": None,
        "reseller_a": t["B"].pk,
        "sub_reseller_a": t["A"].pk,  # its grandparent
        "reseller_b": t["A"].pk,
        "customer_a1": t["A"].pk,
        "customer_b1": t["B"].pk,
    }[role_name]


def _phone_book_entry(world, role_name: str, own: bool):
    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    if tenant is None:
        return None
    return {"tenant_id": tenant.pk, "e164": "4420794600"}


OBJECT_MAKERS: dict = {
    "fee_rate_group": _fee_rate_group,
    "reseller_tenant": _reseller_tenant,
    "phone_book_entry": _phone_book_entry,
}


SAMPLE_KWARGS: dict = {}


OWN_REFUSED: set = {
    *((name, role) for name in ("rate_detail", "rate_export") for role in CUSTOMER_ROLES),
    *(("rate_grants", role) for role in CUSTOMER_ROLES),
}
