"""Cards, bound numbers, converts and limited-number groups: their access policies (see
web.pages), navigation and the "Cards & numbers" tab on a customer's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, RESELLER
from web.pages import OBJECT, SIGNED_IN

POLICIES: dict = {
    # Cards, bound numbers and converts: the provider's pages (customer roles get 404).
    "card_list": (OBJECT, "customer"),
    "card_edit": (OBJECT, "active_card"),
    "card_delete": (OBJECT, "active_card"),
    "number_list": (OBJECT, "customer"),
    "binding_edit": (OBJECT, "binded_e164"),
    "binding_delete": (OBJECT, "binded_e164"),
    "convert_list": (OBJECT, "customer"),
    "convert_edit": (OBJECT, "e164_convert"),
    "convert_delete": (OBJECT, "e164_convert"),
    # Limited-number groups of the scope's resellers (customers see an empty page).
    "limited_group_list": (SIGNED_IN, None),
    "limited_group_detail": (OBJECT, "limited_group"),
}

NAV_ITEMS: list = [
    ("limited_group_list", _("Limited numbers"), {ADMIN, RESELLER}),
]

NAV_ITEMS_BY_ACTION: list = []


def _provider(scope) -> bool:
    return scope.tenant is not None and scope.tenant.kind in ("platform", "reseller")


CUSTOMER_TABS: list = [
    (
        "card_list",
        _("Cards & numbers"),
        lambda scope, tenant: tenant.kind == "customer" and _provider(scope),
    ),
]
