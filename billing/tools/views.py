"""A customer's tools: what a call to a number costs, how long a phone may talk to it,
and click-to-call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Action
from billing import rating
from billing.rates import selectors as rate_selectors
from billing.tools import forms, selectors, services
from switch import vos
from switch.shortcuts import READS, customer_page, not_allowed, vos_error_message
from vos3000.errors import VosError
from web import querystring


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
        phones = rate_selectors.customer_phones(scope, tenant)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
        phones = []
    numbers = rate_selectors.phone_numbers(phones)
    tool = querystring.text(request, "tool")
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
            group, rates = rate_selectors.customer_rates(scope, tenant)
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


def talk_time(seconds: int) -> str:
    """1 h 05 min, 12 min 30 s: a talk time in words a person reads at a glance."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}


@login_required
def customer_tools(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    if request.method not in READS:
        return not_allowed()
    if not tenant.is_linked:
        return customer_page(request, tenant, "tools/tools.html", {})
    context = _tools_context(request, tenant)
    target = request.headers.get("HX-Target", "")
    if request.htmx and target in ("rate-result", "minutes-result"):
        return customer_page(request, tenant, f"tools/tools.html#{target}", context)
    return customer_page(request, tenant, "tools/tools.html", context)


@login_required
def customer_click_to_call(request, tenant_id: int):
    scope = request.scope
    tenant = scope.customer_or_404(tenant_id)
    back = reverse("customer_tools", kwargs={"tenant_id": tenant.pk})
    if request.method != "POST":
        return redirect(back)
    if not tenant.is_linked:
        return customer_page(request, tenant, "tools/tools.html", {})
    scope.require(Action.CHANGE)
    try:
        numbers = rate_selectors.phone_numbers(rate_selectors.customer_phones(scope, tenant))
    except VosError as exc:
        vos_error_message(request, exc)
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
        return customer_page(request, tenant, "tools/tools.html#call-form", context)
    return customer_page(request, tenant, "tools/tools.html", context)
