"""Moving money: top-ups, adjustments and phone-card top-ups, recorded before VOS is
called, never retried blindly, and reconciled against VOS's pay history when an answer
was lost.

The rules, in the order a transfer meets them:

1. The intent is written first: a ``MoneyTransfer`` with the form's idempotency key (a
   resubmitted form or a double click finds the same row and pays nothing more), then a
   ``LedgerEntry`` per money call, in state ``pending``.
2. The matching rule: calls in flight (pending/sent/unknown) on one VOS account have
   different amounts. The database refuses a second entry of the same account and
   amount in flight (a partial unique constraint), so when an answer is lost exactly one
   call can explain a pay-history row of that amount (VOS's pay history has account,
   amount, time and balance after, no memo to rely on). Calls VOS answered claim their
   row by amount and balance after, so they never confuse an unanswered one.
   A leg that cannot be opened now (a call of the same amount on that account is in
   flight) is not waited for in the web request and not refused: the transfer stays
   ``pending`` ("processing"), and the worker opens the leg once the account and amount
   are free (``tasks.advance_transfer``, again after a growing, bounded countdown;
   beat's sweep picks up a transfer whose task message was lost). A phone card's PIN is
   not stored, so a card top-up is refused in words instead, at once.
3. Just before the call the entry becomes ``sent`` (committed), so a crash mid-call leaves
   evidence. The answer settles it ``succeeded`` (with VOS's new balance) or ``failed``.
   When the client says the request may have been applied (read timeout after sending,
   dropped connection, a 5xx) the entry becomes ``unknown``; nothing is retried.
4. ``reconcile_transfer`` (a Celery task, right away and every minute) looks the account's
   pay history up: one unclaimed matching row settles the entry ``succeeded``; none, once
   VOS can no longer be processing it, ``failed`` and *proven absent*; more than one, or
   too many attempts, sends the transfer to the admins' queue (state ``review``) with an
   alert. The entry's own ``error`` is kept; what reconciliation found is its ``finding``.
5. A reseller-funded top-up is two legs: debit the reseller, then credit the customer.
   If the credit fails, a third leg refunds the reseller. Legs run strictly in order;
   a leg in doubt stops the transfer until reconciliation settles it, then the transfer
   goes on from where it stopped. A leg in doubt on the reseller's account holds up only
   the reseller's top-ups of the same amount: the others go through meanwhile.
6. A retry only on proof. A leg that follows money already moved (the credit after the
   reseller was debited, the reseller's refund) and is proven absent from VOS (it never
   reached VOS, or reconciliation found no such payment after the grace period) is tried
   again as a NEW leg with a new key, recorded (and audited) before the call, after a
   doubling wait, at most ``MONEY_LEG_MAX_ATTEMPTS`` calls in all. A leg that may have
   been applied is never retried; a leg VOS refused is not either (it would be refused
   again). The first leg of a transfer is never retried: nothing moved, and the person
   was told so.
7. A take-back (``reverse``, issue 15) is a top-up the other way round: debit the
   customer, then credit the reseller (an admin's: the customer's debit alone); when that
   credit fails for good a third leg refunds the customer. Never more than the balance VOS
   states; a correction of a top-up never more than what is left of it.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, events
from accounts.models import Tenant, User, carry_paths
from accounts.roles import Action, Role
from accounts.scope import OutOfScope, Scope
from billing.events import balances_read
from billing.models import CENT, BalanceReading, LedgerEntry, MoneySettings, MoneyTransfer
from billing.money import receipts, tasks
from billing.money.readings import copy_to_tenants, remember_read
from switch import labels, vos
from vos3000.client.dates import format_timestamp
from vos3000.errors import VosApiError, VosError, VosUnavailable, VosValidationError
from web import numbers
from web.tasks import enqueue

log = logging.getLogger(__name__)


# Values from the catalog, by the manual's meaning (the owner types are switch.vos's).
PAY_TYPE_CARD = labels.value("InfoPayHistory", "payType", "Phone Card")


# Pay-history rows are looked for from this long before the call was sent: VOS's clock
# and ours may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)


class MoneyRefused(Exception):
    """The transfer was refused before any money call: the message says why, in words."""


# The client's reason tags for an answer that never came (VosUnavailable.reason).
UNANSWERED_WORDS = {
    "read_timeout": "no answer in time (read timeout after sending)",
    "connection_lost": "the connection was lost before the answer",
    "bad_body": "the answer was not a VOS answer",
    "transport_error": "a network error after sending",
}


def _unanswered(exc: VosUnavailable) -> str:
    reason = exc.reason or "unanswered"
    if reason.startswith("http_"):
        words = f"HTTP status {reason[5:]} from the switch"
    else:
        words = UNANSWERED_WORDS.get(reason, reason)
    return f"No usable answer: {words}."[:255]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def parse_amount(value) -> Decimal:
    """A positive amount with at most two decimals, or MoneyRefused."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise MoneyRefused(_("Enter an amount such as 20 or 20.50.")) from None
    if not amount.is_finite() or amount <= 0:
        raise MoneyRefused(_("The amount must be more than zero."))
    if amount.adjusted() >= 10:  # 1e999 and the like: beyond any amount (and quantize)
        raise MoneyRefused(_("That is more than the portal can move."))
    if amount != amount.quantize(CENT):
        raise MoneyRefused(_("Use at most two decimals."))
    return amount.quantize(CENT)


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _money_or_none(value) -> Decimal | None:
    """An amount VOS sent, or None when it left the field out: unknown is not zero."""
    return None if value is None or value == "" else _money(value)


# --- Balances ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Balance:
    """A balance as VOS told it, and when. ``money`` is None when VOS's answer left it
    out (real servers answer sparsely): the balance is unknown, never zero."""

    account: str
    money: Decimal | None
    limit_money: Decimal | None
    read_at: object
    source: str

    @property
    def known(self) -> bool:
        return self.money is not None

    @property
    def available(self) -> Decimal | None:
        """Balance plus overdraft (an unknown overdraft counts as none: the least it can
        be); None when the balance is unknown."""
        if self.money is None:
            return None
        return self.money + (self.limit_money or 0)


def balance_pushed(server, payload: dict) -> None:
    """CustomerMoneyChange (3.2), registered in billing.apps: only the portal's own
    accounts are remembered (VOS pushes every account's changes); remembering tells the
    low-balance alerts too."""
    if payload.get("money") is None:  # a sparse push says nothing about the balance
        return
    if Tenant.objects.filter(server=server, vos_account=payload["account"]).exists():
        remember_balance(server, payload["account"], payload["money"], source="push")


def follow_tenant_move(sender, old_path: str, new_path: str, **kwargs) -> int:
    """A tenant (and its subtree) moved (accounts.events.tenant_moved): its ledger rows
    follow, so scoped lists stay right."""
    return carry_paths(MoneyTransfer.objects.all(), "tenant_path", old_path, new_path)


def remember_balance(server, account: str, money, *, source: str) -> None:
    """A balance VOS told us without its overdraft (a Pay answer, a push): the money is
    replaced, the overdraft last read is kept, and the low-balance alerts are told."""
    BalanceReading.objects.update_or_create(
        server=server,
        vos_account=account,
        defaults={"money": _money(money), "read_at": timezone.now(), "source": source},
    )
    copy_to_tenants(server, [account])
    balances_read.send(sender=None, server=server, balances={account: money})


