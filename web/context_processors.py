"""Navigation for the signed-in user's role, and the tabs of an account's pages, built
from the pages the areas declare (``web.pages``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from web.pages import nav_pages, tab_pages


def customer_tabs(request, tenant) -> list[dict]:
    """The tabs of a customer's (or reseller's) pages that ``request.scope`` may open."""
    scope = request.scope
    tabs = []
    for page in tab_pages():
        if page.tab.allowed(scope, tenant):
            url = reverse(page.url_name, kwargs={"tenant_id": tenant.pk})
            tabs.append({"url": url, "label": page.tab.label, "active": request.path == url})
    return tabs


def navigation(request):
    scope = getattr(request, "scope", None)
    # The navigation follows whom the page is seen as (view-as), not who is typing.
    role = getattr(scope, "role_family", None) if scope else None
    if role is None:
        return {"nav_role": None, "nav_items": [], "viewing_as": None}
    patience = switch_patience_seconds()
    current = request.path
    items = []
    menus: dict = {}
    for page in nav_pages():
        nav = page.nav
        if not nav.shown_to(role, scope):
            continue
        url = reverse(page.url_name)
        active = current == url if url == "/" else current.startswith(url)
        item = {"url": url, "label": nav.label, "active": active}
        group = nav.group_for(role)
        if group is None:
            items.append(item)
        elif str(group) in menus:
            menus[str(group)]["entries"].append(item)
        else:
            # The menu stands where its first entry would have.
            menus[str(group)] = {"label": group, "entries": [item]}
            items.append(menus[str(group)])
    for menu in menus.values():
        menu["active"] = any(item["active"] for item in menu["entries"])
    return {
        "nav_role": role,
        "nav_items": items,
        "viewing_as": scope.user if scope.acting_user else None,
        "switch_patience_seconds": patience,
    }


def switch_patience_seconds() -> int:
    """How long a page may wait for the switch: a read is tried three times, each with
    its connect and read timeouts (the platform's defaults; vos3000.client)."""
    per_try = settings.VOS_CONNECT_TIMEOUT + settings.VOS_READ_TIMEOUT
    return int(per_try * (1 + getattr(settings, "VOS_READ_RETRIES", 2)))
