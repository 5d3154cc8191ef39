"""The gateway pages against the simulator over HTTP: lists with online state, create,
edit and delete of both kinds with fields from several sections, the billing account
from the tree, VOS failures in words, and nobody but the platform seeing any of it."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from telephony.phones.tests.test_phones import calls, delta

pytestmark = pytest.mark.django_db


GATEWAY_ENDPOINTS = {
    "GetGatewayMapping",
    "GetGatewayMappingOnline",
    "CreateGatewayMapping",
    "ModifyGatewayMapping",
    "DeleteGatewayMapping",
    "GetGatewayRouting",
    "GetGatewayRoutingOnline",
    "CreateGatewayRouting",
    "ModifyGatewayRouting",
    "DeleteGatewayRouting",
}


def gw_url(name, server, kind, gateway=None):
    kwargs = {"server_id": server.pk, "kind": kind}
    if gateway is not None:
        kwargs["name"] = gateway
    return reverse(name, kwargs=kwargs)


def form_data(form) -> dict:
    """What a browser would post for the form as shown (pre-filled)."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    return data


def routing(sim_call, name):
    found = sim_call("GetGatewayRouting", {"names": [name]})["infoGatewayRoutings"]
    return found[0] if found else None


def mapping(sim_call, name):
    found = sim_call("GetGatewayMapping", {"names": [name]})["infoGatewayMappings"]
    return found[0] if found else None


@pytest.fixture
def admin(client):
    user = AdminFactory()
    client.force_login(user)
    return user


# --- Lists ---------------------------------------------------------------------------------
def test_it_lists_gateways_with_their_online_state(client, demo, admin, sim_call, portal_sim):
    server, _t = demo
    sim_call("CreateGatewayMapping", {"name": "pbx-dyn", "registerType": 1, "capacity": 30})
    sim_call("CreateGatewayMapping", {"name": "pbx-away", "registerType": 1})
    sim_call("CreateGatewayMapping", {"name": "pbx-static", "remoteIps": "192.0.2.7"})
    portal_sim.control("gateway_online", kind="mapping", name="pbx-dyn", ip="192.0.2.44")
    page = client.get(gw_url("gateway_list", server, "mapping"))
    assert page.status_code == 200
    rows = {row.name: row for row in page.context["rows"]}
    assert rows["pbx-dyn"].state == "registered" and rows["pbx-dyn"].register_ips == "192.0.2.44"
    assert rows["pbx-dyn"].capacity == 30 and rows["pbx-dyn"].current_calls == 0
    assert rows["pbx-away"].state == "offline"
    assert rows["pbx-static"].state == "static" and rows["pbx-static"].remote_ips == "192.0.2.7"
    assert "192.0.2.44" in page.text and 'data-state="offline"' in page.text
    # A call going on through carrier-europe, and one that ended (answered, 61 s).
    portal_sim.control("place_call", caller="80001001", callee="4420755501", duration=600)
    portal_sim.control(
        "place_call", caller="80001002", callee="4420755502", duration=61, complete=True
    )
    routing_page = client.get(gw_url("gateway_list", server, "routing"))
    routes = {row.name: row for row in routing_page.context["rows"]}
    assert {"carrier-tier1", "carrier-europe", "carrier-asia"} <= set(routes)
    europe = routes["carrier-europe"]
    assert europe.current_calls == 1 and europe.state == "static"
    # Over the simulator's recent calls (the demo's own included).
    assert 0 < europe.asr_percent <= 100 and europe.acd > 0
    assert "ASR" in routing_page.text and f"{europe.asr_percent} %" in routing_page.text
    assert portal_sim.base_url.split("/")[2] not in page.text + routing_page.text


