"""Limited-E164 groups: named lists of numbers that phones and gateways allow or forbid
(``callerLimitE164Groups`` / ``calleeLimitE164Groups``).

VOS keeps the groups in one global namespace and cannot list them, so the portal
records who owns each group it creates (``LimitedE164Group``): resellers see and change
the groups of their subtree, the platform all of them, customers none.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from telephony import selectors, services
from telephony.forms_numbers import LimitedGroupForm, LimitedNumbersForm
from telephony.models import VosServer
from telephony.views_common import require_provider, write_error
from vos3000.errors import VosError, VosValidationError


def _owner_choices(scope) -> list[tuple[str, str]]:
    """Who may own a new group: the resellers in the scope that have a VOS account, and
    for admins the platform itself (on each server)."""
    choices = []
    if scope.is_platform:
        choices += [
            (f"p:{server.pk}", _("Platform (%(server)s)") % {"server": server.name})
            for server in VosServer.objects.filter(enabled=True)
        ]
    resellers = (
        scope.tenants()
        .filter(kind=Tenant.Kind.RESELLER, status=Tenant.Status.ACTIVE, server__isnull=False)
        .exclude(vos_account="")
        .select_related("server")
        .order_by("path")
    )
    choices += [(f"t:{t.pk}", f"{t.name} ({t.vos_account})") for t in resellers]
    return choices


def _resolve_owner(scope, value: str):
    """(owner tenant, server) of an owner choice, checked against the scope again."""
    kind, _sep, pk = value.partition(":")
    if kind == "p" and scope.is_platform:
        return Tenant.platform_root(), VosServer.objects.get(pk=int(pk), enabled=True)
    owner = scope.tenant_or_404(pk)
    if owner.kind != Tenant.Kind.RESELLER or not owner.server_id or not owner.vos_account:
        raise OutOfScope("a group owner is a reseller with a VOS account")
    return owner, owner.server


@login_required
def limited_group_list(request):
    scope = request.scope
    may_create = scope.is_provider and scope.can(Action.CHANGE)
    form = None
    if may_create:
        form = LimitedGroupForm(request.POST or None, owners=_owner_choices(scope))
    if request.method == "POST":
        require_provider(scope, Action.CHANGE)
        if form.is_valid():
            owner, server = _resolve_owner(scope, form.cleaned_data["owner"])
            try:
                group = services.create_limited_group(
                    scope,
                    server=server,
                    owner=owner,
                    name=form.cleaned_data["name"],
                    memo=form.cleaned_data["memo"],
                    numbers=form.cleaned_data["numbers"],
                )
            except services.GroupExists as exc:
                form.add_error("name", _("A group named %(name)s exists already.") % {"name": exc})
            except VosValidationError as exc:
                form.add_error("numbers", exc.message)
            except VosError as exc:
                form.add_error(None, write_error(exc))
            else:
                messages.success(request, _("Group %(name)s created.") % {"name": group.name})
                return redirect("limited_group_detail", group_id=group.pk)
    groups = (
        selectors.limited_groups(scope).annotate(number_count=Count("numbers")).order_by("name")
    )
    return render(
        request,
        "numbers/limited_list.html",
        {"groups": groups, "form": form, "is_provider": scope.is_provider},
    )


@login_required
def limited_group_detail(request, group_id: int):
    scope = request.scope
    group = selectors.limited_group_or_404(scope, group_id)
    may_change = scope.can(Action.CHANGE)
    form = LimitedNumbersForm()
    confirm_delete = False
    error = ""
    if request.method == "POST":
        require_provider(scope, Action.CHANGE)
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = LimitedNumbersForm(request.POST)
                if form.is_valid():
                    services.add_limited_numbers(scope, group, form.cleaned_data["numbers"])
                    messages.success(request, _("Numbers added."))
                    return redirect("limited_group_detail", group_id=group.pk)
            elif action == "remove":
                chosen = request.POST.getlist("e164")
                known = set(group.numbers.filter(e164__in=chosen).values_list("e164", flat=True))
                if not known:
                    error = _("Tick the numbers to remove.")
                elif services.remove_limited_numbers(scope, group, sorted(known)):
                    messages.success(request, _("The group is gone with its last number."))
                    return redirect("limited_group_list")
                else:
                    messages.success(request, _("Numbers removed."))
                    return redirect("limited_group_detail", group_id=group.pk)
            elif action == "delete":
                if request.POST.get("confirm") != "yes" and not request.htmx:
                    confirm_delete = True
                else:
                    name = group.name
                    services.delete_limited_group(scope, group)
                    messages.success(request, _("Group %(name)s deleted.") % {"name": name})
                    if request.htmx:
                        response = HttpResponse("")
                        response["HX-Redirect"] = reverse("limited_group_list")
                        return response
                    return redirect("limited_group_list")
        except VosValidationError as exc:
            error = exc.message
        except VosError as exc:
            error = write_error(exc)
    return render(
        request,
        "numbers/limited_detail.html",
        {
            "group": group,
            "numbers": group.numbers.all(),
            "form": form,
            "may_change": may_change and scope.is_provider,
            "confirm_delete": confirm_delete,
            "error": error,
        },
    )
