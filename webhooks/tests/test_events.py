"""Each area announces its events (accounts.events.announce) with the tenant path of the
object, against the simulator: money (see test_delivery), low balances and alarms
(alerts), customers created and locked, phones registering, call exports ready."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.events import announced
from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory
from alerts import services as alerts
from alerts.tests.fixtures import link_demo_tenants
from billing.cdrs import export as cdr_export
from billing.models import CdrExport, MoneySettings
from billing.money import services as money
from billing.money import tasks as money_tasks
from customers import services as customers
from switch import vos
from telephony.live import state

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def listen(sender, event_type, tenant_path, data, **kwargs):
        events.append((event_type, tenant_path, data))

    announced.connect(listen, weak=False, dispatch_uid="test-heard")
    yield events
    announced.disconnect(dispatch_uid="test-heard")


@pytest.fixture
def demo(demo_vos_server):
    return link_demo_tenants(demo_vos_server)


def test_it_announces_a_low_balance_once_per_crossing(demo, heard):
    server, tenants = demo
    MoneySettings.current()  # default threshold 5.00
    alerts.balance_changed(server, "manila-bpo", 3.0)
    alerts.balance_changed(server, "manila-bpo", 2.0)  # still below: not again
    [(kind, path, data)] = heard
    assert (kind, path) == ("balance.low", tenants["manila"].path)
    assert data["account"] == "manila-bpo" and data["balance"] == "3.0000"
    assert data["threshold"] == "5.0000"


def test_it_announces_an_alarm_for_the_platform(demo, heard, portal_sim):
    server, _tenants = demo
    portal_sim.control("raise_alarm", name="CPU", level=3, value=97.5)
    current = vos.client_for(server).call("GetAlarmCurrent", {})["infoAlarmCurrents"]
    alerts.alarms_reported(server, current)
    [(kind, _path, data)] = heard
    assert kind == "alarm.raised" and data["name"] == "CPU" and data["server"] == server.name
    assert server.base_url not in str(data)


def test_it_announces_a_customer_created_and_locked(demo, heard):
    _server, tenants = demo
    scope = Scope(user=UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    made, _payload = customers.create_customer(
        scope, agent=tenants["globaltel"], payload={"account": "wh-new", "name": "WH New"}
    )
    customers.set_lock(scope, tenants["delhi"], True)
    customers.set_lock(scope, tenants["delhi"], False)  # unlocking is not announced
    assert [(kind, path) for kind, path, _data in heard] == [
        ("customer.created", made.path),
        ("customer.locked", tenants["delhi"].path),
    ]
    assert heard[0][2]["account"] == "wh-new" and heard[0][2]["agent_account"] == "globaltel"
    assert heard[1][2]["locked"] is True


def test_it_announces_a_phone_that_registers(demo, heard):
    server, tenants = demo
    now_ms = int(time.time() * 1000)
    push = {"e164": "80002001", "online": True, "eventTime": now_ms, "productId": "Yealink"}
    state.phone_online(server, push)
    state.phone_online(server, {**push, "eventTime": now_ms + 1})  # still online: once
    [(kind, path, data)] = heard
    assert (kind, path) == ("phone.registered", tenants["manila"].path)
    assert data["e164"] == "80002001" and data["account"] == "manila-bpo"


def test_it_announces_a_call_export_that_is_ready(demo, heard):
    _server, tenants = demo
    user = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    today = timezone.now().date()
    job = CdrExport.objects.create(
        requested_by=user,
        scope_user=user,
        filters={"date_from": str(today), "date_to": str(today)},
        time_zone="UTC",
        language="en",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    cdr_export.write(job.pk)
    job.refresh_from_db()
    assert job.status == CdrExport.Status.DONE
    [(kind, path, data)] = heard
    assert (kind, path) == ("export.ready", tenants["manila"].path)
    assert data["export_id"] == job.pk and data["download_path"].endswith(f"/{job.pk}/download/")
    assert Tenant.objects.get(pk=tenants["manila"].pk).path == path


def test_it_announces_failed_and_review_transfers_about_their_customer(
    demo, heard, portal_sim, settings
):
    _server, tenants = demo
    admin = Scope(user=AdminFactory())
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    ambiguous = money.topup(admin, tenants["acme"], "4.44", key="wh-ambiguous-0001")
    assert heard == []  # unknown is not told
    for _ in range(2):  # the same amount paid twice on the switch meanwhile
        vos.client_for(ambiguous.server).call(
            "Pay", {"ownerName": "acme", "ownerType": 2, "money": 4.44}
        )
    money_tasks.reconcile_transfer(ambiguous.pk)

    scope = Scope(user=UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    lost = money.topup(scope, tenants["manila"], "8.00", key="wh-lost-000000001")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 0
    money_tasks.reconcile_transfer(lost.pk)
    assert [(kind, path, data["transfer_id"]) for kind, path, data in heard] == [
        ("transfer.review", tenants["acme"].path, ambiguous.pk),
        ("transfer.failed", tenants["manila"].path, lost.pk),
    ]


def test_it_announces_phones_a_poll_finds_newly_online(demo, heard):
    server, tenants = demo  # the demo has the first phone of each customer online
    state.poll_phones(server)
    state.poll_phones(server)  # still online: not again
    registered = [data["e164"] for kind, _path, data in heard if kind == "phone.registered"]
    assert "80002001" in registered and len(registered) == len(set(registered))
    [path] = {p for kind, p, data in heard if data["e164"] == "80002001"}
    assert path == tenants["manila"].path
