"""Alerts and notifications, per-server health, alarms, soft switches and performance.
Access policies, navigation entries and the "Alerts" tab on a customer's pages (see
web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER
from web.pages import (
    OBJECT,
    OPERATIONS,
    PLATFORM,
    SETTINGS_MENU,
    SIGNED_IN,
    Nav,
    Page,
    Tab,
    on_customer_accounts,
)

PAGES: list[Page] = [
    # Each person's own list; a foreign notification id is a 404.
    Page("notification_list", SIGNED_IN),
    Page("notification_read", OBJECT, "notification"),
    Page("notification_read_all", SIGNED_IN),
    # Customers are sent to their account's Alerts tab; others read how it works.
    Page(
        "alert_settings",
        SIGNED_IN,
        nav=Nav(_("Alerts"), order=170, roles={CUSTOMER}, group=SETTINGS_MENU),
    ),
    Page(
        "customer_alerts",
        OBJECT,
        "tenant",
        tab=Tab(_("Alerts"), order=110, allowed=on_customer_accounts),
    ),
    Page(
        "ops_health",
        PLATFORM,
        nav=Nav(_("Server health"), order=180, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("ops_health_probe", PLATFORM),
    Page(
        "ops_alarms",
        PLATFORM,
        nav=Nav(_("Alarms"), order=190, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("ops_alarm_create", PLATFORM),
    Page(
        "ops_switch",
        PLATFORM,
        nav=Nav(_("Soft switches"), order=200, roles={ADMIN}, group=OPERATIONS),
    ),
]
