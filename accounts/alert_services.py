"""Writes of the alert pages: a customer's threshold, notifications read."""

from __future__ import annotations

from django.utils import timezone

from accounts import audit
from accounts.models import AlertSettings, Tenant
from accounts.roles import Action
from accounts.scope import OutOfScope


def may_set_threshold(scope, tenant: Tenant) -> bool:
    """The customer's owner on its own account, or a provider above it (its reseller,
    the platform), with the right to change things."""
    if not scope.can(Action.CHANGE) or tenant.kind != Tenant.Kind.CUSTOMER:
        return False
    own = scope.is_customer and scope.tenant is not None and scope.tenant.pk == tenant.pk
    return own or scope.manages(tenant)


def set_threshold(scope, tenant: Tenant, threshold) -> AlertSettings:
    """Set (or, with None, drop back to the platform default) a customer's low-balance
    threshold; audited. The balance last heard from VOS is measured against the new
    threshold at once (a threshold raised above it is a crossing too)."""
    if not may_set_threshold(scope, tenant):
        raise OutOfScope(f"tenant {tenant.pk}: threshold not changeable by this user")
    settings_row, _created = AlertSettings.objects.get_or_create(tenant=tenant)
    before = settings_row.low_balance_threshold
    settings_row.low_balance_threshold = threshold
    settings_row.save(update_fields=["low_balance_threshold", "updated_at"])
    audit.record(
        "alerts.threshold.set",
        scope=scope,
        target=tenant,
        before={"low_balance_threshold": None if before is None else str(before)},
        after={"low_balance_threshold": None if threshold is None else str(threshold)},
    )
    from accounts import alerts
    from billing.money import last_known_balance

    if tenant.server_id and tenant.vos_account:
        known = last_known_balance(tenant)
        if known is not None:
            alerts.balance_changed(tenant.server, tenant.vos_account, known.money)
    return settings_row


def mark_read(scope, notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(scope) -> int:
    from accounts.alert_selectors import notifications

    return notifications(scope).filter(read_at__isnull=True).update(read_at=timezone.now())
