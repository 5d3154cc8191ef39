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


def _menu(items, label):
    [menu] = [item for item in items if item.get("entries") and str(item["label"]) == label]
    return menu


def test_it_puts_the_platform_console_under_one_operations_menu(client):
    items = _navigation(client, AdminFactory())
    menu = _menu(items, "Operations")
    urls = {entry["url"] for entry in menu["entries"]}
    assert {reverse("gateway_index"), reverse("ops_health"), reverse("cdr_pulls")} <= urls
    top = {item["url"] for item in items if "url" in item}
    assert reverse("gateway_index") not in top
    assert reverse("live_calls") in {e["url"] for e in _menu(items, "Calls & reports")["entries"]}


def test_it_marks_the_menu_of_the_page_shown(client):
    client.force_login(AdminFactory())
    items = client.get(reverse("ops_health")).context["nav_items"]
    assert _menu(items, "Operations")["active"]
    assert not _menu(items, "Money")["active"]
    page = client.get(reverse("ops_health")).text
    assert 'class="nav-group is-current"' in page
    assert f'<a href="{reverse("ops_health")}" aria-current="page">' in page


def test_customers_get_no_console_menu(client):
    user = UserFactory(tenant=TenantFactory(), role=Role.CUSTOMER_OWNER)
    items = _navigation(client, user)
    assert "Operations" not in {str(item["label"]) for item in items}
    assert reverse("live_calls") in {e["url"] for e in _menu(items, "Calls & reports")["entries"]}


@pytest.mark.parametrize("role", [r for r, _label in Role.choices])
def test_it_keeps_every_role_to_seven_top_entries_at_most(client, role):
    assert len(_navigation(client, _user_of(role))) <= 7


def test_it_shows_a_menu_button_for_narrow_screens_and_no_sidebar_when_signed_out(client):
    client.force_login(AdminFactory())
    page = client.get(reverse("dashboard")).text
    assert 'class="menu-toggle' in page and 'aria-controls="app-nav"' in page
    assert 'id="app-nav"' in page
    client.logout()
    login = client.get(reverse("account_login")).text
    assert 'id="app-nav"' not in login and "menu-toggle" not in login


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
PROVIDER_MENUS = [
    ("Dashboard", "dashboard"),
    (
        "Customers",
        [
            ("Customers", "customer_list"),
            ("Import", "bulk_import_start"),
            ("Account tree", "tenant_list"),
            ("Limited numbers", "limited_group_list"),
        ],
    ),
    (
        "Money",
        [
            ("Rates", "rate_list"),
            ("Suites", "suite_list"),
            ("Ledger", "money_ledger"),
            ("Card payments", "payments_settings"),
        ],
    ),
    (
        "Calls & reports",
        [("Calls", "cdr_search"), ("Reports", "report_list"), ("Live calls", "live_calls")],
    ),
]
CUSTOMER_MENUS = [
    ("Dashboard", "dashboard"),
    ("My phones", "my_phones"),
    ("Top up", "money_my_pin_topup"),
    (
        "Calls & reports",
        [
            ("Rates", "rate_list"),
            ("Calls", "cdr_search"),
            ("Reports", "report_list"),
            ("Live calls", "live_calls"),
        ],
    ),
]
NAVIGATION_OF_ROLE = {
    Role.PLATFORM_ADMIN: [
        *PROVIDER_MENUS,
        OPERATIONS_MENU,
        (
            "Settings",
            [
                ("Administration", "admin:index"),
                ("Users", "user_list"),
                ("Webhooks", "webhook_list"),
                ("API keys", "api_key_list"),
            ],
        ),
        ("Audit", "audit_list"),
    ],
    Role.PLATFORM_AUDITOR: [
        *PROVIDER_MENUS,
        OPERATIONS_MENU,
        ("Settings", [("Administration", "admin:index")]),
        ("Audit", "audit_list"),
    ],
    Role.RESELLER_MANAGER: [
        *PROVIDER_MENUS,
        (
            "Settings",
            [
                ("Users", "user_list"),
                ("Webhooks", "webhook_list"),
                ("API keys", "api_key_list"),
                ("Audit", "audit_list"),
            ],
        ),
    ],
    Role.RESELLER_OPERATOR: [*PROVIDER_MENUS, ("Settings", [("Audit", "audit_list")])],
    Role.CUSTOMER_OWNER: [
        *CUSTOMER_MENUS,
        (
            "Settings",
            [
                ("Alerts", "alert_settings"),
                ("Users", "user_list"),
                ("Webhooks", "webhook_list"),
                ("API keys", "api_key_list"),
                ("Audit", "audit_list"),
            ],
        ),
    ],
    Role.CUSTOMER_VIEWER: [*CUSTOMER_MENUS, ("Settings", [("Alerts", "alert_settings")])],
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
