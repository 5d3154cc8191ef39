"""The navigation: each role's entries, and the platform console pages under one menu."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, TenantFactory, UserFactory

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
