"""Issue 18's "done when", end to end over real HTTP, as README's curl walkthrough does it:
a reseller's key lists its customers, creates one, tops it up twice with the same
Idempotency-Key (VOS is paid once), and the reseller's webhook endpoint, a real local
receiver, gets a signed ``transfer.succeeded`` that README's check accepts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from accounts.roles import Role
from accounts.tests.factories import ResellerFactory, TenantFactory, UserFactory
from api.tests.helpers import make_key
from billing.models import FeeRateGroupGrant, MoneyTransfer
from webhooks.tests.test_delivery import make_endpoint, verify_as_readme

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_the_readme_walkthrough_and_delivers_a_signed_webhook(
    live_server, demo_vos_server, portal_sim, receiver, local_delivery, eager_tasks
):
    globaltel = ResellerFactory(name="GlobalTel", server=demo_vos_server, vos_account="globaltel")
    TenantFactory(
        name="Manila BPO", parent=globaltel, server=demo_vos_server, vos_account="manila-bpo"
    )
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Retail-Standard")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    _key, token = make_key(reseller)
    make_endpoint(globaltel, receiver.url, secret="whsec_walkthrough")
    api = f"{live_server.url}/api/v1"
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"

    listed = http.get(f"{api}/customers", params={"limit": 50}, timeout=30)
    assert listed.status_code == 200
    assert [row["account"] for row in listed.json()["items"]] == ["manila-bpo"]

    created = http.post(
        f"{api}/customers",
        json={"account": "crm-1042", "name": "Crm 1042", "fee_rate_group": "Retail-Standard"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    customer = created.json()["id"]

    pays = portal_sim.control("stats")["requests"].get("Pay", 0)
    answers = [
        http.post(
            f"{api}/customers/{customer}/topups",
            json={"amount": "25.00", "memo": "order 1042"},
            headers={"Idempotency-Key": "order-1042"},
            timeout=30,
        )
        for _time in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 200]
    first, again = (answer.json() for answer in answers)
    assert first["id"] == again["id"] and first["state"] == "succeeded"
    assert Decimal(first["amount"]) == Decimal("25")
    # Paid once: the reseller's debit and the customer's credit, one Pay each.
    assert portal_sim.control("stats")["requests"].get("Pay", 0) - pays == 2
    assert MoneyTransfer.objects.count() == 1
    assert http.get(f"{api}/transfers/{first['id']}", timeout=30).json()["state"] == "succeeded"

    succeeded = [
        sent for sent in receiver.received if json.loads(sent.body)["type"] == "transfer.succeeded"
    ]
    [sent] = succeeded
    assert verify_as_readme("whsec_walkthrough", sent.body, sent.headers["VosPortal-Signature"])
    event = json.loads(sent.body)
    assert event["data"]["transfer_id"] == first["id"]
    assert event["data"]["account"] == "crm-1042"
