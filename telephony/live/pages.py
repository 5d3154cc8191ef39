"""Live state: VOS push receiver, live calls, online phones, live dashboard fragments.
Access policies and navigation entries of this area's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import CALLS_MENU, OBJECT, OPERATIONS, PLATFORM, PUBLIC, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    # Every role: the calls of its scope, read from the shared snapshot.
    Page(
        "live_calls",
        SIGNED_IN,
        nav=Nav(_("Live calls"), order=140, roles={ADMIN, RESELLER, CUSTOMER}, group=CALLS_MENU),
    ),
    # A call of the scope's snapshot (its server and VOS call id); foreign: 404.
    Page("live_call_disconnect", OBJECT, "live_call"),
    Page(
        "live_phones",
        PLATFORM,
        nav=Nav(_("Online phones"), order=150, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("live_dashboard", SIGNED_IN),
    # VOS itself: refused unless the source address and the secret token match.
    Page("vos_push", PUBLIC),
]
