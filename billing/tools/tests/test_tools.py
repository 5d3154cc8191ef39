"""Customer tools: rate lookup with the customer's own group, minutes left for a
destination (GetAvailableTime) and click-to-call (CallBack from one of the customer's
own phones, its password supplied by the portal, rate-limited per user)."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from billing.tests import pages_world
from billing.tests.pages_world import raw
from billing.tools import services, views

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _requests(portal_sim, endpoint: str) -> list[dict]:
    entries = portal_sim.control("requests", endpoint=endpoint)["requests"]
    return [e["body"] if isinstance(e["body"], dict) else json.loads(e["body"]) for e in entries]


def _tools(world, name="manila") -> str:
    return reverse("customer_tools", args=[world.tenants[name].pk])


def _call(world, name="manila") -> str:
    return reverse("customer_click_to_call", args=[world.tenants[name].pk])


# --- Rate lookup -------------------------------------------------------------------------
def test_a_reseller_looks_up_a_rate_in_its_customers_group(client, world):
    world.login(client, "globaltel")  # no grants: the customer's own group still prices
    response = client.get(_tools(world), {"tool": "rate", "number": "+81 90 1234 5678"})
    assert response.context["group"] == "Retail-Premium"
    quote = response.context["quote"]
    assert quote.rate.prefix == "8190" and quote.rate.period == 6
    assert str(quote.per_minute) == "0.1056"  # 0.066 wholesale x 1.6
    htmx = client.get(
        _tools(world),
        {"tool": "rate", "number": "0000"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="rate-result",
    )
    assert "<html" not in htmx.text and "no rate for this number" in htmx.text


# --- Minutes left ------------------------------------------------------------------------
def test_it_tells_the_minutes_left_as_vos_counts_them(client, world, portal_sim):
    world.login(client, "manila")
    response = client.get(
        _tools(world), {"tool": "minutes", "phone": "80002001", "number": "+44 7700 900123"}
    )
    [sent] = _requests(portal_sim, "GetAvailableTime")
    assert sent == {"billingName": "80002001", "billingMode": 0, "calleeE164": "447700900123"}
    expected = raw(world.server, "GetAvailableTime", sent)["InfoAvailableTime"]["timeRemain"]
    minutes = response.context["minutes"]
    assert minutes["seconds"] == expected > 0
    assert views.talk_time(expected) in response.text
    assert views.talk_time(86400) == "24 h 00 min" and views.talk_time(754) == "12 min 34 s"


def test_it_says_why_no_call_is_possible(client, world):
    world.login(client, "manila")
    response = client.get(_tools(world), {"tool": "minutes", "phone": "80002001", "number": "000"})
    assert response.context["minutes"]["seconds"] is None
    assert "there is no rate for this number" in response.text


def test_minutes_left_only_for_the_customers_own_phones(client, world, portal_sim):
    world.login(client, "manila")
    response = client.get(
        _tools(world), {"tool": "minutes", "phone": "80004001", "number": "447700900123"}
    )
    assert response.context["minutes_form"].errors["phone"]
    assert _requests(portal_sim, "GetAvailableTime") == []


# --- Click-to-call -----------------------------------------------------------------------
def test_click_to_call_rings_the_customers_phone_with_its_password_from_vos(
    client, world, portal_sim
):
    world.login(client, "manila")
    response = client.post(
        _call(world),
        # A password from the browser is ignored: the portal reads the phone's own.
        {"phone": "80002002", "number": "+44 7700 900123", "accessE164Password": "guess"},
    )
    assert response.status_code == 302
    [sent] = _requests(portal_sim, "CallBack")
    assert sent["callerE164"] == "80002002" and sent["accessE164"] == "80002002"
    assert sent["calleeE164s"] == "447700900123"
    [answer] = portal_sim.control("requests", endpoint="CallBack")["requests"]
    assert answer["retCode"] == 0  # VOS checked the phone's password and accepted it
    calls = raw(world.server, "GetCurrentCall", {})["infoCurrentCalls"]
    assert {(c["callerE164"], c["calleeE164"]) for c in calls} >= {
        ("80002002", "80002002"),
        ("80002002", "447700900123"),
    }
    event = AuditEvent.objects.get(action="vos.CallBack")
    assert event.result == "ok" and event.tenant_id == world.tenants["manila"].pk
    assert "demo1234" not in json.dumps(event.payload)


def test_click_to_call_refuses_a_phone_of_another_customer(client, world, portal_sim):
    world.login(client, "manila")
    response = client.post(_call(world), {"phone": "80004001", "number": "447700900123"})
    assert response.status_code == 200
    assert response.context["call_form"].errors["phone"]
    assert _requests(portal_sim, "CallBack") == []
    # The service refuses too, whatever a form let through.
    from accounts.scope import OutOfScope, Scope

    scope = Scope(user=world.users["manila"])
    with pytest.raises(OutOfScope):
        services.click_to_call(scope, world.tenants["manila"], "80004001", "447700900123")
    assert _requests(portal_sim, "CallBack") == []
    # Another customer's tools are out of reach altogether.
    assert client.post(_call(world, "sakura"), {"phone": "80004001"}).status_code == 404


def test_click_to_call_is_rate_limited_per_user(client, world, portal_sim):
    world.login(client, "manila")
    # The limit counts per clock minute: start well inside one.
    if time.time() % 60 > 50:
        time.sleep(60 - time.time() % 60 + 0.1)
    for n in range(services.CLICK_TO_CALL_PER_MINUTE):
        answer = client.post(_call(world), {"phone": "80002001", "number": f"1212555{n:04d}"})
        assert answer.status_code == 302
    refused = client.post(_call(world), {"phone": "80002001", "number": "12125559999"})
    assert refused.status_code == 200
    assert "Too many calls" in str(refused.context["call_form"].non_field_errors())
    assert len(_requests(portal_sim, "CallBack")) == services.CLICK_TO_CALL_PER_MINUTE
    # Someone else is not slowed down by it.
    world.login(client, "globaltel")
    assert (
        client.post(_call(world), {"phone": "80002001", "number": "12125550000"}).status_code == 302
    )


def test_viewers_cannot_start_calls(client, world, portal_sim):
    world.login(client, "manila_viewer")
    page = client.get(_tools(world))
    assert page.status_code == 200 and "Click to call" not in page.text
    response = client.post(_call(world), {"phone": "80002001", "number": "447700900123"})
    assert response.status_code == 404
    assert _requests(portal_sim, "CallBack") == []


def test_a_vos_refusal_of_a_call_is_shown_in_words(client, world, portal_sim):
    world.login(client, "manila")
    portal_sim.control("fault", endpoint="CallBack", mode="timeout_before", seconds=0.1)
    response = client.post(_call(world), {"phone": "80002001", "number": "447700900123"})
    assert response.status_code == 200
    errors = str(response.context["call_form"].non_field_errors())
    assert "cannot be reached" in errors or "did not answer" in errors
    assert world.server.base_url not in response.text


def test_tools_say_when_the_customer_is_not_linked(client, db):
    from accounts.tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(server=None, vos_account="")
    client.force_login(UserFactory(tenant=tenant))
    response = client.get(reverse("customer_tools", args=[tenant.pk]))
    assert response.status_code == 200 and "not linked to a VOS server" in response.text
