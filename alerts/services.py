"""Alerts: low balance, alarm raised, VOS server unreachable.

The live-state code (push processing, shared polls) calls the two entry points below
whenever VOS tells the portal something new; this module decides whether a threshold
was crossed, and tells people once per crossing (email and the portal's notification
list), never on every poll.

Contract (called by telephony's push processing and polls; keep the signatures):
    balance_changed(server, account: str, money: float) -> None
    alarms_reported(server, alarms: list[dict]) -> None   # InfoAlarmCurrent dicts

Each subject (a customer's balance, one VOS alarm, a server's reachability) has one
``AlertState`` row. Going from armed to raised is a conditional UPDATE that only one
caller can win, so duplicates, replays and concurrent pushes tell people once; the
state re-arms when the condition is gone (balance back at or above the threshold, the
alarm no longer current, the server answering again).

Neither entry point ever raises: an alert that cannot be worked out is logged, and the
push or page that reported the figure carries on.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit, events
from accounts.models import Tenant, User
from accounts.roles import Action, Role
from accounts.scope import OutOfScope
from alerts import selectors as alert_selectors
from alerts import tasks as alert_tasks
from alerts.models import AlertKind, AlertSettings, AlertState, Notification
from alerts.selectors import alarm_summary, failure_in_words, notifications
from billing.models import MoneySettings, MoneyTransfer
from billing.money.services import last_known_balance
from switch import vos
from vos3000.client import VosApiError, VosUnavailable
from web import numbers
from web.tasks import enqueue

log = logging.getLogger(__name__)


# --- The contract ------------------------------------------------------------------------
def balance_changed(server, account: str, money: float) -> None:
    """VOS says ``account`` on ``server`` now has ``money``."""
    balances_changed(server, {account: money})


def on_balances_read(sender, server, balances: dict, **kwargs) -> None:
    """billing.events.balances_read, connected in alerts.apps."""
    balances_changed(server, balances)


def balances_changed(server, balances: dict) -> None:
    """Several accounts' balances at once (a page's GetCustomer): a handful of queries
    whatever their number, and writes only for the accounts that cross."""
    try:
        with transaction.atomic():
            _balances_changed(server, balances)
    except Exception:  # an alert must never break the push or page that reported it
        log.exception("low-balance check failed for accounts on server %s", server.pk)


def alarm_list_pushed(server, payload: dict) -> None:
    """AlarmCurrentReport (3.6), registered in alerts.apps."""
    alarms_reported(server, list(payload.get("infoAlarmCurrents") or []))


def alarms_reported(server, alarms: list[dict]) -> None:
    """VOS's current alarms on ``server`` (the whole list, as AlarmCurrentReport and
    GetAlarmCurrent give it)."""
    try:
        with transaction.atomic():
            _alarms_reported(server, alarms or [])
    except Exception:
        log.exception("alarm check failed for server %s", server.pk)


# --- Low balance -------------------------------------------------------------------------
def low_balance_threshold(tenant: Tenant) -> Decimal:
    """The customer's own threshold, else the platform's default."""
    own = (
        AlertSettings.objects.filter(tenant=tenant)
        .values_list("low_balance_threshold", flat=True)
        .first()
    )
    return own if own is not None else MoneySettings.current().low_balance_threshold


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("the balance is not a number") from exc


def _balances_changed(server, balances: dict) -> None:
    amounts = {}
    for account, money in balances.items():
        if money is None or money == "":
            continue  # VOS did not say: unknown is neither low nor fine
        try:
            amounts[str(account)] = _decimal(money)
        except ValueError:
            log.warning("a balance that is not a number was reported on server %s", server.pk)
    tenants = {
        t.vos_account: t
        for t in Tenant.objects.filter(
            server=server, vos_account__in=list(amounts), kind=Tenant.Kind.CUSTOMER
        ).select_related("parent")
    }
    if not tenants:
        return
    own = dict(
        AlertSettings.objects.filter(
            tenant__in=list(tenants.values()), low_balance_threshold__isnull=False
        ).values_list("tenant_id", "low_balance_threshold")
    )
    default = MoneySettings.current().low_balance_threshold
    # An account's state row exists once it was armed: seen at or above its threshold,
    # or topped up through the portal. One never funded (a customer just created at
    # 0.00) is not "low": nobody is told about money that was never there.
    states = dict(
        AlertState.objects.filter(
            kind=AlertKind.LOW_BALANCE, server=server, subject__in=list(tenants)
        ).values_list("subject", "raised")
    )
    unarmed_low = [
        t.pk
        for account, t in tenants.items()
        if account not in states and amounts[account] < own.get(t.pk, default)
    ]
    topped_up = set(
        MoneyTransfer.objects.filter(
            customer_id__in=unarmed_low, state=MoneyTransfer.State.SUCCEEDED, amount__gt=0
        ).values_list("customer_id", flat=True)
    )
    for account, tenant in tenants.items():
        money, threshold = amounts[account], own.get(tenant.pk, default)
        if money >= threshold:
            if states.get(account):
                _clear(_state(AlertKind.LOW_BALANCE, server, account))
            elif account not in states:
                _state(AlertKind.LOW_BALANCE, server, account)  # armed from now on
        elif not states.get(account) and (account in states or tenant.pk in topped_up):
            _low_balance(server, tenant, money, threshold)


def _amount(value: Decimal) -> str:
    """An amount in a notification as the pages write it (``web.numbers``)."""
    return numbers.with_currency(numbers.grouped(value, numbers.money_places()))


def _low_balance(server, tenant: Tenant, money: Decimal, threshold: Decimal) -> None:
    state = _state(AlertKind.LOW_BALANCE, server, tenant.vos_account)
    if not _raise(state, {"money": str(money), "threshold": str(threshold)}):
        return  # someone else's report of the same crossing won
    values = {"account": tenant.name, "money": _amount(money), "threshold": _amount(threshold)}
    events.announce(
        "balance.low",
        tenant_path=tenant.path,
        data={
            "account": tenant.vos_account,
            "account_id": tenant.pk,
            "balance": numbers.plain(money, 4),
            "threshold": numbers.plain(threshold, 4),
        },
    )
    notify(
        AlertKind.LOW_BALANCE,
        customer_recipients(tenant),
        tenant=tenant,
        title=lambda: _("Low balance: %(account)s") % values,
        body=lambda: (
            _(
                "The balance of %(account)s is %(money)s, below the alert threshold of "
                "%(threshold)s. Top it up to keep calls going."
            )
            % values
        ),
    )


def customer_recipients(tenant: Tenant) -> list[User]:
    """Who hears about a customer's balance: its owners, and the managers of the
    reseller right above it (the one who tops it up)."""
    users = list(User.objects.filter(tenant=tenant, role=Role.CUSTOMER_OWNER, is_active=True))
    parent = tenant.parent
    if (
        settings.ALERTS_LOW_BALANCE_TO_RESELLER
        and parent is not None
        and parent.kind == Tenant.Kind.RESELLER
    ):
        users += User.objects.filter(tenant=parent, role=Role.RESELLER_MANAGER, is_active=True)
    return users


def platform_recipients() -> list[User]:
    return list(
        User.objects.filter(
            tenant__kind=Tenant.Kind.PLATFORM, role=Role.PLATFORM_ADMIN, is_active=True
        )
    )


# --- Alarms ------------------------------------------------------------------------------
def _alarm_is_current(alarm: dict, now_ms: int) -> bool:
    stop = alarm.get("stopTime")
    return not (isinstance(stop, int | float) and 0 < stop <= now_ms)


def _alarms_reported(server, alarms: list[dict]) -> None:
    now_ms = int(time.time() * 1000)
    current = {
        str(alarm["id"]): alarm
        for alarm in alarms
        if isinstance(alarm, dict)
        and alarm.get("id") is not None
        and _alarm_is_current(alarm, now_ms)
    }
    for subject, alarm in current.items():
        state = _state(AlertKind.ALARM, server, subject)
        summary = alarm_summary(alarm)
        if not _raise(state, {"name": str(alarm.get("name", ""))[:200]}):
            continue
        values = {"server": server.name, **summary}
        events.announce(
            "alarm.raised",
            tenant_path="",  # the platform's endpoints only (webhooks.models.PLATFORM_ONLY)
            data={
                "server": server.name,
                "alarm_id": subject,
                **{key: alarm.get(key) for key in ("name", "level", "type", "startTime")},
            },
        )
        notify(
            AlertKind.ALARM,
            platform_recipients(),
            title=lambda values=values: _("Alarm on %(server)s: %(name)s") % values,
            body=lambda values=values: (
                _(
                    "VOS server %(server)s reports a %(level)s alarm: %(name)s (%(type)s), "
                    "value %(value)s, since %(start)s. %(memo)s"
                )
                % values
            ),
        )
    gone = AlertState.objects.filter(kind=AlertKind.ALARM, server=server, raised=True).exclude(
        subject__in=list(current)
    )
    for state in gone:
        _clear(state)


# --- Reachability ------------------------------------------------------------------------
def server_answered(server) -> None:
    """A probe (or any call) got an answer from ``server``: it is reachable again."""
    state = _state(AlertKind.UNREACHABLE, server, "")
    AlertState.objects.filter(pk=state.pk).update(strikes=0)
    if _clear(state):
        values = {"server": server.name}
        notify(
            AlertKind.UNREACHABLE,
            platform_recipients(),
            title=lambda: _("VOS server %(server)s answers again") % values,
            body=lambda: _("The portal reaches VOS server %(server)s again.") % values,
            email=False,
        )


def server_failed(server, reason: str) -> None:
    """A probe of ``server`` got no usable answer. Raised after
    ``ALERTS_UNREACHABLE_AFTER`` failed probes in a row (one lost packet is no outage)."""
    state = _state(AlertKind.UNREACHABLE, server, "")
    AlertState.objects.filter(pk=state.pk).update(strikes=F("strikes") + 1)
    state.refresh_from_db(fields=["strikes"])
    if state.strikes < settings.ALERTS_UNREACHABLE_AFTER:
        return
    if not _raise(state, {"reason": reason}):
        return

    values = {"server": server.name, "reason": failure_in_words(reason)}
    notify(
        AlertKind.UNREACHABLE,
        platform_recipients(),
        title=lambda: _("VOS server %(server)s is unreachable") % values,
        body=lambda: (
            _(
                "The portal cannot reach VOS server %(server)s: %(reason)s. Pages and tasks "
                "that need it fail until it answers again."
            )
            % values
        ),
    )


def probe(server, *, process: str) -> dict:
    """Ask ``server`` for its soft switch (GetSoftSwitch, a cheap read) with the pooled
    client, raise or clear the unreachable alert, and publish the client's measurements
    as seen by ``process`` ("worker" or "web"). The probe's result, address-free."""
    started = time.perf_counter()
    try:
        vos.client_for(server).call("GetSoftSwitch", {})
        reason = ""
    except VosApiError:
        reason = ""  # it refused, so it answered
    except VosUnavailable as exc:
        reason = exc.reason or "unavailable"
    result = {
        "ok": not reason,
        "reason": reason,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "at": timezone.now().isoformat(),
    }
    alert_selectors.remember_probe(server, result)
    if reason:
        server_failed(server, reason)
    else:
        server_answered(server)
    alert_selectors.publish_stats(server, process)
    return result


