"""Isolation-suite makers for the report pages (see accounts.tests.isolation_world): a
finished report job about the role's own account, or about a foreign one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from switch.models import VosServer


def _server():
    # The world's tenants have no server; a job needs one. It is never called.
    server, _ = VosServer.objects.get_or_create(
        name="iso", defaults={"base_url": "http://127.0.0.1:9/external/server/"}
    )
    return server


def _report_job_pk(world, role_name, own):
    from billing.models import ReportJob

    tenant = world.own_tenant(role_name) if own else world.foreign_tenant(role_name)
    if tenant is None:
        return None
    user = world.users[role_name]
    return ReportJob.objects.create(
        requested_by=user,
        scope_user=user,
        tenant=tenant,
        tenant_path=tenant.path,
        server=_server(),
        kind=ReportJob.Kind.CUSTOMER_FEE,
        period=ReportJob.Period.DAY,
        first_day=date(2025, 1, 1),
        last_day=date(2025, 1, 2),
        status=ReportJob.Status.DONE,
        batches_total=1,
        batches_done=1,
        rows=[
            {
                "beginTime": 1735689600000,
                "endTime": 1735775999999,
                "account": tenant.vos_account,
                "accountName": tenant.name,
                "cdrCount": 3,
                "totalFee": 1.25,
                "totalTime": 120,
                "internationalTime": 120,
            }
        ],
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    ).pk


OBJECT_MAKERS: dict = {"report_job": _report_job_pk}


SAMPLE_KWARGS: dict = {}


OWN_REFUSED: set = set()
