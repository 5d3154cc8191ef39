"""Makers of this app's object kinds for the isolation suite (see
accounts.tests.isolation_world): kind -> maker(world, role_name, own) returning a primary
key, a dict of URL kwargs, or None when no such object exists for that role.

Phones, cards, bound numbers and converts live in VOS, keyed inside a customer: the
makers name one in the own or the foreign customer. The world's tenants have no VOS
server, so an "own" page says the account is not linked (200) and a foreign one is a 404
before anything is looked up.
"""

from __future__ import annotations

from accounts.tests.isolation_world import _tenant

CUSTOMER_ROLES = ("customer_a1", "customer_b1")


def _in_customer(key: str, value):
    def maker(world, role_name, own):
        tenant = _tenant(world, role_name, own)
        if tenant is None:
            return None
        return {"tenant_id": tenant.pk, key: value}

    return maker


def _limited_group(world, role_name, own):
    """A group owned by a reseller: for resellers their own (or one below them), for
    customers their own reseller's (which they may not see either)."""
    from switch.models import VosServer
    from telephony.models import LimitedE164Group

    owners = {
        # role -> (own owner, foreign owner)
        "reseller_a": ("A'", "B"),
        "sub_reseller_a": ("A'", "A"),
        "reseller_b": ("B", "A'"),
        "admin": ("B", None),
        "customer_a1": ("A", "B"),
        "customer_b1": ("B", "A"),
    }
    key = owners[role_name][0 if own else 1]
    if key is None:
        return None
    owner = world.tenants[key]
    server, _created = VosServer.objects.get_or_create(
        name="isolation", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    group, _created = LimitedE164Group.objects.get_or_create(
        server=server, name=f"{owner.vos_account}:isolation", defaults={"owner": owner}
    )
    return group.pk


OBJECT_MAKERS: dict = {
    "phone": _in_customer("e164", "80009999"),
    "active_card": _in_customer("card_ref", "0" * 20),
    "binded_e164": _in_customer("e164", "80008888"),
    "e164_convert": _in_customer("convert_id", 1),
    "limited_group": _limited_group,
}


SAMPLE_KWARGS: dict = {}


# Pages for the customer's provider: customer roles get 404 on their own customer too.
OWN_REFUSED: set = {
    (name, role)
    for role in CUSTOMER_ROLES
    for name in (
        "phone_create",
        "phone_delete",
        "card_list",
        "card_edit",
        "card_delete",
        "number_list",
        "binding_edit",
        "binding_delete",
        "convert_list",
        "convert_edit",
        "convert_delete",
        "limited_group_detail",
    )
}
