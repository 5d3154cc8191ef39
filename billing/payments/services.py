"""Card payments: the customer starts a checkout, the provider's verified webhook (or
the daily listing) says it was paid, and only then the portal credits VOS through the
ledger (``billing.money.services.card_topup``).

- A payment is recorded (``CardPayment``, state ``created``) before the provider hears
  of it; its reference rides through the provider and back in every event.
- A webhook is verified against the payment account named in its URL; each event id is
  stored once per account (``ProviderEventRecord``), so a replay moves nothing. An event
  about a reference that is not ours, or that belongs to another account, is refused.
- ``paid`` checks the amount and currency against what was asked: a mismatch goes to
  review (no credit, admins alerted). Otherwise the transfer is made; its end decides the
  payment's (credited, or review when the customer paid but the switch was not credited).
- Refunds and disputes are recorded (state, audit trail, admins alerted); they move no
  VOS money: a person decides.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope, Scope
from billing.models import CENT, CardPayment, MoneyTransfer, PaymentAccount, ProviderEventRecord
from billing.money import services as money
from billing.payments import keys, providers
from billing.payments.providers import BadSignature, ProviderError, ProviderEvent

log = logging.getLogger(__name__)

# A webhook body above this is refused before it is read.
MAX_WEBHOOK_BYTES = 64 * 1024


class PaymentRefused(Exception):
    """The payment cannot start: the message says why, in words."""


class WebhookRefused(Exception):
    """A webhook the portal does not take: ``status`` (4xx) and ``code`` for the answer."""

    def __init__(self, status: int, code: str):
        super().__init__(code)
        self.status, self.code = status, code


def provider_for(account: PaymentAccount, *, webhook_url: str = ""):
    """The account's provider with its decrypted keys; ProviderError when its module is
    missing (a kind this installation lacks) or the keys cannot be read."""
    config = keys.config_for(account, webhook_url=webhook_url)
    try:
        return providers.get(account.kind, config)
    except (ImportError, KeyError):
        raise ProviderError(_("This payment provider is not available here.")) from None


# --- Amounts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Price:
    amount: Decimal  # what VOS is credited
    fee: Decimal
    total: Decimal  # what the card is charged


def price(account: PaymentAccount, amount: Decimal) -> Price:
    """The fee on top of ``amount``: a percentage (rounded half up to the cent) plus a
    fixed part."""
    percent = (amount * account.fee_percent / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    fee = (percent + account.fee_fixed).quantize(CENT)
    return Price(amount=amount, fee=fee, total=(amount + fee).quantize(CENT))


def may_pay(scope: Scope) -> bool:
    """Whether this user tops up its own account by card: a customer (or a reseller, for
    its own balance) who may move money, with a payment account serving it."""
    tenant = scope.tenant
    return (
        tenant is not None
        and tenant.kind != Tenant.Kind.PLATFORM
        and scope.can(Action.MOVE_MONEY)
        and PaymentAccount.serving(tenant) is not None
    )


# --- Starting a payment -------------------------------------------------------------------------
def start_payment(
    scope: Scope, amount: Decimal, *, status_url, webhook_url
) -> tuple[CardPayment, str]:
    """Record the payment and open the provider's checkout; returns the payment and the
    URL to send the browser to. ``status_url(reference)`` is the payment's page,
    ``webhook_url(account)`` the account's webhook address (absolute URLs)."""
    tenant = scope.tenant
    if tenant is None or tenant.kind == Tenant.Kind.PLATFORM or not scope.can(Action.MOVE_MONEY):
        raise OutOfScope("card payments are for one's own account")
    account = PaymentAccount.serving(tenant)
    if account is None:
        raise PaymentRefused(_("Card payments are not available for your account."))
    if not tenant.is_linked or tenant.status != Tenant.Status.ACTIVE:
        raise PaymentRefused(_("This account is not linked to a VOS server."))
    if amount < account.min_amount or amount > account.max_amount:
        raise PaymentRefused(
            _("Choose an amount from %(min)s to %(max)s.")
            % {"min": account.min_amount, "max": account.max_amount}
        )
    cost = price(account, amount)
    payment = CardPayment.objects.create(
        reference=secrets.token_urlsafe(18),
        customer=tenant,
        account=account,
        amount=cost.amount,
        fee=cost.fee,
        total=cost.total,
        currency=account.currency.lower(),
        requested_by=scope.user,
        tenant_path=tenant.path,
    )
    audit.record(
        "payments.payment.created",
        scope=scope,
        target=payment,
        tenant=tenant,
        after={"amount": str(cost.amount), "fee": str(cost.fee), "total": str(cost.total)},
    )
    back = status_url(payment.reference)
    try:
        provider = provider_for(account, webhook_url=webhook_url(account))
        checkout = provider.create_checkout(
            reference=payment.reference,
            amount=cost.total,
            description=_("Top-up of %(account)s") % {"account": tenant.vos_account},
            success_url=back,
            cancel_url=back + "?canceled=1",
            idempotency_key=payment.reference,
        )
    except ProviderError as exc:
        _set_state(payment, CardPayment.State.FAILED, event="payments.payment.failed", why=str(exc))
        raise PaymentRefused(
            _("The payment provider could not open a checkout: %(why)s") % {"why": exc}
        ) from exc
    CardPayment.objects.filter(pk=payment.pk).update(provider_session_id=checkout.session_id)
    payment.provider_session_id = checkout.session_id
    return payment, checkout.url


