"""Suites: the list, ordering for a customer's account or one of its own phones (days in
the user's time zone), seeing and ending orders and current suites, and refusals for
anything that belongs to another customer."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from billing.tests import pages_world
from billing.tests.pages_world import raw
from vos3000.client.dates import ms_from_datetime

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


FAMILY_WEEKLY, BUSINESS_500 = 2, 1


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _requests(portal_sim, endpoint: str) -> list[dict]:
    entries = portal_sim.control("requests", endpoint=endpoint)["requests"]
    return [e["body"] if isinstance(e["body"], dict) else json.loads(e["body"]) for e in entries]


def _suites_url(world, name: str = "manila") -> str:
    return reverse("customer_suites", args=[world.tenants[name].pk])


def _end_url(world, name: str = "manila") -> str:
    return reverse("customer_suite_end", args=[world.tenants[name].pk])


def _orders(world, owner_type: int, name: str) -> list[dict]:
    answer = raw(world.server, "GetSuiteOrder", {"ownerType": owner_type, "ownerName": name})
    return answer["infoSuiteOrders"]


def test_it_lists_the_suites_for_resellers_and_sends_customers_to_theirs(client, world):
    world.login(client, "globaltel")
    body = client.get(reverse("suite_list")).text
    assert "Business 500" in body and "Family Weekly" in body
    assert world.server.base_url not in body
    world.login(client, "manila")
    response = client.get(reverse("suite_list"))
    assert response.status_code == 302 and response["Location"] == _suites_url(world)


def test_a_reseller_orders_a_suite_for_a_customer_from_a_day_in_its_time_zone(
    client, world, portal_sim
):
    user = world.login(client, "globaltel")
    user.time_zone = "Asia/Manila"
    user.save()
    start = date.today() + timedelta(days=3)
    response = client.post(
        _suites_url(world),
        {"suite": FAMILY_WEEKLY, "phone": "", "available": start.isoformat(), "expires": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    [sent] = _requests(portal_sim, "CreateSuiteOrder")
    manila_midnight = datetime.combine(start, time.min, tzinfo=ZoneInfo("Asia/Manila"))
    assert sent == {
        "ownerName": "manila-bpo",
        "ownerType": 2,
        "suiteId": FAMILY_WEEKLY,
        "availableTime": ms_from_datetime(manila_midnight),
    }
    [order] = _orders(world, 2, "manila-bpo")
    assert order["availableTime"] == ms_from_datetime(manila_midnight)
    page = client.get(_suites_url(world))
    assert [o["id"] for o in page.context["orders"]] == [order["id"]]
    assert "Family Weekly" in page.text
    # The start is shown in the user's zone: midnight, Manila time.
    assert f"{start:%Y-%m-%d} 00:00" in page.text


def test_it_orders_for_one_of_the_customers_phones_with_an_end_day(client, world, portal_sim):
    world.login(client, "globaltel")
    today = date.today()
    response = client.post(
        _suites_url(world),
        {
            "suite": BUSINESS_500,
            "phone": "80002002",
            "available": today.isoformat(),
            "expires": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?phone=80002002")
    [sent] = _requests(portal_sim, "CreateSuiteOrder")
    assert sent["ownerType"] == 6 and sent["ownerName"] == "80002002"
    end = datetime.combine(today + timedelta(days=31), time.min, tzinfo=ZoneInfo("UTC"))
    assert sent["expireTime"] == ms_from_datetime(end)
    page = client.get(_suites_url(world), {"phone": "80002002"})
    assert len(page.context["orders"]) == 1
    assert [c["suite_name"] for c in page.context["current"]] == ["Business 500"]


def test_it_refuses_a_phone_of_another_customer(client, world, portal_sim):
    world.login(client, "globaltel")
    response = client.post(
        _suites_url(world),
        {"suite": BUSINESS_500, "phone": "80004001", "available": date.today().isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert _requests(portal_sim, "CreateSuiteOrder") == []
    # Nor may its suites be looked at, by a reseller of its own either.
    assert client.get(_suites_url(world), {"phone": "80004001"}).status_code == 404
    world.login(client, "skyvoice")
    assert client.get(_suites_url(world)).status_code == 404


def test_an_order_that_ends_before_it_starts_is_refused(client, world, portal_sim):
    world.login(client, "globaltel")
    today = date.today()
    response = client.post(
        _suites_url(world),
        {
            "suite": BUSINESS_500,
            "available": today.isoformat(),
            "expires": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.context["form"].errors["expires"]
    assert _requests(portal_sim, "CreateSuiteOrder") == []


def _order(world, owner_type=2, owner="manila-bpo", suite=FAMILY_WEEKLY) -> int:
    return raw(
        world.server,
        "CreateSuiteOrder",
        {"ownerType": owner_type, "ownerName": owner, "suiteId": suite, "availableTime": 0},
    )["id"]


def test_it_ends_an_order_after_a_confirmation(client, world, portal_sim):
    order_id = _order(world)
    world.login(client, "globaltel")
    form = {"kind": "order", "id": order_id, "phone": ""}
    # Without JS: the first post asks, the confirmed one ends it.
    ask = client.post(_end_url(world), form)
    assert ask.status_code == 200 and "Yes, end it" in ask.text
    assert _requests(portal_sim, "DeleteSuiteOrder") == []
    done = client.post(_end_url(world), {**form, "confirm": "1"})
    assert done.status_code == 302
    assert _orders(world, 2, "manila-bpo") == []
    assert _requests(portal_sim, "DeleteSuiteOrder") == [{"id": order_id}]


def test_htmx_ends_a_current_suite_in_place(client, world, portal_sim):
    _order(world, 6, "80002001", BUSINESS_500)
    current = raw(world.server, "GetCurrentSuite", {"ownerType": 6, "ownerName": "80002001"})
    [suite] = current["infoCurrentSuites"]
    world.login(client, "globaltel")
    response = client.post(
        _end_url(world),
        {"kind": "current", "id": suite["id"], "phone": "80002001"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "The current suite is ended." in response.text
    current = raw(world.server, "GetCurrentSuite", {"ownerType": 6, "ownerName": "80002001"})
    assert current["infoCurrentSuites"] == []


def test_it_never_ends_another_customers_order(client, world, portal_sim):
    foreign = _order(world, 2, "sakura")
    world.login(client, "globaltel")
    response = client.post(_end_url(world), {"kind": "order", "id": foreign, "confirm": "1"})
    assert response.status_code == 404
    response = client.post(
        _end_url(world), {"kind": "order", "id": foreign, "phone": "80004001", "confirm": "1"}
    )
    assert response.status_code == 404
    assert len(_orders(world, 2, "sakura")) == 1
    assert _requests(portal_sim, "DeleteSuiteOrder") == []


def test_customers_see_their_suites_but_do_not_order_or_end_them(client, world, portal_sim):
    order_id = _order(world)
    world.login(client, "manila")
    page = client.get(_suites_url(world))
    assert page.status_code == 200 and not page.context["may_manage"]
    assert [o["id"] for o in page.context["orders"]] == [order_id]
    assert "Order a suite" not in page.text
    client.post(_suites_url(world), {"suite": BUSINESS_500, "available": "2030-01-01"})
    client.post(_end_url(world), {"kind": "order", "id": order_id, "confirm": "1"})
    assert len(_requests(portal_sim, "CreateSuiteOrder")) == 1  # the set-up's own
    assert _requests(portal_sim, "DeleteSuiteOrder") == []


def test_a_vos_refusal_is_shown_in_words(client, world, portal_sim):
    world.login(client, "globaltel")
    portal_sim.control("fault", endpoint="CreateSuiteOrder", mode="http500")
    response = client.post(
        _suites_url(world), {"suite": BUSINESS_500, "available": date.today().isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert world.server.base_url not in response.text


def _change_url(world, name: str = "manila") -> str:
    return reverse("customer_suite_order_change", args=[world.tenants[name].pk])


def test_it_moves_an_orders_last_day_in_the_users_time_zone(client, world, portal_sim):
    order_id = _order(world)
    user = world.login(client, "globaltel")
    user.time_zone = "Asia/Tokyo"
    user.save()
    response = client.post(_change_url(world), {"id": order_id, "expires": "2031-03-04"})
    assert response.status_code == 302
    [order] = _orders(world, 2, "manila-bpo")
    end = datetime.combine(date(2031, 3, 5), time(), ZoneInfo("Asia/Tokyo"))
    assert order["expireTime"] == ms_from_datetime(end)
    page = client.get(_suites_url(world))
    assert 'value="2031-03-04"' in page.text
    # Empty: no end at all.
    client.post(_change_url(world), {"id": order_id, "expires": ""})
    [order] = _orders(world, 2, "manila-bpo")
    assert order["expireTime"] == 9223372036854775807
    from accounts.models import AuditEvent

    event = AuditEvent.objects.filter(action="vos.ModifySuiteOrder").latest("id")
    assert event.after == {"expireTime": 9223372036854775807}
    assert event.before == {"expireTime": ms_from_datetime(end)}


def test_it_refuses_an_end_before_the_start_and_foreign_orders(client, world, portal_sim):
    order_id = _order(world)
    foreign = _order(world, 2, "sakura")
    world.login(client, "globaltel")
    response = client.post(
        _change_url(world), {"id": order_id, "expires": "1999-01-01"}, follow=True
    )
    assert "cannot end before it starts" in response.text
    assert client.post(_change_url(world), {"id": foreign, "expires": ""}).status_code == 404
    assert _requests(portal_sim, "ModifySuiteOrder") == []


def test_customers_do_not_change_their_orders(client, world, portal_sim):
    order_id = _order(world)
    world.login(client, "manila")
    client.post(_change_url(world), {"id": order_id, "expires": "2031-01-01"})
    assert _requests(portal_sim, "ModifySuiteOrder") == []
