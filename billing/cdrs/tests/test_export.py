"""CDR exports: CSV and XLSX of the search a user sees (its scope, its columns, its time
zone), formula-safe, downloadable by the requester only until they expire, audited."""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from billing.cdrs import columns as cdr_columns
from billing.cdrs import export as cdr_export
from billing.cdrs import store as cdr_store
from billing.models import Cdr, CdrExport
from billing.tests.cdr_world import demo_world, vos_cdrs, week

pytestmark = pytest.mark.dates


@pytest.fixture
def tenants(demo_vos_server, portal_sim):
    return demo_world(demo_vos_server, portal_sim)


@pytest.fixture
def days(portal_sim):
    return week(portal_sim)


def export_and_run(client, capture, params, fmt="csv", raw=False) -> CdrExport:
    """Export as the page's form posts it; ``raw`` ticks "Column names for machines"."""
    extra = {"raw": "on"} if raw else {}
    with capture(execute=False) as callbacks:
        response = client.post(reverse("cdr_export"), {**params, "format": fmt, **extra})
    assert response.status_code == 302 and len(callbacks) == 1
    job = CdrExport.objects.latest("id")
    assert response["Location"] == reverse("cdr_export_status", args=[job.pk])
    cdr_export.write(job.pk)  # what the queued task runs
    job.refresh_from_db()
    return job


