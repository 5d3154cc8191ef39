"""The webhook pages (Settings > Webhooks): the endpoints a user may see, a new endpoint
(its secret shown once), one endpoint's settings and delivery log with Replay, "Send test
event", a new secret and delete. Reads need the view right; every write the
manage-users right (managers and customer owners), and is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action
from web.htmx import redirect_after, render_page_or_partial
from webhooks import selectors, services, signing
from webhooks.forms import EndpointForm


def _shown_once(request, endpoint, secret: str):
    context = {"endpoint": endpoint, "secret": secret, "header": signing.HEADER}
    return render_page_or_partial(request, "webhooks/secret.html", "secret", context)


@login_required
def endpoint_list(request):
    scope = request.scope
    endpoints = selectors.visible_endpoints(scope).order_by("tenant__path", "pk")
    context = {
        "endpoints": endpoints,
        "may_manage": scope.can(Action.MANAGE_USERS),
        "header": signing.HEADER,
    }
    return render_page_or_partial(request, "webhooks/list.html", "endpoints", context)


@login_required
def endpoint_create(request):
    scope = request.scope
    if not scope.can(Action.MANAGE_USERS):
        return redirect("webhook_list")
    form = EndpointForm(request.POST or None, tenant=scope.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        endpoint, secret = services.create_endpoint(
            scope, url=data["url"], description=data["description"], events=data["events"]
        )
        return _shown_once(request, endpoint, secret)
    return render_page_or_partial(request, "webhooks/create.html", "endpoint-form", {"form": form})


@login_required
def endpoint_detail(request, endpoint_id: int):
    scope = request.scope
    endpoint = selectors.endpoint_or_404(scope, endpoint_id)
    may_manage = scope.can(Action.MANAGE_USERS)
    form = None
    if may_manage:
        before = services._audited(endpoint)
        form = EndpointForm(request.POST or None, instance=endpoint, tenant=endpoint.tenant)
        if request.method == "POST" and form.is_valid():
            services.change_endpoint(scope, form.save(commit=False), before)
            messages.success(request, _("Webhook endpoint saved."))
            return redirect_after(request, reverse("webhook_detail", args=[endpoint.pk]))
    context = {
        "endpoint": endpoint,
        "form": form,
        "may_manage": may_manage,
        "deliveries": selectors.deliveries_of(endpoint),
    }
    return render_page_or_partial(request, "webhooks/detail.html", "endpoint", context)


@login_required
@require_POST
def endpoint_delete(request, endpoint_id: int):
    scope = request.scope
    endpoint = selectors.endpoint_or_404(scope, endpoint_id)
    scope.require(Action.MANAGE_USERS)
    services.delete_endpoint(scope, endpoint)
    messages.success(request, _("Webhook endpoint deleted."))
    return redirect_after(request, reverse("webhook_list"))


@login_required
@require_POST
def endpoint_test(request, endpoint_id: int):
    scope = request.scope
    endpoint = selectors.endpoint_or_404(scope, endpoint_id)
    scope.require(Action.MANAGE_USERS)
    services.send_test(scope, endpoint)
    messages.success(request, _("Test event queued: its delivery shows in the log below."))
    return redirect_after(request, reverse("webhook_detail", args=[endpoint.pk]))


@login_required
@require_POST
def endpoint_secret(request, endpoint_id: int):
    scope = request.scope
    endpoint = selectors.endpoint_or_404(scope, endpoint_id)
    scope.require(Action.MANAGE_USERS)
    return _shown_once(request, endpoint, services.new_secret(scope, endpoint))


@login_required
@require_POST
def delivery_replay(request, delivery_id: int):
    scope = request.scope
    original = selectors.delivery_or_404(scope, delivery_id)
    scope.require(Action.MANAGE_USERS)
    services.replay(scope, original)
    messages.success(request, _("Delivery queued again: it shows at the top of the log."))
    return redirect_after(request, reverse("webhook_detail", args=[original.endpoint_id]))
