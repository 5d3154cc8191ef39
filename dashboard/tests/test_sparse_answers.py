"""Dashboards against a VOS that answers sparsely (``sparse_vos_server``), and with the
amounts left out altogether: a sum with an unknown amount in it is unknown ("—"), never a
smaller sum, and an unknown balance is not counted as low."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Tenant
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from dashboard.tests.test_dashboards import (  # noqa: F401  (collected again here)
    tenants,
    test_it_counts_low_balances_and_links_to_the_filtered_list,
    test_it_gives_admins_platform_totals,
    test_it_shows_a_customer_its_own_home,
    test_it_sums_a_resellers_subtree,
)
from switch import vos

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    return sparse_vos_server


@pytest.mark.usefixtures("tenants")
def test_it_says_an_unknown_sum_when_vos_leaves_balances_out(client, monkeypatch):
    real_call = vos.call

    def call(scope, server, name, payload, **kwargs):
        answer = real_call(scope, server, name, payload, **kwargs)
        if name == "GetCustomer":
            for info in answer.get("infoCustomers") or []:
                if info.get("account") == "manila-bpo":
                    info.pop("money", None)
                    info.pop("todayConsumption", None)
        return answer

    monkeypatch.setattr(vos, "call", call)
    globaltel = Tenant.objects.get(vos_account="globaltel")
    client.force_login(UserFactory(tenant=globaltel, role=Role.RESELLER_MANAGER))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["balances"] is None and summary["today"] is None
    assert summary["low"] is not None
