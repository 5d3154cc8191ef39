"""Alerts against the simulator over HTTP: each kind told once per crossing (email and
notification), re-armed when the condition is gone, duplicates and replays harmless."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from alerts import services as alerts
from alerts import tasks as alert_tasks
from alerts.models import AlertKind, AlertSettings, AlertState, Notification
from alerts.tests.fixtures import link_demo_tenants
from billing.models import MoneySettings, MoneyTransfer
from switch import push_inbox, vos

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_vos_server):
    """Tenants linked to the simulator's demo platform."""
    return link_demo_tenants(demo_vos_server)


@pytest.fixture
def people(demo):
    _server, tenants = demo
    return {
        "owner": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER),
        "viewer": UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_VIEWER),
        "reseller": UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER),
        "other_customer": UserFactory(tenant=tenants["delhi"], role=Role.CUSTOMER_OWNER),
        "admin": AdminFactory(),
    }


def _told(user, kind=None):
    rows = Notification.objects.filter(user=user)
    return rows.filter(kind=kind) if kind else rows


def _report(capture, fn, *args):
    """Run an entry point and the tasks it enqueued after its commit."""
    with capture(execute=True):
        fn(*args)


# --- Low balance ---------------------------------------------------------------------------
def test_it_tells_a_low_balance_once_per_crossing(
    demo, people, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    server, _tenants = demo
    MoneySettings.current()  # default threshold 5.00
    run = django_capture_on_commit_callbacks

    _report(run, alerts.balance_changed, server, "manila-bpo", 3.0)
    _report(run, alerts.balance_changed, server, "manila-bpo", 3.0)  # a duplicate push
    _report(run, alerts.balance_changed, server, "manila-bpo", 2.5)  # still below
    assert _told(people["owner"]).count() == 1
    assert _told(people["reseller"]).count() == 1
    assert not _told(people["viewer"]).exists()  # owners are told, viewers read the page
    assert not _told(people["other_customer"]).exists()
    assert not _told(people["admin"]).exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [people["owner"].email, people["reseller"].email]
    )
    assert "Manila" in mailoutbox[0].subject and "3.00" in mailoutbox[0].body
    assert server.base_url not in mailoutbox[0].body

    # Back at the threshold: re-armed, nobody told; the next fall is told again.
    _report(run, alerts.balance_changed, server, "manila-bpo", 5.0)
    assert not AlertState.objects.get(kind=AlertKind.LOW_BALANCE, subject="manila-bpo").raised
    assert _told(people["owner"]).count() == 1
    _report(run, alerts.balance_changed, server, "manila-bpo", 1.0)
    assert _told(people["owner"]).count() == 2
    assert len(mailoutbox) == 4


def test_it_skips_an_account_that_never_had_money_until_it_is_topped_up(
    demo_vos_server, mailoutbox
):
    server, tenants = link_demo_tenants(demo_vos_server, funded=False)
    owner = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    MoneySettings.current()  # default threshold 5.00
    alerts.balance_changed(server, "manila-bpo", 0)  # just created at 0.00
    assert not _told(owner).exists()

    # Seen with money once: from then on a fall below the threshold is told.
    alerts.balance_changed(server, "manila-bpo", 20)
    alerts.balance_changed(server, "manila-bpo", 1)
    assert _told(owner, AlertKind.LOW_BALANCE).count() == 1

    # A top-up through the portal counts as funded too, even if no healthy balance was
    # read in between (the pay answer's balance may already be spent).
    delhi_owner = UserFactory(tenant=tenants["delhi"], role=Role.CUSTOMER_OWNER)
    alerts.balance_changed(server, "delhi-soft", 0)
    assert not _told(delhi_owner).exists()
    MoneyTransfer.objects.create(
        idempotency_key="alerts-funded",
        kind=MoneyTransfer.Kind.TOPUP,
        state=MoneyTransfer.State.SUCCEEDED,
        server=server,
        customer=tenants["delhi"],
        amount=Decimal("3.00"),
        requested_by=owner,
        tenant_path=tenants["delhi"].path,
    )
    alerts.balance_changed(server, "delhi-soft", 2)
    assert _told(delhi_owner, AlertKind.LOW_BALANCE).count() == 1


