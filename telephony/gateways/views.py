"""Mapping and routing gateways of each VOS server, for platform admins (auditors read):
lists with their online state, create, edit (every field of the manual, in sections)
and delete. Everyone else gets 404: gateway and vendor names are the platform's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.roles import Action
from switch import vos
from switch.servers import enabled_server_or_404, enabled_servers
from switch.shortcuts import run_delete, write_on_form
from telephony.gateways import selectors, services
from telephony.gateways.forms import GatewaySearchForm, form_class
from vos3000.errors import VosError
from web.htmx import render_page_or_partial


def _page(request, server_id: int, kind: str):
    """Platform only (404 for anyone else, before anything is looked up); a POST needs
    CHANGE, which auditors lack. The server and the gateway kind of the URL."""
    scope = request.scope
    scope.require_platform(Action.CHANGE if request.method == "POST" else Action.VIEW)
    return scope, enabled_server_or_404(server_id), selectors.kind_or_404(kind)


def _context(scope, server, kind, **extra) -> dict:
    return {
        "server": server,
        "kind": kind,
        "kinds": selectors.KINDS.values(),
        "servers": enabled_servers(),
        "may_change": scope.can(Action.CHANGE),
        **extra,
    }


def _unavailable(request, scope, server, kind, exc, *, name: str = ""):
    """A gateway page VOS could not answer for: the reason in words, status 200."""
    return render(
        request,
        "gateways/unavailable.html",
        _context(scope, server, kind, error=vos.describe_error(exc), name=name),
    )


@login_required
def gateway_index(request):
    """The first server's routing gateways, or a word that there is no server yet."""
    request.scope.require_platform()
    first = enabled_servers().first()
    if first is None:
        return render(request, "gateways/no_server.html")
    return redirect("gateway_list", server_id=first.pk, kind=selectors.ROUTING.key)


@login_required
@never_cache
def gateway_list(request, server_id: int, kind: str):
    scope, server, kind = _page(request, server_id, kind)
    query, state = GatewaySearchForm(request.GET).search()
    rows, error = [], ""
    try:
        rows = selectors.gateway_rows(scope, server, kind, query=query, state=state)
    except VosError as exc:
        error = vos.describe_error(exc)
    context = _context(
        scope,
        server,
        kind,
        rows=rows,
        error=error,
        query=query,
        state=state,
        states=[
            ("", _("All")),
            (selectors.ONLINE, _("Online")),
            (selectors.OFFLINE, _("Offline")),
        ],
    )
    # The search box swaps the table only; a history restore needs the whole page.
    return render_page_or_partial(request, "gateways/list.html", "gateway-table", context)


def _form_page(request, scope, server, kind, form, *, name: str = ""):
    if not scope.can(Action.CHANGE):
        for field in form.fields.values():
            field.disabled = True  # auditors read the settings; nothing to submit
    return render(
        request,
        "gateways/edit.html",
        _context(scope, server, kind, form=form, name=name, sections=form.sections()),
    )


@login_required
def gateway_create(request, server_id: int, kind: str):
    scope, server, kind = _page(request, server_id, kind)
    scope.require_platform(Action.CHANGE)
    accounts = selectors.account_choices(scope, server)
    form = form_class(kind, edit=False)(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        payload = form.to_payload()
        if write_on_form(form, lambda: services.create_gateway(scope, server, kind, payload)):
            messages.success(
                request,
                _("The %(kind)s %(name)s was created.")
                % {"kind": kind.singular, "name": payload["name"]},
            )
            return redirect(
                "gateway_edit", server_id=server.pk, kind=kind.key, name=payload["name"]
            )
    return _form_page(request, scope, server, kind, form)


@login_required
@never_cache
def gateway_edit(request, server_id: int, kind: str, name: str):
    scope, server, kind = _page(request, server_id, kind)
    try:
        before = selectors.gateway(scope, server, kind, name)
    except VosError as exc:
        return _unavailable(request, scope, server, kind, exc, name=name)
    cls = form_class(kind, edit=True)
    form = cls(
        request.POST or None,
        initial=cls.initial_from(before),
        accounts=selectors.account_choices(scope, server),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and write_on_form(
            form, lambda: services.modify_gateway(scope, server, kind, before, form.to_payload())
        )
    ):
        messages.success(
            request,
            _("The %(kind)s %(name)s was saved.") % {"kind": kind.singular, "name": name},
        )
        return redirect("gateway_edit", server_id=server.pk, kind=kind.key, name=name)
    return _form_page(request, scope, server, kind, form, name=name)


@login_required
def gateway_delete(request, server_id: int, kind: str, name: str):
    """The confirmation page (without JavaScript) and the delete. From the list's htmx
    button (after hx-confirm) both outcomes are a toast: the row goes, or stays."""
    scope, server, kind = _page(request, server_id, kind)
    error = ""
    try:
        before = selectors.gateway(scope, server, kind, name)
    except VosError as exc:
        return _unavailable(request, scope, server, kind, exc, name=name)
    if request.method == "POST":
        answer, error = run_delete(
            request,
            lambda: services.delete_gateway(scope, server, kind, before),
            deleted=_("The %(kind)s %(name)s was deleted.") % {"kind": kind.singular, "name": name},
            done_url=reverse("gateway_list", kwargs={"server_id": server.pk, "kind": kind.key}),
        )
        if answer is not None:
            return answer
    return render(
        request,
        "gateways/confirm_delete.html",
        _context(scope, server, kind, name=name, error=error, gateway=before),
    )
