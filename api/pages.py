"""The key pages and the API documentation: policies and the Settings entry (see
web.pages). The API's own routes (``api:`` names) are checked by api/tests/test_isolation_api.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Action
from web.pages import OBJECT, PUBLIC, SETTINGS_MENU, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    Page(
        "api_key_list",
        SIGNED_IN,
        nav=Nav(_("API keys"), order=916, action=Action.MANAGE_USERS, group=SETTINGS_MENU),
    ),
    Page("api_key_revoke", OBJECT, "api_key"),
    Page("api_docs", PUBLIC),
]
