"""The card payment pages: their access policies and navigation entries (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import MONEY_MENU, OBJECT, PUBLIC, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    # One's own account: customers, and resellers for their own balance.
    Page("payments_pay", SIGNED_IN),
    # Scoped by the payment's customer: a foreign or unknown reference is a 404.
    Page("payments_status", OBJECT, "card_payment"),
    Page(
        "payments_settings",
        SIGNED_IN,
        nav=Nav(_("Card payments"), order=92, roles={ADMIN, RESELLER}, group=MONEY_MENU),
    ),
    # Providers sign their events (no session): an unknown account is a 404.
    Page("payments_webhook", PUBLIC),
    # The offline test provider's hosted checkout: the unguessable session id is the key.
    Page("payments_test_checkout", PUBLIC),
]
