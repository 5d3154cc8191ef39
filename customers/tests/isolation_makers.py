"""Makers of this app's object kinds for the isolation suite (see
accounts.tests.isolation_world): kind -> maker(world, role_name, own) returning a primary
key, a dict of URL kwargs, or None when no such object exists for that role."""

from __future__ import annotations

OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {}


# A customer cannot change its own VOS account (overdraft, lock, expiry, deletion are
# its reseller's decisions): those pages answer 404 to customer roles on their own
# tenant, as for any tenant outside what they may change.
OWN_REFUSED: set = {
    (name, role)
    for name in ("customer_edit", "customer_lock", "customer_valid_time", "customer_delete")
    for role in ("customer_a1", "customer_b1")
}
