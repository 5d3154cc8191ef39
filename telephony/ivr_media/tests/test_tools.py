"""IVR tools (PlayAudio 2.60, GetIvrSecondAvailableTime 2.62) and media block IPs (2.80,
2.81) against the simulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory
from switch import vos
from telephony.models import MediaBlockIp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = AdminFactory()
    client.force_login(user)
    return user


@pytest.fixture
def auditor(client):
    user = UserFactory(tenant=AdminFactory().tenant, role=Role.PLATFORM_AUDITOR)
    client.force_login(user)
    return user


@pytest.fixture
def access_phone(vos_server, admin):
    """Account ivr-co with 50 in it and its access number 8001 (password 4321)."""
    scope = Scope(user=admin)
    vos.call(scope, vos_server, "CreateCustomer", {"account": "ivr-co", "money": 50})
    vos.call(
        scope,
        vos_server,
        "CreatePhone",
        {"e164": "8001", "account": "ivr-co", "autoCreateAccount": False, "password": "4321"},
    )
    return vos_server


# --- IVR tools ----------------------------------------------------------------------------
def test_it_plays_audio_through_the_switch_and_keeps_the_password_out_of_the_audit(
    client, access_phone, portal_sim
):
    server = access_phone
    response = client.post(
        reverse("ivr_tools"),
        {
            "server": server.pk,
            "audioes": "welcome,bye",
            "callee": "5551234",
            "accessE164": "8001",
            "accessE164Password": "4321",
        },
    )
    assert response.status_code == 302
    sent = portal_sim.control("requests", endpoint="PlayAudio")["requests"]
    assert [r["retCode"] for r in sent] == [0]
    assert sent[0]["body"]["audioes"] == "welcome,bye"
    event = AuditEvent.objects.get(vos_endpoint="PlayAudio")
    assert event.result == "ok" and "4321" not in str(event.payload)


def test_it_shows_a_refused_play_on_the_form(client, access_phone):
    response = client.post(
        reverse("ivr_tools"),
        {
            "server": access_phone.pk,
            "audioes": "welcome",
            "callee": "5551234",
            "accessE164": "8001",
            "accessE164Password": "wrong",
        },
    )
    assert response.status_code == 200
    assert "The switch refused the request" in response.text
    assert 'value="wrong"' not in response.text  # a password is never rendered back


def test_it_asks_the_second_lines_remaining_time(client, access_phone, admin):
    response = client.get(
        reverse("ivr_tools"),
        {
            "tool": "time",
            "server": access_phone.pk,
            "billingName": "8001",
            "billingMode": 0,
            "calleeE164": "5551234",
        },
    )
    assert response.status_code == 200
    assert "ivr-co" in response.text
    assert "seconds" in response.text or "reason" in response.text


def test_it_shows_an_unknown_billing_name_in_words(client, access_phone, admin):
    response = client.get(
        reverse("ivr_tools"),
        {
            "tool": "time",
            "server": access_phone.pk,
            "billingName": "nobody",
            "billingMode": 0,
            "calleeE164": "5551234",
        },
    )
    assert response.status_code == 200 and "The switch refused the request" in response.text


def test_it_lets_auditors_ask_the_time_but_not_play(client, access_phone, auditor, portal_sim):
    page = client.get(
        reverse("ivr_tools"),
        {
            "tool": "time",
            "server": access_phone.pk,
            "billingName": "8001",
            "billingMode": 0,
            "calleeE164": "5551234",
        },
    )
    assert page.status_code == 200 and "ivr-co" in page.text
    assert "Call and play" not in page.text
    refused = client.post(
        reverse("ivr_tools"),
        {
            "server": access_phone.pk,
            "audioes": "welcome",
            "callee": "5551234",
            "accessE164": "8001",
            "accessE164Password": "4321",
        },
    )
    assert refused.status_code == 404
    assert portal_sim.control("stats")["requests"].get("PlayAudio", 0) == 0


# --- media block IPs ----------------------------------------------------------------------
def test_it_blocks_and_unblocks_an_address_in_vos_and_records_it(
    client, vos_server, admin, portal_sim
):
    url = reverse("media_block_list")
    response = client.post(url, {"server": vos_server.pk, "ip": " 10.1.2.3 ", "memo": "spam"})
    assert response.status_code == 302
    assert portal_sim.control("media_block_ips")["ips"] == {"10.1.2.3": "spam"}
    row = MediaBlockIp.objects.get()
    assert (row.ip, row.memo, row.blocked_by) == ("10.1.2.3", "spam", admin)
    page = client.get(url)
    assert "10.1.2.3" in page.text and admin.email in page.text

    client.post(url, {"server": vos_server.pk, "ip": "192.168.0.0/16"})
    assert set(portal_sim.control("media_block_ips")["ips"]) == {"10.1.2.3", "192.168.0.0/16"}

    unblock = reverse("media_block_delete", args=[row.pk])
    assert client.get(unblock).status_code == 200
    assert client.post(unblock, {"confirm": "yes"}).status_code == 302
    assert set(portal_sim.control("media_block_ips")["ips"]) == {"192.168.0.0/16"}
    assert list(MediaBlockIp.objects.values_list("ip", flat=True)) == ["192.168.0.0/16"]

    actions = list(
        AuditEvent.objects.filter(action__startswith="media_block_ip.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "media_block_ip.create",
        "media_block_ip.create",
        "media_block_ip.delete",
    ]
    deleted = AuditEvent.objects.get(action="media_block_ip.delete")
    assert deleted.before == {"server": "main", "ip": "10.1.2.3", "memo": "spam"}


def test_it_records_nothing_when_vos_refuses_or_fails(client, vos_server, admin, portal_sim):
    url = reverse("media_block_list")
    # Blocked outside the portal: VOS refuses the second block.
    vos.call(Scope(user=admin), vos_server, "CreateMediaBlockIp", {"ip": "10.0.0.9"})
    refused = client.post(url, {"server": vos_server.pk, "ip": "10.0.0.9"})
    assert refused.status_code == 200 and "The switch refused the request" in refused.text
    vos_server.base_url = "http://127.0.0.1:9/external/server/"  # nobody listens there
    vos_server.save()
    failed = client.post(url, {"server": vos_server.pk, "ip": "10.0.0.10"})
    assert failed.status_code == 200 and "cannot be reached" in failed.text
    assert "127.0.0.1" not in failed.text
    assert not MediaBlockIp.objects.exists()
    assert not AuditEvent.objects.filter(action="media_block_ip.create").exists()
    results = AuditEvent.objects.filter(vos_endpoint="CreateMediaBlockIp").values_list(
        "result", flat=True
    )
    assert sorted(results) == ["error", "error", "ok"]


def test_it_undoes_a_block_vos_may_have_applied_without_answering(
    client, vos_server, admin, portal_sim
):
    """VOS cannot be asked what it blocks: after a lost answer the portal unblocks again,
    so that VOS and the portal's record agree (nothing blocked, nothing recorded)."""
    portal_sim.control("fault", endpoint="CreateMediaBlockIp", mode="timeout_after", seconds=0.5)
    vos_server.read_timeout = 0.2
    vos_server.save()
    failed = client.post(reverse("media_block_list"), {"server": vos_server.pk, "ip": "10.0.0.9"})
    assert "the block was undone" in failed.text
    assert portal_sim.control("media_block_ips")["ips"] == {}
    assert not MediaBlockIp.objects.exists()
    assert (
        client.post(
            reverse("media_block_list"), {"server": vos_server.pk, "ip": "10.0.0.9"}
        ).status_code
        == 302
    )
    assert portal_sim.control("media_block_ips")["ips"] == {"10.0.0.9": ""}


