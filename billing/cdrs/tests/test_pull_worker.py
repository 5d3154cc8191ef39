"""The pull in a real Celery worker process: queued as an admin's "Pull now" would,
run by the worker against the simulator over HTTP, rows in the test database."""

from __future__ import annotations

import pytest

from accounts.tests.factories import AdminFactory
from billing.cdrs import tasks as cdr_tasks
from billing.cdrs.tests.test_pull import DAY, assert_same_as_vos
from billing.models import Cdr, CdrPullJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pull_worker(request, monkeypatch):
    # The worker reads its settings from the environment it is started with.
    monkeypatch.setenv("CDR_PULL_PACE_SECONDS", "0")
    monkeypatch.setenv("CDR_PULL_BACKFILL_DAYS", "2")
    monkeypatch.setenv("CDR_PULL_ACCOUNT_BATCH", "4")
    return request.getfixturevalue("celery_worker_process")


def test_it_pulls_cdrs_in_the_worker(demo_vos_server, portal_sim, pull_worker):
    admin = AdminFactory()

    outcome = cdr_tasks.pull_server.delay(demo_vos_server.pk, "manual", admin.pk).get(timeout=90)

    job = CdrPullJob.objects.get(pk=outcome["job"])
    assert job.status == CdrPullJob.Status.DONE, job.error
    assert job.requested_by == admin and job.reason == "manual"
    assert Cdr.objects.count() == job.inserted > 0
    assert (job.last_day - job.first_day) == 2 * DAY
    assert_same_as_vos(demo_vos_server, job.first_day, job.last_day)
