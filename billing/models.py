"""Money the portal moves, the limits it moves it under, the fee rate groups resellers
may use, and the balances it last read from VOS.

The ledger is two tables: a ``MoneyTransfer`` is what a person asked for (top up this
customer by 20.00), recorded with its idempotency key before VOS hears of it; each
``LedgerEntry`` is one money call to VOS (a Pay or PayByPhoneCard) made for it. A
reseller-funded top-up has two legs (debit the reseller, credit the customer) and, when
the second leg fails, a third that gives the reseller the money back.

Rows are never deleted and their facts never change: only an entry's state moves
forward (pending -> sent -> succeeded | failed | unknown, and unknown -> succeeded |
failed once reconciled), enforced in ``LedgerEntry.save`` and, on PostgreSQL, by a
trigger (migration 0002).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ExportFile, JobStatus
from web import numbers

CENT = Decimal("0.01")


class MoneySettings(models.Model):
    """The platform's money rules: one row, edited by admins."""

    reseller_funded_topups = models.BooleanField(
        _("reseller-funded top-ups"),
        default=True,
        help_text=_(
            "When a reseller tops up a customer, take the same amount from the reseller's "
            "own VOS account."
        ),
    )
    max_per_transaction = models.DecimalField(
        _("largest single amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("5000.00"),
        validators=[MinValueValidator(CENT)],
    )
    max_per_day = models.DecimalField(
        _("most per day and payer"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("20000.00"),
        validators=[MinValueValidator(CENT)],
        help_text=_("Per reseller (or admin) making top-ups, counted in UTC days."),
    )
    low_balance_threshold = models.DecimalField(
        _("low balance below"), max_digits=12, decimal_places=2, default=Decimal("5.00")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("money settings")
        verbose_name_plural = _("money settings")

    def __str__(self) -> str:
        return str(_("Money settings"))

    @classmethod
    def current(cls) -> MoneySettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class FeeRateGroupGrant(models.Model):
    """A VOS fee rate group a reseller may give its customers. Admins grant groups to
    resellers; a reseller may pass its own groups on to the resellers below it."""

    tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.CASCADE, related_name="fee_rate_grants"
    )
    group = models.CharField(_("fee rate group"), max_length=64)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "group"], name="fee_rate_grant_unique")
        ]
        ordering = ["group"]

    def __str__(self) -> str:
        return f"{self.tenant} · {self.group}"


