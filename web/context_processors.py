"""Navigation for the signed-in user's role, built in one place."""

from __future__ import annotations

from importlib import import_module

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, role_of
from web.pages import PAGE_MODULES

# (url name, label, roles that see it). Pages join this list as they are built.
NAV_ITEMS = [
    ("dashboard", _("Dashboard"), {ADMIN, RESELLER, CUSTOMER}),
    ("tenant_list", _("Accounts"), {ADMIN, RESELLER}),
    ("admin:index", _("Administration"), {ADMIN}),
]


# Entries shown together under one menu of the navigation (url name -> menu label): the
# platform's console pages would not fit on one line otherwise.
OPERATIONS = _("Operations")


NAV_GROUPS = {
    "gateway_index": OPERATIONS,
    "live_phones": OPERATIONS,
    "ivr_audio_list": OPERATIONS,
    "ops_health": OPERATIONS,
    "ops_alarms": OPERATIONS,
    "ops_switch": OPERATIONS,
    "billing_console": OPERATIONS,
    "cdr_pulls": OPERATIONS,
}


# (url name, label, action the scope must allow): pages for some roles of a family only.
NAV_ITEMS_BY_ACTION = [
    ("user_list", _("Users"), "manage_users"),
    ("audit_list", _("Audit"), "view_audit"),
]


def _app_entries(attribute: str) -> list:

    return [
        entry
        for module_name in PAGE_MODULES
        for entry in getattr(import_module(module_name), attribute, [])
    ]


def nav_items() -> list:
    """The core entries, then each app's (``*_pages`` modules), before Administration."""
    core = [item for item in NAV_ITEMS if item[0] != "admin:index"]
    admin = [item for item in NAV_ITEMS if item[0] == "admin:index"]
    return core + _app_entries("NAV_ITEMS") + admin


def nav_items_by_action() -> list:
    return _app_entries("NAV_ITEMS_BY_ACTION") + NAV_ITEMS_BY_ACTION


def customer_tabs(request, tenant) -> list[dict]:
    """The tabs of a customer's (or reseller's) pages that ``request.scope`` may open,
    each app contributing its own (``CUSTOMER_TABS``)."""

    scope = request.scope
    tabs = []
    for url_name, label, allowed in _app_entries("CUSTOMER_TABS"):
        if allowed(scope, tenant):
            url = reverse(url_name, kwargs={"tenant_id": tenant.pk})
            tabs.append({"url": url, "label": label, "active": request.path == url})
    return tabs


def navigation(request):
    scope = getattr(request, "scope", None)
    # The navigation follows whom the page is seen as (view-as), not who is typing.
    role = role_of(scope.user) if scope else None
    if role is None:
        return {"nav_role": None, "nav_items": [], "viewing_as": None}
    current = request.path
    items = []
    menus: dict = {}
    for url_name, label, roles in nav_items():
        if role in roles:
            url = reverse(url_name)
            active = current == url if url == "/" else current.startswith(url)
            item = {"url": url, "label": label, "active": active}
            group = NAV_GROUPS.get(url_name)
            if group is None:
                items.append(item)
            elif group in menus:
                menus[group]["entries"].append(item)
            else:
                # The menu stands where its first entry would have.
                menus[group] = {"label": group, "entries": [item]}
                items.append(menus[group])
    for menu in menus.values():
        menu["active"] = any(item["active"] for item in menu["entries"])
    for url_name, label, action in nav_items_by_action():
        if scope.can(action):
            url = reverse(url_name)
            items.append({"url": url, "label": label, "active": current.startswith(url)})
    return {
        "nav_role": role,
        "nav_items": items,
        "viewing_as": scope.user if scope.acting_user else None,
    }
