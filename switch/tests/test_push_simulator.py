"""The simulator's own pushes, over HTTP, into the live server's receiver: each kind it
sends passes the catalog check and updates the portal's state (tasks run eagerly in the
receiving thread here; the worker path is in test_push_worker)."""

from __future__ import annotations

import time

import pytest

from billing.models import BalanceReading
from switch.models import PushInbox
from telephony.models import CurrentAlarm, LiveCall, PhoneRegistration

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wired(demo, live_server, eager_tasks, sim_pushes_to):
    server, tenants = demo
    server.push_token = "sim-push-token"
    server.save()
    sim_pushes_to(f"{live_server.url}/vos/push/sim-push-token/main")
    return server, tenants


def wait_for(check, seconds=20):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the push did not arrive"
        time.sleep(0.1)


def test_it_takes_every_kind_the_simulator_pushes(wired, portal_sim):
    server, tenants = wired
    portal_sim.control("register_phone", e164="80002003", device="Sim phone")
    call = portal_sim.control("place_call", caller="80002001", callee="6581234567", duration=30)
    portal_sim.control("raise_alarm", name="CPU", level=2, value=97.5, memo="hot")
    wait_for(lambda: PhoneRegistration.objects.filter(e164="80002003", online=True).exists())
    wait_for(lambda: LiveCall.objects.filter(call_id=call["callId"]).exists())
    wait_for(lambda: CurrentAlarm.objects.filter(server=server).exists())
    # The call's end: a Release push, and the balance change it costs.
    portal_sim.control("advance", seconds=120)
    wait_for(lambda: LiveCall.objects.get(call_id=call["callId"]).released)
    wait_for(lambda: BalanceReading.objects.filter(vos_account="manila-bpo").exists())
    assert LiveCall.objects.get(call_id=call["callId"]).caller_path == tenants["manila"].path
    statuses = {p["status"] for p in portal_sim.control("pushes")["pushes"]}
    assert not statuses & {"failed", "retrying", "dropped"}  # demo pushes predate the URL
    assert not PushInbox.objects.exclude(error="").exists()
