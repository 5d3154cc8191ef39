"""Rates, fee rate group grants, suites, phone books, the customer tools and the payment
and consumption history. Every lookup goes through ``request.scope`` (directly or in
billing.rates.selectors / billing.rates.services); a foreign object is a 404 before anything else
is looked at, whatever the method."""

from __future__ import annotations

import contextlib
import csv
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Tenant
from accounts.roles import Action
from billing import rating
from billing.models import FeeRateGroupGrant
from billing.rates import forms, selectors, services
from billing.rates.selectors import NotLinked
from switch import labels, vos
from switch.servers import enabled_servers
from vos3000.client.dates import moment_from_ms
from vos3000.errors import VosError, VosValidationError
from web.downloads import safe_cell
from web.htmx import keep_in_place

RATES_PER_PAGE = 50


# Resellers listed with their grants on the rates page (a tree rarely has more).
RESELLERS_LISTED = 500


READS = ("GET", "HEAD")


# Why VOS would end a call at once (GetAvailableTime's negative timeRemain). The manual
# gives no table; these are the reasons the portal can put in words.
END_REASONS = {
    7: gettext_lazy("there is no rate for this number"),
    8: gettext_lazy("the balance is not enough"),
    10: gettext_lazy("the account is locked or has expired"),
    17: gettext_lazy("this phone may not call numbers of this kind"),
    18: gettext_lazy("calls to this destination are blocked"),
    19: gettext_lazy("the phone is not known to the switch"),
}


def _not_allowed():
    return HttpResponseNotAllowed(list(READS))


