"""Customer pages against a VOS that answers sparsely (``sparse_vos_server``): the tenant
sync, the list, the detail page, create and edit, and delete's checks. A field VOS left
out is shown as unknown ("—" with a title), never as 0 or a blank figure."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from billing.models import BalanceReading, FeeRateGroupGrant
from customers.services import deletion_blockers, sync_tenants_from_vos
from switch.vos import client_for
from vos3000.client import VosClient

UNKNOWN = "Unknown: the switch did not say"


@pytest.fixture
def demo(sparse_vos_server):
    sync_tenants_from_vos(sparse_vos_server)
    tenants = {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}
    return SimpleNamespace(server=sparse_vos_server, tenants=tenants)


@pytest.fixture
def globaltel(client, demo):
    user = UserFactory(tenant=demo.tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(user)
    return user


def vos_info(server, account: str) -> dict:
    return client_for(server).call("GetCustomer", {"accounts": [account]})["infoCustomers"][0]


@pytest.fixture
def money_left_out(monkeypatch):
    """GetCustomer answers leave the amounts out, as a server leaving null fields out
    (at the client, so calls made now and reads started early are both affected)."""
    real_call = VosClient.call

    def call(self, name, payload, **kwargs):
        answer = real_call(self, name, payload, **kwargs)
        if name == "GetCustomer":
            for info in answer.get("infoCustomers") or []:
                for key in ("money", "limitMoney", "todayConsumption", "phoneBookLimit"):
                    info.pop(key, None)
        return answer

    monkeypatch.setattr(VosClient, "call", call)


def test_it_syncs_the_tenant_tree_from_sparse_answers(demo):
    tenants = demo.tenants
    assert {"globaltel", "citylink", "manila-bpo", "cafe-roma", "acme"} <= set(tenants)
    assert tenants["citylink"].parent == tenants["globaltel"]
    assert tenants["cafe-roma"].parent == tenants["citylink"]
    assert tenants["globaltel"].kind == Tenant.Kind.RESELLER


def test_it_lists_the_customers_with_their_balances(client, demo, globaltel):
    response = client.get(reverse("customer_list"), {"sort": "-balance"})
    assert response.status_code == 200
    manila = vos_info(demo.server, "manila-bpo")
    assert f"{Decimal(str(manila['money'])):.2f}" in response.text
    reading = BalanceReading.objects.get(vos_account="manila-bpo")
    assert reading.money == Decimal(str(manila["money"])).quantize(Decimal("0.0001"))


def test_it_shows_the_account_detail(client, demo, globaltel):
    manila = demo.tenants["manila-bpo"]
    response = client.get(reverse("customer_detail", args=[manila.pk]))
    assert response.status_code == 200
    info = response.context["info"]
    assert info["account"] == "manila-bpo" and info["limitMoney"] == Decimal("100.0")
    assert isinstance(info["type"], int)
    assert "Read from VOS" in response.text


def test_it_shows_left_out_amounts_as_unknown(client, demo, globaltel, money_left_out):
    manila = demo.tenants["manila-bpo"]
    detail = client.get(reverse("customer_detail", args=[manila.pk]))
    assert detail.status_code == 200
    assert detail.text.count(UNKNOWN) >= 4  # balance, overdraft, available, today
    listing = client.get(reverse("customer_list"), {"sort": "-balance"})
    assert listing.status_code == 200
    assert UNKNOWN in listing.text
    assert not BalanceReading.objects.filter(vos_account="manila-bpo").exists()


def test_it_creates_and_edits_a_customer(client, demo, globaltel):
    FeeRateGroupGrant.objects.create(tenant=demo.tenants["globaltel"], group="Retail-Standard")
    response = client.post(
        reverse("customer_create"),
        {
            "account": "sparseco",
            "name": "Sparse Company",
            "type": "0",
            "feeRateGroup": "Retail-Standard",
            "limitMoney": "10",
            "lockType": "0",
            "phoneBookLimit": "5",
            "memo": "",
        },
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(vos_account="sparseco")
    url = reverse("customer_edit", args=[tenant.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["memo"] = "edited"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    info = vos_info(demo.server, "sparseco")
    assert info["memo"] == "edited" and info["limitMoney"] == 10


def test_it_will_not_call_an_unknown_balance_zero_before_a_delete(demo, globaltel, money_left_out):
    from accounts.scope import Scope

    scope = Scope(user=globaltel)
    reasons = deletion_blockers(scope, demo.tenants["manila-bpo"])
    assert any("did not say the balance" in reason for reason in reasons)
