"""Fee reports against a VOS that answers sparsely (``sparse_vos_server``: numbers and
the retCode as JSON strings, empty optional fields left out). The key report tests of
``test_reports.py`` run again here with the sparse server underneath: amounts read from
strings add up exactly as from numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.reports import services as reports
from billing.reports.tests.test_reports import (  # noqa: F401  (collected again here)
    run,
    start,
    tenants,
    test_it_agrees_with_the_local_cdrs_for_a_customer_month,
    test_it_asks_for_a_resellers_customers_in_batches,
    test_it_asks_one_account_per_location_report_call,
    test_it_charts_spend_and_minutes_by_level,
    test_it_downloads_the_rows_as_csv,
    test_it_keeps_reports_inside_the_scope,
    test_it_runs_a_customer_fee_report_and_records_who_asked,
    users,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    return sparse_vos_server


def test_it_says_which_rows_did_not_say_their_fee(client, request, portal_sim):
    """A row without totalFee is shown as unknown and the total says it leaves it out;
    it is not a row of fee 0 silently added in."""
    people, accounts = request.getfixturevalue("users"), request.getfixturevalue("tenants")
    job = run(start(people["manila"], accounts["manila-bpo"], portal_sim))
    assert len(job.rows) >= 2
    known_total = sum(reports.fee(r["totalFee"]) for r in job.rows[1:])
    job.rows[0].pop("totalFee")
    job.save(update_fields=["rows"])
    totals = reports.totals_of(reports.rows_of(job))
    assert totals.rows_without_fee == 1 and totals.fee == known_total
    client.force_login(people["manila"])
    page = client.get(reverse("report_detail", args=[job.pk]))
    assert page.status_code == 200
    assert "data-rows-without-fee" in page.text
    assert "Unknown: the switch did not say" in page.text
