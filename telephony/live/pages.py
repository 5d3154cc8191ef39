"""Live state: VOS push receiver, live calls, online phones, live dashboard fragments.
Access policies of this area's URLs (see web.pages), navigation entries
(see web.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import OBJECT, PLATFORM, PUBLIC, SIGNED_IN

POLICIES: dict = {
    # Every role: the calls of its scope, read from the shared snapshot.
    "live_calls": (SIGNED_IN, None),
    # A call of the scope's snapshot (its server and VOS call id); foreign: 404.
    "live_call_disconnect": (OBJECT, "live_call"),
    "live_phones": (PLATFORM, None),
    "live_dashboard": (SIGNED_IN, None),
    # VOS itself: refused unless the source address and the secret token match.
    "vos_push": (PUBLIC, None),
}


NAV_ITEMS: list = [
    ("live_calls", _("Live calls"), {ADMIN, RESELLER, CUSTOMER}),
    ("live_phones", _("Online phones"), {ADMIN}),
]


NAV_ITEMS_BY_ACTION: list = []


CUSTOMER_TABS: list = []
