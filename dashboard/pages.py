"""The dashboard: its access policy and navigation entry (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    Page(
        "dashboard", SIGNED_IN, nav=Nav(_("Dashboard"), order=10, roles={ADMIN, RESELLER, CUSTOMER})
    ),
]