def test_it_refuses_a_bad_or_duplicate_address_before_asking_vos(
    client, vos_server, admin, portal_sim
):
    url = reverse("media_block_list")
    bad = client.post(url, {"server": vos_server.pk, "ip": "10.0.0.300"})
    assert "Enter an IP address or a network" in bad.text
    client.post(url, {"server": vos_server.pk, "ip": "10.0.0.1"})
    again = client.post(url, {"server": vos_server.pk, "ip": "10.0.0.1"})
    assert "blocked this address already" in again.text
    assert portal_sim.control("stats")["requests"]["CreateMediaBlockIp"] == 1


def test_it_keeps_the_record_when_unblocking_fails(client, vos_server, admin, portal_sim):
    client.post(reverse("media_block_list"), {"server": vos_server.pk, "ip": "10.0.0.1"})
    row = MediaBlockIp.objects.get()
    portal_sim.control("fault", endpoint="DeleteMediaBlockIp", mode="http500")
    answer = client.post(reverse("media_block_delete", args=[row.pk]), {}, HTTP_HX_REQUEST="true")
    assert answer["HX-Reswap"] == "none"
    assert MediaBlockIp.objects.filter(pk=row.pk).exists()
    assert portal_sim.control("media_block_ips")["ips"] == {"10.0.0.1": ""}


def test_it_forgets_an_address_the_switch_no_longer_blocks(client, vos_server, admin):
    client.post(reverse("media_block_list"), {"server": vos_server.pk, "ip": "10.0.0.1"})
    row = MediaBlockIp.objects.get()
    vos.call(Scope(user=admin), vos_server, "DeleteMediaBlockIp", {"ip": "10.0.0.1"})
    answer = client.post(reverse("media_block_delete", args=[row.pk]), {"confirm": "yes"})
    assert answer.status_code == 302
    assert not MediaBlockIp.objects.exists()


def test_it_lets_auditors_see_blocks_but_not_change_them(client, vos_server, auditor, portal_sim):
    row = MediaBlockIp.objects.create(server=vos_server, ip="10.0.0.1")
    page = client.get(reverse("media_block_list"))
    assert page.status_code == 200 and "10.0.0.1" in page.text and "Block media" not in page.text
    assert (
        client.post(
            reverse("media_block_list"), {"server": vos_server.pk, "ip": "10.0.0.2"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("media_block_delete", args=[row.pk]), {"confirm": "yes"}).status_code
        == 404
    )
    assert portal_sim.control("stats")["requests"] == {}
