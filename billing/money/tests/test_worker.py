"""Reconciliation in a real Celery worker process: a Pay whose answer was lost is
enqueued at once and settled by the worker from VOS's pay history."""

from __future__ import annotations

import time

import pytest

from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, TenantFactory
from billing.models import MoneyTransfer
from billing.money import services as money

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_reconciles_a_lost_answer_in_the_worker(
    demo_vos_server, portal_sim, celery_worker_process
):
    acme = TenantFactory(server=demo_vos_server, vos_account="acme")
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2)
    transfer = money.topup(Scope(user=AdminFactory()), acme, "2.50", key="worker-key-00000001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        transfer.refresh_from_db()
        if transfer.state != MoneyTransfer.State.UNKNOWN:
            break
        time.sleep(0.2)
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
    assert transfer.entries.get().settled_by == "reconciliation"
    assert portal_sim.control("stats")["requests"]["Pay"] == 1
