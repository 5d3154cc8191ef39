"""Gateways (platform admins) against a VOS that answers sparsely
(``sparse_vos_server``): the list with online state, filters, edits from the current
values (no invented changes in the audit), 404s, auditors. The same tests as
``test_pages.py`` for these flows, collected here with the sparse server underneath."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from telephony.gateways import selectors
from telephony.gateways.tests.test_pages import (  # noqa: F401  (collected again here)
    admin,
    form_data,
    gw_url,
    test_it_answers_404_for_a_gateway_vos_does_not_hold,
    test_it_edits_a_mapping_gateway_keeping_an_account_vos_holds,
    test_it_edits_a_routing_gateway_from_its_current_values,
    test_it_filters_the_list_by_name_and_state,
    test_it_lets_auditors_read_but_not_change,
    test_it_lists_gateways_with_their_online_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_vos_server(sparse_vos_server):
    """telephony's ``demo`` fixture, on the sparse server."""
    return sparse_vos_server


@pytest.mark.usefixtures("admin")
def test_it_saves_an_untouched_edit_without_inventing_changes(client, demo, sim_call):
    server, _t = demo
    sim_call("CreateGatewayRouting", {"name": "carrier-y", "capacity": 5})
    url = gw_url("gateway_edit", server, "routing", "carrier-y")
    form = client.get(url).context["form"]
    response = client.post(url, form_data(form))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="vos.ModifyGatewayRouting")
    assert event.before == {} and event.after == {}


def test_it_shows_a_left_out_capacity_as_unknown_not_as_no_limit():
    row = selectors.GatewayRow(info={"name": "gw"}, online=None)
    assert row.capacity is None
    assert selectors.GatewayRow(info={"name": "gw", "capacity": 0}, online=None).capacity == 0
