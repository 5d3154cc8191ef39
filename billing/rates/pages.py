"""Rates, grants and suites: their access policies, navigation entries and the "Suites"
tab on a customer's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER
from web.pages import (
    CALLS_MENU,
    MONEY_MENU,
    OBJECT,
    SIGNED_IN,
    Nav,
    Page,
    Tab,
    on_customer_accounts,
)

PAGES: list[Page] = [
    # What each user sees is narrowed by the scope: all groups for the platform, a
    # reseller's grants, a customer's own group.
    Page(
        "rate_list",
        SIGNED_IN,
        nav=Nav(
            _("Rates"),
            order=60,
            roles={ADMIN, RESELLER, CUSTOMER},
            # A customer prices its calls; a provider sells its rates.
            group={ADMIN: MONEY_MENU, RESELLER: MONEY_MENU, CUSTOMER: CALLS_MENU},
        ),
    ),
    Page("rate_detail", OBJECT, "fee_rate_group"),
    Page("rate_export", OBJECT, "fee_rate_group"),
    Page("rate_grants", OBJECT, "reseller_tenant"),
    # Customers are sent to their own suites page.
    Page(
        "suite_list",
        SIGNED_IN,
        nav=Nav(_("Suites"), order=70, roles={ADMIN, RESELLER}, group=MONEY_MENU),
    ),
    Page(
        "customer_suites",
        OBJECT,
        "customer",
        tab=Tab(_("Suites"), order=60, allowed=on_customer_accounts),
    ),
    Page("customer_suite_end", OBJECT, "customer"),
    Page("customer_suite_order_change", OBJECT, "customer"),
]
