"""The CDR pull pages (admins only): their access policies (see
vosportal.url_policies) and the "CDR pulls" navigation entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from vosportal.url_policies import PLATFORM

POLICIES: dict = {
    "cdr_pulls": (PLATFORM, None),
    "cdr_pull_now": (PLATFORM, None),
    "cdr_pull_retry": (PLATFORM, None),
}
NAV_ITEMS: list = [
    ("cdr_pulls", _("CDR pulls"), {ADMIN}),
]
NAV_ITEMS_BY_ACTION: list = []
CUSTOMER_TABS: list = []
