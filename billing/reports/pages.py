"""Access policies and the navigation entry of the report pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import CALLS_MENU, OBJECT, SIGNED_IN, Nav, Page

PAGES: list[Page] = [
    # Lists and forms read through the scope; customers report on themselves only.
    Page(
        "report_list",
        SIGNED_IN,
        nav=Nav(_("Reports"), order=120, roles={ADMIN, RESELLER, CUSTOMER}, group=CALLS_MENU),
    ),
    Page("report_new", SIGNED_IN),
    # Gateways (admins) and margins (resellers) are refused to others with a 404.
    Page("report_calls", SIGNED_IN),
    Page("report_detail", OBJECT, "report_job"),
    Page("report_csv", OBJECT, "report_job"),
]
