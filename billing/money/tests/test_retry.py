"""A safe retry by proof, against the simulator's fault injection: a leg that follows money
already moved and is proven absent from VOS is tried again as a new leg with a new key,
at most MONEY_LEG_MAX_ATTEMPTS calls; a leg whose answer was lost is reconciled, never
retried; every leg keeps its own error. VOS's balances and pay history are the referee:
nothing lost, nothing doubled."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import LedgerEntry, MoneyTransfer
from billing.money import services as money
from billing.money import tasks
from switch import vos
from vos3000.errors import VosUnavailable

pytestmark = pytest.mark.django_db

Leg = LedgerEntry.Leg


def vos_call(sim, endpoint, **payload) -> dict:
    answer = requests.post(sim.base_url + endpoint, json=payload, timeout=5).json()
    assert answer["retCode"] == 0, answer
    return answer


def vos_balance(sim, account) -> Decimal:
    info = vos_call(sim, "GetCustomer", accounts=[account])["infoCustomers"][0]
    return Decimal(str(info["money"]))


def pay_fees(sim, account) -> list[Decimal]:
    now = timezone.now()
    rows = vos_call(
        sim,
        "GetPayHistory",
        account=account,
        beginTime=(now - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
        endTime=(now + timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
    )["infoPayHistorys"]
    return [Decimal(str(r["fee"])).quantize(Decimal("0.01")) for r in rows]


class World:
    def __init__(self, server):
        self.server = server
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        # Not on the switch: its credit is refused by VOS, so the reseller is refunded.
        self.ghost = TenantFactory(
            name="Ghost", parent=self.globaltel, server=server, vos_account="ghost"
        )
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.admin = AdminFactory()

    def scope(self) -> Scope:
        return Scope(user=self.reseller)


@pytest.fixture
def world(demo_vos_server, settings, portal_sim):
    settings.MONEY_LEG_RETRY_SECONDS = 0
    settings.MONEY_LEG_MAX_ATTEMPTS = 3
    settings.MONEY_RECONCILE_GRACE_SECONDS = 3600
    yield World(demo_vos_server)
    portal_sim.control("clear_faults")


@pytest.fixture
def fault_on_leg(monkeypatch, portal_sim):
    """Arm a simulator fault on Pay just before the first call of one leg (the fault
    table counts calls, and the legs before it must go through)."""

    def arm(leg: str, mode: str, *, count: int = 1, seconds: float = 0.0):
        real = money._run_leg

        def run_leg(scope, transfer, **kwargs):
            if kwargs["leg"] == leg and kwargs.get("retry_of") is None:
                portal_sim.control("fault", endpoint="Pay", mode=mode, count=count, seconds=seconds)
            return real(scope, transfer, **kwargs)

        monkeypatch.setattr(money, "_run_leg", run_leg)

    return arm


def legs(transfer) -> list[tuple]:
    return list(
        transfer.entries.order_by("seq").values_list("leg", "state", "attempt", "proven_absent")
    )


@pytest.mark.parametrize(
    ("mode", "error"),
    [("http500", "HTTP status 500"), ("reset", "connection was lost")],
)
def test_it_retries_a_refund_that_never_reached_vos_and_settles(
    world, portal_sim, fault_on_leg, settings, mode, error
):
    before = vos_balance(portal_sim, "globaltel")
    fault_on_leg(Leg.REFUND_FUNDER, mode)
    transfer = money.topup(world.scope(), world.ghost, "7.25", key=f"refund-{mode}-key-0001")
    # The refund got no usable answer: in doubt, never retried blindly.
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    assert legs(transfer)[-1] == (Leg.REFUND_FUNDER, "unknown", 1, False)
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.UNKNOWN  # in grace
    assert transfer.entries.count() == 3

    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    first = transfer.entries.get(leg=Leg.REFUND_FUNDER)
    LedgerEntry.objects.filter(pk=first.pk).update(sent_at=timezone.now() - timedelta(seconds=5))
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.COMPENSATED
    assert legs(transfer) == [
        (Leg.DEBIT_FUNDER, "succeeded", 1, False),
        (Leg.CREDIT, "failed", 1, False),  # VOS refused it: not retried
        (Leg.REFUND_FUNDER, "failed", 1, True),
        (Leg.REFUND_FUNDER, "succeeded", 2, False),
    ]
    first.refresh_from_db()
    retry = first.retry
    # Each leg keeps its own error; reconciliation's finding is apart from it.
    assert error in first.error and "pay history" not in first.error
    assert "Not in the switch's pay history" in first.finding
    assert first.settled_by == "reconciliation"
    assert retry.key and first.key and retry.key != first.key and retry.retry_of_id == first.pk
    assert retry.settled_by == "answer" and not retry.error
    # Nothing lost, nothing doubled: the reseller is whole, one debit and one refund.
    assert vos_balance(portal_sim, "globaltel") == before
    fees = pay_fees(portal_sim, "globaltel")
    assert fees.count(Decimal("-7.25")) == 1 and fees.count(Decimal("7.25")) == 1
    event = AuditEvent.objects.get(action="money.leg.retry")
    assert event.after["key"] == retry.key and event.after["attempt"] == 2
    assert event.before["key"] == first.key


def test_an_admin_sees_why_each_leg_ended(world, portal_sim, fault_on_leg, settings, client):
    fault_on_leg(Leg.REFUND_FUNDER, "http500")
    transfer = money.topup(world.scope(), world.ghost, "3.10", key="refund-page-key-0001")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    LedgerEntry.objects.filter(state="unknown").update(
        sent_at=timezone.now() - timedelta(seconds=5)
    )
    tasks.reconcile_transfer(transfer.pk)
    first, retry = transfer.entries.filter(leg=Leg.REFUND_FUNDER).order_by("seq")
    client.force_login(world.admin)
    page = client.get(reverse("money_transfer", args=[transfer.pk])).text
    assert first.key in page and retry.key in page
    assert "HTTP status 500" in page
    assert "Not in the switch&#x27;s pay history" in page
    assert "tried again as step 4" in page
    assert "attempt 2, retrying step 3" in page
    assert "Not tried again: it would be refused again" in page  # the ghost's credit
    # The reseller sees the steps, not the admins' keys and findings.
    client.force_login(world.reseller)
    page = client.get(reverse("money_transfer", args=[transfer.pk])).text
    assert retry.key not in page and "pay history" not in page


def test_it_retries_at_once_a_refund_that_never_left(world, portal_sim, monkeypatch):
    """A failure that says may_have_been_applied=False is proof by itself."""
    real, refused = vos.call, []

    def call(scope, server, endpoint, payload, **kwargs):
        if endpoint == "Pay" and "refund" in payload.get("memo", "") and not refused:
            refused.append(payload["memo"])
            raise VosUnavailable(
                "refused", may_have_been_applied=False, endpoint="Pay", reason="connect_failed"
            )
        return real(scope, server, endpoint, payload, **kwargs)

    monkeypatch.setattr(vos, "call", call)
    before = vos_balance(portal_sim, "globaltel")
    transfer = money.topup(world.scope(), world.ghost, "2.50", key="refund-notsent-key-01")
    assert transfer.state == MoneyTransfer.State.COMPENSATED
    first, retry = transfer.entries.filter(leg=Leg.REFUND_FUNDER).order_by("seq")
    assert first.proven_absent and "never reached the switch" in first.finding
    assert "cannot be reached" in first.error
    assert retry.state == "succeeded" and retry.attempt == 2
    assert retry.key in money._memo(transfer, Leg.REFUND_FUNDER, retry.key)
    assert vos_balance(portal_sim, "globaltel") == before


def test_it_never_retries_a_credit_whose_answer_was_lost(world, portal_sim, fault_on_leg, settings):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    fault_on_leg(Leg.CREDIT, "timeout_after", seconds=0.2)
    transfer = money.topup(world.scope(), world.manila, "4.20", key="credit-lost-key-0001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    pays = portal_sim.control("stats")["requests"]["Pay"]
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    LedgerEntry.objects.filter(state="unknown").update(
        sent_at=timezone.now() - timedelta(seconds=5)
    )
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    credit = transfer.entries.get(leg=Leg.CREDIT)
    assert credit.settled_by == "reconciliation" and "it was paid" in credit.finding
    assert credit.error.startswith("No usable answer")  # what happened when sent, kept
    assert transfer.entries.count() == 2
    assert portal_sim.control("stats")["requests"]["Pay"] == pays  # no call since
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + Decimal("4.20")
    assert vos_balance(portal_sim, "globaltel") == before[0] - Decimal("4.20")
    assert pay_fees(portal_sim, "manila-bpo").count(Decimal("4.20")) == 1


def test_it_retries_a_credit_proven_absent_after_the_reseller_paid(
    world, portal_sim, fault_on_leg, settings
):
    before = (vos_balance(portal_sim, "globaltel"), vos_balance(portal_sim, "manila-bpo"))
    fault_on_leg(Leg.CREDIT, "http500")
    transfer = money.topup(world.scope(), world.manila, "6.60", key="credit-500-key-00001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    LedgerEntry.objects.filter(state="unknown").update(
        sent_at=timezone.now() - timedelta(seconds=5)
    )
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    assert legs(transfer) == [
        (Leg.DEBIT_FUNDER, "succeeded", 1, False),
        (Leg.CREDIT, "failed", 1, True),
        (Leg.CREDIT, "succeeded", 2, False),
    ]
    assert vos_balance(portal_sim, "manila-bpo") == before[1] + Decimal("6.60")
    assert vos_balance(portal_sim, "globaltel") == before[0] - Decimal("6.60")
    assert pay_fees(portal_sim, "manila-bpo").count(Decimal("6.60")) == 1


def test_it_bounds_the_attempts_and_then_asks_an_admin(
    world, portal_sim, fault_on_leg, settings, mailoutbox
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    before = vos_balance(portal_sim, "globaltel")
    fault_on_leg(Leg.REFUND_FUNDER, "http500", count=10)
    transfer = money.topup(world.scope(), world.ghost, "1.75", key="refund-bound-key-001")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    for _ in range(5):
        LedgerEntry.objects.filter(state="unknown").update(
            sent_at=timezone.now() - timedelta(seconds=5)
        )
        tasks.reconcile_transfer(transfer.pk)
    transfer.refresh_from_db()
    assert transfer.state == MoneyTransfer.State.REVIEW
    assert "3 attempts" in transfer.needs_review_reason
    refunds = list(transfer.entries.filter(leg=Leg.REFUND_FUNDER).order_by("seq"))
    assert [(e.attempt, e.state, e.proven_absent) for e in refunds] == [
        (1, "failed", True),
        (2, "failed", True),
        (3, "failed", True),
    ]
    assert all("HTTP status 500" in e.error for e in refunds)
    assert len({e.key for e in refunds}) == 3
    assert "no attempts left (3 of 3)" in money.leg_story(refunds[-1])
    # Nothing was doubled: only the debit reached VOS; the admins were told.
    assert pay_fees(portal_sim, "globaltel").count(Decimal("1.75")) == 0
    assert vos_balance(portal_sim, "globaltel") == before - Decimal("1.75")
    assert mailoutbox and "needs review" in mailoutbox[-1].subject


def test_it_waits_between_attempts(world, portal_sim, monkeypatch, settings):
    settings.MONEY_LEG_RETRY_SECONDS = 600
    real, refused = vos.call, []

    def call(scope, server, endpoint, payload, **kwargs):
        if endpoint == "Pay" and "refund" in payload.get("memo", "") and not refused:
            refused.append(1)
            raise VosUnavailable(
                "refused", may_have_been_applied=False, endpoint="Pay", reason="connect_failed"
            )
        return real(scope, server, endpoint, payload, **kwargs)

    monkeypatch.setattr(vos, "call", call)
    transfer = money.topup(world.scope(), world.ghost, "1.10", key="refund-wait-key-0001")
    # Proven absent, but the retry waits its turn: in progress, not in review.
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.UNKNOWN
    assert transfer.entries.count() == 3
    first = transfer.entries.get(leg=Leg.REFUND_FUNDER)
    assert "to be tried again after 600 seconds" in money.leg_story(first)
    LedgerEntry.objects.filter(pk=first.pk).update(
        settled_at=timezone.now() - timedelta(seconds=601)
    )
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.COMPENSATED


def test_it_never_retries_the_first_leg(world, portal_sim, settings):
    """Nothing had moved, and the person was told: the transfer fails."""
    portal_sim.control("fault", endpoint="Pay", mode="http500")
    transfer = money.topup(world.scope(), world.manila, "1.30", key="first-leg-key-000001")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 1
    LedgerEntry.objects.filter(state="unknown").update(
        sent_at=timezone.now() - timedelta(seconds=5)
    )
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.FAILED
    (debit,) = transfer.entries.all()
    assert debit.proven_absent and "first step" in money.leg_story(debit)


def test_a_leg_is_retried_once_whoever_asks(world, portal_sim, monkeypatch):
    """Two processes (beat and an admin's "check now") that both see the proof open one
    retry between them: the second finds it taken and makes no call."""
    real, refused = vos.call, []

    def call(scope, server, endpoint, payload, **kwargs):
        if endpoint == "Pay" and "refund" in payload.get("memo", "") and not refused:
            refused.append(1)
            raise VosUnavailable(
                "refused", may_have_been_applied=False, endpoint="Pay", reason="connect_failed"
            )
        return real(scope, server, endpoint, payload, **kwargs)

    monkeypatch.setattr(vos, "call", call)
    transfer = money.topup(world.scope(), world.ghost, "1.20", key="refund-once-key-00001")
    first = transfer.entries.filter(leg=Leg.REFUND_FUNDER).order_by("seq").first()
    pays = portal_sim.control("stats")["requests"]["Pay"]
    with pytest.raises(money.RetryTaken):
        money._retry(world.scope(), transfer, first)
    assert portal_sim.control("stats")["requests"]["Pay"] == pays
    assert transfer.entries.filter(leg=Leg.REFUND_FUNDER).count() == 2
    assert AuditEvent.objects.filter(action="money.leg.retry").count() == 1


def test_a_legs_key_never_changes(world, portal_sim):
    transfer = money.topup(world.scope(), world.manila, "1.00", key="leg-key-fixed-000001")
    entry = transfer.entries.first()
    assert len(entry.key) == 32
    assert entry.key in money._memo(transfer, entry.leg, entry.key)
    entry.key = "0" * 32
    with pytest.raises(Exception, match="never change"):
        entry.save()


@pytest.mark.postgres
def test_it_refuses_rewriting_a_legs_key_in_sql(world, portal_sim):
    from django.db import connection, transaction

    transfer = money.topup(world.scope(), world.manila, "1.00", key="leg-key-sql-00000001")
    entry = transfer.entries.first()
    for sql in (
        "UPDATE billing_ledgerentry SET key = 'other' WHERE id = %s",
        "UPDATE billing_ledgerentry SET retry_of_id = id WHERE id = %s",
    ):
        with pytest.raises(Exception, match="ledger"), transaction.atomic():
            connection.cursor().execute(sql, [entry.pk])
