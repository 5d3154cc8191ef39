"""The Django admin's entry in the navigation (its policy is the ``admin:`` family of
web.pages); the kernel's pages are in accounts/users and accounts/audit_trail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import DJANGO_ADMIN, SETTINGS_MENU, Nav, Page

PAGES: list[Page] = [
    # Last of the role entries, before the entries given by an action.
    Page(
        "admin:index",
        DJANGO_ADMIN,
        nav=Nav(_("Administration"), order=900, roles={ADMIN}, group=SETTINGS_MENU),
    ),
]
