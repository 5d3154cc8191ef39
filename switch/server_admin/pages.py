"""The platform's server pages: access policies and the navigation entry (see
web.pages). Platform only: everyone else gets a 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import OPERATIONS, PLATFORM, Nav, Page

PAGES: list[Page] = [
    Page(
        "server_list",
        PLATFORM,
        nav=Nav(_("Servers"), order=175, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("server_create", PLATFORM),
    Page("server_edit", PLATFORM),
    Page("server_test", PLATFORM),
]
