"""Today's calls fetched live from the simulator for one account: one GetCdr per account
per cache period whoever asks, only the calls the local copy lacks, each role's
columns cut on the server, the guard's refusal of a foreign account, errors in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import Role
from accounts.scope import OutOfScope, Scope
from accounts.tests.factories import AdminFactory, UserFactory
from billing.cdrs import live as cdr_live
from billing.cdrs import store as cdr_store
from billing.tests.cdr_world import demo_world, sim_today, vos_cdrs

pytestmark = pytest.mark.dates


@pytest.fixture(autouse=True)
def a_still_day(frozen_clock):
    """Today's calls are the subject: the clock stands still (midnight cannot pass
    between the test's today and the view's), at least two minutes into the UTC day so
    that the calls placed "a minute ago" are today's."""
    now = datetime.now(UTC)
    into_the_day = now - now.replace(hour=0, minute=0, second=0, microsecond=0)
    if into_the_day < timedelta(minutes=2):
        frozen_clock.shift(timedelta(minutes=2) - into_the_day)
    return frozen_clock


@pytest.fixture
def tenants(demo_vos_server, portal_sim):
    world = demo_world(demo_vos_server, portal_sim, days=2)
    # Two calls of today that no pull has brought in yet, one through a gateway.
    portal_sim.control(
        "place_call", caller="80001002", callee="80001011", duration=30, complete=True
    )
    portal_sim.control(
        "place_call", caller="80001001", callee="4420755501", duration=61, complete=True
    )
    return world


def getcdr_calls(portal_sim) -> int:
    return portal_sim.control("stats")["requests"].get("GetCdr", 0)


def fetch(client, tenant, **extra):
    return client.post(reverse("cdr_live", args=[tenant.pk]), **extra)


def test_it_asks_the_switch_once_per_period_whoever_asks(client, tenants, portal_sim):
    manila = tenants["manila-bpo"]
    portal_sim.control(
        "place_call", caller="80002001", callee="80001011", duration=25, complete=True
    )
    before = getcdr_calls(portal_sim)
    client.force_login(UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER))
    first = fetch(client, manila)
    assert first.status_code == 200
    assert "Live from the switch, not yet in the search" in first.text
    rows = first.context["live"].rows
    assert "80002001" in {row["caller_e164"] for row in rows}
    second = fetch(client, manila, HTTP_HX_REQUEST="true")
    assert second.status_code == 200 and "<html" not in second.text
    # Its reseller and an admin asking about the same account within the period get
    # the same answer, not a new GetCdr.
    for user in (
        UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER),
        AdminFactory(),
    ):
        client.force_login(user)
        again = fetch(client, manila)
        assert again.context["live"].fetched_at == first.context["live"].fetched_at
    assert getcdr_calls(portal_sim) == before + 1
    # A page view never asks by itself; once the period is over, a click asks again.
    client.get(reverse("cdr_account_calls", args=[manila.pk]))
    client.get(reverse("cdr_live", args=[manila.pk]))
    assert getcdr_calls(portal_sim) == before + 1
    cache.clear()
    fetch(client, manila)
    assert getcdr_calls(portal_sim) == before + 2


def test_it_shows_only_calls_not_yet_in_the_local_copy(
    client, demo_vos_server, tenants, portal_sim
):
    acme = tenants["acme"]
    today = sim_today(portal_sim)
    todays = vos_cdrs(demo_vos_server, ["acme"], today, today)
    stored = [info for info in todays if info["callerE164"] == "80001002"]
    cdr_store.store(demo_vos_server, stored)
    client.force_login(UserFactory(tenant=acme, role=Role.CUSTOMER_OWNER))
    live = fetch(client, acme).context["live"]
    assert live.already_stored == len(stored) > 0
    assert len(live.rows) == len(todays) - len(stored)
    assert all(row["caller_e164"] != "80001002" for row in live.rows)
    starts = [row["start"] for row in live.rows]
    assert starts == sorted(starts, reverse=True)


def test_it_cuts_live_rows_to_each_roles_columns_on_the_server(client, tenants, portal_sim):
    manila = tenants["manila-bpo"]
    portal_sim.control(
        "place_call", caller="80002001", callee="4420755502", duration=40, complete=True
    )
    client.force_login(UserFactory(tenant=manila, role=Role.CUSTOMER_OWNER))
    response = fetch(client, manila)
    rows = response.context["live"].rows
    assert rows and all(
        not set(row) & {"callee_gateway", "caller_ip", "callee_ip", "agent_fee"} for row in rows
    )
    assert "carrier-" not in response.text and "198.51.100." not in response.text
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    reseller = fetch(client, manila)
    assert all(
        "agent_fee" in row and "callee_gateway" not in row for row in reseller.context["live"].rows
    )
    client.force_login(AdminFactory())
    admin = fetch(client, manila)
    assert "carrier-" in admin.text
    assert any(row["callee_gateway"] for row in admin.context["live"].rows)


def test_it_refuses_a_foreign_account_before_asking_the_switch(client, tenants, portal_sim):
    before = getcdr_calls(portal_sim)
    reseller = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(reseller)
    assert fetch(client, tenants["sakura"]).status_code == 404
    client.force_login(UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER))
    assert fetch(client, tenants["manila-bpo"]).status_code == 404
    # Below the views, the VOS guard refuses it too.
    with pytest.raises(OutOfScope):
        cdr_live.live_calls(Scope(reseller), tenants["sakura"], fetch=True)
    assert getcdr_calls(portal_sim) == before


@pytest.mark.parametrize("mode", ["http500", "garbage", "timeout_before"])
def test_it_says_in_words_when_the_switch_fails(client, demo_vos_server, tenants, portal_sim, mode):
    acme = tenants["acme"]
    client.force_login(UserFactory(tenant=acme, role=Role.CUSTOMER_OWNER))
    portal_sim.control("fault", endpoint="GetCdr", mode=mode, count=10)
    try:
        response = fetch(client, acme)
    finally:
        portal_sim.control("clear_faults")
    assert response.status_code == 200
    live = response.context["live"]
    assert live.error and not live.rows and live.error in response.text
    assert "switch" in live.error
    assert demo_vos_server.base_url not in response.text and "127.0.0.1" not in response.text


def test_it_says_an_unlinked_account_cannot_be_asked(client, db):
    from accounts.tests.factories import TenantFactory

    tenant = TenantFactory(server=None, vos_account="")
    client.force_login(UserFactory(tenant=tenant, role=Role.CUSTOMER_OWNER))
    response = fetch(client, tenant)
    assert response.status_code == 200 and "not linked" in response.text


def test_it_waits_for_whoever_is_asking_instead_of_asking_again(
    client, tenants, portal_sim, monkeypatch
):
    """Someone else holds the account's lock (their GetCdr is on its way): no second
    call; their answer once it lands, or a word to try again."""
    from django.utils import timezone

    from vos3000.client import format_day

    monkeypatch.setattr(cdr_live, "WAIT_FOR_OTHER_SECONDS", 0.5)
    acme = tenants["acme"]
    lock, answer = cdr_live._keys(acme, format_day(timezone.now()))
    cache.add(lock, 1, timeout=60)
    before = getcdr_calls(portal_sim)
    client.force_login(UserFactory(tenant=acme, role=Role.CUSTOMER_OWNER))
    waiting = fetch(client, acme)
    assert "being fetched" in waiting.context["live"].error
    cache.set(answer, {"infos": [], "at": timezone.now().timestamp()}, timeout=60)
    landed = fetch(client, acme).context["live"]
    assert not landed.error and landed.fetched_at is not None and landed.rows == []
    assert getcdr_calls(portal_sim) == before
