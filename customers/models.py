"""The customers app's own records: bulk imports and bulk actions on the customer list
(``customers.bulk``). Accounts themselves are tenants (``accounts.models.Tenant``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkStatus(models.TextChoices):
    PREVIEW = "preview", _("Checked, waiting for you")
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class _BulkJob(models.Model):
    """What imports and actions share: who asked (the person at the keyboard) and whose
    scope the rows follow, progress, the per-row results and an optional file."""

    Status = BulkStatus

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scope_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=16, choices=BulkStatus.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # One dict per row: {"line"|"tenant", "outcome", "message", ...}.
    results = models.JSONField(default=list, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=16, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    @property
    def is_open(self) -> bool:
        return self.status in (BulkStatus.PENDING, BulkStatus.RUNNING)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def percent(self) -> int:
        if self.status == BulkStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    def count(self, *outcomes: str) -> int:
        return sum(1 for row in self.results if row.get("outcome") in outcomes)


class BulkImport(_BulkJob):
    """An uploaded file of customers (each optionally with a first phone) or phones: its
    rows as read, the preview's verdict per row, then the run's result per row."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        PHONES = "phones", _("Phones")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_name = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, db_index=True)
    # One dict per row: {"line": n, "data": {column: text}}.
    rows = models.JSONField(default=list, blank=True)
    # The preview's verdict: {"line", "state": "ok" | "skip" | "error", "errors": [...]}.
    checks = models.JSONField(default=list, blank=True)

    class Meta(_BulkJob.Meta):
        pass

    def __str__(self) -> str:
        return f"bulk import {self.pk} ({self.source_name})"


class BulkAction(_BulkJob):
    """One action on many accounts of the customer list: lock, unlock, a fee rate group,
    a top-up each, or an export of them (customers or their phones)."""

    class Action(models.TextChoices):
        LOCK = "lock", _("Lock")
        UNLOCK = "unlock", _("Unlock")
        FEE_RATE_GROUP = "fee_rate_group", _("Change the fee rate group")
        TOPUP = "topup", _("Top up each")
        EXPORT_CUSTOMERS = "export_customers", _("Export the accounts")
        EXPORT_PHONES = "export_phones", _("Export their phones")

    action = models.CharField(max_length=32, choices=Action.choices)
    params = models.JSONField(default=dict, blank=True)
    tenant_ids = models.JSONField(default=list, blank=True)

    class Meta(_BulkJob.Meta):
        pass

    def __str__(self) -> str:
        return f"bulk action {self.pk} ({self.action})"

    @property
    def is_export(self) -> bool:
        return self.action in (self.Action.EXPORT_CUSTOMERS, self.Action.EXPORT_PHONES)
