"""Money pages: top-ups, adjustments, phone-card top-ups, the ledger and its review
queue and the money settings (the CustomerMoneyChange push goes to switch.push_receiver).

Every page asks ``request.scope``; every movement goes through ``billing.money.services``.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope
from accounts.sessions import needs_recent_auth
from billing.models import CardPayment, MoneySettings, MoneyTransfer, PaymentAccount
from billing.money import receipts, selectors, tasks
from billing.money import services as money
from billing.money.forms import (
    AdjustForm,
    LedgerFilterForm,
    MoneySettingsForm,
    PinTopupForm,
    ResolveForm,
    TakeBackForm,
    TopupForm,
)
from switch import vos
from vos3000.errors import VosError, VosValidationError
from web import querystring
from web.htmx import redirect_after, render_page_or_partial, wants_fragment
from web.tasks import enqueue

log = logging.getLogger(__name__)


PAGE_SIZE = 50


# Phone-card attempts: PINs are short enough to guess, so attempts are counted per user
# and per IP address, whatever the outcome.
PIN_ATTEMPTS_PER_USER = (5, 60)  # 5 a minute


PIN_ATTEMPTS_PER_USER_HOUR = (20, 3600)


PIN_ATTEMPTS_PER_IP = (20, 60)


def _require_recent_auth_for_amount(request, form) -> None:
    """Above REAUTH_MONEY_ABOVE a POST needs the password entered recently; allauth asks
    and brings the POST back. Checked after the scope, so a foreign id is a 404 before
    anything else. An amount the form refuses (NaN, 1e999, "1,5"...) moves nothing: the
    form says what is wrong, and no arithmetic ever sees it."""
    if request.method != "POST" or not form.is_bound:
        return
    form.is_valid()
    amount = form.cleaned_data.get("amount") if hasattr(form, "cleaned_data") else None
    if not isinstance(amount, Decimal):
        return
    if needs_recent_auth(request, amount):
        raise ReauthenticationRequired()


def _balances(scope, *tenants) -> list[tuple]:
    """(balance read now, error in words) for each tenant, read from VOS in one
    GetCustomer per server; the last known reading, said to be one, when VOS is down."""
    by_server: dict = {}
    for tenant in tenants:
        if tenant.is_linked:
            by_server.setdefault(tenant.server_id, []).append(tenant)
    read, errors = {}, {}
    for group in by_server.values():
        try:
            read.update(money.read_balances(scope, group))
        except VosError as exc:
            errors.update({t.vos_account: vos.describe_error(exc) for t in group})
    results = []
    for tenant in tenants:
        if not tenant.is_linked:
            results.append((None, _("This account is not linked to a VOS server.")))
        elif tenant.vos_account in read:
            results.append((read[tenant.vos_account], ""))
        else:
            results.append((money.last_known_balance(tenant), errors[tenant.vos_account]))
    return results


# --- An account's money page -----------------------------------------------------------------
@login_required
def account_money(request, tenant_id: int):
    scope = request.scope
    tenant = scope.account_or_404(tenant_id)
    [(balance, balance_error)] = _balances(scope, tenant)
    transfers = (
        selectors.money_transfers(scope)
        .filter(Q(customer=tenant) | Q(funded_by=tenant))
        .select_related("customer", "funded_by", "requested_by")
        .prefetch_related("corrections")[:20]
    )
    return render(
        request,
        "money/account.html",
        {
            "tenant": tenant,
            "balance": balance,
            "balance_error": balance_error,
            "transfers": transfers,
            "may_top_up": scope.may_top_up(tenant),
            "may_adjust": scope.can(Action.RUN_PLATFORM) and scope.can(Action.MOVE_MONEY),
            "may_use_card": scope.may_use_phone_card(tenant),
            "may_pay_by_card": _may_pay_by_card(scope, tenant),
        },
    )


def _may_pay_by_card(scope, tenant) -> bool:
    """The "Pay by card" entry (billing.payments): one's own account, a person who may
    move money, and a payment account serving it."""
    return (
        tenant.pk == getattr(scope.tenant, "pk", None)
        and scope.can(Action.MOVE_MONEY)
        and PaymentAccount.serving(tenant) is not None
    )


# --- Top-up by a reseller or admin -----------------------------------------------------------
@login_required
def topup(request, tenant_id: int):
    scope = request.scope
    tenant = scope.account_or_404(tenant_id)
    if not scope.may_top_up(tenant):
        raise OutOfScope("top-up not allowed here")
    rules = MoneySettings.current()
    funded = rules.reseller_funded_topups and scope.tenant.kind == Tenant.Kind.RESELLER
    form = TopupForm(request.POST or None, initial={"key": money.new_idempotency_key()})
    _require_recent_auth_for_amount(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _start_transfer(
            request,
            form,
            lambda: money.topup(scope, tenant, data["amount"], key=data["key"], memo=data["memo"]),
        )
        if done:
            return done
    if wants_fragment(request):  # the form alone, with what is wrong
        context = {"tenant": tenant, "form": form, "rules": rules}
        return render(request, "money/topup.html#topup-form", context)
    # The customer's balance and, when it pays, the reseller's: one GetCustomer.
    readings = _balances(scope, tenant, *([scope.tenant] if funded else []))
    balance, balance_error = readings[0]
    funder_balance, funder_error = readings[1] if funded else (None, "")
    return render(
        request,
        "money/topup.html",
        {
            "tenant": tenant,
            "form": form,
            "funded": funded,
            "balance": balance,
            "balance_error": balance_error,
            "funder": scope.tenant if funded else None,
            "funder_balance": funder_balance,
            "funder_error": funder_error,
            "rules": rules,
        },
    )


# --- Taking money back ------------------------------------------------------------------------
def _correction_of(scope, tenant, value):
    """The top-up a take-back corrects (from ``?corrects=`` or the form), or None; a
    foreign one is a 404, another account's or one that did not succeed a refusal."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise Http404("no such transfer") from None
    if number is None:
        return None
    original = selectors.money_transfer_or_404(scope, number)
    money.check_correctable(tenant, original)
    return original


