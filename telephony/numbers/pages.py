"""Cards, bound numbers, converts and limited-number groups: their access policies,
navigation entry and the "Cards & numbers" tab on a customer's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import CUSTOMERS_MENU, OBJECT, SIGNED_IN, Nav, Page, Tab


def _provider(scope) -> bool:
    return scope.tenant is not None and scope.tenant.kind in ("platform", "reseller")


def _provider_of_customer(scope, tenant) -> bool:
    return tenant.kind == "customer" and _provider(scope)


PAGES: list[Page] = [
    # Cards, bound numbers and converts: the provider's pages (customer roles get 404).
    Page(
        "card_list",
        OBJECT,
        "customer",
        tab=Tab(_("Cards & numbers"), order=30, allowed=_provider_of_customer),
    ),
    Page("card_edit", OBJECT, "active_card"),
    Page("card_delete", OBJECT, "active_card"),
    Page("number_list", OBJECT, "customer"),
    Page("binding_edit", OBJECT, "binded_e164"),
    Page("binding_delete", OBJECT, "binded_e164"),
    Page("convert_list", OBJECT, "customer"),
    Page("convert_edit", OBJECT, "e164_convert"),
    Page("convert_delete", OBJECT, "e164_convert"),
    # Limited-number groups of the scope's resellers (customers see an empty page).
    Page(
        "limited_group_list",
        SIGNED_IN,
        nav=Nav(_("Limited numbers"), order=50, roles={ADMIN, RESELLER}, group=CUSTOMERS_MENU),
    ),
    Page("limited_group_detail", OBJECT, "limited_group"),
]
