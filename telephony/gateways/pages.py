"""Gateways (mapping and routing): admin console pages. Access policies and the
navigation entry of this area's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import OPERATIONS, PLATFORM, Nav, Page

# Gateway and vendor names are the platform's business: every other role gets 404
# (auditors read, and may not change anything).
PAGES: list[Page] = [
    Page(
        "gateway_index",
        PLATFORM,
        nav=Nav(_("Gateways"), order=130, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("gateway_list", PLATFORM),
    Page("gateway_create", PLATFORM),
    Page("gateway_edit", PLATFORM),
    Page("gateway_delete", PLATFORM),
]
