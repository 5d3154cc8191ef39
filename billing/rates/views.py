"""Rates, fee rate group grants and suites, and the helpers a customer's tab pages share
(``customer_page``, ``not_allowed``, ``vos_error_message``). Every lookup goes through
``request.scope`` (directly or in billing.rates.selectors / services); a foreign object
is a 404 before anything else is looked at, whatever the method."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Tenant
from billing import rating
from billing.models import FeeRateGroupGrant
from billing.rates import forms, selectors, services
from billing.rates.selectors import NotLinked
from switch import labels, vos
from switch.servers import enabled_servers
from switch.shortcuts import READS, customer_page, not_allowed, vos_error_message
from vos3000.client.dates import moment_from_ms
from vos3000.errors import VosError, VosValidationError
from web import querystring
from web.downloads import safe_cell
from web.htmx import keep_in_place

RATES_PER_PAGE = 50


# Resellers listed with their grants on the rates page (a tree rarely has more).
RESELLERS_LISTED = 500


# --- Rates -------------------------------------------------------------------------------
def _rate_server(request):
    return selectors.server_for(request.scope, querystring.text(request, "server") or None)


def _server_query(request, server) -> str:
    """``?server=`` to carry along for admins choosing among several servers."""
    if request.scope.is_platform and server is not None and querystring.text(request, "server"):
        return server.name
    return ""


@login_required
def rate_list(request):
    scope = request.scope
    server = _rate_server(request)
    context = {
        "server": server,
        "servers": list(enabled_servers()) if scope.is_platform else [],
        "server_query": _server_query(request, server),
        "groups": [],
        "error": "",
        "is_customer": scope.is_customer,
        "is_platform": scope.is_platform,
    }
    if server is None:
        context["not_linked"] = True
        granted = selectors.granted_groups(scope) or set()
        context["groups"] = [selectors.GroupRow(name) for name in sorted(granted)]
    else:
        try:
            context["groups"] = selectors.visible_groups(scope, server)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
    if not context["is_customer"]:
        resellers = scope.tenants().filter(kind=Tenant.Kind.RESELLER)
        if not scope.is_platform:
            resellers = resellers.exclude(pk=scope.tenant.pk)
        resellers = resellers.annotate(grants=Count("fee_rate_grants")).order_by("path")
        context["resellers"] = resellers[:RESELLERS_LISTED]
        context["own_grants_tenant"] = None if scope.is_platform else scope.tenant
    return render(request, "rates/list.html", context)


def _checked_group(request, group: str):
    """The server and the group, or a 404 when this user may not see the group. Runs
    before the method is looked at, so a foreign group is a 404 to every method."""
    scope = request.scope
    server = _rate_server(request)
    if server is None:
        selectors.group_or_404_unlinked(scope, group)
        return None, None
    try:
        selectors.group_or_404(scope, server, group)
    except VosError as exc:
        return server, vos.describe_error(exc)
    return server, ""


@login_required
def rate_detail(request, group: str):
    scope = request.scope
    server, error = _checked_group(request, group)
    if request.method not in READS:
        return not_allowed()
    search = forms.RateSearchForm(request.GET or None)
    price_form = forms.PriceForm(request.GET if "number" in request.GET else None)
    context = {
        "group": group,
        "server": server,
        "server_query": _server_query(request, server),
        "search": search,
        "price_form": price_form,
        "error": error or "",
        "not_linked": server is None,
        "quote": None,
        "no_rate": False,
        "page": None,
    }
    if server is not None and not error:
        try:
            rates = selectors.fee_rates(scope, server, group, checked=True)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
            rates = []
        query = search.cleaned_data["q"] if search.is_valid() else ""
        shown = selectors.search_rates(rates, query)
        page = Paginator(shown, RATES_PER_PAGE).get_page(querystring.page_number(request))
        page.object_list = [_rate_row(r) for r in page.object_list]
        context.update(page=page, query=query, total=len(rates))
        if price_form.is_bound and price_form.is_valid() and not context["error"]:
            context["quote"] = rating.quote(rates, price_form.cleaned_data["number"])
            context["no_rate"] = context["quote"] is None
    target = request.headers.get("HX-Target", "")
    if request.htmx and target == "rate-rows":
        return render(request, "rates/detail.html#rate-rows", context)
    if request.htmx and target == "price-result":
        return render(request, "rates/detail.html#price-result", context)
    return render(request, "rates/detail.html", context)


def _rate_row(info: dict) -> dict:
    rate = rating.Rate.from_info(info)
    return {
        "prefix": rate.prefix,
        "area_code": rate.area_code,
        "area_name": rate.area_name,
        "type": labels.label("InfoFeeRate", "type", info.get("type")),
        "fee": rating.round_money(rate.fee),
        "period": rate.period,
        "sections": [
            rating.Section(s.position, s.seconds, rating.round_money(s.fee)) for s in rate.sections
        ],
        "locked": rate.locked,
    }


class _Echo:
    def write(self, value):
        return value


def _rate_csv_rows(rates):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("Prefix"),
            _("Area code"),
            _("Area name"),
            _("Type"),
            _("Rate per minute"),
            _("Billing period (s)"),
            _("Sections (seconds:amount)"),
            _("Locked"),
        ]
    )
    for info in rates:
        row = _rate_row(info)
        sections = " ".join(f"{s.seconds}:{s.fee}" for s in row["sections"])
        yield writer.writerow(
            [
                safe_cell(c)
                for c in (
                    row["prefix"],
                    row["area_code"],
                    row["area_name"],
                    row["type"],
                    row["fee"],
                    row["period"],
                    sections,
                    _("yes") if row["locked"] else _("no"),
                )
            ]
        )


@login_required
def rate_export(request, group: str):
    scope = request.scope
    server, error = _checked_group(request, group)
    if request.method not in READS:
        return not_allowed()
    if server is None or error:
        messages.error(request, error or _("This account is not linked to a VOS server."))
        return redirect("rate_detail", group=group)
    try:
        rates = selectors.fee_rates(scope, server, group, checked=True)
    except VosError as exc:
        vos_error_message(request, exc)
        return redirect("rate_detail", group=group)
    search = forms.RateSearchForm(request.GET or None)
    rates = selectors.search_rates(rates, search.cleaned_data["q"] if search.is_valid() else "")
    response = StreamingHttpResponse(_rate_csv_rows(rates), content_type="text/csv; charset=utf-8")
    name = slugify(group) or "rates"
    response["Content-Disposition"] = f'attachment; filename="rates-{name}.csv"'
    return response


# --- Grants ------------------------------------------------------------------------------
@login_required
def rate_grants(request, tenant_id: int):
    scope = request.scope
    tenant = services.grants_tenant_or_404(scope, tenant_id)
    editable = services.may_edit_grants(scope, tenant)
    grants = FeeRateGroupGrant.objects.filter(tenant=tenant).select_related("granted_by")
    context = {"tenant": tenant, "editable": editable, "grants": grants, "error": ""}
    grantable = []
    if editable:
        try:
            grantable = services.grantable_groups(scope, tenant)
        except NotLinked:
            context["not_linked"] = True
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
    current = set(services.current_grants(tenant))
    form = forms.GrantForm(
        initial={"groups": sorted(current & set(grantable))}, grantable=grantable
    )
    if request.method == "POST":
        if not editable:
            messages.error(request, _("You cannot change the fee rate groups of this reseller."))
            return redirect("rate_grants", tenant_id=tenant.pk)
        if context.get("not_linked") or context["error"]:
            messages.error(request, context["error"] or _("This reseller is not linked to VOS."))
            return redirect("rate_grants", tenant_id=tenant.pk)
        form = forms.GrantForm(request.POST, grantable=grantable)
        if form.is_valid():
            try:
                change = services.set_grants(scope, tenant, form.cleaned_data["groups"], grantable)
            except services.Refused as exc:
                form.add_error("groups", str(exc))
            else:
                if change.added or change.removed:
                    messages.success(
                        request, _("Fee rate groups of %(name)s saved.") % {"name": tenant.name}
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("rate_grants", tenant_id=tenant.pk)
    elif request.method not in READS:
        return not_allowed()
    context["form"] = form
    context["held_elsewhere"] = sorted(current - set(grantable)) if editable else []
    return render(request, "rates/grants.html", context)


# --- Suites ------------------------------------------------------------------------------
def _suite_rows(suites) -> list[dict]:
    return [
        {
            **s,
            "rent_fee": rating.money_or_none(s.get("rentFee")),
            "gift_money": rating.money_or_none(s.get("giftMoney")),
            "rent_unit": labels.label("InfoSuite", "rentType", s.get("rentType")),
        }
        for s in suites
    ]


@login_required
def suite_list(request):
    scope = request.scope
    if scope.is_customer:
        return redirect("customer_suites", tenant_id=scope.tenant.pk)
    server = _rate_server(request)
    context = {
        "server": server,
        "servers": list(enabled_servers()) if scope.is_platform else [],
        "suites": [],
        "error": "",
        "not_linked": server is None,
    }
    if server is not None:
        try:
            context["suites"] = _suite_rows(selectors.suites(scope, server))
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
    return render(request, "suites/list.html", context)


@login_required
def customer_suites(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    may_manage = services.may_manage_suites(scope)
    context = {"may_manage": may_manage, "error": "", "phone": ""}
    if not tenant.is_linked:
        return customer_page(request, tenant, "suites/customer.html", context)
    try:
        phones = selectors.customer_phones(scope, tenant)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
        return customer_page(request, tenant, "suites/customer.html", context)
    numbers = selectors.phone_numbers(phones)
    phone = querystring.text(request, "phone")
    owner = selectors.suite_owner(scope, tenant, phone, phones)
    try:
        suites = selectors.suites(scope, tenant.server)
    except VosError as exc:
        suites, context["error"] = [], vos.describe_error(exc)
    form = forms.SuiteOrderForm(suites=suites, phones=numbers)
    if request.method == "POST":
        form = forms.SuiteOrderForm(request.POST, suites=suites, phones=numbers)
        if not may_manage:
            messages.error(request, _("Suites are ordered and ended by your reseller."))
            return redirect("customer_suites", tenant_id=tenant.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order_owner = selectors.suite_owner(scope, tenant, data["phone"], phones)
                services.order_suite(
                    scope,
                    tenant,
                    suite_id=data["suite"],
                    owner=order_owner,
                    available=data["available"],
                    expires=data["expires"],
                )
            except services.Refused as exc:
                form.add_error(None, str(exc))
            except VosValidationError as exc:
                form.add_error(None, vos.describe_error(exc))
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc))
            else:
                messages.success(request, _("The suite is ordered."))
                url = reverse("customer_suites", kwargs={"tenant_id": tenant.pk})
                return redirect(f"{url}?phone={data['phone']}" if data["phone"] else url)
    elif request.method not in READS:
        return not_allowed()
    names = {s.get("id"): s.get("name") for s in suites}
    try:
        orders = selectors.suite_orders(scope, tenant, owner)
        current = selectors.current_suites(scope, tenant, owner)
    except VosError as exc:
        orders, current, context["error"] = [], [], vos.describe_error(exc)
    context.update(
        phone=owner.name if owner.is_phone else "",
        phones=numbers,
        form=form,
        suites=_suite_rows(suites),
        orders=[
            {
                **o,
                "suite_name": names.get(o.get("suiteId"), o.get("suiteId")),
                "starts": moment_from_ms(o.get("availableTime")),
                "ends": moment_from_ms(o.get("expireTime")),
                "last_day": _last_day(moment_from_ms(o.get("expireTime"))),
            }
            for o in orders
        ],
        current=[
            {
                **c,
                "suite_name": names.get(c.get("suiteId"), c.get("suiteId")),
                "rent_fee": rating.money_or_none(c.get("rentFee")),
                "gift_money": rating.money_or_none(c.get("giftMoney")),
                "rent_unit": labels.label("InfoCurrentSuite", "rentType", c.get("rentType")),
            }
            for c in current
        ],
    )
    return customer_page(request, tenant, "suites/customer.html", context)


@login_required
def customer_suite_end(request, tenant_id: int):
    """End a suite order or a current suite: a confirmation step without JS (htmx asks
    with hx-confirm), then DeleteSuiteOrder / DeleteCurrentSuite of an id read again
    through the scope."""
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    back = reverse("customer_suites", kwargs={"tenant_id": tenant.pk})
    if request.method not in (*READS, "POST"):
        return not_allowed()
    if not tenant.is_linked:
        return customer_page(request, tenant, "suites/end.html", {})
    form = forms.SuiteEndForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return redirect(back)
    data = form.cleaned_data
    if data["phone"]:
        back = f"{back}?phone={data['phone']}"
    if not services.may_manage_suites(scope):
        messages.error(request, _("Suites are ordered and ended by your reseller."))
        return redirect(back)
    owner = selectors.suite_owner(scope, tenant, data["phone"])
    confirmed = request.method == "POST" and (data["confirm"] or request.htmx)
    if not confirmed:
        return customer_page(
            request, tenant, "suites/end.html", {"form": form, "data": data, "back": back}
        )
    try:
        if data["kind"] == "order":
            services.end_suite_order(scope, tenant, owner, data["id"])
            messages.success(request, _("The suite order is ended."))
        else:
            services.end_current_suite(scope, tenant, owner, data["id"])
            messages.success(request, _("The current suite is ended."))
    except services.Refused as exc:
        messages.error(request, str(exc))
    except VosError as exc:
        vos_error_message(request, exc)
        if request.htmx:
            return keep_in_place()
    if request.htmx:
        return HttpResponse("")  # the row goes; the toast says why
    return redirect(back)


def _last_day(ends):
    """The last day an order runs, in the user's time zone: it ends at the start of the
    next day (as ``services.order_suite`` sets it)."""
    if ends is None:
        return None
    return (timezone.localtime(ends) - timedelta(microseconds=1)).date()


@login_required
def customer_suite_order_change(request, tenant_id: int):
    """Move the last day of a suite order (ModifySuiteOrder) of an order read again
    through the scope; a plain form post, so it works without JavaScript."""
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    back = reverse("customer_suites", kwargs={"tenant_id": tenant.pk})
    if request.method != "POST":
        return redirect(back)
    form = forms.SuiteOrderEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid last day, or none for no end."))
        return redirect(back)
    data = form.cleaned_data
    if data["phone"]:
        back = f"{back}?phone={data['phone']}"
    if not services.may_manage_suites(scope) or not tenant.is_linked:
        messages.error(request, _("Suites are ordered and ended by your reseller."))
        return redirect(back)
    owner = selectors.suite_owner(scope, tenant, data["phone"])
    try:
        services.change_suite_order_end(scope, tenant, owner, data["id"], data["expires"])
    except services.Refused as exc:
        messages.error(request, str(exc))
    except VosError as exc:
        vos_error_message(request, exc)
    else:
        messages.success(request, _("The suite order's end is changed."))
    return redirect(back)
