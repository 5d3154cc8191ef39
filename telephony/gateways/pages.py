"""Gateways (mapping and routing): admin console pages.
Access policies of this area's URLs (see web.pages), navigation entries
(see web.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import (
    PLATFORM,
    SIGNED_IN,  # noqa: F401
)

# Gateway and vendor names are the platform's business: every other role gets 404
# (auditors read, and may not change anything).
POLICIES: dict = {
    "gateway_index": (PLATFORM, None),
    "gateway_list": (PLATFORM, None),
    "gateway_create": (PLATFORM, None),
    "gateway_edit": (PLATFORM, None),
    "gateway_delete": (PLATFORM, None),
}


NAV_ITEMS: list = [
    ("gateway_index", _("Gateways"), {ADMIN}),
]


NAV_ITEMS_BY_ACTION: list = []


CUSTOMER_TABS: list = []
