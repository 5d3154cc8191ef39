"""Call statistics from the local CDR copy: the numbers equal sums by hand, days follow
the viewer's time zone, gateways are the platform's only, margins a reseller's own."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, ResellerFactory, TenantFactory, UserFactory
from billing.cdrs import store as cdr_store
from billing.models import Cdr
from billing.reports import stats as cdr_stats
from switch.models import VosServer

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")  # UTC+8, no summer time


@pytest.fixture
def world():
    server = VosServer.objects.create(name="main", base_url="http://127.0.0.1:9/external/server/")
    res = ResellerFactory(name="Res", server=server, vos_account="res")
    sub = ResellerFactory(name="Sub", parent=res, server=server, vos_account="sub")
    other = ResellerFactory(name="Other", server=server, vos_account="other")
    c1 = TenantFactory(name="Cust One", parent=res, server=server, vos_account="c1")
    c2 = TenantFactory(name="Cust Two", parent=sub, server=server, vos_account="c2")
    c3 = TenantFactory(name="Cust Three", parent=other, server=server, vos_account="c3")
    return {"server": server, "res": res, "sub": sub, "c1": c1, "c2": c2, "c3": c3}


def cdr(world, tenant, agent, at, *, hold=0, fee="0", agent_fee="0", prefix="44", gateway="gw-a"):
    cdr_store.ensure_partitions([at])  # the month's partition, on PostgreSQL
    return Cdr.objects.create(
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
        callee_gateway=gateway,
        hold_time=hold,
        fee_time=hold,
        fee=Decimal(fee),
        agent_fee=Decimal(agent_fee),
    )


@pytest.fixture
def calls(world):
    t = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    return [
        # 2025-03-01 in Shanghai: c1 answered twice, once not; c2 once.
        cdr(world, world["c1"], "res", t, hold=60, fee="0.6000", agent_fee="0.2000"),
        cdr(world, world["c1"], "res", t + timedelta(hours=1), hold=120, fee="1.2000",
            agent_fee="0.5000", prefix="4915", gateway="gw-b"),
        cdr(world, world["c1"], "res", t + timedelta(hours=2)),
        cdr(world, world["c2"], "sub", t, hold=30, fee="0.3000", agent_fee="0.1000"),
        # 20:00 UTC is 04:00 the next day in Shanghai.
        cdr(world, world["c1"], "res", datetime(2025, 3, 1, 20, 0, tzinfo=UTC), hold=6,
            fee="0.0600", agent_fee="0.0100"),
        # Another subtree, and a call outside the range.
        cdr(world, world["c3"], "other", t, hold=600, fee="9.0000", agent_fee="1.0000"),
        cdr(world, world["c1"], "res", datetime(2025, 3, 10, 10, 0, tzinfo=UTC), hold=60,
            fee="5.0000"),
    ]  # fmt: skip


def stats(user, group, first=date(2025, 3, 1), last=date(2025, 3, 2), zone=SHANGHAI):
    return cdr_stats.statistics(Scope(user), first=first, last=last, zone=zone, group=group)


def test_it_counts_days_in_the_viewers_time_zone(world, calls):
    reseller = UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER)
    result = stats(reseller, cdr_stats.BY_DAY)
    first, second = result.rows
    assert (first.label, first.calls, first.answered, first.seconds) == ("2025-03-01", 4, 3, 210)
    assert first.fee == Decimal("2.1000") and first.asr == Decimal("75.0")
    assert first.acd == Decimal("70.0") and first.minutes == Decimal("3.5")
    assert (second.label, second.calls, second.seconds, second.fee) == (
        "2025-03-02",
        1,
        6,
        Decimal("0.0600"),
    )
    assert result.total.calls == 5 and result.total.fee == Decimal("2.1600")
    # In UTC the late call belongs to the first day.
    [utc_day] = stats(
        reseller, cdr_stats.BY_DAY, last=date(2025, 3, 1), zone=zoneinfo.ZoneInfo("UTC")
    ).rows
    assert utc_day.calls == 5


def test_it_groups_by_customer_and_prefix_inside_the_scope(world, calls):
    reseller = UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER)
    by_customer = {r.key: r for r in stats(reseller, cdr_stats.BY_CUSTOMER).rows}
    assert set(by_customer) == {"c1", "c2"}
    assert by_customer["c1"].calls == 4 and by_customer["c1"].seconds == 186
    assert by_customer["c1"].label == "Cust One"
    by_prefix = {r.key: r for r in stats(reseller, cdr_stats.BY_PREFIX).rows}
    assert by_prefix["44"].calls == 4 and by_prefix["4915"].calls == 1
    assert by_prefix["4915"].fee == Decimal("1.2000")
    customer = UserFactory(tenant=world["c2"], role=Role.CUSTOMER_OWNER)
    [only] = stats(customer, cdr_stats.BY_CUSTOMER).rows
    assert only.key == "c2" and only.calls == 1
    admin_total = stats(AdminFactory(), cdr_stats.BY_DAY).total
    assert admin_total.calls == 6


def test_it_groups_by_gateway_for_admins_only(world, calls, client):
    gateways = {r.key: r.calls for r in stats(AdminFactory(), cdr_stats.BY_GATEWAY).rows}
    assert gateways == {"gw-a": 5, "gw-b": 1}
    reseller = UserFactory(tenant=world["res"], role=Role.RESELLER_MANAGER)
    with pytest.raises(OutOfScope):
        stats(reseller, cdr_stats.BY_GATEWAY)
    assert cdr_stats.BY_GATEWAY not in dict(cdr_stats.groupings_for(Scope(reseller)))
    client.force_login(reseller)
    url = reverse("report_calls")
    query = {"first": "2025-03-01", "last": "2025-03-02", "group": "gateway"}
    assert client.get(url, query).status_code == 404
    page = client.get(url, {**query, "group": "customer"})
    assert page.status_code == 200 and "gw-a" not in page.text


def test_it_shows_a_reseller_its_margin_on_direct_customers(world, calls, client):
    reseller = UserFactory(
        tenant=world["res"], role=Role.RESELLER_MANAGER, time_zone="Asia/Shanghai"
    )
    [c1] = stats(reseller, cdr_stats.MARGIN_BY_CUSTOMER).rows  # c2's agent is the sub-reseller
    assert c1.key == "c1" and c1.fee == Decimal("1.8600") and c1.agent_fee == Decimal("0.7100")
    assert c1.margin == Decimal("1.1500")
    days = stats(reseller, cdr_stats.MARGIN_BY_DAY).rows
    assert [(d.label, d.margin) for d in days] == [
        ("2025-03-01", Decimal("1.1000")),
        ("2025-03-02", Decimal("0.0500")),
    ]
    client.force_login(reseller)
    page = client.get(
        reverse("report_calls"),
        {"first": "2025-03-01", "last": "2025-03-02", "group": "margin_day"},
    )
    assert page.status_code == 200 and "data-margin-note" in page.text
    assert 'class="chart chart-line"' in page.text and "Asia/Shanghai" in page.text
    # Not for customers nor for the platform.
    customer = UserFactory(tenant=world["c1"], role=Role.CUSTOMER_OWNER)
    for user in (customer, AdminFactory()):
        with pytest.raises(OutOfScope):
            stats(user, cdr_stats.MARGIN_BY_CUSTOMER)
        client.force_login(user)
        assert client.get(reverse("report_calls"), {"group": "margin_customer"}).status_code == 404


def test_it_renders_the_statistics_page_with_charts_and_tables(world, calls, client):
    customer = UserFactory(tenant=world["c1"], role=Role.CUSTOMER_OWNER, time_zone="Asia/Shanghai")
    client.force_login(customer)
    url = reverse("report_calls")
    page = client.get(url, {"first": "2025-03-01", "last": "2025-03-02", "group": "day"})
    assert page.status_code == 200
    assert page.text.count("<svg") == 2 and 'id="stat-rows"' in page.text
    assert [r.calls for r in page.context["found"]] == [3, 1]
    fragment = client.get(
        url,
        {"first": "2025-03-01", "last": "2025-03-02", "group": "prefix"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "4915" in fragment.text
    bad = client.get(url, {"first": "2025-03-05", "last": "2025-03-01", "group": "day"})
    assert bad.status_code == 400 and "The end comes before the start." in bad.text
    assert client.get(url).status_code == 200  # the last seven days by default


@pytest.mark.parametrize(
    ("moment", "zone", "last"),
    [
        ("2026-03-10T23:59:00Z", "UTC", date(2026, 3, 10)),
        ("2026-03-10T23:59:00Z", "Asia/Shanghai", date(2026, 3, 11)),
        ("2026-03-11T00:01:00Z", "UTC", date(2026, 3, 11)),
        ("2026-03-10T16:01:00Z", "Asia/Shanghai", date(2026, 3, 11)),
    ],
)
def test_it_opens_on_the_last_seven_days_of_the_viewers_own_today(
    world, client, moment, zone, last
):
    with time_machine.travel(moment, tick=False):
        client.force_login(
            UserFactory(tenant=world["c1"], role=Role.CUSTOMER_OWNER, time_zone=zone)
        )
        page = client.get(reverse("report_calls"))
    assert page.status_code == 200
    defaults = page.context["form"].defaults
    assert (defaults["first"], defaults["last"]) == (last - timedelta(days=6), last)
