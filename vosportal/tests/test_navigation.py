"""The navigation: each role's entries, and the platform console pages under one menu."""

import re

import pytest
from django.urls import resolve, reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def _navigation(client, user):
    client.force_login(user)
    return client.get(reverse("dashboard")).context["nav_items"]


def test_it_puts_the_platform_console_under_one_operations_menu(client):
    items = _navigation(client, AdminFactory())
    [menu] = [item for item in items if item.get("entries")]
    assert str(menu["label"]) == "Operations"
    urls = {entry["url"] for entry in menu["entries"]}
    assert {reverse("gateway_index"), reverse("ops_health"), reverse("cdr_pulls")} <= urls
    top = {item["url"] for item in items if "url" in item}
    assert reverse("live_calls") in top and reverse("gateway_index") not in top


def test_it_marks_the_menu_of_the_page_shown(client):
    client.force_login(AdminFactory())
    items = client.get(reverse("ops_health")).context["nav_items"]
    [menu] = [item for item in items if item.get("entries")]
    assert menu["active"]
    page = client.get(reverse("ops_health")).text
    assert 'class="dropdown nav-menu"' in page


def test_customers_get_no_console_menu(client):
    user = UserFactory(tenant=TenantFactory(), role=Role.CUSTOMER_OWNER)
    items = _navigation(client, user)
    assert not [item for item in items if item.get("entries")]
    assert reverse("live_calls") in {item["url"] for item in items}


# Each role's navigation, pinned: (label, url name), or (menu label, [entries]).
OPERATIONS_MENU = (
    "Operations",
    [
        ("CDR pulls", "cdr_pulls"),
        ("Gateways", "gateway_index"),
        ("Online phones", "live_phones"),
        ("IVR & media", "ivr_audio_list"),
        ("Servers", "server_list"),
        ("Server health", "ops_health"),
        ("Alarms", "ops_alarms"),
        ("Soft switches", "ops_switch"),
        ("Billing console", "billing_console"),
    ],
)
PROVIDER_ENTRIES = [
    ("Dashboard", "dashboard"),
    ("Accounts", "tenant_list"),
    ("Customers", "customer_list"),
    ("Limited numbers", "limited_group_list"),
    ("Rates", "rate_list"),
    ("Suites", "suite_list"),
    ("Ledger", "money_ledger"),
    ("Calls", "cdr_search"),
]
CUSTOMER_ENTRIES = [
    ("Dashboard", "dashboard"),
    ("My phones", "my_phones"),
    ("Rates", "rate_list"),
    ("Top up", "money_my_pin_topup"),
    ("Calls", "cdr_search"),
    ("Reports", "report_list"),
    ("Live calls", "live_calls"),
    ("Alerts", "alert_settings"),
]
REPORTS_AND_LIVE = [("Reports", "report_list"), ("Live calls", "live_calls")]
PLATFORM_ENTRIES = [
    *PROVIDER_ENTRIES,
    OPERATIONS_MENU,
    *REPORTS_AND_LIVE,
    ("Administration", "admin:index"),
]
NAVIGATION_OF_ROLE = {
    Role.PLATFORM_ADMIN: [*PLATFORM_ENTRIES, ("Users", "user_list"), ("Audit", "audit_list")],
    Role.PLATFORM_AUDITOR: [*PLATFORM_ENTRIES, ("Audit", "audit_list")],
    Role.RESELLER_MANAGER: [
        *PROVIDER_ENTRIES,
        *REPORTS_AND_LIVE,
        ("Users", "user_list"),
        ("Audit", "audit_list"),
    ],
    Role.RESELLER_OPERATOR: [*PROVIDER_ENTRIES, *REPORTS_AND_LIVE, ("Audit", "audit_list")],
    Role.CUSTOMER_OWNER: [*CUSTOMER_ENTRIES, ("Users", "user_list"), ("Audit", "audit_list")],
    Role.CUSTOMER_VIEWER: CUSTOMER_ENTRIES,
}


def _shape(items) -> list:
    def entry(item):
        return (str(item["label"]), resolve(item["url"]).view_name)

    return [
        (str(item["label"]), [entry(e) for e in item["entries"]])
        if item.get("entries")
        else entry(item)
        for item in items
    ]


def _user_of(role):
    kind = role.split("_")[0]
    if kind == "platform":
        tenant = Tenant.platform_root()
    else:
        tenant = ResellerFactory() if kind == "reseller" else TenantFactory()
    return UserFactory(tenant=tenant, role=role)


@pytest.mark.parametrize("role", list(NAVIGATION_OF_ROLE))
def test_it_shows_each_role_the_same_entries_in_the_same_order(client, role):
    assert _shape(_navigation(client, _user_of(role))) == NAVIGATION_OF_ROLE[role]


def _tabs(client, user, tenant) -> list[tuple[str, str]]:
    client.force_login(user)
    page = client.get(reverse("customer_detail", kwargs={"tenant_id": tenant.pk})).text
    [bar] = re.findall(r'<nav class="customer-tabs".*?</nav>', page, re.S)
    return [
        (label.replace("&amp;", "&"), resolve(url).view_name)
        for url, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', bar)
    ]


CUSTOMER_TABS = [
    ("Overview", "customer_detail"),
    ("Phones", "phone_list"),
    ("Cards & numbers", "card_list"),
    ("Payments", "customer_payments"),
    ("Consumption", "customer_consumption"),
    ("Suites", "customer_suites"),
    ("Phone book", "customer_phonebook"),
    ("Tools", "customer_tools"),
    ("Money", "money_account"),
    ("Calls", "cdr_account_calls"),
    ("Alerts", "customer_alerts"),
]


def test_it_shows_the_same_tabs_on_an_account_for_each_viewer(client):
    customer, reseller = TenantFactory(), ResellerFactory()
    admin = AdminFactory()
    assert _tabs(client, admin, customer) == CUSTOMER_TABS
    assert _tabs(client, admin, reseller) == [
        ("Overview", "customer_detail"),
        ("Money", "money_account"),
        ("Calls", "cdr_account_calls"),
    ]
    # The customer's own view: no "Cards & numbers" (a provider's page).
    owner = UserFactory(tenant=customer, role=Role.CUSTOMER_OWNER)
    assert _tabs(client, owner, customer) == [t for t in CUSTOMER_TABS if t[1] != "card_list"]
