"""Duplicate pushes handled at the same moment by separate workers (threads with their
own PostgreSQL connections): each crossing is still told once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from alerts import services as alerts
from alerts.models import AlertKind, Notification
from alerts.tests.fixtures import link_demo_tenants

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(work, times: int = 8) -> None:
    barrier = threading.Barrier(times)

    def run():
        try:
            barrier.wait(timeout=30)
            work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_concurrent_duplicates_tell_each_crossing_once(demo_vos_server):
    assert connection.vendor == "postgresql"
    server, tenants = link_demo_tenants(demo_vos_server)
    owner = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    admin = AdminFactory()
    alarm = {"id": 7, "type": 20003, "level": 3, "name": "CPU", "value": 99, "startTime": 1}

    _at_once(lambda: alerts.balance_changed(server, "manila-bpo", 1))
    _at_once(lambda: alerts.alarms_reported(server, [alarm]))

    assert Notification.objects.filter(user=owner, kind=AlertKind.LOW_BALANCE).count() == 1
    assert Notification.objects.filter(user=admin, kind=AlertKind.ALARM).count() == 1