# --- Webhooks ------------------------------------------------------------------------------------
def take_webhook(account_id, body: bytes, headers) -> str:
    """Verify and apply one webhook for payment account ``account_id``; returns what
    happened ("credited", "duplicate", ...), or raises WebhookRefused."""
    account = PaymentAccount.objects.select_related("owner").filter(pk=account_id).first()
    if account is None or not account.has_keys:
        raise WebhookRefused(404, "unknown_account")
    try:
        provider = provider_for(account)
        event = provider.parse_webhook(body, headers)
    except BadSignature as exc:
        log.warning("payment webhook for account %s refused: %s", account.pk, exc)
        audit.record(
            "payments.webhook.refused",
            target=account,
            tenant=account.owner,
            result="error",
            error="bad_signature",
        )
        raise WebhookRefused(400, "bad_signature") from None
    except ProviderError as exc:
        log.warning("payment webhook for account %s is not an event: %s", account.pk, exc)
        raise WebhookRefused(400, "not_an_event") from None
    payment = None
    if event.kind != "ignored":
        payment = CardPayment.objects.filter(reference=event.reference, account=account).first()
        if payment is None:
            # Not ours, or another payment account's: refused, and kept in the trail.
            log.warning(
                "payment webhook for account %s names an unknown payment (%s, event %s)",
                account.pk,
                event.reference[:40],
                event.event_id[:80],
            )
            audit.record(
                "payments.webhook.refused",
                target=account,
                tenant=account.owner,
                result="error",
                error="unknown_payment",
                after={"event": event.event_id[:80], "reference": event.reference[:40]},
            )
            raise WebhookRefused(404, "unknown_payment")
    try:
        with transaction.atomic():
            record = ProviderEventRecord.objects.create(
                account=account, event_id=event.event_id, kind=event.kind, payment=payment
            )
    except IntegrityError:
        log.info("payment webhook %s for account %s seen before", event.event_id, account.pk)
        return "duplicate"
    try:
        outcome = apply_event(payment, event, source="webhook") if payment else "ignored"
    except Exception:
        # Not taken after all: the provider's retry may apply it (a credit is idempotent
        # on the provider's payment id), and the daily reconciliation would anyway.
        ProviderEventRecord.objects.filter(pk=record.pk).delete()
        raise
    ProviderEventRecord.objects.filter(pk=record.pk).update(outcome=outcome[:255])
    return outcome


def apply_event(payment: CardPayment, event: ProviderEvent, *, source: str) -> str:
    if event.kind == "paid":
        return apply_paid(
            payment,
            provider_payment_id=event.provider_payment_id,
            amount=event.amount,
            currency=event.currency,
            source=source,
        )
    if event.kind == "failed":
        if payment.state == CardPayment.State.CREATED:
            _set_state(
                payment,
                CardPayment.State.FAILED,
                event="payments.payment.failed",
                why=_("The checkout ended without payment."),
            )
            return "failed"
        return "kept"
    if event.kind in ("refunded", "disputed"):
        state = (
            CardPayment.State.REFUNDED if event.kind == "refunded" else CardPayment.State.DISPUTED
        )
        why = (
            _(
                "The provider refunded this payment. The switch's balance was not changed: "
                "an administrator decides."
            )
            if event.kind == "refunded"
            else _(
                "The card holder disputed this payment. The switch's balance was not "
                "changed: an administrator decides."
            )
        )
        _set_state(payment, state, event=f"payments.payment.{event.kind}", why=why)
        _alert(payment, why)
        return event.kind
    return "ignored"


