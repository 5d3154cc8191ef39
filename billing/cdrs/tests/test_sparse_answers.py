"""Pulling CDRs from a VOS that answers sparsely (``sparse_vos_server``: numbers and the
retCode as JSON strings, empty optional fields left out). The key pull tests of
``test_pull.py`` run again here with the sparse server underneath, and a record pulled
from a sparse answer is the same record as from a full one (same natural key)."""

from __future__ import annotations

import pytest

from billing.cdrs import pull as cdr_pull
from billing.cdrs.tests.test_pull import (  # noqa: F401  (collected again here)
    pull_settings,
    sim_now,
    test_it_picks_up_a_late_record_exactly_once,
    test_it_pulls_every_owed_day_and_a_repull_adds_nothing,
    test_it_resumes_after_vos_goes_down_mid_pull_with_nothing_lost_or_doubled,
    test_it_splits_windows_the_server_finds_too_wide,
    test_it_stores_accounts_without_a_tenant_and_the_sync_adopts_them,
    test_the_pull_task_checks_who_asked,
)
from billing.models import Cdr

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    return sparse_vos_server


def test_a_sparse_and_a_full_answer_give_the_same_records(demo_vos_server, portal_sim):
    now = sim_now(portal_sim)
    first = cdr_pull.pull_server(demo_vos_server, now=now)
    assert first.inserted == Cdr.objects.count() > 0
    fees = sorted(Cdr.objects.values_list("fee", flat=True))
    assert any(fee > 0 for fee in fees)  # amounts read from strings, not zeros

    portal_sim.control("settings", answers="full")
    again = cdr_pull.pull_server(demo_vos_server, now=now)

    assert again.fetched > 0 and again.inserted == 0
    assert sorted(Cdr.objects.values_list("fee", flat=True)) == fees