def test_it_filters_the_list_by_name_and_state(client, demo, admin, sim_call):
    server, _t = demo
    sim_call("CreateGatewayRouting", {"name": "offline-carrier", "registerType": 1})
    url = gw_url("gateway_list", server, "routing")
    partial = client.get(url, {"q": "EUROPE"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.text
    assert 'data-gateway="carrier-europe"' in partial.text
    assert 'data-gateway="carrier-asia"' not in partial.text
    offline = client.get(url, {"state": "offline"})
    assert [row.name for row in offline.context["rows"]] == ["offline-carrier"]
    online = client.get(url, {"state": "online"})
    assert "offline-carrier" not in [row.name for row in online.context["rows"]]


def test_it_says_a_vos_failure_in_words(client, demo, admin, portal_sim):
    server, _t = demo
    # Reads are tried again: every try fails.
    portal_sim.control("fault", endpoint="GetGatewayRouting", mode="http500", count=5)
    page = client.get(gw_url("gateway_list", server, "routing"))
    assert page.status_code == 200
    assert "The switch" in page.text and page.context["rows"] == []
    assert portal_sim.base_url.split("/")[2] not in page.text
    portal_sim.control("fault", endpoint="GetGatewayRouting", mode="garbage", count=5)
    edit = client.get(gw_url("gateway_edit", server, "routing", "carrier-asia"))
    assert edit.status_code == 200 and "The switch" in edit.text


# --- Create ----------------------------------------------------------------------------------
def test_it_creates_a_mapping_gateway_with_fields_of_several_sections(
    client, demo, admin, sim_call
):
    server, t = demo
    page = client.get(gw_url("gateway_create", server, "mapping"))
    assert page.status_code == 200
    labels = [section["label"] for section in page.context["sections"]]
    assert len(labels) == 8 and 'href="#section-lrn"' in page.text
    # The billing account is chosen from the tree's accounts on this server.
    choices = dict(page.context["form"].fields["account"].choices)
    assert "manila-bpo" in choices and "sakura" in choices
    response = client.post(
        gw_url("gateway_create", server, "mapping"),
        {
            "name": "pbx-manila",
            "account": "manila-bpo",
            "registerType": "1",
            "password": "reg-secret",
            "capacity": "40",
            "callLevel": "4",
            "rewriteRulesOutCallee": "00:+",
            "callerE164CheckEnable": "on",
            "dtmfSendMethodSIP": "10",
            "sipTimer": "on",
            "h323FastStart": "on",
            "sipCodecAssign": "on",
            "sipCodecs": "G729, PCMA",
            "lrnEnable": "on",
            "lrnEatPrefixLength": "2",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    made = mapping(sim_call, "pbx-manila")
    assert made["account"] == "manila-bpo" and made["capacity"] == 40 and made["callLevel"] == 4
    assert made["rewriteRulesOutCallee"] == "00:+" and made["callerE164CheckEnable"] is True
    assert made["dtmfSendMethodSIP"] == 10 and made["sipTimer"] and made["h323FastStart"]
    assert made["sipCodecs"] == ["G729", "PCMA"] and made["lrnEnable"]
    assert made["lrnEatPrefixLength"] == 2 and made["registerType"] == 1
    event = AuditEvent.objects.get(action="vos.CreateGatewayMapping")
    assert event.result == "ok" and event.tenant == t["manila"]
    assert "reg-secret" not in str(event.payload)


def test_it_creates_a_routing_gateway(client, demo, admin, sim_call):
    server, _t = demo
    response = client.post(
        gw_url("gateway_create", server, "routing"),
        {
            "name": "carrier-latam",
            "prefix": "52,55",
            "prefixStyle": "1",
            "remoteIp": "198.51.100.77",
            "protocol": "1",
            "clearingAccount": "globaltel",
            "capacity": "120",
            "denyCallerCalleeAllow": "on",
            "denyCallerCallee": "025:010",
            "rtpForwardType": "1",
            "timeoutInvite": "8",
            "sipPrivacy": "2",
            "q931NumberType": "2",
            "h323Codecs": "G711A",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    made = routing(sim_call, "carrier-latam")
    assert made["prefix"] == "52,55" and made["prefixStyle"] == 1 and made["protocol"] == 1
    assert made["clearingAccount"] == "globaltel" and made["capacity"] == 120
    assert made["denyCallerCallee"] == "025:010" and made["rtpForwardType"] == 1
    assert made["timeoutInvite"] == 8 and made["sipPrivacy"] == 2 and made["q931NumberType"] == 2
    assert made["h323Codecs"] == ["G711A"] and made["signalPort"] == 5060


def test_it_keeps_nothing_on_bad_input(client, demo, admin, sim_call, portal_sim):
    server, _t = demo
    before = calls(portal_sim)
    response = client.post(
        gw_url("gateway_create", server, "routing"),
        {"name": "bad-one", "capacity": "lots", "minProfitPercent": "99999", "lockType": "7"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"capacity", "minProfitPercent", "lockType"} <= set(errors)
    assert 'class="field-error"' in response.text
    # The section holding the error is marked in the table of contents.
    marked = [s["key"] for s in response.context["sections"] if s["has_errors"]]
    assert marked == ["basic", "capacity"]
    assert "CreateGatewayRouting" not in delta(before, calls(portal_sim))
    assert routing(sim_call, "bad-one") is None
    no_name = client.post(gw_url("gateway_create", server, "routing"), {"capacity": "3"})
    assert "name" in no_name.context["form"].errors


def test_it_says_a_refusal_next_to_the_form(client, demo, admin, sim_call):
    server, _t = demo
    response = client.post(gw_url("gateway_create", server, "routing"), {"name": "carrier-asia"})
    assert response.status_code == 200
    assert "The switch refused the request" in response.text
    assert AuditEvent.objects.get(action="vos.CreateGatewayRouting").result == "error"


# --- Edit ------------------------------------------------------------------------------------
def test_it_edits_a_routing_gateway_from_its_current_values(client, demo, admin, sim_call):
    server, _t = demo
    sim_call(
        "CreateGatewayRouting",
        {"name": "carrier-x", "password": "gw-secret", "capacity": 10, "gatewayGroups": "old"},
    )
    url = gw_url("gateway_edit", server, "routing", "carrier-x")
    page = client.get(url)
    assert page.status_code == 200 and "gw-secret" not in page.text
    form = page.context["form"]
    assert form.initial["capacity"] == 10 and form.initial["gatewayGroups"] == "old"
    data = form_data(form)
    data.update(capacity="25", gatewayGroups="", sipT38="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    saved = routing(sim_call, "carrier-x")
    assert saved["capacity"] == 25 and saved["gatewayGroups"] == "" and saved["sipT38"] is True
    assert saved["password"] == "gw-secret"  # blank keeps it
    event = AuditEvent.objects.get(action="vos.ModifyGatewayRouting")
    assert event.before == {"capacity": 10, "gatewayGroups": "old", "sipT38": False}
    assert event.after == {"capacity": 25, "gatewayGroups": "", "sipT38": True}


def test_it_edits_a_mapping_gateway_keeping_an_account_vos_holds(client, demo, admin, sim_call):
    server, _t = demo
    # havana-link is a VOS customer the portal has no tenant for.
    sim_call("CreateGatewayMapping", {"name": "pbx-havana", "account": "havana-link"})
    url = gw_url("gateway_edit", server, "mapping", "pbx-havana")
    page = client.get(url)
    choices = dict(page.context["form"].fields["account"].choices)
    assert "havana-link" in choices and "manila-bpo" in choices
    data = form_data(page.context["form"])
    data.update(capacity="5", forwardSignalRewriteE164Group="")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    saved = mapping(sim_call, "pbx-havana")
    assert saved["account"] == "havana-link" and saved["capacity"] == 5
    data.update(account="delhi-soft")
    client.post(url, data)
    assert mapping(sim_call, "pbx-havana")["account"] == "delhi-soft"
    assert client.post(url, {**data, "account": "not-ours"}).status_code == 200
    assert mapping(sim_call, "pbx-havana")["account"] == "delhi-soft"


def test_it_says_a_timeout_on_save_in_words(client, demo, admin, sim_call, portal_sim):
    server, _t = demo
    url = gw_url("gateway_edit", server, "routing", "carrier-tier1")
    data = form_data(client.get(url).context["form"])
    portal_sim.control("fault", endpoint="ModifyGatewayRouting", mode="reset")
    response = client.post(url, {**data, "capacity": "9"})
    assert response.status_code == 200
    assert "Nothing was changed" in response.text or "may or may not" in response.text
    assert routing(sim_call, "carrier-tier1")["capacity"] != 9


def test_it_gives_every_name_vos_holds_its_own_pages(client, demo, admin, sim_call):
    server, _t = demo
    for name in ("new", "lab/b 2"):
        sim_call("CreateGatewayMapping", {"name": name})
    listing = client.get(gw_url("gateway_list", server, "mapping"))
    assert listing.status_code == 200
    for name in ("new", "lab/b 2"):
        url = gw_url("gateway_edit", server, "mapping", name)
        assert url in listing.text.replace("&amp;", "&")
        page = client.get(url)
        assert page.status_code == 200 and page.context["form"].initial["name"] == name
        assert client.post(gw_url("gateway_delete", server, "mapping", name)).status_code == 302
        assert mapping(sim_call, name) is None


def test_it_answers_404_for_a_gateway_vos_does_not_hold(client, demo, admin):
    server, _t = demo
    assert client.get(gw_url("gateway_edit", server, "routing", "nope")).status_code == 404
    assert client.get(gw_url("gateway_list", server, "other")).status_code == 404


# --- Delete ----------------------------------------------------------------------------------
def test_it_deletes_after_a_confirmation_page_without_javascript(client, demo, admin, sim_call):
    server, _t = demo
    url = gw_url("gateway_delete", server, "routing", "carrier-asia")
    confirm = client.get(url)
    assert confirm.status_code == 200 and "carrier-asia" in confirm.text
    assert routing(sim_call, "carrier-asia") is not None
    response = client.post(url)
    assert response.status_code == 302
    assert routing(sim_call, "carrier-asia") is None
    event = AuditEvent.objects.get(action="vos.DeleteGatewayRouting")
    assert event.before["name"] == "carrier-asia" and event.before["password"] == "[redacted]"


def test_it_deletes_from_the_list_with_htmx(client, demo, admin, sim_call):
    server, _t = demo
    sim_call("CreateGatewayMapping", {"name": "pbx-old"})
    listing = client.get(gw_url("gateway_list", server, "mapping"))
    assert 'hx-confirm="Delete the gateway pbx-old?"' in listing.text
    response = client.post(
        gw_url("gateway_delete", server, "mapping", "pbx-old"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "deleted" in response.text  # the toast
    assert mapping(sim_call, "pbx-old") is None


def test_it_keeps_the_row_when_the_delete_fails(client, demo, admin, sim_call, portal_sim):
    server, _t = demo
    portal_sim.control("fault", endpoint="DeleteGatewayRouting", mode="http500")
    url = gw_url("gateway_delete", server, "routing", "carrier-europe")
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response["HX-Reswap"] == "none" and "The switch" in response.text
    portal_sim.control("fault", endpoint="DeleteGatewayRouting", mode="http500")
    page = client.post(url)
    assert page.status_code == 200 and "The switch" in page.text
    assert routing(sim_call, "carrier-europe") is not None


# --- Who sees gateways -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", [Role.RESELLER_MANAGER, Role.RESELLER_OPERATOR, Role.CUSTOMER_OWNER]
)
def test_it_shows_gateways_to_nobody_but_the_platform(client, demo, role):
    server, t = demo
    tenant = t["globaltel"] if role.startswith("reseller") else t["manila"]
    client.force_login(UserFactory(tenant=tenant, role=role))
    for name, kwargs in [
        ("gateway_index", {}),
        ("gateway_list", {"server_id": server.pk, "kind": "routing"}),
        ("gateway_create", {"server_id": server.pk, "kind": "mapping"}),
        ("gateway_edit", {"server_id": server.pk, "kind": "routing", "name": "carrier-asia"}),
        ("gateway_delete", {"server_id": server.pk, "kind": "routing", "name": "carrier-asia"}),
    ]:
        url = reverse(name, kwargs=kwargs)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    dashboard = client.get(reverse("dashboard"))
    assert "Gateways" not in dashboard.text and "carrier-" not in dashboard.text


def test_it_lets_auditors_read_but_not_change(client, demo, sim_call):
    server, _t = demo

    client.force_login(UserFactory(tenant=Tenant.platform_root(), role=Role.PLATFORM_AUDITOR))
    assert reverse("gateway_index") in client.get(reverse("dashboard")).text
    page = client.get(gw_url("gateway_edit", server, "routing", "carrier-asia"))
    assert page.status_code == 200 and ">Save<" not in page.text
    assert all(field.disabled for field in page.context["form"].fields.values())
    listing = client.get(gw_url("gateway_list", server, "routing"))
    assert listing.status_code == 200 and "hx-post" not in listing.text
    delete = gw_url("gateway_delete", server, "routing", "carrier-asia")
    assert client.post(delete).status_code == 404
    assert client.get(gw_url("gateway_create", server, "routing")).status_code == 404
    assert routing(sim_call, "carrier-asia") is not None


def test_it_opens_the_first_server_from_the_navigation(client, demo, admin):
    server, _t = demo
    response = client.get(reverse("gateway_index"))
    assert response.status_code == 302
    assert response["Location"] == gw_url("gateway_list", server, "routing")
    assert reverse("gateway_index") in client.get(reverse("dashboard")).text


# --- Every gateway endpoint through the pages -------------------------------------------------
def test_it_reaches_every_gateway_endpoint_through_the_pages(client, demo, admin, portal_sim):
    server, _t = demo
    before = calls(portal_sim)
    for kind in ("mapping", "routing"):
        client.get(gw_url("gateway_list", server, kind))
        created = client.post(gw_url("gateway_create", server, kind), {"name": f"e2e-{kind}"})
        assert created.status_code == 302
        url = gw_url("gateway_edit", server, kind, f"e2e-{kind}")
        data = form_data(client.get(url).context["form"])
        assert client.post(url, {**data, "capacity": "3"}).status_code == 302
        deleted = client.post(gw_url("gateway_delete", server, kind, f"e2e-{kind}"))
        assert deleted.status_code == 302
    reached = set(delta(before, calls(portal_sim)))
    assert reached >= GATEWAY_ENDPOINTS, GATEWAY_ENDPOINTS - reached
