"""VOS fee reports run as background jobs: start one (audited), run it in batches of
accounts through the scope and the VOS guard, read its rows back as tables, chart
series and CSV, and forget expired ones.

The three reports (manual 2.47-2.49) are computed by VOS per UTC day or month:
``GetReportCustomerFee`` and ``GetReportPhoneFee`` take a list of accounts (asked in
batches of ``REPORT_ACCOUNT_BATCH``), ``GetReportCustomerLocationFee`` one account per
call. The subject of a report is one account, or every customer below a reseller; the
task rebuilds the requester's scope, so the guard checks every account of every batch,
and re-checks the answer's rows (``keep_in_scope``) whatever VOS sends.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Tenant, User
from accounts.roles import Action
from accounts.scope import OutOfScope, Scope
from billing.models import ReportJob
from billing.reports import tasks as report_tasks
from switch import vos
from vos3000.errors import VosError
from web.downloads import safe_cell
from web.tasks import enqueue

log = logging.getLogger(__name__)


# kind -> (endpoint, list field of the answer, accounts per call: None = the batch size)
ENDPOINTS = {
    ReportJob.Kind.CUSTOMER_FEE: ("GetReportCustomerFee", "infoReportCustomerFees", None),
    ReportJob.Kind.PHONE_FEE: ("GetReportPhoneFee", "infoReportPhoneFees", None),
    ReportJob.Kind.LOCATION_FEE: (
        "GetReportCustomerLocationFee",
        "infoReportCustomerLocationFees",
        1,
    ),
}


# The manual's "statistical cycle": a number of days, or -2 for calendar months.
PERIOD_CODES = {ReportJob.Period.DAY: 1, ReportJob.Period.MONTH: -2}


# The subject: one account, or every customer account below a reseller.
REACH_ACCOUNT, REACH_CUSTOMERS = "account", "customers"


LEVELS = ("net", "local", "domestic", "international")


FEE_PLACES = Decimal("0.0001")


TOP_DESTINATIONS = 10


# --- Starting -------------------------------------------------------------------------------
def reportable_tenants(scope):
    """The accounts a report may be about: linked resellers and customers in the scope
    (for a customer, itself)."""
    return (
        scope.tenants()
        .filter(
            kind__in=(Tenant.Kind.RESELLER, Tenant.Kind.CUSTOMER),
            status=Tenant.Status.ACTIVE,
            server__isnull=False,
        )
        .exclude(vos_account="")
    )


def subject_accounts(scope, tenant: Tenant, reach: str) -> list[str]:
    """The VOS accounts a report on ``tenant`` asks about, through the scope: the
    account itself, or every active customer below a reseller on the same server."""
    if not scope.contains(tenant):
        raise OutOfScope(f"tenant {tenant.pk}")
    if reach != REACH_CUSTOMERS or tenant.kind != Tenant.Kind.RESELLER:
        return [tenant.vos_account]
    return list(
        scope.tenants()
        .filter(
            path__startswith=tenant.path,
            kind=Tenant.Kind.CUSTOMER,
            server_id=tenant.server_id,
            status=Tenant.Status.ACTIVE,
        )
        .exclude(vos_account="")
        .order_by("vos_account")
        .values_list("vos_account", flat=True)
    )


def batches_of(accounts: list[str], kind: str) -> list[list[str]]:
    per_call = ENDPOINTS[kind][2] or max(1, settings.REPORT_ACCOUNT_BATCH)
    return [accounts[i : i + per_call] for i in range(0, len(accounts), per_call)]


def start_report(
    scope,
    *,
    requested_by: User,
    tenant: Tenant,
    kind: str,
    period: str,
    first_day: date,
    last_day: date,
    reach: str = REACH_ACCOUNT,
    area_code: str = "",
    e164s: list[str] | None = None,
) -> ReportJob:
    """Record a report job (audited) and queue its task. ``tenant`` must be in the
    scope and linked; the form has checked the rest."""
    scope.require(Action.VIEW)
    if not reportable_tenants(scope).filter(pk=tenant.pk).exists():
        raise OutOfScope(f"tenant {tenant.pk} cannot be reported on")
    if tenant.kind != Tenant.Kind.RESELLER:
        reach = REACH_ACCOUNT
    options = {"reach": reach}
    if kind == ReportJob.Kind.LOCATION_FEE and area_code:
        options["area_code"] = area_code
    if kind == ReportJob.Kind.PHONE_FEE and e164s:
        options["e164s"] = list(e164s)
    accounts = subject_accounts(scope, tenant, reach)
    ttl = timedelta(hours=settings.REPORT_TTL_HOURS)
    with transaction.atomic():
        job = ReportJob.objects.create(
            requested_by=requested_by,
            scope_user=scope.user,
            tenant=tenant,
            tenant_path=tenant.path,
            server_id=tenant.server_id,
            kind=kind,
            period=period,
            first_day=first_day,
            last_day=last_day,
            options=options,
            batches_total=len(batches_of(accounts, kind)),
            expires_at=datetime.now(UTC) + ttl,
        )
        audit.record(
            "report.start",
            scope=scope,
            target=job,
            tenant=tenant,
            payload={
                "kind": kind,
                "period": period,
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "accounts": len(accounts),
                **options,
            },
        )
        enqueue(report_tasks.run_report, job.pk)
    return job


# --- Running --------------------------------------------------------------------------------
def _payload(job: ReportJob, batch: list[str]) -> dict:
    payload = {
        "period": PERIOD_CODES[job.period],
        "beginTime": f"{job.first_day:%Y%m%d}",
        "endTime": f"{job.last_day:%Y%m%d}",
    }
    if job.kind == ReportJob.Kind.LOCATION_FEE:
        payload["account"] = batch[0]
        if job.options.get("area_code"):
            payload["areaCode"] = job.options["area_code"]
    else:
        payload["accounts"] = batch
        if job.kind == ReportJob.Kind.PHONE_FEE and job.options.get("e164s"):
            payload["e164s"] = job.options["e164s"]
    return payload


def _fail(job: ReportJob, words: str) -> ReportJob:
    job.status = ReportJob.Status.FAILED
    job.error = words[:1000]
    job.finished_at = datetime.now(UTC)
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def run(job_id: int) -> ReportJob:
    """The task's body: ask VOS batch by batch as the requester, saving progress after
    each batch; on a VOS error the job fails with the error in words."""
    job = ReportJob.objects.select_related("tenant", "server", "requested_by").get(pk=job_id)
    if job.status not in (ReportJob.Status.PENDING, ReportJob.Status.RUNNING):
        return job
    language = getattr(job.requested_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        acting = job.requested_by_id if job.requested_by_id != job.scope_user_id else None
        try:
            scope = Scope.for_user_id(job.scope_user_id, acting)
            accounts = subject_accounts(scope, job.tenant, job.options.get("reach", ""))
        except (User.DoesNotExist, OutOfScope):
            return _fail(job, _("The account is no longer yours to report on."))
        endpoint, list_field, _per_call = ENDPOINTS[job.kind]
        batches = batches_of(accounts, job.kind)
        job.status, job.batches_total, job.batches_done = ReportJob.Status.RUNNING, len(batches), 0
        job.save(update_fields=["status", "batches_total", "batches_done"])
        rows: list[dict] = []
        for batch in batches:
            try:
                answer = vos.call(
                    scope,
                    job.server,
                    endpoint,
                    _payload(job, batch),
                    target=job,
                    tenant=job.tenant,
                )
            except VosError as exc:
                log.info("report %s failed: %s", job.pk, type(exc).__name__)
                return _fail(job, vos.describe_error(exc))
            except OutOfScope:
                return _fail(job, _("The account is no longer yours to report on."))
            found = answer.get(list_field) or []
            if not isinstance(found, list):
                found = [found]
            rows += scope.keep_in_scope(job.server, [r for r in found if isinstance(r, dict)])
            job.batches_done += 1
            job.save(update_fields=["batches_done"])
        job.rows = rows
        job.status = ReportJob.Status.DONE
        job.finished_at = datetime.now(UTC)
        job.save(update_fields=["rows", "status", "finished_at"])
    return job


def purge_expired() -> int:
    """Forget report jobs past their time (``REPORT_TTL_HOURS``)."""
    deleted, _by_model = ReportJob.objects.filter(expires_at__lte=datetime.now(UTC)).delete()
    return deleted


# --- Reading the results --------------------------------------------------------------------
def fee(value) -> Decimal:
    """A VOS amount (a JSON double) as an exact Decimal to 1/10000."""
    try:
        return Decimal(str(value if value is not None else 0)).quantize(FEE_PLACES)
    except (InvalidOperation, ValueError):
        return Decimal("0.0000")


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def period_label(job: ReportJob, begin_ms) -> str:
    """A row's period as people read it: the UTC day, or the month."""
    try:
        moment = datetime.fromtimestamp(int(begin_ms) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    return f"{moment:%Y-%m}" if job.period == ReportJob.Period.MONTH else f"{moment:%Y-%m-%d}"


@dataclass(frozen=True)
class ReportRow:
    period: str
    account: str
    account_name: str
    e164: str
    area_code: str
    area_name: str
    calls: int
    seconds: int
    fee: Decimal
    suite_fee: Decimal
    level_seconds: dict
    # False when VOS left totalFee out: ``fee`` is then 0 in sums but shown as unknown.
    fee_known: bool = True

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.seconds) / 60).quantize(Decimal("0.1"))


