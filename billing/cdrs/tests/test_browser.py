"""In a real browser with a real Celery worker: a customer opens Calls from the
navigation, searches a week of its calls (htmx), exports them as CSV, watches the
progress and downloads the file, which holds exactly its own calls (in words, then with
the column names for machines)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory
from billing.models import Cdr
from billing.tests.cdr_world import demo_world, week

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_customer_search_its_calls_and_download_a_csv(
    page, demo_vos_server, portal_sim, celery_worker_process
):
    tenants = demo_world(demo_vos_server, portal_sim)
    user = UserFactory(tenant=tenants["manila-bpo"], role=Role.CUSTOMER_OWNER)
    days = week(portal_sim)
    own = Cdr.objects.filter(account="manila-bpo")
    answered = own.filter(hold_time__gt=0)
    assert answered.count() > 10 and Cdr.objects.exclude(account="manila-bpo").exists()

    sign_in(page, user.email, totp=False)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Calls", exact=True
    ).click()
    page.wait_for_url("**/cdrs/")
    expect(page.locator("main")).to_contain_text("Dates and times in UTC")
    page.fill("input[name=date_from]", days["date_from"])
    page.fill("input[name=date_to]", days["date_to"])
    page.check("input[name=answered]")
    page.click("#cdr-search button[type=submit]")
    expect(page.locator("[data-total=calls]")).to_have_text(str(answered.count()))
    assert "answered=on" in page.url  # htmx pushed the search into the address bar
    cells = page.locator("#cdr-results table tbody tr td:nth-child(2)").all_inner_texts()
    assert len(cells) == min(50, answered.count())
    assert set(cells) <= set(own.values_list("caller_e164", flat=True))
    expect(page.locator("#cdr-results")).not_to_contain_text("Agent fee")

    page.get_by_role("button", name="Export CSV").click()
    expect(page.locator(".cdr-export-status")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    body = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    head, data = rows[0], rows[1:]
    # Column names in words (the default; "Column names for machines" is left unticked).
    assert head[0] == "Start (UTC)" and "Agent fee" not in head and "Callee gateway" not in head
    assert len(data) == answered.count()
    assert {row[head.index("Account")] for row in data} == {"manila-bpo"}
    fees = sum((Decimal(row[head.index("Fee")]) for row in data), Decimal(0))
    assert fees == sum((c.fee for c in answered), Decimal(0))
    assert download.suggested_filename.endswith(".csv")

    # "Column names for machines": the same calls with the field names and codes.
    first = page.locator(".cdr-export-status").get_attribute("id")
    page.get_by_label("Column names for machines").check()
    page.get_by_role("button", name="Export CSV").click()
    expect(page.locator(f".cdr-export-status:not(#{first})")).to_have_attribute(
        "data-status", "done", timeout=60_000
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    head = rows[0]
    assert head[0] == "start (UTC)" and "caller_e164" in head and "Caller" not in head
    assert len(rows) - 1 == answered.count()
