"""The alert pages (notifications, thresholds) and the platform's operations pages
(health, alarms, soft switch and performance) against the simulator over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from alerts import services as alerts
from alerts.models import AlertKind, AlertSettings, Notification
from alerts.tests.fixtures import link_demo_tenants
from billing.money.services import remember_balance
from switch import vos
from vos3000.errors import VosUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_vos_server):
    """Tenants linked to the simulator's demo platform."""
    return link_demo_tenants(demo_vos_server)


def _notify(user, title="Low balance: Manila"):
    return Notification.objects.create(
        user=user, kind=AlertKind.LOW_BALANCE, title=title, body="below"
    )


# --- Notifications -------------------------------------------------------------------------
def test_it_lists_only_the_users_own_notifications_with_the_unread_count(client, demo):
    _server, tenants = demo
    mine = UserFactory(tenant=tenants["manila"])
    theirs = UserFactory(tenant=tenants["delhi"])
    _notify(mine, "Mine one")
    _notify(mine, "Mine two")
    _notify(theirs, "Theirs")
    client.force_login(mine)
    page = client.get(reverse("notification_list")).text
    assert "Mine one" in page and "Mine two" in page and "Theirs" not in page
    assert "2 unread" in page
    assert "data-unread-count>2<" in page  # the badge in the navigation, on every page
    assert "data-unread-count>2<" in client.get(reverse("dashboard")).text


