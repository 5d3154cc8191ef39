"""Access policies (see web.pages) and navigation of the report pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import OBJECT, SIGNED_IN

POLICIES: dict = {
    # Lists and forms read through the scope; customers report on themselves only.
    "report_list": (SIGNED_IN, None),
    "report_new": (SIGNED_IN, None),
    # Gateways (admins) and margins (resellers) are refused to others with a 404.
    "report_calls": (SIGNED_IN, None),
    "report_detail": (OBJECT, "report_job"),
    "report_csv": (OBJECT, "report_job"),
}


NAV_ITEMS: list = [
    ("report_list", _("Reports"), {ADMIN, RESELLER, CUSTOMER}),
]


NAV_ITEMS_BY_ACTION: list = []


CUSTOMER_TABS: list = []