def apply_paid(
    payment: CardPayment, *, provider_payment_id: str, amount, currency: str, source: str
) -> str:
    """The provider says ``payment`` was paid: check it, then credit VOS once."""
    S = CardPayment.State
    with transaction.atomic():
        payment = (
            CardPayment.objects.select_for_update()
            .select_related("account__owner", "customer")
            .get(pk=payment.pk)
        )
        if payment.transfer_id is not None or payment.state in (S.CREDITED, S.REFUNDED, S.DISPUTED):
            return "already_credited" if payment.transfer_id else payment.state
        if payment.state == S.REVIEW:
            return "review"
        if not provider_payment_id or (
            payment.provider_payment_id and payment.provider_payment_id != provider_payment_id
        ):
            reason = _("The provider reported a second, different payment for this reference.")
            if not provider_payment_id:
                reason = _("The provider's event names no payment.")
            _to_review(payment, reason, source=source)
            return "review"
        if (
            amount is None
            or amount != payment.total
            or currency.lower() != payment.currency.lower()
        ):
            _to_review(
                payment,
                _(
                    "The provider says %(paid)s %(currency)s was paid, but %(asked)s %(ours)s "
                    "was asked: nothing was credited."
                )
                % {
                    "paid": amount,
                    "currency": currency.upper(),
                    "asked": payment.total,
                    "ours": payment.currency.upper(),
                },
                source=source,
                provider_payment_id=provider_payment_id,
            )
            return "review"
        old = payment.state
        try:
            with transaction.atomic():
                CardPayment.objects.filter(pk=payment.pk).update(
                    state=S.PAID, provider_payment_id=provider_payment_id, paid_at=timezone.now()
                )
        except IntegrityError:
            _to_review(
                payment,
                _("This provider payment is already tied to another payment."),
                source=source,
            )
            return "review"
        payment.state, payment.provider_payment_id = S.PAID, provider_payment_id
        audit.record(
            "payments.payment.paid",
            target=payment,
            tenant=payment.customer,
            before={"state": old},
            after={"state": S.PAID, "provider_payment_id": provider_payment_id, "source": source},
        )
    return credit(payment)


def credit(payment: CardPayment) -> str:
    """Make (or find) the VOS top-up of a paid payment, and follow its end."""
    try:
        transfer = money.card_topup(payment)
    except money.MoneyRefused as exc:
        _to_review(
            payment,
            _("The customer paid by card, but the switch could not be credited: %(why)s")
            % {"why": exc},
            source="credit",
        )
        return "review"
    CardPayment.objects.filter(pk=payment.pk, transfer__isnull=True).update(transfer=transfer)
    payment.transfer = transfer
    return follow_transfer(payment)


def follow_transfer(payment: CardPayment) -> str:
    """The payment's state from its transfer's: credited once VOS was paid; review (the
    customer paid; a person must act) when the transfer failed or needs an admin."""
    S, T = CardPayment.State, MoneyTransfer.State
    transfer = payment.transfer
    if transfer is None or payment.state != S.PAID:
        return payment.state
    transfer.refresh_from_db()
    if transfer.state == T.SUCCEEDED:
        _set_state(payment, S.CREDITED, event="payments.payment.credited")
        return "credited"
    if transfer.state in (T.FAILED, T.COMPENSATED, T.REVIEW):
        why = _(
            "The customer paid by card, but the switch was not credited (%(state)s). "
            "A person must act."
        ) % {"state": transfer.get_state_display()}
        if transfer.state != T.REVIEW:
            money.send_to_review(transfer, why)  # into the ledger's review queue, alerted
        _to_review(payment, why, source="transfer", alert=False)
        return "review"
    return "paid"


# --- State changes ------------------------------------------------------------------------------
def _set_state(payment: CardPayment, state: str, *, event: str, why: str = "", **fields) -> None:
    old = payment.state
    if why:
        fields["review_reason"] = why[:255]
    CardPayment.objects.filter(pk=payment.pk).update(state=state, **fields)
    payment.state = state
    for name, value in fields.items():
        setattr(payment, name, value)
    audit.record(
        event,
        target=payment,
        tenant=payment.customer,
        before={"state": old},
        after={"state": state, **({"why": why} if why else {})},
        result="ok"
        if state not in (CardPayment.State.REVIEW, CardPayment.State.FAILED)
        else "error",
    )