def test_it_marks_one_read_with_htmx_or_without_and_refuses_foreign_ones(client, demo):
    _server, tenants = demo
    mine = UserFactory(tenant=tenants["manila"])
    theirs = _notify(UserFactory(tenant=tenants["delhi"]))
    first, second = _notify(mine), _notify(mine)
    client.force_login(mine)

    assert client.get(reverse("notification_read", args=[first.pk])).status_code == 405
    answer = client.post(reverse("notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "<html" not in answer.text
    assert f'id="notification-{first.pk}"' in answer.text and "1 unread" in answer.text
    answer = client.post(reverse("notification_read", args=[second.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("notification_list")
    assert Notification.objects.filter(user=mine, read_at__isnull=True).count() == 0

    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_all_read(client, demo):
    _server, tenants = demo
    mine = UserFactory(tenant=tenants["manila"])
    other = UserFactory(tenant=tenants["delhi"])
    for _n in range(3):
        _notify(mine)
    _notify(other)
    client.force_login(mine)
    answer = client.post(reverse("notification_read_all"), HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Redirect"] == reverse("notification_list")
    assert not Notification.objects.filter(user=mine, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


# --- Thresholds ----------------------------------------------------------------------------
def test_it_lets_the_customer_owner_set_its_own_threshold(client, demo):
    _server, tenants = demo
    owner = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    client.force_login(owner)
    settings_page = client.get(reverse("alert_settings"))
    url = reverse("customer_alerts", args=[tenants["manila"].pk])
    assert settings_page.status_code == 302 and settings_page["Location"] == url
    page = client.get(url).text
    assert "Low-balance alert" in page and 'name="low_balance_threshold"' in page
    assert client.post(url, {"low_balance_threshold": "25.50"}).status_code == 302
    assert AlertSettings.objects.get(tenant=tenants["manila"]).low_balance_threshold == Decimal(
        "25.50"
    )
    event = AuditEvent.objects.get(action="alerts.threshold.set")
    assert event.after == {"low_balance_threshold": "25.50"} and event.actor == owner

    # Bad input: a clear message, nothing saved.
    for bad in ("-1", "abc", "1.234"):
        answer = client.post(url, {"low_balance_threshold": bad})
        assert answer.status_code == 200 and 'class="field-error"' in answer.text
    assert AlertSettings.objects.get(tenant=tenants["manila"]).low_balance_threshold == Decimal(
        "25.50"
    )
    # Empty: back to the platform's default.
    client.post(url, {"low_balance_threshold": ""})
    assert AlertSettings.objects.get(tenant=tenants["manila"]).low_balance_threshold is None
    assert alerts.low_balance_threshold(tenants["manila"]) == Decimal("5.00")


def test_it_lets_the_reseller_set_its_customers_threshold_but_not_another_subtrees(client, demo):
    _server, tenants = demo
    reseller = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(reseller)
    # Its own customer, and the sub-reseller's customer below it.
    for key in ("manila", "cafe"):
        url = reverse("customer_alerts", args=[tenants[key].pk])
        assert client.post(url, {"low_balance_threshold": "12"}).status_code == 302
        assert AlertSettings.objects.get(tenant=tenants[key]).low_balance_threshold == 12
    # SkyVoice's customer: not its business.
    foreign = reverse("customer_alerts", args=[tenants["sakura"].pk])
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"low_balance_threshold": "12"}).status_code == 404
    assert not AlertSettings.objects.filter(tenant=tenants["sakura"]).exists()
    # The tab is on the customer's pages.
    tabs = client.get(reverse("customer_detail", args=[tenants["manila"].pk])).text
    assert reverse("customer_alerts", args=[tenants["manila"].pk]) in tabs


def test_it_shows_a_viewer_the_threshold_without_a_form(client, demo):
    _server, tenants = demo
    viewer = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_VIEWER)
    client.force_login(viewer)
    url = reverse("customer_alerts", args=[tenants["manila"].pk])
    page = client.get(url).text
    assert "5.00" in page and 'name="low_balance_threshold"' not in page
    assert client.post(url, {"low_balance_threshold": "1"}).status_code == 404
    other = reverse("customer_alerts", args=[tenants["delhi"].pk])
    assert client.get(other).status_code == 404


# --- Health --------------------------------------------------------------------------------
def test_the_health_page_shows_the_breaker_open_after_faults_and_no_address(
    client, demo, portal_sim
):
    server, _tenants = demo
    admin = AdminFactory()
    client.force_login(admin)
    portal_sim.control("fault", endpoint="GetCustomer", mode="http500", count=1000)
    client_for = vos.client_for(server)
    for _call in range(3):
        with pytest.raises(VosUnavailable):
            client_for.call("GetCustomer", {"accounts": ["acme"]})
    assert client_for.stats()["breaker"]["state"] == "open"

    page = client.get(reverse("ops_health")).text
    assert 'data-breaker="open"' in page and "open (calls fail at once)" in page
    assert "calls are paused after repeated failures" in page  # the last failure, in words
    assert server.base_url not in page and portal_sim.base_url not in page
    assert "127.0.0.1" not in page and server.masked_url in page
    partial = client.get(reverse("ops_health"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.text


def test_probing_from_the_health_page_shows_reachability_and_latency(client, demo, portal_sim):
    _server, _tenants = demo
    client.force_login(AdminFactory())
    answer = client.post(reverse("ops_health_probe"))
    assert answer.status_code == 302
    page = client.get(reverse("ops_health")).text
    assert 'data-reachability="up"' in page and "answered in" in page
    assert 'data-process="web"' in page


def test_an_auditor_reads_the_operations_pages_but_changes_nothing(client, demo, portal_sim):
    auditor = UserFactory(tenant=AdminFactory().tenant, role=Role.PLATFORM_AUDITOR)
    client.force_login(auditor)
    assert client.get(reverse("ops_health")).status_code == 200
    assert client.post(reverse("ops_health_probe")).status_code == 404
    page = client.get(reverse("ops_alarms")).text
    assert "Raise the alarm" not in page
    assert client.post(reverse("ops_alarm_create"), {"name": "x"}).status_code == 404
    assert client.get(reverse("ops_switch")).status_code == 200


# --- Alarms --------------------------------------------------------------------------------
def test_the_alarm_page_shows_current_alarms_in_words(client, demo, portal_sim):
    server, _tenants = demo
    portal_sim.control("raise_alarm", name="Harddisk", level=2, value=91, memo="disk /var")
    client.force_login(AdminFactory())
    page = client.get(reverse("ops_alarms")).text
    assert "Harddisk" in page and "Major" in page and "disk /var" in page
    assert server.base_url not in page


def test_it_raises_an_alarm_from_the_catalog_form_audited(client, demo, portal_sim):
    server, _tenants = demo
    admin = AdminFactory()
    client.force_login(admin)
    form_page = client.get(reverse("ops_alarms")).text
    for field in ("name", "level", "value", "alarmInfo", "upper", "lower", "start", "stop"):
        assert f'name="{field}"' in form_page
    answer = client.post(
        reverse("ops_alarm_create"),
        {
            "server": server.pk,
            "name": "Portal check",
            "level": "1",
            "value": "3",
            "alarmInfo": "raised from the portal",
            "upper": "10",
            "lower": "1",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("ops_alarms")
    current = vos.client_for(server).call("GetAlarmCurrent", {})["infoAlarmCurrents"]
    assert [(a["name"], a["level"], a["memo"]) for a in current] == [
        ("Portal check", 1, "raised from the portal")
    ]
    event = AuditEvent.objects.get(action="vos.CreateAlarm")
    assert event.result == "ok" and event.actor == admin and event.vos_server == server.name
    assert "Portal check" in client.get(reverse("ops_alarms")).text


def test_it_refuses_a_bad_alarm_and_sends_nothing(client, demo, portal_sim):
    server, _tenants = demo
    client.force_login(AdminFactory())
    answer = client.post(
        reverse("ops_alarm_create"),
        {"server": server.pk, "name": "", "level": "9", "upper": "1", "lower": "5"},
    )
    assert answer.status_code == 200 and 'class="field-error"' in answer.text
    assert vos.client_for(server).call("GetAlarmCurrent", {})["infoAlarmCurrents"] == []
    assert not AuditEvent.objects.filter(action="vos.CreateAlarm").exists()


def test_the_alarm_page_says_vos_errors_in_words(client, demo, portal_sim):
    server, _tenants = demo
    client.force_login(AdminFactory())
    portal_sim.control("fault", endpoint="GetAlarmCurrent", mode="garbage", count=3)
    answer = client.get(reverse("ops_alarms"))
    assert answer.status_code == 200
    assert "cannot be reached" in answer.text or "did not answer" in answer.text
    assert server.base_url not in answer.text
    portal_sim.control("fault", endpoint="CreateAlarm", mode="http500", count=1)
    answer = client.post(reverse("ops_alarm_create"), {"server": server.pk, "name": "x"})
    # An HTTP 500 after sending: VOS may have made it, and the page says so.
    assert answer.status_code == 200 and "may or may not have been made" in answer.text
    assert AuditEvent.objects.get(action="vos.CreateAlarm").result == "unknown"


# --- Soft switch and performance -----------------------------------------------------------
def test_the_switch_page_shows_every_field_in_words_but_no_address(client, demo, portal_sim):
    server, _tenants = demo
    client.force_login(AdminFactory())
    page = client.get(reverse("ops_switch")).text
    for label in (
        "Softswitch name",
        "Softswitch ID",
        "Created",
        "Last access",
        "Access address",
        "Memo",
        "Current calls",
        "CDR queue size",
    ):
        assert label in page
    assert "VOS3000-SIM" in page and "withheld" in page
    assert "127.0.0.1" not in page and server.base_url not in page
    one = client.get(reverse("ops_switch"), {"server": server.pk}, HTTP_HX_REQUEST="true")
    assert one.status_code == 200 and "<html" not in one.text and "VOS3000-SIM" in one.text


def test_the_switch_page_says_vos_errors_in_words(client, demo, portal_sim):
    server, _tenants = demo
    client.force_login(AdminFactory())
    portal_sim.control("fault", endpoint="GetPerformance", mode="http500", count=3)
    answer = client.get(reverse("ops_switch"))
    assert answer.status_code == 200 and "The switch cannot be reached" in answer.text
    assert server.base_url not in answer.text


def test_a_threshold_raised_above_the_last_known_balance_is_a_crossing(client, demo):
    server, tenants = demo
    owner = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    remember_balance(server, "manila-bpo", 40, source="push")  # VOS's last word, above 5
    assert not Notification.objects.filter(user=owner).exists()
    client.force_login(owner)
    url = reverse("customer_alerts", args=[tenants["manila"].pk])
    client.post(url, {"low_balance_threshold": "50"})
    client.post(url, {"low_balance_threshold": "60"})  # still below: no second alert
    assert Notification.objects.filter(user=owner, kind=AlertKind.LOW_BALANCE).count() == 1
    assert 'data-alert-state="raised"' in client.get(url).text


# --- Limits and levels in words ------------------------------------------------------------
UNLIMITED = 2147483647


def test_it_shows_the_unlimited_sentinel_and_the_level_in_words(client, demo, portal_sim):
    portal_sim.control(
        "raise_alarm", name="Concurrency", level=2, value=float(UNLIMITED), upper=float(UNLIMITED)
    )
    client.force_login(AdminFactory())
    page = client.get(reverse("ops_alarms")).text
    table = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]  # the form's max is not shown
    assert "Concurrency" in table and "no limit" in table and "Major" in table
    assert str(UNLIMITED) not in table and "(level" not in page


def test_it_shows_an_alarms_level_the_same_way_on_the_live_panel(client, demo):
    from django.utils import timezone

    from telephony.models import CurrentAlarm

    server, _tenants = demo
    CurrentAlarm.objects.create(
        server=server, alarm_id=7, name="Harddisk", level=2, started_at=timezone.now()
    )
    client.force_login(AdminFactory())
    panel = client.get(reverse("live_dashboard"), HTTP_HX_REQUEST="true").text
    assert "Harddisk" in panel and 'data-alarm-level="2">Major<' in panel
    assert "level 2" not in panel and "(level" not in panel


@pytest.mark.parametrize("who", ["reseller", "customer"])
def test_it_shows_an_unlimited_overdraft_as_no_limit(client, demo, who):
    server, tenants = demo
    vos.client_for(server).call(
        "ModifyCustomer", {"account": "manila-bpo", "limitMoney": UNLIMITED}
    )
    if who == "reseller":
        client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
        pages = [
            client.get(reverse("customer_detail", args=[tenants["manila"].pk])).text,
            client.get(reverse("customer_list")).text,
        ]
    else:
        client.force_login(UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER))
        pages = [client.get(reverse("dashboard")).text]
    for page in pages:
        assert "no limit" in page
        assert "2,147,483,647" not in page and str(UNLIMITED) not in page
