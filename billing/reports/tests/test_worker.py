"""A report job run by a real Celery worker process: queued on commit, run in batches
as the requester, rows saved."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import UserFactory
from billing.models import ReportJob
from billing.reports import services as reports
from customers.services import sync_tenants_from_vos

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.dates]


def test_it_runs_a_report_in_the_worker(demo_vos_server, portal_sim, celery_worker_process):
    sync_tenants_from_vos(demo_vos_server)
    citylink = Tenant.objects.get(vos_account="citylink")
    user = UserFactory(tenant=citylink, role=Role.RESELLER_MANAGER)
    today = datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()
    job = reports.start_report(
        Scope(user),
        requested_by=user,
        tenant=citylink,
        kind=ReportJob.Kind.CUSTOMER_FEE,
        period=ReportJob.Period.DAY,
        first_day=today - timedelta(days=7),
        last_day=today - timedelta(days=1),
        reach=reports.REACH_CUSTOMERS,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.batches_done == job.batches_total == 1
    assert {r["account"] for r in job.rows} <= {"cafe-roma", "dr-mueller", "havana-link"}
    assert job.rows
