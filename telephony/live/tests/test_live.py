"""Live calls and online phones: one shared, paced poll per VOS server whoever watches,
each viewer's rows filtered by its scope, and disconnecting a call of one's own scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory
from telephony.live import selectors as live_selectors
from telephony.live import state as live_state
from telephony.models import LiveCall, LivePoll, PhoneRegistration


def sent(portal_sim, endpoint: str) -> int:
    return portal_sim.control("stats")["requests"].get(endpoint, 0)


def place(portal_sim, caller, callee, seconds=600):
    return portal_sim.control("place_call", caller=caller, callee=callee, duration=seconds)


def users(tenants):
    return {
        "admin": AdminFactory(),
        "manila": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER),
        "manila_viewer": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_VIEWER),
        "acme": UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER),
        "globaltel": UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER),
        "skyvoice": UserFactory(tenant=tenants["skyvoice"], role=Role.RESELLER_MANAGER),
    }


def make_due(server, kind="calls"):
    """As if the poll interval had passed."""
    LivePoll.objects.filter(server=server, kind=kind).update(due_at=timezone.now())


@pytest.fixture
def calls(demo, portal_sim):
    server, tenants = demo
    manila = place(portal_sim, "80002001", "6581234567")["callId"]
    acme = place(portal_sim, "80001001", "4420123456")["callId"]
    return server, tenants, {"manila": manila, "acme": acme}


def test_it_shows_each_viewer_the_calls_of_its_scope(client, calls):
    _server, tenants, _ids = calls
    people = users(tenants)
    seen = {}
    for name in ("admin", "manila", "acme", "globaltel", "skyvoice"):
        client.force_login(people[name])
        page = client.get(reverse("live_calls")).text
        seen[name] = {n for n in ("80002001", "80001001") if n in page}
    assert seen == {
        "admin": {"80002001", "80001001"},
        "manila": {"80002001"},
        "acme": {"80001001"},
        "globaltel": {"80002001"},
        "skyvoice": set(),
    }


def test_it_shows_gateways_to_admins_only(client, calls, portal_sim):
    _server, tenants, _ids = calls
    people = users(tenants)
    client.force_login(people["admin"])
    assert "Callee gateway" in client.get(reverse("live_calls")).text
    client.force_login(people["manila"])
    assert "Callee gateway" not in client.get(reverse("live_calls")).text


def test_it_makes_one_get_current_call_per_interval_for_many_viewers(calls, portal_sim):
    server, tenants, _ids = calls
    people = list(users(tenants).values())
    viewers = []
    for n in range(30):
        client = Client()
        client.force_login(people[n % len(people)])
        viewers.append(client)
    before = sent(portal_sim, "GetCurrentCall")
    for client in viewers:
        answer = client.get(reverse("live_calls"), HTTP_HX_REQUEST="true")
        assert answer.status_code == 200 and 'id="live-calls"' in answer.text
        client.get(reverse("live_dashboard"), HTTP_HX_REQUEST="true")
    assert sent(portal_sim, "GetCurrentCall") - before == 1
    make_due(server)
    for client in viewers:
        client.get(reverse("live_calls"), HTTP_HX_REQUEST="true")
    assert sent(portal_sim, "GetCurrentCall") - before == 2


def test_it_polls_nothing_while_nobody_watches(calls, portal_sim):
    from switch import tasks

    tasks.sweep_pushes()  # the only live-state beat entry
    assert sent(portal_sim, "GetCurrentCall") == sent(portal_sim, "GetAllPhoneOnline") == 0


def test_it_attributes_calls_through_phone_owners_in_batches(calls, portal_sim):
    server, tenants, ids = calls
    before = sent(portal_sim, "GetPhone")
    assert live_state.refresh_if_due(server, live_state.CALLS)
    assert sent(portal_sim, "GetPhone") - before == 1  # one batch for every number
    manila_call = LiveCall.objects.get(server=server, call_id=ids["manila"])
    assert manila_call.caller_path == tenants["manila"].path
    make_due(server)
    live_state.refresh_if_due(server, live_state.CALLS)
    assert sent(portal_sim, "GetPhone") - before == 1  # owners are cached


def test_it_drops_ended_calls_at_the_next_poll(calls, portal_sim):
    server, _tenants, _ids = calls
    live_state.refresh_if_due(server, live_state.CALLS)
    assert LiveCall.objects.filter(released=False).count() == 2
    portal_sim.control("advance", seconds=3600)
    make_due(server)
    live_state.refresh_if_due(server, live_state.CALLS)
    assert not LiveCall.objects.filter(released=False).exists()


def test_it_shows_a_poll_failure_in_words(client, calls, portal_sim):
    server, tenants, _ids = calls
    portal_sim.control("fault", endpoint="GetCurrentCall", mode="http500", count=10)
    client.force_login(users(tenants)["admin"])
    page = client.get(reverse("live_calls"))
    assert page.status_code == 200 and "127.0.0.1" not in page.text
    assert LivePoll.objects.get(server=server, kind="calls").error


# --- Disconnect -----------------------------------------------------------------------------
def test_it_lets_a_customer_disconnect_its_own_call_and_audits_it(client, calls, portal_sim):
    server, tenants, ids = calls
    people = users(tenants)
    client.force_login(people["manila"])
    client.get(reverse("live_calls"))
    url = reverse("live_call_disconnect", args=[server.pk, ids["manila"]])
    assert "Disconnect the call" in client.get(url).text  # the page without JavaScript
    answer = client.post(url)
    assert answer.status_code == 302
    assert sent(portal_sim, "DisconnectCurrentCall") == 1
    event = AuditEvent.objects.get(action="vos.DisconnectCurrentCall")
    assert event.result == "ok"
    current = portal_sim.sim.call("GetCurrentCall", {})["infoCurrentCalls"]
    assert [c["callId"] for c in current] == [ids["acme"]]


def test_it_answers_htmx_disconnects_with_a_redirect(client, calls, portal_sim):
    server, tenants, ids = calls
    client.force_login(users(tenants)["globaltel"])
    client.get(reverse("live_calls"))
    url = reverse("live_call_disconnect", args=[server.pk, ids["manila"]])
    answer = client.post(url, HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Redirect"] == reverse("live_calls")


def test_it_refuses_disconnecting_a_call_outside_the_scope(client, calls, portal_sim):
    server, tenants, ids = calls
    people = users(tenants)
    client.force_login(people["admin"])
    client.get(reverse("live_calls"))
    for name in ("manila", "skyvoice", "manila_viewer"):
        client.force_login(people[name])
        target = ids["acme"] if name != "manila_viewer" else ids["manila"]
        url = reverse("live_call_disconnect", args=[server.pk, target])
        assert client.post(url).status_code == 404, name
    assert sent(portal_sim, "DisconnectCurrentCall") == 0


def test_it_shows_a_failed_disconnect_in_words(client, calls, portal_sim):
    server, tenants, ids = calls
    client.force_login(users(tenants)["admin"])
    client.get(reverse("live_calls"))
    portal_sim.control("fault", endpoint="DisconnectCurrentCall", mode="reset")
    url = reverse("live_call_disconnect", args=[server.pk, ids["acme"]])
    answer = client.post(url)
    assert answer.status_code == 200 and 'role="alert"' in answer.text


# --- Online phones and dashboards -------------------------------------------------------------
def test_it_lists_online_phones_for_admins_from_one_shared_poll(client, demo, portal_sim):
    _server, tenants = demo
    portal_sim.control("register_phone", e164="80002002", ip="203.0.113.9", device="Grandstream")
    client.force_login(AdminFactory())
    before = sent(portal_sim, "GetAllPhoneOnline")
    page = client.get(reverse("live_phones")).text
    assert "80002002" in page and "203.0.113.9" in page and "Grandstream" in page
    client.get(reverse("live_phones"), HTTP_HX_REQUEST="true")
    assert sent(portal_sim, "GetAllPhoneOnline") - before == 1
    row = PhoneRegistration.objects.get(e164="80002002")
    assert row.online and row.account == "manila-bpo" and row.registered_at
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    assert client.get(reverse("live_phones")).status_code == 404


def test_it_counts_the_dashboards_from_the_snapshots(client, calls, portal_sim):
    _server, tenants, _ids = calls
    people = users(tenants)
    client.force_login(people["admin"])
    before = sent(portal_sim, "GetCurrentCall")
    page = client.get(reverse("dashboard")).text
    assert 'id="live-panel"' in page
    client.get(reverse("dashboard"))
    assert sent(portal_sim, "GetCurrentCall") - before == 1
    assert sent(portal_sim, "GetAllPhoneOnline") <= 1
    client.force_login(people["globaltel"])
    fragment = client.get(reverse("live_dashboard"), HTTP_HX_REQUEST="true").text
    assert 'data-live="calls">1<' in fragment
    client.force_login(people["acme"])
    fragment = client.get(reverse("live_dashboard"), HTTP_HX_REQUEST="true").text
    assert 'data-live="calls">1<' in fragment
    # Without htmx, the fragment's URL opens the page that holds it.
    assert client.get(reverse("live_dashboard")).url == reverse("dashboard")


def test_it_keeps_platform_figures_without_a_vos_call_per_view(calls, portal_sim):
    from dashboard.selectors import platform_summary

    scope = Scope(user=AdminFactory())
    before = sent(portal_sim, "GetCurrentCall")
    for _ in range(5):
        summary = platform_summary(scope)
    assert summary["servers"][0]["calls"] == 2
    assert sent(portal_sim, "GetCurrentCall") - before == 1


def test_it_refreshes_only_the_scopes_servers(calls):
    server, tenants, _ids = calls
    scope = Scope(user=UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER))
    assert live_selectors.servers_for(scope) == [server]


def test_it_carries_the_snapshots_along_when_a_tenant_moves(calls):
    server, tenants, ids = calls
    live_state.refresh_if_due(server, live_state.CALLS)
    manila = tenants["manila"]
    manila.parent = tenants["skyvoice"]
    manila.save()
    manila.refresh_from_db()
    call = LiveCall.objects.get(server=server, call_id=ids["manila"])
    assert call.caller_path == manila.path
    skyvoice = Scope(user=UserFactory(tenant=tenants["skyvoice"], role=Role.RESELLER_MANAGER))
    assert [c.call_id for c in live_selectors.live_calls(skyvoice)] == [ids["manila"]]


def test_it_forgets_a_phones_cached_owner_when_the_phone_is_created_or_deleted(demo, admin_scope):
    from telephony.live import state as live_state
    from telephony.phones import services as phone_services

    server, tenants = demo
    assert live_state.owners_of(server, ["80002099"]) == {"80002099": ""}  # no such phone
    phone_services.create_phone(admin_scope, tenants["manila"], {"e164": "80002099"})
    assert live_state.owners_of(server, ["80002099"]) == {"80002099": "manila-bpo"}
    phone_services.delete_phone(admin_scope, tenants["manila"], {"e164": "80002099"})
    assert live_state.owners_of(server, ["80002099"]) == {"80002099": ""}


@pytest.mark.parametrize("url_name", ["live_calls", "live_phones"])
@pytest.mark.parametrize("q", ["80\x0000", "8" * 65])
def test_it_says_what_is_wrong_with_a_search_instead_of_failing(client, calls, url_name, q):
    _server, tenants, _ids = calls
    client.force_login(users(tenants)["admin"])
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(reverse(url_name), {"q": q, "state": "connected"}, **extra)
        assert page.status_code == 200
        assert 'role="alert"' in page.text
