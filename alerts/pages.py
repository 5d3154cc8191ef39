"""Alerts and notifications, per-server health, alarms, soft switches and performance.
Access policies of this area's URLs (see web.pages), navigation entries
(see web.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER
from web.pages import OBJECT, PLATFORM, SIGNED_IN

POLICIES: dict = {
    # Each person's own list; a foreign notification id is a 404.
    "notification_list": (SIGNED_IN, None),
    "notification_read": (OBJECT, "notification"),
    "notification_read_all": (SIGNED_IN, None),
    # Customers are sent to their account's Alerts tab; others read how it works.
    "alert_settings": (SIGNED_IN, None),
    "customer_alerts": (OBJECT, "tenant"),
    "ops_health": (PLATFORM, None),
    "ops_health_probe": (PLATFORM, None),
    "ops_alarms": (PLATFORM, None),
    "ops_alarm_create": (PLATFORM, None),
    "ops_switch": (PLATFORM, None),
}


NAV_ITEMS: list = [
    ("alert_settings", _("Alerts"), {CUSTOMER}),
    ("ops_health", _("Server health"), {ADMIN}),
    ("ops_alarms", _("Alarms"), {ADMIN}),
    ("ops_switch", _("Soft switches"), {ADMIN}),
]


NAV_ITEMS_BY_ACTION: list = []


def _is_customer_account(scope, tenant) -> bool:
    return tenant.kind == "customer"


CUSTOMER_TABS: list = [
    ("customer_alerts", _("Alerts"), _is_customer_account),
]