def rows_of(job: ReportJob) -> list[ReportRow]:
    rows = [
        ReportRow(
            period=period_label(job, row.get("beginTime")),
            account=str(row.get("account", "")),
            account_name=str(row.get("accountName", "")),
            e164=str(row.get("e164", "")),
            area_code=str(row.get("areaCode", "")),
            area_name=str(row.get("areaName", "")),
            calls=_int(row.get("cdrCount")),
            seconds=_int(row.get("totalTime")),
            fee=fee(row.get("totalFee")),
            suite_fee=fee(row.get("totalSuiteFee")),
            level_seconds={level: _int(row.get(f"{level}Time")) for level in LEVELS},
            fee_known=row.get("totalFee") not in (None, ""),
        )
        for row in job.rows or []
    ]
    return sorted(rows, key=lambda r: (r.period, r.account, r.e164, r.area_code))


@dataclass(frozen=True)
class Totals:
    calls: int
    seconds: int
    fee: Decimal
    # Rows whose fee VOS did not say: the fee total leaves them out, and says so.
    rows_without_fee: int = 0

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.seconds) / 60).quantize(Decimal("0.1"))


def totals_of(rows: list[ReportRow]) -> Totals:
    return Totals(
        calls=sum(r.calls for r in rows),
        seconds=sum(r.seconds for r in rows),
        fee=sum((r.fee for r in rows), Decimal("0.0000")),
        rows_without_fee=sum(1 for r in rows if not r.fee_known),
    )