@login_required
def take_back(request, tenant_id: int):
    """A reseller (or admin) takes money back from an account below it; with
    ``?corrects=<top-up>`` the form corrects that top-up (prefilled with what is left)."""
    scope = request.scope
    tenant = scope.account_or_404(tenant_id)
    if not scope.may_top_up(tenant):
        raise OutOfScope("take-back not allowed here")
    rules = MoneySettings.current()
    funded = rules.reseller_funded_topups and scope.tenant.kind == Tenant.Kind.RESELLER
    source = request.POST if request.method == "POST" else request.GET
    refusal = ""
    try:
        original = _correction_of(scope, tenant, source.get("corrects"))
    except money.MoneyRefused as exc:
        original, refusal = None, str(exc)
    left = money.correctable_amount(original) if original is not None else None
    initial = {"key": money.new_idempotency_key()}
    if original is not None:
        initial.update(corrects=original.pk, amount=left)
    form = TakeBackForm(request.POST or None, initial=initial)
    _require_recent_auth_for_amount(request, form)
    if request.method == "POST" and refusal:
        form.is_valid()
        form.add_error(None, refusal)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _start_transfer(
            request,
            form,
            lambda: money.reverse(
                scope,
                tenant,
                data["amount"],
                key=data["key"],
                memo=data["memo"],
                corrects=original,
            ),
        )
        if done:
            return done
    context = {
        "tenant": tenant,
        "form": form,
        "rules": rules,
        "original": original,
        "left": left,
        "refusal": refusal,
    }
    if wants_fragment(request):  # the form alone, with what is wrong
        return render(request, "money/take_back.html#take-back-form", context)
    readings = _balances(scope, tenant, *([scope.tenant] if funded else []))
    context.update(
        balance=readings[0][0],
        balance_error=readings[0][1],
        funded=funded,
        funder=scope.tenant if funded else None,
        funder_balance=readings[1][0] if funded else None,
        funder_error=readings[1][1] if funded else "",
    )
    return render(request, "money/take_back.html", context)


