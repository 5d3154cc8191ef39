"""In a real browser, in Chinese: the date inputs hold their dates (Chromium leaves an
input blank when its value is not ISO), and the language list names each language in
its own words."""

from __future__ import annotations

import pytest

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.browser import sign_in
from accounts.tests.factories import UserFactory
from customers.services import sync_tenants_from_vos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages with date inputs a reseller opens: call statistics, calls, the audit trail.
PAGES = ["/reports/calls/", "/cdrs/", "/audit/"]


def test_it_fills_the_date_inputs_in_chinese(page, demo_vos_server):
    sync_tenants_from_vos(demo_vos_server)
    user = UserFactory(
        tenant=Tenant.objects.get(vos_account="globaltel"),
        role=Role.RESELLER_MANAGER,
        language="zh-hans",
    )
    sign_in(page, user.email, totp=True)
    filled = 0
    for url in PAGES:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        for field in page.locator("input[type=date]").all():
            written = field.get_attribute("value") or ""
            # What the browser accepted: "" when it refused the written value.
            assert field.input_value() == written, (url, field.get_attribute("name"), written)
            filled += bool(written)
    assert filled, "no date input with a date on the pages"
    options = page.locator("#language-select option").all_inner_texts()
    assert [text.strip() for text in options] == ["English", "简体中文"]