def test_it_measures_against_the_customers_own_threshold(demo, people):
    server, tenants = demo
    AlertSettings.objects.create(tenant=tenants["manila"], low_balance_threshold=Decimal("50"))
    alerts.balance_changed(server, "manila-bpo", 20)
    alerts.balance_changed(server, "delhi-soft", 20)  # default 5: fine
    assert _told(people["owner"]).count() == 1
    assert not _told(people["other_customer"]).exists()
    assert alerts.low_balance_threshold(tenants["delhi"]) == Decimal("5.00")


def test_it_ignores_accounts_it_does_not_know_and_never_breaks_the_caller(demo, people):
    server, _tenants = demo
    alerts.balance_changed(server, "nobody-here", 0)
    alerts.balance_changed(server, "manila-bpo", "not a number")
    alerts.alarms_reported(server, [{"no": "id"}, "garbage"])
    assert not Notification.objects.exists()


def test_it_alerts_on_a_balance_pushed_by_vos(demo, people, client, settings):
    server, _tenants = demo
    settings.VOS_PUSH_TOKEN = "push-token-alerts"
    url = reverse("vos_push_customer_money_change", args=["push-token-alerts", server.name])
    for _replay in range(3):
        answer = client.post(url, {"account": "manila-bpo", "money": 1.5}, "application/json")
        assert answer.json() == {"retCode": 0}
    # The receiver stores the pushes; their task (here the sweep's) applies them.
    push_inbox.sweep(older_than=0)
    assert _told(people["owner"], AlertKind.LOW_BALANCE).count() == 1


def test_it_alerts_on_a_balance_the_portal_read_from_vos(demo, people, client):
    """The money page reads the real balance from the simulator (GetCustomer)."""
    _server, tenants = demo
    AlertSettings.objects.create(
        tenant=tenants["manila"], low_balance_threshold=Decimal("999999999")
    )
    client.force_login(people["reseller"])
    for _reload in range(2):
        assert client.get(reverse("money_account", args=[tenants["manila"].pk])).status_code == 200
    assert _told(people["owner"]).count() == 1


