"""Phone pages: their access policies (see web.pages), navigation and the "Phones" tab on
a customer's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import CUSTOMER, Action
from web.pages import OBJECT, SIGNED_IN

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
}

NAV_ITEMS: list = [
    ("my_phones", _("My phones"), {CUSTOMER}),
]

NAV_ITEMS_BY_ACTION: list = []

CUSTOMER_TABS: list = [
    (
        "phone_list",
        _("Phones"),
        lambda scope, tenant: tenant.kind == "customer" and scope.can(Action.VIEW),
    ),
]