def _to_review(payment: CardPayment, reason: str, *, source: str, alert: bool = True, **fields):
    _set_state(
        payment, CardPayment.State.REVIEW, event="payments.payment.review", why=reason, **fields
    )
    log.error("card payment %s needs an admin (%s): %s", payment.reference, source, reason)
    if alert:
        _alert(payment, reason)


def _alert(payment: CardPayment, reason: str) -> None:
    mail_admins(
        f"Card payment {payment.reference} needs review",
        f"{payment} — {reason}\nOpen the payment account's page in the portal.",
        fail_silently=True,
    )


# --- Reconciliation with the provider ------------------------------------------------------------
def reconcile_account(account: PaymentAccount, *, since=None) -> dict:
    """Compare the provider's successful payments since ``since`` with the portal's
    credits: a paid payment never credited (a missed webhook) is credited through the
    same path as a webhook; a credit the provider does not list goes to review."""
    since = since or timezone.now() - timedelta(days=settings.PAYMENTS_RECONCILE_DAYS)
    provider = provider_for(account)
    found = {"credited": 0, "unknown": 0, "unlisted": 0}
    listed = set()
    for paid in provider.successful_payments(since):
        listed.add(paid.provider_payment_id)
        payment = CardPayment.objects.filter(account=account, reference=paid.reference).first()
        if payment is None:
            found["unknown"] += 1
            log.error(
                "provider payment %s (account %s) matches no card payment",
                paid.provider_payment_id,
                account.pk,
            )
            mail_admins(
                f"Unknown card payment on payment account {account.pk}",
                f"The provider lists payment {paid.provider_payment_id} ({paid.amount} "
                f"{paid.currency.upper()}) that the portal did not start.",
                fail_silently=True,
            )
            continue
        if payment.state == CardPayment.State.PAID and payment.transfer_id:
            follow_transfer(payment)
            continue
        if payment.state in (
            CardPayment.State.CREATED,
            CardPayment.State.FAILED,
            CardPayment.State.PAID,
        ):
            outcome = apply_paid(
                payment,
                provider_payment_id=paid.provider_payment_id,
                amount=paid.amount,
                currency=paid.currency,
                source="reconciliation",
            )
            if outcome == "credited":
                found["credited"] += 1
    # Credits in the window that the provider does not list: money given, none taken.
    credited = CardPayment.objects.filter(
        account=account, state=CardPayment.State.CREDITED, paid_at__gte=since + timedelta(minutes=5)
    ).exclude(provider_payment_id__in=listed)
    for payment in credited:
        found["unlisted"] += 1
        _to_review(
            payment,
            _("The switch was credited, but the provider does not list this payment as paid."),
            source="reconciliation",
        )
    return found


# --- Demo -----------------------------------------------------------------------------------------
def ensure_demo_account(owner: Tenant, acts_as) -> tuple[PaymentAccount, bool]:
    """An enabled offline test account for ``owner`` (the demo's platform), with random
    keys, so a demo customer can pay by card at once; an existing account is kept."""
    account = PaymentAccount.objects.filter(owner=owner).first()
    if account is not None:
        return account, False
    account = PaymentAccount.objects.create(
        owner=owner,
        kind=PaymentAccount.Kind.OFFLINE,
        secret_key_token=keys.encrypt("sk_test_" + secrets.token_urlsafe(24)),
        webhook_secret_token=keys.encrypt("whsec_" + secrets.token_urlsafe(24)),
        keys_changed_at=timezone.now(),
        currency=(settings.CURRENCY or "usd").lower()[:3],
        min_amount=Decimal("5.00"),
        max_amount=Decimal("500.00"),
        fee_percent=Decimal("2.90"),
        fee_fixed=Decimal("0.30"),
        enabled=True,
        acts_as=acts_as,
        tenant_path=owner.path,
    )
    audit.record(
        "payments.account.changed",
        actor=acts_as,
        target=account,
        tenant=owner,
        after={"kind": account.kind, "enabled": "True", "keys_replaced": ["demo"]},
    )
    return account, True