# --- Alarms --------------------------------------------------------------------------------
def test_it_tells_admins_of_an_alarm_once_and_rearms_when_it_is_gone(
    demo, people, portal_sim, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    server, _tenants = demo
    admin = people["admin"]
    alarm_id = portal_sim.control("raise_alarm", name="CPU", level=3, value=97.5)["id"]
    run = django_capture_on_commit_callbacks

    for _poll in range(3):  # the probe polls GetAlarmCurrent each time
        _report(run, alert_tasks.probe_vos_server, server.pk)
    assert _told(admin, AlertKind.ALARM).count() == 1
    title = _told(admin, AlertKind.ALARM).get().title
    body = _told(admin, AlertKind.ALARM).get().body
    assert "CPU" in title and "Critical" in body
    assert not _told(people["owner"], AlertKind.ALARM).exists()
    assert [m.to for m in mailoutbox] == [[admin.email]]

    # A replay of the same push changes nothing either.
    current = vos.client_for(server).call("GetAlarmCurrent", {})["infoAlarmCurrents"]
    alerts.alarms_reported(server, current)
    assert _told(admin, AlertKind.ALARM).count() == 1

    portal_sim.control("clear_alarm", id=alarm_id)
    _report(run, alert_tasks.probe_vos_server, server.pk)
    assert not AlertState.objects.get(kind=AlertKind.ALARM, subject=str(alarm_id)).raised
    alerts.alarms_reported(server, current)  # the alarm is back (a new report says so)
    assert _told(admin, AlertKind.ALARM).count() == 2


# --- Unreachable ---------------------------------------------------------------------------
def test_it_tells_an_unreachable_server_once_and_when_it_answers_again(
    demo, people, portal_sim, settings, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    server, _tenants = demo
    settings.ALERTS_UNREACHABLE_AFTER = 2
    settings.ALERTS_POLL_ALARMS = False
    admin = people["admin"]
    run = django_capture_on_commit_callbacks
    portal_sim.control("fault", endpoint="GetSoftSwitch", mode="http500", count=1000)

    _report(run, alert_tasks.probe_vos_server, server.pk)
    assert not _told(admin).exists()  # one failed probe is no outage yet
    for _poll in range(3):
        _report(run, alert_tasks.probe_vos_server, server.pk)
    unreachable = _told(admin, AlertKind.UNREACHABLE)
    assert unreachable.count() == 1 and "unreachable" in unreachable.get().title
    assert server.base_url not in unreachable.get().body
    assert len(mailoutbox) == 1

    portal_sim.control("clear_faults")
    vos.forget_clients()  # the breaker's cool-down has not passed in a test's time
    _report(run, alert_tasks.probe_vos_server, server.pk)
    _report(run, alert_tasks.probe_vos_server, server.pk)
    assert not AlertState.objects.get(kind=AlertKind.UNREACHABLE, server=server).raised
    # "answers again" is in the list, not mailed.
    assert _told(admin, AlertKind.UNREACHABLE).count() == 2
    assert len(mailoutbox) == 1

    portal_sim.control("fault", endpoint="GetSoftSwitch", mode="reset", count=1000)
    for _poll in range(2):
        _report(run, alert_tasks.probe_vos_server, server.pk)
    assert _told(admin, AlertKind.UNREACHABLE).count() == 3
    assert len(mailoutbox) == 2


def test_it_probes_only_enabled_servers(demo, people):
    server, _tenants = demo
    server.enabled = False
    server.save()
    assert alert_tasks.probe_vos_servers() == 0
    assert alert_tasks.probe_vos_server(server.pk) == {"skipped": True}


def test_it_emails_each_notification_once_however_often_the_task_runs(demo, people, mailoutbox):
    _server, _tenants = demo
    ids = alerts.notify(
        AlertKind.LOW_BALANCE,
        [people["owner"], people["owner"]],
        title=lambda: "Low",
        body=lambda: "balance",
    )
    assert len(ids) == 1
    assert alert_tasks.email_notifications(ids) == 1
    assert alert_tasks.email_notifications(ids) == 0
    assert len(mailoutbox) == 1 and "/notifications/" in mailoutbox[0].body


def test_the_beat_runs_a_probe_task_the_worker_knows():
    from django.conf import settings

    from vosportal.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["probe-vos-servers"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == float(settings.ALERTS_PROBE_INTERVAL)


def test_someone_viewing_as_a_user_sees_the_list_but_does_not_read_it(client, demo):
    _server, tenants = demo
    owner = UserFactory(tenant=tenants["manila"], role=Role.CUSTOMER_OWNER)
    note = Notification.objects.create(user=owner, kind=AlertKind.LOW_BALANCE, title="Low")
    admin = AdminFactory()
    client.force_login(admin)
    client.post(reverse("view_as_start", args=[owner.pk]))
    assert f'data-notification="{note.pk}"' in client.get(reverse("notification_list")).text
    client.post(reverse("notification_read", args=[note.pk]))
    client.post(reverse("notification_read_all"))
    note.refresh_from_db()
    assert note.read_at is None


def test_a_page_of_balances_costs_a_few_queries_whatever_its_size(
    demo, people, django_assert_max_num_queries
):
    server, tenants = demo
    MoneySettings.current()
    accounts = [t.vos_account for t in tenants.values()]
    # Tenants, own thresholds, the default, raised states; a savepoint around them.
    with django_assert_max_num_queries(6):
        alerts.balances_changed(server, dict.fromkeys(accounts, 100))