def _choice_label(choices, value) -> str:
    """The label of ``value`` among ``choices`` (a TextChoices), as get_FOO_display
    gives it: the value itself when it is none of them."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class MoneyTransfer(models.Model):
    """What someone asked for, recorded before any money call is made."""

    class Kind(models.TextChoices):
        TOPUP = "topup", _("Top-up")
        ADJUSTMENT = "adjustment", _("Adjustment")
        PIN_TOPUP = "pin_topup", _("Phone card top-up")
        # Money taken back from a customer by its reseller (or an admin).
        REVERSAL = "reversal", _("Money taken back")
        CARD_TOPUP = "card_topup", _("Card payment top-up")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # The reseller's money came back after the customer's credit failed.
        COMPENSATED = "compensated", _("Failed, reseller refunded")
        UNKNOWN = "unknown", _("Confirming with the switch")
        REVIEW = "review", _("Needs an admin")

    idempotency_key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    server = models.ForeignKey("switch.VosServer", on_delete=models.PROTECT, related_name="+")
    # For whom: the account that receives (or, for a debit adjustment, loses) the money.
    customer = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="money_transfers"
    )
    # Who pays, when a reseller's own account funds the top-up.
    funded_by = models.ForeignKey(
        "accounts.Tenant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_transfers",
    )
    # Signed: a debit adjustment is negative. Phone-card top-ups: the card's value.
    # VOS's 1/10000: forms take cents, but returning a whole balance before a delete
    # takes it to the last of VOS's four decimals.
    amount = models.DecimalField(max_digits=16, decimal_places=4)
    memo = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="money_transfers"
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whose daily limit this counts against (the paying tenant, or the admin's platform).
    payer_tenant = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="+", null=True
    )
    # Where the customer tenant sits, for scoped ledger pages without a join.
    tenant_path = models.CharField(max_length=512, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Phone-card top-ups: the card's number with all but the last four digits hidden.
    card_hint = models.CharField(max_length=32, blank=True)
    # A take-back that corrects a top-up (all of it or part): the top-up it corrects.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    needs_review_reason = models.CharField(max_length=255, blank=True)
    # When one of its legs first had to wait for its account (a call of the same amount
    # on the same account in flight): the worker opens it once the account is free.
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the receipt email went out (billing.money.receipts): claimed by a conditional
    # UPDATE before sending, so a task run twice sends it once.
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="transfer_state_created")]

    def __str__(self) -> str:
        # "Top-up #3 of 20.00 to Acme" (the audit trail names a transfer this way).
        amount = numbers.plain(self.amount, numbers.money_places())
        return f"{self.get_kind_display()} #{self.pk} of {amount} to {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.UNKNOWN, self.State.REVIEW)

    @property
    def state_label(self) -> str:
        """The state in words; a take-back undone went back to the customer."""
        if self.kind == self.Kind.REVERSAL and self.state == self.State.COMPENSATED:
            return _("Failed, customer refunded")
        return self.get_state_display()

    # The kinds whose success gets a receipt (billing.money.receipts), by value: card
    # payments are "card_topup"; adjustments and reversals get none.
    RECEIPT_KINDS = ("topup", "pin_topup", "card_topup")

    # Django's get_FOO_display() builds a dict of every choice, translating each label,
    # on every call: a 50-row ledger spent 800 translations a page on it. One member's
    # label instead.
    def get_kind_display(self) -> str:
        return _choice_label(self.Kind, self.kind)

    def get_state_display(self) -> str:
        return _choice_label(self.State, self.state)

    @property
    def has_receipt(self) -> bool:
        return self.kind in self.RECEIPT_KINDS and self.state == self.State.SUCCEEDED


class LedgerEntry(models.Model):
    """One money call to VOS. Calls in flight on one VOS account at the same time all
    have different amounts (the partial unique constraint below): VOS's pay history says
    account, amount, time and balance after but carries no memo we can rely on, so an
    unanswered call is matched by its amount, and no other call in flight can take its
    row. Calls of one amount on one account run one after the other."""

    class Leg(models.TextChoices):
        CREDIT = "credit", _("Credit customer")
        DEBIT_FUNDER = "debit_funder", _("Debit reseller")
        REFUND_FUNDER = "refund_funder", _("Refund reseller")
        ADJUST = "adjust", _("Adjustment")
        PIN = "pin", _("Phone card")
        # A take-back: debit the customer, credit the reseller (or, when crediting the
        # reseller failed for good, put the money back on the customer).
        DEBIT_CUSTOMER = "debit_customer", _("Debit customer")
        CREDIT_FUNDER = "credit_funder", _("Credit reseller")
        REFUND_CUSTOMER = "refund_customer", _("Refund customer")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Confirming with the switch")

    IN_FLIGHT = (State.PENDING, State.SENT, State.UNKNOWN)
    FINAL = (State.SUCCEEDED, State.FAILED)
    # state -> the states it may move to.
    TRANSITIONS = {
        State.PENDING: {State.SENT, State.FAILED},
        State.SENT: {State.SUCCEEDED, State.FAILED, State.UNKNOWN},
        State.UNKNOWN: {State.SUCCEEDED, State.FAILED},
        State.SUCCEEDED: set(),
        State.FAILED: set(),
    }

    transfer = models.ForeignKey(MoneyTransfer, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveSmallIntegerField()
    leg = models.CharField(max_length=16, choices=Leg.choices)
    server = models.ForeignKey("switch.VosServer", on_delete=models.PROTECT, related_name="+")
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.PROTECT, related_name="+")
    vos_account = models.CharField(max_length=64)
    # As sent to VOS: negative debits the account (to VOS's 1/10000, like the transfer).
    amount = models.DecimalField(max_digits=16, decimal_places=4)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # "answer" (VOS replied), "reconciliation" (matched in pay history) or "admin".
    settled_by = models.CharField(max_length=16, blank=True)
    balance_after = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    # The pay-history row this entry was matched to (epoch ms), so no row is claimed twice.
    vos_pay_time = models.BigIntegerField(null=True, blank=True)
    ret_code = models.IntegerField(null=True, blank=True)
    # What went wrong when the call was made, as it happened: never overwritten.
    error = models.CharField(max_length=255, blank=True)
    reconcile_attempts = models.PositiveIntegerField(default=0)
    # The leg's own idempotency key (each attempt has a new one; it rides in Pay's memo).
    key = models.CharField(max_length=32, blank=True)
    # 1 for a leg's first call; a retry (a new leg, proven needed) counts on.
    attempt = models.PositiveSmallIntegerField(default=1)
    retry_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retry"
    )
    # Proof that VOS did not apply this call: it never reached VOS, or VOS's pay history
    # lacked it after the grace period. Only such a leg may be tried again.
    proven_absent = models.BooleanField(default=False)
    # What reconciliation (or an admin) found, in words: kept apart from ``error``.
    finding = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["transfer_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "seq"], name="ledger_entry_seq"),
            models.UniqueConstraint(
                fields=["server", "vos_account", "amount"],
                condition=Q(state__in=["pending", "sent", "unknown"]),
                name="ledger_one_in_flight_per_amount",
            ),
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="ledger_entry_key_unique"
            ),
            # A pay-history row is its account, time and amount: legs of different
            # amounts may be paid in the same millisecond.
            models.UniqueConstraint(
                fields=["server", "vos_account", "vos_pay_time", "amount"],
                condition=Q(vos_pay_time__isnull=False),
                name="ledger_pay_row_claimed_once",
            ),
        ]
        indexes = [models.Index(fields=["state", "sent_at"], name="ledger_state_sent")]

    def __str__(self) -> str:
        return f"{self.get_leg_display()} {self.amount} {self.vos_account} ({self.state})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            old = LedgerEntry.objects.only("state", "amount", "vos_account", "key").get(pk=self.pk)
            if (old.amount, old.vos_account, old.key) != (self.amount, self.vos_account, self.key):
                raise ValidationError("A ledger entry's amount, account and key never change.")
            if old.state != self.state and self.state not in self.TRANSITIONS[old.state]:
                raise ValidationError(f"A ledger entry cannot go from {old.state} to {self.state}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Ledger entries are never deleted.")


class BalanceReading(models.Model):
    """The last balance VOS told us for an account, and when: from a page's GetCustomer,
    a Pay answer or a CustomerMoneyChange push. Shown only with its time, never adjusted
    locally."""

    server = models.ForeignKey("switch.VosServer", on_delete=models.CASCADE, related_name="+")
    vos_account = models.CharField(max_length=64)
    money = models.DecimalField(max_digits=16, decimal_places=4)
    limit_money = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    read_at = models.DateTimeField()
    source = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["server", "vos_account"], name="balance_reading_unique")
        ]

    def __str__(self) -> str:
        return f"{self.vos_account}: {self.money} at {self.read_at:%Y-%m-%d %H:%M:%S}"


# --- Call records (issue 6) ----------------------------------------------------------------


class Cdr(models.Model):
    """One call record pulled from VOS (``GetCdr``): every InfoCdr field, under the
    model field names of ``billing.cdrs.store.FIELD_OF_WIRE``, plus who it belongs to.

    ``natural_key`` is a hash of the server and the record's ``flowNo`` when VOS sends
    one (seen in the field, not in the 2.1.7.0 manual), else of the server, account,
    caller, callee, start and stop (``billing.cdrs.store.natural_key``; rows stored by
    older portals under a hash of every field are recognised by their columns), so
    pulling the same day twice inserts nothing new. ``tenant``/``tenant_path``
    are the billing account's tenant and its path when pulled (kept current when a
    tenant moves): a reseller's search is ``tenant_path LIKE '/1/4/%'``, no tree walk.

    On PostgreSQL the table is partitioned by month of ``start`` (migration 0003); the
    primary key is then (id, start) in the database, and old months are dropped whole
    (``billing.cdrs.store.drop_months_before``). Amounts are exact to 1/10000, as VOS
    keeps them, so sums over CDRs equal VOS's own fee reports.
    """

    server = models.ForeignKey(
        "switch.VosServer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    natural_key = models.UUIDField()
    tenant = models.ForeignKey(
        "accounts.Tenant",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # cdr_tenant_start leads with it
        related_name="+",
    )
    tenant_path = models.CharField(max_length=512, blank=True)
    start = models.DateTimeField()
    stop = models.DateTimeField()
    account = models.CharField(max_length=64)
    account_name = models.CharField(max_length=128, blank=True)
    agent_account = models.CharField(max_length=64, blank=True)
    agent_name = models.CharField(max_length=128, blank=True)
    caller_e164 = models.CharField(max_length=64, blank=True)
    caller_access_e164 = models.CharField(max_length=64, blank=True)
    caller_product_id = models.CharField(max_length=64, blank=True)
    caller_to_gateway_e164 = models.CharField(max_length=64, blank=True)
    caller_gateway = models.CharField(max_length=64, blank=True)
    caller_ip = models.CharField(max_length=64, blank=True)
    callee_e164 = models.CharField(max_length=64, blank=True)
    callee_access_e164 = models.CharField(max_length=64, blank=True)
    callee_product_id = models.CharField(max_length=64, blank=True)
    callee_to_gateway_e164 = models.CharField(max_length=64, blank=True)
    callee_gateway = models.CharField(max_length=64, blank=True)
    callee_ip = models.CharField(max_length=64, blank=True)
    hold_time = models.IntegerField(default=0)
    fee_time = models.IntegerField(default=0)
    fee = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    fee_prefix = models.CharField(max_length=64, blank=True)
    suite_fee = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    suite_fee_time = models.IntegerField(default=0)
    agent_fee = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    agent_fee_time = models.IntegerField(default=0)
    agent_fee_prefix = models.CharField(max_length=64, blank=True)
    agent_suite_fee = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    agent_suite_fee_time = models.IntegerField(default=0)
    call_level = models.SmallIntegerField(default=5)
    end_direction = models.SmallIntegerField(default=0)
    end_reason = models.IntegerField(default=0)
    callee_billing = models.SmallIntegerField(default=0)
    billing_mode = models.SmallIntegerField(default=0)

    class CallLevel(models.IntegerChoices):
        NET = 1, _("Net")
        LOCAL = 2, _("Local")
        DOMESTIC = 4, _("Domestic")
        INTERNATIONAL = 5, _("International")

    class Meta:
        # Chosen for the searches of the CDR pages: everything is a time range, scoped
        # by tenant (a customer), by path (a reseller's subtree) or not at all (admins),
        # optionally narrowed by a caller/callee prefix or a gateway. The covering
        # columns let range totals (calls, seconds, fee) come from the index alone, for
        # everyone (start), a customer (tenant) and a reseller's subtree (path). At 10M
        # rows (benchmarks/cdr_search.py) a reseller's 31-day totals read ~100,000 rows
        # scattered over two months of table without them (~250 ms, ~40 ms with), and
        # an admin's day of 27,000 calls takes ~65 ms instead of ~18 ms.
        indexes = [
            models.Index(
                fields=["start", "id"],
                include=["hold_time", "fee", "agent_fee"],
                name="cdr_start_id",
            ),
            models.Index(
                fields=["tenant", "start"],
                include=["hold_time", "fee", "agent_fee"],
                name="cdr_tenant_start",
            ),
            models.Index(
                fields=["tenant_path", "start"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                include=["hold_time", "fee", "agent_fee"],
                name="cdr_path_start",
            ),
            models.Index(
                fields=["caller_e164", "start"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="cdr_caller_start",
            ),
            models.Index(
                fields=["callee_e164", "start"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="cdr_callee_start",
            ),
            models.Index(fields=["callee_gateway", "start"], name="cdr_callee_gw_start"),
            models.Index(fields=["caller_gateway", "start"], name="cdr_caller_gw_start"),
            # Calls of accounts with no portal tenant yet, found again when the tenant
            # appears (cdr_store.adopt_account_cdrs); tiny, as such rows are rare.
            models.Index(
                fields=["server", "account"],
                condition=Q(tenant__isnull=True),
                name="cdr_orphan_account",
            ),
        ]
        constraints = [
            # The partition key must be part of a unique key on a partitioned table; the
            # natural key already hashes ``start``, so this is as strict as the key alone.
            models.UniqueConstraint(fields=["natural_key", "start"], name="cdr_natural_key"),
        ]

    def __str__(self) -> str:
        when = f"{self.start:%Y-%m-%d %H:%M}"
        return f"{self.account} {self.caller_e164} → {self.callee_e164} at {when}"

    @property
    def answered(self) -> bool:
        return self.hold_time > 0


class CdrOldKeys(models.Model):
    """The last CDR id an older portal may have stored under its whole-record key (a
    hash of every InfoCdr field, ``billing.cdrs.store.whole_record_key``), recorded by
    the upgrade that stopped using it (migration 0013: the table's last id then; 0 on
    a portal that never used it). One row, or none for 0.

    Only rows up to that id are compared column by column on the way in; every row
    stored since is found again by its key alone, one probe of the unique index per
    record, and two calls that differ only in their flowNo are two calls."""

    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("CDR keys of an older portal")

    def __str__(self) -> str:
        return f"CDRs up to id {self.last_id} may carry an older portal's key"


class CdrPullJob(models.Model):
    """One pull of a window of days from one VOS server: what the admins' pull page
    lists. A failed job's days stay owed (``CdrPullDay``) and are pulled again later."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RETRY = "retry", _("Retry of a failed window")
        MANUAL = "manual", _("Started by an admin")

    server = models.ForeignKey("switch.VosServer", on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.SCHEDULED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vos_calls = models.PositiveIntegerField(default=0)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    # In words, never the server's address (``telephony.vos.describe_error``).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"CDR pull {self.server} {self.first_day}..{self.last_day} ({self.status})"


class CdrPullDay(models.Model):
    """Where one server's day stands: pulled (when, how many), or owed after a failure.
    The watermark of a server is the last day before which every day is pulled."""

    class Status(models.TextChoices):
        OWED = "owed", _("Not pulled yet")
        DONE = "done", _("Pulled")
        FAILED = "failed", _("Failed, will retry")

    server = models.ForeignKey("switch.VosServer", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OWED)
    attempts = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    last_job = models.ForeignKey(
        CdrPullJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="days"
    )
    error = models.TextField(blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["server", "day"]
        constraints = [
            models.UniqueConstraint(fields=["server", "day"], name="cdr_pull_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.day} {self.status}"


class CdrExport(ExportFile):
    """A CSV or XLSX export of a CDR search, written in constant memory."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    # Who asked (the person at the keyboard) and whose scope the rows follow.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cdr_exports"
    )
    scope_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.CSV)
    rows_total = models.PositiveIntegerField(default=0)

    class Meta(ExportFile.Meta):
        pass

    def __str__(self) -> str:
        return f"CDR export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_written * 100 // self.rows_total)


class ReportJob(models.Model):
    """A VOS fee report (customer, phone or location fee; per day or per month) run by
    a Celery task over the chosen accounts in batches. ``rows`` holds VOS's answer,
    one dict per InfoReport* row; pages draw tables and charts from it."""

    class Kind(models.TextChoices):
        CUSTOMER_FEE = "customer_fee", _("Customer fee")
        PHONE_FEE = "phone_fee", _("Phone fee")
        LOCATION_FEE = "location_fee", _("Location fee")

    class Period(models.TextChoices):
        DAY = "day", _("Per day")
        MONTH = "month", _("Per month")

    Status = JobStatus

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    scope_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The account (or reseller subtree) reported on; its tenant's path scopes the job.
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    tenant_path = models.CharField(max_length=512, db_index=True)
    server = models.ForeignKey("switch.VosServer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.DAY)
    first_day = models.DateField()
    last_day = models.DateField()
    # Extra request fields (area code prefix, phone numbers), validated by the form.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.batches_total:
            return 0
        return min(99, self.batches_done * 100 // self.batches_total)


# --- Card payments (issue 15) ---------------------------------------------------------------


class PaymentAccount(models.Model):
    """An outside payment account (Stripe, or the offline test provider) that customers
    pay by card: the platform's own, or a reseller's (its customers then pay the
    reseller, and the reseller's VOS account funds their top-ups). The keys are Fernet
    tokens (``billing.payments.keys``), never shown back, replaced by re-entry."""

    class Kind(models.TextChoices):
        OFFLINE = "offline", _("Test provider (offline)")
        STRIPE = "stripe", _("Stripe")

    owner = models.OneToOneField(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="payment_account"
    )
    kind = models.CharField(_("provider"), max_length=16, choices=Kind.choices)
    secret_key_token = models.TextField(blank=True)
    webhook_secret_token = models.TextField(blank=True)
    keys_changed_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    min_amount = models.DecimalField(
        _("smallest amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(CENT)],
    )
    max_amount = models.DecimalField(
        _("largest amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("500.00"),
        validators=[MinValueValidator(CENT)],
    )
    fee_percent = models.DecimalField(
        _("fee (percent)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    fee_fixed = models.DecimalField(
        _("fee (fixed)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    # Whose scope the top-ups run in (a webhook acts for nobody): the manager who
    # connected the account; another manager of the owner when that one cannot act.
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tenant_path = models.CharField(max_length=512, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.owner}"

    @property
    def has_keys(self) -> bool:
        return bool(self.secret_key_token and self.webhook_secret_token)

    @classmethod
    def serving(cls, tenant) -> PaymentAccount | None:
        """The account that ``tenant`` pays by card: the nearest reseller above it (a
        reseller paying for its own balance looks above itself) with an enabled account,
        else the platform's; None when there is none."""
        if tenant is None or tenant.kind == "platform":
            return None
        ids = [int(part) for part in tenant.path.strip("/").split("/") if part]
        above = [pk for pk in ids if pk != tenant.pk]
        accounts = {
            account.owner_id: account
            for account in cls.objects.filter(owner_id__in=above, enabled=True).select_related(
                "owner"
            )
            if account.has_keys
        }
        for pk in reversed(above):
            if pk in accounts:
                return accounts[pk]
        return None


class CardPayment(models.Model):
    """One card payment a customer started: what it credits, what it costs, and where
    it stands. Only a verified webhook event (or the daily reconciliation) moves it to
    ``paid`` and on to ``credited``; the return URL changes nothing."""

    class State(models.TextChoices):
        CREATED = "created", _("Waiting for payment")
        PAID = "paid", _("Paid, crediting the switch")
        CREDITED = "credited", _("Credited")
        FAILED = "failed", _("Not paid")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")
        REVIEW = "review", _("Paid, an administrator is checking it")

    FINAL = (State.CREDITED, State.FAILED, State.REFUNDED, State.DISPUTED, State.REVIEW)

    reference = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey(
        "accounts.Tenant", on_delete=models.PROTECT, related_name="card_payments"
    )
    account = models.ForeignKey(PaymentAccount, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CREATED)
    provider_session_id = models.CharField(max_length=255, blank=True)
    provider_payment_id = models.CharField(max_length=255, blank=True)
    transfer = models.OneToOneField(
        MoneyTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="card_payment"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="card_payments"
    )
    review_reason = models.CharField(max_length=255, blank=True)
    tenant_path = models.CharField(max_length=512, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="card_payment_provider_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} → {self.customer} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL


class ProviderEventRecord(models.Model):
    """Each webhook event taken in, once: a replayed or repeated event finds its id here
    and moves nothing."""

    account = models.ForeignKey(PaymentAccount, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16)
    payment = models.ForeignKey(
        CardPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "event_id"], name="provider_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.kind})"


class OfflineCheckoutSession(models.Model):
    """The offline test provider's own record of a checkout (what Stripe would keep on
    its side): apart from the portal's ``CardPayment``, so the daily reconciliation
    compares two independent records. ``merchant`` is a hash of the account's secret
    key, as a provider knows its merchant by the API key."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CANCELED = "canceled", _("Canceled")

    session_id = models.CharField(max_length=64, unique=True)
    merchant = models.CharField(max_length=64, db_index=True)
    # The portal's payment account: the provider's webhook endpoint for the merchant.
    account_id = models.PositiveIntegerField()
    reference = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=255, blank=True)
    success_url = models.URLField(max_length=500)
    cancel_url = models.URLField(max_length=500)
    webhook_url = models.URLField(max_length=500)
    idempotency_key = models.CharField(max_length=128, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    payment_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.session_id} ({self.state})"
