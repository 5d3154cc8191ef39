"""Money against a VOS that answers sparsely (``sparse_vos_server``: empty optional fields
left out, every number and the retCode as JSON strings). Top-ups still settle exactly
once, reconciliation still reads the pay history right, and a balance VOS did not say is
unknown: never 0, never an alert, never a check passed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.models import BalanceReading, LedgerEntry, MoneyTransfer
from billing.money import services as money
from billing.money import tasks
from switch.vos import client_for

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, server):
        self.server = server
        self.globaltel = ResellerFactory(name="GlobalTel", server=server, vos_account="globaltel")
        self.manila = TenantFactory(
            name="Manila BPO", parent=self.globaltel, server=server, vos_account="manila-bpo"
        )
        self.acme = TenantFactory(name="Acme", server=server, vos_account="acme")
        self.reseller = UserFactory(tenant=self.globaltel, role=Role.RESELLER_MANAGER)
        self.admin = AdminFactory()

    def scope(self, who: str) -> Scope:
        return Scope(user=getattr(self, who))

    def balance(self, account: str) -> Decimal:
        """What VOS holds, through the portal's own client (which loosens the answer)."""
        answer = client_for(self.server).call("GetCustomer", {"accounts": [account]})
        return Decimal(str(answer["infoCustomers"][0]["money"]))

    def pay_rows(self, account: str) -> list[dict]:
        now = timezone.now()
        answer = client_for(self.server).call(
            "GetPayHistory",
            {
                "account": account,
                "beginTime": (now - timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
                "endTime": (now + timedelta(days=2)).strftime("%Y%m%d%H%M%S"),
            },
        )
        return answer.get("infoPayHistorys", [])


@pytest.fixture
def world(sparse_vos_server):
    return World(sparse_vos_server)


def pay_requests(sim) -> int:
    return sim.control("stats")["requests"].get("Pay", 0)


def test_it_sees_the_sparse_simulator(world, portal_sim):
    import requests

    raw = requests.post(portal_sim.base_url + "GetCustomer", json={"accounts": ["acme"]}, timeout=5)
    assert raw.json()["retCode"] == "0"
    assert isinstance(raw.json()["infoCustomers"][0]["money"], str)


def test_it_moves_money_from_the_reseller_to_the_customer_once(world, portal_sim):
    before = world.balance("globaltel"), world.balance("manila-bpo")
    transfer = money.topup(world.scope("reseller"), world.manila, "20.00", key="s" * 32)
    assert transfer.state == MoneyTransfer.State.SUCCEEDED
    assert pay_requests(portal_sim) == 2
    assert world.balance("globaltel") == before[0] - 20
    assert world.balance("manila-bpo") == before[1] + 20
    credit = transfer.entries.get(leg="credit")
    assert credit.balance_after == before[1] + 20
    reading = BalanceReading.objects.get(vos_account="manila-bpo")
    assert reading.money == before[1] + 20


def test_it_lets_an_admin_top_up_and_pays_once_for_a_double_submit(world, portal_sim, client):
    client.force_login(world.admin)
    before = world.balance("acme")
    url = reverse("money_topup", args=[world.acme.pk])
    form = {"amount": "15.00", "memo": "", "key": "sparse-double-click-01"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert MoneyTransfer.objects.get().state == MoneyTransfer.State.SUCCEEDED
    assert pay_requests(portal_sim) == 1
    assert world.balance("acme") == before + 15
    assert [r["fee"] for r in world.pay_rows("acme")].count(15.0) == 1


def test_it_settles_a_lost_answer_from_a_sparse_pay_history_exactly_once(world, portal_sim):
    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2)
    before = len(world.pay_rows("acme"))
    transfer = money.topup(world.scope("admin"), world.acme, "12.34", key="sparse-lost-0001")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    entry = transfer.entries.get()
    assert entry.settled_by == "reconciliation" and entry.vos_pay_time
    rows = world.pay_rows("acme")
    assert len(rows) == before + 1 and rows[-1]["fee"] == 12.34
    assert entry.balance_after == Decimal(str(rows[-1]["customerMoney"]))
    # Reconciling again changes nothing and pays nothing.
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.SUCCEEDED
    assert pay_requests(portal_sim) == 1


def test_it_never_claims_an_earlier_payment_of_the_same_amount(world, portal_sim, settings):
    scope = world.scope("admin")
    money.topup(scope, world.acme, "9.99", key="sparse-same-amount-1")
    portal_sim.control("fault", endpoint="Pay", mode="timeout_before", seconds=0.2)
    lost = money.topup(scope, world.acme, "9.99", key="sparse-same-amount-2")
    settings.MONEY_RECONCILE_GRACE_SECONDS = 0
    assert tasks.reconcile_transfer(lost.pk) == MoneyTransfer.State.FAILED


def test_it_shows_the_balance_page_and_the_ledger(world, client):
    client.force_login(world.reseller)
    page = client.get(reverse("money_account", args=[world.manila.pk]))
    assert page.status_code == 200
    assert f"{world.balance('manila-bpo'):.2f}" in page.text


# --- A balance VOS did not say -----------------------------------------------------------------
@pytest.fixture
def money_left_out(monkeypatch):
    """GetCustomer answers without ``money`` (and ``limitMoney``) for every account, as a
    server leaving null fields out would."""
    from switch import vos

    real_call = vos.call

    def call(scope, server, name, payload, **kwargs):
        answer = real_call(scope, server, name, payload, **kwargs)
        if name == "GetCustomer":
            for info in answer.get("infoCustomers") or []:
                info.pop("money", None)
                info.pop("limitMoney", None)
                info.pop("todayConsumption", None)
        return answer

    monkeypatch.setattr(vos, "call", call)


def test_it_refuses_a_funded_top_up_when_the_reseller_balance_is_unknown(
    world, portal_sim, money_left_out
):
    with pytest.raises(money.MoneyRefused, match="did not say your balance"):
        money.topup(world.scope("reseller"), world.manila, "5", key="sparse-unknown-001")
    assert MoneyTransfer.objects.count() == 0 and pay_requests(portal_sim) == 0


def test_it_reads_an_unknown_balance_as_unknown_not_zero(world, money_left_out, client):
    from alerts.models import AlertState

    balances = money.read_balances(world.scope("admin"), [world.manila])
    balance = balances["manila-bpo"]
    assert balance.money is None and balance.available is None and not balance.known
    # Nothing remembered as a reading, nothing told to the low-balance alerts.
    assert not BalanceReading.objects.filter(vos_account="manila-bpo").exists()
    assert not AlertState.objects.exists()
    client.force_login(world.reseller)
    page = client.get(reverse("money_account", args=[world.manila.pk]))
    assert page.status_code == 200
    assert "Unknown: the switch did not say" in page.text
    assert "0.00" not in page.text.split("data-balance>")[1][:40]


def test_it_never_records_a_pushed_change_without_money_as_zero(world):
    money.balance_pushed(world.server, {"account": "manila-bpo"})
    assert not BalanceReading.objects.filter(vos_account="manila-bpo").exists()


def test_it_sends_an_undated_matching_payment_to_review_instead_of_failing(
    world, portal_sim, settings, monkeypatch
):
    from switch import vos

    portal_sim.control("fault", endpoint="Pay", mode="timeout_after", seconds=0.2)
    transfer = money.topup(world.scope("admin"), world.acme, "6.66", key="sparse-undated-01")
    assert transfer.state == MoneyTransfer.State.UNKNOWN
    real_call = vos.call

    def call(scope, server, name, payload, **kwargs):
        answer = real_call(scope, server, name, payload, **kwargs)
        if name == "GetPayHistory":
            for row in answer.get("infoPayHistorys") or []:
                row.pop("payTime", None)
        return answer

    monkeypatch.setattr(vos, "call", call)
    settings.MONEY_RECONCILE_GRACE_SECONDS = 0
    assert tasks.reconcile_transfer(transfer.pk) == MoneyTransfer.State.REVIEW
    assert transfer.entries.get().state == LedgerEntry.State.UNKNOWN
