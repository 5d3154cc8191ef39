"""The platform's billing console: fee rate groups, suites, phone cards, CDR injection
and callee reservations, for admins (auditors read, change nothing; everyone else gets
a 404). Reads in billing.tariffs.selectors, writes in billing.tariffs.services; each
page works without JavaScript and, with htmx, swaps only its own part.

Admins with several VOS servers pick one with ``?server=<name>`` (as on the rates
page); forms post back to the same address, so the choice follows them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Action
from billing.rating import money_or_none
from billing.tariffs import forms, services
from billing.tariffs import selectors as reads
from switch import labels, vos
from switch.shortcuts import write_on_form
from vos3000.errors import VosApiError, VosError
from web import querystring
from web.htmx import page_or_partial, redirect_after

READS = ("GET", "HEAD")


# retCode of "still referenced" refusals (the simulator's IN_USE; real VOS answers
# with its own code and words, shown as they come).
IN_USE = -19008


class _Page:
    """What every console page needs: the scope (platform only), the chosen server,
    whether the user may change things, and the address to come back to."""

    def __init__(self, request, url_name: str, *args):
        self.request = request
        self.scope = request.scope
        self.scope.require_platform()
        self.server_name = querystring.text(request, "server")
        self.server = reads.server_for(self.scope, self.server_name)
        self.servers = reads.servers(self.scope)
        self.may_change = self.scope.can(Action.CHANGE)
        self.url_name, self.args = url_name, args

    def url(self, name: str | None = None, *args) -> str:
        url = reverse(name or self.url_name, args=args if name else self.args)
        return self.with_server(url)

    def with_server(self, url: str) -> str:
        if self.server_name and self.server is not None:
            return f"{url}?{urlencode({'server': self.server.name})}"
        return url

    def require_change(self) -> None:
        self.scope.require_platform(Action.CHANGE)

    def submit(self, form_class, write, done):
        """The POST of a console form: the right to change, a server, a valid form, then
        ``write(payload)``; (the bound form, the redirect when it was made). ``done``
        words the success from the payload; a refusal stays on the form."""
        self.require_change()
        form = form_class(self.request.POST)
        if self.server is None:
            form.add_error(None, _("No VOS server is set up yet."))
        elif form.is_valid():
            payload = form.to_payload()
            if write_on_form(form, lambda: write(payload)):
                messages.success(self.request, done(payload))
                return form, redirect_after(self.request, self.url())
        return form, None

    def context(self, **extra) -> dict:
        return {
            "server": self.server,
            "servers": self.servers,
            "server_query": self.server.name if self.server_name and self.server else "",
            "may_change": self.may_change,
            "self_url": self.url(),
            **extra,
        }


# --- Index -------------------------------------------------------------------------------
@login_required
def index(request):
    page = _Page(request, "billing_console")
    if request.method not in READS:
        return HttpResponseNotAllowed(list(READS))
    return render(request, "billing_console/index.html", page.context())


# --- Fee rate groups ---------------------------------------------------------------------
@login_required
def fee_rate_groups(request):
    page = _Page(request, "console_fee_rate_groups")
    form = forms.FeeRateGroupForm()
    if request.method == "POST":
        form, done = page.submit(
            forms.FeeRateGroupForm,
            lambda payload: services.create_fee_rate_group(page.scope, page.server, payload),
            lambda payload: _("Fee rate group %(name)s created.") % {"name": payload["name"]},
        )
        if done:
            return done
    elif request.method not in READS:
        return HttpResponseNotAllowed([*READS, "POST"])
    context = page.context(form=form, groups=[], error="")
    if page.server is not None:
        try:
            context["groups"] = reads.fee_rate_groups(page.scope, page.server)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
        counts = reads.grant_counts(page.server)
        for row in context["groups"]:
            row.grants = counts.get(row.name, 0)
    template = "billing_console/fee_rate_groups.html"
    if request.htmx and request.method == "POST":
        return render(request, f"{template}#group-form", context)
    return render(request, template, context)


def _group_or_404(page, name: str):
    """The group as VOS has it (None with the reason when VOS could not be asked, or
    when there is no server); a 404 when VOS answered that it has no such group."""
    if page.server is None:
        return None, _("No VOS server is set up yet.")
    try:
        row = reads.fee_rate_group(page.scope, page.server, name)
    except VosError as exc:
        return None, vos.describe_error(exc)
    if row is None:
        raise Http404("no such fee rate group")
    return row, ""


@login_required
def fee_rate_group_edit(request, group: str):
    page = _Page(request, "console_fee_rate_group_edit", group)
    row, error = _group_or_404(page, group)
    if request.method not in (*READS, "POST"):
        return HttpResponseNotAllowed([*READS, "POST"])
    form = forms.FeeRateGroupEditForm(initial={"memo": row.memo} if row else None)
    if request.method == "POST":
        page.require_change()
        form = forms.FeeRateGroupEditForm(request.POST)
        if row is None:
            form.add_error(None, error)
        elif form.is_valid() and write_on_form(
            form,
            lambda: services.modify_fee_rate_group(
                page.scope, page.server, group, form.to_payload()
            ),
        ):
            messages.success(request, _("Fee rate group %(name)s saved.") % {"name": group})
            return redirect_after(request, page.url("console_fee_rate_groups"))
    context = page.context(group=group, row=row, error=error, form=form)
    if row is not None:
        context["fake_minute"] = reads.last_fake_minute(page.server, group)
    context["back_url"] = page.url("console_fee_rate_groups")
    context["rates_url"] = page.url("rate_detail", group)
    return render(
        request,
        page_or_partial(request, "billing_console/fee_rate_group_edit.html", "edit-form"),
        context,
    )


@login_required
def fee_rate_group_delete(request, group: str):
    page = _Page(request, "console_fee_rate_group_delete", group)
    row, error = _group_or_404(page, group)
    if request.method not in (*READS, "POST"):
        return HttpResponseNotAllowed([*READS, "POST"])
    grants = list(reads.grants_of(page.server, group)) if page.server else []
    context = page.context(group=group, row=row, error=error, grants=grants, using=None)
    context["back_url"] = page.url("console_fee_rate_groups")
    confirmed = request.POST.get("confirm") == "yes" or request.htmx
    if request.method == "POST" and confirmed:
        page.require_change()
        if row is not None:
            try:
                done = services.delete_fee_rate_group(page.scope, page.server, group)
            except services.Refused as exc:
                context["error"] = str(exc)
            except VosError as exc:
                context["error"] = _in_use_words(exc) or vos.describe_error(exc, write=True)
            else:
                words = _("Fee rate group %(name)s deleted.") % {"name": group}
                if done.grants_removed:
                    words += " " + _("Its grants to %(names)s were removed.") % {
                        "names": ", ".join(done.grants_removed)
                    }
                messages.success(request, words)
                return redirect_after(request, page.url("console_fee_rate_groups"))
        if request.htmx:
            messages.error(request, context["error"])
            return redirect_after(request, page.url())
    elif request.method == "POST":
        page.require_change()
    if row is not None and not context["error"]:
        try:
            context["using"] = reads.customers_of_group(page.scope, page.server, group)
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
    return render(request, "billing_console/fee_rate_group_delete.html", context)


def _in_use_words(exc: VosError) -> str:
    if isinstance(exc, VosApiError) and exc.ret_code == IN_USE:
        return _(
            "The switch refused: something still uses it (phones, phone cards or orders). "
            "Its words: %(detail)s"
        ) % {"detail": (exc.message or "")[:200]}
    return ""


# --- Suites ------------------------------------------------------------------------------
SUITES = "billing_console/suites.html"


@login_required
def suites(request):
    page = _Page(request, "console_suites")
    form, gifts = forms.SuiteForm(), forms.GiftTimeFormSet(prefix="gift")
    if request.method == "POST":
        page.require_change()
        if request.POST.get("action") == "add_row":
            # Not a submission: the form comes back as typed, one gift-time row longer.
            form = forms.SuiteForm(initial=_posted(request.POST, forms.SuiteForm.catalog_fields))
            gifts = forms.gift_times_with_one_more_row(request.POST)
        else:
            form = forms.SuiteForm(request.POST)
            gifts = forms.GiftTimeFormSet(request.POST, prefix="gift")
            created = _create_suite(request, page, form, gifts)
            if created is not None:
                return created
        if request.htmx:
            context = page.context(form=form, gifts=gifts)
            return render(request, f"{SUITES}#suite-form", context)
    elif request.method not in READS:
        return HttpResponseNotAllowed([*READS, "POST"])
    context = page.context(form=form, gifts=gifts, suites=[], error="")
    if page.server is not None:
        try:
            context["suites"] = _suite_rows(reads.suites(page.scope, page.server))
        except VosError as exc:
            context["error"] = vos.describe_error(exc)
    return render(request, SUITES, context)


def _create_suite(request, page, form, gifts):
    """Create the suite from a valid form and gift-time rows: the redirect, or None with
    the errors on the forms."""
    if page.server is None:
        form.add_error(None, _("No VOS server is set up yet."))
        return None
    # Both checked, so that every mistake shows at once.
    valid = form.is_valid() & gifts.is_valid()
    if not valid:
        return None
    payload = form.to_payload()
    gift_times = [g.to_info() for g in gifts.forms if g.has_changed()]
    if gift_times:
        payload["infoGiftTimes"] = gift_times
    if write_on_form(form, lambda: services.create_suite(page.scope, page.server, payload)):
        messages.success(request, _("Suite %(name)s created.") % {"name": payload["name"]})
        return redirect_after(request, page.url())
    return None


def _posted(data, names) -> dict:
    return {name: data.get(name) for name in names if data.get(name) not in (None, "")}


def _suite_rows(rows: list[dict]) -> list[dict]:
    out = []
    for suite in rows:
        gifts = []
        for gift in suite.get("infoGiftTimes") or []:
            gifts.append(
                {
                    **gift,
                    "start": forms.as_clock(gift.get("startTime") or 0),
                    "end": forms.as_clock(gift.get("endTime") or 0),
                }
            )
        out.append(
            {
                **suite,
                # A sparse answer may leave a fee out: unknown, not 0.00.
                "rent_fee": money_or_none(suite.get("rentFee")),
                "gift_money": money_or_none(suite.get("giftMoney")),
                "unit": labels.label("InfoSuite", "rentType", suite.get("rentType")),
                "gifts": gifts,
            }
        )
    return out


@login_required
def suite_delete(request, suite_id: int):
    page = _Page(request, "console_suite_delete", suite_id)
    if request.method not in (*READS, "POST"):
        return HttpResponseNotAllowed([*READS, "POST"])
    suite, error = None, ""
    if page.server is None:
        error = _("No VOS server is set up yet.")
    else:
        try:
            suite = reads.suite(page.scope, page.server, suite_id)
        except VosError as exc:
            error = vos.describe_error(exc)
        else:
            if suite is None:
                raise Http404("no such suite")
    form = forms.SuiteDeleteForm(request.POST or None)
    back = page.url("console_suites")
    confirmed = request.POST.get("confirm") == "yes" or request.htmx
    if request.method == "POST":
        page.require_change()
    if request.method == "POST" and confirmed and suite is not None and form.is_valid():
        try:
            services.delete_suite(
                page.scope, page.server, suite_id, force=form.cleaned_data["force"]
            )
        except VosError as exc:
            error = _in_use_words(exc) or vos.describe_error(exc, write=True)
            if request.htmx:
                messages.error(request, error)
                return redirect_after(request, page.url())
        else:
            messages.success(request, _("Suite %(name)s deleted.") % {"name": suite.get("name")})
            return redirect_after(request, back)
    context = page.context(suite=suite, error=error, form=form, back_url=back)
    return render(request, "billing_console/suite_delete.html", context)


# --- Phone cards -------------------------------------------------------------------------
PHONE_CARD = "billing_console/phone_card.html"


@login_required
def phone_card(request):
    """Look a card up by its PIN and activate it. The PIN comes in a POST body only and
    the answer is rendered straight away (no redirect could carry it without putting it
    in an address); the audit names the card by its last four digits."""
    page = _Page(request, "console_phone_card")
    lookup = forms.PhoneCardLookupForm()
    context = page.context(card=None, error="", activate=None, searched=False)
    if request.method == "POST":
        action = request.POST.get("action", "lookup")
        if action == "activate":
            page.require_change()
            _activate(request, page, context)
        else:
            lookup = forms.PhoneCardLookupForm(request.POST)
            if page.server is None:
                lookup.add_error(None, _("No VOS server is set up yet."))
            elif lookup.is_valid():
                pin, password = lookup.cleaned_data["pin"], lookup.cleaned_data["password"]
                found = _show_card(page, context, pin, password)
                if found is not None:
                    services.record_card_lookup(page.scope, page.server, pin, found)
                if context["card"] is not None and context["card"].activatable and page.may_change:
                    context["activate"] = forms.PhoneCardActivateForm(initial={"pin": pin})
    elif request.method not in READS:
        return HttpResponseNotAllowed([*READS, "POST"])
    context["lookup"] = lookup
    return render(request, page_or_partial(request, PHONE_CARD, "card-result"), context)


def _activate(request, page, context) -> None:
    form = forms.PhoneCardActivateForm(request.POST)
    if page.server is None:
        context["error"] = _("No VOS server is set up yet.")
        return
    valid = form.is_valid()
    pin = form.cleaned_data.get("pin", "")
    if not pin:
        context["error"] = _("Look the card up again.")
        return
    if valid and write_on_form(
        form, lambda: services.activate_phone_card(page.scope, page.server, form.to_payload())
    ):
        ending = forms.pin_ending(pin)
        messages.success(request, _("Card %(ending)s activated.") % {"ending": ending})
        context["activated"] = True
    # The card as it is now (used, after an activation), with the form and its errors
    # when the activation did not happen.
    _show_card(page, context, pin, "")
    context["activate"] = None if context.get("activated") else form


def _show_card(page, context, pin: str, password: str) -> bool | None:
    """Put the card (or why it is not shown) in the context; whether it was found, None
    when VOS could not be asked."""
    context["searched"] = True
    context["ending"] = forms.pin_ending(pin)
    try:
        card = reads.phone_card(page.scope, page.server, pin, password)
    except VosError as exc:
        context["error"] = vos.describe_error(exc)
        return None
    context["card"] = card
    return card is not None


# --- CDR injection -----------------------------------------------------------------------
@login_required
def cdr_create(request):
    page = _Page(request, "console_cdr_create")
    form = forms.CdrForm(initial={"billingMode": 0})
    if request.method == "POST":
        form, done = page.submit(
            forms.CdrForm,
            lambda payload: services.inject_cdr(page.scope, page.server, payload),
            lambda payload: (
                _(
                    "The call record to %(callee)s was sent to the switch. It is billed "
                    "there and reaches the portal with the next CDR pull."
                )
                % {"callee": payload.get("calleeE164", "")}
            ),
        )
        if done:
            return done
    elif request.method not in READS:
        return HttpResponseNotAllowed([*READS, "POST"])
    context = page.context(form=form)
    return render(
        request, page_or_partial(request, "billing_console/cdr_create.html", "cdr-form"), context
    )


# --- Callee reservations -----------------------------------------------------------------
@login_required
def reserve_callee(request):
    page = _Page(request, "console_reserve_callee")
    form = forms.ReserveCalleeForm()
    if request.method == "POST":
        form, done = page.submit(
            forms.ReserveCalleeForm,
            lambda payload: services.reserve_callee(page.scope, page.server, payload),
            lambda payload: (
                _(
                    "%(callee)s is reserved for %(caller)s: when %(caller)s dials "
                    "%(access)s the call is put through."
                )
                % {
                    "callee": payload["calleeE164"],
                    "caller": payload["callerE164"],
                    "access": payload["accessE164"],
                }
            ),
        )
        if done:
            return done
    elif request.method not in READS:
        return HttpResponseNotAllowed([*READS, "POST"])
    context = page.context(form=form)
    return render(
        request,
        page_or_partial(request, "billing_console/reserve_callee.html", "reserve-form"),
        context,
    )
