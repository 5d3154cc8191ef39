"""Phone pages: their access policies, navigation entry and the "Phones" tab on a
customer's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import CUSTOMER, Action
from web.pages import OBJECT, SIGNED_IN, Nav, Page, Tab


def _customer_account(scope, tenant) -> bool:
    return tenant.kind == "customer" and scope.can(Action.VIEW)


PAGES: list[Page] = [
    # Customers go to their own phones; everyone else to the accounts list.
    Page("my_phones", SIGNED_IN, nav=Nav(_("My phones"), order=40, roles={CUSTOMER})),
    Page(
        "phone_list",
        OBJECT,
        "customer",
        tab=Tab(_("Phones"), order=20, allowed=_customer_account),
    ),
    # Phones are set up and removed by the provider: customer roles get 404.
    Page("phone_create", OBJECT, "customer"),
    # A phone of the customer's own account (one under any other account is a 404).
    Page("phone_edit", OBJECT, "phone"),
    Page("phone_password", OBJECT, "phone"),
    Page("phone_delete", OBJECT, "phone"),
]
