"""The demo import file in a real browser, with a real Celery worker, against the
simulator: a reseller uploads it, reads the preview, runs it and watches the progress
reach done, then downloads the result of each row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory
from billing.models import FeeRateGroupGrant
from customers.services import sync_tenants_from_vos
from switch.vos import client_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEMO_FILE = Path(__file__).resolve().parents[3] / "static" / "bulk" / "demo-customers.csv"


def test_it_imports_the_demo_file_with_a_preview_and_progress(
    page, demo_vos_server, portal_sim, celery_worker_process
):
    sync_tenants_from_vos(demo_vos_server)
    globaltel = Tenant.objects.get(vos_account="globaltel")
    FeeRateGroupGrant.objects.create(tenant=globaltel, group="Retail-Standard")
    reseller = UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and errors.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url),
    )

    sign_in(page, reseller.email, totp=True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.wait_for_url("**/customers/import/")
    page.select_option("select[name=kind]", "customers")
    page.set_input_files("input[name=file]", str(DEMO_FILE))
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator("#bulk-summary")).to_have_text("8 to make, 0 already there, 0 with errors.")
    expect(page.locator("#bulk-checks tbody tr")).to_have_count(8)
    page.get_by_role("button", name="Run the import").click()
    expect(page.locator("#bulk-import")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("#bulk-done")).to_have_text("Done: 8 made, 0 failed.")
    expect(page.locator("#bulk-results tbody tr[data-outcome=created]")).to_have_count(8)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the result of each row (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Line,Account,Phone,Result,Details"
    assert "demo-harbor,90100001,Created" in text

    saffron = Tenant.objects.get(vos_account="demo-saffron")
    assert saffron.parent.vos_account == "citylink"
    phones = client_for(demo_vos_server).call("GetPhone", {"e164s": ["90100005"]})["infoPhones"]
    assert phones[0]["account"] == "demo-saffron"
    assert errors == []