def talk_time(seconds: int) -> str:
    """1 h 05 min, 12 min 30 s: a talk time in words a person reads at a glance."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return rating.to_decimal(value)


def _vos_error(request, exc: VosError) -> str:
    words = vos.describe_error(exc)
    messages.error(request, words)
    return words


# --- Rates -------------------------------------------------------------------------------
def _rate_server(request):
    return selectors.server_for(request.scope, request.GET.get("server") or None)


def _server_query(request, server) -> str:
    """``?server=`` to carry along for admins choosing among several servers."""
    if request.scope.is_platform and server is not None and request.GET.get("server"):
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
        return _not_allowed()
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
        page = Paginator(shown, RATES_PER_PAGE).get_page(request.GET.get("page"))
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
        return _not_allowed()
    if server is None or error:
        messages.error(request, error or _("This account is not linked to a VOS server."))
        return redirect("rate_detail", group=group)
    try:
        rates = selectors.fee_rates(scope, server, group, checked=True)
    except VosError as exc:
        _vos_error(request, exc)
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
        return _not_allowed()
    context["form"] = form
    context["held_elsewhere"] = sorted(current - set(grantable)) if editable else []
    return render(request, "rates/grants.html", context)


# --- Suites ------------------------------------------------------------------------------
def _suite_rows(suites) -> list[dict]:
    return [
        {
            **s,
            "rent_fee": _money(s.get("rentFee")),
            "gift_money": _money(s.get("giftMoney")),
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


def _customer_page(request, tenant, template: str, context: dict):
    context.setdefault("tenant", tenant)
    context.setdefault("not_linked", not tenant.is_linked)
    return render(request, template, context)


@login_required
def customer_suites(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    may_manage = services.may_manage_suites(scope)
    context = {"may_manage": may_manage, "error": "", "phone": ""}
    if not tenant.is_linked:
        return _customer_page(request, tenant, "suites/customer.html", context)
    try:
        phones = selectors.customer_phones(scope, tenant)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
        return _customer_page(request, tenant, "suites/customer.html", context)
    numbers = selectors.phone_numbers(phones)
    phone = request.GET.get("phone", "")
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
        return _not_allowed()
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
                "rent_fee": _money(c.get("rentFee")),
                "gift_money": _money(c.get("giftMoney")),
                "rent_unit": labels.label("InfoCurrentSuite", "rentType", c.get("rentType")),
            }
            for c in current
        ],
    )
    return _customer_page(request, tenant, "suites/customer.html", context)


@login_required
def customer_suite_end(request, tenant_id: int):
    """End a suite order or a current suite: a confirmation step without JS (htmx asks
    with hx-confirm), then DeleteSuiteOrder / DeleteCurrentSuite of an id read again
    through the scope."""
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    back = reverse("customer_suites", kwargs={"tenant_id": tenant.pk})
    if request.method not in (*READS, "POST"):
        return _not_allowed()
    if not tenant.is_linked:
        return _customer_page(request, tenant, "suites/end.html", {})
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
        return _customer_page(
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
        _vos_error(request, exc)
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
        _vos_error(request, exc)
    else:
        messages.success(request, _("The suite order's end is changed."))
    return redirect(back)


# --- Phone book --------------------------------------------------------------------------
def _entry_row(entry: dict) -> dict:
    e164 = str(entry.get("e164") or "")
    return {
        **entry,
        # Entries made elsewhere may hold a number no URL can carry: shown, not linked.
        "linkable": bool(e164) and "/" not in e164 and e164.strip() == e164,
        "short_numbers": ", ".join(str(s) for s in entry.get("shortE164s") or []),
        # "None" (0) is left blank in the list.
        "device": labels.label(
            "InfoCustomerPhoneBook", "deviceType", entry.get("deviceType") or None
        ),
        "address": labels.label(
            "InfoCustomerPhoneBook", "addressType", entry.get("addressType") or None
        ),
        "updated": moment_from_ms(entry.get("lastUpdateTime")),
    }


@login_required
def customer_phonebook(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    may_change = scope.can(Action.CHANGE)
    context = {"may_change": may_change, "error": "", "entries": []}
    if not tenant.is_linked:
        return _customer_page(request, tenant, "phonebook/list.html", context)
    form = forms.PhoneBookForm()
    if request.method == "POST":
        if not may_change:
            raise Http404
        form = forms.PhoneBookForm(request.POST)
        if form.is_valid():
            try:
                services.add_phone_book_entry(scope, tenant, form.to_payload())
            except VosValidationError as exc:
                form.add_vos_error(exc)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc))
            else:
                messages.success(request, _("Added to the phone book."))
                if not request.htmx:
                    return redirect("customer_phonebook", tenant_id=tenant.pk)
                form = forms.PhoneBookForm()
    elif request.method not in READS:
        return _not_allowed()
    try:
        context["entries"] = [_entry_row(e) for e in selectors.phone_book(scope, tenant)]
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
    context["form"] = form
    if request.htmx and request.method == "POST":
        return _customer_page(request, tenant, "phonebook/list.html#phonebook-body", context)
    return _customer_page(request, tenant, "phonebook/list.html", context)


def _phone_book_entry_or_404(scope, tenant, e164: str) -> dict:
    entry = selectors.phone_book_entry(scope, tenant, e164)
    if entry is None:
        raise Http404("no such phone book entry")
    return entry


@login_required
def customer_phonebook_edit(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if not tenant.is_linked:
        return _customer_page(request, tenant, "phonebook/edit.html", {})
    if request.method not in (*READS, "POST"):
        return _not_allowed()
    try:
        entry = _phone_book_entry_or_404(scope, tenant, e164)
    except VosError as exc:
        _vos_error(request, exc)
        return redirect("customer_phonebook", tenant_id=tenant.pk)
    if not scope.can(Action.CHANGE):
        raise Http404
    form = forms.PhoneBookEditForm(initial=forms.PhoneBookEditForm.initial_for(entry))
    if request.method == "POST":
        if request.POST.get("cancel"):
            return _entry_or_list(request, tenant, entry)
        form = forms.PhoneBookEditForm(request.POST)
        if form.is_valid():
            payload = form.to_payload()
            if payload.get("newE164") == e164:
                payload.pop("newE164")
            try:
                services.change_phone_book_entry(scope, tenant, e164, payload)
            except VosValidationError as exc:
                form.add_vos_error(exc)
            except VosError as exc:
                form.add_error(None, vos.describe_error(exc))
            else:
                messages.success(request, _("Phone book entry saved."))
                new = form.cleaned_data["newE164"]
                with contextlib.suppress(VosError):
                    entry = selectors.phone_book_entry(scope, tenant, new) or entry
                return _entry_or_list(request, tenant, entry)
    context = {"entry": _entry_row(entry), "form": form, "may_change": True}
    if request.htmx:
        return _customer_page(request, tenant, "phonebook/list.html#entry-form", context)
    return _customer_page(request, tenant, "phonebook/edit.html", context)


def _entry_or_list(request, tenant, entry):
    """After an inline edit, htmx gets the entry's row back; a plain post the list."""
    if request.htmx:
        context = {"entry": _entry_row(entry), "may_change": True}
        return _customer_page(request, tenant, "phonebook/list.html#entry-row", context)
    return redirect("customer_phonebook", tenant_id=tenant.pk)


@login_required
def customer_phonebook_delete(request, tenant_id: int, e164: str):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if not tenant.is_linked:
        return _customer_page(request, tenant, "phonebook/delete.html", {})
    if request.method not in (*READS, "POST"):
        return _not_allowed()
    try:
        entry = _phone_book_entry_or_404(scope, tenant, e164)
    except VosError as exc:
        _vos_error(request, exc)
        return redirect("customer_phonebook", tenant_id=tenant.pk)
    if not scope.can(Action.CHANGE):
        raise Http404
    if request.method == "POST":
        try:
            services.delete_phone_book_entry(scope, tenant, e164)
        except VosError as exc:
            _vos_error(request, exc)
            if request.htmx:
                return keep_in_place()
        else:
            messages.success(request, _("Removed from the phone book."))
            if request.htmx:
                return HttpResponse("")
        return redirect("customer_phonebook", tenant_id=tenant.pk)
    return _customer_page(request, tenant, "phonebook/delete.html", {"entry": _entry_row(entry)})


