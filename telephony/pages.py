"""This app's pages: their access policies (see vosportal.url_policies), navigation
entries and tabs on a customer's pages (see vosportal.context_processors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, Action
from vosportal.url_policies import OBJECT, PLATFORM, SIGNED_IN  # noqa: F401

POLICIES: dict = {
    # Customers go to their own phones; everyone else to the accounts list.
    "my_phones": (SIGNED_IN, None),
    "phone_list": (OBJECT, "customer"),
    # Phones are set up and removed by the provider: customer roles get 404.
    "phone_create": (OBJECT, "customer"),
    # A phone of the customer's own account (one under any other account is a 404).
    "phone_edit": (OBJECT, "phone"),
    "phone_password": (OBJECT, "phone"),
    "phone_delete": (OBJECT, "phone"),
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
# (url name, label, role families that see it), as in vosportal.context_processors.
NAV_ITEMS: list = [
    ("my_phones", _("My phones"), {CUSTOMER}),
    ("limited_group_list", _("Limited numbers"), {ADMIN, RESELLER}),
]
# (url name, label, action the scope must allow).
NAV_ITEMS_BY_ACTION: list = []


def _is_customer(tenant) -> bool:
    return tenant.kind == "customer"


def _provider(scope) -> bool:
    return scope.tenant is not None and scope.tenant.kind in ("platform", "reseller")


# (url name taking ``tenant_id``, label, predicate(scope, tenant) -> bool).
CUSTOMER_TABS: list = [
    (
        "phone_list",
        _("Phones"),
        lambda scope, tenant: _is_customer(tenant) and scope.can(Action.VIEW),
    ),
    (
        "card_list",
        _("Cards & numbers"),
        lambda scope, tenant: _is_customer(tenant) and _provider(scope),
    ),
]
