"""The page registry: areas' pages modules are found by walking our apps, and a page
declared twice or half-declared stops the start-up."""

from __future__ import annotations

from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from web import pages
from web.pages import OBJECT, PLATFORM, SIGNED_IN, Nav, Page, Tab


def _module(name: str, declared: list[Page]) -> ModuleType:
    module = ModuleType(name)
    module.PAGES = declared
    return module


def test_it_finds_each_apps_and_each_areas_pages_module():
    found = pages.area_modules("pages")
    assert {"customers.pages", "billing.money.pages", "accounts.users.pages"} <= set(found)
    assert "dashboard.pages" in found and "telephony.live.pages" in found
    # Not the registry itself, not the project package, not a third party's app.
    assert "web.pages" not in found
    assert not [name for name in found if name.startswith(("vosportal", "allauth", "django"))]


def test_it_finds_every_areas_urls_module():
    found = pages.area_modules("urls")
    assert {"accounts.audit_trail.urls", "billing.tariffs.urls", "switch.urls"} <= set(found)
    assert not [name for name in found if name.startswith(("vosportal", "allauth", "django"))]


def test_it_registers_every_discovered_page_at_start_up():
    assert pages.PAGES["money_ledger"].nav.label == "Ledger"
    assert pages.POLICIES["card_list"] == (OBJECT, "customer")
    assert pages.policy_for("admin:index") == (pages.DJANGO_ADMIN, None)
    assert pages.policy_for("account_login") == (pages.ALLAUTH, None)


def test_it_refuses_a_page_declared_twice():
    first = _module("one.pages", [Page("ledger", SIGNED_IN)])
    second = _module("two.pages", [Page("ledger", PLATFORM)])
    with pytest.raises(ImproperlyConfigured, match=r"'ledger' is declared twice.*one\.pages.*two"):
        pages.collect([first, second])


def test_it_refuses_a_pages_module_without_pages():
    with pytest.raises(ImproperlyConfigured, match="declares no PAGES"):
        pages.collect([ModuleType("empty.pages")])


def test_it_refuses_an_object_page_without_its_kind_and_a_kind_on_another_page():
    with pytest.raises(ImproperlyConfigured, match="object kind"):
        Page("phone_edit", OBJECT)
    with pytest.raises(ImproperlyConfigured, match="object kind"):
        Page("ledger", SIGNED_IN, "tenant")
    with pytest.raises(ImproperlyConfigured, match="unknown policy"):
        Page("ledger", "signed-in")


def test_it_refuses_a_nav_entry_for_nobody_or_for_both_roles_and_an_action():
    with pytest.raises(ImproperlyConfigured):
        Nav("Ledger", order=1)
    with pytest.raises(ImproperlyConfigured):
        Nav("Ledger", order=1, roles={"admin"}, action="view")


def test_it_orders_the_navigation_and_the_tabs_across_areas():
    nav = [page.nav.order for page in pages.nav_pages()]
    tabs = [page.tab.order for page in pages.tab_pages()]
    assert nav == sorted(nav) and tabs == sorted(tabs)
    # Two entries at one place would be shown in whatever order the areas were found.
    assert len(set(nav)) == len(nav) and len(set(tabs)) == len(tabs)
    assert pages.tab_pages()[0].tab == Tab("Overview", order=10)
