"""The CDR search page against a week of the simulator's demo CDRs in the local copy:
every filter, keyset pages, totals, each role's scope and columns, the account's Calls
tab, htmx, and the customer home's last calls (read locally, not from VOS)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import AdminFactory, UserFactory
from billing.models import Cdr
from billing.tests.cdr_world import demo_world, week
from web.templatetags import portal

pytestmark = pytest.mark.dates

GLOBALTEL_ACCOUNTS = {
    "manila-bpo",
    "delhi-soft",
    "lagos-trade",
    "cafe-roma",
    "dr-mueller",
    "havana-link",
}


@pytest.fixture
def tenants(demo_vos_server, portal_sim):
    return demo_world(demo_vos_server, portal_sim)


@pytest.fixture
def days(portal_sim):
    return week(portal_sim)


def _user(tenants, account, role):
    return UserFactory(tenant=tenants[account], role=role)


def _search(client, params, url=None):
    response = client.get(url or reverse("cdr_search"), params)
    assert response.status_code == 200
    return response


def _walk(client, params, url=None) -> list[Cdr]:
    """Every row of a search, following the page's own "older" links."""
    seen, query = [], dict(params)
    while True:
        response = _search(client, query, url)
        seen += list(response.context["page"].rows)
        older = response.context["page"].older
        if not older:
            return seen
        assert f"before={older}" in response.text  # the link a person would follow
        query = {**params, "before": older}


def test_it_walks_every_row_of_a_search_once_newest_first(client, tenants, days):
    client.force_login(AdminFactory())
    rows = _walk(client, days)
    assert len(rows) == len({row.pk for row in rows}) == Cdr.objects.count() > 50
    keys = [(row.start, row.pk) for row in rows]
    assert keys == sorted(keys, reverse=True)
    # Page two's "newer" link leads back to page one.
    first = _search(client, days).context["page"]
    second = _search(client, {**days, "before": first.older})
    newer = second.context["page"].newer
    assert newer and f"after={newer}" in second.text
    back = _search(client, {**days, "after": newer}).context["page"]
    assert [row.pk for row in back.rows] == [row.pk for row in first.rows]
    assert back.newer is None and back.older == first.older


def test_it_sums_the_whole_range_in_its_totals(client, tenants, days):
    client.force_login(AdminFactory())
    response = _search(client, days)
    totals = response.context["totals"]
    rows = list(Cdr.objects.all())
    assert totals.calls == len(rows)
    assert totals.answered == sum(1 for row in rows if row.hold_time > 0)
    assert totals.seconds == sum(row.hold_time for row in rows)
    assert totals.fee == sum((row.fee for row in rows), Decimal(0))
    assert totals.agent_fee == sum((row.agent_fee for row in rows), Decimal(0))
    assert f'data-total="calls">{portal.number(totals.calls)}<' in response.text
    assert f'data-total="fee">{portal.money(totals.fee)}<' in response.text


@pytest.mark.parametrize(
    "name, value, matches",
    [
        ("caller_prefix", "800020", lambda c: c.caller_e164.startswith("800020")),
        ("callee_prefix", "44", lambda c: c.callee_e164.startswith("44")),
        ("phone", "80001011", lambda c: "80001011" in (c.caller_e164, c.callee_e164)),
        ("min_duration", "100", lambda c: c.hold_time >= 100),
        ("answered", "on", lambda c: c.hold_time > 0),
        ("with_fee", "on", lambda c: c.fee > 0),
        (
            "gateway",
            "carrier-asia",
            lambda c: "carrier-asia" in (c.caller_gateway, c.callee_gateway),
        ),
    ],
)
def test_it_narrows_the_search_by_each_filter(client, tenants, days, name, value, matches):
    client.force_login(AdminFactory())
    found = {row.pk for row in _walk(client, {**days, name: value})}
    expected = {row.pk for row in Cdr.objects.all() if matches(row)}
    assert found == expected
    assert 0 < len(expected) < Cdr.objects.count()


def test_it_reads_the_dates_as_the_users_days(client, tenants, portal_sim):
    """The range is the user's days, ``until`` the midnight after the last one."""
    user = AdminFactory(time_zone="Asia/Tokyo")
    client.force_login(user)
    one_day = (date.fromisoformat(week(portal_sim)["date_to"]) - timedelta(days=1)).isoformat()
    response = _search(client, {"date_from": one_day, "date_to": one_day})
    filters = response.context["form"].filters()
    assert filters.since.isoformat() == f"{one_day}T00:00:00+09:00"
    assert (filters.until - filters.since) == timedelta(days=1)
    rows = _walk(client, {"date_from": one_day, "date_to": one_day})
    assert rows and all(filters.since <= row.start < filters.until for row in rows)
    assert "Asia/Tokyo" in response.text