def read_balances(scope: Scope, tenants: list[Tenant]) -> dict[str, Balance]:
    """Balances of accounts on one server, read from VOS now in one GetCustomer (and
    remembered like every page's read); VosError when VOS cannot say."""
    server = tenants[0].server
    accounts = [t.vos_account for t in tenants]
    answer = vos.call(scope, server, "GetCustomer", {"accounts": accounts})
    infos = scope.keep_in_scope(server, answer.get("infoCustomers", []))
    now = timezone.now()
    # Remembered, and the low-balance alerts told, after the response (on a GET).
    remember_read(server, infos, "page", now, announce=True)
    found = {
        info["account"]: Balance(
            account=info["account"],
            money=_money_or_none(info.get("money")),
            limit_money=_money_or_none(info.get("limitMoney")),
            read_at=now,
            source="page",
        )
        for info in infos
    }
    if missing := [a for a in accounts if a not in found]:
        raise VosApiError(
            -10007,
            _("The account %(account)s was not found on the switch.") % {"account": missing[0]},
            "GetCustomer",
        )
    return found


def read_balance(scope: Scope, tenant: Tenant) -> Balance:
    return read_balances(scope, [tenant])[tenant.vos_account]


def last_known_balance(tenant: Tenant) -> Balance | None:
    reading = BalanceReading.objects.filter(
        server=tenant.server_id, vos_account=tenant.vos_account
    ).first()
    if reading is None:
        return None
    return Balance(
        reading.vos_account, reading.money, reading.limit_money, reading.read_at, reading.source
    )


# --- Checks before a transfer -----------------------------------------------------------
def stated_balance(scope: Scope, tenant: Tenant, unknown: str) -> Balance:
    """The balance VOS states for ``tenant`` now, or MoneyRefused in words: VOS's error
    when it cannot be asked, ``unknown`` when it answers without the balance (a left-out
    amount is never taken for 0)."""
    try:
        balance = read_balance(scope, tenant)
    except VosError as exc:
        raise MoneyRefused(vos.describe_error(exc)) from exc
    if not balance.known:
        raise MoneyRefused(unknown)
    return balance


def _reseller_account(scope: Scope, customer: Tenant) -> Tenant | None:
    """The reseller whose own VOS account pays a top-up (or receives a take-back) when
    the platform says resellers fund their top-ups; None for the platform's own moves."""
    if not (
        MoneySettings.current().reseller_funded_topups and scope.tenant.kind == Tenant.Kind.RESELLER
    ):
        return None
    funder = scope.tenant
    _linked(funder)
    if funder.server_id != customer.server_id:
        raise MoneyRefused(_("Your account and the customer's are on different servers."))
    return funder


def _linked(tenant: Tenant) -> None:
    if not tenant.is_linked or not tenant.server.enabled:
        raise MoneyRefused(_("This account is not linked to a VOS server."))
    if tenant.status != Tenant.Status.ACTIVE:
        raise MoneyRefused(_("This account was deleted in VOS."))


def _check_limits(amount: Decimal, payer: Tenant | None) -> None:
    rules = MoneySettings.current()
    if amount > rules.max_per_transaction:
        raise MoneyRefused(
            _("The most you can move at once is %(limit)s.") % {"limit": rules.max_per_transaction}
        )
    start_of_day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    today = (
        MoneyTransfer.objects.filter(payer_tenant=payer, created_at__gte=start_of_day)
        .exclude(state__in=[MoneyTransfer.State.FAILED, MoneyTransfer.State.COMPENSATED])
        .exclude(kind=MoneyTransfer.Kind.PIN_TOPUP)
    )
    spent = today.aggregate(total=Sum(Abs("amount")))["total"] or Decimal("0")
    # Debit adjustments count by their size (Abs), like credits.
    if spent + amount > rules.max_per_day:
        left = max(rules.max_per_day - spent, Decimal("0"))
        raise MoneyRefused(
            _("This would pass today's limit of %(limit)s (%(left)s left).")
            % {"limit": rules.max_per_day, "left": left}
        )


def _existing(key: str, scope: Scope, customer: Tenant) -> MoneyTransfer | None:
    """The transfer a resubmitted form already made: same key, same person, same account.
    A key used by someone else (or for another account) is refused, never reused."""
    found = MoneyTransfer.objects.filter(idempotency_key=key).first()
    if found is None:
        return None
    if found.requested_by_id != scope.user.pk or found.customer_id != customer.pk:
        raise MoneyRefused(_("This form has expired. Please start again."))
    return found


def _create(scope: Scope, *, key: str, kind: str, customer: Tenant, amount: Decimal, **extra):
    """Insert the transfer; a concurrent double submit with the same key loses the race
    on the unique key and gets the winner's row."""
    info = audit.request_info()
    try:
        with transaction.atomic():
            transfer = MoneyTransfer.objects.create(
                idempotency_key=key,
                kind=kind,
                server=customer.server,
                customer=customer,
                amount=amount,
                requested_by=scope.user,
                acting_user=scope.acting_user,
                tenant_path=customer.path,
                ip=info.ip,
                request_id=info.request_id,
                **extra,
            )
            audit.record(
                f"money.{kind}.requested",
                scope=scope,
                target=transfer,
                tenant=customer,
                vos_server=customer.server,
                after={
                    "amount": str(amount),
                    "funded_by": getattr(extra.get("funded_by"), "vos_account", None),
                    "memo": extra.get("memo", ""),
                    **({"corrects": extra["corrects"].pk} if extra.get("corrects") else {}),
                },
            )
            return transfer, True
    except IntegrityError:
        found = MoneyTransfer.objects.filter(idempotency_key=key).first()
        if found is None:
            raise
        if found.requested_by_id != scope.user.pk or found.customer_id != customer.pk:
            raise MoneyRefused(_("This form has expired. Please start again.")) from None
        return found, False


def _record_and_run(scope: Scope, **fields) -> MoneyTransfer:
    """Record the transfer, then make its money calls; a replayed key makes none."""
    transfer, created = _create(scope, **fields)
    if created:
        advance(scope, transfer)
        transfer.refresh_from_db()
    return transfer


# --- Starting transfers ------------------------------------------------------------------
def topup(scope: Scope, customer: Tenant, amount, *, key: str, memo: str = "") -> MoneyTransfer:
    """A reseller (or admin) tops up an account below it. Reseller-funded when the
    platform says so and the payer is a reseller: the reseller's own account pays."""
    if not scope.may_top_up(customer):
        raise OutOfScope("top-up not allowed for this account")
    amount = parse_amount(amount)
    if found := _existing(key, scope, customer):
        return found
    _linked(customer)
    funder = _reseller_account(scope, customer)
    _check_limits(amount, scope.tenant)
    if funder is not None:
        balance = stated_balance(
            scope,
            funder,
            _(
                "The switch did not say your balance, so the top-up cannot be checked "
                "against it. Nothing was paid; please try again later."
            ),
        )
        if balance.available < amount:
            raise MoneyRefused(
                _(
                    "Your available credit is %(available)s (balance %(money)s plus overdraft "
                    "%(limit)s): not enough for %(amount)s."
                )
                % {
                    "available": balance.available.quantize(CENT),
                    "money": balance.money.quantize(CENT),
                    "limit": _("unknown")
                    if balance.limit_money is None
                    else balance.limit_money.quantize(CENT),
                    "amount": amount,
                }
            )
    return _record_and_run(
        scope,
        key=key,
        kind=MoneyTransfer.Kind.TOPUP,
        customer=customer,
        amount=amount,
        funded_by=funder,
        payer_tenant=scope.tenant,
        memo=memo,
    )