# --- Customer tools ----------------------------------------------------------------------
def _tools_context(request, tenant, *, call_form=None) -> dict:
    """The tools page: rate lookup and minutes left (GET forms), click-to-call (a POST
    to its own URL)."""
    scope = request.scope
    context = {
        "may_call": scope.can(Action.CHANGE),
        "error": "",
        "group": "",
        "quote": None,
        "no_rate": False,
        "minutes": None,
    }
    try:
        phones = selectors.customer_phones(scope, tenant)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
        phones = []
    numbers = selectors.phone_numbers(phones)
    tool = request.GET.get("tool", "")
    rate_form = forms.RateLookupForm(request.GET if tool == "rate" else None)
    minutes_form = forms.MinutesLeftForm(request.GET if tool == "minutes" else None, phones=numbers)
    context.update(
        phones=numbers,
        rate_form=rate_form,
        minutes_form=minutes_form,
        call_form=call_form or forms.ClickToCallForm(phones=numbers),
    )
    if rate_form.is_bound and rate_form.is_valid():
        try:
            group, rates = selectors.customer_rates(scope, tenant)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
        else:
            context["group"] = group
            context["quote"] = rating.quote(rates, rate_form.cleaned_data["number"])
            context["no_rate"] = context["quote"] is None
    if minutes_form.is_bound and minutes_form.is_valid():
        data = minutes_form.cleaned_data
        try:
            left = selectors.available_time(scope, tenant, data["phone"], data["number"], phones)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
        else:
            context["minutes"] = {
                "phone": data["phone"],
                "number": data["number"],
                "seconds": left.seconds,
                "length": talk_time(left.seconds) if left.seconds else "",
                "reason": left.reason,
                "reason_words": END_REASONS.get(left.reason, ""),
            }
    return context


@login_required
def customer_tools(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if request.method not in READS:
        return _not_allowed()
    if not tenant.is_linked:
        return _customer_page(request, tenant, "tools/tools.html", {})
    context = _tools_context(request, tenant)
    target = request.headers.get("HX-Target", "")
    if request.htmx and target in ("rate-result", "minutes-result"):
        return _customer_page(request, tenant, f"tools/tools.html#{target}", context)
    return _customer_page(request, tenant, "tools/tools.html", context)


@login_required
def customer_click_to_call(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    back = reverse("customer_tools", kwargs={"tenant_id": tenant.pk})
    if request.method != "POST":
        return redirect(back)
    if not tenant.is_linked:
        return _customer_page(request, tenant, "tools/tools.html", {})
    scope.require(Action.CHANGE)
    try:
        numbers = selectors.phone_numbers(selectors.customer_phones(scope, tenant))
    except VosError as exc:
        _vos_error(request, exc)
        return redirect(back)
    form = forms.ClickToCallForm(request.POST, phones=numbers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.click_to_call(scope, tenant, data["phone"], data["number"])
        except services.Refused as exc:
            form.add_error(None, str(exc))
        except VosError as exc:
            form.add_error(None, vos.describe_error(exc))
        else:
            messages.success(
                request,
                _("Calling: your phone %(phone)s rings first, then %(number)s.")
                % {"phone": data["phone"], "number": data["number"]},
            )
            if not request.htmx:
                return redirect(back)
            form = forms.ClickToCallForm(phones=numbers)
    context = _tools_context(request, tenant, call_form=form)
    if request.htmx:
        return _customer_page(request, tenant, "tools/tools.html#call-form", context)
    return _customer_page(request, tenant, "tools/tools.html", context)


# --- History -----------------------------------------------------------------------------
def _history(request, tenant_id: int, *, template: str, read, shape):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if request.method not in READS:
        return _not_allowed()
    form = forms.PeriodForm(request.GET or None)
    context = {"form": form, "rows": [], "history_error": ""}
    if not tenant.is_linked:
        return _customer_page(request, tenant, template, context)
    period = form.period()
    if period is not None:
        context["period"] = period
        try:
            context["rows"] = [shape(r) for r in read(scope, tenant, period)]
        except VosError as exc:
            context["history_error"] = vos.describe_error(exc)
    if request.htmx and request.headers.get("HX-Target") == "history-rows":
        return _customer_page(request, tenant, f"{template}#history-rows", context)
    return _customer_page(request, tenant, template, context)


def _payment_row(row: dict) -> dict:
    return {
        "time": moment_from_ms(row.get("payTime")),
        "amount": _money(row.get("fee")),
        "type": labels.label("InfoPayHistory", "type", row.get("type")),
        "method": labels.label("InfoPayHistory", "payType", row.get("payType")),
        "balance": _money(row.get("customerMoney")),
    }


def _consumption_row(row: dict) -> dict:
    return {
        "time": moment_from_ms(row.get("time")),
        "amount": _money(row.get("money")),
        "type": labels.label("InfoConsumption", "type", row.get("type")),
        "source": row.get("consumptionName") or "",
        "balance": _money(row.get("customerMoney")),
    }


@login_required
def customer_payments(request, tenant_id: int):
    return _history(
        request,
        tenant_id,
        template="history/payments.html",
        read=selectors.pay_history,
        shape=_payment_row,
    )


@login_required
def customer_consumption(request, tenant_id: int):
    return _history(
        request,
        tenant_id,
        template="history/consumption.html",
        read=selectors.consumption,
        shape=_consumption_row,
    )