# --- States ------------------------------------------------------------------------------
def _state(kind: str, server, subject: str) -> AlertState:
    state, _created = AlertState.objects.get_or_create(kind=kind, server=server, subject=subject)
    return state


def _raise(state: AlertState, detail: dict) -> bool:
    """Armed -> raised. True only for the one caller whose UPDATE made the change."""
    won = AlertState.objects.filter(pk=state.pk, raised=False).update(
        raised=True, raised_at=timezone.now(), detail=detail
    )
    return won == 1


def _clear(state: AlertState) -> bool:
    """Raised -> armed again. True when it was raised."""
    won = AlertState.objects.filter(pk=state.pk, raised=True).update(
        raised=False, cleared_at=timezone.now(), strikes=0
    )
    return won == 1


# --- Telling people ----------------------------------------------------------------------
def notify(kind: str, users, *, title, body, tenant=None, email: bool = True) -> list[int]:
    """One notification per person, worded in their own language (``title`` and
    ``body`` are called under it), and their emails sent by a task after the commit."""
    rows = []
    seen = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    user=user,
                    kind=kind,
                    tenant=tenant,
                    title=str(title())[:200],
                    body=str(body()),
                )
            )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if email:
        enqueue(alert_tasks.email_notifications, ids)
    return ids


def send_emails(notification_ids: list[int]) -> int:
    """Email each notification not emailed yet to its person; the number sent. Each is
    claimed first (a conditional UPDATE), so a task run twice sends once."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("user")
    for notification in pending:
        user = notification.user
        if not user.is_active or not user.email:
            continue
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            footer = _("See all your notifications in the portal: %(url)s") % {
                "url": settings.ALERTS_PORTAL_URL.rstrip("/") + "/notifications/"
            }
        try:
            send_mail(
                f"[VOS Portal] {notification.title}",
                f"{notification.body}\n\n{footer}\n",
                None,
                [user.email],
            )
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            log.exception("alert email %s could not be sent", notification.pk)
            continue
        sent += 1
    return sent


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
    if tenant.server_id and tenant.vos_account:
        known = last_known_balance(tenant)
        if known is not None:
            balance_changed(tenant.server, tenant.vos_account, known.money)
    return settings_row


def mark_read(scope, notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(scope) -> int:
    return notifications(scope).filter(read_at__isnull=True).update(read_at=timezone.now())
