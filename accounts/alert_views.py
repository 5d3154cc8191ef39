"""The notification list (each person's own) and the low-balance thresholds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import alert_selectors, alert_services
from accounts.alert_forms import ThresholdForm
from accounts.alerts import low_balance_threshold
from accounts.models import AlertKind, AlertSettings, AlertState
from accounts.roles import Action
from accounts.scope import OutOfScope
from accounts.sessions import redirect_to

PAGE_SIZE = 50


def _read_only(scope) -> bool:
    """Someone viewing as this person sees their list but does not read it for them."""
    return scope.acting_user is not None


@login_required
def notification_list(request):
    scope = request.scope
    rows = alert_selectors.notifications(scope)
    if request.GET.get("unread") == "1":
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": request.GET.get("unread") == "1",
        "unread": alert_selectors.unread_count(scope.user),
        "read_only": _read_only(scope),
    }
    template = (
        "alerts/notifications.html#notification-list"
        if request.htmx
        else "alerts/notifications.html"
    )
    return render(request, template, context)


@login_required
def notification_read(request, notification_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope = request.scope
    notification = alert_selectors.notification_or_404(scope, notification_id)
    if _read_only(scope):
        messages.info(request, _("Notifications stay unread while you view as someone else."))
        return redirect_to(request, reverse("notification_list"))
    alert_services.mark_read(scope, notification)
    if request.htmx:
        return render(
            request,
            "alerts/notifications.html#notification-item",
            {
                "notification": notification,
                "unread": alert_selectors.unread_count(scope.user),
                "oob_count": True,
            },
        )
    return redirect("notification_list")


@login_required
def notification_read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope = request.scope
    if _read_only(scope):
        messages.info(request, _("Notifications stay unread while you view as someone else."))
    else:
        count = alert_services.mark_all_read(scope)
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect_to(request, reverse("notification_list"))


@login_required
def alert_settings(request):
    """A customer's own alert settings are its account's Alerts tab; providers set
    each customer's there too, and see here how thresholds work."""
    from billing.models import MoneySettings

    scope = request.scope
    if scope.is_customer:
        return redirect("customer_alerts", tenant_id=scope.tenant.pk)
    return render(
        request,
        "alerts/settings.html",
        {"default_threshold": MoneySettings.current().low_balance_threshold},
    )


@login_required
def customer_alerts(request, tenant_id: int):
    """A customer's low-balance threshold: set by its owner, its reseller or an admin;
    read by everyone else who may see the account."""
    from billing.models import MoneySettings

    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    scope.require(Action.VIEW)
    may_set = alert_services.may_set_threshold(scope, tenant)
    own = AlertSettings.objects.filter(tenant=tenant).first()
    initial = {"low_balance_threshold": own.low_balance_threshold if own else None}
    form = ThresholdForm(initial=initial) if may_set else None
    if request.method == "POST":
        if not may_set:
            # Viewers and auditors read the page; their POST is refused like any other.
            raise OutOfScope(f"tenant {tenant.pk}: threshold not changeable by this user")
        form = ThresholdForm(request.POST)
        if form.is_valid():
            alert_services.set_threshold(scope, tenant, form.cleaned_data["low_balance_threshold"])
            messages.success(request, _("Alert settings saved."))
            return redirect_to(request, reverse("customer_alerts", kwargs={"tenant_id": tenant.pk}))
    state = (
        AlertState.objects.filter(
            kind=AlertKind.LOW_BALANCE, server_id=tenant.server_id, subject=tenant.vos_account
        ).first()
        if tenant.server_id and tenant.vos_account
        else None
    )
    return render(
        request,
        "alerts/customer.html",
        {
            "tenant": tenant,
            "form": form,
            "may_set": may_set,
            "own_threshold": own.low_balance_threshold if own else None,
            "threshold": low_balance_threshold(tenant),
            "default_threshold": MoneySettings.current().low_balance_threshold,
            "state": state,
        },
    )
