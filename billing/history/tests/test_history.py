"""Payment and consumption history: date ranges are whole days in the user's time zone,
sent to VOS as UTC yyyyMMddHHmmss; times are shown in the user's zone, types in words."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from billing.tests import pages_world
from billing.tests.pages_world import raw
from vos3000.client.dates import datetime_from_ms

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _requests(portal_sim, endpoint: str) -> list[dict]:
    entries = portal_sim.control("requests", endpoint=endpoint)["requests"]
    return [e["body"] if isinstance(e["body"], dict) else json.loads(e["body"]) for e in entries]


def _utc(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%d%H%M%S")


def _zone_across_midnight(now_utc: datetime) -> ZoneInfo:
    """A zone whose date differs from the UTC date right now, so a range computed in UTC
    instead of the user's zone would find the wrong payments."""
    return ZoneInfo("Pacific/Kiritimati" if now_utc.hour >= 10 else "Pacific/Pago_Pago")


def test_payments_are_found_by_days_in_the_users_time_zone(client, world, portal_sim):
    raw(world.server, "Pay", {"ownerName": "manila-bpo", "ownerType": 2, "money": 12.34})
    paid_at = datetime_from_ms(portal_sim.control("now")["now"])
    zone = _zone_across_midnight(paid_at)
    user = world.login(client, "manila")
    user.time_zone = zone.key
    user.save()
    local_day = paid_at.astimezone(zone).date()
    assert local_day != paid_at.date()
    url = reverse("customer_payments", args=[world.tenants["manila"].pk])

    response = client.get(url, {"first": local_day.isoformat(), "last": local_day.isoformat()})
    sent = _requests(portal_sim, "GetPayHistory")[-1]
    start = datetime.combine(local_day, time.min, tzinfo=zone)
    assert sent == {
        "account": "manila-bpo",
        "beginTime": _utc(start),
        "endTime": _utc(start + timedelta(days=1) - timedelta(seconds=1)),
    }
    [row] = [r for r in response.context["rows"] if str(r["amount"]) == "12.34"]
    assert row["type"] == "Payment" and row["method"] == "Cash"
    shown = paid_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in response.text and "12.34" in response.text
    assert f"Time ({zone.key})" in response.text

    # The UTC date of the payment is another day in this zone: not there.
    utc_day = paid_at.date().isoformat()
    other = client.get(url, {"first": utc_day, "last": utc_day})
    assert not [r for r in other.context["rows"] if str(r["amount"]) == "12.34"]


def test_payments_default_to_the_last_30_days_with_the_opening_payment_named(
    client, world, portal_sim
):
    world.login(client, "manila")
    url = reverse("customer_payments", args=[world.tenants["manila"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert len(_requests(portal_sim, "GetPayHistory")) == 1
    # 90 days of demo history: the account was opened before the default range.
    everything = client.get(url, {"first": "2020-01-01", "last": "2020-12-31"})
    assert everything.context["rows"] == []
    today = datetime.now().date()
    wide = client.get(
        url, {"first": (today - timedelta(days=100)).isoformat(), "last": today.isoformat()}
    )
    assert "Account opened" in [str(r["type"]) for r in wide.context["rows"]]


def test_a_bad_range_is_refused_on_the_form_without_asking_vos(client, world, portal_sim):
    world.login(client, "manila")
    url = reverse("customer_consumption", args=[world.tenants["manila"].pk])
    backwards = client.get(url, {"first": "2026-03-10", "last": "2026-03-01"})
    assert backwards.context["form"].errors["last"]
    too_long = client.get(url, {"first": "2024-01-01", "last": "2026-01-01"})
    assert too_long.context["form"].errors["first"]
    nonsense = client.get(url, {"first": "yesterday", "last": ""})
    assert nonsense.status_code == 200 and nonsense.context["form"].errors
    assert _requests(portal_sim, "GetConsumption") == []


def test_consumption_shows_suite_rent_in_words(client, world, portal_sim):
    raw(
        world.server,
        "CreateSuiteOrder",
        {"ownerType": 2, "ownerName": "manila-bpo", "suiteId": 2, "availableTime": 0},
    )
    world.login(client, "globaltel")
    url = reverse("customer_consumption", args=[world.tenants["manila"].pk])
    response = client.get(url)
    [row] = response.context["rows"]
    assert str(row["type"]) == "Suite rent" and row["source"] == "Family Weekly"
    assert str(row["amount"]) == "2.5"
    assert "Suite rent" in response.text and "2.50" in response.text
    htmx = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="history-rows")
    assert "<html" not in htmx.text and "Family Weekly" in htmx.text


def test_history_of_another_customer_is_out_of_reach(client, world):
    world.login(client, "globaltel")
    for name in ("customer_payments", "customer_consumption"):
        assert client.get(reverse(name, args=[world.tenants["sakura"].pk])).status_code == 404
        assert client.get(reverse(name, args=[world.tenants["globaltel"].pk])).status_code == 404


def test_a_vos_failure_is_shown_in_words(client, world, portal_sim):
    world.login(client, "manila")
    portal_sim.control("fault", endpoint="GetPayHistory", mode="garbage", count=5)
    response = client.get(reverse("customer_payments", args=[world.tenants["manila"].pk]))
    assert response.status_code == 200 and response.context["history_error"]
    assert world.server.base_url not in response.text
