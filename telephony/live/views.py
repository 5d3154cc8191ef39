"""Live pages: calls in progress (every role, scoped), online phones (platform), and the
live fragments of the dashboards and the customer home. htmx polls the fragments; they
read only the shared snapshots (telephony.live.selectors), never VOS per viewer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Action
from switch import vos
from telephony.live import selectors
from telephony.live.forms import LiveSearchForm
from vos3000.errors import VosError
from web.htmx import redirect_after, render_page_or_partial


def _refresh_seconds() -> int:
    return int(settings.LIVE_REFRESH_SECONDS)


@login_required
def live_calls(request):
    """The calls in progress the user may see; the table is a fragment htmx refreshes."""
    scope = request.scope
    scope.require(Action.VIEW)
    q, state, search_error = LiveSearchForm(request.GET).search()
    servers = selectors.servers_for(scope)
    calls = list(selectors.live_calls(scope, servers=servers, q=q, state=state))
    polls = selectors.poll_status(servers, "calls")
    context = {
        "calls": calls,
        "q": q,
        "state": state,
        "search_error": search_error,
        "polls": [(server, polls.get(server.pk)) for server in servers],
        "sees_gateways": scope.sees_gateways,
        "may_disconnect": scope.can(Action.CHANGE),
        "refresh_seconds": _refresh_seconds(),
        "query": request.GET.urlencode(),
    }
    return render_page_or_partial(request, "live/calls.html", "live-calls", context)


@login_required
def live_call_disconnect(request, server_id: int, call_id: int):
    """End a call (DisconnectCurrentCall, audited by vos.call). The call must be in the
    scope's own snapshot; the guard checks its id again. GET: the confirmation page for
    browsers without JavaScript; htmx confirms with hx-confirm."""
    scope = request.scope
    call = selectors.call_or_404(scope, server_id, call_id)
    scope.require(Action.CHANGE)
    error = ""
    if request.method == "POST":
        try:
            vos.call(
                scope,
                call.server,
                "DisconnectCurrentCall",
                {"CallIds": call.call_id},
                verified={str(call.call_id)},
            )
        except VosError as exc:
            error = vos.describe_error(exc, write=True)
        else:
            call.released = True
            call.save(update_fields=["released", "updated_at"])
            messages.success(request, _("The call was disconnected."))
            return redirect_after(request, reverse("live_calls"))
        if request.htmx:
            messages.error(request, error)
            return redirect_after(request, reverse("live_calls"))
    return render(
        request,
        "live/confirm_disconnect.html",
        {"call": call, "error": error, "sees_gateways": scope.sees_gateways},
    )


@login_required
def live_phones(request):
    """Online phones per server with device, IPs and registration time (platform)."""
    scope = request.scope
    scope.require_platform(Action.VIEW)
    servers = selectors.servers_for(scope)
    q, _state, search_error = LiveSearchForm(request.GET).search()
    phones = selectors.online_phones(scope, servers=servers)
    if q:
        phones = phones.filter(e164__contains=q)
    polls = selectors.poll_status(servers, "phones")
    context = {
        "phones": list(phones[:1000]),
        "q": q,
        "search_error": search_error,
        "polls": [(server, polls.get(server.pk)) for server in servers],
        "refresh_seconds": _refresh_seconds(),
        "query": request.GET.urlencode(),
    }
    return render_page_or_partial(request, "live/phones.html", "live-phones", context)
