"""Isolation-suite makers for alerts.pages (see accounts.tests.isolation_world):
a notification belongs to one person; nobody else (admins included) may read it."""

from __future__ import annotations

from alerts.models import AlertKind, Notification

OBJECT_MAKERS: dict = {}


SAMPLE_KWARGS: dict = {}


OWN_REFUSED: set = set()


def _notification_pk(world, role_name, own):
    user = world.users[role_name]
    if not own:
        # Someone else's: the foreign tenant's user, or for admins a customer's.
        others = {
            "customer_a1": "customer_b1",
            "customer_b1": "customer_a1",
            "reseller_a": "reseller_b",
            "sub_reseller_a": "reseller_a",
            "reseller_b": "reseller_a",
            "admin": "customer_a1",
        }
        user = world.users[others[role_name]]
    return Notification.objects.create(
        user=user, kind=AlertKind.LOW_BALANCE, title="Low balance", body="test"
    ).pk


OBJECT_MAKERS["notification"] = _notification_pk
