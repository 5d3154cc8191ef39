"""Pulling CDRs from the simulator over HTTP: every day once, late records, the range
cap, VOS going down mid-pull, the watermark, the lock, retention and the admin pages.
Totals are checked per day against what VOS's own GetCdr answers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from billing.cdrs import pull as cdr_pull
from billing.cdrs import store as cdr_store
from billing.cdrs import tasks as cdr_tasks
from billing.models import Cdr, CdrPullDay, CdrPullJob
from customers.services import sync_tenants_from_vos
from switch import vos
from switch.vos import client_for

pytestmark = pytest.mark.dates

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _still_clock(frozen_clock):
    """The clock stands still in each test: the simulator's demo history (the days
    before the day it was reset) and the test's "today" are the same day's, even when
    a run passes midnight UTC between the two (``make test-clock``)."""
    return frozen_clock


@pytest.fixture(autouse=True)
def pull_settings(settings):
    settings.CDR_PULL_PACE_SECONDS = 0
    # One fetcher: the calls (and the faults injected between them) come in a fixed
    # order. Several fetchers: test_pull_fetchers.py.
    settings.CDR_PULL_FETCHERS = 1
    settings.CDR_PULL_BACKFILL_DAYS = 4
    settings.CDR_PULL_RELOOK_DAYS = 1
    settings.CDR_PULL_MAX_DAYS = 1
    settings.CDR_PULL_ACCOUNT_BATCH = 3  # several batches per window
    settings.CDR_PULL_RETRY_SECONDS = 300
    settings.CDR_RETENTION_MONTHS = 0
    return settings


def sim_now(portal_sim) -> datetime:
    return datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC)


def vos_per_day(server, first: date, last: date) -> Counter:
    """What VOS itself has, per UTC day, for every account of the server."""
    client = client_for(server)
    accounts = client.call("GetAllCustomers", {})["accounts"]
    counts: Counter = Counter()
    day = first
    while day <= last:
        answer = client.call(
            "GetCdr",
            {"accounts": accounts, "beginTime": f"{day:%Y%m%d}", "endTime": f"{day:%Y%m%d}"},
        )
        counts[day] = len(answer.get("infoCdrs") or [])
        day += DAY
    return counts


def local_per_day(server, first: date, last: date) -> Counter:
    counts: Counter = Counter()
    for start in Cdr.objects.filter(server_id=server.pk).values_list("start", flat=True):
        day = start.astimezone(UTC).date()
        if first <= day <= last:
            counts[day] += 1
    return counts


def assert_same_as_vos(server, first: date, last: date) -> None:
    expected = vos_per_day(server, first, last)
    assert sum(expected.values()) > 0
    assert local_per_day(server, first, last) == +expected
    assert Cdr.objects.values("natural_key").distinct().count() == Cdr.objects.count()
    for row in CdrPullDay.objects.filter(server=server, day__gte=first, day__lte=last):
        assert row.fetched == expected[row.day], row.day


def test_it_pulls_every_owed_day_and_a_repull_adds_nothing(demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    today = now.date()

    job = cdr_pull.pull_server(demo_vos_server, now=now)

    assert job.status == CdrPullJob.Status.DONE and job.error == ""
    assert (job.first_day, job.last_day) == (today - 4 * DAY, today)
    assert job.inserted == job.fetched == Cdr.objects.count() > 0
    assert job.batches_done == job.batches_total == 5 * len(cdr_pull_accounts(demo_vos_server))
    assert job.vos_calls == 1 + job.batches_total  # GetAllCustomers, then GetCdr
    assert cdr_pull.watermark(demo_vos_server) == today
    assert set(CdrPullDay.objects.values_list("status", flat=True)) == {"done"}
    assert_same_as_vos(demo_vos_server, today - 4 * DAY, today)
    stored = Cdr.objects.count()

    again = cdr_pull.pull_server(demo_vos_server, now=now)

    # Only the relook (yesterday) and today again, and nothing new in them.
    assert (again.first_day, again.last_day) == (today - DAY, today)
    assert again.fetched > 0 and again.inserted == 0
    assert Cdr.objects.count() == stored
    assert_same_as_vos(demo_vos_server, today - 4 * DAY, today)


def cdr_pull_accounts(server) -> list[list[str]]:
    accounts = client_for(server).call("GetAllCustomers", {})["accounts"]
    return [accounts[n : n + 3] for n in range(0, len(accounts), 3)]


def test_it_stores_accounts_without_a_tenant_and_the_sync_adopts_them(demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    cdr_pull.pull_server(demo_vos_server, now=now)
    assert Cdr.objects.count() > 0
    assert not Cdr.objects.filter(tenant__isnull=False).exists()

    sync_tenants_from_vos(demo_vos_server)

    cafe = Tenant.objects.get(vos_account="cafe-roma")
    rows = Cdr.objects.filter(account="cafe-roma")
    assert rows.exists()
    assert set(rows.values_list("tenant_id", "tenant_path")) == {(cafe.pk, cafe.path)}


def test_it_picks_up_a_late_record_exactly_once(demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    yesterday = now.date() - DAY
    cdr_pull.pull_server(demo_vos_server, now=now)
    before = Cdr.objects.count()
    noon = datetime(yesterday.year, yesterday.month, yesterday.day, 12, 0, 7, tzinfo=UTC)
    start_ms = int(noon.timestamp() * 1000)
    client_for(demo_vos_server).call(
        "CreateCdr",
        {
            "billingMode": 0,
            "account": "acme",
            "callerE164": "5550001",
            "calleeE164": "4420799990001",
            "startTime": start_ms,
            "stopTime": start_ms + 93_000,
            "billingTime": 93,
        },
    )

    job = cdr_pull.pull_server(demo_vos_server, now=now)
    again = cdr_pull.pull_server(demo_vos_server, now=now)

    assert job.inserted == 1 and again.inserted == 0
    assert Cdr.objects.count() == before + 1
    late = Cdr.objects.get(callee_e164="4420799990001")
    assert late.start == noon and late.hold_time == 93
    assert_same_as_vos(demo_vos_server, now.date() - 4 * DAY, now.date())


def test_it_splits_windows_the_server_finds_too_wide(demo_vos_server, portal_sim, settings):
    settings.CDR_PULL_MAX_DAYS = 4
    settings.CDR_PULL_BACKFILL_DAYS = 9
    portal_sim.control("settings", cdr_max_days=1)
    try:
        now = sim_now(portal_sim)
        job = cdr_pull.pull_server(demo_vos_server, now=now)
    finally:
        portal_sim.control("settings", cdr_max_days=31)

    assert job.status == CdrPullJob.Status.DONE, job.error
    batches = len(cdr_pull_accounts(demo_vos_server))
    # One refused call of 4 days, one of 2, then one day per call for the rest of the run.
    assert job.batches_done == job.batches_total == 10 * batches
    assert job.vos_calls == 1 + 2 + 10 * batches
    assert_same_as_vos(demo_vos_server, now.date() - 9 * DAY, now.date())
    assert cdr_pull.watermark(demo_vos_server) == now.date()


def test_it_resumes_after_vos_goes_down_mid_pull_with_nothing_lost_or_doubled(
    demo_vos_server, portal_sim, monkeypatch
):
    batches = len(cdr_pull_accounts(demo_vos_server))
    assert batches > 1
    paces = []

    def pace_then_break():
        # Between two calls: once the first day and the second day's first batch are
        # in, VOS stops answering properly (HTTP 500 to everything, retries included).
        paces.append(1)
        if len(paces) == batches + 2:
            portal_sim.control("fault", endpoint="*", mode="http500", count=1000)

    monkeypatch.setattr(cdr_pull, "_pace", pace_then_break)
    now = sim_now(portal_sim)
    today = now.date()

    failed = cdr_pull.pull_server(demo_vos_server, now=now)
    portal_sim.control("clear_faults")

    assert failed.status == CdrPullJob.Status.FAILED
    assert "switch" in failed.error and "1 day failed" in failed.error
    assert demo_vos_server.base_url not in failed.error and "127.0.0.1" not in failed.error
    days = {row.day: row for row in CdrPullDay.objects.filter(server=demo_vos_server)}
    first = today - 4 * DAY
    assert days[first].status == "done"
    assert days[first + DAY].status == "failed"
    assert days[first + DAY].error and "127.0.0.1" not in days[first + DAY].error
    assert days[first + DAY].retry_after == now + timedelta(seconds=300)
    assert {days[d].status for d in days if d > first + DAY} == {"owed"}
    assert cdr_pull.watermark(demo_vos_server) == first

    # Before the retry is due, a scheduled run leaves the failed day alone...
    vos.forget_clients()  # time passes: the client's breaker has cooled down
    monkeypatch.setattr(cdr_pull, "_pace", lambda: None)
    early = cdr_pull.pull_server(demo_vos_server, now=now + timedelta(seconds=60))
    assert early.first_day == first + 2 * DAY
    assert cdr_pull.watermark(demo_vos_server) == first
    # ...and takes it once it is.
    later_now = now + timedelta(seconds=301)
    later = cdr_pull.pull_server(demo_vos_server, now=later_now)

    assert later.status == CdrPullJob.Status.DONE
    assert later.first_day == first + DAY
    # Up to the day of the later run: five minutes after 23:58 UTC is tomorrow.
    assert cdr_pull.watermark(demo_vos_server) == later_now.date()
    assert_same_as_vos(demo_vos_server, first, today)


def test_it_backs_off_a_day_that_keeps_failing(demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    portal_sim.control("fault", endpoint="GetCdr", mode="garbage", count=1000)
    try:
        first = cdr_pull.pull_server(demo_vos_server, now=now)
        vos.forget_clients()
        second = cdr_pull.pull_server(demo_vos_server, now=now + timedelta(seconds=301))
    finally:
        portal_sim.control("clear_faults")
    assert first.status == second.status == CdrPullJob.Status.FAILED
    row = CdrPullDay.objects.get(server=demo_vos_server, day=now.date() - 4 * DAY)
    assert row.attempts == 2
    assert row.retry_after == now + timedelta(seconds=301 + 600)
    assert cdr_pull.retry_delay(20) == timedelta(days=1)


def test_it_fails_the_job_in_words_when_the_account_list_cannot_be_read(
    demo_vos_server, portal_sim
):
    portal_sim.control("fault", endpoint="GetAllCustomers", mode="http500", count=3)
    job = cdr_pull.pull_server(demo_vos_server, now=sim_now(portal_sim))
    assert job.status == CdrPullJob.Status.FAILED
    assert "switch" in job.error and "5 more days wait" in job.error
    assert set(CdrPullDay.objects.values_list("status", flat=True)) == {"owed"}


def test_it_runs_one_pull_per_server_at_a_time(demo_vos_server, portal_sim):
    cache.add(cdr_pull.lock_key(demo_vos_server.pk), "another worker", 60)
    assert cdr_pull.pull_server(demo_vos_server, now=sim_now(portal_sim)) is None
    assert not CdrPullJob.objects.exists()
    cache.delete(cdr_pull.lock_key(demo_vos_server.pk))
    assert cdr_pull.pull_server(demo_vos_server, now=sim_now(portal_sim)) is not None
    assert cache.get(cdr_pull.lock_key(demo_vos_server.pk)) is None


def test_a_crash_half_way_leaves_no_half_pulled_day_done(demo_vos_server, portal_sim, monkeypatch):
    now = sim_now(portal_sim)
    real_store = cdr_store.store
    stored = []

    def store_then_crash(server, infos):
        stored.append(1)
        if len(stored) == 2:  # the second batch of the first day
            raise RuntimeError("disk full")
        return real_store(server, infos)

    monkeypatch.setattr(cdr_store, "store", store_then_crash)
    with pytest.raises(RuntimeError):
        cdr_pull.pull_server(demo_vos_server, now=now)
    job = CdrPullJob.objects.get()
    assert job.status == CdrPullJob.Status.FAILED and "internal error" in job.error
    assert not CdrPullDay.objects.filter(status="done").exists()
    assert cache.get(cdr_pull.lock_key(demo_vos_server.pk)) is None

    monkeypatch.setattr(cdr_store, "store", real_store)
    assert cdr_pull.pull_server(demo_vos_server, now=now).status == CdrPullJob.Status.DONE
    assert_same_as_vos(demo_vos_server, now.date() - 4 * DAY, now.date())


def test_a_job_left_running_by_a_dead_worker_is_closed_by_the_next_pull(
    demo_vos_server, portal_sim
):
    now = sim_now(portal_sim)
    stale = CdrPullJob.objects.create(
        server=demo_vos_server,
        first_day=now.date(),
        last_day=now.date(),
        status=CdrPullJob.Status.RUNNING,
    )
    cdr_pull.pull_server(demo_vos_server, now=now)
    stale.refresh_from_db()
    assert stale.status == CdrPullJob.Status.FAILED and "interrupted" in stale.error


def test_retention_drops_old_months_and_is_audited(demo_vos_server, portal_sim, settings):
    now = sim_now(portal_sim)
    settings.CDR_PULL_BACKFILL_DAYS = 70
    settings.CDR_PULL_MAX_DAYS = 31
    cdr_pull.pull_server(demo_vos_server, now=now)
    assert cdr_tasks.apply_retention() is None  # 0 keeps everything

    settings.CDR_RETENTION_MONTHS = 1
    outcome = cdr_tasks.apply_retention()

    cutoff = date.fromisoformat(outcome["cutoff"])
    assert cutoff == cdr_pull.retention_cutoff(datetime.now(UTC).date())
    assert Cdr.objects.exists()
    assert not Cdr.objects.filter(start__lt=datetime(cutoff.year, cutoff.month, 1, tzinfo=UTC))
    assert not CdrPullDay.objects.filter(day__lt=cutoff).exists()
    event = AuditEvent.objects.get(action="cdr.retention")
    assert event.actor is None and event.payload["cutoff"] == outcome["cutoff"]
    # The next pull does not fetch the dropped months back.
    assert cdr_pull.plan_days(demo_vos_server, now)[0] >= cutoff


def test_the_beat_task_queues_one_pull_per_enabled_server(demo_vos_server, monkeypatch):
    from switch.models import VosServer

    VosServer.objects.create(name="off", base_url=demo_vos_server.base_url, enabled=False)
    queued = []
    monkeypatch.setattr(cdr_tasks.pull_server, "delay", lambda *args: queued.append(args))
    assert cdr_tasks.pull_all_servers() == 1
    assert queued == [(demo_vos_server.pk, "scheduled")]


def test_the_pull_task_checks_who_asked(demo_vos_server, portal_sim):
    reseller = UserFactory(role=Role.RESELLER_MANAGER)
    refused = cdr_tasks.pull_server(demo_vos_server.pk, "manual", reseller.pk)
    assert refused == {"skipped": "requester may not run the platform"}
    admin = AdminFactory()
    done = cdr_tasks.pull_server(demo_vos_server.pk, "manual", admin.pk)
    job = CdrPullJob.objects.get(pk=done["job"])
    assert job.requested_by == admin and job.reason == "manual" and job.status == "done"


def test_admins_see_pulls_and_failed_days_resellers_get_404(client, demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    portal_sim.control("fault", endpoint="GetCdr", mode="http500", count=3)
    cdr_pull.pull_server(demo_vos_server, now=now)
    portal_sim.control("clear_faults")

    client.force_login(UserFactory(role=Role.RESELLER_MANAGER))
    assert client.get(reverse("cdr_pulls")).status_code == 404
    assert client.post(reverse("cdr_pull_now", args=[demo_vos_server.pk])).status_code == 404

    client.force_login(AdminFactory())
    page = client.get(reverse("cdr_pulls"))
    assert page.status_code == 200
    text = page.text
    assert "main" in text and "The switch" in text and 'data-status="failed"' in text
    assert demo_vos_server.base_url not in text and "127.0.0.1" not in text
    assert reverse("cdr_pulls") in text  # the nav entry
    partial = client.get(reverse("cdr_pulls"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.text


def test_pull_now_and_retry_queue_a_pull_and_are_audited(
    client, demo_vos_server, portal_sim, monkeypatch, django_capture_on_commit_callbacks
):
    now = sim_now(portal_sim)
    portal_sim.control("fault", endpoint="GetCdr", mode="http500", count=3)
    cdr_pull.pull_server(demo_vos_server, now=now)
    portal_sim.control("clear_faults")
    queued = []
    monkeypatch.setattr(cdr_tasks.pull_server, "delay", lambda *args: queued.append(args))
    admin = AdminFactory()
    client.force_login(admin)

    assert client.get(reverse("cdr_pull_now", args=[demo_vos_server.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("cdr_pull_now", args=[demo_vos_server.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("cdr_pulls")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cdr_pull_retry", args=[demo_vos_server.pk]))

    assert queued == [
        (demo_vos_server.pk, "manual", admin.pk),
        (demo_vos_server.pk, "retry", admin.pk),
    ]
    failed = CdrPullDay.objects.get(status="failed")
    assert failed.retry_after <= datetime.now(UTC)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "cdr.pull.start" in actions and "cdr.pull.retry" in actions
    assert client.post(reverse("cdr_pull_now", args=[999_999])).status_code == 404
