"""Receipts: what a successful top-up of any kind (a provider's top-up, a phone card, a
card payment) says to the customer, on a printable page and by email.

A receipt is derived, never stored: its number is the transfer's year and id
(``R-2026-000123``), its facts are the transfer's and its credit leg's. What is stored
is only *that* the email went out (``MoneyTransfer.receipt_sent_at``), claimed with a
conditional UPDATE before sending so that a task run twice (or the sweep racing the
task) sends it once.

A receipt never shows the VOS address, an idempotency or leg key, or a phone card's
PIN (only its masked hint, as the ledger keeps it).
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.models import User
from billing.models import LedgerEntry, MoneyTransfer
from web import numbers

log = logging.getLogger(__name__)

# The kinds that get a receipt once they succeed ("card_topup": card payments).
RECEIPT_KINDS = MoneyTransfer.RECEIPT_KINDS

# What the customer reads for each kind.
KIND_WORDS = {
    "topup": _("Top-up by your provider"),
    "pin_topup": _("Phone card"),
    "card_topup": _("Card payment"),
}

# The sweep (a beat task) sends receipts whose task was lost: settled at least this long
# ago (the task had its chance) and at most RECEIPT_SWEEP_HOURS ago.
SWEEP_AFTER = timedelta(minutes=2)


def with_receipts(transfers):
    """The transfers of ``transfers`` (a queryset) that have a receipt."""
    return transfers.filter(kind__in=RECEIPT_KINDS, state=MoneyTransfer.State.SUCCEEDED)


def receipt_number(transfer: MoneyTransfer) -> str:
    """Stable and derived: the UTC year the transfer was asked for, and its id."""
    return f"R-{transfer.created_at.astimezone(UTC).year}-{transfer.pk:06d}"


@dataclass(frozen=True)
class Receipt:
    number: str
    transfer_id: int
    kind: str
    kind_words: str
    issuer: str  # the customer's provider: its reseller, or the platform
    paid_by: str
    customer_name: str
    account: str
    amount: Decimal
    paid_at: datetime
    balance_after: Decimal | None  # what VOS said after the credit, when it said
    card_hint: str


def _credit_balance(transfer: MoneyTransfer) -> Decimal | None:
    """The customer's balance as VOS stated it in the answer to the leg that credited it
    (the last succeeded one, a retry's included)."""
    credit = (
        transfer.entries.filter(
            tenant_id=transfer.customer_id, state=LedgerEntry.State.SUCCEEDED, amount__gt=0
        )
        .order_by("-seq")
        .first()
    )
    return None if credit is None else credit.balance_after


def receipt_for(transfer: MoneyTransfer) -> Receipt:
    """The receipt of a successful top-up. Words are lazy: render it under the reader's
    language (and time zone, for ``paid_at``)."""
    customer = transfer.customer
    provider = customer.parent
    issuer = provider.shown_name if provider is not None else customer.shown_name
    if transfer.kind == MoneyTransfer.Kind.TOPUP:
        payer = transfer.funded_by or transfer.payer_tenant or provider
        paid_by = payer.shown_name if payer is not None else issuer
    else:  # the customer paid: with a phone card or a bank card
        paid_by = customer.shown_name
    return Receipt(
        number=receipt_number(transfer),
        transfer_id=transfer.pk,
        kind=transfer.kind,
        kind_words=KIND_WORDS.get(transfer.kind, transfer.get_kind_display()),
        issuer=issuer,
        paid_by=paid_by,
        customer_name=customer.shown_name,
        account=customer.vos_account,
        amount=transfer.amount,
        paid_at=transfer.settled_at or transfer.created_at,
        balance_after=_credit_balance(transfer),
        card_hint=transfer.card_hint,
    )


def amount_words(amount) -> str:
    """An amount as pages write it (``|money``), for a subject line: "1,234.50 USD"."""
    return numbers.with_currency(numbers.grouped(amount, numbers.money_places()))


def receipt_url(transfer_id: int) -> str:
    """The printable page's absolute address (the portal's own, ALERTS_PORTAL_URL)."""
    base = settings.ALERTS_PORTAL_URL.rstrip("/")
    return base + reverse("money_receipt", args=[transfer_id])


# --- Email -----------------------------------------------------------------------------------
def recipients(transfer: MoneyTransfer):
    """The people of the credited account who can read email."""
    return (
        User.objects.filter(tenant_id=transfer.customer_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _zone(user: User):
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def receipt_email(transfer: MoneyTransfer, user: User) -> EmailMultiAlternatives:
    """The receipt for one reader: their language, their time zone; text and HTML."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(_zone(user)):
        receipt = receipt_for(transfer)
        context = {"receipt": receipt, "url": receipt_url(transfer.pk), "user": user}
        subject = gettext("Receipt %(number)s — top-up of %(amount)s") % {
            "number": receipt.number,
            "amount": amount_words(receipt.amount),
        }
        text = render_to_string("money/email/receipt.txt", context)
        html = render_to_string("money/email/receipt.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={"Content-Language": translation.to_language(language)},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_receipt(transfer_id: int) -> int:
    """Email the receipt of a successful top-up to its account's people, once: the
    number of emails sent (0 when it was sent already, or is no receipt's)."""
    claimed = (
        with_receipts(MoneyTransfer.objects.filter(pk=transfer_id))
        .filter(receipt_sent_at__isnull=True)
        .update(receipt_sent_at=timezone.now())
    )
    if not claimed:
        return 0
    transfer = MoneyTransfer.objects.select_related(
        "customer__parent", "funded_by", "payer_tenant", "server"
    ).get(pk=transfer_id)
    messages = [receipt_email(transfer, user) for user in recipients(transfer)]
    if messages:
        try:
            get_connection().send_messages(messages)
        except Exception:
            # Not sent: unclaimed again, so the sweep tries later.
            MoneyTransfer.objects.filter(pk=transfer_id).update(receipt_sent_at=None)
            raise
    audit.record(
        "money.receipt.sent",
        target=transfer,
        tenant=transfer.customer,
        vos_server=transfer.server,
        after={"receipt": receipt_number(transfer), "emails": len(messages)},
    )
    return len(messages)


def missed_receipts() -> list[int]:
    """Successful top-ups whose receipt was not sent (its task lost, the mail server
    down), settled long enough ago for their own task to have run."""
    now = timezone.now()
    hours = settings.RECEIPT_SWEEP_HOURS
    return list(
        with_receipts(MoneyTransfer.objects.all())
        .filter(
            receipt_sent_at__isnull=True,
            settled_at__lte=now - SWEEP_AFTER,
            settled_at__gte=now - timedelta(hours=hours),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