def download(client, job):
    response = client.get(reverse("cdr_export_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def read_xlsx(body: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = []
    for sheet in book.worksheets:
        rows.append(list(sheet.iter_rows(values_only=True)))
    return rows


def test_it_exports_a_customers_own_calls_as_csv_in_its_time_zone(
    client, tenants, days, django_capture_on_commit_callbacks
):
    user = UserFactory(
        tenant=tenants["manila-bpo"], role=Role.CUSTOMER_OWNER, time_zone="Asia/Manila"
    )
    client.force_login(user)
    job = export_and_run(client, django_capture_on_commit_callbacks, days)
    manila = zoneinfo.ZoneInfo("Asia/Manila")
    since = datetime.fromisoformat(days["date_from"]).replace(tzinfo=manila)
    until = datetime.fromisoformat(days["date_to"]).replace(tzinfo=manila) + timedelta(days=1)
    own = Cdr.objects.filter(account="manila-bpo", start__gte=since, start__lt=until)
    assert job.status == CdrExport.Status.DONE
    assert job.rows_written == job.rows_total == own.count() > 0
    assert AuditEvent.objects.filter(action="cdr.export", actor=user).exists()

    status = client.get(reverse("cdr_export_status", args=[job.pk]))
    assert b"ready" in status.content and b"every 2s" not in status.content
    rows = read_csv(download(client, job))
    head, body = rows[0], rows[1:]
    # Column names in words (the default), times named with their zone.
    assert head[:2] == ["Start (Asia/Manila)", "End (Asia/Manila)"]
    hidden = cdr_columns.PLATFORM_ONLY | cdr_columns.PROVIDER_ONLY
    assert not set(head) & {str(cdr_columns.EXPORT_LABELS[name]) for name in hidden}
    assert {row[head.index("Account")] for row in body} == {"manila-bpo"}
    # Newest first, in Manila time (UTC+8).
    newest = own.order_by("-start", "-id").first()
    assert body[0][0] == (newest.start + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    fees = sum(Decimal(row[head.index("Fee")]) for row in body)
    assert fees == sum(c.fee for c in own)
    assert AuditEvent.objects.filter(action="cdr.export_downloaded", actor=user).exists()


def test_it_keeps_a_resellers_export_in_its_subtree_with_its_columns(
    client, tenants, days, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(tenant=tenants["citylink"], role=Role.RESELLER_MANAGER))
    # A gateway posted by a reseller is ignored, not obeyed. (Raw field names, for scripts.)
    job = export_and_run(
        client, django_capture_on_commit_callbacks, {**days, "gateway": "carrier-asia"}, raw=True
    )
    rows = read_csv(download(client, job))
    head, body = rows[0], rows[1:]
    assert "agent_fee" in head and not set(head) & cdr_columns.PLATFORM_ONLY
    assert {row[head.index("account")] for row in body} == {
        "cafe-roma",
        "dr-mueller",
        "havana-link",
    }
    assert len(body) == Cdr.objects.filter(tenant_path__startswith=tenants["citylink"].path).count()
    assert "carrier-" not in str(rows) and "198.51.100." not in str(rows)


def test_it_exports_xlsx_with_every_field_for_admins(
    client, tenants, days, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    job = export_and_run(
        client, django_capture_on_commit_callbacks, {**days, "answered": "on"}, fmt="xlsx"
    )
    body = download(client, job)
    [sheet] = read_xlsx(body)
    head, rows = list(sheet[0]), sheet[1:]
    assert head[0] == "Start (UTC)" and "Callee gateway" in head and "Callee IP" in head
    answered = Cdr.objects.filter(hold_time__gt=0)
    assert len(rows) == job.rows_written == answered.count()
    newest = answered.order_by("-start", "-id").first()
    assert rows[0][0] == newest.start.replace(tzinfo=None)
    assert rows[0][head.index("Fee")] == pytest.approx(float(newest.fee))
    assert rows[0][head.index("Callee gateway")] == (newest.callee_gateway or None)


def test_it_keeps_formulas_out_of_both_formats(
    client, demo_vos_server, portal_sim, tenants, days, django_capture_on_commit_callbacks
):
    first = datetime.fromisoformat(days["date_from"]).date()
    [info, *_] = vos_cdrs(demo_vos_server, ["acme"], first, first + timedelta(days=3))
    # A new call: without the simulator's flowNo (the CDR's identity) it is keyed on its fields.
    info = {key: value for key, value in info.items() if key != "flowNo"}
    evil = {**info, "callerE164": '=HYPERLINK("http://x")', "calleeE164": "+15551234"}
    assert cdr_store.store(demo_vos_server, [evil]).inserted == 1
    client.force_login(UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER))

    rows = read_csv(
        download(client, export_and_run(client, django_capture_on_commit_callbacks, days, raw=True))
    )
    head = rows[0]
    row = next(r for r in rows if "HYPERLINK" in r[head.index("caller_e164")])
    assert row[head.index("caller_e164")] == '\'=HYPERLINK("http://x")'
    assert row[head.index("callee_e164")] == "'+15551234"

    job = export_and_run(client, django_capture_on_commit_callbacks, days, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download(client, job)))
    sheet = book.worksheets[0]
    caller_column = [c.value for c in sheet[1]].index("Caller") + 1
    cells = [sheet.cell(row=n, column=caller_column) for n in range(2, sheet.max_row + 1)]
    cell = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_it_continues_on_a_new_sheet_when_one_is_full(
    client, tenants, days, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(cdr_export, "SHEET_ROWS", 40)
    monkeypatch.setattr(cdr_export, "CHUNK", 17)  # chunks and sheets not aligned
    client.force_login(AdminFactory())
    job = export_and_run(client, django_capture_on_commit_callbacks, days, fmt="xlsx")
    sheets = read_xlsx(download(client, job))
    total = Cdr.objects.count()
    assert len(sheets) == -(-total // 40) > 2
    assert all(sheet[0] == sheets[0][0] for sheet in sheets)
    assert all(len(sheet) == 41 for sheet in sheets[:-1])
    starts = [row[0] for sheet in sheets for row in sheet[1:]]
    assert len(starts) == total and starts == sorted(starts, reverse=True)


def test_it_serves_an_export_to_its_requester_only(
    client, tenants, days, django_capture_on_commit_callbacks
):
    owner = UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER)
    client.force_login(owner)
    job = export_and_run(client, django_capture_on_commit_callbacks, days)
    for other in (
        UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER),  # same scope
        AdminFactory(),
    ):
        client.force_login(other)
        assert client.get(reverse("cdr_export_status", args=[job.pk])).status_code == 404
        assert client.get(reverse("cdr_export_download", args=[job.pk])).status_code == 404


def test_it_refuses_an_expired_export_and_purges_it(
    client, tenants, days, django_capture_on_commit_callbacks
):
    from billing.cdrs.tasks import purge_cdr_exports

    client.force_login(AdminFactory())
    job = export_and_run(client, django_capture_on_commit_callbacks, days)
    path = cdr_export.path_of(job)
    assert path.exists()
    assert job.expires_at > datetime.now(UTC) + timedelta(hours=23)
    CdrExport.objects.filter(pk=job.pk).update(expires_at=datetime.now(UTC) - timedelta(1))
    assert client.get(reverse("cdr_export_download", args=[job.pk])).status_code == 404
    assert b"expired" in client.get(reverse("cdr_export_status", args=[job.pk])).content
    assert purge_cdr_exports() == 1
    assert not path.exists() and not CdrExport.objects.filter(pk=job.pk).exists()


def test_it_fails_an_export_whose_account_left_the_scope(
    client, tenants, days, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(tenant=tenants["globaltel"], role=Role.RESELLER_MANAGER))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("cdr_export"), {**days, "account": "cafe-roma", "format": "csv"})
    job = CdrExport.objects.get()
    assert job.filters["tenant"] == str(tenants["cafe-roma"].pk)
    cafe = tenants["cafe-roma"]
    cafe.parent = tenants["skyvoice"]
    cafe.save()
    cdr_export.write(job.pk)
    job.refresh_from_db()
    assert job.status == CdrExport.Status.FAILED and not job.file_name
    page = client.get(reverse("cdr_export_status", args=[job.pk]))
    assert b"no longer valid" in page.content


def test_it_refuses_an_invalid_search_and_shows_progress_to_htmx(
    client, tenants, days, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    wide = {"date_from": "2026-01-01", "date_to": "2026-12-31", "format": "csv"}
    assert client.post(reverse("cdr_export"), wide).status_code == 400
    assert client.post(reverse("cdr_export"), {**days, "format": "pdf"}).status_code == 400
    assert not CdrExport.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("cdr_export"), {**days, "format": "xlsx"}, HTTP_HX_REQUEST="true"
        )
    content = response.content.decode()
    assert 'hx-trigger="every 2s"' in content and "<progress" in content
    assert "<form" not in content
    job = CdrExport.objects.get()
    CdrExport.objects.filter(pk=job.pk).update(
        status=CdrExport.Status.RUNNING, rows_total=200, rows_written=50
    )
    polled = client.get(reverse("cdr_export_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'value="25"' in polled.text and "50 of 200" in polled.text


def _coded(rows, head, name):
    return {row[head.index(name)] for row in rows[1:]}


@pytest.mark.parametrize("who", ["reseller", "customer"])
def test_it_writes_column_names_and_codes_in_words(
    client, tenants, days, django_capture_on_commit_callbacks, who
):
    if who == "reseller":
        user = UserFactory(tenant=tenants["citylink"], role=Role.RESELLER_MANAGER)
    else:
        user = UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER)
    client.force_login(user)
    rows = read_csv(
        download(client, export_and_run(client, django_capture_on_commit_callbacks, days))
    )
    head = rows[0]
    for words in (
        "Caller",
        "Callee",
        "Talk time (s)",
        "Billed time (s)",
        "Call level",
        "End reason",
    ):
        assert words in head
    for raw in ("caller_e164", "hold_time", "fee_time", "call_level", "end_reason"):
        assert raw not in head
    levels = _coded(rows, head, "Call level")
    assert levels and levels <= {"On-net", "Local", "Domestic", "International"}
    reasons = _coded(rows, head, "End reason")
    assert reasons and not any(reason.isdigit() for reason in reasons)
    assert "Normal call clearing" in reasons
    assert _coded(rows, head, "Hung up by") <= {"Caller", "Callee", "Server"}


def test_it_writes_words_in_the_requesters_language(
    client, tenants, days, django_capture_on_commit_callbacks
):
    user = UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER, language="zh-hans")
    client.force_login(user)
    job = export_and_run(client, django_capture_on_commit_callbacks, days, fmt="xlsx")
    assert job.language == "zh-hans" and not job.raw
    [sheet] = read_xlsx(download(client, job))
    head = list(sheet[0])
    assert "caller_e164" not in head and "Caller" not in head
    assert all(isinstance(row[head.index(str(head[-1]))], str) for row in sheet[1:])


def test_it_keeps_raw_column_names_and_codes_when_asked(
    client, tenants, days, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(tenant=tenants["acme"], role=Role.CUSTOMER_OWNER))
    job = export_and_run(client, django_capture_on_commit_callbacks, days, raw=True)
    assert job.raw and job.language == ""
    event = AuditEvent.objects.filter(action="cdr.export").latest("id")
    assert event.payload["raw"] is True
    rows = read_csv(download(client, job))
    head = rows[0]
    assert head[0].startswith("start (") and "caller_e164" in head and "fee_time" in head
    assert "Caller" not in head
    assert _coded(rows, head, "call_level") <= {"1", "2", "4", "5"}
    assert all(code.isdigit() for code in _coded(rows, head, "end_reason"))

    job = export_and_run(client, django_capture_on_commit_callbacks, days, fmt="xlsx", raw=True)
    [sheet] = read_xlsx(download(client, job))
    head = list(sheet[0])
    assert "call_level" in head
    assert {row[head.index("call_level")] for row in sheet[1:]} <= {1, 2, 4, 5}
