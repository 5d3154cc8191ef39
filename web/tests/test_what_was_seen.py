"""Issue 14's "What was seen", item by item, in a real browser on the demo that
``make run`` seeds. Each test names the item it checks is gone; the phone widths are
walked page by page in ``test_every_page_on_a_phone.py``, the Chinese date inputs in
``test_browser_chinese.py``, a new phone's connection settings in
``telephony/phones/tests/test_browser.py`` and the slow switch's words in
``billing/money/tests/test_browser.py``."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Tenant
from accounts.tests.browser import open_signed_in
from switch.models import VosServer
from vos3000.simulator import demo as sim_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESELLER, CUSTOMER = "globaltel@demo.vosportal", "manila@demo.vosportal"
ADMIN, AUDITOR = "admin@demo.vosportal", "auditor@demo.vosportal"
FLOAT_LEFTOVER = re.compile(r"\d\.\d{5,}")


def _one_page(page) -> None:
    """No page inside the page: one header, one main heading."""
    assert page.locator("body .site-header").count() == 1
    assert page.locator("main h1").count() == 1


def _manila() -> Tenant:
    return Tenant.objects.get(vos_account="manila-bpo")


def test_item_1_a_refused_phone_card_answers_with_the_form_alone(page, live_server, demo):
    open_signed_in(page, live_server, CUSTOMER)
    page.goto("/top-up/")
    page.fill("input[name=pin]", "700199999999")
    page.fill("input[name=password]", sim_demo.PHONE_CARD_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("main [role=alert]").first).to_be_visible()
    _one_page(page)
    # A used card: the first use pays, the second is refused in words, in place.
    for _time in range(2):
        page.goto("/top-up/")
        page.fill("input[name=pin]", sim_demo.PHONE_CARD_PINS[5])
        page.fill("input[name=password]", sim_demo.PHONE_CARD_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
    expect(page.get_by_text("already been used")).to_be_visible()
    _one_page(page)


def test_item_1_a_top_up_while_the_switch_is_unreachable_says_so_in_place(page, live_server, demo):
    open_signed_in(page, live_server, RESELLER)
    page.goto(f"/customers/{_manila().pk}/top-up/")
    VosServer.objects.update(base_url="http://127.0.0.1:9")  # nothing listens there
    page.fill("input[name=amount]", "2")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("switch")
    _one_page(page)
    assert "Traceback" not in page.content() and "127.0.0.1:9" not in page.content()


def test_item_2_calls_show_no_floating_point_leftovers(page, live_server, demo):
    for email, language in ((RESELLER, "en"), (CUSTOMER, "zh-hans")):
        page.context.clear_cookies()
        open_signed_in(page, live_server, email, language)
        page.goto("/cdrs/")
        text = page.locator("main").inner_text()
        assert page.locator("main table.cdr-table tbody tr").count() > 1, email
        assert FLOAT_LEFTOVER.findall(text) == [], email


def test_item_3_tabs_are_spaced_and_the_current_one_is_marked(page, live_server, demo):
    open_signed_in(page, live_server, RESELLER, "zh-hans")
    page.goto(f"/customers/{_manila().pk}/")
    tabs = page.locator(".customer-tabs a")
    assert tabs.count() >= 4
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    for left, right in itertools.pairwise(boxes):
        assert right["x"] >= left["x"] + left["width"], "tabs touch or overlap"
    assert page.locator(".customer-tabs a[aria-current=page]").count() == 1


def test_item_5_codes_are_words_with_the_code_on_hover(page, live_server, demo):
    open_signed_in(page, live_server, RESELLER)
    page.goto("/cdrs/")
    reason = page.locator("main table.cdr-table .coded[data-code]").first
    expect(reason).to_be_visible()
    assert not reason.inner_text().strip().isdigit()
    assert reason.get_attribute("title").startswith("Code: ")
    page.goto(f"/customers/{_manila().pk}/phones/")
    page.locator("#phone-rows a").first.click()
    settings_text = page.locator("main").inner_text()
    for jargon in ("= default", "= system setting", "Poll", "Lock Call Out"):
        assert jargon not in settings_text, jargon
    page.context.clear_cookies()
    open_signed_in(page, live_server, ADMIN)
    page.goto("/ops/alarms/")
    alarms = page.locator("main").inner_text()
    assert "2147483647" not in alarms and "(level" not in alarms


def test_item_7_calls_open_on_a_day_with_calls_and_the_export_box_is_above(page, live_server, demo):
    open_signed_in(page, live_server, CUSTOMER)
    page.goto("/cdrs/")
    expect(page.locator("main")).not_to_contain_text("No calls match")
    page.get_by_role("button", name="Export CSV").click()
    ready = page.locator("#cdr-export")
    expect(ready).not_to_be_empty()
    table = page.locator("main table.cdr-table").bounding_box()
    assert ready.bounding_box()["y"] < table["y"]


def test_item_7_the_lock_button_is_sized_for_its_word_and_toasts_stay_clear(
    page, live_server, demo
):
    open_signed_in(page, live_server, RESELLER)
    page.goto(f"/customers/{_manila().pk}/")
    lock = page.get_by_role("button", name="Lock", exact=True)
    main_width = page.locator("main").bounding_box()["width"]
    assert lock.bounding_box()["width"] < main_width / 3
    page.on("dialog", lambda dialog: dialog.accept())
    lock.click()
    toast = page.locator(".toast").first
    expect(toast).to_be_visible()
    toast_box = toast.bounding_box()
    for chrome in (".site-header", "#app-nav"):
        box = page.locator(chrome).bounding_box()
        apart = (
            toast_box["y"] >= box["y"] + box["height"]
            or box["y"] >= toast_box["y"] + toast_box["height"]
            or toast_box["x"] >= box["x"] + box["width"]
            or box["x"] >= toast_box["x"] + toast_box["width"]
        )
        assert apart, f"a toast covers {chrome}"
    page.get_by_role("button", name="Unlock", exact=True).click()
    expect(page.locator("#lock-state .badge-ok")).to_be_visible()


@pytest.mark.parametrize("email", [ADMIN, AUDITOR, RESELLER, CUSTOMER])
def test_item_9_each_role_has_at_most_seven_entries_and_its_own_words(
    page, live_server, demo, email
):
    open_signed_in(page, live_server, email)
    page.goto("/")
    top = page.locator("#app-nav > ul > li")
    assert 3 <= top.count() <= 7
    text = page.locator("main").inner_text()
    if email == AUDITOR:
        assert "platform administrator" not in text
    if email == CUSTOMER:
        nav = page.locator("#app-nav > ul > li > a").all_inner_texts()
        assert not {"Users", "Audit", "Live calls"} & {entry.strip() for entry in nav}
