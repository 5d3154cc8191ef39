"""The home page of each role, and its live panel."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Tenant
from accounts.roles import ADMIN, Action, role_of
from dashboard import selectors
from web.htmx import is_htmx


@login_required
def dashboard(request):
    """The home page of each family: a customer's own account, a reseller's subtree
    (``selectors.subtree_summary``, cached a minute: tens of VOS calls for a big
    subtree), an admin's platform totals. Every panel shows its own VOS failure in
    words; none is a 500."""
    scope = request.scope
    context: dict = {"family": role_of(scope.user)}
    tenant = scope.tenant
    if tenant is not None and tenant.kind == Tenant.Kind.CUSTOMER:
        context["home"] = selectors.customer_home(scope, tenant)
        context["tenant"] = tenant
    elif tenant is not None and tenant.kind == Tenant.Kind.RESELLER:
        context["summary"] = selectors.subtree_summary(scope)
        context["topups"] = selectors.recent_topups(scope)
        context["linked"] = tenant.is_linked
        context["overview"] = selectors.traffic_overview(scope, timezone.get_current_timezone())
    elif context["family"] == ADMIN:
        context["platform"] = selectors.platform_summary(scope)
        context["perms_run_platform"] = scope.can(Action.RUN_PLATFORM)
        context["topups"] = selectors.recent_topups(scope)
        context["overview"] = selectors.traffic_overview(scope, timezone.get_current_timezone())
    if tenant is not None:
        # The live panel, refreshed by htmx from ``live_panel`` below.
        context["live"] = selectors.live_panel(scope)
        context["refresh_seconds"] = settings.LIVE_REFRESH_SECONDS
    return render(request, "accounts/dashboard.html", context)


@login_required
def live_dashboard(request):
    """The live fragment of the dashboards and the customer home: it reads only the
    shared snapshots (telephony.live), never VOS per viewer."""
    scope = request.scope
    scope.require(Action.VIEW)
    if not is_htmx(request):
        # A fragment has no page of its own: typed in or bookmarked, it opens the page
        # that holds it.
        return redirect("dashboard")
    return render(
        request,
        "live/_dashboard.html",
        {
            "live": selectors.live_panel(scope),
            "refresh_seconds": int(settings.LIVE_REFRESH_SECONDS),
        },
    )
