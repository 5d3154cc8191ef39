"""Pushes processed by a real Celery worker process: the receiver writes the inbox,
enqueues on commit, and the worker applies each message."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from billing.models import BalanceReading
from switch.models import PushInbox
from telephony.models import PhoneRegistration

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_processes_pushes_in_the_worker(demo, client, celery_worker_process):
    server, _tenants = demo
    server.push_token = "worker-push-token"
    server.save()
    base = ["worker-push-token", server.name]
    money = client.post(
        reverse("vos_push", args=[*base, "CustomerMoneyChange"]),
        json.dumps({"account": "manila-bpo", "money": 77.5}),
        content_type="application/json",
    )
    online = client.post(
        reverse("vos_push", args=[*base, "PhoneOnline"]),
        json.dumps(
            {
                "e164": "80002002",
                "dids": [],
                "online": True,
                "eventTime": 1_000,
                "localIp": "10.0.0.2",
                "localPort": 5060,
                "remoteIp": "203.0.113.4",
                "productId": "Worker phone",
            }
        ),
        content_type="application/json",
    )
    assert money.json() == online.json() == {"retCode": 0}
    deadline = time.monotonic() + 60
    while PushInbox.objects.filter(processed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker did not process the pushes"
        time.sleep(0.2)
    assert BalanceReading.objects.get(vos_account="manila-bpo").money == 77.5
    registration = PhoneRegistration.objects.get(e164="80002002")
    assert registration.online and registration.account == "manila-bpo"
