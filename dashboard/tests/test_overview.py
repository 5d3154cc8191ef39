""" "How am I doing": today against yesterday, 7 and 30 days, top customers and
destinations, a reseller's own margin, and how long a customer's credit lasts; all from
the local CDR copy, inside the scope, in the viewer's time zone."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from dashboard import selectors
from switch.models import VosServer

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world():
    server = VosServer.objects.create(name="main", base_url="http://127.0.0.1:9/external/server/")
    res = ResellerFactory(name="Res", server=server, vos_account="res")
    sub = ResellerFactory(name="Sub", parent=res, server=server, vos_account="sub")
    other = ResellerFactory(name="Other", server=server, vos_account="other")
    return {
        "server": server,
        "res": res,
        "c1": TenantFactory(name="Cust One", parent=res, server=server, vos_account="c1"),
        "c2": TenantFactory(name="Cust Two", parent=sub, server=server, vos_account="c2"),
        "c3": TenantFactory(name="Cust Three", parent=other, server=server, vos_account="c3"),
    }


def cdr(world, who, agent, at, *, hold=60, fee="1.0000", agent_fee="0.4000", prefix="44"):
    tenant = world[who]
    cdr_store.ensure_partitions([at])
    Cdr.objects.create(
        server=world["server"],
        natural_key=uuid.uuid4(),
        tenant=tenant,
        tenant_path=tenant.path,
        start=at,
        stop=at + timedelta(seconds=hold),
        account=tenant.vos_account,
        account_name=tenant.name,
        agent_account=agent,
        fee_prefix=prefix,
        hold_time=hold,
        fee_time=hold,
        fee=Decimal(fee),
        agent_fee=Decimal(agent_fee),
    )


@pytest.fixture
def calls(world):
    today, yesterday = NOW - timedelta(hours=1), NOW - timedelta(days=1)
    cdr(world, "c1", "res", today, fee="2.0000", agent_fee="0.5000", prefix="4915")
    cdr(world, "c1", "res", today, hold=0, fee="0", agent_fee="0")  # not answered
    cdr(world, "c2", "sub", today, fee="3.0000", agent_fee="1.0000")  # a sub-reseller's
    cdr(world, "c1", "res", yesterday, hold=120, fee="1.5000", agent_fee="0.5000")
    cdr(world, "c1", "res", NOW - timedelta(days=10), fee="4.0000", agent_fee="1.0000")
    cdr(world, "c1", "res", NOW - timedelta(days=40), fee="99.0000")  # older than 30 days
    cdr(world, "c3", "other", today, fee="50.0000")  # another subtree


def overview(user):
    with time_machine.travel(NOW, tick=False):
        return selectors.traffic_overview(Scope(user), zoneinfo.ZoneInfo("UTC"))


def test_it_compares_today_with_yesterday_inside_the_subtree(world, calls):
    result = overview(UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER))
    assert (result.today.calls, result.today.answered) == (3, 2)
    assert result.today.fee == Decimal("5.0000")
    assert result.today.asr == Decimal("66.7")
    assert (result.yesterday.calls, result.yesterday.fee) == (1, Decimal("1.5000"))
    assert result.last_7.fee == Decimal("6.5000")
    assert result.last_30.fee == Decimal("10.5000")  # not the 40-day-old call, not c3
    assert len(result.days) == 30 and result.days[-1].key == "2025-03-20"


def test_it_counts_only_the_resellers_own_margin(world, calls):
    result = overview(UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER))
    # Own customers' calls only: 2.00-0.50 today; +1.50-0.50 yesterday; +4.00-1.00.
    assert result.margin_today == Decimal("1.5000")
    assert result.margin_yesterday == Decimal("1.0000")
    assert result.margin_7 == Decimal("2.5000")
    assert result.margin_30 == Decimal("5.5000")


def test_it_ranks_top_customers_and_destinations(world, calls):
    result = overview(UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER))
    assert [r.key for r in result.top_customers] == ["c1", "c2"]
    assert result.top_customers[0].fee == Decimal("7.5000")
    assert [r.key for r in result.top_destinations] == ["44", "4915"]


def test_it_shows_the_platform_everything_and_no_margin(world, calls):
    result = overview(AdminFactory())
    assert result.today.fee == Decimal("55.0000")
    assert result.margin_30 is None
    assert result.top_customers[0].key == "c3"


def test_it_draws_the_overview_on_the_dashboard(client, world, calls):
    client.force_login(UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER))
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="panel-overview"' in html and "Cust One" in html
    assert "Cust Three" not in html  # another reseller's customer
    assert html.count("<svg") >= 2


def test_it_tells_how_long_a_customers_credit_lasts():
    assert selectors.days_left(Decimal("30"), Decimal("7")) == 30
    assert selectors.days_left(Decimal("10"), Decimal("0")) is None
    assert selectors.days_left(Decimal("-1"), Decimal("7")) == 0
    assert selectors.days_left(None, Decimal("7")) is None


def test_it_names_the_auditors_role_on_its_dashboard(client):
    auditor = UserFactory(tenant=Tenant.platform_root(), role=Role.PLATFORM_AUDITOR)
    client.force_login(auditor)
    html = client.get(reverse("dashboard")).content.decode()
    assert "platform administrator" not in html
    assert "Platform auditor" in html and "change nothing" in html
