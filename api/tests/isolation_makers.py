"""Makers of this app's object kinds for the page isolation suite (see
accounts.tests.isolation_world): an API key is its tenant's own; a key of any other
tenant (above, below or beside) is foreign."""

from __future__ import annotations

from api.tests.helpers import make_key

# Whose key is foreign to each role: a tenant below (A1 for reseller A), beside (B1 for
# A1) or above (A for its sub-reseller); the platform's keys are the platform's only.
_FOREIGN_MAKER = {
    "customer_a1": "customer_b1",
    "customer_b1": "customer_a1",
    "reseller_a": "customer_a1",
    "sub_reseller_a": "reseller_a",
    "reseller_b": "reseller_a",
    "admin": "reseller_b",
}


def _api_key_pk(world, role_name: str, own: bool):
    maker = role_name if own else _FOREIGN_MAKER[role_name]
    return make_key(world.users[maker], name=f"isolation-{role_name}-{own}")[0].pk


OBJECT_MAKERS = {"api_key": _api_key_pk}
