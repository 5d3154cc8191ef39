"""VOS fee reports against the simulator's demo platform: jobs run in batches as the
requester, stay in the scope, fail in words, download as CSV, and agree with the local
CDR copy (the issue's cross-check)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from accounts.models import AuditEvent, Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests.factories import AdminFactory, UserFactory
from billing.cdrs import store as cdr_store
from billing.models import Cdr, ReportJob
from billing.reports import services as reports
from billing.reports import tasks as report_tasks
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = pytest.mark.dates

CITYLINK_CUSTOMERS = {"cafe-roma", "dr-mueller", "havana-link"}


GLOBALTEL_CUSTOMERS = {"manila-bpo", "delhi-soft", "lagos-trade"} | CITYLINK_CUSTOMERS


@pytest.fixture
def tenants(demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    return {t.vos_account: t for t in Tenant.objects.exclude(vos_account="")}


@pytest.fixture
def users(tenants):
    return {
        "admin": AdminFactory(),
        "globaltel": UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER),
        "citylink": UserFactory(tenant=tenants["citylink"], role=Role.RESELLER_MANAGER),
        "skyvoice": UserFactory(tenant=tenants["skyvoice"], role=Role.RESELLER_MANAGER),
        "manila": UserFactory(tenant=tenants["manila-bpo"], role=Role.CUSTOMER_OWNER),
    }


def sim_today(portal_sim) -> date:
    return datetime.fromtimestamp(portal_sim.control("now")["now"] / 1000, tz=UTC).date()


def start(user, tenant, portal_sim, **kwargs) -> ReportJob:
    today = sim_today(portal_sim)
    options = {
        "kind": ReportJob.Kind.CUSTOMER_FEE,
        "period": ReportJob.Period.DAY,
        "first_day": today - timedelta(days=14),
        "last_day": today - timedelta(days=1),
        **kwargs,
    }
    return reports.start_report(Scope(user), requested_by=user, tenant=tenant, **options)


def run(job) -> ReportJob:
    # The Celery task's own function, called in this process (the worker test runs it
    # through a real worker).
    report_tasks.run_report(job.pk)
    job.refresh_from_db()
    return job


def test_it_runs_a_customer_fee_report_and_records_who_asked(users, tenants, portal_sim):
    job = start(users["manila"], tenants["manila-bpo"], portal_sim)
    assert job.status == ReportJob.Status.PENDING and job.batches_total == 1
    assert AuditEvent.objects.filter(action="report.start", target_id=str(job.pk)).exists()

    job = run(job)

    assert job.status == ReportJob.Status.DONE and job.batches_done == 1
    rows = reports.rows_of(job)
    # One row per day with a call (a free call too: a row of 0.0000), which the
    # simulator's own CDRs say: the demo's traffic is random per day, so a quiet day may
    # have no call, or only one that cost nothing, whatever the hour the suite runs at.
    answer = client_for(tenants["manila-bpo"].server).call(
        "GetCdr",
        {
            "accounts": ["manila-bpo"],
            "beginTime": f"{job.first_day:%Y%m%d}",
            "endTime": f"{job.last_day:%Y%m%d}",
        },
    )
    days: dict[str, tuple[int, Decimal]] = {}
    for cdr in answer.get("infoCdrs") or []:
        day = f"{datetime.fromtimestamp(cdr['start'] / 1000, tz=UTC):%Y-%m-%d}"
        calls, fee = days.get(day, (0, Decimal(0)))
        days[day] = (calls + 1, fee + Decimal(str(cdr.get("fee") or 0)))
    assert {r.period: (r.calls, r.fee) for r in rows} == {
        day: (calls, reports.fee(fee)) for day, (calls, fee) in days.items()
    }
    assert len(rows) >= 10  # two weeks of a busy demo customer
    assert {r.account for r in rows} == {"manila-bpo"}
    assert sum(r.fee for r in rows) > 0


def test_it_asks_for_a_resellers_customers_in_batches(settings, users, tenants, portal_sim):
    settings.REPORT_ACCOUNT_BATCH = 2
    before = portal_sim.control("stats")["requests"].get("GetReportCustomerFee", 0)
    job = start(users["globaltel"], tenants["globaltel"], portal_sim, reach=reports.REACH_CUSTOMERS)
    assert job.batches_total == 3  # six customers below globaltel, two per call

    job = run(job)

    calls = portal_sim.control("stats")["requests"]["GetReportCustomerFee"] - before
    assert calls == 3 and job.batches_done == 3
    assert {r.account for r in reports.rows_of(job)} == GLOBALTEL_CUSTOMERS
    # The same subtree in one batch gives the same rows.
    settings.REPORT_ACCOUNT_BATCH = 50
    whole = run(
        start(users["globaltel"], tenants["globaltel"], portal_sim, reach=reports.REACH_CUSTOMERS)
    )
    assert sorted(whole.rows, key=repr) == sorted(job.rows, key=repr)


def test_it_asks_one_account_per_location_report_call(settings, users, tenants, portal_sim):
    settings.REPORT_ACCOUNT_BATCH = 50
    job = run(
        start(
            users["citylink"],
            tenants["citylink"],
            portal_sim,
            kind=ReportJob.Kind.LOCATION_FEE,
            reach=reports.REACH_CUSTOMERS,
            area_code="4",
        )
    )
    assert job.batches_total == 3 and job.status == ReportJob.Status.DONE
    rows = reports.rows_of(job)
    assert rows and all(r.area_code.startswith("4") for r in rows)
    assert {r.account for r in rows} <= CITYLINK_CUSTOMERS
    top = reports.top_destinations(rows)
    assert top == sorted(top, key=lambda d: -d.fee) and len(top) <= reports.TOP_DESTINATIONS
    assert sum(d.fee for d in reports.top_destinations(rows, limit=100)) == sum(r.fee for r in rows)


def test_it_keeps_reports_inside_the_scope(client, users, tenants, portal_sim):
    client.force_login(users["citylink"])
    today = sim_today(portal_sim)
    form = {
        "kind": "customer_fee",
        "period": "day",
        "first_day": f"{today - timedelta(days=3)}",
        "last_day": f"{today - timedelta(days=1)}",
        "reach": "customers",
    }
    # A foreign account (its parent's other customer) is a 404, and nothing is queued.
    response = client.post(reverse("report_new"), {**form, "tenant": tenants["manila-bpo"].pk})
    assert response.status_code == 404 and not ReportJob.objects.exists()
    # Its own subtree: the rows are of its customers only.
    response = client.post(reverse("report_new"), {**form, "tenant": tenants["citylink"].pk})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "report_detail", args=[job.pk]
    )
    job = run(job)
    assert {r.account for r in reports.rows_of(job)} == CITYLINK_CUSTOMERS
    # Another subtree's users see neither the job nor its CSV; its parent does.
    client.force_login(users["skyvoice"])
    assert client.get(reverse("report_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("report_csv", args=[job.pk])).status_code == 404
    assert job.pk not in [j.pk for j in client.get(reverse("report_list")).context["jobs"]]
    client.force_login(users["globaltel"])
    assert client.get(reverse("report_detail", args=[job.pk])).status_code == 200


def test_it_lets_a_customer_report_only_on_itself(client, users, tenants, portal_sim):
    client.force_login(users["manila"])
    page = client.get(reverse("report_new"))
    assert page.status_code == 200 and "tenant" not in page.context["form"].fields
    today = sim_today(portal_sim)
    form = {
        "kind": "phone_fee",
        "period": "month",
        "first_day": f"{today - timedelta(days=40)}",
        "last_day": f"{today - timedelta(days=1)}",
        # Ignored: a customer has no subject to choose.
        "tenant": tenants["delhi-soft"].pk,
    }
    assert client.post(reverse("report_new"), form).status_code == 302
    job = run(ReportJob.objects.get())
    assert job.tenant == tenants["manila-bpo"]
    rows = reports.rows_of(job)
    assert {r.account for r in rows} == {"manila-bpo"} and {r.e164 for r in rows} <= {
        "80002001",
        "80002002",
        "80002003",
    }
    assert all(len(r.period) == 7 for r in rows)  # months


def test_it_refuses_bad_input_on_the_form(client, users, tenants):
    client.force_login(users["globaltel"])
    response = client.post(
        reverse("report_new"),
        {
            "kind": "location_fee",
            "period": "day",
            "tenant": tenants["manila-bpo"].pk,
            "first_day": "2025-03-10",
            "last_day": "2025-03-01",
            "area_code": "44x",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "last_day" in errors and "area_code" in errors
    assert not ReportJob.objects.exists()


def test_it_shows_a_vos_error_in_words(client, users, tenants, portal_sim):
    portal_sim.control("fault", endpoint="GetReportCustomerFee", mode="garbage", count=20)
    job = run(start(users["manila"], tenants["manila-bpo"], portal_sim))
    assert job.status == ReportJob.Status.FAILED and job.error
    assert "127.0.0.1" not in job.error and "http" not in job.error.lower()
    client.force_login(users["manila"])
    page = client.get(reverse("report_detail", args=[job.pk]))
    assert page.status_code == 200
    assert job.error in page.text and portal_sim.base_url not in page.text
    assert client.get(reverse("report_csv", args=[job.pk])).status_code == 302


def test_it_shows_progress_and_polls_until_done(client, users, tenants, portal_sim):
    job = start(users["manila"], tenants["manila-bpo"], portal_sim)
    client.force_login(users["manila"])
    url = reverse("report_detail", args=[job.pk])
    page = client.get(url)
    assert "<progress" in page.text and f'hx-get="{url}"' in page.text
    run(job)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "hx-trigger" not in fragment.text
    assert 'class="chart chart-bar"' in fragment.text and 'id="report-rows"' in fragment.text


@pytest.mark.parametrize(
    ("who", "tenant", "reach"),
    [("manila", "manila-bpo", None), ("globaltel", "globaltel", reports.REACH_CUSTOMERS)],
)
def test_it_downloads_the_rows_as_csv(client, users, tenants, portal_sim, who, tenant, reach):
    extra = {"reach": reach} if reach else {}
    job = run(start(users[who], tenants[tenant], portal_sim, **extra))
    client.force_login(users[who])
    response = client.get(reverse("report_csv", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Column names in words by default.
    assert lines[0][:4] == ["Day (UTC)", "Account", "Account name", "Calls"]
    assert "Talk time (s)" in lines[0] and "International time (s)" in lines[0]
    assert "cdr_count" not in lines[0] and "total_time_s" not in lines[0]
    assert len(lines) == 1 + len(job.rows)
    total = sum(Decimal(line[5]) for line in lines[1:])
    assert total == sum(reports.fee(r["totalFee"]) for r in job.rows)
    assert AuditEvent.objects.filter(action="report.csv_downloaded").count() == 1
    # "Column names for machines" keeps the field names.
    raw = client.get(reverse("report_csv", args=[job.pk]), {"columns": "raw"})
    lines = list(csv.reader(io.StringIO(b"".join(raw.streaming_content).decode())))
    assert lines[0][:4] == ["day (UTC)", "account", "account_name", "cdr_count"]
    assert "international_time_s" in lines[0]


def test_it_forgets_expired_jobs(users, tenants, portal_sim):
    from billing.reports.tasks import purge_report_jobs

    old = start(users["manila"], tenants["manila-bpo"], portal_sim)
    fresh = start(users["manila"], tenants["manila-bpo"], portal_sim)
    ReportJob.objects.filter(pk=old.pk).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert purge_report_jobs() == 1
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [fresh.pk]


def _store_cdrs(server, account: str, first: date, last: date) -> None:
    """GetCdr caps a request at 31 days: ask in windows of 15."""
    day = first
    while day <= last:
        end = min(last, day + timedelta(days=14))
        answer = client_for(server).call(
            "GetCdr",
            {"accounts": [account], "beginTime": f"{day:%Y%m%d}", "endTime": f"{end:%Y%m%d}"},
        )
        cdr_store.store(server, answer.get("infoCdrs") or [])
        day = end + timedelta(days=1)


def test_it_agrees_with_the_local_cdrs_for_a_customer_month(
    users, tenants, portal_sim, demo_vos_server
):
    """The issue's cross-check: the sum of a customer's pulled CDR fees over a month is
    VOS's customer fee report for that month, and a day's cdrCount is that day's CDRs."""
    today = sim_today(portal_sim)
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)  # the last whole month, inside the demo's 90 days
    _store_cdrs(demo_vos_server, "manila-bpo", first, last)
    admin = users["admin"]
    month = run(
        start(
            admin,
            tenants["manila-bpo"],
            portal_sim,
            period=ReportJob.Period.MONTH,
            first_day=first,
            last_day=last,
        )
    )
    [row] = month.rows
    since = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    local = Cdr.objects.filter(account="manila-bpo", start__gte=since, start__lt=until)
    local_fee = local.aggregate(total=Sum("fee"))["total"]
    assert local.count() == row["cdrCount"] > 0
    assert Decimal(local_fee).quantize(Decimal("0.0001")) == reports.fee(row["totalFee"])

    # A day of that month with calls, from the copy itself (the demo's traffic is random
    # per day: a fixed day of the month may have had none).
    days_with_calls = sorted({cdr.start.astimezone(UTC).date() for cdr in local.only("start")})
    day = days_with_calls[len(days_with_calls) // 2]
    daily = run(start(admin, tenants["manila-bpo"], portal_sim, first_day=day, last_day=day))
    [day_row] = daily.rows
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    local_day = local.filter(start__gte=day_start, start__lt=day_start + timedelta(days=1))
    assert day_row["cdrCount"] == local_day.count()
    assert reports.fee(day_row["totalFee"]) == Decimal(
        local_day.aggregate(total=Sum("fee"))["total"]
    ).quantize(Decimal("0.0001"))


def test_it_charts_spend_and_minutes_by_level(users, tenants, portal_sim):
    job = run(start(users["manila"], tenants["manila-bpo"], portal_sim))
    rows = reports.rows_of(job)
    spend = reports.spend_per_period(rows)
    assert [label for label, _v in spend] == sorted({r.period for r in rows})
    assert sum(v for _l, v in spend) == reports.totals_of(rows).fee
    levels = dict(reports.minutes_by_level(rows))
    assert list(levels) == ["Net", "Local", "Domestic", "International"]
    billed = sum(r.level_seconds[level] for r in rows for level in reports.LEVELS)
    assert billed == sum(r.seconds for r in rows)


def test_it_tells_an_unlinked_customer_there_is_nothing_to_report(client, db):
    from accounts.tests.factories import TenantFactory

    lonely = UserFactory(tenant=TenantFactory(vos_account="not-on-a-server"))
    client.force_login(lonely)
    form = {
        "kind": "customer_fee",
        "period": "day",
        "first_day": "2025-03-01",
        "last_day": "2025-03-02",
    }
    response = client.post(reverse("report_new"), form)
    assert response.status_code == 400 and "not linked to a VOS account" in response.text
    assert not ReportJob.objects.exists()
