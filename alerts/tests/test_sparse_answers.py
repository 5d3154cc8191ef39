"""Alerts against a VOS that answers sparsely: the alarm page and raising an alarm (the
tests of ``test_pages.py``, collected again with the sparse server underneath), and
low-balance alerts when VOS leaves the balance out: an unknown balance is neither low nor
fine, so nothing is raised and nothing is cleared."""

from __future__ import annotations

import pytest

from alerts import services as alerts
from alerts.models import AlertKind, AlertState, Notification
from alerts.tests.fixtures import link_demo_tenants
from alerts.tests.test_pages import (  # noqa: F401  (collected again here)
    test_it_raises_an_alarm_from_the_catalog_form_audited,
    test_the_alarm_page_shows_current_alarms_in_words,
)
from billing.models import MoneySettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    return sparse_vos_server


@pytest.fixture
def demo(demo_vos_server):
    return link_demo_tenants(demo_vos_server)


def test_it_neither_raises_nor_clears_on_an_unknown_balance(
    demo, eager_tasks, django_capture_on_commit_callbacks
):
    server, _tenants = demo
    MoneySettings.current()  # default threshold 5.00
    with django_capture_on_commit_callbacks(execute=True):
        alerts.balances_changed(server, {"manila-bpo": None, "delhi-soft": ""})
    # Neither raised nor cleared (the demo accounts were armed by the fixture).
    assert not AlertState.objects.filter(raised=True).exists()
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        alerts.balance_changed(server, "manila-bpo", 1.0)
    state = AlertState.objects.get(kind=AlertKind.LOW_BALANCE, subject="manila-bpo")
    assert state.raised
    with django_capture_on_commit_callbacks(execute=True):
        alerts.balance_changed(server, "manila-bpo", None)
    state.refresh_from_db()
    assert state.raised  # not cleared by a balance nobody knows
