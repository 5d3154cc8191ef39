"""Navigation for the signed-in user's role, built in one place."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN, CUSTOMER, RESELLER, role_of

# (url name, label, roles that see it). Pages join this list as they are built.
NAV_ITEMS = [
    ("dashboard", _("Dashboard"), {ADMIN, RESELLER, CUSTOMER}),
    ("tenant_list", _("Accounts"), {ADMIN, RESELLER}),
    ("admin:index", _("Administration"), {ADMIN}),
]

# (url name, label, action the scope must allow): pages for some roles of a family only.
NAV_ITEMS_BY_ACTION = [
    ("user_list", _("Users"), "manage_users"),
    ("audit_list", _("Audit"), "view_audit"),
]


def navigation(request):
    scope = getattr(request, "scope", None)
    # The navigation follows whom the page is seen as (view-as), not who is typing.
    role = role_of(scope.user) if scope else None
    if role is None:
        return {"nav_role": None, "nav_items": [], "viewing_as": None}
    current = request.path
    items = []
    for url_name, label, roles in NAV_ITEMS:
        if role in roles:
            url = reverse(url_name)
            active = current == url if url == "/" else current.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    for url_name, label, action in NAV_ITEMS_BY_ACTION:
        if scope.can(action):
            url = reverse(url_name)
            items.append({"url": url, "label": label, "active": current.startswith(url)})
    return {
        "nav_role": role,
        "nav_items": items,
        "viewing_as": scope.user if scope.acting_user else None,
    }