def spend_per_period(rows: list[ReportRow]) -> list[tuple[str, Decimal]]:
    """totalFee per day (or month), every account of the report added up."""
    spend: dict[str, Decimal] = defaultdict(lambda: Decimal("0.0000"))
    for row in rows:
        spend[row.period] += row.fee
    return sorted(spend.items())


def minutes_by_level(rows: list[ReportRow]) -> list[tuple[str, Decimal]]:
    """Billed minutes per call level (net, local, domestic, international) from the
    rows' *Time fields (the location report has none: it is per destination)."""
    labels = {
        "net": _("Net"),
        "local": _("Local"),
        "domestic": _("Domestic"),
        "international": _("International"),
    }
    seconds = {level: sum(r.level_seconds[level] for r in rows) for level in LEVELS}
    return [
        (str(labels[level]), (Decimal(seconds[level]) / 60).quantize(Decimal("0.1")))
        for level in LEVELS
    ]


@dataclass(frozen=True)
class Destination:
    area_code: str
    area_name: str
    calls: int
    seconds: int
    fee: Decimal

    @property
    def label(self) -> str:
        return f"{self.area_name} ({self.area_code})" if self.area_name else self.area_code

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.seconds) / 60).quantize(Decimal("0.1"))


def top_destinations(rows: list[ReportRow], limit: int = TOP_DESTINATIONS) -> list[Destination]:
    """The location report's destinations by fee, every period and account added up."""
    grouped: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, Decimal("0.0000")])
    for row in rows:
        entry = grouped[(row.area_code, row.area_name)]
        entry[0] += row.calls
        entry[1] += row.seconds
        entry[2] += row.fee
    found = [
        Destination(code, name, calls, seconds, total)
        for (code, name), (calls, seconds, total) in grouped.items()
    ]
    found.sort(key=lambda d: (-d.fee, d.area_code))
    return found[:limit]


def _csv_header(job: ReportJob) -> list[str]:
    """The raw column names (for scripts)."""
    period_name = "month (UTC)" if job.period == ReportJob.Period.MONTH else "day (UTC)"
    header = [period_name, "account", "account_name"]
    if job.kind == ReportJob.Kind.PHONE_FEE:
        header.append("e164")
    if job.kind == ReportJob.Kind.LOCATION_FEE:
        header += ["area_code", "area_name"]
    header += ["cdr_count", "total_time_s", "total_fee", "total_suite_fee"]
    if job.kind != ReportJob.Kind.LOCATION_FEE:
        header += [f"{level}_time_s" for level in LEVELS]
    return header


def _csv_header_in_words(job: ReportJob) -> list[str]:
    """The same columns named in the active language."""
    month = job.period == ReportJob.Period.MONTH
    header = [_("Month (UTC)") if month else _("Day (UTC)"), _("Account"), _("Account name")]
    if job.kind == ReportJob.Kind.PHONE_FEE:
        header.append(_("Phone"))
    if job.kind == ReportJob.Kind.LOCATION_FEE:
        header += [_("Area code"), _("Area")]
    header += [_("Calls"), _("Talk time (s)"), _("Fee"), _("Suite fee")]
    if job.kind != ReportJob.Kind.LOCATION_FEE:
        levels = dict(minutes_by_level([]))  # the levels' words, in LEVELS' order
        header += [_("%(level)s time (s)") % {"level": words} for words in levels]
    return header


def csv_lines(job: ReportJob, raw: bool = False) -> Iterator[str]:
    """The job's rows as CSV (periods are UTC days or months, amounts to 1/10000). The
    header names the columns in words in the active language (read now, not when the
    response is streamed), or as fields for scripts when ``raw``."""
    header = _csv_header(job) if raw else _csv_header_in_words(job)
    return _csv_rows(job, header)


def _csv_rows(job: ReportJob, header: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows_of(job):
        line = [row.period, row.account, row.account_name]
        if job.kind == ReportJob.Kind.PHONE_FEE:
            line.append(row.e164)
        if job.kind == ReportJob.Kind.LOCATION_FEE:
            line += [row.area_code, row.area_name]
        line += [row.calls, row.seconds, row.fee, row.suite_fee]
        if job.kind != ReportJob.Kind.LOCATION_FEE:
            line += [row.level_seconds[level] for level in LEVELS]
        writer.writerow([safe_cell(v) for v in line])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
