"""The pull with several fetchers: GetCdr calls made ahead, in flight together (never
more than CDR_PULL_FETCHERS), while the answers already in are stored. Every day still
ends as VOS has it, a re-pull adds nothing, and a failure leaves no day DONE half-pulled."""

from __future__ import annotations

import threading

import pytest

from billing.cdrs import pull as cdr_pull
from billing.cdrs.tests.test_pull import (
    DAY,
    assert_same_as_vos,
    cdr_pull_accounts,
    local_per_day,
    sim_now,
    vos_per_day,
)
from billing.models import Cdr, CdrPullDay, CdrPullJob
from switch import vos

pytestmark = pytest.mark.dates

FETCHERS = 3


@pytest.fixture(autouse=True)
def _still_clock(frozen_clock):
    return frozen_clock


@pytest.fixture(autouse=True)
def pull_settings(settings):
    settings.CDR_PULL_PACE_SECONDS = 0
    settings.CDR_PULL_FETCHERS = FETCHERS
    settings.CDR_PULL_BACKFILL_DAYS = 4
    settings.CDR_PULL_RELOOK_DAYS = 1
    settings.CDR_PULL_MAX_DAYS = 1
    settings.CDR_PULL_ACCOUNT_BATCH = 3
    settings.CDR_PULL_RETRY_SECONDS = 300
    settings.CDR_RETENTION_MONTHS = 0
    return settings


class Watched:
    """The server's client, counting the GetCdr calls in flight at once. The first two
    wait for each other: a pull that made one call at a time would never pass."""

    def __init__(self, client):
        self.client, self.lock = client, threading.Lock()
        self.now = self.most = 0
        self.meet = threading.Barrier(2, timeout=30)
        self.met = False

    def call(self, name, payload):
        if name != "GetCdr":
            return self.client.call(name, payload)
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            wait = not self.met
        try:
            if wait:
                self.meet.wait()
                self.met = True
            return self.client.call(name, payload)
        finally:
            with self.lock:
                self.now -= 1


def test_it_fetches_ahead_at_most_fetchers_at_once_and_a_repull_adds_nothing(
    demo_vos_server, portal_sim, monkeypatch
):
    watched = Watched(vos.client_for(demo_vos_server))
    monkeypatch.setattr(cdr_pull, "client_for", lambda server: watched)
    now = sim_now(portal_sim)
    today = now.date()

    job = cdr_pull.pull_server(demo_vos_server, now=now)

    assert 2 <= watched.most <= FETCHERS
    assert job.status == CdrPullJob.Status.DONE and job.error == ""
    assert job.batches_done == job.batches_total == 5 * len(cdr_pull_accounts(demo_vos_server))
    assert job.vos_calls == 1 + job.batches_total
    assert job.inserted == job.fetched == Cdr.objects.count() > 0
    assert set(CdrPullDay.objects.values_list("status", flat=True)) == {"done"}
    assert cdr_pull.watermark(demo_vos_server) == today
    assert_same_as_vos(demo_vos_server, today - 4 * DAY, today)
    stored = Cdr.objects.count()

    again = cdr_pull.pull_server(demo_vos_server, now=now)

    assert again.status == CdrPullJob.Status.DONE
    assert again.fetched > 0 and again.inserted == 0
    assert Cdr.objects.count() == stored
    assert_same_as_vos(demo_vos_server, today - 4 * DAY, today)


def test_it_leaves_no_day_done_half_pulled_when_vos_goes_down_with_calls_in_flight(
    demo_vos_server, portal_sim, monkeypatch
):
    batches = len(cdr_pull_accounts(demo_vos_server))
    paces = []

    def pace_then_break():
        paces.append(1)
        if len(paces) == batches + 2:  # somewhere in the second day
            portal_sim.control("fault", endpoint="*", mode="http500", count=1000)

    monkeypatch.setattr(cdr_pull, "_pace", pace_then_break)
    now = sim_now(portal_sim)
    today = now.date()

    failed = cdr_pull.pull_server(demo_vos_server, now=now)
    portal_sim.control("clear_faults")
    vos.forget_clients()  # time passes: the client's breaker has cooled down

    assert failed.status == CdrPullJob.Status.FAILED and "day failed" in failed.error
    days = {row.day: row for row in CdrPullDay.objects.filter(server=demo_vos_server)}
    assert "failed" in {row.status for row in days.values()}
    expected = vos_per_day(demo_vos_server, today - 4 * DAY, today)
    local = local_per_day(demo_vos_server, today - 4 * DAY, today)
    for day, row in days.items():
        if row.status == "done":
            assert local[day] == expected[day] == row.fetched, day
    assert failed.batches_done < failed.batches_total

    monkeypatch.setattr(cdr_pull, "_pace", lambda: None)
    later = cdr_pull.pull_server(demo_vos_server, now=now + 301 * (DAY / 86_400))
    assert later.status == CdrPullJob.Status.DONE, later.error
    assert set(CdrPullDay.objects.values_list("status", flat=True)) == {"done"}
    assert_same_as_vos(demo_vos_server, today - 4 * DAY, today)


def test_it_splits_windows_too_wide_with_calls_in_flight(demo_vos_server, portal_sim, settings):
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
    assert job.batches_done == job.batches_total == 10 * batches
    # The refused calls: those of the 4-day and the 2-day windows made ahead (at most
    # FETCHERS each), besides the 10 days' own.
    assert 1 + 2 + 10 * batches <= job.vos_calls <= 1 + 2 * FETCHERS + 10 * batches
    assert_same_as_vos(demo_vos_server, now.date() - 9 * DAY, now.date())
    assert cdr_pull.watermark(demo_vos_server) == now.date()