def test_it_refuses_a_range_too_wide_or_backwards_in_words(client, tenants):
    client.force_login(AdminFactory())
    wide = _search(client, {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    assert wide.context["page"] is None and "at most 93 days" in wide.text
    backwards = _search(client, {"date_from": "2026-02-02", "date_to": "2026-02-01"})
    assert "before the start date" in backwards.text


def test_it_opens_on_today_without_dates(client, tenants):
    client.force_login(AdminFactory())
    response = _search(client, {})
    assert response.context["form"].is_valid() and response.context["page"] is not None


def test_it_opens_on_the_latest_day_with_calls_when_today_has_none(client, tenants):
    newest = Cdr.objects.order_by("-start").first()
    later = newest.start + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        client.force_login(AdminFactory())
        response = _search(client, {})
    day = newest.start.date().isoformat()  # the admin's zone is UTC
    form = response.context["form"]
    assert (form.data["date_from"], form.data["date_to"]) == (day, day)
    assert response.context["page"].rows and 'id="latest-day"' in response.text
    # A customer opens on its own latest day, not on another account's.
    acme_newest = Cdr.objects.filter(account="acme").order_by("-start").first()
    with time_machine.travel(later, tick=False):
        client.force_login(_user(tenants, "acme", Role.CUSTOMER_VIEWER))
        own = _search(client, {})
    assert own.context["form"].data["date_from"] == acme_newest.start.date().isoformat()


# Near midnight UTC it is already tomorrow in Asia/Shanghai (UTC+8): "today" is the
# user's own, at 23:59 and at 00:01 UTC and around Shanghai's own midnight (16:00 UTC).
USERS_TODAY = [
    ("2026-03-10T23:59:00Z", "UTC", "2026-03-10"),
    ("2026-03-10T23:59:00Z", "Asia/Shanghai", "2026-03-11"),
    ("2026-03-11T00:01:00Z", "UTC", "2026-03-11"),
    ("2026-03-11T00:01:00Z", "Asia/Shanghai", "2026-03-11"),
    ("2026-03-10T15:59:00Z", "Asia/Shanghai", "2026-03-10"),
    ("2026-03-10T16:01:00Z", "Asia/Shanghai", "2026-03-11"),
    ("2026-12-31T23:59:00Z", "Asia/Shanghai", "2027-01-01"),
]


@pytest.mark.parametrize(("moment", "zone", "day"), USERS_TODAY)
def test_it_opens_on_the_users_today_at_any_hour(client, db, moment, zone, day):
    with time_machine.travel(moment, tick=False):
        client.force_login(AdminFactory(time_zone=zone))
        response = _search(client, {})
    form = response.context["form"]
    assert (form.data["date_from"], form.data["date_to"]) == (day, day)


def test_it_keeps_a_resellers_search_in_its_subtree(client, tenants, days):
    client.force_login(_user(tenants, "globaltel", Role.RESELLER_MANAGER))
    accounts = {row.account for row in _walk(client, days)}
    assert accounts == GLOBALTEL_ACCOUNTS & set(Cdr.objects.values_list("account", flat=True))
    # A sub-reseller sees its own subtree only.
    client.force_login(_user(tenants, "citylink", Role.RESELLER_OPERATOR))
    assert {row.account for row in _walk(client, days)} == {
        "cafe-roma",
        "dr-mueller",
        "havana-link",
    }


def test_it_keeps_a_customers_search_to_its_own_calls(client, tenants, days):
    client.force_login(_user(tenants, "manila-bpo", Role.CUSTOMER_VIEWER))
    rows = _walk(client, days)
    assert {row.account for row in rows} == {"manila-bpo"}
    assert len(rows) == Cdr.objects.filter(account="manila-bpo").count()
    # No account picker for customers; a tenant named in the query changes nothing.
    response = _search(client, {**days, "tenant": tenants["acme"].pk, "account": "acme"})
    assert "account" not in response.context["form"].fields
    assert response.context["totals"].calls == len(rows)


def test_it_lets_a_provider_pick_an_account_or_a_subtree_in_its_scope(client, tenants, days):
    client.force_login(_user(tenants, "globaltel", Role.RESELLER_MANAGER))
    one = _walk(client, {**days, "account": "cafe-roma"})
    assert one and {row.account for row in one} == {"cafe-roma"}
    subtree = _walk(client, {**days, "account": "citylink"})
    assert {row.account for row in subtree} == {"cafe-roma", "dr-mueller", "havana-link"}
    by_id = _walk(client, {**days, "tenant": tenants["cafe-roma"].pk})
    assert {row.pk for row in by_id} == {row.pk for row in one}
    # Another reseller's customer: not a choice (typed), a 404 (by id).
    typed = _search(client, {**days, "account": "sakura"})
    assert typed.context["page"] is None and "None of your accounts" in typed.text
    assert (
        client.get(reverse("cdr_search"), {**days, "tenant": tenants["sakura"].pk}).status_code
        == 404
    )


def test_it_shows_gateways_and_ips_to_admins_only(client, tenants, days):
    client.force_login(AdminFactory())
    admin_page = _search(client, days)
    assert "Callee gateway" in admin_page.text and "carrier-" in admin_page.text
    assert "id_gateway" in admin_page.text
    for account, role in (
        ("globaltel", Role.RESELLER_MANAGER),
        ("manila-bpo", Role.CUSTOMER_OWNER),
    ):
        client.force_login(_user(tenants, account, role))
        response = _search(client, {**days, "gateway": "carrier-asia"})
        assert "gateway" not in response.context["form"].fields
        assert "id_gateway" not in response.text and "Gateway" not in response.text
        # The results (the page echoes the query in its language form's "next").
        results = client.get(
            reverse("cdr_search"), days, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="cdr-results"
        ).text
        assert "<td>" in results and "carrier-" not in results and "198.51.100." not in results
        # The posted gateway is ignored: the same calls as without it.
        plain = _search(client, days).context["totals"].calls
        assert response.context["totals"].calls == plain


def test_it_shows_agent_fees_to_providers_not_customers(client, tenants, days):
    client.force_login(_user(tenants, "globaltel", Role.RESELLER_MANAGER))
    reseller = _search(client, days)
    assert "Agent fee" in reseller.text and 'data-total="agent_fee"' in reseller.text
    client.force_login(_user(tenants, "manila-bpo", Role.CUSTOMER_OWNER))
    customer = _search(client, days)
    assert "Agent fee" not in customer.text and 'data-total="agent_fee"' not in customer.text
    assert [c.field for c in customer.context["columns"]] == [
        "start",
        "caller_e164",
        "callee_e164",
        "hold_time",
        "fee",
        "fee_prefix",
        "call_level",
        "end_reason",
    ]


def test_it_fixes_the_search_to_the_account_on_its_calls_tab(client, tenants, days):
    client.force_login(_user(tenants, "globaltel", Role.RESELLER_MANAGER))
    url = reverse("cdr_account_calls", args=[tenants["delhi-soft"].pk])
    rows = _walk(client, days, url)
    assert {row.account for row in rows} == {"delhi-soft"}
    page = _search(client, days, url)
    assert f'href="{url}"' in page.text  # the tab
    assert "Fetch today&#x27;s calls live" in page.text or "Fetch today's calls live" in page.text
    assert client.get(reverse("cdr_account_calls", args=[tenants["sakura"].pk])).status_code == 404
    # The navigation has "Calls" for every role.
    assert f'href="{reverse("cdr_search")}"' in page.text


def test_it_answers_htmx_with_the_results_only(client, tenants, days):
    client.force_login(AdminFactory())
    response = client.get(
        reverse("cdr_search"), days, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="cdr-results"
    )
    assert response.status_code == 200
    assert "<table" in response.text and '<form method="get"' not in response.text
    assert re.search(r'hx-get="/cdrs/\?[^"]*before=', response.text)


def test_it_shows_a_customer_its_last_calls_from_the_local_copy(client, tenants, portal_sim, days):
    client.force_login(_user(tenants, "acme", Role.CUSTOMER_VIEWER))
    portal_sim.control("fault", endpoint="GetCdr", mode="http500", count=10)
    try:
        before = portal_sim.control("stats")["requests"].get("GetCdr", 0)
        response = client.get(reverse("dashboard"))
        assert portal_sim.control("stats")["requests"].get("GetCdr", 0) == before
    finally:
        portal_sim.control("clear_faults")
    calls = response.context["home"]["calls"]
    assert calls and {call.account for call in calls} == {"acme"}
    assert reverse("cdr_search") in response.text


@pytest.mark.parametrize(
    ("account", "role"),
    [("globaltel", Role.RESELLER_MANAGER), ("manila-bpo", Role.CUSTOMER_OWNER)],
)
def test_it_shows_call_levels_and_end_reasons_in_words(client, tenants, days, account, role):
    client.force_login(_user(tenants, account, role))
    page = _search(client, days)
    fields = [c.field for c in page.context["columns"]]
    level, reason = fields.index("call_level"), fields.index("end_reason")
    rows = page.context["rows"]
    assert rows
    # (words, code): the words shown, the code on hover for experts.
    assert {row[level][0] for row in rows} == {row[reason][0] for row in rows} == {"coded"}
    levels = {row[level][1][0] for row in rows}
    reasons = {row[reason][1] for row in rows}
    assert levels <= {"On-net", "Local", "Domestic", "International"}
    assert ("Normal call clearing", 1) in reasons
    assert not any(str(words).lstrip("-").isdigit() for words, _code in reasons)
    assert 'title="Code: 1" data-code="1">Normal call clearing</span>' in page.text
    # The table's level and end reason cells are words, never the bare codes.
    table = page.text.split('<table class="cdr-table', 1)[1].split("</table>", 1)[0]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", table)]
    body = [[re.sub(r"<[^>]+>", "", td) for td in tds] for tds in cells]
    body = [tds for tds in body if len(tds) == len(fields)]
    assert len(body) == len(rows)
    assert not any(tds[level].strip().isdigit() or tds[reason].strip().isdigit() for tds in body)