def adjust(
    scope: Scope, customer: Tenant, amount, *, direction: str, key: str, memo: str
) -> MoneyTransfer:
    """An admin's credit or debit of an account: one leg, never reseller-funded."""
    scope.require(Action.RUN_PLATFORM)
    scope.require(Action.MOVE_MONEY)
    if not scope.contains(customer) or customer.kind == Tenant.Kind.PLATFORM:
        raise OutOfScope("adjustment outside the scope")
    amount = parse_amount(amount)
    signed = amount if direction == "credit" else -amount
    if found := _existing(key, scope, customer):
        return found
    _linked(customer)
    _check_limits(amount, scope.tenant)
    return _record_and_run(
        scope,
        key=key,
        kind=MoneyTransfer.Kind.ADJUSTMENT,
        customer=customer,
        amount=signed,
        payer_tenant=scope.tenant,
        memo=memo,
    )


# --- Taking money back ---------------------------------------------------------------------
def correctable_amount(topup_transfer: MoneyTransfer) -> Decimal:
    """How much of a succeeded top-up may still be taken back as its correction: its
    amount less the corrections that did not fail (those in progress count)."""
    taken = (
        topup_transfer.corrections.exclude(
            state__in=[MoneyTransfer.State.FAILED, MoneyTransfer.State.COMPENSATED]
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return max(Decimal(str(topup_transfer.amount)) - Decimal(str(taken)), Decimal("0")).quantize(
        CENT
    )


def check_correctable(customer: Tenant, original: MoneyTransfer) -> None:
    """A top-up may be corrected when it is a top-up of this account that succeeded."""
    if original.customer_id != customer.pk or original.kind != MoneyTransfer.Kind.TOPUP:
        raise MoneyRefused(_("Only a top-up of this account can be corrected here."))
    if original.state != MoneyTransfer.State.SUCCEEDED:
        raise MoneyRefused(_("Only a top-up that went through can be corrected."))


def reverse(
    scope: Scope,
    customer: Tenant,
    amount,
    *,
    key: str,
    memo: str = "",
    corrects: MoneyTransfer | None = None,
) -> MoneyTransfer:
    """A reseller (or admin) takes money back from an account below it: the customer is
    debited first, then the reseller credited (when top-ups are reseller-funded and the
    taker is a reseller; an admin's take-back goes back to the platform, which has no
    VOS account: one leg). Never more than the balance VOS states now; a correction of a
    top-up never more than what is left of it."""
    if not scope.may_top_up(customer):
        raise OutOfScope("take-back not allowed for this account")
    amount = parse_amount(amount)
    if found := _existing(key, scope, customer):
        return found
    return _start_reversal(scope, customer, amount, key=key, memo=memo, corrects=corrects)


def return_balance(scope: Scope, customer: Tenant, *, key: str, memo: str = "") -> MoneyTransfer:
    """Take back the whole balance VOS states now, to its last 1/10000 (before deleting
    the account: VOS deletes only an account whose balance is exactly zero)."""
    if not scope.may_top_up(customer):
        raise OutOfScope("take-back not allowed for this account")
    if found := _existing(key, scope, customer):
        return found
    _linked(customer)
    balance = stated_balance(
        scope,
        customer,
        _("The switch did not say the customer's balance, so it cannot be returned now."),
    )
    if balance.money <= 0:
        raise MoneyRefused(_("There is no money on this account to return."))
    return _start_reversal(scope, customer, balance.money, key=key, memo=memo, corrects=None)


def _start_reversal(
    scope: Scope,
    customer: Tenant,
    amount: Decimal,
    *,
    key: str,
    memo: str,
    corrects: MoneyTransfer | None,
) -> MoneyTransfer:
    _linked(customer)
    if corrects is not None:
        check_correctable(customer, corrects)
        left = correctable_amount(corrects)
        if amount > left:
            raise MoneyRefused(
                _("At most %(left)s of top-up #%(number)s is left to correct.")
                % {"left": left, "number": corrects.pk}
            )
    funder = _reseller_account(scope, customer)
    _check_limits(amount, scope.tenant)
    check_reversible(scope, customer, amount)
    transfer, created = _create(
        scope,
        key=key,
        kind=MoneyTransfer.Kind.REVERSAL,
        customer=customer,
        amount=amount,
        funded_by=funder,
        payer_tenant=scope.tenant,
        memo=memo,
        corrects=corrects,
    )
    if not created:
        return transfer
    if corrects is not None and _over_corrected(corrects):
        # Two corrections of the same top-up at once, together more than it: this one
        # moves nothing (the cap holds whoever wins).
        MoneyTransfer.objects.filter(pk=transfer.pk).update(
            state=MoneyTransfer.State.FAILED, settled_at=timezone.now()
        )
        raise MoneyRefused(
            _("Another correction of top-up #%(number)s came first. Nothing was moved.")
            % {"number": corrects.pk}
        )
    advance(scope, transfer)
    transfer.refresh_from_db()
    return transfer


def _over_corrected(original: MoneyTransfer) -> bool:
    taken = original.corrections.exclude(
        state__in=[MoneyTransfer.State.FAILED, MoneyTransfer.State.COMPENSATED]
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return Decimal(str(taken)) > Decimal(str(original.amount))


def check_reversible(scope: Scope, customer: Tenant, amount: Decimal) -> Balance:
    """The balance VOS states now covers ``amount`` (the overdraft does not count: only
    money the customer has can be taken back); MoneyRefused in words otherwise, and when
    VOS cannot say."""
    balance = stated_balance(
        scope,
        customer,
        _(
            "The switch did not say the customer's balance, so nothing can be taken "
            "back now. Nothing was moved; please try again later."
        ),
    )
    if balance.money < amount:
        raise MoneyRefused(
            _("The customer's balance is %(money)s: you cannot take back %(amount)s.")
            % {"money": balance.money.quantize(CENT), "amount": amount}
        )
    return balance


@dataclass(frozen=True)
class _Step:
    """One money call of a transfer's plan: which leg, on whose account, how much."""

    leg: str
    tenant: Tenant
    amount: Decimal


def _plan(transfer: MoneyTransfer) -> tuple[list[_Step], _Step | None]:
    """The legs a transfer makes in turn, and the leg that gives the first one's money
    back when the last failed for good (None: nothing to give back).

    A top-up: debit the reseller (when it funds it), then credit the customer; undone by
    refunding the reseller. A take-back: debit the customer, then credit the reseller
    (when it takes it back for itself); undone by refunding the customer. An adjustment:
    one leg."""
    Leg, Kind = LedgerEntry.Leg, MoneyTransfer.Kind
    amount, customer, funder = transfer.amount, transfer.customer, transfer.funded_by
    if transfer.kind == Kind.ADJUSTMENT:
        return [_Step(Leg.ADJUST, customer, amount)], None
    if transfer.kind == Kind.REVERSAL:
        debit = _Step(Leg.DEBIT_CUSTOMER, customer, -amount)
        if funder is None:
            return [debit], None
        return [debit, _Step(Leg.CREDIT_FUNDER, funder, amount)], _Step(
            Leg.REFUND_CUSTOMER, customer, amount
        )
    credit = _Step(Leg.CREDIT, customer, amount)
    if funder is None:
        return [credit], None
    return [_Step(Leg.DEBIT_FUNDER, funder, -amount), credit], _Step(
        Leg.REFUND_FUNDER, funder, amount
    )


def _advance_legs(scope: Scope, transfer: MoneyTransfer) -> None:
    """Make the plan's next money calls: each leg once the one before it succeeded; a
    leg proven absent after money moved is tried again when due (``may_retry``); when a
    later leg failed for good, the undoing leg, retried the same way. A leg in doubt
    stops here: reconciliation settles it, then this goes on where it stopped."""
    S = LedgerEntry.State
    steps, undo = _plan(transfer)
    while True:
        legs = _legs(transfer)
        for step in steps:
            entry = legs.get(step.leg)
            if entry is None:
                _run_leg(scope, transfer, leg=step.leg, tenant=step.tenant, amount=step.amount)
                break  # look again with this leg made
            if entry.state == S.SUCCEEDED:
                continue
            if may_retry(entry):
                if not _retry_due(entry):
                    return  # a later look (beat, every minute) tries it
                _retry(scope, transfer, entry)
                break
            if entry.state != S.FAILED or step is steps[0] or undo is None:
                return  # in doubt, or failed before any money moved
            refund = legs.get(undo.leg)
            if refund is None:
                _run_leg(scope, transfer, leg=undo.leg, tenant=undo.tenant, amount=undo.amount)
                break
            if may_retry(refund) and _retry_due(refund):
                _retry(scope, transfer, refund)
                break
            return
        else:
            return  # every leg succeeded


def _reversal_state(transfer: MoneyTransfer, legs: dict) -> str:
    """A take-back's state from its legs (none of them in flight)."""
    S = LedgerEntry.State
    Leg = LedgerEntry.Leg
    T = MoneyTransfer.State
    debit = legs.get(Leg.DEBIT_CUSTOMER)
    credit, refund = legs.get(Leg.CREDIT_FUNDER), legs.get(Leg.REFUND_CUSTOMER)
    if debit is None:
        return T.PENDING
    if debit.state == S.FAILED:
        return T.FAILED
    if not transfer.funded_by_id or (credit is not None and credit.state == S.SUCCEEDED):
        return T.SUCCEEDED
    if credit is None or may_retry(credit):
        return T.UNKNOWN  # not started yet (the account was busy), or tried again later
    if refund is None or may_retry(refund):
        return T.UNKNOWN
    return T.COMPENSATED if refund.state == S.SUCCEEDED else T.REVIEW


def mask_pin(pin: str) -> str:
    return ("•" * max(len(pin) - 4, 0)) + pin[-4:]


def card_problem(scope: Scope, customer: Tenant, pin: str, password: str) -> tuple[str, Decimal]:
    """Check a phone card before using it; MoneyRefused says exactly what is wrong.
    Returns (pin, value)."""
    try:
        answer = vos.call(scope, customer.server, "GetPhoneCard", {"pin": [pin]})
    except VosError as exc:
        raise MoneyRefused(vos.describe_error(exc)) from exc
    cards = answer.get("infoPhoneCards") or []
    if not cards:
        raise MoneyRefused(_("There is no phone card with this number. Check the digits."))
    card = cards[0]
    if card.get("usedTime"):
        raise MoneyRefused(_("This phone card has already been used."))
    expires = card.get("expireTime") or 0
    if expires and expires < int(time.time() * 1000):
        raise MoneyRefused(_("This phone card has expired."))
    if password:
        # Asked separately, so that a wrong password is told apart from a wrong number.
        try:
            vos.call(scope, customer.server, "GetPhoneCard", {"pin": [pin], "Password": password})
        except VosApiError:
            raise MoneyRefused(_("The card's password is not right.")) from None
        except VosError as exc:
            raise MoneyRefused(vos.describe_error(exc)) from exc
    if card.get("money") is None:
        raise MoneyRefused(_("The switch did not say what this phone card is worth."))
    return pin, parse_amount(Decimal(str(card["money"])).quantize(CENT))


def pin_topup(
    scope: Scope, customer: Tenant, pin: str, password: str, *, key: str
) -> MoneyTransfer:
    """A customer (or its reseller) tops the account up with a phone card's PIN."""
    if not scope.may_use_phone_card(customer):
        raise OutOfScope("phone card top-up not allowed for this account")
    pin, password = pin.strip(), password.strip()
    if found := _existing(key, scope, customer):
        return found
    _linked(customer)
    _, value = card_problem(scope, customer, pin, password)
    # The PIN is not stored, so a card cannot wait for its account like a top-up: while
    # a call of the card's value is in flight on the account it is refused, at once.
    if _in_flight(customer.server_id, customer.vos_account, value):
        raise AccountBusy(_busy_words(customer.vos_account, value))
    transfer, created = _create(
        scope,
        key=key,
        kind=MoneyTransfer.Kind.PIN_TOPUP,
        customer=customer,
        amount=value,
        payer_tenant=customer,
        card_hint=mask_pin(pin),
    )
    if created:
        try:
            _run_leg(
                scope,
                transfer,
                leg=LedgerEntry.Leg.PIN,
                tenant=customer,
                amount=value,
                pin=pin,
                password=password,
            )
        except AccountBusy:
            # Busy since the look above: nothing was paid, and the card stays unused.
            MoneyTransfer.objects.filter(pk=transfer.pk).update(
                state=MoneyTransfer.State.FAILED, settled_at=timezone.now()
            )
            raise
        _settle_transfer(transfer)
        transfer.refresh_from_db()
    return transfer


# --- Running legs -------------------------------------------------------------------------
class AccountBusy(MoneyRefused):
    pass


class RetryTaken(Exception):
    """Another process opened this step of the transfer (or the retry of this leg)
    first: nothing more to do here."""


def _open_entry(
    transfer, *, leg: str, tenant: Tenant, amount: Decimal, retry_of: LedgerEntry | None = None
) -> LedgerEntry:
    """Record the leg as pending, with its own new key. Never waits: while a call of the
    same amount on the same account is in flight the database refuses the entry (the
    partial unique constraint is the lock) and AccountBusy says so at once; the worker
    tries again later. Another process that made this step of the transfer first (or the
    retry of this leg: one retry per leg, a unique key) means RetryTaken."""
    seq = transfer.entries.count() + 1
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                transfer=transfer,
                seq=seq,
                leg=leg,
                server=transfer.server,
                tenant=tenant,
                vos_account=tenant.vos_account,
                amount=amount,
                key=new_idempotency_key(),
                attempt=retry_of.attempt + 1 if retry_of is not None else 1,
                retry_of=retry_of,
            )
            if retry_of is not None:
                audit.record(
                    "money.leg.retry",
                    target=transfer,
                    tenant=tenant,
                    vos_server=transfer.server,
                    before={
                        "seq": retry_of.seq,
                        "key": retry_of.key,
                        "error": retry_of.error,
                        "finding": retry_of.finding,
                    },
                    after={
                        "seq": entry.seq,
                        "leg": leg,
                        "key": entry.key,
                        "attempt": entry.attempt,
                        "amount": str(amount),
                        "account": tenant.vos_account,
                    },
                )
            return entry
    except IntegrityError:
        if retry_of is not None and LedgerEntry.objects.filter(retry_of=retry_of).exists():
            raise RetryTaken() from None
        if transfer.entries.filter(seq=seq).exists():
            raise RetryTaken() from None  # another process is advancing this transfer
        if _in_flight(transfer.server_id, tenant.vos_account, amount):
            raise AccountBusy(_busy_words(tenant.vos_account, amount)) from None
        raise


def _in_flight(server_id, account: str, amount: Decimal) -> bool:
    """Whether a call of this amount on this account is in flight (the matching rule)."""
    return LedgerEntry.objects.filter(
        server_id=server_id, vos_account=account, amount=amount, state__in=LedgerEntry.IN_FLIGHT
    ).exists()


def _busy_words(account: str, amount: Decimal) -> str:
    return _(
        "Another payment of %(amount)s on %(account)s is still being processed. Please try "
        "again in a minute."
    ) % {"account": account, "amount": amount}


def _set_state(entry: LedgerEntry, state: str, **fields) -> None:
    entry.state = state
    for name, value in fields.items():
        setattr(entry, name, value)
    if state in LedgerEntry.FINAL:
        entry.settled_at = timezone.now()
    entry.save()


def _run_leg(
    scope, transfer, *, leg, tenant, amount, pin=None, password=None, retry_of=None
) -> LedgerEntry:
    entry = _open_entry(transfer, leg=leg, tenant=tenant, amount=amount, retry_of=retry_of)
    _set_state(entry, LedgerEntry.State.SENT, sent_at=timezone.now())
    if pin is not None:
        endpoint = "PayByPhoneCard"
        payload = {"ownerName": tenant.vos_account, "ownerType": vos.OWNER_ACCOUNT, "pin": pin}
        if password:
            payload["password"] = password
    else:
        endpoint = "Pay"
        payload = {
            "ownerName": tenant.vos_account,
            "ownerType": vos.OWNER_ACCOUNT,
            "money": float(amount),
            "memo": _memo(transfer, leg, entry.key),
        }
    try:
        answer = vos.call(scope, transfer.server, endpoint, payload, target=transfer, tenant=tenant)
    except VosApiError as exc:
        _set_state(
            entry,
            LedgerEntry.State.FAILED,
            settled_by="answer",
            ret_code=exc.ret_code,
            error=vos.describe_error(exc)[:255],
        )
    except VosUnavailable as exc:
        if exc.may_have_been_applied:
            _set_state(entry, LedgerEntry.State.UNKNOWN, error=_unanswered(exc))
            enqueue(tasks.reconcile_transfer, transfer.pk)
        else:
            # The client knows the request never left (refused connection, open
            # breaker...): proof that VOS did not apply it.
            _set_state(
                entry,
                LedgerEntry.State.FAILED,
                settled_by="answer",
                error=vos.describe_error(exc)[:255],
                proven_absent=True,
                finding=_("It never reached the switch: nothing was paid.")[:255],
            )
    except (VosValidationError, VosError) as exc:
        _set_state(
            entry,
            LedgerEntry.State.FAILED,
            settled_by="answer",
            error=vos.describe_error(exc)[:255],
        )
    else:
        info = answer.get("infoPay") or {}
        balance = info.get("money")
        _set_state(
            entry,
            LedgerEntry.State.SUCCEEDED,
            settled_by="answer",
            ret_code=0,
            balance_after=_money(balance) if balance is not None else None,
        )
        if balance is not None:
            remember_balance(transfer.server, tenant.vos_account, balance, source="pay")
    return entry


def _memo(transfer: MoneyTransfer, leg: str, key: str = "") -> str:
    # VOS keeps the memo with the payment: it ties the VOS row back to our ledger (the
    # transfer and the leg's own key).
    label = {
        LedgerEntry.Leg.CREDIT: "top-up",
        LedgerEntry.Leg.DEBIT_FUNDER: f"funds top-up of {transfer.customer.vos_account}",
        LedgerEntry.Leg.REFUND_FUNDER: f"refund: top-up of {transfer.customer.vos_account} failed",
        LedgerEntry.Leg.ADJUST: "adjustment",
        LedgerEntry.Leg.DEBIT_CUSTOMER: "taken back by the provider",
        LedgerEntry.Leg.CREDIT_FUNDER: f"taken back from {transfer.customer.vos_account}",
        LedgerEntry.Leg.REFUND_CUSTOMER: "refund: take-back failed",
    }.get(leg, leg)
    if transfer.corrects_id:
        label += f" (corrects #{transfer.corrects_id})"
    text = f"portal #{transfer.pk}/{key} {label}" if key else f"portal #{transfer.pk} {label}"
    if transfer.memo:
        text += f": {transfer.memo}"
    return text[:255]


def _legs(transfer) -> dict[str, LedgerEntry]:
    """The latest entry of each leg (a retried leg's last attempt)."""
    return {entry.leg: entry for entry in transfer.entries.order_by("seq")}


def max_leg_attempts() -> int:
    return max(1, int(getattr(settings, "MONEY_LEG_MAX_ATTEMPTS", 3)))


def retry_wait(attempt: int) -> timedelta:
    """How long after the ``attempt``-th call of a leg was proven absent the next waits."""
    base = getattr(settings, "MONEY_LEG_RETRY_SECONDS", 30)
    return timedelta(seconds=base * 2 ** max(attempt - 1, 0))


def may_retry(entry: LedgerEntry) -> bool:
    """Whether this failed leg is to be tried again: proven absent from VOS, attempts
    left, and money already moved before it (an earlier leg of the transfer succeeded),
    so the transfer must be finished or undone. A first leg is never retried."""
    S = LedgerEntry.State
    if entry.state != S.FAILED or not entry.proven_absent or entry.attempt >= max_leg_attempts():
        return False
    return LedgerEntry.objects.filter(
        transfer_id=entry.transfer_id, seq__lt=entry.seq, state=S.SUCCEEDED
    ).exists()


def _retry_due(entry: LedgerEntry) -> bool:
    return timezone.now() >= (entry.settled_at or entry.created_at) + retry_wait(entry.attempt)


def _retry(scope: Scope, transfer: MoneyTransfer, failed: LedgerEntry) -> LedgerEntry:
    """The same leg again, as a new entry with a new key (audited before the call)."""
    return _run_leg(
        scope,
        transfer,
        leg=failed.leg,
        tenant=failed.tenant,
        amount=failed.amount,
        retry_of=failed,
    )


def queue_max_wait() -> timedelta:
    """How long a transfer whose first leg waits for its account may wait before it is
    given up (nothing was paid)."""
    return timedelta(seconds=getattr(settings, "MONEY_QUEUE_MAX_WAIT_SECONDS", 1800))


def queue_countdown(attempt: int) -> float:
    """Seconds before the worker's ``attempt``-th next look at a waiting transfer: 1, 2,
    4, 8... never more than ``MONEY_QUEUE_RETRY_MAX_SECONDS``."""
    most = float(getattr(settings, "MONEY_QUEUE_RETRY_MAX_SECONDS", 15))
    return min(most, float(2 ** min(max(attempt, 0), 16)))


# The worker's looks at one waiting transfer, one after the other; past them, beat's
# sweep (every minute) starts another round.
QUEUE_TASK_TRIES = 12


def _chain_key(transfer: MoneyTransfer) -> str:
    return f"money:advance-transfer:{transfer.pk}"


def _follow_up(transfer: MoneyTransfer, attempt: int) -> None:
    """Have the worker look at a waiting transfer again after a countdown (never a sleep
    here). One round of looks per transfer: a look that starts a round (``attempt`` 0:
    the web request, reconciliation, the sweep) does nothing while one is under way."""
    if attempt >= QUEUE_TASK_TRIES:
        return  # beat's sweep goes on from here
    countdown = queue_countdown(attempt)
    alive = int(countdown) + 60  # a lost message lets the next sweep start a new round
    if attempt == 0:
        if not cache.add(_chain_key(transfer), 1, timeout=alive):
            return
    else:
        cache.set(_chain_key(transfer), 1, timeout=alive)
    enqueue(tasks.advance_transfer, transfer.pk, attempt + 1, countdown=countdown)


def advance(scope: Scope, transfer: MoneyTransfer, *, attempt: int = 0) -> MoneyTransfer:
    """Make the next money calls the transfer needs, if any, and settle its state. Safe
    to call again at any time: it never repeats a leg that exists. A leg that must wait
    for its account (a call of the same amount in flight there) leaves the transfer
    open, and the worker looks again shortly (``attempt``: the how-manieth look)."""
    if _advance(scope, transfer):
        _follow_up(transfer, attempt)
    elif attempt > 0:
        cache.delete(_chain_key(transfer))
    return transfer


def _give_up_waiting(transfer: MoneyTransfer) -> bool:
    """A transfer whose first leg waited for its account too long ends failed: nothing
    was paid, and it is not started long after it was asked for."""
    if transfer.queued_at is None or transfer.state != MoneyTransfer.State.PENDING:
        return False
    if timezone.now() - transfer.queued_at <= queue_max_wait() or transfer.entries.exists():
        return False
    updated = MoneyTransfer.objects.filter(pk=transfer.pk, state=MoneyTransfer.State.PENDING)
    if not updated.update(state=MoneyTransfer.State.FAILED, settled_at=timezone.now()):
        return False
    old, transfer.state = transfer.state, MoneyTransfer.State.FAILED
    audit.record(
        "money.transfer.state",
        target=transfer,
        tenant=transfer.customer,
        vos_server=transfer.server,
        before={"state": old},
        after={
            "state": transfer.state,
            "reason": "waited too long for its account: nothing was paid",
        },
    )
    _announce(transfer)
    return True


def _advance(scope: Scope, transfer: MoneyTransfer) -> bool:
    """``advance`` without the follow-up: True when a leg waits for its account."""
    waiting = False
    if _give_up_waiting(transfer):
        return False
    try:
        # A phone-card top-up's one leg is made by pin_topup itself.
        if transfer.kind != MoneyTransfer.Kind.PIN_TOPUP:
            _advance_legs(scope, transfer)
    except RetryTaken:
        log.info("transfer %s: another process is retrying its leg", transfer.pk)
    except AccountBusy as exc:
        # Not refused: the transfer stays open and its leg is opened once the account
        # and amount are free (``advance`` has the worker look again).
        waiting = True
        if transfer.queued_at is None:
            transfer.queued_at = timezone.now()
            MoneyTransfer.objects.filter(pk=transfer.pk, queued_at__isnull=True).update(
                queued_at=transfer.queued_at
            )
        log.info("transfer %s waits for its account: %s", transfer.pk, exc)
    _settle_transfer(transfer)
    return waiting


# The transfer states tenants' systems hear of (webhooks): state -> event.
_ANNOUNCED_STATES = {
    MoneyTransfer.State.SUCCEEDED: "transfer.succeeded",
    MoneyTransfer.State.FAILED: "transfer.failed",
    MoneyTransfer.State.REVIEW: "transfer.review",
}


def _announce(transfer: MoneyTransfer) -> None:
    """Tell the webhooks a transfer reached a state they hear of (about its customer)."""
    event_type = _ANNOUNCED_STATES.get(transfer.state)
    if event_type is None:
        return
    events.announce(
        event_type,
        tenant_path=transfer.tenant_path,
        data={
            "transfer_id": transfer.pk,
            "kind": transfer.kind,
            "state": transfer.state,
            "amount": numbers.plain(transfer.amount, 4),  # VOS's 1/10000, as a string
            "account": transfer.customer.vos_account,
            "account_id": transfer.customer_id,
            "idempotency_key": transfer.idempotency_key,
        },
    )


def _settle_transfer(transfer: MoneyTransfer) -> None:
    """Derive the transfer's state from its legs (and alert when it needs a person)."""
    S = LedgerEntry.State
    Leg = LedgerEntry.Leg
    legs = _legs(transfer)
    states = {leg: entry.state for leg, entry in legs.items()}
    credit, refund = legs.get(Leg.CREDIT), legs.get(Leg.REFUND_FUNDER)
    refund = refund or legs.get(Leg.REFUND_CUSTOMER)  # a take-back's refund
    T = MoneyTransfer.State
    if any(state in (S.PENDING, S.SENT, S.UNKNOWN) for state in states.values()):
        new = T.UNKNOWN
    elif not legs:
        new = T.PENDING  # its first leg waits for its account (or is about to be made)
    elif transfer.kind == MoneyTransfer.Kind.PIN_TOPUP:
        new = T.SUCCEEDED if states.get(Leg.PIN) == S.SUCCEEDED else T.FAILED
    elif transfer.kind == MoneyTransfer.Kind.ADJUSTMENT:
        new = T.SUCCEEDED if states.get(Leg.ADJUST) == S.SUCCEEDED else T.FAILED
    elif transfer.kind == MoneyTransfer.Kind.REVERSAL:
        new = _reversal_state(transfer, legs)
    elif transfer.funded_by_id and states.get(Leg.DEBIT_FUNDER) == S.FAILED:
        new = T.FAILED
    elif states.get(Leg.CREDIT) == S.SUCCEEDED:
        new = T.SUCCEEDED
    elif credit is not None and may_retry(credit):
        new = T.UNKNOWN  # proven absent: tried again after its wait
    elif states.get(Leg.CREDIT) == S.FAILED and not transfer.funded_by_id:
        new = T.FAILED
    elif states.get(Leg.REFUND_FUNDER) == S.SUCCEEDED:
        new = T.COMPENSATED
    elif refund is not None and may_retry(refund):
        new = T.UNKNOWN
    elif states.get(Leg.REFUND_FUNDER) == S.FAILED:
        new = T.REVIEW
    else:
        # Nothing in doubt, the next leg not started yet (it waits for its account, or
        # is about to be made): processing.
        new = T.PENDING
    if transfer.state == T.REVIEW and new in (T.UNKNOWN, T.PENDING):
        return  # stays with the admins until they act
    old = transfer.state
    if new == old:
        return
    fields = {"state": new}
    if new in (T.SUCCEEDED, T.FAILED, T.COMPENSATED):
        fields["settled_at"] = timezone.now()
    if new == T.REVIEW and not transfer.needs_review_reason:
        fields["needs_review_reason"] = _refund_failed_reason(refund)[:255]
    MoneyTransfer.objects.filter(pk=transfer.pk).update(**fields)
    for name, value in fields.items():
        setattr(transfer, name, value)
    audit.record(
        "money.transfer.state",
        target=transfer,
        tenant=transfer.customer,
        vos_server=transfer.server,
        before={"state": old},
        after={"state": new},
    )
    _announce(transfer)
    if new == T.REVIEW:
        alert_admins(transfer)
    if new == T.SUCCEEDED and transfer.kind in receipts.RECEIPT_KINDS:
        enqueue(tasks.send_receipt, transfer.pk, robust=True)  # missed ones: a beat sweep


def leg_story(entry: LedgerEntry) -> str:
    """Why a leg ended as it did, in words, for the admins' pages."""
    S = LedgerEntry.State
    by = {
        "answer": _("the switch's answer"),
        "reconciliation": _("the switch's pay history"),
        "admin": _("an admin"),
    }.get(entry.settled_by, entry.settled_by)
    if entry.state == S.SUCCEEDED:
        return _("Paid (settled by %(by)s).") % {"by": by}
    if entry.state in (S.PENDING, S.SENT):
        return _("Sent; waiting for the switch's answer.")
    if entry.state == S.UNKNOWN:
        return _("No answer: being checked against the switch's pay history.")
    retry = LedgerEntry.objects.filter(retry_of=entry).first()
    if retry is not None:
        return _("Never paid (settled by %(by)s): tried again as step %(seq)s.") % {
            "by": by,
            "seq": retry.seq,
        }
    if entry.proven_absent and may_retry(entry):
        return _("Never paid (settled by %(by)s): to be tried again after %(wait)s seconds.") % {
            "by": by,
            "wait": int(retry_wait(entry.attempt).total_seconds()),
        }
    if entry.proven_absent and entry.attempt >= max_leg_attempts():
        return _("Never paid (settled by %(by)s): no attempts left (%(n)s of %(most)s).") % {
            "by": by,
            "n": entry.attempt,
            "most": max_leg_attempts(),
        }
    if entry.proven_absent:
        return _(
            "Never paid (settled by %(by)s). Not tried again: it was the first step, so "
            "nothing had moved."
        ) % {"by": by}
    if entry.settled_by == "admin":
        return _("Failed, as an admin found it on the switch.")
    return _(
        "Failed: the switch refused it (settled by %(by)s). Not tried again: it would be "
        "refused again."
    ) % {"by": by}


def _refund_failed_reason(refund: LedgerEntry) -> str:
    if refund.leg == LedgerEntry.Leg.REFUND_CUSTOMER:
        return _(
            "Money was taken back from the customer, the reseller could not be credited "
            "and the customer's refund failed (%(error)s). Put it right by hand."
        ) % {"error": refund.error or refund.finding or _("no reason given")}
    if refund.proven_absent:
        return _(
            "The reseller's refund never reached the switch in %(n)s attempts: money was "
            "taken and not given back. Refund it by hand."
        ) % {"n": refund.attempt}
    if refund.settled_by == "admin":
        return _(
            "An admin found the reseller's refund missing: money was taken and not given back."
        )
    return _(
        "The switch refused the reseller's refund (%(error)s): money was taken and not given back."
    ) % {"error": refund.error or _("no reason given")}


def alert_admins(transfer: MoneyTransfer) -> None:
    log.error("money transfer %s needs an admin: %s", transfer.pk, transfer.needs_review_reason)
    mail_admins(
        f"Money transfer #{transfer.pk} needs review",
        f"{transfer} — {transfer.needs_review_reason}\nOpen the ledger's review queue.",
        fail_silently=True,
    )


# --- Reconciliation -------------------------------------------------------------------------
def reconcile_grace() -> timedelta:
    """How long after sending VOS could still be working on a request we gave up on."""
    return timedelta(seconds=getattr(settings, "MONEY_RECONCILE_GRACE_SECONDS", 60))


MAX_RECONCILE_ATTEMPTS = 30


def reconcile_entry(scope: Scope, entry: LedgerEntry) -> str:
    """Settle an entry in doubt (unknown, or sent/pending and left behind) from VOS's pay
    history. Returns the entry's state afterwards, or "review" when a person must look."""
    S = LedgerEntry.State
    if entry.state in LedgerEntry.FINAL:
        return entry.state
    now = timezone.now()
    if entry.state == S.PENDING:
        # Never sent: the process stopped between recording and sending.
        if now - entry.created_at > reconcile_grace():
            _set_state(entry, S.SENT, sent_at=entry.created_at)
            _set_state(entry, S.UNKNOWN)
        else:
            return entry.state
    sent_at = entry.sent_at or entry.created_at
    if entry.state == S.SENT:
        if now - sent_at < reconcile_grace():
            return entry.state  # probably still waiting for its answer
        _set_state(
            entry,
            S.UNKNOWN,
            finding=_("Left without an answer (the process stopped while waiting)."),
        )
    server = entry.server
    answer = vos.call(
        scope,
        server,
        "GetPayHistory",
        {
            "account": entry.vos_account,
            "beginTime": format_timestamp(sent_at - CLOCK_SKEW - timedelta(days=1)),
            "endTime": format_timestamp(now + timedelta(days=1)),
        },
    )
    rows = [r for r in answer.get("infoPayHistorys", []) if r.get("account") == entry.vos_account]
    _claim_answered_rows(entry, rows)
    # Only rows of our amount can be ours (the matching rule: no other call of this
    # amount on this account was in flight with ours).
    same_amount = LedgerEntry.objects.filter(
        server=server, vos_account=entry.vos_account, amount=entry.amount
    )
    claimed = set(
        same_amount.filter(vos_pay_time__isnull=False).values_list("vos_pay_time", flat=True)
    )
    # Rows of earlier entries of the same amount come before ours (they were settled
    # before ours was opened): nothing at or before the last of them can be ours.
    # Entries of other amounts ran alongside ours: their rows may come before or after.
    earlier = (
        same_amount.filter(vos_pay_time__isnull=False, pk__lt=entry.pk)
        .order_by("-vos_pay_time")
        .values_list("vos_pay_time", flat=True)
        .first()
    )
    not_before = int((sent_at - CLOCK_SKEW).timestamp() * 1000)
    if earlier is not None:
        not_before = max(not_before, earlier + 1)
    wanted_card = entry.leg == LedgerEntry.Leg.PIN
    # A row missing its fee cannot be ours; one missing its pay time could be, but
    # cannot be ordered against the others: a person decides (below).
    matching = [
        r
        for r in rows
        if r.get("fee") is not None
        and _money(r["fee"]) == _money(entry.amount)
        and (r.get("payType") == PAY_TYPE_CARD) == wanted_card
    ]
    candidates = [
        r
        for r in matching
        if r.get("payTime") is not None
        and r["payTime"] >= not_before
        and r["payTime"] not in claimed
    ]
    undated = [r for r in matching if r.get("payTime") is None]
    LedgerEntry.objects.filter(pk=entry.pk).update(reconcile_attempts=entry.reconcile_attempts + 1)
    entry.reconcile_attempts += 1
    if len(candidates) == 1:
        row = candidates[0]
        _set_state(
            entry,
            S.SUCCEEDED,
            settled_by="reconciliation",
            vos_pay_time=row["payTime"],
            balance_after=_money_or_none(row.get("customerMoney")),
            finding=_("Found in the switch's pay history: it was paid."),
        )
        return entry.state
    if len(candidates) > 1:
        send_to_review(
            entry.transfer,
            _("%(n)s payments on the switch match this one: a person must decide.")
            % {"n": len(candidates)},
        )
        return "review"
    if undated:
        send_to_review(
            entry.transfer,
            _("A payment on the switch matches this one but has no time: a person must decide."),
        )
        return "review"
    if now - sent_at >= reconcile_grace():
        # The leg's own error (what happened when it was sent) stays as it was.
        _set_state(
            entry,
            S.FAILED,
            settled_by="reconciliation",
            proven_absent=True,
            finding=_(
                "Not in the switch's pay history %(seconds)s seconds after it was sent: "
                "it was never paid."
            )
            % {"seconds": int((now - sent_at).total_seconds())},
        )
        return entry.state
    if entry.reconcile_attempts >= MAX_RECONCILE_ATTEMPTS:
        send_to_review(entry.transfer, _("The switch's pay history could not settle this payment."))
        return "review"
    return entry.state


def _claim_answered_rows(entry: LedgerEntry, rows: list[dict]) -> None:
    """Entries VOS answered hold their new balance but not the pay-history row: claim
    those rows now (amount and balance after match), so no unanswered entry takes them."""
    answered = LedgerEntry.objects.filter(
        server=entry.server,
        vos_account=entry.vos_account,
        state=LedgerEntry.State.SUCCEEDED,
        vos_pay_time__isnull=True,
        balance_after__isnull=False,
    )
    # Only rows that say all three: a missing amount or balance matches nothing.
    rows = [
        r
        for r in rows
        if r.get("payTime") is not None
        and r.get("fee") is not None
        and r.get("customerMoney") is not None
    ]
    taken: set = set()
    for done in answered:
        for row in rows:
            if (
                row["payTime"] not in taken
                and _money(row["fee"]) == _money(done.amount)
                and _money(row["customerMoney"]) == _money(done.balance_after)
            ):
                try:
                    with transaction.atomic():
                        LedgerEntry.objects.filter(pk=done.pk).update(vos_pay_time=row["payTime"])
                except IntegrityError:
                    continue
                taken.add(row["payTime"])
                break


def send_to_review(transfer: MoneyTransfer, reason: str) -> None:
    if transfer.state == MoneyTransfer.State.REVIEW:
        return
    old = transfer.state
    MoneyTransfer.objects.filter(pk=transfer.pk).update(
        state=MoneyTransfer.State.REVIEW, needs_review_reason=reason[:255]
    )
    transfer.state, transfer.needs_review_reason = MoneyTransfer.State.REVIEW, reason[:255]
    audit.record(
        "money.transfer.state",
        target=transfer,
        tenant=transfer.customer,
        vos_server=transfer.server,
        before={"state": old},
        after={"state": MoneyTransfer.State.REVIEW, "reason": reason},
    )
    _announce(transfer)
    alert_admins(transfer)


def reconcile_transfer(scope: Scope, transfer: MoneyTransfer) -> MoneyTransfer:
    """Settle every leg in doubt, then let the transfer go on (or end)."""
    if not transfer.entries.exists():
        if transfer.queued_at is not None:
            # Its first leg waits for its account: this look may open it (or give up).
            return advance(scope, transfer)
        # Recorded, then the process stopped before the first call: nothing was paid.
        # It is not started now, long after the person gave up on it.
        if timezone.now() - transfer.created_at > reconcile_grace():
            MoneyTransfer.objects.filter(pk=transfer.pk).update(
                state=MoneyTransfer.State.FAILED, settled_at=timezone.now()
            )
            transfer.refresh_from_db()
            _announce(transfer)
        return transfer
    for entry in transfer.entries.exclude(state__in=LedgerEntry.FINAL):
        try:
            reconcile_entry(scope, entry)
        except VosError as exc:
            log.warning("reconciling transfer %s: %s", transfer.pk, vos.describe_error(exc))
            return transfer
    transfer.refresh_from_db()
    if transfer.state == MoneyTransfer.State.REVIEW:
        return transfer
    return advance(scope, transfer)


def resolve_by_admin(scope: Scope, transfer: MoneyTransfer, *, outcome: str, note: str):
    """An admin settles what reconciliation could not: each open leg succeeded or failed,
    as the admin found it on the switch. The note is kept in the audit trail."""
    scope.require(Action.RUN_PLATFORM)
    S = LedgerEntry.State
    target = S.SUCCEEDED if outcome == "succeeded" else S.FAILED
    for entry in transfer.entries.exclude(state__in=LedgerEntry.FINAL):
        if entry.state == S.PENDING:
            _set_state(entry, S.SENT, sent_at=entry.created_at)
        if entry.state == S.SENT:
            _set_state(entry, S.UNKNOWN)
        _set_state(
            entry,
            target,
            settled_by="admin",
            finding=(_("Settled by an admin: %(note)s") % {"note": note})[:255],
        )
    old = transfer.state
    MoneyTransfer.objects.filter(pk=transfer.pk).update(state=MoneyTransfer.State.UNKNOWN)
    transfer.state = MoneyTransfer.State.UNKNOWN
    audit.record(
        "money.transfer.resolved",
        scope=scope,
        target=transfer,
        tenant=transfer.customer,
        before={"state": old},
        after={"outcome": outcome, "note": note},
    )
    advance(scope, transfer)
    transfer.refresh_from_db()
    if transfer.state == MoneyTransfer.State.REVIEW:
        # Every leg is final and still it needs a person (a refund that failed): the
        # admin has put it right on the switch by hand, and says how it ended.
        final = (
            MoneyTransfer.State.SUCCEEDED if outcome == "succeeded" else MoneyTransfer.State.FAILED
        )
        MoneyTransfer.objects.filter(pk=transfer.pk).update(state=final, settled_at=timezone.now())
        transfer.refresh_from_db()
        _announce(transfer)
    return transfer


# --- Card payments (billing.payments) -------------------------------------------------------
def _card_scope(account) -> Scope:
    """Whose scope a card top-up runs in: a webhook acts for nobody, so, like the
    reconcile task, the scope of a person who may move the owner's money: the manager who
    connected the payment account, else another active manager of the owner (admins for
    the platform's account). MoneyRefused when nobody can act."""
    role = (
        Role.PLATFORM_ADMIN
        if account.owner.kind == Tenant.Kind.PLATFORM
        else (Role.RESELLER_MANAGER)
    )
    people = User.objects.filter(tenant=account.owner, role=role, is_active=True)
    person = people.filter(pk=account.acts_as_id).first() or people.order_by("pk").first()
    if person is None:
        raise MoneyRefused(
            _(
                "Nobody who may move money is left on the payment account's owner: a "
                "person must act."
            )
        )
    return Scope.for_user_id(person.pk)


def card_topup(payment) -> MoneyTransfer:
    """Credit a customer's VOS account for a card payment the provider confirmed (a
    verified webhook or the daily listing). Idempotent on the provider's payment id: a
    repeated event finds the same transfer. A reseller's payment account funds the
    top-up (debit the reseller, credit the customer); the platform's is one credit leg.
    MoneyRefused (in words) when the transfer cannot even be recorded."""
    key = f"card:{payment.provider_payment_id}"
    if len(key) > 64:
        key = "card:" + hashlib.sha256(payment.provider_payment_id.encode()).hexdigest()[:59]
    found = MoneyTransfer.objects.filter(idempotency_key=key).first()
    if found is not None:
        if found.customer_id != payment.customer_id:
            raise MoneyRefused(_("This card payment was already used for another account."))
        return found
    account = payment.account
    customer = payment.customer
    scope = _card_scope(account)
    _linked(customer)
    funder = account.owner if account.owner.kind == Tenant.Kind.RESELLER else None
    if funder is not None:
        _linked(funder)
        if funder.server_id != customer.server_id:
            raise MoneyRefused(
                _("The reseller's account and the customer's are on different servers.")
            )
    transfer, created = _create(
        scope,
        key=key,
        kind=MoneyTransfer.Kind.CARD_TOPUP,
        customer=customer,
        amount=payment.amount,
        funded_by=funder,
        payer_tenant=funder or customer,
        memo=f"card payment {payment.reference}"[:180],
    )
    if created:
        advance(scope, transfer)
        transfer.refresh_from_db()
    return transfer
