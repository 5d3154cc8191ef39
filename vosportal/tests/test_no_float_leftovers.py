"""No float leftovers anywhere (issue 14): every page of the URL walk, for every role, and
every export, on the demo platform, holds no number with 5 or more decimals
("93.4407000000000", "94.0475000000001").

The world is the simulator's demo platform mirrored into the portal, with a week of its
calls (and today's) in the local CDR copy, so pages have balances, fees, totals and
statistics to show; it is dressed as the isolation suite's world
(``accounts.tests.isolation_world``: A = globaltel, A' = citylink, A1 = manila-bpo,
A1' = cafe-roma, B = skyvoice, B1 = sakura), so the suite's makers fill every URL's
parameters. The CDR exports (CSV and XLSX), the fee report CSVs, the rates CSV and the
audit trail's CSV are written and downloaded as their users would.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from accounts.audit_trail import services as audit_services
from accounts.models import AuditExport, Tenant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.tests import isolation_world as iw
from accounts.tests.factories import AdminFactory, UserFactory
from accounts.tests.test_isolation import PORTAL_URLS, _url
from billing.cdrs import export as cdr_export
from billing.cdrs import store as cdr_store
from billing.models import CdrExport, ReportJob
from billing.rates.services import grant_demo_groups
from billing.reports import services as reports
from billing.reports import tasks as report_tasks
from billing.tests.cdr_world import demo_world, sim_today, vos_cdrs

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

# A number with five or more digits after its decimal point, not part of a longer word
# or dotted name.
LEFTOVER = re.compile(r"(?<![\w.])\d+\.\d{5,}(?![\w.])")

# The demo accounts in the isolation world's places.
DEMO_PLACES = {
    "A": "globaltel",
    "A'": "citylink",
    "B": "skyvoice",
    "A1": "manila-bpo",
    "A1'": "cafe-roma",
    "B1": "sakura",
}

# Roles walked: the isolation suite's, and the auditor (on the admin's URLs).
WALKED = (*iw.ROLE_NAMES, "auditor")


def leftovers(text: str) -> list[str]:
    """Each number with 5+ decimals in ``text``, with a little context."""
    return [
        text[max(0, m.start() - 40) : m.end() + 10].replace("\n", " ")
        for m in LEFTOVER.finditer(text)
    ]


def test_it_finds_float_leftovers_and_only_those():
    found = leftovers("Fee 93.4407000000000 · 94.0475000000001 · 0.10000")
    assert len(found) == 3
    clean = "Fee 93.44 · 1,234.5678 · 0:01:05 · 127.0.0.1 · v1.2.34567 · 2026-12-07 · 80004001"
    assert leftovers(clean) == []


@pytest.fixture
def world(demo_vos_server, portal_sim):
    tenants = demo_world(demo_vos_server, portal_sim)
    today = sim_today(portal_sim)
    cdr_store.store(demo_vos_server, vos_cdrs(demo_vos_server, tenants, today, today))
    grant_demo_groups()
    placed = {key: tenants[account] for key, account in DEMO_PLACES.items()}
    users = {
        "customer_a1": UserFactory(tenant=placed["A1"], role=Role.CUSTOMER_OWNER),
        "customer_b1": UserFactory(tenant=placed["B1"], role=Role.CUSTOMER_OWNER),
        "reseller_a": UserFactory(tenant=placed["A"], role=Role.RESELLER_MANAGER),
        "sub_reseller_a": UserFactory(tenant=placed["A'"], role=Role.RESELLER_MANAGER),
        "reseller_b": UserFactory(tenant=placed["B"], role=Role.RESELLER_MANAGER),
        "admin": AdminFactory(),
        "auditor": UserFactory(tenant=Tenant.platform_root(), role=Role.PLATFORM_AUDITOR),
    }
    for key in ("A1", "A1'", "B1"):
        UserFactory(tenant=placed[key], role=Role.CUSTOMER_VIEWER, email=f"viewer-{key}@t.test")
    found = iw.World(tenants=placed, users=users)
    found.today = today
    found.week = {
        "date_from": (today - timedelta(days=7)).isoformat(),
        "date_to": today.isoformat(),
    }
    return found


def _extra_urls(world, role_name: str) -> list[str]:
    """Pages that show most numbers with a week in them (the walk opens them on today)."""
    week = world.week
    urls = [f"{reverse('cdr_search')}?{urlencode(week)}"]
    own = world.own_tenant("admin" if role_name == "auditor" else role_name)
    urls.append(f"{reverse('cdr_account_calls', args=[own.pk])}?{urlencode(week)}")
    for group in ("day", "customer", "prefix", "gateway", "margin_customer", "margin_day"):
        query = {"first": week["date_from"], "last": week["date_to"], "group": group}
        urls.append(f"{reverse('report_calls')}?{urlencode(query)}")
    return urls


def _walk(client, world, role_name: str) -> tuple[list[str], int]:
    maker_role = "admin" if role_name == "auditor" else role_name
    urls = [_url(name, world, maker_role) for name in PORTAL_URLS]
    urls += _extra_urls(world, role_name)
    found, scanned = [], 0
    for url in filter(None, urls):
        response = client.get(url)
        if response.status_code != 200:
            continue
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        if zipfile.is_zipfile(io.BytesIO(body)):
            continue  # files: the exports' test below reads them
        scanned += 1
        found += [f"{url}: {hit}" for hit in leftovers(body.decode(errors="replace"))]
    return found, scanned


@pytest.mark.parametrize("role_name", WALKED)
def test_it_shows_no_float_leftovers_on_any_page(client, world, role_name):
    user = world.users[role_name]
    client.force_login(user)
    found, scanned = _walk(client, world, role_name)
    assert scanned > 20, "the walk reached too few pages"
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("role_name", ["reseller_a", "customer_a1"])
def test_it_shows_no_float_leftovers_in_chinese(client, world, role_name):
    user = world.users[role_name]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client.force_login(user)
    found, scanned = _walk(client, world, role_name)
    assert scanned > 20
    assert found == [], "\n".join(found)


def test_it_shows_the_calls_totals_as_money(client, world):
    """What was seen: "Fee 93.4407000000000", "Agent fee 51.3041000000000"."""
    client.force_login(world.users["reseller_a"])
    response = client.get(reverse("cdr_search"), world.week)
    totals = response.context["totals"]
    assert totals.fee > 0 and totals.fee == totals.fee.quantize(Decimal("0.0001"))
    fee = re.search(r'data-total="fee">([^<]+)<', response.text).group(1)
    agent_fee = re.search(r'data-total="agent_fee">([^<]+)<', response.text).group(1)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", fee), fee
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", agent_fee), agent_fee
    # Each call: its length as h:mm:ss, what it cost to VOS's 1/10000.
    table = response.text[response.text.index('class="cdr-table') :]
    assert '<th class="money">Duration</th>' in table
    assert re.search(
        r'<td class="money">\d+:\d\d:\d\d</td><td class="money">\d+\.\d{4}</td>', table
    )


def _file_text(body: bytes) -> str:
    """A CSV's text, or an XLSX's cells as a spreadsheet reads them (times are times, so
    the day numbers they are stored as are no amounts)."""
    if zipfile.is_zipfile(io.BytesIO(body)):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            ",".join("" if value is None else repr(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode(errors="replace")


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_it_writes_no_float_leftovers_in_any_export(
    client, world, portal_sim, django_capture_on_commit_callbacks
):
    files: dict[str, bytes] = {}
    # CDR exports, CSV and XLSX, for a customer, a reseller and an admin.
    for role_name in ("customer_a1", "reseller_a", "admin"):
        client.force_login(world.users[role_name])
        for fmt in ("csv", "xlsx"):
            with django_capture_on_commit_callbacks(execute=False):
                response = client.post(reverse("cdr_export"), {**world.week, "format": fmt})
            assert response.status_code in (200, 302)
            job = CdrExport.objects.latest("id")
            cdr_export.write(job.pk)
            job.refresh_from_db()
            assert job.status == CdrExport.Status.DONE and job.rows_written > 0
            url = reverse("cdr_export_download", args=[job.pk])
            files[f"cdrs {role_name} {fmt}"] = _download(client, url)

    # Fee reports: each kind, for a reseller's whole subtree.
    reseller = world.users["reseller_a"]
    client.force_login(reseller)
    for kind in ReportJob.Kind.values:
        options = {"area_code": "44"} if kind == ReportJob.Kind.LOCATION_FEE else {}
        job = reports.start_report(
            Scope(reseller),
            requested_by=reseller,
            tenant=world.tenants["A1"],
            kind=kind,
            period=ReportJob.Period.DAY,
            first_day=world.today - timedelta(days=7),
            last_day=world.today - timedelta(days=1),
            **options,
        )
        report_tasks.run_report(job.pk)
        job.refresh_from_db()
        assert job.status == ReportJob.Status.DONE, job.error
        files[f"report {kind}"] = _download(client, reverse("report_csv", args=[job.pk]))

    # The rates of each group granted to the reseller.
    for grant in world.tenants["A"].fee_rate_grants.all():
        files[f"rates {grant.group}"] = _download(
            client, reverse("rate_export", args=[grant.group])
        )

    # The audit trail: everything the walk and the exports recorded, VOS payloads too.
    admin = world.users["admin"]
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("audit_export"), {})
    job = AuditExport.objects.latest("id")
    audit_services.write_export(job.pk)
    files["audit"] = _download(client, reverse("audit_export_download", args=[job.pk]))

    assert len(files) >= 10
    found = [
        f"{name}: {hit}" for name, body in files.items() for hit in leftovers(_file_text(body))
    ]
    assert found == [], "\n".join(found[:50])
