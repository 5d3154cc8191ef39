"""Card payment pages: choose an amount, the payment's live status, the payment
account's settings, the providers' webhook, and the offline provider's hosted checkout.

Only the webhook (or the daily reconciliation) credits VOS; the page the browser comes
back to reads, never credits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import Tenant
from accounts.roles import Action
from billing.models import CardPayment, PaymentAccount
from billing.money import services as money
from billing.payments import keys, selectors, tasks
from billing.payments import services as payments
from billing.payments.forms import AmountForm, PaymentAccountForm
from billing.payments.providers import offline
from switch import vos
from vos3000.errors import VosError
from web.htmx import redirect_after, render_page_or_partial
from web.tasks import enqueue

log = logging.getLogger(__name__)


def _absolute(request, path: str) -> str:
    base = getattr(settings, "PAYMENTS_PUBLIC_URL", "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


# --- Paying -----------------------------------------------------------------------------------
@login_required
def pay(request):
    """Choose an amount, see the fee and the total, then go to the provider's checkout."""
    scope = request.scope
    tenant = scope.tenant
    if tenant is None:
        raise Http404("no account of one's own")
    if tenant.kind == Tenant.Kind.PLATFORM:
        return redirect("payments_settings")  # the platform has no balance of its own
    if not scope.can(Action.MOVE_MONEY):
        return redirect("money_account", tenant_id=tenant.pk)  # viewers see, not pay
    account = PaymentAccount.serving(tenant)
    if account is None:
        return render(request, "payments/pay.html", {"tenant": tenant, "account": None})
    form = AmountForm(request.POST or None, account=account)
    cost = None
    if request.method == "POST" and form.is_valid():
        cost = payments.price(account, form.cleaned_data["amount"])
        if form.cleaned_data["confirm"]:
            try:
                _payment, url = payments.start_payment(
                    scope,
                    cost.amount,
                    status_url=lambda ref: _absolute(
                        request, reverse("payments_status", args=[ref])
                    ),
                    webhook_url=lambda acc: _absolute(
                        request, reverse("payments_webhook", args=[acc.pk])
                    ),
                )
            except payments.PaymentRefused as exc:
                form.add_error(None, str(exc))
                cost = None
            else:
                return redirect_after(request, url)
    context = {"tenant": tenant, "account": account, "form": form, "cost": cost}
    return render_page_or_partial(request, "payments/pay.html", "pay-form", context)


@login_required
def status(request, reference: str):
    """The payment's status, live (htmx polls it every 2 s until it is final)."""
    scope = request.scope
    payment = selectors.card_payment_or_404(scope, reference)
    if payment.state == CardPayment.State.PAID and payment.transfer_id:
        payments.follow_transfer(payment)  # the ledger's reconciliation may have settled it
    balance = balance_error = None
    if payment.state == CardPayment.State.CREDITED:
        try:
            balance = money.read_balance(scope, payment.customer)
        except VosError as exc:
            balance_error = vos.describe_error(exc)
    context = {
        "payment": payment,
        "balance": balance,
        "balance_error": balance_error,
        "canceled": request.GET.get("canceled") == "1",
        "poll_seconds": 2,
    }
    return render_page_or_partial(request, "payments/status.html", "payment-status", context)


# --- The payment account ----------------------------------------------------------------------
def _account_facts(account: PaymentAccount | None) -> dict:
    return {
        "secret_key": bool(account and account.secret_key_token),
        "webhook_secret": bool(account and account.webhook_secret_token),
        "changed_at": account.keys_changed_at if account else None,
    }


def _audited(account: PaymentAccount | None) -> dict | None:
    """The account as the trail keeps it: its settings and whether keys are set, never
    the keys."""
    if account is None:
        return None
    facts = _account_facts(account)
    return {f: str(getattr(account, f)) for f in PaymentAccountForm.Meta.fields} | {
        "secret_key": "set" if facts["secret_key"] else "not set",
        "webhook_secret": "set" if facts["webhook_secret"] else "not set",
        "keys_changed_at": facts["changed_at"].isoformat() if facts["changed_at"] else "",
    }


@login_required
def account_settings(request):
    """Connect or replace the platform's (admins) or a reseller's (its managers) payment
    account. Keys are write-only; every change is audited, without them."""
    scope = request.scope
    if not scope.is_provider:
        return redirect("payments_pay")
    account = selectors.own_payment_account(scope)
    may_change = scope.can(Action.MOVE_MONEY)
    form = None
    before = _audited(account)  # before the form writes into the instance
    if may_change:
        instance = account or PaymentAccount(
            owner=scope.tenant,
            currency=(settings.CURRENCY or "usd").lower()[:3],
            tenant_path=scope.tenant.path,
        )
        form = PaymentAccountForm(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            saved = form.save(commit=False)
            data = form.cleaned_data
            replaced = []
            for name in ("secret_key", "webhook_secret"):
                if data.get(name):
                    setattr(saved, f"{name}_token", keys.encrypt(data[name]))
                    replaced.append(name)
            if replaced:
                saved.keys_changed_at = timezone.now()
            saved.acts_as = scope.user
            saved.tenant_path = scope.tenant.path
            saved.save()
            audit.record(
                "payments.account.changed",
                scope=scope,
                target=saved,
                tenant=scope.tenant,
                before=before,
                # The keys never: only whether they were replaced.
                after=_audited(saved) | {"keys_replaced": replaced},
            )
            messages.success(request, _("Payment account saved."))
            return redirect_after(request, reverse("payments_settings"))
    recent = (
        account.payments.select_related("customer").order_by("-created_at")[:20] if account else []
    )
    webhook = _absolute(request, reverse("payments_webhook", args=[account.pk])) if account else ""
    context = {
        "account": account,
        "form": form,
        "facts": _account_facts(account),
        "webhook_url": webhook,
        "recent": recent,
    }
    return render_page_or_partial(request, "payments/settings.html", "account-form", context)


# --- The providers' webhook -------------------------------------------------------------------
@csrf_exempt
@require_POST
def webhook(request, account_id: int):
    """A provider's event: verified against the account's webhook secret, applied once.
    Refusals are 4xx with an error code, never a 500."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > payments.MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "too_large"}, status=413)
    body = request.body
    if len(body) > payments.MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "too_large"}, status=413)
    try:
        outcome = payments.take_webhook(account_id, body, request.headers)
    except payments.WebhookRefused as exc:
        return JsonResponse({"error": exc.code}, status=exc.status)
    return JsonResponse({"ok": True, "outcome": outcome})


# --- The offline provider's hosted checkout ------------------------------------------------------
def test_checkout(request, session_id: str):
    """The offline test provider's checkout page (it stands for Stripe's): a test card
    number pays or is declined; paying makes the provider send its signed webhook from a
    task, then the browser goes back to the portal."""
    session = offline.open_session(session_id)
    if session is None:
        raise Http404("no such checkout")
    error = ""
    State = session.State
    if request.method == "POST":
        if session.state == State.PAID:
            return redirect(session.success_url)
        if session.state == State.CANCELED or request.POST.get("action") == "cancel":
            if offline.cancel(session):
                enqueue(tasks.deliver_offline_event, session.pk, "checkout.canceled", robust=True)
            return redirect(session.cancel_url)
        if offline.pay(session, request.POST.get("card_number", "")[:40]):
            enqueue(tasks.deliver_offline_event, session.pk, "payment.succeeded", robust=True)
            return redirect(session.success_url)
        error = _("Your card was declined. Try another card.")
    context = {"session": session, "error": error}
    return render(request, "payments/test_checkout.html", context, status=402 if error else 200)
