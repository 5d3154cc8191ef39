"""Dashboards against the demo platform in the simulator: a reseller's subtree, a
customer's own home, the platform's totals; a VOS failure is a message, never a 500."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from billing.models import BalanceReading, MoneyTransfer
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.dates

GLOBALTEL_CUSTOMERS = ("manila-bpo", "delhi-soft", "lagos-trade", "cafe-roma", "dr-mueller")


GLOBALTEL_BELOW = (*GLOBALTEL_CUSTOMERS, "havana-link", "citylink")


@pytest.fixture
def tenants(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    return {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}


def _vos_infos(server, accounts):
    answer = client_for(server).call("GetCustomer", {"accounts": list(accounts)})
    return {info["account"]: info for info in answer["infoCustomers"]}


def _transfer(tenant, user, amount="20.00"):
    return MoneyTransfer.objects.create(
        idempotency_key=uuid.uuid4().hex,
        kind=MoneyTransfer.Kind.TOPUP,
        state=MoneyTransfer.State.SUCCEEDED,
        server=tenant.server,
        customer=tenant,
        amount=Decimal(amount),
        requested_by=user,
        tenant_path=tenant.path,
    )


def test_it_sums_a_resellers_subtree(client, demo_vos_server, tenants, portal_sim):
    user = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(user)
    portal_sim.control("place_call", caller="80002001", callee="80001001", duration=600)
    _transfer(tenants["cafe-roma"], user, "12.50")
    _transfer(tenants["sakura"], user, "99.00")  # skyvoice's: not shown

    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    summary = response.context["summary"]
    infos = _vos_infos(demo_vos_server, GLOBALTEL_BELOW)
    assert summary["customers"] == 6 and summary["resellers"] == 1
    expected = sum(Decimal(str(infos[a]["money"])) for a in GLOBALTEL_BELOW)
    assert summary["balances"] == expected
    today = sum(Decimal(str(infos[a]["todayConsumption"])) for a in GLOBALTEL_BELOW)
    assert summary["today"] == today
    assert summary["own"]["account"] == "globaltel"
    # The first phone of every customer is online in the demo; 10 phones in all.
    assert summary["phones"] == 10 and summary["phones_online"] == 6
    assert summary["live_calls"] == 1
    assert not summary["errors"] and not summary["phone_errors"]
    topups = list(response.context["topups"])
    assert [t.customer.vos_account for t in topups] == ["cafe-roma"]
    assert "12.50" in response.text and "99.00" not in response.text
    # Balances read are recorded with their time.
    assert BalanceReading.objects.filter(source="dashboard").count() == 8


def test_it_counts_low_balances_and_links_to_the_filtered_list(client, demo_vos_server, tenants):
    from billing.models import MoneySettings

    settings = MoneySettings.current()
    settings.low_balance_threshold = Decimal("1000.00")
    settings.save()
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    response = client.get(reverse("dashboard"))
    # Every customer of globaltel is below 1000 (sub-resellers are not counted).
    assert response.context["summary"]["low"] == 6
    assert f"{reverse('customer_list')}?low=on" in response.text
    listed = client.get(reverse("customer_list"), {"low": "on", "per_page": 100})
    assert len(listed.context["rows"]) == 6


def test_it_caches_the_subtree_summary_for_a_minute(client, tenants, portal_sim):
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    client.get(reverse("dashboard"))
    before = portal_sim.control("stats")["total"]
    assert client.get(reverse("dashboard")).status_code == 200
    assert portal_sim.control("stats")["total"] == before


def test_it_shows_vos_failures_on_a_resellers_dashboard_in_words(
    client, demo_vos_server, tenants, portal_sim
):
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    portal_sim.control("fault", endpoint="*", mode="http500", count=100)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "could not be read" in response.text
    assert demo_vos_server.base_url not in response.text
    portal_sim.control("clear_faults")


def _pull_last_week(server, accounts):
    """What the CDR pulls would have stored: VOS's GetCdr answers, in the local copy."""
    from datetime import timedelta

    from django.utils import timezone

    from billing.cdrs import store as cdr_store
    from vos3000.client import format_day

    now = timezone.now()
    answer = client_for(server).call(
        "GetCdr",
        {
            "accounts": list(accounts),
            "beginTime": format_day(now - timedelta(days=7)),
            "endTime": format_day(now),
        },
    )
    return cdr_store.store(server, answer.get("infoCdrs") or [])


