"""Tenant pages, view-as and linking VOS accounts to tenants. Every lookup goes through
``request.scope``; nothing here decides visibility on its own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit, services
from accounts.middleware import VIEW_AS_SESSION_KEY
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from accounts.tenant_forms import TenantLinkForm, TenantSearchForm
from telephony import vos
from vos3000.errors import VosError

PAGE_SIZE = 50


@login_required
def tenant_list(request):
    scope = request.scope
    form = TenantSearchForm(request.GET or None)
    tenants = scope.tenants().exclude(kind=Tenant.Kind.PLATFORM)
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            tenants = tenants.filter(Q(name__icontains=query) | Q(vos_account__icontains=query))
        if kind := form.cleaned_data["kind"]:
            tenants = tenants.filter(kind=kind)
    # Ordered by path, the list reads as the tree; keyset on path keeps paging cheap.
    tenants = tenants.order_by("path")
    after = request.GET.get("after", "")
    if after:
        tenants = tenants.filter(path__gt=after)
    page = list(tenants[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "tenants": page[:PAGE_SIZE],
        "next_after": page[PAGE_SIZE - 1].path if len(page) > PAGE_SIZE else "",
        "base_depth": scope.tenant.depth if scope.tenant else 0,
    }
    template = "tenants/list.html#tenant-rows" if request.htmx else "tenants/list.html"
    return render(request, template, context)


@login_required
def tenant_detail(request, tenant_id: int):
    scope = request.scope
    tenant = scope.tenant_or_404(tenant_id)
    users = scope.users().filter(tenant=tenant).select_related("tenant").order_by("email")
    return render(
        request,
        "tenants/detail.html",
        {
            "tenant": tenant,
            "ancestors": tenant.ancestors().filter(path__startswith=scope.tenant.path),
            "children": tenant.children.order_by("name"),
            "users": [(user, scope.may_view_as(user)) for user in users],
        },
    )


@login_required
@require_POST
def view_as_start(request, user_id: int):
    scope = request.scope
    target = scope.user_or_404(user_id)
    if not scope.may_view_as(target):
        raise OutOfScope("view-as not allowed")
    request.session[VIEW_AS_SESSION_KEY] = target.pk
    audit.record("user.view_as.start", scope=scope, target=target, tenant=target.tenant)
    messages.info(
        request, _("You are now viewing the portal as %(email)s.") % {"email": target.email}
    )
    return redirect("dashboard")


@login_required
@require_POST
def view_as_stop(request):
    scope = request.scope
    if scope.acting_user is not None:
        audit.record("user.view_as.stop", scope=scope, target=scope.user, tenant=scope.user.tenant)
    request.session.pop(VIEW_AS_SESSION_KEY, None)
    return redirect("dashboard")


@login_required
def tenant_link(request):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    form = TenantLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = services.link_vos_account(
                data["server"], data["vos_account"].strip(), data["kind"]
            )
        except services.LinkRefused as exc:
            form.add_error("vos_account", str(exc))
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc))
        else:
            audit.record(
                "tenant.link",
                scope=scope,
                target=tenant,
                vos_server=data["server"],
                after={
                    "vos_account": tenant.vos_account,
                    "kind": tenant.kind,
                    "parent": tenant.parent_id,
                },
            )
            messages.success(request, _("%(name)s is now a tenant.") % {"name": tenant.name})
            return redirect("tenant_detail", tenant_id=tenant.pk)
    return render(request, "tenants/link.html", {"form": form})
