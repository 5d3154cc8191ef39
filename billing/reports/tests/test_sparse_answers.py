"""Fee reports against a VOS that answers sparsely (``sparse_vos_server``: numbers and
the retCode as JSON strings, empty optional fields left out). The key report tests of
``test_reports.py`` run again here with the sparse server underneath: amounts read from
strings add up exactly as from numbers."""

from __future__ import annotations

import pytest

from billing.reports.tests.test_reports import (  # noqa: F401  (collected again here)
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