def test_it_shows_a_customer_its_own_home(client, demo_vos_server, tenants, portal_sim):
    acme = tenants["acme"]
    client.force_login(UserFactory(tenant=acme, role=Role.CUSTOMER_VIEWER))
    portal_sim.control(
        "place_call", caller="80001002", callee="80001011", duration=42, complete=True
    )
    _pull_last_week(demo_vos_server, ["acme", "manila-bpo"])
    cdr_calls = portal_sim.control("stats")["requests"].get("GetCdr", 0)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    home = response.context["home"]
    info = _vos_infos(demo_vos_server, ["acme"])["acme"]
    assert home["account"]["money"] == Decimal(str(info["money"]))
    assert home["account"]["limitMoney"] == Decimal("50.0")
    assert home["account"]["validTimeAt"] is not None
    phones = {p["e164"]: p["online"] for p in home["phones"]}
    assert phones == {"80001001": True, "80001002": False, "80001003": False}
    # The last calls come from the local copy: its own only, newest first, no GetCdr.
    assert portal_sim.control("stats")["requests"].get("GetCdr", 0) == cdr_calls
    assert 0 < len(home["calls"]) <= 10
    assert {call.account for call in home["calls"]} == {"acme"}
    assert home["calls"][0].caller_e164 == "80001002"  # newest first
    starts = [c.start for c in home["calls"]]
    assert starts == sorted(starts, reverse=True)
    assert reverse("cdr_search") in response.text
    assert 0 < len(home["payments"]) <= 5
    assert home["suites"] == [] or all("name" in s for s in home["suites"])
    for key in ("account_error", "phones_error", "payments_error"):
        assert key not in home
    assert "Read from VOS" in response.text and "registered" in response.text
    # How long the credit lasts, at the pace of the last 7 days' calls (local CDRs).
    spent = sum((c.fee for c in home["calls"]), Decimal("0"))
    assert home["spent_7_days"] >= spent > 0
    available = home["account"]["available"]
    assert home["days_left"] == int((available * 7 / home["spent_7_days"]).quantize(Decimal("1")))
    assert 'id="days-left"' in response.text


def test_it_shows_each_failed_panel_of_a_customer_home_on_its_own(
    client, demo_vos_server, tenants, portal_sim
):
    client.force_login(UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER))
    _pull_last_week(demo_vos_server, ["acme"])
    portal_sim.control("fault", endpoint="GetPayHistory", mode="garbage", count=10)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    home = response.context["home"]
    assert "payments_error" in home and "account" in home and "phones" in home
    assert home["calls"]  # local: unaffected by the switch's trouble
    assert "could not be read" in response.text
    portal_sim.control("clear_faults")


def test_it_says_an_unlinked_customer_has_no_vos_server(client, db):
    from accounts.tests.factories import TenantFactory

    tenant = TenantFactory(server=None, vos_account="")
    client.force_login(UserFactory(tenant=tenant, role=Role.CUSTOMER_OWNER))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and "not linked to a VOS server" in response.text


def test_it_gives_admins_platform_totals(client, demo_vos_server, tenants, portal_sim):
    client.force_login(AdminFactory())
    portal_sim.control("place_call", caller="80004001", callee="80001001", duration=600)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    platform = response.context["platform"]
    assert platform["resellers"] == 3 and platform["customers"] == 12
    (server,) = platform["servers"]
    assert server["online"] == 12 and server["calls"] == 1 and not server["error"]
