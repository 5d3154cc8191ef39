"""Preferences, the language switch, users and invitations: their access policies and
navigation entry (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Action
from web.pages import OBJECT, PUBLIC, SETTINGS_MENU, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    Page("preferences", SIGNED_IN),
    Page("set_language", PUBLIC),
    # Users and invitations (managers only; others get 404 from scope.require).
    Page(
        "user_list",
        SIGNED_IN,
        nav=Nav(_("Users"), order=910, action=Action.MANAGE_USERS, group=SETTINGS_MENU),
    ),
    Page("user_invite", SIGNED_IN),
    Page("invitation_revoke", OBJECT, "invitation"),
    Page("user_deactivate", OBJECT, "user"),
    Page("invitation_accept", PUBLIC),
]
