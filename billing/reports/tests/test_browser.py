"""In a real browser: a reseller asks for a fee report on its customers, watches it
finish (htmx polling) and sees its chart and the table of its numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory
from billing.models import ReportJob
from billing.reports import services as reports
from customers.services import sync_tenants_from_vos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_reseller_its_fee_report_chart(page, demo_vos_server, portal_sim):
    sync_tenants_from_vos(demo_vos_server)
    globaltel = Tenant.objects.get(vos_account="globaltel")
    user = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, user.email, totp=True)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="New fee report").first.click()
    page.select_option("select[name=kind]", "customer_fee")
    page.select_option("select[name=tenant]", str(globaltel.pk))
    page.select_option("select[name=reach]", "customers")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/reports/*/")
    expect(page.locator("#report-job progress")).to_be_visible()

    # No worker in this test: run the queued job here; the page's polling picks it up.
    job = ReportJob.objects.get()
    reports.run(job.pk)

    chart = page.locator("svg.chart-bar").first
    expect(chart).to_be_visible()
    assert chart.locator("rect.chart-bar").count() > 1
    expect(chart).to_have_attribute("aria-label", "Spend per day (UTC)")
    rows = page.locator("#report-rows tbody tr")
    expect(rows.first).to_be_visible()
    accounts = set(page.locator("#report-rows tbody td:nth-child(2)").all_inner_texts())
    assert any(a.startswith("manila-bpo") for a in accounts)
    assert not any(a.startswith(("acme", "sakura")) for a in accounts)
    expect(page.locator("a[download]", has_text="Download CSV")).to_be_visible()
    assert refused == []  # the charts need nothing the CSP forbids
