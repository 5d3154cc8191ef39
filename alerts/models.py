from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant, User


# --- Alerts (issue 7) -----------------------------------------------------------------------
class AlertKind(models.TextChoices):
    LOW_BALANCE = "low_balance", _("Low balance")
    ALARM = "alarm", _("Alarm raised")
    UNREACHABLE = "unreachable", _("VOS server unreachable")


class AlertSettings(models.Model):
    """A customer's own low-balance threshold. Empty: the platform default
    (``billing.models.MoneySettings.low_balance_threshold``) applies."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="alert_settings", verbose_name=_("account")
    )
    low_balance_threshold = models.DecimalField(
        _("warn when the balance falls below"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "accounts_alertsettings"  # kept from before the move (docs/architecture.md)
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return f"alert settings of {self.tenant_id}"


class AlertState(models.Model):
    """Whether one subject's alert is raised: a customer's balance (subject: its VOS
    account), one VOS alarm (subject: its id) or a server's reachability (subject
    empty). People are told when it goes from armed to raised, and it re-arms when the
    condition is gone, so a crossing is told once however often it is reported."""

    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    server = models.ForeignKey("switch.VosServer", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=128, blank=True)
    raised = models.BooleanField(default=False)
    # Consecutive failed probes (unreachable) before raising.
    strikes = models.PositiveIntegerField(default=0)
    raised_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "accounts_alertstate"  # kept from before the move (docs/architecture.md)
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "server", "subject"], name="alert_state_one_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.server_id}:{self.subject} raised={self.raised}"


class Notification(models.Model):
    """One alert as one person sees it in the portal (and, once sent, by email)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_notification"  # kept from before the move (docs/architecture.md)
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title
