"""Concurrent top-ups of one account on PostgreSQL: each thread has its own database
connection, as separate web workers would. Whatever interleaving happens, the ledger's
succeeded entries and VOS's pay history tell the same story, and nothing is paid twice.
Top-ups of one amount on one account run one at a time: one that finds the account busy
is accepted and left to the worker (``tasks.advance_transfer``, run here by hand)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from billing.models import LedgerEntry, MoneyTransfer
from billing.money import services as money
from billing.money import tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _pay_rows(sim, account):
    now = timezone.now()
    answer = requests.post(
        sim.base_url + "GetPayHistory",
        json={
            "account": account,
            "beginTime": (now - timedelta(hours=1)).strftime("%Y%m%d%H%M%S"),
            "endTime": (now + timedelta(hours=1)).strftime("%Y%m%d%H%M%S"),
        },
        timeout=5,
    ).json()
    return answer["infoPayHistorys"]


def test_it_keeps_the_ledger_equal_to_vos_under_concurrent_top_ups(demo_vos_server, portal_sim):
    assert connection.vendor == "postgresql"
    globaltel = ResellerFactory(server=demo_vos_server, vos_account="globaltel")
    manila = TenantFactory(parent=globaltel, server=demo_vos_server, vos_account="manila-bpo")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    # Each call takes a while, so the threads really overlap on the account.
    portal_sim.control("fault", endpoint="Pay", mode="latency", ms=150, count=1000)
    start = timezone.now() - timedelta(seconds=5)
    before_customer = {r["payTime"] for r in _pay_rows(portal_sim, "manila-bpo")}
    outcomes: list[str] = []
    keys = [f"concurrent-{n:03d}-key-0000" for n in range(8)]
    # Two threads submit the same form (a double click across two workers).
    keys.append(keys[0])

    def top_up(key: str) -> None:
        try:
            transfer = money.topup(Scope(user=reseller), manila, "3.00", key=key)
            outcomes.append(transfer.state)
        except money.MoneyRefused as exc:
            outcomes.append(f"refused: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=top_up, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == len(keys)
    assert not [o for o in outcomes if o.startswith("refused")]  # queued, never refused
    assert MoneyTransfer.objects.count() == 8  # the repeated key made no second transfer
    # What the worker does with the top-ups that found the account busy.
    for _ in range(40):
        waiting = list(
            MoneyTransfer.objects.filter(state=MoneyTransfer.State.PENDING).values_list(
                "pk", flat=True
            )
        )
        if not waiting:
            break
        for transfer_id in waiting:
            tasks.advance_transfer(transfer_id, 1)
    assert set(MoneyTransfer.objects.values_list("state", flat=True)) == {"succeeded"}
    new_rows = [
        r for r in _pay_rows(portal_sim, "manila-bpo") if r["payTime"] not in before_customer
    ]
    credits = LedgerEntry.objects.filter(
        vos_account="manila-bpo", state="succeeded", created_at__gte=start
    )
    assert len(new_rows) == credits.count()
    assert sum(Decimal(str(r["fee"])) for r in new_rows) == sum(e.amount for e in credits)
    # Every debit of the reseller that succeeded has its credit (or its refund).
    debits = LedgerEntry.objects.filter(
        vos_account="globaltel", leg="debit_funder", state="succeeded"
    )
    assert debits.count() == credits.count()
    assert not LedgerEntry.objects.filter(state__in=LedgerEntry.IN_FLIGHT).exists()
