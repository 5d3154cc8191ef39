"""A customer's phones: the list with registration status, create, every setting,
password, delete. Every lookup goes through ``request.scope``; every VOS call through
``switch.vos.call`` (by way of selectors and services)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Tenant
from accounts.roles import Action
from switch import vos
from switch.shortcuts import (
    customer,
    not_linked,
    require_provider,
    run_delete,
    unavailable,
)
from telephony.phones import selectors, services
from telephony.phones.forms import (
    CUSTOMER_PATHS,
    GROUP_PATHS,
    VA,
    PeriodForwardingFormSet,
    PhoneCreateForm,
    PhonePasswordForm,
    PhoneSettingsForm,
    period_initial,
)
from vos3000.errors import VosError, VosValidationError
from web import querystring
from web.htmx import render_page_or_partial

PAGE_SIZE = 25


@login_required
def my_phones(request):
    """The navigation's "My phones": a customer's own phone list; others pick a customer."""
    if request.scope.is_customer:
        return redirect("phone_list", tenant_id=request.scope.tenant.pk)
    return redirect("tenant_list")


def _matches(row: dict, query: str) -> bool:
    query = query.lower()
    return any(
        query in str(row.get(key) or "").lower() for key in ("e164", "displayNumber", "memo")
    )


@login_required
def phone_list(request, tenant_id: int):
    scope = request.scope
    tenant = customer(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    query = querystring.text(request, "q")[:64]
    context = {
        "tenant": tenant,
        "q": query,
        "may_create": scope.is_provider and scope.can(Action.CHANGE),
        "may_change": scope.can(Action.CHANGE),
    }
    try:
        rows = selectors.phones(scope, tenant)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Phones"))
    if query:
        rows = [row for row in rows if _matches(row, query)]
    page = Paginator(rows, PAGE_SIZE).get_page(querystring.page_number(request))
    # One GetPhoneOnline for the whole page, about the phones just read, started now:
    # the layout renders while VOS answers; the template first asks at the table.
    registrations = selectors.online_soon(scope, tenant, [row["e164"] for row in page])
    status = SimpleLazyObject(lambda: _status(registrations))
    edit, delete = _row_urls(tenant)
    context.update(
        {
            "page": page,
            "phones": SimpleLazyObject(
                lambda: [
                    (row, status["online"].get(row["e164"]), edit(row), delete(row)) for row in page
                ]
            ),
            "status_error": SimpleLazyObject(lambda: status["error"]),
            "read_at": timezone.now(),
        }
    )
    return render_page_or_partial(request, "phones/list.html", "phone-rows", context)


def _status(registrations) -> dict:
    try:
        return {"online": registrations(), "error": ""}
    except VosError as exc:
        return {"online": {}, "error": vos.describe_error(exc)}


_E164_MARK = "e164-mark-0"  # no URL part else contains it


def _row_urls(tenant):
    """A row's edit and delete URLs, from one reverse() each per page (two per row were a
    measurable part of a 25-row page), quoted as reverse() quotes a path part."""
    edit = reverse("phone_edit", args=[tenant.pk, _E164_MARK])
    delete = reverse("phone_delete", args=[tenant.pk, _E164_MARK])

    def part(row) -> str:
        return quote(str(row["e164"]), safe="!$&'()*+,;=~:@")

    return (
        lambda row: edit.replace(_E164_MARK, part(row)),
        lambda row: delete.replace(_E164_MARK, part(row)),
    )


def _no_store(response):
    """A page showing a password once must not be kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def phone_create(request, tenant_id: int):
    scope = request.scope
    tenant = customer(request, tenant_id)
    require_provider(scope, Action.CHANGE)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    form = PhoneCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.create_phone(scope, tenant, form.to_payload())
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            e164 = form.cleaned_data["e164"]
            messages.success(request, _("Phone %(e164)s created.") % {"e164": e164})
            return _no_store(
                render(
                    request,
                    "phones/password_shown.html",
                    {
                        "tenant": tenant,
                        "e164": e164,
                        "password": password,
                        "created": True,
                        "connection": selectors.connection(tenant, e164, password),
                    },
                )
            )
    return render(request, "phones/create.html", {"tenant": tenant, "form": form})


