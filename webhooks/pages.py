"""The webhook pages: their access policies and navigation entry (see web.pages).
Everyone who manages users (admins, reseller managers, customer owners) finds
"Webhooks" in Settings; an endpoint or delivery outside the scope is a 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Action
from web.pages import OBJECT, SETTINGS_MENU, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    Page(
        "webhook_list",
        SIGNED_IN,
        nav=Nav(_("Webhooks"), order=915, action=Action.MANAGE_USERS, group=SETTINGS_MENU),
    ),
    Page("webhook_create", SIGNED_IN),
    Page("webhook_detail", OBJECT, "webhook_endpoint"),
    Page("webhook_delete", OBJECT, "webhook_endpoint"),
    Page("webhook_test", OBJECT, "webhook_endpoint"),
    Page("webhook_secret", OBJECT, "webhook_endpoint"),
    Page("webhook_replay", OBJECT, "webhook_delivery"),
]