@login_required
def adjust(request, tenant_id: int):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    tenant = scope.account_or_404(tenant_id)
    form = AdjustForm(request.POST or None, initial={"key": money.new_idempotency_key()})
    _require_recent_auth_for_amount(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _start_transfer(
            request,
            form,
            lambda: money.adjust(
                scope,
                tenant,
                data["amount"],
                direction=data["direction"],
                key=data["key"],
                memo=data["memo"],
            ),
        )
        if done:
            return done
    if wants_fragment(request):  # the form alone, with what is wrong
        return render(request, "money/adjust.html#adjust-form", {"tenant": tenant, "form": form})
    [(balance, balance_error)] = _balances(scope, tenant)
    return render(
        request,
        "money/adjust.html",
        {"tenant": tenant, "form": form, "balance": balance, "balance_error": balance_error},
    )


# --- Phone-card top-up ----------------------------------------------------------------------
def _over_limit(key: str, limit: tuple[int, int]) -> bool:
    count, seconds = limit
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        used = 1
    return used > count


def _pin_attempt_refused(request) -> bool:
    user_id = (request.scope.acting_user or request.user).pk
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    minute = int(timezone.now().timestamp() // 60)
    hour = int(timezone.now().timestamp() // 3600)
    checks = [
        (f"pin-topup:user:{user_id}:{minute}", PIN_ATTEMPTS_PER_USER),
        (f"pin-topup:user-hour:{user_id}:{hour}", PIN_ATTEMPTS_PER_USER_HOUR),
        (f"pin-topup:ip:{ip}:{minute}", PIN_ATTEMPTS_PER_IP),
    ]
    # Every counter moves, so hammering one limit does not spare the others.
    return any([_over_limit(key, limit) for key, limit in checks])  # noqa: C419


@login_required
def pin_topup(request, tenant_id: int):
    scope = request.scope
    tenant = scope.account_or_404(tenant_id)
    if not scope.may_use_phone_card(tenant):
        raise OutOfScope("phone-card top-up not allowed")
    form = PinTopupForm(request.POST or None, initial={"key": money.new_idempotency_key()})
    status = 200
    if request.method == "POST":
        if _pin_attempt_refused(request):
            audit.record("money.pin_topup.rate_limited", scope=scope, tenant=tenant, result="error")
            form.is_valid()
            form.add_error(None, _("Too many attempts. Please wait a few minutes and try again."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                transfer = money.pin_topup(
                    scope, tenant, data["pin"], data["password"], key=data["key"]
                )
            except VosValidationError as exc:
                form.add_error(None, vos.describe_error(exc))
            except money.MoneyRefused as exc:
                form.add_error("pin", str(exc))
            else:
                _tell(request, transfer)
                return redirect_after(request, reverse("money_transfer", args=[transfer.pk]))
    if wants_fragment(request):  # the form alone, with what is wrong
        context = {"tenant": tenant, "form": form}
        return render(request, "money/pin.html#pin-form", context, status=status)
    [(balance, balance_error)] = _balances(scope, tenant)
    return render(
        request,
        "money/pin.html",
        {
            "tenant": tenant,
            "form": form,
            "balance": balance,
            "balance_error": balance_error,
            "may_pay_by_card": _may_pay_by_card(scope, tenant),
        },
        status=status,
    )


@login_required
def my_pin_topup(request):
    """The customers' menu entry: their own account's phone-card page."""
    tenant = request.scope.tenant
    if tenant is None:
        raise Http404("no account of one's own")
    if tenant.kind == Tenant.Kind.PLATFORM:
        return redirect("money_ledger")  # the platform has no balance of its own
    if not request.scope.can(Action.MOVE_MONEY):
        return redirect("money_account", tenant_id=tenant.pk)  # viewers see, not pay
    return redirect("money_pin_topup", tenant_id=tenant.pk)


def _start_transfer(request, form, start):
    """Run ``start`` (a money service call); its refusal goes on the form, its transfer
    is announced and shown on its own page."""
    try:
        transfer = start()
    except money.MoneyRefused as exc:
        form.add_error(None, str(exc))
        return None
    _tell(request, transfer)
    return redirect_after(request, reverse("money_transfer", args=[transfer.pk]))


def _shown(amount) -> Decimal:
    """An amount for a message: cents, unless it has VOS's finer digits (a whole
    balance returned)."""
    amount = Decimal(str(amount))
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def _tell(request, transfer: MoneyTransfer) -> None:
    state = transfer.state
    if transfer.kind == MoneyTransfer.Kind.REVERSAL and state in (
        MoneyTransfer.State.SUCCEEDED,
        MoneyTransfer.State.FAILED,
        MoneyTransfer.State.COMPENSATED,
    ):
        if state == MoneyTransfer.State.SUCCEEDED:
            messages.success(
                request, _("Done: %(amount)s taken back.") % {"amount": _shown(transfer.amount)}
            )
        elif state == MoneyTransfer.State.COMPENSATED:
            messages.error(
                request,
                _("Your account could not be credited, so the money went back to the customer."),
            )
        else:
            messages.error(request, _("The money was not taken back. Nothing was moved."))
    elif state == MoneyTransfer.State.SUCCEEDED:
        messages.success(request, _("Done: %(amount)s paid.") % {"amount": _shown(transfer.amount)})
    elif state == MoneyTransfer.State.PENDING:
        messages.info(request, _("Accepted — processing. This page shows when it is done."))
    elif state == MoneyTransfer.State.UNKNOWN:
        messages.warning(request, _("Pending — we are confirming with the switch."))
    elif state == MoneyTransfer.State.REVIEW:
        messages.warning(request, _("Pending — an administrator is confirming this payment."))
    else:
        messages.error(request, _("The payment did not go through. Nothing was charged."))


# --- The ledger -------------------------------------------------------------------------------
@login_required
def ledger(request):
    scope = request.scope
    transfers = (
        selectors.money_transfers(scope)
        .select_related("customer", "funded_by", "requested_by", "server")
        .prefetch_related("corrections")
    )
    form = LedgerFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            transfers = transfers.filter(
                Q(customer__vos_account__icontains=data["q"])
                | Q(funded_by__vos_account__icontains=data["q"])
                | Q(customer__name__icontains=data["q"])
            )
        if data["state"]:
            transfers = transfers.filter(state=data["state"])
        if data["kind"]:
            transfers = transfers.filter(kind=data["kind"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            transfers = transfers.filter(
                created_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone)
            )
        if data["until"]:
            end = datetime.combine(data["until"], time.min, tzinfo=zone) + timedelta(days=1)
            transfers = transfers.filter(created_at__lt=end)
    before = querystring.identifier(request, "before")
    if before is not None:
        transfers = transfers.filter(pk__lt=before)
    page = list(transfers.order_by("-pk")[: PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "transfers": page[:PAGE_SIZE],
        "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else "",
        "query": query.urlencode(),
        "open_count": selectors.money_transfers(scope)
        .filter(state__in=[MoneyTransfer.State.UNKNOWN, MoneyTransfer.State.REVIEW])
        .count(),
    }
    return render_page_or_partial(request, "money/ledger.html", "ledger-rows", context)


def _transfer_context(scope, transfer_id: int) -> dict:
    transfer = selectors.money_transfer_or_404(scope, transfer_id)
    entries = list(transfer.entries.select_related("tenant", "retry_of"))
    for entry in entries:
        entry.story = money.leg_story(entry)
    return {
        "transfer": transfer,
        "entries": entries,
        "resolve_form": ResolveForm() if scope.can(Action.RUN_PLATFORM) else None,
        "may_run_platform": scope.can(Action.RUN_PLATFORM),
        "corrections": list(transfer.corrections.order_by("pk")),
        "may_correct": transfer.kind == MoneyTransfer.Kind.TOPUP
        and transfer.state == MoneyTransfer.State.SUCCEEDED
        and scope.may_top_up(transfer.customer)
        and money.correctable_amount(transfer) > 0,
    }


@login_required
def transfer_detail(request, transfer_id: int):
    context = _transfer_context(request.scope, transfer_id)
    if wants_fragment(request) and querystring.text(request, "part") == "status":
        return render(request, "money/transfer.html#transfer-status", context)
    return render(request, "money/transfer.html", context)


@login_required
def transfer_status(request, transfer_id: int):
    """A transfer's state, polled by its own fragment (every 2 s while it is open, then
    no more): the fragment for htmx, the whole transfer page otherwise."""
    context = _transfer_context(request.scope, transfer_id)
    return render_page_or_partial(request, "money/transfer.html", "transfer-status", context)


@login_required
def receipt(request, transfer_id: int):
    """The printable receipt of a successful top-up (404 for any other transfer)."""
    transfer = selectors.money_receipt_or_404(request.scope, transfer_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return render(request, "money/receipt.html", {"receipt": receipts.receipt_for(transfer)})


@login_required
def review_queue(request):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    transfers = (
        selectors.money_transfers(scope)
        .filter(
            state__in=[
                MoneyTransfer.State.UNKNOWN,
                MoneyTransfer.State.REVIEW,
                MoneyTransfer.State.PENDING,
            ]
        )
        .select_related("customer", "funded_by", "requested_by")
        .prefetch_related("entries")
        .order_by("created_at")
    )
    # Card payments (billing.payments) that took money but credited nothing, or were
    # refunded or disputed at the provider: a person decides.
    card_payments = (
        CardPayment.objects.filter(
            state__in=[
                CardPayment.State.REVIEW,
                CardPayment.State.REFUNDED,
                CardPayment.State.DISPUTED,
            ]
        )
        .select_related("customer")
        .order_by("updated_at")
    )
    return render(
        request,
        "money/queue.html",
        {"transfers": transfers[:200], "card_payments": card_payments[:200]},
    )


@login_required
def reconcile_now(request, transfer_id: int):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)  # before the method check: others learn nothing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    transfer = selectors.money_transfer_or_404(scope, transfer_id)
    before = transfer.state
    if transfer.state == MoneyTransfer.State.REVIEW:
        # An admin asked for another look: out of the queue, back to reconciliation.
        MoneyTransfer.objects.filter(pk=transfer.pk).update(state=MoneyTransfer.State.UNKNOWN)
        transfer.refresh_from_db()
    try:
        transfer = money.reconcile_transfer(scope, transfer)
    except VosError as exc:
        messages.error(request, vos.describe_error(exc))
    else:
        audit.record(
            "money.transfer.reconcile",
            scope=scope,
            target=transfer,
            tenant=transfer.customer,
            before={"state": before},
            after={"state": transfer.state},
        )
        messages.info(
            request,
            _("Reconciled: the transfer is now “%(state)s”.")
            % {"state": transfer.get_state_display()},
        )
    return redirect_after(request, reverse("money_transfer", args=[transfer.pk]))


@login_required
def reconcile_all(request):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)  # before the method check: others learn nothing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    enqueue(tasks.reconcile_open_transfers)
    audit.record("money.reconcile_all", scope=scope)
    messages.info(request, _("Reconciliation of every open transfer has started."))
    return redirect_after(request, reverse("money_review_queue"))


@login_required
def resolve(request, transfer_id: int):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    transfer = selectors.money_transfer_or_404(scope, transfer_id)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not transfer.is_open:
            messages.error(request, _("This transfer is settled already."))
        else:
            money.resolve_by_admin(
                scope,
                transfer,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The transfer is settled."))
        return redirect_after(request, reverse("money_transfer", args=[transfer.pk]))
    return render(request, "money/resolve.html", {"transfer": transfer, "form": form})


@login_required
def money_settings(request):
    scope = request.scope
    scope.require(Action.RUN_PLATFORM)
    current = MoneySettings.current()
    before = {f: str(getattr(current, f)) for f in MoneySettingsForm.Meta.fields}
    form = MoneySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(
            "money.settings.change",
            scope=scope,
            target=saved,
            before=before,
            after={f: str(getattr(saved, f)) for f in MoneySettingsForm.Meta.fields},
        )
        messages.success(request, _("Money settings saved."))
        return redirect("money_settings")
    return render(request, "money/settings.html", {"form": form})