def _settings_options(scope, tenant) -> dict:
    """Which groups the viewer sees and which settings they may change."""
    visible = ["basic", "limits", "value_added"]
    if scope.is_platform:
        visible.append("advanced")
    if not scope.can(Action.CHANGE):
        editable = frozenset()
    elif scope.is_platform:
        editable = frozenset().union(*GROUP_PATHS.values())
    elif scope.is_provider:
        editable = frozenset().union(*(GROUP_PATHS[key] for key in visible))
    else:
        editable = CUSTOMER_PATHS
    account_choices = None
    if scope.is_platform and scope.can(Action.CHANGE):
        account_choices = [
            (t.vos_account, f"{t.name} ({t.vos_account})")
            for t in scope.tenants()
            .filter(kind=Tenant.Kind.CUSTOMER, server_id=tenant.server_id)
            .exclude(vos_account="")
            .order_by("name")
        ]
    limit_groups = None
    if not scope.is_platform:
        limit_groups = set(
            selectors.limited_groups(scope)
            .filter(server_id=tenant.server_id)
            .values_list("name", flat=True)
        )
    return {
        "visible_groups": visible,
        "editable": editable,
        "account_choices": account_choices,
        "limit_groups": limit_groups,
    }


@login_required
def phone_edit(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant = customer(request, tenant_id)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    if request.method == "POST":
        scope.require(Action.CHANGE)
    try:
        phone = selectors.phone_or_404(scope, tenant, e164)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Phone %(e164)s") % {"e164": e164})
    options = _settings_options(scope, tenant)
    initial = PhoneSettingsForm.initial_from(phone)
    periods_editable = f"{VA}periodForwarding" in options["editable"]
    data = request.POST if request.method == "POST" else None
    form = PhoneSettingsForm(data, initial=initial, **options)
    periods = PeriodForwardingFormSet(
        data, initial=period_initial(phone), prefix="period", editable=periods_editable
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (not periods_editable or periods.is_valid())
    ):
        payload = form.to_payload()
        if periods_editable:
            payload.setdefault("infoPhoneValueAdded", {})[
                "infoPhoneValueAddedPeriodForwardings"
            ] = periods.to_wire()
        try:
            services.modify_phone(scope, tenant, phone, payload)
        except VosValidationError as exc:
            form.add_vos_error(exc)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(request, _("Settings of %(e164)s saved.") % {"e164": e164})
            moved_to = payload.get("account")
            if moved_to and moved_to != tenant.vos_account:
                target = scope.tenants().filter(server=tenant.server, vos_account=moved_to).first()
                if target is not None:
                    return redirect("phone_edit", tenant_id=target.pk, e164=e164)
            return redirect("phone_edit", tenant_id=tenant.pk, e164=e164)
    return render(
        request,
        "phones/edit.html",
        {
            "tenant": tenant,
            "phone": phone,
            "form": form,
            "periods": periods,
            "may_change": scope.can(Action.CHANGE),
            "may_delete": scope.is_provider and scope.can(Action.CHANGE),
            "is_customer": not scope.is_provider,
            "password_form": PhonePasswordForm(),
            "connection": selectors.connection(tenant, e164),
        },
    )


@login_required
@require_POST
@never_cache
def phone_password(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant = customer(request, tenant_id)
    scope.require(Action.CHANGE)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        phone = selectors.phone_or_404(scope, tenant, e164)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Phone %(e164)s") % {"e164": e164})
    form = PhonePasswordForm(request.POST)
    if form.is_valid():
        try:
            password = services.set_phone_password(
                scope, tenant, phone, form.cleaned_data["password"]
            )
        except VosValidationError as exc:
            form.add_error("password", exc.message)
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc, write=True))
        else:
            messages.success(request, _("The password of %(e164)s was changed.") % {"e164": e164})
            return _no_store(
                render(
                    request,
                    "phones/password_shown.html",
                    {
                        "tenant": tenant,
                        "e164": e164,
                        "password": password,
                        "created": False,
                        "connection": selectors.connection(tenant, e164, password),
                    },
                )
            )
    return render(request, "phones/password.html", {"tenant": tenant, "phone": phone, "form": form})


@login_required
def phone_delete(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant = customer(request, tenant_id)
    require_provider(scope, Action.CHANGE)
    if not tenant.is_linked:
        return not_linked(request, tenant)
    try:
        phone = selectors.phone_or_404(scope, tenant, e164)
    except VosError as exc:
        return unavailable(request, tenant, exc, title=_("Phone %(e164)s") % {"e164": e164})
    error = ""
    if request.method == "POST":
        answer, error = run_delete(
            request,
            lambda: services.delete_phone(scope, tenant, phone),
            deleted=_("Phone %(e164)s deleted.") % {"e164": e164},
            done_url=reverse("phone_list", kwargs={"tenant_id": tenant.pk}),
        )
        if answer is not None:
            return answer
    return render(request, "phones/delete.html", {"tenant": tenant, "phone": phone, "error": error})
